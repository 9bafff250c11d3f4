//! What the sim remembers: the links dlmgmtd and the kernel would hold,
//! with the active and the persistent configuration kept apart.

use super::nat_state::NatState;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, LinkId, LinkState, MacAddrType, VrrpAf};
use crate::model::linkprop::Priority;
use crate::model::mac::MacAddr;
use crate::model::svc::SvcState;
use crate::model::zone::{ZoneConfig, ZoneState};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The version of the state file this build reads and writes.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimState {
    pub version: u32,
    /// Every link, in ascending link-id order. A new link gets the next id
    /// after the highest in use, so no id is reused while its link exists.
    pub links: Vec<SimLink>,
    /// Plumbed IP interfaces, in the order they were plumbed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<SimInterface>,
    /// Service instances that are not disabled, by FMRI.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub services: BTreeMap<String, SvcState>,
    /// Configured zones.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<SimZone>,
    /// The ipfilter service's NAT rules file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ipnat_conf: String,
    /// The IP Filter NAT table (rules, sessions, host maps, counters).
    #[serde(default, skip_serializing_if = "NatState::is_empty")]
    pub nat: NatState,
    /// The kernel the active configuration belongs to (Linux:
    /// `/proc/sys/kernel/random/boot_id` and the network namespace's
    /// cookie); the sim has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
}

/// An IP interface and its static addresses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimInterface {
    pub name: String,
    /// Address objects by their name after the `/`.
    #[serde(default)]
    pub addrs: Vec<(String, Ipv4Cidr)>,
}

/// A zone: its configuration and state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimZone {
    pub config: ZoneConfig,
    pub state: ZoneState,
}

impl Default for SimState {
    fn default() -> SimState {
        SimState {
            version: STATE_VERSION,
            links: Vec::new(),
            interfaces: Vec::new(),
            services: BTreeMap::new(),
            zones: Vec::new(),
            ipnat_conf: String::new(),
            nat: NatState::default(),
            boot_id: None,
        }
    }
}

/// A link as dlmgmtd knows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimLink {
    pub id: LinkId,
    pub name: String,
    pub class: LinkClass,
    /// The running configuration (the kernel's), if the link is up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<LinkConf>,
    /// The saved configuration (datalink.conf), if the link is persistent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persistent: Option<LinkConf>,
}

/// One configuration of a link.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkConf {
    /// The lower link of a VNIC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub over: Option<LinkId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac_type: Option<MacAddrType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacAddr>,
    /// The factory slot a VNIC's address came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slot: Option<i32>,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub vid: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vrrp: Option<(u8, VrrpAf)>,
    /// `maxbw` in bits per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxbw: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// An MTU set with `set-linkprop` (etherstubs and physical links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// The hardware of a physical link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phys: Option<PhysConf>,
}

fn is_zero(v: &u16) -> bool {
    *v == 0
}

/// A simulated NIC, declared with `xbow sim add-phys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhysConf {
    pub speed_mbps: u64,
    /// The largest MTU the NIC supports.
    pub mtu_max: u32,
    /// The NIC's primary address.
    pub mac: MacAddr,
    /// Factory addresses VNICs may take (`-m factory`), slot 1 first.
    #[serde(default)]
    pub factory_macs: Vec<MacAddr>,
    pub state: LinkState,
    /// The IPv4 address the NIC's IP interface has (`--addr`), which NAT
    /// rules mapping to `0/32` use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub addr: Option<Ipv4Cidr>,
    /// `full`, `half` or `unknown` (the sim's NICs are full duplex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplex: Option<String>,
}

impl SimState {
    pub fn link(&self, id: LinkId) -> Option<&SimLink> {
        self.links
            .binary_search_by_key(&id, |l| l.id)
            .ok()
            .map(|i| &self.links[i])
    }

    pub fn link_mut(&mut self, id: LinkId) -> Option<&mut SimLink> {
        self.links
            .binary_search_by_key(&id, |l| l.id)
            .ok()
            .map(move |i| &mut self.links[i])
    }

    pub fn by_name(&self, name: &str) -> Option<&SimLink> {
        self.links.iter().find(|l| l.name == name)
    }

    /// Add a link with the next id, in the given configurations.
    pub fn insert(
        &mut self,
        name: &str,
        class: LinkClass,
        active: Option<LinkConf>,
        persistent: Option<LinkConf>,
    ) -> LinkId {
        let id = self.links.last().map_or(1, |l| l.id + 1);
        self.links.push(SimLink {
            id,
            name: name.to_string(),
            class,
            active,
            persistent,
        });
        id
    }

    pub fn remove(&mut self, id: LinkId) {
        self.links.retain(|l| l.id != id);
    }

    /// `xbow sim reboot`: the kernel forgets everything; dlmgmtd brings the
    /// persistent links back from their saved configuration, lower links
    /// first (a VNIC whose lower link does not come up stays down).
    pub fn reboot(&mut self) {
        self.links.retain(|l| l.persistent.is_some());
        for l in &mut self.links {
            l.active = None;
        }
        for i in 0..self.links.len() {
            let conf = self.links[i].persistent.clone().expect("retained");
            let lower_up = conf
                .over
                .is_none_or(|o| self.link(o).is_some_and(|l| l.active.is_some()));
            if lower_up {
                self.links[i].active = Some(conf);
            }
        }
    }
}
