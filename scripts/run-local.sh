#!/usr/bin/env bash
# `make run`: starts evald on loopback with a local data directory, the
# built-in policy and calendars, and the demo principals, and prints the
# demo tokens so that evalctl can be tried at once.
set -euo pipefail
build_dir=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
run_dir="$top/run"
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
HTTP (Connect JSON API, /healthz): http://$http_listen/
Demo tokens (public; for this loopback demo only):
$(grep -v '^\s*#' "$top/deploy/demo/tokens.txt" | awk 'NF {printf "  %-18s %-9s %-8s  export EVAL_TOKEN=%s\n", $4, $2, $3, $1}')
Try, in another terminal:
  export PATH=$top/$build_dir/client:\$PATH EVAL_SERVER=$listen EVAL_TOKEN=demo-bureau
  evalctl policy show
  evalctl project list
  curl -s -H 'Authorization: Bearer demo-finance' -H 'Content-Type: application/json' -d '{}' http://$http_listen/evaluation.v1.EvaluationService/ListDisbursements
Stop with Ctrl-C.
MSG
exec "$top/$build_dir/server/evald" --listen="$listen" \
  --http_listen="$http_listen" "${web_flag[@]}" \
  --data_dir="$run_dir/data" --principals="$run_dir/principals.txt"
