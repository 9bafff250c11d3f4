//! `create-vlan`, `delete-vlan`, `show-vlan` (dladm.c `do_create_vlan`,
//! `do_delete_vlan`, `do_show_vlan`, `print_vlan`).

use super::altroot::altroot_cmd;
use super::output::{Kind, Printer};
use super::vnic::push_prop;
use super::{CmdResult, Ctx, Fail, LOPTS, SHOW_LOPTS, die, die_dlerr, die_optdup, die_opterr};
use crate::backend::DlError;
use crate::getopt::{Getopt, Opt};
use crate::model::cnum::str2int;
use crate::model::link::{ClassMask, Conf, LinkClass, LinkInfo, VID_MAX, VID_MIN, VlanSpec};
use crate::model::link_name::{MAXLINKNAMELEN, vlan_link_name};
use crate::model::linkprop::parse_link_props;
use crate::model::status::DlStatus;
use crate::ofmt::{Cell, Field, Flags};

/// `vlan_fields`.
pub const VLAN_FIELDS: &[Field] = &[
    Field::new("LINK", 16),
    Field::new("VID", 9),
    Field::new("OVER", 13),
    Field::new("FLAGS", 7),
];
const VLAN_KINDS: &[Kind] = &[Kind::Str, Kind::Num, Kind::Str, Kind::Str];

/// `do_create_vlan`.
pub fn create_vlan(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut link: Option<String> = None;
    let mut vid: u16 = 0;
    let mut conf = Conf::BOTH;
    let mut force = false;
    let mut altroot = None;
    let mut props = String::new();
    let mut g = Getopt::new(args, ":tfR:l:v:p:", LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('v', Some(v)) => {
                if vid != 0 {
                    return Err(die_optdup('v'));
                }
                vid = match str2int(&v) {
                    Some(n) if (i64::from(VID_MIN)..=i64::from(VID_MAX)).contains(&n) => n as u16,
                    _ => return Err(die(format!("invalid VLAN identifier '{v}'"))),
                };
            }
            Opt::Flag('l', Some(v)) => {
                if link.is_some() {
                    return Err(die_optdup('l'));
                }
                link = Some(v);
            }
            Opt::Flag('t', _) => conf = Conf::ACTIVE,
            Opt::Flag('R', v) => altroot = v,
            Opt::Flag('p', Some(v)) => push_prop(&mut props, &v)?,
            Opt::Flag('f', _) => force = true,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let (Some(link), true, true) = (link, vid != 0, ops.len() <= 1) else {
        return Err(Fail::Usage);
    };
    let name = match ops.first() {
        Some(n) if n.len() >= MAXLINKNAMELEN => {
            return Err(die(format!("vlan name too long '{n}'")));
        }
        Some(n) => n.clone(),
        None => {
            vlan_link_name(&link, vid).ok_or_else(|| die(format!("invalid link name '{link}'")))?
        }
    };
    if let Some(root) = altroot {
        return altroot_cmd(&root, &g.argv());
    }
    let over = match ctx.dl.name2info(&link) {
        Ok(i) => i.id,
        Err(DlError::Backend(b)) => return Err(die(b)),
        Err(_) => return Err(die(format!("invalid link name '{link}'"))),
    };
    let props = parse_link_props(&props, false).map_err(|_| die("invalid vlan property"))?;
    let spec = VlanSpec {
        name,
        over,
        vid,
        force,
        props,
        conf,
    };
    match ctx.dl.vlan_create(&spec) {
        Ok(_) => Ok(()),
        Err(DlError::Status(DlStatus::Notsup)) => Err(die(format!(
            "VLAN over '{link}' may require lowered MTU; must use -f (see dladm(8))"
        ))),
        Err(DlError::Status(DlStatus::Linkbusy)) => Err(die(format!(
            "VLAN over '{link}' may not use default_tag ID (see dladm(8))"
        ))),
        Err(e) => Err(die_dlerr(&e, "create operation failed")),
    }
}

/// `do_delete_vlan`.
pub fn delete_vlan(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let Some((name, conf)) = super::delete_args(args, usage)? else {
        return Ok(());
    };
    ctx.dl
        .name2info(&name)
        .and_then(|i| ctx.dl.vlan_delete(i.id, conf))
        .map_err(|e| die_dlerr(&e, "delete operation failed"))
}

/// `do_show_vlan`.
pub fn show_vlan(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut parsable = false;
    let mut persistent = false;
    let mut fields: Option<String> = None;
    let mut g = Getopt::new(args, ":pPo:", SHOW_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('p', _) if parsable => return Err(die_optdup('p')),
            Opt::Flag('p', _) => parsable = true,
            Opt::Flag('P', _) if persistent => return Err(die_optdup('P')),
            Opt::Flag('P', _) => persistent = true,
            Opt::Flag('o', Some(v)) => fields = Some(v),
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let single = match ops.as_slice() {
        [] => None,
        [name] => {
            let info = ctx
                .dl
                .name2info(name)
                .map_err(|e| die_dlerr(&e, format!("link {name} is not valid")))?;
            if info.class != LinkClass::Vlan {
                return Err(die(format!(
                    "datalink {name} is not a vlan: found class {}",
                    info.class.as_str()
                )));
            }
            Some(info)
        }
        _ => return Err(Fail::Usage),
    };
    let spec = fields.as_deref().filter(|f| !f.eq_ignore_ascii_case("all"));
    let conf = Conf::listing(persistent);
    let mut p = Printer::open(
        ctx,
        spec,
        VLAN_FIELDS,
        VLAN_KINDS,
        Flags {
            parsable,
            wrap: false,
        },
    )?;
    match single {
        Some(info) => {
            let cells = vlan_cells(ctx, &info, conf)
                .map_err(|e| die_dlerr(&e, format!("failed to show vlan {}", info.name)))?;
            p.row(ctx, &cells)?;
        }
        None => {
            let links = ctx
                .dl
                .walk(ClassMask::of(&[LinkClass::Vlan]), conf)
                .map_err(|e| die_dlerr(&e, "failed to show vlan"))?;
            for info in links {
                if let Ok(cells) = vlan_cells(ctx, &info, conf) {
                    p.row(ctx, &cells)?;
                }
            }
        }
    }
    p.finish(ctx)
}

/// `print_vlan`: one row, for a VLAN in the listed configuration.
fn vlan_cells(ctx: &mut Ctx, info: &LinkInfo, conf: Conf) -> Result<Vec<Cell>, DlError> {
    if !info.conf.covers(conf) {
        return Err(DlStatus::Notfound.into());
    }
    let attr = ctx.dl.vlan_info(info.id, conf)?;
    let over = ctx.dl.id2info(attr.over)?.name;
    Ok(vec![
        Cell::Val(info.name.clone()),
        Cell::Val(attr.vid.to_string()),
        Cell::Val(over),
        Cell::Val(if attr.force { "f----" } else { "-----" }.into()),
    ])
}
