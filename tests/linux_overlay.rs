//! Overlays on the Linux backend, end to end: two network namespaces are
//! two hosts joined by a veth underlay; each has an overlay pointing at
//! the other (`direct`) or sharing a mapping (`files`), a VNIC over it,
//! and a datagram crosses. Runs with `XBOW_TEST_BACKEND=linux` as root
//! (`.ci/run` does); otherwise, or on a kernel without VXLAN, it says so
//! and does nothing.
#![cfg(target_os = "linux")]

mod common;

use common::{Env, ip};
use std::net::UdpSocket;
use std::time::Duration;
use xbow::backend::linux::netns;

/// Two hosts: their environments and the underlay addresses
/// 192.168.77.1 and .2 on `ul0` in each.
fn hosts() -> Option<[Env; 2]> {
    let (a, b) = (Env::new(), Env::new());
    let (na, nb) = (a.linux.clone()?, b.linux.clone()?);
    ip(&[
        "-n", &na, "link", "add", "ul0", "type", "veth", "peer", "name", "ul0", "netns", &nb,
    ]);
    for (ns, addr) in [(&na, "192.168.77.1/24"), (&nb, "192.168.77.2/24")] {
        ip(&["-n", ns, "addr", "add", addr, "dev", "ul0"]);
        ip(&["-n", ns, "link", "set", "ul0", "up"]);
        ip(&["-n", ns, "link", "set", "lo", "up"]);
    }
    // The kernel may lack VXLAN: say so, and skip.
    let probe = std::process::Command::new("ip")
        .args([
            "-n", &na, "link", "add", "xbprobe", "type", "vxlan", "id", "1", "dstport", "4789",
        ])
        .output()
        .expect("ip");
    if !probe.status.success() {
        eprintln!(
            "skipped: this kernel has no vxlan support ({})",
            String::from_utf8_lossy(&probe.stderr).trim()
        );
        return None;
    }
    ip(&["-n", &na, "link", "del", "xbprobe"]);
    Some([a, b])
}

/// Send a datagram from `from` (in host `a`) to `to` (in host `b`) and
/// return what arrived.
fn datagram(a: &Env, from: &str, b: &Env, to: &str) -> Result<Vec<u8>, String> {
    let (na, nb) = (a.linux.as_deref().unwrap(), b.linux.as_deref().unwrap());
    let rx = netns::run_in(nb, || UdpSocket::bind((to, 7007)))
        .expect("netns")
        .map_err(|e| format!("bind {to}: {e}"))?;
    rx.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let tx = netns::run_in(na, || UdpSocket::bind((from, 0)))
        .expect("netns")
        .map_err(|e| format!("bind {from}: {e}"))?;
    let mut buf = [0u8; 64];
    // The first datagram may wait for ARP: send a few.
    for _ in 0..5 {
        tx.send_to(b"over the overlay", (to, 7007))
            .map_err(|e| e.to_string())?;
        if let Ok((n, _)) = rx.recv_from(&mut buf) {
            return Ok(buf[..n].to_vec());
        }
    }
    Err(format!("nothing from {from} reached {to}"))
}

/// Give VNIC `vnic` of host `env` the address `addr/24`.
fn address(env: &Env, vnic: &str, addr: &str) {
    let ns = env.linux.as_deref().unwrap();
    ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", vnic]);
}

#[test]
fn a_datagram_crosses_a_direct_overlay() {
    let Some([a, b]) = hosts() else { return };
    for (env, me, peer, ovip) in [(&a, "1", "2", "10.99.0.1"), (&b, "2", "1", "10.99.0.2")] {
        let props = format!(
            "vxlan/listen_ip=192.168.77.{me},direct/dest_ip=192.168.77.{peer},direct/dest_port=4789"
        );
        env.dladm(&[
            "create-overlay",
            "-t",
            "-e",
            "vxlan",
            "-s",
            "direct",
            "-v",
            "42",
            "-p",
            &props,
            "overlay0",
        ])
        .ok();
        env.dladm(&["create-vnic", "-t", "-l", "overlay0", "vnic0"])
            .ok();
        address(env, "vnic0", ovip);
    }
    assert_eq!(
        datagram(&a, "10.99.0.1", &b, "10.99.0.2").expect("across"),
        b"over the overlay"
    );
    // What the kernel holds: a VXLAN port on the overlay's bridge, no
    // learning, the one destination as the all-zeros FDB entry.
    let ns = a.linux.as_deref().unwrap();
    let out = std::process::Command::new("ip")
        .args(["-n", ns, "-d", "-j", "link", "show", "master", "overlay0"])
        .output()
        .expect("ip");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let vx = v
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["linkinfo"]["info_kind"] == "vxlan")
        .expect("a vxlan port");
    let data = &vx["linkinfo"]["info_data"];
    assert_eq!(
        (data["id"].as_u64(), data["port"].as_u64()),
        (Some(42), Some(4789))
    );
    assert_eq!(data["learning"], false);
    assert_eq!(data["local"], "192.168.77.1");
    assert_eq!(vx["mtu"], 1400);
    // Deleting the VNIC and the overlay leaves nothing of them.
    a.dladm(&["delete-vnic", "vnic0"]).ok();
    a.dladm(&["delete-overlay", "overlay0"]).ok();
    let out = std::process::Command::new("ip")
        .args(["-n", ns, "-br", "link"])
        .output()
        .expect("ip");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("overlay0") && !text.contains("xbx."),
        "{text}"
    );
}

#[test]
fn a_files_overlay_routes_by_mac_and_answers_arp() {
    let Some([a, b]) = hosts() else { return };
    let map = r#"{
        "02:08:20:00:01:01": {"ip": "192.168.77.1", "port": 4789, "arp": "10.98.0.1"},
        "02:08:20:00:01:02": {"ip": "192.168.77.2", "port": 4789, "arp": "10.98.0.2"}
    }"#;
    for (env, me) in [(&a, "1"), (&b, "2")] {
        let path = env.dir().join("map.json");
        std::fs::write(&path, map).unwrap();
        let props = format!(
            "vxlan/listen_ip=192.168.77.{me},files/config={}",
            path.display()
        );
        env.dladm(&[
            "create-overlay",
            "-t",
            "-e",
            "vxlan",
            "-s",
            "files",
            "-v",
            "43",
            "-p",
            &props,
            "ovf0",
        ])
        .ok();
        let mac = format!("2:8:20:0:1:{me}");
        env.dladm(&["create-vnic", "-t", "-l", "ovf0", "-m", &mac, "vnic1"])
            .ok();
        address(env, "vnic1", &format!("10.98.0.{me}"));
    }
    assert_eq!(
        datagram(&a, "10.98.0.1", &b, "10.98.0.2").expect("across"),
        b"over the overlay"
    );
    // A MAC set to drop gets nothing any more.
    a.dladm(&["modify-overlay", "-s", "2:8:20:0:1:2=drop", "ovf0"])
        .ok();
    assert!(datagram(&a, "10.98.0.1", &b, "10.98.0.2").is_err());
    // Flushed, the mapping's answer holds again.
    a.dladm(&["modify-overlay", "-f", "ovf0"]).ok();
    assert!(datagram(&a, "10.98.0.1", &b, "10.98.0.2").is_ok());
}
