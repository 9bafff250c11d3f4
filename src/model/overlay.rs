//! Overlay datalinks (illumos overlay(7)): a VXLAN encapsulation with a
//! virtual network id, and a varpd search plugin (`direct`, `files`) that
//! maps inner MAC addresses to underlay destinations.
//!
//! [`OverlayConf`] is what an active overlay is, typed; `create-overlay`'s
//! property list and a network spec both project onto it. The other types
//! are what libdladm's overlay calls hand back (`show-overlay`'s rows).

use super::mac::MacAddr;
use super::overlay_files::FilesMap;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// `IPPORT_VXLAN`: `vxlan/listen_port`'s default.
pub const VXLAN_PORT: u16 = 4789;
/// `OVERLAY_MTU_MIN`, `OVERLAY_MTU_DEF`, `OVERLAY_MTU_MAX` (the code's
/// limit; overlay(7) says 9000).
pub const MTU_MIN: u32 = 576;
pub const MTU_DEF: u32 = 1400;
pub const MTU_MAX: u32 = 8900;
/// The vxlan plugin's id space: 3 bytes.
pub const VNETID_MAX: u64 = (1 << 24) - 1;
/// The encapsulation plugins there are.
pub const ENCAPS: &[&str] = &["vxlan"];
/// The search plugins there are (varpd's plugin directory, in the order
/// `search`'s POSSIBLE lists them).
pub const SEARCHES: &[&str] = &["direct", "files"];

/// How an overlay finds the underlay destination of a frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
pub enum Search {
    /// Point to point: every frame goes to `dest` (`direct/dest_ip`,
    /// `direct/dest_port`).
    Direct { dest: SocketAddr },
    /// A mapping file (`files/config`), as the plugin read it when the
    /// overlay was activated.
    Files { config: String, map: FilesMap },
}

impl Search {
    /// The plugin's name (`search`).
    pub fn name(&self) -> &'static str {
        match self {
            Search::Direct { .. } => "direct",
            Search::Files { .. } => "files",
        }
    }
}

/// An active overlay: encapsulation `vxlan` (the only one), its virtual
/// network id, underlay address and search plugin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverlayConf {
    pub vnetid: u64,
    /// `vxlan/listen_ip`.
    pub listen_ip: IpAddr,
    /// `vxlan/listen_port`; `None` is the default, [`VXLAN_PORT`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub listen_port: Option<u16>,
    pub search: Search,
    /// `varpd/id`: the varpd instance serving the overlay.
    #[serde(default)]
    pub varpd_id: u64,
    /// Entries `modify-overlay -s` put in the target table over what the
    /// search plugin answers (`-d` and `-f` take them out again).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
    /// Why the overlay is degraded (`show-overlay -f`), if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub degraded: Option<String>,
}

impl OverlayConf {
    /// The UDP port the overlay listens on and sends to by default.
    pub fn port(&self) -> u16 {
        self.listen_port.unwrap_or(VXLAN_PORT)
    }

    /// The target table `show-overlay -t` lists: a point-to-point
    /// overlay's one default entry; else every MAC of the mapping that
    /// has a destination (varpd answers each lookup from it), with the
    /// entries `modify-overlay -s` set in their place.
    pub fn target_table(&self) -> Vec<Target> {
        match &self.search {
            Search::Direct { dest } => vec![Target {
                mac: None,
                dest: Some(*dest),
            }],
            Search::Files { map, .. } => {
                let mut t: Vec<Target> = map
                    .iter()
                    .filter(|(m, _)| !self.targets.iter().any(|t| t.mac == Some(**m)))
                    .filter_map(|(m, e)| {
                        Some(Target {
                            mac: Some(*m),
                            dest: Some(SocketAddr::new(e.ip?, e.port?)),
                        })
                    })
                    .collect();
                t.extend(self.targets.iter().cloned());
                t.sort_by_key(|t| t.mac);
                t
            }
        }
    }
}

/// One entry of an overlay's target table (`dladm_overlay_point_t`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The inner destination MAC; `None` for the default entry of a
    /// point-to-point overlay (`DLADM_OVERLAY_F_DEFAULT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mac: Option<MacAddr>,
    /// Where frames to it go; `None` drops them
    /// (`OVERLAY_TARGET_CACHE_DROP`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dest: Option<SocketAddr>,
}

/// A request to create an overlay (the arguments of
/// `dladm_overlay_create`): property values as typed, parsed by the
/// library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlaySpec {
    pub name: String,
    pub encap: String,
    pub search: String,
    pub vnetid: u64,
    pub props: Vec<(String, Vec<String>)>,
    pub conf: super::link::Conf,
}

impl OverlaySpec {
    /// The request that makes an overlay with configuration `c` (a
    /// network spec's overlay, projected).
    pub fn of(name: &str, mtu: Option<u32>, c: &OverlayConf, conf: super::link::Conf) -> Self {
        let mut props = vec![("vxlan/listen_ip".to_string(), vec![c.listen_ip.to_string()])];
        if let Some(p) = c.listen_port {
            props.push(("vxlan/listen_port".into(), vec![p.to_string()]));
        }
        if let Some(m) = mtu {
            props.push(("mtu".into(), vec![m.to_string()]));
        }
        match &c.search {
            Search::Direct { dest } => {
                props.push(("direct/dest_ip".into(), vec![dest.ip().to_string()]));
                props.push(("direct/dest_port".into(), vec![dest.port().to_string()]));
            }
            Search::Files { config, .. } => {
                props.push(("files/config".into(), vec![config.clone()]));
            }
        }
        OverlaySpec {
            name: name.to_string(),
            encap: "vxlan".into(),
            search: c.search.name().into(),
            vnetid: c.vnetid,
            props,
            conf,
        }
    }
}

/// `OVERLAY_PROP_T_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    Int,
    Uint,
    Ip,
    Str,
}

/// A property value as the kernel or varpd holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropVal {
    /// An integer of `size` bytes (1, 2, 4 or 8).
    Int {
        v: i64,
        size: u8,
    },
    Uint {
        v: u64,
        size: u8,
    },
    Ip(Ipv6Addr),
    Str(String),
}

/// `OVERLAY_PROP_PERM_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropPerm(pub u32);

impl PropPerm {
    pub const REQ: u32 = 1;
    pub const READ: u32 = 2;
    pub const WRITE: u32 = 4;
    pub const RW: PropPerm = PropPerm(6);
    pub const RRW: PropPerm = PropPerm(7);
    pub const R: PropPerm = PropPerm(2);

    pub fn required(self) -> bool {
        self.0 & Self::REQ != 0
    }
}

/// One overlay property (`dladm_overlay_prop_info` and
/// `dladm_overlay_get_prop`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayProp {
    pub name: String,
    pub ty: PropType,
    pub perm: PropPerm,
    /// `None`: unset (size 0).
    pub value: Option<PropVal>,
    pub default: Option<PropVal>,
    /// `dladm_range2strs`: ranges as `min-max`, or the possible strings.
    pub possible: Vec<String>,
}

/// `dladm_overlay_status_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayStatus {
    pub degraded: bool,
    pub message: String,
}

/// What `modify-overlay` does to an overlay's target table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOp {
    /// `-f`: `dladm_overlay_cache_flush`.
    Flush,
    /// `-d mac`: `dladm_overlay_cache_delete`.
    Delete(MacAddr),
    /// `-s mac=dest`: `dladm_overlay_cache_set`, the destination text
    /// as typed (libdladm parses it).
    Set(MacAddr, String),
}

/// An IP address as the kernel stores one: IPv4 as v4-mapped IPv6.
pub fn to_v6(ip: IpAddr) -> Ipv6Addr {
    match ip {
        IpAddr::V4(a) => a.to_ipv6_mapped(),
        IpAddr::V6(a) => a,
    }
}

/// The address a stored one means: a v4-mapped address is IPv4.
pub fn from_v6(a: Ipv6Addr) -> IpAddr {
    match a.to_ipv4_mapped() {
        Some(v4) => IpAddr::V4(v4),
        None => IpAddr::V6(a),
    }
}

/// A target-table destination libdladm refuses (`EINVAL`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BadDest;

/// `dladm_overlay_cache_set`'s value for a vxlan overlay (destination IP
/// and port): `drop` (any case) or `ip:port` split at the first `:`. A
/// malformed IP is accepted without effect by libdladm (`Ok(None)` here,
/// and nothing changes); a bad port is `EINVAL`.
pub fn parse_cache_dest(val: &str) -> Result<Option<Target>, BadDest> {
    if val.eq_ignore_ascii_case("drop") {
        return Ok(Some(Target {
            mac: None,
            dest: None,
        }));
    }
    let (ip, port) = val.split_once(':').ok_or(BadDest)?;
    let Some(ip) = parse_ip(ip) else {
        return Ok(None);
    };
    let port = match super::cnum::strtoull10(port) {
        Some((p, "")) if (1..=u64::from(u16::MAX)).contains(&p) => p,
        _ => return Err(BadDest),
    };
    Ok(Some(Target {
        mac: None,
        dest: Some(SocketAddr::new(ip, port as u16)),
    }))
}

/// `inet_pton(AF_INET6)`, then `inet_pton(AF_INET)`.
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    s.parse::<Ipv6Addr>()
        .map(from_v6)
        .ok()
        .or_else(|| s.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_values() {
        let t = parse_cache_dest("10.0.0.1:4789").unwrap().unwrap();
        assert_eq!(t.dest, Some("10.0.0.1:4789".parse().unwrap()));
        assert_eq!(parse_cache_dest("DROP").unwrap().unwrap().dest, None);
        assert_eq!(parse_cache_dest("bogus:4789"), Ok(None));
        assert!(parse_cache_dest("10.0.0.1:0").is_err());
        assert!(parse_cache_dest("10.0.0.1:65536").is_err());
        assert!(parse_cache_dest("10.0.0.1").is_err());
        // IPv6 cannot be given: split at the first colon.
        assert_eq!(parse_cache_dest("fd00::1:4789"), Ok(None));
    }

    #[test]
    fn a_spec_projects_back() {
        let c = OverlayConf {
            vnetid: 7,
            listen_ip: "192.0.2.1".parse().unwrap(),
            listen_port: None,
            search: Search::Direct {
                dest: "192.0.2.2:4789".parse().unwrap(),
            },
            varpd_id: 0,
            targets: vec![],
            degraded: None,
        };
        let s = OverlaySpec::of("ov0", None, &c, super::super::link::Conf::ACTIVE);
        assert_eq!(s.search, "direct");
        assert_eq!(s.props.len(), 3);
        assert_eq!(c.target_table().len(), 1);
    }
}
