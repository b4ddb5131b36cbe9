//! The module graph as the architecture says it is: the library's top-level modules are
//! layers that use only the layers below them, and no two modules beside each other (in one
//! layer, or in the command line) use each other, directly or round a cycle.
//!
//! The graph is read from the source (`use` trees and `crate::`/`super::` paths, comments
//! left out), so it holds whatever the compiler would accept. To see it:
//! `cargo test --test integration layers -- --nocapture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The library's layers, bottom first: each may use those before it, never one after.
const LAYERS: &[&str] = &[
    "domain",
    "policy",
    "engine",
    "store",
    "evaluation",
    "intake",
    "report",
    "notify",
    "app",
    "web",
];

/// A module's path inside its crate, e.g. `["store", "events"]`.
type ModPath = Vec<String>;

/// One source file: its module path and the module paths it names.
struct Source {
    module: ModPath,
    uses: Vec<ModPath>,
}

/// Every `.rs` file under `dir`, with the module path it has in the crate rooted at `root`
/// (`lib.rs` or `main.rs`).
fn sources(src: &Path, files: &[PathBuf]) -> Vec<Source> {
    files
        .iter()
        .map(|f| {
            let rel = f.strip_prefix(src).unwrap().with_extension("");
            let mut module: ModPath = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(module.as_slice(), [one] if one == "lib" || one == "main") {
                module.clear();
            }
            let text = std::fs::read_to_string(f).unwrap();
            let uses = paths(&strip_tests(&strip_comments(&text)))
                .into_iter()
                .filter_map(|p| resolve(&module, &p))
                .collect();
            Source { module, uses }
        })
        .collect()
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text without `//` comments (doc comments name modules in links, which are no use).
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            // `"http://…"` in a string: a quote before the slashes, an odd count.
            Some(i) if line[..i].matches('"').count() % 2 == 0 => &line[..i],
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The text without its `#[cfg(test)]` items: unit tests may use what they like.
fn strip_tests(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let item = &rest[at..];
        let end = match (item.find('{'), item.find(';')) {
            (Some(open), semi) if semi.is_none_or(|s| open < s) => {
                let mut depth = 0;
                let close = item[open..].char_indices().find_map(|(i, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    (depth == 0).then_some(open + i + 1)
                });
                close.unwrap_or(item.len())
            }
            (_, Some(semi)) => semi + 1,
            _ => item.len(),
        };
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// Every path the text names from `crate`, `super` or `self`, with `use` trees expanded.
fn paths(text: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &text[i..];
        let at_word_start =
            i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        let start = ["crate::", "super::", "self::"]
            .into_iter()
            .find(|p| at_word_start && rest.starts_with(p));
        let Some(start) = start else {
            i += rest.chars().next().map_or(1, char::len_utf8);
            continue;
        };
        let (len, expanded) = tree(rest, start.len() - 2);
        for tail in expanded {
            let mut p = vec![start.trim_end_matches("::").to_string()];
            p.extend(tail);
            found.push(p);
        }
        i += len.max(1);
    }
    found
}

/// Reads a path (or `use` tree) starting at `from` in `s`, where `s[..from]` is its first
/// segment; returns how many bytes it spans and the segments after the first, one list per
/// leaf of the tree.
fn tree(s: &str, from: usize) -> (usize, Vec<Vec<String>>) {
    let mut i = from;
    let mut segs: Vec<String> = Vec::new();
    let b = s.as_bytes();
    while s[i..].starts_with("::") {
        i += 2;
        if b.get(i) == Some(&b'{') {
            // A group: split at the commas of its own level, each a tree of its own.
            let mut depth = 0;
            let mut item_start = i + 1;
            let mut leaves = Vec::new();
            let mut j = i;
            loop {
                match b[j] {
                    b'{' => depth += 1,
                    b'}' | b',' if depth == 1 => {
                        let item = s[item_start..j].trim();
                        if !item.is_empty() {
                            let word = item
                                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                                .unwrap_or(item.len());
                            let (_, subs) = tree(item, word);
                            for sub in subs {
                                let mut leaf = segs.clone();
                                leaf.push(item[..word].to_string());
                                leaf.extend(sub);
                                leaves.push(leaf);
                            }
                        }
                        item_start = j + 1;
                        if b[j] == b'}' {
                            return (j + 1, leaves);
                        }
                    }
                    b'}' => depth -= 1,
                    _ => {}
                }
                j += 1;
            }
        }
        let word = s[i..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(s.len() - i);
        if word == 0 {
            break;
        }
        segs.push(s[i..i + word].to_string());
        i += word;
    }
    (i, vec![segs])
}

/// The absolute path a path in `module` names, without its leading `crate`.
fn resolve(module: &ModPath, path: &[String]) -> Option<ModPath> {
    let mut base: ModPath = match path.first()?.as_str() {
        "crate" => Vec::new(),
        "self" => module.clone(),
        "super" => module[..module.len().checked_sub(1)?].to_vec(),
        _ => return None,
    };
    let mut rest = &path[1..];
    while rest.first().is_some_and(|s| s == "super") {
        base.pop();
        rest = &rest[1..];
    }
    base.extend(rest.iter().filter(|s| *s != "self").cloned());
    Some(base)
}

/// The module a path lands in, as deep as `depth` and only through modules that exist.
fn node(modules: &BTreeSet<ModPath>, path: &[String], depth: usize) -> ModPath {
    let mut n = Vec::new();
    for seg in path.iter().take(depth) {
        n.push(seg.clone());
        if !modules.contains(&n) {
            n.pop();
            break;
        }
    }
    n
}

/// The edges between modules at `depth` that share their parent (siblings), by file.
fn sibling_edges(sources: &[Source], depth: usize) -> BTreeMap<ModPath, BTreeSet<ModPath>> {
    let modules: BTreeSet<ModPath> = sources.iter().map(|s| s.module.clone()).collect();
    let mut edges: BTreeMap<ModPath, BTreeSet<ModPath>> = BTreeMap::new();
    for s in sources.iter().filter(|s| s.module.len() >= depth) {
        let from = s.module[..depth].to_vec();
        for u in &s.uses {
            let to = node(&modules, u, depth);
            if to.len() == depth && to[..depth - 1] == from[..depth - 1] && to != from {
                edges.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    edges
}

/// The cycles of a graph: each group of modules that reach one another (a strongly
/// connected component of more than one), as their names.
fn cycles(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>) -> Vec<Vec<String>> {
    fn reach(edges: &BTreeMap<ModPath, BTreeSet<ModPath>>, from: &ModPath) -> BTreeSet<ModPath> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(n) = todo.pop() {
            for next in edges.get(&n).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    }
    let reached: BTreeMap<&ModPath, BTreeSet<ModPath>> =
        edges.keys().map(|n| (n, reach(edges, n))).collect();
    let mut groups: BTreeSet<Vec<String>> = BTreeSet::new();
    for (n, from_n) in &reached {
        let group: Vec<String> = from_n
            .iter()
            .filter(|m| reached.get(m).is_some_and(|r| r.contains(*n)))
            .map(|m| m.join("::"))
            .collect();
        if group.len() > 1 {
            groups.insert(group);
        }
    }
    groups.into_iter().collect()
}

fn crate_sources(root: &str, keep: impl Fn(&Path) -> bool) -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    files.retain(|f| keep(f.strip_prefix(&src).unwrap()));
    files.sort();
    assert!(
        files.iter().any(|f| f.ends_with(root)),
        "no {root} under src/"
    );
    sources(&src, &files)
}

fn is_binary(rel: &Path) -> bool {
    rel == Path::new("main.rs") || rel == Path::new("cli.rs") || rel.starts_with("cli")
}

#[test]
fn layers_use_only_the_layers_below_them_and_siblings_form_no_cycle() {
    let lib = crate_sources("lib.rs", |rel| !is_binary(rel));
    let bin = crate_sources("main.rs", is_binary);
    let layer = |m: &str| LAYERS.iter().position(|l| *l == m);

    let mut upward = Vec::new();
    let mut graph: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for s in lib.iter().filter(|s| !s.module.is_empty()) {
        let from = s.module[0].as_str();
        let own = layer(from).unwrap_or_else(|| panic!("`{from}` is in no layer of LAYERS"));
        for u in s.uses.iter().filter(|u| !u.is_empty()) {
            let Some(to) = layer(&u[0]) else { continue };
            if to != own {
                graph.entry(from).or_default().insert(LAYERS[to]);
            }
            if to > own {
                upward.push(format!("{} uses {}", s.module.join("::"), u.join("::")));
            }
        }
    }
    println!("layers (each uses those listed after the arrow):");
    for l in LAYERS.iter().rev() {
        let below: Vec<&str> = graph.get(l).into_iter().flatten().copied().collect();
        println!("  {l:<10} → {}", below.join(", "));
    }

    let mut loops = Vec::new();
    for (name, sources) in [("library", &lib), ("command line", &bin)] {
        for depth in 2..=3 {
            let edges = sibling_edges(sources, depth);
            if depth == 2 {
                println!("{name}, modules beside each other:");
                for (from, tos) in &edges {
                    let tos: Vec<String> = tos.iter().map(|t| t.join("::")).collect();
                    println!("  {:<24} → {}", from.join("::"), tos.join(", "));
                }
            }
            loops.extend(cycles(&edges).into_iter().map(|c| c.join(" → ") + " → …"));
        }
    }
    assert!(upward.is_empty(), "upward uses:\n{}", upward.join("\n"));
    assert!(
        loops.is_empty(),
        "modules that reach each other round a cycle:\n{}",
        loops.join("\n")
    );
}

#[test]
fn the_graph_reader_expands_use_trees_and_resolves_super() {
    let found = paths("use super::{a, b::{C, d::E}, self};\nlet x = crate::f::g(1);");
    assert_eq!(
        found,
        vec![
            vec!["super", "a"],
            vec!["super", "b", "C"],
            vec!["super", "b", "d", "E"],
            vec!["super", "self"],
            vec!["crate", "f", "g"],
        ]
    );
    let module = vec!["store".to_string(), "events".to_string()];
    let path: Vec<String> = vec!["super".into(), "packs".into(), "Pack".into()];
    assert_eq!(
        resolve(&module, &path),
        Some(vec!["store".into(), "packs".into(), "Pack".into()])
    );
    assert_eq!(
        strip_comments("a // crate::x\n\"http://y\" b"),
        "a \n\"http://y\" b"
    );
    assert_eq!(
        strip_tests("a\n#[cfg(test)]\nuse x;\nb\n#[cfg(test)]\nmod tests { fn f() { g() } }\nc"),
        "a\n\nb\n\nc"
    );
}
