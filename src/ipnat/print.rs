//! The illumos `ipnat` printers, byte for byte: `printnat()` (a rule, as
//! `ipnat -l` and `ipnat -v -f` show it), `printactivenat()` (a session),
//! `printhostmap()`, and the `-s` statistics.
//!
//! Port and protocol names go through [`Netdb`], like the C code's
//! `getservbyport()`/`getprotobynumber()` calls, and `-R` does not change
//! them (illumos' `portname()` never looks at it).

use super::rule::{I6Addr, NatFlags, NatRule, Redir, RuleCounters, swap16};
use super::session::{HostMap, NatSession, NatStats, SI_CLONE};
use crate::backend::netdb::Netdb;
pub use crate::ipfilter::print::{Out, alt_hex, ntop, ntop6, portname, ptr};
use crate::ipfilter::print::{printhostmask, printmask, printportcmp, proto_name, put_portname};

/// `write!` into the stdout bytes of an [`Out`].
macro_rules! w {
    ($o:expr, $($t:tt)*) => {{
        let _ = std::io::Write::write_fmt(&mut $o.out, format_args!($($t)*));
    }};
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
    proto_name(o, db, p);
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
