//! The NAT table: what `/dev/ipnat` (and the `/dev/ipf` version check)
//! offer `ipnat`. Implementations answer as the illumos kernel does, with
//! an errno; they print nothing and validate nothing a user can see.

use crate::ipnat::rule::{NatRule, RuleCounters};
use crate::ipnat::session::{HostMap, NatSession, NatStats};
use std::fmt;

/// An errno value, with the illumos numbering and `strerror()` texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

impl Errno {
    pub const EPERM: Errno = Errno(1);
    pub const ENOENT: Errno = Errno(2);
    pub const ESRCH: Errno = Errno(3);
    pub const EIO: Errno = Errno(5);
    pub const ENXIO: Errno = Errno(6);
    pub const ENOMEM: Errno = Errno(12);
    pub const EACCES: Errno = Errno(13);
    pub const EFAULT: Errno = Errno(14);
    pub const EBUSY: Errno = Errno(16);
    pub const EEXIST: Errno = Errno(17);
    pub const ENODEV: Errno = Errno(19);
    pub const EINVAL: Errno = Errno(22);

    /// illumos `strerror()`.
    pub fn text(self) -> String {
        let t = match self.0 {
            1 => "Not owner",
            2 => "No such file or directory",
            3 => "No such process",
            4 => "Interrupted system call",
            5 => "I/O error",
            6 => "No such device or address",
            7 => "Arg list too long",
            8 => "Exec format error",
            9 => "Bad file number",
            10 => "No child processes",
            11 => "Resource temporarily unavailable",
            12 => "Not enough space",
            13 => "Permission denied",
            14 => "Bad address",
            15 => "Block device required",
            16 => "Device busy",
            17 => "File exists",
            18 => "Cross-device link",
            19 => "No such device",
            20 => "Not a directory",
            21 => "Is a directory",
            22 => "Invalid argument",
            23 => "File table overflow",
            24 => "Too many open files",
            25 => "Inappropriate ioctl for device",
            26 => "Text file busy",
            27 => "File too large",
            28 => "No space left on device",
            29 => "Illegal seek",
            30 => "Read-only file system",
            31 => "Too many links",
            32 => "Broken pipe",
            33 => "Argument out of domain",
            34 => "Result too large",
            48 => "Operation not supported",
            78 => "File name too long",
            90 => {
                "Number of symbolic links encountered during path name traversal exceeds MAXSYMLINKS"
            }
            _ => return "Unknown error".to_string(),
        };
        t.to_string()
    }

    /// The illumos errno for an I/O error of the host xbow runs on
    /// (errnos 1 to 34 are the same everywhere; the others by kind).
    pub fn from_io(e: &std::io::Error) -> Errno {
        use std::io::ErrorKind as K;
        match e.raw_os_error() {
            Some(n) if cfg!(target_os = "illumos") => Errno(n),
            Some(n) if (1..=34).contains(&n) => Errno(n),
            // Linux ENAMETOOLONG and ELOOP.
            Some(36) if cfg!(target_os = "linux") => Errno(78),
            Some(40) if cfg!(target_os = "linux") => Errno(90),
            _ => match e.kind() {
                K::NotFound => Errno::ENOENT,
                K::PermissionDenied => Errno::EACCES,
                K::IsADirectory => Errno(21),
                K::NotADirectory => Errno(20),
                _ => Errno(5),
            },
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

/// Why a NAT operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NatError {
    /// The errno the kernel returned.
    #[error("{0}")]
    Errno(Errno),
    /// The backend itself could not work (its state, its device); the text
    /// names the object and the cause.
    #[error("{0}")]
    Backend(String),
}

impl From<Errno> for NatError {
    fn from(e: Errno) -> NatError {
        NatError::Errno(e)
    }
}

pub type NatResult<T> = Result<T, NatError>;

/// Which step of `checkrev()` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionError {
    /// `open("/dev/ipf")`.
    Open(Errno),
    /// `ioctl(SIOCGETFS)`.
    Ioctl(Errno),
    /// The kernel runs another IP Filter version.
    Mismatch(String),
    /// `ioctl(SIOCGETFS)` refused (`EINVAL`) every `friostat_t` size xbow
    /// knows (these, in bytes): the kernel's layout is another one.
    UnknownLayout(Vec<usize>),
    Backend(String),
}

/// An all-or-none change of several rules that failed: rule `index`
/// with `error`; what was done before it was undone, except
/// `undo_failures`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchError {
    pub index: usize,
    pub error: NatError,
    pub undo_failures: Vec<(NatRule, NatError)>,
}

/// Do `op` to each rule; on a failure, `undo` the ones done, in reverse.
fn apply_all<N: Nat + ?Sized>(
    b: &mut N,
    rules: &[&NatRule],
    op: fn(&mut N, &NatRule) -> NatResult<()>,
    undo: fn(&mut N, &NatRule) -> NatResult<()>,
) -> Result<(), BatchError> {
    for (i, r) in rules.iter().enumerate() {
        if let Err(error) = op(b, r) {
            let undo_failures = rules[..i]
                .iter()
                .rev()
                .filter_map(|d| undo(b, d).err().map(|e| ((*d).clone(), e)))
                .collect();
            return Err(BatchError {
                index: i,
                error,
                undo_failures,
            });
        }
    }
    Ok(())
}

/// `SIOCIPFFL` arguments.
pub const FLUSH_LIST: i32 = 0;
pub const FLUSH_TABLE_ALL: i32 = 1;

/// The IP Filter NAT table of one IP stack.
pub trait Nat {
    /// `checkrev("/dev/ipf")`: the kernel runs the IP Filter version this
    /// `ipnat` speaks.
    fn check_version(&mut self) -> Result<(), VersionError>;
    /// `open("/dev/ipnat", write ? O_RDWR : O_RDONLY)`.
    fn open(&mut self, write: bool) -> NatResult<()>;
    /// Whether `zone` names the global zone (`getzoneidbyname`).
    fn is_global_zone(&mut self, zone: &str) -> bool;
    /// `SIOCIPFZONESET`: address the NAT stack of `zone` (its GZ-controlled
    /// stack when `gz`).
    fn set_zone(&mut self, zone: &str, gz: bool) -> NatResult<()>;
    /// `SIOCGNATS`.
    fn stats(&mut self) -> NatResult<NatStats>;
    /// `SIOCIPFFL`: the count the kernel writes back.
    fn flush(&mut self, which: i32) -> NatResult<i32>;
    /// `SIOCADNAT`.
    fn add_rule(&mut self, rule: &NatRule) -> NatResult<()>;
    /// `SIOCRMNAT`.
    fn remove_rule(&mut self, rule: &NatRule) -> NatResult<()>;
    /// Add the rules in order, all or none: the index of the first one
    /// refused, and why. A backend that keeps its table in one state makes
    /// this one change, which a killed run leaves whole or undone; the
    /// kernel's table takes one rule at a time, undone on failure.
    fn add_rules(&mut self, rules: &[&NatRule]) -> Result<(), BatchError> {
        apply_all(self, rules, Self::add_rule, Self::remove_rule)
    }
    /// Remove the rules in order, all or none (as [`Nat::add_rules`]);
    /// rules taken out before a failure are added back at the end.
    fn remove_rules(&mut self, rules: &[&NatRule]) -> Result<(), BatchError> {
        apply_all(self, rules, Self::remove_rule, Self::add_rule)
    }
    /// Add (or with `remove` take out) each rule in turn, as one change
    /// of a table the backend keeps in one state: the errno each rule got
    /// (what the kernel answers for it alone), or an error that changed
    /// nothing. `None` where the table takes one rule at a time (the
    /// kernel's): the caller goes rule by rule.
    fn each_at_once(
        &mut self,
        _rules: &[&NatRule],
        _remove: bool,
    ) -> Option<NatResult<Vec<Option<Errno>>>> {
        None
    }
    /// The rules, in kernel order (`SIOCGENITER`, `IPFGENITER_IPNAT`).
    fn rules(&mut self) -> NatResult<Vec<(NatRule, RuleCounters)>>;
    /// The sessions (`IPFGENITER_NAT`).
    fn sessions(&mut self) -> NatResult<Vec<NatSession>>;
    /// The host mappings (`IPFGENITER_HOSTMAP`).
    fn hostmaps(&mut self) -> NatResult<Vec<HostMap>>;
}
