//! sha256 throughput: the `sha2` crate (runtime-detected SHA-NI) against `ring`'s digest,
//! over the same 256 MiB buffer in 512 KiB updates (microscope's chunk size), best of 5.

use sha2::Digest;
use std::time::Instant;

const TOTAL: usize = 256 << 20;
const CHUNK: usize = 512 << 10;

fn best(f: &dyn Fn(&[u8]) -> Vec<u8>, data: &[u8]) -> (f64, Vec<u8>) {
    let mut best = f64::MAX;
    let mut out = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        out = f(data);
        best = best.min(t.elapsed().as_secs_f64());
    }
    (TOTAL as f64 / best / 1e6, out)
}

fn main() {
    let data: Vec<u8> = (0..TOTAL).map(|i| (i * 2654435761) as u8).collect();
    let sha2 = |d: &[u8]| {
        let mut h = sha2::Sha256::new();
        for c in d.chunks(CHUNK) {
            h.update(c);
        }
        h.finalize().to_vec()
    };
    let ring = |d: &[u8]| {
        let mut h = ring::digest::Context::new(&ring::digest::SHA256);
        for c in d.chunks(CHUNK) {
            h.update(c);
        }
        h.finish().as_ref().to_vec()
    };
    let (a, da) = best(&sha2, &data);
    let (b, db) = best(&ring, &data);
    assert_eq!(da, db, "both compute the same digest");
    println!("sha2 0.11 : {a:7.0} MB/s");
    println!("ring 0.17 : {b:7.0} MB/s");
    println!("ring/sha2 : {:.2}x", b / a);
}
