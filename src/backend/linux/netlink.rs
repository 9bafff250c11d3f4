//! A small synchronous rtnetlink (`NETLINK_ROUTE`) client: links, IPv4
//! addresses and the default route, the way iproute2 asks for them.
//!
//! Every request asks for an acknowledgement and waits for it (or for the
//! end of a dump), so a returned `Ok` means the kernel applied the change.
//! A [`Netlink`] works in the network namespace of the thread that opened it.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsRawFd, BorrowedFd};

use netlink_packet_core::{
    NLM_F_ACK, NLM_F_CREATE, NLM_F_DUMP, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST, NetlinkBuffer,
    NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage, AddressScope};
use netlink_packet_route::link::{
    BridgeStpState, InfoBridge, InfoData, InfoKind, InfoMacVlan, InfoVeth, InfoVlan, InfoVxlan,
    LinkAttribute, LinkExtentMask, LinkFlags, LinkInfo, LinkLayerType, LinkMessage, MacVlanMode,
    State, Stats64,
};
use netlink_packet_route::neighbour::{
    NeighbourAddress, NeighbourAttribute, NeighbourFlags, NeighbourMessage, NeighbourState,
};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

/// The device group (`ip link show group`) of every link the `add_*`
/// functions make, given in the request that creates it: a link xbow
/// made is told from a physical one from its first instant, before
/// anything else is set on it. The number is "xbow" in ASCII.
pub const GROUP: u32 = 0x7862_6f77;

/// The protocol (`NDA_PROTOCOL`, `ip neigh show proto`) of every FDB and
/// neighbour entry xbow makes: "x".
pub const NEIGH_PROTO: u8 = 0x78;

/// A static entry on a VXLAN device: where frames to `mac` go (an FDB
/// entry, `port` set), or which MAC answers for overlay address `ip` (a
/// neighbour entry for the device's ARP/NDP proxy, no port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neigh {
    pub index: u32,
    pub mac: [u8; 6],
    pub ip: IpAddr,
    pub port: Option<u16>,
}

impl Neigh {
    fn message(&self) -> NeighbourMessage {
        let mut msg = NeighbourMessage::default();
        msg.header.ifindex = self.index;
        msg.header.state = NeighbourState::Permanent;
        let dst = match self.ip {
            IpAddr::V4(a) => NeighbourAddress::Inet(a),
            IpAddr::V6(a) => NeighbourAddress::Inet6(a),
        };
        msg.attributes = vec![
            NeighbourAttribute::LinkLayerAddress(self.mac.to_vec()),
            NeighbourAttribute::Destination(dst),
            NeighbourAttribute::Protocol(RouteProtocol::Other(NEIGH_PROTO)),
        ];
        match self.port {
            Some(port) => {
                msg.header.family = AddressFamily::Bridge;
                msg.header.flags = NeighbourFlags::Own;
                msg.attributes.push(NeighbourAttribute::Port(port));
            }
            None => {
                msg.header.family = match self.ip {
                    IpAddr::V4(_) => AddressFamily::Inet,
                    IpAddr::V6(_) => AddressFamily::Inet6,
                };
            }
        }
        msg
    }

    /// The iproute2 command for it (`verb`: `add` or `del`).
    fn command(&self, verb: &str, dev: &str) -> String {
        match self.port {
            Some(port) => format!(
                "bridge fdb {verb} {} dev {dev} dst {} port {port} self permanent",
                fmt_mac(self.mac),
                self.ip
            ),
            None => format!(
                "ip neigh {verb} {} lladdr {} dev {dev} nud permanent",
                self.ip,
                fmt_mac(self.mac)
            ),
        }
    }
}

/// A VXLAN device's parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VxlanParams {
    pub vni: u32,
    pub local: IpAddr,
    pub port: u16,
    pub mtu: u32,
    /// Answer ARP and NDP from the static neighbour entries (and from
    /// nothing else: a request no entry answers is dropped).
    pub proxy: bool,
}

/// Size of the receive buffer; the kernel builds dump datagrams of at most
/// 32 KiB.
const RECV_BUF: usize = 64 * 1024;

/// A failed request: what was asked and the kernel's errno.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NlError {
    /// The request, written as the iproute2 command that would make it.
    pub op: String,
    /// The errno the kernel (or the socket) answered.
    pub errno: i32,
}

impl fmt::Display for NlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = io::Error::from_raw_os_error(self.errno).to_string();
        let text = text.split(" (os error ").next().unwrap_or(&text);
        write!(f, "{}: {text}", self.op)
    }
}

impl std::error::Error for NlError {}

/// The result of a netlink request.
pub type NlResult<T> = Result<T, NlError>;

/// A link's type, from `IFLA_INFO_KIND`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// A bridge.
    Bridge,
    /// One end of a veth pair.
    Veth,
    /// A macvlan.
    Macvlan,
    /// An 802.1Q VLAN link.
    Vlan,
    /// Another kind, by its kernel name.
    Other(String),
    /// No `IFLA_LINKINFO`: a physical device or loopback.
    Plain,
}

/// A link's operational state, from `IFLA_OPERSTATE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OperState {
    /// Up.
    Up,
    /// Down, lower layer down, not present or dormant.
    Down,
    /// Anything else (loopback and many virtual devices report unknown).
    Unknown,
}

/// A link as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KLink {
    /// Interface index.
    pub index: u32,
    /// Interface name.
    pub name: String,
    /// Link type.
    pub kind: LinkKind,
    /// Ethernet address, if the link has a 6-byte one.
    pub mac: Option<[u8; 6]>,
    /// MTU.
    pub mtu: u32,
    /// Largest MTU the device accepts, if it says.
    pub max_mtu: Option<u32>,
    /// Administratively up (`IFF_UP`).
    pub admin_up: bool,
    /// Operational state.
    pub oper: OperState,
    /// Index of the bridge (or other controller) the link is enslaved to.
    pub master: Option<u32>,
    /// The alias (`ip link set dev X alias A`), if set and not empty.
    pub alias: Option<String>,
    /// The device group (0, the default, unless set).
    pub group: u32,
    /// Link layer is Ethernet (`ARPHRD_ETHER`).
    pub ether: bool,
    /// Loopback device (`IFF_LOOPBACK`).
    pub loopback: bool,
}

impl KLink {
    fn from_message(msg: &LinkMessage) -> KLink {
        let mut link = KLink {
            index: msg.header.index,
            name: String::new(),
            kind: LinkKind::Plain,
            mac: None,
            mtu: 0,
            max_mtu: None,
            admin_up: msg.header.flags.contains(LinkFlags::Up),
            oper: OperState::Unknown,
            master: None,
            alias: None,
            group: 0,
            ether: msg.header.link_layer_type == LinkLayerType::Ether,
            loopback: msg.header.flags.contains(LinkFlags::Loopback),
        };
        for attr in &msg.attributes {
            match attr {
                LinkAttribute::IfName(name) => link.name.clone_from(name),
                LinkAttribute::Address(mac) => link.mac = <[u8; 6]>::try_from(&mac[..]).ok(),
                LinkAttribute::Mtu(mtu) => link.mtu = *mtu,
                LinkAttribute::Group(g) => link.group = *g,
                LinkAttribute::MaxMtu(mtu) => link.max_mtu = Some(*mtu),
                LinkAttribute::Controller(master) if *master != 0 => link.master = Some(*master),
                LinkAttribute::IfAlias(alias) if !alias.is_empty() => {
                    link.alias = Some(alias.clone());
                }
                LinkAttribute::OperState(state) => {
                    link.oper = match state {
                        State::Up => OperState::Up,
                        State::Down
                        | State::LowerLayerDown
                        | State::NotPresent
                        | State::Dormant => OperState::Down,
                        _ => OperState::Unknown,
                    }
                }
                LinkAttribute::LinkInfo(infos) => {
                    for info in infos {
                        if let LinkInfo::Kind(kind) = info {
                            link.kind = match kind {
                                InfoKind::Bridge => LinkKind::Bridge,
                                InfoKind::Veth => LinkKind::Veth,
                                InfoKind::MacVlan => LinkKind::Macvlan,
                                InfoKind::Vlan => LinkKind::Vlan,
                                other => LinkKind::Other(other.to_string()),
                            };
                        }
                    }
                }
                _ => {}
            }
        }
        link
    }
}

/// A link message for interface `index` (0: none yet) with `attributes`.
fn link_msg(index: u32, attributes: Vec<LinkAttribute>) -> LinkMessage {
    let mut msg = LinkMessage::default();
    msg.header.index = index;
    msg.attributes = attributes;
    msg
}

/// The link of `msg` comes up (`IFF_UP` in the header).
fn up(mut msg: LinkMessage) -> LinkMessage {
    msg.header.flags = LinkFlags::Up;
    msg.header.change_mask = LinkFlags::Up;
    msg
}

/// `IFLA_LINKINFO` of kind `kind` with `data`.
fn link_info(kind: InfoKind, data: InfoData) -> LinkAttribute {
    LinkAttribute::LinkInfo(vec![LinkInfo::Kind(kind), LinkInfo::Data(data)])
}

/// `aa:bb:cc:dd:ee:ff`.
fn fmt_mac(mac: [u8; 6]) -> String {
    mac.map(|b| format!("{b:02x}")).join(":")
}

/// The errno of a failed socket call.
fn os_errno(e: io::Error) -> i32 {
    e.raw_os_error().unwrap_or(libc::EIO)
}

/// An rtnetlink socket in the network namespace of the thread that opened
/// it.
pub struct Netlink {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl fmt::Debug for Netlink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Netlink").field("seq", &self.seq).finish()
    }
}

impl Netlink {
    /// Opens a socket in the calling thread's network namespace.
    pub fn open() -> NlResult<Netlink> {
        let fail = |e: io::Error| NlError {
            op: "socket(AF_NETLINK, NETLINK_ROUTE)".into(),
            errno: os_errno(e),
        };
        let mut sock = Socket::new(NETLINK_ROUTE).map_err(fail)?;
        sock.bind_auto().map_err(fail)?;
        sock.connect(&SocketAddr::new(0, 0)).map_err(fail)?;
        // Errors need not echo the whole request back.
        sock.set_cap_ack(true).map_err(fail)?;
        Ok(Netlink {
            sock,
            seq: 0,
            buf: Vec::with_capacity(RECV_BUF),
        })
    }

    /// Sends `msg` with `flags` (besides `NLM_F_REQUEST|NLM_F_ACK`) and
    /// collects the replies up to the acknowledgement or the end of the
    /// dump. The error is an errno.
    fn request(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Vec<RouteNetlinkMessage>, i32> {
        self.seq = self.seq.wrapping_add(1);
        let seq = self.seq;
        self.sock
            .send(&encode(msg, flags, seq), 0)
            .map_err(os_errno)?;

        let mut replies = Vec::new();
        loop {
            self.buf.clear();
            let n = match self.sock.recv(&mut self.buf, libc::MSG_TRUNC) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(os_errno(e)),
            };
            if n > self.buf.len() {
                return Err(libc::EMSGSIZE);
            }
            let mut off = 0;
            while off < n {
                let raw = &self.buf[off..n];
                let nl = NetlinkBuffer::new_checked(raw).map_err(|_| libc::EBADMSG)?;
                let len = nl.length() as usize;
                let this_seq = nl.sequence_number();
                off += len.next_multiple_of(4);
                if this_seq != seq {
                    continue;
                }
                let msg = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&raw[..len])
                    .map_err(|_| libc::EBADMSG)?;
                match msg.payload {
                    NetlinkPayload::InnerMessage(m) => replies.push(m),
                    NetlinkPayload::Error(e) => {
                        return match e.code {
                            None => Ok(replies),
                            Some(code) => Err(-code.get()),
                        };
                    }
                    NetlinkPayload::Done(d) if d.code < 0 => return Err(-d.code),
                    NetlinkPayload::Done(_) => return Ok(replies),
                    NetlinkPayload::Overrun(_) => return Err(libc::ENOBUFS),
                    _ => {}
                }
            }
        }
    }

    /// A request whose failure is reported as `op`.
    fn exec(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
        op: impl FnOnce() -> String,
    ) -> NlResult<Vec<RouteNetlinkMessage>> {
        self.request(msg, flags)
            .map_err(|errno| NlError { op: op(), errno })
    }

    /// A change to link `index`; a failure names the link as iproute2 would
    /// (`op` gets its name, looked up only then).
    fn exec_dev(
        &mut self,
        msg: RouteNetlinkMessage,
        flags: u16,
        index: u32,
        op: impl FnOnce(&str) -> String,
    ) -> NlResult<()> {
        match self.request(msg, flags) {
            Ok(_) => Ok(()),
            Err(errno) => {
                let dev = self.dev_name(index);
                Err(NlError {
                    op: op(&dev),
                    errno,
                })
            }
        }
    }

    /// The name of link `index` for messages, or `ifindex N`.
    fn dev_name(&mut self, index: u32) -> String {
        let skip_stats = LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]);
        let get = RouteNetlinkMessage::GetLink(link_msg(index, vec![skip_stats]));
        match self.request(get, 0) {
            Ok(replies) => replies
                .iter()
                .find_map(|m| match m {
                    RouteNetlinkMessage::NewLink(l) => Some(KLink::from_message(l).name),
                    _ => None,
                })
                .unwrap_or_else(|| format!("ifindex {index}")),
            Err(_) => format!("ifindex {index}"),
        }
    }

    /// All links (`ip link show`).
    pub fn links(&mut self) -> NlResult<Vec<KLink>> {
        let skip_stats = LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]);
        let dump = RouteNetlinkMessage::GetLink(link_msg(0, vec![skip_stats]));
        let replies = self.exec(dump, NLM_F_DUMP, || "ip link show".into())?;
        Ok(replies
            .iter()
            .filter_map(|m| match m {
                RouteNetlinkMessage::NewLink(l) => Some(KLink::from_message(l)),
                _ => None,
            })
            .collect())
    }

    /// The link called `name`, or `None` if there is none.
    pub fn link(&mut self, name: &str) -> NlResult<Option<KLink>> {
        let get = RouteNetlinkMessage::GetLink(link_msg(
            0,
            vec![
                LinkAttribute::IfName(name.into()),
                LinkAttribute::ExtMask(vec![LinkExtentMask::SkipStats]),
            ],
        ));
        match self.request(get, 0) {
            Ok(replies) => Ok(replies.iter().find_map(|m| match m {
                RouteNetlinkMessage::NewLink(l) => Some(KLink::from_message(l)),
                _ => None,
            })),
            Err(libc::ENODEV) => Ok(None),
            Err(errno) => Err(NlError {
                op: format!("ip link show dev {name}"),
                errno,
            }),
        }
    }

    /// The counters of the link called `name` (`ip -s link show dev
    /// NAME`: `IFLA_STATS64`), or `None` if there is no such link.
    pub fn link_stats(&mut self, name: &str) -> NlResult<Option<Stats64>> {
        let get =
            RouteNetlinkMessage::GetLink(link_msg(0, vec![LinkAttribute::IfName(name.into())]));
        match self.request(get, 0) {
            Ok(replies) => Ok(replies.iter().find_map(|m| match m {
                RouteNetlinkMessage::NewLink(l) => Some(
                    l.attributes
                        .iter()
                        .find_map(|a| match a {
                            LinkAttribute::Stats64(s) => Some(*s),
                            _ => None,
                        })
                        .unwrap_or_default(),
                ),
                _ => None,
            })),
            Err(libc::ENODEV) => Ok(None),
            Err(errno) => Err(NlError {
                op: format!("ip -s link show dev {name}"),
                errno,
            }),
        }
    }

    /// Creates a link from `attrs`, down (see [`Self::bring_up`]) and in
    /// xbow's [`GROUP`]. A failure is reported as `op` of the name of
    /// `parent` (0: none).
    fn new_link(
        &mut self,
        attrs: Vec<LinkAttribute>,
        parent: u32,
        op: impl Fn(&str) -> String,
    ) -> NlResult<()> {
        self.new_link_with(attrs, LinkFlags::empty(), parent, op)
    }

    /// [`Self::new_link`], with header `flags` set (the kernel applies them
    /// as the link is made).
    fn new_link_with(
        &mut self,
        mut attrs: Vec<LinkAttribute>,
        flags: LinkFlags,
        parent: u32,
        op: impl Fn(&str) -> String,
    ) -> NlResult<()> {
        attrs.push(LinkAttribute::Group(GROUP));
        let mut msg = link_msg(0, attrs);
        msg.header.flags = flags;
        msg.header.change_mask = flags;
        let add = RouteNetlinkMessage::NewLink(msg);
        match self.request(add, NLM_F_CREATE | NLM_F_EXCL) {
            Ok(_) => Ok(()),
            Err(errno) => {
                let parent = if parent == 0 {
                    String::new()
                } else {
                    self.dev_name(parent)
                };
                Err(NlError {
                    op: op(&parent),
                    errno,
                })
            }
        }
    }

    /// `ip link set dev NAME alias ALIAS up` (no alias if empty): the
    /// links the `add_*` functions make are down and unaliased (the kernel
    /// ignores `IFLA_IFALIAS` on creation), so that the caller can prepare
    /// them before anything runs on them.
    pub fn bring_up(&mut self, name: &str, alias: &str) -> NlResult<()> {
        let mut attrs = vec![LinkAttribute::IfName(name.into())];
        if !alias.is_empty() {
            attrs.push(LinkAttribute::IfAlias(alias.into()));
        }
        let set = RouteNetlinkMessage::SetLink(up(link_msg(0, attrs)));
        self.exec(set, 0, || {
            if alias.is_empty() {
                format!("ip link set dev {name} up")
            } else {
                format!("ip link set dev {name} alias \"{alias}\" up")
            }
        })
        .map(|_| ())
    }

    /// `ip link delete dev NAME`.
    pub fn del_named(&mut self, name: &str) -> NlResult<()> {
        let del =
            RouteNetlinkMessage::DelLink(link_msg(0, vec![LinkAttribute::IfName(name.into())]));
        self.exec(del, 0, || format!("ip link delete dev {name}"))
            .map(|_| ())
    }

    /// `ip link add NAME mtu MTU arp off type bridge stp_state 0
    /// forward_delay 0`: a bridge whose ports forward at once (down).
    pub fn add_bridge(&mut self, name: &str, mtu: u32) -> NlResult<()> {
        let attrs = vec![
            LinkAttribute::IfName(name.into()),
            LinkAttribute::Mtu(mtu),
            link_info(
                InfoKind::Bridge,
                InfoData::Bridge(vec![
                    InfoBridge::StpState(BridgeStpState::Disabled),
                    InfoBridge::ForwardDelay(0),
                ]),
            ),
        ];
        let op = |_: &str| {
            format!("ip link add {name} mtu {mtu} arp off type bridge stp_state 0 forward_delay 0")
        };
        // No ARP: the bridge is a switch with no address of its own; with
        // ARP on it would answer for the addresses of every interface of
        // the namespace (the global zone's VNICs), and a zone's packets
        // to the global zone would arrive on the bridge, not on the VNIC
        // the rules name.
        self.new_link_with(attrs, LinkFlags::Noarp, 0, op)
    }

    /// A veth pair, down: `name` gets `mac` and `mtu`; `port`, its peer,
    /// gets `mtu` and is a port of `master` from the start.
    pub fn add_veth(
        &mut self,
        name: &str,
        mac: [u8; 6],
        port: &str,
        mtu: u32,
        master: Option<u32>,
    ) -> NlResult<()> {
        let peer_msg = link_msg(
            0,
            vec![
                LinkAttribute::IfName(name.into()),
                LinkAttribute::Address(mac.to_vec()),
                LinkAttribute::Mtu(mtu),
                LinkAttribute::Group(GROUP),
            ],
        );
        let mut attrs = vec![
            LinkAttribute::IfName(port.into()),
            LinkAttribute::Mtu(mtu),
            link_info(InfoKind::Veth, InfoData::Veth(InfoVeth::Peer(peer_msg))),
        ];
        attrs.extend(master.map(LinkAttribute::Controller));
        let op = |_: &str| {
            let to = master.map_or(String::new(), |m| format!(" master ifindex {m}"));
            format!(
                "ip link add {port} mtu {mtu}{to} type veth peer name {name} address {} mtu {mtu}",
                fmt_mac(mac)
            )
        };
        self.new_link(attrs, 0, op)
    }

    /// A macvlan in bridge mode over `parent`, with address `mac` (down).
    pub fn add_macvlan(&mut self, name: &str, parent: u32, mac: [u8; 6]) -> NlResult<()> {
        let attrs = vec![
            LinkAttribute::IfName(name.into()),
            LinkAttribute::Link(parent),
            LinkAttribute::Address(mac.to_vec()),
            link_info(
                InfoKind::MacVlan,
                InfoData::MacVlan(vec![InfoMacVlan::Mode(MacVlanMode::Bridge)]),
            ),
        ];
        let op = |link: &str| {
            format!(
                "ip link add {name} link {link} address {} type macvlan mode bridge",
                fmt_mac(mac)
            )
        };
        self.new_link(attrs, parent, op)
    }

    /// An 802.1Q link with VLAN id `vid` over `parent` (down). Kernels
    /// without `CONFIG_VLAN_8021Q` answer `EOPNOTSUPP`.
    pub fn add_vlan(&mut self, name: &str, parent: u32, vid: u16) -> NlResult<()> {
        let attrs = vec![
            LinkAttribute::IfName(name.into()),
            LinkAttribute::Link(parent),
            link_info(InfoKind::Vlan, InfoData::Vlan(vec![InfoVlan::Id(vid)])),
        ];
        let op = |link: &str| format!("ip link add {name} link {link} type vlan id {vid}");
        self.new_link(attrs, parent, op)
    }

    /// `ip link add NAME mtu MTU master BRIDGE type vxlan id VNI local IP
    /// dstport PORT nolearning [proxy]` (down): no learning and no default
    /// destination, so frames go only where static FDB entries send them
    /// (with `proxy`, ARP/NDP are answered from static neighbour entries). Kernels
    /// without `CONFIG_VXLAN` answer `EOPNOTSUPP`.
    pub fn add_vxlan(&mut self, name: &str, p: &VxlanParams, master: u32) -> NlResult<()> {
        let local = match p.local {
            IpAddr::V4(a) => InfoVxlan::Local(a),
            IpAddr::V6(a) => InfoVxlan::Local6(a),
        };
        let attrs = vec![
            LinkAttribute::IfName(name.into()),
            LinkAttribute::Mtu(p.mtu),
            LinkAttribute::Controller(master),
            link_info(
                InfoKind::Vxlan,
                InfoData::Vxlan(vec![
                    InfoVxlan::Id(p.vni),
                    local,
                    InfoVxlan::Port(p.port),
                    InfoVxlan::Learning(false),
                    InfoVxlan::Proxy(p.proxy),
                ]),
            ),
        ];
        let op = |bridge: &str| {
            format!(
                "ip link add {name} mtu {} master {bridge} type vxlan id {} local {} dstport {} nolearning{}",
                p.mtu,
                p.vni,
                p.local,
                p.port,
                if p.proxy { " proxy" } else { "" }
            )
        };
        self.new_link(attrs, master, op)
    }

    /// `bridge fdb add …` or `ip neigh add …` (see [`Neigh`]); an entry
    /// already there is made again. (A VXLAN device's FDB does not take
    /// `NLM_F_REPLACE`: `EOPNOTSUPP`.)
    pub fn add_neigh(&mut self, n: &Neigh) -> NlResult<()> {
        let add = |nl: &mut Netlink| {
            let msg = RouteNetlinkMessage::NewNeighbour(n.message());
            nl.exec_dev(msg, NLM_F_CREATE | NLM_F_EXCL, n.index, |dev| {
                n.command("add", dev)
            })
        };
        match add(self) {
            Err(e) if e.errno == libc::EEXIST => {
                self.del_neigh(n)?;
                add(self)
            }
            r => r,
        }
    }

    /// `bridge fdb del …` or `ip neigh del …`.
    pub fn del_neigh(&mut self, n: &Neigh) -> NlResult<()> {
        let msg = RouteNetlinkMessage::DelNeighbour(n.message());
        self.exec_dev(msg, 0, n.index, |dev| n.command("del", dev))
    }

    /// `ip link delete dev DEV` (a veth takes its peer along).
    pub fn del_link(&mut self, index: u32) -> NlResult<()> {
        let del = RouteNetlinkMessage::DelLink(link_msg(index, vec![]));
        self.exec_dev(del, 0, index, |dev| format!("ip link delete dev {dev}"))
    }

    /// `ip link set dev DEV up|down`.
    pub fn set_up(&mut self, index: u32, up: bool) -> NlResult<()> {
        let mut msg = link_msg(index, vec![]);
        msg.header.change_mask = LinkFlags::Up;
        if up {
            msg.header.flags = LinkFlags::Up;
        }
        let state = if up { "up" } else { "down" };
        self.exec_dev(RouteNetlinkMessage::SetLink(msg), 0, index, |dev| {
            format!("ip link set dev {dev} {state}")
        })
    }

    /// `ip link set dev DEV mtu MTU`.
    pub fn set_mtu(&mut self, index: u32, mtu: u32) -> NlResult<()> {
        let set = link_msg(index, vec![LinkAttribute::Mtu(mtu)]);
        self.exec_dev(RouteNetlinkMessage::SetLink(set), 0, index, |dev| {
            format!("ip link set dev {dev} mtu {mtu}")
        })
    }

    /// `ip link set dev DEV group GROUP`.
    pub fn set_group(&mut self, index: u32, group: u32) -> NlResult<()> {
        let set = link_msg(index, vec![LinkAttribute::Group(group)]);
        self.exec_dev(RouteNetlinkMessage::SetLink(set), 0, index, |dev| {
            format!("ip link set dev {dev} group {group}")
        })
    }

    /// `ip link delete group GROUP`: every link of the group, in one
    /// change of the kernel (which waits once for the links to be unused,
    /// where deleting them one by one waits for each). Group 0, every
    /// link's default, is refused.
    pub fn del_group(&mut self, group: u32) -> NlResult<()> {
        let op = || format!("ip link delete group {group}");
        if group == 0 {
            return Err(NlError {
                op: op(),
                errno: libc::EINVAL,
            });
        }
        let del = RouteNetlinkMessage::DelLink(link_msg(0, vec![LinkAttribute::Group(group)]));
        self.exec(del, 0, op).map(|_| ())
    }

    /// Move the link into the network namespace `ns` (`IFLA_NET_NS_FD`).
    pub fn set_netns(&mut self, index: u32, ns: BorrowedFd<'_>) -> NlResult<()> {
        let fd = ns.as_raw_fd();
        let set = link_msg(index, vec![LinkAttribute::NetNsFd(fd)]);
        self.exec_dev(RouteNetlinkMessage::SetLink(set), 0, index, |dev| {
            format!("ip link set dev {dev} netns <fd {fd}>")
        })
    }

    /// IPv4 addresses: (ifindex, address, prefix length).
    pub fn addrs(&mut self) -> NlResult<Vec<(u32, Ipv4Addr, u8)>> {
        let mut dump = AddressMessage::default();
        dump.header.family = AddressFamily::Inet;
        let replies = self.exec(RouteNetlinkMessage::GetAddress(dump), NLM_F_DUMP, || {
            "ip -4 addr show".into()
        })?;
        let mut out = Vec::new();
        for reply in &replies {
            let RouteNetlinkMessage::NewAddress(a) = reply else {
                continue;
            };
            if a.header.family != AddressFamily::Inet {
                continue;
            }
            // IFA_LOCAL is the interface's own address; IFA_ADDRESS differs
            // from it only on point-to-point links (the peer).
            let mut local = None;
            let mut address = None;
            for attr in &a.attributes {
                match attr {
                    AddressAttribute::Local(std::net::IpAddr::V4(ip)) => local = Some(*ip),
                    AddressAttribute::Address(std::net::IpAddr::V4(ip)) => address = Some(*ip),
                    _ => {}
                }
            }
            if let Some(ip) = local.or(address) {
                out.push((a.header.index, ip, a.header.prefix_len));
            }
        }
        Ok(out)
    }

    /// `ip addr add ADDR/PREFIX brd + dev DEV`.
    pub fn add_addr(&mut self, index: u32, addr: Ipv4Addr, prefix: u8) -> NlResult<()> {
        let mut msg = addr_msg(index, addr, prefix);
        if prefix <= 30 {
            let host_bits = u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0);
            let brd = Ipv4Addr::from(u32::from(addr) | host_bits);
            msg.attributes.push(AddressAttribute::Broadcast(brd));
        }
        self.exec_dev(
            RouteNetlinkMessage::NewAddress(msg),
            NLM_F_CREATE | NLM_F_EXCL,
            index,
            |dev| format!("ip addr add {addr}/{prefix} brd + dev {dev}"),
        )
    }

    /// `ip addr del ADDR/PREFIX dev DEV`.
    pub fn del_addr(&mut self, index: u32, addr: Ipv4Addr, prefix: u8) -> NlResult<()> {
        let msg = addr_msg(index, addr, prefix);
        self.exec_dev(RouteNetlinkMessage::DelAddress(msg), 0, index, |dev| {
            format!("ip addr del {addr}/{prefix} dev {dev}")
        })
    }

    /// `ip route replace default via GW` (main table, IPv4).
    pub fn set_default_route(&mut self, gw: Ipv4Addr) -> NlResult<()> {
        let mut msg = RouteMessage::default();
        msg.header.address_family = AddressFamily::Inet;
        msg.header.table = RouteHeader::RT_TABLE_MAIN;
        msg.header.protocol = RouteProtocol::Boot;
        msg.header.scope = RouteScope::Universe;
        msg.header.kind = RouteType::Unicast;
        msg.attributes
            .push(RouteAttribute::Gateway(RouteAddress::Inet(gw)));
        self.exec(
            RouteNetlinkMessage::NewRoute(msg),
            NLM_F_CREATE | NLM_F_REPLACE,
            || format!("ip route replace default via {gw}"),
        )
        .map(drop)
    }
}

/// The datagram of request `msg` with `flags` (besides
/// `NLM_F_REQUEST|NLM_F_ACK`) and sequence number `seq`.
fn encode(msg: RouteNetlinkMessage, flags: u16, seq: u32) -> Vec<u8> {
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    header.sequence_number = seq;
    let mut packet = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(msg));
    packet.finalize();
    let mut out = vec![0; packet.buffer_len()];
    packet.serialize(&mut out);
    out
}

/// An IPv4 address message for `addr/prefix` on link `index`.
fn addr_msg(index: u32, addr: Ipv4Addr, prefix: u8) -> AddressMessage {
    let mut msg = AddressMessage::default();
    msg.header.family = AddressFamily::Inet;
    msg.header.prefix_len = prefix;
    msg.header.index = index;
    msg.header.scope = if addr.is_loopback() {
        AddressScope::Host
    } else {
        AddressScope::Universe
    };
    msg.attributes = vec![
        AddressAttribute::Local(addr.into()),
        AddressAttribute::Address(addr.into()),
    ];
    msg
}

#[cfg(test)]
mod tests {
    use super::super::netns::{self, tests::TestNs};
    use super::*;
    use std::os::fd::AsFd;
    use std::process::Command;
    use std::time::{Duration, Instant};

    /// Runs `f` with a fresh socket inside namespace `ns`.
    fn in_ns<T: Send>(ns: &TestNs, f: impl FnOnce(&mut Netlink) -> T + Send) -> T {
        netns::run_in(&ns.0, || f(&mut Netlink::open().expect("open netlink"))).unwrap()
    }

    /// Runs a command that must succeed; its stdout.
    fn run(cmd: &str, args: &[&str]) -> String {
        let out = Command::new(cmd).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{cmd} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// `ip -d -j link show DEV` in `ns`, parsed.
    fn ip_link_json(ns: &str, dev: &str) -> serde_json::Value {
        let out = run("ip", &["-n", ns, "-d", "-j", "link", "show", "dev", dev]);
        serde_json::from_str::<serde_json::Value>(&out).unwrap()[0].clone()
    }

    fn get(nl: &mut Netlink, name: &str) -> KLink {
        nl.link(name)
            .unwrap()
            .unwrap_or_else(|| panic!("no link {name}"))
    }

    const MAC: [u8; 6] = [0x02, 0x08, 0x20, 0x00, 0x00, 0x01];
    const MAC2: [u8; 6] = [0x02, 0x08, 0x20, 0x00, 0x00, 0x02];

    #[test]
    fn error_text_reads_like_iproute2() {
        let e = NlError {
            op: "ip link add vnic1 type veth peer name xb5p".into(),
            errno: libc::EEXIST,
        };
        assert_eq!(
            e.to_string(),
            "ip link add vnic1 type veth peer name xb5p: File exists"
        );
    }

    #[test]
    fn lists_the_links_of_this_namespace() {
        // Read-only: every device of the namespace the tests run in parses.
        let mut nl = Netlink::open().unwrap();
        let links = nl.links().unwrap();
        let lo = links.iter().find(|l| l.name == "lo").unwrap();
        assert!(lo.loopback && lo.kind == LinkKind::Plain);
        assert_eq!(nl.link("lo").unwrap().as_ref(), Some(lo));
        nl.addrs().unwrap();
    }

    #[test]
    fn bridge_veth_macvlan() {
        let Some(ns) = TestNs::new("links") else {
            return;
        };
        let br = in_ns(&ns, |nl| {
            let lo = get(nl, "lo");
            assert!(lo.loopback && !lo.ether && lo.kind == LinkKind::Plain);

            nl.add_bridge("br0", 1500).unwrap();
            assert!(!get(nl, "br0").admin_up, "made down");
            nl.bring_up("br0", "xbow etherstub stub0").unwrap();
            let br = get(nl, "br0").index;
            let link = nl
                .links()
                .unwrap()
                .into_iter()
                .find(|l| l.name == "br0")
                .unwrap();
            assert_eq!(link.index, br);
            assert_eq!(link.kind, LinkKind::Bridge);
            assert_eq!(link.alias.as_deref(), Some("xbow etherstub stub0"));
            assert_eq!(link.mtu, 1500);
            assert_eq!(link.group, GROUP, "tagged from its creation");
            assert!(link.ether && link.admin_up && link.master.is_none());
            br
        });
        let shown = run("ip", &["-n", &ns.0, "link", "show", "dev", "br0"]);
        assert!(shown.contains("alias xbow etherstub stub0"), "{shown}");
        let info = &ip_link_json(&ns.0, "br0")["linkinfo"]["info_data"];
        assert_eq!(info["stp_state"], 0, "{info}");
        assert_eq!(info["forward_delay"], 0, "{info}");

        in_ns(&ns, |nl| {
            nl.add_veth("vn0", MAC, "vn0p", 1400, Some(br)).unwrap();
            nl.bring_up("vn0p", "").unwrap();
            nl.bring_up("vn0", "xbow vnic vn0").unwrap();
            let (va, vb) = (get(nl, "vn0"), get(nl, "vn0p"));
            let (a, b) = (va.index, vb.index);
            assert_eq!((va.master, vb.master), (None, Some(br)));
            assert!(va.admin_up && vb.admin_up);
            assert_eq!((va.kind, vb.kind), (LinkKind::Veth, LinkKind::Veth));
            assert_eq!(va.mac, Some(MAC));
            assert_eq!((va.mtu, vb.mtu), (1400, 1400));
            assert!(va.max_mtu.is_some_and(|m| m >= 9000));
            assert_eq!(va.alias.as_deref(), Some("xbow vnic vn0"));
            assert_eq!(vb.alias, None);

            for i in [br, a, b] {
                nl.set_up(i, true).unwrap();
            }
            assert!(get(nl, "vn0").admin_up);
            // Operational state follows the carrier asynchronously.
            let start = Instant::now();
            while get(nl, "vn0").oper != OperState::Up {
                assert!(start.elapsed() < Duration::from_secs(5), "vn0 never up");
                std::thread::sleep(Duration::from_millis(20));
            }

            nl.add_macvlan("mv0", a, MAC2).unwrap();
            nl.bring_up("mv0", "xbow vnic mv0").unwrap();
            let m = get(nl, "mv0");
            let mv = m.index;
            assert_eq!(m.kind, LinkKind::Macvlan);
            assert_eq!(m.mac, Some(MAC2));
            assert_eq!(m.alias.as_deref(), Some("xbow vnic mv0"));

            nl.set_mtu(a, 1450).unwrap();
            assert_eq!(get(nl, "vn0").mtu, 1450);
            nl.bring_up("vn0p", "again").unwrap();
            assert_eq!(get(nl, "vn0p").alias.as_deref(), Some("again"));
            nl.set_up(a, false).unwrap();
            assert!(!get(nl, "vn0").admin_up);

            nl.del_link(mv).unwrap();
            nl.del_link(a).unwrap();
            let names: Vec<String> = nl.links().unwrap().into_iter().map(|l| l.name).collect();
            assert_eq!(names, ["lo", "br0"]);
        });
    }

    #[test]
    fn move_between_namespaces() {
        let (Some(a), Some(b)) = (TestNs::new("mva"), TestNs::new("mvb")) else {
            return;
        };
        in_ns(&a, |nl| {
            nl.add_veth("mv0", MAC, "mv0p", 1500, None).unwrap();
            let v = get(nl, "mv0").index;
            nl.bring_up("mv0", "moved").unwrap();
            let home = netns::current().unwrap();
            let away = netns::open(&b.0).unwrap();
            nl.set_netns(v, away.as_fd()).unwrap();
            assert_eq!(nl.link("mv0").unwrap(), None);
            assert!(nl.link("mv0p").unwrap().is_some());

            in_ns(&b, |nl| {
                let there = get(nl, "mv0");
                assert_eq!(there.mac, Some(MAC));
                assert_eq!(there.alias.as_deref(), Some("moved"));
                nl.set_netns(there.index, home.as_fd()).unwrap();
                assert_eq!(nl.link("mv0").unwrap(), None);
            });
            assert_eq!(get(nl, "mv0").mac, Some(MAC));
        });
    }

    #[test]
    fn addresses_and_default_route() {
        let Some(ns) = TestNs::new("addr") else {
            return;
        };
        let ip = Ipv4Addr::new(192, 0, 2, 1);
        let a = in_ns(&ns, |nl| {
            nl.add_veth("r0", MAC, "r0p", 1500, None).unwrap();
            nl.bring_up("r0p", "").unwrap();
            nl.bring_up("r0", "").unwrap();
            let a = get(nl, "r0").index;
            nl.add_addr(a, ip, 24).unwrap();
            assert!(nl.addrs().unwrap().contains(&(a, ip, 24)));
            let dup = nl.add_addr(a, ip, 24).unwrap_err();
            assert_eq!(dup.errno, libc::EEXIST);
            assert_eq!(dup.op, "ip addr add 192.0.2.1/24 brd + dev r0");
            nl.set_default_route(Ipv4Addr::new(192, 0, 2, 254)).unwrap();
            a
        });
        let shown = run("ip", &["-n", &ns.0, "-4", "addr", "show", "dev", "r0"]);
        assert!(
            shown.contains("inet 192.0.2.1/24 brd 192.0.2.255"),
            "{shown}"
        );
        let routes = run("ip", &["-n", &ns.0, "route"]);
        assert!(
            routes.contains("default via 192.0.2.254 dev r0"),
            "{routes}"
        );

        in_ns(&ns, |nl| {
            // Replaces, not adds.
            nl.set_default_route(Ipv4Addr::new(192, 0, 2, 253)).unwrap();
        });
        let routes = run("ip", &["-n", &ns.0, "route"]);
        let defaults: Vec<&str> = routes
            .lines()
            .filter(|l| l.starts_with("default"))
            .collect();
        assert_eq!(defaults.len(), 1, "{routes}");
        assert!(
            defaults[0].starts_with("default via 192.0.2.253 dev r0"),
            "{routes}"
        );

        in_ns(&ns, |nl| {
            nl.del_addr(a, ip, 24).unwrap();
            assert!(!nl.addrs().unwrap().iter().any(|x| x.0 == a));
            // Deleting a missing address: EADDRNOTAVAIL.
            assert_eq!(
                nl.del_addr(a, ip, 24).unwrap_err().errno,
                libc::EADDRNOTAVAIL
            );
        });
    }

    #[test]
    fn error_cases() {
        let Some(ns) = TestNs::new("err") else {
            return;
        };
        in_ns(&ns, |nl| {
            nl.add_bridge("e0", 1500).unwrap();
            let dup = nl.add_bridge("e0", 1500).unwrap_err();
            assert_eq!(dup.errno, libc::EEXIST);
            assert_eq!(
                dup.to_string(),
                "ip link add e0 mtu 1500 arp off type bridge stp_state 0 forward_delay 0: File exists"
            );
            let dup = nl.add_veth("e0", MAC, "e0p", 1500, None).unwrap_err();
            assert_eq!(nl.bring_up("nosuch0", "").unwrap_err().errno, libc::ENODEV);
            nl.del_named("e0").unwrap();
            assert_eq!(nl.del_named("e0").unwrap_err().errno, libc::ENODEV);
            nl.add_bridge("e0", 1500).unwrap();
            assert_eq!(dup.errno, libc::EEXIST);

            let missing = nl.del_link(999_999).unwrap_err();
            assert_eq!(missing.errno, libc::ENODEV);
            assert_eq!(missing.op, "ip link delete dev ifindex 999999");
            assert_eq!(nl.set_up(999_999, true).unwrap_err().errno, libc::ENODEV);
            assert_eq!(nl.link("nosuch").unwrap(), None);

            // This kernel has no CONFIG_VLAN_8021Q: "Unknown device type".
            let br = get(nl, "e0").index;
            let vlan = nl.add_vlan("e0.5", br, 5).unwrap_err();
            assert_eq!(vlan.errno, libc::EOPNOTSUPP);
            assert_eq!(vlan.op, "ip link add e0.5 link e0 type vlan id 5");
            assert_eq!(nl.link("e0.5").unwrap(), None);

            // Names are at most 15 bytes; the kernel answers ERANGE.
            let long = nl.add_bridge("a23456789012345x", 1500).unwrap_err();
            assert_eq!(long.errno, libc::ERANGE);
        });
    }

    #[test]
    fn many_veth_pairs() {
        let Some(ns) = TestNs::new("many") else {
            return;
        };
        in_ns(&ns, |nl| {
            let start = Instant::now();
            for i in 0..200u8 {
                let mac = [0x02, 0x08, 0x20, 0, 1, i];
                nl.add_veth(&format!("s{i}"), mac, &format!("s{i}p"), 1500, None)
                    .unwrap();
                nl.bring_up(&format!("s{i}"), "xbow vnic").unwrap();
            }
            let created = start.elapsed();
            let start = Instant::now();
            let links = nl.links().unwrap();
            let listed = start.elapsed();
            eprintln!("200 veth pairs: created in {created:?}, listed in {listed:?}");
            assert_eq!(links.len(), 401);
            assert_eq!(
                links
                    .iter()
                    .filter(|l| l.alias.as_deref() == Some("xbow vnic"))
                    .count(),
                200
            );
            assert!(created < Duration::from_secs(60));
        });
    }
}
