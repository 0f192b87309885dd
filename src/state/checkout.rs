//! Sending the order: validated by `chatout-core`, registered with the shop's server in
//! endpoint mode (retries with the same key, the fallback), then handed to WhatsApp.

use super::*;

impl Store {
    /// Validates the form, writes the order message, lets the host page cancel
    /// (`chatout:checkout`), opens WhatsApp, then clears the cart and shows the reference.
    pub fn checkout(
        &self,
        config: &Config,
        input: &CheckoutInput,
        (wants_updates, wants_offers): (bool, bool),
    ) -> Result<(), Vec<FieldError>> {
        let details = input.validate(&config.rules())?;
        let reference = OrderReference::from_random_bytes(browser::random_bytes());
        let consent = wants_updates.then(|| Consent {
            text: config.labels.consent_checkbox.clone(),
            at: browser::now_rfc3339(),
        });
        let offers = wants_offers.then(|| Consent {
            text: config.labels.marketing_checkbox.clone(),
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
        detail.consent = WireConsent::of(
            order.consent.as_ref(),
            &config.labels.consent_checkbox,
            offers.as_ref(),
        );
        let body = crate::json::to_string(&detail.to_json());
        detail.message = Some(message.text.clone());
        detail.whatsapp_url = Some(message.url.clone());
        if !events::dispatch("chatout:checkout", &detail.to_json(), true) {
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
            &events::sent(&order.reference, &order.url),
            false,
        );
        self.analytics_of_cart("generate_lead", Some(&order.reference));
        // Cleared only now: the order has been handed to WhatsApp.
        self.cart.update(Cart::clear);
        self.view.set(View::Sent(order));
    }
}
