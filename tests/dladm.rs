//! The dladm personality, end to end. Backend-agnostic: these tests run
//! on the sim here and, with `XBOW_TEST_BACKEND=illumos`, against a real
//! kernel (illumos-ci/run.sh). Link names carry the per-run prefix.

mod common;

use common::{Env, golden};
use xbow::backend::illumos::host_parse::split_parsable;
use xbow::ofmt::{Cell, Flags, Ofmt};

/// The show-linkprop table for these rows (the names vary with the test
/// prefix, and long ones shift the columns as libofmt does).
fn linkprop_table(rows: &[[&str; 6]]) -> String {
    let flags = Flags {
        parsable: false,
        wrap: true,
    };
    let (mut o, _) = Ofmt::open(None, xbow::dladm::LINKPROP_FIELDS, flags, 24).unwrap();
    let mut out = Vec::new();
    for r in rows {
        let cells: Vec<Cell> = r.iter().map(|s| Cell::from(*s)).collect();
        o.print(&mut out, &cells).unwrap();
    }
    String::from_utf8(out).unwrap()
}

fn usage_text() -> String {
    golden("usage.txt")
}

/// `dladm: MSG\nusage: USAGE\n` as die_opterr prints it.
fn opterr(msg: &str, usage: &str) -> String {
    format!("dladm: {msg}\nusage: {usage}\n")
}

const CREATE_VNIC_USAGE: &str = "    create-vnic      [-t] -l <link> [-m <value> | auto |\n\t\t     {factory [-n <slot-id>]} | {random [-r <prefix>]} |\n\t\t     {vrrp -V <vrid> -A {inet | inet6}} [-v <vid> [-f]]\n\t\t     [-p <prop>=<value>[,...]] <vnic-link>";

/// One `show-vnic -p -o FIELDS` row per VNIC, fields split.
fn vnic_rows(env: &Env, fields: &str) -> Vec<Vec<String>> {
    let r = env.dladm(&["show-vnic", "-p", "-o", fields]);
    r.ok();
    r.stdout
        .lines()
        .filter(|l| l.starts_with(&env.prefix))
        .map(split_parsable)
        .collect()
}

#[test]
fn article_sequence() {
    let env = Env::new();
    let stub = env.n("etherstub0");
    env.dladm(&["create-etherstub", &stub]).ok();
    for i in 0..3 {
        env.dladm(&["create-vnic", "-d", &stub, &env.n(&format!("vnic{i}"))])
            .ok();
    }
    let rows = vnic_rows(&env, "link,over,speed,macaddress,macaddrtype,vid");
    assert_eq!(rows.len(), 3);
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(r[0], env.n(&format!("vnic{i}")));
        assert_eq!(r[1], stub);
        assert_eq!(r[2], "0");
        assert!(r[3].starts_with("2:8:20:"), "{r:?}");
        assert_eq!(r[3].split(':').count(), 6);
        assert!(
            r[3].split(':')
                .all(|o| o.len() <= 2 && !(o.len() == 2 && o.starts_with('0')))
        );
        assert_eq!(r[4], "random");
        assert_eq!(r[5], "0");
    }
    // The human table: a header and three rows, MACs distinct.
    let table = env.dladm(&["show-vnic"]);
    table.ok();
    let lines: Vec<&str> = table
        .stdout
        .lines()
        .filter(|l| l.starts_with(&env.prefix))
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(table.stdout.starts_with(
        "LINK         OVER         SPEED    MACADDRESS        MACADDRTYPE         VID\n"
    ));
    let macs: std::collections::HashSet<&String> = rows.iter().map(|r| &r[3]).collect();
    assert_eq!(macs.len(), 3);

    let v3 = env.n("vnic3");
    env.dladm(&["create-vnic", "-l", &stub, "-p", "maxbw=100M", &v3])
        .ok();
    let r = env.dladm(&["show-linkprop", "-c", "-o", "value", "-p", "maxbw", &v3]);
    assert_eq!(r.ok().stdout, "  100\n");
    let r = env.dladm(&["show-linkprop", "-p", "maxbw", &v3]);
    assert_eq!(
        r.ok().stdout,
        linkprop_table(&[[&v3, "maxbw", "rw", "  100", "--", "-- "]])
    );
}

#[test]
fn no_arguments_is_show_link() {
    let env = Env::new();
    env.dladm(&["create-etherstub", &env.n("stub0")]).ok();
    assert_eq!(env.dladm(&[]).stdout, env.dladm(&["show-link"]).stdout);
}

#[test]
fn unknown_subcommand_and_help() {
    let env = Env::new();
    env.dladm(&["frobnicate"]).fails_with(&format!(
        "dladm: unknown subcommand 'frobnicate'\n{}",
        usage_text()
    ));
    let r = env.dladm(&["help"]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(r.stderr, usage_text());
    // Subcommand names are exact.
    env.dladm(&["Show-Link"]).fails_with(&format!(
        "dladm: unknown subcommand 'Show-Link'\n{}",
        usage_text()
    ));
}

#[test]
fn create_etherstub_errors() {
    let env = Env::new();
    let u = "    create-etherstub [-t] <link>";
    env.dladm(&["create-etherstub"]).fails_with(&usage_text());
    env.dladm(&["create-etherstub", "a0", "b0"])
        .fails_with(&usage_text());
    env.dladm(&["create-etherstub", "-x", "s0"])
        .fails_with(&opterr("unrecognized option '-x'", u));
    // No leading ':' in the option string: a missing value is "unrecognized".
    env.dladm(&["create-etherstub", "s0", "-R"])
        .fails_with(&opterr("unrecognized option '-R'", u));
    let long = format!("{}1", "a".repeat(31));
    env.dladm(&["create-etherstub", &long])
        .fails_with(&format!("dladm: link name too long '{long}'\n"));
    for bad in ["stub", "0stub0", "stub00", "my-stub0"] {
        env.dladm(&["create-etherstub", bad])
            .fails_with(&format!("dladm: invalid link name '{bad}'\n"));
    }
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["create-etherstub", &s])
        .fails_with("dladm: etherstub creation failed: object already exists\n");
}

/// `-R ROOT`: dladm.c `altroot_cmd` appends the command (its argv as
/// getopt_long left it, a separate `-R ROOT` left out) to ROOT's upgrade
/// profile and exits 0 without touching the running system; each
/// subcommand calls it right after its own argument checks.
#[test]
fn alternate_root_appends_to_the_upgrade_profile() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let root = env.dir().join("altroot");
    let r = root.to_str().unwrap();
    let (s, v) = (env.n("stub0"), env.n("vnic0"));
    // No /var/svc/profile there: fopen fails.
    env.dladm(&["create-etherstub", "-R", r, &s])
        .fails_with(&format!("dladm: operation not supported on {r}\n"));
    let profile = root.join("var/svc/profile");
    std::fs::create_dir_all(&profile).unwrap();
    env.dladm(&["create-etherstub", "-R", r, &s]).ok();
    // Operands are moved after the options, as getopt_long leaves argv.
    env.dladm(&["create-vnic", &v, "-R", r, "-l", &s, "-p", "maxbw=100M"])
        .ok();
    env.dladm(&["set-linkprop", "-t", "-p", "priority=low", "-R", r, &v])
        .ok();
    env.dladm(&["reset-linkprop", "-R", r, &v]).ok();
    env.dladm(&["delete-vnic", &format!("--root-dir={r}"), &v])
        .ok();
    env.dladm(&["delete-etherstub", "-R", r, &s]).ok();
    let m = " # added by dladm(8)";
    let want = format!(
        "/sbin/dladm create-etherstub {s} {m}\n\
         /sbin/dladm create-vnic -l {s} -p maxbw=100M {v} {m}\n\
         /sbin/dladm set-linkprop -t -p priority=low {v} {m}\n\
         /sbin/dladm reset-linkprop {v} {m}\n\
         /sbin/dladm delete-vnic --root-dir={r} {v} {m}\n\
         /sbin/dladm delete-etherstub {s} {m}\n"
    );
    let upgrade = profile.join("upgrade");
    assert_eq!(std::fs::read_to_string(&upgrade).unwrap(), want);
    let mode = std::fs::metadata(&upgrade).unwrap().permissions().mode();
    assert_eq!(mode & 0o7777, 0o600);
    // Nothing was created on the running system.
    assert_eq!(env.dladm(&["show-etherstub"]).stdout, "");
    // The subcommand's own checks come first.
    env.dladm(&["create-vnic", "-R", r, "-l", &s, "bad-name"])
        .fails_with("dladm: invalid link name 'bad-name'\n");
    env.dladm(&["set-linkprop", "-R", r, &v])
        .fails_with("dladm: link property must be specified\n");
    // A root with a datalink.conf gets upgrade_datalink.
    std::fs::create_dir_all(root.join("etc/dladm")).unwrap();
    std::fs::write(root.join("etc/dladm/datalink.conf"), "").unwrap();
    env.dladm(&["create-etherstub", "-R", r, &s]).ok();
    assert_eq!(
        std::fs::read_to_string(profile.join("upgrade_datalink")).unwrap(),
        format!("/sbin/dladm create-etherstub {s} {m}\n")
    );
    // Never through a link; never a line break into the script.
    std::fs::remove_file(profile.join("upgrade_datalink")).unwrap();
    std::os::unix::fs::symlink(
        env.dir().join("elsewhere"),
        profile.join("upgrade_datalink"),
    )
    .unwrap();
    env.dladm(&["create-etherstub", "-R", r, &s])
        .fails_with(&format!("dladm: operation not supported on {r}\n"));
    assert!(!env.dir().join("elsewhere").exists());
    let up = format!("/{r}//var/svc/profile/upgrade_datalink");
    env.dladm(&["set-linkprop", "-p", "priority=low\nreboot", "-R", r, &v])
        .fails_with(&format!(
            "dladm: -R {r}: an argument holds a line break; nothing was written to {up}\n"
        ));
}

#[test]
fn delete_errors_and_class_checks() {
    let env = Env::new();
    let (s, v) = (env.n("stub0"), env.n("vnic0"));
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["create-vnic", "-l", &s, &v]).ok();
    env.dladm(&["delete-vnic", &s])
        .fails_with(&format!("dladm: '{s}' is not a vnic\n"));
    env.dladm(&["delete-etherstub", &v])
        .fails_with(&format!("dladm: '{v}' is not an etherstub\n"));
    let none = env.n("none0");
    env.dladm(&["delete-vnic", &none])
        .fails_with(&format!("dladm: invalid link name '{none}'\n"));
    env.dladm(&["delete-vnic"]).fails_with(&usage_text());
    env.dladm(&["delete-vnic", "-q", &v]).fails_with(&opterr(
        "unrecognized option '-q'",
        "    delete-vnic      [-t] <vnic-link>",
    ));
    // [unverified] the kernel refuses while VNICs are over the etherstub.
    env.dladm(&["delete-etherstub", &s])
        .fails_with("dladm: vnic deletion failed: link busy\n");
    env.dladm(&["delete-vnic", &v]).ok();
    env.dladm(&["delete-etherstub", &s]).ok();
    assert_eq!(
        env.dladm(&["show-etherstub", "-p", "-o", "link"])
            .stdout
            .lines()
            .filter(|l| l.starts_with(&env.prefix))
            .count(),
        0
    );
}

#[test]
fn create_vnic_option_errors() {
    let env = Env::new();
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    let v = env.n("vnic0");
    let c = |args: &[&str]| {
        let mut a = vec!["create-vnic"];
        a.extend_from_slice(args);
        env.dladm(&a)
    };
    c(&["-l", &s, "-m", "fixed", &v]).fails_with("dladm: 'fixed' is not a valid MAC address\n");
    c(&["-l", &s, "-m", "random", "-m", "auto", &v])
        .fails_with("dladm: cannot specify -m option twice\n");
    c(&["-l", &s, "-m", "2:8:20:zz:1:2", &v]).fails_with("dladm: invalid MAC address\n");
    c(&["-l", &s, "-m", "2-8-20-1-2-3", &v]).fails_with("dladm: invalid MAC address\n");
    c(&["-l", &s, "-m", "random", "-r", "2::8", &v]).fails_with("dladm: invalid MAC address\n");
    for vid in ["0", "4095", "abc", "12x", "-1"] {
        c(&["-l", &s, "-v", vid, &v])
            .fails_with(&format!("dladm: invalid VLAN identifier '{vid}'\n"));
    }
    c(&["-l", &s, "-v", "2", "-v", "3", &v])
        .fails_with("dladm: the option -v cannot be specified more than once\n");
    c(&["-l", &s, "-f", &v]).fails_with("dladm: -f option can only be used with -v\n");
    for vrid in ["0", "256", "x"] {
        c(&["-l", &s, "-m", "vrrp", "-V", vrid, "-A", "inet", &v])
            .fails_with(&format!("dladm: invalid VRRP identifier '{vrid}'\n"));
    }
    c(&["-l", &s, "-m", "vrrp", "-V", "1", "-A", "ipx", &v])
        .fails_with("dladm: invalid address family 'ipx'\n");
    c(&["-l", &s, "-m", "factory", "-n", "1x", &v]).fails_with("dladm: invalid slot number\n");
    // Combinations dladm answers with the full usage text.
    c(&[&v]).fails_with(&usage_text());
    c(&["-l", &s, "-m", "random", "-n", "1", &v]).fails_with(&usage_text());
    c(&["-l", &s, "-m", "factory", "-r", "2:8:20", &v]).fails_with(&usage_text());
    c(&["-l", &s, "-m", "vrrp", "-V", "1", &v]).fails_with(&usage_text());
    c(&["-l", &s, "-V", "1", "-A", "inet", &v]).fails_with(&usage_text());
    c(&["-l", &s]).fails_with(&usage_text());
    c(&["-l", &s, &v, &env.n("vnic9")]).fails_with(&usage_text());
    c(&["-l"]).fails_with(&opterr("option '-l' requires a value", CREATE_VNIC_USAGE));
    c(&["-l", &s, "-z", &v]).fails_with(&opterr("unrecognized option '-z'", CREATE_VNIC_USAGE));
    let long = "a".repeat(32);
    c(&["-l", &long, &v]).fails_with("dladm: link name too long\n");
    c(&["-l", &s, "bad-name0"]).fails_with("dladm: invalid link name 'bad-name0'\n");
    let none = env.n("none0");
    c(&["-l", &none, &v]).fails_with(&format!("dladm: invalid link name '{none}'\n"));
    // Names are not checked when the list is parsed (`dladm_parse_args`):
    // `dladm_vnic_create` stores each property of a persistent VNIC and
    // gives up (undoing the creation) at an unknown one.
    if env.keeps_persistent() {
        c(&["-l", &s, "-p", "foo=1", &v]).fails_with(&format!(
            "dladm: vnic creation over {s} failed: object not found\n"
        ));
    }
    c(&["-l", &s, "-p", "maxbw=", &v]).fails_with("dladm: invalid vnic property\n");
    let huge = format!("maxbw={}", "1".repeat(300));
    let mut shown = format!("{huge},");
    shown.truncate(255);
    c(&["-l", &s, "-p", &huge, &v])
        .fails_with(&format!("dladm: property list too long '{shown}'\n"));
    // Nothing was created by any of these.
    assert!(vnic_rows(&env, "link").is_empty());
}

#[test]
fn create_vnic_kernel_errors() {
    let env = Env::new();
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    let v = env.n("vnic0");
    env.dladm(&["create-vnic", "-l", &s, "-p", "maxbw=1k", &v])
        .fails_with(&format!(
            "dladm: vnic creation over {s} failed: minimum value for maxbw is 1200K\n"
        ));
    env.dladm(&["create-vnic", "-l", &s, &v]).ok();
    env.dladm(&["create-vnic", "-l", &s, &v])
        .fails_with(&format!(
            "dladm: vnic creation over {s} failed: object already exists\n"
        ));
    // No VNIC over a VNIC.
    let v2 = env.n("vnic2");
    env.dladm(&["create-vnic", "-l", &v, &v2])
        .fails_with(&format!(
            "dladm: vnic creation over {v} failed: invalid argument\n"
        ));
    // Names are unique across classes.
    env.dladm(&["create-etherstub", &v])
        .fails_with("dladm: etherstub creation failed: object already exists\n");
    // A persistent VNIC over a temporary etherstub.
    let t = env.n("tstub0");
    env.dladm(&["create-etherstub", "-t", &t]).ok();
    if env.keeps_persistent() {
        env.dladm(&["create-vnic", "-l", &t, &v2]).fails_with(&format!(
            "dladm: vnic creation over {t} failed: can't create persistent object on top of temporary object\n"
        ));
    }
    env.dladm(&["create-vnic", "-t", "-l", &t, &v2]).ok();
    // Fixed addresses: used twice, multicast, wrong length.
    let v3 = env.n("vnic3");
    env.dladm(&["create-vnic", "-l", &s, "-m", "2:8:20:1:2:3", &v3])
        .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        &s,
        "-m",
        "2:8:20:1:2:3",
        &env.n("vnic4"),
    ])
    .fails_with(&format!(
        "dladm: vnic creation over {s} failed: MAC address is already in use\n"
    ));
    env.dladm(&[
        "create-vnic",
        "-l",
        &s,
        "-m",
        "1:8:20:1:2:3",
        &env.n("vnic4"),
    ])
    .fails_with(&format!(
        "dladm: vnic creation over {s} failed: invalid MAC address value\n"
    ));
    env.dladm(&["create-vnic", "-l", &s, "-m", "2:8:20:1:2", &env.n("vnic4")])
        .fails_with(&format!(
            "dladm: vnic creation over {s} failed: invalid MAC address length\n"
        ));
    // The kernel checks the (address, VID) pair (`mac_addr_in_use`): the
    // same address with another VID is another client.
    if !env.real() {
        env.dladm(&[
            "create-vnic",
            "-l",
            &s,
            "-m",
            "2:8:20:1:2:3",
            "-v",
            "5",
            &env.n("vnic5"),
        ])
        .ok();
        env.dladm(&["delete-vnic", &env.n("vnic5")]).ok();
    }
    // An etherstub's own address is all zeros (the anchor VNIC's, never
    // set): `i_mac_unicast_add` finds a VNIC asking for it to be the lower
    // link's address; the Ethernet plugin takes any unicast address.
    if !env.real() {
        env.dladm(&["create-vnic", "-l", &s, "-m", "0:0:0:0:0:0", &env.n("vnic4")])
            .fails_with(&format!(
                "dladm: vnic creation over {s} failed: MAC address reserved for use by underlying data-link\n"
            ));
    }
    // [unverified] a VID equal to the lower link's default_tag (1).
    env.dladm(&["create-vnic", "-l", &s, "-v", "1", &env.n("vnic4")])
        .fails_with(&format!(
            "dladm: VLAN over '{s}' may not use default_tag ID (see dladm(8))\n"
        ));
    // VRRP needs an Ethernet link, not an etherstub.
    env.dladm(&[
        "create-vnic",
        "-l",
        &s,
        "-m",
        "vrrp",
        "-V",
        "12",
        "-A",
        "inet",
        &env.n("vnic4"),
    ])
    .fails_with(&format!(
        "dladm: vnic creation over {s} failed: invalid argument\n"
    ));
}

#[test]
fn mac_types_and_vids() {
    let env = Env::new();
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        &s,
        "-m",
        "02:08:20:0A:0B:0C",
        "-v",
        "4094",
        &env.n("fix0"),
    ])
    .ok();
    env.dladm(&[
        "create-vnic",
        "-l",
        &s,
        "-m",
        "randomXYZ",
        "-r",
        "a:b:c:d",
        &env.n("rnd0"),
    ])
    .ok();
    env.dladm(&["create-vnic", "-l", &s, "-m", "auto", &env.n("auto0")])
        .ok();
    let rows = vnic_rows(&env, "link,macaddress,macaddrtype,vid");
    assert_eq!(
        rows[0],
        vec![
            env.n("fix0"),
            "2:8:20:a:b:c".into(),
            "fixed".into(),
            "4094".into()
        ]
    );
    assert!(rows[1][1].starts_with("a:b:c:d:"), "{:?}", rows[1]);
    assert_eq!(rows[1][2], "random");
    assert_eq!(
        rows[2][2], "random",
        "an etherstub has no factory addresses"
    );
    // A single field is printed unescaped.
    let r = env.dladm(&["show-vnic", "-p", "-o", "macaddress", &env.n("fix0")]);
    assert_eq!(r.ok().stdout, "2:8:20:a:b:c\n");
}

#[test]
fn vnic_over_physical_link() {
    let env = Env::new();
    if env.linux.is_some() {
        // A VID over a physical link needs 802.1Q, maxbw a shapeable VNIC
        // and priority=low priorities: the Linux backend's own refusals are
        // tested in tests/linux.rs.
        return;
    }
    let phys = env.phys("e1000g0", 1000);
    let v = env.n("vnic0");
    env.dladm(&[
        "create-vnic",
        "-l",
        &phys,
        "-v",
        "30",
        "-p",
        "maxbw=2m,priority=low",
        &v,
    ])
    .ok();
    let rows = vnic_rows(&env, "link,over,vid");
    assert_eq!(rows, vec![vec![v.clone(), phys.clone(), "30".to_string()]]);
    let r = env.dladm(&[
        "show-linkprop",
        "-c",
        "-o",
        "property,value",
        "-p",
        "maxbw,priority",
        &v,
    ]);
    assert_eq!(r.ok().stdout, "maxbw:    2\npriority:low\n");
    // show-vnic -l filters by lower link.
    let r = env.dladm(&["show-vnic", "-p", "-o", "link", "-l", &phys]);
    assert_eq!(r.ok().stdout, format!("{v}\n"));
    env.dladm(&["delete-vnic", &v]).ok();
}

#[test]
fn show_vnic_errors() {
    let env = Env::new();
    let (s, v) = (env.n("stub0"), env.n("vnic0"));
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["create-vnic", "-l", &s, &v]).ok();
    let none = env.n("none0");
    env.dladm(&["show-vnic", &none]).fails_with(&format!(
        "dladm: invalid vnic name '{none}': object not found\n"
    ));
    env.dladm(&["show-etherstub", &none]).fails_with(&format!(
        "dladm: invalid etherstub name '{none}': object not found\n"
    ));
    env.dladm(&["show-vnic", &s]).fails_with(&format!(
        "dladm: datalink {s} is not a vnic: found class etherstub\n"
    ));
    env.dladm(&["show-etherstub", &v]).fails_with(&format!(
        "dladm: datalink {v} is not an etherstub: found class vnic\n"
    ));
    env.dladm(&["show-vnic", "-p"])
        .fails_with("dladm: output fields must be specified in parsable mode\n");
    env.dladm(&["show-vnic", "-p", "-o", "all"])
        .fails_with("dladm: output field `all' invalid in parsable mode\n");
    env.dladm(&["show-vnic", "-o", "foo"])
        .fails_with("dladm: no valid output fields\n");
    env.dladm(&["show-vnic", "-p", "-o", "link,foo"])
        .fails_with("dladm: unknown output field: `foo'\n");
    let r = env.dladm(&["show-vnic", "-o", "LINK,foo,bar", &v]);
    assert_eq!(
        r.stderr,
        "dladm: warning: ignoring unknown output fields: `foo' `bar'\n"
    );
    assert_eq!((r.code, r.stdout), (0, format!("LINK\n{v}\n")));
    env.dladm(&["show-etherstub", "-t"]).fails_with(&opterr(
        "unrecognized option '-t'",
        "    show-etherstub   [-t] [<link>]\n",
    ));
    env.dladm(&["show-etherstub", "-l", &s])
        .fails_with("dladm: option not supported for this command\n");
    env.dladm(&["show-vnic", "-i", "5"])
        .fails_with("dladm: the option -i can be used only with -s\n");
    env.dladm(&["show-vnic", "-s", "-s"])
        .fails_with("dladm: the option -s cannot be specified more than once\n");
    env.dladm(&["show-vnic", "-s", "-i", "0"])
        .fails_with("dladm: invalid interval value '0'\n");
    env.dladm(&["show-vnic", "-l", &none]).fails_with(&format!(
        "dladm: invalid link name '{none}': object not found\n"
    ));
    env.dladm(&["show-vnic", &v, &s]).fails_with(&usage_text());
    // Operands may come before options (getopt_long permutes).
    let r = env.dladm(&["show-vnic", &v, "-p", "-o", "link"]);
    assert_eq!(r.ok().stdout, format!("{v}\n"));
    // show-etherstub -p needs no -o and prints bare names.
    let r = env.dladm(&["show-etherstub", "-p", &s]);
    assert_eq!(r.ok().stdout, format!("{s}\n"));
}

#[test]
fn show_link_errors() {
    let env = Env::new();
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", "-t", &s]).ok();
    let none = env.n("none0");
    env.dladm(&["show-link", &none]).fails_with(&format!(
        "dladm: link {none} is not valid: object not found\n"
    ));
    env.dladm(&["show-link", "-p"])
        .fails_with("dladm: -p requires -o\n");
    env.dladm(&["show-link", "-p", "-o", "ALL"])
        .fails_with("dladm: \"-o all\" is invalid with -p\n");
    env.dladm(&["show-link", "-p", "-p", "-o", "link"])
        .fails_with("dladm: the option -p cannot be specified more than once\n");
    env.dladm(&["show-link", "-P", &s]).fails_with(&format!(
        "dladm: link {s} is a temporary link: invalid argument\n"
    ));
    env.dladm(&["show-link", "-P", "-s"])
        .fails_with("dladm: the option -P cannot be used with -s\n");
    let v = env.n("vnic0");
    env.dladm(&["create-etherstub", &env.n("pstub0")]).ok();
    env.dladm(&["create-vnic", "-l", &env.n("pstub0"), &v]).ok();
    env.dladm(&["delete-vnic", "-t", &v]).ok();
    if env.keeps_persistent() {
        env.dladm(&["show-link", &v]).fails_with(&format!(
            "dladm: link {v} is temporarily removed: invalid argument\n"
        ));
        let r = env.dladm(&["show-link", "-P", "-p", "-o", "link,class,over", &v]);
        assert_eq!(r.ok().stdout, format!("{v}:vnic:{}\n", env.n("pstub0")));
        env.dladm(&["delete-vnic", &v]).ok();
    }
    env.dladm(&["show-link", &"a".repeat(32)])
        .fails_with("dladm: link name too long\n");
    let r = env.dladm(&["show-link", "-p", "-o", "link,class,mtu,state,over", &s]);
    assert_eq!(r.ok().stdout, format!("{s}:etherstub:9000:up:\n"));
    let r = env.dladm(&["show-link", "--parsable", "--output=class", &s]);
    assert_eq!(r.ok().stdout, "etherstub\n");
}

#[test]
fn show_phys() {
    let env = Env::new();
    let phys = env.phys("e1000g0", 1000);
    let r = env.dladm(&["show-phys", "-p", "-o", "link,media,device", &phys]);
    assert_eq!(r.ok().stdout, format!("{phys}:Ethernet:{phys}\n"));
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["show-phys", &s]).fails_with(&format!(
        "dladm: failed to show physical link {s}: invalid argument\n"
    ));
    env.dladm(&["show-phys", "-p"])
        .fails_with("dladm: -p requires -o\n");
    env.dladm(&["show-phys", "-m", "-H"])
        .fails_with("dladm: -m cannot combine with -H\n");
    let none = env.n("none0");
    env.dladm(&["show-phys", &none]).fails_with(&format!(
        "dladm: link {none} is not valid: object not found\n"
    ));
}

#[test]
fn set_linkprop_errors_and_values() {
    let env = Env::new();
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    let v = env.n("vnic0");
    env.dladm(&["create-vnic", "-l", &s, &v]).ok();
    let set = |p: &str| env.dladm(&["set-linkprop", "-p", p, &v]);
    let w = |m: &str| format!("dladm: warning: {m}\n");
    set("maxbw=1k").fails_with(&w(&format!(
        "cannot set link property 'maxbw' on '{v}': minimum value for maxbw is 1200K"
    )));
    set("maxbw=abc").fails_with(&w(&format!(
        "cannot set link property 'maxbw' on '{v}': invalid argument"
    )));
    set("maxbw=1.5M").fails_with(&w(&format!(
        "cannot set link property 'maxbw' on '{v}': invalid argument"
    )));
    set("maxbw=10x").fails_with(&w(&format!(
        "cannot set link property 'maxbw' on '{v}': invalid value"
    )));
    set("maxbw=10%").fails_with(&w(&format!(
        "cannot set link property 'maxbw' on '{v}': operation not supported"
    )));
    set("maxbw=1,2").fails_with(&w(&format!(
        "cannot set link property 'maxbw' on '{v}': invalid number of values"
    )));
    set("priority=urgent").fails_with(&w(
        "link property 'priority' must be one of: low,medium,high",
    ));
    set("maxbw").fails_with(&w("no value specified for 'maxbw'"));
    set("maxbw=").fails_with("dladm: invalid link properties specified\n");
    // Unknown names are reported when they are applied (dladm.c
    // `set_linkprop`, libdladm `dladm_set_linkprop` → NOTFOUND).
    set("bogus=1").fails_with(&w("invalid link property 'bogus'"));
    env.dladm(&["set-linkprop", &v])
        .fails_with("dladm: link property must be specified\n");
    env.dladm(&["set-linkprop", "-p", "maxbw=10"])
        .fails_with(&usage_text());
    env.dladm(&["reset-linkprop", "-p", "maxbw=10", &v])
        .fails_with("dladm: invalid link properties specified\n");
    let none = env.n("none0");
    env.dladm(&["set-linkprop", "-p", "maxbw=10", &none])
        .fails_with(&format!(
            "dladm: link {none} is not valid: object not found\n"
        ));
    // A VNIC's MTU: up to its lower link's (vnic_m_setprop; the etherstub
    // has 9000). Linux makes VNICs with the lower link's MTU only.
    if env.linux.is_none() {
        set("mtu=9001").fails_with(&w(&format!(
            "cannot set link property 'mtu' on '{v}': invalid argument"
        )));
        set("mtu=1500").ok();
        env.dladm(&["reset-linkprop", "-p", "mtu", &v]).ok();
    }
    // Each property is applied in turn; the exit status is the last
    // one's (dladm.c `set_linkprop` keeps only the last status).
    let show = |p: &str| {
        env.dladm(&["show-linkprop", "-c", "-o", "value", "-p", p, &v])
            .stdout
    };
    if env.has_priority() {
        let r = env.dladm(&["set-linkprop", "-p", "maxbw=1k,priority=low", &v]);
        assert_eq!(r.code, 0);
        assert_eq!(
            r.stderr,
            w(&format!(
                "cannot set link property 'maxbw' on '{v}': minimum value for maxbw is 1200K"
            ))
        );
        assert_eq!(show("priority"), "low\n");
        let r = env.dladm(&["set-linkprop", "-p", "priority=high,maxbw=1k", &v]);
        assert_eq!(r.code, 1);
        assert_eq!(show("priority"), "high\n");
    }
    // Good values, in every spelling dladm accepts.
    for (val, shown) in [
        ("100", "  100"),
        ("100M", "  100"),
        ("2m", "    2"),
        ("1200K", "    1.200"),
        ("1G", " 1000"),
        ("0", "    0"),
    ] {
        set(&format!("maxbw={val}")).ok();
        assert_eq!(show("maxbw"), format!("{shown}\n"), "{val}");
    }
    set("priority=HIGH").ok();
    assert_eq!(show("priority"), "high\n");
    env.dladm(&["reset-linkprop", "-p", "maxbw", &v]).ok();
    assert_eq!(show("maxbw"), "\n");
    // The etherstub's MTU: 576-9000; a reset goes to the default 1500.
    let sset = |p: &str| env.dladm(&["set-linkprop", "-p", p, &s]);
    sset("mtu=9001").fails_with(&w(&format!(
        "cannot set link property 'mtu' on '{s}': invalid argument"
    )));
    env.dladm(&["delete-vnic", &v]).ok();
    sset("mtu=1500").ok();
    assert_eq!(
        env.dladm(&["show-linkprop", "-c", "-o", "value", "-p", "mtu", &s])
            .stdout,
        "1500\n"
    );
    // A reset of every property walks them all; `zone` cannot be reset
    // persistently (dladm.c `reset_one_linkprop`: exit 1).
    env.dladm(&["reset-linkprop", &s]).fails_with(&w(&format!(
        "cannot reset link property 'zone' on '{s}': change cannot be persistent"
    )));
    assert_eq!(
        env.dladm(&["show-link", "-p", "-o", "mtu", &s]).stdout,
        "1500\n"
    );
}

#[test]
fn show_linkprop_forms() {
    let env = Env::new();
    let s = env.n("stub0");
    env.dladm(&["create-etherstub", &s]).ok();
    let r = env.dladm(&["show-linkprop", "-p", "mtu,maxbw,priority", &s]);
    assert_eq!(
        r.ok().stdout,
        linkprop_table(&[
            [&s, "mtu", "rw", "9000", "1500", "576-9000 "],
            [&s, "maxbw", "rw", "", "--", "-- "],
            [&s, "priority", "rw", "high", "high", "low,medium,high "],
        ])
    );
    let r = env.dladm(&[
        "show-linkprop",
        "-c",
        "-o",
        "link,property,perm,value,default,possible",
        "-p",
        "maxbw,priority",
        &s,
    ]);
    assert_eq!(
        r.ok().stdout,
        format!("{s}:maxbw:rw::--:\n{s}:priority:rw:high:high:low,medium,high\n")
    );
    env.dladm(&["show-linkprop", "-c", &s])
        .fails_with("dladm: output fields must be specified in parsable mode\n");
    // An unknown name is a `?` row and a warning (print_linkprop).
    let r = env.dladm(&["show-linkprop", "-p", "bogus", &s]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            format!("dladm: warning: cannot get link property 'bogus' for {s}: object not found\n")
                .as_str()
        )
    );
    assert_eq!(
        r.stdout,
        linkprop_table(&[[&s, "bogus", "?", "?", "?", "?"]])
    );
    env.dladm(&["show-linkprop", "-p", "mtu=1", &s])
        .fails_with("dladm: invalid link properties specified\n");
    let none = env.n("none0");
    env.dladm(&["show-linkprop", &none]).fails_with(&format!(
        "dladm: link {none} is not valid: object not found\n"
    ));
    if env.keeps_persistent() {
        let r = env.dladm(&[
            "show-linkprop",
            "-P",
            "-c",
            "-o",
            "value",
            "-p",
            "maxbw",
            &s,
        ]);
        assert_eq!(r.ok().stdout, "\n");
    }
}

#[test]
fn temporary_and_persistent() {
    let env = Env::new();
    if !env.keeps_persistent() {
        // On Linux every link is temporary (xbow-linux(7)).
        return;
    }
    let (s, v, t) = (env.n("stub0"), env.n("vnic0"), env.n("tmp0"));
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["create-vnic", "-l", &s, &v]).ok();
    env.dladm(&["create-vnic", "-t", "-l", &s, &t]).ok();
    let links = |extra: &[&str]| {
        let mut a = vec!["show-vnic", "-p", "-o", "link"];
        a.extend_from_slice(extra);
        env.dladm(&a)
            .stdout
            .lines()
            .filter(|l| l.starts_with(&env.prefix))
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(links(&[]), vec![v.clone(), t.clone()]);
    assert_eq!(links(&["-P"]), vec![v.clone()]);
    // -t on set-linkprop changes only the running value.
    env.dladm(&["set-linkprop", "-t", "-p", "maxbw=10", &v])
        .ok();
    let val = |p: &[&str]| {
        let mut a = vec!["show-linkprop", "-c", "-o", "value", "-p", "maxbw"];
        a.extend_from_slice(p);
        a.push(&v);
        env.dladm(&a).stdout
    };
    assert_eq!(val(&[]), "   10\n");
    assert_eq!(val(&["-P"]), "\n");
    env.dladm(&["set-linkprop", "-p", "maxbw=20", &v]).ok();
    // -P shows the stored string as typed (`i_dladm_get_linkprop_db`).
    assert_eq!(val(&["-P"]), "20\n");
    // delete-vnic -t leaves the persistent configuration.
    env.dladm(&["delete-vnic", "-t", &v]).ok();
    assert_eq!(links(&[]), vec![t.clone()]);
    assert_eq!(links(&["-P"]), vec![v.clone()]);
    env.dladm(&["delete-vnic", "-t", &v])
        .fails_with("dladm: vnic deletion failed: object not found\n");
    env.dladm(&["delete-vnic", &v]).ok();
    assert_eq!(links(&["-P"]), Vec::<String>::new());
}

const CREATE_VLAN_USAGE: &str = "    create-vlan      [-ft] -l <link> -v <vid> [link]";

/// `do_create_vlan`'s checks before any link is made, in its order.
#[test]
fn create_vlan_option_errors() {
    let env = Env::new();
    let phys = env.phys("e1000g0", 1000);
    let v = env.n("vlan0");
    let create = |args: &[&str]| {
        let mut a = vec!["create-vlan"];
        a.extend_from_slice(args);
        env.dladm(&a)
    };
    for bad in ["0", "4095", "5x", "-1", ""] {
        create(&["-l", &phys, "-v", bad, &v])
            .fails_with(&format!("dladm: invalid VLAN identifier '{bad}'\n"));
    }
    create(&["-v", "5", "-v", "6", "-l", &phys, &v])
        .fails_with("dladm: the option -v cannot be specified more than once\n");
    create(&["-l", &phys, "-l", &phys, "-v", "5", &v])
        .fails_with("dladm: the option -l cannot be specified more than once\n");
    create(&["-x", "-l", &phys, "-v", "5", &v])
        .fails_with(&opterr("unrecognized option '-x'", CREATE_VLAN_USAGE));
    create(&["-l", &phys, "-v"])
        .fails_with(&opterr("option '-v' requires a value", CREATE_VLAN_USAGE));
    // Missing -v or -l, or two operands: the usage text.
    for args in [
        vec!["-l", phys.as_str(), v.as_str()],
        vec!["-v", "5", v.as_str()],
        vec!["-l", phys.as_str(), "-v", "5", v.as_str(), "other0"],
    ] {
        create(&args).fails_with(&usage_text());
    }
    let long = format!("{}0", "v".repeat(31));
    create(&["-l", &phys, "-v", "5", &long])
        .fails_with(&format!("dladm: vlan name too long '{long}'\n"));
    // The derived name: no driver and instance, or an instance of 1000 or
    // more (checked before the link is looked up).
    for lower in ["net1000", "net", "net01"] {
        create(&["-l", lower, "-v", "5"])
            .fails_with(&format!("dladm: invalid link name '{lower}'\n"));
    }
    create(&["-l", "nosuch0", "-v", "5", &v]).fails_with("dladm: invalid link name 'nosuch0'\n");
    create(&["-l", &phys, "-v", "5", "-p", "=x", &v]).fails_with("dladm: invalid vlan property\n");
    assert_eq!(env.dladm(&["show-vlan"]).ok().stdout, "");
}

/// `-R ROOT` for create-vlan and delete-vlan: after the subcommand's own
/// checks, the command goes to ROOT's upgrade profile (`altroot_cmd`).
#[test]
fn vlan_commands_with_an_alternate_root() {
    let env = Env::new();
    let root = env.dir().join("altroot");
    let r = root.to_str().unwrap();
    let profile = root.join("var/svc/profile");
    std::fs::create_dir_all(&profile).unwrap();
    let v = env.n("vlan0");
    env.dladm(&["create-vlan", "-R", r, "-l", "e1000g0", "-v", "0", &v])
        .fails_with("dladm: invalid VLAN identifier '0'\n");
    env.dladm(&["create-vlan", &v, "-R", r, "-f", "-l", "e1000g0", "-v", "5"])
        .ok();
    env.dladm(&["delete-vlan", "-R", r, &v]).ok();
    let m = " # added by dladm(8)";
    assert_eq!(
        std::fs::read_to_string(profile.join("upgrade")).unwrap(),
        format!(
            "/sbin/dladm create-vlan -f -l e1000g0 -v 5 {v} {m}\n\
             /sbin/dladm delete-vlan {v} {m}\n"
        )
    );
    assert_eq!(env.dladm(&["show-vlan"]).stdout, "");
}

/// `do_delete_vlan`, `do_show_vlan`: their messages for links that are
/// not VLANs or do not exist.
#[test]
fn delete_and_show_vlan_errors() {
    let env = Env::new();
    let (s, vn) = (env.n("stub0"), env.n("vnic0"));
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["create-vnic", "-l", &s, &vn]).ok();
    env.dladm(&["delete-vlan", &env.n("nosuch0")])
        .fails_with("dladm: delete operation failed: object not found\n");
    // dladm_vlan_delete: the link must be of class VLAN.
    env.dladm(&["delete-vlan", &vn])
        .fails_with("dladm: delete operation failed: invalid argument\n");
    env.dladm(&["delete-vlan"]).fails_with(&usage_text());
    env.dladm(&["show-vlan", &vn]).fails_with(&format!(
        "dladm: datalink {vn} is not a vlan: found class vnic\n"
    ));
    env.dladm(&["show-vlan", &s]).fails_with(&format!(
        "dladm: datalink {s} is not a vlan: found class etherstub\n"
    ));
    let none = env.n("nosuch0");
    env.dladm(&["show-vlan", &none]).fails_with(&format!(
        "dladm: link {none} is not valid: object not found\n"
    ));
    env.dladm(&["show-vlan", &vn, &s]).fails_with(&usage_text());
    env.dladm(&["show-vlan", "-p", "-p", "-o", "link"])
        .fails_with("dladm: the option -p cannot be specified more than once\n");
    env.dladm(&["show-vlan", "-P", "-P"])
        .fails_with("dladm: the option -P cannot be specified more than once\n");
    // No `-p requires -o` check: ofmt refuses.
    for args in [
        vec!["show-vlan", "-p"],
        vec!["show-vlan", "-p", "-o", "all"],
    ] {
        env.dladm(&args)
            .fails_with("dladm: output fields must be specified in parsable mode\n");
    }
    // A VLAN cannot be over a VNIC (libdladm's BADARG).
    env.dladm(&["create-vlan", "-l", &vn, "-v", "5", &env.n("vlan0")])
        .fails_with("dladm: create operation failed: invalid argument\n");
}

/// A VLAN over a physical link: listed, shown by show-link, one per VID,
/// no VNIC over it, temporary with `-t`, deleted.
#[test]
fn vlans_over_a_physical_link() {
    let env = Env::new();
    if !env.has_vlans() {
        return;
    }
    let phys = env.phys("e1000g0", 1000);
    let (v5, v6, t7) = (env.n("vlan5"), env.n("vlan6"), env.n("tmp7"));
    env.dladm(&["create-vlan", "-l", &phys, "-v", "5", &v5])
        .ok();
    env.dladm(&["create-vlan", "-f", "-l", &phys, "-v", "6", &v6])
        .ok();
    let rows = |args: &[&str]| -> Vec<String> {
        let mut a = vec!["show-vlan", "-p", "-o", "link,vid,over,flags"];
        a.extend_from_slice(args);
        env.dladm(&a)
            .ok()
            .stdout
            .lines()
            .filter(|l| l.starts_with(&env.prefix))
            .map(String::from)
            .collect()
    };
    assert_eq!(
        rows(&[]),
        [
            format!("{v5}:5:{phys}:-----"),
            format!("{v6}:6:{phys}:f----")
        ]
    );
    assert_eq!(rows(&[&v6]), [format!("{v6}:6:{phys}:f----")]);
    env.dladm(&["show-link", "-p", "-o", "class,over", &v5])
        .ok()
        .stdout
        .eq(&format!("vlan:{phys}\n"))
        .then_some(())
        .expect("show-link: class vlan over the lower link");
    // One VLAN per VID over a link: the primary address is in use with it.
    env.dladm(&["create-vlan", "-l", &phys, "-v", "5", &env.n("again5")])
        .fails_with("dladm: create operation failed: MAC address is already in use\n");
    env.dladm(&["create-vlan", "-l", &phys, "-v", "8", &v5])
        .fails_with("dladm: create operation failed: object already exists\n");
    // The lower link's default_tag (1) is not a VLAN's VID.
    env.dladm(&["create-vlan", "-l", &phys, "-v", "1", &env.n("tag1")])
        .fails_with(&format!(
            "dladm: VLAN over '{phys}' may not use default_tag ID (see dladm(8))\n"
        ));
    // No VNIC over a VLAN, no VLAN over a VLAN.
    env.dladm(&["create-vnic", "-l", &v5, &env.n("vnic0")])
        .fails_with(&format!(
            "dladm: vnic creation over {v5} failed: invalid argument\n"
        ));
    env.dladm(&["create-vlan", "-l", &v5, "-v", "9", &env.n("vlan9")])
        .fails_with("dladm: create operation failed: invalid argument\n");
    // delete-vnic of a VLAN: libdladm refuses the class; delete-etherstub
    // of one: dladm's own check (`do_etherstub_check`) first.
    env.dladm(&["delete-vnic", &v5])
        .fails_with("dladm: vnic deletion failed: invalid argument\n");
    env.dladm(&["delete-etherstub", &v5])
        .fails_with(&format!("dladm: '{v5}' is not an etherstub\n"));
    env.dladm(&["create-vlan", "-t", "-l", &phys, "-v", "7", &t7])
        .ok();
    if env.keeps_persistent() {
        assert_eq!(rows(&["-P"]).len(), 2);
        env.dladm(&["show-vlan", "-P", &t7]).fails_with(&format!(
            "dladm: failed to show vlan {t7}: object not found\n"
        ));
        // -t deletes the active VLAN only; the saved one stays.
        env.dladm(&["delete-vlan", "-t", &v6]).ok();
        assert_eq!(rows(&["-P"]).len(), 2);
        assert_eq!(rows(&[]).len(), 2);
    }
    for v in [&v5, &v6, &t7] {
        env.dladm(&["delete-vlan", v]);
    }
    assert_eq!(rows(&[]), Vec::<String>::new());
    assert_eq!(rows(&["-P"]), Vec::<String>::new());
}

/// A link with a VLAN over it is busy (sim and illumos: Linux makes VLAN
/// links over physical links only, xbow-linux(7)).
#[test]
fn a_link_with_a_vlan_is_busy() {
    let Some(env) = Env::not_illumos().filter(|e| e.linux.is_none()) else {
        return;
    };
    let (s, v) = (env.n("stub0"), env.n("vlan0"));
    env.dladm(&["create-etherstub", &s]).ok();
    env.dladm(&["create-vlan", "-l", &s, "-v", "3", &v]).ok();
    env.dladm(&["delete-etherstub", &s])
        .fails_with("dladm: vnic deletion failed: link busy\n");
    env.dladm(&["delete-vlan", &v]).ok();
    env.dladm(&["delete-etherstub", &s]).ok();
}

/// `rename-link` (dladm.c `do_rename_link`, libdllink.c
/// `dladm_rename_link`): case 1, an existing link takes a free name; the
/// statuses of the other outcomes.
#[test]
fn rename_link_renames_and_reports_as_libdladm() {
    let env = Env::new();
    let (s, v, w) = (env.n("stub0"), env.n("vnic0"), env.n("vnic9"));
    env.dladm(&["create-etherstub", "-t", &s]).ok();
    env.dladm(&["create-vnic", "-t", "-l", &s, &v]).ok();
    env.dladm(&["rename-link", &v, &w]).ok();
    let shown = env.dladm(&["show-vnic", "-p", "-o", "link,over"]).stdout;
    assert_eq!(shown, format!("{w}:{s}\n"));
    // An etherstub with a VNIC over it: the VNIC follows (by link id).
    let s2 = env.n("stub7");
    env.dladm(&["rename-link", &s, &s2]).ok();
    let shown = env.dladm(&["show-vnic", "-p", "-o", "link,over"]).stdout;
    assert_eq!(shown, format!("{w}:{s2}\n"));
    // link2 exists: EXIST; neither exists: NOTFOUND.
    env.dladm(&["rename-link", &w, &s2])
        .fails_with("dladm: rename operation failed: object already exists\n");
    env.dladm(&["rename-link", &env.n("nope0"), &env.n("nope1")])
        .fails_with("dladm: rename operation failed: object not found\n");
    // dlmgmtd refuses a name dladm_valid_linkname refuses: EINVAL.
    env.dladm(&["rename-link", &w, "bad-name"])
        .fails_with("dladm: rename operation failed: invalid argument\n");
    // Usage: exactly two operands; only -R.
    let u = "    rename-link      <oldlink> <newlink>";
    env.dladm(&["rename-link", &w]).fails_with(&usage_text());
    env.dladm(&["rename-link", "-t", &w, &v])
        .fails_with(&opterr("unrecognized option '-t'", u));
}

/// The cases that need the sim's hardware: a plumbed link is busy
/// (`dls_devnet_rename` EBUSY); a renamed NIC keeps its device name;
/// case 2 (an active NIC takes over a REMOVED one's name and
/// configuration) and case 3 (a missing link names a REMOVED one's
/// device).
#[test]
fn rename_link_of_physical_links() {
    let Some(env) = Env::sim_only() else { return };
    env.phys("e1000g0", 1000);
    env.dladm(&["rename-link", "e1000g0", "net0"]).ok();
    assert_eq!(
        env.dladm(&["show-phys", "-p", "-o", "link,device"]).stdout,
        "net0:e1000g0\n"
    );
    env.phys("e1000g1", 1000);
    let spec = env.dir().join("ip.json");
    std::fs::write(
        &spec,
        r#"{"vnics": [{"name": "vnic5", "over": "e1000g1"}],
            "addresses": [{"interface": "vnic5", "address": "192.168.84.24/24"}]}"#,
    )
    .unwrap();
    let spec = spec.to_str().unwrap();
    env.xbow(&["net", "up", spec]).ok();
    env.dladm(&["rename-link", "vnic5", "vnic6"])
        .fails_with("dladm: rename operation failed: link busy\n");
    env.xbow(&["net", "down", spec]).ok();
    // net0 is unplugged; its configuration stays (FLAGS r----).
    env.dladm(&["set-linkprop", "-p", "mtu=9000", "net0"]).ok();
    env.xbow(&["sim", "remove-phys", "--keep-config", "net0"])
        .ok();
    assert_eq!(
        env.dladm(&["show-phys", "-P", "-p", "-o", "link,device,flags"])
            .stdout,
        "net0:e1000g0:r----\ne1000g1:e1000g1:-----\n"
    );
    // Case 3: a missing link1 becomes the removed link's device.
    env.dladm(&["rename-link", "bad-", "net0"])
        .fails_with("dladm: rename operation failed: invalid link\n");
    env.dladm(&["rename-link", "igb3", "net0"]).ok();
    assert_eq!(
        env.dladm(&["show-phys", "-P", "-p", "-o", "link,device"])
            .stdout,
        "net0:igb3\ne1000g1:e1000g1\n"
    );
    // Case 2: e1000g1 takes net0's id, name and saved MTU.
    env.dladm(&["rename-link", "e1000g1", "net0"]).ok();
    assert_eq!(
        env.dladm(&["show-phys", "-p", "-o", "link,device"]).stdout,
        "net0:e1000g1\n"
    );
    assert_eq!(
        env.dladm(&["show-linkprop", "-c", "-o", "value", "-p", "mtu", "net0"])
            .stdout,
        "9000\n"
    );
    // Case 2 needs an active physical link1: BADARG otherwise.
    env.xbow(&["sim", "remove-phys", "--keep-config", "net0"])
        .ok();
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["rename-link", "stub0", "net0"])
        .fails_with("dladm: rename operation failed: invalid argument\n");
}

/// `show-phys -m` (`print_phys_mac`, `print_phys_one_mac_cb`: slot 0 is
/// `primary` and carries the link's name; `phys_m_fields` widths) and
/// `-H` (`print_phys_hwgrp`, `print_phys_one_hwgrp_cb`: runs of rings as
/// `A-B`, clients followed by a space; `phys_h_fields`). A VNIC created
/// with `-m auto` takes a free factory slot (libdladm
/// `VNIC_MAC_ADDR_TYPE_AUTO`).
#[test]
fn show_phys_mac_slots_and_ring_groups() {
    let Some(env) = Env::sim_only() else { return };
    env.xbow(&[
        "sim",
        "add-phys",
        "e1000g0",
        "--mac",
        "0:14:4f:f9:a2:1c",
        "--factory-mac",
        "0:14:4f:f9:a2:1d",
        "--factory-mac",
        "0:14:4f:f9:a2:1e",
        "--rx-rings",
        "8",
        "--tx-rings",
        "4",
    ])
    .ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "-m", "factory", "vnic1"])
        .ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "vnic2"]).ok();
    assert_eq!(
        env.dladm(&["show-phys", "-m"]).stdout,
        golden("show-phys-m-derived.out")
    );
    assert_eq!(
        env.dladm(&["show-phys", "-H", "e1000g0"]).stdout,
        golden("show-phys-H-derived.out")
    );
    // Parsable: the link on every row.
    assert_eq!(
        env.dladm(&["show-phys", "-m", "-p", "-o", "link,slot,inuse,client"])
            .stdout,
        "e1000g0:primary:no:\ne1000g0:1:yes:vnic1\ne1000g0:2:yes:vnic2\n"
    );
    assert_eq!(
        env.dladm(&["show-phys", "-H", "-p", "-o", "rings,clients"])
            .stdout,
        "0-7:vnic1,vnic2 \n0-3:vnic1,vnic2 \n"
    );
    // Option checks in do_show_phys's order; a link that is not physical.
    env.dladm(&["show-phys", "-m", "-H"])
        .fails_with("dladm: -m cannot combine with -H\n");
    env.dladm(&["show-phys", "-m", "-P"])
        .fails_with("dladm: -m not compatible with -P\n");
    env.dladm(&["create-etherstub", "stub0"]).ok();
    env.dladm(&["show-phys", "-m", "stub0"])
        .fails_with("dladm: failed to show physical link stub0: invalid argument\n");
    // No rings: no rows, so not even a header (ofmt prints it with the
    // first row).
    env.phys("e1000g1", 1000);
    assert_eq!(env.dladm(&["show-phys", "-H", "e1000g1"]).stdout, "");
    let json = env.dladm(&["show-phys", "-m", "--json", "e1000g0"]).stdout;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[1]["link"], "e1000g0");
    assert_eq!(v[1]["inuse"], true);
    assert_eq!(v[0]["client"], serde_json::Value::Null);
}
