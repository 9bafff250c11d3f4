//! The sim's `/dev/ipf` and `/dev/ipstate`: the rule sets as `frrequest`
//! keeps them, and a stateful filter engine that decides a packet as
//! `fr_check` does (accounting, state table, then `fr_scanlist`: first
//! match with `quick`, last match otherwise, `head`/`group`, `skip`,
//! `keep state` with TCP state tracking).

use super::filter_state::{
    FilterState, SimFilterRule, SimStateEntry, ZoneFilter, with_zone_table, zone_table,
};
use super::filter_tune;
use super::nat::change;
use super::{SimState, StateFile};
use crate::backend::filter::{
    AuthStats, DirStats, FLUSH_IN, FLUSH_INACTIVE, FLUSH_OUT, FLUSH_TABLE_ALL, FLUSH_TABLE_CLOSING,
    Filter, FilterError, FilterResult, FilterStats, FragStats, Groups, KernelCounters, List,
    ListedRule, LoadFailure, Set, Stack, StateEntry, StateStats, Tunable,
};
use crate::backend::nat::{Errno, NatError, VersionError};
use crate::ipf::FilterRule;
use crate::ipf::rule::{Fi, FrFlags, FrType, Fri};
use crate::ipfilter::types::I6Addr;
use crate::model::zone::ZoneState;
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// `fr_statesize`: the buckets of the state table.
pub const STATE_SIZE: u32 = 5737;
/// `fr_pass`: `IPF_DEFAULT_PASS|FR_NOMATCH`.
pub const DEFAULT_PASS: u32 = FrFlags::PASS | FrFlags::NOMATCH;
/// `IS_TCPFSM`: the state saw the connection start.
pub const IS_TCPFSM: u32 = 0x10000;

/// `IPF_TCPS_*`.
pub mod tcps {
    pub const LISTEN: i32 = 0;
    pub const SYN_SENT: i32 = 1;
    pub const SYN_RECEIVED: i32 = 2;
    pub const HALF_ESTAB: i32 = 3;
    pub const ESTABLISHED: i32 = 4;
    pub const CLOSE_WAIT: i32 = 5;
    pub const FIN_WAIT_1: i32 = 6;
    pub const CLOSING: i32 = 7;
    pub const LAST_ACK: i32 = 8;
    pub const TIME_WAIT: i32 = 10;
    pub const CLOSED: i32 = 11;
}

/// TCP header flags.
pub const TH_FIN: u8 = 0x01;
pub const TH_SYN: u8 = 0x02;
pub const TH_RST: u8 = 0x04;
pub const TH_PUSH: u8 = 0x08;
pub const TH_ACK: u8 = 0x10;

/// A packet to decide (IPv4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    pub proto: u8,
    pub src: Ipv4Addr,
    pub sport: u16,
    pub dst: Ipv4Addr,
    pub dport: u16,
    /// TCP flags (`TH_*`).
    pub tcp_flags: u8,
    pub icmp_type: u8,
    pub icmp_code: u8,
    /// The interface it arrives on (`out` false) or leaves by; empty for
    /// none known.
    pub ifname: String,
    pub out: bool,
    pub len: u64,
}

/// How the filter decided a packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The decision's flags (`FR_PASS`, `FR_BLOCK`, … of the rule, the
    /// state, or [`DEFAULT_PASS`]).
    pub pass: u32,
    /// The rule that decided it (by a state: the state's rule).
    pub rule: Option<FilterRule>,
    /// A state entry decided it: its `is_state`.
    pub by_state: Option<[i32; 2]>,
    /// A state entry was created for it.
    pub state_created: bool,
}

impl Verdict {
    pub fn passed(&self) -> bool {
        FrFlags(self.pass).cmd() == FrFlags::PASS
    }
}

/// The sim's `/dev/ipf`, addressing one IP Filter stack.
pub struct SimFilter {
    file: StateFile,
    write: bool,
    stack: Stack,
}

/// Whether zone `name` runs (its IP stacks exist).
pub fn zone_runs(st: &SimState, name: &str) -> bool {
    st.zones
        .iter()
        .any(|z| z.config.name == name && z.state == ZoneState::Running)
}

/// `SIOCIPFZONESET` on the sim: `global` and zones that do not run have
/// no stack to select (`ENODEV`), a name without a NUL in
/// `ipfz_zonename` is `EFAULT`.
pub fn select_zone(st: &SimState, zone: &str, gz: bool) -> Result<Stack, Errno> {
    if zone.len() >= crate::model::zone::ZONENAME_MAX {
        return Err(Errno::EFAULT);
    }
    if zone == "global" || !zone_runs(st, zone) {
        return Err(Errno::ENODEV);
    }
    Ok(Stack::zone(zone, gz))
}

/// The filter of `stack` as it is now (a zone's untouched stack: fresh);
/// `ENXIO` when the zone does not run (`ipf_find_stack` finds none).
pub fn stack_view(st: &SimState, stack: &Stack) -> Result<FilterState, Errno> {
    match stack {
        Stack::Global => Ok(st.filter.clone()),
        Stack::Zone { name, gz } if zone_runs(st, name) => {
            Ok(zone_table(&st.zone_filters, name, *gz, ZoneFilter::fresh))
        }
        Stack::Zone { .. } => Err(Errno::ENXIO),
    }
}

/// Run `f` on the filter of `stack` (`ENXIO` when its zone does not run);
/// a zone's stack left as it was made is not kept.
pub fn with_stack<T>(
    st: &mut SimState,
    stack: &Stack,
    f: impl FnOnce(&mut FilterState) -> T,
) -> Result<T, Errno> {
    match stack {
        Stack::Global => Ok(f(&mut st.filter)),
        Stack::Zone { name, gz } if zone_runs(st, name) => Ok(with_zone_table(
            &mut st.zone_filters,
            name,
            *gz,
            ZoneFilter::fresh,
            f,
        )),
        Stack::Zone { .. } => Err(Errno::ENXIO),
    }
}

/// The zone's IP stacks are destroyed (`zoneadm halt`): their rules,
/// states and counters go.
pub fn destroy_zone_stacks(st: &mut SimState, zone: &str) {
    st.zone_filters.retain(|z| z.zone != zone);
    st.zone_nats.retain(|z| z.zone != zone);
}

fn to_nat(e: FilterError) -> NatError {
    match e {
        FilterError::Errno(e) => NatError::Errno(e),
        FilterError::Backend(s) => NatError::Backend(s),
    }
}

fn from_nat(e: NatError) -> FilterError {
    match e {
        NatError::Errno(e) => FilterError::Errno(e),
        NatError::Backend(s) => FilterError::Backend(s),
    }
}

impl SimFilter {
    pub fn open(file: StateFile) -> SimFilter {
        SimFilter {
            file,
            write: false,
            stack: Stack::Global,
        }
    }

    fn read(&self) -> FilterResult<FilterState> {
        let st = self
            .file
            .load()
            .map_err(|e| FilterError::Backend(e.to_string()))?;
        Ok(stack_view(&st, &self.stack)?)
    }

    /// A locked change; nothing is stored when `f` fails. `running`: the
    /// ioctl needs IP Filter enabled (`EIO` otherwise).
    fn change<T>(
        &self,
        running: bool,
        f: impl FnOnce(&mut FilterState) -> FilterResult<T>,
    ) -> FilterResult<T> {
        if !self.write {
            return Err(Errno::EPERM.into());
        }
        change(&self.file, |st| {
            with_stack(st, &self.stack, |fs| {
                if running && fs.disabled {
                    return Err(Errno::EIO.into());
                }
                f(fs)
            })
            .map_err(NatError::Errno)?
            .map_err(to_nat)
        })
        .map_err(from_nat)
    }

    fn running(&self) -> FilterResult<FilterState> {
        let f = self.read()?;
        if f.disabled {
            return Err(Errno::EIO.into());
        }
        Ok(f)
    }

    /// The kernel behind the state (`None` on the sim).
    fn kernel(&self) -> Option<&dyn super::Kernel> {
        self.file.kernel()
    }

    /// The filter's state and, where a kernel keeps them, its counters.
    fn with_counters(&self) -> FilterResult<(FilterState, Option<KernelCounters>)> {
        let st = self
            .file
            .load()
            .map_err(|e| FilterError::Backend(e.to_string()))?;
        let view = stack_view(&st, &self.stack)?;
        let k = match self.kernel() {
            Some(k) => Some(k.filter_counters(&view, &self.stack).map_err(backend)?),
            None => None,
        };
        Ok((view, k))
    }

    /// [`Self::with_counters`] of a running filter.
    fn running_with_counters(&self) -> FilterResult<(FilterState, Option<KernelCounters>)> {
        let got = self.with_counters()?;
        if got.0.disabled {
            return Err(Errno::EIO.into());
        }
        Ok(got)
    }
}

/// Whether the kernel behind the state (if any) can hold `r`: a rule it
/// cannot is refused as the illumos kernel refuses one, on its own, in
/// either set (so that a swap never meets it).
fn takes(kernel: Option<&dyn super::Kernel>, r: &FilterRule) -> FilterResult<()> {
    match kernel {
        Some(k) => k.filter_check(r).map_err(FilterError::Backend),
        None => Ok(()),
    }
}

fn backend(e: crate::backend::DlError) -> FilterError {
    FilterError::Backend(e.to_string())
}

/// The statistics with a kernel's pass, block and no-match counts.
fn with_dirs(s: &mut FilterStats, dirs: [DirStats; 2]) {
    for (st, k) in s.st.iter_mut().zip(dirs) {
        st.pass = k.pass;
        st.block = k.block;
        st.nom = k.nom;
    }
}

/// The index of `set` in the state.
fn set_index(f: &FilterState, set: Set) -> usize {
    let a = (f.active & 1) as usize;
    match set {
        Set::Active => a,
        Set::Inactive => 1 - a,
    }
}

/// The group a rule is in (`0` is none).
fn group_of(r: &FilterRule) -> &[u8] {
    match r.group.as_bytes() {
        b"0" => b"",
        g => g,
    }
}

/// A rule as the kernel compares it (`FR_CMPSIZ` and the data): without
/// the `@N` it was given with (loaded rules have none).
fn kernel_key(r: &FilterRule) -> std::borrow::Cow<'_, FilterRule> {
    match r.insert_at {
        None => std::borrow::Cow::Borrowed(r),
        Some(_) => std::borrow::Cow::Owned(FilterRule {
            insert_at: None,
            ..r.clone()
        }),
    }
}

/// `frrequest()`'s checks of a rule to add.
fn check_rule(rules: &[SimFilterRule], r: &FilterRule) -> FilterResult<()> {
    let base = r.rtype.base();
    if r.rtype.0 & FrType::BUILTIN != 0 || (base != FrType::NONE && base != FrType::IPF) {
        return Err(Errno::EINVAL.into());
    }
    if r.v != 4 && r.v != 6 {
        return Err(Errno::EINVAL.into());
    }
    if !r.func.is_empty() && !matches!(r.func.as_bytes(), b"fr_srcgrpmap" | b"fr_dstgrpmap") {
        return Err(Errno::ESRCH.into());
    }
    if !r.flags.has(FrFlags::INQUE) && !r.flags.has(FrFlags::OUTQUE) {
        return Err(Errno::ESRCH.into());
    }
    let g = group_of(r);
    if !g.is_empty()
        && !rules.iter().any(|h| {
            h.rule.grhead.as_bytes() == g
                && List::of(&h.rule).is_out() == List::of(r).is_out()
                && List::of(&h.rule).is_acct() == List::of(r).is_acct()
        })
    {
        return Err(Errno::ESRCH.into());
    }
    if r.flags.has(FrFlags::KEEPSTATE) && r.ipf.mip.flx & Fi::OOW != 0 {
        return Err(Errno::EINVAL.into());
    }
    if r.is_ipf() {
        let dynamic = |t: i32| t != Fri::NORMAL && t != Fri::LOOKUP && t != Fri::RANGE;
        for (t, i) in [(r.ipf.satype, r.ipf.sifpidx), (r.ipf.datype, r.ipf.difpidx)] {
            if dynamic(t) && !(0..4).contains(&i) {
                return Err(Errno::EINVAL.into());
            }
        }
    }
    Ok(())
}

/// Whether rule `h` is in the list of `r` (same list, version, group).
fn same_list(h: &FilterRule, r: &FilterRule) -> bool {
    List::of(h) == List::of(r) && h.v == r.v && group_of(h) == group_of(r)
}

/// Add (or with `insert_at`, insert) a rule, as `frrequest` orders it.
fn add_to(f: &mut FilterState, set: usize, r: &FilterRule) -> FilterResult<()> {
    add_to_known(f, set, r, &mut None)
}

/// The hash of a rule as a set holds it.
fn rule_hash(r: &FilterRule) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    kernel_key(r).hash(&mut h);
    h.finish()
}

/// [`add_to`], with the hashes of the set's rules when a load adds many
/// (a duplicate is then looked for only where a hash matches, not by
/// comparing the rule with every rule of the set).
fn add_to_known(
    f: &mut FilterState,
    set: usize,
    r: &FilterRule,
    known: &mut Option<HashSet<u64>>,
) -> FilterResult<()> {
    let rules = &f.sets[set];
    check_rule(rules, r)?;
    let key = kernel_key(r);
    let hash = known.as_ref().map(|_| rule_hash(r));
    let maybe = match (known.as_ref(), hash) {
        (Some(k), Some(h)) => k.contains(&h),
        _ => true,
    };
    if maybe && rules.iter().any(|h| h.rule == *key) {
        return Err(Errno::EEXIST.into());
    }
    if let (Some(k), Some(h)) = (known.as_mut(), hash) {
        k.insert(h);
    }
    // After the last rule of the list with the same or a lower
    // collection number (else before the list's first rule); a rule is
    // most often added after the last of its list, so the search starts
    // from the end.
    let after = rules
        .iter()
        .rposition(|h| same_list(&h.rule, r) && h.rule.collect <= r.collect);
    let pos = match (after, r.insert_at) {
        (Some(i), None) => i + 1,
        (after, at) => {
            let list: Vec<usize> = (0..rules.len())
                .filter(|&i| same_list(&rules[i].rule, r))
                .collect();
            let append =
                after.map_or_else(|| list.first().copied().unwrap_or(rules.len()), |i| i + 1);
            // `@N`: position N among the rules of the same collection.
            at.and_then(|n| {
                list.iter()
                    .filter(|&&i| rules[i].rule.collect == r.collect)
                    .nth(n as usize)
                    .copied()
            })
            .unwrap_or(append)
        }
    };
    let id = f.next_id();
    f.sets[set].insert(
        pos,
        SimFilterRule {
            id,
            rule: key.into_owned(),
            hits: 0,
            bytes: 0,
        },
    );
    Ok(())
}

fn find(f: &FilterState, set: usize, r: &FilterRule) -> FilterResult<usize> {
    let key = kernel_key(r);
    f.sets[set]
        .iter()
        .position(|h| h.rule == *key)
        .ok_or_else(|| Errno::ESRCH.into())
}

fn remove_from(f: &mut FilterState, set: usize, r: &FilterRule) -> FilterResult<()> {
    let i = find(f, set, r)?;
    let id = f.sets[set][i].id;
    if f.states.iter().any(|s| s.rule == id) {
        return Err(Errno::EBUSY.into());
    }
    f.sets[set].remove(i);
    Ok(())
}

/// `fr_state_flush`.
fn flush_states(f: &mut FilterState, which: i32, v6: bool) -> FilterResult<i32> {
    if !(1..=3).contains(&which) {
        return Err(Errno::EINVAL.into());
    }
    let v = if v6 { 6 } else { 4 };
    let before = f.states.len();
    f.states.retain(|s| {
        let e = &s.entry;
        match which {
            FLUSH_TABLE_ALL => e.v != v,
            // Closing TCP entries, and every non-TCP entry (§4.5).
            FLUSH_TABLE_CLOSING => e.p == 6 && e.state.iter().all(|&x| x < tcps::CLOSE_WAIT),
            _ => e.p == 6 && e.state.iter().all(|&x| x < 9),
        }
    });
    Ok((before - f.states.len()) as i32)
}

impl Filter for SimFilter {
    fn check_version(&mut self) -> Result<(), VersionError> {
        self.file
            .load()
            .map(|_| ())
            .map_err(|e| VersionError::Backend(e.to_string()))
    }

    fn open(&mut self, write: bool) -> FilterResult<()> {
        // A new descriptor addresses the calling zone's stack.
        self.write = write;
        self.stack = Stack::Global;
        Ok(())
    }

    fn is_global_zone(&mut self, zone: &str) -> bool {
        zone == "global"
    }

    fn set_zone(&mut self, zone: &str, gz: bool) -> FilterResult<()> {
        // `fr_setzoneid`: `global` and zones that do not run have no
        // stack to select.
        let st = self
            .file
            .load()
            .map_err(|e| FilterError::Backend(e.to_string()))?;
        self.stack = select_zone(&st, zone, gz)?;
        Ok(())
    }

    fn add_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<()> {
        let kernel = self.kernel();
        self.change(true, |f| {
            let s = set_index(f, set);
            takes(kernel, rule)?;
            add_to(f, s, rule)
        })
    }

    fn remove_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<()> {
        self.change(true, |f| {
            let s = set_index(f, set);
            remove_from(f, s, rule)
        })
    }

    fn zero_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<ListedRule> {
        let mut at = None;
        let mut got = self.change(true, |f| {
            let s = set_index(f, set);
            let i = find(f, s, rule)?;
            at = (set == Set::Active).then_some(i);
            let h = &mut f.sets[s][i];
            let got = ListedRule {
                rule: h.rule.clone(),
                hits: h.hits,
                bytes: h.bytes,
            };
            h.hits = 0;
            h.bytes = 0;
            Ok(got)
        })?;
        // A kernel's counters are those of the rules it holds.
        if let (Some(k), Some(i)) = (self.kernel(), at) {
            (got.hits, got.bytes) = k.filter_zero_rule(&self.stack, i).map_err(backend)?;
        }
        Ok(got)
    }

    fn flush(&mut self, flags: u32, v6: bool) -> FilterResult<i32> {
        self.change(true, |f| {
            let set = set_index(
                f,
                if flags & FLUSH_INACTIVE != 0 {
                    Set::Inactive
                } else {
                    Set::Active
                },
            );
            let v = if v6 { 6 } else { 4 };
            let gone = |r: &FilterRule| {
                let out = List::of(r).is_out();
                r.v == v && (out && flags & FLUSH_OUT != 0 || !out && flags & FLUSH_IN != 0)
            };
            let before = f.sets[set].len();
            f.sets[set].retain(|h| !gone(&h.rule));
            Ok((before - f.sets[set].len()) as i32)
        })
    }

    fn flush_states(&mut self, which: i32, v6: bool) -> FilterResult<i32> {
        let n = self.change(true, |f| flush_states(f, which, v6))?;
        // A kernel keeps the states itself (IPv4 and IPv6 alike: once).
        match self.kernel() {
            Some(k) if !v6 => {
                let gone = k
                    .filter_flush_states(&self.stack, which == FLUSH_TABLE_CLOSING)
                    .map_err(backend)?;
                Ok(n.saturating_add(i32::try_from(gone).unwrap_or(i32::MAX)))
            }
            _ => Ok(n),
        }
    }

    fn swap(&mut self) -> FilterResult<u32> {
        self.change(true, |f| {
            let was = f.active & 1;
            f.active = 1 - was;
            Ok(was)
        })
    }

    fn enable(&mut self, on: bool) -> FilterResult<()> {
        self.change(false, |f| {
            if on {
                f.disabled = false;
            } else if !f.disabled {
                f.sets = Default::default();
                f.states.clear();
                f.disabled = true;
            }
            Ok(())
        })
    }

    fn rules(
        &mut self,
        set: Set,
        list: List,
        v6: bool,
        group: Option<&str>,
    ) -> FilterResult<Vec<ListedRule>> {
        let (f, kernel) = self.running_with_counters()?;
        let s = set_index(&f, set);
        let v = if v6 { 6 } else { 4 };
        // A kernel's counters are those of the rules it holds: the
        // active set's.
        let counts = kernel
            .filter(|_| set == Set::Active)
            .map(|k| k.rules)
            .unwrap_or_default();
        let listed = |(i, h): (usize, &SimFilterRule)| {
            let (hits, bytes) = counts.get(i).copied().unwrap_or((h.hits, h.bytes));
            ListedRule {
                rule: h.rule.clone(),
                hits,
                bytes,
            }
        };
        let rules = &f.sets[s];
        Ok(match group {
            None => rules
                .iter()
                .enumerate()
                .filter(|(_, h)| {
                    List::of(&h.rule) == list && h.rule.v == v && group_of(&h.rule).is_empty()
                })
                .map(listed)
                .collect(),
            Some(g) => {
                let filter = |h: &SimFilterRule| !List::of(&h.rule).is_acct();
                let exists = rules
                    .iter()
                    .filter(|h| filter(h))
                    .any(|h| h.rule.grhead.as_bytes() == g.as_bytes());
                let members: Vec<ListedRule> = rules
                    .iter()
                    .enumerate()
                    .filter(|(_, h)| filter(h) && group_of(&h.rule) == g.as_bytes())
                    .map(listed)
                    .collect();
                if !exists || members.is_empty() {
                    // The kernel hands back one zeroed rule.
                    vec![ListedRule {
                        rule: FilterRule {
                            loglevel: 0,
                            v: 0,
                            ..FilterRule::default()
                        },
                        hits: 0,
                        bytes: 0,
                    }]
                } else {
                    members
                }
            }
        })
    }

    fn stats(&mut self) -> FilterResult<FilterStats> {
        let (f, kernel) = self.with_counters()?;
        let mut s = stats_of(&f);
        if let Some(k) = kernel {
            with_dirs(&mut s, k.dirs);
        }
        Ok(s)
    }

    fn zero_stats(&mut self) -> FilterResult<FilterStats> {
        let mut s = self.change(true, |f| {
            let s = stats_of(f);
            f.stats = Default::default();
            Ok(s)
        })?;
        if let Some(k) = self.kernel() {
            with_dirs(&mut s, k.filter_zero_dirs(&self.stack).map_err(backend)?);
        }
        Ok(s)
    }

    fn log_flags(&mut self) -> FilterResult<u32> {
        Ok(self.read()?.log_flags)
    }

    fn set_log_flags(&mut self, flags: u32) -> FilterResult<()> {
        self.change(true, |f| {
            f.log_flags = flags;
            Ok(())
        })
    }

    fn set_loopback(&mut self, on: bool) -> FilterResult<()> {
        self.change(true, |f| {
            filter_tune::set_loopback(f, on);
            Ok(())
        })
    }

    fn state_stats(&mut self) -> FilterResult<StateStats> {
        let f = self.running()?;
        let mut c = f.state_stats.clone();
        // A kernel's table: its entries, counted by protocol.
        let kernel = match self.kernel() {
            Some(k) => Some(k.filter_states(&self.stack).map_err(backend)?),
            None => None,
        };
        if let Some(k) = &kernel {
            let count = |p: u8| k.iter().filter(|e| e.p == p).count() as u64;
            (c.tcp, c.udp, c.icmp) = (count(6), count(17), count(1));
        }
        let entries: Vec<&StateEntry> = match &kernel {
            Some(k) => k.iter().collect(),
            None => f.states.iter().map(|s| &s.entry).collect(),
        };
        let size = filter_tune::get(&f, "fr_statesize").max(1);
        let mut bucketlen = vec![0u64; size as usize];
        for e in &entries {
            bucketlen[(u64::from(e.hv) % size) as usize] += 1;
        }
        Ok(StateStats {
            tcp: c.tcp,
            udp: c.udp,
            icmp: c.icmp,
            hits: c.hits,
            miss: c.miss,
            max: 0,
            nomem: 0,
            active: entries.len() as u64,
            expire: c.expire,
            fin: c.fin,
            orphans: 0,
            inuse: bucketlen.iter().filter(|&&n| n > 0).count() as u64,
            bucketfull: 0,
            bucketlen,
            ticks: 0,
            logging: !f.state_log_off,
        })
    }

    fn tune_next(&mut self, cookie: u64) -> FilterResult<Option<(Tunable, u64)>> {
        Ok(filter_tune::next(&self.read()?, cookie))
    }

    fn tune_get(&mut self, name: &str) -> FilterResult<(Tunable, u64)> {
        filter_tune::lookup(&self.read()?, name)
    }

    fn tune_set(&mut self, name: &str, value: u64) -> FilterResult<()> {
        self.change(false, |f| filter_tune::set(f, name, value))
    }

    fn frag_stats(&mut self) -> FilterResult<FragStats> {
        // No packet reaches the sim in fragments: the cache stays empty.
        self.running().map(|_| FragStats::default())
    }

    fn auth_stats(&mut self) -> FilterResult<AuthStats> {
        // Nothing is queued for authentication in the sim, and no
        // pre-authenticated rules exist (`ipf -P` is not simulated).
        self.running().map(|_| AuthStats::default())
    }

    fn groups(&mut self) -> FilterResult<Groups> {
        Ok(groups_of(&self.read()?))
    }

    fn get_logging(&mut self, nat: bool) -> FilterResult<i32> {
        let f = self.running()?;
        Ok(if nat {
            filter_tune::get(&f, "nat_logging") as i32
        } else {
            i32::from(!f.state_log_off)
        })
    }

    fn set_logging(&mut self, nat: bool, value: i32) -> FilterResult<()> {
        self.change(true, |f| {
            if nat {
                // SIOCSETLG copies the int in as it is.
                let v = u64::from(value as u32);
                if v == 1 {
                    f.tunables.remove("nat_logging");
                } else {
                    f.tunables.insert("nat_logging".into(), v);
                }
            } else {
                f.state_log_off = value == 0;
            }
            Ok(())
        })
    }

    fn states(&mut self) -> FilterResult<Vec<StateEntry>> {
        let f = self.running()?;
        if let Some(k) = self.kernel() {
            return k.filter_states(&self.stack).map_err(backend);
        }
        Ok(f.states.iter().rev().map(|s| s.entry.clone()).collect())
    }

    fn each_at_once(
        &mut self,
        rules: &[&FilterRule],
        set: Set,
        remove: bool,
        atomic: bool,
    ) -> Option<Result<Vec<FilterResult<()>>, LoadFailure>> {
        let mut failed = 0;
        let kernel = self.kernel();
        let r = self.change(true, |f| {
            let s = set_index(f, set);
            let mut known =
                (!remove).then(|| f.sets[s].iter().map(|h| rule_hash(&h.rule)).collect());
            let mut outcomes = Vec::with_capacity(rules.len());
            for (i, r) in rules.iter().enumerate() {
                failed = i;
                let res = if remove {
                    remove_from(f, s, r)
                } else {
                    takes(kernel, r).and_then(|()| add_to_known(f, s, r, &mut known))
                };
                if atomic {
                    res.clone()?;
                }
                outcomes.push(res);
            }
            Ok(outcomes)
        });
        Some(r.map_err(|error| LoadFailure {
            index: if atomic { failed } else { 0 },
            error,
            done: if atomic { failed } else { 0 },
            undo_failures: Vec::new(),
        }))
    }
}

/// `f_groups` of the sim: for each unit and set, the groups in the order
/// `fr_addgroup` made them (the order their first head rule was loaded
/// in; a group lives while a head refers to it).
fn groups_of(f: &FilterState) -> Groups {
    let mut g = Groups::default();
    for set in [Set::Active, Set::Inactive] {
        let s = set_index(f, set);
        let mut heads: Vec<&SimFilterRule> = f.sets[s]
            .iter()
            .filter(|h| !h.rule.grhead.as_bytes().is_empty())
            .collect();
        heads.sort_by_key(|h| h.id);
        let i = usize::from(set == Set::Inactive);
        for h in heads {
            let list = if List::of(&h.rule).is_acct() {
                &mut g.accounting[i]
            } else {
                &mut g.filter[i]
            };
            let name = h.rule.grhead.to_string();
            if !list.contains(&name) {
                list.push(name);
            }
        }
    }
    g
}

/// `fr_pass`: the decision when no rule matches.
fn fr_pass(f: &FilterState) -> u32 {
    filter_tune::get(f, "fr_pass") as u32
}

/// `fr_getstat()` of the sim.
fn stats_of(f: &FilterState) -> FilterStats {
    FilterStats {
        st: f.stats.clone(),
        froute: [0, 0],
        ticks: 0,
        defpass: fr_pass(f),
        active: f.active & 1,
        running: if f.disabled { -1 } else { 1 },
        logging: true,
        features: 0,
        version: "IP Filter: v4.1.9".into(),
    }
}

// ------------------------------------------------------------ the engine

fn v4(a: &I6Addr) -> u32 {
    a.word0()
}

/// `fi_flx` of a packet.
fn packet_flx(p: &Packet) -> u32 {
    if matches!(p.proto, 6 | 17) {
        Fi::TCPUDP
    } else {
        0
    }
}

/// `fr_ipfcheck()` and the interface test of `fr_scanlist()`.
fn rule_matches(r: &FilterRule, p: &Packet) -> bool {
    if r.v != 4 {
        return false;
    }
    let on = [&r.ifnames[0], &r.ifnames[1]];
    if !on[0].is_empty()
        && on[0].as_bytes() != b"*"
        && !on.iter().any(|n| n.as_bytes() == p.ifname.as_bytes())
    {
        return false;
    }
    if !r.is_ipf() {
        return true;
    }
    let (ip, m) = (&r.ipf.ip, &r.ipf.mip);
    // The version/TOS/TTL/protocol word of a packet with TOS 0, TTL 64.
    let (tos, ttl) = (0u8, 64u8);
    if 4 & m.v != ip.v || tos & m.tos != ip.tos || ttl & m.ttl != ip.ttl || p.proto & m.p != ip.p {
        return false;
    }
    if ip.optmsk != 0 || ip.secmsk != 0 || ip.auth != 0 {
        return false;
    }
    let addr_ok = |t: i32, a: Ipv4Addr, v: &I6Addr, mk: &I6Addr, not: u32| {
        let hit = t == Fri::NORMAL && u32::from(a) & v4(mk) == v4(v);
        hit != r.flags.has(not)
    };
    if !addr_ok(r.ipf.satype, p.src, &ip.src, &m.src, FrFlags::NOTSRCIP)
        || !addr_ok(r.ipf.datype, p.dst, &ip.dst, &m.dst, FrFlags::NOTDSTIP)
    {
        return false;
    }
    if packet_flx(p) & m.flx != ip.flx {
        return false;
    }
    let t = &r.ipf.tuc;
    if !t.src.op.is_none() || !t.dst.op.is_none() || t.tcpfm != 0 {
        if !matches!(p.proto, 6 | 17) {
            return false;
        }
        if !t.src.op.matches(p.sport, t.src.port, t.src.top)
            || !t.dst.op.matches(p.dport, t.dst.port, t.dst.top)
        {
            return false;
        }
        if p.proto == 6 && p.tcp_flags & t.tcpfm != t.tcpf {
            return false;
        }
    }
    if p.proto == 1 && r.ipf.icmpm != 0 {
        let got = (u16::from(p.icmp_type) << 8) | u16::from(p.icmp_code);
        if got & r.ipf.icmpm != r.ipf.icmp {
            return false;
        }
    }
    true
}

/// `fr_scanlist()` over the list of `set` that rule `key` would go to
/// with `group`: the decision and the index of the rule that made it.
fn scanlist(
    f: &mut FilterState,
    set: usize,
    list: List,
    group: &[u8],
    p: &Packet,
    mut pass: u32,
    depth: u32,
) -> (u32, Option<usize>) {
    if depth > 16 {
        return (pass, None);
    }
    let idx: Vec<usize> = (0..f.sets[set].len())
        .filter(|&i| {
            let r = &f.sets[set][i].rule;
            List::of(r) == list && r.v == 4 && group_of(r) == group
        })
        .collect();
    let mut matched = None;
    let mut skip = 0u32;
    for i in idx {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if !rule_matches(&f.sets[set][i].rule, p) {
            continue;
        }
        let h = &mut f.sets[set][i];
        h.hits += 1;
        h.bytes += p.len;
        let passt = h.rule.flags.0;
        let head = h.rule.grhead.as_bytes().to_vec();
        if FrFlags(passt).cmd() == FrFlags::SKIP {
            skip = h.rule.arg;
            continue;
        }
        if passt & FrFlags::LOGMASK == FrFlags::LOG {
            f.stats[usize::from(p.out)].pkl += 1;
            continue;
        }
        pass = passt;
        matched = Some(i);
        if !head.is_empty() {
            let (gp, gm) = scanlist(f, set, list, &head, p, pass, depth + 1);
            if gm.is_some() {
                pass = gp;
                matched = gm;
            }
        }
        if pass & FrFlags::QUICK != 0 {
            break;
        }
    }
    (pass, matched)
}

/// The 5-tuple of a state, as the packet that made it saw it.
fn state_hv(p: &Packet) -> u32 {
    state_bucket(p.src, p.dst, p.sport, p.dport, p.proto)
}

/// The state table bucket of a connection.
pub fn state_bucket(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, proto: u8) -> u32 {
    let (s, d) = (u32::from(src), u32::from(dst));
    let ports = (u32::from(sport) << 16) | u32::from(dport);
    s.wrapping_add(d)
        .wrapping_add(ports)
        .wrapping_add(u32::from(proto))
        % STATE_SIZE
}

/// The timeout queues of the state table (`fr_sttab_init`, `fr_stateinit`):
/// the tunables' values, in half-second ticks.
struct Ttls {
    /// By `IPF_TCPS_*` state.
    tcp: [u64; 12],
    udp: u64,
    udpack: u64,
    icmp: u64,
    icmpack: u64,
    ip: u64,
}

impl Ttls {
    fn of(f: &FilterState) -> Ttls {
        let t = |n: &str| filter_tune::get(f, n);
        let (timeout, idle, half) = (
            t("fr_tcptimeout"),
            t("fr_tcpidletimeout"),
            t("fr_tcphalfclosed"),
        );
        Ttls {
            tcp: [
                timeout,              // LISTEN
                timeout,              // SYN_SENT
                timeout,              // SYN_RECEIVED
                timeout,              // HALF_ESTAB
                idle,                 // ESTABLISHED
                half,                 // CLOSE_WAIT
                half,                 // FIN_WAIT_1
                timeout,              // CLOSING
                t("fr_tcplastack"),   // LAST_ACK
                t("fr_tcpclosewait"), // FIN_WAIT_2
                timeout,              // TIME_WAIT
                t("fr_tcpclosed"),    // CLOSED
            ],
            udp: t("fr_udptimeout"),
            udpack: t("fr_udpacktimeout"),
            icmp: t("fr_icmptimeout"),
            icmpack: t("fr_icmpacktimeout"),
            ip: t("fr_iptimeout"),
        }
    }

    /// The timeout of a state whose latest side is in `tcp_state`
    /// (`replied`: the other side has answered).
    fn get(&self, proto: u8, tcp_state: i32, replied: bool) -> u64 {
        match proto {
            6 => usize::try_from(tcp_state)
                .ok()
                .and_then(|i| self.tcp.get(i).copied())
                .unwrap_or(self.tcp[0]),
            17 if replied => self.udpack,
            17 => self.udp,
            1 | 58 if replied => self.icmpack,
            1 | 58 => self.icmp,
            _ => self.ip,
        }
    }
}

/// `fr_tcp_age()`: the flags of a packet from side `s` move the state;
/// `false` when they are not acceptable there.
fn tcp_age(st: &mut [i32; 2], s: usize, flags: u8) -> bool {
    use tcps::*;
    let (me, peer) = (st[s], st[1 - s]);
    let syn = flags & TH_SYN != 0;
    let ack = flags & TH_ACK != 0;
    let fin = flags & TH_FIN != 0;
    if flags & TH_RST != 0 {
        st[s] = if flags & TH_PUSH != 0 {
            CLOSE_WAIT
        } else {
            CLOSED
        };
        if peer <= ESTABLISHED {
            st[1 - s] = CLOSE_WAIT;
        }
        return true;
    }
    let next = match me {
        LISTEN if syn && !ack => SYN_SENT,
        LISTEN if syn && ack => SYN_RECEIVED,
        LISTEN | HALF_ESTAB if ack => ESTABLISHED,
        SYN_SENT if syn && !ack => SYN_SENT,
        SYN_SENT | SYN_RECEIVED if ack && !syn => ESTABLISHED,
        SYN_RECEIVED if syn && ack => SYN_RECEIVED,
        ESTABLISHED if fin => {
            if peer == FIN_WAIT_1 || peer == CLOSING {
                CLOSING
            } else {
                FIN_WAIT_1
            }
        }
        ESTABLISHED if syn => return false,
        ESTABLISHED if ack && peer == FIN_WAIT_1 => CLOSE_WAIT,
        ESTABLISHED => ESTABLISHED,
        CLOSE_WAIT if fin => LAST_ACK,
        CLOSE_WAIT => CLOSE_WAIT,
        FIN_WAIT_1 | CLOSING if ack && peer >= LAST_ACK => TIME_WAIT,
        CLOSING if ack => TIME_WAIT,
        FIN_WAIT_1 => FIN_WAIT_1,
        CLOSING => CLOSING,
        LAST_ACK | TIME_WAIT | CLOSED if !syn => me,
        _ => return false,
    };
    st[s] = next;
    if next == TIME_WAIT && st[1 - s] == LAST_ACK {
        st[1 - s] = CLOSED;
    }
    true
}

/// `fr_checkstate()`: the state entry this packet belongs to, moved on
/// by it.
fn checkstate(f: &mut FilterState, p: &Packet) -> Option<Verdict> {
    let a = |x: Ipv4Addr| I6Addr::from_v4(x);
    let ports = matches!(p.proto, 6 | 17);
    let found = f.states.iter().position(|s| {
        let e = &s.entry;
        if e.v != 4 || e.p != p.proto {
            return false;
        }
        let fwd = e.src == a(p.src) && e.dst == a(p.dst);
        let rev = e.src == a(p.dst) && e.dst == a(p.src);
        match p.proto {
            _ if ports => {
                fwd && e.sport == p.sport && e.dport == p.dport
                    || rev && e.sport == p.dport && e.dport == p.sport
            }
            // An echo matches its request's state; a reply the reverse.
            1 => fwd && p.icmp_type == e.icmp_type || rev && p.icmp_type == 0 && e.icmp_type == 8,
            _ => fwd || rev,
        }
    });
    let Some(i) = found else {
        f.state_stats.miss += 1;
        return None;
    };
    let ttls = Ttls::of(f);
    let s = &mut f.states[i];
    let rev = s.entry.src != a(p.src) || (ports && s.entry.sport != p.sport);
    if p.proto == 6 && !tcp_age(&mut s.entry.state, usize::from(rev), p.tcp_flags) {
        f.state_stats.miss += 1;
        return None;
    }
    let e = &mut s.entry;
    let k = (usize::from(rev) << 1) + usize::from(p.out);
    e.pkts[k] += 1;
    e.bytes[k] += p.len;
    e.flx[usize::from(p.out)][usize::from(rev)] = packet_flx(p);
    let ifk = (usize::from(p.out) << 1) + usize::from(rev);
    if !e.ifp[ifk] {
        e.ifp[ifk] = true;
        e.ifnames[ifk] = p.ifname.clone();
    }
    let last = e.state[usize::from(rev)];
    e.die = ttls.get(p.proto, last, rev);
    let (pass, state, rule_id) = (e.pass, e.state, s.rule);
    f.state_stats.hits += 1;
    let rule = f
        .sets
        .iter()
        .flatten()
        .find(|h| h.id == rule_id)
        .map(|h| h.rule.clone());
    Some(Verdict {
        pass,
        rule,
        by_state: Some(state),
        state_created: false,
    })
}

/// `fr_addstate()`: false when the rule's `limit` is reached.
fn addstate(f: &mut FilterState, p: &Packet, rule_id: u64, r: &FilterRule) -> bool {
    if r.statemax != 0 && f.states.iter().filter(|s| s.rule == rule_id).count() as u32 >= r.statemax
    {
        return false;
    }
    let mut e = StateEntry {
        v: 4,
        p: p.proto,
        src: I6Addr::from_v4(p.src),
        dst: I6Addr::from_v4(p.dst),
        pass: r.flags.0,
        hv: state_hv(p),
        ..StateEntry::default()
    };
    match p.proto {
        6 | 17 => {
            e.sport = p.sport;
            e.dport = p.dport;
            e.flags = Fi::TCPUDP;
        }
        1 => e.icmp_type = p.icmp_type,
        _ => {}
    }
    if p.proto == 6 {
        if p.tcp_flags & TH_SYN != 0 {
            e.flags |= IS_TCPFSM;
        }
        // Picked up mid-stream: the sender is taken as established.
        if p.tcp_flags & TH_SYN == 0 {
            e.state = [tcps::ESTABLISHED, tcps::HALF_ESTAB];
        } else {
            tcp_age(&mut e.state, 0, p.tcp_flags);
        }
        f.state_stats.tcp += 1;
    } else if p.proto == 17 {
        f.state_stats.udp += 1;
    } else if p.proto == 1 {
        f.state_stats.icmp += 1;
    }
    let k = usize::from(p.out);
    e.pkts[k] = 1;
    e.bytes[k] = p.len;
    e.flx[k][0] = packet_flx(p);
    e.ifp[k << 1] = true;
    e.ifnames[k << 1] = p.ifname.clone();
    e.die = Ttls::of(f).get(p.proto, e.state[0], false);
    f.states.push(SimStateEntry {
        rule: rule_id,
        entry: e,
    });
    true
}

/// `fr_acctpkt()`.
fn acctpkt(f: &mut FilterState, set: usize, p: &Packet) {
    let list = if p.out { List::AcctOut } else { List::AcctIn };
    let (pass, m) = scanlist(f, set, list, b"", p, FrFlags::NOMATCH, 0);
    if m.is_some() && FrFlags(pass).cmd() == FrFlags::ACCOUNT {
        f.stats[0].acct += 1;
    }
}

/// `fr_check()` for one packet in one direction of the sim's stack.
pub fn fr_check(f: &mut FilterState, p: &Packet) -> Verdict {
    if f.disabled {
        return Verdict {
            pass: FrFlags::PASS,
            rule: None,
            by_state: None,
            state_created: false,
        };
    }
    let set = (f.active & 1) as usize;
    let d = usize::from(p.out);
    if !p.out {
        acctpkt(f, set, p);
    }
    let v = match checkstate(f, p) {
        Some(v) => v,
        None => firewall(f, set, p),
    };
    let st: &mut DirStats = &mut f.stats[d];
    match FrFlags(v.pass).cmd() {
        FrFlags::PASS => st.pass += 1,
        FrFlags::BLOCK => st.block += 1,
        _ => {}
    }
    if v.passed() && p.out {
        acctpkt(f, set, p);
    }
    if !v.passed() && !p.out {
        if v.pass & FrFlags::RETMASK == FrFlags::RETRST && p.proto == 6 {
            f.stats[1].ret += 1;
        } else if v.pass & FrFlags::RETICMP != 0 {
            f.stats[0].ret += 1;
        }
    }
    v
}

/// `fr_firewall()`: the rules of the direction decide.
fn firewall(f: &mut FilterState, set: usize, p: &Packet) -> Verdict {
    let list = if p.out { List::Out } else { List::In };
    let default = fr_pass(f);
    let (mut pass, m) = scanlist(f, set, list, b"", p, default, 0);
    let d = usize::from(p.out);
    if pass & FrFlags::NOMATCH != 0 {
        f.stats[d].nom += 1;
    }
    let rule = m.map(|i| f.sets[set][i].clone());
    let mut created = false;
    if let Some(h) = &rule
        && pass & FrFlags::KEEPSTATE != 0
        && FrFlags(pass).cmd() == FrFlags::PASS
    {
        if addstate(f, p, h.id, &h.rule) {
            f.stats[d].ads += 1;
            created = true;
        } else {
            f.stats[d].bads += 1;
            pass = (pass & !FrFlags::CMDMASK) | FrFlags::BLOCK;
        }
    }
    Verdict {
        pass,
        rule: rule.map(|h| h.rule),
        by_state: None,
        state_created: created,
    }
}

/// The running zone whose VNIC `ifname` is.
pub fn zone_of_link<'a>(st: &'a SimState, ifname: &str) -> Option<&'a str> {
    st.zones
        .iter()
        .find(|z| {
            z.state == ZoneState::Running && z.config.nets.iter().any(|n| n.physical == ifname)
        })
        .map(|z| z.config.name.as_str())
}

/// The running zone with address `addr`, and the VNIC that has it.
pub fn zone_of_addr(st: &SimState, addr: Ipv4Addr) -> Option<(String, String)> {
    st.zones
        .iter()
        .filter(|z| z.state == ZoneState::Running)
        .find_map(|z| {
            z.config
                .nets
                .iter()
                .find(|n| n.allowed_address.is_some_and(|a| a.addr == addr))
                .map(|n| (z.config.name.clone(), n.physical.clone()))
        })
}

/// A packet on zone `zone`'s VNIC through the zone's two IP Filter
/// stacks, "outermost" the GZ-controlled one (ip_fil_solaris.c): in, the
/// GZ-controlled stack and then the zone's own; out, the reverse. The
/// stack that blocked it and its verdict, else the last stack's (pass).
pub fn zone_check(st: &mut SimState, zone: &str, p: &Packet) -> (Stack, Verdict) {
    let order = if p.out { [false, true] } else { [true, false] };
    let mut last = None;
    for gz in order {
        let stack = Stack::zone(zone, gz);
        let Ok(v) = with_stack(st, &stack, |f| fr_check(f, p)) else {
            // No such running zone: no stack of its sees the packet.
            continue;
        };
        let passed = v.passed();
        last = Some((stack, v));
        if !passed {
            break;
        }
    }
    last.unwrap_or_else(|| {
        (
            Stack::zone(zone, false),
            Verdict {
                pass: FrFlags::PASS,
                rule: None,
                by_state: None,
                state_created: false,
            },
        )
    })
}

/// `xbow sim packet`: decide one packet with the loaded rules, as the
/// kernel would, keeping the counters and states it moves: on a running
/// zone's VNIC by the zone's stacks, elsewhere by the global zone's.
pub fn filter_packet(file: &StateFile, p: &Packet) -> FilterResult<(Stack, Verdict)> {
    change(file, |st| {
        Ok(match zone_of_link(st, &p.ifname).map(str::to_string) {
            Some(z) => zone_check(st, &z, p),
            None => (Stack::Global, fr_check(&mut st.filter, p)),
        })
    })
    .map_err(from_nat)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> FilterRule {
        text.parse().unwrap()
    }

    fn load(rules: &[&str]) -> FilterState {
        let mut f = FilterState::default();
        for r in rules {
            add_to(&mut f, 0, &rule(r)).unwrap();
        }
        f
    }

    fn tcp(src: &str, sport: u16, dst: &str, dport: u16, flags: u8, out: bool) -> Packet {
        Packet {
            proto: 6,
            src: src.parse().unwrap(),
            sport,
            dst: dst.parse().unwrap(),
            dport,
            tcp_flags: flags,
            icmp_type: 0,
            icmp_code: 0,
            ifname: "e1000g0".into(),
            out,
            len: 40,
        }
    }

    #[test]
    fn last_match_wins_quick_stops() {
        let mut f = load(&[
            "block in all",
            "pass in proto tcp from any to any port = 22",
        ]);
        let v = fr_check(&mut f, &tcp("1.2.3.4", 1000, "10.0.0.1", 22, TH_SYN, false));
        assert!(v.passed());
        let v = fr_check(&mut f, &tcp("1.2.3.4", 1000, "10.0.0.1", 23, TH_SYN, false));
        assert!(!v.passed());
        let mut f = load(&["block in quick all", "pass in all"]);
        let v = fr_check(&mut f, &tcp("1.2.3.4", 1000, "10.0.0.1", 22, TH_SYN, false));
        assert!(!v.passed());
        assert_eq!(f.sets[0][0].hits, 1);
        assert_eq!(f.sets[0][1].hits, 0);
        assert_eq!(f.stats[0].block, 1);
    }

    #[test]
    fn no_rule_passes_as_nomatch() {
        let mut f = FilterState::default();
        let v = fr_check(&mut f, &tcp("1.2.3.4", 1, "5.6.7.8", 2, TH_SYN, true));
        assert!(v.passed() && v.rule.is_none());
        assert_eq!((f.stats[1].pass, f.stats[1].nom), (1, 1));
    }

    #[test]
    fn groups_and_skip() {
        let mut f = load(&[
            "block in all",
            "pass in proto tcp all head 10",
            "block in from 1.2.3.4/32 to any group 10",
        ]);
        let v = fr_check(&mut f, &tcp("1.2.3.4", 1, "5.6.7.8", 2, TH_SYN, false));
        assert!(!v.passed());
        assert_eq!(v.rule.unwrap().group.as_bytes(), b"10");
        let v = fr_check(&mut f, &tcp("1.2.3.5", 1, "5.6.7.8", 2, TH_SYN, false));
        assert!(v.passed());
        let mut f = load(&["block in all", "skip 1 in proto tcp all", "pass in all"]);
        let v = fr_check(&mut f, &tcp("1.2.3.5", 1, "5.6.7.8", 2, TH_SYN, false));
        assert!(!v.passed());
    }

    #[test]
    fn group_needs_head() {
        let mut f = FilterState::default();
        assert_eq!(
            add_to(&mut f, 0, &rule("pass in all group 5")),
            Err(FilterError::Errno(Errno::ESRCH))
        );
        add_to(&mut f, 0, &rule("pass in all")).unwrap();
        assert_eq!(
            add_to(&mut f, 0, &rule("pass in all")),
            Err(FilterError::Errno(Errno::EEXIST))
        );
    }

    #[test]
    fn keep_state_tracks_tcp() {
        let mut f = load(&[
            "block in all",
            "block out all",
            "pass out quick proto tcp from any to any flags S keep state",
        ]);
        let (a, b) = ("10.0.0.2", "8.8.8.8");
        let v = fr_check(&mut f, &tcp(a, 5000, b, 80, TH_SYN, true));
        assert!(v.passed() && v.state_created);
        assert_eq!(f.states[0].entry.state, [1, 0]);
        let v = fr_check(&mut f, &tcp(b, 80, a, 5000, TH_SYN | TH_ACK, false));
        assert!(v.passed());
        assert_eq!(v.by_state, Some([1, 2]));
        fr_check(&mut f, &tcp(a, 5000, b, 80, TH_ACK, true));
        let v = fr_check(&mut f, &tcp(b, 80, a, 5000, TH_ACK, false));
        assert_eq!(v.by_state, Some([4, 4]));
        // Unrelated inbound traffic stays blocked.
        let v = fr_check(&mut f, &tcp(b, 81, a, 5000, TH_SYN, false));
        assert!(!v.passed());
        // Closing.
        fr_check(&mut f, &tcp(a, 5000, b, 80, TH_FIN | TH_ACK, true));
        assert_eq!(f.states[0].entry.state, [6, 4]);
        fr_check(&mut f, &tcp(b, 80, a, 5000, TH_ACK, false));
        assert_eq!(f.states[0].entry.state, [6, 5]);
        fr_check(&mut f, &tcp(b, 80, a, 5000, TH_FIN | TH_ACK, false));
        assert_eq!(f.states[0].entry.state, [6, 8]);
        fr_check(&mut f, &tcp(a, 5000, b, 80, TH_ACK, true));
        assert_eq!(f.states[0].entry.state, [10, 11]);
    }

    #[test]
    fn insert_at_and_collect_order() {
        let mut f = load(&["pass in all", "block in proto tcp all"]);
        add_to(&mut f, 0, &rule("@0 block in proto udp all")).unwrap();
        assert_eq!(f.sets[0][0].rule.proto(), 17);
        add_to(&mut f, 0, &rule("1 pass in proto icmp all")).unwrap();
        assert_eq!(f.sets[0][3].rule.proto(), 1);
        add_to(&mut f, 0, &rule("0 pass in proto 50 all")).unwrap();
        assert_eq!(f.sets[0][3].rule.proto(), 50);
    }
}
