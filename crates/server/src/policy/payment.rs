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

    /// The name in the integration API (docs/CONTRACT.md section 7), where a cancelled payment
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

/// What went back to the customer of one payment, minor units: refunds (made by staff in the
/// desk, or anywhere at the provider) and what a chargeback took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MoneyBack {
    /// Refunded in all.
    pub refunded: i64,
    /// Taken back by the customer's bank (0 again once the shop wins the dispute).
    pub charged_back: i64,
}

impl MoneyBack {
    /// Both together.
    pub fn total(self) -> i64 {
        self.refunded.saturating_add(self.charged_back)
    }

    /// What went back after `report` (refunds only add up: a late report about an earlier
    /// refund says less).
    pub fn after(self, report: BackReport) -> Self {
        Self {
            refunded: report
                .refunded
                .map_or(self.refunded, |r| r.max(self.refunded)),
            charged_back: report.charged_back.unwrap_or(self.charged_back),
        }
    }
}

/// What one provider report says went back on a payment, each part when it says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BackReport {
    /// Refunded in all.
    pub refunded: Option<i64>,
    /// Charged back now.
    pub charged_back: Option<i64>,
}

/// What staff see on a payment that was charged back.
pub const CHARGED_BACK: &str = "charged back: the customer's bank took the money back";

/// A payment's new state after money went back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackChange {
    /// What went back now, in all.
    pub back: MoneyBack,
    /// Refunded once all of it was refunded; else as it was.
    pub status: PaymentStatus,
    /// The payment is flagged while a chargeback stands.
    pub charged_back: bool,
}

/// What a provider's report that `now` went back does to a payment of `amount` that is
/// `stored` and had `before` back: `None` when nothing changes. Only money that arrived can
/// go back; amounts are kept within the payment's.
pub fn on_money_back(
    stored: PaymentStatus,
    amount: i64,
    before: MoneyBack,
    now: MoneyBack,
) -> Option<BackChange> {
    if !stored.money_arrived() {
        return None;
    }
    let back = MoneyBack {
        refunded: now.refunded.clamp(0, amount),
        charged_back: now.charged_back.clamp(0, amount),
    };
    if back == before {
        return None;
    }
    let status = if back.refunded >= amount {
        PaymentStatus::Refunded
    } else {
        stored
    };
    Some(BackChange {
        back,
        status,
        charged_back: back.charged_back > 0,
    })
}

/// One payment of an order, as far as its summary needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Item {
    /// Where it is.
    pub status: PaymentStatus,
    /// The order's current payment page (payments by hand are never current).
    pub current: bool,
    /// Minor units.
    pub amount: i64,
    /// Money that arrived but does not pay the order.
    pub flagged: bool,
    /// When the money arrived (ms).
    pub paid_at: Option<i64>,
    /// Refunded or charged back since, minor units.
    pub back: i64,
}

/// Where an order's payment stands, all its payments taken together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// `None`: nothing yet. Paid once what arrived covers the total; else the current
    /// page's state, or open while part was paid by hand.
    pub status: Option<PaymentStatus>,
    /// What arrived and counts, less what went back since, minor units.
    pub received: i64,
    /// When the last counted money arrived.
    pub paid_at: Option<i64>,
    /// The index of the current page.
    pub current: Option<usize>,
}

/// The summary of `items` (oldest first) of an order that comes to `total`.
pub fn summarise(items: &[Item], total: i64) -> Summary {
    let counted = || {
        items
            .iter()
            .filter(|i| i.status == PaymentStatus::Paid && !i.flagged)
    };
    // A part refunded later leaves the order paid (the shop gave some back); all of it
    // refunded makes the payment refunded.
    let arrived: i64 = counted().map(|i| i.amount).sum();
    let received: i64 = counted().map(|i| i.amount - i.back.min(i.amount)).sum();
    let paid_at = counted().filter_map(|i| i.paid_at).max();
    let current = items.iter().rposition(|i| i.current);
    let refunded = items.iter().any(|i| i.status == PaymentStatus::Refunded);
    let status = if arrived > 0 && arrived >= total && received > 0 {
        Some(PaymentStatus::Paid)
    } else if refunded && received == 0 {
        Some(PaymentStatus::Refunded)
    } else if let Some(at) = current {
        // Money that arrived but does not count leaves the order waiting for payment.
        Some(items[at].status)
            .filter(|_| received == 0 && !items[at].flagged)
            .or(Some(PaymentStatus::Open))
    } else if received > 0 {
        Some(PaymentStatus::Open)
    } else {
        None
    };
    Summary {
        status,
        received,
        paid_at,
        current,
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
    fn a_summary_counts_what_arrived() {
        let item = |status, current, amount, flagged| Item {
            status,
            current,
            amount,
            flagged,
            paid_at: (status == Paid).then_some(amount),
            back: 0,
        };
        assert_eq!(summarise(&[], 100).status, None);
        let page = [item(Open, true, 100, false)];
        assert_eq!(summarise(&page, 100).status, Some(Open));
        let part = [item(Paid, false, 40, false)];
        let s = summarise(&part, 100);
        assert_eq!((s.status, s.received), (Some(Open), 40));
        let full = [item(Paid, false, 40, false), item(Paid, false, 60, false)];
        let s = summarise(&full, 100);
        assert_eq!(
            (s.status, s.received, s.paid_at),
            (Some(Paid), 100, Some(60))
        );
        let wrong = [item(Paid, true, 90, true)];
        assert_eq!(summarise(&wrong, 100).status, Some(Open));
        let refunded = [item(Refunded, true, 100, false)];
        assert_eq!(summarise(&refunded, 100).status, Some(Refunded));
        let failed = [item(Failed, true, 100, false)];
        assert_eq!(summarise(&failed, 100).status, Some(Failed));
        // Refunded in part at the provider: still paid, for less.
        let part_back = [Item {
            back: 30,
            ..item(Paid, true, 100, false)
        }];
        let s = summarise(&part_back, 100);
        assert_eq!((s.status, s.received), (Some(Paid), 70));
    }

    #[test]
    fn money_going_back_is_recorded_once_and_within_the_payment() {
        let none = MoneyBack::default();
        let back = |refunded, charged_back| MoneyBack {
            refunded,
            charged_back,
        };
        // Nothing arrived: nothing can go back.
        assert_eq!(on_money_back(Open, 1000, none, back(1000, 0)), None);
        // The same report twice changes nothing the second time.
        assert_eq!(on_money_back(Paid, 1000, none, none), None);
        let part = on_money_back(Paid, 1000, none, back(250, 0)).unwrap();
        assert_eq!(
            (part.status, part.back, part.charged_back),
            (Paid, back(250, 0), false)
        );
        assert_eq!(on_money_back(Paid, 1000, back(250, 0), back(250, 0)), None);
        let full = on_money_back(Paid, 1000, back(250, 0), back(1000, 0)).unwrap();
        assert_eq!(full.status, Refunded);
        // More than the payment is read as all of it.
        let over = on_money_back(Paid, 1000, none, back(5000, 0)).unwrap();
        assert_eq!(over.back, back(1000, 0));
        let disputed = on_money_back(Paid, 1000, none, back(0, 1000)).unwrap();
        assert_eq!((disputed.status, disputed.charged_back), (Paid, true));
        let won = on_money_back(Paid, 1000, back(0, 1000), none).unwrap();
        assert!(!won.charged_back);
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
