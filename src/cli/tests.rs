//! The flags as read: what each combination turns into.

use super::*;

/// `microscope IMAGE --packages` on a terminal prints the table the README promises
/// (it used to open the app: the check forgot --packages).
#[test]
fn a_report_flag_keeps_the_app_closed_on_a_terminal() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::try_parse_from(["microscope", "img", "--packages"])?;
    assert!(!cli.analyze.output.wants_app(true));
    for flag in ["--json", "--findings", "--format=text", "--output=x"] {
        let cli = Cli::try_parse_from(["microscope", "img", flag])?;
        assert!(!cli.analyze.output.wants_app(true), "{flag}");
    }
    let plain = Cli::try_parse_from(["microscope", "img"])?;
    assert_eq!(plain.analyze.output.wants_app(true), cfg!(feature = "tui"));
    assert!(!plain.analyze.output.wants_app(false));
    Ok(())
}

#[test]
fn a_bad_platform_is_refused_when_the_flags_are_read() -> Result<(), Box<dyn std::error::Error>> {
    let err =
        Cli::try_parse_from(["microscope", "img", "--platform", "linux"]).expect_err("refused");
    assert!(
        err.to_string().contains("expected os/arch[/variant]"),
        "{err}"
    );
    let ok = Cli::try_parse_from(["microscope", "img", "--platform", "linux/arm64"])?;
    assert_eq!(ok.analyze.platform, Platform::parse("linux/arm64"));
    Ok(())
}
