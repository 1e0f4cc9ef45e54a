//! The findings in two parts that can be found on two threads: those that never look at
//! package ownership, found while the package analysis runs, and those that do.

use super::{
    Draft, FindingsInput, FindingsReport, assemble, binaries, cruft, debug, duplicates, waste,
};

/// The findings that never look at package ownership (waste, duplicate content,
/// uncompressed binaries), so they can be found while the package analysis runs.
#[derive(Debug, Default)]
pub struct Unowned {
    waste: Vec<Draft>,
    duplicates: Vec<Draft>,
    binaries: Vec<Draft>,
}

/// The findings that look at package ownership, found apart from [`Unowned`].
#[derive(Debug, Default)]
pub struct Owned {
    cruft: Vec<Draft>,
    separate: Vec<Draft>,
    strippable: Vec<Draft>,
}

/// The part of [`super::find`] that `input.packages` does not change.
pub fn find_unowned(input: &FindingsInput<'_>) -> Unowned {
    Unowned {
        waste: waste::find(input),
        duplicates: duplicates::duplicates(input),
        binaries: binaries::find(input),
    }
}

/// The findings that look at package ownership (cruft, debug files): what [`find_unowned`]
/// does not find.
pub fn find_owned(input: &FindingsInput<'_>) -> Owned {
    let (separate, strippable) = debug::find(input);
    Owned {
        cruft: cruft::find(input),
        separate,
        strippable,
    }
}

/// [`super::find`], from its two parts (of the same scans, tree and commands; `owned` with the
/// package ownership). The drafts keep their precedence order whichever thread found them.
pub fn find_both(input: &FindingsInput<'_>, unowned: Unowned, owned: Owned) -> FindingsReport {
    let mut drafts = unowned.waste;
    drafts.extend(owned.cruft);
    drafts.extend(owned.separate);
    drafts.extend(unowned.duplicates);
    drafts.extend(owned.strippable);
    drafts.extend(unowned.binaries);
    assemble(input, drafts)
}
