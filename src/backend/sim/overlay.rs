//! Overlays on the sim state: what libdladm's overlay calls, the overlay
//! driver (generic and vxlan properties) and varpd (the `direct` and
//! `files` plugins) answer, with their statuses and errlist texts.

use super::state::{LinkConf, SimState};
use crate::backend::{DlError, DlResult};
use crate::model::cnum::strtoull10;
use crate::model::link::{Conf, LinkClass, LinkId};
use crate::model::link_name::{LinkName, MAXLINKNAMELEN};
use crate::model::overlay::{
    self, CacheOp, ENCAPS, MTU_DEF, MTU_MAX, MTU_MIN, OverlayConf, OverlayProp, OverlaySpec,
    OverlayStatus, PropPerm, PropType, PropVal, SEARCHES, Search, Target, VNETID_MAX, VXLAN_PORT,
    to_v6,
};
use crate::model::overlay_files::{self, MAX_FILE};
use crate::model::status::DlStatus;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

/// `OVERLAY_PROP_SIZEMAX`, and the encapsulation name's field
/// (`oic_encap[MAXLINKNAMELEN]`).
const PROP_SIZEMAX: usize = 256;

/// illumos `strerror` texts of the errnos the overlay calls report.
fn strerror(errno: i32) -> &'static str {
    match errno {
        libc::ENOENT => "No such file or directory",
        libc::EINVAL => "Invalid argument",
        libc::EAGAIN => "Resource temporarily unavailable",
        libc::EPERM => "Not owner",
        _ => "Error 0",
    }
}

fn errno_status(errno: i32) -> DlStatus {
    crate::model::status::errno2status(errno)
}

/// A property as the kernel or varpd describes it, before its value.
struct Desc {
    name: &'static str,
    ty: PropType,
    perm: PropPerm,
    default: Option<PropVal>,
    possible: Vec<String>,
}

fn desc(name: &'static str, ty: PropType, perm: PropPerm) -> Desc {
    Desc {
        name,
        ty,
        perm,
        default: None,
        possible: Vec::new(),
    }
}

fn uint(v: u64, size: u8) -> PropVal {
    PropVal::Uint { v, size }
}

/// The kernel's properties of a vxlan overlay (generic, then the vxlan
/// plugin's), in property-id order.
fn kernel_descs() -> Vec<Desc> {
    vec![
        Desc {
            default: Some(uint(u64::from(MTU_DEF), 4)),
            possible: vec![format!("{MTU_MIN}-{MTU_MAX}")],
            ..desc("mtu", PropType::Uint, PropPerm::RW)
        },
        desc("vnetid", PropType::Uint, PropPerm::RW),
        Desc {
            possible: ENCAPS.iter().map(|s| s.to_string()).collect(),
            ..desc("encap", PropType::Str, PropPerm::R)
        },
        desc("varpd/id", PropType::Uint, PropPerm::R),
        desc("vxlan/listen_ip", PropType::Ip, PropPerm::RRW),
        Desc {
            default: Some(uint(u64::from(VXLAN_PORT), 2)),
            possible: vec!["1-65535".into()],
            ..desc("vxlan/listen_port", PropType::Uint, PropPerm::RRW)
        },
    ]
}

/// varpd's properties of an instance of plugin `search`.
fn varpd_descs(search: &str) -> Vec<Desc> {
    let mut v = vec![Desc {
        possible: SEARCHES.iter().map(|s| s.to_string()).collect(),
        ..desc("search", PropType::Str, PropPerm::R)
    }];
    match search {
        "direct" => {
            v.push(desc("direct/dest_ip", PropType::Ip, PropPerm::RRW));
            v.push(Desc {
                possible: vec!["1-65535".into()],
                ..desc("direct/dest_port", PropType::Uint, PropPerm::RRW)
            });
        }
        "files" => v.push(desc("files/config", PropType::Str, PropPerm::RRW)),
        _ => {}
    }
    v
}

/// `dladm_overlay_parse_prop`: the first value, read by type (`strtol`
/// for integers, trailing text ignored; an IPv4 address as v4-mapped).
fn parse_value(ty: PropType, vals: &[String]) -> Option<PropVal> {
    let s = vals.first().map_or("", String::as_str);
    Some(match ty {
        PropType::Int | PropType::Uint => {
            let v = strtoull10(s).map_or(0, |(n, _)| n);
            if ty == PropType::Int {
                PropVal::Int {
                    v: v as i64,
                    size: 8,
                }
            } else {
                uint(v, 8)
            }
        }
        PropType::Str if s.len() >= PROP_SIZEMAX => return None,
        PropType::Str => PropVal::Str(s.to_string()),
        PropType::Ip => PropVal::Ip(to_v6(overlay::parse_ip(s)?)),
    })
}

/// What is being built: the values set so far.
#[derive(Default)]
struct Draft {
    mtu: Option<u32>,
    vnetid: u64,
    listen_ip: Option<IpAddr>,
    listen_port: Option<u16>,
    dest_ip: Option<IpAddr>,
    dest_port: Option<u16>,
    config: Option<String>,
}

fn port_of(v: &PropVal) -> Result<u16, i32> {
    match v {
        PropVal::Uint { v, .. } if (1..=u64::from(u16::MAX)).contains(v) => Ok(*v as u16),
        _ => Err(libc::EINVAL),
    }
}

/// An address the vxlan plugin or direct plugin refuses: IPv4-compatible,
/// 6to4, multicast (and a v4-mapped multicast).
fn bad_addr(ip: IpAddr, multicast_too: bool) -> bool {
    match ip {
        IpAddr::V4(a) => multicast_too && a.is_multicast(),
        IpAddr::V6(a) => {
            let s = a.segments();
            let v4compat = s[..6] == [0; 6] && !a.is_unspecified() && !a.is_loopback();
            v4compat || s[0] == 0x2002 || (multicast_too && a.is_multicast())
        }
    }
}

impl Draft {
    /// `OVERLAY_IOC_SETPROP` / the plugin's setprop: an errno on refusal.
    fn set(&mut self, name: &str, v: PropVal) -> Result<(), i32> {
        match (name, &v) {
            ("mtu", PropVal::Uint { v, .. }) => {
                if !(u64::from(MTU_MIN)..=u64::from(MTU_MAX)).contains(v) {
                    return Err(libc::EINVAL);
                }
                self.mtu = Some(*v as u32);
            }
            ("vnetid", PropVal::Uint { v, .. }) => {
                if *v >= VNETID_MAX {
                    return Err(libc::EINVAL);
                }
                self.vnetid = *v;
            }
            ("encap" | "varpd/id", _) => return Err(libc::EPERM),
            ("vxlan/listen_ip", PropVal::Ip(a)) => {
                let ip = overlay::from_v6(*a);
                if bad_addr(ip, true) {
                    return Err(libc::EINVAL);
                }
                self.listen_ip = Some(ip);
            }
            ("vxlan/listen_port", v) => self.listen_port = Some(port_of(v)?),
            ("direct/dest_ip", PropVal::Ip(a)) => {
                let ip = overlay::from_v6(*a);
                if bad_addr(ip, false) {
                    return Err(libc::EINVAL);
                }
                self.dest_ip = Some(ip);
            }
            ("direct/dest_port", v) => self.dest_port = Some(port_of(v)?),
            ("files/config", PropVal::Str(s)) => self.config = Some(s.clone()),
            _ => return Err(libc::EINVAL),
        }
        Ok(())
    }

    /// Whether required property `name` has a value.
    fn has(&self, name: &str) -> bool {
        match name {
            "vxlan/listen_ip" => self.listen_ip.is_some(),
            "direct/dest_ip" => self.dest_ip.is_some(),
            "direct/dest_port" => self.dest_port.is_some(),
            "files/config" => self.config.is_some(),
            _ => true,
        }
    }

    /// `unset required property: …` for each required one unset.
    fn unset(&self, descs: &[Desc]) -> Vec<String> {
        descs
            .iter()
            .filter(|d| d.perm.required() && !self.has(d.name))
            .map(|d| format!("unset required property: {}", d.name))
            .collect()
    }
}

fn fail(errno: i32, list: Vec<String>) -> DlError {
    DlError::WithErrlist(errno_status(errno), list)
}

/// Set each property of `spec` that `mine` selects, as
/// `i_dladm_overlay_commit_sys` does: by name, typed by the side's
/// property table.
fn set_props(
    d: &mut Draft,
    spec: &OverlaySpec,
    descs: &[Desc],
    varpd: bool,
) -> Result<(), DlError> {
    let prefix = format!("{}/", spec.search);
    for (name, vals) in spec
        .props
        .iter()
        .filter(|(n, _)| n.starts_with(&prefix) == varpd)
    {
        let msg = if varpd {
            format!("failed to set varpd prop: {name}\n")
        } else {
            format!("failed to set property {name}")
        };
        let Some(desc) = descs.iter().find(|x| x.name == name) else {
            return Err(fail(libc::ENOENT, vec![msg]));
        };
        let Some(v) = parse_value(desc.ty, vals) else {
            return Err(DlError::WithErrlist(DlStatus::Badarg, vec![msg]));
        };
        if let Err(errno) = d.set(name, v) {
            return Err(fail(errno, vec![msg]));
        }
    }
    Ok(())
}

/// The files plugin's start: the mapping read (at most [`MAX_FILE`]
/// bytes, never through a symbolic link) and checked.
fn load_files(config: &str) -> Result<overlay_files::FilesMap, (i32, String)> {
    let detail = |cause: String| (libc::EINVAL, format!("files/config {config}: {cause}"));
    if !config.starts_with('/') {
        return Err(detail("not an absolute path".into()));
    }
    match crate::backend::files::read_owned(Path::new(config), MAX_FILE) {
        Ok(Some(text)) => overlay_files::parse(&text).map_err(|e| detail(e.to_string())),
        Ok(None) => Err((libc::ENOENT, format!("files/config {config}: no such file"))),
        Err(e) => Err(detail(e.to_string())),
    }
}

/// `dladm_overlay_create`: the link made, its properties set, varpd's
/// instance made and activated, the device activated; on any failure
/// nothing is left.
pub(super) fn create(st: &mut SimState, spec: &OverlaySpec) -> DlResult<LinkId> {
    if spec.name.len() >= MAXLINKNAMELEN
        || spec.encap.len() >= MAXLINKNAMELEN
        || spec.search.len() >= PROP_SIZEMAX
    {
        return Err(DlStatus::Badarg.into());
    }
    if !spec.conf.active {
        return Err(DlStatus::Notsup.into());
    }
    // dladm_create_datalink_id.
    if !LinkName::is_valid(&spec.name) {
        return Err(DlStatus::Badarg.into());
    }
    if st.by_name(&spec.name).is_some() {
        return Err(DlStatus::Exist.into());
    }
    // OVERLAY_IOC_CREATE.
    if !ENCAPS.contains(&spec.encap.as_str()) {
        return Err(DlStatus::Notfound.into());
    }
    if spec.vnetid > VNETID_MAX {
        return Err(DlStatus::Badarg.into());
    }
    let same_net = st.links().iter().any(|l| {
        l.class == LinkClass::Overlay
            && l.active
                .as_ref()
                .and_then(|c| c.overlay.as_ref())
                .is_some_and(|o| o.vnetid == spec.vnetid)
    });
    if same_net {
        return Err(DlStatus::Exist.into());
    }
    let mut d = Draft {
        vnetid: spec.vnetid,
        ..Draft::default()
    };
    let kdescs = kernel_descs();
    set_props(&mut d, spec, &kdescs, false)?;
    // libvarpd_c_instance_create.
    if !SEARCHES.contains(&spec.search.as_str()) {
        let msg = format!(
            "failed to create varpd instance: {}",
            strerror(libc::ENOENT)
        );
        return Err(fail(libc::ENOENT, vec![msg]));
    }
    let vdescs = varpd_descs(&spec.search);
    set_props(&mut d, spec, &vdescs, true)?;
    // libvarpd_c_instance_activate: the plugin starts.
    let varpd_fail = |errno: i32, mut more: Vec<String>| {
        let mut list = vec![format!(
            "failed to activate varpd instance: {}",
            strerror(errno)
        )];
        list.append(&mut more);
        fail(errno, list)
    };
    let unset = d.unset(&vdescs);
    if !unset.is_empty() {
        return Err(varpd_fail(libc::EAGAIN, unset));
    }
    let search = match spec.search.as_str() {
        "direct" => Search::Direct {
            dest: SocketAddr::new(d.dest_ip.expect("set"), d.dest_port.expect("set")),
        },
        _ => {
            let config = d.config.clone().expect("set");
            let map = load_files(&config).map_err(|(errno, why)| varpd_fail(errno, vec![why]))?;
            Search::Files { config, map }
        }
    };
    // OVERLAY_IOC_ACTIVATE.
    let unset = d.unset(&kdescs);
    let Some(listen_ip) = d.listen_ip.filter(|_| unset.is_empty()) else {
        let mut list = vec![format!(
            "failed to activate device: {}",
            strerror(libc::EINVAL)
        )];
        list.extend(unset);
        return Err(fail(libc::EINVAL, list));
    };
    let varpd_id = st
        .links()
        .iter()
        .filter_map(|l| l.active.as_ref()?.overlay.as_ref())
        .map(|o| o.varpd_id)
        .max()
        .unwrap_or(0)
        + 1;
    let conf = LinkConf {
        mtu: d.mtu,
        overlay: Some(OverlayConf {
            vnetid: d.vnetid,
            listen_ip,
            listen_port: d.listen_port,
            search,
            varpd_id,
            targets: Vec::new(),
            degraded: None,
        }),
        ..LinkConf::default()
    };
    let saved = spec.conf.persistent.then(|| conf.clone());
    Ok(st.insert(&spec.name, LinkClass::Overlay, Some(conf), saved))
}

/// `dladm_overlay_delete`.
pub(super) fn delete(st: &mut SimState, id: LinkId, conf: Conf) -> DlResult<()> {
    let l = st.link(id).ok_or(DlStatus::Notfound)?;
    if l.class != LinkClass::Overlay {
        return Err(DlStatus::Badarg.into());
    }
    if conf.active && l.active.is_some() && super::datalink::in_use(st, id) {
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
}

/// The active overlay `id`.
fn active(st: &SimState, id: LinkId) -> DlResult<(&LinkConf, &OverlayConf)> {
    let c = st
        .link(id)
        .filter(|l| l.class == LinkClass::Overlay)
        .and_then(|l| l.active.as_ref())
        .ok_or(DlStatus::Notfound)?;
    let o = c.overlay.as_ref().ok_or(DlStatus::Notfound)?;
    Ok((c, o))
}

/// `dladm_overlay_walk_prop` with each property's info and value.
pub(super) fn props(st: &SimState, id: LinkId) -> DlResult<Vec<OverlayProp>> {
    let (c, o) = active(st, id)?;
    let value = |name: &str| -> Option<PropVal> {
        Some(match (name, &o.search) {
            ("mtu", _) => uint(u64::from(c.mtu.unwrap_or(MTU_DEF)), 4),
            ("vnetid", _) => uint(o.vnetid, 8),
            ("encap", _) => PropVal::Str("vxlan".into()),
            ("varpd/id", _) => uint(o.varpd_id, 8),
            ("vxlan/listen_ip", _) => PropVal::Ip(to_v6(o.listen_ip)),
            ("vxlan/listen_port", _) => match o.listen_port {
                Some(p) => uint(u64::from(p), 8),
                None => uint(u64::from(VXLAN_PORT), 2),
            },
            ("search", s) => PropVal::Str(s.name().into()),
            ("direct/dest_ip", Search::Direct { dest }) => PropVal::Ip(to_v6(dest.ip())),
            ("direct/dest_port", Search::Direct { dest }) => uint(u64::from(dest.port()), 8),
            ("files/config", Search::Files { config, .. }) => PropVal::Str(config.clone()),
            _ => return None,
        })
    };
    Ok(kernel_descs()
        .into_iter()
        .chain(varpd_descs(o.search.name()))
        .map(|d| OverlayProp {
            name: d.name.to_string(),
            ty: d.ty,
            perm: d.perm,
            value: value(d.name),
            default: d.default,
            possible: d.possible,
        })
        .collect())
}

/// `dladm_overlay_status`.
pub(super) fn status(st: &SimState, id: LinkId) -> DlResult<OverlayStatus> {
    let (_, o) = active(st, id)?;
    Ok(OverlayStatus {
        degraded: o.degraded.is_some(),
        message: o.degraded.clone().unwrap_or_default(),
    })
}

/// `dladm_overlay_walk_cache`.
pub(super) fn targets(st: &SimState, id: LinkId) -> DlResult<Vec<Target>> {
    Ok(active(st, id)?.1.target_table())
}

/// `dladm_overlay_cache_flush`, `_delete`, `_set`. A point-to-point
/// overlay has no table to change.
pub(super) fn cache(st: &mut SimState, id: LinkId, op: &CacheOp) -> DlResult<()> {
    active(st, id)?;
    let o = st
        .link_mut(id)
        .and_then(|l| l.active.as_mut())
        .and_then(|c| c.overlay.as_mut())
        .ok_or(DlStatus::Notfound)?;
    if matches!(o.search, Search::Direct { .. }) {
        return Err(DlStatus::Notsup.into());
    }
    match op {
        CacheOp::Flush => o.targets.clear(),
        CacheOp::Delete(mac) => o.targets.retain(|t| t.mac != Some(*mac)),
        CacheOp::Set(mac, val) => {
            let Some(t) = overlay::parse_cache_dest(val).map_err(|_| DlStatus::Badarg)? else {
                return Ok(());
            };
            o.targets.retain(|t| t.mac != Some(*mac));
            o.targets.push(Target {
                mac: Some(*mac),
                ..t
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(search: &str, props: &[(&str, &str)]) -> OverlaySpec {
        OverlaySpec {
            name: "ov0".into(),
            encap: "vxlan".into(),
            search: search.into(),
            vnetid: 4,
            props: props
                .iter()
                .map(|(n, v)| (n.to_string(), vec![v.to_string()]))
                .collect(),
            conf: Conf::BOTH,
        }
    }

    fn errlist(e: DlError) -> (DlStatus, Vec<String>) {
        match e {
            DlError::WithErrlist(s, l) => (s, l),
            DlError::Status(s) => (s, vec![]),
            e => panic!("{e}"),
        }
    }

    #[test]
    fn creation_fails_whole() {
        let mut st = SimState::default();
        let e = create(&mut st, &spec("direct", &[("vxlan/listen_ip", "10.0.0.1")]));
        assert_eq!(
            errlist(e.unwrap_err()),
            (
                DlStatus::Tryagain,
                vec![
                    "failed to activate varpd instance: Resource temporarily unavailable".into(),
                    "unset required property: direct/dest_ip".into(),
                    "unset required property: direct/dest_port".into(),
                ]
            )
        );
        let e = create(
            &mut st,
            &spec(
                "direct",
                &[("direct/dest_ip", "10.0.0.2"), ("direct/dest_port", "4789")],
            ),
        );
        assert_eq!(
            errlist(e.unwrap_err()),
            (
                DlStatus::Badarg,
                vec![
                    "failed to activate device: Invalid argument".into(),
                    "unset required property: vxlan/listen_ip".into(),
                ]
            )
        );
        let e = create(&mut st, &spec("direct", &[("mtu", "9000")]));
        assert_eq!(
            errlist(e.unwrap_err()),
            (DlStatus::Badarg, vec!["failed to set property mtu".into()])
        );
        let e = create(&mut st, &spec("files", &[("files/foo", "x")]));
        assert_eq!(
            errlist(e.unwrap_err()),
            (
                DlStatus::Notfound,
                vec!["failed to set varpd prop: files/foo\n".into()]
            )
        );
        assert!(st.links().is_empty());
        let ok = spec(
            "direct",
            &[
                ("vxlan/listen_ip", "10.0.0.1"),
                ("direct/dest_ip", "10.0.0.2"),
                ("direct/dest_port", "4789"),
            ],
        );
        let id = create(&mut st, &ok).unwrap();
        assert_eq!(
            create(
                &mut st,
                &OverlaySpec {
                    name: "ov1".into(),
                    ..ok
                }
            )
            .unwrap_err(),
            DlStatus::Exist.into()
        );
        let p = props(&st, id).unwrap();
        assert_eq!(p.len(), 9);
        assert_eq!(p[5].value, Some(uint(4789, 2)));
        assert_eq!(
            cache(&mut st, id, &CacheOp::Flush),
            Err(DlStatus::Notsup.into())
        );
    }
}
