use leptos::prelude::*;

/// A group of radio buttons with its legend and error: one of `options` is `selected`.
#[component]
pub fn ChoiceGroup(
    /// The radios' `name`.
    name: &'static str,
    /// The group's visible legend.
    legend: String,
    /// `(id, label)` of each choice, in display order.
    options: Vec<(String, String)>,
    /// The chosen id (empty: none yet).
    selected: RwSignal<String>,
    /// The error to show under the group, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// Hide the group (a single choice needs none), keeping its value.
    #[prop(optional)]
    hidden: bool,
    /// What follows the choices (a hint).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    view! {
        <fieldset class="chatout-choice" class:chatout-hidden=hidden>
            <legend>{legend}</legend>
            {options.into_iter().map(|(id, label)| {
                let checked_id = id.clone();
                view! {
                    <label class="chatout-option">
                        <input type="radio" name=name value=id.clone()
                            prop:checked=move || selected.with(|s| *s == checked_id)
                            on:change=move |_| selected.set(id.clone())/>
                        {label}
                    </label>
                }
            }).collect_view()}
            <Show when=move || error.with(Option::is_some)>
                <p class="chatout-error" role="alert">{move || error.get()}</p>
            </Show>
            {children.map(|children| children())}
        </fieldset>
    }
}
