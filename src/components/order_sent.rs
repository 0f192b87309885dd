use crate::browser;
use crate::state::{SentOrder, ShopContext};
use chatout_core::fill;
use leptos::prelude::*;

/// After the hand-off: the reference, the message to copy, and a link to open WhatsApp again.
#[component]
pub fn OrderSent(
    /// The order that was handed to WhatsApp.
    order: SentOrder,
    /// "Done": the panel closes.
    on_done: Callback<()>,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let labels = shop.labels.clone();
    let copied = RwSignal::new(false);
    let text = order.full_text.clone();
    let copy = move |_| {
        let text = text.clone();
        leptos::task::spawn_local(async move {
            copied.set(browser::copy_text(&text).await);
        });
    };
    let (copy_label, copied_label) = (labels.copy_message.clone(), labels.copied.clone());
    // On a computer: a QR code of the link, to carry on on the phone. Its encoder is imported
    // now, so it appears a moment after the rest; without it the step still works.
    let qr = RwSignal::new(None::<String>);
    if !browser::is_mobile() {
        let url = order.url.clone();
        leptos::task::spawn_local(async move {
            match crate::qr::svg(&url).await {
                Ok(svg) => {
                    // The panel may have closed meanwhile.
                    qr.try_set(Some(svg));
                }
                Err(e) => browser::console_warn(&format!("no QR code for the order link: {e}")),
            }
        });
    }
    let qr_hint = labels.qr_hint.clone();
    view! {
        <div class="chatout-sent">
            <h3 data-testid="reference">{fill(&labels.sent_title, &[("reference", &order.reference)])}</h3>
            <p>{labels.sent_body.clone()}</p>
            {order.compact.then(|| view! { <p class="chatout-hint">{labels.sent_compact.clone()}</p> })}
            <textarea class="chatout-message" readonly rows="6" aria-label=labels.copy_message.clone()>
                {order.full_text.clone()}
            </textarea>
            {move || qr.get().map(|svg| view! {
                <figure class="chatout-qr">
                    <div inner_html=svg role="img" aria-label=qr_hint.clone()></div>
                    <figcaption class="chatout-hint">{qr_hint.clone()}</figcaption>
                </figure>
            })}
            <div class="chatout-actions">
                <button type="button" class="chatout-secondary" on:click=copy>
                    {move || if copied.get() { copied_label.clone() } else { copy_label.clone() }}
                </button>
                <a class="chatout-secondary" href=order.url.clone() target="_blank" rel="noopener">
                    {labels.open_again.clone()}
                </a>
            </div>
            <button type="button" class="chatout-primary" on:click=move |_| on_done.run(())>
                {labels.done.clone()}
            </button>
        </div>
    }
}
