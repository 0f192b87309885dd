use crate::components::choice_group::ChoiceGroup;
use crate::components::text_field::{TextField, TextKind};
use crate::config::Config;
use crate::state::ShopContext;
use chatout_core::{CheckoutInput, DeliveryMethod, Field, FieldError, FieldProblem, Labels};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

/// Sends the form as typed with the opt-ins `(updates, offers)`: the field problems, or
/// whether the order was handed to WhatsApp.
pub type SendOrder = Callback<(CheckoutInput, (bool, bool)), Result<bool, Vec<FieldError>>>;

/// What the checkout form holds while the shopper fills it in.
#[derive(Clone, Copy)]
pub struct UseCheckoutForm {
    name: RwSignal<String>,
    phone: RwSignal<String>,
    email: RwSignal<String>,
    address: RwSignal<String>,
    note: RwSignal<String>,
    delivery: RwSignal<String>,
    payment: RwSignal<String>,
    /// The opt-in to order updates: unticked until the shopper ticks it.
    updates: RwSignal<bool>,
    /// The separate opt-in to offers and news: unticked too, and never implied by the other.
    offers: RwSignal<bool>,
    /// The problems of the last attempt to send, all at once.
    errors: RwSignal<Vec<FieldError>>,
}

impl UseCheckoutForm {
    /// The form as typed, for `chatout-core` to validate.
    fn input(&self) -> CheckoutInput {
        CheckoutInput {
            name: self.name.get_untracked(),
            phone: self.phone.get_untracked(),
            email: self.email.get_untracked(),
            delivery: self.delivery.get_untracked(),
            address: self.address.get_untracked(),
            payment: self.payment.get_untracked(),
            note: self.note.get_untracked(),
        }
    }
}

/// The checkout form's state for `shop`: the first delivery method chosen, and the payment
/// preference only when there is one (several must be chosen on purpose).
pub fn use_checkout_form(shop: &Config) -> UseCheckoutForm {
    let text = || RwSignal::new(String::new());
    let first_delivery = shop
        .deliveries
        .first()
        .map_or("shipping", DeliveryMethod::id);
    let only_payment = (shop.payments.len() == 1).then(|| shop.payments[0].id().to_string());
    UseCheckoutForm {
        name: text(),
        phone: text(),
        email: text(),
        address: text(),
        note: text(),
        delivery: RwSignal::new(first_delivery.to_string()),
        payment: RwSignal::new(only_payment.unwrap_or_default()),
        updates: RwSignal::new(false),
        offers: RwSignal::new(false),
        errors: RwSignal::new(Vec::new()),
    }
}

/// The checkout form: name, delivery and address, payment preference, optional phone, email
/// and note, and two unticked opt-ins: order updates, and offers and news. Errors show
/// inline, all at once.
#[component]
pub fn CheckoutForm(
    /// True while the order is being registered: the send button waits.
    #[prop(into)]
    sending: Signal<bool>,
    /// Sends the form as typed with the two opt-ins: the field problems, or whether the
    /// order was handed to WhatsApp.
    on_send: SendOrder,
    /// Back to the cart.
    on_back: Callback<()>,
    /// What follows the send button (why the last attempt did not go through).
    children: Children,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let labels = shop.labels.clone();
    let form = use_checkout_form(&shop);
    let [name_error, address_error, phone_error, email_error, note_error, delivery_error, payment_error] =
        field_errors(&labels, form.errors);
    let deliveries = delivery_choices(&shop);
    let single_delivery = deliveries.len() == 1;
    let payments = payment_choices(&shop);
    let (sending_label, send_label) = (labels.sending.clone(), labels.send_order.clone());
    let address_label = labels.field_address.clone();
    let card_hint = labels.no_card_in_chat.clone();
    let UseCheckoutForm {
        name,
        phone,
        email,
        address,
        note,
        delivery,
        payment,
        ..
    } = form;
    view! {
        <form class="chatout-form" novalidate on:submit=submit_handler(form, sending, on_send)>
            <button type="button" class="chatout-link" on:click=move |_| on_back.run(())>
                "← " {labels.back.clone()}
            </button>
            <TextField id="chatout-name" name="name" label=labels.field_name.clone()
                kind=TextKind::Line("text") autocomplete="name" maxlength=100 value=name
                error=name_error/>
            <ChoiceGroup name="chatout-delivery" legend=labels.field_delivery.clone()
                options=deliveries selected=delivery error=delivery_error hidden=single_delivery/>
            <Show when=move || delivery.get() == "shipping">
                <TextField id="chatout-address" name="address" label=address_label.clone()
                    kind=TextKind::Lines(2) autocomplete="street-address" maxlength=300
                    value=address error=address_error/>
            </Show>
            <ChoiceGroup name="chatout-payment" legend=labels.field_payment.clone()
                options=payments selected=payment error=payment_error>
                <p class="chatout-hint">{card_hint}</p>
            </ChoiceGroup>
            <TextField id="chatout-phone" name="phone" label=labels.field_phone.clone()
                kind=TextKind::Line("tel") autocomplete="tel" maxlength=30 value=phone
                error=phone_error/>
            <TextField id="chatout-email" name="email" label=labels.field_email.clone()
                kind=TextKind::Line("email") autocomplete="email" maxlength=254 value=email
                error=email_error/>
            <TextField id="chatout-note" name="note" label=labels.field_note.clone()
                kind=TextKind::Lines(2) maxlength=500 value=note error=note_error/>
            {opt_ins(&labels, form)}
            <button type="submit" class="chatout-primary chatout-send"
                disabled=sending aria-busy=move || sending.get().to_string()>
                {move || if sending.get() { sending_label.clone() } else { send_label.clone() }}
            </button>
            {children()}
        </form>
    }
}

/// The errors shown under name, address, phone, email, note, delivery and payment.
fn field_errors(
    labels: &Arc<Labels>,
    errors: RwSignal<Vec<FieldError>>,
) -> [Signal<Option<String>>; 7] {
    [
        Field::Name,
        Field::Address,
        Field::Phone,
        Field::Email,
        Field::Note,
        Field::Delivery,
        Field::Payment,
    ]
    .map(|field| error_for(labels, errors, field))
}

/// The error shown under `field`, in the shop's language.
fn error_for(
    labels: &Arc<Labels>,
    errors: RwSignal<Vec<FieldError>>,
    field: Field,
) -> Signal<Option<String>> {
    let labels = labels.clone();
    Signal::derive(move || {
        errors.with(|all| {
            all.iter()
                .find(|e| e.field == field)
                .map(|e| problem_text(&labels, e))
        })
    })
}

/// `(id, label)` of each delivery method the shop offers.
fn delivery_choices(shop: &Config) -> Vec<(String, String)> {
    let labels = &shop.labels;
    shop.deliveries
        .iter()
        .map(|method| {
            let label = match method {
                DeliveryMethod::Shipping => &labels.delivery_shipping,
                DeliveryMethod::Pickup => &labels.delivery_pickup,
            };
            (method.id().to_string(), label.clone())
        })
        .collect()
}

/// `(id, label)` of each payment preference the shop offers.
fn payment_choices(shop: &Config) -> Vec<(String, String)> {
    shop.payments
        .iter()
        .map(|p| {
            (
                p.id().to_string(),
                shop.labels.payment_label(p.id()).to_string(),
            )
        })
        .collect()
}

/// Sends the form once: double clicks and repeated Enter send one order.
fn submit_handler(
    form: UseCheckoutForm,
    sending: Signal<bool>,
    on_send: SendOrder,
) -> impl FnMut(leptos::ev::SubmitEvent) + 'static {
    let busy = Rc::new(Cell::new(false));
    move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if sending.get_untracked() || busy.replace(true) {
            return;
        }
        let opt_ins = (form.updates.get_untracked(), form.offers.get_untracked());
        match on_send.run((form.input(), opt_ins)) {
            Ok(handed_off) => busy.set(handed_off),
            Err(problems) => {
                form.errors.set(problems);
                busy.set(false);
            }
        }
    }
}

/// The two unticked opt-ins: order updates, and offers and news.
fn opt_ins(labels: &Labels, form: UseCheckoutForm) -> impl IntoView {
    let (updates, offers) = (form.updates, form.offers);
    view! {
        <label class="chatout-option chatout-consent">
            <input type="checkbox" name="whatsapp_updates"
                prop:checked=move || updates.get()
                on:change=move |ev| updates.set(event_target_checked(&ev))/>
            {labels.consent_checkbox.clone()}
        </label>
        <label class="chatout-option chatout-consent">
            <input type="checkbox" name="marketing"
                prop:checked=move || offers.get()
                on:change=move |ev| offers.set(event_target_checked(&ev))/>
            {labels.marketing_checkbox.clone()}
        </label>
    }
}

/// The shopper-facing text of a field problem, in the shop's language.
fn problem_text(labels: &Labels, error: &FieldError) -> String {
    match (error.field, error.problem) {
        // A radio group is chosen, not filled in.
        (Field::Payment | Field::Delivery, _) => labels.error_not_offered.clone(),
        (_, FieldProblem::Required) => labels.error_required.clone(),
        (_, FieldProblem::TooLong) => labels.error_too_long.clone(),
        (Field::Phone, _) => labels.error_phone.clone(),
        (Field::Email, _) => labels.error_email.clone(),
        _ => labels.error_not_offered.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RawConfig;

    fn shop(payment: &str, delivery: &str) -> Config {
        let attributes = [
            ("phone", "+31 6 1234 5678"),
            ("shop", "Demo Shop"),
            ("payment", payment),
            ("delivery", delivery),
        ];
        Config::try_from(RawConfig {
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..RawConfig::default()
        })
        .unwrap()
    }

    #[test]
    fn a_single_payment_is_chosen_for_the_shopper_and_several_are_not() {
        let owner = Owner::new();
        owner.set();
        let form = use_checkout_form(&shop("bank_transfer", "pickup shipping"));
        let input = form.input();
        assert_eq!(
            (input.payment.as_str(), input.delivery.as_str()),
            ("bank_transfer", "pickup")
        );
        assert!(!form.updates.get_untracked(), "the opt-in starts unticked");
        assert!(!form.offers.get_untracked(), "so does the one to offers");
        let form = use_checkout_form(&shop("bank_transfer cash_on_delivery", "shipping"));
        assert_eq!(form.input().payment, "");
        form.name.set("Anna".into());
        assert_eq!(form.input().name, "Anna");
    }
}
