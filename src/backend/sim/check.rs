//! The consistency of a state just read: what the commands that walk it
//! rely on (unique ids and names, ids in ascending order, `over` chains
//! that end, references to objects that exist, values the model accepts).
//! Checked once, when the file is read, in one pass (linear in the size
//! of the state); a state that fails is refused by every command and
//! never written over.

use super::state::{LinkConf, SimLink, SimState};
use crate::backend::DlError;
use crate::model::link::{LinkClass, LinkId, VID_MAX};
use crate::model::link_name::LinkName;
use crate::model::zone::{ZoneState, zone_name_error};
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

/// FNV-1a: the maps here hold short names and small ids from a local
/// file, for which SipHash's defence against chosen collisions costs more
/// than the rest of the check.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

fn map<K, V>(n: usize) -> Map<K, V> {
    Map::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// A name as the message shows it: quoted, control characters escaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quoted(pub String);

impl fmt::Display for Quoted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "'{}'", self.0.escape_debug())
    }
}

fn q(s: &str) -> Quoted {
    Quoted(s.to_string())
}

/// Which configuration of a link a fault is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Active,
    Persistent,
}

impl fmt::Display for Which {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Which::Active => "active",
            Which::Persistent => "persistent",
        })
    }
}

/// What is wrong with a state; each names the objects concerned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Inconsistency {
    #[error("link {name} has the invalid id 0")]
    ZeroId { name: Quoted },
    #[error("links {first} and {second} share the id {id}")]
    SharedId {
        id: LinkId,
        first: Quoted,
        second: Quoted,
    },
    #[error(
        "link {name} (id {id}) comes after link {prev_name} (id {prev}): links must be in ascending id order"
    )]
    Unordered {
        id: LinkId,
        name: Quoted,
        prev: LinkId,
        prev_name: Quoted,
    },
    #[error("link id {id} has an invalid name {name}")]
    BadLinkName { id: LinkId, name: Quoted },
    #[error("links {first} and {second} share the name {name}")]
    SharedName {
        name: Quoted,
        first: LinkId,
        second: LinkId,
    },
    #[error("link {name} (id {id}) is over itself ({which} configuration)")]
    OverSelf {
        name: Quoted,
        id: LinkId,
        which: Which,
    },
    #[error("links {names} are over one another in a cycle ({which} configuration)")]
    OverCycle { names: String, which: Which },
    #[error(
        "link {name} (id {id}) is over link id {over}, which does not exist ({which} configuration)"
    )]
    OverMissing {
        name: Quoted,
        id: LinkId,
        over: LinkId,
        which: Which,
    },
    #[error("{class} {name} (id {id}) has no lower link ({which} configuration)")]
    NoLower {
        class: &'static str,
        name: Quoted,
        id: LinkId,
        which: Which,
    },
    #[error(
        "{class} {name} (id {id}) is over link id {over}, but only a VNIC or a VLAN has a lower link ({which} configuration)"
    )]
    NotLayered {
        class: &'static str,
        name: Quoted,
        id: LinkId,
        over: LinkId,
        which: Which,
    },
    #[error("link {name} (id {id}) has the VLAN id {vid}, above {VID_MAX} ({which} configuration)")]
    BadVid {
        name: Quoted,
        id: LinkId,
        vid: u16,
        which: Which,
    },
    #[error(
        "{class} {name} (id {id}) has a VLAN id, but only a VNIC or a VLAN has one ({which} configuration)"
    )]
    VidNotVnic {
        class: &'static str,
        name: Quoted,
        id: LinkId,
        which: Which,
    },
    #[error("IP interface {name} has an invalid name")]
    BadInterfaceName { name: Quoted },
    #[error("there are two IP interfaces {name}")]
    SharedInterface { name: Quoted },
    #[error("IP interface {name} is on link {name}, which does not exist")]
    InterfaceLinkMissing { name: Quoted },
    #[error("IP interface {name} has two address objects {addr}")]
    SharedAddrObj { name: Quoted, addr: Quoted },
    #[error("zone {name} has an invalid name: it {why}")]
    BadZoneName { name: Quoted, why: &'static str },
    #[error("there are two zones {name}")]
    SharedZone { name: Quoted },
    #[error("zone {name} is running over link {link}, which does not exist")]
    ZoneLinkMissing { name: Quoted, link: Quoted },
    #[error("NAT {first} and NAT {second} share the id {id}")]
    SharedNatId {
        id: u64,
        first: &'static str,
        second: &'static str,
    },
    #[error("NAT {what} {id} refers to rule {rule}, which does not exist")]
    NatRuleMissing {
        what: &'static str,
        id: u64,
        rule: u64,
    },
    #[error("NAT session {id} refers to host map {hostmap}, which does not exist")]
    NatHostMapMissing { id: u64, hostmap: u64 },
    #[error("NAT host map {id} has {refs} references (at least 1)")]
    NatHostMapRefs { id: u64, refs: i32 },
}

/// The error every command reports for an inconsistent state.
pub fn error(path: &Path, e: &Inconsistency) -> DlError {
    DlError::Backend(format!(
        "state file {} is inconsistent: {e}",
        path.display()
    ))
}

/// `st`, if it is consistent; else the error that says why.
pub fn checked(path: &Path, st: SimState) -> Result<SimState, DlError> {
    match check(&st) {
        Ok(()) => Ok(st),
        Err(e) => Err(error(path, &e)),
    }
}

fn class_str(c: LinkClass) -> &'static str {
    match c {
        LinkClass::Vnic => "VNIC",
        LinkClass::Vlan => "VLAN",
        c => c.as_str(),
    }
}

fn layered(c: LinkClass) -> bool {
    matches!(c, LinkClass::Vnic | LinkClass::Vlan)
}

/// Check a state; the first fault found.
pub fn check(st: &SimState) -> Result<(), Inconsistency> {
    let (ids, names) = links(st.links())?;
    for which in [Which::Active, Which::Persistent] {
        overs(st.links(), &ids, which)?;
    }
    host(st, &names)?;
    nat(st)
}

fn conf(l: &SimLink, which: Which) -> Option<&LinkConf> {
    match which {
        Which::Active => l.active.as_ref(),
        Which::Persistent => l.persistent.as_ref(),
    }
}

/// Ids (non-zero, unique, ascending) and names (valid, unique); the
/// position of each id, and the id of each name.
#[allow(clippy::type_complexity)]
fn links(links: &[SimLink]) -> Result<(Map<LinkId, usize>, Map<&str, LinkId>), Inconsistency> {
    let mut ids: Map<LinkId, usize> = map(links.len());
    let mut names: Map<&str, LinkId> = map(links.len());
    for (i, l) in links.iter().enumerate() {
        if l.id == 0 {
            return Err(Inconsistency::ZeroId { name: q(&l.name) });
        }
        if let Some(&j) = ids.get(&l.id) {
            return Err(Inconsistency::SharedId {
                id: l.id,
                first: q(&links[j].name),
                second: q(&l.name),
            });
        }
        ids.insert(l.id, i);
        if !LinkName::is_valid(&l.name) {
            return Err(Inconsistency::BadLinkName {
                id: l.id,
                name: q(&l.name),
            });
        }
        if let Some(&first) = names.get(l.name.as_str()) {
            return Err(Inconsistency::SharedName {
                name: q(&l.name),
                first,
                second: l.id,
            });
        }
        names.insert(&l.name, l.id);
    }
    // Lookups by id are binary searches: the order matters.
    if let Some(w) = links.windows(2).find(|w| w[0].id > w[1].id) {
        return Err(Inconsistency::Unordered {
            id: w[1].id,
            name: q(&w[1].name),
            prev: w[0].id,
            prev_name: q(&w[0].name),
        });
    }
    Ok((ids, names))
}

/// The `over` references of one configuration: to a link that exists,
/// from a VNIC or VLAN (and from every VNIC), without a cycle; VLAN ids
/// in range and only where they belong.
fn overs(links: &[SimLink], index: &Map<LinkId, usize>, which: Which) -> Result<(), Inconsistency> {
    // The position of each link's lower link, checked to exist.
    let mut lower: Vec<Option<usize>> = vec![None; links.len()];
    for (i, l) in links.iter().enumerate() {
        let Some(c) = conf(l, which) else { continue };
        let (name, id, class) = (q(&l.name), l.id, class_str(l.class));
        match c.over {
            Some(o) if o == l.id => {
                return Err(Inconsistency::OverSelf { name, id, which });
            }
            Some(over) if !layered(l.class) => {
                return Err(Inconsistency::NotLayered {
                    class,
                    name,
                    id,
                    over,
                    which,
                });
            }
            Some(over) => match index.get(&over) {
                Some(&j) => lower[i] = Some(j),
                // libdladm deletes a link that a saved VNIC configuration
                // is over (`delete-etherstub` after `delete-vnic -t`); that
                // VNIC cannot come up at boot, but the state is sound.
                None if which == Which::Persistent => {}
                None => {
                    return Err(Inconsistency::OverMissing {
                        name,
                        id,
                        over,
                        which,
                    });
                }
            },
            None if layered(l.class) => {
                return Err(Inconsistency::NoLower {
                    class,
                    name,
                    id,
                    which,
                });
            }
            None => {}
        }
        if c.vid > VID_MAX {
            return Err(Inconsistency::BadVid {
                name,
                id,
                vid: c.vid,
                which,
            });
        }
        if c.vid != 0 && !layered(l.class) {
            return Err(Inconsistency::VidNotVnic {
                class,
                name,
                id,
                which,
            });
        }
    }
    // Follow each chain once: 0 not seen, 1 on the chain being followed,
    // 2 known to end.
    let mut seen = vec![0u8; links.len()];
    let mut chain = Vec::new();
    for start in 0..links.len() {
        let mut at = Some(start);
        while let Some(i) = at {
            match seen[i] {
                0 => {
                    seen[i] = 1;
                    chain.push(i);
                    at = lower[i];
                }
                1 => {
                    let from = chain.iter().position(|&c| c == i).unwrap_or(0);
                    let names: Vec<String> = chain[from..]
                        .iter()
                        .map(|&c| format!("{} (id {})", q(&links[c].name), links[c].id))
                        .collect();
                    return Err(Inconsistency::OverCycle {
                        names: names.join(", "),
                        which,
                    });
                }
                _ => break,
            }
        }
        for c in chain.drain(..) {
            seen[c] = 2;
        }
    }
    Ok(())
}

/// IP interfaces (on links that exist) and zones (running ones over
/// links that exist). A zone that is only configured or installed may
/// name a link that is not there yet, as zonecfg allows.
fn host(st: &SimState, links: &Map<&str, LinkId>) -> Result<(), Inconsistency> {
    let mut ifs: Map<&str, ()> = map(st.interfaces.len());
    for i in &st.interfaces {
        let name = q(&i.name);
        if !LinkName::is_valid(&i.name) {
            return Err(Inconsistency::BadInterfaceName { name });
        }
        if ifs.insert(&i.name, ()).is_some() {
            return Err(Inconsistency::SharedInterface { name });
        }
        if !links.contains_key(i.name.as_str()) {
            return Err(Inconsistency::InterfaceLinkMissing { name });
        }
        let mut addrs: Map<&str, ()> = map(i.addrs.len());
        for (a, _) in &i.addrs {
            if addrs.insert(a, ()).is_some() {
                return Err(Inconsistency::SharedAddrObj { name, addr: q(a) });
            }
        }
    }
    let mut zones: Map<&str, ()> = map(st.zones.len());
    for z in &st.zones {
        let name = q(&z.config.name);
        if let Some(why) = zone_name_error(&z.config.name) {
            return Err(Inconsistency::BadZoneName { name, why });
        }
        if zones.insert(&z.config.name, ()).is_some() {
            return Err(Inconsistency::SharedZone { name });
        }
        if z.state != ZoneState::Running {
            continue;
        }
        if let Some(n) = z
            .config
            .nets
            .iter()
            .find(|n| !links.contains_key(n.physical.as_str()))
        {
            return Err(Inconsistency::ZoneLinkMissing {
                name,
                link: q(&n.physical),
            });
        }
    }
    Ok(())
}

/// The NAT table: ids unique across rules, sessions and host maps, and
/// every reference to an object that exists.
fn nat(st: &SimState) -> Result<(), Inconsistency> {
    let nat = &st.nat;
    let mut ids: Map<u64, &'static str> =
        map(nat.rules.len() + nat.sessions.len() + nat.hostmaps.len());
    let objs = (nat.rules.iter().map(|r| (r.id, "rule")))
        .chain(nat.sessions.iter().map(|s| (s.id, "session")))
        .chain(nat.hostmaps.iter().map(|h| (h.id, "host map")));
    for (id, what) in objs {
        if let Some(first) = ids.insert(id, what) {
            return Err(Inconsistency::SharedNatId {
                id,
                first,
                second: what,
            });
        }
    }
    let is = |id: u64, what: &str| ids.get(&id).is_some_and(|w| *w == what);
    for h in &nat.hostmaps {
        if !is(h.rule, "rule") {
            return Err(Inconsistency::NatRuleMissing {
                what: "host map",
                id: h.id,
                rule: h.rule,
            });
        }
        if h.hostmap.refs < 1 {
            return Err(Inconsistency::NatHostMapRefs {
                id: h.id,
                refs: h.hostmap.refs,
            });
        }
    }
    for s in &nat.sessions {
        if !is(s.rule, "rule") {
            return Err(Inconsistency::NatRuleMissing {
                what: "session",
                id: s.id,
                rule: s.rule,
            });
        }
        if let Some(hostmap) = s.hostmap.filter(|&h| !is(h, "host map")) {
            return Err(Inconsistency::NatHostMapMissing { id: s.id, hostmap });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::nat_state::{SimHostMap, SimNatRule, SimSession};

    /// An etherstub, `n` VNICs over it, the last one over the one before
    /// it when `chain`.
    fn state(n: u32) -> SimState {
        let mut st = SimState::default();
        let stub = st.insert(
            "stub0",
            LinkClass::Etherstub,
            Some(LinkConf::default()),
            None,
        );
        for i in 0..n {
            let c = LinkConf {
                over: Some(stub),
                ..LinkConf::default()
            };
            st.insert(&format!("vnic{i}"), LinkClass::Vnic, Some(c), None);
        }
        st
    }

    fn over(st: &mut SimState, name: &str, to: LinkId) {
        let l = st.links_mut().iter_mut().find(|l| l.name == name).unwrap();
        l.active.as_mut().unwrap().over = Some(to);
    }

    #[test]
    fn a_consistent_state_passes() {
        assert_eq!(check(&SimState::default()), Ok(()));
        assert_eq!(check(&state(100)), Ok(()));
    }

    #[test]
    fn a_cycle_of_three_is_named_whole() {
        let mut st = state(4);
        // vnic0 (2) -> vnic1 (3) -> vnic2 (4) -> vnic0; vnic3 leads into it.
        over(&mut st, "vnic0", 3);
        over(&mut st, "vnic1", 4);
        over(&mut st, "vnic2", 2);
        over(&mut st, "vnic3", 2);
        assert_eq!(
            check(&st).unwrap_err().to_string(),
            "links 'vnic0' (id 2), 'vnic1' (id 3), 'vnic2' (id 4) are over one another \
             in a cycle (active configuration)"
        );
    }

    #[test]
    fn a_chain_that_ends_is_no_cycle() {
        let mut st = state(3);
        over(&mut st, "vnic2", 3);
        over(&mut st, "vnic1", 2);
        // (A VNIC over a VNIC is not the sim's to make, but walks end.)
        assert_eq!(check(&st), Ok(()));
    }

    #[test]
    fn a_shared_id_out_of_place_is_found() {
        let mut st = state(3);
        st.links_mut()[3].id = 1;
        assert_eq!(
            check(&st).unwrap_err().to_string(),
            "links 'stub0' and 'vnic2' share the id 1"
        );
    }

    #[test]
    fn nat_references() {
        let mut rules = Vec::new();
        let _ = crate::ipnat::parser::parse(
            b"map eri0 192.168.0.0/24 -> 0/32\n",
            &crate::backend::sim::BuiltinNetdb,
            &mut |e| {
                if let crate::ipnat::parser::Event::Rule(r) = e {
                    rules.push(r.rule);
                }
            },
        );
        let rule = rules.pop().expect("a rule");
        let hostmap = serde_json::from_str(
            r#"{"src": "192.168.0.100", "dst": "129.146.17.55", "map": "192.168.84.24", "refs": 0}"#,
        )
        .unwrap();
        let session = serde_json::from_str(
            r#"{"kind": "map", "flags": 1, "v": 4, "proto": 6, "inside": "192.168.0.100",
                "outside": "192.168.84.24", "remote": "129.146.17.55", "age": 240, "uses": 0,
                "sumd": [0, 0], "ipsumd": 0, "hv": [0, 0], "bytes": [0, 0], "pkts": [0, 0],
                "ifnames": ["eri0", "eri0"]}"#,
        )
        .unwrap();
        let mut st = SimState::default();
        st.nat.rules.push(SimNatRule {
            id: 1,
            rule,
            hits: 0,
            uses: 1,
            deleted: false,
            next_port: 0,
        });
        st.nat.hostmaps.push(SimHostMap {
            id: 2,
            rule: 1,
            hostmap,
        });
        assert_eq!(
            check(&st).unwrap_err().to_string(),
            "NAT host map 2 has 0 references (at least 1)"
        );
        st.nat.hostmaps[0].hostmap.refs = 1;
        st.nat.hostmaps[0].rule = 5;
        assert_eq!(
            check(&st).unwrap_err().to_string(),
            "NAT host map 2 refers to rule 5, which does not exist"
        );
        st.nat.hostmaps[0].rule = 1;
        st.nat.sessions.push(SimSession {
            id: 3,
            rule: 1,
            hostmap: Some(1),
            session,
        });
        assert_eq!(
            check(&st).unwrap_err().to_string(),
            "NAT session 3 refers to host map 1, which does not exist"
        );
        st.nat.sessions[0].hostmap = Some(2);
        assert_eq!(check(&st), Ok(()));
    }

    #[test]
    fn the_error_names_the_file() {
        let e = checked(Path::new("/x/sim.json"), {
            let mut st = state(1);
            over(&mut st, "vnic0", 2);
            st
        })
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "state file /x/sim.json is inconsistent: link 'vnic0' (id 2) is over itself \
             (active configuration)"
        );
    }
}
