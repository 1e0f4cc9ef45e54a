//! Values from the image config written into a Dockerfile, per the Dockerfile grammar. Every
//! one of them (Env, WorkingDir, User, ExposedPorts, a Go version, apk package names, paths)
//! is chosen by the image's author, and a newline would start an instruction of theirs in a
//! file the user builds. A value is either written so the Dockerfile parser reads back
//! exactly it, or refused (`None` / `false`) and left out with a note in `assumes`.
//!
//! - ENV, ARG and WORKDIR values go inside double quotes, where BuildKit's lexer unescapes
//!   exactly `\"`, `\\` and `\$` (so no variable is expanded). Nothing writes a control
//!   character there: a value holding one is refused.
//! - Names (ENV keys, USER, EXPOSE ports, image tags, apk packages) must match their plain
//!   grammar; anything else is refused.
//! - Exec forms (RUN, ENTRYPOINT, CMD, COPY) are JSON, which escapes everything itself.

/// `"v"` with `\`, `"` and `$` escaped; None when `v` holds a control character.
pub fn quoted(v: &str) -> Option<String> {
    if v.chars().any(char::is_control) {
        return None;
    }
    let mut out = String::with_capacity(v.len() + 2);
    out.push('"');
    for c in v.chars() {
        if matches!(c, '\\' | '"' | '$') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Some(out)
}

/// A value written bare when it needs no quoting (so common values read as before),
/// quoted otherwise.
pub fn word(v: &str) -> Option<String> {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-:@+,=".contains(c));
    if plain {
        Some(v.to_string())
    } else {
        quoted(v)
    }
}

/// An environment variable name Docker and a shell accept: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn env_key_ok(k: &str) -> bool {
    let mut chars = k.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `USER name|uid[:group|gid]`, names as `useradd` takes them.
pub fn user_ok(u: &str) -> bool {
    let part = |p: &str| {
        !p.is_empty()
            && !p.starts_with('-')
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    };
    match u.split_once(':') {
        Some((user, group)) => part(user) && part(group),
        None => part(u),
    }
}

/// `EXPOSE` ports: `80`, `80/tcp`, `8000-8010/udp`.
pub fn port_ok(p: &str) -> bool {
    let (range, proto) = p.split_once('/').unwrap_or((p, "tcp"));
    let number = |n: &str| !n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit());
    let range_ok = match range.split_once('-') {
        Some((a, b)) => number(a) && number(b),
        None => number(range),
    };
    range_ok && matches!(proto.to_ascii_lowercase().as_str(), "tcp" | "udp" | "sctp")
}

/// An image tag (`1.22.3`, `1.22-alpine`), per the distribution spec's tag grammar.
pub fn tag_ok(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && t.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

/// An apk package name: it goes on a command line, so it may not look like an option.
pub fn apk_name_ok(n: &str) -> bool {
    !n.is_empty()
        && !n.starts_with('-')
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
}

/// A comment line: control characters shown as `\x..`, so the comment stays one line.
pub fn comment(s: &str) -> String {
    if s.is_empty() {
        return "#".into();
    }
    let mut out = String::from("# ");
    for c in s.chars() {
        if c.is_control() {
            out.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// A note for `assumes` about a value left out; the value is shown escaped.
pub fn dropped(what: &str, value: &str, why: &str) -> String {
    format!(
        "{what} {:?} left out of the Dockerfile: {why}",
        value.chars().take(80).collect::<String>()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_quoted_or_refused() {
        assert_eq!(
            quoted(r#"a "b" $c \d"#).as_deref(),
            Some(r#""a \"b\" \$c \\d""#)
        );
        assert_eq!(quoted("a\nRUN x"), None);
        assert_eq!(quoted("a\rb"), None);
        assert_eq!(word("demo/fat:latest").as_deref(), Some("demo/fat:latest"));
        assert_eq!(word("a b").as_deref(), Some("\"a b\""));
    }

    #[test]
    fn names_follow_their_grammar() {
        assert!(env_key_ok("PATH") && env_key_ok("_x1"));
        assert!(!env_key_ok("1A") && !env_key_ok("A B") && !env_key_ok("A\nRUN"));
        assert!(user_ok("1000:1000") && user_ok("app") && user_ok("www-data"));
        assert!(!user_ok("root\nRUN id") && !user_ok("a b") && !user_ok("-x"));
        assert!(port_ok("80/tcp") && port_ok("53/udp") && port_ok("8000-8010"));
        assert!(!port_ok("80/tcp\nRUN x") && !port_ok("x") && !port_ok("80/http"));
        assert!(tag_ok("1.22.3") && !tag_ok("1\nRUN x") && !tag_ok("-x"));
        assert!(
            apk_name_ok("libstdc++") && !apk_name_ok("x;sh") && !apk_name_ok("--allow-untrusted")
        );
        assert_eq!(comment("a\nRUN x"), "# a\\x0aRUN x");
    }
}
