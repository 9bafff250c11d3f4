//! [`Nat`] on the real kernel: every call is the `/dev/ipnat` (or, for
//! the version check, `/dev/ipf`) ioctl illumos `ipnat` makes, and every
//! failure is the kernel's errno, so the `ipnat` personality reports it in
//! ipnat's words (`ioctl(SIOCGNATS): I/O error`,
//! `3:ioctl(add/insert nat rule): File exists`, …).

use super::nat_decode;
use crate::backend::nat::{Errno, Nat, NatError, NatResult, VersionError};
use crate::ipnat::abi::encode_ipnat;
use crate::ipnat::rule::{NatRule, RuleCounters};
use crate::ipnat::session::{HostMap, NatSession, NatStats};
use crate::sys::illumos::ipf;
use crate::sys::illumos::ipnat::{self as dev, IPNAT_NAME, ITER_BUF, IpfDevice, KBuf};
use crate::sys::ipnat_abi::{
    GLOBAL_ZONEID, HOSTMAP_T_SIZE, IPFGENITER_HOSTMAP, IPFGENITER_IPNAT, IPFGENITER_NAT,
    IPNAT_T_SIZE, NAT_T_SIZE, off,
};
use std::ffi::c_int;

/// `EBADF`: what every ioctl on ipnat's `fd = -1` would fail with.
const EBADF: Errno = Errno(9);

/// The IP Filter NAT table of the stack this process (or, after
/// [`Nat::set_zone`], the chosen zone) addresses.
#[derive(Default)]
pub struct IllumosNat {
    dev: Option<IpfDevice>,
}

impl IllumosNat {
    pub fn new() -> IllumosNat {
        IllumosNat::default()
    }

    fn dev(&self) -> NatResult<&IpfDevice> {
        self.dev.as_ref().ok_or(NatError::Errno(EBADF))
    }

    /// Every item of one kernel list, one `SIOCGENITER` at a time; the
    /// iterator token is deleted afterwards in case the walk stopped
    /// before the kernel freed it.
    fn walk(&self, kind: c_int, size: usize, next_at: usize) -> NatResult<Vec<Vec<u8>>> {
        let d = self.dev()?;
        let mut buf = KBuf::<ITER_BUF>::zeroed();
        let items = nat_decode::walk(size, next_at, || {
            d.gen_iter(kind, &mut buf)
                .map(|()| buf.0[..size].to_vec())
                .map_err(errno)
        });
        // ESRCH here only means the kernel already freed the token.
        let _ = d.delete_token(kind);
        items
    }
}

fn errno(raw: i32) -> NatError {
    NatError::Errno(Errno(raw))
}

impl Nat for IllumosNat {
    fn check_version(&mut self) -> Result<(), VersionError> {
        // checkrev(), which ipf shares.
        ipf::check_version().map(|_| ()).map_err(|e| match e {
            ipf::VersionCheckError::Open(e) => VersionError::Open(Errno(e)),
            ipf::VersionCheckError::Stat(e) => nat_decode::version_error(e),
            ipf::VersionCheckError::Mismatch(v) => VersionError::Mismatch(v),
        })
    }

    fn open(&mut self, write: bool) -> NatResult<()> {
        // A new open replaces the old descriptor (and its zone selection).
        self.dev = None;
        let d =
            IpfDevice::open(IPNAT_NAME, write).map_err(|e| NatError::Errno(Errno::from_io(&e)))?;
        self.dev = Some(d);
        Ok(())
    }

    fn is_global_zone(&mut self, zone: &str) -> bool {
        dev::zone_id(zone) == Some(GLOBAL_ZONEID)
    }

    fn set_zone(&mut self, zone: &str, gz: bool) -> NatResult<()> {
        self.dev()?.set_zone(zone.as_bytes(), gz).map_err(errno)
    }

    fn stats(&mut self) -> NatResult<NatStats> {
        let ns = self.dev()?.nat_stats().map_err(errno)?;
        Ok(nat_decode::nat_stats(&ns.0))
    }

    fn flush(&mut self, which: i32) -> NatResult<i32> {
        self.dev()?.flush(which).map_err(errno)
    }

    fn add_rule(&mut self, rule: &NatRule) -> NatResult<()> {
        let image = encode_ipnat(rule, &RuleCounters::default());
        self.dev()?.add_nat(&image).map_err(errno)
    }

    fn remove_rule(&mut self, rule: &NatRule) -> NatResult<()> {
        let image = encode_ipnat(rule, &RuleCounters::default());
        self.dev()?.remove_nat(&image).map_err(errno)
    }

    fn rules(&mut self) -> NatResult<Vec<(NatRule, RuleCounters)>> {
        let items = self.walk(IPFGENITER_IPNAT, IPNAT_T_SIZE, off::IN_NEXT)?;
        Ok(items.iter().map(|b| nat_decode::rule(b)).collect())
    }

    fn sessions(&mut self) -> NatResult<Vec<NatSession>> {
        let items = self.walk(IPFGENITER_NAT, NAT_T_SIZE, off::NAT_NEXT)?;
        Ok(items.iter().map(|b| nat_decode::session(b)).collect())
    }

    fn hostmaps(&mut self) -> NatResult<Vec<HostMap>> {
        let items = self.walk(IPFGENITER_HOSTMAP, HOSTMAP_T_SIZE, off::HM_NEXT)?;
        Ok(items.iter().map(|b| nat_decode::hostmap(b)).collect())
    }
}
