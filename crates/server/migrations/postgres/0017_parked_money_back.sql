-- What a provider said went back on a payment intent this server did not know yet (a refund
-- or a dispute reported while the session's paid event was still being delivered again):
-- kept, and applied once a report names the intent. Shared with every server on the database.
CREATE TABLE parked_money_back (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    intent TEXT NOT NULL,
    refunded BIGINT,
    charged_back BIGINT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX parked_money_back_intent ON parked_money_back (provider, intent, received_at);
