//! Files a later layer moves (`RUN mv a b`): the whiteout of `a` and a new `b` with the same
//! content. Not waste to delete where it was created, but bytes stored twice because the
//! move happened a layer too late.

use super::dockerfile::{append, layer_ref, run_command};
use super::{Draft, FindingsInput, Item, MAX_NAMED, files};
use std::sync::Arc;

/// One finding for the files layer `upper` moved out of layer `lower`, each with its new path.
pub(super) fn draft(
    input: &FindingsInput<'_>,
    (lower, upper): (u32, u32),
    moved: Vec<(Item, Arc<str>)>,
) -> Draft {
    let (a, b) = (
        layer_ref(lower, input.command(lower)),
        layer_ref(upper, input.command(upper)),
    );
    let moves: Vec<String> = moved
        .iter()
        .map(|(it, to)| format!("mv /{} /{to}", it.path))
        .collect();
    let line = if run_command(input.command(lower)).is_some() && moves.len() <= MAX_NAMED {
        append(input.command(lower), &moves.join(" && ")).0
    } else {
        String::new()
    };
    let why = format!(
        "{b} moves what {a} wrote: a move in a later layer stores the bytes again under the \
         new name while the old copy stays in layer {lower}; create the files at their final \
         path in layer {lower}, and drop the mv from layer {upper}"
    );
    let items: Vec<Item> = moved.into_iter().map(|(it, _)| it).collect();
    Draft {
        kind: "moved-later",
        title: format!("{} moved by a later layer", files(items.len())),
        layer: lower,
        by_layer: Some(upper),
        fix: line,
        why,
        items,
        counted: true,
        ..Default::default()
    }
}
