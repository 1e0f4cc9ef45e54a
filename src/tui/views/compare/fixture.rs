//! A small comparison for the compare view's widget tests: two images of two layers that
//! share their base; the second layer changes one file, drops one and adds one, and only
//! the left has a package (curl) and an apt cache.

use crate::demo::builder::{ImageBuilder, LayerBuilder};
use crate::demo::source_of;
use crate::jobs::pair::OpenedPair;
use crate::tui::compare::state::{CompareData, CompareState, Event, Msg};
use crate::tui::compare::update::update;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;

const STATUS: &[u8] = b"Package: curl\nStatus: install ok installed\nVersion: 7.88\n\
Architecture: amd64\nInstalled-Size: 1\n\n";

fn base() -> LayerBuilder {
    LayerBuilder::new("RUN install base")
        .file("etc/os-release", &[b'o'; 100])
        .file("bin/tool", &[b't'; 1000])
}

fn images() -> (ImageBuilder, ImageBuilder) {
    let left = ImageBuilder::new("left:1").layer(base()).layer(
        LayerBuilder::new("COPY app /app")
            .file("app/big", &[b'a'; 5000])
            .file("app/old", &[b'x'; 50])
            .file("var/lib/dpkg/status", STATUS)
            .file("var/cache/apt/archives/curl_7_amd64.deb", &[b'd'; 400]),
    );
    let right = ImageBuilder::new("right:2").layer(base()).layer(
        LayerBuilder::new("COPY app /app")
            .file("app/big", &[b'b'; 2000])
            .file("app/new", &[b'n'; 300]),
    );
    (left, right)
}

/// The view on the comparison, sized `w`×`h`, as a finished load leaves it.
pub fn compared(w: u16, h: u16) -> CompareState {
    let mut state = opening(w, h);
    let (left, right) = images();
    let compared = source_of("left", left)
        .and_then(|left| Ok((left, source_of("right", right)?)))
        .map_err(crate::Error::from)
        .and_then(|(left, right)| {
            let cache = None;
            OpenedPair { left, right, cache }.compare_now(&|_, _| {})
        });
    let data = match compared {
        Ok(compared) => Box::new(CompareData::new(compared)),
        Err(e) => panic!("the test images do not compare: {e}"),
    };
    let _ = update(&mut state, Event::Load(Msg::Done(data)));
    state
}

/// The view before anything is read: both images' names and layer counts.
pub fn opening(w: u16, h: u16) -> CompareState {
    let side = |reference: &str| crate::tui::compare::state::SideLoad {
        reference: reference.into(),
        layers: 2,
        done: 0,
    };
    let mut state = CompareState::new(side("left"), side("right"), Default::default());
    state.screen = Rect::new(0, 0, w, h);
    state
}

/// `widget` drawn into a `w`×`h` buffer, styles dropped: what `Buffer::with_lines` builds.
pub fn render(widget: impl Widget, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    widget.render(buf.area, &mut buf);
    buf.set_style(buf.area, Style::reset());
    buf
}
