//! The `ipf` personality's foundation: illumos IP Filter's packet filter
//! rules — the rule model ([`FilterRule`], a `frentry_t`), the `ipf.conf`
//! grammar ([`parser`], `ipf_y.y`) and the rule printer ([`print`],
//! `printfr()`).

pub mod cli;
pub mod parser;
pub mod print;
pub mod rule;
pub mod stat;
pub mod words;

pub use cli::main;
pub use parser::{Event, Options, ParsedRule, parse};
pub use rule::FilterRule;

use std::fmt;
use std::str::FromStr;

/// Why a text is not one filter rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpfError {
    /// The text does not parse, as `ipf` reports it.
    #[error("{0}")]
    Parse(#[from] parser::Error),
    /// Not exactly one rule (a list such as `from (a,b)` makes several).
    #[error("expected one filter rule, found {0}")]
    RuleCount(usize),
}

/// One rule of `ipf.conf` text (IPv4, names resolved with the system's
/// databases).
impl FromStr for FilterRule {
    type Err = IpfError;

    fn from_str(s: &str) -> Result<FilterRule, IpfError> {
        let db = crate::backend::system_netdb();
        let mut rules = Vec::new();
        let line = format!("{}\n", s.trim_end_matches('\n'));
        parse(line.as_bytes(), Options::default(), db.as_ref(), &mut |e| {
            if let Event::Rule(r) = e {
                rules.push(r.rule);
            }
        })?;
        match rules.len() {
            1 => Ok(rules.remove(0)),
            n => Err(IpfError::RuleCount(n)),
        }
    }
}

/// The rule as `ipf -v` prints it, without the newline.
impl fmt::Display for FilterRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let db = crate::backend::system_netdb();
        let mut o = crate::ipfilter::print::Out::default();
        print::printfr(&mut o, db.as_ref(), self, &print::PrintOpts::default());
        let text = String::from_utf8_lossy(&o.out);
        f.write_str(text.strip_suffix('\n').unwrap_or(&text))
    }
}
