//! The team inbox: every contact who wrote to the shop's number, unanswered ones first by
//! how long they have waited, with who answers and whether it is done.

use super::super::Db;
use super::contacts::Contact;
use crate::clock::UnixMillis;
use sqlx::AnyConnection;

/// One conversation in the inbox.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InboxRow {
    /// The contact.
    pub contact_id: i64,
    /// Their WhatsApp number, when known.
    pub wa_id: Option<String>,
    /// The name on their WhatsApp profile.
    pub profile_name: Option<String>,
    /// Their WhatsApp username.
    pub username: Option<String>,
    /// What they wrote last.
    pub last_text: Option<String>,
    /// When they last wrote.
    pub last_inbound_at: i64,
    /// Since when they have waited for an answer: when they sent the first message that
    /// arrived after the last reply and after it was last marked done (`None`: answered).
    pub waiting_since: Option<i64>,
    /// Until when free-form replies are allowed.
    pub window_until: i64,
    /// Who answers.
    pub assigned_to: Option<String>,
    /// When staff marked it done.
    pub done_at: Option<i64>,
}

impl InboxRow {
    /// Waiting for an answer: written to since the last reply, and not marked done since.
    pub fn unanswered(&self) -> bool {
        self.waiting_since.is_some()
    }
}

impl Db {
    /// The inbox: unanswered conversations first, longest waiting first, then the others by
    /// their latest message; at most `limit`.
    pub async fn inbox(&self, limit: i64) -> Result<Vec<InboxRow>, sqlx::Error> {
        sqlx::query_as::<_, InboxRow>(&format!(
            "SELECT * FROM (SELECT c.id AS contact_id, c.wa_id, c.profile_name, c.username, \
             c.last_inbound_at, \
             c.window_until, c.assigned_to, c.done_at, \
             (SELECT i.body FROM inbound i WHERE i.contact_id = c.id \
              ORDER BY i.received_at DESC, i.id DESC LIMIT 1) AS last_text, \
             {WAITING_SINCE} AS waiting_since \
             FROM contacts c WHERE c.last_inbound_at IS NOT NULL) t \
             ORDER BY CASE WHEN t.waiting_since IS NULL THEN 1 ELSE 0 END, t.waiting_since, \
             t.last_inbound_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await
    }

    /// One conversation of the inbox.
    pub async fn inbox_row(&self, contact_id: i64) -> Result<Option<InboxRow>, sqlx::Error> {
        sqlx::query_as::<_, InboxRow>(&format!(
            "SELECT c.id AS contact_id, c.wa_id, c.profile_name, c.username, c.last_inbound_at, \
             c.window_until, \
             c.assigned_to, c.done_at, \
             (SELECT i.body FROM inbound i WHERE i.contact_id = c.id \
              ORDER BY i.received_at DESC, i.id DESC LIMIT 1) AS last_text, \
             {WAITING_SINCE} AS waiting_since \
             FROM contacts c WHERE c.id = $1 AND c.last_inbound_at IS NOT NULL"
        ))
        .bind(contact_id)
        .fetch_optional(&self.read)
        .await
    }

    /// Who answers a conversation (`None` clears it); false for an unknown contact.
    pub async fn assign_conversation(
        &self,
        contact_id: i64,
        staff: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE contacts SET assigned_to = $1 WHERE id = $2")
            .bind(staff)
            .bind(contact_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Marks a conversation done now; the contact's next message opens it again.
    pub async fn mark_done(&self, contact_id: i64, now: UnixMillis) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE contacts SET done_at = $1 WHERE id = $2")
            .bind(now)
            .bind(contact_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A contact by row id.
    pub async fn contact(&self, contact_id: i64) -> Result<Option<Contact>, sqlx::Error> {
        let mut conn = self.read.acquire().await?;
        super::contacts::contact_by_id(&mut conn, contact_id).await
    }

    /// The references of a contact's orders (linked to it, or placed with its number),
    /// newest first.
    pub async fn orders_of_contact(&self, contact_id: i64) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT o.reference FROM orders o JOIN contacts c ON c.id = $1 \
             WHERE o.contact_id = c.id OR o.customer_phone = '+' || c.wa_id \
             ORDER BY o.id DESC LIMIT 50",
        )
        .bind(contact_id)
        .fetch_all(&self.read)
        .await
    }
}

/// The rule of "waiting": since the sent time of the first message that arrived after the
/// last reply and after the conversation was last marked done.
/// WhatsApp's own notices (`system`) wait for nobody.
const WAITING_SINCE: &str = "(SELECT MIN(i.sent_at) FROM inbound i WHERE i.contact_id = c.id \
     AND i.kind <> 'system' \
     AND i.received_at > COALESCE(c.last_reply_at, 0) AND i.received_at > COALESCE(c.done_at, 0))";

/// Marks a conversation done when message `wamid` is all it waits on (the shop's automatic
/// answer handled it, like a back-in-stock request): staff are not asked to answer it, and
/// no response time is counted. An earlier message still waiting keeps it waiting.
pub async fn settle_if_only(
    conn: &mut AnyConnection,
    contact_id: i64,
    wamid: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE contacts SET done_at = $1 WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM inbound i \
         WHERE i.contact_id = $2 AND i.wamid <> $3 \
         AND i.received_at > COALESCE(contacts.last_reply_at, 0) \
         AND i.received_at > COALESCE(contacts.done_at, 0))",
    )
    .bind(now)
    .bind(contact_id)
    .bind(wamid)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Notes that `staff` replied to a contact now: the conversation is answered, and if the
/// contact was waiting, that wait is recorded as a response.
pub async fn note_reply(
    conn: &mut AnyConnection,
    contact_id: i64,
    staff: &str,
    now: UnixMillis,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO responses (contact_id, waited_from, answered_at, staff) \
         SELECT c.id, {WAITING_SINCE}, $2, $3 FROM contacts c \
         WHERE c.id = $1 AND {WAITING_SINCE} IS NOT NULL"
    ))
    .bind(contact_id)
    .bind(now)
    .bind(staff)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE contacts SET last_reply_at = $1 WHERE id = $2")
        .bind(now)
        .bind(contact_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// One first response.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Response {
    /// When the contact wrote (the first message of the wait).
    pub waited_from: i64,
    /// When staff answered.
    pub answered_at: i64,
    /// Who answered.
    pub staff: String,
}

impl Db {
    /// First responses answered at or after `since`, oldest first.
    pub async fn responses_since(&self, since: UnixMillis) -> Result<Vec<Response>, sqlx::Error> {
        sqlx::query_as(
            "SELECT waited_from, answered_at, staff FROM responses WHERE answered_at >= $1 \
             ORDER BY answered_at",
        )
        .bind(since)
        .fetch_all(&self.read)
        .await
    }
}

/// Enquiries of a period: contacts whose first message arrived in it, and how many of them
/// placed an order within 7 days of it, per topic (`None`: untagged).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Conversion {
    /// The conversations' topic.
    pub topic: Option<String>,
    /// Conversations started.
    pub started: i64,
    /// Of those, the ones whose contact placed an order within 7 days.
    pub converted: i64,
}

/// How long after a first message an order still counts as coming from it.
pub const CONVERSION_WINDOW_MS: i64 = 7 * 86_400_000;

impl Db {
    /// The shop's topics, alphabetically.
    pub async fn topics(&self) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT name FROM topics ORDER BY name")
            .fetch_all(&self.read)
            .await
    }

    /// Adds a topic; false when it exists.
    pub async fn add_topic(&self, name: &str, now: UnixMillis) -> Result<bool, sqlx::Error> {
        let added = sqlx::query(
            "INSERT INTO topics (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(now)
        .execute(&self.write)
        .await?;
        Ok(added.rows_affected() == 1)
    }

    /// Removes a topic; conversations tagged with it keep the name.
    pub async fn remove_topic(&self, name: &str) -> Result<bool, sqlx::Error> {
        let removed = sqlx::query("DELETE FROM topics WHERE name = $1")
            .bind(name)
            .execute(&self.write)
            .await?;
        Ok(removed.rows_affected() == 1)
    }

    /// Tags a conversation (`None` clears it); false for an unknown contact.
    pub async fn tag_conversation(
        &self,
        contact_id: i64,
        topic: Option<&str>,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query("UPDATE contacts SET topic = $1 WHERE id = $2")
            .bind(topic)
            .bind(contact_id)
            .execute(&self.write)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A conversation's topic.
    pub async fn topic_of(&self, contact_id: i64) -> Result<Option<String>, sqlx::Error> {
        let topic: Option<Option<String>> =
            sqlx::query_scalar("SELECT topic FROM contacts WHERE id = $1")
                .bind(contact_id)
                .fetch_optional(&self.read)
                .await?;
        Ok(topic.flatten())
    }

    /// Enquiry-to-order conversion of conversations started in `[from, until)`, per topic.
    pub async fn conversion(
        &self,
        from: UnixMillis,
        until: UnixMillis,
    ) -> Result<Vec<Conversion>, sqlx::Error> {
        sqlx::query_as(
            "SELECT s.topic, COUNT(*) AS started, \
             SUM(CASE WHEN EXISTS (SELECT 1 FROM orders o WHERE \
               (o.contact_id = s.id OR o.customer_phone = '+' || s.wa_id) \
               AND o.created_at >= s.first_at AND o.created_at < s.first_at + $3) \
             THEN 1 ELSE 0 END) AS converted \
             FROM (SELECT c.id, c.wa_id, c.topic, \
                   (SELECT MIN(i.received_at) FROM inbound i WHERE i.contact_id = c.id) AS first_at \
                   FROM contacts c) s \
             WHERE s.first_at >= $1 AND s.first_at < $2 GROUP BY s.topic ORDER BY s.topic",
        )
        .bind(from)
        .bind(until)
        .bind(CONVERSION_WINDOW_MS)
        .fetch_all(&self.read)
        .await
    }
}
