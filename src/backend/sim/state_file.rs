//! The sim state file: a versioned JSON document, read and replaced under
//! an exclusive `flock` with an atomic rename, never overwritten when it
//! cannot be understood.

use super::Kernel;
use super::state::{STATE_VERSION, SimState};
use crate::backend::DlError;
use std::fs::{self, File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// Where the state lives, and the kernel (if any) that makes it real.
#[derive(Debug, Clone)]
pub struct StateFile {
    path: PathBuf,
    kernel: Option<Arc<dyn Kernel>>,
    /// The state this process last wrote, and the file it wrote it to: a
    /// read of that same file (no one has replaced it since) need not
    /// parse it again.
    written: Arc<Mutex<Option<(Stamp, SimState)>>>,
}

/// What tells one file from another: a replaced file has another inode,
/// and a reused inode number another change time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    dev: u64,
    ino: u64,
    len: u64,
    ctime: (i64, i64),
    mtime: (i64, i64),
}

impl Stamp {
    fn of(path: &Path) -> Option<Stamp> {
        let m = fs::metadata(path).ok()?;
        Some(Stamp {
            dev: m.dev(),
            ino: m.ino(),
            len: m.len(),
            ctime: (m.ctime(), m.ctime_nsec()),
            mtime: (m.mtime(), m.mtime_nsec()),
        })
    }
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
            written: Arc::default(),
        }
    }

    /// A state that `kernel` realizes: every change is made in the kernel
    /// before it is stored, and every read sees what the kernel owns.
    pub fn with_kernel(path: impl Into<PathBuf>, kernel: Arc<dyn Kernel>) -> StateFile {
        StateFile {
            path: path.into(),
            kernel: Some(kernel),
            written: Arc::default(),
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
        if let Some((stamp, st)) = self
            .written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && Stamp::of(&self.path) == Some(*stamp)
        {
            return Ok(st.clone());
        }
        let text = match fs::read(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(SimState::default()),
            Err(e) => return Err(self.err("cannot read", e)),
        };
        // Parse straight into the state (one pass); only when that fails,
        // look at the document again to say why.
        match serde_json::from_slice::<SimState>(&text) {
            Ok(st) if st.version == STATE_VERSION => super::check::checked(&self.path, st),
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
            // The sim's file is for people to read; a kernel's is rewritten
            // at every change of a large network, so it is compact.
            let mut text = if self.kernel.is_none() {
                serde_json::to_vec_pretty(state)
            } else {
                serde_json::to_vec(state)
            }
            .map_err(std::io::Error::other)?;
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
        })?;
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        *written = Stamp::of(&self.path).map(|s| (s, state.clone()));
        Ok(())
    }
}
