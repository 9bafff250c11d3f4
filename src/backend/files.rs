//! Opening the files xbow owns or reads, safely: state, temporary and lock
//! files never through a symbolic link, created with exactly the mode xbow
//! means (whatever the umask), temporary files only as new files, every
//! input read with a size bound, and a lock held by someone else waited
//! for a bounded time only.
//!
//! One module for every backend and command: the sim and Linux state, the
//! `xbow net` lock and spec, `ipnat -f`.

use std::ffi::OsString;
use std::fs::{self, DirBuilder, File, OpenOptions, Permissions};
use std::io::{self, ErrorKind, Read};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The largest state file xbow reads (a 10,000-VNIC sim state is a few
/// MB).
pub const STATE_MAX: u64 = 64 << 20;
/// The largest `xbow net` spec xbow reads.
pub const SPEC_MAX: u64 = 64 << 20;
/// The largest `ipnat.conf` (file or standard input) xbow reads (100,000
/// rules are about 6 MB).
pub const NAT_CONF_MAX: u64 = 64 << 20;

/// How long a lock held by another process is waited for by default.
pub const LOCK_TIMEOUT: Duration = Duration::from_secs(30);
/// The variable that overrides [`LOCK_TIMEOUT`], in seconds.
pub const LOCK_TIMEOUT_VAR: &str = "XBOW_LOCK_TIMEOUT";

/// Why a file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The input is larger than the limit for its kind.
    #[error("larger than the {} limit", mib(*.0))]
    TooLarge(u64),
    /// The path is a symbolic link where xbow opens only the file itself.
    #[error("is a symbolic link; xbow does not follow it")]
    Symlink,
    /// A FIFO or socket where xbow keeps a file of its own.
    #[error("is not a regular file")]
    NotAFile,
    /// Another process held the lock for longer than the wait allows.
    #[error(
        "locked by another process ({holder}); gave up after {waited:?} (set {LOCK_TIMEOUT_VAR} to wait longer)"
    )]
    Locked { holder: String, waited: Duration },
    /// `XBOW_LOCK_TIMEOUT` is not a number of seconds.
    #[error("{LOCK_TIMEOUT_VAR}={0:?}: not a number of seconds")]
    BadTimeout(String),
    #[error("{0}")]
    Io(#[from] io::Error),
}

fn mib(n: u64) -> String {
    if n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else {
        format!("{n} bytes")
    }
}

/// `ELOOP` from an `O_NOFOLLOW` open means the last component is a link:
/// say so.
fn nofollow_err(path: &Path, e: io::Error) -> FileError {
    if e.raw_os_error() == Some(libc::ELOOP)
        && fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
    {
        FileError::Symlink
    } else {
        FileError::Io(e)
    }
}

/// Read all of `r`, failing once it gives more than `limit` bytes (so an
/// endless input — `/dev/zero`, a FIFO someone keeps writing — ends).
pub fn read_limited(r: impl Read, limit: u64) -> Result<Vec<u8>, FileError> {
    let mut v = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut v)?;
    if v.len() as u64 > limit {
        return Err(FileError::TooLarge(limit));
    }
    Ok(v)
}

/// Like [`read_limited`], but keep what was read before an error (the
/// caller decides what an error means), and fail only past the limit.
pub fn read_limited_lossy(r: impl Read, limit: u64) -> Result<Vec<u8>, FileError> {
    let mut v = Vec::new();
    let _ = r.take(limit.saturating_add(1)).read_to_end(&mut v);
    if v.len() as u64 > limit {
        return Err(FileError::TooLarge(limit));
    }
    Ok(v)
}

/// Read an owned file (a state): never through a symbolic link, never
/// from a FIFO or socket (whose open or read could wait forever), at most
/// `limit` bytes. `Ok(None)` when there is no such file.
pub fn read_owned(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, FileError> {
    // O_NONBLOCK: opening a FIFO with no writer returns at once (on a
    // regular file or a device it changes nothing).
    let f = match OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(nofollow_err(path, e)),
    };
    let t = f.metadata()?.file_type();
    if t.is_fifo() || t.is_socket() {
        return Err(FileError::NotAFile);
    }
    read_limited(f, limit).map(Some)
}

/// Read an input file a user names (a spec): links followed as any
/// program follows them, at most `limit` bytes.
pub fn read_input(path: &Path, limit: u64) -> Result<Vec<u8>, FileError> {
    read_limited(File::open(path)?, limit)
}

/// Create `path` as a new file of mode 0600 exactly (not through a link,
/// not over anything already there).
pub fn create_temp(path: &Path) -> Result<File, FileError> {
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| nofollow_err(path, e))?;
    // The mode given to open is masked by the umask; fchmod is not.
    f.set_permissions(Permissions::from_mode(0o600))?;
    Ok(f)
}

/// The temporary file next to `path` that this process writes.
pub fn temp_path(path: &Path) -> PathBuf {
    with_suffix(path, &format!(".tmp.{}", std::process::id()))
}

/// Whether `name` is what [`temp_path`] makes of `base` (for some pid).
fn is_temp_name(name: &std::ffi::OsStr, base: &std::ffi::OsStr) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let (name, base) = (name.as_bytes(), base.as_bytes());
    name.strip_prefix(base)
        .and_then(|r| r.strip_prefix(b".tmp."))
        .is_some_and(|pid| !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
}

/// Remove the temporary files of `path` that killed runs left behind:
/// regular files named as [`temp_path`] names them, never what a link
/// points to. Call it holding the lock that every writer holds. Returns
/// how many it removed; a file it cannot remove is left.
pub fn remove_stale_temps(path: &Path) -> usize {
    let Some(base) = path.file_name() else {
        return 0;
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in entries.flatten() {
        // The entry's own type: a link is a link, not what it points to.
        if is_temp_name(&e.file_name(), base)
            && e.file_type().is_ok_and(|t| t.is_file())
            && fs::remove_file(e.path()).is_ok()
        {
            n += 1;
        }
    }
    n
}

/// Create `dir` and its missing parents, each one this call creates of mode
/// 0700 exactly.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() || dir.is_dir() {
        return Ok(());
    }
    let mut missing = Vec::new();
    let mut d = Some(dir);
    while let Some(p) = d.filter(|p| !p.as_os_str().is_empty()) {
        if fs::symlink_metadata(p).is_ok() {
            break;
        }
        missing.push(p);
        d = p.parent();
    }
    for p in missing.into_iter().rev() {
        match DirBuilder::new().mode(0o700).create(p) {
            Ok(()) => fs::set_permissions(p, Permissions::from_mode(0o700))?,
            Err(e) if e.kind() == ErrorKind::AlreadyExists && p.is_dir() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Append `data` to `path` in one write, creating it of mode 0600 exactly
/// if it is not there: never through a link, never to anything but a
/// regular file (a FIFO planted there is not waited on).
pub fn append_private(path: &Path, data: &[u8]) -> Result<(), FileError> {
    use std::io::Write;
    let open = |create_new: bool| {
        OpenOptions::new()
            .append(true)
            .create_new(create_new)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| nofollow_err(path, e))
    };
    let (mut f, created) = match open(true) {
        Ok(f) => (f, true),
        Err(FileError::Io(e)) if e.kind() == ErrorKind::AlreadyExists => (open(false)?, false),
        Err(e) => return Err(e),
    };
    if !f.metadata()?.file_type().is_file() {
        return Err(FileError::NotAFile);
    }
    if created {
        f.set_permissions(Permissions::from_mode(0o600))?;
    }
    f.write_all(data)?;
    Ok(())
}

/// Open (creating it of mode 0600) the lock file `path`: never through a
/// link, so that only who may change the state can open it, and so lock it.
pub fn open_lock(path: &Path) -> Result<File, FileError> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        // O_NONBLOCK: never wait in open (a FIFO planted there).
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| nofollow_err(path, e))?;
    let m = f.metadata()?;
    if !m.file_type().is_file() {
        return Err(FileError::NotAFile);
    }
    // One this xbow made under a umask, or an older xbow made 0644: a file
    // anyone can open is a lock anyone can hold.
    if m.mode() & 0o7777 != 0o600 && m.uid() == euid() {
        f.set_permissions(Permissions::from_mode(0o600))?;
    }
    Ok(f)
}

fn euid() -> u32 {
    crate::sys::euid()
}

/// How long to wait for a lock: `XBOW_LOCK_TIMEOUT` seconds, else
/// [`LOCK_TIMEOUT`].
pub fn lock_timeout() -> Result<Duration, FileError> {
    match std::env::var_os(LOCK_TIMEOUT_VAR).filter(|v| !v.is_empty()) {
        None => Ok(LOCK_TIMEOUT),
        Some(v) => {
            let s = v.to_string_lossy().into_owned();
            s.trim()
                .parse::<f64>()
                .ok()
                .and_then(|x| Duration::try_from_secs_f64(x).ok())
                .ok_or(FileError::BadTimeout(s))
        }
    }
}

/// Take the exclusive lock on `f` (the file at `path`), waiting at most
/// `timeout` for another process to release it.
pub fn lock_within(f: &File, path: &Path, timeout: Duration) -> Result<(), FileError> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(()),
            Err(fs::TryLockError::Error(e)) => return Err(e.into()),
            Err(fs::TryLockError::WouldBlock) => {}
        }
        let waited = start.elapsed();
        if waited >= timeout {
            return Err(FileError::Locked {
                holder: holder(f, path),
                waited: timeout,
            });
        }
        std::thread::sleep(pause.min(timeout - waited));
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}

/// Who holds the lock on `f`, as far as can be told: the pid from
/// `/proc/locks` where there is one, and the lock file's owner.
fn holder(f: &File, path: &Path) -> String {
    let Ok(m) = f.metadata() else {
        return format!("lock file {}", path.display());
    };
    let mut s = String::new();
    if let Some(pid) = lock_pid(&m) {
        s.push_str(&format!("pid {pid}, "));
    }
    s.push_str(&format!(
        "lock file {} owned by uid {}",
        path.display(),
        m.uid()
    ));
    s
}

/// The pid `/proc/locks` gives for a lock on the file `m` describes.
#[cfg(target_os = "linux")]
fn lock_pid(m: &fs::Metadata) -> Option<u32> {
    // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"
    let dev = m.dev();
    let want = format!(
        "{:02x}:{:02x}:{}",
        libc::major(dev),
        libc::minor(dev),
        m.ino()
    );
    let text = fs::read_to_string("/proc/locks").ok()?;
    text.lines().find_map(|l| {
        let w: Vec<&str> = l.split_whitespace().collect();
        let i = w.iter().position(|x| *x == want)?;
        // A blocked waiter's line starts "1: -> FLOCK": skip those.
        (i >= 1 && !l.contains("->"))
            .then(|| w[i - 1].parse().ok())
            .flatten()
    })
}

#[cfg(not(target_os = "linux"))]
fn lock_pid(_: &fs::Metadata) -> Option<u32> {
    None
}

/// Replace the file at `path` with `data` atomically (a temporary file
/// of mode `mode`, renamed over it), never writing through a link.
pub fn replace(path: &Path, data: &[u8], mode: u32) -> Result<(), FileError> {
    use std::io::Write;
    let tmp = temp_path(path);
    let _ = fs::remove_file(&tmp);
    let r = create_temp(&tmp).and_then(|mut f| {
        f.write_all(data)?;
        f.sync_all()?;
        f.set_permissions(Permissions::from_mode(mode))?;
        Ok(fs::rename(&tmp, path)?)
    });
    if r.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    r
}

/// `path` with `suffix` appended to its last component.
pub fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::os::unix::fs::symlink;

    #[test]
    fn temp_is_not_created_through_a_link() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("target");
        fs::write(&target, "precious").unwrap();
        let tmp = d.path().join("s.json.tmp.1");
        symlink(&target, &tmp).unwrap();
        let e = create_temp(&tmp).unwrap_err();
        assert!(matches!(e, FileError::Symlink | FileError::Io(_)), "{e}");
        assert_eq!(fs::read_to_string(&target).unwrap(), "precious");
        // Nor over a file already there.
        let plain = d.path().join("s.json.tmp.2");
        fs::write(&plain, "x").unwrap();
        assert!(create_temp(&plain).is_err());
        assert_eq!(fs::read_to_string(&plain).unwrap(), "x");
    }

    #[test]
    fn temp_and_dir_modes_ignore_the_umask() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("a/b");
        create_private_dir(&dir).unwrap();
        for p in [d.path().join("a"), dir.clone()] {
            assert_eq!(fs::metadata(&p).unwrap().mode() & 0o7777, 0o700);
        }
        let t = dir.join("f.tmp.1");
        let mut f = create_temp(&t).unwrap();
        f.write_all(b"x").unwrap();
        assert_eq!(fs::metadata(&t).unwrap().mode() & 0o7777, 0o600);
        // A 0644 lock file of ours is made 0600.
        let l = dir.join("f.lock");
        fs::write(&l, "").unwrap();
        fs::set_permissions(&l, Permissions::from_mode(0o644)).unwrap();
        open_lock(&l).unwrap();
        assert_eq!(fs::metadata(&l).unwrap().mode() & 0o7777, 0o600);
    }

    #[test]
    fn owned_files_are_not_read_through_a_link() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("target");
        fs::write(&target, "{}").unwrap();
        let p = d.path().join("s.json");
        symlink(&target, &p).unwrap();
        let e = read_owned(&p, STATE_MAX).unwrap_err();
        assert!(matches!(e, FileError::Symlink), "{e}");
        assert_eq!(e.to_string(), "is a symbolic link; xbow does not follow it");
        let lock = d.path().join("s.json.lock");
        symlink(&target, &lock).unwrap();
        assert!(matches!(open_lock(&lock), Err(FileError::Symlink)));
        assert!(read_owned(&d.path().join("none"), 1).unwrap().is_none());
    }

    #[test]
    fn reads_are_bounded() {
        let e = read_limited(io::repeat(0), 1 << 20).unwrap_err();
        assert_eq!(e.to_string(), "larger than the 1 MiB limit");
        assert_eq!(read_limited(&b"abc"[..], 3).unwrap(), b"abc");
        assert!(read_limited(&b"abcd"[..], 3).is_err());
        let e = read_owned(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(matches!(e, FileError::TooLarge(_)), "{e}");
    }

    #[test]
    fn a_fifo_is_not_waited_for() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.json");
        let ok = std::process::Command::new("mkfifo")
            .arg(&p)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return;
        }
        let e = read_owned(&p, STATE_MAX).unwrap_err();
        assert_eq!(e.to_string(), "is not a regular file");
        let e = open_lock(&p).unwrap_err();
        assert_eq!(e.to_string(), "is not a regular file");
    }

    #[test]
    fn stale_temps_are_removed_and_nothing_else() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.json");
        let target = d.path().join("target");
        fs::write(&target, "keep").unwrap();
        for n in ["s.json.tmp.12", "s.json.tmp.3"] {
            fs::write(d.path().join(n), "").unwrap();
        }
        for n in ["s.json.tmp.", "s.json.tmp.1x", "t.json.tmp.1", "s.json"] {
            fs::write(d.path().join(n), "").unwrap();
        }
        symlink(&target, d.path().join("s.json.tmp.99")).unwrap();
        fs::create_dir(d.path().join("s.json.tmp.7")).unwrap();
        assert_eq!(remove_stale_temps(&p), 2);
        let mut left: Vec<String> = fs::read_dir(d.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "s.json",
                "s.json.tmp.",
                "s.json.tmp.1x",
                "s.json.tmp.7",
                "s.json.tmp.99",
                "t.json.tmp.1",
                "target"
            ]
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "keep");
    }

    #[test]
    fn a_held_lock_is_waited_for_then_reported() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.json.lock");
        let a = open_lock(&p).unwrap();
        lock_within(&a, &p, Duration::ZERO).unwrap();
        let b = open_lock(&p).unwrap();
        let e = lock_within(&b, &p, Duration::from_millis(50)).unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("locked by another process ("), "{text}");
        assert!(text.contains(&format!("owned by uid {}", euid())), "{text}");
        drop(a);
        lock_within(&b, &p, Duration::from_millis(50)).unwrap();
    }
}
