//! Which `dladm_vnic_create` a host's libdladm has, decided from the
//! symbols the library exports (and, where the header is installed, from
//! its prototype). Pure logic, so that it is tested on every platform; the
//! illumos sys layer feeds it what `dlsym` found.
//!
//! The generations (reference `dladm.md` §4.4):
//!
//! | generation | prototype | exported marker |
//! |---|---|---|
//! | [`Generation::Args14`] | 14 arguments, no errlist (illumos 2010 … early 2020) | `dladm_open`, no `dladm_errlist_init` |
//! | [`Generation::Args15`] | 15 arguments, `dladm_errlist_t *` before the flags (illumos-joyent 2015, illumos-gate/OmniOS from the 2020 overlay merge) | `dladm_errlist_init` + `dladm_errlist_reset` |
//! | [`Generation::Attr6`] | `(handle, name, dladm_vnic_attr_t *, proplist, errlist, flags)` (2026 VNIC rework) | the above plus `dladm_vnic_modify` |
//!
//! Anything else — no `dladm_open` (the pre-2008 handle-less API), a
//! `dladm_vnic_modify` without the errlist functions, a header that
//! disagrees with the symbols — is refused with a message that names what
//! was found. `XBOW_LIBDLADM_ABI` forces a generation (for testing, or for
//! a development build of illumos the detection does not know).

use std::fmt;

/// The environment variable that forces a generation: `14`, `15` or `6`
/// (the number of arguments of `dladm_vnic_create`).
pub const FORCE_ENV: &str = "XBOW_LIBDLADM_ABI";

/// Where the prototype is cross-checked when the header is installed.
pub const VNIC_HEADER: &str = "/usr/include/libdlvnic.h";

/// A `dladm_vnic_create` calling convention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// `(handle, name, linkid, mac_addr_type, mac_addr, mac_len, mac_slot *,
    /// mac_prefix_len, vid, vrid, af, linkid_out *, proplist, flags)`.
    Args14,
    /// As [`Generation::Args14`] with `dladm_errlist_t *` before `flags`.
    Args15,
    /// `(handle, name, dladm_vnic_attr_t *, proplist, errlist, flags)`.
    Attr6,
}

impl Generation {
    /// The number of arguments `dladm_vnic_create` takes.
    pub fn args(self) -> usize {
        match self {
            Generation::Args14 => 14,
            Generation::Args15 => 15,
            Generation::Attr6 => 6,
        }
    }

    fn from_args(n: usize) -> Option<Generation> {
        [Generation::Args14, Generation::Args15, Generation::Attr6]
            .into_iter()
            .find(|g| g.args() == n)
    }
}

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self {
            Generation::Args14 => "14-argument dladm_vnic_create (illumos 2010 to 2020)",
            Generation::Args15 => {
                "15-argument dladm_vnic_create with dladm_errlist_t (2015/2020 to 2025)"
            }
            Generation::Attr6 => {
                "6-argument dladm_vnic_create taking dladm_vnic_attr_t (2026 VNIC rework)"
            }
        };
        f.write_str(what)
    }
}

/// Which of the marker symbols libdladm exports.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Exports {
    pub dladm_open: bool,
    pub dladm_vnic_create: bool,
    pub dladm_errlist_init: bool,
    pub dladm_errlist_reset: bool,
    pub dladm_vnic_modify: bool,
}

impl Exports {
    /// The markers, as `name` (present) or `!name` (absent), for messages.
    fn describe(&self) -> String {
        [
            ("dladm_open", self.dladm_open),
            ("dladm_vnic_create", self.dladm_vnic_create),
            ("dladm_errlist_init", self.dladm_errlist_init),
            ("dladm_errlist_reset", self.dladm_errlist_reset),
            ("dladm_vnic_modify", self.dladm_vnic_modify),
        ]
        .iter()
        .map(|(n, p)| if *p { n.to_string() } else { format!("no {n}") })
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Why no generation could be chosen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbiError {
    #[error(
        "libdladm.so.1 exports no dladm_open ({found}): the pre-2008 handle-less libdladm is not supported"
    )]
    PreHandle { found: String },
    #[error("libdladm.so.1 exports no dladm_vnic_create ({found})")]
    NoVnicCreate { found: String },
    #[error(
        "unknown libdladm generation: the library exports {found}; \
         set {FORCE_ENV}=14, 15 or 6 if you know its dladm_vnic_create"
    )]
    Unknown { found: String },
    #[error(
        "{FORCE_ENV}={value}: expected 14, 15 or 6 (the number of arguments of dladm_vnic_create)"
    )]
    BadForce { value: String },
    #[error(
        "libdladm generation mismatch: the library's symbols ({found}) say {symbols} arguments, \
         but {VNIC_HEADER} declares dladm_vnic_create with {header}; \
         set {FORCE_ENV} to the right one"
    )]
    HeaderMismatch {
        found: String,
        symbols: usize,
        header: usize,
    },
}

/// Decide the generation. `forced` is the value of [`FORCE_ENV`];
/// `header` the text of [`VNIC_HEADER`] if it could be read.
pub fn detect(
    exports: &Exports,
    forced: Option<&str>,
    header: Option<&str>,
) -> Result<Generation, AbiError> {
    if let Some(v) = forced {
        let n = v.trim().parse::<usize>().ok();
        return n
            .and_then(Generation::from_args)
            .ok_or_else(|| AbiError::BadForce {
                value: v.to_string(),
            });
    }
    let found = exports.describe();
    if !exports.dladm_open {
        return Err(AbiError::PreHandle { found });
    }
    if !exports.dladm_vnic_create {
        return Err(AbiError::NoVnicCreate { found });
    }
    let errlist = exports.dladm_errlist_init && exports.dladm_errlist_reset;
    let any_errlist = exports.dladm_errlist_init || exports.dladm_errlist_reset;
    let symbols = match (errlist, any_errlist, exports.dladm_vnic_modify) {
        (false, false, false) => Generation::Args14,
        (true, _, false) => Generation::Args15,
        (true, _, true) => Generation::Attr6,
        _ => return Err(AbiError::Unknown { found }),
    };
    match header.and_then(prototype_args) {
        Some(n) if n != symbols.args() => Err(AbiError::HeaderMismatch {
            found,
            symbols: symbols.args(),
            header: n,
        }),
        _ => Ok(symbols),
    }
}

/// The number of parameters of the `extern` declaration of
/// `dladm_vnic_create` in a header's text, if there is exactly one such
/// declaration that can be read.
pub fn prototype_args(header: &str) -> Option<usize> {
    let text = strip_comments(header);
    let mut found = None;
    for (at, _) in text.match_indices("dladm_vnic_create") {
        let rest = text[at + "dladm_vnic_create".len()..].trim_start();
        let Some(params) = rest.strip_prefix('(') else {
            continue;
        };
        // Only a declaration: the statement it ends must start with extern.
        let stmt_start = text[..at].rfind([';', '}', '{', '#']).map_or(0, |i| i + 1);
        if !text[stmt_start..at]
            .split_whitespace()
            .any(|w| w == "extern")
        {
            continue;
        }
        let n = count_params(params)?;
        if found.replace(n).is_some_and(|prev| prev != n) {
            return None;
        }
    }
    found
}

/// Count the top-level parameters up to the closing parenthesis.
fn count_params(after_open: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut commas = 0usize;
    let mut any = false;
    for c in after_open.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return any.then_some(commas + 1),
            ')' => depth -= 1,
            ',' if depth == 0 => commas += 1,
            c if !c.is_whitespace() => any = true,
            _ => {}
        }
    }
    None
}

/// The text without `/* */` and `//` comments.
fn strip_comments(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    loop {
        let block = rest.find("/*");
        let line = rest.find("//");
        match (block, line) {
            (Some(b), l) if l.is_none_or(|l| b < l) => {
                out.push_str(&rest[..b]);
                out.push(' ');
                rest = rest[b + 2..]
                    .find("*/")
                    .map_or("", |e| &rest[b + 2 + e + 2..]);
            }
            (_, Some(l)) => {
                out.push_str(&rest[..l]);
                rest = rest[l..].find('\n').map_or("", |e| &rest[l + e..]);
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exports(errlist: bool, modify: bool) -> Exports {
        Exports {
            dladm_open: true,
            dladm_vnic_create: true,
            dladm_errlist_init: errlist,
            dladm_errlist_reset: errlist,
            dladm_vnic_modify: modify,
        }
    }

    // Prototypes written the way the three generations' libdlvnic.h
    // declare them (parameter types only, split over lines).
    const H14: &str = "/* c */\nextern dladm_status_t\tdladm_vnic_create(dladm_handle_t, const char *,\n\
        \t    datalink_id_t, vnic_mac_addr_type_t, uchar_t *,\n\t    uint_t, int *, uint_t, uint16_t, vrid_t, int,\n\
        \t    datalink_id_t *, dladm_arg_list_t *, uint32_t);\nextern dladm_status_t dladm_vnic_delete(dladm_handle_t, datalink_id_t, uint32_t);\n";
    const H15: &str = "extern dladm_status_t dladm_vnic_create(dladm_handle_t, const char *,\n\
        datalink_id_t, vnic_mac_addr_type_t, uchar_t *, uint_t, int *, uint_t,\n\
        uint16_t, vrid_t, int, datalink_id_t *, dladm_arg_list_t *,\n\
        dladm_errlist_t *, uint32_t);\n";
    const H6: &str = "typedef struct dladm_vnic_attr { int x; } dladm_vnic_attr_t;\n\
        extern dladm_status_t\tdladm_vnic_create(dladm_handle_t, const char *,\n\
        \t\t\t    dladm_vnic_attr_t *, dladm_arg_list_t *,\n\t\t\t    dladm_errlist_t *, uint32_t);\n";

    #[test]
    fn generations_from_symbols() {
        assert_eq!(
            detect(&exports(false, false), None, None),
            Ok(Generation::Args14)
        );
        assert_eq!(
            detect(&exports(true, false), None, None),
            Ok(Generation::Args15)
        );
        assert_eq!(
            detect(&exports(true, true), None, None),
            Ok(Generation::Attr6)
        );
    }

    #[test]
    fn unknown_combinations_are_refused_with_what_was_found() {
        let e = detect(&exports(false, true), None, None).unwrap_err();
        assert!(matches!(e, AbiError::Unknown { .. }));
        let msg = e.to_string();
        assert!(msg.contains("dladm_vnic_modify"), "{msg}");
        assert!(msg.contains("no dladm_errlist_init"), "{msg}");
        assert!(msg.contains(FORCE_ENV), "{msg}");
        let half = Exports {
            dladm_errlist_reset: false,
            ..exports(true, false)
        };
        assert!(matches!(
            detect(&half, None, None),
            Err(AbiError::Unknown { .. })
        ));
        let old = Exports {
            dladm_open: false,
            ..exports(false, false)
        };
        let msg = detect(&old, None, None).unwrap_err().to_string();
        assert!(msg.contains("pre-2008"), "{msg}");
        let none = Exports {
            dladm_vnic_create: false,
            ..exports(true, false)
        };
        assert!(matches!(
            detect(&none, None, None),
            Err(AbiError::NoVnicCreate { .. })
        ));
    }

    #[test]
    fn forcing() {
        let e = Exports::default();
        assert_eq!(detect(&e, Some("14"), None), Ok(Generation::Args14));
        assert_eq!(detect(&e, Some(" 15 "), None), Ok(Generation::Args15));
        assert_eq!(detect(&e, Some("6"), Some(H14)), Ok(Generation::Attr6));
        assert!(matches!(
            detect(&e, Some("7"), None),
            Err(AbiError::BadForce { .. })
        ));
        assert!(matches!(
            detect(&e, Some("new"), None),
            Err(AbiError::BadForce { .. })
        ));
    }

    #[test]
    fn header_prototypes() {
        assert_eq!(prototype_args(H14), Some(14));
        assert_eq!(prototype_args(H15), Some(15));
        assert_eq!(prototype_args(H6), Some(6));
        assert_eq!(prototype_args("int x;"), None);
        // A call or a definition is not a declaration.
        assert_eq!(
            prototype_args("s = dladm_vnic_create(h, n, a, p, e, f);"),
            None
        );
        // Commented-out declarations do not count.
        assert_eq!(
            prototype_args(&format!("/* extern int dladm_vnic_create(a); */\n{H6}")),
            Some(6)
        );
        assert_eq!(
            prototype_args(&format!("// extern int dladm_vnic_create(a);\n{H15}")),
            Some(15)
        );
    }

    #[test]
    fn header_must_agree_with_symbols() {
        assert_eq!(
            detect(&exports(true, false), None, Some(H15)),
            Ok(Generation::Args15)
        );
        let e = detect(&exports(true, false), None, Some(H6)).unwrap_err();
        assert_eq!(
            e,
            AbiError::HeaderMismatch {
                found: exports(true, false).describe(),
                symbols: 15,
                header: 6
            }
        );
        // An unreadable header is ignored.
        assert_eq!(
            detect(&exports(false, false), None, Some("garbage")),
            Ok(Generation::Args14)
        );
    }
}
