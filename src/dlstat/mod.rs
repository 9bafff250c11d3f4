//! The `dlstat` personality: illumos dlstat's default form, `show-link`,
//! `show-phys` and `show-aggr`, with its options, layouts
//! (`OFMT_RIGHTJUST`), units and messages (dlstat.c `do_show`,
//! `do_show_link`, `do_show_phys`, `do_show_aggr`, `show_link_stats`,
//! `print_all_stats`).

mod lanes;

use crate::backend::{self, Datalink, DlError};
use crate::dladm::output::{Kind, Printer};
use crate::dladm::stats::{counters, pass_links, pause};
use crate::dladm::{CmdResult, Ctx, Fail, check_interval, die, die_dlerr, die_optdup, die_opterr};
use crate::getopt::{Getopt, Opt};
use crate::model::link::{LinkClass, LinkId, LinkInfo};
use crate::model::link_name::MAXLINKNAMELEN;
use crate::ofmt::{Cell, Field, Flags};
use lanes::{Entry, Rings, StatType, entries, map_to_units};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;

/// The forms and their usage strings (`cmds[]`).
const USAGE_SHOW: &str = "dlstat [-r | -t] [-i <interval>] [link]\n       dlstat [-a | -A] [-i <interval>] [-p] [ -o field[,...]]\n              [-u R|K|M|G|T|P] [link]";
const USAGE_PHYS: &str = "dlstat show-phys [-r | -t] [-i interval] [-a]\n                 [-p] [ -o field[,...]] [-u R|K|M|G|T|P] [link]";
const USAGE_LINK: &str = "dlstat show-link [-r [-F] | -t] [-i interval] [-a]\n                 [-p] [ -o field[,...]] [-u R|K|M|G|T|P] [link]\n       dlstat show-link -h [-a] [-d] [-F <format>]\n                 [-s <DD/MM/YYYY,HH:MM:SS>] [-e <DD/MM/YYYY,HH:MM:SS>]\n                 -f <logfile> [<link>]";
const USAGE_AGGR: &str = "dlstat show-aggr [-r | -t] [-i interval] [-p]\n                 [ -o field[,...]] [-u R|K|M|G|T|P]  [link]";

/// `usage()`'s text.
pub fn usage_text() -> String {
    format!("usage: {USAGE_SHOW}\n{USAGE_PHYS}\n{USAGE_LINK}\n{USAGE_AGGR}\n")
}

const S: Kind = Kind::Str;
const N: Kind = Kind::Num;

/// A field table (`*_s_fields`) and how its columns become JSON.
struct Table {
    fields: &'static [Field],
    kinds: &'static [Kind],
}

const TOTAL: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("IPKTS", 8),
        Field::new("RBYTES", 8),
        Field::new("OPKTS", 8),
        Field::new("OBYTES", 8),
    ],
    kinds: &[S, N, N, N, N],
};
const RING: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("TYPE", 5),
        Field::new("ID", 7),
        Field::new("INDEX", 6),
        Field::new("PKTS", 8),
        Field::new("BYTES", 8),
    ],
    kinds: &[S, S, S, N, N, N],
};
const RX_RING: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("TYPE", 5),
        Field::new("ID", 7),
        Field::new("INDEX", 6),
        Field::new("IPKTS", 8),
        Field::new("RBYTES", 8),
    ],
    kinds: &[S, S, S, N, N, N],
};
const TX_RING: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("TYPE", 5),
        Field::new("ID", 7),
        Field::new("INDEX", 6),
        Field::new("OPKTS", 8),
        Field::new("OBYTES", 8),
    ],
    kinds: &[S, S, S, N, N, N],
};
/// `lane_s_fields` has `ring_s_fields`' columns.
const LANE: Table = RING;
const RX_LANE: Table = Table {
    fields: &[
        Field::new("LINK", 10),
        Field::new("TYPE", 5),
        Field::new("ID", 7),
        Field::new("INDEX", 6),
        Field::new("IPKTS", 8),
        Field::new("RBYTES", 8),
        Field::new("INTRS", 8),
        Field::new("POLLS", 8),
        Field::new("SDROPS", 8),
        Field::new("CH<10", 8),
        Field::new("CH10-50", 8),
        Field::new("CH>50", 8),
    ],
    kinds: &[S, S, S, N, N, N, N, N, N, N, N, N],
};
const RX_FANOUT: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("TYPE", 5),
        Field::new("ID", 7),
        Field::new("INDEX", 6),
        Field::new("FOUT", 6),
        Field::new("IPKTS", 8),
        Field::new("RBYTES", 8),
    ],
    kinds: &[S, S, S, N, N, N, N],
};
const TX_LANE: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("TYPE", 5),
        Field::new("ID", 7),
        Field::new("INDEX", 6),
        Field::new("OPKTS", 8),
        Field::new("OBYTES", 8),
        Field::new("BLKCNT", 8),
        Field::new("UBLKCNT", 8),
        Field::new("SDROPS", 8),
    ],
    kinds: &[S, S, S, N, N, N, N, N, N],
};
const AGGR_PORT: Table = Table {
    fields: &[
        Field::new("LINK", 15),
        Field::new("PORT", 15),
        Field::new("IPKTS", 8),
        Field::new("RBYTES", 8),
        Field::new("OPKTS", 8),
        Field::new("OBYTES", 8),
    ],
    kinds: &[S, S, N, N, N, N],
};

/// Run `dlstat ARGS…` (`args[0]` is the name it was invoked as, which
/// prefixes messages) on the backend `XBOW_BACKEND` selects.
pub fn main(args: &[String], out: &mut dyn Write, err: &mut dyn Write, ws_row: usize) -> i32 {
    let open = || {
        backend::Kind::from_env()
            .map_err(DlError::Backend)
            .and_then(backend::open_datalink)
    };
    run(args, out, err, ws_row, open)
}

/// [`main`] on the backend `open` returns.
pub fn run(
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    ws_row: usize,
    open: impl FnOnce() -> backend::DlResult<Box<dyn Datalink>>,
) -> i32 {
    let prog = args.first().cloned().unwrap_or_else(|| "dlstat".into());
    let mut args = args.to_vec();
    if args.is_empty() {
        args.push(prog.clone());
    }
    // `--json` is xbow's own; take it out before getopt sees the options.
    let json_at = args.iter().skip(1).position(|a| a == "--json");
    if let Some(i) = json_at {
        args.remove(i + 1);
    }
    let result = match open() {
        Err(e) => Err(die_dlerr(&e, "could not open /dev/dld")),
        Ok(dl) => {
            let mut ctx = Ctx {
                prog: prog.clone(),
                dl,
                out: &mut *out,
                err: &mut *err,
                ws_row,
                json: json_at.is_some(),
            };
            match args.get(1).map(String::as_str) {
                Some("show-phys") => show(&mut ctx, Form::Phys, &args[1..]),
                Some("show-link") => show(&mut ctx, Form::Link, &args[1..]),
                Some("show-aggr") => show(&mut ctx, Form::Aggr, &args[1..]),
                _ => show(&mut ctx, Form::Default, &args),
            }
        }
    };
    crate::dladm::exit_code(&prog, result, out, err, &usage_text())
}

/// Which dlstat command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Default,
    Phys,
    Link,
    Aggr,
}

impl Form {
    fn optstring(self) -> &'static str {
        match self {
            Form::Default => ":rtaApi:o:u:",
            Form::Phys => ":rtapi:o:u:",
            Form::Link => ":hrtFapi:o:u:",
            Form::Aggr => ":rtpi:o:u:",
        }
    }

    fn usage(self) -> &'static str {
        match self {
            Form::Default => USAGE_SHOW,
            Form::Phys => USAGE_PHYS,
            Form::Link => USAGE_LINK,
            Form::Aggr => USAGE_AGGR,
        }
    }
}

/// The options of a dlstat command.
#[derive(Debug, Default)]
struct Opts {
    r: bool,
    t: bool,
    f: bool,
    a: bool,
    all: bool,
    p: bool,
    interval: Option<u64>,
    fields: Option<String>,
    unit: Option<Option<char>>,
}

/// Parse and check the options in dlstat.c's order.
fn options(form: Form, args: &[String]) -> Result<(Opts, Vec<String>), Fail> {
    let mut o = Opts::default();
    let mut g = Getopt::new(args, form.optstring(), &[]);
    let once = |set: &mut bool, c: char| {
        if *set {
            return Err(die_optdup(c));
        }
        *set = true;
        Ok(())
    };
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('r', _) => once(&mut o.r, 'r')?,
            Opt::Flag('t', _) => once(&mut o.t, 't')?,
            Opt::Flag('F', _) => once(&mut o.f, 'F')?,
            Opt::Flag('a', _) => once(&mut o.a, 'a')?,
            Opt::Flag('A', _) => once(&mut o.all, 'A')?,
            Opt::Flag('p', _) => once(&mut o.p, 'p')?,
            Opt::Flag('h', _) => {
                if o.r
                    || o.f
                    || o.t
                    || o.interval.is_some()
                    || o.p
                    || o.fields.is_some()
                    || o.unit.is_some()
                    || o.a
                {
                    return Err(die(
                        "the option -h is not compatible with -r, -F, -t, -i, -p, -o, -u, -a",
                    ));
                }
                return Err(crate::dladm::unsupported(
                    "show-link -h (network usage history)",
                ));
            }
            Opt::Flag('i', Some(v)) => {
                if o.interval.is_some() {
                    return Err(die_optdup('i'));
                }
                o.interval = Some(check_interval(&v)?);
            }
            Opt::Flag('o', Some(v)) => o.fields = Some(v),
            Opt::Flag('u', Some(v)) => {
                if o.unit.is_some() {
                    return Err(die_optdup('u'));
                }
                o.unit = Some(match v.as_str() {
                    "R" | "K" | "M" | "G" | "T" | "P" => v.chars().next(),
                    _ => {
                        return Err(die(format!(
                            "invalid unit value '{v}',unit must be R|K|M|G|T|P"
                        )));
                    }
                });
            }
            o => return Err(die_opterr(&o, form.usage())),
        }
    }
    if o.r && o.t {
        return Err(die("the options -t and -r are not compatible"));
    }
    if o.unit.is_some() && o.p {
        return Err(die("the options -u and -p are not compatible"));
    }
    if o.f && !o.r {
        return Err(die("-F must be used with -r"));
    }
    if o.p && o.fields.is_none() {
        return Err(die("-p requires -o"));
    }
    if o.p
        && o.fields
            .as_deref()
            .is_some_and(|f| f.eq_ignore_ascii_case("all"))
    {
        return Err(die("\"-o all\" is invalid with -p"));
    }
    if o.a && o.all {
        return Err(die("the options -a and -A are not compatible"));
    }
    if o.a && (o.p || o.fields.is_some() || o.unit.is_some() || o.interval.is_some()) {
        return Err(die("the option -a is not compatible with -p, -o, -u, -i"));
    }
    if o.all
        && (o.r || o.t || o.p || o.fields.is_some() || o.unit.is_some() || o.interval.is_some())
    {
        return Err(die(
            "the option -A is not compatible with -r, -t, -p, -o, -u, -i",
        ));
    }
    Ok((o, g.operands()))
}

/// The statistic types a command shows, its field table and default
/// fields.
fn selection(form: Form, o: &Opts) -> (Vec<StatType>, &'static Table, &'static str) {
    use StatType::*;
    match form {
        Form::Default if o.r => (
            vec![RxLaneTotal],
            &RX_LANE,
            "link,ipkts,rbytes,intrs,polls,ch<10,ch10-50,ch>50",
        ),
        Form::Default if o.t => (
            vec![TxLaneTotal],
            &TX_LANE,
            "link,opkts,obytes,blkcnt,ublkcnt",
        ),
        Form::Default => (vec![Total], &TOTAL, "link,ipkts,rbytes,opkts,obytes"),
        Form::Phys if o.r => (vec![RxRing], &RX_RING, "link,type,index,ipkts,rbytes"),
        Form::Phys if o.t => (vec![TxRing], &TX_RING, "link,type,index,opkts,obytes"),
        Form::Phys => (vec![RxRing, TxRing], &RING, "link,type,index,pkts,bytes"),
        Form::Link if o.r && o.f => (
            vec![RxLaneFout],
            &RX_FANOUT,
            "link,id,index,fout,ipkts,rbytes",
        ),
        Form::Link if o.r => (
            vec![RxLane],
            &RX_LANE,
            "link,type,id,index,ipkts,rbytes,intrs,polls,ch<10,ch10-50,ch>50",
        ),
        Form::Link if o.t => (
            vec![TxLane],
            &TX_LANE,
            "link,type,id,index,opkts,obytes,blkcnt,ublkcnt",
        ),
        Form::Link => (vec![RxLane, TxLane], &LANE, "link,type,id,index,pkts,bytes"),
        Form::Aggr if o.r => (vec![AggrPort], &AGGR_PORT, "link,port,ipkts,rbytes"),
        Form::Aggr if o.t => (vec![AggrPort], &AGGR_PORT, "link,port,opkts,obytes"),
        Form::Aggr => (
            vec![AggrPort],
            &AGGR_PORT,
            "link,port,ipkts,rbytes,opkts,obytes",
        ),
    }
}

fn show(ctx: &mut Ctx, form: Form, args: &[String]) -> CmdResult {
    let (o, ops) = options(form, args)?;
    let single = match ops.as_slice() {
        [] => None,
        [name] => {
            if name.len() >= MAXLINKNAMELEN {
                return Err(die("link name too long"));
            }
            Some(
                ctx.dl
                    .name2info(name)
                    .map_err(|e| die_dlerr(&e, format!("link {name} is not valid")))?,
            )
        }
        _ => return Err(Fail::Usage),
    };
    let (types, table, default) = selection(form, &o);
    if o.all {
        return dump(ctx, single, &StatType::ALL);
    }
    if o.a {
        return dump(ctx, single, &types);
    }
    let spec = match o.fields.as_deref() {
        Some(f) if !f.eq_ignore_ascii_case("all") => f,
        _ => default,
    };
    let flags = Flags {
        parsable: o.p,
        wrap: false,
    };
    let open = |ctx: &mut Ctx| {
        Printer::open(ctx, Some(spec), table.fields, table.kinds, flags)
            .map(Printer::right_justified)
    };
    let mut p = open(ctx)?;
    let unit = o.unit.flatten();
    let mut prev: HashMap<(LinkId, StatType, String), Entry> = HashMap::new();
    loop {
        let mut seen = HashMap::new();
        for info in pass_links(ctx, &single) {
            let now = counters(ctx, info.id)?;
            let rings = rings_of(ctx, &info);
            for &t in &types {
                for e in entries(t, rings.as_ref(), &now) {
                    let key = (info.id, t, e.header.clone());
                    let d = e.since(prev.get(&key));
                    let cells: Vec<Cell> = table
                        .fields
                        .iter()
                        .map(|f| Cell::Val(cell(f.name, &info.name, &d, unit, o.p || ctx.json)))
                        .collect();
                    p.row(ctx, &cells)?;
                    seen.insert(key, e);
                }
            }
        }
        // `cleanup_removed_links`: a link that went away starts afresh.
        prev = seen;
        let Some(secs) = o.interval else {
            return p.finish(ctx);
        };
        if ctx.json {
            p.finish(ctx)?;
            p = open(ctx)?;
        }
        pause(ctx, secs)?;
    }
}

/// A physical link's rings: those of its hardware groups, else one each
/// way (index 0). Other links have none.
fn rings_of(ctx: &mut Ctx, info: &LinkInfo) -> Option<Rings> {
    if info.class != LinkClass::Phys {
        return None;
    }
    let groups = ctx.dl.hw_groups(info.id).unwrap_or_default();
    let of = |rx: bool| {
        let mut v: Vec<u32> = groups
            .iter()
            .filter(|g| g.rx == rx)
            .flat_map(|g| g.rings.iter().copied())
            .collect();
        v.sort_unstable();
        v.dedup();
        if v.is_empty() { vec![0] } else { v }
    };
    Some(Rings {
        rx: of(true),
        tx: of(false),
    })
}

/// The text of column `field` for entry `e` of `link`.
fn cell(field: &str, link: &str, e: &Entry, unit: Option<char>, parsable: bool) -> String {
    let num = |n: u64| map_to_units(n, unit, parsable);
    let rx = e.dir == "rx";
    let dashes = |v: Option<u64>| v.map_or("--".to_string(), |i| i.to_string());
    match field {
        "LINK" => link.to_string(),
        "TYPE" => e.dir.to_string(),
        "ID" => e.id.unwrap_or("--").to_string(),
        "INDEX" => dashes(e.index),
        "FOUT" => dashes(e.fout),
        "PORT" => "--".to_string(),
        "IPKTS" => num(e.get("ipackets")),
        "RBYTES" => num(e.get("rbytes")),
        "OPKTS" => num(e.get("opackets")),
        "OBYTES" => num(e.get("obytes")),
        "PKTS" => num(e.get(if rx { "ipackets" } else { "opackets" })),
        "BYTES" => num(e.get(if rx { "rbytes" } else { "obytes" })),
        "INTRS" => num(e.get("intrs")),
        "POLLS" => num(e.get("polls")),
        "SDROPS" => num(e.get(if rx { "rxsdrops" } else { "txsdrops" })),
        "CH<10" => num(e.get("chainunder10")),
        "CH10-50" => num(e.get("chain10to50")),
        "CH>50" => num(e.get("chainover50")),
        "BLKCNT" => num(e.get("blockcnt")),
        "UBLKCNT" => num(e.get("unblockcnt")),
        _ => String::new(),
    }
}

/// `-a`/`-A` (`dump_all_link_stats`, `print_all_stats`): every statistic
/// of the chosen types, by name, for each link.
fn dump(ctx: &mut Ctx, single: Option<LinkInfo>, types: &[StatType]) -> CmdResult {
    let mut text = String::new();
    let mut json = Vec::new();
    for info in pass_links(ctx, &single) {
        let now = counters(ctx, info.id)?;
        let rings = rings_of(ctx, &info);
        for &t in types {
            let list = entries(t, rings.as_ref(), &now);
            for (n, e) in list.iter().enumerate() {
                if n == 0 {
                    text.push_str(&format!("{} \n", info.name));
                }
                text.push_str(&format!("  {} \n", e.header));
                for (name, v) in &e.stats {
                    text.push_str(&format!("\t{name:>15}\t\t{v:>15}\n"));
                }
                let stats: serde_json::Map<String, Value> = e
                    .stats
                    .iter()
                    .map(|(n, v)| (n.to_string(), json!(v)))
                    .collect();
                json.push(json!({"link": info.name, "header": e.header, "stats": stats}));
            }
            if !list.is_empty() {
                text.push_str(&"-".repeat(51));
                text.push('\n');
            }
        }
    }
    if ctx.json {
        let mut s =
            serde_json::to_string_pretty(&Value::Array(json)).map_err(|e| Fail::Io(e.into()))?;
        s.push('\n');
        ctx.out.write_all(s.as_bytes())?;
    } else {
        ctx.out.write_all(text.as_bytes())?;
    }
    Ok(())
}
