//! `chatout-server token create|list|revoke` (docs/CONTRACT.md section 7): integration API tokens
//! from the command line, on the database `DATABASE_URL` names, for deploy scripts.

use crate::clock::rfc3339;
use crate::db::Db;
use crate::policy::access::Scope;
use crate::service::tokens::{create_token, TokenError};

/// What a command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the server (no arguments).
    Serve,
    /// `token create --name NAME --scope read|write`.
    CreateToken {
        /// The token's name.
        name: String,
        /// Its scope.
        scope: Scope,
    },
    /// `token list`.
    ListTokens,
    /// `token revoke NAME`.
    RevokeToken(String),
}

/// How to use the command line.
pub const USAGE: &str = "usage: chatout-server                       run the server\n       \
    chatout-server token create --name NAME --scope read|write\n       \
    chatout-server token list\n       \
    chatout-server token revoke NAME";

/// Reads the arguments after the program's name.
pub fn parse(args: &[String]) -> Result<Command, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        [] => Ok(Command::Serve),
        ["token", "list"] => Ok(Command::ListTokens),
        ["token", "revoke", name] => Ok(Command::RevokeToken((*name).to_string())),
        ["token", "create", rest @ ..] => {
            let (mut name, mut scope) = (None, None);
            let mut rest = rest.iter();
            while let Some(flag) = rest.next() {
                let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
                match *flag {
                    "--name" => name = Some((*value).to_string()),
                    "--scope" => {
                        scope =
                            Some(Scope::parse(value).ok_or_else(|| {
                                format!("--scope is read or write, not '{value}'")
                            })?)
                    }
                    other => return Err(format!("unknown option {other}")),
                }
            }
            Ok(Command::CreateToken {
                name: name.ok_or("--name is required")?,
                scope: scope.ok_or("--scope is required")?,
            })
        }
        _ => Err(format!("unknown command: {}", args.join(" "))),
    }
}

/// Runs a token command; what it prints is its answer (the new token alone on the last line).
pub async fn run(db: &Db, command: Command) -> Result<String, String> {
    match command {
        Command::Serve => Err("not a token command".into()),
        Command::CreateToken { name, scope } => match create_token(db, &name, scope, "cli").await {
            Ok(value) => Ok(format!(
                "created token '{name}' ({}); it is shown only now:\n{value}",
                scope.as_str()
            )),
            Err(TokenError::Db(e)) => Err(format!("DATABASE_URL: {e}")),
            Err(e) => Err(e.to_string()),
        },
        Command::ListTokens => {
            let tokens = db
                .tokens()
                .await
                .map_err(|e| format!("DATABASE_URL: {e}"))?;
            let mut out = String::from("name\tscope\tcreated\tlast used\trevoked");
            for t in tokens {
                let when = |at: Option<i64>| at.map_or("-".to_string(), rfc3339);
                out.push_str(&format!(
                    "\n{}\t{}\t{}\t{}\t{}",
                    t.name,
                    t.scope.as_str(),
                    rfc3339(t.created_at),
                    when(t.last_used_at),
                    when(t.revoked_at)
                ));
            }
            Ok(out)
        }
        Command::RevokeToken(name) => match db.revoke_token(&name).await {
            Ok(true) => Ok(format!("revoked token '{name}'")),
            Ok(false) => Err(format!("no live token is called '{name}'")),
            Err(e) => Err(format!("DATABASE_URL: {e}")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(line: &str) -> Vec<String> {
        line.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn token_commands_read_and_mistakes_are_named() {
        assert_eq!(parse(&[]), Ok(Command::Serve));
        assert_eq!(
            parse(&args("token create --scope write --name erp")),
            Ok(Command::CreateToken {
                name: "erp".into(),
                scope: Scope::Write
            })
        );
        assert_eq!(parse(&args("token list")), Ok(Command::ListTokens));
        assert_eq!(
            parse(&args("token revoke erp")),
            Ok(Command::RevokeToken("erp".into()))
        );
        for (line, says) in [
            ("token create --name erp", "--scope is required"),
            ("token create --name erp --scope admin", "read or write"),
            ("token create --name", "needs a value"),
            (
                "token create --name erp --scope read --force x",
                "unknown option",
            ),
            ("serve now", "unknown command"),
        ] {
            let err = parse(&args(line)).unwrap_err();
            assert!(err.contains(says), "{line}: {err}");
        }
    }
}
