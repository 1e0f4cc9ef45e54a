//! PHP Composer: `vendor/composer/installed.json` lists every installed package with its
//! `install-path` relative to `vendor/composer/` (Composer 2: `{"packages": [...]}`;
//! Composer 1: a bare array, packages in `vendor/NAME`).

use super::{Found, dir_of};
use crate::analysis::packages::canon::join_normalize;
use serde::Deserialize;

pub const SUFFIX: &str = "vendor/composer/installed.json";

#[derive(Deserialize)]
#[serde(untagged)]
enum Installed {
    V2 { packages: Vec<Package> },
    V1(Vec<Package>),
}

#[derive(Deserialize)]
struct Package {
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default, rename = "install-path")]
    install_path: Option<String>,
}

/// The packages of one `installed.json`; `None` when it is not one.
pub fn read(path: &str, bytes: &[u8]) -> Option<Vec<Found>> {
    let installed: Installed = serde_json::from_slice(bytes).ok()?;
    let packages = match installed {
        Installed::V2 { packages } | Installed::V1(packages) => packages,
    };
    let composer = dir_of(path);
    let vendor = dir_of(composer);
    Some(
        packages
            .into_iter()
            .filter(|p| !p.name.is_empty())
            .filter_map(|p| {
                let dir = match &p.install_path {
                    Some(rel) => join_normalize(composer, rel)?,
                    None => join_normalize(vendor, &p.name)?,
                };
                Some(Found {
                    name: p.name,
                    version: p.version,
                    location: dir.clone(),
                    trees: vec![dir],
                    files: Vec::new(),
                })
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_formats() -> Result<(), Box<dyn std::error::Error>> {
        let v2 = br#"{"packages":[{"name":"monolog/monolog","version":"2.9.1","install-path":"../monolog/monolog"},{"name":"psr/log","version":"3.0.0"}],"dev":true}"#;
        let f = read("app/vendor/composer/installed.json", v2).ok_or("v2 not read")?;
        assert_eq!(f[0].name, "monolog/monolog");
        assert_eq!(f[0].trees, ["app/vendor/monolog/monolog"]);
        assert_eq!(f[1].trees, ["app/vendor/psr/log"]);
        let v1 = br#"[{"name":"a/b","version":"1.0.0"}]"#;
        assert_eq!(
            read("vendor/composer/installed.json", v1).ok_or("v1 not read")?[0].trees,
            ["vendor/a/b"]
        );
        assert!(read("vendor/composer/installed.json", b"{\"x\":1}").is_none());
        let escape = br#"{"packages":[{"name":"e/x","install-path":"../../../../../../etc"}]}"#;
        assert!(
            read("vendor/composer/installed.json", escape)
                .ok_or("escape not read")?
                .is_empty()
        );
        Ok(())
    }
}
