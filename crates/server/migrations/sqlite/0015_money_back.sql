-- Money that went back to the customer of a payment, minor units: refunds made in the desk
-- or at the provider (its dashboard, its API), and what a chargeback took. A payment whose
-- money all went back by refunds is `refunded`; one charged back is flagged (`problem`)
-- while the chargeback stands.
ALTER TABLE payments ADD COLUMN refunded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments ADD COLUMN charged_back BIGINT NOT NULL DEFAULT 0;
-- Refunds made in the desk before this column existed were always of the whole payment.
UPDATE payments SET refunded = amount WHERE status = 'refunded';
-- Charge and dispute events name the payment intent.
CREATE INDEX payments_intent ON payments (provider, intent);
