//! The tour on screen: its layout once per size (the first step at 80×24, the third at
//! 160×48; the lesson pane's drawing is tested as a widget in `tui::tour::view`), and a
//! key-driven walk through all steps, back, into a side and out again.

use microscope::demo::tour::STEPS;
use microscope::jobs::compare::Which;
use microscope::tui::tour::harness::TourHarness;

fn check(name: &str, screen: String) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{12,64}", "sha256:[digest]");
    settings.set_snapshot_path(crate::common::SNAPSHOTS);
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, screen));
}

fn reference(h: &TourHarness, which: Which) -> String {
    match which {
        Which::Left => h.state.compare.left.reference.clone(),
        Which::Right => h.state.compare.right.reference.clone(),
    }
}

#[test]
fn walking_the_tour_with_n_and_p() -> Result<(), Box<dyn std::error::Error>> {
    let measured = microscope::jobs::tour::measure_all()?;
    let mut h = TourHarness::new(0, measured, 80, 24);
    for (i, step) in STEPS.iter().enumerate() {
        assert_eq!(h.state.step, i);
        let data = h
            .state
            .compare
            .data
            .as_ref()
            .ok_or("comparison not loaded")?;
        assert!(
            h.state.compare.error.is_none(),
            "{:?}",
            h.state.compare.error
        );
        assert_eq!(reference(&h, Which::Right), format!("tour:{}", step.id));
        let before = step.before.unwrap_or(i);
        assert_eq!(
            reference(&h, Which::Left),
            format!("tour:{}", STEPS[before].id)
        );
        assert_eq!(
            data.report.right.size.layers_bytes, h.state.measured[i].size,
            "the compare view and the lesson measure the same image"
        );
        let screen = h.render();
        assert!(screen.contains(&format!("Step {}", i + 1)), "{screen}");
        // The tour's layout at this size, once; each step's lesson is the same widget.
        if i == 0 {
            check(&format!("tour-step-{:02}-{}-80x24", i + 1, step.id), screen);
        }
        h.press("n");
    }
    assert_eq!(h.state.step, STEPS.len() - 1, "n stops at the last step");
    assert!(h.state.compare.notice.is_some());
    h.press("?");
    let mut help = h.render();
    h.press("G");
    help.push_str(&h.render());
    assert!(help.contains("Next / previous step"), "{help}");
    h.press("x");
    h.press("p p");
    assert_eq!(h.state.step, STEPS.len() - 3);
    Ok(())
}

#[test]
fn sides_open_and_come_back_and_the_lesson_scrolls() -> Result<(), Box<dyn std::error::Error>> {
    let measured = microscope::jobs::tour::measure_all()?;
    let mut h = TourHarness::new(2, measured, 160, 48);
    check("tour-step-03-stripped-160x48", h.render());
    h.press("]");
    assert_eq!(h.state.compare.open, Some(Which::Right));
    let screen = h.render();
    assert!(
        !screen.contains("next step"),
        "the side takes the whole screen"
    );
    h.press("n");
    assert_eq!(
        h.state.step, 2,
        "n belongs to the side's app while it is open"
    );
    h.press("q");
    assert_eq!(h.state.compare.open, None);
    assert!(h.render().contains("next step"));
    h.press("?");
    let help = h.render();
    for key in [
        "n / p",
        "Next / previous step",
        "J / K",
        "Scroll the lesson",
    ] {
        assert!(help.contains(key), "the tour's help lists {key}:\n{help}");
    }

    h.press("x");
    assert!(!h.state.compare.help);
    h.press("J J");
    assert_eq!(h.state.lesson_scroll, 2);
    h.press("K");
    assert_eq!(h.state.lesson_scroll, 1);
    h.press("p");
    assert_eq!((h.state.step, h.state.lesson_scroll), (1, 0));
    h.press("p p");
    assert_eq!(h.state.step, 0);
    assert!(
        h.state.compare.notice.is_some(),
        "p at the first step says so"
    );
    Ok(())
}
