//! Response times as a shop reads them: how long contacts waited for a first answer, as the
//! median and the 90th percentile per day and per staff member.

use std::collections::BTreeMap;

/// One answered wait: when it was answered (ms), by whom, after how long (ms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    /// When staff answered.
    pub at: i64,
    /// Who answered.
    pub staff: String,
    /// How long the contact had waited.
    pub waited_ms: i64,
}

/// The waits of one group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// How many were answered.
    pub answered: usize,
    /// The median wait (ms).
    pub median_ms: i64,
    /// The 90th percentile (ms): nine in ten were answered at least this fast.
    pub p90_ms: i64,
}

/// The `p`-th percentile (0–100) of `sorted` by the nearest-rank method; `None` when empty.
pub fn percentile(sorted: &[i64], p: u32) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (u64::from(p.min(100)) * sorted.len() as u64)
        .div_ceil(100)
        .max(1);
    sorted.get(rank as usize - 1).copied()
}

fn summary(mut waits: Vec<i64>) -> Option<Summary> {
    waits.sort_unstable();
    Some(Summary {
        answered: waits.len(),
        median_ms: percentile(&waits, 50)?,
        p90_ms: percentile(&waits, 90)?,
    })
}

/// Named groups' summaries, in the names' order.
pub type Groups = Vec<(String, Summary)>;

/// Per day (`day_of` names the day a time falls on) and per staff member, in their order.
pub fn summarise(answered: &[Answered], day_of: impl Fn(i64) -> String) -> (Groups, Groups) {
    let mut days: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut staff: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for a in answered {
        days.entry(day_of(a.at)).or_default().push(a.waited_ms);
        staff.entry(a.staff.clone()).or_default().push(a.waited_ms);
    }
    let done = |groups: BTreeMap<String, Vec<i64>>| {
        groups
            .into_iter()
            .filter_map(|(name, waits)| Some((name, summary(waits)?)))
            .collect()
    };
    (done(days), done(staff))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_p90_by_nearest_rank() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 50), Some(5));
        assert_eq!(percentile(&ten, 90), Some(9));
        assert_eq!(percentile(&ten, 100), Some(10));
        assert_eq!(percentile(&[7], 90), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn waits_group_by_day_and_by_staff() {
        let a = |at: i64, staff: &str, minutes: i64| Answered {
            at,
            staff: staff.into(),
            waited_ms: minutes * 60_000,
        };
        let answered = [
            a(1, "ann", 2),
            a(2, "ann", 10),
            a(3, "bob", 4),
            a(100, "bob", 30),
        ];
        let (days, staff) = summarise(&answered, |at| if at < 50 { "d1" } else { "d2" }.into());
        assert_eq!(days[0].0, "d1");
        assert_eq!(
            days[0].1,
            Summary {
                answered: 3,
                median_ms: 240_000,
                p90_ms: 600_000
            }
        );
        assert_eq!(days[1].1.answered, 1);
        assert_eq!(
            staff[0],
            (
                "ann".into(),
                Summary {
                    answered: 2,
                    median_ms: 120_000,
                    p90_ms: 600_000
                }
            )
        );
        assert_eq!(staff[1].1.median_ms, 240_000);
    }
}
