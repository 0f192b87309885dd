//! The server's one kind of time: milliseconds since the Unix epoch, UTC. It is what every
//! table stores (the same on SQLite and PostgreSQL), what every rule compares and what the
//! desk and the API format as RFC 3339 here, in one place.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A moment, in milliseconds since the Unix epoch (UTC).
pub type UnixMillis = i64;

/// Now.
pub fn now_ms() -> UnixMillis {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(millis)
        .unwrap_or(0)
}

/// A span in milliseconds, saturating (a span too long to count is "forever").
pub fn millis(span: Duration) -> i64 {
    i64::try_from(span.as_millis()).unwrap_or(i64::MAX)
}

/// The moment `span` after `at`, saturating.
pub fn after(at: UnixMillis, span: Duration) -> UnixMillis {
    at.saturating_add(millis(span))
}

/// A moment as RFC 3339 (UTC, `2026-12-01T10:00:00.5Z`); empty for one out of range.
pub fn rfc3339(at: UnixMillis) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(at) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A moment as people read it in `zone`, next to `now`: `today 14:05`, `yesterday 09:12`,
/// `3 Dec 14:05`, or `3 Dec 2025 14:05` in another year; empty for one out of range.
pub fn for_people(at: UnixMillis, zone: &jiff::tz::TimeZone, now: UnixMillis) -> String {
    let local = |ms: UnixMillis| {
        jiff::Timestamp::from_millisecond(ms)
            .ok()
            .map(|t| t.to_zoned(zone.clone()))
    };
    let (Some(at), Some(now)) = (local(at), local(now)) else {
        return String::new();
    };
    let (day, today) = (at.date(), now.date());
    let time = at.strftime("%H:%M");
    if day == today {
        format!("today {time}")
    } else if today.yesterday().is_ok_and(|y| y == day) {
        format!("yesterday {time}")
    } else if day.year() == today.year() {
        format!("{} {time}", at.strftime("%-d %b"))
    } else {
        format!("{} {time}", at.strftime("%-d %b %Y"))
    }
}

/// The time zone called `name` (IANA, like `Europe/Amsterdam`), from the bundled database.
pub fn zone(name: &str) -> Option<jiff::tz::TimeZone> {
    jiff::tz::TimeZone::get(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_read_in_the_shops_zone() {
        let amsterdam = zone("Europe/Amsterdam").unwrap();
        // 2026-12-03 13:05 UTC is 14:05 in Amsterdam (CET, +1).
        let at = 1_796_303_100_000;
        assert_eq!(for_people(at, &amsterdam, at + 60_000), "today 14:05");
        assert_eq!(
            for_people(at, &amsterdam, at + 86_400_000),
            "yesterday 14:05"
        );
        assert_eq!(
            for_people(at, &amsterdam, at + 5 * 86_400_000),
            "3 Dec 14:05"
        );
        assert_eq!(
            for_people(at, &amsterdam, at + 40 * 86_400_000),
            "3 Dec 2026 14:05"
        );
        let utc = zone("UTC").unwrap();
        assert_eq!(for_people(at, &utc, at), "today 13:05");
        assert!(zone("Mars/Olympus_Mons").is_none());
    }

    #[test]
    fn moments_format_as_rfc3339_and_spans_saturate() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_764_583_200_500), "2025-12-01T10:00:00.5Z");
        assert_eq!(rfc3339(i64::MAX), "");
        assert_eq!(millis(Duration::from_secs(2)), 2000);
        assert_eq!(millis(Duration::MAX), i64::MAX);
        assert_eq!(after(i64::MAX - 1, Duration::from_secs(1)), i64::MAX);
        assert!(now_ms() > 1_764_583_200_000);
    }
}

/// A time typed in a form (`2026-12-01T18:30`, as `<input type=datetime-local>` sends it) in
/// the shop's zone, as Unix milliseconds; `None` when it does not read.
pub fn from_local(text: &str, zone: &jiff::tz::TimeZone) -> Option<UnixMillis> {
    let civil: jiff::civil::DateTime = text.trim().parse().ok()?;
    let zoned = civil.to_zoned(zone.clone()).ok()?;
    Some(zoned.timestamp().as_millisecond())
}

#[cfg(test)]
mod local_tests {
    use super::*;

    #[test]
    fn a_typed_time_is_read_in_the_shops_zone() {
        let amsterdam = zone("Europe/Amsterdam").unwrap();
        // 18:30 in Amsterdam in winter is 17:30 UTC.
        let at = from_local("2026-12-01T18:30", &amsterdam).unwrap();
        assert_eq!(rfc3339(at), "2026-12-01T17:30:00Z");
        assert_eq!(from_local("tomorrow", &amsterdam), None);
        assert_eq!(from_local("", &amsterdam), None);
    }
}
