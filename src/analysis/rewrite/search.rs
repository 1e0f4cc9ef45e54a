//! Where the dynamic loader looks for a library, glibc's way (ld.so(8)) and musl's way
//! (ldso/dynlink.c), read from the image: `/etc/ld.so.conf` and its includes,
//! `/etc/ld-musl-<arch>.path`, `LD_LIBRARY_PATH` from the config's Env, and the tokens
//! `$ORIGIN`, `$LIB`, `$PLATFORM` in RPATH/RUNPATH.

use super::classify::{self, Libc};
use super::fs::{self, Fs};

/// The system part of the search, fixed for one image and one libc.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SystemDirs {
    /// `LD_LIBRARY_PATH` from Env (both loaders search it).
    pub env: Vec<String>,
    /// glibc: ld.so.conf directories (our stand-in for ld.so.cache); musl: the
    /// `ld-musl-<arch>.path` list, or its built-in default.
    pub configured: Vec<String>,
    /// glibc's trusted directories, searched last.
    pub defaults: Vec<String>,
    pub notes: Vec<String>,
}

/// Reads the system search directories of the image for `libc`.
pub fn system_dirs(
    fs: &Fs<'_>,
    libc: &Libc,
    interp: Option<&str>,
    machine: u16,
    class: u8,
    env: &[String],
) -> SystemDirs {
    let mut dirs = SystemDirs {
        env: env
            .iter()
            .rev()
            .find_map(|e| e.strip_prefix("LD_LIBRARY_PATH="))
            .map(split_list)
            .unwrap_or_default(),
        ..Default::default()
    };
    match libc {
        Libc::Musl => {
            let arch = interp
                .map(fs::basename)
                .and_then(|b| b.strip_prefix("ld-musl-"))
                .and_then(|b| b.strip_suffix(".so.1"))
                .unwrap_or("x86_64");
            let file = format!("/etc/ld-musl-{arch}.path");
            dirs.configured = match fs.content(&file) {
                Some(bytes) => split_list(&String::from_utf8_lossy(bytes)),
                None => split_list("/lib:/usr/local/lib:/usr/lib"),
            };
        }
        Libc::Glibc | Libc::Other(_) => {
            let mut seen = Vec::new();
            read_ld_so_conf(fs, "/etc/ld.so.conf", 0, &mut dirs, &mut seen);
            if let Some(t) = classify::triplet(machine, class) {
                dirs.defaults.push(format!("/lib/{t}"));
                dirs.defaults.push(format!("/usr/lib/{t}"));
            }
            if class == 64 {
                dirs.defaults.push("/lib64".into());
                dirs.defaults.push("/usr/lib64".into());
            }
            dirs.defaults.push("/lib".into());
            dirs.defaults.push("/usr/lib".into());
            dirs.notes.push(
                "glibc: /etc/ld.so.cache is approximated by ld.so.conf and its includes; a library placed without running ldconfig may be found here but not at run time".into(),
            );
        }
    }
    dirs
}

/// Directories separated by `:`, `;`, `,`, spaces or newlines (ldconfig and musl accept these).
pub fn split_list(s: &str) -> Vec<String> {
    s.split([':', ';', ',', ' ', '\t', '\n', '\r'])
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect()
}

/// ldconfig's format: a directory per line, `include GLOB`, `hwcap ...`, `#` comments.
fn read_ld_so_conf(
    fs: &Fs<'_>,
    path: &str,
    depth: usize,
    dirs: &mut SystemDirs,
    seen: &mut Vec<String>,
) {
    // Includes can loop; ldconfig itself stops at files it has read.
    if depth > 8 || seen.iter().any(|s| s == path) {
        return;
    }
    seen.push(path.to_string());
    let Some(bytes) = fs.content(path) else {
        return;
    };
    let text = String::from_utf8_lossy(bytes);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.is_empty() || line.starts_with("hwcap") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("include") {
            if !rest.starts_with([' ', '\t']) {
                continue;
            }
            for pattern in rest.split_whitespace() {
                let pattern = fs::join(fs::parent(path), pattern);
                let matched = glob(fs, &pattern);
                if matched.is_empty()
                    && pattern.contains('*')
                    && !pattern.starts_with("/etc/ld.so.conf.d/")
                {
                    dirs.notes.push(format!(
                        "{path}: include {pattern} is not read (only /etc/ld.so.conf.d is captured)"
                    ));
                }
                for file in matched {
                    read_ld_so_conf(fs, &file, depth + 1, dirs, seen);
                }
            }
            continue;
        }
        for d in split_list(line) {
            if d.starts_with('/') && !dirs.configured.contains(&d) {
                dirs.configured.push(d);
            }
        }
    }
}

/// Files matching a pattern with `*`/`?` in its last component only (all ld.so.conf uses),
/// sorted as glob(3) sorts them.
fn glob(fs: &Fs<'_>, pattern: &str) -> Vec<String> {
    let dir = fs::parent(pattern);
    let name = fs::basename(pattern);
    if !name.contains(['*', '?']) {
        return fs
            .file(pattern)
            .map(|_| vec![pattern.to_string()])
            .unwrap_or_default();
    }
    let Ok(real) = fs.resolve(dir) else {
        return Vec::new();
    };
    let mut out: Vec<String> = fs
        .walk(&real.real)
        .filter(|(p, _)| fs::parent(p) == real.real.as_str() && wildcard(name, fs::basename(p)))
        .map(|(p, _)| fs::join(dir, fs::basename(&p)))
        .collect();
    out.sort();
    out
}

/// `*` and `?` matching, iterative with one backtrack point (enough for file names).
fn wildcard(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Expands `$ORIGIN`, `$LIB`, `$PLATFORM` (bare or braced) in an RPATH/RUNPATH list.
pub fn expand(list: &str, origin: &str, machine: u16, class: u8) -> Vec<String> {
    let lib = if class == 64 { "lib64" } else { "lib" };
    split_list_colon(list)
        .into_iter()
        .map(|d| {
            let mut d = d;
            for (token, value) in [
                ("ORIGIN", origin),
                ("LIB", lib),
                ("PLATFORM", classify::platform(machine)),
            ] {
                d = d
                    .replace(&format!("${{{token}}}"), value)
                    .replace(&format!("${token}"), value);
            }
            fs::join("/", &d)
        })
        .collect()
}

/// RPATH/RUNPATH lists are `:`-separated only (a path may hold spaces).
fn split_list_colon(s: &str) -> Vec<String> {
    s.split(':')
        .filter(|d| !d.is_empty())
        .map(str::to_string)
        .collect()
}

/// musl resolves these names to itself, whatever the directory holds (dynlink.c
/// `reserved`): libc, libpthread, librt, libm, libdl, libutil, libxnet.
pub fn musl_reserved(name: &str) -> bool {
    let Some(rest) = name.strip_prefix("lib") else {
        return false;
    };
    let stem = rest.split('.').next().unwrap_or_default();
    matches!(stem, "c" | "pthread" | "rt" | "m" | "dl" | "util" | "xnet")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expand() {
        assert_eq!(
            expand("$ORIGIN/../lib:${ORIGIN}/x:/opt/$LIB", "/app/bin", 62, 64),
            vec!["/app/lib", "/app/bin/x", "/opt/lib64"]
        );
        assert_eq!(expand("/p/$PLATFORM", "/", 183, 64), vec!["/p/aarch64"]);
    }

    #[test]
    fn wildcards() {
        assert!(wildcard("*.conf", "x86_64-linux-gnu.conf"));
        assert!(!wildcard("*.conf", "x.conf.bak"));
        assert!(wildcard("a?c*", "abcdef"));
        assert!(wildcard("*", ""));
    }

    #[test]
    fn musl_names_itself() {
        assert!(musl_reserved("libc.musl-x86_64.so.1"));
        assert!(musl_reserved("libpthread.so.0"));
        assert!(!musl_reserved("libcrypto.so.3"));
        assert!(!musl_reserved("libz.so.1"));
    }

    #[test]
    fn lists_split() {
        assert_eq!(split_list("/a:/b\n/c, /d"), vec!["/a", "/b", "/c", "/d"]);
    }
}
