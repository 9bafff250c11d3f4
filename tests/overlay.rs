//! The overlay subcommands (`create-overlay`, `delete-overlay`,
//! `modify-overlay`, `show-overlay`) and VNICs over overlays: layouts,
//! messages and exit statuses of illumos dladm.c, on the sim (and, where
//! a test says so, on Linux too). Golden files marked `derived` follow
//! the function named in the test's comment; none was observed on illumos.

mod common;

use common::{Env, golden};

/// An overlay `overlay0` over VNI 4 to 10.1.1.3 (reference overlay.md
/// §1.6.4).
const DIRECT: &[&str] = &[
    "create-overlay",
    "-e",
    "vxlan",
    "-s",
    "direct",
    "-v",
    "4",
    "-p",
    "vxlan/listen_ip=10.1.1.2,direct/dest_ip=10.1.1.3,direct/dest_port=4789",
    "overlay0",
];

/// A files mapping with two routable MACs and one without a port.
const MAP: &str = r#"{
	"02:08:20:aa:00:01": {"ip": "192.0.2.11", "port": 4789, "arp": "10.50.0.1"},
	"2:8:20:AA:0:2": {"ip": "192.0.2.12", "port": 4789, "arp": "10.50.0.2"},
	"02:08:20:aa:00:03": {"ip": "192.0.2.13"}
}"#;

/// `overlay50` with the files plugin on the mapping [`MAP`].
fn files_overlay(env: &Env, temporary: bool) -> String {
    let path = env.dir().join("net50.json");
    std::fs::write(&path, MAP).unwrap();
    let props = format!("vxlan/listen_ip=192.0.2.11,files/config={}", path.display());
    let mut args = vec!["create-overlay"];
    if temporary {
        args.push("-t");
    }
    args.extend([
        "-e",
        "vxlan",
        "-s",
        "files",
        "-v",
        "50",
        "-p",
        &props,
        "overlay50",
    ]);
    env.dladm(&args).ok();
    path.display().to_string()
}

/// `show_one_overlay` / `print_overlay_cb`: a row per property, kernel
/// properties then varpd's, POSSIBLE wrapped at commas (OFMT_WRAP); `-p`
/// (`OFMT_PARSABLE`) with `:` escaped.
#[test]
fn show_overlay_properties_derived() {
    let Some(env) = Env::sim_only() else { return };
    env.dladm(DIRECT).ok();
    let r = env.dladm(&["show-overlay"]);
    assert_eq!(r.ok().stdout, golden("show-overlay-direct-derived.out"));
    let all = "link,property,perm,req,value,default,possible";
    let r = env.dladm(&["show-overlay", "-p", "-o", all, "overlay0"]);
    assert_eq!(r.ok().stdout, golden("show-overlay-p-derived.out"));
    // -o all is every field.
    assert_eq!(
        env.dladm(&["show-overlay", "-o", "all"]).ok().stdout,
        golden("show-overlay-direct-derived.out")
    );
}

/// `show_one_overlay_table`: the default entry of a point-to-point
/// overlay as `*:*:*:*:*:*`, MACs as `ether_ntoa` writes them, `ip:port`.
/// `show_one_overlay_fma`: ONLINE and `-` without details.
#[test]
fn show_overlay_targets_and_status_derived() {
    let Some(env) = Env::sim_only() else { return };
    env.dladm(DIRECT).ok();
    files_overlay(&env, false);
    // A dropped entry's zeroed address and port print as `:::0`.
    env.dladm(&["modify-overlay", "-s", "2:8:20:aa:0:2=drop", "overlay50"])
        .ok();
    env.dladm(&[
        "modify-overlay",
        "-s",
        "2:8:20:aa:0:9=192.0.2.19:4789",
        "overlay50",
    ])
    .ok();
    assert_eq!(
        env.dladm(&["show-overlay", "-t"]).ok().stdout,
        golden("show-overlay-t-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-overlay", "-f"]).ok().stdout,
        golden("show-overlay-f-derived.out")
    );
    // -t and -f: the later one wins.
    assert_eq!(
        env.dladm(&["show-overlay", "-t", "-f"]).ok().stdout,
        golden("show-overlay-f-derived.out")
    );
    let r = env.dladm(&[
        "show-overlay",
        "-t",
        "-p",
        "-o",
        "target,destination",
        "overlay0",
    ]);
    assert_eq!(r.ok().stdout, "*\\:*\\:*\\:*\\:*\\:*:10.1.1.3\\:4789\n");
}

#[test]
fn show_overlay_json() {
    let Some(env) = Env::sim_only() else { return };
    env.dladm(DIRECT).ok();
    let r = env.dladm(&["show-overlay", "--json", "-t"]);
    let v: serde_json::Value = serde_json::from_str(&r.ok().stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([{"link": "overlay0", "target": "*:*:*:*:*:*",
            "destination": "10.1.1.3:4789"}])
    );
    let r = env.dladm(&["show-overlay", "--json", "-o", "property,value"]);
    let v: serde_json::Value = serde_json::from_str(&r.ok().stdout).unwrap();
    assert_eq!(
        v[4],
        serde_json::json!({"property": "vxlan/listen_ip", "value": "10.1.1.2"})
    );
    let r = env.dladm(&["show-overlay", "--json", "-f"]);
    let v: serde_json::Value = serde_json::from_str(&r.ok().stdout).unwrap();
    assert_eq!(v[0]["status"], "ONLINE");
}

/// show-overlay has its own exit status: a name that is not found is a
/// warning, the others are still shown, and the exit status is 1.
#[test]
fn show_overlay_exit_status() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    env.dladm(DIRECT).ok();
    let r = env.dladm(&["show-overlay", "-o", "link,property", "nosuch", "overlay0"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "dladm: warning: failed to find nosuch: object not found\n"
    );
    assert!(
        r.stdout.contains("overlay0           vxlan/listen_ip"),
        "{}",
        r.stdout
    );
    let stub = env.n("stub0");
    env.dladm(&["create-etherstub", "-t", &stub]).ok();
    let r = env.dladm(&["show-overlay", &stub]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            format!("dladm: warning: {stub} is not an overlay\n").as_str()
        )
    );
    env.dladm(&["show-overlay", "-f", &stub])
        .fails_with(&format!(
            "dladm: datalink {stub} is not an overlay device\n\n"
        ));
    // No overlay at all: nothing, successfully.
    env.dladm(&["delete-overlay", "overlay0"]).ok();
    assert_eq!(env.dladm(&["show-overlay"]).ok().stdout, "");
}

/// `do_create_overlay`'s checks, in its order, and libdladm's errlist
/// warnings; a failed creation leaves nothing.
#[test]
fn create_overlay_messages() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let usage = "usage:     create-overlay   [-t] -e <encap> -s <search> -v <vnetid>\n\t\t     [ -p <prop>=<value>[,...]] <overlay>\n";
    let long = "averyveryveryveryverylonglinkname0";
    let ok_props = "vxlan/listen_ip=10.0.0.1,direct/dest_ip=10.0.0.2,direct/dest_port=4789";
    let cases: Vec<(Vec<&str>, String)> = vec![
        (vec![], "dladm: missing required virtual network id\n".into()),
        (vec!["-v", "4"], "dladm: missing required encapsulation plugin\n".into()),
        (vec!["-v", "4", "-e", "vxlan"], "dladm: missing required search plugin\n".into()),
        (vec!["-v", "4", "-e", "vxlan", "-s", "direct"], "dladm: missing device name\n".into()),
        (
            vec!["-v", "4x", "-e", "vxlan", "-s", "direct", "o0"],
            "dladm: couldn't parse virtual networkd id: 4x\n".into(),
        ),
        (
            vec!["-v", "99999999999999999999", "-e", "vxlan", "-s", "direct", "o0"],
            "dladm: virtual networkd id too large: 99999999999999999999\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", long],
            format!("dladm: link name too long '{long}'\n"),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "0bad"],
            "dladm: invalid link name '0bad'\n".into(),
        ),
        (
            vec!["-v", "4", "-e", long, "-s", "direct", "o0"],
            format!("dladm: encapsulation plugin name too long '{long}'\n"),
        ),
        // dladm.c names the encapsulation here.
        (
            vec!["-v", "4", "-e", "vxlan", "-s", long, "o0"],
            "dladm: search plugin name too long 'vxlan'\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "=x", "o0"],
            "dladm: invalid overlay property\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "geneve", "-s", "direct", "-p", ok_props, "o0"],
            "dladm: overlay creation failed: object not found\n".into(),
        ),
        (
            vec!["-v", "16777216", "-e", "vxlan", "-s", "direct", "-p", ok_props, "o0"],
            "dladm: overlay creation failed: invalid argument\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "svp", "o0"],
            "dladm: warning: failed to create varpd instance: No such file or directory\ndladm: overlay creation failed: object not found\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "vxlan/listen_ip=224.0.0.1", "o0"],
            "dladm: warning: failed to set property vxlan/listen_ip\ndladm: overlay creation failed: invalid argument\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "mtu=9000", "o0"],
            "dladm: warning: failed to set property mtu\ndladm: overlay creation failed: invalid argument\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "encap=x", "o0"],
            "dladm: warning: failed to set property encap\ndladm: overlay creation failed: permission denied\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "nosuch=1", "o0"],
            "dladm: warning: failed to set property nosuch\ndladm: overlay creation failed: object not found\n".into(),
        ),
        // varpd's message carries a newline of its own.
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "direct/dest_port=0", "o0"],
            "dladm: warning: failed to set varpd prop: direct/dest_port\n\ndladm: overlay creation failed: invalid argument\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "vxlan/listen_ip=10.0.0.1", "o0"],
            "dladm: warning: failed to activate varpd instance: Resource temporarily unavailable\ndladm: warning: unset required property: direct/dest_ip\ndladm: warning: unset required property: direct/dest_port\ndladm: overlay creation failed: try again later\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "direct", "-p", "direct/dest_ip=10.0.0.2,direct/dest_port=4789", "o0"],
            "dladm: warning: failed to activate device: Invalid argument\ndladm: warning: unset required property: vxlan/listen_ip\ndladm: overlay creation failed: invalid argument\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "files", "-p", "vxlan/listen_ip=10.0.0.1,files/config=rel.json", "o0"],
            "dladm: warning: failed to activate varpd instance: Invalid argument\ndladm: warning: files/config rel.json: not an absolute path\ndladm: overlay creation failed: invalid argument\n".into(),
        ),
        (
            vec!["-v", "4", "-e", "vxlan", "-s", "files", "-p", "vxlan/listen_ip=10.0.0.1,files/config=/nonexistent/x.json", "o0"],
            "dladm: warning: failed to activate varpd instance: No such file or directory\ndladm: warning: files/config /nonexistent/x.json: no such file\ndladm: overlay creation failed: object not found\n".into(),
        ),
        (vec!["-X"], format!("dladm: unrecognized option '-X'\n{usage}")),
        (vec!["-v"], format!("dladm: option '-v' requires a value\n{usage}")),
    ];
    for (args, want) in cases {
        let mut a = vec!["create-overlay"];
        a.extend(&args);
        env.dladm(&a).fails_with(&want);
    }
    assert_eq!(env.dladm(&["show-link", "-p", "-o", "link", "o0"]).code, 1);
    // The same (VNI, encapsulation) twice.
    let mut a = vec![
        "create-overlay",
        "-t",
        "-v",
        "7",
        "-e",
        "vxlan",
        "-s",
        "direct",
    ];
    a.extend(["-p", ok_props, "o1"]);
    env.dladm(&a).ok();
    *a.last_mut().unwrap() = "o2";
    env.dladm(&a)
        .fails_with("dladm: overlay creation failed: object already exists\n");
    a[5] = "8";
    *a.last_mut().unwrap() = "o1";
    env.dladm(&a)
        .fails_with("dladm: overlay creation failed: object already exists\n");
}

/// The files plugin's mapping: refused when it is not a valid mapping or
/// is a symbolic link; read once, when the overlay comes up.
#[test]
fn files_mapping_is_checked() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let bad = env.dir().join("bad.json");
    std::fs::write(&bad, r#"{"nomac": {}}"#).unwrap();
    let link = env.dir().join("link.json");
    let good = env.dir().join("good.json");
    std::fs::write(&good, MAP).unwrap();
    std::os::unix::fs::symlink(&good, &link).unwrap();
    for (path, why) in [
        (&bad, "key 'nomac' is not a MAC address".to_string()),
        (
            &link,
            "is a symbolic link; xbow does not follow it".to_string(),
        ),
    ] {
        let props = format!("vxlan/listen_ip=10.0.0.1,files/config={}", path.display());
        env.dladm(&[
            "create-overlay", "-t", "-e", "vxlan", "-s", "files", "-v", "9", "-p", &props, "o9",
        ])
        .fails_with(&format!(
            "dladm: warning: failed to activate varpd instance: Invalid argument\ndladm: warning: files/config {}: {why}\ndladm: overlay creation failed: invalid argument\n",
            path.display()
        ));
    }
}

/// `do_modify_overlay`: its checks and messages (several with dladm's
/// extra empty line), and the target table it changes.
#[test]
fn modify_overlay() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    env.dladm(DIRECT).ok();
    files_overlay(&env, true);
    for (args, want) in [
        (
            vec!["overlay50"],
            "dladm: need to specify one of -d, -f, or -s\n",
        ),
        (
            vec!["-f", "-d", "1:2:3:4:5:6", "overlay50"],
            "dladm: only one of -d, -f, or -s may be used\n",
        ),
        (vec!["-f"], "dladm: missing required overlay device\n\n"),
        (
            vec!["-f", "a", "b"],
            "dladm: only one overlay device may be specified\n\n",
        ),
        (
            vec!["-d", "zz", "overlay50"],
            "dladm: invalid mac address: zz\n\n",
        ),
        (
            vec!["-s", "zz=1.2.3.4:5", "overlay50"],
            "dladm: invalid mac address: zz\n\n",
        ),
        (
            vec!["-s", "nothing", "overlay50"],
            "dladm: malformed value, expected mac=dest, got: nothing\n\n",
        ),
        (
            vec!["-f", "-f", "overlay50"],
            "dladm: the option -f cannot be specified more than once\n",
        ),
        (
            vec!["-f", "nosuch"],
            "dladm: failed to find overlay nosuch: object not found\n",
        ),
        (
            vec!["-f", "overlay0"],
            "dladm: failed to flush target cache for overlay overlay0: operation not supported\n",
        ),
        (
            vec!["-d", "2:8:20:0:0:1", "overlay0"],
            "dladm: failed to flush target 2:8:20:0:0:1 from overlay target cache overlay0: operation not supported\n",
        ),
        (
            vec!["-s", "2:8:20:0:0:1=10.0.0.1:0", "overlay50"],
            "dladm: failed to set target 2:8:20:0:0:1 for overlay target cache overlay50: invalid argument\n",
        ),
    ] {
        let mut a = vec!["modify-overlay"];
        a.extend(&args);
        env.dladm(&a).fails_with(want);
    }
    let table = |env: &Env| {
        env.dladm(&[
            "show-overlay",
            "-t",
            "-p",
            "-o",
            "target,destination",
            "overlay50",
        ])
        .ok()
        .stdout
        .clone()
    };
    assert_eq!(
        table(&env),
        "2\\:8\\:20\\:aa\\:0\\:1:192.0.2.11\\:4789\n2\\:8\\:20\\:aa\\:0\\:2:192.0.2.12\\:4789\n"
    );
    env.dladm(&["modify-overlay", "-s", "2:8:20:aa:0:2=drop", "overlay50"])
        .ok();
    env.dladm(&[
        "modify-overlay",
        "--set-entry",
        "02:08:20:aa:00:09=192.0.2.19:4790",
        "overlay50",
    ])
    .ok();
    // A malformed address is accepted without effect, as libdladm does.
    env.dladm(&[
        "modify-overlay",
        "-s",
        "2:8:20:aa:0:8=bogus:4789",
        "overlay50",
    ])
    .ok();
    assert_eq!(
        table(&env),
        "2\\:8\\:20\\:aa\\:0\\:1:192.0.2.11\\:4789\n2\\:8\\:20\\:aa\\:0\\:2:\\:\\:\\:0\n2\\:8\\:20\\:aa\\:0\\:9:192.0.2.19\\:4790\n"
    );
    env.dladm(&["modify-overlay", "-d", "2:8:20:aa:0:9", "overlay50"])
        .ok();
    env.dladm(&["modify-overlay", "-f", "overlay50"]).ok();
    assert_eq!(
        table(&env),
        "2\\:8\\:20\\:aa\\:0\\:1:192.0.2.11\\:4789\n2\\:8\\:20\\:aa\\:0\\:2:192.0.2.12\\:4789\n"
    );
}

/// VNICs over an overlay (reference overlay.md §4): no factory
/// addresses; the overlay cannot be deleted while one is on it; its MTU
/// (1400 by default) is theirs; class `overlay` in show-link.
#[test]
fn vnics_over_an_overlay() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    env.dladm(DIRECT).ok();
    let vnic = env.n("vnic0");
    env.dladm(&["create-vnic", "-t", "-l", "overlay0", &vnic])
        .ok();
    env.dladm(&["create-vnic", "-t", "-l", "overlay0", "-m", "factory", "v1"])
        .fails_with("dladm: vnic creation over overlay0 failed: operation not supported\n");
    env.dladm(&["delete-overlay", "overlay0"])
        .fails_with("dladm: failed to delete overlay0: link busy\n");
    let r = env.dladm(&["show-vnic", "-p", "-o", "link,over", &vnic]);
    assert_eq!(r.ok().stdout, format!("{vnic}:overlay0\n"));
    let r = env.dladm(&["show-link", "-p", "-o", "link,class,mtu,over"]);
    assert!(
        r.ok().stdout.contains("overlay0:overlay:1400:"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains(&format!("{vnic}:vnic:1400:overlay0")),
        "{}",
        r.stdout
    );
    let r = env.dladm(&[
        "show-linkprop",
        "-c",
        "-o",
        "value",
        "-p",
        "mtu",
        "overlay0",
    ]);
    assert_eq!(r.ok().stdout, "1400\n");
    // delete-vnic, then the overlay goes.
    env.dladm(&["delete-vnic", &vnic]).ok();
    env.dladm(&["delete-overlay", "overlay0"]).ok();
    env.dladm(&["delete-overlay", "overlay0"])
        .fails_with("dladm: failed to delete overlay0: object not found\n");
    // Not an overlay: libdladm's BADARG.
    let stub = env.n("stub0");
    env.dladm(&["create-etherstub", "-t", &stub]).ok();
    env.dladm(&["delete-overlay", &stub]).fails_with(&format!(
        "dladm: failed to delete {stub}: invalid argument\n"
    ));
}

/// A persistent overlay survives a sim reboot; `-t` deletes only the
/// active one.
#[test]
fn persistence_on_the_sim() {
    let Some(env) = Env::sim_only() else { return };
    env.dladm(DIRECT).ok();
    files_overlay(&env, true);
    env.xbow(&["sim", "reboot"]).ok();
    let r = env.dladm(&["show-overlay", "-f", "-p", "-o", "link"]);
    assert_eq!(r.ok().stdout, "overlay0\n");
    env.dladm(&["delete-overlay", "-t", "overlay0"]).ok();
    let r = env.dladm(&["show-link", "-P", "-p", "-o", "link,class"]);
    assert_eq!(r.ok().stdout, "overlay0:overlay\n");
}

/// `show_one_overlay_fma`: a degraded overlay and its details (the sim's
/// `overlay-fault` plays the search plugin that reports it).
#[test]
fn a_degraded_overlay() {
    let Some(env) = Env::sim_only() else { return };
    env.dladm(DIRECT).ok();
    env.xbow(&[
        "sim",
        "overlay-fault",
        "overlay0",
        "--degraded",
        "lost contact with the mapping",
    ])
    .ok();
    assert_eq!(
        env.dladm(&["show-overlay", "-f"]).ok().stdout,
        "LINK                STATUS  DETAILS\noverlay0            DEGRADED lost contact with the mapping\n"
    );
    env.xbow(&["sim", "overlay-fault", "overlay0"]).ok();
    let r = env.dladm(&["show-overlay", "-f", "-p", "-o", "status,details"]);
    assert_eq!(r.ok().stdout, "ONLINE:-\n");
    let r = env.xbow(&["sim", "overlay-fault", "nosuch"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "xbow sim: overlay-fault nosuch: object not found\n")
    );
}
