//! ipf performance: parse a 100,000-rule `ipf.conf` and print every rule
//! as `ipf -nvf` does, each as it is parsed (aim: under 100 ms); parsing
//! alone, keeping every rule (as a backend loading them would), and
//! printing kept rules; the same at 1,000 and 10,000 rules, to show how
//! the cost grows.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use xbow::backend::sim::BuiltinNetdb;
use xbow::ipf::parser::{Event, Options, parse};
use xbow::ipf::print::{PrintOpts, printfr};
use xbow::ipf::rule::FilterRule;
use xbow::ipfilter::print::Out;

/// `n` rules of the common kinds, with comments between them.
fn config(n: u32) -> String {
    let mut s = String::with_capacity(n as usize * 90);
    for i in 0..n {
        let (a, b) = ((i >> 8) & 0xff, i & 0xff);
        match i % 5 {
            0 => s.push_str(&format!(
                "pass in quick on e1000g0 proto tcp from any to 10.{a}.{b}.0/24 port = {} flags S keep state\n",
                1 + i % 60000
            )),
            1 => s.push_str(&format!("block in log quick on e1000g0 from 192.168.{a}.{b}/32 to any\n")),
            2 => s.push_str(&format!(
                "pass out quick proto udp from 10.{a}.{b}.1 port > 1023 to any port = 53 keep state\n"
            )),
            3 => s.push_str(&format!(
                "block return-icmp(port-unr) in proto icmp from any to 172.16.{a}.{b}/32 icmp-type echo\n"
            )),
            _ => s.push_str(&format!("# rule group {i}\npass in on vnic{b} all head g{a} \n")),
        }
    }
    s
}

fn parse_all(text: &str, n: u32) -> Vec<FilterRule> {
    let mut rules = Vec::with_capacity(n as usize);
    parse(
        text.as_bytes(),
        Options::default(),
        &BuiltinNetdb,
        &mut |e| {
            if let Event::Rule(r) = e {
                rules.push(r.rule);
            }
        },
    )
    .expect("the benchmark rules parse");
    rules
}

fn print_all(rules: &[FilterRule]) -> usize {
    let mut o = Out::default();
    let opts = PrintOpts::default();
    for r in rules {
        printfr(&mut o, &BuiltinNetdb, r, &opts);
    }
    o.out.len()
}

/// `ipf -nvf`: each rule printed as the parser hands it on.
fn parse_and_print(text: &str) -> usize {
    let mut o = Out::default();
    let opts = PrintOpts::default();
    parse(
        text.as_bytes(),
        Options::default(),
        &BuiltinNetdb,
        &mut |e| {
            if let Event::Rule(r) = e {
                printfr(&mut o, &BuiltinNetdb, &r.rule, &opts);
            }
        },
    )
    .expect("the benchmark rules parse");
    o.out.len()
}

fn bench(c: &mut Criterion) {
    for (n, name) in [
        (100_000, "ipf_100k_rules"),
        (10_000, "ipf_10k_rules"),
        (1_000, "ipf_1k_rules"),
    ] {
        let text = config(n);
        let rules = parse_all(&text, n);
        assert_eq!(rules.len(), n as usize);
        let mut g = c.benchmark_group(name);
        g.sample_size(10);
        g.bench_function("parse", |b| {
            b.iter(|| black_box(parse_all(black_box(&text), n)))
        });
        g.bench_function("print", |b| {
            b.iter(|| black_box(print_all(black_box(&rules))))
        });
        g.bench_function("parse_and_print", |b| {
            b.iter(|| black_box(parse_and_print(black_box(&text))))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
