#!/usr/bin/env bash
# The Crossbow article's network for real on Linux (XBOW_BACKEND=linux),
# without touching the machine's own network: xbow runs in a network
# namespace "xbdemo-host" whose uplink eri0 is one end of a veth pair into
# "xbdemo-world" (203.0.113.0/24 on the wire, a web server at
# 198.51.100.10). Zone test1 fetches a page through NAT, a bulk download
# shows vnic1's maxbw=10M, then everything is taken down again -- also
# when a step fails. Needs root, iproute2, nftables and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "$0: needs root (network namespaces)" >&2; exit 1; }
# Where cargo put the binary (CARGO_TARGET_DIR, build.target-dir, --target
# are all honoured): the "executable" of the build's compiler-artifact line.
xbow=$(cargo build --release --quiet --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\/xbow\)".*/\1/p' | tail -n 1)
[ -x "$xbow" ] || { echo "$0: cargo build did not report the xbow binary" >&2; exit 1; }
spec=$PWD/examples/crossbow-nat-linux.json
host=xbdemo-host world=xbdemo-world
state=$(mktemp -d)
export XBOW_BACKEND=linux XBOW_LINUX_STATE=$state/linux.json

in_host() { nsenter --net="/run/netns/$host" "$@"; }
cleanup() {
    set +e
    in_host "$xbow" net down "$spec" >/dev/null 2>&1
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null
    ip netns delete "$host" 2>/dev/null
    ip netns delete "$world" 2>/dev/null
    rm -rf "$state"
}
trap cleanup EXIT

for ns in "$host" "$world" test1 test2; do
    if ip netns list | grep -qx "$ns\( .*\)\?"; then
        echo "$0: network namespace $ns exists already" >&2
        exit 1
    fi
done
ip netns add "$host"
ip netns add "$world"
ip -n "$host" link add eri0 type veth peer name wan0 netns "$world"
ip -n "$host" addr add 203.0.113.2/24 dev eri0
ip -n "$world" addr add 203.0.113.1/24 dev wan0
ip -n "$world" addr add 198.51.100.10/32 dev lo
for l in lo eri0; do ip -n "$host" link set "$l" up; done
for l in lo wan0; do ip -n "$world" link set "$l" up; done
ip -n "$host" route add default via 203.0.113.1

# The outside world's web server: 5 MB of zeros at /big.
mkdir -p "$state/www"
head -c 5000000 /dev/zero >"$state/www/big"
echo hello >"$state/www/index.html"
ip netns exec "$world" python3 -m http.server --bind 198.51.100.10 80 \
    --directory "$state/www" >/dev/null 2>&1 &
server=$!
sleep 1

set -x
in_host "$xbow" net up "$spec"
in_host "$xbow" dladm show-vnic
in_host "$xbow" dladm show-linkprop -p maxbw vnic1
ip netns exec test1 python3 -c '
import time, urllib.request
print(urllib.request.urlopen("http://198.51.100.10/").read().decode().strip())
t = time.time(); n = len(urllib.request.urlopen("http://198.51.100.10/big").read())
print("downloaded %d bytes at %.1f Mbit/s through vnic1 (maxbw=10M)" % (n, n * 8 / (time.time() - t) / 1e6))
'
in_host "$xbow" ipnat -l
in_host nft list table ip xbow
in_host "$xbow" net down "$spec"
