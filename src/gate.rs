//! The CI gate's front end: read the rules file and the baseline (the I/O), evaluate them
//! with the pure `microscope::report::ci`, print the verdicts in the chosen format, append a
//! GitHub Actions job summary, and turn the outcome into the exit code (0 pass, 1 fail).

use crate::cli::{CiArgs, Format, OutputArgs};
use crate::{analyse, output};
use anyhow::{Context, Result, bail};
use microscope::report::ci::config::{self as ci_config, LoadedRules};
use microscope::report::ci::text as ci_text;
use microscope::report::ci::{self, Baseline, Facts, Outcome, Rules};
use microscope::report::{Report, markdown};
use microscope::source::SourceOptions;
use serde::Serialize;
use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

/// A rules file larger than this is not a rules file.
const MAX_CONFIG_BYTES: u64 = 1 << 20;
/// Saved reports are small (top-N lists); this only guards against a wrong file.
const MAX_BASELINE_BYTES: u64 = 256 << 20;

/// What the gate will check, read before the image so a bad config fails fast.
pub struct Plan {
    rules: LoadedRules,
    baseline: Option<Baseline>,
}

/// Decides whether the gate runs, and if so reads its rules and baseline. `auto_allowed` is
/// false for `microscope demo`, which nobody gates.
pub fn plan(
    args: &CiArgs,
    out: &OutputArgs,
    opts: &SourceOptions,
    auto_allowed: bool,
) -> Result<Option<Plan>> {
    let auto = auto_allowed
        && auto_ci(
            std::env::var("CI").ok().as_deref(),
            std::io::stdout().is_terminal(),
            out.explicit(),
        );
    let asked = args.ci || args.ci_config.is_some() || args.baseline.is_some();
    if !asked && !auto {
        return Ok(None);
    }
    let mut rules = load_rules(args.ci_config.as_deref())?;
    if !asked {
        rules.notes.insert(
            0,
            "CI mode is on because CI=true and standard output is not a terminal".into(),
        );
    }
    let baseline = args
        .baseline
        .as_deref()
        .map(|b| load_baseline(b, opts).with_context(|| format!("--baseline {b}")))
        .transpose()?;
    Ok(Some(Plan { rules, baseline }))
}

/// dive's rule: CI mode when `CI` is truthy. Ours adds: only when nobody reads standard
/// output as a terminal, and not when a report format or file was asked for (dive skips CI
/// evaluation with --json too), so `microscope IMG --json -o base.json` in a CI job saves a
/// baseline instead of gating.
pub fn auto_ci(ci_env: Option<&str>, stdout_is_tty: bool, explicit_output: bool) -> bool {
    let truthy = ci_env
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes"));
    truthy && !stdout_is_tty && !explicit_output
}

/// The report with the gate's outcome under `ci`: the report's schema, one key added.
#[derive(Serialize)]
struct WithCi<'a> {
    #[serde(flatten)]
    report: &'a Report,
    ci: &'a Outcome,
}

pub fn run(report: &Report, out: &OutputArgs, plan: Plan) -> Result<ExitCode> {
    let facts = Facts::from_report(report);
    let outcome = ci::evaluate(
        &plan.rules.rules,
        &facts,
        plan.baseline.as_ref(),
        plan.rules.notes,
    );
    let text = ci_text::render(report, &facts, &outcome);
    let body = match out.format() {
        Format::Text => text.clone(),
        Format::Markdown => markdown::render(report, &facts, Some(&outcome)),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&WithCi {
                report,
                ci: &outcome,
            })?;
            s.push('\n');
            s
        }
    };
    output::write_output(out, &body)?;
    if out.output.is_some() {
        // The report went to a file; the CI log still gets the verdicts.
        let text = microscope::report::escape::log(&text);
        std::io::stdout().lock().write_all(text.as_bytes())?;
    }
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        let md = markdown::render(report, &facts, Some(&outcome));
        // A summary that cannot be written must not turn the gate's answer into an error.
        if let Err(e) = append(Path::new(&path), &microscope::report::escape::log(&md)) {
            eprintln!(
                "microscope: warning: cannot append to GITHUB_STEP_SUMMARY ({}): {e}",
                Path::new(&path).display()
            );
        }
    }
    Ok(if outcome.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")
}

fn read_limited(path: &Path, limit: u64) -> Result<String> {
    let f = microscope::source::regular::open(path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut text = String::new();
    f.take(limit + 1)
        .read_to_string(&mut text)
        .with_context(|| format!("cannot read {} as UTF-8 text", path.display()))?;
    if text.len() as u64 > limit {
        bail!("{} is larger than {limit} bytes", path.display());
    }
    Ok(text)
}

/// `--ci-config FILE`, or `.microscope.toml`, else `.dive-ci`, in the current directory.
fn load_rules(path: Option<&Path>) -> Result<LoadedRules> {
    if let Some(p) = path {
        let what = || format!("--ci-config {}", p.display());
        let text = read_limited(p, MAX_CONFIG_BYTES).with_context(what)?;
        return parse_by_kind(p, &text).with_context(what);
    }
    let ours = Path::new(".microscope.toml");
    let dive = Path::new(".dive-ci");
    if ours.is_file() {
        let text = read_limited(ours, MAX_CONFIG_BYTES)?;
        let mut loaded =
            ci_config::parse_toml(&text, ".microscope.toml").context(".microscope.toml")?;
        if dive.is_file() {
            loaded
                .notes
                .push(".dive-ci ignored: .microscope.toml takes precedence".into());
        }
        return Ok(loaded);
    }
    if dive.is_file() {
        let text = read_limited(dive, MAX_CONFIG_BYTES)?;
        return ci::dive::parse(&text, ".dive-ci").context(".dive-ci");
    }
    Ok(LoadedRules {
        rules: Rules::default(),
        notes: vec![format!(
            "no .microscope.toml or .dive-ci in the current directory: default rules \
             (min_efficiency = {})",
            ci::DEFAULT_MIN_EFFICIENCY
        )],
    })
}

/// `.toml` is ours; a name with `dive` in it or `.yaml`/`.yml` is dive's; anything else is
/// tried as ours, then as dive's, and reported with our error if neither fits.
fn parse_by_kind(path: &Path, text: &str) -> Result<LoadedRules> {
    let label = path.display().to_string();
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if ext.eq_ignore_ascii_case("toml") {
        return Ok(ci_config::parse_toml(text, &label)?);
    }
    if name.to_ascii_lowercase().contains("dive")
        || ext.eq_ignore_ascii_case("yaml")
        || ext.eq_ignore_ascii_case("yml")
    {
        return Ok(ci::dive::parse(text, &label)?);
    }
    match ci_config::parse_toml(text, &label) {
        Ok(r) => Ok(r),
        Err(ours) => ci::dive::parse(text, &label).or(Err(ours.into())),
    }
}

/// A saved JSON report (a file whose first non-blank byte is `{`), or else an image
/// reference analysed like the main image.
fn load_baseline(arg: &str, opts: &SourceOptions) -> Result<Baseline> {
    let path = Path::new(arg);
    if path.is_file() && starts_with_brace(path)? {
        let text = read_limited(path, MAX_BASELINE_BYTES)?;
        return Ok(Baseline::from_json(&text, arg)?);
    }
    let report = analyse::analyse_ref(arg, opts)?;
    Ok(Baseline::from_report(&report, arg))
}

fn starts_with_brace(path: &Path) -> Result<bool> {
    let mut head = Vec::new();
    microscope::source::regular::open(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .take(512)
        .read_to_end(&mut head)?;
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    Ok(head.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{'))
}

#[cfg(test)]
mod tests {
    use super::auto_ci;

    #[test]
    fn auto_mode_needs_ci_env_a_pipe_and_no_explicit_report() {
        assert!(auto_ci(Some("true"), false, false));
        assert!(auto_ci(Some("1"), false, false));
        assert!(
            !auto_ci(Some("true"), true, false),
            "a terminal reads stdout"
        );
        assert!(
            !auto_ci(Some("true"), false, true),
            "--json/--format/--output"
        );
        assert!(!auto_ci(Some("false"), false, false));
        assert!(!auto_ci(None, false, false));
    }
}
