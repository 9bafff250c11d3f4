//! `/dev/ipnat` and `/dev/ipf`: the IP Filter ioctls `ipnat` makes, with
//! `ipfobj_t` wrappers of the exact sizes the 4.1.9 kernel demands. Every
//! call answers with the kernel's errno; what it means is the backend's
//! business.

use crate::sys::ipnat_abi::*;
use std::ffi::{CString, c_char, c_int, c_void};
use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;

/// `IPNAT_NAME`, `IPL_NAME` (`ip_fil.h`; Solaris names the filter device
/// `/dev/ipf`).
pub const IPNAT_NAME: &str = "/dev/ipnat";
pub const IPL_NAME: &str = "/dev/ipf";

/// A raw errno from the kernel.
pub type Errno = i32;

/// Room for one `SIOCGENITER` item. The kernel copies `sizeof` *its*
/// structure without looking at the caller's buffer, so the buffer is much
/// larger than every layout known (`nat_t` 480, `ipnat_t` 384,
/// `hostmap_t` 104); only the known prefix is read.
pub const ITER_BUF: usize = 4096;

const _: () = assert!(ITER_BUF >= 2 * NAT_T_SIZE && ITER_BUF >= 2 * IPNAT_T_SIZE);

/// A zeroed, 8-byte aligned buffer for the kernel to copy a structure in
/// or out (every byte is initialised, so reading it back is sound).
#[repr(C, align(8))]
pub struct KBuf<const N: usize>(pub [u8; N]);

impl<const N: usize> KBuf<N> {
    pub fn zeroed() -> Box<KBuf<N>> {
        Box::new(KBuf([0; N]))
    }
}

// getzoneidbyname(3C) is in libc, but not in the `libc` crate.
unsafe extern "C" {
    fn getzoneidbyname(name: *const c_char) -> libc::zoneid_t;
}

fn last_errno() -> Errno {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// The zone id of `name`, or `None` if there is no such zone (or the name
/// has a NUL byte).
pub fn zone_id(name: &str) -> Option<c_int> {
    let name = CString::new(name).ok()?;
    // SAFETY: `name` is a NUL-terminated string that outlives the call;
    // getzoneidbyname only reads it.
    let id = unsafe { getzoneidbyname(name.as_ptr()) };
    (id >= 0).then_some(id)
}

/// An open IP Filter device (closed on drop).
pub struct IpfDevice {
    file: File,
}

impl IpfDevice {
    /// `open(path, write ? O_RDWR : O_RDONLY)` (close-on-exec).
    pub fn open(path: &str, write: bool) -> std::io::Result<IpfDevice> {
        let file = OpenOptions::new().read(true).write(write).open(path)?;
        Ok(IpfDevice { file })
    }

    /// `ioctl(fd, req, arg)`.
    ///
    /// # Safety
    /// `req` must be an ioctl whose argument is a `T` (read, written or
    /// both by the kernel), and every pointer inside `*arg` must point to
    /// live memory of at least the size the kernel will copy there.
    pub(super) unsafe fn ioctl<T>(&self, req: c_int, arg: &mut T) -> Result<(), Errno> {
        // SAFETY: the descriptor is open for as long as `self`; the caller
        // guarantees what `arg` is and points to. `arg` is `&mut`, so the
        // kernel may write through it.
        let rc = unsafe { libc::ioctl(self.file.as_raw_fd(), req, arg as *mut T) };
        if rc == -1 { Err(last_errno()) } else { Ok(()) }
    }

    /// An `ipfobj_t` ioctl on the `N`-byte object in `buf`.
    fn obj_ioctl<const N: usize>(
        &self,
        req: c_int,
        ty: c_int,
        buf: &mut KBuf<N>,
    ) -> Result<(), Errno> {
        self.obj_ioctl_sized(req, ty, buf, N)
    }

    /// An `ipfobj_t` ioctl on an object of `size` bytes at the start of
    /// `buf` (for objects whose size depends on the kernel).
    pub(super) fn obj_ioctl_sized<const N: usize>(
        &self,
        req: c_int,
        ty: c_int,
        buf: &mut KBuf<N>,
        size: usize,
    ) -> Result<(), Errno> {
        assert!(size <= N, "an ipfobj_t object larger than its buffer");
        let mut obj = IpfObj::new(ty, size, buf.0.as_mut_ptr().cast::<c_void>());
        // SAFETY: every request passed here takes an `ipfobj_t`, whose
        // pointer is `buf`: `N` >= `size` = `ipfo_size` live, writable
        // bytes, and the kernel copies exactly `ipfo_size` bytes (it
        // refuses any other size than its own with EINVAL).
        unsafe { self.ioctl(req, &mut obj) }
    }

    /// `SIOCGETFS` (`/dev/ipf`) in the `friostat_t` layout `layout`: the
    /// structure's bytes (the first `layout.size()` of the buffer), or the
    /// errno (`EINVAL` if the kernel's `friostat_t` has another size).
    pub fn get_fs(&self, layout: FriostatLayout) -> Result<Box<KBuf<FRIOSTAT_T_MAX_SIZE>>, Errno> {
        let mut buf = KBuf::<FRIOSTAT_T_MAX_SIZE>::zeroed();
        self.obj_ioctl_sized(SIOCGETFS, IPFOBJ_IPFSTAT, &mut buf, layout.size())?;
        Ok(buf)
    }

    /// `SIOCGNATS`: the `natstat_t` bytes.
    pub fn nat_stats(&self) -> Result<Box<KBuf<NATSTAT_T_SIZE>>, Errno> {
        let mut buf = KBuf::<NATSTAT_T_SIZE>::zeroed();
        self.obj_ioctl(SIOCGNATS, IPFOBJ_NATSTAT, &mut buf)?;
        Ok(buf)
    }

    /// `SIOCADNAT` with an `ipnat_t` image.
    pub fn add_nat(&self, rule: &[u8; IPNAT_T_SIZE]) -> Result<(), Errno> {
        let mut buf = KBuf::<IPNAT_T_SIZE>::zeroed();
        buf.0.copy_from_slice(rule);
        self.obj_ioctl(SIOCADNAT, IPFOBJ_IPNAT, &mut buf)
    }

    /// `SIOCRMNAT` with an `ipnat_t` image.
    pub fn remove_nat(&self, rule: &[u8; IPNAT_T_SIZE]) -> Result<(), Errno> {
        let mut buf = KBuf::<IPNAT_T_SIZE>::zeroed();
        buf.0.copy_from_slice(rule);
        self.obj_ioctl(SIOCRMNAT, IPFOBJ_IPNAT, &mut buf)
    }

    /// `SIOCIPFFL`: the count the kernel writes back over `which`.
    pub fn flush(&self, which: c_int) -> Result<c_int, Errno> {
        self.int_ioctl(SIOCIPFFL, which)
    }

    /// An ioctl whose argument is one `int` (or `u_int`) the kernel reads
    /// and may overwrite: `req` must be such a request (`SIOCIPFFL`,
    /// `SIOCSWAPA`, `SIOCGETFF`, …). Returns the `int` afterwards.
    pub(super) fn int_ioctl(&self, req: c_int, value: c_int) -> Result<c_int, Errno> {
        let mut n: c_int = value;
        // SAFETY: every request passed here takes a pointer to one int,
        // which the kernel reads and/or overwrites; `n` is a live int.
        unsafe { self.ioctl(req, &mut n)? };
        Ok(n)
    }

    /// One `SIOCGENITER` step of list `kind` (`IPFGENITER_*`): the next
    /// item, or an all-zero one once the list is exhausted.
    pub fn gen_iter(&self, kind: c_int, buf: &mut KBuf<ITER_BUF>) -> Result<(), Errno> {
        buf.0.fill(0);
        let mut it = IpfGenIter {
            igi_type: kind,
            igi_nitems: 1,
            igi_data: buf.0.as_mut_ptr().cast::<c_void>(),
        };
        let mut obj = IpfObj::new(
            IPFOBJ_GENITER,
            std::mem::size_of::<IpfGenIter>(),
            (&raw mut it).cast::<c_void>(),
        );
        // SAFETY: SIOCGENITER takes an `ipfobj_t` pointing to an
        // `ipfgeniter_t` (`it`, live for the call, of exactly `ipfo_size`
        // bytes); with `igi_nitems` 1 the kernel copies one structure of
        // its own size (at most a few hundred bytes) to `igi_data`, which
        // points to ITER_BUF live, writable bytes.
        unsafe { self.ioctl(SIOCGENITER, &mut obj) }
    }

    /// `SIOCIPFDELTOK`: drop this process's iterator token for `kind`
    /// (`ESRCH` when the kernel already freed it at the end of the list).
    pub fn delete_token(&self, kind: c_int) -> Result<(), Errno> {
        self.int_ioctl(SIOCIPFDELTOK, kind).map(|_| ())
    }

    /// `SIOCIPFZONESET`: make this descriptor address `zone`'s stack (its
    /// GZ-controlled one when `gz`). The name is copied as `ipnat` copies
    /// it: at most `ZONENAME_MAX` bytes, the rest zero.
    pub fn set_zone(&self, zone: &[u8], gz: bool) -> Result<(), Errno> {
        let mut z = IpfZoneObj {
            ipfz_gz: u32::from(gz),
            ipfz_zonename: [0; ZONENAME_MAX],
        };
        for (d, s) in z.ipfz_zonename.iter_mut().zip(zone) {
            *d = *s as c_char;
        }
        // SAFETY: SIOCIPFZONESET takes a pointer to an `ipfzoneobj_t`
        // (not an `ipfobj_t`); `z` is one, live for the call.
        unsafe { self.ioctl(SIOCIPFZONESET, &mut z) }
    }
}
