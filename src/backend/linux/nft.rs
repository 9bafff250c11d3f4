//! The NAT rules of IP Filter (`ipnat`) as one nftables table that xbow
//! owns, `ip xbow`: a `postrouting` chain for `map` (and the outbound half
//! of `bimap`) and a `prerouting` chain for `rdr` (and the inbound half of
//! `bimap`), one nft rule per translated piece, in `ipnat` order (the first
//! matching NAT statement ends the chain, as the first matching `ipnat`
//! rule wins).
//!
//! The document is nftables' JSON (libnftables-json(5)), written here with
//! serde_json and handed to `nft -j -f -`, which applies it in one
//! transaction. No other table is ever touched.

use crate::ipnat::rule::count4bits;
use crate::ipnat::rule::{CmpOp, I6Addr, NatFlags, NatRule, PortCmp, Redir};
use serde_json::{Value, json};
use std::io::Write as _;
use std::net::Ipv4Addr;
use std::process::Stdio;

/// The name of the table xbow owns (family `ip`).
pub const TABLE: &str = "xbow";

/// The table's family.
const FAMILY: &str = "ip";

/// The longest comment nft accepts on a rule, in bytes.
const COMMENT_MAX: usize = 128;

/// Why a rule cannot be expressed in nftables: the text names the
/// unsupported feature and the rule, as `ipnat -l` prints it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unsupported(pub String);

fn unsupported(rule: &NatRule, what: &str) -> Unsupported {
    Unsupported(format!(
        "{what} not supported by the Linux backend: {}",
        rule.to_string().trim()
    ))
}

/// Check that one rule can be translated (called when a rule is added,
/// so `ipnat -f` can refuse it before anything changes).
pub fn check(rule: &NatRule) -> Result<(), Unsupported> {
    translate(rule).map(|_| ())
}

/// A table xbow owns for a NAT stack (family `ip`): the global zone's in
/// xbow's namespace, `ip xbow`; a zone's own stack's (also `ip xbow`) and
/// its GZ-controlled stack's (`ip xbow_gz`) in the zone's namespace. The
/// GZ-controlled stack is the outer one: its `rdr` rules see an inbound
/// packet first, its `map` rules an outbound one last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NatTable {
    gz: bool,
}

/// The table of the global zone's NAT stack, and of a zone's own.
pub const OWN: NatTable = NatTable { gz: false };

impl NatTable {
    pub fn of(gz: bool) -> NatTable {
        NatTable { gz }
    }

    fn name(self) -> &'static str {
        if self.gz { "xbow_gz" } else { TABLE }
    }

    /// The priorities of the `postrouting` and `prerouting` chains.
    fn prios(self) -> (i32, i32) {
        if self.gz { (101, -101) } else { (100, -100) }
    }
}

/// The complete nftables JSON document (for `nft -j -f -`) that makes
/// `table` (`ip xbow`) hold exactly `rules`: it adds the table, flushes
/// it, declares the two NAT chains and adds one nft rule per translated
/// piece, in order. With no rules the document deletes the table instead
/// (adding it first, so that it works whether or not the table exists).
pub fn ruleset(table: NatTable, rules: &[NatRule]) -> Result<Value, Unsupported> {
    let name = table.name();
    let (post, pre) = table.prios();
    let table = json!({"family": FAMILY, "name": name});
    if rules.is_empty() {
        return Ok(json!({"nftables": [
            {"add": {"table": table}},
            {"delete": {"table": table}},
        ]}));
    }
    let mut cmds = vec![
        json!({"add": {"table": table}}),
        json!({"flush": {"table": table}}),
        chain(name, "postrouting", post),
        chain(name, "prerouting", pre),
    ];
    for rule in rules {
        let comment = comment(rule);
        for piece in translate(rule)? {
            cmds.push(json!({"add": {"rule": {
                "family": FAMILY,
                "table": name,
                "chain": piece.chain,
                "expr": piece.expr,
                "comment": comment,
            }}}));
        }
    }
    Ok(json!({ "nftables": cmds }))
}

/// Run `nft -j -f -` with the document on stdin.
pub fn apply(doc: &Value) -> Result<(), String> {
    const CMD: &str = "nft -j -f -";
    let mut child = crate::sys::helper_command("nft")
        .args(["-j", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(spawn_error)?;
    let written = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(doc.to_string().as_bytes()),
        None => Ok(()),
    };
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{CMD}: {e}"))?;
    if !out.status.success() {
        return Err(failure(CMD, &out));
    }
    written.map_err(|e| format!("{CMD}: writing the ruleset: {e}"))
}

/// `nft -j list table ip xbow`, parsed; `None` when the table does not
/// exist.
pub fn list() -> Result<Option<Value>, String> {
    list_table(FAMILY, TABLE)
}

/// `nft -j list table FAMILY NAME`, parsed; `None` when the table does
/// not exist.
pub(super) fn list_table(family: &str, name: &str) -> Result<Option<Value>, String> {
    query(&["list", "table", family, name])
}

/// `nft -j ARGS…` (a command that prints objects), parsed; `None` when the
/// object does not exist.
pub(super) fn query(args: &[&str]) -> Result<Option<Value>, String> {
    let cmd = format!("nft -j {}", args.join(" "));
    let out = crate::sys::helper_command("nft")
        .arg("-j")
        .args(args)
        .output()
        .map_err(spawn_error)?;
    if !out.status.success() {
        if String::from_utf8_lossy(&out.stderr).contains("No such file or directory") {
            return Ok(None);
        }
        return Err(failure(&cmd, &out));
    }
    serde_json::from_slice(&out.stdout)
        .map(Some)
        .map_err(|e| format!("{cmd}: unreadable JSON: {e}"))
}

fn spawn_error(e: std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::NotFound {
        "nft: not found: install nftables".into()
    } else {
        format!("nft: {e}")
    }
}

fn failure(cmd: &str, out: &std::process::Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr);
    if err.trim().is_empty() {
        format!("{cmd}: {}", out.status)
    } else {
        format!("{cmd}: {}", err.trim())
    }
}

/// `add chain`: a NAT base chain of `table`.
fn chain(table: &str, name: &str, prio: i32) -> Value {
    json!({"add": {"chain": {
        "family": FAMILY,
        "table": table,
        "name": name,
        "type": "nat",
        "hook": name,
        "prio": prio,
        "policy": "accept",
    }}})
}

/// The rule as `ipnat -l` prints it, cut to what nft keeps.
fn comment(rule: &NatRule) -> String {
    comment_text(rule.to_string())
}

/// A rule's text as a comment: trimmed and cut to what nft keeps.
pub(super) fn comment_text(text: String) -> String {
    let mut text = text.trim().to_string();
    if text.len() > COMMENT_MAX {
        let mut end = COMMENT_MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// One nft rule: its chain and its expressions.
struct Piece {
    chain: &'static str,
    expr: Vec<Value>,
}

/// The protocols a rule applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Proto {
    Any,
    Tcp,
    Udp,
    TcpUdp,
    Other(i32),
}

impl Proto {
    /// From the rule's `IPN_TCP`/`IPN_UDP` flags, else its protocol.
    fn of(r: &NatRule) -> Proto {
        match (r.flags.0 & NatFlags::TCPUDP, r.proto) {
            (NatFlags::TCPUDP, _) => Proto::TcpUdp,
            (NatFlags::TCP, _) | (_, 6) => Proto::Tcp,
            (NatFlags::UDP, _) | (_, 17) => Proto::Udp,
            (_, 0) => Proto::Any,
            (_, p) => Proto::Other(p),
        }
    }

    /// Whether packets of the rule have ports.
    fn has_ports(self) -> bool {
        matches!(self, Proto::Tcp | Proto::Udp | Proto::TcpUdp)
    }

    /// `meta l4proto …`, unless any protocol goes.
    fn expr(self) -> Option<Value> {
        let right = match self {
            Proto::Any => return None,
            Proto::Tcp => json!("tcp"),
            Proto::Udp => json!("udp"),
            Proto::TcpUdp => json!({"set": ["tcp", "udp"]}),
            Proto::Other(p) => json!(p),
        };
        Some(matcher(meta("l4proto"), "==", right))
    }
}

pub(super) fn matcher(left: Value, op: &str, right: Value) -> Value {
    json!({"match": {"op": op, "left": left, "right": right}})
}

pub(super) fn meta(key: &str) -> Value {
    json!({"meta": {"key": key}})
}

pub(super) fn payload(protocol: &str, field: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": field}})
}

/// A port, or a range of them.
pub(super) fn ports(lo: u16, hi: u16) -> Value {
    if lo == hi {
        json!(lo)
    } else {
        json!({"range": [lo, hi]})
    }
}

/// An IPv4 network: its (masked) address and prefix length.
#[derive(Debug, Clone, Copy)]
struct Net {
    addr: Ipv4Addr,
    len: u32,
}

impl Net {
    fn of(r: &NatRule, a: &[I6Addr; 2]) -> Result<Net, Unsupported> {
        let mask = a[1].word0();
        let len = count4bits(mask).ok_or_else(|| unsupported(r, "non-contiguous masks are"))?;
        Ok(Net {
            addr: Ipv4Addr::from(a[0].word0() & mask),
            len,
        })
    }

    fn value(self) -> Value {
        if self.len == 32 {
            json!(self.addr.to_string())
        } else {
            json!({"prefix": {"addr": self.addr.to_string(), "len": self.len}})
        }
    }

    /// `ip FIELD NET`, or nothing for `0/0`.
    fn expr(self, field: &str) -> Option<Value> {
        (self.len != 0).then(|| matcher(payload("ip", field), "==", self.value()))
    }
}

/// `th FIELD OP PORT` for a `port …` comparison of a `from … to …` rule.
fn port_cmp(r: &NatRule, field: &str, c: &PortCmp) -> Result<Option<Value>, Unsupported> {
    port_match(field, c).map_err(|what| unsupported(r, what))
}

/// `th FIELD OP PORT` for an IP Filter port comparison (`frpcmp_t`, ports
/// in host order), or nothing without one; the error says what nft cannot
/// match.
pub(super) fn port_match(field: &str, c: &PortCmp) -> Result<Option<Value>, &'static str> {
    let (lo, hi) = (c.port, c.top);
    let (op, right) = match c.op {
        CmpOp::NONE => return Ok(None),
        CmpOp::EQUAL => ("==", json!(lo)),
        CmpOp::NEQUAL => ("!=", json!(lo)),
        CmpOp::LESST => ("<", json!(lo)),
        CmpOp::GREATERT => (">", json!(lo)),
        CmpOp::LESSTE => ("<=", json!(lo)),
        CmpOp::GREATERTE => (">=", json!(lo)),
        CmpOp::INCRANGE if lo <= hi => ("==", ports(lo, hi)),
        CmpOp::INRANGE if u32::from(lo) + 2 <= u32::from(hi) => ("==", ports(lo + 1, hi - 1)),
        CmpOp::OUTRANGE if lo <= hi => ("!=", ports(lo, hi)),
        _ => return Err("empty or unknown port comparisons are"),
    };
    Ok(Some(matcher(payload("th", field), op, right)))
}

/// The protocol match and the `port` comparisons of a `from … to …` rule:
/// like IP Filter, a rule that compares ports applies to TCP and UDP only.
fn filter_ports(r: &NatRule, proto: Proto, expr: &mut Vec<Value>) -> Result<(), Unsupported> {
    let compares = !r.scmp.op.is_none() || !r.dcmp.op.is_none();
    let proto = match proto {
        Proto::Any if compares => Proto::TcpUdp,
        Proto::Other(_) if compares => {
            return Err(unsupported(
                r,
                "port comparisons for protocols other than tcp and udp are",
            ));
        }
        p => p,
    };
    expr.extend(proto.expr());
    expr.extend(port_cmp(r, "sport", &r.scmp)?);
    expr.extend(port_cmp(r, "dport", &r.dcmp)?);
    Ok(())
}

/// The interface a rule names (one name; IP Filter's second, outbound,
/// interface is not supported).
fn ifname(r: &NatRule) -> Result<String, Unsupported> {
    let [a, b] = &r.ifnames;
    if !b.is_empty() && a != b {
        return Err(unsupported(r, "rules with two interface names are"));
    }
    let name = std::str::from_utf8(a.as_bytes())
        .map_err(|_| unsupported(r, "interface names that are not UTF-8 are"))?;
    if name.is_empty() {
        return Err(unsupported(r, "rules without an interface are"));
    }
    if name.contains(['*', '\\']) {
        return Err(unsupported(r, "interface names with `*` or `\\` are"));
    }
    Ok(name.to_string())
}

/// The nft rules for one `ipnat` rule.
fn translate(r: &NatRule) -> Result<Vec<Piece>, Unsupported> {
    let no = |what: &str| Err(unsupported(r, what));
    match r.kind {
        Redir::Map | Redir::Rdr | Redir::Bimap => {}
        Redir::MapBlock => return no("map-block rules are"),
        Redir::Other(_) => return no("rules of an unknown kind are"),
    }
    match r.v {
        4 => {}
        6 => return no("IPv6 rules are"),
        _ => return no("rules of an unknown address family are"),
    }
    let ifname = ifname(r)?;
    const FLAGS: &[(u32, &str)] = &[
        (NatFlags::NOTSRC | NatFlags::NOTDST, "`!` negations are"),
        (
            NatFlags::SPLIT,
            "rdr rules with two target addresses (round-robin) are",
        ),
        (NatFlags::ROUNDR, "`round-robin` rules are"),
        (NatFlags::STICKY, "`sticky` rules are"),
        (NatFlags::FRAG, "`frag` rules are"),
        (NatFlags::SEQUENTIAL, "`sequential` port maps are"),
        (NatFlags::ICMPQUERY, "`icmpidmap` rules are"),
    ];
    if let Some((_, what)) = FLAGS.iter().find(|(bits, _)| r.flags.has(*bits)) {
        return no(what);
    }
    if !r.plabel.is_empty() {
        return no("proxies (`proxy`) are");
    }
    if r.mssclamp != 0 {
        return no("`mssclamp` rules are");
    }
    if !r.tag.is_empty() {
        return no("tags (`tag`) are");
    }
    if r.age != [0, 0] {
        return no("per-rule timeouts (`age`) are");
    }
    if r.proto < 0 {
        return no("unknown protocols are");
    }
    match r.kind {
        Redir::Rdr => rdr(r, &ifname),
        Redir::Bimap => bimap(r, &ifname),
        _ => map(r, &ifname),
    }
}

/// `map`: source NAT on the way out of the interface.
fn map(r: &NatRule, ifname: &str) -> Result<Vec<Piece>, Unsupported> {
    let mut expr = vec![matcher(meta("oifname"), "==", json!(ifname))];
    expr.extend(Net::of(r, &r.inside)?.expr("saddr"));
    let proto = Proto::of(r);
    if r.flags.has(NatFlags::FILTER) {
        expr.extend(Net::of(r, &r.src)?.expr("daddr"));
        filter_ports(r, proto, &mut expr)?;
    } else {
        expr.extend(proto.expr());
    }
    // The port map: `auto` hands out the whole unprivileged range.
    let port = if r.flags.has(NatFlags::AUTOPORTMAP) {
        Some(ports(1024, 65535))
    } else if r.pmin != 0 || r.pmax != 0 {
        if r.pmin > r.pmax {
            return Err(unsupported(
                r,
                "port maps whose first port is above the last are",
            ));
        }
        Some(ports(r.pmin, r.pmax))
    } else {
        None
    };
    let nat = if r.flags.has(NatFlags::IPRANGE) {
        let (lo, hi) = (r.outside[0].v4(), r.outside[1].v4());
        if lo > hi {
            return Err(unsupported(
                r,
                "address ranges whose first address is above the last are",
            ));
        }
        snat("snat", addr_range(lo, hi), port)
    } else {
        let out = Net::of(r, &r.outside)?;
        match out.len {
            0 => return Err(unsupported(r, "maps to 0/0 are")),
            32 if out.addr.is_unspecified() => match port {
                Some(p) => json!({"masquerade": {"port": p}}),
                None => json!({"masquerade": null}),
            },
            32 => snat("snat", out.value(), port),
            len => {
                // The network's own and broadcast addresses are not handed
                // out, except from a /31.
                let first = u32::from(out.addr);
                let last = first | (u32::MAX >> len);
                let (first, last) = if len <= 30 {
                    (first + 1, last - 1)
                } else {
                    (first, last)
                };
                snat(
                    "snat",
                    addr_range(Ipv4Addr::from(first), Ipv4Addr::from(last)),
                    port,
                )
            }
        }
    };
    expr.push(nat);
    Ok(vec![Piece {
        chain: "postrouting",
        expr,
    }])
}

/// `{"range": [A, B]}`, or `A` alone.
fn addr_range(lo: Ipv4Addr, hi: Ipv4Addr) -> Value {
    if lo == hi {
        json!(lo.to_string())
    } else {
        json!({"range": [lo.to_string(), hi.to_string()]})
    }
}

/// `snat to ADDR[:PORT]` (or `dnat`).
fn snat(kind: &str, addr: Value, port: Option<Value>) -> Value {
    let mut args = serde_json::Map::new();
    args.insert("addr".into(), addr);
    if let Some(p) = port {
        args.insert("port".into(), p);
    }
    json!({ kind: args })
}

/// `rdr`: destination NAT on the way in through the interface.
fn rdr(r: &NatRule, ifname: &str) -> Result<Vec<Piece>, Unsupported> {
    let mut expr = vec![matcher(meta("iifname"), "==", json!(ifname))];
    let proto = Proto::of(r);
    let shift = || {
        Err(unsupported(
            r,
            "rdr rules that shift a port range onto another are",
        ))
    };
    let port = if r.flags.has(NatFlags::FILTER) {
        expr.extend(Net::of(r, &r.src)?.expr("saddr"));
        expr.extend(Net::of(r, &r.outside)?.expr("daddr"));
        filter_ports(r, proto, &mut expr)?;
        if !proto.has_ports() || r.pnext == 0 {
            None
        } else if r.flags.has(NatFlags::FIXEDDPORT)
            || r.dcmp.op == CmpOp::NONE
            || r.dcmp.op == CmpOp::EQUAL
        {
            Some(r.pnext)
        } else if r.pnext == r.dcmp.port {
            None
        } else {
            return shift();
        }
    } else {
        expr.extend(Net::of(r, &r.outside)?.expr("daddr"));
        expr.extend(proto.expr());
        if proto.has_ports() && (r.pmin != 0 || r.pmax != 0) {
            if r.pmin > r.pmax {
                return Err(unsupported(
                    r,
                    "port ranges whose first port is above the last are",
                ));
            }
            expr.push(matcher(payload("th", "dport"), "==", ports(r.pmin, r.pmax)));
        }
        if !proto.has_ports() || r.pnext == 0 {
            None
        } else if r.flags.has(NatFlags::FIXEDDPORT) || r.pmin == r.pmax {
            Some(r.pnext)
        } else if r.pnext == r.pmin {
            None
        } else {
            return shift();
        }
    };
    let target = r.inside[0].v4();
    let nat = match (target.is_unspecified(), count4bits(r.inside[1].word0())) {
        // 0/32: the address of the interface the packet came in on.
        (true, Some(32)) => match port {
            Some(p) => json!({"redirect": {"port": p}}),
            None => json!({"redirect": null}),
        },
        (false, Some(32)) => snat("dnat", json!(target.to_string()), port.map(|p| json!(p))),
        (true, Some(0)) => {
            return Err(unsupported(
                r,
                "rdr rules to 0/0 (the original destination) are",
            ));
        }
        _ => return Err(unsupported(r, "rdr rules to a network are")),
    };
    expr.push(nat);
    Ok(vec![Piece {
        chain: "prerouting",
        expr,
    }])
}

/// `bimap`: source NAT out, destination NAT in, address for address.
fn bimap(r: &NatRule, ifname: &str) -> Result<Vec<Piece>, Unsupported> {
    if r.flags.has(NatFlags::FILTER) {
        return Err(unsupported(r, "bimap rules with `from … to …` are"));
    }
    if r.flags.has(NatFlags::IPRANGE) {
        return Err(unsupported(r, "bimap rules to an address range are"));
    }
    if r.pmin != 0 || r.pmax != 0 {
        return Err(unsupported(r, "bimap rules with a port map are"));
    }
    let (a, b) = (Net::of(r, &r.inside)?, Net::of(r, &r.outside)?);
    if b.addr.is_unspecified() {
        return Err(unsupported(
            r,
            "bimap rules to the interface's address (0/32) are",
        ));
    }
    if a.len != b.len || a.len == 0 {
        return Err(unsupported(
            r,
            "bimap rules between networks of different sizes are",
        ));
    }
    let proto = Proto::of(r);
    // One address: plain NAT; a network: nft's prefix mapping (netmap).
    let nat = |kind: &str, field: &str, from: Net, to: Net| {
        if from.len == 32 {
            snat(kind, to.value(), None)
        } else {
            json!({ kind: {
                "family": FAMILY,
                "addr": {"map": {
                    "key": payload("ip", field),
                    "data": {"set": [[from.value(), to.value()]]},
                }},
                "flags": "netmap",
                "type_flags": "prefix",
            }})
        }
    };
    let mut out = vec![matcher(meta("oifname"), "==", json!(ifname))];
    out.extend(a.expr("saddr"));
    out.extend(proto.expr());
    out.push(nat("snat", "saddr", a, b));
    let mut inb = vec![matcher(meta("iifname"), "==", json!(ifname))];
    inb.extend(b.expr("daddr"));
    inb.extend(proto.expr());
    inb.push(nat("dnat", "daddr", b, a));
    Ok(vec![
        Piece {
            chain: "postrouting",
            expr: out,
        },
        Piece {
            chain: "prerouting",
            expr: inb,
        },
    ])
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::process::Command;

    fn rule(s: &str) -> NatRule {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// The (chain, expressions, comment) of each rule a document adds.
    fn pieces(doc: &Value) -> Vec<(String, Value, String)> {
        doc["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c.get("add")?.get("rule"))
            .map(|r| {
                (
                    r["chain"].as_str().unwrap().to_string(),
                    r["expr"].clone(),
                    r["comment"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    /// The pieces of one rule: (chain, expressions).
    fn one(s: &str) -> Vec<(String, Value)> {
        let r = rule(s);
        check(&r).unwrap();
        pieces(&ruleset(OWN, &[r]).unwrap())
            .into_iter()
            .map(|(c, e, _)| (c, e))
            .collect()
    }

    fn m(left: Value, right: Value) -> Value {
        json!({"match": {"op": "==", "left": left, "right": right}})
    }

    fn oif() -> Value {
        m(json!({"meta": {"key": "oifname"}}), json!("eri0"))
    }

    fn iif() -> Value {
        m(json!({"meta": {"key": "iifname"}}), json!("eri0"))
    }

    fn ip(field: &str, right: Value) -> Value {
        m(
            json!({"payload": {"protocol": "ip", "field": field}}),
            right,
        )
    }

    fn l4(right: Value) -> Value {
        m(json!({"meta": {"key": "l4proto"}}), right)
    }

    fn th(field: &str, op: &str, right: Value) -> Value {
        json!({"match": {"op": op, "left": {"payload": {"protocol": "th", "field": field}}, "right": right}})
    }

    fn prefix(a: &str, len: u32) -> Value {
        json!({"prefix": {"addr": a, "len": len}})
    }

    fn post(expr: Value) -> (String, Value) {
        ("postrouting".into(), expr)
    }

    fn pre(expr: Value) -> (String, Value) {
        ("prerouting".into(), expr)
    }

    /// The two rules of the article: PAT for TCP and UDP, then NAT for
    /// everything else, both to the interface's own address.
    #[test]
    fn article_rules_golden() {
        let rules = [
            rule("map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto"),
            rule("map eri0 192.168.0.0/24 -> 0/32"),
        ];
        let table = json!({"family": "ip", "name": "xbow"});
        let chain = |name: &str, prio: i32| {
            json!({"add": {"chain": {"family": "ip", "table": "xbow", "name": name,
                "type": "nat", "hook": name, "prio": prio, "policy": "accept"}}})
        };
        let want = json!({"nftables": [
            {"add": {"table": table}},
            {"flush": {"table": table}},
            chain("postrouting", 100),
            chain("prerouting", -100),
            {"add": {"rule": {
                "family": "ip", "table": "xbow", "chain": "postrouting",
                "expr": [
                    oif(),
                    ip("saddr", prefix("192.168.0.0", 24)),
                    l4(json!({"set": ["tcp", "udp"]})),
                    {"masquerade": {"port": {"range": [1024, 65535]}}},
                ],
                "comment": "map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto",
            }}},
            {"add": {"rule": {
                "family": "ip", "table": "xbow", "chain": "postrouting",
                "expr": [
                    oif(),
                    ip("saddr", prefix("192.168.0.0", 24)),
                    {"masquerade": null},
                ],
                "comment": "map eri0 192.168.0.0/24 -> 0.0.0.0/32",
            }}},
        ]});
        assert_eq!(ruleset(OWN, &rules).unwrap(), want);
    }

    #[test]
    fn no_rules_deletes_the_table() {
        let table = json!({"family": "ip", "name": "xbow"});
        assert_eq!(
            ruleset(OWN, &[]).unwrap(),
            json!({"nftables": [{"add": {"table": table}}, {"delete": {"table": table}}]})
        );
    }

    #[test]
    fn snat_to_one_address() {
        assert_eq!(
            one("map eri0 10.0.0.0/8 -> 203.0.113.5/32 portmap tcp 2000:3000"),
            [post(json!([
                oif(),
                ip("saddr", prefix("10.0.0.0", 8)),
                l4(json!("tcp")),
                {"snat": {"addr": "203.0.113.5", "port": {"range": [2000, 3000]}}},
            ]))]
        );
        assert_eq!(
            one("map eri0 10.0.0.5/32 -> 203.0.113.5/32"),
            [post(json!([
                oif(),
                ip("saddr", json!("10.0.0.5")),
                {"snat": {"addr": "203.0.113.5"}},
            ]))]
        );
        // A protocol keyword restricts the rule; 0/0 matches every source.
        assert_eq!(
            one("map eri0 0/0 -> 203.0.113.6/32 icmp"),
            [post(json!([
                oif(),
                l4(json!(1)),
                {"snat": {"addr": "203.0.113.6"}},
            ]))]
        );
    }

    #[test]
    fn snat_to_a_network_or_range() {
        assert_eq!(
            one("map eri0 10.0.0.0/8 -> 203.0.113.0/24"),
            [post(json!([
                oif(),
                ip("saddr", prefix("10.0.0.0", 8)),
                {"snat": {"addr": {"range": ["203.0.113.1", "203.0.113.254"]}}},
            ]))]
        );
        assert_eq!(
            one("map eri0 10.0.0.0/8 -> 203.0.113.4/31 portmap udp 5000:5000"),
            [post(json!([
                oif(),
                ip("saddr", prefix("10.0.0.0", 8)),
                l4(json!("udp")),
                {"snat": {"addr": {"range": ["203.0.113.4", "203.0.113.5"]}, "port": 5000}},
            ]))]
        );
        assert_eq!(
            one(
                "map eri0 10.2.0.0/16 -> range 203.0.113.10-203.0.113.20 portmap tcp/udp 5000:6000"
            ),
            [post(json!([
                oif(),
                ip("saddr", prefix("10.2.0.0", 16)),
                l4(json!({"set": ["tcp", "udp"]})),
                {"snat": {"addr": {"range": ["203.0.113.10", "203.0.113.20"]},
                          "port": {"range": [5000, 6000]}}},
            ]))]
        );
    }

    #[test]
    fn map_from_to_with_ports() {
        assert_eq!(
            one("map eri0 from 10.3.0.0/16 port > 1023 to 198.51.100.0/24 port = 80 -> 0/32"),
            [post(json!([
                oif(),
                ip("saddr", prefix("10.3.0.0", 16)),
                ip("daddr", prefix("198.51.100.0", 24)),
                l4(json!({"set": ["tcp", "udp"]})),
                th("sport", ">", json!(1023)),
                th("dport", "==", json!(80)),
                {"masquerade": null},
            ]))]
        );
        assert_eq!(
            one("map eri0 from any to 198.51.100.0/24 port 20 <> 30 -> 203.0.113.5/32 tcp"),
            [post(json!([
                oif(),
                ip("daddr", prefix("198.51.100.0", 24)),
                l4(json!("tcp")),
                th("dport", "!=", json!({"range": [20, 30]})),
                {"snat": {"addr": "203.0.113.5"}},
            ]))]
        );
    }

    #[test]
    fn rdr_rules() {
        assert_eq!(
            one("rdr eri0 203.0.113.2/32 port 80 -> 10.0.0.5 port 8080 tcp"),
            [pre(json!([
                iif(),
                ip("daddr", json!("203.0.113.2")),
                l4(json!("tcp")),
                th("dport", "==", json!(80)),
                {"dnat": {"addr": "10.0.0.5", "port": 8080}},
            ]))]
        );
        assert_eq!(
            one("rdr eri0 203.0.113.0/24 port 53 -> 10.0.0.5 port 53 tcp/udp"),
            [pre(json!([
                iif(),
                ip("daddr", prefix("203.0.113.0", 24)),
                l4(json!({"set": ["tcp", "udp"]})),
                th("dport", "==", json!(53)),
                {"dnat": {"addr": "10.0.0.5", "port": 53}},
            ]))]
        );
        // A range onto the same ports keeps them; `port =` sends all to one.
        assert_eq!(
            one("rdr eri0 203.0.113.2/32 port 8000-8010 -> 10.0.0.5 port 8000 udp"),
            [pre(json!([
                iif(),
                ip("daddr", json!("203.0.113.2")),
                l4(json!("udp")),
                th("dport", "==", json!({"range": [8000, 8010]})),
                {"dnat": {"addr": "10.0.0.5"}},
            ]))]
        );
        assert_eq!(
            one("rdr eri0 203.0.113.2/32 port 8000-8010 -> 10.0.0.5 port = 9000 tcp")[0].1[4],
            json!({"dnat": {"addr": "10.0.0.5", "port": 9000}})
        );
        // 0/32: the address of the interface the packet came in on.
        assert_eq!(
            one("rdr eri0 0/0 port 80 -> 0/32 port 3128 tcp"),
            [pre(json!([
                iif(),
                l4(json!("tcp")),
                th("dport", "==", json!(80)),
                {"redirect": {"port": 3128}},
            ]))]
        );
        // Every protocol, address only.
        assert_eq!(
            one("rdr eri0 203.0.113.2/32 -> 10.0.0.5"),
            [pre(json!([
                iif(),
                ip("daddr", json!("203.0.113.2")),
                {"dnat": {"addr": "10.0.0.5"}},
            ]))]
        );
        assert_eq!(
            one(
                "rdr eri0 from 198.51.100.0/24 to 203.0.113.3/32 port = 443 -> 10.0.0.6 port 4443 tcp"
            ),
            [pre(json!([
                iif(),
                ip("saddr", prefix("198.51.100.0", 24)),
                ip("daddr", json!("203.0.113.3")),
                l4(json!("tcp")),
                th("dport", "==", json!(443)),
                {"dnat": {"addr": "10.0.0.6", "port": 4443}},
            ]))]
        );
    }

    #[test]
    fn bimap_rules() {
        assert_eq!(
            one("bimap eri0 10.0.0.9/32 -> 203.0.113.9/32"),
            [
                post(json!([
                    oif(),
                    ip("saddr", json!("10.0.0.9")),
                    {"snat": {"addr": "203.0.113.9"}},
                ])),
                pre(json!([
                    iif(),
                    ip("daddr", json!("203.0.113.9")),
                    {"dnat": {"addr": "10.0.0.9"}},
                ])),
            ]
        );
        let netmap = |kind: &str, field: &str, from: Value, to: Value| {
            json!({kind: {
                "family": "ip",
                "addr": {"map": {
                    "key": {"payload": {"protocol": "ip", "field": field}},
                    "data": {"set": [[from, to]]},
                }},
                "flags": "netmap",
                "type_flags": "prefix",
            }})
        };
        let (a, b) = (prefix("10.9.0.0", 24), prefix("198.51.100.0", 24));
        assert_eq!(
            one("bimap eri0 10.9.0.0/24 -> 198.51.100.0/24 tcp"),
            [
                post(json!([
                    oif(),
                    ip("saddr", a.clone()),
                    l4(json!("tcp")),
                    netmap("snat", "saddr", a.clone(), b.clone()),
                ])),
                pre(json!([
                    iif(),
                    ip("daddr", b.clone()),
                    l4(json!("tcp")),
                    netmap("dnat", "daddr", b, a),
                ])),
            ]
        );
    }

    #[test]
    fn rules_keep_their_order_and_text() {
        let texts = [
            "rdr eri0 203.0.113.2/32 port 80 -> 10.0.0.5 port 8080 tcp",
            "map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto",
            "bimap eri0 10.0.0.9/32 -> 203.0.113.9/32",
            "map eri0 192.168.0.0/24 -> 0/32",
        ];
        let rules: Vec<NatRule> = texts.iter().map(|t| rule(t)).collect();
        let got: Vec<(String, String)> = pieces(&ruleset(OWN, &rules).unwrap())
            .into_iter()
            .map(|(c, _, t)| (c, t))
            .collect();
        let p = |c: &str, i: usize| (c.to_string(), rules[i].to_string());
        assert_eq!(
            got,
            [
                p("prerouting", 0),
                p("postrouting", 1),
                p("postrouting", 2),
                p("prerouting", 2),
                p("postrouting", 3),
            ]
        );
    }

    #[test]
    fn long_comments_are_cut() {
        let r = rule(
            "map abcdefghijklmnopqrstuvwxyz01234 from 192.168.100.0/24 port 1023 >< 65535 \
             to 198.51.100.128/25 port 999 >< 2001 -> range 203.0.113.100-203.0.113.200 \
             portmap tcp/udp 10000:20000",
        );
        let text = r.to_string();
        assert!(text.len() > COMMENT_MAX);
        let c = &pieces(&ruleset(OWN, &[r]).unwrap())[0].2;
        assert_eq!(c.len(), COMMENT_MAX);
        assert!(text.starts_with(c.as_str()));
    }

    #[test]
    fn unsupported_rules() {
        let cases = [
            (
                "map-block eri0 10.0.0.0/24 -> 203.0.113.0/28 ports 252",
                "map-block rules are",
            ),
            (
                "map eri0 10.0.0.0/24 -> 203.0.113.5/32 proxy port ftp ftp/tcp",
                "proxies (`proxy`) are",
            ),
            (
                "rdr eri0 203.0.113.2/32 port 21 -> 10.0.0.5 port 21 tcp proxy ftp",
                "proxies (`proxy`) are",
            ),
            (
                "map eri0 10.0.0.0/24 -> 203.0.113.5/32 frag",
                "`frag` rules are",
            ),
            (
                "map eri0 10.0.0.0/24 -> 203.0.113.5/32 mssclamp 1400",
                "`mssclamp` rules are",
            ),
            (
                "map eri0 10.0.0.0/24 -> 203.0.113.5/32 tag foo",
                "tags (`tag`) are",
            ),
            (
                "map eri0 10.0.0.0/24 -> 203.0.113.5/32 portmap tcp 1000:2000 sequential",
                "`sequential` port maps are",
            ),
            (
                "rdr eri0 203.0.113.2/32 port 80 -> 10.0.0.5 port 80 tcp round-robin",
                "`round-robin` rules are",
            ),
            (
                "rdr eri0 203.0.113.2/32 port 80 -> 10.0.0.5,10.0.0.6 port 80 tcp",
                "rdr rules with two target addresses (round-robin) are",
            ),
            (
                "map eri0 2001:db8::/64 -> 2001:db8:1::1/128",
                "IPv6 rules are",
            ),
            (
                "map eri0 from 10.0.0.0/8 ! to 10.0.0.0/8 -> 0/32",
                "`!` negations are",
            ),
            (
                "rdr eri0 ! from 10.0.0.0/8 to 203.0.113.2/32 port = 80 -> 10.0.0.5 port 80 tcp",
                "`!` negations are",
            ),
            (
                "map eri0,eri1 10.0.0.0/8 -> 0/32",
                "rules with two interface names are",
            ),
            (
                "map eri0 10.0.0.0/8 -> 203.0.113.5/32 icmpidmap icmp 1000:2000",
                "`icmpidmap` rules are",
            ),
            (
                "map eri0 10.0.0.0/8 -> 203.0.113.5/32 age 30/60",
                "per-rule timeouts (`age`) are",
            ),
            (
                "map eri0 10.0.0.0/8 -> 0/32 nosuchproto",
                "unknown protocols are",
            ),
            (
                "map eri0 10.0.0.0/255.0.255.0 -> 0/32",
                "non-contiguous masks are",
            ),
            ("map eri0 10.0.0.0/8 -> 0/0", "maps to 0/0 are"),
            (
                "map eri0 from 10.0.0.0/8 to any port = 53 -> 0/32 gre",
                "port comparisons for protocols other than tcp and udp are",
            ),
            (
                "rdr eri0 203.0.113.2/32 port 8000-8010 -> 10.0.0.5 port 9000 tcp",
                "rdr rules that shift a port range onto another are",
            ),
            (
                "rdr eri0 203.0.113.2/32 port 80 -> 0/0 port 8080 tcp",
                "rdr rules to 0/0 (the original destination) are",
            ),
            (
                "bimap eri0 10.0.0.0/24 -> 203.0.113.0/28",
                "bimap rules between networks of different sizes are",
            ),
            (
                "bimap eri0 10.0.0.0/24 -> 203.0.113.0/24 portmap tcp 3000:4000",
                "bimap rules with a port map are",
            ),
            (
                "bimap eri0 10.0.0.9/32 -> 0/32",
                "bimap rules to the interface's address (0/32) are",
            ),
        ];
        for (text, what) in cases {
            let r = rule(text);
            let want = Unsupported(format!("{what} not supported by the Linux backend: {r}"));
            assert_eq!(check(&r), Err(want.clone()), "{text}");
            let ok = rule("map eri0 192.168.0.0/24 -> 0/32");
            assert_eq!(ruleset(OWN, &[ok, r]), Err(want), "{text}");
        }
        assert_eq!(
            check(&rule(
                "map-block eri0 10.0.0.0/24 -> 203.0.113.0/28 ports 252"
            ))
            .unwrap_err()
            .to_string(),
            "map-block rules are not supported by the Linux backend: \
             map-block eri0 10.0.0.0/24 -> 203.0.113.0/28 ports 252"
        );
    }

    /// A network namespace of a test's own, deleted when dropped.
    pub(crate) struct TestNs {
        pub(crate) name: String,
    }

    /// Whether the root tests can run here; prints why not.
    pub(crate) fn root_tests_can_run(test: &str) -> bool {
        if !crate::sys::is_superuser() {
            eprintln!("{test}: skipped: needs root (network namespaces)");
            return false;
        }
        if let Err(e) = Command::new("nft").arg("--version").output() {
            eprintln!("{test}: skipped: nft: {e} (install nftables)");
            return false;
        }
        true
    }

    /// Run a command; panic with its stderr if it fails.
    pub(crate) fn run(args: &[&str]) {
        let out = Command::new(args[0]).args(&args[1..]).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    impl TestNs {
        /// `ip netns add xbnft<pid><tag>`.
        pub(crate) fn new(tag: &str) -> TestNs {
            let name = format!("xbnft{}{tag}", std::process::id());
            let _ = Command::new("ip").args(["netns", "del", &name]).output();
            run(&["ip", "netns", "add", &name]);
            TestNs { name }
        }

        /// Run `f` on a thread inside the namespace (commands it starts run
        /// there too).
        pub(crate) fn enter<T: Send>(&self, f: impl FnOnce() -> T + Send) -> T {
            std::thread::scope(|s| {
                s.spawn(|| {
                    let ns = std::fs::File::open(format!("/run/netns/{}", self.name)).unwrap();
                    nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
                    f()
                })
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e))
            })
        }
    }

    impl Drop for TestNs {
        fn drop(&mut self) {
            let _ = Command::new("ip")
                .args(["netns", "del", &self.name])
                .output();
        }
    }

    /// The chains and the rules of a `nft -j list` document.
    fn listed(doc: &Value) -> (Vec<Value>, Vec<Value>) {
        let items = doc["nftables"].as_array().unwrap();
        let of = |kind: &str| {
            items
                .iter()
                .filter_map(|i| i.get(kind).cloned())
                .collect::<Vec<_>>()
        };
        (of("chain"), of("rule"))
    }

    #[test]
    fn root_apply_list_and_delete() {
        if !root_tests_can_run("root_apply_list_and_delete") {
            return;
        }
        let ns = TestNs::new("a");
        let texts = [
            "map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto",
            "map eri0 192.168.0.0/24 -> 0/32",
            "map eri0 10.0.0.0/8 -> 203.0.113.5/32 portmap tcp 2000:3000",
            "map eri0 10.1.0.0/16 -> 203.0.113.0/24",
            "map eri0 10.2.0.0/16 -> range 203.0.113.10-203.0.113.20 portmap udp 5000:6000",
            "map eri0 from 10.3.0.0/16 port > 1023 to 198.51.100.0/24 port 20 <> 30 -> 0/32",
            "map eri0 0/0 -> 203.0.113.6/32 icmp",
            "rdr eri0 203.0.113.2/32 port 80 -> 10.0.0.5 port 8080 tcp",
            "rdr eri0 203.0.113.2/32 port 53 -> 10.0.0.5 port 5353 tcp/udp",
            "rdr eri0 203.0.113.2/32 port 8000-8010 -> 10.0.0.5 port 8000 udp",
            "rdr eri0 0/0 port 80 -> 0/32 port 3128 tcp",
            "rdr eri0 from 198.51.100.0/24 to 203.0.113.3/32 port = 443 -> 10.0.0.6 port 4443 tcp",
            "bimap eri0 10.0.0.9/32 -> 203.0.113.9/32",
            "bimap eri0 10.9.0.0/24 -> 198.51.100.0/24",
        ];
        let rules: Vec<NatRule> = texts.iter().map(|t| rule(t)).collect();
        ns.enter(|| {
            assert_eq!(list(), Ok(None));
            // A table that is not xbow's.
            let other = json!({"nftables": [
                {"add": {"table": {"family": "ip", "name": "other"}}},
                {"add": {"chain": {"family": "ip", "table": "other", "name": "c",
                    "type": "filter", "hook": "input", "prio": 0, "policy": "accept"}}},
                {"add": {"rule": {"family": "ip", "table": "other", "chain": "c",
                    "expr": [{"accept": null}]}}},
            ]});
            apply(&other).unwrap();
            let other_rules = || {
                let out = Command::new("nft")
                    .args(["-j", "list", "table", "ip", "other"])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "table ip other is gone");
                let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
                listed(&doc).1.len()
            };

            // Twice: the second time replaces the first.
            for _ in 0..2 {
                apply(&ruleset(OWN, &rules).unwrap()).unwrap();
                let doc = list().unwrap().expect("table ip xbow");
                let (chains, got) = listed(&doc);
                let chain = |name: &str| chains.iter().find(|c| c["name"] == name).unwrap();
                let post = chain("postrouting");
                assert_eq!(
                    (&post["type"], &post["hook"], &post["prio"], &post["policy"]),
                    (
                        &json!("nat"),
                        &json!("postrouting"),
                        &json!(100),
                        &json!("accept")
                    )
                );
                let pre = chain("prerouting");
                assert_eq!(
                    (&pre["type"], &pre["hook"], &pre["prio"]),
                    (&json!("nat"), &json!("prerouting"), &json!(-100))
                );
                assert_eq!(chains.len(), 2);
                let count = |c: &str| got.iter().filter(|r| r["chain"] == c).count();
                assert_eq!((count("postrouting"), count("prerouting")), (9, 7));
                // In order, each with the text of its rule.
                let comments: Vec<&str> = got
                    .iter()
                    .filter(|r| r["chain"] == "postrouting")
                    .map(|r| r["comment"].as_str().unwrap())
                    .collect();
                let want: Vec<String> = rules
                    .iter()
                    .filter(|r| r.kind != Redir::Rdr)
                    .map(|r| r.to_string())
                    .collect();
                assert_eq!(comments, want);
                assert_eq!(other_rules(), 1);
            }

            // Fewer rules: the others go.
            apply(&ruleset(OWN, &rules[..1]).unwrap()).unwrap();
            let (_, got) = listed(&list().unwrap().unwrap());
            assert_eq!(got.len(), 1);
            assert_eq!(got[0]["comment"], json!(rules[0].to_string()));

            // No rules: no table, however often.
            apply(&ruleset(OWN, &[]).unwrap()).unwrap();
            assert_eq!(list(), Ok(None));
            apply(&ruleset(OWN, &[]).unwrap()).unwrap();
            assert_eq!(list(), Ok(None));
            assert_eq!(other_rules(), 1);

            // nft's own complaint, with the command.
            let bad = json!({"nftables": [{"add": {"chain": {"family": "ip",
                "table": "nosuchtable", "name": "c"}}}]});
            let e = apply(&bad).unwrap_err();
            assert!(e.starts_with("nft -j -f -: "), "{e}");
            assert!(e.contains("No such file or directory"), "{e}");
        });
    }
}
