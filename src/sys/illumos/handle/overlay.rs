//! libdloverlay calls on an open handle: create, delete, the property
//! walk, the status and the target cache.

use super::super::cstr::{c_buf_to_string, c_ptr_to_string};
use super::super::symbols::Liboverlay;
use super::{Dladm, Errlist, Walk, c_string, check};
use crate::sys::illumos_types::*;
use std::ffi::{c_char, c_int, c_uint, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;

/// The most ranges a property's possible values can hold: the kernel's
/// 256-byte `oipi_poss` buffer of 8-byte ranges.
const MAX_RANGES: usize = DLADM_OVERLAY_PROP_SIZEMAX / 8;

/// One overlay property as `dladm_overlay_prop_info` and
/// `dladm_overlay_get_prop` describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverlayPropRecord {
    pub name: String,
    /// `OVERLAY_PROP_T_*`.
    pub ty: c_uint,
    /// `OVERLAY_PROP_PERM_*`.
    pub prot: c_uint,
    pub default: Vec<u8>,
    /// The value's bytes (empty: unset); `None` when it could not be
    /// read (dladm leaves such a property out).
    pub value: Option<Vec<u8>>,
    /// `MAC_PROPVAL_UINT32` ranges, `(min, max)`.
    pub ranges: Vec<(u32, u32)>,
    /// The possible values are of another type (strings), which xbow does
    /// not read.
    pub other_possible: bool,
}

/// A target-cache entry (`dladm_overlay_point_t` and its key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverlayPointRecord {
    pub key: [u8; 6],
    pub dest: c_uint,
    pub flags: u16,
    pub ip: [u8; 16],
    pub port: u16,
}

/// Why an overlay call failed: a status with the errlist's messages, or
/// the library has no (known) overlay interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OverlayError {
    Status(DladmStatus, Vec<String>),
    Unsupported(String),
}

impl From<DladmStatus> for OverlayError {
    fn from(s: DladmStatus) -> OverlayError {
        OverlayError::Status(s, Vec::new())
    }
}

type OResult<T> = Result<T, OverlayError>;

/// What the property walk's callback fills.
struct PropWalk {
    fns: &'static Liboverlay,
    h: *mut DladmHandle,
    id: DatalinkId,
    walk: Walk<OverlayPropRecord>,
}

/// Read the property behind `ph`.
///
/// # Safety
/// `ph` must be the handle libdladm passed to the walk callback, valid
/// for the duration of the call, and `h` the walk's live handle.
unsafe fn read_prop(
    fns: &Liboverlay,
    h: *mut DladmHandle,
    id: DatalinkId,
    ph: *mut DladmOverlayPropinfo,
) -> Result<OverlayPropRecord, DladmStatus> {
    let mut name: *const c_char = ptr::null();
    let (mut ty, mut prot, mut defsize): (c_uint, c_uint, u32) = (0, 0, 0);
    let mut def: *const c_void = ptr::null();
    let mut range: *const MacPropvalRange = ptr::null();
    // SAFETY: `ph` is live (caller); every out-pointer is a local.
    check(unsafe {
        (fns.prop_info)(
            ph,
            &mut name,
            &mut ty,
            &mut prot,
            &mut def,
            &mut defsize,
            &mut range,
        )
    })?;
    // SAFETY: libdladm points `name` at the property's NUL-terminated name.
    let name = unsafe { c_ptr_to_string(name) };
    let defsize = (defsize as usize).min(DLADM_OVERLAY_PROP_SIZEMAX);
    let default = if def.is_null() || defsize == 0 {
        Vec::new()
    } else {
        // SAFETY: `def` points at `defsize` bytes of the default (at most
        // OVERLAY_PROP_SIZEMAX, the buffer it lives in).
        unsafe { std::slice::from_raw_parts(def.cast::<u8>(), defsize) }.to_vec()
    };
    let (mut ranges, mut other_possible) = (Vec::new(), false);
    if !range.is_null() {
        // SAFETY: `range` points at the property's mac_propval_range_t,
        // whose header (count and type) is always there.
        let head = unsafe { ptr::read_unaligned(range) };
        if head.mpr_type == MAC_PROPVAL_UINT32 {
            let n = (head.mpr_count as usize).min(MAX_RANGES);
            // SAFETY: the ranges follow the header inside the kernel's
            // 256-byte possible-values buffer; `n` is bounded by its size.
            let first =
                unsafe { ptr::addr_of!((*range).mpr_uint32).cast::<MacPropvalUint32Range>() };
            for i in 0..n {
                // SAFETY: as above, `i` < MAX_RANGES.
                let r = unsafe { ptr::read_unaligned(first.add(i)) };
                ranges.push((r.mpur_min, r.mpur_max));
            }
        } else {
            other_possible = head.mpr_count > 0;
        }
    }
    let mut buf = [0u8; DLADM_OVERLAY_PROP_SIZEMAX];
    let mut size: usize = buf.len();
    // SAFETY: `buf` holds DLADM_OVERLAY_PROP_SIZEMAX bytes, as `size` says.
    let st = unsafe { (fns.get_prop)(h, id, ph, buf.as_mut_ptr().cast(), &mut size) };
    let value = (st == DLADM_STATUS_OK).then(|| buf[..size.min(buf.len())].to_vec());
    Ok(OverlayPropRecord {
        name,
        ty,
        prot,
        default,
        value,
        ranges,
        other_possible,
    })
}

unsafe extern "C" fn collect_overlay_prop(
    _h: *mut DladmHandle,
    _id: DatalinkId,
    ph: *mut DladmOverlayPropinfo,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: `arg` is the `&mut PropWalk` `overlay_props` passed; it
    // outlives the walk and nothing else touches it meanwhile.
    let w = unsafe { &mut *arg.cast::<PropWalk>() };
    // SAFETY: `ph` is the live handle of this call; `w.h` the walk's.
    let r = catch_unwind(AssertUnwindSafe(|| unsafe {
        read_prop(w.fns, w.h, w.id, ph)
    }));
    match r {
        Ok(Ok(p)) => {
            w.walk.items.push(p);
            DLADM_WALK_CONTINUE
        }
        // dladm warns and goes on; xbow leaves the property out.
        Ok(Err(_)) => DLADM_WALK_CONTINUE,
        Err(_) => {
            w.walk.panicked = true;
            DLADM_WALK_TERMINATE
        }
    }
}

unsafe extern "C" fn collect_point(
    _h: *mut DladmHandle,
    _id: DatalinkId,
    key: *const [u8; 6],
    point: *const DladmOverlayPoint,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: `arg` is the `&mut Walk<OverlayPointRecord>` that
    // `overlay_targets` passed.
    let walk = unsafe { &mut *arg.cast::<Walk<OverlayPointRecord>>() };
    // SAFETY: libdladm passes a live key and point for the call.
    let (k, p) = unsafe { (*key, *point) };
    let mut ip = [0u8; 16];
    for (i, w) in p.dop_ip.iter().enumerate() {
        ip[i * 4..i * 4 + 4].copy_from_slice(&w.to_ne_bytes());
    }
    let rec = OverlayPointRecord {
        key: k,
        dest: p.dop_dest,
        flags: p.dop_flags,
        ip,
        port: p.dop_port,
    };
    match catch_unwind(AssertUnwindSafe(|| walk.items.push(rec))) {
        Ok(()) => DLADM_WALK_CONTINUE,
        Err(_) => {
            walk.panicked = true;
            DLADM_WALK_TERMINATE
        }
    }
}

unsafe extern "C" fn collect_status(
    _h: *mut DladmHandle,
    _id: DatalinkId,
    st: *mut DladmOverlayStatus,
    arg: *mut c_void,
) {
    // SAFETY: `arg` is the `&mut Option<(bool, String)>` that
    // `overlay_status` passed; `st` is live for the call.
    let (out, st) = unsafe { (&mut *arg.cast::<Option<(bool, String)>>(), &*st) };
    if let Ok(v) = catch_unwind(AssertUnwindSafe(|| {
        (st.dos_degraded != B_FALSE, c_buf_to_string(&st.dos_fmamsg))
    })) {
        *out = Some(v);
    }
}

impl Dladm {
    fn overlay_fns(&self) -> OResult<&'static Liboverlay> {
        self.lib
            .overlay
            .as_ref()
            .map_err(|e| OverlayError::Unsupported(e.clone()))
    }

    /// `dladm_overlay_create` (the properties in `dladm_parse_link_props`
    /// syntax).
    pub fn overlay_create(
        &self,
        name: &str,
        encap: &str,
        search: &str,
        vnetid: u64,
        props: &str,
        flags: u32,
    ) -> OResult<()> {
        let fns = self.overlay_fns()?;
        let (name, encap, search) = (c_string(name)?, c_string(encap)?, c_string(search)?);
        let list = self.parse_props(props)?;
        let mut errs = Errlist::new(self.lib);
        // SAFETY: the 2020 prototype; NUL-terminated strings, a property
        // list that is NULL or libdladm's own, an initialised errlist.
        let st = unsafe {
            (fns.create)(
                self.h(),
                name.as_ptr(),
                encap.as_ptr(),
                search.as_ptr(),
                vnetid,
                list.list,
                &mut errs.list,
                flags,
            )
        };
        check(st).map_err(|s| OverlayError::Status(s, errs.messages()))
    }

    /// `dladm_overlay_delete`.
    pub fn overlay_delete(&self, id: DatalinkId, flags: u32) -> OResult<()> {
        let fns = self.overlay_fns()?;
        // SAFETY: a live handle and plain values.
        Ok(check(unsafe { (fns.delete)(self.h(), id, flags) })?)
    }

    /// `dladm_overlay_walk_prop`, each property's info and value.
    pub fn overlay_props(&self, id: DatalinkId) -> OResult<Vec<OverlayPropRecord>> {
        let fns = self.overlay_fns()?;
        let mut w = PropWalk {
            fns,
            h: self.h(),
            id,
            walk: Walk {
                items: Vec::new(),
                panicked: false,
            },
        };
        let mut errs = Errlist::new(self.lib);
        // SAFETY: the callback casts its argument back to the PropWalk
        // passed here, which outlives the call; the errlist is initialised.
        let st = unsafe {
            (fns.walk_prop)(
                self.h(),
                id,
                collect_overlay_prop,
                (&mut w as *mut PropWalk).cast(),
                &mut errs.list,
            )
        };
        check(st).map_err(|s| OverlayError::Status(s, errs.messages()))?;
        if w.walk.panicked {
            return Err(DLADM_STATUS_FAILED.into());
        }
        Ok(w.walk.items)
    }

    /// `dladm_overlay_status`: degraded, and the message.
    pub fn overlay_status(&self, id: DatalinkId) -> OResult<(bool, String)> {
        let fns = self.overlay_fns()?;
        let mut out: Option<(bool, String)> = None;
        // SAFETY: the callback writes into `out`, which outlives the call.
        let st = unsafe {
            (fns.status)(
                self.h(),
                id,
                collect_status,
                (&mut out as *mut Option<(bool, String)>).cast(),
            )
        };
        check(st)?;
        out.ok_or(OverlayError::Status(DLADM_STATUS_FAILED, Vec::new()))
    }

    /// `dladm_overlay_walk_cache`.
    pub fn overlay_targets(&self, id: DatalinkId) -> OResult<Vec<OverlayPointRecord>> {
        let fns = self.overlay_fns()?;
        let mut walk: Walk<OverlayPointRecord> = Walk {
            items: Vec::new(),
            panicked: false,
        };
        // SAFETY: the callback casts its argument back to `walk`, which
        // outlives the call.
        let st = unsafe {
            (fns.walk_cache)(
                self.h(),
                id,
                collect_point,
                (&mut walk as *mut Walk<OverlayPointRecord>).cast(),
            )
        };
        check(st)?;
        if walk.panicked {
            return Err(DLADM_STATUS_FAILED.into());
        }
        Ok(walk.items)
    }

    /// `dladm_overlay_cache_flush`.
    pub fn overlay_cache_flush(&self, id: DatalinkId) -> OResult<()> {
        let fns = self.overlay_fns()?;
        // SAFETY: a live handle and a plain id.
        Ok(check(unsafe { (fns.cache_flush)(self.h(), id) })?)
    }

    /// `dladm_overlay_cache_delete`.
    pub fn overlay_cache_delete(&self, id: DatalinkId, mac: [u8; 6]) -> OResult<()> {
        let fns = self.overlay_fns()?;
        // SAFETY: `mac` is a live struct ether_addr (6 bytes, align 1).
        Ok(check(unsafe { (fns.cache_delete)(self.h(), id, &mac) })?)
    }

    /// `dladm_overlay_cache_set` with the destination text as typed.
    pub fn overlay_cache_set(&self, id: DatalinkId, mac: [u8; 6], value: &str) -> OResult<()> {
        let fns = self.overlay_fns()?;
        // libdladm writes into the value (it splits it at ':').
        let mut buf = c_string(value)?.into_bytes_with_nul();
        // SAFETY: `mac` is a live ether_addr; `buf` a writable
        // NUL-terminated string that outlives the call.
        Ok(check(unsafe {
            (fns.cache_set)(self.h(), id, &mac, buf.as_mut_ptr().cast())
        })?)
    }
}
