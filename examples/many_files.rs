//! Writes a docker-archive with many entries for measuring the app on a big tree:
//! layer 0 holds N files (default 600,000) in 1,000-file directories, layer 1 is a
//! `chmod -R` copy of the first sixth of them (same bytes stored twice), layer 2 deletes one
//! directory.
//!
//! `cargo run --release --example many_files -- /tmp/many.docker.tar [N]`

use microscope::demo::builder::{ImageBuilder, LayerBuilder};
use std::io::Write;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "many.docker.tar".into());
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(600_000);
    let per_dir = 1_000;
    let content = |i: usize| format!("file {i}\n").repeat(1 + i % 40).into_bytes();
    let path = |i: usize| format!("data/d{:04}/f{:06}.txt", i / per_dir, i);
    let mut l0 = LayerBuilder::new("/bin/sh -c #(nop) ADD data.tar /");
    let mut entries = 0;
    for i in 0..n {
        if i % per_dir == 0 {
            l0 = l0.dir(&format!("data/d{:04}", i / per_dir));
            entries += 1;
        }
        l0 = l0.file(&path(i), &content(i));
        entries += 1;
    }
    let copies = n / 6;
    let mut l1 = LayerBuilder::new("RUN /bin/sh -c chmod -R g+w /data/d0000 … # buildkit");
    for i in 0..copies {
        l1 = l1.file_with(&path(i), &content(i), 0o664, 0, 0);
    }
    let l2 =
        LayerBuilder::new("RUN /bin/sh -c rm -rf /data/d0001 # buildkit").whiteout("data/d0001");
    let image = ImageBuilder::new("many:latest")
        .layer(l0)
        .layer(l1)
        .layer(l2);
    let bytes = image.docker_archive();
    std::fs::File::create(&out)?.write_all(&bytes)?;
    eprintln!(
        "{out}: {} entries in layer 0, {copies} chmod copies, {} MB",
        entries,
        bytes.len() / 1_000_000
    );
    Ok(())
}
