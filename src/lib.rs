//! microscope: where do the bytes of a container image go, and how small could it be?

pub mod analysis;
pub mod image;
pub mod scan;
pub mod demo;
