//! An order's final amounts, the one rule for them: `total = subtotal + shipping − discount`,
//! in one currency, with checked arithmetic, and never below zero.

use crate::money::{Currency, Money, MoneyError};

/// Why the amounts do not make a total.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotalsError {
    /// Shipping or the discount is below zero.
    #[error("{0} cannot be below zero")]
    Negative(&'static str),
    /// The discount is more than the subtotal and shipping together.
    #[error("the discount is more than the order")]
    DiscountTooLarge,
    /// Out of range, or amounts of different currencies.
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// An order's subtotal, shipping, discount and the total the customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    /// Sum of the lines.
    pub subtotal: Money,
    /// Shipping cost, as staff set it (zero until then).
    pub shipping: Money,
    /// Discount, as staff set it (zero until then).
    pub discount: Money,
    /// `subtotal + shipping − discount`.
    pub total: Money,
}

impl Totals {
    /// The totals of these amounts: shipping and discount at least zero, the discount at
    /// most subtotal plus shipping.
    pub fn new(subtotal: Money, shipping: Money, discount: Money) -> Result<Self, TotalsError> {
        if shipping.minor_units() < 0 {
            return Err(TotalsError::Negative("shipping"));
        }
        if discount.minor_units() < 0 {
            return Err(TotalsError::Negative("the discount"));
        }
        if subtotal.minor_units() < 0 {
            return Err(TotalsError::Negative("the subtotal"));
        }
        let before = subtotal.checked_add(shipping)?;
        let total = before.checked_sub(discount)?;
        if total.minor_units() < 0 {
            return Err(TotalsError::DiscountTooLarge);
        }
        Ok(Self {
            subtotal,
            shipping,
            discount,
            total,
        })
    }

    /// [`Totals::new`] from stored minor units.
    pub fn from_minor(
        currency: Currency,
        subtotal: i64,
        shipping: i64,
        discount: i64,
    ) -> Result<Self, TotalsError> {
        Self::new(
            Money::from_minor(subtotal, currency)?,
            Money::from_minor(shipping, currency)?,
            Money::from_minor(discount, currency)?,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::MAX_MINOR_UNITS;
    use proptest::prelude::*;

    fn currency(code: &str) -> Currency {
        Currency::from_code(code).unwrap()
    }

    #[test]
    fn the_total_adds_shipping_and_takes_off_the_discount() {
        let eur = currency("EUR");
        let t = Totals::from_minor(eur, 5980, 495, 1000).unwrap();
        assert_eq!(t.total.minor_units(), 5475);
        assert_eq!(t.total.to_decimal_string(), "54.75");
        let jpy = Totals::from_minor(currency("JPY"), 1500, 500, 0).unwrap();
        assert_eq!(jpy.total.to_decimal_string(), "2000");
        let kwd = Totals::from_minor(currency("KWD"), 1250, 1, 0).unwrap();
        assert_eq!(kwd.total.to_decimal_string(), "1.251");
        assert_eq!(
            Totals::from_minor(eur, 1000, 0, 1001),
            Err(TotalsError::DiscountTooLarge)
        );
        assert_eq!(
            Totals::from_minor(eur, 1000, -1, 0),
            Err(TotalsError::Negative("shipping"))
        );
        assert_eq!(
            Totals::from_minor(eur, 1000, 0, -5),
            Err(TotalsError::Negative("the discount"))
        );
        assert!(matches!(
            Totals::from_minor(eur, MAX_MINOR_UNITS, 1, 0),
            Err(TotalsError::Money(MoneyError::TooLarge))
        ));
        let other = Money::from_minor(1, currency("USD")).unwrap();
        assert!(matches!(
            Totals::new(Money::zero(eur), other, Money::zero(eur)),
            Err(TotalsError::Money(MoneyError::CurrencyMismatch(..)))
        ));
    }

    proptest! {
        #[test]
        fn a_total_is_exact_and_never_negative(
            code in prop::sample::select(vec!["EUR", "JPY", "KWD"]),
            subtotal in 0_i64..=MAX_MINOR_UNITS,
            shipping in -1000_i64..=MAX_MINOR_UNITS,
            discount in -1000_i64..=MAX_MINOR_UNITS,
        ) {
            match Totals::from_minor(currency(code), subtotal, shipping, discount) {
                Ok(t) => {
                    prop_assert!(t.total.minor_units() >= 0);
                    // Exact in minor units: integer arithmetic, no rounding anywhere.
                    prop_assert_eq!(
                        i128::from(t.total.minor_units()),
                        i128::from(subtotal) + i128::from(shipping) - i128::from(discount)
                    );
                    prop_assert_eq!(t.total.currency(), currency(code));
                }
                Err(TotalsError::Negative(_)) => prop_assert!(shipping < 0 || discount < 0),
                Err(TotalsError::DiscountTooLarge) => {
                    prop_assert!(i128::from(discount) > i128::from(subtotal) + i128::from(shipping))
                }
                Err(TotalsError::Money(_)) => prop_assert!(
                    i128::from(subtotal) + i128::from(shipping) > i128::from(MAX_MINOR_UNITS)
                ),
            }
        }
    }
}
