//! A libofmt-compatible table renderer (reference dladm.md §2.2).
//!
//! Fields have a width that includes the gap after them; a value that does
//! not fit pushes the following columns right and later short values pay
//! the debt back. The last column is never padded. Headers are printed
//! lazily before the first row and repeated every `rows - 1` data rows.

use std::io::{self, Write};

/// A column: its upper-case name and its width (gap included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub width: usize,
}

impl Field {
    pub const fn new(name: &'static str, width: usize) -> Field {
        Field { name, width }
    }
}

/// A cell as a callback produces it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// A value; an empty one prints as `--` outside parsable mode.
    Val(String),
    /// The callback failed: printed as `?`.
    Unknown,
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Val(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Val(s.to_string())
    }
}

/// How `ofmt_open` failed, or what it warns about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfmtError {
    /// Unknown field names (`OFMT_EBADFIELDS`): fatal in parsable mode, a
    /// warning otherwise.
    BadFields(Vec<String>),
    /// `OFMT_ENOFIELDS`.
    NoFields,
    /// `OFMT_EPARSEALL`.
    ParseAll,
    /// `OFMT_EPARSENONE`.
    ParseNone,
    /// `OFMT_EPARSEWRAP`.
    ParseWrap,
}

impl OfmtError {
    /// `ofmt_strerror`'s text.
    pub fn message(&self, parsable: bool) -> String {
        match self {
            OfmtError::BadFields(names) => {
                let mut s = String::from(if parsable { "" } else { "ignoring " });
                s.push_str(if names.len() == 1 {
                    "unknown output field:"
                } else {
                    "unknown output fields:"
                });
                for n in names {
                    s.push_str(&format!(" `{n}'"));
                }
                s
            }
            OfmtError::NoFields => "no valid output fields".into(),
            OfmtError::ParseAll => "output field `all' invalid in parsable mode".into(),
            OfmtError::ParseNone => "output fields must be specified in parsable mode".into(),
            OfmtError::ParseWrap => "parsable mode is incompatible with wrap mode".into(),
        }
    }

    /// Whether `ofmt_check` dies on this error (otherwise it warns).
    pub fn is_fatal(&self, parsable: bool) -> bool {
        parsable || !matches!(self, OfmtError::BadFields(_))
    }
}

/// Rendering options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    pub parsable: bool,
    pub wrap: bool,
}

/// An open output format: the selected columns of a field table.
#[derive(Debug)]
pub struct Ofmt {
    fields: Vec<usize>,
    table: &'static [Field],
    flags: Flags,
    nrow: usize,
    ws_row: usize,
    /// `OFMT_RIGHTJUST`.
    rightjust: bool,
}

/// The selection `ofmt_open` made, plus the non-fatal warning if any.
pub type Opened = (Ofmt, Option<OfmtError>);

impl Ofmt {
    /// `ofmt_open`: select fields by a comma-separated, case-insensitive
    /// list (`None` or `all` = every field). `ws_row` is the terminal height
    /// (24 when stdout is not a terminal).
    pub fn open(
        spec: Option<&str>,
        table: &'static [Field],
        flags: Flags,
        ws_row: usize,
    ) -> Result<Opened, OfmtError> {
        if flags.parsable && flags.wrap {
            return Err(OfmtError::ParseWrap);
        }
        let all = spec.is_none_or(|s| s.eq_ignore_ascii_case("all"));
        if flags.parsable && all {
            return Err(if spec.is_none() {
                OfmtError::ParseNone
            } else {
                OfmtError::ParseAll
            });
        }
        let mut fields = Vec::new();
        let mut bad = Vec::new();
        match spec {
            Some(s) if !all => {
                for name in s.split(',') {
                    match table.iter().position(|f| f.name.eq_ignore_ascii_case(name)) {
                        Some(i) => fields.push(i),
                        None => bad.push(name.to_string()),
                    }
                }
            }
            _ => fields.extend(0..table.len()),
        }
        if fields.is_empty() {
            return Err(OfmtError::NoFields);
        }
        let warning = if bad.is_empty() {
            None
        } else if flags.parsable {
            return Err(OfmtError::BadFields(bad));
        } else {
            Some(OfmtError::BadFields(bad))
        };
        let ws_row = if ws_row == 0 { 24 } else { ws_row };
        Ok((
            Ofmt {
                fields,
                table,
                flags,
                nrow: 0,
                ws_row,
                rightjust: false,
            },
            warning,
        ))
    }

    /// `OFMT_RIGHTJUST`: every value (and name) is right-justified in its
    /// width, the last one too; a gap of one space follows each but the
    /// last.
    pub fn right_justify(&mut self) {
        self.rightjust = true;
    }

    /// The selected columns, as indices into the field table.
    pub fn selected(&self) -> &[usize] {
        &self.fields
    }

    /// `ofmt_print`: render one row. `row` is indexed like the field table;
    /// only the selected cells are read.
    pub fn print<W: Write + ?Sized>(&mut self, out: &mut W, row: &[Cell]) -> io::Result<()> {
        if !self.flags.parsable {
            let print_header = self.nrow.is_multiple_of(self.ws_row);
            self.nrow += 1;
            if print_header {
                let header: Vec<Cell> = self.table.iter().map(|f| Cell::from(f.name)).collect();
                self.print_line(out, &header)?;
                self.nrow += 1;
            }
        }
        if self.flags.parsable {
            self.print_parsable(out, row)
        } else if self.flags.wrap {
            self.print_wrapped(out, row)
        } else {
            self.print_line(out, row)
        }
    }

    fn print_parsable<W: Write + ?Sized>(&self, out: &mut W, row: &[Cell]) -> io::Result<()> {
        let escape = self.fields.len() > 1;
        let mut line = String::new();
        for (n, &i) in self.fields.iter().enumerate() {
            if n > 0 {
                line.push(':');
            }
            let v = match &row[i] {
                Cell::Val(v) => v.as_str(),
                Cell::Unknown => "?",
            };
            if escape {
                for c in v.chars() {
                    if c == ':' || c == '\\' {
                        line.push('\\');
                    }
                    line.push(c);
                }
            } else {
                line.push_str(v);
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    }

    fn display(cell: &Cell) -> &str {
        match cell {
            Cell::Val(v) if v.is_empty() => "--",
            Cell::Val(v) => v,
            Cell::Unknown => "?",
        }
    }

    /// One physical line with the overflow carry.
    fn print_line<W: Write + ?Sized>(&self, out: &mut W, row: &[Cell]) -> io::Result<()> {
        let values: Vec<&str> = self
            .fields
            .iter()
            .map(|&i| Self::display(&row[i]))
            .collect();
        self.emit(out, &values)
    }

    fn emit<W: Write + ?Sized>(&self, out: &mut W, values: &[&str]) -> io::Result<()> {
        let mut line = String::with_capacity(80);
        let mut overflow = 0usize;
        let last = self.fields.len() - 1;
        let pad = |line: &mut String, n: usize| line.extend(std::iter::repeat_n(' ', n));
        for (n, (&i, v)) in self.fields.iter().zip(values).enumerate() {
            let mut width = self.table[i].width;
            let vw = v.len();
            if n == last {
                if self.rightjust {
                    pad(&mut line, width.saturating_sub(vw));
                }
                line.push_str(v);
                break;
            }
            if vw + overflow >= width {
                if self.rightjust {
                    pad(&mut line, width.saturating_sub(vw));
                }
                line.push_str(v);
                line.push(' ');
                overflow = overflow + vw + 1 - width;
            } else {
                if overflow > 0 {
                    let c = overflow.min(width - vw);
                    overflow -= c;
                    width -= c;
                }
                if self.rightjust {
                    pad(&mut line, width - vw);
                    line.push_str(v);
                    line.push(' ');
                } else {
                    line.push_str(v);
                    pad(&mut line, width - vw);
                }
            }
        }
        line.push('\n');
        out.write_all(line.as_bytes())
    }

    /// `OFMT_WRAP`: values are split at commas and continued on further
    /// lines, whose other columns are blank.
    fn print_wrapped<W: Write + ?Sized>(&self, out: &mut W, row: &[Cell]) -> io::Result<()> {
        let mut columns: Vec<Vec<String>> = Vec::with_capacity(self.fields.len());
        for &i in &self.fields {
            let v = Self::display(&row[i]);
            let width = self.table[i].width;
            let mut lines: Vec<String> = Vec::new();
            let mut cur = String::new();
            for piece in v.split(',') {
                if cur.is_empty() {
                    cur.push_str(piece);
                } else if cur.len() + 1 + piece.len() <= width {
                    cur.push(',');
                    cur.push_str(piece);
                } else {
                    cur.push(',');
                    lines.push(std::mem::take(&mut cur));
                    cur.push_str(piece);
                }
            }
            lines.push(cur);
            columns.push(lines);
        }
        let height = columns.iter().map(Vec::len).max().unwrap_or(1);
        for l in 0..height {
            let values: Vec<&str> = columns
                .iter()
                .map(|c| c.get(l).map_or("", String::as_str))
                .collect();
            self.emit(out, &values)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::dladm::VNIC_FIELDS as VNIC;

    fn render(spec: Option<&str>, flags: Flags, rows: &[&[&str]]) -> String {
        let (mut o, _) = Ofmt::open(spec, VNIC, flags, 24).unwrap();
        let mut out = Vec::new();
        for r in rows {
            let cells: Vec<Cell> = r.iter().map(|s| Cell::from(*s)).collect();
            o.print(&mut out, &cells).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn overflow_is_carried_and_paid_back() {
        // Reference dladm.md §5.8 [derived].
        let s = render(
            None,
            Flags::default(),
            &[&[
                "averyveryverylongvnic0",
                "averyverylonglink0",
                "100000",
                "2:8:20:38:a5:d6",
                "vrrp, 12/inet6",
                "4094",
            ]],
        );
        assert_eq!(
            s,
            "LINK         OVER         SPEED    MACADDRESS        MACADDRTYPE         VID\n\
             averyveryverylongvnic0 averyverylonglink0 100000 2:8:20:38:a5:d6 vrrp, 12/inet6 4094\n"
        );
    }

    #[test]
    fn header_repeats_every_23_rows() {
        let row: &[&str] = &["a0", "b0", "0", "1:2:3:4:5:6", "random", "0"];
        let rows = vec![row; 50];
        let s = render(None, Flags::default(), &rows);
        let headers: Vec<usize> = s
            .lines()
            .enumerate()
            .filter(|(_, l)| l.starts_with("LINK"))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(headers, vec![0, 24, 48]);
    }

    #[test]
    fn parsable_escaping() {
        let row: &[&str] = &["vnic0", "igb0", "0", "2:8:20:38:a5:d6", "random", "0"];
        assert_eq!(
            render(
                Some("link,macaddress"),
                Flags {
                    parsable: true,
                    wrap: false
                },
                &[row]
            ),
            "vnic0:2\\:8\\:20\\:38\\:a5\\:d6\n"
        );
        assert_eq!(
            render(
                Some("MACADDRESS"),
                Flags {
                    parsable: true,
                    wrap: false
                },
                &[row]
            ),
            "2:8:20:38:a5:d6\n"
        );
    }

    #[test]
    fn open_errors() {
        let p = Flags {
            parsable: true,
            wrap: false,
        };
        assert_eq!(
            Ofmt::open(None, VNIC, p, 24).unwrap_err(),
            OfmtError::ParseNone
        );
        assert_eq!(
            Ofmt::open(Some("ALL"), VNIC, p, 24).unwrap_err(),
            OfmtError::ParseAll
        );
        assert_eq!(
            Ofmt::open(Some("foo"), VNIC, Flags::default(), 24).unwrap_err(),
            OfmtError::NoFields
        );
        let (_, w) = Ofmt::open(Some("link,foo,bar"), VNIC, Flags::default(), 24).unwrap();
        assert_eq!(
            w.unwrap().message(false),
            "ignoring unknown output fields: `foo' `bar'"
        );
        let e = Ofmt::open(Some("link,foo"), VNIC, p, 24).unwrap_err();
        assert_eq!(e.message(true), "unknown output field: `foo'");
    }

    #[test]
    fn empty_and_unknown_cells() {
        let (mut o, _) = Ofmt::open(Some("link,over"), VNIC, Flags::default(), 24).unwrap();
        let mut out = Vec::new();
        o.print(
            &mut out,
            &[
                Cell::from("x0"),
                Cell::from(""),
                Cell::Unknown,
                Cell::Unknown,
                Cell::Unknown,
                Cell::Unknown,
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "LINK         OVER\nx0           --\n"
        );
    }

    #[test]
    fn right_justified_with_overflow() {
        // ofmt.c `ofmt_print_field` with OFMT_RIGHTJUST (dlstat's tables).
        const T: &[Field] = &[
            Field::new("LINK", 10),
            Field::new("TYPE", 5),
            Field::new("IPKTS", 8),
        ];
        let (mut o, _) = Ofmt::open(None, T, Flags::default(), 24).unwrap();
        o.right_justify();
        let mut out = Vec::new();
        for r in [["etherstub0", "rx", "  1.23M"], ["e0", "tx", " 987654321"]] {
            let cells: Vec<Cell> = r.iter().map(|s| Cell::from(*s)).collect();
            o.print(&mut out, &cells).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "      LINK  TYPE    IPKTS\n\
             etherstub0   rx    1.23M\n\
             \x20       e0    tx  987654321\n"
        );
    }
}
