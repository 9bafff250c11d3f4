//! Bandwidth limits (`maxbw`): `dladm_str2bw`, `check_maxbw` and `dladm_bw2str`.

use super::cnum::strtoull10;
use super::status::DlStatus;

/// `MRP_MAXBW_MINVAL`: the smallest non-zero limit, in bits per second.
pub const MAXBW_MIN: u64 = 1_200_000;

/// A `maxbw` value in bits per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bandwidth(pub u64);

impl Bandwidth {
    /// `dladm_str2bw`: decimal bits per second with an optional `K`, `M` or
    /// `G` suffix (either case); a bare number means Mbps. Fractions,
    /// trailing junk and overflow are `BADARG`, an unknown suffix `BADVAL`,
    /// `%` `NOTSUP` -- the statuses libdladm returns.
    pub fn parse_dladm(s: &str) -> Result<Bandwidth, DlStatus> {
        let (n, rest) = strtoull10(s).ok_or(DlStatus::Badarg)?;
        if rest.len() > 1 {
            return Err(DlStatus::Badarg);
        }
        if (n as i64) < 0 {
            return Err(DlStatus::Badval);
        }
        let mult: u64 = match rest {
            "k" | "K" => 1_000,
            "" | "m" | "M" => 1_000_000,
            "g" | "G" => 1_000_000_000,
            "%" => return Err(DlStatus::Notsup),
            _ => return Err(DlStatus::Badval),
        };
        let bw = n.wrapping_mul(mult);
        if bw / mult != n {
            return Err(DlStatus::Badarg);
        }
        Ok(Bandwidth(bw))
    }

    /// `check_maxbw`: a non-zero limit below 1200K is refused.
    pub fn check(self) -> Result<Bandwidth, DlStatus> {
        if self.0 > 0 && self.0 < MAXBW_MIN {
            Err(DlStatus::Minmaxbw)
        } else {
            Ok(self)
        }
    }

    /// `dladm_bw2str`: Mbps right-justified in five columns, with three
    /// decimals when there is a fractional kbps part.
    pub fn to_dladm_string(self) -> String {
        let kbps = (self.0 % 1_000_000) / 1000;
        let mbps = self.0 / 1_000_000;
        if kbps != 0 {
            format!("{mbps:5}.{kbps:03}")
        } else {
            format!("{mbps:5}")
        }
    }

    /// The inverse of [`to_dladm_string`](Self::to_dladm_string), for values
    /// read back from libdladm.
    pub fn from_dladm_string(s: &str) -> Option<Bandwidth> {
        let s = s.trim();
        let (m, k) = match s.split_once('.') {
            Some((m, k)) if k.len() == 3 => (m, k.parse::<u64>().ok()?),
            Some(_) => return None,
            None => (s, 0),
        };
        Some(Bandwidth(m.parse::<u64>().ok()? * 1_000_000 + k * 1000))
    }
}

/// In bits per second.
impl serde::Serialize for Bandwidth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Bandwidth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        u64::deserialize(d).map(Bandwidth)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_units() {
        assert_eq!(Bandwidth::parse_dladm("100"), Ok(Bandwidth(100_000_000)));
        assert_eq!(Bandwidth::parse_dladm("100M"), Ok(Bandwidth(100_000_000)));
        assert_eq!(Bandwidth::parse_dladm("2m"), Ok(Bandwidth(2_000_000)));
        assert_eq!(Bandwidth::parse_dladm("1200K"), Ok(Bandwidth(1_200_000)));
        assert_eq!(Bandwidth::parse_dladm("1g"), Ok(Bandwidth(1_000_000_000)));
        assert_eq!(Bandwidth::parse_dladm(" +5"), Ok(Bandwidth(5_000_000)));
        assert_eq!(Bandwidth::parse_dladm("0"), Ok(Bandwidth(0)));
    }

    #[test]
    fn parse_errors() {
        assert_eq!(Bandwidth::parse_dladm("abc"), Err(DlStatus::Badarg));
        assert_eq!(Bandwidth::parse_dladm("1.5M"), Err(DlStatus::Badarg));
        assert_eq!(Bandwidth::parse_dladm("10MB"), Err(DlStatus::Badarg));
        assert_eq!(Bandwidth::parse_dladm("10x"), Err(DlStatus::Badval));
        assert_eq!(Bandwidth::parse_dladm("10%"), Err(DlStatus::Notsup));
        assert_eq!(Bandwidth::parse_dladm("-5"), Err(DlStatus::Badval));
        assert_eq!(
            Bandwidth::parse_dladm("99999999999999999999"),
            Err(DlStatus::Badarg)
        );
        assert_eq!(
            Bandwidth::parse_dladm("9223372036854775807G"),
            Err(DlStatus::Badarg)
        );
        assert_eq!(Bandwidth::parse_dladm(""), Err(DlStatus::Badarg));
    }

    #[test]
    fn check_minimum() {
        assert_eq!(Bandwidth(1000).check(), Err(DlStatus::Minmaxbw));
        assert_eq!(Bandwidth(1_199_999).check(), Err(DlStatus::Minmaxbw));
        assert!(Bandwidth(0).check().is_ok());
        assert!(Bandwidth(1_200_000).check().is_ok());
    }

    #[test]
    fn bw2str_table() {
        // Reference dladm.md §2.5.
        for (bps, s) in [
            (0, "    0"),
            (100, "    0"),
            (2000, "    0.002"),
            (431_000, "    0.431"),
            (1_000_000, "    1"),
            (1_030_000, "    1.030"),
            (100_000_000, "  100"),
        ] {
            assert_eq!(Bandwidth(bps).to_dladm_string(), s, "{bps}");
        }
        assert_eq!(
            Bandwidth::from_dladm_string("    1.030"),
            Some(Bandwidth(1_030_000))
        );
        assert_eq!(
            Bandwidth::from_dladm_string("  100"),
            Some(Bandwidth(100_000_000))
        );
    }
}
