//! The system's name databases, as illumos `ipnat` sees them.

use crate::backend::netdb::{Netdb, resolve};
use crate::sys::netdb as sys;

/// The services, protocols and hosts databases of the name services.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemNetdb;

impl Netdb for SystemNetdb {
    fn serv_by_name(&self, name: &[u8], proto: Option<&str>) -> Option<u16> {
        sys::serv_by_name(name, proto)
    }

    fn serv_by_port(&self, port: u16, proto: &str) -> Option<String> {
        sys::serv_by_port(port, proto)
    }

    fn proto_by_name(&self, name: &[u8]) -> Option<i32> {
        sys::proto_by_name(name)
    }

    fn proto_by_number(&self, p: i32) -> Option<String> {
        sys::proto_by_number(p)
    }

    fn host(&self, name: &[u8], v6: bool) -> Option<Vec<u8>> {
        resolve(name, v6)
    }

    fn hostname(&self) -> Vec<u8> {
        sys::hostname().unwrap_or_default()
    }
}
