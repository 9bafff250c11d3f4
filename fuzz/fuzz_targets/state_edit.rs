//! A consistent sim state (a NIC, an etherstub, VNICs over both, an IP
//! interface, a running zone) edited by the input — each 4 bytes one edit
//! of a link's id, name, class, `over` or VLAN id, of the order of the
//! links, of the interface or of the zone — then stored and loaded as
//! `state_load` does: the check refuses what is inconsistent, and every
//! read-only walk goes through what it accepts, with no panic and no hang.
//! Random bytes seldom make a state that parses; this target reaches the
//! check and the walks on every input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xbow::backend::sim::{LinkConf, SimInterface, SimState, SimZone};
use xbow::model::link::LinkClass;
use xbow::model::zone::{ZoneConfig, ZoneNet, ZoneState};

const NAMES: &[&str] = &[
    "eri0", "etherstub0", "vnic0", "vnic1", "vnic2", "vnic3", "9bad", "bad", "x\n1", "",
];
const CLASSES: &[LinkClass] = &[
    LinkClass::Phys,
    LinkClass::Etherstub,
    LinkClass::Vnic,
    LinkClass::Vlan,
    LinkClass::Aggr,
];
const ZONE_STATES: &[ZoneState] = &[
    ZoneState::Configured,
    ZoneState::Installed,
    ZoneState::Running,
];

fn base() -> SimState {
    let mut st = SimState::default();
    let conf = LinkConf::default();
    let eri = st.insert("eri0", LinkClass::Phys, Some(conf.clone()), Some(conf.clone()));
    let stub = st.insert("etherstub0", LinkClass::Etherstub, Some(conf.clone()), Some(conf));
    for (i, over) in [stub, stub, stub, eri].into_iter().enumerate() {
        let c = LinkConf {
            over: Some(over),
            ..LinkConf::default()
        };
        st.insert(&format!("vnic{i}"), LinkClass::Vnic, Some(c.clone()), Some(c));
    }
    st.interfaces.push(SimInterface {
        name: "vnic0".into(),
        addrs: Vec::new(),
    });
    st.zones.push(SimZone {
        config: ZoneConfig {
            name: "z1".into(),
            zonepath: "/zones/z1".into(),
            brand: "lipkg".into(),
            autoboot: false,
            nets: vec![ZoneNet {
                physical: "vnic1".into(),
                allowed_address: None,
                defrouter: None,
            }],
        },
        state: ZoneState::Running,
    });
    st
}

fn edit(st: &mut SimState, e: &[u8]) {
    let [op, i, a, b] = [e[0], e[1], e[2], e[3]];
    let n = st.links().len();
    if n == 0 {
        return;
    }
    let (i, a32) = (usize::from(i) % n, u32::from(a) % 9);
    let over = (a != 255).then_some(a32);
    let l = &mut st.links_mut()[i];
    match op % 11 {
        0 => {
            if let Some(c) = l.active.as_mut() {
                c.over = over;
            }
        }
        1 => {
            if let Some(c) = l.persistent.as_mut() {
                c.over = over;
            }
        }
        2 => l.id = a32,
        3 => l.name = NAMES[usize::from(a) % NAMES.len()].into(),
        4 => l.class = CLASSES[usize::from(a) % CLASSES.len()],
        5 => st.links_mut().swap(i, usize::from(a) % n),
        6 => {
            st.links_mut().remove(i);
        }
        7 => {
            if let Some(c) = l.active.as_mut() {
                c.vid = u16::from_le_bytes([a, b]);
            }
        }
        8 => st.interfaces[0].name = NAMES[usize::from(a) % NAMES.len()].into(),
        9 => st.zones[0].config.nets[0].physical = NAMES[usize::from(a) % NAMES.len()].into(),
        _ => st.zones[0].state = ZONE_STATES[usize::from(a) % ZONE_STATES.len()],
    }
}

fuzz_target!(|data: &[u8]| {
    let mut st = base();
    for e in data.chunks_exact(4).take(64) {
        edit(&mut st, e);
    }
    let Ok(text) = serde_json::to_vec(&st) else {
        return;
    };
    xbow_fuzz::load_and_walk(&text);
});
