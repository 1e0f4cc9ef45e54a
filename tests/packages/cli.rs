//! `microscope IMAGE --packages` and the package fields of the JSON report, on an image built
//! here with a known dpkg database.

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::process::Output;

fn run(args: &[&str]) -> Output {
    crate::support::microscope()
        .args(args)
        .output()
        .expect("binary runs")
}

fn stanza(name: &str, version: &str) -> String {
    format!(
        "Package: {name}\nStatus: install ok installed\nArchitecture: amd64\nVersion: {version}\nInstalled-Size: 3\n\n"
    )
}

fn image(dir: &std::path::Path) -> String {
    let base = LayerBuilder::new("debootstrap")
        .symlink("bin", "usr/bin")
        .file("usr/bin/big", &[b'b'; 3000])
        .file("usr/bin/small", &[b's'; 1000])
        .file("opt/data", &[b'd'; 500])
        .file(
            "var/lib/dpkg/status",
            (stanza("big", "1.0") + &stanza("small", "2.0")).as_bytes(),
        )
        .file("var/lib/dpkg/info/big.list", b"/.\n/bin\n/bin/big\n")
        .file("var/lib/dpkg/info/small.list", b"/.\n/bin\n/bin/small\n");
    let patch =
        LayerBuilder::new("sed -i s/s/S/ /usr/bin/small").file("usr/bin/small", &[b'S'; 1200]);
    let archive = ImageBuilder::new("pk:test")
        .layer(base)
        .layer(patch)
        .docker_archive();
    let path = dir.join("pk.tar");
    std::fs::write(&path, archive).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn packages_flag_prints_the_table_largest_first() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path());
    let o = run(&[&img, "--packages"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        lines[0],
        ["NAME", "VERSION", "BYTES", "SHARE", "LAYER", "MANAGER"]
    );
    assert_eq!(lines[1][..3], ["big", "1.0", "2.9"]);
    assert_eq!(lines[1][lines[1].len() - 2..], ["0", "dpkg"]);
    assert_eq!(lines[2][..3], ["small", "2.0", "1.2"]);
    assert_eq!(lines[3][0], "(unowned)");
    assert!(lines[4].starts_with(&["2", "packages", "own"]));
}

#[test]
fn json_report_carries_packages_and_unowned_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let img = image(dir.path());
    let o = run(&[&img, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let pk = v["packages"].as_array().unwrap();
    assert_eq!(pk[0]["name"], "big");
    assert_eq!(pk[0]["manager"], "dpkg");
    assert_eq!(pk[0]["bytes"], 3000);
    assert_eq!(pk[0]["declared_bytes"], 3072);
    assert_eq!(pk[1]["modified_files"], 1);
    let owned: u64 = pk.iter().map(|p| p["bytes"].as_u64().unwrap()).sum();
    let unowned = v["unowned_bytes"].as_u64().unwrap();
    assert_eq!(owned + unowned, v["size"]["final_bytes"].as_u64().unwrap());
    assert_eq!(v["largest_unowned"][0]["path"], "opt/data");
    let m = &v["modified_package_files"][0];
    assert_eq!(
        (m["path"].as_str(), m["package"].as_str()),
        (Some("usr/bin/small"), Some("small"))
    );
    assert_eq!(
        (m["installed_layer"].as_u64(), m["modified_layer"].as_u64()),
        (Some(0), Some(1))
    );
    assert!(v["removed_packages"].as_array().unwrap().is_empty());
}
