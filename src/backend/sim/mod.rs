//! The simulation backend: a file-backed model of dlmgmtd, the VNIC driver
//! and libdladm's property code, with the same outcomes and statuses.

mod check;
mod datalink;
mod filter;
mod filter_state;
mod filter_tune;
mod hardware;
mod host;
mod linkprop;
mod nat;
mod nat_state;
mod netdb;
mod overlay;
mod path;
mod rename;
mod state;
mod state_file;
mod traffic;

use crate::backend::filter::Stack;
pub use datalink::SimDatalink;
pub use filter::{IS_TCPFSM, Packet, SimFilter, Verdict, filter_packet, state_bucket, tcps};
pub use filter_state::FilterState;
pub use host::SimHost;
pub use linkprop::mtu_of;
pub use nat::{Flow, FlowDir, FlowError, SimNat, nat_flow, packet_bytes};
pub use nat_state::NatState;
pub use netdb::BuiltinNetdb;
pub use path::overlay_path;
pub use state::{LinkConf, PhysConf, STATE_VERSION, SimInterface, SimLink, SimState, SimZone};
pub use state_file::{BatchGuard, StateFile};

use crate::backend::DlResult;

/// How many changes this process has made to the sim (for fault injection).
static CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// `XBOW_SIM_FAIL_AT=N[,M…]`: the N-th (and M-th…) change this process
/// makes fails, before it touches the state, as if the kernel had refused.
fn injected_failure() -> DlResult<()> {
    let n = CHANGES.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
    let list = std::env::var("XBOW_SIM_FAIL_AT").unwrap_or_default();
    if list.split(',').any(|v| v.trim().parse::<u64>() == Ok(n)) {
        return Err(crate::backend::DlError::Backend(format!(
            "injected failure of change {n} (XBOW_SIM_FAIL_AT={list})"
        )));
    }
    Ok(())
}

/// A kernel that makes the state real (the Linux backend). The sim has
/// none: there the state is all there is.
pub trait Kernel: std::fmt::Debug + Send + Sync {
    /// Whether links can be persistent (dladm without `-t`). Where they
    /// cannot, every link is temporary, as if `-t` had been given.
    fn persistent_links(&self) -> bool;
    /// Bring a state just read up to date with what the kernel owns: the
    /// physical links there are now, and — after a reboot — nothing of
    /// the active configuration.
    fn observe(&self, st: &mut SimState) -> DlResult<()>;
    /// Make the kernel hold `new` where it held `old`: all or nothing
    /// (what was done is undone when a later part fails).
    fn realize(&self, old: &SimState, new: &SimState) -> DlResult<()>;
    /// A run was killed while it made the kernel hold `intended` where it
    /// held `stored`: bring the kernel back to `stored` as far as it goes
    /// (every change that can be made is made); the failures.
    fn recover(&self, intended: &SimState, stored: &SimState) -> Vec<String>;
    /// The NAT sessions the kernel has for NAT `stack`, whose rules are
    /// `rules`.
    fn nat_sessions(
        &self,
        rules: &[crate::ipnat::rule::NatRule],
        stack: &Stack,
    ) -> DlResult<Vec<crate::ipnat::session::NatSession>>;
    /// Drop the kernel's NAT sessions of `stack`; how many there were.
    fn nat_flush_sessions(&self, stack: &Stack) -> DlResult<u64>;
    /// The state table of the packet filter `stack`, newest first.
    fn filter_states(&self, stack: &Stack) -> DlResult<Vec<crate::backend::filter::StateEntry>>;
    /// Whether the kernel can hold packet filter rule `r`; why not.
    fn filter_check(&self, r: &crate::ipf::FilterRule) -> Result<(), String>;
    /// The counters of packet filter `stack`, whose state is `f` (its
    /// active set is loaded).
    fn filter_counters(
        &self,
        f: &FilterState,
        stack: &Stack,
    ) -> DlResult<crate::backend::filter::KernelCounters>;
    /// Zero the counters of rule `i` of the active set of `stack` (`ipf
    /// -z`): what they were.
    fn filter_zero_rule(&self, stack: &Stack, i: usize) -> DlResult<(u64, u64)>;
    /// Zero each direction's counters of `stack` (`ipf -Z`): what they
    /// were.
    fn filter_zero_dirs(&self, stack: &Stack) -> DlResult<[crate::backend::filter::DirStats; 2]>;
    /// Forget the connections `keep state` rules of `stack` passed: all,
    /// or with `closing` TCP connections that are closing; how many there
    /// were.
    fn filter_flush_states(&self, stack: &Stack, closing: bool) -> DlResult<u64>;
    /// The kernel's traffic counters of active link `id`.
    fn link_stats(
        &self,
        st: &SimState,
        id: crate::model::link::LinkId,
    ) -> DlResult<crate::model::stats::LinkStats>;
}

/// Read the state, apply `f`, make the kernel (if any) follow, and store
/// the result, all under the lock. The state and the kernel are left as
/// they were when `f` or the kernel fails.
///
/// In a batch ([`StateFile::begin_batch`]) the change goes to the batch's
/// state and no state is returned.
pub fn transact<T>(
    file: &StateFile,
    f: impl FnOnce(&mut SimState) -> DlResult<T>,
) -> DlResult<(T, Option<SimState>)> {
    injected_failure()?;
    let mut f = Some(f);
    if let Some(r) = file.in_batch(|st| (f.take().expect("once"))(st)) {
        return r.map(|out| (out, None));
    }
    let f = f.take().expect("not run");
    let lock = file.lock()?;
    let mut st = file.load()?;
    let old = file.kernel().map(|_| st.clone());
    let out = f(&mut st)?;
    file.change(&lock, old.as_ref(), &st)?;
    Ok((out, Some(st)))
}

/// Fresh random bytes (for random MAC addresses).
pub fn random_bytes(buf: &mut [u8]) -> std::io::Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")?.read_exact(buf)
}

/// `xbow sim add-phys`: a NIC appears (active and persistent, like a
/// device found at boot).
pub fn add_phys(file: &StateFile, name: &str, phys: PhysConf, mtu: u32) -> DlResult<()> {
    use crate::model::link::LinkClass;
    use crate::model::status::DlStatus;
    transact(file, |st| {
        if st.by_name(name).is_some() {
            return Err(DlStatus::Exist.into());
        }
        let conf = LinkConf {
            mtu: Some(mtu),
            phys: Some(phys),
            ..LinkConf::default()
        };
        st.insert(name, LinkClass::Phys, Some(conf.clone()), Some(conf));
        Ok(())
    })
    .map(|_| ())
}

/// `xbow sim overlay-fault`: overlay `name` degraded with `message`
/// (what a search plugin reports when it loses its source, shown by
/// `show-overlay -f`), or online again with `None`.
pub fn overlay_fault(file: &StateFile, name: &str, message: Option<String>) -> DlResult<()> {
    use crate::model::status::DlStatus;
    transact(file, |st| {
        let id = st.by_name(name).ok_or(DlStatus::Notfound)?.id;
        let o = st
            .link_mut(id)
            .and_then(|l| l.active.as_mut())
            .and_then(|c| c.overlay.as_mut())
            .ok_or(DlStatus::Badarg)?;
        o.degraded = message;
        Ok(())
    })
    .map(|_| ())
}

/// `xbow sim remove-phys`: a NIC is taken out; refused while links are
/// configured over it. With `keep_config` it is unplugged only: refused
/// while in use, its saved configuration stays (a REMOVED physical link).
pub fn remove_phys(file: &StateFile, name: &str, keep_config: bool) -> DlResult<()> {
    use crate::model::link::LinkClass;
    use crate::model::status::DlStatus;
    transact(file, |st| {
        let l = st.by_name(name).ok_or(DlStatus::Notfound)?;
        if l.class != LinkClass::Phys || (keep_config && l.active.is_none()) {
            return Err(DlStatus::Badarg.into());
        }
        let id = l.id;
        let used = st.links().iter().any(|o| {
            let confs = [&o.active, &o.persistent];
            confs[..if keep_config { 1 } else { 2 }]
                .iter()
                .any(|c| c.as_ref().is_some_and(|c| c.over == Some(id)))
        }) || st.interfaces.iter().any(|i| i.name == name);
        if used {
            return Err(DlStatus::Linkbusy.into());
        }
        let l = st.link_mut(id).expect("exists");
        match l.persistent.as_mut().and_then(|c| c.phys.as_mut()) {
            Some(p) if keep_config => {
                p.removed = true;
                l.active = None;
            }
            _ => st.remove(id),
        }
        Ok(())
    })
    .map(|_| ())
}

/// `xbow sim reboot`.
pub fn reboot(file: &StateFile) -> DlResult<()> {
    transact(file, |st| {
        st.reboot();
        Ok(())
    })
    .map(|_| ())
}
