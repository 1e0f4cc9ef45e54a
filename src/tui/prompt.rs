//! Typing into the search or filter prompt, the same in the app and the compare view: what a
//! key did to the prompt; each view then searches or filters its own tree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A line being typed at the bottom of the tree pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prompt {
    Search(String),
    Filter(String),
}

/// What a key did to an open prompt.
pub enum Edit {
    /// Ctrl+C: quit.
    Quit,
    /// Enter on a search: keep the query for `n`/`N`.
    Searched(String),
    /// Enter on a filter: the filter stays as typed.
    Kept,
    /// Esc: the prompt is gone; a filter is cleared.
    Cancelled { was_filter: bool },
    /// The text changed: search or filter as typed so far.
    Typed(Prompt),
    /// Not a key the prompt takes (or no prompt open).
    Ignored,
}

/// Applies `k` to `prompt`, closing it on Enter and Esc.
pub fn edit(prompt: &mut Option<Prompt>, k: KeyEvent) -> Edit {
    let Some(Prompt::Search(text) | Prompt::Filter(text)) = prompt.as_mut() else {
        return Edit::Ignored;
    };
    match k.code {
        KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => return Edit::Quit,
        KeyCode::Enter => {
            return match prompt.take() {
                Some(Prompt::Search(t)) => Edit::Searched(t),
                _ => Edit::Kept,
            };
        }
        KeyCode::Esc => {
            let was_filter = matches!(prompt.take(), Some(Prompt::Filter(_)));
            return Edit::Cancelled { was_filter };
        }
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char(c) if !k.modifiers.contains(KeyModifiers::CONTROL) => text.push(c),
        _ => return Edit::Ignored,
    }
    prompt.clone().map_or(Edit::Ignored, Edit::Typed)
}
