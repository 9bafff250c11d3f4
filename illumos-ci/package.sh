#!/usr/bin/env bash
# illumos-ci/package.sh: build xbow's IPS package for OmniOS and install it.
#
# Builds the release binary, lays out a proto area (the files as they are
# installed, under opt/ooce/xbow), fills in illumos-ci/pkg/xbow.p5m
# (pkgmogrify: the version from Cargo.toml, the architecture), adds the
# dependencies pkgdepend finds, lints the result (pkglint, warnings only),
# publishes it to a file-based repository (pkgrepo create, pkgsend publish)
# and installs it from there (pkg install -g file://...). An installed
# ooce/network/xbow (from an earlier run) is uninstalled first, so a re-run
# installs the freshly built package even when the version is the same.
#
# Run as root on OmniOS (or another IPS-based illumos distribution):
#     bash illumos-ci/package.sh
# Afterwards: /opt/ooce/xbow/bin/xbow, its dladm, dlstat, ipnat, ipf and ipfstat links beside it,
# /opt/ooce/bin/xbow, and the man pages in /opt/ooce/xbow/share/man.
# Remove with: pkg uninstall ooce/network/xbow
#
# Options:
#   --proto-only DIR   lay out the proto area in DIR (new or empty) and stop
#                      (any OS; the packaging test uses it to check the
#                      manifest)
#   --bin PATH         package this binary instead of building one
#   --work DIR         where the proto area, the manifests and the
#                      repository go (default: <cargo target dir>/ips; it is
#                      emptied first if package.sh made it, else it must be
#                      new or empty)
#   --no-install       publish to the repository, do not install
#   --print-version    print the package version (Cargo.toml's) and stop
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MANIFEST=$ROOT/illumos-ci/pkg/xbow.p5m
PKGNAME=ooce/network/xbow
PUBLISHER=xbow
PREFIX=opt/ooce/xbow
PROTO_ONLY=
BIN=
WORKDIR=
INSTALL=1
PRINT_VERSION=0

usage() {
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
}
die() {
	printf 'package.sh: %s\n' "$*" >&2
	exit 1
}
log() { printf '==> %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
	case $1 in
	--proto-only | --bin | --work)
		[ $# -ge 2 ] || usage
		case $1 in
		--proto-only) PROTO_ONLY=$2 ;;
		--bin) BIN=$2 ;;
		--work) WORKDIR=$2 ;;
		esac
		shift 2
		;;
	--no-install)
		INSTALL=0
		shift
		;;
	--print-version)
		PRINT_VERSION=1
		shift
		;;
	-h | --help) usage ;;
	*)
		echo "package.sh: unknown option '$1'" >&2
		usage
		;;
	esac
done

# The [package] version of Cargo.toml. IPS versions are dot-separated
# integers: a pre-release or build suffix is refused, not guessed at.
cargo_version() {
	local v
	v=$(awk '/^\[/ { p = ($0 == "[package]") }
		p && /^version[ \t]*=/ { sub(/^[^"]*"/, ""); sub(/".*/, ""); print; exit }' "$ROOT/Cargo.toml")
	[ -n "$v" ] || die "no version in $ROOT/Cargo.toml"
	printf '%s\n' "$v" | grep -Eq '^[0-9]+(\.[0-9]+)*$' ||
		die "Cargo.toml's version '$v' is not an IPS version (dot-separated integers)"
	printf '%s\n' "$v"
}

# Build the release binary and print its path, as cargo reports it (so
# CARGO_TARGET_DIR, build.target-dir and --target are all honoured).
build_release() {
	local exe
	(cd "$ROOT" && cargo build --release --locked --message-format=json-render-diagnostics) >"$WORKDIR/build.json"
	exe=$(sed -n 's/.*"executable":"\([^"]*\/xbow\)".*/\1/p' "$WORKDIR/build.json" | tail -n 1)
	[ -x "$exe" ] || die "cargo build did not report the xbow binary"
	printf '%s\n' "$exe"
}

# The cargo target directory (for the default --work).
target_dir() {
	(cd "$ROOT" && cargo metadata --format-version 1 --no-deps) |
		sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p'
}

# A directory that is new or empty, or that package.sh made before (it
# carries a mark; only such a directory is emptied).
fresh_dir() {
	local d=$1 mark=${2:-}
	if [ -e "$d" ]; then
		if [ -z "$mark" ] || [ ! -f "$d/$mark" ]; then
			if [ ! -d "$d" ] || [ -n "$(ls -A "$d")" ]; then
				die "$d exists and is not empty: not touching it"
			fi
		fi
		rm -rf "$d"
	fi
	mkdir -p "$d"
	[ -z "$mark" ] || : >"$d/$mark"
}

# Lay out the proto area, in a new or empty directory: every file the
# manifest delivers, at its path relative to /. Links are the manifest's
# own (link actions).
make_proto() {
	local proto=$1 bin=$2 m sec
	fresh_dir "$proto"
	mkdir -p "$proto/$PREFIX/bin"
	cp "$bin" "$proto/$PREFIX/bin/xbow"
	chmod 0555 "$proto/$PREFIX/bin/xbow"
	for m in "$ROOT"/man/*.[0-9]; do
		sec=${m##*.}
		mkdir -p "$proto/$PREFIX/share/man/man$sec"
		cp "$m" "$proto/$PREFIX/share/man/man$sec/"
		chmod 0444 "$proto/$PREFIX/share/man/man$sec/${m##*/}"
	done
}

# pkg(1) exits 4 when there was nothing to do.
pkg_ok() {
	local rc=0
	"$@" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 4 ]
}

main() {
	local version arch mog dep res repo proto

	# Where run.sh's ensure_rust (rustup, ooce/developer/rust) puts cargo.
	export PATH="$HOME/.cargo/bin:/opt/ooce/bin:$PATH"
	if [ "$PRINT_VERSION" = 0 ] && [ -z "$BIN" ]; then
		command -v cargo >/dev/null 2>&1 || die "no cargo (pkg install ooce/developer/rust, or rustup)"
	fi

	if [ "$PRINT_VERSION" = 1 ]; then
		cargo_version
		return 0
	fi
	if [ -n "$PROTO_ONLY" ]; then
		[ -n "$BIN" ] || {
			WORKDIR=$(mktemp -d)
			trap 'rm -rf "$WORKDIR"' EXIT
			BIN=$(build_release)
		}
		make_proto "$PROTO_ONLY" "$BIN"
		return 0
	fi

	[ "$(uname -s)" = SunOS ] || die "IPS packages are built on illumos (uname: $(uname -s)); --proto-only works anywhere"
	for t in pkgmogrify pkgdepend pkgrepo pkgsend pkg; do
		command -v "$t" >/dev/null 2>&1 || die "no $t (package/pkg)"
	done
	[ "$INSTALL" = 0 ] || [ "$(id -u)" = 0 ] || die "run as root to install (or use --no-install)"

	version=$(cargo_version)
	arch=$(uname -p)
	WORKDIR=${WORKDIR:-$(target_dir)/ips}
	[ "$WORKDIR" != /ips ] || die "cannot find cargo's target directory"
	fresh_dir "$WORKDIR" .xbow-package
	proto=$WORKDIR/proto repo=$WORKDIR/repo
	mog=$WORKDIR/xbow.mog dep=$WORKDIR/xbow.dep res=$WORKDIR/xbow.dep.res

	log "building xbow $version (release)"
	[ -n "$BIN" ] || BIN=$(build_release)
	log "proto area $proto"
	make_proto "$proto" "$BIN"

	log "manifest: $PKGNAME@$version, variant.arch=$arch"
	pkgmogrify -DVERSION="$version" -DARCH="$arch" "$MANIFEST" >"$mog"
	pkgdepend generate -md "$proto" "$mog" >"$dep"
	pkgdepend resolve -m "$dep"
	[ -s "$res" ] || die "pkgdepend resolve wrote no $res"
	sed -n 's/^depend /    depend /p' "$res" >&2
	log "pkglint (warnings only)"
	pkglint "$res" >&2 || printf 'package.sh: warning: pkglint reported problems (above)\n' >&2

	log "publishing to file://$repo"
	pkgrepo create "$repo"
	pkgrepo set -s "$repo" publisher/prefix="$PUBLISHER"
	pkgsend publish -s "$repo" -d "$proto" "$res"
	pkgrepo verify -s "$repo" >&2
	pkgrepo list -s "$repo" >&2

	[ "$INSTALL" = 1 ] || return 0
	if pkg list -q "$PKGNAME" >/dev/null 2>&1; then
		log "uninstalling the installed $PKGNAME first"
		pkg_ok pkg uninstall -q "$PKGNAME" || die "pkg uninstall $PKGNAME failed"
	fi
	log "installing $PKGNAME@$version from file://$repo"
	# -g: the repository is an origin for this operation only, so no
	# publisher is left pointing into the build directory.
	pkg_ok pkg install -q -g "file://$repo" "$PKGNAME@$version" || die "pkg install failed"
	pkg verify "$PKGNAME" >&2 || die "pkg verify $PKGNAME failed"
	pkg list -v "$PKGNAME" >&2
	/opt/ooce/xbow/bin/xbow --version >&2 || die "the installed /opt/ooce/xbow/bin/xbow does not run"
}

main
