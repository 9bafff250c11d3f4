//! Property: a rule that `ipnat` prints parses back to the same rule, and
//! prints the same again.
//!
//! Rules are generated from the illumos grammar, leaving out the forms
//! illumos itself cannot read back from its own output:
//! * a `map` protocol together with `frag`/`age`/`mssclamp`/`tag` (printed
//!   before them, accepted only after them);
//! * `sequential` together with those options (printed last);
//! * a `map … proxy` with a destination port compare (the proxy port is
//!   printed as a name, which reads back in network order);
//! * `rdr … proxy port P LABEL/PROTO` (printed as `proxy LABEL`), and
//!   `rdr from … to … port = N … proxy LABEL` (the proxy port replaces N);
//! * `icmp` with port compares (it clears the operators, not the ports);
//! * `rdr from … to …` without a TCP/UDP port (`port N` is required by the
//!   grammar but not printed);
//! * `icmpidmap` after `from … to …` or `range` (it replaces the flags, so
//!   those are not printed), and an `icmpidmap 0:0` (not printed at all).
//!
//! and, found by the `ipnat_roundtrip` fuzz target (fuzz/README.md):
//! * a bare `0` read before the rule has a family (`map le0 0 -> 0/32`):
//!   its mask gets all four words, but an IPv4 rule prints only the first
//!   (`0.0.0.0/32`);
//! * IPv6 masks that are not prefixes, or addresses with bits outside
//!   their mask (`H/0x0`): printed as a bit count (`count6bits()`);
//! * an `rdr` IPv6 target `H/0` with H not zero (no mask printed), and
//!   `rdr … -> 0,H` (printed `0.0.0.0,H/H`, which does not parse);
//! * a `map-block` with a protocol (never printed);
//! * an unknown protocol name (`in_p` -1) or a protocol, `age` or
//!   `mssclamp` number above INT_MAX (printed negative with `%d`);
//! * names (interface, tag) the lexer does not read back as one word:
//!   keywords, a leading digit or `-`, whitespace, `\`, quotes, `#`, `$`,
//!   one-character tokens (printed as they are, unquoted);
//! * a `portmap` without a protocol (discarded, but `auto`/`sequential`
//!   stay in the flags; a lone `sequential` does not parse);
//! * `round-robin` on a map rule (printed for `rdr` only);
//! * a port compare whose operator `setnatproto()` cleared while its ports
//!   stayed (`from any port 0 >< 20` without tcp/udp);
//! * `rdr … port 0 -> … port = 0` without a protocol (IPN_FIXEDDPORT stays,
//!   no port printed);
//! * a protocol after `icmpidmap icmp A:B` (it changes `in_p`, or the
//!   TCP/UDP bits, but prints as `icmp`).

use proptest::prelude::*;
use xbow::backend::sim::BuiltinNetdb;
use xbow::ipnat::parser::{Event, parse};
use xbow::ipnat::print::{Out, printnat};
use xbow::ipnat::rule::{NatRule, RuleCounters};

fn rules_of(text: &str) -> Result<Vec<NatRule>, String> {
    let mut v = Vec::new();
    parse(text.as_bytes(), &BuiltinNetdb, &mut |e| {
        if let Event::Rule(r) = e {
            v.push(r.rule)
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(v)
}

fn print(r: &NatRule) -> String {
    let mut o = Out::default();
    printnat(&mut o, &BuiltinNetdb, r, &RuleCounters::default(), false);
    String::from_utf8(o.out).expect("UTF-8")
}

fn ifname() -> impl Strategy<Value = String> {
    "[a-z]{1,6}[0-9]{1,2}"
}

fn ip() -> impl Strategy<Value = String> {
    (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>())
        .prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}"))
}

fn mask() -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..=32).prop_map(|n| format!("/{n}")),
        any::<u32>().prop_map(|m| format!("/0x{m:x}")),
        ip().prop_map(|m| format!(" mask {m}")),
        Just(String::new()),
    ]
}

fn addr() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (ip(), mask()).prop_map(|(a, m)| format!("{a}{m}")),
        1 => Just("any".to_string()),
        1 => (0u32..3).prop_map(|n| format!("{n}/32")),
    ]
}

fn port() -> impl Strategy<Value = u16> {
    prop_oneof![any::<u16>(), Just(21u16), Just(53), Just(1), Just(123)]
}

fn portcmp() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        (
            prop::sample::select(vec![
                "=", "!=", "<", ">", "<=", ">=", "eq", "ne", "lt", "gt", "le", "ge"
            ]),
            port()
        )
            .prop_map(|(op, p)| format!(" port {op} {p}")),
        (port(), prop::sample::select(vec!["<>", "><"]), port())
            .prop_map(|(a, op, b)| format!(" port {a} {op} {b}")),
    ]
}

fn proto() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "tcp", "udp", "tcp/udp", "tcpudp", "icmp", "ip", "gre", "6", "17", "47",
    ])
    .prop_map(str::to_string)
}

fn map_options() -> impl Strategy<Value = (String, bool)> {
    (
        any::<bool>(),
        prop::option::of((0u32..100000, prop::option::of(0u32..100000))),
        prop::option::of(0u32..10000),
        prop::option::of("[a-z]{1,16}"),
    )
        .prop_map(|(frag, age, mss, tag)| {
            let mut s = String::new();
            if frag {
                s.push_str(" frag");
            }
            if let Some((a, b)) = age {
                let a = a.max(1);
                match b {
                    Some(b) => s.push_str(&format!(" age {a}/{b}")),
                    None => s.push_str(&format!(" age {a}")),
                }
            }
            if let Some(m) = mss {
                s.push_str(&format!(" mssclamp {m}"));
            }
            if let Some(t) = tag {
                s.push_str(&format!(" tag {t}"));
            }
            let any = !s.is_empty();
            (s, any)
        })
}

fn map_rule() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["map", "bimap", "map-block"]),
        ifname(),
        prop::option::of(ifname()),
        prop_oneof![
            addr().prop_map(|a| (a, false)),
            (addr(), portcmp(), any::<bool>(), addr(), portcmp()).prop_map(
                |(s, sp, not, d, dp)| (
                    format!("from {s}{sp} {}to {d}{dp}", if not { "! " } else { "" }),
                    dp.is_empty()
                )
            ),
        ],
        prop_oneof![
            addr(),
            (ip(), ip()).prop_map(|(a, b)| format!("range {a}-{b}"))
        ],
        0u8..6,
        (port(), port(), any::<bool>()),
        map_options(),
        prop::option::of(proto()),
        prop::option::of(prop_oneof![
            Just("0".to_string()),
            (0u16..2000).prop_map(|n| n.to_string()),
            Just("auto".to_string())
        ]),
    )
        .prop_map(
            |(
                kw,
                i0,
                i1,
                (lhs, no_dport),
                rhs,
                extra,
                (p1, p2, seq),
                (opts, any_opt),
                proto,
                ports,
            )| {
                let ifs = match i1 {
                    Some(i) => format!("{i0},{i}"),
                    None => i0,
                };
                if kw == "map-block" {
                    // map-block takes addresses only, and `ports`.
                    let lhs = if lhs.starts_with("from") {
                        "10.0.0.0/24".into()
                    } else {
                        lhs
                    };
                    let rhs = if rhs.starts_with("range") {
                        "203.0.113.0/24".into()
                    } else {
                        rhs
                    };
                    let ports = ports.map(|p| format!(" ports {p}")).unwrap_or_default();
                    return format!("map-block {ifs} {lhs} -> {rhs}{ports}{opts}\n");
                }
                let rhs = if kw == "bimap" && rhs.starts_with("range") {
                    "1.2.3.4/32".into()
                } else {
                    rhs
                };
                let seq = if seq && !any_opt { " sequential" } else { "" };
                let (mid, has_proto) = match extra {
                    0 => (format!(" portmap tcp {}:{}", p1.min(p2), p1.max(p2)), true),
                    1 => (format!(" portmap udp auto{seq}"), true),
                    2 => (
                        format!(" portmap tcp/udp {}:{}{seq}", p1.min(p2), p1.max(p2)),
                        true,
                    ),
                    3 if !lhs.starts_with("from") && !rhs.starts_with("range") => {
                        (format!(" icmpidmap icmp {}:{p2}", p1 | 1), true)
                    }
                    4 if no_dport => (format!(" proxy port {p1} ftp/tcp"), true),
                    _ => (String::new(), false),
                };
                // `icmp` clears the compares but not their ports.
                let proto = proto.filter(|p| !(p == "icmp" && lhs.contains(" port ")));
                let proto = match (proto, has_proto, any_opt) {
                    (Some(p), false, false) => format!(" {p}"),
                    _ => String::new(),
                };
                format!("{kw} {ifs} {lhs} -> {rhs}{mid}{opts}{proto}\n")
            },
        )
}

fn rdr_rule() -> impl Strategy<Value = String> {
    (
        ifname(),
        prop_oneof![
            (addr(), prop::option::of((port(), prop::option::of(port())))).prop_map(
                |(a, p)| match p {
                    Some((x, Some(y))) => (a, format!(" port {x}-{y}"), true, false),
                    Some((x, None)) => (a, format!(" port {x}"), true, false),
                    None => (a, String::new(), false, false),
                }
            ),
            (any::<bool>(), addr(), addr(), portcmp()).prop_map(|(not, s, d, dp)| {
                (
                    format!("{}from {s} to {d}{dp}", if not { "! " } else { "" }),
                    String::new(),
                    true,
                    true,
                )
            }),
        ],
        prop_oneof![
            ip(),
            (ip(), ip()).prop_map(|(a, b)| format!("{a},{b}")),
            Just("0/0".to_string()),
            Just("0/32".to_string()),
        ],
        (any::<bool>(), port()),
        prop::option::of(proto()),
        (
            any::<bool>(),
            any::<bool>(),
            prop::option::of(1u32..1000),
            any::<bool>(),
            prop::option::of(0u32..9000),
        ),
        (
            prop::option::of(prop::sample::select(vec!["ftp", "irc"])),
            prop::option::of("[a-z]{1,16}"),
        ),
    )
        .prop_map(
            |(
                i,
                (lhs, dport, nport_ok, from_form),
                dip,
                (fixed, np),
                proto,
                (rr, frag, age, sticky, mss),
                (proxy, tag),
            )| {
                // A `from … to …` rule must print its `port N`: that
                // takes a TCP/UDP rule with a port.
                let (np, proto) = if from_form {
                    (
                        np | 1,
                        proto.filter(|p| {
                            ["tcp", "udp", "tcp/udp", "tcpudp", "6", "17"].contains(&p.as_str())
                        }),
                    )
                } else {
                    (np, proto)
                };
                let nport = if nport_ok {
                    format!(" port {}{np}", if fixed { "= " } else { "" })
                } else {
                    String::new()
                };
                let mut s = format!("rdr {i} {lhs}{dport} -> {dip}{nport}");
                if let Some(p) = proto {
                    s.push_str(&format!(" {p}"));
                }
                if rr {
                    s.push_str(" round-robin");
                }
                if frag {
                    s.push_str(" frag");
                }
                if let Some(a) = age {
                    s.push_str(&format!(" age {a}"));
                }
                if sticky {
                    s.push_str(" sticky");
                }
                if let Some(m) = mss {
                    s.push_str(&format!(" mssclamp {m}"));
                }
                if let Some(p) = proxy.filter(|_| !from_form) {
                    s.push_str(&format!(" proxy {p}"));
                }
                if let Some(t) = tag {
                    s.push_str(&format!(" tag {t}"));
                }
                s.push('\n');
                s
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        // PROPTEST_CASES overrides the count, for longer runs.
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn printed_rules_parse_back_to_the_same_rule(text in prop_oneof![map_rule(), rdr_rule()]) {
        // Some generated texts are not valid ipnat.conf (e.g. a dip mask);
        // only rules illumos accepts are of interest.
        let Ok(first) = rules_of(&text) else { return Ok(()) };
        prop_assert_eq!(first.len(), 1, "{}", text);
        let printed = print(&first[0]);
        let again = rules_of(&printed);
        prop_assert!(again.is_ok(), "{} printed as {} which does not parse: {:?}", text, printed, again);
        let again = again.unwrap_or_default();
        prop_assert_eq!(again.len(), 1, "{} -> {}", text, printed);
        prop_assert_eq!(&again[0], &first[0], "{} -> {}", text, printed);
        prop_assert_eq!(print(&again[0]), printed);
    }
}
