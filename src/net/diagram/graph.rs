//! The picture's model: one part per host, each a graph of boxes (the
//! outside world, physical NICs, the global zone, switches, VNICs,
//! zones) and the wires between them, built from a validated spec and,
//! with `--live`, coloured by what `xbow net status` reports.

use crate::model::link::MacAddrType;
use crate::model::overlay::{Search, VXLAN_PORT};
use crate::net::spec::{NetHost, Network};
use crate::net::status::Entry;
use serde::Serialize;

/// What a box stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The network beyond a physical NIC (or the underlay).
    Outside,
    Physical,
    Global,
    Etherstub,
    Overlay,
    Vlan,
    Vnic,
    Zone,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Outside => "outside",
            Kind::Physical => "physical",
            Kind::Global => "global",
            Kind::Etherstub => "etherstub",
            Kind::Overlay => "overlay",
            Kind::Vlan => "vlan",
            Kind::Vnic => "vnic",
            Kind::Zone => "zone",
        }
    }
}

/// How a box compares with the host (`--live`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Not compared (no `--live`, or not this machine's part).
    Unchecked,
    /// On the host as the spec says.
    Ok,
    /// On the host, but not as the spec says.
    Differs,
    /// Not on the host.
    Missing,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Unchecked => "unchecked",
            State::Ok => "ok",
            State::Differs => "differs",
            State::Missing => "missing",
        }
    }
}

/// One box.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    /// The object's name (the first line, bold).
    pub name: String,
    /// What the box says under its name.
    pub lines: Vec<String>,
    /// The tooltip: everything known of the object.
    pub tip: Vec<String>,
    pub state: State,
}

/// One host's part of the network (the whole network of a spec without
/// hosts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub host: Option<NetHost>,
    pub nodes: Vec<Node>,
    /// Wires, from the box nearer the outside to the one further in.
    pub edges: Vec<(usize, usize)>,
    /// Whether this part was compared with this machine.
    pub state: State,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagram {
    /// What the picture is of (the spec's file name).
    pub title: String,
    pub parts: Vec<Part>,
    /// The overlays between the hosts, one line each.
    pub overlays: Vec<String>,
    /// A line under the title (`--live`: when and how traffic was read).
    pub note: Option<String>,
}

impl Part {
    fn add(&mut self, kind: Kind, name: &str, lines: Vec<String>, tip: Vec<String>) -> usize {
        self.nodes.push(Node {
            kind,
            name: name.to_string(),
            lines,
            tip,
            state: State::Unchecked,
        });
        self.nodes.len() - 1
    }

    /// The box of `kind` named `name`.
    pub fn find(&self, kind: Kind, name: &str) -> Option<usize> {
        self.nodes
            .iter()
            .position(|n| n.kind == kind && n.name == name)
    }

    fn wire(&mut self, from: usize, to: usize) {
        if !self.edges.contains(&(from, to)) {
            self.edges.push((from, to));
        }
    }

    /// The box of the outside world (and of the underlay network, for a
    /// host), added on first use.
    fn outside(&mut self) -> usize {
        match self.find(Kind::Outside, "outside") {
            Some(i) => i,
            None => self.add(
                Kind::Outside,
                "outside",
                vec!["the network beyond".into()],
                vec!["the networks the host's physical NICs lead to".into()],
            ),
        }
    }

    /// The box of a link named `name`: one the spec defines, else a
    /// physical NIC (with the outside world beyond it), added on first
    /// use.
    fn link(&mut self, name: &str) -> usize {
        for k in [
            Kind::Etherstub,
            Kind::Overlay,
            Kind::Vlan,
            Kind::Vnic,
            Kind::Physical,
        ] {
            if let Some(i) = self.find(k, name) {
                return i;
            }
        }
        let outside = self.outside();
        let i = self.add(
            Kind::Physical,
            name,
            vec!["physical NIC".into()],
            vec![format!(
                "{name}: a link the spec does not define (a NIC of the host)"
            )],
        );
        self.wire(outside, i);
        i
    }
}

/// What a VNIC's MAC address is, as the spec says.
fn mac_text(kind: MacAddrType, mac: Option<String>, slot: Option<i32>) -> String {
    match (kind, mac) {
        (_, Some(m)) if kind == MacAddrType::Fixed => format!("mac {m}"),
        (MacAddrType::Random, _) => "mac random".into(),
        (MacAddrType::Factory, _) => match slot {
            Some(s) => format!("mac factory slot {s}"),
            None => "mac factory".into(),
        },
        _ => "mac auto".into(),
    }
}

/// The short form of a NAT rule: its first three words (`map eri0
/// 192.168.0.0/24`).
fn nat_summary(text: &str) -> String {
    text.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// One host's part, as the spec says (not yet compared).
pub fn part(net: &Network) -> Part {
    let mut p = Part {
        host: net.host.clone(),
        nodes: Vec::new(),
        edges: Vec::new(),
        state: State::Unchecked,
    };
    // The global zone: its addresses, forwarding and NAT.
    let mut gz_lines = Vec::new();
    let mut gz_tip = vec!["the global zone".to_string()];
    for a in &net.addresses {
        gz_lines.push(format!("{} {}", a.addrobj, a.addr));
        gz_tip.push(format!("address {} {}", a.addrobj, a.addr));
    }
    if net.ipv4_forwarding {
        gz_lines.push("IPv4 forwarding on".into());
        gz_tip.push("ipv4-forwarding: on (routeadm)".into());
    }
    let mut summaries: Vec<(String, usize)> = Vec::new();
    for n in &net.nat {
        let s = nat_summary(&n.text);
        match summaries.iter_mut().find(|(t, _)| *t == s) {
            Some((_, c)) => *c += 1,
            None => summaries.push((s, 1)),
        }
        gz_tip.push(format!("NAT: {}", n.text));
    }
    for (s, c) in &summaries {
        gz_lines.push(match c {
            1 => format!("NAT {s}"),
            c => format!("NAT {s} ({c} rules)"),
        });
    }
    let gz = (!gz_lines.is_empty()).then(|| p.add(Kind::Global, "global zone", gz_lines, gz_tip));
    // The links NAT goes out on.
    if let Some(gz) = gz {
        for n in &net.nat {
            for c in &n.rule.ifnames {
                let ifname = String::from_utf8_lossy(c.as_bytes()).into_owned();
                if ifname.is_empty() || ifname == "*" {
                    continue;
                }
                let i = p.link(&ifname);
                p.wire(i, gz);
            }
        }
    }
    // The underlay.
    if let Some(h) = &net.host {
        // The underlay is part of the outside world: one box, at the
        // top, where the wire to the underlay bar comes in.
        let u = p.outside();
        p.nodes[u].lines.push(format!("underlay {}", h.underlay));
        p.nodes[u].tip.push(format!(
            "the underlay network: host {} is {} (MTU {})",
            h.name, h.underlay, h.mtu
        ));
        let ul = match &h.physical {
            Some(ph) => {
                let i = p.add(
                    Kind::Physical,
                    ph,
                    vec!["underlay link".into()],
                    vec![format!("{ph}: the link to the underlay")],
                );
                p.wire(u, i);
                i
            }
            None => u,
        };
        for o in &net.overlays {
            let mut lines = vec![format!("VXLAN VNI {}", o.conf.vnetid)];
            let port = o.conf.listen_port.unwrap_or(VXLAN_PORT);
            let mut tip = vec![format!(
                "overlay {}: VXLAN VNI {}, listening on {}:{port}",
                o.name, o.conf.vnetid, o.conf.listen_ip
            )];
            match &o.conf.search {
                Search::Direct { dest } => {
                    lines.push(format!("direct to {dest}"));
                    tip.push(format!("search direct: every frame to {dest}"));
                }
                Search::Files { config, map } => {
                    lines.push(format!("files: {} VNICs", map.len()));
                    tip.push(format!("search files: {config}"));
                }
            }
            if let Some(m) = o.mtu {
                lines.push(format!("mtu {m}"));
            }
            let i = p.add(Kind::Overlay, &o.name, lines, tip);
            p.wire(ul, i);
        }
    }
    for s in &net.etherstubs {
        p.add(
            Kind::Etherstub,
            s,
            vec!["etherstub (switch)".into()],
            vec![format!("etherstub {s}: a virtual switch")],
        );
    }
    // Who uses a VNIC or a VLAN: the global zone (an address) or a zone.
    let gz_uses = |link: &str| net.addresses.iter().any(|a| a.ifname == link);
    for v in &net.vlans {
        let over = p.link(&v.over);
        let i = p.add(
            Kind::Vlan,
            &v.name,
            vec![format!("VLAN VID {}", v.vid)],
            vec![format!(
                "VLAN {} over {} with VID {}",
                v.name, v.over, v.vid
            )],
        );
        match gz {
            Some(gz) if gz_uses(&v.name) => {
                p.wire(gz, i);
                p.wire(i, over);
            }
            _ => p.wire(over, i),
        }
    }
    for v in &net.vnics {
        let over = p.link(&v.over);
        let mac = mac_text(v.mac_type, v.mac.map(|m| m.to_string()), v.slot);
        let mut lines = vec![mac.clone()];
        let mut tip = vec![format!("VNIC {} over {}", v.name, v.over), mac];
        if v.vid != 0 {
            lines.push(format!("VID {}", v.vid));
            tip.push(format!("VID {}", v.vid));
        }
        if let Some(b) = v.maxbw {
            lines.push(format!("maxbw {}", super::rate(b.0 as f64)));
            tip.push(format!("maxbw {} ({} bit/s)", b.to_dladm_string(), b.0));
        }
        if let Some(pr) = v.priority {
            lines.push(format!("priority {pr}"));
            tip.push(format!("priority {pr}"));
        }
        let i = p.add(Kind::Vnic, &v.name, lines, tip);
        match gz {
            Some(gz) if gz_uses(&v.name) => {
                p.wire(gz, i);
                p.wire(i, over);
            }
            _ => p.wire(over, i),
        }
    }
    for z in &net.zones {
        let c = &z.config;
        let mut lines = vec!["exclusive-IP zone".to_string()];
        let mut tip = vec![
            format!("zone {} (exclusive IP)", c.name),
            format!("zonepath {}", c.zonepath),
            format!("brand {}", c.brand),
            format!("autoboot {}", c.autoboot),
            format!(
                "{}",
                if z.boot {
                    "running"
                } else {
                    "installed, not booted"
                }
            ),
        ];
        for n in &c.nets {
            let mut l = n.physical.clone();
            if let Some(a) = n.allowed_address {
                l.push_str(&format!(" {a}"));
            }
            lines.push(l.clone());
            if let Some(r) = n.defrouter {
                lines.push(format!("router {r}"));
                l.push_str(&format!(" default router {r}"));
            }
            tip.push(format!("net {l}"));
        }
        if !z.boot {
            lines.push("not booted".into());
        }
        let i = p.add(Kind::Zone, &c.name, lines, tip);
        for n in &c.nets {
            let l = p.link(&n.physical);
            p.wire(l, i);
        }
    }
    p
}

/// The box an entry of `net status` is about.
fn entry_node(p: &Part, e: &Entry) -> Option<usize> {
    match e.kind {
        "etherstub" => p.find(Kind::Etherstub, &e.name),
        "overlay" => p.find(Kind::Overlay, &e.name),
        "vlan" => p.find(Kind::Vlan, &e.name),
        "vnic" => p.find(Kind::Vnic, &e.name),
        "linkprop" => e
            .name
            .split_once('/')
            .and_then(|(v, _)| p.find(Kind::Vnic, v)),
        "address" | "service" | "nat" => p.find(Kind::Global, "global zone"),
        "zone" => p.find(Kind::Zone, &e.name),
        _ => None,
    }
}

/// Colour a part by `net status`'s entries: a box whose own entry says
/// absent is missing, one with any entry that differs differs, the rest
/// are as specified. `present` says which physical NICs the host has.
pub fn apply_status(p: &mut Part, entries: &[Entry], present: &dyn Fn(&str) -> bool) {
    p.state = State::Ok;
    for n in p.nodes.iter_mut() {
        n.state = match n.kind {
            Kind::Outside => State::Unchecked,
            Kind::Physical if present(&n.name) => State::Ok,
            Kind::Physical => {
                n.tip.push("live: not on this host".into());
                State::Missing
            }
            _ => State::Ok,
        };
    }
    for e in entries {
        if e.kind == "host" {
            if !e.ok {
                p.state = State::Differs;
            }
            continue;
        }
        let Some(i) = entry_node(p, e) else { continue };
        let n = &mut p.nodes[i];
        let own = matches!(e.kind, "etherstub" | "overlay" | "vlan" | "vnic" | "zone");
        let st = if e.ok {
            State::Ok
        } else if own && e.actual == "absent" {
            State::Missing
        } else {
            State::Differs
        };
        if !e.ok {
            n.tip.push(format!(
                "live: {} {}: want {}, have {}",
                e.kind, e.name, e.desired, e.actual
            ));
        }
        n.state = n.state.max(st);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nat_summary_is_the_first_three_words() {
        assert_eq!(
            nat_summary("map eri0 192.168.0.0/24 -> 0/32 portmap tcp/udp auto"),
            "map eri0 192.168.0.0/24"
        );
        assert_eq!(nat_summary("map  a"), "map a");
    }

    #[test]
    fn mac_texts() {
        assert_eq!(mac_text(MacAddrType::Auto, None, None), "mac auto");
        assert_eq!(
            mac_text(MacAddrType::Fixed, Some("2:8:20:1:2:3".into()), None),
            "mac 2:8:20:1:2:3"
        );
        assert_eq!(mac_text(MacAddrType::Random, None, None), "mac random");
        assert_eq!(
            mac_text(MacAddrType::Factory, None, Some(1)),
            "mac factory slot 1"
        );
    }
}
