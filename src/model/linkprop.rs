//! Link properties: `dladm_parse_link_props` and the values of the
//! properties xbow models (`maxbw`, `priority`, `mtu`).

use super::status::DlStatus;
use std::fmt;
use std::str::FromStr;

/// `DLADM_MAX_ARG_CNT` / `DLADM_MAX_ARG_VALS`.
const MAX_ARG_CNT: usize = 32;
const MAX_ARG_VALS: usize = 64;

/// A parsed `-p` list: each property with its values, in the given order.
pub type PropList = Vec<(String, Vec<String>)>;

/// `dladm_parse_link_props(str, &list, novalues)`: `name=v1,v2,name2=v3`.
/// An empty name, too many entries or (with `novalues`) any value is
/// `FAILED`. Names are not checked here (libdladm's `dladm_parse_args`):
/// an unknown one is reported when it is used.
pub fn parse_link_props(s: &str, novalues: bool) -> Result<PropList, DlStatus> {
    let mut list: PropList = Vec::new();
    // Whether the last entry is still taking values (after its `=`).
    let mut open = false;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let sep = c == b'=' || c == b',';
        if !sep && i != bytes.len() - 1 {
            continue;
        }
        let end = if sep { i } else { i + 1 };
        let token = &s[start..end];
        if sep && token.is_empty() {
            return Err(DlStatus::Failed);
        }
        if open && c != b'=' {
            let (_, vals) = list.last_mut().expect("open entry");
            if vals.len() > MAX_ARG_VALS || novalues {
                return Err(DlStatus::Failed);
            }
            vals.push(token.to_string());
        } else {
            if list.len() > MAX_ARG_CNT {
                return Err(DlStatus::Failed);
            }
            list.push((token.to_string(), Vec::new()));
            open = c != b',';
        }
        start = i + 1;
    }
    Ok(list)
}

/// The `priority` property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub const VALUES: [&'static str; 3] = ["low", "medium", "high"];

    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }
}

impl FromStr for Priority {
    type Err = DlStatus;

    /// Values are matched case-insensitively, as libdladm's `check_prop`
    /// does.
    fn from_str(s: &str) -> Result<Priority, DlStatus> {
        match s.to_ascii_lowercase().as_str() {
            "low" => Ok(Priority::Low),
            "medium" => Ok(Priority::Medium),
            "high" => Ok(Priority::High),
            _ => Err(DlStatus::Badval),
        }
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An inclusive range of MTUs as libdladm prints it in POSSIBLE:
/// `min-max`, or a single number when both ends are equal.
pub fn mtu_range_str(min: u32, max: u32) -> String {
    if min == max {
        min.to_string()
    } else {
        format!("{min}-{max}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<PropList, DlStatus> {
        parse_link_props(s, false)
    }

    #[test]
    fn parse_lists() {
        assert_eq!(p(""), Ok(vec![]));
        assert_eq!(
            p("maxbw=100M"),
            Ok(vec![("maxbw".into(), vec!["100M".into()])])
        );
        assert_eq!(
            p("maxbw=100M,priority=low"),
            Ok(vec![
                ("maxbw".into(), vec!["100M".into()]),
                ("priority".into(), vec!["low".into()])
            ])
        );
        assert_eq!(
            p("cpus=1,2,3"),
            Ok(vec![(
                "cpus".into(),
                vec!["1".into(), "2".into(), "3".into()]
            )])
        );
        assert_eq!(p("maxbw="), Ok(vec![("maxbw".into(), vec![])]));
        assert_eq!(
            p("maxbw,mtu"),
            Ok(vec![("maxbw".into(), vec![]), ("mtu".into(), vec![])])
        );
        assert_eq!(p("=5"), Err(DlStatus::Failed));
        assert_eq!(p("maxbw=1,,2"), Err(DlStatus::Failed));
        // Names are kept as typed, known or not.
        assert_eq!(p("foo=1").unwrap()[0].0, "foo");
        assert_eq!(p("MTU=9000").unwrap()[0].0, "MTU");
        assert_eq!(p("en_fec_cap=rs").unwrap().len(), 1);
        assert_eq!(parse_link_props("maxbw=1", true), Err(DlStatus::Failed));
        assert_eq!(parse_link_props("maxbw,priority", true).unwrap().len(), 2);
    }

    #[test]
    fn priority_and_mtu() {
        assert_eq!("HIGH".parse::<Priority>(), Ok(Priority::High));
        assert_eq!("foo".parse::<Priority>(), Err(DlStatus::Badval));
        assert_eq!(mtu_range_str(576, 9000), "576-9000");
        assert_eq!(mtu_range_str(1500, 1500), "1500");
    }
}
