//! The NAT part of the sim state: what the illumos kernel keeps for
//! `/dev/ipnat` (rules, sessions, host maps, counters), as stored.

use crate::ipnat::rule::NatRule;
use crate::ipnat::session::{HostMap, NatSession};
use serde::{Deserialize, Serialize};

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// The NAT part of the sim state.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatState {
    /// The rule list, in kernel order (deleted rules still used by
    /// sessions stay, unlisted, until their last session goes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<SimNatRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sessions: Vec<SimSession>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hostmaps: Vec<SimHostMap>,
    #[serde(default, skip_serializing_if = "is_default")]
    pub counters: NatCounters,
}

impl NatState {
    pub fn is_empty(&self) -> bool {
        *self == NatState::default()
    }

    /// An id for a new object: above every id in use (so none is shared
    /// while its object exists).
    pub(super) fn next_id(&mut self) -> u64 {
        let rules = self.rules.iter().map(|r| r.id);
        let sessions = self.sessions.iter().map(|s| s.id);
        let maps = self.hostmaps.iter().map(|h| h.id);
        rules.chain(sessions).chain(maps).max().unwrap_or(0) + 1
    }
}

/// A rule in the sim kernel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimNatRule {
    pub id: u64,
    pub rule: NatRule,
    #[serde(default, skip_serializing_if = "is_default")]
    pub hits: u64,
    /// `in_use`: sessions that refer to it.
    #[serde(default, skip_serializing_if = "is_default")]
    pub uses: u32,
    /// `IPN_DELETE`: removed from the list, kept while sessions use it.
    #[serde(default, skip_serializing_if = "is_default")]
    pub deleted: bool,
    /// The next port a `portmap` range hands out.
    #[serde(default, skip_serializing_if = "is_default")]
    pub next_port: u16,
}

/// A session and what it refers to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimSession {
    pub id: u64,
    /// The rule that created it.
    pub rule: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hostmap: Option<u64>,
    pub session: NatSession,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimHostMap {
    pub id: u64,
    pub rule: u64,
    pub hostmap: HostMap,
}

/// The `natstat_t` counters the sim keeps.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatCounters {
    #[serde(default)]
    pub mapped: [u64; 2],
    #[serde(default)]
    pub added: u64,
    #[serde(default)]
    pub expired: u64,
    #[serde(default)]
    pub memfail: u64,
    #[serde(default)]
    pub badnat: u64,
    #[serde(default)]
    pub orphans: u32,
    #[serde(default)]
    pub wilds: u32,
}
