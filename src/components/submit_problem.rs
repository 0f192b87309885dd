use crate::state::{ShopContext, Store, Submit};
use leptos::prelude::*;

/// Endpoint mode: why the order did not go through, with "try again" (the same request) and,
/// when the shop allows it, "send without registering".
#[component]
pub fn SubmitProblem() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    let problem = move || match store.submit.get() {
        Submit::Problem {
            text,
            retry,
            fallback,
        } => Some((text, retry, fallback)),
        _ => None,
    };
    move || {
        let shop = shop.clone();
        problem().map(|(text, retry, fallback)| {
            let labels = &shop.labels;
            let retry_shop = shop.clone();
            view! {
                <div class="chatout-problem" role="alert" data-testid="submit-problem">
                    <p>{text}</p>
                    {retry.then(|| view! {
                        <button type="button" class="chatout-secondary"
                            on:click=move |_| store.register(&retry_shop)>
                            {labels.try_again.clone()}
                        </button>
                    })}
                    {fallback.then(|| view! {
                        <button type="button" class="chatout-link"
                            on:click=move |_| store.send_unregistered()>
                            {labels.send_unregistered.clone()}
                        </button>
                    })}
                </div>
            }
        })
    }
}
