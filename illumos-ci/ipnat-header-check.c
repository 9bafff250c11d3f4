/*
 * Print, from the host's IP Filter headers (/usr/include/netinet/ip_nat.h,
 * ip_fil.h, ip_compat.h, ipl.h), every size, offset and constant that
 * xbow's src/sys/ipnat_abi.rs asserts, as "name value" lines in the same
 * vocabulary (ipnat_abi::layout_facts). run.sh compares the two.
 *
 * The headers are IP Filter's own and expect the defines its tools are
 * built with (SOLARIS2, USE_INET6); run.sh passes them, and treats a
 * failure to compile as "not checked here" (the ioctl comparisons of the
 * same stage still exercise the layouts against the kernel).
 *
 * friostat_t has two layouts with the same IPFILTER_VERSION: 824 bytes
 * (f_running at 776, f_version at 788) in every ip_fil.h since illumos'
 * 2019 cloud-firewall logging change added IPL_LOGEV (IPL_LOGMAX 8,
 * IPL_LOGSIZE 9), 808 bytes (760, 772) before it (IPL_LOGMAX 7,
 * IPL_LOGSIZE 8). xbow knows both; run.sh checks that these headers match
 * one of them in every friostat_t fact printed here.
 */

#include <sys/types.h>
#include <sys/param.h>
#include <sys/file.h>
#include <sys/time.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/zone.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/in_systm.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>

#include <netinet/ip_compat.h>
#include <netinet/ip_fil.h>
#include <netinet/ip_nat.h>
#include <netinet/ipl.h>

#define	FACT(name, v)	(void) printf("%s %lld\n", (name), (long long)(v))
#define	SIZE(t)		FACT("sizeof." #t, sizeof (t))
#define	OFF(t, m)	FACT("offsetof." #t "." #m, offsetof(t, m))
#define	CONST(c)	FACT("const." #c, (c))

int
main(void)
{
	SIZE(ipfobj_t);
	OFF(ipfobj_t, ipfo_ptr);
	OFF(ipfobj_t, ipfo_type);
	OFF(ipfobj_t, ipfo_offset);
	OFF(ipfobj_t, ipfo_xxxpad);
	SIZE(ipfgeniter_t);
	OFF(ipfgeniter_t, igi_data);
	SIZE(ipfzoneobj_t);
	OFF(ipfzoneobj_t, ipfz_zonename);
	SIZE(i6addr_t);
	SIZE(frtuc_t);
	SIZE(ipftag_t);
	SIZE(ipfmutex_t);
	SIZE(ipftqent_t);

	SIZE(ipnat_t);
	OFF(ipnat_t, in_next6);
	OFF(ipnat_t, in_space);
	OFF(ipnat_t, in_hits);
	OFF(ipnat_t, in_use);
	OFF(ipnat_t, in_hv);
	OFF(ipnat_t, in_pnext);
	OFF(ipnat_t, in_v);
	OFF(ipnat_t, in_flags);
	OFF(ipnat_t, in_mssclamp);
	OFF(ipnat_t, in_age);
	OFF(ipnat_t, in_redir);
	OFF(ipnat_t, in_p);
	OFF(ipnat_t, in_in);
	OFF(ipnat_t, in_out);
	OFF(ipnat_t, in_src);
	OFF(ipnat_t, in_tuc);
	OFF(ipnat_t, in_port);
	OFF(ipnat_t, in_ppip);
	OFF(ipnat_t, in_ippip);
	OFF(ipnat_t, in_ifnames);
	OFF(ipnat_t, in_plabel);
	OFF(ipnat_t, in_tag);

	SIZE(nat_t);
	OFF(nat_t, nat_next);
	OFF(nat_t, nat_aps);
	OFF(nat_t, nat_tqe);
	OFF(nat_t, nat_age);		/* nat_tqe.tqe_die */
	OFF(nat_t, nat_flags);
	OFF(nat_t, nat_sumd);
	OFF(nat_t, nat_ipsumd);
	OFF(nat_t, nat_inip6);
	OFF(nat_t, nat_outip6);
	OFF(nat_t, nat_oip6);
	OFF(nat_t, nat_pkts);
	OFF(nat_t, nat_bytes);
	OFF(nat_t, nat_inport);		/* nat_un.nat_unt.ts_sport */
	OFF(nat_t, nat_outport);	/* nat_un.nat_unt.ts_dport */
	OFF(nat_t, nat_oport);
	OFF(nat_t, nat_use);
	OFF(nat_t, nat_p);
	OFF(nat_t, nat_hv);
	OFF(nat_t, nat_ifnames);
	OFF(nat_t, nat_v);
	OFF(nat_t, nat_redir);

	SIZE(hostmap_t);
	OFF(hostmap_t, hm_next);
	OFF(hostmap_t, hm_src);
	OFF(hostmap_t, hm_dst);
	OFF(hostmap_t, hm_map);
	OFF(hostmap_t, hm_port);
	OFF(hostmap_t, hm_ref);
	OFF(hostmap_t, hm_v);

	SIZE(natstat_t);
	OFF(natstat_t, ns_mapped);
	OFF(natstat_t, ns_rules);
	OFF(natstat_t, ns_added);
	OFF(natstat_t, ns_expire);
	OFF(natstat_t, ns_inuse);
	OFF(natstat_t, ns_memfail);
	OFF(natstat_t, ns_badnat);
	OFF(natstat_t, ns_list);
	OFF(natstat_t, ns_wilds);
	OFF(natstat_t, ns_instances);
	OFF(natstat_t, ns_maplist);
	OFF(natstat_t, ns_orphans);

	SIZE(natlookup_t);
	/* friostat_t: one of the two layouts xbow knows (see above). */
	SIZE(friostat_t);
	OFF(friostat_t, f_groups);	/* [IPL_LOGSIZE][2] */
	OFF(friostat_t, f_froute);
	OFF(friostat_t, f_locks);	/* [IPL_LOGMAX] */
	OFF(friostat_t, f_kmutex_sz);
	OFF(friostat_t, f_defpass);
	OFF(friostat_t, f_running);
	OFF(friostat_t, f_features);
	OFF(friostat_t, f_version);
	CONST(IPL_LOGMAX);

	CONST(SIOCADNAT);
	CONST(SIOCRMNAT);
	CONST(SIOCGNATS);
	CONST(SIOCGETFS);
	CONST(SIOCIPFFL);
	CONST(SIOCGENITER);
	CONST(SIOCIPFDELTOK);
	CONST(SIOCIPFZONESET);
	CONST(IPFILTER_VERSION);
	CONST(IPFOBJ_IPFSTAT);
	CONST(IPFOBJ_IPNAT);
	CONST(IPFOBJ_NATSTAT);
	CONST(IPFOBJ_GENITER);
	CONST(IPFGENITER_NAT);
	CONST(IPFGENITER_IPNAT);
	CONST(IPFGENITER_HOSTMAP);
	CONST(FLUSH_LIST);
	CONST(FLUSH_TABLE_ALL);
	CONST(LIFNAMSIZ);
	CONST(APR_LABELLEN);
	CONST(IPFTAG_LEN);
	CONST(ZONENAME_MAX);
	CONST(GLOBAL_ZONEID);
	CONST(IPL_LOGSIZE);

	/* The version string and the friostat_t layout, for the log. */
	(void) printf("info.IPL_VERSION %s\n", IPL_VERSION);
	(void) printf("info.friostat_t %lu bytes, f_running at %lu, "
	    "f_version at %lu\n", (unsigned long)sizeof (friostat_t),
	    (unsigned long)offsetof(friostat_t, f_running),
	    (unsigned long)offsetof(friostat_t, f_version));
#ifdef IPL_LOGEV
	(void) printf("info.IPL_LOGEV %d (cloud-firewall logging: the "
	    "2019 and later layout)\n", IPL_LOGEV);
#endif
	return (0);
}
