use crate::state::{ShopContext, Submit};
use leptos::prelude::*;

/// Endpoint mode: why the order did not go through, with "try again" (the same request) and,
/// when the shop allows it, "send without registering".
#[component]
pub fn SubmitProblem(
    /// The checkout's standing with the shop's server.
    submit: ReadSignal<Submit>,
    /// Sends the same request again.
    on_retry: Callback<()>,
    /// Sends the locally written message without registering it.
    on_fallback: Callback<()>,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let problem = move || match submit.get() {
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
            view! {
                <div class="chatout-problem" role="alert" data-testid="submit-problem">
                    <p>{text}</p>
                    {retry.then(|| view! {
                        <button type="button" class="chatout-secondary"
                            on:click=move |_| on_retry.run(())>
                            {labels.try_again.clone()}
                        </button>
                    })}
                    {fallback.then(|| view! {
                        <button type="button" class="chatout-link"
                            on:click=move |_| on_fallback.run(())>
                            {labels.send_unregistered.clone()}
                        </button>
                    })}
                </div>
            }
        })
    }
}
