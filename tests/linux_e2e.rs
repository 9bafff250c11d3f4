//! End to end on the Linux kernel: the Crossbow article's network
//! (`examples/crossbow-nat-linux.json`: etherstub0, vnic0..2 with
//! `maxbw=10M` on vnic1, 192.168.0.1/24 on vnic0, forwarding, the two NAT
//! rules on eri0, zones test1 and test2) built by `xbow net up` with
//! `XBOW_BACKEND=linux`, carrying real TCP traffic from zone test1 through
//! NAT to a server in an "outside" namespace, at vnic1's 10 Mbit/s in both
//! directions; and the same network with the firewall of
//! `examples/crossbow-firewall.json` (IP Filter rules of the global zone
//! and of test2's GZ-controlled stack) deciding real connections.
//!
//! Everything happens in network namespaces this test creates: "host"
//! (where xbow runs, entered with `nsenter`), "outside" (the world, with
//! the documentation ranges 203.0.113.0/24 on the wire and the server at
//! 198.51.100.10), and the zones' test1 and test2 (which xbow creates).
//! `eri0` is one end of a veth pair whose other end is in "outside". No
//! packet leaves these namespaces, and a guard deletes all of them even
//! when an assertion fails.
//!
//! Needs root. Without root it says so and passes, unless `XBOW_E2E=1`
//! (set by `.ci/run`), which makes a missing privilege or tool a failure.
#![cfg(target_os = "linux")]

mod common;

use common::{Run, XBOW, hits, ip};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xbow::backend::linux::netns;

const ZONES: [&str; 2] = ["test1", "test2"];
const SERVER: &str = "198.51.100.10:7777";
const ERI0_ADDR: &str = "203.0.113.2";
/// How long the bulk transfer sends.
const BULK: Duration = Duration::from_secs(4);

fn spec() -> PathBuf {
    example("crossbow-nat-linux.json")
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// The tests of this file build networks with the same zone names: one
/// at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The namespaces of one run; dropping it removes them all.
struct World {
    /// Held until the world is gone (its `drop` runs before its fields go).
    _turn: std::sync::MutexGuard<'static, ()>,
    host: String,
    outside: String,
    dir: tempfile::TempDir,
    /// The spec `net down` takes down at the end.
    spec: PathBuf,
}

impl World {
    /// The outside world and the host xbow runs in, or `None` (with a
    /// note) where the test cannot run.
    fn new() -> Option<World> {
        let turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        if !common::e2e_can_run("linux_e2e", &ZONES) {
            return None;
        }
        let id = std::process::id();
        let w = World {
            _turn: turn,
            host: format!("xbe{id}h"),
            outside: format!("xbe{id}o"),
            dir: tempfile::tempdir().expect("tempdir"),
            spec: spec(),
        };
        let (h, o) = (w.host.as_str(), w.outside.as_str());
        ip(&["netns", "add", h]);
        ip(&["netns", "add", o]);
        ip(&[
            "-n", h, "link", "add", "eri0", "type", "veth", "peer", "name", "wan0", "netns", o,
        ]);
        ip(&["-n", h, "addr", "add", "203.0.113.2/24", "dev", "eri0"]);
        ip(&["-n", o, "addr", "add", "203.0.113.1/24", "dev", "wan0"]);
        ip(&["-n", o, "addr", "add", "198.51.100.10/32", "dev", "lo"]);
        for (ns, dev) in [(h, "lo"), (h, "eri0"), (o, "lo"), (o, "wan0")] {
            ip(&["-n", ns, "link", "set", dev, "up"]);
        }
        ip(&["-n", h, "route", "add", "default", "via", "203.0.113.1"]);
        Some(w)
    }

    /// `xbow ARGS…` in the host namespace on the Linux backend.
    fn xbow(&self, args: &[&str]) -> Run {
        Command::new("nsenter")
            .arg(format!("--net=/run/netns/{}", self.host))
            .arg(XBOW)
            .args(args)
            .env("XBOW_BACKEND", "linux")
            .env("XBOW_LINUX_STATE", self.dir.path().join("linux.json"))
            .env("LC_ALL", "C")
            .output()
            .expect("run xbow")
            .into()
    }

    /// `CMD ARGS…` in the host namespace; its standard output.
    fn in_host(&self, cmd: &str, args: &[&str]) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.host, cmd])
            .args(args)
            .output()
            .expect("ip netns exec");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The links in the host namespace.
    fn host_links(&self) -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(&self.in_host("ip", &["-j", "link", "show"])).expect("ip -j");
        v.as_array()
            .expect("array")
            .iter()
            .map(|l| l["ifname"].as_str().expect("ifname").to_string())
            .collect()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let spec = self.spec.clone();
        let _ = self.xbow(&["net", "down", spec.to_str().expect("utf-8")]);
        for z in ZONES {
            if netns::exists(z) {
                let _ = netns::delete(z);
            }
        }
        for ns in [&self.host, &self.outside] {
            let _ = Command::new("ip").args(["netns", "delete", ns]).status();
        }
    }
}

/// What the server saw of one connection.
struct Received {
    peer: SocketAddr,
    bytes: u64,
    secs: f64,
}

/// Read `s` to the end, timing from the first byte to the last.
fn drain(s: &mut TcpStream) -> (u64, f64) {
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut buf = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    let mut first = None;
    loop {
        let n = s.read(&mut buf).expect("read");
        if n == 0 {
            break;
        }
        first.get_or_insert_with(Instant::now);
        bytes += n as u64;
    }
    (bytes, first.map_or(0.0, |t| t.elapsed().as_secs_f64()))
}

/// Send for `BULK`, then close the sending side.
fn flood(s: &mut TcpStream) {
    s.set_write_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let chunk = vec![0x5au8; 64 * 1024];
    let start = Instant::now();
    while start.elapsed() < BULK {
        s.write_all(&chunk).expect("bulk write");
    }
    s.shutdown(std::net::Shutdown::Write).expect("shutdown");
}

fn mbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 * 8.0 / secs / 1e6
}

/// Accept one connection, read it to the end (the zone's upload), then
/// send for `BULK` (the zone's download).
fn serve(listener: TcpListener) -> Received {
    let (mut s, peer) = listener.accept().expect("accept");
    let (bytes, secs) = drain(&mut s);
    flood(&mut s);
    Received { peer, bytes, secs }
}

#[test]
fn article_network_carries_traffic_through_nat_and_leaves_nothing_behind() {
    let Some(w) = World::new() else { return };
    let spec = spec();
    let spec = spec.to_str().expect("utf-8");

    let up = w.xbow(&["net", "up", spec]);
    assert_eq!(up.code, 0, "net up: {}{}", up.stdout, up.stderr);
    let status = w.xbow(&["net", "status", spec]);
    assert_eq!(status.code, 0, "net status: {}", status.stdout);
    for z in ZONES {
        assert!(netns::exists(z), "zone {z} has its namespace");
    }

    // The server listens in the outside world; zone test1 connects.
    let listener = netns::run_in(&w.outside, || TcpListener::bind(SERVER))
        .expect("enter outside")
        .expect("bind");
    let server = std::thread::spawn(move || serve(listener));
    let mut client = netns::run_in("test1", || {
        TcpStream::connect_timeout(&SERVER.parse().expect("addr"), Duration::from_secs(5))
    })
    .expect("enter test1")
    .expect("zone test1 reaches the outside server");
    let local = client.local_addr().expect("local addr");
    assert_eq!(local.ip().to_string(), "192.168.0.100");
    client.write_all(b"hello").expect("write");

    // While the connection is open, ipnat -l shows its MAP session.
    let list = w.xbow(&["ipnat", "-l"]);
    assert_eq!(list.code, 0, "ipnat -l: {}", list.stderr);
    assert!(
        list.stdout.starts_with(
            "List of active MAP/Redirect filters:\n\
             map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto\n\
             map eri0 192.168.0.0/24 -> 0.0.0.0/32\n\
             \n\
             List of active sessions:\n"
        ),
        "ipnat -l:\n{}",
        list.stdout
    );
    let session = list
        .stdout
        .lines()
        .find(|l| l.starts_with("MAP 192.168.0.100 "))
        .unwrap_or_else(|| panic!("no MAP session for test1 in:\n{}", list.stdout))
        .to_string();

    // Bulk transfers through vnic1's 10 Mbit/s limit, out of the zone
    // (shaped on the VNIC end) and into it (shaped on its bridge port).
    flood(&mut client);
    let (down_bytes, down_secs) = drain(&mut client);
    let got = server.join().expect("server");
    drop(client);

    // NAT: the server saw eri0's address, and ipnat showed the mapping.
    assert_eq!(
        got.peer.ip().to_string(),
        ERI0_ADDR,
        "source address seen outside"
    );
    let expected = format!(
        "MAP {:<15} {:<5} <- -> {:<15} {:<5} [198.51.100.10 7777]",
        "192.168.0.100",
        local.port(),
        ERI0_ADDR,
        got.peer.port()
    );
    assert_eq!(session, expected, "ipnat -l session line");

    for (dir, bytes, secs) in [
        ("out of test1", got.bytes, got.secs),
        ("into test1", down_bytes, down_secs),
    ] {
        let rate = mbps(bytes, secs);
        eprintln!(
            "linux_e2e: maxbw=10M on vnic1, {dir}: {bytes} bytes in {secs:.2} s = {rate:.2} Mbit/s"
        );
        assert!(
            (8.0..=12.0).contains(&rate),
            "bulk transfer {dir} at {rate:.2} Mbit/s, not within 20% of 10"
        );
    }

    // ipnat -F drops the (closed, still tracked) session.
    let flush = w.xbow(&["ipnat", "-F"]);
    assert_eq!(flush.code, 0, "ipnat -F: {}", flush.stderr);
    let flushed: u64 = flush
        .stdout
        .strip_suffix(" entries flushed from NAT table\n")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("ipnat -F: {}", flush.stdout));
    assert!(flushed >= 1, "ipnat -F: {}", flush.stdout);
    let list = w.xbow(&["ipnat", "-l"]);
    assert!(
        list.stdout.ends_with("List of active sessions:\n"),
        "after -F: {}",
        list.stdout
    );

    // Down leaves nothing: no bridge or veth, no zone namespace, no table.
    let down = w.xbow(&["net", "down", spec]);
    assert_eq!(down.code, 0, "net down: {}{}", down.stdout, down.stderr);
    assert_eq!(w.host_links(), ["lo", "eri0"], "links left in the host");
    for z in ZONES {
        assert!(!netns::exists(z), "zone {z}'s namespace is gone");
    }
    let tables = w.in_host("nft", &["list", "tables"]);
    assert!(!tables.contains("xbow"), "nft tables left: {tables}");
    assert_eq!(
        w.in_host("cat", &["/proc/sys/net/ipv4/ip_forward"]).trim(),
        "0"
    );
}

/// Whether a TCP connection from namespace `from` to `to` is made within
/// a second (a listener is there, so only a filter stops it).
fn connects(from: &str, to: SocketAddr) -> bool {
    netns::run_in(from, || {
        TcpStream::connect_timeout(&to, Duration::from_secs(1)).is_ok()
    })
    .expect("enter namespace")
}

/// Listen on `at` in namespace `ns`.
fn listen(ns: &str, at: &str) -> TcpListener {
    netns::run_in(ns, || TcpListener::bind(at))
        .expect("enter namespace")
        .expect("bind")
}

/// The firewall of `examples/crossbow-firewall.json` on the kernel: zone
/// test1 reaches the world through NAT (its state lets the replies back
/// through `block in on eri0 all`), nothing from outside reaches a zone,
/// ssh reaches the global zone and nothing else does, test2 cannot go
/// out, and test2's GZ-controlled stack (a table in its namespace) lets
/// test1 in; `ipfstat` counts the packets of both stacks.
#[test]
fn the_firewall_example_filters_on_the_kernel() {
    let Some(mut w) = World::new() else { return };
    w.spec = example("crossbow-firewall.json");
    let spec = w.spec.to_str().expect("utf-8").to_string();
    // The world knows the way to the zones' network (so only the filter
    // keeps it out).
    ip(&[
        "-n",
        &w.outside,
        "route",
        "add",
        "192.168.0.0/24",
        "via",
        ERI0_ADDR,
    ]);

    let up = w.xbow(&["net", "up", &spec]);
    assert_eq!(up.code, 0, "net up: {}{}", up.stdout, up.stderr);
    let status = w.xbow(&["net", "status", &spec]);
    assert_eq!(status.code, 0, "net status: {}", status.stdout);

    let _server = listen(&w.outside, SERVER);
    let server: SocketAddr = SERVER.parse().expect("addr");
    assert!(connects("test1", server), "test1 goes out");
    assert!(!connects("test2", server), "test2 does not");

    let _ssh = listen(&w.host, "203.0.113.2:22");
    let _other = listen(&w.host, "203.0.113.2:2222");
    let _zone = listen("test2", "192.168.0.101:7100");
    let addr = |a: &str| -> SocketAddr { a.parse().expect("addr") };
    assert!(
        connects(&w.outside, addr("203.0.113.2:22")),
        "ssh to the global zone"
    );
    assert!(
        !connects(&w.outside, addr("203.0.113.2:2222")),
        "nothing else"
    );
    assert!(
        !connects(&w.outside, addr("192.168.0.101:7100")),
        "nor a zone"
    );
    assert!(
        connects("test1", addr("192.168.0.101:7100")),
        "test1 reaches test2"
    );

    let r = w.xbow(&["ipfstat", "-hio"]);
    assert_eq!(r.code, 0, "ipfstat -hio: {}", r.stderr);
    for rule in [
        "pass in quick on eri0 proto tcp from any to any port = ssh flags S/FSRPAU keep state",
        "block in quick on eri0 from any to 192.168.0.0/24",
        "block out quick on eri0 from 192.168.0.101/32 to any",
        "pass out quick on eri0 proto tcp/udp from any to any keep state",
    ] {
        assert!(hits(&r.stdout, rule) >= 1, "{rule}:\n{}", r.stdout);
    }
    let r = w.xbow(&["ipfstat", "-G", "test2", "-hi"]);
    assert_eq!(r.code, 0, "ipfstat -G test2: {}", r.stderr);
    assert!(
        hits(
            &r.stdout,
            "pass in quick from 192.168.0.0/24 to any keep state"
        ) >= 1,
        "{}",
        r.stdout
    );
    let tables = Command::new("ip")
        .args(["netns", "exec", "test2", "nft", "list", "tables"])
        .output()
        .expect("nft");
    assert!(String::from_utf8_lossy(&tables.stdout).contains("inet xbow_filter_gz"));

    let down = w.xbow(&["net", "down", &spec]);
    assert_eq!(down.code, 0, "net down: {}{}", down.stdout, down.stderr);
    let tables = w.in_host("nft", &["list", "tables"]);
    assert!(!tables.contains("xbow"), "nft tables left: {tables}");
}
