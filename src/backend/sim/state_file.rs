//! The sim state file: a versioned JSON document, read and replaced under
//! an exclusive `flock` with an atomic rename, never overwritten when it
//! cannot be understood.

use super::Kernel;
use super::state::{STATE_VERSION, SimState};
use crate::backend::DlError;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where the state lives, and the kernel (if any) that makes it real.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
    kernel: Option<Arc<dyn Kernel>>,
}

/// The held lock; released on drop.
pub struct Locked {
    _lock: File,
}

impl StateFile {
    /// A state with no kernel behind it: the simulation.
    pub fn new(path: impl Into<PathBuf>) -> StateFile {
        StateFile {
            path: path.into(),
            kernel: None,
        }
    }

    /// A state that `kernel` realizes: every change is made in the kernel
    /// before it is stored, and every read sees what the kernel owns.
    pub fn with_kernel(path: impl Into<PathBuf>, kernel: Arc<dyn Kernel>) -> StateFile {
        StateFile {
            path: path.into(),
            kernel: Some(kernel),
        }
    }

    /// The kernel behind the state (`None` on the sim).
    pub fn kernel(&self) -> Option<&dyn Kernel> {
        self.kernel.as_deref()
    }

    /// `XBOW_SIM_STATE`, else `$XDG_STATE_HOME/xbow/sim.json`, else
    /// `~/.local/state/xbow/sim.json`.
    pub fn from_env() -> Result<StateFile, DlError> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        if let Some(p) = var("XBOW_SIM_STATE") {
            return Ok(StateFile::new(p));
        }
        if let Some(d) = var("XDG_STATE_HOME") {
            return Ok(StateFile::new(Path::new(&d).join("xbow/sim.json")));
        }
        if let Some(h) = var("HOME") {
            return Ok(StateFile::new(
                Path::new(&h).join(".local/state/xbow/sim.json"),
            ));
        }
        Err(DlError::Backend(
            "sim state: set XBOW_SIM_STATE (neither XDG_STATE_HOME nor HOME is set)".into(),
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, what: &str, e: impl std::fmt::Display) -> DlError {
        DlError::Backend(format!("sim state {}: {what}: {e}", self.path.display()))
    }

    /// Take the exclusive lock that serializes every change.
    pub fn lock(&self) -> Result<Locked, DlError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            fs::create_dir_all(dir).map_err(|e| self.err("cannot create its directory", e))?;
        }
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push(".lock");
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| self.err("cannot open the lock file", e))?;
        f.lock().map_err(|e| self.err("cannot lock", e))?;
        Ok(Locked { _lock: f })
    }

    /// Read the state (a missing file is the empty state), brought up to
    /// date with what the kernel owns.
    pub fn load(&self) -> Result<SimState, DlError> {
        let mut st = self.read()?;
        if let Some(k) = &self.kernel {
            k.observe(&mut st)?;
        }
        Ok(st)
    }

    fn read(&self) -> Result<SimState, DlError> {
        let text = match fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(SimState::default()),
            Err(e) => return Err(self.err("cannot read", e)),
        };
        // Parse straight into the state (one pass); only when that fails,
        // look at the document again to say why.
        match serde_json::from_slice::<SimState>(&text) {
            Ok(st) if st.version == STATE_VERSION => Ok(st),
            Ok(st) => Err(self.version_err(st.version.into())),
            Err(e) => match serde_json::from_slice::<serde_json::Value>(&text) {
                Err(_) => Err(self.err("not valid JSON (left untouched)", e)),
                Ok(v) => match v.get("version").and_then(serde_json::Value::as_u64) {
                    Some(v) if v != u64::from(STATE_VERSION) => Err(self.version_err(v)),
                    Some(_) => Err(self.err("invalid contents (left untouched)", e)),
                    None => Err(self.err("not a sim state (left untouched)", "no version")),
                },
            },
        }
    }

    fn version_err(&self, v: u64) -> DlError {
        self.err(
            "unsupported version (left untouched)",
            format!("version {v}, this xbow reads version {STATE_VERSION}"),
        )
    }

    /// Replace the state atomically (temporary file, fsync — not for a
    /// kernel's state, which a reboot forgets — and rename). The caller
    /// holds the lock.
    pub fn store(&self, _locked: &Locked, state: &SimState) -> Result<(), DlError> {
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(format!(".tmp.{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let write = || -> std::io::Result<()> {
            let mut f = File::create(&tmp)?;
            let mut text = serde_json::to_vec_pretty(state).map_err(std::io::Error::other)?;
            text.push(b'\n');
            f.write_all(&text)?;
            // A kernel's state is lost with the kernel: what a crash could
            // lose by not syncing is gone at the reboot anyway.
            if self.kernel.is_none() {
                f.sync_all()?;
            }
            fs::rename(&tmp, &self.path)
        };
        write().map_err(|e| {
            let _ = fs::remove_file(&tmp);
            self.err("cannot write", e)
        })
    }
}
