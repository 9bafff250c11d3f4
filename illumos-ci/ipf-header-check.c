/*
 * Print, from the host's IP Filter headers (/usr/include/netinet/ip_fil.h,
 * ip_state.h, ip_frag.h, ip_auth.h, ip_compat.h, ipl.h), every size,
 * offset and constant that xbow's src/sys/ipf_abi.rs asserts for the packet filter (ipf, ipfstat),
 * as "name value" lines in the same vocabulary (ipf_abi::layout_facts,
 * ipf_abi::layout_variant_facts). run.sh compares the two.
 *
 * The headers are IP Filter's own and expect the defines its tools are
 * built with (SOLARIS2, USE_INET6); run.sh passes them, and treats a
 * failure to compile as "not checked here".
 *
 * frentry_t and friostat_t each have two layouts with the same
 * IPFILTER_VERSION, changed by the same commit (illumos' 2019
 * cloud-firewall logging: fr_uuid, IPL_LOGEV, FR_CFWLOG): frentry_t 608
 * bytes and friostat_t 824 since, 592 and 808 before. xbow knows both
 * generations; run.sh checks that these headers match ONE of them in every
 * frentry_t and friostat_t fact printed here, never a mix.
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
#include <string.h>

#include <netinet/ip_compat.h>
#include <netinet/ip_fil.h>
#include <netinet/ip_state.h>
#include <netinet/ip_frag.h>
#include <netinet/ip_auth.h>
#include <netinet/ipl.h>

#define	FACT(name, v)	(void) printf("%s %lld\n", (name), (long long)(v))
#define	SIZE(t)		FACT("sizeof." #t, sizeof (t))
#define	OFF(t, m)	FACT("offsetof." #t "." #m, offsetof(t, m))
/* A field reached through a macro or a nested member. */
#define	OFFN(t, name, m)	FACT("offsetof." #t "." #name, offsetof(t, m))
#define	CONST(c)	FACT("const." #c, (c))
/* Where fr_ip_t's bit-field f starts in its 32-bit word. */
#define	SHIFT(f)	FACT("shift.fr_ip_t." #f, shift_of_##f())

#define	SHIFT_OF(f)						\
static int							\
shift_of_##f(void)						\
{								\
	fr_ip_t x;						\
	u_32_t w;						\
	int n = 0;						\
								\
	(void) memset(&x, 0, sizeof (x));			\
	x.f = 1;						\
	(void) memcpy(&w, &x, sizeof (w));			\
	while (w != 0 && (w & 1) == 0) {			\
		w >>= 1;					\
		n++;						\
	}							\
	return (w == 1 ? n : -1);				\
}

SHIFT_OF(fi_v)
SHIFT_OF(fi_tos)
SHIFT_OF(fi_ttl)
SHIFT_OF(fi_p)

int
main(void)
{
	SIZE(ipfobj_t);

	SIZE(fr_ip_t);
	OFF(fr_ip_t, fi_optmsk);
	OFF(fr_ip_t, fi_src);
	OFF(fr_ip_t, fi_dst);
	OFF(fr_ip_t, fi_secmsk);
	OFF(fr_ip_t, fi_auth);
	OFF(fr_ip_t, fi_flx);
	OFF(fr_ip_t, fi_tcpmsk);
	SHIFT(fi_v);
	SHIFT(fi_tos);
	SHIFT(fi_ttl);
	SHIFT(fi_p);

	SIZE(fripf_t);
	OFF(fripf_t, fri_mip);
	OFF(fripf_t, fri_icmpm);
	OFF(fripf_t, fri_icmp);
	OFF(fripf_t, fri_tuc);
	OFF(fripf_t, fri_satype);
	OFF(fripf_t, fri_datype);
	OFF(fripf_t, fri_sifpidx);
	OFF(fripf_t, fri_difpidx);

	SIZE(frtuc_t);
	OFF(frtuc_t, ftu_tcpf);
	OFF(frtuc_t, ftu_src);
	OFF(frtuc_t, ftu_dst);

	SIZE(frpcmp_t);
	OFF(frpcmp_t, frp_port);
	OFF(frpcmp_t, frp_top);

	SIZE(i6addr_t);

	SIZE(ipftag_t);
	OFF(ipftag_t, ipt_not);

	SIZE(frdest_t);
	OFF(frdest_t, fd_ip6);
	OFF(frdest_t, fd_ifname);

	SIZE(ipfmutex_t);

	SIZE(filterstats_t);

	SIZE(frgroup_t);
	OFF(frgroup_t, fg_name);

	SIZE(ipfruleiter_t);
	OFF(ipfruleiter_t, iri_group);
	OFF(ipfruleiter_t, iri_active);
	OFF(ipfruleiter_t, iri_nrules);
	OFF(ipfruleiter_t, iri_rule);

	SIZE(ipfgeniter_t);

	SIZE(ipftune_t);
	OFF(ipftune_t, ipft_un);
	OFF(ipftune_t, ipft_min);
	OFF(ipftune_t, ipft_max);
	OFF(ipftune_t, ipft_sz);
	OFF(ipftune_t, ipft_flags);
	OFF(ipftune_t, ipft_name);
	CONST(IPFT_RDONLY);
	CONST(IPFT_WRDISABLED);

	SIZE(ipfrstat_t);
	OFF(ipfrstat_t, ifs_new);
	OFF(ipfrstat_t, ifs_inuse);
	OFF(ipfrstat_t, ifs_short);
	OFF(ipfrstat_t, ifs_table);
	OFF(ipfrstat_t, ifs_nattab);

	SIZE(fr_authstat_t);
	OFF(fr_authstat_t, fas_nospace);
	OFF(fr_authstat_t, fas_expire);
	OFF(fr_authstat_t, fas_faelist);

	SIZE(ips_stat_t);
	OFF(ips_stat_t, iss_statesize);
	OFF(ips_stat_t, iss_table);
	OFF(ips_stat_t, iss_list);
	OFF(ips_stat_t, iss_bucketlen);
	OFF(ips_stat_t, iss_orphans);

	SIZE(ipstate_t);
	OFF(ipstate_t, is_next);
	OFF(ipstate_t, is_rule);
	OFF(ipstate_t, is_isc);
	OFF(ipstate_t, is_pkts);
	OFF(ipstate_t, is_bytes);
	OFFN(ipstate_t, is_die, is_sti.tqe_die);
	OFFN(ipstate_t, is_state, is_sti.tqe_state);
	OFF(ipstate_t, is_isninc);
	OFF(ipstate_t, is_sumd);
	OFF(ipstate_t, is_src);
	OFF(ipstate_t, is_dst);
	OFF(ipstate_t, is_pass);
	OFF(ipstate_t, is_p);
	OFF(ipstate_t, is_v);
	OFF(ipstate_t, is_hv);
	OFF(ipstate_t, is_tag);
	OFF(ipstate_t, is_opt);
	OFF(ipstate_t, is_optmsk);
	OFF(ipstate_t, is_sec);
	OFF(ipstate_t, is_authmsk);
	OFF(ipstate_t, is_ps);
	OFFN(ipstate_t, is_send, is_ps.is_ts.ts_data[0].td_end);
	OFFN(ipstate_t, is_dend, is_ps.is_ts.ts_data[1].td_end);
	OFFN(ipstate_t, is_maxswin, is_ps.is_ts.ts_data[0].td_maxwin);
	OFFN(ipstate_t, is_swinscale, is_ps.is_ts.ts_data[0].td_winscale);
	OFF(ipstate_t, is_flags);
	OFF(ipstate_t, is_flx);
	OFF(ipstate_t, is_rulen);
	OFF(ipstate_t, is_s0);
	OFF(ipstate_t, is_smsk);
	OFF(ipstate_t, is_group);
	OFF(ipstate_t, is_sbuf);
	OFF(ipstate_t, is_ifname);

	CONST(SIOCADAFR);
	CONST(SIOCRMAFR);
	CONST(SIOCSETFF);
	CONST(SIOCGETFF);
	CONST(SIOCGETFS);
	CONST(SIOCIPFFL);
	CONST(SIOCIPFFB);
	CONST(SIOCADIFR);
	CONST(SIOCRMIFR);
	CONST(SIOCSWAPA);
	CONST(SIOCINAFR);
	CONST(SIOCINIFR);
	CONST(SIOCFRENB);
	CONST(SIOCFRSYN);
	CONST(SIOCFRZST);
	CONST(SIOCZRLST);
	CONST(SIOCATHST);
	CONST(SIOCGFRST);
	CONST(SIOCSETLG);
	CONST(SIOCGETLG);
	CONST(SIOCIPFGETNEXT);
	CONST(SIOCIPFGET);
	CONST(SIOCIPFSET);
	CONST(SIOCIPFL6);
	CONST(SIOCIPFITER);
	CONST(SIOCGENITER);
	CONST(SIOCIPFDELTOK);
	CONST(SIOCDELST);
	CONST(IPFILTER_VERSION);
	CONST(IPFOBJ_FRENTRY);
	CONST(IPFOBJ_IPFSTAT);
	CONST(IPFOBJ_IPFINFO);
	CONST(IPFOBJ_AUTHSTAT);
	CONST(IPFOBJ_FRAGSTAT);
	CONST(IPFOBJ_IPNAT);
	CONST(IPFOBJ_NATSTAT);
	CONST(IPFOBJ_STATESAVE);
	CONST(IPFOBJ_NATSAVE);
	CONST(IPFOBJ_NATLOOKUP);
	CONST(IPFOBJ_IPSTATE);
	CONST(IPFOBJ_STATESTAT);
	CONST(IPFOBJ_FRAUTH);
	CONST(IPFOBJ_TUNEABLE);
	CONST(IPFOBJ_NAT);
	CONST(IPFOBJ_IPFITER);
	CONST(IPFOBJ_GENITER);
	CONST(IPFOBJ_GTABLE);
	CONST(IPFOBJ_LOOKUPITER);
	CONST(IPFOBJ_COUNT);
	CONST(IPFGENITER_IPF);
	CONST(IPFGENITER_FRAG);
	CONST(IPFGENITER_AUTH);
	CONST(IPFGENITER_STATE);
	CONST(FLUSH_LIST);
	CONST(FLUSH_TABLE_ALL);
	CONST(FLUSH_TABLE_CLOSING);
	CONST(FLUSH_TABLE_EXTRA);
	CONST(IPL_LOGIPF);
	CONST(IPL_LOGNAT);
	CONST(IPL_LOGSTATE);
	CONST(IPL_LOGAUTH);
	CONST(FR_GROUPLEN);
	CONST(LIFNAMSIZ);
	CONST(IPFTAG_LEN);
	CONST(F_IN);
	CONST(F_OUT);
	CONST(F_ACIN);
	CONST(F_ACOUT);
	CONST(AF_INET);
	CONST(AF_INET6);
	CONST(FR_T_NONE);
	CONST(FR_T_IPF);
	CONST(FR_T_BPFOPC);
	CONST(FR_T_CALLFUNC);
	CONST(FR_T_COMPIPF);
	CONST(FR_T_BUILTIN);
	CONST(FR_CALL);
	CONST(FR_BLOCK);
	CONST(FR_PASS);
	CONST(FR_AUTH);
	CONST(FR_PREAUTH);
	CONST(FR_ACCOUNT);
	CONST(FR_SKIP);
	CONST(FR_DIVERT);
	CONST(FR_CMDMASK);
	CONST(FR_LOG);
	CONST(FR_LOGB);
	CONST(FR_LOGP);
	CONST(FR_LOGMASK);
	CONST(FR_CALLNOW);
	CONST(FR_NOTSRCIP);
	CONST(FR_NOTDSTIP);
	CONST(FR_QUICK);
	CONST(FR_KEEPFRAG);
	CONST(FR_KEEPSTATE);
	CONST(FR_FASTROUTE);
	CONST(FR_RETRST);
	CONST(FR_RETICMP);
	CONST(FR_FAKEICMP);
	CONST(FR_OUTQUE);
	CONST(FR_INQUE);
	CONST(FR_LOGBODY);
	CONST(FR_LOGFIRST);
	CONST(FR_LOGORBLOCK);
	CONST(FR_DUP);
	CONST(FR_FRSTRICT);
	CONST(FR_STSTRICT);
	CONST(FR_NEWISN);
	CONST(FR_NOICMPERR);
	CONST(FR_STATESYNC);
	CONST(FR_NOMATCH);
	CONST(FR_COPIED);
	CONST(FR_INACTIVE);
	CONST(FR_RETMASK);
	CONST(FR_INOUT);
	CONST(FF_LOGPASS);
	CONST(FF_LOGBLOCK);
	CONST(FF_LOGNOMATCH);
	CONST(FF_LOGGING);
	CONST(FF_BLOCKNONIP);
	CONST(FI_TCPUDP);
	CONST(FI_OPTIONS);
	CONST(FI_FRAG);
	CONST(FI_SHORT);
	CONST(FI_NATED);
	CONST(FI_MULTICAST);
	CONST(FI_BROADCAST);
	CONST(FI_MBCAST);
	CONST(FI_STATE);
	CONST(FI_BADNAT);
	CONST(FI_BAD);
	CONST(FI_OOW);
	CONST(FI_ICMPERR);
	CONST(FI_FRAGBODY);
	CONST(FI_BADSRC);
	CONST(FI_LOWTTL);
	CONST(FI_CMP);
	CONST(FI_ICMPCMP);
	CONST(FI_WITH);
	CONST(FR_NONE);
	CONST(FR_EQUAL);
	CONST(FR_NEQUAL);
	CONST(FR_LESST);
	CONST(FR_GREATERT);
	CONST(FR_LESSTE);
	CONST(FR_GREATERTE);
	CONST(FR_OUTRANGE);
	CONST(FR_INRANGE);
	CONST(FR_INCRANGE);
	CONST(FR_TCPFMAX);
	CONST(FRI_NORMAL);
	CONST(FRI_DYNAMIC);
	CONST(FRI_LOOKUP);
	CONST(FRI_RANGE);
	CONST(FRI_NETWORK);
	CONST(FRI_BROADCAST);
	CONST(FRI_PEERADDR);
	CONST(FRI_NETMASKED);
	CONST(IPF_FEAT_LKM);
	CONST(IPF_FEAT_LOG);
	CONST(IPF_FEAT_LOOKUP);
	CONST(IPF_FEAT_BPF);
	CONST(IPF_FEAT_COMPILED);
	CONST(IPF_FEAT_CKSUM);
	CONST(IPF_FEAT_SYNC);
	CONST(IPF_FEAT_SCAN);
	CONST(IPF_FEAT_IPV6);
	CONST(IS_TCPFSM);
	CONST(IS_STRICT);
	CONST(IS_ISNSYN);
	CONST(IS_ISNACK);
	CONST(IS_STATESYNC);

	/* frentry_t: fields before fr_uuid, the same in both generations. */
	OFF(frentry_t, fr_next);
	OFF(frentry_t, fr_comment);
	OFF(frentry_t, fr_ref);
	OFF(frentry_t, fr_statecnt);
	OFF(frentry_t, fr_hits);
	OFF(frentry_t, fr_bytes);
	OFF(frentry_t, fr_lastpkt);
	OFF(frentry_t, fr_curpps);
	OFFN(frentry_t, fr_data, fr_dun.fru_data);
	OFF(frentry_t, fr_func);
	OFF(frentry_t, fr_dsize);
	OFF(frentry_t, fr_pps);
	OFF(frentry_t, fr_statemax);
	OFF(frentry_t, fr_flineno);
	OFF(frentry_t, fr_type);
	OFF(frentry_t, fr_flags);
	OFF(frentry_t, fr_logtag);
	OFF(frentry_t, fr_collect);
	/* frentry_t and friostat_t: one generation xbow knows (see above). */
	SIZE(frentry_t);
	OFF(frentry_t, fr_arg);
	OFF(frentry_t, fr_loglevel);
	OFF(frentry_t, fr_age);
	OFF(frentry_t, fr_v);
	OFF(frentry_t, fr_icode);
	OFF(frentry_t, fr_group);
	OFF(frentry_t, fr_grhead);
	OFF(frentry_t, fr_nattag);
	OFF(frentry_t, fr_ifnames);
	OFF(frentry_t, fr_isctag);
	OFF(frentry_t, fr_tifs);
	OFF(frentry_t, fr_dif);
	OFF(frentry_t, fr_cksum);
	CONST(FR_CMPSIZ);
#ifdef	FR_CFWLOG
	CONST(FR_CFWLOG);
#else
	FACT("const.FR_CFWLOG", 0);	/* before 2019 */
#endif
	SIZE(friostat_t);
	OFF(friostat_t, f_groups);
	OFF(friostat_t, f_froute);
	OFF(friostat_t, f_locks);
	OFF(friostat_t, f_kmutex_sz);
	OFF(friostat_t, f_defpass);
	OFF(friostat_t, f_running);
	OFF(friostat_t, f_features);
	OFF(friostat_t, f_version);
	CONST(IPL_LOGMAX);
	CONST(IPL_LOGSIZE);

	/* The version string and the generation, for the log. */
	(void) printf("info.IPL_VERSION %s\n", IPL_VERSION);
	(void) printf("info.frentry_t %lu bytes, friostat_t %lu bytes\n",
	    (unsigned long)sizeof (frentry_t),
	    (unsigned long)sizeof (friostat_t));
#ifdef IPL_LOGEV
	(void) printf("info.IPL_LOGEV %d (cloud-firewall logging: the "
	    "2019 and later generation)\n", IPL_LOGEV);
#endif
	return (0);
}
