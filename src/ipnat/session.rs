//! Active NAT sessions (`nat_t`), host mappings (`hostmap_t`) and the NAT
//! statistics (`natstat_t`), as `ipnat -l` and `ipnat -s` show them.

use super::rule::{CName, I6Addr, Redir};
use serde::{Deserialize, Serialize};

/// `SI_CLONE` in `nat_flags`.
pub const SI_CLONE: u32 = 0x2000;

fn is_zero<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// One translation the kernel keeps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatSession {
    /// `nat_redir`: the kind of rule that created it.
    pub kind: Redir,
    /// `nat_flags` (`IPN_TCP`/`IPN_UDP`, `SI_CLONE`, …).
    pub flags: u32,
    /// `nat_v`.
    pub v: u8,
    /// `nat_p`.
    pub proto: u8,
    /// `nat_inip6`/`nat_inport`: the real (inside) end.
    pub inside: I6Addr,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub inside_port: u16,
    /// `nat_outip6`/`nat_outport`: the translated end.
    pub outside: I6Addr,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub outside_port: u16,
    /// `nat_oip6`/`nat_oport`: the remote peer.
    pub remote: I6Addr,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub remote_port: u16,
    /// `nat_age` (`nat_tqe.tqe_die`): the tick at which it expires.
    #[serde(default)]
    pub age: u64,
    /// `nat_use`.
    #[serde(default)]
    pub uses: u16,
    /// `nat_sumd`.
    #[serde(default)]
    pub sumd: [u32; 2],
    /// `nat_ipsumd`.
    #[serde(default)]
    pub ipsumd: u32,
    /// `nat_hv`: the hash buckets.
    #[serde(default)]
    pub hv: [i32; 2],
    /// `nat_bytes`, `nat_pkts`: [inbound, outbound].
    #[serde(default)]
    pub bytes: [u64; 2],
    #[serde(default)]
    pub pkts: [u64; 2],
    /// `nat_ifnames`.
    #[serde(default)]
    pub ifnames: [CName; 2],
}

impl NatSession {
    /// The all-zero `nat_t` the kernel returns when the list emptied under
    /// an iteration.
    pub fn zeroed() -> NatSession {
        NatSession {
            kind: Redir::Other(0),
            flags: 0,
            v: 0,
            proto: 0,
            inside: I6Addr::ZERO,
            inside_port: 0,
            outside: I6Addr::ZERO,
            outside_port: 0,
            remote: I6Addr::ZERO,
            remote_port: 0,
            age: 0,
            uses: 0,
            sumd: [0, 0],
            ipsumd: 0,
            hv: [0, 0],
            bytes: [0, 0],
            pkts: [0, 0],
            ifnames: [CName::default(), CName::default()],
        }
    }
}

/// A `hostmap_t`: which outside address an inside host was given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostMap {
    pub src: I6Addr,
    pub dst: I6Addr,
    pub map: I6Addr,
    #[serde(default)]
    pub port: u32,
    /// `hm_ref`.
    pub refs: i32,
    #[serde(default)]
    pub v: u8,
}

impl HostMap {
    pub fn zeroed() -> HostMap {
        HostMap {
            src: I6Addr::ZERO,
            dst: I6Addr::ZERO,
            map: I6Addr::ZERO,
            port: 0,
            refs: 0,
            v: 0,
        }
    }
}

/// The `natstat_t` counters `ipnat -s` prints, and whether each list was
/// empty when the snapshot was taken (the kernel's list pointers).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatStats {
    /// `ns_mapped`: packets translated [in, out].
    pub mapped: [u64; 2],
    /// `ns_added`.
    pub added: u64,
    /// `ns_expire`.
    pub expired: u64,
    /// `ns_memfail`.
    pub memfail: u64,
    /// `ns_badnat`.
    pub badnat: u64,
    /// `ns_inuse`: sessions now.
    pub inuse: u64,
    /// `ns_orphans`.
    pub orphans: u32,
    /// `ns_rules`.
    pub rules: u64,
    /// `ns_wilds`.
    pub wilds: u32,
    /// `ns_list`: the kernel address of the first rule (0: no rules).
    pub list: u64,
    /// `ns_instances`: the first session (0: none).
    pub instances: u64,
    /// `ns_maplist`: the first host mapping (0: none).
    pub maplist: u64,
}
