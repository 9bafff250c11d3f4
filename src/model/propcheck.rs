//! libdladm's value checks for the link properties it stores without a
//! model of their own (`pd_check`, or `check_prop` for an option list),
//! and the form its getters display the accepted values in.
//!
//! Source: `usr/src/lib/libdladm/common/linkprop.c` (omniosorg/illumos-omnios
//! @ `38bc8e17`): `check_prop`, `check_uint32`, `check_bridge_pvid`,
//! `check_stp_prop`, `check_autopush`, `check_zone`, `check_secondary_macs`,
//! `check_cpus`, `check_pool`, `check_allowedips`/`check_single_ip`,
//! `check_allowedcids`/`dladm_str2cid`, `check_rings`, `check_hoplimit`,
//! `check_encaplim`; display: `get_protection` (`dladm_protect2str` in set
//! bit order), `get_allowedips` (always `addr/prefix`), `get_cpus`
//! (`dladm_range2strs`), `get_secondary_macs` (`_link_ntoa`),
//! `get_rxrings` (`hw`, `sw` or the count). Reference `linkprop.md` §2.2,
//! §5. (`maxbw`, `priority` and `mtu` have their own types.)

use super::cnum::strtoul0;
use super::mac::MacAddr;
use super::proptable::{Check, PropDesc};
use super::status::DlStatus;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// `MPT_MAXMACADDR`: `secondary-macs` takes fewer values.
const MAX_SECONDARY_MACS: usize = 32;
/// `MRP_NCPUS`.
const MAX_CPUS: usize = 128;
/// `MPT_MAXIPADDR` / `MPT_MAXCID`.
const MAX_IPS: usize = 32;
const MAX_CIDS: usize = 32;
/// `MPT_MAXCIDLEN`.
const MAX_CID_LEN: usize = 256;
/// `FMNAMESZ` / `MAXAPUSH` (the usual illumos values).
const FMNAMESZ: usize = 8;
const MAXAPUSH: usize = 8;

/// What the system the check runs on has (`check_cpus` asks `sysconf`).
#[derive(Debug, Clone, Copy)]
pub struct System {
    /// `_SC_NPROCESSORS_CONF`; every processor is online.
    pub ncpus: u32,
}

/// Check `vals` for property `d` as `i_dladm_set_single_prop` does before
/// `pd_set`, and return the values as the property's getter then shows
/// them. `NOTSUP` for a property without a check (read-only ones are
/// refused earlier).
pub fn check(d: &PropDesc, vals: &[String], sys: System) -> Result<Vec<String>, DlStatus> {
    let one = || match vals {
        [v] => Ok(v.as_str()),
        _ => Err(DlStatus::Badvalcnt),
    };
    match d.value_check().ok_or(DlStatus::Badarg)? {
        Check::Prop => check_prop(d, vals),
        Check::Uint32 => match vals {
            [v] => Ok(vec![strtoul0(v).to_string()]),
            _ => Err(DlStatus::Badval),
        },
        Check::BridgePvid => match vals {
            [v] => match parse_ul0(v) {
                Some(n) if n <= 4094 => Ok(vec![n.to_string()]),
                _ => Err(DlStatus::Badval),
            },
            _ => Err(DlStatus::Badval),
        },
        Check::StpProp => check_stp(d.name, vals),
        Check::Autopush => check_autopush(one()?).map(|s| vec![s]),
        Check::Zone => one().map(|z| vec![z.to_string()]),
        Check::SecondaryMacs => {
            if vals.len() >= MAX_SECONDARY_MACS {
                return Err(DlStatus::Badvalcnt);
            }
            vals.iter()
                .map(|v| {
                    v.parse::<MacAddr>()
                        .map(|m| m.to_string())
                        .map_err(|_| DlStatus::Macaddrinval)
                })
                .collect()
        }
        Check::Cpus => check_cpus(vals, sys).map(|c| cpus_str(&c)),
        Check::Pool => one().map(|p| vec![p.to_string()]),
        Check::AllowedIps => {
            if vals.len() > MAX_IPS {
                return Err(DlStatus::Badvalcnt);
            }
            vals.iter().map(|v| check_single_ip(v)).collect()
        }
        Check::AllowedCids => {
            if vals.len() > MAX_CIDS {
                return Err(DlStatus::Badvalcnt);
            }
            vals.iter().map(|v| check_cid(v)).collect()
        }
        Check::Rings => match vals {
            [v] => check_rings(v).map(|r| vec![r]),
            _ => Err(DlStatus::Badval),
        },
        Check::Hoplimit => {
            let v = one()?;
            match strtol10_prefix(v) {
                Some(n) if (1..=255).contains(&n) => Ok(vec![n.to_string()]),
                _ => Err(DlStatus::Badval),
            }
        }
        Check::Encaplim => {
            let v = one()?;
            match strtol10_prefix(v) {
                Some(n) if (0..=255).contains(&n) => Ok(vec![n.to_string()]),
                _ => Err(DlStatus::Badval),
            }
        }
        // `maxbw` and `speed` are the caller's.
        Check::Maxbw | Check::Rate => Err(DlStatus::Notsup),
    }
}

/// `check_prop`: every value must name an option (case-insensitively).
/// `protection` keeps the set bits in table order (`get_protection`);
/// the others take their first value (`set_public_prop`).
fn check_prop(d: &PropDesc, vals: &[String]) -> Result<Vec<String>, DlStatus> {
    let mut idx = Vec::new();
    for v in vals {
        let i = d
            .optval
            .iter()
            .position(|o| o.eq_ignore_ascii_case(v))
            .ok_or(DlStatus::Badval)?;
        idx.push(i);
    }
    if d.name == "protection" {
        let mut bits: Vec<usize> = idx;
        bits.sort_unstable();
        bits.dedup();
        return Ok(bits.into_iter().map(|i| d.optval[i].to_string()).collect());
    }
    Ok(idx
        .first()
        .map(|&i| vec![d.optval[i].to_string()])
        .unwrap_or_default())
}

/// `strtoul(s, &end, 0)` that must consume the whole string.
fn parse_ul0(s: &str) -> Option<u64> {
    let (digits, radix) = if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (h, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (&s[1..], 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// `strtol(s, NULL, 10)`: leading digits, trailing text ignored.
fn strtol10_prefix(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let end = t
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && c == '-')))
        .map_or(t.len(), |(i, _)| i);
    Some(t[..end].parse().unwrap_or(0))
}

/// `check_stp_prop`: `stp_priority` 0..255, `stp_cost` `auto` or 0..65535,
/// `stp_mcheck` numeric; the option-list ones (`stp`, `stp_edge`,
/// `stp_p2p`) never get here.
fn check_stp(name: &str, vals: &[String]) -> Result<Vec<String>, DlStatus> {
    let [v] = vals else {
        return Err(DlStatus::Badvalcnt);
    };
    if name == "stp_cost" && v == "auto" {
        return Ok(vec![v.clone()]);
    }
    let n = parse_ul0(v).ok_or(DlStatus::Badval)?;
    let max = if name == "stp_cost" { 65535 } else { 255 };
    if n > max {
        return Err(DlStatus::Badval);
    }
    // A non-zero `stp_mcheck` needs a bridge running RSTP.
    if name == "stp_mcheck" && n != 0 {
        return Err(DlStatus::Failed);
    }
    Ok(vec![n.to_string()])
}

/// `check_autopush`: modules separated by `.` (or white space), each 1 to
/// `FMNAMESZ` characters, at most `MAXAPUSH`, with at most one `[anchor]`
/// after a module. Shown joined with `.`.
fn check_autopush(v: &str) -> Result<String, DlStatus> {
    let mut mods: Vec<&str> = Vec::new();
    let mut anchor = None;
    for tok in v.split(['.', ' ', '\n']).filter(|t| !t.is_empty()) {
        if "[anchor]".len() <= tok.len() && tok[..8].eq_ignore_ascii_case("[anchor]") {
            if anchor.is_some() || mods.is_empty() {
                return Err(DlStatus::Badval);
            }
            anchor = Some(mods.len());
            continue;
        }
        if tok.len() > FMNAMESZ {
            return Err(DlStatus::Badval);
        }
        if mods.len() == MAXAPUSH {
            return Err(DlStatus::Badvalcnt);
        }
        mods.push(tok);
    }
    if mods.is_empty() {
        return Err(DlStatus::Badvalcnt);
    }
    let mut out = Vec::new();
    for (i, m) in mods.iter().enumerate() {
        out.push(m.to_string());
        if anchor == Some(i + 1) {
            out.push("[anchor]".to_string());
        }
    }
    Ok(out.join("."))
}

/// `check_cpus` (`dladm_strs2range`, `dladm_range2list`): ids and `a-b`
/// ranges; sorted, distinct.
fn check_cpus(vals: &[String], sys: System) -> Result<Vec<u32>, DlStatus> {
    let mut cpus = Vec::new();
    for v in vals {
        let (a, b) = match v.split_once('-') {
            Some((a, b)) => (a, b),
            None => (v.as_str(), v.as_str()),
        };
        let num = |s: &str| -> Result<u32, DlStatus> {
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(DlStatus::Badrange);
            }
            s.parse().map_err(|_| DlStatus::Badrange)
        };
        let (a, b) = (num(a)?, num(b)?);
        if b < a {
            return Err(DlStatus::Badrange);
        }
        if (b - a) as usize + cpus.len() >= MAX_CPUS {
            return Err(DlStatus::Toomanyelements);
        }
        cpus.extend(a..=b);
    }
    for &c in &cpus {
        if c >= sys.ncpus {
            return Err(DlStatus::Badcpuid);
        }
    }
    let n = cpus.len();
    cpus.sort_unstable();
    cpus.dedup();
    if cpus.len() != n {
        return Err(DlStatus::Badval);
    }
    Ok(cpus)
}

/// `dladm_list2range` + `dladm_range2strs`: `0-3`, `5`.
fn cpus_str(cpus: &[u32]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            cpus[i].to_string()
        } else {
            format!("{}-{}", cpus[i], cpus[j])
        });
        i = j + 1;
    }
    out
}

/// `check_single_ip`: `addr[/len]`, no host bits beyond the prefix, not
/// unspecified, not v4-mapped; shown as `addr/len` (`INVALID_IP`).
fn check_single_ip(v: &str) -> Result<String, DlStatus> {
    let bad = DlStatus::InvalidIp;
    let (addr, len) = match v.split_once('/') {
        Some((a, l)) => {
            if !l.starts_with(|c: char| c.is_ascii_digit())
                || !l.bytes().all(|c| c.is_ascii_digit())
            {
                return Err(bad);
            }
            let n: u32 = l.parse().map_err(|_| bad)?;
            if !(1..=128).contains(&n) {
                return Err(bad);
            }
            (a, Some(n))
        }
        None => (v, None),
    };
    if let Ok(a) = addr.parse::<Ipv4Addr>() {
        let n = len.unwrap_or(32);
        if a.is_unspecified() || n > 32 {
            return Err(bad);
        }
        let mask = if n == 32 { 0 } else { u32::MAX >> n };
        if u32::from(a) & mask != 0 {
            return Err(bad);
        }
        return Ok(format!("{}/{n}", IpAddr::V4(a)));
    }
    let a: Ipv6Addr = addr.parse().map_err(|_| bad)?;
    let n = len.unwrap_or(128);
    if a.is_unspecified() || a.to_ipv4_mapped().is_some() {
        return Err(bad);
    }
    let mask = if n == 128 { 0 } else { u128::MAX >> n };
    if u128::from(a) & mask != 0 {
        return Err(bad);
    }
    Ok(format!("{a}/{n}"))
}

/// `dladm_str2cid`: a typed DUID (`T.…`), hex (`0x…`) or a string; shown
/// back by `dladm_cid2str` (hex digits in lower case).
fn check_cid(v: &str) -> Result<String, DlStatus> {
    let lead = v.bytes().take_while(u8::is_ascii_digit).count();
    if lead > 0 && v.as_bytes().get(lead) == Some(&b'.') {
        let ty: u64 = v[..lead].parse().map_err(|_| DlStatus::Badarg)?;
        if ty > 65535 {
            return Err(DlStatus::Badarg);
        }
        let rest = &v[lead + 1..];
        let field = |s: &str| parse_ul0(s).ok_or(DlStatus::Badarg);
        let hex = |s: &str| -> Result<String, DlStatus> {
            if s.is_empty()
                || !s.len().is_multiple_of(2)
                || !s.bytes().all(|c| c.is_ascii_hexdigit())
            {
                return Err(DlStatus::Badarg);
            }
            Ok(s.to_ascii_lowercase())
        };
        let mac = |s: &str| -> Result<String, DlStatus> {
            s.parse::<MacAddr>()
                .map(|m| m.to_string())
                .map_err(|_| DlStatus::Badarg)
        };
        return match ty {
            1 => {
                let mut p = rest.splitn(3, '.');
                let (hw, time, addr) = (p.next(), p.next(), p.next());
                let (Some(hw), Some(time), Some(addr)) = (hw, time, addr) else {
                    return Err(DlStatus::Badarg);
                };
                Ok(format!("1.{}.{}.{}", field(hw)?, field(time)?, mac(addr)?))
            }
            2 | 3 => {
                let (a, b) = rest.split_once('.').ok_or(DlStatus::Badarg)?;
                let b = if ty == 3 { mac(b)? } else { hex(b)? };
                Ok(format!("{ty}.{}.{b}", field(a)?))
            }
            _ => Ok(format!("{ty}.{}", hex(rest)?)),
        };
    }
    if let Some(h) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"))
        && !h.is_empty()
    {
        if !h.len().is_multiple_of(2) || !h.bytes().all(|c| c.is_ascii_hexdigit()) {
            return Err(DlStatus::Badarg);
        }
        if h.len() / 2 > MAX_CID_LEN {
            return Err(DlStatus::Toosmall);
        }
        return Ok(format!("0x{}", h.to_ascii_lowercase()));
    }
    if v.len() > MAX_CID_LEN {
        return Err(DlStatus::Toosmall);
    }
    Ok(v.to_string())
}

/// `check_rings`: `hw…`, `sw…` (case-insensitive prefixes) or a non-zero
/// `strtoul(…, 0)` count.
fn check_rings(v: &str) -> Result<String, DlStatus> {
    let p = v.get(..2).map(str::to_ascii_lowercase);
    match p.as_deref() {
        Some("hw") => Ok("hw".into()),
        Some("sw") => Ok("sw".into()),
        _ => match strtoul0(v) {
            0 => Err(DlStatus::Badval),
            n => Ok(n.to_string()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::proptable::find;

    const SYS: System = System { ncpus: 8 };

    fn c(name: &str, vals: &[&str]) -> Result<Vec<String>, DlStatus> {
        let v: Vec<String> = vals.iter().map(|s| s.to_string()).collect();
        check(find(name).unwrap(), &v, SYS)
    }

    fn ok(name: &str, vals: &[&str]) -> String {
        c(name, vals).unwrap().join(",")
    }

    #[test]
    fn option_lists() {
        assert_eq!(
            ok("protection", &["IP-NOSPOOF", "mac-nospoof", "ip-nospoof"]),
            "mac-nospoof,ip-nospoof"
        );
        assert_eq!(c("protection", &["none"]), Err(DlStatus::Badval));
        assert_eq!(ok("tagmode", &["Normal"]), "normal");
        assert_eq!(ok("promisc-filtered", &["OFF"]), "off");
        assert_eq!(ok("stp_p2p", &["TRUE"]), "true");
        assert_eq!(c("forward", &["2"]), Err(DlStatus::Badval));
    }

    #[test]
    fn numbers() {
        assert_eq!(ok("learn_limit", &["0x10"]), "16");
        assert_eq!(c("learn_limit", &["1", "2"]), Err(DlStatus::Badval));
        assert_eq!(ok("default_tag", &["0"]), "0");
        assert_eq!(c("default_tag", &["4095"]), Err(DlStatus::Badval));
        assert_eq!(c("default_tag", &["5x"]), Err(DlStatus::Badval));
        assert_eq!(ok("stp_cost", &["auto"]), "auto");
        assert_eq!(c("stp_cost", &["AUTO"]), Err(DlStatus::Badval));
        assert_eq!(ok("stp_priority", &["255"]), "255");
        assert_eq!(c("stp_priority", &["256"]), Err(DlStatus::Badval));
        assert_eq!(c("stp_mcheck", &["1"]), Err(DlStatus::Failed));
    }

    #[test]
    fn lists() {
        assert_eq!(ok("cpus", &["3", "0-2", "5"]), "0-3,5");
        assert_eq!(c("cpus", &["8"]), Err(DlStatus::Badcpuid));
        assert_eq!(c("cpus", &["3-1"]), Err(DlStatus::Badrange));
        assert_eq!(c("cpus", &["x"]), Err(DlStatus::Badrange));
        assert_eq!(c("cpus", &["1", "1"]), Err(DlStatus::Badval));
        assert_eq!(ok("secondary-macs", &["02:08:20:00:00:0A"]), "2:8:20:0:0:a");
        assert_eq!(c("secondary-macs", &["zz"]), Err(DlStatus::Macaddrinval));
        assert_eq!(
            ok("autopush", &["ldterm.[anchor].ttcompat"]),
            "ldterm.[anchor].ttcompat"
        );
        assert_eq!(c("autopush", &["[anchor].x"]), Err(DlStatus::Badval));
        assert_eq!(c("autopush", &["a", "b"]), Err(DlStatus::Badvalcnt));
        assert_eq!(ok("rxrings", &["HW"]), "hw");
        assert_eq!(ok("rxrings", &["3x"]), "3");
        assert_eq!(c("rxrings", &["0"]), Err(DlStatus::Badval));
    }

    #[test]
    fn allowed_ips_and_cids() {
        assert_eq!(
            ok("allowed-ips", &["10.0.0.1", "10.0.0.0/24", "fe80::/10"]),
            "10.0.0.1/32,10.0.0.0/24,fe80::/10"
        );
        for bad in [
            "10.0.0.1/24",
            "10.0.0.1/33",
            "0.0.0.0",
            "::",
            "fe80::1/64",
            "::ffff:1.2.3.4",
            "1.2.3.4/x",
            "x",
        ] {
            assert_eq!(c("allowed-ips", &[bad]), Err(DlStatus::InvalidIp), "{bad}");
        }
        assert_eq!(ok("allowed-dhcp-cids", &["hello"]), "hello");
        assert_eq!(ok("allowed-dhcp-cids", &["0xABcd"]), "0xabcd");
        assert_eq!(
            ok("allowed-dhcp-cids", &["1.1.1000.2:8:20:1:2:3"]),
            "1.1.1000.2:8:20:1:2:3"
        );
        assert_eq!(c("allowed-dhcp-cids", &["0xabc"]), Err(DlStatus::Badarg));
    }
}
