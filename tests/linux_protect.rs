//! Link protection on the Linux kernel, end to end: two zones on an
//! etherstub (`xbow net up`), one of whose VNICs gets `protection` and
//! `allowed-ips`; traffic from its own address and MAC goes through, from
//! another address or MAC, or of another ethertype, is dropped and counted
//! in xbow's `bridge xbow` table; a reset lets it through again; deleting
//! the VNIC or `xbow net down` leaves no rule behind. Runs with
//! `XBOW_TEST_BACKEND=linux` (as root), else does nothing.
#![cfg(target_os = "linux")]

mod common;

use common::{Env, Run, ip};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::Command;
use std::time::Duration;
use xbow::backend::linux::netns;

const OWN: &str = "192.168.0.100";
const OTHER: &str = "192.168.0.150";
const PEER: &str = "192.168.0.101";
/// An ethertype for local experiments (IEEE 802).
const EXPERIMENTAL: u16 = 0x88b5;

fn env() -> Option<Env> {
    let e = Env::new();
    e.linux.is_some().then_some(e)
}

/// The zones of one test, whose namespaces go when it ends.
struct Zones([String; 2]);

impl Drop for Zones {
    fn drop(&mut self) {
        for z in &self.0 {
            if netns::exists(z) {
                let _ = Command::new("ip").args(["netns", "delete", z]).status();
            }
        }
    }
}

/// `xbow net up` of an etherstub with vnic1 and vnic2, in zones with
/// 192.168.0.100 and .101.
fn network(env: &Env) -> Zones {
    let id = std::process::id();
    let zones = Zones([format!("xpz{id}a"), format!("xpz{id}b")]);
    let [z1, z2] = &zones.0;
    let spec = serde_json::json!({
        "etherstubs": ["stub0"],
        "vnics": [{"name": "vnic1", "over": "stub0"}, {"name": "vnic2", "over": "stub0"}],
        "zones": [
            {"name": z1, "zonepath": format!("/zones/{z1}"),
             "net": [{"physical": "vnic1", "allowed-address": format!("{OWN}/24")}]},
            {"name": z2, "zonepath": format!("/zones/{z2}"),
             "net": [{"physical": "vnic2", "allowed-address": format!("{PEER}/24")}]},
        ],
    });
    let path = env.dir().join("spec.json");
    std::fs::write(&path, spec.to_string()).expect("spec");
    let r = env.xbow(&["net", "up", path.to_str().expect("path")]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    zones
}

fn addr(a: &str) -> Ipv4Addr {
    a.parse().expect("address")
}

/// Whether a UDP datagram from `src` in zone `from` reaches `PEER` in
/// zone `to` (three tries, a second's wait).
fn udp_arrives(from: &str, src: &str, to: &str) -> bool {
    let rx = netns::run_in(to, || UdpSocket::bind((addr(PEER), 0)))
        .expect("netns")
        .expect("bind");
    rx.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let dst = rx.local_addr().unwrap();
    let tx = netns::run_in(from, || UdpSocket::bind((addr(src), 0)))
        .expect("netns")
        .expect("bind");
    for _ in 0..3 {
        tx.send_to(b"hello", dst).expect("send");
        let mut buf = [0u8; 16];
        if let Ok((n, from)) = rx.recv_from(&mut buf) {
            assert_eq!((&buf[..n], from.ip()), (&b"hello"[..], addr(src).into()));
            return true;
        }
    }
    false
}

/// Whether zone `from` can open a TCP connection to `PEER` in zone `to`
/// and exchange data.
fn tcp_works(from: &str, to: &str) -> bool {
    let l = netns::run_in(to, || TcpListener::bind((addr(PEER), 0)))
        .expect("netns")
        .expect("listen");
    let at: SocketAddr = l.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = l.accept().ok()?;
        let mut b = [0u8; 4];
        s.read_exact(&mut b).ok()?;
        s.write_all(&b).ok()
    });
    let r = netns::run_in(from, move || -> std::io::Result<[u8; 4]> {
        let mut s = TcpStream::connect_timeout(&at, Duration::from_secs(2))?;
        s.set_read_timeout(Some(Duration::from_secs(2)))?;
        s.write_all(b"ping")?;
        let mut b = [0u8; 4];
        s.read_exact(&mut b)?;
        Ok(b)
    })
    .expect("netns");
    if r.is_err() {
        // Unblock the server.
        let _ = netns::run_in(to, || TcpStream::connect(at));
    }
    let _ = server.join();
    r.is_ok_and(|b| &b == b"ping")
}

/// A packet socket for `EXPERIMENTAL` frames, in the calling thread's
/// namespace, bound to `dev` if given.
fn packet_socket(dev: Option<&str>) -> OwnedFd {
    let proto = EXPERIMENTAL.to_be();
    // SAFETY: socket(2) with constant arguments; the result is checked.
    let fd = unsafe { libc::socket(libc::AF_PACKET, libc::SOCK_RAW, i32::from(proto)) };
    assert!(fd >= 0, "socket: {}", std::io::Error::last_os_error());
    // SAFETY: `fd` is a new descriptor this function owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    if let Some(dev) = dev {
        let index = nix::net::if_::if_nametoindex(dev).expect("ifindex");
        // SAFETY: sockaddr_ll is plain data; all zeros is a valid value.
        let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as u16;
        sll.sll_protocol = proto;
        sll.sll_ifindex = index as i32;
        let len = std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
        // SAFETY: `sll` is a valid sockaddr_ll of `len` bytes that
        // outlives the call.
        let r = unsafe { libc::bind(fd.as_raw_fd(), (&raw const sll).cast(), len) };
        assert_eq!(r, 0, "bind: {}", std::io::Error::last_os_error());
    }
    fd
}

/// Whether a broadcast frame of the experimental ethertype sent by zone
/// `from` on vnic1 (with vnic1's own source MAC) reaches zone `to`.
fn frame_arrives(env: &Env, from: &str, to: &str) -> bool {
    let mac = mac_of(env, "vnic1");
    let rx = netns::run_in(to, || packet_socket(None)).expect("netns");
    let timeout = nix::sys::time::TimeVal::new(1, 0);
    nix::sys::socket::setsockopt(&rx, nix::sys::socket::sockopt::ReceiveTimeout, &timeout)
        .expect("timeout");
    let tx = netns::run_in(from, || packet_socket(Some("vnic1"))).expect("netns");
    let mut frame = vec![0xff; 6];
    frame.extend_from_slice(&mac);
    frame.extend_from_slice(&EXPERIMENTAL.to_be_bytes());
    frame.extend_from_slice(b"xbow restricted test");
    frame.resize(60, 0);
    for _ in 0..3 {
        nix::sys::socket::send(tx.as_raw_fd(), &frame, nix::sys::socket::MsgFlags::empty())
            .expect("send");
        let mut buf = [0u8; 128];
        let got = nix::sys::socket::recv(
            rx.as_raw_fd(),
            &mut buf,
            nix::sys::socket::MsgFlags::empty(),
        );
        if got.is_ok_and(|n| buf[..n].windows(20).any(|w| w == b"xbow restricted test")) {
            return true;
        }
    }
    false
}

/// The MAC address xbow gave `vnic`.
fn mac_of(env: &Env, vnic: &str) -> [u8; 6] {
    let out = env.dladm(&["show-vnic", "-p", "-o", "macaddress", vnic]);
    let m: Vec<u8> = out
        .stdout
        .trim()
        .split(':')
        .map(|b| u8::from_str_radix(b, 16).expect("hex"))
        .collect();
    m.try_into().expect("6 bytes")
}

/// `nft -j list table bridge xbow` in the test's namespace (`None`:
/// no such table).
fn table(env: &Env) -> Option<serde_json::Value> {
    let ns = env.linux.as_deref().expect("linux");
    let out = Command::new("ip")
        .args([
            "netns", "exec", ns, "nft", "-j", "list", "table", "bridge", "xbow",
        ])
        .output()
        .expect("nft");
    out.status
        .success()
        .then(|| serde_json::from_slice(&out.stdout).expect("json"))
}

/// The packets counted by the rules commented `COMMENT`.
fn dropped(env: &Env, comment: &str) -> u64 {
    let Some(t) = table(env) else { return 0 };
    t["nftables"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|o| o["rule"]["comment"] == comment)
        .flat_map(|o| o["rule"]["expr"].as_array().cloned().unwrap_or_default())
        .filter_map(|e| e["counter"]["packets"].as_u64())
        .sum()
}

/// `nft list ruleset` in the test's namespace.
fn ruleset(env: &Env) -> String {
    let ns = env.linux.as_deref().expect("linux");
    let out = Command::new("ip")
        .args(["netns", "exec", ns, "nft", "list", "ruleset"])
        .output()
        .expect("nft");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[track_caller]
fn ok(r: Run) {
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stdout);
}

#[test]
fn a_protected_zone_sends_only_from_its_own_address_and_mac() {
    let Some(env) = env() else { return };
    let zones = network(&env);
    let [z1, z2] = &zones.0;
    assert!(udp_arrives(z1, OWN, z2));
    assert!(table(&env).is_none());

    ok(env.dladm(&[
        "set-linkprop",
        "-p",
        "protection=ip-nospoof,mac-nospoof",
        "-p",
        &format!("allowed-ips={OWN}"),
        "vnic1",
    ]));
    let r = env.dladm(&[
        "show-linkprop",
        "-c",
        "-o",
        "value",
        "-p",
        "protection,allowed-ips",
        "vnic1",
    ]);
    assert_eq!(r.stdout, "mac-nospoof,ip-nospoof\n192.168.0.100/32\n");
    // Its own address and MAC: UDP and TCP go through.
    assert!(udp_arrives(z1, OWN, z2));
    assert!(tcp_works(z1, z2));
    let ipspoofed = dropped(&env, "vnic1 ipspoofed");

    // Another address: dropped and counted.
    ip(&[
        "-n",
        z1,
        "addr",
        "add",
        &format!("{OTHER}/24"),
        "dev",
        "vnic1",
    ]);
    assert!(!udp_arrives(z1, OTHER, z2));
    assert!(dropped(&env, "vnic1 ipspoofed") > ipspoofed);
    // The other zone is not protected.
    ip(&["-n", z2, "addr", "add", "192.168.0.151/24", "dev", "vnic2"]);
    assert!(udp_arrives(z1, OWN, z2));

    // Another MAC: dropped and counted; back to its own, it goes through.
    let mac = mac_of(&env, "vnic1").map(|b| format!("{b:02x}")).join(":");
    ip(&[
        "-n",
        z1,
        "link",
        "set",
        "vnic1",
        "address",
        "02:00:5e:00:53:01",
    ]);
    let macspoofed = dropped(&env, "vnic1 macspoofed");
    assert!(!udp_arrives(z1, OWN, z2));
    assert!(dropped(&env, "vnic1 macspoofed") > macspoofed);
    ip(&["-n", z1, "link", "set", "vnic1", "address", &mac]);
    assert!(udp_arrives(z1, OWN, z2));

    // `restricted`: a frame of another ethertype is dropped.
    assert!(frame_arrives(&env, z1, z2));
    ok(env.dladm(&["set-linkprop", "-p", "protection=restricted", "vnic1"]));
    assert!(!frame_arrives(&env, z1, z2));
    assert!(dropped(&env, "vnic1 restricted") > 0);
    assert!(udp_arrives(z1, OTHER, z2));

    // Back to the default: everything goes through, and the table goes.
    ok(env.dladm(&["set-linkprop", "-p", "protection=ip-nospoof", "vnic1"]));
    assert!(!udp_arrives(z1, OTHER, z2));
    ok(env.dladm(&["reset-linkprop", "-p", "protection", "vnic1"]));
    assert!(udp_arrives(z1, OTHER, z2));
    assert!(frame_arrives(&env, z1, z2));
    assert!(table(&env).is_none());

    // A VNIC made protected and deleted leaves nothing behind.
    ok(env.dladm(&[
        "create-vnic",
        "-l",
        "stub0",
        "-p",
        "protection=mac-nospoof",
        "vnic3",
    ]));
    assert!(ruleset(&env).contains("\"vnic3 macspoofed\""));
    ok(env.dladm(&["delete-vnic", "vnic3"]));
    assert_eq!(ruleset(&env), "");

    // `net down` of a network with protection leaves nothing either.
    ok(env.dladm(&["set-linkprop", "-p", "protection=mac-nospoof", "vnic2"]));
    assert!(ruleset(&env).contains("\"vnic2 macspoofed\""));
    let spec = env.dir().join("spec.json");
    let r = env.xbow(&["net", "down", spec.to_str().expect("path")]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""));
    assert_eq!(ruleset(&env), "");
}

#[test]
fn protection_is_refused_where_linux_has_no_port_to_enforce_it() {
    let Some(env) = env() else { return };
    let phys = env.phys("e1000g0", 1000);
    ok(env.dladm(&["create-vnic", "-l", &phys, "vnic1"]));
    let r = env.dladm(&["set-linkprop", "-p", "protection=mac-nospoof", "vnic1"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "dladm: warning: cannot set link property 'protection' on 'vnic1': protection on vnic1: the Linux backend cannot make it real (link protection is enforced at a VNIC's port of its etherstub's bridge, and only a VNIC over an etherstub has one)\n"
        )
    );
    ok(env.dladm(&["create-etherstub", "stub0"]));
    let r = env.dladm(&["set-linkprop", "-p", "allowed-ips=10.0.0.1", "stub0"]);
    assert_eq!(r.code, 1);
    assert_eq!(ruleset(&env), "");
}

/// `kill -9` while protection is set or reset: afterwards the kernel's
/// rules and `show-linkprop` agree.
#[test]
fn killed_changes_leave_the_rules_and_the_property_agreeing() {
    let Some(env) = env() else { return };
    ok(env.dladm(&["create-etherstub", "stub0"]));
    for v in ["vnic1", "vnic2"] {
        ok(env.dladm(&["create-vnic", "-l", "stub0", v]));
    }
    let set = [
        "set-linkprop",
        "-p",
        "protection=mac-nospoof,ip-nospoof",
        "vnic1",
    ];
    let reset = ["reset-linkprop", "-p", "protection", "vnic1"];
    let t = std::time::Instant::now();
    ok(env.dladm(&set));
    let span = t.elapsed().as_millis() as u64 + 1;
    ok(env.dladm(&reset));
    // A pseudo-random sequence of waits; its seed is printed.
    let mut seed = u64::from(std::process::id());
    eprintln!("kill test: seed {seed}, a change takes {span} ms");
    for round in 0..16 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let wait = (seed >> 33) % span;
        let args = if round % 2 == 0 { &set } else { &reset };
        let mut argv = vec!["dladm"];
        argv.extend_from_slice(args);
        env.killed_after(&argv, Duration::from_millis(wait));
        let r = env.dladm(&[
            "show-linkprop",
            "-c",
            "-o",
            "value",
            "-p",
            "protection",
            "vnic1",
        ]);
        assert_eq!(r.code, 0, "round {round}: {}", r.stderr);
        let protected = !r.stdout.trim().is_empty();
        assert_eq!(
            ruleset(&env).contains("\"vnic1 macspoofed\""),
            protected,
            "round {round} (killed after {wait} ms): {}",
            r.stdout
        );
    }
}
