#!/usr/bin/env bash
# Load test of the team inbox (wrk, from a second process on loopback): GET /admin/inbox,
# signed in, on a SQLite file seeded with 10,000 conversations (three messages each, a third
# of them answered), with messaging on (pointed at a port nobody listens on).
# Usage: bench/inbox.sh [seconds] [connections] [conversations]. Prints requests/s, p50/p99.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-4}
contacts=${3:-10000}
command -v wrk >/dev/null || { echo "wrk missing: apt-get install wrk" >&2; exit 1; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing: apt-get install sqlite3" >&2; exit 1; }
cargo build --release --quiet -p chatout-server
dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$dir"' EXIT
export DATABASE_URL="sqlite://$dir/orders.db" CHATOUT_ADMIN_PASSWORD="load test password"
target/release/chatout-server token list >/dev/null   # creates and migrates the database
now=$(($(date +%s) * 1000))
sqlite3 "$dir/orders.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $contacts)
INSERT INTO contacts (wa_id, consent, locale, window_until, last_inbound_at, last_reply_at,
  created_at, updated_at)
SELECT printf('3161%07d', i), 'none', 'nl', $now + 3600000, $now - i * 1000,
  CASE i % 3 WHEN 0 THEN $now ELSE NULL END, $now - i * 1000, $now FROM n;
INSERT INTO inbound (wamid, contact_id, kind, body, sent_at, received_at)
  SELECT printf('wamid.B%d.%d', id, k.k), id, 'text', 'Is the linen shirt in stock in size M?',
  last_inbound_at - k.k * 60000, last_inbound_at - k.k * 60000
  FROM contacts, (SELECT 0 AS k UNION ALL SELECT 1 UNION ALL SELECT 2) k;
SQL
WHATSAPP_API_BASE=http://127.0.0.1:9/v23.0 WHATSAPP_PHONE_NUMBER_ID=1 WHATSAPP_TOKEN=t \
  WHATSAPP_APP_SECRET=s WHATSAPP_VERIFY_TOKEN=v CHATOUT_ADDR=127.0.0.1:0 RUST_LOG=warn \
  target/release/chatout-server >"$dir/out" 2>&1 &
server=$!
for _ in $(seq 100); do grep -q "listening on" "$dir/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$dir/out" | head -n 1)
jar="$dir/cookies"
csrf=$(curl -s -c "$jar" "$url/admin/login" | grep -o 'name="csrf" value="[^"]*"' | head -n 1 | cut -d'"' -f4)
curl -s -b "$jar" -c "$jar" -o /dev/null -d "csrf=$csrf&username=admin&password=load+test+password" "$url/admin/login"
session=$(awk '$6 == "chatout_session" { print $7 }' "$jar")
echo "server $url (SQLite WAL, $(nproc) cores, $contacts conversations), wrk -t2 -c$connections -d${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -H "Cookie: chatout_session=$session" "$url/admin/inbox" | awk '
  /Requests\/sec/ { rps = $2 } /^ +50%/ { p50 = $2 } /^ +99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
  END { printf "GET /admin/inbox %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", rps, p50, p99, (bad == "" ? 0 : bad) }'
