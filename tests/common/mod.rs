//! The integration-test harness: runs the built `xbow` binary against the
//! sim backend (a fresh state file per test); with
//! `XBOW_TEST_BACKEND=illumos`, against the real kernel on links named with
//! a per-run prefix, which are deleted again when the test ends; with
//! `XBOW_TEST_BACKEND=linux`, against the Linux kernel inside a network
//! namespace of the test's own (entered with `nsenter`), deleted with
//! everything in it when the test ends.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const XBOW: &str = env!("CARGO_BIN_EXE_xbow");

/// What one run printed.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Assert success with no diagnostics.
    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(
            (self.code, self.stderr.as_str()),
            (0, ""),
            "stdout: {}",
            self.stdout
        );
        self
    }

    /// Assert exit status 1, nothing on stdout and exactly `stderr`.
    #[track_caller]
    pub fn fails_with(&self, stderr: &str) {
        assert_eq!(self.stderr, stderr);
        assert_eq!(self.code, 1, "exit status");
        assert_eq!(self.stdout, "");
    }
}

pub struct Env {
    pub illumos: bool,
    /// The Linux backend: the network namespace xbow runs in.
    pub linux: Option<String>,
    /// Prepended to every link name a test creates.
    pub prefix: String,
    dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let backend = std::env::var("XBOW_TEST_BACKEND").unwrap_or_default();
        let illumos = backend == "illumos";
        let linux = (backend == "linux").then(new_netns);
        let prefix = std::env::var("XBOW_TEST_PREFIX").unwrap_or_else(|_| "xbt".into());
        Env {
            illumos,
            linux,
            prefix,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A sim-only environment (the test is skipped on a real kernel).
    pub fn sim_only() -> Option<Env> {
        let real = matches!(
            std::env::var("XBOW_TEST_BACKEND").as_deref(),
            Ok("illumos" | "linux")
        );
        (!real).then(Env::new)
    }

    /// The sim or Linux (the test is skipped on illumos, where
    /// illumos-ci compares with the system's own tool instead).
    pub fn not_illumos() -> Option<Env> {
        let e = Env::new();
        (!e.illumos).then_some(e)
    }

    /// Whether links can be persistent. On Linux every link is temporary
    /// (xbow-linux(7): there is no dlmgmtd; the spec is the persistent
    /// configuration), so persistence checks are illumos and sim only.
    pub fn keeps_persistent(&self) -> bool {
        self.linux.is_none()
    }

    /// Whether `priority` can be other than `high` (not on Linux, which
    /// refuses it: xbow-linux(7)).
    pub fn has_priority(&self) -> bool {
        self.linux.is_none()
    }

    /// Whether NAT rules can name an application proxy (not on Linux,
    /// whose backend refuses them: xbow-linux(7)).
    pub fn has_proxies(&self) -> bool {
        self.linux.is_none()
    }

    /// Whether VLAN links can be made over a physical link: everywhere
    /// but on a Linux kernel without 802.1Q (the `8021q` module).
    pub fn has_vlans(&self) -> bool {
        let Some(ns) = &self.linux else { return true };
        let ip = |args: &[&str]| {
            Command::new("ip")
                .arg("-n")
                .arg(ns)
                .args(args)
                .output()
                .is_ok_and(|o| o.status.success())
        };
        ip(&[
            "link", "add", "xbvp0", "type", "veth", "peer", "name", "xbvp1",
        ]);
        let ok = ip(&[
            "link", "add", "link", "xbvp0", "name", "xbvp0.9", "type", "vlan", "id", "9",
        ]);
        ip(&["link", "delete", "xbvp0"]);
        ok
    }

    /// Whether the test runs against a real kernel.
    pub fn real(&self) -> bool {
        self.illumos || self.linux.is_some()
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join("sim.json")
    }

    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// A link name with the per-run prefix.
    pub fn n(&self, base: &str) -> String {
        format!("{}{}", self.prefix, base)
    }

    pub fn cmd(&self) -> Command {
        let mut c = match &self.linux {
            Some(ns) => {
                let mut c = Command::new("nsenter");
                c.arg(format!("--net=/run/netns/{ns}")).arg(XBOW);
                c
            }
            None => Command::new(XBOW),
        };
        c.env_remove("POSIXLY_CORRECT").env("LC_ALL", "C");
        if self.linux.is_some() {
            c.env("XBOW_BACKEND", "linux")
                .env("XBOW_LINUX_STATE", self.dir.path().join("linux.json"));
        } else if self.illumos {
            c.env("XBOW_BACKEND", "illumos");
        } else {
            c.env("XBOW_BACKEND", "sim")
                .env("XBOW_SIM_STATE", self.state_path());
        }
        c
    }

    /// Start `xbow ARGS…` and `kill -9` it after `after` (or once it has
    /// ended, if it ends sooner).
    pub fn killed_after(&self, args: &[&str], after: std::time::Duration) {
        let mut child = self
            .cmd()
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn xbow");
        std::thread::sleep(after);
        let _ = child.kill();
        let _ = child.wait();
    }

    /// `xbow ARGS…`.
    pub fn xbow(&self, args: &[&str]) -> Run {
        self.cmd().args(args).output().expect("run xbow").into()
    }

    /// `xbow dladm ARGS…`.
    pub fn dladm(&self, args: &[&str]) -> Run {
        let mut v = vec!["dladm"];
        v.extend_from_slice(args);
        self.xbow(&v)
    }

    /// A physical link to build on: on the sim, `NAME` is declared with the
    /// given speed; on illumos it is `XBOW_TEST_PHYS`; on Linux, one end of
    /// a veth pair in the test's namespace (the other end's name is not a
    /// datalink name, so it is not a link to xbow).
    pub fn phys(&self, name: &str, speed: u64) -> String {
        if let Some(ns) = &self.linux {
            let peer = format!("{name}x");
            ip(&[
                "-n", ns, "link", "add", name, "type", "veth", "peer", "name", &peer,
            ]);
            ip(&["-n", ns, "link", "set", name, "up"]);
            ip(&["-n", ns, "link", "set", &peer, "up"]);
            return name.to_string();
        }
        if self.illumos {
            return std::env::var("XBOW_TEST_PHYS").expect("XBOW_TEST_PHYS names a physical link");
        }
        self.xbow(&["sim", "add-phys", name, "--speed", &speed.to_string()])
            .ok();
        name.to_string()
    }
}

impl Drop for Env {
    /// On illumos, delete whatever this test created (VNICs first), even
    /// when it failed.
    fn drop(&mut self) {
        if let Some(ns) = &self.linux {
            // The test's namespace, and the zones' namespaces a failed test
            // left (tests name their zones after it).
            let mut names = vec![ns.clone()];
            if let Ok(dir) = std::fs::read_dir("/run/netns") {
                names.extend(
                    dir.flatten()
                        .filter_map(|e| e.file_name().into_string().ok())
                        // `{ns}ka`, never another test's `{ns}0`.
                        .filter(|n| {
                            n.strip_prefix(ns.as_str())
                                .and_then(|rest| rest.chars().next())
                                .is_some_and(|c| !c.is_ascii_digit())
                        }),
                );
            }
            for n in names {
                let _ = Command::new("ip").args(["netns", "delete", &n]).status();
            }
            return;
        }
        if !self.illumos {
            return;
        }
        let list = |cmd: &str| -> Vec<String> {
            self.dladm(&[cmd, "-P", "-p", "-o", "link"])
                .stdout
                .lines()
                .chain(self.dladm(&[cmd, "-p", "-o", "link"]).stdout.lines())
                .filter(|l| l.starts_with(&self.prefix))
                .map(String::from)
                .collect()
        };
        for v in list("show-vlan") {
            self.dladm(&["delete-vlan", &v]);
        }
        for v in list("show-vnic") {
            self.dladm(&["delete-vnic", &v]);
        }
        for s in list("show-etherstub") {
            self.dladm(&["delete-etherstub", &s]);
        }
    }
}

/// Whether an end-to-end test named `test` can run here: as root, with
/// `ip`, `tc`, `nft` and `nsenter`, and none of `zones` already a network
/// namespace. Where it cannot, it is skipped with a note — or fails when
/// `XBOW_E2E=1` says it must run.
#[cfg(target_os = "linux")]
pub fn e2e_can_run(test: &str, zones: &[&str]) -> bool {
    let required = std::env::var("XBOW_E2E").is_ok_and(|v| v == "1");
    let missing = if !nix::unistd::geteuid().is_root() {
        Some("root".to_string())
    } else {
        ["ip", "tc", "nft", "nsenter"]
            .into_iter()
            .find(|t| Command::new(t).arg("-V").output().is_err())
            .map(|t| format!("the {t} command"))
    };
    if let Some(m) = missing {
        assert!(!required, "XBOW_E2E=1 but this test needs {m}");
        eprintln!("{test}: skipped: needs {m} (XBOW_E2E=1 makes this a failure)");
        return false;
    }
    for z in zones {
        assert!(
            !xbow::backend::linux::netns::exists(z),
            "a network namespace {z} exists already; this test needs the name for zone {z}"
        );
    }
    true
}

/// Run `ip ARGS…`, which must succeed.
#[track_caller]
pub fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh network namespace for one test.
fn new_netns() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let name = format!("xbt{}n{n}", std::process::id());
    ip(&["netns", "add", &name]);
    name
}

/// The golden file `tests/golden/NAME`.
pub fn golden(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// `xbow TOOL ARGS…` (a drop-in: `ipf`, `ipfstat`, `ipnat`).
fn tool(env: &Env, tool: &str, args: &[&str]) -> Run {
    let mut v = vec![tool];
    v.extend_from_slice(args);
    env.xbow(&v)
}

/// `xbow ipf ARGS…`.
pub fn ipf(env: &Env, args: &[&str]) -> Run {
    tool(env, "ipf", args)
}

/// `xbow ipfstat ARGS…`.
pub fn ipfstat(env: &Env, args: &[&str]) -> Run {
    tool(env, "ipfstat", args)
}

/// `xbow ipnat ARGS…`.
pub fn ipnat(env: &Env, args: &[&str]) -> Run {
    tool(env, "ipnat", args)
}

/// Write `text` to file `name` of the test's directory; its path.
pub fn write(env: &Env, name: &str, text: &str) -> String {
    let p = env.dir().join(name);
    std::fs::write(&p, text).expect("write a test file");
    p.display().to_string()
}

/// Write a net spec (`spec.json` of the test's directory); its path.
pub fn write_spec(env: &Env, spec: &str) -> String {
    write(env, "spec.json", spec)
}

/// The sim's state file as JSON (an empty state before the first change).
pub fn sim_state(env: &Env) -> serde_json::Value {
    match std::fs::read_to_string(env.state_path()) {
        Ok(t) => serde_json::from_str(&t).expect("the state is JSON"),
        Err(_) => serde_json::json!({"version": 1, "links": []}),
    }
}

/// The hit count `ipfstat -h` prints before `rule`.
#[track_caller]
pub fn hits(listing: &str, rule: &str) -> u64 {
    listing
        .lines()
        .find_map(|l| {
            let (n, r) = l.split_once(' ')?;
            (r == rule).then(|| n.parse().expect("hits"))
        })
        .unwrap_or_else(|| panic!("no `{rule}` in\n{listing}"))
}

/// The input packets `ipfstat` says were blocked.
#[track_caller]
pub fn blocked_in(stats: &str) -> u64 {
    stats
        .lines()
        .find_map(|l| l.strip_prefix(" input packets:\t\tblocked "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no input packets line in\n{stats}"))
}
