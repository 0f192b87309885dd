use leptos::prelude::*;

/// A labelled form control with its error message, linked for screen readers.
#[component]
pub fn FormField(
    /// The control's id; the error gets `<id>-error`.
    id: &'static str,
    /// The visible label.
    label: String,
    /// The error to show under the control, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
    /// The control itself.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="chatout-field" class:chatout-invalid=move || error.with(Option::is_some)>
            <label for=id>{label}</label>
            {children()}
            <Show when=move || error.with(Option::is_some)>
                <p class="chatout-error" id=format!("{id}-error") role="alert">
                    {move || error.get().unwrap_or_default()}
                </p>
            </Show>
        </div>
    }
}
