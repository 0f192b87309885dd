//! Several agents from the JSON block, and how orders and chats are shared among them.

use super::ConfigError;
use crate::json::Json;
use chatout_core::{Agent, Agents, Category, PhoneNumber, Routing};

/// `agents: [{name, phone, categories?}]` from the JSON block, and the `routing` rule:
/// `category` by default when any agent lists categories, `round_robin` otherwise.
pub fn parse_agents(
    value: Option<&Json>,
    routing: Option<&str>,
    shop_phone: &PhoneNumber,
) -> Result<Option<Agents>, ConfigError> {
    let block = |reason: String| ConfigError::new("chatout-config", reason);
    let Some(value) = value else {
        return match routing {
            None => Ok(None),
            Some(_) => Err(ConfigError::new(
                "routing",
                "needs \"agents\": [{\"name\": …, \"phone\": …}] in #chatout-config",
            )),
        };
    };
    let list = value
        .as_array()
        .ok_or_else(|| block("\"agents\" must be a list of {name, phone, categories}".into()))?;
    let mut agents = Vec::with_capacity(list.len());
    for (at, entry) in list.iter().enumerate() {
        let field = |name: &str| format!("\"agents[{at}].{name}\"");
        let text = |name: &str| {
            entry
                .get(name)
                .and_then(Json::as_str)
                .ok_or_else(|| block(format!("{} must be a string", field(name))))
        };
        let phone = PhoneNumber::parse(text("phone")?, Some(shop_phone.calling_code()))
            .map_err(|e| block(format!("{}: {e}", field("phone"))))?;
        let categories = match entry.get("categories") {
            None => Vec::new(),
            Some(Json::Array(items)) => items
                .iter()
                .map(|item| {
                    let text = item.as_str().ok_or_else(|| {
                        block(format!("{} must be a list of strings", field("categories")))
                    })?;
                    Category::parse(text)
                        .map_err(|e| block(format!("{}: {e}", field("categories"))))
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(block(format!(
                    "{} must be a list of strings",
                    field("categories")
                )))
            }
        };
        agents.push(Agent {
            name: text("name")?.trim().to_string(),
            phone,
            categories,
        });
    }
    let routing = match routing {
        Some(text) => Routing::parse(text).ok_or_else(|| {
            ConfigError::new(
                "routing",
                format!("'{text}' must be category or round_robin"),
            )
        })?,
        None if agents.iter().any(|a| !a.categories.is_empty()) => Routing::Category,
        None => Routing::RoundRobin,
    };
    Agents::new(agents, routing)
        .map(Some)
        .map_err(|e| block(format!("\"agents\": {e}")))
}
