//! A pass over a YAML stream's events before it is loaded, so a `.dive-ci` from a pull
//! request cannot take the runner down. The loader copies every alias (a "billion laughs"
//! of 467 bytes expands to 24 GB) and drops nested values recursively (a megabyte of `[`
//! overflows the stack); this pass counts what the loader would build, aliases expanded,
//! without building it, and refuses a stream over the bounds.

use std::collections::HashMap;
use yaml_rust2::Event;
use yaml_rust2::parser::{EventReceiver, Parser};

/// Nodes the loaded documents may hold, aliases expanded. dive's config has a handful.
pub const MAX_NODES: u64 = 100_000;
/// Nesting depth of sequences and mappings.
pub const MAX_DEPTH: usize = 64;

/// Why a stream was refused; the text completes "not valid YAML: ...".
#[derive(Debug, Clone, PartialEq)]
pub struct Refused(pub String);

#[derive(Default)]
struct Counter {
    /// Expanded size of each anchored node, by anchor id.
    anchors: HashMap<usize, u64>,
    /// Open collections: their anchor id and their size so far.
    open: Vec<(usize, u64)>,
    total: u64,
    refused: Option<String>,
}

impl Counter {
    /// A finished node of `size` nodes: it counts towards its parent and, if anchored, is
    /// remembered for the aliases that refer to it.
    fn close(&mut self, anchor: usize, size: u64) {
        if anchor != 0 {
            self.anchors.insert(anchor, size);
        }
        match self.open.last_mut() {
            Some((_, parent)) => *parent = parent.saturating_add(size),
            None => self.total = self.total.saturating_add(size),
        }
        if self
            .total
            .saturating_add(self.open.iter().map(|o| o.1).sum::<u64>())
            > MAX_NODES
            && self.refused.is_none()
        {
            self.refused = Some(format!(
                "more than {MAX_NODES} nodes once aliases are expanded (an alias bomb?)"
            ));
        }
    }
}

impl EventReceiver for Counter {
    fn on_event(&mut self, ev: Event) {
        if self.refused.is_some() {
            return;
        }
        match ev {
            Event::Scalar(_, _, anchor, _) => self.close(anchor, 1),
            Event::Alias(id) => {
                let size = self.anchors.get(&id).copied().unwrap_or(1);
                self.close(0, size);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.open.len() >= MAX_DEPTH {
                    self.refused = Some(format!("nested deeper than {MAX_DEPTH} levels"));
                }
                self.open.push((anchor, 1));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((anchor, size)) = self.open.pop() {
                    self.close(anchor, size);
                }
            }
            _ => {}
        }
    }
}

/// Checks `text` against the bounds. A syntax error is left for the loader to report.
/// Events are pulled one by one: the parser's own `load` recurses per nesting level and
/// overflows the stack on a deep enough document before any bound could be checked.
pub fn check(text: &str) -> Result<(), Refused> {
    let mut counter = Counter::default();
    let mut parser = Parser::new_from_str(text);
    while counter.refused.is_none() {
        match parser.next_token() {
            Ok((Event::StreamEnd, _)) | Err(_) => break,
            Ok((ev, _)) => counter.on_event(ev),
        }
    }
    counter.refused.map_or(Ok(()), |why| Err(Refused(why)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Nine levels of nine aliases each: 9^9 nodes once expanded, from a few hundred bytes.
    pub fn laughs() -> String {
        let mut s = String::from("a0: &a0 [\"lol\"]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(",");
            s.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        s
    }

    #[test]
    fn an_alias_bomb_is_refused_without_expanding_it() {
        let bomb = laughs();
        assert!(bomb.len() < 600, "{} bytes", bomb.len());
        let err = check(&bomb).unwrap_err();
        assert!(err.0.contains("aliases are expanded"), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = "- ".repeat(100_000) + "x";
        assert!(check(&deep).unwrap_err().0.contains("nested deeper"));
        // The scanner refuses flow collections deeper than 255 itself.
        assert!(check(&"[".repeat(100_000)).is_ok());
    }

    #[test]
    fn ordinary_configs_and_small_aliases_pass() {
        let ok = "base: &b {lowestEfficiency: 0.9}\nrules: *b\nlist: [1, 2, *b]\n";
        assert_eq!(check(ok), Ok(()));
        assert_eq!(check("rules:\n  lowestEfficiency: 0.95\n"), Ok(()));
        assert_eq!(
            check(": : :\n  - ["),
            Ok(()),
            "syntax errors are the loader's"
        );
    }
}
