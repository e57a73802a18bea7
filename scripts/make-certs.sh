#!/usr/bin/env bash
# Makes a local certificate authority, a server certificate for evald and a
# client certificate, for tests and demos (docs/security.md). Not for
# production: use your organisation's CA there.
#
#   scripts/make-certs.sh DIR [SERVER_NAME]
#
# DIR gets ca.pem, ca.key, server.pem, server.key, client.pem, client.key.
# The server certificate is valid for SERVER_NAME (default localhost),
# localhost, 127.0.0.1 and ::1.
set -euo pipefail
dir=${1:?usage: make-certs.sh DIR [SERVER_NAME]}
name=${2:-localhost}
mkdir -p "$dir"
cd "$dir"
days=825
quiet() { "$@" >/dev/null 2>&1 || { echo "make-certs: $* failed" >&2; "$@"; }; }

quiet openssl req -x509 -newkey rsa:2048 -nodes -days "$days" \
  -keyout ca.key -out ca.pem -subj "/CN=evald test CA"

cat > server.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:${name},DNS:localhost,IP:127.0.0.1,IP:::1
EXT
quiet openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
  -subj "/CN=${name}"
quiet openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days "$days" -out server.pem -extfile server.ext

cat > client.ext <<EXT
basicConstraints=CA:FALSE
keyUsage=digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
EXT
quiet openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr \
  -subj "/CN=evalctl"
quiet openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
  -days "$days" -out client.pem -extfile client.ext

rm -f server.csr client.csr server.ext client.ext ca.srl
chmod 600 ./*.key
echo "make-certs: wrote $(pwd)/{ca,server,client}.{pem,key}"
