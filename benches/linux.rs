//! The Linux backend against iproute2: 500 VNICs on one etherstub, made by
//! `xbow net up` (one process, `XBOW_BACKEND=linux`) and by `ip -batch`
//! with the same links (a bridge; 500 veth pairs with the VNIC's MAC and
//! MTU 9000, each peer an aliased bridge port; everything up). xbow gives
//! its links no IPv6 (a datalink has no IP until plumbed); `ip` users get
//! IPv6 autoconfiguration on every link unless they turn it off, so `ip
//! -batch` runs twice: as typed, and in a namespace whose new links have
//! IPv6 off (the end state xbow makes). Each sample
//! runs in a fresh network namespace; only the command is timed. At the
//! end it prints the ratio of the mean times. Needs root (and `ip`,
//! `nsenter`); without them it says so and measures nothing.

#[cfg(target_os = "linux")]
mod linux {
    use criterion::{Criterion, criterion_group};
    use std::path::Path;
    use std::process::Command;
    use std::time::{Duration, Instant};

    const N: usize = 500;
    /// How long the kernel gets to finish deleting a namespace.
    const SETTLE: Duration = Duration::from_secs(4);

    fn run(cmd: &mut Command) {
        let out = cmd.output().expect("spawn");
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn ip(args: &[&str]) {
        run(Command::new("ip").args(args));
    }

    fn mac(i: usize) -> String {
        format!("2:8:20:0:{:x}:{:x}", i >> 8, i & 0xff)
    }

    /// The spec: etherstub0 and vnic1..vnic500 with fixed MACs.
    fn spec(dir: &Path) -> std::path::PathBuf {
        let vnics: Vec<String> = (1..=N)
            .map(|i| {
                format!(
                    r#"{{"name": "vnic{i}", "over": "etherstub0", "mac": "{}"}}"#,
                    mac(i)
                )
            })
            .collect();
        let p = dir.join("vnics.json");
        let text = format!(
            r#"{{"etherstubs": ["etherstub0"], "vnics": [{}]}}"#,
            vnics.join(",")
        );
        std::fs::write(&p, text).expect("write spec");
        p
    }

    /// The same links as an `ip -batch` file (xbow numbers link ids from the
    /// etherstub's, so vnic I's peer is xbp.(I+1)).
    fn batch(dir: &Path) -> std::path::PathBuf {
        let mut s = String::from(
            "link add etherstub0 mtu 9000 type bridge stp_state 0 forward_delay 0\n\
             link set etherstub0 alias xbow-etherstub up\n",
        );
        for i in 1..=N {
            let peer = format!("xbp.{}", i + 1);
            s.push_str(&format!(
                "link add vnic{i} address {} mtu 9000 type veth peer name {peer} mtu 9000\n\
                 link set {peer} alias xbow-peer master etherstub0 up\n\
                 link set vnic{i} up\n",
                mac(i)
            ));
        }
        let p = dir.join("batch.txt");
        std::fs::write(&p, s).expect("write batch");
        p
    }

    /// The time of every run of one command, warm-up included.
    #[derive(Debug, Default, Clone, Copy)]
    struct Total {
        secs: f64,
        runs: u64,
    }

    impl std::ops::AddAssign<(f64, u64)> for Total {
        fn add_assign(&mut self, (secs, runs): (f64, u64)) {
            self.secs += secs;
            self.runs += runs;
        }
    }

    impl Total {
        fn mean(&self) -> f64 {
            self.secs / self.runs.max(1) as f64
        }
    }

    /// Time `cmd` in a fresh namespace `ns`, `iters` times. Deleting a
    /// namespace with a thousand links goes on in the kernel after `ip
    /// netns delete` returns; each run waits for the machine to settle
    /// first, so that neither command pays for the other's clean-up.
    fn timed(ns: &str, iters: u64, no_ipv6: bool, mut cmd: impl FnMut() -> Command) -> Duration {
        let mut total = Duration::ZERO;
        for _ in 0..iters {
            let _ = Command::new("ip").args(["netns", "delete", ns]).status();
            ip(&["netns", "add", ns]);
            if no_ipv6 {
                run(Command::new("ip")
                    .args(["netns", "exec", ns, "sh", "-c"])
                    .arg("echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6"));
            }
            let mut c = cmd();
            let t = Instant::now();
            run(&mut c);
            total += t.elapsed();
            ip(&["netns", "delete", ns]);
            std::thread::sleep(SETTLE);
        }
        total
    }

    fn bench(c: &mut Criterion) {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("linux bench: skipped: needs root");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let (spec, batch) = (spec(dir.path()), batch(dir.path()));
        let ns = format!("xbb{}", std::process::id());
        // The state on tmpfs, as /run is on a systemd host (xbow's default
        // /run/xbow/linux.json).
        let shm = tempfile::tempdir_in("/dev/shm").expect("tempdir in /dev/shm");
        let state = shm.path().join("linux.json");
        let mut g = c.benchmark_group("linux 500 vnics on an etherstub");
        g.sample_size(10)
            .sampling_mode(criterion::SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(1))
            .measurement_time(Duration::from_secs(1));
        let mut totals = [Total::default(); 3];
        for (k, (label, no_ipv6)) in [
            ("ip -batch", false),
            ("ip -batch, IPv6 off (xbow's end state)", true),
        ]
        .into_iter()
        .enumerate()
        {
            g.bench_function(label, |b| {
                b.iter_custom(|iters| {
                    let d = timed(&ns, iters, no_ipv6, || {
                        let mut c = Command::new("ip");
                        c.args(["-n", &ns, "-batch"]).arg(&batch);
                        c
                    });
                    totals[k] += (d.as_secs_f64(), iters);
                    d
                })
            });
        }
        g.bench_function("xbow net up", |b| {
            b.iter_custom(|iters| {
                let d = timed(&ns, iters, false, || {
                    let _ = std::fs::remove_file(&state);
                    let mut c = Command::new("nsenter");
                    c.arg(format!("--net=/run/netns/{ns}"))
                        .arg(env!("CARGO_BIN_EXE_xbow"))
                        .args(["net", "up"])
                        .arg(&spec)
                        .env("XBOW_BACKEND", "linux")
                        .env("XBOW_LINUX_STATE", &state);
                    c
                });
                totals[2] += (d.as_secs_f64(), iters);
                d
            })
        });
        g.finish();
        let [ip, ip_no_v6, xbow] = totals.map(|t| t.mean());
        eprintln!(
            "linux bench: mean of every run ({} each): ip -batch {:.1} ms, ip -batch with IPv6 off {:.1} ms, xbow net up {:.1} ms: xbow / ip = {:.2}, xbow / ip with IPv6 off = {:.2}",
            totals[2].runs,
            ip * 1e3,
            ip_no_v6 * 1e3,
            xbow * 1e3,
            xbow / ip,
            xbow / ip_no_v6
        );
    }

    criterion_group!(benches, bench);
}

#[cfg(target_os = "linux")]
criterion::criterion_main!(linux::benches);

#[cfg(not(target_os = "linux"))]
fn main() {}
