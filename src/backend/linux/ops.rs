//! The changes xbow makes to the kernel, each with its inverse, and the
//! plan that takes the kernel from one [`Desired`] to another.

use super::desired::{Bridge, Desired, Entry, Shaped, Vlan, Vnic, Vxlan, ZoneNs};
use super::netlink::{GROUP, KLink, Neigh, Netlink, NlError, VxlanParams};
use super::protect::{self, Guard};
use super::{netns, nft, nft_filter, tc};
use crate::ipf::FilterRule;
use crate::ipnat::rule::NatRule;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::linkprop::Priority;
use std::collections::HashMap;
use std::os::fd::AsFd;

/// The alias (`ip link` shows it) of every kernel link xbow makes starts
/// with this; such links are never taken for physical ones.
pub(super) const ALIAS: &str = "xbow";
/// `IFNAMSIZ` - 1: the longest interface name Linux takes.
const MAX_IFNAME: usize = 15;
const IP_FORWARD: &str = "/proc/sys/net/ipv4/ip_forward";
/// Whether bridged IPv4 frames pass the IP hooks (br_netfilter). An
/// etherstub is a switch; with this on, a connection from a zone would be
/// tracked on the bridge, get its NAT decision there (none: it leaves by a
/// bridge port) and keep it through the veth pair into the global zone's
/// VNIC, so it would never be translated at the uplink; and its packets
/// would pass the packet filter's hooks on the bridge, not as they
/// arrive on the VNIC. While NAT or filter rules are loaded it is off in
/// xbow's namespace (and on again when they go); so is its IPv6
/// counterpart.
const BRIDGE_NF: [&str; 2] = [
    "/proc/sys/net/bridge/bridge-nf-call-iptables",
    "/proc/sys/net/bridge/bridge-nf-call-ip6tables",
];

pub(super) fn nl_err(e: NlError) -> String {
    e.to_string()
}

fn find(nl: &mut Netlink, name: &str) -> Result<KLink, String> {
    nl.link(name)
        .map_err(nl_err)?
        .ok_or_else(|| format!("link {name}: not in the kernel"))
}

/// The most ports a Linux bridge takes: port numbers are below
/// `BR_MAX_PORTS` (1024) and 0 is never given (`find_portno()`); one more
/// is `EXFULL`.
const BRIDGE_PORTS: usize = 1023;

/// Check a name fits in `IFNAMSIZ` and is none of the names xbow gives
/// its own links.
fn ifname(name: &str) -> Result<&str, String> {
    if name.len() > MAX_IFNAME {
        return Err(format!(
            "link name '{name}' is {} characters long: Linux allows at most {MAX_IFNAME}",
            name.len()
        ));
    }
    if super::desired::is_internal_name(name) {
        return Err(format!(
            "link name '{name}' is reserved on Linux: xbow names its own links xbp.ID (bridge ports) and xbIDvVID (VLAN bridges)"
        ));
    }
    Ok(name)
}

/// One change to the kernel, with its inverse.
#[derive(Debug, Clone)]
pub(super) enum Op {
    AddBridge(Bridge),
    DelBridge(Bridge),
    AddVlan(Vlan),
    DelVlan(Vlan),
    AddVnic(Vnic, Vec<Vlan>),
    DelVnic(Vnic, Vec<Vlan>),
    AddVxlan(Vxlan),
    DelVxlan(Vxlan),
    AddEntry(Entry),
    DelEntry(Entry),
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
    /// A NAT table, all of it: the global zone's, or a running zone's own
    /// (or GZ-controlled) stack's.
    Nat {
        zone: Option<(String, bool)>,
        rules: Vec<NatRule>,
        old: Vec<NatRule>,
    },
    /// `net.bridge.bridge-nf-call-iptables` and `-ip6tables` (see
    /// [`BRIDGE_NF`]).
    BridgeNf(bool),
    /// A packet filter's table (`nft_filter`), all of it: the global
    /// zone's, or a running zone's own (or GZ-controlled) stack's.
    Filter {
        zone: Option<(String, bool)>,
        rules: Vec<FilterRule>,
        old: Vec<FilterRule>,
        /// Loopback traffic filtered, now and before.
        loopback: (bool, bool),
    },
    /// The link protection table (`protect`), all of it.
    Protect {
        guards: Vec<Guard>,
        old: Vec<Guard>,
    },
    /// Links made in order, all or none: each an `AddBridge`, `AddVlan`
    /// or `AddVnic`.
    AddLinks(Vec<Op>),
    /// Links deleted in one change ([`del_links`]): each a `DelBridge`,
    /// `DelVlan` or `DelVnic`.
    DelLinks(Vec<Op>),
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
            Op::AddVxlan(v) => Op::DelVxlan(v),
            Op::DelVxlan(v) => Op::AddVxlan(v),
            Op::AddEntry(e) => Op::DelEntry(e),
            Op::DelEntry(e) => Op::AddEntry(e),
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
            Op::Nat { zone, rules, old } => Op::Nat {
                zone,
                rules: old,
                old: rules,
            },
            Op::BridgeNf(on) => Op::BridgeNf(!on),
            Op::Protect { guards, old } => Op::Protect {
                guards: old,
                old: guards,
            },
            Op::Filter {
                zone,
                rules,
                old,
                loopback: (now, before),
            } => Op::Filter {
                zone,
                rules: old,
                old: rules,
                loopback: (before, now),
            },
            Op::AddLinks(ops) => Op::DelLinks(ops.iter().rev().map(Op::inverse).collect()),
            Op::DelLinks(ops) => Op::AddLinks(ops.iter().rev().map(Op::inverse).collect()),
        }
    }

    /// The link this op deletes, if it deletes one.
    fn deleted_link(&self) -> Option<&str> {
        match self {
            Op::DelBridge(Bridge { name, .. })
            | Op::DelVlan(Vlan { name, .. })
            | Op::DelVxlan(Vxlan { name, .. })
            | Op::DelVnic(Vnic { name, .. }, _) => Some(name),
            _ => None,
        }
    }

    fn adds_link(&self) -> bool {
        matches!(
            self,
            Op::AddBridge(_) | Op::AddVlan(_) | Op::AddVnic(..) | Op::AddVxlan(_)
        )
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
                let name = if v.link { ifname(&v.name)? } else { &v.name };
                let parent = find(nl, &v.lower)?;
                nl.add_vlan(name, parent.index, v.vid)
                    .map_err(|e| {
                        if e.errno == libc::EOPNOTSUPP {
                            format!(
                                "VLAN id {} over physical link {}: this kernel has no 802.1Q VLAN support (load the 8021q module: modprobe 8021q; CONFIG_VLAN_8021Q)",
                                v.vid, v.lower
                            )
                        } else {
                            nl_err(e)
                        }
                    })?;
                let alias = if v.link {
                    format!("{ALIAS} vlan {name} over {}", v.lower)
                } else {
                    format!("{ALIAS} vlan")
                };
                ready(nl, &[name], name, &alias)
            }
            Op::AddVnic(v, vlans) => add_vnic(nl, v, vlans),
            Op::AddVxlan(v) => add_vxlan(nl, v),
            Op::DelVxlan(Vxlan { name, .. }) => del_link(nl, name),
            Op::AddEntry(e) => {
                let n = neigh(nl, e)?;
                nl.add_neigh(&n).map_err(nl_err)
            }
            // Gone with its device, or never made.
            Op::DelEntry(e) => match nl.link(&e.dev).map_err(nl_err)? {
                None => Ok(()),
                Some(l) => match nl.del_neigh(&neigh_at(l.index, e)) {
                    Err(err) if err.errno == libc::ENOENT => Ok(()),
                    r => r.map_err(nl_err),
                },
            },
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
            Op::BridgeNf(on) => BRIDGE_NF.iter().try_for_each(|path| {
                match std::fs::write(path, if *on { "1\n" } else { "0\n" }) {
                    // No br_netfilter: bridged frames never pass the IP hooks.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                    r => r.map_err(|e| format!("{path}: {e}")),
                }
            }),
            Op::Nat { zone, rules, .. } => {
                let table = nft::NatTable::of(zone.as_ref().is_some_and(|z| z.1));
                let doc = nft::ruleset(table, rules).map_err(|e| e.to_string())?;
                in_zone(zone, || nft::apply(&doc))
            }
            Op::Protect { guards, old } => nft::apply(&protect::changes(old, guards)),
            Op::Filter {
                zone,
                rules,
                old,
                loopback,
            } => {
                let table = nft_filter::Table::of(zone.as_ref().is_some_and(|z| z.1));
                in_zone(zone, || nft_filter::replace(table, old, rules, loopback.0))
            }
            Op::AddLinks(ops) => {
                for (k, op) in ops.iter().enumerate() {
                    if let Err(mut e) = op.apply(nl) {
                        let made: Vec<Op> = ops[..k].iter().rev().map(Op::inverse).collect();
                        if let Err(ue) = del_links(nl, &made) {
                            e.push_str(&format!("; undoing an earlier change also failed: {ue}"));
                        }
                        return Err(e);
                    }
                }
                Ok(())
            }
            Op::DelLinks(ops) => del_links(nl, ops),
        }
    }
}

/// Run `f` in the namespace of the zone of `zone` (zone, GZ-controlled),
/// or with `None` in xbow's.
fn in_zone(
    zone: &Option<(String, bool)>,
    f: impl FnOnce() -> Result<(), String> + Send,
) -> Result<(), String> {
    match zone {
        None => f(),
        Some((z, _)) => netns::try_in(z, f),
    }
}

/// Delete the links `ops` delete (those that are there), in one change
/// of the kernel: each is moved to a group of its own for this, and the
/// group is deleted. Deleting a link waits for the kernel to stop using
/// it (an RCU grace period, some milliseconds); deleting a group waits
/// once for all of its links. On failure every link is back in its group.
fn del_links(nl: &mut Netlink, ops: &[Op]) -> Result<(), String> {
    let links = nl.links().map_err(nl_err)?;
    let by_name: HashMap<&str, &KLink> = links.iter().map(|l| (l.name.as_str(), l)).collect();
    // A group no link is in (this process's, unless a link has it).
    let mut tmp = 0x7862_0000 | (std::process::id() & 0xffff);
    while tmp == GROUP || links.iter().any(|l| l.group == tmp) {
        tmp = tmp.wrapping_add(1).max(1);
    }
    let mut moved: Vec<(u32, u32)> = Vec::new();
    let mut r = Ok(());
    for name in ops.iter().filter_map(Op::deleted_link) {
        let Some(l) = by_name.get(name) else { continue };
        if let Err(e) = nl.set_group(l.index, tmp) {
            r = Err(e);
            break;
        }
        moved.push((l.index, l.group));
    }
    if r.is_ok() && !moved.is_empty() {
        r = nl.del_group(tmp);
    }
    r.map_err(|e| {
        for (index, group) in moved {
            let _ = nl.set_group(index, group);
        }
        nl_err(e)
    })
}

/// `ops` with each run of link creations (or deletions) made one op, so
/// that the run is undone (or made) in one change of the kernel.
fn coalesce(ops: Vec<Op>) -> Vec<Op> {
    let mut out: Vec<Op> = Vec::with_capacity(ops.len());
    let mut ops = ops.into_iter().peekable();
    while let Some(op) = ops.next() {
        let same: fn(&Op) -> bool = if op.adds_link() {
            Op::adds_link
        } else if op.deleted_link().is_some() {
            |o| o.deleted_link().is_some()
        } else {
            out.push(op);
            continue;
        };
        let mut run = vec![op];
        while let Some(next) = ops.next_if(same) {
            run.push(next);
        }
        if run.len() == 1 {
            out.extend(run);
        } else if run[0].adds_link() {
            out.push(Op::AddLinks(run));
        } else {
            out.push(Op::DelLinks(run));
        }
    }
    out
}

fn del_link(nl: &mut Netlink, name: &str) -> Result<(), String> {
    match nl.link(name).map_err(nl_err)? {
        Some(l) => nl.del_link(l.index).map_err(nl_err),
        None => Ok(()),
    }
}

/// An overlay's VXLAN device, on the overlay's bridge; up.
fn add_vxlan(nl: &mut Netlink, v: &Vxlan) -> Result<(), String> {
    let bridge = find(nl, &v.bridge)?;
    nl.add_vxlan(&v.name, &v.params, bridge.index).map_err(|e| {
        if e.errno == libc::EOPNOTSUPP {
            format!(
                "overlay {}: this kernel has no vxlan support (load the vxlan module: modprobe vxlan; CONFIG_VXLAN) ({e})",
                v.bridge
            )
        } else {
            nl_err(e)
        }
    })?;
    let alias = format!("{ALIAS} vxlan of overlay {}", v.bridge);
    ready(nl, &[&v.name], &v.name, &alias)
}

fn neigh_at(index: u32, e: &Entry) -> Neigh {
    Neigh {
        index,
        mac: e.mac,
        ip: e.ip,
        port: e.port,
    }
}

fn neigh(nl: &mut Netlink, e: &Entry) -> Result<Neigh, String> {
    Ok(neigh_at(find(nl, &e.dev)?.index, e))
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
                .map_err(|e| {
                    if e.errno == libc::EXFULL {
                        format!(
                            "etherstub {}: a Linux bridge holds at most {BRIDGE_PORTS} ports, and {parent} has them all ({e})",
                            v.lower
                        )
                    } else {
                        nl_err(e)
                    }
                })?;
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
        // Halted already; a run killed while halting may have left the
        // namespace's file.
        return netns::remove_stale(&z.name).map_err(|e| io_err("ip netns delete", &z.name, e));
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
pub(super) fn plan(old: &Desired, new: &Desired) -> Result<Vec<Op>, String> {
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
    // A VNIC is made again where it or the link it goes over changes (a
    // VLAN link with its VID comes or goes).
    let same = |v: &Vnic, other: &HashMap<String, Vnic>| {
        other.get(&v.name) == Some(v) && v.parent(&old.vlans) == v.parent(&new.vlans)
    };
    for v in &old.vnics {
        if !same(v, &new_vnics) {
            ops.push(Op::DelVnic(v.clone(), old.vlans.clone()));
        }
    }
    for v in old.vlans.iter().filter(|v| !new.vlans.contains(v)) {
        ops.push(Op::DelVlan(v.clone()));
    }
    // A VXLAN device is made again where it changes (its MTU apart);
    // its entries go first, and come again after it.
    let same_vxlan = |a: &Vxlan, b: &Vxlan| {
        a.name == b.name
            && a.bridge == b.bridge
            && VxlanParams {
                mtu: 0,
                ..a.params.clone()
            } == VxlanParams {
                mtu: 0,
                ..b.params.clone()
            }
    };
    let remade: Vec<&str> = old
        .vxlans
        .iter()
        .filter(|o| !new.vxlans.iter().any(|n| same_vxlan(o, n)))
        .map(|o| o.name.as_str())
        .collect();
    for e in &old.entries {
        if !new.entries.contains(e) || remade.contains(&e.dev.as_str()) {
            ops.push(Op::DelEntry(e.clone()));
        }
    }
    for v in old
        .vxlans
        .iter()
        .filter(|v| remade.contains(&v.name.as_str()))
    {
        ops.push(Op::DelVxlan(v.clone()));
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
    for v in &new.vxlans {
        match old.vxlans.iter().find(|o| same_vxlan(o, v)) {
            None => ops.push(Op::AddVxlan(v.clone())),
            Some(o) if o.params.mtu != v.params.mtu => ops.push(Op::Mtu {
                link: v.name.clone(),
                mtu: v.params.mtu,
                old: o.params.mtu,
            }),
            Some(_) => {}
        }
    }
    for v in new.vlans.iter().filter(|v| !old.vlans.contains(v)) {
        ops.push(Op::AddVlan(v.clone()));
    }
    for v in &new.vnics {
        if !same(v, &old_vnics) {
            ops.push(Op::AddVnic(v.clone(), new.vlans.clone()));
        }
    }
    let new_devs: Vec<&str> = new
        .vxlans
        .iter()
        .filter(|n| !old.vxlans.iter().any(|o| same_vxlan(o, n)))
        .map(|n| n.name.as_str())
        .collect();
    for e in &new.entries {
        if !old.entries.contains(e) || new_devs.contains(&e.dev.as_str()) {
            ops.push(Op::AddEntry(e.clone()));
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
    // Before a zone boots, so that it never runs unprotected; by port
    // name, so links may come and go before or after.
    if new.guards != old.guards {
        ops.push(Op::Protect {
            guards: new.guards.clone(),
            old: old.guards.clone(),
        });
    }
    // Bridged frames leave the IP hooks while xbow's NAT or filter rules
    // are loaded (see [`BRIDGE_NF`]): an etherstub is a switch, whose
    // frames no IP Filter rule of the global zone sees.
    let hooked = |d: &Desired| !d.nat.is_empty() || !d.filter.is_empty();
    if hooked(new) && !hooked(old) {
        ops.push(Op::BridgeNf(false));
    }
    // Before forwarding is on and NAT rules are there: nothing passes
    // the host the rules would have stopped.
    if (&new.filter, new.filter_loopback) != (&old.filter, old.filter_loopback) {
        ops.push(Op::Filter {
            zone: None,
            rules: new.filter.clone(),
            old: old.filter.clone(),
            loopback: (new.filter_loopback, old.filter_loopback),
        });
    }
    for z in new.zones.iter().filter(|z| !old.zones.contains(z)) {
        ops.push(Op::Boot(z.clone()));
    }
    // A running zone's stacks, in its namespace (one that halts takes
    // its tables with it; one that booted again has none yet).
    let runs = |z: &str| new.zones.iter().any(|x| x.name == z);
    let booted = |z: &str| {
        new.zones
            .iter()
            .any(|x| x.name == z && !old.zones.contains(x))
    };
    let mut stacks: Vec<(&str, bool)> = Vec::new();
    let named = new
        .zone_filters
        .iter()
        .chain(&old.zone_filters)
        .map(|f| (f.zone.as_str(), f.gz))
        .chain(
            new.zone_nats
                .iter()
                .chain(&old.zone_nats)
                .map(|n| (n.zone.as_str(), n.gz)),
        );
    for (zone, gz) in named {
        if runs(zone) && !stacks.contains(&(zone, gz)) {
            stacks.push((zone, gz));
        }
    }
    for (zone, gz) in stacks {
        let at = Some((zone.to_string(), gz));
        let prior = (!booted(zone)).then_some(old);
        let filter = |d: Option<&Desired>| {
            d.and_then(|d| d.zone_filters.iter().find(|f| f.zone == zone && f.gz == gz))
                .map(|f| (f.rules.clone(), f.loopback))
                .unwrap_or_default()
        };
        let (now, then) = (filter(Some(new)), filter(prior));
        if now != then {
            ops.push(Op::Filter {
                zone: at.clone(),
                rules: now.0,
                old: then.0,
                loopback: (now.1, then.1),
            });
        }
        let nat = |d: Option<&Desired>| {
            d.and_then(|d| d.zone_nats.iter().find(|n| n.zone == zone && n.gz == gz))
                .map(|n| n.rules.clone())
                .unwrap_or_default()
        };
        let (now, then) = (nat(Some(new)), nat(prior));
        if now != then {
            ops.push(Op::Nat {
                zone: at,
                rules: now,
                old: then,
            });
        }
    }
    if new.forwarding != old.forwarding {
        ops.push(Op::Forwarding(new.forwarding));
    }
    if new.nat != old.nat {
        ops.push(Op::Nat {
            zone: None,
            rules: new.nat.clone(),
            old: old.nat.clone(),
        });
    }
    if hooked(old) && !hooked(new) {
        ops.push(Op::BridgeNf(true));
    }
    Ok(coalesce(ops))
}

/// Apply every one of `ops` that can be applied, in order; the failures.
/// (Recovery after a killed run: the kernel is somewhere between two
/// states, so some changes find their work done already.)
pub(super) fn run_all(nl: &mut Netlink, ops: &[Op]) -> Vec<String> {
    ops.iter().filter_map(|op| op.apply(nl).err()).collect()
}

/// Apply `ops` in order; when one fails, undo the ones before it.
pub(super) fn run(nl: &mut Netlink, ops: &[Op]) -> Result<(), String> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn vnic(id: u32, name: &str) -> Vnic {
        Vnic {
            id,
            name: name.into(),
            lower: "stub0".into(),
            over_stub: true,
            mac: [2, 8, 32, 0, 0, id as u8],
            vid: 0,
            mtu: 9000,
        }
    }

    fn names(ops: &[Op]) -> Vec<String> {
        ops.iter()
            .map(|o| match o {
                Op::AddLinks(v) => format!("add[{}]", names(v).join(" ")),
                Op::DelLinks(v) => format!("del[{}]", names(v).join(" ")),
                Op::AddBridge(b) => format!("+{}", b.name),
                Op::DelBridge(b) => format!("-{}", b.name),
                Op::AddVnic(v, _) => format!("+{}", v.name),
                Op::DelVnic(v, _) => format!("-{}", v.name),
                Op::Forwarding(on) => format!("fwd {on}"),
                o => format!("{o:?}"),
            })
            .collect()
    }

    #[test]
    fn runs_of_link_changes_become_one_op_undone_in_reverse() {
        let stub = Bridge {
            name: "stub0".into(),
            mtu: 9000,
        };
        let old = Desired {
            vnics: vec![vnic(5, "old1"), vnic(6, "old2")],
            ..Desired::default()
        };
        let new = Desired {
            bridges: vec![stub],
            vnics: vec![vnic(2, "v1"), vnic(3, "v2")],
            forwarding: true,
            ..Desired::default()
        };
        let ops = plan(&old, &new).unwrap();
        assert_eq!(
            names(&ops),
            ["del[-old1 -old2]", "add[+stub0 +v1 +v2]", "fwd true"]
        );
        // Undoing the creations deletes them in one change, last first;
        // undoing the deletions makes them again in order.
        assert_eq!(names(&[ops[1].inverse()]), ["del[-v2 -v1 -stub0]"]);
        assert_eq!(names(&[ops[0].inverse()]), ["add[+old2 +old1]"]);
        // A lone change stays as it is.
        let one = Desired {
            vnics: vec![vnic(5, "old1")],
            ..Desired::default()
        };
        assert_eq!(names(&plan(&one, &Desired::default()).unwrap()), ["-old1"]);
    }
}
