//! When a failed attempt is tried again: one rule for WhatsApp messages and webhooks.

use std::time::Duration;

/// The delay before retry number `attempt` (1 = the first retry): `base · 2^(attempt-1)`,
/// at most `cap`, with "equal jitter" (half fixed, half `random` ∈ [0, 1]) so the retries of
/// many failures spread out instead of arriving together.
pub fn backoff(base: Duration, attempt: u32, cap: Duration, random: f64) -> Duration {
    let exp = base
        .saturating_mul(1_u32 << attempt.saturating_sub(1).min(20))
        .min(cap);
    exp / 2 + exp.mul_f64(random.clamp(0.0, 1.0) / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let (base, cap) = (Duration::from_secs(2), Duration::from_secs(900));
        assert_eq!(backoff(base, 1, cap, 0.0), Duration::from_secs(1));
        assert_eq!(backoff(base, 1, cap, 1.0), Duration::from_secs(2));
        assert_eq!(backoff(base, 3, cap, 1.0), Duration::from_secs(8));
        assert_eq!(backoff(base, 3, cap, 0.5), Duration::from_secs(6));
        assert_eq!(backoff(base, 40, cap, 1.0), cap);
        assert_eq!(backoff(base, 40, cap, 0.0), cap / 2);
    }
}
