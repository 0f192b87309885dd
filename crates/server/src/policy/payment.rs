//! Payments: the states a payment moves through, and what a provider's report of one does
//! to its order. Only the current payment of an order may mark it paid, only once, and only
//! for exactly the order's total in the order's currency.

use chatout_core::OrderStatus;

/// Where a payment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentStatus {
    /// Waiting for the customer (Mollie's open, pending and authorized too).
    Open,
    /// The money arrived.
    Paid,
    /// The payment failed.
    Failed,
    /// The page expired unpaid.
    Expired,
    /// Cancelled: by the customer, or by the shop when a newer page replaced it.
    Canceled,
    /// Paid, then refunded.
    Refunded,
}

impl PaymentStatus {
    /// Every state.
    pub const ALL: [Self; 6] = [
        Self::Open,
        Self::Paid,
        Self::Failed,
        Self::Expired,
        Self::Canceled,
        Self::Refunded,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Canceled => "canceled",
            Self::Refunded => "refunded",
        }
    }

    /// Reads a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The name in the integration API (CONTRACT.md section 7), where a cancelled payment
    /// is one that did not happen: `failed`.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::Canceled => "failed",
            other => other.as_str(),
        }
    }

    /// Money arrived: no later report undoes it (only a refund moves it on).
    pub fn money_arrived(self) -> bool {
        matches!(self, Self::Paid | Self::Refunded)
    }
}

/// A provider's report of a payment, as far as it matters here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Report<'a> {
    /// What it says the payment is.
    pub status: PaymentStatus,
    /// For how much, minor units.
    pub amount: i64,
    /// In which currency.
    pub currency: &'a str,
}

/// What a report does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The order is paid now: record it (once) and move the order.
    MarkPaid,
    /// Money arrived that does not pay this order: the amount or currency differ, the page
    /// was replaced by a newer one, or the order is no longer waiting for it. Recorded and
    /// flagged for staff; the order does not move.
    Flag(&'static str),
    /// The payment's state changes; the order does not.
    Update(PaymentStatus),
    /// Nothing new (a repeat, or a late report about a payment whose money arrived).
    Nothing,
}

/// What `report` does to a payment that is `stored`, `current` (not replaced by a newer
/// page) or not, of an order that is `order` and comes to `total` in `currency`.
pub fn on_report(
    stored: PaymentStatus,
    current: bool,
    order: OrderStatus,
    total: i64,
    currency: &str,
    report: Report<'_>,
) -> Verdict {
    // Reports come late, twice and out of order: money that arrived stays arrived, and a
    // payment reported paid after a failure (or an expiry) did get paid.
    if stored == report.status || stored.money_arrived() {
        return Verdict::Nothing;
    }
    if report.status != PaymentStatus::Paid {
        return Verdict::Update(report.status);
    }
    if !report.currency.eq_ignore_ascii_case(currency) || report.amount != total {
        return Verdict::Flag("the amount paid is not the order's total");
    }
    if !current {
        return Verdict::Flag("paid on a payment link that a newer one replaced");
    }
    match order {
        OrderStatus::Confirmed => Verdict::MarkPaid,
        OrderStatus::Paid | OrderStatus::Fulfilled => {
            Verdict::Flag("the order was paid already: this is a second payment")
        }
        _ => Verdict::Flag("the order was not waiting for payment"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentStatus::*;

    fn paid(amount: i64, currency: &str) -> Report<'_> {
        Report {
            status: Paid,
            amount,
            currency,
        }
    }

    #[test]
    fn only_the_exact_total_of_the_current_page_marks_a_confirmed_order_paid() {
        let c = OrderStatus::Confirmed;
        assert_eq!(
            on_report(Open, true, c, 2985, "EUR", paid(2985, "EUR")),
            Verdict::MarkPaid
        );
        assert_eq!(
            on_report(Open, true, c, 2985, "EUR", paid(2985, "eur")),
            Verdict::MarkPaid
        );
        for (report, current) in [
            (paid(2984, "EUR"), true),
            (paid(2985, "USD"), true),
            (paid(2985, "EUR"), false),
        ] {
            assert!(
                matches!(
                    on_report(Open, current, c, 2985, "EUR", report),
                    Verdict::Flag(_)
                ),
                "{report:?} {current}"
            );
        }
        // Once paid, a repeat changes nothing; a cancelled order's payment is flagged.
        assert_eq!(
            on_report(
                Paid,
                true,
                OrderStatus::Paid,
                2985,
                "EUR",
                paid(2985, "EUR")
            ),
            Verdict::Nothing
        );
        assert!(matches!(
            on_report(
                Open,
                true,
                OrderStatus::Cancelled,
                2985,
                "EUR",
                paid(2985, "EUR")
            ),
            Verdict::Flag(_)
        ));
        // A failure before the payment, then the payment: both count, in order.
        let failed = Report {
            status: Failed,
            amount: 2985,
            currency: "EUR",
        };
        assert_eq!(
            on_report(Open, true, c, 2985, "EUR", failed),
            Verdict::Update(Failed)
        );
        // A superseded page the shop cancelled can still report money arriving: flagged.
        assert!(matches!(
            on_report(Canceled, false, c, 2985, "EUR", paid(2985, "EUR")),
            Verdict::Flag(_)
        ));
        // Money that arrived after a failure or an expiry counts; nothing undoes it.
        assert_eq!(
            on_report(Failed, true, c, 2985, "EUR", paid(2985, "EUR")),
            Verdict::MarkPaid
        );
        assert_eq!(
            on_report(Expired, true, c, 2985, "EUR", paid(2985, "EUR")),
            Verdict::MarkPaid
        );
        assert_eq!(
            on_report(Paid, true, c, 2985, "EUR", failed),
            Verdict::Nothing
        );
        assert_eq!(
            on_report(Refunded, true, c, 2985, "EUR", paid(2985, "EUR")),
            Verdict::Nothing
        );
        for status in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(status.as_str()), Some(status));
        }
    }
}
