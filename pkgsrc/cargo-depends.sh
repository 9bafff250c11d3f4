#!/usr/bin/env bash
# pkgsrc/cargo-depends.sh: pkgsrc/net/xbow/cargo-depends.mk from Cargo.lock,
# in the form pkgsrc's own `make print-cargo-depends` (lang/rust/cargo.mk)
# prints: one CARGO_CRATE_DEPENDS line per locked package that comes from a
# registry, in Cargo.lock's order.
#
#     bash pkgsrc/cargo-depends.sh            # rewrite cargo-depends.mk
#     bash pkgsrc/cargo-depends.sh --check    # fail if it is out of step
#     bash pkgsrc/cargo-depends.sh --stdout   # print it
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCK=$ROOT/Cargo.lock
OUT=$ROOT/pkgsrc/net/xbow/cargo-depends.mk

generate() {
	awk '
		BEGIN { print "# $" "NetBSD$"; print "" }
		/^\[\[package\]\]/ { name = ""; vers = "" }
		/^name = / { split($3, a, "\""); name = a[2] }
		/^version = / { split($3, a, "\""); vers = a[2] }
		/^source = / {
			if ($3 !~ /^"registry\+/) {
				printf "cargo-depends.sh: %s-%s comes from %s, which pkgsrc cannot fetch as a crate\n", name, vers, $3 > "/dev/stderr"
				bad = 1
			}
			print "CARGO_CRATE_DEPENDS+=\t" name "-" vers
		}
		END { exit bad }' "$LOCK"
}

case ${1:-} in
"")
	generate >"$OUT.tmp"
	mv "$OUT.tmp" "$OUT"
	;;
--stdout) generate ;;
--check)
	if ! generate | cmp -s - "$OUT"; then
		echo "cargo-depends.sh: $OUT is out of step with Cargo.lock; run: bash pkgsrc/cargo-depends.sh" >&2
		generate | diff -u "$OUT" - >&2 || true
		exit 1
	fi
	;;
*)
	sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
	exit 2
	;;
esac
