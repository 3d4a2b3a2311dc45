#!/usr/bin/env python3
"""Drives samples/runtime/web_server.cpp with a real HTTP client on the
loopback: 8 client threads, 100 requests each (keep-alive connections),
then GET /shutdown. Every request must be answered, the server must exit
with 0 having served and logged every request, and the tracker must
report nothing.

  web_server_load.py WEB_SERVER
"""
import http.client
import os
import subprocess
import sys
import threading

CLIENTS, REQUESTS = 8, 100


def main():
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEARLESS_")}
    server = subprocess.Popen([sys.argv[1], "--serve"], env=env, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = server.stdout.readline()
    if not first.startswith("listening on "):
        server.kill()
        sys.exit(f"the server did not start: {first!r} {server.stderr.read()}")
    port = int(first.split()[-1])
    failures = []

    def client(c):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for i in range(REQUESTS):
            path = "/stats" if i % 4 == 3 else f"/page/p{(c + i) % 5}"
            try:
                conn.request("GET", path)
                res = conn.getresponse()
                body = res.read()
                if res.status != 200 or (path != "/stats" and not body):
                    failures.append((path, res.status))
            except (OSError, http.client.HTTPException) as e:
                failures.append((path, repr(e)))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/shutdown")
    conn.getresponse().read()
    try:
        out, err = server.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        sys.exit("the server did not stop after /shutdown")
    out = first + out
    expected = f"served {CLIENTS * REQUESTS} requests, logged {CLIENTS * REQUESTS}, 0 failed"
    problems = []
    if failures:
        problems.append(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    if server.returncode != 0:
        problems.append(f"exit status {server.returncode}")
    if expected not in out:
        problems.append(f"stdout lacks '{expected}': {out!r}")
    if "fearless:" in err:
        problems.append(f"the tracker reported:\n{err}")
    if problems:
        sys.exit("\n".join(problems))
    print(f"ok: {CLIENTS * REQUESTS} requests from {CLIENTS} clients; 1 passed, 0 failed")


if __name__ == "__main__":
    main()
