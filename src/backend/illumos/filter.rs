//! [`Filter`] on the real system: `/dev/ipf` and `/dev/ipstate`, through
//! the byte-image wrappers of `sys::illumos::ipf` and the conversions of
//! `filter_image` (rules as `frentry_t` images in the kernel's layout).

use super::filter_image::{self as img, ImageError};
use super::nat_decode;
use crate::backend::filter::{
    AuthStats, Filter, FilterError, FilterResult, FilterStats, FragStats, Groups, List, ListedRule,
    Set, StateEntry, StateStats, Tunable,
};
use crate::backend::nat::{Errno, VersionError};
use crate::ipf::rule::FilterRule;
use crate::sys::illumos::ipf::{self as sys, IpfFilter, IpfStateTable, VersionCheckError};
use crate::sys::ipf_abi::{
    F_ACIN, F_ACOUT, F_IN, F_OUT, IpfTune, SIOCIPFGET, SIOCIPFGETNEXT, SIOCIPFSET,
};
use crate::sys::ipf_decode as dec;

/// The filter of the calling zone's IP stack, opened by [`Filter::open`].
#[derive(Default)]
pub struct IllumosFilter {
    dev: Option<IpfFilter>,
    /// `SIOCIPFZONESET` given: applied to every `/dev/ipstate` opened too.
    zone: Option<(String, bool)>,
}

impl IllumosFilter {
    pub fn new() -> IllumosFilter {
        IllumosFilter::default()
    }

    /// The open device; `EBADF` before `open` (as an ioctl on a closed
    /// descriptor).
    fn dev(&self) -> FilterResult<&IpfFilter> {
        self.dev.as_ref().ok_or(FilterError::Errno(Errno(9)))
    }

    fn image(&self, rule: &FilterRule) -> FilterResult<Vec<u8>> {
        let layout = self.dev()?.layout();
        // `call` functions are looked up by the kernel's SIOCFUNCL, which
        // xbow does not issue: such a rule is refused by name.
        img::rule_image(rule, layout, &|_| None).map_err(image_error)
    }

    fn listed(&self, image: &[u8]) -> FilterResult<ListedRule> {
        let layout = self.dev()?.layout();
        let k = img::rule_from_image(image, layout, &|_| None).map_err(image_error)?;
        Ok(ListedRule {
            rule: k.rule,
            hits: k.hits,
            bytes: k.bytes,
        })
    }

    fn stats_of(&self, bytes: &[u8]) -> FilterResult<FilterStats> {
        let layout = self.dev()?.layout();
        Ok(img::filter_stats(&dec::ipf_stats(layout, bytes)))
    }
}

fn errno(e: i32) -> FilterError {
    FilterError::Errno(Errno(e))
}

fn image_error(e: ImageError) -> FilterError {
    FilterError::Backend(e.to_string())
}

/// An `ipftune_t` as `ipf_dotuning` sends it: `cookie`, and the name
/// `strncpy`'d into `ipft_name` (80 bytes, not terminated when longer).
fn tune_arg(cookie: u64, name: &str, value: u64) -> IpfTune {
    let mut tu = IpfTune {
        ipft_cookie: cookie as usize as *mut std::ffi::c_void,
        ipft_un: value,
        ipft_min: 0,
        ipft_max: 0,
        ipft_sz: 0,
        ipft_flags: 0,
        ipft_name: [0; 80],
    };
    for (d, s) in tu.ipft_name.iter_mut().zip(name.as_bytes()) {
        *d = *s as std::ffi::c_char;
    }
    tu
}

/// What the kernel answered in `tu` (`ipft_name[79]` forced to NUL, as
/// `ipf_dotuning` does).
fn tunable_of(tu: &IpfTune) -> Tunable {
    let name: Vec<u8> = tu.ipft_name[..79]
        .iter()
        .map(|&c| c as u8)
        .take_while(|&c| c != 0)
        .collect();
    let value = match tu.ipft_sz {
        4 => tu.ipft_un & 0xffff_ffff,
        2 => tu.ipft_un & 0xffff,
        1 => tu.ipft_un & 0xff,
        _ => tu.ipft_un,
    };
    Tunable {
        name: String::from_utf8_lossy(&name).into_owned(),
        min: tu.ipft_min,
        max: tu.ipft_max,
        sz: tu.ipft_sz,
        flags: tu.ipft_flags,
        value,
    }
}

impl IllumosFilter {
    /// `/dev/ipstate`, addressing the same stack as `/dev/ipf`.
    fn state_table(&self, write: bool) -> FilterResult<IpfStateTable> {
        let t = IpfStateTable::open(write).map_err(|e| FilterError::Errno(Errno::from_io(&e)))?;
        if let Some((zone, gz)) = &self.zone {
            t.device().set_zone(zone.as_bytes(), *gz).map_err(errno)?;
        }
        Ok(t)
    }
}

impl Filter for IllumosFilter {
    fn check_version(&mut self) -> Result<(), VersionError> {
        sys::check_version().map(|_| ()).map_err(|e| match e {
            VersionCheckError::Open(e) => VersionError::Open(Errno(e)),
            VersionCheckError::Stat(e) => nat_decode::version_error(e),
            VersionCheckError::Mismatch(v) => VersionError::Mismatch(v),
        })
    }

    fn open(&mut self, write: bool) -> FilterResult<()> {
        self.dev = None;
        let d = IpfFilter::open().map_err(|e| match e {
            VersionCheckError::Open(e) => errno(e),
            other => FilterError::Backend(format!("{other:?}")),
        })?;
        if write && !d.writable() {
            return Err(errno(Errno::EACCES.0));
        }
        self.dev = Some(d);
        self.zone = None;
        Ok(())
    }

    fn is_global_zone(&mut self, zone: &str) -> bool {
        crate::sys::illumos::ipnat::zone_id(zone) == Some(crate::sys::ipnat_abi::GLOBAL_ZONEID)
    }

    fn set_zone(&mut self, zone: &str, gz: bool) -> FilterResult<()> {
        self.dev()?
            .device()
            .set_zone(zone.as_bytes(), gz)
            .map_err(errno)?;
        self.zone = Some((zone.to_string(), gz));
        Ok(())
    }

    fn add_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<()> {
        let image = self.image(rule)?;
        let dev = self.dev()?;
        let inactive = set == Set::Inactive;
        if rule.insert_at.is_some() {
            dev.insert_rule(&image, inactive).map_err(errno)
        } else {
            dev.add_rule(&image, inactive).map_err(errno)
        }
    }

    fn remove_rule(&mut self, rule: &FilterRule, set: Set) -> FilterResult<()> {
        let image = self.image(rule)?;
        self.dev()?
            .remove_rule(&image, set == Set::Inactive)
            .map_err(errno)
    }

    fn zero_rule(&mut self, rule: &FilterRule, _set: Set) -> FilterResult<ListedRule> {
        let image = self.image(rule)?;
        let before = self.dev()?.zero_rule(&image).map_err(errno)?;
        self.listed(&before)
    }

    fn flush(&mut self, flags: u32, v6: bool) -> FilterResult<i32> {
        self.dev()?.flush(flags, v6).map_err(errno)
    }

    fn flush_states(&mut self, which: i32, _v6: bool) -> FilterResult<i32> {
        self.state_table(true)?.flush(which).map_err(errno)
    }

    fn swap(&mut self) -> FilterResult<u32> {
        self.dev()?.swap_active().map(|s| s as u32).map_err(errno)
    }

    fn enable(&mut self, on: bool) -> FilterResult<()> {
        self.dev()?.enable(on).map_err(errno)
    }

    fn rules(
        &mut self,
        set: Set,
        list: List,
        v6: bool,
        group: Option<&str>,
    ) -> FilterResult<Vec<ListedRule>> {
        let inout = match list {
            List::In => F_IN,
            List::Out => F_OUT,
            List::AcctIn => F_ACIN,
            List::AcctOut => F_ACOUT,
        };
        let set = if set == Set::Inactive { 1 } else { 0 };
        let images = self
            .dev()?
            .rules(inout, set, v6, group.unwrap_or("").as_bytes())
            .map_err(errno)?;
        images.iter().map(|i| self.listed(i)).collect()
    }

    fn stats(&mut self) -> FilterResult<FilterStats> {
        let b = self.dev()?.stats().map_err(errno)?;
        self.stats_of(&b)
    }

    fn zero_stats(&mut self) -> FilterResult<FilterStats> {
        let b = self.dev()?.zero_stats().map_err(errno)?;
        self.stats_of(&b)
    }

    fn log_flags(&mut self) -> FilterResult<u32> {
        self.dev()?.get_flags().map_err(errno)
    }

    fn set_log_flags(&mut self, flags: u32) -> FilterResult<()> {
        self.dev()?.set_flags(flags).map_err(errno)
    }

    fn set_loopback(&mut self, on: bool) -> FilterResult<()> {
        self.dev()?.set_loopback(on).map_err(errno)
    }

    fn state_stats(&mut self) -> FilterResult<StateStats> {
        let t = self.state_table(false)?;
        let b = t.stats().map_err(errno)?;
        let logging = t.get_logging().map_err(errno)? != 0;
        Ok(img::state_stats(&dec::ips_stat(&b), logging))
    }

    fn states(&mut self) -> FilterResult<Vec<StateEntry>> {
        let t = self.state_table(false)?;
        let images = t.states().map_err(errno)?;
        Ok(images
            .iter()
            .map(|b| img::state_entry(&dec::ipstate(b)))
            .collect())
    }

    fn tune_next(&mut self, cookie: u64) -> FilterResult<Option<(Tunable, u64)>> {
        let mut tu = tune_arg(cookie, "", 0);
        self.dev()?.tune(SIOCIPFGETNEXT, &mut tu).map_err(errno)?;
        let next = tu.ipft_cookie as usize as u64;
        Ok((next != 0).then(|| (tunable_of(&tu), next)))
    }

    fn tune_get(&mut self, name: &str) -> FilterResult<(Tunable, u64)> {
        let mut tu = tune_arg(0, name, 0);
        self.dev()?.tune(SIOCIPFGET, &mut tu).map_err(errno)?;
        Ok((tunable_of(&tu), tu.ipft_cookie as usize as u64))
    }

    fn tune_set(&mut self, name: &str, value: u64) -> FilterResult<()> {
        let mut tu = tune_arg(0, name, value);
        self.dev()?.tune(SIOCIPFSET, &mut tu).map_err(errno)
    }

    fn frag_stats(&mut self) -> FilterResult<FragStats> {
        let st = self.dev()?.frag_stats().map_err(errno)?;
        Ok(FragStats {
            exists: st.ifs_exists,
            nomem: st.ifs_nomem,
            new: st.ifs_new,
            hits: st.ifs_hits,
            expire: st.ifs_expire,
            inuse: st.ifs_inuse,
            retrans0: st.ifs_retrans0,
            short: st.ifs_short,
        })
    }

    fn auth_stats(&mut self) -> FilterResult<AuthStats> {
        // `fas_faelist` points into kernel memory, which xbow does not
        // read: the pre-authenticated rules are not listed.
        let st = sys::auth_stats().map_err(errno)?;
        Ok(AuthStats {
            hits: st.fas_hits,
            miss: st.fas_miss,
            nospace: st.fas_nospace,
            added: st.fas_added,
            sendfail: st.fas_sendfail,
            sendok: st.fas_sendok,
            queok: st.fas_queok,
            quefail: st.fas_quefail,
            expire: st.fas_expire,
            rules: Vec::new(),
        })
    }

    fn groups(&mut self) -> FilterResult<Groups> {
        // ipfstat walks `f_groups` in kernel memory; xbow reads no kernel
        // memory, so the groups are those the rule lists name as heads
        // (SIOCIPFITER), in list order [unverified against ipfstat -g].
        let mut g = Groups::default();
        for (i, set) in [Set::Active, Set::Inactive].into_iter().enumerate() {
            for list in [List::In, List::Out, List::AcctIn, List::AcctOut] {
                for v6 in [false, true] {
                    let mut todo: Vec<Option<String>> = vec![None];
                    while let Some(group) = todo.pop() {
                        let rules = self.rules(set, list, v6, group.as_deref())?;
                        for r in rules {
                            let h = r.rule.grhead.to_string();
                            let names = if list.is_acct() {
                                &mut g.accounting[i]
                            } else {
                                &mut g.filter[i]
                            };
                            if !h.is_empty() && !names.contains(&h) {
                                names.push(h.clone());
                                if !list.is_acct() {
                                    todo.push(Some(h));
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(g)
    }

    fn get_logging(&mut self, nat: bool) -> FilterResult<i32> {
        if nat {
            sys::nat_get_logging().map_err(errno)
        } else {
            self.state_table(false)?.get_logging().map_err(errno)
        }
    }

    fn set_logging(&mut self, nat: bool, value: i32) -> FilterResult<()> {
        if nat {
            sys::nat_set_logging(value).map_err(errno)
        } else {
            self.state_table(true)?.set_logging(value).map_err(errno)
        }
    }
}
