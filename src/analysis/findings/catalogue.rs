//! The catalogue of removable cruft (../shared/DOMAIN.md §3): which paths a runtime image
//! does not need, and the Dockerfile idiom that keeps them out. A path belongs to the first
//! class that matches, so the order of [`classify`] is the precedence within cruft.

use super::dockerfile;

/// How to keep a class of files out of the image.
#[derive(Debug)]
pub enum Fix {
    /// Clean up at the end of the RUN that created the files.
    Append {
        cmd: &'static str,
        note: &'static str,
    },
    /// Change a command in that RUN (`apk add` → `apk add --no-cache`); append `otherwise`
    /// when the RUN does not contain any `from`.
    Rewrite {
        subst: &'static [(&'static str, &'static str)],
        otherwise: &'static str,
    },
    /// Advice that does not fit one RUN (multi-stage builds, .dockerignore).
    Advice(&'static str),
}

/// One class of cruft.
#[derive(Debug)]
pub struct Class {
    pub kind: &'static str,
    pub title: &'static str,
    pub rule: Option<&'static str>,
    pub fix: Fix,
}

impl Class {
    /// The fix as a Dockerfile line, built from the command of the layer holding the files.
    pub fn fix(&self, created_by: &str) -> String {
        match &self.fix {
            Fix::Append { cmd, note } => {
                let line = dockerfile::append(created_by, cmd);
                if note.is_empty() {
                    line
                } else {
                    format!("{line} ({note})")
                }
            }
            Fix::Rewrite { subst, otherwise } => subst
                .iter()
                .find_map(|(from, to)| dockerfile::rewrite(created_by, from, to))
                .unwrap_or_else(|| dockerfile::append(created_by, otherwise)),
            Fix::Advice(text) => text.to_string(),
        }
    }
}

macro_rules! class {
    ($name:ident, $kind:literal, $title:literal, $rule:expr, $fix:expr) => {
        pub static $name: Class = Class {
            kind: $kind,
            title: $title,
            rule: $rule,
            fix: $fix,
        };
    };
}

const fn append(cmd: &'static str) -> Fix {
    Fix::Append { cmd, note: "" }
}

const MULTI_STAGE: &str = "build in a separate stage and copy only the result into the runtime \
     image: `FROM <toolchain> AS build` ... `COPY --from=build /out/app /app`";

class!(
    APT_LISTS,
    "apt-lists",
    "apt package lists",
    Some("DL3009"),
    append("rm -rf /var/lib/apt/lists/*")
);
class!(
    APT_CACHE,
    "package-cache",
    "apt cache (.deb files, pkgcache.bin)",
    None,
    append("apt-get clean")
);
class!(
    APK,
    "package-cache",
    "apk cache",
    Some("DL3019"),
    Fix::Rewrite {
        subst: &[("apk add", "apk add --no-cache")],
        otherwise: "rm -rf /var/cache/apk/*",
    }
);
class!(
    YUM,
    "package-cache",
    "yum cache",
    Some("DL3032"),
    append("yum clean all")
);
class!(
    DNF,
    "package-cache",
    "dnf cache",
    Some("DL3040"),
    append("dnf clean all")
);
class!(
    ZYPPER,
    "package-cache",
    "zypper cache",
    Some("DL3036"),
    append("zypper clean")
);
class!(
    PIP,
    "package-cache",
    "pip cache",
    Some("DL3042"),
    Fix::Rewrite {
        subst: &[
            ("pip install", "pip install --no-cache-dir"),
            ("pip3 install", "pip3 install --no-cache-dir")
        ],
        otherwise: "rm -rf /root/.cache/pip",
    }
);
class!(
    NPM,
    "package-cache",
    "npm cache",
    None,
    append("npm cache clean --force")
);
class!(
    YARN,
    "package-cache",
    "yarn cache",
    Some("DL3060"),
    append("yarn cache clean")
);
class!(
    GO_CACHE,
    "package-cache",
    "Go module and build caches",
    None,
    Fix::Advice(
        "build in a separate stage (`FROM golang AS build` ... `COPY --from=build /out/app /app`), \
     or keep the caches out of the layer: `RUN --mount=type=cache,target=/root/.cache/go-build \
     --mount=type=cache,target=/root/go/pkg/mod go build ...`"
    )
);
class!(
    CARGO,
    "package-cache",
    "Cargo registry and build directories",
    None,
    Fix::Advice(
        "build in a separate stage, or `RUN --mount=type=cache,target=/usr/local/cargo/registry \
     --mount=type=cache,target=/app/target cargo build --release` and copy the binary out"
    )
);
class!(
    MAVEN,
    "package-cache",
    "Maven repository",
    None,
    Fix::Advice(
        "build in a separate stage, or `RUN --mount=type=cache,target=/root/.m2 mvn package`"
    )
);
class!(
    GRADLE,
    "package-cache",
    "Gradle caches",
    None,
    Fix::Advice(
        "build in a separate stage, or `RUN --mount=type=cache,target=/root/.gradle gradle build`"
    )
);
class!(
    TOOLCHAIN,
    "toolchain",
    "build toolchain",
    None,
    Fix::Advice(MULTI_STAGE)
);
class!(
    DEV,
    "static-libs-headers",
    "static libraries and headers",
    None,
    Fix::Advice(
        "install -dev packages only in a build stage; the runtime needs the shared libraries \
     alone (or `apt-get purge --auto-remove` them in the same RUN)"
    )
);
class!(
    DOCS,
    "docs",
    "documentation, man pages and locales",
    None,
    Fix::Append {
        cmd: "rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/* /usr/share/locale/*",
        note: "or dpkg `path-exclude` rules in /etc/dpkg/dpkg.cfg.d/, keeping copyright files",
    }
);
class!(
    PY_TESTS,
    "tests-examples",
    "Python test suites",
    None,
    append(
        "find / -depth -type d \\( -name test -o -name tests \\) -path '*python3*' -exec rm -rf '{}' +"
    )
);
class!(
    NODE_EXTRAS,
    "tests-examples",
    "tests, examples and docs in node_modules",
    None,
    append(
        "find node_modules -depth \\( -name test -o -name tests -o -name __tests__ -o -name 'example*' \
     -o -name docs -o -name '*.md' \\) -exec rm -rf '{}' +"
    )
);
class!(
    PYC,
    "python-bytecode",
    "Python bytecode",
    None,
    Fix::Append {
        cmd: "find / -depth -name __pycache__ -exec rm -rf '{}' +",
        note: "or `ENV PYTHONDONTWRITEBYTECODE=1`; the interpreter then compiles at start-up",
    }
);
class!(
    VCS,
    "vcs",
    "version-control data",
    None,
    Fix::Advice(
        "add `.git` (and `.svn`, `.hg`) to .dockerignore, or COPY only what the build needs"
    )
);
class!(
    SPARSE_LOG,
    "sparse-log",
    "lastlog/faillog grown by a high UID",
    Some("DL3046"),
    Fix::Rewrite {
        subst: &[("useradd ", "useradd -l ")],
        otherwise: "useradd -l ... (--no-log-init)",
    }
);
class!(
    TMP_LOGS,
    "tmp-logs",
    "temporary files and logs",
    None,
    append("rm -rf /tmp/* /var/tmp/* /var/log/apt /var/log/*.log")
);
class!(
    HISTORY,
    "shell-history",
    "shell history",
    None,
    Fix::Advice(
        "build from a Dockerfile instead of `docker commit`; history can leak secrets \
     (`RUN rm -f /root/.*_history` at the least)"
    )
);

/// The cruft class of a final-tree file (`path` relative, as in the merged tree).
pub fn classify(path: &str, size: u64) -> Option<&'static Class> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let class = if let Some(rest) = path.strip_prefix("var/lib/apt/lists/") {
        (rest != "lock").then_some(&APT_LISTS)?
    } else if path.starts_with("var/cache/apt/") {
        &APT_CACHE
    } else if path.starts_with("var/cache/apk/") || path.starts_with("etc/apk/cache/") {
        &APK
    } else if path.starts_with("var/cache/yum/") {
        &YUM
    } else if path.starts_with("var/cache/dnf/") {
        &DNF
    } else if path.starts_with("var/cache/zypp/") {
        &ZYPPER
    } else if has_dir(path, ".cache/pip") {
        &PIP
    } else if has_dir(path, ".npm/_cacache") {
        &NPM
    } else if has_dir(path, ".cache/yarn") {
        &YARN
    } else if has_dir(path, "go/pkg/mod") || has_dir(path, ".cache/go-build") {
        &GO_CACHE
    } else if has_dir(path, "cargo/registry") || has_dir(path, ".cargo/git") || cargo_target(path) {
        &CARGO
    } else if has_dir(path, ".m2/repository") {
        &MAVEN
    } else if has_dir(path, ".gradle/caches") || has_dir(path, ".gradle/wrapper/dists") {
        &GRADLE
    } else if toolchain(path, name) {
        &TOOLCHAIN
    } else if path.starts_with("usr/include/")
        || path.starts_with("usr/local/include/")
        || (path.contains("lib/") && (name.ends_with(".a") || name.ends_with(".la")))
    {
        &DEV
    } else if docs(path) && name != "copyright" {
        &DOCS
    } else if python_tests(path) {
        &PY_TESTS
    } else if node_extras(path, name) {
        &NODE_EXTRAS
    } else if has_dir(path, "__pycache__") || name.ends_with(".pyc") || name.ends_with(".pyo") {
        &PYC
    } else if has_dir(path, ".git") || has_dir(path, ".svn") || has_dir(path, ".hg") {
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

/// `dir` is a whole run of components in `path` (at the start or after a `/`).
fn has_dir(path: &str, dir: &str) -> bool {
    let mut from = 0;
    while let Some(i) = path[from..].find(dir) {
        let at = from + i;
        let before = at == 0 || path.as_bytes()[at - 1] == b'/';
        let after = path.as_bytes().get(at + dir.len()) == Some(&b'/');
        if before && after {
            return true;
        }
        from = at + 1;
    }
    false
}

/// `.../target/{debug,release}/{deps,build,incremental,.fingerprint}/...`; the binaries next
/// to them may be what the image runs.
fn cargo_target(path: &str) -> bool {
    ["debug", "release"].iter().any(|p| {
        ["deps", "build", "incremental", ".fingerprint"]
            .iter()
            .any(|d| has_dir(path, &format!("target/{p}/{d}")))
    })
}

fn toolchain(path: &str, name: &str) -> bool {
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
    let Some(i) = path.find("node_modules/") else {
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
