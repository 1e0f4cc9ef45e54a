//! ELF inspection (stub: filled in by the findings work).

use serde::{Deserialize, Serialize};

/// Facts about one ELF file, computed from its bytes during the scan.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ElfInfo {
    /// Bytes `strip` would remove.
    pub strip_bytes: u64,
}

/// Inspects an ELF file's bytes. `None` when it is not a readable ELF file.
pub fn inspect(_data: &[u8], _executable: bool) -> Option<ElfInfo> {
    None
}
