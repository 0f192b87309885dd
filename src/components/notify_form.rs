use crate::components::text_field::{TextField, TextKind};
use crate::state::{request_alert, NotifyProduct, NotifyState, ShopContext};
use chatout_core::fill;
use leptos::prelude::*;

/// "Tell me when it's back": the shopper's WhatsApp number (read as the checkout reads it),
/// the unticked opt-in to offers and news (required), then WhatsApp opens with the message
/// the server answered (`state::request_alert`). Nothing is subscribed until that message
/// arrives from the number.
#[component]
pub fn NotifyForm(
    /// The sold-out product.
    product: NotifyProduct,
    /// "Done" after the request: back to the cart.
    on_done: Callback<()>,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let labels = &shop.labels;
    let phone = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let state = RwSignal::new(NotifyState::default());
    let phone_error = Signal::derive(move || state.with(|s| s.phone_error.clone()));
    let consent_error = move || state.with(|s| s.consent_error.clone());
    let on_submit = {
        let (shop, sku) = (shop.clone(), product.sku.clone());
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            let (typed, ticked) = (phone.get_untracked(), agreed.get_untracked());
            request_alert(&shop, &sku, &typed, ticked, state);
        }
    };
    let intro = fill(&labels.notify_intro, &[("product", &product.name)]);
    let sent_text = fill(&labels.notify_sent, &[("product", &product.name)]);
    let done = labels.done.clone();
    let sending = move || state.with(|s| s.sending);
    let (sending_label, send_label) = (labels.sending.clone(), labels.notify_send.clone());
    let form = view! {
        <form class="chatout-form chatout-notify" novalidate on:submit=on_submit>
            <p class="chatout-intro">{intro}</p>
            <TextField id="chatout-notify-phone" name="phone"
                label=labels.field_phone.clone() kind=TextKind::Line("tel")
                autocomplete="tel" maxlength=30 value=phone error=phone_error/>
            <label class="chatout-option chatout-consent">
                <input type="checkbox" name="marketing"
                    aria-describedby="chatout-notify-consent-error"
                    prop:checked=move || agreed.get()
                    on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                {labels.marketing_checkbox.clone()}
            </label>
            <p class="chatout-error" id="chatout-notify-consent-error" role="alert"
                hidden=move || consent_error().is_none()>
                {consent_error}
            </p>
            <button type="submit" class="chatout-primary chatout-send"
                disabled=sending aria-busy=move || sending().to_string()>
                {move || if sending() { sending_label.clone() } else { send_label.clone() }}
            </button>
            <p class="chatout-problem" role="alert" data-testid="notify-problem"
                hidden=move || state.with(|s| s.problem.is_none())>
                {move || state.with(|s| s.problem.clone())}
            </p>
        </form>
    };
    view! {
        <div hidden=move || state.with(|s| s.sent)>{form}</div>
        <div class="chatout-sent" data-testid="notify-sent" hidden=move || !state.with(|s| s.sent)>
            <p>{sent_text}</p>
            <button type="button" class="chatout-secondary"
                on:click=move |_| on_done.run(())>
                {done}
            </button>
        </div>
    }
}
