//! Which files' contents the analyses need, decided from the path alone during the scan, so
//! a layer is still read once and only these few files are kept in memory.

/// Largest single file kept whole (a dpkg status of a big distro is a few MB).
pub const MAX_CAPTURE: u64 = 64 << 20;
/// Bytes of a script's first line kept for its `#!`.
pub const MAX_SHEBANG: usize = 256;

/// The paths rpm keeps its package database at, in each of its formats and places; a
/// distribution uses one of them.
pub const RPM_DB_PATHS: &[&str] = &[
    "var/lib/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "usr/lib/sysimage/rpm/Packages",
    "usr/lib/sysimage/rpm/Packages.db",
    "var/lib/rpm/Packages.db",
];

/// Files the analyses read, by their exact path.
const EXACT: &[&str] = &[
    "var/lib/dpkg/status",
    "var/lib/dpkg/diversions",
    "lib/apk/db/installed",
    "usr/lib/apk/db/installed",
    "etc/passwd",
    "etc/group",
    "etc/ld.so.conf",
    "etc/nsswitch.conf",
    "etc/os-release",
    "usr/lib/os-release",
    "etc/alpine-release",
    "etc/debian_version",
];

/// True when the analyses read this file's whole content.
pub fn wants_content(path: &str) -> bool {
    // The exact paths and the prefixes below all start under etc/, lib/, usr/ or var/:
    // other paths (nearly all of a layer of application files) skip 24 comparisons.
    if matches!(path.as_bytes().first(), Some(b'e' | b'l' | b'u' | b'v'))
        && let Some(wanted) = wants_system_file(path)
    {
        return wanted;
    }
    if path.ends_with(".dist-info/RECORD")
        || path.ends_with(".dist-info/METADATA")
        || path.ends_with(".egg-info/installed-files.txt")
        || path.ends_with(".egg-info/PKG-INFO")
        || path.ends_with(".egg-info")
    {
        return true;
    }
    is_node_package_json(path) || is_language_manifest(path)
}

/// Whether the analyses read a file under etc/, lib/, usr/ or var/ by its path alone:
/// Some(true) or Some(false) when a rule for such paths decides, None when only the rules
/// for any path (suffixes) may.
fn wants_system_file(path: &str) -> Option<bool> {
    if EXACT.contains(&path) || RPM_DB_PATHS.contains(&path) {
        return Some(true);
    }
    if let Some(rest) = path.strip_prefix("var/lib/dpkg/info/") {
        return Some(
            !rest.contains('/')
                && (rest.ends_with(".list")
                    || rest.ends_with(".md5sums")
                    || rest.ends_with(".conffiles")),
        );
    }
    if let Some(rest) = path.strip_prefix("var/lib/dpkg/status.d/") {
        return Some(!rest.contains('/'));
    }
    if let Some(rest) = path.strip_prefix("etc/ld.so.conf.d/") {
        return Some(!rest.contains('/'));
    }
    if path.starts_with("etc/ld-musl-") && path.ends_with(".path") {
        return Some(true);
    }
    None
}

/// Ruby gem specifications, Composer's installed.json, .NET deps.json (the package
/// analysis reads them; their formats are in `analysis::packages::lang`).
fn is_language_manifest(path: &str) -> bool {
    if let Some(stem) = path.strip_suffix(".gemspec") {
        let dir = stem.rsplit_once('/').map_or("", |(d, _)| d);
        return dir.ends_with("specifications") || dir.ends_with("specifications/default");
    }
    path.ends_with("vendor/composer/installed.json") || path.ends_with(".deps.json")
}

/// `…/node_modules/NAME/package.json` or `…/node_modules/@scope/NAME/package.json`.
fn is_node_package_json(path: &str) -> bool {
    let Some(dir) = path.strip_suffix("/package.json") else {
        return false;
    };
    let Some(i) = dir.rfind("node_modules/") else {
        return false;
    };
    let pkg = &dir[i + "node_modules/".len()..];
    match pkg.split('/').collect::<Vec<_>>().as_slice() {
        [name] => !name.is_empty() && !name.starts_with('@'),
        [scope, name] => scope.starts_with('@') && !name.is_empty(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_package_databases() {
        assert!(wants_content("var/lib/dpkg/status"));
        assert!(wants_content("var/lib/dpkg/info/libzstd1:amd64.list"));
        assert!(!wants_content("var/lib/dpkg/info/libzstd1:amd64.postinst"));
        assert!(wants_content("var/lib/dpkg/status.d/tzdata"));
        assert!(wants_content("lib/apk/db/installed"));
        assert!(wants_content("var/lib/rpm/Packages"));
        assert!(wants_content("usr/lib/sysimage/rpm/Packages.db"));
        assert!(!wants_content("var/lib/rpm/Basenames"));
        assert!(wants_content(
            "usr/lib/python3/dist-packages/yaml-6.0.dist-info/RECORD"
        ));
        assert!(wants_content("app/node_modules/left-pad/package.json"));
        assert!(wants_content("app/node_modules/@types/node/package.json"));
        assert!(!wants_content("app/node_modules/left-pad/lib/package.json"));
        assert!(!wants_content("usr/bin/ls"));
        assert!(wants_content(
            "usr/local/bundle/specifications/rake-13.0.6.gemspec"
        ));
        assert!(!wants_content("app/rake.gemspec"));
        assert!(wants_content("app/vendor/composer/installed.json"));
        assert!(wants_content("app/MyApp.deps.json"));
    }

    /// The first-byte test in front of the exact paths lets every one of them through.
    #[test]
    fn every_exact_path_passes_the_first_byte_test() {
        for path in EXACT.iter().chain(RPM_DB_PATHS) {
            assert!(wants_content(path), "{path}");
        }
        assert!(wants_content("etc/ld.so.conf.d/libc.conf"));
        assert!(wants_content("etc/ld-musl-x86_64.path"));
        assert!(wants_content("var/lib/dpkg/status.d/base"));
        assert!(!wants_content("data/d0000/file0000000.txt"));
        assert!(wants_content("data/x.dist-info/RECORD"));
    }
}
