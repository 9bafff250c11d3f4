#!/usr/bin/env bash
# The Crossbow article's private network -- etherstub0, vnic0..2, the
# global zone's 192.168.0.1/24 on vnic0, IPv4 forwarding, the two NAT rules
# on eri0 and the exclusive-IP zones test1 and test2 -- built with one
# `xbow net up`, then what a user looks at. On the sim backend (unless
# XBOW_BACKEND=illumos), with a fresh state unless XBOW_SIM_STATE is set.
set -euo pipefail
cd "$(dirname "$0")/.."
# Where cargo put the binary (CARGO_TARGET_DIR, build.target-dir, --target
# are all honoured): the "executable" of the build's compiler-artifact line.
xbow=$(cargo build --release --quiet --message-format=json-render-diagnostics |
    sed -n 's/.*"executable":"\([^"]*\/xbow\)".*/\1/p' | tail -n 1)
[ -x "$xbow" ] || { echo "$0: cargo build did not report the xbow binary" >&2; exit 1; }
spec=examples/crossbow-nat.json
if [ "${XBOW_BACKEND:-sim}" = sim ]; then
    export XBOW_BACKEND=sim
    if [ -z "${XBOW_SIM_STATE:-}" ]; then
        XBOW_SIM_STATE="$(mktemp -d)/sim.json"
        export XBOW_SIM_STATE
    fi
    # The article's external NIC, with the address NAT maps to.
    "$xbow" dladm show-phys eri0 >/dev/null 2>&1 ||
        "$xbow" sim add-phys eri0 --speed 1000 --addr 192.168.84.24/24
fi
set -x
"$xbow" net up "$spec"
"$xbow" net status "$spec"
"$xbow" dladm show-vnic
"$xbow" dladm show-linkprop -p maxbw,priority vnic1
if [ "$XBOW_BACKEND" = sim ]; then
    # test1 opens an ssh connection to the outside world.
    "$xbow" sim nat-flow tcp 192.168.0.100:37153 129.146.17.55:22
fi
"$xbow" ipnat -l
