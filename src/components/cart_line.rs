use crate::state::{ShopContext, Store};
use chatout_core::LineId;
use leptos::prelude::*;

/// One cart line: name, options, unit price, quantity stepper, line total and remove.
#[component]
pub fn CartLine(
    /// The line to show; it is read from the cart so quantity changes keep focus in place.
    id: LineId,
) -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let store = expect_context::<Store>();
    let line_id = id.clone();
    let line = Memo::new(move |_| {
        store
            .cart
            .with(|c| c.lines().iter().find(|l| l.id == line_id).cloned())
    });
    let labels = shop.labels.clone();
    let money = labels.money.clone();
    let quantity = move || line.with(|l| l.as_ref().map_or(0, |l| l.quantity.get()));
    let max = move || line.with(|l| l.as_ref().map_or(0, |l| l.max_quantity));
    let name = line.with_untracked(|l| {
        l.as_ref()
            .map(|l| l.name.as_str().to_string())
            .unwrap_or_default()
    });
    let options = line.with_untracked(|l| {
        l.as_ref()
            .map(|l| {
                l.options
                    .pairs()
                    .iter()
                    .map(|(n, v)| format!("{n}: {v}"))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    });
    let unit_money = money.clone();
    let unit_price = move || {
        line.with(|l| {
            l.as_ref()
                .map(|l| unit_money.format(l.unit_price))
                .unwrap_or_default()
        })
    };
    let total = move || {
        line.with(|l| {
            l.as_ref()
                .and_then(|l| l.total().ok())
                .map(|t| money.format(t))
                .unwrap_or_default()
        })
    };
    let (dec_id, inc_id, rm_id) = (id.clone(), id.clone(), id);
    let with_name = |label: &str| format!("{label}: {name}");
    view! {
        <li class="chatout-line">
            <div class="chatout-line-info">
                <span class="chatout-line-name">{name.clone()}</span>
                <span class="chatout-line-options">{options}</span>
                <span class="chatout-line-unit">{unit_price}</span>
            </div>
            <div class="chatout-stepper" role="group" aria-label=with_name(&labels.quantity)>
                <button
                    type="button"
                    aria-label=with_name(&labels.decrease)
                    disabled={move || quantity() <= 1}
                    on:click=move |_| report(store.set_quantity(&dec_id, i64::from(quantity()) - 1))
                >
                    "−"
                </button>
                <span class="chatout-qty" data-testid="quantity">{quantity}</span>
                <button
                    type="button"
                    aria-label=with_name(&labels.increase)
                    disabled={move || quantity() >= max()}
                    on:click=move |_| report(store.set_quantity(&inc_id, i64::from(quantity()) + 1))
                >
                    "+"
                </button>
            </div>
            <strong class="chatout-line-total">{total}</strong>
            <button
                type="button"
                class="chatout-remove"
                aria-label=with_name(&labels.remove)
                on:click=move |_| report(store.remove(&rm_id))
            >
                "×"
            </button>
        </li>
    }
}

/// The buttons only offer possible changes; should one still fail, the console says why.
fn report(result: Result<(), chatout_core::CartError>) {
    if let Err(e) = result {
        crate::browser::console_error(&e.to_string());
    }
}
