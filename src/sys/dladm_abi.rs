//! Which `dladm_vnic_create` a host's libdladm has, decided from facts
//! observed on the host: the symbols the library exports, the installed
//! headers where there are any, and the OS release. Pure logic
//! ([`detect`]), so that the whole table is tested on every platform; the
//! illumos sys layer feeds it what `dlsym` and the files showed.
//!
//! The generations (reference `dladm.md` §4.4) and what tells them apart:
//!
//! | `dladm_vnic_create` | where | exports |
//! |---|---|---|
//! | 12 arguments (handle, no `vrid`/`af`) — refused | OpenSolaris 2008–2009 (illumos-gate `4ac67f02`) | `dladm_open`, no `dladm_part_create` |
//! | [`Generation::Args14`] | illumos 2010 … early 2020 | `dladm_open` and `dladm_part_create`, no `dladm_errlist_init` |
//! | [`Generation::Args15`] (errlist before the flags) | illumos-joyent 2015, illumos-gate/OmniOS 2020 … | `dladm_errlist_init` + `dladm_errlist_reset`, no `dladm_vnic_modify` |
//! | [`Generation::Attr6`], first commit of the rework | hrosenfeld/illumos-omnios `2485a241` | the same as the 15-argument form |
//! | [`Generation::Attr6`] | the 2026 VNIC rework from `62a21fc1` | the above plus `dladm_vnic_modify` |
//!
//! Two rows cannot be told apart by the symbols:
//!
//! * 12 and 14 arguments: the VRRP change that added `vrid` and `af`
//!   exported nothing new. `dladm_part_create` (IPoIB partitions, 2010,
//!   after the 14-argument `libdlvnic.h`, illumos-gate `1cfa752f`) is in
//!   every 14-argument library since 2010 and in no 12-argument one; a
//!   library without it is refused unless `libdlvnic.h` says 14.
//! * 15 arguments and the first rework commit: `2485a241` changed
//!   `dladm_vnic_create` without touching `mapfile-vers`, which gained
//!   `dladm_vnic_modify` only in the next commit, `62a21fc1`. Here the
//!   installed `libdlvnic.h` (its prototype), then `sys/vnic.h` (the rework
//!   replaced `vnic_ioc_create_t` with `vnic_ioc_t`), then `/etc/release`
//!   (a release built before 2026, which cannot contain the rework) decide;
//!   with none of them the library is refused.
//!
//! Anything else — no `dladm_open` (the pre-2008 handle-less API), a
//! `dladm_vnic_modify` without the errlist functions (the 2007 API, or
//! Oracle Solaris), half of the errlist pair, a header that disagrees with
//! the symbols — is refused with a message that names what was found.
//! [`FORCE_ENV`] forces a generation (for testing, or for a build of
//! illumos the detection cannot place).

use std::fmt;

/// The environment variable that forces a generation: `14`, `15` or `6`
/// (the number of arguments of `dladm_vnic_create`).
pub const FORCE_ENV: &str = "XBOW_LIBDLADM_ABI";

/// Where the prototype is cross-checked when the header is installed.
pub const VNIC_HEADER: &str = "/usr/include/libdlvnic.h";

/// The kernel VNIC ioctl header, whose structures the rework replaced.
pub const SYS_VNIC_HEADER: &str = "/usr/include/sys/vnic.h";

/// The OS release file.
pub const RELEASE_FILE: &str = "/etc/release";

/// The first year a build can contain the VNIC rework (its commits carry
/// "Copyright 2026 Hans Rosenfeld").
pub const REWORK_YEAR: u32 = 2026;

/// The last OmniOS release branched before 2026 (r151056, November 2025;
/// bloody r151057 runs into 2026).
pub const OMNIOS_LAST_BEFORE_REWORK: u32 = 151_056;

/// A `dladm_vnic_create` calling convention xbow can call.
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

/// The pre-VRRP form, which xbow does not call.
const ARGS12: usize = 12;

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
    /// IPoIB partitions (2010): present in every 14-argument library
    /// since then, absent from the 12-argument ones.
    pub dladm_part_create: bool,
}

impl Exports {
    /// The markers, as `name` (present) or `no name` (absent), for messages.
    fn describe(&self) -> String {
        [
            ("dladm_open", self.dladm_open),
            ("dladm_vnic_create", self.dladm_vnic_create),
            ("dladm_errlist_init", self.dladm_errlist_init),
            ("dladm_errlist_reset", self.dladm_errlist_reset),
            ("dladm_vnic_modify", self.dladm_vnic_modify),
            ("dladm_part_create", self.dladm_part_create),
        ]
        .iter()
        .map(|(n, p)| if *p { n.to_string() } else { format!("no {n}") })
        .collect::<Vec<_>>()
        .join(", ")
    }
}

/// Everything detection looks at, as read on the host (`None`: not
/// there, or unreadable).
#[derive(Debug, Clone, Copy, Default)]
pub struct Observed<'a> {
    pub exports: Exports,
    /// The value of [`FORCE_ENV`].
    pub forced: Option<&'a str>,
    /// The text of [`VNIC_HEADER`].
    pub vnic_header: Option<&'a str>,
    /// The text of [`SYS_VNIC_HEADER`].
    pub sys_vnic_header: Option<&'a str>,
    /// The text of [`RELEASE_FILE`].
    pub release: Option<&'a str>,
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
        "the 12-argument dladm_vnic_create of the pre-VRRP libdladm (2008-2009) is not supported ({why})"
    )]
    Args12 { why: String },
    #[error(
        "cannot tell which dladm_vnic_create libdladm.so.1 has: it exports {found}, \
         which fits both the pre-VRRP 12-argument form (not supported) and an early 2010 \
         14-argument build, and {VNIC_HEADER} does not say; \
         set {FORCE_ENV}=14 if it takes 14 arguments"
    )]
    Args12Or14 { found: String },
    #[error(
        "cannot tell which dladm_vnic_create libdladm.so.1 has: it exports {found}, \
         which fits both the 15-argument form and the first commit of the 2026 VNIC rework \
         (6 arguments, before dladm_vnic_modify was exported), and neither {VNIC_HEADER}, \
         {SYS_VNIC_HEADER} nor {RELEASE_FILE} tells them apart; \
         set {FORCE_ENV}=15 or {FORCE_ENV}=6"
    )]
    Args15Or6 { found: String },
    #[error(
        "libdladm generation mismatch: the library's symbols ({found}) allow {symbols}, \
         but {VNIC_HEADER} declares dladm_vnic_create with {header} arguments; \
         set {FORCE_ENV} to the right one"
    )]
    HeaderMismatch {
        found: String,
        symbols: String,
        header: usize,
    },
}

/// What `sys/vnic.h` shows of the kernel VNIC interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VnicIoc {
    /// `vnic_ioc_create_t` and friends: before the rework.
    Separate,
    /// Only the rework's single `vnic_ioc_t`.
    Unified,
}

/// The VNIC ioctl structures a `sys/vnic.h` declares, if it is one.
pub fn sys_vnic_form(header: &str) -> Option<VnicIoc> {
    let text = strip_comments(header);
    let has = |word: &str| {
        text.match_indices(word).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + word.len()..].chars().next();
            let ident = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            !ident(before) && !ident(after)
        })
    };
    if has("vnic_ioc_create_t") {
        Some(VnicIoc::Separate)
    } else if has("vnic_ioc_t") {
        Some(VnicIoc::Unified)
    } else {
        None
    }
}

/// Whether an `/etc/release` names a build made before the rework could
/// exist: OmniOS r151056 or older, or a release dated before
/// [`REWORK_YEAR`] (SmartOS `20250101T000000Z`, OpenIndiana `2025.10`).
/// `false` when the text says nothing certain.
pub fn release_predates_rework(release: &str) -> bool {
    let Some(line) = release.lines().map(str::trim).find(|l| !l.is_empty()) else {
        return false;
    };
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.iter().any(|w| w.eq_ignore_ascii_case("omnios")) {
        return words.iter().any(|w| {
            let digits: String = w
                .strip_prefix('r')
                .unwrap_or("")
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.len() == 6
                && digits
                    .parse()
                    .is_ok_and(|n: u32| n <= OMNIOS_LAST_BEFORE_REWORK)
        });
    }
    words.iter().any(|w| {
        let year = |y: &str| y.parse::<u32>().ok().filter(|y| (2005..2100).contains(y));
        let dated = if let Some((y, m)) = w.split_once('.') {
            // OpenIndiana: 2025.10
            (m.len() == 2 && m.chars().all(|c| c.is_ascii_digit()))
                .then(|| year(y))
                .flatten()
        } else if w.len() == 16 && w.as_bytes()[8] == b'T' && w.ends_with('Z') {
            // SmartOS: 20250101T000000Z
            w[..8]
                .chars()
                .all(|c| c.is_ascii_digit())
                .then(|| year(&w[..4]))
                .flatten()
        } else {
            None
        };
        dated.is_some_and(|y| y < REWORK_YEAR)
    })
}

/// Decide the generation from what was observed (see the module text for
/// the table).
pub fn detect(o: &Observed<'_>) -> Result<Generation, AbiError> {
    if let Some(v) = o.forced {
        let n = v.trim().parse::<usize>().ok();
        if n == Some(ARGS12) {
            return Err(AbiError::Args12 {
                why: format!("{FORCE_ENV}={v}"),
            });
        }
        return n
            .and_then(Generation::from_args)
            .ok_or_else(|| AbiError::BadForce {
                value: v.to_string(),
            });
    }
    let e = &o.exports;
    let found = e.describe();
    if !e.dladm_open {
        return Err(AbiError::PreHandle { found });
    }
    if !e.dladm_vnic_create {
        return Err(AbiError::NoVnicCreate { found });
    }
    let header = o.vnic_header.and_then(prototype_args);
    // The header, where installed, must name one of the candidates.
    let by_header = |candidates: &[usize]| -> Result<Option<usize>, AbiError> {
        match header {
            Some(n) if !candidates.contains(&n) => Err(AbiError::HeaderMismatch {
                found: found.clone(),
                symbols: candidates
                    .iter()
                    .map(|c| format!("{c} arguments"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                header: n,
            }),
            h => Ok(h),
        }
    };
    let pick = |n: usize| match Generation::from_args(n) {
        Some(g) => Ok(g),
        None => Err(AbiError::Args12 {
            why: format!("{VNIC_HEADER} declares it"),
        }),
    };
    match (
        e.dladm_errlist_init,
        e.dladm_errlist_reset,
        e.dladm_vnic_modify,
    ) {
        // No errlist: 14, or the pre-VRRP 12.
        (false, false, false) => {
            if e.dladm_part_create {
                by_header(&[14])?;
                Ok(Generation::Args14)
            } else {
                match by_header(&[ARGS12, 14])? {
                    Some(n) => pick(n),
                    None => Err(AbiError::Args12Or14 { found }),
                }
            }
        }
        // The rework, complete.
        (true, true, true) => {
            by_header(&[6])?;
            Ok(Generation::Attr6)
        }
        // 15, or the rework's first commit.
        (true, true, false) => {
            if let Some(n) = by_header(&[15, 6])? {
                return pick(n);
            }
            match o.sys_vnic_header.and_then(sys_vnic_form) {
                Some(VnicIoc::Separate) => return Ok(Generation::Args15),
                Some(VnicIoc::Unified) => return Ok(Generation::Attr6),
                None => {}
            }
            if o.release.is_some_and(release_predates_rework) {
                return Ok(Generation::Args15);
            }
            Err(AbiError::Args15Or6 { found })
        }
        _ => Err(AbiError::Unknown { found }),
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

    /// The exports of each generation, by what its mapfile-vers lists.
    fn exports(errlist: bool, modify: bool, part: bool) -> Exports {
        Exports {
            dladm_open: true,
            dladm_vnic_create: true,
            dladm_errlist_init: errlist,
            dladm_errlist_reset: errlist,
            dladm_vnic_modify: modify,
            dladm_part_create: part,
        }
    }
    /// illumos-gate 4ac67f02 (2009): handle API, 12-argument create.
    const PRE_VRRP: Exports = Exports {
        dladm_open: true,
        dladm_vnic_create: true,
        dladm_errlist_init: false,
        dladm_errlist_reset: false,
        dladm_vnic_modify: false,
        dladm_part_create: false,
    };

    fn symbols(exports: Exports) -> Observed<'static> {
        Observed {
            exports,
            ..Observed::default()
        }
    }

    // Prototypes written the way each generation's libdlvnic.h declares
    // them (parameter types only, split over lines).
    const H12: &str = "extern dladm_status_t\tdladm_vnic_create(dladm_handle_t, const char *,\n\
        \t    datalink_id_t, vnic_mac_addr_type_t, uchar_t *,\n\t    int, int *, uint_t, uint16_t, datalink_id_t *,\n\
        \t    dladm_arg_list_t *, uint32_t);\n";
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
    // sys/vnic.h before and after the rework (the structures only).
    const SYS_OLD: &str = "#pragma pack(4)\ntypedef struct vnic_ioc_create {\n\tdatalink_id_t vc_vnic_id;\n} vnic_ioc_create_t;\n\
        typedef struct vnic_ioc_delete { datalink_id_t vd_vnic_id; } vnic_ioc_delete_t;\n";
    const SYS_NEW: &str = "/* replaces vnic_ioc_create_t */\ntypedef enum { VNIC_IOC_FLAGS_ANCHOR = 1 << 0 } vnic_flags_t;\n\
        typedef struct vnic_ioc {\n\tdatalink_id_t vi_vnic_id;\n} vnic_ioc_t;\n";

    #[test]
    fn every_generation_from_its_symbols() {
        // 14: illumos 2010..2020 (mapfile with dladm_part_create, no errlist).
        assert_eq!(
            detect(&symbols(exports(false, false, true))),
            Ok(Generation::Args14)
        );
        // 6 with dladm_vnic_modify: the rework from 62a21fc1.
        assert_eq!(
            detect(&symbols(exports(true, true, true))),
            Ok(Generation::Attr6)
        );
        // 12: pre-VRRP, refused without guessing, naming the override.
        let e = detect(&symbols(PRE_VRRP)).unwrap_err();
        assert!(matches!(e, AbiError::Args12Or14 { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains(FORCE_ENV) && msg.contains("no dladm_part_create"),
            "{msg}"
        );
    }

    #[test]
    fn fifteen_or_the_first_rework_commit() {
        let ambiguous = exports(true, false, true);
        // Symbols alone cannot tell: refuse, naming the override.
        let e = detect(&symbols(ambiguous)).unwrap_err();
        assert!(matches!(e, AbiError::Args15Or6 { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("XBOW_LIBDLADM_ABI=15"), "{msg}");
        assert!(msg.contains("XBOW_LIBDLADM_ABI=6"), "{msg}");
        // The installed libdlvnic.h decides.
        let with = |o: Observed<'static>| {
            detect(&Observed {
                exports: ambiguous,
                ..o
            })
        };
        let d = Observed::default;
        assert_eq!(
            with(Observed {
                vnic_header: Some(H15),
                ..d()
            }),
            Ok(Generation::Args15)
        );
        assert_eq!(
            with(Observed {
                vnic_header: Some(H6),
                ..d()
            }),
            Ok(Generation::Attr6)
        );
        // Then sys/vnic.h.
        assert_eq!(
            with(Observed {
                sys_vnic_header: Some(SYS_OLD),
                ..d()
            }),
            Ok(Generation::Args15)
        );
        assert_eq!(
            with(Observed {
                sys_vnic_header: Some(SYS_NEW),
                ..d()
            }),
            Ok(Generation::Attr6)
        );
        // The header outranks sys/vnic.h.
        assert_eq!(
            with(Observed {
                vnic_header: Some(H15),
                sys_vnic_header: Some(SYS_NEW),
                ..d()
            }),
            Ok(Generation::Args15)
        );
        // Then a release built before 2026.
        for release in [
            "  OmniOS v11 r151054au\n  Copyright 2025 OmniOS Community Edition\n",
            "  OmniOS v11 r151056\n",
            "                  SmartOS 20250529T000000Z x86_64\n",
            "             OpenIndiana Hipster 2025.10 (powered by illumos)\n",
        ] {
            assert_eq!(
                with(Observed {
                    release: Some(release),
                    ..d()
                }),
                Ok(Generation::Args15),
                "{release}"
            );
        }
        // A 2026 (or unreadable) release says nothing.
        for release in [
            "  OmniOS v11 r151057\n",
            "  OmniOS v11 r151058\n",
            "  SmartOS 20260105T000000Z x86_64\n",
            "  OpenIndiana Hipster 2026.04 (powered by illumos)\n",
            "Oxide Helios\n",
            "",
        ] {
            assert!(
                matches!(
                    with(Observed {
                        release: Some(release),
                        ..d()
                    }),
                    Err(AbiError::Args15Or6 { .. })
                ),
                "{release}"
            );
        }
    }

    #[test]
    fn twelve_or_fourteen_without_the_marker() {
        let d = Observed::default;
        // The header can place a library without dladm_part_create.
        assert_eq!(
            detect(&Observed {
                exports: PRE_VRRP,
                vnic_header: Some(H14),
                ..d()
            }),
            Ok(Generation::Args14)
        );
        let e = detect(&Observed {
            exports: PRE_VRRP,
            vnic_header: Some(H12),
            ..d()
        })
        .unwrap_err();
        assert!(matches!(e, AbiError::Args12 { .. }), "{e:?}");
        assert!(e.to_string().contains("not supported"));
        // 12 can be named but not forced.
        let e = detect(&Observed {
            forced: Some("12"),
            ..d()
        })
        .unwrap_err();
        assert!(matches!(e, AbiError::Args12 { .. }), "{e:?}");
        assert!(e.to_string().contains("XBOW_LIBDLADM_ABI=12"));
        // Forcing 14 is the way out for an early 2010 build.
        assert_eq!(
            detect(&Observed {
                exports: PRE_VRRP,
                forced: Some("14"),
                ..d()
            }),
            Ok(Generation::Args14)
        );
    }

    #[test]
    fn unknown_combinations_are_refused_with_what_was_found() {
        // dladm_vnic_modify without the errlist: the 2007 API or Solaris.
        let e = detect(&symbols(exports(false, true, true))).unwrap_err();
        assert!(matches!(e, AbiError::Unknown { .. }));
        let msg = e.to_string();
        assert!(msg.contains("dladm_vnic_modify"), "{msg}");
        assert!(msg.contains("no dladm_errlist_init"), "{msg}");
        assert!(msg.contains(FORCE_ENV), "{msg}");
        // Half the errlist pair, with or without modify.
        for modify in [false, true] {
            let half = Exports {
                dladm_errlist_reset: false,
                ..exports(true, modify, true)
            };
            assert!(matches!(
                detect(&symbols(half)),
                Err(AbiError::Unknown { .. })
            ));
        }
        let old = Exports {
            dladm_open: false,
            ..exports(false, true, false)
        };
        let msg = detect(&symbols(old)).unwrap_err().to_string();
        assert!(msg.contains("pre-2008"), "{msg}");
        let none = Exports {
            dladm_vnic_create: false,
            ..exports(true, false, true)
        };
        assert!(matches!(
            detect(&symbols(none)),
            Err(AbiError::NoVnicCreate { .. })
        ));
    }

    #[test]
    fn forcing() {
        let d = Observed::default;
        let f = |v: &'static str| {
            detect(&Observed {
                forced: Some(v),
                ..d()
            })
        };
        assert_eq!(f("14"), Ok(Generation::Args14));
        assert_eq!(f(" 15 "), Ok(Generation::Args15));
        // Forcing wins over every observation.
        assert_eq!(
            detect(&Observed {
                exports: exports(true, false, true),
                forced: Some("6"),
                vnic_header: Some(H14),
                ..d()
            }),
            Ok(Generation::Attr6)
        );
        assert!(matches!(f("7"), Err(AbiError::BadForce { .. })));
        assert!(matches!(f("new"), Err(AbiError::BadForce { .. })));
    }

    #[test]
    fn header_prototypes() {
        assert_eq!(prototype_args(H12), Some(12));
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
    fn sys_vnic_headers() {
        assert_eq!(sys_vnic_form(SYS_OLD), Some(VnicIoc::Separate));
        // The name in a comment does not count; vnic_ioc_t does.
        assert_eq!(sys_vnic_form(SYS_NEW), Some(VnicIoc::Unified));
        assert_eq!(sys_vnic_form("typedef int my_vnic_ioc_t_x;"), None);
        assert_eq!(sys_vnic_form(""), None);
    }

    #[test]
    fn header_must_agree_with_symbols() {
        let d = Observed::default;
        let e = detect(&Observed {
            exports: exports(true, true, true),
            vnic_header: Some(H15),
            ..d()
        })
        .unwrap_err();
        assert_eq!(
            e,
            AbiError::HeaderMismatch {
                found: exports(true, true, true).describe(),
                symbols: "6 arguments".into(),
                header: 15
            }
        );
        let e = detect(&Observed {
            exports: exports(true, false, true),
            vnic_header: Some(H14),
            ..d()
        })
        .unwrap_err();
        assert!(e.to_string().contains("15 arguments or 6 arguments"), "{e}");
        assert!(matches!(
            detect(&Observed {
                exports: exports(false, false, true),
                vnic_header: Some(H15),
                ..d()
            }),
            Err(AbiError::HeaderMismatch { header: 15, .. })
        ));
        // An unreadable header is ignored.
        assert_eq!(
            detect(&Observed {
                exports: exports(false, false, true),
                vnic_header: Some("garbage"),
                ..d()
            }),
            Ok(Generation::Args14)
        );
    }
}
