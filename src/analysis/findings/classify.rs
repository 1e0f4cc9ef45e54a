//! Matching a path against the cruft catalogue. A path belongs to the first class that
//! matches, so the order of [`classify`] is the precedence within cruft. Called for every
//! file of the final tree: plain string tests, no allocation on the common path.

use super::catalogue::*;

/// The cruft class of a final-tree file (`path` relative, as in the merged tree).
pub fn classify(path: &str, size: u64) -> Option<&'static Class> {
    let (dir, name) = match memchr::memrchr(b'/', path.as_bytes()) {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    };
    let (dirs, in_node_modules) = special_dirs(dir);
    let special = !dirs.is_empty();
    let class = if let Some(rest) = path.strip_prefix("var/lib/apt/lists/") {
        (rest != "lock").then_some(&APT_LISTS)?
    } else if path.starts_with("var/cache/apt/") {
        &APT_CACHE
    } else if path.starts_with("var/cache/apk/") || path.starts_with("etc/apk/cache/") {
        &APK
    } else if path.starts_with("var/cache/yum/") {
        &YUM
    } else if path.starts_with("var/cache/dnf/")
        || path.starts_with("var/cache/libdnf5/")
        || path.starts_with("var/cache/tdnf/")
    {
        &DNF
    } else if path.starts_with("var/cache/zypp/") {
        &ZYPPER
    } else if has_dir(&dirs, &[".cache", "pip"]) {
        &PIP
    } else if has_dir(&dirs, &[".npm", "_cacache"]) {
        &NPM
    } else if has_dir(&dirs, &[".cache", "yarn"]) {
        &YARN
    } else if has_dir(&dirs, &["go", "pkg", "mod"]) || has_dir(&dirs, &[".cache", "go-build"]) {
        &GO_CACHE
    } else if has_dir(&dirs, &["cargo", "registry"])
        || has_dir(&dirs, &[".cargo", "git"])
        || cargo_target(&dirs)
    {
        &CARGO
    } else if has_dir(&dirs, &[".m2", "repository"]) {
        &MAVEN
    } else if has_dir(&dirs, &[".gradle", "caches"])
        || has_dir(&dirs, &[".gradle", "wrapper", "dists"])
    {
        &GRADLE
    } else if toolchain(path, name) {
        &TOOLCHAIN
    } else if path.starts_with("usr/include/")
        || path.starts_with("usr/local/include/")
        || ((name.ends_with(".a") || name.ends_with(".la")) && path.contains("lib/"))
    {
        &DEV
    } else if docs(path) && name != "copyright" {
        &DOCS
    } else if special && python_tests(path) {
        &PY_TESTS
    } else if in_node_modules && node_extras(path, name) {
        &NODE_EXTRAS
    } else if has_dir(&dirs, &["__pycache__"]) || name.ends_with(".pyc") || name.ends_with(".pyo") {
        &PYC
    } else if has_dir(&dirs, &[".git"]) || has_dir(&dirs, &[".svn"]) || has_dir(&dirs, &[".hg"]) {
        &VCS
    } else if matches!(
        path,
        "var/log/lastlog" | "var/log/faillog" | "var/log/tallylog"
    ) && size >= 1 << 20
    {
        &SPARSE_LOG
    } else if tmp_or_log(path, name) {
        &TMP_LOGS
    } else if HISTORY_FILES.contains(&name) {
        &HISTORY
    } else {
        return None;
    };
    Some(class)
}

/// `dir`'s directories when one of them is one a rule of [`classify`] names, else none: a
/// dozen rules look for runs of directories, each needing a directory of a few names, which
/// most paths have none of; one pass over the directories says whether to split them (and
/// run those rules) at all. Also whether `node_modules/` is in the path (a directory ends
/// with it: the text holds one `/`, at its end), so [`node_extras`]' substring search runs
/// only for those paths. The pass is over bytes: `str::split` set up a searcher per path.
fn special_dirs(dir: &str) -> (Vec<&str>, bool) {
    let (mut special, mut node) = (false, false);
    for c in dir.as_bytes().split(|&b| b == b'/') {
        special |= special_dir(c);
        node |= c.ends_with(b"node_modules");
    }
    match special {
        true => (dir.split('/').collect(), node),
        false => (Vec::new(), node),
    }
}

/// A directory some rule of [`classify`] names (the first of each run [`has_dir`] and
/// [`cargo_target`] look for, and those [`python_tests`] looks for).
fn special_dir(c: &[u8]) -> bool {
    matches!(
        c,
        b".cache"
            | b".npm"
            | b"go"
            | b"cargo"
            | b".cargo"
            | b"target"
            | b".m2"
            | b".gradle"
            | b"__pycache__"
            | b".git"
            | b".svn"
            | b".hg"
            | b"site-packages"
            | b"dist-packages"
    ) || c.starts_with(b"python3")
}

const HISTORY_FILES: &[&str] = &[
    ".bash_history",
    ".ash_history",
    ".sh_history",
    ".zsh_history",
    ".python_history",
    ".node_repl_history",
    ".mysql_history",
    ".psql_history",
    ".lesshst",
    ".viminfo",
    ".wget-hsts",
];

/// `run` is a run of consecutive directories in `dirs`, the directories of a path (its
/// components but the last).
fn has_dir(dirs: &[&str], run: &[&str]) -> bool {
    dirs.windows(run.len()).any(|w| w == run)
}

/// `.../target/{debug,release}/{deps,build,incremental,.fingerprint}/...`; the binaries next
/// to them may be what the image runs.
fn cargo_target(dirs: &[&str]) -> bool {
    dirs.windows(3).any(|w| {
        w[0] == "target"
            && matches!(w[1], "debug" | "release")
            && matches!(w[2], "deps" | "build" | "incremental" | ".fingerprint")
    })
}

fn toolchain(path: &str, name: &str) -> bool {
    // Every rule below starts at `usr/` or `root/`: most paths are out after two tests.
    if !path.starts_with("usr/") && !path.starts_with("root/") {
        return false;
    }
    const DIRS: &[&str] = &[
        "usr/local/go/",
        "usr/lib/go/",
        "usr/lib/gcc/",
        "usr/libexec/gcc/",
        "usr/local/rustup/",
        "root/.rustup/",
    ];
    if DIRS.iter().any(|d| path.starts_with(d)) {
        return true;
    }
    let versioned = |prefix: &str| {
        path.strip_prefix(prefix).is_some_and(|r| {
            r.split('/')
                .next()
                .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
                && r.contains('/')
        })
    };
    if versioned("usr/lib/go-") || versioned("usr/share/go-") || versioned("usr/lib/llvm-") {
        return true;
    }
    let Some(bin) = path
        .strip_prefix("usr/bin/")
        .or_else(|| path.strip_prefix("usr/local/bin/"))
    else {
        return false;
    };
    if bin.contains('/') {
        return false;
    }
    // `x86_64-linux-gnu-gcc-12` → `gcc-12` → `gcc`.
    let tool = name.rsplit_once("-linux-gnu-").map_or(name, |(_, t)| t);
    let tool = tool.split_once('-').map_or(tool, |(t, v)| {
        if v.starts_with(|c: char| c.is_ascii_digit()) {
            t
        } else {
            tool
        }
    });
    matches!(
        tool,
        "gcc"
            | "g++"
            | "cc1"
            | "cc1plus"
            | "cpp"
            | "ld"
            | "ld.bfd"
            | "ld.gold"
            | "as"
            | "lto-dump"
            | "gfortran"
            | "rustc"
            | "cargo"
            | "clang"
            | "clang++"
            | "lld"
            | "go"
            | "gofmt"
    )
}

fn docs(path: &str) -> bool {
    ["usr/share/", "usr/local/share/"].iter().any(|root| {
        path.strip_prefix(root).is_some_and(|r| {
            ["doc/", "man/", "info/", "locale/", "gtk-doc/", "help/"]
                .iter()
                .any(|d| r.starts_with(d))
        })
    })
}

/// The standard library's `test` package and `tests` directories of installed packages.
fn python_tests(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(p) = parts.next() {
        let next = parts.peek().copied();
        if p.starts_with("python3") && next == Some("test") && path.contains("lib/") {
            return true;
        }
        if (p == "site-packages" || p == "dist-packages")
            && path
                .split('/')
                .skip_while(|c| *c != p)
                .any(|c| c == "tests" || c == "test")
        {
            return true;
        }
    }
    false
}

fn node_extras(path: &str, name: &str) -> bool {
    // A searcher built once: `str::find` set one up per call, for every file of the image.
    static NODE_MODULES: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new("node_modules/"));
    let Some(i) = NODE_MODULES.find(path.as_bytes()) else {
        return false;
    };
    let inside = &path[i..];
    let mut dirs = inside.split('/');
    dirs.next_back();
    dirs.any(|c| {
        matches!(
            c,
            "test" | "tests" | "__tests__" | "example" | "examples" | "docs" | "doc"
        )
    }) || name.ends_with(".md")
        || name.ends_with(".markdown")
}

fn tmp_or_log(path: &str, name: &str) -> bool {
    path.starts_with("tmp/")
        || path.starts_with("var/tmp/")
        || path.starts_with("var/log/")
        || ((path.starts_with("var/cache/debconf/") || path.starts_with("var/lib/dpkg/"))
            && name.ends_with("-old"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dir_matches_whole_components_only() {
        let pip = |path: &str| classify(path, 1).map(|c| c.title) == Some(PIP.title);
        assert!(pip("root/.cache/pip/http/x"));
        assert!(pip(".cache/pip/x"));
        assert!(!pip("root/x.cache/pip/x"));
        assert!(!pip("root/.cache/pipx/x"));
        // A file named like the directory is not the directory.
        assert!(!pip("root/.cache/pip"));
        assert!(has_dir(&["a", "b", "a", "b", "c"], &["a", "b", "c"]));
    }

    /// The rules that need a directory run only run when the path has one of the names
    /// that start them: each still matches, at any depth, and a plain path matches none.
    #[test]
    fn directory_rules_still_match_behind_the_prefilter() {
        let title = |path: &str| classify(path, 1).map(|c| c.title);
        let cases = [
            ("usr/lib/python3.11/test/test_x.py", Some(PY_TESTS.title)),
            (
                "opt/venv/lib/python3.12/site-packages/pkg/tests/t.py",
                Some(PY_TESTS.title),
            ),
            (
                "usr/lib/python3/dist-packages/pkg/test/t.py",
                Some(PY_TESTS.title),
            ),
            ("app/pkg/__pycache__/m.cpython-311.opt", Some(PYC.title)),
            ("src/app/.git/objects/ab/cdef", Some(VCS.title)),
            ("root/go/pkg/mod/github.com/x/y.go", Some(GO_CACHE.title)),
            ("home/u/.gradle/wrapper/dists/g.zip", Some(GRADLE.title)),
            ("root/.cargo/git/checkouts/x", Some(CARGO.title)),
            ("data/d0001/file0000001.txt", None),
            ("usr/lib/python3.11/os.py", None),
            ("usr/lib/python3/dist-packages/pkg/t.py", None),
            ("app/node_modules/x/test/a.js", Some(NODE_EXTRAS.title)),
            ("app/my_node_modules/x/README.md", Some(NODE_EXTRAS.title)),
            ("app/node_modules.md", None),
            ("node_modules/x/index.js", None),
            ("usr/local/go/bin/go", Some(TOOLCHAIN.title)),
            ("root/.rustup/toolchains/x", Some(TOOLCHAIN.title)),
            ("usr/bin/x86_64-linux-gnu-gcc-12", Some(TOOLCHAIN.title)),
            ("opt/usr/local/go/bin/go", None),
        ];
        for (path, want) in cases {
            assert_eq!(title(path), want, "{path}");
        }
    }

    #[test]
    fn cargo_build_output_but_not_the_binaries_beside_it() {
        let cargo = |path: &str| classify(path, 1).map(|c| c.title) == Some(CARGO.title);
        assert!(cargo("app/target/release/deps/libx.rlib"));
        assert!(cargo("target/debug/.fingerprint/x/y"));
        assert!(cargo("src/target/debug/build/foo-1/out/x.o"));
        assert!(!cargo("app/target/release/server"));
        assert!(!cargo("app/target/release/deps"));
        assert!(!cargo("app/mytarget/release/deps/x"));
        assert!(!cargo("app/target/fast/deps/x"));
    }
}
