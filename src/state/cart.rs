//! The cart and the panel: adding, changing and removing lines, opening and closing, a plain
//! chat; each tells the host page and (with `analytics: ga4`) GA4.

use super::*;

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
            events::dispatch("chatout:add", &events::line(&line), false);
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
        events::dispatch("chatout:remove", &events::line(&removed), false);
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
            events::dispatch("chatout:open", &events::empty(), false);
            self.analytics_of_cart("view_cart", None);
        }
        if !matches!(self.view.get_untracked(), View::Checkout) {
            self.view.set(View::Cart);
        }
    }

    /// Shows the checkout form, clear of an earlier attempt's problem.
    pub fn begin_checkout(&self) {
        self.submit.set(Submit::Idle);
        self.view.set(View::Checkout);
        self.analytics_of_cart("begin_checkout", None);
    }

    /// A GA4 event about some lines, when the shop asked for analytics.
    pub(super) fn analytics(&self, event: &str, lines: &[(&LineItem, u32)]) {
        if self.ga4 {
            let currency = self.cart.with_untracked(Cart::currency);
            analytics::push(event, currency, lines, None);
        }
    }

    /// A GA4 event about the whole cart.
    pub(super) fn analytics_of_cart(&self, event: &str, reference: Option<&str>) {
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
            events::dispatch("chatout:close", &events::empty(), false);
        }
    }

    /// The floating button: closes an open panel, else opens the cart, or a plain chat when the
    /// cart is empty.
    pub fn press_launcher(&self, config: &Config) {
        if self.view.get_untracked() != View::Closed {
            self.close();
        } else if self.cart.with_untracked(Cart::item_count) == 0 {
            self.chat(config, None, None);
        } else {
            self.open();
        }
    }

    /// Opens a plain WhatsApp chat with `message`, the shop's greeting, or a question about
    /// this page (the chat button with a prefilled enquiry).
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
