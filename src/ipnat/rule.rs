//! The NAT rule model: what illumos keeps in an `ipnat_t` once `ipnat`
//! has parsed a rule (and what the kernel hands back when rules are
//! listed), field by field, with the byte-order quirks made explicit.
//!
//! The printer, the parser, the sim kernel and the `/dev/ipnat` encoder all
//! work on this one type, so a rule means the same thing everywhere.

use crate::ipfilter::types::is_zero16;
pub use crate::ipfilter::types::{CName, CmpOp, I6Addr, PortCmp, count4bits};
use serde::{Deserialize, Serialize};

/// `htons`/`ntohs` as the illumos x86 (little-endian) build performs them on
/// a `u_short` that is later read back natively. xbow reproduces the
/// x86 output everywhere, whatever the host's byte order.
pub fn swap16(x: u16) -> u16 {
    x.swap_bytes()
}

/// `in_redir`: which kind of rule this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Redir {
    /// `map` (`NAT_MAP`).
    Map,
    /// `rdr` (`NAT_REDIRECT`).
    Rdr,
    /// `bimap` (`NAT_BIMAP`).
    Bimap,
    /// `map-block` (`NAT_MAPBLK`).
    MapBlock,
    /// Any other value the kernel might hand back.
    Other(i32),
}

impl Redir {
    pub fn code(self) -> i32 {
        match self {
            Redir::Map => 1,
            Redir::Rdr => 2,
            Redir::Bimap => 3,
            Redir::MapBlock => 4,
            Redir::Other(n) => n,
        }
    }

    pub fn from_code(n: i32) -> Redir {
        match n {
            1 => Redir::Map,
            2 => Redir::Rdr,
            3 => Redir::Bimap,
            4 => Redir::MapBlock,
            n => Redir::Other(n),
        }
    }

    /// The keyword `printnat` prints (`None` for an unknown value).
    pub fn keyword(self) -> Option<&'static str> {
        match self {
            Redir::Map => Some("map"),
            Redir::Rdr => Some("rdr"),
            Redir::Bimap => Some("bimap"),
            Redir::MapBlock => Some("map-block"),
            Redir::Other(_) => None,
        }
    }

    /// The session type `getnattype` prints.
    pub fn session_type(self) -> String {
        match self {
            Redir::Map => "MAP".into(),
            Redir::Rdr => "RDR".into(),
            Redir::Bimap => "BIMAP".into(),
            Redir::MapBlock => "MAP-BLOCK".into(),
            Redir::Other(n) => format!("unknown({n:04x})"),
        }
    }
}

impl Serialize for Redir {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.keyword() {
            Some(k) => s.serialize_str(k),
            None => s.serialize_i32(self.code()),
        }
    }
}

impl<'de> Deserialize<'de> for Redir {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Redir, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Word(String),
            Code(i32),
        }
        match Repr::deserialize(d)? {
            Repr::Code(n) => Ok(Redir::from_code(n)),
            Repr::Word(w) => match w.as_str() {
                "map" => Ok(Redir::Map),
                "rdr" => Ok(Redir::Rdr),
                "bimap" => Ok(Redir::Bimap),
                "map-block" => Ok(Redir::MapBlock),
                other => Err(serde::de::Error::custom(format!(
                    "unknown NAT rule kind '{other}'"
                ))),
            },
        }
    }
}

/// `in_flags` (`IPN_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NatFlags(pub u32);

impl NatFlags {
    pub const TCP: u32 = 0x1;
    pub const UDP: u32 = 0x2;
    pub const TCPUDP: u32 = 0x3;
    pub const ICMPERR: u32 = 0x4;
    pub const ICMPQUERY: u32 = 0x8;
    pub const TCPUDPICMPQ: u32 = Self::TCPUDP | Self::ICMPQUERY;
    pub const AUTOPORTMAP: u32 = 0x10;
    pub const IPRANGE: u32 = 0x20;
    pub const FILTER: u32 = 0x40;
    pub const SPLIT: u32 = 0x80;
    pub const ROUNDR: u32 = 0x100;
    pub const NOTSRC: u32 = 0x4000;
    pub const NOTDST: u32 = 0x8000;
    pub const STICKY: u32 = 0x80000;
    pub const FRAG: u32 = 0x100000;
    pub const FIXEDDPORT: u32 = 0x200000;
    pub const SEQUENTIAL: u32 = 0x1000000;

    /// The protocol bit of IP protocol `p` (`nat_checkout` matches rules
    /// with it; a session carries it).
    pub fn of_proto(p: u8) -> u32 {
        match p {
            6 => Self::TCP,
            17 => Self::UDP,
            1 => Self::ICMPQUERY,
            _ => 0,
        }
    }
    /// `IPN_USERFLAGS`: what the kernel keeps of a rule's flags.
    pub const USERFLAGS: u32 = Self::TCPUDP
        | Self::AUTOPORTMAP
        | Self::IPRANGE
        | Self::SPLIT
        | Self::ROUNDR
        | Self::FILTER
        | Self::NOTSRC
        | Self::NOTDST
        | Self::FRAG
        | Self::STICKY
        | Self::FIXEDDPORT
        | Self::ICMPQUERY
        | Self::SEQUENTIAL;

    pub fn has(self, bits: u32) -> bool {
        self.0 & bits != 0
    }

    pub fn set(&mut self, bits: u32) {
        self.0 |= bits;
    }

    pub fn clear(&mut self, bits: u32) {
        self.0 &= !bits;
    }
}

fn is_zero32(v: &u32) -> bool {
    *v == 0
}

fn is_zero64(v: &u64) -> bool {
    *v == 0
}

fn is_zero_pair(v: &[u32; 2]) -> bool {
    *v == [0, 0]
}

/// `LIFNAMSIZ - 1`: the longest interface name a rule keeps.
pub const IFNAME_MAX: usize = 31;
/// `APR_LABELLEN` / `IPFTAG_LEN`.
pub const LABEL_MAX: usize = 16;

/// One NAT rule, as `ipnat_t` holds it.
///
/// Ports (`pmin`, `pmax`, `pnext`, the compares) are host-order numbers,
/// with two exceptions that mirror the C code: for `map-block`, `pmin` is
/// the `ports N` count; and `dcmp.port` (`in_dport`) is the destination
/// compare port when `dcmp.op` is set but, for a `map … proxy` rule
/// without one, the proxy port in network order (see [`NatRule::proxy_port`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatRule {
    /// `in_redir`.
    pub kind: Redir,
    /// `in_ifnames`: the interface, and the second one (equal to the first
    /// when only one was given).
    pub ifnames: [CName; 2],
    /// `in_v`: 4 or 6.
    pub v: u8,
    /// `in_flags`.
    #[serde(default)]
    pub flags: NatFlags,
    /// `in_p`: the protocol number (0 for `ip` and for `tcp/udp`, -1 for a
    /// protocol name that did not resolve).
    #[serde(default)]
    pub proto: i32,
    /// `in_in`: the inside address and mask (for `rdr`: the target
    /// address(es)).
    pub inside: [I6Addr; 2],
    /// `in_out`: the outside address and mask (`range`: first and last).
    pub outside: [I6Addr; 2],
    /// `in_src`: the other end of a `from … to …` rule.
    #[serde(default)]
    pub src: [I6Addr; 2],
    /// `in_tuc.ftu_src`.
    #[serde(default, skip_serializing_if = "PortCmp::is_empty")]
    pub scmp: PortCmp,
    /// `in_tuc.ftu_dst`.
    #[serde(default, skip_serializing_if = "PortCmp::is_empty")]
    pub dcmp: PortCmp,
    /// `in_pmin`.
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub pmin: u16,
    /// `in_pmax`.
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub pmax: u16,
    /// `in_pnext`.
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub pnext: u16,
    /// `in_ppip`: ports per IP (port mapping groups).
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub ppip: u16,
    /// `in_ippip`: IPs per IP.
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub ippip: u16,
    /// `in_space`.
    #[serde(default, skip_serializing_if = "is_zero64")]
    pub space: u64,
    /// `in_nextip`, as a host-order value.
    #[serde(default, skip_serializing_if = "is_zero32")]
    pub nextip: u32,
    /// `in_age`.
    #[serde(default, skip_serializing_if = "is_zero_pair")]
    pub age: [u32; 2],
    /// `in_mssclamp`.
    #[serde(default, skip_serializing_if = "is_zero32")]
    pub mssclamp: u32,
    /// `in_plabel`: the proxy.
    #[serde(default, skip_serializing_if = "CName::is_empty")]
    pub plabel: CName,
    /// `in_tag.ipt_tag`.
    #[serde(default, skip_serializing_if = "CName::is_empty")]
    pub tag: CName,
}

impl Default for NatRule {
    /// A zeroed `ipnat_t` (`calloc`), as `newnatrule()` starts.
    fn default() -> NatRule {
        NatRule {
            kind: Redir::Other(0),
            ifnames: [CName::default(), CName::default()],
            v: 0,
            flags: NatFlags(0),
            proto: 0,
            inside: [I6Addr::ZERO; 2],
            outside: [I6Addr::ZERO; 2],
            src: [I6Addr::ZERO; 2],
            scmp: PortCmp::default(),
            dcmp: PortCmp::default(),
            pmin: 0,
            pmax: 0,
            pnext: 0,
            ppip: 0,
            ippip: 0,
            space: 0,
            nextip: 0,
            age: [0, 0],
            mssclamp: 0,
            plabel: CName::default(),
            tag: CName::default(),
        }
    }
}

impl NatRule {
    /// The proxy port of a `map … proxy port P` rule, in host order.
    pub fn proxy_port(&self) -> u16 {
        if self.dcmp.op.is_none() {
            swap16(self.dcmp.port)
        } else {
            self.dcmp.port
        }
    }

    /// `in_inmsk` etc.: the IPv4 masks as values.
    pub fn in_mask4(&self) -> u32 {
        self.inside[1].word0()
    }

    pub fn out_mask4(&self) -> u32 {
        self.outside[1].word0()
    }

    /// What `nat_setgroupmap()` computes for `map-block` and for
    /// `portmap … auto`.
    pub fn set_group_map(&mut self) {
        const USABLE_PORTS: u32 = 65536 - 1024;
        if self.outside[1].0[..4] == self.inside[1].0[..4] {
            self.ippip = 1;
        } else if self.flags.has(NatFlags::AUTOPORTMAP) {
            // in_ippip is a u_short: each step truncates as the C does.
            let mut ippip = !self.in_mask4() as u16;
            if self.out_mask4() != 0xffff_ffff {
                ippip = (u32::from(ippip) / (!self.out_mask4()).wrapping_add(1).max(1)) as u16;
            }
            ippip = ippip.wrapping_add(1);
            if ippip == 0 {
                ippip = 1;
            }
            self.ippip = ippip;
            self.ppip = (USABLE_PORTS / u32::from(ippip)) as u16;
        } else {
            self.space = u64::from(USABLE_PORTS.wrapping_mul(!self.out_mask4()));
            self.nextip = 0;
            self.ppip = if self.pmin == 0 { 1 } else { self.pmin };
            self.ippip = (USABLE_PORTS / u32::from(self.ppip)) as u16;
        }
    }
}

/// `ipnat -l` shows a rule with the counters the kernel keeps for it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleCounters {
    /// `in_hits`.
    #[serde(default)]
    pub hits: u64,
    /// `in_use`.
    #[serde(default)]
    pub uses: u32,
    /// `in_hv`.
    #[serde(default)]
    pub hv: u32,
}
