//! `microscope fleet summary`: reads the JSON lines of every shard, writes one fleet report.

use crate::cli::SummaryArgs;
use anyhow::{Context, Result, bail};
use microscope::report::fleet::{Line, Summary, markdown, summarise};
use std::io::{BufRead, BufReader, Read};
use std::process::ExitCode;

/// A line longer than this is not a fleet line (a report is tens of KB; a bound keeps a
/// stray binary file from being read into memory whole).
const MAX_LINE: u64 = 64 << 20;
/// Bound of a baseline summary file.
const MAX_BASELINE: u64 = 256 << 20;

pub fn run(args: SummaryArgs) -> Result<ExitCode> {
    let mut lines = Vec::new();
    for path in &args.files {
        read_lines(path, &mut lines)?;
    }
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    let summary = summarise(lines, baseline.as_ref());
    let body = if args.json {
        let mut s = serde_json::to_string_pretty(&summary)?;
        s.push('\n');
        s
    } else {
        markdown::render(&summary)
    };
    match &args.output {
        Some(path) => crate::output::write_atomically(path, body.as_bytes())?,
        None => {
            use std::io::Write;
            std::io::stdout().lock().write_all(body.as_bytes())?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn read_lines(path: &std::path::Path, out: &mut Vec<Line>) -> Result<()> {
    let name = path.display().to_string();
    let reader: Box<dyn Read> = if name == "-" {
        Box::new(std::io::stdin())
    } else {
        Box::new(std::fs::File::open(path).with_context(|| name.clone())?)
    };
    let mut reader = BufReader::new(reader);
    let mut buf = String::new();
    for n in 1.. {
        buf.clear();
        let read = (&mut reader)
            .take(MAX_LINE)
            .read_line(&mut buf)
            .with_context(|| format!("{name}: line {n}"))?;
        if read == 0 {
            break;
        }
        if read as u64 == MAX_LINE && !buf.ends_with('\n') {
            bail!(
                "{name}: line {n} is longer than {} bytes: not a fleet line",
                MAX_LINE
            );
        }
        let text = buf.trim();
        if text.is_empty() {
            continue;
        }
        out.push(Line::parse(text).with_context(|| format!("{name}: line {n}"))?);
    }
    Ok(())
}

fn read_baseline(path: &std::path::Path) -> Result<Summary> {
    let what = || format!("--baseline {}", path.display());
    let mut text = String::new();
    std::fs::File::open(path)
        .with_context(what)?
        .take(MAX_BASELINE)
        .read_to_string(&mut text)
        .with_context(what)?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a summary saved with `fleet summary --json`",
            what()
        )
    })
}
