//! The IP Filter 4.1.9 packet-filter interface of illumos as `ipf` and
//! `ipfstat` see it through `/dev/ipf`, `/dev/ipstate` and `/dev/ipauth`:
//! ioctl numbers, flag values and the structures the kernel copies in and
//! out, as `#[repr(C)]` declarations of the amd64 (LP64) layout, with every
//! size and offset asserted at compile time (values: reference `ipf.md`
//! §3).
//!
//! Sources, all `illumos/illumos-gate` paths under
//! `usr/src/uts/common/inet/ipf/netinet/`:
//! * `ip_fil.h` — current layout (with `fr_uuid`, `IPL_LOGEV`): the
//!   "Copyright 2019, Joyent" version, `c0834af5` in the reference, read
//!   here in `docterling/illumos-joyent` @ `20f81182`; the 2014 layout:
//!   `illumos/illumos-gate` @ `1675e943` (read in `tsoome/illumos-gate` @
//!   `55db0f64`, the same text).
//! * `ip_state.h` @ `231bdc74` (`ipstate_t`, `ips_stat_t`, `SIOCDELST`).
//! * `usr/src/cmd/ipf/tools/ipfstat.c` @ `1675e943` (`printlivelist`:
//!   `SIOCIPFITER` with an `ipfruleiter_t`, `iri_ver` = `AF_INET`/
//!   `AF_INET6`, a `u_long[1000]` buffer), `ipf.c` (`zerostats`:
//!   `SIOCFRZST` on `&fiop`).
//! * `usr/src/uts/common/inet/ipf/fil.c` @ `062d22f0` (`ipf_getnextrule`:
//!   the checks on `ipfruleiter_t`, the rule then `fr_dsize` data bytes
//!   copied out, a zeroed `frentry_t` at the end of the list);
//!   `ip_state.c` (`fr_stateiter`: `SIOCGENITER` over `ips_list`, one
//!   `ipstate_t` per item, a zeroed one at the end).
//!
//! What `ipnat` shares with `ipf` (`ipfobj_t`, `ipfgeniter_t`, `i6addr_t`,
//! `frtuc_t`, `ipftag_t`, `ipfmutex_t`, `ipftqent_t`, the TCP/UDP/ICMP/GRE
//! state unions, `filterstats_t`, `friostat_t` in both its layouts, the
//! version) is declared once, in `sys::ipnat_abi`, and re-exported here.
//!
//! Plain data, compiled on illumos and for the tests everywhere; only
//! `sys::illumos::ipf` hands anything to the kernel.

// Nothing calls this yet on illumos: the ipf/ipfstat personalities and
// their illumos backend (issue 13) are written separately and will. Until
// then the tests are its only users.
#![allow(
    dead_code,
    reason = "the ipf/ipfstat backend (issue 13) is not wired yet"
)]

use super::ipnat_abi::{ior, iow, iowr};
use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use std::mem::{align_of, offset_of, size_of};

#[allow(unused_imports, reason = "re-exported for the ipf backend (issue 13)")]
pub use super::ipnat_abi::{
    FLUSH_LIST, FLUSH_TABLE_ALL, FilterStats, FrIoStat, FrIoStatPre2019, FrIoStatT, FrPcmp, FrTuc,
    FriostatLayout, GreInfo, I6AddrT, IPFILTER_VERSION, IPFOBJ_GENITER, IPFOBJ_IPFSTAT, IPFTAG_LEN,
    IPL_LOGMAX, IPL_LOGMAX_PRE2019, IPL_LOGSIZE, IPL_LOGSIZE_PRE2019, IPL_VERSION, IcmpInfo,
    IpfGenIter, IpfMutex, IpfObj, IpfTag, IpfTqEnt, LIFNAMSIZ, NatUn, SIOCGENITER, SIOCGETFS,
    SIOCIPFDELTOK, SIOCIPFFL, TcpData, TcpInfo, UdpInfo,
};

// ------------------------------------------------------------------ ioctls

const OBJ: usize = size_of::<IpfObj>();
const INT: usize = size_of::<c_int>();

pub const SIOCADAFR: c_int = iow(60, OBJ);
pub const SIOCRMAFR: c_int = iow(61, OBJ);
pub const SIOCSETFF: c_int = iow(62, INT);
pub const SIOCGETFF: c_int = ior(63, INT);
pub const SIOCIPFFB: c_int = ior(66, INT);
pub const SIOCADIFR: c_int = iow(67, OBJ);
pub const SIOCRMIFR: c_int = iow(68, OBJ);
pub const SIOCSWAPA: c_int = ior(69, INT);
pub const SIOCINAFR: c_int = iow(70, OBJ);
pub const SIOCINIFR: c_int = iow(71, OBJ);
pub const SIOCFRENB: c_int = iow(72, INT);
pub const SIOCFRSYN: c_int = iow(73, INT);
/// Declared with an `ipfobj_t`, but the argument is really a pointer to a
/// user pointer to a `friostat_t` (`fr_zerostats` uses `copyoutptr`).
pub const SIOCFRZST: c_int = iowr(74, OBJ);
pub const SIOCZRLST: c_int = iowr(75, OBJ);
pub const SIOCATHST: c_int = iowr(78, OBJ);
pub const SIOCGFRST: c_int = iowr(83, OBJ);
pub const SIOCSETLG: c_int = iowr(84, INT);
pub const SIOCGETLG: c_int = iowr(85, INT);
pub const SIOCIPFGETNEXT: c_int = iowr(87, OBJ);
pub const SIOCIPFGET: c_int = iowr(88, OBJ);
pub const SIOCIPFSET: c_int = iowr(89, OBJ);
pub const SIOCIPFL6: c_int = iowr(90, INT);
pub const SIOCIPFLP: c_int = iowr(91, INT);
pub const SIOCIPFITER: c_int = iowr(92, OBJ);
/// `ip_state.h`: the same number as `SIOCRMAFR`; the device decides.
pub const SIOCDELST: c_int = iow(61, OBJ);

// The reference's literal values (§3.2).
const _: () = assert!(SIOCADAFR as u32 == 0x8038_723c);
const _: () = assert!(SIOCRMAFR as u32 == 0x8038_723d);
const _: () = assert!(SIOCSETFF as u32 == 0x8004_723e);
const _: () = assert!(SIOCGETFF as u32 == 0x4004_723f);
const _: () = assert!(SIOCGETFS as u32 == 0xc038_7240);
const _: () = assert!(SIOCIPFFL as u32 == 0xc004_7241);
const _: () = assert!(SIOCIPFFB as u32 == 0x4004_7242);
const _: () = assert!(SIOCADIFR as u32 == 0x8038_7243);
const _: () = assert!(SIOCRMIFR as u32 == 0x8038_7244);
const _: () = assert!(SIOCSWAPA as u32 == 0x4004_7245);
const _: () = assert!(SIOCINAFR as u32 == 0x8038_7246);
const _: () = assert!(SIOCINIFR as u32 == 0x8038_7247);
const _: () = assert!(SIOCFRENB as u32 == 0x8004_7248);
const _: () = assert!(SIOCFRSYN as u32 == 0x8004_7249);
const _: () = assert!(SIOCFRZST as u32 == 0xc038_724a);
const _: () = assert!(SIOCZRLST as u32 == 0xc038_724b);
const _: () = assert!(SIOCATHST as u32 == 0xc038_724e);
const _: () = assert!(SIOCGFRST as u32 == 0xc038_7253);
const _: () = assert!(SIOCSETLG as u32 == 0xc004_7254);
const _: () = assert!(SIOCIPFLP as u32 == 0xc004_725b);
const _: () = assert!(SIOCGETLG as u32 == 0xc004_7255);
const _: () = assert!(SIOCIPFGETNEXT as u32 == 0xc038_7257);
const _: () = assert!(SIOCIPFGET as u32 == 0xc038_7258);
const _: () = assert!(SIOCIPFSET as u32 == 0xc038_7259);
const _: () = assert!(SIOCIPFL6 as u32 == 0xc004_725a);
const _: () = assert!(SIOCIPFITER as u32 == 0xc038_725c);
const _: () = assert!(SIOCGENITER as u32 == 0xc038_725d);
const _: () = assert!(SIOCIPFDELTOK as u32 == 0xc004_725f);
const _: () = assert!(SIOCDELST as u32 == 0x8038_723d);

// ---------------------------------------------------------------- constants

// ipfo_type values (ip_fil.h).
pub const IPFOBJ_FRENTRY: c_int = 0;
pub const IPFOBJ_IPFINFO: c_int = 2;
pub const IPFOBJ_AUTHSTAT: c_int = 3;
pub const IPFOBJ_FRAGSTAT: c_int = 4;
pub const IPFOBJ_IPNAT: c_int = 5;
pub const IPFOBJ_NATSTAT: c_int = 6;
pub const IPFOBJ_STATESAVE: c_int = 7;
pub const IPFOBJ_NATSAVE: c_int = 8;
pub const IPFOBJ_NATLOOKUP: c_int = 9;
pub const IPFOBJ_IPSTATE: c_int = 10;
pub const IPFOBJ_STATESTAT: c_int = 11;
pub const IPFOBJ_FRAUTH: c_int = 12;
pub const IPFOBJ_TUNEABLE: c_int = 13;
pub const IPFOBJ_NAT: c_int = 14;
pub const IPFOBJ_IPFITER: c_int = 15;
pub const IPFOBJ_GTABLE: c_int = 17;
pub const IPFOBJ_LOOKUPITER: c_int = 18;
pub const IPFOBJ_COUNT: c_int = 19;
const _: () = assert!(IPFOBJ_IPFSTAT == 1 && IPFOBJ_GENITER == 16);

// igi_type values; IPFGENITER_IPF is also what SIOCIPFDELTOK takes to drop
// the rule iterator's token.
pub const IPFGENITER_IPF: c_int = 0;
pub const IPFGENITER_FRAG: c_int = 3;
pub const IPFGENITER_AUTH: c_int = 4;
pub const IPFGENITER_STATE: c_int = 5;

// SIOCIPFFL arguments beyond ipnat's (state table: 1..=3 only).
pub const FLUSH_TABLE_CLOSING: c_int = 2;
pub const FLUSH_TABLE_EXTRA: c_int = 3;

// Minor devices (`IPL_LOG*`); IPL_LOGEV exists since 2019, and IPL_LOGCOUNT
// (an internal unit for accounting groups) moved from 7 to 8 with it.
pub const IPL_LOGIPF: c_int = 0;
pub const IPL_LOGNAT: c_int = 1;
pub const IPL_LOGSTATE: c_int = 2;
pub const IPL_LOGAUTH: c_int = 3;

/// `FR_GROUPLEN` (`ip_compat.h`).
pub const FR_GROUPLEN: usize = 16;

// iri_inout values.
pub const F_IN: c_int = 0;
pub const F_OUT: c_int = 1;
pub const F_ACIN: c_int = 2;
pub const F_ACOUT: c_int = 3;

/// `AF_INET`, `AF_INET6` of illumos (`sys/socket.h`): what `iri_ver`
/// takes. Not `libc`'s, which are the build host's (Linux: 10 for IPv6).
pub const IPF_AF_INET: c_int = 2;
pub const IPF_AF_INET6: c_int = 26;

// fr_type.
pub const FR_T_NONE: u32 = 0;
pub const FR_T_IPF: u32 = 1;
pub const FR_T_BPFOPC: u32 = 2;
pub const FR_T_CALLFUNC: u32 = 3;
pub const FR_T_COMPIPF: u32 = 4;
pub const FR_T_BUILTIN: u32 = 0x8000_0000;

// fr_flags.
pub const FR_CALL: u32 = 0x0;
pub const FR_BLOCK: u32 = 0x1;
pub const FR_PASS: u32 = 0x2;
pub const FR_AUTH: u32 = 0x3;
pub const FR_PREAUTH: u32 = 0x4;
pub const FR_ACCOUNT: u32 = 0x5;
pub const FR_SKIP: u32 = 0x6;
pub const FR_DIVERT: u32 = 0x7;
pub const FR_CMDMASK: u32 = 0xf;
pub const FR_LOG: u32 = 0x10;
pub const FR_LOGB: u32 = 0x11;
pub const FR_LOGP: u32 = 0x12;
pub const FR_LOGMASK: u32 = FR_LOG | FR_CMDMASK;
pub const FR_CALLNOW: u32 = 0x20;
pub const FR_NOTSRCIP: u32 = 0x40;
pub const FR_NOTDSTIP: u32 = 0x80;
pub const FR_QUICK: u32 = 0x100;
pub const FR_KEEPFRAG: u32 = 0x200;
pub const FR_KEEPSTATE: u32 = 0x400;
pub const FR_FASTROUTE: u32 = 0x800;
pub const FR_RETRST: u32 = 0x1000;
pub const FR_RETICMP: u32 = 0x2000;
pub const FR_FAKEICMP: u32 = 0x3000;
pub const FR_OUTQUE: u32 = 0x4000;
pub const FR_INQUE: u32 = 0x8000;
pub const FR_LOGBODY: u32 = 0x1_0000;
pub const FR_LOGFIRST: u32 = 0x2_0000;
pub const FR_LOGORBLOCK: u32 = 0x4_0000;
pub const FR_DUP: u32 = 0x8_0000;
pub const FR_FRSTRICT: u32 = 0x10_0000;
pub const FR_STSTRICT: u32 = 0x20_0000;
pub const FR_NEWISN: u32 = 0x40_0000;
pub const FR_NOICMPERR: u32 = 0x80_0000;
pub const FR_STATESYNC: u32 = 0x100_0000;
/// 2019 and later only (cloud-firewall logging).
pub const FR_CFWLOG: u32 = 0x200_0000;
pub const FR_NOMATCH: u32 = 0x800_0000;
/// Set by the kernel on every rule loaded from user space.
pub const FR_COPIED: u32 = 0x4000_0000;
/// In `SIOCIPFFL`'s argument only: the inactive set.
pub const FR_INACTIVE: u32 = 0x8000_0000;
pub const FR_RETMASK: u32 = FR_RETICMP | FR_RETRST | FR_FAKEICMP;
pub const FR_INOUT: u32 = FR_INQUE | FR_OUTQUE;

// Global flags (SIOCGETFF/SIOCSETFF).
pub const FF_LOGPASS: u32 = 0x1000_0000;
pub const FF_LOGBLOCK: u32 = 0x2000_0000;
pub const FF_LOGNOMATCH: u32 = 0x4000_0000;
pub const FF_LOGGING: u32 = FF_LOGPASS | FF_LOGBLOCK | FF_LOGNOMATCH;
pub const FF_BLOCKNONIP: u32 = 0x8000_0000;

// fi_flx.
pub const FI_TCPUDP: u32 = 0x1;
pub const FI_OPTIONS: u32 = 0x2;
pub const FI_FRAG: u32 = 0x4;
pub const FI_SHORT: u32 = 0x8;
pub const FI_NATED: u32 = 0x10;
pub const FI_MULTICAST: u32 = 0x20;
pub const FI_BROADCAST: u32 = 0x40;
pub const FI_MBCAST: u32 = 0x80;
pub const FI_STATE: u32 = 0x100;
pub const FI_BADNAT: u32 = 0x200;
pub const FI_BAD: u32 = 0x400;
pub const FI_OOW: u32 = 0x800;
pub const FI_ICMPERR: u32 = 0x1000;
pub const FI_FRAGBODY: u32 = 0x2000;
pub const FI_BADSRC: u32 = 0x4000;
pub const FI_LOWTTL: u32 = 0x8000;
pub const FI_CMP: u32 = 0xcf03;
pub const FI_ICMPCMP: u32 = 0x3;
pub const FI_WITH: u32 = 0xeffe;

// Port comparisons (frp_cmp).
pub const FR_NONE: c_int = 0;
pub const FR_EQUAL: c_int = 1;
pub const FR_NEQUAL: c_int = 2;
pub const FR_LESST: c_int = 3;
pub const FR_GREATERT: c_int = 4;
pub const FR_LESSTE: c_int = 5;
pub const FR_GREATERTE: c_int = 6;
pub const FR_OUTRANGE: c_int = 7;
pub const FR_INRANGE: c_int = 8;
pub const FR_INCRANGE: c_int = 9;
pub const FR_TCPFMAX: u8 = 0x3f;

// fri_satype / fri_datype.
pub const FRI_NORMAL: c_int = 0;
pub const FRI_DYNAMIC: c_int = 1;
pub const FRI_LOOKUP: c_int = 2;
pub const FRI_RANGE: c_int = 3;
pub const FRI_NETWORK: c_int = 4;
pub const FRI_BROADCAST: c_int = 5;
pub const FRI_PEERADDR: c_int = 6;
pub const FRI_NETMASKED: c_int = 7;

// f_features.
pub const IPF_FEAT_LKM: c_int = 0x1;
pub const IPF_FEAT_LOG: c_int = 0x2;
pub const IPF_FEAT_LOOKUP: c_int = 0x4;
pub const IPF_FEAT_BPF: c_int = 0x8;
pub const IPF_FEAT_COMPILED: c_int = 0x10;
pub const IPF_FEAT_CKSUM: c_int = 0x20;
pub const IPF_FEAT_SYNC: c_int = 0x40;
pub const IPF_FEAT_SCAN: c_int = 0x80;
pub const IPF_FEAT_IPV6: c_int = 0x100;

// is_flags (ip_state.h).
pub const IS_TCPFSM: u32 = 0x1_0000;
pub const IS_STRICT: u32 = 0x2_0000;
pub const IS_ISNSYN: u32 = 0x4_0000;
pub const IS_ISNACK: u32 = 0x8_0000;
pub const IS_STATESYNC: u32 = 0x10_0000;

// ------------------------------------------------------------- structures

/// `fr_ip_t`: what a rule matches of the IP header (also its mask).
#[repr(C)]
pub struct FrIp {
    /// The bit-fields `fi_v:4, fi_xx:4, fi_tos:8, fi_ttl:8, fi_p:8` of one
    /// `u_32_t`, allocated from the least significant bit (amd64): byte 0
    /// holds `fi_v` in its low nibble, byte 1 `fi_tos`, byte 2 `fi_ttl`,
    /// byte 3 `fi_p`. See [`fi_word`].
    pub fi_vtp: u32,
    pub fi_optmsk: u32,
    pub fi_src: I6AddrT,
    pub fi_dst: I6AddrT,
    pub fi_secmsk: u16,
    pub fi_auth: u16,
    pub fi_flx: u32,
    pub fi_tcpmsk: u32,
    pub fi_res1: u32,
}

const _: () = assert!(size_of::<FrIp>() == 56);
const _: () = assert!(align_of::<FrIp>() == 8);
const _: () = assert!(offset_of!(FrIp, fi_optmsk) == 4);
const _: () = assert!(offset_of!(FrIp, fi_src) == 8);
const _: () = assert!(offset_of!(FrIp, fi_dst) == 24);
const _: () = assert!(offset_of!(FrIp, fi_secmsk) == 40);
const _: () = assert!(offset_of!(FrIp, fi_auth) == 42);
const _: () = assert!(offset_of!(FrIp, fi_flx) == 44);
const _: () = assert!(offset_of!(FrIp, fi_tcpmsk) == 48);
const _: () = assert!(offset_of!(FrIp, fi_res1) == 52);

/// The bit positions of `fr_ip_t`'s first word (shift, width).
pub mod fi_word {
    pub const V: (u32, u32) = (0, 4);
    pub const XX: (u32, u32) = (4, 4);
    pub const TOS: (u32, u32) = (8, 8);
    pub const TTL: (u32, u32) = (16, 8);
    pub const P: (u32, u32) = (24, 8);

    /// The field `(shift, width)` of `word`.
    pub const fn get(word: u32, (shift, width): (u32, u32)) -> u32 {
        (word >> shift) & ((1 << width) - 1)
    }
}

/// `fripf_t`: the IP Filter part of a rule (`fr_data` of an `FR_T_IPF`
/// rule, `fr_dsize` bytes, copied in and out after the `frentry_t`).
#[repr(C)]
pub struct FrIpf {
    pub fri_ip: FrIp,
    /// The mask of `fri_ip`.
    pub fri_mip: FrIp,
    /// ICMP type and code, network order (type in the high byte).
    pub fri_icmpm: u16,
    pub fri_icmp: u16,
    pub fri_tuc: FrTuc,
    /// `FRI_*`.
    pub fri_satype: c_int,
    pub fri_datype: c_int,
    pub fri_sifpidx: c_int,
    pub fri_difpidx: c_int,
}

const _: () = assert!(size_of::<FrIpf>() == 152);
const _: () = assert!(offset_of!(FrIpf, fri_ip) == 0);
const _: () = assert!(offset_of!(FrIpf, fri_mip) == 56);
const _: () = assert!(offset_of!(FrIpf, fri_icmpm) == 112);
const _: () = assert!(offset_of!(FrIpf, fri_icmp) == 114);
const _: () = assert!(offset_of!(FrIpf, fri_tuc) == 116);
const _: () = assert!(offset_of!(FrIpf, fri_satype) == 136);
const _: () = assert!(offset_of!(FrIpf, fri_datype) == 140);
const _: () = assert!(offset_of!(FrIpf, fri_sifpidx) == 144);
const _: () = assert!(offset_of!(FrIpf, fri_difpidx) == 148);
// frtuc_t and frpcmp_t, declared in ipnat_abi.
const _: () = assert!(size_of::<FrPcmp>() == 8);
const _: () = assert!(offset_of!(FrPcmp, frp_port) == 4);
const _: () = assert!(offset_of!(FrPcmp, frp_top) == 6);
const _: () = assert!(offset_of!(FrTuc, ftu_tcpf) == 1);

/// `frdest_t`: a `to`/`reply-to`/`dup-to` target.
#[repr(C)]
pub struct FrDest {
    pub fd_ifp: *mut c_void,
    pub fd_ip6: I6AddrT,
    pub fd_ifname: [c_char; LIFNAMSIZ],
}

const _: () = assert!(size_of::<FrDest>() == 56);
const _: () = assert!(offset_of!(FrDest, fd_ip6) == 8);
const _: () = assert!(offset_of!(FrDest, fd_ifname) == 24);

/// `struct timeval` of LP64.
#[repr(C)]
pub struct Timeval {
    pub tv_sec: i64,
    pub tv_usec: i64,
}

/// `frentry_t`: a filter rule.
///
/// Its size depends on the kernel, with no change of `IPFILTER_VERSION`:
/// the 2019 cloud-firewall logging change (`ip_fil.h` `c0834af5`, the same
/// change that resized `friostat_t`) added `uuid_t fr_uuid` after
/// `fr_collect`. `UUID` is that array's length: 16 ([`FrEntry`], 608
/// bytes) or 0 ([`FrEntryPre2019`], 592 bytes, where a zero-length array
/// of bytes takes no room and moves nothing). The kernel compares
/// `ipfo_size` with its own `sizeof` exactly, and compares the bytes from
/// `fr_func` to the end (`FR_CMPSIZ`, padding included) to find a rule.
#[repr(C)]
pub struct FrEntryT<const UUID: usize> {
    pub fr_lock: IpfMutex,
    /// The next rule in the kernel's list (NULL: the last one).
    pub fr_next: *mut c_void,
    pub fr_grp: *mut c_void,
    pub fr_isc: *mut c_void,
    pub fr_ifas: [*mut c_void; 4],
    pub fr_ptr: *mut c_void,
    pub fr_comment: *mut c_char,
    pub fr_ref: c_int,
    pub fr_statecnt: c_int,
    /// `U_QUAD_T` is `u_long` on illumos.
    pub fr_hits: c_ulong,
    pub fr_bytes: c_ulong,
    pub fr_lastpkt: Timeval,
    pub fr_curpps: c_int,
    /// `fr_dun`: `fr_data` (the `fripf_t` of an `FR_T_IPF` rule).
    pub fr_data: *mut c_void,
    /// The first byte of the `FR_CMPSIZ` region.
    pub fr_func: *mut c_void,
    pub fr_dsize: c_int,
    pub fr_pps: c_int,
    pub fr_statemax: c_int,
    pub fr_flineno: c_int,
    /// `FR_T_*`.
    pub fr_type: u32,
    /// `FR_*`.
    pub fr_flags: u32,
    pub fr_logtag: u32,
    pub fr_collect: u32,
    pub fr_uuid: [u8; UUID],
    pub fr_arg: c_uint,
    pub fr_loglevel: c_uint,
    pub fr_age: [c_uint; 2],
    pub fr_v: u8,
    pub fr_icode: u8,
    pub fr_group: [c_char; FR_GROUPLEN],
    pub fr_grhead: [c_char; FR_GROUPLEN],
    pub fr_nattag: IpfTag,
    pub fr_ifnames: [[c_char; LIFNAMSIZ]; 4],
    pub fr_isctag: [c_char; 16],
    /// `fr_tif` (`to`) and `fr_rif` (`reply-to`).
    pub fr_tifs: [FrDest; 2],
    pub fr_dif: FrDest,
    pub fr_cksum: c_uint,
}

/// `uuid_t` (`sys/uuid.h`): 16 bytes.
pub const UUID_LEN: usize = 16;

/// The current `frentry_t`: 608 bytes.
pub type FrEntry = FrEntryT<UUID_LEN>;
/// The `frentry_t` of kernels built before the 2019 change: 592 bytes.
pub type FrEntryPre2019 = FrEntryT<0>;

const _: () = assert!(size_of::<FrEntry>() == 608);
const _: () = assert!(align_of::<FrEntry>() == 8);
const _: () = assert!(offset_of!(FrEntry, fr_lock) == 0);
const _: () = assert!(offset_of!(FrEntry, fr_next) == 32);
const _: () = assert!(offset_of!(FrEntry, fr_grp) == 40);
const _: () = assert!(offset_of!(FrEntry, fr_isc) == 48);
const _: () = assert!(offset_of!(FrEntry, fr_ifas) == 56);
const _: () = assert!(offset_of!(FrEntry, fr_ptr) == 88);
const _: () = assert!(offset_of!(FrEntry, fr_comment) == 96);
const _: () = assert!(offset_of!(FrEntry, fr_ref) == 104);
const _: () = assert!(offset_of!(FrEntry, fr_statecnt) == 108);
const _: () = assert!(offset_of!(FrEntry, fr_hits) == 112);
const _: () = assert!(offset_of!(FrEntry, fr_bytes) == 120);
const _: () = assert!(offset_of!(FrEntry, fr_lastpkt) == 128);
const _: () = assert!(offset_of!(FrEntry, fr_curpps) == 144);
const _: () = assert!(offset_of!(FrEntry, fr_data) == 152);
const _: () = assert!(offset_of!(FrEntry, fr_func) == 160);
const _: () = assert!(offset_of!(FrEntry, fr_dsize) == 168);
const _: () = assert!(offset_of!(FrEntry, fr_pps) == 172);
const _: () = assert!(offset_of!(FrEntry, fr_statemax) == 176);
const _: () = assert!(offset_of!(FrEntry, fr_flineno) == 180);
const _: () = assert!(offset_of!(FrEntry, fr_type) == 184);
const _: () = assert!(offset_of!(FrEntry, fr_flags) == 188);
const _: () = assert!(offset_of!(FrEntry, fr_logtag) == 192);
const _: () = assert!(offset_of!(FrEntry, fr_collect) == 196);
const _: () = assert!(offset_of!(FrEntry, fr_uuid) == 200);
const _: () = assert!(offset_of!(FrEntry, fr_arg) == 216);
const _: () = assert!(offset_of!(FrEntry, fr_loglevel) == 220);
const _: () = assert!(offset_of!(FrEntry, fr_age) == 224);
const _: () = assert!(offset_of!(FrEntry, fr_v) == 232);
const _: () = assert!(offset_of!(FrEntry, fr_icode) == 233);
const _: () = assert!(offset_of!(FrEntry, fr_group) == 234);
const _: () = assert!(offset_of!(FrEntry, fr_grhead) == 250);
const _: () = assert!(offset_of!(FrEntry, fr_nattag) == 268);
const _: () = assert!(offset_of!(FrEntry, fr_ifnames) == 288);
const _: () = assert!(offset_of!(FrEntry, fr_isctag) == 416);
const _: () = assert!(offset_of!(FrEntry, fr_tifs) == 432);
const _: () = assert!(offset_of!(FrEntry, fr_dif) == 544);
const _: () = assert!(offset_of!(FrEntry, fr_cksum) == 600);
// FR_CMPSIZ.
const _: () = assert!(size_of::<FrEntry>() - offset_of!(FrEntry, fr_func) == 448);

const _: () = assert!(size_of::<FrEntryPre2019>() == 592);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_hits) == 112);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_data) == 152);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_func) == 160);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_collect) == 196);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_arg) == 200);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_loglevel) == 204);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_age) == 208);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_v) == 216);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_icode) == 217);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_group) == 218);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_grhead) == 234);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_nattag) == 252);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_ifnames) == 272);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_isctag) == 400);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_tifs) == 416);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_dif) == 528);
const _: () = assert!(offset_of!(FrEntryPre2019, fr_cksum) == 584);
const _: () = assert!(size_of::<FrEntryPre2019>() - offset_of!(FrEntryPre2019, fr_func) == 432);

/// Where each field of a `frentry_t` is, in one of its layouts (all taken
/// from [`FrEntryT`], so asserted above).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrentryOffsets {
    pub size: usize,
    pub fr_next: usize,
    /// `fr_isc`: the parser stores -1 there (no scan).
    pub fr_isc: usize,
    /// `fr_ifas[4]`: the kernel's interface pointers for `fr_ifnames`.
    pub fr_ifas: usize,
    pub fr_comment: usize,
    pub fr_ref: usize,
    pub fr_statecnt: usize,
    pub fr_hits: usize,
    pub fr_bytes: usize,
    pub fr_lastpkt: usize,
    pub fr_curpps: usize,
    pub fr_data: usize,
    pub fr_func: usize,
    pub fr_dsize: usize,
    pub fr_pps: usize,
    pub fr_statemax: usize,
    pub fr_flineno: usize,
    pub fr_type: usize,
    pub fr_flags: usize,
    pub fr_logtag: usize,
    pub fr_collect: usize,
    /// `None` in the pre-2019 layout.
    pub fr_uuid: Option<usize>,
    pub fr_arg: usize,
    pub fr_loglevel: usize,
    pub fr_age: usize,
    pub fr_v: usize,
    pub fr_icode: usize,
    pub fr_group: usize,
    pub fr_grhead: usize,
    pub fr_nattag: usize,
    pub fr_ifnames: usize,
    pub fr_isctag: usize,
    pub fr_tifs: usize,
    pub fr_dif: usize,
    pub fr_cksum: usize,
}

const fn frentry_offsets<const U: usize>() -> FrentryOffsets {
    type F<const U: usize> = FrEntryT<U>;
    FrentryOffsets {
        size: size_of::<F<U>>(),
        fr_next: offset_of!(F<U>, fr_next),
        fr_isc: offset_of!(F<U>, fr_isc),
        fr_ifas: offset_of!(F<U>, fr_ifas),
        fr_comment: offset_of!(F<U>, fr_comment),
        fr_ref: offset_of!(F<U>, fr_ref),
        fr_statecnt: offset_of!(F<U>, fr_statecnt),
        fr_hits: offset_of!(F<U>, fr_hits),
        fr_bytes: offset_of!(F<U>, fr_bytes),
        fr_lastpkt: offset_of!(F<U>, fr_lastpkt),
        fr_curpps: offset_of!(F<U>, fr_curpps),
        fr_data: offset_of!(F<U>, fr_data),
        fr_func: offset_of!(F<U>, fr_func),
        fr_dsize: offset_of!(F<U>, fr_dsize),
        fr_pps: offset_of!(F<U>, fr_pps),
        fr_statemax: offset_of!(F<U>, fr_statemax),
        fr_flineno: offset_of!(F<U>, fr_flineno),
        fr_type: offset_of!(F<U>, fr_type),
        fr_flags: offset_of!(F<U>, fr_flags),
        fr_logtag: offset_of!(F<U>, fr_logtag),
        fr_collect: offset_of!(F<U>, fr_collect),
        fr_uuid: if U == 0 {
            None
        } else {
            Some(offset_of!(F<U>, fr_uuid))
        },
        fr_arg: offset_of!(F<U>, fr_arg),
        fr_loglevel: offset_of!(F<U>, fr_loglevel),
        fr_age: offset_of!(F<U>, fr_age),
        fr_v: offset_of!(F<U>, fr_v),
        fr_icode: offset_of!(F<U>, fr_icode),
        fr_group: offset_of!(F<U>, fr_group),
        fr_grhead: offset_of!(F<U>, fr_grhead),
        fr_nattag: offset_of!(F<U>, fr_nattag),
        fr_ifnames: offset_of!(F<U>, fr_ifnames),
        fr_isctag: offset_of!(F<U>, fr_isctag),
        fr_tifs: offset_of!(F<U>, fr_tifs),
        fr_dif: offset_of!(F<U>, fr_dif),
        fr_cksum: offset_of!(F<U>, fr_cksum),
    }
}

/// The `frentry_t` of each kernel generation. `friostat_t` and
/// `frentry_t` changed size in the same commit, so the `friostat_t`
/// layout a kernel accepted (found by `SIOCGETFS`, which refuses every
/// other size) names its `frentry_t` too; the header check confirms the
/// two never mix.
impl FriostatLayout {
    pub const fn frentry(self) -> FrentryOffsets {
        match self {
            FriostatLayout::Current => frentry_offsets::<UUID_LEN>(),
            FriostatLayout::Pre2019 => frentry_offsets::<0>(),
        }
    }
}

/// Where each field of a `friostat_t` is, in one of its layouts (taken
/// from `FrIoStatT`, whose offsets `ipnat_abi` asserts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FriostatOffsets {
    pub size: usize,
    pub f_groups: usize,
    pub f_froute: usize,
    pub f_ticks: usize,
    pub f_locks: usize,
    /// `IPL_LOGMAX`: how many `f_locks`.
    pub nlocks: usize,
    pub f_defpass: usize,
    pub f_active: usize,
    pub f_running: usize,
    pub f_logging: usize,
    pub f_features: usize,
    pub f_version: usize,
}

const fn friostat_offsets<const S: usize, const M: usize>() -> FriostatOffsets {
    type F<const S: usize, const M: usize> = FrIoStatT<S, M>;
    FriostatOffsets {
        size: size_of::<F<S, M>>(),
        f_groups: offset_of!(F<S, M>, f_groups),
        f_froute: offset_of!(F<S, M>, f_froute),
        f_ticks: offset_of!(F<S, M>, f_ticks),
        f_locks: offset_of!(F<S, M>, f_locks),
        nlocks: M,
        f_defpass: offset_of!(F<S, M>, f_defpass),
        f_active: offset_of!(F<S, M>, f_active),
        f_running: offset_of!(F<S, M>, f_running),
        f_logging: offset_of!(F<S, M>, f_logging),
        f_features: offset_of!(F<S, M>, f_features),
        f_version: offset_of!(F<S, M>, f_version),
    }
}

impl FriostatLayout {
    /// Every field of this `friostat_t`.
    pub const fn offsets(self) -> FriostatOffsets {
        match self {
            FriostatLayout::Current => friostat_offsets::<IPL_LOGSIZE, IPL_LOGMAX>(),
            FriostatLayout::Pre2019 => {
                friostat_offsets::<IPL_LOGSIZE_PRE2019, IPL_LOGMAX_PRE2019>()
            }
        }
    }
}

const _: () = assert!(FriostatLayout::Current.offsets().f_running == 776);
const _: () = assert!(FriostatLayout::Pre2019.offsets().f_version == 772);

/// Room for any known `frentry_t`.
pub const FRENTRY_T_MAX_SIZE: usize = size_of::<FrEntry>();
const _: () = assert!(FRENTRY_T_MAX_SIZE >= size_of::<FrEntryPre2019>());
const _: () = assert!(FriostatLayout::Current.frentry().size == 608);
const _: () = assert!(FriostatLayout::Pre2019.frentry().size == 592);
/// `sizeof (fripf_t)`: the `fr_dsize` of every `FR_T_IPF` rule.
pub const FRIPF_T_SIZE: usize = size_of::<FrIpf>();

/// The `ipfobj_t` the kernel demands for `req` on the minor device `unit`
/// (`IPL_LOGIPF` for `/dev/ipf`, `IPL_LOGSTATE` for `/dev/ipstate`) of a
/// kernel of generation `layout`: its `ipfo_type` and `ipfo_size`. The
/// kernel's `fr_inobj`/`fr_outobj` (with `IPFILTER_COMPAT`, which
/// `ip_fil.h` defines) check that `ipfo_type` is this type, send an
/// `ipfo_rev` other than `IPFILTER_VERSION` to a translator that knows
/// none of these objects, and demand `ipfo_size` equal to the kernel's
/// `sizeof` exactly. A failed check is `EINVAL`, except for the rule
/// requests (add, insert, remove, zero), where `frrequest` turns every
/// failure of `fr_inobj` into `EFAULT`. `None`: `req` takes no `ipfobj_t`
/// there (`SIOCFRZST` takes a pointer to a pointer; the flag and flush
/// requests an `int`), or this module does not size its object.
pub fn ipfobj_expected(req: c_int, unit: c_int, layout: FriostatLayout) -> Option<(c_int, usize)> {
    let rule = [
        SIOCADAFR, SIOCADIFR, SIOCINAFR, SIOCINIFR, SIOCRMAFR, SIOCRMIFR, SIOCZRLST,
    ];
    match (unit, req) {
        (IPL_LOGIPF, r) if rule.contains(&r) => Some((IPFOBJ_FRENTRY, layout.frentry().size)),
        (IPL_LOGIPF, SIOCGETFS) => Some((IPFOBJ_IPFSTAT, layout.size())),
        (IPL_LOGIPF, SIOCIPFITER) => Some((IPFOBJ_IPFITER, IPFRULEITER_T_SIZE)),
        (IPL_LOGSTATE, SIOCGETFS) => Some((IPFOBJ_STATESTAT, IPS_STAT_T_SIZE)),
        (IPL_LOGIPF | IPL_LOGSTATE | IPL_LOGNAT, SIOCGENITER) => {
            Some((IPFOBJ_GENITER, size_of::<IpfGenIter>()))
        }
        _ => None,
    }
}

/// `frgroup_t`: a rule group (`f_groups` points to lists of them).
#[repr(C)]
pub struct FrGroup {
    pub fg_next: *mut c_void,
    pub fg_head: *mut c_void,
    pub fg_start: *mut c_void,
    pub fg_flags: u32,
    pub fg_ref: c_int,
    pub fg_name: [c_char; FR_GROUPLEN],
}

const _: () = assert!(size_of::<FrGroup>() == 48);
const _: () = assert!(offset_of!(FrGroup, fg_flags) == 24);
const _: () = assert!(offset_of!(FrGroup, fg_ref) == 28);
const _: () = assert!(offset_of!(FrGroup, fg_name) == 32);

/// `ipfruleiter_t`: one `SIOCIPFITER` step over a rule list.
#[repr(C)]
pub struct IpfRuleIter {
    /// `AF_INET` or `AF_INET6` (illumos values: [`IPF_AF_INET`],
    /// [`IPF_AF_INET6`]).
    pub iri_ver: c_int,
    /// `F_IN`, `F_OUT`, `F_ACIN`, `F_ACOUT`.
    pub iri_inout: c_int,
    /// A group's name, or empty for the list head.
    pub iri_group: [c_char; FR_GROUPLEN],
    /// The set: 0 or 1.
    pub iri_active: c_int,
    /// At least 1; `ipfstat` asks for 1.
    pub iri_nrules: c_int,
    /// Where the kernel copies the rule, then its `fr_dsize` data bytes.
    pub iri_rule: *mut c_void,
}

const _: () = assert!(size_of::<IpfRuleIter>() == 40);
const _: () = assert!(offset_of!(IpfRuleIter, iri_inout) == 4);
const _: () = assert!(offset_of!(IpfRuleIter, iri_group) == 8);
const _: () = assert!(offset_of!(IpfRuleIter, iri_active) == 24);
const _: () = assert!(offset_of!(IpfRuleIter, iri_nrules) == 28);
const _: () = assert!(offset_of!(IpfRuleIter, iri_rule) == 32);

/// `ips_stat_t`: `SIOCGETFS` on `/dev/ipstate` (`IPFOBJ_STATESTAT`).
#[repr(C)]
pub struct IpsStat {
    pub iss_hits: c_ulong,
    pub iss_miss: c_ulong,
    pub iss_max: c_ulong,
    pub iss_maxref: c_ulong,
    pub iss_tcp: c_ulong,
    pub iss_udp: c_ulong,
    pub iss_icmp: c_ulong,
    pub iss_nomem: c_ulong,
    pub iss_expire: c_ulong,
    pub iss_fin: c_ulong,
    pub iss_active: c_ulong,
    pub iss_logged: c_ulong,
    pub iss_logfail: c_ulong,
    pub iss_inuse: c_ulong,
    pub iss_wild: c_ulong,
    pub iss_killed: c_ulong,
    pub iss_ticks: c_ulong,
    pub iss_bucketfull: c_ulong,
    pub iss_statesize: c_int,
    pub iss_statemax: c_int,
    pub iss_table: *mut c_void,
    pub iss_list: *mut c_void,
    pub iss_bucketlen: *mut c_ulong,
    pub iss_orphans: c_uint,
}

const _: () = assert!(size_of::<IpsStat>() == 184);
const _: () = assert!(offset_of!(IpsStat, iss_miss) == 8);
const _: () = assert!(offset_of!(IpsStat, iss_active) == 80);
const _: () = assert!(offset_of!(IpsStat, iss_inuse) == 104);
const _: () = assert!(offset_of!(IpsStat, iss_ticks) == 128);
const _: () = assert!(offset_of!(IpsStat, iss_bucketfull) == 136);
const _: () = assert!(offset_of!(IpsStat, iss_statesize) == 144);
const _: () = assert!(offset_of!(IpsStat, iss_statemax) == 148);
const _: () = assert!(offset_of!(IpsStat, iss_table) == 152);
const _: () = assert!(offset_of!(IpsStat, iss_list) == 160);
const _: () = assert!(offset_of!(IpsStat, iss_bucketlen) == 168);
const _: () = assert!(offset_of!(IpsStat, iss_orphans) == 176);

/// `ipftune_t` (`IPFOBJ_TUNEABLE`): one tunable for `SIOCIPFGETNEXT`,
/// `SIOCIPFGET` and `SIOCIPFSET` (`fr_ipftune`). `ipft_un` is the union
/// `ipftuneval_t` (`u_long`, `u_int`, `u_short`, `u_char`, all at offset
/// 0, so on little-endian amd64 the narrower members are its low bytes).
#[repr(C)]
pub struct IpfTune {
    /// NULL, or the kernel's `ipftuneable_t *` to start from.
    pub ipft_cookie: *mut c_void,
    pub ipft_un: c_ulong,
    pub ipft_min: c_ulong,
    pub ipft_max: c_ulong,
    /// `sizeof` the kernel variable: 8, 4, 2 or 1.
    pub ipft_sz: c_int,
    /// `IPFT_RDONLY` 1, `IPFT_WRDISABLED` 2.
    pub ipft_flags: c_int,
    pub ipft_name: [c_char; 80],
}

const _: () = assert!(size_of::<IpfTune>() == 120);
const _: () = assert!(offset_of!(IpfTune, ipft_un) == 8);
const _: () = assert!(offset_of!(IpfTune, ipft_min) == 16);
const _: () = assert!(offset_of!(IpfTune, ipft_max) == 24);
const _: () = assert!(offset_of!(IpfTune, ipft_sz) == 32);
const _: () = assert!(offset_of!(IpfTune, ipft_flags) == 36);
const _: () = assert!(offset_of!(IpfTune, ipft_name) == 40);

/// `ipfrstat_t` (`IPFOBJ_FRAGSTAT`): `SIOCGFRST` (`ip_frag.h`).
#[repr(C)]
pub struct IpfrStat {
    pub ifs_exists: c_ulong,
    pub ifs_nomem: c_ulong,
    pub ifs_new: c_ulong,
    pub ifs_hits: c_ulong,
    pub ifs_expire: c_ulong,
    pub ifs_inuse: c_ulong,
    pub ifs_retrans0: c_ulong,
    pub ifs_short: c_ulong,
    /// Kernel pointers to the fragment and NAT fragment hash tables.
    pub ifs_table: *mut c_void,
    pub ifs_nattab: *mut c_void,
}

const _: () = assert!(size_of::<IpfrStat>() == 80);
const _: () = assert!(offset_of!(IpfrStat, ifs_new) == 16);
const _: () = assert!(offset_of!(IpfrStat, ifs_inuse) == 40);
const _: () = assert!(offset_of!(IpfrStat, ifs_short) == 56);
const _: () = assert!(offset_of!(IpfrStat, ifs_table) == 64);
const _: () = assert!(offset_of!(IpfrStat, ifs_nattab) == 72);

/// `fr_authstat_t` (`IPFOBJ_AUTHSTAT`): `SIOCATHST` on `/dev/ipauth`
/// (`ip_auth.h`; `U_QUAD_T` is `u_long` on illumos).
#[repr(C)]
pub struct FrAuthStat {
    pub fas_hits: c_ulong,
    pub fas_miss: c_ulong,
    pub fas_nospace: c_ulong,
    pub fas_added: c_ulong,
    pub fas_sendfail: c_ulong,
    pub fas_sendok: c_ulong,
    pub fas_queok: c_ulong,
    pub fas_quefail: c_ulong,
    pub fas_expire: c_ulong,
    /// A kernel pointer to the first `frauthent_t`.
    pub fas_faelist: *mut c_void,
}

const _: () = assert!(size_of::<FrAuthStat>() == 80);
const _: () = assert!(offset_of!(FrAuthStat, fas_nospace) == 16);
const _: () = assert!(offset_of!(FrAuthStat, fas_expire) == 64);
const _: () = assert!(offset_of!(FrAuthStat, fas_faelist) == 72);

/// `ipstate_t`: a state-table entry (680 bytes in both generations). The
/// protocol union `is_ps` (`is_ics`, `is_ts`, `is_us`, `is_ug`) has the
/// members and layout of `nat_t`'s, so it is the same type.
#[repr(C)]
pub struct IpState {
    pub is_lock: IpfMutex,
    /// The next entry (NULL: the last one).
    pub is_next: *mut c_void,
    pub is_pnext: *mut c_void,
    pub is_hnext: *mut c_void,
    pub is_phnext: *mut c_void,
    pub is_me: *mut c_void,
    pub is_ifp: [*mut c_void; 4],
    pub is_sync: *mut c_void,
    pub is_nat: [*mut c_void; 2],
    pub is_rule: *mut c_void,
    pub is_tqehead: [*mut c_void; 2],
    pub is_isc: *mut c_void,
    pub is_pkts: [c_ulong; 4],
    pub is_bytes: [c_ulong; 4],
    pub is_icmppkts: [c_ulong; 4],
    /// `is_die` = `is_sti.tqe_die`, `is_state` = `is_sti.tqe_state`.
    pub is_sti: IpfTqEnt,
    pub is_frage: [c_uint; 2],
    pub is_ref: c_int,
    pub is_isninc: [c_int; 2],
    pub is_sumd: [u16; 2],
    pub is_src: I6AddrT,
    pub is_dst: I6AddrT,
    pub is_pass: c_uint,
    pub is_p: u8,
    pub is_v: u8,
    pub is_hv: u32,
    pub is_tag: u32,
    pub is_opt: [u32; 2],
    pub is_optmsk: [u32; 2],
    pub is_sec: u16,
    pub is_secmsk: u16,
    pub is_auth: u16,
    pub is_authmsk: u16,
    pub is_ps: NatUn,
    pub is_flags: u32,
    pub is_flx: [[c_int; 2]; 2],
    pub is_rulen: u32,
    pub is_s0: [u32; 2],
    pub is_smsk: [u16; 2],
    pub is_group: [c_char; FR_GROUPLEN],
    pub is_sbuf: [[c_char; 16]; 2],
    pub is_ifname: [[c_char; LIFNAMSIZ]; 4],
}

const _: () = assert!(size_of::<IpState>() == 680);
const _: () = assert!(offset_of!(IpState, is_next) == 32);
const _: () = assert!(offset_of!(IpState, is_ifp) == 72);
const _: () = assert!(offset_of!(IpState, is_sync) == 104);
const _: () = assert!(offset_of!(IpState, is_nat) == 112);
const _: () = assert!(offset_of!(IpState, is_rule) == 128);
const _: () = assert!(offset_of!(IpState, is_tqehead) == 136);
const _: () = assert!(offset_of!(IpState, is_isc) == 152);
const _: () = assert!(offset_of!(IpState, is_pkts) == 160);
const _: () = assert!(offset_of!(IpState, is_bytes) == 192);
const _: () = assert!(offset_of!(IpState, is_icmppkts) == 224);
const _: () = assert!(offset_of!(IpState, is_sti) == 256);
const _: () = assert!(off::IS_DIE == 288);
const _: () = assert!(off::IS_STATE == 308);
const _: () = assert!(offset_of!(IpState, is_frage) == 320);
const _: () = assert!(offset_of!(IpState, is_ref) == 328);
const _: () = assert!(offset_of!(IpState, is_isninc) == 332);
const _: () = assert!(offset_of!(IpState, is_sumd) == 340);
const _: () = assert!(offset_of!(IpState, is_src) == 344);
const _: () = assert!(offset_of!(IpState, is_dst) == 360);
const _: () = assert!(offset_of!(IpState, is_pass) == 376);
const _: () = assert!(offset_of!(IpState, is_p) == 380);
const _: () = assert!(offset_of!(IpState, is_v) == 381);
const _: () = assert!(offset_of!(IpState, is_hv) == 384);
const _: () = assert!(offset_of!(IpState, is_tag) == 388);
const _: () = assert!(offset_of!(IpState, is_opt) == 392);
const _: () = assert!(offset_of!(IpState, is_optmsk) == 400);
const _: () = assert!(offset_of!(IpState, is_sec) == 408);
const _: () = assert!(offset_of!(IpState, is_secmsk) == 410);
const _: () = assert!(offset_of!(IpState, is_auth) == 412);
const _: () = assert!(offset_of!(IpState, is_authmsk) == 414);
const _: () = assert!(offset_of!(IpState, is_ps) == 416);
const _: () = assert!(offset_of!(IpState, is_flags) == 468);
const _: () = assert!(offset_of!(IpState, is_flx) == 472);
const _: () = assert!(offset_of!(IpState, is_rulen) == 488);
const _: () = assert!(offset_of!(IpState, is_s0) == 492);
const _: () = assert!(offset_of!(IpState, is_smsk) == 500);
const _: () = assert!(offset_of!(IpState, is_group) == 504);
const _: () = assert!(offset_of!(IpState, is_sbuf) == 520);
const _: () = assert!(offset_of!(IpState, is_ifname) == 552);
// The protocol union's members.
const _: () = assert!(size_of::<TcpData>() == 24);
const _: () = assert!(size_of::<TcpInfo>() == 52);
const _: () = assert!(offset_of!(TcpInfo, ts_data) == 4);
const _: () = assert!(size_of::<UdpInfo>() == 4);
const _: () = assert!(size_of::<IcmpInfo>() == 6);
const _: () = assert!(offset_of!(IcmpInfo, ici_type) == 4);
const _: () = assert!(size_of::<GreInfo>() == 8);

// -------------------------------------------------- sizes and offsets used

pub const FRGROUP_T_SIZE: usize = size_of::<FrGroup>();
pub const IPFRULEITER_T_SIZE: usize = size_of::<IpfRuleIter>();
pub const IPS_STAT_T_SIZE: usize = size_of::<IpsStat>();
pub const IPSTATE_T_SIZE: usize = size_of::<IpState>();
pub const FILTERSTATS_T_SIZE: usize = size_of::<FilterStats>();

/// Where the decoders find each field of the fixed-layout structures.
pub mod off {
    use super::*;

    // fr_ip_t (inside fripf_t at FRI_IP and FRI_MIP).
    pub const FI_OPTMSK: usize = offset_of!(FrIp, fi_optmsk);
    pub const FI_SRC: usize = offset_of!(FrIp, fi_src);
    pub const FI_DST: usize = offset_of!(FrIp, fi_dst);
    pub const FI_SECMSK: usize = offset_of!(FrIp, fi_secmsk);
    pub const FI_AUTH: usize = offset_of!(FrIp, fi_auth);
    pub const FI_FLX: usize = offset_of!(FrIp, fi_flx);
    pub const FI_TCPMSK: usize = offset_of!(FrIp, fi_tcpmsk);

    // fripf_t.
    pub const FRI_IP: usize = offset_of!(FrIpf, fri_ip);
    pub const FRI_MIP: usize = offset_of!(FrIpf, fri_mip);
    pub const FRI_ICMPM: usize = offset_of!(FrIpf, fri_icmpm);
    pub const FRI_ICMP: usize = offset_of!(FrIpf, fri_icmp);
    pub const FRI_TUC: usize = offset_of!(FrIpf, fri_tuc);
    pub const FRI_SATYPE: usize = offset_of!(FrIpf, fri_satype);
    pub const FRI_DATYPE: usize = offset_of!(FrIpf, fri_datype);
    pub const FRI_SIFPIDX: usize = offset_of!(FrIpf, fri_sifpidx);
    pub const FRI_DIFPIDX: usize = offset_of!(FrIpf, fri_difpidx);

    // frtuc_t, frpcmp_t.
    pub const FTU_TCPFM: usize = offset_of!(FrTuc, ftu_tcpfm);
    pub const FTU_TCPF: usize = offset_of!(FrTuc, ftu_tcpf);
    pub const FTU_SRC: usize = offset_of!(FrTuc, ftu_src);
    pub const FTU_DST: usize = offset_of!(FrTuc, ftu_dst);
    pub const FRP_CMP: usize = offset_of!(FrPcmp, frp_cmp);
    pub const FRP_PORT: usize = offset_of!(FrPcmp, frp_port);
    pub const FRP_TOP: usize = offset_of!(FrPcmp, frp_top);

    // ipftag_t, frdest_t.
    pub const IPT_NOT: usize = offset_of!(IpfTag, ipt_not);
    pub const FD_IFP: usize = offset_of!(FrDest, fd_ifp);
    pub const FD_IP6: usize = offset_of!(FrDest, fd_ip6);
    pub const FD_IFNAME: usize = offset_of!(FrDest, fd_ifname);
    pub const FRDEST_T_SIZE: usize = size_of::<FrDest>();

    // friostat_t (the fields before f_groups, the same in both layouts).
    pub const F_ST: usize = offset_of!(FrIoStat, f_st);
    pub const F_IPF: usize = offset_of!(FrIoStat, f_ipf);
    pub const F_ACCT: usize = offset_of!(FrIoStat, f_acct);
    pub const F_IPF6: usize = offset_of!(FrIoStat, f_ipf6);
    pub const F_ACCT6: usize = offset_of!(FrIoStat, f_acct6);
    pub const F_AUTH: usize = offset_of!(FrIoStat, f_auth);
    const _: () = assert!(F_AUTH == offset_of!(FrIoStatPre2019, f_auth));
    const _: () = assert!(F_IPF == 2 * FILTERSTATS_T_SIZE);

    // ips_stat_t.
    pub const ISS_HITS: usize = offset_of!(IpsStat, iss_hits);
    pub const ISS_STATESIZE: usize = offset_of!(IpsStat, iss_statesize);
    pub const ISS_STATEMAX: usize = offset_of!(IpsStat, iss_statemax);
    pub const ISS_TABLE: usize = offset_of!(IpsStat, iss_table);
    pub const ISS_LIST: usize = offset_of!(IpsStat, iss_list);
    pub const ISS_BUCKETLEN: usize = offset_of!(IpsStat, iss_bucketlen);
    pub const ISS_ORPHANS: usize = offset_of!(IpsStat, iss_orphans);

    // ipstate_t.
    pub const IS_NEXT: usize = offset_of!(IpState, is_next);
    pub const IS_RULE: usize = offset_of!(IpState, is_rule);
    pub const IS_ISC: usize = offset_of!(IpState, is_isc);
    pub const IS_PKTS: usize = offset_of!(IpState, is_pkts);
    pub const IS_BYTES: usize = offset_of!(IpState, is_bytes);
    pub const IS_ICMPPKTS: usize = offset_of!(IpState, is_icmppkts);
    pub const IS_DIE: usize = offset_of!(IpState, is_sti) + offset_of!(IpfTqEnt, tqe_die);
    pub const IS_STATE: usize = offset_of!(IpState, is_sti) + offset_of!(IpfTqEnt, tqe_state);
    pub const IS_ISNINC: usize = offset_of!(IpState, is_isninc);
    pub const IS_SUMD: usize = offset_of!(IpState, is_sumd);
    pub const IS_SRC: usize = offset_of!(IpState, is_src);
    pub const IS_DST: usize = offset_of!(IpState, is_dst);
    pub const IS_PASS: usize = offset_of!(IpState, is_pass);
    pub const IS_P: usize = offset_of!(IpState, is_p);
    pub const IS_V: usize = offset_of!(IpState, is_v);
    pub const IS_HV: usize = offset_of!(IpState, is_hv);
    pub const IS_TAG: usize = offset_of!(IpState, is_tag);
    pub const IS_OPT: usize = offset_of!(IpState, is_opt);
    pub const IS_OPTMSK: usize = offset_of!(IpState, is_optmsk);
    pub const IS_SEC: usize = offset_of!(IpState, is_sec);
    pub const IS_SECMSK: usize = offset_of!(IpState, is_secmsk);
    pub const IS_AUTH: usize = offset_of!(IpState, is_auth);
    pub const IS_AUTHMSK: usize = offset_of!(IpState, is_authmsk);
    /// `is_ps`: `is_sport`/`is_dport` (TCP, UDP), `is_call` (GRE),
    /// `ici_id`, `ici_seq`, `ici_type` (ICMP) all start here.
    pub const IS_PS: usize = offset_of!(IpState, is_ps);
    /// `ts_data[0]`, `ts_data[1]` (`tcpdata_t`, 24 bytes each).
    pub const IS_TS_DATA: usize = IS_PS + offset_of!(TcpInfo, ts_data);
    pub const TD_END: usize = offset_of!(TcpData, td_end);
    pub const TD_MAXEND: usize = offset_of!(TcpData, td_maxend);
    pub const TD_MAXWIN: usize = offset_of!(TcpData, td_maxwin);
    pub const TD_WINSCALE: usize = offset_of!(TcpData, td_winscale);
    pub const TD_MAXSEG: usize = offset_of!(TcpData, td_maxseg);
    pub const TD_WINFLAGS: usize = offset_of!(TcpData, td_winflags);
    pub const TCPDATA_T_SIZE: usize = size_of::<TcpData>();
    pub const ICI_TYPE: usize = offset_of!(IcmpInfo, ici_type);
    pub const IS_FLAGS: usize = offset_of!(IpState, is_flags);
    pub const IS_FLX: usize = offset_of!(IpState, is_flx);
    pub const IS_RULEN: usize = offset_of!(IpState, is_rulen);
    pub const IS_S0: usize = offset_of!(IpState, is_s0);
    pub const IS_SMSK: usize = offset_of!(IpState, is_smsk);
    pub const IS_GROUP: usize = offset_of!(IpState, is_group);
    pub const IS_SBUF: usize = offset_of!(IpState, is_sbuf);
    pub const IS_IFNAME: usize = offset_of!(IpState, is_ifname);
}

// ------------------------------------------------------- the header check

/// The `frentry_t` fields before `fr_uuid`: where they are in both
/// generations (the tests check it), so plain facts.
#[cfg(test)]
fn frentry_prefix(o: &FrentryOffsets) -> [(&'static str, usize); 18] {
    [
        ("offsetof.frentry_t.fr_next", o.fr_next),
        ("offsetof.frentry_t.fr_comment", o.fr_comment),
        ("offsetof.frentry_t.fr_ref", o.fr_ref),
        ("offsetof.frentry_t.fr_statecnt", o.fr_statecnt),
        ("offsetof.frentry_t.fr_hits", o.fr_hits),
        ("offsetof.frentry_t.fr_bytes", o.fr_bytes),
        ("offsetof.frentry_t.fr_lastpkt", o.fr_lastpkt),
        ("offsetof.frentry_t.fr_curpps", o.fr_curpps),
        ("offsetof.frentry_t.fr_data", o.fr_data),
        ("offsetof.frentry_t.fr_func", o.fr_func),
        ("offsetof.frentry_t.fr_dsize", o.fr_dsize),
        ("offsetof.frentry_t.fr_pps", o.fr_pps),
        ("offsetof.frentry_t.fr_statemax", o.fr_statemax),
        ("offsetof.frentry_t.fr_flineno", o.fr_flineno),
        ("offsetof.frentry_t.fr_type", o.fr_type),
        ("offsetof.frentry_t.fr_flags", o.fr_flags),
        ("offsetof.frentry_t.fr_logtag", o.fr_logtag),
        ("offsetof.frentry_t.fr_collect", o.fr_collect),
    ]
}

/// Every size, offset and constant above that does not depend on the
/// kernel generation, as `name value` facts in the vocabulary of
/// `illumos-ci/ipf-header-check.c`, which prints the same names from the
/// host's headers.
#[cfg(test)]
pub fn layout_facts() -> Vec<(&'static str, i128)> {
    let s = |v: usize| v as i128;
    let c = |v: c_int| i128::from(v);
    let u = |v: u32| i128::from(v);
    let mut facts = vec![
        ("sizeof.ipfobj_t", s(size_of::<IpfObj>())),
        ("sizeof.fr_ip_t", s(size_of::<FrIp>())),
        ("offsetof.fr_ip_t.fi_optmsk", s(off::FI_OPTMSK)),
        ("offsetof.fr_ip_t.fi_src", s(off::FI_SRC)),
        ("offsetof.fr_ip_t.fi_dst", s(off::FI_DST)),
        ("offsetof.fr_ip_t.fi_secmsk", s(off::FI_SECMSK)),
        ("offsetof.fr_ip_t.fi_auth", s(off::FI_AUTH)),
        ("offsetof.fr_ip_t.fi_flx", s(off::FI_FLX)),
        ("offsetof.fr_ip_t.fi_tcpmsk", s(off::FI_TCPMSK)),
        ("shift.fr_ip_t.fi_v", i128::from(fi_word::V.0)),
        ("shift.fr_ip_t.fi_tos", i128::from(fi_word::TOS.0)),
        ("shift.fr_ip_t.fi_ttl", i128::from(fi_word::TTL.0)),
        ("shift.fr_ip_t.fi_p", i128::from(fi_word::P.0)),
        ("sizeof.fripf_t", s(FRIPF_T_SIZE)),
        ("offsetof.fripf_t.fri_mip", s(off::FRI_MIP)),
        ("offsetof.fripf_t.fri_icmpm", s(off::FRI_ICMPM)),
        ("offsetof.fripf_t.fri_icmp", s(off::FRI_ICMP)),
        ("offsetof.fripf_t.fri_tuc", s(off::FRI_TUC)),
        ("offsetof.fripf_t.fri_satype", s(off::FRI_SATYPE)),
        ("offsetof.fripf_t.fri_datype", s(off::FRI_DATYPE)),
        ("offsetof.fripf_t.fri_sifpidx", s(off::FRI_SIFPIDX)),
        ("offsetof.fripf_t.fri_difpidx", s(off::FRI_DIFPIDX)),
        ("sizeof.frtuc_t", s(size_of::<FrTuc>())),
        ("offsetof.frtuc_t.ftu_tcpf", s(off::FTU_TCPF)),
        ("offsetof.frtuc_t.ftu_src", s(off::FTU_SRC)),
        ("offsetof.frtuc_t.ftu_dst", s(off::FTU_DST)),
        ("sizeof.frpcmp_t", s(size_of::<FrPcmp>())),
        ("offsetof.frpcmp_t.frp_port", s(off::FRP_PORT)),
        ("offsetof.frpcmp_t.frp_top", s(off::FRP_TOP)),
        ("sizeof.i6addr_t", s(size_of::<I6AddrT>())),
        ("sizeof.ipftag_t", s(size_of::<IpfTag>())),
        ("offsetof.ipftag_t.ipt_not", s(off::IPT_NOT)),
        ("sizeof.frdest_t", s(off::FRDEST_T_SIZE)),
        ("offsetof.frdest_t.fd_ip6", s(off::FD_IP6)),
        ("offsetof.frdest_t.fd_ifname", s(off::FD_IFNAME)),
        ("sizeof.ipfmutex_t", s(size_of::<IpfMutex>())),
        ("sizeof.filterstats_t", s(FILTERSTATS_T_SIZE)),
        ("sizeof.frgroup_t", s(FRGROUP_T_SIZE)),
        (
            "offsetof.frgroup_t.fg_name",
            s(offset_of!(FrGroup, fg_name)),
        ),
        ("sizeof.ipfruleiter_t", s(IPFRULEITER_T_SIZE)),
        (
            "offsetof.ipfruleiter_t.iri_group",
            s(offset_of!(IpfRuleIter, iri_group)),
        ),
        (
            "offsetof.ipfruleiter_t.iri_active",
            s(offset_of!(IpfRuleIter, iri_active)),
        ),
        (
            "offsetof.ipfruleiter_t.iri_nrules",
            s(offset_of!(IpfRuleIter, iri_nrules)),
        ),
        (
            "offsetof.ipfruleiter_t.iri_rule",
            s(offset_of!(IpfRuleIter, iri_rule)),
        ),
        ("sizeof.ipfgeniter_t", s(size_of::<IpfGenIter>())),
        ("sizeof.ipftune_t", s(size_of::<IpfTune>())),
        (
            "offsetof.ipftune_t.ipft_un",
            s(offset_of!(IpfTune, ipft_un)),
        ),
        (
            "offsetof.ipftune_t.ipft_min",
            s(offset_of!(IpfTune, ipft_min)),
        ),
        (
            "offsetof.ipftune_t.ipft_max",
            s(offset_of!(IpfTune, ipft_max)),
        ),
        (
            "offsetof.ipftune_t.ipft_sz",
            s(offset_of!(IpfTune, ipft_sz)),
        ),
        (
            "offsetof.ipftune_t.ipft_flags",
            s(offset_of!(IpfTune, ipft_flags)),
        ),
        (
            "offsetof.ipftune_t.ipft_name",
            s(offset_of!(IpfTune, ipft_name)),
        ),
        ("const.IPFT_RDONLY", 1),
        ("const.IPFT_WRDISABLED", 2),
        ("sizeof.ipfrstat_t", s(size_of::<IpfrStat>())),
        (
            "offsetof.ipfrstat_t.ifs_new",
            s(offset_of!(IpfrStat, ifs_new)),
        ),
        (
            "offsetof.ipfrstat_t.ifs_inuse",
            s(offset_of!(IpfrStat, ifs_inuse)),
        ),
        (
            "offsetof.ipfrstat_t.ifs_short",
            s(offset_of!(IpfrStat, ifs_short)),
        ),
        (
            "offsetof.ipfrstat_t.ifs_table",
            s(offset_of!(IpfrStat, ifs_table)),
        ),
        (
            "offsetof.ipfrstat_t.ifs_nattab",
            s(offset_of!(IpfrStat, ifs_nattab)),
        ),
        ("sizeof.fr_authstat_t", s(size_of::<FrAuthStat>())),
        (
            "offsetof.fr_authstat_t.fas_nospace",
            s(offset_of!(FrAuthStat, fas_nospace)),
        ),
        (
            "offsetof.fr_authstat_t.fas_expire",
            s(offset_of!(FrAuthStat, fas_expire)),
        ),
        (
            "offsetof.fr_authstat_t.fas_faelist",
            s(offset_of!(FrAuthStat, fas_faelist)),
        ),
        ("sizeof.ips_stat_t", s(IPS_STAT_T_SIZE)),
        ("offsetof.ips_stat_t.iss_statesize", s(off::ISS_STATESIZE)),
        ("offsetof.ips_stat_t.iss_table", s(off::ISS_TABLE)),
        ("offsetof.ips_stat_t.iss_list", s(off::ISS_LIST)),
        ("offsetof.ips_stat_t.iss_bucketlen", s(off::ISS_BUCKETLEN)),
        ("offsetof.ips_stat_t.iss_orphans", s(off::ISS_ORPHANS)),
        ("sizeof.ipstate_t", s(IPSTATE_T_SIZE)),
        ("offsetof.ipstate_t.is_next", s(off::IS_NEXT)),
        ("offsetof.ipstate_t.is_rule", s(off::IS_RULE)),
        ("offsetof.ipstate_t.is_isc", s(off::IS_ISC)),
        ("offsetof.ipstate_t.is_pkts", s(off::IS_PKTS)),
        ("offsetof.ipstate_t.is_bytes", s(off::IS_BYTES)),
        ("offsetof.ipstate_t.is_die", s(off::IS_DIE)),
        ("offsetof.ipstate_t.is_state", s(off::IS_STATE)),
        ("offsetof.ipstate_t.is_isninc", s(off::IS_ISNINC)),
        ("offsetof.ipstate_t.is_sumd", s(off::IS_SUMD)),
        ("offsetof.ipstate_t.is_src", s(off::IS_SRC)),
        ("offsetof.ipstate_t.is_dst", s(off::IS_DST)),
        ("offsetof.ipstate_t.is_pass", s(off::IS_PASS)),
        ("offsetof.ipstate_t.is_p", s(off::IS_P)),
        ("offsetof.ipstate_t.is_v", s(off::IS_V)),
        ("offsetof.ipstate_t.is_hv", s(off::IS_HV)),
        ("offsetof.ipstate_t.is_tag", s(off::IS_TAG)),
        ("offsetof.ipstate_t.is_opt", s(off::IS_OPT)),
        ("offsetof.ipstate_t.is_optmsk", s(off::IS_OPTMSK)),
        ("offsetof.ipstate_t.is_sec", s(off::IS_SEC)),
        ("offsetof.ipstate_t.is_authmsk", s(off::IS_AUTHMSK)),
        ("offsetof.ipstate_t.is_ps", s(off::IS_PS)),
        (
            "offsetof.ipstate_t.is_send",
            s(off::IS_TS_DATA + off::TD_END),
        ),
        (
            "offsetof.ipstate_t.is_dend",
            s(off::IS_TS_DATA + off::TCPDATA_T_SIZE + off::TD_END),
        ),
        (
            "offsetof.ipstate_t.is_maxswin",
            s(off::IS_TS_DATA + off::TD_MAXWIN),
        ),
        (
            "offsetof.ipstate_t.is_swinscale",
            s(off::IS_TS_DATA + off::TD_WINSCALE),
        ),
        ("offsetof.ipstate_t.is_flags", s(off::IS_FLAGS)),
        ("offsetof.ipstate_t.is_flx", s(off::IS_FLX)),
        ("offsetof.ipstate_t.is_rulen", s(off::IS_RULEN)),
        ("offsetof.ipstate_t.is_s0", s(off::IS_S0)),
        ("offsetof.ipstate_t.is_smsk", s(off::IS_SMSK)),
        ("offsetof.ipstate_t.is_group", s(off::IS_GROUP)),
        ("offsetof.ipstate_t.is_sbuf", s(off::IS_SBUF)),
        ("offsetof.ipstate_t.is_ifname", s(off::IS_IFNAME)),
        ("const.SIOCADAFR", c(SIOCADAFR)),
        ("const.SIOCRMAFR", c(SIOCRMAFR)),
        ("const.SIOCSETFF", c(SIOCSETFF)),
        ("const.SIOCGETFF", c(SIOCGETFF)),
        ("const.SIOCGETFS", c(SIOCGETFS)),
        ("const.SIOCIPFFL", c(SIOCIPFFL)),
        ("const.SIOCIPFFB", c(SIOCIPFFB)),
        ("const.SIOCADIFR", c(SIOCADIFR)),
        ("const.SIOCRMIFR", c(SIOCRMIFR)),
        ("const.SIOCSWAPA", c(SIOCSWAPA)),
        ("const.SIOCINAFR", c(SIOCINAFR)),
        ("const.SIOCINIFR", c(SIOCINIFR)),
        ("const.SIOCFRENB", c(SIOCFRENB)),
        ("const.SIOCFRSYN", c(SIOCFRSYN)),
        ("const.SIOCFRZST", c(SIOCFRZST)),
        ("const.SIOCZRLST", c(SIOCZRLST)),
        ("const.SIOCATHST", c(SIOCATHST)),
        ("const.SIOCGFRST", c(SIOCGFRST)),
        ("const.SIOCSETLG", c(SIOCSETLG)),
        ("const.SIOCIPFLP", c(SIOCIPFLP)),
        ("const.SIOCGETLG", c(SIOCGETLG)),
        ("const.SIOCIPFGETNEXT", c(SIOCIPFGETNEXT)),
        ("const.SIOCIPFGET", c(SIOCIPFGET)),
        ("const.SIOCIPFSET", c(SIOCIPFSET)),
        ("const.SIOCIPFL6", c(SIOCIPFL6)),
        ("const.SIOCIPFITER", c(SIOCIPFITER)),
        ("const.SIOCGENITER", c(SIOCGENITER)),
        ("const.SIOCIPFDELTOK", c(SIOCIPFDELTOK)),
        ("const.SIOCDELST", c(SIOCDELST)),
        ("const.IPFILTER_VERSION", i128::from(IPFILTER_VERSION)),
        ("const.IPFOBJ_FRENTRY", c(IPFOBJ_FRENTRY)),
        ("const.IPFOBJ_IPFSTAT", c(IPFOBJ_IPFSTAT)),
        ("const.IPFOBJ_IPFINFO", c(IPFOBJ_IPFINFO)),
        ("const.IPFOBJ_AUTHSTAT", c(IPFOBJ_AUTHSTAT)),
        ("const.IPFOBJ_FRAGSTAT", c(IPFOBJ_FRAGSTAT)),
        ("const.IPFOBJ_IPNAT", c(IPFOBJ_IPNAT)),
        ("const.IPFOBJ_NATSTAT", c(IPFOBJ_NATSTAT)),
        ("const.IPFOBJ_STATESAVE", c(IPFOBJ_STATESAVE)),
        ("const.IPFOBJ_NATSAVE", c(IPFOBJ_NATSAVE)),
        ("const.IPFOBJ_NATLOOKUP", c(IPFOBJ_NATLOOKUP)),
        ("const.IPFOBJ_IPSTATE", c(IPFOBJ_IPSTATE)),
        ("const.IPFOBJ_STATESTAT", c(IPFOBJ_STATESTAT)),
        ("const.IPFOBJ_FRAUTH", c(IPFOBJ_FRAUTH)),
        ("const.IPFOBJ_TUNEABLE", c(IPFOBJ_TUNEABLE)),
        ("const.IPFOBJ_NAT", c(IPFOBJ_NAT)),
        ("const.IPFOBJ_IPFITER", c(IPFOBJ_IPFITER)),
        ("const.IPFOBJ_GENITER", c(IPFOBJ_GENITER)),
        ("const.IPFOBJ_GTABLE", c(IPFOBJ_GTABLE)),
        ("const.IPFOBJ_LOOKUPITER", c(IPFOBJ_LOOKUPITER)),
        ("const.IPFOBJ_COUNT", c(IPFOBJ_COUNT)),
        ("const.IPFGENITER_IPF", c(IPFGENITER_IPF)),
        ("const.IPFGENITER_FRAG", c(IPFGENITER_FRAG)),
        ("const.IPFGENITER_AUTH", c(IPFGENITER_AUTH)),
        ("const.IPFGENITER_STATE", c(IPFGENITER_STATE)),
        ("const.FLUSH_LIST", c(FLUSH_LIST)),
        ("const.FLUSH_TABLE_ALL", c(FLUSH_TABLE_ALL)),
        ("const.FLUSH_TABLE_CLOSING", c(FLUSH_TABLE_CLOSING)),
        ("const.FLUSH_TABLE_EXTRA", c(FLUSH_TABLE_EXTRA)),
        ("const.IPL_LOGIPF", c(IPL_LOGIPF)),
        ("const.IPL_LOGNAT", c(IPL_LOGNAT)),
        ("const.IPL_LOGSTATE", c(IPL_LOGSTATE)),
        ("const.IPL_LOGAUTH", c(IPL_LOGAUTH)),
        ("const.FR_GROUPLEN", s(FR_GROUPLEN)),
        ("const.LIFNAMSIZ", s(LIFNAMSIZ)),
        ("const.IPFTAG_LEN", s(IPFTAG_LEN)),
        ("const.F_IN", c(F_IN)),
        ("const.F_OUT", c(F_OUT)),
        ("const.F_ACIN", c(F_ACIN)),
        ("const.F_ACOUT", c(F_ACOUT)),
        ("const.AF_INET", c(IPF_AF_INET)),
        ("const.AF_INET6", c(IPF_AF_INET6)),
        ("const.FR_T_NONE", u(FR_T_NONE)),
        ("const.FR_T_IPF", u(FR_T_IPF)),
        ("const.FR_T_BPFOPC", u(FR_T_BPFOPC)),
        ("const.FR_T_CALLFUNC", u(FR_T_CALLFUNC)),
        ("const.FR_T_COMPIPF", u(FR_T_COMPIPF)),
        ("const.FR_T_BUILTIN", u(FR_T_BUILTIN)),
        ("const.FR_CALL", u(FR_CALL)),
        ("const.FR_BLOCK", u(FR_BLOCK)),
        ("const.FR_PASS", u(FR_PASS)),
        ("const.FR_AUTH", u(FR_AUTH)),
        ("const.FR_PREAUTH", u(FR_PREAUTH)),
        ("const.FR_ACCOUNT", u(FR_ACCOUNT)),
        ("const.FR_SKIP", u(FR_SKIP)),
        ("const.FR_DIVERT", u(FR_DIVERT)),
        ("const.FR_CMDMASK", u(FR_CMDMASK)),
        ("const.FR_LOG", u(FR_LOG)),
        ("const.FR_LOGB", u(FR_LOGB)),
        ("const.FR_LOGP", u(FR_LOGP)),
        ("const.FR_LOGMASK", u(FR_LOGMASK)),
        ("const.FR_CALLNOW", u(FR_CALLNOW)),
        ("const.FR_NOTSRCIP", u(FR_NOTSRCIP)),
        ("const.FR_NOTDSTIP", u(FR_NOTDSTIP)),
        ("const.FR_QUICK", u(FR_QUICK)),
        ("const.FR_KEEPFRAG", u(FR_KEEPFRAG)),
        ("const.FR_KEEPSTATE", u(FR_KEEPSTATE)),
        ("const.FR_FASTROUTE", u(FR_FASTROUTE)),
        ("const.FR_RETRST", u(FR_RETRST)),
        ("const.FR_RETICMP", u(FR_RETICMP)),
        ("const.FR_FAKEICMP", u(FR_FAKEICMP)),
        ("const.FR_OUTQUE", u(FR_OUTQUE)),
        ("const.FR_INQUE", u(FR_INQUE)),
        ("const.FR_LOGBODY", u(FR_LOGBODY)),
        ("const.FR_LOGFIRST", u(FR_LOGFIRST)),
        ("const.FR_LOGORBLOCK", u(FR_LOGORBLOCK)),
        ("const.FR_DUP", u(FR_DUP)),
        ("const.FR_FRSTRICT", u(FR_FRSTRICT)),
        ("const.FR_STSTRICT", u(FR_STSTRICT)),
        ("const.FR_NEWISN", u(FR_NEWISN)),
        ("const.FR_NOICMPERR", u(FR_NOICMPERR)),
        ("const.FR_STATESYNC", u(FR_STATESYNC)),
        ("const.FR_NOMATCH", u(FR_NOMATCH)),
        ("const.FR_COPIED", u(FR_COPIED)),
        ("const.FR_INACTIVE", u(FR_INACTIVE)),
        ("const.FR_RETMASK", u(FR_RETMASK)),
        ("const.FR_INOUT", u(FR_INOUT)),
        ("const.FF_LOGPASS", u(FF_LOGPASS)),
        ("const.FF_LOGBLOCK", u(FF_LOGBLOCK)),
        ("const.FF_LOGNOMATCH", u(FF_LOGNOMATCH)),
        ("const.FF_LOGGING", u(FF_LOGGING)),
        ("const.FF_BLOCKNONIP", u(FF_BLOCKNONIP)),
        ("const.FI_TCPUDP", u(FI_TCPUDP)),
        ("const.FI_OPTIONS", u(FI_OPTIONS)),
        ("const.FI_FRAG", u(FI_FRAG)),
        ("const.FI_SHORT", u(FI_SHORT)),
        ("const.FI_NATED", u(FI_NATED)),
        ("const.FI_MULTICAST", u(FI_MULTICAST)),
        ("const.FI_BROADCAST", u(FI_BROADCAST)),
        ("const.FI_MBCAST", u(FI_MBCAST)),
        ("const.FI_STATE", u(FI_STATE)),
        ("const.FI_BADNAT", u(FI_BADNAT)),
        ("const.FI_BAD", u(FI_BAD)),
        ("const.FI_OOW", u(FI_OOW)),
        ("const.FI_ICMPERR", u(FI_ICMPERR)),
        ("const.FI_FRAGBODY", u(FI_FRAGBODY)),
        ("const.FI_BADSRC", u(FI_BADSRC)),
        ("const.FI_LOWTTL", u(FI_LOWTTL)),
        ("const.FI_CMP", u(FI_CMP)),
        ("const.FI_ICMPCMP", u(FI_ICMPCMP)),
        ("const.FI_WITH", u(FI_WITH)),
        ("const.FR_NONE", c(FR_NONE)),
        ("const.FR_EQUAL", c(FR_EQUAL)),
        ("const.FR_NEQUAL", c(FR_NEQUAL)),
        ("const.FR_LESST", c(FR_LESST)),
        ("const.FR_GREATERT", c(FR_GREATERT)),
        ("const.FR_LESSTE", c(FR_LESSTE)),
        ("const.FR_GREATERTE", c(FR_GREATERTE)),
        ("const.FR_OUTRANGE", c(FR_OUTRANGE)),
        ("const.FR_INRANGE", c(FR_INRANGE)),
        ("const.FR_INCRANGE", c(FR_INCRANGE)),
        ("const.FR_TCPFMAX", i128::from(FR_TCPFMAX)),
        ("const.FRI_NORMAL", c(FRI_NORMAL)),
        ("const.FRI_DYNAMIC", c(FRI_DYNAMIC)),
        ("const.FRI_LOOKUP", c(FRI_LOOKUP)),
        ("const.FRI_RANGE", c(FRI_RANGE)),
        ("const.FRI_NETWORK", c(FRI_NETWORK)),
        ("const.FRI_BROADCAST", c(FRI_BROADCAST)),
        ("const.FRI_PEERADDR", c(FRI_PEERADDR)),
        ("const.FRI_NETMASKED", c(FRI_NETMASKED)),
        ("const.IPF_FEAT_LKM", c(IPF_FEAT_LKM)),
        ("const.IPF_FEAT_LOG", c(IPF_FEAT_LOG)),
        ("const.IPF_FEAT_LOOKUP", c(IPF_FEAT_LOOKUP)),
        ("const.IPF_FEAT_BPF", c(IPF_FEAT_BPF)),
        ("const.IPF_FEAT_COMPILED", c(IPF_FEAT_COMPILED)),
        ("const.IPF_FEAT_CKSUM", c(IPF_FEAT_CKSUM)),
        ("const.IPF_FEAT_SYNC", c(IPF_FEAT_SYNC)),
        ("const.IPF_FEAT_SCAN", c(IPF_FEAT_SCAN)),
        ("const.IPF_FEAT_IPV6", c(IPF_FEAT_IPV6)),
        ("const.IS_TCPFSM", u(IS_TCPFSM)),
        ("const.IS_STRICT", u(IS_STRICT)),
        ("const.IS_ISNSYN", u(IS_ISNSYN)),
        ("const.IS_ISNACK", u(IS_ISNACK)),
        ("const.IS_STATESYNC", u(IS_STATESYNC)),
    ];
    facts.extend(frentry_prefix(&FriostatLayout::Current.frentry()).map(|(n, v)| (n, s(v))));
    facts
}

/// The facts that differ between the kernel generations: `frentry_t`
/// (with or without `fr_uuid`) and, changed by the same commit,
/// `friostat_t` (`sys::ipnat_abi::layout_variant_facts`). One value per
/// layout, in [`FriostatLayout::ALL`] order; the host's headers must match
/// one generation in all of them.
#[cfg(test)]
pub fn layout_variant_facts() -> Vec<(&'static str, Vec<i128>)> {
    let per = |f: fn(&FrentryOffsets) -> usize| -> Vec<i128> {
        FriostatLayout::ALL
            .iter()
            .map(|l| f(&l.frentry()) as i128)
            .collect()
    };
    let mut v: Vec<(&'static str, Vec<i128>)> = vec![
        ("sizeof.frentry_t", per(|o| o.size)),
        ("offsetof.frentry_t.fr_arg", per(|o| o.fr_arg)),
        ("offsetof.frentry_t.fr_loglevel", per(|o| o.fr_loglevel)),
        ("offsetof.frentry_t.fr_age", per(|o| o.fr_age)),
        ("offsetof.frentry_t.fr_v", per(|o| o.fr_v)),
        ("offsetof.frentry_t.fr_icode", per(|o| o.fr_icode)),
        ("offsetof.frentry_t.fr_group", per(|o| o.fr_group)),
        ("offsetof.frentry_t.fr_grhead", per(|o| o.fr_grhead)),
        ("offsetof.frentry_t.fr_nattag", per(|o| o.fr_nattag)),
        ("offsetof.frentry_t.fr_ifnames", per(|o| o.fr_ifnames)),
        ("offsetof.frentry_t.fr_isctag", per(|o| o.fr_isctag)),
        ("offsetof.frentry_t.fr_tifs", per(|o| o.fr_tifs)),
        ("offsetof.frentry_t.fr_dif", per(|o| o.fr_dif)),
        ("offsetof.frentry_t.fr_cksum", per(|o| o.fr_cksum)),
        // FR_CMPSIZ: what the kernel compares to find a rule.
        ("const.FR_CMPSIZ", per(|o| o.size - o.fr_func)),
        // Defined by the same change (the C side prints 0 without it).
        (
            "const.FR_CFWLOG",
            FriostatLayout::ALL
                .iter()
                .map(|l| match l {
                    FriostatLayout::Current => i128::from(FR_CFWLOG),
                    FriostatLayout::Pre2019 => 0,
                })
                .collect(),
        ),
    ];
    v.extend(super::ipnat_abi::layout_variant_facts());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_frentry_layouts() {
        let (c, p) = (
            FriostatLayout::Current.frentry(),
            FriostatLayout::Pre2019.frentry(),
        );
        assert_eq!((c.size, p.size), (608, 592));
        assert_eq!((c.fr_uuid, p.fr_uuid), (Some(200), None));
        assert_eq!((c.fr_arg, p.fr_arg), (216, 200));
        assert_eq!((c.fr_group, p.fr_group), (234, 218));
        assert_eq!((c.fr_ifnames, p.fr_ifnames), (288, 272));
        assert_eq!((c.fr_cksum, p.fr_cksum), (600, 584));
        // Everything up to fr_collect is where it was.
        assert_eq!((c.fr_hits, c.fr_bytes, c.fr_data), (112, 120, 152));
        assert_eq!(
            (p.fr_hits, p.fr_bytes, p.fr_data, p.fr_collect),
            (112, 120, 152, 196)
        );
        assert_eq!(FRENTRY_T_MAX_SIZE, 608);
        assert_eq!(frentry_prefix(&c), frentry_prefix(&p));
    }

    #[test]
    fn the_objects_the_kernel_checks() {
        use FriostatLayout::*;
        for (req, size) in [(SIOCADAFR, 608), (SIOCRMIFR, 608), (SIOCZRLST, 608)] {
            assert_eq!(
                ipfobj_expected(req, IPL_LOGIPF, Current),
                Some((IPFOBJ_FRENTRY, size))
            );
            assert_eq!(
                ipfobj_expected(req, IPL_LOGIPF, Pre2019),
                Some((IPFOBJ_FRENTRY, size - 16))
            );
        }
        assert_eq!(
            ipfobj_expected(SIOCGETFS, IPL_LOGIPF, Current),
            Some((1, 824))
        );
        assert_eq!(
            ipfobj_expected(SIOCGETFS, IPL_LOGIPF, Pre2019),
            Some((1, 808))
        );
        assert_eq!(
            ipfobj_expected(SIOCGETFS, IPL_LOGSTATE, Current),
            Some((11, 184))
        );
        assert_eq!(
            ipfobj_expected(SIOCIPFITER, IPL_LOGIPF, Current),
            Some((15, 40))
        );
        assert_eq!(
            ipfobj_expected(SIOCGENITER, IPL_LOGSTATE, Pre2019),
            Some((16, 16))
        );
        // Not an ipfobj_t: SIOCFRZST (a pointer to a pointer), the ints.
        assert_eq!(ipfobj_expected(SIOCFRZST, IPL_LOGIPF, Current), None);
        assert_eq!(ipfobj_expected(SIOCIPFFL, IPL_LOGIPF, Current), None);
        // SIOCDELST is SIOCRMAFR's number: the device decides.
        assert_eq!(ipfobj_expected(SIOCDELST, IPL_LOGSTATE, Current), None);
    }

    #[test]
    fn the_fr_ip_word() {
        // fi_v 4, fi_tos 0x10, fi_ttl 64, fi_p 6, as the bytes of the word.
        let w = u32::from_le_bytes([0x04, 0x10, 64, 6]);
        assert_eq!(fi_word::get(w, fi_word::V), 4);
        assert_eq!(fi_word::get(w, fi_word::XX), 0);
        assert_eq!(fi_word::get(w, fi_word::TOS), 0x10);
        assert_eq!(fi_word::get(w, fi_word::TTL), 64);
        assert_eq!(fi_word::get(w, fi_word::P), 6);
    }

    /// Writes the facts to `$XBOW_IPF_LAYOUT_OUT` for `illumos-ci/run.sh`
    /// to compare with `illumos-ci/ipf-header-check.c`: one `name value`
    /// per line, and for the facts that differ between the kernel
    /// generations `name value value`, one value per generation.
    #[test]
    fn ipf_layout_facts_for_the_header_check() {
        let facts = layout_facts();
        let variants = layout_variant_facts();
        let mut names: Vec<&str> = facts.iter().map(|(n, _)| *n).collect();
        names.extend(variants.iter().map(|(n, _)| *n));
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total, "duplicate fact names");
        for (n, v) in &variants {
            assert_eq!(v.len(), FriostatLayout::ALL.len(), "{n}");
        }
        // The summary line of run.sh names the layout by the first one.
        assert_eq!(variants[0].0, "sizeof.frentry_t");
        assert_eq!(variants[0].1, [608, 592]);
        if let Ok(path) = std::env::var("XBOW_IPF_LAYOUT_OUT") {
            let mut text: String = facts.iter().map(|(n, v)| format!("{n} {v}\n")).collect();
            for (n, v) in &variants {
                let v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                text.push_str(&format!("{n} {}\n", v.join(" ")));
            }
            std::fs::write(&path, text).expect("write the layout facts");
        }
    }
}
