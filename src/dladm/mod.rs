//! The `dladm` personality: illumos dladm's subcommands, options, output
//! and messages for etherstubs, VNICs, links and link properties.

mod altroot;
mod link;
mod linkprop;
pub(crate) mod output;
pub(crate) mod stats;
pub mod usage;
mod vlan;
mod vnic;

pub use linkprop::LINKPROP_FIELDS;
pub use vnic::VNIC_FIELDS;

use crate::backend::{self, Datalink, DlError};
use crate::getopt::{Getopt, LongOpt, Opt};
use crate::model::link::Conf;
use std::io::{self, Write};

/// What a subcommand needs: the program name for messages, the datalink
/// backend and the output streams.
pub struct Ctx<'a> {
    pub prog: String,
    pub dl: Box<dyn Datalink>,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Terminal height for header repetition (24 when not a terminal).
    pub ws_row: usize,
    /// `--json` was given.
    pub json: bool,
}

/// How a subcommand ends other than normally.
#[derive(Debug)]
pub enum Fail {
    /// `die()`: the message, then exit 1.
    Die(String),
    /// `usage()`: the full usage text, then exit 1.
    Usage,
    /// Writing the output failed.
    Io(io::Error),
    /// Exit 1 after the messages already printed.
    Exit,
}

impl From<io::Error> for Fail {
    fn from(e: io::Error) -> Fail {
        Fail::Io(e)
    }
}

pub type CmdResult = Result<(), Fail>;

pub fn die(msg: impl Into<String>) -> Fail {
    Fail::Die(msg.into())
}

/// `die_dlerr`: the message and the status text.
pub fn die_dlerr(e: &DlError, msg: impl std::fmt::Display) -> Fail {
    match e {
        DlError::Status(s) | DlError::WithErrlist(s, _) => Fail::Die(format!("{msg}: {s}")),
        DlError::Backend(b) => Fail::Die(format!("{msg}: {b}")),
    }
}

/// `die_opterr`.
pub fn die_opterr(opt: &Opt, usage: &str) -> Fail {
    match opt {
        Opt::MissingArg(c) => die(format!("option '-{c}' requires a value\nusage: {usage}")),
        Opt::Unknown(c) | Opt::Flag(c, _) => {
            die(format!("unrecognized option '-{c}'\nusage: {usage}"))
        }
    }
}

/// `die_optdup`.
pub fn die_optdup(c: char) -> Fail {
    die(format!(
        "the option -{c} cannot be specified more than once"
    ))
}

/// `dladm_str2interval`: a positive decimal number of seconds, else
/// `invalid interval value`.
pub fn check_interval(v: &str) -> Result<u64, Fail> {
    match crate::model::cnum::strtoull10(v) {
        Some((n, "")) if (n as i64) > 0 => Ok(n),
        _ => Err(die(format!("invalid interval value '{v}'"))),
    }
}

/// Refuse what xbow does not provide, naming it.
pub fn unsupported(what: &str) -> Fail {
    die(format!("{what} is not supported by xbow"))
}

impl Ctx<'_> {
    /// `warn()`.
    pub fn warn(&mut self, msg: impl std::fmt::Display) -> io::Result<()> {
        self.out.flush()?;
        writeln!(self.err, "{}: warning: {msg}", self.prog)
    }

    /// `warn_dlerr()`.
    pub fn warn_dlerr(&mut self, e: &DlError, msg: impl std::fmt::Display) -> io::Result<()> {
        match e {
            DlError::Status(s) | DlError::WithErrlist(s, _) => self.warn(format!("{msg}: {s}")),
            DlError::Backend(b) => self.warn(format!("{msg}: {b}")),
        }
    }
}

/// The arguments of the delete subcommands (`":R:t"` with `lopts`): the
/// one operand and the configurations to delete it from, or `None` when
/// `-R` made the subcommand append itself to the alternate root instead.
pub fn delete_args(args: &[String], usage: &str) -> Result<Option<(String, Conf)>, Fail> {
    let mut temporary = false;
    let mut altroot = None;
    let mut g = Getopt::new(args, ":R:t", LOPTS);
    for opt in g.by_ref() {
        match opt {
            Opt::Flag('t', _) => temporary = true,
            Opt::Flag('R', v) => altroot = v,
            o => return Err(die_opterr(&o, usage)),
        }
    }
    let ops = g.operands();
    let [name] = ops.as_slice() else {
        return Err(Fail::Usage);
    };
    if let Some(root) = altroot {
        altroot::altroot_cmd(&root, &g.argv())?;
        return Ok(None);
    }
    Ok(Some((name.clone(), Conf::temporary(temporary))))
}

/// Long options shared by several subcommands (`lopts` in dladm.c).
pub const LOPTS: &[LongOpt] = &[
    LongOpt::with_arg("vlan-id", 'v'),
    LongOpt::with_arg("output", 'o'),
    LongOpt::with_arg("dev", 'd'),
    LongOpt::with_arg("policy", 'P'),
    LongOpt::with_arg("lacp-mode", 'L'),
    LongOpt::with_arg("lacp-timer", 'T'),
    LongOpt::with_arg("unicast", 'u'),
    LongOpt::flag("temporary", 't'),
    LongOpt::with_arg("root-dir", 'R'),
    LongOpt::with_arg("link", 'l'),
    LongOpt::flag("forcible", 'f'),
    LongOpt::with_arg("bw-limit", 'b'),
    LongOpt::with_arg("mac-address", 'm'),
    LongOpt::with_arg("slot", 'n'),
];

/// `show_lopts`.
pub const SHOW_LOPTS: &[LongOpt] = &[
    LongOpt::flag("statistics", 's'),
    LongOpt::flag("continuous", 'S'),
    LongOpt::with_arg("interval", 'i'),
    LongOpt::flag("parsable", 'p'),
    LongOpt::flag("parseable", 'p'),
    LongOpt::flag("extended", 'x'),
    LongOpt::with_arg("output", 'o'),
    LongOpt::flag("persistent", 'P'),
    LongOpt::flag("lacp", 'L'),
];

/// The subcommands xbow implements.
/// A subcommand: its context, its arguments (`args[0]` is its name) and
/// its usage string.
type Subcommand = fn(&mut Ctx, &[String], &str) -> CmdResult;

const IMPLEMENTED: &[(&str, Subcommand)] = &[
    ("help", |_, _, _| Err(Fail::Usage)),
    ("rename-link", link::rename_link),
    ("show-link", link::show_link),
    ("show-phys", link::show_phys),
    ("set-linkprop", linkprop::set_linkprop),
    ("reset-linkprop", linkprop::reset_linkprop),
    ("show-linkprop", linkprop::show_linkprop),
    ("create-vnic", vnic::create_vnic),
    ("delete-vnic", vnic::delete_vnic),
    ("show-vnic", vnic::show_vnic),
    ("create-etherstub", vnic::create_etherstub),
    ("delete-etherstub", vnic::delete_etherstub),
    ("show-etherstub", vnic::show_etherstub),
    ("create-vlan", vlan::create_vlan),
    ("delete-vlan", vlan::delete_vlan),
    ("show-vlan", vlan::show_vlan),
];

/// Run `dladm ARGS…` (`args[0]` is the program name) on the backend
/// `XBOW_BACKEND` selects, and return the exit status. `prog` is the name
/// messages are prefixed with.
pub fn main(
    prog: &str,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    ws_row: usize,
) -> i32 {
    let open = || {
        backend::Kind::from_env()
            .map_err(DlError::Backend)
            .and_then(backend::open_datalink)
    };
    run(prog, args, out, err, ws_row, open)
}

/// [`main`] on the backend `open` returns.
pub fn run(
    prog: &str,
    args: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    ws_row: usize,
    open: impl FnOnce() -> backend::DlResult<Box<dyn Datalink>>,
) -> i32 {
    let mut args: Vec<String> = args.to_vec();
    if args.len() < 2 {
        args.push("show-link".into());
    }
    // `--json` is xbow's own; take it out before getopt sees the options.
    let json_at = args
        .iter()
        .skip(2)
        .position(|a| a == "--json")
        .filter(|_| args[1].starts_with("show-"));
    let json = json_at.is_some();
    if let Some(i) = json_at {
        args.remove(i + 2);
    }
    let cmd = args[1].clone();
    let sub = &args[1..];
    let result = match usage::COMMANDS.iter().find(|(n, _)| *n == cmd) {
        None => {
            let _ = writeln!(err, "{prog}: unknown subcommand '{cmd}'");
            Err(Fail::Usage)
        }
        Some(_) => match open() {
            Err(e) => Err(die_dlerr(&e, "could not open /dev/dld")),
            Ok(dl) => {
                let mut ctx = Ctx {
                    prog: prog.to_string(),
                    dl,
                    out: &mut *out,
                    err: &mut *err,
                    ws_row,
                    json,
                };
                let r = match IMPLEMENTED.iter().find(|(n, _)| *n == cmd) {
                    Some((_, f)) => f(&mut ctx, sub, usage::of(&cmd)),
                    None => Err(unsupported(&format!("subcommand '{cmd}'"))),
                };
                if cmd == "help" {
                    let _ = ctx.out.flush();
                    let _ = write!(ctx.err, "{}", usage::text());
                    return 0;
                }
                r
            }
        },
    };
    exit_code(prog, result, out, err, &usage::text())
}

/// How a run of a personality ends: its messages, and the exit status.
pub(crate) fn exit_code(
    prog: &str,
    result: CmdResult,
    out: &mut dyn Write,
    err: &mut dyn Write,
    usage: &str,
) -> i32 {
    let _ = out.flush();
    match result {
        Ok(()) => 0,
        Err(Fail::Die(msg)) => {
            let _ = writeln!(err, "{prog}: {msg}");
            1
        }
        Err(Fail::Usage) => {
            let _ = write!(err, "{usage}");
            1
        }
        Err(Fail::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => 1,
        Err(Fail::Io(e)) => {
            let _ = writeln!(err, "{prog}: write error: {e}");
            1
        }
        Err(Fail::Exit) => 1,
    }
}
