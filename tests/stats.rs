//! Link statistics: `dladm show-link -s`, `dladm show-vnic -s`,
//! `dladm show-etherstub -s` and `dlstat`. Layouts are byte-exact against
//! golden files derived from the reference (linkprop.md §6, dladm.md §5.3)
//! and the C sources; the counters are a fixture written into the sim
//! state, or the traffic `xbow sim nat-flow` plays.

mod common;

use common::{Env, XBOW, golden};
use serde_json::Value;
use std::io::Read;
use std::time::Duration;

/// Set links' counters in the sim state (fixture):
/// `(link, [ipackets, rbytes, ierrors, opackets, obytes, oerrors])`.
fn set_stats(env: &Env, stats: &[(&str, [u64; 6])]) {
    let p = env.state_path();
    let mut st: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    for l in st["links"].as_array_mut().unwrap() {
        if let Some((_, v)) = stats.iter().find(|(n, _)| l["name"] == *n) {
            let names = [
                "ipackets", "rbytes", "ierrors", "opackets", "obytes", "oerrors",
            ];
            let obj: serde_json::Map<String, Value> = names
                .iter()
                .zip(v)
                .map(|(n, v)| (n.to_string(), Value::from(*v)))
                .collect();
            l["stats"] = Value::Object(obj);
        }
    }
    std::fs::write(&p, serde_json::to_string(&st).unwrap()).unwrap();
}

/// The reference's example links: e1000g0 with a VNIC over it.
fn e1000g0_and_vnic0() -> Option<Env> {
    let env = Env::sim_only()?;
    env.xbow(&["sim", "add-phys", "e1000g0"]).ok();
    env.dladm(&["create-vnic", "-l", "e1000g0", "vnic0"]).ok();
    set_stats(
        &env,
        &[
            ("e1000g0", [1234567, 987654321, 0, 54321, 7654321, 0]),
            ("vnic0", [12, 3456, 0, 0, 0, 0]),
        ],
    );
    Some(env)
}

/// The article's network (examples/crossbow-nat.json) over eri0.
fn article() -> Option<Env> {
    let env = Env::sim_only()?;
    env.xbow(&["sim", "add-phys", "eri0", "--addr", "192.168.84.24/24"])
        .ok();
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crossbow-nat.json");
    env.xbow(&["net", "up", spec]).ok();
    Some(env)
}

fn flow(env: &Env) {
    env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:37153",
        "129.146.17.55:22",
    ])
    .ok();
}

#[test]
fn show_link_s_layout_derived() {
    // dladm.c `print_link_stats_cb` over `link_s_fields`; the reference's
    // example (linkprop.md §6.1), overflow carry included.
    let Some(env) = e1000g0_and_vnic0() else {
        return;
    };
    let r = env.dladm(&["show-link", "-s"]);
    assert_eq!(r.ok().stdout, golden("show-link-s-derived.out"));
    let r = env.dladm(&["show-link", "-s", "-p", "-o", "link,rbytes,oerrors"]);
    assert_eq!(
        r.ok().stdout,
        "e1000g0:987654321:0\nvnic0:3456:0\n",
        "parsable"
    );
    let r = env.dladm(&["show-link", "-s", "-o", "all", "vnic0"]);
    assert_eq!(
        r.ok().stdout,
        golden("show-link-s-derived.out")
            .lines()
            .enumerate()
            .filter(|(i, _)| *i != 1)
            .map(|(_, l)| format!("{l}\n"))
            .collect::<String>()
    );
}

#[test]
fn show_vnic_s_layout_omnios_blog_derived() {
    // dladm.c `dump_vnics_head`, `vnic_stats`, `dump_vnic_stat`; the public
    // sample of dladm.md §5.3, whose page shows the tabs as spaces.
    let Some(env) = Env::sim_only() else { return };
    env.xbow(&["sim", "add-phys", "aggr0"]).ok();
    env.dladm(&["create-vnic", "-l", "aggr0", "pxebooter0"])
        .ok();
    set_stats(
        &env,
        &[(
            "pxebooter0",
            [16321811, 7879573143, 0, 14054330, 43176235359, 0],
        )],
    );
    let r = env.dladm(&["show-vnic", "-s", "pxebooter0"]);
    let want = golden("show-vnic-s-omnios-blog-derived.out");
    assert_eq!(r.ok().stdout, want);
    let sample = "        ipackets  rbytes      opackets  obytes\n\
                  Total   16321811  7879573143  14054330  43176235359\n\
                  pxebooter0      16321811  7879573143  14054330  43176235359     100.0   100.0\n";
    let expanded: String = want
        .lines()
        .map(|l| {
            let mut s = String::new();
            for c in l.chars() {
                if c == '\t' {
                    s.push(' ');
                    while !s.len().is_multiple_of(8) {
                        s.push(' ');
                    }
                } else {
                    s.push(c);
                }
            }
            format!("{}\n", s.trim_end())
        })
        .collect();
    assert_eq!(expanded, sample);
}

#[test]
fn show_vnic_s_with_lower_link_and_etherstub() {
    let Some(env) = e1000g0_and_vnic0() else {
        return;
    };
    env.dladm(&["create-vnic", "-l", "e1000g0", "vnic1"]).ok();
    set_stats(&env, &[("vnic1", [4, 400, 0, 1, 100, 0])]);
    // dladm.c `dump_vnics_head` with -l; the "total" is the last VNIC's.
    let r = env.dladm(&["show-vnic", "-s", "-l", "e1000g0"]);
    assert_eq!(
        r.ok().stdout,
        "e1000g0\tipackets  rbytes      opackets  obytes          %ipkts  %opkts\n\
         Total\t4         400         1         100         \n\
         vnic0\t12        3456        0         0           \t300.0 \t0.0   \n\
         vnic1\t4         400         1         100         \t100.0 \t100.0 \n"
    );
    // No VNIC named, no -l: no Total line; a zero total prints '-'.
    env.dladm(&["create-etherstub", "stub0"]).ok();
    let r = env.dladm(&["show-vnic", "-s"]);
    assert_eq!(
        r.ok().stdout,
        "\tipackets  rbytes      opackets  obytes          \n\
         vnic0\t12        3456        0         0           \t300.0 \t0.0   \n\
         vnic1\t4         400         1         100         \t100.0 \t100.0 \n"
    );
    // dladm.c `vnic_stats` starts from a zeroed state: show-etherstub -s
    // lists the VNICs, and a named etherstub is no VNIC.
    set_stats(&env, &[("stub0", [0, 0, 0, 2, 20, 0])]);
    let r = env.dladm(&["show-etherstub", "-s"]);
    assert_eq!(r.ok().stdout, env.dladm(&["show-vnic", "-s"]).stdout);
    let r = env.dladm(&["show-etherstub", "-s", "stub0"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            1,
            "\tipackets  rbytes      opackets  obytes          \n",
            "dladm: non-existent vnic 'stub0'\n"
        )
    );
    let r = env.dladm(&["show-vnic", "-s", "--json", "vnic1"]);
    let v: Value = serde_json::from_str(&r.ok().stdout).unwrap();
    assert_eq!(v[0]["link"], "Total");
    assert_eq!(v[1]["rbytes"], 400);
    assert_eq!(v[1]["ipkts_percent"], 100.0);
}

#[test]
fn dlstat_layouts_derived() {
    // dlstat.c `do_show` with `total_s_fields`, OFMT_RIGHTJUST and
    // `map_to_units`: the reference's examples (linkprop.md §6.3).
    let Some(env) = e1000g0_and_vnic0() else {
        return;
    };
    let r = env.xbow(&["dlstat"]);
    assert_eq!(r.ok().stdout, golden("dlstat-derived.out"));
    let r = env.xbow(&["dlstat", "-u", "R", "e1000g0"]);
    assert_eq!(r.ok().stdout, golden("dlstat-u-R-derived.out"));
    // dlstat.c `do_show_link` / `print_*_lane_stats`, `do_show_phys` /
    // `print_*_ring_stats`, `print_fanout_stats`, `print_all_stats`.
    for (args, file) in [
        (&["dlstat", "-r"][..], "dlstat-r-derived.out"),
        (&["dlstat", "-t"][..], "dlstat-t-derived.out"),
        (&["dlstat", "show-link"][..], "dlstat-show-link-derived.out"),
        (
            &["dlstat", "show-link", "-r"][..],
            "dlstat-show-link-r-derived.out",
        ),
        (
            &["dlstat", "show-link", "-t", "-u", "K"][..],
            "dlstat-show-link-t-derived.out",
        ),
        (
            &["dlstat", "show-link", "-r", "-F"][..],
            "dlstat-show-link-r-F-derived.out",
        ),
        (&["dlstat", "show-phys"][..], "dlstat-show-phys-derived.out"),
        (&["dlstat", "-a", "vnic0"][..], "dlstat-a-derived.out"),
        (
            &["dlstat", "show-link", "-a", "vnic0"][..],
            "dlstat-show-link-a-derived.out",
        ),
    ] {
        let r = env.xbow(args);
        assert_eq!(r.ok().stdout, golden(file), "{args:?}");
    }
    let r = env.xbow(&["dlstat", "show-link", "-p", "-o", "link,type,id,pkts"]);
    assert_eq!(
        r.ok().stdout,
        "e1000g0:rx:sw:1234567\ne1000g0:tx:sw:54321\nvnic0:rx:sw:12\nvnic0:tx:sw:0\n"
    );
    // show-phys: only physical links have rings; show-aggr: no aggregations.
    let r = env.xbow(&["dlstat", "show-phys", "-t", "vnic0"]);
    assert_eq!(r.ok().stdout, "");
    let r = env.xbow(&["dlstat", "show-aggr", "e1000g0"]);
    assert_eq!(r.ok().stdout, "");
    let r = env.xbow(&["dlstat", "-A", "vnic0"]);
    let out = &r.ok().stdout;
    assert!(out.starts_with("vnic0 \n  mac_rx_swlane0 \n"), "{out}");
    assert!(out.contains("  mac_misc_stat \n"), "{out}");
    assert!(!out.contains("mac_rx_ring0"), "a VNIC has no rings: {out}");
    let r = env.xbow(&["dlstat", "--json", "e1000g0"]);
    let v: Value = serde_json::from_str(&r.ok().stdout).unwrap();
    assert_eq!(v[0]["rbytes"], 987654321);
}

#[test]
fn dlstat_show_phys_has_the_rings_show_phys_h_lists() {
    // dlstat.c `print_*_ring_stats`; the sim NIC's rings (xbow sim add-phys
    // --rx-rings/--tx-rings), its traffic on the first of each.
    let Some(env) = Env::sim_only() else { return };
    env.xbow(&[
        "sim",
        "add-phys",
        "e1000g0",
        "--rx-rings",
        "2",
        "--tx-rings",
        "2",
    ])
    .ok();
    set_stats(
        &env,
        &[("e1000g0", [1234567, 987654321, 0, 54321, 7654321, 0])],
    );
    let r = env.xbow(&["dlstat", "show-phys"]);
    assert_eq!(
        r.ok().stdout,
        "           LINK  TYPE  INDEX     PKTS    BYTES\n\
         \x20       e1000g0    rx      0    1.23M  987.65M\n\
         \x20       e1000g0    rx      1        0        0\n\
         \x20       e1000g0    tx      0   54.32K    7.65M\n\
         \x20       e1000g0    tx      1        0        0\n"
    );
    let r = env.xbow(&["dlstat", "show-phys", "-t", "-p", "-o", "index,obytes"]);
    assert_eq!(r.ok().stdout, "0:7654321\n1:0\n");
}

/// `dlstat ARGS` fails with `dlstat: MSG`.
fn dlstat_fails(env: &Env, args: &[&str], msg: &str) {
    let mut v = vec!["dlstat"];
    v.extend_from_slice(args);
    env.xbow(&v).fails_with(&format!("dlstat: {msg}\n"));
}

const SHOW_USAGE: &str = "dlstat [-r | -t] [-i <interval>] [link]\n       dlstat [-a | -A] [-i <interval>] [-p] [ -o field[,...]]\n              [-u R|K|M|G|T|P] [link]";

#[test]
fn dlstat_option_checks_in_order() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let link = env.phys(&env.n("p0"), 1000);
    // getopt and the value checks.
    dlstat_fails(
        &env,
        &["-r", "-r"],
        "the option -r cannot be specified more than once",
    );
    dlstat_fails(&env, &["-i", "0"], "invalid interval value '0'");
    dlstat_fails(&env, &["-i", "1x"], "invalid interval value '1x'");
    dlstat_fails(
        &env,
        &["-u", "X"],
        "invalid unit value 'X',unit must be R|K|M|G|T|P",
    );
    dlstat_fails(
        &env,
        &["-x"],
        &format!("unrecognized option '-x'\nusage: {SHOW_USAGE}"),
    );
    dlstat_fails(
        &env,
        &["-o"],
        &format!("option '-o' requires a value\nusage: {SHOW_USAGE}"),
    );
    // The compatibility checks, in dlstat.c's order.
    dlstat_fails(
        &env,
        &["-r", "-t", "-u", "K", "-p"],
        "the options -t and -r are not compatible",
    );
    dlstat_fails(
        &env,
        &["-u", "K", "-p"],
        "the options -u and -p are not compatible",
    );
    dlstat_fails(&env, &["-p", "-a"], "-p requires -o");
    dlstat_fails(&env, &["-p", "-o", "ALL"], "\"-o all\" is invalid with -p");
    dlstat_fails(
        &env,
        &["-a", "-A", "-i", "1"],
        "the options -a and -A are not compatible",
    );
    dlstat_fails(
        &env,
        &["-a", "-i", "1"],
        "the option -a is not compatible with -p, -o, -u, -i",
    );
    dlstat_fails(
        &env,
        &["-A", "-r"],
        "the option -A is not compatible with -r, -t, -p, -o, -u, -i",
    );
    dlstat_fails(&env, &["show-link", "-F"], "-F must be used with -r");
    dlstat_fails(&env, &["show-link", "-t", "-F"], "-F must be used with -r");
    dlstat_fails(
        &env,
        &["show-link", "-r", "-h"],
        "the option -h is not compatible with -r, -F, -t, -i, -p, -o, -u, -a",
    );
    dlstat_fails(
        &env,
        &["show-phys", "-A"],
        "unrecognized option '-A'\nusage: dlstat show-phys [-r | -t] [-i interval] [-a]\n                 [-p] [ -o field[,...]] [-u R|K|M|G|T|P] [link]",
    );
    dlstat_fails(
        &env,
        &["show-aggr", "-t", "-r"],
        "the options -t and -r are not compatible",
    );
    // The operand.
    let long = "a".repeat(32);
    dlstat_fails(&env, &[&long], "link name too long");
    dlstat_fails(
        &env,
        &["nosuch0"],
        "link nosuch0 is not valid: object not found",
    );
    let r = env.xbow(&["dlstat", &link, &link]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.starts_with("usage: dlstat [-r | -t]"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.ends_with("[-u R|K|M|G|T|P]  [link]\n"),
        "{}",
        r.stderr
    );
    // ofmt_check.
    dlstat_fails(&env, &["-o", "nosuch"], "no valid output fields");
    let r = env.xbow(&["dlstat", "-o", "link,nosuch", &link]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "dlstat: warning: ignoring unknown output field: `nosuch'\n"
    );
}

#[test]
fn dladm_stats_option_checks() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let fails = |args: &[&str], msg: &str| {
        env.dladm(args).fails_with(&format!("dladm: {msg}\n"));
    };
    fails(
        &["show-link", "-i", "1"],
        "the option -i can be used only with -s",
    );
    fails(
        &["show-link", "-s", "-P"],
        "the option -P cannot be used with -s",
    );
    fails(
        &["show-link", "-s", "-i", "-1"],
        "invalid interval value '-1'",
    );
    fails(
        &["show-link", "-s", "-s"],
        "the option -s cannot be specified more than once",
    );
    fails(
        &["show-link", "-s", "-i", "1", "-i", "2"],
        "the option -i cannot be specified more than once",
    );
    fails(&["show-link", "-s", "-p"], "-p requires -o");
    fails(
        &["show-link", "-s", "-p", "-o", "all"],
        "\"-o all\" is invalid with -p",
    );
    fails(&["show-link", "-s", "-o", "foo"], "no valid output fields");
    fails(
        &["show-vnic", "-i", "2"],
        "the option -i can be used only with -s",
    );
    fails(
        &["show-vnic", "-s", "-i", "x"],
        "invalid interval value 'x'",
    );
    fails(
        &["show-vnic", "-s", "-s"],
        "the option -s cannot be specified more than once",
    );
    fails(
        &["show-vnic", "-s", "-l", "nosuch0"],
        "invalid link name 'nosuch0': object not found",
    );
    fails(
        &["show-vnic", "-s", "nosuch0"],
        "invalid vnic name 'nosuch0': object not found",
    );
    fails(
        &["show-etherstub", "-s", "-l", "x"],
        "option not supported for this command",
    );
    let nic = env.phys(&env.n("p0"), 1000);
    // dladm.c `vnic_stats` prints its header before it looks.
    let r = env.dladm(&["show-vnic", "-s", "-l", &nic]);
    assert_eq!(r.stderr, format!("dladm: device {nic} has no vnics\n"));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        format!("{nic}\tipackets  rbytes      opackets  obytes          %ipkts  %opkts\n")
    );
}

#[test]
fn nat_flow_moves_the_counters() {
    let Some(env) = article() else { return };
    let r = env.dladm(&["show-link", "-s", "-p", "-o", "link,ipackets,opackets"]);
    assert_eq!(
        r.ok().stdout,
        "eri0:0:0\netherstub0:0:0\nvnic0:0:0\nvnic1:0:0\nvnic2:0:0\n"
    );
    flow(&env);
    flow(&env);
    // Out: the zone's vnic1 sends, etherstub0 switches, the global zone's
    // vnic0 receives, eri0 sends; 40-byte TCP packets in 54-byte frames.
    let r = env.dladm(&[
        "show-link",
        "-s",
        "-p",
        "-o",
        "link,ipackets,rbytes,opackets,obytes",
    ]);
    assert_eq!(
        r.ok().stdout,
        "eri0:0:0:2:108\netherstub0:2:108:2:108\nvnic0:2:108:0:0\nvnic1:0:0:2:108\nvnic2:0:0:0:0\n"
    );
    let r = env.dladm(&["show-vnic", "-s", "vnic1"]);
    assert_eq!(
        r.ok().stdout,
        "\tipackets  rbytes      opackets  obytes          \n\
         Total\t0         0           2         108         \n\
         vnic1\t0         0           2         108         \t-\t100.0 \n"
    );
    let r = env.xbow(&["dlstat"]);
    assert_eq!(
        r.ok().stdout,
        "           LINK    IPKTS   RBYTES    OPKTS   OBYTES\n\
         \x20          eri0        0        0        2      108\n\
         \x20    etherstub0        2      108        2      108\n\
         \x20         vnic0        2      108        0        0\n\
         \x20         vnic1        0        0        2      108\n\
         \x20         vnic2        0        0        0        0\n"
    );
    // A reply to the session comes in the other way round.
    env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "129.146.17.55:22",
        "192.168.84.24:1024",
        "--incoming",
    ])
    .ok();
    let r = env.dladm(&["show-link", "-s", "-p", "-o", "link,ipackets,opackets"]);
    assert_eq!(
        r.ok().stdout,
        "eri0:1:2\netherstub0:3:3\nvnic0:2:1\nvnic1:1:2\nvnic2:0:0\n"
    );
    // A reboot starts every counter afresh.
    env.xbow(&["sim", "reboot"]).ok();
    let r = env.xbow(&["dlstat", "-p", "-o", "ipkts", "eri0"]);
    assert_eq!(r.ok().stdout, "0\n");
}

/// Run `xbow ARGS` for about 2.5 seconds, playing `during` after half a
/// second; what it printed before it was killed.
fn run_for(env: &Env, args: &[&str], during: impl FnOnce()) -> String {
    let mut child = env
        .cmd()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn xbow");
    std::thread::sleep(Duration::from_millis(500));
    during();
    std::thread::sleep(Duration::from_millis(2000));
    let _ = child.kill();
    let _ = child.wait();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    out
}

/// The first pass's count and the sum of the later passes' (2 or 3
/// passes in all).
fn first_and_rest(counts: &[u64], out: &str) -> (u64, u64) {
    assert!((2..=3).contains(&counts.len()), "{out}");
    (counts[0], counts[1..].iter().sum())
}

#[test]
fn interval_prints_deltas_until_killed() {
    let Some(env) = article() else { return };
    flow(&env);
    // dladm.c `link_stats` with an interval: the first link only, the
    // first pass since it came up, then what each interval added.
    let out = run_for(&env, &["dladm", "show-link", "-s", "-i", "1"], || {
        flow(&env);
        flow(&env);
    });
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("LINK "), "one header: {out}");
    assert!(lines[1..].iter().all(|l| l.starts_with("eri0 ")), "{out}");
    let opackets: Vec<u64> = lines[1..]
        .iter()
        .map(|l| l.split_whitespace().nth(4).unwrap().parse().unwrap())
        .collect();
    assert_eq!(first_and_rest(&opackets, &out), (1, 2));
    // dlstat: every link each pass.
    let out = run_for(
        &env,
        &["dlstat", "-i", "1", "-p", "-o", "link,opkts"],
        || flow(&env),
    );
    let eri0: Vec<u64> = out
        .lines()
        .filter_map(|l| l.strip_prefix("eri0:"))
        .map(|v| v.parse().unwrap())
        .collect();
    assert_eq!(out.lines().count(), 5 * eri0.len(), "{out}");
    assert_eq!(first_and_rest(&eri0, &out), (3, 1));
    // show-vnic -s: the header once, every VNIC every pass, no Total.
    let out = run_for(
        &env,
        &["dladm", "show-vnic", "-s", "-i", "1", "vnic1"],
        || flow(&env),
    );
    assert_eq!(out.matches("ipackets").count(), 1, "{out}");
    assert!(!out.contains("Total"), "{out}");
    let opackets: Vec<u64> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().nth(3).unwrap().parse().unwrap())
        .collect();
    assert_eq!(first_and_rest(&opackets, &out), (4, 1));
}

#[test]
fn a_symlink_named_dlstat_is_dlstat() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let link = env.dir().join("dlstat");
    std::os::unix::fs::symlink(XBOW, &link).expect("symlink");
    let mut c = std::process::Command::new(&link);
    for (k, v) in env.cmd().get_envs() {
        match v {
            Some(v) => c.env(k, v),
            None => c.env_remove(k),
        };
    }
    let r: common::Run = c.arg("-x").output().unwrap().into();
    // dlstat names itself as it was invoked (argv[0], not its basename).
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .starts_with(&format!("{}: unrecognized option '-x'\n", link.display())),
        "{}",
        r.stderr
    );
}
