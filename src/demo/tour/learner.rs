//! `microscope tour --image IMAGE`: the tour's questions asked of the learner's own image,
//! in the tour's voice, answered from its findings and rewrite (pure: a report in, text out).

use crate::analysis::packages::Manager;
use crate::report::Report;
use crate::units::bytes;

/// One question of the road, and the finding kinds that answer it.
struct Question {
    ask: &'static str,
    step: &'static str,
    kinds: &'static [&'static str],
    no: &'static str,
}

const QUESTIONS: [Question; 5] = [
    Question {
        ask: "Is the build toolchain in the runtime image?",
        step: "step 2 (multi-stage onto scratch)",
        kinds: &["toolchain", "static-libs-headers"],
        no: "no: no compiler, toolchain or headers found.",
    },
    Question {
        ask: "Do the programs carry debug symbols?",
        step: "step 3 (-ldflags=\"-s -w\", or strip)",
        kinds: &["debug-symbols"],
        no: "no: the programs are stripped.",
    },
    Question {
        ask: "Were files deleted, hidden or rewritten in a later layer?",
        step: "side road 11 (deleting in a later layer saves nothing)",
        kinds: &[
            "deleted-later",
            "overwritten",
            "opaque-hidden",
            "metadata-copy",
        ],
        no: "no: every layer's bytes are still visible at the end.",
    },
    Question {
        ask: "Are package caches, docs or other cruft shipped?",
        step: "side roads 7-8 (`apk --no-cache`, clean in the same RUN)",
        kinds: &[
            "apt-lists",
            "package-cache",
            "docs",
            "tests-examples",
            "tmp-logs",
        ],
        no: "no cache or docs found.",
    },
    Question {
        ask: "Could the big executables be packed (UPX)?",
        step: "step 4 (UPX: on disk only, at a cost in start-up time and shared memory)",
        kinds: &["uncompressed-binary"],
        no: "no large unpacked executable.",
    },
];

/// The tour's answer for one image.
pub fn render(r: &Report) -> String {
    let mut out = format!(
        "The tour, asked of {}: {} in {} layers ({} in the final filesystem).\n\n",
        r.image.reference,
        bytes(r.size.layers_bytes),
        r.layers.len(),
        bytes(r.size.final_bytes)
    );
    for (i, q) in QUESTIONS.iter().enumerate() {
        out.push_str(&format!("{}. {}\n", i + 1, q.ask));
        answer(r, q, &mut out);
        out.push('\n');
    }
    out.push_str(&format!("{}. Is the base big?\n", QUESTIONS.len() + 1));
    base(r, &mut out);
    out.push('\n');
    rewrite(r, &mut out);
    out
}

fn answer(r: &Report, q: &Question, out: &mut String) {
    let found: Vec<_> = r
        .findings
        .iter()
        .filter(|f| q.kinds.contains(&f.kind.as_str()) && f.savable_bytes > 0)
        .collect();
    if found.is_empty() {
        out.push_str(&format!("   {}\n", q.no));
        return;
    }
    let total: u64 = found.iter().map(|f| f.savable_bytes).sum();
    out.push_str(&format!(
        "   yes: {} could go - the tour's {}.\n",
        bytes(total),
        q.step
    ));
    for f in found {
        out.push_str(&format!(
            "   - {} (layer {}): {}\n",
            f.title,
            f.layer,
            bytes(f.savable_bytes)
        ));
        if let Some(line) = f.fix.lines().next().filter(|l| !l.is_empty()) {
            out.push_str(&format!("     fix: {line}\n"));
        }
    }
}

fn base(r: &Report, out: &mut String) {
    let distro: Vec<_> = r
        .packages
        .iter()
        .filter(|p| matches!(p.manager, Manager::Dpkg | Manager::Apk | Manager::Rpm))
        .collect();
    if distro.is_empty() {
        out.push_str("   no distribution packages: scratch or distroless already.\n");
        return;
    }
    let total: u64 = distro.iter().map(|p| p.bytes).sum();
    let apk = distro.iter().all(|p| p.manager == Manager::Apk);
    out.push_str(&format!(
        "   {} distribution packages hold {} ({}).\n",
        distro.len(),
        bytes(total),
        if apk {
            "Alpine-like: already the small base of side road 8"
        } else {
            "a Debian- or Red Hat-like base: side roads 7-8 show what Alpine or scratch saves"
        }
    ));
}

fn rewrite(r: &Report, out: &mut String) {
    let Some(w) = &r.rewrite else {
        let why = crate::report::rewrite::no_rewrite_reason(r);
        out.push_str(&format!(
            "The end of the road: no rewrite proposed ({why}).\n"
        ));
        return;
    };
    out.push_str(&format!(
        "The end of the road: {} on {} - predicted {} (today {}), {}.\n",
        w.program.path,
        w.base,
        bytes(w.predicted_bytes),
        bytes(w.current_bytes),
        super::lesson::change(w.current_bytes, w.predicted_bytes)
    ));
    out.push_str("\n```dockerfile\n");
    out.push_str(&w.dockerfile);
    if !w.dockerfile.ends_with('\n') {
        out.push('\n');
    }
    out.push_str("```\n");
}
