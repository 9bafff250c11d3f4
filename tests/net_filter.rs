//! `xbow net` specs with `"filter"` on the sim: the global zone's rules
//! and a zone's GZ-controlled rules, planned, loaded (idempotent, all or
//! none), kept in xbow's block of `ipf.conf` and `ZONEPATH/etc/ipf.conf`,
//! shown by status, removed by down; and the firewall of
//! examples/crossbow-firewall.json played with `sim nat-flow`/`sim packet`.

mod common;

use common::{Env, Run, sim_state as state, write_spec};

const EXAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/examples/crossbow-firewall.json"
);

const BEGIN: &str = "# BEGIN xbow net: managed by xbow; change the spec, not these lines";

/// The uplink of the example, with its address.
fn setup() -> Option<Env> {
    let env = Env::sim_only()?;
    env.xbow(&["sim", "add-phys", "eri0", "--addr", "203.0.113.2/24"])
        .ok();
    Some(env)
}

fn packet(env: &Env, args: &[&str]) -> String {
    let mut v = vec!["sim", "packet"];
    v.extend_from_slice(args);
    env.xbow(&v).ok().stdout.clone()
}

fn flow(env: &Env, args: &[&str]) -> Run {
    let mut v = vec!["sim", "nat-flow"];
    v.extend_from_slice(args);
    env.xbow(&v)
}

#[test]
fn plan_prints_the_ipf_commands() {
    let Some(env) = setup() else { return };
    let r = env.xbow(&["net", "plan", EXAMPLE]);
    assert_eq!(
        r.ok().stdout,
        common::golden("net-plan-crossbow-firewall.out")
    );
}

#[test]
fn up_twice_status_and_down() {
    let Some(env) = setup() else { return };
    let before = state(&env);
    let r = env.xbow(&["net", "up", EXAMPLE]);
    assert_eq!(
        r.ok().stdout,
        common::golden("net-plan-crossbow-firewall.out")
    );
    // The rules are loaded and kept in xbow's blocks.
    let st = state(&env);
    let ipf_conf = st["ipf_conf"].as_str().unwrap();
    assert!(ipf_conf.starts_with(BEGIN), "{ipf_conf}");
    assert!(ipf_conf.contains("\nblock in on eri0 all\n"), "{ipf_conf}");
    let zone_conf = st["zone_ipf_conf"]["/zones/test2/etc/ipf.conf"]
        .as_str()
        .unwrap();
    assert!(zone_conf.contains("\nblock in all\n"), "{zone_conf}");
    assert_eq!(
        env.xbow(&["ipfstat", "-G", "test2", "-i"]).ok().stdout,
        "block in all\npass in quick from 192.168.0.0/24 to any keep state\n"
    );
    assert!(
        env.xbow(&["ipfstat", "-o"])
            .ok()
            .stdout
            .contains("block out quick on eri0 from 192.168.0.101/32 to any\n")
    );
    // Idempotent: a second up changes nothing.
    let after_up = state(&env);
    let r = env.xbow(&["net", "up", EXAMPLE]);
    assert_eq!(
        r.ok().stdout,
        format!("nothing to change: the host matches {EXAMPLE}\n")
    );
    assert_eq!(state(&env), after_up);
    let r = env.xbow(&["net", "status", EXAMPLE]);
    let out = r.ok().stdout.clone();
    assert!(out.lines().skip(1).all(|l| l.ends_with(" yes")), "{out}");
    assert!(
        out.contains("\nfilter    block in on eri0 all  loaded"),
        "{out}"
    );
    assert!(
        out.contains("\nzone-filter test2: block in all loaded"),
        "{out}"
    );
    let r = env.xbow(&["net", "status", "--json", EXAMPLE]);
    let j: serde_json::Value = serde_json::from_str(&r.ok().stdout).unwrap();
    let kinds: Vec<&str> = j
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "filter" || e["kind"] == "zone-filter")
        .map(|e| e["actual"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, vec!["loaded"; 9]);
    // A rule flushed by hand: status says so, up puts it back alone.
    env.xbow(&["ipf", "-G", "-Fi", "test2"]).ok();
    let r = env.xbow(&["net", "status", EXAMPLE]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(
            "zone-filter test2: block in all loaded                absent                no"
        ),
        "{}",
        r.stdout
    );
    let r = env.xbow(&["net", "up", EXAMPLE]);
    assert_eq!(
        r.ok().stdout,
        "printf '%s\\n' 'block in all' 'pass in quick from 192.168.0.0/24 to any keep state' | xbow ipf --atomic -G -f - test2\n"
    );
    // Traffic makes states; down still takes everything away.
    flow(
        &env,
        &["tcp", "192.168.0.100:4000", "8.8.8.8:80", "--out", "eri0"],
    )
    .ok();
    packet(
        &env,
        &[
            "tcp",
            "198.51.100.7:5555",
            "203.0.113.2:22",
            "--in",
            "eri0",
            "--flags",
            "S",
        ],
    );
    env.xbow(&["net", "down", EXAMPLE]).ok();
    let st = state(&env);
    assert_eq!(st["ipf_conf"], serde_json::Value::Null);
    assert_eq!(st["zone_ipf_conf"], serde_json::Value::Null);
    assert_eq!(st["zone_filters"], serde_json::Value::Null);
    assert_eq!(st["filter"]["sets"], serde_json::json!([[], []]));
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(&st["links"]), names(&before["links"]));
    assert_eq!(st["services"], serde_json::Value::Null);
}

#[test]
fn the_firewall_of_the_example() {
    let Some(env) = setup() else { return };
    env.xbow(&["net", "up", EXAMPLE]).ok();
    // test1 goes out (and is NATed); the reply comes back by the state.
    let r = flow(
        &env,
        &["tcp", "192.168.0.100:4000", "8.8.8.8:80", "--out", "eri0"],
    );
    assert!(
        r.ok()
            .stdout
            .starts_with("MAP 192.168.0.100   4000  <- -> 203.0.113.2     1024"),
        "{}",
        r.stdout
    );
    flow(
        &env,
        &["tcp", "8.8.8.8:80", "203.0.113.2:1024", "--in", "eri0"],
    )
    .ok();
    // test2 stays inside.
    let r = flow(
        &env,
        &["tcp", "192.168.0.101:4000", "8.8.8.8:80", "--out", "eri0"],
    );
    assert_eq!(
        r.stderr,
        "xbow sim: nat-flow: blocked by the out filter: block out quick on eri0 from 192.168.0.101/32 to any\n"
    );
    // Nothing from outside reaches test2, ssh included.
    assert_eq!(
        packet(
            &env,
            &[
                "tcp",
                "198.51.100.7:5555",
                "192.168.0.101:80",
                "--in",
                "eri0",
                "--flags",
                "S"
            ]
        ),
        "block\n\trule: block in quick on eri0 from any to 192.168.0.0/24\n"
    );
    assert_eq!(
        packet(
            &env,
            &[
                "tcp",
                "198.51.100.7:5556",
                "192.168.0.101:22",
                "--in",
                "eri0",
                "--flags",
                "S"
            ]
        ),
        "block\n\trule: block in quick on eri0 from any to 192.168.0.0/24\n"
    );
    // ssh to the global zone's uplink address is answered.
    assert_eq!(
        packet(
            &env,
            &[
                "tcp",
                "198.51.100.7:5557",
                "203.0.113.2:22",
                "--in",
                "eri0",
                "--flags",
                "S"
            ]
        ),
        "pass\n\trule: pass in quick on eri0 proto tcp from any to any port = ssh flags S/FSRPAU keep state\n\tstate: created\n"
    );
    // Anything else on the uplink is blocked.
    assert_eq!(
        packet(
            &env,
            &[
                "tcp",
                "198.51.100.7:5558",
                "203.0.113.2:80",
                "--in",
                "eri0",
                "--flags",
                "S"
            ]
        ),
        "block\n\trule: block in on eri0 all\n"
    );
    // test2's GZ-controlled stack takes only the private network.
    assert_eq!(
        packet(
            &env,
            &[
                "tcp",
                "10.9.9.9:5559",
                "192.168.0.101:22",
                "--in",
                "vnic2",
                "--flags",
                "S"
            ]
        ),
        "block\n\trule: block in all\n\tstack: zone test2 (GZ-controlled)\n"
    );
    assert_eq!(
        packet(
            &env,
            &[
                "tcp",
                "192.168.0.1:5560",
                "192.168.0.101:22",
                "--in",
                "vnic2",
                "--flags",
                "S"
            ]
        ),
        "pass\n\tno rule matched: the default (pass)\n\tstack: zone test2\n"
    );
}

#[test]
fn zone_rules_come_back_when_the_zone_boots() {
    let Some(env) = setup() else { return };
    env.xbow(&["net", "up", EXAMPLE]).ok();
    env.xbow(&["sim", "zoneadm", "-z", "test2", "halt"]).ok();
    assert!(state(&env)["zone_filters"].is_null());
    // The block of ZONEPATH/etc/ipf.conf stays; booting the zone loads
    // it (as the brand does), and the plan's ipf steps find it loaded.
    let r = env.xbow(&["net", "up", EXAMPLE]);
    assert!(
        r.ok()
            .stdout
            .starts_with("zoneadm -z test2 boot\nipf -GE test2\n")
    );
    assert_eq!(
        env.xbow(&["ipfstat", "-G", "test2", "-i"]).ok().stdout,
        "block in all\npass in quick from 192.168.0.0/24 to any keep state\n"
    );
    // `xbow sim zoneadm` is zoneadm alone, without a brand's hooks: the
    // zone's stacks come up empty, IP Filter off.
    env.xbow(&["sim", "zoneadm", "-z", "test2", "halt"]).ok();
    env.xbow(&["sim", "zoneadm", "-z", "test2", "boot"]).ok();
    let r = env.xbow(&["ipfstat", "-G", "test2", "-i"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "", "ioctl(SIOCIPFITER): I/O error\n")
    );
}

#[test]
fn lines_outside_the_block_stay() {
    let Some(env) = setup() else { return };
    // The admin's own rules file.
    let mut st = state(&env);
    st["ipf_conf"] = serde_json::json!("# site policy\npass in quick on lo0 all\n");
    std::fs::write(env.state_path(), st.to_string()).unwrap();
    env.xbow(&["net", "up", EXAMPLE]).ok();
    let text = state(&env)["ipf_conf"].as_str().unwrap().to_string();
    assert!(
        text.starts_with(&format!(
            "# site policy\npass in quick on lo0 all\n{BEGIN}\n"
        )),
        "{text}"
    );
    env.xbow(&["net", "down", EXAMPLE]).ok();
    let st = state(&env);
    assert_eq!(st["ipf_conf"], "# site policy\npass in quick on lo0 all\n");
    // The file has rules of its own: IP Filter stays on.
    assert_eq!(st["services"]["svc:/network/ipfilter:default"], "online");
}

#[test]
fn a_refused_rule_undoes_the_whole_up() {
    let Some(env) = setup() else { return };
    let before = state(&env);
    // The kernel refuses a rule for a group that has no head (ESRCH).
    let spec = std::fs::read_to_string(EXAMPLE).unwrap().replace(
        "\"pass out quick all keep state\"",
        "\"pass out quick all keep state\", \"pass in all group 100\"",
    );
    let p = write_spec(&env, &spec);
    let r = env.xbow(&["net", "up", &p]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("xbow ipf --atomic -G -f - test2: /dev/ipf of zone test2 (GZ-controlled): ipf --atomic: ioctl(add/insert rule): pass in all group 100: No such process"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("the host is as it was"), "{}", r.stderr);
    let after = state(&env);
    for k in [
        "links",
        "zones",
        "zone_filters",
        "zone_ipf_conf",
        "ipf_conf",
        "services",
    ] {
        assert_eq!(after[k], before[k], "{k}");
    }
    assert_eq!(after["filter"]["sets"], before["filter"]["sets"]);
}

#[test]
fn filter_lines_are_validated_before_anything_changes() {
    let Some(env) = setup() else { return };
    let before = state(&env);
    let base = std::fs::read_to_string(EXAMPLE).unwrap();
    let cases = [
        (
            "\"block in on eri0 all\",",
            "\"block in on eri0 al\",",
            "$.filter[0]: 'block in on eri0 al': ",
        ),
        (
            "\"block in all\",",
            "\"block in all\", \"block in all\",",
            "$.zones[1].filter[1]: 'block in all' repeats a rule of $.zones[1].filter[0]",
        ),
        (
            "\"block in all\",",
            "\"# a comment\",",
            "$.zones[1].filter[0]: '# a comment': holds no rule",
        ),
        (
            "\"block in all\",",
            "\"block in all\\npass in all\",",
            "$.zones[1].filter[0]: 'block in all\\npass in all': '\\n' is not allowed",
        ),
        (
            "\"zonepath\": \"/zones/test2\",",
            "\"zonepath\": \"/zones/test2\", \"boot\": false,",
            "$.zones[1].filter: a zone's filter rules live in its IP stack",
        ),
    ];
    for (from, to, want) in cases {
        let spec = base.replacen(from, to, 1);
        assert_ne!(spec, base, "{from}");
        let p = write_spec(&env, &spec);
        for cmd in ["plan", "up"] {
            let r = env.xbow(&["net", cmd, &p]);
            assert_eq!(r.code, 1, "{cmd} {to}");
            assert!(
                r.stderr.contains(want),
                "{cmd} {to}: {} (want {want})",
                r.stderr
            );
        }
    }
    assert_eq!(state(&env), before);
}
