//! A campaign's audience: the contacts whose opt-in to offers is active and who meet its
//! filters, counted for staff and read a batch at a time for the runner.

use super::super::Db;
use crate::policy::campaign::Audience;
use crate::policy::consent::Consent;
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};

/// A value bound into an audience query.
enum Bind {
    Int(i64),
    Text(String),
}

/// The audience's `WHERE` (over contacts `c`) and its values, numbered from `$first`.
fn audience_filter(
    audience: &Audience,
    skus: &[String],
    now: i64,
    first: usize,
) -> (String, Vec<Bind>) {
    let mut binds = vec![Bind::Text(Consent::Active.as_str().into())];
    let mut sql = format!("c.marketing = ${first}");
    // Each value gets the next placeholder number.
    let param = |binds: &mut Vec<Bind>, value: Bind| {
        binds.push(value);
        format!("${}", first + binds.len() - 1)
    };
    if let Some(language) = &audience.language {
        let exact = param(&mut binds, Bind::Text(language.to_ascii_lowercase()));
        let prefix = param(
            &mut binds,
            Bind::Text(format!("{}-%", language.to_ascii_lowercase())),
        );
        sql.push_str(&format!(
            " AND (LOWER(c.locale) = {exact} OR LOWER(c.locale) LIKE {prefix})"
        ));
    }
    let day = 24 * 3600 * 1000_i64;
    if let Some(days) = audience.ordered_within_days {
        let since = param(&mut binds, Bind::Int(now - i64::from(days) * day));
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id AND o.created_at >= {since})"
        ));
    }
    if let Some(days) = audience.not_ordered_within_days {
        let since = param(&mut binds, Bind::Int(now - i64::from(days) * day));
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id AND o.created_at >= {since})"
        ));
    }
    if audience.category.is_some() {
        if skus.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let list: Vec<String> = skus
                .iter()
                .map(|sku| param(&mut binds, Bind::Text(sku.clone())))
                .collect();
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM orders o JOIN order_lines l ON l.order_id = o.id \
                 WHERE o.contact_id = c.id AND l.sku IN ({}))",
                list.join(", ")
            ));
        }
    }
    if audience.never_ordered {
        sql.push_str(" AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.contact_id = c.id)");
    }
    (sql, binds)
}

fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments<'q>>,
    binds: Vec<Bind>,
) -> Query<'q, Any, AnyArguments<'q>> {
    for bind in binds {
        query = match bind {
            Bind::Int(n) => query.bind(n),
            Bind::Text(t) => query.bind(t),
        };
    }
    query
}

/// A contact of an audience, as a campaign message needs them.
#[derive(Debug, Clone)]
pub struct AudienceContact {
    /// Row id.
    pub id: i64,
    /// Their language.
    pub locale: Option<String>,
    /// The name on their last order, if they ordered.
    pub name: Option<String>,
}

impl Db {
    /// How many contacts the audience has now (`skus`: the catalog's skus of its category).
    pub async fn audience_count(
        &self,
        audience: &Audience,
        skus: &[String],
        now: i64,
    ) -> Result<i64, sqlx::Error> {
        let (filter, binds) = audience_filter(audience, skus, now, 1);
        let sql = format!("SELECT COUNT(*) AS n FROM contacts c WHERE {filter}");
        let row = bind_all(sqlx::query(&sql), binds)
            .fetch_one(&self.read)
            .await?;
        row.try_get("n")
    }
}

/// The next `limit` contacts of the audience after contact `after`, in contact order.
pub async fn audience_page(
    conn: &mut AnyConnection,
    audience: &Audience,
    skus: &[String],
    now: i64,
    after: i64,
    limit: i64,
) -> Result<Vec<AudienceContact>, sqlx::Error> {
    let (filter, binds) = audience_filter(audience, skus, now, 3);
    let sql = format!(
        "SELECT c.id, c.locale, (SELECT o.customer_name FROM orders o WHERE o.contact_id = c.id \
         ORDER BY o.id DESC LIMIT 1) AS name FROM contacts c WHERE c.id > $1 AND {filter} \
         ORDER BY c.id LIMIT $2"
    );
    let rows = bind_all(sqlx::query(&sql).bind(after).bind(limit), binds)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(AudienceContact {
                id: r.try_get("id")?,
                locale: r.try_get("locale")?,
                name: r.try_get("name")?,
            })
        })
        .collect()
}
