//! `create-overlay`, `delete-overlay`, `modify-overlay`, `show-overlay`
//! (dladm.c `do_create_overlay`, `do_delete_overlay`,
//! `do_modify_overlay`, `do_show_overlay` with `show_one_overlay`,
//! `show_one_overlay_fma`, `show_one_overlay_table` and their `print_*`
//! callbacks).

use super::output::{Kind, Printer};
use super::vnic::{new_link_name, push_prop};
use super::{CmdResult, Ctx, Fail, die, die_dlerr, die_optdup, die_opterr};
use crate::backend::DlError;
use crate::getopt::{Getopt, LongOpt, Opt};
use crate::model::cnum::strtoull10;
use crate::model::link::{ClassMask, Conf, LinkClass, LinkInfo};
use crate::model::link_name::MAXLINKNAMELEN;
use crate::model::linkprop::parse_link_props;
use crate::model::mac::MacAddr;
use crate::model::overlay::{CacheOp, OverlayProp, OverlaySpec, PropPerm, PropVal, Target};
use crate::ofmt::{Cell, Field, Flags};
use std::net::IpAddr;

/// `overlay_create_lopts`.
const CREATE_LOPTS: &[LongOpt] = &[
    LongOpt::with_arg("encap", 'e'),
    LongOpt::with_arg("prop", 'p'),
    LongOpt::with_arg("search", 's'),
    LongOpt::flag("temporary", 't'),
    LongOpt::with_arg("vnetid", 'v'),
];

/// `delete-overlay` takes `-t` only.
const DELETE_LOPTS: &[LongOpt] = &[LongOpt::flag("temporary", 't')];

/// `overlay_modify_lopts`.
const MODIFY_LOPTS: &[LongOpt] = &[
    LongOpt::with_arg("delete-entry", 'd'),
    LongOpt::flag("flush-table", 'f'),
    LongOpt::with_arg("set-entry", 's'),
];

/// `overlay_show_lopts`.
const SHOW_LOPTS: &[LongOpt] = &[
    LongOpt::flag("fma", 'f'),
    LongOpt::flag("target", 't'),
    LongOpt::flag("parsable", 'p'),
    LongOpt::flag("parseable", 'p'),
    LongOpt::with_arg("output", 'o'),
];

/// `overlay_fields`.
pub const OVERLAY_FIELDS: &[Field] = &[
    Field::new("LINK", 19),
    Field::new("PROPERTY", 19),
    Field::new("PERM", 5),
    Field::new("REQ", 4),
    Field::new("VALUE", 11),
    Field::new("DEFAULT", 10),
    Field::new("POSSIBLE", 10),
];
const OVERLAY_KINDS: &[Kind] = &[Kind::Str; 7];

/// `overlay_fma_fields`.
pub const OVERLAY_FMA_FIELDS: &[Field] = &[
    Field::new("LINK", 20),
    Field::new("STATUS", 8),
    Field::new("DETAILS", 52),
];
/// `overlay_targ_fields`.
pub const OVERLAY_TARG_FIELDS: &[Field] = &[
    Field::new("LINK", 20),
    Field::new("TARGET", 18),
    Field::new("DESTINATION", 42),
];
const THREE_KINDS: &[Kind] = &[Kind::Str; 3];

/// `-v`: `strtoul(optarg, &endp, 10)` with dladm's two checks.
fn parse_vnetid(v: &str) -> Result<u64, Fail> {
    match strtoull10(v) {
        Some((n, "")) => Ok(n),
        Some(_) => Err(die(format!("couldn't parse virtual networkd id: {v}"))),
        None => {
            // No digits (EINVAL), or too many for 64 bits (ERANGE, with
            // endp after them).
            let t = v.trim_start().trim_start_matches(['-', '+']);
            let digits = t.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 && digits == t.len() {
                Err(die(format!("virtual networkd id too large: {v}")))
            } else {
                Err(die(format!("couldn't parse virtual networkd id: {v}")))
            }
        }
    }
}

/// `do_create_overlay`.
pub fn create_overlay(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut temporary = false;
    let (mut encap, mut search, mut vnetid) = (None, None, None);
    let mut props = String::new();
    let mut g = Getopt::new(args, ":te:v:p:s:", CREATE_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('t', _) => temporary = true,
            Opt::Flag('e', v) => encap = v,
            Opt::Flag('s', v) => search = v,
            Opt::Flag('v', Some(v)) => vnetid = Some(parse_vnetid(&v)?),
            Opt::Flag('p', Some(v)) => push_prop(&mut props, &v)?,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let Some(vnetid) = vnetid else {
        return Err(die("missing required virtual network id"));
    };
    let Some(encap) = encap else {
        return Err(die("missing required encapsulation plugin"));
    };
    let Some(search) = search else {
        return Err(die("missing required search plugin"));
    };
    let ops = g.operands();
    let [name] = ops.as_slice() else {
        return Err(die("missing device name"));
    };
    let name = new_link_name(name)?;
    if encap.len() + 1 > MAXLINKNAMELEN {
        return Err(die(format!("encapsulation plugin name too long '{encap}'")));
    }
    if search.len() + 1 > MAXLINKNAMELEN {
        // dladm.c prints the encapsulation's name here.
        return Err(die(format!("search plugin name too long '{encap}'")));
    }
    let props = parse_link_props(&props, false).map_err(|_| die("invalid overlay property"))?;
    let spec = OverlaySpec {
        name,
        encap,
        search,
        vnetid,
        props,
        conf: Conf::temporary(temporary),
    };
    match ctx.dl.overlay_create(&spec) {
        Ok(_) => Ok(()),
        Err(e) => die_dlerrlist(ctx, &e, "overlay creation failed"),
    }
}

/// `die_dlerrlist`: each errlist entry as a warning, then the message
/// with the status.
fn die_dlerrlist(ctx: &mut Ctx, e: &DlError, msg: &str) -> CmdResult {
    if let DlError::WithErrlist(_, list) = e {
        for w in list {
            ctx.warn(w)?;
        }
    }
    Err(die_dlerr(e, msg))
}

/// `do_delete_overlay`.
pub fn delete_overlay(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut temporary = false;
    let mut g = Getopt::new(args, ":t", DELETE_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('t', _) => temporary = true,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let [name] = ops.as_slice() else {
        return Err(Fail::Usage);
    };
    let conf = if temporary { Conf::ACTIVE } else { Conf::BOTH };
    ctx.dl
        .name2info(name)
        .and_then(|i| ctx.dl.overlay_delete(i.id, conf))
        .map_err(|e| die_dlerr(&e, format!("failed to delete {name}")))
}

/// `ether_aton_r`: six octets.
fn ether_aton(s: &str) -> Option<MacAddr> {
    s.parse::<MacAddr>().ok().filter(|m| m.len() == 6)
}

/// `do_modify_overlay`.
pub fn modify_overlay(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let (mut flush, mut delete, mut set) = (false, None, None);
    let mut g = Getopt::new(args, ":fd:s:", MODIFY_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('f', _) if flush => return Err(die_optdup('f')),
            Opt::Flag('f', _) => flush = true,
            Opt::Flag('d', _) if delete.is_some() => return Err(die_optdup('d')),
            Opt::Flag('d', Some(v)) => {
                let mac =
                    ether_aton(&v).ok_or_else(|| die(format!("invalid mac address: {v}\n")))?;
                delete = Some(mac);
            }
            Opt::Flag('s', _) if set.is_some() => return Err(die_optdup('s')),
            Opt::Flag('s', Some(v)) => {
                // dladm.c dereferences the '=' before testing for it (and
                // crashes without one): the intended message here.
                let Some((mac, dest)) = v.split_once('=') else {
                    return Err(die(format!(
                        "malformed value, expected mac=dest, got: {v}\n"
                    )));
                };
                let mac =
                    ether_aton(mac).ok_or_else(|| die(format!("invalid mac address: {mac}\n")))?;
                set = Some((mac, dest.to_string()));
            }
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let n = usize::from(flush) + usize::from(delete.is_some()) + usize::from(set.is_some());
    if n == 0 {
        return Err(die("need to specify one of -d, -f, or -s"));
    }
    if n > 1 {
        return Err(die("only one of -d, -f, or -s may be used"));
    }
    let ops = g.operands();
    let name = match ops.as_slice() {
        [] => return Err(die("missing required overlay device\n")),
        [name] => name,
        _ => return Err(die("only one overlay device may be specified\n")),
    };
    let id = ctx
        .dl
        .name2info(name)
        .map_err(|e| die_dlerr(&e, format!("failed to find overlay {name}")))?
        .id;
    let (op, msg) = match (delete, set) {
        (Some(mac), _) => (
            CacheOp::Delete(mac),
            format!("failed to flush target {mac} from overlay target cache {name}"),
        ),
        (_, Some((mac, dest))) => (
            CacheOp::Set(mac, dest),
            format!("failed to set target {mac} for overlay target cache {name}"),
        ),
        _ => (
            CacheOp::Flush,
            format!("failed to flush target cache for overlay {name}"),
        ),
    };
    ctx.dl
        .overlay_cache(id, &op)
        .map_err(|e| die_dlerr(&e, msg))
}

/// Which table `show-overlay` prints.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Props,
    Fma,
    Targets,
}

/// `do_show_overlay`: its own exit status, 1 when a link could not be
/// shown.
pub fn show_overlay(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut mode = Mode::Props;
    let mut parsable = false;
    let mut fields: Option<String> = None;
    let mut g = Getopt::new(args, ":o:pft", SHOW_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('o', Some(v)) => fields = Some(v),
            Opt::Flag('p', _) => parsable = true,
            Opt::Flag('f', _) => mode = Mode::Fma,
            Opt::Flag('t', _) => mode = Mode::Targets,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let spec = fields.as_deref().filter(|f| !f.eq_ignore_ascii_case("all"));
    let (table, kinds) = match mode {
        Mode::Props => (OVERLAY_FIELDS, OVERLAY_KINDS),
        Mode::Fma => (OVERLAY_FMA_FIELDS, THREE_KINDS),
        Mode::Targets => (OVERLAY_TARG_FIELDS, THREE_KINDS),
    };
    let flags = Flags {
        parsable,
        wrap: !parsable,
    };
    let mut p = Printer::open(ctx, spec, table, kinds, flags)?;
    let mut failed = false;
    let ops = g.operands();
    let links = if ops.is_empty() {
        ctx.dl
            .walk(ClassMask::of(&[LinkClass::Overlay]), Conf::ACTIVE)
            .map_err(|e| die_dlerr(&e, "failed to walk overlays"))?
    } else {
        let mut v = Vec::new();
        for name in &ops {
            match ctx.dl.name2info(name) {
                Ok(i) => v.push(i),
                Err(e) => {
                    ctx.warn_dlerr(&e, format!("failed to find {name}"))?;
                    failed = true;
                }
            }
        }
        v
    };
    for info in &links {
        let ok = match mode {
            Mode::Props => show_props(ctx, &mut p, info)?,
            Mode::Fma => show_fma(ctx, &mut p, info)?,
            Mode::Targets => show_targets(ctx, &mut p, info)?,
        };
        failed |= !ok;
    }
    p.finish(ctx)?;
    if failed { Err(Fail::Exit) } else { Ok(()) }
}

/// `show_one_overlay` and `print_overlay_cb`: a row per property; false
/// when the link could not be shown.
fn show_props(ctx: &mut Ctx, p: &mut Printer, info: &LinkInfo) -> Result<bool, Fail> {
    if info.class != LinkClass::Overlay {
        ctx.warn(format!("{} is not an overlay", info.name))?;
        return Ok(false);
    }
    let props = match ctx.dl.overlay_props(info.id) {
        Ok(v) => v,
        Err(e) => {
            match &e {
                DlError::WithErrlist(_, list) if !list.is_empty() => {
                    for w in list {
                        ctx.warn(w)?;
                    }
                }
                _ => ctx.warn_dlerr(&e, format!("failed to walk properties of {}", info.name))?,
            }
            return Ok(false);
        }
    };
    for prop in &props {
        p.row(ctx, &prop_cells(&info.name, prop))?;
    }
    Ok(true)
}

fn prop_cells(link: &str, prop: &OverlayProp) -> Vec<Cell> {
    let perm = prop.perm.0 & (PropPerm::READ | PropPerm::WRITE);
    let perm = if perm == PropPerm::READ | PropPerm::WRITE {
        "rw"
    } else if perm == PropPerm::READ {
        "r-"
    } else {
        "--"
    };
    let show = |v: &Option<PropVal>| v.as_ref().map_or_else(|| "--".to_string(), value_text);
    let possible = if prop.possible.is_empty() {
        "--".to_string()
    } else {
        prop.possible.join(",")
    };
    vec![
        Cell::Val(link.to_string()),
        Cell::Val(prop.name.clone()),
        Cell::Val(perm.into()),
        Cell::Val(if prop.perm.required() { "y" } else { "-" }.into()),
        Cell::Val(show(&prop.value)),
        Cell::Val(show(&prop.default)),
        Cell::Val(possible),
    ]
}

/// `print_overlay_value`: integers of 1, 2, 4 or 8 bytes with `%d` (an
/// 8-byte value passes its low 32 bits), an IP address (IPv4-mapped as
/// dotted quad), a string.
fn value_text(v: &PropVal) -> String {
    match *v {
        PropVal::Int { v, size: 1 } => (v as i8).to_string(),
        PropVal::Int { v, size: 2 } => (v as i16).to_string(),
        PropVal::Int { v, size: 4 | 8 } => (v as i32).to_string(),
        PropVal::Uint { v, size: 1 } => (v as u8).to_string(),
        PropVal::Uint { v, size: 2 } => (v as u16).to_string(),
        PropVal::Uint { v, size: 4 | 8 } => (v as u32 as i32).to_string(),
        PropVal::Int { .. } | PropVal::Uint { .. } => "?".into(),
        PropVal::Ip(a) => ip_text(crate::model::overlay::from_v6(a)),
        PropVal::Str(ref s) => s.clone(),
    }
}

fn ip_text(ip: IpAddr) -> String {
    ip.to_string()
}

/// `show_one_overlay_fma`.
fn show_fma(ctx: &mut Ctx, p: &mut Printer, info: &LinkInfo) -> Result<bool, Fail> {
    if info.class != LinkClass::Overlay {
        return Err(die(format!(
            "datalink {} is not an overlay device\n",
            info.name
        )));
    }
    let st = ctx.dl.overlay_status(info.id).map_err(|e| {
        die_dlerr(
            &e,
            format!("failed to obtain device status for {}", info.name),
        )
    })?;
    let details = if st.message.is_empty() {
        "-".to_string()
    } else {
        st.message
    };
    let status = if st.degraded { "DEGRADED" } else { "ONLINE" };
    p.row(
        ctx,
        &[
            Cell::Val(info.name.clone()),
            Cell::Val(status.into()),
            Cell::Val(details),
        ],
    )?;
    Ok(true)
}

/// `show_one_overlay_table` and its cache-walk callback.
fn show_targets(ctx: &mut Ctx, p: &mut Printer, info: &LinkInfo) -> Result<bool, Fail> {
    if info.class != LinkClass::Overlay {
        return Err(die(format!(
            "datalink {} is not an overlay device\n",
            info.name
        )));
    }
    let targets = match ctx.dl.overlay_targets(info.id) {
        Ok(t) => t,
        Err(e) => {
            ctx.warn_dlerr(&e, format!("failed to walk target table of {}", info.name))?;
            return Ok(false);
        }
    };
    for t in &targets {
        p.row(ctx, &target_cells(&info.name, t))?;
    }
    Ok(true)
}

/// TARGET: the MAC as `ether_ntoa` writes it, or `*:*:*:*:*:*` for the
/// default entry; DESTINATION: `ip:port` (a drop entry's zeroed address
/// and port print as `:::0`).
fn target_cells(link: &str, t: &Target) -> Vec<Cell> {
    let target = t
        .mac
        .map_or_else(|| "*:*:*:*:*:*".to_string(), |m| m.to_string());
    let dest = match t.dest {
        Some(d) => format!("{}:{}", ip_text(d.ip()), d.port()),
        None => ":::0".to_string(),
    };
    vec![
        Cell::Val(link.to_string()),
        Cell::Val(target),
        Cell::Val(dest),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_print_as_percent_d() {
        let u = |v, size| value_text(&PropVal::Uint { v, size });
        assert_eq!(u(4789, 2), "4789");
        assert_eq!(u(1 << 31, 8), "-2147483648");
        assert_eq!(u(16_777_215, 8), "16777215");
        assert_eq!(u(5, 3), "?");
        let ip = |s: &str| {
            value_text(&PropVal::Ip(crate::model::overlay::to_v6(
                s.parse().unwrap(),
            )))
        };
        assert_eq!(ip("10.1.1.2"), "10.1.1.2");
        assert_eq!(ip("fd00::1"), "fd00::1");
    }

    #[test]
    fn vnetids() {
        assert_eq!(parse_vnetid("42").unwrap(), 42);
        for (v, want) in [
            ("4x", "couldn't parse virtual networkd id: 4x"),
            ("", "couldn't parse virtual networkd id: "),
            (
                "99999999999999999999",
                "virtual networkd id too large: 99999999999999999999",
            ),
        ] {
            match parse_vnetid(v) {
                Err(Fail::Die(m)) => assert_eq!(m, want),
                _ => panic!("{v}"),
            }
        }
        // strtoul wraps a negative number; the kernel refuses it later.
        assert_eq!(parse_vnetid("-1").unwrap(), u64::MAX);
    }
}
