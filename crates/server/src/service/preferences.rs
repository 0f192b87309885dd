//! Meta's own marketing opt-out (the `user_preferences` webhook): a user who stops marketing
//! messages in WhatsApp stops the shop's offers at once (docs/CONTRACT.md section 10), recorded in
//! the consent history as `whatsapp_settings`; their open back-in-stock requests end and
//! queued offers are cancelled. A `resume` there is not an opt-in to this shop: it changes
//! nothing here (only a new web opt-in proven by its message would).

use crate::clock::now_ms;
use crate::db::messaging::{self, ConsentRecord, Purpose};
use crate::db::{alerts, Db};
use crate::policy::consent::{Consent, ConsentSource};
use crate::whatsapp::webhook::MarketingPreference;

/// Applies a marketing preference changed in WhatsApp; returns whether it stopped offers.
#[tracing::instrument(skip_all)]
pub async fn record_preference(
    db: &Db,
    preference: &MarketingPreference,
) -> Result<bool, sqlx::Error> {
    if preference.resume {
        tracing::info!("a user resumed marketing messages in WhatsApp: no opt-in here");
        return Ok(false);
    }
    let now = now_ms();
    let mut tx = db.begin().await?;
    let contact = messaging::find_or_create_contact(
        &mut tx,
        preference.wa_id.as_deref(),
        preference.user_id.as_deref(),
        now,
    )
    .await?;
    if contact.marketing == Consent::Stopped {
        return Ok(false);
    }
    let purpose = Purpose::Marketing;
    messaging::store_consent(&mut tx, contact.id, purpose, Consent::Stopped, now).await?;
    let text = match preference.detail.trim() {
        "" => "stopped marketing messages in WhatsApp",
        detail => detail,
    };
    let record = ConsentRecord {
        purpose,
        opted_in: false,
        source: ConsentSource::WhatsappSettings,
        text,
        page: None,
        order_id: None,
    };
    messaging::insert_consent_event(&mut tx, contact.id, &record, now).await?;
    let reason = "the customer stopped marketing messages in WhatsApp";
    alerts::end_alerts(&mut tx, contact.id, reason, now).await?;
    messaging::cancel_queued_marketing(&mut tx, contact.id, reason, now).await?;
    tx.commit().await?;
    Ok(true)
}
