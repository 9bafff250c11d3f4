//! A link's traffic counters (`pktsum_t`'s link part; kstat
//! `link:0:NAME`): what `dladm show-link -s`, `dladm show-vnic -s` and
//! `dlstat` print.

use serde::{Deserialize, Serialize};

/// The counters of one link since it came up.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkStats {
    /// Packets received (`ipackets64`).
    pub ipackets: u64,
    /// Bytes received (`rbytes64`).
    pub rbytes: u64,
    /// Receive errors (`ierrors`).
    pub ierrors: u64,
    /// Packets sent (`opackets64`).
    pub opackets: u64,
    /// Bytes sent (`obytes64`).
    pub obytes: u64,
    /// Send errors (`oerrors`).
    pub oerrors: u64,
}

impl LinkStats {
    pub fn is_zero(&self) -> bool {
        *self == LinkStats::default()
    }

    /// `dladm_stats_diff`: `self - prev`, a counter that went back (the
    /// link was re-created) giving 0.
    pub fn since(&self, prev: &LinkStats) -> LinkStats {
        LinkStats {
            ipackets: self.ipackets.saturating_sub(prev.ipackets),
            rbytes: self.rbytes.saturating_sub(prev.rbytes),
            ierrors: self.ierrors.saturating_sub(prev.ierrors),
            opackets: self.opackets.saturating_sub(prev.opackets),
            obytes: self.obytes.saturating_sub(prev.obytes),
            oerrors: self.oerrors.saturating_sub(prev.oerrors),
        }
    }

    /// `dladm_stats_total`: `self + other` (wrapping, as C's `uint64_t`).
    pub fn plus(&self, other: &LinkStats) -> LinkStats {
        LinkStats {
            ipackets: self.ipackets.wrapping_add(other.ipackets),
            rbytes: self.rbytes.wrapping_add(other.rbytes),
            ierrors: self.ierrors.wrapping_add(other.ierrors),
            opackets: self.opackets.wrapping_add(other.opackets),
            obytes: self.obytes.wrapping_add(other.obytes),
            oerrors: self.oerrors.wrapping_add(other.oerrors),
        }
    }

    /// Count one received frame of `bytes`.
    pub fn receive(&mut self, bytes: u64) {
        self.ipackets = self.ipackets.wrapping_add(1);
        self.rbytes = self.rbytes.wrapping_add(bytes);
    }

    /// Count one sent frame of `bytes`.
    pub fn send(&mut self, bytes: u64) {
        self.opackets = self.opackets.wrapping_add(1);
        self.obytes = self.obytes.wrapping_add(bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_clamps_and_plus_adds() {
        let a = LinkStats {
            ipackets: 5,
            rbytes: 100,
            ..LinkStats::default()
        };
        let b = LinkStats {
            ipackets: 7,
            rbytes: 50,
            ..LinkStats::default()
        };
        assert_eq!(b.since(&a).ipackets, 2);
        assert_eq!(b.since(&a).rbytes, 0);
        assert_eq!(a.plus(&b).rbytes, 150);
        let mut c = LinkStats::default();
        c.receive(60);
        c.send(40);
        assert_eq!((c.ipackets, c.rbytes, c.opackets, c.obytes), (1, 60, 1, 40));
    }
}
