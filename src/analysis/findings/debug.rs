//! Debug symbols: separate debug files from -dbg/-dbgsym packages, and the symbol tables and
//! DWARF inside binaries that `strip` (or the toolchain's own switch) would remove.

use super::dockerfile::{Fix, append, rewrite, run_command};
use super::{Draft, FindingsInput, Item, files};
use crate::image::entry::EntryKind;
use crate::image::facts::ElfInfo;
use crate::image::merge::NodeRef;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

const DEBUG_DIR: &str = "usr/lib/debug/";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Flavour {
    Go,
    Rust,
    Packaged,
    Other,
}

/// (separate debug files, binaries carrying symbols), grouped by layer.
pub(super) fn find(input: &FindingsInput<'_>) -> (Vec<Draft>, Vec<Draft>) {
    (separate(input), strippable(input))
}

fn separate(input: &FindingsInput<'_>) -> Vec<Draft> {
    let mut per_layer: BTreeMap<u32, (Vec<Item>, BTreeSet<String>)> = BTreeMap::new();
    let range = input
        .merged
        .tree
        .range::<str, _>((Bound::Included(DEBUG_DIR), Bound::Unbounded))
        .take_while(|(p, _)| p.starts_with(DEBUG_DIR));
    for (path, &at) in range {
        let e = input.merged.entry(input.scans, at);
        if e.kind != EntryKind::File || e.size == 0 {
            continue;
        }
        let group = per_layer.entry(at.layer).or_default();
        if let Some(p) = input.packages.and_then(|p| p.owner_at(path, at)) {
            group.1.insert(p.name.clone());
        }
        group.0.push(Item {
            at,
            path: path.clone(),
            bytes: e.size,
            savable: e.size,
        });
    }
    per_layer
        .into_iter()
        .map(|(layer, (items, packages))| {
            let names: Vec<&str> = packages.iter().map(String::as_str).collect();
            let (title, purge) = if names.is_empty() {
                (
                    format!("separate debug files ({})", files(items.len())),
                    "'*-dbg' '*-dbgsym'".to_string(),
                )
            } else {
                (
                    format!("debug packages installed: {}", names.join(", ")),
                    names.join(" "),
                )
            };
            let cmd = input.command(layer);
            let run = run_command(cmd).unwrap_or_default();
            let (fix, why) = if run.contains("apt-get install") {
                append(cmd, &format!("apt-get purge -y {purge}"))
            } else if run.contains("apk add") {
                append(cmd, "apk del $(apk info | grep -- '-dbg$')")
            } else {
                (
                    String::new(),
                    format!(
                        "install debug packages only where you debug, not in the runtime image \
                         (`apt-get purge -y {purge}`, or `apk del` the -dbg packages)"
                    ),
                )
            };
            debug_symbols(title, layer, fix, why, items)
        })
        .collect()
}

fn strippable(input: &FindingsInput<'_>) -> Vec<Draft> {
    strippable_groups(input)
        .into_iter()
        .map(|((flavour, layer), g)| strippable_draft(input, flavour, layer, g))
        .collect()
}

/// Visible binaries that `strip` would shrink (separate debug files aside), by flavour and
/// layer.
fn strippable_groups(input: &FindingsInput<'_>) -> BTreeMap<(Flavour, u32), Group> {
    let mut groups: BTreeMap<(Flavour, u32), Group> = BTreeMap::new();
    for (li, scan) in input.scans.iter().enumerate() {
        for (ei, info) in &scan.captured.elf {
            let at = NodeRef {
                layer: li as u32,
                entry: *ei,
            };
            let Some(entry) = scan.entries.get(*ei as usize) else {
                continue;
            };
            let visible = input.merged.tree.get(&entry.path) == Some(&at);
            if !visible || info.strip_bytes == 0 || entry.path.starts_with(DEBUG_DIR) {
                continue;
            }
            let owner = input.packages.and_then(|p| p.owner_at(&entry.path, at));
            let flavour = flavour(info, owner.is_some());
            let group = groups.entry((flavour, at.layer)).or_default();
            if let Some(flags) = info.go.as_ref().and_then(|g| g.ldflags.clone()) {
                group.ldflags = Some(flags);
            }
            if let Some(p) = owner {
                group.packages.insert(p.name.clone());
            }
            group.items.push(Item {
                at,
                path: entry.path.clone(),
                bytes: entry.size,
                savable: info.strip_bytes.min(entry.size),
            });
        }
    }
    groups
}

/// A debug-symbols finding, its bytes counted in the savable total.
fn debug_symbols(title: String, layer: u32, fix: String, why: String, items: Vec<Item>) -> Draft {
    Draft {
        kind: "debug-symbols",
        title,
        layer,
        fix,
        why,
        items,
        counted: true,
        ..Default::default()
    }
}

/// One group's finding, with the switch its toolchain has or a `strip` line.
fn strippable_draft(input: &FindingsInput<'_>, flavour: Flavour, layer: u32, g: Group) -> Draft {
    let Group {
        items,
        ldflags,
        packages,
    } = g;
    let n = files(items.len());
    let cmd = input.command(layer);
    let (title, (fix, why)) = match flavour {
        Flavour::Go => (
            format!("Go binaries with symbols and DWARF ({n})"),
            go_fix(input, layer, ldflags),
        ),
        Flavour::Rust => (
            format!("Rust binaries not stripped ({n})"),
            (
                "ENV RUSTFLAGS=\"-C strip=symbols\"".to_string(),
                "in the build stage, before `cargo build`; or set `strip = true` under \
                 `[profile.release]` in Cargo.toml"
                    .to_string(),
            ),
        ),
        Flavour::Packaged => {
            let names: Vec<&str> = packages.iter().map(String::as_str).take(8).collect();
            (
                format!("unstripped binaries from packages: {}", names.join(", ")),
                strip_fix(cmd, &items),
            )
        }
        Flavour::Other => (
            format!("binaries not stripped ({n})"),
            strip_fix(cmd, &items),
        ),
    };
    debug_symbols(title, layer, fix, why, items)
}

#[derive(Default)]
struct Group {
    items: Vec<Item>,
    /// The Go build's -ldflags, to say what to add to.
    ldflags: Option<String>,
    packages: BTreeSet<String>,
}

fn flavour(info: &ElfInfo, packaged: bool) -> Flavour {
    if info.go.is_some() {
        Flavour::Go
    } else if info.rust {
        Flavour::Rust
    } else if packaged {
        Flavour::Packaged
    } else {
        Flavour::Other
    }
}

/// Rewrites the `go build` of this layer or, when the binary was copied or chmod-ed here,
/// of the nearest layer below that built it.
fn go_fix(input: &FindingsInput<'_>, layer: u32, ldflags: Option<String>) -> Fix {
    const FLAGS: &str = "-ldflags=\"-s -w\"";
    const WHY: &str = "-s drops the symbol table, -w the DWARF (since Go 1.22 -s implies -w); \
                       panics still print file:line";
    if let Some(flags) = ldflags.filter(|f| !f.is_empty()) {
        let line = (0..=layer)
            .rev()
            .find_map(|l| rewrite(input.command(l), &flags, &format!("{flags} -s -w")));
        return match line {
            Some(line) => (line, WHY.into()),
            None => (
                String::new(),
                format!("add `-s -w` to the build's -ldflags (now `{flags}`): {WHY}"),
            ),
        };
    }
    match (0..=layer)
        .rev()
        .find_map(|l| rewrite(input.command(l), "go build", &format!("go build {FLAGS}")))
    {
        Some(line) => (line, WHY.into()),
        None => (
            String::new(),
            format!("build with `go build {FLAGS}` where the binary is built: {WHY}"),
        ),
    }
}

/// Files a `strip` line names, at most; more and the line would not fit a Dockerfile.
const MAX_STRIP: usize = 8;

fn strip_fix(cmd: &str, items: &[Item]) -> Fix {
    const WHERE: &str = "strip them where they are built, before the COPY (`strip \
                         --strip-unneeded`, `install -s`, or link with `-s`)";
    let mut largest: Vec<&Item> = items.iter().collect();
    largest.sort_by_key(|i| std::cmp::Reverse(i.savable));
    let paths: Vec<String> = largest.iter().map(|i| format!("/{}", i.path)).collect();
    if run_command(cmd).is_none() {
        return (String::new(), WHERE.into());
    }
    if paths.len() > MAX_STRIP {
        return (
            String::new(),
            format!(
                "in the RUN that installs them, `strip --strip-unneeded` the {} files (largest: {}), \
                 or {WHERE}",
                paths.len(),
                paths[..3].join(" ")
            ),
        );
    }
    append(cmd, &format!("strip --strip-unneeded {}", paths.join(" ")))
}
