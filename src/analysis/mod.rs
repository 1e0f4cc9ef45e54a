//! One module per question asked of an image. Pure: no I/O, no printing.

pub mod elf;
