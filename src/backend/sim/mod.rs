//! The simulation backend: a file-backed model of dlmgmtd, the VNIC driver
//! and libdladm's property code, with the same outcomes and statuses.

mod datalink;
mod state;
mod state_file;

pub use datalink::SimDatalink;
pub use state::{LinkConf, PhysConf, STATE_VERSION, SimLink, SimState};
pub use state_file::StateFile;

use crate::backend::DlResult;

/// Read the state, apply `f` and store the result, all under the lock. The
/// state is left as it was when `f` fails.
pub fn transact<T>(
    file: &StateFile,
    f: impl FnOnce(&mut SimState) -> DlResult<T>,
) -> DlResult<(T, SimState)> {
    let lock = file.lock()?;
    let mut st = file.load()?;
    let out = f(&mut st)?;
    file.store(&lock, &st)?;
    Ok((out, st))
}

/// Fresh random bytes (for random MAC addresses).
pub fn random_bytes(buf: &mut [u8]) -> std::io::Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")?.read_exact(buf)
}

/// `xbow sim add-phys`: a NIC appears (active and persistent, like a
/// device found at boot).
pub fn add_phys(file: &StateFile, name: &str, phys: PhysConf, mtu: u32) -> DlResult<()> {
    use crate::model::link::LinkClass;
    use crate::model::status::DlStatus;
    transact(file, |st| {
        if st.by_name(name).is_some() {
            return Err(DlStatus::Exist.into());
        }
        let conf = LinkConf {
            mtu: Some(mtu),
            phys: Some(phys),
            ..LinkConf::default()
        };
        st.insert(name, LinkClass::Phys, Some(conf.clone()), Some(conf));
        Ok(())
    })
    .map(|_| ())
}

/// `xbow sim remove-phys`: a NIC is taken out; refused while links are
/// configured over it.
pub fn remove_phys(file: &StateFile, name: &str) -> DlResult<()> {
    use crate::model::link::LinkClass;
    use crate::model::status::DlStatus;
    transact(file, |st| {
        let l = st.by_name(name).ok_or(DlStatus::Notfound)?;
        if l.class != LinkClass::Phys {
            return Err(DlStatus::Badarg.into());
        }
        let id = l.id;
        let used = st.links.iter().any(|o| {
            [&o.active, &o.persistent]
                .iter()
                .any(|c| c.as_ref().is_some_and(|c| c.over == Some(id)))
        });
        if used {
            return Err(DlStatus::Linkbusy.into());
        }
        st.remove(id);
        Ok(())
    })
    .map(|_| ())
}

/// `xbow sim reboot`.
pub fn reboot(file: &StateFile) -> DlResult<()> {
    transact(file, |st| {
        st.reboot();
        Ok(())
    })
    .map(|_| ())
}
