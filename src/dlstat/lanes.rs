//! What dlstat reads for a link, per statistic type (libdlstat
//! `dladm_stat_table`): entries (lanes, rings, totals) each with a kstat
//! header and named counters.
//!
//! xbow's backends know a link's counters (kstat `link:0:NAME`), not its
//! MAC lanes and rings, so every entry is built from those counters the
//! way libdlstat builds them for a driver without lanes
//! (`i_dlstat_legacy_rx_lane_stats`): one software lane each way, whose
//! interrupts are its packets. A physical link has the rings its hardware
//! groups list (`dladm show-phys -H`), or one each way; its first ring
//! carries all the traffic.

use crate::model::stats::LinkStats;

/// `dladm_stat_type_t`, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatType {
    RxLane,
    TxLane,
    RxLaneTotal,
    TxLaneTotal,
    RxLaneFout,
    RxRing,
    TxRing,
    RxRingTotal,
    TxRingTotal,
    Total,
    AggrPort,
    Misc,
}

impl StatType {
    pub const ALL: [StatType; 12] = [
        StatType::RxLane,
        StatType::TxLane,
        StatType::RxLaneTotal,
        StatType::TxLaneTotal,
        StatType::RxLaneFout,
        StatType::RxRing,
        StatType::TxRing,
        StatType::RxRingTotal,
        StatType::TxRingTotal,
        StatType::Total,
        StatType::AggrPort,
        StatType::Misc,
    ];
}

/// `rx_lane_stats_list`.
const RX_LANE: [&str; 12] = [
    "ipackets",
    "rbytes",
    "local",
    "localbytes",
    "intrs",
    "intrbytes",
    "polls",
    "rxsdrops",
    "pollbytes",
    "chainunder10",
    "chain10to50",
    "chainover50",
];
/// `tx_lane_stats_list`.
const TX_LANE: [&str; 5] = ["opackets", "obytes", "blockcnt", "unblockcnt", "txsdrops"];
/// `misc_stats_list`.
const MISC: [&str; 30] = [
    "multircv",
    "brdcstrcv",
    "multixmt",
    "brdcstxmt",
    "multircvbytes",
    "brdcstrcvbytes",
    "multixmtbytes",
    "brdcstxmtbytes",
    "txerrors",
    "macspoofed",
    "ipspoofed",
    "dhcpspoofed",
    "restricted",
    "ipackets",
    "rbytes",
    "local",
    "localbytes",
    "intrs",
    "intrbytes",
    "polls",
    "pollbytes",
    "rxsdrops",
    "chainunder10",
    "chain10to50",
    "chainover50",
    "obytes",
    "opackets",
    "blockcnt",
    "unblockcnt",
    "txsdrops",
];

/// One entry of a statistic type: a lane, a ring or a total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The kstat it comes from (`dc_statheader`), shown by `-a`/`-A`.
    pub header: String,
    /// `rx` or `tx`.
    pub dir: &'static str,
    /// The lane kind (`hw`, `sw`, `local`, `lcl/sw`, …), if it has one.
    pub id: Option<&'static str>,
    /// The ring or lane index, if it has one.
    pub index: Option<u64>,
    /// The fanout index, if it has one.
    pub fout: Option<u64>,
    /// The counters, in the order of the type's statistic list.
    pub stats: Vec<(&'static str, u64)>,
}

impl Entry {
    /// The counter `name` (0 when the entry has none).
    pub fn get(&self, name: &str) -> u64 {
        self.stats
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, v)| *v)
    }

    /// `dladm_link_stat_diffchain`: each counter less the previous
    /// entry's (a counter that went back gives 0).
    pub fn since(&self, prev: Option<&Entry>) -> Entry {
        let mut e = self.clone();
        if let Some(p) = prev {
            for (n, v) in &mut e.stats {
                *v = v.saturating_sub(p.get(n));
            }
        }
        e
    }
}

/// The value a statistic of a list takes from the link's counters.
fn value(name: &str, s: &LinkStats) -> u64 {
    match name {
        // A lane without interrupt blanking takes an interrupt a packet.
        "ipackets" | "intrs" => s.ipackets,
        "rbytes" | "intrbytes" => s.rbytes,
        "opackets" => s.opackets,
        "obytes" => s.obytes,
        "txerrors" => s.oerrors,
        _ => 0,
    }
}

fn entry(
    header: &str,
    dir: &'static str,
    id: Option<&'static str>,
    index: Option<u64>,
    names: &[&'static str],
    s: &LinkStats,
) -> Entry {
    Entry {
        header: header.to_string(),
        dir,
        id,
        index,
        fout: None,
        stats: names.iter().map(|&n| (n, value(n, s))).collect(),
    }
}

/// A physical link's ring indexes, receive and transmit, ascending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rings {
    pub rx: Vec<u32>,
    pub tx: Vec<u32>,
}

/// One ring entry per index; the first ring has the counters.
fn rings(dir: &'static str, idx: &[u32], names: [&'static str; 2], s: &LinkStats) -> Vec<Entry> {
    let none = LinkStats::default();
    idx.iter()
        .enumerate()
        .map(|(n, &i)| {
            let header = format!("mac_{dir}_ring{i}");
            let counts = if n == 0 { s } else { &none };
            entry(&header, dir, None, Some(u64::from(i)), &names, counts)
        })
        .collect()
}

/// The entries of statistic type `t` for a link with counters `s`
/// (`rings`: a physical link's, which alone has rings).
pub fn entries(t: StatType, rings_of: Option<&Rings>, s: &LinkStats) -> Vec<Entry> {
    let rx = |h, id, idx| entry(h, "rx", id, idx, &RX_LANE, s);
    let tx = |h, id, idx| entry(h, "tx", id, idx, &TX_LANE, s);
    match t {
        StatType::RxLane => vec![rx("mac_rx_swlane0", Some("sw"), None)],
        StatType::TxLane => vec![tx("mac_tx_swlane0", Some("sw"), None)],
        StatType::RxLaneTotal => vec![rx("mac_rx_lane_total", None, None)],
        StatType::TxLaneTotal => vec![tx("mac_tx_lane_total", None, None)],
        StatType::RxLaneFout => vec![Entry {
            fout: Some(0),
            ..entry(
                "mac_rx_swlane0_fanout0",
                "rx",
                Some("lcl/sw"),
                None,
                &["ipackets", "rbytes"],
                s,
            )
        }],
        StatType::RxRing => {
            rings_of.map_or_else(Vec::new, |r| rings("rx", &r.rx, ["ipackets", "rbytes"], s))
        }
        StatType::TxRing => {
            rings_of.map_or_else(Vec::new, |r| rings("tx", &r.tx, ["opackets", "obytes"], s))
        }
        StatType::RxRingTotal if rings_of.is_some() => vec![entry(
            "mac_rx_ring_total",
            "rx",
            None,
            None,
            &["ipackets", "rbytes"],
            s,
        )],
        StatType::TxRingTotal if rings_of.is_some() => vec![entry(
            "mac_tx_ring_total",
            "tx",
            None,
            None,
            &["opackets", "obytes"],
            s,
        )],
        StatType::Total => vec![entry(
            "mac_lane_total",
            "",
            None,
            None,
            &["ipackets", "rbytes", "opackets", "obytes"],
            s,
        )],
        StatType::Misc => vec![entry("mac_misc_stat", "", None, None, &MISC, s)],
        // xbow has no aggregations; rings are a physical link's.
        _ => Vec::new(),
    }
}

/// `map_to_units`: a counter as dlstat prints it. Parsable: the plain
/// number. Otherwise a leading space and, without `unit`, the number
/// scaled by 1000 until its integer part is below 1000, with two
/// decimals and `K`…`P` (eight wide at least); `unit` `R` is the plain
/// number, `K`…`P` a fixed scale. At most 14 characters (dlstat's
/// 15-byte buffers).
pub fn map_to_units(n: u64, unit: Option<char>, parsable: bool) -> String {
    let mut num = n as f64;
    let mut s = if parsable {
        format!("{num:.0}")
    } else {
        let suffix = match unit {
            None => {
                let mut index = 0;
                while (num / 1000.0) as i32 != 0 {
                    index += 1;
                    num /= 1000.0;
                }
                ["", "K", "M", "G", "T"].get(index).copied().unwrap_or("P")
            }
            Some('R') => "",
            Some(u) => {
                let (div, suffix) = match u {
                    'K' => (1e3, "K"),
                    'M' => (1e6, "M"),
                    'G' => (1e9, "G"),
                    'T' => (1e12, "T"),
                    _ => (1e15, "P"),
                };
                num /= div;
                suffix
            }
        };
        if suffix.is_empty() {
            format!(" {num:7.0}")
        } else {
            format!(" {num:6.2}{suffix}")
        }
    };
    s.truncate(14);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_to_units_as_dlstat() {
        // dlstat.c `map_to_units`.
        assert_eq!(map_to_units(12, None, false), "      12");
        assert_eq!(map_to_units(999, None, false), "     999");
        assert_eq!(map_to_units(1000, None, false), "   1.00K");
        assert_eq!(map_to_units(3456, None, false), "   3.46K");
        assert_eq!(map_to_units(1_234_567, None, false), "   1.23M");
        assert_eq!(map_to_units(987_654_321, None, false), " 987.65M");
        assert_eq!(map_to_units(987_654_321, Some('R'), false), " 987654321");
        assert_eq!(map_to_units(54_321, Some('K'), false), "  54.32K");
        assert_eq!(map_to_units(5, Some('M'), false), "   0.00M");
        assert_eq!(map_to_units(5, None, true), "5");
        // Past P the scale stops growing.
        assert_eq!(
            map_to_units(1_000_000_000_000_000_000, None, false),
            "   1.00P"
        );
        assert_eq!(
            map_to_units(2_000_000_000_000_000_000, None, false),
            "   2.00P"
        );
        // Fifteen-byte buffers.
        assert_eq!(map_to_units(u64::MAX, None, true), "18446744073709");
    }

    #[test]
    fn a_lane_is_built_from_the_link_counters() {
        let s = LinkStats {
            ipackets: 3,
            rbytes: 300,
            opackets: 2,
            obytes: 200,
            ..LinkStats::default()
        };
        let rx = &entries(StatType::RxLane, None, &s)[0];
        assert_eq!(
            (rx.get("ipackets"), rx.get("intrs"), rx.get("polls")),
            (3, 3, 0)
        );
        assert!(entries(StatType::RxRing, None, &s).is_empty());
        let rings = Rings {
            rx: vec![0],
            tx: vec![0, 1],
        };
        let tx = entries(StatType::TxRing, Some(&rings), &s);
        assert_eq!((tx[0].get("obytes"), tx[1].get("obytes")), (200, 0));
        assert_eq!(
            (tx[1].header.as_str(), tx[1].index),
            ("mac_tx_ring1", Some(1))
        );
        let later = LinkStats { ipackets: 5, ..s };
        let d = entries(StatType::RxLane, None, &later)[0].since(Some(rx));
        assert_eq!(d.get("ipackets"), 2);
    }
}
