//! docs/ci.md is copied into CI files as is: its rules must parse and every flag its
//! commands use must exist.

use std::process::Command;

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ci.md")).unwrap()
}

/// The fenced blocks of `lang`.
fn blocks(doc: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in doc.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l == format!("```{lang}") => cur = Some(String::new()),
            (Some(b), "```") => {
                out.push(std::mem::take(b));
                cur = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn the_rules_snippet_parses() {
    let toml = blocks(&doc(), "toml");
    assert_eq!(toml.len(), 1, "one .microscope.toml example");
    let loaded = microscope::report::ci::config::parse_toml(&toml[0], ".microscope.toml")
        .expect("valid rules");
    assert_eq!(loaded.rules.max_final_bytes, Some(250_000_000));
}

#[test]
fn every_flag_in_the_snippets_exists() {
    let help = Command::new(env!("CARGO_BIN_EXE_microscope"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout).to_string();
    let yaml = blocks(&doc(), "yaml").join("\n");
    assert!(yaml.contains("microscope docker-archive:app.tar --ci"));
    // Flags of the other tools the snippets call (cargo, gh; apk's --no-cache is also ours).
    const FOREIGN: [&str; 4] = ["--locked", "--git", "--body-file", "--edit-last"];
    let mut seen = 0;
    for word in yaml.split_whitespace() {
        let flag = word.trim_end_matches(|c: char| !(c.is_ascii_alphanumeric() || c == '-'));
        if flag.starts_with("--") && !FOREIGN.contains(&flag) {
            seen += 1;
            assert!(
                help.contains(flag),
                "docs/ci.md uses {flag}, which --help lacks"
            );
        }
    }
    assert!(seen >= 4, "the snippets were read ({seen} flags)");
}
