-- Pending orders and their lines, lifecycle history and stock (PostgreSQL).
CREATE TABLE orders (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_hash TEXT NOT NULL,
    access_token TEXT NOT NULL,
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    subtotal BIGINT NOT NULL,
    locale TEXT NOT NULL,
    page TEXT NOT NULL,
    customer_name TEXT NOT NULL,
    customer_phone TEXT,
    customer_email TEXT,
    delivery_method TEXT NOT NULL,
    delivery_address TEXT,
    payment TEXT NOT NULL,
    note TEXT,
    consent_text TEXT,
    consent_at TEXT,
    message TEXT NOT NULL,
    whatsapp_url TEXT NOT NULL,
    assigned_to TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX orders_status_expires ON orders (status, expires_at);

CREATE TABLE order_lines (
    order_id BIGINT NOT NULL REFERENCES orders (id),
    position BIGINT NOT NULL,
    sku TEXT NOT NULL,
    name TEXT NOT NULL,
    options TEXT NOT NULL,
    unit_price BIGINT NOT NULL,
    quantity BIGINT NOT NULL,
    PRIMARY KEY (order_id, position)
);

CREATE TABLE order_events (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id);

CREATE TABLE stock (
    sku TEXT PRIMARY KEY,
    catalog_stock BIGINT NOT NULL,
    available BIGINT NOT NULL
);
