//! MAC addresses as libsocket's `_link_aton`/`_link_ntoa` read and print them.

use std::fmt;
use std::str::FromStr;

/// `MAXMACADDRLEN`.
pub const MAXMACADDRLEN: usize = 20;

/// A link-layer address (or address prefix) of 1 to 20 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacAddr {
    len: u8,
    bytes: [u8; MAXMACADDRLEN],
}

/// `_link_aton` failed: the text is not a colon-separated hex address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid MAC address")]
pub struct MacParseError;

impl MacAddr {
    /// An address from raw bytes; `None` if empty or longer than 20 bytes.
    pub fn from_bytes(b: &[u8]) -> Option<MacAddr> {
        if b.is_empty() || b.len() > MAXMACADDRLEN {
            return None;
        }
        let mut bytes = [0u8; MAXMACADDRLEN];
        bytes[..b.len()].copy_from_slice(b);
        Some(MacAddr {
            len: b.len() as u8,
            bytes,
        })
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len as usize]
    }

    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The group bit of the first octet (a multicast address).
    pub fn is_multicast(&self) -> bool {
        self.len > 0 && self.bytes[0] & 1 == 1
    }

    /// The VRRP virtual router MAC: `00:00:5e:00:01:VRID` (IPv4) or
    /// `00:00:5e:00:02:VRID` (IPv6).
    pub fn vrrp(vrid: u8, inet6: bool) -> MacAddr {
        MacAddr::from_bytes(&[0, 0, 0x5e, 0, if inet6 { 2 } else { 1 }, vrid]).expect("6 bytes")
    }
}

impl FromStr for MacAddr {
    type Err = MacParseError;

    /// `_link_aton`: leading white space skipped, parsing stops at white space
    /// after the address, octets of one or two hex digits separated by single
    /// colons.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let end = s.find(|c: char| c.is_ascii_whitespace()).unwrap_or(s.len());
        let s = &s[..end];
        let mut out = Vec::with_capacity(6);
        for part in s.split(':') {
            if part.is_empty() || part.len() > 2 || !part.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(MacParseError);
            }
            out.push(u8::from_str_radix(part, 16).map_err(|_| MacParseError)?);
        }
        MacAddr::from_bytes(&out).ok_or(MacParseError)
    }
}

impl fmt::Display for MacAddr {
    /// `_link_ntoa`: lower-case hex without zero padding.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.as_bytes().iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{b:x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MacAddr({self})")
    }
}

impl serde::Serialize for MacAddr {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for MacAddr {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse()
            .map_err(|_| serde::de::Error::custom(format!("invalid MAC address '{s}'")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_print() {
        let m: MacAddr = "02:08:20:0A:0b:0c".parse().unwrap();
        assert_eq!(m.to_string(), "2:8:20:a:b:c");
        assert_eq!(m.len(), 6);
        assert_eq!("  2:8:20 ".parse::<MacAddr>().unwrap().len(), 3);
        assert_eq!(
            "0:0:0:0:0:0".parse::<MacAddr>().unwrap().to_string(),
            "0:0:0:0:0:0"
        );
    }

    #[test]
    fn rejects() {
        for s in [
            "", ":1:2", "1:2:", "1::2", "1-2-3", "123:4", "g:1", "fixed", "auto", "1:2 x",
        ] {
            let r = s.parse::<MacAddr>();
            // "1:2 x" stops at the white space, like _link_aton.
            if s == "1:2 x" {
                assert!(r.is_ok());
            } else {
                assert!(r.is_err(), "{s}");
            }
        }
        assert!(["1"; 21].join(":").parse::<MacAddr>().is_err());
    }

    #[test]
    fn vrrp() {
        assert_eq!(MacAddr::vrrp(12, false).to_string(), "0:0:5e:0:1:c");
        assert_eq!(MacAddr::vrrp(12, true).to_string(), "0:0:5e:0:2:c");
    }
}
