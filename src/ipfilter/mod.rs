//! What the IP Filter tools (`ipnat`, `ipf`, `ipfstat`) share: the
//! tokenizer of their configuration languages.

pub mod lexer;
pub mod print;
pub mod types;
