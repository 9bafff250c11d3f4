//! The link properties the Linux backend cannot make real. `state`, `mtu`,
//! `maxbw`, `priority` and, on VNICs over etherstubs, link protection
//! (`protect`) are realized by the projection (`desired`); every other
//! property the sim stores (`LinkConf::props`) has no kernel object
//! here, so a change to it is refused — with the property, the link and
//! the reason — instead of being stored and shown as if it held. Going
//! back to the default (a reset) is always allowed.

use super::protect;
use crate::backend::sim::{SimLink, SimState};
use crate::model::link::LinkClass;

/// Why the Linux backend cannot realize `prop`.
fn reason(prop: &str) -> &'static str {
    match prop {
        "protection" | "allowed-ips" | "allowed-dhcp-cids" => {
            "link protection is enforced at a VNIC's port of its etherstub's bridge, and only a VNIC over an etherstub has one"
        }
        "secondary-macs" => "a VNIC on Linux (veth or macvlan) has one MAC address",
        "cpus" | "pool" => "Linux links are not bound to processors or pools by xbow",
        "rxrings" | "txrings" => "hardware rings are not managed on Linux",
        "zone" => "a link moves into a zone's network namespace only when the zone boots",
        "autopush" => "Linux has no STREAMS modules",
        "tagmode" | "promisc-filtered" => "the Linux bridge and macvlan have no such mode",
        p if p.starts_with("stp") || p.starts_with("learn_") => {
            "an etherstub's Linux bridge runs without STP and learns without limits"
        }
        "forward" | "default_tag" => "bridging of physical links is not done on Linux",
        _ => "the NIC's driver settings are left to ethtool",
    }
}

/// Whether `l` is a VNIC over an etherstub (whose link protection is
/// real).
fn over_stub(st: &SimState, l: &SimLink) -> bool {
    let lower = l
        .active
        .as_ref()
        .and_then(|c| c.over)
        .and_then(|o| st.link(o));
    l.class == LinkClass::Vnic && lower.is_some_and(|o| o.class == LinkClass::Etherstub)
}

/// The first property a link's active configuration changes from `old` to
/// `new` (set to a value other than the default) that Linux cannot make
/// real, as an error naming it.
pub(super) fn refuse_unreal(old: &SimState, new: &SimState) -> Result<(), String> {
    for l in new.links() {
        if l.class == LinkClass::Phys
            && let Some(o) = old.link(l.id)
            && o.name != l.name
        {
            return Err(format!(
                "rename of {} to {}: the Linux backend does not rename the host's NICs",
                o.name, l.name
            ));
        }
        let Some(conf) = &l.active else { continue };
        let old_conf = old.link(l.id).and_then(|o| o.active.as_ref());
        // A VNIC or a VLAN is made with its lower link's MTU (`desired`).
        if matches!(l.class, LinkClass::Vnic | LinkClass::Vlan)
            && conf.mtu.is_some()
            && old_conf.map(|c| c.mtu) != Some(conf.mtu)
        {
            return Err(format!(
                "mtu on {}: the Linux backend gives a {} the MTU of its lower link",
                l.name,
                if l.class == LinkClass::Vlan {
                    "VLAN"
                } else {
                    "VNIC"
                }
            ));
        }
        let before = old_conf.map(|c| &c.props);
        for (prop, vals) in &conf.props {
            if protect::PROPS.contains(&prop.as_str()) && over_stub(new, l) {
                continue;
            }
            if before.and_then(|b| b.get(prop)) != Some(vals) {
                return Err(format!(
                    "{prop} on {}: the Linux backend cannot make it real ({})",
                    l.name,
                    reason(prop)
                ));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::LinkConf;

    #[test]
    fn a_stored_property_is_refused_a_reset_is_not() {
        let mut old = SimState::default();
        old.insert("vnic0", LinkClass::Vnic, Some(LinkConf::default()), None);
        let mut new = old.clone();
        let c = new.link_mut(1).unwrap().active.as_mut().unwrap();
        c.props.insert("tagmode".into(), vec!["normal".into()]);
        assert_eq!(
            refuse_unreal(&old, &new),
            Err("tagmode on vnic0: the Linux backend cannot make it real (the Linux bridge and macvlan have no such mode)".into())
        );
        assert_eq!(refuse_unreal(&new, &new), Ok(()));
        let mut mtu = old.clone();
        mtu.link_mut(1).unwrap().active.as_mut().unwrap().mtu = Some(1400);
        assert!(
            refuse_unreal(&old, &mtu)
                .unwrap_err()
                .starts_with("mtu on vnic0:")
        );
        assert_eq!(refuse_unreal(&new, &old), Ok(()));
    }

    #[test]
    fn link_protection_is_real_on_vnics_over_etherstubs_only() {
        let mut old = SimState::default();
        old.insert(
            "stub0",
            LinkClass::Etherstub,
            Some(LinkConf::default()),
            None,
        );
        let over = |id| LinkConf {
            over: Some(id),
            ..LinkConf::default()
        };
        old.insert("vnic0", LinkClass::Vnic, Some(over(1)), None);
        old.insert("e1000g0", LinkClass::Phys, Some(LinkConf::default()), None);
        old.insert("vnic1", LinkClass::Vnic, Some(over(3)), None);
        for (id, name) in [(2, "vnic0"), (4, "vnic1"), (1, "stub0")] {
            let mut new = old.clone();
            let c = new.link_mut(id).unwrap().active.as_mut().unwrap();
            c.props
                .insert("protection".into(), vec!["ip-nospoof".into()]);
            c.props
                .insert("allowed-ips".into(), vec!["10.0.0.1/32".into()]);
            let r = refuse_unreal(&old, &new);
            if name == "vnic0" {
                assert_eq!(r, Ok(()));
            } else {
                assert_eq!(
                    r,
                    Err(format!(
                        "allowed-ips on {name}: the Linux backend cannot make it real (link protection is enforced at a VNIC's port of its etherstub's bridge, and only a VNIC over an etherstub has one)"
                    ))
                );
            }
        }
    }
}
