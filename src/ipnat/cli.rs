//! The `ipnat` command: illumos `ipnat(8)`'s options, order of operations,
//! messages and exit statuses, over the NAT backend.
//!
//! `-f FILE` reads and parses the whole file before the kernel is touched,
//! so a syntax error anywhere loads nothing (illumos exits 1 there too,
//! after loading the rules before it). Then, as illumos does, each rule
//! goes to the kernel on its own and a refusal is reported and passed
//! over (exit 0). `--atomic`, xbow's extension, makes the load all or
//! nothing instead (`super::load`).

use super::abi;
use super::load::{self, Mode, Op};
use super::parser::{self, Event, ParsedRule};
use super::print::{self, Out};
use super::rule::{NatRule, RuleCounters};
use super::session::{HostMap, NatSession, NatStats};
use crate::backend::Kind;
use crate::backend::files;
use crate::backend::nat::{Errno, FLUSH_LIST, FLUSH_TABLE_ALL, Nat, NatError, VersionError};
use crate::getopt::{Getopt, Opt};
use serde_json::{Map, Value, json};
use std::io::{self, Write};

/// The option string of illumos `ipnat`.
const OPTSTRING: &str = "CdFf:G:hlM:N:nrRsvz:";
/// `ZONENAME_MAX`: `setzonename()` keeps this many bytes.
const ZONENAME_MAX: usize = 64;

/// The options, as `opts` bits and values.
#[derive(Debug, Default, Clone)]
struct Opts {
    clear: bool,
    debug: bool,
    flush: bool,
    file: Option<String>,
    hits: bool,
    list: bool,
    donothing: bool,
    remove: bool,
    stat: bool,
    verbose: bool,
    kmem: bool,
    /// `-z`/`-G`: the zone, whether it was `-G`, and how many were given.
    zone: Option<(String, bool)>,
    setzones: usize,
    json: bool,
    /// `--atomic`: `-f` loads all its rules or none.
    atomic: bool,
}

/// How a run ends other than normally.
enum Fail {
    /// Exit 1 after the messages already written.
    Exit,
    /// Writing stdout or stderr failed.
    Io(io::Error),
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Io(e)
    }
}

struct Ctx<'a> {
    prog: String,
    opts: Opts,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
    json: Map<String, Value>,
}

impl Ctx<'_> {
    /// Messages go to stderr after what stdout already holds.
    fn eprint(&mut self, b: &[u8]) -> io::Result<()> {
        self.out.flush()?;
        self.err.write_all(b)
    }

    /// `perror(prefix)`.
    fn perror(&mut self, prefix: &str, e: Errno) -> io::Result<()> {
        self.eprint(format!("{prefix}: {}\n", e.text()).as_bytes())
    }

    fn die(&mut self, msg: &str) -> Fail {
        match self.eprint(format!("{}: {msg}\n", self.prog).as_bytes()) {
            Ok(()) => Fail::Exit,
            Err(e) => Fail::Io(e),
        }
    }

    fn print(&mut self, o: Out) -> io::Result<()> {
        if !o.err.is_empty() {
            self.eprint(&o.err)?;
        }
        self.out.write_all(&o.out)
    }
}

/// Run `ipnat ARGS…` (`args[0]` is the program name as invoked) and return
/// the exit status.
pub fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let prog = args.first().cloned().unwrap_or_else(|| "ipnat".into());
    // `--json` and `--atomic` are xbow's own; take them out before getopt
    // sees the options.
    let ours = |a: &str| a == "--json" || a == "--atomic";
    let json = args.iter().skip(1).any(|a| a == "--json");
    let atomic = args.iter().skip(1).any(|a| a == "--atomic");
    let args: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == 0 || !ours(a))
        .map(|(_, a)| a.clone())
        .collect();
    let opts = match getopt(&prog, &args, err) {
        Some(mut o) => {
            o.json = json;
            o.atomic = atomic;
            o
        }
        None => return 1,
    };
    let mut ctx = Ctx {
        prog,
        opts,
        out,
        err,
        json: Map::new(),
    };
    let r = run(&mut ctx);
    let flushed = ctx.out.flush();
    match (r, flushed) {
        (Ok(code), Ok(())) => code,
        (Err(Fail::Io(e)), _) | (_, Err(e)) => {
            if e.kind() != io::ErrorKind::BrokenPipe {
                let _ = writeln!(ctx.err, "{}: write error: {}", ctx.prog, Errno::from_io(&e));
            }
            1
        }
        (Err(Fail::Exit), _) => 1,
    }
}

/// illumos `usage()`.
fn usage(prog: &str, err: &mut dyn Write) {
    let _ = writeln!(
        err,
        "Usage: {prog} [-CdFhlnrRsv] [-f filename] [-G|-z zonename]"
    );
}

/// The options, read with `getopt(3C)` and `OPTSTRING` (libc prints the
/// errors, then ipnat its usage).
fn getopt(prog: &str, args: &[String], err: &mut dyn Write) -> Option<Opts> {
    let mut o = Opts::default();
    for opt in Getopt::posix(args, OPTSTRING) {
        let (c, v) = match opt {
            Opt::Flag(c, v) => (c, v.unwrap_or_default()),
            Opt::Unknown(c) | Opt::MissingArg(c) => {
                let what = if matches!(opt, Opt::Unknown(_)) {
                    "illegal option"
                } else {
                    "option requires an argument"
                };
                let _ = err.write_all(&illegal(prog, what, c));
                usage(prog, err);
                return None;
            }
        };
        match c {
            'C' => o.clear = true,
            'd' => o.debug = true,
            'F' => o.flush = true,
            'f' => o.file = Some(v),
            'G' | 'z' => {
                let z: String = v.chars().take(ZONENAME_MAX).collect();
                let gz = c == 'G' || o.zone.as_ref().is_some_and(|(_, g)| *g);
                o.zone = Some((z, gz));
                o.setzones += 1;
            }
            'h' => o.hits = true,
            'l' => o.list = true,
            'M' | 'N' => o.kmem = true,
            'n' => o.donothing = true,
            'r' => o.remove = true,
            's' => o.stat = true,
            'v' => o.verbose = true,
            _ => {}
        }
    }
    Some(o)
}

fn illegal(prog: &str, what: &str, c: char) -> Vec<u8> {
    format!("{prog}: {what} -- {c}\n").into_bytes()
}

/// What xbow says (before `User/kernel version check failed`) when the
/// kernel refused every `friostat_t` size it knows.
fn unknown_layout_message(prog: &str, sizes: &[usize]) -> String {
    let sizes: Vec<String> = sizes.iter().map(|n| n.to_string()).collect();
    format!(
        "{prog}: ioctl(SIOCGETFS): the kernel's friostat_t is none of the layouts xbow knows ({} bytes): {}\n",
        sizes.join(" or "),
        Errno::EINVAL.text()
    )
}

fn run(ctx: &mut Ctx) -> Result<i32, Fail> {
    if ctx.opts.json && !(ctx.opts.list || ctx.opts.stat) {
        return Err(ctx.die("--json applies to -l and -s"));
    }
    if ctx.opts.atomic && ctx.opts.file.is_none() {
        return Err(ctx.die("--atomic applies to -f"));
    }
    if ctx.opts.kmem {
        return Err(ctx.die("-M and -N (reading a kernel image) are not supported"));
    }
    let mut ns = NatStats::default();
    let mut backend: Option<Box<dyn Nat>> = None;
    if !ctx.opts.donothing {
        let mut b = match Kind::from_env()
            .map_err(NatError::Backend)
            .and_then(crate::backend::open_nat)
        {
            Ok(b) => b,
            Err(e) => return Err(ctx.die(&e.to_string())),
        };
        if let Err(e) = b.check_version() {
            match e {
                VersionError::Open(e) => ctx.perror("open device", e)?,
                VersionError::Ioctl(e) => ctx.perror("ioctl(SIOCGETFS)", e)?,
                // checkrev() says nothing about a different version.
                VersionError::Mismatch(_) => {}
                VersionError::UnknownLayout(sizes) => {
                    let msg = unknown_layout_message(&ctx.prog, &sizes);
                    ctx.eprint(msg.as_bytes())?
                }
                VersionError::Backend(m) => {
                    ctx.eprint(format!("{}: {m}\n", ctx.prog).as_bytes())?
                }
            }
            ctx.eprint(b"User/kernel version check failed\n")?;
            return Err(Fail::Exit);
        }
        // -l, -s and -n make illumos open /dev/ipnat read-only.
        let write = !(ctx.opts.list || ctx.opts.stat);
        if let Err(e) = b.open(write).or_else(|_| b.open(false)) {
            return Err(backend_fail(ctx, "/dev/ipnat: open", e));
        }
        if let Some((zone, gz)) = ctx.opts.zone.clone() {
            if ctx.opts.setzones > 1 {
                ctx.eprint(b"Only one of -G and -z may be set\n")?;
                return Err(Fail::Exit);
            }
            if gz && b.is_global_zone(&zone) {
                ctx.eprint(b"-G cannot be used with the global zone\n")?;
                return Err(Fail::Exit);
            }
            if let Err(e) = b.set_zone(&zone, gz) {
                match e {
                    NatError::Errno(Errno::ENODEV) => {
                        ctx.eprint(format!("Could not find running zone: {zone}\n").as_bytes())?
                    }
                    NatError::Errno(Errno::EACCES) => {
                        ctx.eprint(format!("Permission denied setting zone: {zone}\n").as_bytes())?
                    }
                    NatError::Errno(e) => ctx.perror("Error setting zone", e)?,
                    NatError::Backend(m) => return Err(ctx.die(&m)),
                }
                return Err(Fail::Exit);
            }
        }
        ns = match b.stats() {
            Ok(ns) => ns,
            Err(e) => return Err(backend_fail(ctx, "ioctl(SIOCGNATS)", e)),
        };
        backend = Some(b);
    }

    if ctx.opts.flush || ctx.opts.clear {
        flushtable(ctx, &mut backend)?;
    }
    let mut code = 0;
    if let Some(file) = ctx.opts.file.clone() {
        code = load(ctx, &file, &mut backend)?;
    }
    if ctx.opts.list || ctx.opts.stat {
        dostats(ctx, &ns, &mut backend)?;
    }
    if ctx.opts.json {
        let text = serde_json::to_string_pretty(&Value::Object(std::mem::take(&mut ctx.json)))
            .map_err(|e| Fail::Io(io::Error::other(e)))?;
        writeln!(ctx.out, "{text}")?;
    }
    Ok(code)
}

/// A failed ioctl before anything was done: `perror`, exit 1.
fn backend_fail(ctx: &mut Ctx, prefix: &str, e: NatError) -> Fail {
    match e {
        NatError::Errno(e) => match ctx.perror(prefix, e) {
            Ok(()) => Fail::Exit,
            Err(e) => Fail::Io(e),
        },
        NatError::Backend(m) => ctx.die(&m),
    }
}

/// `flushtable()`: `-F` (sessions) before `-C` (rules).
fn flushtable(ctx: &mut Ctx, b: &mut Option<Box<dyn Nat>>) -> Result<(), Fail> {
    for (on, which, what, prefix) in [
        (ctx.opts.flush, FLUSH_TABLE_ALL, "table", "ioctl(SIOCFLNAT)"),
        (ctx.opts.clear, FLUSH_LIST, "list", "ioctl(SIOCCNATL)"),
    ] {
        if !on {
            continue;
        }
        let n = match b.as_mut() {
            None => Ok(which),
            Some(b) => b.flush(which),
        };
        match n {
            Ok(n) => {
                if ctx.opts.json {
                    ctx.json.insert(format!("flushed_{what}"), json!(n));
                } else {
                    writeln!(ctx.out, "{n} entries flushed from NAT {what}")?;
                }
            }
            Err(NatError::Errno(e)) => ctx.perror(prefix, e)?,
            Err(NatError::Backend(m)) => return Err(ctx.die(&m)),
        }
    }
    Ok(())
}

/// `-f FILE`: parse it all, then add (or remove) the rules.
fn load(ctx: &mut Ctx, file: &str, b: &mut Option<Box<dyn Nat>>) -> Result<i32, Fail> {
    // A read error ends the input, as fgetc() returning EOF does; an input
    // past the limit (an endless one) is refused.
    let read = if file == "-" {
        files::read_limited_lossy(io::stdin().lock(), files::NAT_CONF_MAX)
    } else {
        match std::fs::File::open(file) {
            Ok(f) => files::read_limited_lossy(f, files::NAT_CONF_MAX),
            Err(e) => {
                ctx.eprint(format!("fopen({file}) failed: {}\n", Errno::from_io(&e)).as_bytes())?;
                return Ok(0);
            }
        }
    };
    let input = match read {
        Ok(v) => v,
        Err(e) => {
            let name = if file == "-" { "standard input" } else { file };
            return Err(ctx.die(&format!("{name}: {e}")));
        }
    };
    let mut rules: Vec<ParsedRule> = Vec::new();
    let mut printed: Vec<Value> = Vec::new();
    let mut io_err: Option<io::Error> = None;
    let (verbose, debug, json) = (ctx.opts.verbose, ctx.opts.debug, ctx.opts.json);
    let db = crate::backend::system_netdb();
    let parsed = {
        let out = &mut *ctx.out;
        let err = &mut *ctx.err;
        let mut sink = |ev: Event| {
            let r: io::Result<()> = (|| match ev {
                Event::Stderr(m) => {
                    out.flush()?;
                    err.write_all(&m)
                }
                Event::Rule(mut pr) => {
                    if verbose {
                        let mut o = Out::default();
                        print::printnat(
                            &mut o,
                            db.as_ref(),
                            &pr.rule,
                            &RuleCounters::default(),
                            debug,
                        );
                        if json {
                            let text = String::from_utf8_lossy(&o.out).trim_end().to_string();
                            printed.push(json!(text));
                        } else {
                            if !o.err.is_empty() {
                                out.flush()?;
                                err.write_all(&o.err)?;
                            }
                            out.write_all(&o.out)?;
                        }
                        print::printnat_side_effect(&mut pr.rule);
                    }
                    if debug && !json {
                        let bytes = abi::encode_ipnat(&pr.rule, &RuleCounters::default());
                        out.write_all(abi::binprint(&bytes).as_bytes())?;
                    }
                    rules.push(pr);
                    Ok(())
                }
            })();
            if let Err(e) = r {
                io_err.get_or_insert(e);
            }
        };
        parser::parse(&input, db.as_ref(), &mut sink)
    };
    if let Some(e) = io_err {
        return Err(Fail::Io(e));
    }
    if json && verbose {
        ctx.json.insert("parsed".into(), Value::Array(printed));
    }
    if let Err(e) = parsed {
        ctx.eprint(&e.to_bytes())?;
        return Err(Fail::Exit);
    }
    let Some(b) = b.as_mut() else {
        return Ok(0);
    };
    apply(ctx, b.as_mut(), &rules)
}

/// Add (or with `-r` remove) the rules: each on its own as illumos does,
/// or with `--atomic` all or none.
fn apply(ctx: &mut Ctx, b: &mut dyn Nat, rules: &[ParsedRule]) -> Result<i32, Fail> {
    let (op, verb, done, undo) = if ctx.opts.remove {
        (
            Op::Remove,
            "ioctl(delete nat rule)",
            "removed",
            "added back",
        )
    } else {
        (Op::Add, "ioctl(add/insert nat rule)", "added", "removed")
    };
    let mode = if ctx.opts.atomic {
        Mode::Atomic
    } else {
        Mode::PerRule
    };
    let list: Vec<&NatRule> = rules.iter().map(|r| &r.rule).collect();
    let mut io_err = None;
    let r = {
        let (out, err) = (&mut *ctx.out, &mut *ctx.err);
        let mut refused = |i: usize, e: Errno| {
            let line = format!("{}:{verb}: {}\n", rules[i].add_line, e.text());
            if let Err(e) = out.flush().and_then(|()| err.write_all(line.as_bytes())) {
                io_err.get_or_insert(e);
            }
        };
        load::load(b, &list, op, mode, &mut refused)
    };
    if let Some(e) = io_err {
        return Err(Fail::Io(e));
    }
    let Err(f) = r else {
        return Ok(0);
    };
    let pr = &rules[f.index];
    match &f.error {
        NatError::Errno(errno) => {
            ctx.eprint(format!("{}:{verb}: {}\n", pr.add_line, errno.text()).as_bytes())?
        }
        NatError::Backend(m) => ctx.eprint(format!("{}: {m}\n", ctx.prog).as_bytes())?,
    }
    for (r, e) in &f.undo_failures {
        ctx.eprint(format!("{}: rule '{r}' could not be {undo}: {e}\n", ctx.prog).as_bytes())?;
    }
    let text = crate::ipfilter::atomic_failure(
        &ctx.prog,
        (pr.number, pr.line),
        &f.error,
        (done, undo),
        f.done,
        f.undo_failures.is_empty(),
    );
    ctx.eprint(text.as_bytes())?;
    Ok(1)
}

/// `dostats()` / `dostats_live()`: the `-s` counters, then the `-l` lists,
/// gated by the snapshot taken before anything was changed.
fn dostats(ctx: &mut Ctx, ns: &NatStats, b: &mut Option<Box<dyn Nat>>) -> Result<(), Fail> {
    let db = crate::backend::system_netdb();
    if ctx.opts.stat {
        if ctx.opts.json {
            ctx.json.insert("stats".into(), stats_json(ns));
        } else {
            let mut o = Out::default();
            print::printstats(&mut o, ns, ctx.opts.verbose);
            ctx.print(o)?;
        }
    }
    if !ctx.opts.list {
        return Ok(());
    }
    let debug = ctx.opts.debug;
    // Iterating a list that emptied since the snapshot yields one zeroed
    // entry, as the kernel's iterator does.
    let rules: Vec<(NatRule, RuleCounters)> = match (ns.list != 0, b.as_mut()) {
        (true, Some(b)) => match b.rules() {
            Ok(v) if v.is_empty() => vec![(NatRule::default(), RuleCounters::default())],
            Ok(v) => v,
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    let sessions: Vec<NatSession> = match (ns.instances != 0, b.as_mut()) {
        (true, Some(b)) => match b.sessions() {
            Ok(v) if v.is_empty() => vec![NatSession::zeroed()],
            Ok(v) => v,
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    let hostmaps: Vec<HostMap> = match (ctx.opts.verbose && ns.maplist != 0, b.as_mut()) {
        (true, Some(b)) => match b.hostmaps() {
            Ok(v) if v.is_empty() => vec![HostMap::zeroed()],
            Ok(v) => v,
            Err(_) => Vec::new(),
        },
        _ => Vec::new(),
    };
    if ctx.opts.json {
        let rules = rules
            .iter()
            .map(|(r, c)| {
                let mut o = Out::default();
                print::printnat(&mut o, db.as_ref(), r, c, false);
                json!({
                    "text": String::from_utf8_lossy(&o.out).trim_end(),
                    "hits": c.hits,
                    "rule": r,
                })
            })
            .collect();
        ctx.json.insert("rules".into(), Value::Array(rules));
        let sessions = sessions
            .iter()
            .map(|s| {
                let mut o = Out::default();
                print::printactivenat(&mut o, s, false, false);
                json!({
                    "text": String::from_utf8_lossy(&o.out).trim_end(),
                    "session": s,
                })
            })
            .collect();
        ctx.json.insert("sessions".into(), Value::Array(sessions));
        if ctx.opts.verbose {
            ctx.json.insert("hostmaps".into(), json!(hostmaps));
        }
        return Ok(());
    }
    let mut o = Out::default();
    o.out
        .extend_from_slice(b"List of active MAP/Redirect filters:\n");
    for (r, c) in &rules {
        if ctx.opts.hits {
            o.out.extend_from_slice(format!("{} ", c.hits).as_bytes());
        }
        print::printnat(&mut o, db.as_ref(), r, c, debug);
    }
    o.out.extend_from_slice(b"\nList of active sessions:\n");
    for s in &sessions {
        print::printactivenat(&mut o, s, ctx.opts.verbose, debug);
    }
    if ctx.opts.verbose {
        o.out
            .extend_from_slice(b"\nList of active host mappings:\n");
        for h in &hostmaps {
            print::printhostmap(&mut o, h);
        }
    }
    ctx.print(o)?;
    Ok(())
}

fn stats_json(ns: &NatStats) -> Value {
    json!({
        "mapped": {"in": ns.mapped[0], "out": ns.mapped[1]},
        "added": ns.added,
        "expired": ns.expired,
        "no_memory": ns.memfail,
        "bad_nat": ns.badnat,
        "inuse": ns.inuse,
        "orphans": ns.orphans,
        "rules": ns.rules,
        "wilds": ns.wilds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kernel_with_an_unknown_friostat_layout_is_named_clearly() {
        assert_eq!(
            unknown_layout_message("ipnat", &[824, 808]),
            "ipnat: ioctl(SIOCGETFS): the kernel's friostat_t is none of the layouts xbow knows (824 or 808 bytes): Invalid argument\n"
        );
    }
}
