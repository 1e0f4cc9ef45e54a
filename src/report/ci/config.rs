//! CI rules from text: microscope's own `.microscope.toml` (`[ci]` table) and dive's
//! `.dive-ci` YAML. Pure: the caller reads the file and passes its text in.
//!
//! Every value accepts the forms people write by hand: numbers or strings, sizes as `20MB`
//! (SI, 1000²) or `1.5GiB` (binary, 1024³) as well as plain byte counts, percentages with or
//! without `%`, and `false`/`"off"`/`"disabled"`/`""` to turn a rule off — the words dive
//! accepts, so a config means the same in both tools.

use super::rule::Rule;
use super::{Pattern, Rules};

/// Rules plus what the reader should be told about where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedRules {
    pub rules: Rules,
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ConfigError {
    #[error("not valid TOML: {0}")]
    Toml(String),
    #[error("not valid YAML: {0}")]
    Yaml(String),
    #[error("`ci` must be a table ([ci])")]
    NotATable,
    #[error("`{0}` is outside the [ci] table; put the rules under a `[ci]` line")]
    Misplaced(String),
    #[error("unknown rule `{key}` in [ci]; the rules are: {known}")]
    UnknownRule { key: String, known: String },
    #[error("{key} = {value}: {why}")]
    Value {
        key: String,
        value: String,
        why: String,
    },
}

/// A config value, whatever format it came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Raw {
    Int(i64),
    Float(f64),
    Str(String),
    Bool(bool),
    List(Vec<Raw>),
    /// Anything else (tables, dates), named for the error message.
    Other(&'static str),
}

impl std::fmt::Display for Raw {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Raw::Int(i) => write!(f, "{i}"),
            Raw::Float(x) => write!(f, "{x}"),
            Raw::Str(s) => write!(f, "{s:?}"),
            Raw::Bool(b) => write!(f, "{b}"),
            Raw::List(l) => write!(f, "[{} items]", l.len()),
            Raw::Other(what) => write!(f, "a {what}"),
        }
    }
}

impl From<&toml::Value> for Raw {
    fn from(v: &toml::Value) -> Raw {
        match v {
            toml::Value::Integer(i) => Raw::Int(*i),
            toml::Value::Float(x) => Raw::Float(*x),
            toml::Value::String(s) => Raw::Str(s.clone()),
            toml::Value::Boolean(b) => Raw::Bool(*b),
            toml::Value::Array(a) => Raw::List(a.iter().map(Raw::from).collect()),
            toml::Value::Table(_) => Raw::Other("table"),
            toml::Value::Datetime(_) => Raw::Other("date"),
        }
    }
}

/// The words that turn a rule off (dive's list).
pub fn is_off_word(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "" | "off" | "disabled" | "false"
    )
}

fn is_off(raw: &Raw) -> bool {
    match raw {
        Raw::Bool(false) => true,
        Raw::Str(s) => is_off_word(s),
        _ => false,
    }
}

/// Parses `.microscope.toml`. Only the `[ci]` table is read; other tables belong to other
/// parts of microscope. Rules the table does not name keep their defaults
/// ([`Rules::default`]); an unknown rule is an error, because a misspelt threshold that is
/// silently ignored would let every image pass.
pub fn parse_toml(text: &str, label: &str) -> Result<LoadedRules, ConfigError> {
    let table: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| ConfigError::Toml(clip(e.to_string().trim(), 300)))?;
    let mut rules = Rules::default();
    let mut notes = Vec::new();
    if let Some(key) = table
        .keys()
        .find(|k| Rule::from_key(&k.replace('-', "_")).is_some())
    {
        return Err(ConfigError::Misplaced(key.clone()));
    }
    match table.get("ci") {
        None => notes.push(format!(
            "{label} has no [ci] table; using the default rules"
        )),
        Some(toml::Value::Table(ci)) => {
            for (key, value) in ci {
                set_rule(&mut rules, &key.replace('-', "_"), &Raw::from(value))?;
            }
            notes.push(format!("rules from {label}"));
        }
        Some(_) => return Err(ConfigError::NotATable),
    }
    Ok(LoadedRules { rules, notes })
}

/// The parser quotes the offending line; a hostile one-line file must not flood the log.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max).collect();
        format!("{head}…")
    }
}

fn set_rule(rules: &mut Rules, key: &str, raw: &Raw) -> Result<(), ConfigError> {
    let Some(rule) = Rule::from_key(key) else {
        return Err(ConfigError::UnknownRule {
            key: key.to_string(),
            known: Rule::ALL.map(Rule::key).join(", "),
        });
    };
    match rule {
        Rule::MinEfficiency => rules.min_efficiency = ratio(key, raw)?,
        Rule::MaxReclaimableBytes => rules.max_reclaimable_bytes = size(key, raw)?,
        Rule::MaxReclaimablePercent => rules.max_reclaimable_percent = percent(key, raw)?,
        Rule::MaxFinalBytes => rules.max_final_bytes = size(key, raw)?,
        Rule::MaxCompressedBytes => rules.max_compressed_bytes = size(key, raw)?,
        Rule::MaxLayers => rules.max_layers = count(key, raw)?,
        Rule::MaxSavableBytes => rules.max_savable_bytes = size(key, raw)?,
        Rule::ForbidFindings => rules.forbid_findings = patterns(key, raw)?,
        Rule::ForbidPackages => rules.forbid_packages = patterns(key, raw)?,
        Rule::MaxGrowthBytes => rules.max_growth_bytes = size(key, raw)?,
        Rule::MaxGrowthPercent => rules.max_growth_percent = percent(key, raw)?,
    }
    Ok(())
}

fn bad(key: &str, raw: &Raw, why: &str) -> ConfigError {
    ConfigError::Value {
        key: key.to_string(),
        value: raw.to_string(),
        why: why.to_string(),
    }
}

/// A number from a number or a numeric string; `None` for anything else.
fn number(raw: &Raw) -> Option<f64> {
    match raw {
        Raw::Int(i) => Some(*i as f64),
        Raw::Float(x) => Some(*x),
        Raw::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A ratio 0–1 (`0.9`, or `"90%"`).
pub fn ratio(key: &str, raw: &Raw) -> Result<Option<f64>, ConfigError> {
    if is_off(raw) {
        return Ok(None);
    }
    let value = match raw {
        Raw::Str(s) if s.trim().ends_with('%') => {
            number(&Raw::Str(s.trim().trim_end_matches('%').into())).map(|p| p / 100.0)
        }
        _ => number(raw),
    };
    match value {
        Some(x) if (0.0..=1.0).contains(&x) => Ok(Some(x)),
        Some(_) => Err(bad(key, raw, "must be a ratio between 0 and 1 (e.g. 0.9)")),
        None => Err(bad(key, raw, "expected a ratio between 0 and 1 (e.g. 0.9)")),
    }
}

/// A percentage ≥ 0 (`10`, `"10%"`, `2.5`).
pub fn percent(key: &str, raw: &Raw) -> Result<Option<f64>, ConfigError> {
    if is_off(raw) {
        return Ok(None);
    }
    let value = match raw {
        Raw::Str(s) => number(&Raw::Str(s.trim().trim_end_matches('%').into())),
        _ => number(raw),
    };
    match value {
        Some(x) if x >= 0.0 && x.is_finite() => Ok(Some(x)),
        _ => Err(bad(
            key,
            raw,
            "expected a percentage ≥ 0 (e.g. 10 or \"10%\")",
        )),
    }
}

/// A byte count from a number or a size string.
pub fn size(key: &str, raw: &Raw) -> Result<Option<u64>, ConfigError> {
    if is_off(raw) {
        return Ok(None);
    }
    match raw {
        Raw::Int(i) => u64::try_from(*i)
            .map(Some)
            .map_err(|_| bad(key, raw, "a size cannot be negative")),
        Raw::Float(x) if *x >= 0.0 && *x < u64::MAX as f64 => Ok(Some(*x as u64)),
        Raw::Str(s) => parse_size(s).map(Some).map_err(|why| bad(key, raw, &why)),
        _ => Err(bad(
            key,
            raw,
            "expected a size like \"20MB\", \"1.5GiB\" or 1048576",
        )),
    }
}

/// A whole number ≥ 0.
pub fn count(key: &str, raw: &Raw) -> Result<Option<u64>, ConfigError> {
    if is_off(raw) {
        return Ok(None);
    }
    let n = match raw {
        Raw::Int(i) => u64::try_from(*i).ok(),
        Raw::Str(s) => s.trim().parse().ok(),
        _ => None,
    };
    n.map(Some)
        .ok_or_else(|| bad(key, raw, "expected a whole number ≥ 0"))
}

/// A list of globs (a single string is a list of one).
pub fn patterns(key: &str, raw: &Raw) -> Result<Vec<Pattern>, ConfigError> {
    let items: Vec<&Raw> = match raw {
        Raw::List(l) => l.iter().collect(),
        Raw::Str(s) if is_off_word(s) => Vec::new(),
        Raw::Str(_) => vec![raw],
        Raw::Bool(false) => Vec::new(),
        _ => return Err(bad(key, raw, "expected a list of names or globs")),
    };
    items
        .into_iter()
        .map(|item| match item {
            Raw::Str(s) if !s.trim().is_empty() => {
                Pattern::new(s.trim()).map_err(|e| bad(key, item, &format!("bad glob: {e}")))
            }
            _ => Err(bad(
                key,
                item,
                "expected a name or glob (a non-empty string)",
            )),
        })
        .collect()
}

/// One size parser for every input (crate::units): SI `20MB`, IEC `1.5GiB`, bytes.
pub use crate::units::parse_size;
