//! A guard, not code: the layers depend one way (`routes`/`desk` → `service` → `db`,
//! `whatsapp` → `policy` → core). A test reads every source file and fails on an import
//! that runs against that direction.

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    /// Per layer (a folder of `src/`): the crate modules it must not use.
    const FORBIDDEN: [(&str, &[&str]); 8] = [
        (
            "policy",
            &[
                "db", "service", "whatsapp", "outbound", "payments", "desk", "routes", "serve",
                "startup", "AppState", "sqlx", "reqwest", "axum",
            ],
        ),
        (
            "db",
            &[
                "service", "whatsapp", "outbound", "payments", "desk", "routes", "startup",
                "AppState",
            ],
        ),
        (
            "payments",
            &[
                "db", "service", "desk", "routes", "startup", "AppState", "sqlx",
            ],
        ),
        (
            "whatsapp",
            &["service", "desk", "routes", "startup", "AppState"],
        ),
        (
            "outbound",
            &["service", "desk", "routes", "startup", "AppState"],
        ),
        ("service", &["desk", "routes", "startup"]),
        ("desk", &["routes", "startup"]),
        ("routes", &["startup"]),
    ];

    fn sources(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                found.extend(sources(&path));
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
        found
    }

    /// The names a file reaches: `crate::x`, each name of `crate::{x, y::z}`, and external
    /// crates (`sqlx::`, `reqwest::`, `axum::`) at the start of a path.
    fn reached(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut rest = text;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    names.push(item.trim().split("::").next().unwrap_or("").to_string());
                }
            } else {
                let end = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                names.push(rest[..end].to_string());
            }
        }
        for external in ["sqlx", "reqwest", "axum"] {
            let used = text.lines().any(|line| {
                let line = line.trim_start();
                !line.starts_with("//")
                    && (line.contains(&format!("{external}::"))
                        || line.starts_with(&format!("use {external}")))
            });
            if used {
                names.push(external.to_string());
            }
        }
        names
    }

    #[test]
    fn the_layers_depend_one_way() {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut wrong = Vec::new();
        for (layer, forbidden) in FORBIDDEN {
            for file in sources(&src.join(layer)) {
                let text = std::fs::read_to_string(&file).unwrap();
                for name in reached(&text) {
                    if forbidden.contains(&name.as_str()) {
                        wrong.push(format!("{} uses {name}", file.display()));
                    }
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "imports against the layers:\n{}",
            wrong.join("\n")
        );
    }

    /// Transactions belong to the use cases: `db/` runs statements on a connection or
    /// transaction it is given; only `db/mod.rs` (which makes one) may call `.begin(`.
    #[test]
    fn only_the_use_cases_open_transactions() {
        let db = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/db");
        let opening: Vec<String> = sources(&db)
            .into_iter()
            .filter(|file| file != &db.join("mod.rs"))
            .filter(|file| opens_transaction(&std::fs::read_to_string(file).unwrap()))
            .map(|file| file.display().to_string())
            .collect();
        assert!(
            opening.is_empty(),
            "db/ files that open a transaction (move it into the use case in service/):\n{}",
            opening.join("\n")
        );
    }

    fn opens_transaction(text: &str) -> bool {
        text.lines()
            .any(|line| !line.trim_start().starts_with("//") && line.contains(".begin("))
    }

    #[test]
    fn the_guard_sees_a_transaction_opened() {
        assert!(opens_transaction("let mut tx = self.write.begin().await?;"));
        assert!(!opens_transaction("// no .begin( here"));
    }

    #[test]
    fn the_guard_sees_grouped_and_plain_imports() {
        let names = reached("use crate::{db::Db, policy};\nuse crate::service::x;\n// sqlx::no");
        assert_eq!(names, ["db", "policy", "service"]);
        assert!(reached("let r: sqlx::Result<()>;").contains(&"sqlx".to_string()));
    }
}
