//! dladm performance: rendering show-vnic for 10,000 VNICs, and show-vnic
//! end to end (state file read, listing, rendering) over sim states of
//! 1,000 to 10,000 VNICs, in process and as a separate process.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use xbow::backend::sim::{LinkConf, SimDatalink, SimState, StateFile};
use xbow::backend::{Datalink, DlResult};
use xbow::dladm::VNIC_FIELDS;
use xbow::model::link::{LinkClass, MacAddrType};
use xbow::model::mac::MacAddr;
use xbow::ofmt::{Cell, Flags, Ofmt};

/// A state with one etherstub and `n` VNICs on it.
fn state(n: u32) -> SimState {
    let mut st = SimState::default();
    let stub = st.insert(
        "stub0",
        LinkClass::Etherstub,
        Some(LinkConf::default()),
        Some(LinkConf::default()),
    );
    for i in 0..n {
        let b = i.to_be_bytes();
        let conf = LinkConf {
            over: Some(stub),
            mac_type: Some(MacAddrType::Random),
            mac: MacAddr::from_bytes(&[2, 8, 0x20, b[1], b[2], b[3]]),
            ..LinkConf::default()
        };
        st.insert(
            &format!("vnic{i}"),
            LinkClass::Vnic,
            Some(conf.clone()),
            Some(conf),
        );
    }
    st
}

fn render(c: &mut Criterion) {
    let rows: Vec<Vec<Cell>> = (0..10_000)
        .map(|i| {
            vec![
                Cell::Val(format!("vnic{i}")),
                "stub0".into(),
                "0".into(),
                Cell::Val(format!(
                    "2:8:20:{:x}:{:x}:{:x}",
                    i >> 16 & 255,
                    i >> 8 & 255,
                    i & 255
                )),
                "random".into(),
                "0".into(),
            ]
        })
        .collect();
    c.bench_function("render show-vnic 10000 rows", |b| {
        b.iter(|| {
            let (mut o, _) = Ofmt::open(None, VNIC_FIELDS, Flags::default(), 24).unwrap();
            let mut out = Vec::with_capacity(1 << 20);
            for r in &rows {
                o.print(&mut out, r).unwrap();
            }
            black_box(out)
        })
    });
}

fn end_to_end(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut g = c.benchmark_group("show-vnic end to end");
    g.sample_size(30);
    for n in [1_000u32, 5_000, 10_000] {
        let path = dir.path().join(format!("sim{n}.json"));
        let file = StateFile::new(&path);
        let lock = file.lock().unwrap();
        file.store(&lock, &state(n)).unwrap();
        drop(lock);
        let args: Vec<String> = ["dladm", "show-vnic"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        g.bench_with_input(BenchmarkId::new("in process", n), &n, |b, _| {
            b.iter(|| {
                let mut out = Vec::with_capacity(1 << 20);
                let mut err = Vec::new();
                let open = || -> DlResult<Box<dyn Datalink>> {
                    Ok(Box::new(SimDatalink::open(StateFile::new(&path))))
                };
                let code = xbow::dladm::run("dladm", &args, &mut out, &mut err, 24, open);
                assert_eq!(code, 0);
                black_box(out)
            })
        });
        g.bench_with_input(BenchmarkId::new("process", n), &n, |b, _| {
            b.iter(|| {
                let o = std::process::Command::new(env!("CARGO_BIN_EXE_xbow"))
                    .args(["dladm", "show-vnic"])
                    .env("XBOW_BACKEND", "sim")
                    .env("XBOW_SIM_STATE", &path)
                    .output()
                    .unwrap();
                assert!(o.status.success());
                black_box(o.stdout)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, render, end_to_end);
criterion_main!(benches);
