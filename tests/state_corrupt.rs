//! A sim state file that parses but is inconsistent (an `over` cycle,
//! shared ids or names, references to objects that do not exist, values
//! the model refuses) is refused by every command, read-only or not, with
//! `state file PATH is inconsistent: …`, and left as it is.

mod common;

use common::Env;
use serde_json::{Value, json};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crossbow-nat.json");

/// The commands tried on each corrupt state, and the prefix each puts
/// before the error.
const COMMANDS: &[(&[&str], &str)] = &[
    (&["dladm", "show-link"], "dladm: failed to show links: "),
    (
        &["dladm", "show-linkprop"],
        "dladm: failed to show link properties: ",
    ),
    (&["dladm", "show-vnic"], "dladm: failed to show vnic: "),
    (
        &["dladm", "show-link", "-P"],
        "dladm: failed to show links: ",
    ),
    (
        &["dladm", "create-vnic", "-l", "etherstub0", "vnic9"],
        "dladm: ",
    ),
    (&["dladm", "delete-etherstub", "etherstub0"], "dladm: "),
    (&["net", "status", EXAMPLE], "xbow net: "),
    (&["net", "up", EXAMPLE], "xbow net: "),
    (&["ipnat", "-l"], "ipnat: "),
    (&["sim", "reboot"], "xbow sim: reboot: "),
];

/// A state the binary made: the article's network (an etherstub, three
/// VNICs, two running zones, NAT rules) on a NIC `eri0`, and a session.
fn base() -> Option<(Env, Value)> {
    let env = Env::sim_only()?;
    env.xbow(&["sim", "add-phys", "eri0", "--addr", "192.168.84.24/24"])
        .ok();
    env.xbow(&["net", "up", EXAMPLE]);
    env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:37153",
        "129.146.17.55:22",
    ])
    .ok();
    let text = std::fs::read_to_string(env.state_path()).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    Some((env, v))
}

/// The link named `name` in a state document.
fn link<'a>(v: &'a mut Value, name: &str) -> &'a mut Value {
    v["links"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|l| l["name"] == name)
        .unwrap_or_else(|| panic!("no link {name}"))
}

fn id(v: &mut Value, name: &str) -> u64 {
    link(v, name)["id"].as_u64().unwrap()
}

/// Write the corrupted state, run every command on it, and check that each
/// fails with exactly `what` and that the file is the same afterwards.
#[track_caller]
fn refused(env: &Env, v: &Value, what: &str) {
    let p = env.state_path();
    let text = serde_json::to_string_pretty(v).unwrap();
    std::fs::write(&p, &text).unwrap();
    let err = format!("state file {} is inconsistent: {what}", p.display());
    for (args, prefix) in COMMANDS {
        let r = env.xbow(args);
        assert_eq!(r.code, 1, "{args:?}: {}", r.stderr);
        let first = r.stderr.lines().next().unwrap_or("");
        assert_eq!(first, format!("{prefix}{err}"), "{args:?}");
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text, "{args:?}");
    }
}

#[test]
fn a_consistent_state_is_accepted() {
    let Some((env, _)) = base() else { return };
    env.dladm(&["show-link"]).ok();
    env.dladm(&["show-linkprop"]).ok();
    env.dladm(&["show-vnic"]).ok();
    env.xbow(&["ipnat", "-l"]).ok();
    env.xbow(&["net", "status", EXAMPLE]).ok();
}

#[test]
fn a_link_over_itself() {
    let Some((env, mut v)) = base() else { return };
    let vnic0 = id(&mut v, "vnic0");
    link(&mut v, "vnic0")["active"]["over"] = json!(vnic0);
    refused(
        &env,
        &v,
        &format!("link 'vnic0' (id {vnic0}) is over itself (active configuration)"),
    );
}

#[test]
fn links_over_one_another() {
    let Some((env, mut v)) = base() else { return };
    let (v0, v1) = (id(&mut v, "vnic0"), id(&mut v, "vnic1"));
    link(&mut v, "vnic0")["persistent"]["over"] = json!(v1);
    link(&mut v, "vnic1")["persistent"]["over"] = json!(v0);
    refused(
        &env,
        &v,
        &format!(
            "links 'vnic0' (id {v0}), 'vnic1' (id {v1}) are over one another in a cycle \
             (persistent configuration)"
        ),
    );
}

#[test]
fn two_links_share_an_id() {
    let Some((env, mut v)) = base() else { return };
    let v0 = id(&mut v, "vnic0");
    link(&mut v, "vnic1")["id"] = json!(v0);
    refused(
        &env,
        &v,
        &format!("links 'vnic0' and 'vnic1' share the id {v0}"),
    );
}

#[test]
fn links_out_of_order() {
    let Some((env, mut v)) = base() else { return };
    v["links"].as_array_mut().unwrap().swap(0, 1);
    let (a, b) = (id(&mut v, "eri0"), id(&mut v, "etherstub0"));
    refused(
        &env,
        &v,
        &format!(
            "link 'eri0' (id {a}) comes after link 'etherstub0' (id {b}): \
             links must be in ascending id order"
        ),
    );
}

#[test]
fn two_links_share_a_name() {
    let Some((env, mut v)) = base() else { return };
    let (v1, v2) = (id(&mut v, "vnic1"), id(&mut v, "vnic2"));
    link(&mut v, "vnic2")["name"] = json!("vnic1");
    refused(
        &env,
        &v,
        &format!("links {v1} and {v2} share the name 'vnic1'"),
    );
}

#[test]
fn an_invalid_link_name() {
    let Some((env, mut v)) = base() else { return };
    let v2 = id(&mut v, "vnic2");
    link(&mut v, "vnic2")["name"] = json!("vnic\n-2");
    refused(
        &env,
        &v,
        &format!("link id {v2} has an invalid name 'vnic\\n-2'"),
    );
}

#[test]
fn a_vnic_over_a_missing_link() {
    let Some((env, mut v)) = base() else { return };
    link(&mut v, "vnic2")["active"]["over"] = json!(77);
    let v2 = id(&mut v, "vnic2");
    refused(
        &env,
        &v,
        &format!(
            "link 'vnic2' (id {v2}) is over link id 77, which does not exist (active configuration)"
        ),
    );
}

#[test]
fn a_vnic_without_a_lower_link() {
    let Some((env, mut v)) = base() else { return };
    link(&mut v, "vnic2")["persistent"]
        .as_object_mut()
        .unwrap()
        .remove("over");
    let v2 = id(&mut v, "vnic2");
    refused(
        &env,
        &v,
        &format!("VNIC 'vnic2' (id {v2}) has no lower link (persistent configuration)"),
    );
}

#[test]
fn an_etherstub_over_a_link() {
    let Some((env, mut v)) = base() else { return };
    let eri0 = id(&mut v, "eri0");
    link(&mut v, "etherstub0")["active"]["over"] = json!(eri0);
    let stub = id(&mut v, "etherstub0");
    refused(
        &env,
        &v,
        &format!(
            "etherstub 'etherstub0' (id {stub}) is over link id {eri0}, but only a VNIC or a VLAN \
             has a lower link (active configuration)"
        ),
    );
}

#[test]
fn a_vlan_id_out_of_range() {
    let Some((env, mut v)) = base() else { return };
    link(&mut v, "vnic0")["active"]["vid"] = json!(4095);
    let v0 = id(&mut v, "vnic0");
    refused(
        &env,
        &v,
        &format!("link 'vnic0' (id {v0}) has the VLAN id 4095, above 4094 (active configuration)"),
    );
}

#[test]
fn an_interface_on_a_missing_link() {
    let Some((env, mut v)) = base() else { return };
    v["interfaces"] = json!([{ "name": "vnic7", "addrs": [] }]);
    refused(
        &env,
        &v,
        "IP interface 'vnic7' is on link 'vnic7', which does not exist",
    );
}

#[test]
fn two_interfaces_share_a_name() {
    let Some((env, mut v)) = base() else { return };
    v["interfaces"] = json!([{ "name": "vnic0" }, { "name": "vnic0" }]);
    refused(&env, &v, "there are two IP interfaces 'vnic0'");
}

#[test]
fn a_running_zone_over_a_missing_link() {
    let Some((env, mut v)) = base() else { return };
    let zone = v["zones"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|z| z["state"] == "running")
        .expect("a running zone");
    let name = zone["config"]["name"].as_str().unwrap().to_string();
    zone["config"]["nets"][0]["physical"] = json!("vnic8");
    refused(
        &env,
        &v,
        &format!("zone '{name}' is running over link 'vnic8', which does not exist"),
    );
}

#[test]
fn two_zones_share_a_name() {
    let Some((env, mut v)) = base() else { return };
    let zones = v["zones"].as_array_mut().unwrap();
    let name = zones[0]["config"]["name"].clone();
    zones[1]["config"]["name"] = name.clone();
    refused(
        &env,
        &v,
        &format!("there are two zones '{}'", name.as_str().unwrap()),
    );
}

#[test]
fn an_invalid_zone_name() {
    let Some((env, mut v)) = base() else { return };
    v["zones"][0]["config"]["name"] = json!("global");
    refused(
        &env,
        &v,
        "zone 'global' has an invalid name: it is reserved",
    );
}

#[test]
fn a_nat_session_of_a_missing_rule() {
    let Some((env, mut v)) = base() else { return };
    let s = &mut v["nat"]["sessions"][0];
    s["rule"] = json!(999);
    let sid = s["id"].as_u64().unwrap();
    refused(
        &env,
        &v,
        &format!("NAT session {sid} refers to rule 999, which does not exist"),
    );
}

#[test]
fn nat_objects_share_an_id() {
    let Some((env, mut v)) = base() else { return };
    let rid = v["nat"]["rules"][0]["id"].clone();
    v["nat"]["sessions"][0]["id"] = rid.clone();
    refused(
        &env,
        &v,
        &format!("NAT rule and NAT session share the id {rid}"),
    );
}

/// An etherstub that only a saved VNIC configuration is over can be
/// deleted, as libdladm deletes it; the state that leaves (a saved VNIC
/// over a link that is gone) is one every command still reads.
#[test]
fn a_saved_vnic_over_a_deleted_link_is_sound() {
    let Some(env) = Env::sim_only() else { return };
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["create-vnic", "-l", "stub0", "vnic0"]).ok();
    env.dladm(&["delete-vnic", "-t", "vnic0"]).ok();
    env.dladm(&["delete-etherstub", "stub0"]).ok();
    env.dladm(&["show-link", "-P"]).ok();
    env.dladm(&["show-vnic", "-P"]).ok();
    env.xbow(&["sim", "reboot"]).ok();
    env.dladm(&["show-link"]).ok();
    env.dladm(&["delete-vnic", "vnic0"]).ok();
}
