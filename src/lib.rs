//! xbow: Crossbow network virtualization for illumos (and a simulation of
//! it everywhere else), compatible with the tools it replaces.

pub mod backend;
pub mod cli;
pub mod dladm;
pub mod dlstat;
pub mod getopt;
pub mod ipf;
pub mod ipfilter;
pub mod ipnat;
pub mod model;
pub mod net;
pub mod ofmt;
mod sys;
