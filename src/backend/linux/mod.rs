//! The Linux backend: xbow's state model (the one the sim keeps) made real
//! on a Linux kernel — bridges for etherstubs, veth pairs and macvlans for
//! VNICs, `tc` shapers for `maxbw`, named network namespaces for zones, an
//! nftables table for NAT and conntrack for its sessions, one for IP
//! Filter's packet filter rules, and one for link protection.

pub mod conntrack;
mod desired;
mod kernel;
pub mod netlink;
pub mod netns;
pub mod nft;
pub mod nft_filter;
mod ops;
mod props;
mod protect;
pub mod tc;

pub use kernel::LinuxKernel;

use crate::backend::DlError;
use crate::backend::sim::StateFile;
use std::sync::Arc;

/// Where xbow keeps the Linux backend's state: `XBOW_LINUX_STATE`, else
/// `/run/xbow/linux-NETNS.json`, one per network namespace (NETNS is the
/// inode of the calling thread's), so that xbow in two namespaces never
/// shares one state. It describes what the running kernel holds, so it
/// lives where a reboot clears it (the persistent configuration is the
/// `xbow net` spec).
pub fn state_path() -> std::path::PathBuf {
    std::env::var_os("XBOW_LINUX_STATE")
        .filter(|v| !v.is_empty())
        .map_or_else(
            || format!("/run/xbow/linux-{}.json", netns_inode()).into(),
            Into::into,
        )
}

/// The inode of this thread's network namespace (`net:[INODE]`).
fn netns_inode() -> String {
    std::fs::read_link("/proc/thread-self/ns/net")
        .ok()
        .and_then(|l| {
            let l = l.to_string_lossy().into_owned();
            let ino = l.strip_prefix("net:[")?.strip_suffix(']')?;
            ino.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| ino.to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}

/// The state, realized on this kernel.
pub fn state_file() -> Result<StateFile, DlError> {
    Ok(StateFile::with_kernel(
        state_path(),
        Arc::new(LinuxKernel::default()),
    ))
}
