//! Who answers when a shop has several WhatsApp agents: by product category, or spread evenly.
//!
//! Pure: the widget supplies the shopper's lines and a random `draw` it keeps for the
//! shopper, so the same shopper keeps reaching the same person.

use crate::cart::LineItem;
use crate::phone::PhoneNumber;
use crate::product::Category;

/// Why an agents configuration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoutingError {
    /// No agents, or more than [`Agents::MAX`].
    #[error("must list 1 to {max} agents")]
    Count {
        /// The most allowed.
        max: usize,
    },
    /// An agent's name is empty or longer than 60 characters.
    #[error("agent {0}: name must be 1 to 60 characters")]
    Name(usize),
    /// Category routing where no agent lists a category.
    #[error("routing by category needs at least one agent with categories")]
    NoCategories,
    /// A category appears with two agents, so the rule would be ambiguous.
    #[error("category '{0}' is listed for two agents")]
    SharedCategory(String),
}

/// One person (or team) answering chats on their own WhatsApp number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    /// Shown to the shopper: "Your order goes to Sara".
    pub name: String,
    /// Their WhatsApp number.
    pub phone: PhoneNumber,
    /// Categories they handle; none means they take anything no one else handles.
    pub categories: Vec<Category>,
}

/// How orders and chats are shared among agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Routing {
    /// The agent whose categories cover the largest share of the order's value; orders
    /// without a match go to agents without categories, spread evenly.
    Category,
    /// Every shopper is given one agent, evenly spread; they keep that agent.
    RoundRobin,
}

impl Routing {
    /// `category` or `round_robin`.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "category" => Some(Self::Category),
            "round_robin" => Some(Self::RoundRobin),
            _ => None,
        }
    }
}

/// A shop's agents and its routing rule, checked once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agents {
    agents: Vec<Agent>,
    routing: Routing,
}

impl Agents {
    /// At most this many agents.
    pub const MAX: usize = 50;

    /// Checks the list: 1 to [`Agents::MAX`] named agents, a category belongs to one agent
    /// only, and category routing has categories to route by.
    pub fn new(agents: Vec<Agent>, routing: Routing) -> Result<Self, RoutingError> {
        if agents.is_empty() || agents.len() > Self::MAX {
            return Err(RoutingError::Count { max: Self::MAX });
        }
        for (at, agent) in agents.iter().enumerate() {
            if !(1..=60).contains(&agent.name.trim().chars().count()) {
                return Err(RoutingError::Name(at + 1));
            }
        }
        let mut seen: Vec<&Category> = Vec::new();
        for category in agents.iter().flat_map(|a| &a.categories) {
            if seen.contains(&category) {
                return Err(RoutingError::SharedCategory(category.as_str().to_string()));
            }
            seen.push(category);
        }
        if routing == Routing::Category && seen.is_empty() {
            return Err(RoutingError::NoCategories);
        }
        Ok(Self { agents, routing })
    }

    /// The agents, in the shop's order.
    pub fn list(&self) -> &[Agent] {
        &self.agents
    }

    /// The rule in force.
    pub fn routing(&self) -> Routing {
        self.routing
    }

    /// Who receives an order of these lines. `draw` is the shopper's own random number.
    /// `None` means the shop's main number: category routing found no match and no agent
    /// takes uncategorised orders.
    pub fn for_order(&self, lines: &[LineItem], draw: u32) -> Option<&Agent> {
        match self.routing {
            Routing::RoundRobin => pick(&self.agents, draw),
            Routing::Category => {
                // Value per agent; ties go to the agent listed first.
                let mut best: Option<(&Agent, i128)> = None;
                for agent in &self.agents {
                    let value: i128 = lines
                        .iter()
                        .filter(|line| {
                            line.category
                                .as_ref()
                                .is_some_and(|c| agent.categories.contains(c))
                        })
                        // +1: a free product still counts as covered.
                        .map(|line| i128::from(line.total().map_or(0, |t| t.minor_units())) + 1)
                        .sum();
                    if value > 0 && best.is_none_or(|(_, top)| value > top) {
                        best = Some((agent, value));
                    }
                }
                best.map(|(agent, _)| agent)
                    .or_else(|| self.generalist(draw))
            }
        }
    }

    /// Who answers a plain chat, about a product of `category` if the page says so.
    pub fn for_chat(&self, category: Option<&Category>, draw: u32) -> Option<&Agent> {
        match self.routing {
            Routing::RoundRobin => pick(&self.agents, draw),
            Routing::Category => category
                .and_then(|c| self.agents.iter().find(|a| a.categories.contains(c)))
                .or_else(|| self.generalist(draw)),
        }
    }

    fn generalist(&self, draw: u32) -> Option<&Agent> {
        let open: Vec<&Agent> = self
            .agents
            .iter()
            .filter(|a| a.categories.is_empty())
            .collect();
        pick(&open, draw).copied()
    }
}

/// One of `among`, chosen by `draw`: uniform draws spread evenly, the same draw picks the same.
fn pick<T>(among: &[T], draw: u32) -> Option<&T> {
    if among.is_empty() {
        return None;
    }
    among.get(draw as usize % among.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cart::{Cart, NewItem};
    use crate::money::{Currency, Money};
    use crate::product::{ProductName, ProductOptions, Quantity, Sku};

    fn agent(name: &str, phone: &str, categories: &[&str]) -> Agent {
        Agent {
            name: name.into(),
            phone: PhoneNumber::parse(phone, None).unwrap(),
            categories: categories
                .iter()
                .map(|c| Category::parse(c).unwrap())
                .collect(),
        }
    }

    fn cart(lines: &[(&str, &str, i64)]) -> Cart {
        let eur = Currency::from_code("EUR").unwrap();
        let mut cart = Cart::new(eur);
        for (sku, category, price) in lines {
            cart.add(NewItem {
                sku: Sku::parse(sku).unwrap(),
                name: ProductName::parse(sku).unwrap(),
                options: ProductOptions::default(),
                unit_price: Money::from_minor(*price, eur).unwrap(),
                quantity: Quantity::new(1, 10).unwrap(),
                max_quantity: 10,
                url: None,
                image: None,
                category: (!category.is_empty()).then(|| Category::parse(category).unwrap()),
            })
            .unwrap();
        }
        cart
    }

    fn team(routing: Routing) -> Agents {
        Agents::new(
            vec![
                agent("Sara", "+31611111111", &["shoes", "Bags"]),
                agent("Tom", "+31622222222", &["shirts"]),
                agent("Mia", "+31633333333", &[]),
                agent("Ben", "+31644444444", &[]),
            ],
            routing,
        )
        .unwrap()
    }

    fn name(agent: Option<&Agent>) -> &str {
        agent.map_or("(shop)", |a| a.name.as_str())
    }

    #[test]
    fn an_order_goes_to_the_agent_with_most_of_its_value() {
        let agents = team(Routing::Category);
        let mostly_shirts = cart(&[
            ("boot", "shoes", 5000),
            ("tee", "shirts", 2000),
            ("polo", "SHIRTS", 4000),
        ]);
        assert_eq!(name(agents.for_order(mostly_shirts.lines(), 0)), "Tom");
        let mostly_shoes = cart(&[
            ("boot", "shoes", 5000),
            ("tote", " bags ", 1000),
            ("tee", "shirts", 4000),
        ]);
        assert_eq!(name(agents.for_order(mostly_shoes.lines(), 0)), "Sara");
        // A tie goes to the agent listed first; a free product still counts.
        let tie = cart(&[("tee", "shirts", 3000), ("boot", "shoes", 3000)]);
        assert_eq!(name(agents.for_order(tie.lines(), 0)), "Sara");
        let free = cart(&[("sticker", "shirts", 0)]);
        assert_eq!(name(agents.for_order(free.lines(), 0)), "Tom");
    }

    #[test]
    fn unmatched_orders_go_to_generalists_by_draw_or_to_the_shop() {
        let agents = team(Routing::Category);
        let other = cart(&[("mug", "kitchen", 900), ("card", "", 300)]);
        assert_eq!(name(agents.for_order(other.lines(), 0)), "Mia");
        assert_eq!(name(agents.for_order(other.lines(), 1)), "Ben");
        assert_eq!(name(agents.for_order(other.lines(), 7)), "Ben");
        let specialists = Agents::new(
            vec![agent("Sara", "+31611111111", &["shoes"])],
            Routing::Category,
        )
        .unwrap();
        assert_eq!(name(specialists.for_order(other.lines(), 3)), "(shop)");
        let shoes = Category::parse("Shoes").unwrap();
        assert_eq!(name(specialists.for_chat(Some(&shoes), 3)), "Sara");
        assert_eq!(name(specialists.for_chat(None, 3)), "(shop)");
    }

    #[test]
    fn round_robin_spreads_shoppers_evenly_and_keeps_each_one_with_theirs() {
        let agents = team(Routing::RoundRobin);
        let order = cart(&[("boot", "shoes", 5000)]);
        let mut counts = [0u32; 4];
        for draw in 0..4000u32 {
            let chosen = name(agents.for_order(order.lines(), draw)).to_string();
            assert_eq!(
                name(agents.for_chat(None, draw)),
                chosen,
                "same shopper, same agent"
            );
            let at = agents.list().iter().position(|a| a.name == chosen).unwrap();
            counts[at] += 1;
        }
        assert_eq!(counts, [1000; 4]);
    }

    #[test]
    fn bad_lists_are_refused() {
        assert_eq!(
            Agents::new(vec![], Routing::RoundRobin),
            Err(RoutingError::Count { max: Agents::MAX })
        );
        assert_eq!(
            Agents::new(vec![agent(" ", "+31611111111", &[])], Routing::RoundRobin),
            Err(RoutingError::Name(1))
        );
        assert_eq!(
            Agents::new(vec![agent("Mia", "+31611111111", &[])], Routing::Category),
            Err(RoutingError::NoCategories)
        );
        assert_eq!(
            Agents::new(
                vec![
                    agent("Sara", "+31611111111", &["shoes"]),
                    agent("Tom", "+31622222222", &["Shoes"])
                ],
                Routing::Category
            ),
            Err(RoutingError::SharedCategory("Shoes".into()))
        );
        assert_eq!(Routing::parse("random"), None);
        assert!(Category::parse(&"x".repeat(61)).is_err());
        assert!(Category::parse("a\nb").is_err());
    }
}
