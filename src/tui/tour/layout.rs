//! Where the tour's two parts go: the compare view and the lesson pane.

use ratatui::layout::{Constraint, Layout, Rect};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub compare: Rect,
    pub lesson: Rect,
}

/// Wide screens: the lesson on the right; narrow ones: below, the compare view keeping
/// the rows its panes need.
pub fn split(screen: Rect) -> Areas {
    if screen.width >= 140 {
        let [compare, lesson] =
            Layout::horizontal([Constraint::Min(80), Constraint::Length(58)]).areas(screen);
        Areas { compare, lesson }
    } else {
        let lesson_h = screen.height.saturating_sub(16).clamp(3, 14);
        let [compare, lesson] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(lesson_h)]).areas(screen);
        Areas { compare, lesson }
    }
}
