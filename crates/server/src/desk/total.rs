//! The order page's "Final total" form: shipping, a discount, each line's quantity (0 takes
//! the line out), and whether to tell the customer. Amounts are typed in major units
//! (`4.95`) and read exactly with `chatout_core::Money`.

use super::error::DeskError;
use super::notice::{order_page_with, Notice};
use super::session::Staff;
use crate::service::adjust_order::adjust_order;
use crate::service::adjust_order::{AdjustError, Adjustment};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::Form;
use chatout_core::{Currency, Money, TotalsError};

/// What the form sent, read: the adjustment, and whether to tell the customer.
fn read_form(
    fields: &[(String, String)],
    currency: Currency,
) -> Result<(Adjustment, bool), Notice> {
    let mut adjustment = Adjustment::default();
    let mut notify = false;
    let amount = |text: &str| match text.trim() {
        "" => Ok(0),
        text => Money::parse_major(text, currency)
            .map(|m| m.minor_units())
            .map_err(|_| Notice::TotalInvalid),
    };
    for (name, value) in fields {
        match name.as_str() {
            "shipping" => adjustment.shipping = Some(amount(value)?),
            "discount" => adjustment.discount = Some(amount(value)?),
            "notify" => notify = value == "on",
            _ => {
                if let Some(position) = name.strip_prefix("quantity_") {
                    let position = position.parse().map_err(|_| Notice::TotalInvalid)?;
                    let quantity = value.trim().parse().map_err(|_| Notice::TotalInvalid)?;
                    adjustment.quantities.push((position, quantity));
                }
            }
        }
    }
    Ok((adjustment, notify))
}

/// `POST /admin/orders/{reference}/total`.
pub(super) async fn save(
    State(state): State<AppState>,
    staff: Staff,
    Path(reference): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, DeskError> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    };
    staff.check(field("csrf"))?;
    let key = field("key").to_string();
    let currency = state.catalog.currency;
    let notice = match read_form(&fields, currency) {
        Err(notice) => notice,
        Ok((adjustment, notify)) => {
            let done = adjust_order(
                &state,
                &reference,
                &adjustment,
                staff.username(),
                notify,
                &key,
            )
            .await;
            match done {
                Ok(_) => Notice::TotalSaved,
                Err(AdjustError::NotFound) => return Err(DeskError::NotFound),
                Err(AdjustError::Closed(_)) => Notice::TotalClosed,
                Err(AdjustError::OutOfStock(_)) => Notice::TotalStock,
                Err(AdjustError::NoLines) => Notice::TotalNoLines,
                Err(AdjustError::BadLine) => Notice::TotalInvalid,
                Err(AdjustError::Totals(TotalsError::DiscountTooLarge)) => Notice::TotalDiscount,
                Err(AdjustError::Totals(_)) => Notice::TotalInvalid,
                Err(AdjustError::Db(e)) => return Err(e.into()),
            }
        }
    };
    Ok(order_page_with(&reference, notice).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn amounts_and_quantities_read_exactly_or_not_at_all() {
        let eur = Currency::from_code("EUR").unwrap();
        let (adjustment, notify) = read_form(
            &form(&[
                ("shipping", "4.95"),
                ("discount", ""),
                ("quantity_0", "2"),
                ("quantity_3", " 0 "),
                ("notify", "on"),
            ]),
            eur,
        )
        .unwrap();
        assert_eq!(adjustment.shipping, Some(495));
        assert_eq!(adjustment.discount, Some(0));
        assert_eq!(adjustment.quantities, [(0, 2), (3, 0)]);
        assert!(notify);
        for bad in [
            ("shipping", "4,95"),
            ("shipping", "4.955"),
            ("discount", "-1"),
            ("quantity_0", "1.5"),
            ("quantity_x", "1"),
        ] {
            assert!(read_form(&form(&[bad]), eur).is_err(), "{bad:?}");
        }
        let jpy = Currency::from_code("JPY").unwrap();
        assert!(read_form(&form(&[("shipping", "500.5")]), jpy).is_err());
        let (yen, _) = read_form(&form(&[("shipping", "500")]), jpy).unwrap();
        assert_eq!(yen.shipping, Some(500));
    }
}
