//! Zones: names, states, and the configuration of an exclusive-IP zone
//! (what `zonecfg` is given).

use super::ipnet::Ipv4Cidr;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// `ZONENAME_MAX` (64, NUL included).
pub const ZONENAME_MAX: usize = 64;

/// Why a zone name is refused (zonecfg's rules).
pub fn zone_name_error(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= ZONENAME_MAX {
        return Some("must be 1 to 63 characters long");
    }
    if !b[0].is_ascii_alphanumeric() {
        return Some("must begin with a letter or digit");
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        return Some("may contain only letters, digits, '-', '_' and '.'");
    }
    if name == "global" || name.starts_with("SUNW") {
        return Some("is reserved");
    }
    None
}

/// `zone_state_t`, as `zoneadm list` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneState {
    Configured,
    Incomplete,
    Installed,
    Ready,
    Running,
    ShuttingDown,
    Down,
    Mounted,
}

impl ZoneState {
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneState::Configured => "configured",
            ZoneState::Incomplete => "incomplete",
            ZoneState::Installed => "installed",
            ZoneState::Ready => "ready",
            ZoneState::Running => "running",
            ZoneState::ShuttingDown => "shutting_down",
            ZoneState::Down => "down",
            ZoneState::Mounted => "mounted",
        }
    }

    pub fn from_name(s: &str) -> Option<ZoneState> {
        [
            ZoneState::Configured,
            ZoneState::Incomplete,
            ZoneState::Installed,
            ZoneState::Ready,
            ZoneState::Running,
            ZoneState::ShuttingDown,
            ZoneState::Down,
            ZoneState::Mounted,
        ]
        .into_iter()
        .find(|z| z.as_str() == s)
    }
}

/// A `net` resource of an exclusive-IP zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ZoneNet {
    pub physical: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_address: Option<Ipv4Cidr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defrouter: Option<Ipv4Addr>,
}

/// The configuration xbow gives an exclusive-IP zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ZoneConfig {
    pub name: String,
    pub zonepath: String,
    pub brand: String,
    pub autoboot: bool,
    pub nets: Vec<ZoneNet>,
}

impl ZoneConfig {
    /// The `zonecfg -z NAME -f FILE` command file.
    pub fn zonecfg_script(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "create -b");
        let _ = writeln!(s, "set brand={}", self.brand);
        let _ = writeln!(s, "set zonepath={}", self.zonepath);
        let _ = writeln!(s, "set ip-type=exclusive");
        let _ = writeln!(s, "set autoboot={}", self.autoboot);
        for n in &self.nets {
            let _ = writeln!(s, "add net");
            let _ = writeln!(s, "set physical={}", n.physical);
            if let Some(a) = n.allowed_address {
                let _ = writeln!(s, "set allowed-address={a}");
            }
            if let Some(r) = n.defrouter {
                let _ = writeln!(s, "set defrouter={r}");
            }
            let _ = writeln!(s, "end");
        }
        let _ = writeln!(s, "verify");
        let _ = writeln!(s, "commit");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(zone_name_error("test1"), None);
        assert_eq!(zone_name_error("a-b_c.d"), None);
        assert!(zone_name_error("global").is_some());
        assert!(zone_name_error("SUNWx").is_some());
        assert!(zone_name_error("-x").is_some());
        assert!(zone_name_error("a b").is_some());
        assert!(zone_name_error(&"a".repeat(64)).is_some());
    }

    #[test]
    fn zonecfg_script() {
        let z = ZoneConfig {
            name: "test1".into(),
            zonepath: "/zones/test1".into(),
            brand: "lipkg".into(),
            autoboot: true,
            nets: vec![ZoneNet {
                physical: "vnic1".into(),
                allowed_address: Some("192.168.0.100/24".parse().unwrap()),
                defrouter: Some("192.168.0.1".parse().unwrap()),
            }],
        };
        assert_eq!(
            z.zonecfg_script(),
            "create -b\nset brand=lipkg\nset zonepath=/zones/test1\nset ip-type=exclusive\n\
             set autoboot=true\nadd net\nset physical=vnic1\nset allowed-address=192.168.0.100/24\n\
             set defrouter=192.168.0.1\nend\nverify\ncommit\n"
        );
        assert_eq!(
            ZoneState::from_name("shutting_down"),
            Some(ZoneState::ShuttingDown)
        );
    }
}
