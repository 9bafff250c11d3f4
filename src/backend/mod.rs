//! Backends: one narrow trait per capability, each implemented by the sim
//! (and, on illumos, by the real system). Backends hold no validation that
//! a user can see and no formatting: they answer the way libdladm and the
//! kernel answer, with a [`DlStatus`].

pub mod files;
pub mod filter;
pub mod host;
pub mod illumos;
#[cfg(target_os = "linux")]
pub mod linux;
pub mod nat;
pub mod netdb;
pub mod sim;

use crate::model::link::{
    ClassMask, Conf, HwGroup, LinkId, LinkInfo, LinkState, MacSlot, PhysAttr, VlanAttr, VlanSpec,
    VnicAttr, VnicSpec,
};
use crate::model::overlay::{CacheOp, OverlayProp, OverlaySpec, OverlayStatus, Target};
use crate::model::stats::LinkStats;
use crate::model::status::DlStatus;

/// Why a datalink operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DlError {
    /// The status libdladm returned.
    #[error("{0}")]
    Status(DlStatus),
    /// A status with the warnings of a `dladm_errlist_t`.
    #[error("{0}")]
    WithErrlist(DlStatus, Vec<String>),
    /// The backend itself could not work (its state, its library); the
    /// text names the object and the cause.
    #[error("{0}")]
    Backend(String),
}

impl From<DlStatus> for DlError {
    fn from(s: DlStatus) -> DlError {
        DlError::Status(s)
    }
}

pub type DlResult<T> = Result<T, DlError>;

/// `dladm_prop_type_t`: which value of a link property to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropValue {
    Current,
    Default,
    Perm,
    Modifiable,
    Persistent,
}

/// Datalinks: the subset of libdladm (and the kernel statistics) that
/// etherstubs, VNICs and their properties need.
pub trait Datalink {
    /// `dladm_name2info`.
    fn name2info(&mut self, name: &str) -> DlResult<LinkInfo>;
    /// `dladm_datalink_id2info`.
    fn id2info(&mut self, id: LinkId) -> DlResult<LinkInfo>;
    /// `dladm_walk_datalink_id`: the links of the given classes that exist
    /// in any of the given configurations, in link-id order.
    fn walk(&mut self, classes: ClassMask, conf: Conf) -> DlResult<Vec<LinkInfo>>;
    /// `dladm_vnic_create` (an etherstub when `spec.over` is `None`).
    fn vnic_create(&mut self, spec: &VnicSpec) -> DlResult<LinkId>;
    /// `dladm_vnic_delete`.
    fn vnic_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()>;
    /// `dladm_vnic_info` for exactly one configuration.
    fn vnic_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VnicAttr>;
    /// `dladm_vlan_create` (`dladm_vnic_create` with `DLADM_OPT_VLAN`).
    fn vlan_create(&mut self, spec: &VlanSpec) -> DlResult<LinkId>;
    /// `dladm_vlan_delete` (`dladm_vnic_delete` with `DLADM_OPT_VLAN`).
    fn vlan_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()>;
    /// `dladm_vlan_info` for exactly one configuration.
    fn vlan_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VlanAttr>;
    /// `dladm_info`: the link's MTU (maximum SDU).
    fn mtu(&mut self, id: LinkId) -> DlResult<u32>;
    /// kstat `link:0:NAME:link_state`.
    fn link_state(&mut self, id: LinkId) -> DlResult<LinkState>;
    /// kstat `link:0:NAME:ifspeed`, in Mbps (0 where there is none).
    fn speed_mbps(&mut self, id: LinkId) -> u64;
    /// `dladm_phys_info` and friends.
    fn phys_info(&mut self, id: LinkId, conf: Conf) -> DlResult<PhysAttr>;
    /// `dladm_set_linkprop`; `None` resets to the default.
    fn set_linkprop(
        &mut self,
        id: LinkId,
        prop: &str,
        values: Option<&[String]>,
        conf: Conf,
    ) -> DlResult<()>;
    /// `dladm_get_linkprop`.
    fn get_linkprop(&mut self, id: LinkId, which: PropValue, prop: &str) -> DlResult<Vec<String>>;
    /// `dladm_walk_linkprop`: the properties the link has, in table order.
    fn linkprops(&mut self, id: LinkId) -> DlResult<Vec<String>>;
    /// `dladm_rename_link`.
    fn rename_link(&mut self, link1: &str, link2: &str) -> DlResult<()>;
    /// `dladm_walk_macaddr`: a physical link's primary and factory
    /// address slots.
    fn mac_slots(&mut self, id: LinkId) -> DlResult<Vec<MacSlot>>;
    /// `dladm_walk_hwgrp`: a physical link's hardware ring groups.
    fn hw_groups(&mut self, id: LinkId) -> DlResult<Vec<HwGroup>>;
    /// kstat `link:0:NAME`: the link's traffic counters.
    fn link_stats(&mut self, id: LinkId) -> DlResult<LinkStats>;
    /// `dladm_overlay_create`: make and activate an overlay.
    fn overlay_create(&mut self, spec: &OverlaySpec) -> DlResult<LinkId>;
    /// `dladm_overlay_delete`.
    fn overlay_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()>;
    /// `dladm_overlay_walk_prop` with `dladm_overlay_prop_info` and
    /// `dladm_overlay_get_prop` of each: kernel properties first, then
    /// varpd's (a property whose value cannot be read is left out).
    fn overlay_props(&mut self, id: LinkId) -> DlResult<Vec<OverlayProp>>;
    /// `dladm_overlay_status`.
    fn overlay_status(&mut self, id: LinkId) -> DlResult<OverlayStatus>;
    /// `dladm_overlay_walk_cache`: the target table.
    fn overlay_targets(&mut self, id: LinkId) -> DlResult<Vec<Target>>;
    /// `dladm_overlay_cache_flush`, `_delete`, `_set`.
    fn overlay_cache(&mut self, id: LinkId, op: &CacheOp) -> DlResult<()>;
    /// Forget what was read, so that the next question sees the system as
    /// it is then (a statistics loop calls it before every pass).
    fn refresh(&mut self) {}
}

/// Which backend `XBOW_BACKEND` (or the platform) selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sim,
    Illumos,
    /// The sim's model realized on a Linux kernel.
    Linux,
}

impl Kind {
    /// `XBOW_BACKEND`, defaulting to `illumos` on illumos and `sim` elsewhere.
    pub fn from_env() -> Result<Kind, String> {
        match std::env::var("XBOW_BACKEND") {
            Ok(v) if v == "sim" => Ok(Kind::Sim),
            Ok(v) if v == "illumos" => Ok(Kind::Illumos),
            Ok(v) if v == "linux" => Ok(Kind::Linux),
            Ok(v) if v.is_empty() => Ok(Self::platform_default()),
            Ok(v) => Err(format!(
                "XBOW_BACKEND={v}: unknown backend (expected sim, illumos or linux)"
            )),
            Err(_) => Ok(Self::platform_default()),
        }
    }

    fn platform_default() -> Kind {
        if cfg!(target_os = "illumos") {
            Kind::Illumos
        } else {
            Kind::Sim
        }
    }
}

/// Open the datalink backend `kind`.
pub fn open_datalink(kind: Kind) -> DlResult<Box<dyn Datalink>> {
    match kind {
        Kind::Sim => Ok(Box::new(
            sim::SimDatalink::open(sim::StateFile::from_env()?),
        )),
        Kind::Illumos => open_illumos(),
        Kind::Linux => Ok(Box::new(sim::SimDatalink::open(linux_state()?))),
    }
}

/// The Linux backend's state, realized on the kernel.
#[cfg(target_os = "linux")]
pub fn linux_state() -> DlResult<sim::StateFile> {
    linux::state_file()
}

#[cfg(not(target_os = "linux"))]
pub fn linux_state() -> DlResult<sim::StateFile> {
    Err(DlError::Backend(
        "the Linux backend needs Linux (set XBOW_BACKEND=sim to simulate)".to_string(),
    ))
}

/// The illumos backend; a failing `dladm_open` is its status.
#[cfg(target_os = "illumos")]
fn open_illumos() -> DlResult<Box<dyn Datalink>> {
    Ok(Box::new(illumos::IllumosDatalink::open()?))
}

#[cfg(not(target_os = "illumos"))]
fn open_illumos() -> DlResult<Box<dyn Datalink>> {
    Err(DlError::Backend(
        "the illumos backend is not available in this build".to_string(),
    ))
}

/// Open the NAT backend `kind`.
pub fn open_nat(kind: Kind) -> nat::NatResult<Box<dyn nat::Nat>> {
    match kind {
        Kind::Sim => {
            let file =
                sim::StateFile::from_env().map_err(|e| nat::NatError::Backend(e.to_string()))?;
            Ok(Box::new(sim::SimNat::open(file)))
        }
        Kind::Illumos => open_illumos_nat(),
        Kind::Linux => {
            let file = linux_state().map_err(|e| nat::NatError::Backend(e.to_string()))?;
            Ok(Box::new(sim::SimNat::open(file)))
        }
    }
}

/// The kernel's NAT table; the device is opened by [`nat::Nat::open`].
#[cfg(target_os = "illumos")]
fn open_illumos_nat() -> nat::NatResult<Box<dyn nat::Nat>> {
    Ok(Box::new(illumos::IllumosNat::new()))
}

#[cfg(not(target_os = "illumos"))]
fn open_illumos_nat() -> nat::NatResult<Box<dyn nat::Nat>> {
    Err(nat::NatError::Backend(
        "the illumos /dev/ipnat backend is not available in this build".to_string(),
    ))
}

/// The packet filter of the backend `XBOW_BACKEND` names, its device
/// opened (read-write with `write`), as `open("/dev/ipf", …)` gives it.
pub fn open_filter_device(write: bool) -> filter::FilterResult<Box<dyn filter::Filter>> {
    let mut b = Kind::from_env()
        .map_err(filter::FilterError::Backend)
        .and_then(open_filter)?;
    b.open(write)?;
    Ok(b)
}

/// Open the packet filter backend `kind`: on illumos `/dev/ipf` (opened
/// by [`filter::Filter::open`]), else the state's filter (on Linux made
/// real as nftables tables).
pub fn open_filter(kind: Kind) -> filter::FilterResult<Box<dyn filter::Filter>> {
    let file = match kind {
        Kind::Sim => sim::StateFile::from_env(),
        Kind::Linux => linux_state(),
        Kind::Illumos => return open_illumos_filter(),
    };
    let file = file.map_err(|e| filter::FilterError::Backend(e.to_string()))?;
    Ok(Box::new(sim::SimFilter::open(file)))
}

/// `/dev/ipf`; the device is opened by [`filter::Filter::open`].
#[cfg(target_os = "illumos")]
fn open_illumos_filter() -> filter::FilterResult<Box<dyn filter::Filter>> {
    Ok(Box::new(illumos::IllumosFilter::new()))
}

#[cfg(not(target_os = "illumos"))]
fn open_illumos_filter() -> filter::FilterResult<Box<dyn filter::Filter>> {
    Err(filter::FilterError::Backend(
        "the illumos /dev/ipf backend is not available in this build".to_string(),
    ))
}

/// The name databases of the host xbow runs on: the system's on illumos,
/// the stock illumos files everywhere else.
pub fn system_netdb() -> Box<dyn netdb::Netdb> {
    #[cfg(target_os = "illumos")]
    {
        Box::new(illumos::SystemNetdb)
    }
    #[cfg(not(target_os = "illumos"))]
    {
        Box::new(sim::BuiltinNetdb)
    }
}
