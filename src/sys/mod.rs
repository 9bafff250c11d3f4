//! The only place with `unsafe`: calls into the platform's C interfaces.

#[cfg(target_os = "illumos")]
pub mod illumos_scf;

#[cfg(any(test, target_os = "illumos"))]
pub mod dladm_abi;
#[cfg(any(test, target_os = "illumos"))]
pub mod dladm_records;
#[cfg(target_os = "illumos")]
pub mod illumos;
#[cfg(any(test, target_os = "illumos"))]
pub mod illumos_types;
#[cfg(any(test, target_os = "illumos"))]
pub mod ipf_abi;
#[cfg(any(test, target_os = "illumos"))]
pub mod ipf_decode;
#[cfg(any(test, target_os = "illumos"))]
pub mod ipnat_abi;
pub mod netdb;

/// The height of the terminal on stdout, if stdout is one.
pub fn terminal_rows() -> Option<usize> {
    let mut ws = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `struct winsize` through the pointer,
    // which points to a live, properly aligned `winsize` on our stack.
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_row > 0).then_some(usize::from(ws.ws_row))
}

/// Whether the process runs with the superuser's effective uid.
pub fn is_superuser() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// Leave the terminal's session (`setsid`), so that closing the terminal
/// does not end this process.
pub fn new_session() {
    // SAFETY: setsid takes no arguments and only changes this process's
    // session and process group (it fails harmlessly for a group leader).
    unsafe { libc::setsid() };
}

/// Point standard output at `/dev/null` (a parent reading a pipe has what
/// it needed).
pub fn close_stdout() {
    use std::os::fd::AsRawFd;
    if let Ok(null) = std::fs::OpenOptions::new().write(true).open("/dev/null") {
        // SAFETY: both are open descriptors (`null` lives to the end of
        // this block); dup2 only makes descriptor 1 a copy of it.
        unsafe { libc::dup2(null.as_raw_fd(), libc::STDOUT_FILENO) };
    }
}

/// `Command::new(program)` whose process is killed when the thread that
/// starts it ends (`PR_SET_PDEATHSIG`): a helper (`nft`, `conntrack`,
/// `tc`) of a killed xbow never goes on to change the kernel after the
/// next run has recovered it. (Every caller waits for its helper.)
#[cfg(target_os = "linux")]
pub fn helper_command(program: impl AsRef<std::ffi::OsStr>) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id();
    let mut c = std::process::Command::new(program);
    // SAFETY: the closure runs in the child between fork and exec, where
    // only async-signal-safe calls are allowed: prctl(2) and getppid(2)
    // are, and it allocates nothing (the error is made from an errno).
    unsafe {
        c.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent ended before the signal was asked for.
            if u32::try_from(libc::getppid()).ok() != Some(parent) {
                return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
            }
            Ok(())
        });
    }
    c
}

/// Ask process `pid` to end (`SIGTERM`); it may be gone already.
pub fn end_process(pid: u32) {
    // Never 0 (or, past i32::MAX, negative): those name process groups.
    if let Ok(p) = libc::pid_t::try_from(pid)
        && p > 0
    {
        // SAFETY: kill takes plain integers; a positive pid names one
        // process, and a failure (it is gone) is ignored.
        unsafe { libc::kill(p, libc::SIGTERM) };
    }
}

/// The process's effective uid.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// The network namespace's cookie (`SO_NETNS_COOKIE`, Linux 5.14 and
/// later): unique among the namespaces of one boot, never reused.
#[cfg(target_os = "linux")]
pub fn netns_cookie() -> Option<u64> {
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    // SAFETY: socket takes plain integers; a negative result is checked.
    let fd = unsafe { libc::socket(libc::AF_UNIX, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if fd < 0 {
        return None;
    }
    // SAFETY: fd is a new descriptor this function alone owns.
    let sock = unsafe { OwnedFd::from_raw_fd(fd) };
    let mut cookie: u64 = 0;
    let mut len = std::mem::size_of::<u64>() as libc::socklen_t;
    // SAFETY: the pointer and length describe `cookie`, a live u64 the
    // kernel writes at most `len` bytes into.
    let rc = unsafe {
        libc::getsockopt(
            sock.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_NETNS_COOKIE,
            (&raw mut cookie).cast(),
            &mut len,
        )
    };
    (rc == 0 && len as usize == std::mem::size_of::<u64>()).then_some(cookie)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use std::os::unix::process::ExitStatusExt;

    /// A helper dies with the thread that started it.
    #[test]
    fn a_helper_dies_with_its_starter() {
        let mut child = std::thread::spawn(|| {
            super::helper_command("sleep")
                .arg("30")
                .spawn()
                .expect("sleep")
        })
        .join()
        .expect("thread");
        let t = std::time::Instant::now();
        let status = child.wait().expect("wait");
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert!(t.elapsed() < std::time::Duration::from_secs(10));
    }
}
