//! `xbow ipf` and `xbow ipfstat` options beyond loading and listing rules,
//! against the sim: tunables (`ipf -T`), the state and NAT log flags
//! (`ipf -l state|nat`), and the `ipfstat` reports `-f`, `-A`, `-g` and
//! the kernel-image options `-M`/`-N`.
//!
//! Golden files (tests/golden), each the output of one illumos function:
//! `ipf-T-list-derived.out` (`ipf_dotuning` → `printtunable` over the
//! `lcl_ipf_tuneables[]` table of fil.c with the values
//! `ipftuneable_setdefs`, `iplattach`, `fr_stateinit` and `fr_natinit`
//! give), `ipfstat-f-derived.out` (`showfrstates`), `ipfstat-A-derived.out`
//! (`showauthstates`), `ipfstat-g-derived.out` (`showgroups`). "Derived":
//! written from the sources, not captured on illumos.

mod common;

use common::{Env, golden, ipf, ipfstat, write};

/// `ipf_dotuning` `list` → `printtunable` for every row of
/// `lcl_ipf_tuneables[]` (`SIOCIPFGETNEXT` until the NULL cookie).
#[test]
fn tunables_list_derived() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipf(&env, &["-T", "list"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipf-T-list-derived.out"));
}

/// `ipf_dotuning`: `name` (`SIOCIPFGET`), `name=value` (`SIOCIPFSET`,
/// silent), comma-separated words in order, and `fr_ipftune`'s refusals:
/// `ESRCH` unknown name, `EINVAL` outside `[min, max]`, `EBUSY` for an
/// `IPFT_WRDISABLED` tunable while running. Each error ends `-T` and ipf
/// still exits 0.
#[test]
fn tunables_get_set_and_errors() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipf(&env, &["-T", "fr_chksrc=1,fr_chksrc,,fr_pass"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "fr_chksrc\tmin 0\tmax 0x1\tcurrent 1\nfr_pass\tmin 0\tmax 0xffffffff\tcurrent 134217730\n"
    );
    let r = ipf(&env, &["-T", "nosuch,fr_pass"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "", "ioctl(SIOCIPFGET): No such process\n")
    );
    let r = ipf(&env, &["-T", "nosuch=1"]);
    assert_eq!(r.stderr, "ioctl(SIOCIPFSET): No such process\n");
    let r = ipf(&env, &["-T", "fr_chksrc=2,fr_chksrc"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (0, "", "ioctl(SIOCIPFSET): Invalid argument\n")
    );
    // sscanf("%lu"): a minus wraps, so -1 is above every max.
    let r = ipf(&env, &["-T", "fr_flags=-1"]);
    assert_eq!(r.stderr, "ioctl(SIOCIPFSET): Invalid argument\n");
    // Not a number: the name is what is quoted.
    let r = ipf(&env, &["-T", "fr_statemax=lots"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, "invalid value 'fr_statemax'\n")
    );
    // Trailing text after the digits is ignored, as sscanf does.
    ipf(&env, &["-T", "fr_statemax=1000x"]).ok();
    assert!(
        ipf(&env, &["-T", "fr_statemax"])
            .stdout
            .ends_with("current 1000\n")
    );
    // IPFT_WRDISABLED: only while IP Filter is disabled.
    let r = ipf(&env, &["-T", "fr_tcptimeout=10"]);
    assert_eq!(r.stderr, "ioctl(SIOCIPFSET): Device busy\n");
    ipf(&env, &["-D"]).ok();
    ipf(&env, &["-T", "fr_tcptimeout=10"]).ok();
    ipf(&env, &["-E"]).ok();
    let r = ipf(&env, &["-T", "fr_tcptimeout"]);
    assert_eq!(
        r.stdout,
        "fr_tcptimeout\tmin 0x1\tmax 0x7fffffff\tcurrent 10\n"
    );
    // IPFT_RDONLY is not checked by fr_ipftune: only the limits guard.
    ipf(&env, &["-T", "fr_state_lock=1"]).ok();
    let r = ipf(&env, &["-T", "fr_active=1"]);
    assert_eq!(r.stderr, "ioctl(SIOCIPFSET): Invalid argument\n");
}

/// The `ipftune_t` is shared by the words of one `-T`: after `name` the
/// cookie is that row's, so `list` starts there (`fr_findtunebycookie`).
#[test]
fn tunables_list_after_a_name_starts_at_it() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipf(&env, &["-T", "ipl_logall,list"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "ipl_logall\tmin 0\tmax 0x1\tcurrent 0\n\
         ipl_logall\tmin 0\tmax 0x1\tcurrent 0\n\
         ipl_logsize\tmin 0\tmax 0x80000\tcurrent 8192\n"
    );
}

/// `-T` runs only when `opendevice() >= 0`: nothing with `-n`.
#[test]
fn tunables_need_the_device() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipf(&env, &["-n", "-T", "list"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
    let r = ipf(&env, &["-n", "-T", "fr_chksrc=1"]);
    r.ok();
    assert!(
        ipf(&env, &["-T", "fr_chksrc"])
            .stdout
            .ends_with("current 0\n")
    );
}

/// Tunables that are the kernel's own variables: `fr_flags` is what
/// `SIOCSETFF` sets (`ipf -l`), `fr_pass` the default decision `ipf -V`
/// and the filter use, `ipstate_logging` what `ipfstat -s` reports.
#[test]
fn tunables_are_the_kernel_variables() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    ipf(&env, &["-l", "block"]).ok();
    assert!(
        ipf(&env, &["-T", "fr_flags"])
            .stdout
            .ends_with("current 536870912\n")
    );
    ipf(&env, &["-T", "fr_pass=1"]).ok();
    assert!(
        ipf(&env, &["-V"])
            .stdout
            .contains("Default: block all, Logging: available\n")
    );
    ipf(&env, &["-T", "ipstate_logging=0"]).ok();
    assert!(
        ipfstat(&env, &["-s"])
            .stdout
            .contains("State logging disabled\n")
    );
}

/// `--json` (xbow's): the tunables `-T` printed, as one JSON object.
#[test]
fn tunables_json() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipf(&env, &["--json", "-T", "fr_minttl"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["tunables"][0]["name"], "fr_minttl");
    assert_eq!(v["tunables"][0]["value"], 4);
    assert_eq!(v["tunables"][0]["max"], 1);
}

/// `packetlogon()`: `state` and `nat` toggle (`1 -` the `SIOCGETLG`
/// value) on their own read-write descriptors; `-v` says so.
#[test]
fn log_flags_state_and_nat_toggle() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipf(&env, &["-v", "-l", "state"]);
    r.ok();
    assert_eq!(r.stdout, "log flags are now 0\nset state log flag\n");
    assert!(
        ipfstat(&env, &["-s"])
            .stdout
            .contains("State logging disabled\n")
    );
    ipf(&env, &["-l", "state"]).ok();
    assert!(
        ipfstat(&env, &["-s"])
            .stdout
            .contains("State logging enabled\n")
    );
    // "nat" is nat_logging, a tunable of the same stack.
    ipf(&env, &["-l", "nat"]).ok();
    assert!(
        ipf(&env, &["-T", "nat_logging"])
            .stdout
            .ends_with("current 0\n")
    );
    // Both in one argument, and -n does not keep the devices closed.
    ipf(&env, &["-n", "-l", "state,nat"]).ok();
    assert!(
        ipf(&env, &["-T", "nat_logging,ipstate_logging"])
            .stdout
            .ends_with("current 1\nipstate_logging\tmin 0\tmax 0x1\tcurrent 0\n")
    );
    // Not running: /dev/ipstate answers EIO.
    ipf(&env, &["-D"]).ok();
    let r = ipf(&env, &["-l", "state"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, "ioctl(SIOCGETLG): I/O error\n")
    );
}

/// Rules with filter heads in both directions and an accounting head.
const GROUP_RULES: &str = "\
block in all
pass out quick proto tcp from 10.0.0.0/24 to any flags S keep state head 10
block out quick proto tcp from 10.0.0.99/32 to any group 10
pass in quick proto tcp from any to any head web
count in proto icmp all head c1
";

/// `showgroups()`: for `Filter` (`IPL_LOGIPF`), `Accounting`
/// (`IPL_LOGCOUNT`) and `Authentication` (`IPL_LOGAUTH`), the groups of
/// the active set (`f_active`), then of the other, in the order
/// `fr_addgroup` made them.
#[test]
fn groups_report_derived() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let f = write(&env, "a.conf", GROUP_RULES);
    ipf(&env, &["-f", &f]).ok();
    let f2 = write(
        &env,
        "b.conf",
        "pass in quick proto udp from any to any head dns\n",
    );
    ipf(&env, &["-I", "-f", &f2]).ok();
    let r = ipfstat(&env, &["-g"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-g-derived.out"));
    // After a swap the sets change places.
    ipf(&env, &["-s"]).ok();
    assert!(
        ipfstat(&env, &["-g"])
            .stdout
            .starts_with("Filter groups (active):\ndns\nFilter groups (inactive):\n10\nweb\n")
    );
    // -g comes after every other report in main()'s order.
    assert!(
        ipfstat(&env, &["-g", "-f"])
            .stdout
            .starts_with("IP fragment states:\n")
    );
    let r = ipfstat(&env, &["--json", "-g"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["groups"]["filter"][0][0], "dns");
    assert_eq!(v["groups"]["accounting"][1][0], "c1");
}

/// `showfrstates()`: `SIOCGFRST`'s `ipfrstat_t`, then the (empty)
/// fragment cache after an empty line; `EIO` while disabled is
/// `perror("ioctl(SIOCGFRST)")` and exit(-1).
#[test]
fn fragment_report_derived() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipfstat(&env, &["-f"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-f-derived.out"));
    // -f comes after -s and the lists, before -A and -g.
    assert!(
        ipfstat(&env, &["-f", "-A"])
            .stdout
            .starts_with("IP fragment states:\n")
    );
    assert!(
        ipfstat(&env, &["-f", "-s"])
            .stdout
            .starts_with("IP states added:\n")
    );
    let v: serde_json::Value =
        serde_json::from_str(&ipfstat(&env, &["--json", "-f"]).stdout).unwrap();
    assert_eq!(v["frag_stats"]["inuse"], 0);
    ipf(&env, &["-D"]).ok();
    let r = ipfstat(&env, &["-f"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (255, "", "ioctl(SIOCGFRST): I/O error\n")
    );
}

/// `showauthstates()`: `SIOCATHST` on `/dev/ipauth` (no `SIOCGETFS` on
/// `/dev/ipf` with -A); `-v` still names /dev/ipf, printed before the
/// device is switched.
#[test]
fn auth_report_derived() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let r = ipfstat(&env, &["-A"]);
    r.ok();
    assert_eq!(r.stdout, golden("ipfstat-A-derived.out"));
    let r = ipfstat(&env, &["-v", "-A"]);
    assert!(
        r.stdout
            .starts_with("opts 0x10000044 name /dev/ipf\nAuthorisation hits: 0\t")
    );
    let v: serde_json::Value =
        serde_json::from_str(&ipfstat(&env, &["--json", "-A"]).stdout).unwrap();
    assert_eq!(v["auth_stats"]["hits"], 0);
    ipf(&env, &["-D"]).ok();
    let r = ipfstat(&env, &["-A"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (255, "ioctl(SIOCATHST): I/O error\n")
    );
}

/// `-M core` / `-N namelist`: `openkmem()` (kmem.c) opens them with
/// libkvm before anything else; a file that cannot be opened is
/// `perror("openkmem:open")` and exit(-1). The sim has no kernel image to
/// read, so an existing file is refused with a message naming that.
/// `-t` (`topipstates`, a curses display) is refused unless an earlier
/// report in main()'s order takes precedence.
#[test]
fn kernel_images_and_top() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let r = ipfstat(&env, &["-M", "/nonexistent/vmcore.0"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (255, "", "openkmem:open: No such file or directory\n")
    );
    let r = ipfstat(&env, &["-x", "-N", "/nonexistent/unix.0"]);
    assert_eq!(r.code, 255);
    let f = write(&env, "vmcore.0", "");
    let r = ipfstat(&env, &["-M", &f]);
    r.fails_with(
        "ipfstat: -M/-N: reading a kernel crash dump or namelist is not available in xbow\n",
    );
    let r = ipfstat(&env, &["-t"]);
    r.fails_with(
        "ipfstat: -t: the interactive state top display (curses) is not available in xbow; see ipfstat -sl\n",
    );
}

/// `-P` sets `ipfname` to `/dev/ipauth`. Every later `opendevice(ipfname,
/// 1)` runs `checkrev(ipfname)`: `SIOCGETFS` on `/dev/ipauth` reaches
/// `fr_auth_ioctl`, which refuses it (`EINVAL`; `EIO` while IP Filter is
/// not running), so the check fails and nothing is opened. Rules parsed
/// then go to the descriptor -1 (`Bad file number`), unless `/dev/ipf`
/// was opened by an earlier option, in which case they go there.
#[test]
fn auth_device_option() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let f = write(&env, "a.conf", "block in all\npass out all\n");
    let r = ipf(&env, &["-P", "-f", &f]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            0,
            "",
            "ioctl(SIOCGETFS): Invalid argument\nUser/kernel version check failed\n\
             2:ioctl(add/insert rule): Bad file number\n1:ioctl(add/insert rule): Bad file number\n"
        )
    );
    assert_eq!(
        ipfstat(&env, &["-i"]).stderr,
        "empty list for ipfilter(in)\n"
    );
    // flushfilter(): opendevice() == -2 is exit(1).
    let r = ipf(&env, &["-P", "-Fa"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (
            1,
            "ioctl(SIOCGETFS): Invalid argument\nUser/kernel version check failed\n"
        )
    );
    // -E/-D skip the check: SIOCFRENB on /dev/ipauth.
    let r = ipf(&env, &["-P", "-D"]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (0, "SIOCFRENB: Invalid argument\n")
    );
    // showversion() opens ipfname itself.
    let r = ipf(&env, &["-P", "-V"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            1,
            "ipf: IP Filter: v4.1.9 (608)\n",
            "ioctl(SIOCGETFS): Invalid argument\n"
        )
    );
    // /dev/ipf opened before -P keeps being used.
    let r = ipf(&env, &["-Fa", "-P", "-f", &f]);
    assert_eq!(r.code, 0);
    assert_eq!(ipfstat(&env, &["-i"]).stdout, "block in all\n");
    // Not running: EIO for any device but /dev/ipf.
    ipf(&env, &["-D"]).ok();
    let r = ipf(&env, &["-P", "-s"]);
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str()),
        (
            "Set 2 now inactive\n",
            "ioctl(SIOCGETFS): I/O error\nUser/kernel version check failed\n"
        )
    );
}

/// The state timeouts are the tunables' values (`fr_sttab_init`,
/// `fr_stateinit`): a state's `ttl` in `printstate` follows
/// `fr_udptimeout` once it is changed (while disabled, as
/// `IPFT_WRDISABLED` requires), and `fr_pass` decides unmatched packets.
#[test]
fn tunables_drive_the_filter() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let f = write(
        &env,
        "k.conf",
        "pass in proto udp from any to any keep state\n",
    );
    ipf(&env, &["-D"]).ok();
    ipf(&env, &["-T", "fr_udptimeout=77"]).ok();
    ipf(&env, &["-E"]).ok();
    ipf(&env, &["-f", &f]).ok();
    env.xbow(&[
        "sim",
        "packet",
        "udp",
        "1.2.3.4:53",
        "5.6.7.8:53",
        "--in",
        "e1000g0",
    ])
    .ok();
    let r = ipfstat(&env, &["-sl"]);
    assert!(
        r.stdout.contains("\ttag 0 ttl 77 53 -> 53\n"),
        "{}",
        r.stdout
    );
    // fr_pass: block (1) when nothing matches.
    ipf(&env, &["-T", "fr_pass=1"]).ok();
    let r = env.xbow(&[
        "sim",
        "packet",
        "tcp",
        "1.2.3.4:1",
        "5.6.7.8:2",
        "--out",
        "e1000g0",
    ]);
    assert!(r.stdout.starts_with("block\n"), "{}", r.stdout);
}

/// The `-t` filters are checked as they are read, -t or not:
/// `parse_ipportstr()` for `-S`/`-D` (`addr[,port]`, `any` for either;
/// IPv6 addresses only after `-6`) and `getproto()` for `-P`; each
/// failure is exit(-2).
#[test]
fn top_filter_arguments() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    let bad = |args: &[&str], msg: &str| {
        let r = ipfstat(&env, args);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (254, "", msg),
            "{args:?}"
        );
    };
    bad(
        &["-D", "1.2.3.4,70000"],
        "Invalid port specfication in 1.2.3.4,70000\n",
    );
    bad(
        &["-S", "10.0.0.1,ssh"],
        "Invalid port specfication in 10.0.0.1,ssh\n",
    );
    bad(
        &["-S", "10.0.0.1,"],
        "Invalid port specfication in 10.0.0.1,\n",
    );
    bad(
        &["-D", "host.example,22"],
        "Invalid IP address: host.example\n",
    );
    bad(&["-S", "::1"], "Invalid IP address: ::1\n");
    bad(&["-P", "nosuch"], "ipfstat: Invalid protocol: nosuch\n");
    for ok in [
        &["-D", "any,any"][..],
        &["-S", "10.1,22"],
        &["-S", "0x7f.1"],
        &["-6", "-S", "::1,5"],
        &["-P", "udp"],
        &["-P", "47"],
    ] {
        ipfstat(&env, ok).ok();
    }
}

/// `-T secs`: `sscanf("%d")`, so trailing text is ignored and an empty
/// argument keeps the default; zero, negative or no number is exit(-2).
#[test]
fn refresh_time_argument() {
    let Some(env) = Env::sim_only() else {
        return;
    };
    ipfstat(&env, &["-T", "5s"]).ok();
    ipfstat(&env, &["-T", ""]).ok();
    for bad in ["0", "-3", "soon"] {
        let r = ipfstat(&env, &["-T", bad]);
        assert_eq!(
            (r.code, r.stderr),
            (254, format!("ipfstat: Invalid refreshtime < 1 : {bad}\n"))
        );
    }
}

/// `-c c` (`outputc`) makes ipf.c write `ip_rules.c`/`ip_rules.h`
/// (ipfcomp.c: `printc`, `printC`, `emit`), whose arrays are hex dumps of
/// each `frentry_t` of the process (heap addresses included): refused by
/// name, before anything is done. Any other `-c` argument is ignored, as
/// ipf.c ignores it.
#[test]
fn compiled_rules_refused() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    ipf(&env, &["-cc", "-Fa"]).fails_with(
        "ipf: -cc: writing the rules as C source (ip_rules.c, ip_rules.h) is not available in xbow\n",
    );
    let r = ipf(&env, &["-cx", "-n", "-Fa"]);
    assert_eq!((r.code, r.stderr.as_str()), (1, ""));
}
