//! The bytes of an illumos amd64 `ipnat_t` (384 bytes, offsets from
//! `netinet/ip_nat.h`, see the reference §4.5), built without `unsafe`:
//! `ipnat -d` dumps them, the kernel compares their tail to find duplicate
//! rules, and the `/dev/ipnat` backend sends them and reads the kernel's
//! rules back (`crate::sys::ipnat_abi::IpNat` declares the same layout and
//! asserts it).

use super::rule::{CName, CmpOp, I6Addr, NatFlags, NatRule, PortCmp, Redir, RuleCounters, swap16};

/// `sizeof (ipnat_t)` on amd64.
pub const IPNAT_SIZE: usize = 384;
/// `offsetof(ipnat_t, in_flags)`: where `IPN_CMPSIZ` starts.
pub const IPN_CMP_OFFSET: usize = 136;

mod off {
    pub const HITS: usize = 112;
    pub const USE: usize = 120;
    pub const HV: usize = 124;
    pub const SPACE: usize = 104;
    pub const NEXTIP: usize = 88;
    pub const PNEXT: usize = 132;
    pub const V: usize = 134;
    pub const FLAGS: usize = 136;
    pub const MSSCLAMP: usize = 140;
    pub const AGE: usize = 144;
    pub const REDIR: usize = 152;
    pub const P: usize = 156;
    pub const IN: usize = 160;
    pub const OUT: usize = 192;
    pub const SRC: usize = 224;
    pub const TUC: usize = 256;
    pub const PORT: usize = 276;
    pub const PPIP: usize = 280;
    pub const IPPIP: usize = 282;
    pub const IFNAMES: usize = 284;
    pub const PLABEL: usize = 348;
    pub const TAG: usize = 364;
}

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    b[at..at + v.len()].copy_from_slice(v);
}

fn put_addr(b: &mut [u8], at: usize, a: &[I6Addr; 2]) {
    put(b, at, &a[0].0);
    put(b, at + 16, &a[1].0);
}

/// The rule as the C structure holds it (x86 byte order; pointers NULL).
pub fn encode_ipnat(r: &NatRule, c: &RuleCounters) -> [u8; IPNAT_SIZE] {
    let mut b = [0u8; IPNAT_SIZE];
    put(&mut b, off::NEXTIP, &r.nextip.to_le_bytes());
    put(&mut b, off::SPACE, &r.space.to_le_bytes());
    put(&mut b, off::HITS, &c.hits.to_le_bytes());
    put(&mut b, off::USE, &c.uses.to_le_bytes());
    put(&mut b, off::HV, &c.hv.to_le_bytes());
    put(&mut b, off::PNEXT, &swap16(r.pnext).to_le_bytes());
    b[off::V] = r.v;
    put(&mut b, off::FLAGS, &r.flags.0.to_le_bytes());
    put(&mut b, off::MSSCLAMP, &r.mssclamp.to_le_bytes());
    put(&mut b, off::AGE, &r.age[0].to_le_bytes());
    put(&mut b, off::AGE + 4, &r.age[1].to_le_bytes());
    put(&mut b, off::REDIR, &r.kind.code().to_le_bytes());
    put(&mut b, off::P, &r.proto.to_le_bytes());
    put_addr(&mut b, off::IN, &r.inside);
    put_addr(&mut b, off::OUT, &r.outside);
    put_addr(&mut b, off::SRC, &r.src);
    // frtuc_t: ftu_tcpfm, ftu_tcpf, 2 bytes of padding, then the compares.
    put(&mut b, off::TUC + 4, &r.scmp.op.0.to_le_bytes());
    put(&mut b, off::TUC + 8, &r.scmp.port.to_le_bytes());
    put(&mut b, off::TUC + 10, &r.scmp.top.to_le_bytes());
    put(&mut b, off::TUC + 12, &r.dcmp.op.0.to_le_bytes());
    put(&mut b, off::TUC + 16, &r.dcmp.port.to_le_bytes());
    put(&mut b, off::TUC + 18, &r.dcmp.top.to_le_bytes());
    let (pmin, pmax) = if r.kind.code() == 4 {
        (r.pmin, r.pmax)
    } else {
        (swap16(r.pmin), swap16(r.pmax))
    };
    put(&mut b, off::PORT, &pmin.to_le_bytes());
    put(&mut b, off::PORT + 2, &pmax.to_le_bytes());
    put(&mut b, off::PPIP, &r.ppip.to_le_bytes());
    put(&mut b, off::IPPIP, &r.ippip.to_le_bytes());
    for (i, n) in r.ifnames.iter().enumerate() {
        let s = n.as_bytes();
        let len = s.len().min(31);
        put(&mut b, off::IFNAMES + 32 * i, &s[..len]);
    }
    let l = r.plabel.as_bytes();
    put(&mut b, off::PLABEL, &l[..l.len().min(16)]);
    let t = r.tag.as_bytes();
    put(&mut b, off::TAG, &t[..t.len().min(16)]);
    b
}

fn get<const N: usize>(b: &[u8; IPNAT_SIZE], at: usize) -> [u8; N] {
    let mut v = [0u8; N];
    v.copy_from_slice(&b[at..at + N]);
    v
}

fn get_addr(b: &[u8; IPNAT_SIZE], at: usize) -> [I6Addr; 2] {
    [I6Addr(get(b, at)), I6Addr(get(b, at + 16))]
}

/// The rule and its counters from the bytes the kernel hands back
/// (`SIOCGENITER`): the inverse of [`encode_ipnat`] (pointers and the
/// other kernel-only fields are not kept).
pub fn decode_ipnat(b: &[u8; IPNAT_SIZE]) -> (NatRule, RuleCounters) {
    let u16_at = |at| u16::from_le_bytes(get(b, at));
    let u32_at = |at| u32::from_le_bytes(get(b, at));
    let i32_at = |at| i32::from_le_bytes(get(b, at));
    let kind = Redir::from_code(i32_at(off::REDIR));
    let (pmin, pmax) = (u16_at(off::PORT), u16_at(off::PORT + 2));
    let (pmin, pmax) = if kind.code() == 4 {
        (pmin, pmax)
    } else {
        (swap16(pmin), swap16(pmax))
    };
    let cname = |at, len| CName::strncpy(&b[at..at + len], len);
    let rule = NatRule {
        kind,
        ifnames: [cname(off::IFNAMES, 32), cname(off::IFNAMES + 32, 32)],
        v: b[off::V],
        flags: NatFlags(u32_at(off::FLAGS)),
        proto: i32_at(off::P),
        inside: get_addr(b, off::IN),
        outside: get_addr(b, off::OUT),
        src: get_addr(b, off::SRC),
        scmp: PortCmp {
            op: CmpOp(i32_at(off::TUC + 4)),
            port: u16_at(off::TUC + 8),
            top: u16_at(off::TUC + 10),
        },
        dcmp: PortCmp {
            op: CmpOp(i32_at(off::TUC + 12)),
            port: u16_at(off::TUC + 16),
            top: u16_at(off::TUC + 18),
        },
        pmin,
        pmax,
        pnext: swap16(u16_at(off::PNEXT)),
        ppip: u16_at(off::PPIP),
        ippip: u16_at(off::IPPIP),
        space: u64::from_le_bytes(get(b, off::SPACE)),
        nextip: u32_at(off::NEXTIP),
        age: [u32_at(off::AGE), u32_at(off::AGE + 4)],
        mssclamp: u32_at(off::MSSCLAMP),
        plabel: cname(off::PLABEL, 16),
        tag: cname(off::TAG, 16),
    };
    let counters = RuleCounters {
        hits: u64::from_le_bytes(get(b, off::HITS)),
        uses: u32_at(off::USE),
        hv: u32_at(off::HV),
    };
    (rule, counters)
}

/// `binprint()`: `"%02x "` per byte, a newline after every 16, then one more.
pub fn binprint(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3 + bytes.len() / 16 + 1);
    for (i, b) in bytes.iter().enumerate() {
        s.push_str(&format!("{b:02x} "));
        if i % 16 == 15 {
            s.push('\n');
        }
    }
    s.push('\n');
    s
}

impl NatRule {
    /// Whether the kernel takes `other` for the same rule: the region it
    /// compares to find a duplicate (`IPN_CMPSIZ` bytes from `in_flags`,
    /// `nat_siocaddnat`/`nat_siocdelnat`), plus `in_pnext` for `rdr`.
    pub fn same_as(&self, other: &NatRule) -> bool {
        let a = encode_ipnat(self, &RuleCounters::default());
        let b = encode_ipnat(other, &RuleCounters::default());
        let cmp = IPN_CMP_OFFSET..IPNAT_SIZE;
        a[cmp.clone()] == b[cmp] && (self.kind.code() & 2 == 0 || self.pnext == other.pnext)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_of_a_map_rule() {
        let mut r = NatRule {
            kind: Redir::Map,
            v: 4,
            ..NatRule::default()
        };
        r.ifnames = [CName::from("eri0"), CName::from("eri0")];
        r.pmin = 1024;
        r.pmax = 65535;
        let b = encode_ipnat(&r, &RuleCounters::default());
        assert_eq!(b.len(), 384);
        assert_eq!(b[134], 4);
        assert_eq!(&b[152..156], &[1, 0, 0, 0]);
        assert_eq!(&b[276..280], &[0x04, 0x00, 0xff, 0xff]);
        assert_eq!(&b[284..289], b"eri0\0");
        assert_eq!(&b[316..320], b"eri0");
        let dump = binprint(&b[..17]);
        assert_eq!(dump.lines().next().map(str::len), Some(48));
        assert!(dump.ends_with("00 \n"));
    }
}
