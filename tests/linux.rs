//! What the Linux backend makes in the kernel, and what it refuses: runs
//! with `XBOW_TEST_BACKEND=linux` (as root; `.ci/run` does), each test in a
//! network namespace of its own. Without it the tests do nothing.
#![cfg(target_os = "linux")]

mod common;

use common::{Env, Run};
use std::process::Command;

fn env() -> Option<Env> {
    let e = Env::new();
    e.linux.is_some().then_some(e)
}

/// What `ARGS…` prints when run in the test's namespace.
fn exec(env: &Env, args: &[&str]) -> String {
    let ns = env.linux.as_deref().expect("linux");
    let out = Command::new("ip")
        .args(["netns", "exec", ns])
        .args(args)
        .output()
        .expect("ip netns exec");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `ip -j -d link show`, as JSON.
fn links(env: &Env) -> Vec<serde_json::Value> {
    serde_json::from_str::<serde_json::Value>(&exec(env, &["ip", "-j", "-d", "link", "show"]))
        .expect("json")
        .as_array()
        .expect("array")
        .clone()
}

fn link<'a>(all: &'a [serde_json::Value], name: &str) -> Option<&'a serde_json::Value> {
    all.iter().find(|l| l["ifname"] == name)
}

fn names(env: &Env) -> Vec<String> {
    links(env)
        .iter()
        .map(|l| l["ifname"].as_str().expect("name").to_string())
        .collect()
}

/// Whether `dev` has IPv6 (`net.ipv6.conf.DEV.disable_ipv6` is 0).
fn has_ipv6(env: &Env, dev: &str) -> bool {
    let path = format!("/proc/sys/net/ipv6/conf/{dev}/disable_ipv6");
    exec(env, &["cat", &path]).trim() == "0"
}

fn qdisc(env: &Env, dev: &str) -> String {
    exec(env, &["tc", "qdisc", "show", "dev", dev, "root"])
}

#[track_caller]
fn warns(r: &Run, text: &str) {
    assert_eq!((r.code, r.stderr.as_str()), (1, text));
}

#[test]
fn etherstubs_and_vnics_are_bridges_and_veth_pairs() {
    let Some(env) = env() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "-p", "maxbw=10M", "vnic0"])
        .ok();
    let all = links(&env);
    let stub = link(&all, "stub0").expect("bridge");
    assert_eq!(stub["linkinfo"]["info_kind"], "bridge");
    assert_eq!(stub["mtu"], 9000);
    assert_eq!(stub["ifalias"], "xbow etherstub");
    let vnic = link(&all, "vnic0").expect("veth");
    assert_eq!(vnic["linkinfo"]["info_kind"], "veth");
    let mac = env
        .dladm(&["show-vnic", "-p", "-o", "macaddress", "vnic0"])
        .stdout;
    let kernel_mac: Vec<String> = vnic["address"]
        .as_str()
        .expect("mac")
        .split(':')
        .map(|b| format!("{:x}", u8::from_str_radix(b, 16).expect("hex")))
        .collect();
    assert_eq!(mac.trim(), kernel_mac.join(":"), "the VNIC's MAC");
    // The peer is the bridge port; both ends are shaped.
    let peer = all
        .iter()
        .find(|l| l["master"] == "stub0")
        .expect("a port of stub0");
    let peer = peer["ifname"].as_str().expect("name");
    assert!(peer.starts_with("xbp."), "{peer}");
    for dev in ["vnic0", peer] {
        let q = qdisc(&env, dev);
        assert!(q.contains("tbf") && q.contains("rate 10Mbit"), "{dev}: {q}");
    }
    // A datalink has no IP until it is plumbed; a bridge and its ports
    // never have one.
    for dev in ["stub0", "vnic0", peer] {
        assert!(!has_ipv6(&env, dev), "{dev} has IPv6");
    }
    env.dladm(&["reset-linkprop", "-p", "maxbw", "vnic0"]).ok();
    assert!(!qdisc(&env, "vnic0").contains("tbf"));
    // maxbw=0 stops all traffic, as on illumos.
    env.dladm(&["set-linkprop", "-p", "maxbw=0", "vnic0"]).ok();
    assert!(qdisc(&env, "vnic0").contains("pfifo"));
    env.dladm(&["delete-vnic", "vnic0"]).ok();
    env.dladm(&["delete-etherstub", "stub0"]).ok();
    assert_eq!(names(&env), ["lo"]);
}

#[test]
fn vnics_with_a_vid_share_a_bridge_of_their_vlan() {
    let Some(env) = env() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    for v in ["vnic1", "vnic2"] {
        env.dladm(&["create-vnic", "-l", "stub0", "-v", "5", v])
            .ok();
    }
    env.dladm(&["create-vnic", "-l", "stub0", "vnic3"]).ok();
    let all = links(&env);
    let vlan_bridge = all
        .iter()
        .find(|l| l["ifalias"] == "xbow VLAN 5 of stub0")
        .expect("the VLAN's bridge")["ifname"]
        .as_str()
        .expect("name")
        .to_string();
    let ports = |bridge: &str| all.iter().filter(|l| l["master"] == bridge).count();
    assert_eq!((ports(&vlan_bridge), ports("stub0")), (2, 1));
    for v in ["vnic1", "vnic2", "vnic3"] {
        env.dladm(&["delete-vnic", v]).ok();
    }
    env.dladm(&["delete-etherstub", "stub0"]).ok();
    assert_eq!(names(&env), ["lo"]);
}

#[test]
fn what_linux_cannot_do_is_refused_and_changes_nothing() {
    let Some(env) = env() else { return };
    // IFNAMSIZ.
    env.dladm(&["create-etherstub", "etherstub1234560"])
        .fails_with("dladm: etherstub creation failed: link name 'etherstub1234560' is 16 characters long: Linux allows at most 15\n");
    assert_eq!(env.dladm(&["show-etherstub"]).stdout, "");
    // The names of xbow's own links (bridge ports, VLAN bridges).
    env.dladm(&["create-etherstub", "xbp.9"])
        .fails_with("dladm: etherstub creation failed: link name 'xbp.9' is reserved on Linux: xbow names its own links xbp.ID (bridge ports) and xbIDvVID (VLAN bridges)\n");
    assert_eq!(env.dladm(&["show-etherstub"]).stdout, "");
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "xb1v2"])
        .fails_with("dladm: vnic creation over stub0 failed: link name 'xb1v2' is reserved on Linux: xbow names its own links xbp.ID (bridge ports) and xbIDvVID (VLAN bridges)\n");
    env.dladm(&["create-vnic", "-l", "stub0", "vnic0"]).ok();
    // No link priorities.
    warns(
        &env.dladm(&["set-linkprop", "-p", "priority=low", "vnic0"]),
        "dladm: warning: cannot set link property 'priority' on 'vnic0': priority on vnic0: the Linux backend schedules every link alike (only the default, high, is available)\n",
    );
    let r = env.dladm(&[
        "show-linkprop",
        "-c",
        "-o",
        "value",
        "-p",
        "priority",
        "vnic0",
    ]);
    assert_eq!(r.stdout, "high\n");
    // A macvlan's inbound traffic cannot be shaped.
    let phys = env.phys("e1000g0", 1000);
    env.dladm(&["create-vnic", "-l", &phys, "vnic1"]).ok();
    warns(
        &env.dladm(&["set-linkprop", "-p", "maxbw=10M", "vnic1"]),
        "dladm: warning: cannot set link property 'maxbw' on 'vnic1': maxbw on vnic1: the Linux backend limits VNICs over etherstubs only (a macvlan's inbound traffic cannot be shaped here)\n",
    );
    assert_eq!(
        link(&links(&env), "vnic1").expect("macvlan")["linkinfo"]["info_kind"],
        "macvlan"
    );
    // A VID over a physical link needs 802.1Q in the kernel.
    let ns = env.linux.as_deref().expect("linux");
    let has_8021q = Command::new("ip")
        .args([
            "-n", ns, "link", "add", "link", &phys, "name", "probe0", "type", "vlan", "id", "9",
        ])
        .output()
        .expect("ip")
        .status
        .success();
    let r = env.dladm(&["create-vnic", "-l", &phys, "-v", "30", "vnic2"]);
    if has_8021q {
        r.ok();
    } else {
        r.fails_with("dladm: vnic creation over e1000g0 failed: VLAN id 30 over physical link e1000g0: this kernel has no 802.1Q VLAN support (load the 8021q module: modprobe 8021q; CONFIG_VLAN_8021Q)\n");
        assert!(link(&links(&env), "vnic2").is_none());
    }
}

/// A VLAN link is an 802.1Q link over its physical link, in xbow's group,
/// and its frames carry its VID: the other end of the "NIC" (a veth pair)
/// is in a second namespace, where only an 802.1Q link of the same VID
/// has the peer address (and ARP answers only for the receiving link's
/// addresses), so a datagram gets through only tagged with VID 5. Without
/// 802.1Q in the kernel the VLAN is refused, naming the `8021q` module,
/// and nothing is left behind. A VLAN over an etherstub is refused.
#[test]
fn a_vlan_link_tags_its_frames_with_its_vid() {
    let Some(env) = env() else { return };
    let ns = env.linux.clone().expect("linux");
    let phys = env.phys("e1000g0", 1000);
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vlan", "-l", "stub0", "-v", "5", "stub5000"])
        .fails_with("dladm: create operation failed: VLAN stub5000 over etherstub stub0: the Linux backend makes VLAN links over physical links only\n");
    let r = env.dladm(&["create-vlan", "-l", &phys, "-v", "5"]);
    if !env.has_vlans() {
        r.fails_with("dladm: create operation failed: VLAN id 5 over physical link e1000g0: this kernel has no 802.1Q VLAN support (load the 8021q module: modprobe 8021q; CONFIG_VLAN_8021Q)\n");
        assert_eq!(env.dladm(&["show-vlan"]).ok().stdout, "");
        assert!(link(&links(&env), "e1000g5000").is_none());
        return;
    }
    r.ok();
    let all = links(&env);
    let l = link(&all, "e1000g5000").expect("the VLAN link");
    assert_eq!(l["linkinfo"]["info_kind"], "vlan");
    assert_eq!(l["linkinfo"]["info_data"]["id"], 5);
    assert_eq!(l["link"], phys.as_str());
    // The far end: its own namespace, an 802.1Q link of VID 5.
    let far = format!("{ns}f");
    common::ip(&["netns", "add", &far]);
    struct Gone(String);
    impl Drop for Gone {
        fn drop(&mut self) {
            let _ = Command::new("ip")
                .args(["netns", "delete", &self.0])
                .status();
        }
    }
    let _far = Gone(far.clone());
    let peer = format!("{phys}x");
    common::ip(&["-n", &ns, "link", "set", &peer, "netns", &far]);
    for args in [
        vec!["link", "set", peer.as_str(), "up"],
        vec![
            "link",
            "add",
            "link",
            peer.as_str(),
            "name",
            "far5",
            "type",
            "vlan",
            "id",
            "5",
        ],
        vec!["addr", "add", "192.0.2.2/24", "dev", "far5"],
        vec!["link", "set", "far5", "up"],
    ] {
        let mut a = vec!["-n", far.as_str()];
        a.extend(args);
        common::ip(&a);
    }
    common::ip(&[
        "-n",
        &ns,
        "addr",
        "add",
        "192.0.2.1/24",
        "dev",
        "e1000g5000",
    ]);
    use xbow::backend::linux::netns;
    netns::run_in(&far, || {
        std::fs::write("/proc/sys/net/ipv4/conf/all/arp_ignore", "1\n")
    })
    .expect("netns")
    .expect("arp_ignore");
    let rx = netns::run_in(&far, || std::net::UdpSocket::bind("192.0.2.2:7005"))
        .expect("netns")
        .expect("bind");
    rx.set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let tx = netns::run_in(&ns, || std::net::UdpSocket::bind("192.0.2.1:0"))
        .expect("netns")
        .expect("bind");
    tx.send_to(b"tagged", "192.0.2.2:7005").expect("send");
    let mut buf = [0u8; 16];
    let (n, from) = rx.recv_from(&mut buf).expect("a datagram over VID 5");
    assert_eq!(
        (&buf[..n], from.ip().to_string()),
        (&b"tagged"[..], "192.0.2.1".into())
    );
    env.dladm(&["delete-vlan", "e1000g5000"]).ok();
    assert!(link(&links(&env), "e1000g5000").is_none());
}

/// A Linux bridge takes 1023 ports (below `BR_MAX_PORTS`, never 0): the
/// 1024th VNIC on an etherstub is refused saying so, and `net up` leaves
/// nothing behind.
#[test]
fn an_etherstub_holds_1023_vnics_on_linux() {
    let Some(env) = env() else { return };
    let vnics: Vec<String> = (0..1024)
        .map(|i| format!(r#"{{"name": "v{i}", "over": "stub0"}}"#))
        .collect();
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        format!(
            r#"{{"etherstubs": ["stub0"], "vnics": [{}]}}"#,
            vnics.join(",")
        ),
    )
    .expect("spec");
    let before = names(&env);
    let r = env.xbow(&["net", "up", spec.to_str().expect("utf-8")]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "step 1025 of 1025 failed: dladm create-vnic -l stub0 v1023: vnic creation over stub0 failed: etherstub stub0: a Linux bridge holds at most 1023 ports, and stub0 has them all"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(names(&env), before);
}

#[test]
fn a_failed_net_up_leaves_the_kernel_as_it_was() {
    let Some(env) = env() else { return };
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        r#"{"etherstubs": ["stub0"],
            "vnics": [{"name": "vnic0", "over": "stub0", "maxbw": "20M"},
                      {"name": "vnic1", "over": "stub0"}],
            "addresses": [{"interface": "vnic0", "address": "192.0.2.1/24"}]}"#,
    )
    .expect("spec");
    let spec = spec.to_str().expect("utf-8");
    let before = names(&env);
    // The fourth change fails: the three before it are undone.
    let r = env
        .cmd()
        .args(["net", "up", spec])
        .env("XBOW_SIM_FAIL_AT", "4")
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(names(&env), before);
    env.xbow(&["net", "up", spec]).ok();
    // Plumbing vnic0 gives it IPv6; vnic1 stays a bare datalink.
    assert!(has_ipv6(&env, "vnic0") && !has_ipv6(&env, "vnic1"));
    let addr = exec(&env, &["ip", "-4", "-o", "addr", "show", "dev", "vnic0"]);
    assert!(addr.contains("192.0.2.1/24"));
    env.xbow(&["net", "down", spec]).ok();
    assert_eq!(names(&env), before);
}

#[test]
fn after_a_reboot_the_state_forgets_what_the_kernel_lost() {
    let Some(env) = env() else { return };
    let phys = env.phys("e1000g0", 1000);
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic0"]).ok();
    // A reboot: the kernel has none of it, and the boot id is another.
    let ns = env.linux.as_deref().expect("linux");
    common::ip(&["-n", ns, "link", "delete", "stub0"]);
    common::ip(&["-n", ns, "link", "delete", "vnic0"]);
    let path = env.dir().join("linux.json");
    let mut st: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("json");
    st["boot_id"] = "an-earlier-boot".into();
    std::fs::write(&path, st.to_string()).expect("write");
    assert_eq!(env.dladm(&["show-etherstub"]).ok().stdout, "");
    assert_eq!(env.dladm(&["show-vnic"]).ok().stdout, "");
    let r = env.dladm(&["show-phys", "-p", "-o", "link"]);
    assert_eq!(r.ok().stdout, format!("{phys}\n"));
    // The names are free again, in the state and in the kernel.
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic0"]).ok();
    assert!(link(&links(&env), "vnic0").is_some());
}

#[test]
fn physical_links_show_what_ethtool_knows() {
    let Some(env) = env() else { return };
    let phys = env.phys("e1000g0", 1000);
    // Under nsenter, /sys is another namespace's: speed and duplex are
    // unknown rather than some other link's.
    let r = env.dladm(&["show-phys", "-p", "-o", "link,speed,duplex", &phys]);
    assert_eq!(r.ok().stdout, format!("{phys}:0:unknown\n"));
    // `ip netns exec` mounts this namespace's /sys: a veth is 10 Gb/s,
    // full duplex.
    let ns = env.linux.as_deref().expect("linux");
    let out = Command::new("ip")
        .args([
            "netns",
            "exec",
            ns,
            common::XBOW,
            "dladm",
            "show-phys",
            "-p",
            "-o",
        ])
        .args(["link,speed,duplex", &phys])
        .env("XBOW_BACKEND", "linux")
        .env("XBOW_LINUX_STATE", env.dir().join("linux.json"))
        .output()
        .expect("ip netns exec");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("{phys}:10000:full\n")
    );
}

/// The device group xbow gives its links in the request that creates
/// them ("xbow" in ASCII; `netlink::GROUP`).
const XBOW_GROUP: &str = "2019716983";

#[test]
fn a_link_xbow_made_is_never_taken_for_a_physical_one() {
    let Some(env) = env() else { return };
    env.phys("e1000g0", 1000);
    let nics = env
        .dladm(&["show-phys", "-p", "-o", "link"])
        .ok()
        .stdout
        .clone();
    assert!(nics.contains("e1000g0\n"), "{nics}");
    env.dladm(&["create-etherstub", "-t", "stub0"]).ok();
    env.dladm(&["create-vnic", "-t", "-l", "stub0", "vnic0"])
        .ok();
    let l = links(&env);
    let peer = l
        .iter()
        .filter_map(|l| l["ifname"].as_str())
        .find(|n| n.starts_with("xbp."))
        .expect("the VNIC's bridge port");
    for name in ["stub0", "vnic0", peer] {
        assert_eq!(
            link(&l, name).expect(name)["group"],
            XBOW_GROUP,
            "{name} is in xbow's group"
        );
    }
    // What a run killed right after the kernel made a pair (before the
    // alias) leaves, with no journal to say so: still not a NIC.
    exec(
        &env,
        &[
            "ip", "link", "add", "half0", "group", XBOW_GROUP, "type", "veth", "peer", "name",
            "half1", "group", XBOW_GROUP,
        ],
    );
    assert!(names(&env).contains(&"half0".to_string()));
    let r = env.dladm(&["show-phys", "-p", "-o", "link"]);
    assert_eq!(r.ok().stdout, nics);
}

#[test]
fn down_then_up_rebuilds_what_something_else_deleted() {
    let Some(env) = env() else { return };
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        r#"{"etherstubs": ["stub0"],
            "vnics": [{"name": "vnic0", "over": "stub0", "maxbw": "20M"}],
            "addresses": [{"interface": "vnic0", "address": "192.0.2.1/24"}]}"#,
    )
    .expect("spec");
    let spec = spec.to_str().expect("utf-8");
    let before = names(&env);
    env.xbow(&["net", "up", spec]).ok();
    let ns = env.linux.as_deref().expect("linux");
    common::ip(&["-n", ns, "link", "delete", "vnic0"]);
    env.xbow(&["net", "down", spec]).ok();
    assert_eq!(names(&env), before);
    env.xbow(&["net", "up", spec]).ok();
    assert!(qdisc(&env, "vnic0").contains("rate 20Mbit"));
    env.xbow(&["net", "down", spec]).ok();
    assert_eq!(names(&env), before);
}

/// `net up --confirm`: without `net confirm` the watchdog (in the same
/// network namespace as the command that started it) undoes the change on
/// the kernel.
#[test]
fn an_unconfirmed_change_is_undone_on_the_kernel() {
    let Some(env) = env() else { return };
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        r#"{"etherstubs": ["stub0"], "vnics": [{"name": "vnic0", "over": "stub0"}]}"#,
    )
    .expect("spec");
    let spec = spec.to_str().expect("utf-8");
    let before = names(&env);
    env.xbow(&["net", "up", spec, "--confirm", "1"]).ok();
    assert!(names(&env).contains(&"vnic0".to_string()));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while names(&env) != before {
        assert!(
            std::time::Instant::now() < deadline,
            "not undone: {:?}",
            names(&env)
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // Confirmed, it stays.
    env.xbow(&["net", "up", spec, "--confirm", "30"]).ok();
    env.xbow(&["net", "confirm"]).ok();
    assert!(names(&env).contains(&"vnic0".to_string()));
    env.xbow(&["net", "down", spec]).ok();
    assert_eq!(names(&env), before);
}

#[test]
fn concurrent_creates_are_serialized_in_the_state_and_the_kernel() {
    let Some(env) = env() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    std::thread::scope(|s| {
        for t in 0..4 {
            let env = &env;
            s.spawn(move || {
                for i in 0..25 {
                    let name = format!("vnic{}", t * 100 + i + 1);
                    env.dladm(&["create-vnic", "-l", "stub0", &name]).ok();
                }
            });
        }
    });
    let listed = env.dladm(&["show-vnic", "-p", "-o", "link"]).stdout;
    assert_eq!(listed.lines().count(), 100);
    let all = links(&env);
    let ports = all.iter().filter(|l| l["master"] == "stub0").count();
    let vnics = all
        .iter()
        .filter(|l| l["ifname"].as_str().is_some_and(|n| n.starts_with("vnic")))
        .count();
    assert_eq!((ports, vnics), (100, 100));
}

/// What the kernel holds in the test's namespace and the zones': links,
/// nftables tables, forwarding, and whether the zones' namespaces exist.
/// Numbers below a bound (`next(n)`), from a xorshift generator seeded by
/// the clock; the seed is printed so that a failing run can be read back.
fn random(what: &str) -> impl FnMut(u64) -> u64 {
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("time")
        .as_nanos() as u64
        | 1;
    eprintln!("{what}: seed {seed}");
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    }
}

fn snapshot(env: &Env) -> (Vec<String>, String, String, [bool; 2]) {
    (
        names(env),
        exec(env, &["nft", "list", "tables"]),
        exec(env, &["cat", "/proc/sys/net/ipv4/ip_forward"]),
        ["test1", "test2"].map(xbow::backend::linux::netns::exists),
    )
}

#[test]
fn a_failure_at_any_change_of_the_article_network_leaves_the_kernel_as_it_was() {
    let Some(env) = env() else { return };
    for z in ["test1", "test2"] {
        assert!(
            !xbow::backend::linux::netns::exists(z),
            "namespace {z} exists already"
        );
    }
    env.phys("eri0", 1000);
    let spec = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/crossbow-nat-linux.json"
    );
    let before = snapshot(&env);
    let steps = env.xbow(&["net", "plan", spec]).ok().stdout.lines().count();
    let mut failed = std::collections::BTreeSet::new();
    for n in 1.. {
        let r = env
            .cmd()
            .args(["net", "up", spec])
            .env("XBOW_SIM_FAIL_AT", n.to_string())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&r.stderr);
        if r.status.success() {
            break;
        }
        assert!(
            stderr.ends_with("the host is as it was\n"),
            "N={n}: {stderr}"
        );
        assert_eq!(snapshot(&env), before, "N={n}");
        let step: usize = stderr
            .strip_prefix("xbow net: step ")
            .and_then(|t| t.split(' ').next())
            .and_then(|k| k.parse().ok())
            .unwrap_or_else(|| panic!("N={n}: {stderr}"));
        failed.insert(step);
        assert!(n < 100, "up never got through");
    }
    assert_eq!(failed, (1..=steps).collect(), "a failure in every step");
    assert_ne!(snapshot(&env), before);
    env.xbow(&["net", "down", spec]).ok();
    assert_eq!(snapshot(&env), before);
    // The kernel refuses the last step (someone else's namespace is
    // called test2): everything up to it, zone test1 included, is undone
    // and the other namespace is left alone.
    common::ip(&["netns", "add", "test2"]);
    let before = snapshot(&env);
    let r = env.xbow(&["net", "up", spec]);
    common::ip(&["netns", "delete", "test2"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("zoneadm -z test2 boot: zone test2: network namespace test2 already exists and is not this zone's")
            && r.stderr.ends_with("the host is as it was\n"),
        "{}",
        r.stderr
    );
    let mut after = before.clone();
    after.3[1] = false;
    let mut now = snapshot(&env);
    now.3[1] = false;
    assert_eq!(now, after);
}

#[test]
fn a_rule_nftables_cannot_express_is_refused_and_the_load_undone() {
    let Some(env) = env() else { return };
    env.phys("eri0", 1000);
    let conf = env.dir().join("ipnat.conf");
    std::fs::write(
        &conf,
        "map eri0 10.0.0.0/24 -> 203.0.113.5/32\nmap-block eri0 10.0.1.0/24 -> 203.0.113.6/32\n",
    )
    .expect("conf");
    let why = "map-block rules are not supported by the Linux backend: map-block eri0 10.0.1.0/24 -> 203.0.113.6/32 ports 0";
    env.xbow(&["ipnat", "-f", conf.to_str().expect("utf-8")])
        .fails_with(&format!(
            "ipnat: {why}\nipnat: rule 2 (line 2) was not added: {why}; the rule added before it was removed, nothing was added\n"
        ));
    let r = env.xbow(&["ipnat", "-l"]);
    assert_eq!(
        r.ok().stdout,
        "List of active MAP/Redirect filters:\n\nList of active sessions:\n"
    );
    assert_eq!(exec(&env, &["nft", "list", "tables"]), "");
}

/// Under `ip netns exec` (which gives xbow a mount namespace of its own)
/// a zone's namespace is pinned in the host's mounts, so it outlives the
/// command, and `down` removes it. Where xbow may not enter the mount
/// namespace it was started from, `up` refuses saying why and leaves
/// nothing.
#[test]
fn zones_made_under_ip_netns_exec_persist() {
    let Some(env) = env() else { return };
    let ns = env.linux.clone().expect("linux");
    let zone = format!("{ns}z");
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        format!(
            r#"{{"etherstubs": ["stub0"], "vnics": [{{"name": "vnic0", "over": "stub0"}}],
                "zones": [{{"name": "{zone}", "zonepath": "/zones/{zone}",
                            "net": [{{"physical": "vnic0", "allowed-address": "192.0.2.2/24"}}]}}]}}"#
        ),
    )
    .expect("spec");
    let run = |verb: &str| -> Run {
        let template = env.cmd();
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &ns, common::XBOW, "net", verb])
            .arg(&spec);
        for (k, v) in template.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.output().expect("ip netns exec xbow").into()
    };
    let before = names(&env);
    let up = run("up");
    if up.code != 0 {
        assert!(
            up.stderr
                .contains("xbow runs in a mount namespace of its own (as under `ip netns exec`) and cannot enter the one it was started from"),
            "{}",
            up.stderr
        );
        assert!(!std::path::Path::new(&format!("/run/netns/{zone}")).exists());
        assert_eq!(names(&env), before);
        return;
    }
    // The zone's namespace is there after xbow exited, with its VNIC.
    let out = Command::new("ip")
        .args(["-n", &zone, "-br", "link", "show", "vnic0"])
        .output()
        .expect("ip");
    assert!(
        out.status.success() && String::from_utf8_lossy(&out.stdout).starts_with("vnic0"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    run("down").ok();
    assert!(!std::path::Path::new(&format!("/run/netns/{zone}")).exists());
}

#[test]
fn the_state_is_private_whatever_the_umask() {
    use std::os::unix::fs::MetadataExt;
    let Some(env) = env() else { return };
    let ns = env.linux.as_deref().expect("linux");
    let dir = env.dir().join("run/xbow");
    let state = dir.join("linux.json");
    let stub = env.n("st0");
    let r: Run = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec nsenter --net=/run/netns/\"$1\" \"$0\" dladm create-etherstub \"$2\"")
        .arg(common::XBOW)
        .arg(ns)
        .arg(&stub)
        .env("XBOW_BACKEND", "linux")
        .env("XBOW_LINUX_STATE", &state)
        .env("LC_ALL", "C")
        .output()
        .expect("run xbow")
        .into();
    r.ok();
    let mode = |p: &std::path::Path| std::fs::symlink_metadata(p).unwrap().mode() & 0o7777;
    assert_eq!(mode(&env.dir().join("run")), 0o700);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&state), 0o600);
    assert_eq!(mode(&dir.join("linux.json.lock")), 0o600);
}

/// Without `XBOW_LINUX_STATE`, each network namespace has a state of its
/// own (`/run/xbow/linux-NETNS.json`): xbow in one never sees or changes
/// what xbow in another made.
#[test]
fn each_network_namespace_has_its_own_state() {
    use std::os::unix::fs::MetadataExt;
    let Some(env) = env() else { return };
    let ns = env.linux.clone().expect("linux");
    let other = format!("{ns}o");
    common::ip(&["netns", "add", &other]);
    let run = |netns: &str, args: &[&str]| -> Run {
        Command::new("nsenter")
            .arg(format!("--net=/run/netns/{netns}"))
            .arg(common::XBOW)
            .args(args)
            .env("XBOW_BACKEND", "linux")
            .env_remove("XBOW_LINUX_STATE")
            .env("LC_ALL", "C")
            .output()
            .expect("nsenter xbow")
            .into()
    };
    let stub = env.n("ns0");
    run(&ns, &["dladm", "create-etherstub", &stub]).ok();
    assert_eq!(run(&other, &["dladm", "show-etherstub"]).stdout, "");
    assert_eq!(
        run(&ns, &["dladm", "show-etherstub"]).stdout,
        format!("LINK\n{stub}\n")
    );
    run(&ns, &["dladm", "delete-etherstub", &stub]).ok();
    let state = |n: &str| {
        let ino = std::fs::metadata(format!("/run/netns/{n}"))
            .expect("netns")
            .ino();
        format!("/run/xbow/linux-{ino}.json")
    };
    assert!(std::path::Path::new(&state(&ns)).exists());
    assert_ne!(state(&ns), state(&other));
    for n in [&ns, &other] {
        for f in [state(n), format!("{}.lock", state(n))] {
            let _ = std::fs::remove_file(f);
        }
    }
    common::ip(&["netns", "delete", &other]);
}

/// `kill -9` at random moments of `net up` and `net down` (an etherstub,
/// 300 VNICs, 20 of them shaped, an address, forwarding, NAT and two
/// zones): each time the next `up` converges (the killed run's half-made
/// change is undone first: `STATE.journal`), and `down` leaves the kernel
/// as it was.
#[test]
fn runs_killed_at_any_moment_are_recovered() {
    let Some(env) = env() else { return };
    let ns = env.linux.clone().expect("linux");
    let zones = [format!("{ns}ka"), format!("{ns}kb")];
    env.phys("eri0", 1000);
    let mut vnics: Vec<String> = (0..300)
        .map(|i| match i % 15 {
            0 => format!(r#"{{"name": "vnic{i}", "over": "stub0", "maxbw": "50M"}}"#),
            _ => format!(r#"{{"name": "vnic{i}", "over": "stub0"}}"#),
        })
        .collect();
    vnics.push(r#"{"name": "zv1", "over": "stub0"}"#.into());
    vnics.push(r#"{"name": "zv2", "over": "stub0"}"#.into());
    let zone = |z: &str, v: &str, a: &str| {
        format!(
            r#"{{"name": "{z}", "zonepath": "/zones/{z}", "net": [{{"physical": "{v}", "allowed-address": "{a}", "defrouter": "192.168.0.1"}}]}}"#
        )
    };
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        format!(
            r#"{{"etherstubs": ["stub0"], "vnics": [{}],
                "addresses": [{{"interface": "vnic0", "address": "192.168.0.1/24"}}],
                "ipv4-forwarding": true,
                "nat": ["map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto"],
                "zones": [{}, {}]}}"#,
            vnics.join(","),
            zone(&zones[0], "zv1", "192.168.0.100/24"),
            zone(&zones[1], "zv2", "192.168.0.101/24"),
        ),
    )
    .expect("spec");
    let spec = spec.to_str().expect("utf-8").to_string();
    let snap = |env: &Env| {
        (
            names(env),
            exec(env, &["nft", "list", "tables"]),
            exec(env, &["cat", "/proc/sys/net/ipv4/ip_forward"]),
            zones
                .clone()
                .map(|z| xbow::backend::linux::netns::exists(&z)),
        )
    };
    let before = snap(&env);
    // How long a whole up and down take, to kill within them.
    let t = std::time::Instant::now();
    env.xbow(&["net", "up", &spec]).ok();
    let up_ms = t.elapsed().as_millis() as u64 + 1;
    let t = std::time::Instant::now();
    env.xbow(&["net", "down", &spec]).ok();
    let down_ms = t.elapsed().as_millis() as u64 + 1;
    assert_eq!(snap(&env), before);
    eprintln!("kill test: up {up_ms} ms, down {down_ms} ms");
    let mut next = random("kill test");
    for round in 0..24 {
        let (verb, span) = if round % 2 == 0 {
            ("up", up_ms)
        } else {
            env.xbow(&["net", "up", &spec]).ok();
            ("down", down_ms)
        };
        let wait = next(span);
        env.killed_after(
            &["net", verb, &spec],
            std::time::Duration::from_millis(wait),
        );
        let r = env.xbow(&["net", "up", &spec]);
        assert_eq!(
            r.code, 0,
            "round {round} ({verb} killed after {wait} ms): {}",
            r.stderr
        );
        let r = env.xbow(&["net", "down", &spec]);
        assert_eq!(
            r.code, 0,
            "round {round} ({verb} killed after {wait} ms): {}",
            r.stderr
        );
        assert_eq!(
            snap(&env),
            before,
            "round {round} ({verb} killed after {wait} ms)"
        );
    }
}

/// `kill -9` during `ipnat -f` of 1,000 rules: afterwards the kernel's
/// nftables rules and `ipnat -l` agree, and hold none or all of the file
/// (a load is one change of the state and the kernel, with `--atomic` or
/// without).
#[test]
fn killed_nat_loads_leave_the_kernel_and_the_list_agreeing() {
    let Some(env) = env() else { return };
    let file = |n: usize| {
        let text: String = (0..n)
            .map(|i| format!("map eri0 10.{}.{}.0/24 -> 0/32\n", i / 250, i % 250))
            .collect();
        let p = env.dir().join(format!("r{n}.conf"));
        std::fs::write(&p, text).expect("rules");
        p.to_str().expect("utf-8").to_string()
    };
    let listed = |env: &Env| {
        env.xbow(&["ipnat", "-l"])
            .stdout
            .lines()
            .filter(|l| l.starts_with("map "))
            .count()
    };
    let in_kernel = |env: &Env| {
        exec(env, &["nft", "list", "table", "ip", "xbow"])
            .lines()
            .filter(|l| l.contains("masquerade"))
            .count()
    };
    let mut next = random("nat kill test");
    for (n, atomic, rounds) in [(1000, true, 8), (1000, false, 8)] {
        let f = file(n);
        let mut args = vec!["ipnat"];
        if atomic {
            args.push("--atomic");
        }
        args.extend(["-f", f.as_str()]);
        let t = std::time::Instant::now();
        env.xbow(&args).ok();
        let span = t.elapsed().as_millis() as u64 + 1;
        env.xbow(&["ipnat", "-C"]).ok();
        for round in 0..rounds {
            let wait = next(span);
            env.killed_after(&args, std::time::Duration::from_millis(wait));
            let what = format!(
                "{n} rules, atomic {atomic}, killed after {wait} of {span} ms (round {round})"
            );
            let l = listed(&env);
            assert_eq!(in_kernel(&env), l, "{what}");
            assert!(l == 0 || l == n, "{what}: {l} rules listed");
            env.xbow(&["ipnat", "-C"]).ok();
            assert_eq!((listed(&env), in_kernel(&env)), (0, 0), "{what}");
        }
    }
}

/// A run is one change of the kernel; when the kernel refuses it, the
/// steps run again one at a time, so a failure undoes the steps before it
/// one by one, and an undo that fails is reported.
#[test]
fn undo_failure_is_reported() {
    let Some(env) = env() else { return };
    let spec = env.dir().join("net.json");
    std::fs::write(
        &spec,
        r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}, {"name": "v1", "over": "s0"}]}"#,
    )
    .expect("spec");
    // Changes 1-3 are the steps in the run's batch, 4 its commit (which
    // fails); then step 3 (change 7) fails on its own, the undo of step 2
    // (change 8) fails too, and the undo of step 1 finds s0 busy.
    let r = env
        .cmd()
        .args(["net", "up", spec.to_str().expect("utf-8")])
        .env("XBOW_SIM_FAIL_AT", "4,7,8")
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "xbow net: step 3 of 3 failed: dladm create-vnic -l s0 v1: vnic creation over s0 failed: injected failure of change 7 (XBOW_SIM_FAIL_AT=4,7,8)\n\
         undo failed: dladm delete-vnic v0: vnic deletion failed: injected failure of change 8 (XBOW_SIM_FAIL_AT=4,7,8)\n\
         undo failed: dladm delete-etherstub s0: vnic deletion failed: link busy\n\
         rolled back with 2 undo failure(s): the objects above may be left over\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&r.stdout),
        "dladm create-etherstub s0\ndladm create-vnic -l s0 v0\ndladm create-vnic -l s0 v1\n",
        "each step echoed once"
    );
    assert_eq!(env.dladm(&["show-vnic", "-p", "-o", "link"]).stdout, "v0\n");
    env.dladm(&["delete-vnic", "v0"]).ok();
    env.dladm(&["delete-etherstub", "s0"]).ok();
}

#[test]
fn dlstat_counts_what_goes_through_a_vnic() {
    let Some(env) = env() else { return };
    let ns = env.linux.clone().expect("linux");
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic1"]).ok();
    let counts = |link: &str| -> Vec<u64> {
        let r = env.xbow(&["dlstat", "-p", "-o", "ipkts,rbytes,opkts,obytes", link]);
        r.ok()
            .stdout
            .trim()
            .split(':')
            .map(|v| v.parse().expect("count"))
            .collect()
    };
    let before = (counts("vnic0"), counts("vnic1"));
    // A datagram to a neighbour nobody answers for: vnic0 sends ARP
    // requests, which the etherstub's bridge floods to vnic1.
    common::ip(&["-n", &ns, "addr", "add", "10.9.0.1/24", "dev", "vnic0"]);
    exec(
        &env,
        &["bash", "-c", "echo x >/dev/udp/10.9.0.2/9; sleep 0.3"],
    );
    let after = (counts("vnic0"), counts("vnic1"));
    assert!(after.0[2] > before.0[2], "vnic0 sent: {before:?} {after:?}");
    assert!(
        after.0[3] >= before.0[3] + 42,
        "vnic0 bytes: {before:?} {after:?}"
    );
    assert!(
        after.1[0] > before.1[0],
        "vnic1 received: {before:?} {after:?}"
    );
    // dladm sees the same counters.
    let r = env.dladm(&["show-link", "-s", "-p", "-o", "opackets", "vnic0"]);
    let opackets: u64 = r.ok().stdout.trim().parse().expect("count");
    assert!(opackets >= after.0[2], "{opackets} {after:?}");
}
