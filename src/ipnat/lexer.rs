//! The tokenizer of illumos `ipnat` (`usr/src/cmd/ipf/tools/lexer.c`, the
//! 2019 version with UUID tokens), reproduced with its buffer, its
//! push-back and its line counting, because error messages quote "the
//! current token" and "the current line" exactly as this state machine
//! leaves them.

use std::net::Ipv6Addr;

/// `YYBUFSIZ`.
const YYBUFSIZ: usize = 8192;
const EOF: i32 = -1;
/// `TOOLONG`: the token buffer is full.
const TOOLONG: i32 = -3;
/// `UUID_PRINTABLE_STRING_LENGTH`.
const UUID_BUF: usize = 37;
/// How deep variable values may refer to other variables.
const MAX_VAR_DEPTH: usize = 64;

const NL: i32 = b'\n' as i32;

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

/// `YY_CMP_*`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// One token, as `yylex()` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    /// End of input (also what yacc makes of a negative token).
    Eof,
    /// A single character (`=`, `,`, `/`, `;`, `.`, `:`, `-`, `!`, …).
    Char(u8),
    Number(u32),
    Hex(u32),
    Str(Vec<u8>),
    Ipv6([u8; 16]),
    Uuid,
    Comment,
    Cmp(Cmp),
    /// `<>`
    RangeOut,
    /// `><`
    RangeIn,
    Kw(Kw),
}

/// The word table (`yywords` in `ipnat_y.y`), in its order: the first
/// word with a given value is the one an error message quotes.
const WORDS: &[(&str, Word)] = &[
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

/// The longest word of [`WORDS`] (`round-robin`).
const LONGEST_WORD: usize = 11;

/// `yylex()`'s case-insensitive search of the word table: a `match` on
/// the lower-cased text, which gives what the first matching entry of
/// [`WORDS`] gives (the unit tests hold the two together).
fn find_word(text: &[u8]) -> Option<Word> {
    if text.len() > LONGEST_WORD {
        return None;
    }
    let mut buf = [0u8; LONGEST_WORD];
    let lc = &mut buf[..text.len()];
    lc.copy_from_slice(text);
    lc.make_ascii_lowercase();
    Some(match &*lc {
        b"age" => Word::Kw(Kw::Age),
        b"any" => Word::Kw(Kw::Any),
        b"auto" => Word::Kw(Kw::Auto),
        b"bimap" => Word::Kw(Kw::Bimap),
        b"frag" => Word::Kw(Kw::Frag),
        b"from" => Word::Kw(Kw::From),
        b"icmpidmap" => Word::Kw(Kw::Icmpidmap),
        b"mask" => Word::Kw(Kw::Mask),
        b"map" => Word::Kw(Kw::Map),
        b"map-block" => Word::Kw(Kw::MapBlock),
        b"mssclamp" => Word::Kw(Kw::Mssclamp),
        b"netmask" => Word::Kw(Kw::Mask),
        b"port" => Word::Kw(Kw::Port),
        b"portmap" => Word::Kw(Kw::Portmap),
        b"ports" => Word::Kw(Kw::Ports),
        b"proxy" => Word::Kw(Kw::Proxy),
        b"range" => Word::Kw(Kw::Range),
        b"rdr" => Word::Kw(Kw::Rdr),
        b"round-robin" => Word::Kw(Kw::RoundRobin),
        b"sequential" => Word::Kw(Kw::Sequential),
        b"sticky" => Word::Kw(Kw::Sticky),
        b"tag" => Word::Kw(Kw::Tag),
        b"tcp" => Word::Kw(Kw::Tcp),
        b"tcpudp" => Word::Kw(Kw::Tcpudp),
        b"to" => Word::Kw(Kw::To),
        b"udp" => Word::Kw(Kw::Udp),
        b"-" => Word::Dash,
        b"->" => Word::Kw(Kw::Tlate),
        b"eq" => Word::Cmp(Cmp::Eq),
        b"ne" => Word::Cmp(Cmp::Ne),
        b"lt" => Word::Cmp(Cmp::Lt),
        b"gt" => Word::Cmp(Cmp::Gt),
        b"le" => Word::Cmp(Cmp::Le),
        b"ge" => Word::Cmp(Cmp::Ge),
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Word {
    Kw(Kw),
    Cmp(Cmp),
    Dash,
}

/// `yytokentype`: what the last token was, for `yyerror()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// A value below 256 (a character, 0 at end of input, -2).
    Char(i32),
    Number,
    Hex,
    Str,
    Word(Word),
    /// A token the word table does not name (`<unknown>`).
    Unknown,
}

/// What `yylex` decided before `done:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    None,
    Char(i32),
    Comment,
    Str,
    Number,
    Hex,
    Ipv6([u8; 16]),
    Uuid,
    Cmp(Cmp),
    RangeOut,
    RangeIn,
}

/// Character classes, one bit each, for the tests the scanner makes on
/// every byte.
const CL_DIGIT: u8 = 1;
const CL_ALPHA: u8 = 2;
const CL_HEX: u8 = 4;
/// What the IPv6 look-ahead reads: hex digits, `:` and `.`.
const CL_V6: u8 = 8;
/// What the UUID look-ahead reads: hex digits and `-`.
const CL_UUID: u8 = 16;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        let mut k = 0;
        if c.is_ascii_digit() {
            k |= CL_DIGIT;
        }
        if c.is_ascii_alphabetic() {
            k |= CL_ALPHA;
        }
        if c.is_ascii_hexdigit() {
            k |= CL_HEX | CL_V6 | CL_UUID;
        }
        if c == b':' || c == b'.' {
            k |= CL_V6;
        }
        if c == b'-' {
            k |= CL_UUID;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// The classes of `c`; none for EOF and the other negative values.
fn class(c: i32) -> u8 {
    usize::try_from(c)
        .ok()
        .and_then(|i| CLASS.get(i))
        .copied()
        .unwrap_or(0)
}

/// Which look-ahead [`Lexer::scan_may_matter`] is asked about.
#[derive(Debug, Clone, Copy)]
enum Scan {
    Ipv6 = 0,
    Uuid = 1,
}

fn is_digit(c: i32) -> bool {
    class(c) & CL_DIGIT != 0
}

fn is_alpha(c: i32) -> bool {
    class(c) & CL_ALPHA != 0
}

fn is_alnum(c: i32) -> bool {
    class(c) & (CL_DIGIT | CL_ALPHA) != 0
}

fn is_hex(c: i32) -> bool {
    class(c) & CL_HEX != 0
}

fn is_ch(c: i32, ch: u8) -> bool {
    c == i32::from(ch)
}

/// The bytes of a C string: up to the first NUL.
fn cstr(b: &[u8]) -> &[u8] {
    &b[..b.iter().position(|&x| x == 0).unwrap_or(b.len())]
}

/// `sscanf("%u")` (and `"0x%x"`) on the digits of a token: values too big
/// for 64 bits saturate, the rest keep their low 32 bits.
fn scan_num(digits: &[u8], radix: u32) -> Option<u32> {
    let mut v: u64 = 0;
    let mut any = false;
    for &d in digits {
        let Some(x) = (d as char).to_digit(radix) else {
            break;
        };
        any = true;
        v = v
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(x)))
            .unwrap_or(u64::MAX);
    }
    any.then_some(v as u32)
}

/// illumos `uuid_parse()`'s format check.
fn is_uuid(b: &[u8]) -> bool {
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `inet_pton(AF_INET6, …)`.
fn inet_pton6(b: &[u8]) -> Option<[u8; 16]> {
    // Every IPv6 text has a colon; most tokens tried here (numbers,
    // words starting with a-f) have none.
    if !b.contains(&b':') {
        return None;
    }
    let s = std::str::from_utf8(b).ok()?;
    s.parse::<Ipv6Addr>().ok().map(|a| a.octets())
}

/// The tokenizer's state (the globals of `lexer.c`).
pub struct Lexer<'a> {
    input: &'a [u8],
    /// The next byte `fgetc` returns.
    at: usize,
    /// `yytext`: characters read ahead and pushed back.
    text: Vec<i32>,
    /// `yypos`, `yylast`.
    pos: isize,
    last: isize,
    /// `yylineNum`.
    pub line: i32,
    /// `yyexpectaddr`.
    pub expect_addr: bool,
    /// `yyvarnext`.
    pub var_next: bool,
    /// `yytokentype`.
    last_tok: Last,
    /// `yystr`, kept only for the tokens whose text `yyerror()` quotes
    /// (strings and numbers); `yystr_set` says whether it is current.
    yystr: Vec<u8>,
    yystr_set: bool,
    /// `yylval.num`, which keeps its value when a scan fails.
    num: u32,
    /// `name = value;` definitions, newest first.
    vars: Vec<(Vec<u8>, Vec<u8>)>,
    /// For each [`Scan`], a stretch of the file `[start, end]` where a
    /// look-ahead scan that reaches the file can only fail.
    hopeless: [(usize, usize); 2],
    /// What the C code writes to stderr while reading (variables).
    pub diagnostics: Vec<Vec<u8>>,
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a [u8]) -> Lexer<'a> {
        let mut text = vec![0; YYBUFSIZ + 2];
        text[0] = 0;
        Lexer {
            input,
            at: 0,
            text,
            pos: 0,
            last: -1,
            line: 1,
            expect_addr: false,
            var_next: false,
            last_tok: Last::Char(0),
            yystr: Vec::new(),
            yystr_set: false,
            num: 0,
            vars: Vec::new(),
            hopeless: [(1, 0); 2],
            diagnostics: Vec::new(),
        }
    }

    /// Whether unread bytes remain (`!feof` after a `fgetc` check).
    pub fn more_input(&self) -> bool {
        self.at < self.input.len()
    }

    fn fgetc(&mut self) -> i32 {
        match self.input.get(self.at) {
            Some(&b) => {
                self.at += 1;
                i32::from(b)
            }
            None => EOF,
        }
    }

    fn t(&self, i: isize) -> i32 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.text.get(i).copied())
            .unwrap_or(0)
    }

    fn set_t(&mut self, i: isize, c: i32) {
        if let Some(slot) = usize::try_from(i).ok().and_then(|i| self.text.get_mut(i)) {
            *slot = c;
        }
    }

    /// `yygetc()`.
    #[inline(always)]
    fn getc(&mut self, docont: bool) -> i32 {
        if self.pos < self.last {
            let c = self.t(self.pos);
            self.pos += 1;
            if c == NL {
                self.line += 1;
            }
            return c;
        }
        if self.pos >= YYBUFSIZ as isize {
            return TOOLONG;
        }
        let mut c = self.fgetc();
        if docont && is_ch(c, b'\\') {
            c = self.fgetc();
            if c == NL {
                self.line += 1;
                c = self.fgetc();
            }
        }
        if c == NL {
            self.line += 1;
        }
        self.set_t(self.pos, c);
        self.pos += 1;
        self.last = self.pos;
        self.set_t(self.pos, 0);
        c
    }

    /// `yyunputc()`.
    fn unputc(&mut self, c: i32) {
        if c == NL {
            self.line -= 1;
        }
        self.pos -= 1;
        self.set_t(self.pos, c);
    }

    /// `yyswallow()`: read up to (not including) `last`.
    fn swallow(&mut self, last: i32) -> bool {
        let mut c;
        loop {
            c = self.getc(false);
            if c <= 0 || c == last {
                break;
            }
        }
        if c != EOF {
            self.unputc(c);
        }
        c == last
    }

    /// `yytexttostr()`.
    fn texttostr(&self, mut offset: isize, mut max: isize) -> Vec<u8> {
        let c0 = self.t(offset);
        if (is_ch(c0, b'\'') || is_ch(c0, b'"')) && c0 == self.t(offset + max - 1) {
            offset += 1;
            max -= 1;
        }
        if max > self.last {
            max = self.last;
        }
        let (lo, hi) = (offset.max(0) as usize, max.max(0) as usize);
        let hi = hi.min(self.text.len());
        let mut out = Vec::with_capacity(hi.saturating_sub(lo));
        for &c in self.text.get(lo..hi).unwrap_or(&[]) {
            let b = (c & 0xff) as u8;
            if b == 0 {
                break;
            }
            out.push(b);
        }
        out
    }

    /// Whether a look-ahead scan (IPv6 or UUID) starting at `c` could
    /// succeed or change anything: its run of characters (hex digits and
    /// `also`, at most `limit`) holds `needed`, or the scan would read a
    /// backslash from the file (continuation lines). A scan that can do
    /// neither only fails and puts back what it read, so it is skipped.
    ///
    /// A run of the file found hopeless is remembered (`scan`), so that
    /// the tokens inside it (`10`, `0`, `0`, `0` of `10.0.0.0/24`) do not
    /// each read it again to its end.
    #[inline]
    fn scan_may_matter(&mut self, c: i32, scan: Scan) -> bool {
        let (also, needed) = match scan {
            Scan::Ipv6 => (CL_V6, b':'),
            Scan::Uuid => (CL_UUID, b'-'),
        };
        if is_ch(c, needed) {
            return true;
        }
        // Most tokens: nothing read ahead, and the next byte of the file
        // ends the run at once.
        if self.pos == self.last {
            match self.input.get(self.at) {
                None => return false,
                Some(&b) if b != b'\\' && CLASS[usize::from(b)] & also == 0 => return false,
                Some(_) => {}
            }
        }
        self.scan_run(scan)
    }

    /// The rest of [`Lexer::scan_may_matter`]: read the run.
    #[inline(never)]
    fn scan_run(&mut self, scan: Scan) -> bool {
        let (also, needed, limit) = match scan {
            Scan::Ipv6 => (CL_V6, b':', 46),
            Scan::Uuid => (CL_UUID, b'-', UUID_BUF),
        };
        let in_set = |x: i32| class(x) & also != 0;
        let mut n = 1;
        let mut i = self.pos;
        while i < self.last {
            if n > limit {
                return false;
            }
            let x = self.t(i);
            if !in_set(x) {
                return false;
            }
            if is_ch(x, needed) {
                return true;
            }
            n += 1;
            i += 1;
        }
        // The rest of the run is in the file. Within a run known to end
        // (at a byte outside the set, or the end of the file) before any
        // `needed` byte or backslash, a scan ends there too, or sooner at
        // `limit`: it fails.
        let from = self.at;
        let memo = &mut self.hopeless[scan as usize];
        if memo.0 <= from && from <= memo.1 {
            return false;
        }
        let rest = self.input.get(from..).unwrap_or(&[]);
        for (k, &b) in rest.iter().enumerate() {
            if n > limit {
                return false;
            }
            if b == b'\\' {
                return true;
            }
            if !in_set(i32::from(b)) {
                *memo = (from, from + k);
                return false;
            }
            if b == needed {
                return true;
            }
            n += 1;
        }
        *memo = (from, from + rest.len());
        false
    }

    /// `yystr = yytexttostr(0, yypos)`, into the reused buffer.
    fn fill_yystr(&mut self) {
        let mut offset = 0isize;
        let mut max = self.pos;
        let c0 = self.t(0);
        if (is_ch(c0, b'\'') || is_ch(c0, b'"')) && c0 == self.t(max - 1) {
            offset += 1;
            max -= 1;
        }
        if max > self.last {
            max = self.last;
        }
        let (lo, hi) = (
            offset.max(0) as usize,
            (max.max(0) as usize).min(self.text.len()),
        );
        self.yystr.clear();
        for &c in self.text.get(lo..hi).unwrap_or(&[]) {
            let b = (c & 0xff) as u8;
            if b == 0 {
                break;
            }
            self.yystr.push(b);
        }
    }

    /// `yystrtotext()`.
    fn strtotext(&mut self, s: &[u8]) {
        for &b in s.iter().take(YYBUFSIZ) {
            if self.last >= YYBUFSIZ as isize {
                break;
            }
            self.set_t(self.last, i32::from(b));
            self.last += 1;
        }
        self.set_t(self.last, 0);
    }

    /// Move the unread rest of the buffer to its start.
    fn shift_buffer(&mut self) {
        if self.last > self.pos {
            let (p, l) = (self.pos.max(0) as usize, self.last as usize);
            let end = (l + 1).min(self.text.len());
            // Usually a character or two: a loop beats memmove.
            for k in p..end {
                self.text[k - p] = self.text[k];
            }
        }
        self.last -= self.pos;
        self.pos = 0;
    }

    /// A token longer than the buffer: the C code misbehaves (it loops or
    /// overwrites); xbow ends the input there, as for an unterminated quote.
    fn too_long(&mut self) -> Tok {
        self.last_tok = Last::Char(-2);
        Tok::Eof
    }

    /// `yylex()`.
    pub fn lex(&mut self) -> Tok {
        let mut isbuilding = false;
        let mut lnext = false;
        let mut nokey = false;
        // Variables expanded for this token.
        let mut expansions = 0;
        self.yystr_set = false;

        let rval: R = 'done: loop {
            let mut c = self.getc(false);
            if c == TOOLONG {
                return self.too_long();
            }
            // A letter or digit inside a word passes every test below
            // and only goes on building it.
            if isbuilding && !lnext && is_alnum(c) {
                continue;
            }
            match c {
                9 | 10 | 13 | 32 => {
                    if isbuilding {
                        self.unputc(c);
                        break 'done R::None;
                    }
                    self.shift_buffer();
                    lnext = false;
                    nokey = false;
                    continue;
                }
                92 if !lnext => {
                    lnext = true;
                    if self.last == self.pos {
                        self.last -= 1;
                        self.pos -= 1;
                    } else {
                        self.pos -= 1;
                    }
                    if self.pos == 0 {
                        nokey = true;
                    }
                    continue;
                }
                _ => {}
            }

            if lnext {
                lnext = false;
                if !isbuilding && !is_alnum(c) {
                    // Returned as is: yytokentype and yystr stay as they were.
                    return if c <= 0 {
                        Tok::Eof
                    } else {
                        Tok::Char((c & 0xff) as u8)
                    };
                }
                continue;
            }

            match c {
                35 => {
                    // '#'
                    if isbuilding {
                        self.unputc(c);
                        break 'done R::None;
                    }
                    self.swallow(NL);
                    break 'done R::Comment;
                }
                36 => {
                    // '$'
                    if isbuilding {
                        self.unputc(c);
                        break 'done R::None;
                    }
                    let mut n = self.getc(false);
                    let mut ok = true;
                    if is_ch(n, b'{') {
                        if !self.swallow(i32::from(b'}')) {
                            break 'done R::Char(-2);
                        }
                        self.getc(false);
                    } else if !is_alpha(n) {
                        self.unputc(n);
                        ok = false;
                    } else {
                        loop {
                            n = self.getc(true);
                            if n == TOOLONG {
                                return self.too_long();
                            }
                            if !(is_alpha(n) || is_digit(n) || is_ch(n, b'_')) {
                                break;
                            }
                        }
                        self.unputc(n);
                    }
                    if ok {
                        let name = self.texttostr(1, self.pos);
                        let line = self.line;
                        if expansions >= MAX_VAR_DEPTH {
                            // illumos reads an expansion again from its
                            // start, and one that begins with the same
                            // `$name` (a `$$` in the value makes a literal
                            // `$`: `a = "$$a-"; $a` gives `$a--`) is
                            // expanded again, forever. xbow stops, says so,
                            // and goes on as for an unknown variable.
                            let name = cstr(&name);
                            let name = match name.strip_prefix(b"{") {
                                Some(n) => n.strip_suffix(b"}").unwrap_or(n),
                                None => name,
                            };
                            self.refers_to_itself(line, name);
                        } else if let Some(value) = self.get_variable(&name, line, 0).0 {
                            expansions += 1;
                            let rest = self.texttostr(self.pos, self.last);
                            self.pos = 0;
                            self.last = 0;
                            self.strtotext(&value);
                            self.strtotext(&rest);
                            continue;
                        }
                    }
                }
                39 | 34 => {
                    // quotes
                    if isbuilding {
                        break 'done R::None;
                    }
                    loop {
                        let n = self.getc(true);
                        if n == EOF || n == TOOLONG {
                            break 'done R::Char(-2);
                        }
                        if n == NL {
                            self.unputc(i32::from(b' '));
                            self.pos += 1;
                        }
                        if n == c {
                            break;
                        }
                    }
                    break 'done R::Str;
                }
                EOF => {
                    self.line = 1;
                    self.pos = 0;
                    self.last = -1;
                    self.expect_addr = false;
                    self.var_next = false;
                    self.last_tok = Last::Char(0);
                    return Tok::Eof;
                }
                _ => {}
            }

            // strchr("=,/;{}()@", c) also matches the terminating NUL.
            if c == 0 || b"=,/;{}()@".iter().any(|&s| is_ch(c, s)) {
                if isbuilding {
                    self.unputc(c);
                    break 'done R::None;
                }
                break 'done R::Char(c);
            } else if is_ch(c, b'.') && !isbuilding {
                break 'done R::Char(c);
            }

            match c {
                45 if !self.expect_addr && !isbuilding => {
                    // '-'
                    let n = self.getc(false);
                    if is_ch(n, b'>') {
                        isbuilding = true;
                        break 'done R::None;
                    }
                    self.unputc(n);
                    break 'done R::Char(c);
                }
                33 => {
                    // '!'
                    if isbuilding {
                        self.unputc(c);
                        break 'done R::None;
                    }
                    let n = self.getc(false);
                    if is_ch(n, b'=') {
                        break 'done R::Cmp(Cmp::Ne);
                    }
                    self.unputc(n);
                    break 'done R::Char(c);
                }
                60 | 62 if !self.expect_addr => {
                    // '<' '>'
                    if isbuilding {
                        self.unputc(c);
                        break 'done R::None;
                    }
                    let n = self.getc(false);
                    let lt = is_ch(c, b'<');
                    if is_ch(n, b'=') {
                        break 'done R::Cmp(if lt { Cmp::Le } else { Cmp::Ge });
                    }
                    if is_ch(n, if lt { b'>' } else { b'<' }) {
                        break 'done if lt { R::RangeOut } else { R::RangeIn };
                    }
                    self.unputc(n);
                    break 'done R::Cmp(if lt { Cmp::Lt } else { Cmp::Gt });
                }
                _ => {}
            }

            // IPv6 addresses.
            if !isbuilding && (is_hex(c) || is_ch(c, b':')) && self.scan_may_matter(c, Scan::Ipv6) {
                let start = self.pos;
                let oc = c;
                let mut buf = Vec::with_capacity(48);
                loop {
                    buf.push((c & 0xff) as u8);
                    c = self.getc(true);
                    if !((is_hex(c) || is_ch(c, b':') || is_ch(c, b'.')) && buf.len() < 46) {
                        break;
                    }
                }
                if c == TOOLONG {
                    return self.too_long();
                }
                self.unputc(c);
                if let Some(a) = inet_pton6(&buf) {
                    self.expect_addr = false;
                    break 'done R::Ipv6(a);
                }
                self.pos = start;
                c = oc;
            }

            // UUIDs.
            if !isbuilding && (is_hex(c) || is_ch(c, b'-')) && self.scan_may_matter(c, Scan::Uuid) {
                let start = self.pos;
                let oc = c;
                let mut buf = Vec::with_capacity(48);
                loop {
                    buf.push((c & 0xff) as u8);
                    c = self.getc(true);
                    if !((is_hex(c) || is_ch(c, b'-')) && buf.len() < UUID_BUF) {
                        break;
                    }
                }
                if c == TOOLONG {
                    return self.too_long();
                }
                self.unputc(c);
                if is_uuid(&buf) {
                    self.expect_addr = false;
                    break 'done R::Uuid;
                }
                self.pos = start;
                c = oc;
            }

            if is_ch(c, b':') {
                if isbuilding {
                    self.unputc(c);
                    break 'done R::None;
                }
                break 'done R::Char(c);
            }

            if !isbuilding && is_ch(c, b'0') {
                let mut n = self.getc(false);
                if is_ch(n, b'x') {
                    loop {
                        n = self.getc(true);
                        if n == TOOLONG {
                            return self.too_long();
                        }
                        if !is_hex(n) {
                            break;
                        }
                    }
                    self.unputc(n);
                    break 'done R::Hex;
                }
                self.unputc(n);
            }

            if !isbuilding && is_digit(c) {
                let mut n;
                loop {
                    n = self.getc(true);
                    if n == TOOLONG {
                        return self.too_long();
                    }
                    if !is_digit(n) {
                        break;
                    }
                }
                self.unputc(n);
                break 'done R::Number;
            }

            isbuilding = true;
        };

        // done:
        if isbuilding || matches!(rval, R::Str | R::Number | R::Hex) {
            self.fill_yystr();
        }
        let text = &self.yystr;
        let mut word = None;
        if isbuilding {
            if !self.var_next && !nokey {
                word = find_word(text);
            } else {
                self.var_next = false;
            }
        }
        let tok = match (word, rval) {
            (Some(Word::Kw(k)), _) => {
                self.last_tok = Last::Word(Word::Kw(k));
                Tok::Kw(k)
            }
            (Some(Word::Cmp(k)), _) => {
                self.last_tok = Last::Word(Word::Cmp(k));
                Tok::Cmp(k)
            }
            (Some(Word::Dash), _) => {
                self.last_tok = Last::Char(i32::from(b'-'));
                Tok::Char(b'-')
            }
            (None, _) if isbuilding => {
                self.last_tok = Last::Str;
                Tok::Str(text.clone())
            }
            (None, R::Str) => {
                self.last_tok = Last::Str;
                Tok::Str(text.clone())
            }
            (None, R::None) => {
                self.last_tok = Last::Char(0);
                Tok::Eof
            }
            (None, R::Char(c)) => {
                self.last_tok = Last::Char(c);
                if c <= 0 {
                    Tok::Eof
                } else {
                    Tok::Char((c & 0xff) as u8)
                }
            }
            (None, R::Comment) => {
                self.last_tok = Last::Unknown;
                Tok::Comment
            }
            (None, R::Number) => {
                self.last_tok = Last::Number;
                if let Some(n) = scan_num(text, 10) {
                    self.num = n;
                }
                Tok::Number(self.num)
            }
            (None, R::Hex) => {
                self.last_tok = Last::Hex;
                if let Some(n) = text.get(2..).and_then(|d| scan_num(d, 16)) {
                    self.num = n;
                }
                Tok::Hex(self.num)
            }
            (None, R::Ipv6(a)) => {
                self.last_tok = Last::Unknown;
                Tok::Ipv6(a)
            }
            (None, R::Uuid) => {
                self.last_tok = Last::Unknown;
                Tok::Uuid
            }
            (None, R::Cmp(k)) => {
                self.last_tok = Last::Word(Word::Cmp(k));
                Tok::Cmp(k)
            }
            (None, R::RangeOut) | (None, R::RangeIn) => {
                self.last_tok = Last::Unknown;
                if rval == R::RangeOut {
                    Tok::RangeOut
                } else {
                    Tok::RangeIn
                }
            }
        };
        self.yystr_set = matches!(self.last_tok, Last::Number | Last::Hex | Last::Str);
        if self.last > 0 {
            self.shift_buffer();
        }
        tok
    }

    /// The text `yyerror()` quotes for the current token.
    pub fn error_text(&self) -> Vec<u8> {
        match self.last_tok {
            Last::Char(c) => {
                let b = (c & 0xff) as u8;
                if b == 0 { Vec::new() } else { vec![b] }
            }
            Last::Number | Last::Hex | Last::Str if self.yystr_set => self.yystr.clone(),
            Last::Number | Last::Hex | Last::Str => self.texttostr(self.pos, YYBUFSIZ as isize),
            Last::Word(w) => WORDS
                .iter()
                .find(|(_, v)| *v == w)
                .map(|(t, _)| t.as_bytes().to_vec())
                .unwrap_or_else(|| b"<unknown>".to_vec()),
            Last::Unknown => b"<unknown>".to_vec(),
        }
    }

    /// `set_variable()`.
    pub fn set_variable(&mut self, name: &[u8], value: &[u8]) {
        let name = cstr(name);
        let mut value = cstr(value);
        if name.is_empty() {
            return;
        }
        if let Some(v) = self.vars.iter_mut().find(|(n, _)| n == name) {
            v.1 = value.to_vec();
            return;
        }
        if let (Some(&f), Some(&l)) = (value.first(), value.last())
            && ((f == b'"' && l == b'"') || (f == b'\'' && l == b'\''))
        {
            value = if value.len() >= 2 {
                &value[1..value.len() - 1]
            } else {
                &[]
            };
        }
        self.vars.insert(0, (name.to_vec(), value.to_vec()));
    }

    fn diag(&mut self, msg: String) {
        self.diagnostics.push(msg.into_bytes());
    }

    /// Where illumos recurses or loops forever on a variable that refers
    /// to itself, xbow stops with this message.
    fn refers_to_itself(&mut self, line: i32, name: &[u8]) {
        let mut m = format!("{line}: variable '").into_bytes();
        m.extend_from_slice(name);
        m.extend_from_slice(b"' refers to itself\n");
        self.diagnostics.push(m);
    }

    /// `get_variable()`: the expanded value and where the name ended.
    fn get_variable(&mut self, s: &[u8], line: i32, depth: usize) -> (Option<Vec<u8>>, usize) {
        let s = cstr(s);
        let (name, after) = match s.first() {
            Some(b'{') => match s[1..].iter().position(|&b| b == b'}') {
                Some(i) => (&s[1..1 + i], 1 + i),
                None => {
                    self.diag(format!("{line}: {{ without }}\n"));
                    return (None, 0);
                }
            },
            Some(&c) if is_alpha(i32::from(c)) => {
                let end = s[1..]
                    .iter()
                    .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
                    .map_or(s.len(), |i| i + 1);
                (&s[..end], end)
            }
            other => {
                let mut m = format!("{line}: variables cannot start with '").into_bytes();
                m.push(other.copied().unwrap_or(0));
                m.extend_from_slice(b"'\n");
                self.diagnostics.push(m);
                return (None, 0);
            }
        };
        let Some(value) = self
            .vars
            .iter()
            .find(|(n, _)| n == name)
            .map(|v| v.1.clone())
        else {
            let mut m = format!("{line}: unknown variable '").into_bytes();
            m.extend_from_slice(name);
            m.extend_from_slice(b"'\n");
            self.diagnostics.push(m);
            return (None, after);
        };
        if depth >= MAX_VAR_DEPTH {
            self.refers_to_itself(line, name);
            return (None, after);
        }
        (self.expand_string(value, line, depth + 1), after)
    }

    /// `expand_string()`, with its handling of `$$` and of `${name}`.
    fn expand_string(&mut self, old: Vec<u8>, line: i32, depth: usize) -> Option<Vec<u8>> {
        let mut buf = cstr(&old).to_vec();
        buf.push(0);
        let at = |b: &Vec<u8>, i: isize| -> u8 {
            usize::try_from(i)
                .ok()
                .and_then(|i| b.get(i).copied())
                .unwrap_or(0)
        };
        let mut s: isize = 0;
        while at(&buf, s) != 0 {
            if at(&buf, s) == b'$' {
                buf[s as usize] = 0;
                s += 1;
                let c = at(&buf, s);
                if c == b'$' {
                    let su = s as usize;
                    let len = cstr(&buf[su..]).len();
                    buf.copy_within(su..su + len, su - 1);
                } else {
                    if c == 0 {
                        return Some(cstr(&buf).to_vec());
                    }
                    let su = s as usize;
                    let (value, after) = self.get_variable(&buf[su..], line, depth);
                    let value = value?;
                    let p2 = self.expand_string(value, line, depth + 1)?;
                    let prefix = cstr(&buf).to_vec();
                    let mut rest = su + after;
                    if c == b'{' && at(&buf, rest as isize) == b'}' {
                        rest += 1;
                    }
                    let rest = cstr(buf.get(rest..).unwrap_or(&[])).to_vec();
                    let mut p1 = prefix.clone();
                    p1.extend_from_slice(&p2);
                    p1.extend_from_slice(&rest);
                    p1.push(0);
                    s = (prefix.len() + p2.len()) as isize - 1;
                    buf = p1;
                }
            }
            s += 1;
        }
        Some(cstr(&buf).to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let mut lx = Lexer::new(s.as_bytes());
        let mut v = Vec::new();
        loop {
            let t = lx.lex();
            if t == Tok::Eof {
                break;
            }
            v.push(t);
        }
        v
    }

    #[test]
    fn the_word_match_is_the_word_table() {
        for (i, (w, v)) in WORDS.iter().enumerate() {
            assert!(w.len() <= LONGEST_WORD);
            let first = WORDS[..i].iter().find(|(x, _)| x == w).map(|x| x.1);
            let want = Some(first.unwrap_or(*v));
            assert_eq!(find_word(w.as_bytes()), want, "{w}");
            assert_eq!(find_word(w.to_ascii_uppercase().as_bytes()), want, "{w}");
            let mut longer = w.as_bytes().to_vec();
            longer.push(b'x');
            let other = WORDS
                .iter()
                .find(|(x, _)| x.as_bytes() == longer)
                .map(|x| x.1);
            assert_eq!(find_word(&longer), other);
            assert_eq!(
                find_word(&w.as_bytes()[1..]).is_some(),
                WORDS
                    .iter()
                    .any(|(x, _)| x.as_bytes() == &w.as_bytes()[1..])
            );
        }
        assert_eq!(find_word(b""), None);
        assert_eq!(find_word(b"round-robinx"), None);
        assert_eq!(find_word(b"Round-Robin"), Some(Word::Kw(Kw::RoundRobin)));
    }

    #[test]
    fn words_numbers_and_symbols() {
        assert_eq!(
            toks("map le0 10.0.0.5/0xff -> 0/32 portmap tcp/udp 10000:19999"),
            vec![
                Tok::Kw(Kw::Map),
                Tok::Str(b"le0".to_vec()),
                Tok::Number(10),
                Tok::Char(b'.'),
                Tok::Number(0),
                Tok::Char(b'.'),
                Tok::Number(0),
                Tok::Char(b'.'),
                Tok::Number(5),
                Tok::Char(b'/'),
                Tok::Hex(0xff),
                Tok::Kw(Kw::Tlate),
                Tok::Number(0),
                Tok::Char(b'/'),
                Tok::Number(32),
                Tok::Kw(Kw::Portmap),
                Tok::Kw(Kw::Tcp),
                Tok::Char(b'/'),
                Tok::Kw(Kw::Udp),
                Tok::Number(10000),
                Tok::Char(b':'),
                Tok::Number(19999),
            ]
        );
        assert_eq!(
            toks("MAP-Block x != <= >= < > <> >< # c\n"),
            vec![
                Tok::Kw(Kw::MapBlock),
                Tok::Str(b"x".to_vec()),
                Tok::Cmp(Cmp::Ne),
                Tok::Cmp(Cmp::Le),
                Tok::Cmp(Cmp::Ge),
                Tok::Cmp(Cmp::Lt),
                Tok::Cmp(Cmp::Gt),
                Tok::RangeOut,
                Tok::RangeIn,
                Tok::Comment,
            ]
        );
    }

    #[test]
    fn ipv6_uuid_and_quotes() {
        let mut a = [0u8; 16];
        a[15] = 1;
        assert_eq!(toks("::1"), vec![Tok::Ipv6(a)]);
        assert_eq!(
            toks("2426e38c-9f63-c0b8-cfd5-9aaeaf992d42"),
            vec![Tok::Uuid]
        );
        assert_eq!(
            toks("\"map\" 'a b'"),
            vec![Tok::Str(b"map".to_vec()), Tok::Str(b"a b".to_vec())]
        );
    }

    #[test]
    fn line_numbers_and_error_text() {
        let mut lx = Lexer::new(b"map\n\nle0 ->");
        assert_eq!(lx.lex(), Tok::Kw(Kw::Map));
        assert_eq!(lx.line, 1);
        assert_eq!(lx.lex(), Tok::Str(b"le0".to_vec()));
        assert_eq!(lx.line, 3);
        assert_eq!(lx.error_text(), b"le0");
        assert_eq!(lx.lex(), Tok::Kw(Kw::Tlate));
        assert_eq!(lx.error_text(), b"->");
        assert_eq!(lx.lex(), Tok::Eof);
        assert_eq!((lx.line, lx.error_text()), (1, Vec::new()));
    }

    #[test]
    fn expecting_an_address_keeps_dashes_in_words() {
        let mut lx = Lexer::new(b"a-b - ");
        lx.expect_addr = true;
        assert_eq!(lx.lex(), Tok::Str(b"a-b".to_vec()));
        assert_eq!(lx.lex(), Tok::Char(b'-'));
        let mut lx = Lexer::new(b"1-2");
        assert_eq!(lx.lex(), Tok::Number(1));
        assert_eq!(lx.lex(), Tok::Char(b'-'));
    }

    #[test]
    fn a_word_ending_the_input_is_lost_as_in_illumos() {
        assert_eq!(
            toks("map le0 tcp"),
            vec![Tok::Kw(Kw::Map), Tok::Str(b"le0".to_vec())]
        );
        assert_eq!(toks("map 32"), vec![Tok::Kw(Kw::Map), Tok::Number(32)]);
    }

    #[test]
    fn a_value_read_again_as_itself_stops() {
        // `$$` makes a literal `$` (and, as bcopy() moves no NUL, doubles
        // the last byte): `$a` gives `$a--`, whose `$a` illumos expands
        // again, forever (found by the fuzzer as `ma="$$ma\xf2>";$ma`).
        let mut lx = Lexer::new(b"$a ${a}\n");
        lx.set_variable(b"a", b"$$a-");
        let word = [b"$a".as_slice(), &[b'-'; 128]].concat();
        assert_eq!(lx.lex(), Tok::Str(word.clone()));
        assert_eq!(lx.lex(), Tok::Str(word));
        assert_eq!(lx.lex(), Tok::Eof);
        assert_eq!(
            lx.diagnostics,
            vec![b"1: variable 'a' refers to itself\n".to_vec(); 2]
        );
        // A chain that ends is expanded.
        let mut lx = Lexer::new(b"$a\n");
        lx.set_variable(b"a", b"$$b-");
        lx.set_variable(b"b", b"x");
        assert_eq!(lx.lex(), Tok::Str(b"x--".to_vec()));
        assert!(lx.diagnostics.is_empty());
    }

    #[test]
    fn variables() {
        let mut lx = Lexer::new(b"$ext ${ext}x $nope\n");
        lx.set_variable(b"ext", b"\"hme0\"");
        assert_eq!(lx.lex(), Tok::Str(b"hme0".to_vec()));
        assert_eq!(lx.lex(), Tok::Str(b"hme0x".to_vec()));
        assert_eq!(lx.lex(), Tok::Str(b"$nope".to_vec()));
        assert_eq!(
            lx.diagnostics,
            vec![b"1: unknown variable 'nope'\n".to_vec()]
        );
    }
}
