//! dive's `.dive-ci`, mapped onto microscope's rules so a team can switch tools without
//! rewriting its config.
//!
//! dive reads a `rules:` mapping with three keys (camelCase in the legacy file, kebab-case in
//! its newer app config; both are accepted here, and snake_case too). Each value is read as
//! a string, as dive does: `disabled`, `off`, `false` or empty turns the rule off; rules
//! the file leaves out keep dive's defaults (0.9, disabled, 0.1). Unknown keys are ignored
//! by dive; here they are ignored with a note.
//!
//! | dive | microscope |
//! | --- | --- |
//! | `lowestEfficiency` (0–1) | `min_efficiency` |
//! | `highestWastedBytes` (size) | `max_reclaimable_bytes` |
//! | `highestUserWastedPercent` (0–1) | `max_reclaimable_percent` (× 100) |

use super::Rules;
use super::config::{ConfigError, LoadedRules, clip, is_off_word, parse_size};
use super::rule::Rule;
use yaml_rust2::{Yaml, YamlLoader};

/// One of dive's rules as the string dive would see, and whether the file set it (else it
/// is dive's default).
struct DiveValue {
    raw: String,
    from_file: bool,
}

impl DiveValue {
    fn default_of(raw: &str) -> DiveValue {
        DiveValue {
            raw: raw.to_string(),
            from_file: false,
        }
    }
}

/// What dive's three rules are set to.
struct DiveRules {
    lowest_efficiency: DiveValue,
    highest_wasted_bytes: DiveValue,
    highest_user_wasted_percent: DiveValue,
}

impl Default for DiveRules {
    /// dive's defaults, flagged as not set by the file.
    fn default() -> Self {
        DiveRules {
            lowest_efficiency: DiveValue::default_of("0.9"),
            highest_wasted_bytes: DiveValue::default_of("disabled"),
            highest_user_wasted_percent: DiveValue::default_of("0.1"),
        }
    }
}

pub fn parse(text: &str, label: &str) -> Result<LoadedRules, ConfigError> {
    crate::report::yaml_guard::check(text).map_err(|r| ConfigError::Yaml(r.0))?;
    let docs = YamlLoader::load_from_str(text)
        .map_err(|e| ConfigError::Yaml(clip(&e.to_string(), 300)))?;
    let mut dive = DiveRules::default();
    let mut notes = Vec::new();
    let mut ignored = Vec::new();
    let rules_map = match docs.first() {
        None | Some(Yaml::Null) => None,
        Some(Yaml::Hash(top)) => match top.get(&Yaml::String("rules".into())) {
            None | Some(Yaml::Null) => None,
            Some(Yaml::Hash(r)) => Some(r),
            Some(_) => return Err(ConfigError::Yaml("`rules` must be a mapping".into())),
        },
        Some(_) => {
            return Err(ConfigError::Yaml(
                "expected a mapping with a `rules:` section".into(),
            ));
        }
    };
    if rules_map.is_none() {
        notes.push(format!(
            "{label} has no `rules:` section; dive's defaults apply"
        ));
    }
    for (k, v) in rules_map.into_iter().flatten() {
        let key = match k {
            Yaml::String(s) => s.clone(),
            other => format!("{other:?}"),
        };
        let slot = match normalize(&key).as_str() {
            "lowestefficiency" | "lowestefficiencythreshold" => &mut dive.lowest_efficiency,
            "highestwastedbytes" => &mut dive.highest_wasted_bytes,
            "highestuserwastedpercent" => &mut dive.highest_user_wasted_percent,
            _ => {
                ignored.push(format!(
                    "{label}: ignored unknown rule `{key}` (dive ignores it too)"
                ));
                continue;
            }
        };
        *slot = DiveValue {
            raw: as_dive_string(&key, v)?,
            from_file: true,
        };
    }
    let rules = map(&dive)?;
    notes.push(mapping_note(label, &dive, &rules));
    notes.push(SEMANTICS.to_string());
    notes.extend(ignored);
    Ok(LoadedRules { rules, notes })
}

const SEMANTICS: &str = "dive measures waste differently: its wasted bytes count every copy of \
a path stored more than once, the surviving copy included, and miss files removed by `rm -rf` of \
a directory or hidden by an opaque whiteout; microscope's reclaimable bytes are exactly the stored \
bytes a later layer hides. Both percentages divide by the bytes of the layers above layer 0. \
Expect different numbers on the same image.";

/// `lowestEfficiency`, `lowest-efficiency`, `lowest_efficiency` all become `lowestefficiency`.
fn normalize(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// A scalar as the string dive decodes it into (null is empty, which disables the rule).
fn as_dive_string(key: &str, v: &Yaml) -> Result<String, ConfigError> {
    match v {
        Yaml::Real(s) | Yaml::String(s) => Ok(s.clone()),
        Yaml::Integer(i) => Ok(i.to_string()),
        Yaml::Boolean(b) => Ok(b.to_string()),
        Yaml::Null => Ok(String::new()),
        _ => Err(ConfigError::Value {
            key: format!("rules.{key}"),
            value: "a list or mapping".into(),
            why: "expected a single value".into(),
        }),
    }
}

fn ratio(key: &str, s: &str) -> Result<Option<f64>, ConfigError> {
    if is_off_word(s) {
        return Ok(None);
    }
    let bad = |why: &str| ConfigError::Value {
        key: format!("rules.{key}"),
        value: format!("{s:?}"),
        why: why.into(),
    };
    let x: f64 = s
        .trim()
        .parse()
        .map_err(|_| bad("expected a ratio between 0 and 1"))?;
    if (0.0..=1.0).contains(&x) {
        Ok(Some(x))
    } else {
        Err(bad("outside the allowed range 0–1"))
    }
}

fn map(d: &DiveRules) -> Result<Rules, ConfigError> {
    let wasted = &d.highest_wasted_bytes.raw;
    let max_reclaimable_bytes = if is_off_word(wasted) {
        None
    } else {
        Some(parse_size(wasted).map_err(|why| ConfigError::Value {
            key: "rules.highestWastedBytes".into(),
            value: format!("{wasted:?}"),
            why,
        })?)
    };
    // Rounded so that 0.29 maps to 29 %, not 28.999999999999996 %.
    let to_percent = |r: f64| (r * 1e12).round() / 1e10;
    Ok(Rules {
        min_efficiency: ratio("lowestEfficiency", &d.lowest_efficiency.raw)?,
        max_reclaimable_bytes,
        max_reclaimable_percent: ratio(
            "highestUserWastedPercent",
            &d.highest_user_wasted_percent.raw,
        )?
        .map(to_percent),
        ..Rules::none()
    })
}

fn mapping_note(label: &str, d: &DiveRules, r: &Rules) -> String {
    let line = |dive_key: &str, v: &DiveValue, ours: &str, value: String| {
        let origin = if v.from_file { "" } else { ", dive's default" };
        format!("{dive_key} {:?}{origin} → {ours} = {value}", v.raw)
    };
    let off = || "off".to_string();
    let parts = [
        line(
            "lowestEfficiency",
            &d.lowest_efficiency,
            Rule::MinEfficiency.key(),
            r.min_efficiency.map_or_else(off, |x| x.to_string()),
        ),
        line(
            "highestWastedBytes",
            &d.highest_wasted_bytes,
            Rule::MaxReclaimableBytes.key(),
            r.max_reclaimable_bytes.map_or_else(off, |x| x.to_string()),
        ),
        line(
            "highestUserWastedPercent",
            &d.highest_user_wasted_percent,
            Rule::MaxReclaimablePercent.key(),
            r.max_reclaimable_percent
                .map_or_else(off, |x| x.to_string()),
        ),
    ];
    format!(
        "read dive's CI config {label} and mapped its rules: {}",
        parts.join("; ")
    )
}
