#!/usr/bin/env bash
# meshlog beside a Go ALS receiver, same load client, same run: the ratio issue 9 is measured by.
# The Go receiver and the client live beside this repository in ../shared/peer-bench (set
# PEER_BENCH to another copy); this script gives them this checkout's build and a store that
# collects everything.
#   WATCH=none|one|all  no watcher, a ?watch=1 watcher of one workload of eight, or of all traffic
#   MODE=free|pin SECS=10 STREAMS=8 WORKERS=<ingest workers, default one per core>
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER_BENCH:-$here/../shared/peer-bench}
[[ -f $peer/run.sh ]] || { echo "peer-bench not found at $peer (set PEER_BENCH)" >&2; exit 1; }
[[ -f $here/dist/cli/main.js ]] || (cd "$here" && npm run build >/dev/null)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$work/config"
cp "$here/scripts/collect-all.yaml" "$work/config/all.yaml"
case ${WATCH:-none} in
  none) unset WATCH_BODY ;;
  one) export WATCH_BODY='{"workloadSelectors":[{"kubeWorkloadMatcher":{"labels":{"app":"ratings"}}}]}' ;;
  all) export WATCH_BODY='{}' ;;
  *) echo "WATCH must be none, one or all" >&2; exit 1 ;;
esac
workers=${WORKERS:+--ingest-workers $WORKERS}
export MESHLOG="node $here/dist/cli/main.js serve --data-dir $work/data --config-dir $work/config --als-host 127.0.0.1 --als-port 29102 --http-port 29103 --log-level warn $workers"
bash "$peer/run.sh"
