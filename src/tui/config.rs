//! The app's config file, `$XDG_CONFIG_HOME/microscope/config.toml` (else
//! `~/.config/microscope/config.toml`). Every field is optional; a missing file is the
//! defaults; an unknown field or key name is an error, so typos do not pass silently.
//!
//! ```toml
//! verify = false         # as --no-verify: skip hashing layers (default true)
//! [keys]                 # command = key or [keys]; names as in the help overlay (`?`)
//! quit = ["q", "ctrl-q"]
//! collapse = "space"
//!
//! [tree]
//! sort = "name"          # "size" (default) or "name"
//! show_attributes = false
//! whole_image = true     # start on the whole image rather than layer 0
//! ```

use super::keymap::Keymap;
use super::state::State;
use super::tree::SortBy;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub keys: BTreeMap<String, Keys>,
    pub tree: TreeConfig,
    /// `verify = false`: as `--no-verify` on every run (reports and the app alike).
    pub verify: Option<bool>,
}

/// One key or several.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Keys {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TreeConfig {
    pub sort: Option<SortBy>,
    pub show_attributes: Option<bool>,
    pub whole_image: Option<bool>,
}

/// Where the config is read from, if a home can be found.
pub fn path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("microscope").join("config.toml"))
}

/// Largest config file read: a few keys and colours, never near this.
const MAX_CONFIG: u64 = 1 << 20;

/// The config file's text, refused past [`MAX_CONFIG`] (a symlink to `/dev/zero` must not
/// fill memory).
fn read_small(p: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(p)?
        .take(MAX_CONFIG + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_CONFIG {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {} KiB, the limit for it", MAX_CONFIG >> 10),
        ));
    }
    Ok(text)
}

/// Reads the config file; none is the defaults.
pub fn load() -> Result<Config> {
    let Some(p) = path() else {
        return Ok(Config::default());
    };
    match read_small(&p) {
        Ok(text) => parse(&text).with_context(|| format!("config {}", p.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(e).with_context(|| format!("cannot read config {}", p.display())),
    }
}

pub fn parse(text: &str) -> Result<Config> {
    Ok(toml::from_str(text)?)
}

impl Config {
    pub fn keymap(&self) -> Result<Keymap> {
        let overrides = self
            .keys
            .iter()
            .map(|(k, v)| {
                let keys = match v {
                    Keys::One(s) => vec![s.clone()],
                    Keys::Many(v) => v.clone(),
                };
                (k.clone(), keys)
            })
            .collect();
        Keymap::with_overrides(&overrides)
    }

    /// Applies the start-up settings to a fresh state.
    pub fn apply(&self, state: &mut State) {
        if let Some(sort) = self.tree.sort {
            state.sort = sort;
        }
        if let Some(a) = self.tree.show_attributes {
            state.show_attributes = a;
        }
        if let Some(true) = self.tree.whole_image {
            state.files = super::state::FilesView::Image;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    #[test]
    fn parses_and_rejects() -> TestResult {
        let c = parse(
            "[keys]\nquit = \"ctrl-q\"\ndown = [\"j\", \"ctrl-n\"]\n[tree]\nsort = \"name\"\n",
        )?;
        assert!(c.keymap().is_ok());
        assert_eq!(c.tree.sort, Some(SortBy::Name));
        let err = parse("[tree]\nsort = \"big\"\n").expect_err("an unknown order");
        assert!(
            format!("{err:#}").contains("expected `size` or `name`"),
            "{err:#}"
        );
        assert!(parse("[tre]\n").is_err(), "unknown sections are errors");
        let bad = parse("[keys]\nquit = \"ctrl-\"\n")?;
        assert!(bad.keymap().is_err(), "a bad key name is an error");
        Ok(())
    }
}
