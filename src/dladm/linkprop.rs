//! `set-linkprop`, `reset-linkprop`, `show-linkprop`.

use super::output::{Kind, Printer};
use super::vnic::DLADM_STRSIZE;
use super::{CmdResult, Ctx, Fail, die, die_dlerr, die_opterr};
use crate::backend::{DlError, PropValue};
use crate::getopt::{Getopt, LongOpt, Opt};
use crate::model::bandwidth::Bandwidth;
use crate::model::link::{ClassMask, Conf, LinkId};
use crate::model::linkprop::parse_link_props;
use crate::model::status::DlStatus;
use crate::ofmt::{Cell, Field, Flags};
use serde_json::Value;

const PROP_LONGOPTS: &[LongOpt] = &[
    LongOpt::flag("temporary", 't'),
    LongOpt::with_arg("output", 'o'),
    LongOpt::with_arg("root-dir", 'R'),
    LongOpt::with_arg("prop", 'p'),
    LongOpt::flag("parsable", 'c'),
    LongOpt::flag("parseable", 'c'),
    LongOpt::flag("persistent", 'P'),
];

/// `show-linkprop` fields.
pub const LINKPROP_FIELDS: &[Field] = &[
    Field::new("LINK", 13),
    Field::new("PROPERTY", 16),
    Field::new("PERM", 5),
    Field::new("VALUE", 15),
    Field::new("DEFAULT", 15),
    Field::new("POSSIBLE", 20),
];
const LINKPROP_KINDS: &[Kind] = &[Kind::Str; 6];

/// Append a `-p` argument to the accumulated list, as dladm does.
fn add_props(list: &mut String, arg: &str) -> Result<(), Fail> {
    list.push_str(arg);
    list.push(',');
    if list.len() >= DLADM_STRSIZE {
        let mut shown = list.clone();
        shown.truncate(DLADM_STRSIZE - 1);
        return Err(die(format!("property list too long '{shown}'")));
    }
    Ok(())
}

pub fn set_linkprop(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    set_common(ctx, args, usage, false)
}

pub fn reset_linkprop(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    set_common(ctx, args, usage, true)
}

/// `set_linkprop(argc, argv, reset, use)`.
fn set_common(ctx: &mut Ctx, args: &[String], usage: &str, reset: bool) -> CmdResult {
    let mut props = String::new();
    let mut temporary = false;
    let mut altroot = None;
    let mut g = Getopt::new(args, ":p:R:t", PROP_LONGOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('p', Some(v)) => add_props(&mut props, &v)?,
            Opt::Flag('t', _) => temporary = true,
            Opt::Flag('R', v) => altroot = v,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let [name] = ops.as_slice() else {
        return Err(Fail::Usage);
    };
    let list =
        parse_link_props(&props, reset).map_err(|_| die("invalid link properties specified"))?;
    if list.is_empty() && !reset {
        return Err(die("link property must be specified"));
    }
    if let Some(root) = altroot {
        return super::altroot::altroot_cmd(&root, &g.argv());
    }
    let id = ctx
        .dl
        .name2info(name)
        .map_err(|e| die_dlerr(&e, format!("link {name} is not valid")))?
        .id;
    let conf = Conf::temporary(temporary);
    let verb = if reset { "reset" } else { "set" };
    if list.is_empty() {
        let mut failed = false;
        // Reset everything; properties that cannot be changed are skipped.
        let names = ctx
            .dl
            .linkprops(id)
            .map_err(|e| die_dlerr(&e, format!("link {name} is not valid")))?;
        for prop in names {
            match ctx.dl.set_linkprop(id, &prop, None, conf) {
                Ok(()) | Err(DlError::Status(DlStatus::Proprdonly | DlStatus::Notsup)) => {}
                Err(e) => {
                    failed = true;
                    ctx.warn_dlerr(
                        &e,
                        format!("cannot reset link property '{prop}' on '{name}'"),
                    )?;
                }
            }
        }
        return if failed { Err(Fail::Exit) } else { Ok(()) };
    }
    // Each property in turn, nothing rolled back; the exit status is the
    // last one's (dladm.c `set_linkprop`).
    let mut failed = false;
    for (prop, vals) in &list {
        if !reset && vals.is_empty() {
            ctx.warn(format!("no value specified for '{prop}'"))?;
            failed = true;
            continue;
        }
        let values = (!reset).then_some(vals.as_slice());
        let e = match ctx.dl.set_linkprop(id, prop, values, conf) {
            Ok(()) => {
                failed = false;
                continue;
            }
            Err(e) => e,
        };
        failed = true;
        match e {
            DlError::Status(DlStatus::Notfound) => {
                ctx.warn(format!("invalid link property '{prop}'"))?;
            }
            DlError::Status(DlStatus::Badval) => {
                // "cannot set" even when resetting (dladm.c `set_linkprop`).
                match ctx.dl.get_linkprop(id, PropValue::Modifiable, prop) {
                    Err(_) => ctx
                        .warn_dlerr(&e, format!("cannot set link property '{prop}' on '{name}'"))?,
                    Ok(v) if v.is_empty() => {
                        let first = vals.first().map_or("", String::as_str);
                        ctx.warn(format!("invalid link property '{first}'"))?;
                    }
                    Ok(v) => ctx.warn(format!(
                        "link property '{prop}' must be one of: {}",
                        v.join(",")
                    ))?,
                }
            }
            e => ctx.warn_dlerr(
                &e,
                format!("cannot {verb} link property '{prop}' on '{name}'"),
            )?,
        }
    }
    if failed { Err(Fail::Exit) } else { Ok(()) }
}

pub fn show_linkprop(ctx: &mut Ctx, args: &[String], usage: &str) -> CmdResult {
    let mut props = String::new();
    let (mut parsable, mut persistent) = (false, false);
    let mut fields: Option<String> = None;
    let mut g = Getopt::new(args, ":p:cPo:", PROP_LONGOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('p', Some(v)) => add_props(&mut props, &v)?,
            Opt::Flag('c', _) => parsable = true,
            Opt::Flag('P', _) => persistent = true,
            Opt::Flag('o', Some(v)) => fields = Some(v),
            o => return Err(die_opterr(&o, usage)),
        }
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
    let list =
        parse_link_props(&props, true).map_err(|_| die("invalid link properties specified"))?;
    let given: Option<Vec<String>> =
        (!list.is_empty()).then(|| list.into_iter().map(|(n, _)| n).collect());
    let mut p = Printer::open(
        ctx,
        fields.as_deref(),
        LINKPROP_FIELDS,
        LINKPROP_KINDS,
        Flags {
            parsable,
            wrap: !parsable,
        },
    )?;
    let conf = Conf::listing(persistent);
    let links = match single {
        Some(i) => vec![i],
        None => ctx
            .dl
            .walk(ClassMask::ALL, conf)
            .map_err(|e| die_dlerr(&e, "failed to show link properties"))?,
    };
    let mut st = ShowState {
        parsable: parsable || ctx.json,
        persistent,
        given: given.is_some(),
        last_ok: true,
        failed: false,
    };
    for info in links {
        if !info.conf.covers(conf) {
            continue;
        }
        // `show_linkprop_onelink`: a new link starts with a clean status.
        st.last_ok = true;
        let names: Vec<String> = match &given {
            Some(g) => g.clone(),
            None => match ctx.dl.linkprops(info.id) {
                Ok(n) => n,
                Err(_) => continue,
            },
        };
        for prop in names {
            if prop.starts_with('_') && !persistent && !st.given {
                continue;
            }
            if !parsable && !st.given && !supported(ctx, info.id, &prop) {
                continue;
            }
            let mut cells = vec![Cell::Val(info.name.clone()), Cell::Val(prop.clone())];
            let mut raw = Vec::new();
            for which in [
                PropValue::Perm,
                if persistent {
                    PropValue::Persistent
                } else {
                    PropValue::Current
                },
                PropValue::Default,
                PropValue::Modifiable,
            ] {
                let (cell, values) = prop_cell(ctx, &mut st, info.id, &info.name, &prop, which)?;
                cells.push(cell);
                raw.push(values);
            }
            p.row_json(ctx, &cells, |obj| json_fix(obj, &prop, &raw))?;
        }
    }
    p.finish(ctx)?;
    if st.failed { Err(Fail::Exit) } else { Ok(()) }
}

/// `show_linkprop_state_t`: the listing's options and statuses.
struct ShowState {
    parsable: bool,
    persistent: bool,
    given: bool,
    /// `ls_status == OK`: the last field of this link could be read (a
    /// failure is only warned about after a success).
    last_ok: bool,
    /// `ls_retstatus != OK`: the exit status is 1.
    failed: bool,
}

/// `linkprop_is_supported`: the default or the current value can be read.
fn supported(ctx: &mut Ctx, id: LinkId, prop: &str) -> bool {
    ctx.dl.get_linkprop(id, PropValue::Default, prop).is_ok()
        || ctx.dl.get_linkprop(id, PropValue::Current, prop).is_ok()
}

/// `print_linkprop` and `print_linkprop_cb`: one cell, plus the raw values
/// for JSON.
fn prop_cell(
    ctx: &mut Ctx,
    st: &mut ShowState,
    id: LinkId,
    link: &str,
    prop: &str,
    which: PropValue,
) -> Result<(Cell, Option<Vec<String>>), Fail> {
    let e = match ctx.dl.get_linkprop(id, which, prop) {
        Ok(v) => {
            st.last_ok = true;
            return Ok((fmt_values(st, which, &v), Some(v)));
        }
        Err(e) => e,
    };
    let status = match &e {
        DlError::Status(s) => Some(*s),
        _ => None,
    };
    let value_field = matches!(which, PropValue::Current | PropValue::Persistent);
    if status == Some(DlStatus::Temponly) {
        if which == PropValue::Modifiable && st.persistent {
            st.last_ok = true;
            return Ok((fmt_values(st, which, &["--".to_string()]), None));
        }
        // Not printed (`?`); for VALUE the exit status is cleared again.
        st.last_ok = false;
        st.failed = !value_field;
        return Ok((Cell::Unknown, None));
    }
    if status == Some(DlStatus::Notsup) || (st.persistent && status.is_some()) {
        st.last_ok = true;
        let v = match which {
            PropValue::Current | PropValue::Persistent | PropValue::Perm => "--",
            _ => "",
        };
        return Ok((fmt_values(st, which, &[v.to_string()]), None));
    }
    if status == Some(DlStatus::Notdefined) {
        st.last_ok = true;
        return Ok((fmt_values(st, which, &[String::new()]), None));
    }
    if st.given && st.last_ok {
        ctx.warn_dlerr(&e, format!("cannot get link property '{prop}' for {link}"))?;
    }
    st.last_ok = false;
    st.failed = true;
    Ok((Cell::Unknown, None))
}

/// Values joined with `,` (an empty one as `--` outside parsable mode);
/// POSSIBLE carries a trailing space outside parsable mode.
fn fmt_values(st: &ShowState, which: PropValue, values: &[String]) -> Cell {
    let mut s = values
        .iter()
        .map(|v| {
            if v.is_empty() && !st.parsable {
                "--"
            } else {
                v.as_str()
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    if which == PropValue::Modifiable && !st.parsable {
        s.push(' ');
    }
    Cell::Val(s)
}

/// JSON: typed values (`maxbw` in bits per second, `mtu` as a number),
/// `null` where there is none, POSSIBLE as a list.
fn json_fix(obj: &mut serde_json::Map<String, Value>, prop: &str, raw: &[Option<Vec<String>>]) {
    let typed = |v: &str| -> Value {
        let v = v.trim();
        match prop {
            "maxbw" => Bandwidth::from_dladm_string(v).map_or(Value::Null, |b| Value::from(b.0)),
            "mtu" => v
                .parse::<u64>()
                .map_or(Value::String(v.into()), Value::from),
            _ => Value::String(v.into()),
        }
    };
    let single = |r: &Option<Vec<String>>| -> Value {
        match r.as_deref() {
            Some([v]) if v != "--" => typed(v),
            Some(vs) if vs.len() > 1 => Value::Array(vs.iter().map(|v| typed(v)).collect()),
            _ => Value::Null,
        }
    };
    let set = |obj: &mut serde_json::Map<String, Value>, k: &str, v: Value| {
        if obj.contains_key(k) {
            obj.insert(k.to_string(), v);
        }
    };
    let perm = match raw[0].as_deref() {
        Some([p]) => Value::String(p.clone()),
        _ => Value::Null,
    };
    set(obj, "perm", perm);
    set(obj, "value", single(&raw[1]));
    set(obj, "default", single(&raw[2]));
    let possible = match raw[3].as_deref() {
        Some(vs) if !vs.is_empty() => {
            Value::Array(vs.iter().map(|v| Value::String(v.clone())).collect())
        }
        _ => Value::Null,
    };
    set(obj, "possible", possible);
}
