//! The filter rule model: what illumos keeps in a `frentry_t` and the
//! `fripf_t` its `fr_data` points to once `ipf` has parsed a rule (and
//! what the kernel hands back to `ipfstat`), field by field, with the
//! values the C code stores (`ip_fil.h`, 2019 layout).
//!
//! The parser fills it exactly as `ipf_y.y` fills `frentry_t`, the printer
//! prints it exactly as `printfr()` prints `frentry_t`, and the backends
//! (the sim engine, `/dev/ipf`, nftables) read it: a rule means the same
//! thing everywhere.

use crate::ipfilter::types::{CName, I6Addr, PortCmp};
use serde::{Deserialize, Serialize};

/// `LIFNAMSIZ`: the size of an interface name array (`fr_ifnames[i]`,
/// `fd_ifname`); `strncpy` fills it without a NUL at this length.
pub const IFNAME_LEN: usize = 32;
/// `FR_GROUPLEN`: the size of `fr_group` and `fr_grhead`.
pub const GROUP_LEN: usize = 16;
/// `IPFTAG_LEN`: the size of `fr_nattag.ipt_tag`.
pub const TAG_LEN: usize = 16;

/// `fr_flags` (`FR_*` of `ip_fil.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FrFlags(pub u32);

impl FrFlags {
    /// The command part (`FR_CMDMASK`).
    pub const CMDMASK: u32 = 0xf;
    pub const CALL: u32 = 0;
    pub const BLOCK: u32 = 1;
    pub const PASS: u32 = 2;
    pub const AUTH: u32 = 3;
    pub const PREAUTH: u32 = 4;
    pub const ACCOUNT: u32 = 5;
    pub const SKIP: u32 = 6;
    pub const DIVERT: u32 = 7;
    pub const LOG: u32 = 0x10;
    pub const LOGB: u32 = 0x11;
    pub const LOGP: u32 = 0x12;
    pub const LOGMASK: u32 = 0x1f;
    pub const CALLNOW: u32 = 0x20;
    pub const NOTSRCIP: u32 = 0x40;
    pub const NOTDSTIP: u32 = 0x80;
    pub const QUICK: u32 = 0x100;
    pub const KEEPFRAG: u32 = 0x200;
    pub const KEEPSTATE: u32 = 0x400;
    pub const FASTROUTE: u32 = 0x800;
    pub const RETRST: u32 = 0x1000;
    pub const RETICMP: u32 = 0x2000;
    pub const FAKEICMP: u32 = 0x3000;
    pub const RETMASK: u32 = 0x3000;
    pub const OUTQUE: u32 = 0x4000;
    pub const INQUE: u32 = 0x8000;
    pub const LOGBODY: u32 = 0x10000;
    pub const LOGFIRST: u32 = 0x20000;
    pub const LOGORBLOCK: u32 = 0x40000;
    pub const DUP: u32 = 0x80000;
    pub const FRSTRICT: u32 = 0x100000;
    pub const STSTRICT: u32 = 0x200000;
    pub const NEWISN: u32 = 0x400000;
    pub const NOICMPERR: u32 = 0x800000;
    pub const STATESYNC: u32 = 0x1000000;
    pub const CFWLOG: u32 = 0x2000000;
    pub const NOMATCH: u32 = 0x8000000;
    pub const COPIED: u32 = 0x40000000;
    pub const INACTIVE: u32 = 0x80000000;

    pub fn has(self, bits: u32) -> bool {
        self.0 & bits == bits
    }

    /// The command (`FR_CMDMASK` part): `FR_BLOCK`, `FR_PASS`, ….
    pub fn cmd(self) -> u32 {
        self.0 & Self::CMDMASK
    }
}

/// `fr_type` (`FR_T_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FrType(pub u32);

impl FrType {
    /// `all`: no `fripf_t`.
    pub const NONE: FrType = FrType(0);
    /// Address, protocol, port… matching (`fripf_t`).
    pub const IPF: FrType = FrType(1);
    pub const BPFOPC: FrType = FrType(2);
    pub const CALLFUNC: FrType = FrType(3);
    pub const COMPIPF: FrType = FrType(4);
    /// `FR_T_BUILTIN`, or-ed into the type of a kernel's own rule.
    pub const BUILTIN: u32 = 0x8000_0000;

    /// The type without `FR_T_BUILTIN`.
    pub fn base(self) -> FrType {
        FrType(self.0 & !Self::BUILTIN)
    }
}

/// `fi_flx` bits (`FI_*`): what `with`/`not` test, and `tcp/udp`.
pub struct Fi;

impl Fi {
    pub const TCPUDP: u32 = 0x1;
    pub const OPTIONS: u32 = 0x2;
    pub const FRAG: u32 = 0x4;
    pub const SHORT: u32 = 0x8;
    pub const NATED: u32 = 0x10;
    pub const MULTICAST: u32 = 0x20;
    pub const BROADCAST: u32 = 0x40;
    pub const MBCAST: u32 = 0x80;
    pub const STATE: u32 = 0x100;
    pub const BADNAT: u32 = 0x200;
    pub const BAD: u32 = 0x400;
    pub const OOW: u32 = 0x800;
    pub const ICMPERR: u32 = 0x1000;
    pub const FRAGBODY: u32 = 0x2000;
    pub const BADSRC: u32 = 0x4000;
    pub const LOWTTL: u32 = 0x8000;
    /// `FI_WITH`: the bits `with` can test.
    pub const WITH: u32 = 0xeffe;
}

/// How an address of a rule is given (`fri_satype`/`fri_datype`, `FRI_*`).
pub struct Fri;

impl Fri {
    pub const NORMAL: i32 = 0;
    /// The address of an interface of the rule (`from le0`).
    pub const DYNAMIC: i32 = 1;
    /// A pool or hash table (`pool/3`).
    pub const LOOKUP: i32 = 2;
    pub const RANGE: i32 = 3;
    pub const NETWORK: i32 = 4;
    pub const BROADCAST: i32 = 5;
    pub const PEERADDR: i32 = 6;
    pub const NETMASKED: i32 = 7;
}

/// `IPLT_*`: the kind of lookup table in a lookup address (the second
/// word of the address, `iplookuptype`; the first is `iplookupnum`).
pub const IPLT_POOL: u32 = 1;
pub const IPLT_HASH: u32 = 2;

/// `fr_ip_t`: the values (or, as `fri_mip`, the masks) a packet's IP
/// header is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrIp {
    /// `fi_v` (4 bits).
    pub v: u8,
    pub tos: u8,
    pub ttl: u8,
    /// `fi_p`: the protocol.
    pub p: u8,
    /// `fi_optmsk`: IPv4 option bits (`ionames`) or IPv6 header bits
    /// (`v6ionames`).
    pub optmsk: u32,
    pub src: I6Addr,
    pub dst: I6Addr,
    /// `fi_secmsk`: IPSO security class bits (`secclass`).
    pub secmsk: u16,
    pub auth: u16,
    /// `fi_flx`: [`Fi`] bits.
    pub flx: u32,
    pub tcpmsk: u32,
}

/// `frtuc_t`: TCP flags and the port comparisons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrTuc {
    /// `ftu_tcpfm`: the mask of `flags X/MASK`.
    pub tcpfm: u8,
    /// `ftu_tcpf`: the flags.
    pub tcpf: u8,
    pub src: PortCmp,
    pub dst: PortCmp,
}

/// `fripf_t`: what an `FR_T_IPF` rule matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrIpf {
    /// `fri_ip`: the values.
    pub ip: FrIp,
    /// `fri_mip`: the masks.
    pub mip: FrIp,
    /// `fri_icmpm`, host order: type mask in the high byte, code mask in
    /// the low byte (the kernel keeps it in network order).
    pub icmpm: u16,
    /// `fri_icmp`, host order: type in the high byte, code in the low.
    pub icmp: u16,
    pub tuc: FrTuc,
    /// `fri_satype`, `fri_datype`: [`Fri`] values.
    pub satype: i32,
    pub datype: i32,
    /// `fri_sifpidx`, `fri_difpidx`: for [`Fri::DYNAMIC`] and the like,
    /// which of the rule's interfaces; -1 for none.
    pub sifpidx: i32,
    pub difpidx: i32,
}

/// `frdest_t`: an interface, and an optional next hop, for `to`,
/// `reply-to` and `dup-to`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrDest {
    /// `fd_ifname`.
    pub ifname: CName,
    /// `fd_ip6` (an IPv4 next hop in the first word, `fd_ip`).
    pub addr: I6Addr,
}

/// One filter rule: a `frentry_t` and its `fripf_t`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterRule {
    /// `fr_collect`: the rule's collection number (`10 pass in …`).
    pub collect: u32,
    /// `@N`: insert at 0-based position N (`fr_hits` is N + 1 as parsed,
    /// N when handed to the kernel with `SIOCINAFR`/`SIOCINIFR`).
    pub insert_at: Option<u32>,
    /// `fr_type`.
    pub rtype: FrType,
    /// `fr_flags`.
    pub flags: FrFlags,
    /// `fr_func` as the name `call` gave it (the kernel resolves it with
    /// `SIOCFUNCL`); empty for none.
    pub func: CName,
    /// `fr_arg`: `skip N`, or the argument of `call name/N`.
    pub arg: u32,
    /// `fr_pps`.
    pub pps: u32,
    /// `fr_statemax`: `keep state (limit N)`.
    pub statemax: u32,
    /// `fr_logtag`: `set-tag(log=N)` (`FR_NOLOGTAG` 0: none).
    pub logtag: u32,
    /// `fr_uuid`: `set-tag(uuid=…)`.
    pub uuid: [u8; 16],
    /// `fr_loglevel`: syslog facility and priority; 0xffff for none.
    pub loglevel: u32,
    /// `fr_age`: state timeouts `age N[/M]`.
    pub age: [u32; 2],
    /// `fr_v`: 4 or 6.
    pub v: u8,
    /// `fr_icode`: the ICMP code of `return-icmp(…)`.
    pub icode: u8,
    /// `fr_group`: `group NAME`.
    pub group: CName,
    /// `fr_grhead`: `head NAME`.
    pub grhead: CName,
    /// `fr_nattag.ipt_tag`: `set-tag(nat=…)`.
    pub nattag: CName,
    /// `fr_ifnames`: `on A,B` (0, 1) and `in-via`/`out-via C,D` (2, 3).
    pub ifnames: [CName; 4],
    /// `fr_tif`: `to IF[:ADDR]` (and `route-to`).
    pub tif: FrDest,
    /// `fr_rif`: `reply-to IF[:ADDR]`.
    pub rif: FrDest,
    /// `fr_dif`: `dup-to IF[:ADDR]`.
    pub dif: FrDest,
    /// The `fripf_t` of an [`FrType::IPF`] rule (all zero otherwise).
    pub ipf: FrIpf,
}

impl Default for FilterRule {
    /// A rule as `newrule()` starts it.
    fn default() -> FilterRule {
        FilterRule {
            collect: 0,
            insert_at: None,
            rtype: FrType::NONE,
            flags: FrFlags(0),
            func: CName::default(),
            arg: 0,
            pps: 0,
            statemax: 0,
            logtag: 0,
            uuid: [0; 16],
            loglevel: 0xffff,
            age: [0, 0],
            v: 4,
            icode: 0,
            group: CName::default(),
            grhead: CName::default(),
            nattag: CName::default(),
            ifnames: Default::default(),
            tif: FrDest::default(),
            rif: FrDest::default(),
            dif: FrDest::default(),
            ipf: FrIpf::default(),
        }
    }
}

impl FilterRule {
    /// `fr_proto`.
    pub fn proto(&self) -> u8 {
        self.ipf.ip.p
    }

    /// Whether this is an `FR_T_IPF` rule (it has a `fripf_t`).
    pub fn is_ipf(&self) -> bool {
        self.rtype.base() == FrType::IPF
    }

    /// `setipftype()`: an `FR_T_NONE` rule becomes `FR_T_IPF`, with the
    /// `fripf_t` `newrule` would allocate. `false` when the rule has
    /// another type (`IPF Type not set`).
    pub fn set_ipf_type(&mut self, v: u8) -> bool {
        if self.rtype == FrType::NONE {
            self.rtype = FrType::IPF;
            self.ipf = FrIpf {
                sifpidx: -1,
                difpidx: -1,
                ..FrIpf::default()
            };
            self.ipf.ip.v = v;
            self.ipf.mip.v = 0xf;
        }
        self.rtype == FrType::IPF
    }
}
