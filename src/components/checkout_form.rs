use crate::components::form_field::FormField;
use crate::components::submit_problem::SubmitProblem;
use crate::state::{ShopContext, Store, Submit, View};
use chatout_core::{CheckoutInput, DeliveryMethod, Field, FieldError, FieldProblem, Labels};
use leptos::prelude::*;
use std::cell::Cell;
use std::rc::Rc;

/// The checkout form: name, delivery and address, payment preference, optional phone, email
/// and note, and an unchecked opt-in for order updates. Errors show inline, all at once.
#[component]
pub fn CheckoutForm() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    let labels = shop.labels.clone();

    let text = || RwSignal::new(String::new());
    let (name, phone, email, address, note) = (text(), text(), text(), text(), text());
    let first_delivery = shop
        .deliveries
        .first()
        .map_or("shipping", DeliveryMethod::id);
    let delivery = RwSignal::new(first_delivery.to_string());
    // One payment option needs no choice; several must be chosen on purpose.
    let only_payment = (shop.payments.len() == 1).then(|| shop.payments[0].id().to_string());
    let payment = RwSignal::new(only_payment.unwrap_or_default());
    let updates = RwSignal::new(false);
    let errors = RwSignal::new(Vec::<FieldError>::new());

    let error_for = {
        let labels = labels.clone();
        move |field: Field| {
            let labels = labels.clone();
            Signal::derive(move || {
                errors.with(|all| {
                    all.iter()
                        .find(|e| e.field == field)
                        .map(|e| problem_text(&labels, e))
                })
            })
        }
    };
    let invalid = move |field: Field| {
        move || {
            errors
                .with(|all| all.iter().any(|e| e.field == field))
                .to_string()
        }
    };

    let busy = Rc::new(Cell::new(false));
    let submit_shop = shop.clone();
    let on_submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        // Double clicks and repeated Enter send one order.
        if store.submit.get_untracked() == Submit::Sending || busy.replace(true) {
            return;
        }
        let input = CheckoutInput {
            name: name.get_untracked(),
            phone: phone.get_untracked(),
            email: email.get_untracked(),
            delivery: delivery.get_untracked(),
            address: address.get_untracked(),
            payment: payment.get_untracked(),
            note: note.get_untracked(),
        };
        match store.checkout(&submit_shop, &input, updates.get_untracked()) {
            Ok(()) => busy.set(store.view.with_untracked(|v| matches!(v, View::Sent(_)))),
            Err(problems) => {
                errors.set(problems);
                busy.set(false);
            }
        }
    };

    let bind = |signal: RwSignal<String>| {
        (
            move || signal.get(),
            move |ev: leptos::ev::Event| signal.set(event_target_value(&ev)),
        )
    };
    let (name_value, name_input) = bind(name);
    let (phone_value, phone_input) = bind(phone);
    let (email_value, email_input) = bind(email);
    let (address_value, address_input) = bind(address);
    let (note_value, note_input) = bind(note);

    let address_label = labels.field_address.clone();
    let deliveries = shop.deliveries.clone();
    let delivery_label = {
        let labels = labels.clone();
        move |method: DeliveryMethod| match method {
            DeliveryMethod::Shipping => labels.delivery_shipping.clone(),
            DeliveryMethod::Pickup => labels.delivery_pickup.clone(),
        }
    };
    let payments: Vec<(String, String)> = shop
        .payments
        .iter()
        .map(|p| (p.id().to_string(), labels.payment_label(p.id()).to_string()))
        .collect();
    let [name_error, address_error, phone_error, email_error, note_error, delivery_error, payment_error] =
        [
            Field::Name,
            Field::Address,
            Field::Phone,
            Field::Email,
            Field::Note,
            Field::Delivery,
            Field::Payment,
        ]
        .map(error_for);

    let sending = move || store.submit.with(|s| *s == Submit::Sending);
    let (sending_label, send_label) = (labels.sending.clone(), labels.send_order.clone());
    view! {
        <form class="chatout-form" novalidate on:submit=on_submit>
            <button type="button" class="chatout-link" on:click=move |_| store.view.set(View::Cart)>
                "← " {labels.back.clone()}
            </button>
            <FormField id="chatout-name" label=labels.field_name.clone() error=name_error>
                <input id="chatout-name" name="name" type="text" autocomplete="name" maxlength="100"
                    aria-invalid=invalid(Field::Name) aria-describedby="chatout-name-error"
                    prop:value=name_value on:input=name_input/>
            </FormField>
            <fieldset class="chatout-choice" class:chatout-hidden=deliveries.len() == 1>
                <legend>{labels.field_delivery.clone()}</legend>
                {deliveries.iter().map(|method| {
                    let id = method.id();
                    view! {
                        <label class="chatout-option">
                            <input type="radio" name="chatout-delivery" value=id
                                prop:checked=move || delivery.get() == id
                                on:change=move |_| delivery.set(id.to_string())/>
                            {delivery_label(*method)}
                        </label>
                    }
                }).collect_view()}
                <Show when=move || delivery_error.with(Option::is_some)>
                    <p class="chatout-error" role="alert">{move || delivery_error.get()}</p>
                </Show>
            </fieldset>
            <Show when=move || delivery.get() == "shipping">
                <FormField id="chatout-address" label=address_label.clone() error=address_error>
                    <textarea id="chatout-address" name="address" rows="2" autocomplete="street-address"
                        maxlength="300" aria-invalid=invalid(Field::Address)
                        aria-describedby="chatout-address-error"
                        prop:value=address_value on:input=address_input></textarea>
                </FormField>
            </Show>
            <fieldset class="chatout-choice">
                <legend>{labels.field_payment.clone()}</legend>
                {payments.into_iter().map(|(id, label)| {
                    let checked_id = id.clone();
                    view! {
                        <label class="chatout-option">
                            <input type="radio" name="chatout-payment" value=id.clone()
                                prop:checked=move || payment.get() == checked_id
                                on:change=move |_| payment.set(id.clone())/>
                            {label}
                        </label>
                    }
                }).collect_view()}
                <Show when=move || payment_error.with(Option::is_some)>
                    <p class="chatout-error" role="alert">{move || payment_error.get()}</p>
                </Show>
                <p class="chatout-hint">{labels.no_card_in_chat.clone()}</p>
            </fieldset>
            <FormField id="chatout-phone" label=labels.field_phone.clone() error=phone_error>
                <input id="chatout-phone" name="phone" type="tel" autocomplete="tel" maxlength="30"
                    aria-invalid=invalid(Field::Phone) aria-describedby="chatout-phone-error"
                    prop:value=phone_value on:input=phone_input/>
            </FormField>
            <FormField id="chatout-email" label=labels.field_email.clone() error=email_error>
                <input id="chatout-email" name="email" type="email" autocomplete="email" maxlength="254"
                    aria-invalid=invalid(Field::Email) aria-describedby="chatout-email-error"
                    prop:value=email_value on:input=email_input/>
            </FormField>
            <FormField id="chatout-note" label=labels.field_note.clone() error=note_error>
                <textarea id="chatout-note" name="note" rows="2" maxlength="500"
                    aria-invalid=invalid(Field::Note) aria-describedby="chatout-note-error"
                    prop:value=note_value on:input=note_input></textarea>
            </FormField>
            <label class="chatout-option chatout-consent">
                <input type="checkbox" name="whatsapp_updates"
                    prop:checked=move || updates.get()
                    on:change=move |ev| updates.set(event_target_checked(&ev))/>
                {labels.consent_checkbox.clone()}
            </label>
            <button type="submit" class="chatout-primary chatout-send"
                disabled=sending aria-busy=move || sending().to_string()>
                {move || if sending() { sending_label.clone() } else { send_label.clone() }}
            </button>
            <SubmitProblem/>
        </form>
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
