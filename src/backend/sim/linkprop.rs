//! The sim's link properties: what libdladm's getters and setters
//! (`dladm_get_linkprop`, `i_dladm_set_single_prop`, linkprop.c) and the
//! kernel below them (the MAC framework, the vnic driver, an e1000g-like
//! NIC) answer, for every property of the table
//! ([`proptable`]). Reference `linkprop.md` §1–§3.

use super::state::{LinkConf, SimLink, SimState};
use crate::backend::{DlResult, PropValue};
use crate::model::bandwidth::Bandwidth;
use crate::model::cnum::strtoul0;
use crate::model::link::{Conf, LinkClass, LinkId, LinkState, Media};
use crate::model::linkprop::{Priority, mtu_range_str};
use crate::model::propcheck::{self, System};
use crate::model::proptable::{self, Answer, DefVal, Getter, PropDesc, PropFlags};
use crate::model::status::DlStatus;

/// `ANCHOR_VNIC_MIN_MTU` / `ANCHOR_VNIC_MAX_MTU`: an etherstub's MTU range.
const ETHERSTUB_MTU_MIN: u32 = 576;
const ETHERSTUB_MTU_MAX: u32 = 9000;
/// The MTU a physical link starts with, and the smallest it accepts.
pub const PHYS_MTU_DEFAULT: u32 = 1500;
/// The processors the sim's host has (for `cpus`), all online.
pub const SIM_NCPUS: u32 = 8;
/// Every sim link is Ethernet.
const MEDIA: Media = Media::ETHER;

/// How many `over` steps a walk down from a link follows at most. A
/// consistent state has at most one (a VNIC over a NIC or an etherstub);
/// the bound keeps a walk finite whatever the state holds.
pub(super) const MAX_OVER_DEPTH: usize = 8;

/// The active MTU of a link.
pub fn mtu_of(st: &SimState, mut id: LinkId) -> DlResult<u32> {
    for _ in 0..=MAX_OVER_DEPTH {
        let l = st.link(id).ok_or(DlStatus::Notfound)?;
        let conf = l.active.as_ref().ok_or(DlStatus::Notfound)?;
        return Ok(match l.class {
            LinkClass::Etherstub => conf.mtu.unwrap_or(ETHERSTUB_MTU_MAX),
            // A VNIC's own MTU, else its lower link's.
            LinkClass::Vnic | LinkClass::Vlan => match conf.mtu {
                Some(m) => m,
                None => {
                    id = conf.over.ok_or(DlStatus::Failed)?;
                    continue;
                }
            },
            _ => conf.mtu.unwrap_or(PHYS_MTU_DEFAULT),
        });
    }
    Err(DlStatus::Failed.into())
}

/// The link state (`MAC_PROP_STATUS`): a NIC's, or its lower link's.
pub(super) fn state_of(st: &SimState, mut id: LinkId) -> DlResult<LinkState> {
    for _ in 0..=MAX_OVER_DEPTH {
        let l = st.link(id).ok_or(DlStatus::Notfound)?;
        let conf = l.active.as_ref().ok_or(DlStatus::Notfound)?;
        return match (l.class, conf.over) {
            (LinkClass::Phys, _) => Ok(conf.phys.as_ref().map_or(LinkState::Up, |p| p.state)),
            (_, Some(lower)) => {
                id = lower;
                continue;
            }
            _ => Ok(LinkState::Up),
        };
    }
    Ok(LinkState::Unknown)
}

/// The MTU range a NIC's or an etherstub's driver accepts (a VNIC's is
/// [`mtu_possible`]).
fn mtu_range(l: &SimLink, conf: &LinkConf) -> Option<(u32, u32)> {
    match l.class {
        LinkClass::Etherstub => Some((ETHERSTUB_MTU_MIN, ETHERSTUB_MTU_MAX)),
        LinkClass::Phys => Some((
            PHYS_MTU_DEFAULT,
            conf.phys.as_ref().map_or(PHYS_MTU_DEFAULT, |p| p.mtu_max),
        )),
        _ => None,
    }
}

/// The MTU range POSSIBLE shows and the driver accepts (`mac_prop_info`,
/// `vnic_m_propinfo`, `vnic_m_setprop`): a VNIC's runs from its lower
/// link's minimum to the lower link's current MTU.
fn mtu_possible(st: &SimState, l: &SimLink, conf: &LinkConf) -> DlResult<(u32, u32)> {
    if let (LinkClass::Vnic | LinkClass::Vlan, Some(o)) = (l.class, conf.over) {
        let lower = st.link(o).ok_or(DlStatus::Notfound)?;
        let lconf = lower.active.as_ref().ok_or(DlStatus::Notfound)?;
        let min = mtu_range(lower, lconf).map_or(PHYS_MTU_DEFAULT, |r| r.0);
        return Ok((min, mtu_of(st, o)?));
    }
    let cur = mtu_of(st, l.id)?;
    Ok(mtu_range(l, conf).unwrap_or((cur, cur)))
}

/// The speed capabilities (`adv_<S>_cap`/`en_<S>_cap`) and their speeds.
const CAPS: [(&str, u64); 15] = [
    ("400gfdx", 400_000),
    ("200gfdx", 200_000),
    ("100gfdx", 100_000),
    ("50gfdx", 50_000),
    ("40gfdx", 40_000),
    ("25gfdx", 25_000),
    ("10gfdx", 10_000),
    ("5000fdx", 5000),
    ("2500fdx", 2500),
    ("1000fdx", 1000),
    ("1000hdx", 1000),
    ("100fdx", 100),
    ("100hdx", 100),
    ("10fdx", 10),
    ("10hdx", 10),
];

/// What a sim NIC's driver knows of capability `cap` (e.g. `1000fdx`):
/// its own speed, full duplex, and the 10/100/1000 Mb/s modes below it,
/// as e1000g does. `Some(default)`: known, with its enabled default
/// (1000 Mb/s half duplex is known but off and cannot be enabled).
fn cap_default(speed_mbps: u64, cap: &str) -> Option<&'static str> {
    let (_, s) = CAPS.iter().find(|(c, _)| *c == cap)?;
    let legacy = *s <= 1000 && *s <= speed_mbps;
    let own = *s == speed_mbps && cap.ends_with("fdx");
    match (legacy || own, cap) {
        (false, _) => None,
        (true, "1000hdx") => Some("0"),
        (true, _) => Some("1"),
    }
}

/// `adv_<S>_cap` / `en_<S>_cap` → (`en`, `S`).
fn cap_name(name: &str) -> Option<(bool, &str)> {
    let rest = name.strip_suffix("_cap")?;
    let (en, cap) = match rest.strip_prefix("adv_") {
        Some(s) => (false, s),
        None => (true, rest.strip_prefix("en_")?),
    };
    CAPS.iter().any(|(c, _)| *c == cap).then_some((en, cap))
}

fn nic_speed(conf: &LinkConf) -> u64 {
    conf.phys.as_ref().map_or(0, |p| p.speed_mbps)
}

/// The table entry for a name, or `NOTFOUND` (`_` private properties
/// included: the sim's drivers have none); `BADARG` where the property
/// does not apply to the link's class (`dladm_get_linkprop`).
pub(super) fn desc_for(l: &SimLink, prop: &str) -> DlResult<&'static PropDesc> {
    let d = proptable::find(prop).ok_or(DlStatus::Notfound)?;
    if !d.applies_to(l.class, MEDIA) {
        return Err(DlStatus::Badarg.into());
    }
    Ok(d)
}

/// The properties `dladm_walk_linkprop` visits for a link.
pub(super) fn names(l: &SimLink) -> Vec<String> {
    proptable::for_link(l.class, MEDIA)
        .map(|d| d.name.to_string())
        .collect()
}

fn one(s: impl Into<String>) -> Vec<String> {
    vec![s.into()]
}

/// The zone a link is in: a running zone that has it as a `net`, or one
/// it was given with `set-linkprop -t -p zone=`.
fn zone_of(st: &SimState, l: &SimLink, conf: &LinkConf) -> Option<String> {
    let running = |name: &str| {
        st.zones
            .iter()
            .find(|z| z.config.name == name && z.state == crate::model::zone::ZoneState::Running)
    };
    st.zones
        .iter()
        .find(|z| {
            z.state == crate::model::zone::ZoneState::Running
                && z.config.nets.iter().any(|n| n.physical == l.name)
        })
        .map(|z| z.config.name.clone())
        .or_else(|| {
            let z = conf.props.get("zone")?.first()?;
            running(z).map(|z| z.config.name.clone())
        })
}

/// `dladm_get_linkprop(which)` for one configuration of a link (the
/// persistent one for `PERSISTENT`, else the active one).
pub(super) fn get(
    st: &SimState,
    l: &SimLink,
    conf: &LinkConf,
    which: PropValue,
    d: &PropDesc,
) -> DlResult<Vec<String>> {
    match which {
        PropValue::Perm => perm(l, conf, d).map(one),
        PropValue::Default => match d.static_default() {
            Answer::Text(s) => Ok(one(s)),
            Answer::List(v) => Ok(v.iter().map(|s| s.to_string()).collect()),
            Answer::Status(s) => Err(s.into()),
            Answer::Dynamic => default_of(st, l, conf, d),
        },
        PropValue::Modifiable => match d.static_possible(MEDIA) {
            Answer::Text(s) => Ok(one(s)),
            Answer::List(v) => Ok(v.iter().map(|s| s.to_string()).collect()),
            Answer::Status(s) => Err(s.into()),
            Answer::Dynamic if d.name == "mtu" => {
                let (min, max) = mtu_possible(st, l, conf)?;
                Ok(one(mtu_range_str(min, max)))
            }
            // `get_rings_range`: no ring groups, one empty value.
            Answer::Dynamic => Ok(one("")),
        },
        PropValue::Persistent => {
            if d.flags.contains(PropFlags::TEMPONLY) {
                return Err(DlStatus::Temponly.into());
            }
            // `i_dladm_get_linkprop_db`: the stored string split on `,`.
            Ok(conf.typed.get(d.name).map_or(Vec::new(), |s| {
                s.split(',')
                    .filter(|v| !v.is_empty())
                    .map(String::from)
                    .collect()
            }))
        }
        PropValue::Current => current(st, l, conf, d),
    }
}

/// PERM: `r-` without a setter (and `speed` off WiFi); a capability the
/// NIC's driver does not know fails (`NOTSUP`, printed `--`).
fn perm(l: &SimLink, conf: &LinkConf, d: &PropDesc) -> DlResult<&'static str> {
    if d.read_only_on(MEDIA) || vlan_rings(l, d) {
        return Ok("r-");
    }
    if d.name == "en_fec_cap" {
        return Err(DlStatus::Notsup.into());
    }
    if let Some((true, cap)) = cap_name(d.name)
        && cap_default(nic_speed(conf), cap).is_none()
    {
        return Err(DlStatus::Notsup.into());
    }
    Ok("rw")
}

/// A VLAN's `rxrings`/`txrings`: read-only, as a VLAN shares its lower
/// link's primary client's rings (`mac_prop_info`).
fn vlan_rings(l: &SimLink, d: &PropDesc) -> bool {
    l.class == LinkClass::Vlan && matches!(d.name, "rxrings" | "txrings")
}

/// DEFAULT where libdladm asks the getter (`vd_name == ""`).
fn default_of(st: &SimState, l: &SimLink, conf: &LinkConf, d: &PropDesc) -> DlResult<Vec<String>> {
    Ok(match d.get {
        // `get_speed`, `get_duplex` answer the default query with the
        // current value.
        Getter::Rate | Getter::Duplex => return current(st, l, conf, d),
        Getter::Uint32 if d.name == "mtu" => match (l.class, conf.over) {
            // `vnic_m_propinfo`: the lower link's current MTU.
            (LinkClass::Vnic | LinkClass::Vlan, Some(o)) => one(mtu_of(st, o)?.to_string()),
            // No driver default: the framework's ETHERMTU.
            _ => one(PHYS_MTU_DEFAULT.to_string()),
        },
        Getter::Binary => match cap_name(d.name) {
            // `mac_prop_info` zero-fills a default the driver leaves
            // unset; e1000g sets none for the `adv_` ones.
            Some((true, cap)) => one(cap_default(nic_speed(conf), cap).unwrap_or("0")),
            Some((false, _)) => one("0"),
            None => one("1"),
        },
        Getter::Flowctl => one("bi"),
        // The kernel's zero FEC default names no bit; libdladm then prints
        // a stale buffer (linkprop.md §1.4), shown here as `--`.
        Getter::Bits => one(""),
        _ => return Err(DlStatus::Notsup.into()),
    })
}

/// VALUE (`DLADM_PROP_VAL_CURRENT`).
fn current(st: &SimState, l: &SimLink, conf: &LinkConf, d: &PropDesc) -> DlResult<Vec<String>> {
    let stored = |dflt: &str| {
        conf.props
            .get(d.name)
            .cloned()
            .unwrap_or_else(|| if dflt.is_empty() { vec![] } else { one(dflt) })
    };
    let literal = match d.default {
        DefVal::Literal(s) if s != "--" => s,
        _ => "",
    };
    let up = || state_of(st, l.id).is_ok_and(|s| s == LinkState::Up);
    Ok(match d.get {
        Getter::Rate => one(if up() { nic_speed(conf) } else { 0 }.to_string()),
        Getter::Duplex => one(match (&conf.phys, up()) {
            (Some(p), true) => p.duplex.clone().unwrap_or_else(|| "full".into()),
            _ => "unknown".into(),
        }),
        Getter::LinkState => one(state_of(st, l.id)?.as_str()),
        Getter::Zone => zone_of(st, l, conf).into_iter().collect(),
        Getter::Binary => match cap_name(d.name) {
            // `adv_` follows `en_` (the link partner advertises all).
            Some((_, cap)) => {
                let dflt = cap_default(nic_speed(conf), cap).ok_or(DlStatus::Notsup)?;
                let en_name = format!("en_{cap}_cap");
                let v = conf
                    .props
                    .get(&en_name)
                    .and_then(|v| v.first().cloned())
                    .unwrap_or_else(|| dflt.to_string());
                one(v)
            }
            None => stored("1"),
        },
        Getter::Uint32 if d.name == "mtu" => one(mtu_of(st, l.id)?.to_string()),
        Getter::Flowctl => stored("bi"),
        Getter::Bits | Getter::Media => return Err(DlStatus::Notsup.into()),
        Getter::Maxbw => conf
            .maxbw
            .map(|b| Bandwidth(b).to_dladm_string())
            .into_iter()
            .collect(),
        Getter::Priority => one(conf.priority.unwrap_or(Priority::High).to_string()),
        // `get_cntavail`: no ring groups to hand out.
        Getter::Cntavail => one("0"),
        // The `-effective` values: nothing is bound to the link.
        _ if d.read_only() => Vec::new(),
        Getter::Channel | Getter::Powermode | Getter::Radio | Getter::LinkmodeProp => {
            return Err(DlStatus::Notsup.into());
        }
        _ => stored(literal),
    })
}

/// What a set (`values`) or a reset (`None`) does to the active
/// configuration: libdladm's check, then the kernel's.
pub(super) fn apply(
    st: &SimState,
    l: &SimLink,
    conf: &LinkConf,
    d: &PropDesc,
    values: Option<&[String]>,
) -> DlResult<LinkConf> {
    let mut c = conf.clone();
    match d.name {
        "maxbw" => {
            c.maxbw = match values {
                None => None,
                Some([v]) => Some(Bandwidth::parse_dladm(v)?.check()?.0),
                Some(_) => return Err(DlStatus::Badvalcnt.into()),
            }
        }
        "priority" => {
            c.priority = match values {
                None => None,
                Some([v]) => Some(v.parse::<Priority>()?),
                Some(_) => return Err(DlStatus::Badval.into()),
            }
        }
        "mtu" => {
            // check_uint32 takes any text (strtoul, base 0); a reset sets
            // the default. The driver then checks the range.
            let mtu = match values {
                // A VNIC's default is its lower link's MTU.
                None if matches!(l.class, LinkClass::Vnic | LinkClass::Vlan) => {
                    c.mtu = None;
                    return Ok(c);
                }
                None => PHYS_MTU_DEFAULT,
                Some([v]) => strtoul0(v),
                Some(_) => return Err(DlStatus::Badval.into()),
            };
            let (min, max) = match l.class {
                LinkClass::Vnic | LinkClass::Vlan => mtu_possible(st, l, conf)?,
                _ => mtu_range(l, conf).ok_or(DlStatus::Notsup)?,
            };
            if mtu < min || mtu > max {
                return Err(DlStatus::Badarg.into());
            }
            let busy = st
                .links()
                .iter()
                .any(|o| o.active.as_ref().is_some_and(|a| a.over == Some(l.id)));
            if busy && Some(mtu) != c.mtu {
                return Err(DlStatus::Linkbusy.into());
            }
            c.mtu = Some(mtu);
        }
        "speed" => return Err(DlStatus::Notsup.into()),
        _ if vlan_rings(l, d) => return Err(DlStatus::Notsup.into()),
        // Reset through `i_dladm_getset_defval`: the FEC default names no
        // bit, which `set_public_bitprop` refuses.
        "en_fec_cap" if values.is_none() => return Err(DlStatus::Badarg.into()),
        "en_fec_cap" => {
            propcheck::check(d, values.unwrap_or(&[]), sys())?;
            return Err(DlStatus::Notsup.into());
        }
        name => {
            let vals = match values {
                Some(v) => Some(propcheck::check(d, v, sys())?),
                None => None,
            };
            kernel_check(st, conf, d, vals.as_deref())?;
            match vals {
                Some(v) => c.props.insert(name.to_string(), v),
                None => c.props.remove(name),
            };
        }
    }
    Ok(c)
}

fn sys() -> System {
    System { ncpus: SIM_NCPUS }
}

/// What the kernel (or the system) refuses once libdladm's check passed.
fn kernel_check(
    st: &SimState,
    conf: &LinkConf,
    d: &PropDesc,
    vals: Option<&[String]>,
) -> DlResult<()> {
    let other = |n: &str| conf.props.contains_key(n);
    match (d.name, vals) {
        ("zone", Some([z])) if z != "global" => {
            // `getzoneidbyname`: a zone that is up; every sim zone is
            // exclusive-IP.
            let up = st
                .zones
                .iter()
                .any(|s| s.config.name == *z && s.state >= crate::model::zone::ZoneState::Ready);
            if !up {
                return Err(DlStatus::Badval.into());
            }
        }
        // `check_pool`: the sim has no resource pools.
        ("pool", Some(_)) if other("cpus") => return Err(DlStatus::Poolcpu.into()),
        ("pool", Some(_)) => return Err(DlStatus::Badval.into()),
        ("cpus", Some(_)) if other("pool") => return Err(DlStatus::Poolcpu.into()),
        // The driver: no hardware rings to give.
        ("rxrings" | "txrings", Some([v])) if v != "sw" => {
            return Err(DlStatus::Notsup.into());
        }
        ("learn_decay", Some([v])) if v == "0" => return Err(DlStatus::Badarg.into()),
        (name, v) if cap_name(name).is_some() => {
            let (_, cap) = cap_name(name).expect("a capability");
            match (cap_default(nic_speed(conf), cap), v) {
                (None, _) => return Err(DlStatus::Notsup.into()),
                // e1000g refuses to enable 1000 Mb/s half duplex.
                (Some("0"), Some([v])) if v == "1" => return Err(DlStatus::Notsup.into()),
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

/// `i_dladm_set_single_prop` and the persistent write after it, on the
/// state: checks in libdladm's order, the active change, then (for a
/// persistent link, without `-t`) the values as typed.
pub(super) fn set(
    st: &mut SimState,
    id: LinkId,
    prop: &str,
    values: Option<&[String]>,
    conf: Conf,
) -> DlResult<()> {
    let l = st.link(id).ok_or(DlStatus::Notfound)?.clone();
    let d = desc_for(&l, prop)?;
    if conf.persistent && d.flags.contains(PropFlags::TEMPONLY) {
        return Err(DlStatus::Temponly.into());
    }
    if !conf.active {
        return Ok(());
    }
    if d.read_only() {
        return Err(DlStatus::Proprdonly.into());
    }
    let active = l.active.as_ref().ok_or(DlStatus::Notfound)?;
    if values.is_none() {
        reset_allowed(st, &l, active, d)?;
    }
    let after_perm = d.flags.contains(PropFlags::AFTER_PERM);
    if after_perm && !conf.persistent {
        return Err(DlStatus::Permonly.into());
    }
    let new = apply(st, &l, active, d, values)?;
    // PD_AFTER_PERM: the bridge daemon reads the stored value, which a
    // temporary link does not have.
    if !after_perm || l.persistent.is_some() {
        st.link_mut(id).expect("exists").active = Some(new);
    }
    if let (true, Some(p)) = (conf.persistent, l.persistent.as_ref()) {
        let mut new = match apply(st, &l, p, d, values) {
            Ok(c) => c,
            // The saved configuration keeps what was typed even where the
            // running one could not be computed again.
            Err(_) => p.clone(),
        };
        match values {
            Some(v) => new.typed.insert(d.name.to_string(), v.join(",")),
            None => new.typed.remove(d.name),
        };
        st.link_mut(id).expect("exists").persistent = Some(new);
    }
    Ok(())
}

/// A reset (`vals == NULL`): `NOTSUP` without a default, or where the
/// default is read back from a getter whose permission is not `rw`
/// (`i_dladm_getset_defval`; the kernel's `mac_prop_info` answers `rw`
/// for a property the driver does not know, whose set then fails).
fn reset_allowed(st: &SimState, l: &SimLink, conf: &LinkConf, d: &PropDesc) -> DlResult<()> {
    match d.default {
        DefVal::Unset => Err(DlStatus::Notsup.into()),
        DefVal::FromGetter if !d.flags.contains(PropFlags::CHECK_ALLOC) => {
            if d.read_only_on(MEDIA) {
                return Err(DlStatus::Notsup.into());
            }
            default_of(st, l, conf, d).map(|_| ())
        }
        _ => Ok(()),
    }
}
