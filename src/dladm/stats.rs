//! `show-link -s` and `show-vnic -s` / `show-etherstub -s`: link
//! statistics (dladm.c `link_stats`, `show_link_stats`,
//! `print_link_stats_cb`, `vnic_stats`, `dump_vnics_head`,
//! `dump_vnic_stat`).

use super::output::{Kind, Printer};
use super::{CmdResult, Ctx, Fail};
use crate::backend::DlError;
use crate::model::link::{ClassMask, Conf, LinkId, LinkInfo};
use crate::model::stats::LinkStats;
use crate::ofmt::{Cell, Field, Flags};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

/// `link_s_fields`.
pub const LINK_S_FIELDS: &[Field] = &[
    Field::new("LINK", 15),
    Field::new("IPACKETS", 10),
    Field::new("RBYTES", 8),
    Field::new("IERRORS", 10),
    Field::new("OPACKETS", 12),
    Field::new("OBYTES", 12),
    Field::new("OERRORS", 8),
];
const LINK_S_KINDS: &[Kind] = &[
    Kind::Str,
    Kind::Num,
    Kind::Num,
    Kind::Num,
    Kind::Num,
    Kind::Num,
    Kind::Num,
];

/// A link's counters, or zeros where the system has none for it (as
/// `get_link_stats` leaves them when the kstat is missing); a backend
/// that cannot answer at all is warned about.
pub(crate) fn counters(ctx: &mut Ctx, id: LinkId) -> Result<LinkStats, Fail> {
    match ctx.dl.link_stats(id) {
        Ok(s) => Ok(s),
        Err(DlError::Backend(e)) => {
            ctx.warn(e)?;
            Ok(LinkStats::default())
        }
        Err(_) => Ok(LinkStats::default()),
    }
}

/// The links a statistics pass shows: every active one in link-id order,
/// or the one named, as it is now (gone: none; renamed: its new name).
pub(crate) fn pass_links(ctx: &mut Ctx, single: &Option<LinkInfo>) -> Vec<LinkInfo> {
    match single {
        Some(info) => ctx.dl.id2info(info.id).into_iter().collect(),
        None => ctx
            .dl
            .walk(ClassMask::ALL, Conf::listing(false))
            .unwrap_or_default(),
    }
}

/// Flush what a pass printed, then wait `secs` seconds (`sleep(3C)`).
pub(crate) fn pause(ctx: &mut Ctx, secs: u64) -> CmdResult {
    ctx.out.flush()?;
    std::thread::sleep(std::time::Duration::from_secs(secs));
    ctx.dl.refresh();
    Ok(())
}

/// `link_stats`: one row per active link (or the named one) with its
/// counters since it came up; with an interval, every `interval` seconds
/// the first link only, with what it counted since the pass before.
pub fn link_stats(
    ctx: &mut Ctx,
    single: Option<LinkInfo>,
    fields: Option<&str>,
    parsable: bool,
    interval: Option<u64>,
) -> CmdResult {
    let flags = Flags {
        parsable,
        wrap: false,
    };
    let mut p = Printer::open(ctx, fields, LINK_S_FIELDS, LINK_S_KINDS, flags)?;
    let mut prev = LinkStats::default();
    loop {
        let links = pass_links(ctx, &single);
        // `ls_firstonly`: with an interval only the first link is shown,
        // and its previous snapshot is kept; without, every link starts
        // from zero.
        let take = if interval.is_some() { 1 } else { links.len() };
        for info in links.into_iter().take(take) {
            if interval.is_none() {
                prev = LinkStats::default();
            }
            let now = counters(ctx, info.id)?;
            let d = now.since(&prev);
            let cells: Vec<Cell> = vec![
                Cell::Val(info.name),
                Cell::Val(d.ipackets.to_string()),
                Cell::Val(d.rbytes.to_string()),
                Cell::Val((d.ierrors as u32).to_string()),
                Cell::Val(d.opackets.to_string()),
                Cell::Val(d.obytes.to_string()),
                Cell::Val((d.oerrors as u32).to_string()),
            ];
            p.row(ctx, &cells)?;
            prev = now;
        }
        let Some(secs) = interval else {
            return p.finish(ctx);
        };
        if ctx.json {
            // One JSON array per pass.
            p.finish(ctx)?;
            p = Printer::open(ctx, fields, LINK_S_FIELDS, LINK_S_KINDS, flags)?;
        }
        pause(ctx, secs)?;
    }
}

/// `vnic_stats`: the VNICs' counters in dladm's own columns, with each
/// one's share of the total. `show-etherstub -s` comes here too and, as
/// in dladm (whose statistics state starts zeroed, so it does not want
/// etherstubs), lists VNICs: a named etherstub is a "non-existent vnic".
pub fn vnic_stats(
    ctx: &mut Ctx,
    single: Option<(LinkId, String)>,
    lower: Option<(String, LinkId)>,
    interval: Option<u64>,
) -> CmdResult {
    if !ctx.json {
        // `dump_vnics_head`.
        let head = format!(
            "{}\tipackets  rbytes      opackets  obytes          {}\n",
            lower.as_ref().map_or("", |(name, _)| name.as_str()),
            if lower.is_some() {
                "%ipkts  %opkts"
            } else {
                ""
            }
        );
        ctx.out.write_all(head.as_bytes())?;
    }
    let mut prev: HashMap<LinkId, LinkStats> = HashMap::new();
    loop {
        let attrs = super::vnic::members(
            ctx,
            single.as_ref().map(|(id, _)| *id),
            lower.as_ref().map(|(_, id)| *id),
            false,
            Conf::listing(false),
        )?;
        if attrs.is_empty() {
            if let Some((_, name)) = &single {
                return Err(super::die(format!("non-existent vnic '{name}'")));
            }
            if let Some((name, _)) = &lower {
                return Err(super::die(format!("device {name} has no vnics")));
            }
        }
        let mut rows = Vec::with_capacity(attrs.len());
        for a in &attrs {
            let name = match ctx.dl.id2info(a.id) {
                Ok(i) => i.name,
                Err(_) => continue,
            };
            let now = counters(ctx, a.id)?;
            rows.push((a.id, name, now));
        }
        // `dladm_stats_total` sets rather than adds: the "total" is the
        // last VNIC's counters plus its previous snapshot.
        let total = rows.last().map_or(LinkStats::default(), |(id, _, now)| {
            now.plus(&prev.get(id).copied().unwrap_or_default())
        });
        let mut json_rows = Vec::new();
        let mut text = String::new();
        if (single.is_some() || lower.is_some()) && interval.is_none() {
            text.push_str(&format!("Total\t{}\n", columns(&total)));
            json_rows.push(json_row("Total", &total, None));
        }
        for (id, name, now) in rows {
            let d = now.since(&prev.get(&id).copied().unwrap_or_default());
            let share =
                |part: u64, whole: u64| (whole != 0).then(|| part as f64 / whole as f64 * 100.0);
            let shares = (
                share(d.ipackets, total.ipackets),
                share(d.opackets, total.opackets),
            );
            let cell = |s: Option<f64>| s.map_or("-".to_string(), |v| format!("{v:<6.1}"));
            text.push_str(&format!(
                "{name}\t{}\t{}\t{}\n",
                columns(&d),
                cell(shares.0),
                cell(shares.1)
            ));
            json_rows.push(json_row(&name, &d, Some(shares)));
            prev.insert(id, now);
        }
        if ctx.json {
            let mut s = serde_json::to_string_pretty(&Value::Array(json_rows))
                .map_err(|e| Fail::Io(e.into()))?;
            s.push('\n');
            ctx.out.write_all(s.as_bytes())?;
        } else {
            ctx.out.write_all(text.as_bytes())?;
        }
        let Some(secs) = interval else {
            return Ok(());
        };
        pause(ctx, secs)?;
    }
}

/// `%-10llu%-12llu%-10llu%-12llu`.
fn columns(s: &LinkStats) -> String {
    format!(
        "{:<10}{:<12}{:<10}{:<12}",
        s.ipackets, s.rbytes, s.opackets, s.obytes
    )
}

fn json_row(name: &str, s: &LinkStats, shares: Option<(Option<f64>, Option<f64>)>) -> Value {
    let mut m = Map::new();
    m.insert("link".into(), json!(name));
    m.insert("ipackets".into(), json!(s.ipackets));
    m.insert("rbytes".into(), json!(s.rbytes));
    m.insert("opackets".into(), json!(s.opackets));
    m.insert("obytes".into(), json!(s.obytes));
    if let Some((i, o)) = shares {
        m.insert("ipkts_percent".into(), json!(i));
        m.insert("opkts_percent".into(), json!(o));
    }
    Value::Object(m)
}
