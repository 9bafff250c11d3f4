//! The sim's name databases: the stock illumos `/etc/services` and
//! `/etc/protocols`, so that rules print the same bytes on every host.

use crate::backend::netdb::{Netdb, resolve};
use std::sync::OnceLock;

/// illumos `usr/src/cmd/cmd-inet/etc/services` (illumos-gate commit
/// 2817066388ca0763ec573e049af64fe4da218f91), in file order: name, port,
/// protocol, aliases.
static SERVICES: &[(&str, u16, &str, &[&str])] = &[
    ("tcpmux", 1, "tcp", &[]),
    ("echo", 7, "tcp", &[]),
    ("echo", 7, "udp", &[]),
    ("discard", 9, "tcp", &["sink", "null"]),
    ("discard", 9, "udp", &["sink", "null"]),
    ("systat", 11, "tcp", &["users"]),
    ("daytime", 13, "tcp", &[]),
    ("daytime", 13, "udp", &[]),
    ("netstat", 15, "tcp", &[]),
    ("qotd", 17, "tcp", &[]),
    ("chargen", 19, "tcp", &["ttytst", "source"]),
    ("chargen", 19, "udp", &["ttytst", "source"]),
    ("ftp-data", 20, "tcp", &[]),
    ("ftp", 21, "tcp", &[]),
    ("ftp", 21, "sctp", &[]),
    ("ssh", 22, "tcp", &[]),
    ("ssh", 22, "sctp", &[]),
    ("telnet", 23, "tcp", &[]),
    ("smtp", 25, "tcp", &["mail"]),
    ("time", 37, "tcp", &["timserver"]),
    ("time", 37, "udp", &["timserver"]),
    ("rlp", 39, "tcp", &[]),
    ("rlp", 39, "udp", &[]),
    ("name", 42, "udp", &["nameserver"]),
    ("whois", 43, "tcp", &["nicname"]),
    ("tacacs", 49, "tcp", &[]),
    ("tacacs", 49, "udp", &[]),
    ("domain", 53, "udp", &[]),
    ("domain", 53, "tcp", &[]),
    ("tacacs-ds", 65, "tcp", &[]),
    ("tacacs-ds", 65, "udp", &[]),
    ("bootps", 67, "udp", &[]),
    ("bootpc", 68, "udp", &[]),
    ("http", 80, "tcp", &["www", "www-http"]),
    ("http", 80, "udp", &["www", "www-http"]),
    ("http", 80, "sctp", &[]),
    ("kerberos", 88, "udp", &["kdc"]),
    ("kerberos", 88, "tcp", &["kdc"]),
    ("hostnames", 101, "tcp", &["hostname"]),
    ("pop2", 109, "tcp", &["pop-2"]),
    ("pop3", 110, "tcp", &[]),
    ("sunrpc", 111, "udp", &["rpcbind"]),
    ("sunrpc", 111, "tcp", &["rpcbind"]),
    ("sftp", 115, "tcp", &[]),
    ("imap", 143, "tcp", &["imap2"]),
    ("bgp", 179, "tcp", &[]),
    ("bgp", 179, "udp", &[]),
    ("bgp", 179, "sctp", &[]),
    ("irc", 194, "tcp", &[]),
    ("irc", 194, "udp", &[]),
    ("smux", 199, "tcp", &[]),
    ("smux", 199, "udp", &[]),
    ("imap3", 220, "tcp", &[]),
    ("imap3", 220, "udp", &[]),
    ("clearcase", 371, "tcp", &[]),
    ("clearcase", 371, "udp", &[]),
    ("ldap", 389, "tcp", &[]),
    ("ldap", 389, "udp", &[]),
    ("https", 443, "tcp", &[]),
    ("https", 443, "udp", &[]),
    ("https", 443, "sctp", &[]),
    ("kpasswd", 464, "tcp", &[]),
    ("kpasswd", 464, "udp", &[]),
    ("dhcpv6-client", 546, "udp", &["dhcpv6c"]),
    ("dhcpv6-client", 546, "tcp", &[]),
    ("dhcpv6-server", 547, "udp", &["dhcpv6s"]),
    ("dhcpv6-server", 547, "tcp", &[]),
    ("rtsp", 554, "tcp", &[]),
    ("rtsp", 554, "udp", &[]),
    ("nntps", 563, "tcp", &["snntp"]),
    ("nntps", 563, "udp", &["snntp"]),
    ("submission", 587, "tcp", &[]),
    ("submission", 587, "udp", &[]),
    ("ipp", 631, "tcp", &[]),
    ("ipp", 631, "udp", &[]),
    ("ldaps", 636, "tcp", &[]),
    ("ldaps", 636, "udp", &[]),
    ("silc", 706, "tcp", &[]),
    ("silc", 706, "udp", &[]),
    ("iscsi", 860, "tcp", &[]),
    ("iscsi", 860, "udp", &[]),
    ("rsync", 873, "tcp", &[]),
    ("rsync", 873, "udp", &[]),
    ("ftps-data", 989, "tcp", &[]),
    ("ftps-data", 989, "udp", &[]),
    ("ftps", 990, "tcp", &[]),
    ("ftps", 990, "udp", &[]),
    ("imaps", 993, "tcp", &[]),
    ("imaps", 993, "udp", &[]),
    ("pop3s", 995, "tcp", &[]),
    ("pop3s", 995, "udp", &[]),
    ("socks", 1080, "tcp", &[]),
    ("socks", 1080, "udp", &[]),
    ("openvpn", 1194, "tcp", &[]),
    ("openvpn", 1194, "udp", &[]),
    ("icap", 1344, "tcp", &[]),
    ("wins", 1512, "tcp", &[]),
    ("wins", 1512, "udp", &[]),
    ("radius", 1812, "tcp", &[]),
    ("radius", 1812, "udp", &[]),
    ("radius-acct", 1813, "tcp", &[]),
    ("radius-acct", 1813, "udp", &[]),
    ("cvspserver", 2401, "tcp", &[]),
    ("icpv2", 3130, "tcp", &[]),
    ("icpv2", 3130, "udp", &[]),
    ("iscsi-target", 3260, "tcp", &[]),
    ("iscsi-target", 3260, "udp", &[]),
    ("mysql", 3306, "tcp", &[]),
    ("mysql", 3306, "udp", &[]),
    ("nut", 3493, "tcp", &[]),
    ("svn", 3690, "tcp", &[]),
    ("svn", 3690, "udp", &[]),
    ("epmd", 4369, "tcp", &[]),
    ("epmd", 4369, "udp", &[]),
    ("sip", 5060, "tcp", &[]),
    ("sip", 5060, "udp", &[]),
    ("sip-tls", 5061, "tcp", &[]),
    ("sip-tls", 5061, "udp", &[]),
    ("xmpp-client", 5222, "tcp", &[]),
    ("xmpp-server", 5269, "tcp", &[]),
    ("postgresql", 5432, "tcp", &["postgres"]),
    ("postgresql", 5432, "udp", &["postgres"]),
    ("http-alt", 8080, "tcp", &["webcache"]),
    ("http-alt", 8080, "udp", &[]),
    ("memcache", 11211, "tcp", &[]),
    ("memcache", 11211, "udp", &[]),
    ("tftp", 69, "udp", &[]),
    ("rje", 77, "tcp", &[]),
    ("finger", 79, "tcp", &[]),
    ("link", 87, "tcp", &["ttylink"]),
    ("supdup", 95, "tcp", &[]),
    ("iso-tsap", 102, "tcp", &[]),
    ("x400", 103, "tcp", &[]),
    ("x400-snd", 104, "tcp", &[]),
    ("csnet-ns", 105, "tcp", &[]),
    ("uucp-path", 117, "tcp", &[]),
    ("nntp", 119, "tcp", &["usenet"]),
    ("ntp", 123, "tcp", &[]),
    ("ntp", 123, "udp", &[]),
    ("netbios-ns", 137, "tcp", &[]),
    ("netbios-ns", 137, "udp", &[]),
    ("netbios-dgm", 138, "tcp", &[]),
    ("netbios-dgm", 138, "udp", &[]),
    ("netbios-ssn", 139, "tcp", &[]),
    ("netbios-ssn", 139, "udp", &[]),
    ("NeWS", 144, "tcp", &["news"]),
    ("snmpd", 161, "udp", &["snmp"]),
    ("slp", 427, "tcp", &["slp"]),
    ("slp", 427, "udp", &["slp"]),
    ("mobile-ip", 434, "udp", &["mobile-ip"]),
    ("cvc_hostd", 442, "tcp", &[]),
    ("microsoft-ds", 445, "tcp", &[]),
    ("microsoft-ds", 445, "udp", &[]),
    ("ike", 500, "udp", &["ike"]),
    ("uuidgen", 697, "tcp", &[]),
    ("uuidgen", 697, "udp", &[]),
    ("rdc", 121, "tcp", &[]),
    ("exec", 512, "tcp", &[]),
    ("login", 513, "tcp", &[]),
    ("shell", 514, "tcp", &["cmd"]),
    ("printer", 515, "tcp", &["spooler"]),
    ("courier", 530, "tcp", &["rpc"]),
    ("uucp", 540, "tcp", &["uucpd"]),
    ("biff", 512, "udp", &["comsat"]),
    ("who", 513, "udp", &["whod"]),
    ("syslog", 514, "udp", &[]),
    ("talk", 517, "udp", &[]),
    ("route", 520, "udp", &["router", "routed"]),
    ("ripng", 521, "udp", &[]),
    ("klogin", 543, "tcp", &[]),
    ("kshell", 544, "tcp", &["cmd"]),
    ("new-rwho", 550, "udp", &["new-who"]),
    ("rmonitor", 560, "udp", &["rmonitord"]),
    ("monitor", 561, "udp", &[]),
    ("pcserver", 600, "tcp", &[]),
    ("sun-dr", 665, "tcp", &[]),
    ("kerberos-adm", 749, "tcp", &[]),
    ("kerberos-adm", 749, "udp", &[]),
    ("kerberos-iv", 750, "udp", &[]),
    ("krb5_prop", 754, "tcp", &[]),
    ("swat", 901, "tcp", &[]),
    ("ufsd", 1008, "tcp", &["ufsd"]),
    ("ufsd", 1008, "udp", &["ufsd"]),
    ("portolan", 1296, "tcp", &[]),
    ("svp-underlay", 1339, "tcp", &[]),
    ("cvc", 1495, "tcp", &[]),
    ("ingreslock", 1524, "tcp", &[]),
    ("www-ldap-gw", 1760, "tcp", &[]),
    ("www-ldap-gw", 1760, "udp", &[]),
    ("listen", 2766, "tcp", &[]),
    ("nfsd", 2049, "udp", &["nfs"]),
    ("nfsd", 2049, "tcp", &["nfs"]),
    ("nfsd", 2049, "sctp", &["nfs"]),
    ("eklogin", 2105, "tcp", &[]),
    ("lockd", 4045, "udp", &[]),
    ("lockd", 4045, "tcp", &[]),
    ("ipsec-nat-t", 4500, "udp", &[]),
    ("mdns", 5353, "udp", &[]),
    ("mdns", 5353, "tcp", &[]),
    ("vnc-server", 5900, "tcp", &[]),
    ("dtspc", 6112, "tcp", &[]),
    ("servicetag", 6481, "udp", &[]),
    ("servicetag", 6481, "tcp", &[]),
    ("fs", 7100, "tcp", &[]),
    ("solaris-audit", 16162, "tcp", &[]),
    ("wnn6", 22273, "tcp", &[]),
    ("wnn6", 22273, "udp", &[]),
];

/// illumos `usr/src/cmd/cmd-inet/etc/protocols` (illumos-gate commit
/// 7c478bd95313f5f23a4c958a745db2134aa03244), in file order: name,
/// number, aliases.
static PROTOCOLS: &[(&str, i32, &[&str])] = &[
    ("ip", 0, &["IP"]),
    ("icmp", 1, &["ICMP"]),
    ("igmp", 2, &["IGMP"]),
    ("ggp", 3, &["GGP"]),
    ("ipip", 4, &["IP-IP"]),
    ("tcp", 6, &["TCP"]),
    ("cbt", 7, &["CBT"]),
    ("egp", 8, &["EGP"]),
    ("igp", 9, &["IGP"]),
    ("pup", 12, &["PUP"]),
    ("udp", 17, &["UDP"]),
    ("mux", 18, &["MUX"]),
    ("hmp", 20, &["HMP"]),
    ("xns-idp", 22, &["XNS-IDP"]),
    ("rdp", 27, &["RDP"]),
    ("idpr", 35, &["IDPR"]),
    ("idpr-cmtp", 38, &["IDPR-CMTP"]),
    ("sdrp", 42, &["SDRP"]),
    ("idrp", 45, &["IDRP"]),
    ("rsvp", 46, &["RSVP"]),
    ("gre", 47, &["GRE"]),
    ("esp", 50, &["ESP"]),
    ("ah", 51, &["AH"]),
    ("mobile", 55, &["MOBILE"]),
    ("ospf", 89, &["OSPFIGP"]),
    ("pim", 103, &["PIM"]),
    ("ipcomp", 108, &["IPComp"]),
    ("vrrp", 112, &["VRRP"]),
    ("sctp", 132, &["SCTP"]),
    ("hopopt", 0, &["HOPOPT"]),
    ("ipv6", 41, &["IPv6"]),
    ("ipv6-route", 43, &["IPv6-Route"]),
    ("ipv6-frag", 44, &["IPv6-Frag"]),
    ("ipv6-icmp", 58, &["IPv6-ICMP"]),
    ("ipv6-nonxt", 59, &["IPv6-NoNxt"]),
    ("ipv6-opts", 60, &["IPv6-Opts"]),
];

/// Where each port's entries are in [`SERVICES`], in port order and then
/// file order (the printers look ports up for every rule).
fn services_by_port() -> &'static [(u16, usize)] {
    static INDEX: OnceLock<Vec<(u16, usize)>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: Vec<_> = SERVICES.iter().enumerate().map(|(i, s)| (s.1, i)).collect();
        index.sort_unstable();
        index
    })
}

/// The built-in databases (the stock illumos files, looked up the way the
/// illumos `files` name-service backend does: first match in file order,
/// names and aliases compared exactly). Host names go to the resolver.
#[derive(Debug, Clone, Copy, Default)]
pub struct BuiltinNetdb;

impl Netdb for BuiltinNetdb {
    fn serv_by_name(&self, name: &[u8], proto: Option<&str>) -> Option<u16> {
        SERVICES
            .iter()
            .find(|(n, _, p, aliases)| {
                proto.is_none_or(|want| want == *p)
                    && (n.as_bytes() == name || aliases.iter().any(|a| a.as_bytes() == name))
            })
            .map(|(_, port, _, _)| *port)
    }

    fn serv_by_port(&self, port: u16, proto: &str) -> Option<String> {
        let index = services_by_port();
        let from = index.partition_point(|&(p, _)| p < port);
        index[from..]
            .iter()
            .take_while(|&&(p, _)| p == port)
            .map(|&(_, i)| &SERVICES[i])
            .find(|(_, _, pr, _)| *pr == proto)
            .map(|(n, _, _, _)| n.to_string())
    }

    fn proto_by_name(&self, name: &[u8]) -> Option<i32> {
        PROTOCOLS
            .iter()
            .find(|(n, _, aliases)| {
                n.as_bytes() == name || aliases.iter().any(|a| a.as_bytes() == name)
            })
            .map(|(_, p, _)| *p)
    }

    fn proto_by_number(&self, p: i32) -> Option<String> {
        PROTOCOLS
            .iter()
            .find(|(_, n, _)| *n == p)
            .map(|(name, _, _)| name.to_string())
    }

    fn host(&self, name: &[u8], v6: bool) -> Option<Vec<u8>> {
        resolve(name, v6)
    }

    fn hostname(&self) -> Vec<u8> {
        crate::sys::netdb::hostname().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_as_illumos_files_answer() {
        let db = BuiltinNetdb;
        assert_eq!(db.serv_by_port(21, "tcp").as_deref(), Some("ftp"));
        assert_eq!(db.serv_by_port(21, "udp"), None);
        assert_eq!(db.serv_by_port(1, "tcp").as_deref(), Some("tcpmux"));
        assert_eq!(db.serv_by_port(1, "udp"), None);
        assert_eq!(db.serv_by_port(123, "udp").as_deref(), Some("ntp"));
        assert_eq!(db.serv_by_port(8888, "tcp"), None);
        assert_eq!(db.serv_by_name(b"www", None), Some(80));
        assert_eq!(db.serv_by_name(b"ftp", Some("tcp")), Some(21));
        assert_eq!(db.serv_by_name(b"FTP", None), None);
        assert_eq!(db.serv_by_name(b"domain", None), Some(53));
    }

    #[test]
    fn protocols_as_illumos_files_answer() {
        let db = BuiltinNetdb;
        assert_eq!(db.proto_by_number(0).as_deref(), Some("ip"));
        assert_eq!(db.proto_by_number(47).as_deref(), Some("gre"));
        assert_eq!(db.proto_by_number(255), None);
        assert_eq!(db.proto_by_name(b"icmp"), Some(1));
        assert_eq!(db.proto_by_name(b"ICMP"), Some(1));
        assert_eq!(db.proto_by_name(b"hopopt"), Some(0));
        assert_eq!(db.proto_by_name(b"Icmp"), None);
    }
}
