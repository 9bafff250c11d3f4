//! A first `xbow ipf`: illumos `ipf(8)`'s option string and usage, with
//! what needs no kernel: `-n` (parse only), `-v` (print each rule as
//! `ipf_addrule()` does), `-6` and `-f FILE|-`, taken in command-line
//! order as `ipf` takes them. Loading rules (`-f` without `-n`) and the
//! other options are refused for now, naming the option.

use super::parser::{self, Event, Options};
use super::print::{PrintOpts, printfr};
use crate::getopt::{Getopt, Opt};
use crate::ipfilter::print::Out;
use std::io::{Read, Write};

/// The option string of illumos `ipf`.
const OPTSTRING: &str = "6Ac:dDEf:F:GIl:noPrRsT:vVyzZ";
/// `OPT_VERBOSE` and `OPT_DONOTHING` (`opts.h`).
const OPT_VERBOSE: u32 = 0x40;
const OPT_DONOTHING: u32 = 0x80;

fn usage(err: &mut dyn Write) -> i32 {
    let _ = err.write_all(
        b"usage: ipf [-6AdDEGInoPrRsvVyzZ] [-l block|pass|nomatch|state|nat] [-cc] [-F i|o|a|s|S|u] [-f filename] [-T <tuneopts>] [zonename]\n",
    );
    1
}

/// Run `ipf` with `args` (`args[0]` the name it was invoked as).
pub fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let prog = args.first().map(String::as_str).unwrap_or("ipf");
    if args.len() < 2 {
        return usage(err);
    }
    let mut opts = 0u32;
    let mut v6 = false;
    let db = crate::backend::system_netdb();
    for opt in Getopt::posix(args, OPTSTRING) {
        let (c, v) = match opt {
            Opt::Flag(c, v) => (c, v.unwrap_or_default()),
            Opt::Unknown(c) | Opt::MissingArg(c) => {
                let what = if matches!(opt, Opt::Unknown(_)) {
                    "illegal option"
                } else {
                    "option requires an argument"
                };
                let _ = writeln!(err, "{prog}: {what} -- {c}");
                return usage(err);
            }
        };
        match c {
            '6' => v6 = true,
            // `opts += OPT_VERBOSE`: `-vv` is `-n` without `-v`.
            'v' => opts = opts.wrapping_add(OPT_VERBOSE),
            'n' => opts ^= OPT_DONOTHING,
            'R' | 'o' | 'G' => {}
            'f' if opts & OPT_DONOTHING != 0 => {
                let code = procfile(&v, v6, opts & OPT_VERBOSE != 0, db.as_ref(), out, err);
                if code != 0 {
                    return code;
                }
            }
            c => {
                let _ = writeln!(
                    err,
                    "{prog}: -{c}: not implemented yet by xbow (only -n, -v, -6, -f)"
                );
                return 1;
            }
        }
    }
    let _ = out.flush();
    0
}

/// `procfile()` under `-n`: parse, print each rule with `-v`.
fn procfile(
    file: &str,
    v6: bool,
    verbose: bool,
    db: &dyn crate::backend::netdb::Netdb,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let text = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).map(|_| b)
    } else {
        std::fs::read(file)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            let msg = crate::backend::nat::Errno::from_io(&e);
            let _ = writeln!(err, "fopen({file}) failed: {msg}");
            return 0;
        }
    };
    let mut o = Out::default();
    let popts = PrintOpts {
        v6,
        unresolved: None,
    };
    let r = parser::parse(&text, Options { v6 }, db, &mut |e| match e {
        Event::Rule(r) if verbose => printfr(&mut o, db, &r.rule, &popts),
        Event::Rule(_) | Event::Loopback(_) => {}
        Event::Stderr(m) => {
            let _ = out.write_all(&o.out);
            o.out.clear();
            let _ = err.write_all(&m);
        }
    });
    let _ = out.write_all(&o.out);
    match r {
        Ok(()) => 0,
        Err(e) => {
            let _ = out.flush();
            let _ = err.write_all(&e.to_bytes());
            1
        }
    }
}
