//! Every environment variable the server reads, declared once: its name, its default and what
//! it means. Reading ([`super::env::Env`]) takes the default from here, and
//! `docs/environment.md` is this table written out (a test keeps the two equal).

/// What a variable falls back to when it is unset or blank.
#[derive(Debug, Clone, Copy)]
pub enum Fallback {
    /// This value, read exactly as if it had been set.
    Value(&'static str),
    /// Nothing: the feature is off, or something else decides (said in words for the docs).
    Absent(&'static str),
}

/// One environment variable.
#[derive(Debug, Clone, Copy)]
pub struct Variable {
    /// The name, e.g. `CHATOUT_ADDR`.
    pub name: &'static str,
    /// The default.
    pub fallback: Fallback,
    /// What it does, as the docs say it (Markdown, one line).
    pub meaning: &'static str,
}

const fn var(name: &'static str, fallback: Fallback, meaning: &'static str) -> Variable {
    Variable {
        name,
        fallback,
        meaning,
    }
}

use Fallback::{Absent, Value};

/// The Graph API base the WhatsApp client calls unless `WHATSAPP_API_BASE` says otherwise.
pub const GRAPH_API_BASE: &str = "https://graph.facebook.com/v23.0";

pub const ADDR: Variable = var(
    "CHATOUT_ADDR",
    Value("127.0.0.1:8080"),
    "listen address; port 0 picks a free port and prints it",
);
pub const DATABASE_URL: Variable = var(
    "DATABASE_URL",
    Value("sqlite://chatout.db"),
    "a SQLite file (created, WAL, migrated on first start) or `postgres://user:pass@host/db`",
);
pub const CATALOG: Variable = var(
    "CHATOUT_CATALOG",
    Absent("the demo catalog"),
    "path of the catalog JSON the server prices orders from ([the catalog](server.md#the-catalog))",
);
pub const ALLOWED_ORIGINS: Variable = var(
    "CHATOUT_ALLOWED_ORIGINS",
    Absent("same origin only"),
    "comma-separated origins whose pages may POST orders (CORS), like `https://shop.example`",
);
pub const ORDER_TTL: Variable = var(
    "CHATOUT_ORDER_TTL",
    Value("48h"),
    "pending orders older than this expire and give their stock back (`30m`, `90s`, `2d`)",
);
pub const ADMIN_PASSWORD: Variable = var(
    "CHATOUT_ADMIN_PASSWORD",
    Absent("generated, printed once"),
    "password of the desk's first account, `admin`, created on the first start; at least 12 \
     characters, like every account's (a shorter one stops the server with this variable named)",
);
pub const RATE_LIMIT: Variable = var(
    "CHATOUT_RATE_LIMIT",
    Value("30"),
    "order requests per minute from one client address (`429` beyond); `0` turns it off. \
     Behind a reverse proxy, set `CHATOUT_TRUSTED_PROXIES` so that each shopper counts on their \
     own",
);
pub const TRUSTED_PROXIES: Variable = var(
    "CHATOUT_TRUSTED_PROXIES",
    Absent("unset"),
    "comma-separated addresses or CIDRs of your reverse proxies (`127.0.0.1, 10.0.0.0/8`). Only \
     for a request whose socket comes from one of them is the right-most `X-Forwarded-For` entry \
     that is not itself a trusted proxy the client (for rate limits, stock holds and logs), and \
     `X-Forwarded-Proto` says whether it came over HTTPS. Anyone else's `X-Forwarded-*` headers \
     change nothing. IPv6 clients count by their /64",
);
pub const PUBLIC_URL: Variable = var(
    "CHATOUT_PUBLIC_URL",
    Absent("unset"),
    "the server's public base URL, like `https://orders.shop.example`. When set, its scheme \
     decides whether the desk's cookies are `Secure` and HSTS is sent (see \
     [behind a proxy, over HTTPS](operating.md#behind-a-proxy-over-https))",
);
pub const STOCK_HOLD: Variable = var(
    "CHATOUT_STOCK_HOLD",
    Value("30m"),
    "how long a pending order that staff have not confirmed holds its stock (see \
     [stock holds](server.md#stock-holds))",
);
pub const HOLD_LIMIT: Variable = var(
    "CHATOUT_HOLD_LIMIT",
    Value("20"),
    "the most units of limited stock one client address may hold at once in orders nobody has \
     confirmed yet (`429` beyond); `0` turns the cap off. Raise it for wholesale shops",
);
pub const HEADER_TIMEOUT: Variable = var(
    "CHATOUT_HEADER_TIMEOUT",
    Value("10s"),
    "how long a client may take to send a request's headers; also how long an idle keep-alive \
     connection stays open",
);
pub const BODY_TIMEOUT: Variable = var(
    "CHATOUT_BODY_TIMEOUT",
    Value("30s"),
    "how long a client may take to send a request's whole body (`408` beyond)",
);
pub const MAX_CONNECTIONS: Variable = var(
    "CHATOUT_MAX_CONNECTIONS",
    Value("1024"),
    "open connections at once; more wait in the kernel's queue until one closes. At least 1",
);
pub const MAX_CONNECTIONS_PER_CLIENT: Variable = var(
    "CHATOUT_MAX_CONNECTIONS_PER_CLIENT",
    Value("64"),
    "open connections at once from one socket address (a trusted proxy is not capped); more get \
     `503` at once. At least 1",
);
pub const WIDGET_DIR: Variable = var(
    "CHATOUT_WIDGET_DIR",
    Value("dist"),
    "the built widget (`cargo xtask dist`), served at `/chatout/` and, as the demo store, at `/`; \
     not read by a binary built with the widget inside it (`--features embed-widget`)",
);
pub const WHATSAPP_PHONE_NUMBER_ID: Variable = var(
    "WHATSAPP_PHONE_NUMBER_ID",
    Absent("unset"),
    "the business phone number's id; with the next three it turns \
     [WhatsApp messaging](messaging.md) on. Setting only some of the four is an error naming \
     the missing one",
);
pub const WHATSAPP_TOKEN: Variable = var(
    "WHATSAPP_TOKEN",
    Absent("unset"),
    "the Cloud API access token (a system user token), sent as `Authorization: Bearer`",
);
pub const WHATSAPP_APP_SECRET: Variable = var(
    "WHATSAPP_APP_SECRET",
    Absent("unset"),
    "the app secret: webhooks must carry its HMAC-SHA256 in `X-Hub-Signature-256`",
);
pub const WHATSAPP_VERIFY_TOKEN: Variable = var(
    "WHATSAPP_VERIFY_TOKEN",
    Absent("unset"),
    "the token you type into Meta's webhook settings; the subscription check must present it",
);
pub const WHATSAPP_API_BASE: Variable = var(
    "WHATSAPP_API_BASE",
    Value(GRAPH_API_BASE),
    "the Graph API base (tests point it at a local fake)",
);
pub const WHATSAPP_TEMPLATES: Variable = var(
    "WHATSAPP_TEMPLATES",
    Absent("`demo/whatsapp-templates.json` (built in)"),
    "which approved template each order event sends, and the marketing templates campaigns may \
     use ([templates](messaging.md#templates-for-order-events))",
);
pub const WHATSAPP_WABA_ID: Variable = var(
    "WHATSAPP_WABA_ID",
    Absent("unset"),
    "the WhatsApp Business Account's id: the campaigns page can then sync its approved marketing \
     templates from WhatsApp Manager ([campaigns](campaigns.md#campaigns)) (the token needs `whatsapp_business_management`)",
);
pub const TIME_ZONE: Variable = var(
    "CHATOUT_TIME_ZONE",
    Value("UTC"),
    "the shop's time zone (IANA, like `Europe/Amsterdam`), in which the desk writes times: \
     \"today 14:05\", \"yesterday 09:12\", \"3 Dec 14:05\", the exact UTC time on hover. An \
     unknown name stops the server with this variable named",
);
pub const WEBHOOK_URLS: Variable = var(
    "CHATOUT_WEBHOOK_URLS",
    Absent("unset"),
    "comma-separated `http(s)://` URLs that get every order event \
     ([webhooks](integration.md#webhooks)); needs the next",
);
pub const WEBHOOK_SECRET: Variable = var(
    "CHATOUT_WEBHOOK_SECRET",
    Absent("unset"),
    "the secret (at least 16 characters) that signs every delivery; setting only one of the two \
     is an error naming the other",
);
pub const OPT_IN_PENDING: Variable = var(
    "CHATOUT_OPT_IN_PENDING",
    Value("7d"),
    "how long a web opt-in (order updates, offers, back-in-stock) waits for the message carrying \
     its own reference from that number; after that it lapses and the request's reference no \
     longer activates it",
);
pub const MARKETING_CAP: Variable = var(
    "CHATOUT_MARKETING_CAP",
    Value("2"),
    "the most marketing messages (back-in-stock alerts, campaigns) one contact gets in 7 days; \
     one over it is skipped and counted, never queued. At least 1",
);
pub const ALERTS_PER_UNIT: Variable = var(
    "CHATOUT_ALERTS_PER_UNIT",
    Value("3"),
    "back-in-stock alerts per unit restocked: a restock of 2 alerts the first 6 subscribers, in \
     the order they asked; the rest wait for the next restock. At least 1",
);
pub const API_RATE_LIMIT: Variable = var(
    "CHATOUT_API_RATE_LIMIT",
    Value("600"),
    "[integration API](integration.md#integration-api) requests per minute per token (`429` with `Retry-After` \
     beyond); `0` turns it off",
);
pub const MOLLIE_API_KEY: Variable = var(
    "MOLLIE_API_KEY",
    Absent("unset"),
    "a Mollie API key (`live_…`, `test_…`): turns on [payment links](payments.md) through \
     Mollie; needs `CHATOUT_PUBLIC_URL`",
);
pub const MOLLIE_API_BASE: Variable = var(
    "MOLLIE_API_BASE",
    Value("https://api.mollie.com/v2"),
    "Mollie's API base (tests point it at a local fake)",
);
pub const STRIPE_SECRET_KEY: Variable = var(
    "STRIPE_SECRET_KEY",
    Absent("unset"),
    "a Stripe secret key (`sk_…`): turns on payment links through Stripe Checkout; needs \
     `STRIPE_WEBHOOK_SECRET` and `CHATOUT_PUBLIC_URL`",
);
pub const STRIPE_WEBHOOK_SECRET: Variable = var(
    "STRIPE_WEBHOOK_SECRET",
    Absent("unset"),
    "the signing secret (`whsec_…`) of the endpoint `https://your-server/webhooks/stripe` in \
     Stripe's dashboard; setting only one of the two is an error naming the other",
);
pub const STRIPE_API_BASE: Variable = var(
    "STRIPE_API_BASE",
    Value("https://api.stripe.com/v1"),
    "Stripe's API base (tests point it at a local fake)",
);
pub const RUST_LOG: Variable = var(
    "RUST_LOG",
    Value("chatout_server=info"),
    "what the server logs, as a `tracing` filter (`chatout_server=debug,tower_http=debug` for \
     every request)",
);

/// Every variable, in the order the docs list them.
pub const ALL: &[Variable] = &[
    ADDR,
    DATABASE_URL,
    CATALOG,
    ALLOWED_ORIGINS,
    ORDER_TTL,
    ADMIN_PASSWORD,
    RATE_LIMIT,
    TRUSTED_PROXIES,
    PUBLIC_URL,
    STOCK_HOLD,
    HOLD_LIMIT,
    HEADER_TIMEOUT,
    BODY_TIMEOUT,
    MAX_CONNECTIONS,
    MAX_CONNECTIONS_PER_CLIENT,
    WIDGET_DIR,
    WHATSAPP_PHONE_NUMBER_ID,
    WHATSAPP_TOKEN,
    WHATSAPP_APP_SECRET,
    WHATSAPP_VERIFY_TOKEN,
    WHATSAPP_API_BASE,
    WHATSAPP_TEMPLATES,
    WHATSAPP_WABA_ID,
    TIME_ZONE,
    WEBHOOK_URLS,
    WEBHOOK_SECRET,
    OPT_IN_PENDING,
    MARKETING_CAP,
    ALERTS_PER_UNIT,
    API_RATE_LIMIT,
    MOLLIE_API_KEY,
    MOLLIE_API_BASE,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    STRIPE_API_BASE,
    RUST_LOG,
];

/// The docs' environment table: one row per variable of [`ALL`].
pub fn markdown_table() -> String {
    let mut table = String::from("| variable | default | meaning |\n|---|---|---|\n");
    for variable in ALL {
        let fallback = match variable.fallback {
            Value(value) => format!("`{value}`"),
            Absent(words) => words.to_string(),
        };
        table.push_str(&format!(
            "| `{}` | {fallback} | {} |\n",
            variable.name, variable.meaning
        ));
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A variable declared here but left out of [`ALL`] would be read but never documented.
    #[test]
    fn every_declared_variable_is_listed_once() {
        let source = include_str!("variables.rs");
        let declared = source
            .lines()
            .filter(|line| line.starts_with("pub const ") && line.ends_with(": Variable = var("))
            .count();
        assert_eq!(
            declared,
            ALL.len(),
            "a `pub const … : Variable` is missing from ALL"
        );
        let mut names: Vec<&str> = ALL.iter().map(|v| v.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ALL.len(), "a name is listed twice");
    }

    /// The docs are where operators look variables up: `docs/environment.md` must hold this
    /// table exactly. `UPDATE_DOCS=1 cargo test -p chatout-server --lib settings` rewrites it.
    #[test]
    fn the_docs_list_every_variable_as_declared() {
        const START: &str =
            "<!-- environment table: generated from crates/server/src/settings/variables.rs -->\n";
        const END: &str = "<!-- end of environment table -->";
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/environment.md");
        let docs = std::fs::read_to_string(&path).expect("docs/environment.md exists");
        let (Some(start), Some(end)) = (docs.find(START), docs.find(END)) else {
            panic!("docs/environment.md lacks the markers around its table: {START}{END}");
        };
        let written = &docs[start + START.len()..end];
        let table = markdown_table();
        if written != table && std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{START}{table}{}", &docs[..start], &docs[end..]);
            std::fs::write(&path, updated).expect("docs/environment.md is writable");
            return;
        }
        assert_eq!(
            written, table,
            "docs/environment.md is not the settings table; run with UPDATE_DOCS=1"
        );
    }
}
