//! libdladm's link property table: every public property `dladm
//! show-linkprop` / `set-linkprop` / `reset-linkprop` knows, in table order,
//! with what libdladm decides about it without asking the kernel.
//!
//! Source: `prop_table[]` and the `*_vals[]` option lists in
//! `usr/src/lib/libdladm/common/linkprop.c`. The newest copies read are
//! omniosorg/illumos-omnios @ `38bc8e17` and @ `c9e485fb` (identical
//! tables; copyrights up to 2023 Oxide, with `adv_fec_cap`, the 25G–400G
//! capabilities and `media`), 77 properties. The illumos/illumos-gate copies
//! held by the code index are older (@ `09f6bcf7`, 2013; @ `9fa5bdf1`,
//! 2015) and lack the FEC, 25G/50G/200G/400G and `media` entries (2013 also
//! 2500/5000); a newer illumos-gate `linkprop.c` could not be read, so that
//! gate HEAD has nothing after `media` is unverified (reference
//! `linkprop.md` §0, §8.1).
//!
//! Class masks and `DATALINK_MEDIA_ACCEPTED` are from illumos-gate
//! `usr/src/uts/common/sys/dls_mgmt.h` (@ `17a26706`); the listing rules
//! from `dladm_walk_linkprop` (linkprop.c) and `show_linkprop` /
//! `linkprop_is_supported` (`usr/src/cmd/dladm/dladm.c`, omniosorg @
//! `2f9f5929`).

use super::link::{ClassMask, LinkClass, Media};
use super::status::DlStatus;

/// `pd_dmedia`: the media a property applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaMatch {
    /// `DATALINK_ANY_MEDIATYPE`.
    Any,
    /// One DLPI media type (`DL_ETHER`, `DL_WIFI`, `DL_IB`, `DL_IPV6`).
    Only(Media),
}

impl MediaMatch {
    /// `DATALINK_MEDIA_ACCEPTED(pd_dmedia, media)` (`sys/dls_mgmt.h`).
    pub fn accepts(self, media: Media) -> bool {
        match self {
            MediaMatch::Any => true,
            MediaMatch::Only(m) => m == media,
        }
    }
}

/// `pd_flags`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropFlags(u8);

impl PropFlags {
    pub const NONE: PropFlags = PropFlags(0);
    /// `PD_TEMPONLY`: cannot be persistent (`set-linkprop` without `-t` →
    /// `TEMPONLY`; `show-linkprop -P` → `TEMPONLY`).
    pub const TEMPONLY: PropFlags = PropFlags(0x1);
    /// `PD_CHECK_ALLOC`: `pd_check` allocates the values; a reset goes
    /// through `pd_check(NULL)` instead of `i_dladm_getset_defval`.
    pub const CHECK_ALLOC: PropFlags = PropFlags(0x2);
    /// `PD_AFTER_PERM`: applied after the persistent store is written; `-t`
    /// → `PERMONLY` (`change must be persistent`).
    pub const AFTER_PERM: PropFlags = PropFlags(0x4);

    pub const fn or(self, other: PropFlags) -> PropFlags {
        PropFlags(self.0 | other.0)
    }

    pub fn contains(self, other: PropFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

/// `pd_defval.vd_name`: how `dladm_get_linkprop(DLADM_PROP_VAL_DEFAULT)`
/// answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefVal {
    /// `NULL`: `NOTSUP` (DEFAULT printed `--`, empty with `-c`); a reset is
    /// `NOTSUP` too.
    Unset,
    /// A literal printed as is (also with `-c`); a reset hands the table's
    /// value to `pd_set`.
    Literal(&'static str),
    /// `""`: `pd_get` is asked with `DLD_PROP_DEFAULT` (usually the kernel's
    /// `mac_prop_info` answer; see [`PropDesc::static_default`]).
    FromGetter,
}

/// `pd_set`. `None` in the table means read-only: PERM `r-` without asking
/// the kernel, `set-linkprop` → `PROPRDONLY` (`read-only property`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setter {
    /// `set_public_prop`: the value goes to the kernel as the MAC property
    /// of the same name (`DLDIOC_SETMACPROP`).
    PublicProp,
    /// `set_public_bitprop`: the option values OR-ed into one bit mask.
    PublicBitprop,
    /// `set_resource`: a field of `mac_resource_props_t` (`resource`), per
    /// `rsrc_prop_table[]`.
    Resource,
    /// `set_zone`.
    Zone,
    /// `set_rate`: WiFi only (`PROPRDONLY` on other media).
    Rate,
    /// `set_powermode`.
    Powermode,
    /// `set_radio`.
    Radio,
    /// `set_stp_prop`: the bridge daemon's port configuration.
    StpProp,
    /// `set_bridge_forward`.
    BridgeForward,
    /// `set_bridge_pvid`.
    BridgePvid,
    /// `set_secondary_macs`.
    SecondaryMacs,
    /// `set_promisc_filtered`.
    PromiscFiltered,
}

/// `pd_get`: where VALUE (and PERM for settable properties) comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Getter {
    /// `get_channel` (WiFi; PERM read).
    Channel,
    /// `get_powermode` (WiFi; PERM rw).
    Powermode,
    /// `get_radio` (WiFi; PERM rw).
    Radio,
    /// `get_linkmode_prop` (IB partitions: `cm`/`ud`).
    LinkmodeProp,
    /// `get_rate`: `get_speed` (kstat `ifspeed` in Mb/s, PERM read, the
    /// DEFAULT query answered with the current value) except on WiFi.
    Rate,
    /// `get_autopush` (DEFAULT → `NOTDEFINED`).
    Autopush,
    /// `get_zone` (any query with flags, DEFAULT included → `NOTSUP`).
    Zone,
    /// `get_duplex` (kstat `link_duplex`: `half`/`full`/`unknown`; the
    /// DEFAULT query answered with the current value).
    Duplex,
    /// `get_link_state` (`up`/`down`/`unknown`; PERM read).
    LinkState,
    /// `get_binary` (`0`/`1`).
    Binary,
    /// `get_uint32`.
    Uint32,
    /// `get_flowctl` (`no`/`tx`/`rx`/`bi`).
    Flowctl,
    /// `get_bits`: the option names whose bits are set.
    Bits,
    /// `get_secondary_macs`.
    SecondaryMacs,
    /// `get_maxbw` (from `resource`).
    Maxbw,
    /// `get_cpus` (`resource`, or `resource-effective` for `cpus-effective`).
    Cpus,
    /// `get_pool` (likewise).
    Pool,
    /// `get_priority`.
    Priority,
    /// `get_tagmode`.
    Tagmode,
    /// `get_bridge_forward` (PERM rw).
    BridgeForward,
    /// `get_bridge_pvid` (PERM rw).
    BridgePvid,
    /// `get_stp` (PERM rw).
    Stp,
    /// `get_protection`.
    Protection,
    /// `get_promisc_filtered`.
    PromiscFiltered,
    /// `get_allowedips`.
    AllowedIps,
    /// `get_allowedcids`.
    AllowedCids,
    /// `get_rxrings`.
    Rxrings,
    /// `get_txrings`.
    Txrings,
    /// `get_cntavail` (DEFAULT → `NOTDEFINED`; else `get_uint32`).
    Cntavail,
    /// `get_media` (`dladm_ether_media_vals[]` names on Ethernet).
    Media,
}

/// `pd_getmod`: POSSIBLE computed at run time instead of the option list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GetMod {
    /// `get_range`: the kernel's `mac_propval_range_t`, each range `"%ld"`
    /// or `"%ld-%ld"`; no range → `--`.
    Range,
    /// `get_rings_range`: `sw,hw`, `sw,hw,N` or `sw,hw,<MIN-MAX>`, or empty.
    RingsRange,
    /// `get_rate_mod`: `NOTSUP` on `DL_ETHER`, the supported rates on
    /// `DL_WIFI`, `BADARG` on other media.
    RateMod,
}

/// `pd_check`: the value check `i_dladm_set_single_prop` runs before
/// `pd_set`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// `check_prop`: each value must match an option name
    /// (case-insensitively), else `BADVAL`. Also what runs for a property
    /// without `pd_check` that has an option list.
    Prop,
    /// `check_rate`: one value among the WiFi supported rates (`get_rate_mod`
    /// first, so `NOTSUP` on Ethernet).
    Rate,
    /// `check_autopush`: one value, modules separated by `.` or space,
    /// optional `[anchor]`.
    Autopush,
    /// `check_zone`: one value, an exclusive-IP zone's name.
    Zone,
    /// `check_uint32`: exactly one value (`BADVAL` otherwise), `strtoul(…, 0)`
    /// with no further check.
    Uint32,
    /// `check_secondary_macs`: fewer than `MPT_MAXMACADDR` MAC addresses.
    SecondaryMacs,
    /// `check_maxbw`: one value, `dladm_str2bw`, at least `MRP_MAXBW_MINVAL`
    /// unless 0.
    Maxbw,
    /// `check_cpus`: CPU ids and ranges.
    Cpus,
    /// `check_pool`: one pool name.
    Pool,
    /// `check_hoplimit`: one value, 1..255.
    Hoplimit,
    /// `check_encaplim`: `DL_IPV6` only, one value, 0..255.
    Encaplim,
    /// `check_bridge_pvid`: one value, 0..4094.
    BridgePvid,
    /// `check_stp_prop`: `stp_priority` 0..255, `stp_cost` `auto` or
    /// 0..65535, `stp_mcheck` numeric.
    StpProp,
    /// `check_allowedips`: at most `MPT_MAXIPADDR` addresses, `addr[/len]`.
    AllowedIps,
    /// `check_allowedcids`: at most `MPT_MAXCID` DHCP client ids.
    AllowedCids,
    /// `check_rings`: `sw`, `hw` or a ring count.
    Rings,
}

/// One `prop_table[]` entry (`struct prop_desc`), fields in C order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropDesc {
    /// `pd_name`, the spelling libdladm stores and prints when walking.
    pub name: &'static str,
    /// `pd_defval.vd_name`.
    pub default: DefVal,
    /// `pd_optval` names, in table order (POSSIBLE when there is no
    /// `pd_getmod`, and what `check_prop` accepts).
    pub optval: &'static [&'static str],
    /// `pd_set`; `None` is read-only.
    pub set: Option<Setter>,
    /// `pd_getmod`.
    pub getmod: Option<GetMod>,
    /// `pd_get`.
    pub get: Getter,
    /// `pd_check`.
    pub check: Option<Check>,
    /// `pd_flags`.
    pub flags: PropFlags,
    /// `pd_class`.
    pub classes: ClassMask,
    /// `pd_dmedia`.
    pub media: MediaMatch,
}

/// What libdladm answers for a DEFAULT or POSSIBLE query without asking the
/// kernel or looking at the link's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// One string, printed as is.
    Text(&'static str),
    /// Several strings, joined with `,` by dladm's `print_linkprop`.
    List(&'static [&'static str]),
    /// A status: `NOTSUP` and `NOTDEFINED` print `--` (empty with `-c`);
    /// others are errors (`?` and a warning).
    Status(DlStatus),
    /// Decided at run time (the kernel, the driver, the link's state).
    Dynamic,
}

impl PropDesc {
    /// Whether the property exists for a link of this class and media
    /// (the test in `dladm_walk_linkprop`, `dladm_get_linkprop` and
    /// `i_dladm_set_single_prop`; a mismatch is `BADARG` there).
    pub fn applies_to(&self, class: LinkClass, media: Media) -> bool {
        self.classes.contains(class) && self.media.accepts(media)
    }

    /// No `pd_set`: PERM `r-` whatever the kernel says, and `set-linkprop`
    /// / `reset-linkprop` → `PROPRDONLY`.
    pub fn read_only(&self) -> bool {
        self.set.is_none()
    }

    /// Whether PERM is `r-` on a link of this media whatever the driver
    /// says: read-only properties, and `speed` off WiFi (`get_rate` →
    /// `get_speed` answers `MAC_PROP_PERM_READ`; `set_rate` refuses non-WiFi
    /// links).
    pub fn read_only_on(&self, media: Media) -> bool {
        self.read_only() || (self.get == Getter::Rate && media != Media::WIFI)
    }

    /// The value check a set runs (`i_dladm_set_single_prop`): `pd_check`,
    /// else `check_prop` when there is an option list, else none (`BADARG`).
    pub fn value_check(&self) -> Option<Check> {
        self.check
            .or((!self.optval.is_empty()).then_some(Check::Prop))
    }

    /// DEFAULT as `dladm_get_linkprop(DLADM_PROP_VAL_DEFAULT)` answers it
    /// before any kernel call: the literal, `NOTSUP` for no default,
    /// `NOTDEFINED`/`NOTSUP` where the getter refuses the default query
    /// (`get_autopush`, `get_cntavail`, `get_zone`).
    pub fn static_default(&self) -> Answer {
        match self.default {
            DefVal::Unset => Answer::Status(DlStatus::Notsup),
            DefVal::Literal(s) => Answer::Text(s),
            DefVal::FromGetter => match self.get {
                Getter::Autopush | Getter::Cntavail => Answer::Status(DlStatus::Notdefined),
                Getter::Zone => Answer::Status(DlStatus::Notsup),
                _ => Answer::Dynamic,
            },
        }
    }

    /// POSSIBLE as `dladm_get_linkprop(DLADM_PROP_VAL_MODIFIABLE)` answers
    /// it for a link of this media: `pd_getmod` if any, else the option
    /// list, else `NOTSUP`.
    pub fn static_possible(&self, media: Media) -> Answer {
        match self.getmod {
            Some(GetMod::RateMod) if media == Media::ETHER => Answer::Status(DlStatus::Notsup),
            Some(GetMod::RateMod) if media != Media::WIFI => Answer::Status(DlStatus::Badarg),
            Some(_) => Answer::Dynamic,
            None if self.optval.is_empty() => Answer::Status(DlStatus::Notsup),
            None => Answer::List(self.optval),
        }
    }
}

// Option lists (`*_vals[]` in linkprop.c), names in table order.

/// `link_01_vals`.
const LINK_01_VALS: &[&str] = &["1", "0"];
/// `link_duplex_vals`.
const LINK_DUPLEX_VALS: &[&str] = &["half", "full"];
/// `link_status_vals`.
const LINK_STATUS_VALS: &[&str] = &["up", "down"];
/// `link_flow_vals`.
const LINK_FLOW_VALS: &[&str] = &["no", "tx", "rx", "bi"];
/// `link_fec_vals` (`LINK_FEC_NONE`, `_AUTO`, `_RS`, `_BASE_R` bits).
const LINK_FEC_VALS: &[&str] = &["none", "auto", "rs", "base-r"];
/// `link_priority_vals`.
const LINK_PRIORITY_VALS: &[&str] = &["low", "medium", "high"];
/// `link_tagmode_vals`.
const LINK_TAGMODE_VALS: &[&str] = &["normal", "vlanonly"];
/// `link_protect_vals` (`MPT_MACNOSPOOF`, `_RESTRICTED`, `_IPNOSPOOF`,
/// `_DHCPNOSPOOF`).
const LINK_PROTECT_VALS: &[&str] = &["mac-nospoof", "restricted", "ip-nospoof", "dhcp-nospoof"];
/// `link_promisc_filtered_vals`.
const LINK_PROMISC_FILTERED_VALS: &[&str] = &["off", "on"];
/// `dladm_wlan_radio_vals`.
const WLAN_RADIO_VALS: &[&str] = &["on", "off"];
/// `dladm_wlan_powermode_vals`.
const WLAN_POWERMODE_VALS: &[&str] = &["off", "fast", "max"];
/// `stp_p2p_vals`.
const STP_P2P_VALS: &[&str] = &["true", "false", "auto"];
/// `dladm_part_linkmode_vals`.
const PART_LINKMODE_VALS: &[&str] = &["cm", "ud"];

// Class masks used by the table.

const fn classes(list: &[LinkClass]) -> ClassMask {
    let mut bits = 0;
    let mut i = 0;
    while i < list.len() {
        bits |= list[i].bit();
        i += 1;
    }
    ClassMask(bits)
}

/// `DATALINK_CLASS_ALL`.
const ALL: ClassMask = ClassMask::ALL;
const PHYS: ClassMask = classes(&[LinkClass::Phys]);
const VNIC: ClassMask = classes(&[LinkClass::Vnic]);
const PART: ClassMask = classes(&[LinkClass::Part]);
const IPTUN: ClassMask = classes(&[LinkClass::Iptun]);
/// `tagmode`: `PHYS | AGGR | VNIC`.
const PHYS_AGGR_VNIC: ClassMask = classes(&[LinkClass::Phys, LinkClass::Aggr, LinkClass::Vnic]);
/// `forward`: `DATALINK_CLASS_ALL & ~DATALINK_CLASS_VNIC`.
const ALL_BUT_VNIC: ClassMask = ClassMask(ClassMask::ALL.0 & !LinkClass::Vnic.bit());
/// The bridging properties: `PHYS | AGGR | ETHERSTUB | SIMNET`.
const BRIDGEABLE: ClassMask = classes(&[
    LinkClass::Phys,
    LinkClass::Aggr,
    LinkClass::Etherstub,
    LinkClass::Simnet,
]);

const ETHER: MediaMatch = MediaMatch::Only(Media::ETHER);
const ANY: MediaMatch = MediaMatch::Any;

/// `adv_<speed>_cap`: read-only, `get_binary`, `link_01_vals`, PHYS/Ethernet.
const ADV_CAP: PropDesc = PropDesc {
    name: "",
    default: DefVal::FromGetter,
    optval: LINK_01_VALS,
    set: None,
    getmod: None,
    get: Getter::Binary,
    check: None,
    flags: PropFlags::NONE,
    classes: PHYS,
    media: ETHER,
};
/// `en_<speed>_cap`: as `adv_` but set with `set_public_prop`.
const EN_CAP: PropDesc = PropDesc {
    set: Some(Setter::PublicProp),
    ..ADV_CAP
};
/// Resource properties set through `set_resource` (`maxbw`, `cpus`, …).
const RESOURCE: PropDesc = PropDesc {
    name: "",
    default: DefVal::Literal("--"),
    optval: &[],
    set: Some(Setter::Resource),
    getmod: None,
    get: Getter::Maxbw,
    check: None,
    flags: PropFlags::NONE,
    classes: ALL,
    media: ANY,
};
/// The read-only `-effective` and `-available` companions.
const READ_ONLY_ALL: PropDesc = PropDesc {
    set: None,
    ..RESOURCE
};
/// The STP port properties (`set_stp_prop`, `get_stp`, `PD_AFTER_PERM`).
const STP: PropDesc = PropDesc {
    name: "",
    default: DefVal::Literal("1"),
    optval: &[],
    set: Some(Setter::StpProp),
    getmod: None,
    get: Getter::Stp,
    check: None,
    flags: PropFlags::AFTER_PERM,
    classes: BRIDGEABLE,
    media: ETHER,
};

/// `prop_table[]`, in table order (77 entries).
pub static PROP_TABLE: &[PropDesc] = &[
    PropDesc {
        name: "channel",
        default: DefVal::Unset,
        optval: &[],
        set: None,
        getmod: None,
        get: Getter::Channel,
        check: None,
        flags: PropFlags::NONE,
        classes: PHYS,
        media: MediaMatch::Only(Media::WIFI),
    },
    PropDesc {
        name: "powermode",
        default: DefVal::Literal("off"),
        optval: WLAN_POWERMODE_VALS,
        set: Some(Setter::Powermode),
        getmod: None,
        get: Getter::Powermode,
        check: None,
        flags: PropFlags::NONE,
        classes: PHYS,
        media: MediaMatch::Only(Media::WIFI),
    },
    PropDesc {
        name: "radio",
        default: DefVal::Literal("on"),
        optval: WLAN_RADIO_VALS,
        set: Some(Setter::Radio),
        getmod: None,
        get: Getter::Radio,
        check: None,
        flags: PropFlags::NONE,
        classes: PHYS,
        media: MediaMatch::Only(Media::WIFI),
    },
    PropDesc {
        name: "linkmode",
        default: DefVal::Literal("cm"),
        optval: PART_LINKMODE_VALS,
        set: Some(Setter::PublicProp),
        getmod: None,
        get: Getter::LinkmodeProp,
        check: None,
        flags: PropFlags::NONE,
        classes: PART,
        media: MediaMatch::Only(Media::IB),
    },
    PropDesc {
        name: "speed",
        default: DefVal::FromGetter,
        optval: &[],
        set: Some(Setter::Rate),
        getmod: Some(GetMod::RateMod),
        get: Getter::Rate,
        check: Some(Check::Rate),
        flags: PropFlags::NONE,
        classes: PHYS,
        media: ANY,
    },
    PropDesc {
        name: "autopush",
        default: DefVal::FromGetter,
        optval: &[],
        set: Some(Setter::PublicProp),
        getmod: None,
        get: Getter::Autopush,
        check: Some(Check::Autopush),
        flags: PropFlags::CHECK_ALLOC,
        classes: ALL,
        media: ANY,
    },
    PropDesc {
        name: "zone",
        default: DefVal::FromGetter,
        optval: &[],
        set: Some(Setter::Zone),
        getmod: None,
        get: Getter::Zone,
        check: Some(Check::Zone),
        flags: PropFlags::TEMPONLY.or(PropFlags::CHECK_ALLOC),
        classes: ALL,
        media: ANY,
    },
    PropDesc {
        name: "duplex",
        default: DefVal::FromGetter,
        optval: LINK_DUPLEX_VALS,
        set: None,
        getmod: None,
        get: Getter::Duplex,
        check: None,
        flags: PropFlags::NONE,
        classes: PHYS,
        media: ETHER,
    },
    PropDesc {
        name: "state",
        default: DefVal::Literal("up"),
        optval: LINK_STATUS_VALS,
        set: None,
        getmod: None,
        get: Getter::LinkState,
        check: None,
        flags: PropFlags::NONE,
        classes: ALL,
        media: ANY,
    },
    PropDesc {
        name: "adv_autoneg_cap",
        set: Some(Setter::PublicProp),
        ..ADV_CAP
    },
    PropDesc {
        name: "mtu",
        default: DefVal::FromGetter,
        optval: &[],
        set: Some(Setter::PublicProp),
        getmod: Some(GetMod::Range),
        get: Getter::Uint32,
        check: Some(Check::Uint32),
        flags: PropFlags::NONE,
        classes: ALL,
        media: ANY,
    },
    PropDesc {
        name: "flowctrl",
        optval: LINK_FLOW_VALS,
        set: Some(Setter::PublicProp),
        get: Getter::Flowctl,
        ..ADV_CAP
    },
    // `{ "", LINK_FEC_AUTO }`: the default is asked from the kernel.
    PropDesc {
        name: "adv_fec_cap",
        optval: LINK_FEC_VALS,
        get: Getter::Bits,
        ..ADV_CAP
    },
    PropDesc {
        name: "en_fec_cap",
        optval: LINK_FEC_VALS,
        set: Some(Setter::PublicBitprop),
        get: Getter::Bits,
        ..ADV_CAP
    },
    PropDesc {
        name: "secondary-macs",
        default: DefVal::Literal("--"),
        optval: &[],
        set: Some(Setter::SecondaryMacs),
        getmod: None,
        get: Getter::SecondaryMacs,
        check: Some(Check::SecondaryMacs),
        flags: PropFlags::CHECK_ALLOC,
        classes: VNIC,
        media: ETHER,
    },
    PropDesc {
        name: "adv_400gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_400gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_200gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_200gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_100gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_100gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_50gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_50gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_40gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_40gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_25gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_25gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_10gfdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_10gfdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_5000fdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_5000fdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_2500fdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_2500fdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_1000fdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_1000fdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_1000hdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_1000hdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_100fdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_100fdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_100hdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_100hdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_10fdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_10fdx_cap",
        ..EN_CAP
    },
    PropDesc {
        name: "adv_10hdx_cap",
        ..ADV_CAP
    },
    PropDesc {
        name: "en_10hdx_cap",
        ..EN_CAP
    },
    // `{ "--", RESET_VAL }` for the settable resource properties.
    PropDesc {
        name: "maxbw",
        check: Some(Check::Maxbw),
        flags: PropFlags::CHECK_ALLOC,
        ..RESOURCE
    },
    PropDesc {
        name: "cpus",
        get: Getter::Cpus,
        check: Some(Check::Cpus),
        ..RESOURCE
    },
    PropDesc {
        name: "cpus-effective",
        get: Getter::Cpus,
        ..READ_ONLY_ALL
    },
    PropDesc {
        name: "pool",
        get: Getter::Pool,
        check: Some(Check::Pool),
        ..RESOURCE
    },
    PropDesc {
        name: "pool-effective",
        get: Getter::Pool,
        ..READ_ONLY_ALL
    },
    // `{ "high", MPL_RESET }`.
    PropDesc {
        name: "priority",
        default: DefVal::Literal("high"),
        optval: LINK_PRIORITY_VALS,
        get: Getter::Priority,
        check: Some(Check::Prop),
        ..RESOURCE
    },
    PropDesc {
        name: "tagmode",
        default: DefVal::Literal("vlanonly"),
        optval: LINK_TAGMODE_VALS,
        set: Some(Setter::PublicProp),
        getmod: None,
        get: Getter::Tagmode,
        check: None,
        flags: PropFlags::NONE,
        classes: PHYS_AGGR_VNIC,
        media: ETHER,
    },
    PropDesc {
        name: "hoplimit",
        default: DefVal::FromGetter,
        optval: &[],
        set: Some(Setter::PublicProp),
        getmod: Some(GetMod::Range),
        get: Getter::Uint32,
        check: Some(Check::Hoplimit),
        flags: PropFlags::NONE,
        classes: IPTUN,
        media: ANY,
    },
    PropDesc {
        name: "encaplimit",
        default: DefVal::FromGetter,
        optval: &[],
        set: Some(Setter::PublicProp),
        getmod: Some(GetMod::Range),
        get: Getter::Uint32,
        check: Some(Check::Encaplim),
        flags: PropFlags::NONE,
        classes: IPTUN,
        media: MediaMatch::Only(Media::IPV6),
    },
    PropDesc {
        name: "forward",
        default: DefVal::Literal("1"),
        optval: LINK_01_VALS,
        set: Some(Setter::BridgeForward),
        getmod: None,
        get: Getter::BridgeForward,
        check: None,
        flags: PropFlags::AFTER_PERM,
        classes: ALL_BUT_VNIC,
        media: ETHER,
    },
    PropDesc {
        name: "default_tag",
        default: DefVal::Literal("1"),
        set: Some(Setter::BridgePvid),
        get: Getter::BridgePvid,
        check: Some(Check::BridgePvid),
        flags: PropFlags::NONE,
        ..STP
    },
    PropDesc {
        name: "learn_limit",
        default: DefVal::Literal("1000"),
        set: Some(Setter::PublicProp),
        get: Getter::Uint32,
        check: Some(Check::Uint32),
        flags: PropFlags::NONE,
        ..STP
    },
    PropDesc {
        name: "learn_decay",
        default: DefVal::Literal("200"),
        set: Some(Setter::PublicProp),
        get: Getter::Uint32,
        check: Some(Check::Uint32),
        flags: PropFlags::NONE,
        ..STP
    },
    PropDesc {
        name: "stp",
        optval: LINK_01_VALS,
        ..STP
    },
    PropDesc {
        name: "stp_priority",
        default: DefVal::Literal("128"),
        check: Some(Check::StpProp),
        ..STP
    },
    PropDesc {
        name: "stp_cost",
        default: DefVal::Literal("auto"),
        check: Some(Check::StpProp),
        ..STP
    },
    PropDesc {
        name: "stp_edge",
        optval: LINK_01_VALS,
        ..STP
    },
    PropDesc {
        name: "stp_p2p",
        default: DefVal::Literal("auto"),
        optval: STP_P2P_VALS,
        ..STP
    },
    PropDesc {
        name: "stp_mcheck",
        default: DefVal::Literal("0"),
        optval: LINK_01_VALS,
        check: Some(Check::StpProp),
        ..STP
    },
    // `{ "--", RESET_VAL }`.
    PropDesc {
        name: "protection",
        optval: LINK_PROTECT_VALS,
        get: Getter::Protection,
        check: Some(Check::Prop),
        ..RESOURCE
    },
    PropDesc {
        name: "promisc-filtered",
        default: DefVal::Literal("on"),
        optval: LINK_PROMISC_FILTERED_VALS,
        set: Some(Setter::PromiscFiltered),
        getmod: None,
        get: Getter::PromiscFiltered,
        check: Some(Check::Prop),
        flags: PropFlags::NONE,
        classes: VNIC,
        media: ANY,
    },
    PropDesc {
        name: "allowed-ips",
        get: Getter::AllowedIps,
        check: Some(Check::AllowedIps),
        flags: PropFlags::CHECK_ALLOC,
        ..RESOURCE
    },
    PropDesc {
        name: "allowed-dhcp-cids",
        get: Getter::AllowedCids,
        check: Some(Check::AllowedCids),
        flags: PropFlags::CHECK_ALLOC,
        ..RESOURCE
    },
    PropDesc {
        name: "rxrings",
        getmod: Some(GetMod::RingsRange),
        get: Getter::Rxrings,
        check: Some(Check::Rings),
        ..RESOURCE
    },
    PropDesc {
        name: "rxrings-effective",
        get: Getter::Rxrings,
        ..READ_ONLY_ALL
    },
    PropDesc {
        name: "txrings",
        getmod: Some(GetMod::RingsRange),
        get: Getter::Txrings,
        check: Some(Check::Rings),
        ..RESOURCE
    },
    PropDesc {
        name: "txrings-effective",
        get: Getter::Txrings,
        ..READ_ONLY_ALL
    },
    // `{ "", 0 }` with `get_cntavail`, which refuses the default query.
    PropDesc {
        name: "txrings-available",
        default: DefVal::FromGetter,
        get: Getter::Cntavail,
        ..READ_ONLY_ALL
    },
    PropDesc {
        name: "rxrings-available",
        default: DefVal::FromGetter,
        get: Getter::Cntavail,
        ..READ_ONLY_ALL
    },
    PropDesc {
        name: "rxhwclnt-available",
        default: DefVal::FromGetter,
        get: Getter::Cntavail,
        ..READ_ONLY_ALL
    },
    PropDesc {
        name: "txhwclnt-available",
        default: DefVal::FromGetter,
        get: Getter::Cntavail,
        ..READ_ONLY_ALL
    },
    PropDesc {
        name: "media",
        default: DefVal::Unset,
        optval: &[],
        set: None,
        getmod: None,
        get: Getter::Media,
        check: None,
        flags: PropFlags::NONE,
        classes: PHYS,
        media: ANY,
    },
];

/// The table entry for a name, matched case-insensitively as libdladm's
/// `strcasecmp` lookups do (`dladm_set_linkprop`, `dladm_get_linkprop`).
pub fn find(name: &str) -> Option<&'static PropDesc> {
    PROP_TABLE
        .iter()
        .find(|d| d.name.eq_ignore_ascii_case(name))
}

/// The properties `dladm_walk_linkprop` visits for a link of this class and
/// media, in table order: the ones `dladm show-linkprop LINK` can list.
///
/// dladm's `show_linkprop` then drops, in a non-parsable walk, a property
/// whose DEFAULT and CURRENT value both fail (`linkprop_is_supported`) —
/// in practice `media` on drivers without `MAC_PROP_MEDIA` — and
/// `_`-private properties come only from the persistent store
/// (`i_dladm_walk_linkprop_priv_db`). Neither depends on the table.
pub fn for_link(class: LinkClass, media: Media) -> impl Iterator<Item = &'static PropDesc> {
    PROP_TABLE
        .iter()
        .filter(move |d| d.applies_to(class, media))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(class: LinkClass, media: Media) -> Vec<&'static str> {
        for_link(class, media).map(|d| d.name).collect()
    }

    fn possible(name: &str) -> String {
        match find(name).unwrap().static_possible(Media::ETHER) {
            Answer::List(v) => v.join(","),
            a => panic!("{name}: {a:?}"),
        }
    }

    /// The rings and protection tail every Ethernet class shares.
    const RINGS: [&str; 8] = [
        "rxrings",
        "rxrings-effective",
        "txrings",
        "txrings-effective",
        "txrings-available",
        "rxrings-available",
        "rxhwclnt-available",
        "txhwclnt-available",
    ];

    #[test]
    fn table_size_and_unique_names() {
        assert_eq!(PROP_TABLE.len(), 77);
        for (i, a) in PROP_TABLE.iter().enumerate() {
            assert!(!a.name.is_empty());
            for b in &PROP_TABLE[i + 1..] {
                assert!(!a.name.eq_ignore_ascii_case(b.name), "{}", a.name);
            }
        }
        assert_eq!(PROP_TABLE[0].name, "channel");
        assert_eq!(PROP_TABLE[76].name, "media");
    }

    #[test]
    fn vnic_lists_24() {
        let mut want = vec![
            "autopush",
            "zone",
            "state",
            "mtu",
            "secondary-macs",
            "maxbw",
            "cpus",
            "cpus-effective",
            "pool",
            "pool-effective",
            "priority",
            "tagmode",
            "protection",
            "promisc-filtered",
            "allowed-ips",
            "allowed-dhcp-cids",
        ];
        want.extend(RINGS);
        assert_eq!(want.len(), 24);
        assert_eq!(names(LinkClass::Vnic, Media::ETHER), want);
    }

    #[test]
    fn etherstub_lists_31() {
        let mut want = vec![
            "autopush",
            "zone",
            "state",
            "mtu",
            "maxbw",
            "cpus",
            "cpus-effective",
            "pool",
            "pool-effective",
            "priority",
            "forward",
            "default_tag",
            "learn_limit",
            "learn_decay",
            "stp",
            "stp_priority",
            "stp_cost",
            "stp_edge",
            "stp_p2p",
            "stp_mcheck",
            "protection",
            "allowed-ips",
            "allowed-dhcp-cids",
        ];
        want.extend(RINGS);
        assert_eq!(want.len(), 31);
        assert_eq!(names(LinkClass::Etherstub, Media::ETHER), want);
    }

    #[test]
    fn ethernet_nic_lists_69() {
        let mut want: Vec<String> = [
            "speed",
            "autopush",
            "zone",
            "duplex",
            "state",
            "adv_autoneg_cap",
            "mtu",
            "flowctrl",
            "adv_fec_cap",
            "en_fec_cap",
        ]
        .map(String::from)
        .to_vec();
        // Each `adv_` capability immediately followed by its `en_`.
        for s in [
            "400gfdx", "200gfdx", "100gfdx", "50gfdx", "40gfdx", "25gfdx", "10gfdx", "5000fdx",
            "2500fdx", "1000fdx", "1000hdx", "100fdx", "100hdx", "10fdx", "10hdx",
        ] {
            want.push(format!("adv_{s}_cap"));
            want.push(format!("en_{s}_cap"));
        }
        let tail = [
            "maxbw",
            "cpus",
            "cpus-effective",
            "pool",
            "pool-effective",
            "priority",
            "tagmode",
            "forward",
            "default_tag",
            "learn_limit",
            "learn_decay",
            "stp",
            "stp_priority",
            "stp_cost",
            "stp_edge",
            "stp_p2p",
            "stp_mcheck",
            "protection",
            "allowed-ips",
            "allowed-dhcp-cids",
        ];
        want.extend(
            tail.iter()
                .chain(&RINGS)
                .chain(&["media"])
                .map(|s| s.to_string()),
        );
        assert_eq!(want.len(), 69);
        assert_eq!(names(LinkClass::Phys, Media::ETHER), want);
    }

    #[test]
    fn other_classes() {
        // A VLAN: `forward` but no tagmode, STP, secondary-macs (22).
        let vlan = names(LinkClass::Vlan, Media::ETHER);
        assert_eq!(vlan.len(), 22);
        assert!(vlan.contains(&"forward") && !vlan.contains(&"tagmode"));
        // WiFi NICs get the wlan properties and no Ethernet-only ones.
        let wifi = names(LinkClass::Phys, Media::WIFI);
        assert_eq!(
            &wifi[..5],
            ["channel", "powermode", "radio", "speed", "autopush"]
        );
        assert!(!wifi.contains(&"duplex") && !wifi.contains(&"forward"));
        // `encaplimit` only on IPv6 tunnels.
        assert!(names(LinkClass::Iptun, Media::IPV6).contains(&"encaplimit"));
        let v4 = names(LinkClass::Iptun, Media::IPV4);
        assert!(v4.contains(&"hoplimit") && !v4.contains(&"encaplimit"));
        // IB partitions: `linkmode`.
        assert_eq!(names(LinkClass::Part, Media::IB)[0], "linkmode");
        // Overlay and misc links are in DATALINK_CLASS_ALL.
        assert!(names(LinkClass::Overlay, Media::ETHER).contains(&"maxbw"));
    }

    #[test]
    fn find_is_case_insensitive() {
        assert_eq!(find("MTU").unwrap().name, "mtu");
        assert_eq!(find("Promisc-Filtered").unwrap().name, "promisc-filtered");
        assert_eq!(find("ADV_1000FDX_CAP").unwrap().name, "adv_1000fdx_cap");
        assert!(find("foo").is_none());
        assert!(find("mtu ").is_none());
        assert!(find("_linkstate").is_none());
    }

    #[test]
    fn read_only() {
        for ro in [
            "state",
            "cpus-effective",
            "pool-effective",
            "duplex",
            "channel",
            "media",
            "adv_1000fdx_cap",
            "adv_fec_cap",
            "txrings-available",
        ] {
            let d = find(ro).unwrap();
            assert!(d.read_only(), "{ro}");
            assert!(d.read_only_on(Media::ETHER), "{ro}");
        }
        for rw in [
            "mtu",
            "maxbw",
            "priority",
            "tagmode",
            "protection",
            "zone",
            "en_fec_cap",
        ] {
            assert!(!find(rw).unwrap().read_only(), "{rw}");
        }
        // `speed` has a setter (WiFi) but is `r-` on Ethernet.
        let speed = find("speed").unwrap();
        assert!(!speed.read_only());
        assert!(speed.read_only_on(Media::ETHER));
        assert!(!speed.read_only_on(Media::WIFI));
    }

    #[test]
    fn possible_values() {
        assert_eq!(possible("state"), "up,down");
        assert_eq!(possible("tagmode"), "normal,vlanonly");
        assert_eq!(
            possible("protection"),
            "mac-nospoof,restricted,ip-nospoof,dhcp-nospoof"
        );
        assert_eq!(possible("priority"), "low,medium,high");
        assert_eq!(possible("stp"), "1,0");
        assert_eq!(possible("forward"), "1,0");
        assert_eq!(possible("stp_p2p"), "true,false,auto");
        assert_eq!(possible("stp_mcheck"), "1,0");
        assert_eq!(possible("promisc-filtered"), "off,on");
        assert_eq!(possible("duplex"), "half,full");
        assert_eq!(possible("flowctrl"), "no,tx,rx,bi");
        assert_eq!(possible("en_fec_cap"), "none,auto,rs,base-r");
        assert_eq!(possible("en_10gfdx_cap"), "1,0");
        let notsup = Answer::Status(DlStatus::Notsup);
        for p in [
            "maxbw",
            "cpus",
            "zone",
            "autopush",
            "default_tag",
            "stp_cost",
        ] {
            assert_eq!(
                find(p).unwrap().static_possible(Media::ETHER),
                notsup,
                "{p}"
            );
        }
        for p in ["mtu", "rxrings", "txrings", "hoplimit"] {
            assert_eq!(
                find(p).unwrap().static_possible(Media::ETHER),
                Answer::Dynamic,
                "{p}"
            );
        }
        let speed = find("speed").unwrap();
        assert_eq!(speed.static_possible(Media::ETHER), notsup);
        assert_eq!(speed.static_possible(Media::WIFI), Answer::Dynamic);
        assert_eq!(
            speed.static_possible(Media::IB),
            Answer::Status(DlStatus::Badarg)
        );
    }

    #[test]
    fn defaults() {
        let d = |n: &str| find(n).unwrap().static_default();
        assert_eq!(d("state"), Answer::Text("up"));
        assert_eq!(d("priority"), Answer::Text("high"));
        assert_eq!(d("tagmode"), Answer::Text("vlanonly"));
        assert_eq!(d("promisc-filtered"), Answer::Text("on"));
        assert_eq!(d("maxbw"), Answer::Text("--"));
        assert_eq!(d("secondary-macs"), Answer::Text("--"));
        assert_eq!(d("forward"), Answer::Text("1"));
        assert_eq!(d("learn_limit"), Answer::Text("1000"));
        assert_eq!(d("learn_decay"), Answer::Text("200"));
        assert_eq!(d("stp_priority"), Answer::Text("128"));
        assert_eq!(d("stp_cost"), Answer::Text("auto"));
        assert_eq!(d("stp_mcheck"), Answer::Text("0"));
        assert_eq!(d("zone"), Answer::Status(DlStatus::Notsup));
        assert_eq!(d("channel"), Answer::Status(DlStatus::Notsup));
        assert_eq!(d("media"), Answer::Status(DlStatus::Notsup));
        assert_eq!(d("autopush"), Answer::Status(DlStatus::Notdefined));
        assert_eq!(
            d("rxhwclnt-available"),
            Answer::Status(DlStatus::Notdefined)
        );
        for n in [
            "mtu",
            "speed",
            "duplex",
            "en_1000fdx_cap",
            "flowctrl",
            "hoplimit",
        ] {
            assert_eq!(d(n), Answer::Dynamic, "{n}");
        }
    }

    #[test]
    fn flags_and_checks() {
        let zone = find("zone").unwrap();
        assert!(zone.flags.contains(PropFlags::TEMPONLY));
        assert!(zone.flags.contains(PropFlags::CHECK_ALLOC));
        let temponly: Vec<_> = PROP_TABLE
            .iter()
            .filter(|d| d.flags.contains(PropFlags::TEMPONLY))
            .map(|d| d.name)
            .collect();
        assert_eq!(temponly, ["zone"]);
        let after_perm: Vec<_> = PROP_TABLE
            .iter()
            .filter(|d| d.flags.contains(PropFlags::AFTER_PERM))
            .map(|d| d.name)
            .collect();
        assert_eq!(
            after_perm,
            [
                "forward",
                "stp",
                "stp_priority",
                "stp_cost",
                "stp_edge",
                "stp_p2p",
                "stp_mcheck"
            ]
        );
        let alloc: Vec<_> = PROP_TABLE
            .iter()
            .filter(|d| d.flags.contains(PropFlags::CHECK_ALLOC))
            .map(|d| d.name)
            .collect();
        assert_eq!(
            alloc,
            [
                "autopush",
                "zone",
                "secondary-macs",
                "maxbw",
                "allowed-ips",
                "allowed-dhcp-cids"
            ]
        );
        // Option lists without a check function are matched by check_prop.
        assert_eq!(find("tagmode").unwrap().check, None);
        assert_eq!(find("tagmode").unwrap().value_check(), Some(Check::Prop));
        assert_eq!(find("mtu").unwrap().value_check(), Some(Check::Uint32));
        assert_eq!(find("state").unwrap().value_check(), Some(Check::Prop));
        assert_eq!(find("cpus-effective").unwrap().value_check(), None);
        // Every settable property has a way to check its values.
        for d in PROP_TABLE.iter().filter(|d| !d.read_only()) {
            assert!(d.value_check().is_some(), "{}", d.name);
        }
        // `dladm_ether_media_vals` only names `media` values: no option list.
        assert!(find("media").unwrap().optval.is_empty());
    }
}
