//! WhatsApp catalog content ids (`sku:Value:Value`) read back to a product and its options.

use super::{Catalog, CatalogProduct, OptionValue, PriceError};
use crate::wire::OptionsObject;

impl Catalog {
    /// The product and option values a WhatsApp catalog item's content id names: the sku of
    /// a product without options, or `sku:Value:Value` with one value per option, the options
    /// either in the catalog's own order (`shirt-linen:M:Sand` for Size M, Colour Sand) or in
    /// the order their names sort (`shirt-linen:Sand:M`). The options come back as a line's
    /// options sorted by name, whichever order matched, for [`Catalog::reprice`].
    pub fn by_retailer_id(&self, id: &str) -> Result<(&CatalogProduct, OptionsObject), PriceError> {
        if let Some(product) = self.product(id) {
            return match product.sorted_options().first() {
                None => Ok((product, OptionsObject::default())),
                Some((name, _)) => Err(PriceError::MissingOption(name.clone())),
            };
        }
        let mut parts = id.split(':');
        let sku = parts.next().unwrap_or_default();
        let product = self.product(sku).ok_or(PriceError::UnknownSku)?;
        let values: Vec<&str> = parts.collect();
        let sorted = product.sorted_options();
        if values.len() != sorted.len() {
            let missing = sorted.get(values.len()).map(|(name, _)| name);
            return Err(match missing {
                Some(name) => PriceError::MissingOption(name.clone()),
                None => PriceError::UnknownOption(id.to_string()),
            });
        }
        let declared: Vec<&(String, Vec<OptionValue>)> = product.options.iter().collect();
        // Sorted names first (what this server always read), then the catalog's own order.
        let matched = match pairs_of(&sorted, &values) {
            Ok(pairs) => pairs,
            Err(sorted_error) => pairs_of(&declared, &values).map_err(|_| sorted_error)?,
        };
        let mut pairs = matched;
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        Ok((product, OptionsObject(pairs)))
    }
}

/// `values` read as one value per option of `options`, in that order.
fn pairs_of(
    options: &[&(String, Vec<OptionValue>)],
    values: &[&str],
) -> Result<Vec<(String, String)>, PriceError> {
    let mut pairs = Vec::with_capacity(values.len());
    for ((name, known), value) in options.iter().map(|o| (&o.0, &o.1)).zip(values) {
        if !known.iter().any(|v| v.value == *value) {
            return Err(PriceError::UnknownOption(format!("{name}={value}")));
        }
        pairs.push((name.clone(), (*value).to_string()));
    }
    Ok(pairs)
}
