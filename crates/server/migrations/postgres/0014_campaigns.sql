-- Campaigns (PostgreSQL): a marketing template sent to an audience of contacts whose opt-in to
-- offers is active, now or at a set time. The runner walks the audience in contact order
-- (`cursor` is the last contact done, saved with each batch), so a restart goes on where it
-- stopped and each contact is queued once (`campaign_sends`, and the outbox's dedupe key).
-- Tracked links (`/r/{token}`) lead to the shop's own pages; a click is counted once per
-- contact and link.
CREATE TABLE campaigns (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    template TEXT NOT NULL,
    params TEXT NOT NULL,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    scheduled_at BIGINT,
    started_at BIGINT,
    finished_at BIGINT,
    cursor BIGINT NOT NULL DEFAULT 0,
    targeted BIGINT NOT NULL DEFAULT 0,
    skipped_cap BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX campaigns_due ON campaigns (status, scheduled_at);

CREATE TABLE campaign_sends (
    campaign_id BIGINT NOT NULL REFERENCES campaigns (id),
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    outbox_id BIGINT REFERENCES outbox (id),
    skipped TEXT,
    at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, contact_id)
);

CREATE TABLE tracked_links (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    contact_id BIGINT NOT NULL REFERENCES contacts (id),
    url TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    first_click_at BIGINT,
    clicks BIGINT NOT NULL DEFAULT 0,
    UNIQUE (source, contact_id, url)
);

CREATE INDEX contacts_marketing ON contacts (marketing, id);

-- The approved marketing templates last synced from WhatsApp Manager (a sync replaces them).
CREATE TABLE synced_templates (
    name TEXT PRIMARY KEY,
    template TEXT NOT NULL,
    synced_at BIGINT NOT NULL
);
