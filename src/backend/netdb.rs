//! The name databases `ipnat` consults: services and protocols (for
//! `port ftp`, `proxy port ftp ftp/tcp`, and for printing `port = ftp`),
//! and host names (`rdr … -> www.example.com`).
//!
//! On illumos the system's own databases answer
//! (`crate::backend::illumos::SystemNetdb`, `getservbyport(3SOCKET)` and
//! friends). Everywhere else a built-in copy of illumos's stock
//! `/etc/services` and `/etc/protocols` answers
//! (`crate::backend::sim::BuiltinNetdb`), so that the printed rules are the
//! same bytes on every host.

use std::net::{IpAddr, ToSocketAddrs};

/// The lookups the parser and the printers need.
pub trait Netdb {
    /// `getservbyname(name, proto)`: the port, in host order.
    fn serv_by_name(&self, name: &[u8], proto: Option<&str>) -> Option<u16>;
    /// `getservbyport(htons(port), proto)`: the service's official name.
    fn serv_by_port(&self, port: u16, proto: &str) -> Option<String>;
    /// `getprotobyname(name)`.
    fn proto_by_name(&self, name: &[u8]) -> Option<i32>;
    /// `getprotobynumber(p)`: the protocol's official name.
    fn proto_by_number(&self, p: i32) -> Option<String>;
    /// `getaddrinfo(name)` restricted to one family: the address bytes.
    fn host(&self, name: &[u8], v6: bool) -> Option<Vec<u8>>;
    /// `gethostname()`, for `<thishost>`.
    fn hostname(&self) -> Vec<u8>;
}

/// Ask the system resolver for the first address of one family.
pub fn resolve(name: &[u8], v6: bool) -> Option<Vec<u8>> {
    let name = std::str::from_utf8(name).ok()?;
    if name.is_empty() || name.contains('\0') {
        return None;
    }
    let addrs = (name, 0u16).to_socket_addrs().ok()?;
    for a in addrs {
        match (a.ip(), v6) {
            (IpAddr::V4(x), false) => return Some(x.octets().to_vec()),
            (IpAddr::V6(x), true) => return Some(x.octets().to_vec()),
            _ => {}
        }
    }
    None
}

/// This machine as `xbow net --host` matches it: its host name (without
/// the domain) and the IP addresses on its interfaces.
pub fn this_machine() -> (Option<String>, Vec<IpAddr>) {
    let name = crate::sys::netdb::hostname()
        .and_then(|b| String::from_utf8(b).ok())
        .map(|n| n.split('.').next().unwrap_or_default().to_string())
        .filter(|n| !n.is_empty());
    (name, crate::sys::netdb::local_addrs().unwrap_or_default())
}
