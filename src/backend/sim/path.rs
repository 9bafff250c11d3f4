//! `xbow sim overlay-path`: where a frame from an address on one simulated
//! host to an address on another goes, across the overlays of the hosts'
//! states — the VNIC it leaves by, the overlay's encapsulation and the
//! underlay destination its search plugin (or target table) gives, and
//! the host whose overlay of that VNI listens there and delivers it.

use super::state::{SimLink, SimState};
use crate::model::link::LinkClass;
use crate::model::mac::MacAddr;
use crate::model::overlay::{OverlayConf, Search};
use crate::model::zone::ZoneState;
use std::net::{Ipv4Addr, SocketAddr};

/// An address's end of the path on one host: who has it and the link it
/// uses.
struct End<'a> {
    who: String,
    link: &'a SimLink,
}

/// The zone (running) or global-zone interface of `st` that has `addr`.
fn end(st: &SimState, addr: Ipv4Addr) -> Option<End<'_>> {
    let zone = st.zones.iter().find_map(|z| {
        let n = z
            .config
            .nets
            .iter()
            .find(|n| n.allowed_address.is_some_and(|a| a.addr == addr))?;
        let who = if z.state == ZoneState::Running {
            format!("zone {}", z.config.name)
        } else {
            format!("zone {} (not running)", z.config.name)
        };
        Some((who, n.physical.as_str()))
    });
    let global = || {
        st.interfaces
            .iter()
            .find(|i| i.addrs.iter().any(|(_, a)| a.addr == addr))
            .map(|i| ("the global zone".to_string(), i.name.as_str()))
    };
    let (who, name) = zone.or_else(global)?;
    Some(End {
        who,
        link: st.by_name(name)?,
    })
}

/// The overlay under an active VNIC, with its name.
fn overlay_of<'a>(st: &'a SimState, vnic: &SimLink) -> Option<(&'a str, &'a OverlayConf)> {
    let lower = st.link(vnic.active.as_ref()?.over?)?;
    if lower.class != LinkClass::Overlay {
        return None;
    }
    Some((&lower.name, lower.active.as_ref()?.overlay.as_ref()?))
}

fn mac_of(l: &SimLink) -> Option<MacAddr> {
    l.active.as_ref()?.mac
}

/// Where `ov` sends a frame for `mac`: a target-table entry first, then
/// the search plugin; `None` drops it.
fn target(ov: &OverlayConf, mac: MacAddr) -> (Option<SocketAddr>, &'static str) {
    if let Some(t) = ov.targets.iter().find(|t| t.mac == Some(mac)) {
        return (t.dest, "target table");
    }
    match &ov.search {
        Search::Direct { dest } => (Some(*dest), "direct"),
        Search::Files { map, .. } => {
            let dest = map
                .get(&mac)
                .and_then(|e| Some(SocketAddr::new(e.ip?, e.port?)));
            (dest, "files")
        }
    }
}

/// The path from `src` to `dst` over the hosts' states, one line per
/// step, each prefixed with its host; an error says where it stops.
pub fn overlay_path(
    hosts: &[(String, SimState)],
    src: Ipv4Addr,
    dst: Ipv4Addr,
) -> Result<Vec<String>, String> {
    let find = |addr: Ipv4Addr| {
        hosts
            .iter()
            .find_map(|(h, st)| end(st, addr).map(|e| (h.as_str(), st, e)))
    };
    let (sh, sst, s) = find(src).ok_or_else(|| format!("no host has {src}"))?;
    let (dh, dst_st, d) = find(dst).ok_or_else(|| format!("no host has {dst}"))?;
    if sh == dh {
        return Err(format!(
            "{src} and {dst} are both on host {sh}: the frame does not cross an overlay"
        ));
    }
    let (son, sov) = overlay_of(sst, s.link)
        .ok_or_else(|| format!("{sh}: {} ({src}) is not on a VNIC over an overlay", s.who))?;
    let (don, dov) = overlay_of(dst_st, d.link)
        .ok_or_else(|| format!("{dh}: {} ({dst}) is not on a VNIC over an overlay", d.who))?;
    if sov.vnetid != dov.vnetid {
        return Err(format!(
            "{sh}: {son} is VNI {}, but {dst} on {dh} is on {don}, VNI {}: no path",
            sov.vnetid, dov.vnetid
        ));
    }
    let (smac, dmac) = (mac_of(s.link), mac_of(d.link));
    let dmac = dmac.ok_or_else(|| format!("{dh}: {} has no MAC address", d.link.name))?;
    let mac_text = |m: Option<MacAddr>| m.map_or("?".to_string(), |m| m.to_string());
    let mut lines = vec![format!(
        "{sh}: {} ({src}) -> {} ({}) -> {son} (VNI {})",
        s.who,
        s.link.name,
        mac_text(smac),
        sov.vnetid
    )];
    let from = SocketAddr::new(sov.listen_ip, sov.port());
    let (to, how) = target(sov, dmac);
    let to = to.ok_or_else(|| {
        format!("{sh}: {son} has no destination for {dmac} ({how}): the frame is dropped")
    })?;
    lines.push(format!(
        "{sh}: VXLAN VNI {}, UDP {from} -> {to} ({how})",
        sov.vnetid
    ));
    let listens = SocketAddr::new(dov.listen_ip, dov.port());
    if listens != to {
        return Err(format!(
            "{dh}: {don} listens on {listens}, not {to}: the frame is lost"
        ));
    }
    lines.push(format!(
        "{dh}: {don} (VNI {}) -> {} ({dmac}) -> {} ({dst})",
        dov.vnetid, d.link.name, d.who
    ));
    Ok(lines)
}
