#!/usr/bin/env bash
# The standalone responder under a horde of idle connections: its RSS before, while IDLE
# connections that never send a byte are held, and after the clients close them; how many of
# REQUESTS normal OCSP POSTs (curl, a new connection each) were answered 200 meanwhile; then
# the same with --max-connections below IDLE, where the idle ones must make room, and with
# --idle-timeout 2, where the responder closes them itself. One line per figure. The default
# idle limit is 30 s of real time, so in the first two rounds the clients close their side
# instead of waiting for it (the tests move a virtual clock for that).
#
# Usage: [HORDES=3] [ONE_THREAD=1] bench/hostile-responder.sh [IDLE] [REQUESTS] [SMALL_MAX_CONNECTIONS]
set -euo pipefail
idle=${1:-2000}
requests=${2:-200}
small_max=${3:-500}
# Hordes one after the other against the same responder: the later ones show whether the
# memory of the first is reused or leaked.
hordes=${HORDES:-3}
# Seconds the idle connections are held after the requests, before the clients close them.
linger=0
cd "$(dirname "$0")/.."

cargo build --release --quiet
target_dir=${CARGO_TARGET_DIR:-target}
[[ $target_dir = /* ]] || target_dir=$PWD/$target_dir
bin=$target_dir/release/ocsp-harness
# Both ends of every connection are in this machine's descriptor table: raise the limit.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((idle + 256)) ]; then
  echo "need $((idle + 256)) file descriptors, have $(ulimit -n)" >&2
  exit 1
fi

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" pki generate --out "$work/pki" >/dev/null
openssl ocsp -issuer "$work/pki/intermediate.cert.pem" -cert "$work/pki/proxy.cert.pem" \
  -reqout "$work/request.der" -no_nonce >/dev/null

# Holds N idle connections to PORT: prints "open N" once they are, then, once the file STOP
# exists, "still-open K" (those the server has not closed) and closes them all.
cat >"$work/horde.py" <<'EOF'
import os, socket, sys, time
port, count, stop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held = []
for _ in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    held.append(s)
print("open", len(held), flush=True)
while not os.path.exists(stop):
    time.sleep(0.05)
still = 0
for s in held:
    s.setblocking(False)
    try:
        still += s.recv(1) != b""
    except BlockingIOError:
        still += 1  # nothing to read and no end: open
    except OSError:
        pass  # reset by the server
    s.close()
print("still-open", still, flush=True)
EOF

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# Runs REQUESTS POSTs against URL, one connection each; prints how many were answered 200.
normal_requests() {
  local ok=0 code
  for _ in $(seq "$requests"); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
      -H 'content-type: application/ocsp-request' --data-binary "@$work/request.der" "$1" || true)
    [ "$code" = 200 ] && ok=$((ok + 1))
  done
  echo "$ok"
}

# One horde against the responder RESPONDER at URL (PORT): prints its figures, each line
# prefixed with LABEL.
horde() {
  local label=$1 responder=$2 port=$3 url=$4
  local stop=$work/stop-$label out=$work/horde-$label.out
  python3 "$work/horde.py" "$port" "$idle" "$stop" >"$out" &
  local horde=$!
  pids+=("$horde")
  for _ in $(seq 600); do
    grep -q '^open' "$out" 2>/dev/null && break
    sleep 0.05
  done
  grep -q '^open' "$out" || { echo "the horde did not connect" >&2; exit 1; }
  sleep 0.5
  local held held_fds answered started elapsed
  held=$(rss_kib "$responder")
  held_fds=$(fds "$responder")
  started=$(date +%s.%N)
  answered=$(normal_requests "$url")
  elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  # Time for a short idle limit to pass, when one is set.
  sleep "$linger"
  touch "$stop"
  wait "$horde"
  sleep 1
  echo "$label: RSS once $idle idle connections were opened: $held KiB ($held_fds descriptors held by the responder)"
  echo "$label: normal requests answered 200 meanwhile: $answered of $requests in ${elapsed} s"
  echo "$label: idle connections still open when the clients closed them: $(awk '/^still-open/ {print $2}' "$out") of $idle"
  echo "$label: RSS after the clients closed them: $(rss_kib "$responder") KiB ($(fds "$responder") descriptors)"
}

# One round: the responder with extra flags, then $hordes hordes one after the other. LABEL
# prefixes its lines.
round() {
  local label=$1
  shift
  local log=$work/responder-$label.log
  "$bin" responder --pki "$work/pki" --listen 127.0.0.1:0 --quiet "$@" >"$log" 2>&1 &
  local responder=$!
  pids+=("$responder")
  local port=""
  for _ in $(seq 100); do
    port=$(grep -oE '127\.0\.0\.1:[0-9]+' "$log" | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.05
  done
  [ -n "$port" ] || { echo "responder did not start: $(cat "$log")" >&2; exit 1; }
  local url="http://127.0.0.1:$port/"
  # Warm up: the first answers allocate what every later one reuses.
  normal_requests "$url" >/dev/null
  echo "$label: RSS before the idle connections: $(rss_kib "$responder") KiB"
  horde "$label" "$responder" "$port" "$url"
  for round in $(seq 2 "$hordes"); do
    horde "$label, horde $round" "$responder" "$port" "$url"
  done
  kill "$responder"
  wait "$responder" 2>/dev/null || true
}

round default
round "max-connections=$small_max" --max-connections "$small_max"
linger=3
round "idle-timeout=2" --idle-timeout 2
linger=0
# One thread: glibc's allocator keeps an arena per thread, which the figures above include.
if [ "${ONE_THREAD:-0}" = 1 ]; then round "threads=1" --threads 1; fi
