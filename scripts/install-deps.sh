#!/usr/bin/env bash
# Installs the Debian 12 packages that building, running and testing evald
# need, and only those that are missing, so repeated runs cost nothing.
#   scripts/install-deps.sh          what `make build` and `make test` need
#   scripts/install-deps.sh bench    only what `make bench` adds: PostgreSQL
#                                    15 (server and pgbench) and python3
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  librocksdb-dev libabsl-dev libgtest-dev libgmock-dev libspdlog-dev
  clang-format openssl clang libclang-rt-14-dev libjemalloc-dev
  libcpp-httplib-dev curl
  # Webhooks: libcurl sends them, OpenSSL signs them (HMAC-SHA256).
  libcurl4-openssl-dev libssl-dev
  # The replicated deployment (#15): etcd's server for the tests' 3-member
  # cluster, its client, and its API's .proto files (the C++ stubs are
  # generated from them at build time).
  etcd-server etcd-client golang-etcd-server-dev
  # deploy/k8s/ is linted in make test (scripts/check-deploy.sh).
  yamllint
  # evalctl reads .xlsx (zip + XML); the tests write workbooks with
  # libxlsxwriter, an implementation of the format that is not ours.
  libzip-dev libexpat1-dev libxlsxwriter-dev
  # promtool lints evald's /metrics in the tests, and a real Prometheus
  # scrapes it.
  prometheus
  # The dashboard's browser tests: Chromium, a CJK font for what it
  # renders and prints, pdftotext to read the printed 公示 back.
  chromium fonts-wqy-microhei poppler-utils
)
# Node.js and npm build the dashboard (Vite 8 needs Node >= 20.19): Debian's
# only where the machine has none of its own.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

if [ "${1:-}" = "bench" ]; then
  packages=(postgresql-15 python3)
  # The benchmark runs a throw-away PostgreSQL of its own: keep the package
  # from creating and starting a default cluster on port 5432.
  if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    as_root=""
    if [ "$(id -u)" -ne 0 ]; then as_root="sudo"; fi
    $as_root mkdir -p /etc/postgresql-common
    echo "create_main_cluster = false" |
      $as_root tee /etc/postgresql-common/createcluster.conf >/dev/null
  fi
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
