//! xbow net on the sim: plan, up and diagram (model, layout and SVG) for
//! 200 VNICs on 10 etherstubs with 50 zones, and the idempotent second up; and how `up` grows with the number
//! of VNICs (1k, 2k, 4k, 10k; aims: 10k from nothing under 2 s, the second
//! up under 200 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use std::path::Path;
use xbow::backend::sim::StateFile;
use xbow::net;

fn spec(dir: &Path) -> std::path::PathBuf {
    let stubs: Vec<String> = (0..10).map(|i| format!("\"stub{i}\"")).collect();
    let vnics: Vec<String> = (0..200)
        .map(|i| {
            format!(
                r#"{{"name": "vnic{i}", "over": "stub{}", "maxbw": "100M"}}"#,
                i % 10
            )
        })
        .collect();
    let zones: Vec<String> = (0..50)
        .map(|i| {
            format!(
                r#"{{"name": "z{i}", "net": [{{"physical": "vnic{i}", "allowed-address": "10.0.{i}.2/24", "defrouter": "10.0.{i}.1"}}]}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"etherstubs": [{}], "vnics": [{}], "ipv4-forwarding": true, "zones": [{}]}}"#,
        stubs.join(","),
        vnics.join(","),
        zones.join(",")
    );
    let p = dir.join("big.json");
    std::fs::write(&p, text).unwrap();
    p
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let spec = spec(dir.path());
    let state = dir.path().join("sim.json");
    let mut g = c.benchmark_group("net 200 vnics 50 zones");
    g.sample_size(10);
    g.bench_function("plan", |b| {
        let mut h = net::sim_host(StateFile::new(&state));
        b.iter(|| {
            let n = net::load(&spec, &mut h).unwrap();
            net::plan_up(&n, &mut h).unwrap()
        })
    });
    g.bench_function("diagram", |b| {
        let mut h = net::sim_host(StateFile::new(&state));
        let o = net::diagram::Options::default();
        b.iter(|| {
            let d = net::diagram::build(&spec, &mut h, &o).unwrap();
            net::diagram::render(&d, false)
        })
    });
    g.bench_function("up from nothing", |b| {
        b.iter(|| {
            let _ = std::fs::remove_file(&state);
            let mut h = net::sim_host(StateFile::new(&state));
            net::up(&spec, &mut h, &mut std::io::sink()).unwrap();
        })
    });
    g.bench_function("second up", |b| {
        let _ = std::fs::remove_file(&state);
        let mut h = net::sim_host(StateFile::new(&state));
        net::up(&spec, &mut h, &mut std::io::sink()).unwrap();
        b.iter(|| {
            let mut h = net::sim_host(StateFile::new(&state));
            net::up(&spec, &mut h, &mut std::io::sink()).unwrap();
        })
    });
    g.finish();
}

/// `n` VNICs over `n / 1000` etherstubs.
fn flat_spec(dir: &Path, n: usize) -> std::path::PathBuf {
    let stubs = (n / 1000).max(1);
    let names: Vec<String> = (0..stubs).map(|i| format!("\"stub{i}\"")).collect();
    let vnics: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"name": "vnic{i}", "over": "stub{}"}}"#, i % stubs))
        .collect();
    let p = dir.join(format!("flat{n}.json"));
    std::fs::write(
        &p,
        format!(
            r#"{{"etherstubs": [{}], "vnics": [{}]}}"#,
            names.join(","),
            vnics.join(",")
        ),
    )
    .unwrap();
    p
}

fn scaling(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("sim.json");
    let mut g = c.benchmark_group("net up, n vnics");
    g.sample_size(10);
    for n in [1000, 2000, 4000, 10_000] {
        let spec = flat_spec(dir.path(), n);
        g.bench_function(format!("{n} from nothing"), |b| {
            b.iter(|| {
                let _ = std::fs::remove_file(&state);
                let mut h = net::sim_host(StateFile::new(&state));
                net::up(&spec, &mut h, &mut std::io::sink()).unwrap();
            })
        });
        g.bench_function(format!("{n} second up"), |b| {
            b.iter(|| {
                let mut h = net::sim_host(StateFile::new(&state));
                net::up(&spec, &mut h, &mut std::io::sink()).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench, scaling);
criterion_main!(benches);
