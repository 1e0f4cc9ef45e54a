//! What the compare view shows once both images are compared: plain data built off the UI
//! thread, below the compare state and the app's actions (both carry it).

use super::tree::{Sides, build};
use crate::jobs::background::Analysed;
use crate::jobs::compare::Compared;
use crate::report::compare::CompareReport;
use crate::tui::tree::TreeView;
use crate::tui::tree::rows::RowFilter;
use std::sync::Arc;

/// Everything the view shows once both images are compared; built off the UI thread.
#[derive(Debug)]
pub struct CompareData {
    pub report: CompareReport,
    pub view: TreeView,
    /// Parallel to `view.tree.nodes`.
    pub sides: Vec<Sides>,
    /// Layers read from their blobs, and layers of one image reused from the other's scan.
    pub scanned: usize,
    pub reused: usize,
    /// Each image with its analysis, left then right: what the single-image app shows when
    /// a side is opened, without reading the image again.
    pub images: [Analysed; 2],
}

impl CompareData {
    pub fn new(c: Compared) -> CompareData {
        let (tree, sides) = build(&c.comparison.tree);
        let report = c.report();
        let analysed = |image, analysis, report| Analysed {
            image: Arc::new(image),
            analysis: Arc::new(analysis),
            report: Arc::new(report),
        };
        let images = [
            analysed(c.pair.left, c.left, report.left.clone()),
            analysed(c.pair.right, c.right, report.right.clone()),
        ];
        CompareData {
            report,
            view: TreeView::new(tree, &RowFilter::default()),
            sides,
            scanned: c.pair.scanned,
            reused: c.pair.reused,
            images,
        }
    }

    pub fn selected(&self) -> Option<(u32, &Sides)> {
        let id = self.view.selected()?;
        Some((id, self.sides.get(id as usize)?))
    }
}
