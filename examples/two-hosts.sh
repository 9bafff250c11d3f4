#!/usr/bin/env bash
# One spec, two hosts: examples/two-hosts.json puts zone test1 and the
# router vnic0 (192.168.0.1, NAT to eri0) on host a and zone test2 on host
# b, all on the VXLAN overlay overlay0 (VNI 4242) over the underlay
# 198.51.100.0/24. Each host applies its part with `xbow net up --host`;
# the overlay's destination on each is the other host, derived from the
# spec.
#
# On the sim (default): each host is a sim state of its own; the plans,
# `up`, the overlays and `down` on each.
# With --linux (root): hosts a and b are network namespaces joined by a
# veth underlay, a third is the world; test2 on b connects to test1 on a
# across the overlay and to a server in the world through a's NAT, then
# everything is taken down again -- also when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where cargo put the binary (CARGO_TARGET_DIR, build.target-dir, --target
# are all honoured): the "executable" of the build's compiler-artifact line.
xbow=$(cargo build --release --quiet --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\/xbow\)".*/\1/p' | tail -n 1)
[ -x "$xbow" ] || { echo "$0: cargo build did not report the xbow binary" >&2; exit 1; }
spec=$PWD/examples/two-hosts.json
state=$(mktemp -d)

if [ "${1:-}" != --linux ]; then
    trap 'rm -rf "$state"' EXIT
    export XBOW_BACKEND=sim
    on() { # on HOST COMMAND...: run xbow with HOST's sim state
        local h=$1
        shift
        XBOW_SIM_STATE=$state/$h.json "$xbow" "$@"
    }
    for h in a b; do
        on "$h" sim add-phys ul0
    done
    on a sim add-phys eri0 --addr 192.168.84.24/24
    set -x
    on a net plan --host a "$spec"
    on b net plan --host b "$spec"
    on a net up --host a "$spec"
    on b net up --host b "$spec"
    on a dladm show-overlay overlay0
    on b dladm show-overlay -t overlay0
    on b dladm show-vnic
    # test2 (b) to test1 (a): the frame's way across the overlay.
    on a sim overlay-path --host "a=$state/a.json" --host "b=$state/b.json" \
        192.168.0.101 192.168.0.100
    on a net down --host a "$spec"
    on b net down --host b "$spec"
    exit 0
fi

[ "$(id -u)" = 0 ] || { echo "$0: --linux needs root (network namespaces)" >&2; exit 1; }
a=xb2demo-a b=xb2demo-b world=xb2demo-world
export XBOW_BACKEND=linux
on() { # on HOST COMMAND...: run xbow in HOST's namespace with its state
    local h=$1 ns
    shift
    if [ "$h" = a ]; then ns=$a; else ns=$b; fi
    XBOW_LINUX_STATE=$state/$h.json nsenter --net="/run/netns/$ns" "$xbow" "$@"
}
cleanup() {
    set +e
    on b net down --host b "$spec" >/dev/null
    on a net down --host a "$spec" >/dev/null
    [ -n "${server:-}" ] && kill "$server" 2>/dev/null
    [ -n "${server1:-}" ] && kill "$server1" 2>/dev/null
    for ns in "$a" "$b" "$world"; do ip netns delete "$ns" 2>/dev/null; done
    rm -rf "$state"
}
trap cleanup EXIT

for ns in "$a" "$b" "$world" test1 test2; do
    if ip netns list | grep -qx "$ns\( .*\)\?"; then
        echo "$0: network namespace $ns exists already" >&2
        exit 1
    fi
done
for ns in "$a" "$b" "$world"; do ip netns add "$ns"; done
ip -n "$a" link add ul0 type veth peer name ul0 netns "$b"
ip -n "$a" addr add 198.51.100.1/24 dev ul0
ip -n "$b" addr add 198.51.100.2/24 dev ul0
ip -n "$a" link add eri0 type veth peer name wan0 netns "$world"
ip -n "$a" addr add 203.0.113.2/24 dev eri0
ip -n "$world" addr add 203.0.113.1/24 dev wan0
ip -n "$world" addr add 192.0.2.10/32 dev lo
for l in lo ul0 eri0; do ip -n "$a" link set "$l" up; done
for l in lo ul0; do ip -n "$b" link set "$l" up; done
for l in lo wan0; do ip -n "$world" link set "$l" up; done
ip -n "$a" route add default via 203.0.113.1

# serve NS ADDR PORT TEXT: answer one TCP connection in namespace NS with
# TEXT (in the background; its pid in $!).
serve() {
    ip netns exec "$1" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen()
c, _ = s.accept()
c.sendall(sys.argv[3].encode() + b"\n")
c.close()
' "$2" "$3" "$4" &
}
# fetch ADDR PORT: connect from zone test2 and print what comes back.
fetch() {
    ip netns exec test2 python3 -c '
import socket, sys, time
for attempt in range(40):  # while the server starts
    try:
        c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
        break
    except ConnectionRefusedError:
        time.sleep(0.25)
print(c.makefile().readline().strip())
' "$1" "$2"
}

serve "$world" 192.0.2.10 80 "hello from a server in the world"
server=$!

set -x
# Without --host, each host finds itself by its underlay address.
on a net up "$spec"
on b net up "$spec"
on b net status "$spec"
on a dladm show-overlay overlay0
bridge -n "$a" fdb show | grep dst
# test2 (host b) reaches zone test1 (host a) across the overlay, then a
# server in the world through host a's NAT.
serve test1 192.168.0.100 8000 "hello from zone test1 on host a"
server1=$!
fetch 192.168.0.100 8000
fetch 192.0.2.10 80
on a ipnat -l
on b net down "$spec"
on a net down "$spec"
