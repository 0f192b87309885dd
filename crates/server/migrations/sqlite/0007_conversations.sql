-- The shopper's message linked to its order (SQLite): which contact sent the order's
-- reference, and when it first arrived; and what staff should look at when a message named
-- an order that could not be linked to it.
ALTER TABLE orders ADD COLUMN contact_id BIGINT REFERENCES contacts (id);
ALTER TABLE orders ADD COLUMN received_at BIGINT;
CREATE INDEX orders_contact ON orders (contact_id);
CREATE INDEX orders_received ON orders (status, received_at);

CREATE TABLE link_warnings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    wamid TEXT NOT NULL,
    reference TEXT NOT NULL,
    reason TEXT NOT NULL,
    at BIGINT NOT NULL,
    UNIQUE (wamid, reference)
);
CREATE INDEX link_warnings_contact ON link_warnings (contact_id, at);
