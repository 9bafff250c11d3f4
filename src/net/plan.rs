//! Steps: what `up` and `down` do, each with the illumos command line a
//! person would type and the step that undoes it.

use super::conf_block;
use super::spec::{NetAddr, NetFilter, NetNat, NetOverlay, NetVlan, NetVnic, Network};
use crate::backend::filter::{self as ipf_filter, FilterError, List, Set, Stack};
use crate::backend::host::{HostError, HostResult, RulesFile};
use crate::backend::{DlError, PropValue};
use crate::ipnat::NatRule;
use crate::ipnat::load::{self, Mode, Op};
use crate::model::bandwidth::Bandwidth;
use crate::model::link::{Conf, LinkClass, MacAddrType, VlanSpec, VnicSpec};
use crate::model::mac::MacAddr;
use crate::model::overlay::{OverlayConf, OverlayProp, OverlaySpec, PropVal, Search, from_v6};
use crate::model::svc::{self, SvcState};
use crate::model::zone::{ZoneConfig, ZoneState};

use super::Host;
use serde::{Deserialize, Serialize};

/// One change to the host. (Serialized in the record of a change that
/// waits for `xbow net confirm`, to be undone if it does not come.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    CreateEtherstub(String),
    DeleteEtherstub(String),
    /// Write (or, `text: None`, remove) a file; `old` is what to put
    /// back on undo (an overlay's `files` mapping).
    WriteFile {
        path: String,
        text: Option<String>,
        old: Option<String>,
    },
    CreateOverlay(NetOverlay),
    DeleteOverlay(NetOverlay),
    CreateVlan(NetVlan),
    DeleteVlan(NetVlan),
    CreateVnic(NetVnic),
    DeleteVnic(NetVnic),
    /// Set (or, `value: None`, reset) a link property; `old` is what to
    /// put back on undo.
    SetLinkprop {
        link: String,
        #[serde(with = "known")]
        prop: Known,
        value: Option<String>,
        old: Option<String>,
    },
    CreateIf(String),
    DeleteIf(String),
    CreateAddr(NetAddr),
    DeleteAddr(NetAddr),
    Enable(#[serde(with = "known")] Known),
    Disable(#[serde(with = "known")] Known),
    /// Load NAT rules, all or none (and keep them in xbow's block of the
    /// NAT file).
    LoadNat(Vec<NetNat>),
    UnloadNat(Vec<NetNat>),
    /// Load packet filter rules into a stack, all or none (and keep them
    /// in xbow's block of the stack's rules file).
    LoadFilter {
        target: FilterTarget,
        rules: Vec<NetFilter>,
    },
    UnloadFilter {
        target: FilterTarget,
        rules: Vec<NetFilter>,
    },
    /// `ipf -GE ZONE`: enable IP Filter on a zone's GZ-controlled stack.
    EnableZoneFilter(String),
    DisableZoneFilter(String),
    ConfigureZone(ZoneConfig),
    DeleteZone(ZoneConfig),
    InstallZone(String),
    UninstallZone(String),
    BootZone(String),
    HaltZone(String),
}

/// A fixed string a step names: a link property or a service. (An alias,
/// so that serde does not take it for text borrowed from its input.)
type Known = &'static str;

/// [`Known`] strings, read back as the same `&'static str`.
mod known {
    use crate::model::svc;
    use serde::{Deserialize, Deserializer, Serializer};

    const ALL: &[&str] = &["maxbw", "priority", svc::IPV4_FORWARDING, svc::IPFILTER];

    pub fn serialize<S: Serializer>(v: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let s = String::deserialize(d)?;
        ALL.iter()
            .copied()
            .find(|k| *k == s)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown name '{s}'")))
    }
}

/// Where packet filter rules go: the global zone's stack (and the
/// ipfilter service's `ipf.conf`), or a zone's GZ-controlled stack (and
/// its `ZONEPATH/etc/ipf.conf`, which its brand loads at boot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum FilterTarget {
    Global,
    Zone { name: String, zonepath: String },
}

impl FilterTarget {
    pub fn stack(&self) -> Stack {
        match self {
            FilterTarget::Global => Stack::Global,
            FilterTarget::Zone { name, .. } => Stack::zone(name, true),
        }
    }

    pub fn file(&self) -> RulesFile {
        match self {
            FilterTarget::Global => RulesFile::Ipf,
            FilterTarget::Zone { zonepath, .. } => RulesFile::ZoneIpf(zonepath.clone()),
        }
    }

    /// The `xbow ipf` command with `opts` for the stack (with `-G … ZONE`
    /// for a zone's).
    fn ipf(&self, opts: &str) -> String {
        match self {
            FilterTarget::Global => format!("xbow ipf --atomic {opts}"),
            FilterTarget::Zone { name, .. } => format!("xbow ipf --atomic -G {opts} {name}"),
        }
    }
}

/// A shell command that prints the lines, one a line.
fn print_lines<'a>(lines: impl Iterator<Item = &'a String>) -> String {
    let words: Vec<String> = lines.map(|t| sh(t)).collect();
    match words.as_slice() {
        [one] => format!("echo {one}"),
        _ => format!("printf '%s\\n' {}", words.join(" ")),
    }
}

/// A shell command that prints the rules, one a line.
fn nat_lines(rules: &[NetNat]) -> String {
    print_lines(rules.iter().map(|n| &n.text))
}

fn filter_lines(rules: &[NetFilter]) -> String {
    print_lines(rules.iter().map(|n| &n.text))
}

/// Quote a word for a POSIX shell if it needs it.
fn sh(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

impl Step {
    /// The equivalent illumos command line.
    pub fn command(&self) -> String {
        match self {
            Step::CreateEtherstub(s) => format!("dladm create-etherstub {s}"),
            Step::DeleteEtherstub(s) => format!("dladm delete-etherstub {s}"),
            Step::WriteFile {
                path,
                text: Some(t),
                ..
            } => format!("echo {} > {}", sh(t.trim_end()), sh(path)),
            Step::WriteFile {
                path, text: None, ..
            } => format!("rm {}", sh(path)),
            Step::CreateOverlay(o) => {
                let spec = overlay_spec(o);
                let props: Vec<String> = spec
                    .props
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.join(",")))
                    .collect();
                format!(
                    "dladm create-overlay -e {} -s {} -v {} -p {} {}",
                    spec.encap,
                    spec.search,
                    spec.vnetid,
                    sh(&props.join(",")),
                    o.name
                )
            }
            Step::DeleteOverlay(o) => format!("dladm delete-overlay {}", o.name),
            Step::CreateVlan(v) => {
                format!("dladm create-vlan -l {} -v {} {}", v.over, v.vid, v.name)
            }
            Step::DeleteVlan(v) => format!("dladm delete-vlan {}", v.name),
            Step::CreateVnic(v) => {
                let mut c = format!("dladm create-vnic -l {}", v.over);
                match (v.mac_type, v.mac, v.slot) {
                    (MacAddrType::Fixed, Some(m), _) => c.push_str(&format!(" -m {m}")),
                    (MacAddrType::Random, _, _) => c.push_str(" -m random"),
                    (MacAddrType::Factory, _, Some(n)) => {
                        c.push_str(&format!(" -m factory -n {n}"))
                    }
                    _ => {}
                }
                if v.vid != 0 {
                    c.push_str(&format!(" -v {}", v.vid));
                }
                let props = vnic_props(v);
                if !props.is_empty() {
                    let p: Vec<String> = props.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    c.push_str(&format!(" -p {}", p.join(",")));
                }
                format!("{c} {}", v.name)
            }
            Step::DeleteVnic(v) => format!("dladm delete-vnic {}", v.name),
            Step::SetLinkprop {
                link,
                prop,
                value: Some(v),
                ..
            } => {
                format!("dladm set-linkprop -p {prop}={v} {link}")
            }
            Step::SetLinkprop {
                link,
                prop,
                value: None,
                ..
            } => {
                format!("dladm reset-linkprop -p {prop} {link}")
            }
            Step::CreateIf(i) => format!("ipadm create-if {i}"),
            Step::DeleteIf(i) => format!("ipadm delete-if {i}"),
            Step::CreateAddr(a) => {
                format!("ipadm create-addr -T static -a {} {}", a.addr, a.addrobj)
            }
            Step::DeleteAddr(a) => format!("ipadm delete-addr {}", a.addrobj),
            Step::Enable(f) => format!("svcadm enable -s {}", svc::short_name(f)),
            Step::LoadNat(n) => format!("{} | xbow ipnat --atomic -f -", nat_lines(n)),
            Step::UnloadNat(n) => format!("{} | xbow ipnat --atomic -r -f -", nat_lines(n)),
            Step::LoadFilter { target, rules } => {
                format!("{} | {}", filter_lines(rules), target.ipf("-f -"))
            }
            Step::UnloadFilter { target, rules } => {
                format!("{} | {}", filter_lines(rules), target.ipf("-r -f -"))
            }
            Step::EnableZoneFilter(z) => format!("ipf -GE {z}"),
            Step::DisableZoneFilter(z) => format!("ipf -GD {z}"),
            Step::Disable(f) => format!("svcadm disable -s {}", svc::short_name(f)),
            Step::ConfigureZone(z) => {
                let script = z.zonecfg_script();
                let cmds: Vec<&str> = script.lines().collect();
                format!("zonecfg -z {} {}", z.name, sh(&cmds.join("; ")))
            }
            Step::DeleteZone(z) => format!("zonecfg -z {} delete -F", z.name),
            Step::InstallZone(z) => format!("zoneadm -z {z} install"),
            Step::UninstallZone(z) => format!("zoneadm -z {z} uninstall -F"),
            Step::BootZone(z) => format!("zoneadm -z {z} boot"),
            Step::HaltZone(z) => format!("zoneadm -z {z} halt"),
        }
    }

    /// Whether the step changes a file rather than the backends' state
    /// (so a discarded batch does not take it back).
    pub fn is_file(&self) -> bool {
        matches!(self, Step::WriteFile { .. })
    }

    /// The step that takes this one back.
    pub fn undo(&self) -> Step {
        match self.clone() {
            Step::CreateEtherstub(s) => Step::DeleteEtherstub(s),
            Step::DeleteEtherstub(s) => Step::CreateEtherstub(s),
            Step::WriteFile { path, text, old } => Step::WriteFile {
                path,
                text: old,
                old: text,
            },
            Step::CreateOverlay(o) => Step::DeleteOverlay(o),
            Step::DeleteOverlay(o) => Step::CreateOverlay(o),
            Step::CreateVlan(v) => Step::DeleteVlan(v),
            Step::DeleteVlan(v) => Step::CreateVlan(v),
            Step::CreateVnic(v) => Step::DeleteVnic(v),
            Step::DeleteVnic(v) => Step::CreateVnic(v),
            Step::SetLinkprop {
                link,
                prop,
                value,
                old,
            } => Step::SetLinkprop {
                link,
                prop,
                value: old,
                old: value,
            },
            Step::CreateIf(i) => Step::DeleteIf(i),
            Step::DeleteIf(i) => Step::CreateIf(i),
            Step::CreateAddr(a) => Step::DeleteAddr(a),
            Step::DeleteAddr(a) => Step::CreateAddr(a),
            Step::Enable(f) => Step::Disable(f),
            Step::Disable(f) => Step::Enable(f),
            Step::LoadNat(n) => Step::UnloadNat(n),
            Step::UnloadNat(n) => Step::LoadNat(n),
            Step::LoadFilter { target, rules } => Step::UnloadFilter { target, rules },
            Step::UnloadFilter { target, rules } => Step::LoadFilter { target, rules },
            Step::EnableZoneFilter(z) => Step::DisableZoneFilter(z),
            Step::DisableZoneFilter(z) => Step::EnableZoneFilter(z),
            Step::ConfigureZone(z) => Step::DeleteZone(z),
            Step::DeleteZone(z) => Step::ConfigureZone(z),
            Step::InstallZone(z) => Step::UninstallZone(z),
            Step::UninstallZone(z) => Step::InstallZone(z),
            Step::BootZone(z) => Step::HaltZone(z),
            Step::HaltZone(z) => Step::BootZone(z),
        }
    }

    /// Carry the step out.
    pub fn apply(&self, h: &mut Host) -> HostResult<()> {
        let dl = |e: DlError, what: &str| HostError(format!("{what}: {e}"));
        match self {
            Step::CreateEtherstub(s) => {
                h.dl.vnic_create(&VnicSpec::etherstub(s, Conf::BOTH))
                    .map(|_| ())
                    .map_err(|e| dl(e, "etherstub creation failed"))
            }
            Step::WriteFile { path, text, .. } => write_file(path, text.as_deref()),
            Step::CreateOverlay(o) => {
                h.dl.overlay_create(&overlay_spec(o))
                    .map(|_| ())
                    .map_err(|e| dl(e, "overlay creation failed"))
            }
            Step::DeleteOverlay(NetOverlay { name, .. }) => {
                let id =
                    h.dl.name2info(name)
                        .map_err(|e| dl(e, &format!("link {name}")))?
                        .id;
                h.dl.overlay_delete(id, Conf::BOTH)
                    .map_err(|e| dl(e, "overlay deletion failed"))
            }
            Step::CreateVlan(v) => {
                let over =
                    h.dl.name2info(&v.over)
                        .map_err(|e| dl(e, &format!("link {}", v.over)))?
                        .id;
                let spec = VlanSpec {
                    name: v.name.clone(),
                    over,
                    vid: v.vid,
                    force: false,
                    props: Vec::new(),
                    conf: Conf::BOTH,
                };
                h.dl.vlan_create(&spec)
                    .map(|_| ())
                    .map_err(|e| dl(e, "create operation failed"))
            }
            Step::DeleteVlan(NetVlan { name, .. }) => {
                let id =
                    h.dl.name2info(name)
                        .map_err(|e| dl(e, &format!("link {name}")))?
                        .id;
                h.dl.vlan_delete(id, Conf::BOTH)
                    .map_err(|e| dl(e, "delete operation failed"))
            }
            Step::CreateVnic(v) => {
                let over =
                    h.dl.name2info(&v.over)
                        .map_err(|e| dl(e, &format!("link {}", v.over)))?
                        .id;
                let spec = VnicSpec {
                    name: v.name.clone(),
                    over: Some(over),
                    mac_type: v.mac_type,
                    mac: v.mac,
                    slot: v.slot,
                    vid: v.vid,
                    force: false,
                    vrrp: None,
                    props: vnic_props(v)
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), vec![v]))
                        .collect(),
                    conf: Conf::BOTH,
                    // Only a VNIC taken from the host has a random address.
                    recreate: v.mac_type == MacAddrType::Random && v.mac.is_some(),
                };
                h.dl.vnic_create(&spec)
                    .map(|_| ())
                    .map_err(|e| dl(e, &format!("vnic creation over {} failed", v.over)))
            }
            Step::DeleteEtherstub(name) | Step::DeleteVnic(NetVnic { name, .. }) => {
                let id =
                    h.dl.name2info(name)
                        .map_err(|e| dl(e, &format!("link {name}")))?
                        .id;
                h.dl.vnic_delete(id, Conf::BOTH)
                    .map_err(|e| dl(e, "vnic deletion failed"))
            }
            Step::SetLinkprop {
                link, prop, value, ..
            } => {
                let id =
                    h.dl.name2info(link)
                        .map_err(|e| dl(e, &format!("link {link}")))?
                        .id;
                let vals = value.as_ref().map(|v| vec![v.clone()]);
                h.dl.set_linkprop(id, prop, vals.as_deref(), Conf::BOTH)
                    .map_err(|e| dl(e, &format!("cannot set link property '{prop}' on '{link}'")))
            }
            Step::CreateIf(i) => h.ip.create_if(i),
            Step::DeleteIf(i) => h.ip.delete_if(i),
            Step::CreateAddr(a) => h.ip.create_addr(&a.addrobj, a.addr),
            Step::DeleteAddr(a) => h.ip.delete_addr(&a.addrobj),
            Step::Enable(f) => h.svc.enable(f),
            Step::Disable(f) => h.svc.disable(f),
            Step::LoadNat(n) => load_nat(h, n),
            Step::UnloadNat(n) => unload_nat(h, n),
            Step::LoadFilter { target, rules } => load_filter(h, target, rules),
            Step::UnloadFilter { target, rules } => unload_filter(h, target, rules),
            Step::EnableZoneFilter(z) => enable_zone_filter(h, z, true),
            Step::DisableZoneFilter(z) => enable_zone_filter(h, z, false),
            Step::ConfigureZone(z) => h.zones.configure(z),
            Step::DeleteZone(z) => h.zones.delete(&z.name),
            Step::InstallZone(z) => h.zones.install(z),
            Step::UninstallZone(z) => h.zones.uninstall(z),
            Step::BootZone(z) => {
                h.zones.boot(z)?;
                zone_firewall(h, z)
            }
            Step::HaltZone(z) => h.zones.halt(z),
        }
    }
}

/// `dladm create-overlay`'s request for an overlay of the spec.
fn overlay_spec(o: &NetOverlay) -> OverlaySpec {
    OverlaySpec::of(&o.name, o.mtu, &o.conf, Conf::BOTH)
}

/// The path and text of an overlay's `files` mapping, if it has one.
pub fn overlay_map(o: &NetOverlay) -> Option<(&str, String)> {
    match &o.conf.search {
        Search::Files { config, map } => {
            let text = serde_json::to_string(map).unwrap_or_default();
            Some((config.as_str(), format!("{text}\n")))
        }
        Search::Direct { .. } => None,
    }
}

/// The text of a file, `None` if there is none.
fn read_file(path: &str) -> HostResult<Option<String>> {
    let limit = crate::model::overlay_files::MAX_FILE;
    match crate::backend::files::read_owned(std::path::Path::new(path), limit) {
        Ok(t) => Ok(t.map(|b| String::from_utf8_lossy(&b).into_owned())),
        Err(e) => Err(HostError(format!("{path}: {e}"))),
    }
}

/// Write a file (readable by all, as varpd reads it) or remove it.
fn write_file(path: &str, text: Option<&str>) -> HostResult<()> {
    let p = std::path::Path::new(path);
    let r = match text {
        Some(t) => {
            if let Some(dir) = p.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            crate::backend::files::replace(p, t.as_bytes(), 0o644)
        }
        None => match std::fs::remove_file(p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        },
    };
    r.map_err(|e| HostError(format!("{path}: {e}")))
}

/// An overlay as its VNI and search plugin (with its destination).
pub fn overlay_desc(c: &OverlayConf) -> String {
    match &c.search {
        Search::Direct { dest } => format!("vni {} direct {dest}", c.vnetid),
        Search::Files { config, .. } => format!("vni {} files {config}", c.vnetid),
    }
}

/// An overlay of the host described as [`overlay_desc`] does, from its
/// properties.
pub fn overlay_actual(props: &[OverlayProp]) -> String {
    let get = |name: &str| -> String {
        match props
            .iter()
            .find(|p| p.name == name)
            .and_then(|p| p.value.as_ref())
        {
            Some(PropVal::Uint { v, .. }) => v.to_string(),
            Some(PropVal::Int { v, .. }) => v.to_string(),
            Some(PropVal::Ip(a)) => from_v6(*a).to_string(),
            Some(PropVal::Str(s)) => s.clone(),
            None => "?".into(),
        }
    };
    let search = get("search");
    let dest = match search.as_str() {
        "direct" => {
            let ip = get("direct/dest_ip");
            let port = get("direct/dest_port");
            match ip.parse::<std::net::IpAddr>() {
                Ok(std::net::IpAddr::V6(_)) => format!("[{ip}]:{port}"),
                _ => format!("{ip}:{port}"),
            }
        }
        "files" => get("files/config"),
        _ => "?".into(),
    };
    format!("vni {} {search} {dest}", get("vnetid"))
}

/// An overlay of the host as [`overlay_desc`] describes one.
fn overlay_of_host(h: &mut Host, name: &str) -> HostResult<String> {
    let id = h.dl.name2info(name)?.id;
    Ok(overlay_actual(&h.dl.overlay_props(id)?))
}

/// The rules in the kernel's NAT table.
pub fn nat_rules(h: &mut Host) -> HostResult<Vec<crate::ipnat::NatRule>> {
    let nat = |e: crate::backend::nat::NatError| HostError(format!("ipnat -l: {e}"));
    h.nat.open(false).map_err(nat)?;
    Ok(h.nat
        .rules()
        .map_err(nat)?
        .into_iter()
        .map(|(r, _)| r)
        .collect())
}

/// Keep the rules in xbow's block of the NAT file, then load them as
/// `ipnat --atomic -f` does: all or none. The file is put back if the
/// kernel refuses one.
fn load_nat(h: &mut Host, ns: &[NetNat]) -> HostResult<()> {
    let text = h.files.read(&RulesFile::Ipnat)?;
    let mut rules = conf_block::block_rules(&text);
    for n in ns {
        if !rules.contains(&n.text) {
            rules.push(n.text.clone());
        }
    }
    if rules != conf_block::block_rules(&text) {
        h.files
            .write(&RulesFile::Ipnat, &conf_block::with_block(&text, &rules))?;
    }
    let added = nat_load(h, ns, Op::Add);
    if added.is_err() {
        let _ = h.files.write(&RulesFile::Ipnat, &text);
    }
    added
}

/// Unload those of the rules that are loaded, all or none, then drop them
/// all from xbow's block.
fn unload_nat(h: &mut Host, ns: &[NetNat]) -> HostResult<()> {
    let loaded = nat_rules(h)?;
    let present: Vec<NetNat> = ns
        .iter()
        .filter(|n| loaded.iter().any(|r| r.same_as(&n.rule)))
        .cloned()
        .collect();
    nat_load(h, &present, Op::Remove)?;
    let text = h.files.read(&RulesFile::Ipnat)?;
    let rules: Vec<String> = conf_block::block_rules(&text)
        .into_iter()
        .filter(|r| !ns.iter().any(|n| &n.text == r))
        .collect();
    h.files
        .write(&RulesFile::Ipnat, &conf_block::with_block(&text, &rules))
}

/// `ipnat --atomic -f` (or `-r -f`) of the rules.
fn nat_load(h: &mut Host, ns: &[NetNat], op: Op) -> HostResult<()> {
    if ns.is_empty() {
        return Ok(());
    }
    let (ioctl, undo) = match op {
        Op::Add => ("SIOCADNAT", "removed"),
        Op::Remove => ("SIOCRMNAT", "added back"),
    };
    h.nat
        .open(true)
        .map_err(|e| HostError(format!("/dev/ipnat: {e}")))?;
    let rules: Vec<&NatRule> = ns.iter().map(|n| &n.rule).collect();
    load::load(h.nat.as_mut(), &rules, op, Mode::Atomic, &mut |_, _| {}).map_err(|f| {
        let mut m = format!("ioctl({ioctl}): {}: {}", ns[f.index].text, f.error);
        for (r, e) in &f.undo_failures {
            m.push_str(&format!("; rule '{r}' could not be {undo}: {e}"));
        }
        HostError(m)
    })
}

/// How a filter failure reads: the command a person would have typed.
fn filter_err(target: &FilterTarget, what: &str, e: FilterError) -> HostError {
    match target {
        FilterTarget::Global => HostError(format!("/dev/ipf: {what}: {e}")),
        FilterTarget::Zone { name, .. } => HostError(format!(
            "/dev/ipf of zone {name} (GZ-controlled): {what}: {e}"
        )),
    }
}

/// Open the packet filter on the target's stack: `Ok(false)` when it has
/// none (its zone does not run).
fn open_filter(h: &mut Host, target: &FilterTarget, write: bool) -> HostResult<bool> {
    h.filter
        .open(write)
        .map_err(|e| filter_err(target, "open", e))?;
    if let FilterTarget::Zone { name, .. } = target {
        match h.filter.set_zone(name, true) {
            Ok(()) => {}
            Err(FilterError::Errno(e)) if e == crate::backend::nat::Errno::ENODEV => {
                return Ok(false);
            }
            Err(e) => return Err(filter_err(target, "SIOCIPFZONESET", e)),
        }
    }
    Ok(true)
}

/// Which of the lines have all their rules in the target's active set
/// (none when the stack does not exist or IP Filter is not enabled on
/// it).
pub fn filter_loaded(
    h: &mut Host,
    target: &FilterTarget,
    lines: &[NetFilter],
) -> HostResult<Vec<bool>> {
    if lines.is_empty() || !open_filter(h, target, false)? {
        return Ok(vec![false; lines.len()]);
    }
    let mut lists: Vec<((List, bool, String), Vec<crate::ipf::FilterRule>)> = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let mut all = true;
        for r in &l.rules {
            let key = (List::of(r), r.v == 6, r.group.to_string());
            let i = match lists.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    let group = (!key.2.is_empty()).then_some(key.2.as_str());
                    let got = match h.filter.rules(Set::Active, key.0, key.1, group) {
                        Ok(v) => v.into_iter().map(|x| x.rule).collect(),
                        // IP Filter not enabled on the stack: nothing loaded.
                        Err(FilterError::Errno(e)) if e == crate::backend::nat::Errno::EIO => {
                            Vec::new()
                        }
                        Err(e) => return Err(filter_err(target, "SIOCIPFITER", e)),
                    };
                    lists.push((key, got));
                    lists.len() - 1
                }
            };
            all &= lists[i].1.iter().any(|x| ipf_filter::same_rule(x, r));
        }
        out.push(all);
    }
    Ok(out)
}

/// What a zone's brand does as the zone boots (OmniOS `setup_firewall`),
/// for xbow's block of `ZONEPATH/etc/ipf.conf`: IP Filter on in the
/// zone's GZ-controlled stack and the block's rules loaded (those a brand
/// loaded already are left alone).
fn zone_firewall(h: &mut Host, zone: &str) -> HostResult<()> {
    let Some(config) = h.zones.config(zone)? else {
        return Ok(());
    };
    let target = FilterTarget::Zone {
        name: zone.to_string(),
        zonepath: config.zonepath,
    };
    let text = h.files.read(&target.file())?;
    let mut lines = Vec::new();
    for l in conf_block::block_rules(&text) {
        let f = NetFilter::parse(&l).map_err(|e| {
            HostError(format!(
                "{}: '{l}': {e}",
                match target.file() {
                    RulesFile::ZoneIpf(zp) => RulesFile::zone_path(&zp),
                    _ => String::new(),
                }
            ))
        })?;
        lines.push(f);
    }
    if lines.is_empty() {
        return Ok(());
    }
    load_filter(h, &target, &lines)
}

/// Keep the lines in xbow's block of the target's rules file, then load
/// those not loaded as `ipf --atomic -f` does: all or none. The file is
/// put back if the kernel refuses one. A zone that does not run gets
/// the file only (its brand, or xbow, loads it when the zone boots).
fn load_filter(h: &mut Host, target: &FilterTarget, lines: &[NetFilter]) -> HostResult<()> {
    let file = target.file();
    let text = h.files.read(&file)?;
    let mut block = conf_block::block_rules(&text);
    for l in lines {
        if !block.contains(&l.text) {
            block.push(l.text.clone());
        }
    }
    if block != conf_block::block_rules(&text) {
        h.files
            .write(&file, &conf_block::with_block(&text, &block))?;
    }
    if let FilterTarget::Zone { name, .. } = target
        && zone_filter_running(h, name)?.is_none()
    {
        return Ok(());
    }
    // A zone's stack is made with IP Filter off (a zone booted again by
    // an undo, say): rules need it on.
    if let FilterTarget::Zone { name, .. } = target
        && zone_filter_running(h, name)? == Some(false)
    {
        enable_zone_filter(h, name, true)?;
    }
    let loaded = filter_loaded(h, target, lines)?;
    let missing: Vec<&NetFilter> = lines
        .iter()
        .zip(&loaded)
        .filter(|(_, l)| !**l)
        .map(|(n, _)| n)
        .collect();
    let added = filter_load(h, target, &missing, false);
    if added.is_err() {
        let _ = h.files.write(&file, &text);
    }
    added
}

/// Unload those of the lines that are loaded, all or none, then drop
/// them all from xbow's block of the target's file.
fn unload_filter(h: &mut Host, target: &FilterTarget, lines: &[NetFilter]) -> HostResult<()> {
    let loaded = filter_loaded(h, target, lines)?;
    let present: Vec<&NetFilter> = lines
        .iter()
        .zip(&loaded)
        .filter(|(_, l)| **l)
        .map(|(n, _)| n)
        .collect();
    // A state holds the rule that made it (`ipf -r` gets `EBUSY`): with
    // no rule but these in the global zone's stack every state is theirs,
    // and goes first (`ipf -FS`). (A zone's go as it halts.)
    if !present.is_empty()
        && *target == FilterTarget::Global
        && !global_filter_others(h, lines)?
        && open_filter(h, target, true)?
        && !h.filter.states().unwrap_or_default().is_empty()
    {
        h.filter
            .flush_states(ipf_filter::FLUSH_TABLE_ALL, false)
            .map_err(|e| filter_err(target, "SIOCIPFFL on /dev/ipstate", e))?;
    }
    filter_load(h, target, &present, true)?;
    let file = target.file();
    let text = h.files.read(&file)?;
    let block: Vec<String> = conf_block::block_rules(&text)
        .into_iter()
        .filter(|r| !lines.iter().any(|n| &n.text == r))
        .collect();
    h.files.write(&file, &conf_block::with_block(&text, &block))
}

/// `ipf --atomic -f` (or `-r -f`) of the lines' rules into the target's
/// active set.
fn filter_load(
    h: &mut Host,
    target: &FilterTarget,
    lines: &[&NetFilter],
    remove: bool,
) -> HostResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    if !open_filter(h, target, true)? {
        return Err(filter_err(
            target,
            "SIOCIPFZONESET",
            FilterError::Errno(crate::backend::nat::Errno::ENODEV),
        ));
    }
    let mut rules = Vec::new();
    let mut owner = Vec::new();
    for l in lines {
        for r in &l.rules {
            rules.push(r);
            owner.push(&l.text);
        }
    }
    ipf_filter::load(h.filter.as_mut(), &rules, Set::Active, remove, true)
        .map(|_| ())
        .map_err(|f| {
            let (ioctl, undo) = if remove {
                ("remove rule", "added back")
            } else {
                ("add/insert rule", "removed")
            };
            let mut m = format!("ioctl({ioctl}): {}: {}", owner[f.index], f.error);
            for (r, e) in &f.undo_failures {
                m.push_str(&format!("; rule '{r}' could not be {undo}: {e}"));
            }
            filter_err(target, "ipf --atomic", FilterError::Backend(m))
        })
}

/// The step that loads (`load`) the lines not loaded or not in xbow's
/// block of the target's file, or unloads the lines loaded or in the
/// block, last first.
fn filter_step(
    h: &mut Host,
    target: &FilterTarget,
    lines: &[NetFilter],
    load: bool,
) -> HostResult<Option<Step>> {
    let loaded = filter_loaded(h, target, lines)?;
    let in_file = conf_block::block_rules(&h.files.read(&target.file())?);
    let mut rules: Vec<NetFilter> = lines
        .iter()
        .zip(&loaded)
        .filter(|(n, l)| {
            let filed = in_file.contains(&n.text);
            if load { !(**l && filed) } else { **l || filed }
        })
        .map(|(n, _)| n.clone())
        .collect();
    if rules.is_empty() {
        return Ok(None);
    }
    let target = target.clone();
    Ok(Some(if load {
        Step::LoadFilter { target, rules }
    } else {
        rules.reverse();
        Step::UnloadFilter { target, rules }
    }))
}

/// Whether the global zone's active set holds rules the lines do not
/// (none that can be seen when the device cannot be opened).
fn global_filter_others(h: &mut Host, lines: &[NetFilter]) -> HostResult<bool> {
    let target = FilterTarget::Global;
    if h.filter.open(false).is_err() {
        return Ok(false);
    }
    for list in [List::In, List::Out, List::AcctIn, List::AcctOut] {
        for v6 in [false, true] {
            let rules = match h.filter.rules(Set::Active, list, v6, None) {
                Ok(r) => r,
                Err(FilterError::Errno(e)) if e == crate::backend::nat::Errno::EIO => continue,
                Err(e) => return Err(filter_err(&target, "SIOCIPFITER", e)),
            };
            if rules.iter().any(|x| {
                !lines
                    .iter()
                    .any(|l| l.rules.iter().any(|r| ipf_filter::same_rule(&x.rule, r)))
            }) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Whether IP Filter is enabled on a zone's GZ-controlled stack (`None`:
/// the zone does not run).
pub fn zone_filter_running(h: &mut Host, zone: &str) -> HostResult<Option<bool>> {
    let target = FilterTarget::Zone {
        name: zone.to_string(),
        zonepath: String::new(),
    };
    if !open_filter(h, &target, false)? {
        return Ok(None);
    }
    let st = h
        .filter
        .stats()
        .map_err(|e| filter_err(&target, "SIOCGETFS", e))?;
    Ok(Some(st.running > 0))
}

/// `ipf -GE ZONE` / `ipf -GD ZONE`.
fn enable_zone_filter(h: &mut Host, zone: &str, on: bool) -> HostResult<()> {
    let target = FilterTarget::Zone {
        name: zone.to_string(),
        zonepath: String::new(),
    };
    if !open_filter(h, &target, true)? {
        if on {
            return Err(filter_err(
                &target,
                "SIOCIPFZONESET",
                FilterError::Errno(crate::backend::nat::Errno::ENODEV),
            ));
        }
        // Gone with the zone's IP stack.
        return Ok(());
    }
    h.filter
        .enable(on)
        .map_err(|e| filter_err(&target, "SIOCFRENB", e))
}

/// The properties a VNIC is created with, in `-p` order.
fn vnic_props(v: &NetVnic) -> Vec<(&'static str, String)> {
    let mut p = Vec::new();
    if let Some(b) = v.maxbw {
        p.push(("maxbw", bw_arg(b)));
    }
    if let Some(pr) = v.priority {
        p.push(("priority", pr.to_string()));
    }
    p
}

/// A bandwidth as a `-p maxbw=` argument: the largest exact unit.
fn bw_arg(b: Bandwidth) -> String {
    match b.0 {
        0 => "0".into(),
        n if n % 1_000_000_000 == 0 => format!("{}G", n / 1_000_000_000),
        n if n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n => format!("{}K", n / 1000),
    }
}

/// A difference between the spec and the host that `up` cannot fix by
/// itself (it would have to destroy something): the object and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{object}: {why}")]
pub struct Conflict {
    pub object: String,
    pub why: String,
}

/// What a VNIC on the host looks like.
struct HostVnic {
    over: String,
    mac_type: MacAddrType,
    mac: Option<MacAddr>,
    slot: i32,
    vid: u16,
    maxbw: Option<Bandwidth>,
    priority: Option<String>,
}

fn host_vnic(h: &mut Host, name: &str) -> HostResult<Option<(LinkClass, Option<HostVnic>)>> {
    let info = match h.dl.name2info(name) {
        Ok(i) => i,
        Err(DlError::Status(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !info.conf.active {
        return Ok(Some((info.class, None)));
    }
    if info.class != LinkClass::Vnic {
        return Ok(Some((info.class, None)));
    }
    let attr = h.dl.vnic_info(info.id, Conf::ACTIVE)?;
    let over = match attr.over {
        Some(o) => h.dl.id2info(o)?.name,
        None => String::new(),
    };
    let get = |h: &mut Host, p: &str| -> HostResult<Option<String>> {
        Ok(h.dl
            .get_linkprop(info.id, PropValue::Current, p)?
            .into_iter()
            .next())
    };
    let maxbw = get(h, "maxbw")?.and_then(|s| Bandwidth::from_dladm_string(&s));
    let priority = get(h, "priority")?;
    Ok(Some((
        info.class,
        Some(HostVnic {
            over,
            mac_type: attr.mac_type,
            mac: attr.mac,
            slot: attr.slot,
            vid: attr.vid,
            maxbw,
            priority,
        }),
    )))
}

/// A link of the host by name: its class and, for an active VLAN, the
/// VLAN as the host has it.
fn host_vlan(h: &mut Host, name: &str) -> HostResult<Option<(LinkClass, Option<NetVlan>)>> {
    let info = match h.dl.name2info(name) {
        Ok(i) => i,
        Err(DlError::Status(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !info.conf.active || info.class != LinkClass::Vlan {
        return Ok(Some((info.class, None)));
    }
    let attr = h.dl.vlan_info(info.id, Conf::ACTIVE)?;
    let over = h.dl.id2info(attr.over)?.name;
    Ok(Some((
        info.class,
        Some(NetVlan {
            name: name.to_string(),
            over,
            vid: attr.vid,
        }),
    )))
}

/// The spec's VNIC as the host has it: its lower link, address (and how
/// it was chosen), VID and properties.
fn as_on_host(v: &NetVnic, hv: HostVnic) -> NetVnic {
    let (mac_type, mac, slot) = match hv.mac_type {
        MacAddrType::Factory => (MacAddrType::Factory, None, Some(hv.slot)),
        MacAddrType::Fixed | MacAddrType::Random => (hv.mac_type, hv.mac, None),
        // A VRRP address comes from the VRID, which the spec cannot hold.
        _ => (v.mac_type, v.mac, None),
    };
    NetVnic {
        name: v.name.clone(),
        over: hv.over,
        mac_type,
        mac,
        slot,
        vid: hv.vid,
        maxbw: hv.maxbw,
        // `high` is the default: leave it unset, as a VNIC made without
        // `-p priority` has it.
        priority: hv
            .priority
            .filter(|p| p != "high")
            .and_then(|p| p.parse().ok()),
    }
}

/// What `up` must do, in order; or the conflicts that stop it.
pub fn up(net: &Network, h: &mut Host) -> HostResult<Result<Vec<Step>, Vec<Conflict>>> {
    let mut steps = Vec::new();
    let mut conflicts = Vec::new();
    let mut conflict = |object: String, why: String| conflicts.push(Conflict { object, why });
    for s in &net.etherstubs {
        match host_vnic(h, s)? {
            None => steps.push(Step::CreateEtherstub(s.clone())),
            Some((LinkClass::Etherstub, _)) => {}
            Some((c, _)) => conflict(
                format!("etherstub {s}"),
                format!("the host has a {} of that name", c.as_str()),
            ),
        }
    }
    for o in &net.overlays {
        let map = overlay_map(o);
        let old = match &map {
            Some((path, _)) => read_file(path)?,
            None => None,
        };
        let stale = matches!((&map, &old), (Some((_, t)), o2) if o2.as_ref() != Some(t));
        match host_vnic(h, &o.name)? {
            None => {
                if let (true, Some((path, text))) = (stale, &map) {
                    steps.push(Step::WriteFile {
                        path: path.to_string(),
                        text: Some(text.clone()),
                        old,
                    });
                }
                steps.push(Step::CreateOverlay(o.clone()));
            }
            Some((LinkClass::Overlay, _))
                if overlay_of_host(h, &o.name)? != overlay_desc(&o.conf) =>
            {
                let have = overlay_of_host(h, &o.name)?;
                conflict(
                    format!("overlay {}", o.name),
                    format!(
                        "the host's is {have}, the spec's {}; take it down first",
                        overlay_desc(&o.conf)
                    ),
                )
            }
            Some((LinkClass::Overlay, _)) if stale => conflict(
                format!("overlay {}", o.name),
                "its files mapping differs from the one the spec derives; take it down first"
                    .into(),
            ),
            Some((LinkClass::Overlay, _)) => {}
            Some((c, _)) => conflict(
                format!("overlay {}", o.name),
                format!("the host has a {} of that name", c.as_str()),
            ),
        }
    }
    for v in &net.vlans {
        match host_vlan(h, &v.name)? {
            None => steps.push(Step::CreateVlan(v.clone())),
            Some((LinkClass::Vlan, Some(hv))) if hv == *v => {}
            Some((LinkClass::Vlan, Some(hv))) => conflict(
                format!("vlan {}", v.name),
                format!(
                    "the host's is over {} with VID {}, the spec's over {} with VID {}; take it down first",
                    hv.over, hv.vid, v.over, v.vid
                ),
            ),
            Some((c, _)) => conflict(
                format!("vlan {}", v.name),
                format!("the host has a {} of that name that is not up", c.as_str()),
            ),
        }
    }
    for v in &net.vnics {
        match host_vnic(h, &v.name)? {
            None => steps.push(Step::CreateVnic(v.clone())),
            Some((LinkClass::Vnic, Some(hv))) => {
                if hv.over != v.over || hv.vid != v.vid {
                    conflict(
                        format!("vnic {}", v.name),
                        format!(
                            "the host's is over {} with VID {}, the spec's over {} with VID {}; take it down first",
                            hv.over, hv.vid, v.over, v.vid
                        ),
                    );
                    continue;
                }
                if v.maxbw.is_some() && v.maxbw != hv.maxbw {
                    steps.push(Step::SetLinkprop {
                        link: v.name.clone(),
                        prop: "maxbw",
                        value: v.maxbw.map(bw_arg),
                        old: hv.maxbw.map(bw_arg),
                    });
                }
                if let Some(p) = v.priority
                    && hv.priority.as_deref() != Some(p.as_str())
                {
                    steps.push(Step::SetLinkprop {
                        link: v.name.clone(),
                        prop: "priority",
                        value: Some(p.to_string()),
                        old: hv.priority,
                    });
                }
            }
            Some((c, _)) => conflict(
                format!("vnic {}", v.name),
                format!("the host has a {} of that name that is not up", c.as_str()),
            ),
        }
    }
    let ifs = h.ip.interfaces()?;
    let addrs = h.ip.addrs()?;
    for a in &net.addresses {
        match addrs.iter().find(|x| x.addrobj == a.addrobj) {
            Some(x) if x.addr == a.addr => {}
            Some(x) => conflict(
                format!("address {}", a.addrobj),
                format!("the host's is {}, the spec's {}", x.addr, a.addr),
            ),
            None => {
                if !ifs.contains(&a.ifname) && !steps.contains(&Step::CreateIf(a.ifname.clone())) {
                    steps.push(Step::CreateIf(a.ifname.clone()));
                }
                steps.push(Step::CreateAddr(a.clone()));
            }
        }
    }
    if net.ipv4_forwarding && h.svc.state(svc::IPV4_FORWARDING)? != SvcState::Online {
        steps.push(Step::Enable(svc::IPV4_FORWARDING));
    }
    if (!net.nat.is_empty() || !net.filter.is_empty())
        && h.svc.state(svc::IPFILTER)? != SvcState::Online
    {
        steps.push(Step::Enable(svc::IPFILTER));
    }
    if !net.nat.is_empty() {
        let loaded = nat_rules(h)?;
        let missing: Vec<NetNat> = net
            .nat
            .iter()
            .filter(|n| !loaded.iter().any(|r| r.same_as(&n.rule)))
            .cloned()
            .collect();
        if !missing.is_empty() {
            steps.push(Step::LoadNat(missing));
        }
    }
    if !net.filter.is_empty() {
        let target = FilterTarget::Global;
        if let Some(s) = filter_step(h, &target, &net.filter, true)? {
            steps.push(s);
        }
    }
    let zones = h.zones.list()?;
    for z in &net.zones {
        let name = &z.config.name;
        let state = match zones.iter().find(|x| &x.name == name) {
            None => {
                steps.push(Step::ConfigureZone(z.config.clone()));
                ZoneState::Configured
            }
            Some(x) => {
                if h.zones.config(name)?.as_ref() != Some(&z.config) {
                    conflict(
                        format!("zone {name}"),
                        "the host's configuration differs from the spec's; take it down first"
                            .into(),
                    );
                    continue;
                }
                x.state
            }
        };
        if state < ZoneState::Installed {
            steps.push(Step::InstallZone(name.clone()));
        }
        if z.boot && state != ZoneState::Running {
            steps.push(Step::BootZone(name.clone()));
        }
        if !z.filter.is_empty() {
            let target = FilterTarget::Zone {
                name: name.clone(),
                zonepath: z.config.zonepath.clone(),
            };
            let enabled = if state == ZoneState::Running {
                zone_filter_running(h, name)?.unwrap_or(false)
            } else {
                false
            };
            if !enabled {
                steps.push(Step::EnableZoneFilter(name.clone()));
            }
            if let Some(s) = filter_step(h, &target, &z.filter, true)? {
                steps.push(s);
            }
        }
    }
    Ok(if conflicts.is_empty() {
        Ok(steps)
    } else {
        Err(conflicts)
    })
}

/// What `down` must do: remove what the spec names and the host has, in
/// reverse order.
pub fn down(net: &Network, h: &mut Host) -> HostResult<Vec<Step>> {
    let mut steps = Vec::new();
    let zones = h.zones.list()?;
    for z in net.zones.iter().rev() {
        let Some(x) = zones.iter().find(|x| x.name == z.config.name) else {
            continue;
        };
        let name = x.name.clone();
        if x.state >= ZoneState::Ready && x.state != ZoneState::Mounted {
            steps.push(Step::HaltZone(name.clone()));
        }
        // Halting destroys the zone's stacks and their rules (and their
        // states, which would hold a rule `ipf -r` removes); then the
        // block goes from its file. Undone, the file comes back first and
        // booting loads it.
        if !z.filter.is_empty() {
            let target = FilterTarget::Zone {
                name: name.clone(),
                zonepath: z.config.zonepath.clone(),
            };
            let in_file = conf_block::block_rules(&h.files.read(&target.file())?);
            let present: Vec<NetFilter> = z
                .filter
                .iter()
                .rev()
                .filter(|n| in_file.contains(&n.text))
                .cloned()
                .collect();
            if !present.is_empty() {
                steps.push(Step::UnloadFilter {
                    target,
                    rules: present,
                });
            }
        }
        if x.state >= ZoneState::Incomplete {
            steps.push(Step::UninstallZone(name.clone()));
        }
        let config = h.zones.config(&name)?.unwrap_or_else(|| z.config.clone());
        steps.push(Step::DeleteZone(config));
    }
    if !net.nat.is_empty() || !net.filter.is_empty() {
        let loaded = nat_rules(h)?;
        let text = h.files.read(&RulesFile::Ipnat)?;
        let in_file = conf_block::block_rules(&text);
        let present: Vec<NetNat> = net
            .nat
            .iter()
            .rev()
            .filter(|n| loaded.iter().any(|r| r.same_as(&n.rule)) || in_file.contains(&n.text))
            .cloned()
            .collect();
        if !present.is_empty() {
            steps.push(Step::UnloadNat(present));
        }
        let target = FilterTarget::Global;
        if let Some(s) = filter_step(h, &target, &net.filter, false)? {
            steps.push(s);
        }
        // IP Filter goes off again only when nothing else uses it.
        let others = loaded
            .iter()
            .any(|r| !net.nat.iter().any(|n| r.same_as(&n.rule)));
        let ipf_text = h.files.read(&RulesFile::Ipf)?;
        if !others
            && !conf_block::has_other_rules(&text)
            && !conf_block::has_other_rules(&ipf_text)
            && !global_filter_others(h, &net.filter)?
            && h.svc.state(svc::IPFILTER)? != SvcState::Disabled
        {
            steps.push(Step::Disable(svc::IPFILTER));
        }
    }
    if net.ipv4_forwarding && h.svc.state(svc::IPV4_FORWARDING)? != SvcState::Disabled {
        steps.push(Step::Disable(svc::IPV4_FORWARDING));
    }
    let addrs = h.ip.addrs()?;
    let ifs = h.ip.interfaces()?;
    for a in net.addresses.iter().rev() {
        if let Some(x) = addrs.iter().find(|x| x.addrobj == a.addrobj) {
            steps.push(Step::DeleteAddr(NetAddr {
                addr: x.addr,
                ..a.clone()
            }));
        }
    }
    for a in net.addresses.iter().rev() {
        let others = addrs.iter().any(|x| {
            x.addrobj.split('/').next() == Some(&a.ifname)
                && !net.addresses.iter().any(|n| n.addrobj == x.addrobj)
        });
        if ifs.contains(&a.ifname) && !others && !steps.contains(&Step::DeleteIf(a.ifname.clone()))
        {
            steps.push(Step::DeleteIf(a.ifname.clone()));
        }
    }
    for v in net.vnics.iter().rev() {
        match host_vnic(h, &v.name)? {
            // As the host has it, so that undoing the deletion gives it
            // back with its address and properties.
            Some((LinkClass::Vnic, Some(hv))) => steps.push(Step::DeleteVnic(as_on_host(v, hv))),
            Some((LinkClass::Vnic, None)) => steps.push(Step::DeleteVnic(v.clone())),
            _ => {}
        }
    }
    for v in net.vlans.iter().rev() {
        if let Some((LinkClass::Vlan, hv)) = host_vlan(h, &v.name)? {
            // As the host has it, so that undoing gives it back.
            steps.push(Step::DeleteVlan(hv.unwrap_or_else(|| v.clone())));
        }
    }
    for o in net.overlays.iter().rev() {
        if let Some((LinkClass::Overlay, _)) = host_vnic(h, &o.name)? {
            steps.push(Step::DeleteOverlay(o.clone()));
        }
        if let Some((path, _)) = overlay_map(o)
            && let Some(old) = read_file(path)?
        {
            steps.push(Step::WriteFile {
                path: path.to_string(),
                text: None,
                old: Some(old),
            });
        }
    }
    for s in net.etherstubs.iter().rev() {
        if let Some((LinkClass::Etherstub, _)) = host_vnic(h, s)? {
            steps.push(Step::DeleteEtherstub(s.clone()));
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bandwidth_arguments() {
        assert_eq!(bw_arg(Bandwidth(100_000_000)), "100M");
        assert_eq!(bw_arg(Bandwidth(2_000_000_000)), "2G");
        assert_eq!(bw_arg(Bandwidth(1_500_000)), "1500K");
        assert_eq!(sh("create -b; set x=1"), "'create -b; set x=1'");
        assert_eq!(sh("vnic0"), "vnic0");
    }

    /// A pending change's record keeps filter steps: the lines as text,
    /// parsed again when read.
    #[test]
    fn filter_steps_round_trip_and_read_as_commands() {
        let rules = vec![
            NetFilter::parse("block in all").unwrap(),
            NetFilter::parse("pass in quick from 192.168.0.0/24 to any keep state").unwrap(),
        ];
        let step = Step::LoadFilter {
            target: FilterTarget::Zone {
                name: "test2".into(),
                zonepath: "/zones/test2".into(),
            },
            rules,
        };
        let text = serde_json::to_string(&step).unwrap();
        assert_eq!(serde_json::from_str::<Step>(&text).unwrap(), step);
        assert_eq!(
            step.command(),
            "printf '%s\\n' 'block in all' 'pass in quick from 192.168.0.0/24 to any keep state' | xbow ipf --atomic -G -f - test2"
        );
        assert_eq!(
            step.undo().command(),
            "printf '%s\\n' 'block in all' 'pass in quick from 192.168.0.0/24 to any keep state' | xbow ipf --atomic -G -r -f - test2"
        );
        let g = Step::UnloadFilter {
            target: FilterTarget::Global,
            rules: vec![NetFilter::parse("block in on eri0 all").unwrap()],
        };
        assert_eq!(
            g.command(),
            "echo 'block in on eri0 all' | xbow ipf --atomic -r -f -"
        );
        assert_eq!(
            Step::EnableZoneFilter("z".into()).undo(),
            Step::DisableZoneFilter("z".into())
        );
        // A record whose line no longer parses is refused, naming it.
        let bad = text.replace("block in all", "block in al");
        let e = serde_json::from_str::<Step>(&bad).unwrap_err().to_string();
        assert!(e.contains("'block in al'"), "{e}");
    }
}
