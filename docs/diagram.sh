#!/usr/bin/env bash
# docs/diagram.sh: regenerate docs/crossbow-nat.svg, the picture of the
# Crossbow article's network (examples/crossbow-nat.json) that the README
# shows, with the xbow built from this checkout, on a throw-away sim state.
# tests/net_diagram.rs fails when the committed picture is out of date.
#
#     bash docs/diagram.sh              # cargo build, then draw
#     bash docs/diagram.sh --png DIR    # also prove the pictures draw: the
#                                       # README's and a 50-zone network's,
#                                       # rendered to DIR/*.png by rsvg-convert
#                                       # (Debian: librsvg2-bin); CI runs this
#     XBOW=/path/to/xbow bash docs/diagram.sh   # with that binary
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
png=
case ${1:-} in
"") ;;
--png) png=${2:?--png needs a directory} ;;
*)
	echo "usage: docs/diagram.sh [--png DIR]" >&2
	exit 2
	;;
esac
if [ -z "${XBOW:-}" ]; then
	cargo build --quiet
	XBOW=${CARGO_TARGET_DIR:-$ROOT/target}/debug/xbow
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XBOW_BACKEND=sim XBOW_SIM_STATE=$tmp/sim.json
"$XBOW" net diagram examples/crossbow-nat.json -o "$tmp/crossbow-nat.svg"
install -m 644 "$tmp/crossbow-nat.svg" docs/crossbow-nat.svg
echo "docs/crossbow-nat.svg: $(wc -c <docs/crossbow-nat.svg) bytes"
[ -n "$png" ] || exit 0

# The article's network with 50 zones, each on a VNIC with a limit.
{
	printf '{"etherstubs": ["etherstub0"], "ipv4-forwarding": true,\n'
	printf ' "addresses": [{"interface": "vnic0", "address": "10.0.0.1/16"}],\n'
	printf ' "nat": ["map e1000g0 10.0.0.0/16 -> 0/32"],\n'
	printf ' "vnics": [{"name": "vnic0", "over": "etherstub0"}'
	for i in $(seq 1 50); do
		printf ',\n  {"name": "vnic%d", "over": "etherstub0", "maxbw": "100M"}' "$i"
	done
	printf '],\n "zones": ['
	for i in $(seq 1 50); do
		[ "$i" = 1 ] || printf ','
		printf '\n  {"name": "zone%d", "net": [{"physical": "vnic%d", "allowed-address": "10.0.%d.1/16", "defrouter": "10.0.0.1"}]}' "$i" "$i" "$i"
	done
	printf ']}\n'
} >"$tmp/fifty-zones.json"
start=$(date +%s%N)
"$XBOW" net diagram "$tmp/fifty-zones.json" -o "$tmp/fifty-zones.svg"
end=$(date +%s%N)
echo "fifty-zones.svg: $(wc -c <"$tmp/fifty-zones.svg") bytes, drawn in $(((end - start) / 1000000)) ms"
mkdir -p "$png"
for f in docs/crossbow-nat.svg "$tmp/fifty-zones.svg"; do
	out=$png/$(basename "$f" .svg).png
	rsvg-convert "$f" -o "$out"
	if [ "$(head -c 8 "$out" | od -An -tx1 | tr -d ' \n')" != 89504e470d0a1a0a ]; then
		echo "$out: not a PNG" >&2
		exit 1
	fi
	echo "$out: $(wc -c <"$out") bytes"
done
