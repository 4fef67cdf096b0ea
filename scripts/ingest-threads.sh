#!/usr/bin/env bash
# Where meshlog serve's CPU goes, per thread and per entry, under the peer bench's load client
# (8 streams as 8 sidecar identities): the figures of docs/operations/running.md § performance.
#   WATCH=none|one|all  no watcher, a ?watch=1 watcher of one workload of eight, or of all traffic
#   SECS=10 STREAMS=8
# Threads are told apart by /proc only: the main thread has the process's id; the threads that
# started within a tenth of a second of it are Node's own (V8's platform threads, which are the garbage
# collector's helpers, 4 by default; libuv's pool); those that started later are the ingest
# workers (once the main thread has loaded its modules: about half a second later here) and then
# their checkpointers, in the order they started.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
peer=${PEER_BENCH:-$here/../shared/peer-bench}
[[ -f $peer/client.mjs ]] || { echo "peer-bench not found at $peer (set PEER_BENCH)" >&2; exit 1; }
[[ -f $here/dist/cli/main.js ]] || (cd "$here" && npm run build >/dev/null)
FRAMES=$(bash "$peer/setup.sh")/frames; export FRAMES
work=$(mktemp -d)
mkdir -p "$work/config"
cp "$here/scripts/collect-all.yaml" "$work/config/all.yaml"
node "$here/dist/cli/main.js" serve --data-dir "$work/data" --config-dir "$work/config" --als-host 127.0.0.1 \
  --als-port 29102 --http-port 29103 --log-level warn > "$work/serve.log" 2>&1 &
pid=$!
watcher=""
trap 'kill $watcher $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 80); do curl -sf localhost:29103/readyz > /dev/null && break; sleep 0.25; done
case ${WATCH:-one} in
  none) ;;
  one) body='{"workloadSelectors":[{"kubeWorkloadMatcher":{"labels":{"app":"ratings"}}}]}' ;;
  all) body='{}' ;;
  *) echo "WATCH must be none, one or all" >&2; exit 1 ;;
esac
if [[ -n ${body:-} ]]; then
  curl -sN -XPOST --data "$body" "localhost:29103/v0/observability/logs?watch=1" > "$work/watch.out" &
  watcher=$!
fi
# tid, CPU ticks (user + system) and start time (ticks after boot) of every thread.
snap() { for t in /proc/$pid/task/*; do echo "${t##*/} $(awk '{print $14 + $15, $22}' "$t/stat")"; done | sort -n; }
snap > "$work/before"
client=$(node "$peer/client.mjs" 29102 "${STREAMS:-8}" "${SECS:-10}")
snap > "$work/after"
rss=$(awk '/VmHWM/ {print int($2 / 1024)}' "/proc/$pid/status")
sent=$(sed -E 's/.*"sentEntries":([0-9]+).*/\1/' <<< "$client")
lines=$([[ -n $watcher ]] && wc -l < "$work/watch.out" || echo 0)
echo "entries sent $sent, watcher lines $lines, peak RSS $rss MiB; CPU µs per entry sent:"
join "$work/before" "$work/after" | awk -v pid="$pid" -v sent="$sent" -v hz="$(getconf CLK_TCK)" '
  { tid = $1; us = ($4 - $2) / hz * 1e6 / sent; all += us
    if (tid == pid) { label = "main thread"; born = $3 }
    else if ($3 < born + hz / 10) label = "thread " tid " (Node: V8 platform (GC helpers), libuv)"
    else label = "thread " tid " (ingest worker, then checkpointer)"
    if (us >= 0.01) printf "  %-62s %6.2f\n", label, us }
  END { printf "  %-62s %6.2f\n", "all threads", all }'
