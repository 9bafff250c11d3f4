//! The sim state file: a versioned JSON document, read and replaced under
//! an exclusive `flock` with an atomic rename, never overwritten when it
//! cannot be understood.

use super::Kernel;
use super::state::{STATE_VERSION, SimState};
use crate::backend::files::{self, FileError};
use crate::backend::{DlError, DlResult};
use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
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
    /// Whether this process has removed the temporary files that killed
    /// runs left.
    swept: Arc<AtomicBool>,
    /// A run of changes held in memory under the lock and stored once
    /// ([`StateFile::begin_batch`]); shared by every clone.
    batch: Arc<Mutex<Option<Batch>>>,
}

/// The state of a batch of changes, and the lock held for it.
#[derive(Debug)]
struct Batch {
    _locked: Locked,
    /// The state the kernel holds (a kernel-backed state only): the
    /// batch's changes are made in the kernel when it is stored.
    base: Option<SimState>,
    state: Arc<SimState>,
    /// A change was made.
    dirty: bool,
    /// A change failed, perhaps halfway: the batch is not stored.
    failed: bool,
}

/// An open batch: [`BatchGuard::commit`] stores it; dropped without
/// that, it is discarded, and the state is as it was before the batch.
pub struct BatchGuard {
    file: StateFile,
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
        let m = fs::symlink_metadata(path).ok()?;
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
#[derive(Debug)]
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
            swept: Arc::default(),
            batch: Arc::default(),
        }
    }

    /// A state that `kernel` realizes: every change is made in the kernel
    /// before it is stored, and every read sees what the kernel owns.
    pub fn with_kernel(path: impl Into<PathBuf>, kernel: Arc<dyn Kernel>) -> StateFile {
        StateFile {
            path: path.into(),
            kernel: Some(kernel),
            written: Arc::default(),
            swept: Arc::default(),
            batch: Arc::default(),
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

    /// Take the exclusive lock that serializes every change: the lock file
    /// (mode 0600, in a directory of mode 0700 if xbow creates it) is
    /// waited for at most `XBOW_LOCK_TIMEOUT` seconds. The first lock a
    /// process takes removes the temporary files killed runs left.
    pub fn lock(&self) -> Result<Locked, DlError> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            files::create_private_dir(dir)
                .map_err(|e| self.err("cannot create its directory", e))?;
        }
        let lock_path = files::with_suffix(&self.path, ".lock");
        let f = files::open_lock(&lock_path).map_err(|e| {
            self.err(
                &format!("cannot open the lock file {}", lock_path.display()),
                e,
            )
        })?;
        let timeout = files::lock_timeout().map_err(|e| self.err("cannot lock", e))?;
        files::lock_within(&f, &lock_path, timeout).map_err(|e| self.err("cannot lock", e))?;
        if !self.swept.swap(true, Ordering::Relaxed) {
            files::remove_stale_temps(&self.path);
            files::remove_stale_temps(&self.journal_path());
        }
        let locked = Locked { _lock: f };
        self.recover(&locked)?;
        Ok(locked)
    }

    /// Where a change being made to the kernel is announced.
    fn journal_path(&self) -> PathBuf {
        files::with_suffix(&self.path, ".journal")
    }

    /// Announce that the kernel is being taken to `target` (the caller
    /// holds the lock): if the run is killed before [`end_intent`], the
    /// next one undoes whatever part of it was made.
    ///
    /// [`end_intent`]: StateFile::end_intent
    fn begin_intent(&self, _locked: &Locked, target: &SimState) -> Result<(), DlError> {
        let path = self.journal_path();
        let tmp = files::temp_path(&path);
        let mut created = false;
        let mut write = || -> Result<(), FileError> {
            let mut f = files::create_temp(&tmp)?;
            created = true;
            let text = serde_json::to_vec(target).map_err(std::io::Error::other)?;
            f.write_all(&text)?;
            Ok(fs::rename(&tmp, &path)?)
        };
        write().map_err(|e| {
            if created {
                let _ = fs::remove_file(&tmp);
            }
            self.err(&format!("cannot write {}", path.display()), e)
        })
    }

    /// The change announced by [`begin_intent`] is done (or undone).
    ///
    /// [`begin_intent`]: StateFile::begin_intent
    fn end_intent(&self, _locked: &Locked) {
        let _ = fs::remove_file(self.journal_path());
    }

    /// Holding the lock: if a run was killed while changing the kernel,
    /// bring the kernel back to the stored state, and say so.
    fn recover(&self, _locked: &Locked) -> Result<(), DlError> {
        let Some(k) = &self.kernel else {
            return Ok(());
        };
        let path = self.journal_path();
        let text = match files::read_owned(&path, files::STATE_MAX) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(()),
            Err(e) => return Err(self.err(&format!("cannot read {}", path.display()), e)),
        };
        let intended: SimState = serde_json::from_slice(&text).map_err(|e| {
            self.err(
                &format!(
                    "{} is not a change xbow announced (left untouched; remove it once the kernel is as the state says)",
                    path.display()
                ),
                e,
            )
        })?;
        let stored = self.read()?;
        let errors = k.recover(&intended, &stored);
        let _ = fs::remove_file(&path);
        let mut msg = format!(
            "xbow: {}: an earlier run was killed while it changed the kernel; its change was undone",
            self.path.display()
        );
        for e in &errors {
            msg.push_str(&format!("\nxbow: undoing it, this failed: {e}"));
        }
        eprintln!("{msg}");
        Ok(())
    }

    /// Start a batch: take the lock and hold the state in memory; every
    /// change through [`transact`](super::transact) goes to it, every read
    /// sees it, and [`BatchGuard::commit`] makes the kernel (if any) hold
    /// it and stores it, once — one difference of two states, announced in
    /// the journal, however many changes the run made.
    pub fn begin_batch(&self) -> Result<BatchGuard, DlError> {
        let locked = self.lock()?;
        let state = self.load()?;
        let base = self.kernel.as_ref().map(|_| state.clone());
        *self.batch.lock().unwrap_or_else(|e| e.into_inner()) = Some(Batch {
            _locked: locked,
            base,
            state: Arc::new(state),
            dirty: false,
            failed: false,
        });
        Ok(BatchGuard { file: self.clone() })
    }

    /// Holding the lock: make the kernel (if any) go from `old` to `new`
    /// and store `new`; the kernel and the file are left as they were
    /// when either fails. A run killed from the journal's writing to its
    /// removal is undone by the next one that takes the lock.
    pub(super) fn change(
        &self,
        locked: &Locked,
        old: Option<&SimState>,
        new: &SimState,
    ) -> DlResult<()> {
        let kernel = self.kernel.as_deref().zip(old);
        if let Some((k, old)) = kernel {
            self.begin_intent(locked, new)?;
            if let Err(e) = k.realize(old, new) {
                self.end_intent(locked);
                return Err(e);
            }
        }
        let r = self.store(locked, new);
        if r.is_err()
            && let Some((k, old)) = kernel
        {
            // Best effort: the kernel goes back to what the file says.
            let _ = k.realize(new, old);
        }
        if kernel.is_some() {
            self.end_intent(locked);
        }
        r
    }

    /// In a batch: `f` on its state. `None` when there is no batch.
    pub(super) fn in_batch<T>(
        &self,
        f: impl FnOnce(&mut SimState) -> DlResult<T>,
    ) -> Option<DlResult<T>> {
        let mut slot = self.batch.lock().unwrap_or_else(|e| e.into_inner());
        let b = slot.as_mut()?;
        if b.failed {
            return Some(Err(DlError::Backend(format!(
                "sim state {}: an earlier change of this run failed",
                self.path.display()
            ))));
        }
        let r = f(Arc::make_mut(&mut b.state));
        match &r {
            Ok(_) => b.dirty = true,
            Err(_) => b.failed = true,
        }
        Some(r)
    }

    /// The state, shared: in a batch its state without a copy.
    pub fn load_shared(&self) -> Result<Arc<SimState>, DlError> {
        if let Some(b) = self
            .batch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(Arc::clone(&b.state));
        }
        self.load().map(Arc::new)
    }

    /// Read the state (a missing file is the empty state), brought up to
    /// date with what the kernel owns.
    pub fn load(&self) -> Result<SimState, DlError> {
        if let Some(b) = self
            .batch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(SimState::clone(&b.state));
        }
        // A killed run's change is undone before anything reads the
        // kernel (a half-made link would look like a physical one).
        if self.kernel.is_some() && self.journal_path().exists() {
            drop(self.lock()?);
        }
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
        let text = match files::read_owned(&self.path, files::STATE_MAX) {
            Ok(Some(t)) => t,
            Ok(None) => return Ok(SimState::default()),
            Err(e @ FileError::Symlink) => return Err(self.symlink_err(e)),
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

    fn symlink_err(&self, e: FileError) -> DlError {
        DlError::Backend(format!("sim state {}: {e}", self.path.display()))
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
        // Renaming over a link would replace it, and its target would
        // silently stop being updated.
        if fs::symlink_metadata(&self.path).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(self.symlink_err(FileError::Symlink));
        }
        let tmp = files::temp_path(&self.path);
        let mut created = false;
        let mut write = || -> Result<(), FileError> {
            let mut f: File = files::create_temp(&tmp)?;
            created = true;
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
            Ok(fs::rename(&tmp, &self.path)?)
        };
        write().map_err(|e| {
            // Never remove what someone else put there.
            if created {
                let _ = fs::remove_file(&tmp);
            }
            self.err(&format!("cannot write {}", tmp.display()), e)
        })?;
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        *written = Stamp::of(&self.path).map(|s| (s, state.clone()));
        Ok(())
    }
}

impl BatchGuard {
    /// Make the kernel (if any) hold the batch and store it (if anything
    /// changed and nothing failed), and release the lock. On failure the
    /// kernel and the file are as they were before the batch. (The commit
    /// is one change for `XBOW_SIM_FAIL_AT`.)
    pub fn commit(self) -> Result<(), DlError> {
        let b = self
            .file
            .batch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        match b {
            Some(b) if b.failed => Err(DlError::Backend(format!(
                "sim state {}: a change of this run failed; nothing was stored",
                self.file.path.display()
            ))),
            Some(b) if b.dirty => {
                super::injected_failure()?;
                self.file.change(&b._locked, b.base.as_ref(), &b.state)
            }
            _ => Ok(()),
        }
    }
}

impl Drop for BatchGuard {
    fn drop(&mut self) {
        self.file
            .batch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
    }
}
