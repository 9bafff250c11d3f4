//! The varpd `files` search plugin's mapping (overlay_files(5)): a JSON
//! object whose keys are inner MAC addresses and whose values say where
//! that MAC lives on the underlay, and which addresses it answers ARP and
//! NDP for.

use super::mac::MacAddr;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The largest mapping file read (the plugin `mmap`s any size; xbow
/// bounds what it reads).
pub const MAX_FILE: u64 = 1 << 20;

/// One MAC's entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilesEntry {
    /// The underlay address of the host with this MAC (`ip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// The underlay UDP port (`port`); without it the plugin drops
    /// frames to this MAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    /// The IPv4 address ARP requests for are answered with this MAC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arp: Option<Ipv4Addr>,
    /// The IPv6 address neighbour solicitations for are answered with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ndp: Option<Ipv6Addr>,
    /// DHCP broadcasts from this MAC go to the entry of this MAC.
    #[serde(
        default,
        rename = "dhcp-proxy",
        skip_serializing_if = "Option::is_none"
    )]
    pub dhcp_proxy: Option<MacAddr>,
}

/// A whole mapping, by MAC.
pub type FilesMap = BTreeMap<MacAddr, FilesEntry>;

/// Why a mapping was refused: the place and the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FilesError {
    #[error("not JSON: {0}")]
    Json(String),
    #[error("the top level is not a JSON object")]
    NotObject,
    #[error("key '{0}' is not a MAC address")]
    BadKey(String),
    #[error("entry {0}: not a JSON object")]
    EntryNotObject(String),
    #[error("entry {0}: '{1}' is not {2}")]
    BadField(String, &'static str, &'static str),
}

/// An Ethernet address (`ether_aton`: six octets).
fn ether(s: &str) -> Option<MacAddr> {
    s.parse::<MacAddr>().ok().filter(|m| m.len() == 6)
}

/// Parse a mapping file's text. Keys are normalised as `ether_aton`
/// reads them (so `02:08:20:0A:0B:0C` and `2:8:20:a:b:c` are one key, the
/// later wins); keys of an entry the plugin does not know are ignored.
pub fn parse(text: &[u8]) -> Result<FilesMap, FilesError> {
    let v: Value = serde_json::from_slice(text).map_err(|e| FilesError::Json(e.to_string()))?;
    let Value::Object(top) = v else {
        return Err(FilesError::NotObject);
    };
    let mut map = FilesMap::new();
    for (key, val) in top {
        let mac = ether(&key).ok_or_else(|| FilesError::BadKey(key.clone()))?;
        let Value::Object(obj) = val else {
            return Err(FilesError::EntryNotObject(key));
        };
        let bad = |f: &'static str, what: &'static str| FilesError::BadField(key.clone(), f, what);
        let text = |f: &'static str, what: &'static str| -> Result<Option<String>, FilesError> {
            match obj.get(f) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(bad(f, what)),
            }
        };
        let mut e = FilesEntry::default();
        if let Some(s) = text("ip", "an IP address")? {
            e.ip = Some(super::overlay::parse_ip(&s).ok_or_else(|| bad("ip", "an IP address"))?);
        }
        if let Some(p) = obj.get("port") {
            let p = p
                .as_u64()
                .filter(|p| (1..=u64::from(u16::MAX)).contains(p))
                .ok_or_else(|| bad("port", "an integer from 1 to 65535"))?;
            e.port = Some(p as u16);
        }
        if let Some(s) = text("arp", "an IPv4 address")? {
            e.arp = Some(s.parse().map_err(|_| bad("arp", "an IPv4 address"))?);
        }
        if let Some(s) = text("ndp", "an IPv6 address")? {
            e.ndp = Some(s.parse().map_err(|_| bad("ndp", "an IPv6 address"))?);
        }
        if let Some(s) = text("dhcp-proxy", "a MAC address")? {
            e.dhcp_proxy = Some(ether(&s).ok_or_else(|| bad("dhcp-proxy", "a MAC address"))?);
        }
        map.insert(mac, e);
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_of_overlay_files_5() {
        let text = br#"{
            "02:08:20:aa:00:01": {"ip": "192.0.2.11", "port": 4789,
                "arp": "10.50.0.1", "ndp": "fd00:50::1"},
            "2:8:20:AA:0:2": {"ip": "192.0.2.12", "port": 4789,
                "dhcp-proxy": "02:08:20:aa:00:01", "comment": "ignored"}
        }"#;
        let m = parse(text).unwrap();
        assert_eq!(m.len(), 2);
        let k: MacAddr = "2:8:20:aa:0:2".parse().unwrap();
        assert_eq!(m[&k].ip, Some("192.0.2.12".parse().unwrap()));
        assert_eq!(m[&k].dhcp_proxy, ether("2:8:20:aa:0:1"));
        // Round trip through the state.
        let s = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<FilesMap>(&s).unwrap(), m);
    }

    #[test]
    fn refusals() {
        for (text, want) in [
            (&b"[]"[..], "the top level is not a JSON object"),
            (b"{\"x\": {}}", "key 'x' is not a MAC address"),
            (
                b"{\"1:2:3:4:5\": {}}",
                "key '1:2:3:4:5' is not a MAC address",
            ),
            (
                b"{\"2:8:20:0:0:1\": 5}",
                "entry 2:8:20:0:0:1: not a JSON object",
            ),
            (
                b"{\"2:8:20:0:0:1\": {\"port\": 1.5}}",
                "entry 2:8:20:0:0:1: 'port' is not an integer from 1 to 65535",
            ),
            (
                b"{\"2:8:20:0:0:1\": {\"port\": 0}}",
                "entry 2:8:20:0:0:1: 'port' is not an integer from 1 to 65535",
            ),
            (
                b"{\"2:8:20:0:0:1\": {\"ip\": \"nope\"}}",
                "entry 2:8:20:0:0:1: 'ip' is not an IP address",
            ),
            (
                b"{\"2:8:20:0:0:1\": {\"arp\": \"fd00::1\"}}",
                "entry 2:8:20:0:0:1: 'arp' is not an IPv4 address",
            ),
        ] {
            assert_eq!(parse(text).unwrap_err().to_string(), want);
        }
        assert!(matches!(parse(b"{"), Err(FilesError::Json(_))));
    }
}
