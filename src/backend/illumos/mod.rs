//! The illumos backend: the datalink trait on libdladm (loaded at run
//! time, in whichever `dladm_vnic_create` generation the host has) and the
//! link kstats; and the NAT trait on `/dev/ipnat`. The conversions are
//! plain code, tested everywhere; the calls exist only on illumos.

// Off illumos only the plain code is built: the conversions for their
// unit tests, `host_parse` also for the test suites.
#[cfg(any(test, target_os = "illumos"))]
mod convert;
#[cfg(target_os = "illumos")]
mod datalink;
#[cfg(target_os = "illumos")]
mod filter;
#[cfg(any(test, target_os = "illumos"))]
mod filter_image;
#[cfg(target_os = "illumos")]
mod host;
pub mod host_parse;
#[cfg(target_os = "illumos")]
mod nat;
#[cfg(any(test, target_os = "illumos"))]
mod nat_decode;
#[cfg(target_os = "illumos")]
mod netdb;
#[cfg(any(test, target_os = "illumos"))]
mod overlay;
#[cfg(any(test, target_os = "illumos"))]
mod status;

#[cfg(target_os = "illumos")]
pub use datalink::IllumosDatalink;
#[cfg(target_os = "illumos")]
pub use filter::IllumosFilter;
#[cfg(target_os = "illumos")]
pub use host::{IllumosIp, IllumosRulesFiles, IllumosServices, IllumosZones};
#[cfg(target_os = "illumos")]
pub use nat::IllumosNat;
#[cfg(target_os = "illumos")]
pub use netdb::SystemNetdb;
