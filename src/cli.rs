//! Entry point: picks the personality from `argv[0]` or the first argument,
//! and parses xbow's own commands with clap.

use crate::backend::sim::{self, PhysConf, StateFile};
use crate::backend::{DlError, Kind};
use crate::dladm;
use crate::model::link::LinkState;
use crate::model::link_name::LinkName;
use crate::model::mac::MacAddr;
use crate::net;
use clap::{CommandFactory, Parser, Subcommand};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

#[derive(Parser, Debug)]
#[command(
    name = "xbow",
    version,
    about = "Crossbow network virtualization: etherstubs, VNICs, NAT and zones",
    long_about = "xbow builds virtual networks on illumos (and simulates them elsewhere).\n\n\
        `xbow dladm …`, `xbow dlstat …` and `xbow ipnat …` behave like illumos dladm(8), dlstat(8)\n\
        and ipnat(8); a symlink named `dladm`, `dlstat` or `ipnat` to xbow does the same. `xbow net` builds a whole network from\n\
        one spec. The backend is chosen by XBOW_BACKEND (illumos on illumos, sim elsewhere; linux for the Linux kernel)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// illumos dladm(8): etherstubs, VNICs, links and link properties
    #[command(disable_help_flag = true)]
    Dladm {
        /// the dladm subcommand and its arguments
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// illumos dlstat(8): link, lane and ring statistics
    #[command(disable_help_flag = true)]
    Dlstat {
        /// dlstat's subcommand, options and link (see xbow-dlstat(8))
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// illumos ipnat(8): IP Filter NAT rules and active translations
    #[command(disable_help_flag = true)]
    Ipnat {
        /// ipnat's options, e.g. `-l`, or `-f FILE` (see xbow-ipnat(8))
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// illumos ipf(8): load, remove and flush IP Filter packet filter rules
    #[command(disable_help_flag = true)]
    Ipf {
        /// ipf's options, e.g. `-Fa -f FILE`
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// illumos ipfstat(8): filter statistics, rule lists and the state table
    #[command(disable_help_flag = true)]
    Ipfstat {
        /// ipfstat's options, e.g. `-hio`
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Build a whole virtual network from one spec file (see xbow-net(5))
    Net {
        /// the host of a spec with hosts whose part to act on (default:
        /// the one whose name or underlay address is this machine's)
        #[arg(long, global = true, value_name = "NAME")]
        host: Option<String>,
        #[command(subcommand)]
        command: NetCommand,
    },
    /// Manage the simulation backend's state
    Sim {
        #[command(subcommand)]
        command: SimCommand,
    },
    /// Print shell completions
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
enum NetCommand {
    /// Print the steps `up` would take, as illumos command lines
    Plan { file: PathBuf },
    /// Apply the spec (a second run changes nothing); undo everything on failure
    Up {
        file: PathBuf,
        /// undo the change unless `xbow net confirm` runs within SECONDS
        #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86400))]
        confirm: Option<u64>,
    },
    /// Keep the change an `up --confirm` made (else it is undone)
    Confirm,
    /// Remove what the spec describes, in reverse order
    Down { file: PathBuf },
    /// Show desired against actual for every object; exit 1 unless they match
    Status {
        file: PathBuf,
        /// print JSON instead of a table
        #[arg(long)]
        json: bool,
    },
    /// Draw the network as a picture: SVG (or Graphviz DOT), with --live the host's state and traffic
    Diagram {
        file: PathBuf,
        /// write the picture to FILE (replaced atomically, mode 0600) instead of standard output
        #[arg(short = 'o', long = "output", value_name = "FILE")]
        output: Option<PathBuf>,
        /// colour each object by `xbow net status` and show each VNIC's traffic
        #[arg(long)]
        live: bool,
        /// with --live: seconds between the two readings of the VNICs' counters (0: show the counters)
        #[arg(long, value_name = "SECONDS", default_value_t = 1, requires = "live",
              value_parser = clap::value_parser!(u64).range(0..=3600))]
        interval: u64,
        /// print Graphviz DOT instead of SVG
        #[arg(long)]
        dot: bool,
    },
    /// The process that undoes an unconfirmed change (started by `up --confirm`)
    #[command(hide = true)]
    Watchdog { pending: PathBuf, token: u64 },
}

#[derive(Subcommand, Debug)]
enum SimCommand {
    /// Declare a physical NIC
    AddPhys {
        /// link name, e.g. e1000g0
        name: String,
        /// link speed in Mbps
        #[arg(long, default_value_t = 1000)]
        speed: u64,
        /// MTU the link starts with
        #[arg(long, default_value_t = 1500)]
        mtu: u32,
        /// largest MTU the NIC supports
        #[arg(long, default_value_t = 9000)]
        mtu_max: u32,
        /// the NIC's own MAC address (default: a random locally administered one)
        #[arg(long)]
        mac: Option<String>,
        /// a factory MAC address VNICs may use (repeat for more slots)
        #[arg(long = "factory-mac")]
        factory_macs: Vec<String>,
        /// the link state
        #[arg(long, default_value = "up", value_parser = ["up", "down"])]
        state: String,
        /// the IPv4 address of the NIC's IP interface, e.g. 192.168.84.24/24
        /// (NAT rules that map to 0/32 use it)
        #[arg(long)]
        addr: Option<String>,
        /// receive rings, in one hardware group (`dladm show-phys -H`)
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=128))]
        rx_rings: u32,
        /// transmit rings, in one hardware group
        #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(u32).range(0..=128))]
        tx_rings: u32,
    },
    /// Remove a physical NIC declared with add-phys
    RemovePhys {
        name: String,
        /// unplug it only: dlmgmtd keeps its saved configuration (a
        /// REMOVED physical link, `show-phys -P` FLAGS r----)
        #[arg(long)]
        keep_config: bool,
    },
    /// Reboot: drop temporary configuration, restore the persistent one
    Reboot,
    /// Boot or halt an installed zone, as `zoneadm -z ZONE boot|halt`
    /// (halting destroys the zone's IP stacks and their IP Filter rules)
    Zoneadm {
        /// the zone
        #[arg(short = 'z')]
        zone: String,
        #[arg(value_parser = ["boot", "halt"])]
        verb: String,
    },
    /// Degrade an overlay, as its search plugin does when it loses its
    /// source (`dladm show-overlay -f`), or with no message bring it back
    OverlayFault {
        name: String,
        /// why it is degraded (the DETAILS column)
        #[arg(long)]
        degraded: Option<String>,
    },
    /// Play a packet through the NAT rules, creating its session as the
    /// kernel would (see `xbow ipnat -l`)
    NatFlow {
        /// tcp, udp, icmp or a protocol number
        proto: String,
        /// the sender, ADDR[:PORT] (the inside host for an outbound packet)
        src: String,
        /// the receiver, ADDR[:PORT]
        dst: String,
        /// the interface the packet leaves through (map rules; the default)
        #[arg(long = "out", conflicts_with = "inbound")]
        outbound: Option<String>,
        /// the interface the packet arrives on (rdr rules)
        #[arg(long = "in")]
        inbound: Option<String>,
        /// match rdr rules (the packet arrives) without naming the interface
        #[arg(long, conflicts_with = "outbound")]
        incoming: bool,
    },
    /// Follow a frame from an address on one simulated host to an address
    /// on another, across their overlays (each host is its own state file,
    /// as `xbow net up --host` leaves it)
    OverlayPath {
        /// a host and its state file, NAME=PATH (repeat for each host)
        #[arg(long = "host", required = true, value_name = "NAME=PATH")]
        hosts: Vec<String>,
        /// the sender's IPv4 address (a zone's or the global zone's)
        src: std::net::Ipv4Addr,
        /// the receiver's IPv4 address
        dst: std::net::Ipv4Addr,
    },
    /// Play one packet through the IP Filter packet filter (its state
    /// table, then its rules) and print the decision and the rule that
    /// made it (see `xbow ipfstat -hio`, `-sl`)
    Packet {
        /// tcp, udp, icmp or a protocol number
        proto: String,
        /// the sender, ADDR[:PORT]
        src: String,
        /// the receiver, ADDR[:PORT]
        dst: String,
        /// the interface the packet leaves through
        #[arg(long = "out", conflicts_with = "inbound")]
        outbound: Option<String>,
        /// the interface the packet arrives on (the default direction)
        #[arg(long = "in")]
        inbound: Option<String>,
        /// TCP flags, from FSRPAUEC (default S)
        #[arg(long, default_value = "S")]
        flags: String,
        /// the ICMP type (default 8, echo)
        #[arg(long, default_value_t = 8)]
        icmp_type: u8,
    },
    /// Print the path of the state file
    Path,
}

/// The command tree for completions: `xbow dladm` gets dladm's
/// subcommands (the ones listed in its usage text) as words to complete.
fn completion_command() -> clap::Command {
    let subs = dladm::usage::COMMANDS
        .iter()
        .filter(|(n, u)| u.is_some() || *n == "help")
        .map(|(n, _)| {
            clap::Command::new(*n).arg(
                clap::Arg::new("args")
                    .num_args(0..)
                    .trailing_var_arg(true)
                    .allow_hyphen_values(true),
            )
        });
    Cli::command().mut_subcommand("dladm", |c| {
        c.mut_arg("args", |a| a.hide(true))
            .disable_help_subcommand(true)
            .args_conflicts_with_subcommands(true)
            .subcommands(subs)
    })
}

/// Run with the process's arguments; returns the exit status.
pub fn main(args: Vec<String>) -> i32 {
    let argv0 = args.first().map(String::as_str).unwrap_or("xbow");
    let base = Path::new(argv0)
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("xbow")
        .to_string();
    match base.as_str() {
        "dladm" => return run_dladm(&base, &args),
        "ipnat" => return run_ipnat(&args),
        "ipf" => return run_ipf(&args),
        "ipfstat" => return run_tool(crate::ipf::stat::main, &args),
        "dlstat" => return run_dlstat(&args),
        _ if args.get(1).is_some_and(|a| a == "dladm") => return run_dladm("dladm", &args[1..]),
        _ if args.get(1).is_some_and(|a| a == "ipnat") => return run_ipnat(&args[1..]),
        _ if args.get(1).is_some_and(|a| a == "ipf") => return run_ipf(&args[1..]),
        _ if args.get(1).is_some_and(|a| a == "ipfstat") => {
            return run_tool(crate::ipf::stat::main, &args[1..]);
        }
        _ if args.get(1).is_some_and(|a| a == "dlstat") => return run_dlstat(&args[1..]),
        _ => {}
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Dladm { .. }
        | Command::Ipnat { .. }
        | Command::Ipf { .. }
        | Command::Ipfstat { .. }
        | Command::Dlstat { .. } => {
            unreachable!("dispatched above")
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut completion_command(),
                "xbow",
                &mut std::io::stdout(),
            );
            0
        }
        Command::Net { host, command } => run_net(command, host),
        Command::Sim { command } => match run_sim(command) {
            Ok(()) => 0,
            Err(msg) => {
                eprintln!("xbow sim: {msg}");
                1
            }
        },
    }
}

fn run_dladm(prog: &str, args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let rows = terminal_rows(&stdout);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = std::io::stderr().lock();
    let code = dladm::main(prog, args, &mut out, &mut err, rows);
    let _ = out.flush();
    code
}

/// `dlstat`: `args[0]` is the name it was invoked as.
fn run_dlstat(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let rows = terminal_rows(&stdout);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = std::io::stderr().lock();
    let code = crate::dlstat::main(args, &mut out, &mut err, rows);
    let _ = out.flush();
    code
}

/// The terminal's height for libofmt's header repetition (24 when
/// stdout is not a terminal).
fn terminal_rows(stdout: &std::io::Stdout) -> usize {
    if stdout.is_terminal() {
        crate::sys::terminal_rows().unwrap_or(24)
    } else {
        24
    }
}

/// `ipnat`: `args[0]` is the name it was invoked as.
fn run_ipnat(args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = std::io::stderr().lock();
    let code = crate::ipnat::main(args, &mut out, &mut err);
    let _ = out.flush();
    code
}

/// `ipf`: `args[0]` is the name it was invoked as.
fn run_ipf(args: &[String]) -> i32 {
    run_tool(crate::ipf::main, args)
}

/// A personality that writes to stdout and stderr and returns its exit
/// status; `args[0]` is the name it was invoked as.
fn run_tool(tool: fn(&[String], &mut dyn Write, &mut dyn Write) -> i32, args: &[String]) -> i32 {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, stdout.lock());
    let mut err = std::io::stderr().lock();
    let code = tool(args, &mut out, &mut err);
    let _ = out.flush();
    code
}

fn run_net(cmd: NetCommand, select: Option<String>) -> i32 {
    let fail = |e: &dyn std::fmt::Display| {
        eprintln!("xbow net: {e}");
        1
    };
    if let NetCommand::Watchdog { pending, token } = &cmd {
        return match net::watchdog(pending, *token) {
            Ok(()) => 0,
            Err(e) => fail(&e),
        };
    }
    let mut host = match Kind::from_env()
        .map_err(net::NetError::Failed)
        .and_then(net::open_host)
    {
        Ok(h) => h,
        Err(e) => return fail(&e),
    };
    host.select = select;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let r = match cmd {
        NetCommand::Plan { file } => net::load(&file, &mut host)
            .and_then(|n| net::plan_up(&n, &mut host))
            .map(|steps| {
                if steps.is_empty() {
                    let _ = writeln!(
                        out,
                        "# nothing to change: the host matches {}",
                        net::show_path(&file)
                    );
                }
                for s in steps {
                    let _ = writeln!(out, "{}", s.command());
                }
            }),
        NetCommand::Up {
            file,
            confirm: None,
        } => net::up(&file, &mut host, &mut out),
        NetCommand::Up {
            file,
            confirm: Some(secs),
        } => net::up_confirmed(&file, &mut host, &mut out, secs),
        NetCommand::Confirm => net::confirm(&mut host, &mut out),
        NetCommand::Watchdog { .. } => Ok(()),
        NetCommand::Down { file } => net::down(&file, &mut host, &mut out),
        NetCommand::Diagram {
            file,
            output,
            live,
            interval,
            dot,
        } => net::diagram::diagram(
            &file,
            &mut host,
            &net::diagram::Options {
                live,
                interval,
                dot,
                output,
            },
            &mut out,
        ),
        NetCommand::Status { file, json } => match net::status(&file, &mut host, json, &mut out) {
            Ok(true) => Ok(()),
            Ok(false) => {
                let _ = out.flush();
                return fail(&format!(
                    "the host differs from {} (rows with OK no)",
                    net::show_path(&file)
                ));
            }
            Err(e) => Err(e),
        },
    };
    let _ = out.flush();
    match r {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

fn run_sim(cmd: SimCommand) -> Result<(), String> {
    if Kind::from_env()? != Kind::Sim {
        return Err("XBOW_BACKEND is not sim: the sim commands only change the simulation".into());
    }
    let file = StateFile::from_env().map_err(|e| e.to_string())?;
    let status = |what: String| move |e: DlError| format!("{what}: {e}");
    match cmd {
        SimCommand::AddPhys {
            name,
            speed,
            mtu,
            mtu_max,
            mac,
            factory_macs,
            state,
            addr,
            rx_rings,
            tx_rings,
        } => {
            name.parse::<LinkName>()
                .map_err(|e| format!("add-phys {name}: {e}"))?;
            let parse_mac = |s: &str| {
                s.parse::<MacAddr>()
                    .ok()
                    .filter(|m| m.len() == 6 && !m.is_multicast())
                    .ok_or_else(|| format!("add-phys {name}: invalid MAC address '{s}'"))
            };
            let mac = match mac {
                Some(m) => parse_mac(&m)?,
                None => {
                    let mut b = [0u8; 6];
                    sim::random_bytes(&mut b).map_err(|e| format!("/dev/urandom: {e}"))?;
                    b[0] = (b[0] & 0xfc) | 0x02;
                    MacAddr::from_bytes(&b).expect("6 bytes")
                }
            };
            let factory_macs = factory_macs
                .iter()
                .map(|m| parse_mac(m))
                .collect::<Result<Vec<_>, _>>()?;
            if mtu < 1500 || mtu > mtu_max {
                return Err(format!(
                    "add-phys {name}: --mtu {mtu} is outside 1500-{mtu_max}"
                ));
            }
            let state = if state == "up" {
                LinkState::Up
            } else {
                LinkState::Down
            };
            let addr = addr
                .map(|a| a.parse::<crate::model::ipnet::Ipv4Cidr>())
                .transpose()
                .map_err(|e| format!("add-phys {name}: --addr: {e}"))?;
            let phys = PhysConf {
                speed_mbps: speed,
                mtu_max,
                mac,
                factory_macs,
                state,
                addr,
                duplex: None,
                device: None,
                rx_rings,
                tx_rings,
                removed: false,
            };
            sim::add_phys(&file, &name, phys, mtu).map_err(status(format!("add-phys {name}")))
        }
        SimCommand::RemovePhys { name, keep_config } => sim::remove_phys(&file, &name, keep_config)
            .map_err(status(format!("remove-phys {name}"))),
        SimCommand::Reboot => sim::reboot(&file).map_err(status("reboot".into())),
        SimCommand::Zoneadm { zone, verb } => {
            use crate::backend::host::Zones;
            let mut h = sim::SimHost::open(file);
            let r = if verb == "boot" {
                h.boot(&zone)
            } else {
                h.halt(&zone)
            };
            r.map_err(|e| format!("zoneadm -z {zone} {verb}: {e}"))
        }
        SimCommand::OverlayPath { hosts, src, dst } => {
            let mut states = Vec::new();
            for h in hosts {
                let (name, path) = h
                    .split_once('=')
                    .filter(|(n, p)| !n.is_empty() && !p.is_empty())
                    .ok_or_else(|| format!("overlay-path: --host {h}: expected NAME=PATH"))?;
                let st = StateFile::new(path)
                    .load()
                    .map_err(|e| format!("overlay-path: host {name}: {e}"))?;
                states.push((name.to_string(), st));
            }
            let lines =
                sim::overlay_path(&states, src, dst).map_err(|e| format!("overlay-path: {e}"))?;
            for l in lines {
                println!("{l}");
            }
            Ok(())
        }
        SimCommand::OverlayFault { name, degraded } => sim::overlay_fault(&file, &name, degraded)
            .map_err(status(format!("overlay-fault {name}"))),
        SimCommand::NatFlow {
            proto,
            src,
            dst,
            outbound,
            inbound,
            incoming,
        } => {
            let flow = nat_flow_args(&proto, &src, &dst, outbound, inbound, incoming)
                .map_err(|e| format!("nat-flow: {e}"))?;
            let s = sim::nat_flow(&file, &flow).map_err(|e| format!("nat-flow: {e}"))?;
            let mut o = crate::ipnat::print::Out::default();
            crate::ipnat::print::printactivenat(&mut o, &s, false, false);
            let _ = std::io::stdout().write_all(&o.out);
            Ok(())
        }
        SimCommand::Packet {
            proto,
            src,
            dst,
            outbound,
            inbound,
            flags,
            icmp_type,
        } => {
            let out = outbound.is_some();
            let flow = nat_flow_args(&proto, &src, &dst, outbound.clone(), inbound.clone(), false)
                .map_err(|e| format!("packet: {e}"))?;
            let tcp_flags = tcp_flags(&flags).map_err(|e| format!("packet: {e}"))?;
            let p = sim::Packet {
                proto: flow.proto,
                src: flow.src,
                sport: flow.sport,
                dst: flow.dst,
                dport: flow.dport,
                tcp_flags,
                icmp_type,
                icmp_code: 0,
                ifname: outbound.or(inbound).unwrap_or_default(),
                out,
                len: sim::packet_bytes(flow.proto),
            };
            let (stack, v) = sim::filter_packet(&file, &p).map_err(|e| format!("packet: {e}"))?;
            let mut text = verdict_text(&v);
            if stack != crate::backend::filter::Stack::Global {
                text += &format!("\tstack: {stack}\n");
            }
            let _ = std::io::stdout().write_all(text.as_bytes());
            Ok(())
        }
        SimCommand::Path => {
            println!("{}", file.path().display());
            Ok(())
        }
    }
}

/// TCP flags written as `ipf.conf` does (`FSRPAUEC`).
fn tcp_flags(s: &str) -> Result<u8, String> {
    s.chars().try_fold(0u8, |acc, c| {
        "FSRPAUEC"
            .find(c)
            .map(|i| acc | (1 << i))
            .ok_or_else(|| format!("--flags {s}: '{c}' is not one of FSRPAUEC"))
    })
}

/// What `xbow sim packet` prints: the decision, then what made it.
fn verdict_text(v: &sim::Verdict) -> String {
    let rule = |r: &crate::ipf::FilterRule| r.to_string();
    let mut s = format!("{}\n", if v.passed() { "pass" } else { "block" });
    match (&v.by_state, &v.rule) {
        (Some(st), r) => {
            s += &format!("\tstate: {}/{}\n", st[0], st[1]);
            if let Some(r) = r {
                s += &format!("\trule: {}\n", rule(r));
            }
        }
        (None, Some(r)) => s += &format!("\trule: {}\n", rule(r)),
        (None, None) => s += "\tno rule matched: the default (pass)\n",
    }
    if v.state_created {
        s += "\tstate: created\n";
    }
    s
}

/// The packet `xbow sim nat-flow` describes.
fn nat_flow_args(
    proto: &str,
    src: &str,
    dst: &str,
    outbound: Option<String>,
    inbound: Option<String>,
    incoming: bool,
) -> Result<sim::Flow, String> {
    let proto: u8 = match proto {
        "tcp" => 6,
        "udp" => 17,
        "icmp" => 1,
        p => p
            .parse()
            .map_err(|_| format!("'{p}' is not tcp, udp, icmp or a protocol number"))?,
    };
    let ports = matches!(proto, 6 | 17);
    let end = |s: &str| -> Result<(std::net::Ipv4Addr, u16), String> {
        let (a, p) = match s.split_once(':') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let a = a
            .parse()
            .map_err(|_| format!("'{s}' is not an IPv4 address (ADDR or ADDR:PORT)"))?;
        let p = match p {
            Some(p) => p
                .parse()
                .map_err(|_| format!("'{s}': '{p}' is not a port number"))?,
            None if ports => {
                return Err(format!(
                    "'{s}': a {} packet needs a port (ADDR:PORT)",
                    if proto == 6 { "tcp" } else { "udp" }
                ));
            }
            None => 0,
        };
        Ok((a, p))
    };
    let (src, sport) = end(src)?;
    let (dst, dport) = end(dst)?;
    let dir = if inbound.is_some() || incoming {
        sim::FlowDir::In(inbound)
    } else {
        sim::FlowDir::Out(outbound)
    };
    Ok(sim::Flow {
        proto,
        src,
        sport,
        dst,
        dport,
        dir,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_trees_are_consistent() {
        Cli::command().debug_assert();
        completion_command().debug_assert();
    }
}
