//! `/dev/ipf` and `/dev/ipstate`: the ioctls `ipf` and `ipfstat` make,
//! on byte images of the kernel's structures (the rule model's conversion
//! to and from `frentry_t` lives above this layer; `sys::ipf_decode` reads
//! the images). Every call answers with the kernel's errno; what it means
//! is the caller's business.
//!
//! The device itself is `ipnat`'s [`IpfDevice`] (open, `ipfobj_t`
//! ioctls, `SIOCGENITER`, tokens, zones), so nothing of it is repeated
//! here; this module adds what only the filter needs, and the version
//! check both tools share.

// Nothing calls this yet on illumos: the ipf/ipfstat personalities and
// their illumos backend (issue 13) are written separately and will. Until
// then the tests are its only users.
#![allow(
    dead_code,
    reason = "the ipf/ipfstat backend (issue 13) is not wired yet"
)]

use super::ipnat::{Errno, IPL_NAME, IPNAT_NAME, ITER_BUF, IpfDevice, KBuf};
use crate::sys::ipf_abi::*;
use crate::sys::ipf_decode::{self, Friostat, FriostatError, LayoutMemory};
use std::ffi::{c_char, c_int, c_void};
use std::mem::size_of;

/// `IPSTATE_NAME`, `IPAUTH_NAME` (`ip_fil.h`).
pub const IPSTATE_NAME: &str = "/dev/ipstate";
pub const IPAUTH_NAME: &str = "/dev/ipauth";

/// The kernel generation (`friostat_t` and `frentry_t` layout) this
/// process has found, shared by every caller (`ipnat`'s version check
/// included) so that each asks in it first.
static GENERATION: LayoutMemory = LayoutMemory::new();

/// Room for what `SIOCIPFITER` copies (`ipf_getnextrule`): the rule
/// (`frentry_t`, at most 608 bytes in the generations known) and, when
/// `fr_data` is set, its `fr_dsize` data bytes (for an `FR_T_IPF` rule
/// exactly `sizeof (fripf_t)`, 152: `frrequest` refuses any other size).
/// `ipfstat` trusts a `u_long[1000]` (8000 bytes); this is twice that.
pub const RULE_BUF: usize = 16 * 1024;

/// Room for `SIOCFRZST`'s `friostat_t`, which the kernel copies in its own
/// size without being told one (824 or 808 bytes in the generations
/// known).
const ZERO_BUF: usize = 4096;

const _: () = assert!(RULE_BUF >= 2 * (FRENTRY_T_MAX_SIZE + FRIPF_T_SIZE));
const _: () = assert!(ZERO_BUF >= 2 * FRIOSTAT_T_MAX);
const _: () = assert!(ITER_BUF >= 2 * IPSTATE_T_SIZE);
const FRIOSTAT_T_MAX: usize = crate::sys::ipnat_abi::FRIOSTAT_T_MAX_SIZE;
const _: () = assert!(FriostatLayout::Current.frentry().fr_data.is_multiple_of(8));
const _: () = assert!(FriostatLayout::Pre2019.frentry().fr_data.is_multiple_of(8));

/// Why the version check (`checkrev()`) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionCheckError {
    /// `open("/dev/ipf", O_RDONLY)`.
    Open(Errno),
    /// `SIOCGETFS` (an errno, or every known size refused).
    Stat(FriostatError),
    /// The kernel runs another IP Filter version (this one).
    Mismatch(String),
}

/// `checkrev()` of `ipf`, `ipfstat` and `ipnat`: `SIOCGETFS` on its own
/// read-only descriptor of `/dev/ipf`, in whichever `friostat_t` layout
/// the kernel has (remembered for the process), and `f_version` compared
/// with `IPL_VERSION`. Returns what was read.
pub fn check_version() -> Result<Friostat, VersionCheckError> {
    let dev = IpfDevice::open(IPL_NAME, false)
        .map_err(|e| VersionCheckError::Open(e.raw_os_error().unwrap_or(libc::EIO)))?;
    let fs = ipf_decode::get_friostat(&GENERATION, |layout| {
        dev.get_fs(layout).map(|b| b.0[..layout.size()].to_vec())
    })
    .map_err(VersionCheckError::Stat)?;
    ipf_decode::check_version(&fs).map_err(VersionCheckError::Mismatch)?;
    Ok(fs)
}

/// `bytes` in 8-byte aligned storage (zero-padded to whole words), for a
/// structure whose size is known only at run time. amd64 is little
/// endian, so a word's `to_le_bytes` are its bytes in memory.
fn words_of(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks(8)
        .map(|c| {
            let mut w = [0u8; 8];
            w[..c.len()].copy_from_slice(c);
            u64::from_le_bytes(w)
        })
        .collect()
}

/// The first `len` bytes of `words`.
fn bytes_of(words: &[u64], len: usize) -> Vec<u8> {
    let mut v: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    v.truncate(len);
    v
}

/// The packet filter of the stack this descriptor addresses (after
/// [`IpfDevice::set_zone`], the chosen zone's).
pub struct IpfFilter {
    dev: IpfDevice,
    writable: bool,
    layout: FriostatLayout,
}

impl IpfFilter {
    /// `opendevice()` of `ipf`: `/dev/ipf` read-write, else read-only (a
    /// read-only descriptor makes every change fail with `EPERM`); then
    /// `SIOCGETFS` finds the kernel generation, which fixes the size of
    /// `frentry_t` for the rule ioctls. An unknown generation is refused
    /// (`FriostatError::UnknownLayout`), never guessed. The version check
    /// is [`check_version`], made first and on its own descriptor, as
    /// `opendevice` makes it; this never fails with `Mismatch`.
    pub fn open() -> Result<IpfFilter, VersionCheckError> {
        let (dev, writable) = match IpfDevice::open(IPL_NAME, true) {
            Ok(d) => (d, true),
            Err(_) => (
                IpfDevice::open(IPL_NAME, false)
                    .map_err(|e| VersionCheckError::Open(e.raw_os_error().unwrap_or(libc::EIO)))?,
                false,
            ),
        };
        let (layout, _) = ipf_decode::get_friostat_bytes(&GENERATION, |layout| {
            dev.get_fs(layout).map(|b| b.0[..layout.size()].to_vec())
        })
        .map_err(VersionCheckError::Stat)?;
        Ok(IpfFilter {
            dev,
            writable,
            layout,
        })
    }

    /// The descriptor (for `set_zone`, `delete_token`, …).
    pub fn device(&self) -> &IpfDevice {
        &self.dev
    }

    /// Whether the device was opened read-write.
    pub fn writable(&self) -> bool {
        self.writable
    }

    /// The kernel generation: its `friostat_t` and (`layout().frentry()`)
    /// `frentry_t`.
    pub fn layout(&self) -> FriostatLayout {
        self.layout
    }

    /// `SIOCGETFS`: the `friostat_t` image (`layout().size()` bytes), for
    /// `ipf_decode::ipf_stats`.
    pub fn stats(&self) -> Result<Vec<u8>, Errno> {
        let b = self.dev.get_fs(self.layout)?;
        Ok(b.0[..self.layout.size()].to_vec())
    }

    /// `SIOCGETFF`: the global flags (`FF_*`).
    pub fn get_flags(&self) -> Result<u32, Errno> {
        self.dev.int_ioctl(SIOCGETFF, 0).map(|v| v as u32)
    }

    /// `SIOCSETFF`: set the global flags.
    pub fn set_flags(&self, flags: u32) -> Result<(), Errno> {
        self.dev.int_ioctl(SIOCSETFF, flags as c_int).map(|_| ())
    }

    /// `SIOCIPFLP`: filter loopback traffic too (`set intercept_loopback`).
    pub fn set_loopback(&self, on: bool) -> Result<(), Errno> {
        self.dev.int_ioctl(SIOCIPFLP, c_int::from(on)).map(|_| ())
    }

    /// `SIOCIPFFL` (`SIOCIPFL6` when `v6`): flush the rules `flags`
    /// selects (`FR_INQUE`, `FR_OUTQUE`, `FR_INACTIVE`, …; ipf's `-F`);
    /// the number removed.
    pub fn flush(&self, flags: u32, v6: bool) -> Result<c_int, Errno> {
        let req = if v6 { SIOCIPFL6 } else { SIOCIPFFL };
        self.dev.int_ioctl(req, flags as c_int)
    }

    /// `SIOCIPFFB`: empty the log buffer; the number of bytes dropped.
    pub fn flush_log(&self) -> Result<c_int, Errno> {
        self.dev.int_ioctl(SIOCIPFFB, 0)
    }

    /// `SIOCFRENB`: enable (`true`) or disable IP Filter.
    pub fn enable(&self, on: bool) -> Result<(), Errno> {
        self.dev.int_ioctl(SIOCFRENB, c_int::from(on)).map(|_| ())
    }

    /// `SIOCSWAPA`: swap the active and inactive sets; the number of the
    /// set that was active (now inactive: `Set %d now inactive`).
    pub fn swap_active(&self) -> Result<c_int, Errno> {
        self.dev.int_ioctl(SIOCSWAPA, 2)
    }

    /// `SIOCFRZST`: zero the statistics; the `friostat_t` image from
    /// before (`layout().size()` bytes).
    pub fn zero_stats(&self) -> Result<Vec<u8>, Errno> {
        let mut buf = KBuf::<ZERO_BUF>::zeroed();
        let mut fiop: *mut c_void = buf.0.as_mut_ptr().cast();
        // SAFETY: SIOCFRZST takes a pointer to a user pointer (`fiop`, a
        // live local) to a `friostat_t`; the kernel copies its own
        // `sizeof (friostat_t)` there (808 or 824 bytes in the generations
        // known, and this descriptor's generation is one of them), and
        // `buf` has ZERO_BUF >= 1648 live, writable bytes.
        unsafe { self.dev.ioctl(SIOCFRZST, &mut fiop)? };
        Ok(buf.0[..self.layout.size()].to_vec())
    }

    /// Add (`SIOCADAFR`, `SIOCADIFR` for the inactive set) the rule in
    /// `image`: a `frentry_t` of this generation followed by its
    /// `fr_dsize` data bytes. `fr_data` is pointed at those bytes here.
    pub fn add_rule(&self, image: &[u8], inactive: bool) -> Result<(), Errno> {
        let req = if inactive { SIOCADIFR } else { SIOCADAFR };
        self.rule_ioctl(req, image).map(|_| ())
    }

    /// Insert (`SIOCINAFR`, `SIOCINIFR`) the rule in `image` at position
    /// `fr_hits` of its collection (`ipf`'s `@N` rules).
    pub fn insert_rule(&self, image: &[u8], inactive: bool) -> Result<(), Errno> {
        let req = if inactive { SIOCINIFR } else { SIOCINAFR };
        self.rule_ioctl(req, image).map(|_| ())
    }

    /// Remove (`SIOCRMAFR`, `SIOCRMIFR`) the rule equal to `image`.
    pub fn remove_rule(&self, image: &[u8], inactive: bool) -> Result<(), Errno> {
        let req = if inactive { SIOCRMIFR } else { SIOCRMAFR };
        self.rule_ioctl(req, image).map(|_| ())
    }

    /// `SIOCZRLST`: zero the counters of the rule equal to `image`; the
    /// kernel's rule and data from before (`fr_hits`, `fr_bytes`, …),
    /// with `fr_data` holding this process's (since freed) buffer address.
    pub fn zero_rule(&self, image: &[u8]) -> Result<Vec<u8>, Errno> {
        self.rule_ioctl(SIOCZRLST, image)
    }

    /// One rule ioctl: `image` (a `frentry_t` of this generation and its
    /// `fr_dsize` data bytes) in an aligned buffer, `fr_data` pointed at
    /// the data in it (NULL without data), sent as an `IPFOBJ_FRENTRY`
    /// object of exactly the kernel's `frentry_t` size. `EINVAL` without a
    /// call if the image is shorter than that or `fr_dsize` is negative or
    /// longer than the image.
    fn rule_ioctl(&self, req: c_int, image: &[u8]) -> Result<Vec<u8>, Errno> {
        let o = self.layout.frentry();
        let dsize = ipf_decode::rule_data(&o, image).ok_or(libc::EINVAL)?.len();
        let total = o.size + dsize;
        let mut buf = words_of(&image[..total]);
        // The data's address: `o.size` bytes into `buf` (which is not
        // moved again). `fr_data`, a pointer, is one whole word.
        let data: u64 = if dsize > 0 {
            buf.as_ptr() as u64 + o.size as u64
        } else {
            0
        };
        buf[o.fr_data / 8] = data;
        let mut obj = IpfObj::new(IPFOBJ_FRENTRY, o.size, buf.as_mut_ptr().cast::<c_void>());
        // SAFETY: the rule requests take an `ipfobj_t` whose pointer is
        // `buf`: `o.size` bytes of `frentry_t` (`ipfo_size`, what the
        // kernel copies in, and for SIOCZRLST back out), then `fr_dsize`
        // data bytes, which the kernel reads (and SIOCZRLST writes) through
        // `fr_data`, set just above to the address of exactly those bytes
        // of `buf`; `buf` lives, unmoved, until the call returns.
        unsafe { self.dev.ioctl(req, &mut obj)? };
        Ok(bytes_of(&buf, total))
    }

    /// Every rule of one list, as `ipfstat`'s `printlivelist` reads it:
    /// `SIOCIPFITER` over `inout` (`F_IN`, `F_OUT`, `F_ACIN`, `F_ACOUT`)
    /// of set `set` (0 or 1), IPv6 rules when `v6`, the group `group`
    /// (empty: the list head), one rule per call. Each item is the
    /// `frentry_t` and its data (`ipf_decode::frentry`,
    /// `ipf_decode::rule_data`). The iterator token is dropped afterwards.
    pub fn rules(
        &self,
        inout: c_int,
        set: c_int,
        v6: bool,
        group: &[u8],
    ) -> Result<Vec<Vec<u8>>, Errno> {
        let o = self.layout.frentry();
        let mut iri_group = [0 as c_char; FR_GROUPLEN];
        for (d, s) in iri_group.iter_mut().zip(group) {
            *d = *s as c_char;
        }
        let mut buf = KBuf::<RULE_BUF>::zeroed();
        let rules = ipf_decode::walk_rules(&o, || {
            buf.0.fill(0);
            let mut it = IpfRuleIter {
                iri_ver: if v6 { IPF_AF_INET6 } else { IPF_AF_INET },
                iri_inout: inout,
                iri_group,
                iri_active: set,
                iri_nrules: 1,
                iri_rule: buf.0.as_mut_ptr().cast::<c_void>(),
            };
            let mut obj = IpfObj::new(
                IPFOBJ_IPFITER,
                size_of::<IpfRuleIter>(),
                (&raw mut it).cast::<c_void>(),
            );
            // SAFETY: SIOCIPFITER takes an `ipfobj_t` pointing to an
            // `ipfruleiter_t` (`it`, live for the call, exactly
            // `ipfo_size` bytes); with `iri_nrules` 1 the kernel copies one
            // `frentry_t` of this generation and its `fr_dsize` data bytes
            // to `iri_rule`, which points to RULE_BUF live, writable bytes
            // (more than both together, see RULE_BUF).
            unsafe { self.dev.ioctl(SIOCIPFITER, &mut obj) }?;
            Ok(buf.0.to_vec())
        });
        // ESRCH here only means the kernel already freed the token.
        let _ = self.dev.delete_token(IPFGENITER_IPF);
        rules
    }
}

impl IpfFilter {
    /// `SIOCIPFGETNEXT`, `SIOCIPFGET` or `SIOCIPFSET` (`req`) with `tu`
    /// (`ipf_dotuning`): the kernel reads and rewrites it.
    pub fn tune(&self, req: c_int, tu: &mut IpfTune) -> Result<(), Errno> {
        let mut obj = IpfObj::new(
            IPFOBJ_TUNEABLE,
            size_of::<IpfTune>(),
            (tu as *mut IpfTune).cast::<c_void>(),
        );
        // SAFETY: the tunable requests take an `ipfobj_t` pointing to an
        // `ipftune_t` (`tu`, live and writable for the call, exactly
        // `ipfo_size` bytes); `ipft_cookie` is either NULL or a value the
        // kernel handed out, which it only compares.
        unsafe { self.dev.ioctl(req, &mut obj) }
    }

    /// `SIOCGFRST`: the fragment cache statistics.
    pub fn frag_stats(&self) -> Result<IpfrStat, Errno> {
        // SAFETY: all-zero bytes are a valid `IpfrStat` (integers and
        // NULL pointers).
        let mut st: IpfrStat = unsafe { std::mem::zeroed() };
        let mut obj = IpfObj::new(
            IPFOBJ_FRAGSTAT,
            size_of::<IpfrStat>(),
            (&raw mut st).cast::<c_void>(),
        );
        // SAFETY: SIOCGFRST takes an `ipfobj_t` pointing to an
        // `ipfrstat_t` (`st`, live for the call, exactly `ipfo_size`
        // bytes), which the kernel fills.
        unsafe { self.dev.ioctl(SIOCGFRST, &mut obj)? };
        Ok(st)
    }
}

/// `SIOCATHST` on a read-only `/dev/ipauth` (`ipfstat -A`).
pub fn auth_stats() -> Result<FrAuthStat, Errno> {
    let dev =
        IpfDevice::open(IPAUTH_NAME, false).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    // SAFETY: all-zero bytes are a valid `FrAuthStat`.
    let mut st: FrAuthStat = unsafe { std::mem::zeroed() };
    let mut obj = IpfObj::new(
        IPFOBJ_AUTHSTAT,
        size_of::<FrAuthStat>(),
        (&raw mut st).cast::<c_void>(),
    );
    // SAFETY: SIOCATHST takes an `ipfobj_t` pointing to an
    // `fr_authstat_t` (`st`, live for the call, exactly `ipfo_size`
    // bytes), which the kernel fills.
    unsafe { dev.ioctl(SIOCATHST, &mut obj)? };
    Ok(st)
}

/// `SIOCGETLG` on `/dev/ipnat`.
pub fn nat_get_logging() -> Result<c_int, Errno> {
    let dev =
        IpfDevice::open(IPNAT_NAME, false).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    dev.int_ioctl(SIOCGETLG, 0)
}

/// `SIOCSETLG` on a read-write `/dev/ipnat`.
pub fn nat_set_logging(value: c_int) -> Result<(), Errno> {
    let dev =
        IpfDevice::open(IPNAT_NAME, true).map_err(|e| e.raw_os_error().unwrap_or(libc::EIO))?;
    dev.int_ioctl(SIOCSETLG, value).map(|_| ())
}

/// The state table (`/dev/ipstate`).
pub struct IpfStateTable {
    dev: IpfDevice,
}

impl IpfStateTable {
    /// `open("/dev/ipstate", write ? O_RDWR : O_RDONLY)` (`ipfstat`
    /// opens it read-only; `ipf -FS` read-write).
    pub fn open(write: bool) -> std::io::Result<IpfStateTable> {
        Ok(IpfStateTable {
            dev: IpfDevice::open(IPSTATE_NAME, write)?,
        })
    }

    /// The descriptor (for `set_zone`).
    pub fn device(&self) -> &IpfDevice {
        &self.dev
    }

    /// `SIOCGETFS` (`IPFOBJ_STATESTAT`): the `ips_stat_t` image, for
    /// `ipf_decode::ips_stat`.
    pub fn stats(&self) -> Result<Vec<u8>, Errno> {
        let mut buf = KBuf::<IPS_STAT_T_SIZE>::zeroed();
        self.dev
            .obj_ioctl_sized(SIOCGETFS, IPFOBJ_STATESTAT, &mut buf, IPS_STAT_T_SIZE)?;
        Ok(buf.0.to_vec())
    }

    /// `SIOCGETLG`: whether state logging is on.
    pub fn get_logging(&self) -> Result<c_int, Errno> {
        self.dev.int_ioctl(SIOCGETLG, 0)
    }

    /// `SIOCSETLG`: set state logging (the kernel stores the int as
    /// given; `ipf -l state` sends `1 - ` the current value).
    pub fn set_logging(&self, value: c_int) -> Result<(), Errno> {
        self.dev.int_ioctl(SIOCSETLG, value).map(|_| ())
    }

    /// `SIOCIPFFL`: flush states (`which` 1–3: `FLUSH_TABLE_ALL`,
    /// `FLUSH_TABLE_CLOSING`, `FLUSH_TABLE_EXTRA`); the number removed.
    pub fn flush(&self, which: c_int) -> Result<c_int, Errno> {
        self.dev.flush(which)
    }

    /// Every state, one `SIOCGENITER` (`IPFGENITER_STATE`) at a time:
    /// `ipstate_t` images for `ipf_decode::ipstate`. The token is dropped
    /// afterwards.
    pub fn states(&self) -> Result<Vec<Vec<u8>>, Errno> {
        let mut buf = KBuf::<ITER_BUF>::zeroed();
        let items = ipf_decode::walk(IPSTATE_T_SIZE, off::IS_NEXT, || {
            self.dev
                .gen_iter(IPFGENITER_STATE, &mut buf)
                .map(|()| buf.0[..IPSTATE_T_SIZE].to_vec())
        });
        // ESRCH here only means the kernel already freed the token.
        let _ = self.dev.delete_token(IPFGENITER_STATE);
        items
    }
}
