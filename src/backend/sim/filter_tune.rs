//! The sim's kernel tunables: `lcl_ipf_tuneables[]` of illumos `fil.c`
//! (names, limits, flags, in the kernel's order) with the sizes of the
//! `ipf_stack_t` fields they point to and the values `iplattach`,
//! `ipftuneable_setdefs`, `fr_stateinit` and `fr_natinit` give them, and
//! `fr_ipftune()`'s handling of `SIOCIPFGETNEXT`, `SIOCIPFGET` and
//! `SIOCIPFSET`.
//!
//! The kernel is built with `IPFILTER_LOG` and `SOLARIS2 >= 10`, so the
//! log tunables and `ipf_loopback` are in the table. The values are the
//! compiled-in ones: the stock `/kernel/drv/ipf.conf`, which raises
//! `fr_statesize` and `fr_statemax` (151007, 113279) when the driver
//! attaches, is not applied.

use super::filter::DEFAULT_PASS;
use super::filter_state::FilterState;
use crate::backend::filter::{FilterResult, IPFT_RDONLY, IPFT_WRDISABLED, Tunable};
use crate::backend::nat::Errno;

/// One row: name, min, max, `sizeof` the variable, flags, initial value.
struct Row(&'static str, u64, u64, i32, i32, u64);

const RD: i32 = IPFT_RDONLY;
const WD: i32 = IPFT_WRDISABLED;
const MAX31: u64 = 0x7fff_ffff;

/// `IPF_TTLVAL(x)`: half-second ticks.
const fn ttl(secs: u64) -> u64 {
    secs * 2
}

/// `TCP_MSL` (ip_compat.h).
const TCP_MSL: u64 = 120;
/// `fr_statesize` (`IPSTATE_SIZE`) and `fr_nattable_sz` (`NAT_TABLE_SZ`).
pub const STATESIZE: u64 = 5737;
const NATTABLE_SZ: u64 = 2047;

/// `fr_stateinit`/`fr_natinit`: a zero maxbucket becomes twice the bit
/// length of the table size.
const fn maxbucket(size: u64) -> u64 {
    (64 - size.leading_zeros() as u64) * 2
}

const TABLE: &[Row] = &[
    // filtering; fr_flags is IPF_LOGGING (0), fr_pass
    // IPF_DEFAULT_PASS|FR_NOMATCH.
    Row("fr_flags", 0, 0xffff_ffff, 4, 0, 0),
    Row("fr_active", 0, 0, 4, RD, 0),
    Row("fr_control_forwarding", 0, 1, 4, 0, 0),
    Row("fr_update_ipid", 0, 1, 4, 0, 0),
    Row("fr_chksrc", 0, 1, 4, 0, 0),
    Row("fr_minttl", 0, 1, 4, 0, 4),
    Row("fr_icmpminfragmtu", 0, 1, 4, 0, 68),
    Row("fr_pass", 0, 0xffff_ffff, 4, 0, DEFAULT_PASS as u64),
    Row("ipf_loopback", 0, 1, 4, WD, 0),
    // state
    Row("fr_tcpidletimeout", 1, MAX31, 8, WD, ttl(3600 * 24 * 5)),
    Row("fr_tcpclosewait", 1, MAX31, 8, WD, ttl(TCP_MSL)),
    Row("fr_tcplastack", 1, MAX31, 8, WD, ttl(TCP_MSL)),
    Row("fr_tcptimeout", 1, MAX31, 8, WD, ttl(TCP_MSL)),
    Row("fr_tcpclosed", 1, MAX31, 8, WD, ttl(60)),
    Row("fr_tcphalfclosed", 1, MAX31, 8, WD, ttl(2 * 3600)),
    Row("fr_udptimeout", 1, MAX31, 8, WD, ttl(120)),
    Row("fr_udpacktimeout", 1, MAX31, 8, WD, ttl(12)),
    Row("fr_icmptimeout", 1, MAX31, 8, WD, ttl(60)),
    Row("fr_icmpacktimeout", 1, MAX31, 8, WD, ttl(6)),
    Row("fr_iptimeout", 1, MAX31, 8, WD, ttl(60)),
    Row("fr_statemax", 1, MAX31, 4, 0, 50000),
    Row("fr_statesize", 1, MAX31, 4, WD, STATESIZE),
    Row("fr_state_lock", 0, 1, 4, RD, 0),
    Row("fr_state_maxbucket", 1, MAX31, 4, WD, maxbucket(STATESIZE)),
    Row("fr_state_maxbucket_reset", 0, 1, 4, WD, 1),
    Row("ipstate_logging", 0, 1, 4, 0, 1),
    // ST_FLUSH_HI/LO and NAT_FLUSH_HI/LO: 95 and 75 [unverified: the
    // defines were not found in the sources read].
    Row("state_flush_level_hi", 1, 100, 4, 0, 95),
    Row("state_flush_level_lo", 1, 100, 4, 0, 75),
    // nat
    Row("fr_nat_lock", 0, 1, 4, RD, 0),
    Row("ipf_nattable_sz", 1, MAX31, 4, WD, NATTABLE_SZ),
    Row("ipf_nattable_max", 1, MAX31, 4, 0, 30000),
    Row("ipf_natrules_sz", 1, MAX31, 4, WD, 127),
    Row("ipf_rdrrules_sz", 1, MAX31, 4, WD, 127),
    Row("ipf_hostmap_sz", 1, MAX31, 4, WD, 2047),
    Row("fr_nat_maxbucket", 1, MAX31, 4, WD, maxbucket(NATTABLE_SZ)),
    Row("fr_nat_maxbucket_reset", 0, 1, 4, WD, 1),
    Row("nat_logging", 0, 1, 4, 0, 1),
    Row("fr_defnatage", 1, MAX31, 8, WD, 1200),
    Row("fr_defnatipage", 1, MAX31, 8, WD, 120),
    Row("fr_defnaticmpage", 1, MAX31, 8, WD, 6),
    Row("nat_flush_level_hi", 1, 100, 4, 0, 95),
    Row("nat_flush_level_lo", 1, 100, 4, 0, 75),
    // frag
    Row("ipfr_size", 1, MAX31, 4, WD, 257),
    Row("fr_ipfrttl", 1, MAX31, 4, WD, 120),
    // log
    Row("ipl_suppress", 0, 1, 4, 0, 1),
    Row("ipl_buffer_sz", 0, 0, 4, RD, 0),
    // IPL_LOGMAX of the current headers (8 since IPL_LOGEV; 7 before).
    Row("ipl_logmax", 0, MAX31, 4, WD, 8),
    Row("ipl_logall", 0, 1, 4, 0, 0),
    // IPFILTER_LOGSIZE: DEFAULT_IPFLOGSIZE, 8192.
    Row("ipl_logsize", 0, 0x80000, 4, 0, 8192),
];

/// The current value of tunable `i`: the sim state's own field where the
/// kernel variable is one (`fr_flags` is `SIOCSETFF`'s, `fr_active` the
/// active set, `ipstate_logging` `SIOCSETLG`'s), else what was set.
fn value(f: &FilterState, i: usize) -> u64 {
    let r = &TABLE[i];
    match r.0 {
        "fr_flags" => u64::from(f.log_flags),
        "fr_active" => u64::from(f.active & 1),
        "ipstate_logging" => u64::from(!f.state_log_off),
        name => f.tunables.get(name).copied().unwrap_or(r.5),
    }
}

fn store(f: &mut FilterState, i: usize, v: u64) {
    match TABLE[i].0 {
        "fr_flags" => f.log_flags = v as u32,
        "fr_active" => f.active = v as u32,
        "ipstate_logging" => f.state_log_off = v == 0,
        name => {
            if v == TABLE[i].5 {
                f.tunables.remove(name);
            } else {
                f.tunables.insert(name.to_string(), v);
            }
        }
    }
}

/// The value a tunable has (by name; its initial value if unknown).
pub fn get(f: &FilterState, name: &str) -> u64 {
    TABLE
        .iter()
        .position(|r| r.0 == name)
        .map_or(0, |i| value(f, i))
}

fn tunable(f: &FilterState, i: usize) -> Tunable {
    let r = &TABLE[i];
    Tunable {
        name: r.0.to_string(),
        min: r.1,
        max: r.2,
        sz: r.3,
        flags: r.4,
        value: value(f, i),
    }
}

/// The cookie of row `i` (its address in the kernel; never 0, the NULL
/// cookie). One past the last row is the dynamic list's head, which is
/// empty: looking it up ends the walk.
fn cookie(i: usize) -> u64 {
    i as u64 + 1
}

/// The name as the kernel reads it: `ipft_name[79]` is forced to NUL.
fn kernel_name(name: &str) -> &[u8] {
    let b = name.as_bytes();
    let b = &b[..b.len().min(79)];
    b.iter().position(|&c| c == 0).map_or(b, |n| &b[..n])
}

fn by_name(name: &str) -> Option<usize> {
    let n = kernel_name(name);
    if n.is_empty() {
        return None;
    }
    TABLE.iter().position(|r| r.0.as_bytes() == n)
}

/// `SIOCIPFGETNEXT`.
pub fn next(f: &FilterState, c: u64) -> Option<(Tunable, u64)> {
    let i = if c == 0 {
        0
    } else {
        usize::try_from(c - 1).ok().filter(|&i| i < TABLE.len())?
    };
    Some((tunable(f, i), cookie(i + 1)))
}

/// `SIOCIPFGET` (by name).
pub fn lookup(f: &FilterState, name: &str) -> FilterResult<(Tunable, u64)> {
    let i = by_name(name).ok_or(Errno::ESRCH)?;
    Ok((tunable(f, i), cookie(i)))
}

/// `SIOCIPFLP`'s `fr_setipfloopback()`: `ipf_loopback`, whatever the
/// filter's state.
pub fn set_loopback(f: &mut FilterState, on: bool) {
    if let Some(i) = by_name("ipf_loopback") {
        store(f, i, u64::from(on));
    }
}

/// `SIOCIPFSET` (by name): `EBUSY` for a write-when-disabled tunable
/// while IP Filter runs, `EINVAL` outside `[min, max]`; the value is
/// stored in the variable's size. `IPFT_RDONLY` is not checked by the
/// kernel: its limits alone guard those.
pub fn set(f: &mut FilterState, name: &str, v: u64) -> FilterResult<()> {
    let i = by_name(name).ok_or(Errno::ESRCH)?;
    let r = &TABLE[i];
    if r.4 & IPFT_WRDISABLED != 0 && !f.disabled {
        return Err(Errno::EBUSY.into());
    }
    if v < r.1 || v > r.2 {
        return Err(Errno::EINVAL.into());
    }
    let v = match r.3 {
        4 => v & 0xffff_ffff,
        _ => v,
    };
    store(f, i, v);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_walk_and_limits() {
        let mut f = FilterState::default();
        let mut c = 0;
        let mut names = Vec::new();
        while let Some((t, n)) = next(&f, c) {
            names.push(t.name);
            c = n;
        }
        assert_eq!(names.len(), TABLE.len());
        assert_eq!(names[0], "fr_flags");
        assert_eq!(maxbucket(STATESIZE), 26);
        assert_eq!(maxbucket(NATTABLE_SZ), 22);
        assert_eq!(set(&mut f, "fr_tcptimeout", 5), Err(Errno::EBUSY.into()));
        assert_eq!(set(&mut f, "fr_chksrc", 2), Err(Errno::EINVAL.into()));
        assert_eq!(set(&mut f, "nosuch", 2), Err(Errno::ESRCH.into()));
        set(&mut f, "fr_chksrc", 1).unwrap();
        assert_eq!(get(&f, "fr_chksrc"), 1);
        set(&mut f, "fr_state_lock", 1).unwrap();
        f.disabled = true;
        set(&mut f, "fr_tcptimeout", 5).unwrap();
        assert_eq!(lookup(&f, "fr_tcptimeout").unwrap().0.value, 5);
    }
}
