#!/usr/bin/env bash
# The same load, one after the other on loopback, against our responder and against
# `openssl ocsp -index`: `ab` (Debian's apache2-utils; it speaks HTTP/1.0, which openssl's
# responder needs, as it closes every connection) POSTs one DER request REQUESTS times with
# CONCURRENCY clients. Both sides sign every response live with the same key type. Prints
# requests/s, p99 latency and the ratio to openssl, with and without keep-alive for ours.
#
# Usage: bench/responder-vs-openssl.sh [REQUESTS] [CONCURRENCY] [KEY_TYPE]
set -euo pipefail
requests=${1:-20000}
concurrency=${2:-64}
key_type=${3:-p256}
cd "$(dirname "$0")/.."

if ! command -v ab >/dev/null; then
  echo "installing apache2-utils (ab)" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q apache2-utils >/dev/null
fi
cargo build --release --quiet
bin=target/release/ocsp-harness

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" pki generate --out "$work/pki" --key-type "$key_type" >/dev/null
cd "$work/pki"
openssl ocsp -issuer intermediate.cert.pem -cert proxy.cert.pem -reqout request.der -no_nonce
serial=$(openssl x509 -noout -serial -in proxy.cert.pem | cut -d= -f2)
expiry=$(date -u -d '+1 year' +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t/CN=proxy.cluster.test\n' "$expiry" "$serial" >index.txt

# Starts a server in the background; sets `port` from the first line of its log naming one.
start() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    port=$(grep -oE '(127\.0\.0\.1|\]):[0-9]+' "$log" | head -1 | grep -oE '[0-9]+$' || true)
    [ -n "$port" ] && return
    sleep 0.05
  done
  echo "server did not start: $(cat "$log")" >&2
  exit 1
}

# Runs ab (POSTing the request unless told otherwise) and prints "REQUESTS_PER_SECOND P99_MS
# FAILED".
load() {
  local url=$1
  shift
  local body=(-p request.der -T application/ocsp-request)
  [ "${1:-}" = --no-body ] && { body=(); shift; }
  ab -q -n "$requests" -c "$concurrency" "$@" "${body[@]}" "$url" >ab.out 2>&1 || {
    cat ab.out >&2
    exit 1
  }
  local rps p99 failed non2xx
  rps=$(awk '/^Requests per second/ {print $4}' ab.out)
  p99=$(awk '$1 == "99%" {print $2}' ab.out)
  # ab counts a body whose length differs from the first one as failed; ECDSA signatures vary
  # by an octet or two, so only connect, receive and exception failures count here.
  failed=$(awk -F'[:,)]' '/^   \(Connect/ {print $2 + $4 + $8}' ab.out)
  failed=${failed:-0}
  non2xx=$(awk '/^Non-2xx responses/ {print $3}' ab.out)
  echo "$rps $p99 $((failed + ${non2xx:-0}))"
}

start openssl.log openssl ocsp -index index.txt -CA intermediate.cert.pem \
  -rsigner intermediate.cert.pem -rkey intermediate.key.pem -port 0
read -r openssl_rps openssl_p99 openssl_failed < <(load "http://127.0.0.1:$port/")
kill "${pids[-1]}"

start ours.log "$OLDPWD/$bin" responder --pki . --listen 127.0.0.1:0 --quiet
read -r ours_rps ours_p99 ours_failed < <(load "http://127.0.0.1:$port/")
read -r keep_rps keep_p99 keep_failed < <(load "http://127.0.0.1:$port/" -k)
kill "${pids[-1]}"

start ours1.log "$OLDPWD/$bin" responder --pki . --listen 127.0.0.1:0 --quiet --threads 1
read -r one_rps one_p99 one_failed < <(load "http://127.0.0.1:$port/")
read -r one_keep_rps one_keep_p99 one_keep_failed < <(load "http://127.0.0.1:$port/" -k)
# A GET of "/" is answered malformedRequest without signing: the most ab can drive here.
read -r ceiling_rps ceiling_p99 ceiling_failed < <(load "http://127.0.0.1:$port/" --no-body)

ratio() { awk -v a="$1" -v b="$openssl_rps" 'BEGIN { printf "%.2f", a / b }'; }
echo "$requests requests, $concurrency concurrent, $key_type signing, $(nproc) cores"
printf '%-44s %10s %8s %8s %7s\n' target "req/s" "p99 ms" failed ratio
printf '%-44s %10s %8s %8s %7s\n' "openssl ocsp -index (new connections)" "$openssl_rps" "$openssl_p99" "$openssl_failed" 1.00
row() { printf '%-44s %10s %8s %8s %7s\n' "$1" "$2" "$3" "$4" "$(ratio "$2")"; }
row "ocsp-harness, a thread per core (new conn.)" "$ours_rps" "$ours_p99" "$ours_failed"
row "ocsp-harness, a thread per core (keep-alive)" "$keep_rps" "$keep_p99" "$keep_failed"
row "ocsp-harness --threads 1 (new connections)" "$one_rps" "$one_p99" "$one_failed"
row "ocsp-harness --threads 1 (keep-alive)" "$one_keep_rps" "$one_keep_p99" "$one_keep_failed"
row "ceiling: --threads 1, no signing (new conn.)" "$ceiling_rps" "$ceiling_p99" "$ceiling_failed"
