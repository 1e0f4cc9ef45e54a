//! The tour's screen: the compare view of the step against the one before, and the lesson
//! pane (the step's text with this run's numbers, the real-world figure labelled as such,
//! and the Dockerfile's diff against the step before). Beside the compare view on wide
//! terminals, below it on narrow ones.

use super::layout::split;
use super::state::{NEXT, PREV, SCROLL_DOWN, SCROLL_UP, TourState};
use crate::demo::tour::lesson::{change, dockerfile_diff, render};
use crate::demo::tour::{Road, STEPS, pair_of};
use crate::tui::theme::Theme;
use crate::tui::views::{compare, pane_block};
use crate::units::bytes;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn draw(frame: &mut Frame, t: &TourState, theme: &Theme) {
    if t.compare.open.is_some() {
        return compare::draw(frame, &t.compare, theme);
    }
    let areas = split(frame.area());
    compare::draw_in(frame, areas.compare, &t.compare, theme);
    Lesson { tour: t, theme }.render(areas.lesson, frame.buffer_mut());
    // Over the whole screen: its keys include the lesson's.
    if t.compare.help {
        let help = compare::CompareHelp {
            state: &t.compare,
            theme,
        };
        help.render(frame.area(), frame.buffer_mut());
    }
}

/// The lesson's lines, before wrapping: figures, text, Dockerfile diff.
pub fn lesson_lines(t: &TourState, theme: &Theme) -> Vec<Line<'static>> {
    let Some(step) = STEPS.get(t.step) else {
        return Vec::new();
    };
    let (before, _) = pair_of(t.step);
    let mut lines = Vec::new();
    if let Some(m) = t.measured.get(t.step) {
        let mut figures = vec![
            Span::styled("this run ", theme.label),
            Span::styled(bytes(m.size), theme.value),
        ];
        if let (Some(_), Some(prev)) = (step.before, t.measured.get(before)) {
            figures.push(Span::styled(
                format!(" · vs step {}: {}", before + 1, change(prev.size, m.size)),
                theme.value,
            ));
        }
        lines.push(Line::from(figures));
    }
    if let Some((b, what)) = step.real_world {
        lines.push(Line::from(vec![
            Span::styled("real world ", theme.label),
            Span::styled(format!("{} ({what})", bytes(b)), theme.dim),
        ]));
    }
    lines.push(Line::styled(
        "(a miniature generated in code; numbers measured by microscope)",
        theme.dim,
    ));
    lines.push(Line::raw(""));
    lines.push(Line::raw(render(t.step, &t.measured)));
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        match step.before {
            Some(b) => format!("Dockerfile, changed from step {}:", b + 1),
            None => "Dockerfile:".to_string(),
        },
        theme.header,
    ));
    for (mark, text) in dockerfile_diff(t.step) {
        let style = match mark {
            '+' => theme.added,
            '-' => theme.removed,
            _ => theme.dim,
        };
        lines.push(Line::styled(format!("{mark} {text}"), style));
    }
    lines
}

/// The lesson pane: the step's title, its lines wrapped and scrolled (`J`/`K`), the tour's
/// keys on its bottom border.
pub struct Lesson<'a> {
    pub tour: &'a TourState,
    pub theme: &'a Theme,
}

impl Widget for Lesson<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        lesson(self.tour, self.theme, area, buf);
    }
}

fn lesson(t: &TourState, theme: &Theme, area: Rect, buf: &mut Buffer) {
    let Some(step) = STEPS.get(t.step) else {
        return;
    };
    let road = match step.road {
        Road::Main => "",
        Road::Side => "~",
    };
    let title = vec![
        Span::styled(
            format!(" Step {}{road}/{} ", t.step + 1, STEPS.len()),
            theme.title,
        ),
        Span::styled(format!("{} ", step.title), theme.value),
    ];
    let keys = Line::styled(
        format!(
            " {NEXT} next step · {PREV} previous · {SCROLL_DOWN}/{SCROLL_UP} scroll the lesson "
        ),
        theme.key,
    );
    Paragraph::new(lesson_lines(t, theme))
        .wrap(Wrap { trim: false })
        .scroll((t.lesson_scroll, 0))
        .block(pane_block(title, false, theme).title_bottom(keys))
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::{Lesson, TourState};
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    use ratatui::widgets::Widget;

    /// Before the steps are measured the lesson shows the real-world figure and the text,
    /// its placeholders unfilled; the tour's keys sit on the bottom border.
    #[test]
    fn the_lesson_pane_titles_the_step_and_names_the_keys() {
        let screen = Rect::new(0, 0, 80, 24);
        let (tour, _) = TourState::new(0, Vec::new(), Default::default(), screen);
        let theme = Theme::mono();
        let mut buf = Buffer::empty(Rect::new(0, 0, 58, 10));
        Lesson {
            tour: &tour,
            theme: &theme,
        }
        .render(buf.area, &mut buf);
        buf.set_style(buf.area, Style::reset());
        let expected = Buffer::with_lines([
            "┌ Step 1/12 a Go service on the full golang image ───────┐",
            "│real world 923 MiB (the real golang-based image)        │",
            "│(a miniature generated in code; numbers measured by     │",
            "│microscope)                                             │",
            "│                                                        │",
            "│The service is built and run on the image that built it:│",
            "│a Debian base, gcc and the C headers, the whole Go      │",
            "│toolchain and its build cache ship to production beside │",
            "│the program. This miniature weighs {?size}; microscope  │",
            "└ n next step · p previous · J/K scroll the lesson ──────┘",
        ]);
        assert_eq!(buf, expected);
    }
}
