use crate::browser;
use crate::state::ShopContext;
use chatout_core::{fill, Availability};
use leptos::prelude::*;

/// "Usually replies within an hour" while the shop's hours say it is open, "we're offline; we'll
/// reply from Monday 09:00" otherwise. Nothing when the shop gave no hours, or the browser does
/// not know its time zone.
#[component]
pub fn ReplyStatus() -> impl IntoView {
    let shop = expect_context::<ShopContext>().0;
    let (hours, zone) = shop.hours.as_ref()?;
    let Some(now) = browser::week_time_in(zone) else {
        browser::console_warn(&format!(
            "data-timezone: this browser does not know '{zone}'"
        ));
        return None;
    };
    let labels = &shop.labels;
    let (text, class) = match hours.at(now) {
        Availability::Open => (labels.status_open.clone(), "chatout-status chatout-open"),
        Availability::Closed(next) => {
            let (day, time) = next
                .map(|at| browser::week_time_text(&shop.locale, at))
                .unwrap_or_default();
            let text = fill(&labels.status_offline, &[("day", &day), ("time", &time)]);
            (text, "chatout-status chatout-offline")
        }
    };
    Some(view! { <p class=class>{text}</p> })
}
