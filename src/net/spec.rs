//! The network spec (`xbow-net(5)`): what a user writes, and its
//! validation into a [`Network`] before anything is changed. Every error
//! names the JSON path of the offending value.

use super::printable;
use crate::backend::Datalink;
use crate::ipnat::NatRule;
use crate::model::bandwidth::Bandwidth;
use crate::model::ipnet::Ipv4Cidr;
use crate::model::link::{LinkClass, MacAddrType, VID_MAX, VID_MIN};
use crate::model::link_name::LinkName;
use crate::model::linkprop::Priority;
use crate::model::mac::MacAddr;
use crate::model::zone::{ZoneConfig, ZoneNet, zone_name_error, zonepath_error, zonepath_within};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The spec as written (JSON).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spec {
    #[serde(default)]
    pub etherstubs: Vec<String>,
    #[serde(default)]
    pub vlans: Vec<VlanEntry>,
    #[serde(default)]
    pub vnics: Vec<VnicEntry>,
    #[serde(default)]
    pub addresses: Vec<AddressEntry>,
    #[serde(default)]
    pub ipv4_forwarding: bool,
    /// NAT rules in `ipnat.conf` syntax, one per string.
    #[serde(default)]
    pub nat: Vec<String>,
    #[serde(default)]
    pub zones: Vec<ZoneEntry>,
}

/// A VLAN link (`dladm create-vlan -l OVER -v VID NAME`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VlanEntry {
    pub name: String,
    pub over: String,
    pub vid: u16,
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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AddressEntry {
    pub interface: String,
    pub address: String,
    /// The address object's name after the `/` (default `v4`).
    #[serde(default)]
    pub name: Option<String>,
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
    pub zones: Vec<NetZone>,
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

impl Spec {
    /// Check the spec against itself and the host's links, and resolve
    /// defaults. `default_brand` is the host's usual zone brand.
    pub fn validate(
        &self,
        dl: &mut dyn Datalink,
        default_brand: &str,
    ) -> Result<Network, SpecError> {
        // Every link name the spec defines, and where.
        let mut defined: BTreeMap<&str, (String, LinkClass)> = BTreeMap::new();
        for (i, s) in self.etherstubs.iter().enumerate() {
            let path = format!("$.etherstubs[{i}]");
            link_name(&path, s)?;
            if let Some((first, _)) = defined.insert(s, (path.clone(), LinkClass::Etherstub)) {
                return err(path, format!("'{s}' is already defined at {first}"));
            }
        }
        for (i, v) in self.vlans.iter().enumerate() {
            let path = format!("$.vlans[{i}].name");
            link_name(&path, &v.name)?;
            if let Some((first, _)) = defined.insert(&v.name, (path.clone(), LinkClass::Vlan)) {
                return err(path, format!("'{}' is already defined at {first}", v.name));
            }
        }
        for (i, v) in self.vnics.iter().enumerate() {
            let path = format!("$.vnics[{i}].name");
            link_name(&path, &v.name)?;
            if let Some((first, _)) = defined.insert(&v.name, (path.clone(), LinkClass::Vnic)) {
                return err(path, format!("'{}' is already defined at {first}", v.name));
            }
        }
        let mut vlans: Vec<NetVlan> = Vec::new();
        for (i, v) in self.vlans.iter().enumerate() {
            let n = vlan(i, v, &defined, dl)?;
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
            let n = vnic(i, v, &defined, dl)?;
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
        // A VNIC serves one purpose: a global-zone address or one zone.
        let mut users: BTreeMap<String, String> = BTreeMap::new();
        let mut use_link = |link: &str, path: String| -> Result<(), SpecError> {
            let what = match defined.get(link) {
                Some((_, LinkClass::Vnic)) => "VNIC",
                Some((_, LinkClass::Vlan)) => "VLAN",
                _ => return err(path, format!("'{link}' is not a VNIC or VLAN of this spec")),
            };
            if let Some(first) = users.get(link) {
                return err(path, format!("{what} '{link}' is already used at {first}"));
            }
            users.insert(link.to_string(), path);
            Ok(())
        };
        let mut addresses: Vec<NetAddr> = Vec::new();
        for (i, a) in self.addresses.iter().enumerate() {
            let path = format!("$.addresses[{i}]");
            use_link(&a.interface, format!("{path}.interface"))?;
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
        for (i, z) in self.zones.iter().enumerate() {
            let path = format!("$.zones[{i}]");
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
                use_link(&n.physical, format!("{npath}.physical"))?;
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
            zones.push(NetZone {
                config: ZoneConfig {
                    name: z.name.clone(),
                    zonepath,
                    brand,
                    autoboot: z.autoboot,
                    nets,
                },
                boot: z.boot,
            });
        }
        let mut nat = Vec::new();
        for (i, text) in self.nat.iter().enumerate() {
            let path = format!("$.nat[{i}]");
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
        Ok(Network {
            etherstubs: self.etherstubs.clone(),
            vlans,
            vnics,
            addresses,
            ipv4_forwarding: self.ipv4_forwarding,
            nat,
            zones,
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

fn vnic(
    i: usize,
    v: &VnicEntry,
    defined: &BTreeMap<&str, (String, LinkClass)>,
    dl: &mut dyn Datalink,
) -> Result<NetVnic, SpecError> {
    let path = format!("$.vnics[{i}]");
    link_name(&format!("{path}.over"), &v.over)?;
    match defined.get(v.over.as_str()) {
        Some((_, LinkClass::Etherstub)) => {}
        Some((p, c)) => {
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
        None => host_lower(dl, &path, &v.over, "VNIC")?,
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
    defined: &BTreeMap<&str, (String, LinkClass)>,
    dl: &mut dyn Datalink,
) -> Result<NetVlan, SpecError> {
    let path = format!("$.vlans[{i}]");
    link_name(&format!("{path}.over"), &v.over)?;
    match defined.get(v.over.as_str()) {
        Some((_, LinkClass::Etherstub)) => {}
        Some((p, c)) => {
            return err(
                format!("{path}.over"),
                format!(
                    "'{}' is a {} ({p}); a VLAN cannot be over it",
                    v.over,
                    c.as_str()
                ),
            );
        }
        None => host_lower(dl, &path, &v.over, "VLAN")?,
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
