//! What the sim's IP Filter packet filter remembers: the two rule sets,
//! the state table and the counters.

use crate::backend::filter::{DirStats, StateEntry};
use crate::ipf::FilterRule;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
    /// The tunables (`ipf -T`) set to other values than their initial
    /// ones, by name (see `filter_tune`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub tunables: BTreeMap<String, u64>,
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

    /// The rules of the active set, each list in kernel order (none while
    /// IP Filter is disabled): what a kernel filters with.
    pub fn active_rules(&self) -> &[SimFilterRule] {
        if self.disabled {
            &[]
        } else {
            &self.sets[(self.active & 1) as usize]
        }
    }

    /// Whether loopback traffic is filtered too (`ipf_loopback`: `set
    /// intercept_loopback true`).
    pub fn intercepts_loopback(&self) -> bool {
        super::filter_tune::get(self, "ipf_loopback") != 0
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

/// One table (the packet filter's, the NAT table) of one of a running
/// non-global zone's two IP Filter stacks (its own, or the GZ-controlled
/// one). Both stacks are made when the zone boots, empty, IP Filter not
/// enabled, and destroyed with everything in them when it halts; a table
/// never changed since it was made is not stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoneStack<T> {
    pub zone: String,
    /// The GZ-controlled stack (`ipf -G`, `ipfstat -G`, `ipnat -G`).
    #[serde(default)]
    pub gz: bool,
    pub table: T,
}

/// A zone stack's packet filter.
pub type ZoneFilter = ZoneStack<FilterState>;

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

/// Run `f` on the table of zone `zone`'s stack in `list` (`fresh` if it
/// has none yet); a table left as `fresh` is not kept.
pub fn with_zone_table<T: PartialEq, R>(
    list: &mut Vec<ZoneStack<T>>,
    zone: &str,
    gz: bool,
    fresh: impl Fn() -> T,
    f: impl FnOnce(&mut T) -> R,
) -> R {
    let i = match list.iter().position(|z| z.zone == zone && z.gz == gz) {
        Some(i) => i,
        None => {
            list.push(ZoneStack {
                zone: zone.to_string(),
                gz,
                table: fresh(),
            });
            list.len() - 1
        }
    };
    let r = f(&mut list[i].table);
    if list[i].table == fresh() {
        list.remove(i);
    }
    r
}

/// The table of zone `zone`'s stack in `list` as it is now.
pub fn zone_table<T: Clone>(
    list: &[ZoneStack<T>],
    zone: &str,
    gz: bool,
    fresh: impl Fn() -> T,
) -> T {
    list.iter()
        .find(|z| z.zone == zone && z.gz == gz)
        .map_or_else(fresh, |z| z.table.clone())
}
