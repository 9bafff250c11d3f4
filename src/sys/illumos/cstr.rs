//! C strings from libdladm and libkstat into Rust strings.

use std::ffi::{CStr, c_char};

/// The NUL-terminated text in a fixed-size C buffer (all of it if there
/// is no NUL), lossily decoded.
pub fn c_buf_to_string(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf
        .iter()
        .map(|&c| c as u8)
        .take_while(|&b| b != 0)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The string at `p`; empty for NULL.
///
/// # Safety
/// `p` must be NULL or point to a NUL-terminated string that stays valid
/// for the duration of the call.
pub unsafe fn c_ptr_to_string(p: *const c_char) -> String {
    if p.is_null() {
        return String::new();
    }
    // SAFETY: the caller guarantees a valid NUL-terminated string.
    unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers() {
        let mut b = [0 as c_char; 8];
        for (i, c) in b"vnic0".iter().enumerate() {
            b[i] = *c as c_char;
        }
        assert_eq!(c_buf_to_string(&b), "vnic0");
        assert_eq!(c_buf_to_string(&[b'a' as c_char, b'b' as c_char]), "ab");
        assert_eq!(c_buf_to_string(&[]), "");
    }
}
