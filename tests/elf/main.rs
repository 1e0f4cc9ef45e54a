//! The ELF inspector: hand-written fixtures, gcc-built programs against `strip`, Go build
//! info, hostile headers, and the corpus's Go servers.
//! Each module was a test binary of its own; fixtures shared across binaries are `tests/support/`.

#[path = "../support/mod.rs"]
mod support;

mod corpus;
mod gobuild;
mod hostile;
mod inspect;
