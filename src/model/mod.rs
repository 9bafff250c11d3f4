//! One type per concept, parsed once at the edge.

pub mod bandwidth;
pub mod cnum;
pub mod ipnet;
pub mod link;
pub mod link_name;
pub mod linkprop;
pub mod mac;
pub mod propcheck;
pub mod proptable;
pub mod stats;
pub mod status;
pub mod svc;
pub mod zone;
