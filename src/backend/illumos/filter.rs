//! [`Filter`] on the real system: `/dev/ipf` and `/dev/ipstate`, through
//! the byte-image wrappers of `sys::illumos::ipf` and the conversions of
//! `filter_image` (rules as `frentry_t` images in the kernel's layout).

use super::filter_image::{self as img, ImageError};
use super::nat_decode;
use crate::backend::filter::{
    Filter, FilterError, FilterResult, FilterStats, List, ListedRule, Set, StateEntry, StateStats,
};
use crate::backend::nat::{Errno, VersionError};
use crate::ipf::rule::FilterRule;
use crate::sys::illumos::ipf::{self as sys, IpfFilter, IpfStateTable, VersionCheckError};
use crate::sys::ipf_abi::{F_ACIN, F_ACOUT, F_IN, F_OUT};
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
}
