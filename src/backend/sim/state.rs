//! What the sim remembers: the links dlmgmtd and the kernel would hold,
//! with the active and the persistent configuration kept apart.

use super::filter_state::{FilterState, ZoneFilter, ZoneStack};
use super::nat_state::NatState;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, LinkId, LinkState, MacAddrType, VrrpAf};
use crate::model::linkprop::Priority;
use crate::model::mac::MacAddr;
use crate::model::stats::LinkStats;
use crate::model::svc::SvcState;
use crate::model::zone::{ZoneConfig, ZoneState};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The version of the state file this build reads and writes.
pub const STATE_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimState {
    pub version: u32,
    /// Every link, in ascending link-id order. A new link gets the next id
    /// after the highest in use, so no id is reused while its link exists.
    /// (Changed only through the methods below, which keep `index`.)
    links: Vec<SimLink>,
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
    /// The ipfilter service's filter rules file.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub ipf_conf: String,
    /// Zones' `ZONEPATH/etc/ipf.conf`, by path.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub zone_ipf_conf: BTreeMap<String, String>,
    /// The IP Filter NAT table (rules, sessions, host maps, counters).
    #[serde(default, skip_serializing_if = "NatState::is_empty")]
    pub nat: NatState,
    /// The IP Filter packet filter (rule sets, states, counters).
    #[serde(default, skip_serializing_if = "FilterState::is_empty")]
    pub filter: FilterState,
    /// The IP Filter stacks of running non-global zones that were changed
    /// since the zone booted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zone_filters: Vec<ZoneFilter>,
    /// The NAT tables of running non-global zones' IP Filter stacks that
    /// were changed since the zone booted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zone_nats: Vec<ZoneStack<NatState>>,
    /// The kernel the active configuration belongs to (Linux:
    /// `/proc/sys/kernel/random/boot_id` and the network namespace's
    /// cookie); the sim has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boot_id: Option<String>,
    #[serde(skip)]
    index: Index,
}

/// What a large state is asked often, built when first asked and kept up
/// to date by the methods that change links (never stored): a network of
/// thousands of VNICs is made without a scan of every link per VNIC.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Link ids by name (the first link of a name, as a scan finds it).
    names: OnceLock<HashMap<String, LinkId>>,
    /// How many active links over each lower link have each address and
    /// VID.
    macs: OnceLock<HashMap<(LinkId, MacAddr, u16), u32>>,
}

impl PartialEq for Index {
    /// An index says nothing the links do not.
    fn eq(&self, _: &Index) -> bool {
        true
    }
}

/// The (lower link, address, VID) an active link takes, if any.
fn mac_key(l: &SimLink) -> Option<(LinkId, MacAddr, u16)> {
    let c = l.active.as_ref()?;
    Some((c.over?, c.mac?, c.vid))
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
            ipf_conf: String::new(),
            zone_ipf_conf: BTreeMap::new(),
            nat: NatState::default(),
            filter: FilterState::default(),
            zone_filters: Vec::new(),
            zone_nats: Vec::new(),
            boot_id: None,
            index: Index::default(),
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
    /// The traffic counters of the active link (kstat `link:0:NAME`).
    #[serde(default, skip_serializing_if = "LinkStats::is_zero")]
    pub stats: LinkStats,
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
    /// Created with `-f` (`DLADM_OPT_FORCE`; a VLAN's `dv_force`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub force: bool,
    /// `maxbw` in bits per second.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maxbw: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// An MTU set with `set-linkprop` (etherstubs and physical links).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mtu: Option<u32>,
    /// An overlay's encapsulation, search plugin and target table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<crate::model::overlay::OverlayConf>,
    /// The hardware of a physical link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phys: Option<PhysConf>,
    /// The other link properties set on the link, by their table name,
    /// with the values as libdladm's getter shows them (`protection`,
    /// `allowed-ips`, `tagmode`, …); a property not here has its default.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub props: BTreeMap<String, Vec<String>>,
    /// The persistent configuration only: each property's values as they
    /// were typed, joined with `,` (datalink.conf; `show-linkprop -P`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub typed: BTreeMap<String, String>,
}

fn is_zero(v: &u16) -> bool {
    *v == 0
}

fn is_false(v: &bool) -> bool {
    !*v
}

fn is_zero32(v: &u32) -> bool {
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
    /// The device (`DEVICE` of `show-phys`) where it is not the link's
    /// name: once the link is renamed, or a removed link is given a new
    /// device with `rename-link`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Receive and transmit rings (`xbow sim add-phys --rx-rings/--tx-rings`),
    /// each kind in one hardware group; none by default.
    #[serde(default, skip_serializing_if = "is_zero32")]
    pub rx_rings: u32,
    #[serde(default, skip_serializing_if = "is_zero32")]
    pub tx_rings: u32,
    /// The hardware is gone (`xbow sim remove-phys --keep-config`): the
    /// saved configuration stays, as dlmgmtd keeps a REMOVED physical
    /// link's, and the link does not come up at boot.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
}

impl SimState {
    /// Every link, in ascending link-id order.
    pub fn links(&self) -> &[SimLink] {
        &self.links
    }

    /// The links, to change at will (the index is rebuilt when next used).
    pub fn links_mut(&mut self) -> &mut Vec<SimLink> {
        self.index = Index::default();
        &mut self.links
    }

    pub fn link(&self, id: LinkId) -> Option<&SimLink> {
        self.links
            .binary_search_by_key(&id, |l| l.id)
            .ok()
            .map(|i| &self.links[i])
    }

    /// A link to change (not its name).
    pub fn link_mut(&mut self, id: LinkId) -> Option<&mut SimLink> {
        self.index.macs = OnceLock::new();
        self.links
            .binary_search_by_key(&id, |l| l.id)
            .ok()
            .map(move |i| &mut self.links[i])
    }

    pub fn by_name(&self, name: &str) -> Option<&SimLink> {
        let names = self.index.names.get_or_init(|| {
            let mut m = HashMap::with_capacity(self.links.len());
            for l in &self.links {
                m.entry(l.name.clone()).or_insert(l.id);
            }
            m
        });
        names.get(name).and_then(|id| self.link(*id))
    }

    /// Whether an active link over `lower` has address `mac` with VID
    /// `vid` (`mac_addr_in_use`: the kernel checks the pair).
    pub fn mac_used_over(&self, lower: LinkId, mac: MacAddr, vid: u16) -> bool {
        let macs = self.index.macs.get_or_init(|| {
            let mut m = HashMap::new();
            for k in self.links.iter().filter_map(mac_key) {
                *m.entry(k).or_insert(0) += 1;
            }
            m
        });
        macs.contains_key(&(lower, mac, vid))
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
        let link = SimLink {
            id,
            name: name.to_string(),
            class,
            active,
            persistent,
            stats: LinkStats::default(),
        };
        if let Some(m) = self.index.names.get_mut() {
            m.entry(link.name.clone()).or_insert(id);
        }
        if let (Some(m), Some(k)) = (self.index.macs.get_mut(), mac_key(&link)) {
            *m.entry(k).or_insert(0) += 1;
        }
        self.links.push(link);
        id
    }

    /// Give link `id` a new name (`dladm_remap_datalink_id`).
    pub fn rename(&mut self, id: LinkId, name: &str) {
        self.index.names = OnceLock::new();
        if let Ok(i) = self.links.binary_search_by_key(&id, |l| l.id) {
            self.links[i].name = name.to_string();
        }
    }

    pub fn remove(&mut self, id: LinkId) {
        let Ok(i) = self.links.binary_search_by_key(&id, |l| l.id) else {
            return;
        };
        let link = self.links.remove(i);
        if let Some(m) = self.index.names.get_mut()
            && m.get(&link.name) == Some(&id)
        {
            m.remove(&link.name);
            // Another link of that name (only in a state the checks
            // refuse) is found by a scan again.
            if self.links.iter().any(|l| l.name == link.name) {
                self.index.names = OnceLock::new();
            }
        }
        if let (Some(m), Some(k)) = (self.index.macs.get_mut(), mac_key(&link))
            && let Some(n) = m.get_mut(&k)
        {
            *n -= 1;
            if *n == 0 {
                m.remove(&k);
            }
        }
    }

    /// `xbow sim reboot`: the kernel forgets everything; dlmgmtd brings the
    /// persistent links back from their saved configuration, lower links
    /// first (a VNIC whose lower link does not come up stays down).
    pub fn reboot(&mut self) {
        self.index = Index::default();
        self.links.retain(|l| l.persistent.is_some());
        for l in &mut self.links {
            l.active = None;
            l.stats = LinkStats::default();
        }
        for i in 0..self.links.len() {
            let conf = self.links[i].persistent.clone().expect("retained");
            let lower_up = conf
                .over
                .is_none_or(|o| self.link(o).is_some_and(|l| l.active.is_some()));
            let hardware = conf.phys.as_ref().is_none_or(|p| !p.removed);
            if lower_up && hardware {
                // The kernel keeps values, not what was typed.
                self.links[i].active = Some(LinkConf {
                    typed: BTreeMap::new(),
                    ..conf
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vnic(over: LinkId, mac: u8) -> LinkConf {
        LinkConf {
            over: Some(over),
            mac: MacAddr::from_bytes(&[2, 8, 32, 0, 0, mac]),
            ..LinkConf::default()
        }
    }

    /// What a scan of the links answers.
    fn scanned(st: &SimState, name: &str) -> Option<LinkId> {
        st.links().iter().find(|l| l.name == name).map(|l| l.id)
    }

    #[test]
    fn the_index_answers_as_a_scan_through_every_change() {
        let mut st = SimState::default();
        let stub = st.insert("stub0", LinkClass::Etherstub, None, None);
        assert_eq!(st.by_name("stub0").map(|l| l.id), Some(stub));
        // Built now: kept up to date by insert and remove.
        for i in 0..20u8 {
            st.insert(
                &format!("vnic{i}"),
                LinkClass::Vnic,
                Some(vnic(stub, i)),
                None,
            );
        }
        assert!(st.mac_used_over(stub, MacAddr::from_bytes(&[2, 8, 32, 0, 0, 7]).unwrap(), 0));
        let v7 = st.by_name("vnic7").unwrap().id;
        st.remove(v7);
        assert!(st.by_name("vnic7").is_none());
        assert!(!st.mac_used_over(stub, MacAddr::from_bytes(&[2, 8, 32, 0, 0, 7]).unwrap(), 0));
        assert!(!st.mac_used_over(v7, MacAddr::from_bytes(&[2, 8, 32, 0, 0, 8]).unwrap(), 0));
        // A changed address is seen.
        let v8 = st.by_name("vnic8").unwrap().id;
        st.link_mut(v8).unwrap().active.as_mut().unwrap().mac =
            MacAddr::from_bytes(&[2, 8, 32, 0, 0, 99]);
        assert!(!st.mac_used_over(stub, MacAddr::from_bytes(&[2, 8, 32, 0, 0, 8]).unwrap(), 0));
        assert!(st.mac_used_over(stub, MacAddr::from_bytes(&[2, 8, 32, 0, 0, 99]).unwrap(), 0));
        // Links changed at will: a rename is seen.
        st.links_mut()[3].name = "renamed".into();
        for n in ["renamed", "vnic2", "vnic3", "vnic7", "stub0", "nothing"] {
            assert_eq!(st.by_name(n).map(|l| l.id), scanned(&st, n), "{n}");
        }
        // Two links of one name (a state the checks refuse): the first.
        st.insert("stub0", LinkClass::Etherstub, None, None);
        assert_eq!(st.by_name("stub0").map(|l| l.id), Some(stub));
        st.remove(stub);
        assert_eq!(st.by_name("stub0").map(|l| l.id), scanned(&st, "stub0"));
        // A copy and a stored state read back answer alike.
        let text = serde_json::to_string(&st).unwrap();
        let back: SimState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, st);
        assert_eq!(back.by_name("vnic9").map(|l| l.id), scanned(&st, "vnic9"));
        assert_eq!(
            st.clone().by_name("vnic9").map(|l| l.id),
            scanned(&st, "vnic9")
        );
    }
}

#[cfg(test)]
mod stats_tests {
    use super::*;

    #[test]
    fn a_state_without_counters_still_reads_and_counters_round_trip() {
        // A state written before links had counters.
        let old =
            r#"{"version":1,"links":[{"id":1,"name":"stub0","class":"etherstub","active":{}}]}"#;
        let mut st: SimState = serde_json::from_str(old).expect("old state");
        assert!(st.links()[0].stats.is_zero());
        // Zero counters are not written, so such a state stays as it was.
        assert!(!serde_json::to_string(&st).unwrap().contains("stats"));
        st.link_mut(1).unwrap().stats.receive(60);
        let text = serde_json::to_string(&st).unwrap();
        let back: SimState = serde_json::from_str(&text).unwrap();
        assert_eq!(back.links()[0].stats.rbytes, 60);
        // A reboot makes the links anew: their counters start at zero.
        let mut st = back;
        st.links_mut()[0].persistent = Some(LinkConf::default());
        st.reboot();
        assert!(st.links()[0].stats.is_zero());
    }
}
