//! Reading layer commands (`created_by`) back into Dockerfile instructions, so a fix can
//! quote the line that caused a finding and say what to write instead.
//!
//! The classic builder writes `/bin/sh -c CMD` for RUN and `/bin/sh -c #(nop) COPY ...`
//! for the rest; BuildKit writes `RUN /bin/sh -c CMD # buildkit` (with `|N ARG=v ...` when
//! build args are set) and `COPY src dst # buildkit`.

/// Longest command quoted in a fix.
const MAX_QUOTE: usize = 120;

/// The shell command of a RUN layer; None for COPY, ADD and unknown instructions.
pub fn run_command(created_by: &str) -> Option<String> {
    let s = created_by.trim();
    let s = s.strip_suffix("# buildkit").unwrap_or(s).trim_end();
    let s = match s.strip_prefix("RUN ") {
        // Build args are listed before the shell: `|2 A=1 B=2 /bin/sh -c ...`.
        Some(rest) if rest.starts_with('|') => &rest[rest.find("/bin/sh -c ")?..],
        Some(rest) => rest,
        None => s,
    };
    let cmd = s.strip_prefix("/bin/sh -c ").unwrap_or(s).trim();
    let other = cmd.starts_with("#(nop)")
        || ["COPY ", "ADD ", "WORKDIR ", "ENV ", "USER "]
            .iter()
            .any(|p| cmd.starts_with(p));
    (!cmd.is_empty() && !other).then(|| squash(cmd))
}

/// The instruction as a user would recognise it: `RUN apt-get ...`, `COPY app /app`.
pub fn describe(created_by: &str) -> String {
    if let Some(cmd) = run_command(created_by) {
        return format!("RUN {}", quote(&cmd));
    }
    let s = created_by.trim();
    let s = s.strip_suffix("# buildkit").unwrap_or(s);
    let s = s.strip_prefix("/bin/sh -c ").unwrap_or(s);
    let s = s.strip_prefix("#(nop)").unwrap_or(s).trim();
    if s.is_empty() {
        "an unknown instruction".into()
    } else {
        quote(&squash(s))
    }
}

/// `layer 3 (`RUN apt-get ...`)`.
pub fn layer_ref(layer: u32, created_by: &str) -> String {
    format!("layer {layer} (`{}`)", describe(created_by))
}

/// A fix: Dockerfile lines to paste (empty when no line fits) and the prose around them.
pub type Fix = (String, String);

/// `RUN <the layer's command> && <extra>` when the layer is a RUN. Otherwise the files were
/// copied in, and the cleanup belongs where they are produced, before the copy: `RUN <extra>`
/// in the stage that produces them, or, for a base image's root filesystem, no line at all.
pub fn append(created_by: &str, extra: &str) -> Fix {
    if let Some(cmd) = run_command(created_by) {
        return (
            format!("RUN {cmd} && {extra}"),
            "the same RUN that writes the files removes them: a later layer cannot free bytes \
             an earlier one stored"
                .into(),
        );
    }
    let added = describe(created_by);
    if is_base(created_by) {
        return (
            String::new(),
            format!(
                "they come with the base image (`{added}`): pick a slimmer variant (a -slim tag) \
                 or clean the root filesystem it is made from (`{extra}`); deleting them in a \
                 later layer frees nothing"
            ),
        );
    }
    (
        format!("RUN {extra}"),
        format!(
            "in the stage that produces the files, before `{added}` copies them; deleting them \
             in a later layer frees nothing"
        ),
    )
}

/// `ADD file:<digest> in /`: how a base image's root filesystem shows in history.
fn is_base(created_by: &str) -> bool {
    let d = describe(created_by);
    d.starts_with("ADD file:") && d.ends_with(" in /")
}

/// The layer's RUN with `from` replaced by `to` (`apk add` → `apk add --no-cache`), when it
/// contains `from`. Whole, never cut: it is a line to paste.
pub fn rewrite(created_by: &str, from: &str, to: &str) -> Option<String> {
    let cmd = run_command(created_by)?;
    cmd.contains(from)
        .then(|| format!("RUN {}", cmd.replacen(from, to, 1)))
}

/// Whitespace runs (line continuations included) as one space.
fn squash(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| *w != "\\")
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(s: &str) -> String {
    if s.chars().count() <= MAX_QUOTE {
        return s.to_string();
    }
    let head: String = s.chars().take(MAX_QUOTE - 1).collect();
    format!("{head}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_classic_and_buildkit_history() {
        let classic = "/bin/sh -c apt-get update &&     apt-get install -y curl";
        assert_eq!(
            run_command(classic).as_deref(),
            Some("apt-get update && apt-get install -y curl")
        );
        let kit = "RUN |1 LDFLAGS=-s -w /bin/sh -c cd /src && go build . # buildkit";
        assert_eq!(run_command(kit).as_deref(), Some("cd /src && go build ."));
        assert_eq!(run_command("/bin/sh -c #(nop) COPY dir:ab in /src "), None);
        assert_eq!(run_command("COPY hello/ /src/hello/ # buildkit"), None);
        assert_eq!(
            describe("/bin/sh -c #(nop) COPY dir:ab in /src "),
            "COPY dir:ab in /src"
        );
        assert_eq!(
            append("RUN /bin/sh -c apt-get update # buildkit", "rm -rf /x").0,
            "RUN apt-get update && rm -rf /x"
        );
        let (line, why) = append("/bin/sh -c #(nop) ADD file:0a1b in / ", "rm -rf /x");
        assert_eq!(line, "", "no line fixes a base image's files");
        assert!(why.contains("base image (`ADD file:0a1b in /`)"), "{why}");
        let (line, why) = append("COPY build/ /app/ # buildkit", "rm -rf /x");
        assert_eq!(line, "RUN rm -rf /x");
        assert!(
            why.contains("before `COPY build/ /app/` copies them"),
            "{why}"
        );
        let long = format!("/bin/sh -c apt-get install -y {}", "pkg ".repeat(60));
        let (line, _) = append(&long, "rm -rf /x");
        assert!(
            !line.contains('…') && line.ends_with("pkg && rm -rf /x"),
            "a line is never cut"
        );
        assert_eq!(
            rewrite("/bin/sh -c apk add curl", "apk add", "apk add --no-cache").as_deref(),
            Some("RUN apk add --no-cache curl")
        );
    }
}
