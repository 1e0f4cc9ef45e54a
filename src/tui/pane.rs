//! The panes, a leaf the keymap and the states share.

/// The panes that take focus, in Tab order (dive's Layers ↔ Tree first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Layers,
    Tree,
    Packages,
    Findings,
    Rewrite,
}

impl Pane {
    pub const ORDER: [Pane; 5] = [
        Pane::Layers,
        Pane::Tree,
        Pane::Packages,
        Pane::Findings,
        Pane::Rewrite,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Pane::Layers => "Layers",
            Pane::Tree => "Files",
            Pane::Packages => "Packages",
            Pane::Findings => "Findings",
            Pane::Rewrite => "Rewrite",
        }
    }
}
