//! The `ipf` command: illumos `ipf(8)`'s options, executed in
//! command-line order as `ipf.c`'s `main` does, its messages and exit
//! statuses, over the filter backend.
//!
//! `-f FILE` reads and parses the whole file before the kernel is
//! touched, so a syntax error loads nothing (illumos exits 1 there too,
//! after loading the rules before it). Then, as illumos does, each rule
//! goes to the kernel on its own and a refusal is reported with its line
//! and passed over (exit 0).

use super::parser::{self, Event, Options, ParsedRule};
use super::print::{PrintOpts, printfr};
use super::rule::FilterRule;
use crate::backend::files;
use crate::backend::filter::{
    Errno, FF_LOGBLOCK, FF_LOGNOMATCH, FF_LOGPASS, FLUSH_IN, FLUSH_INACTIVE, FLUSH_OUT,
    FLUSH_TABLE_ALL, FLUSH_TABLE_CLOSING, Filter, FilterError, FilterStats, LoadFailure, Set,
    Tunable, load,
};
use crate::backend::netdb::Netdb;
use crate::getopt::{Getopt, Opt};
use crate::ipfilter::print::Out;
use std::io::{self, Write};

/// The option string of illumos `ipf`.
const OPTSTRING: &str = "6Ac:dDEf:F:GIl:noPrRsT:vVyzZ";
/// `opts.h` bits `ipf` uses.
const OPT_REMOVE: u32 = 0x1;
const OPT_DEBUG: u32 = 0x2;
const OPT_VERBOSE: u32 = 0x40;
const OPT_DONOTHING: u32 = 0x80;
const OPT_ZERORULEST: u32 = 0x10000;
const OPT_INACTIVE: u32 = 0x80000;
const OPT_NORESOLVE: u32 = 0x8000000;
/// `EBADF`: an ioctl on the descriptor -1.
const EBADF: Errno = Errno(9);
/// `IPL_VERSION` and the `sizeof(frentry_t)` of a current build.
const IPL_VERSION: &str = "IP Filter: v4.1.9";
const FRENTRY_SIZE: usize = 608;

fn usage(err: &mut dyn Write) -> i32 {
    let _ = err.write_all(
        b"usage: ipf [-6AdDEGInoPrRsvVyzZ] [-l block|pass|nomatch|state|nat] [-cc] [-F i|o|a|s|S|u] [-f filename] [-T <tuneopts>] [zonename]\n",
    );
    1
}

/// The descriptor `opendevice()` leaves.
enum Dev {
    /// Not opened yet.
    Closed,
    /// `open` failed: the descriptor stays -1.
    Failed,
    Open(Box<dyn Filter>),
    /// `/dev/ipauth` (`-P`, then `-E`/`-D`, which skip the version
    /// check): every ioctl ipf makes reaches `fr_auth_ioctl`, which has
    /// none of them.
    Auth,
}

/// What `opendevice()` returned.
enum Opened {
    /// -2: `-n`, a failed version check or zone: nothing is done.
    Skip,
    /// A descriptor (possibly -1).
    Fd,
}

/// How a run ends early.
enum Stop {
    Exit(i32),
    Io(io::Error),
}

impl From<io::Error> for Stop {
    fn from(e: io::Error) -> Stop {
        Stop::Io(e)
    }
}

struct Ipf<'a> {
    opts: u32,
    v6: bool,
    dev: Dev,
    /// The zone operand (`getzonearg`), and whether `-G` was given: the
    /// zone's GZ-controlled stack.
    zone: Option<ZoneArg>,
    /// `--atomic` (xbow's): each `-f` loads all its rules or none.
    atomic: bool,
    /// `-P`: `ipfname` is `/dev/ipauth` for every later open.
    auth: bool,
    /// `--json` (xbow's): the tunables `-T` printed, reported as JSON at
    /// the end instead.
    json: Option<Vec<Tunable>>,
    db: Box<dyn Netdb>,
    out: &'a mut dyn Write,
    err: &'a mut dyn Write,
}

/// A zone given to a tool (`getzonearg`, `getzoneopt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneArg {
    pub name: String,
    /// `-G`: the zone's GZ-controlled stack.
    pub gz: bool,
    /// How many `-G`/`-z` were given (`num_setzones`).
    pub count: usize,
}

/// `setzone(fd)` of ipfzone.c on an open filter: nothing without a zone;
/// its messages on `err`; whether it succeeded.
pub fn setzone(
    b: &mut dyn Filter,
    zone: Option<&ZoneArg>,
    err: &mut dyn Write,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let Some(z) = zone else {
        return Ok(true);
    };
    out.flush()?;
    if z.count > 1 {
        err.write_all(b"Only one of -G and -z may be set\n")?;
        return Ok(false);
    }
    if z.gz && b.is_global_zone(&z.name) {
        err.write_all(b"-G cannot be used with the global zone\n")?;
        return Ok(false);
    }
    match b.set_zone(&z.name, z.gz) {
        Ok(()) => return Ok(true),
        Err(FilterError::Errno(Errno::ENODEV)) => {
            writeln!(err, "Could not find running zone: {}", z.name)?
        }
        Err(FilterError::Errno(Errno::EACCES)) => {
            writeln!(err, "Permission denied setting zone: {}", z.name)?
        }
        Err(e) => writeln!(err, "Error setting zone: {e}")?,
    }
    Ok(false)
}

/// `%#x`: `0` for zero, else `0x…`.
pub fn hash_x(v: u32) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

impl Ipf<'_> {
    fn on(&self, bit: u32) -> bool {
        self.opts & bit != 0
    }

    /// Messages go to stderr after what stdout already holds.
    fn eprint(&mut self, s: &str) -> io::Result<()> {
        self.out.flush()?;
        self.err.write_all(s.as_bytes())
    }

    fn perror(&mut self, prefix: &str, e: &FilterError) -> io::Result<()> {
        self.eprint(&format!("{prefix}: {e}\n"))
    }

    fn set(&self) -> Set {
        if self.on(OPT_INACTIVE) {
            Set::Inactive
        } else {
            Set::Active
        }
    }

    /// `opendevice(ipfname, check)`.
    fn opendevice(&mut self, check: bool) -> io::Result<Opened> {
        if self.on(OPT_DONOTHING) {
            return Ok(Opened::Skip);
        }
        // checkrev(ipfname): with -P, SIOCGETFS on /dev/ipauth, which
        // fr_auth_ioctl refuses: the check always fails.
        if check && self.auth {
            let e = auth_error();
            self.perror("ioctl(SIOCGETFS)", &e)?;
            self.eprint("User/kernel version check failed\n")?;
            return Ok(Opened::Skip);
        }
        if matches!(self.dev, Dev::Closed) && self.auth {
            self.dev = Dev::Auth;
            return Ok(Opened::Fd);
        }
        if matches!(self.dev, Dev::Closed) {
            let b = crate::backend::Kind::from_env()
                .map_err(FilterError::Backend)
                .and_then(crate::backend::open_filter);
            let mut b = match b {
                Ok(b) => b,
                Err(e) => {
                    self.perror("open device", &e)?;
                    self.dev = Dev::Failed;
                    return Ok(Opened::Fd);
                }
            };
            // checkrev() before open(): a failed check leaves the
            // descriptor -1.
            if check && b.check_version().is_err() {
                self.eprint("User/kernel version check failed\n")?;
                return Ok(Opened::Skip);
            }
            self.dev = match b.open(true) {
                Ok(()) => Dev::Open(b),
                Err(e) => {
                    self.perror("open device", &e)?;
                    Dev::Failed
                }
            };
            // setzone(fd): on failure the descriptor is closed but not
            // forgotten, so later ioctls get `EBADF`.
            if let Dev::Open(b) = &mut self.dev
                && !setzone(
                    b.as_mut(),
                    self.zone.as_ref(),
                    &mut *self.err,
                    &mut *self.out,
                )?
            {
                self.dev = Dev::Failed;
                return Ok(Opened::Skip);
            }
            return Ok(Opened::Fd);
        }
        if check
            && let Dev::Open(b) = &mut self.dev
            && b.check_version().is_err()
        {
            self.eprint("User/kernel version check failed\n")?;
            return Ok(Opened::Skip);
        }
        Ok(Opened::Fd)
    }

    /// One ioctl on the descriptor (`EBADF` on -1).
    fn ioctl<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Filter) -> Result<T, FilterError>,
    ) -> Result<T, FilterError> {
        match &mut self.dev {
            Dev::Open(b) => f(b.as_mut()),
            Dev::Auth => Err(auth_error()),
            _ => Err(EBADF.into()),
        }
    }

    fn printfr(&self, o: &mut Out, r: &FilterRule) {
        let popts = PrintOpts {
            v6: self.v6,
            unresolved: None,
        };
        printfr(o, self.db.as_ref(), r, &popts);
    }

    /// `procfile()`: parse the whole file, then hand each rule to the
    /// filter (all at once where the backend keeps one state).
    fn procfile(&mut self, file: &str) -> Result<(), Stop> {
        let _ = self.opendevice(true)?;
        // A read error ends the input, as fgetc() returning EOF does; an
        // endless input is refused.
        let read = if file == "-" {
            files::read_limited_lossy(io::stdin().lock(), files::NAT_CONF_MAX)
        } else {
            match std::fs::File::open(file) {
                Ok(f) => files::read_limited_lossy(f, files::NAT_CONF_MAX),
                Err(e) => {
                    let msg = Errno::from_io(&e);
                    self.eprint(&format!("fopen({file}) failed: {msg}\n"))?;
                    return Ok(());
                }
            }
        };
        let text = match read {
            Ok(t) => t,
            Err(e) => {
                let name = if file == "-" { "standard input" } else { file };
                self.eprint(&format!("ipf: {name}: {e}\n"))?;
                return Err(Stop::Exit(1));
            }
        };
        let mut events = Vec::new();
        let r = parser::parse(&text, Options { v6: self.v6 }, self.db.as_ref(), &mut |e| {
            events.push(e)
        });
        if let Err(e) = r {
            // Nothing is loaded; what `-v` would have shown is shown.
            for ev in &events {
                match ev {
                    Event::Rule(r) if self.on(OPT_VERBOSE) => {
                        let mut o = Out::default();
                        self.printfr(&mut o, &r.rule);
                        self.out.write_all(&o.out)?;
                    }
                    Event::Stderr(m) => self.eprint(&String::from_utf8_lossy(m))?,
                    _ => {}
                }
            }
            self.out.flush()?;
            self.err.write_all(&e.to_bytes())?;
            return Err(Stop::Exit(1));
        }
        let rules: Vec<&ParsedRule> = events
            .iter()
            .filter_map(|e| match e {
                Event::Rule(r) => Some(r),
                _ => None,
            })
            .collect();
        let at_once = !self.on(OPT_ZERORULEST | OPT_DONOTHING);
        let (set, remove, atomic) = (self.set(), self.on(OPT_REMOVE), self.atomic);
        let outcomes = match &mut self.dev {
            Dev::Open(b) if at_once => {
                let list: Vec<&FilterRule> = rules.iter().map(|r| &r.rule).collect();
                match load(b.as_mut(), &list, set, remove, atomic) {
                    Ok(o) => o.into_iter().map(Some).collect(),
                    Err(f) => {
                        let pr = rules[f.index];
                        return self.load_failed(&events, pr, f);
                    }
                }
            }
            // One ioctl per rule as it is printed (`-z`, `-n`, no device).
            _ => Vec::new(),
        };
        self.replay(&events, &outcomes)?;
        Ok(())
    }

    /// The events of a parse in order: parser messages, and each rule
    /// printed (`-v`) then its outcome reported. Without an outcome the
    /// rule's ioctl is made here.
    fn replay(
        &mut self,
        events: &[Event],
        outcomes: &[Option<Result<(), FilterError>>],
    ) -> io::Result<()> {
        let mut i = 0;
        for ev in events {
            match ev {
                Event::Rule(r) => {
                    let outcome = outcomes.get(i).cloned().flatten();
                    self.addrule(&r.rule, r.add_line, outcome)?;
                    i += 1;
                }
                Event::Stderr(m) => self.eprint(&String::from_utf8_lossy(m))?,
                // ipf_y.y's `set intercept_loopback`.
                Event::Loopback(on) if !self.on(OPT_DONOTHING) => {
                    if let Err(e) = self.ioctl(|b| b.set_loopback(*on)) {
                        self.perror("ioctl(SIOCIPFLP)", &e)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// `--atomic`: a rule was refused and nothing of the file stays.
    fn load_failed(
        &mut self,
        events: &[Event],
        pr: &ParsedRule,
        f: LoadFailure,
    ) -> Result<(), Stop> {
        let (verb, done, undo) = if self.on(OPT_REMOVE) {
            ("ioctl(delete rule)", "removed", "added back")
        } else {
            ("ioctl(add/insert rule)", "added", "removed")
        };
        if self.on(OPT_VERBOSE) {
            let mut o = Out::default();
            let mut n = 0;
            for ev in events {
                if let Event::Rule(r) = ev
                    && n <= f.index
                {
                    self.printfr(&mut o, &r.rule);
                    n += 1;
                }
            }
            self.out.write_all(&o.out)?;
        }
        self.perror(&format!("{}:{verb}", pr.add_line), &f.error)?;
        for (r, e) in &f.undo_failures {
            self.eprint(&format!("ipf: rule '{r}' could not be {undo}: {e}\n"))?;
        }
        let text = crate::ipfilter::atomic_failure(
            "ipf",
            (pr.number, pr.line),
            &f.error,
            (done, undo),
            f.done,
            f.undo_failures.is_empty(),
        );
        self.eprint(&text)?;
        Err(Stop::Exit(1))
    }

    /// `ipf_addrule()`: print with `-v`, then the ioctl of the mode (or
    /// its `outcome`, made already).
    fn addrule(
        &mut self,
        rule: &FilterRule,
        line: i32,
        outcome: Option<Result<(), FilterError>>,
    ) -> io::Result<()> {
        if self.on(OPT_VERBOSE) {
            let mut o = Out::default();
            self.printfr(&mut o, rule);
            self.out.write_all(&o.out)?;
        }
        let set = self.set();
        let nothing = self.on(OPT_DONOTHING);
        if self.on(OPT_ZERORULEST) {
            match self.ioctl(|b| b.zero_rule(rule, set)) {
                Ok(z) => {
                    let mut o = Out::default();
                    o.s(&format!("hits {} bytes {} ", z.hits, z.bytes));
                    self.printfr(&mut o, &z.rule);
                    self.out.write_all(&o.out)?;
                }
                Err(e) if !nothing => self.perror(&format!("{line}:ioctl(SIOCZRLST)"), &e)?,
                Err(_) => {}
            }
        } else if self.on(OPT_REMOVE) {
            let res = outcome.unwrap_or_else(|| self.ioctl(|b| b.remove_rule(rule, set)));
            // ipf_y.y's inverted test: only `-n` reports.
            if let Err(e) = res
                && nothing
            {
                self.perror(&format!("{line}:ioctl(delete rule)"), &e)?;
            }
        } else {
            let res = outcome.unwrap_or_else(|| self.ioctl(|b| b.add_rule(rule, set)));
            if let Err(e) = res
                && !nothing
            {
                self.perror(&format!("{line}:ioctl(add/insert rule)"), &e)?;
            }
        }
        Ok(())
    }

    /// `flushfilter()`.
    fn flushfilter(&mut self, arg: &str) -> Result<(), Stop> {
        let verbose = self.opts & (OPT_DONOTHING | OPT_VERBOSE) == OPT_VERBOSE;
        let v6 = self.v6;
        let ioctl = if v6 {
            "ioctl(SIOCIPFL6)"
        } else {
            "ioctl(SIOCIPFFL)"
        };
        if arg == "S" || arg == "s" {
            let which = if arg == "S" {
                FLUSH_TABLE_ALL
            } else {
                FLUSH_TABLE_CLOSING
            };
            if matches!(self.opendevice(true)?, Opened::Skip) {
                return Err(Stop::Exit(1));
            }
            let n = match self.ioctl(|b| b.flush_states(which, v6)) {
                Ok(n) => n,
                Err(e) => {
                    self.perror(ioctl, &e)?;
                    return Err(Stop::Exit(1));
                }
            };
            if verbose {
                write!(
                    self.out,
                    "remove flags {arg} ({which})\nremoved {n} filter rules\n"
                )?;
            }
            return Ok(());
        }
        let mut fl = 0u32;
        if arg.contains(['i', 'I']) {
            fl = FLUSH_IN;
        }
        if arg.contains(['o', 'O']) {
            fl = FLUSH_OUT;
        }
        if arg.contains(['a', 'A']) {
            fl = FLUSH_IN | FLUSH_OUT;
        }
        if self.on(OPT_INACTIVE) {
            fl |= FLUSH_INACTIVE;
        }
        if matches!(self.opendevice(true)?, Opened::Skip) {
            return Err(Stop::Exit(1));
        }
        let n = match self.ioctl(|b| b.flush(fl, v6)) {
            Ok(n) => n,
            Err(e) => {
                self.perror(ioctl, &e)?;
                return Err(Stop::Exit(1));
            }
        };
        if verbose {
            let i = if fl & FLUSH_IN != 0 { "I" } else { "" };
            let o = if fl & FLUSH_OUT != 0 { "O" } else { "" };
            write!(
                self.out,
                "remove flags {i}{o} ({})\nremoved {n} filter rules\n",
                fl as i32
            )?;
        }
        Ok(())
    }

    /// `get_flags()`.
    fn get_flags(&mut self) -> io::Result<u32> {
        if matches!(self.opendevice(true)?, Opened::Skip) {
            return Ok(0);
        }
        match self.ioctl(|b| b.log_flags()) {
            Ok(f) => Ok(f),
            Err(e) => {
                self.perror("SIOCGETFF", &e)?;
                Ok(0)
            }
        }
    }

    /// `packetlogon()`.
    fn packetlogon(&mut self, arg: &str) -> Result<(), Stop> {
        let quiet_verbose = self.opts & (OPT_DONOTHING | OPT_VERBOSE) == OPT_VERBOSE;
        let verbose = self.on(OPT_VERBOSE);
        let mut flag = self.get_flags()?;
        if flag != 0 && quiet_verbose {
            writeln!(self.out, "log flag is currently {}", hash_x(flag))?;
        }
        flag &= !(FF_LOGPASS | FF_LOGNOMATCH | FF_LOGBLOCK);
        let mut set = false;
        if arg.contains("pass") {
            flag |= FF_LOGPASS;
            set = true;
            if verbose {
                writeln!(self.out, "set log flag: pass")?;
            }
        }
        if arg.contains("nomatch") {
            flag |= FF_LOGNOMATCH;
            set = true;
            if verbose {
                writeln!(self.out, "set log flag: nomatch")?;
            }
        }
        if arg.contains("block") || arg.contains('d') {
            flag |= FF_LOGBLOCK;
            set = true;
            if verbose {
                writeln!(self.out, "set log flag: block")?;
            }
        }
        if arg.contains("none") {
            set = true;
            if verbose {
                writeln!(self.out, "disable all log flags")?;
            }
        }
        if set
            && matches!(self.opendevice(true)?, Opened::Fd)
            && let Err(e) = self.ioctl(|b| b.set_log_flags(flag))
        {
            self.perror("ioctl(SIOCSETFF)", &e)?;
        }
        if quiet_verbose {
            let now = self.get_flags()?;
            writeln!(self.out, "log flags are now {}", hash_x(now))?;
        }
        for (word, nat) in [("state", false), ("nat", true)] {
            if arg.contains(word) {
                if verbose {
                    writeln!(self.out, "set {word} log flag")?;
                }
                self.toggle_logging(nat)?;
            }
        }
        Ok(())
    }

    /// The `state`/`nat` part of `packetlogon()`: `/dev/ipstate` or
    /// `/dev/ipnat` opened read-write on its own descriptor (even with
    /// `-n`; silently nothing if it cannot be opened), `SIOCGETLG`, then
    /// `SIOCSETLG` with `1 -` that value: the flag is toggled, not set.
    fn toggle_logging(&mut self, nat: bool) -> io::Result<()> {
        let b = crate::backend::open_filter_device(true);
        let Ok(mut b) = b else {
            return Ok(());
        };
        self.out.flush()?;
        if !setzone(
            b.as_mut(),
            self.zone.as_ref(),
            &mut *self.err,
            &mut *self.out,
        )? {
            return Ok(());
        }
        match b.get_logging(nat) {
            Err(e) => self.perror("ioctl(SIOCGETLG)", &e),
            Ok(v) => match b.set_logging(nat, 1i32.wrapping_sub(v)) {
                Err(e) => self.perror("ioctl(SIOCSETLG)", &e),
                Ok(()) => Ok(()),
            },
        }
    }

    /// `-T`: `ipf_dotuning()`. The `ipftune_t` (and so its cookie) is
    /// shared by the comma-separated words: a `list` after a `name`
    /// starts at that name's row.
    fn dotuning(&mut self, args: &str) -> io::Result<()> {
        let mut cookie = 0u64;
        for s in args.split(',').filter(|s| !s.is_empty()) {
            if s == "list" {
                loop {
                    match self.ioctl(|b| b.tune_next(cookie)) {
                        Err(e) => {
                            self.perror("ioctl(SIOCIPFGETNEXT)", &e)?;
                            break;
                        }
                        Ok(None) => {
                            cookie = 0;
                            break;
                        }
                        Ok(Some((t, next))) => {
                            cookie = next;
                            self.printtunable(&t)?;
                        }
                    }
                }
            } else if let Some((name, value)) = s.split_once('=') {
                cookie = 0;
                let Some(v) = scan_lu(value) else {
                    return self.eprint(&format!("invalid value '{name}'\n"));
                };
                if let Err(e) = self.ioctl(|b| b.tune_set(name, v)) {
                    return self.perror("ioctl(SIOCIPFSET)", &e);
                }
            } else {
                // The cookie is reset to NULL, then set by the kernel.
                match self.ioctl(|b| b.tune_get(s)) {
                    Err(e) => return self.perror("ioctl(SIOCIPFGET)", &e),
                    Ok((_, 0)) => return self.eprint(&format!("Null cookie for {s}\n")),
                    Ok((t, c)) => {
                        cookie = c;
                        self.printtunable(&t)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// `printtunable()` (or, with `--json`, the tunable kept for the
    /// JSON report).
    fn printtunable(&mut self, t: &Tunable) -> io::Result<()> {
        if let Some(list) = &mut self.json {
            list.push(t.clone());
            return Ok(());
        }
        self.out.write_all(printtunable(t).as_bytes())
    }

    /// `-s`: `swapactive()`.
    fn swapactive(&mut self) -> io::Result<()> {
        let mut set = 2;
        if matches!(self.opendevice(true)?, Opened::Fd) {
            match self.ioctl(|b| b.swap()) {
                Ok(s) => set = s,
                Err(e) => return self.perror("ioctl(SIOCSWAPA)", &e),
            }
        }
        writeln!(self.out, "Set {set} now inactive")
    }

    /// `-y`: `ipf_frsync()`; the sim has no interface pointers to renew.
    fn frsync(&mut self) -> io::Result<()> {
        if matches!(self.opendevice(true)?, Opened::Fd)
            && let Err(e) = self.ioctl(|b| b.stats().map(|_| ()))
        {
            return self.perror("SIOCFRSYN", &e);
        }
        writeln!(self.out, "filter sync'd")
    }

    /// `-E`/`-D`.
    fn enable(&mut self, on: bool) -> io::Result<()> {
        if matches!(self.opendevice(false)?, Opened::Skip) {
            return Ok(());
        }
        match self.ioctl(|b| b.enable(on)) {
            Err(FilterError::Errno(Errno::EBUSY)) => {
                self.eprint("IP FIlter: already initialized\n")
            }
            Err(e) => self.perror("SIOCFRENB", &e),
            Ok(()) => Ok(()),
        }
    }

    /// `-Z`: `zerostats()`.
    fn zerostats(&mut self) -> Result<(), Stop> {
        if matches!(self.opendevice(true)?, Opened::Skip) {
            return Ok(());
        }
        match self.ioctl(|b| b.zero_stats()) {
            Ok(s) => {
                self.out.write_all(showstats(&s).as_bytes())?;
                Ok(())
            }
            Err(e) => {
                self.perror("ioctl(SIOCFRZST)", &e)?;
                Err(Stop::Exit(255))
            }
        }
    }

    /// `-V`: `showversion()`.
    fn showversion(&mut self) -> Result<(), Stop> {
        writeln!(self.out, "ipf: {IPL_VERSION} ({FRENTRY_SIZE})")?;
        if self.auth {
            let e = auth_error();
            self.perror("ioctl(SIOCGETFS)", &e)?;
            return Err(Stop::Exit(1));
        }
        let b = crate::backend::open_filter_device(false);
        let mut b = match b {
            Ok(b) => b,
            Err(e) => {
                self.perror("open device", &e)?;
                return Err(Stop::Exit(1));
            }
        };
        if !setzone(
            b.as_mut(),
            self.zone.as_ref(),
            &mut *self.err,
            &mut *self.out,
        )? {
            return Err(Stop::Exit(1));
        }
        let fs = match b.stats() {
            Ok(s) => s,
            Err(e) => {
                self.perror("ioctl(SIOCGETFS)", &e)?;
                return Err(Stop::Exit(1));
            }
        };
        let flags = self.get_flags()?;
        self.out.write_all(version_text(&fs, flags).as_bytes())?;
        Ok(())
    }
}

/// What an ioctl `ipf` makes on `/dev/ipauth` gets (`fr_ioctlswitch`,
/// unit `IPL_LOGAUTH`): `EIO` while IP Filter is not running, else
/// `EINVAL` from `fr_auth_ioctl`'s default case (it knows only the auth
/// daemon's requests, `SIOCATHST`, `SIOCIPFFL` and `SIOCSTLCK`; only
/// `SIOCADAFR`/`SIOCRMAFR` go to `frrequest`, and ipf never gets that far
/// because its version check fails first).
fn auth_error() -> FilterError {
    let fs = crate::backend::open_filter_device(false).and_then(|mut b| b.stats());
    match fs {
        Ok(fs) if fs.running > 0 => Errno::EINVAL.into(),
        Ok(_) => Errno::EIO.into(),
        Err(e) => e,
    }
}

/// `printtunable()`: `%s\tmin %#lx\tmax %#lx\tcurrent ` and the value
/// in the variable's size.
pub fn printtunable(t: &Tunable) -> String {
    let hx = |v: u64| {
        if v == 0 {
            "0".to_string()
        } else {
            format!("{v:#x}")
        }
    };
    let value = match t.sz {
        8 => t.value.to_string(),
        4 => (t.value as u32).to_string(),
        2 => (t.value as u16).to_string(),
        1 => (t.value as u8).to_string(),
        sz => format!("sz = {sz}"),
    };
    format!(
        "{}\tmin {}\tmax {}\tcurrent {value}\n",
        t.name,
        hx(t.min),
        hx(t.max)
    )
}

/// `sscanf(s, "%lu", &v) == 1`: leading white space, an optional sign,
/// decimal digits (at least one), anything after them ignored; a minus
/// negates modulo 2^64 and an overflow gives `ULONG_MAX` (`strtoul`).
pub fn scan_lu(s: &str) -> Option<u64> {
    let s = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let v = s[..digits].parse::<u64>().unwrap_or(u64::MAX);
    let overflow = s[..digits].parse::<u64>().is_err();
    Some(if overflow {
        u64::MAX
    } else if neg {
        v.wrapping_neg()
    } else {
        v
    })
}

/// The lines of `showversion()` after the first.
pub fn version_text(fs: &FilterStats, flags: u32) -> String {
    let mut names = Vec::new();
    for (bit, name) in [
        (FF_LOGPASS, "pass"),
        (FF_LOGBLOCK, "block"),
        (FF_LOGNOMATCH, "nomatch"),
        (crate::backend::filter::FF_BLOCKNONIP, "nonip"),
    ] {
        if flags & bit != 0 {
            names.push(name);
        }
    }
    let list = if names.is_empty() {
        "none set".to_string()
    } else {
        names.join(", ")
    };
    let cmd = fs.defpass & 0xf;
    let def = match cmd {
        2 => "pass",
        1 => "block",
        _ => "nomatch -> block",
    };
    format!(
        "Kernel: {:<32.32}\nRunning: {}\nLog Flags: {} = {list}\nDefault: {def} all, Logging: {}available\nActive list: {}\nFeature mask: {}\n",
        fs.version,
        if fs.running > 0 { "yes" } else { "no" },
        hash_x(flags),
        if fs.logging { "" } else { "un" },
        fs.active,
        hash_x(fs.features),
    )
}

/// `showstats()` of `ipf.c` (`ipf -Z`).
pub fn showstats(fs: &FilterStats) -> String {
    let [i, o] = &fs.st;
    format!(
        "bad packets:\t\tin {}\tout {}\n input packets:\t\tblocked {} passed {} nomatch {} counted {}\noutput packets:\t\tblocked {} passed {} nomatch {} counted {}\n input packets logged:\tblocked {} passed {}\noutput packets logged:\tblocked {} passed {}\n packets logged:\tinput {}-{} output {}-{}\n",
        i.bad,
        o.bad,
        i.block,
        i.pass,
        i.nom,
        i.acct,
        o.block,
        o.pass,
        o.nom,
        i.acct,
        i.bpkl,
        i.ppkl,
        o.bpkl,
        o.ppkl,
        i.pkl,
        i.skip,
        o.pkl,
        o.skip,
    )
}

/// Run `ipf` with `args` (`args[0]` the name it was invoked as).
pub fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let prog = args.first().map(String::as_str).unwrap_or("ipf");
    // `--atomic` and `--json` are xbow's own; taken out before getopt
    // sees the options.
    let atomic = args.iter().skip(1).any(|a| a == "--atomic");
    let json = args.iter().skip(1).any(|a| a == "--json");
    let args: Vec<String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| *i == 0 || (*a != "--atomic" && *a != "--json"))
        .map(|(_, a)| a.clone())
        .collect();
    let args = &args[..];
    if args.len() < 2 {
        return usage(err);
    }
    // `getzonearg()`: the first operand after the options is the zone.
    let mut g = Getopt::posix(args, OPTSTRING);
    let mut bad = false;
    for o in g.by_ref() {
        bad |= !matches!(o, Opt::Flag(..));
    }
    let operands = g.operands();
    if !bad && args.len() - operands.len() < 2 {
        return usage(err);
    }
    let gz = Getopt::posix(args, OPTSTRING).any(|o| matches!(o, Opt::Flag('G', _)));
    let zone = operands.first().map(|z| ZoneArg {
        // `setzonename()` copies ZONENAME_MAX bytes.
        name: z.chars().take(crate::model::zone::ZONENAME_MAX).collect(),
        gz,
        count: 1,
    });
    let mut ipf = Ipf {
        opts: 0,
        v6: false,
        dev: Dev::Closed,
        zone,
        atomic,
        auth: false,
        json: json.then(Vec::new),
        db: crate::backend::system_netdb(),
        out,
        err,
    };
    let r = run(&mut ipf, prog, args);
    if let Some(list) = ipf.json.take()
        && !list.is_empty()
    {
        let _ =
            serde_json::to_writer_pretty(&mut *ipf.out, &serde_json::json!({ "tunables": list }))
                .map_err(io::Error::from)
                .and_then(|()| writeln!(ipf.out));
    }
    match r {
        Ok(()) => {
            let _ = ipf.out.flush();
            0
        }
        // stdout or stderr is gone (a closed pipe): stop quietly.
        Err(Stop::Io(e)) => i32::from(e.kind() != io::ErrorKind::BrokenPipe),
        Err(Stop::Exit(n)) => {
            let _ = ipf.out.flush();
            n
        }
    }
}

fn run(ipf: &mut Ipf, prog: &str, args: &[String]) -> Result<(), Stop> {
    for opt in Getopt::posix(args, OPTSTRING) {
        let (c, v) = match opt {
            Opt::Flag(c, v) => (c, v.unwrap_or_default()),
            Opt::Unknown(c) | Opt::MissingArg(c) => {
                let what = if matches!(opt, Opt::Unknown(_)) {
                    "illegal option"
                } else {
                    "option requires an argument"
                };
                ipf.out.flush()?;
                writeln!(ipf.err, "{prog}: {what} -- {c}")?;
                return Err(Stop::Exit(usage(ipf.err)));
            }
        };
        match c {
            '6' => ipf.v6 = true,
            'A' => ipf.opts &= !OPT_INACTIVE,
            'c' if v == "c" => {
                ipf.eprint(
                    "ipf: -cc: writing the rules as C source (ip_rules.c, ip_rules.h) is not available in xbow\n",
                )?;
                return Err(Stop::Exit(1));
            }
            'c' => {}
            'd' => ipf.opts ^= OPT_DEBUG,
            'D' => ipf.enable(false)?,
            'E' => ipf.enable(true)?,
            'f' => ipf.procfile(&v)?,
            'F' => ipf.flushfilter(&v)?,
            'G' | 'o' => {}
            'I' => ipf.opts ^= OPT_INACTIVE,
            'l' => ipf.packetlogon(&v)?,
            'n' => ipf.opts ^= OPT_DONOTHING,
            'P' => ipf.auth = true,
            'r' => ipf.opts ^= OPT_REMOVE,
            'R' => ipf.opts ^= OPT_NORESOLVE,
            's' => ipf.swapactive()?,
            // `opendevice() >= 0`: not with `-n`, a failed check or no device.
            'T' if matches!(ipf.opendevice(true)?, Opened::Fd)
                && matches!(ipf.dev, Dev::Open(_)) =>
            {
                ipf.dotuning(&v)?
            }
            // `opts += OPT_VERBOSE`: `-vv` is `-n` without `-v`.
            'v' => ipf.opts = ipf.opts.wrapping_add(OPT_VERBOSE),
            'V' => ipf.showversion()?,
            'y' => ipf.frsync()?,
            'z' => ipf.opts ^= OPT_ZERORULEST,
            'Z' => ipf.zerostats()?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::filter::{
        FilterResult, FilterStats, List, ListedRule, StateEntry, StateStats,
    };
    use crate::backend::nat::VersionError;

    /// A filter whose `SIOCIPFZONESET` answers `errno` (0: success); the
    /// global zone is `global`.
    struct Zoned(i32);

    fn no<T>() -> FilterResult<T> {
        Err(Errno::EIO.into())
    }

    impl Filter for Zoned {
        fn check_version(&mut self) -> Result<(), VersionError> {
            Ok(())
        }
        fn open(&mut self, _: bool) -> FilterResult<()> {
            Ok(())
        }
        fn is_global_zone(&mut self, zone: &str) -> bool {
            zone == "global"
        }
        fn set_zone(&mut self, _: &str, _: bool) -> FilterResult<()> {
            match self.0 {
                0 => Ok(()),
                e => Err(Errno(e).into()),
            }
        }
        fn add_rule(&mut self, _: &FilterRule, _: Set) -> FilterResult<()> {
            no()
        }
        fn remove_rule(&mut self, _: &FilterRule, _: Set) -> FilterResult<()> {
            no()
        }
        fn zero_rule(&mut self, _: &FilterRule, _: Set) -> FilterResult<ListedRule> {
            no()
        }
        fn flush(&mut self, _: u32, _: bool) -> FilterResult<i32> {
            no()
        }
        fn flush_states(&mut self, _: i32, _: bool) -> FilterResult<i32> {
            no()
        }
        fn swap(&mut self) -> FilterResult<u32> {
            no()
        }
        fn enable(&mut self, _: bool) -> FilterResult<()> {
            no()
        }
        fn rules(
            &mut self,
            _: Set,
            _: List,
            _: bool,
            _: Option<&str>,
        ) -> FilterResult<Vec<ListedRule>> {
            no()
        }
        fn stats(&mut self) -> FilterResult<FilterStats> {
            no()
        }
        fn zero_stats(&mut self) -> FilterResult<FilterStats> {
            no()
        }
        fn log_flags(&mut self) -> FilterResult<u32> {
            no()
        }
        fn set_log_flags(&mut self, _: u32) -> FilterResult<()> {
            no()
        }
        fn set_loopback(&mut self, _: bool) -> FilterResult<()> {
            no()
        }
        fn tune_next(
            &mut self,
            _: u64,
        ) -> FilterResult<Option<(crate::backend::filter::Tunable, u64)>> {
            no()
        }
        fn tune_get(&mut self, _: &str) -> FilterResult<(crate::backend::filter::Tunable, u64)> {
            no()
        }
        fn tune_set(&mut self, _: &str, _: u64) -> FilterResult<()> {
            no()
        }
        fn frag_stats(&mut self) -> FilterResult<crate::backend::filter::FragStats> {
            no()
        }
        fn auth_stats(&mut self) -> FilterResult<crate::backend::filter::AuthStats> {
            no()
        }
        fn groups(&mut self) -> FilterResult<crate::backend::filter::Groups> {
            no()
        }
        fn get_logging(&mut self, _: bool) -> FilterResult<i32> {
            no()
        }
        fn set_logging(&mut self, _: bool, _: i32) -> FilterResult<()> {
            no()
        }
        fn state_stats(&mut self) -> FilterResult<StateStats> {
            no()
        }
        fn states(&mut self) -> FilterResult<Vec<StateEntry>> {
            no()
        }
    }

    fn setzone_text(errno: i32, zone: Option<(&str, bool, usize)>) -> (bool, String) {
        let z = zone.map(|(name, gz, count)| ZoneArg {
            name: name.to_string(),
            gz,
            count,
        });
        let (mut err, mut out) = (Vec::new(), Vec::new());
        let ok = setzone(&mut Zoned(errno), z.as_ref(), &mut err, &mut out).unwrap();
        (ok, String::from_utf8(err).unwrap())
    }

    #[test]
    fn setzone_messages() {
        assert_eq!(setzone_text(19, None), (true, String::new()));
        assert_eq!(
            setzone_text(0, Some(("z1", true, 1))),
            (true, String::new())
        );
        assert_eq!(
            setzone_text(0, Some(("z1", false, 2))),
            (false, "Only one of -G and -z may be set\n".into())
        );
        assert_eq!(
            setzone_text(0, Some(("global", true, 1))),
            (false, "-G cannot be used with the global zone\n".into())
        );
        assert_eq!(
            setzone_text(19, Some(("z1", false, 1))),
            (false, "Could not find running zone: z1\n".into())
        );
        assert_eq!(
            setzone_text(13, Some(("z1", true, 1))),
            (false, "Permission denied setting zone: z1\n".into())
        );
        assert_eq!(
            setzone_text(14, Some(("z1", false, 1))),
            (false, "Error setting zone: Bad address\n".into())
        );
    }
}
