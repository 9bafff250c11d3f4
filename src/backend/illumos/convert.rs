//! Between the model's values and libdladm's: configuration flags, link
//! records, VNIC attributes and the arguments of `dladm_vnic_create`.

use crate::backend::{DlError, PropValue};
use crate::model::link::{
    Conf, HwGroup, LinkClass, LinkInfo, LinkState, MacAddrType, MacSlot, VlanAttr, VlanSpec,
    VnicAttr, VnicSpec, VrrpAf,
};
use crate::model::mac::MacAddr;
use crate::sys::dladm_records::{
    CreateRequest, HwgrpRecord, LinkRecord, MacaddrRecord, VlanRecord, VnicRecord,
};
use crate::sys::illumos_types::*;
use std::ffi::{c_int, c_uint};

/// `DLADM_OPT_ACTIVE` / `DLADM_OPT_PERSIST` for a configuration.
pub fn opt_flags(conf: Conf) -> u32 {
    let mut f = 0;
    if conf.active {
        f |= DLADM_OPT_ACTIVE;
    }
    if conf.persistent {
        f |= DLADM_OPT_PERSIST;
    }
    f
}

/// The configurations a link exists in, from the `DLADM_OPT_ACTIVE` /
/// `DLADM_OPT_PERSIST` flags `dladm_name2info` and `dladm_datalink_id2info`
/// report (libdladm translates dlmgmtd's `DLMGMT_*` flags into these).
pub fn conf_of(flags: u32) -> Conf {
    Conf {
        active: flags & DLADM_OPT_ACTIVE != 0,
        persistent: flags & DLADM_OPT_PERSIST != 0,
    }
}

/// `dladm_prop_type_t`.
pub fn prop_type(which: PropValue) -> c_uint {
    match which {
        PropValue::Current => DLADM_PROP_VAL_CURRENT,
        PropValue::Default => DLADM_PROP_VAL_DEFAULT,
        PropValue::Perm => DLADM_PROP_VAL_PERM,
        PropValue::Modifiable => DLADM_PROP_VAL_MODIFIABLE,
        PropValue::Persistent => DLADM_PROP_VAL_PERSISTENT,
    }
}

/// `datalink_class_t` values and the model's classes.
const CLASSES: [(u32, LinkClass); 11] = [
    (DATALINK_CLASS_PHYS, LinkClass::Phys),
    (DATALINK_CLASS_VLAN, LinkClass::Vlan),
    (DATALINK_CLASS_AGGR, LinkClass::Aggr),
    (DATALINK_CLASS_VNIC, LinkClass::Vnic),
    (DATALINK_CLASS_ETHERSTUB, LinkClass::Etherstub),
    (DATALINK_CLASS_SIMNET, LinkClass::Simnet),
    (DATALINK_CLASS_BRIDGE, LinkClass::Bridge),
    (DATALINK_CLASS_IPTUN, LinkClass::Iptun),
    (DATALINK_CLASS_PART, LinkClass::Part),
    (DATALINK_CLASS_OVERLAY, LinkClass::Overlay),
    (DATALINK_CLASS_MISC, LinkClass::Misc),
];

/// `vnic_mac_addr_type_t` values and the model's address types.
const MAC_TYPES: [(c_int, MacAddrType); 6] = [
    (VNIC_MAC_ADDR_TYPE_FIXED, MacAddrType::Fixed),
    (VNIC_MAC_ADDR_TYPE_RANDOM, MacAddrType::Random),
    (VNIC_MAC_ADDR_TYPE_FACTORY, MacAddrType::Factory),
    (VNIC_MAC_ADDR_TYPE_AUTO, MacAddrType::Auto),
    (VNIC_MAC_ADDR_TYPE_PRIMARY, MacAddrType::Primary),
    (VNIC_MAC_ADDR_TYPE_VRID, MacAddrType::Vrid),
];

/// The class of a `datalink_class_t` value.
pub fn class_of(raw: u32) -> Option<LinkClass> {
    CLASSES.iter().find(|(b, _)| *b == raw).map(|(_, c)| *c)
}

/// The `datalink_class_t` value of a class.
pub fn class_bit(c: LinkClass) -> u32 {
    CLASSES.iter().find(|(_, k)| *k == c).map_or(0, |(b, _)| *b)
}

/// The address type of a `vnic_mac_addr_type_t` (`UNKNOWN`, or a value
/// from a newer release, reads as automatic: dladm prints nothing for it).
pub fn mac_type_of(raw: c_int) -> MacAddrType {
    match MAC_TYPES.iter().find(|(r, _)| *r == raw) {
        Some((_, t)) => *t,
        None if raw == VNIC_MAC_ADDR_TYPE_UNKNOWN => MacAddrType::Auto,
        None => MacAddrType::Auto,
    }
}

/// The `vnic_mac_addr_type_t` of an address type.
pub fn mac_type_raw(t: MacAddrType) -> c_int {
    MAC_TYPES
        .iter()
        .find(|(_, k)| *k == t)
        .map_or(VNIC_MAC_ADDR_TYPE_UNKNOWN, |(r, _)| *r)
}

/// A link record as the model's [`LinkInfo`]; a class xbow does not know
/// is an error naming the link.
pub fn link_info(r: LinkRecord) -> Result<LinkInfo, DlError> {
    let class = class_of(r.class).ok_or_else(|| {
        DlError::Backend(format!(
            "link {}: datalink class {:#x} is not one xbow knows",
            r.name, r.class
        ))
    })?;
    Ok(LinkInfo {
        id: r.id,
        name: r.name,
        class,
        conf: conf_of(r.flags),
    })
}

/// `link_state_t` as the model's state.
pub fn link_state(raw: c_int) -> LinkState {
    match raw {
        LINK_STATE_UP => LinkState::Up,
        LINK_STATE_DOWN => LinkState::Down,
        LINK_STATE_UNKNOWN => LinkState::Unknown,
        _ => LinkState::Unknown,
    }
}

/// `link_duplex_t` as `dladm_linkduplex2str` spells it.
pub fn duplex(raw: c_int) -> &'static str {
    match raw {
        LINK_DUPLEX_FULL => "full",
        LINK_DUPLEX_HALF => "half",
        LINK_DUPLEX_UNKNOWN => "unknown",
        _ => "unknown",
    }
}

/// `dladm_vnic_attr_t` as the model's [`VnicAttr`].
pub fn vnic_attr(r: &VnicRecord) -> VnicAttr {
    let mac_type = mac_type_of(r.mac_addr_type);
    // dladm prints the first ETHERADDRL bytes whatever the length says.
    let len = match r.mac_len as usize {
        n @ 1..=MAXMACADDRLEN => n,
        _ => ETHERADDRL,
    };
    let vrrp = match (mac_type, u8::try_from(r.vrid)) {
        (MacAddrType::Vrid, Ok(vrid)) => Some((
            vrid,
            if r.af == AF_INET6 {
                VrrpAf::Inet6
            } else {
                VrrpAf::Inet
            },
        )),
        _ => None,
    };
    VnicAttr {
        id: r.vnic_id,
        over: (r.link_id != DATALINK_INVALID_LINKID).then_some(r.link_id),
        mac_type,
        mac: MacAddr::from_bytes(&r.mac_addr[..len]),
        slot: r.mac_slot,
        vid: r.vid,
        vrrp,
    }
}

/// The `name=v1,v2,name2=v3` text `dladm_parse_link_props` reads.
pub fn props_text(props: &[(String, Vec<String>)]) -> String {
    props
        .iter()
        .map(|(n, v)| {
            if v.is_empty() {
                n.clone()
            } else {
                format!("{n}={}", v.join(","))
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// The arguments `dladm create-vnic` / `create-etherstub` pass to
/// `dladm_vnic_create` for a spec.
pub fn create_request(spec: &VnicSpec) -> CreateRequest {
    let mut flags = opt_flags(spec.conf);
    if spec.force {
        flags |= DLADM_OPT_FORCE;
    }
    let (vrid, af) = match spec.vrrp {
        Some((vrid, VrrpAf::Inet)) => (VridT::from(vrid), AF_INET),
        Some((vrid, VrrpAf::Inet6)) => (VridT::from(vrid), AF_INET6),
        None => (VRRP_VRID_NONE, AF_UNSPEC),
    };
    let Some(over) = spec.over else {
        // An etherstub: an anchor VNIC on no link, with an automatic
        // address over a zeroed Ethernet-sized buffer and no slot.
        return CreateRequest {
            name: spec.name.clone(),
            link_id: DATALINK_INVALID_LINKID,
            mac_addr_type: VNIC_MAC_ADDR_TYPE_AUTO,
            mac_addr: vec![0; ETHERADDRL],
            mac_len: ETHERADDRL as u32,
            mac_prefix_len: 0,
            mac_slot: None,
            vid: spec.vid,
            vrid,
            af,
            props: props_text(&spec.props),
            flags: flags | DLADM_OPT_ANCHOR,
        };
    };
    let (mac_addr, mac_len, mac_prefix_len) = match (spec.mac_type, spec.mac) {
        (MacAddrType::Fixed, Some(m)) => (m.as_bytes().to_vec(), m.len() as u32, 0),
        // Re-creation: the address itself (`vc_mac_len` > 0).
        (MacAddrType::Random, Some(m)) if spec.recreate => {
            (m.as_bytes().to_vec(), m.len() as u32, 0)
        }
        (MacAddrType::Random, Some(p)) => (p.as_bytes().to_vec(), 0, p.len() as u32),
        _ => (Vec::new(), 0, 0),
    };
    CreateRequest {
        name: spec.name.clone(),
        link_id: over,
        mac_addr_type: mac_type_raw(spec.mac_type),
        mac_addr,
        mac_len,
        mac_prefix_len,
        mac_slot: Some(spec.slot.unwrap_or(-1)),
        vid: spec.vid,
        vrid,
        af,
        props: props_text(&spec.props),
        flags,
    }
}

/// What `dladm_vlan_create` passes to `dladm_vnic_create`: the lower
/// link's primary address, no slot, `DLADM_OPT_VLAN`. (Called through the
/// host's `dladm_vnic_create` generation, whose prototype xbow knows, not
/// through `dladm_vlan_create`, whose 2026 prototype it does not.)
pub fn vlan_request(spec: &VlanSpec) -> CreateRequest {
    let req = create_request(&spec.as_vnic());
    CreateRequest {
        mac_slot: None,
        flags: req.flags | DLADM_OPT_VLAN,
        ..req
    }
}

/// What `dladm_vlan_info` reports.
pub fn vlan_attr(r: &VlanRecord) -> VlanAttr {
    VlanAttr {
        vid: r.vid,
        over: r.link_id,
        force: r.force,
    }
}

/// A slot of `dladm_walk_macaddr` (`None` for an address xbow cannot
/// hold: longer than `MAXMACADDRLEN`).
pub fn mac_slot(r: MacaddrRecord) -> Option<MacSlot> {
    Some(MacSlot {
        slot: r.slot,
        addr: MacAddr::from_bytes(&r.addr)?,
        in_use: r.used,
        client: r.client,
    })
}

/// A group of `dladm_walk_hwgrp`.
pub fn hw_group(r: HwgrpRecord) -> HwGroup {
    HwGroup {
        link: r.link,
        rx: r.rx,
        rings: r.rings,
        clients: r.clients,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vnic(over: LinkId) -> VnicSpec {
        VnicSpec {
            over: Some(over),
            ..VnicSpec::etherstub("vnic0", Conf::BOTH)
        }
    }

    use crate::model::link::LinkId;

    #[test]
    fn classes_and_address_types_match_the_model() {
        for (bit, c) in CLASSES {
            assert_eq!(c.bit(), bit, "{c:?}");
            assert_eq!((class_of(bit), class_bit(c)), (Some(c), bit));
        }
        assert_eq!(class_of(0x800), None);
        for (raw, t) in MAC_TYPES {
            assert_eq!(t.raw(), raw, "{t:?}");
            assert_eq!((mac_type_of(raw), mac_type_raw(t)), (t, raw));
        }
        assert_eq!(mac_type_of(VNIC_MAC_ADDR_TYPE_UNKNOWN), MacAddrType::Auto);
        assert_eq!(mac_type_of(42), MacAddrType::Auto);
    }

    #[test]
    fn flags_and_confs() {
        assert_eq!(opt_flags(Conf::ACTIVE), DLADM_OPT_ACTIVE);
        assert_eq!(opt_flags(Conf::PERSIST), DLADM_OPT_PERSIST);
        assert_eq!(opt_flags(Conf::BOTH), DLADM_OPT_ACTIVE | DLADM_OPT_PERSIST);
        assert_eq!(conf_of(DLADM_OPT_ACTIVE | DLADM_OPT_PERSIST), Conf::BOTH);
        assert_eq!(conf_of(DLADM_OPT_PERSIST), Conf::PERSIST);
        // Other bits (DLADM_OPT_ONLOAN and the like) do not matter.
        assert_eq!(conf_of(DLADM_OPT_ACTIVE | 0x8000), Conf::ACTIVE);
        assert_eq!(prop_type(PropValue::Current), 1);
        assert_eq!(prop_type(PropValue::Persistent), 5);
        assert_eq!(link_state(LINK_STATE_UP), LinkState::Up);
        assert_eq!(link_state(LINK_STATE_DOWN), LinkState::Down);
        assert_eq!(link_state(-1), LinkState::Unknown);
        assert_eq!(duplex(LINK_DUPLEX_FULL), "full");
        assert_eq!(duplex(LINK_DUPLEX_HALF), "half");
        assert_eq!(duplex(LINK_DUPLEX_UNKNOWN), "unknown");
    }

    #[test]
    fn link_records() {
        let r = LinkRecord {
            id: 7,
            flags: DLADM_OPT_ACTIVE,
            class: DATALINK_CLASS_ETHERSTUB,
            media: 4,
            name: "stub0".into(),
        };
        let i = link_info(r.clone()).unwrap();
        assert_eq!(
            (i.id, i.name.as_str(), i.class, i.conf),
            (7, "stub0", LinkClass::Etherstub, Conf::ACTIVE)
        );
        let e = link_info(LinkRecord { class: 0x800, ..r }).unwrap_err();
        assert_eq!(
            e,
            DlError::Backend("link stub0: datalink class 0x800 is not one xbow knows".into())
        );
    }

    #[test]
    fn etherstub_request_is_what_dladm_passes() {
        let r = create_request(&VnicSpec::etherstub("stub0", Conf::ACTIVE));
        assert_eq!(r.link_id, DATALINK_INVALID_LINKID);
        assert_eq!(r.mac_addr_type, VNIC_MAC_ADDR_TYPE_AUTO);
        assert_eq!(
            (r.mac_addr, r.mac_len, r.mac_prefix_len),
            (vec![0; 6], 6, 0)
        );
        assert_eq!(r.mac_slot, None);
        assert_eq!((r.vrid, r.af), (VRRP_VRID_NONE, AF_UNSPEC));
        assert_eq!(r.flags, DLADM_OPT_ACTIVE | DLADM_OPT_ANCHOR);
        assert_eq!(r.props, "");
        let r = create_request(&VnicSpec::etherstub("stub0", Conf::BOTH));
        assert_eq!(
            r.flags,
            DLADM_OPT_ACTIVE | DLADM_OPT_PERSIST | DLADM_OPT_ANCHOR
        );
    }

    #[test]
    fn vnic_requests() {
        let auto = create_request(&vnic(3));
        assert_eq!(auto.link_id, 3);
        assert_eq!(auto.mac_addr_type, VNIC_MAC_ADDR_TYPE_AUTO);
        assert_eq!(
            (auto.mac_addr.len(), auto.mac_len, auto.mac_prefix_len),
            (0, 0, 0)
        );
        assert_eq!(auto.mac_slot, Some(-1));
        assert_eq!(auto.flags, DLADM_OPT_ACTIVE | DLADM_OPT_PERSIST);

        let mac: MacAddr = "2:8:20:1:2:3".parse().unwrap();
        let fixed = create_request(&VnicSpec {
            mac_type: MacAddrType::Fixed,
            mac: Some(mac),
            vid: 42,
            force: true,
            conf: Conf::ACTIVE,
            props: vec![
                ("maxbw".into(), vec!["100M".into()]),
                ("priority".into(), vec!["low".into()]),
            ],
            ..vnic(3)
        });
        assert_eq!(fixed.mac_addr, vec![2, 8, 0x20, 1, 2, 3]);
        assert_eq!((fixed.mac_len, fixed.mac_prefix_len, fixed.vid), (6, 0, 42));
        assert_eq!(fixed.flags, DLADM_OPT_ACTIVE | DLADM_OPT_FORCE);
        assert_eq!(fixed.props, "maxbw=100M,priority=low");

        let prefix: MacAddr = "2:8:20".parse().unwrap();
        let random = create_request(&VnicSpec {
            mac_type: MacAddrType::Random,
            mac: Some(prefix),
            ..vnic(3)
        });
        assert_eq!(
            (random.mac_addr, random.mac_len, random.mac_prefix_len),
            (vec![2, 8, 0x20], 0, 3)
        );
        // Giving a deleted random VNIC its address back: the whole address
        // with its length, no prefix (as `dladm_vnic_up()` does).
        let again = create_request(&VnicSpec {
            mac_type: MacAddrType::Random,
            mac: Some("2:8:20:de:19:2".parse().unwrap()),
            recreate: true,
            ..vnic(3)
        });
        assert_eq!(
            (again.mac_addr, again.mac_len, again.mac_prefix_len),
            (vec![2, 8, 0x20, 0xde, 0x19, 2], 6, 0)
        );

        let factory = create_request(&VnicSpec {
            mac_type: MacAddrType::Factory,
            slot: Some(2),
            ..vnic(3)
        });
        assert_eq!(
            (factory.mac_addr_type, factory.mac_slot),
            (VNIC_MAC_ADDR_TYPE_FACTORY, Some(2))
        );

        let vrrp = create_request(&VnicSpec {
            mac_type: MacAddrType::Vrid,
            vrrp: Some((12, VrrpAf::Inet6)),
            ..vnic(3)
        });
        assert_eq!(
            (vrrp.mac_addr_type, vrrp.vrid, vrrp.af),
            (VNIC_MAC_ADDR_TYPE_VRID, 12, AF_INET6)
        );
        assert_eq!((vrrp.mac_addr.len(), vrrp.mac_slot), (0, Some(-1)));
    }

    #[test]
    fn property_text() {
        assert_eq!(props_text(&[]), "");
        assert_eq!(
            props_text(&[
                ("mtu".into(), vec!["9000".into()]),
                ("cpus".into(), vec!["0".into(), "1".into()])
            ]),
            "mtu=9000,cpus=0,1"
        );
        assert_eq!(props_text(&[("maxbw".into(), vec![])]), "maxbw");
    }

    #[test]
    fn vnic_records() {
        let mut mac = [0u8; MAXMACADDRLEN];
        mac[..6].copy_from_slice(&[2, 8, 0x20, 0xa, 0xb, 0xc]);
        let r = VnicRecord {
            vnic_id: 9,
            link_id: 3,
            mac_addr_type: VNIC_MAC_ADDR_TYPE_FACTORY,
            mac_len: 6,
            mac_addr: mac,
            mac_slot: 2,
            mac_prefix_len: 0,
            vid: 5,
            vrid: 0,
            af: AF_UNSPEC,
        };
        let a = vnic_attr(&r);
        assert_eq!(a.id, 9);
        assert_eq!(a.over, Some(3));
        assert_eq!(a.mac_type, MacAddrType::Factory);
        assert_eq!(
            a.mac.map(|m| m.to_string()),
            Some("2:8:20:a:b:c".to_string())
        );
        assert_eq!((a.slot, a.vid, a.vrrp), (2, 5, None));

        let stub = vnic_attr(&VnicRecord {
            link_id: DATALINK_INVALID_LINKID,
            mac_len: 0,
            mac_addr_type: VNIC_MAC_ADDR_TYPE_UNKNOWN,
            ..r.clone()
        });
        assert_eq!((stub.over, stub.mac_type), (None, MacAddrType::Auto));
        assert_eq!(stub.mac.map(|m| m.len()), Some(ETHERADDRL));

        let v = vnic_attr(&VnicRecord {
            mac_addr_type: VNIC_MAC_ADDR_TYPE_VRID,
            vrid: 12,
            af: AF_INET6,
            ..r.clone()
        });
        assert_eq!(v.vrrp, Some((12, VrrpAf::Inet6)));
        let v4 = vnic_attr(&VnicRecord {
            mac_addr_type: VNIC_MAC_ADDR_TYPE_VRID,
            vrid: 1,
            af: AF_INET,
            ..r
        });
        assert_eq!(v4.vrrp, Some((1, VrrpAf::Inet)));
    }

    #[test]
    fn a_vlan_is_a_vnic_with_the_primary_address_and_opt_vlan() {
        let spec = VlanSpec {
            name: "e1000g5000".into(),
            over: 3,
            vid: 5,
            force: true,
            props: Vec::new(),
            conf: Conf::BOTH,
        };
        let r = vlan_request(&spec);
        assert_eq!(r.link_id, 3);
        assert_eq!(r.vid, 5);
        assert_eq!(r.mac_addr_type, 4);
        assert!(r.mac_addr.is_empty() && r.mac_len == 0 && r.mac_slot.is_none());
        assert_eq!(
            r.flags,
            DLADM_OPT_ACTIVE | DLADM_OPT_PERSIST | DLADM_OPT_FORCE | DLADM_OPT_VLAN
        );
        let a = vlan_attr(&VlanRecord {
            vid: 5,
            link_id: 3,
            force: true,
        });
        assert_eq!((a.vid, a.over, a.force), (5, 3, true));
    }

    #[test]
    fn walked_slots_and_groups() {
        let slot = mac_slot(MacaddrRecord {
            slot: 1,
            used: true,
            addr: vec![0, 0x14, 0x4f, 0xf9, 0xa2, 0x1d],
            client: "vnic1".into(),
        })
        .unwrap();
        assert_eq!(slot.addr.to_string(), "0:14:4f:f9:a2:1d");
        assert!(slot.in_use);
        let g = hw_group(HwgrpRecord {
            link: "ixgbe0".into(),
            rx: false,
            rings: vec![0, 1],
            clients: String::new(),
        });
        assert!(!g.rx);
        assert_eq!(g.rings, [0, 1]);
    }
}
