//! SMF service instances xbow manages, and their states.

use serde::{Deserialize, Serialize};

/// IPv4 forwarding (`routeadm -u -e ipv4-forwarding`).
pub const IPV4_FORWARDING: &str = "svc:/network/ipv4-forwarding:default";
/// IP Filter, which loads the NAT rules.
pub const IPFILTER: &str = "svc:/network/ipfilter:default";

/// The short name `svcadm` accepts for a service (`network/ipfilter`).
pub fn short_name(fmri: &str) -> &str {
    fmri.strip_prefix("svc:/")
        .and_then(|s| s.strip_suffix(":default"))
        .unwrap_or(fmri)
}

/// An instance's state (`smf_get_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SvcState {
    Uninitialized,
    Offline,
    Online,
    Degraded,
    Disabled,
    Maintenance,
    LegacyRun,
}

impl SvcState {
    pub fn as_str(self) -> &'static str {
        match self {
            SvcState::Uninitialized => "uninitialized",
            SvcState::Offline => "offline",
            SvcState::Online => "online",
            SvcState::Degraded => "degraded",
            SvcState::Disabled => "disabled",
            SvcState::Maintenance => "maintenance",
            SvcState::LegacyRun => "legacy_run",
        }
    }

    /// The state for `SCF_STATE_STRING_*`.
    pub fn from_name(s: &str) -> Option<SvcState> {
        [
            SvcState::Uninitialized,
            SvcState::Offline,
            SvcState::Online,
            SvcState::Degraded,
            SvcState::Disabled,
            SvcState::Maintenance,
            SvcState::LegacyRun,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(short_name(IPFILTER), "network/ipfilter");
        assert_eq!(
            SvcState::from_name("maintenance"),
            Some(SvcState::Maintenance)
        );
        assert_eq!(SvcState::from_name("bogus"), None);
    }
}
