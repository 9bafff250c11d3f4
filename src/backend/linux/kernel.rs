//! [`Kernel`] for Linux: xbow's state (the model the sim keeps) projected
//! onto the kernel objects that implement it (`desired`), and every change
//! made as the difference between two projections (`ops`), undone in
//! reverse when a part fails. Reading the state brings in what the kernel
//! owns: the physical links, and a reboot.
//!
//! | state | kernel |
//! |---|---|
//! | etherstub | bridge with no physical port |
//! | VNIC over an etherstub | veth pair: the VNIC end has the name and MAC, the peer `xbp.ID` is a bridge port |
//! | VNIC over a physical link | macvlan (bridge mode), over an 802.1Q link `xbIDvVID` when it has a VID |
//! | VNIC with a VID over an etherstub | its peer is a port of the etherstub's bridge for that VLAN, `xbIDvVID` |
//! | VLAN link over a physical link | 802.1Q link of its name and VID; the VNICs with its VID over the link go over it |
//! | `maxbw` | `tc` TBF on the egress of both veth ends |
//! | any link xbow makes | device group `netlink::GROUP` from the request that creates it, an alias starting `xbow`, IPv6 off until it is plumbed |
//! | plumbed interface, address | link up with IPv6, IPv4 address |
//! | running exclusive-IP zone | named network namespace with the VNIC, its address and default route |
//! | ipv4-forwarding online | `net.ipv4.ip_forward` = 1 |
//! | NAT rules | nftables table `ip xbow` |
//! | `protection`, `allowed-ips` (VNIC over an etherstub) | nftables table `bridge xbow`: a chain of checks per protected VNIC's bridge port |

use super::conntrack;
use super::desired::Desired;
use super::netlink::{GROUP, KLink, Netlink, OperState};
use super::nft_filter;
use super::ops::{ALIAS, Op, nl_err, plan, run, run_all};
use crate::backend::filter::{DirStats, KernelCounters, Stack};
use crate::backend::sim::FilterState;
use crate::backend::sim::{Kernel, LinkConf, PhysConf, SimState};
use crate::backend::{DlError, DlResult};
use crate::ipnat::rule::NatRule;
use crate::ipnat::session::NatSession;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, LinkId, LinkState};
use crate::model::link_name::LinkName;
use crate::model::mac::MacAddr;
use crate::model::stats::LinkStats;
use crate::model::status::DlStatus;
use crate::model::zone::ZoneState;
use std::net::Ipv4Addr;
use std::sync::Mutex;

const BOOT_ID: &str = "/proc/sys/kernel/random/boot_id";

/// The Linux kernel behind xbow's state.
#[derive(Debug, Default)]
pub struct LinuxKernel {
    /// The physical links (name, active configuration), read once per
    /// process and dropped when xbow changes one.
    phys: Mutex<Option<Vec<(String, LinkConf)>>>,
    /// The process's rtnetlink socket, in its own namespace.
    nl: Mutex<Option<Netlink>>,
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
            device: None,
            rx_rings: 0,
            tx_rings: 0,
            removed: false,
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

/// Which kernel instance a state describes: the boot, and the network
/// namespace by its cookie (`SO_NETNS_COOKIE`, never reused while the
/// kernel runs, unlike a namespace's inode) where the kernel has one.
fn kernel_id(boot: &str, netns_cookie: Option<u64>) -> String {
    match netns_cookie {
        Some(c) => format!("{boot} netns {c}"),
        None => boot.to_string(),
    }
}

/// Whether a state recorded under `old` describes the kernel `id`. A
/// state written before the namespace was recorded (the boot alone)
/// matches the same boot.
fn same_kernel(old: &str, id: &str) -> bool {
    old == id || (!old.contains(' ') && id.split(' ').next() == Some(old))
}

/// After a reboot (or for another namespace) the kernel holds nothing
/// xbow made.
fn forget_active(st: &mut SimState) {
    st.links_mut().retain(|l| l.class == LinkClass::Phys);
    st.interfaces.clear();
    st.services.clear();
    for z in &mut st.zones {
        if z.state == ZoneState::Running {
            z.state = ZoneState::Installed;
        }
    }
    st.nat = Default::default();
    st.filter = Default::default();
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
        // xbow's links are in its group from their creation, and carry
        // its alias once ready (older xbows set only the alias); the ports
        // of its bridges are its too.
        let ours = |l: &KLink| {
            l.group == GROUP || l.alias.as_deref().is_some_and(|a| a.starts_with(ALIAS))
        };
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

/// The kernel's counters as the link's, which are the VNIC's own end's
/// (a veth end or a macvlan, in a zone's namespace while the zone runs),
/// an etherstub's bridge's or a physical device's.
fn stats_of(s: &netlink_packet_route::link::Stats64) -> LinkStats {
    LinkStats {
        ipackets: s.rx_packets,
        rbytes: s.rx_bytes,
        ierrors: s.rx_errors,
        opackets: s.tx_packets,
        obytes: s.tx_bytes,
        oerrors: s.tx_errors,
    }
}

impl Kernel for LinuxKernel {
    fn link_stats(&self, st: &SimState, id: LinkId) -> DlResult<LinkStats> {
        let Some(l) = st.link(id) else {
            return Err(DlStatus::Notfound.into());
        };
        let name = l.name.clone();
        let read = |nl: &mut Netlink| nl.link_stats(&name).map_err(nl_err);
        let found = match super::desired::running_zone_of(st, &name) {
            Some(zone) => super::netns::try_in(zone, || {
                Netlink::open()
                    .map_err(nl_err)
                    .and_then(|mut nl| read(&mut nl))
            })
            .map_err(DlError::Backend)?,
            None => self.netlink(read)?,
        };
        found
            .map(|s| stats_of(&s))
            .ok_or_else(|| DlStatus::Notfound.into())
    }

    fn persistent_links(&self) -> bool {
        false
    }

    fn observe(&self, st: &mut SimState) -> DlResult<()> {
        let boot = std::fs::read_to_string(BOOT_ID)
            .map(|s| s.trim().to_string())
            .map_err(|e| DlError::Backend(format!("{BOOT_ID}: {e}")))?;
        let id = kernel_id(&boot, crate::sys::netns_cookie());
        if !st
            .boot_id
            .as_deref()
            .is_some_and(|old| same_kernel(old, &id))
        {
            if st.boot_id.is_some() {
                forget_active(st);
            }
            st.boot_id = Some(id);
        }
        let view = self.phys_view()?;
        for (name, conf) in &view {
            match st.by_name(name).map(|l| (l.id, l.class)) {
                Some((id, LinkClass::Phys)) => {
                    let l = st.link_mut(id).expect("found");
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
            .links()
            .iter()
            .filter(|l| l.class == LinkClass::Phys && !view.iter().any(|(n, _)| *n == l.name))
            .map(|l| l.id)
            .collect();
        for id in gone {
            // (Nothing may be left naming a link that is gone: see
            // `sim::check`.)
            let name = st.link(id).map(|l| l.name.clone()).unwrap_or_default();
            let used = st.links().iter().any(|o| {
                [&o.active, &o.persistent]
                    .iter()
                    .any(|c| c.as_ref().is_some_and(|c| c.over == Some(id)))
            }) || st.interfaces.iter().any(|i| i.name == name);
            if !used {
                st.remove(id);
            }
        }
        Ok(())
    }

    fn realize(&self, old: &SimState, new: &SimState) -> DlResult<()> {
        super::props::refuse_unreal(old, new).map_err(DlError::Backend)?;
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

    fn recover(&self, intended: &SimState, stored: &SimState) -> Vec<String> {
        let ops = match Desired::of(intended)
            .and_then(|i| Desired::of(stored).map(|s| (i, s)))
            .and_then(|(i, s)| plan(&i, &s))
        {
            Ok(ops) => ops,
            Err(e) => return vec![e],
        };
        *self.phys.lock().unwrap_or_else(|e| e.into_inner()) = None;
        match self.netlink(|nl| Ok(run_all(nl, &ops))) {
            Ok(errors) => errors,
            Err(e) => vec![e.to_string()],
        }
    }

    fn nat_sessions(&self, rules: &[NatRule], stack: &Stack) -> DlResult<Vec<NatSession>> {
        in_stack(stack, |_| conntrack::sessions(rules))
    }

    fn nat_flush_sessions(&self, stack: &Stack) -> DlResult<u64> {
        in_stack(stack, |_| conntrack::flush())
    }

    fn filter_states(&self, stack: &Stack) -> DlResult<Vec<crate::backend::filter::StateEntry>> {
        // The kernel lists the newest last.
        let mut v = in_stack(stack, nft_filter::states)?;
        v.reverse();
        Ok(v)
    }

    fn filter_check(&self, r: &crate::ipf::FilterRule) -> Result<(), String> {
        nft_filter::check(r).map_err(|e| e.to_string())
    }

    fn filter_counters(&self, f: &FilterState, stack: &Stack) -> DlResult<KernelCounters> {
        let n = f.active_rules().len();
        let c = in_stack(stack, |t| nft_filter::Counters::read(t, n))?;
        Ok(KernelCounters {
            dirs: c.dir_stats(),
            rules: c.rules,
        })
    }

    fn filter_zero_rule(&self, stack: &Stack, i: usize) -> DlResult<(u64, u64)> {
        in_stack(stack, |t| nft_filter::zero_rule(t, i))
    }

    fn filter_zero_dirs(&self, stack: &Stack) -> DlResult<[DirStats; 2]> {
        in_stack(stack, nft_filter::zero_dirs)
    }

    fn filter_flush_states(&self, stack: &Stack, closing: bool) -> DlResult<u64> {
        in_stack(stack, |t| nft_filter::flush_states(t, closing))
    }
}

/// Run `f` with the table of packet filter `stack`: the global zone's in
/// xbow's namespace, a zone's in the zone's. A zone whose namespace is
/// not there yet (it boots in the change being made) has no table and no
/// connections: what `f` would find in none.
fn in_stack<T>(
    stack: &Stack,
    f: impl FnOnce(nft_filter::Table) -> Result<T, String> + Send,
) -> DlResult<T>
where
    T: Send + Default,
{
    match stack {
        Stack::Global => f(nft_filter::OWN),
        Stack::Zone { name, .. } if !super::netns::exists(name) => Ok(T::default()),
        Stack::Zone { name, gz } => super::netns::try_in(name, || f(nft_filter::Table::of(*gz))),
    }
    .map_err(DlError::Backend)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_identity() {
        let id = kernel_id("b1", Some(7));
        assert_eq!(id, "b1 netns 7");
        assert!(same_kernel("b1 netns 7", &id));
        // Another namespace (its state file was left by one that is gone).
        assert!(!same_kernel("b1 netns 8", &id));
        // Another boot.
        assert!(!same_kernel("b0 netns 7", &id));
        assert!(!same_kernel("b0", &id));
        // A state from before the namespace was recorded.
        assert!(same_kernel("b1", &id));
        assert!(same_kernel("b1", &kernel_id("b1", None)));
    }
}
