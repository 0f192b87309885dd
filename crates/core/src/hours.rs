//! When the shop answers chats: `Mon-Fri 09:00-17:00; Sat 10:00-14:00`, in the shop's own time
//! zone. Pure: the widget asks the browser what day and time it is in that zone.

use std::fmt;

/// Days as the notation writes them; index 0 is Monday.
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Why the hours could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{segment}' is not like 'Mon-Fri 09:00-17:00' ({reason})")]
pub struct HoursError {
    segment: String,
    reason: &'static str,
}

/// One opening: a day, and minutes since midnight from `open` (inclusive) to `close`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    day: u8,
    open: u16,
    close: u16,
}

/// A moment in the shop's week: day (0 = Monday) and minute of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekTime {
    /// 0 = Monday … 6 = Sunday.
    pub day: u8,
    /// Minutes since midnight, 0..1440.
    pub minute: u16,
}

impl WeekTime {
    /// `HH:MM`.
    pub fn clock(&self) -> String {
        format!("{:02}:{:02}", self.minute / 60, self.minute % 60)
    }
}

/// Whether the shop is answering now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Availability {
    /// Open now.
    Open,
    /// Closed; opens next at this time (None when the hours list no opening at all).
    Closed(Option<WeekTime>),
}

/// The shop's weekly opening hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpeningHours {
    spans: Vec<Span>,
}

impl OpeningHours {
    /// Parses `;`-separated segments of days (`Mon`, `Mon-Fri`, `Sat,Sun`, wrapping ranges like
    /// `Fri-Mon`) and `,`-separated time ranges (`09:00-12:00,13:00-17:00`; `24:00` ends a day).
    pub fn parse(text: &str) -> Result<Self, HoursError> {
        let mut spans = Vec::new();
        for segment in text.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            let fail = |reason| HoursError {
                segment: segment.to_string(),
                reason,
            };
            let (days, times) = segment
                .split_once(char::is_whitespace)
                .ok_or_else(|| fail("days, a space, then times"))?;
            let days = parse_days(days).ok_or_else(|| fail("days are Mon, Tue, … Sun"))?;
            for range in times.split(',').map(str::trim) {
                let (open, close) = range
                    .split_once('-')
                    .and_then(|(a, b)| Some((parse_clock(a)?, parse_clock(b)?)))
                    .ok_or_else(|| fail("times are HH:MM-HH:MM"))?;
                if close <= open {
                    return Err(fail("a range must end after it starts, on the same day"));
                }
                spans.extend(days.iter().map(|&day| Span { day, open, close }));
            }
        }
        if spans.is_empty() {
            return Err(HoursError {
                segment: text.to_string(),
                reason: "no opening hours given",
            });
        }
        Ok(Self { spans })
    }

    /// Open or closed at `now`, and when closed, the next opening.
    pub fn at(&self, now: WeekTime) -> Availability {
        let open = self
            .spans
            .iter()
            .any(|s| s.day == now.day && (s.open..s.close).contains(&now.minute));
        if open {
            return Availability::Open;
        }
        // The first opening after now, looking up to a full week ahead.
        let from_now = |s: &Span| {
            let days = (u32::from(s.day) + 7 - u32::from(now.day)) % 7;
            let mut wait = days * 1440 + u32::from(s.open);
            if wait <= u32::from(now.minute) {
                wait += 7 * 1440;
            }
            wait - u32::from(now.minute)
        };
        let next = self.spans.iter().min_by_key(|s| from_now(s));
        Availability::Closed(next.map(|s| WeekTime {
            day: s.day,
            minute: s.open,
        }))
    }
}

impl fmt::Display for WeekTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", DAYS[usize::from(self.day % 7)], self.clock())
    }
}

fn parse_day(text: &str) -> Option<u8> {
    let text = text.trim().to_ascii_lowercase();
    DAYS.iter().position(|d| text == *d).map(|i| i as u8)
}

fn parse_days(text: &str) -> Option<Vec<u8>> {
    let mut days = Vec::new();
    for part in text.split(',') {
        match part.split_once('-') {
            Some((from, to)) => {
                let (from, to) = (parse_day(from)?, parse_day(to)?);
                let mut day = from;
                loop {
                    days.push(day);
                    if day == to {
                        break;
                    }
                    day = (day + 1) % 7;
                }
            }
            None => days.push(parse_day(part)?),
        }
    }
    Some(days)
}

fn parse_clock(text: &str) -> Option<u16> {
    let (h, m) = text.trim().split_once(':')?;
    let all_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(h) || !all_digits(m) {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    let minute = h * 60 + m;
    (m < 60 && minute <= 1440).then_some(minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u8, clock: &str) -> WeekTime {
        WeekTime {
            day,
            minute: parse_clock(clock).unwrap(),
        }
    }

    #[test]
    fn open_within_a_range_and_closed_at_its_end() {
        let hours = OpeningHours::parse("Mon-Fri 09:00-17:00; Sat 10:00-14:00").unwrap();
        assert_eq!(hours.at(at(0, "09:00")), Availability::Open);
        assert_eq!(hours.at(at(4, "16:59")), Availability::Open);
        assert_eq!(
            hours.at(at(4, "17:00")),
            Availability::Closed(Some(at(5, "10:00")))
        );
        assert_eq!(
            hours.at(at(5, "14:00")),
            Availability::Closed(Some(at(0, "09:00")))
        );
        assert_eq!(
            hours.at(at(6, "12:00")),
            Availability::Closed(Some(at(0, "09:00")))
        );
        assert_eq!(
            hours.at(at(2, "08:00")),
            Availability::Closed(Some(at(2, "09:00")))
        );
    }

    #[test]
    fn split_days_lists_and_wrapping_ranges() {
        let hours = OpeningHours::parse("fri-mon 09:00-12:00,13:00-24:00").unwrap();
        assert_eq!(hours.at(at(6, "23:59")), Availability::Open);
        assert_eq!(
            hours.at(at(0, "12:30")),
            Availability::Closed(Some(at(0, "13:00")))
        );
        assert_eq!(
            hours.at(at(1, "10:00")),
            Availability::Closed(Some(at(4, "09:00")))
        );
        // Once a week: after this week's opening has passed, next week's.
        let weekly = OpeningHours::parse("Wed 10:00-11:00").unwrap();
        assert_eq!(
            weekly.at(at(2, "11:30")),
            Availability::Closed(Some(at(2, "10:00")))
        );
        assert_eq!(at(2, "10:00").to_string(), "wed 10:00");
    }

    #[test]
    fn malformed_hours_are_refused_with_the_segment() {
        for bad in [
            "",
            "Mon-Fri",
            "Mon-Fri 9:00-17:00",
            "Mon-Fro 09:00-17:00",
            "Mon 17:00-09:00",
            "Mon 09:00-25:00",
            "Mon 09:60-10:00",
            "Mon 09:00",
        ] {
            let err = OpeningHours::parse(bad).unwrap_err();
            assert!(err.to_string().contains("is not like"), "{bad}: {err}");
        }
    }
}
