-- Order recovery (SQLite): how many reminders of the sequence a pending order got (the
-- last one's time stays in reminded_at); an order confirmed after one counts as recovered.
ALTER TABLE orders ADD COLUMN reminders_sent BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET reminders_sent = 1 WHERE reminded_at IS NOT NULL;
