//! The catalogue of removable cruft (../shared/DOMAIN.md §3): which paths a runtime image
//! does not need, and the Dockerfile idiom that keeps them out. Matching paths to classes is
//! in `classify.rs`.

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
    /// when the RUN does not contain any `from` (or, when `otherwise` is empty, say `why`).
    Rewrite {
        subst: &'static [(&'static str, &'static str)],
        otherwise: &'static str,
        why: &'static str,
    },
    /// Advice that does not fit one RUN (multi-stage builds, .dockerignore): prose only.
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
        why: "`--no-cache` fetches the index into memory and leaves no cache in the layer",
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
        why: "`--no-cache-dir` leaves no downloaded wheels in the layer",
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
        note: "or keep them out with dpkg `path-exclude` rules in /etc/dpkg/dpkg.cfg.d/, \
               keeping copyright files",
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
        note: "or set `ENV PYTHONDONTWRITEBYTECODE=1`; the interpreter then compiles at start-up",
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
        otherwise: "",
        why: "`useradd -l` (--no-log-init) does not grow lastlog and faillog to the UID's offset, \
              which a high UID makes a sparse file of gigabytes",
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

impl Class {
    /// The fix as a Dockerfile line, built from the command of the layer holding the files,
    /// and the prose that goes with it.
    pub fn fix(&self, created_by: &str) -> dockerfile::Fix {
        match &self.fix {
            Fix::Append { cmd, note } => {
                let (line, why) = dockerfile::append(created_by, cmd);
                if note.is_empty() {
                    (line, why)
                } else {
                    (line, format!("{why}; {note}"))
                }
            }
            Fix::Rewrite {
                subst,
                otherwise,
                why,
            } => match subst
                .iter()
                .find_map(|(from, to)| dockerfile::rewrite(created_by, from, to))
            {
                Some(line) => (line, why.to_string()),
                None if otherwise.is_empty() => (String::new(), why.to_string()),
                None => dockerfile::append(created_by, otherwise),
            },
            Fix::Advice(text) => (String::new(), text.to_string()),
        }
    }
}

const fn append(cmd: &'static str) -> Fix {
    Fix::Append { cmd, note: "" }
}
