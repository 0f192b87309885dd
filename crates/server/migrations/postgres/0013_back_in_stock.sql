-- Back-in-stock alerts (PostgreSQL). A subscription is pending until its message (which carries
-- the reference) arrives from the number, then active until a restock alerts it or it ends
-- (STOP, the unsubscribe link). One open subscription per product and number. A restock
-- (a sku's availability going from nothing to something) is recorded in the transaction of
-- the stock change, and the alerts job works through them once each.
CREATE TABLE stock_alerts (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE,
    sku TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    wa_id TEXT NOT NULL,
    locale TEXT NOT NULL,
    page TEXT NOT NULL,
    consent_text TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    activated_at BIGINT,
    alerted_at BIGINT,
    outbox_id BIGINT REFERENCES outbox (id),
    ended_at BIGINT,
    end_reason TEXT
);
CREATE UNIQUE INDEX stock_alerts_open ON stock_alerts (sku, wa_id)
    WHERE status IN ('pending', 'active');
CREATE INDEX stock_alerts_waiting ON stock_alerts (sku, status, id);
CREATE INDEX stock_alerts_contact ON stock_alerts (contact_id, status);

CREATE TABLE restocks (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku TEXT NOT NULL,
    units BIGINT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL,
    handled_at BIGINT,
    alerted BIGINT NOT NULL DEFAULT 0,
    skipped_cap BIGINT NOT NULL DEFAULT 0,
    skipped_consent BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX restocks_open ON restocks (handled_at, id);
