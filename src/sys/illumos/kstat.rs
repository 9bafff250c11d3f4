//! Named kstats of a link (`link:0:NAME:STAT`), read the way dladm reads
//! them: open, look up, read, copy the value, close.

use super::symbols::{Libkstat, LoadError, libkstat};
use crate::sys::illumos_types::{KSTAT_DATA_UINT32, KSTAT_DATA_UINT64, KstatCtl, KstatNamed};
use std::ffi::CString;

/// Why a kstat could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KstatError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("kstat_open failed")]
    Open,
    #[error("no kstat link:0:{link}")]
    NotFound { link: String },
    #[error("kstat_read of link:0:{link} failed")]
    Read { link: String },
    #[error("kstat link:0:{link} has no statistic {stat}")]
    NoStat { link: String, stat: String },
    #[error("kstat link:0:{link}:{stat} has data type {data_type}, not an unsigned integer")]
    Type {
        link: String,
        stat: String,
        data_type: u8,
    },
}

/// An open kstat control handle, closed on drop.
struct Ctl {
    lib: &'static Libkstat,
    kc: *mut KstatCtl,
}

impl Drop for Ctl {
    fn drop(&mut self) {
        // SAFETY: `kc` came from kstat_open and is closed exactly once.
        unsafe { (self.lib.close)(self.kc) };
    }
}

/// The unsigned value of `link:0:<link>:<stat>` (a `KSTAT_DATA_UINT32` or
/// `KSTAT_DATA_UINT64` named statistic).
pub fn link_stat(link: &str, stat: &str) -> Result<u64, KstatError> {
    link_stats(link, &[stat])?
        .pop()
        .flatten()
        .ok_or_else(|| KstatError::NoStat {
            link: link.to_string(),
            stat: stat.to_string(),
        })
}

/// The unsigned values of several statistics of `link:0:<link>`, read in
/// one snapshot; `None` for a statistic the kstat does not have.
pub fn link_stats(link: &str, stats: &[&str]) -> Result<Vec<Option<u64>>, KstatError> {
    let lib = libkstat()?;
    let not_found = || KstatError::NotFound {
        link: link.to_string(),
    };
    let module = CString::new("link").map_err(|_| not_found())?;
    let name = CString::new(link).map_err(|_| not_found())?;
    // SAFETY: kstat_open takes no arguments; NULL is checked below.
    let kc = unsafe { (lib.open)() };
    if kc.is_null() {
        return Err(KstatError::Open);
    }
    let ctl = Ctl { lib, kc };
    // SAFETY: `kc` is open; the module and name are NUL-terminated and
    // only read (the prototype lacks `const` for historical reasons).
    let ksp = unsafe {
        (lib.lookup)(
            ctl.kc,
            module.as_ptr().cast_mut(),
            0,
            name.as_ptr().cast_mut(),
        )
    };
    if ksp.is_null() {
        return Err(not_found());
    }
    // SAFETY: `ksp` belongs to the open chain of `kc`; a NULL buffer makes
    // kstat_read fill the kstat's own data area.
    if unsafe { (lib.read)(ctl.kc, ksp, std::ptr::null_mut()) } == -1 {
        return Err(KstatError::Read {
            link: link.to_string(),
        });
    }
    let mut values = Vec::with_capacity(stats.len());
    for stat in stats {
        let Ok(cstat) = CString::new(*stat) else {
            values.push(None);
            continue;
        };
        // SAFETY: `ksp` was just read; the name is NUL-terminated and only
        // read.
        let knp = unsafe { (lib.data_lookup)(ksp, cstat.as_ptr().cast_mut()) }.cast::<KstatNamed>();
        if knp.is_null() {
            values.push(None);
            continue;
        }
        // SAFETY: a named kstat's data is an array of kstat_named_t and
        // `knp` points at one of them; it stays valid until `ctl` is
        // closed, which happens only after every value has been copied.
        let (data_type, value) = unsafe { ((*knp).data_type, (*knp).value) };
        values.push(Some(match data_type {
            // SAFETY: the data type says which union member is valid.
            KSTAT_DATA_UINT32 => u64::from(unsafe { value.ui32 }),
            // SAFETY: as above.
            KSTAT_DATA_UINT64 => unsafe { value.ui64 },
            t => {
                return Err(KstatError::Type {
                    link: link.to_string(),
                    stat: stat.to_string(),
                    data_type: t,
                });
            }
        }));
    }
    drop(ctl);
    Ok(values)
}
