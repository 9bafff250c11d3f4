#!/usr/bin/env bash
# illumos-ci/run.sh: build xbow, run its tests, run the integration suite
# against the real kernel, check the sys layer's layouts against the host's
# headers and compare `xbow dladm` with /usr/sbin/dladm, `xbow dlstat` with
# /usr/sbin/dlstat, `xbow ipnat` with /usr/sbin/ipnat, and `xbow ipf -nvf`
# (parse only) and `ipfstat` with /usr/sbin/ipf and ipfstat byte for byte
# (the ipnat comparison needs svc:/network/ipfilter online and an empty NAT
# table, else it is skipped with a warning; it empties the table again at
# exit).
#
# Run as root on an OmniOS (or any illumos) host or VM:
#     bash illumos-ci/run.sh
# On OmniOS it also builds xbow's IPS package (illumos-ci/package.sh),
# installs it, and compares the INSTALLED /opt/ooce/xbow/bin/xbow with
# /usr/sbin/dladm and /usr/sbin/ipnat. Where a bootstrapped pkgsrc tree is
# there (SmartOS: bmake and $PKGSRCDIR), it builds the pkgsrc package
# (pkgsrc/net/xbow) as well.
# Anywhere (e.g. Linux CI), the same entry point runs the suite on the sim:
#     bash illumos-ci/run.sh --backend sim
#
# Options:
#   --backend illumos|sim   what the integration suite runs against (default
#                           illumos; sim skips everything that needs illumos)
#   --strict-headers        fail the header check when a fact cannot be
#                           checked because the host lacks its header (by
#                           default such facts are listed, not fatal)
#   --keep-going            run every stage even after one failed
#   --no-package            do not build and install the IPS package; the
#                           comparisons then run the debug build
# Environment:
#   XBOW_CI_PREFIX   link-name prefix for the comparison (default xbc<pid>)
#   XBOW_CI_PHYS     physical link for the VNIC-over-NIC state, the
#                    suite's XBOW_TEST_PHYS and the NAT rules of the ipnat
#                    comparison (default: the first of `dladm show-phys`;
#                    empty skips that state and those rules)
#   XBOW_CI_ZONES    1 (default): the example network's zones are installed
#                    and booted (a lipkg install needs the package
#                    repository); 0: the example without zones is used
#                    (illumos-ci/crossbow-nat-no-zones.json)
#   PKGSRCDIR        a pkgsrc tree for the pkgsrc package stage (default
#                    /opt/pkgsrc; without it, or without bmake, skipped)
#   CARGO_TARGET_DIR respected (run.sh asks cargo where the binary is)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BACKEND=illumos
STRICT_HEADERS=0
KEEP_GOING=0
PACKAGE=1
PKGSRCDIR=${PKGSRCDIR:-/opt/pkgsrc}
# The installed package's binary (illumos-ci/pkg/xbow.p5m).
PKG_XBOW=/opt/ooce/xbow/bin/xbow
# The binary every stage after the build runs: the debug build, or the
# installed package's once the package stage has passed.
XBOW=
MIN_RUST_MINOR=88 # libloading 0.9 needs Rust 1.88; edition 2024 needs 1.85
DLADM=/usr/sbin/dladm
PREFIX=${XBOW_CI_PREFIX:-xbc$$}
TEST_PREFIX=xbt$$
WORK=
FAILED=()

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--backend)
		[ $# -ge 2 ] || usage
		BACKEND=$2
		shift 2
		;;
	--backend=*)
		BACKEND=${1#--backend=}
		shift
		;;
	--strict-headers)
		STRICT_HEADERS=1
		shift
		;;
	--keep-going)
		KEEP_GOING=1
		shift
		;;
	--no-package)
		PACKAGE=0
		shift
		;;
	-h | --help) usage ;;
	*)
		echo "run.sh: unknown option '$1'" >&2
		usage
		;;
	esac
done
case $BACKEND in
illumos | sim) ;;
*)
	echo "run.sh: --backend must be illumos or sim, not '$BACKEND'" >&2
	exit 2
	;;
esac

log() { printf '\n==> %s\n' "$*" >&2; }
warn() { printf 'run.sh: warning: %s\n' "$*" >&2; }
die() {
	printf 'run.sh: %s\n' "$*" >&2
	exit 1
}

# Run one stage; record its failure (and stop unless --keep-going).
stage() {
	local name=$1
	shift
	log "$name"
	if "$@"; then
		printf '    ok: %s\n' "$name" >&2
	else
		FAILED+=("$name")
		printf '    FAILED: %s\n' "$name" >&2
		[ "$KEEP_GOING" = 1 ] || exit 1
	fi
}

# illumos, not Oracle Solaris (whose version string is 11.x).
is_illumos() { [ "$(uname -s)" = SunOS ] && ! uname -v | grep -q '^11\.[0-9]'; }

# ---------------------------------------------------------------- toolchain

rust_is_new_enough() {
	command -v cargo >/dev/null 2>&1 || return 1
	local v minor
	v=$(rustc --version 2>/dev/null | awk '{print $2}') || return 1
	minor=$(printf '%s\n' "$v" | cut -d. -f2)
	[ "${v%%.*}" = 1 ] && [ "${minor:-0}" -ge "$MIN_RUST_MINOR" ]
}

# pkg(1) exits 4 when there was nothing to do.
pkg_install() {
	local rc=0
	pkg install -q "$@" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 4 ]
}

ensure_rust() {
	export PATH="$HOME/.cargo/bin:/opt/ooce/bin:$PATH"
	rust_is_new_enough && return 0
	if command -v pkg >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		log "installing Rust from ooce/developer/rust"
		pkg_install ooce/developer/rust || warn "pkg install ooce/developer/rust failed"
		rust_is_new_enough && return 0
	fi
	log "installing Rust with rustup"
	command -v curl >/dev/null 2>&1 || die "need curl to install rustup"
	curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs |
		sh -s -- -y --profile minimal --default-toolchain stable
	# shellcheck disable=SC1091
	. "$HOME/.cargo/env"
	rust_is_new_enough || die "Rust 1.$MIN_RUST_MINOR or newer is needed, found $(rustc --version 2>&1)"
}

# A C compiler (the Rust linker on illumos, and the header check) and the
# system headers.
ensure_cc() {
	if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
		[ "$(id -u)" = 0 ] || die "no C compiler, and not root to install one"
		log "installing build-essential"
		pkg_install build-essential || die "cannot install build-essential"
	fi
	if [ ! -f /usr/include/sys/types.h ] && [ "$(id -u)" = 0 ]; then
		log "installing system/header"
		pkg_install system/header || die "cannot install system/header"
	fi
	CC=${CC:-$(command -v gcc || command -v cc)}
	export CC
}

# ---------------------------------------------------------------- build and tests

# Build, and take the binary's path from cargo's own report (so
# CARGO_TARGET_DIR, build.target-dir and --target are all honoured).
build() {
	local exe
	cargo build --locked --message-format=json-render-diagnostics >"$WORK/build.json" || return 1
	exe=$(sed -n 's/.*"executable":"\([^"]*\/xbow\)".*/\1/p' "$WORK/build.json" | tail -n 1)
	[ -x "$exe" ] || {
		echo "cargo build did not report the xbow binary" >&2
		return 1
	}
	XBOW=$exe
	printf '    built %s\n' "$XBOW" >&2
}

# The IPS package, built, published to a file repository and installed
# (illumos-ci/package.sh); from here on the installed binary is the one
# compared with the system's tools.
package() {
	bash "$ROOT/illumos-ci/package.sh" || return 1
	[ -x "$PKG_XBOW" ] || {
		echo "no $PKG_XBOW after the install" >&2
		return 1
	}
	local l
	# The links the package delivers all lead to the installed binary.
	for l in /opt/ooce/xbow/bin/dladm /opt/ooce/xbow/bin/ipnat /opt/ooce/bin/xbow; do
		if [ ! -L "$l" ] || [ "$(cd "${l%/*}" && cd "$(dirname "$(readlink "$l")")" && pwd)/xbow" != "$PKG_XBOW" ]; then
			echo "$l is not a link to $PKG_XBOW" >&2
			return 1
		fi
	done
	XBOW=$PKG_XBOW
	printf '    the stages below run the installed %s\n' "$XBOW" >&2
}

# The pkgsrc package (pkgsrc/net/xbow), built in a copy of the package
# directory in $PKGSRCDIR: makesum fetches the crates of Cargo.lock and
# writes distinfo, package builds and packs it; the package must hold the
# binary, the links and the man pages of the PLIST.
pkgsrc_package() {
	local dir="$PKGSRCDIR/net/xbow" pkgfile
	rm -rf "$dir"
	cp -R "$ROOT/pkgsrc/net/xbow" "$dir" || return 1
	(
		cd "$dir" &&
			bmake XBOW_SRCDIR="$ROOT" makesum &&
			bmake XBOW_SRCDIR="$ROOT" package
	) || return 1
	pkgfile=$(cd "$dir" && bmake XBOW_SRCDIR="$ROOT" show-var VARNAME=PKGFILE) || return 1
	[ -f "$pkgfile" ] || {
		echo "no $pkgfile after bmake package" >&2
		return 1
	}
	local listed
	listed=$(pkg_info -L "$pkgfile" 2>/dev/null | grep -c -e '/bin/xbow$' -e '/libexec/xbow/bin/' -e '/man[578]/xbow' || true)
	[ "$listed" -ge 8 ] || {
		echo "$pkgfile holds $listed of the 8 files of the PLIST" >&2
		return 1
	}
	printf '    built %s\n' "$pkgfile" >&2
	(cd "$dir" && bmake XBOW_SRCDIR="$ROOT" clean) >/dev/null 2>&1 || true
}

# Unit tests and every integration test on the sim (the default harness).
unit_and_sim_tests() {
	env -u XBOW_TEST_BACKEND XBOW_BACKEND=sim cargo test --locked
}

suite_sim() {
	env XBOW_BACKEND=sim XBOW_TEST_BACKEND=sim XBOW_TEST_PREFIX="$TEST_PREFIX" \
		cargo test --locked --test dladm
}

# One test at a time: every test's cleanup deletes all the links that
# carry the run's prefix.
suite_illumos() {
	local phys
	phys=$(phys_link)
	[ -n "$phys" ] || warn "no physical link: tests that need XBOW_TEST_PHYS will fail"
	env XBOW_BACKEND=illumos XBOW_TEST_BACKEND=illumos XBOW_TEST_PREFIX="$TEST_PREFIX" \
		XBOW_TEST_PHYS="$phys" cargo test --locked --test dladm -- --test-threads=1
}

# The physical link to build VNICs on: XBOW_CI_PHYS, else the first one.
phys_link() {
	if [ "${XBOW_CI_PHYS+set}" = set ]; then
		printf '%s\n' "$XBOW_CI_PHYS"
	else
		"$DLADM" show-phys -p -o link 2>/dev/null | head -1
	fi
}

# ---------------------------------------------------------------- header check

# Each header the C check can use, as "macro header".
HEADERS="HAVE_SYS_ETHERNET_H sys/ethernet.h
HAVE_SYS_MAC_H sys/mac.h
HAVE_SYS_MAC_FLOW_H sys/mac_flow.h
HAVE_SYS_DLS_MGMT_H sys/dls_mgmt.h
HAVE_SYS_VNIC_H sys/vnic.h
HAVE_NETINET_VRRP_H netinet/vrrp.h
HAVE_KSTAT_H kstat.h
HAVE_LIBDLADM_H libdladm.h
HAVE_LIBDLLINK_H libdllink.h
HAVE_LIBDLVNIC_H libdlvnic.h
HAVE_LIBDLVLAN_H libdlvlan.h
HAVE_LIBDLOVERLAY_H libdloverlay.h"

header_check() {
	local rust="$WORK/facts.rust" c="$WORK/facts.c" defs=() macro header missing=0
	XBOW_LAYOUT_OUT="$rust" cargo test --locked --lib -- --exact \
		sys::illumos_types::tests::layout_facts_for_the_header_check >&2 || return 1
	[ -s "$rust" ] || {
		echo "the Rust side wrote no facts" >&2
		return 1
	}
	while read -r macro header; do
		printf '#include <sys/types.h>\n#include <%s>\nint x;\n' "$header" >"$WORK/probe.c"
		if "$CC" -c -o "$WORK/probe.o" "$WORK/probe.c" 2>/dev/null; then
			defs+=("-D$macro")
		else
			printf '    header %s: not usable here, its facts are not checked\n' "$header" >&2
		fi
	done <<<"$HEADERS"
	"$CC" -m64 -Wall -o "$WORK/header-check" "${defs[@]}" "$ROOT/illumos-ci/header-check.c" || return 1
	"$WORK/header-check" >"$c" || return 1
	grep '^info\.' "$c" | sed 's/^/    /' >&2 || true
	# Compare: exact, or bounded for max./min. names.
	awk -v rustfile="$rust" '
		BEGIN { while ((getline l < rustfile) > 0) { split(l, f, " "); r[f[1]] = f[2] } }
		/^info\./ { next }
		{
			name = $1; cval = $2 + 0; seen[name] = 1
			if (!(name in r)) { printf "    %s: in the headers (%s) but not asserted by xbow\n", name, $2; bad = 1; next }
			rval = r[name] + 0
			if (name ~ /^max\./) ok = (rval >= cval)
			else if (name ~ /^min\./) ok = (cval >= rval)
			else ok = (rval == cval)
			if (!ok) { printf "    MISMATCH %s: headers %s, xbow %s\n", name, $2, r[name]; bad = 1 }
			checked++
		}
		END {
			for (n in r) if (!(n in seen)) { printf "    unchecked (header missing): %s\n", n; unchecked++ }
			printf "    %d facts checked, %d unchecked\n", checked, unchecked
			if (bad) exit 1
			if (unchecked) exit 3
		}' "$c" >&2 || {
		local rc=$?
		if [ "$rc" = 3 ]; then
			missing=1
		else
			return 1
		fi
	}
	if [ "$missing" = 1 ]; then
		echo "    dladm_vnic_attr_t's prefix is verified instead by the show-vnic comparison (every MAC, type, slot, VID and OVER cell comes from it)" >&2
		[ "$STRICT_HEADERS" = 0 ] || {
			echo "    some facts could not be checked (--strict-headers)" >&2
			return 1
		}
	fi
}

# ---------------------------------------------------------------- comparison with dladm

XBOW=
NCMP=0
CMP_FAIL=0

# Run a command, keeping its stdout, stderr and exit status under $1.
capture() {
	local base=$1 rc=0
	shift
	LC_ALL=C "$@" >"$base.out" 2>"$base.err" || rc=$?
	echo "$rc" >"$base.rc"
}

# compare ARGS...: `dladm ARGS` and `xbow dladm ARGS` must print the same
# bytes on stdout and stderr and exit with the same status.
compare_with() {
	local wrap=$1
	shift
	NCMP=$((NCMP + 1))
	local a="$WORK/cmp$NCMP.dladm" b="$WORK/cmp$NCMP.xbow"
	# shellcheck disable=SC2086
	capture "$a" $wrap "$DLADM" "$@"
	# shellcheck disable=SC2086
	capture "$b" $wrap env XBOW_BACKEND=illumos "$XBOW" dladm "$@"
	same_captures "$a" "$b" "dladm $*" || CMP_FAIL=$((CMP_FAIL + 1))
}

# same_captures A B WHAT: two captures agree byte for byte (else the
# differences are shown and the status is 1).
same_captures() {
	local a=$1 b=$2 what=$3
	if cmp -s "$a.out" "$b.out" && cmp -s "$a.err" "$b.err" && cmp -s "$a.rc" "$b.rc"; then
		printf '    same: %s\n' "$what" >&2
		return 0
	fi
	printf '    DIFFERENT: %s\n' "$what" >&2
	diff -u "$a.out" "$b.out" | sed 's/^/      stdout /' >&2 || true
	diff -u "$a.err" "$b.err" | sed 's/^/      stderr /' >&2 || true
	diff -u "$a.rc" "$b.rc" | sed 's/^/      status /' >&2 || true
	return 1
}

compare() { compare_with "" "$@"; }

# A change made by one tool (the other then shows it).
change() {
	local rc=0
	LC_ALL=C env XBOW_BACKEND=illumos "$@" >"$WORK/change.out" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		CMP_FAIL=$((CMP_FAIL + 1))
		printf '    CHANGE FAILED (%s): %s\n' "$rc" "$*" >&2
		sed 's/^/      /' "$WORK/change.out" >&2
	else
		printf '    changed: %s\n' "$*" >&2
	fi
}

our_links() { "$DLADM" show-link -p -o link 2>/dev/null | grep "^$1" || true; }
our_links_persistent() { "$DLADM" show-link -P -p -o link 2>/dev/null | grep "^$1" || true; }

# The show commands compared in every state.
compare_shows() {
	local l
	compare show-vnic
	compare show-vnic -p -o link,over,macaddress,vid
	compare show-vnic -p -o link,over,speed,macaddress,macaddrtype,vid
	compare show-vnic -P
	compare show-etherstub
	compare show-etherstub -p
	compare show-vlan
	compare show-vlan -P
	compare show-vlan -p -o link,vid,over,flags
	compare show-link
	compare show-link -P
	compare show-link -p -o link,class,mtu,state,over
	compare show-phys
	for l in $(our_links "$PREFIX"); do
		compare show-link "$l"
		compare show-linkprop -p maxbw,priority,mtu "$l"
		compare show-linkprop -c -o link,property,value -p maxbw,priority,mtu "$l"
		compare show-linkprop -P -p maxbw,priority,mtu "$l"
	done
}

# Error cases: both must fail the same way, changing nothing.
compare_errors() {
	local P=$PREFIX
	compare frobnicate-vnic
	compare create-vnic
	compare create-etherstub 0bad
	compare create-etherstub -t "${P}stub0"
	compare create-etherstub -t "${P}abcdefghijklmnopqrstuvwxyz0123456789"
	compare create-etherstub -t "${P}nodigit"
	compare create-etherstub -x "${P}e0"
	compare create-vnic -t -l "${P}stub0" -m fixed "${P}e1"
	compare create-vnic -t -l "${P}stub0" -m 2:8:20:zz:1:2 "${P}e1"
	compare create-vnic -t -l "${P}stub0" -v 4095 "${P}e2"
	compare create-vnic -t -l "${P}stub0" -v 0 "${P}e2"
	compare create-vnic -t -l "${P}stub0" -v abc "${P}e2"
	compare create-vnic -t -l "${P}stub0" -f "${P}e2"
	compare create-vnic -t -l "${P}stub0" -p maxbw=1k "${P}e3"
	compare create-vnic -t -l "${P}stub0" -p bogus=1 "${P}e3"
	compare create-vnic -t -l "${P}stub0" -m 2:8:20:aa:bb:1 "${P}e4"
	compare create-vnic -t -l "${P}stub0" -m 1:2:3:4:5:6 "${P}e4"
	compare create-vnic -t -l "${P}nosuch0" "${P}e5"
	compare create-vnic -t -l "${P}v0" "${P}e6"
	compare create-vnic -l "${P}stub0" "${P}e7"
	compare create-vnic -t -m 2:8:20:1:2:3 "${P}e8"
	compare create-vnic -t -l "${P}stub0" -n 1 "${P}e9"
	compare create-vnic -t -l "${P}stub0" -m factory "${P}e9"
	compare create-vnic -t -l "${P}stub0" "${P}v0"
	compare delete-vnic "${P}nosuch0"
	compare delete-vnic "${P}stub0"
	compare delete-etherstub "${P}v0"
	compare delete-etherstub -t "${P}stub0"
	compare show-vnic "${P}nosuch0"
	compare show-vnic "${P}stub0"
	compare show-etherstub "${P}v0"
	compare show-vnic -p
	compare show-vnic -p -o all
	compare show-vnic -o bogus
	compare set-linkprop -t -p maxbw=1k "${P}v0"
	compare set-linkprop -t -p maxbw=1x "${P}v0"
	compare set-linkprop -t -p priority=bogus "${P}v0"
	compare set-linkprop -t -p nosuchprop=1 "${P}v0"
	compare set-linkprop -t -p mtu=100 "${P}stub0"
	compare set-linkprop -t "${P}v0"
	compare set-linkprop -t -p maxbw=10M "${P}nosuch0"
	compare reset-linkprop -t -p nosuchprop "${P}v0"
	compare show-linkprop -p nosuchprop "${P}v0"
	compare show-linkprop -p maxbw "${P}nosuch0"
	compare create-vlan -t -l "${P}stub0" -v 0 "${P}vl0"
	compare create-vlan -t -l "${P}stub0" -v 4095 "${P}vl0"
	compare create-vlan -t -l "${P}stub0" -v abc "${P}vl0"
	compare create-vlan -t -l "${P}stub0" "${P}vl0"
	compare create-vlan -t -l "${P}nosuch0" -v 5 "${P}vl0"
	compare create-vlan -t -l "${P}nosuch1000" -v 5
	compare create-vlan -t -l "${P}v0" -v 5 "${P}vl0"
	compare create-vlan -t -l "${P}stub0" -v 5 "${P}abcdefghijklmnopqrstuvwxyz0123456789"
	compare delete-vlan "${P}v0"
	compare delete-vlan "${P}nosuch0"
	compare show-vlan "${P}v0"
	compare show-vlan "${P}stub0"
	compare show-vlan "${P}nosuch0"
	compare show-vlan -p
	compare show-vlan -p -o all
	# Without the privileges dladm needs (basic set, still uid 0).
	if command -v ppriv >/dev/null 2>&1; then
		compare_with "ppriv -e -s EIP=basic" create-etherstub -t "${P}np0"
		compare_with "ppriv -e -s EIP=basic" delete-vnic -t "${P}v0"
		compare_with "ppriv -e -s EIP=basic" set-linkprop -t -p maxbw=10M "${P}v0"
		compare_with "ppriv -e -s EIP=basic" show-vnic
	fi
}

# Statistics (show-link -s, show-vnic -s, show-etherstub -s) where the
# counters cannot move: our own VNICs and etherstub, never plumbed, and
# lists of link names; then the option checks.
compare_stats() {
	local P=$PREFIX
	compare show-link -s "${P}v0"
	compare show-link -s -p -o link,ipackets,rbytes,opackets,obytes "${P}v0"
	compare show-link -s -p -o link
	compare show-link -s -o link,ierrors,oerrors "${P}v1"
	compare show-vnic -s "${P}v0"
	compare show-vnic -s -l "${P}stub0"
	compare show-etherstub -s "${P}stub0"
	compare show-link -i 1
	compare show-link -s -P
	compare show-link -s -i 0
	compare show-link -s -p
	compare show-link -s -p -o all
	compare show-vnic -i 1
	compare show-vnic -s -i x
	compare show-vnic -s -s
	compare show-vnic -s -l "${P}nosuch0"
	compare show-vnic -s "${P}nosuch0"
}

compare_with_dladm() {
	local P=$PREFIX phys
	[ -x "$XBOW" ] || {
		echo "no $XBOW" >&2
		return 1
	}

	log "state 0: nothing of ours"
	compare_shows

	log "state 1: an etherstub (xbow) and a persistent one (dladm)"
	change "$XBOW" dladm create-etherstub -t "${P}stub0"
	change "$DLADM" create-etherstub "${P}pstub0"
	compare_shows

	log "state 2: VNICs over the etherstub: fixed MACs, VIDs, maxbw, priority"
	change "$XBOW" dladm create-vnic -t -l "${P}stub0" -m 2:8:20:aa:bb:1 "${P}v0"
	change "$XBOW" dladm create-vnic -t -l "${P}stub0" -m 2:8:20:aa:bb:2 -v 42 "${P}v1"
	change "$XBOW" dladm create-vnic -t -l "${P}stub0" -m 2:8:20:aa:bb:3 -p maxbw=100M,priority=low "${P}v2"
	change "$DLADM" create-vnic -t -l "${P}stub0" -m 2:8:20:aa:bb:4 -v 7 -p maxbw=1.5M "${P}v3"
	change "$XBOW" dladm create-vnic -t -l "${P}stub0" -m random -r 2:8:21 "${P}v4"
	change "$XBOW" dladm set-linkprop -t -p maxbw=10M "${P}v0"
	change "$XBOW" dladm set-linkprop -t -p priority=medium "${P}v1"
	change "$XBOW" dladm create-vnic -l "${P}pstub0" -m 2:8:20:aa:cc:1 -p maxbw=20M "${P}pv0"
	change "$DLADM" create-vnic -l "${P}pstub0" -m 2:8:20:aa:cc:2 -v 9 "${P}pv1"
	change "$XBOW" dladm set-linkprop -p priority=low "${P}pv1"
	compare_shows
	compare show-vnic -l "${P}stub0"
	compare show-vnic "${P}v1"
	compare show-etherstub "${P}stub0"
	# A VLAN over an etherstub: libdladm and the vnic driver accept it
	# (derived from the sources, linkprop.md §7); a failure here says not.
	change "$XBOW" dladm create-vlan -t -l "${P}stub0" -v 55 "${P}sv0"
	compare_shows
	compare show-vlan "${P}sv0"
	compare delete-etherstub -t "${P}stub0"
	compare delete-vnic -t "${P}sv0"
	compare delete-etherstub -t "${P}sv0"
	change "$XBOW" dladm delete-vlan -t "${P}sv0"
	compare_errors
	compare_stats

	log "state 3: resets and deletions"
	change "$XBOW" dladm reset-linkprop -t -p maxbw "${P}v0"
	change "$XBOW" dladm reset-linkprop -t "${P}v2"
	change "$XBOW" dladm delete-vnic -t "${P}v4"
	change "$XBOW" dladm delete-vnic "${P}pv1"
	compare_shows

	phys=$(phys_link)
	if [ -n "$phys" ]; then
		log "state 4: a VNIC over the physical link $phys"
		change "$XBOW" dladm create-vnic -t -l "$phys" "${P}nic0"
		change "$XBOW" dladm create-vnic -t -l "$phys" -v 100 -p maxbw=50M "${P}nic1"
		compare_shows
		compare show-vnic -l "$phys"
		compare show-phys "$phys"
		compare show-phys -p -o link,media,state,speed,duplex,device "$phys"
		compare show-phys -P
		log "state 4b: VLANs over $phys"
		change "$XBOW" dladm create-vlan -t -l "$phys" -v 101 "${P}vl0"
		change "$DLADM" create-vlan -t -f -l "$phys" -v 102 "${P}vl1"
		compare_shows
		compare show-vlan "${P}vl1"
		compare show-linkprop "${P}vl0"
		compare create-vlan -t -l "$phys" -v 101 "${P}vl2"
		compare create-vlan -t -l "$phys" -v 1 "${P}vl2"
		compare create-vnic -t -l "${P}vl0" "${P}vl3"
		compare create-vlan -t -l "${P}vl0" -v 5 "${P}vl3"
		change "$XBOW" dladm delete-vlan -t "${P}vl0"
		change "$XBOW" dladm delete-vlan -t "${P}vl1"
		compare create-vnic -t -l "$phys" -m factory "${P}nic2"
		compare create-vnic -t -l "$phys" -m "$("$DLADM" show-phys -m -p -o address "$phys" 2>/dev/null | head -1)" "${P}nic2"
	else
		warn "no physical link: the VNIC-over-NIC state is skipped"
	fi

	log "state 5: everything deleted again by xbow"
	local l
	for l in $("$DLADM" show-vlan -p -o link | grep "^$P" || true); do
		change "$XBOW" dladm delete-vlan "$l"
	done
	for l in $("$DLADM" show-vnic -p -o link | grep "^$P" || true); do
		change "$XBOW" dladm delete-vnic "$l"
	done
	for l in $("$DLADM" show-etherstub -p | grep "^$P" || true); do
		change "$XBOW" dladm delete-etherstub "$l"
	done
	compare_shows
	[ "$CMP_FAIL" = 0 ] || {
		echo "    $CMP_FAIL of $NCMP comparisons or changes differed" >&2
		return 1
	}
	printf '    all %d comparisons identical\n' "$NCMP" >&2
}

# ---------------------------------------------------------------- comparison with dlstat

DLSTAT=/usr/sbin/dlstat
STAT_NCMP=0
STAT_FAIL=0

# dlstat_compare [--info] ARGS...: `dlstat ARGS` and xbow's `dlstat ARGS`,
# both started as plain "dlstat" through PATH (argv[0] is in dlstat's
# messages), must agree byte for byte. With --info a difference is shown
# but not counted: the lane and ring model (xbow-dlstat(8)) is expected to
# differ from what a real NIC has.
dlstat_compare() {
	local info=0
	[ "$1" != --info ] || {
		info=1
		shift
	}
	STAT_NCMP=$((STAT_NCMP + 1))
	local a="$WORK/stat$STAT_NCMP.dlstat" b="$WORK/stat$STAT_NCMP.xbow"
	capture "$a" env PATH="$(dirname "$DLSTAT"):$PATH" dlstat "$@"
	capture "$b" env PATH="$WORK/xbow-dlstat:$PATH" XBOW_BACKEND=illumos dlstat "$@"
	if [ "$info" = 1 ]; then
		same_captures "$a" "$b" "dlstat $* (informational)" || true
	else
		same_captures "$a" "$b" "dlstat $*" || STAT_FAIL=$((STAT_FAIL + 1))
	fi
}

compare_with_dlstat() {
	local P=${PREFIX}s
	[ -x "$DLSTAT" ] || {
		warn "no $DLSTAT: the dlstat comparison is skipped"
		return 0
	}
	mkdir -p "$WORK/xbow-dlstat"
	ln -sf "$XBOW" "$WORK/xbow-dlstat/dlstat"
	change "$XBOW" dladm create-etherstub -t "${P}stub0"
	change "$XBOW" dladm create-vnic -t -l "${P}stub0" -m 2:8:20:aa:dd:1 "${P}v0"
	# Lists of links, and what holds whatever the traffic.
	dlstat_compare -p -o link
	dlstat_compare show-link -p -o link,type
	dlstat_compare -r -p -o link
	dlstat_compare -t -p -o link
	dlstat_compare show-aggr
	dlstat_compare show-aggr -p -o link,port
	# The option checks, in dlstat.c's order, and the operand.
	dlstat_compare -r -t
	dlstat_compare -u X
	dlstat_compare -u K -p
	dlstat_compare -p
	dlstat_compare -p -o all
	dlstat_compare -a -A
	dlstat_compare -a -i 1
	dlstat_compare -A -r
	dlstat_compare -i 0
	dlstat_compare -x
	dlstat_compare -o
	dlstat_compare -o nosuch
	dlstat_compare show-link -F
	dlstat_compare show-link -r -h
	dlstat_compare show-phys -A
	dlstat_compare show-aggr -a
	dlstat_compare "${P}nosuch0"
	dlstat_compare "${P}v0" "${P}v0"
	dlstat_compare "$(printf 'a%.0s' $(seq 32))"
	# A VNIC that carries nothing: the heading and zero counts, unless
	# illumos has no lane for an unplumbed VNIC.
	dlstat_compare --info "${P}v0"
	dlstat_compare --info -u R "${P}v0"
	dlstat_compare --info show-link "${P}v0"
	dlstat_compare --info show-link -r -F "${P}v0"
	dlstat_compare --info show-phys -p -o link,type,index
	change "$XBOW" dladm delete-vnic -t "${P}v0"
	change "$XBOW" dladm delete-etherstub -t "${P}stub0"
	[ "$STAT_FAIL" = 0 ] || {
		echo "    $STAT_FAIL of $STAT_NCMP dlstat comparisons differed" >&2
		return 1
	}
	printf '    all %d dlstat comparisons identical\n' "$STAT_NCMP" >&2
}

# Delete every link named with a prefix, VNICs before etherstubs, with
# the system's dladm (active and persistent configuration).
delete_ours() {
	local prefix=$1 l
	for l in $( (
		"$DLADM" show-vlan -p -o link 2>/dev/null
		"$DLADM" show-vlan -P -p -o link 2>/dev/null
	) | grep "^$prefix" | sort -u); do
		"$DLADM" delete-vlan "$l" >/dev/null 2>&1 || "$DLADM" delete-vlan -t "$l" >/dev/null 2>&1 || true
	done
	for l in $( (
		"$DLADM" show-vnic -p -o link 2>/dev/null
		"$DLADM" show-vnic -P -p -o link 2>/dev/null
	) | grep "^$prefix" | sort -u); do
		"$DLADM" delete-vnic "$l" >/dev/null 2>&1 || "$DLADM" delete-vnic -t "$l" >/dev/null 2>&1 || true
	done
	for l in $( (
		"$DLADM" show-etherstub -p 2>/dev/null
		"$DLADM" show-etherstub -P -p 2>/dev/null
	) | grep "^$prefix" | sort -u); do
		"$DLADM" delete-etherstub "$l" >/dev/null 2>&1 || "$DLADM" delete-etherstub -t "$l" >/dev/null 2>&1 || true
	done
}

# ---------------------------------------------------------------- comparison with ipnat

IPNAT=/usr/sbin/ipnat
# 1 while the host's NAT table may hold what this stage loaded. The stage
# runs only on an empty table, so emptying it again (ipnat -CF) restores it.
NAT_DIRTY=0
NAT_NCMP=0
NAT_FAIL=0
NAT_EMPTY='List of active MAP/Redirect filters:

List of active sessions:'
# Both tools are started as plain "ipnat" (found through PATH), so that
# argv[0] in their messages is the same; set by compare_with_ipnat.
SYS_IPNAT=()
XBOW_IPNAT=()

# same_or_different A B WHAT: as same_captures, counting NAT differences.
same_or_different() {
	same_captures "$@" || NAT_FAIL=$((NAT_FAIL + 1))
}

# ipnat_compare_with WRAP ARGS...: `ipnat ARGS` and xbow's `ipnat ARGS`
# (under the wrapper command WRAP, if any) must print the same bytes on
# stdout and stderr and exit with the same status.
ipnat_compare_with() {
	local wrap=$1
	shift
	NAT_NCMP=$((NAT_NCMP + 1))
	local a="$WORK/nat$NAT_NCMP.ipnat" b="$WORK/nat$NAT_NCMP.xbow"
	# shellcheck disable=SC2086
	capture "$a" $wrap "${SYS_IPNAT[@]}" "$@"
	# shellcheck disable=SC2086
	capture "$b" $wrap "${XBOW_IPNAT[@]}" "$@"
	same_or_different "$a" "$b" "ipnat $*"
}

ipnat_compare() { ipnat_compare_with "" "$@"; }

# nat_change ARGS...: xbow's ipnat changes the NAT table; it must succeed.
nat_change() {
	local rc=0
	LC_ALL=C "${XBOW_IPNAT[@]}" "$@" >"$WORK/natchange.out" 2>&1 || rc=$?
	if [ "$rc" != 0 ]; then
		NAT_FAIL=$((NAT_FAIL + 1))
		printf '    CHANGE FAILED (%s): xbow ipnat %s\n' "$rc" "$*" >&2
		sed 's/^/      /' "$WORK/natchange.out" >&2
	else
		printf '    changed: xbow ipnat %s\n' "$*" >&2
	fi
}

nat_table_empty() { [ "$("$IPNAT" -l 2>&1)" = "$NAT_EMPTY" ]; }

# The stage needs IP Filter running and an empty NAT table (so that it can
# restore the table by emptying it, without parsing `ipnat -l`).
ipnat_ready() {
	local state
	if [ ! -x "$IPNAT" ]; then
		warn "no $IPNAT: the ipnat comparison is skipped"
		return 1
	fi
	state=$(svcs -H -o state svc:/network/ipfilter:default 2>/dev/null || true)
	if [ "$state" != online ]; then
		warn "svc:/network/ipfilter:default is ${state:-not installed}, not online: the ipnat comparison is skipped (svcadm enable -s network/ipfilter lets it run)"
		return 1
	fi
	if ! nat_table_empty; then
		warn "the host's NAT table is not empty (see ipnat -l): the ipnat comparison is skipped and the table left alone"
		return 1
	fi
}

# Empty the NAT table again if this stage may have left something in it.
nat_restore() {
	[ "$NAT_DIRTY" = 1 ] || return 0
	"$IPNAT" -CF >/dev/null 2>&1 || warn "$IPNAT -CF failed"
	if nat_table_empty; then
		NAT_DIRTY=0
	else
		warn "the NAT table is not empty after the ipnat comparison: $("$IPNAT" -l 2>&1 | tr '\n' ' ')"
	fi
}

# ipfilter_header_check WHAT: src/sys/WHAT_abi.rs's sizes, offsets and
# constants (WHAT is ipnat or ipf) against the host's IP Filter headers,
# printed by illumos-ci/WHAT-header-check.c. Those headers are IP Filter's
# own (they expect its build defines); if they do not compile here, that is
# a warning (the ioctls still exercise the layouts against the kernel).
# Fails (1) on a mismatch or when either side produces no facts.
#
# The Rust side writes "name value" per fact, and "name value value" for
# the facts that differ between the kernel generations xbow knows (since
# illumos' 2019 cloud-firewall logging change, and before it: friostat_t
# 824 or 808 bytes, frentry_t 608 or 592; one value per generation, in the
# same order on every such line). The headers must match ONE generation in
# all of them, not a mix.
ipfilter_header_check() {
	local what=$1 rust="$WORK/$1-facts.rust" c="$WORK/$1-facts.c" var
	var="XBOW_$(printf '%s' "$what" | tr '[:lower:]' '[:upper:]')_LAYOUT_OUT"
	if ! env "$var=$rust" cargo test --locked --lib -- --exact \
		"sys::${what}_abi::tests::${what}_layout_facts_for_the_header_check" >"$WORK/$what-facts.log" 2>&1 ||
		[ ! -s "$rust" ]; then
		echo "    the Rust side wrote no $what layout facts" >&2
		sed 's/^/      /' "$WORK/$what-facts.log" >&2
		return 1
	fi
	if ! "$CC" -m64 -DSOLARIS2=11 -DUSE_INET6 -o "$WORK/$what-header-check" \
		"$ROOT/illumos-ci/$what-header-check.c" >"$WORK/$what-cc.err" 2>&1; then
		warn "$what-header-check.c does not compile against this host's IP Filter headers: the layouts are checked through the ioctls only"
		head -20 "$WORK/$what-cc.err" | sed 's/^/      /' >&2
		return 0
	fi
	if ! "$WORK/$what-header-check" >"$c"; then
		echo "    $what-header-check failed" >&2
		return 1
	fi
	grep '^info\.' "$c" | sed 's/^/    /' >&2 || true
	awk -v rustfile="$rust" -v what="$what" '
		BEGIN {
			while ((getline l < rustfile) > 0) {
				n = split(l, f, " ")
				r[f[1]] = f[2]
				nv[f[1]] = n - 1
				for (k = 2; k <= n; k++) alt[f[1], k - 1] = f[k]
				if (n - 1 > nlayouts) nlayouts = n - 1
				# The first variant fact names the generation.
				if (n - 1 > 1 && first == "") first = f[1]
			}
			# A generation stays possible while every variant fact matches it.
			for (k = 1; k <= nlayouts; k++) possible[k] = 1
		}
		/^info\./ { next }
		{
			seen[$1] = 1
			checked++
			if (!($1 in r)) { printf "    %s: in the headers (%s) but not asserted by xbow\n", $1, $2; bad = 1; next }
			if (nv[$1] == 1) {
				if (r[$1] + 0 != $2 + 0) { printf "    MISMATCH %s: headers %s, xbow %s\n", $1, $2, r[$1]; bad = 1 }
				next
			}
			variants++
			any = 0
			known = ""
			for (k = 1; k <= nv[$1]; k++) {
				known = known (k > 1 ? " or " : "") alt[$1, k]
				if (alt[$1, k] + 0 == $2 + 0) any = 1
				else possible[k] = 0
			}
			if (!any) { printf "    MISMATCH %s: headers %s, xbow knows %s\n", $1, $2, known; bad = 1 }
		}
		END {
			for (n in r) if (!(n in seen)) { printf "    %s: asserted by xbow but not printed from the headers\n", n; bad = 1 }
			if (variants) {
				layout = 0
				for (k = 1; k <= nlayouts; k++) if (possible[k]) { layout = k; break }
				if (layout) printf "    the headers have a generation xbow knows (%s %s)\n", first, alt[first, layout]
				else { printf "    the headers match no single generation xbow knows\n"; bad = 1 }
			}
			printf "    %d %s layout facts checked\n", checked, what
			exit bad
		}' "$c" >&2 || return 1
}

ipnat_header_check() { ipfilter_header_check ipnat || NAT_FAIL=$((NAT_FAIL + 1)); }

# One UDP datagram from this host to TEST-NET-1 (RFC 5737), discard port.
send_udp() { (printf 'xbow-ci\n' >/dev/udp/192.0.2.1/9) 2>/dev/null; }

# A session of the host's own: a rule that maps its UDP traffic to
# 192.0.2.1 onto its own address with ports 40000-40099, and one datagram.
nat_session() {
	local ifname src a b
	ifname=$(/usr/sbin/route -n get 192.0.2.1 2>/dev/null |
		awk '$1 == "interface:" && !n { print $2; n = 1 }')
	if [ -z "$ifname" ]; then
		warn "no route to 192.0.2.1: the session comparison is skipped"
		return 0
	fi
	src=$(/usr/sbin/ifconfig "$ifname" 2>/dev/null | awk '$1 == "inet" && !n { print $2; n = 1 }')
	if [ -z "$src" ]; then
		warn "$ifname has no IPv4 address: the session comparison is skipped"
		return 0
	fi
	printf 'map %s from %s/32 to 192.0.2.1/32 -> 0/32 portmap udp 40000:40099\n' \
		"$ifname" "$src" >"$WORK/session.nat"
	NAT_DIRTY=1
	nat_change -f "$WORK/session.nat"
	if ! send_udp || ! "$IPNAT" -l >"$WORK/session.l" 2>&1 || ! grep -q '^MAP ' "$WORK/session.l"; then
		warn "no NAT session appeared for a datagram from $src to 192.0.2.1 (bash /dev/udp): the session comparison is skipped"
		nat_change -r -f "$WORK/session.nat"
		return 0
	fi
	ipnat_compare -l
	ipnat_compare -lv
	ipnat_compare -lh
	ipnat_compare -s
	ipnat_compare -ls
	# -F: each tool flushes the one session there is (a second datagram
	# makes the second one).
	NAT_NCMP=$((NAT_NCMP + 1))
	a="$WORK/nat$NAT_NCMP.ipnat" b="$WORK/nat$NAT_NCMP.xbow"
	capture "$b" "${XBOW_IPNAT[@]}" -F
	send_udp || true
	capture "$a" "${SYS_IPNAT[@]}" -F
	same_or_different "$a" "$b" "ipnat -F (one session each)"
	nat_change -r -f "$WORK/session.nat"
	ipnat_compare -l
	ipnat_compare -s
}

# ipnat_compare_from RULES ARGS...: each tool runs `ipnat ARGS` on a table
# holding exactly the rules of the file RULES (loaded by the system's
# ipnat), then the table is listed; what each printed, its status and the
# table after it must agree. For loads the kernel partly refuses, which
# change the table.
ipnat_compare_from() {
	local rules=$1 tool base
	shift
	NAT_NCMP=$((NAT_NCMP + 1))
	for tool in ipnat xbow; do
		base="$WORK/nat$NAT_NCMP.$tool"
		"$IPNAT" -C >/dev/null 2>&1 || true
		"$IPNAT" -f "$rules" >/dev/null 2>&1 || true
		if [ "$tool" = ipnat ]; then
			capture "$base" "${SYS_IPNAT[@]}" "$@"
		else
			capture "$base" "${XBOW_IPNAT[@]}" "$@"
		fi
		"$IPNAT" -l >>"$base.out" 2>&1 || true
	done
	same_or_different "$WORK/nat$NAT_NCMP.ipnat" "$WORK/nat$NAT_NCMP.xbow" \
		"ipnat $* (on the rules of $(basename "$rules")), then ipnat -l"
}

# Loads the kernel refuses in part: illumos reports each refused rule and
# goes on (exit 0), and so does xbow without --atomic.
ipnat_refusals() {
	local nic=$1 net=$2
	printf 'map %s %s -> 0/32 portmap tcp/udp 1025:65535\nmap %s %s -> 0/32\n' \
		"$nic" "$net" "$nic" "$net" >"$WORK/two.nat"
	printf 'map %s %s -> 0/32 portmap tcp/udp 1025:65535\nmap %s 172.31.0.0/16 -> 0/32\n' \
		"$nic" "$net" "$nic" >"$WORK/rm.nat"
	printf 'map %s 172.30.0.0/16 -> 0/32 proxy port 111 rpcbt/tcp\nmap %s 172.29.0.0/16 -> 0/32 proxy port 21 nosuch/tcp\nmap %s 172.28.0.0/16 -> 0/32 age 0/5\nmap %s 172.27.0.0/16 -> 0/32\n' \
		"$nic" "$nic" "$nic" "$nic" >"$WORK/refused.nat"
	: >"$WORK/none.nat"
	NAT_DIRTY=1
	# Loading the loaded rules again (File exists), plus a new one.
	cat "$WORK/two.nat" "$WORK/refused.nat" >"$WORK/grown.nat"
	ipnat_compare_from "$WORK/two.nat" -f "$WORK/grown.nat"
	# rpcbt (compiled out), an unknown proxy, age 0/5, and a good rule.
	ipnat_compare_from "$WORK/none.nat" -f "$WORK/refused.nat"
	# -r with one loaded and one missing rule: the other keeps its place.
	ipnat_compare_from "$WORK/two.nat" -r -f "$WORK/rm.nat"
	"$IPNAT" -C >/dev/null 2>&1 || true
}

# tool_compare TOOL ARGS...: the system's TOOL (ipf, ipfstat) and xbow's,
# both started as plain TOOL, must print the same bytes and exit alike.
tool_compare() {
	local tool=$1 bindir=$2
	shift 2
	NAT_NCMP=$((NAT_NCMP + 1))
	local a="$WORK/nat$NAT_NCMP.$tool" b="$WORK/nat$NAT_NCMP.xbow"
	capture "$a" env PATH=/usr/sbin:/usr/bin "$tool" "$@"
	capture "$b" env "PATH=$bindir:/usr/bin" XBOW_BACKEND=illumos "$tool" "$@"
	same_or_different "$a" "$b" "$tool $*"
}

# ipf -nvf (parse and print only: nothing reaches the kernel) on every
# chunk of tests/data/ipf/goldens.conf, the inputs of the parser goldens:
# /usr/sbin/ipf and xbow must print the same bytes (rules, messages) and
# exit alike. Then ipfstat on the host's own lists.
compare_with_ipf() {
	local bindir t n=0 failed=0
	if [ ! -x /usr/sbin/ipf ]; then
		warn "no /usr/sbin/ipf: the ipf comparison is skipped"
		return 0
	fi
	bindir=$WORK/bin
	mkdir -p "$bindir"
	for t in ipf ipfstat; do
		ln -sf "$XBOW" "$bindir/$t"
	done
	mkdir -p "$WORK/ipf"
	awk -v dir="$WORK/ipf" '
		/^#=== / { n++; next }
		n > 0 { print > (dir "/chunk" sprintf("%04d", n) ".conf") }
	' "$ROOT/tests/data/ipf/goldens.conf"
	NAT_FAIL=0
	NAT_NCMP=0
	for f in "$WORK"/ipf/chunk*.conf; do
		n=$((n + 1))
		tool_compare ipf "$bindir" -nvf "$f"
	done
	printf '    %d rule files compared\n' "$n" >&2
	# The host's own rule lists and statistics, read only.
	tool_compare ipfstat "$bindir" -io
	tool_compare ipfstat "$bindir" -hio
	tool_compare ipf "$bindir" -V
	failed=$NAT_FAIL
	[ "$failed" = 0 ] || {
		echo "    $failed of $NAT_NCMP ipf/ipfstat comparisons differed" >&2
		return 1
	}
}

# ipf's and ipfstat's setzone() messages and exit statuses, on zone
# operands that select no stack: no rule is loaded or flushed anywhere.
ipf_zone_errors() {
	local bindir=$1 t
	for t in ipf ipfstat; do
		[ -L "$bindir/$t" ] || ln -sf "$XBOW" "$bindir/$t"
	done
	printf 'block in quick on lo0 from 198.18.255.1/32 to any\n' >"$WORK/zone.ipf"
	tool_compare ipf "$bindir" -Fa xbcnosuchzone
	tool_compare ipf "$bindir" -G -Fa xbcnosuchzone
	tool_compare ipf "$bindir" -G -Fa global
	tool_compare ipf "$bindir" -f "$WORK/zone.ipf" xbcnosuchzone
	tool_compare ipf "$bindir" -V xbcnosuchzone
	tool_compare ipfstat "$bindir" -z xbcnosuchzone
	tool_compare ipfstat "$bindir" -G xbcnosuchzone -io
	tool_compare ipfstat "$bindir" -G global
	tool_compare ipfstat "$bindir" -z global
	tool_compare ipfstat "$bindir" -z a -G b
}

# Failures, which change nothing: both tools must fail the same way.
ipnat_errors() {
	local nic=$1
	printf 'map %s 10.0.0.0/8 -> 0/32 bogus\n' "$nic" >"$WORK/bad.nat"
	printf 'rdr %s 0/0 port 99999 -> 127.0.0.1 port 80\n' "$nic" >"$WORK/bad-port.nat"
	ipnat_compare -x
	ipnat_compare -l -q
	ipnat_compare -f
	ipnat_compare -f "$WORK/nosuch.nat"
	ipnat_compare -f "$WORK/bad.nat"
	ipnat_compare -nf "$WORK/bad.nat"
	ipnat_compare -f "$WORK/bad-port.nat"
	ipnat_compare -G global -l
	ipnat_compare -G xbcnosuchzone -l
	ipnat_compare -z xbcnosuchzone -l
	ipnat_compare -z a -z b -l
	ipnat_compare -nCF
	# Without the privileges ipnat needs (basic set, still uid 0).
	if command -v ppriv >/dev/null 2>&1; then
		ipnat_compare_with "ppriv -e -s EIP=basic" -l
		ipnat_compare_with "ppriv -e -s EIP=basic" -s
	fi
}

compare_with_ipnat() {
	local nic net f bindir
	[ -x "$XBOW" ] || {
		echo "no $XBOW" >&2
		return 1
	}
	ipnat_ready || return 0
	# The package's own ipnat link, if xbow is the installed one.
	bindir=${XBOW%/*}
	if [ ! -L "$bindir/ipnat" ]; then
		bindir=$WORK/bin
		mkdir -p "$bindir"
		ln -sf "$XBOW" "$bindir/ipnat"
	fi
	printf '    xbow as ipnat: %s/ipnat\n' "$bindir" >&2
	SYS_IPNAT=(env PATH=/usr/sbin:/usr/bin ipnat)
	XBOW_IPNAT=(env "PATH=$bindir:/usr/bin" XBOW_BACKEND=illumos ipnat)

	log "ipnat: the structure layouts against the host's headers"
	ipnat_header_check

	log "ipnat: -nvf on every rule file of tests/data/ipnat"
	for f in "$ROOT"/tests/data/ipnat/*/in*/input; do
		ipnat_compare -nvf "$f"
	done

	log "ipnat: the empty table"
	ipnat_compare -l
	ipnat_compare -lv
	ipnat_compare -s
	ipnat_compare -CF

	nic=$(phys_link)
	if [ -n "$nic" ]; then
		# The article's network, unless the host itself lives in it (its
		# own traffic would then be translated).
		net=192.168.0.0/24
		if /usr/sbin/ipadm show-addr -p -o addr 2>/dev/null | grep -q '^192\.168\.0\.'; then
			net=198.18.0.0/24
			warn "this host has an address in 192.168.0.0/24: the article's rules are loaded for $net instead"
		fi
		printf 'map %s %s -> 0/32 portmap tcp/udp auto\nmap %s %s -> 0/32\n' \
			"$nic" "$net" "$nic" "$net" >"$WORK/article.nat"
		log "ipnat: the article's two rules on $nic, loaded by xbow"
		ipnat_compare -nvf "$WORK/article.nat"
		ipnat_compare -nvdf "$WORK/article.nat"
		NAT_DIRTY=1
		nat_change -f "$WORK/article.nat"
		ipnat_compare -l
		ipnat_compare -lv
		ipnat_compare -lh
		ipnat_compare -s
		ipnat_compare -ls
		log "ipnat: the article's rules removed by xbow"
		nat_change -r -f "$WORK/article.nat"
		ipnat_compare -l
		ipnat_compare -lv
		ipnat_compare -s
		log "ipnat: loads the kernel refuses in part"
		ipnat_refusals "$nic" "$net"
	else
		warn "no physical link: the article's rules are not loaded"
		nic=net0
	fi

	log "ipnat: a NAT session of this host's own"
	nat_session

	log "ipnat: errors"
	ipnat_errors "$nic"

	log "ipf, ipfstat: zone operands that select no stack (nothing changes)"
	ipf_zone_errors "$bindir"

	nat_restore
	[ "$NAT_DIRTY" = 0 ] || NAT_FAIL=$((NAT_FAIL + 1))
	[ "$NAT_FAIL" = 0 ] || {
		echo "    $NAT_FAIL of $NAT_NCMP ipnat comparisons, changes or checks differed" >&2
		return 1
	}
	printf '    all %d ipnat comparisons identical\n' "$NAT_NCMP" >&2
}

# ---------------------------------------------------------------- xbow net

NET_SPEC=
NET_UP=0

# The article's network, brought up, checked and taken down again.
net_example() {
	local xbow=$XBOW out
	NET_SPEC=$ROOT/examples/crossbow-nat.json
	if [ "${XBOW_CI_ZONES:-1}" = 0 ]; then
		NET_SPEC=$ROOT/illumos-ci/crossbow-nat-no-zones.json
		warn "XBOW_CI_ZONES=0: the zones are left out (no zone install)"
	fi
	if [ "$BACKEND" = sim ]; then
		export XBOW_BACKEND=sim XBOW_SIM_STATE=$WORK/net-sim.json
		"$xbow" sim add-phys eri0 --addr 192.168.84.24/24
	else
		export XBOW_BACKEND=illumos
	fi
	"$xbow" net plan "$NET_SPEC"
	NET_UP=1
	"$xbow" net up "$NET_SPEC"
	out=$("$xbow" net up "$NET_SPEC")
	case $out in
	"nothing to change: "*) ;;
	*)
		echo "    a second up changed something: $out" >&2
		return 1
		;;
	esac
	"$xbow" net status "$NET_SPEC"
	# The picture of the host: every VNIC drawn as present and as
	# specified, with its traffic read from the kernel's counters.
	"$xbow" net diagram --live --interval 1 -o "$WORK/net-live.svg" "$NET_SPEC"
	# (A physical NIC the NAT rules name may be missing on a CI host.)
	local vnics_ok missing
	vnics_ok=$(grep -c 'class="node vnic ok"' "$WORK/net-live.svg" || true)
	missing=$(grep 'class="node [a-z]* missing"' "$WORK/net-live.svg" |
		grep -cv 'node physical' || true)
	if [ "$vnics_ok" != 3 ] || [ "$missing" != 0 ]; then
		echo "    net diagram --live does not show the network as up ($WORK/net-live.svg)" >&2
		return 1
	fi
	echo "    net diagram --live: $(wc -c <"$WORK/net-live.svg") bytes, 3 VNICs as specified"
	"$xbow" dladm show-vnic
	"$xbow" ipnat -l
	if [ "$BACKEND" = illumos ]; then
		"$DLADM" show-vnic
		/usr/sbin/ipadm show-addr vnic0/v4
		/usr/sbin/zoneadm list -cv
		/usr/sbin/ipnat -l
	fi
	"$xbow" net down "$NET_SPEC"
	NET_UP=0
	if "$xbow" net status "$NET_SPEC" >/dev/null 2>&1; then
		echo "    status still reports the network after down" >&2
		return 1
	fi
}

cleanup() {
	local rc=$?
	if [ "$NET_UP" = 1 ]; then
		"$XBOW" net down "$NET_SPEC" >/dev/null 2>&1 ||
			warn "xbow net down $NET_SPEC failed: see xbow net status"
	fi
	if [ "$BACKEND" = illumos ]; then
		nat_restore
	fi
	if [ "$BACKEND" = illumos ] && [ -x "$DLADM" ]; then
		delete_ours "$PREFIX"
		delete_ours "$TEST_PREFIX"
		local left
		left=$( (
			our_links "$PREFIX"
			our_links "$TEST_PREFIX"
			our_links_persistent "$PREFIX"
			our_links_persistent "$TEST_PREFIX"
		) | sort -u | tr '\n' ' ')
		[ -z "$left" ] || warn "links left behind: $left"
	fi
	[ -z "$WORK" ] || rm -rf "$WORK"
	exit "$rc"
}

# ---------------------------------------------------------------- main

main() {
	cd "$ROOT"
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/xbow-ci.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM

	if [ "$BACKEND" = illumos ]; then
		is_illumos || die "not an illumos host (uname: $(uname -sv)); use --backend sim"
		[ "$(id -u)" = 0 ] || die "run as root: the suite creates and deletes links"
		[ -x "$DLADM" ] || die "no $DLADM"
	fi
	ensure_rust
	[ "$BACKEND" = sim ] || ensure_cc
	log "$(rustc --version), $(cargo --version), backend $BACKEND, prefixes $PREFIX/$TEST_PREFIX"

	stage "build" build
	if [ "$BACKEND" = sim ]; then
		log "IPS package: skipped (illumos only; the sim runs the debug build)"
	elif [ "$PACKAGE" = 0 ]; then
		log "IPS package: skipped (--no-package); the comparisons run the debug build"
	elif ! command -v pkgsend >/dev/null 2>&1; then
		warn "no pkgsend (not an IPS system): the package stage is skipped, the comparisons run the debug build"
	else
		stage "IPS package: build, publish, install (illumos-ci/package.sh)" package
	fi
	if [ "$BACKEND" = sim ]; then
		:
	elif command -v bmake >/dev/null 2>&1 && [ -f "$PKGSRCDIR/lang/rust/cargo.mk" ]; then
		stage "pkgsrc package: build (pkgsrc/net/xbow in $PKGSRCDIR)" pkgsrc_package
	else
		log "pkgsrc package: skipped (no bmake or no pkgsrc tree in PKGSRCDIR=$PKGSRCDIR)"
	fi
	stage "unit tests and the integration suite on the sim" unit_and_sim_tests
	if [ "$BACKEND" = sim ]; then
		stage "integration suite (sim, run.sh entry point)" suite_sim
	else
		stage "header check against /usr/include" header_check
		stage "IP Filter (ipf, ipfstat) structures against /usr/include" ipfilter_header_check ipf
		stage "integration suite against the kernel" suite_illumos
		stage "byte comparison with $DLADM" compare_with_dladm
		stage "byte comparison with $IPNAT" compare_with_ipnat
		stage "byte comparison with /usr/sbin/ipf and ipfstat (-nvf on the parser goldens' inputs)" compare_with_ipf
		stage "byte comparison with $DLSTAT" compare_with_dlstat
	fi
	stage "the example network: xbow net up, status, down" net_example

	if [ "${#FAILED[@]}" -gt 0 ]; then
		printf '\nrun.sh: %d stage(s) failed:\n' "${#FAILED[@]}" >&2
		printf '  %s\n' "${FAILED[@]}" >&2
		exit 1
	fi
	printf '\nrun.sh: all stages passed\n' >&2
}

main
