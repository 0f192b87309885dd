//! English: the complete set every other language falls back to.

use super::Labels;
use crate::money_format::MoneyStyle;

pub(super) fn labels() -> Labels {
    let s = |text: &str| text.to_string();
    Labels {
        language: s("en"),
        money: MoneyStyle::for_language("en"),
        payment_methods: [
            ("bank_transfer", "Bank transfer"),
            ("cash_on_delivery", "Cash on delivery"),
            ("payment_link", "Payment link (sent in chat)"),
            ("card_on_pickup", "Card on pickup"),
            ("mobile_money", "Mobile money"),
        ]
        .into_iter()
        .map(|(id, label)| (s(id), s(label)))
        .collect(),

        order_heading: s("Order {reference} — {shop}"),
        items: s("Items"),
        subtotal: s("Subtotal"),
        shipping: s("Shipping"),
        shipping_default: s("Shipping costs are confirmed in chat"),
        delivery: s("Delivery"),
        delivery_shipping: s("Shipping to my address"),
        delivery_pickup: s("Pickup"),
        address: s("Address"),
        payment: s("Payment"),
        customer: s("Customer"),
        name: s("Name"),
        phone: s("Phone"),
        email: s("Email"),
        note: s("Note"),
        consent_given: s("I agree to receive order updates on WhatsApp."),
        compact_notice: s("(Short version: item options were left out to fit the link.)"),
        greeting: s("Hi {shop}, I have a question about {title} {url}"),

        chat_button: s("Chat with us on WhatsApp"),
        cart_button: s("Open cart, {count} items"),
        cart_title: s("Your order"),
        cart_empty: s("Your cart is empty."),
        close: s("Close"),
        ask_question: s("Ask a question"),
        remove: s("Remove"),
        increase: s("One more"),
        decrease: s("One less"),
        quantity: s("Quantity"),
        checkout: s("Checkout"),
        back: s("Back to cart"),
        field_name: s("Your name"),
        field_phone: s("WhatsApp number (optional)"),
        field_email: s("Email (optional)"),
        field_address: s("Delivery address"),
        field_note: s("Note (optional)"),
        field_delivery: s("Delivery"),
        field_payment: s("Payment"),
        consent_checkbox: s("Send me order updates on WhatsApp"),
        no_card_in_chat: s("We never ask for card details in chat."),
        send_order: s("Send order on WhatsApp"),
        sent_title: s("Order {reference}"),
        sent_body: s("WhatsApp should have opened with your order. Press send there to place it. If it did not open, copy the message and send it to us."),
        sent_compact: s("Your order was long, so the WhatsApp message is a short version. Copy the full message to paste it instead."),
        copy_message: s("Copy message"),
        copied: s("Copied"),
        open_again: s("Open WhatsApp again"),
        done: s("Done"),
        error_required: s("Please fill this in."),
        error_too_long: s("This is too long."),
        error_phone: s("Please enter a phone number with country code, like +31 6 1234 5678."),
        error_email: s("Please enter an email address like name@example.com."),
        error_not_offered: s("Please choose one of the options."),
        error_quantity_capped: s("You can order at most {max} of this item."),
        error_storage: s("Your cart could not be saved in this browser; it stays until you close the page."),
    }
}
