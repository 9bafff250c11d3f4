//! End to end on the Linux kernel, across two hosts: `examples/two-hosts.json`
//! (the Crossbow article's network with zone test1 and the router vnic0 on
//! host a, zone test2 on host b, all on the VXLAN overlay overlay0, host
//! a's global zone routing and NATing to the world) applied with
//! `xbow net up --host a` and `--host b`, each run inside its host's
//! network namespace with a state of its own. TCP goes from test2 (on b)
//! to test1 (on a) across the overlay, at vnic2's `maxbw` of 10 Mbit/s,
//! and from test2 through a's NAT to a server in the world; `down` on each
//! host leaves nothing behind.
//!
//! Namespaces: hosts a and b joined by the underlay `ul0` (a veth pair,
//! 198.51.100.1 and .2), the world joined to a by `eri0` (203.0.113.2 on
//! a, 203.0.113.1 in the world, the server at 192.0.2.10), and the zones
//! test1 and test2 that xbow creates. No packet leaves them, and a guard
//! deletes them all even when an assertion fails.
//!
//! Needs root and a kernel with VXLAN. Without them it says so and passes,
//! unless `XBOW_E2E=1` (set by `.ci/run`), which makes that a failure.
#![cfg(target_os = "linux")]

mod common;

use common::{Run, XBOW, ip};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use xbow::backend::linux::netns;

const ZONES: [&str; 2] = ["test1", "test2"];
const HOSTS: [&str; 2] = ["a", "b"];
const SERVER: &str = "192.0.2.10:7777";
const ERI0_ADDR: &str = "203.0.113.2";
const TEST1: &str = "192.168.0.100:7000";
/// How long the bulk transfer sends.
const BULK: Duration = Duration::from_secs(4);

fn spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/two-hosts.json")
}

/// The namespaces of one run; dropping it removes them all.
struct World {
    /// Hosts a and b's namespaces.
    hosts: [String; 2],
    outside: String,
    dir: tempfile::TempDir,
}

impl World {
    fn new() -> Option<World> {
        if !common::e2e_can_run("two_hosts", &ZONES) {
            return None;
        }
        let id = std::process::id();
        let w = World {
            hosts: [format!("xb2{id}a"), format!("xb2{id}b")],
            outside: format!("xb2{id}w"),
            dir: tempfile::tempdir().expect("tempdir"),
        };
        let (a, b, o) = (w.hosts[0].as_str(), w.hosts[1].as_str(), w.outside.as_str());
        for ns in [a, b, o] {
            ip(&["netns", "add", ns]);
        }
        // The underlay between the hosts.
        ip(&[
            "-n", a, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", b,
        ]);
        ip(&["-n", a, "addr", "add", "198.51.100.1/24", "dev", "ul0"]);
        ip(&["-n", b, "addr", "add", "198.51.100.2/24", "dev", "ul0"]);
        // Host a's way to the world.
        ip(&[
            "-n", a, "link", "add", "eri0", "type", "veth", "peer", "name", "wan0", "netns", o,
        ]);
        ip(&["-n", a, "addr", "add", "203.0.113.2/24", "dev", "eri0"]);
        ip(&["-n", o, "addr", "add", "203.0.113.1/24", "dev", "wan0"]);
        ip(&["-n", o, "addr", "add", "192.0.2.10/32", "dev", "lo"]);
        for (ns, dev) in [
            (a, "lo"),
            (a, "ul0"),
            (a, "eri0"),
            (b, "lo"),
            (b, "ul0"),
            (o, "lo"),
            (o, "wan0"),
        ] {
            ip(&["-n", ns, "link", "set", dev, "up"]);
        }
        ip(&["-n", a, "route", "add", "default", "via", "203.0.113.1"]);
        // The kernel may lack VXLAN.
        let probe = Command::new("ip")
            .args([
                "-n", a, "link", "add", "xbprobe", "type", "vxlan", "id", "1",
            ])
            .args(["dstport", "4789"])
            .output()
            .expect("ip");
        if !probe.status.success() {
            let why = String::from_utf8_lossy(&probe.stderr).trim().to_string();
            assert!(
                !std::env::var("XBOW_E2E").is_ok_and(|v| v == "1"),
                "XBOW_E2E=1 but this kernel has no VXLAN: {why}"
            );
            eprintln!("two_hosts: skipped: this kernel has no VXLAN ({why})");
            return None;
        }
        ip(&["-n", a, "link", "del", "xbprobe"]);
        Some(w)
    }

    /// `xbow ARGS…` in host `h`'s namespace, on the Linux backend with
    /// that host's state.
    fn xbow(&self, h: usize, args: &[&str]) -> Run {
        Command::new("nsenter")
            .arg(format!("--net=/run/netns/{}", self.hosts[h]))
            .arg(XBOW)
            .args(args)
            .env("XBOW_BACKEND", "linux")
            .env(
                "XBOW_LINUX_STATE",
                self.dir.path().join(format!("{}.json", HOSTS[h])),
            )
            .env("LC_ALL", "C")
            .output()
            .expect("run xbow")
            .into()
    }

    /// `CMD ARGS…` in host `h`'s namespace; its standard output.
    fn in_host(&self, h: usize, cmd: &str, args: &[&str]) -> String {
        let out = Command::new("ip")
            .args(["netns", "exec", &self.hosts[h], cmd])
            .args(args)
            .output()
            .expect("ip netns exec");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The links in host `h`'s namespace, sorted.
    fn links(&self, h: usize) -> Vec<String> {
        let v: serde_json::Value =
            serde_json::from_str(&self.in_host(h, "ip", &["-j", "link", "show"])).expect("ip -j");
        let mut l: Vec<String> = v
            .as_array()
            .expect("array")
            .iter()
            .map(|l| l["ifname"].as_str().expect("ifname").to_string())
            .collect();
        l.sort();
        l
    }
}

impl Drop for World {
    fn drop(&mut self) {
        let spec = spec();
        for h in [1, 0] {
            let _ = self.xbow(
                h,
                &["net", "down", "--host", HOSTS[h], spec.to_str().unwrap()],
            );
        }
        for z in ZONES {
            if netns::exists(z) {
                let _ = netns::delete(z);
            }
        }
        for ns in self.hosts.iter().chain([&self.outside]) {
            let _ = Command::new("ip").args(["netns", "delete", ns]).status();
        }
    }
}

/// Read `s` to the end: the bytes and the seconds from the first to the
/// last.
fn drain(s: &mut TcpStream) -> (u64, f64) {
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut buf = vec![0u8; 1 << 16];
    let (mut bytes, mut first) = (0u64, None);
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

/// Connect from zone `zone` to `to`.
fn connect(zone: &str, to: &str) -> TcpStream {
    netns::run_in(zone, || {
        TcpStream::connect_timeout(&to.parse().expect("addr"), Duration::from_secs(5))
    })
    .unwrap_or_else(|e| panic!("enter {zone}: {e}"))
    .unwrap_or_else(|e| panic!("zone {zone} reaches {to}: {e}"))
}

#[test]
fn two_hosts_carry_traffic_across_the_overlay_and_through_nat() {
    let Some(w) = World::new() else { return };
    let spec = spec();
    let spec = spec.to_str().expect("utf-8");

    // The plan for host a names the other host as the overlay's
    // destination, as illumos's dladm needs it.
    let plan = w.xbow(0, &["net", "plan", spec]);
    assert_eq!(plan.code, 0, "net plan: {}{}", plan.stdout, plan.stderr);
    assert!(
        plan.stdout.starts_with(
            "dladm create-overlay -e vxlan -s direct -v 4242 -p vxlan/listen_ip=198.51.100.1,direct/dest_ip=198.51.100.2,direct/dest_port=4789 overlay0\n"
        ),
        "host a's plan (found by its underlay address):\n{}",
        plan.stdout
    );
    for h in [0, 1] {
        let up = w.xbow(h, &["net", "up", "--host", HOSTS[h], spec]);
        assert_eq!(
            up.code, 0,
            "net up on {}: {}{}",
            HOSTS[h], up.stdout, up.stderr
        );
    }
    for h in [0, 1] {
        let st = w.xbow(h, &["net", "status", "--host", HOSTS[h], spec]);
        assert_eq!(
            st.code, 0,
            "net status on {}: {}{}",
            HOSTS[h], st.stdout, st.stderr
        );
        let again = w.xbow(h, &["net", "up", "--host", HOSTS[h], spec]);
        assert_eq!(again.code, 0, "{}", again.stderr);
        assert!(
            again.stdout.starts_with("nothing to change"),
            "a second up on {}: {}",
            HOSTS[h],
            again.stdout
        );
    }

    // test2 (on b) to test1 (on a) across the overlay, at vnic2's 10M.
    let listener = netns::run_in("test1", || TcpListener::bind(TEST1))
        .expect("enter test1")
        .expect("bind in test1");
    let server = std::thread::spawn(move || {
        let (mut s, peer) = listener.accept().expect("accept");
        let (bytes, secs) = drain(&mut s);
        (peer, bytes, secs)
    });
    let mut c = connect("test2", TEST1);
    flood(&mut c);
    let (peer, bytes, secs) = server.join().expect("test1's server");
    drop(c);
    assert_eq!(peer.ip().to_string(), "192.168.0.101", "test1 saw test2");
    let rate = bytes as f64 * 8.0 / secs / 1e6;
    eprintln!(
        "two_hosts: test2 (host b) -> test1 (host a) across overlay0 (VXLAN VNI 4242), maxbw=10M on vnic2: {bytes} bytes in {secs:.2} s = {rate:.2} Mbit/s"
    );
    assert!(
        (7.0..=12.0).contains(&rate),
        "across the overlay at {rate:.2} Mbit/s, not near vnic2's maxbw of 10"
    );

    // test2 through a's NAT to the world.
    let listener = netns::run_in(&w.outside, || TcpListener::bind(SERVER))
        .expect("enter the world")
        .expect("bind");
    let server = std::thread::spawn(move || {
        let (mut s, peer) = listener.accept().expect("accept");
        let mut buf = [0u8; 5];
        s.read_exact(&mut buf).expect("read");
        s.write_all(&buf).expect("echo");
        peer
    });
    let mut c = connect("test2", SERVER);
    c.write_all(b"hello").expect("write");
    let mut buf = [0u8; 5];
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    c.read_exact(&mut buf).expect("the echo");
    assert_eq!(&buf, b"hello");
    let list = w.xbow(0, &["ipnat", "-l"]);
    assert!(
        list.stdout.contains("MAP 192.168.0.101 "),
        "host a's NAT sessions show test2's:\n{}",
        list.stdout
    );
    let peer = server.join().expect("world's server");
    assert_eq!(peer.ip().to_string(), ERI0_ADDR, "the world saw a's eri0");
    drop(c);

    // Down on each host leaves nothing behind.
    for h in [1, 0] {
        let down = w.xbow(h, &["net", "down", "--host", HOSTS[h], spec]);
        assert_eq!(
            down.code, 0,
            "net down on {}: {}{}",
            HOSTS[h], down.stdout, down.stderr
        );
        eprintln!("two_hosts: net down on {}:\n{}", HOSTS[h], down.stdout);
    }
    assert_eq!(w.links(0), ["eri0", "lo", "ul0"], "links left on host a");
    assert_eq!(w.links(1), ["lo", "ul0"], "links left on host b");
    for z in ZONES {
        assert!(!netns::exists(z), "zone {z}'s namespace is gone");
    }
    for h in [0, 1] {
        let tables = w.in_host(h, "nft", &["list", "tables"]);
        assert!(
            !tables.contains("xbow"),
            "nft tables left on {}: {tables}",
            HOSTS[h]
        );
        assert_eq!(
            w.in_host(h, "cat", &["/proc/sys/net/ipv4/ip_forward"])
                .trim(),
            "0"
        );
        let fdb = w.in_host(h, "bridge", &["fdb", "show"]);
        assert!(
            !fdb.contains("dst "),
            "VXLAN FDB entries left on {}: {fdb}",
            HOSTS[h]
        );
    }
}
