//! A filter rule ([`FilterRule`]) as the illumos kernel takes it with
//! `SIOCADAFR`, `SIOCINAFR`, `SIOCRMAFR`, `SIOCZRLST` (and their inactive
//! twins), and back from what it hands out (`SIOCIPFITER`, `SIOCZRLST`):
//! a `frentry_t` image in the kernel's layout (608 bytes with `fr_uuid`,
//! 592 before 2019) followed by its `fr_dsize` data bytes (the 152-byte
//! `fripf_t` of an `FR_T_IPF` rule). `sys::illumos::ipf` sends such an
//! image, pointing `fr_data` at the data; `sys::ipf_decode` lays out and
//! reads the bytes. This module only maps fields, the way `ipf_y.y` fills
//! `frentry_t` before `ipf_addrule()`:
//!
//! * `newrule()`: `fr_loglevel` 0xffff, `fr_isc` -1, `fr_type`, `fr_v`;
//!   `setipftype()`: `fr_dsize` = `sizeof (fripf_t)`, `fri_*ifpidx` -1
//!   (all in the model already);
//! * `fr_hits`: the 0-based position of `@N` (`ipf_addrule()` picks
//!   `SIOC*IN*FR` and decrements the parser's N + 1), else 0;
//! * `fr_func`: the kernel's address of the `call` function, which the
//!   parser gets from `SIOCFUNCL` (`nametokva()`): the caller resolves it;
//! * byte order (`frrequest`, `fr_ipfcheck`): addresses and masks in
//!   network order (as the model keeps them), ports, TCP flags,
//!   `fi_optmsk`/`fi_secmsk`/`fi_auth`/`fi_flx` in host order, ICMP
//!   type/code (`fri_icmp`, `fri_icmpm`) in network order (`htons`);
//! * left zero: `fr_next` (the parser unlinks a rule before adding it),
//!   `fr_data` (set by the ioctl wrapper), `fr_cksum` (the kernel computes
//!   it over `fr_func`… and the data before looking for a duplicate),
//!   `fr_flineno`, `fr_isctag`, the interface pointers (the kernel's
//!   `frsynclist` fills them), padding — the kernel compares the 448/432
//!   bytes from `fr_func` on to find a rule to remove or zero, so every
//!   byte is fixed.
//!
//! The way back strips `FR_COPIED` (the kernel's mark of a rule loaded
//! from user space) and returns the counters and which interfaces the
//! kernel did not find (`ipfstat -v`'s `(!)`). Not verified on illumos:
//! the layouts come from the headers (`sys::ipf_abi` asserts them), the
//! field values from the C code cited.

use crate::backend::filter::{DirStats, FilterStats, StateEntry, StateStats};
use crate::ipf::rule::{FilterRule, FrDest, FrFlags, FrIp, FrIpf, FrTuc, FrType};
use crate::ipfilter::types::{CName, CmpOp, I6Addr, PortCmp};
use crate::sys::ipf_abi::{FR_GROUPLEN, FRIPF_T_SIZE, FriostatLayout, LIFNAMSIZ};
use crate::sys::ipf_decode::{self as dec, FieldTooLong};

/// Why a rule has no image, or an image no rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// A name longer than its `char` array.
    #[error("{0}")]
    TooLong(#[from] FieldTooLong),
    /// `set-tag(uuid=…)` or `cfwlog` for a kernel built before 2019,
    /// whose `frentry_t` has no `fr_uuid` (and no `FR_CFWLOG`).
    #[error("uuid and cfwlog need an IP Filter kernel with cloud-firewall logging (2019 or later)")]
    NoUuid,
    /// `call NAME/N` whose function the kernel does not know.
    #[error("call: no such function in the kernel: {0}")]
    UnknownFunction(String),
    /// A rule type whose data the model does not hold (BPF).
    #[error("filter rules of type {0:#x} are not supported")]
    Type(u32),
    /// An image shorter than a `frentry_t` and its `fr_dsize` data.
    #[error("truncated rule image ({0} bytes)")]
    Truncated(usize),
}

/// The image of `rule` for a kernel of generation `layout`: `frentry_t`
/// then, for an `FR_T_IPF` rule, its `fripf_t`. `func_addr` gives the
/// kernel address of a `call` function by name (`SIOCFUNCL`).
pub fn rule_image(
    rule: &FilterRule,
    layout: FriostatLayout,
    func_addr: &dyn Fn(&[u8]) -> Option<u64>,
) -> Result<Vec<u8>, ImageError> {
    let o = layout.frentry();
    if o.fr_uuid.is_none() && (rule.uuid != [0; 16] || rule.flags.has(FrFlags::CFWLOG)) {
        return Err(ImageError::NoUuid);
    }
    let data = match rule.rtype.base() {
        FrType::IPF => Some(fripf(&rule.ipf)),
        FrType::NONE | FrType::CALLFUNC | FrType::COMPIPF => None,
        t => return Err(ImageError::Type(t.0)),
    };
    let func = if rule.func.is_empty() {
        0
    } else {
        func_addr(rule.func.as_bytes()).ok_or_else(|| {
            ImageError::UnknownFunction(String::from_utf8_lossy(rule.func.as_bytes()).into())
        })?
    };
    let name = |n: &CName| n.as_bytes().to_vec();
    let dest = |d: &FrDest| dec::FrDest {
        ifp: 0,
        addr: d.addr.0,
        ifname: name(&d.ifname),
    };
    let mut nattag = [0u8; 16];
    let tag = rule.nattag.as_bytes();
    if tag.len() > nattag.len() {
        return Err(FieldTooLong {
            field: "fr_nattag",
            len: tag.len(),
            max: nattag.len(),
        }
        .into());
    }
    nattag[..tag.len()].copy_from_slice(tag);
    let e = dec::FrEntry {
        isc: u64::MAX,
        hits: rule.insert_at.map_or(0, u64::from),
        func,
        dsize: if data.is_some() {
            FRIPF_T_SIZE as i32
        } else {
            0
        },
        pps: rule.pps as i32,
        statemax: rule.statemax as i32,
        rule_type: rule.rtype.0,
        flags: rule.flags.0,
        logtag: rule.logtag,
        collect: rule.collect,
        uuid: o.fr_uuid.map(|_| rule.uuid),
        arg: rule.arg,
        loglevel: rule.loglevel,
        age: rule.age,
        v: rule.v,
        icode: rule.icode,
        group: name(&rule.group),
        grhead: name(&rule.grhead),
        nattag,
        ifnames: rule.ifnames.clone().map(|n| name(&n)),
        tif: dest(&rule.tif),
        rif: dest(&rule.rif),
        dif: dest(&rule.dif),
        ..dec::FrEntry::default()
    };
    let mut image = dec::frentry_image(&o, &e)?;
    if let Some(d) = data {
        image.extend(dec::fripf_image(&d));
    }
    Ok(image)
}

fn fr_ip(f: &FrIp) -> dec::FrIp {
    dec::FrIp {
        v: f.v,
        tos: f.tos,
        ttl: f.ttl,
        p: f.p,
        optmsk: f.optmsk,
        src: f.src.0,
        dst: f.dst.0,
        secmsk: f.secmsk,
        auth: f.auth,
        flx: f.flx,
        tcpmsk: f.tcpmsk,
    }
}

fn portcmp(c: &PortCmp) -> dec::PortCmp {
    dec::PortCmp {
        cmp: c.op.0,
        port: c.port,
        top: c.top,
    }
}

fn fripf(f: &FrIpf) -> dec::FrIpf {
    dec::FrIpf {
        ip: fr_ip(&f.ip),
        mask: fr_ip(&f.mip),
        icmp: f.icmp,
        icmpm: f.icmpm,
        tcpf: f.tuc.tcpf,
        tcpfm: f.tuc.tcpfm,
        sport: portcmp(&f.tuc.src),
        dport: portcmp(&f.tuc.dst),
        satype: f.satype,
        datype: f.datype,
        sifpidx: f.sifpidx,
        difpidx: f.difpidx,
    }
}

/// A rule as the kernel lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KernelRule {
    pub rule: FilterRule,
    /// `fr_hits`, `fr_bytes`: packets and bytes that matched it.
    pub hits: u64,
    pub bytes: u64,
    /// Which interfaces the kernel did not find (its pointer is NULL):
    /// `fr_ifas[0..4]`, then `fr_tif`, `fr_rif`, `fr_dif` — what
    /// `PrintOpts::unresolved` takes for `ipfstat -v`.
    pub unresolved: [bool; 7],
}

/// The rule in `image` (a `frentry_t` of generation `layout` and its
/// `fr_dsize` data bytes, as `SIOCIPFITER` or `SIOCZRLST` return it).
/// `func_name` names a `call` function's kernel address (`SIOCFUNCL`);
/// an unknown one is named `?`, as `printfr()` prints it. The data of a
/// type other than `FR_T_IPF` is not kept.
pub fn rule_from_image(
    image: &[u8],
    layout: FriostatLayout,
    func_name: &dyn Fn(u64) -> Option<CName>,
) -> Result<KernelRule, ImageError> {
    let o = layout.frentry();
    let data = dec::rule_data(&o, image).ok_or(ImageError::Truncated(image.len()))?;
    let e = dec::frentry(&o, image);
    let rtype = FrType(e.rule_type);
    let ipf = if rtype.base() == FrType::IPF {
        rule_ipf(&dec::fripf(data).ok_or(ImageError::Truncated(image.len()))?)
    } else {
        FrIpf::default()
    };
    let name = |b: &[u8], max: usize| CName::strncpy(b, max);
    let dest = |d: &dec::FrDest| FrDest {
        ifname: name(&d.ifname, LIFNAMSIZ),
        addr: I6Addr(d.addr),
    };
    let func = match e.func {
        0 => CName::default(),
        a => func_name(a).unwrap_or_else(|| CName::from("?")),
    };
    let rule = FilterRule {
        collect: e.collect,
        insert_at: None,
        rtype,
        flags: FrFlags(e.flags & !FrFlags::COPIED),
        func,
        arg: e.arg,
        pps: e.pps as u32,
        statemax: e.statemax as u32,
        logtag: e.logtag,
        uuid: e.uuid.unwrap_or_default(),
        loglevel: e.loglevel,
        age: e.age,
        v: e.v,
        icode: e.icode,
        group: name(&e.group, FR_GROUPLEN),
        grhead: name(&e.grhead, FR_GROUPLEN),
        nattag: name(&e.nattag, e.nattag.len()),
        ifnames: e.ifnames.each_ref().map(|n| name(n, LIFNAMSIZ)),
        tif: dest(&e.tif),
        rif: dest(&e.rif),
        dif: dest(&e.dif),
        ipf,
    };
    let [a, b, c, d] = e.ifas.map(|p| p == 0);
    Ok(KernelRule {
        rule,
        hits: e.hits,
        bytes: e.bytes,
        unresolved: [a, b, c, d, e.tif.ifp == 0, e.rif.ifp == 0, e.dif.ifp == 0],
    })
}

fn rule_ip(f: &dec::FrIp) -> FrIp {
    FrIp {
        v: f.v,
        tos: f.tos,
        ttl: f.ttl,
        p: f.p,
        optmsk: f.optmsk,
        src: I6Addr(f.src),
        dst: I6Addr(f.dst),
        secmsk: f.secmsk,
        auth: f.auth,
        flx: f.flx,
        tcpmsk: f.tcpmsk,
    }
}

fn rule_portcmp(c: &dec::PortCmp) -> PortCmp {
    PortCmp {
        op: CmpOp(c.cmp),
        port: c.port,
        top: c.top,
    }
}

fn rule_ipf(f: &dec::FrIpf) -> FrIpf {
    FrIpf {
        ip: rule_ip(&f.ip),
        mip: rule_ip(&f.mask),
        icmpm: f.icmpm,
        icmp: f.icmp,
        tuc: FrTuc {
            tcpfm: f.tcpfm,
            tcpf: f.tcpf,
            src: rule_portcmp(&f.sport),
            dst: rule_portcmp(&f.dport),
        },
        satype: f.satype,
        datype: f.datype,
        sifpidx: f.sifpidx,
        difpidx: f.difpidx,
    }
}

// ------------------------------------------------------- statistics, states

fn dir_stats(s: &dec::FilterStats) -> DirStats {
    DirStats {
        pass: s.pass,
        block: s.block,
        nom: s.nom,
        short: s.short,
        ppkl: s.ppkl,
        bpkl: s.bpkl,
        npkl: s.npkl,
        pkl: s.pkl,
        skip: s.skip,
        ret: s.ret,
        acct: s.acct,
        bnfr: s.bnfr,
        nfr: s.nfr,
        cfr: s.cfr,
        bads: s.bads,
        ads: s.ads,
        chit: s.chit,
        tcpbad: s.tcpbad,
        pull: s.pull,
        badsrc: s.badsrc,
        badttl: s.badttl,
        bad: s.bad,
        ipv6: s.ipv6,
        ppshit: s.ppshit,
        ipud: s.ipud,
    }
}

/// `friostat_t` (`SIOCGETFS` on `/dev/ipf`) as `ipf` and `ipfstat` read it.
pub fn filter_stats(s: &dec::IpfStats) -> FilterStats {
    let version = s.version.split(|b| *b == 0).next().unwrap_or_default();
    FilterStats {
        st: [dir_stats(&s.st[0]), dir_stats(&s.st[1])],
        froute: s.froute,
        ticks: s.ticks,
        defpass: s.defpass as u32,
        active: s.active as u32,
        running: s.running,
        logging: s.logging != 0,
        features: s.features as u32,
        version: String::from_utf8_lossy(version).into_owned(),
    }
}

/// `ips_stat_t` (`SIOCGETFS` on `/dev/ipstate`) and `SIOCGETLG`. The
/// bucket lengths are behind a kernel pointer (`iss_bucketlen`, read by
/// ipfstat through kmem): not read, so none are listed.
pub fn state_stats(s: &dec::IpsStat, logging: bool) -> StateStats {
    StateStats {
        tcp: s.tcp,
        udp: s.udp,
        icmp: s.icmp,
        hits: s.hits,
        miss: s.miss,
        max: s.max,
        nomem: s.nomem,
        active: s.active,
        expire: s.expire,
        fin: s.fin,
        orphans: s.orphans,
        inuse: s.inuse,
        bucketfull: s.bucketfull,
        bucketlen: Vec::new(),
        ticks: s.ticks,
        logging,
    }
}

/// One `ipstate_t` as `printstate` reads it.
pub fn state_entry(s: &dec::IpState) -> StateEntry {
    let name = |b: &Vec<u8>| {
        String::from_utf8_lossy(b.split(|c| *c == 0).next().unwrap_or_default()).into_owned()
    };
    let ifnames = [0, 1, 2, 3].map(|i| name(&s.ifnames[i]));
    StateEntry {
        v: s.v,
        p: s.p,
        src: I6Addr(s.src),
        dst: I6Addr(s.dst),
        sport: s.sport,
        dport: s.dport,
        pass: s.pass,
        state: s.state,
        hv: s.hv,
        tag: s.tag,
        die: s.die,
        td_end: [s.tcp[0].end, s.tcp[1].end],
        maxwin: [s.tcp[0].maxwin, s.tcp[1].maxwin],
        winscale: [s.tcp[0].winscale, s.tcp[1].winscale],
        smsk: s.smsk.map(u32::from),
        s0: s.s0,
        isninc: s.isninc,
        sumd: s.sumd,
        icmp_id: s.icmp_id,
        icmp_seq: s.icmp_seq,
        icmp_type: s.icmp_type,
        pkts: s.pkts,
        bytes: s.bytes,
        flags: s.flags,
        opt: s.opt,
        optmsk: s.optmsk,
        sec: s.sec,
        secmsk: s.secmsk,
        auth: s.auth,
        authmsk: s.authmsk,
        flx: s.flx.map(|p| p.map(|v| v as u32)),
        ifp: ifnames.clone().map(|n| !n.is_empty()),
        ifnames,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::BuiltinNetdb;
    use crate::ipf::parser::{Event, Options, parse};

    const LAYOUTS: [FriostatLayout; 2] = [FriostatLayout::Current, FriostatLayout::Pre2019];

    fn no_func(_: &[u8]) -> Option<u64> {
        None
    }

    fn no_name(_: u64) -> Option<CName> {
        None
    }

    /// The rules of `text` (up to a parse error, if any).
    fn rules(text: &str, v6: bool) -> Vec<FilterRule> {
        let mut v = Vec::new();
        let _ = parse(text.as_bytes(), Options { v6 }, &BuiltinNetdb, &mut |e| {
            if let Event::Rule(r) = e {
                v.push(r.rule);
            }
        });
        v
    }

    fn rule(text: &str) -> FilterRule {
        let mut v = rules(&format!("{text}\n"), false);
        assert_eq!(v.len(), 1, "{text}");
        v.remove(0)
    }

    /// Rule → image → rule, in both layouts; a second image is the same
    /// bytes.
    fn round_trip(r: &FilterRule) {
        for layout in LAYOUTS {
            let image = match rule_image(r, layout, &no_func) {
                Err(ImageError::NoUuid) if layout == FriostatLayout::Pre2019 => continue,
                Err(ImageError::UnknownFunction(_)) => {
                    // `call`: resolved by a fake table.
                    let image = rule_image(r, layout, &|_| Some(0xdead_0000)).unwrap();
                    let back = rule_from_image(&image, layout, &|a| {
                        (a == 0xdead_0000).then(|| r.func.clone())
                    })
                    .unwrap();
                    assert_eq!(
                        back.rule,
                        FilterRule {
                            insert_at: None,
                            ..r.clone()
                        }
                    );
                    continue;
                }
                i => i.unwrap_or_else(|e| panic!("{r:?}: {e}")),
            };
            let o = layout.frentry();
            let dsize = if r.is_ipf() { FRIPF_T_SIZE } else { 0 };
            assert_eq!(image.len(), o.size + dsize);
            let back = rule_from_image(&image, layout, &no_name).unwrap();
            let want = FilterRule {
                insert_at: None,
                ..r.clone()
            };
            assert_eq!(back.rule, want, "{layout:?}");
            assert_eq!(back.hits, u64::from(r.insert_at.unwrap_or(0)));
            assert_eq!(back.unresolved, [true; 7]);
            // The rule read back makes the same image, but for `fr_hits`.
            let mut again = rule_image(&back.rule, layout, &no_func).unwrap();
            again[o.fr_hits..o.fr_hits + 8].copy_from_slice(&image[o.fr_hits..o.fr_hits + 8]);
            assert_eq!(again, image);
        }
    }

    /// Every rule the parser goldens (`tests/ipf_vectors.rs`,
    /// `tests/ipf_parse.rs`) parse goes through an image and back
    /// unchanged.
    #[test]
    fn every_golden_rule_round_trips() {
        let text = include_str!("../../../tests/data/ipf/goldens.conf");
        let mut n = 0;
        for chunk in text.split("#=== ").skip(1) {
            let body = chunk.split_once('\n').map_or("", |(_, b)| b);
            for v6 in [false, true] {
                for r in rules(body, v6) {
                    round_trip(&r);
                    n += 1;
                }
            }
        }
        assert!(n > 400, "only {n} rules");
    }

    /// Constructs the goldens may miss: `@N`, `call`, tags, uuid, every
    /// `to`/`reply-to`/`dup-to` form, IPv6.
    #[test]
    fn more_constructs_round_trip() {
        for text in [
            "@3 pass in all",
            "@0 10 block in all",
            "call fr_srcgrpmap/1 in all",
            "call now fr_dstgrpmap/2 out all",
            "pass in on e1000g0 to e1000g1:10.0.0.1 reply-to e1000g2:10.0.0.2 dup-to e1000g3:10.0.0.3 from any to any",
            "pass out quick on a0 from any to any set-tag(log=5, nat=tagname1234567)",
            "pass in on vnic0 from any to any set-tag(uuid=0c4dc6e6-3c3a-4f1a-9b1e-1a2b3c4d5e6f, cfwlog)",
            "block in on lo0,ppp0 out-via e0,e1 proto tcp from pool/3 to hash/4 port 1 <> 1000 flags S/SA keep state (limit 10, strict, newisn, no-icmp-err, sync) keep frags (strict) head 77 age 30/40",
            "pass in on le0 from le0/broadcast to le0/peer group 77",
            "block return-icmp-as-dest(host-unr) in log body first or-block level auth.info on le0 proto icmp from 1.2.3.4 mask 0xff00ff00 to !5.6.7.8/13 icmp-type timex code 1 with not ipopts, frag, not short pps 3",
        ] {
            round_trip(&rule(text));
        }
        for r in rules(
            "pass in from 2001:db8::/32 to ::1 with v6hdrs routing,frag\npass in dup-to le0:fe80::1 all\n",
            true,
        ) {
            round_trip(&r);
        }
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
    }

    /// `pass in quick on e1000g0 proto tcp from 10.1.0.0/16 port > 1023 to
    /// 192.168.1.5 port = 22 flags S/SA keep state group web`, byte by
    /// byte at the reference's offsets (`ipf.md` §3.4), in both layouts.
    #[test]
    fn an_ipf_rule_byte_by_byte() {
        let mut g = rules(
            "pass in all head web\npass in quick on e1000g0 proto tcp from 10.1.0.0/16 port > 1023 to 192.168.1.5 port = 22 flags S/SA keep state group web\n",
            false,
        );
        let r = g.remove(1);
        for (layout, s) in [(FriostatLayout::Current, 16), (FriostatLayout::Pre2019, 0)] {
            let b = rule_image(&r, layout, &no_func).unwrap();
            let mut want = vec![0u8; 592 + s + 152];
            let mut put = |at: usize, v: &[u8]| want[at..at + v.len()].copy_from_slice(v);
            put(48, &u64::MAX.to_le_bytes()); // fr_isc = -1
            put(168, &152_i32.to_le_bytes()); // fr_dsize
            put(184, &1_u32.to_le_bytes()); // fr_type FR_T_IPF
            // FR_PASS | FR_QUICK | FR_KEEPSTATE | FR_INQUE
            put(188, &0x8502_u32.to_le_bytes());
            put(204 + s, &0xffff_u32.to_le_bytes()); // fr_loglevel
            put(216 + s, &[4]); // fr_v
            put(218 + s, b"web"); // fr_group
            put(272 + s, b"e1000g0"); // fr_ifnames[0]
            let d = 592 + s; // the fripf_t
            put(d, &[4, 0, 0, 6]); // fi_v 4, fi_p 6
            put(d + 8, &[10, 1, 0, 0]); // fi_src
            put(d + 24, &[192, 168, 1, 5]); // fi_dst
            put(d + 56, &[0xf, 0, 0, 0xff]); // masks: fi_v, fi_p
            put(d + 64, &[255, 255, 0, 0]);
            put(d + 80, &[255; 4]);
            put(d + 116, &[0x12, 0x02]); // ftu_tcpfm SA, ftu_tcpf S
            put(d + 120, &4_i32.to_le_bytes()); // ftu_src: FR_GREATERT
            put(d + 124, &1023_u16.to_le_bytes()); // host order
            put(d + 128, &1_i32.to_le_bytes()); // ftu_dst: FR_EQUAL
            put(d + 132, &22_u16.to_le_bytes());
            put(d + 144, &(-1_i32).to_le_bytes()); // fri_sifpidx
            put(d + 148, &(-1_i32).to_le_bytes()); // fri_difpidx
            assert_eq!(b, want, "{layout:?}");
        }
    }

    /// `block return-icmp(port-unr) out log level local1.info on ppp0 proto
    /// icmp from any to any icmp-type echo code 0 set-tag(log=7)`: ICMP in
    /// network order, the log level, the code.
    #[test]
    fn an_icmp_rule_byte_by_byte() {
        let r = rule(
            "block return-icmp(port-unr) out log level local1.info on ppp0 proto icmp from any to any icmp-type echo code 0 set-tag(log=7)",
        );
        let b = rule_image(&r, FriostatLayout::Current, &no_func).unwrap();
        assert_eq!(b.len(), 608 + 152);
        // FR_BLOCK | FR_LOG | FR_RETICMP | FR_OUTQUE
        assert_eq!(u32_at(&b, 188), 0x1 | 0x10 | 0x2000 | 0x4000);
        assert_eq!(u32_at(&b, 192), 7); // fr_logtag
        assert_eq!(u32_at(&b, 220), (17 << 3) | 6); // LOG_LOCAL1 | LOG_INFO
        assert_eq!(b[233], 3); // fr_icode
        assert_eq!(&b[288..293], b"ppp0\0");
        assert_eq!(&b[608 + 112..608 + 116], &[0xff, 0xff, 8, 0]); // icmpm, icmp
        // The uuid is all zero; fr_cksum is left to the kernel.
        assert_eq!(&b[200..216], &[0; 16]);
        assert_eq!(u32_at(&b, 600), 0);
    }

    /// `all` rules carry no data; `@N` is `fr_hits`.
    #[test]
    fn an_all_rule_byte_by_byte() {
        let r = rule("@2 3 count out on lo0 all");
        let b = rule_image(&r, FriostatLayout::Pre2019, &no_func).unwrap();
        assert_eq!(b.len(), 592);
        assert_eq!(u32_at(&b, 112), 2); // fr_hits = N
        assert_eq!(u32_at(&b, 152), 0); // fr_data
        assert_eq!(u32_at(&b, 168), 0); // fr_dsize
        assert_eq!(u32_at(&b, 184), 0); // FR_T_NONE
        assert_eq!(u32_at(&b, 188), 0x5 | 0x4000); // FR_ACCOUNT | FR_OUTQUE
        assert_eq!(u32_at(&b, 196), 3); // fr_collect
    }

    /// What the kernel adds is read back apart: counters, `FR_COPIED`,
    /// interface pointers.
    #[test]
    fn a_listed_rule() {
        let r = rule("pass in on e1000g0 to e1000g1 all");
        let layout = FriostatLayout::Current;
        let o = layout.frentry();
        let mut b = rule_image(&r, layout, &no_func).unwrap();
        let mut put = |at: usize, v: u64| b[at..at + 8].copy_from_slice(&v.to_le_bytes());
        put(o.fr_hits, 12);
        put(o.fr_bytes, 3456);
        put(o.fr_ifas, 0xffff_fe00_0000_2000);
        put(o.fr_tifs, 0xffff_fe00_0000_3000);
        b[o.fr_flags + 3] |= 0x40; // FR_COPIED
        let k = rule_from_image(&b, layout, &no_name).unwrap();
        assert_eq!(k.rule, r);
        assert_eq!((k.hits, k.bytes), (12, 3456));
        assert_eq!(k.unresolved, [false, true, true, true, false, true, true]);
        assert_eq!(
            rule_from_image(&b[..100], layout, &no_name),
            Err(ImageError::Truncated(100))
        );
    }

    #[test]
    fn refusals() {
        let r = rule("pass in all set-tag(uuid=0c4dc6e6-3c3a-4f1a-9b1e-1a2b3c4d5e6f)");
        assert_eq!(
            rule_image(&r, FriostatLayout::Pre2019, &no_func),
            Err(ImageError::NoUuid)
        );
        let r = rule("call nosuchfn/1 in all");
        assert_eq!(
            rule_image(&r, FriostatLayout::Current, &no_func),
            Err(ImageError::UnknownFunction("nosuchfn".into()))
        );
        let r = FilterRule {
            rtype: FrType::BPFOPC,
            ..FilterRule::default()
        };
        assert_eq!(
            rule_image(&r, FriostatLayout::Current, &no_func),
            Err(ImageError::Type(2))
        );
    }

    /// Statistics and states: the decoded kernel structures become the
    /// trait's, field for field (the decoding itself is tested in
    /// `sys::ipf_decode`).
    #[test]
    fn statistics_and_states_convert_field_for_field() {
        use crate::sys::ipf_abi::{IPS_STAT_T_SIZE, IPSTATE_T_SIZE, off};
        for layout in [FriostatLayout::Current, FriostatLayout::Pre2019] {
            let mut b = vec![0u8; layout.size()];
            b[..8].copy_from_slice(&7_u64.to_le_bytes()); // f_st[0].fr_pass
            let st = filter_stats(&dec::ipf_stats(layout, &b));
            assert_eq!((st.st[0].pass, st.st[1].pass), (7, 0));
            assert!(!st.logging);
        }
        let mut b = vec![0u8; IPS_STAT_T_SIZE];
        b[off::ISS_HITS..off::ISS_HITS + 8].copy_from_slice(&42_u64.to_le_bytes());
        let ss = state_stats(&dec::ips_stat(&b), true);
        assert_eq!((ss.hits, ss.logging), (42, true));
        assert!(ss.bucketlen.is_empty());
        let mut b = vec![0u8; IPSTATE_T_SIZE];
        b[off::IS_PKTS..off::IS_PKTS + 8].copy_from_slice(&3_u64.to_le_bytes());
        let e = state_entry(&dec::ipstate(&b));
        assert_eq!(e.pkts, [3, 0, 0, 0]);
        assert_eq!(e.ifnames, ["", "", "", ""].map(String::from));
        assert_eq!(e.ifp, [false; 4]);
    }
}
