//! .NET: a published application's `NAME.deps.json` lists the libraries it was built with
//! (`libraries`: `type` package or project) and, per target framework, the runtime and
//! native assets each brings; publishing puts those assemblies beside the deps.json (runtime
//! assets by file name, RID-specific ones under their `runtimes/…` path).

use super::{Found, dir_of};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct Deps {
    #[serde(default)]
    targets: HashMap<String, HashMap<String, Target>>,
    #[serde(default)]
    libraries: BTreeMap<String, Library>,
}

#[derive(Deserialize, Default)]
struct Target {
    #[serde(default)]
    runtime: HashMap<String, serde_json::Value>,
    #[serde(default)]
    native: HashMap<String, serde_json::Value>,
    #[serde(default, rename = "runtimeTargets")]
    runtime_targets: HashMap<String, serde_json::Value>,
}

#[derive(Deserialize)]
struct Library {
    #[serde(default, rename = "type")]
    kind: String,
}

/// The libraries of one deps.json; `None` when it is not one.
pub fn read(path: &str, bytes: &[u8]) -> Option<Vec<Found>> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    // serde would also take a JSON array as the struct's fields in order.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let deps: Deps = serde_json::from_slice(bytes).ok()?;
    let dir = dir_of(path);
    let at = |rel: &str| {
        if dir.is_empty() {
            rel.to_string()
        } else {
            format!("{dir}/{rel}")
        }
    };
    let mut out = Vec::new();
    for (id, lib) in deps.libraries {
        if !matches!(lib.kind.as_str(), "package" | "project") {
            continue;
        }
        let Some((name, version)) = id.split_once('/') else {
            continue;
        };
        let mut files = Vec::new();
        for t in deps.targets.values().filter_map(|t| t.get(&id)) {
            for asset in t.runtime.keys().chain(t.native.keys()) {
                files.push(at(asset.rsplit('/').next().unwrap_or(asset)));
            }
            files.extend(t.runtime_targets.keys().map(|a| at(a)));
        }
        files.sort();
        files.dedup();
        out.push(Found {
            name: name.to_string(),
            version: version.to_string(),
            location: path.to_string(),
            trees: Vec::new(),
            files,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_libraries_and_their_assemblies() -> Result<(), Box<dyn std::error::Error>> {
        let deps = br#"{
          "runtimeTarget": {"name": ".NETCoreApp,Version=v8.0"},
          "targets": {".NETCoreApp,Version=v8.0": {
            "app/1.0.0": {"dependencies": {"Newtonsoft.Json": "13.0.3"}, "runtime": {"app.dll": {}}},
            "Newtonsoft.Json/13.0.3": {"runtime": {"lib/net6.0/Newtonsoft.Json.dll": {"assemblyVersion": "13.0.0.0"}}},
            "SQLitePCLRaw.lib.e_sqlite3/2.1.6": {"runtimeTargets": {"runtimes/linux-x64/native/libe_sqlite3.so": {"rid": "linux-x64", "assetType": "native"}}}
          }},
          "libraries": {
            "app/1.0.0": {"type": "project", "serviceable": false, "sha512": ""},
            "Newtonsoft.Json/13.0.3": {"type": "package", "serviceable": true, "sha512": "sha512-x", "path": "newtonsoft.json/13.0.3"},
            "SQLitePCLRaw.lib.e_sqlite3/2.1.6": {"type": "package"},
            "Microsoft.NETCore.App.Ref/8.0.0": {"type": "reference"}
          }
        }"#;
        let f = read("app/app.deps.json", deps).ok_or("deps.json not read")?;
        let names: Vec<&str> = f.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            ["Newtonsoft.Json", "SQLitePCLRaw.lib.e_sqlite3", "app"]
        );
        assert_eq!(f[0].files, ["app/Newtonsoft.Json.dll"]);
        assert_eq!(
            f[1].files,
            ["app/runtimes/linux-x64/native/libe_sqlite3.so"]
        );
        assert_eq!(f[2].files, ["app/app.dll"]);
        assert!(read("x.deps.json", b"[]").is_none());
        Ok(())
    }
}
