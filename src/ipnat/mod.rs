//! The `ipnat` personality: illumos `ipnat(8)` — the `ipnat.conf` grammar,
//! the rule and session printers, and the command line — over the NAT
//! backend (`crate::backend::nat`).

pub mod abi;
pub mod cli;
pub mod lexer;
pub mod load;
pub mod parser;
pub mod print;
pub mod rule;
pub mod session;

pub use cli::main;
pub use parser::{Event, ParseError, ParsedRule, parse};
pub use rule::NatRule;

use std::fmt;
use std::str::FromStr;

/// Why `xbow ipnat` could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpnatError {
    /// The rule text does not parse, as `yyerror()` reports it.
    #[error("{0}")]
    Parse(#[from] ParseError),
    /// Not exactly one rule in a text parsed as one rule.
    #[error("expected one NAT rule, found {0}")]
    RuleCount(usize),
}

/// One rule of `ipnat.conf` text, as one line of the file (names
/// resolved with the system's databases).
impl FromStr for NatRule {
    type Err = IpnatError;

    fn from_str(s: &str) -> Result<NatRule, IpnatError> {
        let db = crate::backend::system_netdb();
        let mut rules = Vec::new();
        // One line of a file: the lexer drops a last word with no newline.
        let line = format!("{}\n", s.trim_end_matches('\n'));
        parse(line.as_bytes(), db.as_ref(), &mut |e| {
            if let Event::Rule(r) = e {
                rules.push(r.rule);
            }
        })?;
        match rules.len() {
            1 => Ok(rules.remove(0)),
            n => Err(IpnatError::RuleCount(n)),
        }
    }
}

/// The rule as `ipnat -l` prints it, without the newline.
impl fmt::Display for NatRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = crate::backend::system_netdb();
        let mut o = print::Out::default();
        print::printnat(
            &mut o,
            db.as_ref(),
            self,
            &rule::RuleCounters::default(),
            false,
        );
        let text = String::from_utf8_lossy(&o.out);
        f.write_str(text.strip_suffix('\n').unwrap_or(&text))
    }
}
