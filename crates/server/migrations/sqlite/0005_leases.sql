-- Leases (SQLite): work that one server at a time may do, such as sending the outbox. The
-- holder renews its lease while it works; when it stops, another takes over once it lapses.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_ms BIGINT NOT NULL
);
