//! The sim backend itself: persistence across `xbow sim reboot`, locking
//! under concurrency, state-file robustness, and the top-level CLI.

mod common;

use common::{Env, XBOW};
use std::process::Command;

fn sim() -> Option<Env> {
    Env::sim_only()
}

fn macs(env: &Env) -> String {
    env.dladm(&["show-vnic", "-p", "-o", "link,macaddress,macaddrtype"])
        .ok()
        .stdout
        .clone()
}

#[test]
fn reboot_keeps_persistent_links_and_their_macs() {
    let Some(env) = sim() else { return };
    env.xbow(&[
        "sim",
        "add-phys",
        "e1000g0",
        "--factory-mac",
        "0:1b:21:0:0:1",
    ])
    .ok();
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "-p", "maxbw=100M", "vnic0"])
        .ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "-m", "factory", "fac0"])
        .ok();
    env.dladm(&["create-vnic", "-t", "-l", "stub0", "tmp0"])
        .ok();
    env.dladm(&["create-etherstub", "-t", "tstub0"]).ok();
    env.dladm(&["set-linkprop", "-t", "-p", "priority=low", "vnic0"])
        .ok();
    let before = macs(&env);
    assert!(
        before.contains("fac0:0\\:1b\\:21\\:0\\:0\\:1:factory, slot 1"),
        "{before}"
    );
    env.xbow(&["sim", "reboot"]).ok();
    let after = macs(&env);
    assert_eq!(
        after,
        before
            .lines()
            .filter(|l| !l.starts_with("tmp0"))
            .map(|l| format!("{l}\n"))
            .collect::<String>()
    );
    assert_eq!(env.dladm(&["show-etherstub"]).ok().stdout, "LINK\nstub0\n");
    let v = env.dladm(&[
        "show-linkprop",
        "-c",
        "-o",
        "property,value",
        "-p",
        "maxbw,priority",
        "vnic0",
    ]);
    assert_eq!(v.ok().stdout, "maxbw:  100\npriority:high\n");
    // Link ids are not reused: a new link lists after the old ones.
    env.dladm(&["create-etherstub", "astub0"]).ok();
    assert_eq!(
        env.dladm(&["show-etherstub"]).ok().stdout,
        "LINK\nstub0\nastub0\n"
    );
}

/// A NIC without factory addresses: `mac_addr_factory_reserve()` answers
/// ENOTSUP before it looks at the slot, which libdladm reports as
/// "operation not supported"; `auto` falls back to a random address.
#[test]
fn factory_addresses_on_a_nic_without_them() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "e1000g0"]).ok();
    for extra in [&[][..], &["-n", "1"]] {
        let mut args = vec!["create-vnic", "-l", "e1000g0", "-m", "factory"];
        args.extend(extra);
        args.push("f0");
        env.dladm(&args)
            .fails_with("dladm: vnic creation over e1000g0 failed: operation not supported\n");
    }
    env.dladm(&["create-vnic", "-l", "e1000g0", "a0"]).ok();
    let r = env.dladm(&["show-vnic", "-p", "-o", "macaddrtype", "a0"]);
    assert_eq!(r.ok().stdout, "random\n");
}

#[test]
fn factory_slots() {
    let Some(env) = sim() else { return };
    env.xbow(&[
        "sim",
        "add-phys",
        "e1000g0",
        "--factory-mac",
        "0:1b:21:0:0:1",
        "--factory-mac",
        "0:1b:21:0:0:2",
    ])
    .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        "e1000g0",
        "-m",
        "factory",
        "-n",
        "2",
        "f2",
    ])
    .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        "e1000g0",
        "-m",
        "factory",
        "-n",
        "2",
        "f3",
    ])
    .fails_with(
        "dladm: vnic creation over e1000g0 failed: factory MAC address slot already used\n",
    );
    env.dladm(&[
        "create-vnic",
        "-l",
        "e1000g0",
        "-m",
        "factory",
        "-n",
        "3",
        "f3",
    ])
    .fails_with("dladm: vnic creation over e1000g0 failed: invalid factory MAC address slot\n");
    env.dladm(&["create-vnic", "-l", "e1000g0", "f1"]).ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "-m", "factory", "f3"])
        .fails_with(
            "dladm: vnic creation over e1000g0 failed: all factory MAC address slots are in use\n",
        );
    env.dladm(&["create-vnic", "-l", "e1000g0", "r0"]).ok();
    let rows = macs(&env);
    assert!(
        rows.contains("f2:0\\:1b\\:21\\:0\\:0\\:2:factory, slot 2\n"),
        "{rows}"
    );
    assert!(
        rows.contains("f1:0\\:1b\\:21\\:0\\:0\\:1:factory, slot 1\n"),
        "{rows}"
    );
    assert!(rows.contains("r0:2\\:8\\:20\\:"), "{rows}");
    // VRRP addresses are derived from the VRID.
    env.dladm(&[
        "create-vnic",
        "-l",
        "e1000g0",
        "-m",
        "vrrp",
        "-V",
        "12",
        "-A",
        "inet",
        "vr0",
    ])
    .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        "e1000g0",
        "-m",
        "vrrp",
        "-V",
        "12",
        "-A",
        "inet6",
        "vr1",
    ])
    .ok();
    let r = env.dladm(&["show-vnic", "-p", "-o", "macaddress,macaddrtype", "vr0"]);
    assert_eq!(r.ok().stdout, "0\\:0\\:5e\\:0\\:1\\:c:vrrp, 12/inet\n");
    let r = env.dladm(&["show-vnic", "-p", "-o", "macaddress", "vr1"]);
    assert_eq!(r.ok().stdout, "0:0:5e:0:2:c\n");
}

#[test]
fn vnics_over_a_nic_report_its_speed() {
    let Some(env) = sim() else { return };
    env.xbow(&[
        "sim", "add-phys", "ixgbe0", "--speed", "10000", "--mtu", "9000",
    ])
    .ok();
    env.dladm(&["create-vnic", "-l", "ixgbe0", "v0"]).ok();
    let r = env.dladm(&["show-vnic", "-p", "-o", "speed", "v0"]);
    assert_eq!(r.ok().stdout, "10000\n");
    let r = env.dladm(&["show-link", "-p", "-o", "link,mtu,over"]);
    assert_eq!(r.ok().stdout, "ixgbe0:9000:\nv0:9000:ixgbe0\n");
    env.xbow(&["sim", "remove-phys", "ixgbe0"])
        .fails_with("xbow sim: remove-phys ixgbe0: link busy\n");
    env.dladm(&["delete-vnic", "v0"]).ok();
    env.xbow(&["sim", "remove-phys", "ixgbe0"]).ok();
    assert_eq!(env.dladm(&["show-phys"]).ok().stdout, "");
}

#[test]
fn concurrent_creates_are_serialized() {
    let Some(env) = sim() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    let children: Vec<_> = (0..8)
        .map(|p| {
            let script = (0..50)
                .map(|i| format!("\"$0\" dladm create-vnic -l stub0 p{p}v{i} || exit 1"))
                .collect::<Vec<_>>()
                .join("\n");
            Command::new("sh")
                .arg("-c")
                .arg(script)
                .arg(XBOW)
                .env("XBOW_BACKEND", "sim")
                .env("XBOW_SIM_STATE", env.state_path())
                .spawn()
                .expect("spawn")
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let out = env
        .dladm(&["show-vnic", "-p", "-o", "link"])
        .ok()
        .stdout
        .clone();
    assert_eq!(out.lines().count(), 400);
    let text = std::fs::read_to_string(env.state_path()).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["links"].as_array().unwrap().len(), 401);
}

#[test]
fn corrupt_or_unknown_state_is_refused_and_kept() {
    let Some(env) = sim() else { return };
    let p = env.state_path();
    std::fs::write(&p, "{ not json").unwrap();
    let r = env.dladm(&["create-etherstub", "stub0"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(&format!(
            "dladm: etherstub creation failed: sim state {}: not valid JSON (left untouched): ",
            p.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), "{ not json");
    std::fs::write(&p, "{\"version\": 99, \"links\": []}").unwrap();
    let r = env.dladm(&["show-link"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "unsupported version (left untouched): version 99, this xbow reads version 1"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        "{\"version\": 99, \"links\": []}"
    );
}

#[test]
fn dladm_symlink_behaves_like_xbow_dladm() {
    let Some(env) = sim() else { return };
    let link = env.dir().join("dladm");
    std::os::unix::fs::symlink(XBOW, &link).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(&link)
            .args(args)
            .env("XBOW_BACKEND", "sim")
            .env("XBOW_SIM_STATE", env.state_path())
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8(o.stdout).unwrap(),
            String::from_utf8(o.stderr).unwrap(),
        )
    };
    assert_eq!(
        run(&["create-etherstub", "stub0"]),
        (Some(0), String::new(), String::new())
    );
    for args in [
        vec!["show-etherstub"],
        vec![],
        vec!["show-vnic", "-p"],
        vec!["nope"],
        vec!["create-vnic", "-l", "stub0", "-m", "fixed", "v0"],
    ] {
        let a = env.dladm(&args);
        assert_eq!(
            run(&args),
            (Some(a.code), a.stdout.clone(), a.stderr.clone()),
            "{args:?}"
        );
    }
}

#[test]
fn json_output() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "e1000g0", "--speed", "1000"])
        .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        "e1000g0",
        "-m",
        "2:8:20:1:2:3",
        "-v",
        "7",
        "-p",
        "maxbw=100M",
        "v0",
    ])
    .ok();
    let j = |args: &[&str]| -> serde_json::Value {
        serde_json::from_str(&env.dladm(args).ok().stdout).unwrap()
    };
    assert_eq!(
        j(&["show-vnic", "--json"]),
        serde_json::json!([{"link": "v0", "over": "e1000g0", "speed": 1000, "macaddress": "2:8:20:1:2:3", "macaddrtype": "fixed", "vid": 7}])
    );
    assert_eq!(
        j(&["show-linkprop", "--json", "-p", "maxbw,mtu,priority", "v0"]),
        serde_json::json!([
            {"link": "v0", "property": "maxbw", "perm": "rw", "value": 100_000_000, "default": null, "possible": null},
            {"link": "v0", "property": "mtu", "perm": "rw", "value": 1500, "default": 1500, "possible": ["1500"]},
            {"link": "v0", "property": "priority", "perm": "rw", "value": "high", "default": "high", "possible": ["low", "medium", "high"]}
        ])
    );
    assert_eq!(
        j(&["show-link", "--json", "-o", "link,mtu"]),
        serde_json::json!([{"link": "e1000g0", "mtu": 1500}, {"link": "v0", "mtu": 1500}])
    );
    assert_eq!(j(&["show-etherstub", "--json"]), serde_json::json!([]));
    assert_eq!(
        j(&["show-phys", "--json"]),
        serde_json::json!([{"link": "e1000g0", "media": "Ethernet", "state": "up", "speed": 1000, "duplex": "full", "device": "e1000g0"}])
    );
}

#[test]
fn top_level_cli() {
    let Some(env) = sim() else { return };
    let r = env.xbow(&["--version"]);
    assert_eq!(
        r.ok().stdout,
        format!("xbow {}\n", env!("CARGO_PKG_VERSION"))
    );
    let r = env.xbow(&["--help"]);
    assert!(r.ok().stdout.contains("dladm"), "{}", r.stdout);
    for shell in ["bash", "zsh", "fish"] {
        let r = env.xbow(&["completions", shell]);
        assert!(r.ok().stdout.contains("create-vnic"), "{shell}");
    }
    let r = env.xbow(&["sim", "add-phys", "bad-name"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "xbow sim: add-phys bad-name: invalid link name\n")
    );
    env.xbow(&["sim", "add-phys", "e1000g0"]).ok();
    let r = env.xbow(&["sim", "add-phys", "e1000g0"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "xbow sim: add-phys e1000g0: object already exists\n")
    );
    let r = env.xbow(&["sim", "path"]);
    assert_eq!(r.ok().stdout, format!("{}\n", env.state_path().display()));
    let r = env.xbow(&["bogus"]);
    assert_eq!(r.code, 2);
}

/// Mode bits of `p` (not following a link).
fn mode(p: &std::path::Path) -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::symlink_metadata(p).unwrap().mode() & 0o7777
}

#[test]
fn a_symlinked_state_file_is_refused_and_its_target_untouched() {
    let Some(env) = sim() else { return };
    let target = env.dir().join("target.json");
    std::fs::write(&target, "precious\n").unwrap();
    std::os::unix::fs::symlink(&target, env.state_path()).unwrap();
    let p = env.state_path();
    for args in [&["create-etherstub", "stub0"][..], &["show-link"]] {
        let r = env.dladm(args);
        assert_eq!(r.code, 1, "{args:?}");
        assert!(
            r.stderr.ends_with(&format!(
                "sim state {}: is a symbolic link; xbow does not follow it\n",
                p.display()
            )),
            "{}",
            r.stderr
        );
    }
    assert!(
        std::fs::symlink_metadata(&p)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious\n");
}

#[test]
fn files_are_private_whatever_the_umask() {
    let Some(env) = sim() else { return };
    let dir = env.dir().join("new/sub");
    let state = dir.join("sim.json");
    let r: common::Run = Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$0\" dladm create-etherstub stub0")
        .arg(XBOW)
        .env("XBOW_BACKEND", "sim")
        .env("XBOW_SIM_STATE", &state)
        .output()
        .unwrap()
        .into();
    r.ok();
    assert_eq!(mode(&env.dir().join("new")), 0o700);
    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&state), 0o600);
    assert_eq!(mode(&dir.join("sim.json.lock")), 0o600);
    // A lock file an older xbow left readable by anyone is made private.
    let lock = dir.join("sim.json.lock");
    std::fs::set_permissions(&lock, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let r: common::Run = Command::new(XBOW)
        .args(["dladm", "create-etherstub", "stub1"])
        .env("XBOW_BACKEND", "sim")
        .env("XBOW_SIM_STATE", &state)
        .output()
        .unwrap()
        .into();
    r.ok();
    assert_eq!(mode(&lock), 0o600);
}

#[test]
fn stale_temporary_files_are_removed() {
    let Some(env) = sim() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    let d = env.dir();
    let target = d.join("target");
    std::fs::write(&target, "keep").unwrap();
    std::fs::write(d.join("sim.json.tmp.4000000"), "{ half").unwrap();
    std::fs::write(d.join("sim.json.tmp.17"), "").unwrap();
    std::fs::write(d.join("sim.json.tmp.x"), "not ours").unwrap();
    std::os::unix::fs::symlink(&target, d.join("sim.json.tmp.4000001")).unwrap();
    env.dladm(&["create-etherstub", "stub1"]).ok();
    let mut left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("sim.json.tmp"))
        .collect();
    left.sort();
    assert_eq!(left, ["sim.json.tmp.4000001", "sim.json.tmp.x"]);
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
}

#[test]
fn an_endless_state_file_is_refused() {
    let Some(env) = sim() else { return };
    let r: common::Run = env
        .cmd()
        .env("XBOW_SIM_STATE", "/dev/zero")
        .args(["dladm", "show-link"])
        .output()
        .unwrap()
        .into();
    r.fails_with(
        "dladm: failed to show links: sim state /dev/zero: cannot read: larger than the 64 MiB limit\n",
    );
}

#[test]
fn a_lock_held_too_long_is_reported() {
    let Some(env) = sim() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    let lock = env.dir().join("sim.json.lock");
    let held = std::fs::File::open(&lock).unwrap();
    held.lock().unwrap();
    let r: common::Run = env
        .cmd()
        .env("XBOW_LOCK_TIMEOUT", "0.2")
        .args(["dladm", "create-etherstub", "stub1"])
        .output()
        .unwrap()
        .into();
    assert_eq!(r.code, 1);
    let want = format!(
        "dladm: etherstub creation failed: sim state {}: cannot lock: locked by another \
         process (pid {}, lock file {} owned by uid ",
        env.state_path().display(),
        std::process::id(),
        lock.display()
    );
    assert!(r.stderr.starts_with(&want), "{}\nwanted {want}", r.stderr);
    assert!(r.stderr.contains("set XBOW_LOCK_TIMEOUT to wait longer"));
    // Released within the wait: the change is made.
    let child = env
        .cmd()
        .env("XBOW_LOCK_TIMEOUT", "30")
        .args(["dladm", "create-etherstub", "stub2"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(100));
    drop(held);
    assert!(child.wait_with_output().unwrap().status.success());
    let r = env
        .cmd()
        .env("XBOW_LOCK_TIMEOUT", "soon")
        .args(["dladm", "create-etherstub", "stub3"])
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&r.stderr)
            .contains("XBOW_LOCK_TIMEOUT=\"soon\": not a number of seconds"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
}
