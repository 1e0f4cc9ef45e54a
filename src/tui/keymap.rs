//! Keys as data: one table of commands with their pane, default keys (close to dive's) and
//! help text. The config file overrides keys by command name; the help overlay and the
//! README's key table are generated from the same table.

use super::pane::Pane;
use anyhow::{Result, bail};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

/// Where a command applies. A key is looked up in the focused pane's context first, then in
/// `List` (every list pane), then `Global`, so Ctrl+A can mean "as of this layer" on the Layers
/// pane and "hide added" on the tree, as in dive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    List,
    Layers,
    Tree,
    /// The Rewrite pane.
    Rewrite,
    /// The compare view only; the single-image app never looks here.
    Compare,
}

impl Context {
    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere",
            Context::List => "Lists",
            Context::Layers => "Layers",
            Context::Tree => "Files",
            Context::Rewrite => "Rewrite",
            Context::Compare => "Compare",
        }
    }
}

macro_rules! commands {
    ($( $variant:ident $name:literal $ctx:ident [$($key:literal),*] $desc:literal; )*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Command { $($variant),* }

        /// (command, config name, context, default keys, help text)
        pub const TABLE: &[(Command, &str, Context, &[&str], &str)] = &[
            $((Command::$variant, $name, Context::$ctx, &[$($key),*], $desc)),*
        ];
    };
}

commands! {
    Quit "quit" Global ["q", "ctrl-c"] "Quit (cancels loading)";
    NextPane "next_pane" Global ["tab"] "Next pane";
    PrevPane "prev_pane" Global ["backtab"] "Previous pane";
    FocusLayers "focus_layers" Global ["1"] "Layers pane";
    FocusTree "focus_tree" Global ["2"] "Files pane";
    FocusPackages "focus_packages" Global ["3"] "Packages pane";
    FocusFindings "focus_findings" Global ["4"] "Findings pane";
    FocusRewrite "focus_rewrite" Global ["5"] "Rewrite pane: how small it could be";
    WhatIf "what_if" Global ["c"] "What-if: the image against its rewrite";
    KeptOnly "kept_only" Global ["r"] "Files: only what the rewrite keeps";
    ToggleImage "toggle_image" Global ["w"] "Files: as of layer / layer only / whole image";
    CopyPath "copy_path" Global ["y"] "Copy the selected path (OSC 52)";
    CopyFix "copy_fix" Global ["Y"] "Copy the selected finding's fix line";
    Help "help" Global ["?", "f1"] "This help";
    Cancel "cancel" Global ["esc"] "Close help / clear filter, search, highlight";
    Up "up" List ["up", "k"] "Up";
    Down "down" List ["down", "j"] "Down";
    PageUp "page_up" List ["pgup", "u"] "Page up";
    PageDown "page_down" List ["pgdn", "d"] "Page down";
    Top "top" List ["home", "g"] "First row";
    Bottom "bottom" List ["end", "G"] "Last row";
    Select "select" List ["enter"] "Open: layer's files, package's or finding's files";
    ShowAsOf "show_as_of" Layers ["ctrl-a"] "Files as of the selected layer";
    ShowLayer "show_layer" Layers ["ctrl-l"] "Files of the selected layer only";
    ShowImage "show_image" Layers ["W"] "Files of the whole image";
    Collapse "collapse" Tree ["space"] "Collapse / expand directory";
    CollapseAll "collapse_all" Tree ["ctrl-space"] "Collapse / expand all";
    Expand "expand" Tree ["right", "l"] "Expand directory";
    Parent "parent" Tree ["left", "h"] "Collapse, or go to parent";
    Sort "sort" Tree ["ctrl-o"] "Sort by size / name";
    Search "search" Tree ["/"] "Search names";
    NextMatch "next_match" Tree ["n"] "Next match (or highlighted file)";
    PrevMatch "prev_match" Tree ["N"] "Previous match";
    Filter "filter" Tree ["ctrl-f"] "Filter paths";
    HideAdded "hide_added" Tree ["ctrl-a"] "Show / hide added";
    HideRemoved "hide_removed" Tree ["ctrl-r"] "Show / hide removed";
    HideModified "hide_modified" Tree ["M"] "Show / hide modified";
    HideUnchanged "hide_unchanged" Tree ["ctrl-u"] "Show / hide unchanged";
    Attributes "attributes" Tree ["ctrl-b"] "Show / hide permissions, owner";
    CopyDockerfile "copy_dockerfile" Rewrite ["Y"] "Copy the Dockerfile (OSC 52)";
    SaveDockerfile "save_dockerfile" Rewrite ["s"] "Write the Dockerfile to a file (asks the path)";
    OpenLeft "open_left" Compare ["["] "Left image in the full app (q, Esc: back)";
    OpenRight "open_right" Compare ["]"] "Right image in the full app (q, Esc: back)";
}

/// One key with modifiers. Shift is part of the character for letters and symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    /// Parses `q`, `G`, `ctrl-c`, `alt-x`, `ctrl-space`, `pgdn`, `f1`, `backtab`...
    pub fn parse(s: &str) -> Result<Key> {
        let (mut ctrl, mut alt) = (false, false);
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            if rest.len() > 5 && lower.starts_with("ctrl-") {
                ctrl = true;
                rest = &rest[5..];
            } else if rest.len() > 4 && lower.starts_with("alt-") {
                alt = true;
                rest = &rest[4..];
            } else {
                break;
            }
        }
        let named = match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => Some(KeyCode::Enter),
            "esc" | "escape" => Some(KeyCode::Esc),
            "tab" => Some(KeyCode::Tab),
            "backtab" | "shift-tab" => Some(KeyCode::BackTab),
            "space" => Some(KeyCode::Char(' ')),
            "backspace" => Some(KeyCode::Backspace),
            "delete" | "del" => Some(KeyCode::Delete),
            "up" => Some(KeyCode::Up),
            "down" => Some(KeyCode::Down),
            "left" => Some(KeyCode::Left),
            "right" => Some(KeyCode::Right),
            "pgup" | "pageup" => Some(KeyCode::PageUp),
            "pgdn" | "pgdown" | "pagedown" => Some(KeyCode::PageDown),
            "home" => Some(KeyCode::Home),
            "end" => Some(KeyCode::End),
            f if f.len() > 1 && f.starts_with('f') => f[1..].parse().ok().map(KeyCode::F),
            _ => None,
        };
        let code = match named {
            Some(c) => c,
            None => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => KeyCode::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
                    _ => bail!("unknown key {s:?} (try q, G, ctrl-c, alt-x, space, pgdn, f1)"),
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    pub fn matches(&self, ev: &KeyEvent) -> bool {
        let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
        let alt = ev.modifiers.contains(KeyModifiers::ALT);
        let code = match ev.code {
            // Terminals differ on whether Ctrl+letter arrives upper- or lower-case.
            KeyCode::Char(c) if ctrl => KeyCode::Char(c.to_ascii_lowercase()),
            c => c,
        };
        code == self.code && ctrl == self.ctrl && alt == self.alt
    }

    /// As the help shows it: `Ctrl+C`, `Space`, `PgDn`, `G`.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.ctrl => c.to_ascii_uppercase().to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift+Tab".into(),
            KeyCode::Backspace => "Backspace".into(),
            KeyCode::Delete => "Del".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::F(n) => format!("F{n}"),
            other => format!("{other:?}"),
        };
        let mut s = String::new();
        if self.ctrl {
            s.push_str("Ctrl+");
        }
        if self.alt {
            s.push_str("Alt+");
        }
        s + &base
    }
}

#[derive(Debug, Clone)]
pub struct Binding {
    pub command: Command,
    pub name: &'static str,
    pub context: Context,
    pub keys: Vec<Key>,
    pub help: &'static str,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    pub bindings: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::defaults()
    }
}

impl Keymap {
    pub fn defaults() -> Keymap {
        let bindings = TABLE
            .iter()
            .map(|&(command, name, context, keys, help)| Binding {
                command,
                name,
                context,
                // Every name in TABLE parses (`every_default_key_parses` checks), so none is lost.
                keys: keys.iter().filter_map(|k| Key::parse(k).ok()).collect(),
                help,
            })
            .collect();
        Keymap { bindings }
    }

    /// The defaults with some commands' keys replaced: `{"quit": ["q", "ctrl-q"]}`.
    pub fn with_overrides(overrides: &BTreeMap<String, Vec<String>>) -> Result<Keymap> {
        let mut map = Keymap::defaults();
        for (name, keys) in overrides {
            let Some(b) = map.bindings.iter_mut().find(|b| b.name == name) else {
                let names: Vec<&str> = TABLE.iter().map(|t| t.1).collect();
                bail!(
                    "unknown command {name:?} in [keys]; commands: {}",
                    names.join(", ")
                );
            };
            b.keys = keys
                .iter()
                .map(|k| Key::parse(k))
                .collect::<Result<_>>()
                .map_err(|e| e.context(format!("[keys] {name}")))?;
        }
        Ok(map)
    }

    /// The command `ev` means with `focus` on a pane.
    pub fn lookup(&self, ev: &KeyEvent, focus: Pane) -> Option<Command> {
        let pane_ctx = match focus {
            Pane::Layers => Some(Context::Layers),
            Pane::Tree => Some(Context::Tree),
            Pane::Rewrite => Some(Context::Rewrite),
            Pane::Packages | Pane::Findings => None,
        };
        let order = [pane_ctx, Some(Context::List), Some(Context::Global)];
        order
            .into_iter()
            .flatten()
            .find_map(|ctx| self.lookup_in(ev, ctx))
    }

    /// The command `ev` means in `ctx` alone: the compare view's own keys.
    pub fn lookup_in(&self, ev: &KeyEvent, ctx: Context) -> Option<Command> {
        self.bindings
            .iter()
            .filter(|b| b.context == ctx)
            .find(|b| b.keys.iter().any(|k| k.matches(ev)))
            .map(|b| b.command)
    }

    /// The first key bound to `command`, for hints in the status bar.
    pub fn key_for(&self, command: Command) -> String {
        self.bindings
            .iter()
            .find(|b| b.command == command)
            .and_then(|b| b.keys.first())
            .map_or_else(|| "–".into(), Key::label)
    }

    /// Help lines grouped by context: (context, [(keys, text)]).
    pub fn help(&self) -> Vec<(Context, Vec<(String, &'static str)>)> {
        let mut out: Vec<(Context, Vec<(String, &'static str)>)> = Vec::new();
        for b in &self.bindings {
            let keys: Vec<String> = b.keys.iter().map(Key::label).collect();
            let line = (keys.join(" "), b.help);
            match out.iter_mut().find(|(c, _)| *c == b.context) {
                Some((_, lines)) => lines.push(line),
                None => out.push((b.context, vec![line])),
            }
        }
        out
    }
}

impl Keymap {
    /// The key table for the README: | pane | keys | what | `config name` |.
    pub fn markdown(&self) -> String {
        let mut s =
            String::from("| where | keys | what | config name |\n| --- | --- | --- | --- |\n");
        for b in &self.bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| format!("`{}`", k.label())).collect();
            s.push_str(&format!(
                "| {} | {} | {} | `{}` |\n",
                b.context.title(),
                keys.join(" "),
                b.help,
                b.name
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn ev(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    #[test]
    fn every_default_key_parses() {
        for (_, name, _, keys, _) in TABLE {
            for k in *keys {
                assert!(Key::parse(k).is_ok(), "{name}: {k:?}");
            }
        }
    }

    #[test]
    fn no_key_is_bound_twice_in_one_context() {
        let mut seen = std::collections::HashSet::new();
        for (_, name, ctx, keys, _) in TABLE {
            for k in *keys {
                let key = Key::parse(k).map(|k| (k.code, k.ctrl, k.alt)).ok();
                assert!(seen.insert((*ctx, key)), "{name}: {k:?} twice in {ctx:?}");
            }
        }
    }

    #[test]
    fn context_decides_what_a_key_means() {
        let k = Keymap::defaults();
        let ctrl_a = ev(KeyCode::Char('a'), KeyModifiers::CONTROL);
        assert_eq!(k.lookup(&ctrl_a, Pane::Layers), Some(Command::ShowAsOf));
        assert_eq!(k.lookup(&ctrl_a, Pane::Tree), Some(Command::HideAdded));
        let big_g = ev(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(k.lookup(&big_g, Pane::Packages), Some(Command::Bottom));
        let ctrl_space = ev(KeyCode::Char(' '), KeyModifiers::CONTROL);
        assert_eq!(
            k.lookup(&ctrl_space, Pane::Tree),
            Some(Command::CollapseAll)
        );
    }

    #[test]
    fn compare_keys_live_in_their_own_context() {
        let k = Keymap::defaults();
        let bracket = ev(KeyCode::Char('['), KeyModifiers::NONE);
        assert_eq!(
            k.lookup_in(&bracket, Context::Compare),
            Some(Command::OpenLeft)
        );
        for pane in Pane::ORDER {
            assert_eq!(
                k.lookup(&bracket, pane),
                None,
                "the single-image app ignores ["
            );
        }
    }

    #[test]
    fn overrides_replace_keys_and_reject_typos() -> TestResult {
        let mut o = BTreeMap::new();
        o.insert("quit".to_string(), vec!["ctrl-q".to_string()]);
        let k = Keymap::with_overrides(&o)?;
        let q = ev(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(k.lookup(&q, Pane::Layers), None, "q no longer quits");
        assert_eq!(k.key_for(Command::Quit), "Ctrl+Q");
        o.insert("quitt".to_string(), vec!["x".to_string()]);
        let err = Keymap::with_overrides(&o).expect_err("typo is an error");
        assert!(err.to_string().contains("unknown command \"quitt\""));
        assert!(Key::parse("ctrl-nope").is_err());
        Ok(())
    }
}
