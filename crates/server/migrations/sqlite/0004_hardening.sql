-- Hardening (SQLite): consent that only the contact's own messages make active, short stock
-- holds for orders nobody has seen, the client address that holds them, the server's own
-- consent time, and server secrets.

-- Consent: none, pending (a web opt-in, until the number writes), active, stopped (STOP).
ALTER TABLE contacts ADD COLUMN consent TEXT NOT NULL DEFAULT 'none';
ALTER TABLE contacts ADD COLUMN consent_pending_since BIGINT;
-- An opt-in the number confirmed by writing stays active; one it never confirmed is pending.
UPDATE contacts SET consent = 'active' WHERE opted_in = 1 AND last_inbound_at IS NOT NULL;
UPDATE contacts SET consent = 'pending', consent_pending_since = updated_at
    WHERE opted_in = 1 AND last_inbound_at IS NULL;
UPDATE contacts SET consent = 'stopped' WHERE opted_in = 0 AND EXISTS (
    SELECT 1 FROM consent_events e
    WHERE e.contact_id = contacts.id AND e.source = 'keyword' AND e.opted_in = 0);
ALTER TABLE contacts DROP COLUMN opted_in;

-- Stock: whether the order's units are still taken from stock, until when a pending order
-- nobody has confirmed keeps them (NULL: until the order ends), and who placed it.
ALTER TABLE orders ADD COLUMN stock_held BIGINT NOT NULL DEFAULT 1;
ALTER TABLE orders ADD COLUMN hold_until BIGINT;
ALTER TABLE orders ADD COLUMN client_addr TEXT;
UPDATE orders SET stock_held = 0 WHERE status IN ('cancelled', 'expired');
CREATE INDEX orders_hold ON orders (status, stock_held, hold_until);
CREATE INDEX orders_client ON orders (client_addr, status, stock_held);

-- The consent time is the server's (consent_at); what the shopper's browser said is kept
-- beside it.
ALTER TABLE orders ADD COLUMN consent_client_at TEXT;

-- Keys the server makes for itself (the sign-in form's signing key), shared by every server
-- on this database.
CREATE TABLE server_secrets (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
