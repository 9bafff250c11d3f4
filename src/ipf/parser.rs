//! The `ipf.conf` grammar of illumos (`usr/src/cmd/ipf/tools/ipf_y.y`, the
//! 2019 version with `uuid` and `cfwlog`), as a recursive-descent parser
//! that behaves like the yacc parser it replaces:
//!
//! * a lookahead token is read where the LALR automaton reads one (states
//!   with a single default reduction read none), and the semantic actions
//!   run where the grammar runs them, before or after it: the lexer's word
//!   table (`yysetdict()`/`yyresetdict()`), its address mode and the line
//!   number, which all depend on that order, come out as in illumos;
//! * the actions are those of the grammar, quirks included: lists
//!   (`from (a,b) to (c,d)`) make one rule per combination (`addrule()`,
//!   `DOALL`/`DOREM`), `group` copies the protocol of its head
//!   (`fillgroup()`), the interface-address state (`ifpflag`) and `with
//!   not` (`nowith`) carry over, and `YYERROR` ends the parse silently, the
//!   next parse starting at the token after.

use super::rule::{
    Fi, FilterRule, FrFlags, FrType, Fri, GROUP_LEN, IFNAME_LEN, IPLT_HASH, IPLT_POOL, TAG_LEN,
};
use super::words::{Cmp, IPF, Kw, Lexer, Tok};
use crate::backend::netdb::Netdb;
use crate::ipfilter::types::{CName, CmpOp, I6Addr, PortCmp};
use crate::ipfilter::{ParseError, gethost, ntomask};

/// Why parsing stopped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// `yyerror()`: printed, then `ipf` exits 1.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// A message `ipf` prints before `exit(1)` (`BPF filter expressions
    /// not supported`), without its newline.
    #[error("{0}")]
    Fatal(String),
}

impl Error {
    /// The exact bytes written to stderr.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Error::Parse(e) => e.to_bytes(),
            Error::Fatal(m) => format!("{m}\n").into_bytes(),
        }
    }
}

/// A rule the parser completed, as `ipf_addrule()` receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRule {
    pub rule: FilterRule,
    /// 1 for the first rule handed on, and so on.
    pub number: usize,
    /// The line the rule's first word is on.
    pub line: i32,
    /// The lexer's line when the rule is handed on (`yylineNum` in
    /// `ipf_addrule()`'s messages): usually the line of the next token.
    pub add_line: i32,
}

/// What parsing produces, in order.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Rule(ParsedRule),
    /// A message for stderr (unknown names, logical interfaces, …).
    Stderr(Vec<u8>),
    /// `set intercept_loopback true|false;` (`SIOCIPFLP` unless `-n`).
    Loopback(bool),
}

/// How to parse: `ipf -6` makes every rule an IPv6 rule (`use_inet6`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    pub v6: bool,
}

type PResult<T> = Result<T, Box<Error>>;

/// `YYERROR` in an action: the parse ends without a message.
#[derive(Debug)]
enum Stop {
    Error(Box<Error>),
    Abort,
}

impl From<Box<Error>> for Stop {
    fn from(e: Box<Error>) -> Stop {
        Stop::Error(e)
    }
}

type SResult<T> = Result<T, Stop>;

/// An `addr`/`ipaddr` value: address and mask.
#[derive(Debug, Clone, Copy, Default)]
struct Ipp {
    a: I6Addr,
    m: I6Addr,
}

/// What `fillgroup()` needs of a rule handed on earlier that heads a group.
#[derive(Debug, Clone)]
struct Head {
    name: CName,
    rtype: FrType,
    p: u8,
    mp: u8,
    flx: u32,
}

const OPTION_LOG: u32 = 0x1;
const OPTION_QUICK: u32 = 0x2;
const OPTION_DUP: u32 = 0x4;
const OPTION_PROUTE: u32 = 0x8;
const OPTION_ON: u32 = 0x10;
const OPTION_REPLYTO: u32 = 0x20;
const OPTION_FROUTE: u32 = 0x40;

/// How deep `{ … }` groups may nest.
const MAX_NESTING: usize = 200;

/// `FR_TCPFMAX`: the mask of `flags X` without one.
const TCPFMAX: u32 = 0x3f;

/// Parse a whole `ipf.conf` text, handing on each rule (and each message)
/// as illumos `ipf` would, in order. Stops at the first error.
pub fn parse(
    input: &[u8],
    opts: Options,
    db: &dyn Netdb,
    sink: &mut dyn FnMut(Event),
) -> Result<(), Error> {
    let mut p = Parser {
        lx: Lexer::new(input, &IPF),
        la: None,
        db,
        sink,
        opts,
        count: 0,
        rules: Vec::new(),
        frc: 0,
        fr: None,
        nrules: 0,
        added: 0,
        yycont: false,
        ifpflag: Fri::NORMAL,
        nowith: false,
        dynamic: -1,
        pooled: false,
        hashed: false,
        ruleopts: 0,
        heads: Vec::new(),
        handed_on: false,
        depth: 0,
    };
    // `ipf_parsesome()` runs the parser while input remains: after the end
    // of the text as the lexer sees it (a NUL byte), or after `YYERROR`.
    while !input.is_empty() {
        match p.file(false) {
            Ok(()) => {}
            Err(Stop::Error(e)) => return Err(*e),
            Err(Stop::Abort) => p.la = None,
        }
        if !p.lx.more_input() {
            break;
        }
    }
    Ok(())
}

struct Parser<'a, 'd, 's> {
    lx: Lexer<'a>,
    /// yacc's `yychar`: the lookahead, once read.
    la: Option<Tok>,
    db: &'d dyn Netdb,
    sink: &'s mut dyn FnMut(Event),
    opts: Options,
    count: usize,
    /// `frtop`: the rules made since the last line was handed on (a
    /// parse ended by `YYERROR` leaves its rules here, and they go with
    /// the next line, as in C).
    rules: Vec<FilterRule>,
    /// `frc`: the first rule of the current line.
    frc: usize,
    /// `fr`: the current rule, `None` for `NULL` (after a `DOALL`).
    fr: Option<usize>,
    nrules: usize,
    added: usize,
    /// `yycont` points at `yyexpectaddr`.
    yycont: bool,
    /// `ifpflag`, which no rule resets.
    ifpflag: i32,
    nowith: bool,
    dynamic: i32,
    pooled: bool,
    hashed: bool,
    ruleopts: u32,
    /// `frold`, as far as `fillgroup()` reads it: group heads, newest last.
    heads: Vec<Head>,
    /// Whether any rule was handed on (`frold != NULL`).
    handed_on: bool,
    /// How many `{ … }` groups are open.
    depth: usize,
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

    #[cold]
    fn diagnostics(&mut self) {
        for d in std::mem::take(&mut self.lx.diagnostics) {
            (self.sink)(Event::Stderr(d));
        }
    }

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

    fn next(&mut self) -> Tok {
        match self.la.take() {
            Some(t) => t,
            None => self.lex(),
        }
    }

    #[cold]
    fn err(&self, msg: &str) -> Box<Error> {
        Box::new(Error::Parse(ParseError {
            msg: msg.to_string(),
            token: self.lx.error_text(),
            line: self.lx.line,
        }))
    }

    #[cold]
    fn syntax(&self) -> Box<Error> {
        self.err("syntax error")
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

    fn expect_str(&mut self) -> PResult<Vec<u8>> {
        match self.next() {
            Tok::Str => Ok(cstr(self.lx.text()).to_vec()),
            _ => Err(self.syntax()),
        }
    }

    fn stderr(&mut self, msg: Vec<u8>) {
        (self.sink)(Event::Stderr(msg));
    }

    // The rule list (`DOALL`, `DOREM`, `addrule()`).

    /// The current rule (`fr`); `frc` where C would follow a `NULL`.
    fn cur(&mut self) -> &mut FilterRule {
        let i = self.fr.unwrap_or(self.frc);
        &mut self.rules[i]
    }

    /// `DOALL(x)`: every rule of the line; `fr` ends `NULL`.
    fn doall(&mut self, f: impl Fn(&mut FilterRule)) {
        self.rules[self.frc..].iter_mut().for_each(f);
        self.fr = None;
    }

    /// `DOREM(x)`: the rules from `fr` on; `fr` ends `NULL`.
    fn dorem(&mut self, f: impl Fn(&mut FilterRule)) {
        if let Some(i) = self.fr {
            self.rules[i..].iter_mut().for_each(f);
        }
        self.fr = None;
    }

    /// `lstart: '('`.
    fn lstart(&mut self) {
        self.fr = Some(self.frc);
        self.added = 0;
    }

    /// `lend: ')'`.
    fn lend(&mut self) -> PResult<()> {
        self.expect_char(b')')?;
        self.nrules += self.added;
        Ok(())
    }

    /// `lmore: lanother`, with the optional `,` before the next item:
    /// `addrule()` copies the line's first `nrules` rules.
    fn lmore(&mut self) {
        if self.peek() == Tok::Char(b',') {
            self.next();
        }
        let first = self.rules.len();
        if self.nrules == 0 {
            let last = self.rules[self.rules.len() - 1].clone();
            self.rules.push(last);
            self.added += 1;
        } else {
            for k in 0..self.nrules {
                let r = self.rules[self.frc + k].clone();
                self.rules.push(r);
                self.added += 1;
            }
        }
        self.fr = Some(first);
        if self.yycont {
            self.lx.expect_addr = true;
        }
    }

    /// `setipftype()`.
    fn setipftype(&mut self) {
        let v = self.rules[self.frc].v;
        let mut bad = 0;
        for r in &mut self.rules[self.frc..] {
            if !r.set_ipf_type(v) {
                bad += 1;
            }
        }
        for _ in 0..bad {
            self.stderr(b"IPF Type not set\n".to_vec());
        }
        self.fr = None;
    }

    /// `resetaddr()`.
    fn resetaddr(&mut self) {
        self.hashed = false;
        self.pooled = false;
        self.dynamic = -1;
    }

    // The file.

    /// `file: line | assign | file line | file assign`; in a `{ … }`
    /// group, up to the `}`.
    fn file(&mut self, nested: bool) -> SResult<()> {
        let mut first = true;
        loop {
            match self.peek() {
                Tok::Eof if !nested => {
                    if first {
                        return Err(self.syntax().into());
                    }
                    self.next();
                    return Ok(());
                }
                Tok::Char(b'}') if nested && !first => return Ok(()),
                Tok::Comment => {
                    self.next();
                }
                Tok::Str => self.assign()?,
                Tok::Kw(Kw::Set) => self.set()?,
                _ => {
                    let line = self.lx.line;
                    self.line(line)?;
                }
            }
            first = false;
        }
    }

    /// `assign: YY_STR '=' YY_STR ';'`.
    fn assign(&mut self) -> PResult<()> {
        let name = self.expect_str()?;
        self.expect_char(b'=')?;
        self.lx.var_next = true;
        let value = self.expect_str()?;
        self.expect_char(b';')?;
        self.lx.set_variable(&name, &value);
        self.lx.var_next = false;
        Ok(())
    }

    /// `set: IPFY_SET IPFY_SET_LOOPBACK YY_STR ';'`.
    fn set(&mut self) -> PResult<()> {
        self.next();
        if self.next() != Tok::Kw(Kw::SetLoopback) {
            return Err(self.syntax());
        }
        let value = self.expect_str()?;
        self.expect_char(b';')?;
        if self.handed_on {
            return Err(self.err("ipf rules before \"set\""));
        }
        let on = match value.as_slice() {
            b"true" => true,
            b"false" => false,
            _ => return Err(self.err("invalid argument for ipf_loopback")),
        };
        (self.sink)(Event::Loopback(on));
        Ok(())
    }

    /// `line: xx rule`: the rule, then every rule made is handed on.
    fn line(&mut self, line: i32) -> SResult<()> {
        self.newrule();
        self.rule()?;
        // The list keeps its room for the next line.
        let mut rules = std::mem::take(&mut self.rules);
        for rule in rules.drain(..) {
            self.hand_on(rule, line);
        }
        self.rules = rules;
        self.frc = 0;
        self.fr = None;
        Ok(())
    }

    /// `newrule()`.
    fn newrule(&mut self) {
        let rule = FilterRule {
            v: if self.opts.v6 { 6 } else { 4 },
            ..FilterRule::default()
        };
        self.rules.push(rule);
        self.frc = self.rules.len() - 1;
        self.fr = Some(self.frc);
        self.nrules = 1;
    }

    /// `ipf_addrule()` receives the rule; `frold` keeps it.
    fn hand_on(&mut self, rule: FilterRule, line: i32) {
        if !rule.grhead.is_empty() {
            self.heads.push(Head {
                name: rule.grhead.clone(),
                rtype: rule.rtype,
                p: rule.ipf.ip.p,
                mp: rule.ipf.mip.p,
                flx: rule.ipf.ip.flx,
            });
        }
        self.handed_on = true;
        self.count += 1;
        (self.sink)(Event::Rule(ParsedRule {
            rule,
            number: self.count,
            line,
            add_line: self.lx.line,
        }));
    }

    /// `rule: inrule eol | outrule eol`.
    fn rule(&mut self) -> SResult<()> {
        self.rulehead()?;
        let out = match self.next() {
            Tok::Kw(Kw::In) => {
                self.cur().flags.0 |= FrFlags::INQUE;
                false
            }
            Tok::Kw(Kw::Out) => {
                self.cur().flags.0 |= FrFlags::OUTQUE;
                true
            }
            _ => return Err(self.syntax().into()),
        };
        self.ruleopts = 0;
        self.ruleopts(out)?;
        match self.peek() {
            Tok::Kw(k @ (Kw::BpfV4 | Kw::BpfV6)) => self.bpfrule(k)?,
            _ => self.ipfrule()?,
        }
        self.with()?;
        self.keep()?;
        self.head()?;
        self.group()?;
        // intag/outtag: set-tag and match-tag take the same items.
        if self.peek() == Tok::Kw(Kw::SetTag) {
            self.next();
            self.taglist()?;
        }
        if self.peek() == Tok::Kw(Kw::MatchTag) {
            self.next();
            self.taglist()?;
        }
        if self.peek() == Tok::Kw(Kw::Pps) {
            self.next();
            let n = self.expect_number()?;
            self.doall(|r| r.pps = n);
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
            self.doall(|r| r.age = [a, b]);
        }
        if self.peek() == Tok::Char(b'{') {
            // `new: savegroup file restoregroup`.
            self.next();
            // yacc's stack has a fixed size; xbow's recursion stops well
            // before the thread's stack would.
            if self.depth >= MAX_NESTING {
                return Err(self.err("yacc stack overflow").into());
            }
            self.depth += 1;
            let r = self.file(true);
            self.depth -= 1;
            r?;
            self.expect_char(b'}')?;
        }
        if self.peek() == Tok::Char(b';') {
            self.next();
        }
        Ok(())
    }

    /// `rulehead: collection action | insert collection action`.
    fn rulehead(&mut self) -> PResult<()> {
        let mut t = self.next();
        if t == Tok::Char(b'@') {
            let n = self.expect_number()?;
            self.cur().insert_at = Some(n);
            t = self.next();
        }
        if let Tok::Number(n) = t {
            self.cur().collect = n;
            t = self.next();
        }
        self.action(t)
    }

    /// `action`, its first token `t` read.
    fn action(&mut self, t: Tok) -> PResult<()> {
        match t {
            Tok::Kw(Kw::Block) => {
                self.cur().flags.0 = FrFlags::BLOCK;
                match self.peek() {
                    Tok::Kw(k @ (Kw::ReturnIcmp | Kw::ReturnIcmpAsDest)) => {
                        self.next();
                        let bit = if k == Kw::ReturnIcmp {
                            FrFlags::RETICMP
                        } else {
                            FrFlags::FAKEICMP
                        };
                        if self.peek() == Tok::Char(b'(') {
                            self.returncode()?;
                        }
                        self.cur().flags.0 |= bit;
                    }
                    Tok::Kw(Kw::ReturnRst) => {
                        self.next();
                        self.cur().flags.0 |= FrFlags::RETRST;
                    }
                    _ => {}
                }
            }
            Tok::Kw(Kw::Pass) => self.cur().flags.0 |= FrFlags::PASS,
            Tok::Kw(Kw::Log) => self.log()?,
            Tok::Kw(Kw::Count) => self.cur().flags.0 |= FrFlags::ACCOUNT,
            Tok::Kw(Kw::Auth) => {
                let mut f = FrFlags::AUTH;
                if self.peek() == Tok::Kw(Kw::ReturnRst) {
                    self.next();
                    f |= FrFlags::RETRST;
                }
                self.cur().flags.0 |= f;
            }
            Tok::Kw(Kw::Preauth) => self.cur().flags.0 |= FrFlags::PREAUTH,
            Tok::Kw(Kw::Skip) => {
                let n = self.expect_number()?;
                let r = self.cur();
                r.flags.0 |= FrFlags::SKIP;
                r.arg = n;
            }
            Tok::Kw(Kw::Call) => {
                let now = self.peek() == Tok::Kw(Kw::Now);
                if now {
                    self.next();
                }
                let name = self.expect_str()?;
                self.expect_char(b'/')?;
                let n = self.expect_number()?;
                let r = self.cur();
                r.func = CName::strncpy(&name, usize::MAX);
                r.arg = n;
                if now {
                    r.flags.0 |= FrFlags::CALLNOW;
                }
            }
            _ => return Err(self.syntax()),
        }
        Ok(())
    }

    /// `returncode: starticmpcode icmpcode ')'`.
    fn returncode(&mut self) -> PResult<()> {
        self.next();
        self.lx.set_dict(Some(&super::words::ICMPC));
        let code = self.icmpcode()?;
        self.expect_char(b')')?;
        self.cur().icode = code as u8;
        self.lx.reset_dict();
        Ok(())
    }

    /// `icmpcode`.
    fn icmpcode(&mut self) -> PResult<u32> {
        match self.next() {
            Tok::Number(n) => Ok(n),
            Tok::Kw(Kw::IcmpC(c)) => Ok(u32::from(c)),
            _ => Err(self.syntax()),
        }
    }

    /// `log: IPFY_LOG | IPFY_LOG logoptions`.
    fn log(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                Tok::Kw(Kw::Body) => {
                    self.next();
                    self.cur().flags.0 |= FrFlags::LOGBODY;
                }
                Tok::Kw(Kw::First) => {
                    self.next();
                    self.cur().flags.0 |= FrFlags::LOGFIRST;
                }
                Tok::Kw(Kw::OrBlock) => {
                    self.next();
                    self.cur().flags.0 |= FrFlags::LOGORBLOCK;
                }
                Tok::Kw(Kw::Level) => {
                    self.next();
                    // setsyslog()
                    self.lx.set_dict(Some(&super::words::LOG));
                    self.lx.break_on_dot = true;
                    let level = self.loglevel()?;
                    self.cur().loglevel = level;
                    // unsetsyslog()
                    self.lx.reset_dict();
                    self.lx.break_on_dot = false;
                }
                _ => break,
            }
        }
        self.cur().flags.0 |= FrFlags::LOG;
        Ok(())
    }

    /// `loglevel: priority | facility '.' priority`.
    fn loglevel(&mut self) -> PResult<u32> {
        let fac = match self.next() {
            Tok::Kw(Kw::Pri(p)) => return Ok(LOG_LOCAL0 | p),
            Tok::Kw(Kw::Fac(f)) => f,
            Tok::Kw(Kw::FacSecurity) => LOG_SECURITY,
            _ => return Err(self.syntax()),
        };
        self.expect_char(b'.')?;
        match self.next() {
            Tok::Kw(Kw::Pri(p)) => Ok(fac | p),
            _ => Err(self.syntax()),
        }
    }

    /// `inopts`/`outopts`: each option at most once.
    fn ruleopts(&mut self, out: bool) -> PResult<()> {
        loop {
            let (opt, what) = match self.peek() {
                Tok::Kw(Kw::Log) => {
                    self.next();
                    self.log()?;
                    (OPTION_LOG, "log")
                }
                Tok::Kw(Kw::Quick) => {
                    self.next();
                    self.cur().flags.0 |= FrFlags::QUICK;
                    (OPTION_QUICK, "quick")
                }
                Tok::Kw(Kw::On) => {
                    self.next();
                    self.on()?;
                    (OPTION_ON, "on")
                }
                Tok::Kw(Kw::DupTo) => {
                    self.next();
                    self.dest(Dest::Dup)?;
                    (OPTION_DUP, "dup")
                }
                Tok::Kw(Kw::Fastroute) if !out => {
                    self.next();
                    self.cur().flags.0 |= FrFlags::FASTROUTE;
                    (OPTION_FROUTE, "froute")
                }
                Tok::Kw(Kw::To | Kw::RouteTo) => {
                    self.next();
                    self.dest(Dest::To)?;
                    (OPTION_PROUTE, "proute")
                }
                Tok::Kw(Kw::ReplyTo) => {
                    self.next();
                    self.dest(Dest::Reply)?;
                    (OPTION_REPLYTO, "replyto")
                }
                _ => return Ok(()),
            };
            if self.ruleopts & opt != 0 {
                return Err(self.err(&format!("Duplicate {what} option")));
            }
            self.ruleopts |= opt;
        }
    }

    /// `on: IPFY_ON onname [in-via|out-via vianame]`.
    fn on(&mut self) -> PResult<()> {
        let a = self.interfacename()?;
        self.cur().ifnames[0] = CName::strncpy(&a, IFNAME_LEN);
        if self.peek() == Tok::Char(b',') {
            self.next();
            let b = self.interfacename()?;
            self.cur().ifnames[1] = CName::strncpy(&b, IFNAME_LEN);
        }
        if matches!(self.peek(), Tok::Kw(Kw::InVia | Kw::OutVia)) {
            self.next();
            let c = self.expect_str()?;
            self.cur().ifnames[2] = CName::strncpy(&c, IFNAME_LEN);
            if self.peek() == Tok::Char(b',') {
                self.next();
                let d = self.expect_str()?;
                self.cur().ifnames[3] = CName::strncpy(&d, IFNAME_LEN);
            }
        }
        Ok(())
    }

    /// `interfacename: YY_STR | YY_STR ':' YY_NUMBER`.
    fn interfacename(&mut self) -> PResult<Vec<u8>> {
        let name = self.expect_str()?;
        if self.peek() == Tok::Char(b':') {
            self.next();
            let n = self.expect_number()?;
            let mut m = format!("{}: Logical interface ", self.lx.line).into_bytes();
            m.extend_from_slice(&name);
            m.extend_from_slice(
                format!(":{n} unsupported, use the physical interface ").as_bytes(),
            );
            m.extend_from_slice(&name);
            m.extend_from_slice(b" instead.\n");
            self.stderr(m);
        }
        Ok(name)
    }

    /// `dup`, `proute`, `replyto`: `name [':' hostname | ':' YY_IPV6]`.
    fn dest(&mut self, which: Dest) -> PResult<()> {
        let name = self.expect_str()?;
        let mut addr = None;
        if self.peek() == Tok::Char(b':') {
            // duptoseparator
            self.next();
            self.lx.expect_addr = true;
            self.yycont = true;
            self.resetaddr();
            let a = match self.next() {
                Tok::Ipv6 => I6Addr(self.lx.ipv6()),
                t => {
                    let h = self.hostname(t)?;
                    if self.opts.v6 { h } else { v4_only(h) }
                }
            };
            self.lx.expect_addr = false;
            addr = Some(a);
        }
        let r = self.cur();
        let d = match which {
            Dest::Dup => {
                r.flags.0 |= FrFlags::DUP;
                &mut r.dif
            }
            Dest::To => &mut r.tif,
            Dest::Reply => &mut r.rif,
        };
        d.ifname = CName::strncpy(&name, IFNAME_LEN);
        if let Some(a) = addr {
            d.addr = a;
        }
        Ok(())
    }

    /// `bpfrule: IPFY_BPFV4 '{' YY_STR '}' | IPFY_BPFV6 …` (`dobpf()` of a
    /// build without `IPFILTER_BPF`).
    fn bpfrule(&mut self, _k: Kw) -> PResult<()> {
        self.next();
        self.expect_char(b'{')?;
        self.expect_str()?;
        self.expect_char(b'}')?;
        if self.rules[self.frc..]
            .iter()
            .any(|r| r.rtype != FrType::NONE)
        {
            self.stderr(b"cannot mix IPF and BPF matching\n".to_vec());
            return Ok(());
        }
        Err(Box::new(Error::Fatal(
            "BPF filter expressions not supported".into(),
        )))
    }

    /// `ipfrule: tos ttl proto ip`.
    fn ipfrule(&mut self) -> SResult<()> {
        self.tos()?;
        self.ttl()?;
        self.proto()?;
        // ip: srcdst flags icmp
        match self.peek() {
            Tok::Kw(Kw::All) => {
                self.next();
            }
            Tok::Kw(Kw::From) => {
                self.next();
                self.srcdst(true)?;
                if self.peek() == Tok::Kw(Kw::To) {
                    self.next();
                    self.srcdst(false)?;
                }
                self.lx.expect_addr = false;
                self.yycont = false;
            }
            Tok::Kw(Kw::To) => {
                self.next();
                self.srcdst(false)?;
                self.lx.expect_addr = false;
                self.yycont = false;
            }
            _ => {}
        }
        self.flags()?;
        self.icmp()?;
        Ok(())
    }

    /// `tos: settos YY_NUMBER | settos YY_HEX | settos lstart toslist lend`.
    fn tos(&mut self) -> PResult<()> {
        if self.peek() != Tok::Kw(Kw::Tos) {
            return Ok(());
        }
        self.next();
        self.setipftype();
        let set = |r: &mut FilterRule, n: u32| {
            r.ipf.ip.tos = n as u8;
            r.ipf.mip.tos = 0xff;
        };
        match self.next() {
            Tok::Number(n) | Tok::Hex(n) => self.doall(|r| set(r, n)),
            Tok::Char(b'(') => {
                self.lstart();
                match self.next() {
                    Tok::Number(n) => self.doall(|r| set(r, n)),
                    Tok::Hex(n) => self.dorem(|r| set(r, n)),
                    _ => return Err(self.syntax()),
                }
                while matches!(self.peek(), Tok::Char(b',') | Tok::Number(_) | Tok::Hex(_)) {
                    self.lmore();
                    match self.next() {
                        Tok::Number(n) | Tok::Hex(n) => self.dorem(|r| set(r, n)),
                        _ => return Err(self.syntax()),
                    }
                }
                self.lend()?;
            }
            _ => return Err(self.syntax()),
        }
        Ok(())
    }

    /// `ttl: setttl YY_NUMBER | setttl lstart ttllist lend`.
    fn ttl(&mut self) -> PResult<()> {
        if self.peek() != Tok::Kw(Kw::Ttl) {
            return Ok(());
        }
        self.next();
        self.setipftype();
        let set = |r: &mut FilterRule, n: u32| {
            r.ipf.ip.ttl = n as u8;
            r.ipf.mip.ttl = 0xff;
        };
        match self.next() {
            Tok::Number(n) => self.doall(|r| set(r, n)),
            Tok::Char(b'(') => {
                self.lstart();
                let n = self.expect_number()?;
                self.dorem(|r| set(r, n));
                while matches!(self.peek(), Tok::Char(b',') | Tok::Number(_)) {
                    self.lmore();
                    let n = self.expect_number()?;
                    self.dorem(|r| set(r, n));
                }
                self.lend()?;
            }
            _ => return Err(self.syntax()),
        }
        Ok(())
    }

    /// `proto: protox protocol`.
    fn proto(&mut self) -> SResult<()> {
        if self.peek() != Tok::Kw(Kw::Proto) {
            return Ok(());
        }
        self.next();
        self.setipftype();
        self.fr = Some(self.frc);
        self.lx.set_dict(None);
        let set = |r: &mut FilterRule, p: i32| {
            r.ipf.ip.p = p as u8;
            r.ipf.mip.p = 0xff;
        };
        let tcpudp = |r: &mut FilterRule| {
            r.ipf.ip.flx |= Fi::TCPUDP;
            r.ipf.mip.flx |= Fi::TCPUDP;
        };
        match self.next() {
            Tok::Number(n) => self.dorem(|r| set(r, n as i32)),
            Tok::Str => {
                let name = cstr(self.lx.text()).to_vec();
                if self.peek() == Tok::Char(b'/') {
                    // nextstring
                    self.next();
                    self.lx.set_dict(None);
                    let second = self.expect_str()?;
                    if name == b"tcp" && second == b"udp" {
                        self.dorem(tcpudp);
                    } else {
                        return Err(Stop::Abort);
                    }
                } else if name == b"tcp-udp" {
                    self.dorem(tcpudp);
                } else {
                    let p = self.getproto(&name);
                    if p == -1 {
                        return Err(self.err("protocol unknown").into());
                    }
                    self.dorem(|r| set(r, p));
                }
            }
            _ => return Err(self.syntax().into()),
        }
        self.lx.reset_dict();
        Ok(())
    }

    /// `getproto()`: a number, else `getprotobyname()`.
    fn getproto(&self, name: &[u8]) -> i32 {
        if name.iter().all(u8::is_ascii_digit) {
            return atoi(name);
        }
        self.db.proto_by_name(name).unwrap_or(-1)
    }

    /// `from srcobject` (`src`) or `to dstobject`, after the keyword.
    fn srcdst(&mut self, src: bool) -> SResult<()> {
        // Only `from` calls setipftype(); a rule that reaches `to` still
        // FR_T_NONE has no fripf_t, which illumos then writes through a
        // NULL pointer (and crashes). xbow gives it one.
        if src || self.rules[self.frc].rtype == FrType::NONE {
            self.setipftype();
        }
        if self.fr.is_none() {
            self.fr = Some(self.frc);
        }
        self.lx.expect_addr = true;
        self.yycont = true;
        self.lx.set_dict(Some(&super::words::ADDR));
        self.resetaddr();
        match self.peek() {
            Tok::Kw(Kw::Port) => {
                // `{ yyresetdict(); } fromport`
                self.lx.reset_dict();
                self.portstuff(src)?;
            }
            t => {
                let not = t == Tok::Char(b'!');
                if not {
                    self.next();
                }
                if self.peek() == Tok::Char(b'(') {
                    self.next();
                    self.lstart();
                    let a = self.addr()?;
                    self.set_addr(src, a);
                    while matches!(self.peek(), Tok::Char(b',')) || self.starts_addr() {
                        self.lmore();
                        let a = self.addr()?;
                        self.set_addr(src, a);
                    }
                    self.lend()?;
                } else {
                    let a = self.addr()?;
                    self.set_addr(src, a);
                }
                if self.peek() == Tok::Kw(Kw::Port) {
                    self.portstuff(src)?;
                }
                if not {
                    let bit = if src {
                        FrFlags::NOTSRCIP
                    } else {
                        FrFlags::NOTDSTIP
                    };
                    self.doall(|r| r.flags.0 |= bit);
                }
            }
        }
        Ok(())
    }

    /// Whether the lookahead can start an address in a list without a
    /// comma before it.
    fn starts_addr(&mut self) -> bool {
        matches!(
            self.peek(),
            Tok::Number(_)
                | Tok::Hex(_)
                | Tok::Str
                | Tok::Ipv6
                | Tok::Kw(Kw::Any | Kw::Pool | Kw::Hash)
        )
    }

    /// The action of `srcaddr: addr` / `dstaddr: addr` (`DOREM`).
    fn set_addr(&mut self, src: bool, a: Ipp) {
        let (dynamic, ifpflag) = (self.dynamic, self.ifpflag);
        let lookup = self.pooled || self.hashed;
        self.dorem(|r| {
            let f = &mut r.ipf;
            let (ty, idx) = if src {
                f.ip.src = a.a;
                f.mip.src = a.m;
                (&mut f.satype, &mut f.sifpidx)
            } else {
                f.ip.dst = a.a;
                f.mip.dst = a.m;
                (&mut f.datype, &mut f.difpidx)
            };
            if dynamic != -1 {
                *ty = ifpflag;
                *idx = dynamic;
            } else if lookup {
                *ty = Fri::LOOKUP;
            }
        });
    }

    /// `addr`.
    fn addr(&mut self) -> SResult<Ipp> {
        match self.peek() {
            Tok::Kw(k @ (Kw::Pool | Kw::Hash)) => {
                self.next();
                self.lx.expect_addr = false;
                self.yycont = false;
                self.lx.reset_dict();
                let num = match self.next() {
                    Tok::Char(b'/') => self.expect_number()?,
                    Tok::Char(b'=') => {
                        self.expect_char(b'(')?;
                        self.lookup_list(k == Kw::Pool)?;
                        self.expect_char(b')')?;
                        // `makepool()`/`makehash()` load the table through
                        // /dev/iplookup, which a parse alone does not.
                        0
                    }
                    _ => return Err(self.syntax().into()),
                };
                if k == Kw::Pool {
                    self.pooled = true;
                } else {
                    self.hashed = true;
                }
                self.lx.expect_addr = false;
                let ty = if k == Kw::Pool { IPLT_POOL } else { IPLT_HASH };
                Ok(Ipp {
                    a: lookup_addr(num, ty),
                    m: I6Addr::ZERO,
                })
            }
            _ => self.ipaddr(),
        }
    }

    /// `poollist`/`addrlist`: `[!]ipaddr, …` (the pool's contents).
    fn lookup_list(&mut self, pool: bool) -> SResult<()> {
        loop {
            if pool && self.peek() == Tok::Char(b'!') {
                self.next();
            }
            self.ipaddr()?;
            if self.peek() != Tok::Char(b',') {
                return Ok(());
            }
            self.next();
        }
    }

    /// `ipaddr: IPFY_ANY | hostname [maskspace mask] | YY_IPV6 [maskspace mask]`.
    fn ipaddr(&mut self) -> SResult<Ipp> {
        let t = self.next();
        let host = match t {
            Tok::Kw(Kw::Any) => {
                self.lx.reset_dict();
                self.lx.expect_addr = false;
                return Ok(Ipp::default());
            }
            Tok::Ipv6 => {
                let a = I6Addr(self.lx.ipv6());
                if !self.maskspace_ahead() {
                    self.lx.reset_dict();
                    self.lx.expect_addr = false;
                    return Ok(Ipp {
                        a,
                        m: I6Addr([0xff; 16]),
                    });
                }
                self.lx.reset_dict();
                return self.mask(a, true);
            }
            t => self.hostname(t)?,
        };
        if !self.maskspace_ahead() {
            self.lx.expect_addr = false;
            return Ok(if self.opts.v6 {
                Ipp {
                    a: host,
                    m: I6Addr([0xff; 16]),
                }
            } else {
                let mut m = I6Addr::ZERO;
                m.set_word0(u32::MAX);
                Ipp {
                    a: v4_only(host),
                    m,
                }
            });
        }
        self.lx.reset_dict();
        let a = if self.opts.v6 { host } else { v4_only(host) };
        self.mask(a, false)
    }

    /// Whether `maskspace` (`/` or `mask`) comes next.
    fn maskspace_ahead(&mut self) -> bool {
        matches!(self.peek(), Tok::Char(b'/') | Tok::Kw(Kw::Mask))
    }

    /// `maskspace mask`, after the address `a` (an IPv6 token's, `v6`).
    fn mask(&mut self, a: I6Addr, v6tok: bool) -> SResult<Ipp> {
        self.next();
        self.lx.set_dict(Some(&super::words::MASK));
        let v6 = self.opts.v6;
        let m = match self.next() {
            Tok::Number(n) => {
                if self.peek() == Tok::Char(b'.') {
                    self.ipv4_after(n)?
                } else {
                    match ntomask(if v6 { 6 } else { 4 }, n) {
                        Some(m) => m,
                        None => return Err(self.err("Bad value specified for netmask").into()),
                    }
                }
            }
            Tok::Hex(n) => {
                let mut m = I6Addr::ZERO;
                m.set_word0(n);
                m
            }
            Tok::Kw(k @ (Kw::Broadcast | Kw::Network | Kw::Netmasked | Kw::Peer)) => {
                if self.ifpflag != Fri::DYNAMIC {
                    return Err(Stop::Abort);
                }
                self.ifpflag = match k {
                    Kw::Broadcast => Fri::BROADCAST,
                    Kw::Network => Fri::NETWORK,
                    Kw::Netmasked => Fri::NETMASKED,
                    _ => Fri::PEERADDR,
                };
                I6Addr::ZERO
            }
            _ => return Err(self.syntax().into()),
        };
        let ipp = if v6tok || v6 {
            Ipp { a, m }
        } else {
            // Only the first word: `$$.a.in4_addr &= mask`.
            let mut a = a;
            a.set_word0(a.word0() & m.word0());
            Ipp { a, m: v4_only(m) }
        };
        self.lx.reset_dict();
        self.lx.expect_addr = false;
        Ok(ipp)
    }

    /// `hostname: ipv4 | YY_NUMBER | YY_HEX | YY_STR`, its first token `t`
    /// read.
    fn hostname(&mut self, t: Tok) -> PResult<I6Addr> {
        match t {
            Tok::Number(n) => {
                // A dotted quad read at once, when every octet is good
                // (a bad one is reported at its own token below).
                if n <= 255
                    && self.la.is_none()
                    && let Some([b, c, d]) = self.lx.numbers_upto::<3>(b'.', true, 255)
                {
                    return Ok(I6Addr::from_v4(std::net::Ipv4Addr::new(
                        n as u8, b as u8, c as u8, d as u8,
                    )));
                }
                if self.peek() == Tok::Char(b'.') {
                    return self.ipv4_after(n);
                }
                // `$$.in4.s_addr = $1`: the number as the x86 build
                // stores it, low byte first.
                Ok(native_word(n))
            }
            Tok::Hex(n) => Ok(native_word(n)),
            Tok::Str => {
                let name = cstr(self.lx.text()).to_vec();
                match self.lookuphost(&name) {
                    Some(a) => Ok(a),
                    None => {
                        if self.ifpflag != Fri::DYNAMIC {
                            return Err(self.err("Unknown hostname"));
                        }
                        Ok(I6Addr::ZERO)
                    }
                }
            }
            _ => Err(self.syntax()),
        }
    }

    /// `lookuphost()`: one of the rule's interfaces (an interface-derived
    /// address, `None` as in C), else the host's address.
    fn lookuphost(&mut self, name: &[u8]) -> Option<I6Addr> {
        self.resetaddr();
        let frc = &self.rules[self.frc];
        if let Some(i) = frc
            .ifnames
            .iter()
            .position(|n| n.as_bytes() == strn(name, IFNAME_LEN))
        {
            self.ifpflag = Fri::DYNAMIC;
            self.dynamic = i as i32;
            return None;
        }
        let a = gethost(self.db, name, self.opts.v6);
        if a.is_none() {
            let mut m = b"unknown name \"".to_vec();
            m.extend_from_slice(name);
            m.extend_from_slice(b"\"\n");
            self.stderr(m);
        }
        a
    }

    /// `ipv4_16`, `ipv4_24`, `ipv4`: the rest of a dotted address after its
    /// first number `n1`, each octet checked as it is read.
    fn ipv4_after(&mut self, n1: u32) -> PResult<I6Addr> {
        let mut octets = [n1, 0, 0, 0];
        for (k, o) in octets.iter_mut().enumerate().skip(1) {
            if k > 1 && self.peek() != Tok::Char(b'.') {
                break;
            }
            self.next();
            *o = self.expect_number()?;
            if *o > 255 || (k == 1 && n1 > 255) {
                return Err(self.err("Invalid octet string for IP address"));
            }
        }
        let [a, b, c, d] = octets.map(|o| o as u8);
        Ok(I6Addr::from_v4(std::net::Ipv4Addr::new(a, b, c, d)))
    }

    /// `srcport`/`fromport` (`src`) or `dstport`/`toport`, at `port`.
    fn portstuff(&mut self, src: bool) -> SResult<()> {
        self.next();
        let set = move |r: &mut FilterRule, c: PortCmp| {
            if src {
                r.ipf.tuc.src = c;
            } else {
                r.ipf.tuc.dst = c;
            }
        };
        let op = match self.peek() {
            Tok::Cmp(c) => Some(cmp_op(c)),
            Tok::Char(b'=') => Some(CmpOp::EQUAL),
            _ => None,
        };
        // `port: IPFY_PORT` or `portr: IPFY_PORT`, chosen by the lookahead.
        self.lx.expect_addr = false;
        self.yycont = false;
        match op {
            Some(op) => {
                let eq = self.next() == Tok::Char(b'=');
                self.lx.set_dict(None);
                if eq && self.peek() == Tok::Char(b'(') {
                    // porteq lstart srcportlist lend
                    self.next();
                    self.lstart();
                    let p = self.portnum()?;
                    self.dorem(|r| set(r, eq_port(p)));
                    while matches!(self.peek(), Tok::Char(b',') | Tok::Number(_) | Tok::Str) {
                        self.lmore();
                        let p = self.portnum()?;
                        self.dorem(|r| set(r, eq_port(p)));
                    }
                    self.lend()?;
                    self.lx.reset_dict();
                    return Ok(());
                }
                let p = self.portnum()?;
                self.lx.reset_dict();
                let c = PortCmp {
                    op,
                    port: p,
                    top: 0,
                };
                self.doall(|r| {
                    let t = if src {
                        r.ipf.tuc.src.top
                    } else {
                        r.ipf.tuc.dst.top
                    };
                    set(r, PortCmp { top: t, ..c })
                });
            }
            None => {
                // portrange: the first port was read before `portr`
                // pushed its table.
                let t = self.next();
                self.lx.set_dict(None);
                let p1 = self.portnum_tok(t)?;
                let op = match self.next() {
                    Tok::RangeIn => CmpOp::INRANGE,
                    Tok::RangeOut => CmpOp::OUTRANGE,
                    Tok::Char(b':') => CmpOp::INCRANGE,
                    _ => return Err(self.syntax().into()),
                };
                let p2 = self.portnum()?;
                self.lx.reset_dict();
                let c = PortCmp {
                    op,
                    port: p1,
                    top: p2,
                };
                self.doall(|r| set(r, c));
            }
        }
        Ok(())
    }

    fn portnum(&mut self) -> PResult<u16> {
        let t = self.next();
        self.portnum_tok(t)
    }

    /// `portnum: servicename | YY_NUMBER`, its token `t` read.
    fn portnum_tok(&mut self, t: Tok) -> PResult<u16> {
        match t {
            Tok::Number(n) => {
                if n > 65535 {
                    return Err(self.err("invalid port number"));
                }
                Ok(n as u16)
            }
            Tok::Str => {
                let name = cstr(self.lx.text()).to_vec();
                match self.getport(&name) {
                    Some(p) => Ok(p),
                    None => Err(self.err("service unknown")),
                }
            }
            _ => Err(self.syntax()),
        }
    }

    /// `getport(frc, name)`: the port of a service for the rule's protocol.
    fn getport(&self, name: &[u8]) -> Option<u16> {
        let frc = &self.rules[self.frc];
        let db = self.db;
        if !frc.is_ipf() {
            return db.serv_by_name(name, None);
        }
        let p = frc.ipf.ip.p;
        if p == 0 {
            let tcp = db.serv_by_name(name, Some("tcp"));
            let udp = db.serv_by_name(name, Some("udp"));
            return match (tcp, udp) {
                (Some(t), Some(u)) if t != u => None,
                (Some(t), _) => Some(t),
                (None, u) => u,
            };
        }
        if frc.ipf.ip.flx & Fi::TCPUDP != 0 {
            let t = db.serv_by_name(name, Some("tcp"))?;
            let u = db.serv_by_name(name, Some("udp"))?;
            return (t == u).then_some(t);
        }
        let proto = db.proto_by_number(i32::from(p));
        db.serv_by_name(name, proto.as_deref())
    }

    /// `flags: startflags flagset ['/' flagset] | …`.
    fn flags(&mut self) -> PResult<()> {
        if self.peek() != Tok::Kw(Kw::Flags) {
            return Ok(());
        }
        self.next();
        let frc = &self.rules[self.frc];
        if frc.rtype != FrType::IPF {
            return Err(self.err("flags with non-ipf type rule"));
        }
        if frc.ipf.ip.p != IPPROTO_TCP {
            return Err(self.err("flags with non-TCP rule"));
        }
        let (f, m) = match self.next() {
            Tok::Char(b'/') => (0, self.flagvalue()?),
            t => {
                let f = self.flagvalue_tok(t)?;
                if self.peek() == Tok::Char(b'/') {
                    self.next();
                    (f, self.flagvalue()?)
                } else {
                    (f, TCPFMAX)
                }
            }
        };
        self.doall(|r| {
            r.ipf.tuc.tcpf = f as u8;
            r.ipf.tuc.tcpfm = m as u8;
        });
        Ok(())
    }

    fn flagvalue(&mut self) -> PResult<u32> {
        let t = self.next();
        self.flagvalue_tok(t)
    }

    /// `flagset: YY_STR | YY_HEX`, or a `YY_NUMBER`.
    fn flagvalue_tok(&mut self, t: Tok) -> PResult<u32> {
        match t {
            Tok::Str => Ok(u32::from(tcpflags(cstr(self.lx.text())))),
            Tok::Hex(n) | Tok::Number(n) => Ok(n),
            _ => Err(self.syntax()),
        }
    }

    /// `icmp: itype icode`.
    fn icmp(&mut self) -> PResult<()> {
        if self.peek() != Tok::Kw(Kw::IcmpType) {
            return Ok(());
        }
        self.next();
        self.setipftype();
        self.lx.set_dict(Some(&super::words::ICMPT));
        let set = |r: &mut FilterRule, t: u32| {
            r.ipf.icmp = (t << 8) as u16;
            r.ipf.icmpm = 0xff00;
        };
        if self.peek() == Tok::Char(b'(') {
            self.next();
            self.lstart();
            let t = self.icmptype()?;
            self.dorem(|r| set(r, t));
            while matches!(
                self.peek(),
                Tok::Char(b',') | Tok::Number(_) | Tok::Kw(Kw::IcmpT(_))
            ) {
                self.lmore();
                let t = self.icmptype()?;
                self.dorem(|r| set(r, t));
            }
            self.lend()?;
        } else {
            let t = self.icmptype()?;
            self.doall(|r| set(r, t));
        }
        self.lx.reset_dict();
        if self.peek() != Tok::Kw(Kw::IcmpCode) {
            return Ok(());
        }
        self.next();
        self.lx.set_dict(Some(&super::words::ICMPC));
        let code = |r: &mut FilterRule, c: u32| {
            r.ipf.icmp |= c as u16;
            r.ipf.icmpm |= 0xff;
        };
        if self.peek() == Tok::Char(b'(') {
            self.next();
            self.lstart();
            let c = self.icmpcode()?;
            self.dorem(|r| code(r, c));
            while matches!(
                self.peek(),
                Tok::Char(b',') | Tok::Number(_) | Tok::Kw(Kw::IcmpC(_))
            ) {
                self.lmore();
                let c = self.icmpcode()?;
                self.dorem(|r| code(r, c));
            }
            self.lend()?;
        } else {
            let c = self.icmpcode()?;
            self.doall(|r| code(r, c));
        }
        self.lx.reset_dict();
        Ok(())
    }

    fn icmptype(&mut self) -> PResult<u32> {
        match self.next() {
            Tok::Number(n) => Ok(n),
            Tok::Kw(Kw::IcmpT(t)) => Ok(u32::from(t)),
            _ => Err(self.syntax()),
        }
    }

    /// `with: andwith withlist`.
    fn with(&mut self) -> PResult<()> {
        if !matches!(self.peek(), Tok::Kw(Kw::With | Kw::And)) {
            return Ok(());
        }
        self.next();
        self.nowith = false;
        self.setipftype();
        self.withopt()?;
        loop {
            match self.peek() {
                Tok::Char(b',') => {
                    self.next();
                    self.withopt()?;
                }
                t if starts_withopt(t) => self.withopt()?,
                _ => return Ok(()),
            }
        }
    }

    /// `withopt`.
    fn withopt(&mut self) -> PResult<()> {
        let mut t = self.next();
        let not = matches!(t, Tok::Kw(Kw::Not | Kw::No));
        if not {
            self.nowith = true;
            t = self.next();
        }
        match t {
            Tok::Kw(Kw::Opt) => {
                self.lx.set_dict(Some(&super::words::OPT4));
                let mut bits = 0;
                loop {
                    bits |= self.opt()?;
                    if self.peek() != Tok::Char(b',') {
                        break;
                    }
                    self.next();
                }
                self.optbits(bits);
                self.lx.reset_dict();
            }
            Tok::Kw(Kw::V6hdrs) if !not => {
                if !self.opts.v6 {
                    return Err(self.err("only available with IPv6"));
                }
                self.lx.set_dict(Some(&super::words::OPT6));
                let mut bits = 0;
                loop {
                    bits |= match self.next() {
                        Tok::Kw(Kw::Ah) => 0x20,
                        Tok::Kw(Kw::Esp) => 0x10,
                        Tok::Kw(Kw::Frag) => 0x08,
                        Tok::Kw(Kw::V6Hdr(b)) => b,
                        _ => return Err(self.syntax()),
                    };
                    if self.peek() != Tok::Char(b',') {
                        break;
                    }
                    self.next();
                }
                self.optbits(bits);
                self.lx.reset_dict();
            }
            Tok::Kw(k) => {
                let Some(bit) = opttype(k) else {
                    return Err(self.syntax());
                };
                if not {
                    self.doall(|r| r.ipf.mip.flx |= bit);
                } else {
                    self.doall(|r| {
                        r.ipf.ip.flx |= bit;
                        r.ipf.mip.flx |= bit;
                    });
                }
            }
            _ => return Err(self.syntax()),
        }
        Ok(())
    }

    /// The action of `ipopts`/`ipv6hdrs`.
    fn optbits(&mut self, bits: u32) {
        let nowith = self.nowith;
        self.doall(|r| {
            r.ipf.mip.optmsk |= bits;
            if !nowith {
                r.ipf.ip.optmsk |= bits;
            }
        });
    }

    /// `opt`: an option's bit, or `sec-class` and its classes (0).
    fn opt(&mut self) -> PResult<u32> {
        match self.next() {
            Tok::Kw(Kw::Opt4(b)) => Ok(b),
            Tok::Kw(Kw::SecClass) => {
                self.lx.set_dict(Some(&super::words::SEC));
                let mut sec = 0u16;
                loop {
                    sec |= match self.next() {
                        Tok::Kw(Kw::Sec(b)) => b,
                        _ => return Err(self.syntax()),
                    };
                    if self.peek() != Tok::Char(b',') {
                        break;
                    }
                    self.next();
                }
                let nowith = self.nowith;
                self.doall(|r| {
                    r.ipf.mip.secmsk |= sec;
                    if !nowith {
                        r.ipf.ip.secmsk |= sec;
                    }
                });
                self.lx.reset_dict();
                Ok(0)
            }
            _ => Err(self.syntax()),
        }
    }

    /// `keep: IPFY_KEEP keepstate | IPFY_KEEP keepfrag | both, either order`.
    fn keep(&mut self) -> SResult<()> {
        if self.peek() != Tok::Kw(Kw::Keep) {
            return Ok(());
        }
        self.next();
        let state = self.keepone(None)?;
        if self.peek() == Tok::Kw(Kw::Keep) {
            self.next();
            self.keepone(Some(!state))?;
        }
        Ok(())
    }

    /// `keepstate` or `keepfrag` (only `want` if given): whether it was
    /// `state`.
    fn keepone(&mut self, want: Option<bool>) -> SResult<bool> {
        let t = self.next();
        let state = match t {
            Tok::Kw(Kw::State) => true,
            Tok::Kw(Kw::Frags | Kw::Frag) => false,
            _ => return Err(self.syntax().into()),
        };
        if want.is_some_and(|w| w != state) {
            return Err(self.syntax().into());
        }
        if self.peek() == Tok::Char(b'(') {
            self.next();
            loop {
                if state {
                    self.stateopt()?;
                } else {
                    match self.next() {
                        Tok::Kw(Kw::Strict) => self.doall(|r| r.flags.0 |= FrFlags::FRSTRICT),
                        _ => return Err(self.syntax().into()),
                    }
                }
                match self.peek() {
                    Tok::Char(b')') => break,
                    Tok::Char(b',') => {
                        self.next();
                    }
                    _ => {}
                }
            }
            self.next();
        }
        let bit = if state {
            FrFlags::KEEPSTATE
        } else {
            FrFlags::KEEPFRAG
        };
        self.doall(|r| r.flags.0 |= bit);
        Ok(state)
    }

    /// `stateopt`.
    fn stateopt(&mut self) -> SResult<()> {
        match self.next() {
            Tok::Kw(Kw::Limit) => {
                let n = self.expect_number()?;
                self.doall(|r| r.statemax = n);
            }
            Tok::Kw(k @ (Kw::Strict | Kw::Newisn)) => {
                let bit = if k == Kw::Strict {
                    FrFlags::STSTRICT
                } else {
                    FrFlags::NEWISN
                };
                for r in &mut self.rules[self.frc..] {
                    if r.ipf.ip.p != IPPROTO_TCP {
                        return Err(Stop::Abort);
                    }
                    r.flags.0 |= bit;
                }
                self.fr = None;
            }
            Tok::Kw(Kw::NoIcmpErr) => self.doall(|r| r.flags.0 |= FrFlags::NOICMPERR),
            Tok::Kw(Kw::Sync) => self.doall(|r| r.flags.0 |= FrFlags::STATESYNC),
            _ => return Err(self.syntax().into()),
        }
        Ok(())
    }

    /// `head: IPFY_HEAD YY_STR | IPFY_HEAD YY_NUMBER`.
    fn head(&mut self) -> PResult<()> {
        if self.peek() != Tok::Kw(Kw::Head) {
            return Ok(());
        }
        self.next();
        let name = self.group_name()?;
        self.doall(|r| r.grhead = name.clone());
        Ok(())
    }

    /// `group: IPFY_GROUP YY_STR | IPFY_GROUP YY_NUMBER`, and `fillgroup()`.
    fn group(&mut self) -> PResult<()> {
        if self.peek() != Tok::Kw(Kw::Group) {
            return Ok(());
        }
        self.next();
        let name = self.group_name()?;
        let head = self.heads.iter().rev().find(|h| h.name == name).cloned();
        self.doall(|r| {
            r.group = name.clone();
            if let Some(h) = &head {
                fillgroup(r, h);
            }
        });
        Ok(())
    }

    /// A group name: `strncpy(…, FR_GROUPLEN)` or `sprintf("%d")`.
    fn group_name(&mut self) -> PResult<CName> {
        match self.next() {
            Tok::Str => Ok(CName::strncpy(self.lx.text(), GROUP_LEN)),
            Tok::Number(n) => Ok(CName::from((n as i32).to_string().as_str())),
            _ => Err(self.syntax()),
        }
    }

    /// `'(' taginlist ')'` after `set-tag` or `match-tag`.
    fn taglist(&mut self) -> PResult<()> {
        self.expect_char(b'(')?;
        loop {
            match self.next() {
                Tok::Kw(Kw::Log) => {
                    self.expect_char(b'=')?;
                    let n = self.expect_number()?;
                    self.doall(|r| r.logtag = n);
                }
                Tok::Kw(Kw::Nat) => {
                    self.expect_char(b'=')?;
                    let tag = match self.next() {
                        Tok::Str => CName::strncpy(self.lx.text(), TAG_LEN),
                        Tok::Number(n) => CName::from((n as i32).to_string().as_str()),
                        _ => return Err(self.syntax()),
                    };
                    self.doall(|r| r.nattag = tag.clone());
                }
                Tok::Kw(Kw::Uuid) => {
                    self.expect_char(b'=')?;
                    if self.next() != Tok::Uuid {
                        return Err(self.syntax());
                    }
                    let u = self.lx.uuid();
                    self.doall(|r| r.uuid = u);
                }
                Tok::Kw(Kw::Cfwlog) => self.doall(|r| r.flags.0 |= FrFlags::CFWLOG),
                _ => return Err(self.syntax()),
            }
            match self.next() {
                Tok::Char(b',') => {}
                Tok::Char(b')') => return Ok(()),
                _ => return Err(self.syntax()),
            }
        }
    }
}

/// Which destination `dest()` fills.
#[derive(Clone, Copy)]
enum Dest {
    Dup,
    To,
    Reply,
}

const IPPROTO_TCP: u8 = 6;
/// `LOG_LOCAL0`: the facility of a bare `level PRI`.
const LOG_LOCAL0: u32 = 16 << 3;
/// `LOG_SECURITY` as `ip_compat.h` defines it (illumos has none).
const LOG_SECURITY: u32 = 13 << 3;

/// `fillgroup()`: a rule of a group takes its head's protocol.
fn fillgroup(r: &mut FilterRule, h: &Head) {
    if h.rtype != r.rtype || h.rtype != FrType::IPF {
        return;
    }
    let ip = &mut r.ipf;
    if ip.mip.p == 0 && h.mp != 0 {
        ip.mip.p = h.mp;
    }
    if ip.ip.p == 0 && h.p != 0 {
        ip.ip.p = h.p;
    }
    if ip.mip.p == 0 && ip.ip.flx & Fi::TCPUDP == 0 && h.flx & Fi::TCPUDP != 0 {
        ip.ip.flx |= Fi::TCPUDP;
    }
}

/// `opttype`: the `fi_flx` bit of a `with` word.
fn opttype(k: Kw) -> Option<u32> {
    Some(match k {
        Kw::Ipopts => Fi::OPTIONS,
        Kw::Short => Fi::SHORT,
        Kw::Nat => Fi::NATED,
        Kw::Bad => Fi::BAD,
        Kw::BadNat => Fi::BADNAT,
        Kw::BadSrc => Fi::BADSRC,
        Kw::Lowttl => Fi::LOWTTL,
        Kw::Frag | Kw::Frags => Fi::FRAG,
        Kw::FragBody => Fi::FRAGBODY,
        Kw::Mbcast => Fi::MBCAST,
        Kw::Multicast => Fi::MULTICAST,
        Kw::Broadcast => Fi::BROADCAST,
        Kw::State => Fi::STATE,
        Kw::Oow => Fi::OOW,
        _ => return None,
    })
}

/// Whether a token can start a `withopt` (the list goes on without `,`).
fn starts_withopt(t: Tok) -> bool {
    match t {
        Tok::Kw(k) => opttype(k).is_some() || matches!(k, Kw::Not | Kw::No | Kw::Opt | Kw::V6hdrs),
        _ => false,
    }
}

fn cmp_op(c: Cmp) -> CmpOp {
    match c {
        Cmp::Eq => CmpOp::EQUAL,
        Cmp::Ne => CmpOp::NEQUAL,
        Cmp::Lt => CmpOp::LESST,
        Cmp::Le => CmpOp::LESSTE,
        Cmp::Gt => CmpOp::GREATERT,
        Cmp::Ge => CmpOp::GREATERTE,
    }
}

fn eq_port(p: u16) -> PortCmp {
    PortCmp {
        op: CmpOp::EQUAL,
        port: p,
        top: 0,
    }
}

/// `tcpflags()`: the flags of `FSRPAUEC` (and `W` for CWR); 0 for any
/// other character.
pub fn tcpflags(s: &[u8]) -> u8 {
    let mut f = 0u8;
    for &c in s {
        if c == b'W' {
            f |= 0x80;
            continue;
        }
        match FLAGSET.iter().position(|&x| x == c) {
            Some(i) => f |= 1 << i,
            None => return 0,
        }
    }
    f
}

/// `flagset`: the TCP flag letters, lowest bit first.
pub const FLAGSET: &[u8; 8] = b"FSRPAUEC";

/// An IPv4 address in the first word only (`$$.a.in4 = $1.in4`).
fn v4_only(a: I6Addr) -> I6Addr {
    let mut b = I6Addr::ZERO;
    b.0[..4].copy_from_slice(&a.0[..4]);
    b
}

/// `s_addr = n` on a little-endian host.
fn native_word(n: u32) -> I6Addr {
    let mut a = I6Addr::ZERO;
    a.0[..4].copy_from_slice(&n.to_le_bytes());
    a
}

/// A lookup address: `iplookupnum` (`i6[0]`) and `iplookuptype`
/// (`i6[1]`), as the x86 build stores them.
pub fn lookup_addr(num: u32, ty: u32) -> I6Addr {
    let mut a = I6Addr::ZERO;
    a.0[..4].copy_from_slice(&num.to_le_bytes());
    a.0[4..8].copy_from_slice(&ty.to_le_bytes());
    a
}

/// The bytes of a C string: up to the first NUL.
fn cstr(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())]
}

/// What `strncmp(name, ifname, n)` compares of `name`.
fn strn(b: &[u8], n: usize) -> &[u8] {
    let b = cstr(b);
    &b[..b.len().min(n)]
}

/// `atoi()`: leading digits, saturating, truncated to an `int`.
fn atoi(s: &[u8]) -> i32 {
    let mut v: i64 = 0;
    for &c in s.iter().take_while(|c| c.is_ascii_digit()) {
        v = (v * 10 + i64::from(c - b'0')).min(i64::from(u32::MAX) + 1);
    }
    v as i32
}
