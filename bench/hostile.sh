#!/usr/bin/env bash
# Hostile clients against `serve` as a process (README, "Hardening"): IDLE idle TLS connections
# and LORIS slowloris connections held while REQUESTS requests are answered, the server's own
# closing of idle connections, and 50 MB bodies, with the server's resident memory, open
# connections and tasks at each step (bench/hostile_clients.py prints them). The idle limit is
# shortened to IDLE_TIMEOUT seconds (default 10) so that the run does not wait 30 s; the
# connection limit is MAX_CONNECTIONS (default 4096, serve's): more IDLE than that shows the
# longest-idle ones closed to make room.
#
# Usage: bench/hostile.sh [IDLE] [LORIS] [REQUESTS] [IDLE_TIMEOUT] [MAX_CONNECTIONS]
set -euo pipefail
idle=${1:-3000}
loris=${2:-500}
requests=${3:-500}
idle_timeout=${4:-10}
max_connections=${5:-4096}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/ocsp-harness
# Both ends of every connection are in this machine's processes: make room for them.
ulimit -n "$(ulimit -Hn)"

password=hostile-pw
serve_args=(--quiet --idle-timeout "$idle_timeout" --max-connections "$max_connections")
# shellcheck source=bench/serve.sh
. bench/serve.sh
python3 bench/hostile_clients.py "$url" "$work/ca.pem" "adm:$password" "$server" \
  "$idle" "$loris" "$requests" "$idle_timeout"
