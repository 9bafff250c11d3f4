//! The `ipfstat` command: illumos `ipfstat(8)`'s options, its report
//! selection, and its printers (`showstats`, `showlist`/`printlivelist`,
//! `showipstates`, `printstate`), byte for byte, over the filter backend.
//! `--json` (xbow's own) gives every report as JSON.

use super::cli::hash_x;
use super::print::{PrintOpts, printfr};
use crate::backend::filter::{
    AuthStats, FF_LOGBLOCK, FF_LOGNOMATCH, FF_LOGPASS, Filter, FilterError, FilterStats, FragStats,
    Groups, List, ListedRule, Set, StateEntry, StateStats,
};
use crate::backend::netdb::Netdb;
use crate::getopt::{Getopt, Opt};
use crate::ipf::rule::FrFlags;
use crate::ipfilter::print::Out;
use serde_json::{Value, json};
use std::io::{self, Write};

const OPTSTRING: &str = "6aACdfgG:hIilnostvD:M:N:P:RS:T:z:";

/// `opts.h` bits.
const OPT_SHOWLIST: u32 = 0x20;
const OPT_VERBOSE: u32 = 0x40;
const OPT_HITS: u32 = 0x100;
const OPT_ACCNT: u32 = 0x400;
const OPT_SHOWLINENO: u32 = 0x1000;
const OPT_OUTQUE: u32 = 0x4000;
const OPT_INQUE: u32 = 0x8000;
const OPT_IPSTATES: u32 = 0x40000;
const OPT_INACTIVE: u32 = 0x80000;
const OPT_NORESOLVE: u32 = 0x8000000;
const OPT_UNDEF: u32 = 0x10000000;
const OPT_DEBUG: u32 = 0x2;
const OPT_AUTHSTATS: u32 = 0x4;
const OPT_FRSTATES: u32 = 0x800;
const OPT_GROUPS: u32 = 0x200000;

fn usage(prog: &str, err: &mut dyn Write) -> i32 {
    let _ = write!(
        err,
        "Usage: {prog} [-6aAdfghIilnoRsv]\n       {prog} [-M corefile] [-N symbol-list]\n       {prog} -t [-6C] [-G|-z zonename] [-D destination address] [-P protocol] [-S source address] [-T refresh time]\n"
    );
    1
}

struct Stat<'a> {
    opts: u32,
    v6: bool,
    json: bool,
    b: Box<dyn Filter>,
    db: Box<dyn Netdb>,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    /// The JSON report's lists.
    lists: Vec<Value>,
}

/// Run `ipfstat ARGS…`; the exit status.
pub fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let prog = args.first().cloned().unwrap_or_else(|| "ipfstat".into());
    let json = args.iter().skip(1).any(|a| a == "--json");
    let args: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == 0 || *a != "--json")
        .map(|(_, a)| a.clone())
        .collect();
    // The first getopt pass (opterr 0): `-M core` and `-N namelist` read
    // a kernel image through libkvm instead of the devices; `openkmem()`
    // fails with `perror("openkmem:open")` and exit(-1) when it cannot
    // open one.
    let mut image = false;
    for o in Getopt::posix(&args, OPTSTRING) {
        if let Opt::Flag('M' | 'N', Some(f)) = o {
            image = true;
            if let Err(e) = std::fs::File::open(&f) {
                let _ = writeln!(
                    err,
                    "openkmem:open: {}",
                    crate::backend::filter::Errno::from_io(&e)
                );
                return 255;
            }
        }
    }
    if image {
        // The files exist, but the sim has no kernel whose crash dump or
        // namelist they could be: reading one is not simulated.
        let _ = writeln!(
            err,
            "{prog}: -M/-N: reading a kernel crash dump or namelist is not available in xbow"
        );
        return 1;
    }
    // `getzoneopt()`: a first, silent pass takes `-G`/`-z`; the zone is
    // applied to each device as it is opened, before the other options
    // are looked at.
    let mut zone: Option<super::cli::ZoneArg> = None;
    for o in Getopt::posix(&args, OPTSTRING) {
        if let Opt::Flag(c @ ('G' | 'z'), Some(v)) = o {
            let count = zone.as_ref().map_or(0, |z| z.count) + 1;
            let gz = c == 'G' || zone.as_ref().is_some_and(|z| z.gz);
            zone = Some(super::cli::ZoneArg {
                name: v.chars().take(crate::model::zone::ZONENAME_MAX).collect(),
                gz,
                count,
            });
        }
    }
    let b = crate::backend::open_filter_device(false);
    let mut b = match b {
        Ok(b) => b,
        Err(e) => {
            let _ = writeln!(err, "open(IPSTATE_NAME): {e}");
            return 255;
        }
    };
    match super::cli::setzone(b.as_mut(), zone.as_ref(), err, out) {
        Ok(true) => {}
        Ok(false) => return 255,
        Err(e) => return i32::from(e.kind() != io::ErrorKind::BrokenPipe),
    }
    let mut opts = 0u32;
    let mut v6 = false;
    let mut top = false;
    // parse_ipportstr() keeps the port of an earlier -S/-D when sscanf
    // reads nothing at all (an empty port).
    let mut ports = [-1i64, -1i64];
    let db = crate::backend::system_netdb();
    for o in Getopt::posix(&args, OPTSTRING) {
        let (c, v) = match o {
            Opt::Flag(c, v) => (c, v.unwrap_or_default()),
            Opt::Unknown(c) | Opt::MissingArg(c) => {
                let what = if matches!(o, Opt::Unknown(_)) {
                    "illegal option"
                } else {
                    "option requires an argument"
                };
                let _ = writeln!(err, "{prog}: {what} -- {c}");
                return usage(&prog, err);
            }
        };
        match c {
            '6' => v6 = true,
            'a' => opts |= OPT_ACCNT | OPT_SHOWLIST,
            'A' => opts |= OPT_AUTHSTATS,
            'd' => opts |= OPT_DEBUG,
            'f' => opts |= OPT_FRSTATES,
            'g' => opts |= OPT_GROUPS,
            'h' => opts |= OPT_HITS,
            'i' => opts |= OPT_INQUE | OPT_SHOWLIST,
            'I' => opts |= OPT_INACTIVE,
            'l' => opts |= OPT_SHOWLIST,
            'n' => opts |= OPT_SHOWLINENO,
            'o' => opts |= OPT_OUTQUE | OPT_SHOWLIST,
            'R' => opts |= OPT_NORESOLVE,
            's' => opts |= OPT_IPSTATES,
            't' => top = true,
            'v' => opts |= OPT_VERBOSE | OPT_UNDEF,
            'C' => {}
            // `!sscanf(optarg, "%d", &refreshtime) || refreshtime <= 0`:
            // an empty argument (EOF) keeps the previous value, 1.
            'T' if {
                let t = v.trim_start();
                !t.is_empty() && !scan_int(t).is_some_and(|n| n > 0 && n <= i64::from(i32::MAX))
            } =>
            {
                let _ = writeln!(err, "{prog}: Invalid refreshtime < 1 : {v}");
                return 254;
            }
            'D' | 'S' => {
                let port = &mut ports[usize::from(c == 'D')];
                if let Err(msg) = parse_ipportstr(&v, v6, port) {
                    let _ = err.write_all(msg.as_bytes());
                    return 254;
                }
            }
            'P' if getproto(db.as_ref(), &v).is_none() => {
                let _ = writeln!(err, "{prog}: Invalid protocol: {v}");
                return 254;
            }
            // Taken by the first pass.
            'G' | 'z' => {}
            _ => {}
        }
    }
    // `topipstates()` is reached only when no report before it in
    // main()'s order (-s, a list, -f) was asked for. It is an
    // interactive curses display refreshed until `q` or a signal, with no
    // one-shot or non-terminal mode, so it has no output to reproduce.
    if top && opts & (OPT_IPSTATES | OPT_SHOWLIST | OPT_FRSTATES) == 0 {
        let _ = writeln!(
            err,
            "{prog}: -t: the interactive state top display (curses) is not available in xbow; see ipfstat -sl"
        );
        return 1;
    }
    if b.check_version().is_err() {
        let _ = writeln!(err, "User/kernel version check failed");
        return 1;
    }
    let mut st = Stat {
        opts,
        v6,
        json,
        b,
        db,
        out,
        err,
        lists: Vec::new(),
    };
    match st.run() {
        Ok(n) => n,
        Err(e) => i32::from(e.kind() != io::ErrorKind::BrokenPipe),
    }
}

impl Stat<'_> {
    fn on(&self, bit: u32) -> bool {
        self.opts & bit != 0
    }

    fn perror(&mut self, prefix: &str, e: &FilterError) -> io::Result<()> {
        self.out.flush()?;
        writeln!(self.err, "{prefix}: {e}")
    }

    fn run(&mut self) -> io::Result<i32> {
        // ipfstate_live(): -A skips /dev/ipf's statistics.
        let (fs, frf) = if self.on(OPT_AUTHSTATS) {
            (FilterStats::default(), 0)
        } else {
            let fs = match self.b.stats() {
                Ok(s) => s,
                Err(e) => {
                    self.perror("ioctl(ipf:SIOCGETFS)", &e)?;
                    return Ok(255);
                }
            };
            let frf = match self.b.log_flags() {
                Ok(f) => f,
                Err(e) => {
                    self.perror("ioctl(SIOCGETFF)", &e)?;
                    0
                }
            };
            (fs, frf)
        };
        let ss = if self.on(OPT_IPSTATES) {
            match self.b.state_stats() {
                Ok(s) => Some(s),
                Err(e) => {
                    self.perror("ioctl(state:SIOCGETFS)", &e)?;
                    return Ok(255);
                }
            }
        } else {
            None
        };
        let frag = if self.on(OPT_FRSTATES) {
            match self.b.frag_stats() {
                Ok(s) => Some(s),
                Err(e) => {
                    self.perror("ioctl(SIOCGFRST)", &e)?;
                    return Ok(255);
                }
            }
        } else {
            None
        };
        if self.on(OPT_VERBOSE) && !self.json {
            writeln!(self.out, "opts {} name /dev/ipf", hash_x(self.opts))?;
        }
        let auth = if self.on(OPT_AUTHSTATS) {
            match self.b.auth_stats() {
                Ok(s) => Some(s),
                Err(e) => {
                    self.perror("ioctl(SIOCATHST)", &e)?;
                    return Ok(255);
                }
            }
        } else {
            None
        };
        if let Some(ss) = ss {
            if self.on(OPT_SHOWLIST) {
                // A failed read ends the list silently, as in printstate.
                let states = self.b.states().unwrap_or_default();
                if self.json {
                    self.json_out(&json!({ "states": states }))?;
                } else {
                    for s in &states {
                        self.out
                            .write_all(printstate(s, ss.ticks, self.on(OPT_DEBUG)).as_bytes())?;
                    }
                }
            } else if self.json {
                self.json_out(&json!({ "state_stats": ss }))?;
            } else {
                self.out
                    .write_all(showipstates(&ss, self.on(OPT_VERBOSE)).as_bytes())?;
            }
        } else if self.on(OPT_SHOWLIST) {
            self.showlist(self.on(OPT_OUTQUE))?;
            if self.on(OPT_OUTQUE) && self.on(OPT_INQUE) {
                self.showlist(false)?;
            }
            if self.json {
                let lists = std::mem::take(&mut self.lists);
                self.json_out(&json!({ "lists": lists }))?;
            }
        } else if let Some(fr) = frag {
            if self.json {
                self.json_out(&json!({ "frag_stats": fr }))?;
            } else {
                self.out.write_all(showfrstates(&fr).as_bytes())?;
            }
        } else if let Some(a) = auth {
            if self.json {
                self.json_out(&json!({ "auth_stats": a }))?;
            } else {
                let text = showauthstates(&a, self.db.as_ref(), self.v6);
                self.out.write_all(&text)?;
            }
        } else if self.on(OPT_GROUPS) {
            // The group lists are read from kernel memory: a failed read
            // ends a list, as kmemcpy() failing does.
            let g = self.b.groups().unwrap_or_default();
            if self.json {
                self.json_out(&json!({ "groups": g }))?;
            } else {
                self.out.write_all(showgroups(&g).as_bytes())?;
            }
        } else if self.json {
            self.json_out(&json!({ "stats": fs, "log_flags": frf }))?;
        } else {
            self.out.write_all(showstats(&fs, frf).as_bytes())?;
        }
        self.out.flush()?;
        Ok(0)
    }

    fn json_out(&mut self, v: &Value) -> io::Result<()> {
        serde_json::to_writer_pretty(&mut *self.out, v)?;
        writeln!(self.out)
    }

    /// `showlist()`: one list of the chosen set (`out`: the output one).
    fn showlist(&mut self, out: bool) -> io::Result<()> {
        let inactive = self.on(OPT_INACTIVE);
        let set = if inactive { Set::Inactive } else { Set::Active };
        let list = match (self.on(OPT_ACCNT), out) {
            (true, true) => List::AcctOut,
            (true, false) if self.on(OPT_INQUE) => List::AcctIn,
            (true, false) => {
                self.out.flush()?;
                return self.err.write_all(b"No -i or -o given with -a\n");
            }
            (false, true) => List::Out,
            (false, false) if self.on(OPT_INQUE) => List::In,
            (false, false) => return Ok(()),
        };
        let rules = match self.b.rules(set, list, self.v6, None) {
            Ok(r) => r,
            Err(e) => return self.perror("ioctl(SIOCIPFITER)", &e),
        };
        if rules.is_empty() {
            let name = match list {
                List::In => "ipfilter(in)",
                List::Out => "ipfilter(out)",
                List::AcctIn => "ipacct(in)",
                List::AcctOut => "ipacct(out)",
            };
            self.out.flush()?;
            let pre = if inactive { "inactive " } else { "" };
            return writeln!(self.err, "empty list for {pre}{name}");
        }
        self.printlivelist(set, list, None, rules, 0)
    }

    /// `printlivelist()`: the rules, then each group they head.
    fn printlivelist(
        &mut self,
        set: Set,
        list: List,
        group: Option<&str>,
        rules: Vec<ListedRule>,
        depth: u32,
    ) -> io::Result<()> {
        let mut heads = Vec::new();
        let popts = PrintOpts {
            v6: self.v6,
            unresolved: None,
        };
        for (n, r) in rules.iter().enumerate() {
            let mut o = Out::default();
            if self.on(OPT_HITS | OPT_VERBOSE) {
                o.s(&format!("{} ", r.hits));
            }
            if self.on(OPT_ACCNT | OPT_VERBOSE) {
                o.s(&format!("{} ", r.bytes));
            }
            if self.on(OPT_SHOWLINENO) {
                o.s(&format!("@{} ", n + 1));
            }
            let start = o.out.len();
            printfr(&mut o, self.db.as_ref(), &r.rule, &popts);
            if self.json {
                let text = String::from_utf8_lossy(&o.out[start..]);
                self.lists.push(json!({
                    "set": set,
                    "list": list,
                    "group": group,
                    "number": n + 1,
                    "hits": r.hits,
                    "bytes": r.bytes,
                    "text": text.trim_end_matches('\n'),
                    "rule": r.rule,
                }));
            } else {
                self.out.write_all(&o.out)?;
            }
            let h = r.rule.grhead.to_string();
            if !h.is_empty() && !heads.contains(&h) {
                heads.push(h);
            }
        }
        if depth >= 16 {
            return Ok(());
        }
        for g in heads {
            match self.b.rules(set, list, self.v6, Some(&g)) {
                Ok(rules) => self.printlivelist(set, list, Some(&g), rules, depth + 1)?,
                Err(e) => self.perror("ioctl(SIOCIPFITER)", &e)?,
            }
        }
        Ok(())
    }
}

/// `parse_ipportstr()` of `-S`/`-D` (`addr[,port]`): the message and
/// exit(-2) it ends with, if any. `port` is the previous value, kept when
/// `sscanf("%d")` meets an empty string (EOF, which the test lets pass).
fn parse_ipportstr(arg: &str, v6: bool, port: &mut i64) -> Result<(), String> {
    let (addr, p) = match arg.split_once(',') {
        Some((a, p)) => (a, Some(p)),
        None => (arg, None),
    };
    if let Some(p) = p {
        if p.eq_ignore_ascii_case("any") {
            *port = -1;
        } else {
            let t = p.trim_start();
            if !t.is_empty() {
                match scan_int(t) {
                    Some(n) => *port = n,
                    None => return Err(format!("Invalid port specfication in {arg}\n")),
                }
            }
            if !(0..=65535).contains(port) {
                return Err(format!("Invalid port specfication in {arg}\n"));
            }
        }
    }
    let ok = addr.eq_ignore_ascii_case("any")
        || (v6 && addr.parse::<std::net::Ipv6Addr>().is_ok())
        || inet_aton(addr).is_some();
    if ok {
        Ok(())
    } else {
        Err(format!("Invalid IP address: {addr}\n"))
    }
}

/// `sscanf(s, "%d")` on a string without leading space: an optional sign
/// and at least one digit (an overflow counts as out of range).
fn scan_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = rest.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return None;
    }
    let v = rest[..n].parse::<i64>().unwrap_or(i64::MAX);
    Some(if neg { -v } else { v })
}

/// `inet_aton()`: one to four parts (decimal, `0` octal, `0x` hex), the
/// last filling the remaining bytes; only white space may follow.
pub fn inet_aton(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    let mut parts: Vec<u64> = Vec::new();
    let mut i = 0;
    loop {
        if !b.get(i).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let (base, start) = if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
            (16, i + 2)
        } else if b[i] == b'0' {
            (8, i + 1)
        } else {
            (10, i)
        };
        let mut v: u64 = 0;
        let mut j = start;
        while let Some(&c) = b.get(j) {
            let d = match c {
                b'0'..=b'9' if u32::from(c - b'0') < base => u64::from(c - b'0'),
                b'a'..=b'f' if base == 16 => u64::from(c - b'a' + 10),
                b'A'..=b'F' if base == 16 => u64::from(c - b'A' + 10),
                _ => break,
            };
            v = v.saturating_mul(u64::from(base)).saturating_add(d);
            j += 1;
        }
        parts.push(v);
        i = j;
        match b.get(i) {
            Some(b'.') if parts.len() < 4 => i += 1,
            None => break,
            Some(c) if c.is_ascii_whitespace() => break,
            _ => return None,
        }
    }
    let last = *parts.last()?;
    let n = parts.len();
    let max_last: u64 = [0xffff_ffff, 0xff_ffff, 0xffff, 0xff][n - 1];
    if last > max_last || parts[..n - 1].iter().any(|&p| p > 0xff) {
        return None;
    }
    let mut v: u64 = 0;
    for (k, p) in parts[..n - 1].iter().enumerate() {
        v |= p << (24 - 8 * k);
    }
    Some((v | last) as u32)
}

/// `getproto()` (lib/common/getproto.c): a number (all digits, `atoi`),
/// else `getprotobyname()`.
fn getproto(db: &dyn Netdb, name: &str) -> Option<i32> {
    if name.bytes().all(|c| c.is_ascii_digit()) {
        let n = name
            .bytes()
            .take(9)
            .fold(0i32, |a, c| a * 10 + i32::from(c - b'0'));
        return Some(n);
    }
    db.proto_by_name(name.as_bytes())
}

/// `showstats()` of `ipfstat.c`: the default report.
pub fn showstats(fs: &FilterStats, frf: u32) -> String {
    let [i, o] = &fs.st;
    let mut s = format!(
        "bad packets:\t\tin {}\tout {}\n IPv6 packets:\t\tin {} out {}\n",
        i.bad, o.bad, i.ipv6, o.ipv6
    );
    s += &format!(
        " input packets:\t\tblocked {} passed {} nomatch {} counted {} short {}\n",
        i.block, i.pass, i.nom, i.acct, i.short
    );
    s += &format!(
        "output packets:\t\tblocked {} passed {} nomatch {} counted {} short {}\n",
        o.block, o.pass, o.nom, o.acct, o.short
    );
    s += &format!(
        " input packets logged:\tblocked {} passed {}\noutput packets logged:\tblocked {} passed {}\n",
        i.bpkl, i.ppkl, o.bpkl, o.ppkl
    );
    s += &format!(
        " packets logged:\tinput {} output {}\n log failures:\t\tinput {} output {}\n",
        i.pkl, o.pkl, i.skip, o.skip
    );
    s += &format!(
        "fragment state(in):\tkept {}\tlost {}\tnot fragmented {}\nfragment state(out):\tkept {}\tlost {}\tnot fragmented {}\n",
        i.nfr, i.bnfr, i.cfr, o.nfr, o.bnfr, i.cfr
    );
    s += &format!(
        "packet state(in):\tkept {}\tlost {}\npacket state(out):\tkept {}\tlost {}\n",
        i.ads, i.bads, o.ads, o.bads
    );
    s += &format!(
        "ICMP replies:\t{}\tTCP RSTs sent:\t{}\nInvalid source(in):\t{}\n",
        i.ret, o.ret, i.badsrc
    );
    s += &format!(
        "Result cache hits(in):\t{}\t(out):\t{}\nIN Pullups succeeded:\t{}\tfailed:\t{}\nOUT Pullups succeeded:\t{}\tfailed:\t{}\n",
        i.chit, o.chit, i.pull[0], i.pull[1], o.pull[0], o.pull[1]
    );
    s += &format!(
        "Fastroute successes:\t{}\tfailures:\t{}\nTCP cksum fails(in):\t{}\t(out):\t{}\nIPF Ticks:\t{}\n",
        fs.froute[0], fs.froute[1], i.tcpbad, o.tcpbad, fs.ticks
    );
    s += &format!("Packet log flags set: ({})\n", hash_x(frf));
    if frf & FF_LOGPASS != 0 {
        s += "\tpackets passed through filter\n";
    }
    if frf & FF_LOGBLOCK != 0 {
        s += "\tpackets blocked by filter\n";
    }
    if frf & FF_LOGNOMATCH != 0 {
        s += "\tpackets not matched by filter\n";
    }
    if frf == 0 {
        s += "\tnone\n";
    }
    s
}

/// `showfrstates()`: `ipfstat -f`. The statistics, then (read from
/// kernel memory) an empty line and one `printfraginfo()` line per cached
/// fragment and per NAT fragment; no fragment is ever cached by xbow's
/// backends (the sim sees no fragments; on illumos the cache is in kernel
/// memory, which xbow does not read).
pub fn showfrstates(f: &FragStats) -> String {
    format!(
        "IP fragment states:\n\t{} new\n\t{} expired\n\t{} hits\n\t{} retrans\n\t{} too short\n\t{} no memory\n\t{} already exist\n\t{} inuse\n\n",
        f.new, f.expire, f.hits, f.retrans0, f.short, f.nomem, f.exists, f.inuse
    )
}

/// `showauthstates()`: `ipfstat -A` (`%ld` of the `u_long` counters), then
/// `age %ld\t` and the rule (`printfr`) of each pre-authenticated rule.
pub fn showauthstates(a: &AuthStats, db: &dyn Netdb, v6: bool) -> Vec<u8> {
    let l = |v: u64| v as i64;
    let mut o = Out::default();
    o.s(&format!(
        "Authorisation hits: {}\tmisses {}\nnospace {}\nadded {}\nsendfail {}\nsendok {}\nqueok {}\nquefail {}\nexpire {}\n",
        l(a.hits),
        l(a.miss),
        l(a.nospace),
        l(a.added),
        l(a.sendfail),
        l(a.sendok),
        l(a.queok),
        l(a.quefail),
        l(a.expire)
    ));
    let popts = PrintOpts {
        v6,
        unresolved: None,
    };
    for r in &a.rules {
        o.s(&format!("age {}\t", l(r.age)));
        printfr(&mut o, db, &r.rule, &popts);
    }
    o.out
}

/// `showgroups()`: `ipfstat -g`, the groups of filter rules, accounting
/// rules and authentication, each for the active then the inactive set.
pub fn showgroups(g: &Groups) -> String {
    let mut s = String::new();
    for (name, sets) in [
        ("Filter", &g.filter),
        ("Accounting", &g.accounting),
        ("Authentication", &g.authentication),
    ] {
        for (i, which) in ["active", "inactive"].iter().enumerate() {
            s += &format!("{name} groups ({which}):\n");
            for n in &sets[i] {
                s += n;
                s += "\n";
            }
        }
    }
    s
}

/// `showipstates()`: `ipfstat -s`.
pub fn showipstates(ss: &StateStats, verbose: bool) -> String {
    let mut s = format!(
        "IP states added:\n\t{} TCP\n\t{} UDP\n\t{} ICMP\n\t{} hits\n\t{} misses\n\t{} maximum\n\t{} no memory\n\t{} active\n\t{} expired\n\t{} closed\n\t{} orphans\n",
        ss.tcp,
        ss.udp,
        ss.icmp,
        ss.hits,
        ss.miss,
        ss.max,
        ss.nomem,
        ss.active,
        ss.expire,
        ss.fin,
        ss.orphans
    );
    s += &format!(
        "State logging {}abled\n",
        if ss.logging { "en" } else { "dis" }
    );
    let size = ss.bucketlen.len().max(1) as f64;
    let minlen = ss.bucketlen.iter().copied().fold(ss.max, u64::min);
    let maxlen = ss.bucketlen.iter().copied().max().unwrap_or(0);
    let total: u64 = ss.bucketlen.iter().sum();
    let avg = if ss.inuse > 0 {
        total as f64 / ss.inuse as f64
    } else {
        0.0
    };
    s += &format!(
        "\nState table bucket statistics:\n\t{} in use\n\t{} max bucket\n\t{:2.2}% bucket usage\n\t{} minimal length\n\t{} maximal length\n\t{:.3} average length\n",
        ss.inuse,
        ss.bucketfull,
        100.0 * ss.inuse as f64 / size,
        minlen,
        maxlen,
        avg
    );
    if verbose {
        s += "\nCurrent bucket sizes :\n";
        for (i, n) in ss.bucketlen.iter().enumerate() {
            if i % 5 == 0 {
                s += "\t";
            }
            s += &format!("{i:4} -> {n:4}");
            s += if i % 5 == 4 { "\n" } else { "  " };
        }
        s += "\n";
    }
    s += "\n";
    s
}

/// `getifname()` of an illumos (`SOLARIS_PFHOOKS`) build.
fn ifp_text(live: bool) -> &'static str {
    if live { "@" } else { "-" }
}

/// `printstate()`: one entry of `ipfstat -sl`.
pub fn printstate(e: &StateEntry, now: u64, debug: bool) -> String {
    let mut o = Out::default();
    o.ntop(e.v, &e.src);
    o.s(" -> ");
    o.ntop(e.v, &e.dst);
    let mut s = String::from_utf8_lossy(&o.out).into_owned();
    s += &format!(
        " pass {} pr {} state {}/{} bkt {}\n",
        hash_x(e.pass),
        e.p,
        e.state[0],
        e.state[1],
        e.hv
    );
    s += &format!("\ttag {} ttl {}", e.tag, e.die.saturating_sub(now));
    match e.p {
        6 => {
            s += &format!(
                "\n\t{} -> {} {:x}:{:x} {}<<{}:{}<<{}\n",
                e.sport,
                e.dport,
                e.td_end[0],
                e.td_end[1],
                e.maxwin[0] as u16,
                e.winscale[0],
                e.maxwin[1] as u16,
                e.winscale[1]
            );
            s += &format!(
                "\tcmsk {:04x} smsk {:04x} isc 0 s0 {:08x}/{:08x}\n",
                e.smsk[0], e.smsk[1], e.s0[0], e.s0[1]
            );
            s += &format!(
                "\tFWD:ISN inc {:x} sumd {:x}\n\tREV:ISN inc {:x} sumd {:x}\n",
                e.isninc[0], e.sumd[0], e.isninc[1], e.sumd[1]
            );
        }
        17 => s += &format!(" {} -> {}\n", e.sport, e.dport),
        1 | 58 => {
            s += &format!(
                " id {} seq {} type {}\n",
                e.icmp_id, e.icmp_seq, e.icmp_type
            )
        }
        _ => {}
    }
    s += &format!(
        "\tforward: pkts in {} bytes in {} pkts out {} bytes out {}\n\tbackward: pkts in {} bytes in {} pkts out {} bytes out {}\n",
        e.pkts[0], e.bytes[0], e.pkts[1], e.bytes[1], e.pkts[2], e.bytes[2], e.pkts[3], e.bytes[3]
    );
    s += "\t";
    s += &state_action(e.pass);
    s += &format!("\tIPv{}\n", e.v);
    s += &format!(
        "\tpkt_flags & {:x}({:x}) = {:x},\t",
        e.flags & 0xf,
        e.flags,
        e.flags >> 4
    );
    s += &format!(
        "\tpkt_options & {:x} = {:x}, {:x} = {:x} \n",
        e.optmsk[0], e.opt[0], e.optmsk[1], e.opt[1]
    );
    s += &format!(
        "\tpkt_security & {:x} = {:x}, pkt_auth & {:x} = {:x}\n",
        e.secmsk, e.sec, e.authmsk, e.auth
    );
    s += &format!(
        "\tis_flx {} {} {} {}\n",
        hash_x(e.flx[0][0]),
        hash_x(e.flx[0][1]),
        hash_x(e.flx[1][0]),
        hash_x(e.flx[1][1])
    );
    let ifc = |i: usize| {
        let p = if debug {
            format!("/{}", if e.ifp[i] { "1" } else { "0" })
        } else {
            String::new()
        };
        format!("{}[{}{p}]", ifp_text(e.ifp[i]), e.ifnames[i])
    };
    s += &format!(
        "\tinterfaces: in {},{} out {},{}\n",
        ifc(0),
        ifc(1),
        ifc(2),
        ifc(3)
    );
    s
}

/// The rule part of `printstate()`.
fn state_action(pass: u32) -> String {
    let f = FrFlags(pass);
    let mut s = String::new();
    match f.cmd() {
        FrFlags::PASS => s += "pass",
        FrFlags::BLOCK => {
            s += "block";
            s += match pass & FrFlags::RETMASK {
                FrFlags::RETICMP => " return-icmp",
                FrFlags::FAKEICMP => " return-icmp-as-dest",
                FrFlags::RETRST => " return-rst",
                _ => "",
            };
        }
        FrFlags::ACCOUNT => s += "count",
        FrFlags::PREAUTH => s += "preauth",
        FrFlags::AUTH => s += "auth",
        _ if pass & FrFlags::LOGMASK == FrFlags::LOG => s += "log",
        _ => {}
    }
    s += if f.has(FrFlags::OUTQUE) {
        " out"
    } else {
        " in"
    };
    if pass & FrFlags::LOG != 0 && f.cmd() != 0 {
        s += " log";
        if f.has(FrFlags::LOGBODY) {
            s += " body";
        }
        if f.has(FrFlags::LOGFIRST) {
            s += " first";
        }
        if f.has(FrFlags::LOGORBLOCK) {
            s += " or-block";
        }
    }
    if f.has(FrFlags::QUICK) {
        s += " quick";
    }
    if f.has(FrFlags::KEEPFRAG) {
        s += " keep frags";
    }
    if f.has(FrFlags::KEEPSTATE) {
        s += " keep state";
        if f.has(FrFlags::STATESYNC) {
            s += " ( sync )";
        }
    }
    s
}
