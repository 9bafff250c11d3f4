//! `xbow ipnat` against the sim and (with `XBOW_TEST_BACKEND=linux`) the
//! Linux backend: options and their messages, the order of operations,
//! flushes, loads rule by rule (and all-or-nothing with `--atomic`), and,
//! on the sim, sessions created with
//! `xbow sim nat-flow`.

mod common;

use common::{Env, Run, XBOW, ipnat, write};

/// The article's rules.
const ARTICLE: &str = "map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto\n\
                       map eri0 192.168.0.0/24 -> 0/32\n";
const USAGE: &str = "Usage: ipnat [-CdFhlnrRsv] [-f filename] [-G|-z zonename]\n";
const EMPTY_LIST: &str = "List of active MAP/Redirect filters:\n\nList of active sessions:\n";

/// A sim with eri0 at 192.168.84.24 and the article's rules loaded.
/// The article's rules with a simulated flow through them: sim only (the
/// Linux backend's real sessions are in tests/linux_e2e.rs).
fn article() -> Option<(Env, String)> {
    let env = Env::sim_only()?;
    env.xbow(&["sim", "add-phys", "eri0", "--addr", "192.168.84.24/24"])
        .ok();
    let f = write(&env, "ipnat.conf", ARTICLE);
    let r = ipnat(&env, &["-f", &f]);
    r.ok();
    assert_eq!(r.stdout, "");
    Some((env, f))
}

#[test]
fn options_errors_and_usage() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    ipnat(&env, &["-x"]).fails_with(&format!("ipnat: illegal option -- x\n{USAGE}"));
    ipnat(&env, &["-f"]).fails_with(&format!("ipnat: option requires an argument -- f\n{USAGE}"));
    ipnat(&env, &["-lq"]).fails_with(&format!("ipnat: illegal option -- q\n{USAGE}"));
    ipnat(&env, &["--bogus"]).fails_with(&format!("ipnat: illegal option -- -\n{USAGE}"));
    // getopt(3C) stops at the first operand: nothing is listed.
    let r = ipnat(&env, &["foo", "-l"]);
    assert_eq!((r.code, r.stdout.as_str(), r.stderr.as_str()), (0, "", ""));
}

#[test]
fn a_symlink_named_ipnat_is_ipnat() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let link = env.dir().join("ipnat");
    std::os::unix::fs::symlink(XBOW, &link).expect("symlink");
    let run = |args: &[&str]| -> Run {
        let template = env.cmd();
        let mut c = std::process::Command::new(&link);
        for (k, v) in template.get_envs() {
            match v {
                Some(v) => c.env(k, v),
                None => c.env_remove(k),
            };
        }
        c.args(args).output().expect("run ipnat").into()
    };
    let l = link.display().to_string();
    run(&["-x"]).fails_with(&format!(
        "{l}: illegal option -- x\nUsage: {l} [-CdFhlnrRsv] [-f filename] [-G|-z zonename]\n"
    ));
    let r = run(&["-l"]);
    r.ok();
    assert_eq!(r.stdout, EMPTY_LIST);
    assert_eq!(r.stdout, ipnat(&env, &["-l"]).stdout);
}

#[test]
fn donothing_touches_nothing() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let r = ipnat(&env, &["-n", "-F", "-C"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "1 entries flushed from NAT table\n0 entries flushed from NAT list\n"
    );
    let r = ipnat(&env, &["-nl"]);
    r.ok();
    assert_eq!(r.stdout, EMPTY_LIST);
    let r = ipnat(&env, &["-nlv"]);
    r.ok();
    assert_eq!(
        r.stdout,
        format!("{EMPTY_LIST}\nList of active host mappings:\n")
    );
    let r = ipnat(&env, &["-ns"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "mapped\tin\t0\tout\t0\nadded\t0\texpired\t0\nno memory\t0\tbad nat\t0\n\
         inuse\t0\norphans\t0\nrules\t0\nwilds\t0\n"
    );
    // -n -f parses (and with -v prints) but loads nothing; -z is not used.
    let f = write(&env, "r.conf", ARTICLE);
    let r = ipnat(&env, &["-nvf", &f, "-z", "nosuchzone"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto\n\
         map eri0 192.168.0.0/24 -> 0.0.0.0/32\n"
    );
    assert_eq!(ipnat(&env, &["-l"]).stdout, EMPTY_LIST);
    assert!(!env.state_path().exists(), "-n wrote the sim state");
}

#[test]
fn debug_dumps_the_ipnat_t() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let f = write(&env, "r.conf", "map le0 0/0 -> 0/32\n");
    let r = ipnat(&env, &["-nvdf", &f]);
    r.ok();
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "map le0 0.0.0.0/0 -> 0.0.0.0/32");
    assert_eq!(lines[1], "\tnextip 0.0.0.0 pnext 0");
    assert_eq!(lines[2], "\tspace 0 use 0 hits 0 flags 0 proto 0 hv 0");
    assert_eq!(lines.len(), 5 + 24 + 1);
    assert_eq!(
        lines[5 + 8],
        "00 00 00 00 00 00 04 00 00 00 00 00 00 00 00 00 "
    );
    assert_eq!(lines[29], "");
}

#[test]
fn an_unreadable_file_is_reported_and_ignored() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let r = ipnat(&env, &["-f", "/nonexistent/ipnat.conf"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            0,
            "",
            "fopen(/nonexistent/ipnat.conf) failed: No such file or directory\n"
        )
    );
}

#[test]
fn the_article_rules_and_a_session() {
    let Some((env, _)) = article() else { return };
    let r = ipnat(&env, &["-l"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "List of active MAP/Redirect filters:\n\
         map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto\n\
         map eri0 192.168.0.0/24 -> 0.0.0.0/32\n\
         \n\
         List of active sessions:\n"
    );
    let flow = env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:37153",
        "129.146.17.55:22",
    ]);
    flow.ok();
    let line = "MAP 192.168.0.100   37153 <- -> 192.168.84.24   1024  [129.146.17.55 22]";
    assert_eq!(flow.stdout, format!("{line}\n"));
    let r = ipnat(&env, &["-l"]);
    r.ok();
    assert!(
        r.stdout
            .ends_with(&format!("List of active sessions:\n{line}\n")),
        "{}",
        r.stdout
    );
    // illumos' padding: %-15s for addresses, %-5hu for ports.
    let fields: Vec<&str> = line.splitn(2, ' ').collect();
    assert_eq!(&fields[1][..15], "192.168.0.100  ");

    // ICMP has no ports: the second rule, and no port columns.
    let r = env.xbow(&["sim", "nat-flow", "icmp", "192.168.0.100", "129.146.17.55"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "MAP 192.168.0.100   <- -> 192.168.84.24   [129.146.17.55]\n"
    );
    let r = ipnat(&env, &["-lh"]);
    assert!(
        r.stdout
            .contains("1 map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto\n1 map")
    );
    let r = ipnat(&env, &["-s"]);
    r.ok();
    assert_eq!(
        r.stdout,
        "mapped\tin\t0\tout\t2\nadded\t2\texpired\t0\nno memory\t0\tbad nat\t0\n\
         inuse\t2\norphans\t0\nrules\t2\nwilds\t0\n"
    );
    let r = ipnat(&env, &["-lv"]);
    r.ok();
    assert!(
        r.stdout.contains(&format!("{line}\n\tage 240 use 0 sumd ")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("\tifp @,@ bytes 0/40 pkts 0/1 ipsumd "));
    assert!(r.stdout.ends_with(
        "\nList of active host mappings:\n\
         192.168.0.100,129.146.17.55 -> 192.168.84.24 (use = 1 hv = 0)\n\
         192.168.0.100,129.146.17.55 -> 192.168.84.24 (use = 1 hv = 0)\n"
    ));
    // The same connection again is the same session; a new source port is
    // a new one with the next port.
    let r = env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:37153",
        "129.146.17.55:22",
    ]);
    assert_eq!(r.stdout, format!("{line}\n"));
    let r = env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.7:5000",
        "129.146.17.55:22",
    ]);
    assert_eq!(
        r.stdout,
        "MAP 192.168.0.7     5000  <- -> 192.168.84.24   1025  [129.146.17.55 22]\n"
    );
}

#[test]
fn flows_that_no_rule_translates() {
    let Some((env, _)) = article() else { return };
    let r = env.xbow(&["sim", "nat-flow", "tcp", "10.0.0.1:1", "129.146.17.55:22"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "xbow sim: nat-flow: no NAT rule matches this packet: it would pass untranslated\n"
    );
    let r = env.xbow(&["sim", "nat-flow", "tcp", "10.0.0.1", "129.146.17.55:22"]);
    assert_eq!(
        r.stderr,
        "xbow sim: nat-flow: '10.0.0.1': a tcp packet needs a port (ADDR:PORT)\n"
    );
    let env2 = Env::not_illumos().expect("sim");
    env2.xbow(&["sim", "add-phys", "eri0"]).ok();
    let f = write(&env2, "r.conf", ARTICLE);
    ipnat(&env2, &["-f", &f]).ok();
    let r = env2.xbow(&["sim", "nat-flow", "udp", "192.168.0.9:53", "8.8.8.8:53"]);
    assert_eq!(
        r.stderr,
        "xbow sim: nat-flow: interface eri0 has no IPv4 address to map to \
         (give one with `xbow sim add-phys eri0 --addr A/N`)\n"
    );
}

#[test]
fn rdr_sessions() {
    let Some(env) = Env::sim_only() else { return };
    let f = write(
        &env,
        "r.conf",
        "rdr eri0 192.168.84.24/32 port 80 -> 10.0.0.5 port 8080 tcp\n",
    );
    ipnat(&env, &["-f", &f]).ok();
    let r = env.xbow(&[
        "sim",
        "nat-flow",
        "--in",
        "eri0",
        "tcp",
        "203.0.113.9:40000",
        "192.168.84.24:80",
    ]);
    r.ok();
    assert_eq!(
        r.stdout,
        "RDR 10.0.0.5        8080  <- -> 192.168.84.24   80    [203.0.113.9 40000]\n"
    );
}

#[test]
fn atomic_loads_are_all_or_nothing() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let one = write(&env, "one.conf", "map eri0 10.9.0.0/16 -> 0/32\n");
    ipnat(&env, &["--atomic", "-f", &one]).ok();
    let bad = write(
        &env,
        "bad.conf",
        "map eri0 10.0.0.0/8 -> 0/32\nmap eri0 10.1.0.0/16 -> 0/32\n\nmap eri0 10.0.0.0/8 -> 0/32\n",
    );
    let r = ipnat(&env, &["--atomic", "-f", &bad]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        "1:ioctl(add/insert nat rule): File exists\n\
         ipnat: rule 3 (line 4) was not added: File exists; the 2 rules added before it \
         were removed, nothing was added\n"
    );
    let listed = "List of active MAP/Redirect filters:\nmap eri0 10.9.0.0/16 -> 0.0.0.0/32\n\n\
                  List of active sessions:\n";
    assert_eq!(ipnat(&env, &["-l"]).stdout, listed);
    // A rule the kernel refuses (age 0/5 is EINVAL), reported by its line.
    let inval = write(
        &env,
        "inval.conf",
        "map eri0 10.2.0.0/16 -> 0/32\nmap eri0 10.3.0.0/16 -> 0/32 age 0/5\n",
    );
    let r = ipnat(&env, &["-f", &inval, "--atomic"]);
    assert_eq!(
        r.stderr,
        "1:ioctl(add/insert nat rule): Invalid argument\n\
         ipnat: rule 2 (line 2) was not added: Invalid argument; the rule added before it \
         was removed, nothing was added\n"
    );
    assert_eq!(ipnat(&env, &["-l"]).stdout, listed);
    // A syntax error: nothing is touched.
    let syntax = write(
        &env,
        "syntax.conf",
        "map eri0 10.4.0.0/16 -> 0/32\nmap eri0 10.5.0.0/16 -> 0/32 portmap\n",
    );
    let r = ipnat(&env, &["--atomic", "-f", &syntax]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "syntax error error at \"\", line 1\n")
    );
    assert_eq!(ipnat(&env, &["-l"]).stdout, listed);
    // Removal: rule 2 is not loaded, so nothing is removed.
    let rm = write(
        &env,
        "rm.conf",
        "map eri0 10.9.0.0/16 -> 0/32\nmap eri0 10.8.0.0/16 -> 0/32\n",
    );
    let r = ipnat(&env, &["--atomic", "-rf", &rm]);
    assert_eq!(
        r.stderr,
        "1:ioctl(delete nat rule): No such process\n\
         ipnat: rule 2 (line 2) was not removed: No such process, nothing was removed\n"
    );
    assert_eq!(ipnat(&env, &["-l"]).stdout, listed);
    ipnat(&env, &["--atomic", "-rf", &one]).ok();
    assert_eq!(ipnat(&env, &["-l"]).stdout, EMPTY_LIST);
}

#[test]
fn listing_opens_read_only() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let f = write(&env, "r.conf", ARTICLE);
    let r = ipnat(&env, &["-CF", "-l", "-f", &f]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stderr,
        "ioctl(SIOCFLNAT): Not owner\nioctl(SIOCCNATL): Not owner\n\
         2:ioctl(add/insert nat rule): Not owner\n\
         1:ioctl(add/insert nat rule): Not owner\n"
    );
    assert_eq!(r.stdout, EMPTY_LIST);
}

#[test]
fn flushes() {
    let Some((env, f)) = article() else { return };
    env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:37153",
        "129.146.17.55:22",
    ])
    .ok();
    env.xbow(&[
        "sim",
        "nat-flow",
        "udp",
        "192.168.0.100:5353",
        "129.146.17.55:53",
    ])
    .ok();
    // -C clears the rules (and illumos always reports 4); the sessions stay,
    // and their rules are still counted.
    let r = ipnat(&env, &["-C"]);
    r.ok();
    assert_eq!(r.stdout, "4 entries flushed from NAT list\n");
    let l = ipnat(&env, &["-l"]).stdout;
    assert!(
        l.starts_with("List of active MAP/Redirect filters:\n\nList of active sessions:\nMAP "),
        "{l}"
    );
    assert!(
        ipnat(&env, &["-s"])
            .stdout
            .contains("inuse\t2\norphans\t0\nrules\t1\n")
    );
    // -F removes the sessions, and with them the cleared rule.
    let r = ipnat(&env, &["-F"]);
    assert_eq!(r.stdout, "2 entries flushed from NAT table\n");
    assert_eq!(ipnat(&env, &["-l"]).stdout, EMPTY_LIST);
    assert!(
        ipnat(&env, &["-s"])
            .stdout
            .contains("inuse\t0\norphans\t0\nrules\t0\n")
    );
    // -F runs before -C, whatever the order given; then -f.
    let r = ipnat(&env, &["-C", "-F", "-f", &f]);
    r.ok();
    assert_eq!(
        r.stdout,
        "0 entries flushed from NAT table\n4 entries flushed from NAT list\n"
    );
    assert!(ipnat(&env, &["-l"]).stdout.contains("portmap tcp/udp auto"));
}

#[test]
fn the_snapshot_gates_the_listing() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    // Listing needs a read-only open, so load first, then -l with -s: the
    // stats are those from before anything else happened.
    let f = write(&env, "r.conf", "map le0 10.0.0.0/8 -> 0/32\n");
    ipnat(&env, &["-f", &f]).ok();
    let r = ipnat(&env, &["-s", "-l"]);
    r.ok();
    assert!(r.stdout.starts_with("mapped\tin\t0\tout\t0\n"));
    assert!(
        r.stdout
            .contains("rules\t1\nwilds\t0\nList of active MAP/Redirect filters:\nmap le0")
    );
}

#[test]
fn verbose_load_prints_and_loads() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let f = write(
        &env,
        "r.conf",
        "rdr le0 9.8.7.6/32 port 80 -> 1.1.1.1 port 80 tcp sticky\n",
    );
    let r = ipnat(&env, &["-vf", &f]);
    assert_eq!(r.code, 0);
    assert_eq!(
        r.stdout,
        "rdr le0 9.8.7.6/32 port 80 -> 1.1.1.1 port 80 tcp\n"
    );
    assert_eq!(
        r.stderr,
        "'sticky' for use with round-robin/IP splitting only\n"
    );
    assert!(
        ipnat(&env, &["-l"])
            .stdout
            .contains("rdr le0 9.8.7.6/32 port 80 -> 1.1.1.1 port 80 tcp\n")
    );
    // A proxy the kernel does not know.
    let p = write(
        &env,
        "p.conf",
        "map le0 10.0.0.0/8 -> 0/32 proxy port 21 nosuch/tcp\n",
    );
    let r = ipnat(&env, &["--atomic", "-f", &p]);
    assert_eq!(
        r.stderr,
        "1:ioctl(add/insert nat rule): No such file or directory\n\
         ipnat: rule 1 (line 1) was not added: No such file or directory, nothing was added\n"
    );
}

/// illumos `ipnat -f`: `ipnat_parsefile()` hands each rule to
/// `ipnat_addrule()` (`usr/src/cmd/ipf/tools/ipnat_y.y`), which reports a
/// refused `SIOCADNAT`/`SIOCRMNAT` as `LINE:ioctl(…): strerror` and goes
/// on; `main()` then exits 0.
#[test]
fn loads_rule_by_rule_as_illumos() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let portmap = "map net0 192.168.128.0/22 -> 0/32 portmap tcp/udp 1025:65535\n";
    let plain = "map net0 192.168.128.0/22 -> 0/32\n";
    let both = write(&env, "both.conf", &format!("{portmap}{plain}"));
    ipnat(&env, &["-f", &both]).ok();
    let listing = |rules: &[&str]| {
        format!(
            "List of active MAP/Redirect filters:\n{}\nList of active sessions:\n",
            rules.concat()
        )
    };
    let pm = "map net0 192.168.128.0/22 -> 0.0.0.0/32 portmap tcp/udp 1025:65535\n";
    let pl = "map net0 192.168.128.0/22 -> 0.0.0.0/32\n";
    assert_eq!(ipnat(&env, &["-l"]).stdout, listing(&[pm, pl]));
    // The idiom: append a rule to the file and load the file again. The
    // loaded rules are refused (File exists), the new one is added.
    let grown = write(
        &env,
        "grown.conf",
        &format!("{portmap}{plain}map net0 10.0.0.0/8 -> 0/32\n"),
    );
    let r = ipnat(&env, &["-f", &grown]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    assert_eq!(
        r.stderr,
        "2:ioctl(add/insert nat rule): File exists\n\
         3:ioctl(add/insert nat rule): File exists\n"
    );
    let ten = "map net0 10.0.0.0/8 -> 0.0.0.0/32\n";
    assert_eq!(ipnat(&env, &["-l"]).stdout, listing(&[pm, pl, ten]));
    // -r with a rule that is not loaded: the portmap rule goes, the other
    // is reported, and the plain map keeps its place (issue 10, item 6).
    let rm = write(
        &env,
        "rm.conf",
        &format!("{portmap}map net0 172.16.0.0/12 -> 0/32\n"),
    );
    let r = ipnat(&env, &["-r", "-f", &rm]);
    assert_eq!((r.code, r.stdout.as_str()), (0, ""));
    // The last rule is added after the lexer met the end of the file,
    // where `yylex()` sets `yylineNum` back to 1 (`lexer.c`).
    assert_eq!(r.stderr, "1:ioctl(delete nat rule): No such process\n");
    assert_eq!(ipnat(&env, &["-l"]).stdout, listing(&[pl, ten]));
    // Kernel refusals among good rules: age 0/5 (EINVAL), an unknown proxy
    // and rpcbt, which illumos compiles out (ENOENT, `appr_lookup()`).
    if env.has_proxies() {
        let mixed = write(
            &env,
            "mixed.conf",
            "map net0 10.2.0.0/16 -> 0/32 age 0/5\n\
             map net0 10.3.0.0/16 -> 0/32 proxy port 111 rpcbt/tcp\n\
             map net0 10.4.0.0/16 -> 0/32 proxy port 111 rpcbu/udp\n\
             map net0 10.5.0.0/16 -> 0/32 proxy port 21 nosuch/tcp\n",
        );
        let r = ipnat(&env, &["-f", &mixed]);
        assert_eq!(r.code, 0);
        assert_eq!(
            r.stderr,
            "2:ioctl(add/insert nat rule): Invalid argument\n\
             3:ioctl(add/insert nat rule): No such file or directory\n\
             1:ioctl(add/insert nat rule): No such file or directory\n"
        );
        let l = ipnat(&env, &["-l"]).stdout;
        assert!(
            l.contains("map net0 10.4.0.0/16 -> 0.0.0.0/32 proxy port sunrpc rpcbu/udp\n"),
            "{l}"
        );
        assert!(!l.contains("10.3.0.0") && !l.contains("10.5.0.0"), "{l}");
    } else {
        let mixed = write(
            &env,
            "mixed.conf",
            "map net0 10.2.0.0/16 -> 0/32 age 0/5\nmap net0 10.4.0.0/16 -> 0/32\n",
        );
        let r = ipnat(&env, &["-f", &mixed]);
        assert_eq!(r.code, 0);
        assert_eq!(r.stderr, "2:ioctl(add/insert nat rule): Invalid argument\n");
        assert!(ipnat(&env, &["-l"]).stdout.contains("10.4.0.0/16"));
    }
    // A syntax error anywhere loads nothing, and exits 1.
    let syntax = write(
        &env,
        "syntax.conf",
        "map net0 10.6.0.0/16 -> 0/32\nmap net0 10.7.0.0/16 -> 0/32 portmap\n",
    );
    let r = ipnat(&env, &["-f", &syntax]);
    assert_eq!(
        (r.code, r.stderr.as_str()),
        (1, "syntax error error at \"\", line 1\n")
    );
    assert!(!ipnat(&env, &["-l"]).stdout.contains("10.6.0.0"));
    // --atomic is for -f only.
    ipnat(&env, &["--atomic", "-l"]).fails_with("ipnat: --atomic applies to -f\n");
}

#[test]
fn zones() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    ipnat(&env, &["-l", "-z", "web"]).fails_with("Could not find running zone: web\n");
    ipnat(&env, &["-l", "-G", "global"]).fails_with("-G cannot be used with the global zone\n");
    ipnat(&env, &["-l", "-z", "a", "-G", "b"]).fails_with("Only one of -G and -z may be set\n");
}

#[test]
fn unsupported_and_invalid_combinations() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    ipnat(&env, &["-l", "-M", "/dev/kmem"])
        .fails_with("ipnat: -M and -N (reading a kernel image) are not supported\n");
    ipnat(&env, &["-F", "--json"]).fails_with("ipnat: --json applies to -l and -s\n");
}

#[test]
fn json() {
    let Some((env, _)) = article() else { return };
    env.xbow(&[
        "sim",
        "nat-flow",
        "tcp",
        "192.168.0.100:37153",
        "129.146.17.55:22",
    ])
    .ok();
    let r = ipnat(&env, &["-l", "-s", "--json"]);
    r.ok();
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["stats"]["inuse"], 1);
    assert_eq!(v["stats"]["mapped"]["out"], 1);
    assert_eq!(
        v["rules"][0]["text"],
        "map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto"
    );
    assert_eq!(v["rules"][0]["hits"], 1);
    assert_eq!(v["rules"][0]["rule"]["kind"], "map");
    assert_eq!(v["rules"][0]["rule"]["ifnames"][0], "eri0");
    assert_eq!(v["rules"][0]["rule"]["inside"][0], "192.168.0.0");
    assert_eq!(
        v["rules"][1]["rule"]["outside"],
        serde_json::json!(["0.0.0.0", "255.255.255.255"])
    );
    assert_eq!(v["sessions"][0]["session"]["outside"], "192.168.84.24");
    assert_eq!(v["sessions"][0]["session"]["inside_port"], 37153);
    assert_eq!(
        v["sessions"][0]["text"],
        "MAP 192.168.0.100   37153 <- -> 192.168.84.24   1024  [129.146.17.55 22]"
    );
    let r = ipnat(&env, &["-n", "-s", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["stats"]["rules"], 0);
}

#[test]
fn an_endless_file_is_refused_with_nothing_added() {
    let Some(env) = Env::not_illumos() else {
        return;
    };
    let r = ipnat(&env, &["-f", "/dev/zero"]);
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (1, "", "ipnat: /dev/zero: larger than the 64 MiB limit\n")
    );
    let r: Run = env
        .cmd()
        .args(["ipnat", "-f", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap()
        .into();
    assert_eq!(
        (r.code, r.stdout.as_str(), r.stderr.as_str()),
        (
            1,
            "",
            "ipnat: standard input: larger than the 64 MiB limit\n"
        )
    );
    assert!(!ipnat(&env, &["-l"]).stdout.contains("map"));
}

/// `kill -9` during `ipnat -f` of 1,000 rules on the sim, atomic or not:
/// the table holds none or all of them (a load is one change of the
/// state, taking the rules in turn as the kernel would).
#[test]
fn a_killed_load_leaves_none_or_all() {
    let Some(env) = Env::sim_only() else { return };
    let text: String = (0..1000)
        .map(|i| format!("map eri0 10.{}.{}.0/24 -> 0/32\n", i / 250, i % 250))
        .collect();
    let f = write(&env, "r1000.conf", &text);
    let listed = |env: &Env| {
        ipnat(env, &["-l"])
            .stdout
            .lines()
            .filter(|l| l.starts_with("map "))
            .count()
    };
    for args in [&["--atomic", "-f", &f][..], &["-f", &f]] {
        let cmd: Vec<&str> = std::iter::once("ipnat")
            .chain(args.iter().copied())
            .collect();
        let t = std::time::Instant::now();
        ipnat(&env, args).ok();
        let span = t.elapsed().as_micros() as u64 + 1;
        ipnat(&env, &["-C"]).ok();
        for round in 0..10u64 {
            let wait = span * round / 10;
            env.killed_after(&cmd, std::time::Duration::from_micros(wait));
            let l = listed(&env);
            assert!(
                l == 0 || l == 1000,
                "{args:?} killed after {wait} µs: {l} rules"
            );
            ipnat(&env, &["-C"]).ok();
        }
    }
}
