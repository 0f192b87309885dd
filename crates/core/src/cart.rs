//! The cart: lines of sku + options, merged when the same choice is added again.

use crate::json::{Fields, Json};
use crate::money::{Currency, Money, MoneyError};
use crate::product::{Category, ProductError, ProductName, ProductOptions, Quantity, Sku};
use serde::{Deserialize, Serialize};

/// Why a cart change was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    /// A product field is invalid.
    #[error(transparent)]
    Product(#[from] ProductError),
    /// An amount is invalid or in another currency.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// No line has this id.
    #[error("no cart line '{0}'")]
    UnknownLine(String),
    /// The cart already holds the most lines it can.
    #[error("the cart can hold at most {0} different products")]
    Full(usize),
}

/// A stable id of a cart line, derived from its sku and options, so it survives reloads.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineId(String);

impl LineId {
    fn of(sku: &Sku, options: &ProductOptions) -> Self {
        // FNV-1a: tiny, deterministic across platforms and builds.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let mut feed = |bytes: &[u8]| {
            for b in bytes {
                hash ^= u64::from(*b);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        };
        feed(sku.as_str().as_bytes());
        for (name, value) in options.canonical() {
            feed(&[0x1f]);
            feed(name.as_bytes());
            feed(&[0x1e]);
            feed(value.as_bytes());
        }
        Self(format!("l{:012x}", hash & 0xffff_ffff_ffff))
    }

    /// The id text, as the JS API and the DOM carry it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An id as given back by a caller (looked up, never trusted to exist).
    pub fn from_text(text: &str) -> Self {
        Self(text.to_string())
    }
}

/// A product as the host page offers it, before it is in the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// The shop's product id.
    pub sku: Sku,
    /// Display name.
    pub name: ProductName,
    /// Chosen options.
    pub options: ProductOptions,
    /// Price of one unit.
    pub unit_price: Money,
    /// How many to add.
    pub quantity: Quantity,
    /// The most one line may hold.
    pub max_quantity: u32,
    /// Product page, if given.
    pub url: Option<String>,
    /// Product image, if given.
    pub image: Option<String>,
    /// The shop's category, if given: routes the order to an agent.
    pub category: Option<Category>,
}

/// One line of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineItem {
    /// Stable id (sku + options).
    pub id: LineId,
    /// The shop's product id.
    pub sku: Sku,
    /// Display name.
    pub name: ProductName,
    /// Chosen options.
    pub options: ProductOptions,
    /// Price of one unit.
    pub unit_price: Money,
    /// How many.
    pub quantity: Quantity,
    /// The most this line may hold.
    pub max_quantity: u32,
    /// Product page, if given.
    #[serde(default)]
    pub url: Option<String>,
    /// Product image, if given.
    #[serde(default)]
    pub image: Option<String>,
    /// The shop's category, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
}

impl LineItem {
    /// Unit price times quantity.
    pub fn total(&self) -> Result<Money, MoneyError> {
        self.unit_price.checked_mul(self.quantity.get())
    }
}

/// Sum of line totals in `currency`: the one place a subtotal is computed.
pub(crate) fn subtotal_of(currency: Currency, lines: &[LineItem]) -> Result<Money, MoneyError> {
    lines.iter().try_fold(Money::zero(currency), |sum, line| {
        sum.checked_add(line.total()?)
    })
}

/// What [`Cart::add`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// The line that was created or grown.
    pub line: LineId,
    /// True when the quantity was capped at the product's maximum.
    pub capped: bool,
}

/// The shopper's cart, in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedCart")]
pub struct Cart {
    currency: Currency,
    lines: Vec<LineItem>,
}

/// A cart as read back from storage, before its invariants are checked.
#[derive(Deserialize)]
struct UncheckedCart {
    currency: Currency,
    lines: Vec<LineItem>,
}

impl TryFrom<UncheckedCart> for Cart {
    type Error = CartError;
    fn try_from(data: UncheckedCart) -> Result<Self, Self::Error> {
        Cart::restore(data.currency, data.lines)
    }
}

impl Cart {
    /// A cart read back from storage: every line added again, so every rule holds, and its id
    /// must be the one its sku and options give.
    fn restore(currency: Currency, lines: Vec<LineItem>) -> Result<Self, CartError> {
        let mut cart = Cart::new(currency);
        for line in lines {
            let quantity = i64::from(line.quantity.get());
            let added = cart.add(NewItem {
                quantity: Quantity::new(quantity, line.max_quantity)?,
                sku: line.sku,
                name: line.name,
                options: line.options,
                unit_price: line.unit_price,
                max_quantity: line.max_quantity,
                url: line.url,
                image: line.image,
                category: line.category,
            })?;
            if added.line != line.id {
                return Err(CartError::UnknownLine(line.id.0));
            }
        }
        Ok(cart)
    }

    /// The cart as the widget stores it: the shape serde writes (`{"currency": "EUR", "lines":
    /// [{"id", "sku", "name", "options": [["Size", "M"]], "unit_price": {"minor", "currency"},
    /// "quantity", "max_quantity", "url", "image", "category"?}]}`), so carts stored by either
    /// read back.
    pub fn to_json(&self) -> Json {
        let lines = self.lines.iter().map(|line| {
            let options = line.options.pairs().iter().map(|(name, value)| {
                Json::Array(vec![name.as_str().into(), value.as_str().into()])
            });
            let mut fields = vec![
                ("id", line.id.as_str().into()),
                ("sku", line.sku.as_str().into()),
                ("name", line.name.as_str().into()),
                ("options", Json::Array(options.collect())),
                (
                    "unit_price",
                    Json::object([
                        ("minor", line.unit_price.minor_units().into()),
                        ("currency", line.unit_price.currency().code().into()),
                    ]),
                ),
                ("quantity", line.quantity.get().into()),
                ("max_quantity", line.max_quantity.into()),
                ("url", line.url.as_deref().into()),
                ("image", line.image.as_deref().into()),
            ];
            if let Some(category) = &line.category {
                fields.push(("category", category.as_str().into()));
            }
            Json::object(fields)
        });
        Json::object([
            ("currency", self.currency.code().into()),
            ("lines", Json::Array(lines.collect())),
        ])
    }

    /// A stored cart ([`Cart::to_json`]'s shape), checked as [`Cart::add`] checks: the error
    /// says what was wrong.
    pub fn from_json(value: &Json) -> Result<Self, String> {
        let cart = Fields::of(value, "cart")?;
        let currency = Currency::from_code(cart.str("currency")?).map_err(|e| e.to_string())?;
        let lines = cart
            .array("lines", false)?
            .iter()
            .enumerate()
            .map(|(at, line)| line_from_json(line, &format!("cart.lines[{at}]")))
            .collect::<Result<Vec<_>, _>>()?;
        Cart::restore(currency, lines).map_err(|e| e.to_string())
    }
}

/// One stored line, each field checked by its type.
fn line_from_json(value: &Json, path: &str) -> Result<LineItem, String> {
    let line = Fields::of(value, path)?;
    let bad = |key: &str, e: &dyn std::fmt::Display| format!("{}: {e}", line.path(key));
    let options = line
        .array("options", false)?
        .iter()
        .map(|pair| match pair.as_array() {
            Some([Json::String(name), Json::String(value)]) => Ok((name.clone(), value.clone())),
            _ => Err(format!("{}: not a list of pairs", line.path("options"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let price = Fields::of(line.any("unit_price"), &line.path("unit_price"))?;
    let price_currency =
        Currency::from_code(price.str("currency")?).map_err(|e| bad("unit_price", &e))?;
    let max_quantity =
        u32::try_from(line.i64("max_quantity")?).map_err(|e| bad("max_quantity", &e))?;
    Ok(LineItem {
        id: LineId(line.str("id")?.to_string()),
        sku: Sku::parse(line.str("sku")?).map_err(|e| bad("sku", &e))?,
        name: ProductName::parse(line.str("name")?).map_err(|e| bad("name", &e))?,
        options: ProductOptions::from_pairs(options).map_err(|e| bad("options", &e))?,
        unit_price: Money::from_minor(price.i64("minor")?, price_currency)
            .map_err(|e| bad("unit_price", &e))?,
        quantity: Quantity::new(line.i64("quantity")?, max_quantity)
            .map_err(|e| bad("quantity", &e))?,
        max_quantity,
        url: line.opt_str("url")?.map(str::to_string),
        image: line.opt_str("image")?.map(str::to_string),
        category: line
            .opt_str("category")?
            .map(Category::parse)
            .transpose()
            .map_err(|e| bad("category", &e))?,
    })
}

impl Cart {
    /// At most this many different lines.
    pub const MAX_LINES: usize = 100;

    /// An empty cart.
    pub fn new(currency: Currency) -> Self {
        Self {
            currency,
            lines: Vec::new(),
        }
    }

    /// The cart's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The lines, in the order they were first added.
    pub fn lines(&self) -> &[LineItem] {
        &self.lines
    }

    /// True when nothing is in the cart.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Number of items: the sum of quantities.
    pub fn item_count(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity.get()).sum()
    }

    /// Adds an item; the same sku with the same options grows the existing line.
    /// A line never exceeds its maximum: the quantity is capped and `capped` says so.
    pub fn add(&mut self, item: NewItem) -> Result<Added, CartError> {
        if item.unit_price.currency() != self.currency {
            return Err(MoneyError::CurrencyMismatch(
                item.unit_price.currency().code(),
                self.currency.code(),
            )
            .into());
        }
        let id = LineId::of(&item.sku, &item.options);
        if let Some(line) = self.lines.iter_mut().find(|l| l.id == id) {
            let wanted = u64::from(line.quantity.get()) + u64::from(item.quantity.get());
            let max = item.max_quantity.max(1);
            let capped = wanted > u64::from(max);
            let quantity = if capped { u64::from(max) } else { wanted };
            line.quantity = Quantity::new(quantity as i64, max)?;
            line.max_quantity = max;
            // The host page's latest price and name win: they reflect what the shopper saw.
            line.unit_price = item.unit_price;
            line.name = item.name;
            if item.category.is_some() {
                line.category = item.category;
            }
            return Ok(Added { line: id, capped });
        }
        if self.lines.len() >= Self::MAX_LINES {
            return Err(CartError::Full(Self::MAX_LINES));
        }
        self.lines.push(LineItem {
            id: id.clone(),
            sku: item.sku,
            name: item.name,
            options: item.options,
            unit_price: item.unit_price,
            quantity: item.quantity,
            max_quantity: item.max_quantity,
            url: item.url,
            image: item.image,
            category: item.category,
        });
        Ok(Added {
            line: id,
            capped: false,
        })
    }

    /// Sets a line's quantity; 0 removes the line.
    pub fn set_quantity(&mut self, id: &LineId, quantity: i64) -> Result<(), CartError> {
        if quantity == 0 {
            return self
                .remove(id)
                .then_some(())
                .ok_or_else(|| CartError::UnknownLine(id.0.clone()));
        }
        let line = self
            .lines
            .iter_mut()
            .find(|l| &l.id == id)
            .ok_or_else(|| CartError::UnknownLine(id.0.clone()))?;
        line.quantity = Quantity::new(quantity, line.max_quantity)?;
        Ok(())
    }

    /// Removes a line; false when there was none.
    pub fn remove(&mut self, id: &LineId) -> bool {
        let before = self.lines.len();
        self.lines.retain(|l| &l.id != id);
        self.lines.len() != before
    }

    /// Empties the cart.
    pub fn clear(&mut self) {
        self.lines.clear();
    }

    /// Sum of all line totals.
    pub fn subtotal(&self) -> Result<Money, MoneyError> {
        subtotal_of(self.currency, &self.lines)
    }

    /// Follows the shop server's corrected lines (its `409` answer): each line takes the
    /// server's price and at most the server's quantity; lines the server left out (unknown
    /// or sold out) go. Returns true when anything changed.
    pub fn apply_corrections(&mut self, corrected: &[crate::WireLine]) -> bool {
        let currency = self.currency;
        let before = self.lines.clone();
        self.lines.retain_mut(|line| {
            let options = crate::OptionsObject::from(&line.options);
            let Some(fix) = corrected
                .iter()
                .find(|w| w.sku == line.sku.as_str() && w.options == options)
            else {
                return false;
            };
            if let Ok(price) = Money::from_minor(fix.unit_price, currency) {
                line.unit_price = price;
            }
            let quantity = i64::from(line.quantity.get()).min(fix.quantity);
            match Quantity::new(quantity, line.max_quantity) {
                Ok(q) => {
                    line.quantity = q;
                    true
                }
                Err(_) => false,
            }
        });
        self.lines != before
    }
}

#[cfg(test)]
mod tests;
