//! `xbow net diagram`: the network of a spec as a picture (SVG, or
//! Graphviz DOT) — physical NICs and the outside world, the global zone
//! with its addresses, forwarding and NAT, switches, VNICs and zones, one
//! frame per host; with `--live`, coloured by what `xbow net status`
//! reports and with each VNIC's traffic.
//!
//! [`graph`] builds the model from the validated spec, [`layout`] places
//! it (layout-rs), [`svg`] and [`dot`] write it.

pub mod dot;
pub mod graph;
pub mod layout;
pub mod svg;

use super::{Host, NetError, Network, check, load, read_spec, show_path, status_entries};
use crate::backend::files;
use crate::model::overlay::VXLAN_PORT;
use graph::{Diagram, Kind, State};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `xbow net diagram` was asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Compare with this host, and show traffic.
    pub live: bool,
    /// Seconds between the two readings of the counters (0: show the
    /// counters themselves).
    pub interval: u64,
    /// Graphviz DOT instead of SVG.
    pub dot: bool,
    /// Where to write the picture (default: standard output).
    pub output: Option<PathBuf>,
}

/// The parts of a spec, on paper: every host's (or the one `--host`
/// names), without looking at this machine.
fn paper(path: &Path, h: &mut Host) -> Result<(super::spec::Spec, Vec<Network>), NetError> {
    let spec = read_spec(path)?;
    let select = h.select.clone();
    let nets = if spec.hosts.is_empty() || select.is_some() {
        vec![check(&spec, path, h, select.as_deref(), true)?]
    } else {
        let names: Vec<String> = spec.hosts.keys().cloned().collect();
        names
            .iter()
            .map(|n| check(&spec, path, h, Some(n), true))
            .collect::<Result<_, _>>()?
    };
    Ok((spec, nets))
}

/// Build the picture's model (compared with this host with `--live`).
pub fn build(path: &Path, h: &mut Host, o: &Options) -> Result<Diagram, NetError> {
    let (spec, nets) = paper(path, h)?;
    let mut parts: Vec<_> = nets.iter().map(graph::part).collect();
    let all_hosts = nets.first().map(|n| n.hosts.clone()).unwrap_or_default();
    let overlays = spec
        .overlays
        .iter()
        .map(|ov| {
            let hosts: Vec<String> = ov
                .hosts
                .iter()
                .map(|n| match all_hosts.iter().find(|x| &x.name == n) {
                    Some(x) => format!("{n} {}", x.underlay),
                    None => n.clone(),
                })
                .collect();
            format!(
                "{}: VXLAN VNI {}, UDP {}, between {}",
                ov.name,
                ov.vni,
                ov.port.unwrap_or(VXLAN_PORT),
                hosts.join(", ")
            )
        })
        .collect();
    let title = path
        .file_name()
        .map_or_else(|| show_path(path), |f| f.to_string_lossy().into_owned());
    let mut d = Diagram {
        title: format!("xbow net diagram {title}"),
        parts: Vec::new(),
        overlays,
        note: None,
    };
    if o.live {
        let me = load(path, h)?;
        let entries = status_entries(&me, h)?;
        let k = match &me.host {
            Some(mh) => parts
                .iter()
                .position(|p| p.host.as_ref().is_some_and(|x| x.name == mh.name)),
            None => Some(0),
        };
        if let Some(p) = k.and_then(|k| parts.get_mut(k)) {
            let phys: Vec<String> = p
                .nodes
                .iter()
                .filter(|n| n.kind == Kind::Physical)
                .map(|n| n.name.clone())
                .filter(|n| h.dl.name2info(n).is_ok_and(|i| i.conf.active))
                .collect();
            graph::apply_status(p, &entries, &|n| phys.iter().any(|x| x == n));
            traffic(p, h, o.interval)?;
        }
        let on = me
            .host
            .as_ref()
            .map_or(String::new(), |mh| format!(" (host {})", mh.name));
        d.note = Some(format!(
            "live{on}: green as specified, orange differs, red missing; {}",
            if o.interval == 0 {
                "traffic: bytes counted since each link was created".to_string()
            } else {
                format!("traffic: bit/s over {} s", o.interval)
            }
        ));
    }
    d.parts = parts;
    Ok(d)
}

/// A rate in bits per second, as a person reads it.
pub fn rate(bps: f64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "Gbit/s"), (1e6, "Mbit/s"), (1e3, "kbit/s")];
    for (u, name) in UNITS {
        if bps >= u {
            return format!("{:.1} {name}", bps / u);
        }
    }
    format!("{bps:.0} bit/s")
}

/// Add each present VNIC's address and traffic to its box: the address
/// it has, and its traffic from two readings of the counters `dlstat`
/// reads, `interval` seconds apart, or (0) the counters themselves.
fn traffic(p: &mut graph::Part, h: &mut Host, interval: u64) -> Result<(), NetError> {
    let vnics: Vec<(usize, crate::model::link::LinkId)> = p
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == Kind::Vnic && n.state != State::Missing)
        .filter_map(|(i, n)| h.dl.name2info(&n.name).ok().map(|info| (i, info.id)))
        .collect();
    let read = |h: &mut Host| -> Vec<crate::model::stats::LinkStats> {
        vnics
            .iter()
            .map(|(_, id)| h.dl.link_stats(*id).unwrap_or_default())
            .collect()
    };
    // The address each VNIC has (the spec may say auto or random).
    for (i, id) in &vnics {
        if let Ok(a) = h.dl.vnic_info(*id, crate::model::link::Conf::ACTIVE)
            && let Some(mac) = a.mac
        {
            let n = &mut p.nodes[*i];
            if let Some(l) = n.lines.iter_mut().find(|l| l.starts_with("mac ")) {
                let how = &l["mac ".len()..];
                let have = mac.to_string();
                if how != have {
                    *l = format!("mac {have} ({})", how.split(' ').next().unwrap_or(how));
                }
            }
            n.tip.push(format!("live: mac {mac}"));
        }
    }
    let first = read(h);
    if interval == 0 {
        for ((i, _), s) in vnics.iter().zip(&first) {
            p.nodes[*i]
                .lines
                .push(format!("rx {} B tx {} B", s.rbytes, s.obytes));
        }
        return Ok(());
    }
    std::thread::sleep(std::time::Duration::from_secs(interval));
    h.dl.refresh();
    let second = read(h);
    let secs = interval as f64;
    for (((i, _), a), b) in vnics.iter().zip(&first).zip(&second) {
        let d = b.since(a);
        p.nodes[*i].lines.push(format!(
            "rx {} tx {}",
            rate(d.rbytes as f64 * 8.0 / secs),
            rate(d.obytes as f64 * 8.0 / secs)
        ));
    }
    Ok(())
}

/// The picture as text: SVG, or DOT.
pub fn render(d: &Diagram, dot_out: bool) -> String {
    if dot_out {
        dot::render(d)
    } else {
        svg::render(d, &layout::layout(d))
    }
}

/// `xbow net diagram`: draw the spec at `path` to `-o FILE` (replaced
/// atomically, mode 0600, never through a symbolic link) or to `out`.
pub fn diagram(
    path: &Path,
    h: &mut Host,
    o: &Options,
    out: &mut dyn Write,
) -> Result<(), NetError> {
    let d = build(path, h, o)?;
    let text = render(&d, o.dot);
    match &o.output {
        Some(file) => files::replace(file, text.as_bytes(), 0o600)
            .map_err(|e| NetError::File(show_path(file), e)),
        None => out
            .write_all(text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| NetError::Read("standard output".into(), e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates() {
        assert_eq!(rate(0.0), "0 bit/s");
        assert_eq!(rate(999.0), "999 bit/s");
        assert_eq!(rate(1500.0), "1.5 kbit/s");
        assert_eq!(rate(10e6), "10.0 Mbit/s");
        assert_eq!(rate(2.5e9), "2.5 Gbit/s");
    }
}
