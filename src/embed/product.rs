//! A product as the host page offers it, from a `data-chatout-add` button or `Chatout.add()`:
//! one validation path for both, with errors that name the field a shop owner would fix.

use chatout_core::{
    Category, Currency, Money, NewItem, ProductName, ProductOptions, Quantity, Sku,
};

/// The price as given: a decimal string in major units (`"29.90"`, like `data-price`) or, from
/// the JS API, a whole number of minor units (`2990`).
pub enum Price<'a> {
    /// Major units, `.` as separator.
    Major(&'a str),
    /// Minor units; anything that is not a whole number is refused.
    Minor(f64),
}

/// The options as given: `Size=M;Colour=Sand`, or name/value pairs from a JS object.
pub enum Options {
    /// The `data-options` notation.
    Text(String),
    /// Pairs in the order given.
    Pairs(Vec<(String, String)>),
}

/// The raw fields, before validation.
pub struct ProductInput<'a> {
    /// `sku`.
    pub sku: &'a str,
    /// `name`.
    pub name: &'a str,
    /// `price`.
    pub price: Price<'a>,
    /// `options`.
    pub options: Options,
    /// `quantity`, 1 when absent.
    pub quantity: Option<f64>,
    /// `max-quantity`, [`Quantity::DEFAULT_MAX`] when absent.
    pub max_quantity: Option<f64>,
    /// `url`.
    pub url: Option<String>,
    /// `image`.
    pub image: Option<String>,
    /// `category`, for routing the order to an agent.
    pub category: Option<String>,
}

impl ProductInput<'_> {
    /// Validates every field with its core type; the error names the field (`price: …`).
    pub fn into_item(self, currency: Currency) -> Result<NewItem, String> {
        let named = |name: &str, e: &dyn std::fmt::Display| format!("{name}: {e}");
        let max_quantity = match self.max_quantity {
            Some(m) if m.fract() == 0.0 && (1.0..=9_999.0).contains(&m) => m as u32,
            Some(_) => return Err("max-quantity: must be a whole number from 1 to 9999".into()),
            None => Quantity::DEFAULT_MAX,
        };
        let quantity = match self.quantity {
            Some(q) if q.fract() == 0.0 && q.abs() < 1e9 => q as i64,
            Some(_) => return Err("quantity: must be a whole number".into()),
            None => 1,
        };
        let unit_price =
            match self.price {
                Price::Major(text) => Money::parse_major(text, currency),
                Price::Minor(minor) if minor.fract() == 0.0 && minor.abs() < 9e15 => {
                    Money::from_minor(minor as i64, currency)
                }
                // Not echoed: formatting a float would add its machinery to the wasm.
                Price::Minor(_) => return Err(
                    "price: not a whole number of minor units (give 2990, or the string \"29.90\")"
                        .into(),
                ),
            }
            .map_err(|e| named("price", &e))?;
        if unit_price.minor_units() < 0 {
            return Err(format!(
                "price: {} must not be negative",
                unit_price.minor_units()
            ));
        }
        let options = match self.options {
            Options::Text(text) => ProductOptions::parse(&text),
            Options::Pairs(pairs) => ProductOptions::from_pairs(pairs),
        }
        .map_err(|e| named("options", &e))?;
        Ok(NewItem {
            sku: Sku::parse(self.sku.trim()).map_err(|e| named("sku", &e))?,
            name: ProductName::parse(self.name).map_err(|e| named("name", &e))?,
            options,
            unit_price,
            quantity: Quantity::new(quantity, max_quantity).map_err(|e| named("quantity", &e))?,
            max_quantity,
            url: self.url.filter(|v| !v.trim().is_empty()),
            image: self.image.filter(|v| !v.trim().is_empty()),
            category: self
                .category
                .filter(|v| !v.trim().is_empty())
                .map(|v| Category::parse(&v))
                .transpose()
                .map_err(|e| named("category", &e))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(price: Price<'_>) -> ProductInput<'_> {
        ProductInput {
            sku: "mug",
            name: "Mug",
            price,
            options: Options::Text(String::new()),
            quantity: None,
            max_quantity: None,
            url: None,
            image: None,
            category: None,
        }
    }

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    #[test]
    fn prices_are_major_unit_strings_or_whole_minor_units() {
        let item = input(Price::Major("12.50")).into_item(eur()).unwrap();
        assert_eq!(item.unit_price.minor_units(), 1250);
        let item = input(Price::Minor(1250.0)).into_item(eur()).unwrap();
        assert_eq!(item.unit_price.minor_units(), 1250);
        for bad in [
            Price::Minor(12.5),
            Price::Minor(f64::NAN),
            Price::Minor(-100.0),
            Price::Major("12,50"),
        ] {
            let err = input(bad).into_item(eur()).unwrap_err();
            assert!(err.starts_with("price: "), "{err}");
        }
    }

    #[test]
    fn quantities_and_options_are_checked() {
        let mut bad = input(Price::Minor(100.0));
        bad.quantity = Some(1.5);
        assert!(bad.into_item(eur()).unwrap_err().starts_with("quantity: "));
        let mut bad = input(Price::Minor(100.0));
        bad.max_quantity = Some(0.0);
        assert!(bad
            .into_item(eur())
            .unwrap_err()
            .starts_with("max-quantity: "));
        let mut good = input(Price::Minor(100.0));
        good.options = Options::Pairs(vec![("Size".into(), "M".into())]);
        good.quantity = Some(3.0);
        let item = good.into_item(eur()).unwrap();
        assert_eq!(item.quantity.get(), 3);
        assert_eq!(
            item.options.pairs(),
            [("Size".to_string(), "M".to_string())]
        );
        let mut bad = input(Price::Minor(100.0));
        bad.options = Options::Pairs(vec![("Size".into(), String::new())]);
        assert!(bad.into_item(eur()).unwrap_err().starts_with("options: "));
    }
}
