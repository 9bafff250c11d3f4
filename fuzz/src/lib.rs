//! What the fuzz targets share: a name database that answers without the
//! network, so that every input runs the same way every time, and fast.

use xbow::backend::netdb::Netdb;
use xbow::backend::sim::BuiltinNetdb;

/// illumos's stock services and protocols (the built-in copy), and host
/// names resolved by a fixed rule instead of DNS: a third of all names
/// resolve to an IPv4 address, a third only to an IPv6 address, and the
/// rest are unknown (`Unknown hostname`), chosen by a hash of the name.
#[derive(Debug, Clone, Copy, Default)]
pub struct FuzzDb;

fn fnv1a(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &c| {
        (h ^ u64::from(c)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Netdb for FuzzDb {
    fn serv_by_name(&self, name: &[u8], proto: Option<&str>) -> Option<u16> {
        BuiltinNetdb.serv_by_name(name, proto)
    }
    fn serv_by_port(&self, port: u16, proto: &str) -> Option<String> {
        BuiltinNetdb.serv_by_port(port, proto)
    }
    fn proto_by_name(&self, name: &[u8]) -> Option<i32> {
        BuiltinNetdb.proto_by_name(name)
    }
    fn proto_by_number(&self, p: i32) -> Option<String> {
        BuiltinNetdb.proto_by_number(p)
    }
    fn host(&self, name: &[u8], v6: bool) -> Option<Vec<u8>> {
        let h = fnv1a(name);
        match (h % 3, v6) {
            (0, false) => Some(h.to_be_bytes()[4..].to_vec()),
            (1, true) => Some([h.to_be_bytes(), (!h).to_be_bytes()].concat()),
            _ => None,
        }
    }
    fn hostname(&self) -> Vec<u8> {
        b"fuzz.example".to_vec()
    }
}
