//! `show-link` and `show-phys`.

use super::output::{Kind, Printer};
use super::{CmdResult, Ctx, Fail, SHOW_LOPTS, die, die_dlerr, die_optdup, die_opterr};
use crate::backend::DlError;
use crate::getopt::{Getopt, Opt};
use crate::model::link::{ClassMask, Conf, LinkClass, LinkInfo};
use crate::model::link_name::MAXLINKNAMELEN;
use crate::model::status::DlStatus;
use crate::ofmt::{Cell, Field, Flags};

/// `show-link` fields.
pub const LINK_FIELDS: &[Field] = &[
    Field::new("LINK", 12),
    Field::new("CLASS", 10),
    Field::new("MTU", 7),
    Field::new("STATE", 9),
    Field::new("BRIDGE", 11),
    Field::new("OVER", 30),
];
const LINK_KINDS: &[Kind] = &[
    Kind::Str,
    Kind::Str,
    Kind::Num,
    Kind::Str,
    Kind::Str,
    Kind::Str,
];

/// `show-phys` fields.
pub const PHYS_FIELDS: &[Field] = &[
    Field::new("LINK", 13),
    Field::new("MEDIA", 21),
    Field::new("STATE", 11),
    Field::new("SPEED", 9),
    Field::new("DUPLEX", 9),
    Field::new("DEVICE", 13),
    Field::new("FLAGS", 7),
];
const PHYS_KINDS: &[Kind] = &[
    Kind::Str,
    Kind::Str,
    Kind::Str,
    Kind::Num,
    Kind::Str,
    Kind::Str,
    Kind::Str,
];

pub fn show_link(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let (mut parsable, mut persistent, mut stats) = (false, false, false);
    let mut interval: Option<u64> = None;
    let mut fields: Option<String> = None;
    let mut g = Getopt::new(args, ":pPsi:o:", SHOW_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('p', _) => {
                if parsable {
                    return Err(die_optdup('p'));
                }
                parsable = true;
            }
            Opt::Flag('P', _) => {
                if persistent {
                    return Err(die_optdup('P'));
                }
                persistent = true;
            }
            Opt::Flag('s', _) => {
                if stats {
                    return Err(die_optdup('s'));
                }
                stats = true;
            }
            Opt::Flag('i', Some(v)) => {
                if interval.is_some() {
                    return Err(die_optdup('i'));
                }
                interval = Some(super::check_interval(&v)?);
            }
            Opt::Flag('o', Some(v)) => fields = Some(v),
            o => return Err(die_opterr(&o, usage)),
        }
    }
    if interval.is_some() && !stats {
        return Err(die("the option -i can be used only with -s"));
    }
    if stats && persistent {
        return Err(die("the option -P cannot be used with -s"));
    }
    let conf = Conf::listing(persistent);
    let ops = g.operands();
    let single = match ops.as_slice() {
        [] => None,
        [name] => {
            if name.len() >= MAXLINKNAMELEN {
                return Err(die("link name too long"));
            }
            let info = ctx
                .dl
                .name2info(name)
                .map_err(|e| die_dlerr(&e, format!("link {name} is not valid")))?;
            if !info.conf.covers(conf) {
                let what = if persistent {
                    "a temporary link"
                } else {
                    "temporarily removed"
                };
                return Err(die_dlerr(
                    &DlError::Status(DlStatus::Badarg),
                    format!("link {name} is {what}"),
                ));
            }
            Some(info)
        }
        _ => return Err(Fail::Usage),
    };
    if parsable && fields.is_none() {
        return Err(die("-p requires -o"));
    }
    if parsable
        && fields
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("all"))
    {
        return Err(die("\"-o all\" is invalid with -p"));
    }
    if stats {
        return super::stats::link_stats(ctx, single, fields.as_deref(), parsable, interval);
    }
    let default = if persistent {
        "link,class,bridge,over"
    } else {
        "link,class,mtu,state,bridge,over"
    };
    let spec = match fields.as_deref() {
        Some(f) if !f.eq_ignore_ascii_case("all") => f,
        _ => default,
    };
    let mut p = Printer::open(
        ctx,
        Some(spec),
        LINK_FIELDS,
        LINK_KINDS,
        Flags {
            parsable,
            wrap: !parsable,
        },
    )?;
    let links = match single {
        Some(info) => vec![info],
        None => ctx
            .dl
            .walk(ClassMask::ALL, conf)
            .map_err(|e| die_dlerr(&e, "failed to show links"))?,
    };
    let one = links.len() == 1 && ops.len() == 1;
    for info in links {
        match link_cells(ctx, &info, persistent) {
            Ok(cells) => p.row(ctx, &cells)?,
            Err(e) if one => {
                return Err(die_dlerr(&e, format!("failed to show link {}", info.name)));
            }
            Err(_) => {}
        }
    }
    p.finish(ctx)
}

/// `print_link`.
fn link_cells(ctx: &mut Ctx, info: &LinkInfo, persistent: bool) -> Result<Vec<Cell>, DlError> {
    let conf = Conf::listing(persistent);
    let over = match info.class {
        LinkClass::Vnic => {
            let attr = ctx.dl.vnic_info(info.id, conf)?;
            match attr.over {
                Some(o) => ctx.dl.id2info(o)?.name,
                None => String::new(),
            }
        }
        LinkClass::Vlan => {
            let attr = ctx.dl.vlan_info(info.id, conf)?;
            ctx.dl.id2info(attr.over)?.name
        }
        _ => String::new(),
    };
    let (mtu, state) = if persistent {
        (String::new(), String::new())
    } else {
        let mtu = ctx.dl.mtu(info.id)?.to_string();
        let state = ctx
            .dl
            .link_state(info.id)
            .map_or("?".into(), |s| s.as_str().to_string());
        (mtu, state)
    };
    Ok(vec![
        Cell::Val(info.name.clone()),
        Cell::Val(info.class.as_str().into()),
        Cell::Val(mtu),
        Cell::Val(state),
        Cell::Val(String::new()),
        Cell::Val(over),
    ])
}

pub fn show_phys(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let (mut parsable, mut persistent, mut macs, mut rings) = (false, false, false, false);
    let mut fields: Option<String> = None;
    let mut g = Getopt::new(args, ":pPo:mH", SHOW_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('p', _) => {
                if parsable {
                    return Err(die_optdup('p'));
                }
                parsable = true;
            }
            Opt::Flag('P', _) => {
                if persistent {
                    return Err(die_optdup('P'));
                }
                persistent = true;
            }
            Opt::Flag('o', Some(v)) => fields = Some(v),
            Opt::Flag('m', _) => macs = true,
            Opt::Flag('H', _) => rings = true,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    if parsable && fields.is_none() {
        return Err(die("-p requires -o"));
    }
    if macs && rings {
        return Err(die("-m cannot combine with -H"));
    }
    if parsable
        && fields
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("all"))
    {
        return Err(die("\"-o all\" is invalid with -p"));
    }
    let ops = g.operands();
    let single = match ops.as_slice() {
        [] => None,
        [name] => Some(
            ctx.dl
                .name2info(name)
                .map_err(|e| die_dlerr(&e, format!("link {name} is not valid")))?,
        ),
        _ => return Err(Fail::Usage),
    };
    if macs && persistent {
        return Err(die("-m not compatible with -P"));
    }
    let (table, kinds, default): (&'static [Field], &'static [Kind], _) = if macs {
        (
            PHYS_M_FIELDS,
            PHYS_M_KINDS,
            "link,slot,address,inuse,client",
        )
    } else if rings {
        (
            PHYS_H_FIELDS,
            &[Kind::Str; 4],
            "link,ringtype,rings,clients",
        )
    } else if persistent {
        (PHYS_FIELDS, PHYS_KINDS, "link,device,media,flags")
    } else {
        (
            PHYS_FIELDS,
            PHYS_KINDS,
            "link,media,state,speed,duplex,device",
        )
    };
    let spec = match fields.as_deref() {
        Some(f) if !f.eq_ignore_ascii_case("all") => f,
        _ => default,
    };
    let conf = Conf::listing(persistent);
    let mut p = Printer::open(
        ctx,
        Some(spec),
        table,
        kinds,
        Flags {
            parsable,
            wrap: false,
        },
    )?;
    let links = match &single {
        Some(info) => vec![info.clone()],
        None => ctx
            .dl
            .walk(ClassMask::of(&[LinkClass::Phys]), conf)
            .map_err(|e| die_dlerr(&e, "failed to show physical links"))?,
    };
    for info in links {
        let shown = if macs {
            print_phys_mac(ctx, &mut p, &info, parsable)
        } else if rings {
            print_phys_hwgrp(ctx, &mut p, &info)
        } else {
            phys_cells(ctx, &info, conf).map(|cells| p.row(ctx, &cells))
        };
        match shown {
            Ok(r) => r?,
            Err(e) if single.is_some() => {
                return Err(die_dlerr(
                    &e,
                    format!("failed to show physical link {}", info.name),
                ));
            }
            Err(_) => {}
        }
    }
    p.finish(ctx)
}

/// `show-phys -m` fields (`phys_m_fields`).
const PHYS_M_FIELDS: &[Field] = &[
    Field::new("LINK", 13),
    Field::new("SLOT", 9),
    Field::new("ADDRESS", 19),
    Field::new("INUSE", 5),
    Field::new("CLIENT", 13),
];
const PHYS_M_KINDS: &[Kind] = &[Kind::Str, Kind::Str, Kind::Str, Kind::Str, Kind::Str];

/// `show-phys -H` fields (`phys_h_fields`; RINGS is `RINGSTRLEN` wide).
const PHYS_H_FIELDS: &[Field] = &[
    Field::new("LINK", 13),
    Field::new("RINGTYPE", 9),
    Field::new("RINGS", 21),
    Field::new("CLIENTS", 24),
];

/// `print_phys` checks, then `print_phys_mac`: a row per address slot
/// (`print_phys_one_mac_cb`). The link's name is on the primary slot's
/// row only, unless parsable.
fn print_phys_mac(
    ctx: &mut Ctx,
    p: &mut Printer,
    info: &LinkInfo,
    parsable: bool,
) -> Result<CmdResult, DlError> {
    phys_checks(info, Conf::ACTIVE)?;
    let slots = ctx.dl.mac_slots(info.id)?;
    for m in slots {
        let primary = m.slot == 0;
        let link = if primary || parsable { &info.name } else { " " };
        let cells = [
            Cell::Val(link.to_string()),
            Cell::Val(if primary {
                "primary".into()
            } else {
                m.slot.to_string()
            }),
            Cell::Val(m.addr.to_string()),
            Cell::Val(if m.in_use { "yes" } else { "no" }.into()),
            Cell::Val(m.client.clone()),
        ];
        let name = info.name.clone();
        if let Err(e) = p.row_json(ctx, &cells, |o| {
            o.entry("link").and_modify(|v| *v = name.into());
            if let Some(v) = o.get_mut("inuse") {
                *v = m.in_use.into();
            }
        }) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// `print_phys` checks, then `print_phys_hwgrp`: a row per ring group
/// (`print_phys_one_hwgrp_cb`).
fn print_phys_hwgrp(ctx: &mut Ctx, p: &mut Printer, info: &LinkInfo) -> Result<CmdResult, DlError> {
    phys_checks(info, Conf::ACTIVE)?;
    for g in ctx.dl.hw_groups(info.id)? {
        let clients = if g.clients.is_empty() {
            "--".to_string()
        } else {
            format!("{} ", g.clients)
        };
        let cells = [
            Cell::Val(g.link.clone()),
            Cell::Val(if g.rx { "RX" } else { "TX" }.into()),
            Cell::Val(ring_ranges(&g.rings)),
            Cell::Val(clients),
        ];
        if let Err(e) = p.row(ctx, &cells) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// The RINGS cell: runs of consecutive indexes as `A-B`, joined with `,`,
/// cut to `RINGSTRLEN - 1` characters as the C buffer cuts it.
fn ring_ranges(rings: &[u32]) -> String {
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for &r in rings {
        match runs.last_mut() {
            Some((_, end)) if r == *end + 1 => *end = r,
            _ => runs.push((r, r)),
        }
    }
    let mut s = runs
        .iter()
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    s.truncate(20);
    s
}

/// `print_phys`'s checks: a physical link, present in `conf`.
fn phys_checks(info: &LinkInfo, conf: Conf) -> Result<(), DlError> {
    if info.class != LinkClass::Phys {
        return Err(DlStatus::Badarg.into());
    }
    if !info.conf.covers(conf) {
        return Err(DlStatus::Notfound.into());
    }
    Ok(())
}

/// `print_phys`.
fn phys_cells(ctx: &mut Ctx, info: &LinkInfo, conf: Conf) -> Result<Vec<Cell>, DlError> {
    phys_checks(info, conf)?;
    let attr = ctx.dl.phys_info(info.id, conf)?;
    let v = |s: &str| Cell::Val(s.to_string());
    if conf.persistent {
        let flags = format!("{}----", if info.conf.active { '-' } else { 'r' });
        return Ok(vec![
            v(&info.name),
            v(&attr.media),
            v(""),
            v(""),
            v(""),
            v(&attr.device),
            Cell::Val(flags),
        ]);
    }
    let state = ctx
        .dl
        .link_state(info.id)
        .map_or("?".into(), |s| s.as_str().to_string());
    let speed = ctx.dl.speed_mbps(info.id).to_string();
    Ok(vec![
        v(&info.name),
        v(&attr.media),
        Cell::Val(state),
        Cell::Val(speed),
        v(&attr.duplex),
        v(&attr.device),
        v(""),
    ])
}

/// `do_rename_link`.
pub fn rename_link(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut altroot = None;
    let mut g = Getopt::new(args, ":R:", super::LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('R', v) => altroot = v,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let [link1, link2] = ops.as_slice() else {
        return Err(Fail::Usage);
    };
    if let Some(root) = altroot {
        return super::altroot::altroot_cmd(&root, &g.argv());
    }
    ctx.dl
        .rename_link(link1, link2)
        .map_err(|e| die_dlerr(&e, "rename operation failed"))
}
