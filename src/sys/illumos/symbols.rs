//! libdladm.so.1 and libkstat.so.1, loaded once per process with
//! `dlopen` and never unloaded, so that the function pointers copied out
//! of them stay valid for the life of the process.

use crate::sys::dladm_abi::{self, AbiError, Exports, Generation};
use crate::sys::illumos_types::{
    BooleanT, DatalinkId, DatalinkMedia, DladmArgList, DladmAttr, DladmErrlist, DladmHandle,
    DladmHwgrpAttr, DladmMacaddrAttr, DladmPhysAttr, DladmStatus, DladmVlanAttr, DladmVnicAttr,
    Kstat, KstatCtl, VridT,
};
use libloading::Library;
use std::ffi::{c_char, c_int, c_uint, c_void};
use std::sync::OnceLock;

/// Why a library could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("cannot load {lib}: {reason}")]
    Open { lib: &'static str, reason: String },
    #[error("{lib} has no symbol {symbol}: {reason}")]
    Symbol {
        lib: &'static str,
        symbol: &'static str,
        reason: String,
    },
    #[error(transparent)]
    Abi(#[from] AbiError),
}

pub const LIBDLADM: &str = "libdladm.so.1";
pub const LIBKSTAT: &str = "libkstat.so.1";

/// `int (*)(dladm_handle_t, datalink_id_t, void *)`.
pub type WalkIdCb = unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut c_void) -> c_int;
/// `int (*)(dladm_handle_t, datalink_id_t, const char *, void *)`.
pub type WalkPropCb =
    unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *const c_char, *mut c_void) -> c_int;

/// `boolean_t (*)(void *, dladm_macaddr_attr_t *)`.
pub type WalkMacaddrCb = unsafe extern "C" fn(*mut c_void, *mut DladmMacaddrAttr) -> BooleanT;
/// `boolean_t (*)(void *, dladm_hwgrp_attr_t *)`.
pub type WalkHwgrpCb = unsafe extern "C" fn(*mut c_void, *mut DladmHwgrpAttr) -> BooleanT;

/// The 14-argument `dladm_vnic_create`.
pub type VnicCreate14 = unsafe extern "C" fn(
    *mut DladmHandle,
    *const c_char,
    DatalinkId,
    c_int,
    *mut u8,
    c_uint,
    *mut c_int,
    c_uint,
    u16,
    VridT,
    c_int,
    *mut DatalinkId,
    *mut DladmArgList,
    u32,
) -> DladmStatus;

/// The 15-argument `dladm_vnic_create` (errlist before the flags).
pub type VnicCreate15 = unsafe extern "C" fn(
    *mut DladmHandle,
    *const c_char,
    DatalinkId,
    c_int,
    *mut u8,
    c_uint,
    *mut c_int,
    c_uint,
    u16,
    VridT,
    c_int,
    *mut DatalinkId,
    *mut DladmArgList,
    *mut DladmErrlist,
    u32,
) -> DladmStatus;

/// The 2026 `dladm_vnic_create(handle, name, attr, proplist, errlist, flags)`.
pub type VnicCreate6 = unsafe extern "C" fn(
    *mut DladmHandle,
    *const c_char,
    *mut DladmVnicAttr,
    *mut DladmArgList,
    *mut DladmErrlist,
    u32,
) -> DladmStatus;

/// `dladm_vnic_create`, typed by the generation the host has.
#[derive(Clone, Copy)]
pub enum VnicCreate {
    Args14(VnicCreate14),
    Args15(VnicCreate15),
    Attr6(VnicCreate6),
}

/// `dladm_errlist_init` / `dladm_errlist_reset`.
pub type ErrlistFn = unsafe extern "C" fn(*mut DladmErrlist);

/// The libdladm functions xbow calls.
pub struct Libdladm {
    _lib: Library,
    pub open: unsafe extern "C" fn(*mut *mut DladmHandle) -> DladmStatus,
    pub close: unsafe extern "C" fn(*mut DladmHandle),
    pub status2str: unsafe extern "C" fn(DladmStatus, *mut c_char) -> *const c_char,
    pub name2info: unsafe extern "C" fn(
        *mut DladmHandle,
        *const c_char,
        *mut DatalinkId,
        *mut u32,
        *mut u32,
        *mut u32,
    ) -> DladmStatus,
    pub datalink_id2info: unsafe extern "C" fn(
        *mut DladmHandle,
        DatalinkId,
        *mut u32,
        *mut u32,
        *mut u32,
        *mut c_char,
        usize,
    ) -> DladmStatus,
    pub walk_datalink_id: unsafe extern "C" fn(
        WalkIdCb,
        *mut DladmHandle,
        *mut c_void,
        u32,
        DatalinkMedia,
        u32,
    ) -> DladmStatus,
    pub info: unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut DladmAttr) -> DladmStatus,
    pub phys_info:
        unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut DladmPhysAttr, u32) -> DladmStatus,
    pub media2str: unsafe extern "C" fn(u32, *mut c_char) -> *const c_char,
    pub vnic_delete: unsafe extern "C" fn(*mut DladmHandle, DatalinkId, u32) -> DladmStatus,
    pub walk_macaddr:
        unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut c_void, WalkMacaddrCb) -> c_int,
    pub walk_hwgrp:
        unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut c_void, WalkHwgrpCb) -> c_int,
    pub rename_link:
        unsafe extern "C" fn(*mut DladmHandle, *const c_char, *const c_char) -> DladmStatus,
    pub vnic_info:
        unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut DladmVnicAttr, u32) -> DladmStatus,
    pub vlan_delete: unsafe extern "C" fn(*mut DladmHandle, DatalinkId, u32) -> DladmStatus,
    pub vlan_info:
        unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut DladmVlanAttr, u32) -> DladmStatus,
    pub parse_link_props:
        unsafe extern "C" fn(*mut c_char, *mut *mut DladmArgList, BooleanT) -> DladmStatus,
    pub free_props: unsafe extern "C" fn(*mut DladmArgList),
    pub set_linkprop: unsafe extern "C" fn(
        *mut DladmHandle,
        DatalinkId,
        *const c_char,
        *mut *mut c_char,
        c_uint,
        c_uint,
    ) -> DladmStatus,
    pub get_linkprop: unsafe extern "C" fn(
        *mut DladmHandle,
        DatalinkId,
        c_uint,
        *const c_char,
        *mut *mut c_char,
        *mut c_uint,
    ) -> DladmStatus,
    pub walk_linkprop:
        unsafe extern "C" fn(*mut DladmHandle, DatalinkId, *mut c_void, WalkPropCb) -> DladmStatus,
    /// `dladm_errlist_init` and `dladm_errlist_reset`, where exported.
    pub errlist: Option<(ErrlistFn, ErrlistFn)>,
    /// `dladm_vnic_create` for the detected generation, or why there is none.
    pub vnic_create: Result<VnicCreate, AbiError>,
}

/// The libkstat functions xbow calls.
pub struct Libkstat {
    _lib: Library,
    pub open: unsafe extern "C" fn() -> *mut KstatCtl,
    pub close: unsafe extern "C" fn(*mut KstatCtl) -> c_int,
    pub lookup: unsafe extern "C" fn(*mut KstatCtl, *mut c_char, c_int, *mut c_char) -> *mut Kstat,
    pub read: unsafe extern "C" fn(*mut KstatCtl, *mut Kstat, *mut c_void) -> c_int,
    pub data_lookup: unsafe extern "C" fn(*mut Kstat, *mut c_char) -> *mut c_void,
}

fn open_lib(lib: &'static str) -> Result<Library, LoadError> {
    // SAFETY: the illumos system libraries have no initialisers with
    // preconditions on the caller; loading them runs only their own
    // `.init` sections, as linking them would.
    unsafe { Library::new(lib) }.map_err(|e| LoadError::Open {
        lib,
        reason: e.to_string(),
    })
}

/// A function pointer of type `T` for `symbol`.
///
/// # Safety
/// `T` must be the exact C function type `symbol` has in the library.
unsafe fn sym<T: Copy>(
    lib: &Library,
    name: &'static str,
    symbol: &'static str,
) -> Result<T, LoadError> {
    // SAFETY: the caller promises `T` is the symbol's C type; the copied
    // pointer stays valid because the library is never unloaded.
    unsafe { lib.get::<T>(symbol) }
        .map(|s| *s)
        .map_err(|e| LoadError::Symbol {
            lib: name,
            symbol,
            reason: e.to_string(),
        })
}

fn has(lib: &Library, symbol: &str) -> bool {
    // SAFETY: the symbol is only looked up, never called or dereferenced.
    unsafe { lib.get::<*const c_void>(symbol) }.is_ok()
}

/// Generation detection: the forcing variable, the symbols, the headers
/// and the release file, handed to the pure [`dladm_abi::detect`].
fn generation(lib: &Library) -> (Exports, Result<Generation, AbiError>) {
    let exports = Exports {
        dladm_open: has(lib, "dladm_open"),
        dladm_vnic_create: has(lib, "dladm_vnic_create"),
        dladm_errlist_init: has(lib, "dladm_errlist_init"),
        dladm_errlist_reset: has(lib, "dladm_errlist_reset"),
        dladm_vnic_modify: has(lib, "dladm_vnic_modify"),
        dladm_part_create: has(lib, "dladm_part_create"),
    };
    let forced = std::env::var(dladm_abi::FORCE_ENV)
        .ok()
        .filter(|v| !v.is_empty());
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let vnic_header = read(dladm_abi::VNIC_HEADER);
    let sys_vnic_header = read(dladm_abi::SYS_VNIC_HEADER);
    let release = read(dladm_abi::RELEASE_FILE);
    let generation = dladm_abi::detect(&dladm_abi::Observed {
        exports,
        forced: forced.as_deref(),
        vnic_header: vnic_header.as_deref(),
        sys_vnic_header: sys_vnic_header.as_deref(),
        release: release.as_deref(),
    });
    (exports, generation)
}

fn load_dladm() -> Result<Libdladm, LoadError> {
    let lib = open_lib(LIBDLADM)?;
    let (exports, generation) = generation(&lib);
    if let Err(e @ AbiError::PreHandle { .. }) = &generation {
        return Err(LoadError::Abi(e.clone()));
    }
    let l = &lib;
    let n = LIBDLADM;
    let errlist = if exports.dladm_errlist_init && exports.dladm_errlist_reset {
        // SAFETY: `void dladm_errlist_init(dladm_errlist_t *)` and
        // `void dladm_errlist_reset(dladm_errlist_t *)`.
        unsafe {
            Some((
                sym(l, n, "dladm_errlist_init")?,
                sym(l, n, "dladm_errlist_reset")?,
            ))
        }
    } else {
        None
    };
    // The generation was decided from the library's exports (or forced by
    // the administrator); each arm's type is that generation's prototype.
    let vnic_create = match generation {
        Ok(Generation::Args14) => {
            // SAFETY: libdladm has the 14-argument dladm_vnic_create.
            Ok(VnicCreate::Args14(unsafe {
                sym(l, n, "dladm_vnic_create")?
            }))
        }
        Ok(Generation::Args15) => {
            // SAFETY: libdladm has the 15-argument dladm_vnic_create.
            Ok(VnicCreate::Args15(unsafe {
                sym(l, n, "dladm_vnic_create")?
            }))
        }
        Ok(Generation::Attr6) => {
            // SAFETY: libdladm has the 6-argument dladm_vnic_create.
            Ok(VnicCreate::Attr6(unsafe {
                sym(l, n, "dladm_vnic_create")?
            }))
        }
        Err(e) => Err(e),
    };
    if matches!(
        vnic_create,
        Ok(VnicCreate::Args15(_) | VnicCreate::Attr6(_))
    ) && errlist.is_none()
    {
        // A forced generation with an errlist on a library without one.
        return Err(LoadError::Abi(AbiError::Unknown {
            found:
                "a dladm_errlist_t generation forced on a library without dladm_errlist_init/reset"
                    .into(),
        }));
    }
    // SAFETY: each type is the prototype of the named function in
    // libdladm.h / libdllink.h / libdlvnic.h / libdlvlan.h (reference
    // dladm.md §4.2–4.4, linkprop.md §7.4),
    // the same in every generation xbow accepts.
    unsafe {
        Ok(Libdladm {
            open: sym(l, n, "dladm_open")?,
            close: sym(l, n, "dladm_close")?,
            status2str: sym(l, n, "dladm_status2str")?,
            name2info: sym(l, n, "dladm_name2info")?,
            datalink_id2info: sym(l, n, "dladm_datalink_id2info")?,
            walk_datalink_id: sym(l, n, "dladm_walk_datalink_id")?,
            info: sym(l, n, "dladm_info")?,
            phys_info: sym(l, n, "dladm_phys_info")?,
            media2str: sym(l, n, "dladm_media2str")?,
            vnic_delete: sym(l, n, "dladm_vnic_delete")?,
            rename_link: sym(l, n, "dladm_rename_link")?,
            walk_macaddr: sym(l, n, "dladm_walk_macaddr")?,
            walk_hwgrp: sym(l, n, "dladm_walk_hwgrp")?,
            vnic_info: sym(l, n, "dladm_vnic_info")?,
            vlan_delete: sym(l, n, "dladm_vlan_delete")?,
            vlan_info: sym(l, n, "dladm_vlan_info")?,
            parse_link_props: sym(l, n, "dladm_parse_link_props")?,
            free_props: sym(l, n, "dladm_free_props")?,
            set_linkprop: sym(l, n, "dladm_set_linkprop")?,
            get_linkprop: sym(l, n, "dladm_get_linkprop")?,
            walk_linkprop: sym(l, n, "dladm_walk_linkprop")?,
            errlist,
            vnic_create,
            _lib: lib,
        })
    }
}

fn load_kstat() -> Result<Libkstat, LoadError> {
    let lib = open_lib(LIBKSTAT)?;
    let (l, n) = (&lib, LIBKSTAT);
    // SAFETY: the types are the prototypes of kstat.h: `kstat_ctl_t
    // *kstat_open(void)`, `int kstat_close(kstat_ctl_t *)`, `kstat_t
    // *kstat_lookup(kstat_ctl_t *, char *, int, char *)`, `kid_t
    // kstat_read(kstat_ctl_t *, kstat_t *, void *)` (kid_t is int), `void
    // *kstat_data_lookup(kstat_t *, char *)`.
    unsafe {
        Ok(Libkstat {
            open: sym(l, n, "kstat_open")?,
            close: sym(l, n, "kstat_close")?,
            lookup: sym(l, n, "kstat_lookup")?,
            read: sym(l, n, "kstat_read")?,
            data_lookup: sym(l, n, "kstat_data_lookup")?,
            _lib: lib,
        })
    }
}

/// libdladm, loaded on first use.
pub fn libdladm() -> Result<&'static Libdladm, LoadError> {
    static LIB: OnceLock<Result<Libdladm, LoadError>> = OnceLock::new();
    LIB.get_or_init(load_dladm).as_ref().map_err(Clone::clone)
}

/// libkstat, loaded on first use.
pub fn libkstat() -> Result<&'static Libkstat, LoadError> {
    static LIB: OnceLock<Result<Libkstat, LoadError>> = OnceLock::new();
    LIB.get_or_init(load_kstat).as_ref().map_err(Clone::clone)
}
