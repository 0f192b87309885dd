-- Answers with a button (PostgreSQL): a customer's tap on an order's reply button ("Yes,
-- confirm", "Cancel order"), once per message, with what it did to the order.
CREATE TABLE order_answers (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    wamid TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    title TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX order_answers_order ON order_answers (order_id, at);
CREATE INDEX order_answers_contact ON order_answers (contact_id, at);
