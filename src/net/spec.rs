//! The network spec (`xbow-net(5)`): what a user writes, and its
//! validation into a [`Network`] before anything is changed. Every error
//! names the JSON path of the offending value.

use super::printable;
use crate::backend::Datalink;
use crate::ipf::FilterRule;
use crate::ipnat::NatRule;
use crate::model::bandwidth::Bandwidth;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, MacAddrType, VID_MAX, VID_MIN};
use crate::model::link_name::LinkName;
use crate::model::linkprop::Priority;
use crate::model::mac::MacAddr;
use crate::model::overlay::{
    MTU_DEF, MTU_MAX, MTU_MIN, OverlayConf, Search, VNETID_MAX, VXLAN_PORT,
};
use crate::model::overlay_files::{FilesEntry, FilesMap};
use crate::model::zone::{ZoneConfig, ZoneNet, zone_name_error, zonepath_error, zonepath_within};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Every link name the spec defines: where, its class, and its host
/// (`None`: an overlay, on every host it spans; or a spec without hosts).
type Defined<'a> = BTreeMap<&'a str, (String, LinkClass, Option<&'a str>)>;

/// The spec as written (JSON).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spec {
    /// The hosts a network spans, by name.
    #[serde(default)]
    pub hosts: BTreeMap<String, HostEntry>,
    /// Overlays (VXLAN) joining hosts.
    #[serde(default)]
    pub overlays: Vec<OverlayEntry>,
    #[serde(default)]
    pub etherstubs: Vec<EtherstubEntry>,
    #[serde(default)]
    pub vlans: Vec<VlanEntry>,
    #[serde(default)]
    pub vnics: Vec<VnicEntry>,
    #[serde(default)]
    pub addresses: Vec<AddressEntry>,
    #[serde(default)]
    pub ipv4_forwarding: Forwarding,
    /// NAT rules in `ipnat.conf` syntax, one per string.
    #[serde(default)]
    pub nat: Vec<NatEntry>,
    /// The global zone's packet filter rules in `ipf.conf` syntax, one
    /// line per string (a string, or `{"rule": …, "host": …}`).
    #[serde(default)]
    pub filter: Vec<NatEntry>,
    #[serde(default)]
    pub zones: Vec<ZoneEntry>,
}

/// A host of a network that spans several.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct HostEntry {
    /// The host's address on the underlay network (where overlays meet).
    #[serde(default)]
    pub underlay: Option<String>,
    /// The host's link to the underlay.
    #[serde(default)]
    pub physical: Option<String>,
    /// The underlay's MTU at this host (default 1500).
    #[serde(default)]
    pub mtu: Option<u32>,
}

/// An overlay: one VXLAN network id across some of the hosts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OverlayEntry {
    pub name: String,
    pub vni: u64,
    pub hosts: Vec<String>,
    #[serde(default)]
    pub mtu: Option<u32>,
    /// The UDP port (default 4789).
    #[serde(default)]
    pub port: Option<u16>,
}

/// An etherstub: its name, or its name and host.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum EtherstubEntry {
    Name(String),
    #[serde(rename_all = "kebab-case")]
    Placed {
        name: String,
        host: String,
    },
}

/// `ipv4-forwarding`: on or off, or the hosts it is on.
#[derive(Debug)]
pub enum Forwarding {
    On(bool),
    Hosts(Vec<String>),
}

impl<'de> Deserialize<'de> for Forwarding {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Forwarding;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a boolean or a list of host names")
            }
            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<Forwarding, E> {
                Ok(Forwarding::On(b))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Forwarding, A::Error> {
                let mut hosts = Vec::new();
                while let Some(h) = seq.next_element()? {
                    hosts.push(h);
                }
                Ok(Forwarding::Hosts(hosts))
            }
        }
        d.deserialize_any(V)
    }
}

impl Default for Forwarding {
    fn default() -> Self {
        Forwarding::On(false)
    }
}

/// A NAT rule: its text, or its text and host.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum NatEntry {
    Rule(String),
    #[serde(rename_all = "kebab-case")]
    Placed {
        rule: String,
        host: String,
    },
}

/// A VLAN link (`dladm create-vlan -l OVER -v VID NAME`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VlanEntry {
    pub name: String,
    pub over: String,
    pub vid: u16,
    #[serde(default)]
    pub host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VnicEntry {
    pub name: String,
    pub over: String,
    /// `auto` (default), `random`, or a fixed address.
    #[serde(default)]
    pub mac: Option<String>,
    #[serde(default)]
    pub vid: Option<u16>,
    #[serde(default)]
    pub maxbw: Option<String>,
    #[serde(default)]
    pub priority: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AddressEntry {
    pub interface: String,
    pub address: String,
    /// The address object's name after the `/` (default `v4`).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub host: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ZoneEntry {
    pub name: String,
    #[serde(default)]
    pub zonepath: Option<String>,
    #[serde(default)]
    pub brand: Option<String>,
    #[serde(default = "yes")]
    pub autoboot: bool,
    #[serde(default = "yes")]
    pub boot: bool,
    #[serde(default)]
    pub net: Vec<ZoneNetEntry>,
    /// The zone's packet filter rules (`ipf.conf` lines), loaded into its
    /// GZ-controlled IP Filter stack.
    #[serde(default)]
    pub filter: Vec<String>,
    #[serde(default)]
    pub host: Option<String>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ZoneNetEntry {
    pub physical: String,
    #[serde(default)]
    pub allowed_address: Option<String>,
    #[serde(default)]
    pub defrouter: Option<String>,
}

/// A spec that does not hold together: where, and why. Both may quote
/// the spec, so control characters are shown escaped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {}", printable(path), printable(msg))]
pub struct SpecError {
    pub path: String,
    pub msg: String,
}

fn err<T>(path: impl Into<String>, msg: impl Into<String>) -> Result<T, SpecError> {
    Err(SpecError {
        path: path.into(),
        msg: msg.into(),
    })
}

/// A VNIC the network needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetVnic {
    pub name: String,
    pub over: String,
    pub mac_type: MacAddrType,
    /// The address for `Fixed`; for `Random`, the address a VNIC of the
    /// host had (to give it back when a failed `down` re-creates it).
    pub mac: Option<MacAddr>,
    /// The factory slot of a `Factory` VNIC of the host.
    pub slot: Option<i32>,
    pub vid: u16,
    pub maxbw: Option<Bandwidth>,
    pub priority: Option<Priority>,
}

/// A VLAN link the network needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetVlan {
    pub name: String,
    pub over: String,
    pub vid: u16,
}

/// An address in the global zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetAddr {
    pub ifname: String,
    /// `IF/NAME`.
    pub addrobj: String,
    pub addr: Ipv4Cidr,
}

/// A zone and whether it should run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetZone {
    pub config: ZoneConfig,
    pub boot: bool,
    /// The rules of its GZ-controlled IP Filter stack.
    pub filter: Vec<NetFilter>,
}

/// An `ipf.conf` line: as written, and the rules it holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetFilter {
    pub text: String,
    pub rules: Vec<FilterRule>,
}

impl NetFilter {
    /// Parse one line with `ipf`'s parser: it must hold at least one rule,
    /// and nothing the parser would only warn about.
    pub fn parse(text: &str) -> Result<NetFilter, String> {
        use crate::ipf::parser::{self, Event, Options};
        // One rule a line of the rules file: a line break would split it
        // (or hide xbow's block markers).
        if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\t') {
            return Err(format!(
                "{c:?} is not allowed: a filter rule is one line, without control characters other than tab"
            ));
        }
        let db = crate::backend::system_netdb();
        let mut events = Vec::new();
        // A rule ends at its line's end.
        let line = format!("{text}\n");
        parser::parse(line.as_bytes(), Options::default(), db.as_ref(), &mut |e| {
            events.push(e)
        })
        .map_err(|e| {
            String::from_utf8_lossy(&e.to_bytes())
                .trim_end()
                .to_string()
        })?;
        let mut rules = Vec::new();
        for e in events {
            match e {
                Event::Rule(r) => rules.push(r.rule),
                Event::Stderr(m) => return Err(String::from_utf8_lossy(&m).trim_end().to_string()),
                Event::Loopback(_) => {
                    return Err("'set intercept_loopback' is not a rule".to_string());
                }
            }
        }
        if rules.is_empty() {
            return Err("holds no rule".to_string());
        }
        Ok(NetFilter {
            text: text.to_string(),
            rules,
        })
    }
}

/// As its text, parsed again when read.
impl Serialize for NetFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for NetFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        NetFilter::parse(&text).map_err(|e| serde::de::Error::custom(format!("'{text}': {e}")))
    }
}

/// Parse the `ipf.conf` lines at `path`; a rule given twice is refused
/// (the kernel would refuse the second with `EEXIST`).
/// (on one host: each line's host is given).
fn filter_lines<'a>(
    path: &str,
    lines: impl Iterator<Item = (String, &'a String, Option<&'a str>)>,
) -> Result<Vec<NetFilter>, SpecError> {
    let mut out: Vec<(NetFilter, Option<&str>)> = Vec::new();
    for (p, text, host) in lines {
        let f = NetFilter::parse(text).or_else(|e| err(&p, format!("'{text}': {e}")))?;
        for r in &f.rules {
            if let Some(j) = out.iter().position(|(o, h)| {
                *h == host
                    && o.rules
                        .iter()
                        .any(|x| crate::backend::filter::same_rule(x, r))
            }) {
                return err(p, format!("'{text}' repeats a rule of {path}[{j}]"));
            }
        }
        out.push((f, host));
    }
    Ok(out.into_iter().map(|(f, _)| f).collect())
}

/// A NAT rule: as written, and parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetNat {
    pub text: String,
    pub rule: NatRule,
}

/// As its text, parsed again when read.
impl Serialize for NetNat {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for NetNat {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        let rule = text
            .parse()
            .map_err(|e| serde::de::Error::custom(format!("{e}: '{text}'")))?;
        Ok(NetNat { text, rule })
    }
}

/// A validated spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub etherstubs: Vec<String>,
    pub vlans: Vec<NetVlan>,
    pub vnics: Vec<NetVnic>,
    pub addresses: Vec<NetAddr>,
    pub ipv4_forwarding: bool,
    pub nat: Vec<NetNat>,
    /// The global zone's packet filter rules.
    pub filter: Vec<NetFilter>,
    pub zones: Vec<NetZone>,
    /// This host's overlays.
    pub overlays: Vec<NetOverlay>,
    /// The host this part of the spec is for (a spec with hosts).
    pub host: Option<NetHost>,
    /// Every host of the spec.
    pub hosts: Vec<NetHost>,
}

/// A host of the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NetHost {
    pub name: String,
    pub underlay: IpAddr,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical: Option<String>,
    pub mtu: u32,
}

/// An overlay on this host, with the mapping derived from the spec.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetOverlay {
    pub name: String,
    /// `-p mtu=`, when the spec sets one.
    pub mtu: Option<u32>,
    pub conf: OverlayConf,
}

/// Whether a `map`, `bimap` or `map-block` rule translates `a` (it is in
/// the rule's inside network).
fn translates(rule: &NatRule, a: std::net::Ipv4Addr) -> bool {
    use crate::ipnat::rule::Redir;
    matches!(rule.kind, Redir::Map | Redir::Bimap | Redir::MapBlock)
        && rule.v == 4
        && u32::from(a) & rule.inside[1].word0() == rule.inside[0].word0() & rule.inside[1].word0()
}

/// Parse a spec document; unknown keys and wrong types name their path,
/// and anything but whitespace after the document is refused.
pub fn parse(text: &str) -> Result<Spec, SpecError> {
    // serde would also take a struct as an array of its fields; a spec
    // is an object.
    if let Some(Ok(v)) = serde_json::Deserializer::from_str(text)
        .into_iter::<serde_json::Value>()
        .next()
        && !v.is_object()
    {
        return err("$", "a spec is a JSON object");
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let spec = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let path = if path == "." {
            "$".to_string()
        } else {
            format!("$.{path}")
        };
        SpecError {
            path,
            msg: e.into_inner().to_string(),
        }
    })?;
    de.end().or_else(|e| {
        err(
            "$",
            format!("{e}: a spec file holds one JSON object and nothing after it"),
        )
    })?;
    Ok(spec)
}

fn link_name(path: &str, name: &str) -> Result<(), SpecError> {
    name.parse::<LinkName>()
        .map(|_| ())
        .or_else(|e| err(path, format!("'{name}': {e}")))
}

/// Which host's part of a spec to take, and what is known of this
/// machine to choose one when not told.
pub struct Place<'a> {
    /// `--host NAME`.
    pub host: Option<&'a str>,
    /// This machine's host name (without the domain).
    pub machine_name: Option<String>,
    /// The IP addresses configured on this machine.
    pub machine_addrs: Vec<IpAddr>,
    /// An overlay's `files` mapping is kept at this path + `NAME.json`.
    pub files_prefix: PathBuf,
    /// On paper: links the spec does not define (physical NICs, the
    /// underlay link) are not looked up on this machine (`xbow net
    /// diagram` draws a spec for any host).
    pub paper: bool,
}

impl EtherstubEntry {
    fn name(&self) -> &str {
        match self {
            EtherstubEntry::Name(n) | EtherstubEntry::Placed { name: n, .. } => n,
        }
    }
    fn host(&self) -> Option<&String> {
        match self {
            EtherstubEntry::Name(_) => None,
            EtherstubEntry::Placed { host, .. } => Some(host),
        }
    }
}

impl NatEntry {
    fn text(&self) -> &String {
        match self {
            NatEntry::Rule(t) | NatEntry::Placed { rule: t, .. } => t,
        }
    }
    fn host(&self) -> Option<&String> {
        match self {
            NatEntry::Rule(_) => None,
            NatEntry::Placed { host, .. } => Some(host),
        }
    }
}

/// The underlay's MTU where a host does not say.
const UNDERLAY_MTU: u32 = 1500;

/// VXLAN's overhead on the underlay: inner Ethernet, VXLAN, UDP and the
/// outer IP header (overlay.md §2.8).
fn vxlan_overhead(underlay: IpAddr) -> u32 {
    14 + 8 + 8 + if underlay.is_ipv4() { 20 } else { 40 }
}

/// The address a VNIC over an overlay gets when the spec gives none:
/// locally administered, unicast, from the VNI and the VNIC's name (so
/// every host derives the same one).
pub fn overlay_mac(vni: u64, name: &str) -> MacAddr {
    // FNV-1a, 64 bits.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{vni}/{name}").bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Spread every input bit over the output (murmur3's finalizer).
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    let b = h.to_be_bytes();
    MacAddr::from_bytes(&[0x02, b[0], b[1], b[2], b[3], b[4]]).expect("six octets")
}

/// The hosts of a spec, checked, and the one whose part is taken.
struct Hosts<'a> {
    all: BTreeMap<&'a str, NetHost>,
    this: Option<&'a str>,
}

impl<'a> Hosts<'a> {
    /// The host an object at `path` is on: the one it names (declared),
    /// else the only host; `None` in a spec without hosts.
    fn place(&self, path: &str, host: Option<&'a String>) -> Result<Option<&'a str>, SpecError> {
        match host {
            None if self.all.len() > 1 => err(
                format!("{path}.host"),
                format!(
                    "the spec declares {} hosts ({}): say which one this is on",
                    self.all.len(),
                    self.all.keys().copied().collect::<Vec<_>>().join(", ")
                ),
            ),
            None => Ok(self.all.keys().next().copied()),
            Some(h) => self.declared(&format!("{path}.host"), h).map(Some),
        }
    }

    /// `h`, a host the spec declares (written at `path`).
    fn declared(&self, path: &str, h: &'a str) -> Result<&'a str, SpecError> {
        if self.all.contains_key(h) {
            Ok(h)
        } else {
            err(path, format!("'{h}' is not a host of the spec ($.hosts)"))
        }
    }
}

fn check_hosts<'a>(
    hosts: &'a BTreeMap<String, HostEntry>,
    place: &Place,
) -> Result<Hosts<'a>, SpecError> {
    let mut all = BTreeMap::new();
    for (name, h) in hosts {
        let path = format!("$.hosts.{name}");
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        {
            return err(
                path,
                format!("'{name}': a host name is 1 to 64 letters, digits, '-', '_' and '.'"),
            );
        }
        let Some(u) = &h.underlay else {
            return err(path, format!("host '{name}' has no underlay address"));
        };
        let underlay: IpAddr = u.parse().or_else(|_| {
            err(
                format!("{path}.underlay"),
                format!("'{u}' is not an IP address"),
            )
        })?;
        if underlay.is_unspecified() || underlay.is_multicast() || underlay.is_loopback() {
            return err(
                format!("{path}.underlay"),
                format!("{underlay} cannot be a host's underlay address"),
            );
        }
        if let Some((other, _)) = all
            .iter()
            .find(|(_, o): &(&&str, &NetHost)| o.underlay == underlay)
        {
            return err(
                format!("{path}.underlay"),
                format!("{underlay} is already host '{other}''s underlay address"),
            );
        }
        if let Some(p) = &h.physical {
            link_name(&format!("{path}.physical"), p)?;
        }
        let mtu = h.mtu.unwrap_or(UNDERLAY_MTU);
        if !(576..=65535).contains(&mtu) {
            return err(format!("{path}.mtu"), format!("{mtu} is outside 576-65535"));
        }
        all.insert(
            name.as_str(),
            NetHost {
                name: name.clone(),
                underlay,
                physical: h.physical.clone(),
                mtu,
            },
        );
    }
    let this = match (place.host, all.is_empty()) {
        (Some(h), true) => {
            return err("$.hosts", format!("--host {h}: the spec declares no hosts"));
        }
        (None, true) => None,
        (Some(h), false) => match all.get_key_value(h) {
            Some((k, _)) => Some(*k),
            None => {
                return err(
                    "$.hosts",
                    format!(
                        "--host {h}: not a host of the spec ({})",
                        all.keys().copied().collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        },
        (None, false) => {
            let m: Vec<&str> = all
                .iter()
                .filter(|(n, h)| {
                    place.machine_name.as_deref() == Some(**n)
                        || place.machine_addrs.contains(&h.underlay)
                })
                .map(|(n, _)| *n)
                .collect();
            let hosts = || {
                all.values()
                    .map(|h| format!("{} {}", h.name, h.underlay))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match m.as_slice() {
                [one] => Some(*one),
                [] => {
                    return err(
                        "$.hosts",
                        format!(
                            "no host of the spec ({}) is this machine (by name or by an address on its interfaces): choose one with --host",
                            hosts()
                        ),
                    );
                }
                several => {
                    return err(
                        "$.hosts",
                        format!(
                            "several hosts of the spec match this machine ({}): choose one with --host",
                            several.join(", ")
                        ),
                    );
                }
            }
        }
    };
    Ok(Hosts { all, this })
}

impl Spec {
    /// Check the spec against itself and the host's links, and resolve
    /// defaults. `default_brand` is the host's usual zone brand. A spec
    /// with hosts is checked whole, and the part of the host `place`
    /// chooses is returned.
    pub fn validate<'a>(
        &'a self,
        dl: &mut dyn Datalink,
        default_brand: &str,
        place: &Place,
    ) -> Result<Network, SpecError> {
        let hosts = check_hosts(&self.hosts, place)?;
        let this = hosts.this;
        // Overlays: unique names and VNIs, declared hosts, an MTU the
        // underlay carries.
        let mut overlays: Vec<(&OverlayEntry, u32)> = Vec::new();
        for (i, o) in self.overlays.iter().enumerate() {
            let path = format!("$.overlays[{i}]");
            link_name(&format!("{path}.name"), &o.name)?;
            if let Some(j) = overlays.iter().position(|(x, _)| x.name == o.name) {
                return err(
                    format!("{path}.name"),
                    format!("'{}' is already defined at $.overlays[{j}]", o.name),
                );
            }
            if o.vni > VNETID_MAX {
                return err(
                    format!("{path}.vni"),
                    format!("{} is outside 0-{VNETID_MAX}", o.vni),
                );
            }
            if let Some(j) = overlays.iter().position(|(x, _)| x.vni == o.vni) {
                return err(
                    format!("{path}.vni"),
                    format!("VNI {} is already used by $.overlays[{j}]", o.vni),
                );
            }
            if o.hosts.len() < 2 {
                return err(
                    format!("{path}.hosts"),
                    "an overlay joins at least two hosts",
                );
            }
            for (k, h) in o.hosts.iter().enumerate() {
                hosts.declared(&format!("{path}.hosts[{k}]"), h)?;
                if o.hosts[..k].contains(h) {
                    return err(
                        format!("{path}.hosts[{k}]"),
                        format!("host '{h}' is listed twice"),
                    );
                }
            }
            let mtu = o.mtu.unwrap_or(MTU_DEF);
            if !(MTU_MIN..=MTU_MAX).contains(&mtu) {
                return err(
                    format!("{path}.mtu"),
                    format!("{mtu} is outside {MTU_MIN}-{MTU_MAX}"),
                );
            }
            for h in &o.hosts {
                let u = &hosts.all[h.as_str()];
                let need = mtu + vxlan_overhead(u.underlay);
                if need > u.mtu {
                    return err(
                        format!("{path}.mtu"),
                        format!(
                            "an overlay MTU of {mtu} needs an underlay MTU of {need} (VXLAN adds {}), and host '{h}''s is {}",
                            need - mtu,
                            u.mtu
                        ),
                    );
                }
            }
            if o.port == Some(0) {
                return err(format!("{path}.port"), "0 is not a UDP port");
            }
            overlays.push((o, mtu));
        }
        // This host's underlay link: on the host, and with an MTU that
        // carries its overlays.
        if let Some(h) = this.map(|t| &hosts.all[t])
            && let Some(p) = &h.physical
            && !place.paper
        {
            let path = format!("$.hosts.{}.physical", h.name);
            let info = dl
                .name2info(p)
                .or_else(|_| err(&path, format!("link '{p}' is not on this host")))?;
            let mtu = dl
                .get_linkprop(info.id, crate::backend::PropValue::Current, "mtu")
                .ok()
                .and_then(|v| v.first().and_then(|m| m.parse::<u32>().ok()));
            for (o, omtu) in &overlays {
                let need = omtu + vxlan_overhead(h.underlay);
                if o.hosts.iter().any(|x| x == &h.name)
                    && let Some(m) = mtu
                    && m < need
                {
                    return err(
                        &path,
                        format!(
                            "overlay '{}' needs an underlay MTU of {need}, and link '{p}''s is {m}",
                            o.name
                        ),
                    );
                }
            }
        }
        // Every link name the spec defines, where, and on which host
        // (`None`: an overlay, on each host it spans).
        let mut defined: Defined = BTreeMap::new();
        let mut define = |name: &'a str,
                          path: String,
                          class: LinkClass,
                          host: Option<&'a str>|
         -> Result<(), SpecError> {
            if let Some((first, ..)) = defined.insert(name, (path.clone(), class, host)) {
                return err(path, format!("'{name}' is already defined at {first}"));
            }
            Ok(())
        };
        for (i, (o, _)) in overlays.iter().enumerate() {
            define(
                &o.name,
                format!("$.overlays[{i}].name"),
                LinkClass::Overlay,
                None,
            )?;
        }
        let mut etherstubs = Vec::new();
        for (i, e) in self.etherstubs.iter().enumerate() {
            let path = format!("$.etherstubs[{i}]");
            let s = e.name();
            let host = hosts.place(&path, e.host())?;
            let path = match e {
                EtherstubEntry::Name(_) => path,
                EtherstubEntry::Placed { .. } => format!("{path}.name"),
            };
            link_name(&path, s)?;
            define(s, path, LinkClass::Etherstub, host)?;
            etherstubs.push((host, s.to_string()));
        }
        let mut vlan_hosts = Vec::new();
        for (i, v) in self.vlans.iter().enumerate() {
            let path = format!("$.vlans[{i}].name");
            link_name(&path, &v.name)?;
            let host = hosts.place(&format!("$.vlans[{i}]"), v.host.as_ref())?;
            define(&v.name, path, LinkClass::Vlan, host)?;
            vlan_hosts.push(host);
        }
        let mut vnic_hosts = Vec::new();
        for (i, v) in self.vnics.iter().enumerate() {
            let path = format!("$.vnics[{i}].name");
            link_name(&path, &v.name)?;
            let host = hosts.place(&format!("$.vnics[{i}]"), v.host.as_ref())?;
            define(&v.name, path, LinkClass::Vnic, host)?;
            vnic_hosts.push(host);
        }
        let mut vlans: Vec<NetVlan> = Vec::new();
        for (i, v) in self.vlans.iter().enumerate() {
            let n = vlan(i, v, vlan_hosts[i], this, &defined, dl, place.paper)?;
            // One VLAN link per VID over a link (the kernel refuses a
            // second client of the primary address with the VID).
            if let Some(j) = vlans
                .iter()
                .position(|o| o.over == n.over && o.vid == n.vid)
            {
                return err(
                    format!("$.vlans[{i}].vid"),
                    format!("VID {} over '{}' is already $.vlans[{j}]", n.vid, n.over),
                );
            }
            vlans.push(n);
        }
        let mut vnics = Vec::new();
        for (i, v) in self.vnics.iter().enumerate() {
            let mut n = vnic(i, v, vnic_hosts[i], this, &defined, dl, place.paper)?;
            if let Some((o, _)) = overlays.iter().find(|(o, _)| o.name == n.over) {
                let h = vnic_hosts[i].unwrap_or_default();
                if !o.hosts.iter().any(|x| x == h) {
                    return err(
                        format!("$.vnics[{i}].over"),
                        format!(
                            "overlay '{}' does not span host '{h}' (its hosts: {})",
                            o.name,
                            o.hosts.join(", ")
                        ),
                    );
                }
                match n.mac_type {
                    // Every host derives the same address.
                    MacAddrType::Auto => {
                        n.mac_type = MacAddrType::Fixed;
                        n.mac = Some(overlay_mac(o.vni, &n.name));
                    }
                    MacAddrType::Random if o.hosts.len() > 2 => {
                        return err(
                            format!("$.vnics[{i}].mac"),
                            format!(
                                "a VNIC over overlay '{}' ({} hosts, a files mapping by MAC) needs an address the spec knows: leave mac out or give one",
                                o.name,
                                o.hosts.len()
                            ),
                        );
                    }
                    _ => {}
                }
            }
            // dladm refuses a fixed address that another VNIC has.
            if let Some(m) = n.mac
                && let Some(j) = vnics.iter().position(|o: &NetVnic| o.mac == Some(m))
            {
                return err(
                    format!("$.vnics[{i}].mac"),
                    format!("{m} is already the address of $.vnics[{j}]"),
                );
            }
            vnics.push(n);
        }
        // A VNIC serves one purpose: a global-zone address or one zone,
        // on its host.
        let mut users: BTreeMap<String, String> = BTreeMap::new();
        let mut use_link =
            |link: &str, path: String, host: Option<&str>| -> Result<(), SpecError> {
                let (what, at, there) = match defined.get(link) {
                    Some((p, LinkClass::Vnic, h)) => ("VNIC", p, *h),
                    Some((p, LinkClass::Vlan, h)) => ("VLAN", p, *h),
                    _ => return err(path, format!("'{link}' is not a VNIC or VLAN of this spec")),
                };
                if there != host {
                    return elsewhere(path, link, at, there, host);
                }
                if let Some(first) = users.get(link) {
                    return err(path, format!("{what} '{link}' is already used at {first}"));
                }
                users.insert(link.to_string(), path);
                Ok(())
            };
        let mut addresses: Vec<NetAddr> = Vec::new();
        let mut addr_hosts = Vec::new();
        for (i, a) in self.addresses.iter().enumerate() {
            let path = format!("$.addresses[{i}]");
            let host = hosts.place(&path, a.host.as_ref())?;
            addr_hosts.push(host);
            use_link(&a.interface, format!("{path}.interface"), host)?;
            let addr: Ipv4Cidr =
                a.address
                    .parse()
                    .or_else(|e: crate::model::ipnet::CidrParseError| {
                        err(format!("{path}.address"), e.to_string())
                    })?;
            let name = a.name.clone().unwrap_or_else(|| "v4".into());
            if name.is_empty()
                || name.len() > 32
                || !name.starts_with(|c: char| c.is_ascii_alphabetic())
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return err(
                    format!("{path}.name"),
                    format!(
                        "'{name}': an address object name is 1 to 32 letters and digits, starting with a letter"
                    ),
                );
            }
            addresses.push(NetAddr {
                ifname: a.interface.clone(),
                addrobj: format!("{}/{name}", a.interface),
                addr,
            });
        }
        let mut zones = Vec::new();
        let mut zone_names: BTreeMap<&str, String> = BTreeMap::new();
        let mut zone_hosts = Vec::new();
        for (i, z) in self.zones.iter().enumerate() {
            let path = format!("$.zones[{i}]");
            let host = hosts.place(&path, z.host.as_ref())?;
            zone_hosts.push(host);
            if let Some(why) = zone_name_error(&z.name) {
                return err(
                    format!("{path}.name"),
                    format!("zone name '{}' {why}", z.name),
                );
            }
            if let Some(first) = zone_names.insert(&z.name, path.clone()) {
                return err(
                    format!("{path}.name"),
                    format!("zone '{}' is already defined at {first}", z.name),
                );
            }
            let zonepath = z
                .zonepath
                .clone()
                .unwrap_or_else(|| format!("/zones/{}", z.name));
            if let Some(why) = zonepath_error(&zonepath) {
                return err(format!("{path}.zonepath"), format!("'{zonepath}' {why}"));
            }
            // zoneadm refuses a zonepath within another zone's.
            for (j, other) in zones.iter().enumerate() {
                let NetZone { config: o, .. } = other;
                if zonepath_within(&zonepath, &o.zonepath)
                    || zonepath_within(&o.zonepath, &zonepath)
                {
                    return err(
                        format!("{path}.zonepath"),
                        format!(
                            "'{zonepath}' overlaps zone '{}''s zonepath '{}' ($.zones[{j}])",
                            o.name, o.zonepath
                        ),
                    );
                }
            }
            let brand = z.brand.clone().unwrap_or_else(|| default_brand.to_string());
            if brand.is_empty()
                || !brand
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                return err(
                    format!("{path}.brand"),
                    format!("'{brand}' is not a brand name"),
                );
            }
            if z.net.is_empty() {
                return err(
                    format!("{path}.net"),
                    "an exclusive-IP zone needs at least one VNIC",
                );
            }
            let mut nets = Vec::new();
            for (j, n) in z.net.iter().enumerate() {
                let npath = format!("{path}.net[{j}]");
                use_link(&n.physical, format!("{npath}.physical"), host)?;
                let allowed_address = match &n.allowed_address {
                    None => None,
                    Some(a) => Some(
                        a.parse::<Ipv4Cidr>()
                            .or_else(|e| err(format!("{npath}.allowed-address"), e.to_string()))?,
                    ),
                };
                let defrouter = match &n.defrouter {
                    None => None,
                    Some(r) => Some(r.parse::<std::net::Ipv4Addr>().or_else(|_| {
                        err(
                            format!("{npath}.defrouter"),
                            format!("'{r}' is not an IPv4 address"),
                        )
                    })?),
                };
                if let (Some(r), None) = (defrouter, allowed_address) {
                    return err(
                        format!("{npath}.defrouter"),
                        format!("a default router ({r}) needs an allowed-address"),
                    );
                }
                if let (Some(r), Some(a)) = (defrouter, allowed_address)
                    && !a.contains(r)
                {
                    return err(
                        format!("{npath}.defrouter"),
                        format!("{r} is not on the network of {a}"),
                    );
                }
                nets.push(ZoneNet {
                    physical: n.physical.clone(),
                    allowed_address,
                    defrouter,
                });
            }
            let fpath = format!("{path}.filter");
            let filter = filter_lines(
                &fpath,
                z.filter
                    .iter()
                    .enumerate()
                    .map(|(j, t)| (format!("{fpath}[{j}]"), t, None)),
            )?;
            if !filter.is_empty() && !z.boot {
                return err(
                    fpath,
                    "a zone's filter rules live in its IP stack, which exists while it runs: they need \"boot\": true",
                );
            }
            zones.push(NetZone {
                config: ZoneConfig {
                    name: z.name.clone(),
                    zonepath,
                    brand,
                    autoboot: z.autoboot,
                    nets,
                },
                boot: z.boot,
                filter,
            });
        }
        let mut nat = Vec::new();
        let mut nat_hosts = Vec::new();
        for (i, entry) in self.nat.iter().enumerate() {
            let path = format!("$.nat[{i}]");
            nat_hosts.push(hosts.place(&path, entry.host())?);
            let text = entry.text();
            let path = match entry {
                NatEntry::Rule(_) => path,
                NatEntry::Placed { .. } => format!("{path}.rule"),
            };
            // One rule a line of the NAT file: a line break would split
            // it (or hide xbow's block markers).
            if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\t') {
                return err(
                    path,
                    format!(
                        "'{text}': {c:?} is not allowed: a NAT rule is one line, without control characters other than tab"
                    ),
                );
            }
            let rule = text
                .parse::<NatRule>()
                .or_else(|e| err(&path, format!("'{text}': {e}")))?;
            if let Some(j) = nat.iter().position(|n: &NetNat| n.rule.same_as(&rule)) {
                return err(path, format!("'{text}' is the same rule as $.nat[{j}]"));
            }
            nat.push(NetNat {
                text: text.clone(),
                rule,
            });
        }
        let mut filter_hosts = Vec::new();
        let mut filter_lines_at = Vec::new();
        for (i, entry) in self.filter.iter().enumerate() {
            let path = format!("$.filter[{i}]");
            let host = hosts.place(&path, entry.host())?;
            filter_hosts.push(host);
            let path = match entry {
                NatEntry::Rule(_) => path,
                NatEntry::Placed { .. } => format!("{path}.rule"),
            };
            filter_lines_at.push((path, entry.text(), host));
        }
        let filter = filter_lines("$.filter", filter_lines_at.into_iter())?;
        // Every address of the network, where it is written.
        let all_addrs = || {
            addresses
                .iter()
                .enumerate()
                .map(|(i, a)| (format!("$.addresses[{i}].address"), a.addr))
                .chain(zones.iter().enumerate().flat_map(|(i, z)| {
                    z.config.nets.iter().enumerate().filter_map(move |(j, n)| {
                        n.allowed_address
                            .map(|a| (format!("$.zones[{i}].net[{j}].allowed-address"), a))
                    })
                }))
        };
        // An IPv4 address is on one interface only.
        let mut seen: BTreeMap<std::net::Ipv4Addr, String> = BTreeMap::new();
        for (path, a) in all_addrs() {
            if let Some(first) = seen.get(&a.addr) {
                return err(path, format!("{} is already used at {first}", a.addr));
            }
            seen.insert(a.addr, path);
        }
        // With NAT asked for, every private address must be translated.
        if !nat.is_empty() {
            let private = all_addrs();
            for (path, a) in private {
                if !nat.iter().any(|n| translates(&n.rule, a.addr)) {
                    return err(
                        path,
                        format!("{a} is outside every NAT rule's range ($.nat)"),
                    );
                }
            }
        }
        // A zone's default router on another host is reached over an
        // overlay both its VNIC and the router's are on.
        let lower = |link: &str| -> Option<&str> {
            vnics
                .iter()
                .find(|v| v.name == link)
                .map(|v| v.over.as_str())
                .filter(|o| overlays.iter().any(|(x, _)| x.name == *o))
        };
        for (i, z) in zones.iter().enumerate() {
            for (j, n) in z.config.nets.iter().enumerate() {
                let Some(r) = n.defrouter else { continue };
                let owner = addresses
                    .iter()
                    .zip(&addr_hosts)
                    .enumerate()
                    .find(|(_, (a, _))| a.addr.addr == r)
                    .map(|(k, (a, h))| (a.ifname.as_str(), *h, format!("$.addresses[{k}]")))
                    .or_else(|| {
                        zones
                            .iter()
                            .zip(&zone_hosts)
                            .enumerate()
                            .find_map(|(k, (o, h))| {
                                o.config.nets.iter().enumerate().find_map(|(l, m)| {
                                    (m.allowed_address.map(|a| a.addr) == Some(r)).then(|| {
                                        (m.physical.as_str(), *h, format!("$.zones[{k}].net[{l}]"))
                                    })
                                })
                            })
                    });
                let Some((link, host, at)) = owner else {
                    continue;
                };
                let here = zone_hosts[i];
                if host == here {
                    continue;
                }
                match (lower(&n.physical), lower(link)) {
                    (Some(a), Some(b)) if a == b => {}
                    _ => {
                        return err(
                            format!("$.zones[{i}].net[{j}].defrouter"),
                            format!(
                                "zone '{}' is on host '{}' and its default router {r} on host '{}' ({at}), with no overlay between them: put '{}' and '{link}' over one overlay",
                                z.config.name,
                                here.unwrap_or("?"),
                                host.unwrap_or("?"),
                                n.physical
                            ),
                        );
                    }
                }
            }
        }
        let ipv4_forwarding = match &self.ipv4_forwarding {
            Forwarding::On(on) if *on && hosts.all.len() > 1 => {
                return err(
                    "$.ipv4-forwarding",
                    "the spec declares several hosts: list those that forward",
                );
            }
            Forwarding::On(on) => *on,
            Forwarding::Hosts(list) => {
                for (k, h) in list.iter().enumerate() {
                    hosts.declared(&format!("$.ipv4-forwarding[{k}]"), h)?;
                }
                list.iter().any(|h| Some(h.as_str()) == this)
            }
        };
        // This host's overlays, with the mapping derived from the whole
        // spec: `direct` to the other host of two, else a `files`
        // mapping of every VNIC over the overlay to its host.
        let mut net_overlays = Vec::new();
        if let Some(me) = this.map(|t| &hosts.all[t]) {
            for (o, mtu) in overlays.iter().filter(|(o, _)| o.hosts.contains(&me.name)) {
                let port = o.port.unwrap_or(VXLAN_PORT);
                let search = if let [a, b] = o.hosts.as_slice() {
                    let other = if *a == me.name { b } else { a };
                    Search::Direct {
                        dest: SocketAddr::new(hosts.all[other.as_str()].underlay, port),
                    }
                } else {
                    let mut map = FilesMap::new();
                    for (v, h) in vnics.iter().zip(&vnic_hosts) {
                        let (Some(mac), Some(h)) = (v.mac, h) else {
                            continue;
                        };
                        if v.over != o.name {
                            continue;
                        }
                        let arp = addresses
                            .iter()
                            .find(|a| a.ifname == v.name)
                            .map(|a| a.addr.addr)
                            .or_else(|| {
                                zones.iter().flat_map(|z| &z.config.nets).find_map(|n| {
                                    (n.physical == v.name)
                                        .then_some(n.allowed_address.map(|a| a.addr))
                                        .flatten()
                                })
                            });
                        map.insert(
                            mac,
                            FilesEntry {
                                ip: Some(hosts.all[h].underlay),
                                port: Some(port),
                                arp,
                                ..FilesEntry::default()
                            },
                        );
                    }
                    let config = crate::backend::files::with_suffix(
                        &place.files_prefix,
                        &format!("{}.json", o.name),
                    );
                    Search::Files {
                        config: config.display().to_string(),
                        map,
                    }
                };
                net_overlays.push(NetOverlay {
                    name: o.name.clone(),
                    mtu: o.mtu.map(|_| *mtu),
                    conf: OverlayConf {
                        vnetid: o.vni,
                        listen_ip: me.underlay,
                        listen_port: o.port,
                        search,
                        varpd_id: 0,
                        targets: Vec::new(),
                        degraded: None,
                    },
                });
            }
        }
        // This host's part.
        fn mine<T>(all: Vec<T>, on: &[Option<&str>], this: Option<&str>) -> Vec<T> {
            all.into_iter()
                .zip(on)
                .filter(|(_, h)| **h == this)
                .map(|(x, _)| x)
                .collect()
        }
        let (stub_hosts, etherstubs): (Vec<_>, Vec<_>) = etherstubs.into_iter().unzip();
        Ok(Network {
            etherstubs: mine(etherstubs, &stub_hosts, this),
            vlans: mine(vlans, &vlan_hosts, this),
            vnics: mine(vnics, &vnic_hosts, this),
            addresses: mine(addresses, &addr_hosts, this),
            ipv4_forwarding,
            nat: mine(nat, &nat_hosts, this),
            filter: mine(filter, &filter_hosts, this),
            zones: mine(zones, &zone_hosts, this),
            overlays: net_overlays,
            host: this.map(|t| hosts.all[t].clone()),
            hosts: hosts.all.into_values().collect(),
        })
    }
}

/// A lower link the spec does not define: it must be on the host, and
/// neither a VNIC nor a VLAN (libdladm's `BADARG` for a `what` over one).
fn host_lower(dl: &mut dyn Datalink, path: &str, over: &str, what: &str) -> Result<(), SpecError> {
    match dl.name2info(over) {
        Ok(info) if matches!(info.class, LinkClass::Vnic | LinkClass::Vlan) => err(
            format!("{path}.over"),
            format!(
                "'{over}' is a {} on the host; a {what} cannot be over it",
                info.class.as_str()
            ),
        ),
        Ok(_) => Ok(()),
        Err(_) => err(
            format!("{path}.over"),
            format!("link '{over}' is neither in the spec nor on the host"),
        ),
    }
}

/// A link of the spec on another host than the object that uses it.
fn elsewhere(
    path: String,
    link: &str,
    at: &str,
    there: Option<&str>,
    here: Option<&str>,
) -> Result<(), SpecError> {
    err(
        path,
        format!(
            "'{link}' ({at}) is on host '{}', this is on host '{}'",
            there.unwrap_or("?"),
            here.unwrap_or("?")
        ),
    )
}

fn vnic(
    i: usize,
    v: &VnicEntry,
    host: Option<&str>,
    this: Option<&str>,
    defined: &Defined,
    dl: &mut dyn Datalink,
    paper: bool,
) -> Result<NetVnic, SpecError> {
    let path = format!("$.vnics[{i}]");
    link_name(&format!("{path}.over"), &v.over)?;
    match defined.get(v.over.as_str()) {
        Some((p, LinkClass::Etherstub, h)) if *h != host => {
            elsewhere(format!("{path}.over"), &v.over, p, *h, host)?
        }
        // An overlay's hosts are checked by the caller.
        Some((_, LinkClass::Etherstub | LinkClass::Overlay, _)) => {}
        Some((p, c, _)) => {
            let what = if *c == LinkClass::Vlan {
                "VLAN"
            } else {
                "VNIC"
            };
            return err(
                format!("{path}.over"),
                format!(
                    "'{}' is a {what} ({p}); a VNIC cannot be over a {what}",
                    v.over
                ),
            );
        }
        None if host == this && !paper => host_lower(dl, &path, &v.over, "VNIC")?,
        // Another host's link: it is checked there.
        None => {}
    }
    let (mac_type, mac) = match v.mac.as_deref() {
        None | Some("auto") => (MacAddrType::Auto, None),
        Some("random") => (MacAddrType::Random, None),
        Some(m) => match m.parse::<MacAddr>() {
            Ok(a) if a.len() == 6 && !a.is_multicast() => (MacAddrType::Fixed, Some(a)),
            _ => {
                return err(
                    format!("{path}.mac"),
                    format!("'{m}' is not auto, random or a unicast MAC address"),
                );
            }
        },
    };
    let vid = v.vid.unwrap_or(0);
    if v.vid.is_some() && !(VID_MIN..=VID_MAX).contains(&vid) {
        return err(
            format!("{path}.vid"),
            format!("{vid} is outside {VID_MIN}-{VID_MAX}"),
        );
    }
    let maxbw = match &v.maxbw {
        None => None,
        Some(s) => Some(
            Bandwidth::parse_dladm(s)
                .and_then(Bandwidth::check)
                .or_else(|st| err(format!("{path}.maxbw"), format!("'{s}': {st}")))?,
        ),
    };
    let priority = match &v.priority {
        None => None,
        Some(s) => Some(s.parse::<Priority>().or_else(|_| {
            err(
                format!("{path}.priority"),
                format!("'{s}' is not low, medium or high"),
            )
        })?),
    };
    Ok(NetVnic {
        name: v.name.clone(),
        over: v.over.clone(),
        mac_type,
        mac,
        slot: None,
        vid,
        maxbw,
        priority,
    })
}

/// A VLAN of the spec: over an etherstub of the spec or a link of the
/// host that is neither a VNIC nor a VLAN (libdladm's `BADARG`), with a
/// VID `create-vlan` takes.
fn vlan(
    i: usize,
    v: &VlanEntry,
    host: Option<&str>,
    this: Option<&str>,
    defined: &Defined,
    dl: &mut dyn Datalink,
    paper: bool,
) -> Result<NetVlan, SpecError> {
    let path = format!("$.vlans[{i}]");
    link_name(&format!("{path}.over"), &v.over)?;
    match defined.get(v.over.as_str()) {
        Some((p, LinkClass::Etherstub, h)) if *h != host => {
            elsewhere(format!("{path}.over"), &v.over, p, *h, host)?
        }
        Some((_, LinkClass::Etherstub, _)) => {}
        Some((p, c, _)) => {
            return err(
                format!("{path}.over"),
                format!(
                    "'{}' is a {} ({p}); a VLAN cannot be over it",
                    v.over,
                    c.as_str()
                ),
            );
        }
        None if host == this && !paper => host_lower(dl, &path, &v.over, "VLAN")?,
        None => {}
    }
    if !(VID_MIN..=VID_MAX).contains(&v.vid) {
        return err(
            format!("{path}.vid"),
            format!("{} is outside {VID_MIN}-{VID_MAX}", v.vid),
        );
    }
    Ok(NetVlan {
        name: v.name.clone(),
        over: v.over.clone(),
        vid: v.vid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_macs_are_stable_local_and_unicast() {
        let m = overlay_mac(4242, "vnic0");
        assert_eq!(m, overlay_mac(4242, "vnic0"));
        assert_ne!(m, overlay_mac(4242, "vnic1"));
        assert_ne!(m, overlay_mac(4243, "vnic0"));
        let b = m.as_bytes();
        assert_eq!(b.len(), 6);
        assert_eq!(b[0], 0x02, "locally administered, unicast");
    }

    #[test]
    fn vxlan_overhead_by_family() {
        assert_eq!(vxlan_overhead("192.0.2.1".parse().unwrap()), 50);
        assert_eq!(vxlan_overhead("2001:db8::1".parse().unwrap()), 70);
    }
}
