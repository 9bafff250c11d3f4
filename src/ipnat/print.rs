//! The illumos `ipnat` printers, byte for byte: `printnat()` (a rule, as
//! `ipnat -l` and `ipnat -v -f` show it), `printactivenat()` (a session),
//! `printhostmap()`, and the `-s` statistics.
//!
//! Port and protocol names go through [`Netdb`], like the C code's
//! `getservbyport()`/`getprotobynumber()` calls, and `-R` does not change
//! them (illumos' `portname()` never looks at it).

use super::rule::{
    CmpOp, I6Addr, NatFlags, NatRule, PortCmp, Redir, RuleCounters, count4bits, swap16,
};
use super::session::{HostMap, NatSession, NatStats, SI_CLONE};
use crate::backend::netdb::Netdb;
use std::fmt::Write as _;

/// `write!` into the stdout bytes of an [`Out`].
macro_rules! w {
    ($o:expr, $($t:tt)*) => {{
        let _ = std::io::Write::write_fmt(&mut $o.out, format_args!($($t)*));
    }};
}

/// Where a printer writes: stdout and stderr bytes.
#[derive(Debug, Default)]
pub struct Out {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

impl Out {
    fn s(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    fn b(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// `%u`/`%d` of a value that is not negative, without the `format!`
    /// machinery (the printers write millions of these).
    fn u(&mut self, v: impl Into<u64>) {
        push_dec(&mut self.out, v.into());
    }

    /// `inet_ntop(AF_INET)` of the first word of `a`, made in place and
    /// appended at once.
    fn v4(&mut self, a: &I6Addr) {
        // Each octet's digits and a dot, copied whole: the next octet
        // writes over the dot and what follows it.
        let mut buf = [0u8; 19];
        let mut n = 0;
        for &x in &a.0[..4] {
            let (text, len) = OCTETS[usize::from(x)];
            buf[n..n + 4].copy_from_slice(&text);
            n += len;
        }
        self.out.extend_from_slice(&buf[..n - 1]);
    }

    /// [`ntop()`], written in place.
    fn ntop(&mut self, v: u8, a: &I6Addr) {
        match v {
            4 => self.v4(a),
            6 => self.s(&ntop6(&a.0)),
            _ => self.s("(null)"),
        }
    }
}

/// The text of each byte value and a dot, and its length.
static OCTETS: [([u8; 4], usize); 256] = {
    let mut t = [([0; 4], 0); 256];
    let mut i = 0;
    while i < 256 {
        let x = i as u8;
        t[i] = if x >= 100 {
            ([b'0' + x / 100, b'0' + x / 10 % 10, b'0' + x % 10, b'.'], 4)
        } else if x >= 10 {
            ([b'0' + x / 10, b'0' + x % 10, b'.', 0], 3)
        } else {
            ([b'0' + x, b'.', 0, 0], 2)
        };
        i += 1;
    }
    t
};

/// Decimal digits of `v`, appended.
fn push_dec(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `%#x`: `0`, or `0x` and lower-case hex.
pub fn alt_hex(v: u32) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// `%p` on illumos: lower-case hex without `0x`; `0` for NULL.
pub fn ptr(p: u64) -> String {
    format!("{p:x}")
}

/// `inet_ntop()` for the rule's family; `(null)` (what `printf("%s")`
/// makes of the NULL it returns) for any other.
pub fn ntop(v: u8, a: &I6Addr) -> String {
    match v {
        4 => a.v4().to_string(),
        6 => ntop6(&a.0),
        _ => "(null)".into(),
    }
}

/// illumos (BIND) `inet_ntop6`: the longest run of two or more zero
/// words becomes `::` (the first such run on ties); `::a.b.c.d` and
/// `::ffff:a.b.c.d` keep the IPv4 tail.
pub fn ntop6(b: &[u8; 16]) -> String {
    let words: Vec<u16> = (0..8)
        .map(|i| u16::from_be_bytes([b[2 * i], b[2 * i + 1]]))
        .collect();
    let (mut best, mut cur): ((Option<usize>, usize), (Option<usize>, usize)) =
        ((None, 0), (None, 0));
    for (i, &w) in words.iter().enumerate() {
        if w == 0 {
            cur = match cur {
                (None, _) => (Some(i), 1),
                (Some(s), l) => (Some(s), l + 1),
            };
        } else if let (Some(_), l) = cur {
            if best.0.is_none() || l > best.1 {
                best = cur;
            }
            cur = (None, 0);
        }
    }
    if let (Some(_), l) = cur
        && (best.0.is_none() || l > best.1)
    {
        best = cur;
    }
    if best.1 < 2 {
        best = (None, 0);
    }
    let mut s = String::new();
    let mut i = 0;
    while i < 8 {
        if let (Some(base), len) = best
            && i >= base
            && i < base + len
        {
            if i == base {
                s.push(':');
            }
            i += 1;
            continue;
        }
        if i != 0 {
            s.push(':');
        }
        if i == 6 && best.0 == Some(0) && (best.1 == 6 || (best.1 == 5 && words[5] == 0xffff)) {
            let _ = write!(s, "{}.{}.{}.{}", b[12], b[13], b[14], b[15]);
            return s;
        }
        let _ = write!(s, "{:x}", words[i]);
        i += 1;
    }
    if let (Some(base), len) = best
        && base + len == 8
    {
        s.push(':');
    }
    s
}

/// `printmask()`.
fn printmask(o: &mut Out, v: u8, m: &I6Addr) {
    if v == 6 {
        // count6bits() counts every set bit.
        let bits: u32 = m.0.iter().map(|b| b.count_ones()).sum();
        o.s("/");
        o.u(bits);
    } else {
        o.s("/");
        match count4bits(m.word0()) {
            Some(n) => o.u(n),
            None => o.v4(m),
        }
    }
}

/// `printhostmask()`: `any` for an IPv4 zero address and mask.
fn printhostmask(o: &mut Out, v: u8, a: &I6Addr, m: Option<&I6Addr>) {
    if v == 4 && a.word0() == 0 && m.is_some_and(|m| m.word0() == 0) {
        o.s("any");
        return;
    }
    o.ntop(v, a);
    if let Some(m) = m {
        printmask(o, v, m);
    }
}

/// `portname()`: the service name for a port and protocol, else the number.
pub fn portname(db: &dyn Netdb, pr: i32, port: u16) -> String {
    service_name(db, pr, port).unwrap_or_else(|| port.to_string())
}

/// [`portname()`], written in place.
fn put_portname(o: &mut Out, db: &dyn Netdb, pr: i32, port: u16) {
    match service_name(db, pr, port) {
        Some(s) => o.s(&s),
        None => o.u(port),
    }
}

/// The name `portname()` prints instead of the number, if any.
fn service_name(db: &dyn Netdb, pr: i32, port: u16) -> Option<String> {
    // The first 31 characters.
    let clip = |mut s: String| -> String {
        if let Some((end, _)) = s.char_indices().nth(31) {
            s.truncate(end);
        }
        s
    };
    if pr == -1 {
        if let Some(tcp) = db.serv_by_port(port, "tcp") {
            let buf = clip(tcp);
            if let Some(udp) = db.serv_by_port(port, "udp") {
                let n = buf.len();
                if udp.len() >= n && udp.as_bytes()[..n].eq_ignore_ascii_case(buf.as_bytes()) {
                    return Some(buf);
                }
            }
        }
    } else if pr != -2
        && let Some(p) = db.proto_by_number(pr)
        && let Some(s) = db.serv_by_port(port, &p)
    {
        return Some(clip(s));
    }
    None
}

/// `printportcmp()`.
fn printportcmp(o: &mut Out, db: &dyn Netdb, pr: i32, c: &PortCmp) {
    o.s(" port ");
    if c.op == CmpOp::INRANGE || c.op == CmpOp::OUTRANGE {
        o.u(c.port);
        o.s(" ");
        o.s(c.op.symbol());
        o.s(" ");
        o.u(c.top);
    } else if c.op == CmpOp::INCRANGE {
        o.u(c.port);
        o.s(":");
        o.u(c.top);
    } else {
        o.s(c.op.symbol());
        o.s(" ");
        put_portname(o, db, pr, c.port);
    }
}

/// `printproto()`: with a rule, the TCP/UDP/ICMP flags decide first.
/// (`printnat()` looks the protocol's name up before it prints anything;
/// only its use here shows, so it is looked up when needed.)
fn printproto(o: &mut Out, db: &dyn Netdb, p: i32, np: Option<&NatRule>) {
    if let Some(np) = np {
        let f = np.flags;
        if f.0 & NatFlags::TCPUDP == NatFlags::TCPUDP {
            return o.s("tcp/udp");
        } else if f.has(NatFlags::TCP) {
            return o.s("tcp");
        } else if f.has(NatFlags::UDP) {
            return o.s("udp");
        } else if f.has(NatFlags::ICMPQUERY) {
            return o.s("icmp");
        }
    }
    match db.proto_by_number(p) {
        Some(name) => o.s(&name),
        None => o.s(&p.to_string()),
    }
}

/// `printnat()`: one rule and its newline (plus the `-d` lines).
pub fn printnat(o: &mut Out, db: &dyn Netdb, np: &NatRule, c: &RuleCounters, debug: bool) {
    let f = np.flags;
    match np.kind.keyword() {
        Some(k) => o.s(k),
        None => o.err.extend_from_slice(
            format!(
                "unknown value for in_redir: {}\n",
                alt_hex(np.kind.code() as u32)
            )
            .as_bytes(),
        ),
    }
    o.s(" ");
    o.b(np.ifnames[0].as_bytes());
    if !np.ifnames[1].is_empty() && np.ifnames[0] != np.ifnames[1] {
        o.s(",");
        o.b(np.ifnames[1].as_bytes());
        o.s(" ");
    }
    o.s(" ");
    let rdr = np.kind == Redir::Rdr;
    if f.has(NatFlags::FILTER) {
        if f.has(NatFlags::NOTSRC) {
            o.s("! ");
        }
        o.s("from ");
        let s = if rdr { &np.src } else { &np.inside };
        printhostmask(o, np.v, &s[0], Some(&s[1]));
        if !np.scmp.op.is_none() {
            printportcmp(o, db, np.proto, &np.scmp);
        }
        if f.has(NatFlags::NOTDST) {
            o.s(" !");
        }
        o.s(" to ");
        let d = if rdr { &np.outside } else { &np.src };
        printhostmask(o, np.v, &d[0], Some(&d[1]));
        if !np.dcmp.op.is_none() {
            printportcmp(o, db, np.proto, &np.dcmp);
        }
    }
    if rdr {
        if !f.has(NatFlags::FILTER) {
            o.ntop(np.v, &np.outside[0]);
            printmask(o, np.v, &np.outside[1]);
            if f.has(NatFlags::TCPUDP) {
                o.s(" port ");
                o.u(np.pmin);
                if np.pmax != np.pmin {
                    o.s("-");
                    o.u(np.pmax);
                }
            }
        }
        o.s(" -> ");
        o.ntop(np.v, &np.inside[0]);
        if f.has(NatFlags::SPLIT) {
            o.s(",");
            o.ntop(np.v, &np.inside[1]);
        }
        if (np.v == 4 && np.inside[0].word0() == 0) || (np.v == 6 && np.inside[0].is_zero()) {
            printmask(o, np.v, &np.inside[1]);
        }
        if f.has(NatFlags::TCPUDP) {
            if f.has(NatFlags::FIXEDDPORT) {
                o.s(" port = ");
            } else {
                o.s(" port ");
            }
            o.u(np.pnext);
        }
        o.s(" ");
        printproto(o, db, np.proto, Some(np));
        if f.has(NatFlags::ROUNDR) {
            o.s(" round-robin");
        }
        if f.has(NatFlags::FRAG) {
            o.s(" frag");
        }
        if np.age != [0, 0] {
            w!(o, " age {}/{}", np.age[0] as i32, np.age[1] as i32);
        }
        if f.has(NatFlags::STICKY) {
            o.s(" sticky");
        }
        if np.mssclamp != 0 {
            w!(o, " mssclamp {}", np.mssclamp as i32);
        }
        if !np.plabel.is_empty() {
            o.s(" proxy ");
            o.b(np.plabel.as_bytes());
        }
        if !np.tag.is_empty() {
            o.s(" tag ");
            o.b(np.tag.as_bytes());
        }
        o.s("\n");
        if debug {
            w!(o, "\tpmax {}\n", swap16(np.pmax));
        }
    } else {
        if !f.has(NatFlags::FILTER) {
            o.ntop(np.v, &np.inside[0]);
            printmask(o, np.v, &np.inside[1]);
        }
        o.s(" -> ");
        if f.has(NatFlags::IPRANGE) {
            o.s("range ");
            o.ntop(np.v, &np.outside[0]);
            o.s("-");
            o.ntop(np.v, &np.outside[1]);
        } else {
            o.ntop(np.v, &np.outside[0]);
            printmask(o, np.v, &np.outside[1]);
        }
        if !np.plabel.is_empty() {
            o.s(" proxy port ");
            if np.dcmp.port != 0 {
                put_portname(o, db, np.proto, np.proxy_port());
            }
            o.s(" ");
            o.b(np.plabel.as_bytes());
            o.s("/");
            printproto(o, db, np.proto, None);
        } else if np.kind == Redir::MapBlock {
            if np.pmin == 0 && f.has(NatFlags::AUTOPORTMAP) {
                o.s(" ports auto");
            } else {
                o.s(" ports ");
                o.u(np.pmin);
            }
            if debug {
                w!(o, "\n\tip modulous {}", np.pmax);
            }
        } else if np.pmin != 0 || np.pmax != 0 {
            if f.has(NatFlags::ICMPQUERY) {
                o.s(" icmpidmap ");
            } else {
                o.s(" portmap ");
            }
            printproto(o, db, np.proto, Some(np));
            if f.has(NatFlags::AUTOPORTMAP) {
                o.s(" auto");
                if debug {
                    w!(o, " [{}:{} {} {}]", np.pmin, np.pmax, np.ippip, np.ppip);
                }
            } else {
                o.s(" ");
                o.u(np.pmin);
                o.s(":");
                o.u(np.pmax);
            }
        } else if f.has(NatFlags::TCPUDP) || np.proto != 0 {
            o.s(" ");
            printproto(o, db, np.proto, Some(np));
        }
        if f.has(NatFlags::FRAG) {
            o.s(" frag");
        }
        if np.age != [0, 0] {
            w!(o, " age {}/{}", np.age[0] as i32, np.age[1] as i32);
        }
        if np.mssclamp != 0 {
            w!(o, " mssclamp {}", np.mssclamp as i32);
        }
        if !np.tag.is_empty() {
            o.s(" tag ");
            o.b(np.tag.as_bytes());
        }
        if f.has(NatFlags::SEQUENTIAL) {
            o.s(" sequential");
        }
        o.s("\n");
        if debug {
            w!(
                o,
                "\tnextip {} pnext {}\n",
                std::net::Ipv4Addr::from(np.nextip),
                swap16(np.pnext)
            );
        }
    }
    if debug {
        w!(
            o,
            "\tspace {} use {} hits {} flags {} proto {} hv {}\n",
            np.space,
            c.uses,
            c.hits,
            alt_hex(np.flags.0),
            np.proto,
            c.hv as i32
        );
        o.s("\tifp[0] 0 ifp[1] 0 apr 0\n");
        o.s("\ttqehead 0/0 comment 0\n");
    }
}

/// `printnat()` turns the proxy port of a `map … to … port = N … proxy`
/// rule around in place (`in_dport = htons(in_dport)`), so `ipnat -v -f`
/// loads that rule with the port bytes swapped. Apply after printing.
pub fn printnat_side_effect(np: &mut NatRule) {
    if np.kind != Redir::Rdr && !np.plabel.is_empty() && !np.dcmp.op.is_none() {
        np.dcmp.port = swap16(np.dcmp.port);
    }
}

/// `printactiveaddress()`.
fn active_addr(o: &mut Out, v: u8, a: &I6Addr, pad: Option<bool>) {
    match v {
        4 => {
            let t = a.v4().to_string();
            match pad {
                Some(true) => w!(o, " {t:<15}"),
                Some(false) => w!(o, "{t:<15}"),
                None => o.s(&t),
            }
        }
        6 => o.s(&ntop6(&a.0)),
        _ => {}
    }
}

/// `getsumd()`: `%#0x`.
pub fn getsumd(x: u32) -> String {
    alt_hex(x)
}

/// `printactivenat()`: one session line (`-v`: two more fields lines).
pub fn printactivenat(o: &mut Out, s: &NatSession, verbose: bool, debug: bool) {
    o.s(&s.kind.session_type());
    if s.flags & SI_CLONE != 0 {
        o.s(" CLONE");
    }
    let ports = s.flags & NatFlags::TCPUDP != 0;
    active_addr(o, s.v, &s.inside, Some(true));
    if ports {
        w!(o, " {:<5}", s.inside_port);
    }
    o.s(" <- -> ");
    active_addr(o, s.v, &s.outside, Some(false));
    if ports {
        w!(o, " {:<5}", s.outside_port);
    }
    o.s(" [");
    active_addr(o, s.v, &s.remote, None);
    if ports {
        w!(o, " {}", s.remote_port);
    }
    o.s("]");
    if verbose {
        w!(
            o,
            "\n\tage {} use {} sumd {}/{} pr {} bkt {}/{} flags {:x}\n",
            s.age,
            s.uses,
            getsumd(s.sumd[0]),
            getsumd(s.sumd[1]),
            s.proto,
            s.hv[0],
            s.hv[1],
            s.flags
        );
        w!(
            o,
            "\tifp @,@ bytes {}/{} pkts {}/{} ipsumd {:x}",
            s.bytes[0],
            s.bytes[1],
            s.pkts[0],
            s.pkts[1],
            s.ipsumd
        );
    }
    if debug {
        o.s("\n\tnat_next 0 _pnext 0 _hm 0\n");
        o.s("\t_hnext 0/0 _phnext 0/0\n");
        o.s("\t_data 0 _me 0 _state 0 _aps 0\n");
        o.s("\tfr 0 ptr 0 ifps 0/0 sync 0\n");
        w!(
            o,
            "\ttqe:pnext 0 next 0 ifq 0 parent 0/{}\n",
            ptr(s as *const NatSession as u64)
        );
        w!(
            o,
            "\ttqe:die {} touched 0 flags 0 state 0/0\n",
            s.age as i64
        );
    }
    o.s("\n");
}

/// `printhostmap(hm, 0)`.
pub fn printhostmap(o: &mut Out, h: &HostMap) {
    w!(
        o,
        "{},{} -> {} (use = {} hv = 0)\n",
        h.src.v4(),
        h.dst.v4(),
        h.map.v4(),
        h.refs
    );
}

/// The `-s` block of `dostats()`.
pub fn printstats(o: &mut Out, ns: &NatStats, verbose: bool) {
    w!(o, "mapped\tin\t{}\tout\t{}\n", ns.mapped[0], ns.mapped[1]);
    w!(o, "added\t{}\texpired\t{}\n", ns.added, ns.expired);
    w!(o, "no memory\t{}\tbad nat\t{}\n", ns.memfail, ns.badnat);
    w!(
        o,
        "inuse\t{}\norphans\t{}\nrules\t{}\n",
        ns.inuse,
        ns.orphans,
        ns.rules
    );
    w!(o, "wilds\t{}\n", ns.wilds);
    if verbose {
        // The first is the address of the caller's own natstat_t (a stack
        // address on illumos), the second the kernel's rule list.
        w!(
            o,
            "table {} list {}\n",
            ptr(ns as *const NatStats as u64),
            ptr(ns.list)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_text() {
        let p = |s: &str| ntop6(&s.parse::<std::net::Ipv6Addr>().unwrap().octets());
        assert_eq!(p("::"), "::");
        assert_eq!(p("::1"), "::1");
        assert_eq!(p("2001:db8::1"), "2001:db8::1");
        assert_eq!(p("2001:db8:0:1:0:0:0:1"), "2001:db8:0:1::1");
        assert_eq!(p("1:0:0:2:0:0:0:3"), "1:0:0:2::3");
        assert_eq!(p("1:0:0:2:0:0:3:4"), "1::2:0:0:3:4");
        assert_eq!(p("::ffff:1.2.3.4"), "::ffff:1.2.3.4");
        assert_eq!(p("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(p("1:2:3:4:5:6:7:0"), "1:2:3:4:5:6:7:0");
        assert_eq!(p("fe80::"), "fe80::");
    }

    #[test]
    fn masks() {
        assert_eq!(count4bits(0xffffff00), Some(24));
        assert_eq!(count4bits(0), Some(0));
        assert_eq!(count4bits(0xff), None);
        assert_eq!(count4bits(u32::MAX), Some(32));
    }

    #[test]
    fn session_line_padding() {
        let mut s = NatSession::zeroed();
        s.kind = Redir::Map;
        s.v = 4;
        s.flags = NatFlags::TCP;
        s.proto = 6;
        s.inside = I6Addr::from_v4("192.168.0.100".parse().unwrap());
        s.inside_port = 37153;
        s.outside = I6Addr::from_v4("192.168.84.24".parse().unwrap());
        s.outside_port = 26333;
        s.remote = I6Addr::from_v4("129.146.17.55".parse().unwrap());
        s.remote_port = 22;
        let mut o = Out::default();
        printactivenat(&mut o, &s, false, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "MAP 192.168.0.100   37153 <- -> 192.168.84.24   26333 [129.146.17.55 22]\n"
        );
        s.flags = 0;
        s.inside = I6Addr::from_v4("10.1.1.1".parse().unwrap());
        s.outside = I6Addr::from_v4("10.2.2.2".parse().unwrap());
        s.remote = I6Addr::from_v4("10.4.3.2".parse().unwrap());
        let mut o = Out::default();
        printactivenat(&mut o, &s, false, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "MAP 10.1.1.1        <- -> 10.2.2.2        [10.4.3.2]\n"
        );
    }
}
