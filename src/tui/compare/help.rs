//! The compare view's commands and its help text: a leaf the update (scrolling the help)
//! and the view (drawing it) share.

use crate::tui::keymap::{Command, Keymap};
use crate::tui::widgets::help::{Group, HelpText};

/// The commands the compare view answers; the help lists these.
pub const COMMANDS: &[Command] = &[
    Command::Quit,
    Command::NextPane,
    Command::PrevPane,
    Command::FocusLayers,
    Command::FocusTree,
    Command::FocusPackages,
    Command::FocusFindings,
    Command::Help,
    Command::Cancel,
    Command::Up,
    Command::Down,
    Command::PageUp,
    Command::PageDown,
    Command::Top,
    Command::Bottom,
    Command::Collapse,
    Command::CollapseAll,
    Command::Expand,
    Command::Parent,
    Command::Sort,
    Command::HideAdded,
    Command::HideRemoved,
    Command::HideModified,
    Command::HideUnchanged,
    Command::Search,
    Command::NextMatch,
    Command::PrevMatch,
    Command::Filter,
    Command::OpenLeft,
    Command::OpenRight,
];

/// The compare view's help: the commands it answers, grouped as the app's help is, in its
/// own words, after the screen's own keys (the tour's); then the glyphs.
pub fn help_text(keymap: &Keymap, extra: Option<&Group>) -> HelpText {
    use crate::tui::keymap::Command as C;
    // The screen's own keys first: the tour's are what its reader looks for.
    let mut groups: Vec<Group> = extra.into_iter().cloned().collect();
    for b in keymap
        .bindings
        .iter()
        .filter(|b| COMMANDS.contains(&b.command))
    {
        let keys: Vec<String> = b.keys.iter().map(|k| k.label()).collect();
        let text = match b.command {
            C::HideAdded => "Show / hide only right (+)",
            C::HideRemoved => "Show / hide only left (-)",
            C::HideModified => "Show / hide changed (~)",
            C::HideUnchanged => "Show / hide same (=)",
            C::Sort => "Sort by change / name",
            C::Cancel => "Show every status again",
            C::FocusLayers => "Layers pane (the selected layer's details below)",
            _ => b.help,
        };
        let title = b.context.title();
        let line = (keys.join(" "), text.to_string());
        match groups.iter_mut().find(|g| g.title == title) {
            Some(g) => g.lines.push(line),
            None => groups.push(Group {
                title: title.to_string(),
                lines: vec![line],
            }),
        }
    }
    HelpText {
        groups,
        notes: vec![
            "Glyphs: - only left  + only right  ~ changed  = same. One cursor moves both sides."
                .to_string(),
        ],
    }
}

/// The pop-up's widest.
pub const HELP_WIDTH: u16 = 100;
