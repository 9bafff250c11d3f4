//! IP Filter's packet filter on the Linux kernel, end to end: a global
//! zone VNIC (192.168.0.1) and a zone (192.168.0.100) on an etherstub
//! (`xbow net up`), rules loaded with `xbow ipf -f` into xbow's nftables
//! table `inet xbow_filter`: a blocked port is really unreachable from the
//! zone, an allowed one works, `keep state` lets replies back through a
//! default-block policy (and only replies), `ipfstat -hio` and `ipfstat`
//! count the packets, a rule nftables cannot express is refused naming it
//! with nothing loaded, and flushing or `net down` leaves no table.
//! Runs with `XBOW_TEST_BACKEND=linux` (as root), else does nothing.
#![cfg(target_os = "linux")]

mod common;

use common::{Env, blocked_in, hits};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::process::Command;
use std::time::Duration;
use xbow::backend::linux::netns;

const GZ: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 1);
const ZONE: Ipv4Addr = Ipv4Addr::new(192, 168, 0, 100);

/// The Linux backend's environment, where test `name` can run.
fn env(name: &str) -> Option<Env> {
    let e = Env::new();
    (e.linux.is_some() && common::e2e_can_run(name, &[])).then_some(e)
}

/// The zone of one test, whose namespace goes when it ends.
struct Zone(String);

impl Drop for Zone {
    fn drop(&mut self) {
        if netns::exists(&self.0) {
            let _ = Command::new("ip")
                .args(["netns", "delete", &self.0])
                .status();
        }
    }
}

/// The network of a test, whose zone's name ends in `tag` (the tests of
/// this file run side by side).
fn network(env: &Env, tag: char) -> Zone {
    let zone = Zone(format!("xfz{}{tag}", std::process::id()));
    let z = &zone.0;
    let spec = serde_json::json!({
        "etherstubs": ["stub0"],
        "vnics": [{"name": "vnic0", "over": "stub0"}, {"name": "vnic1", "over": "stub0"}],
        "addresses": [{"interface": "vnic0", "address": format!("{GZ}/24")}],
        "zones": [
            {"name": z, "zonepath": format!("/zones/{z}"),
             "net": [{"physical": "vnic1", "allowed-address": format!("{ZONE}/24")}]},
        ],
    });
    let path = env.dir().join("spec.json");
    std::fs::write(&path, spec.to_string()).expect("spec");
    let r = env.xbow(&["net", "up", path.to_str().expect("path")]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    zone
}

/// Whether a TCP connection from namespace `from` to `to`'s address
/// `dst`, port `port`, is made within a second.
fn tcp_connects(from: &str, to: &str, dst: Ipv4Addr, port: u16) -> bool {
    let l = netns::run_in(to, || TcpListener::bind((dst, port)))
        .expect("netns")
        .expect("listen");
    let at = SocketAddr::from((dst, port));
    let made = netns::run_in(from, || {
        TcpStream::connect_timeout(&at, Duration::from_secs(1)).is_ok()
    })
    .expect("netns");
    drop(l);
    made
}

/// A UDP datagram from namespace `from` (address `src`) to `dst`, port
/// `port` in `to`, and the reply from there: (the datagram arrived, the
/// reply arrived).
fn udp_round_trip(from: &str, src: Ipv4Addr, to: &str, dst: Ipv4Addr, port: u16) -> (bool, bool) {
    let wait = Some(Duration::from_millis(700));
    let server = netns::run_in(to, || UdpSocket::bind((dst, port)))
        .expect("netns")
        .expect("bind");
    server.set_read_timeout(wait).unwrap();
    let client = netns::run_in(from, || UdpSocket::bind((src, 0)))
        .expect("netns")
        .expect("bind");
    client.set_read_timeout(wait).unwrap();
    client.send_to(b"q", (dst, port)).unwrap();
    let mut buf = [0u8; 8];
    let Ok((_, peer)) = server.recv_from(&mut buf) else {
        return (false, false);
    };
    server.send_to(b"r", peer).unwrap();
    (true, client.recv_from(&mut buf).is_ok())
}

/// The `inet xbow_filter` table of xbow's namespace, if there is one.
fn has_table(env: &Env) -> bool {
    let ns = env.linux.as_deref().expect("linux");
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "list", "tables"])
        .output()
        .expect("nft");
    String::from_utf8_lossy(&out.stdout).contains("inet xbow_filter")
}

const RULES: &str = "\
block in on vnic0 all
pass in quick on vnic0 proto tcp from any to any port = 7002 flags S/SA keep state
pass out quick on vnic0 proto udp from any to any port = 7003 keep state
";

#[test]
fn rules_decide_keep_state_and_count() {
    let Some(env) = env("rules_decide_keep_state_and_count") else {
        return;
    };
    let zone = network(&env, 'a');
    let gz = env.linux.clone().expect("linux");
    let z = zone.0.as_str();
    let conf = env.dir().join("ipf.conf");
    std::fs::write(&conf, RULES).unwrap();
    let r = env.xbow(&["ipf", "-Fa", "-f", conf.to_str().unwrap()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(has_table(&env));

    // The allowed port answers, the others are blocked.
    assert!(tcp_connects(z, &gz, GZ, 7002), "port 7002 is passed");
    assert!(!tcp_connects(z, &gz, GZ, 7001), "port 7001 is blocked");
    // The global zone's datagram out passes and keeps state: the reply
    // comes back in through `block in`. A datagram the zone starts does
    // not.
    assert_eq!(udp_round_trip(&gz, GZ, z, ZONE, 7003), (true, true));
    assert_eq!(udp_round_trip(z, ZONE, &gz, GZ, 7005), (false, false));

    // Counted as IP Filter counts: the SYN of the passed connection once
    // (the rest of it matched its state), the blocked packets by the
    // block rule (the SYN and its retransmissions, the zone's datagram,
    // and the passed SYN, which the block matched before the quick pass).
    let r = env.xbow(&["ipfstat", "-hio"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let pass_tcp =
        "pass in quick on vnic0 proto tcp from any to any port = 7002 flags S/SA keep state";
    assert_eq!(hits(&r.stdout, pass_tcp), 1, "{}", r.stdout);
    assert!(
        hits(&r.stdout, "block in on vnic0 all") >= 3,
        "{}",
        r.stdout
    );
    let pass_udp = "pass out quick on vnic0 proto udp from any to any port = 7003 keep state";
    assert_eq!(hits(&r.stdout, pass_udp), 1, "{}", r.stdout);
    let r = env.xbow(&["ipfstat"]);
    assert_eq!(r.code, 0);
    let blocked = blocked_in(&r.stdout);
    assert!(blocked >= 2, "{}", r.stdout);

    // The state table is the connection tracking's marked connections:
    // the TCP connection passed in, the datagram passed out.
    let r = env.xbow(&["ipfstat", "-sl"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let tcp = format!("{ZONE} -> {GZ} pass 0x");
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(&tcp) && l.contains(" pr 6 state ")),
        "{}",
        r.stdout
    );
    let udp = format!("{GZ} -> {ZONE} pass 0x");
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with(&udp) && l.contains(" pr 17 state 0/0")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\tpass in keep state"), "{}", r.stdout);
    assert!(r.stdout.contains("\tpass out keep state"), "{}", r.stdout);
    let r = env.xbow(&["ipfstat", "-s"]);
    assert!(
        r.stdout.contains("\t1 TCP\n\t1 UDP\n") && r.stdout.contains("\t2 active\n"),
        "{}",
        r.stdout
    );
    // `ipf -FS` forgets them (ipf.c's flushfilter() words it so).
    let r = env.xbow(&["ipf", "-v", "-FS"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(r.stdout, "remove flags S (1)\nremoved 2 filter rules\n");
    let r = env.xbow(&["ipfstat", "-sl"]);
    assert!(!r.stdout.contains(" pass 0x"), "{}", r.stdout);

    // `ipf -z` zeroes a rule's counters in the kernel and prints what
    // they were.
    let one = env.dir().join("one.conf");
    std::fs::write(&one, format!("{pass_tcp}\n")).unwrap();
    let r = env.xbow(&["ipf", "-z", "-f", one.to_str().unwrap()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(r.stdout.contains(pass_tcp), "{}", r.stdout);
    let r = env.xbow(&["ipfstat", "-hi"]);
    assert_eq!(hits(&r.stdout, pass_tcp), 0, "{}", r.stdout);

    // A rule nftables cannot express is refused on its own, naming it, as
    // the illumos kernel refuses a rule; with --atomic nothing of its
    // file is loaded.
    let bad = env.dir().join("bad.conf");
    std::fs::write(
        &bad,
        "pass in on vnic0 proto udp all\npass in on vnic0 dup-to vnic1 all\n",
    )
    .unwrap();
    let refused = "ioctl(add/insert rule): `dup-to` is not supported by the Linux backend: \
                   pass in on vnic0 dup-to vnic1 all\n";
    let r = env.xbow(&["ipf", "--atomic", "-f", bad.to_str().unwrap()]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains(refused), "{}", r.stderr);
    let r = env.xbow(&["ipfstat", "-io"]);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
    let r = env.xbow(&["ipf", "-f", bad.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.ends_with(refused), "{}", r.stderr);
    let r = env.xbow(&["ipfstat", "-i"]);
    assert_eq!(r.stdout.lines().count(), 3, "{}", r.stdout);
    assert!(
        r.stdout
            .ends_with("pass in on vnic0 proto udp from any to any\n")
    );

    // Flushed: no table; the port answers again.
    let r = env.xbow(&["ipf", "-Fa"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(!has_table(&env));
    assert!(tcp_connects(z, &gz, GZ, 7001));

    // `net down` removes a loaded table with the rest.
    let r = env.xbow(&["ipf", "-f", conf.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    assert!(has_table(&env));
    let r = env.xbow(&["net", "down", env.dir().join("spec.json").to_str().unwrap()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    drop(zone);
}

/// `kill -9` while rules are loaded or flushed: afterwards the kernel's
/// table and `ipfstat -io` agree.
#[test]
fn killed_loads_leave_the_table_and_the_listing_agreeing() {
    let Some(env) = env("killed_loads_leave_the_table_and_the_listing_agreeing") else {
        return;
    };
    let conf = env.dir().join("ipf.conf");
    std::fs::write(&conf, RULES).unwrap();
    let conf = conf.to_str().unwrap();
    let load = ["ipf", "-Fa", "-f", conf];
    let flush = ["ipf", "-Fa"];
    let t = std::time::Instant::now();
    assert_eq!(env.xbow(&load).code, 0);
    let span = t.elapsed().as_millis() as u64 + 1;
    assert_eq!(env.xbow(&flush).code, 0);
    let mut seed = u64::from(std::process::id());
    eprintln!("kill test: seed {seed}, a load takes {span} ms");
    for round in 0..12 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let wait = (seed >> 33) % span;
        let args: &[&str] = if round % 2 == 0 { &load } else { &flush };
        env.killed_after(args, Duration::from_millis(wait));
        let r = env.xbow(&["ipfstat", "-io"]);
        assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        let loaded = r.stdout.lines().count() == 3;
        assert!(loaded || r.stdout.is_empty(), "{}", r.stdout);
        assert_eq!(
            has_table(&env),
            loaded,
            "round {round} (killed after {wait} ms): {}",
            r.stdout
        );
    }
    assert_eq!(env.xbow(&flush).code, 0);
    assert!(!has_table(&env));
}

/// A zone's stacks live in its namespace: its GZ-controlled stack
/// (`ipf -G … ZONE`) and its own (`ipf … ZONE`) each a table there, both
/// deciding (the GZ-controlled one first for inbound packets), counted by
/// `ipfstat -G`/`-z`, and gone with the zone.
#[test]
fn zone_stacks_filter_in_the_zones_namespace() {
    let Some(env) = env("zone_stacks_filter_in_the_zones_namespace") else {
        return;
    };
    let zone = network(&env, 'b');
    let gz = env.linux.clone().expect("linux");
    let z = zone.0.as_str();
    let gz_rules = env.dir().join("gz.conf");
    std::fs::write(
        &gz_rules,
        "block in quick proto tcp from any to any port = 7010\n",
    )
    .unwrap();
    let own_rules = env.dir().join("own.conf");
    std::fs::write(
        &own_rules,
        "block in quick proto tcp from any to any port = 7011\n",
    )
    .unwrap();
    for (flags, conf) in [
        ("-GE", None),
        ("-E", None),
        ("-G", Some(&gz_rules)),
        ("", Some(&own_rules)),
    ] {
        let mut args = vec!["ipf"];
        if !flags.is_empty() {
            args.push(flags);
        }
        if let Some(c) = conf {
            args.extend(["-f", c.to_str().unwrap()]);
        }
        args.push(z);
        let r = env.xbow(&args);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{args:?}");
    }
    let tables = Command::new("ip")
        .args(["netns", "exec", z, "nft", "list", "tables"])
        .output()
        .expect("nft");
    let tables = String::from_utf8_lossy(&tables.stdout).into_owned();
    assert!(
        tables.contains("inet xbow_filter_gz") && tables.contains("inet xbow_filter"),
        "{tables}"
    );
    // The global zone has none.
    assert!(!has_table(&env));

    assert!(
        !tcp_connects(&gz, z, ZONE, 7010),
        "blocked by the GZ-controlled stack"
    );
    assert!(
        !tcp_connects(&gz, z, ZONE, 7011),
        "blocked by the zone's own stack"
    );
    assert!(tcp_connects(&gz, z, ZONE, 7012));

    let r = env.xbow(&["ipfstat", "-G", z, "-hi"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(
        hits(
            &r.stdout,
            "block in quick proto tcp from any to any port = 7010"
        ) >= 1,
        "{}",
        r.stdout
    );
    let r = env.xbow(&["ipfstat", "-z", z, "-hi"]);
    assert!(
        hits(
            &r.stdout,
            "block in quick proto tcp from any to any port = 7011"
        ) >= 1,
        "{}",
        r.stdout
    );
    // The outer stack saw the packet the inner one blocked; the inner
    // never saw the one the outer blocked.
    let r = env.xbow(&["ipfstat", "-z", z]);
    let blocked = blocked_in(&r.stdout);
    assert!(blocked >= 1, "{}", r.stdout);

    // The zone's GZ-controlled NAT stack: a table of its own in the
    // zone's namespace, whose rdr sends port 7020 to 7012 (where a
    // listener is), with its session listed by `ipnat -G`.
    let rdr = format!("rdr vnic1 {ZONE}/32 port 7020 -> {ZONE} port 7012 tcp\n");
    let nat = env.dir().join("zone.nat");
    std::fs::write(&nat, &rdr).unwrap();
    let r = env.xbow(&["ipnat", "-G", z, "-f", nat.to_str().unwrap()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    let tables = Command::new("ip")
        .args(["netns", "exec", z, "nft", "list", "tables"])
        .output()
        .expect("nft");
    assert!(String::from_utf8_lossy(&tables.stdout).contains("ip xbow_gz"));
    let l = netns::run_in(z, || TcpListener::bind((ZONE, 7012)))
        .expect("netns")
        .expect("listen");
    let at = SocketAddr::from((ZONE, 7020));
    let s = netns::run_in(&gz, || {
        TcpStream::connect_timeout(&at, Duration::from_secs(1))
    })
    .expect("netns")
    .expect("redirected to 7012");
    let r = env.xbow(&["ipnat", "-G", z, "-l"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("\nRDR "), "{}", r.stdout);
    drop((s, l));
    let r = env.xbow(&["ipnat", "-G", z, "-CF"]);
    assert_eq!(r.code, 0, "{}", r.stderr);

    // Flushed: the zone's tables go.
    let r = env.xbow(&["ipf", "-G", "-Fa", z]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert!(tcp_connects(&gz, z, ZONE, 7010));
    let r = env.xbow(&["net", "down", env.dir().join("spec.json").to_str().unwrap()]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    drop(zone);
}
