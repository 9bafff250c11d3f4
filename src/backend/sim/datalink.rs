//! [`Datalink`] on the sim state: dlmgmtd's link table, the VNIC driver's
//! address rules and libdladm's property checks.

use super::state::{LinkConf, SimLink, SimState};
use super::{StateFile, random_bytes, transact};
use crate::backend::{Datalink, DlError, DlResult, PropValue};
use crate::model::bandwidth::Bandwidth;
use crate::model::cnum::strtoul0;
use crate::model::link::{
    ClassMask, Conf, LinkClass, LinkId, LinkInfo, LinkState, MacAddrType, PhysAttr, VnicAttr,
    VnicSpec,
};
use crate::model::linkprop::{Priority, mtu_range_str};
use crate::model::mac::MacAddr;
use crate::model::proptable;
use crate::model::status::DlStatus;

/// The random-address prefix libdladm uses by default (`2:8:20`).
const DEFAULT_PREFIX: [u8; 3] = [0x02, 0x08, 0x20];
/// `ANCHOR_VNIC_MIN_MTU` / `ANCHOR_VNIC_MAX_MTU`: an etherstub's MTU range.
const ETHERSTUB_MTU_MIN: u32 = 576;
const ETHERSTUB_MTU_MAX: u32 = 9000;
/// The MTU a physical link starts with, and the smallest it accepts.
pub const PHYS_MTU_DEFAULT: u32 = 1500;
/// The `default_tag` link property's default: untagged traffic's VLAN id.
const DEFAULT_TAG: u16 = 1;
/// The properties the sim models, in libdladm's table order.
const SIM_PROPS: [&str; 3] = ["mtu", "maxbw", "priority"];

/// The sim's datalinks.
pub struct SimDatalink {
    file: StateFile,
    /// The state as last read or written (in a batch, the batch's own).
    cache: Option<std::sync::Arc<SimState>>,
}

impl SimDatalink {
    pub fn open(file: StateFile) -> SimDatalink {
        SimDatalink { file, cache: None }
    }

    /// The state as last read or written by this process.
    fn state(&mut self) -> DlResult<&SimState> {
        if self.cache.is_none() {
            self.cache = Some(self.file.load_shared()?);
        }
        Ok(self.cache.as_deref().expect("loaded"))
    }

    /// A locked read-modify-write of the state file.
    fn mutate<T>(&mut self, f: impl FnOnce(&mut SimState) -> DlResult<T>) -> DlResult<T> {
        // Let go of a batch's state first, so that changing it needs no copy.
        self.cache = None;
        let (out, st) = transact(&self.file, f)?;
        self.cache = st.map(std::sync::Arc::new);
        Ok(out)
    }

    fn link(&mut self, id: LinkId) -> DlResult<&SimLink> {
        self.state()?
            .link(id)
            .ok_or(DlError::Status(DlStatus::Notfound))
    }

    /// The active configuration of a link (the kernel's view).
    fn active(&mut self, id: LinkId) -> DlResult<(LinkClass, LinkConf)> {
        let l = self.link(id)?;
        let conf = l.active.clone().ok_or(DlStatus::Notfound)?;
        Ok((l.class, conf))
    }
}

fn info(l: &SimLink) -> LinkInfo {
    LinkInfo {
        id: l.id,
        name: l.name.clone(),
        class: l.class,
        conf: Conf {
            active: l.active.is_some(),
            persistent: l.persistent.is_some(),
        },
    }
}

/// How many `over` steps a walk down from a link follows at most. A
/// consistent state has at most one (a VNIC over a NIC or an etherstub);
/// the bound keeps a walk finite whatever the state holds.
const MAX_OVER_DEPTH: usize = 8;

/// The active MTU of a link.
pub fn mtu_of(st: &SimState, mut id: LinkId) -> DlResult<u32> {
    for _ in 0..=MAX_OVER_DEPTH {
        let l = st.link(id).ok_or(DlStatus::Notfound)?;
        let conf = l.active.as_ref().ok_or(DlStatus::Notfound)?;
        return Ok(match l.class {
            LinkClass::Etherstub => conf.mtu.unwrap_or(ETHERSTUB_MTU_MAX),
            LinkClass::Vnic => {
                id = conf.over.ok_or(DlStatus::Failed)?;
                continue;
            }
            _ => conf.mtu.unwrap_or(PHYS_MTU_DEFAULT),
        });
    }
    Err(DlStatus::Failed.into())
}

/// The MTU range a link's driver accepts; `None` where the driver refuses
/// MTU changes (a VNIC follows its lower link).
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

/// Whether an active link has clients: links over it, an IP interface, or
/// a running zone.
fn in_use(st: &SimState, id: LinkId) -> bool {
    let Some(name) = st.link(id).map(|l| l.name.as_str()) else {
        return false;
    };
    st.links()
        .iter()
        .any(|o| o.active.as_ref().is_some_and(|a| a.over == Some(id)))
        || st.interfaces.iter().any(|i| i.name == name)
        || st.zones.iter().any(|z| {
            z.state == crate::model::zone::ZoneState::Running
                && z.config.nets.iter().any(|n| n.physical == name)
        })
}

/// A lower link's own address (`mi_addr`): a NIC's primary address; an
/// etherstub's is all zeros (the anchor VNIC's `vn_addr`, never set).
fn lower_addr(st: &SimState, lower: LinkId) -> Option<MacAddr> {
    let l = st.link(lower)?;
    match l.class {
        LinkClass::Etherstub => MacAddr::from_bytes(&[0; 6]),
        _ => l.active.as_ref()?.phys.as_ref().map(|p| p.mac),
    }
}

/// The kernel's checks of an address a VNIC asks for, in
/// `i_mac_unicast_add()`'s order: a unicast address (`mac_unicst_verify`,
/// the Ethernet plugin refuses only group addresses), not the lower
/// link's own, and no other client of the lower link with this address
/// and VID (`mac_addr_in_use`).
fn check_mac(st: &SimState, lower: LinkId, m: MacAddr, vid: u16) -> DlResult<()> {
    if m.is_multicast() {
        return Err(DlStatus::Invalidmacaddr.into());
    }
    if lower_addr(st, lower) == Some(m) {
        return Err(DlStatus::Invalidmacaddrnic.into());
    }
    if st.mac_used_over(lower, m, vid) {
        return Err(DlStatus::Invalidmacaddrinuse.into());
    }
    Ok(())
}

fn random_mac(prefix: &[u8], taken: impl Fn(MacAddr) -> bool) -> DlResult<MacAddr> {
    if prefix.len() >= 6 {
        return Err(DlStatus::Invalidmacprefixlen.into());
    }
    if prefix.first().is_some_and(|b| b & 1 == 1) {
        return Err(DlStatus::Invalidmacprefix.into());
    }
    loop {
        let mut b = [0u8; 6];
        random_bytes(&mut b).map_err(|e| DlError::Backend(format!("/dev/urandom: {e}")))?;
        b[..prefix.len()].copy_from_slice(prefix);
        let m = MacAddr::from_bytes(&b).expect("6 bytes");
        if !taken(m) {
            return Ok(m);
        }
    }
}

/// The factory slots of a lower link that no VNIC uses, 1-based.
fn free_slots(st: &SimState, lower: LinkId, factory: &[MacAddr]) -> Vec<i32> {
    let used: Vec<i32> = st
        .links()
        .iter()
        .filter_map(|l| l.active.as_ref())
        .filter(|c| c.over == Some(lower) && c.mac_type == Some(MacAddrType::Factory))
        .filter_map(|c| c.slot)
        .collect();
    (1..=factory.len() as i32)
        .filter(|s| !used.contains(s))
        .collect()
}

/// The kernel's address assignment (`vnic_unicast_add`).
fn assign_mac(st: &SimState, spec: &VnicSpec, lower: LinkId) -> DlResult<LinkConf> {
    let lower_conf = st
        .link(lower)
        .and_then(|l| l.active.as_ref())
        .ok_or(DlStatus::Notfound)?;
    // The lower MAC's default_tag (port VLAN id, 1) cannot be a VNIC's VID.
    if spec.vid == DEFAULT_TAG {
        return Err(DlStatus::Linkbusy.into());
    }
    let factory: &[MacAddr] = lower_conf.phys.as_ref().map_or(&[], |p| &p.factory_macs);
    // A random address is drawn again until the kernel would take it.
    let taken = |m| check_mac(st, lower, m, spec.vid).is_err();
    let mut conf = LinkConf {
        over: Some(lower),
        vid: spec.vid,
        vrrp: spec.vrrp,
        ..LinkConf::default()
    };
    let (mac_type, mac, slot) = match spec.mac_type {
        MacAddrType::Fixed => {
            let m = spec.mac.ok_or(DlStatus::Invalidmacaddrlen)?;
            if m.len() != 6 {
                return Err(DlStatus::Invalidmacaddrlen.into());
            }
            check_mac(st, lower, m, spec.vid)?;
            (MacAddrType::Fixed, m, None)
        }
        MacAddrType::Random => match spec.mac {
            // The address a deleted VNIC had, given back.
            Some(m) if spec.recreate => {
                check_mac(st, lower, m, spec.vid)?;
                (MacAddrType::Random, m, None)
            }
            _ => {
                let prefix = spec
                    .mac
                    .map_or(DEFAULT_PREFIX.to_vec(), |m| m.as_bytes().to_vec());
                (MacAddrType::Random, random_mac(&prefix, taken)?, None)
            }
        },
        MacAddrType::Factory => {
            // `mac_addr_factory_reserve()`: ENOTSUP before any slot check
            // when the NIC has none.
            if factory.is_empty() {
                return Err(DlStatus::Notsup.into());
            }
            let free = free_slots(st, lower, factory);
            let slot = match spec.slot {
                None => *free.first().ok_or(DlStatus::Macfactoryslotallused)?,
                Some(s) if s < 1 || s as usize > factory.len() => {
                    return Err(DlStatus::Macfactoryslotinvalid.into());
                }
                Some(s) if !free.contains(&s) => return Err(DlStatus::Macfactoryslotused.into()),
                Some(s) => s,
            };
            (MacAddrType::Factory, factory[slot as usize - 1], Some(slot))
        }
        MacAddrType::Auto => match free_slots(st, lower, factory).first() {
            Some(&s) => (MacAddrType::Factory, factory[s as usize - 1], Some(s)),
            None => (
                MacAddrType::Random,
                random_mac(&DEFAULT_PREFIX, taken)?,
                None,
            ),
        },
        MacAddrType::Vrid => {
            let (vrid, af) = spec.vrrp.ok_or(DlStatus::Badarg)?;
            let m = MacAddr::vrrp(vrid, af == crate::model::link::VrrpAf::Inet6);
            check_mac(st, lower, m, spec.vid)?;
            (MacAddrType::Vrid, m, None)
        }
        MacAddrType::Primary => {
            let m = lower_conf.phys.as_ref().ok_or(DlStatus::Notsup)?.mac;
            (MacAddrType::Primary, m, None)
        }
    };
    conf.mac_type = Some(mac_type);
    conf.mac = Some(mac);
    conf.slot = slot;
    Ok(conf)
}

/// Apply a property value (or reset it, `None`) to one configuration,
/// with libdladm's checks and then the kernel's.
fn apply_prop(
    st: &SimState,
    l: &SimLink,
    conf: &LinkConf,
    prop: &str,
    values: Option<&[String]>,
) -> DlResult<LinkConf> {
    let mut c = conf.clone();
    match prop {
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
            // the driver's default. The driver then checks the range.
            let mtu = match values {
                None => PHYS_MTU_DEFAULT,
                Some([v]) => strtoul0(v),
                Some(_) => return Err(DlStatus::Badval.into()),
            };
            let Some((min, max)) = mtu_range(l, conf) else {
                return Err(DlStatus::Notsup.into());
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
        _ => return Err(DlStatus::Notsup.into()),
    }
    Ok(c)
}

/// The values of a property in one configuration.
fn prop_values(
    st: &SimState,
    l: &SimLink,
    conf: &LinkConf,
    which: PropValue,
    prop: &str,
) -> DlResult<Vec<String>> {
    let persistent = which == PropValue::Persistent;
    let v = |s: String| vec![s];
    Ok(match (prop, which) {
        (_, PropValue::Perm) => v("rw".into()),
        ("maxbw", PropValue::Default) => v("--".into()),
        ("maxbw", PropValue::Modifiable) => return Err(DlStatus::Notsup.into()),
        ("maxbw", _) => conf
            .maxbw
            .map(|b| Bandwidth(b).to_dladm_string())
            .into_iter()
            .collect(),
        ("priority", PropValue::Default) => v(Priority::High.to_string()),
        ("priority", PropValue::Modifiable) => {
            Priority::VALUES.iter().map(|s| s.to_string()).collect()
        }
        ("priority", _) if persistent => conf.priority.map(|p| p.to_string()).into_iter().collect(),
        ("priority", _) => v(conf.priority.unwrap_or(Priority::High).to_string()),
        ("mtu", _) if persistent => conf.mtu.map(|m| m.to_string()).into_iter().collect(),
        // The MAC framework's default for an Ethernet link is ETHERMTU.
        ("mtu", PropValue::Default) => v(PHYS_MTU_DEFAULT.to_string()),
        ("mtu", PropValue::Modifiable) => {
            let cur = mtu_of(st, l.id)?;
            let (min, max) = mtu_range(l, conf).unwrap_or((cur, cur));
            v(mtu_range_str(min, max))
        }
        ("mtu", _) => v(mtu_of(st, l.id)?.to_string()),
        _ => return Err(DlStatus::Notsup.into()),
    })
}

/// A property name as libdladm looks it up (case-insensitively), or
/// `NOTFOUND`; `NOTSUP` for one the sim does not model.
fn sim_prop(prop: &str) -> DlResult<&'static str> {
    let canonical = proptable::find(prop).ok_or(DlStatus::Notfound)?.name;
    SIM_PROPS
        .iter()
        .find(|n| **n == canonical)
        .copied()
        .ok_or(DlStatus::Notsup.into())
}

impl Datalink for SimDatalink {
    fn name2info(&mut self, name: &str) -> DlResult<LinkInfo> {
        self.state()?
            .by_name(name)
            .map(info)
            .ok_or(DlStatus::Notfound.into())
    }

    fn id2info(&mut self, id: LinkId) -> DlResult<LinkInfo> {
        Ok(info(self.link(id)?))
    }

    fn walk(&mut self, classes: ClassMask, conf: Conf) -> DlResult<Vec<LinkInfo>> {
        Ok(self
            .state()?
            .links()
            .iter()
            .filter(|l| classes.contains(l.class))
            .filter(|l| {
                (conf.active && l.active.is_some()) || (conf.persistent && l.persistent.is_some())
            })
            .map(info)
            .collect())
    }

    fn vnic_create(&mut self, spec: &VnicSpec) -> DlResult<LinkId> {
        let temporary_only = self.file.kernel().is_some_and(|k| !k.persistent_links());
        let spec = &VnicSpec {
            conf: if temporary_only {
                Conf::ACTIVE
            } else {
                spec.conf
            },
            ..spec.clone()
        };
        self.mutate(|st| {
            if !spec.conf.active {
                return Err(DlStatus::Notsup.into());
            }
            if spec.over.is_none() && spec.vid != 0 {
                return Err(DlStatus::Badarg.into());
            }
            if let Some(o) = spec.over {
                let lower = st.link(o).ok_or(DlStatus::Notfound)?;
                if spec.conf.persistent && lower.persistent.is_none() {
                    return Err(DlStatus::PersistOnTemp.into());
                }
                if matches!(lower.class, LinkClass::Vnic | LinkClass::Vlan) {
                    return Err(DlStatus::Badarg.into());
                }
                if lower.active.is_none() {
                    return Err(DlStatus::Notfound.into());
                }
            }
            // VRRP addresses need an Ethernet link below (not an etherstub).
            let vrrp_type = spec.mac_type == MacAddrType::Vrid;
            let lower_is_stub = spec
                .over
                .is_none_or(|o| st.link(o).is_some_and(|l| l.class == LinkClass::Etherstub));
            if spec.vrrp.is_some() != vrrp_type || (vrrp_type && lower_is_stub) {
                return Err(DlStatus::Badarg.into());
            }
            if st.by_name(&spec.name).is_some() {
                return Err(DlStatus::Exist.into());
            }
            let (class, mut conf) = match spec.over {
                None => (LinkClass::Etherstub, LinkConf::default()),
                Some(o) => (LinkClass::Vnic, assign_mac(st, spec, o)?),
            };
            // Resource properties go to the kernel with the create ioctl;
            // the rest (mtu) is only saved, as libdladm does.
            let probe = SimLink {
                id: 0,
                name: spec.name.clone(),
                class,
                active: None,
                persistent: None,
            };
            let mut saved = conf.clone();
            for (name, vals) in &spec.props {
                let name = sim_prop(name)?;
                if name == "mtu" {
                    saved.mtu = vals.first().map(|v| strtoul0(v));
                } else {
                    conf = apply_prop(st, &probe, &conf, name, Some(vals))?;
                    saved = apply_prop(st, &probe, &saved, name, Some(vals))?;
                }
            }
            let saved = spec.conf.persistent.then_some(saved);
            let id = st.insert(&spec.name, class, Some(conf), saved);
            Ok(id)
        })
    }

    fn vnic_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()> {
        self.mutate(|st| {
            if !conf.active && !conf.persistent {
                return Err(DlStatus::Badarg.into());
            }
            let l = st.link(id).ok_or(DlStatus::Badarg)?;
            if !matches!(l.class, LinkClass::Vnic | LinkClass::Etherstub) {
                return Err(DlStatus::Badarg.into());
            }
            if conf.active {
                if l.active.is_none() {
                    if !conf.persistent {
                        return Err(DlStatus::Notfound.into());
                    }
                } else if in_use(st, id) {
                    return Err(DlStatus::Linkbusy.into());
                }
            }
            // No IP interface may be left on a link that is gone. (A saved
            // VNIC configuration over it may, as libdladm leaves one: that
            // VNIC cannot come up at boot.)
            let gone =
                (conf.active || l.active.is_none()) && (conf.persistent || l.persistent.is_none());
            if gone && st.interfaces.iter().any(|i| i.name == l.name) {
                return Err(DlStatus::Linkbusy.into());
            }
            let l = st.link_mut(id).expect("exists");
            if conf.active {
                l.active = None;
            }
            if conf.persistent {
                l.persistent = None;
            }
            if l.active.is_none() && l.persistent.is_none() {
                st.remove(id);
            }
            Ok(())
        })
    }

    fn vnic_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VnicAttr> {
        let l = self.link(id)?;
        let c = match (conf.active, conf.persistent) {
            (true, false) => l.active.as_ref(),
            (false, true) => l.persistent.as_ref(),
            _ => return Err(DlStatus::Badarg.into()),
        }
        .ok_or(DlStatus::Notfound)?;
        if !matches!(l.class, LinkClass::Vnic | LinkClass::Etherstub) {
            return Err(DlStatus::Notfound.into());
        }
        Ok(VnicAttr {
            id,
            over: c.over,
            mac_type: c.mac_type.unwrap_or(MacAddrType::Auto),
            mac: c.mac,
            slot: c.slot.unwrap_or(-1),
            vid: c.vid,
            vrrp: c.vrrp,
        })
    }

    fn mtu(&mut self, id: LinkId) -> DlResult<u32> {
        mtu_of(self.state()?, id)
    }

    fn link_state(&mut self, mut id: LinkId) -> DlResult<LinkState> {
        for _ in 0..=MAX_OVER_DEPTH {
            let (class, conf) = self.active(id)?;
            return match (class, conf.over) {
                (LinkClass::Phys, _) => Ok(conf.phys.map_or(LinkState::Up, |p| p.state)),
                (_, Some(lower)) => {
                    id = lower;
                    continue;
                }
                _ => Ok(LinkState::Up),
            };
        }
        Ok(LinkState::Unknown)
    }

    fn speed_mbps(&mut self, mut id: LinkId) -> u64 {
        for _ in 0..=MAX_OVER_DEPTH {
            return match self.active(id) {
                Ok((_, LinkConf { phys: Some(p), .. })) => p.speed_mbps,
                Ok((LinkClass::Vnic, LinkConf { over: Some(o), .. })) => {
                    id = o;
                    continue;
                }
                _ => 0,
            };
        }
        0
    }

    fn phys_info(&mut self, id: LinkId, conf: Conf) -> DlResult<PhysAttr> {
        let l = self.link(id)?;
        if l.class != LinkClass::Phys || !info(l).conf.covers(conf) {
            return Err(DlStatus::Notfound.into());
        }
        let duplex = [&l.active, &l.persistent]
            .into_iter()
            .flatten()
            .find_map(|c| c.phys.as_ref()?.duplex.clone());
        Ok(PhysAttr {
            media: "Ethernet".into(),
            device: l.name.clone(),
            duplex: duplex.unwrap_or_else(|| "full".into()),
        })
    }

    fn set_linkprop(
        &mut self,
        id: LinkId,
        prop: &str,
        values: Option<&[String]>,
        conf: Conf,
    ) -> DlResult<()> {
        let prop = sim_prop(prop)?;
        self.mutate(|st| {
            let l = st.link(id).ok_or(DlStatus::Notfound)?.clone();
            if conf.active {
                let a = l.active.as_ref().ok_or(DlStatus::Notfound)?;
                let new = apply_prop(st, &l, a, prop, values)?;
                st.link_mut(id).expect("exists").active = Some(new);
            }
            // Only a persistent link has a configuration to save into.
            if let (true, Some(p)) = (conf.persistent, l.persistent.as_ref()) {
                let mut new = p.clone();
                match prop {
                    "maxbw" | "priority" => new = apply_prop(st, &l, p, prop, values)?,
                    _ => new.mtu = values.map(|v| strtoul0(v.first().map_or("", |s| s))),
                }
                st.link_mut(id).expect("exists").persistent = Some(new);
            }
            Ok(())
        })
    }

    fn get_linkprop(&mut self, id: LinkId, which: PropValue, prop: &str) -> DlResult<Vec<String>> {
        let prop = sim_prop(prop)?;
        let st = self.state()?;
        let l = st.link(id).ok_or(DlStatus::Notfound)?;
        let conf = if which == PropValue::Persistent {
            l.persistent.as_ref()
        } else {
            l.active.as_ref()
        }
        .ok_or(DlStatus::Notfound)?;
        prop_values(st, l, conf, which, prop)
    }

    fn linkprops(&mut self, id: LinkId) -> DlResult<Vec<String>> {
        let _ = self.link(id)?;
        Ok(SIM_PROPS.iter().map(|p| p.to_string()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Walks down `over` end even on a state the load would refuse (a
    /// VNIC over itself, two over one another).
    #[test]
    fn walks_down_over_are_bounded() {
        let mut st = SimState::default();
        let vnic = |over| LinkConf {
            over: Some(over),
            ..LinkConf::default()
        };
        st.insert("vnic0", LinkClass::Vnic, Some(vnic(1)), None);
        st.insert("vnic1", LinkClass::Vnic, Some(vnic(3)), None);
        st.insert("vnic2", LinkClass::Vnic, Some(vnic(2)), None);
        let mut dl = SimDatalink {
            file: StateFile::new("/nonexistent/xbow-test.json"),
            cache: Some(std::sync::Arc::new(st.clone())),
        };
        for id in 1..=3 {
            assert_eq!(mtu_of(&st, id), Err(DlStatus::Failed.into()));
            assert_eq!(dl.link_state(id).unwrap(), LinkState::Unknown);
            assert_eq!(dl.speed_mbps(id), 0);
        }
    }
}
