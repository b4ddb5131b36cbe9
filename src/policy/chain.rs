//! The `extends` chain: a policy file and the files it extends, read and parsed root
//! first, with cycles and unreadable parents reported where the `extends` is written.

use std::path::Path;

use super::compile::{Compiler, Parsed, Reader};
use super::problem::{Problem, SourceText};
use super::raw;

impl Compiler {
    /// Reads `name` and the files it extends, root first; stops at a cycle or missing file.
    pub(super) fn read_chain(&mut self, name: &str, read: Reader) -> Option<Vec<Parsed>> {
        let mut chain: Vec<Parsed> = Vec::new();
        let mut next = Some((name.to_string(), None::<(usize, std::ops::Range<usize>)>));
        let root_name = Path::new(name)
            .file_name()
            .map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned());
        while let Some((name, from)) = next.take() {
            let text = match read(&name) {
                Ok(t) => t,
                Err(e) => {
                    let problem = match &from {
                        Some((i, span)) => chain[*i].src.problem(
                            span.clone(),
                            format!("cannot read extended policy `{name}`: {e}"),
                        ),
                        None => {
                            Problem::at_start(name.clone(), format!("cannot read policy file: {e}"))
                        }
                    };
                    self.problems.push(problem);
                    return None;
                }
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            let src = SourceText::new(name.clone(), text);
            self.sources.push(src.clone());
            let file = match toml::from_str::<raw::File>(&src.text) {
                Ok(f) => f,
                Err(e) => {
                    let span = e.span().unwrap_or(0..0);
                    self.problems.push(src.problem(span, toml_message(&e)));
                    return None;
                }
            };
            if let Some(ext) = &file.policy.extends {
                // A parent lives beside the policy that extends it (or below): a path that
                // climbs out or starts at the root could read any file on the machine.
                let inside = Path::new(ext.get_ref())
                    .components()
                    .all(|c| matches!(c, std::path::Component::Normal(_)));
                if !inside || ext.get_ref().is_empty() {
                    self.problems.push(
                        src.problem(
                            ext.span(),
                            format!(
                                "`extends = \"{}\"` leaves the policy's folder",
                                crate::domain::text::clip(ext.get_ref())
                            ),
                        )
                        .with_help(
                            "name a file beside this one, e.g. `extends = \"company.toml\"`",
                        ),
                    );
                    return None;
                }
                let parent = join(&name, ext.get_ref());
                if parent == name || chain.iter().any(|p| p.src.name == parent) {
                    self.problems.push(src.problem(
                        ext.span(),
                        format!("`extends` makes a cycle through `{parent}`"),
                    ));
                    return None;
                }
                next = Some((parent, Some((chain.len(), ext.span()))));
            }
            let stored_name = match &from {
                None => root_name.clone(),
                Some((i, _)) => join(
                    &chain[*i].stored_name,
                    chain[*i]
                        .file
                        .policy
                        .extends
                        .as_ref()
                        .map_or("", |e| e.get_ref()),
                ),
            };
            chain.push(Parsed {
                src,
                file,
                stored_name,
            });
        }
        Some(chain)
    }
}

/// Resolves `extends` relative to the file that names it.
fn join(from: &str, rel: &str) -> String {
    match Path::new(from).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(rel).to_string_lossy().into_owned(),
        _ => rel.to_string(),
    }
}

/// toml's message without its own rendering of the position (we print `file:line:col`).
fn toml_message(e: &toml::de::Error) -> String {
    e.message().trim().to_string()
}
