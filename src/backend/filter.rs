//! The packet filter: what `/dev/ipf` and `/dev/ipstate` offer `ipf` and
//! `ipfstat`. Implementations answer as the illumos kernel does (an errno
//! per ioctl); they print nothing and validate nothing a user can see.
//!
//! Each method is one kernel operation, so the illumos backend is a thin
//! layer over the `/dev/ipf` wrappers (a [`FilterRule`] converted to and
//! from a `frentry_t` image), and a Linux backend maps each to nftables.

pub use super::nat::{Errno, VersionError};
use crate::ipf::FilterRule;
use crate::ipfilter::types::I6Addr;
use serde::{Deserialize, Serialize};

/// Why a filter operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// The errno the kernel returned.
    #[error("{0}")]
    Errno(Errno),
    /// The backend itself could not work (its state, its device); the text
    /// names the object and the cause.
    #[error("{0}")]
    Backend(String),
}

impl From<Errno> for FilterError {
    fn from(e: Errno) -> FilterError {
        FilterError::Errno(e)
    }
}

pub type FilterResult<T> = Result<T, FilterError>;

/// Which IP Filter stack a descriptor addresses (`SIOCIPFZONESET`):
/// the calling zone's (the global zone's for xbow), or a non-global
/// zone's own stack or, with `gz`, the GZ-controlled stack the global
/// zone keeps for it. A zone's stacks live while the zone runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stack {
    #[default]
    Global,
    Zone {
        name: String,
        gz: bool,
    },
}

impl Stack {
    /// The own (or with `gz` the GZ-controlled) stack of zone `name`.
    pub fn zone(name: &str, gz: bool) -> Stack {
        Stack::Zone {
            name: name.to_string(),
            gz,
        }
    }
}

impl std::fmt::Display for Stack {
    /// How a message names it: `global`, `zone test1`, `zone test1
    /// (GZ-controlled)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Stack::Global => f.write_str("global"),
            Stack::Zone { name, gz: false } => write!(f, "zone {name}"),
            Stack::Zone { name, gz: true } => write!(f, "zone {name} (GZ-controlled)"),
        }
    }
}

/// Which of the two rule sets (`fr_active`, or the other one: `-I`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Set {
    Active,
    Inactive,
}

/// A list of a set (`iri_inout`: `F_IN`, `F_OUT`, `F_ACIN`, `F_ACOUT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum List {
    In,
    Out,
    AcctIn,
    AcctOut,
}

impl List {
    /// The list a rule goes to: by its direction, `count` rules to the
    /// accounting lists.
    pub fn of(r: &FilterRule) -> List {
        use crate::ipf::rule::FrFlags;
        let out = r.flags.has(FrFlags::OUTQUE);
        match (r.flags.cmd() == FrFlags::ACCOUNT, out) {
            (false, false) => List::In,
            (false, true) => List::Out,
            (true, false) => List::AcctIn,
            (true, true) => List::AcctOut,
        }
    }

    pub fn is_acct(self) -> bool {
        matches!(self, List::AcctIn | List::AcctOut)
    }

    pub fn is_out(self) -> bool {
        matches!(self, List::Out | List::AcctOut)
    }
}

/// `SIOCIPFFL` on `/dev/ipf`: the `FR_INQUE`, `FR_OUTQUE` and
/// `FR_INACTIVE` bits of the value sent.
pub const FLUSH_IN: u32 = 0x8000;
pub const FLUSH_OUT: u32 = 0x4000;
pub const FLUSH_INACTIVE: u32 = 0x8000_0000;
/// `SIOCIPFFL` on `/dev/ipstate`.
pub const FLUSH_TABLE_ALL: i32 = 1;
pub const FLUSH_TABLE_CLOSING: i32 = 2;

/// `FF_*` log flags (`SIOCGETFF`/`SIOCSETFF`).
pub const FF_LOGPASS: u32 = 0x1000_0000;
pub const FF_LOGBLOCK: u32 = 0x2000_0000;
pub const FF_LOGNOMATCH: u32 = 0x4000_0000;
pub const FF_BLOCKNONIP: u32 = 0x8000_0000;

/// A rule as the kernel hands it back, with its counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedRule {
    pub rule: FilterRule,
    /// `fr_hits`, `fr_bytes`.
    pub hits: u64,
    pub bytes: u64,
}

/// `filterstats_t`: the counters of one direction.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DirStats {
    pub pass: u64,
    pub block: u64,
    pub nom: u64,
    pub short: u64,
    pub ppkl: u64,
    pub bpkl: u64,
    pub npkl: u64,
    pub pkl: u64,
    pub skip: u64,
    pub ret: u64,
    pub acct: u64,
    pub bnfr: u64,
    pub nfr: u64,
    pub cfr: u64,
    pub bads: u64,
    pub ads: u64,
    pub chit: u64,
    pub tcpbad: u64,
    pub pull: [u64; 2],
    pub badsrc: u64,
    pub badttl: u64,
    pub bad: u64,
    pub ipv6: u64,
    pub ppshit: u64,
    pub ipud: u64,
}

/// The packet filter's counters where a kernel other than the sim's keeps
/// them: each rule of the active set's (packets, bytes), in the order the
/// state keeps the set, and each direction's `fr_pass`, `fr_block` and
/// `fr_nom`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KernelCounters {
    pub rules: Vec<(u64, u64)>,
    pub dirs: [DirStats; 2],
}

/// What `SIOCGETFS` (`friostat_t`) and `SIOCGETFF` tell `ipf` and
/// `ipfstat`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterStats {
    /// `f_st[0]` (in), `f_st[1]` (out).
    pub st: [DirStats; 2],
    pub froute: [u64; 2],
    pub ticks: u64,
    /// `f_defpass`.
    pub defpass: u32,
    /// `f_active`: 0 or 1.
    pub active: u32,
    /// `f_running`: 1 running, 0 never enabled, -1 disabled.
    pub running: i32,
    pub logging: bool,
    pub features: u32,
    /// `f_version`.
    pub version: String,
}

/// What `SIOCGETFS` on `/dev/ipstate` (`ips_stat_t`), the bucket lengths
/// and `SIOCGETLG` tell `ipfstat -s`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StateStats {
    pub tcp: u64,
    pub udp: u64,
    pub icmp: u64,
    pub hits: u64,
    pub miss: u64,
    pub max: u64,
    pub nomem: u64,
    pub active: u64,
    pub expire: u64,
    pub fin: u64,
    pub orphans: u32,
    pub inuse: u64,
    pub bucketfull: u64,
    /// `iss_bucketlen`: the length of each of the `iss_statesize` buckets.
    pub bucketlen: Vec<u64>,
    pub ticks: u64,
    /// `SIOCGETLG`.
    pub logging: bool,
}

/// One `ipstate_t`, as `printstate` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StateEntry {
    pub v: u8,
    pub p: u8,
    pub src: I6Addr,
    pub dst: I6Addr,
    pub sport: u16,
    pub dport: u16,
    /// `is_pass`: the flags of the rule that made it.
    pub pass: u32,
    /// `is_state[2]`: `IPF_TCPS_*` of the initiator and the responder.
    pub state: [i32; 2],
    /// `is_hv`: the hash bucket.
    pub hv: u32,
    pub tag: u32,
    /// `is_die`: the tick it expires at.
    pub die: u64,
    /// TCP `ts_data[i]`: `td_end`, `td_maxwin`, `td_winscale`.
    pub td_end: [u32; 2],
    pub maxwin: [u32; 2],
    pub winscale: [u32; 2],
    pub smsk: [u32; 2],
    pub s0: [u32; 2],
    pub isninc: [i32; 2],
    pub sumd: [u16; 2],
    pub icmp_id: u16,
    pub icmp_seq: u16,
    pub icmp_type: u8,
    /// `is_pkts`, `is_bytes`: forward in, forward out, backward in,
    /// backward out.
    pub pkts: [u64; 4],
    pub bytes: [u64; 4],
    /// `is_flags` (`SI_*`, `IS_*`).
    pub flags: u32,
    pub opt: [u32; 2],
    pub optmsk: [u32; 2],
    pub sec: u16,
    pub secmsk: u16,
    pub auth: u16,
    pub authmsk: u16,
    /// `is_flx[2][2]`.
    pub flx: [[u32; 2]; 2],
    /// `is_ifname[4]`, and whether the kernel holds a pointer for each.
    pub ifnames: [String; 4],
    pub ifp: [bool; 4],
}

/// The IP Filter packet filter of one IP stack.
pub trait Filter {
    /// `checkrev("/dev/ipf")`.
    fn check_version(&mut self) -> Result<(), VersionError>;
    /// `open("/dev/ipf", write ? O_RDWR : O_RDONLY)`.
    fn open(&mut self, write: bool) -> FilterResult<()>;
    /// Whether `zone` names the global zone (`getzoneidbyname`).
    fn is_global_zone(&mut self, zone: &str) -> bool;
    /// `SIOCIPFZONESET` after [`Filter::open`]: every later call addresses
    /// the filter of `zone`'s own IP stack, or with `gz` its GZ-controlled
    /// one (`ENODEV`: no such running zone; `EACCES`: not from the global
    /// zone). `/dev/ipstate` calls address the same stack.
    fn set_zone(&mut self, zone: &str, gz: bool) -> FilterResult<()>;
    /// `SIOCADAFR`/`SIOCADIFR`, or `SIOCINAFR`/`SIOCINIFR` when the rule
    /// has an `@N` (`insert_at`): into its list (by its flags and group)
    /// of `set`.
    fn add_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<()>;
    /// `SIOCRMAFR`/`SIOCRMIFR`.
    fn remove_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<()>;
    /// `SIOCZRLST`: the loaded rule and its counters before they were
    /// zeroed.
    fn zero_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<ListedRule>;
    /// `SIOCIPFFL` (`SIOCIPFL6` with `v6`) on `/dev/ipf`: `flags` of
    /// [`FLUSH_IN`], [`FLUSH_OUT`], [`FLUSH_INACTIVE`]; how many rules went.
    fn flush(&mut self, flags: u32, v6: bool) -> FilterResult<i32>;
    /// `SIOCIPFFL` (`SIOCIPFL6`) on `/dev/ipstate`: [`FLUSH_TABLE_ALL`] or
    /// [`FLUSH_TABLE_CLOSING`]; how many states went.
    fn flush_states(&mut self, which: i32, v6: bool) -> FilterResult<i32>;
    /// `SIOCSWAPA`: the set that was active (now inactive).
    fn swap(&mut self) -> FilterResult<u32>;
    /// `SIOCFRENB`.
    fn enable(&mut self, on: bool) -> FilterResult<()>;
    /// `SIOCIPFITER`: the rules of a list (or, with a `group`, of that
    /// group of the set's filter lists), in kernel order.
    fn rules(
        &mut self,
        set: Set,
        list: List,
        v6: bool,
        group: Option<&str>,
    ) -> FilterResult<Vec<ListedRule>>;
    /// `SIOCGETFS` on `/dev/ipf`.
    fn stats(&mut self) -> FilterResult<FilterStats>;
    /// `SIOCFRZST`: the statistics before the filter counters were zeroed.
    fn zero_stats(&mut self) -> FilterResult<FilterStats>;
    /// `SIOCGETFF`.
    fn log_flags(&mut self) -> FilterResult<u32>;
    /// `SIOCSETFF`.
    fn set_log_flags(&mut self, flags: u32) -> FilterResult<()>;
    /// `SIOCIPFLP`: filter loopback traffic too, or not (the tunable
    /// `ipf_loopback`).
    fn set_loopback(&mut self, on: bool) -> FilterResult<()>;
    /// `SIOCGETFS` and `SIOCGETLG` on `/dev/ipstate`.
    fn state_stats(&mut self) -> FilterResult<StateStats>;
    /// The state table, newest first (`iss_list`).
    fn states(&mut self) -> FilterResult<Vec<StateEntry>>;
    /// `SIOCIPFGETNEXT` on `/dev/ipf`: the tunable at `cookie` (0, the
    /// NULL cookie: the first) and the cookie the kernel hands back with
    /// it (the next one's); `None` when the kernel finds none there (it
    /// returns the NULL cookie).
    fn tune_next(&mut self, cookie: u64) -> FilterResult<Option<(Tunable, u64)>>;
    /// `SIOCIPFGET` by name (NULL cookie): the tunable and its cookie.
    fn tune_get(&mut self, name: &str) -> FilterResult<(Tunable, u64)>;
    /// `SIOCIPFSET` by name (NULL cookie); needs a writable descriptor.
    fn tune_set(&mut self, name: &str, value: u64) -> FilterResult<()>;
    /// `SIOCGFRST` on `/dev/ipf`.
    fn frag_stats(&mut self) -> FilterResult<FragStats>;
    /// `SIOCATHST` on `/dev/ipauth` (opened read-only).
    fn auth_stats(&mut self) -> FilterResult<AuthStats>;
    /// The group lists `f_groups` points to (kernel memory).
    fn groups(&mut self) -> FilterResult<Groups>;
    /// `SIOCGETLG` on `/dev/ipstate` (`nat`: `/dev/ipnat`).
    fn get_logging(&mut self, nat: bool) -> FilterResult<i32>;
    /// `SIOCSETLG` on `/dev/ipstate` (`nat`: `/dev/ipnat`), opened
    /// read-write.
    fn set_logging(&mut self, nat: bool, value: i32) -> FilterResult<()>;
    /// Add (or with `remove` take out) each rule in turn, as one change
    /// of a table the backend keeps in one state: the outcome of each
    /// (what the kernel answers for it alone), or with `atomic` the first
    /// refusal, which changes nothing. `None` where the table takes one
    /// rule at a time (the kernel's): [`load`] goes rule by rule.
    fn each_at_once(
        &mut self,
        _rules: &[&FilterRule],
        _set: Set,
        _remove: bool,
        _atomic: bool,
    ) -> Option<Result<Vec<FilterResult<()>>, LoadFailure>> {
        None
    }
}

/// Whether two rules are the same rule once loaded (the kernel keeps no
/// `@N` insert position).
pub fn same_rule(a: &FilterRule, b: &FilterRule) -> bool {
    a.insert_at.is_none() && b.insert_at.is_none() && a == b
        || FilterRule {
            insert_at: None,
            ..a.clone()
        } == FilterRule {
            insert_at: None,
            ..b.clone()
        }
}

/// A load that stopped at rule `index` with `error` (`ipf --atomic`, or a
/// backend that could not work): the `done` rules before it were undone,
/// except `undo_failures`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadFailure {
    pub index: usize,
    pub error: FilterError,
    pub done: usize,
    pub undo_failures: Vec<(FilterRule, FilterError)>,
}

/// Add (or with `remove` take out) `rules` in `set`: each on its own as
/// `ipf -f` does (the outcome of each), or with `atomic` all or none (a
/// rule taken out and put back goes to the end of its list).
pub fn load(
    b: &mut dyn Filter,
    rules: &[&FilterRule],
    set: Set,
    remove: bool,
    atomic: bool,
) -> Result<Vec<FilterResult<()>>, LoadFailure> {
    if let Some(r) = b.each_at_once(rules, set, remove, atomic) {
        return r;
    }
    let mut outcomes = Vec::with_capacity(rules.len());
    for (i, r) in rules.iter().enumerate() {
        let res = if remove {
            b.remove_rule(r, set)
        } else {
            b.add_rule(r, set)
        };
        match res {
            Err(error) if atomic => {
                let done: Vec<&FilterRule> = rules[..i]
                    .iter()
                    .zip(&outcomes)
                    .filter(|(_, o): &(_, &FilterResult<()>)| o.is_ok())
                    .map(|(r, _)| *r)
                    .collect();
                let undo_failures = done
                    .iter()
                    .rev()
                    .filter_map(|d| {
                        let u = if remove {
                            b.add_rule(d, set)
                        } else {
                            b.remove_rule(d, set)
                        };
                        u.err().map(|e| ((*d).clone(), e))
                    })
                    .collect();
                return Err(LoadFailure {
                    index: i,
                    error,
                    done: done.len(),
                    undo_failures,
                });
            }
            res => outcomes.push(res),
        }
    }
    Ok(outcomes)
}

/// `IPFT_*` flags of a tunable (`ipftuneable_t.ipft_flags`).
pub const IPFT_RDONLY: i32 = 1;
pub const IPFT_WRDISABLED: i32 = 2;

/// One kernel tunable as `SIOCIPFGET`/`SIOCIPFGETNEXT` return it in an
/// `ipftune_t`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunable {
    /// `ipft_name`.
    pub name: String,
    /// `ipft_min`, `ipft_max`: what `SIOCIPFSET` accepts.
    pub min: u64,
    pub max: u64,
    /// `ipft_sz`: the size of the kernel variable (8, 4, 2 or 1).
    pub sz: i32,
    /// `ipft_flags` ([`IPFT_RDONLY`], [`IPFT_WRDISABLED`]).
    pub flags: i32,
    /// The current value (`ipft_vlong` …, by `sz`).
    pub value: u64,
}

/// `ipfrstat_t`: what `SIOCGFRST` tells `ipfstat -f`, and the fragment
/// cache entries it reads from kernel memory.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FragStats {
    pub exists: u64,
    pub nomem: u64,
    pub new: u64,
    pub hits: u64,
    pub expire: u64,
    pub inuse: u64,
    pub retrans0: u64,
    pub short: u64,
}

/// `fr_authstat_t`: what `SIOCATHST` on `/dev/ipauth` tells `ipfstat -A`,
/// with the rules of `fas_faelist` (`ipf -P` rules and their age).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthStats {
    pub hits: u64,
    pub miss: u64,
    pub nospace: u64,
    pub added: u64,
    pub sendfail: u64,
    pub sendok: u64,
    pub queok: u64,
    pub quefail: u64,
    pub expire: u64,
    /// `fae_list`: each pre-authenticated rule and its `fae_age`.
    pub rules: Vec<AuthRule>,
}

/// One `frauthent_t`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthRule {
    pub age: u64,
    pub rule: FilterRule,
}

/// The group names of one unit (`f_groups[unit][set]`), for each set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Groups {
    /// `IPL_LOGIPF`, `IPL_LOGCOUNT`, `IPL_LOGAUTH`: `[active, inactive]`.
    pub filter: [Vec<String>; 2],
    pub accounting: [Vec<String>; 2],
    pub authentication: [Vec<String>; 2],
}
