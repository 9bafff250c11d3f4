//! Reading what the illumos commands print: `zoneadm list -cp`,
//! `zonecfg export`, `ipadm show-addr -p`. Pure functions, so they are
//! tested on every platform against the reference samples.

use crate::backend::host::{AddrInfo, ZoneInfo};
use crate::model::zone::{ZoneConfig, ZoneNet, ZoneState};

/// Split a parsable line at unescaped colons, removing the escapes.
pub fn split_parsable(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut esc = false;
    for c in line.chars() {
        match (esc, c) {
            (false, '\\') => esc = true,
            (false, ':') => out.push(String::new()),
            (_, c) => {
                esc = false;
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

/// `zoneadm list -cp`: `id:name:state:path:uuid:brand:ip-type[:debugid]`;
/// the global zone is left out.
pub fn zoneadm_list(text: &str) -> Vec<ZoneInfo> {
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            if f.len() < 7 || f[1] == "global" {
                return None;
            }
            Some(ZoneInfo {
                name: f[1].to_string(),
                state: ZoneState::from_name(f[2])?,
                zonepath: f[3].to_string(),
                brand: f[5].to_string(),
                ip_type: f[6].to_string(),
            })
        })
        .collect()
}

/// `zonecfg -z NAME export`, read back into the configuration xbow
/// writes (other settings are ignored).
pub fn zonecfg_export(name: &str, text: &str) -> ZoneConfig {
    let mut cfg = ZoneConfig {
        name: name.to_string(),
        zonepath: String::new(),
        brand: String::new(),
        autoboot: false,
        nets: Vec::new(),
    };
    let mut net: Option<ZoneNet> = None;
    let mut other_resource = false;
    for line in text.lines().map(str::trim) {
        if line == "add net" {
            net = Some(ZoneNet {
                physical: String::new(),
                allowed_address: None,
                defrouter: None,
            });
            continue;
        }
        if line.starts_with("add ") {
            other_resource = true;
            continue;
        }
        if line == "end" {
            if let Some(n) = net.take() {
                cfg.nets.push(n);
            }
            other_resource = false;
            continue;
        }
        let Some((k, v)) = line.strip_prefix("set ").and_then(|kv| kv.split_once('=')) else {
            continue;
        };
        let v = v.trim_matches('"');
        match (&mut net, k) {
            (Some(n), "physical") => n.physical = v.to_string(),
            (Some(n), "allowed-address") => n.allowed_address = v.parse().ok(),
            (Some(n), "defrouter") => n.defrouter = v.parse().ok(),
            (Some(_), _) => {}
            (None, _) if other_resource => {}
            (None, "zonepath") => cfg.zonepath = v.to_string(),
            (None, "brand") => cfg.brand = v.to_string(),
            (None, "autoboot") => cfg.autoboot = v == "true",
            (None, _) => {}
        }
    }
    cfg
}

/// `ipadm show-addr -p -o addrobj,type,addr`: the static IPv4 addresses.
pub fn ipadm_addrs(text: &str) -> Vec<AddrInfo> {
    text.lines()
        .filter_map(|l| {
            let f = split_parsable(l);
            if f.len() != 3 || f[1] != "static" {
                return None;
            }
            Some(AddrInfo {
                addrobj: f[0].clone(),
                addr: f[2].parse().ok()?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoneadm_list_samples() {
        // Reference zones-ipadm.md §5.2 (OmniOS; 8 fields) and a gate-style 7.
        let z = zoneadm_list(
            "0:global:running:/::ipkg:shared:0\n\
             42:cube-media:running:/zones/cube-media:c624d04f-d0d9-e1e6-822e-acebc78ec9ff:lipkg:excl:128\n\
             -:clean-zone:installed:/zones/clean-zone:311a4f36-779f-4d14-bc9d-c85cb9817327:lipkg:excl:216\n\
             -:t1:configured:/zones/t1::lipkg:excl\n",
        );
        assert_eq!(z.len(), 3);
        assert_eq!(z[0].name, "cube-media");
        assert_eq!(z[0].state, ZoneState::Running);
        assert_eq!(z[1].state, ZoneState::Installed);
        assert_eq!(z[1].zonepath, "/zones/clean-zone");
        assert_eq!(
            (z[2].brand.as_str(), z[2].ip_type.as_str()),
            ("lipkg", "excl")
        );
    }

    #[test]
    fn zonecfg_export_round_trip() {
        // Reference zones-ipadm.md §1.3 [derived], with a template extra.
        let text = "create -b\nset zonepath=/export/test1\nset brand=lipkg\nset autoboot=false\n\
                    set ip-type=exclusive\nadd fs\nset dir=/x\nend\nadd net\n\
                    set allowed-address=192.168.0.2/24\nset physical=vnic1\nset defrouter=192.168.0.1\nend\n";
        let c = zonecfg_export("test1", text);
        assert_eq!(c.zonepath, "/export/test1");
        assert_eq!(c.brand, "lipkg");
        assert!(!c.autoboot);
        assert_eq!(c.nets.len(), 1);
        assert_eq!(c.nets[0].physical, "vnic1");
        assert_eq!(
            c.nets[0].allowed_address.unwrap().to_string(),
            "192.168.0.2/24"
        );
        // What xbow writes reads back as itself.
        assert_eq!(zonecfg_export("test1", &c.zonecfg_script()), c);
    }

    #[test]
    fn ipadm_show_addr() {
        let a = ipadm_addrs(
            "lo0/v4:static:127.0.0.1/8\nvnic0/v4:static:192.168.0.1/24\nlo0/v6:static:\\:\\:1/128\nz0/_a:from-gz:10.0.0.1/24\n",
        );
        assert_eq!(a.len(), 2);
        assert_eq!(a[1].addrobj, "vnic0/v4");
        assert_eq!(a[1].addr.to_string(), "192.168.0.1/24");
        assert_eq!(split_parsable("a\\:b:c"), vec!["a:b", "c"]);
    }
}
