//! illumos: libdladm and libkstat, loaded at run time with `dlopen` so
//! that one binary runs on every illumos generation (and refuses, with a
//! message, the ones it does not know). The only `unsafe` of the backend
//! lives here.

mod cstr;
mod handle;
mod kstat;
mod symbols;

pub use handle::{CreateError, Dladm, OpenError, status_text};
pub use kstat::link_stat;
