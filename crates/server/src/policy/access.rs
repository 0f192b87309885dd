//! What an integration API token may do.

/// A token's scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Read orders, products and contacts.
    Read,
    /// Read, move orders along and change stock.
    Write,
}

impl Scope {
    /// The stored and typed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
        }
    }

    /// Reads a name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Read, Self::Write]
            .into_iter()
            .find(|s| s.as_str() == name)
    }

    /// Whether a token of this scope may use a route that needs `needed`.
    pub fn permits(self, needed: Scope) -> bool {
        self >= needed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_token_reads_and_a_write_token_does_both() {
        assert!(Scope::Read.permits(Scope::Read));
        assert!(!Scope::Read.permits(Scope::Write));
        assert!(Scope::Write.permits(Scope::Read));
        assert_eq!(Scope::parse("write"), Some(Scope::Write));
        assert_eq!(Scope::parse("admin"), None);
    }
}
