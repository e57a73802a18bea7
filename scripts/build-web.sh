#!/usr/bin/env bash
# Builds the dashboard (web/dist) from the committed package-lock.json:
# `npm ci` when node_modules is missing or older than the lockfile, then
# generate the proto types, type-check and bundle. `make run` and `make test`
# run it.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] ||
  [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build
# Scripts gzipped beside themselves: evald sends the .gz to browsers that
# take gzip (server/http_gateway.cc says why it does not compress them).
gzip -9 -n -k -f dist/assets/*.js
