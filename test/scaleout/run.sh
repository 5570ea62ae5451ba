#!/usr/bin/env bash
# test/scaleout/run.sh - the scale-out test (`make test-scaleout`).
#
# Starts a coordinator and two shard clusters on this machine (see lib.sh:
# private temporary directories, unix sockets only, private ports), loads
# the shard and coordinator schemas (shard.sql, coordinator.sql), runs
# test.sh against them and stops and removes all three at the end, even on
# failure.  Assumes secant_pre is installed (make install) and PostgreSQL 15
# with postgres_fdw (contrib).  Run as root (the clusters then run as the
# `postgres` OS user) or as an ordinary user.  Ends with "N passed, M failed".
# SCALEOUT_KEEP=1 leaves the clusters running (for debugging: rerun
# `bash test/scaleout/test.sh STATE` against them; stop them yourself).
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"

if [ "${SCALEOUT_KEEP:-0}" = 1 ]; then
	trap 'echo "# kept running: state in ${NODE_DIR[coord]}/nodes.sh"' EXIT
else
	trap stop_nodes EXIT
fi
trap 'exit 130' INT TERM

start_nodes || { echo "could not start the clusters"; echo "0 passed, 1 failed"; exit 1; }
setup_schemas "$HERE" || { echo "could not load the schemas"; echo "0 passed, 1 failed"; exit 1; }
STATE="${NODE_DIR[coord]}/nodes.sh"
save_nodes "$STATE"
for node in $SCALEOUT_NODES; do
	echo "# $node: port ${NODE_PORT[$node]}, socket in ${NODE_DIR[$node]}"
done
${SCALEOUT_BASH:-bash} "$HERE/test.sh" "$STATE"
