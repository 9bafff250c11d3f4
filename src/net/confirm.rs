//! Confirm-or-revert: `xbow net up SPEC --confirm SECONDS` applies the
//! spec, then undoes what it did unless `xbow net confirm` runs within
//! SECONDS — the remedy for changing the network under one's own ssh
//! session (JunOS `commit confirmed`, NetworkManager checkpoints).
//!
//! The change is recorded next to the `xbow net` lock: the spec, the
//! deadline, a token and the steps it ran. A watchdog (this binary again,
//! `xbow net watchdog`, in a session of its own so that closing the
//! terminal does not end it) waits for the deadline and undoes the steps
//! unless the record is gone. Any later `xbow net` command that finds an
//! overdue record (its watchdog was killed, the host rebooted) undoes it
//! itself, and while one waits, no other `up` or `down` runs.

use super::plan::Step;
use super::{Host, NetError, lock, run_steps};
use crate::backend::files;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A change that waits for `xbow net confirm`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pending {
    /// The spec file, as given to `up`.
    pub spec: String,
    /// When it is undone, in seconds since the epoch.
    pub deadline: u64,
    /// Which watchdog may undo it.
    pub token: u64,
    /// The watchdog's process id, once it runs.
    #[serde(default)]
    pub watchdog: Option<u32>,
    /// The steps `up` ran, in order.
    pub steps: Vec<Step>,
}

/// A change that was undone for want of confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reverted {
    pub spec: String,
    /// When, in seconds since the epoch.
    pub at: u64,
    /// The undo steps that failed, with why.
    pub errors: Vec<String>,
}

/// The record's size bound: a spec of 10,000 VNICs makes about 3 MB.
const MAX_RECORD: u64 = 64 << 20;

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn io_err(path: &Path, e: std::io::Error) -> NetError {
    NetError::Read(super::show_path(path), e)
}

fn file_err(path: &Path, e: files::FileError) -> NetError {
    NetError::File(super::show_path(path), e)
}

impl Host {
    fn reverted_path(&self) -> PathBuf {
        self.pending_path.with_extension("reverted")
    }
}

/// Read a JSON record (never through a link), `None` if there is none.
fn read_record<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, NetError> {
    let Some(bytes) = files::read_owned(path, MAX_RECORD).map_err(|e| file_err(path, e))? else {
        return Ok(None);
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        NetError::Failed(format!(
            "{}: not a record xbow can read ({e}); remove it once the host is as it should be",
            super::show_path(path)
        ))
    })
}

/// Write a JSON record atomically, mode 0600.
fn write_record<T: Serialize>(path: &Path, v: &T) -> Result<(), NetError> {
    let text = serde_json::to_string(v).map_err(|e| NetError::Failed(e.to_string()))?;
    let tmp = files::temp_path(path);
    let mut f = files::create_temp(&tmp).map_err(|e| file_err(&tmp, e))?;
    let written = f
        .write_all(text.as_bytes())
        .and_then(|()| f.sync_all())
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(path, e)
    })
}

fn remove_record(path: &Path) -> Result<(), NetError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path, e)),
        _ => Ok(()),
    }
}

/// Undo a pending change, under the lock; keep a record of it.
fn revert(h: &mut Host, p: &Pending) -> Result<Reverted, NetError> {
    let mut errors = Vec::new();
    for step in p.steps.iter().rev() {
        let undo = step.undo();
        if let Err(e) = undo.apply(h) {
            errors.push(format!("{}: {e}", undo.command()));
        }
    }
    let r = Reverted {
        spec: p.spec.clone(),
        at: now(),
        errors,
    };
    write_record(&h.reverted_path(), &r)?;
    remove_record(&h.pending_path)?;
    Ok(r)
}

fn reverted_text(r: &Reverted) -> String {
    if r.errors.is_empty() {
        format!("the change of {} was undone", r.spec)
    } else {
        format!(
            "the change of {} was undone with {} failure(s):\n{}",
            r.spec,
            r.errors.len(),
            r.errors.join("\n")
        )
    }
}

/// Under the lock, before `up` or `down` changes anything: undo an
/// overdue change (its watchdog is gone), refuse while one waits.
pub fn settle(h: &mut Host, out: &mut dyn Write) -> Result<(), NetError> {
    let Some(p) = read_record::<Pending>(&h.pending_path)? else {
        return Ok(());
    };
    if now() >= p.deadline {
        let r = revert(h, &p)?;
        let _ = writeln!(
            out,
            "{}: it was not confirmed in time and its watchdog did not undo it",
            reverted_text(&r)
        );
        return Ok(());
    }
    Err(NetError::Failed(format!(
        "the change of {} waits for confirmation for {} more s: run `xbow net confirm` to keep it, or wait for it to be undone",
        p.spec,
        p.deadline - now()
    )))
}

/// `xbow net up SPEC --confirm SECONDS`.
pub fn up(path: &Path, h: &mut Host, out: &mut dyn Write, secs: u64) -> Result<(), NetError> {
    let _lock = lock(h)?;
    settle(h, out)?;
    let batch = h.begin_batch()?;
    let net = super::load(path, h)?;
    let steps = super::plan_up(&net, h)?;
    if steps.is_empty() {
        let _ = writeln!(
            out,
            "nothing to change: the host matches {} (nothing to confirm)",
            super::show_path(path)
        );
        return Ok(());
    }
    super::preflight()?;
    run_steps(&steps, h, out, batch)?;
    let token = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id());
    let mut p = Pending {
        spec: super::show_path(path),
        deadline: now() + secs,
        token,
        watchdog: None,
        steps,
    };
    let armed = write_record(&h.pending_path, &p)
        .and_then(|()| spawn_watchdog(&h.pending_path, token))
        .and_then(|pid| {
            p.watchdog = Some(pid);
            write_record(&h.pending_path, &p)
        });
    if let Err(e) = armed {
        let r = revert(h, &p)?;
        return Err(NetError::Failed(format!(
            "cannot wait for confirmation ({e}): {}",
            reverted_text(&r)
        )));
    }
    let _ = writeln!(
        out,
        "applied {}: run `xbow net confirm` within {secs} s to keep it, or it is undone",
        super::show_path(path)
    );
    Ok(())
}

/// `xbow net confirm`.
pub fn confirm(h: &mut Host, out: &mut dyn Write) -> Result<(), NetError> {
    let _lock = lock(h)?;
    let Some(p) = read_record::<Pending>(&h.pending_path)? else {
        return Err(NetError::Failed(
            match read_record::<Reverted>(&h.reverted_path())? {
                Some(r) => format!(
                    "no change waits for confirmation (the last one, of {}, was undone {} s ago)",
                    r.spec,
                    now().saturating_sub(r.at)
                ),
                None => "no change waits for confirmation".into(),
            },
        ));
    };
    if now() >= p.deadline {
        let r = revert(h, &p)?;
        return Err(NetError::Failed(format!(
            "too late: the time to confirm is over; {}",
            reverted_text(&r)
        )));
    }
    remove_record(&h.pending_path)?;
    if let Some(pid) = p.watchdog {
        crate::sys::end_process(pid);
    }
    let _ = writeln!(out, "confirmed: the change of {} stays", p.spec);
    Ok(())
}

/// What `net status` says of a waiting change.
pub fn note(h: &Host) -> Result<Option<String>, NetError> {
    Ok(read_record::<Pending>(&h.pending_path)?.map(|p| {
        format!(
            "the change of {} waits for confirmation: it is undone in {} s unless `xbow net confirm` runs",
            p.spec,
            p.deadline.saturating_sub(now())
        )
    }))
}

/// Start the watchdog and wait until it runs in a session of its own.
fn spawn_watchdog(pending: &Path, token: u64) -> Result<u32, NetError> {
    use std::process::{Command, Stdio};
    let exe = std::env::current_exe().map_err(|e| io_err(Path::new("xbow"), e))?;
    let mut child = Command::new(&exe)
        .args(["net", "watchdog"])
        .arg(pending)
        .arg(token.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| io_err(&exe, e))?;
    let mut ready = [0u8; 1];
    let ok = child
        .stdout
        .take()
        .is_some_and(|mut o| o.read_exact(&mut ready).is_ok());
    if !ok {
        let _ = child.kill();
        let _ = child.wait();
        return Err(NetError::Failed("the watchdog did not start".into()));
    }
    Ok(child.id())
}

/// `xbow net watchdog PENDING TOKEN` (started by `up --confirm`): leave
/// the terminal's session, say so, wait for the deadline, and undo the
/// change unless it was confirmed (or replaced) by then.
pub fn watchdog(
    open: impl FnOnce() -> Result<Host, NetError>,
    pending: &Path,
    token: u64,
) -> Result<(), NetError> {
    crate::sys::new_session();
    {
        let mut o = std::io::stdout();
        let _ = o.write_all(b"1").and_then(|()| o.flush());
    }
    crate::sys::close_stdout();
    loop {
        let Some(p) = read_record::<Pending>(pending)? else {
            return Ok(());
        };
        if p.token != token {
            return Ok(());
        }
        let left = p.deadline.saturating_sub(now());
        if left == 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(200).min(Duration::from_secs(left)));
    }
    let mut h = open()?;
    let _lock = lock(&h)?;
    match read_record::<Pending>(&h.pending_path)? {
        Some(p) if p.token == token => revert(&mut h, &p).map(|_| ()),
        _ => Ok(()),
    }
}
