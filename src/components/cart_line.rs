use crate::state::ShopContext;
use chatout_core::{Cart, CartError, LineId, LineItem, MoneyStyle};
use leptos::prelude::*;

/// Sets a line's quantity (0 removes it).
pub type SetQuantity = Callback<(LineId, i64), Result<(), CartError>>;

/// One cart line: name, options, unit price, quantity stepper, line total and remove.
#[component]
pub fn CartLine(
    /// The line to show; it is read from the cart so quantity changes keep focus in place.
    id: LineId,
    /// The cart the line is in.
    cart: ReadSignal<Cart>,
    /// Sets a line's quantity (0 removes it).
    set_quantity: SetQuantity,
) -> impl IntoView {
    let labels = expect_context::<ShopContext>().0.labels.clone();
    let line_id = id.clone();
    let line =
        Memo::new(move |_| cart.with(|c| c.lines().iter().find(|l| l.id == line_id).cloned()));
    let name = line.with_untracked(|l| l.as_ref().map(|l| l.name.as_str().to_string()));
    let name = name.unwrap_or_default();
    let options = line.with_untracked(|l| l.as_ref().map(options_text).unwrap_or_default());
    let (unit_price, total) = prices(line, &labels.money);
    let with_name = |label: &str| format!("{label}: {name}");
    let remove = {
        let id = id.clone();
        move |_| report(set_quantity.run((id.clone(), 0)))
    };
    view! {
        <li class="chatout-line">
            <div class="chatout-line-info">
                <span class="chatout-line-name">{name.clone()}</span>
                <span class="chatout-line-options">{options}</span>
                <span class="chatout-line-unit">{unit_price}</span>
            </div>
            {stepper(id, line, set_quantity, [
                with_name(&labels.quantity),
                with_name(&labels.decrease),
                with_name(&labels.increase),
            ])}
            <strong class="chatout-line-total">{total}</strong>
            <button
                type="button"
                class="chatout-remove"
                aria-label=with_name(&labels.remove)
                on:click=remove
            >
                "×"
            </button>
        </li>
    }
}

/// The options as the line shows them: `Size: M · Colour: Sand`.
fn options_text(line: &LineItem) -> String {
    line.options
        .pairs()
        .iter()
        .map(|(n, v)| format!("{n}: {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The unit price and the line total, following the line.
fn prices(
    line: Memo<Option<LineItem>>,
    money: &MoneyStyle,
) -> (impl Fn() -> String, impl Fn() -> String) {
    let unit_money = money.clone();
    let unit_price = move || {
        line.with(|l| {
            l.as_ref()
                .map(|l| unit_money.format(l.unit_price))
                .unwrap_or_default()
        })
    };
    let money = money.clone();
    let total = move || {
        line.with(|l| {
            l.as_ref()
                .and_then(|l| l.total().ok())
                .map(|t| money.format(t))
                .unwrap_or_default()
        })
    };
    (unit_price, total)
}

/// The quantity with its − and + buttons; `[group, decrease, increase]` are their labels.
fn stepper(
    id: LineId,
    line: Memo<Option<LineItem>>,
    set_quantity: SetQuantity,
    [group, decrease, increase]: [String; 3],
) -> impl IntoView {
    let quantity = move || line.with(|l| l.as_ref().map_or(0, |l| l.quantity.get()));
    let max = move || line.with(|l| l.as_ref().map_or(0, |l| l.max_quantity));
    let dec_id = id.clone();
    let step = move |id: &LineId, by: i64| {
        report(set_quantity.run((id.clone(), i64::from(quantity()) + by)));
    };
    view! {
        <div class="chatout-stepper" role="group" aria-label=group>
            <button
                type="button"
                aria-label=decrease
                disabled={move || quantity() <= 1}
                on:click=move |_| step(&dec_id, -1)
            >
                "−"
            </button>
            <span class="chatout-qty" data-testid="quantity">{quantity}</span>
            <button
                type="button"
                aria-label=increase
                disabled={move || quantity() >= max()}
                on:click=move |_| step(&id, 1)
            >
                "+"
            </button>
        </div>
    }
}

/// The buttons only offer possible changes; should one still fail, the console says why.
fn report(result: Result<(), CartError>) {
    if let Err(e) = result {
        crate::browser::console_error(&e.to_string());
    }
}
