//! [`Datalink`] on the sim state: dlmgmtd's link table, the VNIC driver's
//! address rules and libdladm's property checks.

use super::linkprop::{self, MAX_OVER_DEPTH, mtu_of, state_of};
use super::state::{LinkConf, SimLink, SimState};
use super::{StateFile, random_bytes, transact};
use crate::backend::{Datalink, DlError, DlResult, PropValue};
use crate::model::cnum::strtoul0;
use crate::model::link::{
    ClassMask, Conf, HwGroup, LinkClass, LinkId, LinkInfo, LinkState, MacAddrType, MacSlot,
    PhysAttr, VID_MAX, VID_MIN, VlanAttr, VlanSpec, VnicAttr, VnicSpec,
};
use crate::model::link_name::LinkName;
use crate::model::mac::MacAddr;
use crate::model::proptable::{self, PropFlags, Setter};
use crate::model::stats::LinkStats;
use crate::model::status::DlStatus;

/// The random-address prefix libdladm uses by default (`2:8:20`).
const DEFAULT_PREFIX: [u8; 3] = [0x02, 0x08, 0x20];
/// The `default_tag` link property's default: untagged traffic's VLAN id.
const DEFAULT_TAG: u16 = 1;

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

    /// `dladm_vnic_create`; with `vlan` (`DLADM_OPT_VLAN`) a VLAN.
    fn create(&mut self, spec: &VnicSpec, vlan: bool) -> DlResult<LinkId> {
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
            if vlan && !(VID_MIN..=VID_MAX).contains(&spec.vid) {
                return Err(DlStatus::Vidinval.into());
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
            // dlmgmtd takes only valid names (`dlmgmt_create_common`).
            if !LinkName::is_valid(&spec.name) {
                return Err(DlStatus::Badarg.into());
            }
            if st.by_name(&spec.name).is_some() {
                return Err(DlStatus::Exist.into());
            }
            let (class, mut conf) = match spec.over {
                None => (LinkClass::Etherstub, LinkConf::default()),
                Some(o) if vlan => (LinkClass::Vlan, assign_mac(st, spec, o)?),
                Some(o) => (LinkClass::Vnic, assign_mac(st, spec, o)?),
            };
            // `dladm_vnic_create`: the resource properties go to the kernel
            // with the create ioctl (`dladm_link_proplist_extract`, which
            // passes over other names); then, for a persistent VNIC, every
            // property is stored with `DLADM_OPT_PERSIST` only — checked
            // for name, class and `PD_TEMPONLY`, not applied.
            let probe = SimLink {
                id: 0,
                name: spec.name.clone(),
                class,
                active: None,
                persistent: None,
                stats: Default::default(),
            };
            let mut saved = conf.clone();
            for (name, vals) in &spec.props {
                let Some(d) = proptable::find(name) else {
                    continue;
                };
                if d.set == Some(Setter::Resource) {
                    conf = linkprop::apply(st, &probe, &conf, d, Some(vals))?;
                    saved = linkprop::apply(st, &probe, &saved, d, Some(vals))?;
                }
            }
            if spec.conf.persistent {
                for (name, vals) in &spec.props {
                    let d = linkprop::desc_for(&probe, name)?;
                    if d.flags.contains(PropFlags::TEMPONLY) {
                        return Err(DlStatus::Temponly.into());
                    }
                    if d.name == "mtu" {
                        saved.mtu = vals.first().map(|v| strtoul0(v));
                    }
                    saved.typed.insert(d.name.to_string(), vals.join(","));
                }
            }
            let saved = spec.conf.persistent.then_some(saved);
            let id = st.insert(&spec.name, class, Some(conf), saved);
            Ok(id)
        })
    }

    /// `dladm_vnic_delete`; with `vlan` (`DLADM_OPT_VLAN`) of a VLAN.
    fn delete(&mut self, id: LinkId, conf: Conf, vlan: bool) -> DlResult<()> {
        self.mutate(|st| {
            if !conf.active && !conf.persistent {
                return Err(DlStatus::Badarg.into());
            }
            let l = st.link(id).ok_or(DlStatus::Badarg)?;
            if vlan != (l.class == LinkClass::Vlan)
                || !matches!(
                    l.class,
                    LinkClass::Vnic | LinkClass::Etherstub | LinkClass::Vlan
                )
            {
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

    /// `dladm_vnic_info`; with `vlan`, of a VLAN.
    fn vnic_attr(&mut self, id: LinkId, conf: Conf, vlan: bool) -> DlResult<VnicAttr> {
        let l = self.link(id)?;
        let c = match (conf.active, conf.persistent) {
            (true, false) => l.active.as_ref(),
            (false, true) => l.persistent.as_ref(),
            _ => return Err(DlStatus::Badarg.into()),
        }
        .ok_or(DlStatus::Notfound)?;
        // `dladm_vnic_info` answers for VLANs too (they are VNICs to the
        // kernel and dlmgmtd).
        let class_ok = matches!(
            l.class,
            LinkClass::Vnic | LinkClass::Etherstub | LinkClass::Vlan
        ) && (!vlan || l.class == LinkClass::Vlan);
        if !class_ok {
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
        // A VLAN: the lower link's own address (an etherstub's is all
        // zeros), which one client per VID may use.
        MacAddrType::Primary => {
            let m = lower_addr(st, lower).ok_or(DlStatus::Notsup)?;
            if st.mac_used_over(lower, m, spec.vid) {
                return Err(DlStatus::Invalidmacaddrinuse.into());
            }
            (MacAddrType::Primary, m, None)
        }
    };
    conf.mac_type = Some(mac_type);
    conf.mac = Some(mac);
    conf.slot = slot;
    conf.force = spec.force;
    Ok(conf)
}

impl Datalink for SimDatalink {
    fn rename_link(&mut self, link1: &str, link2: &str) -> DlResult<()> {
        self.mutate(|st| super::rename::rename(st, link1, link2))
    }

    fn mac_slots(&mut self, id: LinkId) -> DlResult<Vec<MacSlot>> {
        super::hardware::mac_slots(self.state()?, id)
    }

    fn hw_groups(&mut self, id: LinkId) -> DlResult<Vec<HwGroup>> {
        super::hardware::hw_groups(self.state()?, id)
    }

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
        self.create(spec, false)
    }

    fn vnic_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()> {
        self.delete(id, conf, false)
    }

    fn vnic_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VnicAttr> {
        self.vnic_attr(id, conf, false)
    }

    fn vlan_create(&mut self, spec: &VlanSpec) -> DlResult<LinkId> {
        self.create(&spec.as_vnic(), true)
    }

    fn vlan_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()> {
        self.delete(id, conf, true)
    }

    fn vlan_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VlanAttr> {
        let a = self.vnic_attr(id, conf, true)?;
        let c = self.link(id)?;
        let force = match (conf.active, &c.active, &c.persistent) {
            (true, Some(c), _) | (false, _, Some(c)) => c.force,
            _ => false,
        };
        Ok(VlanAttr {
            vid: a.vid,
            over: a.over.ok_or(DlStatus::Badarg)?,
            force,
        })
    }

    fn mtu(&mut self, id: LinkId) -> DlResult<u32> {
        mtu_of(self.state()?, id)
    }

    fn link_state(&mut self, id: LinkId) -> DlResult<LinkState> {
        state_of(self.state()?, id)
    }

    fn speed_mbps(&mut self, mut id: LinkId) -> u64 {
        for _ in 0..=MAX_OVER_DEPTH {
            return match self.active(id) {
                Ok((_, LinkConf { phys: Some(p), .. })) => p.speed_mbps,
                Ok((LinkClass::Vnic | LinkClass::Vlan, LinkConf { over: Some(o), .. })) => {
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
        let device = [&l.active, &l.persistent]
            .into_iter()
            .flatten()
            .find_map(|c| c.phys.as_ref()?.device.clone());
        Ok(PhysAttr {
            media: "Ethernet".into(),
            device: device.unwrap_or_else(|| l.name.clone()),
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
        // Nothing changes where the checks refuse: no write at all.
        {
            let st = self.state()?;
            let l = st.link(id).ok_or(DlStatus::Notfound)?;
            linkprop::desc_for(l, prop)?;
        }
        self.mutate(|st| linkprop::set(st, id, prop, values, conf))
    }

    fn get_linkprop(&mut self, id: LinkId, which: PropValue, prop: &str) -> DlResult<Vec<String>> {
        let st = self.state()?;
        let l = st.link(id).ok_or(DlStatus::Notfound)?;
        let d = linkprop::desc_for(l, prop)?;
        let conf = if which == PropValue::Persistent {
            l.persistent.as_ref()
        } else {
            l.active.as_ref()
        }
        .ok_or(DlStatus::Notfound)?;
        linkprop::get(st, l, conf, which, d)
    }

    fn link_stats(&mut self, id: LinkId) -> DlResult<LinkStats> {
        self.state()?;
        let st = std::sync::Arc::clone(self.cache.as_ref().expect("loaded"));
        let l = match st.link(id) {
            Some(l) if l.active.is_some() => l,
            _ => return Err(DlStatus::Notfound.into()),
        };
        match self.file.kernel() {
            Some(k) => k.link_stats(&st, id),
            None => Ok(l.stats),
        }
    }

    fn refresh(&mut self) {
        self.cache = None;
    }

    fn linkprops(&mut self, id: LinkId) -> DlResult<Vec<String>> {
        Ok(linkprop::names(self.link(id)?))
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
