//! illumos: libdladm and libkstat, loaded at run time with `dlopen` so
//! that one binary runs on every illumos generation (and refuses, with a
//! message, the ones it does not know), and the IP Filter devices
//! (`ipnat`, `ipf`). The only `unsafe` of the backends lives here.

mod cstr;
mod handle;
pub mod ipf;
pub mod ipnat;
mod kstat;
mod symbols;

pub use handle::{CreateError, Dladm, OpenError, status_text};
pub use kstat::{KstatError, link_stat, link_stats};
