//! The C types and constants of libdladm and libkstat that xbow uses,
//! with the layout every `#[repr(C)]` type must have on amd64 asserted at
//! compile time (values: reference `dladm.md` §4; checked against the
//! host's headers by `illumos-ci/header-check.c`). Plain data, compiled on
//! every platform for the tests of the code that fills it; only
//! `sys::illumos` hands it to C.

use std::ffi::{c_char, c_int, c_uint};
use std::marker::{PhantomData, PhantomPinned};
use std::mem::{align_of, offset_of, size_of};

/// `datalink_id_t`.
pub type DatalinkId = u32;
/// `dladm_status_t` (a C enum; values are read back as unsigned).
pub type DladmStatus = u32;
/// `boolean_t`: `enum { B_FALSE, B_TRUE }`, int-sized.
pub type BooleanT = c_int;
/// `vrid_t`: `uint32_t` in `<sys/types.h>`.
pub type VridT = u32;
/// `datalink_media_t`.
pub type DatalinkMedia = u64;

pub const B_FALSE: BooleanT = 0;
#[cfg(target_os = "illumos")]
pub const B_TRUE: BooleanT = 1;

// libdladm.h option flags.
pub const DLADM_OPT_ACTIVE: u32 = 0x0000_0001;
pub const DLADM_OPT_PERSIST: u32 = 0x0000_0002;
pub const DLADM_OPT_FORCE: u32 = 0x0000_0008;
pub const DLADM_OPT_ANCHOR: u32 = 0x0000_0020;
pub const DLADM_OPT_VLAN: u32 = 0x0000_0040;

pub const DLADM_WALK_TERMINATE: c_int = 0;
pub const DLADM_WALK_CONTINUE: c_int = -1;
/// The size of every buffer xbow hands to a `*2str` function
/// (`dladm_status2str`, `dladm_media2str`, …), which writes up to
/// `DLADM_STRSIZE` bytes into it: 256 in illumos-gate and OmniOS, 2048 in
/// illumos-joyent (SmartOS). Sized for the larger; the header check only
/// requires the host's value not to exceed it.
pub const DLADM_STRSIZE_MAX: usize = 2048;
/// The largest `DLADM_STRSIZE` of any libdladm known (illumos-joyent).
pub const DLADM_STRSIZE_JOYENT: usize = 2048;
/// `DLADM_STRSIZE` in illumos-gate and OmniOS.
pub const DLADM_STRSIZE_GATE: usize = 256;

const _: () = assert!(DLADM_STRSIZE_MAX >= DLADM_STRSIZE_JOYENT);
const _: () = assert!(DLADM_STRSIZE_MAX >= DLADM_STRSIZE_GATE);
/// libdllink.h: the most values `dladm_get_linkprop` returns, and the
/// size of each value buffer.
pub const DLADM_MAX_PROP_VALCNT: usize = 32;
pub const DLADM_PROP_VAL_MAX: usize = 128;

// dladm_status_t values xbow looks at by number.
pub const DLADM_STATUS_OK: DladmStatus = 0;
pub const DLADM_STATUS_BADARG: DladmStatus = 1;
pub const DLADM_STATUS_FAILED: DladmStatus = 2;
pub const DLADM_STATUS_NOTFOUND: DladmStatus = 5;
/// The last status whose number is the same in every libdladm read
/// (illumos-gate 2010 … 2024, illumos-joyent 2011, OmniOS 2020): later
/// members differ between forks and are matched by their text.
pub const DLADM_STATUS_INVALID_MTU: DladmStatus = 84;

// sys/param.h, sys/mac.h, sys/dls_mgmt.h.
pub const MAXLINKNAMELEN: usize = 32;
pub const MAXMACADDRLEN: usize = 20;
pub const ETHERADDRL: usize = 6;
pub const DATALINK_INVALID_LINKID: DatalinkId = 0;
pub const DATALINK_ANY_MEDIATYPE: DatalinkMedia = 1 << 32;
/// dlmgmtd's own link flags (`sys/dls_mgmt.h`). libdladm never hands them
/// out: `dladm_name2info`/`dladm_datalink_id2info` translate them into
/// `DLADM_OPT_*` (same values today). Kept for the header check only.
#[cfg(test)]
pub const DLMGMT_ACTIVE: u32 = 0x01;
#[cfg(test)]
pub const DLMGMT_PERSIST: u32 = 0x02;

// datalink_class_t (sys/dls_mgmt.h): the classes every illumos has.
pub const DATALINK_CLASS_PHYS: u32 = 0x01;
pub const DATALINK_CLASS_VLAN: u32 = 0x02;
pub const DATALINK_CLASS_AGGR: u32 = 0x04;
pub const DATALINK_CLASS_VNIC: u32 = 0x08;
pub const DATALINK_CLASS_ETHERSTUB: u32 = 0x10;
pub const DATALINK_CLASS_SIMNET: u32 = 0x20;
pub const DATALINK_CLASS_BRIDGE: u32 = 0x40;
pub const DATALINK_CLASS_IPTUN: u32 = 0x80;
pub const DATALINK_CLASS_PART: u32 = 0x100;
/// Newer (2015+/2023+) classes; Oxide's fork uses 0x400 for `tfport`.
pub const DATALINK_CLASS_OVERLAY: u32 = 0x200;
pub const DATALINK_CLASS_MISC: u32 = 0x400;

// dladm_prop_type_t (libdllink.h, 2010 and later).
pub const DLADM_PROP_VAL_CURRENT: c_uint = 1;
pub const DLADM_PROP_VAL_DEFAULT: c_uint = 2;
pub const DLADM_PROP_VAL_PERM: c_uint = 3;
pub const DLADM_PROP_VAL_MODIFIABLE: c_uint = 4;
pub const DLADM_PROP_VAL_PERSISTENT: c_uint = 5;

// vnic_mac_addr_type_t (sys/vnic.h), a signed enum.
pub const VNIC_MAC_ADDR_TYPE_UNKNOWN: c_int = -1;
pub const VNIC_MAC_ADDR_TYPE_FIXED: c_int = 0;
pub const VNIC_MAC_ADDR_TYPE_RANDOM: c_int = 1;
pub const VNIC_MAC_ADDR_TYPE_FACTORY: c_int = 2;
pub const VNIC_MAC_ADDR_TYPE_AUTO: c_int = 3;
pub const VNIC_MAC_ADDR_TYPE_PRIMARY: c_int = 4;
pub const VNIC_MAC_ADDR_TYPE_VRID: c_int = 5;

pub const VRRP_VRID_NONE: VridT = 0;

// sys/socket.h on illumos (not the build host's values).
pub const AF_UNSPEC: c_int = 0;
pub const AF_INET: c_int = 2;
pub const AF_INET6: c_int = 26;

// link_state_t and link_duplex_t (sys/mac.h).
pub const LINK_STATE_UNKNOWN: c_int = -1;
pub const LINK_STATE_DOWN: c_int = 0;
pub const LINK_STATE_UP: c_int = 1;
pub const LINK_DUPLEX_UNKNOWN: c_int = 0;
pub const LINK_DUPLEX_HALF: c_int = 1;
pub const LINK_DUPLEX_FULL: c_int = 2;

// kstat.h.
pub const KSTAT_STRLEN: usize = 31;
pub const KSTAT_DATA_UINT32: u8 = 2;
pub const KSTAT_DATA_UINT64: u8 = 4;

/// `struct dladm_handle` (opaque).
#[repr(C)]
pub struct DladmHandle {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `dladm_arg_list_t`, only ever handled through the pointer
/// `dladm_parse_link_props` returns.
#[repr(C)]
pub struct DladmArgList {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `kstat_ctl_t` (opaque here).
#[repr(C)]
pub struct KstatCtl {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

/// `kstat_t` (opaque here).
#[repr(C)]
pub struct Kstat {
    _data: [u8; 0],
    _marker: PhantomData<(*mut u8, PhantomPinned)>,
}

const _: () = assert!(size_of::<DladmHandle>() == 0);
const _: () = assert!(size_of::<DladmArgList>() == 0);
const _: () = assert!(size_of::<KstatCtl>() == 0);
const _: () = assert!(size_of::<Kstat>() == 0);

/// `dladm_errlist_t`.
#[repr(C)]
pub struct DladmErrlist {
    pub el_count: c_uint,
    pub el_alloc: c_uint,
    pub el_errs: *mut *mut c_char,
}

const _: () = assert!(size_of::<DladmErrlist>() == 16);
const _: () = assert!(offset_of!(DladmErrlist, el_count) == 0);
const _: () = assert!(offset_of!(DladmErrlist, el_alloc) == 4);
const _: () = assert!(offset_of!(DladmErrlist, el_errs) == 8);

/// `dladm_attr_t`.
#[repr(C)]
pub struct DladmAttr {
    pub da_max_sdu: c_uint,
}

const _: () = assert!(size_of::<DladmAttr>() == 4);
const _: () = assert!(offset_of!(DladmAttr, da_max_sdu) == 0);

/// `dladm_phys_attr_t`.
#[repr(C)]
pub struct DladmPhysAttr {
    pub dp_dev: [c_char; MAXLINKNAMELEN],
    pub dp_novanity: BooleanT,
}

const _: () = assert!(size_of::<DladmPhysAttr>() == 36);
const _: () = assert!(offset_of!(DladmPhysAttr, dp_dev) == 0);
const _: () = assert!(offset_of!(DladmPhysAttr, dp_novanity) == 32);

/// `MAXNAMELEN` (sys/param.h).
pub const MAXNAMELEN: usize = 256;
/// `MAX_RINGS_PER_GROUP` (sys/mac.h).
pub const MAX_RINGS_PER_GROUP: usize = 128;
/// `MAXCLIENTNAMELEN` (sys/mac.h).
pub const MAXCLIENTNAMELEN: usize = 1024;
/// `DLADM_MACADDR_USED` (libdllink.h).
pub const DLADM_MACADDR_USED: u32 = 0x1;
/// `DLADM_HWGRP_TYPE_RX` (`dladm_hwgrp_type_t`, libdllink.h).
pub const DLADM_HWGRP_TYPE_RX: u32 = 0x1;

/// `dladm_macaddr_attr_t` (libdllink.h): one slot `dladm_walk_macaddr`
/// hands its callback.
#[repr(C)]
pub struct DladmMacaddrAttr {
    pub ma_slot: u32,
    pub ma_flags: u32,
    pub ma_addr: [u8; MAXMACADDRLEN],
    pub ma_addrlen: u32,
    pub ma_client_name: [c_char; MAXNAMELEN],
    pub ma_client_linkid: DatalinkId,
}

const _: () = assert!(size_of::<DladmMacaddrAttr>() == 292);
const _: () = assert!(offset_of!(DladmMacaddrAttr, ma_slot) == 0);
const _: () = assert!(offset_of!(DladmMacaddrAttr, ma_flags) == 4);
const _: () = assert!(offset_of!(DladmMacaddrAttr, ma_addr) == 8);
const _: () = assert!(offset_of!(DladmMacaddrAttr, ma_addrlen) == 28);
const _: () = assert!(offset_of!(DladmMacaddrAttr, ma_client_name) == 32);
const _: () = assert!(offset_of!(DladmMacaddrAttr, ma_client_linkid) == 288);

/// `dladm_hwgrp_attr_t` (libdllink.h since the rings rework): one group
/// `dladm_walk_hwgrp` hands its callback.
#[repr(C)]
pub struct DladmHwgrpAttr {
    pub hg_link_name: [c_char; MAXLINKNAMELEN],
    pub hg_grp_num: u32,
    /// `dladm_hwgrp_type_t`.
    pub hg_grp_type: u32,
    pub hg_n_rings: u32,
    pub hg_rings: [u32; MAX_RINGS_PER_GROUP],
    pub hg_n_clnts: u32,
    pub hg_client_names: [c_char; MAXCLIENTNAMELEN],
}

const _: () = assert!(size_of::<DladmHwgrpAttr>() == 1584);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_link_name) == 0);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_grp_num) == 32);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_grp_type) == 36);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_n_rings) == 40);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_rings) == 44);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_n_clnts) == 556);
const _: () = assert!(offset_of!(DladmHwgrpAttr, hg_client_names) == 560);

#[cfg(target_os = "illumos")]
const _: () =
    assert!(AF_INET6 == libc::AF_INET6 && AF_INET == libc::AF_INET && AF_UNSPEC == libc::AF_UNSPEC);

/// The value union of `kstat_named_t` (the members xbow reads; the C
/// union also has a 16-byte `c[]` and a `{ ptr, len }` string member).
#[repr(C)]
#[derive(Clone, Copy)]
pub union KstatValue {
    pub c: [c_char; 16],
    pub ui32: u32,
    pub ui64: u64,
}

const _: () = assert!(size_of::<KstatValue>() == 16);
const _: () = assert!(align_of::<KstatValue>() == 8);

/// `kstat_named_t`.
#[repr(C)]
pub struct KstatNamed {
    pub name: [c_char; KSTAT_STRLEN],
    pub data_type: u8,
    pub value: KstatValue,
}

const _: () = assert!(size_of::<KstatNamed>() == 48);
const _: () = assert!(offset_of!(KstatNamed, name) == 0);
const _: () = assert!(offset_of!(KstatNamed, data_type) == 31);
const _: () = assert!(offset_of!(KstatNamed, value) == 32);

/// Bytes reserved for `va_resource_props` (`mac_resource_props_t`), whose
/// size differs between distributions (upstream `MRP_NCPUS` 128 with
/// `mp_allcids`/`mp_dynamic`: about 12.9 KB; Oxide `MRP_NCPUS` 256: about
/// 15.4 KB [derived from the headers, `pragma pack(4)`]). xbow never reads
/// or writes it: libdladm fills it from the property list and copies it
/// to the kernel; the buffer only has to be at least as large as every
/// variant, and zeroed.
pub const RESOURCE_PROPS_BYTES: usize = 64 * 1024;

/// Where `va_resource_props` starts in the C struct on amd64.
/// `sys/mac_flow.h` declares `mac_resource_props_t` under `#pragma pack(4)`
/// (`_LONG_LONG_ALIGNMENT == 8 && _LONG_LONG_ALIGNMENT_32 == 4`), so its
/// alignment is 4 and it follows `va_af` directly: its first member,
/// `mrp_mask`, is bytes 60..64. Those bytes are not padding: on the
/// 6-argument `dladm_vnic_create` the library copies the whole block into
/// the ioctl and only ORs bits into `mrp_mask`, so they must be zero.
pub const VA_RESOURCE_PROPS_OFFSET: usize = 60;

/// `dladm_vnic_attr_t`: the stable prefix, then an opaque buffer with the
/// alignment `mac_resource_props_t` has under `#pragma pack(4)` (4) that is
/// at least as large as every known `mac_resource_props_t`. Build it with
/// [`DladmVnicAttr::zeroed`], which zeroes every byte (padding included).
#[repr(C)]
pub struct DladmVnicAttr {
    pub va_vnic_id: DatalinkId,
    pub va_link_id: DatalinkId,
    pub va_mac_addr_type: c_int,
    /// `uint_t` (an `int` since the 2026 rework; same size).
    pub va_mac_len: c_uint,
    pub va_mac_addr: [u8; MAXMACADDRLEN],
    pub va_mac_slot: c_int,
    pub va_mac_prefix_len: c_uint,
    pub va_vid: u16,
    /// The C struct's padding before `va_force`, as a field so that the
    /// Rust struct has no padding at all (every byte is initialised).
    va_pad: u16,
    pub va_force: BooleanT,
    pub va_vrid: VridT,
    pub va_af: c_int,
    /// `mac_resource_props_t`, opaque; `u32` words give it the packed
    /// struct's alignment of 4.
    pub va_resource_props: [u32; RESOURCE_PROPS_BYTES / 4],
}

const _: () = assert!(offset_of!(DladmVnicAttr, va_vnic_id) == 0);
const _: () = assert!(offset_of!(DladmVnicAttr, va_link_id) == 4);
const _: () = assert!(offset_of!(DladmVnicAttr, va_mac_addr_type) == 8);
const _: () = assert!(offset_of!(DladmVnicAttr, va_mac_len) == 12);
const _: () = assert!(offset_of!(DladmVnicAttr, va_mac_addr) == 16);
const _: () = assert!(offset_of!(DladmVnicAttr, va_mac_slot) == 36);
const _: () = assert!(offset_of!(DladmVnicAttr, va_mac_prefix_len) == 40);
const _: () = assert!(offset_of!(DladmVnicAttr, va_vid) == 44);
const _: () = assert!(offset_of!(DladmVnicAttr, va_pad) == 46);
const _: () = assert!(offset_of!(DladmVnicAttr, va_force) == 48);
const _: () = assert!(offset_of!(DladmVnicAttr, va_vrid) == 52);
const _: () = assert!(offset_of!(DladmVnicAttr, va_af) == 56);
const _: () = assert!(offset_of!(DladmVnicAttr, va_resource_props) == VA_RESOURCE_PROPS_OFFSET);
const _: () = assert!(VA_RESOURCE_PROPS_OFFSET == 60);
const _: () =
    assert!(size_of::<DladmVnicAttr>() == VA_RESOURCE_PROPS_OFFSET + RESOURCE_PROPS_BYTES);
const _: () = assert!(align_of::<DladmVnicAttr>() == 4);
// No padding: the fields' sizes add up to the struct's.
const _: () = assert!(
    4 * 4 + MAXMACADDRLEN + 4 + 4 + 2 + 2 + 4 + 4 + 4 + RESOURCE_PROPS_BYTES
        == size_of::<DladmVnicAttr>()
);
// At least four times the largest variant known (about 15.4 KB).
const _: () = assert!(RESOURCE_PROPS_BYTES >= 4 * 15_400);

/// `dladm_vlan_attr_t` (libdlvlan.h, since 2009: without the obsolete
/// `dv_implicit`).
#[repr(C)]
pub struct DladmVlanAttr {
    pub dv_vid: u16,
    /// The C struct's padding before `dv_linkid`, as a field so that
    /// every byte is initialised.
    dv_pad: u16,
    pub dv_linkid: DatalinkId,
    pub dv_force: BooleanT,
}

const _: () = assert!(size_of::<DladmVlanAttr>() == 12);
const _: () = assert!(align_of::<DladmVlanAttr>() == 4);
const _: () = assert!(offset_of!(DladmVlanAttr, dv_vid) == 0);
const _: () = assert!(offset_of!(DladmVlanAttr, dv_pad) == 2);
const _: () = assert!(offset_of!(DladmVlanAttr, dv_linkid) == 4);
const _: () = assert!(offset_of!(DladmVlanAttr, dv_force) == 8);

/// Every byte zero.
impl Default for DladmVlanAttr {
    fn default() -> DladmVlanAttr {
        DladmVlanAttr {
            dv_vid: 0,
            dv_pad: 0,
            dv_linkid: DATALINK_INVALID_LINKID,
            dv_force: B_FALSE,
        }
    }
}

impl DladmVnicAttr {
    /// An attribute block on the heap (it is 64 KiB) with every byte zero,
    /// the whole resource block included.
    pub fn zeroed() -> Box<DladmVnicAttr> {
        // SAFETY: every field is an integer or an array of integers, for
        // which all-zero bytes are a valid value, so the zeroed allocation
        // is an initialised DladmVnicAttr.
        unsafe { Box::<DladmVnicAttr>::new_zeroed().assume_init() }
    }

    /// The block as the bytes libdladm sees.
    #[cfg(test)]
    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `self` is a live DladmVnicAttr of size_of::<Self>() bytes,
        // all of them initialised: the struct has no padding (asserted
        // below) and every field is an integer. u8 has no alignment or
        // validity requirement, and the slice borrows `self`.
        unsafe { std::slice::from_raw_parts((self as *const Self).cast::<u8>(), size_of::<Self>()) }
    }
}

/// Every size, offset and constant above, as `name value` facts in the
/// vocabulary of the C headers, for the host header check
/// (`illumos-ci/header-check.c` prints the same names).
#[cfg(test)]
pub fn layout_facts() -> Vec<(&'static str, i128)> {
    let s = |v: usize| v as i128;
    vec![
        ("sizeof.datalink_id_t", s(size_of::<DatalinkId>())),
        ("sizeof.datalink_media_t", s(size_of::<DatalinkMedia>())),
        ("sizeof.dladm_status_t", s(size_of::<DladmStatus>())),
        ("sizeof.boolean_t", s(size_of::<BooleanT>())),
        ("sizeof.vrid_t", s(size_of::<VridT>())),
        ("sizeof.vnic_mac_addr_type_t", s(size_of::<c_int>())),
        ("sizeof.dladm_prop_type_t", s(size_of::<c_uint>())),
        ("sizeof.dladm_errlist_t", s(size_of::<DladmErrlist>())),
        (
            "offsetof.dladm_errlist_t.el_count",
            s(offset_of!(DladmErrlist, el_count)),
        ),
        (
            "offsetof.dladm_errlist_t.el_alloc",
            s(offset_of!(DladmErrlist, el_alloc)),
        ),
        (
            "offsetof.dladm_errlist_t.el_errs",
            s(offset_of!(DladmErrlist, el_errs)),
        ),
        ("sizeof.dladm_attr_t", s(size_of::<DladmAttr>())),
        (
            "offsetof.dladm_attr_t.da_max_sdu",
            s(offset_of!(DladmAttr, da_max_sdu)),
        ),
        ("sizeof.dladm_phys_attr_t", s(size_of::<DladmPhysAttr>())),
        (
            "offsetof.dladm_phys_attr_t.dp_dev",
            s(offset_of!(DladmPhysAttr, dp_dev)),
        ),
        (
            "offsetof.dladm_phys_attr_t.dp_novanity",
            s(offset_of!(DladmPhysAttr, dp_novanity)),
        ),
        (
            "sizeof.dladm_macaddr_attr_t",
            s(size_of::<DladmMacaddrAttr>()),
        ),
        (
            "offsetof.dladm_macaddr_attr_t.ma_flags",
            s(offset_of!(DladmMacaddrAttr, ma_flags)),
        ),
        (
            "offsetof.dladm_macaddr_attr_t.ma_addr",
            s(offset_of!(DladmMacaddrAttr, ma_addr)),
        ),
        (
            "offsetof.dladm_macaddr_attr_t.ma_addrlen",
            s(offset_of!(DladmMacaddrAttr, ma_addrlen)),
        ),
        (
            "offsetof.dladm_macaddr_attr_t.ma_client_name",
            s(offset_of!(DladmMacaddrAttr, ma_client_name)),
        ),
        ("sizeof.dladm_hwgrp_attr_t", s(size_of::<DladmHwgrpAttr>())),
        (
            "offsetof.dladm_hwgrp_attr_t.hg_grp_type",
            s(offset_of!(DladmHwgrpAttr, hg_grp_type)),
        ),
        (
            "offsetof.dladm_hwgrp_attr_t.hg_n_rings",
            s(offset_of!(DladmHwgrpAttr, hg_n_rings)),
        ),
        (
            "offsetof.dladm_hwgrp_attr_t.hg_rings",
            s(offset_of!(DladmHwgrpAttr, hg_rings)),
        ),
        (
            "offsetof.dladm_hwgrp_attr_t.hg_n_clnts",
            s(offset_of!(DladmHwgrpAttr, hg_n_clnts)),
        ),
        (
            "offsetof.dladm_hwgrp_attr_t.hg_client_names",
            s(offset_of!(DladmHwgrpAttr, hg_client_names)),
        ),
        ("const.DLADM_MACADDR_USED", s(DLADM_MACADDR_USED as usize)),
        ("const.DLADM_HWGRP_TYPE_RX", s(DLADM_HWGRP_TYPE_RX as usize)),
        ("sizeof.kstat_named_t", s(size_of::<KstatNamed>())),
        (
            "offsetof.kstat_named_t.name",
            s(offset_of!(KstatNamed, name)),
        ),
        (
            "offsetof.kstat_named_t.data_type",
            s(offset_of!(KstatNamed, data_type)),
        ),
        (
            "offsetof.kstat_named_t.value",
            s(offset_of!(KstatNamed, value)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_vnic_id",
            s(offset_of!(DladmVnicAttr, va_vnic_id)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_link_id",
            s(offset_of!(DladmVnicAttr, va_link_id)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_mac_addr_type",
            s(offset_of!(DladmVnicAttr, va_mac_addr_type)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_mac_len",
            s(offset_of!(DladmVnicAttr, va_mac_len)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_mac_addr",
            s(offset_of!(DladmVnicAttr, va_mac_addr)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_mac_slot",
            s(offset_of!(DladmVnicAttr, va_mac_slot)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_mac_prefix_len",
            s(offset_of!(DladmVnicAttr, va_mac_prefix_len)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_vid",
            s(offset_of!(DladmVnicAttr, va_vid)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_force",
            s(offset_of!(DladmVnicAttr, va_force)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_vrid",
            s(offset_of!(DladmVnicAttr, va_vrid)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_af",
            s(offset_of!(DladmVnicAttr, va_af)),
        ),
        (
            "offsetof.dladm_vnic_attr_t.va_resource_props",
            s(offset_of!(DladmVnicAttr, va_resource_props)),
        ),
        ("alignof.dladm_vnic_attr_t", s(align_of::<DladmVnicAttr>())),
        // mac_resource_props_t is packed to 4 (sys/mac_flow.h).
        ("alignof.mac_resource_props_t", 4),
        (
            "max.sizeof.dladm_vnic_attr_t",
            s(size_of::<DladmVnicAttr>()),
        ),
        // The room after offset 60, where va_resource_props starts.
        ("max.sizeof.mac_resource_props_t", s(RESOURCE_PROPS_BYTES)),
        ("const.DLADM_OPT_ACTIVE", i128::from(DLADM_OPT_ACTIVE)),
        ("const.DLADM_OPT_PERSIST", i128::from(DLADM_OPT_PERSIST)),
        ("const.DLADM_OPT_FORCE", i128::from(DLADM_OPT_FORCE)),
        ("const.DLADM_OPT_ANCHOR", i128::from(DLADM_OPT_ANCHOR)),
        ("const.DLADM_OPT_VLAN", i128::from(DLADM_OPT_VLAN)),
        ("sizeof.dladm_vlan_attr_t", s(size_of::<DladmVlanAttr>())),
        ("alignof.dladm_vlan_attr_t", s(align_of::<DladmVlanAttr>())),
        (
            "offsetof.dladm_vlan_attr_t.dv_vid",
            s(offset_of!(DladmVlanAttr, dv_vid)),
        ),
        (
            "offsetof.dladm_vlan_attr_t.dv_linkid",
            s(offset_of!(DladmVlanAttr, dv_linkid)),
        ),
        (
            "offsetof.dladm_vlan_attr_t.dv_force",
            s(offset_of!(DladmVlanAttr, dv_force)),
        ),
        (
            "const.DLADM_WALK_TERMINATE",
            i128::from(DLADM_WALK_TERMINATE),
        ),
        ("const.DLADM_WALK_CONTINUE", i128::from(DLADM_WALK_CONTINUE)),
        ("max.const.DLADM_STRSIZE", s(DLADM_STRSIZE_MAX)),
        ("const.DLADM_MAX_PROP_VALCNT", s(DLADM_MAX_PROP_VALCNT)),
        ("const.DLADM_PROP_VAL_MAX", s(DLADM_PROP_VAL_MAX)),
        ("const.DLADM_STATUS_OK", i128::from(DLADM_STATUS_OK)),
        ("const.DLADM_STATUS_BADARG", i128::from(DLADM_STATUS_BADARG)),
        ("const.DLADM_STATUS_FAILED", i128::from(DLADM_STATUS_FAILED)),
        (
            "const.DLADM_STATUS_NOTFOUND",
            i128::from(DLADM_STATUS_NOTFOUND),
        ),
        (
            "const.DLADM_STATUS_INVALID_MTU",
            i128::from(DLADM_STATUS_INVALID_MTU),
        ),
        ("const.MAXLINKNAMELEN", s(MAXLINKNAMELEN)),
        ("const.MAXMACADDRLEN", s(MAXMACADDRLEN)),
        ("const.ETHERADDRL", s(ETHERADDRL)),
        (
            "const.DATALINK_INVALID_LINKID",
            i128::from(DATALINK_INVALID_LINKID),
        ),
        (
            "const.DATALINK_ANY_MEDIATYPE",
            i128::from(DATALINK_ANY_MEDIATYPE),
        ),
        ("const.DLMGMT_ACTIVE", i128::from(DLMGMT_ACTIVE)),
        ("const.DLMGMT_PERSIST", i128::from(DLMGMT_PERSIST)),
        ("const.DATALINK_CLASS_PHYS", i128::from(DATALINK_CLASS_PHYS)),
        ("const.DATALINK_CLASS_VLAN", i128::from(DATALINK_CLASS_VLAN)),
        ("const.DATALINK_CLASS_AGGR", i128::from(DATALINK_CLASS_AGGR)),
        ("const.DATALINK_CLASS_VNIC", i128::from(DATALINK_CLASS_VNIC)),
        (
            "const.DATALINK_CLASS_ETHERSTUB",
            i128::from(DATALINK_CLASS_ETHERSTUB),
        ),
        (
            "const.DATALINK_CLASS_SIMNET",
            i128::from(DATALINK_CLASS_SIMNET),
        ),
        (
            "const.DATALINK_CLASS_BRIDGE",
            i128::from(DATALINK_CLASS_BRIDGE),
        ),
        (
            "const.DATALINK_CLASS_IPTUN",
            i128::from(DATALINK_CLASS_IPTUN),
        ),
        ("const.DATALINK_CLASS_PART", i128::from(DATALINK_CLASS_PART)),
        (
            "const.DLADM_PROP_VAL_CURRENT",
            i128::from(DLADM_PROP_VAL_CURRENT),
        ),
        (
            "const.DLADM_PROP_VAL_DEFAULT",
            i128::from(DLADM_PROP_VAL_DEFAULT),
        ),
        ("const.DLADM_PROP_VAL_PERM", i128::from(DLADM_PROP_VAL_PERM)),
        (
            "const.DLADM_PROP_VAL_MODIFIABLE",
            i128::from(DLADM_PROP_VAL_MODIFIABLE),
        ),
        (
            "const.DLADM_PROP_VAL_PERSISTENT",
            i128::from(DLADM_PROP_VAL_PERSISTENT),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_UNKNOWN",
            i128::from(VNIC_MAC_ADDR_TYPE_UNKNOWN),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_FIXED",
            i128::from(VNIC_MAC_ADDR_TYPE_FIXED),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_RANDOM",
            i128::from(VNIC_MAC_ADDR_TYPE_RANDOM),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_FACTORY",
            i128::from(VNIC_MAC_ADDR_TYPE_FACTORY),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_AUTO",
            i128::from(VNIC_MAC_ADDR_TYPE_AUTO),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_PRIMARY",
            i128::from(VNIC_MAC_ADDR_TYPE_PRIMARY),
        ),
        (
            "const.VNIC_MAC_ADDR_TYPE_VRID",
            i128::from(VNIC_MAC_ADDR_TYPE_VRID),
        ),
        ("const.VRRP_VRID_NONE", i128::from(VRRP_VRID_NONE)),
        ("const.LINK_STATE_UNKNOWN", i128::from(LINK_STATE_UNKNOWN)),
        ("const.LINK_STATE_DOWN", i128::from(LINK_STATE_DOWN)),
        ("const.LINK_STATE_UP", i128::from(LINK_STATE_UP)),
        ("const.LINK_DUPLEX_UNKNOWN", i128::from(LINK_DUPLEX_UNKNOWN)),
        ("const.LINK_DUPLEX_HALF", i128::from(LINK_DUPLEX_HALF)),
        ("const.LINK_DUPLEX_FULL", i128::from(LINK_DUPLEX_FULL)),
        ("sizeof.link_state_t", s(size_of::<c_int>())),
        ("sizeof.link_duplex_t", s(size_of::<c_int>())),
        ("const.AF_UNSPEC", i128::from(AF_UNSPEC)),
        ("const.AF_INET", i128::from(AF_INET)),
        ("const.AF_INET6", i128::from(AF_INET6)),
        ("const.KSTAT_STRLEN", s(KSTAT_STRLEN)),
        ("const.KSTAT_DATA_UINT32", i128::from(KSTAT_DATA_UINT32)),
        ("const.KSTAT_DATA_UINT64", i128::from(KSTAT_DATA_UINT64)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vnic_attr_starts_zeroed() {
        let a = DladmVnicAttr::zeroed();
        assert_eq!(
            (a.va_vnic_id, a.va_link_id, a.va_mac_addr_type, a.va_mac_len),
            (0, 0, 0, 0)
        );
        assert_eq!(
            (
                a.va_mac_slot,
                a.va_mac_prefix_len,
                a.va_vid,
                a.va_vrid,
                a.va_af
            ),
            (0, 0, 0, 0, 0)
        );
        assert_eq!(a.va_force, B_FALSE);
        assert!(a.va_mac_addr.iter().all(|b| *b == 0));
        assert!(a.va_resource_props.iter().all(|w| *w == 0));
    }

    #[test]
    fn string_buffers_hold_the_joyent_strsize() {
        // illumos-joyent's libdladm.h has DLADM_STRSIZE 2048; a 256-byte
        // buffer would let dladm_status2str/dladm_media2str overrun it.
        assert_eq!(DLADM_STRSIZE_JOYENT, 2048);
        assert!(DLADM_STRSIZE_MAX >= DLADM_STRSIZE_JOYENT.max(DLADM_STRSIZE_GATE));
        let facts = layout_facts();
        let f = facts
            .iter()
            .find(|(n, _)| *n == "max.const.DLADM_STRSIZE")
            .expect("the header check bounds DLADM_STRSIZE");
        assert_eq!(f.1, 2048);
    }

    /// The bug this layout fixes: `va_resource_props` starts at 60 (its
    /// `mrp_mask` is bytes 60..64, which were Rust padding when the buffer
    /// was 8-aligned at 64), and every byte libdladm copies to the kernel
    /// is zero in a fresh block.
    #[test]
    fn resource_props_start_at_60_and_every_byte_is_zero() {
        assert_eq!(offset_of!(DladmVnicAttr, va_resource_props), 60);
        assert_eq!(VA_RESOURCE_PROPS_OFFSET, 60);
        let a = DladmVnicAttr::zeroed();
        let bytes = a.as_bytes();
        assert_eq!(bytes.len(), 60 + RESOURCE_PROPS_BYTES);
        assert_eq!(&bytes[60..64], &[0, 0, 0, 0], "mrp_mask");
        assert!(bytes.iter().all(|b| *b == 0));
        // A field written through the struct lands where C expects it.
        let mut a = DladmVnicAttr::zeroed();
        a.va_af = 0x0102_0304;
        a.va_resource_props[0] = 0xa5a5_a5a5;
        let bytes = a.as_bytes();
        assert_eq!(&bytes[56..60], &0x0102_0304i32.to_ne_bytes());
        assert_eq!(&bytes[60..64], &[0xa5; 4]);
        assert_eq!(&bytes[46..48], &[0, 0], "the padding before va_force");
    }

    /// Writes the layout facts the sys layer asserts to `$XBOW_LAYOUT_OUT`
    /// (one `name value` per line), for `illumos-ci/run.sh` to compare
    /// with what `illumos-ci/header-check.c` prints from the host headers.
    #[test]
    fn layout_facts_for_the_header_check() {
        let facts = layout_facts();
        let mut names: Vec<&str> = facts.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), facts.len(), "duplicate fact names");
        if let Ok(path) = std::env::var("XBOW_LAYOUT_OUT") {
            let text: String = facts.iter().map(|(n, v)| format!("{n} {v}\n")).collect();
            std::fs::write(&path, text).expect("write the layout facts");
        }
    }
}
