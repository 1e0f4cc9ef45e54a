//! A directory's path stored once: as the leading bytes of a longer path's shared string
//! (`usr/lib` is the first 7 bytes of `usr/lib/x/libc.so`), never as a copy of its own.
//! Trees that spell out every implied directory (the app's, compare's) would otherwise hold
//! depth × length bytes per path: 2 GB for one 1 MB path (issue 17 §5).

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// `full[..len]`. Compares, hashes and prints as that `str`, so maps keyed by it are looked
/// up with a `&str`.
#[derive(Clone)]
pub struct SharedPath {
    full: Arc<str>,
    len: usize,
}

impl SharedPath {
    /// The leading `len` bytes of `full`; the whole of it when `len` is past its end or not
    /// on a character boundary (callers cut at a `/`, which always is one).
    pub fn prefix(full: &Arc<str>, len: usize) -> SharedPath {
        let len = if full.is_char_boundary(len) {
            len
        } else {
            full.len()
        };
        SharedPath {
            full: full.clone(),
            len,
        }
    }

    /// Its own leading `len` bytes, sharing the same string.
    pub fn cut(&self, len: usize) -> SharedPath {
        SharedPath::prefix(&self.full, len.min(self.len))
    }

    pub fn as_str(&self) -> &str {
        // `len` is a character boundary of `full` (checked when made).
        self.full.get(..self.len).unwrap_or_default()
    }
}

impl From<Arc<str>> for SharedPath {
    fn from(full: Arc<str>) -> SharedPath {
        let len = full.len();
        SharedPath { full, len }
    }
}

impl From<&str> for SharedPath {
    fn from(s: &str) -> SharedPath {
        SharedPath::from(Arc::<str>::from(s))
    }
}

impl Deref for SharedPath {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for SharedPath {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for SharedPath {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for SharedPath {
    fn eq(&self, other: &SharedPath) -> bool {
        if Arc::ptr_eq(&self.full, &other.full) {
            return self.len == other.len;
        }
        self.as_str() == other.as_str()
    }
}

impl Eq for SharedPath {}

impl PartialOrd for SharedPath {
    fn partial_cmp(&self, other: &SharedPath) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SharedPath {
    fn cmp(&self, other: &SharedPath) -> Ordering {
        // Two prefixes of one string: the shorter is a prefix of the longer, so it sorts
        // first. Saves comparing a deep chain's directories byte by byte.
        if Arc::ptr_eq(&self.full, &other.full) {
            return self.len.cmp(&other.len);
        }
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for SharedPath {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As `str` hashes, so that `Borrow<str>` lookups find it.
        self.as_str().hash(state);
    }
}

impl fmt::Display for SharedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for SharedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn a_prefix_shares_the_string_and_acts_as_a_str() {
        let full: Arc<str> = Arc::from("usr/lib/libc.so");
        let dir = SharedPath::prefix(&full, 7);
        assert_eq!(&*dir, "usr/lib");
        assert_eq!(Arc::strong_count(&full), 2);
        let mut m = HashMap::new();
        m.insert(dir.clone(), 1);
        assert_eq!(m.get("usr/lib"), Some(&1));
        let usr = SharedPath::prefix(&full, 3);
        assert!(usr < dir);
        assert!(SharedPath::from("usr/lib-x") < SharedPath::from("usr/lib/"));
        assert_eq!(&*dir.cut(3), "usr");
        assert_eq!(SharedPath::from("usr/lib"), dir);
        assert_eq!(format!("/{dir}"), "/usr/lib");
    }
}
