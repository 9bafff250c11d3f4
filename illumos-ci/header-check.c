/*
 * Print, from the host's own headers, every size, offset and constant that
 * xbow's illumos sys layer asserts, as "name value" lines in the vocabulary
 * of src/sys/illumos_types.rs (layout_facts). run.sh compares the two.
 *
 * Each group needs a header that not every distribution ships (libdlvnic.h
 * is private to illumos and usually absent): run.sh probes for them and
 * passes -DHAVE_<HEADER> for those that compile. Names starting with
 * "max." must not exceed xbow's value, "min." must not be below it;
 * every other name must equal it; "info." lines are printed for the log
 * only. run.sh compiles this with -m64: the facts are those of amd64.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/socket.h>
#include <stddef.h>
#include <stdio.h>

#ifdef HAVE_SYS_ETHERNET_H
#include <sys/ethernet.h>
#endif
#ifdef HAVE_SYS_MAC_H
#include <sys/mac.h>
#endif
#ifdef HAVE_SYS_MAC_FLOW_H
#include <sys/mac_flow.h>
#endif
#ifdef HAVE_SYS_DLS_MGMT_H
#include <sys/dls_mgmt.h>
#endif
#ifdef HAVE_SYS_VNIC_H
#include <sys/vnic.h>
#endif
#ifdef HAVE_NETINET_VRRP_H
#include <netinet/vrrp.h>
#endif
#ifdef HAVE_KSTAT_H
#include <kstat.h>
#endif
#ifdef HAVE_LIBDLADM_H
#include <libdladm.h>
#endif
#ifdef HAVE_LIBDLLINK_H
#include <libdllink.h>
#endif
#ifdef HAVE_LIBDLVNIC_H
#include <libdlvnic.h>
#endif
#ifdef HAVE_LIBDLVLAN_H
#include <libdlvlan.h>
#endif

#define	FACT(name, v)	(void) printf("%s %lld\n", (name), (long long)(v))
#define	SIZE(t)		FACT("sizeof." #t, sizeof (t))
#define	OFF(t, m)	FACT("offsetof." #t "." #m, offsetof(t, m))
#define	CONST(c)	FACT("const." #c, (c))

int
main(void)
{
	/* sys/types.h, sys/param.h, sys/socket.h: always there. */
	SIZE(datalink_id_t);
	SIZE(boolean_t);
	SIZE(vrid_t);
	CONST(MAXLINKNAMELEN);
	CONST(AF_UNSPEC);
	CONST(AF_INET);
	CONST(AF_INET6);

#ifdef HAVE_SYS_ETHERNET_H
	CONST(ETHERADDRL);
#endif

#ifdef HAVE_SYS_MAC_H
	CONST(MAXMACADDRLEN);
	SIZE(link_state_t);
	SIZE(link_duplex_t);
	CONST(LINK_STATE_UNKNOWN);
	CONST(LINK_STATE_DOWN);
	CONST(LINK_STATE_UP);
	CONST(LINK_DUPLEX_UNKNOWN);
	CONST(LINK_DUPLEX_HALF);
	CONST(LINK_DUPLEX_FULL);
#endif

#ifdef HAVE_SYS_MAC_FLOW_H
	/* xbow's buffer for va_resource_props must hold it. */
	FACT("max.sizeof.mac_resource_props_t", sizeof (mac_resource_props_t));
	/* #pragma pack(4) on amd64: what puts va_resource_props at 60. */
	FACT("alignof.mac_resource_props_t", __alignof__(mac_resource_props_t));
	FACT("info.offsetof.mac_resource_props_t.mrp_maxbw",
	    offsetof(mac_resource_props_t, mrp_maxbw));
#endif

#ifdef HAVE_SYS_DLS_MGMT_H
	SIZE(datalink_media_t);
	CONST(DATALINK_INVALID_LINKID);
	CONST(DATALINK_ANY_MEDIATYPE);
	CONST(DLMGMT_ACTIVE);
	CONST(DLMGMT_PERSIST);
	CONST(DATALINK_CLASS_PHYS);
	CONST(DATALINK_CLASS_VLAN);
	CONST(DATALINK_CLASS_AGGR);
	CONST(DATALINK_CLASS_VNIC);
	CONST(DATALINK_CLASS_ETHERSTUB);
	CONST(DATALINK_CLASS_SIMNET);
	CONST(DATALINK_CLASS_BRIDGE);
	CONST(DATALINK_CLASS_IPTUN);
	CONST(DATALINK_CLASS_PART);
#endif

#ifdef HAVE_SYS_VNIC_H
	SIZE(vnic_mac_addr_type_t);
	CONST(VNIC_MAC_ADDR_TYPE_UNKNOWN);
	CONST(VNIC_MAC_ADDR_TYPE_FIXED);
	CONST(VNIC_MAC_ADDR_TYPE_RANDOM);
	CONST(VNIC_MAC_ADDR_TYPE_FACTORY);
	CONST(VNIC_MAC_ADDR_TYPE_AUTO);
	CONST(VNIC_MAC_ADDR_TYPE_PRIMARY);
	CONST(VNIC_MAC_ADDR_TYPE_VRID);
#endif

#ifdef HAVE_NETINET_VRRP_H
	CONST(VRRP_VRID_NONE);
#endif

#ifdef HAVE_KSTAT_H
	CONST(KSTAT_STRLEN);
	CONST(KSTAT_DATA_UINT32);
	CONST(KSTAT_DATA_UINT64);
	SIZE(kstat_named_t);
	OFF(kstat_named_t, name);
	OFF(kstat_named_t, data_type);
	OFF(kstat_named_t, value);
#endif

#ifdef HAVE_LIBDLADM_H
	SIZE(dladm_status_t);
	CONST(DLADM_STATUS_OK);
	CONST(DLADM_STATUS_BADARG);
	CONST(DLADM_STATUS_FAILED);
	CONST(DLADM_STATUS_NOTFOUND);
	CONST(DLADM_STATUS_INVALID_MTU);
	CONST(DLADM_OPT_ACTIVE);
	CONST(DLADM_OPT_PERSIST);
	CONST(DLADM_OPT_FORCE);
	CONST(DLADM_OPT_ANCHOR);
	CONST(DLADM_OPT_VLAN);
	CONST(DLADM_WALK_TERMINATE);
	CONST(DLADM_WALK_CONTINUE);
	/* 256 upstream, 2048 in illumos-joyent: xbow's buffers hold either. */
	FACT("max.const.DLADM_STRSIZE", DLADM_STRSIZE);
	SIZE(dladm_errlist_t);
	OFF(dladm_errlist_t, el_count);
	OFF(dladm_errlist_t, el_alloc);
	OFF(dladm_errlist_t, el_errs);
#endif

#ifdef HAVE_LIBDLLINK_H
	CONST(DLADM_MAX_PROP_VALCNT);
	CONST(DLADM_PROP_VAL_MAX);
	SIZE(dladm_prop_type_t);
	CONST(DLADM_PROP_VAL_CURRENT);
	CONST(DLADM_PROP_VAL_DEFAULT);
	CONST(DLADM_PROP_VAL_PERM);
	CONST(DLADM_PROP_VAL_MODIFIABLE);
	CONST(DLADM_PROP_VAL_PERSISTENT);
	SIZE(dladm_attr_t);
	OFF(dladm_attr_t, da_max_sdu);
	SIZE(dladm_phys_attr_t);
	OFF(dladm_phys_attr_t, dp_dev);
	OFF(dladm_phys_attr_t, dp_novanity);
	SIZE(dladm_macaddr_attr_t);
	OFF(dladm_macaddr_attr_t, ma_flags);
	OFF(dladm_macaddr_attr_t, ma_addr);
	OFF(dladm_macaddr_attr_t, ma_addrlen);
	OFF(dladm_macaddr_attr_t, ma_client_name);
	SIZE(dladm_hwgrp_attr_t);
	OFF(dladm_hwgrp_attr_t, hg_grp_type);
	OFF(dladm_hwgrp_attr_t, hg_n_rings);
	OFF(dladm_hwgrp_attr_t, hg_rings);
	OFF(dladm_hwgrp_attr_t, hg_n_clnts);
	OFF(dladm_hwgrp_attr_t, hg_client_names);
	CONST(DLADM_MACADDR_USED);
	CONST(DLADM_HWGRP_TYPE_RX);
#endif

#ifdef HAVE_LIBDLVNIC_H
	OFF(dladm_vnic_attr_t, va_vnic_id);
	OFF(dladm_vnic_attr_t, va_link_id);
	OFF(dladm_vnic_attr_t, va_mac_addr_type);
	OFF(dladm_vnic_attr_t, va_mac_len);
	OFF(dladm_vnic_attr_t, va_mac_addr);
	OFF(dladm_vnic_attr_t, va_mac_slot);
	OFF(dladm_vnic_attr_t, va_mac_prefix_len);
	OFF(dladm_vnic_attr_t, va_vid);
	OFF(dladm_vnic_attr_t, va_force);
	OFF(dladm_vnic_attr_t, va_vrid);
	OFF(dladm_vnic_attr_t, va_af);
	/* Exact: the bytes xbow zeroes must be the ones libdladm copies. */
	OFF(dladm_vnic_attr_t, va_resource_props);
	FACT("alignof.dladm_vnic_attr_t", __alignof__(dladm_vnic_attr_t));
	FACT("max.sizeof.dladm_vnic_attr_t", sizeof (dladm_vnic_attr_t));
#endif

#ifdef HAVE_LIBDLVLAN_H
	SIZE(dladm_vlan_attr_t);
	FACT("alignof.dladm_vlan_attr_t", __alignof__(dladm_vlan_attr_t));
	OFF(dladm_vlan_attr_t, dv_vid);
	OFF(dladm_vlan_attr_t, dv_linkid);
	OFF(dladm_vlan_attr_t, dv_force);
#endif
	return (0);
}
