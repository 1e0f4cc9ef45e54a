//! Compare over the big lab images that /work/shared/corpus/build-corpus.sh builds (fat-latest
//! 1.4 GB, python-app-latest 0.9 GB, too big to ship in the corpus). The lab dir is
//! `$MICROSCOPE_LAB`, else `$ENVLAB/corpus`; the tests skip, saying so, without it.
//!
//! The images are built from a moving Debian, so their byte figures change from one build
//! to the next: every figure is cross-checked against what the binary says of each image
//! alone (`microscope IMAGE --json`), and only what the Dockerfiles fix (layer counts, what
//! is shared) is asserted as such.

use microscope::jobs::compare::{PairOptions, load_pair};
use microscope::reference::ImageRef;
use microscope::source::{ImageSource, SourceOptions, open};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The lab images named, or `None` (and a line saying why) when they are not there.
fn lab(names: &[&str]) -> Option<Vec<PathBuf>> {
    let dir = match std::env::var_os("MICROSCOPE_LAB") {
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("ENVLAB") {
            Some(d) => PathBuf::from(d).join("corpus"),
            None => {
                crate::support::skip("neither MICROSCOPE_LAB nor ENVLAB is set");
                return None;
            }
        },
    };
    let paths: Vec<PathBuf> = names.iter().map(|n| dir.join(n)).collect();
    if let Some(missing) = paths.iter().find(|p| !p.is_file()) {
        crate::support::skip(format_args!("{} is missing", missing.display()));
        return None;
    }
    Some(paths)
}

fn json(args: &[&str]) -> Value {
    let o = crate::support::microscope()
        .args(args)
        .output()
        .expect("binary runs");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).expect("JSON on stdout")
}

/// `microscope compare L R --json`, and `microscope L --json`, `microscope R --json`.
fn runs(left: &Path, right: &Path) -> (Value, Value, Value) {
    let (l, r) = (left.to_string_lossy(), right.to_string_lossy());
    let c = json(&["compare", &l, &r, "--json"]);
    (c, json(&[&l, "--json"]), json(&[&r, "--json"]))
}

fn u(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

fn set<'a>(items: &'a Value, key: impl Fn(&'a Value) -> String) -> BTreeSet<String> {
    items
        .as_array()
        .expect("an array")
        .iter()
        .map(key)
        .collect()
}

fn package_key(p: &Value) -> String {
    format!("{} {}", p["manager"], p["name"])
}

fn diff_ids(report: &Value) -> Vec<String> {
    let layers = report["layers"].as_array().expect("layers");
    layers.iter().map(|l| l["diff_id"].to_string()).collect()
}

/// What must hold of any comparison, each figure checked against the images alone.
fn check_against_single_reports(c: &Value, left: &Value, right: &Value) {
    assert_eq!(&c["left"], left, "left is `microscope LEFT --json`");
    assert_eq!(&c["right"], right, "right is `microscope RIGHT --json`");
    let d = &c["diff"];
    let s = &d["summary"];
    let figures = [
        ("layers_bytes", "/size/layers_bytes"),
        ("final_bytes", "/size/final_bytes"),
        ("compressed_bytes", "/size/compressed_bytes"),
        ("reclaimable_bytes", "/size/reclaimable_bytes"),
        ("savable_bytes", "/findings_savable_bytes"),
    ];
    for (field, pointer) in figures {
        let f = &s[field];
        assert_eq!(
            (u(&f["left"]), u(&f["right"])),
            (
                u(left.pointer(pointer).unwrap()),
                u(right.pointer(pointer).unwrap())
            ),
            "{field}"
        );
        assert_eq!(u(&f["delta"]), u(&f["right"]) - u(&f["left"]), "{field}");
    }
    for (field, list) in [("layers", "layers"), ("packages", "packages")] {
        let count = |r: &Value| r[list].as_array().map_or(0, |a| a.len() as i64);
        let f = &s[field];
        assert_eq!((u(&f["left"]), u(&f["right"])), (count(left), count(right)));
        assert_eq!(u(&f["delta"]), count(right) - count(left), "{field}");
    }
    assert_eq!(
        u(&s["files"]["delta"]),
        u(&s["files"]["right"]) - u(&s["files"]["left"])
    );
    let eff = &s["efficiency"];
    let (le, re) = (
        eff["left"].as_f64().unwrap(),
        eff["right"].as_f64().unwrap(),
    );
    assert_eq!(le, left["size"]["efficiency"].as_f64().unwrap());
    assert_eq!(re, right["size"]["efficiency"].as_f64().unwrap());
    assert!((eff["delta"].as_f64().unwrap() - (re - le)).abs() < 1e-12);

    // The layer table: a row is shared exactly when both images hold that diff_id, and each
    // side's bytes are that layer's in the image's own report.
    let (lids, rids) = (diff_ids(left), diff_ids(right));
    let common = lids.iter().filter(|id| rids.contains(id)).count() as i64;
    assert_eq!(u(&d["layers"]["shared"]), common);
    for row in d["layers"]["rows"].as_array().expect("rows") {
        let side = |r: &Value, i: &Value| {
            i.as_u64().map(|i| {
                (
                    r["layers"][i as usize]["diff_id"].to_string(),
                    u(&r["layers"][i as usize]["bytes"]),
                )
            })
        };
        let (l, r) = (side(left, &row["left"]), side(right, &row["right"]));
        let shared = matches!((&l, &r), (Some(a), Some(b)) if a.0 == b.0);
        assert_eq!(row["shared"].as_bool(), Some(shared), "{row}");
        assert_eq!(u(&row["left_bytes"]), l.map_or(0, |x| x.1), "{row}");
        assert_eq!(u(&row["right_bytes"]), r.map_or(0, |x| x.1), "{row}");
    }
    let rows = d["layers"]["rows"].as_array().unwrap();
    let shown = |k: &str| rows.iter().filter(|r| !r[k].is_null()).count();
    assert_eq!(
        (shown("left"), shown("right")),
        (lids.len(), rids.len()),
        "every layer once"
    );

    // Both breakdowns of the final-bytes delta add up to it.
    let fd = u(&s["final_bytes"]["delta"]);
    let t = &d["files"]["totals"];
    let by_status: i64 = ["only_left", "only_right", "changed", "same"]
        .iter()
        .map(|k| u(&t[k]["delta"]))
        .sum();
    assert_eq!(by_status, fd);
    let items = d["explained"]["items"].as_array().unwrap();
    let explained: i64 = items.iter().map(|i| u(&i["delta"])).sum();
    assert_eq!(explained + u(&d["explained"]["other_delta"]), fd);

    // Packages by name: added and removed are the set differences, and a name on both
    // sides is changed or unchanged.
    let (lp, rp) = (
        set(&left["packages"], package_key),
        set(&right["packages"], package_key),
    );
    let p = &d["packages"];
    assert_eq!(set(&p["added"], package_key), &rp - &lp);
    assert_eq!(set(&p["removed"], package_key), &lp - &rp);
    let changed = p["changed"].as_array().unwrap().len() as i64;
    assert_eq!(
        changed + u(&p["unchanged"]),
        lp.intersection(&rp).count() as i64
    );

    // Findings by kind.
    let kind = |f: &Value| f["kind"].to_string();
    let (lk, rk) = (set(&left["findings"], kind), set(&right["findings"], kind));
    let f = &d["findings"];
    assert_eq!(set(&f["only_left"], kind), &lk - &rk);
    assert_eq!(set(&f["only_right"], kind), &rk - &lk);
    assert_eq!(set(&f["both"], kind), &lk & &rk);
}

fn source(path: &Path) -> Box<dyn ImageSource> {
    let r = ImageRef::parse(&path.to_string_lossy()).expect("a path parses");
    open(&r, &SourceOptions::default()).expect("the image opens")
}

/// Layers read from their blobs, and layers of one image served by the other's scan.
fn scans(left: &Path, right: &Path) -> (usize, usize) {
    let pair = load_pair(&*source(left), &*source(right), &PairOptions::default())
        .expect("both images load");
    (pair.scanned, pair.reused)
}

#[test]
fn fat_latest_against_micro_latest() {
    let Some(p) = lab(&["fat-latest.docker.tar", "micro-latest.docker.tar"]) else {
        return;
    };
    let (c, fat, micro) = runs(&p[0], &p[1]);
    check_against_single_reports(&c, &fat, &micro);
    let d = &c["diff"];
    assert_eq!(
        (
            u(&d["summary"]["layers"]["left"]),
            u(&d["summary"]["layers"]["right"])
        ),
        (5, 2)
    );
    // Different bases (debian and scratch): nothing is shared, and the layers face each
    // other row by row.
    let (fids, mids) = (diff_ids(&fat), diff_ids(&micro));
    assert!(
        fids.iter().all(|id| !mids.contains(id)),
        "no diff_id in common"
    );
    assert_eq!(
        (u(&d["layers"]["shared_base"]), u(&d["layers"]["shared"])),
        (0, 0)
    );
    assert_eq!(u(&d["layers"]["shared_bytes"]), 0);
    let rows: Vec<(Value, Value)> = d["layers"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["left"].clone(), r["right"].clone()))
        .collect();
    let expected: Vec<(Value, Value)> = (0..5)
        .map(|i| (i.into(), if i < 2 { i.into() } else { Value::Null }))
        .collect();
    assert_eq!(rows, expected);
    assert!(
        u(&d["summary"]["final_bytes"]["delta"]) < 0,
        "micro is smaller"
    );
    // micro's whole filesystem is its CA bundle and the server; the server moved from
    // /usr/local/bin/hello to /hello, a Go program changed rather than added and removed.
    let t = &d["files"]["totals"];
    assert_eq!(
        u(&t["only_right"]["entries"]) + u(&t["changed"]["entries"]) + u(&t["same"]["entries"]),
        2
    );
    let moved = d["packages"]["changed"].as_array().unwrap();
    assert_eq!(moved.len(), 1, "{moved:?}");
    assert_eq!(moved[0]["manager"], "go");
    assert_ne!(moved[0]["location"], moved[0]["left_location"]);
    assert!(d["packages"]["added"].as_array().unwrap().is_empty());
    assert_eq!(
        scans(&p[0], &p[1]),
        (7, 0),
        "every layer scanned, none reused"
    );
}

#[test]
fn debian_bookworm_against_python_app_latest() {
    let Some(p) = lab(&["debian-bookworm.docker.tar", "python-app-latest.docker.tar"]) else {
        return;
    };
    let (c, debian, app) = runs(&p[0], &p[1]);
    check_against_single_reports(&c, &debian, &app);
    let d = &c["diff"];
    // python-app is FROM debian:bookworm: its first layer is debian's only one.
    let (did, aid) = (diff_ids(&debian), diff_ids(&app));
    assert_eq!(did.len(), 1);
    assert_eq!(aid[0], did[0], "python-app's first layer is debian's");
    let row = &d["layers"]["rows"][0];
    assert_eq!(
        (&row["left"], &row["right"]),
        (&Value::from(0), &Value::from(0))
    );
    assert_eq!(row["shared"], true);
    assert_eq!(row["diff_id"].to_string(), did[0]);
    assert_eq!(u(&row["delta"]), 0);
    assert_eq!(
        (u(&d["layers"]["shared_base"]), u(&d["layers"]["shared"])),
        (1, 1)
    );
    assert_eq!(
        u(&d["layers"]["shared_bytes"]),
        u(&debian["layers"][0]["bytes"]),
        "the shared bytes are the base layer's"
    );
    // Every other row is one of python-app's own layers, in order.
    let rest: Vec<(Value, Value)> = d["layers"]["rows"].as_array().unwrap()[1..]
        .iter()
        .map(|r| (r["left"].clone(), r["right"].clone()))
        .collect();
    let expected: Vec<(Value, Value)> = (1..aid.len()).map(|i| (Value::Null, i.into())).collect();
    assert_eq!(rest, expected);
    // The app only adds on top of its base: nothing of debian's is gone.
    let t = &d["files"]["totals"];
    assert_eq!(u(&t["only_left"]["entries"]), 0);
    assert!(d["packages"]["removed"].as_array().unwrap().is_empty());
    assert_eq!(
        u(&d["packages"]["unchanged"]),
        debian["packages"].as_array().unwrap().len() as i64,
        "every Debian package is there, unchanged"
    );
    assert_eq!(
        scans(&p[0], &p[1]),
        (aid.len(), 1),
        "the base layer is scanned once, for both images"
    );
}
