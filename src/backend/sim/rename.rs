//! `dladm_rename_link` (libdllink.c) on the sim's state, with the kernel's
//! (`dls_devnet_rename`) and dlmgmtd's (`dlmgmt_remapid`) checks.

use super::state::{SimLink, SimState};
use crate::backend::DlResult;
use crate::model::link::{LinkClass, LinkId};
use crate::model::link_name::{LinkName, MAXLINKNAMELEN};
use crate::model::status::DlStatus;
use crate::model::zone::ZoneState;

/// What libdladm passes on: at most `MAXLINKNAMELEN - 1` bytes
/// (`strlcpy` into the door and ioctl arguments).
fn strlcpy(name: &str) -> &str {
    let mut end = name.len().min(MAXLINKNAMELEN - 1);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// A REMOVED physical link: known only to the saved configuration.
fn removed_phys(l: &SimLink) -> bool {
    l.class == LinkClass::Phys && l.active.is_none() && l.persistent.is_some()
}

/// `dd_ref > 1` in `dls_devnet_rename`: an application has the link open
/// (an IP interface on it, a running zone using it).
fn held(st: &SimState, name: &str) -> bool {
    st.interfaces.iter().any(|i| i.name == name)
        || st.zones.iter().any(|z| {
            z.state == ZoneState::Running && z.config.nets.iter().any(|n| n.physical == name)
        })
}

/// Whether a link of one of `classes` is over `id` in the active (or the
/// persistent) configuration; `None`: of any class.
fn has_upper(st: &SimState, id: LinkId, persistent: bool, classes: Option<&[LinkClass]>) -> bool {
    st.links().iter().any(|o| {
        let c = if persistent { &o.persistent } else { &o.active };
        classes.is_none_or(|cs| cs.contains(&o.class))
            && c.as_ref().is_some_and(|c| c.over == Some(id))
    })
}

/// `dladm_rename_link(link1, link2)`.
pub(super) fn rename(st: &mut SimState, link1: &str, link2: &str) -> DlResult<()> {
    let (link1, link2) = (strlcpy(link1), strlcpy(link2));
    let l1 = st
        .by_name(link1)
        .map(|l| (l.id, l.class, l.active.is_some()));
    let l2 = st.by_name(link2).map(|l| (l.id, removed_phys(l)));
    match (l1, l2) {
        (Some((id1, _, active)), None) => rename_c1(st, id1, link2, active),
        (Some((id1, class1, active)), Some((id2, true))) => {
            // Both are Ethernet here: the sim has no other media.
            if class1 != LinkClass::Phys || !active {
                return Err(DlStatus::Badarg.into());
            }
            rename_c2(st, id1, id2)
        }
        (Some(_), Some(_)) => Err(DlStatus::Exist.into()),
        (None, Some((id2, true))) => rename_c3(st, link1, id2),
        (None, _) => Err(DlStatus::Notfound.into()),
    }
}

/// Case 1: an existing link takes a name no link has.
fn rename_c1(st: &mut SimState, id: LinkId, link2: &str, active: bool) -> DlResult<()> {
    let l = st.link(id).expect("found by name");
    let old = l.name.clone();
    // DLDIOC_RENAME: nothing may hold an active link.
    if active && held(st, &old) {
        return Err(DlStatus::Linkbusy.into());
    }
    // dlmgmt_remapid: EINVAL for a name dladm_valid_linkname refuses.
    if !LinkName::is_valid(link2) {
        return Err(DlStatus::Badarg.into());
    }
    if l.class == LinkClass::Phys {
        // The device keeps its name (`show-phys` DEVICE).
        let l = st.link_mut(id).expect("exists");
        for c in [&mut l.active, &mut l.persistent].into_iter().flatten() {
            if let Some(p) = c.phys.as_mut() {
                p.device.get_or_insert_with(|| old.clone());
            }
        }
    }
    st.rename(id, link2);
    Ok(())
}

/// Case 2: an active physical link takes over a REMOVED one: its id, name
/// and configuration, with its own hardware; link1 is gone.
fn rename_c2(st: &mut SimState, id1: LinkId, id2: LinkId) -> DlResult<()> {
    // Persistent VLANs (or aggregations) over link1.
    if has_upper(st, id1, true, Some(&[LinkClass::Vlan, LinkClass::Aggr])) {
        return Err(DlStatus::Linkbusy.into());
    }
    let l1 = st.link(id1).expect("found by name").clone();
    // DLDIOC_RENAME: link1 and its MAC may not be held.
    if held(st, &l1.name) || has_upper(st, id1, false, None) {
        return Err(DlStatus::Linkbusy.into());
    }
    let hw = |c: &Option<super::LinkConf>| {
        c.as_ref().and_then(|c| c.phys.clone()).map(|mut p| {
            p.device.get_or_insert_with(|| l1.name.clone());
            p.removed = false;
            p
        })
    };
    let (active_hw, saved_hw) = (hw(&l1.active), hw(&l1.persistent));
    st.remove(id1);
    let l2 = st.link_mut(id2).expect("found by name");
    let saved = l2.persistent.as_mut().expect("a removed link is saved");
    if let Some(h) = saved_hw.or(active_hw.clone()) {
        saved.phys = Some(h);
    }
    // dladm_up_datalink_id, then the saved properties applied.
    let mut up = saved.clone();
    up.typed.clear();
    up.phys = active_hw;
    l2.active = Some(up);
    Ok(())
}

/// Case 3: a link that does not exist names the device of a REMOVED
/// physical link, which takes its configuration when it attaches.
fn rename_c3(st: &mut SimState, link1: &str, id2: LinkId) -> DlResult<()> {
    if !LinkName::is_valid(link1) {
        return Err(DlStatus::Linkinval.into());
    }
    let l2 = st.link_mut(id2).expect("found by name");
    if let Some(p) = l2.persistent.as_mut().and_then(|c| c.phys.as_mut()) {
        p.device = Some(link1.to_string());
    }
    Ok(())
}
