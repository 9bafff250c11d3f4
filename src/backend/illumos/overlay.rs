//! libdloverlay's records as the model's overlay types.

use crate::model::overlay::{PropType, PropVal};
use crate::sys::illumos_types::{OVERLAY_PROP_T_INT, OVERLAY_PROP_T_IP, OVERLAY_PROP_T_UINT};
use std::net::Ipv6Addr;
#[cfg(target_os = "illumos")]
use {
    crate::model::mac::MacAddr,
    crate::model::overlay::{OverlayProp, PropPerm, Target},
    crate::sys::illumos::{OverlayPointRecord, OverlayPropRecord},
    crate::sys::illumos_types::{
        DLADM_OVERLAY_F_DEFAULT, DLADM_OVERLAY_F_DROP, OVERLAY_PLUGIN_D_IP, OVERLAY_PLUGIN_D_PORT,
    },
    std::net::SocketAddr,
};

/// The bytes the kernel or varpd hold, read by type (`print_overlay_value`
/// reads them the same way): integers of 1, 2, 4 or 8 bytes in the host's
/// order, a 16-byte address, a NUL-terminated string. `None` for a size
/// the type cannot have.
pub fn value(ty: PropType, b: &[u8]) -> Option<PropVal> {
    let int = |b: &[u8]| -> Option<(u64, i64, u8)> {
        Some(match b.len() {
            1 => (u64::from(b[0]), i64::from(b[0] as i8), 1),
            2 => {
                let v = u16::from_ne_bytes([b[0], b[1]]);
                (u64::from(v), i64::from(v as i16), 2)
            }
            4 => {
                let v = u32::from_ne_bytes(b.try_into().ok()?);
                (u64::from(v), i64::from(v as i32), 4)
            }
            8 => {
                let v = u64::from_ne_bytes(b.try_into().ok()?);
                (v, v as i64, 8)
            }
            _ => return None,
        })
    };
    Some(match ty {
        PropType::Uint => {
            let (v, _, size) = int(b)?;
            PropVal::Uint { v, size }
        }
        PropType::Int => {
            let (_, v, size) = int(b)?;
            PropVal::Int { v, size }
        }
        PropType::Ip => PropVal::Ip(Ipv6Addr::from(<[u8; 16]>::try_from(b).ok()?)),
        PropType::Str => {
            let end = b.iter().position(|c| *c == 0).unwrap_or(b.len());
            PropVal::Str(String::from_utf8_lossy(&b[..end]).into_owned())
        }
    })
}

pub fn prop_type(raw: u32) -> PropType {
    match raw {
        OVERLAY_PROP_T_INT => PropType::Int,
        OVERLAY_PROP_T_UINT => PropType::Uint,
        OVERLAY_PROP_T_IP => PropType::Ip,
        _ => PropType::Str,
    }
}

/// A property row; `None` where dladm leaves the property out (its value
/// could not be read).
#[cfg(target_os = "illumos")]
pub fn prop(r: &OverlayPropRecord) -> Option<OverlayProp> {
    let ty = prop_type(r.ty);
    let bytes = r.value.as_ref()?;
    let val = |b: &[u8]| if b.is_empty() { None } else { value(ty, b) };
    Some(OverlayProp {
        name: r.name.clone(),
        ty,
        perm: PropPerm(r.prot),
        value: val(bytes),
        default: val(&r.default),
        possible: r
            .ranges
            .iter()
            .map(|(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect(),
    })
}

/// A target-table entry: the default one of a point-to-point overlay has
/// no MAC; a dropped one no destination.
#[cfg(target_os = "illumos")]
pub fn target(p: &OverlayPointRecord) -> Target {
    let mac = (p.flags & DLADM_OVERLAY_F_DEFAULT != DLADM_OVERLAY_F_DEFAULT)
        .then(|| MacAddr::from_bytes(&p.key))
        .flatten();
    let routed = p.dest & (OVERLAY_PLUGIN_D_IP | OVERLAY_PLUGIN_D_PORT) != 0;
    let dest = (routed && p.flags & DLADM_OVERLAY_F_DROP == 0)
        .then(|| SocketAddr::new(crate::model::overlay::from_v6(Ipv6Addr::from(p.ip)), p.port));
    Target { mac, dest }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_by_size() {
        assert_eq!(
            value(PropType::Uint, &4789u16.to_ne_bytes()),
            Some(PropVal::Uint { v: 4789, size: 2 })
        );
        assert_eq!(value(PropType::Uint, &[1, 2, 3]), None);
        assert_eq!(prop_type(OVERLAY_PROP_T_IP), PropType::Ip);
        assert_eq!(
            value(PropType::Str, b"vxlan\0"),
            Some(PropVal::Str("vxlan".into()))
        );
        let ip = std::net::Ipv4Addr::new(10, 1, 1, 2)
            .to_ipv6_mapped()
            .octets();
        assert_eq!(
            value(PropType::Ip, &ip),
            Some(PropVal::Ip("::ffff:10.1.1.2".parse().unwrap()))
        );
    }
}
