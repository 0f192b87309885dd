use crate::api::{self, AlertReply};
use crate::browser;
use crate::components::text_field::{TextField, TextKind};
use crate::embed::events;
use crate::state::{NotifyProduct, ShopContext, Store, View};
use chatout_core::{fill, PhoneNumber};
use leptos::prelude::*;
use serde::Serialize;

/// The opt-in shown, as the server stores it.
#[derive(Serialize)]
struct OptIn<'a> {
    text: &'a str,
    at: String,
}

/// `POST /api/back-in-stock`'s body (CONTRACT.md section 10).
#[derive(Serialize)]
struct AlertBody<'a> {
    sku: &'a str,
    phone: String,
    locale: &'a str,
    consent: OptIn<'a>,
    page: String,
}

/// Where the request stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Filling in.
    Form,
    /// Sent to the shop's server.
    Sending,
    /// WhatsApp opened with the message that makes it count.
    Sent,
}

/// "Tell me when it's back": the shopper's WhatsApp number (read as the checkout reads it),
/// the unticked opt-in to offers and news (the server's marketing consent; required), then
/// WhatsApp opens with the message the server answered. Nothing is subscribed until that
/// message arrives from the number.
#[component]
pub fn NotifyForm(
    /// The sold-out product.
    product: NotifyProduct,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    let labels = shop.labels.clone();
    let phone = RwSignal::new(String::new());
    let agreed = RwSignal::new(false);
    let phone_error = RwSignal::new(None::<String>);
    let consent_error = RwSignal::new(None::<String>);
    let problem = RwSignal::new(None::<String>);
    let step = RwSignal::new(Step::Form);
    let on_submit = {
        let (shop, product) = (shop.clone(), product.clone());
        move |event: leptos::ev::SubmitEvent| {
            event.prevent_default();
            // Double clicks and repeated Enter send one request.
            if step.get_untracked() != Step::Form {
                return;
            }
            let labels = &shop.labels;
            let typed = phone.get_untracked();
            let number = PhoneNumber::parse(typed.trim(), shop.rules().default_country);
            phone_error.set(match (typed.trim().is_empty(), &number) {
                (true, _) => Some(labels.error_required.clone()),
                (false, Err(_)) => Some(labels.error_phone.clone()),
                (false, Ok(_)) => None,
            });
            let ticked = agreed.get_untracked();
            consent_error.set((!ticked).then(|| labels.error_consent.clone()));
            let (Ok(number), true, Some(endpoint)) = (number, ticked, shop.endpoint.as_deref())
            else {
                return;
            };
            let (_, page) = browser::page_title_and_url();
            let body = AlertBody {
                sku: &product.sku,
                phone: number.to_string(),
                locale: &shop.locale,
                consent: OptIn {
                    text: &labels.marketing_checkbox,
                    at: browser::now_rfc3339(),
                },
                page,
            };
            let body = crate::json::to_string(&body).unwrap_or_default();
            let url = api::sibling(endpoint, "back-in-stock");
            let labels = labels.clone();
            step.set(Step::Sending);
            problem.set(None);
            leptos::task::spawn_local(async move {
                match api::post_alert(&url, &body).await {
                    AlertReply::Subscribed(answer) => {
                        browser::open_link(&answer.whatsapp_url);
                        events::dispatch(
                            "chatout:notify",
                            &events::SentDetail {
                                reference: &answer.reference,
                                url: &answer.whatsapp_url,
                            },
                            false,
                        );
                        step.set(Step::Sent);
                    }
                    AlertReply::Refused(fields) => {
                        if fields.iter().any(|f| f == "phone") {
                            phone_error.set(Some(labels.error_phone.clone()));
                        } else {
                            problem.set(Some(labels.error_unavailable.clone()));
                        }
                        step.set(Step::Form);
                    }
                    AlertReply::Unavailable(reason) => {
                        browser::console_warn(&format!("back-in-stock request failed: {reason}"));
                        events::error("endpoint_unavailable", &reason);
                        problem.set(Some(labels.error_unavailable.clone()));
                        step.set(Step::Form);
                    }
                }
            });
        }
    };
    let intro = fill(&labels.notify_intro, &[("product", &product.name)]);
    let sent = fill(&labels.notify_sent, &[("product", &product.name)]);
    let sending = move || step.get() == Step::Sending;
    let (sending_label, send_label) = (labels.sending.clone(), labels.notify_send.clone());
    view! {
        <Show when=move || step.get() != Step::Sent fallback=move || view! {
            <div class="chatout-sent" data-testid="notify-sent">
                <p>{sent.clone()}</p>
                <button type="button" class="chatout-secondary"
                    on:click=move |_| store.view.set(View::Cart)>
                    {labels.done.clone()}
                </button>
            </div>
        }>
            <form class="chatout-form chatout-notify" novalidate on:submit=on_submit.clone()>
                <p class="chatout-intro">{intro.clone()}</p>
                <TextField id="chatout-notify-phone" name="phone"
                    label=shop.labels.field_phone.clone() kind=TextKind::Line("tel")
                    autocomplete="tel" maxlength=30 value=phone error=phone_error/>
                <div class="chatout-field" class:chatout-invalid=move || consent_error.with(Option::is_some)>
                    <label class="chatout-option chatout-consent">
                        <input type="checkbox" name="marketing"
                            aria-describedby="chatout-notify-consent-error"
                            prop:checked=move || agreed.get()
                            on:change=move |ev| agreed.set(event_target_checked(&ev))/>
                        {shop.labels.marketing_checkbox.clone()}
                    </label>
                    <Show when=move || consent_error.with(Option::is_some)>
                        <p class="chatout-error" id="chatout-notify-consent-error" role="alert">
                            {move || consent_error.get().unwrap_or_default()}
                        </p>
                    </Show>
                </div>
                <button type="submit" class="chatout-primary chatout-send"
                    disabled=sending aria-busy=move || sending().to_string()>
                    {
                        let (sending_label, send_label) = (sending_label.clone(), send_label.clone());
                        move || if sending() { sending_label.clone() } else { send_label.clone() }
                    }
                </button>
                {move || problem.get().map(|text| view! {
                    <div class="chatout-problem" role="alert" data-testid="notify-problem">
                        <p>{text}</p>
                    </div>
                })}
            </form>
        </Show>
    }
}
