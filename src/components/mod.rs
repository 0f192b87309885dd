//! The widget's Leptos components, one per file.

mod assigned_agent;
mod cart_line;
mod cart_panel;
mod cart_view;
mod chat_button;
mod checkout_form;
mod choice_group;
mod notify_form;
mod order_sent;
mod reply_status;
mod submit_problem;
mod text_field;
mod widget;

pub use widget::Widget;
