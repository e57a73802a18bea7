#!/usr/bin/env bash
# `make run`: starts evald on loopback with a local data directory, the
# built-in policy and calendars, the demo principals and the dashboard, and
# prints the URLs and demo tokens. A new data directory is seeded with the
# demo district (scripts/seed-demo.sh) unless EVALD_DEMO=empty.
set -euo pipefail
build_dir=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
run_dir="$top/run"
fresh=no
if [ ! -e "$run_dir/data/CURRENT" ]; then fresh=yes; fi
mkdir -p "$run_dir/data"
"$top/scripts/make-principals.sh" "$top/deploy/demo/tokens.txt" > "$run_dir/principals.txt"
listen=${EVALD_LISTEN:-127.0.0.1:50051}
http_listen=${EVALD_HTTP_LISTEN:-127.0.0.1:8080}
web_flag=()
if [ -f "$top/web/dist/index.html" ]; then web_flag=(--web_dir="$top/web/dist"); fi

cat <<MSG
== evald (demo) ==
data directory: $run_dir/data
gRPC:           $listen
dashboard:      http://$http_listen/   (paste a token below: demo-bureau sees the whole district)
HTTP (Connect JSON API, /healthz): http://$http_listen/
Demo tokens (public; for this loopback demo only):
$(grep -v '^\s*#' "$top/deploy/demo/tokens.txt" | awk 'NF {printf "  %-19s %-9s %-9s  export EVAL_TOKEN=%s\n", $4, $2, $3, $1}')
Try, in another terminal:
  export PATH=$top/$build_dir/client:\$PATH EVAL_SERVER=$listen EVAL_TOKEN=demo-bureau
  evalctl policy show
  evalctl project list
  curl -s -H 'Authorization: Bearer demo-finance' -H 'Content-Type: application/json' -d '{}' http://$http_listen/evaluation.v1.EvaluationService/ListDisbursements
Stop with Ctrl-C.
MSG
evald=("$top/$build_dir/server/evald" --listen="$listen"
  --http_listen="$http_listen" "${web_flag[@]}"
  --data_dir="$run_dir/data" --principals="$run_dir/principals.txt"
  --organisations="$top/deploy/demo/organisations.tsv")
if [ "$fresh" = no ] || [ "${EVALD_DEMO:-}" = empty ]; then exec "${evald[@]}"; fi

# A new database: start, seed the demo district through evalctl, serve on.
"${evald[@]}" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid' INT TERM
for _ in $(seq 100); do
  if curl -fs "http://$http_listen/healthz" >/dev/null 2>&1; then break; fi
  sleep 0.1
done
"$top/scripts/seed-demo.sh" "$top/$build_dir/client/evalctl" "$listen"
echo "seeded the demo district: 3 stations, service year 2025 (EVALD_DEMO=empty make run starts empty)"
wait $pid
