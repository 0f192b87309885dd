#!/usr/bin/env bash
# Load test of chatout-server from a second process on loopback (wrk): POST /api/orders with
# distinct keys on a fresh SQLite file, then the no-op GET /healthz in the same run.
# Usage: bench/load.sh [seconds] [connections]. Prints orders/s and p50/p99 of both.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-32}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet -p chatout-server
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
CHATOUT_ADDR=127.0.0.1:0 DATABASE_URL="sqlite://$dir/orders.db" CHATOUT_RATE_LIMIT=0 \
  CHATOUT_ADMIN_PASSWORD="load test password" RUST_LOG=warn target/release/chatout-server >"$dir/out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$dir/out" | head -n 1)
echo "server $url (SQLite WAL, $(nproc) cores), wrk -t2 -c$connections -d${seconds}s"
run() {
  local label=$1; shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" | awk -v name="$label" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%-18s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", name, rps, p50, p99, (bad == "" ? 0 : bad) }'
}
run "POST /api/orders" -s bench/orders.lua "$url/api/orders"
run "GET /healthz" "$url/healthz"
echo "orders stored: $(sqlite3 "$dir/orders.db" 'SELECT COUNT(*) FROM orders' 2>/dev/null || echo '(sqlite3 CLI missing)')"
