//! Every string an image supplies (paths, layer commands, package names, titles that quote
//! them) is escaped for the sink it goes to, by one helper per sink:
//!
//! - [`text`]: a terminal or a CI runner's log. Control characters are shown visibly
//!   (`\x1b`, `\n`), as are C1 controls and the bidirectional overrides that reorder what a
//!   reader sees; a value cannot start a CI workflow command (`::warning …` on GitHub,
//!   `##[…]`/`##vso[…]` on Azure).
//! - [`log`]: the whole text or Markdown body on its way out, a second fence: no line of it
//!   may carry a raw control character or start a workflow command, whichever field missed
//!   its escaping.
//! - [`markdown`], [`md_code`], [`md_code_span`], [`md_fix`]: GitHub-flavoured Markdown,
//!   prose escaped so it can carry neither links, HTML nor table breaks, code as code spans.
//!
//! Dockerfiles have their own rules (`analysis::rewrite::dockerfile`).

use std::borrow::Cow;

/// Characters that are never shown raw: C0 and C1 controls, DEL, and the Unicode format
/// characters that reorder or hide text (bidi embeddings, overrides and isolates).
fn hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// One value for a terminal or a log line: on one line, control characters visible, and
/// unable to start or carry a CI workflow command.
pub fn text(s: &str) -> Cow<'_, str> {
    if !s.chars().any(hidden) && !commands(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hidden(c) {
            push_visible(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(defuse(&out))
}

/// Whether `s` could be read as a workflow command at the start of a line, or holds an
/// Azure-style command anywhere.
fn commands(s: &str) -> bool {
    s.trim_start().starts_with("::") || s.contains("##[") || s.contains("##vso[")
}

/// `::` at the start (after blanks) becomes `\x3a:`; `##[` and `##vso[` become `#\x23[…`.
fn defuse(s: &str) -> String {
    let mut out = s.replace("##[", "#\\x23[").replace("##vso[", "#\\x23vso[");
    let blanks = out.len() - out.trim_start().len();
    if out[blanks..].starts_with("::") {
        out.replace_range(blanks..blanks + 1, "\\x3a");
    }
    out
}

/// A whole text, Markdown or JSON body: every line cleared of raw control characters (tabs
/// and the newlines between lines kept) and of workflow commands. The escapes it writes are
/// JSON's (`\u009b`, `\u0023`), so a JSON report stays valid JSON (serde_json leaves C1
/// controls and bidi overrides raw) and still reads back as the same strings.
pub fn log(body: &str) -> Cow<'_, str> {
    let clean = |l: &str| !l.chars().any(|c| c != '\t' && hidden(c)) && !commands(l);
    if body.split('\n').all(clean) {
        return Cow::Borrowed(body);
    }
    let lines: Vec<String> = body
        .split('\n')
        .map(|l| {
            if clean(l) {
                return l.to_string();
            }
            let mut out = String::with_capacity(l.len() + 8);
            for c in l.chars() {
                if c != '\t' && hidden(c) {
                    out.push_str(&format!("\\u{:04x}", u32::from(c)));
                } else {
                    out.push(c);
                }
            }
            let out = out
                .replace("##[", "#\\u0023[")
                .replace("##vso[", "#\\u0023vso[");
            let blanks = out.len() - out.trim_start().len();
            if out[blanks..].starts_with("::") {
                format!("{}\\u003a{}", &out[..blanks], &out[blanks + 1..])
            } else {
                out
            }
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// Untrusted text for Markdown prose or a table cell: one line, control characters
/// visible, Markdown and HTML specials escaped.
pub fn markdown(s: &str) -> String {
    let s = text(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Untrusted text as an inline code span in a table cell.
pub fn md_code(s: &str) -> String {
    md_code_span(s, true)
}

/// An inline code span that survives any backticks inside it (and pipes, in a table);
/// control characters are shown visibly, so the span stays on its line.
pub fn md_code_span(s: &str, in_table: bool) -> String {
    let mut flat = text(s).into_owned();
    // In a GFM table a pipe ends the cell even inside a code span, unless escaped; outside
    // a table the backslash would show.
    if in_table {
        flat = flat.replace('|', "\\|");
    }
    let mut longest = 0;
    let mut run = 0;
    for c in flat.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest > 0 || flat.starts_with(' ') || flat.ends_with(' ') {
        format!("{fence} {flat} {fence}")
    } else {
        format!("{fence}{flat}{fence}")
    }
}

/// Dockerfile instructions: a fix that starts with one is a line to paste, shown as code.
const INSTRUCTIONS: [&str; 8] = [
    "RUN ", "FROM ", "COPY ", "ADD ", "ENV ", "ARG ", "USER ", "WORKDIR ",
];

/// A finding's fix for a table cell. Fixes are either a Dockerfile line (shown as code) or
/// prose with `inline code` (kept as code spans, the prose escaped). The text can quote
/// layer commands, which come from the image, so neither part may carry markup through.
pub fn md_fix(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() == 1 {
        return if INSTRUCTIONS.iter().any(|i| s.starts_with(i)) {
            md_code(s)
        } else {
            markdown(s)
        };
    }
    if parts.len().is_multiple_of(2) {
        // Unbalanced backticks: no way to tell code from prose.
        return md_code(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if i % 2 == 0 {
                markdown(p)
            } else if p.is_empty() {
                String::new()
            } else {
                md_code(p)
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_text_shows_controls_and_defuses_commands() {
        assert_eq!(text("/usr/bin/x"), "/usr/bin/x");
        assert_eq!(text("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(text("t\x1b]52;c;aGk=\x07"), "t\\x1b]52;c;aGk=\\x07");
        assert_eq!(text("x\n::warning::y"), "x\\n::warning::y");
        assert_eq!(text("::error::y"), "\\x3a:error::y");
        assert_eq!(text("  ::error::y"), "  \\x3a:error::y");
        assert_eq!(text("a ##[error]b"), "a #\\x23[error]b");
        assert_eq!(
            text("##vso[task.setvariable]"),
            "#\\x23vso[task.setvariable]"
        );
        assert_eq!(text("\u{9b}2J \u{202e}gpj"), "\\u{9b}2J \\u{202e}gpj");
        assert_eq!(
            text("Foo::Bar"),
            "Foo::Bar",
            "only a leading :: is a command"
        );
    }

    #[test]
    fn a_body_keeps_its_lines_but_loses_commands_and_controls() {
        assert_eq!(log("a\n\tb\n"), "a\n\tb\n");
        assert_eq!(
            log("a\n::warning title=x::y\n"),
            "a\n\\u003a:warning title=x::y\n"
        );
        assert_eq!(log("a\x1b[31m\r\n"), "a\\u001b[31m\\u000d\n");
        // JSON stays JSON: serde_json leaves C1 controls and bidi overrides raw.
        let s = "p\u{9b}2J ##[error] ##vso[x] \u{202e}";
        let json = format!(
            "{{\n  \"k\": {}\n}}",
            serde_json::to_string(s).unwrap_or_default()
        );
        let back: serde_json::Value = serde_json::from_str(&log(&json)).unwrap_or_default();
        assert_eq!(back["k"], s);
        assert!(!log(&json).contains("##["));
    }

    #[test]
    fn untrusted_text_cannot_break_the_table() {
        assert_eq!(markdown("a|b<script>"), "a\\|b&lt;script&gt;");
        assert_eq!(markdown("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(markdown("a\nb"), "a\\\\nb");
        assert_eq!(md_code("a`b|c"), "`` a`b\\|c ``");
        assert_eq!(md_code("/usr/bin/x"), "`/usr/bin/x`");
        assert_eq!(md_code("line\nbreak"), "`line\\nbreak`");
        assert_eq!(md_code("\x1b]0;t\x07"), "`\\x1b]0;t\\x07`");
    }

    #[test]
    fn fixes_keep_their_code_and_escape_their_prose() {
        assert_eq!(md_fix("RUN apt-get clean"), "`RUN apt-get clean`");
        assert_eq!(
            md_fix("drop `chmod -R` from layer 4 <b>"),
            "drop `chmod -R` from layer 4 &lt;b&gt;"
        );
        assert_eq!(md_fix("use `a|b`"), "use `a\\|b`");
        assert_eq!(md_fix("odd ` tick"), "`` odd ` tick ``");
        assert_eq!(md_fix("set [x](y)"), "set \\[x\\](y)");
        assert_eq!(md_fix(""), "");
    }
}
