//! The illumos backend: the datalink trait on libdladm (loaded at run
//! time, in whichever `dladm_vnic_create` generation the host has) and the
//! link kstats. The conversions are plain code, tested everywhere; the
//! calls exist only on illumos.

mod convert;
#[cfg(target_os = "illumos")]
mod datalink;
mod status;

#[cfg(target_os = "illumos")]
pub use datalink::IllumosDatalink;
