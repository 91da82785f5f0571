#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600) with cargo fuzz (libFuzzer, nightly Rust,
# both installed if missing), starting from the committed seeds and keeping what it finds in
# fuzz/corpus/TARGET. A crash stops that target, leaves its input in fuzz/artifacts/TARGET,
# and makes the script exit 1 after the others ran. Prints a line per target.
#
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
#   targets: verify_response decode_request scenario_loader reference_request serve_front
#   (default: all)
set -euo pipefail
seconds=${1:-600}
shift || true
cd "$(dirname "$0")"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(verify_response decode_request scenario_loader reference_request serve_front)
fi
if ! rustup toolchain list | grep -q '^nightly'; then
  rustup toolchain install nightly --profile minimal
fi
if ! command -v cargo-fuzz >/dev/null; then
  cargo install cargo-fuzz --locked
fi
if [ ! -f seeds/pki/manifest.json ]; then
  cargo run --release --quiet --bin make_seeds
fi

failed=0
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  log=$(mktemp)
  if cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    printf '%-18s %ss  no crash  %s inputs run  corpus %s files\n' \
      "$target" "$seconds" "$runs" "$(ls "corpus/$target" | wc -l)"
  else
    failed=1
    printf '%-18s CRASH (see fuzz/artifacts/%s):\n' "$target" "$target"
    grep -E 'panicked|ERROR: |SUMMARY' "$log" | head -5
  fi
  rm -f "$log"
done
exit "$failed"
