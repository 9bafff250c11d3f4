//! The illumos backend: the datalink trait on libdladm (loaded at run
//! time, in whichever `dladm_vnic_create` generation the host has) and the
//! link kstats; and the NAT trait on `/dev/ipnat`. The conversions are
//! plain code, tested everywhere; the calls exist only on illumos.

mod convert;
#[cfg(target_os = "illumos")]
mod datalink;
#[cfg(target_os = "illumos")]
mod nat;
mod nat_decode;
mod status;

#[cfg(target_os = "illumos")]
pub use datalink::IllumosDatalink;
#[cfg(target_os = "illumos")]
pub use nat::IllumosNat;
