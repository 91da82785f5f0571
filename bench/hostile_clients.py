"""Hostile clients against a running `serve`, for bench/hostile.sh: prints one line per figure.

Usage: python3 bench/hostile_clients.py URL CA USER:PASSWORD PID IDLE LORIS REQUESTS IDLE_TIMEOUT

1. IDLE TLS connections that finish their handshake and then send nothing, plus LORIS TLS
   connections sending a request head a byte a second, held while REQUESTS requests (each on a
   new connection) are answered: how many were answered with 200, their p50/p99 latency, and
   the server's resident memory, open connections and tasks before, while held, and after the
   clients went away.
2. The same idle connections again, left open: the server closes them itself once IDLE_TIMEOUT
   seconds have passed with no request.
3. Ten 50 MB bodies: each answered 413 payload_too_large, and the memory after.
"""

import base64
import http.client
import json
import socket
import ssl
import sys
import threading
import time
import urllib.parse

url, ca, credentials, pid, idle, loris, requests, idle_timeout = sys.argv[1:9]
idle, loris, requests, idle_timeout = int(idle), int(loris), int(requests), int(idle_timeout)
parsed = urllib.parse.urlparse(url)
host, port = parsed.hostname, parsed.port
authorization = "Basic " + base64.b64encode(credentials.encode()).decode()
context = ssl.create_default_context(cafile=ca)
context.check_hostname = False


def rss_mib():
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def call(method, path, body=None):
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=60)
    headers = {"Authorization": authorization}
    if body is not None:
        headers["Content-Type"] = "application/json"
    started = time.perf_counter()
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    payload = answer.read()
    connection.close()
    return answer.status, payload, time.perf_counter() - started


def health():
    status, payload, _ = call("GET", "/_harness/health")
    assert status == 200, status
    return json.loads(payload)


def state(label):
    now = health()
    # The health request's own connection is one of those open.
    print(f"{label:<34} rss {rss_mib():7.1f} MiB  connections {now['connections'] - 1:5}  "
          f"tasks {now['tasks']}")
    return now


def open_idle_tls(count):
    sockets = []
    for _ in range(count):
        raw = socket.create_connection((host, port))
        sockets.append(context.wrap_socket(raw, server_hostname="localhost"))
    return sockets


def open_loris(count):
    # Past the handshake, so that the head itself arrives a byte at a time.
    return open_idle_tls(count)


def drip(sockets, stop):
    head = b"PUT /v1/ocsp HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200
    at = 0
    while not stop.is_set():
        for s in sockets:
            try:
                s.send(head[at % len(head):at % len(head) + 1])
            except OSError:
                pass
        at += 1
        stop.wait(1)


def until_connections(at_most, limit_seconds):
    started = time.monotonic()
    while time.monotonic() - started < limit_seconds:
        if health()["connections"] - 1 <= at_most:
            return time.monotonic() - started
        time.sleep(0.2)
    return None


before = state("before")
tasks_before = before["tasks"]

# 1. Held idle and slow connections while others are served.
started = time.monotonic()
held = open_idle_tls(idle)
slow = open_loris(loris)
print(f"opened {idle} idle TLS and {loris} slow connections in {time.monotonic() - started:.1f} s")
stop = threading.Event()
dripper = threading.Thread(target=drip, args=(slow, stop))
dripper.start()
state(f"holding {idle + loris}")
latencies, answered = [], 0
for _ in range(requests):
    status, _, seconds = call("GET", "/v1/ocsp")
    answered += status == 200
    latencies.append(seconds * 1000)
latencies.sort()
p50 = latencies[len(latencies) // 2]
p99 = latencies[min(len(latencies) - 1, len(latencies) * 99 // 100)]
print(f"answered meanwhile: {answered} of {requests} with 200, p50 {p50:.2f} ms, p99 {p99:.2f} ms")
state(f"still holding (after the requests)")
stop.set()
dripper.join()
for s in held + slow:
    s.close()
gone = until_connections(0, 30)
print(f"clients gone: connections back to 0 in {gone:.1f} s" if gone is not None
      else "clients gone: connections NOT back to 0 within 30 s")
after = state("after the clients went away")
print(f"tasks: {tasks_before} before, {after['tasks']} after")

# 2. The server closes idle connections itself.
held = open_idle_tls(idle)
state(f"{idle} idle TLS connections left open")
closed = until_connections(0, idle_timeout + 15)
print(f"server closed them itself after {closed:.1f} s (idle limit {idle_timeout} s)" if closed
      is not None else f"server did NOT close them within {idle_timeout + 15} s")
for s in held:
    s.close()
state("after the idle limit")

# 3. Big bodies.
big = b" " * (50 * 1024 * 1024)
codes = []
for _ in range(10):
    status, payload, _ = call("PUT", "/v1/ocsp", big)
    codes.append((status, json.loads(payload).get("error_code")))
print(f"ten 50 MB bodies: {sorted(set(codes))}")
state("after the 50 MB bodies")
