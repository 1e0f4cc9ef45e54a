//! scripts/symbol-order.txt, the functions the release binary's linker puts first (build.rs):
//! one symbol a line as lld reads it, each once, start-up first. A hand edit that breaks the
//! format would not fail the build (lld ignores names it does not know), so it fails here.

use std::collections::HashSet;

const ORDER: &str = include_str!("../scripts/symbol-order.txt");

#[test]
fn the_order_file_is_one_symbol_a_line_each_once() {
    let names: Vec<&str> = ORDER.lines().collect();
    assert!(
        names.len() >= 500,
        "only {} names: regenerate with scripts/symbol-order.sh",
        names.len()
    );
    let mut seen = HashSet::new();
    for (i, name) in names.iter().enumerate() {
        assert!(
            !name.is_empty() && !name.contains(char::is_whitespace),
            "line {}: {name:?} is not one symbol",
            i + 1
        );
        assert!(seen.insert(name), "line {}: {name} is listed twice", i + 1);
    }
}

#[test]
fn start_up_comes_first() {
    // The profile of `--version` leads, so what every run executes shares the first pages.
    let first: Vec<&str> = ORDER.lines().take(200).collect();
    assert!(
        first.contains(&"main"),
        "`main` is not among the first 200 names"
    );
    assert!(
        first.iter().any(|n| n.contains("lang_start")),
        "std's start-up is not among the first 200 names"
    );
}
