//! [`Kernel`] for Linux: xbow's state (the model the sim keeps) projected
//! onto the kernel objects that implement it, and every change made as the
//! difference between two projections, undone in reverse when a part fails.
//!
//! | state | kernel |
//! |---|---|
//! | etherstub | bridge with no physical port |
//! | VNIC over an etherstub | veth pair: the VNIC end has the name and MAC, the peer `xbp.ID` is a bridge port |
//! | VNIC over a physical link | macvlan (bridge mode), over an 802.1Q link `xbIDvVID` when it has a VID |
//! | VNIC with a VID over an etherstub | its peer is a port of the etherstub's bridge for that VLAN, `xbIDvVID` |
//! | `maxbw` | `tc` TBF on the egress of both veth ends |
//! | plumbed interface, address | link up, IPv4 address |
//! | running exclusive-IP zone | named network namespace with the VNIC, its address and default route |
//! | ipv4-forwarding online | `net.ipv4.ip_forward` = 1 |
//! | NAT rules | nftables table `ip xbow` |

use super::netlink::{KLink, Netlink, NlError, OperState};
use super::{conntrack, netns, nft, tc};
use crate::backend::sim::{Kernel, LinkConf, PhysConf, SimState, mtu_of};
use crate::backend::{DlError, DlResult};
use crate::ipnat::rule::NatRule;
use crate::ipnat::session::NatSession;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, LinkId, LinkState};
use crate::model::link_name::LinkName;
use crate::model::linkprop::Priority;
use crate::model::mac::MacAddr;
use crate::model::svc::{self, SvcState};
use crate::model::zone::ZoneState;
use std::collections::HashMap;
use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::sync::Mutex;

/// `IFNAMSIZ` - 1: the longest interface name Linux takes.
const MAX_IFNAME: usize = 15;
/// The alias (`ip link` shows it) of every kernel link xbow makes starts
/// with this; such links are never taken for physical ones.
const ALIAS: &str = "xbow";
const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";
const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";
/// Whether bridged IPv4 frames pass the IP hooks (br_netfilter). An
/// etherstub is a switch; with this on, a connection from a zone would be
/// tracked on the bridge, get its NAT decision there (none: it leaves by a
/// bridge port) and keep it through the veth pair into the global zone's
/// VNIC, so it would never be translated at the uplink. While NAT rules
/// are loaded it is off in xbow's namespace (and on again when they go).
const BRIDGE_NF: &str = "/proc/sys/net/bridge/bridge-nf-call-iptables";

/// The Linux kernel behind xbow's state.
#[derive(Debug, Default)]
pub struct LinuxKernel {
    /// The physical links (name, active configuration), read once per
    /// process and dropped when xbow changes one.
    phys: Mutex<Option<Vec<(String, LinkConf)>>>,
    /// The process's rtnetlink socket, in its own namespace.
    nl: Mutex<Option<Netlink>>,
}

fn nl_err(e: NlError) -> String {
    e.to_string()
}

fn find(nl: &mut Netlink, name: &str) -> Result<KLink, String> {
    nl.link(name)
        .map_err(nl_err)?
        .ok_or_else(|| format!("link {name}: not in the kernel"))
}

/// Check a name fits in `IFNAMSIZ`.
fn ifname(name: &str) -> Result<&str, String> {
    if name.len() > MAX_IFNAME {
        return Err(format!(
            "link name '{name}' is {} characters long: Linux allows at most {MAX_IFNAME}",
            name.len()
        ));
    }
    Ok(name)
}

/// An etherstub.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Bridge {
    name: String,
    mtu: u32,
}

/// What the VNICs with one VID over one lower link share: over an
/// etherstub, a bridge of their own (the VLAN's segment of the etherstub,
/// which needs no VLAN filtering in the kernel); over a physical link, an
/// 802.1Q link.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Vlan {
    name: String,
    lower: String,
    vid: u16,
    stub: bool,
    mtu: u32,
}

/// A VNIC.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Vnic {
    id: LinkId,
    name: String,
    lower: String,
    /// Over an etherstub (a veth pair) rather than a physical link.
    over_stub: bool,
    mac: [u8; 6],
    vid: u16,
    mtu: u32,
}

/// The bridge-port end of a VNIC over an etherstub (see
/// [`nft::BRIDGE_PORTS`]).
fn peer_name(id: LinkId) -> String {
    format!("xbp.{id}")
}

fn vlan_name(phys: LinkId, vid: u16) -> String {
    format!("xb{phys}v{vid}")
}

impl Vnic {
    fn peer(&self) -> Option<String> {
        self.over_stub.then(|| peer_name(self.id))
    }

    /// The bridge the peer joins, or the link the macvlan goes over.
    fn parent(&self, vlans: &[Vlan]) -> String {
        vlans
            .iter()
            .find(|v| v.lower == self.lower && v.vid == self.vid && self.vid != 0)
            .map_or(self.lower.clone(), |v| v.name.clone())
    }
}

/// Where a shaper goes: a link (in a zone's namespace or xbow's own) and
/// the peer of a veth pair.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shaped {
    link: String,
    ns: Option<String>,
    peer: Option<String>,
    mtu: u32,
}

/// One link of a running zone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ZoneLink {
    link: String,
    addr: Option<Ipv4Cidr>,
    gw: Option<Ipv4Addr>,
    /// The shaper the VNIC end needs again once it has moved.
    maxbw: Option<u64>,
    mtu: u32,
}

/// A running exclusive-IP zone.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ZoneNs {
    name: String,
    nets: Vec<ZoneLink>,
}

/// What the kernel holds for a state.
#[derive(Debug, Default)]
struct Desired {
    bridges: Vec<Bridge>,
    vlans: Vec<Vlan>,
    vnics: Vec<Vnic>,
    /// MTUs xbow set on physical links.
    phys_mtu: Vec<(String, u32)>,
    /// Every active link: its shaper's rate and where the shaper goes.
    maxbw: Vec<(Shaped, Option<u64>, Option<Priority>)>,
    ifs: Vec<String>,
    addrs: Vec<(String, Ipv4Cidr)>,
    zones: Vec<ZoneNs>,
    forwarding: bool,
    nat: Vec<NatRule>,
}

fn running_zone_of<'a>(st: &'a SimState, link: &str) -> Option<&'a str> {
    st.zones
        .iter()
        .find(|z| z.state == ZoneState::Running && z.config.nets.iter().any(|n| n.physical == link))
        .map(|z| z.config.name.as_str())
}

impl Desired {
    fn of(st: &SimState) -> Result<Desired, String> {
        let mut d = Desired::default();
        for l in &st.links {
            let Some(c) = &l.active else { continue };
            let mtu = mtu_of(st, l.id).map_err(|e| format!("link {}: {e}", l.name))?;
            let mut peer = None;
            match l.class {
                LinkClass::Etherstub => d.bridges.push(Bridge {
                    name: l.name.clone(),
                    mtu,
                }),
                LinkClass::Vnic => {
                    let lower = c
                        .over
                        .and_then(|o| st.link(o))
                        .ok_or_else(|| format!("VNIC {}: its lower link is gone", l.name))?;
                    let mac = c.mac.and_then(|m| <[u8; 6]>::try_from(m.as_bytes()).ok());
                    let v = Vnic {
                        id: l.id,
                        name: l.name.clone(),
                        lower: lower.name.clone(),
                        over_stub: lower.class == LinkClass::Etherstub,
                        mac: mac.ok_or_else(|| format!("VNIC {}: no MAC address", l.name))?,
                        vid: c.vid,
                        mtu,
                    };
                    if v.vid != 0 {
                        let vl = Vlan {
                            name: vlan_name(lower.id, v.vid),
                            lower: lower.name.clone(),
                            vid: v.vid,
                            stub: v.over_stub,
                            mtu,
                        };
                        if !d.vlans.contains(&vl) {
                            d.vlans.push(vl);
                        }
                    }
                    peer = v.peer();
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
        Ok(d)
    }
}

/// One change to the kernel, with its inverse.
#[derive(Debug, Clone)]
enum Op {
    AddBridge(Bridge),
    DelBridge(Bridge),
    AddVlan(Vlan),
    DelVlan(Vlan),
    AddVnic(Vnic, Vec<Vlan>),
    DelVnic(Vnic, Vec<Vlan>),
    Mtu {
        link: String,
        mtu: u32,
        old: u32,
    },
    Maxbw {
        at: Shaped,
        rate: Option<u64>,
        old: Option<u64>,
    },
    /// Plumb an interface: IPv6 on, and the link up.
    Plumb(String),
    /// Unplumb it: IPv6 off again (the link stays up).
    Unplumb(String),
    AddAddr(String, Ipv4Cidr),
    DelAddr(String, Ipv4Cidr),
    Boot(ZoneNs),
    Halt(ZoneNs),
    Forwarding(bool),
    Nat {
        rules: Vec<NatRule>,
        old: Vec<NatRule>,
    },
    /// `net.bridge.bridge-nf-call-iptables` (see [`BRIDGE_NF`]).
    BridgeNf(bool),
}

impl Op {
    fn inverse(&self) -> Op {
        match self.clone() {
            Op::AddBridge(b) => Op::DelBridge(b),
            Op::DelBridge(b) => Op::AddBridge(b),
            Op::AddVlan(v) => Op::DelVlan(v),
            Op::DelVlan(v) => Op::AddVlan(v),
            Op::AddVnic(v, vl) => Op::DelVnic(v, vl),
            Op::DelVnic(v, vl) => Op::AddVnic(v, vl),
            Op::Mtu { link, mtu, old } => Op::Mtu {
                link,
                mtu: old,
                old: mtu,
            },
            Op::Maxbw { at, rate, old } => Op::Maxbw {
                at,
                rate: old,
                old: rate,
            },
            Op::Plumb(i) => Op::Unplumb(i),
            Op::Unplumb(i) => Op::Plumb(i),
            Op::AddAddr(i, a) => Op::DelAddr(i, a),
            Op::DelAddr(i, a) => Op::AddAddr(i, a),
            Op::Boot(z) => Op::Halt(z),
            Op::Halt(z) => Op::Boot(z),
            Op::Forwarding(on) => Op::Forwarding(!on),
            Op::Nat { rules, old } => Op::Nat {
                rules: old,
                old: rules,
            },
            Op::BridgeNf(on) => Op::BridgeNf(!on),
        }
    }

    fn apply(&self, nl: &mut Netlink) -> Result<(), String> {
        match self {
            Op::AddBridge(b) => {
                nl.add_bridge(ifname(&b.name)?, b.mtu).map_err(nl_err)?;
                ready(nl, &[&b.name], &b.name, &format!("{ALIAS} etherstub"))
            }
            Op::DelBridge(Bridge { name, .. }) | Op::DelVlan(Vlan { name, .. }) => {
                del_link(nl, name)
            }
            Op::AddVlan(v) if v.stub => {
                nl.add_bridge(&v.name, v.mtu).map_err(nl_err)?;
                let alias = format!("{ALIAS} VLAN {} of {}", v.vid, v.lower);
                ready(nl, &[&v.name], &v.name, &alias)
            }
            Op::AddVlan(v) => {
                let parent = find(nl, &v.lower)?;
                nl.add_vlan(&v.name, parent.index, v.vid)
                    .map_err(|e| {
                        if e.errno == libc::EOPNOTSUPP {
                            format!(
                                "VLAN id {} over physical link {}: this kernel has no 802.1Q VLAN support (CONFIG_VLAN_8021Q)",
                                v.vid, v.lower
                            )
                        } else {
                            nl_err(e)
                        }
                    })?;
                ready(nl, &[&v.name], &v.name, &format!("{ALIAS} vlan"))
            }
            Op::AddVnic(v, vlans) => add_vnic(nl, v, vlans),
            Op::DelVnic(v, _) => del_link(nl, &v.name),
            Op::Mtu { link, mtu, .. } => {
                let l = find(nl, link)?;
                nl.set_mtu(l.index, *mtu).map_err(nl_err)
            }
            Op::Maxbw { at, rate, .. } => shape(at, *rate),
            Op::Plumb(i) => {
                ipv6(i, true)?;
                let l = find(nl, i)?;
                nl.set_up(l.index, true).map_err(nl_err)
            }
            Op::Unplumb(i) => ipv6(i, false),
            Op::AddAddr(i, a) => {
                let l = find(nl, i)?;
                nl.add_addr(l.index, a.addr, a.prefix).map_err(nl_err)
            }
            Op::DelAddr(i, a) => match nl.link(i).map_err(nl_err)? {
                Some(l) => match nl.del_addr(l.index, a.addr, a.prefix) {
                    Err(e) if e.errno == libc::EADDRNOTAVAIL => Ok(()),
                    r => r.map_err(nl_err),
                },
                None => Ok(()),
            },
            Op::Boot(z) => boot(nl, z),
            Op::Halt(z) => halt(nl, z),
            Op::Forwarding(on) => std::fs::write(IP_FORWARD, if *on { "1\n" } else { "0\n" })
                .map_err(|e| format!("{IP_FORWARD}: {e}")),
            Op::BridgeNf(on) => match std::fs::write(BRIDGE_NF, if *on { "1\n" } else { "0\n" }) {
                // No br_netfilter: bridged frames never pass the IP hooks.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                r => r.map_err(|e| format!("{BRIDGE_NF}: {e}")),
            },
            Op::Nat { rules, .. } => {
                let doc = nft::ruleset(rules).map_err(|e| e.to_string())?;
                nft::apply(&doc)
            }
        }
    }
}

fn del_link(nl: &mut Netlink, name: &str) -> Result<(), String> {
    match nl.link(name).map_err(nl_err)? {
        Some(l) => nl.del_link(l.index).map_err(nl_err),
        None => Ok(()),
    }
}

/// A VNIC: a veth pair whose peer joins the bridge, or a macvlan; up.
fn add_vnic(nl: &mut Netlink, v: &Vnic, vlans: &[Vlan]) -> Result<(), String> {
    let name = ifname(&v.name)?;
    let alias = format!("{ALIAS} vnic {} over {}", v.name, v.lower);
    // if_nametoindex(3) needs no RTNL lock, which a network of hundreds
    // of VNICs keeps busy.
    let parent = v.parent(vlans);
    let lower = nix::net::if_::if_nametoindex(parent.as_str())
        .map_err(|e| format!("link {parent}: {}", e.desc()))?;
    match v.peer() {
        None => {
            nl.add_macvlan(name, lower, v.mac).map_err(nl_err)?;
            ready(nl, &[name], name, &alias)
        }
        Some(peer) => {
            nl.add_veth(name, v.mac, &peer, v.mtu, Some(lower))
                .map_err(nl_err)?;
            ready(nl, &[&peer, name], name, &alias)
        }
    }
}

/// Bring up links just made (`links`, the first of which deletes them
/// all), with IPv6 off: a datalink has no IP until it is plumbed, and a
/// bridge or its ports never have one. (This also spares the kernel the
/// IPv6 autoconfiguration of every link, most of the cost of making many.)
/// `named` gets `alias`. On failure the links are deleted.
fn ready(nl: &mut Netlink, links: &[&str], named: &str, alias: &str) -> Result<(), String> {
    let r = links.iter().try_for_each(|l| {
        ipv6(l, false)?;
        let a = if *l == named { alias } else { "" };
        nl.bring_up(l, a).map_err(nl_err)
    });
    if r.is_err() {
        let _ = nl.del_named(links[0]);
    }
    r
}

/// `net.ipv6.conf.LINK.disable_ipv6` (nothing to do on a kernel without
/// IPv6).
fn ipv6(link: &str, on: bool) -> Result<(), String> {
    let path = format!("/proc/sys/net/ipv6/conf/{link}/disable_ipv6");
    match std::fs::write(&path, if on { "0\n" } else { "1\n" }) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        r => r.map_err(|e| format!("{path}: {e}")),
    }
}

/// Give `at` the shaper `rate` (or none): the VNIC end where it is, and the
/// peer in xbow's namespace, so both directions are limited.
fn shape(at: &Shaped, rate: Option<u64>) -> Result<(), String> {
    tc::set_maxbw(at.ns.as_deref(), &at.link, rate, at.mtu)?;
    if let Some(p) = &at.peer {
        tc::set_maxbw(None, p, rate, at.mtu)?;
    }
    Ok(())
}

fn io_err(what: &str, name: &str, e: std::io::Error) -> String {
    format!("{what} {name}: {e}")
}

/// Boot a zone: its namespace, with loopback up and its VNICs moved in,
/// addressed and routed. A failure halts what was done.
fn boot(nl: &mut Netlink, z: &ZoneNs) -> Result<(), String> {
    netns::create(&z.name).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "zone {0}: network namespace {0} already exists and is not this zone's (see 'ip netns list')",
                z.name
            )
        } else {
            io_err("ip netns add", &z.name, e)
        }
    })?;
    let r = (|| -> Result<(), String> {
        let fd = netns::open(&z.name).map_err(|e| io_err("netns", &z.name, e))?;
        for n in &z.nets {
            let l = find(nl, &n.link)?;
            nl.set_netns(l.index, fd.as_fd()).map_err(nl_err)?;
        }
        netns::run_in(&z.name, || -> Result<(), String> {
            let mut nl = Netlink::open().map_err(nl_err)?;
            let lo = find(&mut nl, "lo")?;
            nl.set_up(lo.index, true).map_err(nl_err)?;
            for n in &z.nets {
                let l = find(&mut nl, &n.link)?;
                nl.set_up(l.index, true).map_err(nl_err)?;
                if let Some(a) = n.addr {
                    nl.add_addr(l.index, a.addr, a.prefix).map_err(nl_err)?;
                }
                if let Some(gw) = n.gw {
                    nl.set_default_route(gw).map_err(nl_err)?;
                }
            }
            Ok(())
        })
        .map_err(|e| io_err("netns", &z.name, e))??;
        // Moving a link resets its queueing discipline.
        for n in z.nets.iter().filter(|n| n.maxbw.is_some()) {
            tc::set_maxbw(Some(&z.name), &n.link, n.maxbw, n.mtu)?;
        }
        Ok(())
    })();
    if let Err(e) = r {
        let _ = halt(nl, z);
        return Err(format!("zone {}: {e}", z.name));
    }
    Ok(())
}

/// Halt a zone: its VNICs come back (up, shaped again) and its namespace
/// goes.
fn halt(nl: &mut Netlink, z: &ZoneNs) -> Result<(), String> {
    if !netns::exists(&z.name) {
        return Ok(());
    }
    let host = netns::current().map_err(|e| io_err("netns", "of xbow", e))?;
    netns::run_in(&z.name, || -> Result<(), String> {
        let mut nl = Netlink::open().map_err(nl_err)?;
        for n in &z.nets {
            if let Some(l) = nl.link(&n.link).map_err(nl_err)? {
                nl.set_netns(l.index, host.as_fd()).map_err(nl_err)?;
            }
        }
        Ok(())
    })
    .map_err(|e| io_err("netns", &z.name, e))??;
    for n in &z.nets {
        if let Some(l) = nl.link(&n.link).map_err(nl_err)? {
            // Back in xbow's namespace, it gets that namespace's defaults.
            ipv6(&n.link, false)?;
            nl.set_up(l.index, true).map_err(nl_err)?;
            if n.maxbw.is_some() {
                tc::set_maxbw(None, &n.link, n.maxbw, n.mtu)?;
            }
        }
    }
    netns::delete(&z.name).map_err(|e| io_err("ip netns delete", &z.name, e))
}

/// The changes that take the kernel from `old` to `new`, in an order that
/// respects dependencies (zones stop before their links go, links exist
/// before zones start).
fn plan(old: &Desired, new: &Desired) -> Result<Vec<Op>, String> {
    let mut ops = Vec::new();
    for z in old.zones.iter().filter(|z| !new.zones.contains(z)) {
        ops.push(Op::Halt(z.clone()));
    }
    for a in old.addrs.iter().filter(|a| !new.addrs.contains(a)) {
        ops.push(Op::DelAddr(a.0.clone(), a.1));
    }
    for i in old.ifs.iter().filter(|i| !new.ifs.contains(i)) {
        ops.push(Op::Unplumb(i.clone()));
    }
    // Networks have hundreds of VNICs: look them up by name.
    let by_name = |vs: &[Vnic]| -> HashMap<String, Vnic> {
        vs.iter().map(|v| (v.name.clone(), v.clone())).collect()
    };
    let (old_vnics, new_vnics) = (by_name(&old.vnics), by_name(&new.vnics));
    for v in &old.vnics {
        if new_vnics.get(&v.name) != Some(v) {
            ops.push(Op::DelVnic(v.clone(), old.vlans.clone()));
        }
    }
    for v in old.vlans.iter().filter(|v| !new.vlans.contains(v)) {
        ops.push(Op::DelVlan(v.clone()));
    }
    for b in &old.bridges {
        if !new.bridges.iter().any(|n| n.name == b.name) {
            ops.push(Op::DelBridge(b.clone()));
        }
    }
    for b in &new.bridges {
        match old.bridges.iter().find(|o| o.name == b.name) {
            None => ops.push(Op::AddBridge(b.clone())),
            Some(o) if o.mtu != b.mtu => ops.push(Op::Mtu {
                link: b.name.clone(),
                mtu: b.mtu,
                old: o.mtu,
            }),
            Some(_) => {}
        }
    }
    for (name, mtu) in &new.phys_mtu {
        if let Some((_, o)) = old.phys_mtu.iter().find(|(n, _)| n == name)
            && o != mtu
        {
            ops.push(Op::Mtu {
                link: name.clone(),
                mtu: *mtu,
                old: *o,
            });
        }
    }
    for v in new.vlans.iter().filter(|v| !old.vlans.contains(v)) {
        ops.push(Op::AddVlan(v.clone()));
    }
    for v in &new.vnics {
        if old_vnics.get(&v.name) != Some(v) {
            ops.push(Op::AddVnic(v.clone(), new.vlans.clone()));
        }
    }
    let old_maxbw: HashMap<&str, _> = old.maxbw.iter().map(|m| (m.0.link.as_str(), m)).collect();
    for (at, rate, prio) in &new.maxbw {
        let before = old_maxbw.get(at.link.as_str());
        let (old_rate, old_prio) = before.map_or((None, None), |(_, r, p)| (*r, *p));
        if prio.is_some_and(|p| p != Priority::High) && *prio != old_prio {
            return Err(format!(
                "priority on {}: the Linux backend schedules every link alike (only the default, high, is available)",
                at.link
            ));
        }
        // A link that moves is shaped again by the zone change itself.
        let moved = before.is_some_and(|(o, _, _)| o.ns != at.ns);
        if *rate != old_rate && !moved {
            if rate.is_some() && at.peer.is_none() && new_vnics.contains_key(&at.link) {
                return Err(format!(
                    "maxbw on {}: the Linux backend limits VNICs over etherstubs only (a macvlan's inbound traffic cannot be shaped here)",
                    at.link
                ));
            }
            ops.push(Op::Maxbw {
                at: at.clone(),
                rate: *rate,
                old: old_rate,
            });
        }
    }
    for i in new.ifs.iter().filter(|i| !old.ifs.contains(i)) {
        ops.push(Op::Plumb(i.clone()));
    }
    for a in new.addrs.iter().filter(|a| !old.addrs.contains(a)) {
        ops.push(Op::AddAddr(a.0.clone(), a.1));
    }
    for z in new.zones.iter().filter(|z| !old.zones.contains(z)) {
        ops.push(Op::Boot(z.clone()));
    }
    if new.forwarding != old.forwarding {
        ops.push(Op::Forwarding(new.forwarding));
    }
    if new.nat != old.nat {
        if old.nat.is_empty() {
            ops.push(Op::BridgeNf(false));
        }
        ops.push(Op::Nat {
            rules: new.nat.clone(),
            old: old.nat.clone(),
        });
        if new.nat.is_empty() {
            ops.push(Op::BridgeNf(true));
        }
    }
    Ok(ops)
}

/// Apply `ops` in order; when one fails, undo the ones before it.
fn run(nl: &mut Netlink, ops: &[Op]) -> Result<(), String> {
    for (k, op) in ops.iter().enumerate() {
        if let Err(e) = op.apply(nl) {
            let mut msg = e;
            for done in ops[..k].iter().rev() {
                if let Err(ue) = done.inverse().apply(nl) {
                    msg.push_str(&format!("; undoing an earlier change also failed: {ue}"));
                }
            }
            return Err(msg);
        }
    }
    Ok(())
}

/// ethtool's speed (Mbps, 0 when unknown) and duplex of a link, as sysfs
/// shows them. Sysfs shows the links of the namespace it was mounted in,
/// which need not be xbow's (`nsenter --net`): it is believed only when
/// its link of that name has the same index and address.
fn ethtool(l: &KLink) -> (u64, Option<String>) {
    let dir = std::path::Path::new("/sys/class/net").join(&l.name);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).map(|s| s.trim().to_string());
    let mac = l.mac.map(|m| {
        m.iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    });
    let same = read("ifindex").ok().and_then(|i| i.parse::<u32>().ok()) == Some(l.index)
        && read("address").ok() == mac;
    let unknown = || "unknown".to_string();
    if !same {
        return (0, Some(unknown()));
    }
    // Unknown is -1, or a read error on a link that is down.
    let speed = read("speed")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(0);
    (speed, Some(read("duplex").unwrap_or_else(|_| unknown())))
}

/// What a physical link looks like to the state.
fn phys_conf(l: &KLink, addrs: &[(u32, Ipv4Addr, u8)]) -> LinkConf {
    let (speed_mbps, duplex) = ethtool(l);
    let mac = l
        .mac
        .and_then(|m| MacAddr::from_bytes(&m))
        .unwrap_or_else(|| MacAddr::from_bytes(&[0; 6]).expect("6 bytes"));
    LinkConf {
        mtu: Some(l.mtu),
        phys: Some(PhysConf {
            speed_mbps,
            duplex,
            mtu_max: l.max_mtu.unwrap_or(l.mtu).max(l.mtu),
            mac,
            factory_macs: Vec::new(),
            state: match l.oper {
                OperState::Up => LinkState::Up,
                OperState::Down => LinkState::Down,
                OperState::Unknown => LinkState::Unknown,
            },
            addr: addrs
                .iter()
                .find(|(i, _, _)| *i == l.index)
                .map(|(_, a, p)| Ipv4Cidr {
                    addr: *a,
                    prefix: *p,
                }),
        }),
        ..LinkConf::default()
    }
}

/// After a reboot the kernel holds nothing xbow made.
fn forget_active(st: &mut SimState) {
    st.links.retain(|l| l.class == LinkClass::Phys);
    st.interfaces.clear();
    st.services.clear();
    for z in &mut st.zones {
        if z.state == ZoneState::Running {
            z.state = ZoneState::Installed;
        }
    }
    st.nat = Default::default();
}

impl LinuxKernel {
    /// Run `f` with the process's rtnetlink socket (opened on first use,
    /// on the calling thread: xbow's namespace).
    fn netlink<T>(&self, f: impl FnOnce(&mut Netlink) -> Result<T, String>) -> DlResult<T> {
        let mut slot = self.nl.lock().unwrap_or_else(|e| e.into_inner());
        let nl = match slot.as_mut() {
            Some(nl) => nl,
            None => slot.insert(Netlink::open().map_err(|e| DlError::Backend(nl_err(e)))?),
        };
        f(nl).map_err(DlError::Backend)
    }

    /// The kernel's physical links: Ethernet links xbow did not make (no
    /// xbow alias, not a port of an xbow bridge), whose names are valid
    /// datalink names.
    fn phys_view(&self) -> DlResult<Vec<(String, LinkConf)>> {
        let mut cache = self.phys.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(v) = cache.as_ref() {
            return Ok(v.clone());
        }
        let (links, addrs) =
            self.netlink(|nl| Ok((nl.links().map_err(nl_err)?, nl.addrs().map_err(nl_err)?)))?;
        let ours = |l: &KLink| l.alias.as_deref().is_some_and(|a| a.starts_with(ALIAS));
        // xbow's links carry its alias; the ports of its bridges are its
        // too (the VNIC end of each pair has the alias).
        let bridges: Vec<u32> = links.iter().filter(|l| ours(l)).map(|l| l.index).collect();
        let v: Vec<(String, LinkConf)> = links
            .iter()
            .filter(|l| l.ether && !l.loopback && LinkName::is_valid(&l.name))
            .filter(|l| !ours(l) && !l.master.is_some_and(|m| bridges.contains(&m)))
            .map(|l| (l.name.clone(), phys_conf(l, &addrs)))
            .collect();
        *cache = Some(v.clone());
        Ok(v)
    }
}

impl Kernel for LinuxKernel {
    fn persistent_links(&self) -> bool {
        false
    }

    fn observe(&self, st: &mut SimState) -> DlResult<()> {
        let boot = std::fs::read_to_string(BOOT_ID)
            .map(|s| s.trim().to_string())
            .map_err(|e| DlError::Backend(format!("{BOOT_ID}: {e}")))?;
        if st.boot_id.as_deref() != Some(boot.as_str()) {
            if st.boot_id.is_some() {
                forget_active(st);
            }
            st.boot_id = Some(boot);
        }
        let view = self.phys_view()?;
        for (name, conf) in &view {
            match st.links.iter_mut().find(|l| &l.name == name) {
                Some(l) if l.class == LinkClass::Phys => {
                    let a = l.active.get_or_insert_with(LinkConf::default);
                    a.mtu = conf.mtu;
                    a.phys = conf.phys.clone();
                }
                Some(_) => {}
                None => {
                    st.insert(name, LinkClass::Phys, Some(conf.clone()), None);
                }
            }
        }
        // Links gone from the kernel go from the state, unless something
        // is still configured over them.
        let gone: Vec<LinkId> = st
            .links
            .iter()
            .filter(|l| l.class == LinkClass::Phys && !view.iter().any(|(n, _)| *n == l.name))
            .map(|l| l.id)
            .collect();
        for id in gone {
            let used = st
                .links
                .iter()
                .any(|o| o.active.as_ref().is_some_and(|c| c.over == Some(id)));
            if !used {
                st.remove(id);
            }
        }
        Ok(())
    }

    fn realize(&self, old: &SimState, new: &SimState) -> DlResult<()> {
        let ops = Desired::of(old)
            .and_then(|o| Desired::of(new).map(|n| (o, n)))
            .and_then(|(o, n)| plan(&o, &n))
            .map_err(DlError::Backend)?;
        if ops.is_empty() {
            return Ok(());
        }
        if ops.iter().any(|o| matches!(o, Op::Mtu { .. })) {
            *self.phys.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
        self.netlink(|nl| run(nl, &ops))
    }

    fn nat_sessions(&self, st: &SimState) -> DlResult<Vec<NatSession>> {
        let rules: Vec<NatRule> = st.nat.rules.iter().map(|r| r.rule.clone()).collect();
        conntrack::sessions(&rules).map_err(DlError::Backend)
    }

    fn nat_flush_sessions(&self) -> DlResult<u64> {
        conntrack::flush().map_err(DlError::Backend)
    }
}
