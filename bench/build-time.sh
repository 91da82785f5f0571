#!/usr/bin/env bash
# Wall times of building and testing, each in a fresh target directory (the crates already
# downloaded, so it measures compiling, not the network):
#   - `cargo test --locked` from nothing (the README's test command, run included);
#   - after touching one file of the reference server, `cargo build` and `cargo test --no-run`
#     (the edit-compile loop), with a clean build of the same as the peer;
#   - `cargo build --release --locked` from nothing.
# Prints one line per figure. On a shared machine figures move by 10% or more between runs:
# compare two trees by running this in each, one after the other, on a quiet machine.
#
# Usage: bench/build-time.sh [FILE-TO-TOUCH]   (default: the reference server's routes)
set -euo pipefail
cd "$(dirname "$0")/.."
touched=${1:-crates/reference/src/routes.rs}
cargo fetch --locked --quiet
target=$(mktemp -d)
trap 'rm -rf "$target"' EXIT
seconds() {
  local started ended
  started=$(date +%s.%N)
  CARGO_TARGET_DIR="$target" "$@" >/dev/null 2>&1
  ended=$(date +%s.%N)
  awk -v a="$started" -v b="$ended" 'BEGIN { printf "%.1f", b - a }'
}
printf 'on %s cores\n' "$(nproc)"
printf 'cargo test --locked from nothing: %s s\n' "$(seconds cargo test --locked)"
touch "$touched"
printf 'cargo build after touching %s: %s s\n' "$touched" "$(seconds cargo build --locked)"
touch "$touched"
printf 'cargo test --no-run after touching %s: %s s\n' "$touched" \
  "$(seconds cargo test --locked --no-run)"
rm -rf "$target"
printf 'cargo build --release --locked from nothing: %s s\n' \
  "$(seconds cargo build --release --locked)"
