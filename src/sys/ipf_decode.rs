//! From the bytes the illumos IP Filter kernel copies out (amd64, little
//! endian) to plain Rust structures of their fields: `friostat_t` (in
//! either layout; the version check `ipf` and `ipnat` share), `frentry_t`
//! (in either layout) and the `fripf_t` behind it, `ips_stat_t` and
//! `ipstate_t`; the choice of the kernel generation; and the
//! `SIOCIPFITER` rule walk. Pure code, compiled and tested on every host
//! on byte images; the offsets come from the `#[repr(C)]` declarations of
//! `sys::ipf_abi` (and `sys::ipnat_abi`), which assert them.
//!
//! Nothing here knows a personality: what the fields mean to a rule model
//! or a printer is decided above.

// Nothing calls this yet on illumos: the ipf/ipfstat personalities and
// their illumos backend (issue 13) are written separately and will. Until
// then the tests are its only users.
#![allow(
    dead_code,
    reason = "the ipf/ipfstat backend (issue 13) is not wired yet"
)]

use super::ipf_abi::{
    FILTERSTATS_T_SIZE, FR_GROUPLEN, FRIPF_T_SIZE, FrentryOffsets, FriostatLayout, IPL_VERSION,
    LIFNAMSIZ, UUID_LEN, fi_word, off,
};
use std::sync::atomic::{AtomicU8, Ordering};

// ------------------------------------------------------------ byte readers

fn bytes<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut v = [0u8; N];
    v.copy_from_slice(&b[at..at + N]);
    v
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes(b, at))
}

fn i64_at(b: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(bytes(b, at))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes(b, at))
}

fn i32_at(b: &[u8], at: usize) -> i32 {
    i32::from_le_bytes(bytes(b, at))
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes(b, at))
}

/// A 16-bit value the kernel keeps in network order, as a number.
fn be16_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(bytes(b, at))
}

/// A `char[n]` up to its first NUL (all `n` bytes if there is none).
fn cstr_at(b: &[u8], at: usize, n: usize) -> Vec<u8> {
    let v = &b[at..at + n];
    let end = v.iter().position(|&c| c == 0).unwrap_or(n);
    v[..end].to_vec()
}

/// The pointer at `at` (a kernel address: only NULL or not matters).
pub fn pointer_at(b: &[u8], at: usize) -> u64 {
    u64_at(b, at)
}

// ------------------------------------------ friostat_t and the version check

/// What `checkrev()` reads of a `friostat_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Friostat {
    /// The layout the kernel accepted.
    pub layout: FriostatLayout,
    /// `f_running`: 1 while IP Filter runs.
    pub running: i32,
    /// `f_version` up to its first NUL (at most 32 bytes).
    pub version: Vec<u8>,
}

/// `f_running` and `f_version` of a `friostat_t` image in `layout`.
pub fn friostat(layout: FriostatLayout, b: &[u8]) -> Friostat {
    Friostat {
        layout,
        running: i32_at(b, layout.f_running()),
        version: cstr_at(b, layout.f_version(), 32),
    }
}

/// `checkrev()`: `strncmp(IPL_VERSION, f_version, 32)`. `Err` carries
/// what the kernel runs.
pub fn check_version(fs: &Friostat) -> Result<(), String> {
    if fs.version == IPL_VERSION.as_bytes() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&fs.version).into_owned())
    }
}

/// The `friostat_t` layout (and so the kernel generation) the kernel
/// accepted, remembered (for the process, in a `static`) so that later
/// calls ask in it first.
pub struct LayoutMemory(AtomicU8);

impl LayoutMemory {
    pub const fn new() -> LayoutMemory {
        LayoutMemory(AtomicU8::new(0))
    }

    /// The remembered layout (stored as 1 + its index in
    /// [`FriostatLayout::ALL`]; 0 is none yet).
    pub fn get(&self) -> Option<FriostatLayout> {
        let n = usize::from(self.0.load(Ordering::Relaxed));
        n.checked_sub(1)
            .and_then(|i| FriostatLayout::ALL.get(i).copied())
    }

    pub fn set(&self, layout: FriostatLayout) {
        let i = FriostatLayout::ALL.iter().position(|l| *l == layout);
        let n = i.map_or(0, |i| i + 1);
        self.0
            .store(u8::try_from(n).unwrap_or(0), Ordering::Relaxed);
    }
}

impl Default for LayoutMemory {
    fn default() -> LayoutMemory {
        LayoutMemory::new()
    }
}

/// The layouts to try, in order: the remembered one, then the others of
/// [`FriostatLayout::ALL`] (the current one first).
pub fn layouts_to_try(remembered: Option<FriostatLayout>) -> Vec<FriostatLayout> {
    let mut order: Vec<FriostatLayout> = remembered.into_iter().collect();
    order.extend(
        FriostatLayout::ALL
            .iter()
            .filter(|l| Some(**l) != remembered),
    );
    order
}

/// Why `SIOCGETFS` gave no `friostat_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FriostatError {
    /// The ioctl failed with this errno (not about the size).
    Ioctl(i32),
    /// `EINVAL` for every `friostat_t` size known (these, in bytes): the
    /// kernel's layout is another one.
    UnknownLayout(Vec<usize>),
}

/// `SIOCGETFS` in whichever `friostat_t` layout the kernel has. `get_fs`
/// makes the ioctl with `ipfo_size` = the layout's size and returns the
/// bytes or the raw errno. The kernel compares that size with its own
/// exactly and refuses any other with `EINVAL`, so `EINVAL` means "not
/// this layout": the next is tried. Any other errno is the ioctl's error;
/// `EINVAL` for every layout means the kernel has one xbow does not know,
/// which is refused, not guessed. The layout that worked is remembered in
/// `memory`; the bytes are returned with it.
pub fn get_friostat_bytes(
    memory: &LayoutMemory,
    mut get_fs: impl FnMut(FriostatLayout) -> Result<Vec<u8>, i32>,
) -> Result<(FriostatLayout, Vec<u8>), FriostatError> {
    for layout in layouts_to_try(memory.get()) {
        match get_fs(layout) {
            Ok(b) => {
                memory.set(layout);
                return Ok((layout, b));
            }
            Err(e) if e == libc::EINVAL => continue,
            Err(e) => return Err(FriostatError::Ioctl(e)),
        }
    }
    Err(FriostatError::UnknownLayout(
        FriostatLayout::ALL.iter().map(|l| l.size()).collect(),
    ))
}

/// [`get_friostat_bytes`], read as the version check reads it.
pub fn get_friostat(
    memory: &LayoutMemory,
    get_fs: impl FnMut(FriostatLayout) -> Result<Vec<u8>, i32>,
) -> Result<Friostat, FriostatError> {
    get_friostat_bytes(memory, get_fs).map(|(l, b)| friostat(l, &b))
}

/// `filterstats_t`: the 26 counters of one direction, in declaration
/// order (`fr_pull` is two).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilterStats {
    pub pass: u64,
    pub block: u64,
    pub nom: u64,
    pub short: u64,
    pub ppkl: u64,
    pub bpkl: u64,
    pub npkl: u64,
    pub pkl: u64,
    pub skip: u64,
    pub ret: u64,
    pub acct: u64,
    pub bnfr: u64,
    pub nfr: u64,
    pub cfr: u64,
    pub bads: u64,
    pub ads: u64,
    pub chit: u64,
    pub tcpbad: u64,
    pub pull: [u64; 2],
    pub badsrc: u64,
    pub badttl: u64,
    pub bad: u64,
    pub ipv6: u64,
    pub ppshit: u64,
    pub ipud: u64,
}

fn filterstats(b: &[u8], at: usize) -> FilterStats {
    let n: Vec<u64> = (0..FILTERSTATS_T_SIZE / 8)
        .map(|i| u64_at(b, at + 8 * i))
        .collect();
    FilterStats {
        pass: n[0],
        block: n[1],
        nom: n[2],
        short: n[3],
        ppkl: n[4],
        bpkl: n[5],
        npkl: n[6],
        pkl: n[7],
        skip: n[8],
        ret: n[9],
        acct: n[10],
        bnfr: n[11],
        nfr: n[12],
        cfr: n[13],
        bads: n[14],
        ads: n[15],
        chit: n[16],
        tcpbad: n[17],
        pull: [n[18], n[19]],
        badsrc: n[20],
        badttl: n[21],
        bad: n[22],
        ipv6: n[23],
        ppshit: n[24],
        ipud: n[25],
    }
}

/// A `[2][2]` array of list heads: `[direction][set]`, each a kernel
/// pointer (non-zero: the list has rules).
pub type ListHeads = [[u64; 2]; 2];

fn list_heads(b: &[u8], at: usize) -> ListHeads {
    let p = |i: usize| u64_at(b, at + 8 * i);
    [[p(0), p(1)], [p(2), p(3)]]
}

/// Every field of a `friostat_t` (`SIOCGETFS` on `/dev/ipf`) that
/// `ipfstat` and `ipf -V` read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpfStats {
    pub layout: FriostatLayout,
    /// `f_st[0]` (in), `f_st[1]` (out).
    pub st: [FilterStats; 2],
    /// `f_ipf`, `f_acct`, `f_ipf6`, `f_acct6`: `[in/out][set]`.
    pub ipf: ListHeads,
    pub acct: ListHeads,
    pub ipf6: ListHeads,
    pub acct6: ListHeads,
    pub auth: u64,
    pub froute: [u64; 2],
    pub ticks: u64,
    pub locks: Vec<i32>,
    pub defpass: i32,
    /// The active set: 0 or 1.
    pub active: i32,
    pub running: i32,
    pub logging: i32,
    /// `IPF_FEAT_*`.
    pub features: i32,
    pub version: Vec<u8>,
}

/// A `friostat_t` image in `layout`.
pub fn ipf_stats(layout: FriostatLayout, b: &[u8]) -> IpfStats {
    let o = layout.offsets();
    IpfStats {
        layout,
        st: [
            filterstats(b, off::F_ST),
            filterstats(b, off::F_ST + FILTERSTATS_T_SIZE),
        ],
        ipf: list_heads(b, off::F_IPF),
        acct: list_heads(b, off::F_ACCT),
        ipf6: list_heads(b, off::F_IPF6),
        acct6: list_heads(b, off::F_ACCT6),
        auth: u64_at(b, off::F_AUTH),
        froute: [u64_at(b, o.f_froute), u64_at(b, o.f_froute + 8)],
        ticks: u64_at(b, o.f_ticks),
        locks: (0..o.nlocks)
            .map(|i| i32_at(b, o.f_locks + 4 * i))
            .collect(),
        defpass: i32_at(b, o.f_defpass),
        active: i32_at(b, o.f_active),
        running: i32_at(b, o.f_running),
        logging: i32_at(b, o.f_logging),
        features: i32_at(b, o.f_features),
        version: cstr_at(b, o.f_version, 32),
    }
}

// ---------------------------------------------------------------- frentry_t

/// A `frdest_t` (`to`, `reply-to`, `dup-to`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrDest {
    /// `fd_ip6`, as stored (network order; IPv4 in the first 4 bytes).
    pub addr: [u8; 16],
    pub ifname: Vec<u8>,
}

fn frdest(b: &[u8], at: usize) -> FrDest {
    FrDest {
        addr: bytes(b, at + off::FD_IP6),
        ifname: cstr_at(b, at + off::FD_IFNAME, LIFNAMSIZ),
    }
}

/// Every field of a `frentry_t` except its lock and kernel-only pointers
/// (pointers kept are kernel addresses: only NULL or not means something).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrEntry {
    /// `fr_next`: NULL (0) for the last rule of a list.
    pub next: u64,
    /// `fr_comment`.
    pub comment: u64,
    pub refs: i32,
    pub statecnt: i32,
    /// Packets and bytes that matched this rule last.
    pub hits: u64,
    pub bytes: u64,
    /// `fr_lastpkt`: seconds, microseconds.
    pub lastpkt: (i64, i64),
    pub curpps: i32,
    /// `fr_data`: where the kernel's copy of the data is (or, for a rule
    /// sent to it, was). NULL when the rule has no data.
    pub data: u64,
    pub func: u64,
    pub dsize: i32,
    pub pps: i32,
    pub statemax: i32,
    pub flineno: i32,
    /// `FR_T_*`.
    pub rule_type: u32,
    /// `FR_*`.
    pub flags: u32,
    pub logtag: u32,
    pub collect: u32,
    /// `fr_uuid`: only in the current layout.
    pub uuid: Option<[u8; UUID_LEN]>,
    pub arg: u32,
    pub loglevel: u32,
    pub age: [u32; 2],
    pub v: u8,
    pub icode: u8,
    /// `fr_group`, `fr_grhead`: up to the first NUL.
    pub group: Vec<u8>,
    pub grhead: Vec<u8>,
    /// `fr_nattag`: the 16 bytes of its union, and `ipt_not`.
    pub nattag: [u8; 16],
    pub nattag_not: i32,
    /// `fr_ifnames[4]`: `[0]` is `on`, `[2]` `out-via`.
    pub ifnames: [Vec<u8>; 4],
    pub isctag: Vec<u8>,
    /// `fr_tifs[0]` (`to`), `fr_tifs[1]` (`reply-to`), `fr_dif` (`dup-to`).
    pub tif: FrDest,
    pub rif: FrDest,
    pub dif: FrDest,
    pub cksum: u32,
}

/// A `frentry_t` image in the layout `o` (at least `o.size` bytes).
pub fn frentry(o: &FrentryOffsets, b: &[u8]) -> FrEntry {
    let name = |i: usize| cstr_at(b, o.fr_ifnames + i * LIFNAMSIZ, LIFNAMSIZ);
    FrEntry {
        next: pointer_at(b, o.fr_next),
        comment: pointer_at(b, o.fr_comment),
        refs: i32_at(b, o.fr_ref),
        statecnt: i32_at(b, o.fr_statecnt),
        hits: u64_at(b, o.fr_hits),
        bytes: u64_at(b, o.fr_bytes),
        lastpkt: (i64_at(b, o.fr_lastpkt), i64_at(b, o.fr_lastpkt + 8)),
        curpps: i32_at(b, o.fr_curpps),
        data: pointer_at(b, o.fr_data),
        func: pointer_at(b, o.fr_func),
        dsize: i32_at(b, o.fr_dsize),
        pps: i32_at(b, o.fr_pps),
        statemax: i32_at(b, o.fr_statemax),
        flineno: i32_at(b, o.fr_flineno),
        rule_type: u32_at(b, o.fr_type),
        flags: u32_at(b, o.fr_flags),
        logtag: u32_at(b, o.fr_logtag),
        collect: u32_at(b, o.fr_collect),
        uuid: o.fr_uuid.map(|at| bytes(b, at)),
        arg: u32_at(b, o.fr_arg),
        loglevel: u32_at(b, o.fr_loglevel),
        age: [u32_at(b, o.fr_age), u32_at(b, o.fr_age + 4)],
        v: b[o.fr_v],
        icode: b[o.fr_icode],
        group: cstr_at(b, o.fr_group, FR_GROUPLEN),
        grhead: cstr_at(b, o.fr_grhead, FR_GROUPLEN),
        nattag: bytes(b, o.fr_nattag),
        nattag_not: i32_at(b, o.fr_nattag + off::IPT_NOT),
        ifnames: [name(0), name(1), name(2), name(3)],
        isctag: cstr_at(b, o.fr_isctag, 16),
        tif: frdest(b, o.fr_tifs),
        rif: frdest(b, o.fr_tifs + off::FRDEST_T_SIZE),
        dif: frdest(b, o.fr_dif),
        cksum: u32_at(b, o.fr_cksum),
    }
}

/// The `fr_dsize` data bytes that follow the `frentry_t` in `image` (as
/// the kernel copies a rule out, and as a rule is sent to it), if the
/// image holds them all; `None` if `fr_dsize` is negative or longer than
/// what follows.
pub fn rule_data<'a>(o: &FrentryOffsets, image: &'a [u8]) -> Option<&'a [u8]> {
    if image.len() < o.size {
        return None;
    }
    let dsize = usize::try_from(i32_at(image, o.fr_dsize)).ok()?;
    image.get(o.size..o.size.checked_add(dsize)?)
}

/// A `fr_ip_t` (the matched values, or their mask).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrIp {
    pub v: u8,
    pub tos: u8,
    pub ttl: u8,
    pub p: u8,
    pub optmsk: u32,
    /// As stored: network order (IPv4 in the first 4 bytes), or a pool
    /// number and type for `FRI_LOOKUP` (`iplookupnum`, `iplookuptype`).
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub secmsk: u16,
    pub auth: u16,
    /// `FI_*`.
    pub flx: u32,
    pub tcpmsk: u32,
}

fn fr_ip(b: &[u8], at: usize) -> FrIp {
    let w = u32_at(b, at);
    let field = |f| fi_word::get(w, f) as u8;
    FrIp {
        v: field(fi_word::V),
        tos: field(fi_word::TOS),
        ttl: field(fi_word::TTL),
        p: field(fi_word::P),
        optmsk: u32_at(b, at + off::FI_OPTMSK),
        src: bytes(b, at + off::FI_SRC),
        dst: bytes(b, at + off::FI_DST),
        secmsk: u16_at(b, at + off::FI_SECMSK),
        auth: u16_at(b, at + off::FI_AUTH),
        flx: u32_at(b, at + off::FI_FLX),
        tcpmsk: u32_at(b, at + off::FI_TCPMSK),
    }
}

/// A `frpcmp_t`: `FR_*` comparison and its port(s), as the rule holds
/// them (host order: the kernel compares them with `ntohs` of the packet's
/// ports [derived]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PortCmp {
    pub cmp: i32,
    pub port: u16,
    pub top: u16,
}

fn portcmp(b: &[u8], at: usize) -> PortCmp {
    PortCmp {
        cmp: i32_at(b, at + off::FRP_CMP),
        port: u16_at(b, at + off::FRP_PORT),
        top: u16_at(b, at + off::FRP_TOP),
    }
}

/// A `fripf_t`: the matching part of an `FR_T_IPF` rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrIpf {
    pub ip: FrIp,
    /// The mask of `ip`.
    pub mask: FrIp,
    /// ICMP `type << 8 | code` and its mask (stored in network order).
    pub icmp: u16,
    pub icmpm: u16,
    pub tcpf: u8,
    pub tcpfm: u8,
    pub sport: PortCmp,
    pub dport: PortCmp,
    /// `FRI_*` for the source and the destination.
    pub satype: i32,
    pub datype: i32,
    pub sifpidx: i32,
    pub difpidx: i32,
}

/// A `fripf_t` image (`None` if shorter than one).
pub fn fripf(b: &[u8]) -> Option<FrIpf> {
    if b.len() < FRIPF_T_SIZE {
        return None;
    }
    let tuc = off::FRI_TUC;
    Some(FrIpf {
        ip: fr_ip(b, off::FRI_IP),
        mask: fr_ip(b, off::FRI_MIP),
        icmp: be16_at(b, off::FRI_ICMP),
        icmpm: be16_at(b, off::FRI_ICMPM),
        tcpf: b[tuc + off::FTU_TCPF],
        tcpfm: b[tuc + off::FTU_TCPFM],
        sport: portcmp(b, tuc + off::FTU_SRC),
        dport: portcmp(b, tuc + off::FTU_DST),
        satype: i32_at(b, off::FRI_SATYPE),
        datype: i32_at(b, off::FRI_DATYPE),
        sifpidx: i32_at(b, off::FRI_SIFPIDX),
        difpidx: i32_at(b, off::FRI_DIFPIDX),
    })
}

/// Walk a rule list with `SIOCIPFITER` the way `ipfstat`'s
/// `printlivelist` does: `step` performs one call and returns what the
/// kernel copied (the `frentry_t` in layout `o`, then its `fr_dsize` data
/// bytes, in a larger buffer). Each rule is kept as its `frentry_t` and
/// data (cut to `o.size + fr_dsize`); the walk stops after a rule whose
/// `fr_next` is NULL, or at the all-zero `frentry_t` the kernel returns
/// for an exhausted list, which is not a rule. The first error ends it.
pub fn walk_rules<E>(
    o: &FrentryOffsets,
    mut step: impl FnMut() -> Result<Vec<u8>, E>,
) -> Result<Vec<Vec<u8>>, E> {
    let mut rules = Vec::new();
    loop {
        let mut item = step()?;
        if item.len() < o.size || item[..o.size].iter().all(|&b| b == 0) {
            break;
        }
        let len = o.size + rule_data(o, &item).map_or(0, <[u8]>::len);
        item.truncate(len);
        let more = pointer_at(&item, o.fr_next) != 0;
        rules.push(item);
        if !more {
            break;
        }
    }
    Ok(rules)
}

/// Walk a kernel list with `SIOCGENITER` the way `ipnat` does (and states, on `/dev/ipstate`): `step`
/// performs one call and returns the item it copied out (`size` bytes);
/// the walk stops after an item whose next pointer (at `next_at`) is NULL,
/// or at the all-zero item the kernel returns for an exhausted (or
/// emptied) list, which is not an item. The first error ends it.
pub fn walk<E>(
    size: usize,
    next_at: usize,
    mut step: impl FnMut() -> Result<Vec<u8>, E>,
) -> Result<Vec<Vec<u8>>, E> {
    let mut items = Vec::new();
    loop {
        let mut item = step()?;
        item.truncate(size);
        if item.iter().all(|&b| b == 0) {
            break;
        }
        let more = pointer_at(&item, next_at) != 0;
        items.push(item);
        if !more {
            break;
        }
    }
    Ok(items)
}

// ------------------------------------------------ ips_stat_t and ipstate_t

/// `ips_stat_t` (`SIOCGETFS` on `/dev/ipstate`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpsStat {
    pub hits: u64,
    pub miss: u64,
    pub max: u64,
    pub maxref: u64,
    pub tcp: u64,
    pub udp: u64,
    pub icmp: u64,
    pub nomem: u64,
    pub expire: u64,
    pub fin: u64,
    pub active: u64,
    pub logged: u64,
    pub logfail: u64,
    pub inuse: u64,
    pub wild: u64,
    pub killed: u64,
    pub ticks: u64,
    pub bucketfull: u64,
    pub statesize: i32,
    pub statemax: i32,
    /// Kernel addresses: `iss_table`, `iss_list` (NULL: no states),
    /// `iss_bucketlen`.
    pub table: u64,
    pub list: u64,
    pub bucketlen: u64,
    pub orphans: u32,
}

/// An `ips_stat_t` image.
pub fn ips_stat(b: &[u8]) -> IpsStat {
    let n = |i: usize| u64_at(b, off::ISS_HITS + 8 * i);
    IpsStat {
        hits: n(0),
        miss: n(1),
        max: n(2),
        maxref: n(3),
        tcp: n(4),
        udp: n(5),
        icmp: n(6),
        nomem: n(7),
        expire: n(8),
        fin: n(9),
        active: n(10),
        logged: n(11),
        logfail: n(12),
        inuse: n(13),
        wild: n(14),
        killed: n(15),
        ticks: n(16),
        bucketfull: n(17),
        statesize: i32_at(b, off::ISS_STATESIZE),
        statemax: i32_at(b, off::ISS_STATEMAX),
        table: pointer_at(b, off::ISS_TABLE),
        list: pointer_at(b, off::ISS_LIST),
        bucketlen: pointer_at(b, off::ISS_BUCKETLEN),
        orphans: u32_at(b, off::ISS_ORPHANS),
    }
}

/// A `tcpdata_t` (one direction of a TCP state).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TcpData {
    pub end: u32,
    pub maxend: u32,
    pub maxwin: u32,
    pub winscale: u32,
    pub maxseg: u32,
    pub winflags: i32,
}

fn tcpdata(b: &[u8], at: usize) -> TcpData {
    TcpData {
        end: u32_at(b, at + off::TD_END),
        maxend: u32_at(b, at + off::TD_MAXEND),
        maxwin: u32_at(b, at + off::TD_MAXWIN),
        winscale: u32_at(b, at + off::TD_WINSCALE),
        maxseg: u32_at(b, at + off::TD_MAXSEG),
        winflags: i32_at(b, at + off::TD_WINFLAGS),
    }
}

/// What `printstate` (`ipfstat -sl`) reads of an `ipstate_t`. The
/// protocol union is decoded every way; which reading means something
/// depends on `p`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IpState {
    /// `is_next`: NULL (0) for the last state.
    pub next: u64,
    pub rule: u64,
    pub isc: u64,
    pub pkts: [u64; 4],
    pub bytes: [u64; 4],
    pub icmppkts: [u64; 4],
    /// `is_die`: the tick at which the state expires.
    pub die: u64,
    /// `is_state[2]`: `IPF_TCPS_*` of each side.
    pub state: [i32; 2],
    pub isninc: [i32; 2],
    pub sumd: [u16; 2],
    /// As stored (network order; IPv4 in the first 4 bytes).
    pub src: [u8; 16],
    pub dst: [u8; 16],
    pub pass: u32,
    pub p: u8,
    pub v: u8,
    pub hv: u32,
    pub tag: u32,
    pub opt: [u32; 2],
    pub optmsk: [u32; 2],
    pub sec: u16,
    pub secmsk: u16,
    pub auth: u16,
    pub authmsk: u16,
    /// TCP/UDP ports (`ntohs`'d).
    pub sport: u16,
    pub dport: u16,
    /// TCP: `ts_data[0]`, `ts_data[1]`.
    pub tcp: [TcpData; 2],
    /// ICMP: id and sequence (`ntohs`'d), type.
    pub icmp_id: u16,
    pub icmp_seq: u16,
    pub icmp_type: u8,
    /// GRE: `gs_call[2]`, as stored (`printstate` prints them raw).
    pub gre_call: [u16; 2],
    pub flags: u32,
    pub flx: [[i32; 2]; 2],
    pub rulen: u32,
    pub s0: [u32; 2],
    pub smsk: [u16; 2],
    pub group: Vec<u8>,
    pub sbuf: [Vec<u8>; 2],
    pub ifnames: [Vec<u8>; 4],
}

/// An `ipstate_t` image.
pub fn ipstate(b: &[u8]) -> IpState {
    let u64s = |at: usize| [0, 1, 2, 3].map(|i| u64_at(b, at + 8 * i));
    let pair32 = |at: usize| [u32_at(b, at), u32_at(b, at + 4)];
    let pairi = |at: usize| [i32_at(b, at), i32_at(b, at + 4)];
    let pair16 = |at: usize| [u16_at(b, at), u16_at(b, at + 2)];
    let ps = off::IS_PS;
    IpState {
        next: pointer_at(b, off::IS_NEXT),
        rule: pointer_at(b, off::IS_RULE),
        isc: pointer_at(b, off::IS_ISC),
        pkts: u64s(off::IS_PKTS),
        bytes: u64s(off::IS_BYTES),
        icmppkts: u64s(off::IS_ICMPPKTS),
        die: u64_at(b, off::IS_DIE),
        state: pairi(off::IS_STATE),
        isninc: pairi(off::IS_ISNINC),
        sumd: pair16(off::IS_SUMD),
        src: bytes(b, off::IS_SRC),
        dst: bytes(b, off::IS_DST),
        pass: u32_at(b, off::IS_PASS),
        p: b[off::IS_P],
        v: b[off::IS_V],
        hv: u32_at(b, off::IS_HV),
        tag: u32_at(b, off::IS_TAG),
        opt: pair32(off::IS_OPT),
        optmsk: pair32(off::IS_OPTMSK),
        sec: u16_at(b, off::IS_SEC),
        secmsk: u16_at(b, off::IS_SECMSK),
        auth: u16_at(b, off::IS_AUTH),
        authmsk: u16_at(b, off::IS_AUTHMSK),
        sport: be16_at(b, ps),
        dport: be16_at(b, ps + 2),
        tcp: [
            tcpdata(b, off::IS_TS_DATA),
            tcpdata(b, off::IS_TS_DATA + off::TCPDATA_T_SIZE),
        ],
        icmp_id: be16_at(b, ps),
        icmp_seq: be16_at(b, ps + 2),
        icmp_type: b[ps + off::ICI_TYPE],
        gre_call: pair16(ps),
        flags: u32_at(b, off::IS_FLAGS),
        flx: [pairi(off::IS_FLX), pairi(off::IS_FLX + 8)],
        rulen: u32_at(b, off::IS_RULEN),
        s0: pair32(off::IS_S0),
        smsk: pair16(off::IS_SMSK),
        group: cstr_at(b, off::IS_GROUP, FR_GROUPLEN),
        sbuf: [
            cstr_at(b, off::IS_SBUF, 16),
            cstr_at(b, off::IS_SBUF + 16, 16),
        ],
        ifnames: [0, 1, 2, 3].map(|i| cstr_at(b, off::IS_IFNAME + i * LIFNAMSIZ, LIFNAMSIZ)),
    }
}

#[cfg(test)]
mod tests {
    //! The images are laid out with the reference's literal offsets
    //! (`ipf.md` §3.4), independently of `sys::ipf_abi`.

    use super::*;

    fn put(b: &mut [u8], at: usize, v: &[u8]) {
        b[at..at + v.len()].copy_from_slice(v);
    }

    /// A buffer of `n` bytes with something in every byte, so that a
    /// decoder reading the wrong offsets cannot come out right by accident.
    fn noise(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i % 251) as u8 | 0x80).collect()
    }

    /// `block in log quick on e1000g0 proto tcp from 10.0.0.0/8 to any
    /// port = 22 keep state group 100` with 12 hits and 3456 bytes, as a
    /// kernel of each generation holds it; `shift` is 16 for the current
    /// layout (`fr_uuid` before `fr_arg`) and 0 for the 2014 one.
    fn rule_image(shift: usize, uuid: Option<[u8; 16]>) -> Vec<u8> {
        let mut b = noise(592 + shift);
        put(&mut b, 32, &0_u64.to_le_bytes()); // fr_next: the last
        put(&mut b, 96, &0_u64.to_le_bytes()); // fr_comment
        put(&mut b, 104, &1_i32.to_le_bytes()); // fr_ref
        put(&mut b, 108, &0_i32.to_le_bytes()); // fr_statecnt
        put(&mut b, 112, &12_u64.to_le_bytes()); // fr_hits
        put(&mut b, 120, &3456_u64.to_le_bytes()); // fr_bytes
        put(&mut b, 128, &1_700_000_000_i64.to_le_bytes()); // tv_sec
        put(&mut b, 136, &250_000_i64.to_le_bytes()); // tv_usec
        put(&mut b, 144, &0_i32.to_le_bytes()); // fr_curpps
        put(&mut b, 152, &0xffff_fe00_0000_1000_u64.to_le_bytes()); // fr_data
        put(&mut b, 160, &0_u64.to_le_bytes()); // fr_func
        put(&mut b, 168, &152_i32.to_le_bytes()); // fr_dsize
        put(&mut b, 172, &0_i32.to_le_bytes()); // fr_pps
        put(&mut b, 176, &0_i32.to_le_bytes()); // fr_statemax
        put(&mut b, 180, &7_i32.to_le_bytes()); // fr_flineno
        put(&mut b, 184, &1_u32.to_le_bytes()); // fr_type: FR_T_IPF
        // FR_BLOCK | FR_LOG | FR_QUICK | FR_KEEPSTATE | FR_INQUE
        put(&mut b, 188, &0x8511_u32.to_le_bytes());
        put(&mut b, 192, &0_u32.to_le_bytes()); // fr_logtag
        put(&mut b, 196, &0_u32.to_le_bytes()); // fr_collect
        if let Some(u) = uuid {
            put(&mut b, 200, &u);
        }
        let s = shift;
        put(&mut b, 200 + s, &0_u32.to_le_bytes()); // fr_arg
        put(&mut b, 204 + s, &0x1a_u32.to_le_bytes()); // fr_loglevel
        put(&mut b, 208 + s, &0_u32.to_le_bytes()); // fr_age[0]
        put(&mut b, 212 + s, &0_u32.to_le_bytes()); // fr_age[1]
        b[216 + s] = 4; // fr_v
        b[217 + s] = 0; // fr_icode
        put(&mut b, 218 + s, &[0; 16]);
        put(&mut b, 218 + s, b"100"); // fr_group
        put(&mut b, 234 + s, &[0; 16]); // fr_grhead
        put(&mut b, 252 + s, &[0; 20]); // fr_nattag
        for i in 0..4 {
            put(&mut b, 272 + s + 32 * i, &[0; 32]);
        }
        put(&mut b, 272 + s, b"e1000g0"); // fr_ifnames[0]
        put(&mut b, 272 + s + 64, b"-"); // fr_ifnames[2]
        put(&mut b, 400 + s, &[0; 16]); // fr_isctag
        for at in [416, 472, 528] {
            put(&mut b, at + s, &[0; 56]); // fr_tif, fr_rif, fr_dif
        }
        put(&mut b, 472 + s + 8, &[192, 168, 1, 1]); // fr_rif.fd_ip6
        put(&mut b, 472 + s + 24, b"e1000g1"); // fr_rif.fd_ifname
        put(&mut b, 584 + s, &0x1234_u32.to_le_bytes()); // fr_cksum
        b
    }

    /// The rule's `fripf_t`: proto tcp (mask 0xff), from 10.0.0.0/8,
    /// port = 22, flags S/SA.
    fn fripf_image() -> Vec<u8> {
        let mut b = noise(152);
        // fri_ip word: fi_v 4, fi_tos 0, fi_ttl 0, fi_p 6.
        put(&mut b, 0, &[4, 0, 0, 6]);
        put(&mut b, 4, &0_u32.to_le_bytes()); // fi_optmsk
        put(&mut b, 8, &[10, 0, 0, 0]); // fi_src
        put(&mut b, 12, &[0; 12]);
        put(&mut b, 24, &[0; 16]); // fi_dst
        put(&mut b, 40, &0_u16.to_le_bytes()); // fi_secmsk
        put(&mut b, 42, &0_u16.to_le_bytes()); // fi_auth
        put(&mut b, 44, &0x1_u32.to_le_bytes()); // fi_flx: FI_TCPUDP
        put(&mut b, 48, &0_u32.to_le_bytes()); // fi_tcpmsk
        // fri_mip: fi_v 0xf, fi_p 0xff, source mask /8.
        put(&mut b, 56, &[0xf, 0, 0, 0xff]);
        put(&mut b, 64, &[255, 0, 0, 0]);
        put(&mut b, 68, &[0; 12]);
        put(&mut b, 80, &[0; 16]);
        put(&mut b, 100, &0x1_u32.to_le_bytes()); // mask fi_flx
        put(&mut b, 112, &0_u16.to_be_bytes()); // fri_icmpm
        put(&mut b, 114, &0x0800_u16.to_be_bytes()); // fri_icmp: echo
        b[116] = 0x12; // ftu_tcpfm: SA
        b[117] = 0x02; // ftu_tcpf: S
        put(&mut b, 120, &0_i32.to_le_bytes()); // ftu_src.frp_cmp
        put(&mut b, 124, &[0; 4]);
        put(&mut b, 128, &1_i32.to_le_bytes()); // ftu_dst.frp_cmp: FR_EQUAL
        put(&mut b, 132, &22_u16.to_le_bytes()); // frp_port
        put(&mut b, 134, &0_u16.to_le_bytes()); // frp_top
        put(&mut b, 136, &0_i32.to_le_bytes()); // fri_satype
        put(&mut b, 140, &0_i32.to_le_bytes()); // fri_datype
        put(&mut b, 144, &(-1_i32).to_le_bytes()); // fri_sifpidx
        put(&mut b, 148, &(-1_i32).to_le_bytes()); // fri_difpidx
        b
    }

    #[test]
    fn a_rule_in_each_generation() {
        let uuid = [0xa5; 16];
        for (layout, shift, u) in [
            (FriostatLayout::Current, 16, Some(uuid)),
            (FriostatLayout::Pre2019, 0, None),
        ] {
            let o = layout.frentry();
            let b = rule_image(shift, u);
            assert_eq!(b.len(), o.size);
            let r = frentry(&o, &b);
            assert_eq!(r.next, 0);
            assert_eq!((r.hits, r.bytes), (12, 3456));
            assert_eq!(r.lastpkt, (1_700_000_000, 250_000));
            assert_eq!(r.data, 0xffff_fe00_0000_1000);
            assert_eq!((r.dsize, r.flineno, r.refs), (152, 7, 1));
            assert_eq!(r.rule_type, 1);
            assert_eq!(r.flags, 0x8511);
            assert_eq!(r.uuid, u);
            assert_eq!(r.loglevel, 0x1a);
            assert_eq!((r.v, r.icode), (4, 0));
            assert_eq!(r.group, b"100");
            assert_eq!(r.grhead, b"");
            assert_eq!(r.ifnames[0], b"e1000g0");
            assert_eq!(r.ifnames[2], b"-");
            assert_eq!(r.rif.ifname, b"e1000g1");
            assert_eq!(r.rif.addr[..4], [192, 168, 1, 1]);
            assert_eq!(r.tif, FrDest::default());
            assert_eq!(r.cksum, 0x1234);
        }
    }

    #[test]
    fn a_rule_read_in_the_other_layout_is_wrong() {
        let cur = FriostatLayout::Current.frentry();
        let old = FriostatLayout::Pre2019.frentry();
        let b = rule_image(16, Some([0xa5; 16]));
        assert_ne!(frentry(&old, &b).group, b"100");
        let b = rule_image(0, None);
        assert_ne!(frentry(&cur, &[b, vec![0; 16]].concat()).group, b"100");
    }

    #[test]
    fn the_ipf_part_of_a_rule() {
        let f = fripf(&fripf_image()).unwrap();
        assert_eq!((f.ip.v, f.ip.tos, f.ip.ttl, f.ip.p), (4, 0, 0, 6));
        assert_eq!((f.mask.v, f.mask.p), (0xf, 0xff));
        assert_eq!(f.ip.src[..4], [10, 0, 0, 0]);
        assert_eq!(f.mask.src[..4], [255, 0, 0, 0]);
        assert_eq!((f.ip.flx, f.mask.flx), (1, 1));
        assert_eq!((f.icmp, f.icmpm), (0x0800, 0));
        assert_eq!((f.tcpf, f.tcpfm), (0x02, 0x12));
        assert_eq!(f.sport, PortCmp::default());
        assert_eq!(
            f.dport,
            PortCmp {
                cmp: 1,
                port: 22,
                top: 0
            }
        );
        assert_eq!((f.satype, f.datype), (0, 0));
        assert_eq!((f.sifpidx, f.difpidx), (-1, -1));
        assert_eq!(fripf(&[0; 151]), None);
    }

    #[test]
    fn the_data_after_a_rule() {
        for layout in FriostatLayout::ALL {
            let o = layout.frentry();
            let shift = o.size - 592;
            let rule = rule_image(shift, None);
            let data = fripf_image();
            let image = [rule.clone(), data.clone(), vec![0xff; 100]].concat();
            assert_eq!(rule_data(&o, &image), Some(&data[..]));
            // Too short, or a negative size.
            assert_eq!(rule_data(&o, &image[..o.size + 151]), None);
            let mut bad = image.clone();
            put(&mut bad, 168, &(-1_i32).to_le_bytes());
            assert_eq!(rule_data(&o, &bad), None);
            assert_eq!(rule_data(&o, &rule[..100]), None);
            // No data.
            let mut none = rule.clone();
            put(&mut none, 168, &0_i32.to_le_bytes());
            assert_eq!(rule_data(&o, &none), Some(&[][..]));
        }
    }

    /// A rule list behind `SIOCIPFITER`: one rule (and its data) per call,
    /// copied into an 8000-byte buffer `ipfstat` fills with 0xff, then
    /// (after the last) an all-zero `frentry_t`.
    struct FakeRules {
        rules: Vec<Vec<u8>>,
        size: usize,
        calls: usize,
        fail_at: Option<usize>,
    }

    impl FakeRules {
        fn new(n: usize, layout: FriostatLayout) -> FakeRules {
            let size = layout.frentry().size;
            let rules = (0..n)
                .map(|i| {
                    let mut r = rule_image(size - 592, None);
                    let next = if i + 1 < n {
                        0x1000 * (i as u64 + 2)
                    } else {
                        0
                    };
                    put(&mut r, 32, &next.to_le_bytes());
                    put(&mut r, 112, &(i as u64).to_le_bytes()); // fr_hits
                    [r, fripf_image()].concat()
                })
                .collect();
            FakeRules {
                rules,
                size,
                calls: 0,
                fail_at: None,
            }
        }

        fn step(&mut self) -> Result<Vec<u8>, i32> {
            let i = self.calls;
            self.calls += 1;
            if self.fail_at == Some(i) {
                return Err(5);
            }
            let mut buf = vec![0xff; 8000];
            match self.rules.get(i) {
                Some(r) => buf[..r.len()].copy_from_slice(r),
                None => buf[..self.size].fill(0),
            }
            Ok(buf)
        }
    }

    #[test]
    fn walking_a_rule_list() {
        for layout in FriostatLayout::ALL {
            let o = layout.frentry();
            let mut k = FakeRules::new(3, layout);
            let got = walk_rules(&o, || k.step()).unwrap();
            assert_eq!(got, k.rules);
            assert_eq!(k.calls, 3);
            let hits: Vec<u64> = got.iter().map(|r| frentry(&o, r).hits).collect();
            assert_eq!(hits, [0, 1, 2]);
            assert!(
                got.iter()
                    .all(|r| fripf(rule_data(&o, r).unwrap()).is_some())
            );
        }
    }

    #[test]
    fn an_exhausted_rule_list_ends_at_the_zero_rule() {
        let o = FriostatLayout::Current.frentry();
        let mut k = FakeRules::new(0, FriostatLayout::Current);
        assert!(walk_rules(&o, || k.step()).unwrap().is_empty());
        let mut k = FakeRules::new(3, FriostatLayout::Current);
        k.rules.truncate(2);
        assert_eq!(walk_rules(&o, || k.step()).unwrap().len(), 2);
        assert_eq!(k.calls, 3);
        let mut k = FakeRules::new(3, FriostatLayout::Current);
        k.fail_at = Some(1);
        assert_eq!(walk_rules(&o, || k.step()), Err(5));
    }

    #[test]
    fn the_filter_statistics_in_each_layout() {
        for (layout, size, froute, running, version) in [
            (FriostatLayout::Current, 824, 696, 776, 788),
            (FriostatLayout::Pre2019, 808, 680, 760, 772),
        ] {
            let mut b = noise(size);
            for i in 0..52 {
                // f_st[0] counters 1..=26, f_st[1] 101..=126.
                let v = if i < 26 { i + 1 } else { i - 26 + 101 };
                put(&mut b, 8 * i as usize, &(v as u64).to_le_bytes());
            }
            for i in 0..16 {
                put(&mut b, 416 + 8 * i, &(0x1000 * i as u64).to_le_bytes());
            }
            put(&mut b, 544, &0_u64.to_le_bytes()); // f_auth
            put(&mut b, froute, &5_u64.to_le_bytes());
            put(&mut b, froute + 8, &6_u64.to_le_bytes());
            put(&mut b, froute + 16, &777_u64.to_le_bytes()); // f_ticks
            put(&mut b, running - 8, &2_i32.to_le_bytes()); // f_defpass
            put(&mut b, running - 4, &1_i32.to_le_bytes()); // f_active
            put(&mut b, running, &1_i32.to_le_bytes());
            put(&mut b, running + 4, &1_i32.to_le_bytes()); // f_logging
            put(&mut b, running + 8, &0x1a2_i32.to_le_bytes()); // f_features
            put(&mut b, version, &[0; 32]);
            put(&mut b, version, b"IP Filter: v4.1.9");
            let s = ipf_stats(layout, &b);
            assert_eq!((s.st[0].pass, s.st[0].block, s.st[0].nom), (1, 2, 3));
            assert_eq!(s.st[0].pull, [19, 20]);
            assert_eq!(s.st[0].ipud, 26);
            assert_eq!((s.st[1].pass, s.st[1].ipud), (101, 126));
            assert_eq!(s.ipf, [[0, 0x1000], [0x2000, 0x3000]]);
            assert_eq!(s.acct6, [[0xc000, 0xd000], [0xe000, 0xf000]]);
            assert_eq!(s.auth, 0);
            assert_eq!((s.froute, s.ticks), ([5, 6], 777));
            assert_eq!(s.locks.len(), if size == 824 { 8 } else { 7 });
            assert_eq!((s.defpass, s.active, s.running), (2, 1, 1));
            assert_eq!((s.logging, s.features), (1, 0x1a2));
            assert_eq!(s.version, b"IP Filter: v4.1.9");
            let fs = friostat(layout, &b);
            assert_eq!((fs.running, check_version(&fs)), (1, Ok(())));
        }
    }

    #[test]
    fn the_generation_is_found_and_remembered() {
        let memory = LayoutMemory::new();
        let mut calls = Vec::new();
        let got = get_friostat_bytes(&memory, |l| {
            calls.push(l.size());
            if l.size() == 808 {
                Ok(vec![0; 808])
            } else {
                Err(libc::EINVAL)
            }
        });
        assert_eq!(
            got.map(|(l, b)| (l, b.len())),
            Ok((FriostatLayout::Pre2019, 808))
        );
        assert_eq!(calls, [824, 808]);
        assert_eq!(memory.get(), Some(FriostatLayout::Pre2019));
        assert_eq!(memory.get().unwrap().frentry().size, 592);
        assert_eq!(
            get_friostat(&LayoutMemory::new(), |_| Err(libc::EINVAL)),
            Err(FriostatError::UnknownLayout(vec![824, 808]))
        );
        assert_eq!(
            get_friostat(&LayoutMemory::new(), |_| Err(libc::EIO)),
            Err(FriostatError::Ioctl(libc::EIO))
        );
    }

    #[test]
    fn state_statistics() {
        let mut b = noise(184);
        for i in 0..18 {
            put(&mut b, 8 * i, &(i as u64 + 1).to_le_bytes());
        }
        put(&mut b, 144, &5737_i32.to_le_bytes());
        put(&mut b, 148, &50000_i32.to_le_bytes());
        put(&mut b, 152, &0xaaaa_u64.to_le_bytes());
        put(&mut b, 160, &0_u64.to_le_bytes());
        put(&mut b, 168, &0xbbbb_u64.to_le_bytes());
        put(&mut b, 176, &3_u32.to_le_bytes());
        let s = ips_stat(&b);
        assert_eq!((s.hits, s.miss, s.tcp, s.active), (1, 2, 5, 11));
        assert_eq!((s.inuse, s.ticks, s.bucketfull), (14, 17, 18));
        assert_eq!((s.statesize, s.statemax), (5737, 50000));
        assert_eq!((s.table, s.list, s.bucketlen), (0xaaaa, 0, 0xbbbb));
        assert_eq!(s.orphans, 3);
    }

    #[test]
    fn a_tcp_state() {
        let mut b = noise(680);
        put(&mut b, 32, &0_u64.to_le_bytes()); // is_next
        put(&mut b, 128, &0x7000_u64.to_le_bytes()); // is_rule
        put(&mut b, 152, &0_u64.to_le_bytes()); // is_isc
        for i in 0..4 {
            put(&mut b, 160 + 8 * i, &(10 + i as u64).to_le_bytes()); // is_pkts
            put(&mut b, 192 + 8 * i, &(1000 + i as u64).to_le_bytes()); // is_bytes
        }
        put(&mut b, 288, &86_400_u64.to_le_bytes()); // is_die
        put(&mut b, 308, &4_i32.to_le_bytes()); // is_state[0]
        put(&mut b, 312, &4_i32.to_le_bytes()); // is_state[1]
        put(&mut b, 344, &[192, 168, 0, 10]); // is_src
        put(&mut b, 360, &[192, 168, 0, 1]); // is_dst
        put(&mut b, 376, &0x8402_u32.to_le_bytes()); // is_pass
        b[380] = 6; // is_p
        b[381] = 4; // is_v
        put(&mut b, 384, &1234_u32.to_le_bytes()); // is_hv
        put(&mut b, 388, &0_u32.to_le_bytes()); // is_tag
        put(&mut b, 416, &40000_u16.to_be_bytes()); // is_sport
        put(&mut b, 418, &22_u16.to_be_bytes()); // is_dport
        put(&mut b, 420, &0x1111_u32.to_le_bytes()); // ts_data[0].td_end
        put(&mut b, 428, &65535_u32.to_le_bytes()); // ts_data[0].td_maxwin
        put(&mut b, 432, &7_u32.to_le_bytes()); // ts_data[0].td_winscale
        put(&mut b, 444, &0x2222_u32.to_le_bytes()); // ts_data[1].td_end
        put(&mut b, 468, &0x1_0000_u32.to_le_bytes()); // is_flags
        put(&mut b, 488, &3_u32.to_le_bytes()); // is_rulen
        put(&mut b, 500, &0xff_u16.to_le_bytes()); // is_smsk[0]
        put(&mut b, 504, &[0; 16]);
        put(&mut b, 504, b"100"); // is_group
        for i in 0..4 {
            put(&mut b, 552 + 32 * i, &[0; 32]);
        }
        put(&mut b, 552, b"e1000g0"); // is_ifname[0]
        let s = ipstate(&b);
        assert_eq!((s.next, s.rule, s.isc), (0, 0x7000, 0));
        assert_eq!(s.pkts, [10, 11, 12, 13]);
        assert_eq!(s.bytes, [1000, 1001, 1002, 1003]);
        assert_eq!((s.die, s.state), (86_400, [4, 4]));
        assert_eq!(s.src[..4], [192, 168, 0, 10]);
        assert_eq!(s.dst[..4], [192, 168, 0, 1]);
        assert_eq!((s.pass, s.p, s.v, s.hv), (0x8402, 6, 4, 1234));
        assert_eq!((s.sport, s.dport), (40000, 22));
        assert_eq!(
            (s.tcp[0].end, s.tcp[0].maxwin, s.tcp[0].winscale),
            (0x1111, 65535, 7)
        );
        assert_eq!(s.tcp[1].end, 0x2222);
        assert_eq!((s.flags, s.rulen, s.smsk[0]), (0x1_0000, 3, 0xff));
        assert_eq!(s.group, b"100");
        assert_eq!(s.ifnames[0], b"e1000g0");
        assert_eq!(s.ifnames[1], b"");
    }

    #[test]
    fn an_icmp_state() {
        let mut b = vec![0; 680];
        put(&mut b, 416, &0x1234_u16.to_be_bytes()); // ici_id
        put(&mut b, 418, &7_u16.to_be_bytes()); // ici_seq
        b[420] = 8; // ici_type
        b[380] = 1;
        let s = ipstate(&b);
        assert_eq!((s.icmp_id, s.icmp_seq, s.icmp_type), (0x1234, 7, 8));
    }
}
