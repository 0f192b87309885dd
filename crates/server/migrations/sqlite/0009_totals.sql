-- The final total (SQLite): shipping and a discount staff set, so that
-- total = subtotal + shipping - discount; and every change of an order's lines or amounts,
-- with who made it, for its history.
ALTER TABLE orders ADD COLUMN shipping BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN discount BIGINT NOT NULL DEFAULT 0;

CREATE TABLE order_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    actor TEXT NOT NULL,
    what TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX order_changes_order ON order_changes (order_id, at);
