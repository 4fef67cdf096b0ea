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
source "$(dirname "$0")/serve-under-load.sh"
body=$(watch_body one)
serve_under_load "$work/serve.log" "$body"
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
