//! Datalink names, validated the way `dladm_valid_linkname` does.

use std::fmt;
use std::str::FromStr;

/// `MAXLINKNAMELEN`: the size of a link name buffer, including the NUL.
pub const MAXLINKNAMELEN: usize = 32;

/// A valid datalink name: at most 31 bytes of `[A-Za-z0-9_.]`, not starting
/// with a digit, ending in a number without a leading zero.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkName(String);

/// Why a string is not a [`LinkName`]; dladm reports these differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkNameError {
    #[error("link name too long")]
    TooLong,
    #[error("invalid link name")]
    Invalid,
}

impl LinkName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `dladm_valid_linkname`, without the length check that dladm does first.
    pub fn is_valid(name: &str) -> bool {
        let b = name.as_bytes();
        if b.is_empty() || b.len() >= MAXLINKNAMELEN || b[0].is_ascii_digit() {
            return false;
        }
        if !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'.')
        {
            return false;
        }
        let digits = b.iter().rev().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        let num = &b[b.len() - digits..];
        !(num.len() > 1 && num[0] == b'0')
    }
}

/// `dlpi_parselink` (`ifparse_ifspec`, `dlparse_drvppa`): a link name's
/// driver and instance (`e1000g0` → `e1000g`, 0; a `:lun` suffix is
/// dropped). The instance is the trailing number, without a leading zero
/// unless it is `0`, below `u32::MAX`; the driver starts with a letter and
/// holds letters, digits, `_`, `-` and `.`.
pub fn parse_link(name: &str) -> Option<(&str, u32)> {
    if name.is_empty() || name.len() >= MAXLINKNAMELEN {
        return None;
    }
    let link = match name.split_once(':') {
        Some((link, lun)) if lun.bytes().all(|c| c.is_ascii_digit()) => link,
        Some(_) => return None,
        None => name,
    };
    let digits = link.bytes().rev().take_while(u8::is_ascii_digit).count();
    let (drv, ppa) = link.split_at(link.len() - digits);
    if ppa.is_empty() || drv.is_empty() || (ppa.len() > 1 && ppa.starts_with('0')) {
        return None;
    }
    let ppa = ppa.parse::<u32>().ok().filter(|n| *n < u32::MAX)?;
    let b = drv.as_bytes();
    let ok = b[0].is_ascii_alphabetic()
        && b[1..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'));
    ok.then_some((drv, ppa))
}

/// The name `create-vlan` derives when given none: the lower link's driver
/// with instance `vid * 1000 + ppa` (`e1000g0`, VID 5 → `e1000g5000`),
/// cut to 31 bytes as `dlpi_makelink` cuts it; `None` where dladm says
/// `invalid link name` (no driver and instance, or an instance of 1000 or
/// more).
pub fn vlan_link_name(lower: &str, vid: u16) -> Option<String> {
    let (drv, ppa) = parse_link(lower)?;
    if ppa >= 1000 {
        return None;
    }
    let mut name = format!("{drv}{}", u32::from(vid) * 1000 + ppa);
    name.truncate(MAXLINKNAMELEN - 1);
    Some(name)
}

impl FromStr for LinkName {
    type Err = LinkNameError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() >= MAXLINKNAMELEN {
            return Err(LinkNameError::TooLong);
        }
        if !Self::is_valid(s) {
            return Err(LinkNameError::Invalid);
        }
        Ok(LinkName(s.to_string()))
    }
}

impl fmt::Display for LinkName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for LinkName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for LinkName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|e| serde::de::Error::custom(format!("{e} '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names() {
        for n in [
            "e1000g0",
            "net0",
            "vnic10",
            "_x0",
            ".x0",
            "a1",
            "etherstub0",
            "a_b.c9",
        ] {
            assert!(LinkName::is_valid(n), "{n}");
        }
        assert!(LinkName::is_valid(&format!("{}1", "a".repeat(30))));
    }

    #[test]
    fn invalid_names() {
        for n in [
            "", "0net", "net", "net00", "net01", "my-vnic0", "vnic 0", "vnïc0",
        ] {
            assert!(!LinkName::is_valid(n), "{n}");
        }
    }

    #[test]
    fn length_is_checked_first() {
        let long = format!("{}1", "a".repeat(31));
        assert_eq!(long.parse::<LinkName>(), Err(LinkNameError::TooLong));
        assert_eq!("net".parse::<LinkName>(), Err(LinkNameError::Invalid));
    }

    #[test]
    fn derived_vlan_names() {
        assert_eq!(vlan_link_name("e1000g0", 5).as_deref(), Some("e1000g5000"));
        assert_eq!(vlan_link_name("net0", 12).as_deref(), Some("net12000"));
        assert_eq!(vlan_link_name("bge1", 4094).as_deref(), Some("bge4094001"));
        assert_eq!(vlan_link_name("net0:3", 2).as_deref(), Some("net2000"));
        assert_eq!(
            vlan_link_name("ip.tun-a0", 2).as_deref(),
            Some("ip.tun-a2000")
        );
        for bad in [
            "net1000", "net", "0", "net01", "9net0", "net0:x", "", "a b0",
        ] {
            assert_eq!(vlan_link_name(bad, 5), None, "{bad}");
        }
        let long = format!("{}0", "a".repeat(29));
        assert_eq!(vlan_link_name(&long, 5).unwrap().len(), 31);
    }
}
