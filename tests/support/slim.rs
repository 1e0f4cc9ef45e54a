//! Running `microscope slim` and reading back what it wrote: the outer archive's members,
//! the one layer's entries, the config.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output};

pub fn slim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_microscope"))
        .arg("slim")
        .args(args)
        .args(["--no-cache"])
        .output()
        .expect("the binary runs")
}

pub fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Members of an outer archive, by name.
pub fn members(archive: &Path) -> Vec<(String, Vec<u8>)> {
    let mut ar = tar::Archive::new(std::fs::File::open(archive).expect("archive"));
    let mut out = Vec::new();
    for e in ar.entries().expect("a tar") {
        let mut e = e.expect("an entry");
        let name = e.path().expect("a path").to_string_lossy().into_owned();
        let mut b = Vec::new();
        e.read_to_end(&mut b).expect("readable");
        out.push((name, b));
    }
    out
}

/// One entry of the slim layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerEntry {
    pub path: String,
    pub kind: char,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub size: u64,
    pub link: Option<String>,
    pub mtime: u64,
}

/// The layer and config of a `docker save` archive slim wrote.
pub fn docker_archive(archive: &Path) -> (Vec<LayerEntry>, serde_json::Value) {
    let m = members(archive);
    let get = |n: &str| {
        m.iter()
            .find(|(name, _)| name == n)
            .map(|(_, b)| b.clone())
            .unwrap_or_else(|| panic!("{n} in the archive"))
    };
    let manifest: serde_json::Value = serde_json::from_slice(&get("manifest.json")).unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(&get(manifest[0]["Config"].as_str().unwrap())).unwrap();
    let layer = get(manifest[0]["Layers"][0].as_str().unwrap());
    let mut ar = tar::Archive::new(&layer[..]);
    let mut out = Vec::new();
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        let h = e.header();
        out.push(LayerEntry {
            path: e.path().unwrap().to_string_lossy().into_owned(),
            kind: h.entry_type().as_byte() as char,
            mode: h.mode().unwrap(),
            uid: h.uid().unwrap(),
            gid: h.gid().unwrap(),
            size: h.size().unwrap(),
            link: e
                .link_name()
                .unwrap()
                .map(|l| l.to_string_lossy().into_owned()),
            mtime: h.mtime().unwrap(),
        });
    }
    (out, config)
}

pub fn find<'a>(entries: &'a [LayerEntry], path: &str) -> &'a LayerEntry {
    entries
        .iter()
        .find(|e| e.path.trim_end_matches('/') == path)
        .unwrap_or_else(|| panic!("{path} in the layer: {entries:#?}"))
}

/// The "files written" line's figure and the prediction, from slim's output.
pub fn written_and_predicted(stdout: &str) -> (u64, u64) {
    let line = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("files written:"))
        .unwrap_or_else(|| panic!("a files written line in {stdout}"));
    let nums: Vec<u64> = line
        .split(|c: char| !(c.is_ascii_digit() || c == ','))
        .filter(|s| s.chars().any(|c| c.is_ascii_digit()))
        .map(|s| s.replace(',', "").parse().unwrap())
        .collect();
    (nums[0], nums[1])
}
