//! The largest files no package owns, kept as the final tree is walked.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::Arc;

pub(super) const LARGEST_UNOWNED: usize = 20;

/// `(size, path)` into `heap`, a min-heap of the [`LARGEST_UNOWNED`] largest by size, then
/// path. Once it is full, a file not above its smallest would be pushed and popped straight
/// away (the final tree's paths are unique): one comparison instead, for most of the
/// unowned files of an image with many.
pub(super) fn keep_largest(
    heap: &mut BinaryHeap<Reverse<(u64, Arc<str>)>>,
    size: u64,
    path: &Arc<str>,
) {
    let beats = |Reverse((b, p)): &Reverse<(u64, Arc<str>)>| (size, &**path) > (*b, &**p);
    if heap.len() < LARGEST_UNOWNED || heap.peek().is_some_and(beats) {
        heap.push(Reverse((size, path.clone())));
        if heap.len() > LARGEST_UNOWNED {
            heap.pop();
        }
    }
}
