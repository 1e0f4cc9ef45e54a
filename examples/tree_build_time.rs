//! Times the tree view model on an image: `cargo run --release --example tree_build_time -- IMAGE`.

use microscope::jobs::background::Analysed;
use microscope::jobs::{LoadOptions, load_image};
use microscope::tui::tree::build;
use microscope::tui::tree::rows::{RowFilter, TreeView};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let arg = std::env::args().nth(1).unwrap_or_default();
    let src = microscope::source::open(
        &microscope::reference::ImageRef::parse(&arg)?,
        &Default::default(),
    )?;
    let t = Instant::now();
    let image = load_image(&*src, &LoadOptions::default())?;
    println!("load {:?}", t.elapsed());
    let t = Instant::now();
    let a = Analysed::new(image);
    println!("analyse+report {:?}", t.elapsed());
    let scans: Vec<_> = a.image.layers.iter().map(|l| l.scan.clone()).collect();
    let t = Instant::now();
    let tree = build::layer(&scans, 0, Some(&a.analysis.merged));
    println!(
        "layer 0 tree {:?} ({} nodes)",
        t.elapsed(),
        tree.nodes.len()
    );
    let t = Instant::now();
    let tree = build::image(&scans, &a.analysis.merged);
    println!("image tree {:?} ({} nodes)", t.elapsed(), tree.nodes.len());
    let t = Instant::now();
    let mut v = TreeView::new(tree, &RowFilter::default());
    println!("rows {:?} ({} rows)", t.elapsed(), v.rows.len());
    let t = Instant::now();
    v.toggle_all();
    v.toggle_all();
    println!("collapse+expand all {:?}", t.elapsed());
    let t = Instant::now();
    let hit = v.find("f599999", true, false);
    println!("search {:?} ({hit:?})", t.elapsed());
    let t = Instant::now();
    v.apply_filter(&RowFilter {
        text: "f59".into(),
        ..RowFilter::default()
    });
    println!("filter {:?} ({} rows)", t.elapsed(), v.rows.len());
    Ok(())
}
