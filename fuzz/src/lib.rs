//! What the fuzz targets share: a name database that answers without the
//! network, so that every input runs the same way every time, and fast.

use std::path::PathBuf;
use std::sync::OnceLock;
use xbow::backend::Datalink;
use xbow::backend::host::{IpAdm, Zones};
use xbow::backend::nat::Nat;
use xbow::backend::netdb::Netdb;
use xbow::backend::sim::{BuiltinNetdb, SimDatalink, SimHost, SimNat, StateFile};

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

/// A state file of this process's own, rewritten for every input.
pub fn state_path() -> &'static PathBuf {
    static P: OnceLock<PathBuf> = OnceLock::new();
    P.get_or_init(|| {
        std::env::temp_dir().join(format!("xbow-fuzz-state-{}.json", std::process::id()))
    })
}

/// The read-only dladm commands the state targets run.
const SHOWS: &[&[&str]] = &[
    &["show-link"],
    &["show-link", "-P"],
    &["show-link", "-p", "-o", "link,class,mtu,state,over"],
    &["show-linkprop"],
    &["show-vnic"],
    &["show-vnic", "-P"],
    &["show-etherstub"],
    &["show-phys"],
    &["show-vnic", "--json"],
];

/// Load the state file `data` and, when it loads, go through every
/// read-only walk: dladm's show commands, the NAT table, IP interfaces and
/// addresses, zones.
pub fn load_and_walk(data: &[u8]) {
    let p = state_path();
    if std::fs::write(p, data).is_err() {
        return;
    }
    let file = StateFile::new(p);
    if file.load().is_err() {
        return;
    }
    for args in SHOWS {
        let argv: Vec<String> = std::iter::once("dladm")
            .chain(args.iter().copied())
            .map(String::from)
            .collect();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let f = file.clone();
        let _ = xbow::dladm::run("dladm", &argv, &mut out, &mut err, 0, move || {
            Ok(Box::new(SimDatalink::open(f)) as Box<dyn Datalink>)
        });
    }
    let mut nat = SimNat::open(file.clone());
    let _ = nat.stats();
    let _ = nat.rules();
    let _ = nat.sessions();
    let _ = nat.hostmaps();
    let mut host = SimHost::open(file);
    let _ = host.interfaces();
    let _ = host.addrs();
    let _ = Zones::list(&mut host);
}
