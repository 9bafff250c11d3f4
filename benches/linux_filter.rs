//! The packet filter on the Linux kernel against nftables: `n` ipf rules
//! (1,000, 4,000, 10,000) loaded with `xbow ipf -Fa -f` (parse, translate
//! to IP Filter's last-match semantics, one `nft -j -f -` transaction,
//! state written) and the same decisions written by hand for nftables
//! (`nft -f`, first match: one rule per ipf rule, in reverse order), both
//! into an empty namespace of their own. Each sample flushes what the one
//! before loaded; only the command is timed. At the end it prints the
//! mean times and their ratio per size. Needs root (and `ip`, `nft`,
//! `nsenter`); without them it says so and measures nothing.

#[cfg(target_os = "linux")]
mod linux {
    use criterion::{Criterion, criterion_group};
    use std::path::{Path, PathBuf};
    use std::process::Command;
    use std::time::{Duration, Instant};

    fn run(cmd: &mut Command) {
        let out = cmd.output().expect("spawn");
        assert!(
            out.status.success(),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Rule `i` of the set: a block of a source network and a quick pass
    /// of a TCP port, in turn.
    fn rule(i: usize) -> (String, String) {
        let (a, b) = ((i >> 8) & 0xff, i & 0xff);
        if i.is_multiple_of(2) {
            (
                format!("block in on eth0 from 10.{a}.{b}.0/24 to any"),
                format!("iifname \"eth0\" ip saddr 10.{a}.{b}.0/24 drop"),
            )
        } else {
            let port = 1 + i % 60000;
            (
                format!("pass in quick on eth0 proto tcp from any to any port = {port}"),
                format!("iifname \"eth0\" tcp dport {port} accept"),
            )
        }
    }

    /// The ipf.conf and the nftables file of `n` rules.
    fn files(dir: &Path, n: usize) -> (PathBuf, PathBuf) {
        let (ipf, nft): (Vec<String>, Vec<String>) = (0..n).map(rule).unzip();
        let conf = dir.join(format!("ipf-{n}.conf"));
        std::fs::write(&conf, ipf.join("\n") + "\n").expect("write");
        // First match: the rules a user writes for the same decisions
        // (IP Filter's last match, quick rules first).
        let mut body: Vec<&String> = nft.iter().skip(1).step_by(2).collect();
        body.extend(nft.iter().step_by(2).rev());
        let text = format!(
            "table inet bench\ndelete table inet bench\ntable inet bench {{\n  chain in {{\n    type filter hook prerouting priority 0; policy accept;\n{}\n  }}\n}}\n",
            body.iter()
                .map(|r| format!("    {r}"))
                .collect::<Vec<_>>()
                .join("\n")
        );
        let nft = dir.join(format!("nft-{n}.nft"));
        std::fs::write(&nft, text).expect("write");
        (conf, nft)
    }

    #[derive(Default, Clone, Copy)]
    struct Total {
        secs: f64,
        runs: u64,
    }

    fn bench(c: &mut Criterion) {
        if !nix::unistd::geteuid().is_root() {
            eprintln!("linux_filter bench: skipped: needs root");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let ns = format!("xbf{}", std::process::id());
        run(Command::new("ip").args(["netns", "add", &ns]));
        let shm = tempfile::tempdir_in("/dev/shm").expect("tempdir in /dev/shm");
        let state = shm.path().join("linux.json");
        let xbow = |args: &[&str]| {
            let mut c = Command::new("nsenter");
            c.arg(format!("--net=/run/netns/{ns}"))
                .arg(env!("CARGO_BIN_EXE_xbow"))
                .args(args)
                .env("XBOW_BACKEND", "linux")
                .env("XBOW_LINUX_STATE", &state);
            c
        };
        let mut report = Vec::new();
        for n in [1_000, 4_000, 10_000] {
            let (conf, nft) = files(dir.path(), n);
            let conf = conf.to_str().expect("utf-8").to_string();
            let mut g = c.benchmark_group(format!("linux filter {n} rules"));
            g.sample_size(10)
                .sampling_mode(criterion::SamplingMode::Flat)
                .warm_up_time(Duration::from_millis(1))
                .measurement_time(Duration::from_secs(2));
            let mut totals = [Total::default(); 2];
            g.bench_function("nft -f", |b| {
                b.iter_custom(|iters| {
                    let mut d = Duration::ZERO;
                    for _ in 0..iters {
                        let t = Instant::now();
                        run(Command::new("ip")
                            .args(["netns", "exec", &ns, "nft", "-f"])
                            .arg(&nft));
                        d += t.elapsed();
                    }
                    run(Command::new("ip").args(["netns", "exec", &ns, "nft", "flush", "ruleset"]));
                    totals[0].secs += d.as_secs_f64();
                    totals[0].runs += iters;
                    d
                })
            });
            g.bench_function("xbow ipf -Fa -f", |b| {
                b.iter_custom(|iters| {
                    let mut d = Duration::ZERO;
                    for _ in 0..iters {
                        run(&mut xbow(&["ipf", "-Fa"]));
                        let t = Instant::now();
                        run(&mut xbow(&["ipf", "-Fa", "-f", &conf]));
                        d += t.elapsed();
                    }
                    totals[1].secs += d.as_secs_f64();
                    totals[1].runs += iters;
                    d
                })
            });
            g.finish();
            run(&mut xbow(&["ipf", "-Fa"]));
            let [nft_mean, xbow_mean] = totals.map(|t| t.secs / t.runs.max(1) as f64);
            report.push(format!(
                "{n} rules: nft -f {:.1} ms, xbow ipf -f {:.1} ms ({:.2}x)",
                nft_mean * 1e3,
                xbow_mean * 1e3,
                xbow_mean / nft_mean
            ));
        }
        let _ = Command::new("ip").args(["netns", "delete", &ns]).status();
        eprintln!(
            "linux_filter bench: mean of every run: {}",
            report.join("; ")
        );
    }

    criterion_group!(benches, bench);
}

#[cfg(target_os = "linux")]
criterion::criterion_main!(linux::benches);

#[cfg(not(target_os = "linux"))]
fn main() {}
