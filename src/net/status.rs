//! `xbow net status`: every object of the spec, desired against actual.

use super::Host;
use super::plan;
use super::spec::{NetHost, Network};
use crate::backend::DlError;
use crate::backend::PropValue;
use crate::backend::host::HostResult;
use crate::model::bandwidth::Bandwidth;
use crate::model::link::{Conf, LinkClass};
use crate::model::svc::{self, SvcState};
use crate::model::zone::ZoneState;
use serde::Serialize;

/// One object: what the spec wants and what the host has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub kind: &'static str,
    pub name: String,
    pub desired: String,
    pub actual: String,
    pub ok: bool,
}

fn entry(kind: &'static str, name: &str, desired: String, actual: String) -> Entry {
    Entry {
        kind,
        name: name.to_string(),
        ok: desired == actual,
        desired,
        actual,
    }
}

const ABSENT: &str = "absent";

/// The link's class and, for a VNIC or a VLAN, `over LINK[ vid N]`.
fn link_desc(h: &mut Host, name: &str) -> HostResult<Option<(LinkClass, String)>> {
    let info = match h.dl.name2info(name) {
        Ok(i) if i.conf.active => i,
        Ok(_) | Err(DlError::Status(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if info.class == LinkClass::Vlan {
        let attr = h.dl.vlan_info(info.id, Conf::ACTIVE)?;
        let over = h.dl.id2info(attr.over)?.name;
        return Ok(Some((info.class, vnic_desc(&over, attr.vid))));
    }
    if info.class != LinkClass::Vnic {
        return Ok(Some((info.class, "present".into())));
    }
    let attr = h.dl.vnic_info(info.id, Conf::ACTIVE)?;
    let over = match attr.over {
        Some(o) => h.dl.id2info(o)?.name,
        None => "?".into(),
    };
    Ok(Some((info.class, vnic_desc(&over, attr.vid))))
}

fn vnic_desc(over: &str, vid: u16) -> String {
    if vid == 0 {
        format!("over {over}")
    } else {
        format!("over {over} vid {vid}")
    }
}

/// This host of a spec with hosts: its underlay address, which must be
/// on this machine (an overlay listens on it).
pub fn host(me: &NetHost, machine: &[std::net::IpAddr]) -> Entry {
    let want = me.underlay.to_string();
    let actual = if machine.contains(&me.underlay) {
        want.clone()
    } else {
        "not on this machine".into()
    };
    entry("host", &me.name, want, actual)
}

/// Compare every object the spec names with the host.
pub fn status(net: &Network, h: &mut Host) -> HostResult<Vec<Entry>> {
    let mut out = Vec::new();
    for s in &net.etherstubs {
        let actual = match link_desc(h, s)? {
            None => ABSENT.to_string(),
            Some((LinkClass::Etherstub, d)) => d,
            Some((c, _)) => format!("a {}", c.as_str()),
        };
        out.push(entry("etherstub", s, "present".into(), actual));
    }
    for o in &net.overlays {
        let actual = match h.dl.name2info(&o.name) {
            Ok(i) if i.conf.active && i.class == LinkClass::Overlay => {
                plan::overlay_actual(&h.dl.overlay_props(i.id)?)
            }
            Ok(i) => format!("a {}", i.class.as_str()),
            Err(DlError::Status(_)) => ABSENT.to_string(),
            Err(e) => return Err(e.into()),
        };
        out.push(entry(
            "overlay",
            &o.name,
            plan::overlay_desc(&o.conf),
            actual,
        ));
    }
    for v in &net.vlans {
        let actual = match link_desc(h, &v.name)? {
            None => ABSENT.to_string(),
            Some((LinkClass::Vlan, d)) => d,
            Some((c, _)) => format!("a {}", c.as_str()),
        };
        out.push(entry("vlan", &v.name, vnic_desc(&v.over, v.vid), actual));
    }
    for v in &net.vnics {
        let actual = match link_desc(h, &v.name)? {
            None => ABSENT.to_string(),
            Some((LinkClass::Vnic, d)) => d,
            Some((c, _)) => format!("a {}", c.as_str()),
        };
        let present = actual != ABSENT;
        out.push(entry("vnic", &v.name, vnic_desc(&v.over, v.vid), actual));
        let props: [(&str, Option<String>); 2] = [
            ("maxbw", v.maxbw.map(|b| b.0.to_string())),
            ("priority", v.priority.map(|p| p.to_string())),
        ];
        for (prop, want) in props {
            let Some(want) = want else { continue };
            let have = if present {
                let id = h.dl.name2info(&v.name)?.id;
                let vals = h.dl.get_linkprop(id, PropValue::Current, prop)?;
                match (prop, vals.first()) {
                    ("maxbw", Some(s)) => {
                        Bandwidth::from_dladm_string(s).map_or(s.clone(), |b| b.0.to_string())
                    }
                    (_, Some(s)) => s.clone(),
                    (_, None) => "unset".into(),
                }
            } else {
                ABSENT.into()
            };
            let name = format!("{}/{prop}", v.name);
            out.push(entry("linkprop", &name, want, have));
        }
    }
    let addrs = h.ip.addrs()?;
    for a in &net.addresses {
        let actual = addrs
            .iter()
            .find(|x| x.addrobj == a.addrobj)
            .map_or(ABSENT.to_string(), |x| x.addr.to_string());
        out.push(entry("address", &a.addrobj, a.addr.to_string(), actual));
    }
    let mut service = |h: &mut Host, fmri: &str| -> HostResult<()> {
        let st = h.svc.state(fmri)?;
        let name = svc::short_name(fmri);
        out.push(entry(
            "service",
            name,
            SvcState::Online.as_str().into(),
            st.as_str().into(),
        ));
        Ok(())
    };
    if net.ipv4_forwarding {
        service(h, svc::IPV4_FORWARDING)?;
    }
    if !net.nat.is_empty() || !net.filter.is_empty() {
        service(h, svc::IPFILTER)?;
    }
    if !net.nat.is_empty() {
        let loaded = super::plan::nat_rules(h)?;
        for n in &net.nat {
            let actual = if loaded.iter().any(|r| r.same_as(&n.rule)) {
                "loaded"
            } else {
                ABSENT
            };
            out.push(entry("nat", &n.text, "loaded".into(), actual.into()));
        }
    }
    let loaded = plan::filter_loaded(h, &plan::FilterTarget::Global, &net.filter)?;
    for (f, l) in net.filter.iter().zip(loaded) {
        let actual = if l { "loaded" } else { ABSENT };
        out.push(entry("filter", &f.text, "loaded".into(), actual.into()));
    }
    let zones = h.zones.list()?;
    for z in &net.zones {
        let want = if z.boot {
            ZoneState::Running
        } else {
            ZoneState::Installed
        };
        let actual = match zones.iter().find(|x| x.name == z.config.name) {
            None => ABSENT.to_string(),
            Some(x) if h.zones.config(&x.name)?.as_ref() != Some(&z.config) => {
                format!("{} (configured differently)", x.state.as_str())
            }
            Some(x) => x.state.as_str().to_string(),
        };
        out.push(entry("zone", &z.config.name, want.as_str().into(), actual));
        let target = plan::FilterTarget::Zone {
            name: z.config.name.clone(),
            zonepath: z.config.zonepath.clone(),
        };
        let loaded = plan::filter_loaded(h, &target, &z.filter)?;
        for (f, l) in z.filter.iter().zip(loaded) {
            let actual = if l { "loaded" } else { ABSENT };
            let name = format!("{}: {}", z.config.name, f.text);
            out.push(entry("zone-filter", &name, "loaded".into(), actual.into()));
        }
    }
    Ok(out)
}
