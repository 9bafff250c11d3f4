//! The name databases through libc: `gethostname(3C)` everywhere, and on
//! illumos `getservbyname(3SOCKET)`, `getservbyport`, `getprotobyname` and
//! `getprotobynumber`, which answer from the system's name services.

/// `gethostname()`: this host's name.
pub fn hostname() -> Option<Vec<u8>> {
    let mut buf = [0u8; 257];
    // SAFETY: the pointer and length describe `buf`, a live, writable
    // local array; gethostname writes at most `len` bytes into it.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if rc != 0 {
        return None;
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    Some(buf[..end].to_vec())
}

/// `getifaddrs()`: the IP addresses configured on this machine's
/// interfaces (in the current network namespace on Linux).
pub fn local_addrs() -> std::io::Result<Vec<std::net::IpAddr>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs stores a list it allocated through the pointer,
    // which points to a live local; it is freed below with freeifaddrs.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let mut out = Vec::new();
    let mut p = head;
    while !p.is_null() {
        // SAFETY: `p` is an element of the list getifaddrs returned, not
        // yet freed; `ifa_addr`, when not null, points to a sockaddr whose
        // family says which sockaddr_in/sockaddr_in6 it is.
        unsafe {
            let a = (*p).ifa_addr;
            if !a.is_null() {
                match i32::from((*a).sa_family) {
                    libc::AF_INET => {
                        let sin = &*a.cast::<libc::sockaddr_in>();
                        out.push(
                            std::net::Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr)).into(),
                        );
                    }
                    libc::AF_INET6 => {
                        let sin6 = &*a.cast::<libc::sockaddr_in6>();
                        out.push(std::net::Ipv6Addr::from(sin6.sin6_addr.s6_addr).into());
                    }
                    _ => {}
                }
            }
            p = (*p).ifa_next;
        }
    }
    // SAFETY: `head` is the list getifaddrs returned, freed once.
    unsafe { libc::freeifaddrs(head) };
    Ok(out)
}

#[cfg(target_os = "illumos")]
pub use lookups::{proto_by_name, proto_by_number, serv_by_name, serv_by_port};

#[cfg(target_os = "illumos")]
mod lookups {
    use std::ffi::{CStr, CString};
    use std::sync::Mutex;

    /// The `get*by*` functions return pointers into static buffers: one
    /// lookup at a time, and each result copied before the next.
    static LOCK: Mutex<()> = Mutex::new(());

    fn cstring(b: &[u8]) -> Option<CString> {
        CString::new(b).ok()
    }

    /// `getservbyname(name, proto)`: the port, in host order.
    pub fn serv_by_name(name: &[u8], proto: Option<&str>) -> Option<u16> {
        let name = cstring(name)?;
        let proto = match proto {
            Some(p) => Some(cstring(p.as_bytes())?),
            None => None,
        };
        let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let pp = proto.as_ref().map_or(std::ptr::null(), |p| p.as_ptr());
        // SAFETY: both pointers are NUL-terminated strings that outlive
        // the call (or NULL for "any protocol", which the function
        // accepts); the lock serializes use of the static result.
        let s = unsafe { libc::getservbyname(name.as_ptr(), pp) };
        if s.is_null() {
            return None;
        }
        // SAFETY: a non-NULL result points to a valid servent, read
        // before the lock is released.
        let port = unsafe { (*s).s_port };
        Some(u16::from_be(port as u16))
    }

    /// `getservbyport(htons(port), proto)`: the service's official name.
    pub fn serv_by_port(port: u16, proto: &str) -> Option<String> {
        let proto = cstring(proto.as_bytes())?;
        let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: proto is a NUL-terminated string that outlives the
        // call; the port is passed in network order as documented.
        let s = unsafe { libc::getservbyport(i32::from(port.to_be()), proto.as_ptr()) };
        if s.is_null() {
            return None;
        }
        // SAFETY: a non-NULL servent has a NUL-terminated s_name; it is
        // copied before the lock is released.
        let name = unsafe { CStr::from_ptr((*s).s_name) };
        Some(name.to_string_lossy().into_owned())
    }

    /// `getprotobyname(name)`.
    pub fn proto_by_name(name: &[u8]) -> Option<i32> {
        let name = cstring(name)?;
        let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: name is a NUL-terminated string that outlives the call.
        let p = unsafe { libc::getprotobyname(name.as_ptr()) };
        if p.is_null() {
            return None;
        }
        // SAFETY: a non-NULL result points to a valid protoent.
        Some(unsafe { (*p).p_proto })
    }

    /// `getprotobynumber(p)`: the protocol's official name.
    pub fn proto_by_number(p: i32) -> Option<String> {
        let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY: takes a plain integer; the result is checked for NULL.
        let e = unsafe { libc::getprotobynumber(p) };
        if e.is_null() {
            return None;
        }
        // SAFETY: a non-NULL protoent has a NUL-terminated p_name; it
        // is copied before the lock is released.
        let name = unsafe { CStr::from_ptr((*e).p_name) };
        Some(name.to_string_lossy().into_owned())
    }
}
