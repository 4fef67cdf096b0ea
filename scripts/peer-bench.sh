#!/usr/bin/env bash
# meshlog beside a Go ALS receiver, same load client, same run: the ratio issue 9 is measured by.
# The Go receiver and the client live beside this repository in ../shared/peer-bench (set
# PEER_BENCH to another copy); this script gives them this checkout's build and a store that
# collects everything.
#   WATCH=none|one|all  no watcher, a ?watch=1 watcher of one workload of eight, or of all traffic
#   MODE=free|pin SECS=10 STREAMS=8 WORKERS=<ingest workers, default one per core>
set -euo pipefail
source "$(dirname "$0")/serve-under-load.sh"
WATCH_BODY=$(watch_body none)
if [[ -n $WATCH_BODY ]]; then export WATCH_BODY; else unset WATCH_BODY; fi
workers=${WORKERS:+--ingest-workers $WORKERS}
export MESHLOG="node $here/dist/cli/main.js ${serve_args[*]} $workers"
bash "$peer/run.sh"
