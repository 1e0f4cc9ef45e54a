//! The analyses as a load hands them an image: `analysis::analyze` runs them on two
//! threads, and must give what each pure function gives run alone.

use crate::analysis::*;
use crate::image::Merged;

/// The analyses run on two threads; what they return must be what each pure function
/// returns run alone, one after the other, findings split or not.
#[test]
fn the_analyses_beside_each_other_give_what_they_give_alone()
-> Result<(), Box<dyn std::error::Error>> {
    for name in crate::demo::NAMES {
        let opened = super::Opened::uncached(crate::demo::source(name)?);
        let image = opened.load(None, None)?;
        let a = analyze(&image);
        let scans = Analysis::scans(&image);
        let merged = Merged::build(&scans);
        let packages = packages::attribute(&scans, &merged);
        assert_eq!(a.packages, packages, "{name}");
        let commands: Vec<String> = image.layers.iter().map(|l| l.command.clone()).collect();
        let view = package_view(&mut packages.clone());
        let input = findings::FindingsInput {
            scans: &scans,
            merged: &merged,
            commands: &commands,
            packages: Some(&view),
        };
        let alone = findings::find(&input);
        assert!(!alone.findings.is_empty(), "{name}: findings to compare");
        assert_eq!(a.findings, alone, "{name}");
        assert_eq!(a.sizes, sizes::compute(&image, &merged).0, "{name}");
        let rewrite = rewrite::plan(&image, &merged, &rewrite::Options::default());
        assert_eq!(format!("{:?}", a.rewrite), format!("{rewrite:?}"), "{name}");
        let dups = duplicates::duplicates(&scans, &merged);
        assert_eq!(format!("{:?}", a.duplicates), format!("{dups:?}"), "{name}");
    }
    Ok(())
}
