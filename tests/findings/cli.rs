//! Findings through the binary: the JSON report's `findings` and the `--findings` table, on
//! the built-in demo images (the fat one is careless on purpose, the micro one is not).

fn run(args: &[&str]) -> String {
    let o = crate::support::microscope()
        .args(args)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).expect("utf-8")
}

#[test]
fn fat_demo_findings_in_json() {
    let v: serde_json::Value = serde_json::from_str(&run(&["demo", "--json"])).unwrap();
    let findings = v["findings"].as_array().expect("findings[]");
    let kinds: Vec<&str> = findings
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    for want in [
        "apt-lists",
        "package-cache",
        "toolchain",
        "debug-symbols",
        "metadata-copy",
        "deleted-later",
    ] {
        assert!(kinds.contains(&want), "{want} in {kinds:?}");
    }
    let counted: u64 = findings
        .iter()
        .map(|f| f["counted_bytes"].as_u64().unwrap())
        .sum();
    assert_eq!(v["findings_savable_bytes"].as_u64().unwrap(), counted);
    let apt = findings.iter().find(|f| f["kind"] == "apt-lists").unwrap();
    assert_eq!(apt["rule"], "DL3009");
    assert!(
        apt["fix"]
            .as_str()
            .unwrap()
            .ends_with("&& rm -rf /var/lib/apt/lists/*")
    );
    let dbg = findings
        .iter()
        .find(|f| f["kind"] == "debug-symbols")
        .unwrap();
    assert!(dbg["fix"].as_str().unwrap().contains("-ldflags=\"-s -w\""));
}

#[test]
fn findings_table_is_sorted_and_micro_is_clean() {
    let table = run(&["demo", "--findings"]);
    assert!(table.starts_with("     SAVES  SEV"));
    assert!(table.contains("fix:  RUN apt-get update"));
    assert!(table.contains("total savable"));
    let micro: serde_json::Value =
        serde_json::from_str(&run(&["demo", "--image", "micro", "--json"])).unwrap();
    assert_eq!(micro["findings_savable_bytes"], 0);
}

/// What `Y` copies and the JSON `fix` holds is only Dockerfile lines: empty, or an
/// instruction with no prose around it and never cut; the prose is in `explanation`, and no
/// internal field name reaches a person.
#[test]
fn fix_lines_are_dockerfile_lines_and_prose_is_the_explanation() {
    let mut images = vec![run(&["demo", "--json"])];
    match std::env::var_os("MICROSCOPE_CORPUS") {
        Some(dir) => {
            for name in ["dive-test-image.docker.tar", "micro-debug.docker.tar"] {
                let path = std::path::Path::new(&dir).join(name);
                images.push(run(&[path.to_str().unwrap(), "--json"]));
            }
        }
        None => crate::support::skip("the corpus part: MICROSCOPE_CORPUS is unset"),
    }
    let mut lines = 0;
    for json in images {
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        for f in v["findings"].as_array().unwrap() {
            let fix = f["fix"].as_str().unwrap();
            let why = f["explanation"].as_str().unwrap();
            assert!(!fix.is_empty() || !why.is_empty(), "{f}");
            for text in [fix, why] {
                assert!(
                    !text.contains("_bytes"),
                    "no field names in user text: {text}"
                );
            }
            if fix.is_empty() {
                continue;
            }
            lines += 1;
            let instruction = ["RUN ", "COPY ", "ENV ", "FROM ", "ADD "]
                .iter()
                .any(|i| fix.starts_with(i));
            assert!(instruction, "a fix starts with an instruction: {fix}");
            assert!(
                !fix.contains('…') && !fix.contains("frees nothing") && !fix.contains("; "),
                "no prose, no cut in a fix line: {fix}"
            );
        }
    }
    assert!(lines >= 5, "the fixes were read ({lines} lines)");
}
