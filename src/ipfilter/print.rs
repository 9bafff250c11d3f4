//! Printing helpers the IP Filter printers share (`printmask()`,
//! `printhostmask()`, `portname()`, `printportcmp()`, the protocol name of
//! `printproto()`), writing bytes as the C `printf` calls do.

use super::types::{CmpOp, I6Addr, PortCmp, count4bits};
use crate::backend::netdb::Netdb;
use std::fmt::Write as _;

/// Where a printer writes: stdout and stderr bytes.
#[derive(Debug, Default)]
pub struct Out {
    pub out: Vec<u8>,
    pub err: Vec<u8>,
}

impl Out {
    pub fn s(&mut self, s: &str) {
        self.out.extend_from_slice(s.as_bytes());
    }

    pub fn b(&mut self, b: &[u8]) {
        self.out.extend_from_slice(b);
    }

    /// `%u`/`%d` of a value that is not negative, without the `format!`
    /// machinery (the printers write millions of these).
    pub fn u(&mut self, v: impl Into<u64>) {
        push_dec(&mut self.out, v.into());
    }

    /// `inet_ntop(AF_INET)` of the first word of `a`, made in place and
    /// appended at once.
    pub fn v4(&mut self, a: &I6Addr) {
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
    pub fn ntop(&mut self, v: u8, a: &I6Addr) {
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
pub fn push_dec(out: &mut Vec<u8>, mut v: u64) {
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
pub fn printmask(o: &mut Out, v: u8, m: &I6Addr) {
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
pub fn printhostmask(o: &mut Out, v: u8, a: &I6Addr, m: Option<&I6Addr>) {
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
pub fn put_portname(o: &mut Out, db: &dyn Netdb, pr: i32, port: u16) {
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
pub fn printportcmp(o: &mut Out, db: &dyn Netdb, pr: i32, c: &PortCmp) {
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

/// The protocol part of `printproto()`: `getprotobynumber()`'s name, else
/// the number.
pub fn proto_name(o: &mut Out, db: &dyn Netdb, p: i32) {
    match db.proto_by_number(p) {
        Some(name) => o.s(&name),
        None => o.s(&p.to_string()),
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
}
