#!/usr/bin/env bash
# What V8's garbage collector does in meshlog serve under the peer bench's load client, per isolate
# (the main thread, each ingest worker, each checkpointer): collections, their pauses, what was
# allocated, what survived a scavenge and what was promoted to the old generation. Promotion is what
# makes full collections, and the memory that waits for them (docs/operations/running.md § performance).
#   WATCH=none|one|all  no watcher, a ?watch=1 watcher of one workload of eight, or of all traffic
#   SECS=10 STREAMS=8   (only what happens once the load has started is counted)
set -euo pipefail
source "$(dirname "$0")/serve-under-load.sh"
body=$(watch_body none)
serve_under_load "$work/gc.log" "$body" --trace-gc-nvp
before=$(wc -c < "$work/gc.log")
client=$(node "$peer/client.mjs" 29102 "${STREAMS:-8}" "${SECS:-10}")
kill -INT $pid; wait $pid 2>/dev/null || true
echo "$client"
# One line per isolate and kind of collection (s: scavenge, mc: full mark-compact) during the load.
# The main thread's isolate is the one at the lowest address; the ingest workers allocate the most.
printf "%-24s %-3s %6s %9s %12s %12s %16s\n" "isolate" "gc" "count" "pause ms" "allocated MB" "promoted MB" "survived MB/gc"
tail -c +"$((before + 1))" "$work/gc.log" | awk '
  / ms: pause=/ {
    iso = $1
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    key = iso " " v["gc"]; n[key]++; pause[key] += v["pause"]; alloc[key] += v["allocated"]
    promoted[key] += v["promoted"]; survived[key] += v["new_space_survived"]
  }
  END {
    for (k in n) { split(k, p, " ")
      printf "%-24s %-3s %6d %9.0f %12.0f %12.1f %16.2f\n", p[1], p[2], n[k], pause[k], alloc[k] / 1e6, promoted[k] / 1e6, survived[k] / 1e6 / n[k] }
  }' | sort -k1,1 -k2,2
