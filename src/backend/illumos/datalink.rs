//! [`Datalink`] on the real system: every call goes to libdladm (and
//! link kstats), so results and statuses are exactly dladm's.

use super::convert::{self, opt_flags};
use super::status::{dl_error, with_errlist};
use crate::backend::{Datalink, DlError, DlResult, PropValue};
use crate::model::link::{
    ClassMask, Conf, HwGroup, LinkClass, LinkId, LinkInfo, LinkState, MacSlot, PhysAttr, VlanAttr,
    VlanSpec, VnicAttr, VnicSpec,
};
use crate::model::stats::LinkStats;
use crate::model::status::DlStatus;
use crate::sys::dladm_abi::Generation;
use crate::sys::dladm_records::CreateRequest;
use crate::sys::illumos::{self, CreateError, Dladm, KstatError, OpenError};
use crate::sys::illumos_types::DladmStatus;

/// libdladm's datalinks, through an open handle (closed on drop).
pub struct IllumosDatalink {
    dl: Dladm,
}

impl IllumosDatalink {
    /// Load libdladm and open a handle. A failing `dladm_open` (no
    /// privilege, no `/dev/dld`) is its status, which dladm reports as
    /// `could not open /dev/dld: <status>`; a library xbow cannot use is
    /// a message naming it.
    pub fn open() -> DlResult<IllumosDatalink> {
        match Dladm::open() {
            Ok(dl) => Ok(IllumosDatalink { dl }),
            Err(OpenError::Status(raw)) => {
                let text = illumos::status_text(raw).unwrap_or_default();
                Err(dl_error(raw, &text))
            }
            Err(OpenError::Load(e)) => Err(DlError::Backend(e.to_string())),
        }
    }

    /// The `dladm_vnic_create` generation of the host's libdladm.
    pub fn generation(&self) -> Result<Generation, String> {
        self.dl.generation().map_err(|e| e.to_string())
    }

    fn err(&self, raw: DladmStatus) -> DlError {
        dl_error(raw, &self.dl.status_text(raw))
    }

    fn name_of(&self, id: LinkId) -> DlResult<String> {
        self.dl.id2info(id).map(|r| r.name).map_err(|s| self.err(s))
    }

    /// `dladm_vnic_create` with `req` (a VNIC, an etherstub or a VLAN).
    fn create(&mut self, req: &CreateRequest, name: &str) -> DlResult<LinkId> {
        match self.dl.vnic_create(req) {
            Ok(id) => Ok(id),
            Err(CreateError::Abi(e)) => {
                Err(DlError::Backend(format!("cannot create {}: {e}", name)))
            }
            Err(CreateError::Status { status, errlist }) => {
                Err(with_errlist(self.err(status), errlist))
            }
        }
    }
}

impl Datalink for IllumosDatalink {
    fn name2info(&mut self, name: &str) -> DlResult<LinkInfo> {
        let r = self.dl.name2info(name).map_err(|s| self.err(s))?;
        convert::link_info(r)
    }

    fn id2info(&mut self, id: LinkId) -> DlResult<LinkInfo> {
        let r = self.dl.id2info(id).map_err(|s| self.err(s))?;
        convert::link_info(r)
    }

    fn walk(&mut self, classes: ClassMask, conf: Conf) -> DlResult<Vec<LinkInfo>> {
        let ids = self
            .dl
            .walk_ids(classes.0, opt_flags(conf))
            .map_err(|s| self.err(s))?;
        let mut links = Vec::with_capacity(ids.len());
        for id in ids {
            match self.dl.id2info(id).map_err(|s| self.err(s)) {
                Ok(r) => match convert::link_info(r) {
                    Ok(i) => links.push(i),
                    // A class xbow has no name for (a fork's own) is left out.
                    Err(DlError::Backend(_)) => {}
                    Err(e) => return Err(e),
                },
                // Deleted between the walk and the lookup.
                Err(DlError::Status(DlStatus::Notfound)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(links)
    }

    fn vnic_create(&mut self, spec: &VnicSpec) -> DlResult<LinkId> {
        self.create(&convert::create_request(spec), &spec.name)
    }

    fn vnic_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()> {
        self.dl
            .vnic_delete(id, opt_flags(conf))
            .map_err(|s| self.err(s))
    }

    fn vnic_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VnicAttr> {
        let r = self
            .dl
            .vnic_info(id, opt_flags(conf))
            .map_err(|s| self.err(s))?;
        Ok(convert::vnic_attr(&r))
    }

    fn vlan_create(&mut self, spec: &VlanSpec) -> DlResult<LinkId> {
        self.create(&convert::vlan_request(spec), &spec.name)
    }

    fn vlan_delete(&mut self, id: LinkId, conf: Conf) -> DlResult<()> {
        self.dl
            .vlan_delete(id, opt_flags(conf))
            .map_err(|s| self.err(s))
    }

    fn vlan_info(&mut self, id: LinkId, conf: Conf) -> DlResult<VlanAttr> {
        let r = self
            .dl
            .vlan_info(id, opt_flags(conf))
            .map_err(|s| self.err(s))?;
        Ok(convert::vlan_attr(&r))
    }

    fn mtu(&mut self, id: LinkId) -> DlResult<u32> {
        self.dl.max_sdu(id).map_err(|s| self.err(s))
    }

    fn link_state(&mut self, id: LinkId) -> DlResult<LinkState> {
        let name = self.name_of(id)?;
        let raw =
            illumos::link_stat(&name, "link_state").map_err(|e| DlError::Backend(e.to_string()))?;
        // link_state_t is signed (UNKNOWN is -1), kept in a uint32 kstat.
        Ok(convert::link_state(raw as u32 as i32))
    }

    fn speed_mbps(&mut self, id: LinkId) -> u64 {
        self.name_of(id)
            .ok()
            .and_then(|name| illumos::link_stat(&name, "ifspeed").ok())
            .map_or(0, |bps| bps / 1_000_000)
    }

    /// `get_link_stats` / `dladm_get_stats`: each counter's 64-bit
    /// statistic, else its 32-bit one, in dladm's order; the first one
    /// missing leaves it and the rest 0, as does a link without a kstat.
    fn link_stats(&mut self, id: LinkId) -> DlResult<LinkStats> {
        let name = self.name_of(id)?;
        const NAMES: [[&str; 2]; 6] = [
            ["ipackets64", "ipackets"],
            ["opackets64", "opackets"],
            ["rbytes64", "rbytes"],
            ["obytes64", "obytes"],
            ["ierrors", "ierrors"],
            ["oerrors", "oerrors"],
        ];
        let flat: Vec<&str> = NAMES.iter().flatten().copied().collect();
        let v = match illumos::link_stats(&name, &flat) {
            Ok(v) => v,
            Err(KstatError::NotFound { .. }) => return Ok(LinkStats::default()),
            // dladm's own warning.
            Err(KstatError::Open) => {
                return Err(DlError::Backend("kstat_open operation failed".into()));
            }
            Err(e) => return Err(DlError::Backend(e.to_string())),
        };
        let mut got = [0u64; 6];
        for (i, slot) in got.iter_mut().enumerate() {
            match v
                .get(2 * i)
                .copied()
                .flatten()
                .or(v.get(2 * i + 1).copied().flatten())
            {
                Some(n) => *slot = n,
                None => break,
            }
        }
        let [ipackets, opackets, rbytes, obytes, ierrors, oerrors] = got;
        Ok(LinkStats {
            ipackets,
            rbytes,
            ierrors,
            opackets,
            obytes,
            oerrors,
        })
    }

    fn phys_info(&mut self, id: LinkId, conf: Conf) -> DlResult<PhysAttr> {
        let r = self.dl.id2info(id).map_err(|s| self.err(s))?;
        if r.class != convert::class_bit(LinkClass::Phys) || !convert::conf_of(r.flags).covers(conf)
        {
            return Err(DlStatus::Notfound.into());
        }
        let device = self
            .dl
            .phys_device(id, opt_flags(conf))
            .map_err(|s| self.err(s))?;
        let duplex = if conf.active {
            illumos::link_stat(&r.name, "link_duplex")
                .map_or("unknown", |d| convert::duplex(d as u32 as i32))
        } else {
            "unknown"
        };
        Ok(PhysAttr {
            media: self.dl.media_text(r.media),
            device,
            duplex: duplex.to_string(),
        })
    }

    fn set_linkprop(
        &mut self,
        id: LinkId,
        prop: &str,
        values: Option<&[String]>,
        conf: Conf,
    ) -> DlResult<()> {
        self.dl
            .set_linkprop(id, prop, values, opt_flags(conf))
            .map_err(|s| self.err(s))
    }

    fn get_linkprop(&mut self, id: LinkId, which: PropValue, prop: &str) -> DlResult<Vec<String>> {
        self.dl
            .get_linkprop(id, convert::prop_type(which), prop)
            .map_err(|s| self.err(s))
    }

    fn linkprops(&mut self, id: LinkId) -> DlResult<Vec<String>> {
        self.dl.linkprop_names(id).map_err(|s| self.err(s))
    }

    fn mac_slots(&mut self, id: LinkId) -> DlResult<Vec<MacSlot>> {
        let slots = self.dl.mac_slots(id).map_err(|s| self.err(s))?;
        Ok(slots.into_iter().filter_map(convert::mac_slot).collect())
    }

    fn hw_groups(&mut self, id: LinkId) -> DlResult<Vec<HwGroup>> {
        let groups = self.dl.hw_groups(id).map_err(|s| self.err(s))?;
        Ok(groups.into_iter().map(convert::hw_group).collect())
    }

    fn rename_link(&mut self, link1: &str, link2: &str) -> DlResult<()> {
        self.dl.rename_link(link1, link2).map_err(|s| self.err(s))
    }
}
