#!/usr/bin/env bash
# Load test of the integration API (wrk, from a second process on loopback): GET
# /api/v1/orders pages of 50 with a read token, on a SQLite file seeded with 100,000 orders
# (two lines and two history steps each), first page and a page deep in the list.
# Usage: bench/api.sh [seconds] [connections] [orders]. Prints requests/s and p50/p99.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-8}
orders=${3:-100000}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install sqlite3" >&2; exit 1; }
cargo build --release --quiet -p chatout-server
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
export DATABASE_URL="sqlite://$dir/orders.db" CHATOUT_ADMIN_PASSWORD="load test password"
token=$(target/release/chatout-server token create --name bench --scope read | tail -n 1)
sqlite3 "$dir/orders.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $orders)
INSERT INTO orders (reference, idempotency_key, request_hash, access_token, status, currency,
  subtotal, locale, page, customer_name, customer_phone, customer_email, delivery_method,
  delivery_address, payment, note, consent_text, consent_at, message, whatsapp_url,
  created_at, updated_at, expires_at, client_addr, stock_held)
SELECT printf('B%07d', i), printf('bench-%d', i), 'h', 't',
  CASE i % 3 WHEN 0 THEN 'confirmed' ELSE 'pending' END, 'EUR', 6010, 'nl-NL',
  'https://shop.example/', 'Anna de Vries', '+31612345678', NULL, 'shipping',
  'Keizersgracht 1, 1015 Amsterdam', 'bank_transfer', 'Gift wrap, please',
  'Send me order updates on WhatsApp', '2026-11-21T10:00:00Z', 'the message', 'https://wa.me/',
  1764000000000 + i * 1000, 1764000000000 + i * 1000, 1964000000000, '127.0.0.1', 0 FROM n;
INSERT INTO order_lines (order_id, position, sku, name, options, unit_price, quantity)
  SELECT id, 0, 'shirt-linen', 'Linen shirt', '{"Colour":"Sand","Size":"M"}', 2990, 2 FROM orders;
INSERT INTO order_lines (order_id, position, sku, name, options, unit_price, quantity)
  SELECT id, 1, 'tea-sample', 'Tea sample', '{}', 10, 3 FROM orders;
INSERT INTO order_events (order_id, from_status, to_status, actor, at)
  SELECT id, NULL, 'pending', 'shopper', created_at FROM orders;
INSERT INTO order_events (order_id, from_status, to_status, actor, at)
  SELECT id, 'pending', 'confirmed', 'api:erp', created_at + 60000 FROM orders WHERE status = 'confirmed';
SQL
CHATOUT_ADDR=127.0.0.1:0 CHATOUT_API_RATE_LIMIT=0 RUST_LOG=warn target/release/chatout-server >"$dir/out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$dir/out" | head -n 1)
deep=$(curl -s -H "Authorization: Bearer $token" "$url/api/v1/orders?limit=200" >/dev/null; \
  python3 -c "print(('o1:%d' % ($orders // 2)).encode().hex())")
echo "server $url (SQLite WAL, $(nproc) cores, $orders orders), wrk -t2 -c$connections -d${seconds}s"
run() {
  local label=$1; shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$@" | awk -v name="$label" '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    END { printf "%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", name, rps, p50, p99, (bad == "" ? 0 : bad) }'
}
run "GET /api/v1/orders?limit=50" "$url/api/v1/orders?limit=50"
run "  … a page halfway down" "$url/api/v1/orders?limit=50&cursor=$deep"
run "  … status=confirmed" "$url/api/v1/orders?limit=50&status=confirmed"
