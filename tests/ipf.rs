//! `xbow ipf` and `xbow ipfstat` against the sim: options and their
//! messages, the order of operations, loads rule by rule with the
//! per-line errors of `ipf_addrule`, flushes, sets, the listings and
//! reports of `ipfstat`, and packets played through the filter with
//! `xbow sim packet` and `xbow sim nat-flow`.
//!
//! Golden files (tests/golden), each the output of one illumos function:
//! `ipf-v-derived.out` (`printfr`, through `ipf_addrule` under `-v`),
//! `ipfstat-hio-derived.out` and `ipfstat-nio-derived.out` (`showlist`,
//! `printlivelist`, `printfr`), `ipf-f-errors-derived.out`
//! (`ipf_addrule`'s `%d:ioctl(add/insert rule)` lines), `ipf-V-derived.out`
//! (`showversion` of ipf.c), `ipf-Z-derived.out` (`showstats` of ipf.c),
//! `ipfstat-derived.out` (`showstats` of ipfstat.c),
//! `ipfstat-s-derived.out` (`showipstates`), `ipfstat-sl-derived.out`
//! (`printstate`). "Derived": written from the sources (reference/ipf.md
//! §1, §2), not captured on illumos.
//!
//! Tests that load rules run on the sim only for now (the Linux backend
//! refuses filter rules until its nftables filter exists); the option
//! tests run on every backend but illumos.

mod common;

use common::{Env, Run, XBOW, golden, ipf, ipfstat, write};

const USAGE: &str = "usage: ipf [-6AdDEGInoPrRsvVyzZ] [-l block|pass|nomatch|state|nat] [-cc] [-F i|o|a|s|S|u] [-f filename] [-T <tuneopts>] [zonename]\n";

/// Rules exercising groups, `keep state`, accounting and collections.
const RULES: &str = "\
block in all
pass in quick on e1000g0 proto tcp from any to any port = 22 flags S keep state
pass out quick proto tcp from 10.0.0.0/24 to any flags S keep state head 10
block out quick proto tcp from 10.0.0.99/32 to any group 10
count in proto icmp all
pass in proto icmp from any to any icmp-type echo keep state (limit 10)
";

/// A sim with `RULES` loaded.
fn loaded() -> Option<(Env, String)> {
    let env = Env::sim_only()?;
    let f = write(&env, "ipf.conf", RULES);
    ipf(&env, &["-f", &f]).ok();
    Some((env, f))
}

fn packet(env: &Env, args: &[&str]) -> String {
    let mut v = vec!["sim", "packet"];
    v.extend_from_slice(args);
    let r = env.xbow(&v);
    r.ok();
    r.stdout
}

#[test]
fn options_errors_and_usage() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    ipf(&env, &[]).fails_with(USAGE);
    ipf(&env, &["-x"]).fails_with(&format!("ipf: illegal option -- x\n{USAGE}"));
    ipf(&env, &["-f"]).fails_with(&format!("ipf: option requires an argument -- f\n{USAGE}"));
    // The zone operand alone: `optind < 2`.
    ipf(&env, &["zone1"]).fails_with(USAGE);
    ipfstat(&env, &["-x"]).fails_with(
        "ipfstat: illegal option -- x\n\
         Usage: ipfstat [-6aAdfghIilnoRsv]\n       ipfstat [-M corefile] [-N symbol-list]\n       ipfstat -t [-6C] [-G|-z zonename] [-D destination address] [-P protocol] [-S source address] [-T refresh time]\n",
    );
    let r = ipfstat(&env, &["-T", "0"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (254, "ipfstat: Invalid refreshtime < 1 : 0\n")
    );
}

#[test]
fn verbose_load_prints_each_rule_and_lists_them() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let f = write(&env, "ipf.conf", RULES);
    let r = ipf(&env, &["-v", "-f", &f]);
    r.ok();
    assert_eq!(r.stdout, golden("ipf-v-derived.out"));
    // printlivelist(): the output list first, each list followed by the
    // groups its rules head; -h hits, -n numbers from 1 in each list.
    let r = ipfstat(&env, &["-hio"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-hio-derived.out"));
    let r = ipfstat(&env, &["-nio"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-nio-derived.out"));
    let r = ipfstat(&env, &["-io"]);
    r.ok();
    assert_eq!(
        r.stdout,
        golden("ipfstat-nio-derived.out")
            .lines()
            .map(|l| format!("{}\n", l.split_once(' ').unwrap().1))
            .collect::<String>()
    );
    // -a: the accounting lists with byte counts; -a alone names the fault.
    let r = ipfstat(&env, &["-ai"]);
    assert_eq!(r.stdout, "0 count in proto icmp from any to any\n");
    let r = ipfstat(&env, &["-a"]);
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str()),
        ("", "No -i or -o given with -a\n")
    );
    // -l alone is list mode without a list: nothing.
    let r = ipfstat(&env, &["-l"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
}

#[test]
fn kernel_refusals_are_reported_per_line_and_skipped() {
    let Some((env, f)) = loaded() else {
        return;
    };
    // Loading the same rules again: every one exists (EEXIST); a rule in
    // a group nobody heads is ESRCH. ipf goes on and exits 0.
    let g = write(
        &env,
        "more.conf",
        "pass in all group 99\npass in proto udp all\n",
    );
    let r = ipf(&env, &["-f", &f, "-f", &g]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stderr, golden("ipf-f-errors-derived.out"));
    let r = ipfstat(&env, &["-i"]);
    assert!(
        r.stdout.ends_with("pass in proto udp from any to any\n"),
        "{}",
        r.stdout
    );
    // -n -r: ipf_y.y reports the failing ioctl on descriptor -1.
    let r = ipf(&env, &["-n", "-r", "-f", &g]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            0,
            "",
            "2:ioctl(delete rule): Bad file number\n1:ioctl(delete rule): Bad file number\n"
        )
    );
    // -r removes silently; removing again fails silently too.
    ipf(&env, &["-r", "-f", &g]).ok();
    ipf(&env, &["-r", "-f", &g]).ok();
    assert!(!ipfstat(&env, &["-i"]).stdout.contains("udp"));
}

#[test]
fn atomic_loads_all_or_nothing() {
    let Some((env, _)) = loaded() else {
        return;
    };
    let g = write(
        &env,
        "more.conf",
        "pass in proto udp all\npass in proto 50 all\nblock in all\n",
    );
    let r = ipf(&env, &["--atomic", "-f", &g]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "1:ioctl(add/insert rule): File exists\n\
         ipf: rule 3 (line 3) was not added: File exists; the 2 rules added before it were removed, nothing was added\n"
    );
    assert!(!ipfstat(&env, &["-i"]).stdout.contains("udp"));
    // Without --atomic, illumos's way: the others are loaded.
    let r = ipf(&env, &["-f", &g]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, "1:ioctl(add/insert rule): File exists\n")
    );
    assert!(ipfstat(&env, &["-i"]).stdout.contains("udp"));
}

#[test]
fn a_syntax_error_loads_nothing() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let f = write(&env, "bad.conf", "pass in all\nblock in frob\n");
    let r = ipf(&env, &["-f", &f]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("error at"), "{}", r.stderr);
    let r = ipfstat(&env, &["-i"]);
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str()),
        ("", "empty list for ipfilter(in)\n")
    );
    // An unreadable file: reported, and ipf exits 0.
    let r = ipf(&env, &["-f", "/nonexistent/ipf.conf"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            0,
            "fopen(/nonexistent/ipf.conf) failed: No such file or directory\n"
        )
    );
}

#[test]
fn flushes_sets_and_their_messages() {
    let Some((env, f)) = loaded() else {
        return;
    };
    // flushfilter(): -v prints the flags and the kernel's count.
    let r = ipf(&env, &["-v", "-Fo"]);
    assert_eq!(r.stdout, "remove flags O (16384)\nremoved 2 filter rules\n");
    let r = ipf(&env, &["-v", "-Fa"]);
    assert_eq!(
        r.stdout,
        "remove flags IO (49152)\nremoved 4 filter rules\n"
    );
    let r = ipf(&env, &["-v", "-FS"]);
    assert_eq!(r.stdout, "remove flags S (1)\nremoved 0 filter rules\n");
    // -n makes opendevice() return -2: -F exits 1, silently.
    let r = ipf(&env, &["-n", "-Fa"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (1, "", ""));
    // The inactive set, and swapping.
    ipf(&env, &["-I", "-f", &f]).ok();
    let r = ipf(&env, &["-v", "-I", "-Fi"]);
    assert_eq!(
        r.stdout,
        "remove flags I (-2147450880)\nremoved 4 filter rules\n"
    );
    let r = ipf(&env, &["-v", "-I", "-Fa"]);
    assert_eq!(
        r.stdout,
        "remove flags IO (-2147434496)\nremoved 2 filter rules\n"
    );
    ipf(&env, &["-I", "-f", &f]).ok();
    let r = ipfstat(&env, &["-i"]);
    assert_eq!(r.stderr, "empty list for ipfilter(in)\n");
    let r = ipf(&env, &["-s"]);
    assert_eq!(r.stdout, "Set 0 now inactive\n");
    assert!(ipfstat(&env, &["-i"]).stdout.starts_with("block in all\n"));
    let r = ipfstat(&env, &["-I", "-i"]);
    assert_eq!(r.stderr, "empty list for inactive ipfilter(in)\n");
    // -n: no device, `Set 2`.
    assert_eq!(ipf(&env, &["-n", "-s"]).stdout, "Set 2 now inactive\n");
    assert_eq!(ipf(&env, &["-y"]).stdout, "filter sync'd\n");
}

#[test]
fn version_and_statistics_reports() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    // showversion().
    let r = ipf(&env, &["-V"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipf-V-derived.out"));
    // ipfstat's showstats(), all zero.
    let r = ipfstat(&env, &[]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-derived.out"));
    // -l pass,block: packetlogon() by substring.
    let r = ipf(&env, &["-v", "-l", "pass,block"]);
    assert_eq!(
        r.stdout,
        "set log flag: pass\nset log flag: block\nlog flags are now 0x30000000\n"
    );
    let r = ipfstat(&env, &[]);
    assert!(r.stdout.ends_with(
        "Packet log flags set: (0x30000000)\n\tpackets passed through filter\n\tpackets blocked by filter\n"
    ));
    // ipf.c's showstats() of -Z: the counters before they are zeroed.
    let f = write(&env, "b.conf", "block in all\n");
    ipf(&env, &["-f", &f]).ok();
    packet(&env, &["udp", "1.2.3.4:1", "5.6.7.8:2", "--in", "e1000g0"]);
    let r = ipf(&env, &["-Z"]);
    assert_eq!(r.stdout, golden("ipf-Z-derived.out"));
    assert!(ipf(&env, &["-Z"]).stdout.contains("blocked 0 passed 0"));
}

#[test]
fn disable_and_enable() {
    let Some((env, _)) = loaded() else {
        return;
    };
    ipf(&env, &["-D"]).ok();
    assert!(ipf(&env, &["-V"]).stdout.contains("Running: no\n"));
    let r = ipfstat(&env, &["-i"]);
    assert_eq!(r.stderr, "ioctl(SIOCIPFITER): I/O error\n");
    ipf(&env, &["-E"]).ok();
    let r = ipfstat(&env, &["-i"]);
    assert_eq!(r.stderr, "empty list for ipfilter(in)\n");
}

#[test]
fn packets_quick_last_match_and_keep_state() {
    let Some((env, _)) = loaded() else {
        return;
    };
    let e = ["--in", "e1000g0"];
    let o = ["--out", "e1000g0"];
    // ssh in: the quick rule, which keeps state.
    let s = packet(&env, &["tcp", "1.1.1.1:999", "10.0.0.5:22", e[0], e[1]]);
    assert_eq!(
        s,
        "pass\n\trule: pass in quick on e1000g0 proto tcp from any to any port = ssh flags S/FSRPAU keep state\n\tstate: created\n"
    );
    // The reply passes by the state (the out list would not match it).
    let s = packet(
        &env,
        &[
            "tcp",
            "10.0.0.5:22",
            "1.1.1.1:999",
            o[0],
            o[1],
            "--flags",
            "SA",
        ],
    );
    assert!(s.starts_with("pass\n\tstate: 1/2\n"), "{s}");
    packet(
        &env,
        &[
            "tcp",
            "1.1.1.1:999",
            "10.0.0.5:22",
            e[0],
            e[1],
            "--flags",
            "A",
        ],
    );
    let s = packet(
        &env,
        &[
            "tcp",
            "10.0.0.5:22",
            "1.1.1.1:999",
            o[0],
            o[1],
            "--flags",
            "A",
        ],
    );
    assert!(s.starts_with("pass\n\tstate: 4/4\n"), "{s}");
    // Any other port: the last matching rule, block in all.
    let s = packet(&env, &["tcp", "1.1.1.1:999", "10.0.0.5:23", e[0], e[1]]);
    assert_eq!(s, "block\n\trule: block in all\n");
    // Groups: the head passes 10.0.0.0/24, its group blocks .99.
    let s = packet(&env, &["tcp", "10.0.0.99:5", "8.8.8.8:80", o[0], o[1]]);
    assert_eq!(
        s,
        "block\n\trule: block out quick proto tcp from 10.0.0.99/32 to any group 10\n"
    );
    // No rule for udp out: the default.
    let s = packet(&env, &["udp", "10.0.0.5:5", "8.8.8.8:53", o[0], o[1]]);
    assert_eq!(s, "pass\n\tno rule matched: the default (pass)\n");
    let r = ipfstat(&env, &["-hio"]);
    assert_eq!(
        r.stdout,
        "1 pass out quick proto tcp from 10.0.0.0/24 to any flags S/FSRPAU keep state head 10\n\
         1 block out quick proto tcp from 10.0.0.99/32 to any group 10\n\
         2 block in all\n\
         1 pass in quick on e1000g0 proto tcp from any to any port = ssh flags S/FSRPAU keep state\n\
         0 pass in proto icmp from any to any icmp-type echo keep state (limit 10)\n"
    );
    // showipstates() and printstate().
    let r = ipfstat(&env, &["-s"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-s-derived.out"));
    let r = ipfstat(&env, &["-sl"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-sl-derived.out"));
    // The state's rule cannot go while the state holds it (EBUSY, which
    // ipf -r does not report); -FS empties the table.
    assert_eq!(
        ipf(&env, &["-v", "-FS"]).stdout,
        "remove flags S (1)\nremoved 1 filter rules\n"
    );
}

#[test]
fn nat_flow_passes_through_the_filter() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    env.xbow(&["sim", "add-phys", "e1000g0", "--addr", "192.168.1.10/24"])
        .ok();
    let n = write(&env, "ipnat.conf", "map e1000g0 10.0.0.0/24 -> 0/32\n");
    env.xbow(&["ipnat", "-f", &n]).ok();
    let f = write(
        &env,
        "ipf.conf",
        "block out all\npass out quick proto tcp from 10.0.0.0/24 to any keep state\n",
    );
    ipf(&env, &["-f", &f]).ok();
    let r = env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "10.0.0.5:4000",
        "8.8.8.8:80",
        "--out",
        "e1000g0",
    ]);
    r.ok();
    let r = env.xbow(&[
        "sim",
        "nat-flow",
        "udp",
        "10.0.0.5:4000",
        "8.8.8.8:53",
        "--out",
        "e1000g0",
    ]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "xbow sim: nat-flow: blocked by the out filter: block out all\n"
        )
    );
    // The blocked packet made no NAT session; the filter counted it.
    let l = env.xbow(&["ipnat", "-l"]).stdout;
    assert!(!l.contains("53"), "{l}");
    assert_eq!(
        ipfstat(&env, &["-ho"]).stdout,
        "2 block out all\n1 pass out quick proto tcp from 10.0.0.0/24 to any keep state\n"
    );
}

#[test]
fn json_listings() {
    let Some((env, _)) = loaded() else {
        return;
    };
    let r = ipfstat(&env, &["-hio", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
    let lists = v["lists"].as_array().expect("lists");
    assert_eq!(lists.len(), 5);
    assert_eq!(lists[0]["list"], "out");
    assert_eq!(lists[1]["group"], "10");
    assert_eq!(lists[2]["text"], "block in all");
    for args in [&["--json"][..], &["-s", "--json"], &["-sl", "--json"]] {
        let r = ipfstat(&env, args);
        r.ok();
        serde_json::from_str::<serde_json::Value>(&r.stdout).expect("json");
    }
}

#[test]
fn symlinks_named_ipf_and_ipfstat() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    for name in ["ipf", "ipfstat"] {
        let link = env.dir().join(name);
        std::os::unix::fs::symlink(XBOW, &link).expect("symlink");
        let mut c = std::process::Command::new(&link);
        for (k, v) in env.cmd().get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        let r: Run = c.arg("-x").output().expect("run").into();
        assert_eq!(r.code, 1);
        assert!(
            r.stderr
                .starts_with(&format!("{}: illegal option -- x\n", link.display())),
            "{}",
            r.stderr
        );
    }
}

/// The article's network (examples/crossbow-nat.json) up on the sim:
/// zones test1 (192.168.0.100 on vnic1) and test2 (192.168.0.101 on
/// vnic2) run, eri0 is the uplink.
fn zones() -> Option<Env> {
    let env = Env::sim_only()?;
    env.xbow(&["sim", "add-phys", "eri0", "--addr", "203.0.113.2/24"])
        .ok();
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crossbow-nat.json");
    let r = env.xbow(&["net", "up", spec]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    Some(env)
}

fn code_err(r: &Run) -> (i32, &str, &str) {
    (r.code, r.stdout.as_str(), r.stderr.as_str())
}

#[test]
fn zone_stacks_setzone_messages_and_exit_statuses() {
    let Some(env) = zones() else {
        return;
    };
    let f = write(&env, "z.conf", "block in all\n");
    // ipf: the zone is the last operand; a failed setzone closes the
    // descriptor it never forgets (later ioctls: Bad file number), and
    // ipf still exits 0.
    assert_eq!(
        code_err(&ipf(&env, &["-f", &f, "nosuch"])),
        (
            0,
            "",
            "Could not find running zone: nosuch\n1:ioctl(add/insert rule): Bad file number\n"
        )
    );
    assert_eq!(
        code_err(&ipf(&env, &["-G", "-f", &f, "global"])),
        (
            0,
            "",
            "-G cannot be used with the global zone\n1:ioctl(add/insert rule): Bad file number\n"
        )
    );
    // `global` has no zone stack: ENODEV.
    assert_eq!(
        code_err(&ipf(&env, &["-Fa", "global"])),
        (1, "", "Could not find running zone: global\n")
    );
    // -F and -V exit 1 when the zone cannot be set.
    assert_eq!(
        code_err(&ipf(&env, &["-GFa", "nosuch"])),
        (1, "", "Could not find running zone: nosuch\n")
    );
    let r = ipf(&env, &["-V", "nosuch"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "Could not find running zone: nosuch\n")
    );
    // A name longer than ZONENAME_MAX has no NUL in ipfz_zonename.
    let long = "z".repeat(70);
    assert_eq!(
        code_err(&ipf(&env, &["-Fa", &long])),
        (1, "", "Error setting zone: Bad address\n")
    );
    // ipfstat: -z/-G; failures exit 255 (exit(-1)).
    assert_eq!(
        code_err(&ipfstat(&env, &["-z", "nosuch"])),
        (255, "", "Could not find running zone: nosuch\n")
    );
    assert_eq!(
        code_err(&ipfstat(&env, &["-G", "global"])),
        (255, "", "-G cannot be used with the global zone\n")
    );
    assert_eq!(
        code_err(&ipfstat(&env, &["-z", "test1", "-G", "test1"])),
        (255, "", "Only one of -G and -z may be set\n")
    );
    assert_eq!(
        code_err(&ipfstat(&env, &["-z", "test1", "-z", "test2"])),
        (255, "", "Only one of -G and -z may be set\n")
    );
    // The zone is applied before the other options are read.
    assert_eq!(
        code_err(&ipfstat(&env, &["-x", "-z", "nosuch"])),
        (255, "", "Could not find running zone: nosuch\n")
    );
}

#[test]
fn rules_in_a_zone_stack_until_the_zone_halts() {
    let Some(env) = zones() else {
        return;
    };
    let f = write(&env, "z.conf", "block in all\npass out all keep state\n");
    // A zone's stacks start with IP Filter not enabled.
    let r = ipfstat(&env, &["-G", "test1", "-i"]);
    assert_eq!(code_err(&r), (0, "", "ioctl(SIOCIPFITER): I/O error\n"));
    ipf(&env, &["-GE", "test1"]).ok();
    ipf(&env, &["-G", "-f", &f, "test1"]).ok();
    ipf(&env, &["-E", "test2"]).ok();
    ipf(&env, &["-f", &f, "test2"]).ok();
    assert_eq!(
        ipfstat(&env, &["-G", "test1", "-io"]).ok().stdout,
        "pass out all keep state\nblock in all\n"
    );
    assert_eq!(
        ipfstat(&env, &["-z", "test2", "-i"]).ok().stdout,
        "block in all\n"
    );
    // Each stack is its own: test1's own, the global zone's and test2's
    // GZ-controlled one hold nothing.
    for args in [&["-z", "test1", "-i"][..], &["-i"], &["-G", "test2", "-i"]] {
        let r = ipfstat(&env, args);
        assert!(!r.stdout.contains("block"), "{args:?}: {}", r.stdout);
    }
    // Halting the zone destroys its stacks.
    env.xbow(&["sim", "zoneadm", "-z", "test1", "halt"]).ok();
    assert_eq!(
        code_err(&ipfstat(&env, &["-G", "test1"])),
        (255, "", "Could not find running zone: test1\n")
    );
    env.xbow(&["sim", "zoneadm", "-z", "test1", "boot"]).ok();
    let r = ipfstat(&env, &["-G", "test1", "-i"]);
    assert_eq!(code_err(&r), (0, "", "ioctl(SIOCIPFITER): I/O error\n"));
    // test2's stacks were not touched.
    assert_eq!(
        ipfstat(&env, &["-z", "test2", "-i"]).ok().stdout,
        "block in all\n"
    );
}

#[test]
fn a_zone_rule_blocks_its_flows_until_flushed() {
    let Some(env) = zones() else {
        return;
    };
    let f = write(
        &env,
        "z.conf",
        "block out quick proto tcp from any to any port = 80\n",
    );
    ipf(&env, &["-GE", "test1"]).ok();
    ipf(&env, &["-G", "-f", &f, "test1"]).ok();
    let flow = [
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:4000",
        "8.8.8.8:80",
        "--out",
        "eri0",
    ];
    assert_eq!(
        code_err(&env.xbow(&flow)),
        (
            1,
            "",
            "xbow sim: nat-flow: blocked by the out filter of zone test1 (GZ-controlled): block out quick proto tcp from any to any port = http\n"
        )
    );
    // test2 is not test1: its flow passes and is NATed.
    let r = env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.101:4000",
        "8.8.8.8:80",
        "--out",
        "eri0",
    ]);
    assert!(
        r.ok().stdout.starts_with("MAP 192.168.0.101"),
        "{}",
        r.stdout
    );
    // On test1's VNIC, `sim packet` names the stack that decided.
    assert_eq!(
        packet(
            &env,
            &["tcp", "192.168.0.100:4001", "8.8.8.8:80", "--out", "vnic1"]
        ),
        "block\n\trule: block out quick proto tcp from any to any port = http\n\tstack: zone test1 (GZ-controlled)\n"
    );
    ipf(&env, &["-G", "-Fa", "test1"]).ok();
    let r = env.xbow(&flow);
    assert!(
        r.ok().stdout.starts_with("MAP 192.168.0.100   4000"),
        "{}",
        r.stdout
    );
}

#[test]
fn zone_stacks_see_a_packet_outermost_first() {
    let Some(env) = zones() else {
        return;
    };
    // The zone's own stack blocks what goes in, the GZ-controlled one
    // what comes out: inbound the GZ-controlled stack decides first,
    // outbound the zone's own.
    let own = write(
        &env,
        "own.conf",
        "block in quick all\nblock out quick all\n",
    );
    let gz = write(&env, "gz.conf", "block in quick all\nblock out quick all\n");
    ipf(&env, &["-E", "test2"]).ok();
    ipf(&env, &["-f", &own, "test2"]).ok();
    ipf(&env, &["-GE", "test2"]).ok();
    ipf(&env, &["-G", "-f", &gz, "test2"]).ok();
    assert_eq!(
        packet(
            &env,
            &["udp", "192.168.0.1:53", "192.168.0.101:53", "--in", "vnic2"]
        ),
        "block\n\trule: block in quick all\n\tstack: zone test2 (GZ-controlled)\n"
    );
    assert_eq!(
        packet(
            &env,
            &[
                "udp",
                "192.168.0.101:53",
                "192.168.0.1:53",
                "--out",
                "vnic2"
            ]
        ),
        "block\n\trule: block out quick all\n\tstack: zone test2\n"
    );
}

#[test]
fn ipnat_rules_in_a_zone_stack() {
    let Some(env) = zones() else {
        return;
    };
    let n = write(&env, "z.nat", "map vnic1 10.0.0.0/8 -> 0/32\n");
    env.xbow(&["ipnat", "-G", "test1", "-f", &n]).ok();
    let listed = "List of active MAP/Redirect filters:\nmap vnic1 10.0.0.0/8 -> 0.0.0.0/32\n\nList of active sessions:\n";
    assert_eq!(
        env.xbow(&["ipnat", "-G", "test1", "-l"]).ok().stdout,
        listed
    );
    // Not in test1's own stack, nor in the global zone's.
    for args in [&["-z", "test1", "-l"][..], &["-l"]] {
        let r = env.xbow(&{
            let mut v = vec!["ipnat"];
            v.extend_from_slice(args);
            v
        });
        assert!(!r.ok().stdout.contains("10.0.0.0"), "{args:?}");
    }
    let r = env.xbow(&["ipnat", "-z", "nosuch", "-l"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "Could not find running zone: nosuch\n")
    );
    // Halting the zone destroys the stack and its NAT table.
    env.xbow(&["sim", "zoneadm", "-z", "test1", "halt"]).ok();
    env.xbow(&["sim", "zoneadm", "-z", "test1", "boot"]).ok();
    assert_eq!(
        env.xbow(&["ipnat", "-G", "test1", "-l"]).ok().stdout,
        "List of active MAP/Redirect filters:\n\nList of active sessions:\n"
    );
}
