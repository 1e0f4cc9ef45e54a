//! The design's arrows as an executable rule (see the README's architecture section): reads
//! every file under `src/`, resolves the paths its code names (`use` trees, `crate::…`,
//! `super::…`, `microscope::…` in the binary) to the file that defines the item, and fails
//! on an import cycle between files or on an arrow the design forbids.
//!
//! A path is followed through re-exports (`pub use`) to the file that defines the item, so a
//! module that only re-exports a lower one's type does not count as the user's dependency.
//! Comments are ignored. A module's `mod` declarations are not imports, and a file's arrows
//! to its own ancestors or descendants (`super::Type`, `child::f`) are the module's inside.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// (from, to): files under module `from` must not name anything under module `to`.
const FORBIDDEN: &[(&str, &str, &str)] = &[
    ("image", "tui", "the model never knows the views"),
    ("image", "jobs", "the model never knows the jobs"),
    (
        "image",
        "source",
        "the model never knows where bytes come from",
    ),
    ("image", "cache", "the model never knows the cache"),
    ("image", "analysis", "the model never imports an analysis"),
    ("scan", "tui", "the scanner never knows the views"),
    ("scan", "jobs", "the scanner never knows the jobs"),
    ("scan", "source", "the scanner reads a stream, not a source"),
    ("scan", "cache", "the scanner never knows the cache"),
    (
        "scan",
        "analysis",
        "the scanner records facts; analyses interpret them",
    ),
    ("analysis", "tui", "analyses never know the views"),
    ("analysis", "jobs", "analyses never know the jobs"),
    (
        "analysis",
        "source",
        "analyses never know where bytes come from",
    ),
    ("analysis", "cache", "analyses never know the cache"),
    ("report", "tui", "reports never know the views"),
    ("report", "jobs", "reports never know the jobs"),
    (
        "report",
        "source",
        "reports never know where bytes come from",
    ),
    ("report", "cache", "reports never know the cache"),
    ("tui", "source", "the UI asks jobs/ to open images"),
    ("tui", "cache", "the UI asks jobs/ for cached scans"),
    ("tui", "scan", "the UI never runs the scanner"),
];

/// One file of the crate: its module path and its code with comments removed.
struct File {
    path: PathBuf,
    module: Vec<String>,
    code: String,
    /// Whether `crate::` means the binary (main.rs and its modules) rather than the library.
    bin: bool,
}

#[test]
fn no_import_cycles_between_files() {
    let graph = Graph::load();
    let cycles = graph.cycles();
    assert!(
        cycles.is_empty(),
        "import cycles between files (move the shared type into the lower file or a small \
         module both use):\n{}",
        cycles
            .iter()
            .map(|c| format!("  {}", c.join(" -> ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn no_forbidden_arrows() {
    let graph = Graph::load();
    let mut broken = Vec::new();
    for (from, tos) in &graph.edges {
        for to in tos {
            let (f, t) = (&graph.files[*from], &graph.files[*to]);
            for (a, b, why) in FORBIDDEN {
                if !f.bin && under(&f.module, a) && under(&t.module, b) {
                    broken.push(format!(
                        "  {} uses {} ({why})",
                        f.path.display(),
                        t.path.display()
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "forbidden arrows:\n{}",
        broken.join("\n")
    );
}

/// The checker itself can fail: a cycle and a forbidden arrow written in memory are found.
#[test]
fn the_checker_sees_a_cycle_and_a_forbidden_arrow() {
    let file = |path: &str, module: &str, code: &str| File {
        path: PathBuf::from(path),
        module: module.split("::").map(String::from).collect(),
        code: code.to_string(),
        bin: false,
    };
    let graph = Graph::from_files(vec![
        file("a.rs", "scan::a", "use super::b::Thing;\npub struct Other;"),
        file(
            "b.rs",
            "scan::b",
            "pub struct Thing;\nfn f() { crate::scan::a::Other; crate::analysis::x::y(); }",
        ),
        file("x.rs", "analysis::x", "pub fn y() {}"),
    ]);
    assert_eq!(graph.cycles(), vec![vec!["a.rs", "b.rs", "a.rs"]]);
    let b_uses: Vec<_> = graph.edges[&1]
        .iter()
        .map(|i| graph.files[*i].module.join("::"))
        .collect();
    assert_eq!(b_uses, ["scan::a", "analysis::x"]);
}

/// A module and its own parent (or any ancestor) are one room: `mod.rs` calls into its
/// children and they use the types it defines, as Rust intends; only arrows between rooms
/// (siblings, cousins, other folders) count.
fn nested(a: &[String], b: &[String]) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

fn under(module: &[String], top: &str) -> bool {
    module.first().is_some_and(|m| m == top)
}

struct Graph {
    files: Vec<File>,
    edges: BTreeMap<usize, BTreeSet<usize>>,
}

impl Graph {
    fn load() -> Self {
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        walk(&src, &src, &bin_modules(&src), &mut files);
        assert!(
            files.len() > 50,
            "read only {} files under src/",
            files.len()
        );
        Self::from_files(files)
    }

    fn from_files(files: Vec<File>) -> Self {
        let by_module: HashMap<Vec<String>, usize> = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.module.clone(), i))
            .collect();
        let index = Index {
            files: &files,
            by_module,
        };
        let mut edges = BTreeMap::new();
        for (i, f) in files.iter().enumerate() {
            let mut to = BTreeSet::new();
            for path in named_paths(f) {
                if let Some(j) = index.resolve(&path, 0)
                    && j != i
                    && !nested(&f.module, &files[j].module)
                {
                    to.insert(j);
                }
            }
            edges.insert(i, to);
        }
        Graph { files, edges }
    }

    /// Every elementary cycle's smallest representative, as file paths (first = last).
    fn cycles(&self) -> Vec<Vec<String>> {
        let mut found = BTreeSet::new();
        for start in self.edges.keys() {
            let mut stack = vec![*start];
            self.search(*start, &mut stack, &mut found);
        }
        found
            .into_iter()
            .map(|c: Vec<usize>| {
                let mut names: Vec<String> = c
                    .iter()
                    .map(|i| self.files[*i].path.display().to_string())
                    .collect();
                names.push(names[0].clone());
                names
            })
            .collect()
    }

    /// Depth-first from `start`, visiting only files numbered above it so each cycle is
    /// found once, from its lowest file.
    fn search(&self, start: usize, stack: &mut Vec<usize>, found: &mut BTreeSet<Vec<usize>>) {
        let Some(&at) = stack.last() else { return };
        for &next in &self.edges[&at] {
            if next == start {
                found.insert(stack.clone());
            } else if next > start && !stack.contains(&next) && stack.len() < 8 {
                stack.push(next);
                self.search(start, stack, found);
                stack.pop();
            }
        }
    }
}

struct Index<'a> {
    files: &'a [File],
    by_module: HashMap<Vec<String>, usize>,
}

impl Index<'_> {
    /// The file defining what `path` (absolute: crate-rooted module segments) names.
    fn resolve(&self, path: &[String], depth: usize) -> Option<usize> {
        let (at, file) = (1..=path.len())
            .rev()
            .find_map(|n| self.by_module.get(&path[..n]).map(|f| (n, *f)))?;
        let Some(item) = path.get(at) else {
            return Some(file);
        };
        if depth > 8 || defines(&self.files[file].code, item) {
            return Some(file);
        }
        // Re-exported: follow the `use` that brings the name in.
        for imported in named_paths(&self.files[file]) {
            if imported.last() == Some(item) && imported != path[..=at] {
                let mut full = imported.clone();
                full.extend(path[at + 1..].iter().cloned());
                if let Some(target) = self.resolve(&full, depth + 1) {
                    return Some(target);
                }
            }
        }
        Some(file)
    }
}

/// Whether `code` declares an item called `name` (not through `use`).
fn defines(code: &str, name: &str) -> bool {
    const KINDS: &[&str] = &[
        "struct ", "enum ", "fn ", "const ", "static ", "type ", "trait ", "mod ", "union ",
    ];
    code.lines().any(|line| {
        let mut rest = line.trim_start();
        if let Some(r) = rest.strip_prefix("pub") {
            rest = r.trim_start();
            if rest.starts_with('(') {
                rest = rest.split_once(')').map_or("", |(_, r)| r).trim_start();
            }
        }
        for prefix in ["const ", "async ", "unsafe "] {
            let qualifier = prefix != "const " || rest.starts_with("const fn ");
            if qualifier && let Some(r) = rest.strip_prefix(prefix) {
                rest = r;
            }
        }
        KINDS.iter().any(|k| {
            rest.strip_prefix(k).is_some_and(|r| {
                r.strip_prefix(name).is_some_and(|after| {
                    !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
                })
            })
        })
    })
}

/// Absolute module paths named by a file's `use` trees and inline `crate::`/`super::`/
/// `self::`/`microscope::` paths.
fn named_paths(f: &File) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let code = &f.code;
    // `use` trees, each up to its `;`.
    let mut rest = code.as_str();
    while let Some(at) = find_word(rest, "use") {
        let tail = &rest[at + 3..];
        let Some(end) = tail.find(';') else { break };
        let tree = without_aliases(&tail[..end]);
        for p in expand(&tree) {
            out.extend(absolute(f, &p));
        }
        rest = &tail[end..];
    }
    // Inline paths.
    for root in ["crate::", "super::", "microscope::"] {
        let mut from = 0;
        while let Some(at) = code[from..].find(root) {
            let start = from + at;
            from = start + root.len();
            let before = code[..start].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let path: String = code[start..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let segs: Vec<String> = path
                .split("::")
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            out.extend(absolute(f, &segs));
        }
    }
    out
}

/// A `use` tree without whitespace and without `as NAME` renames.
fn without_aliases(tree: &str) -> String {
    let spaced: String = tree
        .chars()
        .flat_map(|c| match c {
            '{' | '}' | ',' => vec![' ', c, ' '],
            c => vec![c],
        })
        .collect();
    let mut out = String::new();
    let mut words = spaced.split_whitespace().peekable();
    while let Some(w) = words.next() {
        if w == "as" {
            words.next();
        } else {
            out.push_str(w);
        }
    }
    out
}

fn find_word(s: &str, word: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = s[from..].find(word) {
        let i = from + at;
        let before = s[..i].chars().next_back();
        let after = s[i + word.len()..].chars().next();
        let bounded = |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if bounded(before) && after.is_some_and(char::is_whitespace) {
            return Some(i);
        }
        from = i + word.len();
    }
    None
}

/// `a::{b, c::{d as e, *}}` → `a::b`, `a::c::d`, `a::c` (for globs).
fn expand(tree: &str) -> Vec<Vec<String>> {
    let tree = tree.trim_start_matches("::");
    let Some(open) = tree.find('{') else {
        let mut segs: Vec<String> = tree.split("::").map(String::from).collect();
        segs.retain(|s| s != "*" && s != "self" && !s.is_empty());
        return vec![segs];
    };
    let prefix: Vec<String> = tree[..open]
        .trim_end_matches("::")
        .split("::")
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
    let mut out = Vec::new();
    for part in split_top(inner) {
        for mut p in expand(&part) {
            let mut full = prefix.clone();
            full.append(&mut p);
            out.push(full);
        }
    }
    out
}

fn split_top(s: &str) -> Vec<String> {
    let (mut depth, mut cur, mut out) = (0, String::new(), Vec::new());
    for c in s.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// A path as written in `f` → crate-rooted module segments (the binary's modules under
/// `main`); `None` for paths into other crates.
fn absolute(f: &File, segs: &[String]) -> Option<Vec<String>> {
    let first = segs.first()?;
    let mut base: Vec<String> = match first.as_str() {
        "crate" if f.bin => vec!["main".into()],
        "crate" => vec![],
        "microscope" if f.bin => vec![],
        "self" => f.module.clone(),
        "super" => {
            let mut m = f.module.clone();
            let mut n = 0;
            while segs.get(n).is_some_and(|s| s == "super") {
                m.pop();
                n += 1;
            }
            m.extend(segs[n..].iter().cloned());
            return Some(m);
        }
        // A child module of this file (`use sections::Sections;` beside `mod sections;`).
        name if f.code.contains(&format!("mod {name};")) => {
            let mut m = f.module.clone();
            m.extend(segs.iter().cloned());
            return Some(m);
        }
        _ => return None,
    };
    base.extend(segs[1..].iter().cloned());
    Some(base)
}

/// The modules `main.rs` declares: files of the binary, where `crate::` means the binary.
fn bin_modules(src: &Path) -> Vec<String> {
    let main = std::fs::read_to_string(src.join("main.rs")).expect("read src/main.rs");
    main.lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(String::from)
        .collect()
}

fn walk(root: &Path, dir: &Path, bin_modules: &[String], out: &mut Vec<File>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src/")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(root, &path, bin_modules, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(root).expect("under src/");
        let mut module: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|s| s.to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod") {
            module.pop();
        }
        let bin = matches!(module.as_slice(), [m] if bin_modules.contains(m) || m == "main");
        if bin && module != ["main"] {
            module.insert(0, "main".into());
        }
        if module == ["lib"] {
            module.clear();
        }
        let text = std::fs::read_to_string(&path).expect("read a source file");
        out.push(File {
            path: rel.to_path_buf(),
            module,
            code: strip_comments(&text),
            bin,
        });
    }
}

/// Removes `//` comments (doc comments included) and string literals' contents, so prose
/// and messages that mention a module are not read as paths.
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let mut in_str = false;
        let mut prev = ' ';
        let mut kept = String::new();
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if in_str {
                if c == '"' && prev != '\\' {
                    in_str = false;
                    kept.push('"');
                }
                prev = if c == '\\' && prev == '\\' { ' ' } else { c };
                i += 1;
                continue;
            }
            if c == '/' && chars.get(i + 1) == Some(&'/') {
                break;
            }
            if c == '"' && prev != '\'' {
                in_str = true;
            }
            kept.push(c);
            prev = c;
            i += 1;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}
