//! What the sim's IP Filter packet filter remembers: the two rule sets,
//! the state table and the counters.

use crate::backend::filter::{DirStats, StateEntry};
use crate::ipf::FilterRule;
use serde::{Deserialize, Serialize};

/// A loaded rule and its counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimFilterRule {
    /// Unique while the state lives: what a state entry refers to.
    pub id: u64,
    pub rule: FilterRule,
    #[serde(default)]
    pub hits: u64,
    #[serde(default)]
    pub bytes: u64,
}

/// A state entry and the rule that made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimStateEntry {
    pub rule: u64,
    pub entry: StateEntry,
}

/// The packet filter of the sim's IP stack.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FilterState {
    /// `ipf -D` was run (and no `ipf -E` since): `f_running` -1.
    pub disabled: bool,
    /// `f_active`.
    pub active: u32,
    /// The rules of set 0 and set 1, every list in one vector, each list
    /// in kernel order.
    pub sets: [Vec<SimFilterRule>; 2],
    pub states: Vec<SimStateEntry>,
    pub stats: [DirStats; 2],
    pub state_stats: StateCounters,
    /// `SIOCSETFF`.
    pub log_flags: u32,
    /// `SIOCSETLG` on `/dev/ipstate` turned state logging off.
    pub state_log_off: bool,
    pub next_id: u64,
}

/// The `ips_stat_t` counters the sim keeps.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct StateCounters {
    pub tcp: u64,
    pub udp: u64,
    pub icmp: u64,
    pub hits: u64,
    pub miss: u64,
    pub expire: u64,
    pub fin: u64,
}

impl FilterState {
    pub fn is_empty(&self) -> bool {
        *self == FilterState::default()
    }

    /// Whether the kernel would have anything to filter with.
    pub fn has_rules(&self) -> bool {
        self.sets.iter().any(|s| !s.is_empty()) || !self.states.is_empty()
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// The filter of one of a running non-global zone's two IP Filter stacks
/// (its own, or the GZ-controlled one). Both are made when the zone boots,
/// IP Filter not enabled on them, and destroyed with their rules when it
/// halts; a stack never changed since it was made is not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneFilter {
    pub zone: String,
    /// The GZ-controlled stack (`ipf -G`, `ipfstat -G`).
    #[serde(default)]
    pub gz: bool,
    pub filter: FilterState,
}

impl ZoneFilter {
    /// What a zone's stack holds when it is made: nothing, IP Filter not
    /// enabled (`ipf -E` with the zone enables it).
    pub fn fresh() -> FilterState {
        FilterState {
            disabled: true,
            ..FilterState::default()
        }
    }
}
