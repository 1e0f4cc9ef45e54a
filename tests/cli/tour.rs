//! `microscope tour`: the steps' images, their lessons, the list and the handout, checked
//! against microscope's own analysis of the generated images.

use microscope::demo::tour::{STEPS, handout, lesson, measure};
use microscope::units::bytes;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Every step measured once for all tests here (twelve images analysed).
fn measured() -> Result<Vec<measure::Measured>, String> {
    static ALL: std::sync::OnceLock<Result<Vec<measure::Measured>, String>> =
        std::sync::OnceLock::new();
    ALL.get_or_init(|| microscope::jobs::tour::measure_all().map_err(|e| e.to_string()))
        .clone()
}

#[test]
fn every_step_is_a_miniature_with_a_filled_lesson() -> TestResult {
    let m = measured()?;
    assert_eq!(m.len(), STEPS.len());
    for (i, step) in STEPS.iter().enumerate() {
        assert!(m[i].size > 0, "step {} is empty", step.id);
        assert!(m[i].size < 50_000_000, "step {} is no miniature", step.id);
        let text = lesson::render(i, &m);
        assert!(
            !text.contains("{?"),
            "step {}: unknown placeholder in {text}",
            step.id
        );
        assert!(!text.contains('{'), "step {}: unfilled {text}", step.id);
        if let Some(b) = step.before {
            assert!(b < i, "step {} compares with a later step", step.id);
        }
    }
    Ok(())
}

/// The bytes a finding promises on the step before are what the step saves, within 1 %.
#[test]
fn findings_promise_what_the_next_step_saves() -> TestResult {
    let m = measured()?;
    let mut checked = 0;
    for (i, step) in STEPS.iter().enumerate() {
        let Some(kind) = step.promise else { continue };
        let Some(before) = step.before else { continue };
        let promised = m[before].finding(kind);
        let saved = m[before].size.saturating_sub(m[i].size);
        assert!(
            promised > 0,
            "step {}: no {kind} finding on step {}",
            step.id,
            before + 1
        );
        let off = promised.abs_diff(saved) as f64 / saved.max(1) as f64;
        assert!(
            off <= 0.01,
            "step {}: {kind} promised {promised}, the step saves {saved} ({:.2} % off)",
            step.id,
            off * 100.0
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} promises checked");
    Ok(())
}

/// Every number of the handout is the analysis's, measured here independently.
#[test]
fn the_handout_numbers_are_the_analysis() -> TestResult {
    let m = measured()?;
    let md = handout::markdown(&m);
    for (i, step) in STEPS.iter().enumerate() {
        let r = microscope::jobs::tour::report(i)?;
        let heading = format!("\n## {}. {}\n", i + 1, step.title);
        let at = md
            .find(&heading)
            .ok_or(format!("no section for step {}", i + 1))?;
        let section = &md[at..];
        let section = &section[..section[heading.len()..]
            .find("\n## ")
            .map_or(section.len(), |e| e + heading.len())];
        let line = format!(
            "**This run:** {} ({} bytes, {} layers; {} in the final filesystem)",
            bytes(r.size.layers_bytes),
            handout::grouped(r.size.layers_bytes),
            r.layers.len(),
            bytes(r.size.final_bytes),
        );
        assert!(
            section.contains(&line),
            "step {}: {line:?} not in\n{section}",
            i + 1
        );
        assert!(
            section.contains(&lesson::render(i, &m)),
            "step {}: lesson text",
            i + 1
        );
        assert!(
            section.contains(step.dockerfile),
            "step {}: Dockerfile",
            i + 1
        );
        if let Some((real, _)) = step.real_world {
            let label = format!("**Real-world figure:** {}", bytes(real));
            assert!(
                section.contains(&label),
                "step {}: real-world figure",
                i + 1
            );
        }
        if let (Some(b), Some(kind)) = (step.before, step.promise) {
            let before = microscope::jobs::tour::report(b)?;
            let promised: u64 = before
                .findings
                .iter()
                .filter(|f| f.kind == kind)
                .map(|f| f.savable_bytes)
                .sum();
            assert!(
                section.contains(&bytes(promised)),
                "step {}: promise",
                i + 1
            );
        }
    }
    Ok(())
}

#[test]
fn the_list_has_one_line_a_step_with_its_size() -> TestResult {
    let m = measured()?;
    let list = handout::list(&m);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), STEPS.len() + 1);
    for (i, step) in STEPS.iter().enumerate() {
        assert!(lines[i].contains(step.id), "{}", lines[i]);
        assert!(lines[i].contains(&bytes(m[i].size)), "{}", lines[i]);
    }
    Ok(())
}

#[test]
fn the_main_road_shrinks_and_deleting_later_saves_nothing() -> TestResult {
    let m = measured()?;
    assert!(m[0].size > m[1].size && m[1].size > m[2].size && m[2].size > m[3].size);
    let later = STEPS
        .iter()
        .position(|s| s.id == "deleted-later")
        .ok_or("no step")?;
    assert!(
        m[later].size >= m[0].size,
        "a later rm must not shrink the image"
    );
    assert!(m[later].finding("deleted-later") > 0);
    Ok(())
}

#[test]
fn dockerfile_diff_marks_changed_lines() {
    let d = lesson::diff("FROM a\nRUN x\nCMD y\n", "FROM a\nRUN z\nCMD y\n");
    assert_eq!(
        d,
        vec![
            (' ', "FROM a"),
            ('-', "RUN x"),
            ('+', "RUN z"),
            (' ', "CMD y")
        ]
    );
}

/// `--image`: the tour's questions on an image, answered from its findings and rewrite.
#[test]
fn the_tour_asks_its_questions_of_any_image() -> TestResult {
    let golang = microscope::jobs::tour::report(0)?;
    let text = microscope::demo::tour::learner::render(&golang);
    let toolchain: u64 = golang
        .findings
        .iter()
        .filter(|f| f.kind == "toolchain" || f.kind == "static-libs-headers")
        .map(|f| f.savable_bytes)
        .sum();
    assert!(
        text.contains(&format!("yes: {} could go", bytes(toolchain))),
        "{text}"
    );
    assert!(text.contains("step 3"), "debug symbols asked: {text}");
    assert!(text.contains("distribution packages hold"), "{text}");
    let rewrite = golang.rewrite.as_ref().ok_or("no rewrite")?;
    assert!(text.contains(&format!("predicted {}", bytes(rewrite.predicted_bytes))));
    assert!(text.contains("FROM scratch"), "{text}");
    let upx = microscope::jobs::tour::report(3)?;
    let text = microscope::demo::tour::learner::render(&upx);
    assert!(text.contains("no: no compiler"), "{text}");
    assert!(text.contains("scratch or distroless already"), "{text}");
    Ok(())
}

fn run(args: &[&str]) -> std::process::Output {
    crate::support::microscope()
        .args(args)
        .output()
        .expect("microscope runs")
}

#[test]
fn the_command_line_lists_and_refuses_a_bad_step() {
    let o = run(&["tour", "--list"]);
    assert!(o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(out.lines().count(), STEPS.len() + 1, "{out}");
    let o = run(&["tour", "--step", "99"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("steps 1 to"), "{err}");
}
