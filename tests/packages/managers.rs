//! The package managers beyond dpkg/apk/Python/npm/Go through the binary: `--packages`,
//! the JSON report and `compare` show rpm, gem, Composer and .NET packages, and every final
//! byte is a package's or unowned.

use crate::support::rpm;

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use rpm::{header, rpmdb};
use std::process::Output;

fn run(args: &[&str]) -> Output {
    crate::support::microscope()
        .args(args)
        .output()
        .expect("binary runs")
}

const F: u16 = 0o100_644;
const RAKE: &[u8] =
    b"Gem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\nend\n";

fn base(zlib: &str) -> LayerBuilder {
    let db = rpmdb(&[
        header("bash", "5.1.8", 1_200, &[("/usr/bin/", "bash", 0o100_755)]),
        header("zlib", zlib, 300, &[("/usr/lib64/", "libz.so.1", F)]),
    ]);
    LayerBuilder::new("ubi9")
        .file("usr/bin/bash", &[b'b'; 1_200])
        .file("usr/lib64/libz.so.1", &[b'z'; 300])
        .file("var/lib/rpm/rpmdb.sqlite", &db)
}

fn app() -> LayerBuilder {
    LayerBuilder::new("bundle install && composer install && dotnet publish")
        .file("usr/local/bundle/specifications/rake-13.0.6.gemspec", RAKE)
        .file("usr/local/bundle/gems/rake-13.0.6/lib/rake.rb", &[b'k'; 700])
        .file(
            "srv/vendor/composer/installed.json",
            br#"{"packages":[{"name":"psr/log","version":"3.0.0","install-path":"../psr/log"}]}"#,
        )
        .file("srv/vendor/psr/log/src/LoggerInterface.php", &[b'p'; 400])
        .file(
            "srv/api.deps.json",
            br#"{"targets":{"t":{"Newtonsoft.Json/13.0.3":{"runtime":{"lib/net6.0/Newtonsoft.Json.dll":{}}}}},
                "libraries":{"Newtonsoft.Json/13.0.3":{"type":"package"}}}"#,
        )
        .file("srv/Newtonsoft.Json.dll", &[b'n'; 900])
}

fn write(dir: &std::path::Path, name: &str, layers: Vec<LayerBuilder>) -> String {
    let mut img = ImageBuilder::new(&format!("{name}:test"));
    for l in layers {
        img = img.layer(l);
    }
    let path = dir.join(format!("{name}.tar"));
    std::fs::write(&path, img.docker_archive()).unwrap();
    path.to_string_lossy().into_owned()
}

fn ok(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn packages_table_and_json_show_every_manager() {
    let dir = tempfile::tempdir().unwrap();
    let img = write(dir.path(), "langs", vec![base("1.2.11"), app()]);
    let out = ok(&run(&[&img, "--packages"]));
    let managers: Vec<(&str, &str)> = out
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((*f.first()?, *f.last()?))
        })
        .collect();
    for want in [
        ("bash", "rpm"),
        ("zlib", "rpm"),
        ("rake", "gem"),
        ("psr/log", "php"),
        ("Newtonsoft.Json", "dotnet"),
    ] {
        assert!(managers.contains(&want), "{want:?} in\n{out}");
    }
    let v: serde_json::Value = serde_json::from_str(&ok(&run(&[&img, "--json"]))).unwrap();
    let pk = v["packages"].as_array().unwrap();
    let by = |name: &str| pk.iter().find(|p| p["name"] == name).unwrap();
    assert_eq!(
        (&by("bash")["manager"], &by("bash")["bytes"]),
        (&"rpm".into(), &1_200.into())
    );
    assert_eq!(by("zlib")["version"], "1.2.11-1.el9");
    assert_eq!(by("rake")["bytes"], 700 + RAKE.len());
    assert_eq!(by("psr/log")["bytes"], 400);
    assert_eq!(by("Newtonsoft.Json")["bytes"], 900);
    let owned: u64 = pk.iter().map(|p| p["bytes"].as_u64().unwrap()).sum();
    let unowned = v["unowned_bytes"].as_u64().unwrap();
    assert_eq!(owned + unowned, v["size"]["final_bytes"].as_u64().unwrap());
}

#[test]
fn compare_shows_rpm_and_language_package_changes() {
    let dir = tempfile::tempdir().unwrap();
    let left = write(dir.path(), "left", vec![base("1.2.11")]);
    let right = write(dir.path(), "right", vec![base("1.2.13"), app()]);
    let v: serde_json::Value =
        serde_json::from_str(&ok(&run(&["compare", &left, &right, "--json"]))).unwrap();
    let p = &v["diff"]["packages"];
    let names = |k: &str| -> Vec<(String, String)> {
        p[k].as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["manager"].as_str().unwrap().into(),
                    c["name"].as_str().unwrap().into(),
                )
            })
            .collect()
    };
    let added = names("added");
    for m in ["gem", "php", "dotnet"] {
        assert!(added.iter().any(|(mm, _)| mm == m), "{m} in {added:?}");
    }
    assert!(
        names("changed").contains(&("rpm".into(), "zlib".into())),
        "{p}"
    );
}
