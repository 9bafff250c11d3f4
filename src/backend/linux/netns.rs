//! Named network namespaces, kept the way iproute2 keeps them: a bind mount
//! of the namespace onto `/run/netns/NAME`, so `ip netns list` and
//! `ip netns exec` see ours and we see theirs.
//!
//! No thread of the caller ever changes namespace: work in a namespace runs
//! on a short-lived dedicated thread ([`run_in`]).
//!
//! The mounts are made in the mount namespace xbow was started from, also
//! when it runs in one of its own, as under `ip netns exec` (which
//! unshares the mount namespace to remount `/sys`): a mount made there
//! would vanish when xbow exits, and with it the zone's namespace.

use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::PathBuf;
use std::sync::Mutex;

use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags, mount, umount2};
use nix::sched::{CloneFlags, setns, unshare};
use nix::sys::statfs::NSFS_MAGIC;

/// Where iproute2 keeps named network namespaces.
pub const NETNS_RUN_DIR: &str = "/run/netns";

/// The calling thread's network namespace.
const THREAD_NETNS: &str = "/proc/thread-self/ns/net";
/// The calling thread's mount namespace.
const THREAD_MNTNS: &str = "/proc/thread-self/ns/mnt";

/// The mount namespace xbow was started from, if it runs in one of its
/// own: that of the nearest ancestor process whose mount namespace
/// differs (`ip netns exec` runs its command directly, so that is the
/// process that ran `ip`). `None` when every ancestor it can see shares
/// this one.
fn outer_mounts() -> io::Result<Option<PathBuf>> {
    let mine = fs::read_link(THREAD_MNTNS)?;
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..64 {
        if pid == 0 {
            break;
        }
        let ns = PathBuf::from(format!("/proc/{pid}/ns/mnt"));
        match fs::read_link(&ns) {
            Ok(theirs) if theirs != mine => return Ok(Some(ns)),
            Ok(_) => {}
            // Hidden (another user's, hidepid): nothing more to tell.
            Err(_) => break,
        }
        if pid == 1 {
            break;
        }
        pid = match parent_of(pid) {
            Some(p) => p,
            None => break,
        };
    }
    Ok(None)
}

/// The parent of process `pid` (`/proc/PID/stat`, after the command name).
fn parent_of(pid: u32) -> Option<u32> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// On the calling thread (a dedicated one): move into the mount namespace
/// xbow was started from if it runs in one of its own. The thread first
/// stops sharing its file-system attributes, which `setns` requires of a
/// thread in a process with several.
fn enter_host_mounts() -> io::Result<()> {
    let Some(outer) = outer_mounts()? else {
        return Ok(());
    };
    let enter = || -> io::Result<()> {
        unshare(CloneFlags::CLONE_FS)?;
        let f = fs::File::open(&outer)?;
        setns(f, CloneFlags::CLONE_NEWNS)?;
        Ok(())
    };
    enter().map_err(|e| {
        io::Error::other(format!(
            "xbow runs in a mount namespace of its own (as under `ip netns exec`) and cannot enter the one it was started from ({}: {e}): a namespace pinned here would vanish when xbow exits; run xbow in the host's mount namespace (nsenter --net=… keeps it)",
            outer.display()
        ))
    })
}

/// Run `f` on a dedicated thread in the host's mount namespace.
fn with_host_mounts<T: Send>(f: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
    std::thread::scope(|s| {
        s.spawn(|| {
            enter_host_mounts()?;
            f()
        })
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("mount thread panicked")))
    })
}

/// Serialises our own upgrades of [`NETNS_RUN_DIR`] to a mount point, so
/// two threads creating namespaces at once do not stack two bind mounts.
static RUN_DIR_LOCK: Mutex<()> = Mutex::new(());

/// The file of namespace `name`; refuses names that are not one path
/// component.
fn ns_path(name: &str) -> io::Result<PathBuf> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("invalid network namespace name \"{name}\""),
        ));
    }
    Ok(PathBuf::from(NETNS_RUN_DIR).join(name))
}

/// Makes [`NETNS_RUN_DIR`] exist and be a shared mount point, as
/// `ip netns add` does: try `--make-rshared`; if the kernel answers EINVAL
/// (not a mount point), bind-mount the directory onto itself once and retry.
fn prepare_run_dir() -> io::Result<()> {
    let _guard = RUN_DIR_LOCK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    match fs::DirBuilder::new().mode(0o755).create(NETNS_RUN_DIR) {
        Err(e) if e.kind() != io::ErrorKind::AlreadyExists => return Err(e),
        _ => {}
    }
    let mut made_mount = false;
    loop {
        let shared = MsFlags::MS_SHARED | MsFlags::MS_REC;
        match mount(Some(""), NETNS_RUN_DIR, Some("none"), shared, None::<&str>) {
            Ok(()) => return Ok(()),
            Err(Errno::EINVAL) if !made_mount => {
                let bind = MsFlags::MS_BIND | MsFlags::MS_REC;
                mount(
                    Some(NETNS_RUN_DIR),
                    NETNS_RUN_DIR,
                    Some("none"),
                    bind,
                    None::<&str>,
                )?;
                made_mount = true;
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// `ip netns add NAME`: a new, empty network namespace pinned at
/// `/run/netns/NAME`. Fails with `AlreadyExists` if the name is taken.
pub fn create(name: &str) -> io::Result<()> {
    let path = ns_path(name)?;
    std::thread::spawn(move || -> io::Result<()> {
        // This thread's own new namespace, pinned from the host's mounts.
        unshare(CloneFlags::CLONE_NEWNET)?;
        enter_host_mounts()?;
        prepare_run_dir()?;
        remove_if_stale(&path)?;
        fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o000)
            .open(&path)?;
        let pinned = mount(
            Some(THREAD_NETNS),
            &path,
            Some("none"),
            MsFlags::MS_BIND,
            None::<&str>,
        );
        if pinned.is_err() {
            let _ = fs::remove_file(&path);
        }
        Ok(pinned?)
    })
    .join()
    .unwrap_or_else(|_| Err(io::Error::other("namespace thread panicked")))
}

/// `ip netns delete NAME`: detach the mount and remove the file. Fails with
/// `NotFound` if there is no such namespace.
pub fn delete(name: &str) -> io::Result<()> {
    let path = ns_path(name)?;
    with_host_mounts(|| {
        // Like iproute2, ignore a failed unmount (a file that was never a
        // mount point) and let the unlink report what matters.
        let _ = umount2(&path, MntFlags::MNT_DETACH);
        fs::remove_file(&path)
    })
}

/// Whether namespace `name` exists: its file is a namespace's mount.
pub fn exists(name: &str) -> bool {
    ns_path(name).is_ok_and(|p| is_namespace(&p))
}

fn is_namespace(path: &std::path::Path) -> bool {
    nix::sys::statfs::statfs(path).is_ok_and(|s| s.filesystem_type() == NSFS_MAGIC)
}

/// Remove the file of namespace `name` if it is stale: an empty regular
/// file that is no namespace's mount, which a run killed between making
/// the file and mounting the namespace on it (or between unmounting and
/// removing it) leaves, and which names no namespace for anyone.
pub fn remove_stale(name: &str) -> io::Result<()> {
    let path = ns_path(name)?;
    with_host_mounts(|| remove_if_stale(&path))
}

/// [`remove_stale`] in the host's mount namespace.
fn remove_if_stale(path: &std::path::Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_file() && m.len() == 0 && !is_namespace(path) => {
            match fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

/// An fd of the named namespace, for `setns` or
/// [`Netlink::set_netns`](super::netlink::Netlink::set_netns).
pub fn open(name: &str) -> io::Result<OwnedFd> {
    Ok(fs::File::open(ns_path(name)?)?.into())
}

/// An fd of the calling thread's network namespace.
pub fn current() -> io::Result<OwnedFd> {
    Ok(fs::File::open(THREAD_NETNS)?.into())
}

/// Runs `f` on a dedicated thread that has entered namespace `name` and ends
/// afterwards, so no other thread ever changes namespace. Sockets `f` opens
/// belong to `name`. A panic in `f` is propagated to the caller.
pub fn run_in<T: Send>(name: &str, f: impl FnOnce() -> T + Send) -> io::Result<T> {
    let ns = open(name)?;
    std::thread::scope(|s| {
        let worker = s.spawn(move || -> io::Result<T> {
            setns(&ns, CloneFlags::CLONE_NEWNET)?;
            drop(ns);
            Ok(f())
        });
        worker
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// [`run_in`] of an `f` that may fail: the failure to enter `name` or
/// `f`'s, as text naming the namespace where entering failed.
pub fn try_in<T: Send>(
    name: &str,
    f: impl FnOnce() -> Result<T, String> + Send,
) -> Result<T, String> {
    run_in(name, f)
        .map_err(|e| format!("network namespace {name}: {e}"))
        .and_then(|r| r)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;
    use std::process::Command;

    /// A namespace that is deleted when dropped, even if a test fails.
    pub(crate) struct TestNs(pub(crate) String);

    impl TestNs {
        /// Creates `xbt<pid><tag>`; `None` (test skipped) without the
        /// privilege to create namespaces.
        pub(crate) fn new(tag: &str) -> Option<TestNs> {
            let name = format!("xbt{}{}", std::process::id(), tag);
            match create(&name) {
                Ok(()) => Some(TestNs(name)),
                Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                    eprintln!("skipped: creating a namespace needs root ({e})");
                    None
                }
                Err(e) => panic!("create namespace {name}: {e}"),
            }
        }
    }

    impl Drop for TestNs {
        fn drop(&mut self) {
            if let Err(e) = delete(&self.0) {
                eprintln!("cleanup of namespace {}: {e}", self.0);
            }
        }
    }

    fn netns_inode() -> u64 {
        fs::metadata(THREAD_NETNS).unwrap().ino()
    }

    #[test]
    fn names_are_one_path_component() {
        for bad in ["", ".", "..", "a/b", "/x"] {
            assert_eq!(create(bad).unwrap_err().kind(), io::ErrorKind::InvalidInput);
            assert_eq!(delete(bad).unwrap_err().kind(), io::ErrorKind::InvalidInput);
            assert_eq!(open(bad).unwrap_err().kind(), io::ErrorKind::InvalidInput);
            assert!(!exists(bad));
        }
    }

    #[test]
    fn a_stale_file_is_no_namespace_and_is_replaced() {
        // What a kill between making the file and mounting on it (or
        // between unmounting and removing) leaves.
        let Some(ns) = TestNs::new("st") else { return };
        let name = format!("{}x", ns.0);
        let path = ns_path(&name).unwrap();
        fs::File::create(&path).unwrap();
        assert!(!exists(&name));
        create(&name).unwrap();
        assert!(exists(&name));
        // A namespace is never taken for a stale file.
        remove_stale(&name).unwrap();
        assert!(exists(&name));
        delete(&name).unwrap();
        fs::File::create(&path).unwrap();
        remove_stale(&name).unwrap();
        assert!(!path.exists());
        // Nor is a file with something in it.
        fs::write(&path, "x").unwrap();
        remove_stale(&name).unwrap();
        assert!(path.exists());
        fs::remove_file(&path).unwrap();
    }

    #[test]
    fn create_list_enter_delete() {
        let Some(ns) = TestNs::new("ns") else { return };
        let name = ns.0.clone();
        assert!(exists(&name));
        assert_eq!(
            create(&name).unwrap_err().kind(),
            io::ErrorKind::AlreadyExists
        );

        let list = Command::new("ip").args(["netns", "list"]).output().unwrap();
        let list = String::from_utf8_lossy(&list.stdout);
        assert!(
            list.lines()
                .any(|l| l.split_whitespace().next() == Some(name.as_str())),
            "ip netns list: {list}"
        );

        // The thread run_in starts is in the namespace; the caller is not.
        let here = netns_inode();
        let there = run_in(&name, netns_inode).unwrap();
        assert_ne!(here, there);
        assert_eq!(there, fs::metadata(ns_path(&name).unwrap()).unwrap().ino());
        assert_eq!(netns_inode(), here);
        let fd = open(&name).unwrap();
        assert_eq!(fs::File::from(fd).metadata().unwrap().ino(), there);
        let fd = current().unwrap();
        assert_eq!(fs::File::from(fd).metadata().unwrap().ino(), here);

        // Closures may borrow from the caller.
        let mut seen = Vec::new();
        run_in(&name, || seen.push(1)).unwrap();
        assert_eq!(seen, [1]);

        drop(ns);
        assert!(!exists(&name));
        assert_eq!(delete(&name).unwrap_err().kind(), io::ErrorKind::NotFound);
        assert_eq!(
            run_in(&name, || ()).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn run_in_propagates_panics() {
        let Some(ns) = TestNs::new("panic") else {
            return;
        };
        let caught = std::panic::catch_unwind(|| {
            run_in::<()>(&ns.0, || panic!("boom")).unwrap();
        })
        .unwrap_err();
        assert_eq!(caught.downcast_ref::<&str>(), Some(&"boom"));
    }
}
