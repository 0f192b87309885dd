//! Order message tests: golden texts per language and properties over arbitrary input.

mod fixtures;
mod golden;
mod properties;
