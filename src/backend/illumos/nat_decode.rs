//! From the bytes the illumos IP Filter kernel copies out (amd64, little
//! endian) to the model's NAT types: `natstat_t` → [`NatStats`], `nat_t` →
//! [`NatSession`], `hostmap_t` → [`HostMap`], `ipnat_t` → [`NatRule`]
//! (through `ipnat::abi`); the version check (`friostat_t` in either of
//! its layouts, the choice of that layout: `sys::ipf_decode`, shared with
//! `ipf`, re-exported here) in the NAT backend's error terms; and (from
//! `sys::ipf_decode` too) the `SIOCGENITER` walk. Plain code, tested everywhere on byte images laid
//! out by the reference's offsets; the offsets used here come from the
//! `#[repr(C)]` declarations of `sys::ipnat_abi`.

use crate::backend::nat::{Errno, VersionError};
use crate::ipnat::abi::{self, IPNAT_SIZE};
use crate::ipnat::rule::{CName, I6Addr, NatRule, Redir, RuleCounters};
use crate::ipnat::session::{HostMap, NatSession, NatStats};
use crate::sys::ipf_decode::FriostatError;
pub use crate::sys::ipf_decode::walk;
use crate::sys::ipnat_abi::{self as sys_abi, LIFNAMSIZ, off};

// The layers above and the kernel ABI agree. `sys` knows no higher layer,
// so the checks that tie the two together live here, where both meet: the
// rule encoder writes the `ipnat_t` that `sys` declares, and the NAT
// trait's flush arguments are passed through to SIOCIPFFL unchanged.
const _: () = assert!(IPNAT_SIZE == sys_abi::IPNAT_T_SIZE);
const _: () = assert!(abi::IPN_CMP_OFFSET == sys_abi::IPN_CMP_OFFSET);
const _: () = assert!(crate::backend::nat::FLUSH_LIST == sys_abi::FLUSH_LIST);
const _: () = assert!(crate::backend::nat::FLUSH_TABLE_ALL == sys_abi::FLUSH_TABLE_ALL);

fn bytes<const N: usize>(b: &[u8], at: usize) -> [u8; N] {
    let mut v = [0u8; N];
    v.copy_from_slice(&b[at..at + N]);
    v
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes(b, at))
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

/// A port the kernel keeps in network order, as a number.
fn port_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes(bytes(b, at))
}

fn addr_at(b: &[u8], at: usize) -> I6Addr {
    I6Addr(bytes(b, at))
}

/// `nat_v`, `hm_v`: 4 or 6 (anything else is kept as 0, which prints as
/// IPv4 the way `printactivenat` treats every non-6 value).
fn version(v: i32) -> u8 {
    u8::try_from(v).unwrap_or(0)
}

/// `natstat_t`.
pub fn nat_stats(b: &[u8]) -> NatStats {
    NatStats {
        mapped: [u64_at(b, off::NS_MAPPED), u64_at(b, off::NS_MAPPED + 8)],
        added: u64_at(b, off::NS_ADDED),
        expired: u64_at(b, off::NS_EXPIRE),
        memfail: u64_at(b, off::NS_MEMFAIL),
        badnat: u64_at(b, off::NS_BADNAT),
        inuse: u64_at(b, off::NS_INUSE),
        orphans: u32_at(b, off::NS_ORPHANS),
        rules: u64_at(b, off::NS_RULES),
        wilds: u32_at(b, off::NS_WILDS),
        list: u64_at(b, off::NS_LIST),
        instances: u64_at(b, off::NS_INSTANCES),
        maplist: u64_at(b, off::NS_MAPLIST),
    }
}

/// `nat_t`. Addresses stay in network order (as `i6addr_t` holds them);
/// ports are turned into numbers (`ntohs`), counters are native.
pub fn session(b: &[u8]) -> NatSession {
    let name = |i: usize| {
        let at = off::NAT_IFNAMES + i * LIFNAMSIZ;
        CName::strncpy(&b[at..at + LIFNAMSIZ], LIFNAMSIZ)
    };
    NatSession {
        kind: Redir::from_code(i32_at(b, off::NAT_REDIR)),
        flags: u32_at(b, off::NAT_FLAGS),
        v: version(i32_at(b, off::NAT_V)),
        proto: b[off::NAT_P],
        inside: addr_at(b, off::NAT_INIP6),
        inside_port: port_at(b, off::NAT_INPORT),
        outside: addr_at(b, off::NAT_OUTIP6),
        outside_port: port_at(b, off::NAT_OUTPORT),
        remote: addr_at(b, off::NAT_OIP6),
        remote_port: port_at(b, off::NAT_OPORT),
        age: u64_at(b, off::NAT_AGE),
        uses: u16_at(b, off::NAT_USE),
        sumd: [u32_at(b, off::NAT_SUMD), u32_at(b, off::NAT_SUMD + 4)],
        ipsumd: u32_at(b, off::NAT_IPSUMD),
        hv: [i32_at(b, off::NAT_HV), i32_at(b, off::NAT_HV + 4)],
        bytes: [u64_at(b, off::NAT_BYTES), u64_at(b, off::NAT_BYTES + 8)],
        pkts: [u64_at(b, off::NAT_PKTS), u64_at(b, off::NAT_PKTS + 8)],
        ifnames: [name(0), name(1)],
    }
}

/// `hostmap_t`.
pub fn hostmap(b: &[u8]) -> HostMap {
    HostMap {
        src: addr_at(b, off::HM_SRC),
        dst: addr_at(b, off::HM_DST),
        map: addr_at(b, off::HM_MAP),
        port: u32_at(b, off::HM_PORT),
        refs: i32_at(b, off::HM_REF),
        v: version(i32_at(b, off::HM_V)),
    }
}

/// `ipnat_t`, through the same code that writes it.
pub fn rule(b: &[u8]) -> (NatRule, RuleCounters) {
    abi::decode_ipnat(&bytes::<IPNAT_SIZE>(b, 0))
}

/// A failed `SIOCGETFS` of the version check (`sys::ipf_decode`, shared
/// with `ipf`), in the NAT backend's terms.
pub fn version_error(e: FriostatError) -> VersionError {
    match e {
        FriostatError::Ioctl(e) => VersionError::Ioctl(Errno(e)),
        FriostatError::UnknownLayout(sizes) => VersionError::UnknownLayout(sizes),
    }
}

#[cfg(test)]
mod tests {
    //! The images are laid out with the reference's literal offsets
    //! (`ipnat.md` §4.5), independently of `sys::ipnat_abi`.

    use super::*;
    use crate::backend::sim::BuiltinNetdb;
    use crate::sys::ipf_decode::{
        self, Friostat, LayoutMemory, check_version, friostat, layouts_to_try, pointer_at,
    };
    use crate::sys::ipnat_abi::FriostatLayout;

    /// The version check's `SIOCGETFS`, failures in the backend's terms.
    fn get_friostat(
        memory: &LayoutMemory,
        get_fs: impl FnMut(FriostatLayout) -> Result<Vec<u8>, i32>,
    ) -> Result<Friostat, VersionError> {
        ipf_decode::get_friostat(memory, get_fs).map_err(version_error)
    }
    use crate::ipnat::print::{self, Out};
    use crate::ipnat::session::SI_CLONE;
    use crate::sys::ipnat_abi::{
        FRIOSTAT_T_MAX_SIZE, HOSTMAP_T_SIZE, IPNAT_T_SIZE, NAT_T_SIZE, NATSTAT_T_SIZE,
    };
    use std::net::Ipv4Addr;

    fn put(b: &mut [u8], at: usize, v: &[u8]) {
        b[at..at + v.len()].copy_from_slice(v);
    }

    fn v4(s: &str) -> [u8; 4] {
        s.parse::<Ipv4Addr>().unwrap().octets()
    }

    /// The reference's example session: MAP 192.168.0.100:37153 translated
    /// to 192.168.84.24:26333, talking to 129.146.17.55:22 (TCP).
    fn map_session_image() -> Vec<u8> {
        let mut b = vec![0u8; 480];
        put(&mut b, 32, &0xffff_fe00_1234_5678_u64.to_le_bytes()); // nat_next
        put(&mut b, 192, &123_456_u64.to_le_bytes()); // nat_tqe.tqe_die
        put(&mut b, 224, &0x1_u32.to_le_bytes()); // nat_flags: IPN_TCP
        put(&mut b, 228, &0x0001_2345_u32.to_le_bytes()); // nat_sumd[0]
        put(&mut b, 232, &0_u32.to_le_bytes()); // nat_sumd[1]
        put(&mut b, 236, &0xabcd_u32.to_le_bytes()); // nat_ipsumd
        put(&mut b, 248, &v4("192.168.0.100")); // nat_inip6
        put(&mut b, 264, &v4("192.168.84.24")); // nat_outip6
        put(&mut b, 280, &v4("129.146.17.55")); // nat_oip6
        put(&mut b, 296, &7_u64.to_le_bytes()); // nat_pkts[0]
        put(&mut b, 304, &9_u64.to_le_bytes()); // nat_pkts[1]
        put(&mut b, 312, &700_u64.to_le_bytes()); // nat_bytes[0]
        put(&mut b, 320, &900_u64.to_le_bytes()); // nat_bytes[1]
        put(&mut b, 328, &37153_u16.to_be_bytes()); // nat_inport
        put(&mut b, 330, &26333_u16.to_be_bytes()); // nat_outport
        put(&mut b, 380, &22_u16.to_be_bytes()); // nat_oport
        put(&mut b, 382, &1_u16.to_le_bytes()); // nat_use
        b[384] = 6; // nat_p
        put(&mut b, 388, &1_i32.to_le_bytes()); // nat_dir
        put(&mut b, 396, &1021_i32.to_le_bytes()); // nat_hv[0]
        put(&mut b, 400, &77_i32.to_le_bytes()); // nat_hv[1]
        put(&mut b, 404, b"eri0"); // nat_ifnames[0]
        put(&mut b, 436, b"eri0"); // nat_ifnames[1]
        put(&mut b, 472, &4_i32.to_le_bytes()); // nat_v
        put(&mut b, 476, &1_i32.to_le_bytes()); // nat_redir: NAT_MAP
        b
    }

    #[test]
    fn sizes_match_the_reference() {
        assert_eq!(
            (
                IPNAT_T_SIZE,
                NAT_T_SIZE,
                HOSTMAP_T_SIZE,
                NATSTAT_T_SIZE,
                FRIOSTAT_T_MAX_SIZE
            ),
            (384, 480, 104, 240, 824)
        );
    }

    #[test]
    fn a_map_session() {
        let s = session(&map_session_image());
        assert_eq!(s.kind, Redir::Map);
        assert_eq!(s.flags, 1);
        assert_eq!((s.v, s.proto), (4, 6));
        assert_eq!(s.inside.v4(), Ipv4Addr::new(192, 168, 0, 100));
        assert_eq!(s.outside.v4(), Ipv4Addr::new(192, 168, 84, 24));
        assert_eq!(s.remote.v4(), Ipv4Addr::new(129, 146, 17, 55));
        assert_eq!(
            (s.inside_port, s.outside_port, s.remote_port),
            (37153, 26333, 22)
        );
        assert_eq!((s.age, s.uses), (123_456, 1));
        assert_eq!((s.sumd, s.ipsumd), ([0x0001_2345, 0], 0xabcd));
        assert_eq!(s.hv, [1021, 77]);
        assert_eq!((s.pkts, s.bytes), ([7, 9], [700, 900]));
        assert_eq!(s.ifnames[0].as_bytes(), b"eri0");
        assert_eq!(s.ifnames[1].as_bytes(), b"eri0");
    }

    #[test]
    fn the_session_prints_as_illumos_does() {
        let s = session(&map_session_image());
        let mut o = Out::default();
        print::printactivenat(&mut o, &s, false, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "MAP 192.168.0.100   37153 <- -> 192.168.84.24   26333 [129.146.17.55 22]\n"
        );
        let mut o = Out::default();
        print::printactivenat(&mut o, &s, true, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "MAP 192.168.0.100   37153 <- -> 192.168.84.24   26333 [129.146.17.55 22]\n\
             \tage 123456 use 1 sumd 0x12345/0 pr 6 bkt 1021/77 flags 1\n\
             \tifp @,@ bytes 700/900 pkts 7/9 ipsumd abcd\n"
        );
    }

    #[test]
    fn an_icmp_rdr_clone_session_and_an_ipv6_one() {
        let mut b = vec![0u8; 480];
        put(&mut b, 224, &SI_CLONE.to_le_bytes());
        put(&mut b, 248, &v4("10.1.1.1"));
        put(&mut b, 264, &v4("10.2.2.2"));
        put(&mut b, 280, &v4("10.4.3.2"));
        put(&mut b, 328, &0x1234_u16.to_be_bytes()); // nat_id, not a port
        b[384] = 1;
        put(&mut b, 472, &4_i32.to_le_bytes());
        put(&mut b, 476, &2_i32.to_le_bytes());
        let s = session(&b);
        assert_eq!(s.kind, Redir::Rdr);
        let mut o = Out::default();
        print::printactivenat(&mut o, &s, false, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "RDR CLONE 10.1.1.1        <- -> 10.2.2.2        [10.4.3.2]\n"
        );

        let mut b = vec![0u8; 480];
        let a6 = "2001:db8::1"
            .parse::<std::net::Ipv6Addr>()
            .unwrap()
            .octets();
        put(&mut b, 248, &a6);
        put(&mut b, 472, &6_i32.to_le_bytes());
        put(&mut b, 476, &0x10_i32.to_le_bytes());
        let s = session(&b);
        assert_eq!((s.v, s.kind), (6, Redir::Other(0x10)));
        assert_eq!(s.inside.v6().to_string(), "2001:db8::1");
    }

    #[test]
    fn a_hostmap() {
        let mut b = vec![0u8; 104];
        put(&mut b, 0, &0xffff_fe00_0000_1000_u64.to_le_bytes());
        put(&mut b, 40, &v4("192.168.0.100"));
        put(&mut b, 56, &v4("129.146.17.55"));
        put(&mut b, 72, &v4("192.168.84.24"));
        put(&mut b, 88, &26333_u32.to_le_bytes());
        put(&mut b, 92, &2_i32.to_le_bytes());
        put(&mut b, 96, &4_i32.to_le_bytes());
        let h = hostmap(&b);
        assert_eq!(h.src.v4(), Ipv4Addr::new(192, 168, 0, 100));
        assert_eq!(h.dst.v4(), Ipv4Addr::new(129, 146, 17, 55));
        assert_eq!(h.map.v4(), Ipv4Addr::new(192, 168, 84, 24));
        assert_eq!((h.port, h.refs, h.v), (26333, 2, 4));
        let mut o = Out::default();
        print::printhostmap(&mut o, &h);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "192.168.0.100,129.146.17.55 -> 192.168.84.24 (use = 2 hv = 0)\n"
        );
    }

    #[test]
    fn nat_statistics() {
        let mut b = vec![0u8; 240];
        let ul = |b: &mut Vec<u8>, at: usize, v: u64| put(b, at, &v.to_le_bytes());
        ul(&mut b, 0, 11); // ns_mapped[0]
        ul(&mut b, 8, 12); // ns_mapped[1]
        ul(&mut b, 16, 2); // ns_rules
        ul(&mut b, 24, 5); // ns_added
        ul(&mut b, 32, 4); // ns_expire
        ul(&mut b, 40, 1); // ns_inuse
        ul(&mut b, 48, 99); // ns_logged (not shown)
        ul(&mut b, 64, 3); // ns_memfail
        ul(&mut b, 72, 6); // ns_badnat
        ul(&mut b, 112, 0xffff_fe00_0000_2000); // ns_list
        put(&mut b, 128, &7_u32.to_le_bytes()); // ns_wilds
        put(&mut b, 132, &2047_u32.to_le_bytes()); // ns_nattab_sz (not shown)
        ul(&mut b, 160, 0xffff_fe00_0000_3000); // ns_instances
        ul(&mut b, 176, 0xffff_fe00_0000_4000); // ns_maplist
        put(&mut b, 200, &8_u32.to_le_bytes()); // ns_orphans
        let ns = nat_stats(&b);
        assert_eq!(
            ns,
            NatStats {
                mapped: [11, 12],
                added: 5,
                expired: 4,
                memfail: 3,
                badnat: 6,
                inuse: 1,
                orphans: 8,
                rules: 2,
                wilds: 7,
                list: 0xffff_fe00_0000_2000,
                instances: 0xffff_fe00_0000_3000,
                maplist: 0xffff_fe00_0000_4000,
            }
        );
        let mut o = Out::default();
        print::printstats(&mut o, &ns, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "mapped\tin\t11\tout\t12\nadded\t5\texpired\t4\nno memory\t3\tbad nat\t6\n\
             inuse\t1\norphans\t8\nrules\t2\nwilds\t7\n"
        );
    }

    /// The article's rule, as `ipnat -f` sends it and as the kernel hands
    /// it back (with `in_next`, counters and the fields it fills in).
    #[test]
    fn a_rule_from_the_kernel() {
        let sent: NatRule = parse_one("map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto\n");
        let mut b = abi::encode_ipnat(&sent, &RuleCounters::default()).to_vec();
        put(&mut b, 0, &0xffff_fe00_0000_5000_u64.to_le_bytes()); // in_next
        put(&mut b, 56, &0xffff_fe00_0000_6000_u64.to_le_bytes()); // in_ifps[0]
        put(&mut b, 112, &42_u64.to_le_bytes()); // in_hits
        put(&mut b, 120, &3_u32.to_le_bytes()); // in_use
        put(&mut b, 124, &17_u32.to_le_bytes()); // in_hv
        put(&mut b, 132, &1024_u16.to_le_bytes()); // in_pnext = ntohs(in_pmin)
        // Fields the reference places: in_v, in_flags, in_redir, ports.
        assert_eq!(b[134], 4);
        assert_eq!(&b[136..140], &(0x13_u32).to_le_bytes()); // TCPUDP|AUTOPORTMAP
        assert_eq!(&b[152..156], &1_i32.to_le_bytes());
        assert_eq!(&b[160..164], &v4("192.168.0.0"));
        assert_eq!(&b[176..180], &v4("255.255.255.0"));
        assert_eq!(&b[208..212], &v4("255.255.255.255"));
        assert_eq!(&b[276..280], &[0x04, 0x00, 0xff, 0xff]); // htons 1024, 65535
        assert_eq!(&b[284..289], b"eri0\0");

        assert_eq!(pointer_at(&b, off::IN_NEXT), 0xffff_fe00_0000_5000);
        let (got, counters) = rule(&b);
        assert_eq!(
            counters,
            RuleCounters {
                hits: 42,
                uses: 3,
                hv: 17
            }
        );
        let mut expect = sent.clone();
        expect.pnext = 1024_u16.swap_bytes();
        assert_eq!(got, expect);
        assert!(got.same_as(&sent));
        let mut o = Out::default();
        print::printnat(&mut o, &BuiltinNetdb, &got, &counters, false);
        assert_eq!(
            String::from_utf8(o.out).unwrap(),
            "map eri0 192.168.0.0/24 -> 0.0.0.0/32 portmap tcp/udp auto\n"
        );
    }

    /// Every field `encode_ipnat` writes comes back from `decode_ipnat`.
    #[test]
    fn rules_round_trip_through_the_bytes() {
        for text in [
            "map eri0 192.168.0.0/24 -> 0/32\n",
            "map-block le0 10.0.0.0/16 -> 203.0.113.0/24 ports 256\n",
            "bimap le0,ppp0 10.1.1.1/32 -> 1.2.3.4/32 frag age 30/20 mssclamp 1400 tag foo\n",
            "rdr le0 9.8.7.6/32 port 80 -> 1.1.1.1,1.1.1.2 port 8080 tcp round-robin sticky\n",
            "map fxp0 from 192.168.0.0/18 to any port = 21 -> 1.2.3.4/32 proxy port 21 ftp/tcp\n",
            "rdr le0 from any to 9.8.7.6/32 port > 1000 -> 1.1.1.1 port = 888 udp\n",
            "map le0 2001:db8::/64 -> 2001:db8:1::1/128 portmap udp 1025:2000 sequential\n",
            "map le0 10.0.0.0/8 -> range 1.2.3.4-1.2.3.9 icmpidmap icmp 100:200\n",
        ] {
            let r = parse_one(text);
            let b = abi::encode_ipnat(
                &r,
                &RuleCounters {
                    hits: 5,
                    uses: 6,
                    hv: 7,
                },
            );
            let (back, c) = rule(&b);
            assert_eq!(back, r, "{text}");
            assert_eq!((c.hits, c.uses, c.hv), (5, 6, 7), "{text}");
            assert_eq!(abi::encode_ipnat(&back, &c), b, "{text}");
        }
    }

    /// What `SIOCADNAT` receives: every field where the reference puts it,
    /// and zero in every byte no field owns (the kernel compares the
    /// padding too when it looks for a duplicate).
    #[test]
    fn the_sent_image_has_every_field_in_place_and_zeroed_padding() {
        let mut r = parse_one(
            "bimap le0,ppp0 from 10.1.0.0/16 port = 5 to 9.9.9.9/32 port 6 >< 8 \
             -> 1.2.3.4/32 frag age 30/20 mssclamp 1400 tag abcdefghijklmnopq tcp\n",
        );
        r.pmin = 0x0102;
        r.pmax = 0x0304;
        r.pnext = 0x0506;
        r.ppip = 0x0708;
        r.ippip = 0x090a;
        r.space = 0x1122_3344_5566_7788;
        r.nextip = 0x0a0b_0c0d;
        r.plabel = CName::from("ftp");
        let c = RuleCounters {
            hits: 0x99,
            uses: 0x98,
            hv: 0x97,
        };
        let b = abi::encode_ipnat(&r, &c);
        let mut owned = [false; 384];
        let mut at = |o: usize, v: &[u8]| {
            assert_eq!(&b[o..o + v.len()], v, "at {o}");
            owned[o..o + v.len()].fill(true);
        };
        at(88, &0x0a0b_0c0d_u32.to_le_bytes()); // in_nip (host order)
        at(104, &0x1122_3344_5566_7788_u64.to_le_bytes()); // in_space
        at(112, &0x99_u64.to_le_bytes()); // in_hits
        at(120, &0x98_u32.to_le_bytes()); // in_use
        at(124, &0x97_u32.to_le_bytes()); // in_hv
        at(132, &[0x05, 0x06]); // in_pnext, network order
        at(134, &[4]); // in_v
        at(136, &r.flags.0.to_le_bytes()); // in_flags
        at(140, &1400_u32.to_le_bytes()); // in_mssclamp
        at(144, &30_u32.to_le_bytes()); // in_age[0]
        at(148, &20_u32.to_le_bytes()); // in_age[1]
        at(152, &3_i32.to_le_bytes()); // in_redir: NAT_BIMAP
        at(156, &r.proto.to_le_bytes()); // in_p
        at(160, &v4("10.1.0.0")); // in_in[0]
        at(164, &[0; 12]);
        at(176, &v4("255.255.0.0")); // in_in[1]
        at(180, &[0; 12]);
        at(192, &v4("1.2.3.4")); // in_out[0]
        at(196, &[0; 12]);
        at(208, &v4("255.255.255.255")); // in_out[1]
        at(212, &[0; 12]);
        at(224, &v4("9.9.9.9")); // in_src[0]
        at(228, &[0; 12]);
        at(240, &v4("255.255.255.255")); // in_src[1]
        at(244, &[0; 12]);
        at(260, &1_i32.to_le_bytes()); // in_scmp: FR_EQUAL
        at(264, &5_u16.to_le_bytes()); // in_sport (host order)
        at(266, &0_u16.to_le_bytes()); // in_stop
        at(268, &8_i32.to_le_bytes()); // in_dcmp: FR_INRANGE
        at(272, &6_u16.to_le_bytes()); // in_dport
        at(274, &8_u16.to_le_bytes()); // in_dtop
        at(276, &[0x01, 0x02, 0x03, 0x04]); // in_pmin, in_pmax (network)
        at(280, &0x0708_u16.to_le_bytes()); // in_ppip
        at(282, &0x090a_u16.to_le_bytes()); // in_ippip
        at(284, b"le0\0"); // in_ifnames[0]
        at(316, b"ppp0\0"); // in_ifnames[1]
        at(348, b"ftp\0"); // in_plabel
        at(364, b"abcdefghijklmnop"); // in_tag (16 bytes, no NUL)
        // The pointers (0..88) and everything no field owns are zero.
        for (i, byte) in b.iter().enumerate() {
            if !owned[i] {
                assert_eq!(*byte, 0, "byte {i}");
            }
        }
    }

    fn parse_one(text: &str) -> NatRule {
        let mut rules = Vec::new();
        crate::ipnat::parse(text.as_bytes(), &BuiltinNetdb, &mut |e| {
            if let crate::ipnat::Event::Rule(r) = e {
                rules.push(r.rule);
            }
        })
        .unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(rules.len(), 1, "{text}");
        rules.remove(0)
    }

    /// A `friostat_t` image of `size` bytes with `f_running` at `running_at`
    /// and `version` at `version_at` (literal offsets from the headers).
    fn friostat_image(
        size: usize,
        running_at: usize,
        version_at: usize,
        version: &[u8],
    ) -> Vec<u8> {
        let mut b = vec![0u8; size];
        // Something in every other byte, so a decoder reading the wrong
        // offsets cannot come out right by accident.
        for (i, x) in b.iter_mut().enumerate() {
            *x = (i % 251) as u8 | 0x80;
        }
        put(&mut b, running_at, &1_i32.to_le_bytes());
        put(&mut b, version_at, &[0; 32]);
        put(&mut b, version_at, version);
        b
    }

    #[test]
    fn both_friostat_layouts_decode() {
        // 2019 and later: 824 bytes, f_running 776, f_version 788.
        let b = friostat_image(824, 776, 788, b"IP Filter: v4.1.9");
        let fs = friostat(FriostatLayout::Current, &b);
        assert_eq!(fs.layout, FriostatLayout::Current);
        assert_eq!(fs.running, 1);
        assert_eq!(fs.version, b"IP Filter: v4.1.9");
        assert_eq!(check_version(&fs), Ok(()));
        // Before: 808 bytes, f_running 760, f_version 772.
        let b = friostat_image(808, 760, 772, b"IP Filter: v4.1.9");
        let fs = friostat(FriostatLayout::Pre2019, &b);
        assert_eq!(fs.running, 1);
        assert_eq!(check_version(&fs), Ok(()));
        // Read in the other layout, neither image says anything sensible.
        let b = friostat_image(824, 776, 788, b"IP Filter: v4.1.9");
        assert_ne!(
            check_version(&friostat(FriostatLayout::Pre2019, &b)),
            Ok(())
        );
        let b = friostat_image(808, 760, 772, b"IP Filter: v4.1.9");
        let b = [b, vec![0; 16]].concat();
        assert_ne!(
            check_version(&friostat(FriostatLayout::Current, &b)),
            Ok(())
        );
    }

    #[test]
    fn the_version_check() {
        for (size, running, version) in [(824, 776, 788), (808, 760, 772)] {
            let layout = if size == 824 {
                FriostatLayout::Current
            } else {
                FriostatLayout::Pre2019
            };
            let check = |v: &[u8]| {
                check_version(&friostat(
                    layout,
                    &friostat_image(size, running, version, v),
                ))
            };
            assert_eq!(check(b"IP Filter: v4.1.9"), Ok(()));
            assert_eq!(
                check(b"IP Filter: v4.1.99"),
                Err("IP Filter: v4.1.99".to_string())
            );
            assert_eq!(check(&[b'x'; 32]), Err("x".repeat(32)));
            assert_eq!(check(b""), Err(String::new()));
        }
    }

    /// A kernel's SIOCGETFS as `get_friostat` sees it: the errno for each
    /// size, or (for `accepts`) an image of that layout; every call noted.
    struct FakeGetFs {
        accepts: Option<usize>,
        other_errno: Option<i32>,
        calls: Vec<usize>,
    }

    impl FakeGetFs {
        fn new(accepts: Option<usize>) -> FakeGetFs {
            FakeGetFs {
                accepts,
                other_errno: None,
                calls: Vec::new(),
            }
        }

        fn call(&mut self, l: FriostatLayout) -> Result<Vec<u8>, i32> {
            self.calls.push(l.size());
            if let Some(e) = self.other_errno {
                return Err(e);
            }
            match self.accepts {
                Some(824) if l.size() == 824 => {
                    Ok(friostat_image(824, 776, 788, b"IP Filter: v4.1.9"))
                }
                Some(808) if l.size() == 808 => {
                    Ok(friostat_image(808, 760, 772, b"IP Filter: v4.1.9"))
                }
                _ => Err(22),
            }
        }
    }

    #[test]
    fn a_current_kernel_answers_the_first_try() {
        let memory = LayoutMemory::new();
        let mut k = FakeGetFs::new(Some(824));
        let fs = get_friostat(&memory, |l| k.call(l)).unwrap();
        assert_eq!((fs.layout, fs.running), (FriostatLayout::Current, 1));
        assert_eq!(check_version(&fs), Ok(()));
        assert_eq!(k.calls, [824]);
        assert_eq!(memory.get(), Some(FriostatLayout::Current));
    }

    #[test]
    fn an_older_kernel_refuses_824_and_takes_808_which_is_remembered() {
        let memory = LayoutMemory::new();
        let mut k = FakeGetFs::new(Some(808));
        let fs = get_friostat(&memory, |l| k.call(l)).unwrap();
        assert_eq!((fs.layout, fs.running), (FriostatLayout::Pre2019, 1));
        assert_eq!(check_version(&fs), Ok(()));
        assert_eq!(k.calls, [824, 808]);
        assert_eq!(memory.get(), Some(FriostatLayout::Pre2019));
        // The next check asks in the remembered layout first.
        k.calls.clear();
        get_friostat(&memory, |l| k.call(l)).unwrap();
        assert_eq!(k.calls, [808]);
    }

    #[test]
    fn a_kernel_refusing_both_layouts_fails_the_version_check() {
        let memory = LayoutMemory::new();
        let mut k = FakeGetFs::new(None);
        assert_eq!(
            get_friostat(&memory, |l| k.call(l)),
            Err(VersionError::UnknownLayout(vec![824, 808]))
        );
        assert_eq!(k.calls, [824, 808]);
        assert_eq!(memory.get(), None);
    }

    #[test]
    fn another_errno_is_the_ioctl_error() {
        for e in [5, 13, 16] {
            let memory = LayoutMemory::new();
            let mut k = FakeGetFs::new(Some(808));
            k.other_errno = Some(e);
            assert_eq!(
                get_friostat(&memory, |l| k.call(l)),
                Err(VersionError::Ioctl(Errno(e)))
            );
            // Not tried further: the kernel answered, and not about size.
            assert_eq!(k.calls, [824]);
            assert_eq!(memory.get(), None);
        }
    }

    #[test]
    fn the_layout_memory_remembers_each_layout() {
        let memory = LayoutMemory::default();
        assert_eq!(memory.get(), None);
        for l in FriostatLayout::ALL {
            memory.set(l);
            assert_eq!(memory.get(), Some(l));
        }
    }

    #[test]
    fn the_order_of_trial() {
        use FriostatLayout::*;
        assert_eq!(layouts_to_try(None), [Current, Pre2019]);
        assert_eq!(layouts_to_try(Some(Current)), [Current, Pre2019]);
        assert_eq!(layouts_to_try(Some(Pre2019)), [Pre2019, Current]);
    }

    /// A kernel list behind `SIOCGENITER`, as `nat_getnext` serves it: one
    /// item per call, then (after the last) an all-zero structure.
    struct FakeList {
        items: Vec<Vec<u8>>,
        calls: usize,
        fail_at: Option<usize>,
    }

    impl FakeList {
        fn new(n: usize, size: usize, next_at: usize) -> FakeList {
            let items = (0..n)
                .map(|i| {
                    let mut b = vec![0u8; size];
                    b[size - 1] = i as u8 + 1;
                    let next = if i + 1 < n {
                        0x1000 * (i as u64 + 2)
                    } else {
                        0
                    };
                    put(&mut b, next_at, &next.to_le_bytes());
                    b
                })
                .collect();
            FakeList {
                items,
                calls: 0,
                fail_at: None,
            }
        }

        fn step(&mut self, size: usize) -> Result<Vec<u8>, i32> {
            let i = self.calls;
            self.calls += 1;
            if self.fail_at == Some(i) {
                return Err(22);
            }
            // The kernel copies into a larger buffer: the rest stays zero.
            let mut buf = vec![0u8; 4096];
            if let Some(item) = self.items.get(i) {
                buf[..size].copy_from_slice(item);
            }
            Ok(buf)
        }
    }

    #[test]
    fn walking_a_list() {
        for (size, next_at) in [(384, 0), (480, 32), (104, 0)] {
            let mut k = FakeList::new(3, size, next_at);
            let got = walk(size, next_at, || k.step(size)).unwrap();
            assert_eq!(got, k.items);
            // The last item's NULL next pointer ends the walk: no extra call.
            assert_eq!(k.calls, 3);
        }
    }

    #[test]
    fn an_empty_or_emptied_list_yields_nothing() {
        let mut k = FakeList::new(0, 480, 32);
        assert_eq!(
            walk(480, 32, || k.step(480)).unwrap(),
            Vec::<Vec<u8>>::new()
        );
        assert_eq!(k.calls, 1);
    }

    #[test]
    fn a_list_that_shrinks_under_the_walk_ends_at_the_zero_item() {
        let mut k = FakeList::new(3, 384, 0);
        k.items.truncate(2);
        // The second item still points on, but the kernel has nothing more.
        let got = walk(384, 0, || k.step(384)).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(k.calls, 3);
    }

    #[test]
    fn an_error_ends_the_walk() {
        let mut k = FakeList::new(3, 104, 0);
        k.fail_at = Some(1);
        assert_eq!(walk(104, 0, || k.step(104)), Err(22));
    }
}
