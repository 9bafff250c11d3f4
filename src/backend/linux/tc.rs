//! `maxbw` as a token-bucket filter (`tc qdisc … tbf`) on a device's
//! egress. `tc` is run as a command (argv, no shell): netlink-packet-route
//! has no typed TBF options, and hand-encoding `TCA_TBF_PARMS` with its rate
//! tables would be more code than the one command line it replaces.

/// How long a packet may wait in the shaper before it is dropped.
const LATENCY: &str = "50ms";

/// The bucket size for `rate` bits/s on a device with `mtu`: 20 ms worth of
/// traffic, and never less than two full frames (a frame larger than the
/// bucket could never be sent).
pub fn burst_bytes(rate: u64, mtu: u32) -> u64 {
    (rate / 8 / 50).max(2 * (u64::from(mtu) + 14))
}

/// The argv of the `tc` command that gives `dev` (in namespace `ns`, or
/// xbow's own when `None`) the limit `rate` bits/s, or takes it away.
pub fn argv(ns: Option<&str>, dev: &str, rate: Option<u64>, mtu: u32) -> Vec<String> {
    let mut v: Vec<String> = vec!["tc".into()];
    if let Some(ns) = ns {
        v.extend(["-n".into(), ns.into()]);
    }
    match rate {
        // Zero bandwidth drops every packet, as the illumos MAC layer does.
        Some(0) => v.extend(
            [
                "qdisc", "replace", "dev", dev, "root", "pfifo", "limit", "0",
            ]
            .map(String::from),
        ),
        Some(r) => v.extend(
            [
                "qdisc",
                "replace",
                "dev",
                dev,
                "root",
                "tbf",
                "rate",
                &format!("{r}bit"),
                "burst",
                &burst_bytes(r, mtu).to_string(),
                "latency",
                LATENCY,
            ]
            .map(String::from),
        ),
        None => v.extend(["qdisc", "del", "dev", dev, "root"].map(String::from)),
    }
    v
}

/// Limit `dev`'s egress to `rate` bits/s, or (`None`) remove the limit.
pub fn set_maxbw(ns: Option<&str>, dev: &str, rate: Option<u64>, mtu: u32) -> Result<(), String> {
    let argv = argv(ns, dev, rate, mtu);
    let out = crate::sys::helper_command(&argv[0])
        .args(&argv[1..])
        .env("LC_ALL", "C")
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => "tc: not found: install iproute2".to_string(),
            _ => format!("{}: {e}", argv.join(" ")),
        })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr).trim().to_string();
    // Removing a limit that is not there: the default qdisc has handle 0.
    if rate.is_none() && (err.contains("handle of zero") || err.contains("No such file")) {
        return Ok(());
    }
    Err(format!("{}: {err}", argv.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tbf_command_lines() {
        assert_eq!(
            argv(Some("test1"), "vnic1", Some(10_000_000), 9000).join(" "),
            "tc -n test1 qdisc replace dev vnic1 root tbf rate 10000000bit burst 25000 latency 50ms"
        );
        assert_eq!(
            argv(None, "xbp.5", None, 1500).join(" "),
            "tc qdisc del dev xbp.5 root"
        );
        assert_eq!(
            argv(None, "xbp.5", Some(0), 1500).join(" "),
            "tc qdisc replace dev xbp.5 root pfifo limit 0"
        );
    }

    #[test]
    fn burst_holds_two_frames_at_low_rates() {
        assert_eq!(burst_bytes(1_200_000, 1500), 3028);
        assert_eq!(burst_bytes(1_000_000_000, 1500), 2_500_000);
    }
}
