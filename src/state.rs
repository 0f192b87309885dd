//! The widget's state, shared through context: the shop's config and the shopper's store.

use crate::api::{self, Reply};
use crate::browser::{self, console_error, console_warn};
use crate::config::Config;
use crate::embed::{analytics, events};
use crate::storage;
use chatout_core::{
    fill, order_message, readdress, whatsapp_url, Cart, CartError, CheckoutInput, ConflictReason,
    Consent, FieldError, LineId, LineItem, NewItem, Order, OrderReference, PendingOrder,
    PhoneNumber, URL_BUDGET,
};
use leptos::prelude::*;
use std::sync::Arc;

/// The validated configuration, in context.
#[derive(Clone)]
pub struct ShopContext(pub Arc<Config>);

/// An order that was handed to WhatsApp, kept so the shopper can copy or resend it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentOrder {
    /// The order reference.
    pub reference: String,
    /// The full message text.
    pub full_text: String,
    /// The link that was opened.
    pub url: String,
    /// True when the link carries the compact message.
    pub compact: bool,
}

/// What the panel shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Only the floating button.
    Closed,
    /// The cart lines.
    Cart,
    /// The checkout form.
    Checkout,
    /// The order was handed to WhatsApp.
    Sent(SentOrder),
}

/// Where a checkout stands with the shop's server (endpoint mode).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submit {
    /// Nothing in flight.
    Idle,
    /// The order is being registered; the send button waits.
    Sending,
    /// It did not go through: the shopper's explanation, and whether trying the same order
    /// again (same key) or sending it unregistered makes sense.
    Problem {
        /// What to tell the shopper.
        text: String,
        /// The same request may be sent again.
        retry: bool,
        /// The shop allows sending without registering, and this problem permits it.
        fallback: bool,
    },
}

/// One checkout's request, kept so "try again" repeats it exactly (same key, same body) and
/// "send without registering" can use the locally written message.
#[derive(Debug, Clone)]
pub struct Attempt {
    key: String,
    body: String,
    local: SentOrder,
    /// The agent the order is routed to, if not the shop's own number.
    agent: Option<PhoneNumber>,
}

/// The shopper's store: cart, panel view and the announcement for screen readers.
#[derive(Clone, Copy)]
pub struct Store {
    /// The cart, persisted by storage.rs.
    pub cart: RwSignal<Cart>,
    /// What the panel shows.
    pub view: RwSignal<View>,
    /// Last announcement (added, removed, errors), read out by an aria-live region.
    pub notice: RwSignal<String>,
    /// False when the cart cannot be saved in this browser.
    pub storage_ok: ReadSignal<bool>,
    /// Endpoint mode: the checkout's standing with the shop's server.
    pub submit: RwSignal<Submit>,
    /// Endpoint mode: the request of the checkout in progress.
    pub attempt: StoredValue<Option<Attempt>, LocalStorage>,
    /// The floating button, where focus returns when the panel closes.
    pub launcher: NodeRef<leptos::html::Button>,
    /// GA4 ecommerce events go to `window.dataLayer` (the shop set `analytics: ga4`).
    pub ga4: bool,
}

impl Store {
    /// Adds an item, opens the panel and tells the host page (`chatout:add`). Returns the
    /// line it went to.
    pub fn add(&self, config: &Config, item: NewItem) -> Result<LineId, CartError> {
        let name = item.name.as_str().to_string();
        let max = item.max_quantity;
        let count_before = self.cart.with_untracked(Cart::item_count);
        let added = self
            .cart
            .try_update(|cart| cart.add(item))
            .unwrap_or(Err(CartError::Full(0)))?;
        let line = self
            .cart
            .with_untracked(|c| c.lines().iter().find(|l| l.id == added.line).cloned());
        if let Some(line) = line {
            events::dispatch("chatout:add", &events::LineDetail::from(&line), false);
            let count = self.cart.with_untracked(Cart::item_count);
            self.analytics(
                "add_to_cart",
                &[(&line, count.saturating_sub(count_before))],
            );
        }
        let notice = if added.capped {
            fill(
                &config.labels.error_quantity_capped,
                &[("max", &max.to_string())],
            )
        } else {
            format!("{name} ✓")
        };
        self.notice.set(notice);
        self.open();
        Ok(added.line)
    }

    /// Sets a line's quantity (0 removes it).
    pub fn set_quantity(&self, line: &LineId, quantity: i64) -> Result<(), CartError> {
        if quantity == 0 {
            return self.remove(line);
        }
        self.cart
            .try_update(|c| c.set_quantity(line, quantity))
            .unwrap_or(Err(CartError::UnknownLine(line.as_str().to_string())))
    }

    /// Removes a line and tells the host page (`chatout:remove`).
    pub fn remove(&self, line: &LineId) -> Result<(), CartError> {
        let removed = self
            .cart
            .with_untracked(|c| c.lines().iter().find(|l| &l.id == line).cloned())
            .ok_or_else(|| CartError::UnknownLine(line.as_str().to_string()))?;
        self.cart.update(|c| {
            c.remove(line);
        });
        events::dispatch("chatout:remove", &events::LineDetail::from(&removed), false);
        self.analytics("remove_from_cart", &[(&removed, removed.quantity.get())]);
        self.notice.set(format!("{} ✕", removed.name.as_str()));
        Ok(())
    }

    /// Empties the cart: one `chatout:remove` per line, so listeners stay in step.
    pub fn clear(&self) {
        let ids: Vec<LineId> = self
            .cart
            .with_untracked(|c| c.lines().iter().map(|l| l.id.clone()).collect());
        for id in ids {
            let _ = self.remove(&id);
        }
    }

    /// Opens the panel on the cart (`chatout:open`).
    pub fn open(&self) {
        if self.view.get_untracked() == View::Closed {
            events::dispatch("chatout:open", &events::Empty {}, false);
            self.analytics_of_cart("view_cart", None);
        }
        if !matches!(self.view.get_untracked(), View::Checkout) {
            self.view.set(View::Cart);
        }
    }

    /// Shows the checkout form.
    pub fn begin_checkout(&self) {
        self.view.set(View::Checkout);
        self.analytics_of_cart("begin_checkout", None);
    }

    /// A GA4 event about some lines, when the shop asked for analytics.
    fn analytics(&self, event: &str, lines: &[(&LineItem, u32)]) {
        if self.ga4 {
            let currency = self.cart.with_untracked(Cart::currency);
            analytics::push(event, currency, lines, None);
        }
    }

    /// A GA4 event about the whole cart.
    fn analytics_of_cart(&self, event: &str, reference: Option<&str>) {
        if self.ga4 {
            self.cart.with_untracked(|cart| {
                let lines: Vec<_> = cart.lines().iter().map(|l| (l, l.quantity.get())).collect();
                analytics::push(event, cart.currency(), &lines, reference);
            });
        }
    }

    /// Closes the panel (`chatout:close`). Focus that was in the widget returns to the button;
    /// focus on the host page (say, a script called `Chatout.close()`) stays where it is.
    pub fn close(&self) {
        if self.view.get_untracked() != View::Closed {
            let refocus = browser::focus_is_in_widget();
            self.view.set(View::Closed);
            if let Some(launcher) = self.launcher.get_untracked().filter(|_| refocus) {
                let _ = launcher.focus();
            }
            events::dispatch("chatout:close", &events::Empty {}, false);
        }
    }

    /// Opens a plain WhatsApp chat with `message`, the shop's greeting, or a question about
    /// this page (Option 1).
    /// With several agents, the chat goes to the one for `category` (a `data-chatout-chat`
    /// link's `data-category`) or the shopper's own.
    pub fn chat(&self, config: &Config, message: Option<&str>, category: Option<&str>) {
        let (title, url) = browser::page_title_and_url();
        let text = match message.map(str::trim).filter(|m| !m.is_empty()) {
            Some(message) => message.to_string(),
            None => fill(
                config
                    .greeting
                    .as_deref()
                    .unwrap_or(&config.labels.greeting),
                &[("shop", &config.shop), ("title", &title), ("url", &url)],
            ),
        };
        let phone = config
            .agent_for_chat(category, storage::shopper_draw())
            .map_or(&config.phone, |agent| &agent.phone);
        browser::open_link(&whatsapp_url(phone, text.trim()));
    }
}

impl Store {
    /// Validates the form, writes the order message, lets the host page cancel
    /// (`chatout:checkout`), opens WhatsApp, then clears the cart and shows the reference.
    pub fn checkout(
        &self,
        config: &Config,
        input: &CheckoutInput,
        wants_updates: bool,
    ) -> Result<(), Vec<FieldError>> {
        let details = input.validate(&config.rules())?;
        let reference = OrderReference::from_random_bytes(browser::random_bytes());
        let consent = wants_updates.then(|| Consent {
            text: config.labels.consent_checkbox.clone(),
            at: browser::now_rfc3339(),
        });
        let order = self.cart.with_untracked(|cart| {
            Order::new(
                &config.shop,
                reference,
                cart,
                details,
                config.shipping_note.as_deref(),
                consent,
            )
        });
        let order = match order {
            Ok(order) => order,
            Err(e) => {
                console_error(&e.to_string());
                events::error("checkout_failed", &e.to_string());
                return Ok(());
            }
        };
        let agent = self
            .cart
            .with_untracked(|cart| config.agent_for_order(cart.lines(), storage::shopper_draw()))
            .map(|agent| agent.phone.clone());
        let phone = agent.as_ref().unwrap_or(&config.phone);
        let message = order_message(phone, &order, &config.labels, URL_BUDGET);
        let (_, page) = browser::page_title_and_url();
        let mut detail = PendingOrder::from_order(&order, &config.locale, &page);
        let body = crate::json::to_string(&detail).unwrap_or_default();
        detail.message = Some(message.text.clone());
        detail.whatsapp_url = Some(message.url.clone());
        if !events::dispatch("chatout:checkout", &detail, true) {
            return Ok(());
        }
        let local = SentOrder {
            reference: order.reference.as_str().to_string(),
            full_text: message.full_text,
            url: message.url,
            compact: message.compact,
        };
        match &config.endpoint {
            None => self.hand_off(local),
            Some(_) => {
                let key = browser::random_bytes()
                    .iter()
                    .chain(browser::random_bytes().iter())
                    .map(|b| format!("{b:02x}"))
                    .collect();
                self.attempt.set_value(Some(Attempt {
                    key,
                    body,
                    local,
                    agent,
                }));
                self.register(config);
            }
        }
        Ok(())
    }

    /// Endpoint mode: POSTs the current attempt (again, with the same key, on a retry).
    pub fn register(&self, config: &Config) {
        let (Some(endpoint), Some(attempt)) = (config.endpoint.clone(), self.attempt.get_value())
        else {
            return;
        };
        if self.submit.get_untracked() == Submit::Sending {
            return;
        }
        self.submit.set(Submit::Sending);
        let store = *self;
        let labels = config.labels.clone();
        let fallback = config.endpoint_fallback;
        leptos::task::spawn_local(async move {
            let reply = api::post_order(&endpoint, &attempt.key, &attempt.body).await;
            let problem = |text: &str, retry: bool, fallback: bool| Submit::Problem {
                text: text.to_string(),
                retry,
                fallback,
            };
            match reply {
                Reply::Registered(order) => {
                    store.submit.set(Submit::Idle);
                    store.attempt.set_value(None);
                    // The server writes the link for the shop's number; a routed order goes to
                    // its agent with the server's message unchanged.
                    let url = attempt
                        .agent
                        .as_ref()
                        .and_then(|phone| readdress(&order.whatsapp_url, phone))
                        .unwrap_or(order.whatsapp_url);
                    store.hand_off(SentOrder {
                        reference: order.reference,
                        full_text: order.message,
                        url,
                        compact: false,
                    });
                }
                Reply::Conflict { error, items } => {
                    // The cart changes, so the next send is a new request with a new key.
                    store.attempt.set_value(None);
                    store.cart.update(|cart| {
                        cart.apply_corrections(&items);
                    });
                    let text = match error {
                        ConflictReason::PriceChanged => &labels.error_price_changed,
                        ConflictReason::OutOfStock => &labels.error_out_of_stock,
                        ConflictReason::UnknownSku => &labels.error_unknown_sku,
                    };
                    events::error(error.as_str(), text);
                    store.submit.set(problem(text, false, false));
                    // Show the corrected cart before anything is sent again.
                    store.view.set(View::Cart);
                }
                Reply::Refused(reason) => {
                    console_error(&format!("the shop's server refused the order: {reason}"));
                    events::error("order_refused", &reason);
                    store
                        .submit
                        .set(problem(&labels.error_unavailable, false, fallback));
                }
                Reply::Unavailable(reason) => {
                    console_warn(&format!("the shop's server is unreachable: {reason}"));
                    events::error("endpoint_unavailable", &reason);
                    store
                        .submit
                        .set(problem(&labels.error_unavailable, true, fallback));
                }
            }
        });
    }

    /// Sends the locally written message without registering it (only when the shop
    /// allows it and its server could not be reached).
    pub fn send_unregistered(&self) {
        if let Some(attempt) = self.attempt.get_value() {
            self.attempt.set_value(None);
            self.submit.set(Submit::Idle);
            self.hand_off(attempt.local);
        }
    }

    /// Opens WhatsApp with the order, tells the host page, clears the cart and shows the
    /// reference.
    fn hand_off(&self, order: SentOrder) {
        browser::open_link(&order.url);
        events::dispatch(
            "chatout:sent",
            &events::SentDetail {
                reference: &order.reference,
                url: &order.url,
            },
            false,
        );
        self.analytics_of_cart("generate_lead", Some(&order.reference));
        // Cleared only now: the order has been handed to WhatsApp.
        self.cart.update(Cart::clear);
        self.view.set(View::Sent(order));
    }
}
