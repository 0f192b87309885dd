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

-- The team inbox: who answers a conversation, when staff last replied, and when it was
-- marked done (a newer message from the contact opens it again).
ALTER TABLE contacts ADD COLUMN assigned_to TEXT;
ALTER TABLE contacts ADD COLUMN last_reply_at BIGINT;
ALTER TABLE contacts ADD COLUMN done_at BIGINT;
CREATE INDEX contacts_inbound ON contacts (last_inbound_at);
CREATE INDEX inbound_contact_received ON inbound (contact_id, received_at);

-- First responses: each time a contact who was waiting got a staff reply, from when they
-- wrote to when, and who answered.
CREATE TABLE responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    waited_from BIGINT NOT NULL,
    answered_at BIGINT NOT NULL,
    staff TEXT NOT NULL
);
CREATE INDEX responses_answered ON responses (answered_at);

-- Topics: the shop's short list of what people ask about ("stock", "delivery time"), and the
-- one a conversation is tagged with (the common questions).
CREATE TABLE topics (
    name TEXT PRIMARY KEY,
    created_at BIGINT NOT NULL
);
ALTER TABLE contacts ADD COLUMN topic TEXT;
