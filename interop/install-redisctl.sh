#!/usr/bin/env bash
# Installs the redisctl version the real-client test was written from into target/interop
# (unless it is there already). Built without optimisation: the test runs a few commands, and
# an optimised build of its dependency tree takes several times as long on a small machine.
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.13.0
root=target/interop
if "$root/bin/redisctl" --version 2>/dev/null | grep -q "redisctl $version"; then
  echo "redisctl $version is in $root/bin"
  exit 0
fi
echo "building redisctl $version into $root/bin"
CARGO_PROFILE_RELEASE_OPT_LEVEL=0 \
  CARGO_PROFILE_RELEASE_LTO=false \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=256 \
  CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_STRIP=true \
  CARGO_TARGET_DIR="$root/build" \
  cargo install redisctl --version "$version" --locked --root "$root"
"$root/bin/redisctl" --version
