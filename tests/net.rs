//! `xbow net` on the sim: plan, up (idempotent, transactional), down,
//! status, and spec validation.

mod common;

use common::{Env, sim_state as state, write_spec};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crossbow-nat.json");

fn sim() -> Option<Env> {
    Env::sim_only()
}

/// The host the example's NAT rules refer to.
fn setup(env: &Env) {
    env.xbow(&["sim", "add-phys", "eri0"]).ok();
}

#[test]
fn plan_prints_illumos_commands() {
    let Some(env) = sim() else { return };
    setup(&env);
    let r = env.xbow(&["net", "plan", EXAMPLE]);
    assert_eq!(r.ok().stdout, common::golden("net-plan-crossbow-nat.out"));
}

#[test]
fn up_twice_status_down() {
    let Some(env) = sim() else { return };
    setup(&env);
    let before = state(&env);
    let r = env.xbow(&["net", "up", EXAMPLE]);
    assert_eq!(r.ok().stdout, common::golden("net-plan-crossbow-nat.out"));
    let after_up = state(&env);
    let r = env.xbow(&["net", "up", EXAMPLE]);
    assert_eq!(
        r.ok().stdout,
        format!("nothing to change: the host matches {EXAMPLE}\n")
    );
    assert_eq!(state(&env), after_up);
    let r = env.xbow(&["net", "status", EXAMPLE]);
    assert!(
        r.ok().stdout.lines().skip(1).all(|l| l.ends_with(" yes")),
        "{}",
        r.stdout
    );
    let j: serde_json::Value =
        serde_json::from_str(&env.xbow(&["net", "status", "--json", EXAMPLE]).ok().stdout).unwrap();
    assert!(j.as_array().unwrap().iter().all(|e| e["ok"] == true));
    assert_eq!(
        j[0],
        serde_json::json!({"kind": "etherstub", "name": "etherstub0", "desired": "present", "actual": "present", "ok": true})
    );
    // What a user looks at afterwards.
    let vnics = env
        .dladm(&["show-vnic", "-p", "-o", "link,over"])
        .ok()
        .stdout
        .clone();
    assert_eq!(
        vnics,
        "vnic0:etherstub0\nvnic1:etherstub0\nvnic2:etherstub0\n"
    );
    // down removes exactly what up made.
    env.xbow(&["net", "down", EXAMPLE]).ok();
    assert_eq!(state(&env), before);
    let r = env.xbow(&["net", "down", EXAMPLE]);
    assert_eq!(
        r.ok().stdout,
        format!("nothing to remove: none of {EXAMPLE} is on the host\n")
    );
    // status of a network that is down: differences listed, exit 1.
    let r = env.xbow(&["net", "status", EXAMPLE]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains(
            "etherstub etherstub0            present               absent                no"
        ),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stderr,
        format!("xbow net: the host differs from {EXAMPLE} (rows with OK no)\n")
    );
}

#[test]
fn every_failure_rolls_back_everything() {
    let Some(env) = sim() else { return };
    setup(&env);
    let before = state(&env);
    let steps = env
        .xbow(&["net", "plan", EXAMPLE])
        .ok()
        .stdout
        .lines()
        .count();
    assert!(steps > 10);
    // Fail the sim's 1st, 2nd, … change (a step may make more than one)
    // until a run gets through; every failed run must leave no trace.
    let mut failed_steps = std::collections::BTreeSet::new();
    for n in 1.. {
        let r = env
            .cmd()
            .args(["net", "up", EXAMPLE])
            .env("XBOW_SIM_FAIL_AT", n.to_string())
            .output()
            .unwrap();
        if r.status.success() {
            break;
        }
        let stderr = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(1), "N={n}: {stderr}");
        let step: usize = stderr
            .strip_prefix("xbow net: step ")
            .and_then(|t| t.split(' ').next())
            .and_then(|k| k.parse().ok())
            .unwrap_or_else(|| panic!("N={n}: {stderr}"));
        assert!(
            stderr.contains(&format!("step {step} of {steps} failed: ")),
            "N={n}: {stderr}"
        );
        assert!(
            stderr.contains(&format!(
                "injected failure of change {n} (XBOW_SIM_FAIL_AT={n})"
            )),
            "N={n}: {stderr}"
        );
        assert!(
            stderr.ends_with("the host is as it was\n"),
            "N={n}: {stderr}"
        );
        assert_eq!(state(&env), before, "N={n}");
        failed_steps.insert(step);
        assert!(n < 100, "up never got through");
    }
    assert_eq!(
        failed_steps,
        (1..=steps).collect(),
        "a failure was injected into every step"
    );
    env.xbow(&["net", "down", EXAMPLE]).ok();
    assert_eq!(state(&env), before);
}

/// On the sim a run is one batch of changes stored once: a failing step
/// discards them all, so no undo can fail (the undo path of kernel-backed
/// states is tested in tests/linux.rs).
#[test]
fn a_failed_run_is_discarded_whole() {
    let Some(env) = sim() else { return };
    let spec = write_spec(
        &env,
        r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}, {"name": "v1", "over": "s0"}]}"#,
    );
    let before = state(&env);
    let r = env
        .cmd()
        .args(["net", "up", &spec])
        .env("XBOW_SIM_FAIL_AT", "3,4")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "xbow net: step 3 of 3 failed: dladm create-vnic -l s0 v1: vnic creation over s0 failed: injected failure of change 3 (XBOW_SIM_FAIL_AT=3,4)\n\
         rolled back the 2 step(s) before it; the host is as it was\n"
    );
    assert_eq!(state(&env), before);
}

#[test]
fn maxbw_change_is_a_property_change() {
    let Some(env) = sim() else { return };
    let spec = |bw: &str| {
        write_spec(
            &env,
            &format!(
                r#"{{"etherstubs": ["s0"], "vnics": [{{"name": "v0", "over": "s0", "maxbw": "{bw}", "priority": "low"}}]}}"#
            ),
        )
    };
    let p = spec("100M");
    assert_eq!(
        env.xbow(&["net", "up", &p]).ok().stdout,
        "dladm create-etherstub s0\ndladm create-vnic -l s0 -p maxbw=100M,priority=low v0\n"
    );
    let mac = env
        .dladm(&["show-vnic", "-p", "-o", "macaddress", "v0"])
        .stdout;
    let p = spec("10M");
    assert_eq!(
        env.xbow(&["net", "plan", &p]).ok().stdout,
        "dladm set-linkprop -p maxbw=10M v0\n"
    );
    env.xbow(&["net", "up", &p]).ok();
    assert_eq!(
        env.dladm(&["show-linkprop", "-c", "-o", "value", "-p", "maxbw", "v0"])
            .stdout,
        "   10\n"
    );
    assert_eq!(
        env.dladm(&["show-vnic", "-p", "-o", "macaddress", "v0"])
            .stdout,
        mac,
        "not re-created"
    );
    // The spec's VNIC moved to another etherstub: up refuses to destroy.
    let moved = write_spec(
        &env,
        r#"{"etherstubs": ["s0", "s1"], "vnics": [{"name": "v0", "over": "s1"}]}"#,
    );
    let r = env.xbow(&["net", "up", &moved]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "xbow net: the host differs from the spec where up would have to destroy something:\n  vnic v0: the host's is over s0 with VID 0, the spec's over s1 with VID 0; take it down first\n"
    );
}

#[test]
fn down_leaves_other_objects_alone() {
    let Some(env) = sim() else { return };
    setup(&env);
    env.dladm(&["create-etherstub", "mine0"]).ok();
    env.dladm(&["create-vnic", "-l", "mine0", "minev0"]).ok();
    let before = state(&env);
    env.xbow(&["net", "up", EXAMPLE]).ok();
    env.xbow(&["net", "down", EXAMPLE]).ok();
    assert_eq!(state(&env), before);
}

#[test]
fn spec_errors_name_the_path() {
    let Some(env) = sim() else { return };
    setup(&env);
    let zone_at = |zonepath: &str| {
        format!(
            r#"{{"etherstubs": ["s0"], "vnics": [{{"name": "v0", "over": "s0"}}],
            "zones": [{{"name": "z1", "zonepath": "{zonepath}", "net": [{{"physical": "v0"}}]}}]}}"#
        )
    };
    let cases: &[(&str, &str)] = &[
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0", "overr": 1}]}"#,
            "$.vnics[0].overr: unknown field `overr`, expected one of `name`, `over`, `mac`, `vid`, `maxbw`, `priority`, `host` at line 1 column 69",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "nope0"}]}"#,
            "$.vnics[0].over: link 'nope0' is neither in the spec nor on the host",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}, {"name": "v1", "over": "v0"}]}"#,
            "$.vnics[1].over: 'v0' is a VNIC ($.vnics[0].name); a VNIC cannot be over a VNIC",
        ),
        (
            r#"{"etherstubs": ["s0", "s0"]}"#,
            "$.etherstubs[1]: 's0' is already defined at $.etherstubs[0]",
        ),
        (
            r#"{"etherstubs": ["bad-name0"]}"#,
            "$.etherstubs[0]: 'bad-name0': invalid link name",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0", "maxbw": "1k"}]}"#,
            "$.vnics[0].maxbw: '1k': minimum value for maxbw is 1200K",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0", "vid": 4095}]}"#,
            "$.vnics[0].vid: 4095 is outside 1-4094",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}], "addresses": [{"interface": "v0", "address": "10.0.0.1"}]}"#,
            "$.addresses[0].address: '10.0.0.1' is not an IPv4 address with a prefix length (like 192.168.0.1/24)",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}], "addresses": [{"interface": "v0", "address": "10.0.0.1/24"}],
            "zones": [{"name": "z1", "net": [{"physical": "v0"}]}]}"#,
            "$.zones[0].net[0].physical: VNIC 'v0' is already used at $.addresses[0].interface",
        ),
        (
            r#"{"zones": [{"name": "global", "net": []}]}"#,
            "$.zones[0].name: zone name 'global' is reserved",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}], "zones": [{"name": "z1", "net": [{"physical": "v0", "allowed-address": "10.0.0.2/24", "defrouter": "10.1.0.1"}]}]}"#,
            "$.zones[0].net[0].defrouter: 10.1.0.1 is not on the network of 10.0.0.2/24",
        ),
        (
            r#"{"ipv4-forwarding": "yes"}"#,
            "$.ipv4-forwarding: invalid type: string \"yes\", expected a boolean or a list of host names at line 1 column 25",
        ),
        (r#"[]"#, "$: a spec is a JSON object"),
        (
            r#"{"nat": ["map eri0 192.168.0.0/24 ->"]}"#,
            "$.nat[0]: 'map eri0 192.168.0.0/24 ->': syntax error error at \"\", line 1",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}], "addresses": [{"interface": "v0", "address": "10.0.0.1/24"}],
            "nat": ["map eri0 192.168.0.0/24 -> 0/32"]}"#,
            "$.addresses[0].address: 10.0.0.1/24 is outside every NAT rule's range ($.nat)",
        ),
        // Everything after the spec is refused, not ignored.
        (
            r#"{"etherstubs":["a0"]}{"etherstubs":["b0"]}"#,
            "$: trailing characters at line 1 column 22: a spec file holds one JSON object and nothing after it",
        ),
        (
            "{\"etherstubs\":[\"a0\"]}\n\n  x",
            "$: trailing characters at line 3 column 3: a spec file holds one JSON object and nothing after it",
        ),
        // Zonepaths: absolute, normalized, no zonecfg or shell specials,
        // not a system directory.
        (
            &zone_at("/zones/x;exit"),
            r#"$.zones[0].zonepath: '/zones/x;exit' contains ';'; a zonepath is printable ASCII without whitespace or any of ;="'\#()[]"#,
        ),
        (
            &zone_at("/zones/a=b"),
            r#"$.zones[0].zonepath: '/zones/a=b' contains '='; a zonepath is printable ASCII without whitespace or any of ;="'\#()[]"#,
        ),
        (
            &zone_at("/zones/a\\u001b[2Jb"),
            r#"$.zones[0].zonepath: '/zones/a\x1b[2Jb' contains '\u{1b}'; a zonepath is printable ASCII without whitespace or any of ;="'\#()[]"#,
        ),
        (
            &zone_at("/zones/a b"),
            r#"$.zones[0].zonepath: '/zones/a b' contains ' '; a zonepath is printable ASCII without whitespace or any of ;="'\#()[]"#,
        ),
        (
            &zone_at("zones/z1"),
            "$.zones[0].zonepath: 'zones/z1' is not an absolute path",
        ),
        (
            &zone_at("/"),
            "$.zones[0].zonepath: '/' is the root directory",
        ),
        (
            &zone_at("/etc/../.."),
            "$.zones[0].zonepath: '/etc/../..' is not a normalized path (no '.' or '..' components, no '//', no trailing '/')",
        ),
        (
            &zone_at("/zones//z1"),
            "$.zones[0].zonepath: '/zones//z1' is not a normalized path (no '.' or '..' components, no '//', no trailing '/')",
        ),
        (
            &zone_at("/zones/z1/"),
            "$.zones[0].zonepath: '/zones/z1/' is not a normalized path (no '.' or '..' components, no '//', no trailing '/')",
        ),
        (
            &zone_at("/usr"),
            "$.zones[0].zonepath: '/usr' is a system directory",
        ),
        (
            &zone_at("/zones"),
            "$.zones[0].zonepath: '/zones' is a system directory",
        ),
        (
            &zone_at("/tmp/z1"),
            "$.zones[0].zonepath: '/tmp/z1' is below /tmp, which cannot hold a zone",
        ),
        (
            &zone_at(&format!("/{}", "a".repeat(1023))),
            &format!(
                "$.zones[0].zonepath: '/{}' is 1024 bytes long; a path is at most 1023 (MAXPATHLEN)",
                "a".repeat(1023)
            ),
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}, {"name": "v1", "over": "s0"}],
            "zones": [{"name": "z1", "zonepath": "/export/z", "net": [{"physical": "v0"}]},
                      {"name": "z2", "zonepath": "/export/z/z2", "net": [{"physical": "v1"}]}]}"#,
            "$.zones[1].zonepath: '/export/z/z2' overlaps zone 'z1''s zonepath '/export/z' ($.zones[0])",
        ),
        // Zone names: zonecfg's rules.
        (
            r#"{"zones": [{"name": "SUNWz", "net": []}]}"#,
            "$.zones[0].name: zone name 'SUNWz' is reserved",
        ),
        (
            r#"{"zones": [{"name": "z;1", "net": []}]}"#,
            "$.zones[0].name: zone name 'z;1' may contain only letters, digits, '-', '_' and '.'",
        ),
        // A NAT rule is one line of the NAT file.
        (
            r#"{"nat": ["map eri0 192.168.0.0/24 -> 0/32\n"]}"#,
            r#"$.nat[0]: 'map eri0 192.168.0.0/24 -> 0/32\n': '\n' is not allowed: a NAT rule is one line, without control characters other than tab"#,
        ),
        (
            r#"{"nat": ["map eri0 192.168.1.0/24 -> 0/32", "map eri0 192.168.0.0/24 \\\n-> 0/32"]}"#,
            r#"$.nat[1]: 'map eri0 192.168.0.0/24 \\n-> 0/32': '\n' is not allowed: a NAT rule is one line, without control characters other than tab"#,
        ),
        (
            r#"{"nat": ["map eri0 192.168.0.0/24 -> 0/32\r"]}"#,
            r#"$.nat[0]: 'map eri0 192.168.0.0/24 -> 0/32\r': '\r' is not allowed: a NAT rule is one line, without control characters other than tab"#,
        ),
        (
            r#"{"nat": ["map eri0 192.168.0.0/24 -> 0/32 \u001b]0;x\u0007"]}"#,
            r#"$.nat[0]: 'map eri0 192.168.0.0/24 -> 0/32 \x1b]0;x\x07': '\u{1b}' is not allowed: a NAT rule is one line, without control characters other than tab"#,
        ),
        (
            r#"{"nat": ["map eri0 192.168.0.0/24 -> 0/32", "map  eri0 192.168.0.0/24 -> 0.0.0.0/32"]}"#,
            "$.nat[1]: 'map  eri0 192.168.0.0/24 -> 0.0.0.0/32' is the same rule as $.nat[0]",
        ),
        // One fixed MAC a VNIC, one IPv4 address an interface.
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0", "mac": "2:8:20:1:2:3"},
            {"name": "v1", "over": "s0", "mac": "02:08:20:01:02:03"}]}"#,
            "$.vnics[1].mac: 2:8:20:1:2:3 is already the address of $.vnics[0]",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}, {"name": "v1", "over": "s0"}],
            "addresses": [{"interface": "v0", "address": "10.0.0.1/24"}],
            "zones": [{"name": "z1", "net": [{"physical": "v1", "allowed-address": "10.0.0.1/24"}]}]}"#,
            "$.zones[0].net[0].allowed-address: 10.0.0.1 is already used at $.addresses[0].address",
        ),
        // Link names everywhere; what a message quotes is escaped.
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s\u00000"}]}"#,
            r#"$.vnics[0].over: 's\x000': invalid link name"#,
        ),
        (
            r#"{"etherstubs": ["s\u001b[31m0"]}"#,
            r#"$.etherstubs[0]: 's\x1b[31m0': invalid link name"#,
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0", "mac": "\u0007"}]}"#,
            r#"$.vnics[0].mac: '\x07' is not auto, random or a unicast MAC address"#,
        ),
        (
            r#"{"vlans": [{"name": "v5", "over": "eri0", "vid": 5}, {"name": "w5", "over": "eri0", "vid": 5}]}"#,
            "$.vlans[1].vid: VID 5 over 'eri0' is already $.vlans[0]",
        ),
        (
            r#"{"vlans": [{"name": "v5", "over": "eri0", "vid": 4095}]}"#,
            "$.vlans[0].vid: 4095 is outside 1-4094",
        ),
        (
            r#"{"vlans": [{"name": "v5", "over": "nope0", "vid": 5}]}"#,
            "$.vlans[0].over: link 'nope0' is neither in the spec nor on the host",
        ),
        (
            r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}], "vlans": [{"name": "v5", "over": "v0", "vid": 5}]}"#,
            "$.vlans[0].over: 'v0' is a vnic ($.vnics[0].name); a VLAN cannot be over it",
        ),
        (
            r#"{"vlans": [{"name": "v5", "over": "eri0", "vid": 5}], "vnics": [{"name": "v0", "over": "v5"}]}"#,
            "$.vnics[0].over: 'v5' is a VLAN ($.vlans[0].name); a VNIC cannot be over a VLAN",
        ),
        (
            r#"{"vlans": [{"name": "v5", "over": "eri0", "vid": 5}], "vnics": [{"name": "v5", "over": "eri0"}]}"#,
            "$.vnics[0].name: 'v5' is already defined at $.vlans[0].name",
        ),
        (
            r#"{"x\u001b": 1}"#,
            "$.x\\x1b: unknown field `x\\x1b`, expected one of `hosts`, `overlays`, `etherstubs`, `vlans`, `vnics`, `addresses`, `ipv4-forwarding`, `nat`, `filter`, `zones` at line 1 column 10",
        ),
    ];
    let before = state(&env);
    for (spec, msg) in cases {
        let p = write_spec(&env, spec);
        for verb in ["plan", "up", "status"] {
            let r = env.xbow(&["net", verb, &p]);
            assert_eq!(
                (r.code, r.stderr.as_str()),
                (1, format!("xbow net: {p}: {msg}\n").as_str()),
                "{verb} {spec}"
            );
        }
    }
    assert_eq!(state(&env), before);
    let r = env.xbow(&["net", "up", "/nonexistent.json"]);
    assert_eq!(
        r.stderr,
        "xbow net: /nonexistent.json: No such file or directory (os error 2)\n"
    );
}

/// VLANs in a spec: planned as `dladm create-vlan`, made before the VNICs
/// and addresses that use them, shown by status, deleted by down; a
/// failure rolls them back.
#[test]
fn vlans_up_status_down() {
    let Some(env) = sim() else { return };
    setup(&env);
    let before = state(&env);
    let p = write_spec(
        &env,
        r#"{"etherstubs": ["stub0"],
            "vlans": [{"name": "eri5000", "over": "eri0", "vid": 5}, {"name": "stub7000", "over": "stub0", "vid": 7}],
            "addresses": [{"interface": "eri5000", "address": "192.168.5.1/24"}]}"#,
    );
    let plan = "dladm create-etherstub stub0\n\
                dladm create-vlan -l eri0 -v 5 eri5000\n\
                dladm create-vlan -l stub0 -v 7 stub7000\n\
                ipadm create-if eri5000\n\
                ipadm create-addr -T static -a 192.168.5.1/24 eri5000/v4\n";
    assert_eq!(env.xbow(&["net", "plan", &p]).ok().stdout, plan);
    assert_eq!(env.xbow(&["net", "up", &p]).ok().stdout, plan);
    assert_eq!(
        env.dladm(&["show-vlan", "-p", "-o", "link,vid,over"])
            .ok()
            .stdout,
        "eri5000:5:eri0\nstub7000:7:stub0\n"
    );
    let st = env.xbow(&["net", "status", &p]).ok().stdout.clone();
    assert!(
        st.contains(
            "vlan      eri5000               over eri0 vid 5       over eri0 vid 5       yes"
        ),
        "{st}"
    );
    assert_eq!(
        env.xbow(&["net", "down", &p]).ok().stdout,
        "ipadm delete-addr eri5000/v4\n\
         ipadm delete-if eri5000\n\
         dladm delete-vlan stub7000\n\
         dladm delete-vlan eri5000\n\
         dladm delete-etherstub stub0\n"
    );
    assert_eq!(state(&env), before);
    // VID 1 is eri0's default_tag: the third step fails, all is undone.
    let bad = write_spec(
        &env,
        r#"{"etherstubs": ["stub0"],
            "vlans": [{"name": "eri5000", "over": "eri0", "vid": 5}, {"name": "eri1000", "over": "eri0", "vid": 1}]}"#,
    );
    let r = env.xbow(&["net", "up", &bad]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("dladm create-vlan -l eri0 -v 1 eri1000: create operation failed: link busy"),
        "{}",
        r.stderr
    );
    assert_eq!(state(&env), before);
}

#[test]
fn concurrent_ups_are_serialized() {
    let Some(env) = sim() else { return };
    setup(&env);
    let children: Vec<_> = (0..4)
        .map(|_| {
            env.cmd()
                .args(["net", "up", EXAMPLE])
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        assert!(c.wait_with_output().unwrap().status.success());
    }
    env.xbow(&["net", "status", EXAMPLE]).ok();
}

/// The spec's NAT rules are one `ipnat --atomic -f` step: a rule the
/// kernel refuses (rpcbt is compiled out of illumos, `ip_proxy.c`) leaves
/// none of them loaded and the NAT file as it was.
#[test]
fn nat_rules_load_all_or_none() {
    let Some(env) = sim() else { return };
    setup(&env);
    let spec = write_spec(
        &env,
        r#"{"nat": ["map eri0 192.168.0.0/24 -> 0/32", "map eri0 192.168.1.0/24 -> 0/32 proxy port 111 rpcbt/tcp"]}"#,
    );
    let plan = env.xbow(&["net", "plan", &spec]);
    plan.ok();
    assert_eq!(
        plan.stdout,
        "svcadm enable -s network/ipfilter\n\
         printf '%s\\n' 'map eri0 192.168.0.0/24 -> 0/32' \
         'map eri0 192.168.1.0/24 -> 0/32 proxy port 111 rpcbt/tcp' | xbow ipnat --atomic -f -\n"
    );
    let before = state(&env);
    let r = env.xbow(&["net", "up", &spec]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with(
            "xbow net: step 2 of 2 failed: printf '%s\\n' 'map eri0 192.168.0.0/24 -> 0/32' \
             'map eri0 192.168.1.0/24 -> 0/32 proxy port 111 rpcbt/tcp' | xbow ipnat --atomic -f -: \
             ioctl(SIOCADNAT): map eri0 192.168.1.0/24 -> 0/32 proxy port 111 rpcbt/tcp: \
             No such file or directory\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(state(&env), before);
    let l = env.xbow(&["ipnat", "-l"]).stdout;
    assert!(!l.contains("192.168.0.0"), "{l}");
}

/// A `down` that fails gives the VNICs it had deleted back as they were:
/// the same MAC address (random ones too), address type, VID and
/// properties (issue 11: they used to come back with new random MACs).
#[test]
fn failed_down_restores_vnics_as_they_were() {
    let Some(env) = sim() else { return };
    let spec = write_spec(
        &env,
        r#"{"etherstubs": ["s0"], "vnics": [
            {"name": "v0", "over": "s0", "mac": "random"},
            {"name": "v1", "over": "s0", "maxbw": "10M", "priority": "low", "vid": 7},
            {"name": "v2", "over": "s0", "mac": "2:8:20:aa:bb:cc"}]}"#,
    );
    env.xbow(&["net", "up", &spec]).ok();
    let vnics = |env: &Env| {
        env.dladm(&[
            "show-vnic",
            "-p",
            "-o",
            "link,over,macaddress,macaddrtype,vid",
        ])
        .stdout
    };
    let props = |env: &Env| {
        env.dladm(&[
            "show-linkprop",
            "-c",
            "-o",
            "link,property,value",
            "-p",
            "maxbw,priority",
        ])
        .stdout
    };
    let (before_vnics, before_props) = (vnics(&env), props(&env));
    assert!(before_vnics.contains("v0:s0:"), "{before_vnics}");
    // down: delete v2, v1, v0, then s0 (change 4) fails.
    let r = env
        .cmd()
        .args(["net", "down", &spec])
        .env("XBOW_SIM_FAIL_AT", "4")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert_eq!(vnics(&env), before_vnics);
    assert_eq!(props(&env), before_props);
    env.xbow(&["net", "down", &spec]).ok();
}

/// `up --confirm`: the change is undone unless `net confirm` comes in time.
#[test]
fn unconfirmed_change_is_undone() {
    let Some(env) = sim() else { return };
    let spec = write_spec(
        &env,
        r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}]}"#,
    );
    let before = state(&env);
    // 3 s: long enough for the checks below on a loaded machine.
    let r = env.xbow(&["net", "up", &spec, "--confirm", "3"]);
    r.ok();
    assert!(r.stdout.ends_with(&format!(
        "applied {spec}: run `xbow net confirm` within 3 s to keep it, or it is undone\n"
    )));
    assert!(env.dladm(&["show-vnic"]).stdout.contains("v0 "));
    // While it waits, status says so and no other change runs.
    let s = env.xbow(&["net", "status", &spec]);
    assert!(
        s.stdout
            .contains(&format!("the change of {spec} waits for confirmation"))
    );
    let u = env.xbow(&["net", "down", &spec]);
    assert_eq!(u.code, 1);
    assert!(u.stderr.contains("waits for confirmation"), "{}", u.stderr);
    // The watchdog undoes it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while env.dladm(&["show-vnic"]).stdout.contains("v0 ") {
        assert!(std::time::Instant::now() < deadline, "not undone in time");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while env.dir().join("sim.json.net.pending").exists() {
        assert!(std::time::Instant::now() < deadline, "record left");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(state(&env), before);
    let r = env.xbow(&["net", "confirm"]);
    assert_eq!((r.code, r.stdout.as_str()), (1, ""));
    assert!(
        r.stderr.starts_with(&format!(
            "xbow net: no change waits for confirmation (the last one, of {spec}, was undone "
        )),
        "{}",
        r.stderr
    );
}

/// `net confirm` keeps the change, and the watchdog goes away.
#[test]
fn confirmed_change_stays() {
    let Some(env) = sim() else { return };
    let spec = write_spec(
        &env,
        r#"{"etherstubs": ["s0"], "vnics": [{"name": "v0", "over": "s0"}]}"#,
    );
    env.xbow(&["net", "up", &spec, "--confirm", "30"]).ok();
    let pending = env.dir().join("sim.json.net.pending");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pending).unwrap()).unwrap();
    let pid = record["watchdog"].as_u64().expect("watchdog pid");
    // A second confirmed change waits for this one.
    let r = env.xbow(&["net", "up", &spec, "--confirm", "30"]);
    assert_eq!(r.code, 1);
    let r = env.xbow(&["net", "confirm"]);
    r.ok();
    assert_eq!(r.stdout, format!("confirmed: the change of {spec} stays\n"));
    assert!(!pending.exists());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while std::path::Path::new(&format!("/proc/{pid}")).exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "watchdog {pid} still runs"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(env.dladm(&["show-vnic"]).stdout.contains("v0 "));
    env.xbow(&["net", "confirm"])
        .fails_with("xbow net: no change waits for confirmation\n");
    env.xbow(&["net", "down", &spec]).ok();
}

/// A change whose watchdog was killed is undone by the next `xbow net`
/// command once its time is over.
#[test]
fn overdue_change_is_undone_by_the_next_command() {
    let Some(env) = sim() else { return };
    let spec = write_spec(&env, r#"{"etherstubs": ["s0"]}"#);
    // 3 s: the watchdog is killed long before it would act, even on a
    // loaded machine.
    env.xbow(&["net", "up", &spec, "--confirm", "3"]).ok();
    let pending = env.dir().join("sim.json.net.pending");
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pending).unwrap()).unwrap();
    let pid = record["watchdog"].as_u64().expect("watchdog pid");
    let killed = std::process::Command::new("kill")
        .args(["-9", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(std::time::Duration::from_millis(3100));
    let r = env.xbow(&["net", "down", &spec]);
    r.ok();
    assert_eq!(
        r.stdout,
        format!(
            "the change of {spec} was undone: it was not confirmed in time and its watchdog did not undo it\n\
             nothing to remove: none of {spec} is on the host\n"
        )
    );
    assert!(!pending.exists());
}

/// A zonepath with shell metacharacters that zonecfg takes as one word
/// is printed shell-quoted: a shell hands zonecfg exactly the script.
#[test]
fn plan_quotes_a_weird_zonepath() {
    let Some(env) = sim() else { return };
    let zonepath = "/export/$HOME&a|b*`id`!~{x}<y>,@%+'";
    // The apostrophe is refused; everything before it is fine.
    let zonepath = zonepath.trim_end_matches('\'');
    let spec = write_spec(
        &env,
        &format!(
            r#"{{"etherstubs": ["s0"], "vnics": [{{"name": "v0", "over": "s0"}}],
            "zones": [{{"name": "z1", "zonepath": "{zonepath}", "boot": false, "net": [{{"physical": "v0"}}]}}]}}"#
        ),
    );
    let plan = env.xbow(&["net", "plan", &spec]);
    let script = format!(
        "create -b; set brand=lipkg; set zonepath={zonepath}; set ip-type=exclusive; \
         set autoboot=true; add net; set physical=v0; end; verify; commit"
    );
    assert_eq!(
        plan.ok().stdout,
        format!(
            "dladm create-etherstub s0\ndladm create-vnic -l s0 v0\n\
             zonecfg -z z1 '{script}'\nzoneadm -z z1 install\n"
        )
    );
    // What a shell makes of the line.
    let line = plan.stdout.lines().nth(2).unwrap();
    let words = std::process::Command::new("sh")
        .arg("-c")
        .arg(line.replacen("zonecfg", "printf '%s\\n'", 1))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&words.stdout),
        format!("-z\nz1\n{script}\n")
    );
    // up stores it as written.
    env.xbow(&["net", "up", &spec]).ok();
    let st = state(&env);
    assert!(st.to_string().contains(zonepath), "{st}");
    env.xbow(&["net", "down", &spec]).ok();
}

/// A spec file's name is shown with its control characters escaped.
#[test]
fn file_names_are_escaped() {
    let Some(env) = sim() else { return };
    let p = env.dir().join("s\x1b[2Jpec.json");
    std::fs::write(&p, r#"{"etherstubs": ["s0"]}"#).unwrap();
    let shown = format!("{}/s\\x1b[2Jpec.json", env.dir().display());
    let r = env.xbow(&["net", "status", p.to_str().unwrap()]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!("xbow net: the host differs from {shown} (rows with OK no)\n")
    );
    env.xbow(&["net", "up", p.to_str().unwrap()]).ok();
    let r = env.xbow(&["net", "up", p.to_str().unwrap()]);
    assert_eq!(
        r.ok().stdout,
        format!("nothing to change: the host matches {shown}\n")
    );
    let r = env.xbow(&["net", "plan", p.to_str().unwrap()]);
    assert_eq!(
        r.ok().stdout,
        format!("# nothing to change: the host matches {shown}\n")
    );
    std::fs::write(&p, "{\"etherstubs\": [\"s0\"]} x").unwrap();
    let r = env.xbow(&["net", "down", p.to_str().unwrap()]);
    assert_eq!(
        r.stderr,
        format!(
            "xbow net: {shown}: $: trailing characters at line 1 column 24: \
             a spec file holds one JSON object and nothing after it\n"
        )
    );
    assert_eq!(r.code, 1);
}

/// A tab is whitespace in a NAT rule; the table shows it escaped.
#[test]
fn nat_rule_with_a_tab() {
    let Some(env) = sim() else { return };
    setup(&env);
    let spec = write_spec(&env, r#"{"nat": ["map\teri0 192.168.0.0/24 -> 0/32"]}"#);
    env.xbow(&["net", "up", &spec]).ok();
    let r = env.xbow(&["net", "status", &spec]);
    assert!(
        r.ok()
            .stdout
            .contains("nat       map\\teri0 192.168.0.0/24 -> 0/32 loaded"),
        "{}",
        r.stdout
    );
    env.xbow(&["net", "down", &spec]).ok();
}

#[test]
fn an_endless_spec_is_refused() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let r = env.xbow(&["net", "plan", "/dev/zero"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "xbow net: /dev/zero: larger than the 64 MiB limit\n")
    );
}

/// `kill -9` at random moments of `net up` and `net down` on the sim (a
/// run is one batch, stored once): the state is always as before the run
/// or as after it, and the next `up` and `down` converge.
#[test]
fn runs_killed_at_any_moment_leave_the_sim_whole() {
    let Some(env) = sim() else { return };
    let vnics: Vec<String> = (0..2000)
        .map(|i| format!(r#"{{"name": "vnic{i}", "over": "stub{}"}}"#, i % 2))
        .collect();
    let spec = write_spec(
        &env,
        &format!(
            r#"{{"etherstubs": ["stub0", "stub1"], "vnics": [{}]}}"#,
            vnics.join(",")
        ),
    );
    let before = state(&env);
    let t = std::time::Instant::now();
    env.xbow(&["net", "up", &spec]).ok();
    let span = t.elapsed().as_micros() as u64 + 1;
    let after = env.dladm(&["show-link", "-p", "-o", "link"]).stdout;
    env.xbow(&["net", "down", &spec]).ok();
    assert_eq!(state(&env), before);
    for round in 0..12u64 {
        let verb = if round % 2 == 0 { "up" } else { "down" };
        if verb == "down" {
            env.xbow(&["net", "up", &spec]).ok();
        }
        let wait = span * (round / 2 + 1) / 7;
        env.killed_after(
            &["net", verb, &spec],
            std::time::Duration::from_micros(wait),
        );
        // All or nothing of the run.
        let links = env.dladm(&["show-link", "-p", "-o", "link"]).stdout;
        assert!(
            links.is_empty() || links == after,
            "round {round} ({verb} killed after {wait} µs): {} links",
            links.lines().count()
        );
        env.xbow(&["net", "up", &spec]).ok();
        assert_eq!(env.dladm(&["show-link", "-p", "-o", "link"]).stdout, after);
        env.xbow(&["net", "down", &spec]).ok();
        assert_eq!(state(&env), before, "round {round}");
    }
}

/// The two-host example's spec.
const TWO_HOSTS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/two-hosts.json");

/// A spec across hosts: each host's plan holds its part, with the
/// overlay's `direct` destination the other host (illumos's property
/// names and order), and the VNICs' derived addresses the same on both.
#[test]
fn two_hosts_plan_each_part() {
    let Some(env) = sim() else { return };
    env.xbow(&["sim", "add-phys", "ul0"]).ok();
    setup(&env);
    let a = env.xbow(&["net", "plan", "--host", "a", TWO_HOSTS]);
    assert_eq!(a.ok().stdout, common::golden("net-plan-two-hosts-a.out"));
    let b = env.xbow(&["net", "plan", "--host", "b", TWO_HOSTS]);
    assert_eq!(b.ok().stdout, common::golden("net-plan-two-hosts-b.out"));
    // Up and down of one host's part, on the sim.
    let before = state(&env);
    env.xbow(&["net", "up", "--host", "b", TWO_HOSTS]).ok();
    // (The sim's host is not at b's underlay address: status says so.)
    let st = env.xbow(&["net", "status", "--host", "b", "--json", TWO_HOSTS]);
    let v: serde_json::Value = serde_json::from_str(&st.stdout).unwrap();
    let rows = v.as_array().unwrap();
    assert!(rows.iter().any(|r| r["kind"] == "host"
        && r["name"] == "b"
        && r["desired"] == "198.51.100.2"
        && r["actual"] == "not on this machine"));
    assert!(
        rows.iter().any(|r| r["kind"] == "overlay"
            && r["desired"] == "vni 4242 direct 198.51.100.1:4789"
            && r["ok"] == true),
        "{rows:?}"
    );
    env.xbow(&["net", "down", "--host", "b", TWO_HOSTS]).ok();
    assert_eq!(state(&env), before);
    // An overlay of that name with another VNI is not taken over.
    env.dladm(&[
        "create-overlay",
        "-e",
        "vxlan",
        "-s",
        "direct",
        "-v",
        "1",
        "-p",
        "vxlan/listen_ip=198.51.100.2,direct/dest_ip=198.51.100.1,direct/dest_port=4789",
        "overlay0",
    ])
    .ok();
    let before = state(&env);
    env.xbow(&["net", "up", "--host", "b", TWO_HOSTS]).fails_with(
        "xbow net: the host differs from the spec where up would have to destroy something:\n  \
         overlay overlay0: the host's is vni 1 direct 198.51.100.1:4789, the spec's vni 4242 direct 198.51.100.1:4789; take it down first\n",
    );
    assert_eq!(state(&env), before);
}

/// More than two hosts: a `files` mapping of every VNIC over the overlay
/// to its host, written before the overlay and removed after it.
#[test]
fn three_hosts_share_a_files_mapping() {
    let Some(env) = sim() else { return };
    let spec = r#"{
      "hosts": {"a": {"underlay": "198.18.0.1"}, "b": {"underlay": "198.18.0.2"}, "c": {"underlay": "198.18.0.3"}},
      "overlays": [{"name": "ov0", "vni": 7, "hosts": ["a", "b", "c"], "mtu": 1450}],
      "vnics": [
        {"name": "v0", "over": "ov0", "host": "a"},
        {"name": "v1", "over": "ov0", "host": "b", "mac": "2:8:20:0:0:1"},
        {"name": "v2", "over": "ov0", "host": "c"}
      ],
      "zones": [{"name": "z1", "host": "b", "net": [{"physical": "v1", "allowed-address": "10.7.0.2/24"}]}]
    }"#;
    let p = write_spec(&env, spec);
    let before = state(&env);
    let plan = env.xbow(&["net", "plan", "--host", "c", &p]);
    let map = format!("{}.overlay-ov0.json", env.state_path().display());
    let lines: Vec<&str> = plan.ok().stdout.lines().collect();
    assert_eq!(
        lines[1],
        format!(
            "dladm create-overlay -e vxlan -s files -v 7 -p vxlan/listen_ip=198.18.0.3,mtu=1450,files/config={map} ov0"
        )
    );
    assert!(lines[0].starts_with("echo '{") && lines[0].ends_with(&format!("}}' > {map}")));
    env.xbow(&["net", "up", "--host", "c", &p]).ok();
    let text = std::fs::read_to_string(&map).unwrap();
    let m: serde_json::Value = serde_json::from_str(&text).unwrap();
    let m = m.as_object().unwrap();
    assert_eq!(m.len(), 3, "{text}");
    assert_eq!(
        m["2:8:20:0:0:1"],
        serde_json::json!({"ip": "198.18.0.2", "port": 4789, "arp": "10.7.0.2"})
    );
    assert!(m.values().any(|e| e["ip"] == "198.18.0.3"));
    let t = env.dladm(&["show-overlay", "-t", "ov0"]);
    assert!(t.ok().stdout.contains("198.18.0.2:4789"), "{}", t.stdout);
    env.xbow(&["net", "down", "--host", "c", &p]).ok();
    assert!(!std::path::Path::new(&map).exists());
    assert_eq!(state(&env), before);
}

#[test]
fn cross_host_mistakes_are_caught_before_anything_changes() {
    let Some(env) = sim() else { return };
    let two = r#""hosts": {"a": {"underlay": "198.18.0.1"}, "b": {"underlay": "198.18.0.2"}}"#;
    let mut cases: Vec<(String, &str)> = vec![
        (
            format!(
                r#"{{{two}, "overlays": [{{"name": "ov0", "vni": 7, "hosts": ["a", "b"]}}, {{"name": "ov1", "vni": 7, "hosts": ["a", "b"]}}]}}"#
            ),
            "$.overlays[1].vni: VNI 7 is already used by $.overlays[0]",
        ),
        (
            r#"{"hosts": {"a": {"underlay": "198.18.0.1"}, "b": {}}}"#.into(),
            "$.hosts.b: host 'b' has no underlay address",
        ),
        (
            format!(
                r#"{{{two}, "overlays": [{{"name": "ov0", "vni": 7, "hosts": ["a", "b"], "mtu": 1480}}]}}"#
            ),
            "$.overlays[0].mtu: an overlay MTU of 1480 needs an underlay MTU of 1530 (VXLAN adds 50), and host 'a''s is 1500",
        ),
        (
            format!(r#"{{{two}, "overlays": [{{"name": "ov0", "vni": 7, "hosts": ["a", "c"]}}]}}"#),
            "$.overlays[0].hosts[1]: 'c' is not a host of the spec ($.hosts)",
        ),
        (
            format!(r#"{{{two}, "etherstubs": [{{"name": "s0", "host": "c"}}]}}"#),
            "$.etherstubs[0].host: 'c' is not a host of the spec ($.hosts)",
        ),
        (
            format!(r#"{{{two}, "etherstubs": ["s0"]}}"#),
            "$.etherstubs[0].host: the spec declares 2 hosts (a, b): say which one this is on",
        ),
        (
            format!(
                r#"{{{two}, "etherstubs": [{{"name": "s0", "host": "a"}}], "vnics": [{{"name": "v0", "over": "s0", "host": "b"}}]}}"#
            ),
            "$.vnics[0].over: 's0' ($.etherstubs[0].name) is on host 'a', this is on host 'b'",
        ),
        (
            format!(
                r#"{{{two}, "etherstubs": [{{"name": "s0", "host": "a"}}, {{"name": "s1", "host": "b"}}],
                "vnics": [{{"name": "v0", "over": "s0", "host": "a"}}, {{"name": "v1", "over": "s1", "host": "b"}}],
                "addresses": [{{"interface": "v0", "address": "10.0.0.1/24", "host": "a"}}],
                "zones": [{{"name": "z1", "host": "b", "net": [{{"physical": "v1", "allowed-address": "10.0.0.2/24", "defrouter": "10.0.0.1"}}]}}]}}"#
            ),
            "$.zones[0].net[0].defrouter: zone 'z1' is on host 'b' and its default router 10.0.0.1 on host 'a' ($.addresses[0]), with no overlay between them: put 'v1' and 'v0' over one overlay",
        ),
        (
            format!(r#"{{{two}, "ipv4-forwarding": ["a", "c"]}}"#),
            "$.ipv4-forwarding[1]: 'c' is not a host of the spec ($.hosts)",
        ),
        (
            format!(
                r#"{{{two}, "etherstubs": [{{"name": "s0", "host": "a"}}], "vnics": [{{"name": "v0", "over": "s0", "host": "a"}}],
                "zones": [{{"name": "z1", "host": "b", "net": [{{"physical": "v0"}}]}}]}}"#
            ),
            "$.zones[0].net[0].physical: 'v0' ($.vnics[0].name) is on host 'a', this is on host 'b'",
        ),
        (
            format!(r#"{{{two}, "ipv4-forwarding": true}}"#),
            "$.ipv4-forwarding: the spec declares several hosts: list those that forward",
        ),
    ];
    env.xbow(&["sim", "add-phys", "ul0"]).ok();
    cases.push((
        r#"{"hosts": {"a": {"underlay": "198.18.0.1", "physical": "ul0", "mtu": 9000}, "b": {"underlay": "198.18.0.2", "mtu": 9000}},
            "overlays": [{"name": "ov0", "vni": 7, "hosts": ["a", "b"], "mtu": 8900}]}"#
            .into(),
        "$.hosts.a.physical: overlay 'ov0' needs an underlay MTU of 8950, and link 'ul0''s is 1500",
    ));
    cases.push((
        r#"{"hosts": {"a": {"underlay": "198.18.0.1", "physical": "nope0"}}}"#.into(),
        "$.hosts.a.physical: link 'nope0' is not on this host",
    ));
    let before = state(&env);
    for (spec, msg) in &cases {
        let p = write_spec(&env, spec);
        for verb in ["plan", "up", "status"] {
            let r = env.xbow(&["net", verb, "--host", "a", &p]);
            assert_eq!(
                (r.code, r.stderr.as_str()),
                (1, format!("xbow net: {p}: {msg}\n").as_str()),
                "{verb} {spec}"
            );
        }
    }
    assert_eq!(state(&env), before);
    // Which host: none, or one that is not declared.
    let p = write_spec(&env, &format!("{{{two}}}"));
    env.xbow(&["net", "plan", &p]).fails_with(&format!(
        "xbow net: {p}: $.hosts: no host of the spec (a 198.18.0.1, b 198.18.0.2) is this machine (by name or by an address on its interfaces): choose one with --host\n"
    ));
    env.xbow(&["net", "plan", "--host", "c", &p])
        .fails_with(&format!(
            "xbow net: {p}: $.hosts: --host c: not a host of the spec (a, b)\n"
        ));
    let p = write_spec(&env, r#"{"etherstubs": ["s0"]}"#);
    env.xbow(&["net", "plan", "--host", "a", &p])
        .fails_with(&format!(
            "xbow net: {p}: $.hosts: --host a: the spec declares no hosts\n"
        ));
}

/// `xbow sim overlay-path`: each host of the two-host example is its own
/// sim state (as `net up --host` leaves it); a frame from test2 on b to
/// test1 on a leaves by vnic2 over overlay0, is sent in VXLAN VNI 4242 to
/// a's underlay address (the `direct` destination b's overlay was given),
/// and a's overlay0, listening there, delivers it to vnic1.
#[test]
fn a_frame_crosses_the_overlay_between_simulated_hosts() {
    let Some(env) = sim() else { return };
    let dir = env.dir();
    let run = |state: &std::path::Path, args: &[&str]| {
        let out = env
            .cmd()
            .env("XBOW_SIM_STATE", state)
            .args(args)
            .output()
            .expect("xbow");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (a, b) = (dir.join("a.json"), dir.join("b.json"));
    for (host, st) in [("a", &a), ("b", &b)] {
        for nic in ["ul0", "eri0"] {
            assert_eq!(run(st, &["sim", "add-phys", nic]).0, Some(0));
        }
        let r = run(st, &["net", "up", "--host", host, TWO_HOSTS]);
        assert_eq!(r.0, Some(0), "{}", r.2);
    }
    let hosts = [
        "--host",
        &format!("a={}", a.display()),
        "--host",
        &format!("b={}", b.display()),
    ]
    .map(String::from);
    let path = |src: &str, dst: &str| {
        let mut args = vec!["sim", "overlay-path"];
        args.extend(hosts.iter().map(String::as_str));
        args.extend([src, dst]);
        run(&a, &args)
    };
    let (code, out, err) = path("192.168.0.101", "192.168.0.100");
    assert_eq!(code, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}");
    assert!(lines[0].starts_with("b: zone test2 (192.168.0.101) -> vnic2 ("));
    assert!(lines[0].ends_with(") -> overlay0 (VNI 4242)"));
    assert_eq!(
        lines[1],
        "b: VXLAN VNI 4242, UDP 198.51.100.2:4789 -> 198.51.100.1:4789 (direct)"
    );
    assert!(lines[2].starts_with("a: overlay0 (VNI 4242) -> vnic1 ("));
    assert!(lines[2].ends_with(") -> zone test1 (192.168.0.100)"));
    // To the global zone's address on a, and the cases with no path.
    let (code, out, _) = path("192.168.0.101", "192.168.0.1");
    assert_eq!(code, Some(0));
    assert!(out.ends_with("-> the global zone (192.168.0.1)\n"), "{out}");
    let (code, _, err) = path("192.168.0.100", "192.168.0.1");
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        "xbow sim: overlay-path: 192.168.0.100 and 192.168.0.1 are both on host a: the frame does not cross an overlay\n"
    );
    let (code, _, err) = path("192.168.0.101", "10.9.9.9");
    assert_eq!(
        (code, err.as_str()),
        (Some(1), "xbow sim: overlay-path: no host has 10.9.9.9\n")
    );
}
