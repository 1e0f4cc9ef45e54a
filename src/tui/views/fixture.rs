//! For the views' Buffer tests: a small image built here (two layers, one package, a
//! directory deleted a layer too late), the app on it through the test harness, and a
//! widget rendered into a buffer of a given size.

use super::super::harness::Harness;
use super::super::theme::Theme;
use crate::demo::builder::{ImageBuilder, LayerBuilder};
use crate::jobs::background::Analysed;
use crate::jobs::{LoadOptions, load_image};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::widgets::Widget;
use std::sync::OnceLock;

/// ```text
/// layer 0  ADD rootfs: usr/bin/hello (2 KiB, package hello), etc/os-release,
///          tmp/cache/blob (3000 B), the dpkg database
/// layer 1  RUN rm -rf /tmp/cache: its whiteout
/// ```
pub fn small_image() -> ImageBuilder {
    let status = "Package: hello\nStatus: install ok installed\nInstalled-Size: 2\n\
                  Architecture: amd64\nVersion: 2.10-3\nDescription: greets\n\n";
    let l0 = LayerBuilder::new("/bin/sh -c #(nop) ADD file:0123 in / ")
        .file_with("usr/bin/hello", &crate::demo::server(false), 0o755, 0, 0)
        .file("etc/os-release", b"ID=debian\nVERSION_ID=\"12\"\n")
        .file("tmp/cache/blob", &[1; 3000])
        .file("var/lib/dpkg/status", status.as_bytes())
        .file("var/lib/dpkg/info/hello.list", b"/usr/bin/hello\n");
    let l1 = LayerBuilder::new("/bin/sh -c rm -rf /tmp/cache").whiteout("tmp/cache");
    let mut img = ImageBuilder::new("test/small:1").layer(l0).layer(l1);
    img.run = crate::image::RunConfig {
        entrypoint: vec!["/usr/bin/hello".into()],
        ..Default::default()
    };
    img
}

/// The app on [`small_image`], loaded and analysed, on a `w`×`h` screen.
pub fn small(w: u16, h: u16) -> Harness {
    static LOADED: OnceLock<Option<Analysed>> = OnceLock::new();
    let a = LOADED.get_or_init(|| {
        let src = crate::demo::source_of("test/small:1", small_image()).ok()?;
        load_image(&*src, &LoadOptions::default())
            .ok()
            .map(Analysed::new)
    });
    match a {
        Some(a) => Harness::from_analysed(a, w, h),
        None => panic!("the small test image does not load"),
    }
}

/// The app on an image built for one test, loaded and analysed, on a `w`×`h` screen.
pub fn built(img: ImageBuilder, w: u16, h: u16) -> Harness {
    let loaded = crate::demo::source_of(&img.tag.clone(), img)
        .map_err(crate::Error::from)
        .and_then(|src| load_image(&*src, &LoadOptions::default()));
    match loaded {
        Ok(image) => Harness::from_analysed(&Analysed::new(image), w, h),
        Err(e) => panic!("the test image does not load: {e}"),
    }
}

/// The mono theme the tests draw with (what NO_COLOR shows).
pub fn theme() -> Theme {
    Theme::mono()
}

/// `widget` drawn into a `w`×`h` buffer, styles kept.
pub fn styled(widget: impl Widget, w: u16, h: u16) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    widget.render(buf.area, &mut buf);
    buf
}

/// `widget` drawn into a `w`×`h` buffer, every style reset: for tests of the text alone,
/// compared with a plain `Buffer::with_lines`.
pub fn text(widget: impl Widget, w: u16, h: u16) -> Buffer {
    let mut buf = styled(widget, w, h);
    buf.set_style(buf.area, Style::reset());
    buf
}

/// The app on [`small_image`] as it opens, before any layer is scanned.
pub fn small_opening(w: u16, h: u16) -> Harness {
    match crate::demo::source_of("test/small:1", small_image()) {
        Ok(src) => Harness::opening(&crate::jobs::Opened::uncached(src), w, h),
        Err(e) => panic!("the small test image does not open: {e}"),
    }
}
