//! Link protection (`protection`, `allowed-ips`, `allowed-dhcp-cids`) on
//! the Linux kernel: an nftables table of xbow's own, `bridge xbow`, whose
//! `prerouting` chain sends each frame a protected VNIC transmits — as it
//! enters the etherstub's bridge by the VNIC's port `xbp.ID`, in xbow's
//! namespace, out of the zone's reach — to a chain of that VNIC's checks.
//! The checks are illumos' (`mac_protect_check_one`), in its order; each
//! failure drops the frame and counts it in a counter named, in the rule's
//! comment, like the illumos one (`macspoofed`, `restricted`, `ipspoofed`,
//! `dhcpspoofed`).
//!
//! What nftables cannot see is left out (xbow-linux(7)): DHCP
//! client-identifier options (so `allowed-dhcp-cids` only ever widens a
//! check that is not made), NDP link-layer options other than the first,
//! and the addresses a DHCP exchange hands out (with no `allowed-ips`,
//! `ip-nospoof` lets only the unspecified and the link-local address
//! through, as illumos does before a lease).
//!
//! A change is one transaction (`nft -j -f -`) that rewrites the chains of
//! the VNICs whose protection changes and no others; the table goes with
//! the last protected VNIC.

use super::desired::{Vnic, peer_name};
use crate::model::link::LinkId;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The table xbow owns for link protection (family [`FAMILY`]).
const TABLE: &str = "xbow";
const FAMILY: &str = "bridge";
/// The base chain; every other chain is a VNIC's ([`Guard::chain`]).
const BASE: &str = "prerouting";

/// The `protection` types a VNIC has (`MPT_*`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Types {
    pub(super) mac_nospoof: bool,
    pub(super) restricted: bool,
    pub(super) ip_nospoof: bool,
    pub(super) dhcp_nospoof: bool,
}

impl Types {
    /// From the values `protection` shows (`mac-nospoof`, …).
    fn parse(vals: &[String]) -> Result<Types, String> {
        let mut t = Types::default();
        for v in vals {
            let bit = match v.as_str() {
                "mac-nospoof" => &mut t.mac_nospoof,
                "restricted" => &mut t.restricted,
                "ip-nospoof" => &mut t.ip_nospoof,
                "dhcp-nospoof" => &mut t.dhcp_nospoof,
                _ => return Err(format!("protection: unknown type '{v}'")),
            };
            *bit = true;
        }
        Ok(t)
    }

    fn any(self) -> bool {
        self.mac_nospoof || self.restricted || self.ip_nospoof || self.dhcp_nospoof
    }
}

/// One `allowed-ips` entry: an address and a prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Allowed {
    pub(super) addr: IpAddr,
    pub(super) len: u8,
}

impl Allowed {
    /// From the form `allowed-ips` shows (`10.0.0.0/24`, `fe80::/10`).
    fn parse(s: &str) -> Result<Allowed, String> {
        let bad = || format!("allowed-ips: '{s}' is not an address/prefix");
        let (a, l) = s.split_once('/').ok_or_else(bad)?;
        let addr: IpAddr = a.parse().map_err(|_| bad())?;
        let len: u8 = l.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        if len == 0 || len > max {
            return Err(bad());
        }
        Ok(Allowed { addr, len })
    }

    /// The address as a 128-bit number, its family's width, and the bits
    /// of the prefix.
    fn bits(self) -> (u128, u8, u128) {
        let (n, width) = match self.addr {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
            IpAddr::V6(a) => (u128::from(a), 128),
        };
        let host = width - self.len;
        (n, width, (n >> host) << host)
    }

    /// Whether `other` lies inside this entry.
    fn covers(self, other: Allowed) -> bool {
        let (_, w, net) = self.bits();
        let (n, w2, _) = other.bits();
        w == w2 && other.len >= self.len && (n >> (w - self.len)) << (w - self.len) == net
    }

    fn host(addr: IpAddr) -> Allowed {
        let len = if addr.is_ipv4() { 32 } else { 128 };
        Allowed { addr, len }
    }

    /// An nft set element: the address, or a prefix.
    fn elem(self) -> Value {
        let (_, width, net) = self.bits();
        let net = match self.addr {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::from(net as u32)),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::from(net)),
        };
        if self.len == width {
            json!(net.to_string())
        } else {
            json!({"prefix": {"addr": net.to_string(), "len": self.len}})
        }
    }
}

/// `entries` without those another covers: a set of disjoint intervals,
/// as an nftables interval set must be.
fn disjoint(entries: &[Allowed]) -> Vec<Allowed> {
    let mut out: Vec<Allowed> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let covered = entries
            .iter()
            .enumerate()
            .any(|(j, o)| j != i && o.covers(*e) && (o.len < e.len || j < i));
        if !covered {
            out.push(*e);
        }
    }
    out
}

/// What a protected VNIC over an etherstub gets: the checks of its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Guard {
    pub(super) id: LinkId,
    /// The VNIC's name (in the rules' comments).
    pub(super) link: String,
    pub(super) mac: [u8; 6],
    pub(super) types: Types,
    pub(super) ips: Vec<Allowed>,
}

/// The link properties of link protection, which only a VNIC over an
/// etherstub has on Linux ([`Guard`]).
pub(super) const PROPS: [&str; 3] = ["protection", "allowed-ips", "allowed-dhcp-cids"];

impl Guard {
    /// The guard a VNIC's properties ask for: none without `protection`.
    /// (`allowed-dhcp-cids` is accepted and has no rule: xbow-linux(7).)
    pub(super) fn of(
        v: &Vnic,
        props: &BTreeMap<String, Vec<String>>,
    ) -> Result<Option<Guard>, String> {
        let types = Types::parse(props.get("protection").map_or(&[][..], Vec::as_slice))
            .map_err(|e| format!("VNIC {}: {e}", v.name))?;
        if !types.any() || !v.over_stub {
            return Ok(None);
        }
        let ips = props
            .get("allowed-ips")
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|s| Allowed::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("VNIC {}: {e}", v.name))?;
        Ok(Some(Guard {
            id: v.id,
            link: v.name.clone(),
            mac: v.mac,
            types,
            ips,
        }))
    }

    /// The port the VNIC's frames enter the bridge by.
    fn port(&self) -> String {
        peer_name(self.id)
    }

    /// The VNIC's chain (`xbp_ID`: nft's own syntax takes no `.` in a name).
    fn chain(&self) -> String {
        format!("xbp_{}", self.id)
    }

    /// The IPv6 link-local address illumos derives from the MAC
    /// (`mac_protect_update_v6_local_addr`: EUI-64).
    fn link_local(&self) -> Ipv6Addr {
        let m = self.mac;
        let iid = [m[0] ^ 2, m[1], m[2], 0xff, 0xfe, m[3], m[4], m[5]];
        let mut a = [0u8; 16];
        a[0] = 0xfe;
        a[1] = 0x80;
        a[8..].copy_from_slice(&iid);
        Ipv6Addr::from(a)
    }

    fn mac_text(&self) -> String {
        self.mac
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    }

    fn mac_num(&self) -> u64 {
        self.mac.iter().fold(0, |n, b| (n << 8) | u64::from(*b))
    }

    /// The addresses `ip-nospoof` lets through for one family: the
    /// unspecified one, for IPv6 the link-local one, and `allowed-ips`.
    fn sources(&self, v6: bool) -> Vec<Allowed> {
        let mut all = vec![if v6 {
            Allowed::host(Ipv6Addr::UNSPECIFIED.into())
        } else {
            Allowed::host(Ipv4Addr::UNSPECIFIED.into())
        }];
        if v6 {
            all.push(Allowed::host(self.link_local().into()));
        }
        all.extend(self.ips.iter().filter(|a| a.addr.is_ipv6() == v6));
        disjoint(&all)
    }

    /// Whether `allowed-ips` has an entry of the family (then DHCP of that
    /// family is dropped: "ip-nospoof/allowed-ips and DHCP are mutually
    /// exclusive").
    fn has_ips(&self, v6: bool) -> bool {
        self.ips.iter().any(|a| a.addr.is_ipv6() == v6)
    }

    /// The checks, in `mac_protect_check_one`'s order: each a list of
    /// matches (all must hold to drop) and its counter's name.
    fn checks(&self) -> Vec<(Vec<Value>, &'static str)> {
        let mut out = Vec::new();
        let t = self.types;
        let mac = json!(self.mac_text());
        let ether = |ty: &str| eq(field("ether", "type"), json!(ty));
        if t.mac_nospoof {
            out.push((vec![ne(field("ether", "saddr"), mac.clone())], "macspoofed"));
        }
        if t.restricted {
            // A VNIC on Linux sends untagged frames, so a tagged one
            // (ether type vlan) is dropped too.
            let ip_types = json!({"set": ["ip", "arp", "ip6"]});
            out.push((vec![ne(field("ether", "type"), ip_types)], "restricted"));
        }
        if t.ip_nospoof {
            let v4 = set(self.sources(false));
            let v6 = set(self.sources(true));
            let c = "ipspoofed";
            out.push((vec![ether("ip"), ne(field("ip", "saddr"), v4.clone())], c));
            // ARP: the sender's hardware address (if any) is the VNIC's,
            // and its IP address is one an IPv4 source may have.
            let arp = || ether("arp");
            out.push((
                vec![arp(), ne(field("arp", "hlen"), json!({"set": [0, 6]}))],
                c,
            ));
            out.push((vec![arp(), ne(field("arp", "plen"), json!(4))], c));
            out.push((
                vec![
                    arp(),
                    eq(field("arp", "hlen"), json!(6)),
                    ne(field("arp", "saddr ether"), mac.clone()),
                ],
                c,
            ));
            out.push((vec![arp(), ne(field("arp", "saddr ip"), v4)], c));
            out.push((vec![ether("ip6"), ne(field("ip6", "saddr"), v6)], c));
            // Neighbor advertisements: the target is a source the VNIC may
            // have; it is a raw match (4 bytes into the ICMPv6 message),
            // one comparison per allowed prefix.
            let na = json!("nd-neighbor-advert");
            let mut target = vec![ether("ip6"), eq(field("icmpv6", "type"), na)];
            for a in self.sources(true) {
                let (_, _, net) = a.bits();
                let top = net >> (128 - a.len);
                target.push(ne(raw(64, u32::from(a.len)), json!(format!("{top:#x}"))));
            }
            out.push((target, c));
            // NDP link-layer address options (the first option of the
            // message): the VNIC's MAC, in an option 8 bytes long.
            let lla = (1u64 << 48) | self.mac_num();
            for (ty, hdr, opt) in [
                ("nd-router-solicit", 8, 1),
                ("nd-router-advert", 16, 1),
                ("nd-neighbor-solicit", 24, 1),
                ("nd-neighbor-advert", 24, 2),
            ] {
                out.push((
                    vec![
                        ether("ip6"),
                        eq(field("icmpv6", "type"), json!(ty)),
                        eq(raw(hdr * 8, 8), json!(opt)),
                        ne(raw(hdr * 8 + 8, 56), json!(lla)),
                    ],
                    c,
                ));
            }
            for (v6, ty, ports) in [(false, "ip", [67, 68]), (true, "ip6", [546, 547])] {
                if self.has_ips(v6) {
                    for dir in ["sport", "dport"] {
                        out.push((vec![ether(ty), udp_port(dir, &ports)], c));
                    }
                }
            }
        }
        if t.dhcp_nospoof {
            // DHCPv4: a `chaddr` of Ethernet length (`hlen`, 2 bytes into
            // the BOOTP message, after the 8-byte UDP header) is the
            // VNIC's MAC (28 bytes in).
            for dir in ["sport", "dport"] {
                out.push((
                    vec![
                        ether("ip"),
                        udp_port(dir, &[67, 68]),
                        eq(raw((8 + 2) * 8, 8), json!(6)),
                        ne(raw((8 + 28) * 8, 48), json!(self.mac_num())),
                    ],
                    "dhcpspoofed",
                ));
            }
        }
        out
    }
}

fn field(protocol: &str, field: &str) -> Value {
    json!({"payload": {"protocol": protocol, "field": field}})
}

/// `@th,OFFSET,LEN`: bits of the transport header and what follows.
fn raw(offset: u32, len: u32) -> Value {
    json!({"payload": {"base": "th", "offset": offset, "len": len}})
}

fn cmp(op: &str, left: Value, right: Value) -> Value {
    json!({"match": {"op": op, "left": left, "right": right}})
}

fn eq(left: Value, right: Value) -> Value {
    cmp("==", left, right)
}

fn ne(left: Value, right: Value) -> Value {
    cmp("!=", left, right)
}

fn set(entries: Vec<Allowed>) -> Value {
    json!({"set": entries.into_iter().map(Allowed::elem).collect::<Vec<_>>()})
}

fn udp_port(dir: &str, ports: &[u16]) -> Value {
    eq(field("udp", dir), json!({"set": ports}))
}

/// The map from a protected VNIC's port to a jump to its chain.
const PORTS: &str = "ports";

/// `{"family": "bridge", "table": "xbow", …}`: an object of the table.
fn obj(mut v: Value) -> Value {
    v["family"] = json!(FAMILY);
    v["table"] = json!(TABLE);
    v
}

fn chain_obj(name: &str) -> Value {
    json!({"chain": obj(json!({"name": name}))})
}

/// The nftables JSON document (for `nft -j -f -`) that takes table
/// `bridge xbow` from the checks of `old` to those of `new`, in one
/// transaction that touches only the VNICs whose guard changes (the
/// others keep their counters). Every step works whether or not the
/// kernel already made it (a run killed before its journal was cleared
/// left the kernel at `old` or `new`): what is deleted is added first,
/// what is filled is flushed first. With no guards left the table is
/// deleted.
pub(super) fn changes(old: &[Guard], new: &[Guard]) -> Value {
    let table = json!({"table": {"family": FAMILY, "name": TABLE}});
    let mut cmds = vec![json!({"add": table})];
    if new.is_empty() {
        cmds.push(json!({"delete": table}));
        return json!({ "nftables": cmds });
    }
    let base = obj(json!({
        "name": BASE, "type": "filter", "hook": BASE, "prio": -200, "policy": "accept",
    }));
    let map = json!({"map": obj(json!({"name": PORTS, "type": "ifname", "map": "verdict"}))});
    let dispatch =
        json!({"vmap": {"key": {"meta": {"key": "iifname"}}, "data": format!("@{PORTS}")}});
    cmds.extend([
        json!({"add": {"chain": base}}),
        json!({"add": map}),
        json!({"flush": chain_obj(BASE)}),
        json!({"add": {"rule": obj(json!({"chain": BASE, "expr": [dispatch]}))}}),
    ]);
    let element = |g: &Guard, with_jump: bool| {
        let key = json!(g.port());
        let elem = if with_jump {
            json!([key, {"jump": {"target": g.chain()}}])
        } else {
            key
        };
        json!({"element": obj(json!({"name": PORTS, "elem": [elem]}))})
    };
    for g in old.iter().filter(|g| !new.iter().any(|n| n.id == g.id)) {
        cmds.extend([
            json!({"add": chain_obj(&g.chain())}),
            json!({"add": element(g, true)}),
            json!({"delete": element(g, false)}),
            json!({"delete": chain_obj(&g.chain())}),
        ]);
    }
    for g in new.iter().filter(|g| !old.contains(g)) {
        let chain = g.chain();
        cmds.push(json!({"add": chain_obj(&chain)}));
        cmds.push(json!({"flush": chain_obj(&chain)}));
        for (mut expr, counter) in g.checks() {
            expr.push(json!({"counter": null}));
            expr.push(json!({"drop": null}));
            let comment = format!("{} {counter}", g.link);
            let rule = obj(json!({"chain": chain, "expr": expr, "comment": comment}));
            cmds.push(json!({"add": {"rule": rule}}));
        }
        cmds.push(json!({"add": element(g, true)}));
    }
    json!({ "nftables": cmds })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vnic() -> Vnic {
        Vnic {
            id: 5,
            name: "vnic1".into(),
            lower: "stub0".into(),
            over_stub: true,
            mac: [2, 8, 0x20, 0, 0, 5],
            vid: 0,
            mtu: 1500,
        }
    }

    fn props(p: &[(&str, &[&str])]) -> BTreeMap<String, Vec<String>> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    fn a(s: &str) -> Allowed {
        Allowed::parse(s).unwrap()
    }

    #[test]
    fn a_guard_needs_protection_and_an_etherstub() {
        let p = props(&[("allowed-ips", &["10.0.0.0/24"])]);
        assert_eq!(Guard::of(&vnic(), &p), Ok(None));
        let p = props(&[
            ("protection", &["mac-nospoof", "ip-nospoof"]),
            ("allowed-ips", &["10.0.0.0/24"]),
        ]);
        let g = Guard::of(&vnic(), &p).unwrap().unwrap();
        assert!(g.types.mac_nospoof && g.types.ip_nospoof && !g.types.restricted);
        assert_eq!(g.ips, [a("10.0.0.0/24")]);
        let mac = Vnic {
            over_stub: false,
            ..vnic()
        };
        assert_eq!(Guard::of(&mac, &p), Ok(None));
        let bad = props(&[
            ("protection", &["ip-nospoof"]),
            ("allowed-ips", &["10.0.0.0"]),
        ]);
        assert!(Guard::of(&vnic(), &bad).is_err());
    }

    #[test]
    fn sources_are_disjoint_and_include_the_link_local_address() {
        let g = Guard {
            id: 5,
            link: "vnic1".into(),
            mac: [2, 8, 0x20, 0, 0, 5],
            types: Types::default(),
            ips: vec![
                a("10.0.0.0/8"),
                a("10.1.0.0/16"),
                a("192.168.0.100/32"),
                a("fe80::/10"),
            ],
        };
        assert_eq!(g.link_local().to_string(), "fe80::8:20ff:fe00:5");
        assert_eq!(
            g.sources(false),
            [a("0.0.0.0/32"), a("10.0.0.0/8"), a("192.168.0.100/32")]
        );
        assert_eq!(g.sources(true), [a("::/128"), a("fe80::/10")]);
        assert_eq!(
            a("10.0.0.0/24").elem(),
            json!({"prefix": {"addr": "10.0.0.0", "len": 24}})
        );
        assert_eq!(a("10.0.0.1/32").elem(), json!("10.0.0.1"));
        // Duplicates keep one.
        assert_eq!(
            disjoint(&[a("10.0.0.1/32"), a("10.0.0.1/32")]),
            [a("10.0.0.1/32")]
        );
    }

    #[test]
    fn no_guards_delete_the_table() {
        assert_eq!(
            changes(&[], &[]),
            json!({"nftables": [
                {"add": {"table": {"family": "bridge", "name": "xbow"}}},
                {"delete": {"table": {"family": "bridge", "name": "xbow"}}},
            ]})
        );
    }

    #[test]
    fn each_type_adds_its_checks_with_its_counter() {
        let all = props(&[
            (
                "protection",
                &["mac-nospoof", "restricted", "ip-nospoof", "dhcp-nospoof"],
            ),
            ("allowed-ips", &["192.168.0.100/32", "2001:db8::/32"]),
        ]);
        let g = Guard::of(&vnic(), &all).unwrap().unwrap();
        let counters: Vec<&str> = g.checks().iter().map(|(_, c)| *c).collect();
        let n = |c: &str| counters.iter().filter(|x| **x == c).count();
        // ip: IPv4, 4 ARP, IPv6, NA target, 4 NDP options, DHCP both ways
        // for both families.
        assert_eq!(
            (
                n("macspoofed"),
                n("restricted"),
                n("ipspoofed"),
                n("dhcpspoofed")
            ),
            (1, 1, 15, 2)
        );
        let doc = changes(&[], &[g]);
        let cmds = doc["nftables"].as_array().unwrap();
        assert_eq!(
            cmds.last().unwrap()["add"]["element"]["elem"][0],
            json!(["xbp.5", {"jump": {"target": "xbp_5"}}])
        );
        assert_eq!(cmds[7]["add"]["rule"]["comment"], "vnic1 macspoofed");
    }

    #[test]
    fn a_change_touches_only_the_vnics_it_changes() {
        let g = |id: u32, t: &[&str]| {
            let v = Vnic {
                id,
                name: format!("vnic{id}"),
                ..vnic()
            };
            Guard::of(&v, &props(&[("protection", t)]))
                .unwrap()
                .unwrap()
        };
        let old = [
            g(1, &["mac-nospoof"]),
            g(2, &["mac-nospoof"]),
            g(3, &["restricted"]),
        ];
        let new = [
            g(1, &["mac-nospoof"]),
            g(3, &["mac-nospoof"]),
            g(4, &["restricted"]),
        ];
        let doc = changes(&old, &new);
        let chains: Vec<String> = doc["nftables"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| {
                let (verb, o) = c.as_object()?.iter().next()?;
                let name = o.get("chain")?.get("name")?.as_str()?;
                Some(format!("{verb} {name}"))
            })
            .collect();
        assert_eq!(
            chains,
            [
                "add prerouting",
                "flush prerouting",
                "add xbp_2",
                "delete xbp_2",
                "add xbp_3",
                "flush xbp_3",
                "add xbp_4",
                "flush xbp_4",
            ]
        );
    }

    /// Every change applies whether the kernel is at its start or already
    /// at its end (a killed run is recovered by applying it again), and
    /// leaves the other VNICs' chains and counters alone.
    #[test]
    fn root_changes_are_idempotent() {
        use crate::backend::linux::nft::{
            self,
            tests::{TestNs, root_tests_can_run},
        };
        if !root_tests_can_run("root_changes_are_idempotent") {
            return;
        }
        let g = |id: u32, t: &[&str]| {
            let v = Vnic {
                id,
                name: format!("vnic{id}"),
                ..vnic()
            };
            let p = props(&[
                ("protection", t),
                ("allowed-ips", &["10.0.0.0/8", "fe80::/10"]),
            ]);
            Guard::of(&v, &p).unwrap().unwrap()
        };
        let all = ["mac-nospoof", "restricted", "ip-nospoof", "dhcp-nospoof"];
        let a = vec![g(1, &all), g(2, &["mac-nospoof"])];
        let b = vec![g(1, &all), g(3, &["restricted"])];
        let ns = TestNs::new("p");
        ns.enter(|| {
            let list = || {
                let out = std::process::Command::new("nft")
                    .args(["list", "ruleset"])
                    .output()
                    .unwrap();
                String::from_utf8(out.stdout).unwrap()
            };
            for (old, new) in [(&vec![], &a), (&a, &b), (&b, &vec![])] {
                nft::apply(&changes(old, new)).unwrap();
                let once = list();
                nft::apply(&changes(old, new)).unwrap();
                assert_eq!(list(), once);
                // Chains of each guard of `new`, none of the others.
                for id in 1..=3 {
                    let has = once.contains(&format!("chain xbp_{id} "));
                    assert_eq!(has, new.iter().any(|g| g.id == id), "{once}");
                }
            }
            assert_eq!(list(), "");
        });
    }
}
