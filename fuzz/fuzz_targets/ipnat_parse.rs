//! Any bytes through the ipnat.conf lexer and parser: no panic, no hang,
//! and every rule reported prints.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xbow::ipnat::parser::{Event, parse};
use xbow::ipnat::print::{Out, printnat};
use xbow::ipnat::rule::RuleCounters;
use xbow_fuzz::FuzzDb;

fuzz_target!(|data: &[u8]| {
    let mut out = Out::default();
    let _ = parse(data, &FuzzDb, &mut |e| {
        if let Event::Rule(r) = e {
            printnat(&mut out, &FuzzDb, &r.rule, &RuleCounters::default(), true);
        }
    });
});
