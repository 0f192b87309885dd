-- Consent per purpose (SQLite): the opt-in to offers and news beside the one to order
-- updates, each with its own state and history. STOP revokes both; START restores order
-- updates only. An order keeps the marketing text the shopper ticked.
ALTER TABLE contacts ADD COLUMN marketing TEXT NOT NULL DEFAULT 'none';
ALTER TABLE contacts ADD COLUMN marketing_pending_since BIGINT;
ALTER TABLE consent_events ADD COLUMN purpose TEXT NOT NULL DEFAULT 'order_updates';
ALTER TABLE orders ADD COLUMN marketing_text TEXT;
ALTER TABLE orders ADD COLUMN marketing_at TEXT;
