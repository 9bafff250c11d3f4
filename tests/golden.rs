//! Byte-exact renderings of the reference samples (reference dladm.md §5)
//! with the upstream illumos (U24) field widths. Sim only: they need NICs
//! with given names and speeds, and fixed "random" addresses, which the
//! tests write into the sim state as a fixture. Samples marked derived in
//! the reference have `derived` in the test name.

mod common;

use common::{Env, golden};
use serde_json::Value;

/// Give a link a given address in the sim state (fixture).
fn set_mac(env: &Env, link: &str, mac: &str) {
    let p = env.state_path();
    let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    for l in st["links"].as_array_mut().unwrap() {
        if l["name"] == link {
            for c in ["active", "persistent"] {
                if l.get(c).is_some() {
                    l[c]["mac"] = Value::from(mac);
                }
            }
        }
    }
    std::fs::write(&p, serde_json::to_string(&st).unwrap()).unwrap();
}

fn sim() -> Option<Env> {
    Env::sim_only()
}

#[test]
fn show_vnic_u24_widths_with_overflow_derived() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "igb0", "--speed", "1000"])
        .ok();
    env.dladm(&["create-vnic", "-l", "igb0", "vnic0"]).ok();
    env.dladm(&["create-etherstub", "stub1"]).ok();
    env.dladm(&["create-vnic", "-l", "stub1", "hello0"]).ok();
    env.xbow(&["sim", "add-phys", "averyverylonglink0", "--speed", "100000"])
        .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        "averyverylonglink0",
        "-m",
        "vrrp",
        "-V",
        "12",
        "-A",
        "inet6",
        "-v",
        "4094",
        "averyveryverylongvnic0",
    ])
    .ok();
    set_mac(&env, "vnic0", "2:8:20:38:a5:d6");
    set_mac(&env, "hello0", "2:8:20:b:c:d");
    set_mac(&env, "averyveryverylongvnic0", "2:8:20:38:a5:d6");
    assert_eq!(
        env.dladm(&["show-vnic"]).ok().stdout,
        golden("show-vnic-u24-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-etherstub"]).ok().stdout,
        golden("show-etherstub.out")
    );
    assert_eq!(
        env.dladm(&["show-vnic", "-p", "-o", "link,macaddress", "vnic0"])
            .ok()
            .stdout,
        golden("show-vnic-p-link-macaddress.out")
    );
}

#[test]
fn show_vnic_omnios_docs_u24_derived() {
    let Some(env) = sim() else { return };
    // The OmniOS docs print SPEED 7 wide (2016); upstream is 9 wide.
    env.xbow(&["sim", "add-phys", "igb0", "--speed", "100"])
        .ok();
    // An empty listing prints nothing, not even a header.
    assert_eq!(env.dladm(&["show-vnic"]).ok().stdout, "");
    env.dladm(&["create-vnic", "-l", "igb0", "vnic0"]).ok();
    set_mac(&env, "vnic0", "2:8:20:38:a5:d6");
    assert_eq!(
        env.dladm(&["show-vnic"]).ok().stdout,
        golden("show-vnic-omnios-docs-u24-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-vnic", "-po", "macaddress", "vnic0"])
            .ok()
            .stdout,
        "2:8:20:38:a5:d6\n"
    );
}

/// `show-vlan` (reference `linkprop.md` §7.3, derived): dladm.c
/// `do_show_vlan` / `print_vlan` through libofmt with `vlan_fields`
/// (LINK 16, VID 9, OVER 13, FLAGS 7); FLAGS `f----` for a VLAN made with
/// `-f` (`dv_force`); the name `create-vlan` derives with
/// `dlpi_parselink`/`dlpi_makelink` (`e1000g0`, VID 5 → `e1000g5000`).
#[test]
fn show_vlan_u24_derived() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "e1000g0"]).ok();
    assert_eq!(env.dladm(&["show-vlan"]).ok().stdout, "");
    env.dladm(&["create-vlan", "-l", "e1000g0", "-v", "5"]).ok();
    env.dladm(&["create-vlan", "-f", "-l", "e1000g0", "-v", "7", "vlan7"])
        .ok();
    assert_eq!(
        env.dladm(&["show-vlan"]).ok().stdout,
        golden("show-vlan-u24-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-vlan", "-P"]).ok().stdout,
        golden("show-vlan-u24-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-vlan", "-p", "-o", "link,vid,over"])
            .ok()
            .stdout,
        golden("show-vlan-p-link-vid-over-derived.out")
    );
    let json: Value =
        serde_json::from_str(&env.dladm(&["show-vlan", "--json", "vlan7"]).ok().stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"link": "vlan7", "vid": 7, "over": "e1000g0", "flags": "f----"}])
    );
    // show-link: class vlan, over the lower link (dladm.c
    // `print_link_topology`).
    let r = env.dladm(&["show-link", "-p", "-o", "link,class,over", "e1000g5000"]);
    assert_eq!(r.ok().stdout, "e1000g5000:vlan:e1000g0\n");
}

#[test]
fn show_link_omnios_docs() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "igb0"]).ok();
    env.xbow(&["sim", "add-phys", "igb1", "--state", "down"])
        .ok();
    env.dladm(&["create-etherstub", "switch10"]).ok();
    assert_eq!(
        env.dladm(&["show-link"]).ok().stdout,
        golden("show-link-omnios-docs.out")
    );
}

#[test]
fn show_linkprop_maxbw_derived() {
    let Some(env) = sim() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic1"]).ok();
    env.dladm(&["set-linkprop", "-p", "maxbw=100M", "vnic1"])
        .ok();
    assert_eq!(
        env.dladm(&["show-linkprop", "-p", "maxbw", "vnic1"])
            .ok()
            .stdout,
        golden("show-linkprop-maxbw-100M-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-linkprop", "-c", "-o", "value", "-p", "maxbw", "vnic1"])
            .ok()
            .stdout,
        golden("show-linkprop-c-value-maxbw-derived.out")
    );
}

#[test]
fn show_linkprop_mtu_smartos_sample() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "e1000g0", "--mtu-max", "16362"])
        .ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "net0"]).ok();
    env.dladm(&["create-etherstub", "etherstub0"]).ok();
    assert_eq!(
        env.dladm(&["show-linkprop", "-p", "mtu"]).ok().stdout,
        golden("show-linkprop-mtu-smartos.out")
    );
}

#[test]
fn show_linkprop_maxbw_priority_2009_sample() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "e1000g0"]).ok();
    assert_eq!(
        env.dladm(&["show-linkprop", "-p", "maxbw,priority", "e1000g0"])
            .ok()
            .stdout,
        golden("show-linkprop-maxbw-priority-2009.out")
    );
}

#[test]
fn header_repeats_every_23_rows_when_piped() {
    let Some(env) = sim() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    for i in 0..50 {
        env.dladm(&["create-vnic", "-t", "-l", "stub0", &format!("v{i}")])
            .ok();
    }
    let out = env.dladm(&["show-vnic"]).ok().stdout.clone();
    let headers: Vec<usize> = out
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("LINK "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(headers, vec![0, 24, 48]);
    assert_eq!(out.lines().count(), 53);
}

#[test]
fn usage_text_is_illumos() {
    let Some(env) = sim() else { return };
    let r = env.dladm(&["help"]);
    assert_eq!(r.stderr, golden("usage.txt"));
}

#[test]
fn header_repeats_every_window_rows_minus_one_on_a_terminal() {
    let Some(env) = sim() else { return };
    // util-linux script(1) gives the command a terminal of 10 rows.
    if std::process::Command::new("script")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("script(1) is not installed: skipped");
        return;
    }
    env.dladm(&["create-etherstub", "stub0"]).ok();
    for i in 0..20 {
        env.dladm(&["create-vnic", "-t", "-l", "stub0", &format!("v{i}")])
            .ok();
    }
    let cmd = format!(
        "stty rows 10; XBOW_BACKEND=sim XBOW_SIM_STATE='{}' '{}' dladm show-vnic",
        env.state_path().display(),
        common::XBOW
    );
    let o = std::process::Command::new("script")
        .args(["-qc", &cmd, "/dev/null"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout).replace('\r', "");
    let headers: Vec<usize> = out
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("LINK "))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(headers, vec![0, 10, 20], "{out}");
}
