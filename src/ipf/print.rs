//! The illumos rule printer, byte for byte: `printfr()` (`lib/common/
//! printfr.c`, 2019), as `ipf -v` shows each parsed rule and `ipfstat -io`
//! each loaded one, with its helpers `printlog()`, `printifname()`,
//! `print_toif()`, `printaddr()`, `printlookup()`, `optprint()` and
//! `optprintv6()`.
//!
//! Port and protocol names go through [`Netdb`] like the C code's
//! `getservbyport()`/`getprotobynumber()` calls.

use super::rule::{Fi, FilterRule, FrDest, FrFlags, FrType, Fri, IPLT_HASH, IPLT_POOL};
use crate::backend::netdb::Netdb;
use crate::ipfilter::print::{
    Out, alt_hex, ntop6, printhostmask, printmask, printportcmp, proto_name,
};
use crate::ipfilter::types::I6Addr;

/// What `printfr()` reads besides the rule.
#[derive(Debug, Clone, Copy, Default)]
pub struct PrintOpts {
    /// `use_inet6` (`-6`): `print_toif()` shows an IPv6 next hop.
    pub v6: bool,
    /// `OPT_UNDEF` (`ipfstat -v`), with which of the rule's interfaces the
    /// kernel could not find: `fr_ifas[0..4]` (`on`, `in-via`/`out-via`),
    /// then `fr_tif`, `fr_rif`, `fr_dif`. Those get `(!)`.
    pub unresolved: Option<[bool; 7]>,
}

/// `icmptypes[]`: the names `printfr()` gives ICMP types.
const ICMPTYPES: [Option<&str>; 19] = [
    Some("echorep"),
    None,
    None,
    Some("unreach"),
    Some("squench"),
    Some("redir"),
    None,
    None,
    Some("echo"),
    Some("routerad"),
    Some("routersol"),
    Some("timex"),
    Some("paramprob"),
    Some("timest"),
    Some("timestrep"),
    Some("inforeq"),
    Some("inforep"),
    Some("maskreq"),
    Some("maskrep"),
];

/// `icmpcodes[]` (`MAX_ICMPCODE` 16: the last entry is `NULL`, which
/// illumos `printf("%s")` prints as `(null)`).
const ICMPCODES: [&str; 17] = [
    "net-unr",
    "host-unr",
    "proto-unr",
    "port-unr",
    "needfrag",
    "srcfail",
    "net-unk",
    "host-unk",
    "isolate",
    "net-prohib",
    "host-prohib",
    "net-tos",
    "host-tos",
    "filter-prohib",
    "host-preced",
    "preced-cutoff",
    "(null)",
];

/// `ionames[]`: IPv4 options, bit and name (`sec` is there twice, the
/// second time as `sec-class`).
const IONAMES: [(u32, &str); 25] = [
    (0x000001, "nop"),
    (0x000002, "rr"),
    (0x000004, "zsu"),
    (0x000008, "mtup"),
    (0x000010, "mtur"),
    (0x000020, "encode"),
    (0x000040, "ts"),
    (0x000080, "tr"),
    (0x000100, "sec"),
    (0x000100, "sec-class"),
    (0x000200, "lsrr"),
    (0x000400, "e-sec"),
    (0x000800, "cipso"),
    (0x001000, "satid"),
    (0x002000, "ssrr"),
    (0x004000, "addext"),
    (0x008000, "visa"),
    (0x010000, "imitd"),
    (0x020000, "eip"),
    (0x040000, "finn"),
    (0x080000, "dps"),
    (0x100000, "sdb"),
    (0x200000, "nsapa"),
    (0x400000, "rtralrt"),
    (0x800000, "ump"),
];
/// The bit of `IPOPT_SECURITY` in [`IONAMES`].
const OPT_SEC: u32 = 0x100;

/// `secclass[]`.
const SECCLASS: [(u16, &str); 8] = [
    (0x01, "reserv-4"),
    (0x02, "topsecret"),
    (0x04, "secret"),
    (0x08, "reserv-3"),
    (0x10, "confid"),
    (0x20, "unclass"),
    (0x40, "reserv-2"),
    (0x80, "reserv-1"),
];

/// `v6ionames[]`.
const V6IONAMES: [(u32, &str); 9] = [
    (0x01, "hopopts"),
    (0x02, "ipv6"),
    (0x04, "routing"),
    (0x08, "frag"),
    (0x10, "esp"),
    (0x20, "ah"),
    (0x40, "none"),
    (0x80, "dstopts"),
    (0x100, "mobility"),
];

/// `facs[]` of `facpri.c` with illumos' facility numbers, in its order
/// (`fac_toname()` tries the entry at `fac >> 3` first).
const FACS: [(&str, u32); 24] = [
    ("kern", 0),
    ("user", 8),
    ("mail", 16),
    ("daemon", 24),
    ("auth", 32),
    ("syslog", 40),
    ("lpr", 48),
    ("news", 56),
    ("uucp", 64),
    ("cron2", 9 << 3),
    ("ftp", 11 << 3),
    ("authpriv", 10 << 3),
    ("audit", 13 << 3),
    ("logalert", 14 << 3),
    ("cron2", 15 << 3),
    ("security", 13 << 3),
    ("local0", 128),
    ("local1", 136),
    ("local2", 144),
    ("local3", 152),
    ("local4", 160),
    ("local5", 168),
    ("local6", 176),
    ("local7", 184),
];

const PRIS: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
];

const IPPROTO_ICMP: u8 = 1;
const IPPROTO_TCP: u8 = 6;
const IPPROTO_ICMPV6: u8 = 58;

/// `printfr()`: one rule and its newline.
pub fn printfr(o: &mut Out, db: &dyn Netdb, fp: &FilterRule, opts: &PrintOpts) {
    let flags = fp.flags;
    let f = flags.0;
    let ty = fp.rtype.base();
    let mut pr: i32 = -2;

    if fp.rtype.0 & FrType::BUILTIN != 0 {
        o.s("# Builtin: ");
    }
    if fp.collect != 0 {
        o.u(fp.collect);
        o.s(" ");
    }
    if fp.rtype == FrType::CALLFUNC {
    } else if !fp.func.is_empty() {
        o.s("call");
        if f & FrFlags::CALLNOW != 0 {
            o.s(" now");
        }
        o.s(" ");
        o.b(fp.func.as_bytes());
        o.s("/");
        o.u(fp.arg);
    } else if flags.cmd() == FrFlags::PASS {
        o.s("pass");
    } else if flags.cmd() == FrFlags::BLOCK {
        o.s("block");
        if f & FrFlags::RETICMP != 0 {
            if f & FrFlags::RETMASK == FrFlags::FAKEICMP {
                o.s(" return-icmp-as-dest");
            } else if f & FrFlags::RETMASK == FrFlags::RETICMP {
                o.s(" return-icmp");
            }
            if fp.icode != 0 {
                o.s("(");
                match ICMPCODES.get(usize::from(fp.icode)) {
                    Some(name) => o.s(name),
                    None => o.u(fp.icode),
                }
                o.s(")");
            }
        } else if f & FrFlags::RETMASK == FrFlags::RETRST {
            o.s(" return-rst");
        }
    } else if f & FrFlags::LOGMASK == FrFlags::LOG {
        printlog(o, fp);
    } else if flags.cmd() == FrFlags::ACCOUNT {
        o.s("count");
    } else if flags.cmd() == FrFlags::AUTH {
        o.s("auth");
    } else if flags.cmd() == FrFlags::PREAUTH {
        o.s("preauth");
    } else if f & FrFlags::NOMATCH != 0 {
        o.s("nomatch");
    } else if flags.cmd() == FrFlags::SKIP {
        o.s("skip ");
        o.u(fp.arg);
    } else {
        o.s(&format!("{f:x}"));
    }

    o.s(if f & FrFlags::OUTQUE != 0 {
        " out "
    } else {
        " in "
    });

    if flags.has(FrFlags::LOGB) || flags.has(FrFlags::LOGP) {
        printlog(o, fp);
        o.s(" ");
    }
    if f & FrFlags::QUICK != 0 {
        o.s("quick ");
    }
    let names = &fp.ifnames;
    if !names[0].is_empty() {
        printifname(o, "on ", names[0].as_bytes(), unresolved(opts, 0));
        if !names[1].is_empty() && names[1].as_bytes() != b"*" {
            printifname(o, ",", names[1].as_bytes(), unresolved(opts, 1));
        }
        o.s(" ");
    }
    if !fp.dif.ifname.is_empty() || f & FrFlags::DUP != 0 {
        print_toif(o, "dup-to", &fp.dif, unresolved(opts, 6), opts.v6);
    }
    if !fp.tif.ifname.is_empty() {
        print_toif(o, "to", &fp.tif, unresolved(opts, 4), opts.v6);
    }
    if !fp.rif.ifname.is_empty() {
        print_toif(o, "reply-to", &fp.rif, unresolved(opts, 5), opts.v6);
    }
    if f & FrFlags::FASTROUTE != 0 {
        o.s("fastroute ");
    }
    let via = |n: &[u8]| !n.is_empty() && n != b"*";
    if via(names[2].as_bytes()) || via(names[3].as_bytes()) {
        o.s(if f & FrFlags::OUTQUE != 0 {
            "in-via "
        } else {
            "out-via "
        });
        if !names[2].is_empty() {
            printifname(o, "", names[2].as_bytes(), unresolved(opts, 2));
            o.s(" ");
            if !names[3].is_empty() {
                printifname(o, ",", names[3].as_bytes(), unresolved(opts, 3));
            }
        }
    }

    let ipf = &fp.ipf;
    if ty == FrType::IPF {
        if ipf.mip.tos != 0 {
            o.s("tos ");
            o.s(&alt_hex(u32::from(ipf.ip.tos)));
            o.s(" ");
        }
        if ipf.mip.ttl != 0 {
            o.s("ttl ");
            o.u(ipf.ip.ttl);
            o.s(" ");
        }
        if ipf.ip.flx & Fi::TCPUDP != 0 {
            o.s("proto tcp/udp ");
            pr = -1;
        } else if ipf.mip.p != 0 {
            pr = i32::from(ipf.ip.p);
            o.s("proto ");
            proto_name(o, db, pr);
            o.s(" ");
        }
    }

    if ty == FrType::NONE {
        o.s("all");
    } else if ty == FrType::IPF {
        o.s("from ");
        if f & FrFlags::NOTSRCIP != 0 {
            o.s("!");
        }
        printaddr(o, fp, ipf.satype, &ipf.ip.src, &ipf.mip.src);
        if !ipf.tuc.src.op.is_none() {
            printportcmp(o, db, pr, &ipf.tuc.src);
        }
        o.s(" to ");
        if f & FrFlags::NOTDSTIP != 0 {
            o.s("!");
        }
        printaddr(o, fp, ipf.datype, &ipf.ip.dst, &ipf.mip.dst);
        if !ipf.tuc.dst.op.is_none() {
            printportcmp(o, db, pr, &ipf.tuc.dst);
        }
        let p = ipf.ip.p;
        if (p == IPPROTO_ICMP || p == IPPROTO_ICMPV6) && ipf.icmpm != 0 {
            let ty = usize::from(ipf.icmp >> 8);
            let code = ipf.icmp & 0xff;
            match ICMPTYPES.get(ty).copied().flatten() {
                Some(name) if p == IPPROTO_ICMP => {
                    o.s(" icmp-type ");
                    o.s(name);
                }
                _ => {
                    o.s(" icmp-type ");
                    o.u(ty as u64);
                }
            }
            if ipf.icmpm & 0xff != 0 {
                o.s(" code ");
                o.u(code);
            }
        }
        if p == IPPROTO_TCP && (ipf.tuc.tcpf != 0 || ipf.tuc.tcpfm != 0) {
            o.s(" flags ");
            tcpflagset(o, ipf.tuc.tcpf);
            if ipf.tuc.tcpfm != 0 {
                o.s("/");
                tcpflagset(o, ipf.tuc.tcpfm);
            }
        }
    } else if ty == FrType::BPFOPC {
        o.s("bpf-v");
        o.u(fp.v);
        o.s(" { \"\" }");
    } else if ty == FrType::COMPIPF {
    } else if ty == FrType::CALLFUNC {
        o.s("call function at 0");
    } else {
        o.s(&format!("[unknown filter type {}]", alt_hex(fp.rtype.0)));
    }

    if ty == FrType::IPF {
        printwith(o, fp);
    }

    if f & FrFlags::KEEPSTATE != 0 {
        o.s(" keep state");
        let opts_bits =
            FrFlags::STSTRICT | FrFlags::NEWISN | FrFlags::NOICMPERR | FrFlags::STATESYNC;
        if f & opts_bits != 0 || fp.statemax != 0 || fp.age[0] != 0 {
            let mut comma = "";
            o.s(" (");
            if fp.statemax != 0 {
                o.s("limit ");
                o.u(fp.statemax);
                comma = ",";
            }
            for (bit, name) in [
                (FrFlags::STSTRICT, "strict"),
                (FrFlags::NEWISN, "newisn"),
                (FrFlags::NOICMPERR, "no-icmp-err"),
                (FrFlags::STATESYNC, "sync"),
            ] {
                if f & bit != 0 {
                    o.s(comma);
                    o.s(name);
                    comma = ",";
                }
            }
            if fp.age[0] != 0 || fp.age[1] != 0 {
                // `%d` of the `u_int` values.
                o.s(&format!(
                    "{comma}age {}/{}",
                    fp.age[0] as i32, fp.age[1] as i32
                ));
            }
            o.s(")");
        }
    }
    if f & FrFlags::KEEPFRAG != 0 {
        o.s(" keep frags");
        if f & FrFlags::FRSTRICT != 0 {
            o.s(" ( strict )");
        }
    }
    if !fp.grhead.is_empty() {
        o.s(" head ");
        o.b(fp.grhead.as_bytes());
    }
    if !fp.group.is_empty() {
        o.s(" group ");
        o.b(fp.group.as_bytes());
    }
    if fp.logtag != 0 || !fp.nattag.is_empty() || f & FrFlags::CFWLOG != 0 || fp.uuid != [0; 16] {
        let mut s = "";
        o.s(" set-tag(");
        if fp.logtag != 0 {
            o.s("log=");
            o.u(fp.logtag);
            s = ", ";
        }
        if !fp.nattag.is_empty() {
            o.s(s);
            o.s("nat=");
            o.b(fp.nattag.as_bytes());
            s = ", ";
        }
        if f & FrFlags::CFWLOG != 0 {
            o.s("cfwlog");
            s = ", ";
        }
        if fp.uuid != [0; 16] {
            o.s(s);
            o.s("uuid=");
            o.s(&uuid_text(&fp.uuid));
        }
        o.s(")");
    }
    if fp.pps != 0 {
        o.s(" pps ");
        o.s(&(fp.pps as i32).to_string());
    }
    o.s("\n");
}

fn unresolved(opts: &PrintOpts, i: usize) -> bool {
    opts.unresolved.is_some_and(|u| u[i])
}

/// `printlog()`.
fn printlog(o: &mut Out, fp: &FilterRule) {
    let f = fp.flags.0;
    o.s("log");
    if f & FrFlags::LOGBODY != 0 {
        o.s(" body");
    }
    if f & FrFlags::LOGFIRST != 0 {
        o.s(" first");
    }
    if f & FrFlags::LOGORBLOCK != 0 {
        o.s(" or-block");
    }
    if fp.loglevel != 0xffff {
        o.s(" level ");
        o.s(fac_toname(fp.loglevel).unwrap_or("!!!"));
        o.s(".");
        o.s(PRIS[(fp.loglevel & 7) as usize]);
    }
}

/// `fac_toname()`: the entry at `fac >> 3` if it is that facility, else
/// the first with its value.
fn fac_toname(level: u32) -> Option<&'static str> {
    let fac = level & 0x3f8;
    if let Some(&(name, v)) = FACS.get((fac >> 3) as usize)
        && v == fac
    {
        return Some(name);
    }
    FACS.iter().find(|(_, v)| *v == fac).map(|(n, _)| *n)
}

/// `printifname()`: `(!)` for an interface the kernel did not find.
fn printifname(o: &mut Out, prefix: &str, name: &[u8], unresolved: bool) {
    o.s(prefix);
    o.b(name);
    if unresolved && name != b"-" && name != b"*" {
        o.s("(!)");
    }
}

/// `print_toif()`.
fn print_toif(o: &mut Out, tag: &str, d: &FrDest, unresolved: bool, v6: bool) {
    o.s(tag);
    o.s(" ");
    o.b(d.ifname.as_bytes());
    if unresolved {
        o.s("(!)");
    }
    if v6 && !d.addr.is_zero() {
        o.s(":");
        o.s(&ntop6(&d.addr.0));
    } else if d.addr.word0() != 0 {
        o.s(":");
        o.v4(&d.addr);
    }
    o.s(" ");
}

/// `printaddr()`.
fn printaddr(o: &mut Out, fp: &FilterRule, ty: i32, a: &I6Addr, m: &I6Addr) {
    let ifname = fp.ifnames[0].as_bytes();
    let suffix = match ty {
        Fri::BROADCAST => "/bcast",
        Fri::NETWORK => "/net",
        Fri::NETMASKED => "/netmasked",
        Fri::PEERADDR => "/peer",
        Fri::DYNAMIC => {
            o.b(ifname);
            printmask(o, fp.v, m);
            return;
        }
        Fri::LOOKUP => {
            printlookup(o, a);
            return;
        }
        Fri::NORMAL => {
            printhostmask(o, fp.v, a, Some(m));
            return;
        }
        _ => {
            o.s(&format!("<{ty}>"));
            printmask(o, fp.v, m);
            return;
        }
    };
    o.b(ifname);
    o.s("/");
    o.s(suffix);
}

/// `printlookup()`: `pool/N`, `hash/N`.
fn printlookup(o: &mut Out, a: &I6Addr) {
    let num = u32::from_le_bytes([a.0[0], a.0[1], a.0[2], a.0[3]]);
    let ty = u32::from_le_bytes([a.0[4], a.0[5], a.0[6], a.0[7]]);
    match ty {
        IPLT_POOL => o.s("pool/"),
        IPLT_HASH => o.s("hash/"),
        _ => o.s(&format!("lookup({ty:x})=")),
    }
    o.u(num);
}

/// The letters of `FSRPAUEC` whose bits are set.
fn tcpflagset(o: &mut Out, v: u8) {
    for (i, &c) in super::parser::FLAGSET.iter().enumerate() {
        if v & (1 << i) != 0 {
            o.b(&[c]);
        }
    }
}

/// The ` with …` part of `printfr()`.
fn printwith(o: &mut Out, fp: &FilterRule) {
    let ipf = &fp.ipf;
    let (flx, mflx) = (ipf.ip.flx, ipf.mip.flx);
    let (optbits, optmask) = (ipf.ip.optmsk, ipf.mip.optmsk);
    let (secbits, secmask) = (ipf.ip.secmsk, ipf.mip.secmsk);
    let opts_set = optbits != 0 || optmask != 0 || secbits != 0 || secmask != 0;
    if flx & Fi::WITH == 0 && mflx & Fi::WITH == 0 && !opts_set {
        return;
    }
    let mut comma = " ";
    o.s(" with");
    if opts_set {
        if fp.v == 4 {
            optprint(o, secmask, secbits, optmask, optbits);
        } else {
            optprintv6(o, secmask, secbits, optmask, optbits);
        }
    } else if mflx & Fi::OPTIONS != 0 {
        o.s(comma);
        if flx & Fi::OPTIONS == 0 {
            o.s("not ");
        }
        o.s("ipopts");
        comma = ",";
    }
    for (bit, name) in [
        (Fi::SHORT, "short"),
        (Fi::FRAG, "frag"),
        (Fi::FRAGBODY, "frag-body"),
        (Fi::NATED, "nat"),
        (Fi::LOWTTL, "lowttl"),
        (Fi::BAD, "bad"),
        (Fi::BADSRC, "bad-src"),
        (Fi::BADNAT, "bad-nat"),
        (Fi::OOW, "oow"),
        (Fi::MULTICAST, "mcast"),
        (Fi::BROADCAST, "bcast"),
        (Fi::MBCAST, "mbcast"),
        (Fi::STATE, "state"),
    ] {
        if mflx & bit != 0 {
            o.s(comma);
            if flx & bit == 0 {
                o.s("not ");
            }
            o.s(name);
            // printfr() forgets the separator after `oow`.
            if bit != Fi::OOW {
                comma = ",";
            }
        }
    }
}

/// `optprint()`.
fn optprint(o: &mut Out, secmsk: u16, secbits: u16, optmsk: u32, optbits: u32) {
    let nosec = secmsk == 0 && secbits == 0;
    let mut s = " opt ";
    let mut i = 0;
    while i < IONAMES.len() {
        let (bit, name) = IONAMES[i];
        if bit & optmsk != 0 && bit & optmsk == bit & optbits && (bit != OPT_SEC || nosec) {
            o.s(s);
            o.s(name);
            if bit == OPT_SEC {
                i += 1;
            }
            s = ",";
        }
        i += 1;
    }
    if secmsk & secbits != 0 {
        o.s(s);
        o.s("sec-class");
        s = " ";
        for (bit, name) in SECCLASS {
            if secmsk & bit != 0 && bit & secmsk == bit & secbits {
                o.s(s);
                o.s(name);
                s = ",";
            }
        }
    }
    if (optmsk != 0 && optmsk != optbits) || (secmsk != 0 && secmsk != secbits) {
        s = " ";
        o.s(" not opt");
        if optmsk != optbits {
            let mut i = 0;
            while i < IONAMES.len() {
                let (bit, name) = IONAMES[i];
                if bit & optmsk != 0 && bit & optmsk != bit & optbits {
                    if bit != OPT_SEC || nosec {
                        o.s(s);
                        o.s(name);
                        s = ",";
                        if bit == OPT_SEC {
                            i += 1;
                        }
                    } else {
                        i += 1;
                    }
                }
                i += 1;
            }
        }
        if secmsk != secbits {
            o.s(s);
            o.s("sec-class");
            s = " ";
            for (bit, name) in SECCLASS {
                if bit & secmsk != 0 && bit & secmsk != bit & secbits {
                    o.s(s);
                    o.s(name);
                    s = ",";
                }
            }
        }
    }
}

/// `optprintv6()`.
fn optprintv6(o: &mut Out, secmsk: u16, secbits: u16, optmsk: u32, optbits: u32) {
    let mut s = " v6hdrs ";
    for (bit, name) in V6IONAMES {
        if bit & optmsk != 0 && bit & optmsk == bit & optbits {
            o.s(s);
            o.s(name);
            s = ",";
        }
    }
    if (optmsk != 0 && optmsk != optbits) || (secmsk != 0 && secmsk != secbits) {
        s = " ";
        o.s(" not v6hdrs");
        if optmsk != optbits {
            for (bit, name) in V6IONAMES {
                if bit & optmsk != 0 && bit & optmsk != bit & optbits {
                    o.s(s);
                    o.s(name);
                    s = ",";
                }
            }
        }
    }
}

/// `uuid_unparse()`: lower-case, 8-4-4-4-12.
fn uuid_text(u: &[u8; 16]) -> String {
    let h: String = u.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}
