//! IP Filter's packet filter rules (`ipf`) as one nftables table that xbow
//! owns, `inet xbow_filter`, beside the NAT table `ip xbow` (`nft.rs`,
//! whose helpers this reuses); no other table is touched. The document is
//! nftables' JSON, applied with `nft -j -f -` in one transaction.
//!
//! **Hooks.** IP Filter's `in` list sees every packet arriving on an
//! interface, forwarded ones included, *after* `rdr`; its `out` list every
//! packet leaving one, forwarded ones included, *before* `map` (ipf.md
//! §4.1). Linux's `input`/`output` hooks miss forwarded packets and
//! `forward` sees them once, not once per interface, so the two lists are
//! hooked at `prerouting` (priority 0: after the NAT table's `dstnat`,
//! -100) and `postrouting` (priority 0: before `srcnat`, 100). Loopback
//! traffic passes unfiltered unless `set intercept_loopback true`.
//!
//! **Order of evaluation** (`fr_check`): `in`: accounting (`count`
//! rules), state, rules; `out`: state, rules, and accounting of the
//! packets that pass. IPv4 and IPv6 packets scan separate lists
//! (`ipfilter`/`ipfilter6`), as rules with `fr_v` 4 and 6 do here. No
//! matching rule: the default, pass (`IPF_DEFAULT_PASS`), the chains'
//! policy.
//!
//! **Last match wins** (`fr_scanlist`): every matching rule replaces the
//! decision, a `quick` one ends the scan. nftables stops at the first
//! verdict, so a list compiles to: a forward pass in IP Filter's order in
//! which each rule only counts its match (its named counter, so hit counts
//! are IP Filter's: every rule scanned and matched counts) and a `quick`
//! rule also decides; then, when no `quick` rule matched, the rules that
//! can decide, in *reverse* order, with their verdicts: the first of them
//! that matches is the last that matched going forward. Rules are pure
//! matches (no state changes before the verdict), so evaluating one twice
//! gives the same answer; this keeps the packet mark and registers free
//! (a verdict mark per rule would take bits of `meta mark` from whoever
//! else uses it). A `skip N` rule that matches goes (`goto`) to a chain
//! for the rest of the list without the next N rules; a group head
//! (`head G`) that matches goes to a chain for its group's rules followed
//! by the rest of the list, each path with its own reverse pass over the
//! rules it scanned; a `quick` head whose group leaves no decision of its
//! own decides there. A head that matched decides unless a later rule
//! does, so its path ignores the rules before it, and paths that meet
//! again (the same steps left, the same rules that may decide) share one
//! chain: a list of heads one after another makes a chain per head, not
//! per combination. Paths share the rules' named counters. (On a hit of
//! its per-direction result cache, `fr_firewall` counts the deciding rule
//! only; these counters always count as a full scan does.)
//!
//! **keep state** becomes conntrack: the deciding rule's verdict marks the
//! connection (a `ct mark` bit of its table, [`Table::state_mark`]), and packets of marked
//! connections (`ct state established,related`) pass before the rules, in
//! both directions, as IP Filter's state table does. **return-rst** and
//! **return-icmp** reject inbound packets (`reject with tcp reset`,
//! `reject with icmp(v6) type …`); IP Filter answers only inbound packets,
//! so `out` rules drop. **log** is nft's `log` on the deciding rule (a
//! `log` action rule logs every match).
//!
//! Refused, with the rule's `ipfstat` text and the reason: what nft cannot
//! do or does differently (`dup-to`, `to`, `reply-to`, `fastroute`,
//! `call`, `auth`, `preauth`, `pps`, `in-via`/`out-via`, interface-derived
//! and pool addresses, `tos` of IPv6, IP options and security classes by
//! name, `with` flags other than `ipopts`, `mcast`, `bcast`, `mbcast`
//! (fragments never reach these hooks: conntrack reassembles them), keep
//! state options, `log` options, tags).

use super::nft::{Unsupported, comment_text, matcher, meta, payload, port_match};
use crate::backend::filter::{DirStats, StateEntry};
use crate::ipf::rule::{Fi, FilterRule, FrFlags, FrIp, FrType, Fri};
use crate::ipfilter::types::{I6Addr, count4bits};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

const FAMILY: &str = "inet";

/// A table xbow owns for a packet filter stack (family `inet`): the
/// global zone's in xbow's namespace; a zone's own stack and its
/// GZ-controlled one in the zone's namespace. The GZ-controlled stack is
/// the outer one (`ip_fil_solaris.c`): its `in` list sees a packet first,
/// its `out` list last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Table {
    gz: bool,
}

/// The table of the global zone's stack, and of a zone's own.
pub const OWN: Table = Table { gz: false };
/// The table of a zone's GZ-controlled stack.
pub const GZ: Table = Table { gz: true };

impl Table {
    pub fn of(gz: bool) -> Table {
        Table { gz }
    }

    pub fn name(self) -> &'static str {
        if self.gz {
            "xbow_filter_gz"
        } else {
            "xbow_filter"
        }
    }

    /// The priority of a list's base chain.
    fn prio(self, dir: Dir) -> i32 {
        match (self.gz, dir) {
            (false, _) => 0,
            (true, Dir::In) => -1,
            (true, Dir::Out) => 1,
        }
    }

    /// The `ct mark` bit of connections a `keep state` rule of this table
    /// passed (each table its own: one stack's state is not another's).
    pub fn state_mark(self) -> u32 {
        if self.gz { 0x0400_0000 } else { 0x0100_0000 }
    }

    /// With [`Self::state_mark`]: an `out` rule passed it (else an `in`
    /// rule).
    fn state_out(self) -> u32 {
        self.state_mark() << 1
    }
}

/// The named counter of rule `i` (its index in the list given to
/// [`ruleset`]).
pub fn counter_name(i: usize) -> String {
    format!("r{i}")
}

fn unsupported(r: &FilterRule, what: &str) -> Unsupported {
    Unsupported(format!(
        "{what} not supported by the Linux backend: {}",
        r.to_string().trim()
    ))
}

/// Check that one rule can be translated.
pub fn check(rule: &FilterRule) -> Result<(), Unsupported> {
    Translated::of(OWN, 0, rule).map(|_| ())
}

/// IP Filter's two directions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    In,
    Out,
}

impl Dir {
    fn name(self) -> &'static str {
        match self {
            Dir::In => "in",
            Dir::Out => "out",
        }
    }

    /// The name of this direction's counter `what` ([`DIR_COUNTERS`]).
    fn counter(self, what: &str) -> String {
        format!("{}_{what}", self.name())
    }

    fn ifname_key(self) -> &'static str {
        match self {
            Dir::In => "iifname",
            Dir::Out => "oifname",
        }
    }
}

/// What a rule does when it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Replaces the decision (`pass`, `block`), with these statements.
    Decides(Vec<Vec<Value>>),
    /// Logs and leaves the decision (`log` as the action).
    LogOnly,
    /// `skip N`.
    Skip(u32),
    /// `count`: accounting only.
    Count,
}

/// One rule, translated.
struct Translated<'a> {
    index: usize,
    rule: &'a FilterRule,
    dir: Dir,
    v6: bool,
    quick: bool,
    /// Its match expressions.
    m: Vec<Value>,
    kind: Kind,
    comment: String,
}

impl<'a> Translated<'a> {
    fn of(table: Table, index: usize, r: &'a FilterRule) -> Result<Translated<'a>, Unsupported> {
        let no = |what: &str| Err(unsupported(r, what));
        let f = r.flags;
        let dir = match (f.has(FrFlags::INQUE), f.has(FrFlags::OUTQUE)) {
            (true, false) => Dir::In,
            (false, true) => Dir::Out,
            _ => return no("rules of no single direction are"),
        };
        let v6 = match r.v {
            4 => false,
            6 => true,
            _ => return no("rules of an unknown IP version are"),
        };
        if !r.func.is_empty() || r.rtype.base() == FrType::CALLFUNC {
            return no("`call` rules are");
        }
        for (bit, what) in [
            (FrFlags::FASTROUTE, "`fastroute` is"),
            (FrFlags::DUP, "`dup-to` is"),
            (FrFlags::FRSTRICT, "`keep frags (strict)` is"),
            (FrFlags::STSTRICT, "`keep state (strict)` is"),
            (FrFlags::NEWISN, "`keep state (newisn)` is"),
            (FrFlags::NOICMPERR, "`keep state (no-icmp-err)` is"),
            (FrFlags::STATESYNC, "`keep state (sync)` is"),
            (FrFlags::LOGBODY, "`log body` is"),
            (FrFlags::LOGFIRST, "`log first` is"),
            (FrFlags::LOGORBLOCK, "`log or-block` is"),
            (FrFlags::CFWLOG, "`cfwlog` is"),
        ] {
            // (`keep frags` needs nothing: conntrack reassembles first.)
            if f.has(bit) {
                return no(what);
            }
        }
        if !r.dif.ifname.is_empty() {
            return no("`dup-to` is");
        }
        if !r.tif.ifname.is_empty() {
            return no("`to`/`route-to` is");
        }
        if !r.rif.ifname.is_empty() {
            return no("`reply-to` is");
        }
        if !r.ifnames[2].is_empty() || !r.ifnames[3].is_empty() {
            return no("`in-via`/`out-via` is");
        }
        if r.pps != 0 {
            return no("`pps` is");
        }
        if r.statemax != 0 || r.age != [0, 0] {
            return no("`keep state (limit …)` and `age` are");
        }
        if r.logtag != 0 || !r.nattag.is_empty() || r.uuid != [0; 16] {
            return no("`set-tag` is");
        }
        let mut m = Vec::new();
        let ifname = r.ifnames[0].as_bytes();
        if !ifname.is_empty() && ifname != b"*" {
            let name = std::str::from_utf8(ifname)
                .ok()
                .filter(|n| !n.contains(['*', '\\']))
                .ok_or_else(|| unsupported(r, "interface names with `*` or `\\` are"))?;
            m.push(matcher(meta(dir.ifname_key()), "==", json!(name)));
        }
        match r.rtype.base() {
            FrType::NONE => {}
            FrType::IPF => ipf_match(r, v6, &mut m)?,
            _ => return no("rules of this type are"),
        }
        let quick = f.has(FrFlags::QUICK);
        let prefix = format!("xbow {} ", counter_name(index));
        let log = f.has(FrFlags::LOG).then(|| {
            let mut l = serde_json::Map::new();
            l.insert("prefix".into(), json!(prefix));
            if r.loglevel != 0xffff {
                l.insert("level".into(), json!(LEVELS[(r.loglevel & 7) as usize]));
            }
            json!({ "log": l })
        });
        let kind = match f.cmd() {
            FrFlags::PASS | FrFlags::BLOCK => Kind::Decides(verdict(table, r, dir, v6, log)?),
            FrFlags::ACCOUNT => {
                if f.has(FrFlags::LOG) {
                    return no("`log` on `count` rules is");
                }
                Kind::Count
            }
            FrFlags::SKIP => Kind::Skip(r.arg),
            // `log` as the action: FR_LOG with command 0 (FR_CALL).
            FrFlags::CALL if f.0 & FrFlags::LOGMASK == FrFlags::LOG => Kind::LogOnly,
            FrFlags::AUTH => return no("`auth` is"),
            FrFlags::PREAUTH => return no("`preauth` is"),
            _ => return no("this action is"),
        };
        if !group_name(&r.grhead).is_empty() && !matches!(kind, Kind::Decides(_)) {
            return no("`head` on rules that neither pass nor block is");
        }
        if f.has(FrFlags::KEEPSTATE) && f.cmd() != FrFlags::PASS {
            return no("`keep state` on rules that do not pass is");
        }
        Ok(Translated {
            index,
            rule: r,
            dir,
            v6,
            quick,
            m,
            kind,
            comment: comment_text(r.to_string()),
        })
    }

    /// The expressions of an nft rule that matches as this rule does and
    /// then runs `then`.
    fn expr(&self, then: &[Value]) -> Vec<Value> {
        self.m.iter().chain(then).cloned().collect()
    }

    fn counter(&self) -> Value {
        json!({ "counter": counter_name(self.index) })
    }
}

/// syslog priorities, as nft's `log level` names them.
const LEVELS: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
];

/// The nft rules (their statements after the match) that carry out a
/// `pass`/`block` decision; two when a `return-rst` applies to TCP only.
fn verdict(
    table: Table,
    r: &FilterRule,
    dir: Dir,
    v6: bool,
    log: Option<Value>,
) -> Result<Vec<Vec<Value>>, Unsupported> {
    let f = r.flags;
    let with_log = |v: Vec<Value>| log.iter().cloned().chain(v).collect::<Vec<_>>();
    if f.cmd() == FrFlags::PASS {
        let mut v = Vec::new();
        if f.has(FrFlags::KEEPSTATE) {
            let mark = match dir {
                Dir::In => table.state_mark(),
                Dir::Out => table.state_mark() | table.state_out(),
            };
            v.push(json!({"mangle": {
                "key": {"ct": {"key": "mark"}},
                "value": {"|": [{"ct": {"key": "mark"}}, mark]},
            }}));
        }
        v.push(pass(dir));
        return Ok(vec![with_log(v)]);
    }
    let drop = json!({"drop": null});
    // A blocking statement `then` after the matches `first`: logged and
    // counted as blocked.
    let blocked = |first: Option<Value>, then: Value| {
        let mut all: Vec<Value> = first.into_iter().chain(log.iter().cloned()).collect();
        all.push(json!({ "counter": dir.counter("block") }));
        all.push(then);
        all
    };
    let ret = f.0 & FrFlags::RETMASK;
    // IP Filter sends nothing for outbound packets.
    if ret == 0 || dir == Dir::Out {
        return Ok(vec![blocked(None, drop)]);
    }
    if ret == FrFlags::RETRST {
        let tcp = matcher(meta("l4proto"), "==", json!("tcp"));
        return Ok(vec![
            blocked(Some(tcp), json!({"reject": {"type": "tcp reset"}})),
            blocked(None, drop),
        ]);
    }
    if ret == FrFlags::FAKEICMP {
        return Err(unsupported(
            r,
            "`return-icmp-as-dest` (nft answers from its own address) is",
        ));
    }
    let (ty, name) = if v6 {
        let n = match r.icode {
            0 => "no-route",
            1 => "addr-unreachable",
            3 => "port-unreachable",
            9 | 10 | 13 => "admin-prohibited",
            _ => return Err(unsupported(r, "this ICMPv6 code of `return-icmp` is")),
        };
        ("icmpv6", n)
    } else {
        let n = match r.icode {
            0 => "net-unreachable",
            1 => "host-unreachable",
            2 => "prot-unreachable",
            3 => "port-unreachable",
            9 => "net-prohibited",
            10 => "host-prohibited",
            13 => "admin-prohibited",
            _ => return Err(unsupported(r, "this ICMP code of `return-icmp` is")),
        };
        ("icmp", n)
    };
    Ok(vec![blocked(
        None,
        json!({"reject": {"type": ty, "expr": name}}),
    )])
}

/// The statement that passes a packet: to the chain that counts it (and
/// out, through the accounting of passed packets) and accepts it.
fn pass(dir: Dir) -> Value {
    match dir {
        Dir::In => json!({"goto": {"target": IN_PASS}}),
        Dir::Out => json!({"goto": {"target": OUT_PASS}}),
    }
}

const IN_PASS: &str = "in_pass";
const OUT_PASS: &str = "out_pass";

/// The named counters of each direction (`filterstats_t`'s `fr_pass`,
/// `fr_block`, `fr_nom`): packets passed (by a rule, a state or no
/// rule), blocked, and matched by no rule.
const DIR_COUNTERS: [&str; 3] = ["pass", "block", "nomatch"];

/// The matches of an `FR_T_IPF` rule (`fr_ipfcheck`).
fn ipf_match(r: &FilterRule, v6: bool, m: &mut Vec<Value>) -> Result<(), Unsupported> {
    let no = |what: &str| Err(unsupported(r, what));
    let (ip, mip) = (&r.ipf.ip, &r.ipf.mip);
    let l3 = if v6 { "ip6" } else { "ip" };
    if mip.tos != 0 {
        if v6 {
            return no("`tos` of IPv6 rules is");
        }
        let tos = json!({"payload": {"base": "nh", "offset": 8, "len": 8}});
        m.push(matcher(
            json!({"&": [tos, mip.tos]}),
            "==",
            json!(ip.tos & mip.tos),
        ));
    }
    if mip.ttl != 0 {
        let field = if v6 { "hoplimit" } else { "ttl" };
        m.push(matcher(
            json!({"&": [payload(l3, field), mip.ttl]}),
            "==",
            json!(ip.ttl & mip.ttl),
        ));
    }
    if mip.optmsk != 0 || mip.secmsk != 0 || mip.auth != 0 {
        return no("IP options and security classes by name are");
    }
    let tcpudp = mip.flx & Fi::TCPUDP != 0;
    let proto = (mip.p != 0).then_some(ip.p & mip.p);
    let ports = !r.ipf.tuc.src.op.is_none() || !r.ipf.tuc.dst.op.is_none();
    let flags = r.ipf.tuc.tcpfm != 0;
    let l4 = |p: u8| match p {
        6 => json!("tcp"),
        17 => json!("udp"),
        p => json!(p),
    };
    match proto {
        Some(p) => {
            if ports && p != 6 && p != 17 {
                return no("port comparisons for protocols other than tcp and udp are");
            }
            if flags && p != 6 {
                return no("`flags` for protocols other than tcp are");
            }
            m.push(matcher(meta("l4proto"), "==", l4(p)));
        }
        // Port tests match TCP and UDP packets only.
        None if tcpudp || ports => {
            m.push(matcher(
                meta("l4proto"),
                "==",
                json!({"set": ["tcp", "udp"]}),
            ));
        }
        None => {}
    }
    address(
        r,
        v6,
        "saddr",
        (&ip.src, &mip.src),
        r.ipf.satype,
        FrFlags::NOTSRCIP,
        m,
    )?;
    address(
        r,
        v6,
        "daddr",
        (&ip.dst, &mip.dst),
        r.ipf.datype,
        FrFlags::NOTDSTIP,
        m,
    )?;
    for (field, c) in [("sport", &r.ipf.tuc.src), ("dport", &r.ipf.tuc.dst)] {
        m.extend(port_match(field, c).map_err(|what| unsupported(r, what))?);
    }
    if flags {
        let tuc = &r.ipf.tuc;
        m.push(matcher(
            json!({"&": [payload("tcp", "flags"), tuc.tcpfm]}),
            "==",
            json!(tuc.tcpf & tuc.tcpfm),
        ));
    }
    let (icmpm, icmp) = (r.ipf.icmpm, r.ipf.icmp);
    if icmpm != 0 {
        let (want, proto) = if v6 { (58, "icmpv6") } else { (1, "icmp") };
        if proto_is(ip, mip) != Some(want) {
            return no("`icmp-type` without `proto icmp` (or `icmp6`) is");
        }
        for (shift, field) in [(8, "type"), (0, "code")] {
            let mask = (icmpm >> shift) as u8;
            if mask != 0 {
                m.push(matcher(
                    json!({"&": [payload(proto, field), mask]}),
                    "==",
                    json!((icmp >> shift) as u8 & mask),
                ));
            }
        }
    }
    with_flags(r, v6, m)
}

fn proto_is(ip: &FrIp, mip: &FrIp) -> Option<u8> {
    (mip.p == 0xff).then_some(ip.p)
}

/// `from`/`to`: an address and mask (`!` with `FR_NOT*IP`).
fn address(
    r: &FilterRule,
    v6: bool,
    field: &str,
    (a, mask): (&I6Addr, &I6Addr),
    ty: i32,
    not: u32,
    m: &mut Vec<Value>,
) -> Result<(), Unsupported> {
    if ty != Fri::NORMAL {
        return Err(unsupported(
            r,
            "interface-derived, pool and hash table addresses are",
        ));
    }
    let op = if r.flags.has(not) { "!=" } else { "==" };
    let (l3, bits) = if v6 { ("ip6", 128) } else { ("ip", 32) };
    let len = prefix_len(mask, v6);
    if len == Some(0) {
        if op == "!=" {
            return Err(unsupported(r, "`!any` (which matches nothing) is"));
        }
        return Ok(());
    }
    let net = a.and(mask);
    let text = |x: &I6Addr| {
        if v6 {
            Ipv6Addr::from(x.0).to_string()
        } else {
            Ipv4Addr::from(x.word0()).to_string()
        }
    };
    let (left, right) = match len {
        Some(n) if n == bits => (payload(l3, field), json!(text(&net))),
        Some(n) => (
            payload(l3, field),
            json!({"prefix": {"addr": text(&net), "len": n}}),
        ),
        None if !v6 => (
            json!({"&": [payload(l3, field), text(mask)]}),
            json!(text(&net)),
        ),
        None => return Err(unsupported(r, "non-contiguous IPv6 masks are")),
    };
    m.push(matcher(left, op, right));
    Ok(())
}

/// The prefix length of a contiguous mask.
fn prefix_len(mask: &I6Addr, v6: bool) -> Option<u32> {
    if !v6 {
        return count4bits(mask.word0());
    }
    let v = u128::from_be_bytes(mask.0);
    let n = v.leading_ones();
    (v.checked_shl(n).unwrap_or(0) == 0).then_some(n)
}

/// `with`/`not` flags nft can test: `ipopts` (IPv4 header longer than 20
/// bytes), `mcast`, `bcast`, `mbcast` (the destination's address type).
fn with_flags(r: &FilterRule, v6: bool, m: &mut Vec<Value>) -> Result<(), Unsupported> {
    let (flx, mflx) = (r.ipf.ip.flx, r.ipf.mip.flx & Fi::WITH);
    let op = |bit: u32| if flx & bit != 0 { "==" } else { "!=" };
    let known = Fi::OPTIONS | Fi::MULTICAST | Fi::BROADCAST | Fi::MBCAST;
    if mflx & !known != 0 {
        return Err(unsupported(
            r,
            "`with` flags other than ipopts, mcast, bcast and mbcast are",
        ));
    }
    if mflx & Fi::OPTIONS != 0 {
        if v6 {
            return Err(unsupported(r, "`with ipopts` of IPv6 rules is"));
        }
        let has = flx & Fi::OPTIONS != 0;
        m.push(matcher(
            payload("ip", "hdrlength"),
            if has { ">" } else { "==" },
            json!(5),
        ));
    }
    for (bit, types) in [
        (Fi::MULTICAST, json!("multicast")),
        (Fi::BROADCAST, json!("broadcast")),
        (Fi::MBCAST, json!({"set": ["broadcast", "multicast"]})),
    ] {
        if mflx & bit != 0 {
            let fib = json!({"fib": {"flags": ["daddr"], "result": "type"}});
            m.push(matcher(fib, op(bit), types));
        }
    }
    Ok(())
}

/// One step of a scan: a rule (`level`: how deep in groups, which
/// `fr_scanlist` bounds at 16), or the end of a group whose head (the item
/// at `head`) may decide.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    Rule { i: usize, level: usize },
    GroupEnd { head: usize, since: usize },
}

/// `fr_scanlist`'s nesting limit: groups deeper are not scanned.
const MAX_LEVEL: usize = 16;

/// A chain to add: its name, its rules' expressions and comments.
struct Chain {
    name: String,
    rules: Vec<Vec<Value>>,
    comments: Vec<String>,
}

impl Chain {
    fn plain(name: String, rules: Vec<Vec<Value>>) -> Chain {
        let comments = vec![String::new(); rules.len()];
        Chain {
            name,
            rules,
            comments,
        }
    }
}

/// A list being compiled: its rules and their groups.
struct List<'t, 'a> {
    items: &'t [Translated<'a>],
    /// The members of each group, in order.
    groups: HashMap<&'a [u8], Vec<usize>>,
    chains: Vec<Chain>,
    /// The chain made for each (steps, scanned) already compiled: paths
    /// that meet again share it.
    made: HashMap<(Vec<Step>, Vec<usize>), String>,
}

fn group_name(n: &crate::ipfilter::types::CName) -> &[u8] {
    match n.as_bytes() {
        b"0" => b"",
        b => b,
    }
}

impl<'t, 'a> List<'t, 'a> {
    /// The chain for the scan of `steps` after `scanned`: made once,
    /// named `name` (or, if taken, `name` and a number).
    fn path(&mut self, name: String, steps: Vec<Step>, scanned: Vec<usize>) -> String {
        let key = (steps, scanned);
        if let Some(n) = self.made.get(&key) {
            return n.clone();
        }
        let taken = |n: &String| self.made.values().any(|m| m == n);
        let mut unique = name.clone();
        let mut k = 1;
        while taken(&unique) {
            k += 1;
            unique = format!("{name}~{k}");
        }
        self.made.insert(key.clone(), unique.clone());
        self.scan(unique.clone(), key.0, key.1);
        unique
    }

    /// Compile the scan of `steps` (after the `scanned` rules that can
    /// still decide, in order) into chain `name`, and the chains it goes
    /// to.
    fn scan(&mut self, name: String, steps: Vec<Step>, mut scanned: Vec<usize>) {
        let items = self.items;
        let mut rules: Vec<Vec<Value>> = Vec::new();
        let mut comments: Vec<String> = Vec::new();
        let mut add = |rules: &mut Vec<Vec<Value>>, e: Vec<Value>, c: &str| {
            rules.push(e);
            comments.push(c.to_string());
        };
        for (k, &step) in steps.iter().enumerate() {
            let (i, level) = match step {
                Step::Rule { i, level } => (i, level),
                Step::GroupEnd { head, since } => {
                    let h = &items[head];
                    if h.quick
                        && let Kind::Decides(v) = &h.kind
                    {
                        // Nothing of the group decided: the head does.
                        let check = format!("{name}.g{}", h.index);
                        let mut crules = Vec::new();
                        let mut ccomments = Vec::new();
                        for &g in &scanned[since..] {
                            let it = &items[g];
                            crules.push(it.expr(&[json!({"return": null})]));
                            ccomments.push(it.comment.clone());
                        }
                        for then in v {
                            crules.push(h.expr(then));
                            ccomments.push(h.comment.clone());
                        }
                        self.chains.push(Chain {
                            name: check.clone(),
                            rules: crules,
                            comments: ccomments,
                        });
                        add(
                            &mut rules,
                            vec![json!({"jump": {"target": check}})],
                            &h.comment,
                        );
                    }
                    continue;
                }
            };
            let it = &items[i];
            let counted = |then: &[Value]| {
                let mut v = vec![it.counter()];
                v.extend_from_slice(then);
                it.expr(&v)
            };
            match &it.kind {
                Kind::LogOnly => {
                    let log =
                        json!({"log": {"prefix": format!("xbow {} ", counter_name(it.index))}});
                    add(&mut rules, counted(&[log]), &it.comment);
                }
                Kind::Count => {
                    let then: Vec<Value> = if it.quick {
                        vec![json!({"return": null})]
                    } else {
                        vec![]
                    };
                    add(&mut rules, counted(&then), &it.comment);
                }
                Kind::Skip(n) => {
                    // The next N rules of this list (not past its end).
                    let mut rest = steps[k + 1..].iter().copied().peekable();
                    let mut n = *n;
                    while n > 0 && matches!(rest.peek(), Some(Step::Rule { .. })) {
                        rest.next();
                        n -= 1;
                    }
                    let child = self.path(
                        format!("{name}.s{}", it.index),
                        rest.collect(),
                        scanned.clone(),
                    );
                    add(
                        &mut rules,
                        counted(&[json!({"goto": {"target": child}})]),
                        &it.comment,
                    );
                }
                Kind::Decides(v) => {
                    let members = self.groups.get(group_name(&it.rule.grhead)).cloned();
                    match members {
                        Some(members) if level < MAX_LEVEL => {
                            // The head matched: it decides unless a rule
                            // after it does, so no rule before it can.
                            let mut child_steps: Vec<Step> = members
                                .into_iter()
                                .map(|i| Step::Rule {
                                    i,
                                    level: level + 1,
                                })
                                .collect();
                            child_steps.push(Step::GroupEnd { head: i, since: 1 });
                            child_steps.extend_from_slice(&steps[k + 1..]);
                            let list = name.split('.').next().unwrap_or_default();
                            let child =
                                self.path(format!("{list}.h{}", it.index), child_steps, vec![i]);
                            add(
                                &mut rules,
                                counted(&[json!({"goto": {"target": child}})]),
                                &it.comment,
                            );
                        }
                        _ if it.quick => {
                            // Count, then decide (a decision of two nft
                            // rules is matched again after the count).
                            if let [then] = v.as_slice() {
                                add(&mut rules, counted(then), &it.comment);
                            } else {
                                add(&mut rules, counted(&[]), &it.comment);
                                for then in v {
                                    add(&mut rules, it.expr(then), &it.comment);
                                }
                            }
                        }
                        _ => {
                            add(&mut rules, counted(&[]), &it.comment);
                            scanned.push(i);
                        }
                    }
                }
            }
        }
        // No `quick` rule decided: the last rule that matched does.
        for &i in scanned.iter().rev() {
            let it = &items[i];
            if let Kind::Decides(v) = &it.kind {
                for then in v {
                    add(&mut rules, it.expr(then), &it.comment);
                }
            }
        }
        self.chains.push(Chain {
            name,
            rules,
            comments,
        });
    }
}

/// The complete nftables JSON document (for `nft -j -f -`) that makes
/// table `inet xbow_filter` hold exactly `rules` (an `ipf` rule list in
/// load order, both directions, IPv4 and IPv6, filter and `count` rules;
/// `intercept_loopback`: `set intercept_loopback true`): the table is
/// replaced, the rules' named counters created with `counters.rules[i]`
/// (packets, bytes; zero past its end: the backend carries a kept rule's
/// counts over a reload, as the kernel keeps them when rules are added,
/// and zeroes them for `ipf -z`), and the chains and rules added. With no
/// rules the table is deleted.
pub fn ruleset(
    table: Table,
    rules: &[FilterRule],
    counters: &Counters,
    intercept_loopback: bool,
) -> Result<Value, Unsupported> {
    let dir_counters = &counters.dirs;
    let tname = table.name();
    let table_obj = json!({"family": FAMILY, "name": tname});
    let mut cmds = vec![
        json!({"add": {"table": table_obj}}),
        json!({"delete": {"table": table_obj}}),
    ];
    if rules.is_empty() {
        return Ok(json!({ "nftables": cmds }));
    }
    let items = rules
        .iter()
        .enumerate()
        .map(|(i, r)| Translated::of(table, i, r))
        .collect::<Result<Vec<_>, _>>()?;
    cmds.push(json!({"add": {"table": table_obj}}));
    for dir in [Dir::In, Dir::Out] {
        for what in DIR_COUNTERS {
            let name = dir.counter(what);
            let (packets, bytes) = dir_counters.get(&name).copied().unwrap_or_default();
            let c = json!({"family": FAMILY, "table": tname, "name": name,
                "packets": packets, "bytes": bytes});
            cmds.push(json!({"add": {"counter": c}}));
        }
    }
    for i in 0..items.len() {
        let (packets, bytes) = counters.rules.get(i).copied().unwrap_or_default();
        let c = json!({"family": FAMILY, "table": tname, "name": counter_name(i),
            "packets": packets, "bytes": bytes});
        cmds.push(json!({"add": {"counter": c}}));
    }
    // The lists: (direction, version, accounting) → chain.
    let mut chains: Vec<Chain> = Vec::new();
    let mut lists: Vec<(Dir, bool, bool, String)> = Vec::new();
    for dir in [Dir::In, Dir::Out] {
        for v6 in [false, true] {
            for acct in [false, true] {
                let mut groups: HashMap<&[u8], Vec<usize>> = HashMap::new();
                let mut top = Vec::new();
                for (i, t) in items.iter().enumerate() {
                    if t.dir != dir || t.v6 != v6 || (t.kind == Kind::Count) != acct {
                        continue;
                    }
                    match group_name(&t.rule.group) {
                        b"" => top.push(Step::Rule { i, level: 0 }),
                        g => groups.entry(g).or_default().push(i),
                    }
                }
                if top.is_empty() {
                    continue;
                }
                let v = if v6 { 6 } else { 4 };
                let name = format!("{}{}{v}", if acct { "acct_" } else { "" }, dir.name());
                let mut list = List {
                    items: &items,
                    groups,
                    chains: Vec::new(),
                    made: HashMap::new(),
                };
                list.path(name.clone(), top, Vec::new());
                chains.extend(list.chains);
                lists.push((dir, v6, acct, name));
            }
        }
    }
    let jumps = |dir: Dir, acct: bool| -> Vec<Vec<Value>> {
        lists
            .iter()
            .filter(|(d, _, a, _)| *d == dir && *a == acct)
            .map(|(_, v6, _, name)| {
                let proto = if *v6 { "ipv6" } else { "ipv4" };
                vec![
                    matcher(meta("nfproto"), "==", json!(proto)),
                    json!({"jump": {"target": name}}),
                ]
            })
            .collect()
    };
    let state = |dir: Dir| {
        vec![
            matcher(
                json!({"ct": {"key": "state"}}),
                "in",
                json!({"set": ["established", "related"]}),
            ),
            matcher(
                json!({"&": [{"ct": {"key": "mark"}}, table.state_mark()]}),
                "==",
                json!(table.state_mark()),
            ),
            pass(dir),
        ]
    };
    let lo = |dir: Dir| {
        (!intercept_loopback).then(|| {
            vec![
                matcher(meta(dir.ifname_key()), "==", json!("lo")),
                json!({"accept": null}),
            ]
        })
    };
    // in: accounting, state, rules; out: state, rules, then (passed)
    // accounting.
    let mut in_rules: Vec<Vec<Value>> = lo(Dir::In).into_iter().collect();
    in_rules.extend(jumps(Dir::In, true));
    in_rules.push(state(Dir::In));
    in_rules.extend(jumps(Dir::In, false));
    let mut out_rules: Vec<Vec<Value>> = lo(Dir::Out).into_iter().collect();
    out_rules.push(state(Dir::Out));
    out_rules.extend(jumps(Dir::Out, false));
    // Matched by no rule: passed (`IPF_DEFAULT_PASS`).
    let nomatch = |dir: Dir| vec![json!({ "counter": dir.counter("nomatch") }), pass(dir)];
    in_rules.push(nomatch(Dir::In));
    out_rules.push(nomatch(Dir::Out));
    let in_pass = vec![vec![
        json!({ "counter": Dir::In.counter("pass") }),
        json!({"accept": null}),
    ]];
    let mut out_pass = vec![vec![json!({ "counter": Dir::Out.counter("pass") })]];
    out_pass.extend(jumps(Dir::Out, true));
    out_pass.push(vec![json!({"accept": null})]);
    chains.push(Chain::plain(IN_PASS.into(), in_pass));
    chains.push(Chain::plain(OUT_PASS.into(), out_pass));
    // Regular chains first: the base chains jump to them.
    for c in &chains {
        cmds.push(json!({"add": {"chain": {"family": FAMILY, "table": tname, "name": c.name}}}));
    }
    for (dir, hook, rules) in [
        (Dir::In, "prerouting", in_rules),
        (Dir::Out, "postrouting", out_rules),
    ] {
        let name = dir.name();
        cmds.push(json!({"add": {"chain": {
            "family": FAMILY, "table": tname, "name": name,
            "type": "filter", "hook": hook, "prio": table.prio(dir), "policy": "accept",
        }}}));
        chains.push(Chain::plain(name.into(), rules));
    }
    for c in &chains {
        for (expr, comment) in c.rules.iter().zip(&c.comments) {
            let mut rule = json!({"family": FAMILY, "table": tname, "chain": c.name, "expr": expr});
            if !comment.is_empty() {
                rule["comment"] = json!(comment);
            }
            cmds.push(json!({"add": {"rule": rule}}));
        }
    }
    Ok(json!({ "nftables": cmds }))
}

/// The counters of the table, (packets, bytes): each rule's (`r0`, `r1`,
/// …) and each direction's ([`DIR_COUNTERS`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub rules: Vec<(u64, u64)>,
    dirs: HashMap<String, (u64, u64)>,
}

impl Counters {
    /// Those of a listing of the table (`nft -j list table`), for rules
    /// `0..n` (0 for a counter not listed).
    pub fn of_listing(listing: &Value, n: usize) -> Counters {
        let mut found: HashMap<String, (u64, u64)> = HashMap::new();
        for item in listing["nftables"].as_array().into_iter().flatten() {
            let c = &item["counter"];
            if let (Some(name), Some(p), Some(b)) = (
                c["name"].as_str(),
                c["packets"].as_u64(),
                c["bytes"].as_u64(),
            ) {
                found.insert(name.to_string(), (p, b));
            }
        }
        let rules = (0..n)
            .map(|i| found.remove(&counter_name(i)).unwrap_or_default())
            .collect();
        Counters { rules, dirs: found }
    }

    /// The kernel's, for `table` of `n` rules (all zero without a table).
    pub fn read(table: Table, n: usize) -> Result<Counters, String> {
        Ok(match super::nft::list_table(FAMILY, table.name())? {
            Some(l) => Counters::of_listing(&l, n),
            None => Counters {
                rules: vec![(0, 0); n],
                ..Counters::default()
            },
        })
    }

    /// Each direction's `fr_pass`, `fr_block` and `fr_nom`.
    pub fn dir_stats(&self) -> [DirStats; 2] {
        [Dir::In, Dir::Out].map(|d| {
            let get = |what: &str| self.dirs.get(&d.counter(what)).map_or(0, |c| c.0);
            DirStats {
                pass: get("pass"),
                block: get("block"),
                nom: get("nomatch"),
                ..DirStats::default()
            }
        })
    }
}

/// The state table: the connections `keep state` rules passed, from the
/// kernel's connection tracking, as `ipstate_t` entries. What IP Filter
/// keeps and conntrack does not (the rule, the interfaces, TCP windows)
/// is left out: `is_pass` has the direction and `keep state` only.
pub fn states(table: Table) -> Result<Vec<StateEntry>, String> {
    Ok(super::conntrack::marked(table.state_mark())?
        .iter()
        .map(|t| state_entry(table, t))
        .collect())
}

/// `ipf -FS` (or with `closing`, `-Fs`): forget the connections the
/// table's `keep state` rules passed; how many there were.
pub fn flush_states(table: Table, closing: bool) -> Result<u64, String> {
    super::conntrack::flush_marked(table.state_mark(), closing)
}

fn state_entry(table: Table, t: &super::conntrack::Tracked) -> StateEntry {
    use crate::backend::sim::{IS_TCPFSM, state_bucket, tcps};
    let out = t.mark & table.state_out() != 0;
    let dir = if out { FrFlags::OUTQUE } else { FrFlags::INQUE };
    let mut e = StateEntry {
        v: 4,
        p: t.proto,
        src: I6Addr::from_v4(t.src),
        dst: I6Addr::from_v4(t.dst),
        pass: FrFlags::PASS | FrFlags::KEEPSTATE | dir,
        hv: state_bucket(t.src, t.dst, t.sport, t.dport, t.proto),
        // Ticks of half a second.
        die: t.timeout.saturating_mul(2),
        ..StateEntry::default()
    };
    match t.proto {
        6 | 17 => {
            e.sport = t.sport;
            e.dport = t.dport;
            e.flags = Fi::TCPUDP;
        }
        1 => {
            e.icmp_id = t.icmp_id;
            e.icmp_type = t.icmp_type;
        }
        _ => {}
    }
    if t.proto == 6 {
        e.flags |= IS_TCPFSM;
        // conntrack's state names one connection; IP Filter's pair is the
        // initiator's and the responder's.
        e.state = match t.tcp_state.as_str() {
            "SYN_SENT" | "SYN_SENT2" => [tcps::SYN_SENT, tcps::LISTEN],
            "SYN_RECV" => [tcps::SYN_SENT, tcps::SYN_RECEIVED],
            "ESTABLISHED" => [tcps::ESTABLISHED, tcps::ESTABLISHED],
            "FIN_WAIT" => [tcps::FIN_WAIT_1, tcps::CLOSE_WAIT],
            "CLOSE_WAIT" => [tcps::CLOSE_WAIT, tcps::FIN_WAIT_1],
            "LAST_ACK" => [tcps::LAST_ACK, tcps::CLOSING],
            "TIME_WAIT" => [tcps::TIME_WAIT, tcps::TIME_WAIT],
            _ => [tcps::CLOSED, tcps::CLOSED],
        };
    }
    // Forward (the packets that made it) and backward, in or out.
    let (fwd, back) = if out { (1, 2) } else { (0, 3) };
    (e.pkts[fwd], e.bytes[fwd]) = t.orig;
    (e.pkts[back], e.bytes[back]) = t.reply;
    e
}

/// Make the table hold `new` where it held `old` (both in load order), in
/// one transaction, loopback traffic filtered too with `loopback`. A rule
/// of `new` that was in `old` keeps its counters,
/// as the kernel keeps a rule's while it stays loaded; so do the
/// directions'.
pub fn replace(
    table: Table,
    old: &[FilterRule],
    new: &[FilterRule],
    loopback: bool,
) -> Result<(), String> {
    let counters = if new.is_empty() {
        Counters::default()
    } else {
        let now = Counters::read(table, old.len())?;
        let mut at: HashMap<&FilterRule, std::collections::VecDeque<usize>> = HashMap::new();
        for (i, r) in old.iter().enumerate() {
            at.entry(r).or_default().push_back(i);
        }
        let rules = new
            .iter()
            .map(|r| {
                at.get_mut(r)
                    .and_then(|q| q.pop_front())
                    .and_then(|i| now.rules.get(i).copied())
                    .unwrap_or_default()
            })
            .collect();
        Counters { rules, ..now }
    };
    let doc = ruleset(table, new, &counters, loopback).map_err(|e| e.to_string())?;
    super::nft::apply(&doc)
}

/// `nft -j reset counter inet TABLE NAME`: its (packets, bytes) before
/// (0 when there is no such counter).
fn reset(table: Table, name: &str) -> Result<(u64, u64), String> {
    let got = super::nft::query(&["reset", "counter", FAMILY, table.name(), name])?;
    Ok(got
        .map(|l| Counters::of_listing(&l, 0))
        .and_then(|c| c.dirs.get(name).copied())
        .unwrap_or_default())
}

/// Zero rule `i`'s counter (`SIOCZRLST`): what it was.
pub fn zero_rule(table: Table, i: usize) -> Result<(u64, u64), String> {
    reset(table, &counter_name(i))
}

/// Zero the directions' counters (`SIOCFRZST`): what they were.
pub fn zero_dirs(table: Table) -> Result<[DirStats; 2], String> {
    let mut was = Counters::default();
    for dir in [Dir::In, Dir::Out] {
        for what in DIR_COUNTERS {
            let name = dir.counter(what);
            let c = reset(table, &name)?;
            was.dirs.insert(name, c);
        }
    }
    Ok(was.dir_stats())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::BuiltinNetdb;
    use crate::ipf::parser::{Event, Options, parse};
    use std::process::{Command, Stdio};

    fn rules(text: &str) -> Vec<FilterRule> {
        let mut v = Vec::new();
        parse(
            text.as_bytes(),
            Options::default(),
            &BuiltinNetdb,
            &mut |e| {
                if let Event::Rule(r) = e {
                    v.push(r.rule);
                }
            },
        )
        .unwrap_or_else(|e| panic!("{text}: {e}"));
        v
    }

    /// An expression as nft's text would show it (enough of it for the
    /// expressions made here).
    fn text(e: &Value) -> String {
        let list = |v: &Value| {
            v.as_array()
                .unwrap()
                .iter()
                .map(text)
                .collect::<Vec<_>>()
                .join(", ")
        };
        if let Some(s) = e.as_str() {
            return s.to_string();
        }
        if e.is_number() {
            return e.to_string();
        }
        let (k, v) = e.as_object().unwrap().iter().next().unwrap();
        match k.as_str() {
            "match" => format!(
                "{} {} {}",
                text(&v["left"]),
                v["op"].as_str().unwrap(),
                text(&v["right"])
            ),
            "meta" | "ct" => format!("{k} {}", v["key"].as_str().unwrap()),
            "payload" if v.get("base").is_some() => format!(
                "@{},{},{}",
                v["base"].as_str().unwrap(),
                v["offset"],
                v["len"]
            ),
            "payload" => format!(
                "{} {}",
                v["protocol"].as_str().unwrap(),
                v["field"].as_str().unwrap()
            ),
            "fib" => "fib daddr type".into(),
            "&" | "|" => format!("{} {k} {}", text(&v[0]), text(&v[1])),
            "set" => format!("{{ {} }}", list(v)),
            "prefix" => format!("{}/{}", v["addr"].as_str().unwrap(), v["len"]),
            "range" => format!("{}-{}", text(&v[0]), text(&v[1])),
            "counter" => format!("counter name {}", v.as_str().unwrap()),
            "accept" | "drop" | "return" => k.clone(),
            "jump" | "goto" => format!("{k} {}", v["target"].as_str().unwrap()),
            "log" => match v.get("level") {
                Some(l) => format!(
                    "log prefix {:?} level {}",
                    v["prefix"].as_str().unwrap(),
                    l.as_str().unwrap()
                ),
                None => format!("log prefix {:?}", v["prefix"].as_str().unwrap()),
            },
            "reject" => match v.get("expr") {
                Some(x) => format!(
                    "reject with {} type {}",
                    v["type"].as_str().unwrap(),
                    x.as_str().unwrap()
                ),
                None => format!("reject with {}", v["type"].as_str().unwrap()),
            },
            "mangle" => format!("{} set {}", text(&v["key"]), text(&v["value"])),
            _ => panic!("no text for {e}"),
        }
    }

    /// The rules of chain `name` in a document, as text.
    fn chain(doc: &Value, name: &str) -> Vec<String> {
        doc["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.get("add")?.get("rule"))
            .filter(|r| r["chain"] == name)
            .map(|r| {
                r["expr"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(text)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    fn chains(doc: &Value) -> Vec<String> {
        doc["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.get("add")?.get("chain")?["name"].as_str())
            .map(String::from)
            .collect()
    }

    fn doc(text: &str) -> Value {
        ruleset(OWN, &rules(text), &Counters::default(), false).unwrap()
    }

    /// `nft -c -j -f -`: nft accepts the document (check mode: nothing is
    /// changed). Only as root with nft installed.
    fn nft_accepts(doc: &Value) {
        if !crate::backend::linux::nft::tests::root_tests_can_run("nft_filter check") {
            return;
        }
        let mut child = Command::new("nft")
            .args(["-c", "-j", "-f", "-"])
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(doc.to_string().as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "nft -c: {}\n{doc:#}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    fn quick_and_last_match() {
        let d = doc("block in all
pass in quick on eth0 proto tcp from any to 10.0.0.1 port = 22 flags S/SA keep state
pass in proto icmp from 192.168.0.0/16 to any icmp-type echo
block in log quick from 10.0.0.0/8 to any
block return-rst in proto tcp from any to any port 6000 >< 6010
");
        assert_eq!(
            chain(&d, "in4"),
            [
                // Forward: every match counts, quick rules decide.
                "counter name r0",
                "meta iifname == eth0 meta l4proto == tcp ip daddr == 10.0.0.1 th dport == 22 \
                 tcp flags & 18 == 2 counter name r1 ct mark set ct mark | 16777216 goto in_pass",
                "meta l4proto == 1 ip saddr == 192.168.0.0/16 icmp type & 255 == 8 counter name r2",
                "ip saddr == 10.0.0.0/8 counter name r3 log prefix \"xbow r3 \" counter name in_block drop",
                "meta l4proto == tcp th dport == 6001-6009 counter name r4",
                // Reverse: the last match decides.
                "meta l4proto == tcp th dport == 6001-6009 meta l4proto == tcp counter name in_block \
                 reject with tcp reset",
                "meta l4proto == tcp th dport == 6001-6009 counter name in_block drop",
                "meta l4proto == 1 ip saddr == 192.168.0.0/16 icmp type & 255 == 8 goto in_pass",
                "counter name in_block drop",
            ]
        );
        assert_eq!(
            chain(&d, "in"),
            [
                "meta iifname == lo accept",
                "ct state in { established, related } ct mark & 16777216 == 16777216 goto in_pass",
                "meta nfproto == ipv4 jump in4",
                "counter name in_nomatch goto in_pass",
            ]
        );
        assert_eq!(
            chain(&d, "out"),
            [
                "meta oifname == lo accept",
                "ct state in { established, related } ct mark & 16777216 == 16777216 goto out_pass",
                "counter name out_nomatch goto out_pass",
            ]
        );
        assert_eq!(chain(&d, "in_pass"), ["counter name in_pass accept"]);
        assert_eq!(chain(&d, "out_pass"), ["counter name out_pass", "accept"]);
        nft_accepts(&d);
    }

    /// A head's group is scanned when the head matches; a quick head
    /// decides when its group does not.
    #[test]
    fn groups() {
        let d = doc("pass out quick on eth1 all head 10
block out proto udp from any to any group 10
pass out log level info proto udp from any to any port = 53 group 10
block out quick on eth1 proto tcp all group 10
pass out all
");
        assert_eq!(
            chain(&d, "out4"),
            [
                "meta oifname == eth1 counter name r0 goto out4.h0",
                "counter name r4",
                "goto out_pass",
            ]
        );
        assert_eq!(
            chain(&d, "out4.h0"),
            [
                "meta l4proto == udp counter name r1",
                "meta l4proto == udp th dport == 53 counter name r2",
                "meta oifname == eth1 meta l4proto == tcp counter name r3 counter name out_block drop",
                "jump out4.h0.g0",
                "counter name r4",
                "goto out_pass",
                "meta l4proto == udp th dport == 53 log prefix \"xbow r2 \" level info goto out_pass",
                "meta l4proto == udp counter name out_block drop",
                "meta oifname == eth1 goto out_pass",
            ]
        );
        assert_eq!(
            chain(&d, "out4.h0.g0"),
            [
                "meta l4proto == udp return",
                "meta l4proto == udp th dport == 53 return",
                "meta oifname == eth1 goto out_pass",
            ]
        );
        nft_accepts(&d);
    }

    /// Heads one after another share the chains of what follows them: a
    /// chain per head, not per combination of heads that matched.
    #[test]
    fn many_heads_stay_linear() {
        let mut text = String::new();
        for g in 0..12 {
            text.push_str(&format!("block in on e{g} all head {g}\n"));
            text.push_str(&format!("pass in proto tcp all group {g}\n"));
        }
        text.push_str("pass in quick on lo0 all head 99\nblock in all group 99\n");
        let d = doc(&text);
        let names = chains(&d);
        // in4, a path per head, in_pass, out_pass, in, out.
        assert_eq!(names.len(), 1 + 13 + 2 + 2, "{names:?}");
        // After head 3 matched: its group, then the rest of the list with
        // the later heads going to their own (shared) paths; the reverse
        // pass ends at head 3.
        let h3 = chain(&d, "in4.h6");
        assert_eq!(h3[0], "meta l4proto == tcp counter name r7");
        assert_eq!(h3[1], "meta iifname == e4 counter name r8 goto in4.h8");
        assert_eq!(
            h3.last().unwrap(),
            "meta iifname == e3 counter name in_block drop"
        );
        // A quick head whose group never passes: the group's block
        // decides if it matches, else the head.
        assert_eq!(
            chain(&d, "in4.h24"),
            [
                "counter name r25",
                "jump in4.h24.g24",
                "counter name in_block drop",
                "meta iifname == lo0 goto in_pass"
            ]
        );
        assert_eq!(
            chain(&d, "in4.h24.g24"),
            ["return", "meta iifname == lo0 goto in_pass"]
        );
        nft_accepts(&d);
    }

    #[test]
    fn skip_and_count() {
        let d = doc("skip 1 in proto tcp all
block in all
count in from 10.0.0.0/8 to any
count in quick all
count out all
log in proto udp all
");
        assert_eq!(
            chain(&d, "in4"),
            [
                "meta l4proto == tcp counter name r0 goto in4.s0",
                "counter name r1",
                "meta l4proto == udp counter name r5 log prefix \"xbow r5 \"",
                "counter name in_block drop",
            ]
        );
        assert_eq!(
            chain(&d, "in4.s0"),
            ["meta l4proto == udp counter name r5 log prefix \"xbow r5 \""]
        );
        assert_eq!(
            chain(&d, "acct_in4"),
            [
                "ip saddr == 10.0.0.0/8 counter name r2",
                "counter name r3 return"
            ]
        );
        assert_eq!(chain(&d, "acct_out4"), ["counter name r4"]);
        assert_eq!(
            chain(&d, "in"),
            [
                "meta iifname == lo accept",
                "meta nfproto == ipv4 jump acct_in4",
                "ct state in { established, related } ct mark & 16777216 == 16777216 goto in_pass",
                "meta nfproto == ipv4 jump in4",
                "counter name in_nomatch goto in_pass",
            ]
        );
        assert_eq!(
            chain(&d, "out_pass"),
            [
                "counter name out_pass",
                "meta nfproto == ipv4 jump acct_out4",
                "accept"
            ]
        );
        nft_accepts(&d);
    }

    #[test]
    fn ipv6_with_and_returns() {
        let r = rules(
            "pass in quick proto tcp from any to any port = 80 keep state\nblock return-icmp(port-unr) in proto udp from any to any\n",
        );
        let mut v6 = Vec::new();
        parse(
            b"block in quick from 2001:db8::/32 to any with mcast\nblock return-icmp(port-unr) in proto udp from ::1 to any\npass in with not ipopts\n",
            Options { v6: true },
            &BuiltinNetdb,
            &mut |e| {
                if let Event::Rule(x) = e {
                    v6.push(x.rule);
                }
            },
        )
        .unwrap();
        let list: Vec<FilterRule> = r[..2]
            .iter()
            .cloned()
            .chain(v6[..2].iter().cloned())
            .collect();
        let d = ruleset(OWN, &list, &Counters::default(), true).unwrap();
        assert_eq!(
            chain(&d, "in6"),
            [
                "ip6 saddr == 2001:db8::/32 fib daddr type == multicast counter name r2 counter name in_block drop",
                "meta l4proto == udp ip6 saddr == ::1 counter name r3",
                "meta l4proto == udp ip6 saddr == ::1 counter name in_block reject with icmpv6 type port-unreachable",
            ]
        );
        assert_eq!(
            chain(&d, "in4")[2..],
            ["meta l4proto == udp counter name in_block reject with icmp type port-unreachable"]
        );
        // intercept_loopback: no loopback exception.
        assert_eq!(
            chain(&d, "in")[0],
            "ct state in { established, related } ct mark & 16777216 == 16777216 goto in_pass"
        );
        nft_accepts(&d);
        let e = ruleset(OWN, &v6[2..], &Counters::default(), false).unwrap_err();
        assert_eq!(
            e.0,
            "`with ipopts` of IPv6 rules is not supported by the Linux backend: pass in from ::/0 to ::/0 with not ipopts"
        );
    }

    #[test]
    fn unsupported_rules() {
        for (text, what) in [
            ("pass in on e0 dup-to e1 all", "`dup-to` is"),
            ("pass in on e0 to e1:10.0.0.1 all", "`to`/`route-to` is"),
            ("pass in fastroute all", "`fastroute` is"),
            ("auth in all", "`auth` is"),
            ("preauth in all", "`preauth` is"),
            ("call fr_srcgrpmap/1 in all", "`call` rules are"),
            ("pass in from any to any pps 5", "`pps` is"),
            (
                "pass in from any to any with opt lsrr",
                "IP options and security classes by name are",
            ),
            (
                "block in from any to any with short",
                "`with` flags other than ipopts, mcast, bcast and mbcast are",
            ),
            (
                "pass in on le0 from le0/net to any",
                "interface-derived, pool and hash table addresses are",
            ),
            (
                "pass in from pool/1 to any",
                "interface-derived, pool and hash table addresses are",
            ),
            (
                "pass in proto tcp all keep state (limit 5)",
                "`keep state (limit …)` and `age` are",
            ),
            (
                "block return-icmp-as-dest in all",
                "`return-icmp-as-dest` (nft answers from its own address) is",
            ),
            ("pass in on le0 out-via le1 all", "`in-via`/`out-via` is"),
            ("pass in log body all", "`log body` is"),
            (
                "count in all head 5",
                "`head` on rules that neither pass nor block is",
            ),
        ] {
            let r = rules(&format!("{text}\n"));
            let e = check(&r[0]).unwrap_err();
            assert!(
                e.0.starts_with(&format!("{what} not supported by the Linux backend: ")),
                "{text}: {e}"
            );
            assert_eq!(
                ruleset(OWN, &r, &Counters::default(), false).unwrap_err(),
                e
            );
        }
    }

    /// One named counter per rule, starting from the values given.
    #[test]
    fn counters_start_from_the_values_given() {
        let given = Counters {
            rules: vec![(5, 500)],
            dirs: HashMap::from([("in_block".to_string(), (2, 80))]),
        };
        let d = ruleset(OWN, &rules("pass in all\nblock out all\n"), &given, false).unwrap();
        let counters: Vec<Value> = d["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.get("add")?.get("counter").cloned())
            .filter(|c| c["name"].as_str().unwrap().starts_with('r'))
            .collect();
        let dirs: Vec<(String, u64)> = d["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.get("add")?.get("counter").cloned())
            .filter(|c| !c["name"].as_str().unwrap().starts_with('r'))
            .map(|c| {
                (
                    c["name"].as_str().unwrap().to_string(),
                    c["packets"].as_u64().unwrap(),
                )
            })
            .collect();
        let dir = |n: &str, p: u64| (n.to_string(), p);
        assert_eq!(
            dirs,
            [
                dir("in_pass", 0),
                dir("in_block", 2),
                dir("in_nomatch", 0),
                dir("out_pass", 0),
                dir("out_block", 0),
                dir("out_nomatch", 0)
            ]
        );
        assert_eq!(
            counters,
            [
                json!({"family": "inet", "table": "xbow_filter", "name": "r0", "packets": 5, "bytes": 500}),
                json!({"family": "inet", "table": "xbow_filter", "name": "r1", "packets": 0, "bytes": 0}),
            ]
        );
        // The table is replaced: added (so that it exists), deleted, added.
        let first: Vec<String> = d["nftables"].as_array().unwrap()[..3]
            .iter()
            .map(|c| c.as_object().unwrap().keys().next().unwrap().clone())
            .collect();
        assert_eq!(first, ["add", "delete", "add"]);
    }

    #[test]
    fn no_rules_delete_the_table_and_counters_are_read() {
        let table = json!({"family": "inet", "name": "xbow_filter"});
        assert_eq!(
            ruleset(OWN, &[], &Counters::default(), false).unwrap(),
            json!({"nftables": [{"add": {"table": table}}, {"delete": {"table": table}}]})
        );
        let listing = json!({"nftables": [
            {"metainfo": {"json_schema_version": 1}},
            {"table": {"family": "inet", "name": "xbow_filter", "handle": 1}},
            {"counter": {"family": "inet", "name": "r1", "table": "xbow_filter", "handle": 3, "packets": 7, "bytes": 420}},
            {"counter": {"family": "inet", "name": "r0", "table": "xbow_filter", "handle": 2, "packets": 0, "bytes": 0}},
            {"counter": {"family": "inet", "name": "out_block", "table": "xbow_filter", "handle": 4, "packets": 9, "bytes": 900}},
            {"counter": {"family": "inet", "name": "in_nomatch", "table": "xbow_filter", "handle": 5, "packets": 4, "bytes": 400}},
        ]});
        let c = Counters::of_listing(&listing, 3);
        assert_eq!(c.rules, [(0, 0), (7, 420), (0, 0)]);
        let st = c.dir_stats();
        assert_eq!((st[0].nom, st[1].block, st[0].pass), (4, 9, 0));
    }

    /// Loaded for real in a namespace of its own: the rules decide and
    /// count as IP Filter's would (root only).
    #[test]
    fn root_apply_count_and_block() {
        use crate::backend::linux::nft::{apply, tests::TestNs};
        if !crate::backend::linux::nft::tests::root_tests_can_run("root_apply_count_and_block") {
            return;
        }
        let ns = TestNs::new("flt");
        let filters = rules(
            "pass out quick on lo proto udp from any to any port = 9999
block in on lo proto udp from any to any port = 9999
pass in on lo proto udp from any to any port = 9998
pass in on lo proto udp from any to any port 9990 >< 10000
",
        );
        let got = ns.enter(|| {
            let up = Command::new("ip")
                .args(["link", "set", "lo", "up"])
                .output();
            assert!(up.unwrap().status.success());
            apply(&ruleset(OWN, &filters, &Counters::default(), true).unwrap()).unwrap();
            let rx = std::net::UdpSocket::bind("127.0.0.1:9999").unwrap();
            rx.set_read_timeout(Some(std::time::Duration::from_millis(300)))
                .unwrap();
            let tx = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
            for _ in 0..3 {
                tx.send_to(b"x", "127.0.0.1:9999").unwrap();
            }
            let mut buf = [0u8; 8];
            let received = rx.recv_from(&mut buf).is_ok();
            let counters = Counters::read(OWN, 4).unwrap().rules;
            // A reload sets the counters given; no rules delete the table.
            let mut given = Counters::read(OWN, 4).unwrap();
            given.rules.truncate(2);
            apply(&ruleset(OWN, &filters, &given, true).unwrap()).unwrap();
            let kept = Counters::read(OWN, 4).unwrap().rules;
            // A replacement keeps the counters of the rules it keeps, and
            // a zeroed counter says what it was.
            replace(OWN, &filters, &filters[1..], true).unwrap();
            let moved = Counters::read(OWN, 3).unwrap().rules;
            let zeroed = zero_rule(OWN, 0).unwrap();
            let after = Counters::read(OWN, 1).unwrap().rules;
            let dirs = zero_dirs(OWN).unwrap();
            apply(&ruleset(OWN, &[], &Counters::default(), true).unwrap()).unwrap();
            (
                received,
                counters,
                kept,
                (moved, zeroed, after, dirs),
                Counters::read(OWN, 0),
            )
        });
        let (received, counters, kept, (moved, zeroed, after, dirs), gone) = got;
        // The last matching rule (the range, which passes) wins over the
        // block before it: the datagrams arrive.
        assert!(received);
        assert_eq!(
            counters.iter().map(|c| c.0).collect::<Vec<_>>(),
            [3, 3, 0, 3]
        );
        assert_eq!(kept, [counters[0], counters[1], (0, 0), (0, 0)]);
        assert_eq!(moved, [counters[1], (0, 0), (0, 0)]);
        assert_eq!((zeroed, after[0]), (counters[1], (0, 0)));
        // Out: three passed by the quick rule; in: three passed by the
        // last matching rule.
        assert_eq!((dirs[0].pass, dirs[1].pass, dirs[0].block), (3, 3, 0));
        assert_eq!(gone, Ok(Counters::default()));
    }

    /// `keep state` lets the replies of a connection it passed through
    /// the rules that would block them; without it they are blocked (root
    /// only: loopback in a namespace of its own).
    #[test]
    fn root_keep_state_passes_replies() {
        use crate::backend::linux::nft::{apply, tests::TestNs};
        if !crate::backend::linux::nft::tests::root_tests_can_run("root_keep_state_passes_replies")
        {
            return;
        }
        let ns = TestNs::new("kst");
        let got = ns.enter(|| {
            let up = Command::new("ip")
                .args(["link", "set", "lo", "up"])
                .output();
            assert!(up.unwrap().status.success());
            let mut out = Vec::new();
            for keep in ["keep state", ""] {
                let filters = rules(&format!(
                    "pass out quick on lo proto udp from any to any port = 9999 {keep}
block in quick on lo proto udp from any port = 9999 to any
"
                ));
                apply(&ruleset(OWN, &filters, &Counters::default(), true).unwrap()).unwrap();
                let wait = Some(std::time::Duration::from_millis(300));
                let server = std::net::UdpSocket::bind("127.0.0.1:9999").unwrap();
                server.set_read_timeout(wait).unwrap();
                let client = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                client.set_read_timeout(wait).unwrap();
                client.send_to(b"q", "127.0.0.1:9999").unwrap();
                let mut buf = [0u8; 8];
                let (_, from) = server.recv_from(&mut buf).unwrap();
                server.send_to(b"r", from).unwrap();
                let replied = client.recv_from(&mut buf).is_ok();
                let hits = Counters::read(OWN, 2).unwrap().rules;
                out.push((replied, hits[1].0));
                drop((server, client));
                // Forget the connection before the next round.
                apply(&ruleset(OWN, &[], &Counters::default(), true).unwrap()).unwrap();
                let _ = Command::new("conntrack").args(["-F"]).output();
            }
            out
        });
        assert_eq!(got, [(true, 0), (false, 1)]);
    }

    /// Every rule of the parser goldens that translates makes a table nft
    /// accepts (check mode, root only).
    #[test]
    fn golden_rules_that_translate_are_accepted() {
        let text = include_str!("../../../tests/data/ipf/goldens.conf");
        let mut ok = Vec::new();
        for chunk in text.split("#=== ").skip(1) {
            let body = chunk.split_once('\n').map_or("", |(_, b)| b);
            let mut v = Vec::new();
            let _ = parse(
                body.as_bytes(),
                Options::default(),
                &BuiltinNetdb,
                &mut |e| {
                    if let Event::Rule(r) = e {
                        v.push(r.rule);
                    }
                },
            );
            ok.extend(v.into_iter().filter(|r| check(r).is_ok()));
        }
        assert!(ok.len() > 50, "{}", ok.len());
        // Groups need their heads in the same list: keep ungrouped rules.
        ok.retain(|r| r.group.is_empty());
        let d = ruleset(OWN, &ok, &Counters::default(), false).unwrap();
        assert!(chains(&d).contains(&"in4".to_string()));
        nft_accepts(&d);
    }
}
