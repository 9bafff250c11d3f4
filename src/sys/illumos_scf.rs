//! libscf's simple, Committed API (`smf_enable_instance(3SCF)`), loaded at
//! run time like the rest of the illumos libraries.

use libloading::{Library, Symbol};
use std::ffi::{CStr, CString, c_char, c_int};

type EnableFn = unsafe extern "C" fn(*const c_char, c_int) -> c_int;
type RefreshFn = unsafe extern "C" fn(*const c_char) -> c_int;
type GetStateFn = unsafe extern "C" fn(*const c_char) -> *mut c_char;
type ErrorFn = unsafe extern "C" fn() -> u32;
type StrerrorFn = unsafe extern "C" fn(u32) -> *const c_char;

/// `libscf.so.1`.
pub struct Scf {
    lib: Library,
}

impl Scf {
    pub fn open() -> Result<Scf, String> {
        // SAFETY: libscf's initialisers have no preconditions; the library
        // stays loaded as long as `Scf` lives and every symbol we take
        // from it is used only while `self.lib` is alive.
        let lib =
            unsafe { Library::new("libscf.so.1") }.map_err(|e| format!("libscf.so.1: {e}"))?;
        Ok(Scf { lib })
    }

    fn sym<T>(&self, name: &[u8]) -> Result<Symbol<'_, T>, String> {
        // SAFETY: each call site names the type of the function as declared
        // in <libscf.h>.
        unsafe { self.lib.get::<T>(name) }.map_err(|e| format!("libscf: {e}"))
    }

    /// `scf_strerror(scf_error())`.
    fn last_error(&self) -> String {
        let (Ok(err), Ok(text)) = (
            self.sym::<ErrorFn>(b"scf_error\0"),
            self.sym::<StrerrorFn>(b"scf_strerror\0"),
        ) else {
            return "unknown libscf error".into();
        };
        // SAFETY: scf_error reads thread-local state; scf_strerror returns
        // a pointer to a static NUL-terminated string (never NULL).
        unsafe {
            let p = text(err());
            if p.is_null() {
                return "unknown libscf error".into();
            }
            CStr::from_ptr(p).to_string_lossy().into_owned()
        }
    }

    fn fmri(fmri: &str) -> Result<CString, String> {
        CString::new(fmri).map_err(|_| format!("{fmri:?}: FMRI contains a NUL byte"))
    }

    fn check(&self, what: &str, fmri: &str, rc: c_int) -> Result<(), String> {
        if rc == 0 {
            Ok(())
        } else {
            Err(format!("{what} {fmri}: {}", self.last_error()))
        }
    }

    /// `smf_enable_instance(fmri, 0)`: persistently enabled.
    pub fn enable(&self, fmri: &str) -> Result<(), String> {
        let c = Self::fmri(fmri)?;
        let f = self.sym::<EnableFn>(b"smf_enable_instance\0")?;
        // SAFETY: `c` is a valid NUL-terminated string for the call.
        let rc = unsafe { f(c.as_ptr(), 0) };
        self.check("svcadm enable", fmri, rc)
    }

    /// `smf_disable_instance(fmri, 0)`.
    pub fn disable(&self, fmri: &str) -> Result<(), String> {
        let c = Self::fmri(fmri)?;
        let f = self.sym::<EnableFn>(b"smf_disable_instance\0")?;
        // SAFETY: as for enable.
        let rc = unsafe { f(c.as_ptr(), 0) };
        self.check("svcadm disable", fmri, rc)
    }

    /// `smf_refresh_instance(fmri)`.
    pub fn refresh(&self, fmri: &str) -> Result<(), String> {
        let c = Self::fmri(fmri)?;
        let f = self.sym::<RefreshFn>(b"smf_refresh_instance\0")?;
        // SAFETY: `c` is a valid NUL-terminated string for the call.
        let rc = unsafe { f(c.as_ptr()) };
        self.check("svcadm refresh", fmri, rc)
    }

    /// `smf_get_state(fmri)`: the state's name (`online`, …).
    pub fn state(&self, fmri: &str) -> Result<String, String> {
        let c = Self::fmri(fmri)?;
        let f = self.sym::<GetStateFn>(b"smf_get_state\0")?;
        // SAFETY: `c` is valid for the call; a non-NULL result is a
        // malloc'ed NUL-terminated string that we copy and then free(3)
        // exactly once, as smf_get_state(3SCF) requires.
        unsafe {
            let p = f(c.as_ptr());
            if p.is_null() {
                return Err(format!("svcs {fmri}: {}", self.last_error()));
            }
            let s = CStr::from_ptr(p).to_string_lossy().into_owned();
            libc::free(p.cast());
            Ok(s)
        }
    }
}
