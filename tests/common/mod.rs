//! The integration-test harness: runs the built `xbow` binary against the
//! sim backend (a fresh state file per test) or, with
//! `XBOW_TEST_BACKEND=illumos`, against the real kernel on links named with
//! a per-run prefix, which are deleted again when the test ends.

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
    /// Prepended to every link name a test creates.
    pub prefix: String,
    dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        let illumos = std::env::var("XBOW_TEST_BACKEND").is_ok_and(|b| b == "illumos");
        let prefix = std::env::var("XBOW_TEST_PREFIX").unwrap_or_else(|_| "xbt".into());
        Env {
            illumos,
            prefix,
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A sim-only environment (the test is skipped on illumos).
    pub fn sim_only() -> Option<Env> {
        let e = Env::new();
        (!e.illumos).then_some(e)
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
        let mut c = Command::new(XBOW);
        c.env_remove("POSIXLY_CORRECT").env("LC_ALL", "C");
        if self.illumos {
            c.env("XBOW_BACKEND", "illumos");
        } else {
            c.env("XBOW_BACKEND", "sim")
                .env("XBOW_SIM_STATE", self.state_path());
        }
        c
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
    /// given speed; on illumos it is `XBOW_TEST_PHYS`.
    pub fn phys(&self, name: &str, speed: u64) -> String {
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
        for v in list("show-vnic") {
            self.dladm(&["delete-vnic", &v]);
        }
        for s in list("show-etherstub") {
            self.dladm(&["delete-etherstub", &s]);
        }
    }
}

/// The golden file `tests/golden/NAME`.
pub fn golden(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
