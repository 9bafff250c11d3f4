//! Zones: names, states, and the configuration of an exclusive-IP zone
//! (what `zonecfg` is given).

use super::ipnet::Ipv4Cidr;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// `ZONENAME_MAX` (64, NUL included).
pub const ZONENAME_MAX: usize = 64;

/// Why a zone name is refused (zonecfg's rules).
pub fn zone_name_error(name: &str) -> Option<&'static str> {
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= ZONENAME_MAX {
        return Some("must be 1 to 63 characters long");
    }
    if !b[0].is_ascii_alphanumeric() {
        return Some("must begin with a letter or digit");
    }
    if !b
        .iter()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
    {
        return Some("may contain only letters, digits, '-', '_' and '.'");
    }
    if name == "global" || name.starts_with("SUNW") {
        return Some("is reserved");
    }
    None
}

/// `MAXPATHLEN`: a zonepath is at most this many bytes less one (the NUL).
pub const MAXPATHLEN: usize = 1024;

/// Directories that are never a zonepath themselves (a path below most of
/// them is fine).
const SYSTEM_DIRS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/devices",
    "/etc",
    "/export",
    "/home",
    "/kernel",
    "/lib",
    "/mnt",
    "/opt",
    "/platform",
    "/proc",
    "/root",
    "/sbin",
    "/system",
    "/tmp",
    "/usr",
    "/var",
    "/zones",
];

/// Pseudo and memory file systems: nothing below them is a zonepath.
const PSEUDO_DIRS: &[&str] = &["/dev", "/devices", "/proc", "/system", "/tmp"];

/// The characters a zonepath may not hold besides whitespace and control
/// characters: zonecfg's lexer ends a word at `;`, `=`, `"`, `[`, `]`,
/// `(` and `)`; `'`, `\` and `#` are refused so that the path reads the
/// same in a command file, a shell and a comment.
const ZONEPATH_SPECIALS: &str = ";=\"'\\#()[]";

/// Why a zonepath is refused: it must be an absolute, normalized path of
/// printable ASCII (no whitespace, no [`ZONEPATH_SPECIALS`]), shorter than
/// [`MAXPATHLEN`], not `/` or a system directory, and not below a pseudo
/// file system.
pub fn zonepath_error(path: &str) -> Option<String> {
    if !path.starts_with('/') {
        return Some("is not an absolute path".into());
    }
    if path.len() >= MAXPATHLEN {
        return Some(format!(
            "is {} bytes long; a path is at most {} (MAXPATHLEN)",
            path.len(),
            MAXPATHLEN - 1
        ));
    }
    if let Some(c) = path
        .chars()
        .find(|&c| !c.is_ascii_graphic() || ZONEPATH_SPECIALS.contains(c))
    {
        return Some(format!(
            "contains {c:?}; a zonepath is printable ASCII without whitespace or any of {ZONEPATH_SPECIALS}"
        ));
    }
    if path == "/" {
        return Some("is the root directory".into());
    }
    if path[1..]
        .split('/')
        .any(|c| c.is_empty() || c == "." || c == "..")
    {
        return Some(
            "is not a normalized path (no '.' or '..' components, no '//', no trailing '/')".into(),
        );
    }
    if SYSTEM_DIRS.contains(&path) {
        return Some("is a system directory".into());
    }
    if let Some(d) = PSEUDO_DIRS
        .iter()
        .find(|d| path.strip_prefix(**d).is_some_and(|r| r.starts_with('/')))
    {
        return Some(format!("is below {d}, which cannot hold a zone"));
    }
    None
}

/// Whether zonepath `a` is `b` or below it.
pub fn zonepath_within(a: &str, b: &str) -> bool {
    a.strip_prefix(b)
        .is_some_and(|r| r.is_empty() || r.starts_with('/'))
}

/// `zone_state_t`, as `zoneadm list` prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneState {
    Configured,
    Incomplete,
    Installed,
    Ready,
    Running,
    ShuttingDown,
    Down,
    Mounted,
}

impl ZoneState {
    pub fn as_str(self) -> &'static str {
        match self {
            ZoneState::Configured => "configured",
            ZoneState::Incomplete => "incomplete",
            ZoneState::Installed => "installed",
            ZoneState::Ready => "ready",
            ZoneState::Running => "running",
            ZoneState::ShuttingDown => "shutting_down",
            ZoneState::Down => "down",
            ZoneState::Mounted => "mounted",
        }
    }

    pub fn from_name(s: &str) -> Option<ZoneState> {
        [
            ZoneState::Configured,
            ZoneState::Incomplete,
            ZoneState::Installed,
            ZoneState::Ready,
            ZoneState::Running,
            ZoneState::ShuttingDown,
            ZoneState::Down,
            ZoneState::Mounted,
        ]
        .into_iter()
        .find(|z| z.as_str() == s)
    }
}

/// A `net` resource of an exclusive-IP zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ZoneNet {
    pub physical: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_address: Option<Ipv4Cidr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub defrouter: Option<Ipv4Addr>,
}

/// The configuration xbow gives an exclusive-IP zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ZoneConfig {
    pub name: String,
    pub zonepath: String,
    pub brand: String,
    pub autoboot: bool,
    pub nets: Vec<ZoneNet>,
}

impl ZoneConfig {
    /// The `zonecfg -z NAME -f FILE` command file.
    pub fn zonecfg_script(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "create -b");
        let _ = writeln!(s, "set brand={}", self.brand);
        let _ = writeln!(s, "set zonepath={}", self.zonepath);
        let _ = writeln!(s, "set ip-type=exclusive");
        let _ = writeln!(s, "set autoboot={}", self.autoboot);
        for n in &self.nets {
            let _ = writeln!(s, "add net");
            let _ = writeln!(s, "set physical={}", n.physical);
            if let Some(a) = n.allowed_address {
                let _ = writeln!(s, "set allowed-address={a}");
            }
            if let Some(r) = n.defrouter {
                let _ = writeln!(s, "set defrouter={r}");
            }
            let _ = writeln!(s, "end");
        }
        let _ = writeln!(s, "verify");
        let _ = writeln!(s, "commit");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(zone_name_error("test1"), None);
        assert_eq!(zone_name_error("a-b_c.d"), None);
        assert!(zone_name_error("global").is_some());
        assert!(zone_name_error("SUNWx").is_some());
        assert!(zone_name_error("-x").is_some());
        assert!(zone_name_error("a b").is_some());
        assert!(zone_name_error(&"a".repeat(64)).is_some());
    }

    #[test]
    fn zonepaths() {
        for ok in [
            "/zones/test1",
            "/export/zones/a.b-c_d",
            "/zones/$HOME&a|b*`x`!~{}<>,:@%+",
            "/usr/zones/x",
            "/var/zones/x",
            "/tmpx/z",
        ] {
            assert_eq!(zonepath_error(ok), None, "{ok}");
        }
        let max = format!("/{}", "a".repeat(MAXPATHLEN - 2));
        assert_eq!(zonepath_error(&max), None);
        for bad in [
            "zones/x",
            "",
            "/",
            "//",
            "/zones//x",
            "/zones/x/",
            "/zones/./x",
            "/etc/../..",
            "/zones/x;exit",
            "/zones/a=b",
            "/zones/a b",
            "/zones/a\tb",
            "/zones/a\u{1b}b",
            "/zones/a\u{9b}b",
            "/zones/\u{e9}",
            "/zones/'x'",
            "/zones/\"x\"",
            "/zones/a\\b",
            "/zones/#x",
            "/zones/(x)",
            "/zones/[x]",
            "/zones",
            "/usr",
            "/etc",
            "/tmp/z",
            "/proc/1",
            "/dev/zones/x",
        ] {
            assert!(zonepath_error(bad).is_some(), "{bad:?}");
        }
        assert!(zonepath_error(&format!("{max}a")).is_some());
        assert!(zonepath_within("/zones/a/b", "/zones/a"));
        assert!(zonepath_within("/zones/a", "/zones/a"));
        assert!(!zonepath_within("/zones/ab", "/zones/a"));
    }

    #[test]
    fn zonecfg_script() {
        let z = ZoneConfig {
            name: "test1".into(),
            zonepath: "/zones/test1".into(),
            brand: "lipkg".into(),
            autoboot: true,
            nets: vec![ZoneNet {
                physical: "vnic1".into(),
                allowed_address: Some("192.168.0.100/24".parse().unwrap()),
                defrouter: Some("192.168.0.1".parse().unwrap()),
            }],
        };
        assert_eq!(
            z.zonecfg_script(),
            "create -b\nset brand=lipkg\nset zonepath=/zones/test1\nset ip-type=exclusive\n\
             set autoboot=true\nadd net\nset physical=vnic1\nset allowed-address=192.168.0.100/24\n\
             set defrouter=192.168.0.1\nend\nverify\ncommit\n"
        );
        assert_eq!(
            ZoneState::from_name("shutting_down"),
            Some(ZoneState::ShuttingDown)
        );
    }
}
