//! What the scan keeps of a Java archive (`.jar`, `.war`, `.ear`): its few metadata entries
//! and the names of the archives nested in it, read while the archive streams past.

use serde::{Deserialize, Serialize};

/// One metadata entry (`META-INF/MANIFEST.MF`, `META-INF/maven/G/A/pom.properties`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JarMeta {
    /// The nested archive it is in (`BOOT-INF/lib/x.jar`); empty for the archive itself.
    pub archive: String,
    pub name: String,
    /// The entry's content, inflated, cut at [`JarInfo::MAX_META`] bytes.
    pub content: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JarInfo {
    pub meta: Vec<JarMeta>,
    /// Archives inside it (`BOOT-INF/lib/x.jar`, `WEB-INF/lib/y.jar`), in stream order.
    pub nested: Vec<String>,
}

impl JarInfo {
    /// Bytes kept of one metadata entry (a manifest of a big OSGi bundle is a few KiB).
    pub const MAX_META: usize = 16 << 10;
    /// Metadata entries kept per archive (a shaded jar carries one pom.properties per
    /// dependency it swallowed).
    pub const MAX_METAS: usize = 512;
    /// Nested archive names kept.
    pub const MAX_NESTED: usize = 4096;
}
