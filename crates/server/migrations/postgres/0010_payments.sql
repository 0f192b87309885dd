-- Payments (PostgreSQL): each payment page made for an order at Mollie or Stripe, and each
-- payment recorded by hand (bank transfer, cash), with what the provider last said. Only
-- the order's current page may mark it paid; `problem` flags money that arrived but does
-- not pay the order (another amount, a replaced page). Stripe's events are kept by id, so
-- a replayed event changes nothing.
CREATE TABLE payments (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL,
    provider_id TEXT,
    url TEXT,
    status TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT NOT NULL,
    is_current BIGINT NOT NULL DEFAULT 1,
    intent TEXT,
    problem TEXT,
    note TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    paid_at BIGINT,
    refund_id TEXT,
    refunded_at BIGINT,
    UNIQUE (provider, provider_id)
);
CREATE INDEX payments_order ON payments (order_id, id);

CREATE TABLE payment_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
