//! Datalink identity and VNIC attributes: the values libdladm hands back.

use super::mac::MacAddr;
use serde::{Deserialize, Serialize};

/// `datalink_id_t`; 0 is `DATALINK_INVALID_LINKID`.
pub type LinkId = u32;

/// `datalink_class_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkClass {
    Phys,
    Vlan,
    Aggr,
    Vnic,
    Etherstub,
    Simnet,
    Bridge,
    Iptun,
    Part,
    Overlay,
    Misc,
}

impl LinkClass {
    /// The `datalink_class_t` bit.
    pub const fn bit(self) -> u32 {
        match self {
            LinkClass::Phys => 0x01,
            LinkClass::Vlan => 0x02,
            LinkClass::Aggr => 0x04,
            LinkClass::Vnic => 0x08,
            LinkClass::Etherstub => 0x10,
            LinkClass::Simnet => 0x20,
            LinkClass::Bridge => 0x40,
            LinkClass::Iptun => 0x80,
            LinkClass::Part => 0x100,
            LinkClass::Overlay => 0x200,
            LinkClass::Misc => 0x400,
        }
    }

    /// The class for a `datalink_class_t` value with one bit set.
    pub fn from_bit(bit: u32) -> Option<LinkClass> {
        ALL_CLASSES.iter().copied().find(|c| c.bit() == bit)
    }

    /// `dladm_class2str`.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkClass::Phys => "phys",
            LinkClass::Vlan => "vlan",
            LinkClass::Aggr => "aggr",
            LinkClass::Vnic => "vnic",
            LinkClass::Etherstub => "etherstub",
            LinkClass::Simnet => "simnet",
            LinkClass::Bridge => "bridge",
            LinkClass::Iptun => "iptun",
            LinkClass::Part => "part",
            LinkClass::Overlay => "overlay",
            LinkClass::Misc => "misc",
        }
    }
}

const ALL_CLASSES: [LinkClass; 11] = [
    LinkClass::Phys,
    LinkClass::Vlan,
    LinkClass::Aggr,
    LinkClass::Vnic,
    LinkClass::Etherstub,
    LinkClass::Simnet,
    LinkClass::Bridge,
    LinkClass::Iptun,
    LinkClass::Part,
    LinkClass::Overlay,
    LinkClass::Misc,
];

/// A set of link classes (`datalink_class_t` bits OR-ed, as walkers take them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClassMask(pub u32);

impl ClassMask {
    /// `DATALINK_CLASS_ALL` (illumos-gate `sys/dls_mgmt.h`, 2023: every
    /// class from `PHYS` to `MISC`).
    pub const ALL: ClassMask = ClassMask(0x7ff);

    pub fn of(classes: &[LinkClass]) -> ClassMask {
        ClassMask(classes.iter().fold(0, |m, c| m | c.bit()))
    }

    pub fn contains(self, c: LinkClass) -> bool {
        self.0 & c.bit() != 0
    }
}

/// A link's media: the DLPI MAC type (`uint32_t` media of
/// `dladm_datalink_id2info`, values from `sys/dlpi.h`). VNICs, etherstubs,
/// VLANs and simnets over Ethernet are `ETHER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Media(pub u32);

impl Media {
    /// `DL_ETHER`.
    pub const ETHER: Media = Media(0x04);
    /// `DL_IB` (InfiniBand; IB partitions).
    pub const IB: Media = Media(0x1a);
    /// `DL_IPV4` (IPv4 tunnel link).
    pub const IPV4: Media = Media(0x8000_0001);
    /// `DL_IPV6` (IPv6 tunnel link).
    pub const IPV6: Media = Media(0x8000_0002);
    /// `DL_WIFI` (IEEE 802.11).
    pub const WIFI: Media = Media(0x8000_0004);
    /// `DL_6TO4` (6to4 tunnel link).
    pub const SIX_TO_FOUR: Media = Media(0x8000_0007);
}

/// `DLADM_OPT_ACTIVE` / `DLADM_OPT_PERSIST`: which configuration an
/// operation applies to, or which one a link exists in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Conf {
    pub active: bool,
    pub persistent: bool,
}

impl Conf {
    pub const ACTIVE: Conf = Conf {
        active: true,
        persistent: false,
    };
    pub const PERSIST: Conf = Conf {
        active: false,
        persistent: true,
    };
    pub const BOTH: Conf = Conf {
        active: true,
        persistent: true,
    };

    /// `-t` means active only; otherwise both.
    pub fn temporary(temporary: bool) -> Conf {
        if temporary { Conf::ACTIVE } else { Conf::BOTH }
    }

    /// What a listing shows: the persistent configuration with `-P`, else
    /// the active one.
    pub fn listing(persistent: bool) -> Conf {
        if persistent {
            Conf::PERSIST
        } else {
            Conf::ACTIVE
        }
    }

    /// Whether every configuration in `other` is also in `self`.
    pub fn covers(self, other: Conf) -> bool {
        (self.active || !other.active) && (self.persistent || !other.persistent)
    }
}

/// What `dladm_name2info`/`dladm_datalink_id2info` report about a link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub id: LinkId,
    pub name: String,
    pub class: LinkClass,
    /// Which configurations the link exists in.
    pub conf: Conf,
}

/// `vnic_mac_addr_type_t` (without `UNKNOWN`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MacAddrType {
    Fixed,
    Random,
    Factory,
    Auto,
    Primary,
    Vrid,
}

impl MacAddrType {
    /// `dladm_vnic_str2macaddrtype`: the first keyword that is a prefix of
    /// `s` (so `randomXYZ` is random and `fixed1` is fixed).
    pub fn from_keyword_prefix(s: &str) -> Option<MacAddrType> {
        [
            ("fixed", MacAddrType::Fixed),
            ("random", MacAddrType::Random),
            ("factory", MacAddrType::Factory),
            ("auto", MacAddrType::Auto),
            ("fixed", MacAddrType::Primary),
            ("vrrp", MacAddrType::Vrid),
        ]
        .into_iter()
        .find(|(k, _)| s.starts_with(k))
        .map(|(_, t)| t)
    }

    /// The raw `vnic_mac_addr_type_t` value.
    pub fn raw(self) -> i32 {
        match self {
            MacAddrType::Fixed => 0,
            MacAddrType::Random => 1,
            MacAddrType::Factory => 2,
            MacAddrType::Auto => 3,
            MacAddrType::Primary => 4,
            MacAddrType::Vrid => 5,
        }
    }

    pub fn from_raw(raw: i32) -> Option<MacAddrType> {
        [
            MacAddrType::Fixed,
            MacAddrType::Random,
            MacAddrType::Factory,
            MacAddrType::Auto,
            MacAddrType::Primary,
            MacAddrType::Vrid,
        ]
        .into_iter()
        .find(|t| t.raw() == raw)
    }
}

/// The address family of a VRRP VNIC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VrrpAf {
    Inet,
    Inet6,
}

impl VrrpAf {
    pub fn as_str(self) -> &'static str {
        match self {
            VrrpAf::Inet => "inet",
            VrrpAf::Inet6 => "inet6",
        }
    }
}

/// The VLAN ID range a VNIC may be tagged with.
pub const VID_MIN: u16 = 1;
pub const VID_MAX: u16 = 4094;

/// A request to create a VNIC or an etherstub (the arguments of
/// `dladm_vnic_create`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VnicSpec {
    pub name: String,
    /// The lower link; `None` creates an etherstub.
    pub over: Option<LinkId>,
    pub mac_type: MacAddrType,
    /// The address for `Fixed`, or the prefix for `Random` (the whole
    /// address when `recreate`).
    pub mac: Option<MacAddr>,
    /// The factory slot for `Factory` (`None` = any free slot).
    pub slot: Option<i32>,
    pub vid: u16,
    pub force: bool,
    pub vrrp: Option<(u8, VrrpAf)>,
    /// Link properties to set at creation (`-p`).
    pub props: Vec<(String, Vec<String>)>,
    pub conf: Conf,
    /// Giving back a VNIC that was deleted: a `Random` one gets the
    /// address in `mac` again, as libdladm's `dladm_vnic_up()` re-creates
    /// one at boot (`vc_mac_len` > 0: "the address was already picked
    /// randomly, and is now passed back", `vnic_ioc_create`).
    pub recreate: bool,
}

impl VnicSpec {
    /// An etherstub named `name`.
    pub fn etherstub(name: &str, conf: Conf) -> VnicSpec {
        VnicSpec {
            name: name.to_string(),
            over: None,
            mac_type: MacAddrType::Auto,
            mac: None,
            slot: None,
            vid: 0,
            force: false,
            vrrp: None,
            props: Vec::new(),
            conf,
            recreate: false,
        }
    }
}

/// A request to create a VLAN link (the arguments of `dladm_vlan_create`:
/// a VNIC with the lower link's primary address, `DLADM_OPT_VLAN`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VlanSpec {
    pub name: String,
    pub over: LinkId,
    pub vid: u16,
    /// `-f` (`DLADM_OPT_FORCE`).
    pub force: bool,
    /// Link properties to set at creation (`-p`).
    pub props: Vec<(String, Vec<String>)>,
    pub conf: Conf,
}

impl VlanSpec {
    /// The `dladm_vnic_create` call `dladm_vlan_create` makes.
    pub fn as_vnic(&self) -> VnicSpec {
        VnicSpec {
            name: self.name.clone(),
            over: Some(self.over),
            mac_type: MacAddrType::Primary,
            mac: None,
            slot: None,
            vid: self.vid,
            force: self.force,
            vrrp: None,
            props: self.props.clone(),
            conf: self.conf,
            recreate: false,
        }
    }
}

/// What `dladm_vlan_info` reports (`dladm_vlan_attr_t`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VlanAttr {
    pub vid: u16,
    /// The lower link.
    pub over: LinkId,
    pub force: bool,
}

/// What `dladm_vnic_info` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VnicAttr {
    pub id: LinkId,
    /// The lower link; `None` for an etherstub.
    pub over: Option<LinkId>,
    pub mac_type: MacAddrType,
    pub mac: Option<MacAddr>,
    pub slot: i32,
    pub vid: u16,
    pub vrrp: Option<(u8, VrrpAf)>,
}

/// A link's operational state (`dladm_linkstate2str`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkState {
    Up,
    Down,
    Unknown,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Up => "up",
            LinkState::Down => "down",
            LinkState::Unknown => "unknown",
        }
    }
}

/// What `show-phys` reports about a physical link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhysAttr {
    /// `dladm_media2str`, e.g. `Ethernet`.
    pub media: String,
    pub device: String,
    /// `full`, `half` or `unknown`.
    pub duplex: String,
}

/// One MAC address slot of a physical link (`dladm_macaddr_attr_t`):
/// slot 0 is the primary address, the others factory addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacSlot {
    pub slot: u32,
    pub addr: MacAddr,
    pub in_use: bool,
    /// The MAC client using it (empty when none).
    pub client: String,
}

/// One hardware ring group of a physical link (`dladm_hwgrp_attr_t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HwGroup {
    pub link: String,
    /// A receive group (else transmit).
    pub rx: bool,
    /// The ring indexes, ascending.
    pub rings: Vec<u32>,
    /// The clients' names as the kernel lists them (empty when none).
    pub clients: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_keyword_prefixes() {
        assert_eq!(
            MacAddrType::from_keyword_prefix("randomXYZ"),
            Some(MacAddrType::Random)
        );
        assert_eq!(
            MacAddrType::from_keyword_prefix("autofoo"),
            Some(MacAddrType::Auto)
        );
        assert_eq!(
            MacAddrType::from_keyword_prefix("fixed1"),
            Some(MacAddrType::Fixed)
        );
        assert_eq!(
            MacAddrType::from_keyword_prefix("vrrp"),
            Some(MacAddrType::Vrid)
        );
        assert_eq!(MacAddrType::from_keyword_prefix("rand"), None);
        assert_eq!(MacAddrType::from_keyword_prefix("2:8:20:1:2:3"), None);
    }

    #[test]
    fn classes() {
        assert_eq!(LinkClass::from_bit(0x10), Some(LinkClass::Etherstub));
        assert!(ClassMask::of(&[LinkClass::Vnic, LinkClass::Etherstub]).contains(LinkClass::Vnic));
        assert!(!ClassMask::of(&[LinkClass::Vnic]).contains(LinkClass::Phys));
        assert!(Conf::BOTH.covers(Conf::ACTIVE));
        assert!(!Conf::ACTIVE.covers(Conf::PERSIST));
    }
}
