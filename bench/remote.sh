#!/usr/bin/env bash
# Wall time of the corpus in remote mode against `ocsp-harness serve` started as a process
# (HTTPS on loopback, its own system clock, no provider states: as a vendor's cluster would be),
# ROUNDS runs one after the other. Prints the median and best, what ran and was skipped, and
# where the time of the last round goes: its three slowest scenarios (two must wait in real
# time, a target's documented minimum `response_timeout` being one second) beside all the
# others together.
#
# Usage: bench/remote.sh [ROUNDS]
set -euo pipefail
rounds=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=$PWD/target/release/ocsp-harness

password=remote-pw
# shellcheck source=bench/serve.sh
source bench/serve.sh

for round in $(seq "$rounds"); do
  started=$(date +%s.%N)
  OCSP_HARNESS_TARGET_PASSWORD=$password "$bin" run --target "$url" --user adm \
    --ca-cert "$work/ca.pem" --allow-certificate-change --format json \
    >"$work/report-$round.json" 2>"$work/run.err" || { cat "$work/run.err" >&2; exit 1; }
  ended=$(date +%s.%N)
  awk -v a="$started" -v b="$ended" 'BEGIN { print b - a }' >>"$work/times"
done

# Per scenario of the last round: "DURATION_MS VERDICT ID".
awk -F'"' '$2 == "id" { id = $4 } $2 == "verdict" { verdict = $4 }
  $2 == "duration_ms" { split($3, n, /[:, ]+/); print n[2], verdict, id }' \
  "$work/report-$rounds.json" >"$work/scenarios"

sort -n "$work/times" | awk '{ t[NR] = $1 } END { printf "%.3f %.3f\n", t[int((NR + 1) / 2)], t[1] }' |
  { read -r median best
    printf 'remote corpus against serve (one at a time), %d rounds: median %.3f s, best %.3f s\n' \
      "$rounds" "$median" "$best"; }
awk '{ count[$2]++ } END { printf "scenarios: %d passed, %d failed, %d skipped\n", count["passed"], count["failed"], count["skipped"] }' \
  "$work/scenarios"
grep -v ' skipped ' "$work/scenarios" | sort -rn >"$work/ran"
head -3 "$work/ran" | awk '{ printf "slow: %6.3f s  %s\n", $1 / 1000, $3 }'
tail -n +4 "$work/ran" | awk '{ rest += $1; n++ } END { printf "every other scenario run: %d scenarios, %.3f s together\n", n, rest / 1000 }'
