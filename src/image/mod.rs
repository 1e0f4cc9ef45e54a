//! The image model: layers, entries, the merged tree. Pure: no I/O.

pub mod captured;
pub mod entry;
pub mod facts;
pub mod jar;
pub mod merge;
pub mod model;
pub mod shared_path;

pub use entry::{Compression, Entry, EntryKind, LayerScan, LinkTarget};
pub use merge::{Change, Merged, NodeRef, WasteKind};
pub use model::{Image, ImageMeta, Layer, LayerDesc, Platform, RunConfig};
pub use shared_path::SharedPath;
