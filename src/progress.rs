//! Progress bars for the command line: one per layer being read (bytes, rate), on stderr,
//! fed by the loader's [`Progress`] events. Shown only when stderr is a terminal; the TUI
//! consumes the same events itself.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use microscope::image::ImageMeta;
use microscope::jobs::Progress;
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Mutex;

pub struct CliBars {
    multi: MultiProgress,
    bars: Mutex<HashMap<usize, ProgressBar>>,
    labels: Vec<String>,
    sized: ProgressStyle,
    open_ended: ProgressStyle,
}

impl CliBars {
    /// Bars on stderr when it is a terminal; None otherwise (CI logs, pipes).
    pub fn for_stderr(meta: &ImageMeta) -> Option<CliBars> {
        if !std::io::stderr().is_terminal() {
            return None;
        }
        Some(Self::new(meta, ProgressDrawTarget::stderr_with_hz(8)))
    }

    pub fn new(meta: &ImageMeta, target: ProgressDrawTarget) -> CliBars {
        let labels = meta
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let id = l.digest.as_deref().or(l.diff_id.as_deref()).unwrap_or("");
                let short = id.strip_prefix("sha256:").unwrap_or(id);
                format!("layer {i:>2} {}", &short[..short.len().min(12)])
            })
            .collect();
        let sized = units_keys(
            ProgressStyle::with_template(
                "{prefix} [{bar:30}] {read:>8}/{total:<8} {rate:>10} {eta:>4}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        )
        .progress_chars("=> ");
        let open_ended = units_keys(
            ProgressStyle::with_template("{prefix} {spinner} {read:>8} {rate:>10}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        CliBars {
            multi: MultiProgress::with_draw_target(target),
            bars: Mutex::new(HashMap::new()),
            labels,
            sized,
            open_ended,
        }
    }

    /// Feeds one loader event to the bars.
    pub fn update(&self, event: Progress) {
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Progress::Bytes { layer, read, total } => {
                let new = !bars.contains_key(&layer);
                let bar = bars.entry(layer).or_insert_with(|| {
                    let bar = match total {
                        Some(t) => ProgressBar::new(t).with_style(self.sized.clone()),
                        None => ProgressBar::no_length().with_style(self.open_ended.clone()),
                    };
                    let bar = self.multi.add(bar);
                    bar.set_prefix(self.label(layer));
                    bar
                });
                bar.set_position(read);
                if new {
                    // The first event comes a few MB in: rate and ETA count from here.
                    bar.reset_eta();
                }
            }
            Progress::LayerDone {
                layer,
                scan,
                cached,
            } => {
                if let Some(bar) = bars.get(&layer) {
                    bar.set_position(scan.compressed_bytes);
                    bar.finish();
                } else if !cached {
                    // A layer read without byte events (matched by content): one line.
                    let bar = self.multi.add(ProgressBar::new(scan.compressed_bytes));
                    bar.set_style(self.sized.clone());
                    bar.set_prefix(self.label(layer));
                    bar.finish();
                    bars.insert(layer, bar);
                }
            }
        }
    }

    fn label(&self, layer: usize) -> String {
        self.labels
            .get(layer)
            .cloned()
            .unwrap_or_else(|| format!("layer {layer:>2}"))
    }

    /// Removes the bars from the terminal.
    pub fn clear(&self) {
        let _ = self.multi.clear();
    }
}

/// `{read}`, `{total}` and `{rate}` in the units of every other output (crate::units), not
/// indicatif's own byte formatting.
fn units_keys(style: ProgressStyle) -> ProgressStyle {
    use indicatif::ProgressState;
    use std::fmt::Write;
    style
        .with_key("read", |s: &ProgressState, w: &mut dyn Write| {
            let _ = w.write_str(&microscope::units::bytes(s.pos()));
        })
        .with_key("total", |s: &ProgressState, w: &mut dyn Write| {
            let _ = w.write_str(&s.len().map(microscope::units::bytes).unwrap_or_default());
        })
        .with_key("rate", |s: &ProgressState, w: &mut dyn Write| {
            let _ = write!(w, "{}/s", microscope::units::bytes(s.per_sec() as u64));
        })
}

/// For a stderr that is not a terminal (a CI log): a line now and then, so a long read
/// shows life without drawing bars into the log.
pub struct LogLines {
    layers: usize,
    every: std::time::Duration,
    state: Mutex<LogState>,
}

struct LogState {
    last: std::time::Instant,
    read: HashMap<usize, u64>,
    done: usize,
}

impl LogLines {
    /// Lines every `MICROSCOPE_PROGRESS_SECS` seconds (30 by default) when stderr is not a
    /// terminal; None when it is (the bars are drawn instead).
    pub fn for_stderr(meta: &ImageMeta) -> Option<LogLines> {
        if std::io::stderr().is_terminal() {
            return None;
        }
        let secs = std::env::var("MICROSCOPE_PROGRESS_SECS")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(30);
        Some(LogLines {
            layers: meta.layers.len(),
            every: std::time::Duration::from_secs(secs),
            state: Mutex::new(LogState {
                last: std::time::Instant::now(),
                read: HashMap::new(),
                done: 0,
            }),
        })
    }

    pub fn update(&self, event: Progress) {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            Progress::Bytes { layer, read, .. } => {
                s.read.insert(layer, read);
            }
            Progress::LayerDone { layer, scan, .. } => {
                s.read.insert(layer, scan.compressed_bytes);
                s.done += 1;
            }
        }
        if s.last.elapsed() >= self.every {
            s.last = std::time::Instant::now();
            let read = s.read.values().fold(0u64, |a, &b| a.saturating_add(b));
            eprintln!(
                "microscope: reading the image: {} of {} layers done, {} read",
                s.done,
                self.layers,
                microscope::units::bytes(read)
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use microscope::image::{LayerDesc, LayerScan};
    use std::sync::Arc;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn events_make_bars() -> TestResult {
        let meta = ImageMeta {
            layers: vec![LayerDesc {
                digest: Some(format!("sha256:{}", "ab".repeat(32))),
                diff_id: None,
                media_type: String::new(),
                size: Some(100),
                locator: String::new(),
            }],
            ..Default::default()
        };
        let bars = CliBars::new(&meta, ProgressDrawTarget::hidden());
        bars.update(Progress::Bytes {
            layer: 0,
            read: 50,
            total: Some(100),
        });
        bars.update(Progress::LayerDone {
            layer: 0,
            scan: Arc::new(LayerScan {
                compressed_bytes: 100,
                ..Default::default()
            }),
            cached: false,
        });
        let b = bars.bars.lock().map_err(|e| e.to_string())?;
        assert_eq!(b[&0].position(), 100);
        assert!(b[&0].is_finished());
        assert_eq!(b[&0].prefix(), "layer  0 abababababab");
        Ok(())
    }
}
