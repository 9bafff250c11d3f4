//! The sim's IP interfaces, services and zones, with the outcomes the
//! illumos commands give (messages in their words where they have them).

use super::state::{SimInterface, SimState, SimZone};
use super::{StateFile, transact};
use crate::backend::DlError;
use crate::backend::host::{
    AddrInfo, HostError, HostResult, IpAdm, RulesFile, RulesFiles, Services, ZoneInfo, Zones,
};
use crate::model::ipnet::Ipv4Cidr;
use crate::model::svc::SvcState;
use crate::model::zone::{ZoneConfig, ZoneState};

/// The brand sim zones get by default (OmniOS's default since r151030).
pub const SIM_DEFAULT_BRAND: &str = "lipkg";

/// The sim's host: IP configuration, SMF and zones, in the sim state.
pub struct SimHost {
    file: StateFile,
}

impl SimHost {
    pub fn open(file: StateFile) -> SimHost {
        SimHost { file }
    }

    fn load(&self) -> HostResult<SimState> {
        Ok(self.file.load()?)
    }

    /// A change under the lock; `Err(text)` from `f` is the command's
    /// failure and leaves the state untouched.
    fn change(&self, f: impl FnOnce(&mut SimState) -> Result<(), String>) -> HostResult<()> {
        transact(&self.file, |st| f(st).map_err(DlError::Backend))
            .map_err(|e| HostError(e.to_string()))?;
        Ok(())
    }
}

fn has_active_link(st: &SimState, name: &str) -> bool {
    st.by_name(name).is_some_and(|l| l.active.is_some())
}

fn split_addrobj(addrobj: &str) -> Result<(&str, &str), String> {
    addrobj
        .split_once('/')
        .filter(|(i, n)| {
            !i.is_empty()
                && n.len() <= 32
                && n.starts_with(|c: char| c.is_ascii_alphabetic())
                && n.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .ok_or_else(|| format!("ipadm: Invalid address object name: {addrobj}"))
}

impl IpAdm for SimHost {
    fn interfaces(&mut self) -> HostResult<Vec<String>> {
        Ok(self
            .load()?
            .interfaces
            .into_iter()
            .map(|i| i.name)
            .collect())
    }

    fn addrs(&mut self) -> HostResult<Vec<AddrInfo>> {
        Ok(self
            .load()?
            .interfaces
            .iter()
            .flat_map(|i| {
                i.addrs.iter().map(|(n, a)| AddrInfo {
                    addrobj: format!("{}/{n}", i.name),
                    addr: *a,
                })
            })
            .collect())
    }

    fn create_if(&mut self, ifname: &str) -> HostResult<()> {
        self.change(|st| {
            if !has_active_link(st, ifname) {
                return Err(format!(
                    "ipadm: Could not create {ifname} : Interface does not exist"
                ));
            }
            if st.interfaces.iter().any(|i| i.name == ifname) {
                return Err(format!(
                    "ipadm: Could not create {ifname} : Interface already exists"
                ));
            }
            st.interfaces.push(SimInterface {
                name: ifname.to_string(),
                addrs: Vec::new(),
            });
            Ok(())
        })
    }

    fn delete_if(&mut self, ifname: &str) -> HostResult<()> {
        self.change(|st| {
            let before = st.interfaces.len();
            st.interfaces.retain(|i| i.name != ifname);
            if st.interfaces.len() == before {
                return Err(format!(
                    "ipadm: Could not delete {ifname} : Interface does not exist"
                ));
            }
            Ok(())
        })
    }

    fn create_addr(&mut self, addrobj: &str, addr: Ipv4Cidr) -> HostResult<()> {
        let (ifname, name) = split_addrobj(addrobj).map_err(HostError)?;
        self.change(|st| {
            let fail = |why: &str| Err(format!("ipadm: Could not create address: {why}"));
            if st
                .interfaces
                .iter()
                .flat_map(|i| &i.addrs)
                .any(|(_, a)| a.addr == addr.addr)
            {
                return fail("Duplicate address detected");
            }
            let Some(i) = st.interfaces.iter_mut().find(|i| i.name == ifname) else {
                return fail("Interface does not exist");
            };
            if i.addrs.iter().any(|(n, _)| n == name) {
                return fail("Address object already exists");
            }
            i.addrs.push((name.to_string(), addr));
            Ok(())
        })
    }

    fn delete_addr(&mut self, addrobj: &str) -> HostResult<()> {
        let (ifname, name) = split_addrobj(addrobj).map_err(HostError)?;
        self.change(|st| {
            let i = st.interfaces.iter_mut().find(|i| i.name == ifname);
            match i {
                Some(i) if i.addrs.iter().any(|(n, _)| n == name) => {
                    i.addrs.retain(|(n, _)| n != name);
                    Ok(())
                }
                _ => Err("ipadm: could not delete address: Address object not found".into()),
            }
        })
    }
}

impl Services for SimHost {
    fn state(&mut self, fmri: &str) -> HostResult<SvcState> {
        Ok(self
            .load()?
            .services
            .get(fmri)
            .copied()
            .unwrap_or(SvcState::Disabled))
    }

    fn enable(&mut self, fmri: &str) -> HostResult<()> {
        self.change(|st| {
            st.services.insert(fmri.to_string(), SvcState::Online);
            Ok(())
        })
    }

    fn disable(&mut self, fmri: &str) -> HostResult<()> {
        self.change(|st| {
            st.services.remove(fmri);
            Ok(())
        })
    }

    fn refresh(&mut self, fmri: &str) -> HostResult<()> {
        self.change(|st| match st.services.get(fmri) {
            Some(SvcState::Online) => Ok(()),
            _ => Err(format!("svcadm refresh {fmri}: the instance is not online")),
        })
    }
}

/// `zoneadm: zone 'NAME': WHY`.
fn zerr(name: &str, why: &str) -> String {
    format!("zoneadm: zone '{name}': {why}")
}

/// Move a zone from one of `from` to `to`.
fn transition(
    st: &mut SimState,
    name: &str,
    from: &[ZoneState],
    to: ZoneState,
    verb: &str,
) -> Result<(), String> {
    let z = st
        .zones
        .iter_mut()
        .find(|z| z.config.name == name)
        .ok_or_else(|| zerr(name, "No such zone configured"))?;
    if !from.contains(&z.state) {
        return Err(zerr(
            name,
            &format!("cannot {verb}: zone is {}", z.state.as_str()),
        ));
    }
    z.state = to;
    Ok(())
}

impl Zones for SimHost {
    fn list(&mut self) -> HostResult<Vec<ZoneInfo>> {
        Ok(self
            .load()?
            .zones
            .into_iter()
            .map(|z| ZoneInfo {
                name: z.config.name,
                state: z.state,
                zonepath: z.config.zonepath,
                brand: z.config.brand,
                ip_type: "excl".into(),
            })
            .collect())
    }

    fn config(&mut self, name: &str) -> HostResult<Option<ZoneConfig>> {
        Ok(self
            .load()?
            .zones
            .into_iter()
            .find(|z| z.config.name == name)
            .map(|z| z.config))
    }

    fn configure(&mut self, cfg: &ZoneConfig) -> HostResult<()> {
        self.change(|st| {
            if st.zones.iter().any(|z| z.config.name == cfg.name) {
                return Err(format!("zonecfg: {}: Zone already exists", cfg.name));
            }
            st.zones.push(SimZone {
                config: cfg.clone(),
                state: ZoneState::Configured,
            });
            Ok(())
        })
    }

    fn delete(&mut self, name: &str) -> HostResult<()> {
        self.change(|st| {
            match st.zones.iter().position(|z| z.config.name == name) {
                None => return Err(format!("zonecfg: {name}: No such zone configured")),
                Some(i) if st.zones[i].state != ZoneState::Configured => {
                    return Err(format!(
                        "zonecfg: {name}: Zone is {}; uninstall it first",
                        st.zones[i].state.as_str()
                    ));
                }
                Some(i) => {
                    st.zones.remove(i);
                }
            }
            Ok(())
        })
    }

    fn install(&mut self, name: &str) -> HostResult<()> {
        self.change(|st| {
            transition(
                st,
                name,
                &[ZoneState::Configured],
                ZoneState::Installed,
                "install",
            )
        })
    }

    fn uninstall(&mut self, name: &str) -> HostResult<()> {
        self.change(|st| {
            transition(
                st,
                name,
                &[ZoneState::Installed, ZoneState::Incomplete],
                ZoneState::Configured,
                "uninstall",
            )
        })
    }

    fn boot(&mut self, name: &str) -> HostResult<()> {
        self.change(|st| {
            let nets: Vec<String> = st
                .zones
                .iter()
                .find(|z| z.config.name == name)
                .map(|z| z.config.nets.iter().map(|n| n.physical.clone()).collect())
                .unwrap_or_default();
            for link in &nets {
                if !has_active_link(st, link) {
                    return Err(zerr(name, &format!("datalink {link} does not exist")));
                }
                let taken = st.zones.iter().any(|z| {
                    z.config.name != name
                        && z.state == ZoneState::Running
                        && z.config.nets.iter().any(|n| &n.physical == link)
                });
                if taken || st.interfaces.iter().any(|i| &i.name == link) {
                    return Err(zerr(name, &format!("datalink {link} is in use")));
                }
            }
            transition(
                st,
                name,
                &[ZoneState::Installed, ZoneState::Ready],
                ZoneState::Running,
                "boot",
            )?;
            // A new netstack: its IP Filter stacks start empty.
            super::filter::destroy_zone_stacks(st, name);
            Ok(())
        })
    }

    fn halt(&mut self, name: &str) -> HostResult<()> {
        self.change(|st| {
            transition(
                st,
                name,
                &[ZoneState::Running, ZoneState::Ready],
                ZoneState::Installed,
                "halt",
            )?;
            // The zone's netstack goes, and its IP Filter stacks with it.
            super::filter::destroy_zone_stacks(st, name);
            Ok(())
        })
    }

    fn default_brand(&self) -> String {
        SIM_DEFAULT_BRAND.to_string()
    }
}

impl RulesFiles for SimHost {
    fn read(&mut self, f: &RulesFile) -> HostResult<String> {
        let st = self.load()?;
        Ok(match f {
            RulesFile::Ipnat => st.ipnat_conf,
            RulesFile::Ipf => st.ipf_conf,
            RulesFile::ZoneIpf(zp) => st
                .zone_ipf_conf
                .get(&RulesFile::zone_path(zp))
                .cloned()
                .unwrap_or_default(),
        })
    }

    fn write(&mut self, f: &RulesFile, text: &str) -> HostResult<()> {
        self.change(|st| {
            match f {
                RulesFile::Ipnat => st.ipnat_conf = text.to_string(),
                RulesFile::Ipf => st.ipf_conf = text.to_string(),
                RulesFile::ZoneIpf(zp) => {
                    let p = RulesFile::zone_path(zp);
                    if text.is_empty() {
                        st.zone_ipf_conf.remove(&p);
                    } else {
                        st.zone_ipf_conf.insert(p, text.to_string());
                    }
                }
            }
            Ok(())
        })
    }
}
