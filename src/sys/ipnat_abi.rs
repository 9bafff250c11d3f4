//! The IP Filter 4.1.9 kernel interface of illumos as `/dev/ipnat` and
//! `/dev/ipf` see it: ioctl numbers, `ipfobj_t` and the structures the
//! kernel copies in and out, as `#[repr(C)]` declarations of the amd64
//! layout (`netinet/ip_nat.h`, `ip_fil.h`, `ipl.h`, `ip_compat.h`; values:
//! reference `ipnat.md` §4), with every size and offset the reference
//! gives asserted at compile time.
//!
//! Plain data, compiled on illumos and for the tests everywhere: the
//! decoders of `backend::illumos::nat_decode` read the kernel's bytes at
//! the offsets these declarations define, and their tests run on any host.
//! Only `sys::illumos::ipnat` hands anything to the kernel.

use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use std::mem::{align_of, offset_of, size_of};

// ------------------------------------------------------------------ ioctls

/// `sys/ioccom.h`.
const IOCPARM_MASK: u32 = 0xff;
const IOC_OUT: u32 = 0x4000_0000;
const IOC_IN: u32 = 0x8000_0000;
const IOC_INOUT: u32 = IOC_IN | IOC_OUT;
/// IP Filter's ioctl group, `'r'`.
const IPF_GROUP: u8 = b'r';

/// `_IOC`: direction, parameter size (8 bits), group and number, as the
/// `int` `ioctl(2)` takes (the C macros cast the `uint32_t` to `int`).
const fn ioc(dir: u32, num: u8, size: usize) -> c_int {
    let v = dir | (((size as u32) & IOCPARM_MASK) << 16) | ((IPF_GROUP as u32) << 8) | num as u32;
    v as c_int
}

/// `_IOW('r', num, T)` (also for `ipf_abi`).
pub(super) const fn iow(num: u8, size: usize) -> c_int {
    ioc(IOC_IN, num, size)
}

/// `_IOWR('r', num, T)`.
pub(super) const fn iowr(num: u8, size: usize) -> c_int {
    ioc(IOC_INOUT, num, size)
}

/// `_IOR('r', num, T)`.
pub(super) const fn ior(num: u8, size: usize) -> c_int {
    ioc(IOC_OUT, num, size)
}

pub const SIOCADNAT: c_int = iow(60, size_of::<IpfObj>());
pub const SIOCRMNAT: c_int = iow(61, size_of::<IpfObj>());
pub const SIOCGNATS: c_int = iowr(62, size_of::<IpfObj>());
pub const SIOCGETFS: c_int = iowr(64, size_of::<IpfObj>());
pub const SIOCIPFFL: c_int = iowr(65, size_of::<c_int>());
pub const SIOCGENITER: c_int = iowr(93, size_of::<IpfObj>());
pub const SIOCIPFDELTOK: c_int = iowr(95, size_of::<c_int>());
pub const SIOCIPFZONESET: c_int = iowr(97, size_of::<IpfZoneObj>());

// The reference's literal values (§4.2).
const _: () = assert!(SIOCADNAT as u32 == 0x8038_723c);
const _: () = assert!(SIOCRMNAT as u32 == 0x8038_723d);
const _: () = assert!(SIOCGNATS as u32 == 0xc038_723e);
const _: () = assert!(SIOCGETFS as u32 == 0xc038_7240);
const _: () = assert!(SIOCIPFFL as u32 == 0xc004_7241);
const _: () = assert!(SIOCGENITER as u32 == 0xc038_725d);
const _: () = assert!(SIOCIPFDELTOK as u32 == 0xc004_725f);
const _: () = assert!(SIOCIPFZONESET as u32 == 0xc044_7261);
// As ioctl(2)'s `int`, the IOC_IN bit makes them negative.
const _: () = assert!(SIOCADNAT < 0 && SIOCGENITER < 0 && SIOCIPFZONESET < 0);

// ---------------------------------------------------------------- constants

/// `IPFILTER_VERSION` (`ipl.h`): what `ipfo_rev` must say. Any other value
/// sends the object to the kernel's compat translator, which refuses
/// everything `ipnat` uses with `EINVAL`.
pub const IPFILTER_VERSION: u32 = 4_010_901;
/// `IPL_VERSION`: what `checkrev()` expects in `friostat_t.f_version`.
pub const IPL_VERSION: &str = "IP Filter: v4.1.9";

// ipfo_type values (ip_fil.h).
pub const IPFOBJ_IPFSTAT: c_int = 1;
pub const IPFOBJ_IPNAT: c_int = 5;
pub const IPFOBJ_NATSTAT: c_int = 6;
pub const IPFOBJ_GENITER: c_int = 16;

// igi_type values.
pub const IPFGENITER_NAT: c_int = 1;
pub const IPFGENITER_IPNAT: c_int = 2;
pub const IPFGENITER_HOSTMAP: c_int = 7;

// SIOCIPFFL arguments (the backend checks that the NAT trait's values,
// which it passes through, are these).
pub const FLUSH_LIST: c_int = 0;
pub const FLUSH_TABLE_ALL: c_int = 1;

/// `LIFNAMSIZ` (`net/if.h`).
pub const LIFNAMSIZ: usize = 32;
/// `APR_LABELLEN`, `IPFTAG_LEN`.
pub const APR_LABELLEN: usize = 16;
pub const IPFTAG_LEN: usize = 16;
/// `ZONENAME_MAX` (`sys/zone.h`).
pub const ZONENAME_MAX: usize = 64;
/// `GLOBAL_ZONEID`.
pub const GLOBAL_ZONEID: c_int = 0;

// ------------------------------------------------------------ ioctl objects

/// `ipfobj_t`: how every structured ioctl argument travels.
#[repr(C)]
pub struct IpfObj {
    /// `IPFILTER_VERSION`.
    pub ipfo_rev: u32,
    /// Exactly the kernel's `sizeof` of the object (else `EINVAL`).
    pub ipfo_size: u32,
    pub ipfo_ptr: *mut c_void,
    /// `IPFOBJ_*`: must be the type the ioctl expects.
    pub ipfo_type: c_int,
    pub ipfo_offset: c_int,
    pub ipfo_xxxpad: [u8; 32],
}

const _: () = assert!(size_of::<IpfObj>() == 56);
const _: () = assert!(offset_of!(IpfObj, ipfo_rev) == 0);
const _: () = assert!(offset_of!(IpfObj, ipfo_size) == 4);
const _: () = assert!(offset_of!(IpfObj, ipfo_ptr) == 8);
const _: () = assert!(offset_of!(IpfObj, ipfo_type) == 16);
const _: () = assert!(offset_of!(IpfObj, ipfo_offset) == 20);
const _: () = assert!(offset_of!(IpfObj, ipfo_xxxpad) == 24);

impl IpfObj {
    /// An object of `size` bytes at `ptr`, of type `ty`, for this kernel
    /// version; offset and padding zero.
    pub fn new(ty: c_int, size: usize, ptr: *mut c_void) -> IpfObj {
        IpfObj {
            ipfo_rev: IPFILTER_VERSION,
            ipfo_size: size as u32,
            ipfo_ptr: ptr,
            ipfo_type: ty,
            ipfo_offset: 0,
            ipfo_xxxpad: [0; 32],
        }
    }
}

/// `ipfgeniter_t`: one `SIOCGENITER` step.
#[repr(C)]
pub struct IpfGenIter {
    /// `IPFGENITER_*`.
    pub igi_type: c_int,
    /// How many items the kernel copies back to back to `igi_data`.
    pub igi_nitems: c_int,
    pub igi_data: *mut c_void,
}

const _: () = assert!(size_of::<IpfGenIter>() == 16);
const _: () = assert!(offset_of!(IpfGenIter, igi_type) == 0);
const _: () = assert!(offset_of!(IpfGenIter, igi_nitems) == 4);
const _: () = assert!(offset_of!(IpfGenIter, igi_data) == 8);

/// `ipfzoneobj_t`: `SIOCIPFZONESET`'s argument (not wrapped in an
/// `ipfobj_t`).
#[repr(C)]
pub struct IpfZoneObj {
    /// 1: the zone's GZ-controlled stack; 0: its own.
    pub ipfz_gz: u32,
    pub ipfz_zonename: [c_char; ZONENAME_MAX],
}

const _: () = assert!(size_of::<IpfZoneObj>() == 68);
const _: () = assert!(offset_of!(IpfZoneObj, ipfz_gz) == 0);
const _: () = assert!(offset_of!(IpfZoneObj, ipfz_zonename) == 4);

// ------------------------------------------------------------ shared parts

/// `i6addr_t` (with `USE_INET6`, as illumos builds it): 16 bytes, 8-byte
/// aligned because of its pointer members. IPv4 values use `i6[0]`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union I6AddrT {
    pub i6: [u32; 4],
    pub in6: [u8; 16],
    pub vptr: [*mut c_void; 2],
}

const _: () = assert!(size_of::<I6AddrT>() == 16);
const _: () = assert!(align_of::<I6AddrT>() == 8);

/// `frpcmp_t`.
#[repr(C)]
pub struct FrPcmp {
    pub frp_cmp: c_int,
    pub frp_port: u16,
    pub frp_top: u16,
}

const _: () = assert!(size_of::<FrPcmp>() == 8);

/// `frtuc_t`.
#[repr(C)]
pub struct FrTuc {
    pub ftu_tcpfm: u8,
    pub ftu_tcpf: u8,
    pub ftu_src: FrPcmp,
    pub ftu_dst: FrPcmp,
}

const _: () = assert!(size_of::<FrTuc>() == 20);
const _: () = assert!(offset_of!(FrTuc, ftu_src) == 4);
const _: () = assert!(offset_of!(FrTuc, ftu_dst) == 12);

/// `ipftag_t`'s union.
#[repr(C)]
#[derive(Clone, Copy)]
pub union IptUn {
    pub iptu_num: [u32; 4],
    pub iptu_tag: [c_char; IPFTAG_LEN],
}

/// `ipftag_t`.
#[repr(C)]
pub struct IpfTag {
    pub ipt_un: IptUn,
    pub ipt_not: c_int,
}

const _: () = assert!(size_of::<IpfTag>() == 20);

/// The userland half of `ipfmutex_t` (`eMmutex_t`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EMmutex {
    pub emm_owner: *mut c_char,
    pub emm_heldin: *mut c_char,
    pub emm_magic: c_uint,
    pub emm_held: c_int,
    pub emm_heldat: c_int,
}

/// The kernel half: a `kmutex_t` (one opaque pointer) and its name.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IpfLkun {
    pub ipf_slk: *mut c_void,
    pub ipf_lname: *mut c_char,
}

/// `ipfmutex_t`: 32 bytes in the kernel and in userland alike.
#[repr(C)]
#[derive(Clone, Copy)]
pub union IpfMutex {
    pub ipf_lkun_s: IpfLkun,
    pub ipf_emu: EMmutex,
}

const _: () = assert!(size_of::<IpfMutex>() == 32);

/// `ipftqent_t`: a timeout-queue entry.
#[repr(C)]
pub struct IpfTqEnt {
    pub tqe_pnext: *mut c_void,
    pub tqe_next: *mut c_void,
    pub tqe_ifq: *mut c_void,
    pub tqe_parent: *mut c_void,
    /// The tick at which the entry dies (`nat_age`).
    pub tqe_die: c_ulong,
    pub tqe_touched: c_ulong,
    pub tqe_flags: c_int,
    pub tqe_state: [c_int; 2],
}

const _: () = assert!(size_of::<IpfTqEnt>() == 64);
const _: () = assert!(offset_of!(IpfTqEnt, tqe_die) == 32);
const _: () = assert!(offset_of!(IpfTqEnt, tqe_touched) == 40);
const _: () = assert!(offset_of!(IpfTqEnt, tqe_flags) == 48);
const _: () = assert!(offset_of!(IpfTqEnt, tqe_state) == 52);

// ----------------------------------------------------------------- ipnat_t

/// `ipnat_t`: a NAT rule. Its bytes are built and read by the rule
/// encoder above this layer (which also serves `ipnat -d`); this
/// declaration fixes the layout that code writes, and the backend checks
/// the two agree.
#[repr(C)]
pub struct IpNat {
    /// The next rule in the kernel's list (NULL: the last one).
    pub in_next: *mut c_void,
    pub in_rnext: *mut c_void,
    pub in_prnext: *mut c_void,
    pub in_mnext: *mut c_void,
    pub in_pmnext: *mut c_void,
    pub in_tqehead: [*mut c_void; 2],
    pub in_ifps: [*mut c_void; 2],
    pub in_apr: *mut c_void,
    pub in_comment: *mut c_char,
    pub in_next6: I6AddrT,
    pub in_space: c_ulong,
    pub in_hits: c_ulong,
    pub in_use: c_uint,
    pub in_hv: c_uint,
    pub in_flineno: c_int,
    pub in_pnext: u16,
    pub in_v: u8,
    pub in_xxx: u8,
    /// The first byte of the `IPN_CMPSIZ` region.
    pub in_flags: u32,
    pub in_mssclamp: u32,
    pub in_age: [c_uint; 2],
    pub in_redir: c_int,
    pub in_p: c_int,
    pub in_in: [I6AddrT; 2],
    pub in_out: [I6AddrT; 2],
    pub in_src: [I6AddrT; 2],
    pub in_tuc: FrTuc,
    pub in_port: [u16; 2],
    pub in_ppip: u16,
    pub in_ippip: u16,
    pub in_ifnames: [[c_char; LIFNAMSIZ]; 2],
    pub in_plabel: [c_char; APR_LABELLEN],
    pub in_tag: IpfTag,
}

const _: () = assert!(size_of::<IpNat>() == 384);
const _: () = assert!(offset_of!(IpNat, in_next) == 0);
const _: () = assert!(offset_of!(IpNat, in_rnext) == 8);
const _: () = assert!(offset_of!(IpNat, in_prnext) == 16);
const _: () = assert!(offset_of!(IpNat, in_mnext) == 24);
const _: () = assert!(offset_of!(IpNat, in_pmnext) == 32);
const _: () = assert!(offset_of!(IpNat, in_tqehead) == 40);
const _: () = assert!(offset_of!(IpNat, in_ifps) == 56);
const _: () = assert!(offset_of!(IpNat, in_apr) == 72);
const _: () = assert!(offset_of!(IpNat, in_comment) == 80);
const _: () = assert!(offset_of!(IpNat, in_next6) == 88);
const _: () = assert!(offset_of!(IpNat, in_space) == 104);
const _: () = assert!(offset_of!(IpNat, in_hits) == 112);
const _: () = assert!(offset_of!(IpNat, in_use) == 120);
const _: () = assert!(offset_of!(IpNat, in_hv) == 124);
const _: () = assert!(offset_of!(IpNat, in_flineno) == 128);
const _: () = assert!(offset_of!(IpNat, in_pnext) == 132);
const _: () = assert!(offset_of!(IpNat, in_v) == 134);
const _: () = assert!(offset_of!(IpNat, in_xxx) == 135);
const _: () = assert!(offset_of!(IpNat, in_flags) == 136);
const _: () = assert!(offset_of!(IpNat, in_mssclamp) == 140);
const _: () = assert!(offset_of!(IpNat, in_age) == 144);
const _: () = assert!(offset_of!(IpNat, in_redir) == 152);
const _: () = assert!(offset_of!(IpNat, in_p) == 156);
const _: () = assert!(offset_of!(IpNat, in_in) == 160);
const _: () = assert!(offset_of!(IpNat, in_out) == 192);
const _: () = assert!(offset_of!(IpNat, in_src) == 224);
const _: () = assert!(offset_of!(IpNat, in_tuc) == 256);
const _: () = assert!(offset_of!(IpNat, in_port) == 276);
const _: () = assert!(offset_of!(IpNat, in_ppip) == 280);
const _: () = assert!(offset_of!(IpNat, in_ippip) == 282);
const _: () = assert!(offset_of!(IpNat, in_ifnames) == 284);
const _: () = assert!(offset_of!(IpNat, in_plabel) == 348);
const _: () = assert!(offset_of!(IpNat, in_tag) == 364);
// IPN_CMPSIZ.
const _: () = assert!(size_of::<IpNat>() - offset_of!(IpNat, in_flags) == 248);

// ------------------------------------------------------------------- nat_t

/// `tcpdata_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct TcpData {
    pub td_end: u32,
    pub td_maxend: u32,
    pub td_maxwin: u32,
    pub td_winscale: u32,
    pub td_maxseg: u32,
    pub td_winflags: c_int,
}

/// `tcpinfo_t`: `ts_sport` is `nat_inport`, `ts_dport` `nat_outport`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct TcpInfo {
    pub ts_sport: u16,
    pub ts_dport: u16,
    pub ts_data: [TcpData; 2],
}

/// `udpinfo_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct UdpInfo {
    pub us_sport: u16,
    pub us_dport: u16,
}

/// `icmpinfo_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct IcmpInfo {
    pub ici_id: u16,
    pub ici_seq: u16,
    pub ici_type: u8,
}

/// `greinfo_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct GreInfo {
    pub gs_call: [u16; 2],
    pub gs_flags: u16,
    pub gs_ptype: u16,
}

/// `nat_t`'s protocol union `nat_un`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union NatUn {
    pub nat_unu: UdpInfo,
    pub nat_unt: TcpInfo,
    pub nat_uni: IcmpInfo,
    pub nat_ugre: GreInfo,
}

const _: () = assert!(size_of::<NatUn>() == 52);

/// `nat_t`: an active translation.
#[repr(C)]
pub struct Nat {
    pub nat_lock: IpfMutex,
    /// The next session (NULL: the last one).
    pub nat_next: *mut c_void,
    pub nat_pnext: *mut c_void,
    pub nat_hnext: [*mut c_void; 2],
    pub nat_phnext: [*mut c_void; 2],
    pub nat_hm: *mut c_void,
    pub nat_data: *mut c_void,
    pub nat_me: *mut c_void,
    pub nat_state: *mut c_void,
    pub nat_aps: *mut c_void,
    pub nat_fr: *mut c_void,
    pub nat_ptr: *mut c_void,
    pub nat_ifps: [*mut c_void; 2],
    pub nat_sync: *mut c_void,
    pub nat_tqe: IpfTqEnt,
    pub nat_flags: u32,
    pub nat_sumd: [u32; 2],
    pub nat_ipsumd: u32,
    pub nat_mssclamp: u32,
    pub nat_inip6: I6AddrT,
    pub nat_outip6: I6AddrT,
    pub nat_oip6: I6AddrT,
    /// `U_QUAD_T` is `u_long` on illumos.
    pub nat_pkts: [c_ulong; 2],
    pub nat_bytes: [c_ulong; 2],
    pub nat_un: NatUn,
    pub nat_oport: u16,
    pub nat_use: u16,
    pub nat_p: u8,
    pub nat_dir: c_int,
    pub nat_ref: c_int,
    pub nat_hv: [c_int; 2],
    pub nat_ifnames: [[c_char; LIFNAMSIZ]; 2],
    pub nat_rev: c_int,
    pub nat_v: c_int,
    pub nat_redir: c_int,
}

const _: () = assert!(size_of::<Nat>() == 480);
const _: () = assert!(offset_of!(Nat, nat_lock) == 0);
const _: () = assert!(offset_of!(Nat, nat_next) == 32);
const _: () = assert!(offset_of!(Nat, nat_pnext) == 40);
const _: () = assert!(offset_of!(Nat, nat_hnext) == 48);
const _: () = assert!(offset_of!(Nat, nat_phnext) == 64);
const _: () = assert!(offset_of!(Nat, nat_hm) == 80);
const _: () = assert!(offset_of!(Nat, nat_data) == 88);
const _: () = assert!(offset_of!(Nat, nat_me) == 96);
const _: () = assert!(offset_of!(Nat, nat_state) == 104);
const _: () = assert!(offset_of!(Nat, nat_aps) == 112);
const _: () = assert!(offset_of!(Nat, nat_fr) == 120);
const _: () = assert!(offset_of!(Nat, nat_ptr) == 128);
const _: () = assert!(offset_of!(Nat, nat_ifps) == 136);
const _: () = assert!(offset_of!(Nat, nat_sync) == 152);
const _: () = assert!(offset_of!(Nat, nat_tqe) == 160);
const _: () = assert!(offset_of!(Nat, nat_flags) == 224);
const _: () = assert!(offset_of!(Nat, nat_sumd) == 228);
const _: () = assert!(offset_of!(Nat, nat_ipsumd) == 236);
const _: () = assert!(offset_of!(Nat, nat_mssclamp) == 240);
const _: () = assert!(offset_of!(Nat, nat_inip6) == 248);
const _: () = assert!(offset_of!(Nat, nat_outip6) == 264);
const _: () = assert!(offset_of!(Nat, nat_oip6) == 280);
const _: () = assert!(offset_of!(Nat, nat_pkts) == 296);
const _: () = assert!(offset_of!(Nat, nat_bytes) == 312);
const _: () = assert!(offset_of!(Nat, nat_un) == 328);
const _: () = assert!(offset_of!(Nat, nat_oport) == 380);
const _: () = assert!(offset_of!(Nat, nat_use) == 382);
const _: () = assert!(offset_of!(Nat, nat_p) == 384);
const _: () = assert!(offset_of!(Nat, nat_dir) == 388);
const _: () = assert!(offset_of!(Nat, nat_ref) == 392);
const _: () = assert!(offset_of!(Nat, nat_hv) == 396);
const _: () = assert!(offset_of!(Nat, nat_ifnames) == 404);
const _: () = assert!(offset_of!(Nat, nat_rev) == 468);
const _: () = assert!(offset_of!(Nat, nat_v) == 472);
const _: () = assert!(offset_of!(Nat, nat_redir) == 476);

// --------------------------------------------------------------- hostmap_t

/// `hostmap_t`: the outside address an inside host was given.
#[repr(C)]
pub struct HostMap {
    /// The next host mapping (NULL: the last one).
    pub hm_next: *mut c_void,
    pub hm_pnext: *mut c_void,
    pub hm_hnext: *mut c_void,
    pub hm_phnext: *mut c_void,
    pub hm_ipnat: *mut c_void,
    pub hm_src: I6AddrT,
    pub hm_dst: I6AddrT,
    pub hm_map: I6AddrT,
    pub hm_port: u32,
    pub hm_ref: c_int,
    pub hm_v: c_int,
}

const _: () = assert!(size_of::<HostMap>() == 104);
const _: () = assert!(offset_of!(HostMap, hm_next) == 0);
const _: () = assert!(offset_of!(HostMap, hm_pnext) == 8);
const _: () = assert!(offset_of!(HostMap, hm_hnext) == 16);
const _: () = assert!(offset_of!(HostMap, hm_phnext) == 24);
const _: () = assert!(offset_of!(HostMap, hm_ipnat) == 32);
const _: () = assert!(offset_of!(HostMap, hm_src) == 40);
const _: () = assert!(offset_of!(HostMap, hm_dst) == 56);
const _: () = assert!(offset_of!(HostMap, hm_map) == 72);
const _: () = assert!(offset_of!(HostMap, hm_port) == 88);
const _: () = assert!(offset_of!(HostMap, hm_ref) == 92);
const _: () = assert!(offset_of!(HostMap, hm_v) == 96);

// --------------------------------------------------------------- natstat_t

/// `natstat_t`: `SIOCGNATS`. The kernel pointers only say whether a list
/// is empty.
#[repr(C)]
pub struct NatStat {
    pub ns_mapped: [c_ulong; 2],
    pub ns_rules: c_ulong,
    pub ns_added: c_ulong,
    pub ns_expire: c_ulong,
    pub ns_inuse: c_ulong,
    pub ns_logged: c_ulong,
    pub ns_logfail: c_ulong,
    pub ns_memfail: c_ulong,
    pub ns_badnat: c_ulong,
    pub ns_addtrpnt: c_ulong,
    pub ns_table: [*mut c_void; 2],
    pub ns_maptable: *mut c_void,
    pub ns_list: *mut c_void,
    pub ns_apslist: *mut c_void,
    pub ns_wilds: c_uint,
    pub ns_nattab_sz: c_uint,
    pub ns_nattab_max: c_uint,
    pub ns_rultab_sz: c_uint,
    pub ns_rdrtab_sz: c_uint,
    pub ns_trpntab_sz: c_uint,
    pub ns_hostmap_sz: c_uint,
    pub ns_instances: *mut c_void,
    pub ns_trpntlist: *mut c_void,
    pub ns_maplist: *mut c_void,
    pub ns_bucketlen: [*mut c_ulong; 2],
    pub ns_orphans: c_uint,
    pub ns_uncreate: [[c_ulong; 2]; 2],
}

const _: () = assert!(size_of::<NatStat>() == 240);
const _: () = assert!(offset_of!(NatStat, ns_mapped) == 0);
const _: () = assert!(offset_of!(NatStat, ns_rules) == 16);
const _: () = assert!(offset_of!(NatStat, ns_added) == 24);
const _: () = assert!(offset_of!(NatStat, ns_expire) == 32);
const _: () = assert!(offset_of!(NatStat, ns_inuse) == 40);
const _: () = assert!(offset_of!(NatStat, ns_logged) == 48);
const _: () = assert!(offset_of!(NatStat, ns_logfail) == 56);
const _: () = assert!(offset_of!(NatStat, ns_memfail) == 64);
const _: () = assert!(offset_of!(NatStat, ns_badnat) == 72);
const _: () = assert!(offset_of!(NatStat, ns_addtrpnt) == 80);
const _: () = assert!(offset_of!(NatStat, ns_table) == 88);
const _: () = assert!(offset_of!(NatStat, ns_maptable) == 104);
const _: () = assert!(offset_of!(NatStat, ns_list) == 112);
const _: () = assert!(offset_of!(NatStat, ns_apslist) == 120);
const _: () = assert!(offset_of!(NatStat, ns_wilds) == 128);
const _: () = assert!(offset_of!(NatStat, ns_nattab_sz) == 132);
const _: () = assert!(offset_of!(NatStat, ns_nattab_max) == 136);
const _: () = assert!(offset_of!(NatStat, ns_rultab_sz) == 140);
const _: () = assert!(offset_of!(NatStat, ns_rdrtab_sz) == 144);
const _: () = assert!(offset_of!(NatStat, ns_trpntab_sz) == 148);
const _: () = assert!(offset_of!(NatStat, ns_hostmap_sz) == 152);
const _: () = assert!(offset_of!(NatStat, ns_instances) == 160);
const _: () = assert!(offset_of!(NatStat, ns_trpntlist) == 168);
const _: () = assert!(offset_of!(NatStat, ns_maplist) == 176);
const _: () = assert!(offset_of!(NatStat, ns_bucketlen) == 184);
const _: () = assert!(offset_of!(NatStat, ns_orphans) == 200);
const _: () = assert!(offset_of!(NatStat, ns_uncreate) == 208);

// -------------------------------------------------------------- natlookup_t

/// `natlookup_t` (`SIOCGNATL`; not used by `ipnat`, declared for its size).
#[repr(C)]
pub struct NatLookup {
    pub nl_inipaddr: I6AddrT,
    pub nl_outipaddr: I6AddrT,
    pub nl_realipaddr: I6AddrT,
    pub nl_v: c_int,
    pub nl_flags: c_int,
    pub nl_inport: u16,
    pub nl_outport: u16,
    pub nl_realport: u16,
}

const _: () = assert!(size_of::<NatLookup>() == 64);
const _: () = assert!(offset_of!(NatLookup, nl_v) == 48);
const _: () = assert!(offset_of!(NatLookup, nl_inport) == 56);

// --------------------------------------------------------------- friostat_t

/// `filterstats_t`: 26 counters.
#[repr(C)]
pub struct FilterStats {
    pub fr_pass: c_ulong,
    pub fr_block: c_ulong,
    pub fr_nom: c_ulong,
    pub fr_short: c_ulong,
    pub fr_ppkl: c_ulong,
    pub fr_bpkl: c_ulong,
    pub fr_npkl: c_ulong,
    pub fr_pkl: c_ulong,
    pub fr_skip: c_ulong,
    pub fr_ret: c_ulong,
    pub fr_acct: c_ulong,
    pub fr_bnfr: c_ulong,
    pub fr_nfr: c_ulong,
    pub fr_cfr: c_ulong,
    pub fr_bads: c_ulong,
    pub fr_ads: c_ulong,
    pub fr_chit: c_ulong,
    pub fr_tcpbad: c_ulong,
    pub fr_pull: [c_ulong; 2],
    pub fr_badsrc: c_ulong,
    pub fr_badttl: c_ulong,
    pub fr_bad: c_ulong,
    pub fr_ipv6: c_ulong,
    pub fr_ppshit: c_ulong,
    pub fr_ipud: c_ulong,
}

const _: () = assert!(size_of::<FilterStats>() == 208);

/// `friostat_t`: `SIOCGETFS` on `/dev/ipf`, read for the version check.
///
/// Its size depends on the kernel, with no change of `IPFILTER_VERSION`:
/// the cloud-firewall logging change of illumos-gate (`ip_fil.h`,
/// "Copyright 2019, Joyent", commit `c0834af5`) added the log minor
/// `IPL_LOGEV`, so `IPL_LOGMAX` went from 7 to 8 and `IPL_LOGSIZE` from 8
/// to 9, and `f_groups[IPL_LOGSIZE][2]` and `f_locks[IPL_LOGMAX]` grew. The
/// two parameters are those array lengths; [`FrIoStat`] and
/// [`FrIoStatPre2019`] are the two layouts, [`FriostatLayout`] names them.
#[repr(C)]
pub struct FrIoStatT<const LOGSIZE: usize, const LOGMAX: usize> {
    pub f_st: [FilterStats; 2],
    pub f_ipf: [[*mut c_void; 2]; 2],
    pub f_acct: [[*mut c_void; 2]; 2],
    pub f_ipf6: [[*mut c_void; 2]; 2],
    pub f_acct6: [[*mut c_void; 2]; 2],
    pub f_auth: *mut c_void,
    pub f_groups: [[*mut c_void; 2]; LOGSIZE],
    pub f_froute: [c_ulong; 2],
    pub f_ticks: c_ulong,
    pub f_locks: [c_int; LOGMAX],
    pub f_kmutex_sz: usize,
    pub f_krwlock_sz: usize,
    pub f_defpass: c_int,
    pub f_active: c_int,
    /// 1 while IP Filter runs.
    pub f_running: c_int,
    pub f_logging: c_int,
    pub f_features: c_int,
    /// `IPL_VERSION`, NUL-padded.
    pub f_version: [c_char; 32],
}

/// `IPL_LOGMAX`, `IPL_LOGSIZE` of every kernel since 2019 (`IPL_LOGEV` 7).
pub const IPL_LOGMAX: usize = 8;
pub const IPL_LOGSIZE: usize = IPL_LOGMAX + 1;
/// `IPL_LOGMAX`, `IPL_LOGSIZE` before (`ip_fil.h` of 2014, `1675e943`).
pub const IPL_LOGMAX_PRE2019: usize = 7;
pub const IPL_LOGSIZE_PRE2019: usize = IPL_LOGMAX_PRE2019 + 1;

/// The current `friostat_t`: 824 bytes.
pub type FrIoStat = FrIoStatT<IPL_LOGSIZE, IPL_LOGMAX>;
/// The `friostat_t` of kernels built before the 2019 change: 808 bytes.
pub type FrIoStatPre2019 = FrIoStatT<IPL_LOGSIZE_PRE2019, IPL_LOGMAX_PRE2019>;

const _: () = assert!(size_of::<FrIoStat>() == 824);
const _: () = assert!(offset_of!(FrIoStat, f_auth) == 544);
const _: () = assert!(offset_of!(FrIoStat, f_groups) == 552);
const _: () = assert!(offset_of!(FrIoStat, f_froute) == 696);
const _: () = assert!(offset_of!(FrIoStat, f_ticks) == 712);
const _: () = assert!(offset_of!(FrIoStat, f_locks) == 720);
const _: () = assert!(offset_of!(FrIoStat, f_kmutex_sz) == 752);
const _: () = assert!(offset_of!(FrIoStat, f_krwlock_sz) == 760);
const _: () = assert!(offset_of!(FrIoStat, f_defpass) == 768);
const _: () = assert!(offset_of!(FrIoStat, f_active) == 772);
const _: () = assert!(offset_of!(FrIoStat, f_running) == 776);
const _: () = assert!(offset_of!(FrIoStat, f_logging) == 780);
const _: () = assert!(offset_of!(FrIoStat, f_features) == 784);
const _: () = assert!(offset_of!(FrIoStat, f_version) == 788);

const _: () = assert!(size_of::<FrIoStatPre2019>() == 808);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_auth) == 544);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_groups) == 552);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_froute) == 680);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_ticks) == 696);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_locks) == 704);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_kmutex_sz) == 736);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_krwlock_sz) == 744);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_defpass) == 752);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_active) == 756);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_running) == 760);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_logging) == 764);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_features) == 768);
const _: () = assert!(offset_of!(FrIoStatPre2019, f_version) == 772);

/// Which `friostat_t` a kernel expects. `SIOCGETFS` says only by refusing
/// (`EINVAL`) an `ipfo_size` other than its own, so a caller tries them in
/// [`FriostatLayout::ALL`] order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FriostatLayout {
    /// 824 bytes: every illumos kernel built since the 2019 change.
    Current,
    /// 808 bytes: kernels built before it.
    Pre2019,
}

impl FriostatLayout {
    /// Every known layout, the most likely first.
    pub const ALL: [FriostatLayout; 2] = [FriostatLayout::Current, FriostatLayout::Pre2019];

    /// `sizeof (friostat_t)`: the `ipfo_size` the kernel must be given.
    pub const fn size(self) -> usize {
        match self {
            FriostatLayout::Current => size_of::<FrIoStat>(),
            FriostatLayout::Pre2019 => size_of::<FrIoStatPre2019>(),
        }
    }

    /// Where `f_running` (an `int`) is.
    pub const fn f_running(self) -> usize {
        match self {
            FriostatLayout::Current => offset_of!(FrIoStat, f_running),
            FriostatLayout::Pre2019 => offset_of!(FrIoStatPre2019, f_running),
        }
    }

    /// Where `f_version` (`char[32]`) is.
    pub const fn f_version(self) -> usize {
        match self {
            FriostatLayout::Current => offset_of!(FrIoStat, f_version),
            FriostatLayout::Pre2019 => offset_of!(FrIoStatPre2019, f_version),
        }
    }
}

/// Room for any known `friostat_t`.
pub const FRIOSTAT_T_MAX_SIZE: usize = max(size_of::<FrIoStat>(), size_of::<FrIoStatPre2019>());

const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

const _: () = assert!(FRIOSTAT_T_MAX_SIZE == 824);
const _: () = assert!(FriostatLayout::Current.size() == 824);
const _: () = assert!(FriostatLayout::Pre2019.size() == 808);
// f_version ends inside the structure in both.
const _: () = assert!(FriostatLayout::Current.f_version() + 32 <= 824);
const _: () = assert!(FriostatLayout::Pre2019.f_version() + 32 <= 808);

// ----------------------------------------------------- offsets for decoding

/// Where the decoders find each field in the kernel's bytes (all derived
/// from the declarations above, and so asserted).
pub mod off {
    use super::*;

    pub const IN_NEXT: usize = offset_of!(IpNat, in_next);

    pub const NAT_NEXT: usize = offset_of!(Nat, nat_next);
    pub const NAT_AGE: usize = offset_of!(Nat, nat_tqe) + offset_of!(IpfTqEnt, tqe_die);
    pub const NAT_FLAGS: usize = offset_of!(Nat, nat_flags);
    pub const NAT_SUMD: usize = offset_of!(Nat, nat_sumd);
    pub const NAT_IPSUMD: usize = offset_of!(Nat, nat_ipsumd);
    pub const NAT_INIP6: usize = offset_of!(Nat, nat_inip6);
    pub const NAT_OUTIP6: usize = offset_of!(Nat, nat_outip6);
    pub const NAT_OIP6: usize = offset_of!(Nat, nat_oip6);
    pub const NAT_PKTS: usize = offset_of!(Nat, nat_pkts);
    pub const NAT_BYTES: usize = offset_of!(Nat, nat_bytes);
    pub const NAT_INPORT: usize = offset_of!(Nat, nat_un) + offset_of!(TcpInfo, ts_sport);
    pub const NAT_OUTPORT: usize = offset_of!(Nat, nat_un) + offset_of!(TcpInfo, ts_dport);
    pub const NAT_OPORT: usize = offset_of!(Nat, nat_oport);
    pub const NAT_USE: usize = offset_of!(Nat, nat_use);
    pub const NAT_P: usize = offset_of!(Nat, nat_p);
    pub const NAT_HV: usize = offset_of!(Nat, nat_hv);
    pub const NAT_IFNAMES: usize = offset_of!(Nat, nat_ifnames);
    pub const NAT_V: usize = offset_of!(Nat, nat_v);
    pub const NAT_REDIR: usize = offset_of!(Nat, nat_redir);

    pub const HM_NEXT: usize = offset_of!(HostMap, hm_next);
    pub const HM_SRC: usize = offset_of!(HostMap, hm_src);
    pub const HM_DST: usize = offset_of!(HostMap, hm_dst);
    pub const HM_MAP: usize = offset_of!(HostMap, hm_map);
    pub const HM_PORT: usize = offset_of!(HostMap, hm_port);
    pub const HM_REF: usize = offset_of!(HostMap, hm_ref);
    pub const HM_V: usize = offset_of!(HostMap, hm_v);

    pub const NS_MAPPED: usize = offset_of!(NatStat, ns_mapped);
    pub const NS_RULES: usize = offset_of!(NatStat, ns_rules);
    pub const NS_ADDED: usize = offset_of!(NatStat, ns_added);
    pub const NS_EXPIRE: usize = offset_of!(NatStat, ns_expire);
    pub const NS_INUSE: usize = offset_of!(NatStat, ns_inuse);
    pub const NS_MEMFAIL: usize = offset_of!(NatStat, ns_memfail);
    pub const NS_BADNAT: usize = offset_of!(NatStat, ns_badnat);
    pub const NS_LIST: usize = offset_of!(NatStat, ns_list);
    pub const NS_WILDS: usize = offset_of!(NatStat, ns_wilds);
    pub const NS_INSTANCES: usize = offset_of!(NatStat, ns_instances);
    pub const NS_MAPLIST: usize = offset_of!(NatStat, ns_maplist);
    pub const NS_ORPHANS: usize = offset_of!(NatStat, ns_orphans);
}

/// Sizes of the objects the kernel copies (`ipfo_size`, iterator items).
pub const IPNAT_T_SIZE: usize = size_of::<IpNat>();
/// Where `IPN_CMPSIZ`, the region the kernel compares to find a rule,
/// starts: `in_flags`.
pub const IPN_CMP_OFFSET: usize = offset_of!(IpNat, in_flags);
pub const NAT_T_SIZE: usize = size_of::<Nat>();
pub const HOSTMAP_T_SIZE: usize = size_of::<HostMap>();
pub const NATSTAT_T_SIZE: usize = size_of::<NatStat>();

/// Every size, offset and constant above, as `name value` facts in the
/// vocabulary of `illumos-ci/ipnat-header-check.c`, which prints the same
/// names from the host's headers.
#[cfg(test)]
pub fn layout_facts() -> Vec<(&'static str, i128)> {
    let s = |v: usize| v as i128;
    let c = |v: c_int| i128::from(v);
    vec![
        ("sizeof.ipfobj_t", s(size_of::<IpfObj>())),
        (
            "offsetof.ipfobj_t.ipfo_ptr",
            s(offset_of!(IpfObj, ipfo_ptr)),
        ),
        (
            "offsetof.ipfobj_t.ipfo_type",
            s(offset_of!(IpfObj, ipfo_type)),
        ),
        (
            "offsetof.ipfobj_t.ipfo_offset",
            s(offset_of!(IpfObj, ipfo_offset)),
        ),
        (
            "offsetof.ipfobj_t.ipfo_xxxpad",
            s(offset_of!(IpfObj, ipfo_xxxpad)),
        ),
        ("sizeof.ipfgeniter_t", s(size_of::<IpfGenIter>())),
        (
            "offsetof.ipfgeniter_t.igi_data",
            s(offset_of!(IpfGenIter, igi_data)),
        ),
        ("sizeof.ipfzoneobj_t", s(size_of::<IpfZoneObj>())),
        (
            "offsetof.ipfzoneobj_t.ipfz_zonename",
            s(offset_of!(IpfZoneObj, ipfz_zonename)),
        ),
        ("sizeof.i6addr_t", s(size_of::<I6AddrT>())),
        ("sizeof.frtuc_t", s(size_of::<FrTuc>())),
        ("sizeof.ipftag_t", s(size_of::<IpfTag>())),
        ("sizeof.ipfmutex_t", s(size_of::<IpfMutex>())),
        ("sizeof.ipftqent_t", s(size_of::<IpfTqEnt>())),
        ("sizeof.ipnat_t", s(size_of::<IpNat>())),
        ("offsetof.ipnat_t.in_next6", s(offset_of!(IpNat, in_next6))),
        ("offsetof.ipnat_t.in_space", s(offset_of!(IpNat, in_space))),
        ("offsetof.ipnat_t.in_hits", s(offset_of!(IpNat, in_hits))),
        ("offsetof.ipnat_t.in_use", s(offset_of!(IpNat, in_use))),
        ("offsetof.ipnat_t.in_hv", s(offset_of!(IpNat, in_hv))),
        ("offsetof.ipnat_t.in_pnext", s(offset_of!(IpNat, in_pnext))),
        ("offsetof.ipnat_t.in_v", s(offset_of!(IpNat, in_v))),
        ("offsetof.ipnat_t.in_flags", s(offset_of!(IpNat, in_flags))),
        (
            "offsetof.ipnat_t.in_mssclamp",
            s(offset_of!(IpNat, in_mssclamp)),
        ),
        ("offsetof.ipnat_t.in_age", s(offset_of!(IpNat, in_age))),
        ("offsetof.ipnat_t.in_redir", s(offset_of!(IpNat, in_redir))),
        ("offsetof.ipnat_t.in_p", s(offset_of!(IpNat, in_p))),
        ("offsetof.ipnat_t.in_in", s(offset_of!(IpNat, in_in))),
        ("offsetof.ipnat_t.in_out", s(offset_of!(IpNat, in_out))),
        ("offsetof.ipnat_t.in_src", s(offset_of!(IpNat, in_src))),
        ("offsetof.ipnat_t.in_tuc", s(offset_of!(IpNat, in_tuc))),
        ("offsetof.ipnat_t.in_port", s(offset_of!(IpNat, in_port))),
        ("offsetof.ipnat_t.in_ppip", s(offset_of!(IpNat, in_ppip))),
        ("offsetof.ipnat_t.in_ippip", s(offset_of!(IpNat, in_ippip))),
        (
            "offsetof.ipnat_t.in_ifnames",
            s(offset_of!(IpNat, in_ifnames)),
        ),
        (
            "offsetof.ipnat_t.in_plabel",
            s(offset_of!(IpNat, in_plabel)),
        ),
        ("offsetof.ipnat_t.in_tag", s(offset_of!(IpNat, in_tag))),
        ("sizeof.nat_t", s(size_of::<Nat>())),
        ("offsetof.nat_t.nat_next", s(off::NAT_NEXT)),
        ("offsetof.nat_t.nat_aps", s(offset_of!(Nat, nat_aps))),
        ("offsetof.nat_t.nat_tqe", s(offset_of!(Nat, nat_tqe))),
        ("offsetof.nat_t.nat_age", s(off::NAT_AGE)),
        ("offsetof.nat_t.nat_flags", s(off::NAT_FLAGS)),
        ("offsetof.nat_t.nat_sumd", s(off::NAT_SUMD)),
        ("offsetof.nat_t.nat_ipsumd", s(off::NAT_IPSUMD)),
        ("offsetof.nat_t.nat_inip6", s(off::NAT_INIP6)),
        ("offsetof.nat_t.nat_outip6", s(off::NAT_OUTIP6)),
        ("offsetof.nat_t.nat_oip6", s(off::NAT_OIP6)),
        ("offsetof.nat_t.nat_pkts", s(off::NAT_PKTS)),
        ("offsetof.nat_t.nat_bytes", s(off::NAT_BYTES)),
        ("offsetof.nat_t.nat_inport", s(off::NAT_INPORT)),
        ("offsetof.nat_t.nat_outport", s(off::NAT_OUTPORT)),
        ("offsetof.nat_t.nat_oport", s(off::NAT_OPORT)),
        ("offsetof.nat_t.nat_use", s(off::NAT_USE)),
        ("offsetof.nat_t.nat_p", s(off::NAT_P)),
        ("offsetof.nat_t.nat_hv", s(off::NAT_HV)),
        ("offsetof.nat_t.nat_ifnames", s(off::NAT_IFNAMES)),
        ("offsetof.nat_t.nat_v", s(off::NAT_V)),
        ("offsetof.nat_t.nat_redir", s(off::NAT_REDIR)),
        ("sizeof.hostmap_t", s(size_of::<HostMap>())),
        ("offsetof.hostmap_t.hm_next", s(off::HM_NEXT)),
        ("offsetof.hostmap_t.hm_src", s(off::HM_SRC)),
        ("offsetof.hostmap_t.hm_dst", s(off::HM_DST)),
        ("offsetof.hostmap_t.hm_map", s(off::HM_MAP)),
        ("offsetof.hostmap_t.hm_port", s(off::HM_PORT)),
        ("offsetof.hostmap_t.hm_ref", s(off::HM_REF)),
        ("offsetof.hostmap_t.hm_v", s(off::HM_V)),
        ("sizeof.natstat_t", s(size_of::<NatStat>())),
        ("offsetof.natstat_t.ns_mapped", s(off::NS_MAPPED)),
        ("offsetof.natstat_t.ns_rules", s(off::NS_RULES)),
        ("offsetof.natstat_t.ns_added", s(off::NS_ADDED)),
        ("offsetof.natstat_t.ns_expire", s(off::NS_EXPIRE)),
        ("offsetof.natstat_t.ns_inuse", s(off::NS_INUSE)),
        ("offsetof.natstat_t.ns_memfail", s(off::NS_MEMFAIL)),
        ("offsetof.natstat_t.ns_badnat", s(off::NS_BADNAT)),
        ("offsetof.natstat_t.ns_list", s(off::NS_LIST)),
        ("offsetof.natstat_t.ns_wilds", s(off::NS_WILDS)),
        ("offsetof.natstat_t.ns_instances", s(off::NS_INSTANCES)),
        ("offsetof.natstat_t.ns_maplist", s(off::NS_MAPLIST)),
        ("offsetof.natstat_t.ns_orphans", s(off::NS_ORPHANS)),
        ("sizeof.natlookup_t", s(size_of::<NatLookup>())),
        ("const.SIOCADNAT", c(SIOCADNAT)),
        ("const.SIOCRMNAT", c(SIOCRMNAT)),
        ("const.SIOCGNATS", c(SIOCGNATS)),
        ("const.SIOCGETFS", c(SIOCGETFS)),
        ("const.SIOCIPFFL", c(SIOCIPFFL)),
        ("const.SIOCGENITER", c(SIOCGENITER)),
        ("const.SIOCIPFDELTOK", c(SIOCIPFDELTOK)),
        ("const.SIOCIPFZONESET", c(SIOCIPFZONESET)),
        ("const.IPFILTER_VERSION", i128::from(IPFILTER_VERSION)),
        ("const.IPFOBJ_IPFSTAT", c(IPFOBJ_IPFSTAT)),
        ("const.IPFOBJ_IPNAT", c(IPFOBJ_IPNAT)),
        ("const.IPFOBJ_NATSTAT", c(IPFOBJ_NATSTAT)),
        ("const.IPFOBJ_GENITER", c(IPFOBJ_GENITER)),
        ("const.IPFGENITER_NAT", c(IPFGENITER_NAT)),
        ("const.IPFGENITER_IPNAT", c(IPFGENITER_IPNAT)),
        ("const.IPFGENITER_HOSTMAP", c(IPFGENITER_HOSTMAP)),
        ("const.FLUSH_LIST", c(FLUSH_LIST)),
        ("const.FLUSH_TABLE_ALL", c(FLUSH_TABLE_ALL)),
        ("const.LIFNAMSIZ", s(LIFNAMSIZ)),
        ("const.APR_LABELLEN", s(APR_LABELLEN)),
        ("const.IPFTAG_LEN", s(IPFTAG_LEN)),
        ("const.ZONENAME_MAX", s(ZONENAME_MAX)),
        ("const.GLOBAL_ZONEID", c(GLOBAL_ZONEID)),
    ]
}

/// The facts that differ between the known `friostat_t` layouts: each
/// with one value per layout, in [`FriostatLayout::ALL`] order. The
/// host's headers must match one layout in all of them.
#[cfg(test)]
pub fn layout_variant_facts() -> Vec<(&'static str, Vec<i128>)> {
    fn of<const S: usize, const M: usize>() -> [i128; 11] {
        type F<const S: usize, const M: usize> = FrIoStatT<S, M>;
        [
            size_of::<F<S, M>>(),
            offset_of!(F<S, M>, f_groups),
            offset_of!(F<S, M>, f_froute),
            offset_of!(F<S, M>, f_locks),
            offset_of!(F<S, M>, f_kmutex_sz),
            offset_of!(F<S, M>, f_defpass),
            offset_of!(F<S, M>, f_running),
            offset_of!(F<S, M>, f_features),
            offset_of!(F<S, M>, f_version),
            M,
            S,
        ]
        .map(|v| v as i128)
    }
    const NAMES: [&str; 11] = [
        "sizeof.friostat_t",
        "offsetof.friostat_t.f_groups",
        "offsetof.friostat_t.f_froute",
        "offsetof.friostat_t.f_locks",
        "offsetof.friostat_t.f_kmutex_sz",
        "offsetof.friostat_t.f_defpass",
        "offsetof.friostat_t.f_running",
        "offsetof.friostat_t.f_features",
        "offsetof.friostat_t.f_version",
        "const.IPL_LOGMAX",
        "const.IPL_LOGSIZE",
    ];
    let per_layout = FriostatLayout::ALL.map(|l| match l {
        FriostatLayout::Current => of::<IPL_LOGSIZE, IPL_LOGMAX>(),
        FriostatLayout::Pre2019 => of::<IPL_LOGSIZE_PRE2019, IPL_LOGMAX_PRE2019>(),
    });
    NAMES
        .iter()
        .enumerate()
        .map(|(i, n)| (*n, per_layout.iter().map(|v| v[i]).collect()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_object_has_the_version_and_zeroed_padding() {
        let o = IpfObj::new(IPFOBJ_NATSTAT, NATSTAT_T_SIZE, std::ptr::null_mut());
        assert_eq!(o.ipfo_rev, 4_010_901);
        assert_eq!(o.ipfo_size, 240);
        assert_eq!(o.ipfo_type, 6);
        assert_eq!(o.ipfo_offset, 0);
        assert_eq!(o.ipfo_xxxpad, [0; 32]);
    }

    #[test]
    fn the_two_friostat_layouts() {
        use FriostatLayout::*;
        assert_eq!(FriostatLayout::ALL, [Current, Pre2019]);
        assert_eq!(
            (Current.size(), Current.f_running(), Current.f_version()),
            (824, 776, 788)
        );
        assert_eq!(
            (Pre2019.size(), Pre2019.f_running(), Pre2019.f_version()),
            (808, 760, 772)
        );
        let v = layout_variant_facts();
        let get = |n: &str| v.iter().find(|(m, _)| *m == n).unwrap().1.clone();
        assert_eq!(get("sizeof.friostat_t"), [824, 808]);
        assert_eq!(get("offsetof.friostat_t.f_running"), [776, 760]);
        assert_eq!(get("offsetof.friostat_t.f_version"), [788, 772]);
        assert_eq!(get("const.IPL_LOGSIZE"), [9, 8]);
    }

    /// Writes the facts to `$XBOW_IPNAT_LAYOUT_OUT` for `illumos-ci/run.sh`
    /// to compare with `illumos-ci/ipnat-header-check.c`: one `name value`
    /// per line, and for the facts that differ between the known
    /// `friostat_t` layouts `name value value`, one value per layout.
    #[test]
    fn ipnat_layout_facts_for_the_header_check() {
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
        if let Ok(path) = std::env::var("XBOW_IPNAT_LAYOUT_OUT") {
            let mut text: String = facts.iter().map(|(n, v)| format!("{n} {v}\n")).collect();
            for (n, v) in &variants {
                let v: Vec<String> = v.iter().map(|x| x.to_string()).collect();
                text.push_str(&format!("{n} {}\n", v.join(" ")));
            }
            std::fs::write(&path, text).expect("write the layout facts");
        }
    }
}
