# Sourced, not run: what scripts/peer-bench.sh, ingest-threads.sh and gc-trace.sh share. They find
# the peer bench (PEER_BENCH, else ../shared/peer-bench beside this repository) and meshlog's build,
# give `meshlog serve` a config that collects everything, and attach the watcher WATCH names.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
peer=${PEER_BENCH:-$here/../shared/peer-bench}
[[ -f $peer/run.sh ]] || { echo "peer-bench not found at $peer (set PEER_BENCH)" >&2; exit 1; }
[[ -f $here/dist/cli/main.js ]] || (cd "$here" && npm run build >/dev/null)

# The ?watch=1 body for WATCH=none|one|all (none: nothing), WATCH defaulting to $1: no watcher, a
# watcher of one workload of eight, or one of all traffic.
watch_body() {
  case ${WATCH:-$1} in
    none) ;;
    one) echo '{"workloadSelectors":[{"kubeWorkloadMatcher":{"labels":{"app":"ratings"}}}]}' ;;
    all) echo '{}' ;;
    *) echo "WATCH must be none, one or all" >&2; return 1 ;;
  esac
}

# A work folder ($work, removed at exit) whose config collects everything.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/config"
cp "$here/scripts/collect-all.yaml" "$work/config/all.yaml"

# The serve arguments the peer bench's client and these scripts expect.
serve_args=(serve --data-dir "$work/data" --config-dir "$work/config" --als-host 127.0.0.1 --als-port 29102 --http-port 29103 --log-level warn)

# serve_under_load LOG BODY [NODE FLAG...]: starts serve ($pid, its output in LOG), waits until it is
# ready, and attaches a watcher with BODY unless it is empty ($watcher, its lines in $work/watch.out).
serve_under_load() {
  local log=$1 body=$2
  shift 2
  FRAMES=$(bash "$peer/setup.sh")/frames
  export FRAMES
  node "$@" "$here/dist/cli/main.js" "${serve_args[@]}" > "$log" 2>&1 &
  pid=$!
  watcher=""
  trap 'kill $watcher $pid 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 80); do curl -sf localhost:29103/readyz > /dev/null && break; sleep 0.25; done
  if [[ -n $body ]]; then
    curl -sN -XPOST --data "$body" "localhost:29103/v0/observability/logs?watch=1" > "$work/watch.out" &
    watcher=$!
  fi
}
