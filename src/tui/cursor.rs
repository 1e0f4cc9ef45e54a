//! A list's selection and scroll: a leaf every state shares.

/// A selection in a list, and the first row shown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ListCursor {
    pub selected: usize,
    pub offset: usize,
}

impl ListCursor {
    /// Moves by `delta` within `len` rows.
    pub fn step(&mut self, delta: isize, len: usize) {
        let max = len.saturating_sub(1) as isize;
        self.selected = (self.selected as isize + delta).clamp(0, max) as usize;
    }

    /// Scrolls so the selection is inside a window of `height` rows.
    pub fn fit(&mut self, height: usize, len: usize) {
        let h = height.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + h {
            self.offset = self.selected + 1 - h;
        }
        self.offset = self.offset.min(len.saturating_sub(h));
    }
}
