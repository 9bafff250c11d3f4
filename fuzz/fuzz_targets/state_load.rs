//! Any bytes as a sim state file: loading it either fails with an error or
//! gives a state every read-only walk goes through (dladm's show
//! commands, the NAT table, interfaces, addresses, zones), with no panic
//! and no hang.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| xbow_fuzz::load_and_walk(data));
