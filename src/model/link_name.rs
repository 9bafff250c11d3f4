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
}
