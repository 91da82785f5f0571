#!/usr/bin/env bash
# Wall time of the whole scenario corpus against the embedded reference server, after the
# build: ROUNDS runs of `ocsp-harness run` with the default jobs (one per core), and, as the
# peer in the same session, ROUNDS runs with `--jobs 1`. Prints the median and best of each,
# the scenarios per second, the ratio (what running worlds side by side gains here), and the
# slowest scenario of all the default-jobs rounds (the time its report gives it).
#
# Usage: bench/corpus.sh [ROUNDS]
set -euo pipefail
rounds=${1:-5}
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/ocsp-harness
count=$("$bin" run --list | wc -l)

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT

# Wall seconds of one run (a run that fails stops the script); its JSON report is kept.
measure() {
  local started ended report
  report=$(mktemp -p "$reports")
  started=$(date +%s.%N)
  "$bin" run --format json "$@" >"$report"
  ended=$(date +%s.%N)
  awk -v a="$started" -v b="$ended" 'BEGIN { print b - a }'
}

summary() {
  sort -n | awk '{ t[NR] = $1 } END { printf "%.3f %.3f", t[int((NR + 1) / 2)], t[1] }'
}

parallel=$(for _ in $(seq "$rounds"); do measure; done | summary)
# The slowest scenario of the default-jobs rounds, from their reports.
slowest=$(awk -F'"' '$2 == "id" { id = $4 } $2 == "duration_ms" { split($3, n, /[:, ]+/); print n[2], id }' \
  "$reports"/* | sort -rn | head -1)
rm -f "$reports"/*
serial=$(for _ in $(seq "$rounds"); do measure --jobs 1; done | summary)
read -r parallel_median parallel_best <<<"$parallel"
read -r serial_median serial_best <<<"$serial"
printf '%d scenarios, %d rounds each, %s cores\n' "$count" "$rounds" "$(nproc)"
printf '%-26s median %6.3f s   best %6.3f s   %6.1f scenarios/s\n' \
  "default jobs" "$parallel_median" "$parallel_best" "$(awk -v n="$count" -v t="$parallel_median" 'BEGIN { print n / t }')"
printf '%-26s median %6.3f s   best %6.3f s   %6.1f scenarios/s\n' \
  "--jobs 1" "$serial_median" "$serial_best" "$(awk -v n="$count" -v t="$serial_median" 'BEGIN { print n / t }')"
printf 'ratio (jobs 1 / default): %.2fx\n' "$(awk -v a="$serial_median" -v b="$parallel_median" 'BEGIN { print a / b }')"
printf 'slowest scenario in the default-jobs rounds: %s ms (%s)\n' "${slowest%% *}" "${slowest#* }"
