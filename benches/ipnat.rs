//! ipnat performance: parse a 100,000-rule `ipnat.conf` and print every
//! rule as `ipnat -nvf` does (aim: under 50 ms), and each half alone; the
//! same at 1,000 and 10,000 rules, to show how the cost grows.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use xbow::backend::sim::BuiltinNetdb;
use xbow::ipnat::parser::{Event, parse};
use xbow::ipnat::print::{Out, printnat};
use xbow::ipnat::rule::{NatRule, RuleCounters};

/// `n` rules of the common kinds, with comments between them.
fn config(n: u32) -> String {
    let mut s = String::with_capacity(n as usize * 80);
    for i in 0..n {
        let (a, b) = ((i >> 8) & 0xff, i & 0xff);
        match i % 5 {
            0 => s.push_str(&format!("map eri0 10.{a}.{b}.0/24 -> 0/32 portmap tcp/udp auto\n")),
            1 => s.push_str(&format!("map eri0 10.{a}.{b}.0/24 -> 0/32\n")),
            2 => s.push_str(&format!(
                "rdr eri0 192.0.2.{b}/32 port {} -> 10.{a}.{b}.1 port 80 tcp\n",
                1024 + (i % 60000)
            )),
            3 => s.push_str(&format!(
                "map le0 from 10.{a}.{b}.0/24 port > 1024 to any port = 21 -> 203.0.113.{b}/32 proxy port 21 ftp/tcp\n"
            )),
            _ => s.push_str(&format!("# rule group {i}\nbimap le0 172.16.{a}.{b}/32 -> 198.51.100.{b}/32\n")),
        }
    }
    s
}

fn parse_all(text: &str, n: u32) -> Vec<NatRule> {
    let mut rules = Vec::with_capacity(n as usize);
    parse(text.as_bytes(), &BuiltinNetdb, &mut |e| {
        if let Event::Rule(r) = e {
            rules.push(r.rule);
        }
    })
    .expect("the benchmark rules parse");
    rules
}

fn print_all(rules: &[NatRule]) -> usize {
    let mut o = Out::default();
    let c = RuleCounters::default();
    for r in rules {
        printnat(&mut o, &BuiltinNetdb, r, &c, false);
    }
    o.out.len()
}

fn bench(c: &mut Criterion) {
    for (n, name) in [
        (100_000, "ipnat_100k_rules"),
        (10_000, "ipnat_10k_rules"),
        (1_000, "ipnat_1k_rules"),
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
            b.iter(|| black_box(print_all(&parse_all(black_box(&text), n))))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
