//! A libdladm handle (`dladm_open` … `dladm_close`) and safe calls on it.
//! Statuses come back raw (`dladm_status_t`); the backend decides what
//! they mean.

use super::cstr::{c_buf_to_string, c_ptr_to_string};
use super::symbols::{Libdladm, LoadError, VnicCreate, libdladm};
use crate::sys::dladm_abi::{AbiError, Generation};
use crate::sys::dladm_records::{
    CreateRequest, HwgrpRecord, LinkRecord, MacaddrRecord, VlanRecord, VnicRecord,
};
use crate::sys::illumos_types::*;
use std::ffi::{CString, c_char, c_int, c_uint, c_void};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::{self, NonNull};

/// Why a handle could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Load(#[from] LoadError),
    /// `dladm_open` failed with this status.
    #[error("dladm_open failed with status {0}")]
    Status(DladmStatus),
}

/// Why `dladm_vnic_create` was not called or failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateError {
    /// The host's generation is unknown: nothing was called.
    #[error(transparent)]
    Abi(#[from] AbiError),
    /// libdladm's status, with the messages of the errlist.
    #[error("dladm_vnic_create failed with status {status}")]
    Status {
        status: DladmStatus,
        errlist: Vec<String>,
    },
}

/// An open libdladm handle, closed on drop.
pub struct Dladm {
    lib: &'static Libdladm,
    handle: NonNull<DladmHandle>,
}

/// A property list from `dladm_parse_link_props`, freed on drop.
struct PropList {
    lib: &'static Libdladm,
    list: *mut DladmArgList,
}

impl Drop for PropList {
    fn drop(&mut self) {
        if !self.list.is_null() {
            // SAFETY: `list` came from dladm_parse_link_props and is freed
            // exactly once, here.
            unsafe { (self.lib.free_props)(self.list) }
        }
    }
}

/// An errlist, initialised and reset by libdladm.
struct Errlist {
    fns: Option<(super::symbols::ErrlistFn, super::symbols::ErrlistFn)>,
    list: DladmErrlist,
}

impl Errlist {
    fn new(lib: &'static Libdladm) -> Errlist {
        let mut e = Errlist {
            fns: lib.errlist,
            list: DladmErrlist {
                el_count: 0,
                el_alloc: 0,
                el_errs: ptr::null_mut(),
            },
        };
        if let Some((init, _)) = e.fns {
            // SAFETY: `list` is a live, properly aligned dladm_errlist_t.
            unsafe { init(&mut e.list) }
        }
        e
    }

    /// The messages libdladm appended.
    fn messages(&self) -> Vec<String> {
        if self.list.el_errs.is_null() {
            return Vec::new();
        }
        (0..self.list.el_count as usize)
            .map(|i| {
                // SAFETY: libdladm keeps `el_count` valid string pointers in
                // `el_errs`; `i` is below the count.
                let p = unsafe { *self.list.el_errs.add(i) };
                // SAFETY: each entry is a NUL-terminated string (or NULL,
                // which the helper maps to an empty string).
                unsafe { c_ptr_to_string(p) }
            })
            .collect()
    }
}

impl Drop for Errlist {
    fn drop(&mut self) {
        if let Some((_, reset)) = self.fns {
            // SAFETY: `list` was initialised by dladm_errlist_init; reset
            // frees its strings and leaves it empty.
            unsafe { reset(&mut self.list) }
        }
    }
}

/// The C string for a name, or `BADARG` for one with a NUL in it.
fn c_string(s: &str) -> Result<CString, DladmStatus> {
    CString::new(s).map_err(|_| DLADM_STATUS_BADARG)
}

fn check(status: DladmStatus) -> Result<(), DladmStatus> {
    if status == DLADM_STATUS_OK {
        Ok(())
    } else {
        Err(status)
    }
}

/// What a walker callback collects, and whether it panicked.
struct Walk<T> {
    items: Vec<T>,
    panicked: bool,
}

unsafe extern "C" fn collect_id(_h: *mut DladmHandle, id: DatalinkId, arg: *mut c_void) -> c_int {
    // SAFETY: `arg` is the `&mut Walk<DatalinkId>` that `walk_ids` passed;
    // it outlives the walk and nothing else touches it meanwhile.
    let walk = unsafe { &mut *arg.cast::<Walk<DatalinkId>>() };
    match catch_unwind(AssertUnwindSafe(|| walk.items.push(id))) {
        Ok(()) => DLADM_WALK_CONTINUE,
        Err(_) => {
            walk.panicked = true;
            DLADM_WALK_TERMINATE
        }
    }
}

unsafe extern "C" fn collect_prop(
    _h: *mut DladmHandle,
    _id: DatalinkId,
    name: *const c_char,
    arg: *mut c_void,
) -> c_int {
    // SAFETY: `arg` is the `&mut Walk<String>` that `walk_linkprop`
    // passed; it outlives the walk and nothing else touches it meanwhile.
    let walk = unsafe { &mut *arg.cast::<Walk<String>>() };
    // SAFETY: libdladm passes the property's NUL-terminated name.
    let r = catch_unwind(AssertUnwindSafe(|| unsafe { c_ptr_to_string(name) }));
    match r.and_then(|n| catch_unwind(AssertUnwindSafe(|| walk.items.push(n)))) {
        Ok(()) => DLADM_WALK_CONTINUE,
        Err(_) => {
            walk.panicked = true;
            DLADM_WALK_TERMINATE
        }
    }
}

/// The body of a `dladm_walk_macaddr`/`dladm_walk_hwgrp` callback: push
/// `make(attr)` onto the `Walk<T>` at `arg`; stop the walk if it panicked.
///
/// # Safety
/// `arg` must be the `&mut Walk<T>` the walk was started with and `attr`
/// the live attribute libdladm passes for the call.
unsafe fn collect_attr<A, T>(arg: *mut c_void, attr: *const A, make: fn(&A) -> T) -> BooleanT {
    // SAFETY: the caller's contract: `arg` is our `Walk<T>`, which
    // outlives the walk and nothing else touches meanwhile.
    let walk = unsafe { &mut *arg.cast::<Walk<T>>() };
    // SAFETY: the caller's contract: `attr` is filled and lives for the call.
    let a = unsafe { &*attr };
    let r = catch_unwind(AssertUnwindSafe(|| walk.items.push(make(a))));
    walk.panicked |= r.is_err();
    if r.is_ok() { B_TRUE } else { B_FALSE }
}

unsafe extern "C" fn collect_macaddr(arg: *mut c_void, attr: *mut DladmMacaddrAttr) -> BooleanT {
    // SAFETY: `mac_slots` started the walk with a `Walk<MacaddrRecord>`.
    unsafe {
        collect_attr(arg, attr, |a: &DladmMacaddrAttr| MacaddrRecord {
            slot: a.ma_slot,
            used: a.ma_flags & DLADM_MACADDR_USED != 0,
            addr: a.ma_addr[..(a.ma_addrlen as usize).min(a.ma_addr.len())].to_vec(),
            client: c_buf_to_string(&a.ma_client_name),
        })
    }
}

unsafe extern "C" fn collect_hwgrp(arg: *mut c_void, attr: *mut DladmHwgrpAttr) -> BooleanT {
    // SAFETY: `hw_groups` started the walk with a `Walk<HwgrpRecord>`.
    unsafe {
        collect_attr(arg, attr, |a: &DladmHwgrpAttr| HwgrpRecord {
            link: c_buf_to_string(&a.hg_link_name),
            rx: a.hg_grp_type == DLADM_HWGRP_TYPE_RX,
            rings: a.hg_rings[..(a.hg_n_rings as usize).min(a.hg_rings.len())].to_vec(),
            clients: c_buf_to_string(&a.hg_client_names),
        })
    }
}

/// Run a `dladm_walk_macaddr`-style walker over link `id`, collecting
/// with `cb`. The walkers return 0 or `ioctl`'s -1, which dladm.c hands on
/// as a status.
///
/// # Safety
/// `h` must be a live handle, `walker` libdladm's walker and `cb` a
/// callback that collects into a `Walk<T>`.
unsafe fn walk_attrs<A, T>(
    h: *mut DladmHandle,
    id: DatalinkId,
    walker: unsafe extern "C" fn(
        *mut DladmHandle,
        DatalinkId,
        *mut c_void,
        unsafe extern "C" fn(*mut c_void, *mut A) -> BooleanT,
    ) -> c_int,
    cb: unsafe extern "C" fn(*mut c_void, *mut A) -> BooleanT,
) -> Result<Vec<T>, DladmStatus> {
    let mut walk: Walk<T> = Walk {
        items: Vec::new(),
        panicked: false,
    };
    // SAFETY: the caller's contract; `cb` casts its argument back to the
    // `Walk<T>` passed here, which outlives the call.
    let ret = unsafe { walker(h, id, (&mut walk as *mut Walk<T>).cast(), cb) };
    if ret != 0 {
        return Err(ret as DladmStatus);
    }
    if walk.panicked {
        return Err(DLADM_STATUS_FAILED);
    }
    Ok(walk.items)
}

fn status2str(lib: &Libdladm, status: DladmStatus) -> String {
    let mut buf = [0 as c_char; DLADM_STRSIZE_MAX];
    // SAFETY: the buffer has DLADM_STRSIZE_MAX bytes, at least the host's
    // DLADM_STRSIZE (256, or 2048 on illumos-joyent) the function may
    // write; it returns `buf` or a static NUL-terminated string.
    let p = unsafe { (lib.status2str)(status, buf.as_mut_ptr()) };
    // SAFETY: `p` is NULL or a NUL-terminated string that lives at least as
    // long as `buf`.
    unsafe { c_ptr_to_string(p) }
}

/// `dladm_status2str` without a handle (for a failed `dladm_open`).
pub fn status_text(status: DladmStatus) -> Result<String, LoadError> {
    Ok(status2str(libdladm()?, status))
}

impl Dladm {
    /// Load libdladm and `dladm_open` a handle.
    pub fn open() -> Result<Dladm, OpenError> {
        let lib = libdladm()?;
        let mut h: *mut DladmHandle = ptr::null_mut();
        // SAFETY: dladm_open writes a handle through the pointer, which
        // points to a live local.
        let status = unsafe { (lib.open)(&mut h) };
        check(status).map_err(OpenError::Status)?;
        let handle = NonNull::new(h).ok_or(OpenError::Status(DLADM_STATUS_FAILED))?;
        Ok(Dladm { lib, handle })
    }

    fn h(&self) -> *mut DladmHandle {
        self.handle.as_ptr()
    }

    /// The `dladm_vnic_create` generation, or why it is not known.
    pub fn generation(&self) -> Result<Generation, AbiError> {
        match &self.lib.vnic_create {
            Ok(VnicCreate::Args14(_)) => Ok(Generation::Args14),
            Ok(VnicCreate::Args15(_)) => Ok(Generation::Args15),
            Ok(VnicCreate::Attr6(_)) => Ok(Generation::Attr6),
            Err(e) => Err(e.clone()),
        }
    }

    /// `dladm_status2str`.
    pub fn status_text(&self, status: DladmStatus) -> String {
        status2str(self.lib, status)
    }

    /// `dladm_name2info`.
    pub fn name2info(&self, name: &str) -> Result<LinkRecord, DladmStatus> {
        let cname = CString::new(name).map_err(|_| DLADM_STATUS_NOTFOUND)?;
        let (mut id, mut flags, mut class, mut media) = (0u32, 0u32, 0u32, 0u32);
        // SAFETY: the name is NUL-terminated and every out-pointer points
        // to a live local of the declared type.
        let status = unsafe {
            (self.lib.name2info)(
                self.h(),
                cname.as_ptr(),
                &mut id,
                &mut flags,
                &mut class,
                &mut media,
            )
        };
        check(status)?;
        Ok(LinkRecord {
            id,
            flags,
            class,
            media,
            name: name.to_string(),
        })
    }

    /// `dladm_datalink_id2info`.
    pub fn id2info(&self, id: DatalinkId) -> Result<LinkRecord, DladmStatus> {
        let (mut flags, mut class, mut media) = (0u32, 0u32, 0u32);
        let mut name = [0 as c_char; MAXLINKNAMELEN];
        // SAFETY: the out-pointers point to live locals; the name buffer
        // has the length passed with it.
        let status = unsafe {
            (self.lib.datalink_id2info)(
                self.h(),
                id,
                &mut flags,
                &mut class,
                &mut media,
                name.as_mut_ptr(),
                name.len(),
            )
        };
        check(status)?;
        Ok(LinkRecord {
            id,
            flags,
            class,
            media,
            name: c_buf_to_string(&name),
        })
    }

    /// `dladm_walk_datalink_id` over `classes` (a mask) in the
    /// configurations `flags` (`DLADM_OPT_*`): the link ids in walk order.
    pub fn walk_ids(&self, classes: u32, flags: u32) -> Result<Vec<DatalinkId>, DladmStatus> {
        let mut walk = Walk {
            items: Vec::new(),
            panicked: false,
        };
        // SAFETY: the callback matches the walker's prototype and casts
        // the argument back to the `Walk` passed here, which outlives the
        // call.
        let status = unsafe {
            (self.lib.walk_datalink_id)(
                collect_id,
                self.h(),
                (&mut walk as *mut Walk<DatalinkId>).cast(),
                classes,
                DATALINK_ANY_MEDIATYPE,
                flags,
            )
        };
        check(status)?;
        if walk.panicked {
            return Err(DLADM_STATUS_FAILED);
        }
        Ok(walk.items)
    }

    /// `dladm_info`: the maximum SDU (MTU).
    pub fn max_sdu(&self, id: DatalinkId) -> Result<u32, DladmStatus> {
        let mut attr = DladmAttr { da_max_sdu: 0 };
        // SAFETY: `attr` is a live dladm_attr_t.
        check(unsafe { (self.lib.info)(self.h(), id, &mut attr) })?;
        Ok(attr.da_max_sdu)
    }

    /// `dladm_phys_info`: the device name of a physical link.
    pub fn phys_device(&self, id: DatalinkId, flags: u32) -> Result<String, DladmStatus> {
        let mut attr = DladmPhysAttr {
            dp_dev: [0; MAXLINKNAMELEN],
            dp_novanity: B_FALSE,
        };
        // SAFETY: `attr` is a live dladm_phys_attr_t.
        check(unsafe { (self.lib.phys_info)(self.h(), id, &mut attr, flags) })?;
        Ok(c_buf_to_string(&attr.dp_dev))
    }

    /// `dladm_media2str`.
    pub fn media_text(&self, media: u32) -> String {
        let mut buf = [0 as c_char; DLADM_STRSIZE_MAX];
        // SAFETY: the buffer has DLADM_STRSIZE_MAX bytes, at least the
        // host's DLADM_STRSIZE; the result is `buf` or a static string.
        let p = unsafe { (self.lib.media2str)(media, buf.as_mut_ptr()) };
        // SAFETY: `p` is NULL or NUL-terminated and outlives this call.
        unsafe { c_ptr_to_string(p) }
    }

    /// `dladm_vnic_info` for exactly one configuration (`flags`).
    pub fn vnic_info(&self, id: DatalinkId, flags: u32) -> Result<VnicRecord, DladmStatus> {
        let mut attr = DladmVnicAttr::zeroed();
        // SAFETY: `attr` is a zeroed dladm_vnic_attr_t with room for every
        // known mac_resource_props_t (see DladmVnicAttr).
        check(unsafe { (self.lib.vnic_info)(self.h(), id, &mut *attr, flags) })?;
        Ok(VnicRecord {
            vnic_id: attr.va_vnic_id,
            link_id: attr.va_link_id,
            mac_addr_type: attr.va_mac_addr_type,
            mac_len: attr.va_mac_len,
            mac_addr: attr.va_mac_addr,
            mac_slot: attr.va_mac_slot,
            mac_prefix_len: attr.va_mac_prefix_len,
            vid: attr.va_vid,
            vrid: attr.va_vrid,
            af: attr.va_af,
        })
    }

    /// `dladm_walk_macaddr`.
    pub fn mac_slots(&self, id: DatalinkId) -> Result<Vec<MacaddrRecord>, DladmStatus> {
        // SAFETY: the live handle, libdladm's walker, its callback type.
        unsafe { walk_attrs(self.h(), id, self.lib.walk_macaddr, collect_macaddr) }
    }

    /// `dladm_walk_hwgrp`.
    pub fn hw_groups(&self, id: DatalinkId) -> Result<Vec<HwgrpRecord>, DladmStatus> {
        // SAFETY: the live handle, libdladm's walker, its callback type.
        unsafe { walk_attrs(self.h(), id, self.lib.walk_hwgrp, collect_hwgrp) }
    }

    /// `dladm_rename_link`.
    pub fn rename_link(&self, link1: &str, link2: &str) -> Result<(), DladmStatus> {
        let (l1, l2) = (c_string(link1)?, c_string(link2)?);
        // SAFETY: both names are NUL-terminated and outlive the call; the
        // handle is live.
        check(unsafe { (self.lib.rename_link)(self.h(), l1.as_ptr(), l2.as_ptr()) })
    }

    /// `dladm_vnic_delete`.
    pub fn vnic_delete(&self, id: DatalinkId, flags: u32) -> Result<(), DladmStatus> {
        // SAFETY: plain values and the live handle.
        check(unsafe { (self.lib.vnic_delete)(self.h(), id, flags) })
    }

    /// `dladm_vlan_info` for exactly one configuration (`flags`).
    pub fn vlan_info(&self, id: DatalinkId, flags: u32) -> Result<VlanRecord, DladmStatus> {
        let mut attr = DladmVlanAttr::default();
        // SAFETY: `attr` is a live, initialised dladm_vlan_attr_t (layout
        // asserted in illumos_types).
        check(unsafe { (self.lib.vlan_info)(self.h(), id, &mut attr, flags) })?;
        Ok(VlanRecord {
            vid: attr.dv_vid,
            link_id: attr.dv_linkid,
            force: attr.dv_force != B_FALSE,
        })
    }

    /// `dladm_vlan_delete`.
    pub fn vlan_delete(&self, id: DatalinkId, flags: u32) -> Result<(), DladmStatus> {
        // SAFETY: plain values and the live handle.
        check(unsafe { (self.lib.vlan_delete)(self.h(), id, flags) })
    }

    /// `dladm_parse_link_props(props, &list, B_FALSE)`; a NULL list for an empty text.
    fn parse_props(&self, props: &str) -> Result<PropList, DladmStatus> {
        let mut list = PropList {
            lib: self.lib,
            list: ptr::null_mut(),
        };
        if props.is_empty() {
            return Ok(list);
        }
        // The parser may write into the string it is given: hand it a copy.
        let mut buf = c_string(props)?.into_bytes_with_nul();
        // SAFETY: `buf` is a writable NUL-terminated string and `list.list`
        // a live out-pointer; a list it returns is freed by PropList.
        let status = unsafe {
            (self.lib.parse_link_props)(buf.as_mut_ptr().cast(), &mut list.list, B_FALSE)
        };
        check(status)?;
        Ok(list)
    }

    /// `dladm_vnic_create` in the host's generation.
    pub fn vnic_create(&self, req: &CreateRequest) -> Result<DatalinkId, CreateError> {
        let create = self.lib.vnic_create.clone()?;
        let fail = |status| CreateError::Status {
            status,
            errlist: Vec::new(),
        };
        let name = c_string(&req.name).map_err(fail)?;
        let props = self.parse_props(&req.props).map_err(fail)?;
        let mut errs = Errlist::new(self.lib);
        let mut mac = [0u8; MAXMACADDRLEN];
        let n = req.mac_addr.len().min(MAXMACADDRLEN);
        mac[..n].copy_from_slice(&req.mac_addr[..n]);
        let mac_ptr = if req.mac_addr.is_empty() {
            ptr::null_mut()
        } else {
            mac.as_mut_ptr()
        };
        let mut slot = req.mac_slot.unwrap_or(-1);
        let slot_ptr: *mut c_int = if req.mac_slot.is_some() {
            &mut slot
        } else {
            ptr::null_mut()
        };
        let mut id: DatalinkId = DATALINK_INVALID_LINKID;
        let status = match create {
            VnicCreate::Args14(f) => {
                // SAFETY: the 14-argument prototype; the name is
                // NUL-terminated, `mac_ptr` is NULL or a MAXMACADDRLEN
                // buffer, `slot_ptr` is NULL or points to the live `slot`,
                // `id` is a live out-parameter and the property list is
                // NULL or libdladm's own.
                unsafe {
                    f(
                        self.h(),
                        name.as_ptr(),
                        req.link_id,
                        req.mac_addr_type,
                        mac_ptr,
                        req.mac_len,
                        slot_ptr,
                        req.mac_prefix_len,
                        req.vid,
                        req.vrid,
                        req.af,
                        &mut id,
                        props.list,
                        req.flags,
                    )
                }
            }
            VnicCreate::Args15(f) => {
                // SAFETY: as for Args14, plus a live, initialised errlist.
                unsafe {
                    f(
                        self.h(),
                        name.as_ptr(),
                        req.link_id,
                        req.mac_addr_type,
                        mac_ptr,
                        req.mac_len,
                        slot_ptr,
                        req.mac_prefix_len,
                        req.vid,
                        req.vrid,
                        req.af,
                        &mut id,
                        props.list,
                        &mut errs.list,
                        req.flags,
                    )
                }
            }
            VnicCreate::Attr6(f) => {
                let mut attr = DladmVnicAttr::zeroed();
                attr.va_link_id = req.link_id;
                attr.va_mac_addr_type = req.mac_addr_type;
                attr.va_mac_len = req.mac_len;
                attr.va_mac_addr = mac;
                attr.va_mac_slot = req.mac_slot.unwrap_or(-1);
                attr.va_mac_prefix_len = req.mac_prefix_len;
                attr.va_vid = req.vid;
                attr.va_vrid = req.vrid;
                attr.va_af = req.af;
                // SAFETY: the 6-argument prototype; `attr` is a zeroed
                // dladm_vnic_attr_t with room for every known
                // mac_resource_props_t, the errlist is initialised and the
                // property list is NULL or libdladm's own.
                let status = unsafe {
                    f(
                        self.h(),
                        name.as_ptr(),
                        &mut *attr,
                        props.list,
                        &mut errs.list,
                        req.flags,
                    )
                };
                id = attr.va_vnic_id;
                status
            }
        };
        if status == DLADM_STATUS_OK {
            Ok(id)
        } else {
            Err(CreateError::Status {
                status,
                errlist: errs.messages(),
            })
        }
    }

    /// `dladm_set_linkprop`; `None` resets the property.
    pub fn set_linkprop(
        &self,
        id: DatalinkId,
        prop: &str,
        values: Option<&[String]>,
        flags: u32,
    ) -> Result<(), DladmStatus> {
        let cprop = c_string(prop)?;
        let mut bufs: Vec<Vec<u8>> = values
            .unwrap_or_default()
            .iter()
            .map(|v| c_string(v).map(CString::into_bytes_with_nul))
            .collect::<Result<_, _>>()?;
        let mut ptrs: Vec<*mut c_char> = bufs.iter_mut().map(|b| b.as_mut_ptr().cast()).collect();
        let (vals, count) = match values {
            None => (ptr::null_mut(), 0),
            Some(_) => (ptrs.as_mut_ptr(), ptrs.len() as c_uint),
        };
        // SAFETY: the name is NUL-terminated; `vals` is NULL or `count`
        // pointers to writable NUL-terminated strings that outlive the call.
        check(unsafe { (self.lib.set_linkprop)(self.h(), id, cprop.as_ptr(), vals, count, flags) })
    }

    /// `dladm_get_linkprop` of one `dladm_prop_type_t`.
    pub fn get_linkprop(
        &self,
        id: DatalinkId,
        which: c_uint,
        prop: &str,
    ) -> Result<Vec<String>, DladmStatus> {
        let cprop = c_string(prop)?;
        let mut bufs = vec![[0 as c_char; DLADM_PROP_VAL_MAX]; DLADM_MAX_PROP_VALCNT];
        let mut ptrs: Vec<*mut c_char> = bufs.iter_mut().map(|b| b.as_mut_ptr()).collect();
        let mut count = DLADM_MAX_PROP_VALCNT as c_uint;
        // SAFETY: `ptrs` holds DLADM_MAX_PROP_VALCNT pointers to buffers of
        // DLADM_PROP_VAL_MAX bytes each (libdllink.h's contract), and
        // `count` tells the library how many there are.
        let status = unsafe {
            (self.lib.get_linkprop)(
                self.h(),
                id,
                which,
                cprop.as_ptr(),
                ptrs.as_mut_ptr(),
                &mut count,
            )
        };
        check(status)?;
        let n = (count as usize).min(DLADM_MAX_PROP_VALCNT);
        Ok(bufs[..n].iter().map(|b| c_buf_to_string(b)).collect())
    }

    /// `dladm_walk_linkprop`: the property names of a link, in table order.
    pub fn linkprop_names(&self, id: DatalinkId) -> Result<Vec<String>, DladmStatus> {
        let mut walk: Walk<String> = Walk {
            items: Vec::new(),
            panicked: false,
        };
        // SAFETY: the callback matches the walker's prototype and casts
        // the argument back to the `Walk` passed here, which outlives the
        // call.
        let status = unsafe {
            (self.lib.walk_linkprop)(
                self.h(),
                id,
                (&mut walk as *mut Walk<String>).cast(),
                collect_prop,
            )
        };
        check(status)?;
        if walk.panicked {
            return Err(DLADM_STATUS_FAILED);
        }
        Ok(walk.items)
    }
}

impl Drop for Dladm {
    fn drop(&mut self) {
        // SAFETY: the handle came from dladm_open and is closed once.
        unsafe { (self.lib.close)(self.h()) }
    }
}
