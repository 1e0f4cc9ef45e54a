//! The whole contents of the few files a scan keeps (package databases, passwd,
//! ld.so.conf...), in the order the scan kept them.
//!
//! A scan read back from the cache may hold part of them still encoded, decoded the first
//! time anything asks for them: most of those bytes are package databases (18 MB of
//! large-latest's 29 MB of decoded scans), which only a package analysis made afresh reads,
//! and a rebuild that takes the kept one over never does. The encoded part was checked
//! (with the rest of its entry) before the scan was handed out; how it is decoded is the
//! cache's business, given here as a function, so the model knows no codec.

use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};

/// Captured contents: entry index and bytes.
pub type FileList = Vec<(u32, Vec<u8>)>;

/// Decodes a deferred part; None when it does not decode. Run once, then dropped with the
/// encoded bytes it holds.
pub type Decode = Box<dyn FnOnce() -> Option<FileList> + Send>;

/// Captured file contents, some perhaps deferred (see the module's notes).
#[derive(Clone, Default)]
pub struct CapturedFiles {
    /// The contents decoded with the scan (all of them, unless some are deferred).
    now: FileList,
    later: Option<Arc<Later>>,
}

/// The part of the contents decoded on first use.
struct Later {
    /// The entries whose contents it holds, sorted: a lookup of another file (the rewrite's
    /// passwd) need not decode it.
    entries: Vec<u32>,
    /// Where each of `now`'s files sits among all of them, ascending.
    now_at: Vec<u32>,
    decode: Mutex<Option<Decode>>,
    /// Every file, in the order they were kept, once decoded.
    whole: OnceLock<FileList>,
}

impl CapturedFiles {
    /// Contents of which `later` (holding the contents of `entries`) is decoded on first
    /// use; `now_at` says where each of `now`'s files sits among all of them.
    pub fn deferred(
        now: FileList,
        now_at: Vec<u32>,
        mut entries: Vec<u32>,
        decode: Decode,
    ) -> Self {
        if entries.is_empty() {
            return CapturedFiles { now, later: None };
        }
        entries.sort_unstable();
        let later = Later {
            entries,
            now_at,
            decode: Mutex::new(Some(decode)),
            whole: OnceLock::new(),
        };
        CapturedFiles {
            now,
            later: Some(Arc::new(later)),
        }
    }

    /// Every captured file, in the order the scan kept them (decoding a deferred part).
    pub fn all(&self) -> &[(u32, Vec<u8>)] {
        match &self.later {
            None => &self.now,
            Some(later) => later.whole.get_or_init(|| later.merge(&self.now)),
        }
    }

    /// The contents of entry `entry`, decoding a deferred part only if it holds them.
    pub fn get(&self, entry: u32) -> Option<&[u8]> {
        let files = match &self.later {
            Some(later) if later.entries.binary_search(&entry).is_ok() => self.all(),
            _ => &self.now,
        };
        files
            .iter()
            .find(|(i, _)| *i == entry)
            .map(|(_, b)| b.as_slice())
    }

    /// True while a deferred part is still encoded.
    pub fn is_pending(&self) -> bool {
        self.later.as_ref().is_some_and(|l| l.whole.get().is_none())
    }

    /// How many files, deferred ones included (nothing is decoded).
    pub fn len(&self) -> usize {
        self.now.len() + self.later.as_ref().map_or(0, |l| l.entries.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn iter(&self) -> std::slice::Iter<'_, (u32, Vec<u8>)> {
        self.all().iter()
    }

    pub fn push(&mut self, file: (u32, Vec<u8>)) {
        self.list_mut().push(file);
    }

    /// The list itself, for the scan that builds it (a deferred part is decoded into it).
    pub fn list_mut(&mut self) -> &mut FileList {
        if self.later.is_some() {
            self.now = self.all().to_vec();
            self.later = None;
        }
        &mut self.now
    }
}

impl Later {
    fn merge(&self, now: &[(u32, Vec<u8>)]) -> FileList {
        // A part that does not decode leaves what was decoded at once; it passed its
        // entry's checksum, so only a bug in its writer gets here.
        let decode = (self.decode.lock())
            .unwrap_or_else(|p| p.into_inner())
            .take();
        let decoded = decode.and_then(|d| d()).unwrap_or_default();
        let mut all = Vec::with_capacity(now.len() + decoded.len());
        let mut now = now.iter().zip(&self.now_at).peekable();
        for file in decoded {
            while let Some((f, _)) = now.next_if(|(_, at)| **at as usize <= all.len()) {
                all.push(f.clone());
            }
            all.push(file);
        }
        all.extend(now.map(|(f, _)| f.clone()));
        all
    }
}

impl From<FileList> for CapturedFiles {
    fn from(now: FileList) -> Self {
        CapturedFiles { now, later: None }
    }
}

impl<'a> IntoIterator for &'a CapturedFiles {
    type Item = &'a (u32, Vec<u8>);
    type IntoIter = std::slice::Iter<'a, (u32, Vec<u8>)>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl PartialEq for CapturedFiles {
    fn eq(&self, other: &Self) -> bool {
        self.all() == other.all()
    }
}

impl fmt::Debug for CapturedFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.all()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn file(i: u32) -> (u32, Vec<u8>) {
        (i, format!("file {i}").into_bytes())
    }

    /// Files 0..8 kept in the order 5 0 7 1 2 6 3 4, of which 0, 2 and 4 are decoded at once
    /// (positions 1, 4 and 7): the rest is decoded only when asked for, once, and all of
    /// them come back in the order they were kept.
    #[test]
    fn a_deferred_part_is_decoded_once_when_asked_for_and_keeps_the_order() {
        let order = [5, 0, 7, 1, 2, 6, 3, 4];
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = calls.clone();
        let files = CapturedFiles::deferred(
            vec![file(0), file(2), file(4)],
            vec![1, 4, 7],
            vec![5, 7, 1, 6, 3],
            Box::new(move || {
                counted.fetch_add(1, Ordering::Relaxed);
                Some([5, 7, 1, 6, 3].map(file).to_vec())
            }),
        );
        assert_eq!(files.len(), 8);
        assert_eq!(files.get(2), Some(&b"file 2"[..]));
        assert_eq!(files.get(9), None);
        assert!(files.is_pending(), "a decoded file needs no decoding");
        assert_eq!(calls.load(Ordering::Relaxed), 0);
        assert_eq!(files.get(6), Some(&b"file 6"[..]));
        assert!(!files.is_pending());
        let all: Vec<u32> = files.iter().map(|(i, _)| *i).collect();
        assert_eq!(all, order);
        assert_eq!(files, CapturedFiles::from(order.map(file).to_vec()));
        assert_eq!(calls.load(Ordering::Relaxed), 1);
    }

    /// A part that does not decode leaves the files decoded at once; pushing onto
    /// deferred contents keeps them all.
    #[test]
    fn a_part_that_does_not_decode_leaves_the_rest() {
        let files = CapturedFiles::deferred(vec![file(1)], vec![1], vec![0], Box::new(|| None));
        assert_eq!(files.get(1), Some(&b"file 1"[..]));
        assert_eq!(files.get(0), None);
        let mut files = CapturedFiles::deferred(
            vec![file(1)],
            vec![1],
            vec![0],
            Box::new(|| Some(vec![file(0)])),
        );
        files.push(file(2));
        assert_eq!(files, CapturedFiles::from(vec![file(0), file(1), file(2)]));
    }
}
