//! The link counters a packet played by `xbow sim nat-flow` moves: the
//! sim's model of kstat `link:0:NAME`.
//!
//! A NATed packet crosses, between the inside host and the wire, the
//! inside host's VNIC (a zone's whose `allowed-address` is the host), the
//! etherstub that VNIC is over, the global zone's VNIC on that etherstub
//! (the IP interface whose subnet holds the inside address) and the
//! physical NIC of the rule's interface. Each link counts the frame in
//! the direction it crosses it; an etherstub, a switch, counts it both
//! received and sent. A frame is the IP packet plus a 14-byte Ethernet
//! header.

use super::state::SimState;
use crate::model::link::{LinkClass, LinkId};
use std::net::Ipv4Addr;

/// The Ethernet header the IP packet is carried in.
const ETHER_HEADER: u64 = 14;

/// Count one packet of `ip_bytes` between the inside host `inside` and the
/// outside interface `outside_if`; `outbound` when the inside host sent it.
pub(super) fn count(
    st: &mut SimState,
    outside_if: &str,
    inside: Ipv4Addr,
    ip_bytes: u64,
    outbound: bool,
) {
    let bytes = ip_bytes + ETHER_HEADER;
    let active = |st: &SimState, name: &str| {
        st.by_name(name)
            .filter(|l| l.active.is_some())
            .map(|l| l.id)
    };
    let outside = active(st, outside_if);
    let gz = st
        .interfaces
        .iter()
        .find(|i| i.addrs.iter().any(|(_, a)| a.contains(inside)))
        .and_then(|i| active(st, &i.name))
        .filter(|&id| Some(id) != outside);
    let stub = gz
        .and_then(|id| st.link(id)?.active.as_ref()?.over)
        .filter(|&o| st.link(o).is_some_and(|l| l.class == LinkClass::Etherstub));
    let host = st
        .zones
        .iter()
        .flat_map(|z| &z.config.nets)
        .filter(|n| n.allowed_address.is_some_and(|a| a.addr == inside))
        .find_map(|n| active(st, &n.physical))
        .filter(|&id| Some(id) != gz && Some(id) != outside);
    // The links in the order the packet crosses them when it goes out,
    // each with whether it receives (true) or sends (false) it then.
    let path: [(Option<LinkId>, &[bool]); 4] = [
        (host, &[false]),
        (stub, &[true, false]),
        (gz, &[true]),
        (outside, &[false]),
    ];
    for (id, dirs) in path {
        let Some(l) = id.and_then(|id| st.link_mut(id)) else {
            continue;
        };
        for &rx in dirs {
            // Coming in, every link sees the packet the other way round.
            if rx == outbound {
                l.stats.receive(bytes);
            } else {
                l.stats.send(bytes);
            }
        }
    }
}
