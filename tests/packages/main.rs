//! Package attribution: dpkg through the binary, rpm's three database formats and the
//! language managers against syft, the corpus, and a large synthetic image (ignored).
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod corpus;
mod langs;
mod managers;
mod real_langs;
mod rpm;
mod scale;
