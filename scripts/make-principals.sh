#!/usr/bin/env bash
# Turns a tokens file (token role organisation name) into an evald
# principals file (sha256(token) role organisation name): evald never sees
# or stores a token itself.
#   scripts/make-principals.sh deploy/demo/tokens.txt > principals.txt
set -euo pipefail
grep -v '^\s*#' "$1" | while read -r token role org name; do
  [ -n "${token:-}" ] || continue
  hash=$(printf '%s' "$token" | sha256sum | cut -d' ' -f1)
  printf '%s %s %s %s\n' "$hash" "$role" "$org" "$name"
done
