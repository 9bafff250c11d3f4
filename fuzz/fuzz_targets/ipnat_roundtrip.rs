//! A rule `ipnat` prints parses back to the same rule (as the kernel
//! compares rules: `NatRule::same_as`) and prints the same again. Input is
//! ipnat.conf text; the forms illumos itself cannot read back from its own
//! output (`known_lossy`, also listed in tests/ipnat_roundtrip.rs) are
//! skipped.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xbow::ipnat::parser::{Event, ntomask, parse};
use xbow::ipnat::print::{Out, printnat};
use xbow::ipnat::rule::{I6Addr, NatFlags, NatRule, Redir, RuleCounters};
use xbow_fuzz::FuzzDb;

fn rules(text: &[u8]) -> Option<Vec<NatRule>> {
    let mut v = Vec::new();
    parse(text, &FuzzDb, &mut |e| {
        if let Event::Rule(r) = e {
            v.push(r.rule)
        }
    })
    .ok()?;
    Some(v)
}

fn print(r: &NatRule) -> Vec<u8> {
    let mut o = Out::default();
    printnat(&mut o, &FuzzDb, r, &RuleCounters::default(), false);
    o.out
}

/// Whether an IPv4 rule holds bytes beyond the first word of an address
/// or mask. illumos prints only that word (`printmask()` looks at
/// `*mask`, `inet_ntop(AF_INET)` at `in4`), but the kernel compares all
/// 16 bytes. The grammar stores such a mask when a bare `0` is read before
/// the rule has a family (`map le0 0 -> 0/32`: `hostname: YY_NUMBER` takes
/// `in_v`, still 0, and `addr: hostname` (or `dip: hostname`) then sets
/// all four words of the mask, as for IPv6); the rule prints as
/// `0.0.0.0/32`, which reads back with a one-word mask.
fn v4_with_v6_bytes(r: &NatRule) -> bool {
    r.v == 4
        && [r.inside, r.outside, r.src]
            .iter()
            .flatten()
            .any(|a| a.0[4..] != [0; 12])
}

/// Whether an IPv6 rule has an address and mask the printer cannot
/// show. For IPv6, `printmask()` prints `count6bits()`, the number of set
/// bits, which reads back as a prefix of that length, and `addr/N` ANDs
/// the whole address with it. So a mask that is not a prefix (`::1 mask
/// ff::1`, or the mask `ntomask()` leaves when it refuses a length:
/// `0/3102` keeps the family number, 6, in the first byte), or an address
/// with bits outside its mask (`H/0x0` ANDs only the first word), does
/// not survive. An `rdr` target that is not the zero address prints no
/// mask at all and reads back with an all-ones one (`-> ::1/0` is
/// accepted, as `dip` only checks the first word).
fn v6_mask_lossy(r: &NatRule) -> bool {
    if r.v != 6 {
        return false;
    }
    let exact = |[a, m]: &[I6Addr; 2]| {
        let bits = m.0.iter().map(|b| b.count_ones()).sum();
        ntomask(6, bits) == Some(*m) && a.and(m) == *a
    };
    let f = r.flags;
    let mut printed = Vec::new();
    if r.kind == Redir::Rdr {
        printed.push(r.outside);
        if r.inside[0].is_zero() {
            printed.push(r.inside);
        } else if !f.has(NatFlags::SPLIT) && r.inside[1] != I6Addr([0xff; 16]) {
            return true;
        }
    } else {
        printed.push(r.inside);
        if !f.has(NatFlags::IPRANGE) {
            printed.push(r.outside);
        }
    }
    if f.has(NatFlags::FILTER) {
        printed.push(r.src);
    }
    !printed.iter().all(exact)
}

/// `yywords` in ipnat_y.y: a word the lexer finds here (in any case) is a
/// keyword, not a name.
#[rustfmt::skip]
const KEYWORDS: &[&str] = &[
    "age", "any", "auto", "bimap", "frag", "from", "icmpidmap", "mask", "map", "map-block",
    "mssclamp", "netmask", "port", "portmap", "ports", "proxy", "range", "rdr", "round-robin",
    "sequential", "sticky", "tag", "tcp", "tcpudp", "to", "udp", "-", "->", "eq", "ne", "lt",
    "gt", "le", "ge",
];

/// Whether lexer.c reads a name that `printnat()` prints as is (`" %s"`,
/// no quoting or escaping) back as one string token with the same bytes.
/// A name can hold anything a quoted string or a `\` escape let in, but
/// printed, whitespace, `\ # $ ' "`, the one-character tokens
/// `= , / ; { } ( ) @ : ! < >` end or split the word; a leading digit
/// makes a number, a leading `-` the `-` token; a keyword is a keyword;
/// and an empty name prints nothing.
fn name_reads_back(n: &[u8]) -> bool {
    !n.is_empty()
        && !n[0].is_ascii_digit()
        && n[0] != b'-'
        && !n.iter().any(|c| b" \t\r\n\\#$'\"=,/;{}()@:!<>".contains(c))
        && !KEYWORDS
            .iter()
            .any(|k| k.as_bytes().eq_ignore_ascii_case(n))
}

/// Whether `printnat()` prints the protocol of a map/bimap rule on its own
/// (`… -> 0.0.0.0/32 tcp`), not inside `portmap` or `proxy`.
fn bare_proto(r: &NatRule) -> bool {
    matches!(r.kind, Redir::Map | Redir::Bimap)
        && r.plabel.is_empty()
        && r.pmin == 0
        && r.pmax == 0
        && (r.flags.has(NatFlags::TCPUDP) || r.proto != 0)
}

/// `icmpidmap icmp A:B` assigns `in_flags = IPN_ICMPQUERY`, dropping
/// what `from … to …` (IPN_FILTER, IPN_NOTDST) and `range` (IPN_IPRANGE)
/// set before it, so those print in the plain form or not at all; a
/// protocol after it changes `in_p` (or the TCP/UDP bits, then printed
/// instead of `icmp`) but prints as `icmp`; and `0:0` is not printed.
fn icmpidmap_lossy(r: &NatRule) -> bool {
    r.flags.has(NatFlags::ICMPQUERY)
        && (r.proto != 0
            || r.flags.has(NatFlags::TCPUDP)
            || (r.pmin == 0 && r.pmax == 0)
            || !r.src.iter().all(I6Addr::is_zero)
            || !r.scmp.is_empty()
            || !r.dcmp.is_empty()
            || r.outside[0].and(&r.outside[1]) != r.outside[0])
}

/// The forms whose printed text illumos itself reads back differently
/// (each follows from ipnat_y.y, lexer.c and printnat.c; they are listed
/// in tests/ipnat_roundtrip.rs too).
fn known_lossy(r: &NatRule) -> bool {
    let f = r.flags;
    let map = matches!(r.kind, Redir::Map | Redir::Bimap);
    let opts = f.has(NatFlags::FRAG) || r.age != [0, 0] || r.mssclamp != 0 || !r.tag.is_empty();
    let ifname1 = !r.ifnames[1].is_empty() && r.ifnames[0] != r.ifnames[1];
    !name_reads_back(r.ifnames[0].as_bytes())
        || (ifname1 && !name_reads_back(r.ifnames[1].as_bytes()))
        || (!r.tag.is_empty() && !name_reads_back(r.tag.as_bytes()))
        || v4_with_v6_bytes(r)
        || v6_mask_lossy(r)
        || icmpidmap_lossy(r)
        // The proxy forms: a `map … proxy` port prints as a service name
        // (read back in network order, and swapped in place by printnat()
        // when there is a `to … port` compare); `rdr … proxy port P L/P`
        // prints as `proxy L`; `rdr … to … port = N … proxy L` replaces N.
        || !r.plabel.is_empty()
        // printnat() prints `ports …` for map-block, never a protocol.
        || (r.kind == Redir::MapBlock && (r.proto != 0 || f.has(NatFlags::TCPUDP)))
        // A map's bare protocol (tcp/udp included) and `sequential` are
        // printed before and after frag/age/mssclamp/tag, but the grammar
        // takes the protocol only after them (`mapoptions: … setproto`),
        // and `sequential` only after a portmap range (`randport`).
        || (opts && (bare_proto(r) || f.has(NatFlags::SEQUENTIAL)))
        // A `portmap` without a protocol is discarded: setnatproto(0)
        // zeroes the range but leaves `auto` and `sequential` in the
        // flags; without a range printnat() prints no portmap, and then
        // `sequential` on its own, which the grammar does not take.
        || (map
            && r.pmin == 0
            && r.pmax == 0
            && f.has(NatFlags::AUTOPORTMAP | NatFlags::SEQUENTIAL))
        // `mapoptions` takes `round-robin`, but only the rdr branch of
        // printnat() prints it.
        || (r.kind != Redir::Rdr && f.has(NatFlags::ROUNDR))
        // setnatproto() clears a compare's operator but not its ports: for
        // icmp always, for other protocols when the port is 0 (`from any
        // port 0 >< 20` keeps the 20). A compare without an operator is
        // not printed.
        || [r.scmp, r.dcmp].iter().any(|c| c.op.is_none() && !c.is_empty())
        // `rdr from … to … -> … port N`: the grammar requires the port, but
        // it is printed only for a TCP/UDP rule.
        || (r.kind == Redir::Rdr && f.has(NatFlags::FILTER) && !f.has(NatFlags::TCPUDP))
        // `rdr … port 0 -> … port = 0`: with all ports 0 the rule does
        // not become TCP, so setnatproto() never runs to drop
        // IPN_FIXEDDPORT, and without a TCP/UDP bit no port is printed.
        || (f.has(NatFlags::FIXEDDPORT) && !f.has(NatFlags::TCPUDP))
        // `rdr … -> 0,H`: printnat() adds the mask of in_in[1] whenever
        // in_in[0] is zero, IPN_SPLIT or not, and in_in[1] is then the
        // second host: `-> 0.0.0.0,0.0.0.7/0.0.0.7`, which does not parse.
        || (r.kind == Redir::Rdr
            && f.has(NatFlags::SPLIT)
            && r.inside[0].word0() == 0
            && (r.v == 4 || r.inside[0].is_zero()))
        // An unknown protocol name is stored as -1 (getproto()), and a
        // number above INT_MAX wraps negative; printproto() prints "%d",
        // and the lexer reads the `-` as a token of its own.
        || r.proto < 0
        // `age` and `mssclamp` are unsigned but printed with "%d": above
        // INT_MAX they print negative.
        || r.age.iter().chain([&r.mssclamp]).any(|&n| n > i32::MAX as u32)
}

fuzz_target!(|data: &[u8]| {
    let Some(first) = rules(data) else { return };
    for r in first.iter().filter(|r| !known_lossy(r)) {
        let text = print(r);
        let back = rules(&text).unwrap_or_else(|| {
            panic!(
                "printed rule does not parse: {}",
                String::from_utf8_lossy(&text)
            )
        });
        assert_eq!(back.len(), 1, "{}", String::from_utf8_lossy(&text));
        assert!(back[0].same_as(r), "{}", String::from_utf8_lossy(&text));
        assert_eq!(print(&back[0]), text);
    }
});
