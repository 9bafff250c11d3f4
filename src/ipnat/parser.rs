//! The `ipnat.conf` grammar of illumos (`usr/src/cmd/ipf/tools/ipnat_y.y`),
//! as a recursive-descent parser that behaves like the yacc parser it
//! replaces:
//!
//! * it reads a lookahead token exactly where the LALR automaton does
//!   (states with a single default reduction do not read one), so the
//!   lexer's address mode, the quoted token and the line number of every
//!   error are those illumos prints;
//! * an optional part that the next token cannot start is simply absent
//!   (yacc's default reductions), so a rule is complete, and is reported,
//!   before a syntax error in the token after it;
//! * the semantic actions are those of the grammar, quirks included
//!   (`sticky` without `round-robin` dropped with a warning, `portmap`
//!   without a protocol discarded, `icmpidmap` clobbering the flags, …).

use super::lexer::{Cmp, Kw, Lexer, Tok};
use super::rule::{CName, CmpOp, I6Addr, IFNAME_MAX, LABEL_MAX, NatFlags, NatRule, Redir, swap16};
use crate::backend::netdb::Netdb;
use std::net::Ipv4Addr;

pub use crate::ipfilter::{ParseError, ntomask};

/// A rule the parser completed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRule {
    pub rule: NatRule,
    /// 1 for the first rule of the file, and so on.
    pub number: usize,
    /// The line its first word is on.
    pub line: i32,
    /// The lexer's line when the rule was handed on (`yylineNum` in
    /// `ipnat_addrule()`): usually the line of the next token, 1 at the
    /// end of the file.
    pub add_line: i32,
}

/// What parsing produces, in order.
// Each event is handed on as it comes, never stored: a rule moves, where
// a box would cost an allocation per rule.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Rule(ParsedRule),
    /// A message for stderr (warnings, undefined variables).
    Stderr(Vec<u8>),
}

/// Within the parser the error is boxed: a `Result` of a pointer comes
/// back in a register from each of the many calls that do not fail.
type PResult<T> = Result<T, Box<ParseError>>;

/// A `hostname` value.
#[derive(Debug, Clone, Copy)]
struct Ipa {
    a: I6Addr,
    v: u8,
}

/// An `addr` value: address, mask, family.
#[derive(Debug, Clone, Copy)]
struct Ipp {
    a: I6Addr,
    m: I6Addr,
    v: u8,
}

/// A `portstuff` value.
#[derive(Debug, Clone, Copy)]
struct PortStuff {
    p1: u16,
    p2: u16,
    pc: CmpOp,
}

/// Parse a whole `ipnat.conf` text, handing on each rule (and each
/// message) as the illumos parser would, in order. Stops at the first
/// error.
pub fn parse(input: &[u8], db: &dyn Netdb, sink: &mut dyn FnMut(Event)) -> Result<(), ParseError> {
    // `ipnat_parsefile()`: an empty file is not parsed at all.
    if input.is_empty() {
        return Ok(());
    }
    let mut p = Parser {
        lx: Lexer::new(input, &super::lexer::WORDS),
        la: None,
        nat: NatRule::default(),
        db,
        sink,
        count: 0,
    };
    loop {
        p.file().map_err(|e| *e)?;
        // `ipnat_parsesome()` runs the parser again while input remains
        // (after a NUL byte, which the lexer reports as the end).
        if !p.lx.more_input() {
            return Ok(());
        }
        p.lx.line = 1;
    }
}

struct Parser<'a, 'd, 's> {
    lx: Lexer<'a>,
    /// yacc's `yychar`: the lookahead, once read.
    la: Option<Tok>,
    /// The rule being built (`nat`).
    nat: NatRule,
    db: &'d dyn Netdb,
    sink: &'s mut dyn FnMut(Event),
    count: usize,
}

impl Parser<'_, '_, '_> {
    #[inline]
    fn lex(&mut self) -> Tok {
        let t = self.lx.lex();
        if !self.lx.diagnostics.is_empty() {
            self.diagnostics();
        }
        t
    }

    /// Hand on what the lexer wrote to stderr.
    #[cold]
    fn diagnostics(&mut self) {
        for d in std::mem::take(&mut self.lx.diagnostics) {
            (self.sink)(Event::Stderr(d));
        }
    }

    /// The numbers of the tokens right ahead, `N sep N…` (`first`: `sep N
    /// sep N…`), read at once when the lexer can ([`Lexer::numbers`]);
    /// `None`, with nothing read, otherwise.
    fn numbers<const K: usize>(&mut self, sep: u8, first: bool) -> Option<[u32; K]> {
        match self.la {
            None => self.lx.numbers(sep, first),
            Some(_) => None,
        }
    }

    /// The lookahead, reading it if needed.
    fn peek(&mut self) -> Tok {
        match self.la {
            Some(t) => t,
            None => {
                let t = self.lex();
                self.la = Some(t);
                t
            }
        }
    }

    /// Shift: the lookahead, or a fresh token.
    fn next(&mut self) -> Tok {
        match self.la.take() {
            Some(t) => t,
            None => self.lex(),
        }
    }

    #[cold]
    fn err(&self, msg: &str) -> Box<ParseError> {
        Box::new(ParseError {
            msg: msg.to_string(),
            token: self.lx.error_text(),
            line: self.lx.line,
        })
    }

    #[cold]
    fn syntax(&self) -> Box<ParseError> {
        self.err("syntax error")
    }

    fn expect_kw(&mut self, k: Kw) -> PResult<()> {
        match self.next() {
            Tok::Kw(x) if x == k => Ok(()),
            _ => Err(self.syntax()),
        }
    }

    fn expect_char(&mut self, c: u8) -> PResult<()> {
        match self.next() {
            Tok::Char(x) if x == c => Ok(()),
            _ => Err(self.syntax()),
        }
    }

    fn expect_number(&mut self) -> PResult<u32> {
        match self.next() {
            Tok::Number(n) => Ok(n),
            _ => Err(self.syntax()),
        }
    }

    /// A string token's text, which the lexer keeps until the next token.
    fn expect_str(&mut self) -> PResult<&[u8]> {
        match self.next() {
            Tok::Str => Ok(self.lx.text()),
            _ => Err(self.syntax()),
        }
    }

    /// `file: line | assign | file line | file assign`.
    fn file(&mut self) -> PResult<()> {
        let mut first = true;
        loop {
            match self.peek() {
                Tok::Eof => {
                    if first {
                        return Err(self.syntax());
                    }
                    self.next();
                    return Ok(());
                }
                Tok::Comment => {
                    self.next();
                }
                Tok::Str => self.assign()?,
                _ => {
                    // `xx: { newnatrule(); }`: handing the last rule on
                    // (mem::take) left a new one.
                    debug_assert!(self.nat == NatRule::default());
                    let line = self.lx.line;
                    self.rule(line)?;
                }
            }
            first = false;
        }
    }

    /// `assign: YY_STR '=' YY_STR ';'`.
    fn assign(&mut self) -> PResult<()> {
        let name = self.expect_str()?.to_vec();
        self.expect_char(b'=')?;
        // `assigning: '=' { yyvarnext = 1; }`, before the value is read.
        self.lx.var_next = true;
        let value = self.expect_str()?.to_vec();
        self.expect_char(b';')?;
        self.lx.set_variable(&name, &value);
        Ok(())
    }

    /// `line: xx rule`, `rule: (map | mapblock | redir) eol`.
    fn rule(&mut self, line: i32) -> PResult<()> {
        match self.next() {
            Tok::Kw(Kw::Map) => self.map(Redir::Map)?,
            Tok::Kw(Kw::Bimap) => self.map(Redir::Bimap)?,
            Tok::Kw(Kw::MapBlock) => self.mapblock()?,
            Tok::Kw(Kw::Rdr) => self.rdr()?,
            _ => return Err(self.syntax()),
        }
        if self.peek() == Tok::Char(b';') {
            self.next();
        }
        if self.nat.v == 0 {
            self.nat.v = 4;
        }
        self.count += 1;
        (self.sink)(Event::Rule(ParsedRule {
            rule: std::mem::take(&mut self.nat),
            number: self.count,
            line,
            add_line: self.lx.line,
        }));
        Ok(())
    }

    /// `ifnames: ifname | ifname ',' otherifname`.
    fn ifnames(&mut self) -> PResult<()> {
        let name = CName::strncpy(self.expect_str()?, IFNAME_MAX);
        self.nat.ifnames[0] = name;
        if self.peek() == Tok::Char(b',') {
            self.next();
            let name = CName::strncpy(self.expect_str()?, IFNAME_MAX);
            self.nat.ifnames[1] = name;
        }
        self.lx.expect_addr = true;
        Ok(())
    }

    fn default_ifname1(&mut self) {
        if self.nat.ifnames[1].is_empty() {
            self.nat.ifnames[1] = self.nat.ifnames[0].clone();
        }
    }

    /// `map: mapit ifnames (addr | mapfrom) -> rhaddr (proxy | mapport) mapoptions`.
    fn map(&mut self, kind: Redir) -> PResult<()> {
        self.nat.kind = kind;
        self.ifnames()?;
        let (lhs, from_v) = if self.peek() == Tok::Kw(Kw::From) {
            (None, self.mapfrom()?)
        } else {
            let a = self.addr()?;
            (Some(a), a.v)
        };
        self.expect_kw(Kw::Tlate)?;
        let rh = self.rhaddr()?;
        let mapport = match self.peek() {
            Tok::Kw(Kw::Proxy) => {
                self.next();
                self.proxy()?;
                false
            }
            Tok::Kw(Kw::Portmap) | Tok::Kw(Kw::Icmpidmap) => {
                self.mapport()?;
                true
            }
            _ => false,
        };
        self.mapoptions()?;
        let which = match (lhs.is_some(), mapport) {
            (true, false) => "1.address family mismatch",
            (true, true) => "2.address family mismatch",
            (false, false) => "3.address family mismatch",
            (false, true) => "4.address family mismatch",
        };
        if from_v != 0 && from_v != rh.v && rh.v != 0 {
            return Err(self.err(which));
        }
        if let Some(a) = lhs {
            self.nat.inside = [a.a, a.m];
        }
        self.nat.outside = [rh.a, rh.m];
        self.default_ifname1();
        let protomask = if mapport {
            NatFlags::TCPUDPICMPQ
        } else {
            NatFlags::TCPUDP
        };
        if !self.nat.flags.has(protomask) {
            self.setnatproto(self.nat.proto);
        }
        self.group_map();
        Ok(())
    }

    fn group_map(&mut self) {
        if self.nat.kind.code() & 4 != 0 || self.nat.flags.has(NatFlags::AUTOPORTMAP) {
            self.nat.set_group_map();
        }
    }

    /// `mapblock: map-block ifnames addr -> addr ports mapoptions`.
    fn mapblock(&mut self) -> PResult<()> {
        self.nat.kind = Redir::MapBlock;
        self.ifnames()?;
        let a = self.addr()?;
        self.expect_kw(Kw::Tlate)?;
        let b = self.addr()?;
        if self.peek() == Tok::Kw(Kw::Ports) {
            self.next();
            match self.next() {
                Tok::Number(n) => self.nat.pmin = n as u16,
                Tok::Kw(Kw::Auto) => self.nat.flags.set(NatFlags::AUTOPORTMAP),
                _ => return Err(self.syntax()),
            }
        }
        self.mapoptions()?;
        if a.v != 0 && a.v != b.v && b.v != 0 {
            return Err(self.err("5.address family mismatch"));
        }
        self.nat.inside = [a.a, a.m];
        self.nat.outside = [b.a, b.m];
        self.default_ifname1();
        if !self.nat.flags.has(NatFlags::TCPUDP) {
            self.setnatproto(self.nat.proto);
        }
        self.group_map();
        Ok(())
    }

    /// The three forms of `redir`.
    fn rdr(&mut self) -> PResult<()> {
        self.nat.kind = Redir::Rdr;
        self.ifnames()?;
        if matches!(self.peek(), Tok::Kw(Kw::From) | Tok::Char(b'!')) {
            let fv = self.rdrfrom()?;
            self.expect_kw(Kw::Tlate)?;
            let dv = self.dip()?;
            self.nport()?;
            self.setproto()?;
            self.rdroptions()?;
            if dv != 0 && fv != 0 && dv != fv {
                return Err(self.err("7.address family mismatch"));
            }
            self.rdr_default_tcp();
            self.default_ifname1();
            return Ok(());
        }
        let a = self.addr()?;
        let (dv, which) = match self.peek() {
            Tok::Kw(Kw::Port) => {
                self.dport()?;
                self.expect_kw(Kw::Tlate)?;
                let dv = self.dip()?;
                self.nport()?;
                self.setproto()?;
                self.rdroptions()?;
                (dv, 6)
            }
            Tok::Kw(Kw::Tlate) => {
                self.next();
                let dv = self.dip()?;
                self.setproto()?;
                self.rdroptions()?;
                (dv, 8)
            }
            _ => return Err(self.syntax()),
        };
        if dv != 0 && a.v != 0 && dv != a.v {
            return Err(self.err(&format!("{which}.address family mismatch")));
        }
        self.nat.outside = [a.a, a.m];
        self.default_ifname1();
        if which == 6 {
            self.rdr_default_tcp();
        }
        Ok(())
    }

    /// A `rdr` with ports but no protocol is a TCP rule.
    fn rdr_default_tcp(&mut self) {
        let n = &self.nat;
        if n.proto == 0
            && !n.flags.has(NatFlags::TCPUDP)
            && (n.pmin != 0 || n.pmax != 0 || n.pnext != 0)
        {
            self.setnatproto(6);
        }
    }

    /// `from: IPNY_FROM { IPN_FILTER; yyexpectaddr = 1; }`.
    fn from(&mut self) -> PResult<()> {
        self.expect_kw(Kw::From)?;
        self.nat.flags.set(NatFlags::FILTER);
        self.lx.expect_addr = true;
        Ok(())
    }

    /// `mapfrom: from sobject ['!'] to dobject`.
    fn mapfrom(&mut self) -> PResult<u8> {
        self.from()?;
        let sv = self.sobject()?;
        let not = match self.next() {
            Tok::Kw(Kw::To) => false,
            Tok::Char(b'!') => {
                self.expect_kw(Kw::To)?;
                true
            }
            _ => return Err(self.syntax()),
        };
        let dv = self.dobject()?;
        if sv != 0 && dv != 0 && sv != dv {
            return Err(self.err(if not {
                "12.address family mismatch"
            } else {
                "11.address family mismatch"
            }));
        }
        if not {
            self.nat.flags.set(NatFlags::NOTDST);
        }
        Ok(sv)
    }

    /// `rdrfrom: ['!'] from sobject to dobject`.
    fn rdrfrom(&mut self) -> PResult<u8> {
        let not = self.peek() == Tok::Char(b'!');
        if not {
            self.next();
        }
        self.from()?;
        let sv = self.sobject()?;
        self.expect_kw(Kw::To)?;
        let dv = self.dobject()?;
        if sv != 0 && dv != 0 && sv != dv {
            return Err(self.err(if not {
                "14.address family mismatch"
            } else {
                "13.address family mismatch"
            }));
        }
        if not {
            self.nat.flags.set(NatFlags::NOTSRC);
        }
        Ok(sv)
    }

    /// `sobject: saddr [port portstuff]`.
    fn sobject(&mut self) -> PResult<u8> {
        let a = self.addr()?;
        if self.nat.kind == Redir::Rdr {
            self.nat.src = [a.a, a.m];
        } else {
            self.nat.inside = [a.a, a.m];
        }
        if self.peek() == Tok::Kw(Kw::Port) {
            self.next();
            let ps = self.portstuff()?;
            self.nat.scmp.port = ps.p1;
            self.nat.scmp.top = ps.p2;
            self.nat.scmp.op = ps.pc;
        }
        Ok(a.v)
    }

    /// `dobject: daddr [port portstuff]`.
    fn dobject(&mut self) -> PResult<u8> {
        let a = self.addr()?;
        if self.nat.kind == Redir::Rdr {
            self.nat.outside = [a.a, a.m];
        } else {
            self.nat.src = [a.a, a.m];
        }
        if self.peek() == Tok::Kw(Kw::Port) {
            self.next();
            let ps = self.portstuff()?;
            self.nat.dcmp.port = ps.p1;
            self.nat.dcmp.top = ps.p2;
            self.nat.dcmp.op = ps.pc;
            if self.nat.kind == Redir::Rdr {
                self.nat.pmin = ps.p1;
            }
        }
        Ok(a.v)
    }

    /// `portstuff: compare portspec | portspec range portspec`.
    fn portstuff(&mut self) -> PResult<PortStuff> {
        let t = self.next();
        let pc = match t {
            Tok::Char(b'=') | Tok::Cmp(Cmp::Eq) => CmpOp::EQUAL,
            Tok::Cmp(Cmp::Ne) => CmpOp::NEQUAL,
            Tok::Cmp(Cmp::Lt) => CmpOp::LESST,
            Tok::Cmp(Cmp::Le) => CmpOp::LESSTE,
            Tok::Cmp(Cmp::Gt) => CmpOp::GREATERT,
            Tok::Cmp(Cmp::Ge) => CmpOp::GREATERTE,
            Tok::Number(_) | Tok::Str => {
                let p1 = self.portspec(t)?;
                let pc = match self.next() {
                    Tok::RangeOut => CmpOp::OUTRANGE,
                    Tok::RangeIn => CmpOp::INRANGE,
                    _ => return Err(self.syntax()),
                };
                let t = self.next();
                let p2 = self.portspec(t)?;
                return Ok(PortStuff { p1, p2, pc });
            }
            _ => return Err(self.syntax()),
        };
        let t = self.next();
        let p1 = self.portspec(t)?;
        Ok(PortStuff { p1, p2: 0, pc })
    }

    /// `portspec: YY_NUMBER | YY_STR`, for `t` the token just read.
    fn portspec(&mut self, t: Tok) -> PResult<u16> {
        match t {
            Tok::Number(n) => {
                if n > 65535 {
                    Err(self.err("invalid port number"))
                } else {
                    Ok(n as u16)
                }
            }
            Tok::Str => self
                .db
                .serv_by_name(cstr(self.lx.text()), None)
                .ok_or_else(|| self.err("invalid port number")),
            _ => Err(self.syntax()),
        }
    }

    /// `dport: port portspec [('-' | ':') portspec]` (`rdr`).
    fn dport(&mut self) -> PResult<()> {
        self.expect_kw(Kw::Port)?;
        let t = self.next();
        let a = self.portspec(t)?;
        let b = if matches!(self.peek(), Tok::Char(b'-') | Tok::Char(b':')) {
            self.next();
            let t = self.next();
            self.portspec(t)?
        } else {
            a
        };
        self.nat.pmin = a;
        self.nat.pmax = b;
        Ok(())
    }

    /// `nport: port portspec | port '=' portspec`.
    fn nport(&mut self) -> PResult<()> {
        self.expect_kw(Kw::Port)?;
        match self.next() {
            Tok::Char(b'=') => {
                let t = self.next();
                self.nat.pnext = self.portspec(t)?;
                self.nat.flags.set(NatFlags::FIXEDDPORT);
            }
            t => self.nat.pnext = self.portspec(t)?,
        }
        Ok(())
    }

    /// `dip: hostname | hostname '/' NUMBER | hostname ',' hostname`.
    fn dip(&mut self) -> PResult<u8> {
        let t = self.next();
        let h = self.hostname(t)?;
        match self.peek() {
            Tok::Char(b'/') => {
                self.next();
                let n = self.expect_number()?;
                let mut v = if h.v == 0 { self.nat.v } else { h.v };
                let a0 = h.a.word0();
                if (v == 4 && (a0 != 0 || (n != 0 && n != 32)))
                    || (v == 6 && (a0 != 0 || (n != 0 && n != 128)))
                {
                    return Err(self.err("Invalid mask for dip"));
                } else if v == 0 {
                    if a0 == 0 && (n == 32 || n == 0) {
                        v = 4;
                    } else if n == 128 {
                        v = 6;
                    }
                }
                self.nat.inside[0] = h.a;
                if let Some(m) = ntomask(v, n) {
                    self.nat.inside[1] = m;
                }
                let m = self.nat.inside[1].0;
                for k in 0..4 {
                    for j in 0..4 {
                        self.nat.inside[0].0[j] &= m[k * 4 + j];
                    }
                }
                self.nat.v = v;
                Ok(v)
            }
            Tok::Char(b',') => {
                self.next();
                self.lx.expect_addr = true;
                let t = self.next();
                let h2 = self.hostname(t)?;
                if h.v != h2.v {
                    return Err(self.err("10.address family mismatch"));
                }
                self.nat.flags.set(NatFlags::SPLIT);
                self.nat.inside = [h.a, h2.a];
                self.lx.expect_addr = false;
                Ok(h.v)
            }
            _ => {
                self.nat.inside[0] = h.a;
                let v = if h.v == 0 { self.nat.v } else { h.v };
                if v == 4 {
                    self.nat.inside[1].set_word0(0xffff_ffff);
                } else {
                    self.nat.inside[1] = I6Addr([0xff; 16]);
                }
                Ok(v)
            }
        }
    }

    /// `rhaddr: addr | range hostname '-' hostname`.
    fn rhaddr(&mut self) -> PResult<Ipp> {
        if self.peek() == Tok::Kw(Kw::Range) {
            self.next();
            let t = self.next();
            let h1 = self.hostname(t)?;
            self.expect_char(b'-')?;
            let t = self.next();
            let h2 = self.hostname(t)?;
            if h1.v != 0 && h2.v != 0 && h2.v != h1.v {
                return Err(self.err("9.address family mismatch"));
            }
            self.nat.flags.set(NatFlags::IPRANGE);
            self.lx.expect_addr = false;
            return Ok(Ipp {
                a: h1.a,
                m: h2.a,
                v: h1.v,
            });
        }
        let mut a = self.addr()?;
        if a.v == 0 {
            a.v = self.nat.v;
        }
        self.lx.expect_addr = false;
        Ok(a)
    }

    /// `addr`: `any`, a host, or a host with a mask in one of five forms.
    fn addr(&mut self) -> PResult<Ipp> {
        let t = self.next();
        if t == Tok::Kw(Kw::Any) {
            self.lx.expect_addr = false;
            return Ok(Ipp {
                a: I6Addr::ZERO,
                m: I6Addr::ZERO,
                v: self.nat.v,
            });
        }
        let h = self.hostname(t)?;
        if let Some([n]) = self.numbers(b'/', true) {
            return self.addr_slash_number(h, n);
        }
        match self.peek() {
            Tok::Char(b'/') => {
                self.next();
                match self.next() {
                    Tok::Number(n) => self.addr_slash_number(h, n),
                    Tok::Hex(x) => Ok(addr_with_hex(h, x)),
                    Tok::Ipv6 => self.addr_with_ipaddr(
                        h,
                        Ipa {
                            a: I6Addr(self.lx.ipv6()),
                            v: 6,
                        },
                        "1.address family mismatch",
                    ),
                    _ => Err(self.syntax()),
                }
            }
            Tok::Kw(Kw::Mask) => {
                self.next();
                match self.next() {
                    Tok::Number(n) => {
                        self.expect_char(b'.')?;
                        let ip = self.ipv4_rest(n)?;
                        self.addr_with_ipaddr(h, Ipa { a: ip, v: 4 }, "2.address family mismatch")
                    }
                    Tok::Hex(x) => Ok(addr_with_hex(h, x)),
                    Tok::Ipv6 => self.addr_with_ipaddr(
                        h,
                        Ipa {
                            a: I6Addr(self.lx.ipv6()),
                            v: 6,
                        },
                        "2.address family mismatch",
                    ),
                    _ => Err(self.syntax()),
                }
            }
            _ => {
                let m = if h.v == 4 {
                    let mut m = I6Addr::ZERO;
                    m.set_word0(0xffff_ffff);
                    m
                } else {
                    I6Addr([0xff; 16])
                };
                self.lx.expect_addr = false;
                Ok(Ipp { a: h.a, m, v: h.v })
            }
        }
    }

    /// `hostname '/' YY_NUMBER` and `hostname '/' ipaddr`, after the number.
    fn addr_slash_number(&mut self, h: Ipa, n: u32) -> PResult<Ipp> {
        if self.peek() == Tok::Char(b'.') {
            self.next();
            let ip = self.ipv4_rest(n)?;
            self.addr_with_ipaddr(h, Ipa { a: ip, v: 4 }, "1.address family mismatch")
        } else {
            self.addr_with_bits(h, n)
        }
    }

    /// `hostname '/' YY_NUMBER`.
    fn addr_with_bits(&mut self, h: Ipa, n: u32) -> PResult<Ipp> {
        let mut v = h.v;
        if v == 0 {
            if h.a.word0() != 0 {
                return Err(self.err("invalid addr"));
            }
            if n == 0 || n == 32 {
                v = 4;
            } else if n == 128 {
                v = 6;
            } else {
                return Err(self.err("invalid mask"));
            }
            self.nat.v = v;
        }
        // When ntomask() refuses the length, the mask keeps what the yacc
        // value stack held there: the host's family number (x86 order).
        let m = ntomask(v, n).unwrap_or_else(|| {
            let mut m = I6Addr::ZERO;
            m.0[..4].copy_from_slice(&u32::from(h.v).to_le_bytes());
            m
        });
        self.lx.expect_addr = false;
        Ok(Ipp {
            a: h.a.and(&m),
            m,
            v,
        })
    }

    /// `hostname '/' ipaddr` and `hostname mask ipaddr`.
    fn addr_with_ipaddr(&mut self, h: Ipa, ip: Ipa, mismatch: &str) -> PResult<Ipp> {
        if h.v != ip.v {
            return Err(self.err(mismatch));
        }
        self.lx.expect_addr = false;
        Ok(Ipp {
            a: h.a.and(&ip.a),
            m: ip.a,
            v: h.v,
        })
    }

    /// `hostname`: a name, a number, a dotted quad or an IPv6 address
    /// (`t`, the token just read, and what follows).
    fn hostname(&mut self, t: Tok) -> PResult<Ipa> {
        match t {
            Tok::Str => {
                let name = cstr(self.lx.text()).to_vec();
                let (a, v) = if let Some(a) = self.gethost(&name, false) {
                    (a, 4)
                } else if let Some(a) = self.gethost(&name, true) {
                    (a, 6)
                } else {
                    return Err(self.err("Unknown hostname"));
                };
                self.nat.v = v;
                Ok(Ipa { a, v })
            }
            Tok::Number(n) => {
                if let Some(rest) = self.numbers(b'.', true) {
                    let a = self.ipv4(n, rest)?;
                    self.nat.v = 4;
                    return Ok(Ipa { a, v: 4 });
                }
                self.after_number(n)
            }
            Tok::Ipv6 => {
                self.nat.v = 6;
                Ok(Ipa {
                    a: I6Addr(self.lx.ipv6()),
                    v: 6,
                })
            }
            _ => Err(self.syntax()),
        }
    }

    /// A hostname that starts with the number `n`, but for a dotted quad
    /// read at once.
    fn after_number(&mut self, n: u32) -> PResult<Ipa> {
        match self.peek() {
            Tok::Ipv6 => {
                self.next();
                Ok(Ipa {
                    a: I6Addr(self.lx.ipv6()),
                    v: 6,
                })
            }
            Tok::Char(b'.') => {
                self.next();
                let a = self.ipv4_rest(n)?;
                self.nat.v = 4;
                Ok(Ipa { a, v: 4 })
            }
            _ => {
                let mut a = I6Addr::ZERO;
                a.set_word0(n);
                let v = if n != 0 { 4 } else { self.nat.v };
                if v != 0 {
                    self.nat.v = v;
                }
                Ok(Ipa { a, v })
            }
        }
    }

    /// `gethost()`.
    fn gethost(&self, name: &[u8], v6: bool) -> Option<I6Addr> {
        crate::ipfilter::gethost(self.db, name, v6)
    }

    /// `ipv4: YY_NUMBER '.' YY_NUMBER '.' YY_NUMBER '.' YY_NUMBER`, after the
    /// first number and dot.
    fn ipv4_rest(&mut self, n1: u32) -> PResult<I6Addr> {
        let rest = match self.numbers(b'.', false) {
            Some(rest) => rest,
            None => {
                let n2 = self.expect_number()?;
                self.expect_char(b'.')?;
                let n3 = self.expect_number()?;
                self.expect_char(b'.')?;
                [n2, n3, self.expect_number()?]
            }
        };
        self.ipv4(n1, rest)
    }

    /// The address of the four numbers of a dotted quad.
    fn ipv4(&self, n1: u32, [n2, n3, n4]: [u32; 3]) -> PResult<I6Addr> {
        if n1 > 255 || n2 > 255 || n3 > 255 || n4 > 255 {
            return Err(self.err("Invalid octet string for IP address"));
        }
        Ok(I6Addr::from_v4(Ipv4Addr::new(
            n1 as u8, n2 as u8, n3 as u8, n4 as u8,
        )))
    }

    /// `proxy: proxy port portspec NAME '/' proto | proxy port NAME NAME '/' proto`
    /// (after `proxy`).
    fn proxy(&mut self) -> PResult<()> {
        self.expect_kw(Kw::Port)?;
        match self.next() {
            t @ Tok::Number(_) => {
                let port = self.portspec(t)?;
                let label = CName::strncpy(self.expect_str()?, LABEL_MAX);
                self.expect_char(b'/')?;
                let p = self.proxy_proto()?;
                self.nat.plabel = label;
                if self.nat.dcmp.op.is_none() {
                    self.nat.dcmp.port = swap16(port);
                } else if port != self.nat.dcmp.port {
                    return Err(self.err("proxy port numbers not consistant"));
                }
                self.setnatproto(p);
            }
            Tok::Str => {
                let pname = self.lx.text().to_vec();
                let label = CName::strncpy(self.expect_str()?, LABEL_MAX);
                self.expect_char(b'/')?;
                let p = self.proxy_proto()?;
                self.nat.plabel = label;
                self.nat.dcmp.port = self.getportproto(cstr(&pname), p);
                self.setnatproto(p);
            }
            _ => return Err(self.syntax()),
        }
        Ok(())
    }

    /// `proto` where a `'/'` cannot follow `tcp`.
    fn proxy_proto(&mut self) -> PResult<i32> {
        match self.next() {
            Tok::Number(n) => Ok(n as i32),
            Tok::Kw(Kw::Tcp) => Ok(6),
            Tok::Kw(Kw::Udp) => Ok(17),
            Tok::Str => Ok(self.getproto(self.lx.text())),
            _ => Err(self.syntax()),
        }
    }

    /// `getproto()`: a number, or a name from the protocols database (-1
    /// when unknown).
    fn getproto(&self, s: &[u8]) -> i32 {
        let s = cstr(s);
        if s.iter().all(u8::is_ascii_digit) {
            return atoi(s);
        }
        self.db.proto_by_name(s).unwrap_or(-1)
    }

    /// `getportproto()`: the port in network order (as a raw value), 0 if
    /// unknown.
    fn getportproto(&self, name: &[u8], proto: i32) -> u16 {
        if name.first().is_some_and(u8::is_ascii_digit) && atoi(name) > 0 {
            return swap16((atoi(name) & 65535) as u16);
        }
        self.db
            .proto_by_number(proto)
            .and_then(|p| self.db.serv_by_name(name, Some(&p)))
            .map(swap16)
            .unwrap_or(0)
    }

    /// `mapport: portmap tcpudp (portspec ':' portspec | auto) [sequential]
    ///         | icmpidmap icmp N ':' N`.
    fn mapport(&mut self) -> PResult<()> {
        match self.next() {
            Tok::Kw(Kw::Portmap) => {
                match self.peek() {
                    Tok::Kw(Kw::Tcp) => {
                        self.next();
                        if self.peek() == Tok::Char(b'/') {
                            self.next();
                            self.expect_kw(Kw::Udp)?;
                            self.nat.flags.set(NatFlags::TCPUDP);
                            self.nat.proto = 0;
                        } else {
                            self.setnatproto(6);
                        }
                    }
                    Tok::Kw(Kw::Udp) => {
                        self.next();
                        self.setnatproto(17);
                    }
                    Tok::Kw(Kw::Tcpudp) => {
                        self.next();
                        self.nat.flags.set(NatFlags::TCPUDP);
                        self.nat.proto = 0;
                    }
                    _ => {}
                }
                match self.next() {
                    Tok::Kw(Kw::Auto) => {
                        self.randport();
                        self.nat.flags.set(NatFlags::AUTOPORTMAP);
                        self.nat.pmin = 1024;
                        self.nat.pmax = 65535;
                    }
                    t => {
                        let a = self.portspec(t)?;
                        self.expect_char(b':')?;
                        let t = self.next();
                        let b = self.portspec(t)?;
                        self.randport();
                        self.nat.pmin = a;
                        self.nat.pmax = b;
                    }
                }
            }
            Tok::Kw(Kw::Icmpidmap) => {
                let icmp = cstr(self.expect_str()?) == b"icmp";
                let a = self.expect_number()?;
                self.expect_char(b':')?;
                let b = self.expect_number()?;
                if !icmp {
                    return Err(self.err("icmpidmap not followed by icmp"));
                }
                if a > 65535 || b > 65535 {
                    return Err(self.err("invalid ICMP Id number"));
                }
                self.nat.flags = NatFlags(NatFlags::ICMPQUERY);
                self.nat.pmin = a as u16;
                self.nat.pmax = b as u16;
            }
            _ => return Err(self.syntax()),
        }
        Ok(())
    }

    /// `randport: [sequential]`.
    fn randport(&mut self) {
        if self.peek() == Tok::Kw(Kw::Sequential) {
            self.next();
            self.nat.flags.set(NatFlags::SEQUENTIAL);
        }
    }

    /// `rr frag age`, common to both option lists.
    fn rr_frag_age(&mut self) -> PResult<()> {
        if self.peek() == Tok::Kw(Kw::RoundRobin) {
            self.next();
            self.nat.flags.set(NatFlags::ROUNDR);
        }
        if self.peek() == Tok::Kw(Kw::Frag) {
            self.next();
            self.nat.flags.set(NatFlags::FRAG);
        }
        if self.peek() == Tok::Kw(Kw::Age) {
            self.next();
            let a = self.expect_number()?;
            let b = if self.peek() == Tok::Char(b'/') {
                self.next();
                self.expect_number()?
            } else {
                a
            };
            self.nat.age = [a, b];
        }
        Ok(())
    }

    fn mssclamp(&mut self) -> PResult<()> {
        if self.peek() == Tok::Kw(Kw::Mssclamp) {
            self.next();
            self.nat.mssclamp = self.expect_number()?;
        }
        Ok(())
    }

    fn nattag(&mut self) -> PResult<()> {
        if self.peek() == Tok::Kw(Kw::Tag) {
            self.next();
            let tag = CName::strncpy(self.expect_str()?, LABEL_MAX);
            self.nat.tag = tag;
        }
        Ok(())
    }

    /// `mapoptions: rr frag age mssclamp nattag setproto`.
    fn mapoptions(&mut self) -> PResult<()> {
        self.rr_frag_age()?;
        self.mssclamp()?;
        self.nattag()?;
        self.setproto()
    }

    /// `rdroptions: rr frag age sticky mssclamp rdrproxy nattag`.
    fn rdroptions(&mut self) -> PResult<()> {
        self.rr_frag_age()?;
        if self.peek() == Tok::Kw(Kw::Sticky) {
            self.next();
            if !self.nat.flags.has(NatFlags::ROUNDR) && !self.nat.flags.has(NatFlags::SPLIT) {
                (self.sink)(Event::Stderr(
                    b"'sticky' for use with round-robin/IP splitting only\n".to_vec(),
                ));
            } else {
                self.nat.flags.set(NatFlags::STICKY);
            }
        }
        self.mssclamp()?;
        if self.peek() == Tok::Kw(Kw::Proxy) {
            self.next();
            match self.peek() {
                Tok::Str => {
                    self.next();
                    self.nat.plabel = CName::strncpy(self.lx.text(), LABEL_MAX);
                    // in_dport = htons(in_pnext) on the raw (network-order)
                    // in_pnext: the host-order number.
                    self.nat.dcmp.port = self.nat.pnext;
                }
                Tok::Kw(Kw::Port) => {
                    self.proxy()?;
                    self.rdrproxy_copy();
                }
                _ => {
                    self.next();
                    return Err(self.syntax());
                }
            }
        }
        self.nattag()
    }

    /// `rdrproxy: proxy { in_pmin = in_pmax = in_pnext = in_dport; }`.
    fn rdrproxy_copy(&mut self) {
        if !self.nat.plabel.is_empty() {
            let raw = self.nat.dcmp.port;
            let p = swap16(raw);
            self.nat.pmin = p;
            self.nat.pmax = p;
            self.nat.pnext = p;
        }
    }

    /// `setproto: [proto | tcpudp | tcp '/' udp]`.
    fn setproto(&mut self) -> PResult<()> {
        let p = match self.peek() {
            Tok::Number(n) => {
                self.next();
                n as i32
            }
            Tok::Str => {
                self.next();
                self.getproto(self.lx.text())
            }
            Tok::Kw(Kw::Udp) => {
                self.next();
                17
            }
            Tok::Kw(Kw::Tcp) => {
                self.next();
                if self.peek() == Tok::Char(b'/') {
                    self.next();
                    self.expect_kw(Kw::Udp)?;
                    self.twice()?;
                    self.nat.flags.set(NatFlags::TCPUDP);
                    self.nat.proto = 0;
                    return Ok(());
                }
                6
            }
            Tok::Kw(Kw::Tcpudp) => {
                self.next();
                self.twice()?;
                self.nat.flags.set(NatFlags::TCPUDP);
                self.nat.proto = 0;
                return Ok(());
            }
            _ => return Ok(()),
        };
        self.twice()?;
        self.setnatproto(p);
        Ok(())
    }

    fn twice(&self) -> PResult<()> {
        if self.nat.proto != 0 || self.nat.flags.has(NatFlags::TCPUDP) {
            return Err(self.err("protocol set twice"));
        }
        Ok(())
    }

    /// `setnatproto()`.
    fn setnatproto(&mut self, p: i32) {
        let n = &mut self.nat;
        n.proto = p;
        match p {
            6 => {
                n.flags.set(NatFlags::TCP);
                n.flags.clear(NatFlags::UDP);
            }
            17 => {
                n.flags.set(NatFlags::UDP);
                n.flags.clear(NatFlags::TCP);
            }
            1 => {
                n.flags.clear(NatFlags::TCPUDP);
                if !n.flags.has(NatFlags::ICMPQUERY) {
                    n.dcmp.op = CmpOp::NONE;
                    n.scmp.op = CmpOp::NONE;
                    n.pmin = 0;
                    n.pmax = 0;
                    n.pnext = 0;
                }
            }
            _ => {
                if n.kind.code() & 4 == 0 {
                    if n.dcmp.port == 0 {
                        n.dcmp.op = CmpOp::NONE;
                    }
                    if n.scmp.port == 0 {
                        n.scmp.op = CmpOp::NONE;
                    }
                    n.pmin = 0;
                    n.pmax = 0;
                    n.pnext = 0;
                    n.flags.clear(NatFlags::TCPUDP);
                }
            }
        }
        if n.flags.0 & (NatFlags::TCPUDP | NatFlags::FIXEDDPORT) == NatFlags::FIXEDDPORT {
            n.flags.clear(NatFlags::FIXEDDPORT);
        }
    }
}

/// `hostname '/' hexnumber` and `hostname mask hexnumber`: always IPv4,
/// and the lexer stays in address mode.
fn addr_with_hex(h: Ipa, x: u32) -> Ipp {
    let mut m = I6Addr::ZERO;
    m.set_word0(x);
    let mut a = h.a;
    a.set_word0(a.word0() & x);
    Ipp { a, m, v: 4 }
}

/// `atoi()` on illumos: leading digits, saturating like `strtol`, then
/// truncated to an `int`.
fn atoi(s: &[u8]) -> i32 {
    let mut v: i64 = 0;
    for &d in s.iter().take_while(|b| b.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add(i64::from(d - b'0'));
    }
    v as i32
}

fn cstr(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::BuiltinNetdb;
    use crate::ipnat::print::{Out, printnat};
    use crate::ipnat::rule::RuleCounters;

    /// The built-in databases, without DNS.
    struct NoHosts;

    impl Netdb for NoHosts {
        fn serv_by_name(&self, n: &[u8], p: Option<&str>) -> Option<u16> {
            BuiltinNetdb.serv_by_name(n, p)
        }
        fn serv_by_port(&self, port: u16, p: &str) -> Option<String> {
            BuiltinNetdb.serv_by_port(port, p)
        }
        fn proto_by_name(&self, n: &[u8]) -> Option<i32> {
            BuiltinNetdb.proto_by_name(n)
        }
        fn proto_by_number(&self, p: i32) -> Option<String> {
            BuiltinNetdb.proto_by_number(p)
        }
        fn host(&self, name: &[u8], v6: bool) -> Option<Vec<u8>> {
            match (name, v6) {
                (b"gw.example", false) => Some(vec![192, 0, 2, 1]),
                _ => None,
            }
        }
        fn hostname(&self) -> Vec<u8> {
            b"gw.example".to_vec()
        }
    }

    /// What `ipnat -nvf` prints on stdout and stderr for `text`.
    fn run(text: &str) -> (String, String) {
        let mut out = Vec::new();
        let mut err = Vec::new();
        let r = parse(text.as_bytes(), &NoHosts, &mut |e| match e {
            Event::Rule(r) => {
                let mut o = Out::default();
                printnat(&mut o, &NoHosts, &r.rule, &RuleCounters::default(), false);
                out.extend_from_slice(&o.out);
            }
            Event::Stderr(m) => err.extend_from_slice(&m),
        });
        if let Err(e) = r {
            err.extend_from_slice(&e.to_bytes());
        }
        (
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    }

    fn err_of(text: &str) -> String {
        run(text).1
    }

    #[test]
    fn error_texts() {
        let cases = [
            (
                "map le0 0/0 -> 0/32 portmap tcp 1:70000\n",
                "invalid port number error at \"70000\", line 1\n",
            ),
            (
                "map le0 0/0 -> 0/32 portmap tcp nosuch:2\n",
                "invalid port number error at \"nosuch\", line 1\n",
            ),
            ("\n\n", "syntax error error at \"\", line 1\n"),
            ("map le0\n", "syntax error error at \"\", line 1\n"),
            (
                "map le0 1.2.3.400/32 -> 0/32\n",
                "Invalid octet string for IP address error at \"400\", line 1\n",
            ),
            (
                "map le0 0/12 -> 0/32\n",
                "invalid mask error at \"->\", line 1\n",
            ),
            (
                "map le0 10.0.0.0/8 -> 0/32 portmap tcp 1:2 udp\n",
                "protocol set twice error at \"udp\", line 1\n",
            ),
            (
                "map le0 10.0.0.0/8 -> 0/32 icmpidmap ICMP 1:2\n",
                "icmpidmap not followed by icmp error at \"2\", line 1\n",
            ),
            (
                "map le0 10.0.0.0/8 -> 0/32 icmpidmap icmp 1:65536\n",
                "invalid ICMP Id number error at \"65536\", line 1\n",
            ),
            (
                "rdr le0 0/0 port 80 -> 1.2.3.4/24 port 80\n",
                "Invalid mask for dip error at \"24\", line 1\n",
            ),
            (
                "map fxp0 from any to any port = 21 -> 1.2.3.4/32 proxy port 22 ftp/tcp\n",
                "proxy port numbers not consistant error at \"tcp\", line 1\n",
            ),
            (
                "map le0 from 1.2.3.4 to ! 5.6.7.8 -> 0/32\n",
                "syntax error error at \"!\", line 1\n",
            ),
            (
                "map le0 0/0 -> 0/32\n\nmap le0 0/0 => 0/32\n",
                "syntax error error at \"=\", line 3\n",
            ),
            (
                "map le0 nosuch.example -> 0/32\n",
                "Unknown hostname error at \"nosuch.example\", line 1\n",
            ),
            (
                "map le0 2426e38c-9f63-c0b8-cfd5-9aaeaf992d42 -> 0/32\n",
                "syntax error error at \"<unknown>\", line 1\n",
            ),
            (
                "map le0 0 netmask 255.0.0.0 -> 0/32\n",
                "2.address family mismatch error at \"0\", line 1\n",
            ),
            // The word table's first spelling is quoted: netmask is "mask".
            (
                "map le0 0/0 netmask 1.2.3.4 -> 0/32\n",
                "syntax error error at \"mask\", line 1\n",
            ),
            // `<` outside address mode is the "lt" comparison.
            (
                "map le0 10.0.0.0/8 -> <thishost>/32\n",
                "syntax error error at \"lt\", line 1\n",
            ),
            (
                "map le0 0/0 -> 0/32 # comment\nrdr\n",
                "syntax error error at \"\", line 1\n",
            ),
            (
                "map le0 0/0\n  # c\n -> 0/32\n",
                "syntax error error at \"<unknown>\", line 2\n",
            ),
            // `x` is the protocol; `y` starts a `name = value;` assignment.
            (
                "bimap le0 0/0 -> 0/32 round-robin x y\n",
                "syntax error error at \"\", line 1\n",
            ),
            (
                "rdr le0 1.2.3.4 -> 5.6.7.8 proxy 1\n",
                "syntax error error at \"1\", line 1\n",
            ),
            (
                "mpa le0 1.2.3.4 -> 5.6.7.8\n",
                "syntax error error at \"le0\", line 1\n",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(err_of(text), want, "for {text:?}");
        }
    }

    #[test]
    fn a_complete_rule_is_reported_before_the_error_after_it() {
        let (out, err) = run("rdr le0 1.2.3.4/32 -> 5.6.7.8 port 80 tcp\n");
        assert_eq!(out, "rdr le0 1.2.3.4/32 -> 5.6.7.8 ip\n");
        assert_eq!(err, "syntax error error at \"port\", line 1\n");
    }

    #[test]
    fn an_unterminated_quote_ends_the_input() {
        assert_eq!(
            run("map le0 0/0 -> 0/32 'x\n"),
            ("map le0 0.0.0.0/0 -> 0.0.0.0/32\n".into(), String::new())
        );
        let mut err = Vec::new();
        let r = parse(b"map le0 \"x\n", &NoHosts, &mut |_| {});
        if let Err(e) = r {
            err = e.to_bytes();
        }
        assert_eq!(err, b"syntax error error at \"\xfe\", line 2\n");
    }

    #[test]
    fn the_add_line_is_the_lexers() {
        let mut lines = Vec::new();
        parse(
            b"map a 0/0 -> 0/32\n\nmap b 1/32 -> 0/32\n",
            &NoHosts,
            &mut |e| {
                if let Event::Rule(r) = e {
                    lines.push((r.number, r.line, r.add_line));
                }
            },
        )
        .unwrap();
        assert_eq!(lines, vec![(1, 1, 3), (2, 3, 1)]);
    }

    #[test]
    fn rules_and_their_quirks() {
        let cases = [
            (
                "map le0 0/0 -> 0/32;map le0 1/32 -> 2/32;\n",
                "map le0 0.0.0.0/0 -> 0.0.0.0/32\nmap le0 0.0.0.1/32 -> 0.0.0.2/32\n",
            ),
            (
                "MAP le0 10.1.2.3 -> gw.example portmap 1:2\n",
                "map le0 10.1.2.3/32 -> 192.0.2.1/32\n",
            ),
            (
                "map le0 from <thishost> to any -> 0/32 portmap udp 1:2 sequential\n",
                "map le0 from 192.0.2.1/32 to any -> 0.0.0.0/32 portmap udp 1:2 sequential\n",
            ),
            (
                "map le0 from any to any port = 53 -> 0/32 udp\n",
                "map le0 from any to any port = domain -> 0.0.0.0/32 udp\n",
            ),
            (
                "map le0 10.0.0.0/8 -> 0/32 gre\n",
                "map le0 10.0.0.0/8 -> 0.0.0.0/32 gre\n",
            ),
            (
                "map le0 10.0.0.0/8 -> 0/32 bogus\n",
                "map le0 10.0.0.0/8 -> 0.0.0.0/32 -1\n",
            ),
            (
                "map le0 10.0.0.0/8 -> 0/32 proxy port nosuch ftp/tcp\n",
                "map le0 10.0.0.0/8 -> 0.0.0.0/32 proxy port  ftp/tcp\n",
            ),
            (
                "rdr le0 1.2.3.4/32 port 80 -> 10.0.0.1 port = 8080 tcp round-robin\n",
                "rdr le0 1.2.3.4/32 port 80 -> 10.0.0.1 port = 8080 tcp round-robin\n",
            ),
            (
                "rdr le0 ! from 1.2.3.0/24 to 5.6.7.8 port = 25 -> 10.0.0.1 port 25\n",
                "rdr le0 ! from 1.2.3.0/24 to 5.6.7.8/32 port = smtp -> 10.0.0.1 port 25 tcp\n",
            ),
            (
                "rdr le0 1.2.3.4/32 port 21 -> 10.0.0.1 port 21 tcp proxy ftp\n",
                "rdr le0 1.2.3.4/32 port 21 -> 10.0.0.1 port 21 tcp proxy ftp\n",
            ),
            (
                "map le0 2001:db8::/32 -> 2001:db8:1::1/128\n",
                "map le0 2001:db8::/32 -> 2001:db8:1::1/128\n",
            ),
            (
                "bimap le0 10.0.0.1/32 -> 192.0.2.1/32 frag age 0/5 mssclamp 1400 tag x\n",
                "bimap le0 10.0.0.1/32 -> 192.0.2.1/32 frag age 0/5 mssclamp 1400 tag x\n",
            ),
            (
                "map le0 10.0.0.0/0xff00ff00 -> 0/32\n",
                "map le0 10.0.0.0/255.0.255.0 -> 0.0.0.0/32\n",
            ),
            (
                "map a,b 0/0 -> 0/32\n",
                "map a,b  0.0.0.0/0 -> 0.0.0.0/32\n",
            ),
            ("map a,a 0/0 -> 0/32\n", "map a 0.0.0.0/0 -> 0.0.0.0/32\n"),
        ];
        for (text, want) in cases {
            assert_eq!(run(text), (want.to_string(), String::new()), "for {text:?}");
        }
    }

    #[test]
    fn variables_as_illumos_expands_them() {
        assert_eq!(
            run("ext = hme0;\nmap $ext 10.0.0.0/8 -> 0/32\nmap ${ext} 0/0 -> 0/32\n").0,
            "map hme0 10.0.0.0/8 -> 0.0.0.0/32\nmap hme0 0.0.0.0/0 -> 0.0.0.0/32\n"
        );
        // A quoted value leaves the lexer in "value" mode: the next word is
        // not a keyword (an illumos quirk).
        assert_eq!(
            run("ext = \"hme0\";\nmap $ext 0/0 -> 0/32\n").1,
            "syntax error error at \"hme0\", line 2\n"
        );
        assert_eq!(
            run("map $nope 0/0 -> 0/32\n"),
            (
                "map $nope 0.0.0.0/0 -> 0.0.0.0/32\n".into(),
                "1: unknown variable 'nope'\n".into()
            )
        );
    }
}
