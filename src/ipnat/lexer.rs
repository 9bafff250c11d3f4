//! The words of `ipnat.conf` (`yywords` of `ipnat_y.y`) for the shared
//! IP Filter tokenizer ([`crate::ipfilter::lexer`]).

pub use crate::ipfilter::lexer::{Cmp, Table, Word};

/// The tokenizer over `ipnat.conf` text.
pub type Lexer<'a> = crate::ipfilter::lexer::Lexer<'a, Kw>;
/// An `ipnat.conf` token.
pub type Tok = crate::ipfilter::lexer::Tok<Kw>;

/// A keyword of the `ipnat` word table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kw {
    Age,
    Any,
    Auto,
    Bimap,
    Frag,
    From,
    Icmpidmap,
    Mask,
    Map,
    MapBlock,
    Mssclamp,
    Port,
    Portmap,
    Ports,
    Proxy,
    Range,
    Rdr,
    RoundRobin,
    Sequential,
    Sticky,
    Tag,
    Tcp,
    Tcpudp,
    To,
    Udp,
    /// `->`
    Tlate,
}

/// The word table (`yywords` in `ipnat_y.y`), in its order: the first
/// word with a given value is the one an error message quotes.
const WORD_LIST: &[(&str, Word<Kw>)] = &[
    ("age", Word::Kw(Kw::Age)),
    ("any", Word::Kw(Kw::Any)),
    ("auto", Word::Kw(Kw::Auto)),
    ("bimap", Word::Kw(Kw::Bimap)),
    ("frag", Word::Kw(Kw::Frag)),
    ("from", Word::Kw(Kw::From)),
    ("icmpidmap", Word::Kw(Kw::Icmpidmap)),
    ("mask", Word::Kw(Kw::Mask)),
    ("map", Word::Kw(Kw::Map)),
    ("map-block", Word::Kw(Kw::MapBlock)),
    ("mssclamp", Word::Kw(Kw::Mssclamp)),
    ("netmask", Word::Kw(Kw::Mask)),
    ("port", Word::Kw(Kw::Port)),
    ("portmap", Word::Kw(Kw::Portmap)),
    ("ports", Word::Kw(Kw::Ports)),
    ("proxy", Word::Kw(Kw::Proxy)),
    ("range", Word::Kw(Kw::Range)),
    ("rdr", Word::Kw(Kw::Rdr)),
    ("round-robin", Word::Kw(Kw::RoundRobin)),
    ("sequential", Word::Kw(Kw::Sequential)),
    ("sticky", Word::Kw(Kw::Sticky)),
    ("tag", Word::Kw(Kw::Tag)),
    ("tcp", Word::Kw(Kw::Tcp)),
    ("tcpudp", Word::Kw(Kw::Tcpudp)),
    ("to", Word::Kw(Kw::To)),
    ("udp", Word::Kw(Kw::Udp)),
    ("-", Word::Dash),
    ("->", Word::Kw(Kw::Tlate)),
    ("eq", Word::Cmp(Cmp::Eq)),
    ("ne", Word::Cmp(Cmp::Ne)),
    ("lt", Word::Cmp(Cmp::Lt)),
    ("gt", Word::Cmp(Cmp::Gt)),
    ("le", Word::Cmp(Cmp::Le)),
    ("ge", Word::Cmp(Cmp::Ge)),
];

/// The multiplier of the table's hash, chosen so that the words all go to
/// different slots (which building the table checks).
const MUL: u64 = 0x8a7c_9f5d_f57d_db67;
static SLOTS: [u8; 64] = crate::ipfilter::lexer::slots(WORD_LIST, MUL);
static KEYS: [u128; WORD_LIST.len()] = crate::ipfilter::lexer::keys(WORD_LIST);

/// `yywords`.
pub static WORDS: Table<Kw> = Table::new(WORD_LIST, &SLOTS, &KEYS, MUL);
