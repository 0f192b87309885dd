-- WhatsApp Business Platform messaging (Option 4): contacts with their consent and
-- customer-service window, inbound messages, and the durable outbox (PostgreSQL).

-- A WhatsApp user: by phone (wa_id) and/or business-scoped user id; either may be unknown.
CREATE TABLE contacts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wa_id TEXT UNIQUE,
    user_id TEXT UNIQUE,
    opted_in BIGINT NOT NULL DEFAULT 0,
    locale TEXT,
    window_until BIGINT NOT NULL DEFAULT 0,
    last_inbound_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Every change of a contact's opt-in: at checkout (with the text shown and the page), or by
-- a keyword (STOP, START…).
CREATE TABLE consent_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    opted_in BIGINT NOT NULL,
    source TEXT NOT NULL,
    text TEXT NOT NULL,
    page TEXT,
    order_id BIGINT REFERENCES orders (id),
    at BIGINT NOT NULL
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, at);

-- Inbound messages, once each (webhooks arrive at least once).
CREATE TABLE inbound (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    wamid TEXT NOT NULL UNIQUE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at BIGINT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX inbound_contact ON inbound (contact_id, sent_at);

-- Outbound messages: queued in the transaction that decides them, sent by the worker.
-- status: queued → sending → sent → delivered → read, or failed / cancelled / uncertain.
CREATE TABLE outbox (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    order_id BIGINT REFERENCES orders (id),
    kind TEXT NOT NULL,
    event TEXT,
    payload TEXT NOT NULL,
    preview TEXT NOT NULL,
    author TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    wamid TEXT UNIQUE,
    error_code BIGINT,
    error_detail TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_contact ON outbox (contact_id, created_at);

-- The tracking link staff give when an order ships, and when its pending reminder was queued.
ALTER TABLE orders ADD COLUMN tracking_url TEXT;
ALTER TABLE orders ADD COLUMN reminded_at BIGINT;
