//! `xbow net`: a whole virtual network from one spec file — plan, up
//! (idempotent, transactional), down, status, and diagram (the network
//! as a picture).

mod conf_block;
mod confirm;
pub mod diagram;
mod plan;
mod spec;
mod status;

pub use plan::Step;
pub use spec::{Network, SpecError};
pub use status::Entry;

use crate::backend::files::{self, FileError};
use crate::backend::host::{HostError, IpAdm, RulesFiles, Services, Zones};
use crate::backend::nat::Nat;
use crate::backend::sim::{BatchGuard, SimDatalink, SimHost, SimNat, StateFile};
use crate::backend::{Datalink, DlError, Kind};
use crate::ofmt::{Cell, Field, Flags, Ofmt};
use std::borrow::Cow;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// `s` with every control character escaped (`\x1b`, `\u{9b}`), for a
/// message that quotes user input: nothing a user wrote reaches a
/// terminal raw.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.contains(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() && c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A path as a message shows it.
pub fn show_path(p: &Path) -> String {
    printable(&p.display().to_string()).into_owned()
}

/// Everything `xbow net` changes, one backend per capability.
pub struct Host {
    pub dl: Box<dyn Datalink>,
    pub ip: Box<dyn IpAdm>,
    pub svc: Box<dyn Services>,
    pub zones: Box<dyn Zones>,
    pub nat: Box<dyn Nat>,
    /// The IP Filter packet filter (of the global zone's stack, or of a
    /// zone's after `set_zone`).
    pub filter: Box<dyn crate::backend::filter::Filter>,
    /// The IP Filter rules files xbow keeps its blocks in.
    pub files: Box<dyn RulesFiles>,
    /// The lock that serializes `xbow net` runs.
    lock_path: PathBuf,
    /// The record of a change that waits for `xbow net confirm`.
    pending_path: PathBuf,
    /// The state the sim and Linux backends keep, which a run changes in
    /// one batch.
    state: Option<StateFile>,
    /// `--host`: the host of a spec with hosts whose part to take.
    pub select: Option<String>,
    /// Where an overlay's `files` mapping is kept: this + `NAME.json`.
    files_prefix: PathBuf,
}

impl Host {
    /// Start a batch where the backends keep one state (the sim, Linux):
    /// the run's changes are made (in the kernel) and stored once, or not
    /// at all.
    fn begin_batch(&self) -> Result<Option<BatchGuard>, NetError> {
        match &self.state {
            Some(f) => Ok(Some(f.begin_batch()?)),
            None => Ok(None),
        }
    }
}

/// Why `xbow net` stopped.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("{file}: {0}", file = .1)]
    Spec(SpecError, String),
    #[error("{0}: {1}")]
    Read(String, std::io::Error),
    #[error("{0}: {1}")]
    File(String, FileError),
    #[error("{0}")]
    Host(#[from] HostError),
    #[error("the host differs from the spec where up would have to destroy something:\n{0}")]
    Conflicts(String),
    #[error("{0}")]
    Failed(String),
}

impl From<DlError> for NetError {
    fn from(e: DlError) -> NetError {
        NetError::Host(e.into())
    }
}

/// Open the backends `kind` selects.
pub fn open_host(kind: Kind) -> Result<Host, NetError> {
    match kind {
        Kind::Sim => Ok(sim_host(StateFile::from_env()?)),
        Kind::Illumos => open_illumos(),
        Kind::Linux => Ok(sim_host(crate::backend::linux_state()?)),
    }
}

/// The sim's backends over one state file.
pub fn sim_host(file: StateFile) -> Host {
    let mut lock_path = file.path().as_os_str().to_owned();
    lock_path.push(".net.lock");
    let mut pending_path = file.path().as_os_str().to_owned();
    pending_path.push(".net.pending");
    Host {
        dl: Box::new(SimDatalink::open(file.clone())),
        ip: Box::new(SimHost::open(file.clone())),
        svc: Box::new(SimHost::open(file.clone())),
        zones: Box::new(SimHost::open(file.clone())),
        nat: Box::new(SimNat::open(file.clone())),
        filter: Box::new(crate::backend::sim::SimFilter::open(file.clone())),
        files: Box::new(SimHost::open(file.clone())),
        lock_path: lock_path.into(),
        pending_path: pending_path.into(),
        files_prefix: files::with_suffix(file.path(), ".overlay-"),
        state: Some(file),
        select: None,
    }
}

#[cfg(target_os = "illumos")]
fn open_illumos() -> Result<Host, NetError> {
    use crate::backend::illumos::{IllumosIp, IllumosRulesFiles, IllumosServices, IllumosZones};
    Ok(Host {
        dl: crate::backend::open_datalink(Kind::Illumos)?,
        ip: Box::new(IllumosIp),
        svc: Box::new(IllumosServices::open()?),
        zones: Box::new(IllumosZones),
        nat: crate::backend::open_nat(Kind::Illumos)
            .map_err(|e| NetError::Failed(format!("/dev/ipnat: {e}")))?,
        filter: crate::backend::open_filter(Kind::Illumos)
            .map_err(|e| NetError::Failed(format!("/dev/ipf: {e}")))?,
        files: Box::new(IllumosRulesFiles),
        lock_path: PathBuf::from("/var/run/xbow-net.lock"),
        pending_path: PathBuf::from("/var/run/xbow-net.pending"),
        files_prefix: PathBuf::from("/etc/xbow/overlay-"),
        state: None,
        select: None,
    })
}

#[cfg(not(target_os = "illumos"))]
fn open_illumos() -> Result<Host, NetError> {
    Err(NetError::Failed(
        "the illumos backend needs an illumos host (set XBOW_BACKEND=sim to simulate)".into(),
    ))
}

/// Read and validate a spec file.
pub fn load(path: &Path, h: &mut Host) -> Result<Network, NetError> {
    let spec = read_spec(path)?;
    let select = h.select.clone();
    check(&spec, path, h, select.as_deref(), false)
}

/// Read and parse a spec file (not yet validated).
fn read_spec(path: &Path) -> Result<spec::Spec, NetError> {
    let file = show_path(path);
    let text = files::read_input(path, files::SPEC_MAX)
        .map_err(|e| NetError::File(file.clone(), e))
        .and_then(|b| {
            String::from_utf8(b).map_err(|_| {
                NetError::Read(
                    file.clone(),
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        "stream did not contain valid UTF-8",
                    ),
                )
            })
        })?;
    spec::parse(&text).map_err(|e| NetError::Spec(e, file))
}

/// Validate a parsed spec and take the part of host `select` (or of
/// this machine); `paper`: without looking up links the spec does not
/// define.
fn check(
    spec: &spec::Spec,
    path: &Path,
    h: &mut Host,
    select: Option<&str>,
    paper: bool,
) -> Result<Network, NetError> {
    let file = show_path(path);
    let brand = h.zones.default_brand();
    let (machine_name, machine_addrs) = if spec.hosts.is_empty() || select.is_some() {
        (None, Vec::new())
    } else {
        machine(h)?
    };
    let place = spec::Place {
        host: select,
        machine_name,
        machine_addrs,
        files_prefix: h.files_prefix.clone(),
        paper,
    };
    spec.validate(h.dl.as_mut(), &brand, &place)
        .map_err(|e| NetError::Spec(e, file))
}

/// This machine's host name and the addresses on its interfaces (and,
/// on the sim, those the sim's interfaces have).
fn machine(h: &mut Host) -> Result<(Option<String>, Vec<std::net::IpAddr>), NetError> {
    let (name, mut addrs) = crate::backend::netdb::this_machine();
    addrs.extend(
        h.ip.addrs()?
            .into_iter()
            .map(|a| std::net::IpAddr::V4(a.addr.addr)),
    );
    Ok((name, addrs))
}

/// Hold the `xbow net` lock (released on drop): mode 0600, waited for at
/// most `XBOW_LOCK_TIMEOUT` seconds.
fn lock(h: &Host) -> Result<File, NetError> {
    let name = h.lock_path.display().to_string();
    if let Some(dir) = h.lock_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        files::create_private_dir(dir).map_err(|e| NetError::Read(dir.display().to_string(), e))?;
    }
    let f = files::open_lock(&h.lock_path).map_err(|e| NetError::File(name.clone(), e))?;
    let timeout = files::lock_timeout().map_err(|e| NetError::File(name.clone(), e))?;
    files::lock_within(&f, &h.lock_path, timeout).map_err(|e| NetError::File(name, e))?;
    Ok(f)
}

/// The steps `up` would run.
pub fn plan_up(net: &Network, h: &mut Host) -> Result<Vec<Step>, NetError> {
    plan::up(net, h)?.map_err(|c| {
        NetError::Conflicts(
            c.iter()
                .map(|c| format!("  {c}"))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    })
}

/// The steps `down` would run.
pub fn plan_down(net: &Network, h: &mut Host) -> Result<Vec<Step>, NetError> {
    Ok(plan::down(net, h)?)
}

/// Run steps in order, each echoed to `out` as it runs.
///
/// In a batch the steps change the state in memory, and the commit makes
/// the kernel follow in one change: a failing step discards the batch,
/// which undoes them all at once. When the commit fails (the kernel
/// refused part of the run, and what it had done was undone), the steps
/// run again one at a time, to find the one that fails.
pub fn run_steps(
    steps: &[Step],
    h: &mut Host,
    out: &mut dyn Write,
    batch: Option<BatchGuard>,
) -> Result<(), NetError> {
    let Some(batch) = batch else {
        return run_each(steps, h, out, true);
    };
    for (k, step) in steps.iter().enumerate() {
        let _ = writeln!(out, "{}", step.command());
        let _ = out.flush();
        if let Err(e) = step.apply(h) {
            drop(batch);
            // The batch took back the rest; files are put back here.
            for done in steps[..k].iter().rev().filter(|s| s.is_file()) {
                let _ = done.undo().apply(h);
            }
            return Err(NetError::Failed(format!(
                "step {} of {} failed: {}: {e}\nrolled back the {k} step(s) before it; the host is as it was",
                k + 1,
                steps.len(),
                step.command()
            )));
        }
    }
    match batch.commit() {
        Ok(()) => Ok(()),
        Err(_) => run_each(steps, h, out, false),
    }
}

/// Run steps in order, each a change of its own; if step k fails, undo
/// k-1…1 in reverse.
fn run_each(steps: &[Step], h: &mut Host, out: &mut dyn Write, echo: bool) -> Result<(), NetError> {
    for (k, step) in steps.iter().enumerate() {
        if echo {
            let _ = writeln!(out, "{}", step.command());
            let _ = out.flush();
        }
        if let Err(e) = step.apply(h) {
            let mut msg = format!(
                "step {} of {} failed: {}: {e}",
                k + 1,
                steps.len(),
                step.command()
            );
            let mut undo_failures = 0;
            for done in steps[..k].iter().rev() {
                let undo = done.undo();
                if let Err(ue) = undo.apply(h) {
                    undo_failures += 1;
                    msg.push_str(&format!("\nundo failed: {}: {ue}", undo.command()));
                }
            }
            msg.push_str(&if undo_failures == 0 {
                format!("\nrolled back the {k} step(s) before it; the host is as it was")
            } else {
                format!(
                    "\nrolled back with {undo_failures} undo failure(s): the objects above may be left over"
                )
            });
            return Err(NetError::Failed(msg));
        }
    }
    Ok(())
}

/// `xbow net up`: apply the spec; a second run changes nothing.
pub fn up(path: &Path, h: &mut Host, out: &mut dyn Write) -> Result<(), NetError> {
    apply(path, h, out, plan_up, |p| {
        format!("nothing to change: the host matches {}", show_path(p))
    })
}

/// `xbow net up SPEC --confirm SECONDS`: apply, and undo it unless
/// [`confirm`] runs within SECONDS.
pub fn up_confirmed(
    path: &Path,
    h: &mut Host,
    out: &mut dyn Write,
    secs: u64,
) -> Result<(), NetError> {
    confirm::up(path, h, out, secs)
}

/// `xbow net confirm`: keep the change that waits for confirmation.
pub fn confirm(h: &mut Host, out: &mut dyn Write) -> Result<(), NetError> {
    confirm::confirm(h, out)
}

/// `xbow net watchdog PENDING TOKEN`: the process that undoes an
/// unconfirmed change (started by `up --confirm`).
pub fn watchdog(pending: &Path, token: u64) -> Result<(), NetError> {
    confirm::watchdog(
        || {
            Kind::from_env()
                .map_err(NetError::Failed)
                .and_then(open_host)
        },
        pending,
        token,
    )
}

/// `xbow net down`: remove what the spec describes.
pub fn down(path: &Path, h: &mut Host, out: &mut dyn Write) -> Result<(), NetError> {
    apply(path, h, out, plan_down, |p| {
        format!("nothing to remove: none of {} is on the host", show_path(p))
    })
}

/// Under the lock: load the spec, plan, and run the steps (or say there
/// are none).
fn apply(
    path: &Path,
    h: &mut Host,
    out: &mut dyn Write,
    plan: fn(&Network, &mut Host) -> Result<Vec<Step>, NetError>,
    nothing: fn(&Path) -> String,
) -> Result<(), NetError> {
    let _lock = lock(h)?;
    confirm::settle(h, out)?;
    let batch = h.begin_batch()?;
    let net = load(path, h)?;
    let steps = plan(&net, h)?;
    if steps.is_empty() {
        let _ = writeln!(out, "{}", nothing(path));
        return Ok(());
    }
    preflight()?;
    run_steps(&steps, h, out, batch)
}

/// On illumos, refuse before the first change when not privileged.
fn preflight() -> Result<(), NetError> {
    if cfg!(target_os = "illumos") && !crate::sys::is_superuser() {
        return Err(NetError::Failed(
            "changing links, addresses, services and zones needs all privileges (run as root or with pfexec); nothing was changed".into(),
        ));
    }
    Ok(())
}

/// What `xbow net status` reports (and `--json` prints): every object of
/// `net`, desired against actual, this host first in a spec with hosts.
pub fn status_entries(net: &Network, h: &mut Host) -> Result<Vec<status::Entry>, NetError> {
    let mut entries = Vec::new();
    if let Some(me) = &net.host {
        let (_, addrs) = machine(h)?;
        entries.push(status::host(me, &addrs));
    }
    entries.extend(status::status(net, h)?);
    Ok(entries)
}

const STATUS_FIELDS: &[Field] = &[
    Field::new("KIND", 10),
    Field::new("NAME", 22),
    Field::new("DESIRED", 22),
    Field::new("ACTUAL", 22),
    Field::new("OK", 3),
];

/// `xbow net status`: print desired against actual; `Ok(false)` when the
/// host differs from the spec.
pub fn status(
    path: &Path,
    h: &mut Host,
    json: bool,
    out: &mut dyn Write,
) -> Result<bool, NetError> {
    let net = load(path, h)?;
    let entries = status_entries(&net, h)?;
    let converged = entries.iter().all(|e| e.ok);
    let io = |e: std::io::Error| NetError::Read("standard output".into(), e);
    if json {
        let text = serde_json::to_string_pretty(&entries).map_err(|e| io(e.into()))?;
        writeln!(out, "{text}").map_err(io)?;
    } else {
        let (mut o, _) = Ofmt::open(None, STATUS_FIELDS, Flags::default(), 24)
            .map_err(|e| NetError::Failed(e.message(false)))?;
        for e in &entries {
            let row = [
                Cell::from(e.kind),
                Cell::Val(printable(&e.name).into_owned()),
                Cell::Val(printable(&e.desired).into_owned()),
                Cell::Val(printable(&e.actual).into_owned()),
                Cell::from(if e.ok { "yes" } else { "no" }),
            ];
            o.print(out, &row).map_err(io)?;
        }
    }
    if let Some(note) = confirm::note(h)? {
        if json {
            eprintln!("xbow net: {note}");
        } else {
            writeln!(out, "{note}").map_err(io)?;
        }
    }
    Ok(converged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_control_characters() {
        assert!(matches!(
            printable("vnic0 é\\x"),
            Cow::Borrowed("vnic0 é\\x")
        ));
        assert_eq!(
            printable("a\x1b[2J\x00\x07\x7f\t\r\n\u{9b}z"),
            "a\\x1b[2J\\x00\\x07\\x7f\\t\\r\\n\\u{9b}z"
        );
    }
}
