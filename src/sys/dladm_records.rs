//! The plain records that cross the sys boundary for libdladm: what the
//! lookups report and what `dladm_vnic_create` is asked for, in C's
//! vocabulary (raw ids, flags and enum values) but owned Rust data.

use super::illumos_types::{DatalinkId, MAXMACADDRLEN, VridT};
use std::ffi::c_int;

/// What `dladm_datalink_id2info` reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRecord {
    pub id: DatalinkId,
    /// `DLADM_OPT_ACTIVE` / `DLADM_OPT_PERSIST` (libdladm translates
    /// dlmgmtd's `DLMGMT_*` link flags into these; since 2015 also
    /// `DLADM_OPT_ONLOAN`, which xbow ignores).
    pub flags: u32,
    /// A `datalink_class_t` bit.
    pub class: u32,
    pub media: u32,
    pub name: String,
}

/// What `dladm_walk_macaddr` reports of one slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MacaddrRecord {
    pub slot: u32,
    /// `DLADM_MACADDR_USED`.
    pub used: bool,
    pub addr: Vec<u8>,
    pub client: String,
}

/// What `dladm_walk_hwgrp` reports of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HwgrpRecord {
    pub link: String,
    /// `DLADM_HWGRP_TYPE_RX`.
    pub rx: bool,
    pub rings: Vec<u32>,
    pub clients: String,
}

/// The stable prefix of `dladm_vnic_attr_t`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VnicRecord {
    pub vnic_id: DatalinkId,
    pub link_id: DatalinkId,
    pub mac_addr_type: c_int,
    pub mac_len: u32,
    pub mac_addr: [u8; MAXMACADDRLEN],
    pub mac_slot: c_int,
    pub mac_prefix_len: u32,
    pub vid: u16,
    pub vrid: VridT,
    pub af: c_int,
}

/// `dladm_vlan_attr_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VlanRecord {
    pub vid: u16,
    pub link_id: DatalinkId,
    pub force: bool,
}

/// The arguments of `dladm_vnic_create`, generation-neutral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRequest {
    pub name: String,
    /// `DATALINK_INVALID_LINKID` for an etherstub.
    pub link_id: DatalinkId,
    pub mac_addr_type: c_int,
    /// The address (`mac_len` bytes) or the prefix (`mac_prefix_len`
    /// bytes); empty for none (a NULL `mac_addr`).
    pub mac_addr: Vec<u8>,
    pub mac_len: u32,
    pub mac_prefix_len: u32,
    /// The factory slot (`-1` for any); `None` passes no slot pointer
    /// (as `dladm create-etherstub` does).
    pub mac_slot: Option<c_int>,
    pub vid: u16,
    pub vrid: VridT,
    pub af: c_int,
    /// `name=v1,v2,name2=v3`, parsed by `dladm_parse_link_props`.
    pub props: String,
    /// `DLADM_OPT_*`.
    pub flags: u32,
}
