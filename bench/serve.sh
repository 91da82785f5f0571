# Sourced by the benchmarks that load `serve`: makes a work directory (removed on exit) and
# starts `serve` in the background as the admin `adm` with password $password, HTTPS on a free
# loopback port, its CA in $work/ca.pem. Sets work, server (its pid) and url. Needs bin and
# password; takes more arguments for `serve` from the array serve_args, if set.

work=$(mktemp -d)
server=""
cleanup() {
  [ -n "$server" ] && kill -INT "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$bin" serve --listen 127.0.0.1:0 --user "admin=adm:$password" --ca-out "$work/ca.pem" \
  ${serve_args[@]+"${serve_args[@]}"} >"$work/serve.out" 2>&1 &
server=$!
for _ in $(seq 100); do
  grep -q '^try: ' "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
url=$(grep -o 'https://[0-9.:]*' "$work/serve.out" | head -1)
if [ -z "$url" ]; then
  echo "serve did not start: $(cat "$work/serve.out")" >&2
  exit 1
fi
