//! Values the IP Filter rule structures share (`i6addr_t`, `frpcmp_t`,
//! the fixed-size name arrays), as the kernel holds them.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// An `i6addr_t`: 16 bytes in network order; an IPv4 address (or mask)
/// occupies the first four.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct I6Addr(pub [u8; 16]);

impl I6Addr {
    pub const ZERO: I6Addr = I6Addr([0; 16]);

    pub fn from_v4(a: Ipv4Addr) -> I6Addr {
        let mut b = [0u8; 16];
        b[..4].copy_from_slice(&a.octets());
        I6Addr(b)
    }

    pub fn from_v6(a: Ipv6Addr) -> I6Addr {
        I6Addr(a.octets())
    }

    /// The IPv4 address in the first word.
    pub fn v4(&self) -> Ipv4Addr {
        Ipv4Addr::new(self.0[0], self.0[1], self.0[2], self.0[3])
    }

    pub fn v6(&self) -> Ipv6Addr {
        Ipv6Addr::from(self.0)
    }

    /// The first 32-bit word (`.in4.s_addr`) as an address value.
    pub fn word0(&self) -> u32 {
        u32::from_be_bytes([self.0[0], self.0[1], self.0[2], self.0[3]])
    }

    pub fn set_word0(&mut self, w: u32) {
        self.0[..4].copy_from_slice(&w.to_be_bytes());
    }

    /// Whether this IPv4 address is in the network `net`/`mask`.
    pub fn in_v4_net(&self, net: &I6Addr, mask: &I6Addr) -> bool {
        self.word0() & mask.word0() == net.word0() & mask.word0()
    }

    pub fn is_zero(&self) -> bool {
        self.0 == [0; 16]
    }

    /// Bitwise AND with another (a mask).
    pub fn and(&self, m: &I6Addr) -> I6Addr {
        let mut b = self.0;
        for (x, y) in b.iter_mut().zip(m.0.iter()) {
            *x &= y;
        }
        I6Addr(b)
    }
}

impl fmt::Debug for I6Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

/// An address that only uses its first word prints as a dotted quad; any
/// other as IPv6 text. Parsing accepts both, so the bytes round-trip.
impl fmt::Display for I6Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0[4..] == [0; 12] {
            write!(f, "{}", self.v4())
        } else {
            write!(f, "{}", self.v6())
        }
    }
}

impl std::str::FromStr for I6Addr {
    type Err = String;
    fn from_str(s: &str) -> Result<I6Addr, String> {
        if s.contains(':') {
            s.parse::<Ipv6Addr>()
                .map(I6Addr::from_v6)
                .map_err(|_| format!("invalid address '{s}'"))
        } else {
            s.parse::<Ipv4Addr>()
                .map(I6Addr::from_v4)
                .map_err(|_| format!("invalid address '{s}'"))
        }
    }
}

impl Serialize for I6Addr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for I6Addr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<I6Addr, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// `frp_cmp`: how a port is compared (`FR_NONE` … `FR_INCRANGE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CmpOp(pub i32);

impl CmpOp {
    pub const NONE: CmpOp = CmpOp(0);
    pub const EQUAL: CmpOp = CmpOp(1);
    pub const NEQUAL: CmpOp = CmpOp(2);
    pub const LESST: CmpOp = CmpOp(3);
    pub const GREATERT: CmpOp = CmpOp(4);
    pub const LESSTE: CmpOp = CmpOp(5);
    pub const GREATERTE: CmpOp = CmpOp(6);
    pub const OUTRANGE: CmpOp = CmpOp(7);
    pub const INRANGE: CmpOp = CmpOp(8);
    pub const INCRANGE: CmpOp = CmpOp(9);

    pub fn is_none(self) -> bool {
        self.0 == 0
    }

    /// The operator `printportcmp` prints.
    pub fn symbol(self) -> &'static str {
        const OPS: [&str; 10] = ["*", "=", "!=", "<", ">", "<=", ">=", "<>", "><", ":"];
        usize::try_from(self.0)
            .ok()
            .and_then(|i| OPS.get(i).copied())
            .unwrap_or("?")
    }

    /// Whether a port matches `op port [top]`, as the kernel compares.
    pub fn matches(self, port: u16, lo: u16, hi: u16) -> bool {
        match self {
            CmpOp::NONE => true,
            CmpOp::EQUAL => port == lo,
            CmpOp::NEQUAL => port != lo,
            CmpOp::LESST => port < lo,
            CmpOp::GREATERT => port > lo,
            CmpOp::LESSTE => port <= lo,
            CmpOp::GREATERTE => port >= lo,
            CmpOp::OUTRANGE => port < lo || port > hi,
            CmpOp::INRANGE => port > lo && port < hi,
            CmpOp::INCRANGE => port >= lo && port <= hi,
            _ => false,
        }
    }
}

/// `frpcmp_t`: a port comparison (`from … port OP N`), ports in host order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortCmp {
    #[serde(default, skip_serializing_if = "no_op")]
    pub op: CmpOp,
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub port: u16,
    #[serde(default, skip_serializing_if = "is_zero16")]
    pub top: u16,
}

impl PortCmp {
    pub fn is_empty(&self) -> bool {
        *self == PortCmp::default()
    }
}

pub(crate) fn no_op(op: &CmpOp) -> bool {
    op.is_none()
}

pub(crate) fn is_zero16(v: &u16) -> bool {
    *v == 0
}

/// A fixed-size C character array (`in_ifnames[i]`, `in_plabel`,
/// `ipt_tag`): the bytes up to the first NUL, at most `N` of them.
///
/// A name of up to [`CName::INLINE`] bytes (all the usual ones) is kept
/// in place, a longer one on the heap: parsing a rule allocates nothing
/// for its names.
#[derive(Clone)]
pub struct CName(Store);

#[derive(Clone)]
enum Store {
    /// The length and the bytes.
    Inline(u8, [u8; CName::INLINE]),
    Heap(Box<[u8]>),
}

impl CName {
    /// The longest name kept in place (which keeps a `CName` as small as
    /// a `Vec`).
    const INLINE: usize = 22;

    fn new(b: &[u8]) -> CName {
        match u8::try_from(b.len()) {
            Ok(n) if b.len() <= CName::INLINE => {
                let mut buf = [0; CName::INLINE];
                buf[..b.len()].copy_from_slice(b);
                CName(Store::Inline(n, buf))
            }
            _ => CName(Store::Heap(b.into())),
        }
    }

    /// `strncpy(dst, src, max)`: stops at a NUL, keeps at most `max` bytes.
    pub fn strncpy(src: &[u8], max: usize) -> CName {
        let end = src.iter().position(|&b| b == 0).unwrap_or(src.len());
        CName::new(&src[..end.min(max)])
    }

    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Store::Inline(n, b) => &b[..usize::from(*n)],
            Store::Heap(b) => b,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }
}

impl Default for CName {
    fn default() -> CName {
        CName::new(&[])
    }
}

impl PartialEq for CName {
    fn eq(&self, other: &CName) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for CName {}

impl std::hash::Hash for CName {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.as_bytes().hash(h);
    }
}

impl PartialOrd for CName {
    fn partial_cmp(&self, other: &CName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CName {
    fn cmp(&self, other: &CName) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl fmt::Debug for CName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl fmt::Display for CName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", String::from_utf8_lossy(self.as_bytes()))
    }
}

impl From<&str> for CName {
    fn from(s: &str) -> CName {
        CName::strncpy(s.as_bytes(), usize::MAX)
    }
}

/// UTF-8 names serialize as strings, others as byte arrays, so that every
/// name round-trips exactly.
impl Serialize for CName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match std::str::from_utf8(self.as_bytes()) {
            Ok(t) => s.serialize_str(t),
            Err(_) => self.as_bytes().serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for CName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CName, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Text(String),
            Bytes(Vec<u8>),
        }
        let b = match Repr::deserialize(d)? {
            Repr::Text(t) => t.into_bytes(),
            Repr::Bytes(b) => b,
        };
        if b.contains(&0) {
            return Err(serde::de::Error::custom("a name cannot contain NUL"));
        }
        Ok(CName::new(&b))
    }
}

/// `count4bits()`: the prefix length of a contiguous IPv4 mask, or `None`.
pub fn count4bits(m: u32) -> Option<u32> {
    let ones = m.leading_ones();
    let canon = if ones == 0 {
        0
    } else {
        u32::MAX << (32 - ones)
    };
    (canon == m).then_some(ones)
}
