//! `create-etherstub`, `delete-etherstub`, `show-etherstub`, `create-vnic`,
//! `delete-vnic`, `show-vnic`.

use super::altroot::altroot_cmd;
use super::output::{Kind, Printer};
use super::{CmdResult, Ctx, Fail, LOPTS, die, die_dlerr, die_optdup, die_opterr};
use crate::backend::DlError;
use crate::getopt::{Getopt, LongOpt, Opt};
use crate::model::cnum::str2int;
use crate::model::link::{
    ClassMask, Conf, LinkClass, LinkId, MacAddrType, VID_MAX, VID_MIN, VnicAttr, VnicSpec, VrrpAf,
};
use crate::model::link_name::{LinkName, LinkNameError, MAXLINKNAMELEN};
use crate::model::linkprop::parse_link_props;
use crate::model::mac::MacAddr;
use crate::model::status::DlStatus;
use crate::ofmt::{Cell, Field, Flags};

/// `DLADM_STRSIZE`: the longest `-p` list dladm accepts, NUL included.
pub const DLADM_STRSIZE: usize = 256;

const ETHERSTUB_LOPTS: &[LongOpt] = &[
    LongOpt::flag("temporary", 't'),
    LongOpt::with_arg("root-dir", 'R'),
];

const VNIC_LOPTS: &[LongOpt] = &[
    LongOpt::flag("temporary", 't'),
    LongOpt::with_arg("root-dir", 'R'),
    LongOpt::with_arg("dev", 'd'),
    LongOpt::with_arg("mac-address", 'm'),
    LongOpt::with_arg("cpus", 'c'),
    LongOpt::with_arg("bw-limit", 'b'),
    LongOpt::with_arg("slot", 'n'),
    LongOpt::with_arg("mac-prefix", 'r'),
    LongOpt::with_arg("vrid", 'V'),
    LongOpt::with_arg("address-family", 'A'),
];

/// `show-vnic` fields (upstream illumos widths).
pub const VNIC_FIELDS: &[Field] = &[
    Field::new("LINK", 13),
    Field::new("OVER", 13),
    Field::new("SPEED", 9),
    Field::new("MACADDRESS", 18),
    Field::new("MACADDRTYPE", 20),
    Field::new("VID", 7),
];
const VNIC_KINDS: &[Kind] = &[
    Kind::Str,
    Kind::Str,
    Kind::Num,
    Kind::Str,
    Kind::Str,
    Kind::Num,
];

/// The name operand of a create command, checked as dladm checks it.
fn new_link_name(name: &str) -> Result<String, Fail> {
    match name.parse::<LinkName>() {
        Ok(n) => Ok(n.to_string()),
        Err(LinkNameError::TooLong) => Err(die(format!("link name too long '{name}'"))),
        Err(LinkNameError::Invalid) => Err(die(format!("invalid link name '{name}'"))),
    }
}

pub fn create_etherstub(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut temporary = false;
    let mut altroot = None;
    let mut g = Getopt::new(args, "tR:", ETHERSTUB_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('t', _) => temporary = true,
            Opt::Flag('R', v) => altroot = v,
            // "tR:" has no leading ':', so getopt answers '?' for a
            // missing value too: dladm calls that unrecognized.
            Opt::MissingArg(c) => return Err(die_opterr(&Opt::Unknown(c), usage)),
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let [name] = ops.as_slice() else {
        return Err(Fail::Usage);
    };
    let name = new_link_name(name)?;
    if let Some(root) = altroot {
        return altroot_cmd(&root, &g.argv());
    }
    let spec = VnicSpec::etherstub(&name, Conf::temporary(temporary));
    ctx.dl
        .vnic_create(&spec)
        .map_err(|e| die_dlerr(&e, "etherstub creation failed"))?;
    Ok(())
}

pub fn delete_etherstub(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    delete_common(ctx, args, usage, true)
}

pub fn delete_vnic(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    delete_common(ctx, args, usage, false)
}

/// `do_delete_vnic_common`.
fn delete_common(ctx: &mut Ctx, args: &[String], usage: &str, etherstub: bool) -> CmdResult {
    let Some((name, conf)) = super::delete_args(args, usage)? else {
        return Ok(());
    };
    let id = match ctx.dl.name2info(&name) {
        Ok(i) => i.id,
        Err(DlError::Backend(b)) => return Err(die(b)),
        Err(_) => return Err(die(format!("invalid link name '{name}'"))),
    };
    for c in [Conf::ACTIVE, Conf::PERSIST] {
        if !conf.covers(c) {
            continue;
        }
        if let Ok(attr) = ctx.dl.vnic_info(id, c) {
            let is_etherstub = attr.over.is_none();
            if is_etherstub != etherstub {
                let what = if is_etherstub {
                    "a vnic"
                } else {
                    "an etherstub"
                };
                return Err(die(format!("'{name}' is not {what}")));
            }
        }
    }
    ctx.dl
        .vnic_delete(id, conf)
        .map_err(|e| die_dlerr(&e, "vnic deletion failed"))
}

/// The options of `create-vnic` as given.
#[derive(Default)]
struct CreateArgs {
    temporary: bool,
    dev: Option<String>,
    mac_type: Option<MacAddrType>,
    mac: Option<MacAddr>,
    prefix: Option<MacAddr>,
    slot: Option<i64>,
    vid: i64,
    force: bool,
    vrid: Option<u8>,
    af: Option<VrrpAf>,
    props: String,
    altroot: Option<String>,
}

/// One `-p` of a create command, added to the list as dladm's `strlcat`s
/// add it (a list of `DLADM_STRSIZE` or more is refused).
pub(super) fn push_prop(props: &mut String, v: &str) -> Result<(), Fail> {
    props.push_str(v);
    props.push(',');
    if props.len() >= DLADM_STRSIZE {
        let mut shown = props.clone();
        shown.truncate(DLADM_STRSIZE - 1);
        return Err(die(format!("property list too long '{shown}'")));
    }
    Ok(())
}

/// `_link_aton` for `-m`/`-r`, with dladm's message.
fn link_aton(s: &str) -> Result<MacAddr, Fail> {
    s.parse::<MacAddr>().map_err(|_| die("invalid MAC address"))
}

pub fn create_vnic(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut a = CreateArgs::default();
    let mut g = Getopt::new(args, ":tfR:d:l:m:n:p:r:v:V:A:H", VNIC_LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('t', _) => a.temporary = true,
            Opt::Flag('R', v) => a.altroot = v,
            Opt::Flag('l' | 'd', Some(v)) => {
                if v.len() >= MAXLINKNAMELEN {
                    return Err(die("link name too long"));
                }
                a.dev = Some(v);
            }
            Opt::Flag('m', Some(v)) => {
                if a.mac_type.is_some() {
                    return Err(die("cannot specify -m option twice"));
                }
                if v == "fixed" {
                    return Err(die("'fixed' is not a valid MAC address"));
                }
                match MacAddrType::from_keyword_prefix(&v) {
                    Some(t) => a.mac_type = Some(t),
                    None => {
                        a.mac = Some(link_aton(&v)?);
                        a.mac_type = Some(MacAddrType::Fixed);
                    }
                }
            }
            Opt::Flag('n', Some(v)) => {
                a.slot = Some(str2int(&v).ok_or_else(|| die("invalid slot number"))?);
            }
            Opt::Flag('p', Some(v)) => push_prop(&mut a.props, &v)?,
            Opt::Flag('r', Some(v)) => a.prefix = Some(link_aton(&v)?),
            Opt::Flag('v', Some(v)) => {
                if a.vid != 0 {
                    return Err(die_optdup('v'));
                }
                a.vid = match str2int(&v) {
                    Some(n) if (i64::from(VID_MIN)..=i64::from(VID_MAX)).contains(&n) => n,
                    _ => return Err(die(format!("invalid VLAN identifier '{v}'"))),
                };
            }
            Opt::Flag('f', _) => a.force = true,
            Opt::Flag('V', Some(v)) => {
                a.vrid = match str2int(&v) {
                    Some(n) if (1..=255).contains(&n) => Some(n as u8),
                    _ => return Err(die(format!("invalid VRRP identifier '{v}'"))),
                };
            }
            Opt::Flag('A', Some(v)) => {
                a.af = Some(match v.as_str() {
                    "inet" => VrrpAf::Inet,
                    "inet6" => VrrpAf::Inet6,
                    _ => return Err(die(format!("invalid address family '{v}'"))),
                });
            }
            // Hardware rings: the sim has none to reserve.
            Opt::Flag('H', _) => {}
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let mac_type = a.mac_type.unwrap_or(MacAddrType::Auto);
    if a.force && a.vid == 0 {
        return Err(die("-f option can only be used with -v"));
    }
    if a.prefix.is_some() && !matches!(mac_type, MacAddrType::Random | MacAddrType::Fixed) {
        return Err(Fail::Usage);
    }
    if mac_type == MacAddrType::Vrid {
        if a.vrid.is_none()
            || a.af.is_none()
            || a.mac.is_some()
            || a.slot.is_some()
            || a.prefix.is_some()
        {
            return Err(Fail::Usage);
        }
    } else if a.vrid.is_some() || a.af.is_some() {
        return Err(Fail::Usage);
    }
    let Some(dev) = a.dev.clone() else {
        return Err(Fail::Usage);
    };
    if a.slot.is_some() && mac_type != MacAddrType::Factory {
        return Err(Fail::Usage);
    }
    let ops = g.operands();
    let [name] = ops.as_slice() else {
        return Err(Fail::Usage);
    };
    let name = new_link_name(name)?;
    if let Some(root) = a.altroot.take() {
        return altroot_cmd(&root, &g.argv());
    }
    let over = match ctx.dl.name2info(&dev) {
        Ok(i) => i.id,
        Err(DlError::Backend(b)) => return Err(die(b)),
        Err(_) => return Err(die(format!("invalid link name '{dev}'"))),
    };
    let props = parse_link_props(&a.props, false).map_err(|_| die("invalid vnic property"))?;
    let spec = VnicSpec {
        name,
        over: Some(over),
        mac_type,
        // `-r` reuses dladm's address buffer, so it wins over a `-m` value.
        mac: a.prefix.or(a.mac),
        slot: a.slot.filter(|s| *s != -1).map(|s| s as i32),
        vid: a.vid as u16,
        force: a.force,
        vrrp: a.vrid.zip(a.af),
        props,
        conf: Conf::temporary(a.temporary),
        recreate: false,
    };
    match ctx.dl.vnic_create(&spec) {
        Ok(_) => Ok(()),
        Err(DlError::Status(DlStatus::Linkbusy)) => Err(die(format!(
            "VLAN over '{dev}' may not use default_tag ID (see dladm(8))"
        ))),
        Err(e) => {
            if let DlError::WithErrlist(_, list) = &e {
                for w in list {
                    ctx.warn(w)?;
                }
            }
            Err(die_dlerr(&e, format!("vnic creation over {dev} failed")))
        }
    }
}

pub fn show_vnic(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    show_common(ctx, args, usage, false)
}

pub fn show_etherstub(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    show_common(ctx, args, usage, true)
}

/// `do_show_vnic_common`.
fn show_common(ctx: &mut Ctx, args: &[String], usage: &str, etherstub: bool) -> CmdResult {
    let mut parsable = false;
    let mut persistent = false;
    let mut lower: Option<String> = None;
    let mut stats = false;
    let mut interval: Option<u64> = None;
    let mut fields: Option<String> = None;
    let mut g = Getopt::new(args, ":pPl:si:o:", LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('p', _) => parsable = true,
            Opt::Flag('P', _) => persistent = true,
            Opt::Flag('l', Some(v)) => {
                if etherstub {
                    return Err(die("option not supported for this command"));
                }
                if v.len() >= MAXLINKNAMELEN {
                    return Err(die("link name too long"));
                }
                lower = Some(v);
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
    let stats = stats.then_some(interval);
    let what = if etherstub { "etherstub" } else { "vnic" };
    let ops = g.operands();
    let single = match ops.as_slice() {
        [] => None,
        [name] => {
            let info = ctx
                .dl
                .name2info(name)
                .map_err(|e| die_dlerr(&e, format!("invalid {what} name '{name}'")))?;
            let want = if etherstub {
                LinkClass::Etherstub
            } else {
                LinkClass::Vnic
            };
            if info.class != want {
                return Err(die(format!(
                    "datalink {name} is not {}: found class {}",
                    if etherstub { "an etherstub" } else { "a vnic" },
                    info.class.as_str()
                )));
            }
            Some(info.id)
        }
        _ => return Err(Fail::Usage),
    };
    let lower_id = match &lower {
        None => None,
        Some(l) => Some(
            ctx.dl
                .name2info(l)
                .map_err(|e| die_dlerr(&e, format!("invalid link name '{l}'")))?
                .id,
        ),
    };
    let spec = match fields.as_deref() {
        Some(f) if !f.eq_ignore_ascii_case("all") => Some(f),
        _ if etherstub => Some("link"),
        f => f,
    };
    let conf = Conf::listing(persistent);
    let mut p = Printer::open(
        ctx,
        spec,
        VNIC_FIELDS,
        VNIC_KINDS,
        Flags {
            parsable,
            wrap: false,
        },
    )?;
    if let Some(interval) = stats {
        let lower = lower.zip(lower_id);
        let single = single.map(|id| (id, ops[0].clone()));
        return super::stats::vnic_stats(ctx, single, lower, interval);
    }
    for attr in members(ctx, single, lower_id, etherstub, conf)? {
        let cells = vnic_cells(ctx, &attr)?;
        p.row(ctx, &cells)?;
    }
    p.finish(ctx)
}

/// The VNICs (or etherstubs) a show lists: the one named, or every one
/// (over `lower` when given).
pub(super) fn members(
    ctx: &mut Ctx,
    single: Option<LinkId>,
    lower: Option<LinkId>,
    etherstub: bool,
    conf: Conf,
) -> Result<Vec<VnicAttr>, Fail> {
    let what = if etherstub { "etherstub" } else { "vnic" };
    let ids: Vec<LinkId> = match single {
        Some(id) => vec![id],
        None => ctx
            .dl
            .walk(
                ClassMask::of(&[LinkClass::Vnic, LinkClass::Etherstub]),
                conf,
            )
            .map_err(|e| die_dlerr(&e, format!("failed to show {what}")))?
            .into_iter()
            .map(|i| i.id)
            .collect(),
    };
    let mut out = Vec::new();
    for id in ids {
        let attr = match ctx.dl.vnic_info(id, conf) {
            Ok(a) => a,
            Err(e) if single.is_some() => {
                let name = ctx.dl.id2info(id).map(|i| i.name).unwrap_or_default();
                return Err(die_dlerr(&e, format!("failed to show vnic '{name}'")));
            }
            Err(_) => continue,
        };
        if attr.over.is_none() != etherstub || (lower.is_some() && attr.over != lower) {
            continue;
        }
        out.push(attr);
    }
    Ok(out)
}

/// `print_vnic`: one row of show-vnic / show-etherstub.
fn vnic_cells(ctx: &mut Ctx, attr: &VnicAttr) -> Result<Vec<Cell>, Fail> {
    let name = ctx
        .dl
        .id2info(attr.id)
        .map_err(|e| die_dlerr(&e, "failed to show vnic"))?
        .name;
    let Some(over) = attr.over else {
        return Ok(vec![
            Cell::Val(name),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
            "".into(),
        ]);
    };
    let over = ctx
        .dl
        .id2info(over)
        .map_or_else(|_| "?".to_string(), |i| i.name);
    let speed = ctx.dl.speed_mbps(attr.id).to_string();
    let mac_type = match attr.mac_type {
        MacAddrType::Fixed | MacAddrType::Primary => "fixed".to_string(),
        MacAddrType::Random => "random".to_string(),
        MacAddrType::Factory => format!("factory, slot {}", attr.slot),
        MacAddrType::Vrid => match attr.vrrp {
            Some((vrid, af)) => format!("vrrp, {vrid}/{}", af.as_str()),
            None => String::new(),
        },
        MacAddrType::Auto => String::new(),
    };
    let mac = match attr.mac {
        _ if mac_type.is_empty() => String::new(),
        Some(m) if m.as_bytes().iter().take(6).any(|b| *b != 0) => m.to_string(),
        _ => "unknown".to_string(),
    };
    Ok(vec![
        Cell::Val(name),
        Cell::Val(over),
        Cell::Val(speed),
        Cell::Val(mac),
        Cell::Val(mac_type),
        Cell::Val(attr.vid.to_string()),
    ])
}
