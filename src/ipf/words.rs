//! The word tables of `ipf_y.y` (`ipfwords`, `addrwords`, `maskwords`,
//! `icmptypewords`, `icmpcodewords`, `ipv4optwords`, `ipv4secwords`,
//! `ipv6optwords`, `logwords`), in their order, for the shared tokenizer.
//! Where the grammar turns a word into a number right away (an ICMP type,
//! an option bit, a syslog facility) the word carries that number.

pub use crate::ipfilter::lexer::{Cmp, Table, Word};
use crate::ipfilter::lexer::{keys, slots};

/// The tokenizer over `ipf.conf` text.
pub type Lexer<'a> = crate::ipfilter::lexer::Lexer<'a, Kw>;
/// An `ipf.conf` token.
pub type Tok = crate::ipfilter::lexer::Tok<Kw>;

/// A keyword token of `ipf_y.y` (`IPFY_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    Age,
    Ah,
    All,
    And,
    Auth,
    Bad,
    BadNat,
    BadSrc,
    Broadcast,
    Block,
    Body,
    BpfV4,
    BpfV6,
    Call,
    Cfwlog,
    IcmpCode,
    Count,
    DupTo,
    Esp,
    Fastroute,
    First,
    Flags,
    Frag,
    FragBody,
    Frags,
    From,
    Group,
    Head,
    Icmp,
    IcmpType,
    In,
    InVia,
    SetLoopback,
    Ipopts,
    Keep,
    Level,
    Limit,
    Log,
    Lowttl,
    Mask,
    MatchTag,
    Mbcast,
    Multicast,
    Nat,
    Network,
    Newisn,
    No,
    NoIcmpErr,
    Now,
    Not,
    Oow,
    On,
    Opt,
    OrBlock,
    Out,
    OutVia,
    Pass,
    Port,
    Pps,
    Preauth,
    Proto,
    Quick,
    ReplyTo,
    ReturnIcmp,
    ReturnIcmpAsDest,
    ReturnRst,
    RouteTo,
    SecClass,
    SetTag,
    Set,
    Skip,
    Short,
    State,
    Strict,
    Sync,
    Tcp,
    TcpUdp,
    Tos,
    To,
    Ttl,
    Udp,
    Uuid,
    V6hdrs,
    With,
    Any,
    Hash,
    Pool,
    Netmasked,
    Peer,
    /// An IPv6 extension header name (`IPFY_IPV6OPT_*`), with its `v6ionames` bit.
    V6Hdr(u32),
    /// A syslog facility (`IPFY_FAC_*`), with its value.
    Fac(u32),
    /// `security` (`LOG_SECURITY`, the value of `audit` on illumos).
    FacSecurity,
    /// `console`: in the table, but no facility of the grammar.
    FacConsole,
    /// A syslog priority (`IPFY_PRI_*`), with its value.
    Pri(u32),
    /// An ICMP type name (`IPFY_ICMPT_*`), with its type.
    IcmpT(u8),
    /// An ICMP code name (`IPFY_ICMPC_*`), with its code.
    IcmpC(u8),
    /// An IPv4 option name (`IPFY_IPOPT_*`), with its `ionames` bit.
    Opt4(u32),
    /// A security class (`IPFY_SEC_*`), with its `secclass` bit.
    Sec(u16),
}

/// `ipfwords`: the rule words.
const IPF_LIST: &[(&str, Word<Kw>)] = &[
    ("age", Word::Kw(Kw::Age)),
    ("ah", Word::Kw(Kw::Ah)),
    ("all", Word::Kw(Kw::All)),
    ("and", Word::Kw(Kw::And)),
    ("auth", Word::Kw(Kw::Auth)),
    ("bad", Word::Kw(Kw::Bad)),
    ("bad-nat", Word::Kw(Kw::BadNat)),
    ("bad-src", Word::Kw(Kw::BadSrc)),
    ("bcast", Word::Kw(Kw::Broadcast)),
    ("block", Word::Kw(Kw::Block)),
    ("body", Word::Kw(Kw::Body)),
    ("bpf-v4", Word::Kw(Kw::BpfV4)),
    ("bpf-v6", Word::Kw(Kw::BpfV6)),
    ("call", Word::Kw(Kw::Call)),
    ("cfwlog", Word::Kw(Kw::Cfwlog)),
    ("code", Word::Kw(Kw::IcmpCode)),
    ("count", Word::Kw(Kw::Count)),
    ("dup-to", Word::Kw(Kw::DupTo)),
    ("eq", Word::Cmp(Cmp::Eq)),
    ("esp", Word::Kw(Kw::Esp)),
    ("fastroute", Word::Kw(Kw::Fastroute)),
    ("first", Word::Kw(Kw::First)),
    ("flags", Word::Kw(Kw::Flags)),
    ("frag", Word::Kw(Kw::Frag)),
    ("frag-body", Word::Kw(Kw::FragBody)),
    ("frags", Word::Kw(Kw::Frags)),
    ("from", Word::Kw(Kw::From)),
    ("ge", Word::Cmp(Cmp::Ge)),
    ("group", Word::Kw(Kw::Group)),
    ("gt", Word::Cmp(Cmp::Gt)),
    ("head", Word::Kw(Kw::Head)),
    ("icmp", Word::Kw(Kw::Icmp)),
    ("icmp-type", Word::Kw(Kw::IcmpType)),
    ("in", Word::Kw(Kw::In)),
    ("in-via", Word::Kw(Kw::InVia)),
    ("intercept_loopback", Word::Kw(Kw::SetLoopback)),
    ("ipopt", Word::Kw(Kw::Ipopts)),
    ("ipopts", Word::Kw(Kw::Ipopts)),
    ("keep", Word::Kw(Kw::Keep)),
    ("le", Word::Cmp(Cmp::Le)),
    ("level", Word::Kw(Kw::Level)),
    ("limit", Word::Kw(Kw::Limit)),
    ("log", Word::Kw(Kw::Log)),
    ("lowttl", Word::Kw(Kw::Lowttl)),
    ("lt", Word::Cmp(Cmp::Lt)),
    ("mask", Word::Kw(Kw::Mask)),
    ("match-tag", Word::Kw(Kw::MatchTag)),
    ("mbcast", Word::Kw(Kw::Mbcast)),
    ("mcast", Word::Kw(Kw::Multicast)),
    ("multicast", Word::Kw(Kw::Multicast)),
    ("nat", Word::Kw(Kw::Nat)),
    ("ne", Word::Cmp(Cmp::Ne)),
    ("net", Word::Kw(Kw::Network)),
    ("newisn", Word::Kw(Kw::Newisn)),
    ("no", Word::Kw(Kw::No)),
    ("no-icmp-err", Word::Kw(Kw::NoIcmpErr)),
    ("now", Word::Kw(Kw::Now)),
    ("not", Word::Kw(Kw::Not)),
    ("oow", Word::Kw(Kw::Oow)),
    ("on", Word::Kw(Kw::On)),
    ("opt", Word::Kw(Kw::Opt)),
    ("or-block", Word::Kw(Kw::OrBlock)),
    ("out", Word::Kw(Kw::Out)),
    ("out-via", Word::Kw(Kw::OutVia)),
    ("pass", Word::Kw(Kw::Pass)),
    ("port", Word::Kw(Kw::Port)),
    ("pps", Word::Kw(Kw::Pps)),
    ("preauth", Word::Kw(Kw::Preauth)),
    ("proto", Word::Kw(Kw::Proto)),
    ("quick", Word::Kw(Kw::Quick)),
    ("reply-to", Word::Kw(Kw::ReplyTo)),
    ("return-icmp", Word::Kw(Kw::ReturnIcmp)),
    ("return-icmp-as-dest", Word::Kw(Kw::ReturnIcmpAsDest)),
    ("return-rst", Word::Kw(Kw::ReturnRst)),
    ("route-to", Word::Kw(Kw::RouteTo)),
    ("sec-class", Word::Kw(Kw::SecClass)),
    ("set-tag", Word::Kw(Kw::SetTag)),
    ("set", Word::Kw(Kw::Set)),
    ("skip", Word::Kw(Kw::Skip)),
    ("short", Word::Kw(Kw::Short)),
    ("state", Word::Kw(Kw::State)),
    ("state-age", Word::Kw(Kw::Age)),
    ("strict", Word::Kw(Kw::Strict)),
    ("sync", Word::Kw(Kw::Sync)),
    ("tcp", Word::Kw(Kw::Tcp)),
    ("tcp-udp", Word::Kw(Kw::TcpUdp)),
    ("tos", Word::Kw(Kw::Tos)),
    ("to", Word::Kw(Kw::To)),
    ("ttl", Word::Kw(Kw::Ttl)),
    ("udp", Word::Kw(Kw::Udp)),
    ("uuid", Word::Kw(Kw::Uuid)),
    ("v6hdrs", Word::Kw(Kw::V6hdrs)),
    ("with", Word::Kw(Kw::With)),
];
const IPF_MUL: u64 = 0xf81c_50e7_3849_27c1;
static IPF_SLOTS: [u8; 512] = slots(IPF_LIST, IPF_MUL);
static IPF_KEYS: [u128; IPF_LIST.len()] = keys(IPF_LIST);
pub static IPF: Table<Kw> = Table::new(IPF_LIST, &IPF_SLOTS, &IPF_KEYS, IPF_MUL);
/// `addrwords`: after `from` and `to`.
const ADDR_LIST: &[(&str, Word<Kw>)] = &[
    ("any", Word::Kw(Kw::Any)),
    ("hash", Word::Kw(Kw::Hash)),
    ("pool", Word::Kw(Kw::Pool)),
];
const ADDR_MUL: u64 = 0xcb55_6a11_199a_dee3;
static ADDR_SLOTS: [u8; 8] = slots(ADDR_LIST, ADDR_MUL);
static ADDR_KEYS: [u128; ADDR_LIST.len()] = keys(ADDR_LIST);
pub static ADDR: Table<Kw> = Table::new(ADDR_LIST, &ADDR_SLOTS, &ADDR_KEYS, ADDR_MUL);
/// `maskwords`: after an address and `/` or `mask`.
const MASK_LIST: &[(&str, Word<Kw>)] = &[
    ("broadcast", Word::Kw(Kw::Broadcast)),
    ("netmasked", Word::Kw(Kw::Netmasked)),
    ("network", Word::Kw(Kw::Network)),
    ("peer", Word::Kw(Kw::Peer)),
];
const MASK_MUL: u64 = 0x421c_8e05_8cd0_dfdd;
static MASK_SLOTS: [u8; 8] = slots(MASK_LIST, MASK_MUL);
static MASK_KEYS: [u128; MASK_LIST.len()] = keys(MASK_LIST);
pub static MASK: Table<Kw> = Table::new(MASK_LIST, &MASK_SLOTS, &MASK_KEYS, MASK_MUL);
/// `icmptypewords`: after `icmp-type`.
const ICMPT_LIST: &[(&str, Word<Kw>)] = &[
    ("echo", Word::Kw(Kw::IcmpT(8))),
    ("echorep", Word::Kw(Kw::IcmpT(0))),
    ("inforeq", Word::Kw(Kw::IcmpT(15))),
    ("inforep", Word::Kw(Kw::IcmpT(16))),
    ("maskrep", Word::Kw(Kw::IcmpT(18))),
    ("maskreq", Word::Kw(Kw::IcmpT(17))),
    ("paramprob", Word::Kw(Kw::IcmpT(12))),
    ("redir", Word::Kw(Kw::IcmpT(5))),
    ("unreach", Word::Kw(Kw::IcmpT(3))),
    ("routerad", Word::Kw(Kw::IcmpT(9))),
    ("routersol", Word::Kw(Kw::IcmpT(10))),
    ("squench", Word::Kw(Kw::IcmpT(4))),
    ("timest", Word::Kw(Kw::IcmpT(13))),
    ("timestrep", Word::Kw(Kw::IcmpT(14))),
    ("timex", Word::Kw(Kw::IcmpT(11))),
];
const ICMPT_MUL: u64 = 0xfc8a_09b2_cf37_526b;
static ICMPT_SLOTS: [u8; 32] = slots(ICMPT_LIST, ICMPT_MUL);
static ICMPT_KEYS: [u128; ICMPT_LIST.len()] = keys(ICMPT_LIST);
pub static ICMPT: Table<Kw> = Table::new(ICMPT_LIST, &ICMPT_SLOTS, &ICMPT_KEYS, ICMPT_MUL);
/// `icmpcodewords`: after `code` and `return-icmp(`.
const ICMPC_LIST: &[(&str, Word<Kw>)] = &[
    ("cutoff-preced", Word::Kw(Kw::IcmpC(15))),
    ("filter-prohib", Word::Kw(Kw::IcmpC(13))),
    ("isolate", Word::Kw(Kw::IcmpC(8))),
    ("needfrag", Word::Kw(Kw::IcmpC(4))),
    ("net-prohib", Word::Kw(Kw::IcmpC(9))),
    ("net-tos", Word::Kw(Kw::IcmpC(11))),
    ("host-preced", Word::Kw(Kw::IcmpC(14))),
    ("host-prohib", Word::Kw(Kw::IcmpC(10))),
    ("host-tos", Word::Kw(Kw::IcmpC(12))),
    ("host-unk", Word::Kw(Kw::IcmpC(7))),
    ("host-unr", Word::Kw(Kw::IcmpC(1))),
    ("net-unk", Word::Kw(Kw::IcmpC(6))),
    ("net-unr", Word::Kw(Kw::IcmpC(0))),
    ("port-unr", Word::Kw(Kw::IcmpC(3))),
    ("proto-unr", Word::Kw(Kw::IcmpC(2))),
    ("srcfail", Word::Kw(Kw::IcmpC(5))),
];
const ICMPC_MUL: u64 = 0x8be8_42cb_aae7_f487;
static ICMPC_SLOTS: [u8; 32] = slots(ICMPC_LIST, ICMPC_MUL);
static ICMPC_KEYS: [u128; ICMPC_LIST.len()] = keys(ICMPC_LIST);
pub static ICMPC: Table<Kw> = Table::new(ICMPC_LIST, &ICMPC_SLOTS, &ICMPC_KEYS, ICMPC_MUL);
/// `ipv4optwords`: after `opt`.
const OPT4_LIST: &[(&str, Word<Kw>)] = &[
    ("addext", Word::Kw(Kw::Opt4(0x4000))),
    ("cipso", Word::Kw(Kw::Opt4(0x800))),
    ("dps", Word::Kw(Kw::Opt4(0x80000))),
    ("e-sec", Word::Kw(Kw::Opt4(0x400))),
    ("eip", Word::Kw(Kw::Opt4(0x20000))),
    ("encode", Word::Kw(Kw::Opt4(0x20))),
    ("finn", Word::Kw(Kw::Opt4(0x40000))),
    ("imitd", Word::Kw(Kw::Opt4(0x10000))),
    ("lsrr", Word::Kw(Kw::Opt4(0x200))),
    ("mtup", Word::Kw(Kw::Opt4(0x8))),
    ("mtur", Word::Kw(Kw::Opt4(0x10))),
    ("nop", Word::Kw(Kw::Opt4(0x1))),
    ("nsapa", Word::Kw(Kw::Opt4(0x200000))),
    ("rr", Word::Kw(Kw::Opt4(0x2))),
    ("rtralrt", Word::Kw(Kw::Opt4(0x400000))),
    ("satid", Word::Kw(Kw::Opt4(0x1000))),
    ("sdb", Word::Kw(Kw::Opt4(0x100000))),
    ("sec", Word::Kw(Kw::Opt4(0x100))),
    ("ssrr", Word::Kw(Kw::Opt4(0x2000))),
    ("tr", Word::Kw(Kw::Opt4(0x80))),
    ("ts", Word::Kw(Kw::Opt4(0x40))),
    ("ump", Word::Kw(Kw::Opt4(0x800000))),
    ("visa", Word::Kw(Kw::Opt4(0x8000))),
    ("zsu", Word::Kw(Kw::Opt4(0x4))),
];
const OPT4_MUL: u64 = 0x896f_5ade_d9e1_72c1;
static OPT4_SLOTS: [u8; 64] = slots(OPT4_LIST, OPT4_MUL);
static OPT4_KEYS: [u128; OPT4_LIST.len()] = keys(OPT4_LIST);
pub static OPT4: Table<Kw> = Table::new(OPT4_LIST, &OPT4_SLOTS, &OPT4_KEYS, OPT4_MUL);
/// `ipv4secwords`: after `sec-class`.
const SEC_LIST: &[(&str, Word<Kw>)] = &[
    ("confid", Word::Kw(Kw::Sec(0x10))),
    ("reserv-1", Word::Kw(Kw::Sec(0x80))),
    ("reserv-2", Word::Kw(Kw::Sec(0x40))),
    ("reserv-3", Word::Kw(Kw::Sec(0x8))),
    ("reserv-4", Word::Kw(Kw::Sec(0x1))),
    ("secret", Word::Kw(Kw::Sec(0x4))),
    ("topsecret", Word::Kw(Kw::Sec(0x2))),
    ("unclass", Word::Kw(Kw::Sec(0x20))),
];
const SEC_MUL: u64 = 0x7404_5053_8ec0_a919;
static SEC_SLOTS: [u8; 16] = slots(SEC_LIST, SEC_MUL);
static SEC_KEYS: [u128; SEC_LIST.len()] = keys(SEC_LIST);
pub static SEC: Table<Kw> = Table::new(SEC_LIST, &SEC_SLOTS, &SEC_KEYS, SEC_MUL);
/// `ipv6optwords`: after `v6hdrs`.
const OPT6_LIST: &[(&str, Word<Kw>)] = &[
    ("dstopts", Word::Kw(Kw::V6Hdr(0x80))),
    ("esp", Word::Kw(Kw::Esp)),
    ("frag", Word::Kw(Kw::Frag)),
    ("hopopts", Word::Kw(Kw::V6Hdr(0x01))),
    ("ipv6", Word::Kw(Kw::V6Hdr(0x02))),
    ("none", Word::Kw(Kw::V6Hdr(0x40))),
    ("routing", Word::Kw(Kw::V6Hdr(0x04))),
];
const OPT6_MUL: u64 = 0x996f_c433_5c4d_f245;
static OPT6_SLOTS: [u8; 16] = slots(OPT6_LIST, OPT6_MUL);
static OPT6_KEYS: [u128; OPT6_LIST.len()] = keys(OPT6_LIST);
pub static OPT6: Table<Kw> = Table::new(OPT6_LIST, &OPT6_SLOTS, &OPT6_KEYS, OPT6_MUL);
/// `logwords`: after `level` (with `yybreakondot`).
const LOG_LIST: &[(&str, Word<Kw>)] = &[
    ("kern", Word::Kw(Kw::Fac(0))),
    ("user", Word::Kw(Kw::Fac(8))),
    ("mail", Word::Kw(Kw::Fac(16))),
    ("daemon", Word::Kw(Kw::Fac(24))),
    ("auth", Word::Kw(Kw::Fac(32))),
    ("syslog", Word::Kw(Kw::Fac(40))),
    ("lpr", Word::Kw(Kw::Fac(48))),
    ("news", Word::Kw(Kw::Fac(56))),
    ("uucp", Word::Kw(Kw::Fac(64))),
    ("cron", Word::Kw(Kw::Fac(120))),
    ("ftp", Word::Kw(Kw::Fac(88))),
    ("authpriv", Word::Kw(Kw::Fac(80))),
    ("audit", Word::Kw(Kw::Fac(104))),
    ("logalert", Word::Kw(Kw::Fac(112))),
    ("console", Word::Kw(Kw::FacConsole)),
    ("security", Word::Kw(Kw::FacSecurity)),
    ("local0", Word::Kw(Kw::Fac(128))),
    ("local1", Word::Kw(Kw::Fac(136))),
    ("local2", Word::Kw(Kw::Fac(144))),
    ("local3", Word::Kw(Kw::Fac(152))),
    ("local4", Word::Kw(Kw::Fac(160))),
    ("local5", Word::Kw(Kw::Fac(168))),
    ("local6", Word::Kw(Kw::Fac(176))),
    ("local7", Word::Kw(Kw::Fac(184))),
    ("emerg", Word::Kw(Kw::Pri(0))),
    ("alert", Word::Kw(Kw::Pri(1))),
    ("crit", Word::Kw(Kw::Pri(2))),
    ("err", Word::Kw(Kw::Pri(3))),
    ("warn", Word::Kw(Kw::Pri(4))),
    ("notice", Word::Kw(Kw::Pri(5))),
    ("info", Word::Kw(Kw::Pri(6))),
    ("debug", Word::Kw(Kw::Pri(7))),
];
const LOG_MUL: u64 = 0xc571_08c5_c81a_21e9;
static LOG_SLOTS: [u8; 64] = slots(LOG_LIST, LOG_MUL);
static LOG_KEYS: [u128; LOG_LIST.len()] = keys(LOG_LIST);
pub static LOG: Table<Kw> = Table::new(LOG_LIST, &LOG_SLOTS, &LOG_KEYS, LOG_MUL);

#[cfg(test)]
mod tests {
    use super::*;

    /// Each table's hash finds what `yyfindkey()`'s case-insensitive scan
    /// finds, for every word, its upper case, and near misses.
    #[test]
    fn the_hash_is_the_table() {
        for t in [&IPF, &ADDR, &MASK, &ICMPT, &ICMPC, &OPT4, &SEC, &OPT6, &LOG] {
            let scan = |w: &[u8]| {
                t.words()
                    .iter()
                    .find(|(x, _)| x.as_bytes().eq_ignore_ascii_case(w))
                    .map(|x| x.1)
            };
            for (w, _) in t.words() {
                let w = w.as_bytes();
                assert_eq!(t.find(w), scan(w), "{w:?}");
                assert_eq!(t.find(&w.to_ascii_uppercase()), scan(w));
                let mut longer = w.to_vec();
                longer.push(b'x');
                assert_eq!(t.find(&longer), scan(&longer));
                assert_eq!(t.find(&w[1..]), scan(&w[1..]));
            }
            assert_eq!(t.find(b""), None);
        }
        assert_eq!(
            IPF.find(b"Return-ICMP-as-dest"),
            Some(Word::Kw(Kw::ReturnIcmpAsDest))
        );
    }

    /// lexer.c: a word not in the current table sends the lexer back to
    /// the one below (`yyresetdict()`), and a string leaves it too;
    /// `yybreakondot` ends a word at a dot.
    #[test]
    fn dictionaries_and_dots() {
        let mut lx = Lexer::new(b"echo echo port-unr local0.info\n", &IPF);
        lx.set_dict(Some(&ICMPT));
        assert_eq!(lx.lex(), Tok::Kw(Kw::IcmpT(8)));
        assert_eq!(lx.lex(), Tok::Kw(Kw::IcmpT(8)));
        lx.set_dict(None);
        assert_eq!(lx.lex(), Tok::Str);
        // The string left the empty table: ICMPT is current again.
        lx.set_dict(Some(&LOG));
        lx.break_on_dot = true;
        assert_eq!(lx.lex(), Tok::Kw(Kw::Fac(128)));
        assert_eq!(lx.lex(), Tok::Char(b'.'));
        assert_eq!(lx.lex(), Tok::Kw(Kw::Pri(6)));
        assert_eq!(lx.error_text(), b"info");
    }
}
