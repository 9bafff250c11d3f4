//! What a simulated NIC's hardware answers: its MAC address slots
//! (`DLDIOC_MACADDRGET`, `drv_ioc_macaddrget`) and its ring groups
//! (`DLDIOC_GETHWGRP`, `drv_ioc_hwgrpget`).

use super::state::SimState;
use crate::backend::DlResult;
use crate::model::link::{HwGroup, LinkClass, LinkId, MacAddrType, MacSlot};
use crate::model::status::DlStatus;

/// The NIC's hardware, if it is an active physical link.
fn nic(st: &SimState, id: LinkId) -> DlResult<(&str, &super::PhysConf)> {
    let l = st.link(id).ok_or(DlStatus::Notfound)?;
    let phys = l.active.as_ref().and_then(|c| c.phys.as_ref());
    match (l.class, phys) {
        (LinkClass::Phys, Some(p)) => Ok((&l.name, p)),
        _ => Err(DlStatus::Notfound.into()),
    }
}

/// The MAC clients of link `id`: its own IP interface, then the active
/// links over it, in link-id order.
fn clients(st: &SimState, id: LinkId, name: &str) -> Vec<String> {
    let own = st.interfaces.iter().any(|i| i.name == name);
    own.then(|| name.to_string())
        .into_iter()
        .chain(
            st.links()
                .iter()
                .filter(|o| o.active.as_ref().is_some_and(|c| c.over == Some(id)))
                .map(|o| o.name.clone()),
        )
        .collect()
}

/// Slot 0 (the primary address, used by the NIC's own IP interface or a
/// VLAN: `mac_unicast_primary_info`), then each factory slot with the
/// VNIC that reserved it (`mac_addr_factory_value`).
pub(super) fn mac_slots(st: &SimState, id: LinkId) -> DlResult<Vec<MacSlot>> {
    let (name, phys) = nic(st, id)?;
    let uppers: Vec<_> = st
        .links()
        .iter()
        .filter_map(|o| Some((o, o.active.as_ref().filter(|c| c.over == Some(id))?)))
        .collect();
    let primary = if st.interfaces.iter().any(|i| i.name == name) {
        Some(name.to_string())
    } else {
        uppers
            .iter()
            .find(|(o, _)| o.class == LinkClass::Vlan)
            .map(|(o, _)| o.name.clone())
    };
    let mut slots = vec![MacSlot {
        slot: 0,
        addr: phys.mac,
        in_use: primary.is_some(),
        client: primary.unwrap_or_default(),
    }];
    for (i, addr) in (1..).zip(&phys.factory_macs) {
        let user = uppers
            .iter()
            .find(|(_, c)| c.mac_type == Some(MacAddrType::Factory) && c.slot == Some(i as i32));
        slots.push(MacSlot {
            slot: i,
            addr: *addr,
            in_use: user.is_some(),
            client: user.map(|(o, _)| o.name.clone()).unwrap_or_default(),
        });
    }
    Ok(slots)
}

/// One receive and one transmit group, each with all the NIC's rings of
/// its kind and every client of the NIC; none for a NIC without rings.
pub(super) fn hw_groups(st: &SimState, id: LinkId) -> DlResult<Vec<HwGroup>> {
    let (name, phys) = nic(st, id)?;
    let clients = clients(st, id, name).join(",");
    Ok([(true, phys.rx_rings), (false, phys.tx_rings)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(rx, n)| HwGroup {
            link: name.to_string(),
            rx,
            rings: (0..n).collect(),
            clients: clients.clone(),
        })
        .collect())
}
