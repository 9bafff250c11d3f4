//! The host capabilities `xbow net` drives besides datalinks and NAT: IP
//! interfaces and addresses, SMF services, and zones. One narrow trait
//! each; the sim implements them here, illumos through its commands and
//! libscf.

use crate::model::ipnet::Ipv4Cidr;
use crate::model::svc::SvcState;
use crate::model::zone::{ZoneConfig, ZoneState};

/// A failed host operation: the text names the object, the step and the
/// cause (for a command: its argv, exit status and stderr).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HostError(pub String);

pub type HostResult<T> = Result<T, HostError>;

impl From<crate::backend::DlError> for HostError {
    fn from(e: crate::backend::DlError) -> HostError {
        HostError(e.to_string())
    }
}

/// A static address object (`ipadm show-addr`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrInfo {
    /// `IF/NAME`.
    pub addrobj: String,
    pub addr: Ipv4Cidr,
}

/// IP interfaces and addresses (`ipadm`).
pub trait IpAdm {
    /// Plumbed IP interfaces.
    fn interfaces(&mut self) -> HostResult<Vec<String>>;
    /// Static IPv4 address objects.
    fn addrs(&mut self) -> HostResult<Vec<AddrInfo>>;
    /// `ipadm create-if IF`.
    fn create_if(&mut self, ifname: &str) -> HostResult<()>;
    /// `ipadm delete-if IF`.
    fn delete_if(&mut self, ifname: &str) -> HostResult<()>;
    /// `ipadm create-addr -T static -a ADDR IF/NAME`.
    fn create_addr(&mut self, addrobj: &str, addr: Ipv4Cidr) -> HostResult<()>;
    /// `ipadm delete-addr IF/NAME`.
    fn delete_addr(&mut self, addrobj: &str) -> HostResult<()>;
}

/// SMF service instances.
pub trait Services {
    fn state(&mut self, fmri: &str) -> HostResult<SvcState>;
    /// Enable and wait until the instance is online (maintenance fails).
    fn enable(&mut self, fmri: &str) -> HostResult<()>;
    /// Disable and wait until the instance is disabled.
    fn disable(&mut self, fmri: &str) -> HostResult<()>;
    /// Make a running instance re-read its configuration.
    fn refresh(&mut self, fmri: &str) -> HostResult<()>;
}

/// A zone as `zoneadm list -cp` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneInfo {
    pub name: String,
    pub state: ZoneState,
    pub zonepath: String,
    pub brand: String,
    /// `excl` or `shared`.
    pub ip_type: String,
}

/// Zones (`zonecfg`, `zoneadm`).
pub trait Zones {
    /// Every zone but the global one.
    fn list(&mut self) -> HostResult<Vec<ZoneInfo>>;
    /// The configuration of a configured zone, as xbow would have written it.
    fn config(&mut self, name: &str) -> HostResult<Option<ZoneConfig>>;
    /// `zonecfg -z NAME -f FILE`.
    fn configure(&mut self, cfg: &ZoneConfig) -> HostResult<()>;
    /// `zonecfg -z NAME delete -F`.
    fn delete(&mut self, name: &str) -> HostResult<()>;
    fn install(&mut self, name: &str) -> HostResult<()>;
    /// `zoneadm -z NAME uninstall -F`.
    fn uninstall(&mut self, name: &str) -> HostResult<()>;
    fn boot(&mut self, name: &str) -> HostResult<()>;
    fn halt(&mut self, name: &str) -> HostResult<()>;
    /// The brand zones get when the spec names none.
    fn default_brand(&self) -> String;
}

/// A rules file of IP Filter that `xbow net` keeps a block of lines in.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum RulesFile {
    /// The ipfilter service's NAT rules (`config/ipnat_config_file`,
    /// `/etc/ipf/ipnat.conf` by default), loaded at start and refresh.
    Ipnat,
    /// The ipfilter service's filter rules
    /// (`firewall_config_default/custom_policy_file`, `/etc/ipf/ipf.conf`
    /// by default), loaded at start when its policy is `custom`.
    Ipf,
    /// `ZONEPATH/etc/ipf.conf` of the zone with that zonepath: its
    /// GZ-controlled rules, which the zone's brand loads with `ipf -G` as
    /// the zone boots (OmniOS `setup_firewall`). Outside the zone's root,
    /// so nothing in the zone can change it.
    ZoneIpf(String),
}

impl RulesFile {
    /// The path of a zone's file (the service's come from SMF).
    pub fn zone_path(zonepath: &str) -> String {
        format!("{}/etc/ipf.conf", zonepath.trim_end_matches('/'))
    }
}

/// The IP Filter rules files.
pub trait RulesFiles {
    /// The file's text (empty if it does not exist).
    fn read(&mut self, f: &RulesFile) -> HostResult<String>;
    /// Replace the file's text atomically.
    fn write(&mut self, f: &RulesFile, text: &str) -> HostResult<()>;
}
