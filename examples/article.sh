#!/usr/bin/env bash
# The Crossbow article's virtual switch: an etherstub and three VNICs on
# it, then `show-vnic`. Runs on the sim backend (unless XBOW_BACKEND says
# otherwise) with a fresh state file unless XBOW_SIM_STATE is set.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
xbow=target/release/xbow
if [ -z "${XBOW_SIM_STATE:-}" ]; then
    XBOW_SIM_STATE="$(mktemp -d)/sim.json"
    export XBOW_SIM_STATE
fi
set -x
"$xbow" dladm create-etherstub etherstub0
"$xbow" dladm create-vnic -d etherstub0 vnic0
"$xbow" dladm create-vnic -d etherstub0 vnic1
"$xbow" dladm create-vnic -d etherstub0 -p maxbw=100M vnic2
"$xbow" dladm show-vnic
"$xbow" dladm show-linkprop -p maxbw vnic2
