//! Golden tests of the `ipf.conf` parser and the rule printer: each input
//! is parsed as illumos `ipf -nv` parses it (ipf_y.y, lexer.c) and each
//! rule printed as printfr() prints it; the stderr column holds the
//! messages (`unknown name`, the logical interface warning) and the
//! `yyerror()` line that ends the parse. The comment above each case names
//! the C code the expectation is derived from. Nothing here was run on
//! illumos.

use xbow::backend::sim::BuiltinNetdb;
use xbow::ipf::parser::{Event, Options, parse};
use xbow::ipf::print::{PrintOpts, printfr};
use xbow::ipfilter::print::Out;

/// `ipf -nvf`: stdout, and stderr (messages, then the error).
fn run(input: &str, v6: bool) -> (String, String) {
    let mut o = Out::default();
    let r = parse(
        input.as_bytes(),
        Options { v6 },
        &BuiltinNetdb,
        &mut |e| match e {
            Event::Rule(r) => printfr(
                &mut o,
                &BuiltinNetdb,
                &r.rule,
                &PrintOpts {
                    v6,
                    unresolved: None,
                },
            ),
            Event::Stderr(m) => o.err.extend_from_slice(&m),
            Event::Loopback(on) => o
                .out
                .extend_from_slice(format!("<loopback {on}>\n").as_bytes()),
        },
    );
    if let Err(e) = r {
        o.err.extend_from_slice(&e.to_bytes());
    }
    (
        String::from_utf8(o.out).expect("UTF-8"),
        String::from_utf8(o.err).expect("UTF-8"),
    )
}

/// (input, stdout, stderr).
const CASES: &[(&str, &str, &str)] = &[
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"block in all
"#,
        r#"block in all
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass out quick on lo0 all
"#,
        r#"pass out quick on lo0 all
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in quick on e1000g0 proto tcp from any to any port = 22 flags S keep state
"#,
        r#"pass in quick on e1000g0 proto tcp from any to any port = ssh flags S/FSRPAU keep state
"#,
        r#""#,
    ),
    // ipf_y.y proto/protocol, getproto(); printfr() proto, printproto()
    (
        r#"block return-rst in log quick proto tcp from 10.0.0.0/8 to any
"#,
        r#"block return-rst in log quick proto tcp from 10.0.0.0/8 to any
"#,
        r#""#,
    ),
    // ipf_y.y itype/icode/typelist; printfr() icmptypes[]
    (
        r#"pass in proto icmp from any to any icmp-type echo keep state (limit 10)
"#,
        r#"pass in proto icmp from any to any icmp-type echo keep state (limit 10)
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"@3 10 pass in all
"#,
        r#"10 pass in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"skip 2 in all
"#,
        r#"skip 2 in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"count out all
"#,
        r#"count out all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"auth in all
"#,
        r#"auth in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"auth return-rst in all
"#,
        r#"auth in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"preauth in all
"#,
        r#"preauth in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"call fn/3 in all
"#,
        r#"call fn/3 in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"call now fn/4 out all
"#,
        r#"call now fn/4 out all
"#,
        r#""#,
    ),
    // ipf_y.y log/logoption/loglevel; printlog(), fac_toname()
    (
        r#"log body first or-block level local1.info in all
"#,
        r#"log body first or-block level local1.info in all
"#,
        r#""#,
    ),
    // ipf_y.y log/logoption/loglevel; printlog(), fac_toname()
    (
        r#"block in log level info all
"#,
        r#"block in log level local0.info all
"#,
        r#""#,
    ),
    // ipf_y.y log/logoption/loglevel; printlog(), fac_toname()
    (
        r#"block in log level console.info all
"#,
        r#""#,
        r#"syntax error error at "console", line 1
"#,
    ),
    // ipf_y.y blockreturn/returncode; printfr() icmpcodes[]
    (
        r#"block return-icmp in all
"#,
        r#"block return-icmp in all
"#,
        r#""#,
    ),
    // ipf_y.y blockreturn/returncode; printfr() icmpcodes[]
    (
        r#"block return-icmp(3) in all
"#,
        r#"block return-icmp(port-unr) in all
"#,
        r#""#,
    ),
    // ipf_y.y blockreturn/returncode; printfr() icmpcodes[]
    (
        r#"block return-icmp(port-unr) in all
"#,
        r#"block return-icmp(port-unr) in all
"#,
        r#""#,
    ),
    // ipf_y.y blockreturn/returncode; printfr() icmpcodes[]
    (
        r#"block return-icmp-as-dest(cutoff-preced) in all
"#,
        r#"block return-icmp-as-dest(preced-cutoff) in all
"#,
        r#""#,
    ),
    // ipf_y.y blockreturn/returncode; printfr() icmpcodes[]
    (
        r#"block return-icmp(16) in all
"#,
        r#"block return-icmp((null)) in all
"#,
        r#""#,
    ),
    // ipf_y.y blockreturn/returncode; printfr() icmpcodes[]
    (
        r#"block return-icmp(200) in all
"#,
        r#"block return-icmp(200) in all
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on le0,le1 out-via le2,le3 all
"#,
        r#"pass in on le0,le1 out-via le2 ,le3all
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass out on le0 in-via le2 all
"#,
        r#"pass out on le0 in-via le2 all
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on le0:1 all
"#,
        r#"pass in on le0 all
"#,
        r#"1: Logical interface le0:1 unsupported, use the physical interface le0 instead.
"#,
    ),
    // ipf_y.y dup/proute/replyto/duptoseparator; print_toif()
    (
        r#"pass in dup-to le1 all
"#,
        r#"pass in dup-to le1 all
"#,
        r#""#,
    ),
    // ipf_y.y dup/proute/replyto/duptoseparator; print_toif()
    (
        r#"pass in dup-to le1:10.1.1.1 to le2:10.2.2.2 reply-to le3:10.3.3.3 fastroute all
"#,
        r#"pass in dup-to le1:10.1.1.1 to le2:10.2.2.2 reply-to le3:10.3.3.3 fastroute all
"#,
        r#""#,
    ),
    // ipf_y.y dup/proute/replyto/duptoseparator; print_toif()
    (
        r#"pass out route-to le1 all
"#,
        r#"pass out to le1 all
"#,
        r#""#,
    ),
    // ipf_y.y inopt/outopt (Duplicate … option)
    (
        r#"pass in quick quick all
"#,
        r#""#,
        r#"Duplicate quick option error at "quick", line 1
"#,
    ),
    // ipf_y.y inopt/outopt (Duplicate … option)
    (
        r#"pass in log log all
"#,
        r#""#,
        r#"Duplicate log option error at "all", line 1
"#,
    ),
    // ipf_y.y dup/proute/replyto/duptoseparator; print_toif()
    (
        r#"pass out fastroute all
"#,
        r#"pass out all
"#,
        r#"syntax error error at "fastroute", line 1
"#,
    ),
    // ipf_y.y tos/ttl/toslist/ttllist, addrule(); printfr() tos/ttl
    (
        r#"pass in tos 0x10 ttl 64 all
"#,
        r#"pass in tos 0x10 ttl 64 from any to any
"#,
        r#""#,
    ),
    // ipf_y.y tos/ttl/toslist/ttllist, addrule(); printfr() tos/ttl
    (
        r#"pass in tos (1,2) ttl (3,4) all
"#,
        r#"pass in tos 0x1 ttl 3 from any to any
pass in tos 0x2 ttl 3 from any to any
pass in tos 0x1 ttl 4 from any to any
pass in tos 0x2 ttl 4 from any to any
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp-udp from any port = 53 to any
"#,
        r#"pass in proto tcp/udp from any port = domain to any
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp/udp from any to any port = domain
"#,
        r#"pass in proto tcp/udp from any to any port = domain
"#,
        r#""#,
    ),
    // ipf_y.y proto/protocol, getproto(); printfr() proto, printproto()
    (
        r#"pass in proto tcp/ip all
"#,
        r#""#,
        r#"syntax error error at "all", line 1
"#,
    ),
    // ipf_y.y proto/protocol, getproto(); printfr() proto, printproto()
    (
        r#"pass in proto nosuch all
"#,
        r#""#,
        r#"protocol unknown error at "all", line 1
"#,
    ),
    // ipf_y.y proto/protocol, getproto(); printfr() proto, printproto()
    (
        r#"pass in proto 300 all
"#,
        r#"pass in proto ipv6-frag from any to any
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 1 to 0x0a000001
"#,
        r#"pass in from 1.0.0.0/32 to 1.0.0.10/32
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 10.1 to 10.1.2
"#,
        r#"pass in from 10.1.0.0/32 to 10.1.2.0/32
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 10.1.2.3 mask 255.255.0.0 to 10.1.2.3 mask 0xffff0000
"#,
        r#"pass in from 10.1.0.0/16 to 10.1.0.0/16
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 10.1.2.3/255.0.255.0 to any
"#,
        r#"pass in from 10.0.2.0/255.0.255.0 to any
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 10.0.0.0/33 to any
"#,
        r#""#,
        r#"Bad value specified for netmask error at "to", line 1
"#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 256.1.1.1 to any
"#,
        r#""#,
        r#"Invalid octet string for IP address error at "1", line 1
"#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from 1.256.1.1 to any
"#,
        r#""#,
        r#"Invalid octet string for IP address error at "256", line 1
"#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from nosuchhost.invalid to any
"#,
        r#""#,
        r#"unknown name "nosuchhost.invalid"
Unknown hostname error at "nosuchhost.invalid", line 1
"#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from localhost to !localhost
"#,
        r#"pass in from 127.0.0.1/32 to !127.0.0.1/32
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from !10.0.0.0/8 to any
"#,
        r#"pass in from !10.0.0.0/8 to any
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on le0 from le0 to le0/32
"#,
        r#"pass in on le0 from le0/32 to le0/32
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on le0 from le0/broadcast to le0/network
"#,
        r#"pass in on le0 from le0//bcast to le0//net
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on le0 from le0/netmasked to le0/peer
"#,
        r#"pass in on le0 from le0//netmasked to le0//peer
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on le0 from le0/net to any
"#,
        r#"pass in on le0 from le0//net to any
"#,
        r#""#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from pool/3 to hash/4
"#,
        r#"pass in from pool/3 to hash/4
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in from any port < 1024 to any port > 1023
"#,
        r#"pass in from any port < 1024 to any port > 1023
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port <= 1 to any port >= 2
"#,
        r#"pass in proto tcp from any port <= tcpmux to any port >= 2
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port != 1 to any port eq 2
"#,
        r#"pass in proto tcp from any port != tcpmux to any port = 2
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port lt 1 to any port gt 2
"#,
        r#"pass in proto tcp from any port < tcpmux to any port > 2
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port le 1 to any port ge 2
"#,
        r#"pass in proto tcp from any port <= tcpmux to any port >= 2
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port ne 1 to any
"#,
        r#"pass in proto tcp from any port != tcpmux to any
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port 1 <> 2 to any port 3 >< 4
"#,
        r#"pass in proto tcp from any port 1 <> 2 to any port 3 >< 4
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port 1:2 to any
"#,
        r#"pass in proto tcp from any port 1:2 to any
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from port = 80 to port = 81
"#,
        r#"pass in proto tcp from any port = http to any port = 81
"#,
        r#""#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from port < 1024 to any
"#,
        r#""#,
        r#"service unknown error at "<", line 1
"#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port = 70000 to any
"#,
        r#""#,
        r#"invalid port number error at "70000", line 1
"#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto tcp from any port = nosuchservice to any
"#,
        r#""#,
        r#"service unknown error at "nosuchservice", line 1
"#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in proto udp from any to any port = (53, 123)
"#,
        r#"pass in proto udp from any to any port = domain
pass in proto udp from any to any port = ntp
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto tcp all flags S/SA
"#,
        r#"pass in proto tcp from any to any flags S/SA
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto tcp all flags /SA
"#,
        r#"pass in proto tcp from any to any flags /SA
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto tcp all flags 2/18
"#,
        r#"pass in proto tcp from any to any flags S/SA
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto tcp all flags 0x2/0x12
"#,
        r#"pass in proto tcp from any to any flags S/SA
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto tcp all flags SAFRPUEC/W
"#,
        r#"pass in proto tcp from any to any flags FSRPAUEC/C
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto tcp all flags X
"#,
        r#"pass in proto tcp from any to any flags /FSRPAU
"#,
        r#""#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in all flags S
"#,
        r#""#,
        r#"flags with non-ipf type rule error at "flags", line 1
"#,
    ),
    // ipf_y.y flags/startflags, tcpflags(); printfr() flags
    (
        r#"pass in proto udp all flags S
"#,
        r#""#,
        r#"flags with non-TCP rule error at "flags", line 1
"#,
    ),
    // ipf_y.y itype/icode/typelist; printfr() icmptypes[]
    (
        r#"pass in proto icmp all icmp-type 3 code 4
"#,
        r#"pass in proto icmp from any to any icmp-type unreach code 4
"#,
        r#""#,
    ),
    // ipf_y.y itype/icode/typelist; printfr() icmptypes[]
    (
        r#"pass in proto icmp all icmp-type (echo,echorep)
"#,
        r#"pass in proto icmp from any to any icmp-type echo
pass in proto icmp from any to any icmp-type echorep
"#,
        r#""#,
    ),
    // ipf_y.y itype/icode/typelist; printfr() icmptypes[]
    (
        r#"pass in proto icmp all icmp-type 30
"#,
        r#"pass in proto icmp from any to any icmp-type 30
"#,
        r#""#,
    ),
    // ipf_y.y itype/icode/typelist; printfr() icmptypes[]
    (
        r#"pass in proto icmp all icmp-type nosuch
"#,
        r#""#,
        r#"syntax error error at "nosuch", line 1
"#,
    ),
    // ipf_y.y itype/icode/typelist; printfr() icmptypes[]
    (
        r#"pass in proto 58 all icmp-type echo
"#,
        r#"pass in proto ipv6-icmp from any to any icmp-type 8
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with ipopts
"#,
        r#"pass in from any to any with ipopts
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with not ipopts
"#,
        r#"pass in from any to any with not ipopts
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with short, frag, frag-body, nat, lowttl, bad, bad-src, bad-nat, oow, mcast, bcast, mbcast, state
"#,
        r#"pass in from any to any with short,frag,frag-body,nat,lowttl,bad,bad-src,bad-nat,oow,mcast,bcast,mbcast,state
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with not short, frag
"#,
        r#"pass in from any to any with not short,frag
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with oow not short
"#,
        r#"pass in from any to any with not short,oow
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with opt lsrr,ssrr
"#,
        r#"pass in from any to any with opt lsrr,ssrr
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with not opt lsrr
"#,
        r#"pass in from any to any with not opt lsrr
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with opt sec-class secret,topsecret
"#,
        r#"pass in from any to any with opt sec-class topsecret,secret
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with opt lsrr, short
"#,
        r#""#,
        r#"syntax error error at "short", line 1
"#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all and frags
"#,
        r#"pass in from any to any with frag
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with v6hdrs ah
"#,
        r#""#,
        r#"only available with IPv6 error at "v6hdrs", line 1
"#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in proto tcp all keep state (strict,newisn,no-icmp-err,sync,limit 5)
"#,
        r#"pass in proto tcp from any to any keep state (limit 5,strict,newisn,no-icmp-err,sync)
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in proto tcp all keep state (strict newisn)
"#,
        r#"pass in proto tcp from any to any keep state (strict,newisn)
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in proto udp all keep state (strict)
"#,
        r#""#,
        r#"syntax error error at ")", line 1
"#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in all keep frags (strict)
"#,
        r#"pass in all keep frags ( strict )
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in all keep state keep frags
"#,
        r#"pass in all keep state keep frags
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in all keep frag keep state
"#,
        r#"pass in all keep state keep frags
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in all keep state keep state
"#,
        r#""#,
        r#"syntax error error at "state", line 1
"#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in all keep state ()
"#,
        r#""#,
        r#"syntax error error at ")", line 1
"#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in all head 100
"#,
        r#"pass in all head 100
"#,
        r#""#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in all group 100
"#,
        r#"pass in all group 100
"#,
        r#""#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in all head grouphead17charsXX
"#,
        r#"pass in all head grouphead17chars
"#,
        r#""#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in proto tcp all head tcpg
"#,
        r#"pass in proto tcp from any to any head tcpg
"#,
        r#""#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in from any to any port = 22 group tcpg
"#,
        r#"pass in from any to any port = 22 group tcpg
"#,
        r#""#,
    ),
    // ipf_y.y settagin/matchtagin/nattag/logtag/uuidtag/cfwtag; printfr() set-tag
    (
        r#"pass in all set-tag(log=3, nat=foo)
"#,
        r#"pass in all set-tag(log=3, nat=foo)
"#,
        r#""#,
    ),
    // ipf_y.y settagin/matchtagin/nattag/logtag/uuidtag/cfwtag; printfr() set-tag
    (
        r#"pass in all set-tag(nat=12)
"#,
        r#"pass in all set-tag(nat=12)
"#,
        r#""#,
    ),
    // ipf_y.y settagin/matchtagin/nattag/logtag/uuidtag/cfwtag; printfr() set-tag
    (
        r#"pass in all set-tag(cfwlog, log=1)
"#,
        r#"pass in all set-tag(log=1cfwlog)
"#,
        r#""#,
    ),
    // ipf_y.y settagin/matchtagin/nattag/logtag/uuidtag/cfwtag; printfr() set-tag
    (
        r#"pass in all set-tag(uuid=12345678-9abc-def0-1234-56789abcdef0)
"#,
        r#"pass in all set-tag(uuid=12345678-9abc-def0-1234-56789abcdef0)
"#,
        r#""#,
    ),
    // ipf_y.y settagin/matchtagin/nattag/logtag/uuidtag/cfwtag; printfr() set-tag
    (
        r#"pass in all match-tag(nat=x)
"#,
        r#"pass in all set-tag(nat=x)
"#,
        r#""#,
    ),
    // ipf_y.y pps/age; printfr() keep state (age) and pps
    (
        r#"pass in all pps 5
"#,
        r#"pass in all pps 5
"#,
        r#""#,
    ),
    // ipf_y.y pps/age; printfr() keep state (age) and pps
    (
        r#"pass in all age 30
"#,
        r#"pass in all
"#,
        r#""#,
    ),
    // ipf_y.y pps/age; printfr() keep state (age) and pps
    (
        r#"pass in all age 30/40
"#,
        r#"pass in all
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in all keep state age 30/40
"#,
        r#"pass in all keep state (age 30/40)
"#,
        r#""#,
    ),
    // ipf_y.y keep/keepstate/stateopt/keepfrag; printfr() keep state/frags
    (
        r#"pass in proto tcp all keep state (limit 7) age 5
"#,
        r#"pass in proto tcp from any to any keep state (limit 7,age 5/5)
"#,
        r#""#,
    ),
    // ipf_y.y set
    (
        r#"set intercept_loopback true;
"#,
        r#"<loopback true>
"#,
        r#""#,
    ),
    // ipf_y.y set
    (
        r#"set intercept_loopback maybe;
"#,
        r#""#,
        r#"invalid argument for ipf_loopback error at ";", line 1
"#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"pass in all
"#,
        r#"pass in all
"#,
        r#""#,
    ),
    // ipf_y.y set
    (
        r#"set intercept_loopback true;
"#,
        r#"<loopback true>
"#,
        r#""#,
    ),
    // ipf_y.y bpfrule, dobpf() without IPFILTER_BPF
    (
        r#"pass in bpf-v4 { "0x20 0 0 0" }
"#,
        r#""#,
        r#"BPF filter expressions not supported
"#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"a = "le0"; pass in on $a all
"#,
        r#"pass in on le0 all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"pass in all;
"#,
        r#"pass in all
"#,
        r#""#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in all { pass in all group 1 }
"#,
        r#"pass in all
pass in all group 1
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"pass in
"#,
        r#"pass in all
"#,
        r#""#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"in all
"#,
        r#""#,
        r#"syntax error error at "in", line 1
"#,
    ),
    // ipf_y.y rule/rulehead/action; printfr() action
    (
        r#"pass all
"#,
        r#""#,
        r#"syntax error error at "all", line 1
"#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from
"#,
        r#""#,
        r#"syntax error error at "", line 1
"#,
    ),
    // ipf_y.y fromto/ipaddr/hostname/mask/ipv4, lookuphost(); printaddr(), printhostmask()
    (
        r#"pass in from any to
"#,
        r#""#,
        r#"syntax error error at "", line 1
"#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in from any port = 80
"#,
        r#"pass in from any port = 80 to any
"#,
        r#""#,
    ),
    // ipf_y.y on/onname/vianame/interfacename; printifname(), printfr() via
    (
        r#"pass in on eth0 from eth0 to any
"#,
        r#"pass in on eth0 from eth0/32 to any
"#,
        r#""#,
    ),
    // ipf_y.y with/withopt/opttype/ipopts/secname; printfr() with part, optprint()
    (
        r#"pass in all with oow, mcast
"#,
        r#"pass in from any to any with oow mcast
"#,
        r#""#,
    ),
    // ipf_y.y head/group/new, fillgroup(); printfr() head/group
    (
        r#"pass in proto tcp all head tcpg
pass in from any to any port = 22 group tcpg
"#,
        r#"pass in proto tcp from any to any head tcpg
pass in proto tcp from any to any port = ssh group tcpg
"#,
        r#""#,
    ),
    // ipf_y.y set
    (
        r#"pass in all
set intercept_loopback true;
"#,
        r#"pass in all
"#,
        r#"ipf rules before "set" error at ";", line 2
"#,
    ),
    // ipf_y.y portcomp/portrange/porteq/portnum, getport(); printportcmp()
    (
        r#"pass in from (1.1.1.1,2.2.2.2) to any port = 80
"#,
        r#"pass in from 1.1.1.1/32 to any port = 80
pass in from 2.2.2.2/32 to any port = 80
"#,
        r#""#,
    ),
];

#[test]
fn every_construct() {
    for (input, out, err) in CASES {
        assert_eq!(
            run(input, false),
            (out.to_string(), err.to_string()),
            "{input}"
        );
    }
}

/// lexer.c yygetc(): a backslash before a newline joins the lines; the
/// error's line is the lexer's (ipf_y.y line, lexer.c yyerror()).
#[test]
fn continuation_lines_and_error_lines() {
    let (out, err) = run(
        "pass in \\\nlog all\n\n# c\nblock in from any to nosuchhost.invalid\n",
        false,
    );
    assert_eq!(out, "pass in log all\n");
    assert_eq!(
        err,
        "unknown name \"nosuchhost.invalid\"\nUnknown hostname error at \"nosuchhost.invalid\", line 5\n"
    );
}

/// ipf_y.y ipaddr (`YY_IPV6`), mask with use_inet6, startv6hdrs, optprintv6().
#[test]
fn ipv6_rules() {
    let (out, err) = run(
        "pass in from 2001:db8::/32 to ::1 with v6hdrs routing,frag\npass in dup-to le0:fe80::1 all\n",
        true,
    );
    assert_eq!(
        out,
        "pass in from 2001:db8::/32 to ::1/128 with v6hdrs routing,frag\npass in dup-to le0:fe80::1 all\n"
    );
    assert_eq!(err, "");
}

/// The parser hands each rule on with the line of its first word and the
/// lexer's line at that moment (ipf_addrule()'s `%d:` messages).
#[test]
fn rule_lines() {
    let mut seen = Vec::new();
    parse(
        b"pass in all\n\nblock out all\n",
        Options::default(),
        &BuiltinNetdb,
        &mut |e| {
            if let Event::Rule(r) = e {
                seen.push((r.number, r.line, r.add_line));
            }
        },
    )
    .expect("parses");
    assert_eq!(seen, vec![(1, 1, 3), (2, 3, 1)]);
}

/// `@N` is kept for SIOCINAFR (ipf_y.y insert, ipf_addrule()).
#[test]
fn insert_position() {
    let mut at = None;
    parse(
        b"@5 pass in all\n",
        Options::default(),
        &BuiltinNetdb,
        &mut |e| {
            if let Event::Rule(r) = e {
                at = r.rule.insert_at;
            }
        },
    )
    .expect("parses");
    assert_eq!(at, Some(5));
}

/// `xbow ipf -nvf FILE` (ipf.c procfile(), ipf_addrule() with -v): each
/// rule printed, then the parse error and exit 1; a missing file is
/// reported and passed over (exit 0).
#[test]
fn ipf_command_parses_and_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let f = dir.path().join("ipf.conf");
    std::fs::write(
        &f,
        "pass in from (1.1.1.1,2.2.2.2) to any\nblock in proto nosuch all\n",
    )
    .expect("write");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_xbow"))
        .args(["ipf", "-nvf"])
        .arg(&f)
        .output()
        .expect("run xbow");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "pass in from 1.1.1.1/32 to any\npass in from 2.2.2.2/32 to any\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "protocol unknown error at \"all\", line 2\n"
    );
    assert_eq!(o.status.code(), Some(1));
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_xbow"))
        .args(["ipf", "-nvf", "/nonexistent/ipf.conf"])
        .output()
        .expect("run xbow");
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "fopen(/nonexistent/ipf.conf) failed: No such file or directory\n"
    );
    assert_eq!(o.status.code(), Some(0));
}

/// `{ … }` groups nest (ipf_y.y `new`) until yacc's stack is full.
#[test]
fn nested_groups_end_in_a_stack_overflow_message() {
    let deep = "pass in all {\n".repeat(1000);
    let (out, err) = run(&deep, false);
    assert_eq!(out, "");
    assert_eq!(err, "yacc stack overflow error at \"{\", line 201\n");
    let (out, err) = run("pass in all { block in all }\n", false);
    assert_eq!(out, "pass in all\nblock in all\n");
    assert_eq!(err, "");
}
