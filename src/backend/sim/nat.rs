//! [`Nat`] on the sim state: the IP Filter NAT table of illumos
//! (`ip_nat.c`) as far as `ipnat` can see it — rule checks and duplicate
//! detection, flushes with their counts, sessions created by simulated
//! flows (`xbow sim nat-flow`), host mappings and statistics.

use super::filter::{select_zone, zone_runs};
use super::filter_state::{with_zone_table, zone_table};
use super::nat_state::{NatState, SimHostMap, SimNatRule, SimSession};
use super::state::SimState;
use super::{StateFile, transact};
use crate::backend::DlError;
use crate::backend::filter::Stack;
use crate::backend::nat::{BatchError, Errno, Nat, NatError, NatResult, VersionError};
use crate::ipnat::rule::{I6Addr, NatFlags, NatRule, Redir, RuleCounters, swap16};
use crate::ipnat::session::{HostMap, NatSession, NatStats};
use std::net::Ipv4Addr;

/// `ipf_nattable_sz`: the session hash table size.
const NAT_TABLE_SZ: u32 = 2047;
/// `MAPBLK_MINPORT`.
const MAPBLK_MINPORT: u32 = 1024;
/// Where the sim pretends its kernel objects live (for `%p` fields).
const KADDR_BASE: u64 = 0xffff_fe00_0000_0000;

/// The proxies the illumos kernel registers: label and protocol, in the
/// order of `lcl_ap_proxies[]` (`usr/src/uts/common/inet/ipf/ip_proxy.c`).
/// Not `msnrpc` (its source is not compiled in), and not `rpcbt`, which
/// that table has under `# if 0`: loading a rule for either fails with
/// `ENOENT`, as `appr_lookup()` finds nothing.
const PROXIES: &[(&str, i32)] = &[
    ("ftp", 6),
    ("irc", 6),
    ("rcmd", 6),
    ("raudio", 6),
    ("netbios", 17),
    ("ipsec", 17),
    ("pptp", 6),
    ("h323", 6),
    ("h245", 6),
    ("rpcbu", 17),
];

/// The sim's `/dev/ipnat`, addressing one IP Filter stack.
pub struct SimNat {
    file: StateFile,
    write: bool,
    stack: Stack,
}

fn backend(e: DlError) -> NatError {
    NatError::Backend(e.to_string())
}

impl SimNat {
    pub fn open(file: StateFile) -> SimNat {
        SimNat {
            file,
            write: false,
            stack: Stack::Global,
        }
    }

    /// The kernel that keeps the sessions (Linux: the global zone's in
    /// xbow's namespace, a zone's stack's in the zone's).
    fn kernel(&self) -> Option<&dyn super::Kernel> {
        self.file.kernel()
    }

    fn read(&self) -> NatResult<NatState> {
        let st = self.file.load().map_err(backend)?;
        match &self.stack {
            Stack::Global => Ok(st.nat),
            Stack::Zone { name, gz } if zone_runs(&st, name) => {
                Ok(zone_table(&st.zone_nats, name, *gz, NatState::default))
            }
            Stack::Zone { .. } => Err(Errno::ENXIO.into()),
        }
    }

    /// A locked change of the NAT state of the stack; nothing is stored
    /// when `f` fails.
    fn change<T>(&self, f: impl FnOnce(&mut NatState) -> NatResult<T>) -> NatResult<T> {
        if !self.write {
            return Err(Errno::EPERM.into());
        }
        change(&self.file, |st| match &self.stack {
            Stack::Global => f(&mut st.nat),
            Stack::Zone { name, gz } if zone_runs(st, name) => {
                with_zone_table(&mut st.zone_nats, name, *gz, NatState::default, f)
            }
            Stack::Zone { .. } => Err(Errno::ENXIO.into()),
        })
    }

    /// `f` for each rule in one change of the state: the index of the
    /// first one refused, and nothing changed.
    fn all_or_none(
        &self,
        rules: &[&NatRule],
        mut f: impl FnMut(&mut NatState, &NatRule) -> NatResult<()>,
    ) -> Result<(), BatchError> {
        let mut failed = 0;
        self.change(|nat| {
            for (i, r) in rules.iter().enumerate() {
                failed = i;
                f(nat, r)?;
            }
            Ok(())
        })
        .map_err(|error| BatchError {
            index: failed,
            error,
            undo_failures: Vec::new(),
        })
    }
}

/// `nat_siocaddnat()`: append the rule, as the kernel checks it.
fn add_to(nat: &mut NatState, n: NatRule) -> NatResult<()> {
    if n.age[0] == 0 && n.age[1] != 0 {
        return Err(Errno::EINVAL.into());
    }
    if n.kind != Redir::Rdr
        && n.flags.has(NatFlags::TCPUDPICMPQ)
        && raw_port(&n, n.pmax) < raw_port(&n, n.pmin)
    {
        return Err(Errno::EINVAL.into());
    }
    if !n.plabel.is_empty()
        && !PROXIES
            .iter()
            .any(|(l, p)| l.as_bytes() == n.plabel.as_bytes() && *p == n.proto)
    {
        return Err(Errno::ENOENT.into());
    }
    if nat.rules.iter().any(|r| !r.deleted && r.rule.same_as(&n)) {
        return Err(Errno::EEXIST.into());
    }
    let id = nat.next_id();
    nat.rules.push(SimNatRule {
        id,
        rule: n,
        hits: 0,
        uses: 0,
        deleted: false,
        next_port: 0,
    });
    Ok(())
}

/// `nat_siocdelnat()`: take the rule out (kept, marked deleted, while
/// sessions use it).
fn remove_from(nat: &mut NatState, n: &NatRule) -> NatResult<()> {
    let i = nat
        .rules
        .iter()
        .position(|r| !r.deleted && r.rule.same_as(n))
        .ok_or(Errno::ESRCH)?;
    if nat.rules[i].uses == 0 {
        nat.rules.remove(i);
    } else {
        nat.rules[i].deleted = true;
    }
    Ok(())
}

/// Run `f` on the whole state under the lock; store only if it succeeds.
pub(super) fn change<T>(
    file: &StateFile,
    f: impl FnOnce(&mut SimState) -> NatResult<T>,
) -> NatResult<T> {
    let mut result = None;
    let r = transact(file, |st| {
        let mut copy = st.clone();
        match f(&mut copy) {
            Ok(v) => {
                *st = copy;
                result = Some(Ok(v));
                Ok(())
            }
            Err(e) => {
                result = Some(Err(e));
                Err(DlError::Backend(String::new()))
            }
        }
    });
    match (result, r) {
        (Some(Err(e)), _) => Err(e),
        // The change was made, but the kernel behind the state (or the
        // state file) refused it: nothing was changed.
        (_, Err(e)) => Err(backend(e)),
        (Some(Ok(v)), Ok(_)) => Ok(v),
        (None, Ok(_)) => Err(NatError::Backend(
            "sim state: the change did not run".into(),
        )),
    }
}

/// What the kernel does to a rule it accepts (`nat_siocaddnat`).
fn kernel_copy(r: &NatRule) -> NatRule {
    let mut n = r.clone();
    if n.v == 0 {
        n.v = 4;
    }
    n.flags.0 &= NatFlags::USERFLAGS;
    if n.kind != Redir::MapBlock {
        if !n.flags.has(NatFlags::SPLIT) {
            n.inside[0] = n.inside[0].and(&n.inside[1]);
        }
        if !n.flags.has(NatFlags::IPRANGE) {
            n.outside[0] = n.outside[0].and(&n.outside[1]);
        }
    }
    if n.kind.code() & 2 != 0 {
        n.flags.clear(NatFlags::NOTDST);
    }
    if n.kind.code() & 5 != 0 {
        n.flags.clear(NatFlags::NOTSRC);
    }
    n
}

/// `ntohs()` of the raw port fields, as the kernel's range check reads them.
fn raw_port(r: &NatRule, p: u16) -> u16 {
    if r.kind == Redir::MapBlock {
        swap16(p)
    } else {
        p
    }
}

impl Nat for SimNat {
    fn check_version(&mut self) -> Result<(), VersionError> {
        self.file
            .load()
            .map(|_| ())
            .map_err(|e| VersionError::Backend(e.to_string()))
    }

    fn open(&mut self, write: bool) -> NatResult<()> {
        // A new descriptor addresses the calling zone's stack.
        self.write = write;
        self.stack = Stack::Global;
        Ok(())
    }

    fn is_global_zone(&mut self, zone: &str) -> bool {
        zone == "global"
    }

    fn set_zone(&mut self, zone: &str, gz: bool) -> NatResult<()> {
        let st = self.file.load().map_err(backend)?;
        self.stack = select_zone(&st, zone, gz)?;
        Ok(())
    }

    fn stats(&mut self) -> NatResult<NatStats> {
        let st = self.read()?;
        let first = |id: Option<u64>| id.map_or(0, |i| KADDR_BASE + (i << 10));
        // A kernel's sessions are its own: the list starts at the first.
        let (inuse, instances) = match self.kernel() {
            Some(_) => {
                let n = self.sessions()?.len() as u64;
                (n, first((n > 0).then_some(1)))
            }
            None => (
                st.sessions.len() as u64,
                first(st.sessions.first().map(|s| s.id)),
            ),
        };
        let c = &st.counters;
        Ok(NatStats {
            mapped: c.mapped,
            added: c.added,
            expired: c.expired,
            memfail: c.memfail,
            badnat: c.badnat,
            inuse,
            orphans: c.orphans,
            rules: st.rules.len() as u64,
            wilds: c.wilds,
            list: first(st.rules.iter().find(|r| !r.deleted).map(|r| r.id)),
            instances,
            maplist: first(st.hostmaps.first().map(|h| h.id)),
        })
    }

    fn flush(&mut self, which: i32) -> NatResult<i32> {
        if let (1, Some(k)) = (which, self.kernel()) {
            if !self.write {
                return Err(Errno::EPERM.into());
            }
            return k
                .nat_flush_sessions(&self.stack)
                .map(|n| i32::try_from(n).unwrap_or(i32::MAX))
                .map_err(backend);
        }
        self.change(|nat| match which {
            0 => {
                for r in nat.rules.iter_mut() {
                    r.deleted = true;
                }
                nat.rules.retain(|r| r.uses > 0);
                // nat_clearlist() returns its loop counter, always 4.
                Ok(4)
            }
            1 => {
                let n = nat.sessions.len();
                let ids: Vec<u64> = nat.sessions.iter().map(|s| s.id).collect();
                for id in ids {
                    delete_session(nat, id);
                }
                Ok(n as i32)
            }
            2 | 3 => Ok(0),
            _ => Err(Errno::EINVAL.into()),
        })
    }

    fn add_rule(&mut self, rule: &NatRule) -> NatResult<()> {
        let n = kernel_copy(rule);
        self.change(|nat| add_to(nat, n))
    }

    fn remove_rule(&mut self, rule: &NatRule) -> NatResult<()> {
        let n = kernel_copy(rule);
        self.change(|nat| remove_from(nat, &n))
    }

    /// One change of the state: a killed run leaves all or none.
    fn add_rules(&mut self, rules: &[&NatRule]) -> Result<(), BatchError> {
        self.all_or_none(rules, |nat, r| add_to(nat, kernel_copy(r)))
    }

    fn remove_rules(&mut self, rules: &[&NatRule]) -> Result<(), BatchError> {
        self.all_or_none(rules, |nat, r| remove_from(nat, &kernel_copy(r)))
    }

    /// One change of the state (one change of the kernel's ruleset).
    fn each_at_once(
        &mut self,
        rules: &[&NatRule],
        remove: bool,
    ) -> Option<NatResult<Vec<Option<Errno>>>> {
        Some(self.change(|nat| {
            rules
                .iter()
                .map(|r| {
                    let n = kernel_copy(r);
                    match if remove {
                        remove_from(nat, &n)
                    } else {
                        add_to(nat, n)
                    } {
                        Ok(()) => Ok(None),
                        Err(NatError::Errno(e)) => Ok(Some(e)),
                        Err(e) => Err(e),
                    }
                })
                .collect()
        }))
    }

    fn rules(&mut self) -> NatResult<Vec<(NatRule, RuleCounters)>> {
        let st = self.read()?;
        Ok(st
            .rules
            .iter()
            .filter(|r| !r.deleted)
            .map(|r| {
                (
                    r.rule.clone(),
                    RuleCounters {
                        hits: r.hits,
                        uses: r.uses,
                        hv: 0,
                    },
                )
            })
            .collect())
    }

    fn sessions(&mut self) -> NatResult<Vec<NatSession>> {
        if let Some(k) = self.kernel() {
            let rules: Vec<NatRule> = self.read()?.rules.into_iter().map(|r| r.rule).collect();
            return k.nat_sessions(&rules, &self.stack).map_err(backend);
        }
        Ok(self
            .read()?
            .sessions
            .into_iter()
            .map(|s| s.session)
            .collect())
    }

    fn hostmaps(&mut self) -> NatResult<Vec<HostMap>> {
        Ok(self
            .read()?
            .hostmaps
            .into_iter()
            .map(|h| h.hostmap)
            .collect())
    }
}

/// `nat_delete()`: a session goes, and with it its references.
fn delete_session(nat: &mut NatState, id: u64) {
    let Some(i) = nat.sessions.iter().position(|s| s.id == id) else {
        return;
    };
    let s = nat.sessions.remove(i);
    if let Some(hm) = s.hostmap {
        if let Some(h) = nat.hostmaps.iter_mut().find(|h| h.id == hm) {
            h.hostmap.refs -= 1;
        }
        nat.hostmaps.retain(|h| h.hostmap.refs > 0);
    }
    if let Some(r) = nat.rules.iter_mut().find(|r| r.id == s.rule) {
        r.uses = r.uses.saturating_sub(1);
    }
    nat.rules.retain(|r| !(r.deleted && r.uses == 0));
}

/// The direction a simulated packet travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlowDir {
    /// Leaving through an interface (`map`, `bimap`, `map-block` rules).
    Out(Option<String>),
    /// Arriving on an interface (`rdr` rules).
    In(Option<String>),
}

/// A packet to play through the NAT rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flow {
    pub proto: u8,
    pub src: Ipv4Addr,
    pub sport: u16,
    pub dst: Ipv4Addr,
    pub dport: u16,
    pub dir: FlowDir,
}

/// Why a flow created no session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    #[error("no NAT rule matches this packet: it would pass untranslated")]
    NoRule,
    #[error(
        "interface {0} has no IPv4 address to map to (give one with `xbow sim add-phys {0} --addr A/N`)"
    )]
    NoAddress(String),
    #[error("rule '{0}' has no free port for this packet")]
    NoPort(String),
    /// IP Filter blocked the packet (`fr_check`): the direction's filter,
    /// the stack (empty: the global zone's, else ` of zone Z …`) and the
    /// rule that decided.
    #[error("blocked by the {dir} filter{on}: {rule}")]
    Blocked {
        dir: &'static str,
        on: String,
        rule: String,
    },
    #[error("{0}")]
    Backend(String),
}

/// The IPv4 address of an interface: a plumbed IP interface's first
/// address, else the `--addr` of a simulated NIC.
fn if_addr(st: &SimState, name: &[u8]) -> Option<Ipv4Addr> {
    let name = std::str::from_utf8(name).ok()?;
    if let Some(a) = st
        .interfaces
        .iter()
        .find(|i| i.name == name || i.name.split(':').next() == Some(name))
        .and_then(|i| i.addrs.first())
    {
        return Some(a.1.addr);
    }
    st.by_name(name)
        .and_then(|l| l.active.as_ref())
        .and_then(|c| c.phys.as_ref())
        .and_then(|p| p.addr)
        .map(|c| c.addr)
}

fn v4(a: &I6Addr) -> u32 {
    a.word0()
}

fn in_net(addr: u32, net: &I6Addr, mask: &I6Addr) -> bool {
    I6Addr::from_v4(Ipv4Addr::from(addr)).in_v4_net(net, mask)
}

/// Whether an outbound packet matches a `map`-type rule.
fn map_matches(r: &NatRule, f: &Flow, ifname: Option<&str>) -> bool {
    if r.v != 4 || r.kind == Redir::Rdr {
        return false;
    }
    if ifname.is_some_and(|i| r.ifnames[1].as_bytes() != i.as_bytes()) {
        return false;
    }
    let pf = NatFlags::of_proto(f.proto);
    let rf = r.flags.0 & NatFlags::TCPUDPICMPQ;
    if rf != 0 && rf & pf == 0 {
        return false;
    }
    if rf == 0 && r.proto != 0 && r.proto != i32::from(f.proto) {
        return false;
    }
    let (s, d) = (u32::from(f.src), u32::from(f.dst));
    if r.flags.has(NatFlags::FILTER) {
        if !in_net(s, &r.inside[0], &r.inside[1]) {
            return false;
        }
        let dst_ok = in_net(d, &r.src[0], &r.src[1]);
        if dst_ok == r.flags.has(NatFlags::NOTDST) {
            return false;
        }
        if pf & NatFlags::TCPUDP != 0 {
            if !r.scmp.op.matches(f.sport, r.scmp.port, r.scmp.top) {
                return false;
            }
            if !r.dcmp.op.matches(f.dport, r.dcmp.port, r.dcmp.top) {
                return false;
            }
        }
        true
    } else {
        in_net(s, &r.inside[0], &r.inside[1])
    }
}

/// Whether an inbound packet matches a `rdr` rule.
fn rdr_matches(r: &NatRule, f: &Flow, ifname: Option<&str>) -> bool {
    if r.v != 4 || r.kind != Redir::Rdr {
        return false;
    }
    if ifname.is_some_and(|i| r.ifnames[0].as_bytes() != i.as_bytes()) {
        return false;
    }
    let pf = NatFlags::of_proto(f.proto);
    let rf = r.flags.0 & NatFlags::TCPUDP;
    if rf != 0 && rf & pf == 0 {
        return false;
    }
    if rf == 0 && r.proto != 0 && r.proto != i32::from(f.proto) {
        return false;
    }
    let (s, d) = (u32::from(f.src), u32::from(f.dst));
    if !in_net(d, &r.outside[0], &r.outside[1]) {
        return false;
    }
    if r.flags.has(NatFlags::FILTER) {
        let src_ok = in_net(s, &r.src[0], &r.src[1]);
        if src_ok == r.flags.has(NatFlags::NOTSRC) {
            return false;
        }
        if pf & NatFlags::TCPUDP != 0 && !r.dcmp.op.is_none() {
            return r.dcmp.op.matches(f.dport, r.dcmp.port, r.dcmp.top);
        }
        true
    } else if rf != 0 {
        f.dport >= r.pmin && f.dport <= r.pmax
    } else {
        true
    }
}

/// `LONG_SUM` and `CALC_SUMD` of ip_nat.c: the checksum adjustment from
/// `s1` to `s2`.
fn calc_sumd(s1: u32, s2: u32) -> u32 {
    let fold = |x: u32| {
        let x = (x & 0xffff) + (x >> 16);
        (x & 0xffff) + (x >> 16)
    };
    let (s1, mut s2) = (fold(s1), fold(s2));
    if s1 > s2 {
        s2 = s2.wrapping_sub(1);
    }
    fold(s2.wrapping_sub(s1))
}

fn long_sum(a: u32) -> u32 {
    (a & 0xffff) + (a >> 16)
}

/// `NAT_HASH_FN` on raw (network-order, read on x86) values.
fn nat_hash(k: u32, l: u32, m: u32) -> u32 {
    k.wrapping_add(k >> 12).wrapping_add(l) % m
}

fn raw_addr(a: Ipv4Addr) -> u32 {
    u32::from_le_bytes(a.octets())
}

/// The hash buckets of a session (`nat_insert`).
fn buckets(
    inip: Ipv4Addr,
    inport: u16,
    outip: Ipv4Addr,
    outport: u16,
    oip: Ipv4Addr,
    oport: u16,
) -> [i32; 2] {
    let (inport, outport, oport) = (
        u32::from(swap16(inport)),
        u32::from(swap16(outport)),
        u32::from(swap16(oport)),
    );
    let h1 = nat_hash(raw_addr(inip), inport, u32::MAX);
    let h1 = nat_hash(raw_addr(oip), h1.wrapping_add(oport), NAT_TABLE_SZ);
    let h2 = nat_hash(raw_addr(outip), outport, u32::MAX);
    let h2 = nat_hash(raw_addr(oip), h2.wrapping_add(oport), NAT_TABLE_SZ);
    [h1 as i32, h2 as i32]
}

/// The session timeouts, in the kernel's half-second ticks (a new TCP
/// connection, UDP, other protocols).
fn timeout(proto: u8) -> u64 {
    match proto {
        6 => 240,
        17 => 240,
        _ => 120,
    }
}

/// A port for a new session on `addr` from the rule's range, going round
/// from its next port and skipping ports sessions use.
fn next_port(nat: &NatState, rule_i: usize, addr: Ipv4Addr, proto: u8) -> Option<u16> {
    let r = &nat.rules[rule_i].rule;
    let next = nat.rules[rule_i].next_port;
    let (lo, hi) = (
        u32::from(r.pmin.max(1)),
        u32::from(r.pmax.max(r.pmin.max(1))),
    );
    let span = hi - lo + 1;
    let start = if next == 0 || u32::from(next) < lo || u32::from(next) > hi {
        lo
    } else {
        u32::from(next)
    };
    let a = I6Addr::from_v4(addr);
    (0..span)
        .map(|k| (lo + (start - lo + k) % span) as u16)
        .find(|&p| {
            !nat.sessions.iter().any(|s| {
                s.session.outside == a && s.session.outside_port == p && s.session.proto == proto
            })
        })
}

/// `xbow sim nat-flow`: play one packet through the loaded rules the way
/// the kernel would, creating (or reusing) its session. Returns it.
pub fn nat_flow(file: &StateFile, f: &Flow) -> Result<NatSession, FlowError> {
    let mut result: Option<Result<NatSession, FlowError>> = None;
    let r = change(file, |st| {
        let nat_before = st.nat.clone();
        let r = flow_in_state(st, f);
        let inbound = matches!(f.dir, FlowDir::In(_));
        // IP Filter in `fr_check`'s order: an inbound packet meets the
        // in-filter after rdr (translated), an outbound one the out-filter
        // before map (as the inside host sent it). A zone's packet passes
        // its zone's stacks on the zone's VNIC: before the global zone's
        // going out, after them coming in.
        let p = filter_packet(f, r.as_ref().ok());
        let zone = super::filter::zone_of_addr(st, if inbound { p.dst } else { p.src });
        let on_zone = |st: &mut SimState| {
            zone.as_ref().and_then(|(z, vnic)| {
                let zp = super::filter::Packet {
                    ifname: vnic.clone(),
                    ..p.clone()
                };
                let (stack, v) = super::filter::zone_check(st, z, &zp);
                (!v.passed()).then(|| (format!(" of {stack}"), v))
            })
        };
        let mut blocked = if inbound { None } else { on_zone(st) };
        if blocked.is_none() {
            let v = super::filter::fr_check(&mut st.filter, &p);
            blocked = if !v.passed() {
                Some((String::new(), v))
            } else if inbound {
                on_zone(st)
            } else {
                None
            };
        }
        let r = match blocked {
            None => r,
            Some((on, v)) => Err(FlowError::Blocked {
                dir: if inbound { "in" } else { "out" },
                on,
                rule: v
                    .rule
                    .map_or_else(|| "keep state limit".into(), |r| r.to_string()),
            }),
        };
        match &r {
            Ok(s) => {
                let inside = if inbound { s.inside.v4() } else { f.src };
                let ifname = s.ifnames[0].to_string();
                super::traffic::count(st, &ifname, inside, packet_bytes(f.proto), !inbound);
            }
            // Nothing of the NAT table changes; the filter's counters do.
            Err(_) => st.nat = nat_before,
        }
        result = Some(r);
        Ok(())
    });
    match (result, r) {
        (_, Err(e)) => Err(FlowError::Backend(e.to_string())),
        (Some(res), Ok(())) => res,
        (None, Ok(())) => Err(FlowError::Backend("sim state: the flow did not run".into())),
    }
}

/// The packet the filter sees of a flow (and of its session, if NAT
/// made one).
fn filter_packet(f: &Flow, s: Option<&NatSession>) -> super::filter::Packet {
    let (given, out) = match &f.dir {
        FlowDir::Out(i) => (i.clone(), true),
        FlowDir::In(i) => (i.clone(), false),
    };
    let ifname = given
        .or_else(|| s.map(|s| s.ifnames[0].to_string()))
        .unwrap_or_default();
    let (dst, dport) = match s {
        Some(s) if !out => (s.inside.v4(), s.inside_port),
        _ => (f.dst, f.dport),
    };
    super::filter::Packet {
        proto: f.proto,
        src: f.src,
        sport: f.sport,
        dst,
        dport,
        tcp_flags: super::filter::TH_SYN,
        icmp_type: 8,
        icmp_code: 0,
        ifname,
        out,
        len: packet_bytes(f.proto),
    }
}

fn flow_in_state(st: &mut SimState, f: &Flow) -> Result<NatSession, FlowError> {
    let a = |x: Ipv4Addr| I6Addr::from_v4(x);
    let ports = matches!(f.proto, 6 | 17);
    let (sport, dport) = if ports { (f.sport, f.dport) } else { (0, 0) };
    // An existing session for the same packet: it counts another packet.
    let inbound = matches!(f.dir, FlowDir::In(_));
    if let Some(s) = st.nat.sessions.iter_mut().find(|s| {
        let x = &s.session;
        x.proto == f.proto
            && if inbound {
                x.remote == a(f.src)
                    && x.remote_port == sport
                    && x.outside == a(f.dst)
                    && x.outside_port == dport
            } else {
                x.inside == a(f.src)
                    && x.inside_port == sport
                    && x.remote == a(f.dst)
                    && x.remote_port == dport
            }
    }) {
        let d = usize::from(!inbound);
        s.session.pkts[d] += 1;
        s.session.bytes[d] += packet_bytes(f.proto);
        st.nat.counters.mapped[d] += 1;
        return Ok(s.session.clone());
    }
    let (ifname, rdr) = match &f.dir {
        FlowDir::Out(i) => (i.clone(), false),
        FlowDir::In(i) => (i.clone(), true),
    };
    // Most specific rules first, as the kernel's hash walk by mask length
    // goes; list order among equals.
    let mut order: Vec<usize> = (0..st.nat.rules.len())
        .filter(|&i| !st.nat.rules[i].deleted)
        .collect();
    order.sort_by_key(|&i| {
        let r = &st.nat.rules[i].rule;
        let m = if r.kind == Redir::Rdr {
            &r.outside[1]
        } else {
            &r.inside[1]
        };
        std::cmp::Reverse(v4(m).count_ones())
    });
    let i = order
        .into_iter()
        .find(|&i| {
            let r = &st.nat.rules[i].rule;
            if rdr {
                rdr_matches(r, f, ifname.as_deref())
            } else {
                map_matches(r, f, ifname.as_deref())
            }
        })
        .ok_or(FlowError::NoRule)?;
    let rule = st.nat.rules[i].rule.clone();
    let rule_id = st.nat.rules[i].id;
    let text = rule.to_string();

    let mut s = NatSession::zeroed();
    s.kind = rule.kind;
    s.v = 4;
    s.proto = f.proto;
    s.flags = NatFlags::of_proto(f.proto);
    s.ifnames = rule.ifnames.clone();
    s.age = timeout(f.proto);
    let mut hostmap = None;
    if rdr {
        let target = if rule.flags.has(NatFlags::SPLIT) && st.nat.rules[i].hits % 2 == 1 {
            rule.inside[1]
        } else {
            rule.inside[0]
        };
        let target = if rule.inside[0].word0() == 0 {
            a(f.dst)
        } else {
            target
        };
        let tport = if rule.flags.has(NatFlags::TCPUDP) && ports {
            if rule.flags.has(NatFlags::FIXEDDPORT) || rule.pmin == rule.pmax {
                rule.pnext
            } else {
                rule.pnext.wrapping_add(f.dport.wrapping_sub(rule.pmin))
            }
        } else {
            dport
        };
        s.inside = target;
        s.inside_port = if ports { tport } else { 0 };
        s.outside = a(f.dst);
        s.outside_port = dport;
        s.remote = a(f.src);
        s.remote_port = sport;
        s.pkts[0] = 1;
        s.bytes[0] = packet_bytes(f.proto);
        st.nat.counters.mapped[0] += 1;
    } else {
        let ifn = &rule.ifnames[1];
        let out_mask = v4(&rule.outside[1]);
        let out = if rule.flags.has(NatFlags::IPRANGE) {
            let (lo, hi) = (v4(&rule.outside[0]), v4(&rule.outside[1]));
            let n = st.nat.hostmaps.iter().filter(|h| h.rule == rule_id).count() as u32;
            Ipv4Addr::from(lo + n % (hi.saturating_sub(lo) + 1))
        } else if out_mask == u32::MAX && v4(&rule.outside[0]) == 0 {
            if_addr(st, ifn.as_bytes()).ok_or_else(|| FlowError::NoAddress(ifn.to_string()))?
        } else if out_mask == u32::MAX {
            rule.outside[0].v4()
        } else if rule.kind == Redir::Bimap || rule.kind == Redir::MapBlock {
            let host = u32::from(f.src) & !v4(&rule.inside[1]);
            let host = if rule.kind == Redir::MapBlock {
                host / u32::from(rule.ippip.max(1))
            } else {
                host
            };
            Ipv4Addr::from(v4(&rule.outside[0]) | (host & !out_mask))
        } else {
            // A pool: the next address after the network's own.
            let n = st.nat.hostmaps.iter().filter(|h| h.rule == rule_id).count() as u32;
            let size = (!out_mask).max(1);
            Ipv4Addr::from(v4(&rule.outside[0]) + 1 + n % size)
        };
        // Keep the address the host was given before.
        let out = st
            .nat
            .hostmaps
            .iter()
            .find(|h| h.rule == rule_id && h.hostmap.src == a(f.src) && h.hostmap.dst == a(f.dst))
            .map(|h| h.hostmap.map.v4())
            .unwrap_or(out);
        let oport = if !ports {
            0
        } else if rule.kind == Redir::MapBlock {
            let per = u32::from(rule.ppip.max(1));
            let slot = (u32::from(f.src) & !v4(&rule.inside[1])) % u32::from(rule.ippip.max(1));
            let base = MAPBLK_MINPORT + slot * per;
            (base + u32::from(f.sport) % per).min(65535) as u16
        } else if (rule.pmin != 0 || rule.pmax != 0)
            && rule.flags.0 & NatFlags::of_proto(f.proto) != 0
        {
            let p = next_port(&st.nat, i, out, f.proto)
                .ok_or_else(|| FlowError::NoPort(text.clone()))?;
            let r = &mut st.nat.rules[i];
            r.next_port = if p >= r.rule.pmax { r.rule.pmin } else { p + 1 };
            p
        } else {
            f.sport
        };
        s.inside = a(f.src);
        s.inside_port = sport;
        s.outside = a(out);
        s.outside_port = oport;
        s.remote = a(f.dst);
        s.remote_port = dport;
        s.pkts[1] = 1;
        s.bytes[1] = packet_bytes(f.proto);
        st.nat.counters.mapped[1] += 1;
        if rule.kind != Redir::Bimap {
            let existing = st.nat.hostmaps.iter_mut().find(|h| {
                h.rule == rule_id && h.hostmap.src == a(f.src) && h.hostmap.dst == a(f.dst)
            });
            let id = match existing {
                Some(h) => {
                    h.hostmap.refs += 1;
                    h.id
                }
                None => {
                    let id = st.nat.next_id();
                    st.nat.hostmaps.push(SimHostMap {
                        id,
                        rule: rule_id,
                        hostmap: HostMap {
                            src: a(f.src),
                            dst: a(f.dst),
                            map: a(out),
                            port: 0,
                            refs: 1,
                            v: 4,
                        },
                    });
                    id
                }
            };
            hostmap = Some(id);
        }
    }
    let (sin, sout) = (u32::from(s.inside.v4()), u32::from(s.outside.v4()));
    s.ipsumd = calc_sumd(long_sum(sin), long_sum(sout));
    let sumd = calc_sumd(
        long_sum(sin) + u32::from(s.inside_port),
        long_sum(sout) + u32::from(s.outside_port),
    );
    s.sumd = [sumd, sumd];
    s.hv = buckets(
        s.inside.v4(),
        s.inside_port,
        s.outside.v4(),
        s.outside_port,
        s.remote.v4(),
        s.remote_port,
    );
    let id = st.nat.next_id();
    st.nat.sessions.push(SimSession {
        id,
        rule: rule_id,
        hostmap,
        session: s.clone(),
    });
    let r = &mut st.nat.rules[i];
    r.hits += 1;
    r.uses += 1;
    st.nat.counters.added += 1;
    Ok(s)
}

/// The size of the simulated packet: an IP header and the smallest
/// protocol header.
pub fn packet_bytes(proto: u8) -> u64 {
    match proto {
        6 => 40,
        _ => 28,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipnat::rule::CmpOp;

    #[test]
    fn checksum_adjustment() {
        assert_eq!(calc_sumd(5, 5), 0);
        assert_eq!(calc_sumd(long_sum(0x0a000001), long_sum(0x0a000002)), 1);
    }

    #[test]
    fn port_compares() {
        assert!(CmpOp::GREATERT.matches(2000, 1024, 0));
        assert!(!CmpOp::GREATERT.matches(80, 1024, 0));
        assert!(CmpOp::INRANGE.matches(10, 1, 20));
        assert!(!CmpOp::INRANGE.matches(1, 1, 20));
        assert!(CmpOp::OUTRANGE.matches(50, 20, 40));
    }
}
