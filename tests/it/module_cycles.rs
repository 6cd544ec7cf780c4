//! No module cycles inside a crate: a module never uses a sibling that uses it back.
//!
//! The rule of docs/architecture.md, enforced by `cargo test` rather than by a script one has
//! to remember to run: every crate's
//! `src/` (binaries under `src/bin/` aside) is read, comments and everything from the first
//! `#[cfg(test)]` on are dropped, every `crate::` and `super::` path is resolved to the module
//! it names, a reference is reduced to the two sibling modules under the modules' lowest
//! common ancestor (a parent using its child, or a child its parent, is no edge), and every
//! strongly connected set of more than one sibling is a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module's path inside its crate (`["cloud", "intune", "state"]`); the crate root is empty.
type ModPath = Vec<String>;

/// The crates of the workspace at `root`: the root package and every member with a `src/`.
fn crates(root: &Path) -> Vec<(String, PathBuf)> {
    let mut crates = vec![(".".to_string(), root.join("src"))];
    let mut members: Vec<_> = std::fs::read_dir(root)
        .expect("the workspace is readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Cargo.toml").is_file() && p.join("src").is_dir())
        .collect();
    members.sort();
    for m in members {
        let name = m
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        crates.push((name, m.join("src")));
    }
    crates
}

/// Every `.rs` file under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The modules of the crate whose `src/` is `src`, by path, with their source files.
fn modules(src: &Path) -> BTreeMap<ModPath, PathBuf> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let mut modules = BTreeMap::new();
    for file in files {
        let rel = file.strip_prefix(src).expect("under src");
        let mut path: ModPath = rel
            .components()
            .map(|c| {
                let part = c.as_os_str().to_string_lossy();
                part.strip_suffix(".rs").unwrap_or(&part).to_string()
            })
            .collect();
        if path.first().is_some_and(|p| p == "bin") {
            continue;
        }
        if path
            .last()
            .is_some_and(|p| matches!(p.as_str(), "mod" | "lib" | "main"))
        {
            path.pop();
        }
        modules.insert(path, file);
    }
    modules
}

/// The source a module's references are read from: up to its first `#[cfg(test)]`, without
/// comment lines.
fn code(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The byte offsets where `word` starts as a whole word in `text` (no word character before).
fn word_starts<'a>(text: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    text.match_indices(word)
        .map(|(i, _)| i)
        .filter(move |&i| !text[..i].chars().next_back().is_some_and(is_word))
}

/// The identifier at the start of `text`, if any.
fn ident(text: &str) -> Option<&str> {
    let end = text.find(|c: char| !is_word(c)).unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// `::a::b::c` at the start of `text`: the segments, as long as each `::` has one.
fn segments_after(mut text: &str) -> Vec<String> {
    let mut segments = Vec::new();
    while let Some(rest) = text.strip_prefix("::") {
        let Some(id) = ident(rest) else { break };
        segments.push(id.to_string());
        text = &rest[id.len()..];
    }
    segments
}

/// The module paths `module`'s code refers to through `crate::` and `super::`.
fn references(module: &[String], text: &str) -> Vec<ModPath> {
    let mut refs = Vec::new();
    for i in word_starts(text, "crate") {
        let after = &text[i + "crate".len()..];
        let segments = segments_after(after);
        if !segments.is_empty() {
            refs.push(segments);
        } else if let Some(group) = after.strip_prefix("::{") {
            // `crate::{a, b::c}`: each item up to the first closing brace.
            let group = group.split('}').next().unwrap_or_default();
            for item in group.split(',').map(str::trim).filter(|i| !i.is_empty()) {
                refs.push(item.split("::").map(str::to_string).collect());
            }
        }
    }
    let mut from = 0;
    while let Some(i) = text[from..].find("super::").map(|i| from + i) {
        from = i + 1;
        if text[..i].chars().next_back().is_some_and(is_word) || text[..i].ends_with("super::") {
            continue;
        }
        let mut rest = &text[i..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        let Some(first) = ident(rest) else { continue };
        let mut path: ModPath = if ups <= module.len() {
            module[..module.len() - ups].to_vec()
        } else {
            Vec::new()
        };
        path.push(first.to_string());
        path.extend(segments_after(&rest[first.len()..]));
        refs.push(path);
    }
    refs
}

/// The sibling edges of one crate: (user, used), both children of their lowest common ancestor.
fn edges(modules: &BTreeMap<ModPath, PathBuf>) -> BTreeSet<(ModPath, ModPath)> {
    let mut edges = BTreeSet::new();
    for (module, file) in modules {
        let text = std::fs::read_to_string(file).expect("a readable source file");
        for r in references(module, &code(&text)) {
            let Some(target) = (1..=r.len())
                .rev()
                .map(|k| r[..k].to_vec())
                .find(|prefix| modules.contains_key(prefix))
            else {
                continue;
            };
            if &target == module {
                continue;
            }
            let common = target
                .iter()
                .zip(module)
                .take_while(|(a, b)| a == b)
                .count();
            if common == target.len() || common == module.len() {
                // A parent and its descendant: not siblings.
                continue;
            }
            edges.insert((module[..=common].to_vec(), target[..=common].to_vec()));
        }
    }
    edges
}

/// Tarjan's strongly connected components of `edges` with more than one module.
fn cycles_in(edges: &BTreeSet<(ModPath, ModPath)>) -> Vec<Vec<ModPath>> {
    struct Tarjan<'g> {
        graph: BTreeMap<&'g ModPath, Vec<&'g ModPath>>,
        index: BTreeMap<&'g ModPath, usize>,
        low: BTreeMap<&'g ModPath, usize>,
        stack: Vec<&'g ModPath>,
        on_stack: BTreeSet<&'g ModPath>,
        found: Vec<Vec<ModPath>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g ModPath) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).cloned().unwrap_or_default() {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    self.found.push(component);
                }
            }
        }
    }
    let mut graph: BTreeMap<&ModPath, Vec<&ModPath>> = BTreeMap::new();
    for (a, b) in edges {
        graph.entry(a).or_default().push(b);
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    let starts: Vec<&ModPath> = t.graph.keys().copied().collect();
    for v in starts {
        if !t.index.contains_key(v) {
            t.visit(v);
        }
    }
    t.found
}

/// Every module cycle of every crate under `root`, one line each: `crate a <-> b`.
fn cycles(root: &Path) -> Vec<String> {
    let mut lines = Vec::new();
    for (name, src) in crates(root) {
        for mut cycle in cycles_in(&edges(&modules(&src))) {
            cycle.sort();
            let names: Vec<String> = cycle.iter().map(|m| m.join("::")).collect();
            lines.push(format!("{name} {}", names.join(" <-> ")));
        }
    }
    lines
}

#[test]
fn no_crate_of_the_workspace_has_a_module_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = cycles(root);
    assert!(
        found.is_empty(),
        "{} module cycle(s):\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Writes `files` (path, text) under a new temporary directory.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir
}

#[test]
fn a_cycle_between_sibling_modules_is_found_and_named() {
    let dir = tree(&[
        ("src/lib.rs", "mod clean;\n"),
        ("lab/Cargo.toml", "[package]\n"),
        ("lab/src/lib.rs", "mod net;\nmod cloud;\n"),
        ("lab/src/net/mod.rs", "pub mod server;\n"),
        // The server uses a service, which uses the server's sibling: a cycle between the
        // top-level modules `net` and `cloud`.
        (
            "lab/src/net/server.rs",
            "use crate::cloud::intune::Handler;\n",
        ),
        ("lab/src/cloud/mod.rs", "pub mod intune;\n"),
        (
            "lab/src/cloud/intune.rs",
            "use super::super::net::server::serve; // calls back\n",
        ),
        // Comments, tests, children and parents are no edges.
        (
            "src/clean.rs",
            "// use crate::other;\nuse super::x;\n#[cfg(test)]\nmod tests { use crate::clean; }\n",
        ),
    ]);
    assert_eq!(cycles(dir.path()), vec!["lab cloud <-> net".to_string()]);
}

#[test]
fn a_parent_using_its_child_and_a_grouped_use_are_read_as_the_script_reads_them() {
    let dir = tree(&[
        ("src/lib.rs", "mod a;\nmod b;\nuse crate::a::inner;\n"),
        (
            "src/a/mod.rs",
            "mod inner;\nuse crate::{b::Thing, a::inner};\n",
        ),
        (
            "src/a/inner.rs",
            "use super::super::b; // child to parent's sibling\n",
        ),
        ("src/b.rs", "use crate::{a::inner::X};\n"),
    ]);
    assert_eq!(cycles(dir.path()), vec![". a <-> b".to_string()]);
}
