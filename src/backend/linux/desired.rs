//! What the kernel holds for a state: xbow's state projected onto kernel
//! objects (bridges, veth pairs, macvlans, shapers, addresses, zone
//! namespaces, the NAT table, link protection), so that a change is the difference of two
//! projections.

use super::netlink::VxlanParams;
use super::protect::Guard;
use crate::backend::sim::{FilterState, SimState, mtu_of};
use crate::ipf::FilterRule;
use crate::ipnat::rule::NatRule;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, LinkId};
use crate::model::linkprop::Priority;
use crate::model::overlay::{OverlayConf, Search, VNETID_MAX};
use crate::model::svc::{self, SvcState};
use crate::model::zone::ZoneState;
use std::net::{IpAddr, Ipv4Addr};

/// An etherstub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Bridge {
    pub(super) name: String,
    pub(super) mtu: u32,
}

/// What the VNICs with one VID over one lower link share: over an
/// etherstub, a bridge of their own (the VLAN's segment of the etherstub,
/// which needs no VLAN filtering in the kernel); over a physical link, an
/// 802.1Q link. A VLAN link (`create-vlan`) over a physical link is such
/// an 802.1Q link too, with the VLAN's name, and the VNICs with its VID
/// over that link go over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Vlan {
    pub(super) name: String,
    pub(super) lower: String,
    pub(super) vid: u16,
    pub(super) stub: bool,
    pub(super) mtu: u32,
    /// A VLAN link of the state (a user's name), not one xbow names.
    pub(super) link: bool,
}

/// An overlay's VXLAN device, a port of the overlay's bridge (the bridge
/// has the overlay's name; VNICs over the overlay are its other ports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Vxlan {
    pub(super) name: String,
    pub(super) bridge: String,
    pub(super) params: VxlanParams,
}

/// A static FDB or neighbour entry on an overlay's VXLAN device (by the
/// device's name: its index is known once it exists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Entry {
    pub(super) dev: String,
    pub(super) mac: [u8; 6],
    pub(super) ip: IpAddr,
    /// An FDB entry's underlay port; `None`: a neighbour (ARP/NDP) entry.
    pub(super) port: Option<u16>,
}

/// The VXLAN device of overlay `id`.
pub(super) fn vxlan_name(id: LinkId) -> String {
    format!("xbx.{id}")
}

/// A VNIC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Vnic {
    pub(super) id: LinkId,
    pub(super) name: String,
    pub(super) lower: String,
    /// Over an etherstub (a veth pair) rather than a physical link.
    pub(super) over_stub: bool,
    pub(super) mac: [u8; 6],
    pub(super) vid: u16,
    pub(super) mtu: u32,
}

/// The bridge-port end of a VNIC over an etherstub (see
/// [`nft::BRIDGE_PORTS`]).
pub(super) fn peer_name(id: LinkId) -> String {
    format!("xbp.{id}")
}

/// Whether `name` has the shape of a name xbow gives its own links
/// ([`peer_name`], [`vlan_name`]): a user's link may not have it.
pub(super) fn is_internal_name(name: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some(id) = name
        .strip_prefix("xbp.")
        .or_else(|| name.strip_prefix("xbx."))
    {
        return digits(id);
    }
    name.strip_prefix("xb")
        .and_then(|rest| rest.split_once('v'))
        .is_some_and(|(id, vid)| digits(id) && digits(vid))
}

pub(super) fn vlan_name(phys: LinkId, vid: u16) -> String {
    format!("xb{phys}v{vid}")
}

impl Vnic {
    pub(super) fn peer(&self) -> Option<String> {
        self.over_stub.then(|| peer_name(self.id))
    }

    /// The bridge the peer joins, or the link the macvlan goes over.
    pub(super) fn parent(&self, vlans: &[Vlan]) -> String {
        vlans
            .iter()
            .find(|v| v.lower == self.lower && v.vid == self.vid && self.vid != 0)
            .map_or(self.lower.clone(), |v| v.name.clone())
    }
}

/// Where a shaper goes: a link (in a zone's namespace or xbow's own) and
/// the peer of a veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Shaped {
    pub(super) link: String,
    pub(super) ns: Option<String>,
    pub(super) peer: Option<String>,
    pub(super) mtu: u32,
}

/// One link of a running zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneLink {
    pub(super) link: String,
    pub(super) addr: Option<Ipv4Cidr>,
    pub(super) gw: Option<Ipv4Addr>,
    /// The shaper the VNIC end needs again once it has moved.
    pub(super) maxbw: Option<u64>,
    pub(super) mtu: u32,
}

/// A running exclusive-IP zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneNs {
    pub(super) name: String,
    pub(super) nets: Vec<ZoneLink>,
}

/// What the kernel holds for a state.
#[derive(Debug, Default)]
pub(super) struct Desired {
    pub(super) bridges: Vec<Bridge>,
    pub(super) vlans: Vec<Vlan>,
    pub(super) vnics: Vec<Vnic>,
    /// MTUs xbow set on physical links.
    pub(super) phys_mtu: Vec<(String, u32)>,
    /// Every active link: its shaper's rate and where the shaper goes.
    pub(super) maxbw: Vec<(Shaped, Option<u64>, Option<Priority>)>,
    pub(super) ifs: Vec<String>,
    pub(super) addrs: Vec<(String, Ipv4Cidr)>,
    pub(super) zones: Vec<ZoneNs>,
    pub(super) forwarding: bool,
    pub(super) nat: Vec<NatRule>,
    /// The link protection of VNICs over etherstubs.
    pub(super) guards: Vec<Guard>,
    /// Overlays' VXLAN devices and their static entries.
    pub(super) vxlans: Vec<Vxlan>,
    pub(super) entries: Vec<Entry>,
    /// The active set of the packet filter, every list in kernel order
    /// (the inactive set stays in the state until `ipf -s`).
    pub(super) filter: Vec<FilterRule>,
    /// Loopback traffic is filtered too.
    pub(super) filter_loopback: bool,
    /// The packet filter stacks of running zones that hold rules.
    pub(super) zone_filters: Vec<ZoneFilter>,
    /// The NAT stacks of running zones that hold rules.
    pub(super) zone_nats: Vec<ZoneNat>,
}

/// The rules of a running zone's NAT stack (its own, or with `gz` its
/// GZ-controlled one), in the zone's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneNat {
    pub(super) zone: String,
    pub(super) gz: bool,
    pub(super) rules: Vec<NatRule>,
}

/// The active set of a running zone's packet filter stack (its own, or
/// with `gz` its GZ-controlled one), in the zone's namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ZoneFilter {
    pub(super) zone: String,
    pub(super) gz: bool,
    pub(super) rules: Vec<FilterRule>,
    pub(super) loopback: bool,
}

/// An overlay: a bridge of its name, its VXLAN device on it, and the
/// entries of its search plugin — `direct`: everything to one underlay
/// destination (the all-zeros FDB entry); `files`: each MAC of the target
/// table to its destination (a MAC that is not there, or is dropped, has
/// no entry and gets nothing: no learning, no flooding), and the mapping's
/// `arp`/`ndp` addresses answered with their MACs.
fn project_overlay(
    d: &mut Desired,
    id: LinkId,
    name: &str,
    o: &OverlayConf,
    mtu: u32,
) -> Result<(), String> {
    let dev = vxlan_name(id);
    let vni = u32::try_from(o.vnetid)
        .ok()
        .filter(|v| u64::from(*v) <= VNETID_MAX)
        .ok_or_else(|| format!("overlay {name}: vnetid {} is out of range", o.vnetid))?;
    d.bridges.push(Bridge {
        name: name.to_string(),
        mtu,
    });
    d.vxlans.push(Vxlan {
        name: dev.clone(),
        bridge: name.to_string(),
        params: VxlanParams {
            vni,
            local: o.listen_ip,
            port: o.port(),
            mtu,
            proxy: matches!(o.search, Search::Files { .. }),
        },
    });
    let entry = |mac: [u8; 6], ip: IpAddr, port: Option<u16>| Entry {
        dev: dev.clone(),
        mac,
        ip,
        port,
    };
    for t in o.target_table() {
        let Some(dest) = t.dest else { continue };
        let mac = match t.mac {
            None => [0; 6],
            Some(m) => <[u8; 6]>::try_from(m.as_bytes())
                .map_err(|_| format!("overlay {name}: target {m} is not a MAC address"))?,
        };
        d.entries.push(entry(mac, dest.ip(), Some(dest.port())));
    }
    if let Search::Files { map, .. } = &o.search {
        for (m, e) in map {
            let Ok(mac) = <[u8; 6]>::try_from(m.as_bytes()) else {
                continue;
            };
            let ips = [e.arp.map(IpAddr::V4), e.ndp.map(IpAddr::V6)];
            for ip in ips.into_iter().flatten() {
                d.entries.push(entry(mac, ip, None));
            }
        }
    }
    Ok(())
}

/// What a kernel holds of a packet filter: its active set (none while it
/// is disabled) and whether it sees loopback traffic.
fn active_filter(f: &FilterState) -> (Vec<FilterRule>, bool) {
    let rules = f.active_rules().iter().map(|h| h.rule.clone()).collect();
    (rules, !f.disabled && f.intercepts_loopback())
}

pub(super) fn running_zone_of<'a>(st: &'a SimState, link: &str) -> Option<&'a str> {
    st.zones
        .iter()
        .find(|z| z.state == ZoneState::Running && z.config.nets.iter().any(|n| n.physical == link))
        .map(|z| z.config.name.as_str())
}

impl Desired {
    pub(super) fn of(st: &SimState) -> Result<Desired, String> {
        let mut d = Desired::default();
        // VLAN links first: the VNICs with their VID go over them.
        for l in st.links().iter().filter(|l| l.class == LinkClass::Vlan) {
            let Some(c) = &l.active else { continue };
            let lower = c
                .over
                .and_then(|o| st.link(o))
                .ok_or_else(|| format!("VLAN {}: its lower link is gone", l.name))?;
            if lower.class != LinkClass::Phys {
                return Err(format!(
                    "VLAN {} over {} {}: the Linux backend makes VLAN links over physical links only",
                    l.name,
                    lower.class.as_str(),
                    lower.name
                ));
            }
            d.vlans.push(Vlan {
                name: l.name.clone(),
                lower: lower.name.clone(),
                vid: c.vid,
                stub: false,
                mtu: mtu_of(st, l.id).map_err(|e| format!("link {}: {e}", l.name))?,
                link: true,
            });
        }
        for l in st.links() {
            let Some(c) = &l.active else { continue };
            let mtu = mtu_of(st, l.id).map_err(|e| format!("link {}: {e}", l.name))?;
            let mut peer = None;
            match l.class {
                LinkClass::Etherstub => d.bridges.push(Bridge {
                    name: l.name.clone(),
                    mtu,
                }),
                LinkClass::Overlay => {
                    let o = c
                        .overlay
                        .as_ref()
                        .ok_or_else(|| format!("overlay {}: no configuration", l.name))?;
                    project_overlay(&mut d, l.id, &l.name, o, mtu)?;
                }
                LinkClass::Vnic => {
                    let lower = c
                        .over
                        .and_then(|o| st.link(o))
                        .ok_or_else(|| format!("VNIC {}: its lower link is gone", l.name))?;
                    if lower.class == LinkClass::Overlay && c.vid != 0 {
                        return Err(format!(
                            "VNIC {} over overlay {}: the Linux backend makes VNICs over overlays without a VLAN id only",
                            l.name, lower.name
                        ));
                    }
                    let mac = c.mac.and_then(|m| <[u8; 6]>::try_from(m.as_bytes()).ok());
                    let v = Vnic {
                        id: l.id,
                        name: l.name.clone(),
                        lower: lower.name.clone(),
                        over_stub: matches!(lower.class, LinkClass::Etherstub | LinkClass::Overlay),
                        mac: mac.ok_or_else(|| format!("VNIC {}: no MAC address", l.name))?,
                        vid: c.vid,
                        mtu,
                    };
                    let shared = d.vlans.iter().any(|x| x.lower == v.lower && x.vid == v.vid);
                    if v.vid != 0 && !shared {
                        d.vlans.push(Vlan {
                            name: vlan_name(lower.id, v.vid),
                            lower: lower.name.clone(),
                            vid: v.vid,
                            stub: v.over_stub,
                            mtu,
                            link: false,
                        });
                    }
                    peer = v.peer();
                    d.guards.extend(Guard::of(&v, &c.props)?);
                    d.vnics.push(v);
                }
                LinkClass::Phys => {
                    if let Some(m) = c.mtu {
                        d.phys_mtu.push((l.name.clone(), m));
                    }
                }
                _ => {}
            }
            let at = Shaped {
                link: l.name.clone(),
                ns: running_zone_of(st, &l.name).map(String::from),
                peer,
                mtu,
            };
            d.maxbw.push((at, c.maxbw, c.priority));
        }
        for i in &st.interfaces {
            d.ifs.push(i.name.clone());
            d.addrs
                .extend(i.addrs.iter().map(|(_, a)| (i.name.clone(), *a)));
        }
        for z in st.zones.iter().filter(|z| z.state == ZoneState::Running) {
            let nets = z
                .config
                .nets
                .iter()
                .map(|n| {
                    let shaped = d.maxbw.iter().find(|(s, _, _)| s.link == n.physical);
                    ZoneLink {
                        link: n.physical.clone(),
                        addr: n.allowed_address,
                        gw: n.defrouter,
                        maxbw: shaped.and_then(|(_, bw, _)| *bw),
                        mtu: shaped.map_or(1500, |(s, _, _)| s.mtu),
                    }
                })
                .collect();
            d.zones.push(ZoneNs {
                name: z.config.name.clone(),
                nets,
            });
        }
        d.forwarding = st.services.get(svc::IPV4_FORWARDING) == Some(&SvcState::Online);
        d.nat = st
            .nat
            .rules
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| r.rule.clone())
            .collect();
        (d.filter, d.filter_loopback) = active_filter(&st.filter);
        let running = |zone: &str| {
            st.zones
                .iter()
                .any(|x| x.config.name == zone && x.state == ZoneState::Running)
        };
        for z in st.zone_nats.iter().filter(|z| running(&z.zone)) {
            let rules: Vec<NatRule> = z
                .table
                .rules
                .iter()
                .filter(|r| !r.deleted)
                .map(|r| r.rule.clone())
                .collect();
            if !rules.is_empty() {
                d.zone_nats.push(ZoneNat {
                    zone: z.zone.clone(),
                    gz: z.gz,
                    rules,
                });
            }
        }
        for z in &st.zone_filters {
            let running = running(&z.zone);
            let (rules, loopback) = active_filter(&z.table);
            if running && (!rules.is_empty() || loopback) {
                d.zone_filters.push(ZoneFilter {
                    zone: z.zone.clone(),
                    gz: z.gz,
                    rules,
                    loopback,
                });
            }
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_names() {
        for n in ["xbp.9", "xbp.123", "xb3v10", "xb12v4094", "xbx.4"] {
            assert!(is_internal_name(n), "{n}");
        }
        for n in [
            "xbp.", "xbp.9a", "xbp9", "xb3v", "xbv10", "xbow0", "vnic0", "xb3x10",
        ] {
            assert!(!is_internal_name(n), "{n}");
        }
        assert!(is_internal_name(&peer_name(7)));
        assert!(is_internal_name(&vlan_name(3, 10)));
    }

    /// A VLAN link over a NIC is the 802.1Q link the NIC's VNICs with its
    /// VID go over; over anything else the Linux backend refuses it.
    #[test]
    fn a_vlan_link_carries_the_vnics_of_its_vid() {
        use crate::backend::sim::LinkConf;
        use crate::model::mac::MacAddr;
        let mut st = SimState::default();
        let nic = st.insert("net0", LinkClass::Phys, Some(LinkConf::default()), None);
        let vnic = LinkConf {
            over: Some(nic),
            mac: MacAddr::from_bytes(&[2, 8, 32, 0, 0, 1]),
            vid: 5,
            ..LinkConf::default()
        };
        st.insert("vnic0", LinkClass::Vnic, Some(vnic), None);
        let before = Desired::of(&st).unwrap();
        assert_eq!(before.vlans[0].name, vlan_name(nic, 5));
        let vlan = LinkConf {
            over: Some(nic),
            vid: 5,
            ..LinkConf::default()
        };
        st.insert("net5000", LinkClass::Vlan, Some(vlan.clone()), None);
        let d = Desired::of(&st).unwrap();
        assert_eq!(d.vlans.len(), 1);
        assert!(d.vlans[0].link && d.vlans[0].name == "net5000");
        assert_eq!(d.vnics[0].parent(&d.vlans), "net5000");
        // The VNIC moves onto the VLAN link: made again over it.
        let ops = super::super::ops::plan(&before, &d).unwrap();
        let text = format!("{ops:?}");
        for want in ["DelVnic", "DelVlan", "AddVlan", "AddVnic"] {
            assert!(text.contains(want), "{want}: {text}");
        }
        let stub = st.insert(
            "stub0",
            LinkClass::Etherstub,
            Some(LinkConf::default()),
            None,
        );
        st.insert(
            "stub5000",
            LinkClass::Vlan,
            Some(LinkConf {
                over: Some(stub),
                ..vlan
            }),
            None,
        );
        assert_eq!(
            Desired::of(&st).unwrap_err(),
            "VLAN stub5000 over etherstub stub0: the Linux backend makes VLAN links over physical links only"
        );
    }

    /// The kernel holds the active set only, and nothing while IP Filter
    /// is disabled.
    #[test]
    fn the_active_filter_set_is_projected() {
        let mut st: SimState = serde_json::from_value(serde_json::json!({
            "version": 1,
            "links": [],
            "filter": { "sets": [[{ "id": 1, "rule": { "v": 4 } }], [{ "id": 2, "rule": { "v": 6 } }]] }
        }))
        .unwrap();
        assert_eq!(Desired::of(&st).unwrap().filter[0].v, 4);
        st.filter.active = 1;
        assert_eq!(Desired::of(&st).unwrap().filter[0].v, 6);
        st.filter.disabled = true;
        assert!(Desired::of(&st).unwrap().filter.is_empty());
    }
}
