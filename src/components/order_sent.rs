use crate::browser;
use crate::state::{SentOrder, ShopContext, Store};
use chatout_core::fill;
use leptos::prelude::*;

/// After the hand-off: the reference, the message to copy, and a link to open WhatsApp again.
#[component]
pub fn OrderSent(
    /// The order that was handed to WhatsApp.
    order: SentOrder,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
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
    view! {
        <div class="chatout-sent">
            <h3 data-testid="reference">{fill(&labels.sent_title, &[("reference", &order.reference)])}</h3>
            <p>{labels.sent_body.clone()}</p>
            {order.compact.then(|| view! { <p class="chatout-hint">{labels.sent_compact.clone()}</p> })}
            <textarea class="chatout-message" readonly rows="6" aria-label=labels.copy_message.clone()>
                {order.full_text.clone()}
            </textarea>
            {(!browser::is_mobile()).then(|| qr_code(&order.url)).flatten().map(|svg| view! {
                <figure class="chatout-qr">
                    <div inner_html=svg role="img" aria-label=labels.qr_hint.clone()></div>
                    <figcaption class="chatout-hint">{labels.qr_hint.clone()}</figcaption>
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
            <button type="button" class="chatout-primary" on:click=move |_| store.close()>
                {labels.done.clone()}
            </button>
        </div>
    }
}

/// The wa.me link as an SVG QR code, so a shopper on a computer can carry on on the phone.
/// Error correction L keeps long order links scannable; None if the link is too long to encode.
fn qr_code(url: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::L).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Only the <svg> element: the XML declaration means nothing inside HTML.
    Some(svg.get(svg.find("<svg")?..)?.to_string())
}
