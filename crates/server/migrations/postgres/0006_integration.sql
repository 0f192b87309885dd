-- The shop's other systems (PostgreSQL): integration API tokens, the durable outbox of
-- outbound webhooks (one event, one delivery per receiver URL), and the history of stock
-- changes made through the API or the catalog.
CREATE TABLE api_tokens (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE webhook_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    type TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX webhook_events_order ON webhook_events (order_id);

CREATE TABLE webhook_deliveries (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id BIGINT NOT NULL REFERENCES webhook_events (id),
    order_id BIGINT NOT NULL,
    url TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_order ON webhook_deliveries (url, order_id, id);

CREATE TABLE stock_changes (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku TEXT NOT NULL,
    stock_before BIGINT,
    stock_after BIGINT,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX stock_changes_sku ON stock_changes (sku, at);

-- What the catalog file said last per sku (NULL = unlimited): a count changed in the file
-- is applied at start; stock set through the API is kept until the file's count changes.
CREATE TABLE catalog_counts (
    sku TEXT PRIMARY KEY,
    count BIGINT
);
INSERT INTO catalog_counts (sku, count) SELECT sku, catalog_stock FROM stock;

-- A note given with a lifecycle step (the API's transitions take one).
ALTER TABLE order_events ADD COLUMN note TEXT;

-- The integration API lists orders of one status newest first.
CREATE INDEX orders_status_id ON orders (status, id);
