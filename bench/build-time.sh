#!/usr/bin/env bash
# Wall time of a release build from nothing (a fresh target directory; the crates already
# downloaded, so it measures compiling, not the network), and of a rebuild after touching one
# source file, as the peer.
#
# Usage: bench/build-time.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fetch --locked --quiet
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
seconds() {
  local started ended
  started=$(date +%s.%N)
  CARGO_TARGET_DIR="$target" cargo build --release --locked --quiet
  ended=$(date +%s.%N)
  awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }'
}
clean=$(seconds)
touch src/lib.rs
again=$(seconds)
printf 'release build from nothing: %s s on %s cores\n' "$clean" "$(nproc)"
printf 'rebuild after touching src/lib.rs: %s s (%.1fx faster)\n' "$again" \
  "$(awk -v a="$clean" -v b="$again" 'BEGIN { print a / b }')"
