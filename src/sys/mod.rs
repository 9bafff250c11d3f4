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

/// The process's effective uid.
pub fn euid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}
