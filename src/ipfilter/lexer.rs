//! The tokenizer of the IP Filter tools (`usr/src/cmd/ipf/tools/lexer.c`,
//! the 2019 version with UUID tokens), shared by `ipnat` and `ipf`:
//! `yylex()` with its buffer, its push-back and its line counting, because
//! error messages quote "the current token" and "the current line" exactly
//! as this state machine leaves them.
//!
//! Each grammar brings its own word tables ([`Table`], `yywords` of
//! `ipnat_y.y`, `ipfwords`, `icmptypewords`, … of `ipf_y.y`); the grammar
//! switches them as the C parser does, with a stack ([`Lexer::set_dict`] is
//! `yysetdict()`, [`Lexer::reset_dict`] is `yyresetdict()`), and the lexer
//! itself falls back to the table below when a word is not in the current
//! one, as `yylex()` does.
//!
//! The common tokens (words, decimal numbers, one- and two-character
//! tokens, comments) are read straight from the file instead, with the
//! buffer, the line count and the rest left as the character-by-character
//! scan would leave them; a unit test holds the two together.

use std::net::Ipv6Addr;

/// `YYBUFSIZ`.
const YYBUFSIZ: usize = 8192;
const EOF: i32 = -1;
/// `TOOLONG`: the token buffer is full.
const TOOLONG: i32 = -3;
/// Tokens longer than this are left to the character-by-character scan
/// (which stops at `YYBUFSIZ`).
const LONG: usize = 256;
/// `UUID_PRINTABLE_STRING_LENGTH`.
const UUID_BUF: usize = 37;
/// How deep variable values may refer to other variables.
const MAX_VAR_DEPTH: usize = 64;
/// `yysavewords[30]`: how many dictionaries `yysetdict()` can stack.
const MAX_DICT_DEPTH: usize = 30;

const NL: i32 = b'\n' as i32;

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

/// One token, as `yylex()` returns it, with `K` the grammar's keywords.
/// The text of a string and the bytes of an IPv6 address or a UUID stay
/// in the lexer ([`Lexer::text`], [`Lexer::ipv6`], [`Lexer::uuid`]) until
/// the next token is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok<K> {
    /// End of input (also what yacc makes of a negative token).
    Eof,
    /// A single character (`=`, `,`, `/`, `;`, `.`, `:`, `-`, `!`, …).
    Char(u8),
    Number(u32),
    Hex(u32),
    Str,
    Ipv6,
    Uuid,
    Comment,
    Cmp(Cmp),
    /// `<>`
    RangeOut,
    /// `><`
    RangeIn,
    Kw(K),
}

/// What a word of a table stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Word<K> {
    Kw(K),
    Cmp(Cmp),
    /// The word `-`, which is the character token `-` (`ipnat`).
    Dash,
}

/// Words of at most this many bytes are found by hashing; longer ones
/// (`return-icmp-as-dest`) by a scan of the few that long.
const KEY_BYTES: usize = 16;

/// A `wordtab_t` array: the words in their order (the first word with a
/// given value is the one an error message quotes), with a hash table
/// without collisions over them, built at compile time by [`Table::new`].
pub struct Table<K: 'static> {
    words: &'static [(&'static str, Word<K>)],
    /// Slot of each key: the index of its word plus one, 0 for none.
    slots: &'static [u8],
    /// The key of each word (0 for a word longer than a key).
    keys: &'static [u128],
    mul: u64,
    /// `64 - log2(slots.len())`.
    shift: u32,
    /// The length of the longest word that is hashed.
    longest: usize,
    /// Whether some word is longer than [`KEY_BYTES`].
    has_long: bool,
}

/// A word of at most 16 bytes as a number: its bytes, the first lowest,
/// with upper-case letters lowered.
const fn word_key(text: &[u8]) -> u128 {
    let mut k = 0;
    let mut i = 0;
    while i < text.len() {
        k |= (text[i].to_ascii_lowercase() as u128) << (8 * i);
        i += 1;
    }
    k
}

/// Where a key goes in a table of `64 - shift` bits.
const fn slot(k: u128, mul: u64, shift: u32) -> usize {
    ((k as u64 ^ (k >> 64) as u64).wrapping_mul(mul) >> shift) as usize
}

/// The slots of [`Table`] for `words`, `N` (a power of two) of them;
/// compilation fails if two words share a slot (then change `mul`). A
/// slot holds a word's index plus one (a byte, so that a table of slots
/// stays small in the cache).
pub const fn slots<K, const N: usize>(words: &[(&str, Word<K>)], mul: u64) -> [u8; N] {
    let shift = 64 - N.trailing_zeros();
    let mut t = [0u8; N];
    let mut i = 0;
    while i < words.len() {
        let w = words[i].0.as_bytes();
        if w.len() <= KEY_BYTES {
            let s = slot(word_key(w), mul, shift);
            assert!(t[s] == 0, "two words in one slot: change the multiplier");
            t[s] = i as u8 + 1;
        }
        i += 1;
    }
    t
}

/// The keys of `words`, `W` of them (all the words).
pub const fn keys<K, const W: usize>(words: &[(&str, Word<K>)]) -> [u128; W] {
    let mut t = [0u128; W];
    let mut i = 0;
    while i < W {
        let w = words[i].0.as_bytes();
        if w.len() <= KEY_BYTES {
            t[i] = word_key(w);
        }
        i += 1;
    }
    t
}

impl<K: Copy + 'static> Table<K> {
    /// The table of `words`, hashed into `slots` (from [`slots`] with
    /// `mul`), with their `keys` (from [`keys`]).
    pub const fn new(
        words: &'static [(&'static str, Word<K>)],
        slots: &'static [u8],
        keys: &'static [u128],
        mul: u64,
    ) -> Table<K> {
        let mut longest = 0;
        let mut has_long = false;
        let mut i = 0;
        while i < words.len() {
            let n = words[i].0.len();
            if n > KEY_BYTES {
                has_long = true;
            } else if n > longest {
                longest = n;
            }
            i += 1;
        }
        Table {
            words,
            slots,
            keys,
            mul,
            shift: 64 - slots.len().trailing_zeros(),
            longest,
            has_long,
        }
    }

    /// The words, in their order.
    pub fn words(&self) -> &'static [(&'static str, Word<K>)] {
        self.words
    }

    /// `yyfindkey()`: the case-insensitive search of the table, which
    /// gives what its first matching entry gives (the unit tests hold the
    /// two together).
    pub fn find(&self, text: &[u8]) -> Option<Word<K>> {
        if text.len() > self.longest {
            return self.find_long(text);
        }
        let mut buf = [0u8; 16];
        buf[..text.len()].copy_from_slice(text);
        self.of_key(lower_key(u128::from_le_bytes(buf)))
    }

    /// [`Table::find`] of the `len` bytes of `input` from `start`.
    #[inline]
    fn find_at(&self, input: &[u8], start: usize, len: usize) -> Option<Word<K>> {
        match input.get(start..start + 16) {
            Some(b) if len <= self.longest => {
                let x = u128::from_le_bytes(b.try_into().ok()?);
                self.of_key(lower_key(x & ((1 << (8 * len)) - 1)))
            }
            _ => self.find(input.get(start..start + len)?),
        }
    }

    /// The word whose key is `k`.
    #[inline]
    fn of_key(&self, k: u128) -> Option<Word<K>> {
        let i = usize::from(*self.slots.get(slot(k, self.mul, self.shift))?).checked_sub(1)?;
        if *self.keys.get(i)? == k {
            Some(self.words.get(i)?.1)
        } else {
            None
        }
    }

    /// The words longer than a key.
    #[cold]
    fn find_long(&self, text: &[u8]) -> Option<Word<K>> {
        if !self.has_long || text.len() <= KEY_BYTES {
            return None;
        }
        self.words
            .iter()
            .find(|(w, _)| w.as_bytes().eq_ignore_ascii_case(text))
            .map(|w| w.1)
    }
}

impl<K: Copy + PartialEq + 'static> Table<K> {
    /// `yykeytostr()`: the first word with this value.
    fn word_of(&self, w: Word<K>) -> Option<&'static str> {
        self.words.iter().find(|(_, v)| *v == w).map(|(t, _)| *t)
    }
}

/// [`word_key`] of the 16 bytes of `x` (first byte lowest), all at once:
/// bit 5 set in each byte from `A` to `Z`.
fn lower_key(x: u128) -> u128 {
    const ONES: u128 = u128::MAX / 255;
    let low7 = x & (ONES * 0x7f);
    let from_a = low7 + ONES * u128::from(0x80 - b'A');
    let past_z = low7 + ONES * u128::from(0x80 - b'Z' - 1);
    let upper = from_a & !past_z & !x & (ONES * 0x80);
    x | (upper >> 2)
}

/// `yytokentype`: what the last token was, for `yyerror()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last<K> {
    /// A value below 256 (a character, 0 at end of input, -2).
    Char(i32),
    Number,
    Hex,
    Str,
    Word(Word<K>),
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
const CL_DIGIT: u16 = 1;
const CL_ALPHA: u16 = 2;
const CL_HEX: u16 = 4;
/// What the IPv6 look-ahead reads: hex digits, `:` and `.`.
const CL_V6: u16 = 8;
/// What the UUID look-ahead reads: hex digits and `-`.
const CL_UUID: u16 = 16;
/// What ends a word and is put back, in any mode: white space, `#`, `$`,
/// `!`, `:` and `=,/;{}()@`. The other bytes but quotes, backslashes,
/// NUL and (outside address mode) [`CL_ANGLE`] go on building it.
const CL_WORD_END: u16 = 32;
/// `<` and `>`, which end a word outside address mode.
const CL_ANGLE: u16 = 64;
/// White space: space, tab, carriage return, newline.
const CL_SPACE: u16 = 128;
/// What goes on building a word in any mode: all but [`CL_WORD_END`],
/// [`CL_ANGLE`], quotes, backslashes and NUL.
const CL_WORD_GOES_ON: u16 = 256;

static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
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
        if matches!(
            c,
            b' ' | b'\t' | b'\n' | b'\r' | b'#' | b'$' | b'!' | b':' | b'=' | b',' | b'/'
        ) || matches!(c, b';' | b'{' | b'}' | b'(' | b')' | b'@')
        {
            k |= CL_WORD_END;
        }
        if c == b'<' || c == b'>' {
            k |= CL_ANGLE;
        }
        if matches!(c, b' ' | b'\t' | b'\r' | b'\n') {
            k |= CL_SPACE;
        }
        if k & (CL_WORD_END | CL_ANGLE) == 0 && !matches!(c, b'\\' | b'\'' | b'"' | 0) {
            k |= CL_WORD_GOES_ON;
        }
        t[i] = k;
        i += 1;
    }
    t
};

/// The classes of `c`; none for EOF and the other negative values.
fn class(c: i32) -> u16 {
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

/// The 16 bytes of a text that [`is_uuid`].
fn uuid_bytes(b: &[u8]) -> [u8; 16] {
    let mut out = [0u8; 16];
    let digits = b.iter().filter_map(|&c| (c as char).to_digit(16));
    for (i, d) in digits.enumerate().take(32) {
        out[i / 2] |= (d as u8) << if i % 2 == 0 { 4 } else { 0 };
    }
    out
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

/// Where the text of `yystr` is.
#[derive(Debug, Clone, Copy)]
enum Yystr {
    /// `input[.0...1]`: the token as read from the file.
    File(usize, usize),
    /// [`Lexer::yystr_buf`].
    Buf,
}

/// The tokenizer's state (the globals of `lexer.c`).
pub struct Lexer<'a, K: 'static> {
    input: &'a [u8],
    /// The next byte `fgetc` returns.
    at: usize,
    /// `yytext`: characters read ahead and pushed back.
    text: Box<[i32; YYBUFSIZ + 2]>,
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
    last_tok: Last<K>,
    /// `yywordtab`: the current word table (`None`: no words at all).
    tab: Option<&'static Table<K>>,
    /// `yysavewords[..yysavedepth]`.
    saved: Vec<Option<&'static Table<K>>>,
    /// `yybreakondot`: a `.` ends a word (`level local0.info`).
    pub break_on_dot: bool,
    /// The bytes of the last UUID token.
    uuid: [u8; 16],
    /// `yystr`, kept only for the tokens whose text `yyerror()` quotes
    /// (strings and numbers); `yystr_set` says whether it is current.
    yystr: Yystr,
    /// The bytes of `yystr` when they are not a stretch of the file.
    yystr_buf: Vec<u8>,
    yystr_set: bool,
    /// The address of the last IPv6 token.
    ipv6: [u8; 16],
    /// `yylval.num`, which keeps its value when a scan fails.
    num: u32,
    /// `name = value;` definitions, newest first.
    vars: Vec<(Vec<u8>, Vec<u8>)>,
    /// For each [`Scan`], a stretch of the file `[start, end]` where a
    /// look-ahead scan that reaches the file can only fail.
    hopeless: [(usize, usize); 2],
    /// Whether what is read ahead is the one character that the file has
    /// before `at`, put back (`text[0]`, with a NUL after it), as
    /// [`Lexer::fast_lex`] leaves it.
    ahead_from_file: bool,
    /// What the C code writes to stderr while reading (variables).
    pub diagnostics: Vec<Vec<u8>>,
}

impl<'a, K: Copy + PartialEq + 'static> Lexer<'a, K> {
    /// A lexer over `input` with `words` as its table (`yysettab()`).
    pub fn new(input: &'a [u8], words: &'static Table<K>) -> Lexer<'a, K> {
        let text = Box::new([0; YYBUFSIZ + 2]);
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
            tab: Some(words),
            saved: Vec::new(),
            break_on_dot: false,
            uuid: [0; 16],
            yystr: Yystr::Buf,
            yystr_buf: Vec::new(),
            yystr_set: false,
            ipv6: [0; 16],
            num: 0,
            vars: Vec::new(),
            hopeless: [(1, 0); 2],
            ahead_from_file: false,
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
        let needed = match scan {
            Scan::Ipv6 => b':',
            Scan::Uuid => b'-',
        };
        if is_ch(c, needed) {
            return true;
        }
        if self.pos == self.last {
            return self.file_run_may_matter(self.at, scan);
        }
        self.scan_run(scan)
    }

    /// [`Lexer::scan_may_matter`] when nothing is read ahead: the run
    /// goes on in the file at `from`.
    #[inline]
    fn file_run_may_matter(&mut self, from: usize, scan: Scan) -> bool {
        let also = match scan {
            Scan::Ipv6 => CL_V6,
            Scan::Uuid => CL_UUID,
        };
        // Most tokens: the next byte of the file ends the run at once, or
        // the run is one found hopeless before.
        let (lo, hi) = self.hopeless[scan as usize];
        match self.input.get(from) {
            None => false,
            Some(&b) if b != b'\\' && CLASS[usize::from(b)] & also == 0 => false,
            Some(_) if lo <= from && from <= hi => false,
            Some(_) => self.file_run(from, 1, scan),
        }
    }

    /// The rest of [`Lexer::scan_may_matter`]: read the run, in the
    /// buffer and then in the file.
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
        self.file_run(self.at, n, scan)
    }

    /// The part of a look-ahead run that is in the file, from `from`,
    /// when `n` characters of it are already counted.
    #[inline(never)]
    fn file_run(&mut self, from: usize, n: usize, scan: Scan) -> bool {
        let (also, needed, limit) = match scan {
            Scan::Ipv6 => (CL_V6, b':', 46),
            Scan::Uuid => (CL_UUID, b'-', UUID_BUF),
        };
        let in_set = |x: i32| class(x) & also != 0;
        // Within a run known to end (at a byte outside the set, or the end
        // of the file) before any `needed` byte or backslash, a scan ends
        // there too, or sooner at `limit`: it fails.
        let memo = &mut self.hopeless[scan as usize];
        if memo.0 <= from && from <= memo.1 {
            return false;
        }
        let rest = self.input.get(from..).unwrap_or(&[]);
        // The scan reads at most `limit` characters, `n` of them read.
        let room = (limit + 1).saturating_sub(n);
        for (k, &b) in rest.iter().take(room).enumerate() {
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
        }
        if rest.len() > room {
            return false;
        }
        *memo = (from, from + rest.len());
        false
    }

    /// `yystr`.
    fn yystr(&self) -> &[u8] {
        match self.yystr {
            Yystr::File(a, b) => &self.input[a..b],
            Yystr::Buf => &self.yystr_buf,
        }
    }

    /// The text of the last token read, if it is a string ([`Tok::Str`]).
    pub fn text(&self) -> &[u8] {
        self.yystr()
    }

    /// The address of the last token read, if it is [`Tok::Ipv6`].
    pub fn ipv6(&self) -> [u8; 16] {
        self.ipv6
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
        self.yystr = Yystr::Buf;
        self.yystr_buf.clear();
        for &c in self.text.get(lo..hi).unwrap_or(&[]) {
            let b = (c & 0xff) as u8;
            if b == 0 {
                break;
            }
            self.yystr_buf.push(b);
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

    /// The common tokens, read straight from the file: a word, a decimal
    /// number, `->`, a comparison, a one-character token or a comment,
    /// after white space. The lexer is left exactly as the
    /// character-by-character scan of [`Lexer::lex`] leaves it (buffer,
    /// line count, look-ahead memo, `yystr`, `yytokentype`). `None` for
    /// any other token, once the white space before it is read; the scan
    /// then reads it.
    #[inline]
    fn fast_lex(&mut self) -> Option<Tok<K>> {
        let input = self.input;
        if !self.unread_pending() {
            return None;
        }
        let mut i = self.at;
        let mut lines = 0;
        while let Some(&b) = input.get(i) {
            if CLASS[usize::from(b)] & CL_SPACE == 0 {
                break;
            }
            lines += i32::from(b == b'\n');
            i += 1;
        }
        if i > self.at {
            // Each white space character went to text[0], ended by a NUL,
            // and was shifted out.
            self.set_t(0, i32::from(input[i - 1]));
            self.set_t(1, 0);
            self.line += lines;
            self.at = i;
            self.last = 0;
        }
        let start = self.at;
        let c = *input.get(start)?;
        // The most common first: numbers and words.
        let class = CLASS[usize::from(c)];
        let tok = if class & CL_DIGIT != 0 {
            let (n, v) = self.number_at::<true>(start)?;
            self.shift_read(start, n);
            self.number(start, n, v)
        } else if class & CL_ALPHA != 0 || (c == b'-' && self.expect_addr) {
            // In address mode a `-` starts a word (after a UUID look-ahead
            // that cannot succeed: a UUID starts with a hex digit).
            self.word_at(start)?
        } else {
            self.other_at(start)?
        };
        self.yystr_set = matches!(self.last_tok, Last::Number | Last::Hex | Last::Str);
        Some(tok)
    }

    /// A word from `start` of the file, for [`Lexer::fast_lex`].
    #[inline]
    fn word_at(&mut self, start: usize) -> Option<Tok<K>> {
        let input = self.input;
        let c = input[start];
        // A word that a dot may end (`yybreakondot`) is left to the scan.
        if self.break_on_dot || (c.is_ascii_hexdigit() && self.run_may_matter(start + 1)) {
            return None;
        }
        // `<` and `>` go on building a word in address mode, and end it
        // outside.
        let (goes_on, ends) = if self.expect_addr {
            (CL_WORD_GOES_ON | CL_ANGLE, CL_WORD_END)
        } else {
            (CL_WORD_GOES_ON, CL_WORD_END | CL_ANGLE)
        };
        // The characters go to the buffer as they are scanned (see
        // number_at()).
        self.text[0] = i32::from(c);
        let mut n = 1;
        loop {
            let b = *input.get(start + n)?;
            let class = CLASS[usize::from(b)];
            self.text[n] = i32::from(b);
            if class & goes_on == 0 {
                if class & ends == 0 {
                    // A quote, a backslash or a NUL.
                    return None;
                }
                self.text[n + 1] = 0;
                break;
            }
            n += 1;
            if n >= LONG {
                return None;
            }
        }
        self.shift_read(start, n);
        Some(self.word(start, n))
    }

    /// The other tokens [`Lexer::fast_lex`] reads, from `start`.
    fn other_at(&mut self, start: usize) -> Option<Tok<K>> {
        let input = self.input;
        let c = input[start];
        let next = input.get(start + 1).copied();
        Some(match c {
            b'-' if !self.expect_addr => {
                if next? == b'>' {
                    self.consume(start, 2, false);
                    self.word(start, 2)
                } else {
                    self.consume(start, 1, true);
                    self.last_tok = Last::Char(i32::from(c));
                    Tok::Char(c)
                }
            }
            b'=' | b',' | b'/' | b';' | b'{' | b'}' | b'(' | b')' | b'@' | b'.' => {
                self.consume(start, 1, false);
                self.last_tok = Last::Char(i32::from(c));
                Tok::Char(c)
            }
            b'!' => {
                if next? == b'=' {
                    self.consume(start, 2, false);
                    self.cmp(Cmp::Ne)
                } else {
                    self.consume(start, 1, true);
                    self.last_tok = Last::Char(i32::from(c));
                    Tok::Char(c)
                }
            }
            b'<' | b'>' if !self.expect_addr => {
                let lt = c == b'<';
                match next? {
                    b'=' => {
                        self.consume(start, 2, false);
                        self.cmp(if lt { Cmp::Le } else { Cmp::Ge })
                    }
                    b'>' if lt => {
                        self.consume(start, 2, false);
                        self.last_tok = Last::Unknown;
                        Tok::RangeOut
                    }
                    b'<' if !lt => {
                        self.consume(start, 2, false);
                        self.last_tok = Last::Unknown;
                        Tok::RangeIn
                    }
                    _ => {
                        self.consume(start, 1, true);
                        self.cmp(if lt { Cmp::Lt } else { Cmp::Gt })
                    }
                }
            }
            b'#' => {
                // swallow() up to the newline, which is put back.
                let rest = input.get(start..)?;
                let n = rest.iter().take(LONG).position(|&b| b == b'\n' || b == 0)?;
                if rest[n] != b'\n' {
                    return None;
                }
                self.consume(start, n, true);
                self.last_tok = Last::Unknown;
                Tok::Comment
            }
            _ => return None,
        })
    }

    /// Make the buffer empty, putting the character put back after the
    /// last token (if any) back into the file, where it came from: the
    /// same characters are read next. `false` when more is read ahead, or
    /// it did not come from there.
    #[inline]
    fn unread_pending(&mut self) -> bool {
        if self.ahead_from_file {
            self.ahead_from_file = false;
            self.at -= 1;
            self.last = 0;
            return true;
        }
        if self.pos != 0 {
            return false;
        }
        if self.last > 0 {
            if self.last != 1
                || self.at == 0
                || self.text[0] != i32::from(self.input[self.at - 1])
                || self.text[1] != 0
            {
                return false;
            }
            self.at -= 1;
            self.last = 0;
        }
        true
    }

    /// A decimal number token at `start` of the file: its length and
    /// value, if [`Lexer::fast_lex`] can read it.
    ///
    /// With `READ`, the digits and the character after them go to the
    /// buffer as they are scanned, as `yygetc()` puts them there, for the
    /// caller to read the token ([`Lexer::shift_read`]); when this gives
    /// `None`, the character-by-character scan that reads the token
    /// instead reads as far and writes over them. Without, nothing
    /// changes that anyone can see.
    #[inline]
    fn number_at<const READ: bool>(&mut self, start: usize) -> Option<(usize, u32)> {
        let input = self.input;
        let c = *input.get(start)?;
        if !c.is_ascii_digit() {
            return None;
        }
        if READ {
            self.text[0] = i32::from(c);
        }
        // scan_num() as the digits are read.
        let mut n = 1;
        let mut v = u64::from(c - b'0');
        let end = loop {
            match input.get(start + n) {
                Some(&d) if d.is_ascii_digit() => {
                    if n >= LONG {
                        return None;
                    }
                    if READ {
                        self.text[n] = i32::from(d);
                    }
                    v = v.saturating_mul(10).saturating_add(u64::from(d - b'0'));
                    n += 1;
                }
                None | Some(b'\\') => return None,
                Some(&b) => break b,
            }
        };
        if READ {
            self.text[n] = i32::from(end);
            self.text[n + 1] = 0;
        }
        if c == b'0' && n == 1 && end == b'x' {
            return None;
        }
        // The IPv6 and UUID look-aheads read the digits, and go on only
        // through hex digits and `:` and `.` (IPv6) or `-` (UUID).
        let may_matter = match end {
            b':' | b'-' => true,
            b'.' => self.file_run_may_matter(start + 1, Scan::Ipv6),
            b'a'..=b'f' | b'A'..=b'F' => self.run_may_matter(start + 1),
            _ => false,
        };
        if may_matter {
            return None;
        }
        Some((n, v as u32))
    }

    /// The number token just read: `len` digits at `start`, worth `v`.
    fn number(&mut self, start: usize, len: usize, v: u32) -> Tok<K> {
        self.yystr = Yystr::File(start, start + len);
        self.num = v;
        self.last_tok = Last::Number;
        Tok::Number(v)
    }

    /// The numbers of `N sep N sep N…` (`first`: of `sep N sep N…`) right
    /// ahead, read as the tokens they are (the separators, one-character
    /// tokens, and the numbers), when [`Lexer::fast_lex`] would read each
    /// of them: the end of a dotted quad (`.N.N.N`) or a mask length
    /// (`/N`) at once. `None`, with nothing read, for anything else.
    pub fn numbers<const N: usize>(&mut self, sep: u8, first: bool) -> Option<[u32; N]> {
        self.numbers_upto(sep, first, u32::MAX)
    }

    /// [`Lexer::numbers`], when none of them is over `max` (nothing is
    /// read otherwise).
    pub fn numbers_upto<const N: usize>(
        &mut self,
        sep: u8,
        first: bool,
        max: u32,
    ) -> Option<[u32; N]> {
        if !self.unread_pending() {
            return None;
        }
        let mut at = self.at;
        let mut nums = [(0, 0, 0); N];
        for (k, num) in nums.iter_mut().enumerate() {
            if k > 0 || first {
                if self.input.get(at) != Some(&sep) {
                    return None;
                }
                at += 1;
            }
            let (len, v) = self.number_at::<false>(at)?;
            if v > max {
                return None;
            }
            *num = (at, len, v);
            at += len;
        }
        // Each number writes over all that the separator before it leaves
        // in the buffer.
        for &(start, len, _) in &nums {
            self.consume(start, len, true);
        }
        let &(start, len, v) = nums.last()?;
        self.number(start, len, v);
        self.yystr_set = true;
        Some(nums.map(|n| n.2))
    }

    /// Whether the IPv6 or the UUID look-ahead from a hex digit, going on
    /// in the file at `from`, could matter ([`Lexer::scan_may_matter`]).
    #[inline]
    fn run_may_matter(&mut self, from: usize) -> bool {
        match self.input.get(from) {
            None => false,
            Some(&b) if b != b'\\' && CLASS[usize::from(b)] & (CL_V6 | CL_UUID) == 0 => false,
            Some(_) => {
                self.file_run_may_matter(from, Scan::Ipv6)
                    || self.file_run_may_matter(from, Scan::Uuid)
            }
        }
    }

    /// After a scan that put the `len` characters of a token from `start`
    /// and the one after it in the buffer: that one put back, and the
    /// buffer shifted ([`Lexer::consume`] with `ahead`, but for the
    /// copying).
    fn shift_read(&mut self, start: usize, len: usize) {
        self.text[0] = self.text[len];
        self.text[1] = 0;
        self.at = start + len + 1;
        self.pos = 0;
        self.last = 1;
        self.ahead_from_file = true;
    }

    /// What reading `len` characters of the file from `start` (and one
    /// more, put back, if `ahead`) and then shifting the buffer leaves in
    /// the empty buffer. None of them is a newline but the one put back.
    #[inline(always)]
    fn consume(&mut self, start: usize, len: usize, ahead: bool) {
        let read = len + usize::from(ahead);
        const W: usize = 16;
        let src: Option<&[u8; W]> = self
            .input
            .get(start..start + W)
            .and_then(|s| s.try_into().ok());
        let dst: Option<&mut [i32; W]> = self.text.get_mut(..W).and_then(|s| s.try_into().ok());
        match (src, dst) {
            // Most tokens: a copy of a fixed width (which the compiler
            // unrolls), of which the first `read` characters are taken.
            (Some(src), Some(dst)) if read < W => {
                for k in 0..W {
                    dst[k] = if k < read { i32::from(src[k]) } else { dst[k] };
                }
            }
            _ => {
                for (t, &b) in self.text.iter_mut().zip(&self.input[start..start + read]) {
                    *t = i32::from(b);
                }
            }
        }
        self.text[read] = 0;
        if ahead {
            self.text[0] = self.text[len];
            self.text[1] = 0;
        }
        self.at = start + read;
        self.pos = 0;
        self.last = isize::from(ahead);
        self.ahead_from_file = ahead;
    }

    /// A word of `len` characters of the file from `start`: a keyword,
    /// unless a variable's value is expected, or a string.
    fn word(&mut self, start: usize, len: usize) -> Tok<K> {
        self.yystr = Yystr::File(start, start + len);
        let word = if self.var_next {
            self.var_next = false;
            None
        } else {
            match self.tab {
                Some(t) => match t.find_at(self.input, start, len) {
                    None if !self.saved.is_empty() => self.find_below(start, len),
                    w => w,
                },
                None => None,
            }
        };
        self.word_token(word)
    }

    /// The token of a word: its keyword, or a string (`done:` of
    /// `yylex()`, which leaves the current table for a string).
    fn word_token(&mut self, word: Option<Word<K>>) -> Tok<K> {
        match word {
            Some(w) => self.keyword(w),
            None => {
                self.reset_dict();
                self.last_tok = Last::Str;
                Tok::Str
            }
        }
    }

    /// A word not in the current table: `yyresetdict()`, and the table
    /// below is searched.
    #[cold]
    fn find_below(&mut self, start: usize, len: usize) -> Option<Word<K>> {
        self.reset_dict();
        self.tab?.find_at(self.input, start, len)
    }

    /// `yysetdict()`: `dict` becomes the current table, the current one is
    /// kept below it.
    pub fn set_dict(&mut self, dict: Option<&'static Table<K>>) {
        if self.saved.len() == MAX_DICT_DEPTH {
            let m = format!("{}: at maximum dictionary depth\n", self.line);
            self.diag(m);
            return;
        }
        self.saved.push(std::mem::replace(&mut self.tab, dict));
    }

    /// `yyresetdict()`: back to the table below, if any.
    pub fn reset_dict(&mut self) {
        if let Some(t) = self.saved.pop() {
            self.tab = t;
        }
    }

    /// The bytes of the last [`Tok::Uuid`].
    pub fn uuid(&self) -> [u8; 16] {
        self.uuid
    }

    /// The token of a word of the table.
    fn keyword(&mut self, w: Word<K>) -> Tok<K> {
        match w {
            Word::Kw(k) => {
                self.last_tok = Last::Word(w);
                Tok::Kw(k)
            }
            Word::Cmp(k) => self.cmp(k),
            Word::Dash => {
                self.last_tok = Last::Char(i32::from(b'-'));
                Tok::Char(b'-')
            }
        }
    }

    fn cmp(&mut self, k: Cmp) -> Tok<K> {
        self.last_tok = Last::Word(Word::Cmp(k));
        Tok::Cmp(k)
    }

    /// A token longer than the buffer: the C code misbehaves (it loops or
    /// overwrites); xbow ends the input there, as for an unterminated quote.
    fn too_long(&mut self) -> Tok<K> {
        self.last_tok = Last::Char(-2);
        Tok::Eof
    }

    /// `yylex()`.
    pub fn lex(&mut self) -> Tok<K> {
        match self.fast_lex() {
            Some(tok) => tok,
            None => self.scan(),
        }
    }

    /// `yylex()`, character by character.
    #[inline(never)]
    fn scan(&mut self) -> Tok<K> {
        self.ahead_from_file = false;
        self.yystr_set = false;
        let mut isbuilding = false;
        let mut lnext = false;
        let mut nokey = false;
        // Variables expanded for this token.
        let mut expansions = 0;

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
                    self.break_on_dot = false;
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
            } else if is_ch(c, b'.') {
                if !isbuilding {
                    break 'done R::Char(c);
                }
                if self.break_on_dot {
                    self.unputc(c);
                    break 'done R::None;
                }
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
                    self.uuid = uuid_bytes(&buf);
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
        // yystr(), borrowing only the buffer.
        let input = self.input;
        let text = match self.yystr {
            Yystr::File(a, b) => &input[a..b],
            Yystr::Buf => &self.yystr_buf[..],
        };
        let mut word = None;
        let mut pop = false;
        if isbuilding {
            if !self.var_next && !nokey {
                word = self.tab.and_then(|t| t.find(text));
                if word.is_none()
                    && self.tab.is_some()
                    && let Some(&below) = self.saved.last()
                {
                    word = below.and_then(|t| t.find(text));
                    pop = true;
                }
            } else {
                self.var_next = false;
            }
        }
        if pop {
            self.reset_dict();
        }
        let tok = match (word, rval) {
            (Some(w), _) => self.keyword(w),
            (None, _) if isbuilding => self.word_token(None),
            (None, R::Str) => self.word_token(None),
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
                if let Some(n) = scan_num(self.yystr(), 10) {
                    self.num = n;
                }
                Tok::Number(self.num)
            }
            (None, R::Hex) => {
                self.last_tok = Last::Hex;
                if let Some(n) = self.yystr().get(2..).and_then(|d| scan_num(d, 16)) {
                    self.num = n;
                }
                Tok::Hex(self.num)
            }
            (None, R::Ipv6(a)) => {
                self.last_tok = Last::Unknown;
                self.ipv6 = a;
                Tok::Ipv6
            }
            (None, R::Uuid) => {
                self.last_tok = Last::Unknown;
                Tok::Uuid
            }
            (None, R::Cmp(k)) => self.cmp(k),
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
            Last::Number | Last::Hex | Last::Str if self.yystr_set => self.yystr().to_vec(),
            Last::Number | Last::Hex | Last::Str => self.texttostr(self.pos, YYBUFSIZ as isize),
            Last::Word(w) => self
                .tab
                .and_then(|t| t.word_of(w))
                .unwrap_or("<unknown>")
                .as_bytes()
                .to_vec(),
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
    use crate::ipnat::lexer::{Kw, WORDS};

    type Tok = super::Tok<Kw>;
    type Lexer<'a> = super::Lexer<'a, Kw>;

    fn new(input: &[u8]) -> Lexer<'_> {
        Lexer::new(input, &WORDS)
    }

    fn find_word(text: &[u8]) -> Option<Word<Kw>> {
        WORDS.find(text)
    }

    /// A token with its text or address.
    #[derive(Debug, PartialEq)]
    enum T {
        Tok(Tok),
        Str(Vec<u8>),
        Ipv6([u8; 16]),
    }

    impl From<Tok> for T {
        fn from(t: Tok) -> T {
            T::Tok(t)
        }
    }

    fn next(lx: &mut Lexer) -> T {
        match lx.lex() {
            Tok::Str => T::Str(lx.text().to_vec()),
            Tok::Ipv6 => T::Ipv6(lx.ipv6()),
            t => T::Tok(t),
        }
    }

    fn toks(s: &str) -> Vec<T> {
        let mut lx = new(s.as_bytes());
        let mut v = Vec::new();
        loop {
            let t = next(&mut lx);
            if t == T::Tok(Tok::Eof) {
                break;
            }
            v.push(t);
        }
        v
    }

    #[test]
    fn the_word_match_is_the_word_table() {
        for (i, (w, v)) in WORDS.words().iter().enumerate() {
            assert!(w.len() <= KEY_BYTES);
            let first = WORDS.words()[..i].iter().find(|(x, _)| x == w).map(|x| x.1);
            let want = Some(first.unwrap_or(*v));
            assert_eq!(find_word(w.as_bytes()), want, "{w}");
            assert_eq!(find_word(w.to_ascii_uppercase().as_bytes()), want, "{w}");
            let mut longer = w.as_bytes().to_vec();
            longer.push(b'x');
            let other = WORDS
                .words()
                .iter()
                .find(|(x, _)| x.as_bytes() == longer)
                .map(|x| x.1);
            assert_eq!(find_word(&longer), other);
            assert_eq!(
                find_word(&w.as_bytes()[1..]).is_some(),
                WORDS
                    .words()
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
                Tok::Kw(Kw::Map).into(),
                T::Str(b"le0".to_vec()),
                Tok::Number(10).into(),
                Tok::Char(b'.').into(),
                Tok::Number(0).into(),
                Tok::Char(b'.').into(),
                Tok::Number(0).into(),
                Tok::Char(b'.').into(),
                Tok::Number(5).into(),
                Tok::Char(b'/').into(),
                Tok::Hex(0xff).into(),
                Tok::Kw(Kw::Tlate).into(),
                Tok::Number(0).into(),
                Tok::Char(b'/').into(),
                Tok::Number(32).into(),
                Tok::Kw(Kw::Portmap).into(),
                Tok::Kw(Kw::Tcp).into(),
                Tok::Char(b'/').into(),
                Tok::Kw(Kw::Udp).into(),
                Tok::Number(10000).into(),
                Tok::Char(b':').into(),
                Tok::Number(19999).into(),
            ]
        );
        assert_eq!(
            toks("MAP-Block x != <= >= < > <> >< # c\n"),
            vec![
                Tok::Kw(Kw::MapBlock).into(),
                T::Str(b"x".to_vec()),
                Tok::Cmp(Cmp::Ne).into(),
                Tok::Cmp(Cmp::Le).into(),
                Tok::Cmp(Cmp::Ge).into(),
                Tok::Cmp(Cmp::Lt).into(),
                Tok::Cmp(Cmp::Gt).into(),
                Tok::RangeOut.into(),
                Tok::RangeIn.into(),
                Tok::Comment.into(),
            ]
        );
    }

    #[test]
    fn ipv6_uuid_and_quotes() {
        let mut a = [0u8; 16];
        a[15] = 1;
        assert_eq!(toks("::1"), vec![T::Ipv6(a)]);
        assert_eq!(
            toks("2426e38c-9f63-c0b8-cfd5-9aaeaf992d42"),
            vec![Tok::Uuid.into()]
        );
        assert_eq!(
            toks("\"map\" 'a b'"),
            vec![T::Str(b"map".to_vec()), T::Str(b"a b".to_vec())]
        );
    }

    #[test]
    fn line_numbers_and_error_text() {
        let mut lx = new(b"map\n\nle0 ->");
        assert_eq!(lx.lex(), Tok::Kw(Kw::Map));
        assert_eq!(lx.line, 1);
        assert_eq!(next(&mut lx), T::Str(b"le0".to_vec()));
        assert_eq!(lx.line, 3);
        assert_eq!(lx.error_text(), b"le0");
        assert_eq!(lx.lex(), Tok::Kw(Kw::Tlate));
        assert_eq!(lx.error_text(), b"->");
        assert_eq!(lx.lex(), Tok::Eof);
        assert_eq!((lx.line, lx.error_text()), (1, Vec::new()));
    }

    #[test]
    fn expecting_an_address_keeps_dashes_in_words() {
        let mut lx = new(b"a-b - ");
        lx.expect_addr = true;
        assert_eq!(next(&mut lx), T::Str(b"a-b".to_vec()));
        assert_eq!(lx.lex(), Tok::Char(b'-'));
        let mut lx = new(b"1-2");
        assert_eq!(lx.lex(), Tok::Number(1));
        assert_eq!(lx.lex(), Tok::Char(b'-'));
    }

    /// What a lexer shows, or keeps for the tokens after (all but the
    /// look-ahead memo, which only saves work).
    #[derive(Debug, PartialEq)]
    struct Seen<'l> {
        text: &'l [i32],
        pos: isize,
        last: isize,
        at: usize,
        line: i32,
        yystr: &'l [u8],
        yystr_set: bool,
        last_tok: Last<Kw>,
        num: u32,
        ipv6: [u8; 16],
        expect_addr: bool,
        var_next: bool,
        diagnostics: &'l [Vec<u8>],
        error_text: Vec<u8>,
        more_input: bool,
    }

    fn seen<'l>(lx: &'l Lexer) -> Seen<'l> {
        Seen {
            // Tokens here are short: the buffer is not written further.
            text: &lx.text[..512],
            pos: lx.pos,
            last: lx.last,
            at: lx.at,
            line: lx.line,
            yystr: lx.yystr(),
            yystr_set: lx.yystr_set,
            last_tok: lx.last_tok,
            num: lx.num,
            ipv6: lx.ipv6,
            expect_addr: lx.expect_addr,
            var_next: lx.var_next,
            diagnostics: &lx.diagnostics,
            error_text: lx.error_text(),
            more_input: lx.more_input(),
        }
    }

    /// Pieces of `ipnat.conf` text, and the odd bytes the lexer must get
    /// right, to put together at random.
    const PIECES: &[&str] = &[
        "map",
        "bimap",
        "rdr",
        "map-block",
        "from",
        "to",
        "any",
        "port",
        "portmap",
        "proxy",
        "tcp",
        "udp",
        "tcp/udp",
        "auto",
        "icmpidmap",
        "range",
        "mask",
        "round-robin",
        "eq",
        "ge",
        "->",
        "-",
        "=",
        ",",
        "/",
        ";",
        ".",
        ":",
        "!",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "<>",
        "><",
        "{",
        "@",
        "0",
        "10",
        "255",
        "65536",
        "99999999999",
        "0x1f",
        "0x",
        "012",
        "10.1.2.3",
        "10.0.0.0/24",
        "0/32",
        "1.2.3.400",
        "10.1.2.3:80",
        "1-2",
        "2001:db8::1",
        "::1",
        "1:2",
        "abc:",
        "2426e38c-9f63-c0b8-cfd5-9aaeaf992d42",
        "ab-cd",
        "le0",
        "eri0",
        "face",
        "a-b",
        "ab.cd",
        "x_y",
        "<thishost>",
        "MAP",
        "Tcp",
        "'x y'",
        "\"le0\"",
        "'",
        "\"",
        "\"abc\"",
        "$v",
        "${v}",
        "$v\"",
        "$v'x'",
        "$$",
        "$",
        "# c",
        "#",
        "\\",
        "\\\n",
        "\0",
        "\u{ff}",
        "\x1e",
        "\t",
        "\r",
        "\n",
        " ",
        "abcdefghijk",
        "1:2:3:4:5:6:7:8:9:a:b:c:d:e:f:1:2:3:4:5:6:7:8:9",
        "0123456789abcdef0123456789abcdef0123456789abcdef0123",
        "0123456789012345678901234567890123456789012345:",
        "012345678901234567890123456789012345-",
    ];

    /// xorshift64, for inputs that are the same on every run.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    #[test]
    fn reading_straight_from_the_file_is_the_character_scan() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..3000 {
            let mut input = Vec::new();
            for _ in 0..r.below(40) {
                input.extend_from_slice(PIECES[r.below(PIECES.len())].as_bytes());
                input.extend_from_slice([&b""[..], b" ", b" ", b"\n"][r.below(4)]);
            }
            // `fast` reads as lex() does; `slow` only ever scans.
            let mut fast = new(&input);
            let mut slow = new(&input);
            for lx in [&mut fast, &mut slow] {
                lx.set_variable(b"v", b"le0");
            }
            for _ in 0..200 {
                let (addr, var) = (r.below(3) == 0, r.below(5) == 0);
                for lx in [&mut fast, &mut slow] {
                    lx.expect_addr = addr;
                    lx.var_next = var;
                }
                let (sep, first) = [(b'.', false), (b'.', true), (b'/', true)][r.below(3)];
                let numbers = match r.below(4) {
                    0 => fast.numbers::<3>(sep, first).map(|n| n.to_vec()),
                    1 => fast.numbers::<1>(sep, first).map(|n| n.to_vec()),
                    _ => None,
                };
                let (a, b) = match numbers {
                    Some(numbers) => {
                        // The same tokens, one by one.
                        let mut scanned = Vec::new();
                        for _ in 0..2 * numbers.len() - usize::from(!first) {
                            match slow.scan() {
                                Tok::Number(n) => scanned.push(n),
                                t => assert_eq!(t, Tok::Char(sep), "{input:?}"),
                            }
                        }
                        assert_eq!(numbers, scanned, "{input:?}");
                        (Tok::Eof, Tok::Eof)
                    }
                    None => (fast.lex(), slow.scan()),
                };
                assert_eq!(a, b, "{input:?}");
                assert_eq!(seen(&fast), seen(&slow), "{input:?}");
                if a == Tok::Eof && !fast.more_input() {
                    break;
                }
            }
        }
    }

    #[test]
    fn a_word_ending_the_input_is_lost_as_in_illumos() {
        assert_eq!(
            toks("map le0 tcp"),
            vec![Tok::Kw(Kw::Map).into(), T::Str(b"le0".to_vec())]
        );
        assert_eq!(
            toks("map 32"),
            vec![Tok::Kw(Kw::Map).into(), Tok::Number(32).into()]
        );
    }

    #[test]
    fn a_value_read_again_as_itself_stops() {
        // `$$` makes a literal `$` (and, as bcopy() moves no NUL, doubles
        // the last byte): `$a` gives `$a--`, whose `$a` illumos expands
        // again, forever (found by the fuzzer as `ma="$$ma\xf2>";$ma`).
        let mut lx = new(b"$a ${a}\n");
        lx.set_variable(b"a", b"$$a-");
        let word = [b"$a".as_slice(), &[b'-'; 128]].concat();
        assert_eq!(next(&mut lx), T::Str(word.clone()));
        assert_eq!(next(&mut lx), T::Str(word));
        assert_eq!(lx.lex(), Tok::Eof);
        assert_eq!(
            lx.diagnostics,
            vec![b"1: variable 'a' refers to itself\n".to_vec(); 2]
        );
        // A chain that ends is expanded.
        let mut lx = new(b"$a\n");
        lx.set_variable(b"a", b"$$b-");
        lx.set_variable(b"b", b"x");
        assert_eq!(next(&mut lx), T::Str(b"x--".to_vec()));
        assert!(lx.diagnostics.is_empty());
    }

    #[test]
    fn variables() {
        let mut lx = new(b"$ext ${ext}x $nope\n");
        lx.set_variable(b"ext", b"\"hme0\"");
        assert_eq!(next(&mut lx), T::Str(b"hme0".to_vec()));
        assert_eq!(next(&mut lx), T::Str(b"hme0x".to_vec()));
        assert_eq!(next(&mut lx), T::Str(b"$nope".to_vec()));
        assert_eq!(
            lx.diagnostics,
            vec![b"1: unknown variable 'nope'\n".to_vec()]
        );
    }
}
