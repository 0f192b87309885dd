#!/usr/bin/env python3
"""Crash test: kill -9 chatout-server while orders pour in; after a restart on the same
SQLite file every order that got a 2xx must still be there.

It checks by replaying each acknowledged request with its Idempotency-Key: a stored order
answers 200 with the same reference; a lost one would be created again (201).
Usage: bench/crash.py [seconds-before-kill]. Needs target/release/chatout-server.
"""
import http.client, json, os, re, signal, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(ROOT, "target", "release", "chatout-server")
BODY = {
    "reference": "server-picks", "currency": "EUR", "locale": "en",
    "items": [{"sku": "tea-sample", "name": "Tea sample", "options": {}, "unit_price": 10, "quantity": 1}],
    "subtotal": 10, "customer": {"name": "Crash Test", "phone": "+31612345678", "email": None},
    "delivery": {"method": "pickup", "address": None}, "payment": "bank_transfer", "note": None,
    "consent": None, "page": "https://shop.example/",
}


def start(db, port=0):
    env = dict(os.environ, CHATOUT_ADDR=f"127.0.0.1:{port}", DATABASE_URL=f"sqlite://{db}",
               CHATOUT_RATE_LIMIT="0", CHATOUT_ADMIN_PASSWORD="crash test password", RUST_LOG="error")
    proc = subprocess.Popen([BINARY], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = proc.stdout.readline()
    port = int(re.search(r":(\d+)$", line.strip()).group(1))
    return proc, port


def post(port, key):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request("POST", "/api/orders", json.dumps(BODY),
                 {"Content-Type": "application/json", "Idempotency-Key": key})
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"null")


def main():
    wait = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    db = os.path.join(tempfile.mkdtemp(), "orders.db")
    proc, port = start(db)
    acknowledged, errors, lock, stop = {}, [0], threading.Lock(), threading.Event()

    def worker(n):
        i = 0
        while not stop.is_set():
            i += 1
            key = f"crash-{n}-{i}"
            try:
                status, body = post(port, key)
                if 200 <= status < 300:
                    with lock:
                        acknowledged[key] = body["reference"]
            except Exception:
                with lock:
                    errors[0] += 1
                time.sleep(0.01)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    time.sleep(wait)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    time.sleep(0.3)
    stop.set()
    for t in threads:
        t.join()

    proc, port = start(db)
    lost, changed = 0, 0
    for key, reference in acknowledged.items():
        status, body = post(port, key)
        if status != 200:
            lost += 1
        elif body["reference"] != reference:
            changed += 1
    stored = subprocess.run(["sqlite3", db, "SELECT COUNT(*) FROM orders"], capture_output=True,
                            text=True).stdout.strip()
    proc.kill()
    print(f"killed -9 after {wait:.1f} s: {len(acknowledged)} orders acknowledged (2xx), "
          f"{errors[0]} requests failed at the kill; after restart {stored} orders stored, "
          f"{lost} acknowledged orders lost, {changed} with another reference")
    sys.exit(1 if lost or changed else 0)


if __name__ == "__main__":
    main()
