//! The Linux backend: xbow's state model (the one the sim keeps) made real
//! on a Linux kernel — bridges for etherstubs, veth pairs and macvlans for
//! VNICs, `tc` shapers for `maxbw`, named network namespaces for zones, an
//! nftables table for NAT and conntrack for its sessions.

pub mod conntrack;
mod desired;
mod kernel;
pub mod netlink;
pub mod netns;
pub mod nft;
mod ops;
pub mod tc;

pub use kernel::LinuxKernel;

use crate::backend::DlError;
use crate::backend::sim::StateFile;
use std::sync::Arc;

/// Where xbow keeps the Linux backend's state: `XBOW_LINUX_STATE`, else
/// `/run/xbow/linux.json`. It describes what the running kernel holds, so
/// it lives where a reboot clears it (the persistent configuration is the
/// `xbow net` spec).
pub fn state_path() -> std::path::PathBuf {
    std::env::var_os("XBOW_LINUX_STATE")
        .filter(|v| !v.is_empty())
        .map_or_else(|| "/run/xbow/linux.json".into(), Into::into)
}

/// The state, realized on this kernel.
pub fn state_file() -> Result<StateFile, DlError> {
    Ok(StateFile::with_kernel(
        state_path(),
        Arc::new(LinuxKernel::default()),
    ))
}
