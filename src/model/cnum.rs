//! Numbers read the way the C library reads them (`strtoull`, `strtoul`,
//! `strtol`), so that odd input gets the outcome it gets on illumos.

/// C `strtoull(s, &end, 10)` as illumos libc implements it: leading white
/// space, an optional sign (a minus negates in unsigned arithmetic), then
/// digits. `None` where C sets `errno` (no digits, or overflow).
pub fn strtoull10(s: &str) -> Option<(u64, &str)> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (neg, t) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return None;
    }
    let n: u64 = t[..digits].parse().ok()?;
    Some((if neg { n.wrapping_neg() } else { n }, &t[digits..]))
}

/// C `strtoul(s, NULL, 0)` truncated to 32 bits: a prefix of decimal,
/// `0x` hex or `0` octal digits; 0 when there is none.
pub fn strtoul0(s: &str) -> u32 {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, digits) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (16, h)
    } else if t.starts_with('0') {
        (8, t)
    } else {
        (10, t)
    };
    let n = digits
        .chars()
        .map_while(|c| c.to_digit(radix))
        .fold(0u64, |n, d| {
            n.saturating_mul(u64::from(radix))
                .saturating_add(u64::from(d))
        });
    let n = if neg { n.wrapping_neg() } else { n };
    n as u32
}

/// `str2int`: `strtol` base 10 with nothing after the number.
pub fn str2int(s: &str) -> Option<i64> {
    let (n, rest) = strtoull10(s)?;
    let n = n as i64;
    (rest.is_empty() && i32::try_from(n).is_ok()).then_some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtoull() {
        assert_eq!(strtoull10(" +12ab"), Some((12, "ab")));
        assert_eq!(strtoull10("-1"), Some((u64::MAX, "")));
        assert_eq!(strtoull10("x"), None);
        assert_eq!(strtoull10("99999999999999999999"), None);
    }

    #[test]
    fn strtoul_base0() {
        assert_eq!(strtoul0("1500"), 1500);
        assert_eq!(strtoul0("0x5dc"), 1500);
        assert_eq!(strtoul0("02734"), 1500);
        assert_eq!(strtoul0("1500abc"), 1500);
        assert_eq!(strtoul0("foo"), 0);
    }

    #[test]
    fn str2int_whole() {
        assert_eq!(str2int("42"), Some(42));
        assert_eq!(str2int(" -7"), Some(-7));
        assert_eq!(str2int("4x"), None);
        assert_eq!(str2int("99999999999"), None);
    }
}
