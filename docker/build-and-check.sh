#!/usr/bin/env bash
# Builds the container image (docker/Dockerfile) and checks that it answers:
#   1. the release binary, with `cargo build --release --locked`;
#   2. the base: BASE if set (debian:bookworm-slim where a registry is reachable), otherwise
#      ocsp-harness-base:bookworm, made once from Debian's packages when the daemon lacks it:
#      debootstrap (minbase, with libssl3, ca-certificates and curl; DEBIAN_MIRROR picks the
#      mirror) piped into `docker import`, so no registry is needed;
#   3. the image, IMAGE (default ocsp-harness:latest), with the binary as its build context;
#   4. `serve` with the image's default command, on a published loopback port, with a user given
#      through OCSP_HARNESS_USERS: once the image's health check says healthy, over HTTPS with the
#      CA certificate it wrote, GET /v1/ocsp is 401 without credentials and with a wrong
#      password, 200 with the user's, and POST /v1/ocsp/test answers GOOD (embedded responder);
#   5. `pki generate` into a mounted directory, then `responder` on it: `openssl ocsp` from the
#      host gets a signed answer that verifies, `good` for the proxy certificate;
#   6. `docker stop` (SIGTERM to PID 1) stops each container within its grace time, exit 0.
# Containers it started are removed on exit, whatever happens.
#
# Needs a running Docker daemon, curl and openssl; root or sudo to make the base (debootstrap).
# --start-dockerd: where no daemon runs, install Debian's docker.io and debootstrap if missing,
# start dockerd for the check and stop it at the end.
#
# Usage: docker/build-and-check.sh [--start-dockerd]
set -euo pipefail
cd "$(dirname "$0")/.."

start_dockerd=false
for arg in "$@"; do
  case $arg in
    --start-dockerd) start_dockerd=true ;;
    -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

own_base=ocsp-harness-base:bookworm
base=${BASE:-$own_base}
image=${IMAGE:-ocsp-harness:latest}
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

work=$(mktemp -d)
containers=()
dockerd_pid=""
passed=0

cleanup() {
  local status=$?
  for container in "${containers[@]}"; do
    docker rm -f "$container" >/dev/null 2>&1 || true
  done
  if [ -n "$dockerd_pid" ]; then
    echo "== stopping the dockerd started for the check"
    "${sudo[@]}" kill -TERM "$dockerd_pid" 2>/dev/null || true
    wait "$dockerd_pid" 2>/dev/null || true
  fi
  # debootstrap's tree is root's
  "${sudo[@]}" rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

step() { echo "== $*"; }
ok() {
  passed=$((passed + 1))
  echo "ok: $*"
}
fail() {
  echo "FAILED: $*" >&2
  echo "container: $passed passed, 1 failed" >&2
  exit 1
}
install_packages() {
  echo "installing: $*"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "$@" \
    >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; fail "apt-get install $*"; }
}

for command in curl openssl; do
  command -v "$command" >/dev/null || fail "$command is needed on this machine"
done

# --- the daemon
if ! docker info >/dev/null 2>&1; then
  $start_dockerd ||
    fail "no Docker daemon answers (docker info): start one, or pass --start-dockerd"
  command -v dockerd >/dev/null || install_packages docker.io
  command -v docker >/dev/null || fail "docker.io installed no docker command"
  step "starting dockerd (log kept until the end)"
  "${sudo[@]}" dockerd >"$work/dockerd.log" 2>&1 &
  dockerd_pid=$!
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$dockerd_pid" 2>/dev/null || { tail -20 "$work/dockerd.log"; fail "dockerd exited"; }
    sleep 0.5
  done
  docker info >/dev/null 2>&1 ||
    { tail -20 "$work/dockerd.log"; fail "dockerd did not answer in 30 s"; }
fi
echo "docker: client $(docker version -f '{{.Client.Version}}')," \
  "daemon $(docker version -f '{{.Server.Version}}')"

# --- the binary
step "cargo build --release --locked"
cargo build --release --locked --quiet
target=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps |
  grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)}
binary=$target/release/ocsp-harness
[ -x "$binary" ] || fail "no binary at $binary"

# --- the base
if [ "$base" = "$own_base" ] && ! docker image inspect "$own_base" >/dev/null 2>&1; then
  packages=libssl3,ca-certificates,curl
  step "making $own_base: debootstrap --variant=minbase --include=$packages bookworm, docker import"
  command -v debootstrap >/dev/null || install_packages debootstrap
  # shellcheck disable=SC2086 # DEBIAN_MIRROR is one word or none (debootstrap's default)
  "${sudo[@]}" debootstrap --variant=minbase --include="$packages" bookworm "$work/rootfs" \
    ${DEBIAN_MIRROR:-} >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap"; }
  "${sudo[@]}" find "$work/rootfs/var/cache/apt/archives" "$work/rootfs/var/lib/apt/lists" \
    -type f -delete
  "${sudo[@]}" tar -C "$work/rootfs" -c . |
    docker import --change 'CMD ["/bin/bash"]' - "$own_base" >/dev/null
  "${sudo[@]}" rm -rf "$work/rootfs"
fi
size_of() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }
echo "base: $base ($(size_of "$base"))"

# --- the image
step "docker build -f docker/Dockerfile --build-arg BASE=$base -t $image"
mkdir "$work/context"
cp "$binary" "$work/context/ocsp-harness"
docker build -f docker/Dockerfile --build-arg BASE="$base" -t "$image" "$work/context" \
  >"$work/build.log" 2>&1 || { tail -30 "$work/build.log"; fail "docker build"; }
ok "image $image built ($(size_of "$image"))"

version=$(docker run --rm "$image" --version 2>&1) ||
  fail "the binary does not run in the image: $version"
ok "docker run $image --version: $version"
user=$(docker run --rm --entrypoint id "$image")
case $user in
  uid=10001*) ok "runs as a non-root user: $user" ;;
  *) fail "runs as $user" ;;
esac

# Waits until the container's health check says healthy (60 s at most), then prints its host
# address for PORT.
wait_healthy() {
  local container=$1 port=$2 health
  for _ in $(seq 60); do
    health=$(docker inspect -f '{{.State.Health.Status}}' "$container")
    [ "$health" = healthy ] && break
    [ "$(docker inspect -f '{{.State.Running}}' "$container")" = true ] ||
      { docker logs "$container" >&2; fail "$container exited"; }
    sleep 1
  done
  [ "$health" = healthy ] ||
    { docker logs "$container" >&2; fail "$container still $health after 60 s"; }
  docker port "$container" "$port/tcp" | grep -m1 '^127\.0\.0\.1:'
}

# Stops the container with docker stop (SIGTERM, 10 s grace) and checks it went by itself.
stop_cleanly() {
  local container=$1 start end code
  start=$(date +%s)
  docker stop -t 10 "$container" >/dev/null
  end=$(date +%s)
  code=$(docker inspect -f '{{.State.ExitCode}}' "$container")
  if [ "$code" != 0 ] || [ $((end - start)) -ge 10 ]; then
    fail "$container: docker stop took $((end - start)) s, exit $code"
  fi
  ok "docker stop: $container exited 0 after $((end - start)) s"
}

# --- serve, with the image's default command
name=ocsp-harness-check-serve-$$
password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
step "docker run $image (default command: serve, listening on OCSP_HARNESS_LISTEN=0.0.0.0:9443)"
containers+=("$name")
docker run -d --name "$name" -p 127.0.0.1::9443 --health-interval 1s \
  -e OCSP_HARNESS_USERS="admin=checker:$password" "$image" >/dev/null
address=$(wait_healthy "$name" 9443)
ok "serve healthy (image's HEALTHCHECK), published at $address"
docker logs "$name" 2>&1 | sed -n '1p; /^admin /s/:.*/:…/p' | sed 's/^/  | /'
ca_path=$(docker logs "$name" 2>&1 | sed -n 's/^CA certificate: //p')
docker cp "$name:$ca_path" "$work/ca.pem" >/dev/null
url=https://$address

status_of() { curl -s --cacert "$work/ca.pem" -o /dev/null -w '%{http_code}' "$@"; }
code=$(status_of "$url/v1/ocsp")
[ "$code" = 401 ] || fail "GET /v1/ocsp without credentials: $code"
ok "GET /v1/ocsp without credentials: 401 (TLS verified with the container's CA)"
code=$(status_of -u "checker:wrong" "$url/v1/ocsp")
[ "$code" = 401 ] || fail "GET /v1/ocsp with a wrong password: $code"
ok "GET /v1/ocsp with a wrong password: 401"
code=$(status_of -u "checker:$password" "$url/v1/ocsp")
[ "$code" = 200 ] || fail "GET /v1/ocsp as the user from OCSP_HARNESS_USERS: $code"
ok "GET /v1/ocsp as the user from OCSP_HARNESS_USERS: 200"
answer=$(curl -s --cacert "$work/ca.pem" -u "checker:$password" -X POST "$url/v1/ocsp/test")
case $answer in
  *'"cert_status":"GOOD"'*) ok "POST /v1/ocsp/test: $answer" ;;
  *) fail "POST /v1/ocsp/test: $answer" ;;
esac
health=$(curl -s --cacert "$work/ca.pem" "$url/_harness/health")
grep -Eq '"status": ?"ok"' <<<"$health" || fail "GET /_harness/health: $health"
ok "GET /_harness/health without credentials: $health"
stop_cleanly "$name"

# --- responder, on a PKI the image generates into a mounted directory
name=ocsp-harness-check-responder-$$
mkdir "$work/pki"
chmod 0777 "$work/pki" # written by the image's user
step "docker run $image pki generate --out /pki (mounted)"
docker run --rm -v "$work/pki:/pki" "$image" pki generate --out /pki \
  --responder-url http://127.0.0.1:8080/ >"$work/pki.log" 2>&1 ||
  { cat "$work/pki.log"; fail "pki generate"; }
[ -s "$work/pki/manifest.json" ] || fail "pki generate wrote no manifest.json"
ok "pki generate: $(find "$work/pki" -name '*.pem' | wc -l) PEM files and manifest.json"
step "docker run $image responder (settings from OCSP_HARNESS_PKI, OCSP_HARNESS_RESPONDER_LISTEN)"
containers+=("$name")
docker run -d --name "$name" -p 127.0.0.1::8080 --health-interval 1s \
  -e OCSP_HARNESS_HEALTH_URL=http://127.0.0.1:8080/__admin/health \
  -e OCSP_HARNESS_PKI=/pki -e OCSP_HARNESS_RESPONDER_LISTEN=0.0.0.0:8080 -v "$work/pki:/pki:ro" \
  "$image" responder >/dev/null
address=$(wait_healthy "$name" 8080)
ok "responder healthy (HEALTHCHECK on /__admin/health), published at $address"
ask_openssl() {
  openssl ocsp -issuer "$work/pki/intermediate.cert.pem" -cert "$work/pki/proxy.cert.pem" \
    -CAfile "$work/pki/root.cert.pem" -url "http://$address/" 2>&1 || true
}
answer=$(ask_openssl)
while IFS= read -r line; do echo "  | $line"; done <<<"$answer"
case $answer in
  *"Response verify OK"*"proxy.cert.pem: good"*) ok "openssl ocsp: verified, good" ;;
  *) fail "openssl ocsp did not get a verified good answer" ;;
esac
changed=$(curl -s -X PUT -d '{"behaviour":"revoked"}' "http://$address/__admin/behaviour")
grep -Eq '"name": ?"revoked"' <<<"$changed" || fail "PUT /__admin/behaviour: $changed"
ok "PUT /__admin/behaviour revoked"
answer=$(ask_openssl)
case $answer in
  *"Response verify OK"*"proxy.cert.pem: revoked"*) ok "openssl ocsp after the change: verified, revoked" ;;
  *) fail "openssl ocsp after the change: $answer" ;;
esac
journal=$(curl -s "http://$address/__admin/requests")
grep -Eq '"total": ?2([^0-9]|$)' <<<"$journal" || fail "GET /__admin/requests: $journal"
ok "GET /__admin/requests: both requests journalled"
stop_cleanly "$name"

echo "container: $passed passed, 0 failed"
