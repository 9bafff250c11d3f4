//! NAT sessions from the kernel's connection tracking: every tracked
//! connection whose reply tuple is not the inverted original tuple was
//! translated, and becomes an `ipnat -l` session (`MAP`, `RDR` or
//! `BIMAP`), laid out as the illumos kernel fills a `nat_t`.

use crate::ipnat::rule::{CName, I6Addr, NatFlags, NatRule, Redir};
use crate::ipnat::session::NatSession;
use std::net::Ipv4Addr;

/// The translated connections in the calling thread's network namespace,
/// as `ipnat` sessions.
pub fn sessions(rules: &[NatRule]) -> Result<Vec<NatSession>, String> {
    read().map(|text| parse(&text, rules))
}

/// The `nf_conntrack` text of the calling thread's network namespace.
fn read() -> Result<String, String> {
    // `/proc/net/nf_conntrack`, as the calling thread sees it: `/proc/net`
    // is the namespace of the process's main thread, `thread-self` that of
    // a thread that entered another namespace with setns(2).
    const PROC: &str = "/proc/thread-self/net/nf_conntrack";
    match std::fs::read_to_string(PROC) {
        Ok(text) => Ok(text),
        // A kernel built without CONFIG_NF_CONNTRACK_PROCFS has no such
        // file: `conntrack -L -o extended` prints the same line format.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let out = crate::sys::helper_command("conntrack")
                .args(["-L", "-o", "extended"])
                .output()
                .map_err(spawn_error)?;
            if !out.status.success() {
                return Err(format!(
                    "conntrack -L -o extended: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) => Err(format!("{PROC}: {e}")),
    }
}

/// A tracked IPv4 connection, as the packet filter's state table shows
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tracked {
    pub proto: u8,
    /// Seconds until it expires.
    pub timeout: u64,
    /// The TCP state (`ESTABLISHED`, …); empty for other protocols.
    pub tcp_state: String,
    pub mark: u32,
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub sport: u16,
    pub dport: u16,
    pub icmp_id: u16,
    pub icmp_type: u8,
    /// Packets and bytes of each direction (conntrack's accounting; 0
    /// where it is off).
    pub orig: (u64, u64),
    pub reply: (u64, u64),
}

/// The IPv4 connections of the calling thread's namespace whose mark has
/// every bit of `mark`, in the order the kernel lists them.
pub fn marked(mark: u32) -> Result<Vec<Tracked>, String> {
    Ok(parse_marked(&read()?, mark))
}

fn parse_marked(text: &str, mark: u32) -> Vec<Tracked> {
    text.lines()
        .filter_map(parse_line)
        .filter(|c| c.mark & mark == mark)
        .map(|c| Tracked {
            proto: c.proto,
            timeout: c.timeout,
            tcp_state: if c.proto == 6 { c.state } else { String::new() },
            mark: c.mark,
            src: c.orig.src.unwrap_or(Ipv4Addr::UNSPECIFIED),
            dst: c.orig.dst.unwrap_or(Ipv4Addr::UNSPECIFIED),
            sport: c.orig.sport,
            dport: c.orig.dport,
            icmp_id: c.orig.id,
            icmp_type: c.orig.icmp_type,
            orig: (c.orig.packets, c.orig.bytes),
            reply: (c.reply.packets, c.reply.bytes),
        })
        .collect()
}

/// `ipnat -F` on Linux: delete the translated connections (source NAT,
/// then destination NAT), returning how many were deleted.
pub fn flush() -> Result<u64, String> {
    let mut n = 0;
    for which in ["--src-nat", "--dst-nat"] {
        n += delete(&[which])?;
    }
    Ok(n)
}

/// `ipf -FS` (or with `closing`, `-Fs`) on Linux: delete the connections
/// whose mark has the bits of `mark` (all, or the TCP connections that
/// are closing), returning how many were deleted.
pub fn flush_marked(mark: u32, closing: bool) -> Result<u64, String> {
    let m = format!("{mark:#x}/{mark:#x}");
    if !closing {
        return delete(&["--mark", &m]);
    }
    let mut n = 0;
    for state in ["FIN_WAIT", "CLOSE_WAIT", "LAST_ACK", "TIME_WAIT", "CLOSE"] {
        n += delete(&["--mark", &m, "-p", "tcp", "--state", state])?;
    }
    Ok(n)
}

/// `conntrack -D ARGS…`: how many connections it deleted.
fn delete(args: &[&str]) -> Result<u64, String> {
    let out = crate::sys::helper_command("conntrack")
        .arg("-D")
        .args(args)
        .output()
        .map_err(spawn_error)?;
    let err = String::from_utf8_lossy(&out.stderr);
    // conntrack exits 1 when nothing matched; its summary line says
    // how many entries went: "… 3 flow entries have been deleted."
    err.lines()
        .find_map(|l| {
            let head = l.strip_suffix(" flow entries have been deleted.")?;
            head.rsplit(' ').next()?.parse::<u64>().ok()
        })
        .ok_or_else(|| format!("conntrack -D {}: {}", args.join(" "), err.trim()))
}

fn spawn_error(e: std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "conntrack: not found: install conntrack".into()
    } else {
        format!("conntrack: {e}")
    }
}

/// One direction of a connection.
#[derive(Debug, Default, Clone, Copy)]
struct Tuple {
    src: Option<Ipv4Addr>,
    dst: Option<Ipv4Addr>,
    sport: u16,
    dport: u16,
    /// The ICMP id (conntrack's "port" of an ICMP query).
    id: u16,
    icmp_type: u8,
    packets: u64,
    bytes: u64,
}

impl Tuple {
    fn set(&mut self, key: &str, value: &str) {
        match key {
            "src" => self.src = value.parse().ok(),
            "dst" => self.dst = value.parse().ok(),
            "sport" => self.sport = value.parse().unwrap_or(0),
            "dport" => self.dport = value.parse().unwrap_or(0),
            "id" => self.id = value.parse().unwrap_or(0),
            "type" => self.icmp_type = value.parse().unwrap_or(0),
            "packets" => self.packets = value.parse().unwrap_or(0),
            "bytes" => self.bytes = value.parse().unwrap_or(0),
            _ => {}
        }
    }
}

/// A connection of the `nf_conntrack` line format.
struct Conn {
    proto: u8,
    timeout: u64,
    /// The TCP state (`ESTABLISHED`, …); empty for other protocols.
    state: String,
    mark: u32,
    uses: u16,
    orig: Tuple,
    reply: Tuple,
}

/// `ipv4 2 tcp 6 431999 ESTABLISHED src=… dst=… sport=… dport=…
/// [packets=… bytes=…] [UNREPLIED] src=… … [ASSURED] mark=0 zone=0 use=2`;
/// `None` for other families and lines that do not parse.
fn parse_line(line: &str) -> Option<Conn> {
    let mut words = line.split_whitespace();
    if words.next()? != "ipv4" {
        return None;
    }
    let _l3 = words.next()?;
    let _name = words.next()?;
    let proto = words.next()?.parse().ok()?;
    let timeout = words.next()?.parse().ok()?;
    let (mut orig, mut reply) = (Tuple::default(), Tuple::default());
    let mut tuples = 0;
    let mut uses = 0;
    let mut state = String::new();
    let mut mark = 0;
    for w in words {
        let Some((key, value)) = w.split_once('=') else {
            if tuples == 0 {
                state = w.to_string();
            }
            continue;
        };
        if key == "src" {
            tuples += 1;
        }
        match (key, tuples) {
            ("use", _) => uses = value.parse().unwrap_or(u16::MAX),
            ("mark", _) => mark = value.parse().unwrap_or(0),
            (_, 1) => orig.set(key, value),
            (_, 2) => reply.set(key, value),
            _ => {}
        }
    }
    if orig.src.is_none() || orig.dst.is_none() || reply.src.is_none() || reply.dst.is_none() {
        return None;
    }
    Some(Conn {
        proto,
        timeout,
        state,
        mark,
        uses,
        orig,
        reply,
    })
}

fn v4(a: Option<Ipv4Addr>) -> I6Addr {
    I6Addr::from_v4(a.unwrap_or(Ipv4Addr::UNSPECIFIED))
}

fn in_net(a: &I6Addr, net: &[I6Addr; 2]) -> bool {
    a.in_v4_net(&net[0], &net[1])
}

/// Parse the `nf_conntrack` text: the translated IPv4 connections, in
/// the order of the text, as sessions. `rules` give the sessions their
/// kind (`BIMAP`) and interface names.
pub fn parse(text: &str, rules: &[NatRule]) -> Vec<NatSession> {
    text.lines()
        .filter_map(parse_line)
        .filter_map(|c| session(&c, rules))
        .collect()
}

fn session(c: &Conn, rules: &[NatRule]) -> Option<NatSession> {
    let (o, r) = (&c.orig, &c.reply);
    // What stands for the ports when comparing the tuples: ICMP queries
    // keep their id in both.
    let (osport, odport, rsport, rdport) = if c.proto == 1 {
        (o.id, o.id, r.id, r.id)
    } else {
        (o.sport, o.dport, r.sport, r.dport)
    };
    let snat = r.dst != o.src || rdport != osport;
    let dnat = r.src != o.dst || rsport != odport;
    if !snat && !dnat {
        return None;
    }
    let ports = matches!(c.proto, 6 | 17);
    let port = |p: u16| if ports { p } else { 0 };
    let mut s = NatSession::zeroed();
    s.v = 4;
    s.proto = c.proto;
    s.flags = NatFlags::of_proto(c.proto);
    s.age = c.timeout;
    s.uses = c.uses;
    // Source NAT: the connection went out from the inside; destination
    // NAT: it came in to the outside address (bytes and packets are
    // [inbound, outbound], the original direction being the first packet's).
    let outbound = snat;
    if outbound {
        s.inside = v4(o.src);
        s.inside_port = port(o.sport);
        s.outside = v4(r.dst);
        s.outside_port = port(r.dport);
        s.remote = v4(o.dst);
        s.remote_port = port(o.dport);
        s.bytes = [r.bytes, o.bytes];
        s.pkts = [r.packets, o.packets];
    } else {
        s.inside = v4(r.src);
        s.inside_port = port(r.sport);
        s.outside = v4(o.dst);
        s.outside_port = port(o.dport);
        s.remote = v4(o.src);
        s.remote_port = port(o.sport);
        s.bytes = [o.bytes, r.bytes];
        s.pkts = [o.packets, r.packets];
    }
    let bimap = rules.iter().find(|n| {
        n.kind == Redir::Bimap
            && n.v == 4
            && in_net(&s.inside, &n.inside)
            && in_net(&s.outside, &n.outside)
    });
    let (kind, rule) = if let Some(b) = bimap {
        (Redir::Bimap, Some(b))
    } else {
        let kind = if outbound { Redir::Map } else { Redir::Rdr };
        let rule = rules.iter().find(|n| {
            n.kind == kind
                && n.v == 4
                && (in_net(&s.inside, &n.inside)
                    || (kind == Redir::Rdr
                        && n.inside[0].is_zero()
                        && in_net(&s.outside, &n.outside)))
        });
        (kind, rule)
    };
    s.kind = kind;
    if let Some(n) = rule {
        s.ifnames = n.ifnames.clone();
        if s.ifnames[1].is_empty() {
            s.ifnames[1] = s.ifnames[0].clone();
        }
    } else {
        s.ifnames = [CName::default(), CName::default()];
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::linux::nft;
    use crate::backend::linux::nft::tests::{TestNs, root_tests_can_run, run};
    use crate::ipnat::print::{Out, printactivenat};
    use std::process::Command;

    fn rule(s: &str) -> NatRule {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn rules() -> Vec<NatRule> {
        [
            "map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto",
            "map eri0 192.168.0.0/24 -> 0/32",
            "rdr eri1 203.0.113.2/32 port 80 -> 10.0.0.5 port 8080 tcp",
            "bimap eri2 10.0.0.9/32 -> 203.0.113.9/32",
        ]
        .iter()
        .map(|t| rule(t))
        .collect()
    }

    fn a(s: &str) -> I6Addr {
        I6Addr::from_v4(s.parse().unwrap())
    }

    /// `ipnat -l`'s line for a session.
    fn line(s: &NatSession) -> String {
        let mut o = Out::default();
        printactivenat(&mut o, s, false, false);
        String::from_utf8(o.out).unwrap()
    }

    fn names(n: &str) -> [CName; 2] {
        [CName::from(n), CName::from(n)]
    }

    #[test]
    fn tcp_source_nat() {
        let text = "ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.0.100 dst=198.51.100.1 \
                    sport=37153 dport=7777 src=198.51.100.1 dst=203.0.113.2 sport=7777 \
                    dport=37153 [ASSURED] mark=0 zone=0 use=2\n";
        let got = parse(text, &rules());
        let mut want = NatSession::zeroed();
        want.kind = Redir::Map;
        want.flags = NatFlags::TCP;
        want.v = 4;
        want.proto = 6;
        want.inside = a("192.168.0.100");
        want.inside_port = 37153;
        want.outside = a("203.0.113.2");
        want.outside_port = 37153;
        want.remote = a("198.51.100.1");
        want.remote_port = 7777;
        want.age = 431999;
        want.uses = 2;
        want.ifnames = names("eri0");
        assert_eq!(got, [want]);
        assert_eq!(
            line(&got[0]),
            "MAP 192.168.0.100   37153 <- -> 203.0.113.2     37153 [198.51.100.1 7777]\n"
        );
    }

    #[test]
    fn udp_unreplied_with_accounting() {
        let text = "ipv4     2 udp      17 29 src=192.168.0.7 dst=198.51.100.1 sport=5000 \
                    dport=53 packets=1 bytes=60 [UNREPLIED] src=198.51.100.1 dst=203.0.113.2 \
                    sport=53 dport=6000 packets=0 bytes=0 mark=0 zone=0 use=2\n";
        let got = parse(text, &rules());
        assert_eq!(got.len(), 1);
        let s = &got[0];
        assert_eq!(
            (s.kind, s.flags, s.proto, s.age),
            (Redir::Map, NatFlags::UDP, 17, 29)
        );
        assert_eq!((s.inside, s.inside_port), (a("192.168.0.7"), 5000));
        assert_eq!((s.outside, s.outside_port), (a("203.0.113.2"), 6000));
        assert_eq!((s.remote, s.remote_port), (a("198.51.100.1"), 53));
        // [inbound, outbound]: the original direction went out.
        assert_eq!((s.pkts, s.bytes), ([0, 1], [0, 60]));
        assert_eq!(
            line(s),
            "MAP 192.168.0.7     5000  <- -> 203.0.113.2     6000  [198.51.100.1 53]\n"
        );
    }

    #[test]
    fn icmp_query() {
        let text = "ipv4     2 icmp     1 29 src=192.168.0.100 dst=198.51.100.1 type=8 code=0 \
                    id=77 packets=3 bytes=252 src=198.51.100.1 dst=203.0.113.2 type=0 code=0 \
                    id=77 packets=3 bytes=252 mark=0 zone=0 use=2\n";
        let got = parse(text, &rules());
        assert_eq!(got.len(), 1);
        let s = &got[0];
        assert_eq!(
            (s.kind, s.flags, s.proto),
            (Redir::Map, NatFlags::ICMPQUERY, 1)
        );
        assert_eq!((s.inside_port, s.outside_port, s.remote_port), (0, 0, 0));
        assert_eq!((s.pkts, s.bytes), ([3, 3], [252, 252]));
        assert_eq!(
            line(s),
            "MAP 192.168.0.100   <- -> 203.0.113.2     [198.51.100.1]\n"
        );
        // An ICMP query that kept its addresses and id was not translated.
        let plain = "ipv4     2 icmp     1 29 src=10.0.0.1 dst=10.0.0.2 type=8 code=0 id=9 \
                     src=10.0.0.2 dst=10.0.0.1 type=0 code=0 id=9 mark=0 zone=0 use=2\n";
        assert_eq!(parse(plain, &rules()), []);
    }

    #[test]
    fn destination_nat() {
        let text = "ipv4     2 tcp      6 117 TIME_WAIT src=198.51.100.7 dst=203.0.113.2 \
                    sport=40000 dport=80 packets=6 bytes=400 src=10.0.0.5 dst=198.51.100.7 \
                    sport=8080 dport=40000 packets=5 bytes=900 [ASSURED] mark=0 zone=0 use=2\n";
        let got = parse(text, &rules());
        assert_eq!(got.len(), 1);
        let s = &got[0];
        assert_eq!(s.kind, Redir::Rdr);
        assert_eq!((s.inside, s.inside_port), (a("10.0.0.5"), 8080));
        assert_eq!((s.outside, s.outside_port), (a("203.0.113.2"), 80));
        assert_eq!((s.remote, s.remote_port), (a("198.51.100.7"), 40000));
        // The original direction came in.
        assert_eq!((s.pkts, s.bytes), ([6, 5], [400, 900]));
        assert_eq!(s.ifnames, names("eri1"));
        assert_eq!(
            line(s),
            "RDR 10.0.0.5        8080  <- -> 203.0.113.2     80    [198.51.100.7 40000]\n"
        );
    }

    #[test]
    fn bimap_both_ways_and_both_translations() {
        let text = "\
ipv4 2 udp 17 20 src=10.0.0.9 dst=198.51.100.1 sport=1000 dport=53 src=198.51.100.1 dst=203.0.113.9 sport=53 dport=1000 mark=0 use=1
ipv4 2 udp 17 21 src=198.51.100.1 dst=203.0.113.9 sport=2000 dport=53 [UNREPLIED] src=10.0.0.9 dst=198.51.100.1 sport=53 dport=2000 mark=0 use=1
ipv4 2 tcp 6 22 SYN_SENT src=192.168.0.7 dst=203.0.113.2 sport=3000 dport=80 [UNREPLIED] src=10.0.0.5 dst=203.0.113.2 sport=8080 dport=3000 mark=0 use=1
";
        let got = parse(text, &rules());
        assert_eq!(got.len(), 3);
        let (out, inb, both) = (&got[0], &got[1], &got[2]);
        assert_eq!((out.kind, inb.kind), (Redir::Bimap, Redir::Bimap));
        assert_eq!((out.inside, out.outside), (a("10.0.0.9"), a("203.0.113.9")));
        assert_eq!((inb.inside, inb.outside), (a("10.0.0.9"), a("203.0.113.9")));
        assert_eq!((inb.remote, inb.remote_port), (a("198.51.100.1"), 2000));
        assert_eq!(out.ifnames, names("eri2"));
        // Source and destination NAT at once (a hairpin): a MAP session.
        assert_eq!(both.kind, Redir::Map);
        assert_eq!((both.inside, both.inside_port), (a("192.168.0.7"), 3000));
        assert_eq!((both.outside, both.outside_port), (a("203.0.113.2"), 3000));
        assert_eq!((both.remote, both.remote_port), (a("203.0.113.2"), 80));
    }

    #[test]
    fn untranslated_and_other_lines_are_skipped() {
        let text = "\
ipv4     2 udp      17 50 src=10.1.1.1 dst=10.1.1.2 sport=1 dport=2 [UNREPLIED] src=10.1.1.2 dst=10.1.1.1 sport=2 dport=1 mark=0 zone=0 use=2
ipv6     10 udp      17 20 src=fe80::1 dst=ff02::1 sport=5353 dport=5353 [UNREPLIED] src=ff02::1 dst=fe80::2 sport=5353 dport=5353 mark=0 zone=0 use=2
ipv4     2 tcp      6 10 CLOSE src=10.9.9.9 dst=192.0.2.1 sport=5 dport=6 src=192.0.2.1 dst=198.18.0.1 sport=6 dport=5 [ASSURED] mark=0 zone=0 use=2
garbage

ipv4     2 unknown  47 590 src=172.16.0.1 dst=192.0.2.9 src=192.0.2.9 dst=198.18.0.2 mark=0 zone=0 use=2
";
        let got = parse(text, &rules());
        // The translated TCP and GRE connections, in order; no rule covers
        // them, so they name no interface.
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].proto, got[0].inside), (6, a("10.9.9.9")));
        assert_eq!(got[0].ifnames, [CName::default(), CName::default()]);
        assert_eq!(
            (got[1].kind, got[1].proto, got[1].flags),
            (Redir::Map, 47, 0)
        );
        assert_eq!(
            (got[1].inside, got[1].outside, got[1].remote),
            (a("172.16.0.1"), a("198.18.0.2"), a("192.0.2.9"))
        );
    }

    #[test]
    fn conntrack_tool_lines() {
        // `conntrack -L -o extended`: no padding, no zone.
        let text = "ipv4 2 udp 17 99 src=192.168.0.100 dst=198.51.100.1 sport=5000 dport=53 \
                    [UNREPLIED] src=198.51.100.1 dst=203.0.113.2 sport=53 dport=6000 mark=0 use=1\n";
        let got = parse(text, &rules());
        assert_eq!(got.len(), 1);
        assert_eq!(
            (got[0].outside_port, got[0].age, got[0].uses),
            (6000, 99, 1)
        );
    }

    /// Through a real kernel: a router namespace with the NAT rules and a
    /// peer namespace on a veth pair; a packet of each kind makes a
    /// session, and `flush` deletes them.
    #[test]
    fn root_sessions_and_flush() {
        if !root_tests_can_run("root_sessions_and_flush") {
            return;
        }
        if let Err(e) = Command::new("conntrack").arg("--version").output() {
            eprintln!("root_sessions_and_flush: skipped: conntrack: {e}");
            return;
        }
        let (r, c) = (TestNs::new("r"), TestNs::new("c"));
        let veth = format!(
            "ip link add eri0 netns {} type veth peer name peer0 netns {}",
            r.name, c.name
        );
        run(&veth.split(' ').collect::<Vec<_>>());
        for cmd in [
            format!("ip -n {} addr add 203.0.113.2/24 dev eri0", r.name),
            format!("ip -n {} addr add 192.168.0.100/32 dev lo", r.name),
            format!("ip -n {} addr add 10.0.0.5/32 dev lo", r.name),
            format!("ip -n {} link set lo up", r.name),
            format!("ip -n {} link set eri0 up", r.name),
            format!("ip -n {} addr add 203.0.113.9/24 dev peer0", c.name),
            format!("ip -n {} link set lo up", c.name),
            format!("ip -n {} link set peer0 up", c.name),
        ] {
            run(&cmd.split(' ').collect::<Vec<_>>());
        }
        let rules = vec![
            rule("map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto"),
            rule("rdr eri0 203.0.113.2/32 port 53 -> 10.0.0.5 port 5353 udp"),
        ];
        use std::net::UdpSocket;
        let (mapped_port, plain_port) = r.enter(|| {
            nft::apply(&nft::ruleset(nft::OWN, &rules).unwrap()).unwrap();
            assert_eq!(sessions(&rules), Ok(vec![]));
            // Out from the inside network (translated), and from the
            // router's own address (not).
            let s = UdpSocket::bind("192.168.0.100:0").unwrap();
            s.send_to(b"map", "203.0.113.9:9").unwrap();
            let p = UdpSocket::bind("203.0.113.2:0").unwrap();
            p.send_to(b"plain", "203.0.113.9:7").unwrap();
            (
                s.local_addr().unwrap().port(),
                p.local_addr().unwrap().port(),
            )
        });
        let peer_port = c.enter(|| {
            let s = UdpSocket::bind("203.0.113.9:0").unwrap();
            s.send_to(b"rdr", "203.0.113.2:53").unwrap();
            s.local_addr().unwrap().port()
        });
        r.enter(|| {
            let mut got = vec![];
            for _ in 0..50 {
                got = sessions(&rules).unwrap();
                if got.len() >= 2 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            assert_eq!(got.len(), 2, "{got:?}");
            let map = got.iter().find(|s| s.kind == Redir::Map).expect("MAP");
            assert_eq!(
                (map.inside, map.inside_port),
                (a("192.168.0.100"), mapped_port)
            );
            assert_eq!(map.outside, a("203.0.113.2"));
            assert!(map.outside_port >= 1024);
            assert_eq!((map.remote, map.remote_port), (a("203.0.113.9"), 9));
            assert_eq!((map.proto, map.flags, map.v), (17, NatFlags::UDP, 4));
            assert_eq!(map.ifnames, names("eri0"));
            assert!(map.age > 0);
            let rdr = got.iter().find(|s| s.kind == Redir::Rdr).expect("RDR");
            assert_eq!((rdr.inside, rdr.inside_port), (a("10.0.0.5"), 5353));
            assert_eq!((rdr.outside, rdr.outside_port), (a("203.0.113.2"), 53));
            assert_eq!((rdr.remote, rdr.remote_port), (a("203.0.113.9"), peer_port));
            assert_eq!(rdr.ifnames, names("eri0"));
            // The untranslated flow is tracked but is no session.
            let all = std::fs::read_to_string("/proc/thread-self/net/nf_conntrack").unwrap();
            assert!(
                all.contains(&format!("sport={plain_port} dport=7 ")),
                "{all}"
            );

            assert_eq!(flush(), Ok(2));
            assert_eq!(sessions(&rules), Ok(vec![]));
            assert_eq!(flush(), Ok(0));
            let all = std::fs::read_to_string("/proc/thread-self/net/nf_conntrack").unwrap();
            assert!(
                all.contains(&format!("sport={plain_port} dport=7 ")),
                "{all}"
            );
            nft::apply(&nft::ruleset(nft::OWN, &[]).unwrap()).unwrap();
        });
    }

    #[test]
    fn marked_connections() {
        let text = "ipv4     2 tcp      6 431999 ESTABLISHED src=192.168.0.100 dst=192.168.0.1 \
                    sport=40000 dport=7002 packets=3 bytes=180 src=192.168.0.1 dst=192.168.0.100 \
                    sport=7002 dport=40000 packets=2 bytes=120 [ASSURED] mark=16777216 zone=0 use=2
ipv4     2 udp      17 29 src=192.168.0.1 dst=192.168.0.100 sport=5000 dport=7003 \
                    src=192.168.0.100 dst=192.168.0.1 sport=7003 dport=5000 mark=50331648 use=2
ipv4     2 udp      17 29 src=10.0.0.1 dst=10.0.0.2 sport=1 dport=2 [UNREPLIED] \
                    src=10.0.0.2 dst=10.0.0.1 sport=2 dport=1 mark=0 use=2
";
        let got = parse_marked(text, 0x0100_0000);
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(
            got[0],
            Tracked {
                proto: 6,
                timeout: 431999,
                tcp_state: "ESTABLISHED".into(),
                mark: 0x0100_0000,
                src: Ipv4Addr::new(192, 168, 0, 100),
                dst: Ipv4Addr::new(192, 168, 0, 1),
                sport: 40000,
                dport: 7002,
                icmp_id: 0,
                icmp_type: 0,
                orig: (3, 180),
                reply: (2, 120),
            }
        );
        assert_eq!(
            (got[1].proto, got[1].mark, got[1].tcp_state.as_str()),
            (17, 0x0300_0000, "")
        );
    }
}
