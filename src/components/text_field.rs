use leptos::prelude::*;

/// What a text field is: one line of an input type, or several lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// `<input type=…>` (`text`, `tel`, `email`).
    Line(&'static str),
    /// `<textarea rows=…>`.
    Lines(u8),
}

/// A labelled text control bound to `value`, with its error message linked for screen
/// readers (`aria-invalid`, `aria-describedby="<id>-error"`).
#[component]
pub fn TextField(
    /// The control's id; the error gets `<id>-error`.
    id: &'static str,
    /// The form field's `name`.
    name: &'static str,
    /// The visible label.
    label: String,
    /// One line or several.
    kind: TextKind,
    /// The browser's autofill hint, if any.
    #[prop(optional)]
    autocomplete: Option<&'static str>,
    /// The most characters it takes.
    maxlength: u16,
    /// What the shopper typed.
    value: RwSignal<String>,
    /// The error to show under the control, if any.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let invalid = move || error.with(Option::is_some);
    let described = format!("{id}-error");
    let on_input = move |ev: leptos::ev::Event| value.set(event_target_value(&ev));
    let control = match kind {
        TextKind::Line(kind) => view! {
            <input id=id name=name type=kind autocomplete=autocomplete maxlength=maxlength
                aria-invalid=move || invalid().to_string() aria-describedby=described.clone()
                prop:value=move || value.get() on:input=on_input/>
        }
        .into_any(),
        TextKind::Lines(rows) => view! {
            <textarea id=id name=name rows=rows autocomplete=autocomplete maxlength=maxlength
                aria-invalid=move || invalid().to_string() aria-describedby=described.clone()
                prop:value=move || value.get() on:input=on_input></textarea>
        }
        .into_any(),
    };
    view! {
        <div class="chatout-field" class:chatout-invalid=invalid>
            <label for=id>{label}</label>
            {control}
            <Show when=invalid>
                <p class="chatout-error" id=described.clone() role="alert">
                    {move || error.get().unwrap_or_default()}
                </p>
            </Show>
        </div>
    }
}
