//! Where show commands send their rows: a libofmt table (or parsable
//! lines), or a JSON array of objects with lower-case keys.

use super::{CmdResult, Ctx, Fail, die};
use crate::ofmt::{Cell, Field, Flags, Ofmt};
use serde_json::{Map, Value};

/// How a column's text becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    /// A decimal integer.
    Num,
}

pub struct Printer {
    ofmt: Ofmt,
    table: &'static [Field],
    kinds: &'static [Kind],
    json: Option<Vec<Value>>,
}

impl Printer {
    /// `ofmt_open` + `ofmt_check`: unknown fields warn (or are fatal in
    /// parsable mode), other errors are fatal.
    pub fn open(
        ctx: &mut Ctx,
        spec: Option<&str>,
        table: &'static [Field],
        kinds: &'static [Kind],
        flags: Flags,
    ) -> Result<Printer, Fail> {
        let flags = if ctx.json { Flags::default() } else { flags };
        match Ofmt::open(spec, table, flags, ctx.ws_row) {
            Ok((ofmt, warning)) => {
                if let Some(w) = warning {
                    ctx.warn(w.message(false))?;
                }
                Ok(Printer {
                    ofmt,
                    table,
                    kinds,
                    json: ctx.json.then(Vec::new),
                })
            }
            Err(e) => Err(die(e.message(flags.parsable))),
        }
    }

    /// `OFMT_RIGHTJUST` (dlstat's tables).
    pub fn right_justified(mut self) -> Printer {
        self.ofmt.right_justify();
        self
    }

    /// Print (or collect) one row, indexed like the field table.
    pub fn row(&mut self, ctx: &mut Ctx, cells: &[Cell]) -> CmdResult {
        self.row_json(ctx, cells, |_| {})
    }

    /// Like [`row`](Self::row), letting `fix` adjust the JSON object.
    pub fn row_json(
        &mut self,
        ctx: &mut Ctx,
        cells: &[Cell],
        fix: impl FnOnce(&mut Map<String, Value>),
    ) -> CmdResult {
        match &mut self.json {
            None => self.ofmt.print(ctx.out, cells)?,
            Some(rows) => {
                let mut obj = Map::new();
                for &i in self.ofmt.selected() {
                    let v = match &cells[i] {
                        Cell::Unknown => Value::Null,
                        Cell::Val(s) if s.is_empty() => Value::Null,
                        Cell::Val(s) => match self.kinds[i] {
                            Kind::Num => s
                                .trim()
                                .parse::<u64>()
                                .map_or_else(|_| Value::String(s.clone()), Value::from),
                            Kind::Str => Value::String(s.clone()),
                        },
                    };
                    obj.insert(self.table[i].name.to_ascii_lowercase(), v);
                }
                fix(&mut obj);
                rows.push(Value::Object(obj));
            }
        }
        Ok(())
    }

    /// End the listing (the JSON array is printed here).
    pub fn finish(self, ctx: &mut Ctx) -> CmdResult {
        if let Some(rows) = self.json {
            let mut text = serde_json::to_string_pretty(&Value::Array(rows))
                .map_err(|e| Fail::Io(e.into()))?;
            text.push('\n');
            ctx.out.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}
