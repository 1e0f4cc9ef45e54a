//! The README's key table is the keymap's: regenerate it with
//! `cargo test --test tui readme -- --ignored --nocapture` when keys change.

use microscope::tui::keymap::Keymap;

#[test]
fn readme_key_table_matches_the_keymap() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let table = Keymap::defaults().markdown();
    assert!(
        readme.contains(&table),
        "README.md's key table is stale; paste this in:\n{table}"
    );
}

#[test]
#[ignore]
fn print_key_table() {
    print!("{}", Keymap::defaults().markdown());
}
