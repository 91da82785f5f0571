#!/usr/bin/env bash
# Load test of the reference server on loopback, over HTTPS with keep-alive, with wrk
# (Debian's package, installed if missing) and OCSP on:
#   1. a mix of the four OCSP endpoints (GET and PUT /v1/ocsp, GET /v1/ocsp/status,
#      POST /v1/ocsp/test, one after the other on each connection), ROUNDS rounds of SECONDS:
#      requests/s and answers other than 200 (there must be none) per round, and the server's
#      resident memory after each (steady once the responder's journal is full: it keeps the
#      last 10,000 requests);
#   2. POST /v1/ocsp/test alone (each a live, signed and verified OCSP exchange with the
#      embedded responder) and, as the peer, GET /v1/ocsp alone (no OCSP): p50 and p99
#      latency, and their ratio.
#
# Usage: bench/load.sh [SECONDS] [CONNECTIONS] [ROUNDS]
set -euo pipefail
seconds=${1:-10}
connections=${2:-16}
rounds=${3:-5}
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  echo "installing wrk" >&2
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q wrk >/dev/null
fi
cargo build --release --quiet
bin=target/release/ocsp-harness

password=load-pw
# shellcheck source=bench/serve.sh
source bench/serve.sh
auth="Authorization: Basic $(printf '%s' "adm:$password" | base64)"
curl -sf --cacert "$work/ca.pem" -u "adm:$password" -X PUT -H 'content-type: application/json' \
  --data '{"ocsp_functionality": true}' "$url/v1/ocsp" >/dev/null

rss() { ps -o rss= -p "$server" | awk '{ printf "%.1f MiB", $1 / 1024 }'; }

# Every connection cycles through the four endpoints; statuses other than 200 are counted.
cat >"$work/mix.lua" <<'LUA'
local requests = {}
local counts = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  -- A header table replaces the -H headers for that request: the credentials go in again.
  local json = { ["Content-Type"] = "application/json", ["Authorization"] = wrk.headers["Authorization"] }
  requests[1] = wrk.format("GET", "/v1/ocsp")
  requests[2] = wrk.format("PUT", "/v1/ocsp", json, '{"query_frequency": 3600}')
  requests[3] = wrk.format("GET", "/v1/ocsp/status")
  requests[4] = wrk.format("POST", "/v1/ocsp/test")
  n = 0
  other = 0
end
function request() n = n + 1; return requests[(n % 4) + 1] end
function response(status, headers, body) if status ~= 200 then other = other + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("other") end
  io.write(string.format("answers other than 200: %d\n", total))
end
LUA

echo "server: $url, OCSP on; $connections connections, 2 wrk threads, ${seconds}s per run"
echo "resident memory before: $(rss)"
for round in $(seq "$rounds"); do
  mix=$(wrk -t2 -c"$connections" -d"${seconds}s" -H "$auth" -s "$work/mix.lua" "$url")
  echo "$mix" | awk -v round="$round" -v rss="$(rss)" '
    /Requests\/sec/ { rps = $2 }
    /answers other than 200/ { other = $5 }
    /Socket errors/ { errors = $0 }
    END { printf "mix round %d: %10s requests/s   answers other than 200: %s   memory after: %s %s\n", round, rps, other, rss, errors }'
done

# p50 and p99 of one endpoint alone with C connections, as "name rps p50 p99 non-2xx" (ms).
latency() {
  local method=$1 path=$2 clients=$3 threads=2 out
  [ "$clients" -ge 2 ] || threads=1
  printf 'wrk.method = "%s"\n' "$method" >"$work/one.lua"
  out=$(wrk -t"$threads" -c"$clients" -d"${seconds}s" --latency -H "$auth" -s "$work/one.lua" "$url$path")
  echo "$out" | awk -v name="$method $path" -v clients="$clients" '
    function ms(text) {
      if (text ~ /us$/) return substr(text, 1, length(text) - 2) / 1000
      if (text ~ /ms$/) return substr(text, 1, length(text) - 2) + 0
      if (text ~ /s$/) return substr(text, 1, length(text) - 1) * 1000
      return text
    }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad = $5 }
    END { printf "%s %s %s %.3f %.3f %s\n", name, clients, rps, p50, p99, (bad == "" ? 0 : bad) }'
}

printf '%-22s %5s %12s %10s %10s %8s\n' endpoint conns requests/s "p50 ms" "p99 ms" non-2xx
for clients in 1 "$connections"; do
  test_line=$(latency POST /v1/ocsp/test "$clients")
  config_line=$(latency GET /v1/ocsp "$clients")
  for line in "$test_line" "$config_line"; do
    echo "$line" | awk '{ printf "%-22s %5s %12s %10.3f %10.3f %8s\n", $1 " " $2, $3, $4, $5, $6, $7 }'
  done
  echo "$test_line $config_line" | awk '{ printf "POST /v1/ocsp/test / GET /v1/ocsp at %s connections: p50 %.1fx, p99 %.1fx\n", $3, $5 / $12, $6 / $13 }'
done
echo "resident memory at the end: $(rss)"
