//! What the IP Filter tools (`ipnat`, `ipf`, `ipfstat`) share: the
//! tokenizer of their configuration languages, its error message, the
//! value types of their rules, host lookups and printing helpers.

pub mod lexer;
pub mod print;
pub mod types;

use crate::backend::netdb::Netdb;
use std::net::Ipv4Addr;
use types::I6Addr;

/// A parse error, printed as `yyerror()` prints it (then `ipnat` exits 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{msg} error at \"{}\", line {line}", String::from_utf8_lossy(.token))]
pub struct ParseError {
    /// `syntax error`, or a grammar message such as `invalid port number`.
    pub msg: String,
    /// The current token's text.
    pub token: Vec<u8>,
    /// The lexer's current line.
    pub line: i32,
}

impl ParseError {
    /// The exact bytes `yyerror()` writes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = format!("{} error at \"", self.msg).into_bytes();
        b.extend_from_slice(&self.token);
        b.extend_from_slice(format!("\", line {}\n", self.line).as_bytes());
        b
    }
}

/// `gethost()` of the IP Filter library: `test.host.dots` (the regression
/// tests' fixed name), `<thishost>`, else the name databases.
pub fn gethost(db: &dyn Netdb, name: &[u8], v6: bool) -> Option<I6Addr> {
    if name == b"test.host.dots" {
        return Some(I6Addr::from_v4(Ipv4Addr::from(0xfedc_ba98u32)));
    }
    let name = if name == b"<thishost>" {
        db.hostname()
    } else {
        name.to_vec()
    };
    let b = db.host(&name, v6)?;
    let mut a = I6Addr::ZERO;
    let n = b.len().min(16);
    a.0[..n].copy_from_slice(&b[..n]);
    Some(a)
}

/// `ntomask()`.
pub fn ntomask(v: u8, n: u32) -> Option<I6Addr> {
    let n = i32::try_from(n).ok()?;
    match v {
        4 if n <= 32 => {
            let mut m = I6Addr::ZERO;
            m.set_word0(if n == 0 { 0 } else { u32::MAX << (32 - n) });
            Some(m)
        }
        6 if n <= 128 => {
            let bits: u128 = if n == 0 { 0 } else { u128::MAX << (128 - n) };
            Some(I6Addr(bits.to_be_bytes()))
        }
        _ => None,
    }
}

/// The closing message of an `--atomic` load that failed and was undone
/// (xbow's own, shared by `ipnat` and `ipf`): rule `number` (line `line`)
/// was not `done`, why, and what became of the `k` rules before it
/// (`clean`: all of them were `undo`ne).
pub fn atomic_failure(
    prog: &str,
    (number, line): (usize, i32),
    error: &dyn std::fmt::Display,
    (done, undo): (&str, &str),
    k: usize,
    clean: bool,
) -> String {
    let before = match (k, clean) {
        (0, _) => String::new(),
        (1, true) => format!("; the rule {done} before it was {undo}"),
        (_, true) => format!("; the {k} rules {done} before it were {undo}"),
        (_, false) => format!("; the {k} rules {done} before it could not all be {undo}"),
    };
    let nothing = if clean {
        format!(", nothing was {done}")
    } else {
        String::new()
    };
    format!("{prog}: rule {number} (line {line}) was not {done}: {error}{before}{nothing}\n")
}
