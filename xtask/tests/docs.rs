//! The docs stay whole: every relative link in README.md and docs/*.md reaches a file (and a
//! heading, when it names one), the README stays a front door of at most 250 lines, and
//! code, tests and docs cite the public contract by its path in the repository,
//! docs/CONTRACT.md.

use std::collections::HashSet;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The README is the front door; reference belongs in docs/.
const README_MAX_LINES: usize = 250;
/// Where citations of the contract are looked for.
const CITING: [&str; 7] = [
    "src",
    "crates",
    "xtask",
    "e2e",
    "tests",
    "README.md",
    "docs",
];
/// The contract's file name, spelled so that this file's own source cites nothing bare.
const CONTRACT: &str = concat!("CONTRACT", ".md");

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// README.md and every Markdown file under docs/.
fn markdown_files(root: &Path) -> Vec<PathBuf> {
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = fs::read_dir(root.join("docs"))
        .expect("docs/ exists")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The text with fenced code blocks and inline code spans blanked, lines kept, so that
/// examples are not read as links or headings.
fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push('\n');
            continue;
        }
        if !fenced {
            let mut in_code = false;
            for c in line.chars() {
                if c == '`' {
                    in_code = !in_code;
                } else if !in_code {
                    out.push(c);
                }
            }
        }
        out.push('\n');
    }
    out
}

/// A Markdown link's target and the 1-based line it is on: `[text](target)` and `![alt](target)`.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (number, line) in prose(text).lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            let target = after[..end].split_whitespace().next().unwrap_or("");
            found.push((number + 1, target.to_string()));
            rest = &after[end..];
        }
    }
    found
}

/// The anchors GitHub makes for a file's headings: lowercased, punctuation dropped, spaces
/// as hyphens, repeats numbered.
fn anchors(text: &str) -> HashSet<String> {
    let mut seen = HashSet::new();
    for line in prose_keeping_code(text).lines() {
        let trimmed = line.trim_start_matches('#');
        if trimmed.len() == line.len() || !trimmed.starts_with(' ') {
            continue;
        }
        let slug: String = trimmed
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut unique = slug.clone();
        let mut n = 1;
        while !seen.insert(unique.clone()) {
            unique = format!("{slug}-{n}");
            n += 1;
        }
    }
    seen
}

/// Like `prose`, but inline code keeps its text (a heading's anchor includes it).
fn prose_keeping_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        } else if !fenced {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// What is wrong with the relative links of one Markdown file.
fn broken_links(root: &Path, file: &Path) -> Vec<String> {
    let text = fs::read_to_string(file).expect("readable Markdown");
    let shown = file
        .strip_prefix(root)
        .unwrap_or(file)
        .display()
        .to_string();
    let dir = file.parent().expect("a file has a folder");
    let mut problems = Vec::new();
    for (line, target) in links(&text) {
        if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (path, fragment) = match target.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (target.as_str(), None),
        };
        let resolved = if path.is_empty() {
            file.to_path_buf()
        } else {
            normalize(&dir.join(path))
        };
        if !resolved.exists() {
            problems.push(format!("{shown}:{line}: `{target}`: no such file"));
            continue;
        }
        let (Some(fragment), true) = (fragment, resolved.extension().is_some_and(|e| e == "md"))
        else {
            continue;
        };
        let heading_text = fs::read_to_string(&resolved).unwrap_or_default();
        if !anchors(&heading_text).contains(fragment) {
            problems.push(format!("{shown}:{line}: `{target}`: no such heading"));
        }
    }
    problems
}

#[test]
fn relative_links_in_the_readme_and_docs_reach_a_file() {
    let root = root();
    let problems: Vec<String> = markdown_files(&root)
        .iter()
        .flat_map(|file| broken_links(&root, file))
        .collect();
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_readme_is_a_front_door() {
    let readme = fs::read_to_string(root().join("README.md")).expect("README.md");
    let lines = readme.lines().count();
    assert!(
        lines <= README_MAX_LINES,
        "README.md has {lines} lines, more than {README_MAX_LINES}: move reference into docs/"
    );
}

/// Every file under `path` (or `path` itself), skipping build output and dependencies.
fn files_under(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        out.push(path.to_path_buf());
        return;
    }
    let Ok(entries) = fs::read_dir(path) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let name = entry.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || name == "target" || name == "node_modules" {
            continue;
        }
        files_under(&entry, out);
    }
}

/// The text with every Markdown link to the contract removed, for files in docs/, where a
/// relative link beside docs/CONTRACT.md is how the contract is cited.
fn without_links_to_the_contract(root: &Path, file: &Path, text: &str) -> String {
    let dir = file.parent().expect("a file has a folder");
    let contract = root.join("docs").join(CONTRACT);
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut kept = line.to_string();
        while let Some(link) = contract_link(&kept, dir, &contract) {
            kept.replace_range(link, "");
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// The byte range of the first `[text](target)` on a line whose target is the contract.
fn contract_link(line: &str, dir: &Path, contract: &Path) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(at) = line[from..].find("](") {
        let middle = from + at;
        let close = middle + 2 + line[middle + 2..].find(')')?;
        let target = &line[middle + 2..close];
        let path = target.split('#').next().unwrap_or("");
        if !path.is_empty() && normalize(&dir.join(path)) == normalize(contract) {
            let open = line[..middle].rfind('[')?;
            return Some(open..close + 1);
        }
        from = close;
    }
    None
}

#[test]
fn citations_of_the_contract_name_the_file_in_the_repository() {
    let root = root();
    assert!(
        root.join("docs").join(CONTRACT).is_file(),
        "docs/CONTRACT.md is missing"
    );
    let mut files = Vec::new();
    for place in CITING {
        files_under(&root.join(place), &mut files);
    }
    let copy = root.join("docs").join(CONTRACT);
    let mut bare = Vec::new();
    for file in files.iter().filter(|f| **f != copy) {
        let Ok(text) = fs::read_to_string(file) else {
            continue; // not text (the screenshot)
        };
        let in_docs = file.parent() == Some(root.join("docs").as_path());
        let text = if in_docs {
            without_links_to_the_contract(&root, file, &text)
        } else {
            text
        };
        let shown = file
            .strip_prefix(&root)
            .unwrap_or(file)
            .display()
            .to_string();
        for (number, line) in text.lines().enumerate() {
            let mut from = 0;
            while let Some(at) = line[from..].find(CONTRACT) {
                let start = from + at;
                if !line[..start].ends_with("docs/") {
                    bare.push(format!("{shown}:{}: {}", number + 1, line.trim()));
                }
                from = start + CONTRACT.len();
            }
        }
    }
    assert!(
        bare.is_empty(),
        "{} citations of the contract do not say docs/CONTRACT.md (the copy in the \
         repository):\n{}",
        bare.len(),
        bare.join("\n")
    );
}
