-- Meta's payloads (SQLite): the name and username on a contact's WhatsApp profile, so a
-- contact known only by business-scoped user id has a name for staff; the contact another
-- was merged into (a business-scoped id and a phone found to be one person: the merged row
-- keeps no identifier and is kept only so that what still names it stays valid); and the
-- message a reaction, an edit or a deletion refers to.
ALTER TABLE contacts ADD COLUMN profile_name TEXT;
ALTER TABLE contacts ADD COLUMN username TEXT;
ALTER TABLE contacts ADD COLUMN merged_into BIGINT REFERENCES contacts (id);
ALTER TABLE inbound ADD COLUMN refers_to TEXT;
-- The pending opt-ins the housekeeping task lapses after CHATOUT_OPT_IN_PENDING.
CREATE INDEX contacts_consent_pending ON contacts (consent, consent_pending_since);
CREATE INDEX contacts_marketing_pending ON contacts (marketing, marketing_pending_since);
-- And the back-in-stock requests it ends with them (every round asks for those too).
CREATE INDEX stock_alerts_pending ON stock_alerts (status, created_at);
