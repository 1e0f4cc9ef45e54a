use super::sample::{Counter, SAMPLE_BYTES, Sampler};
use super::*;
use std::io::Write;

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// Text-like runs of varying entropy, like code and data sections interleaved.
fn mixed(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let alphabet = 4 + (i >> 16) % 200;
            b'!' + (x % alphabet as u64) as u8 % 90
        })
        .collect()
}

fn sampled(data: &[u8], piece: usize) -> Result<u64, &'static str> {
    let mut s = Sampler::new(data.len() as u64);
    for (i, p) in data.chunks(piece).enumerate() {
        s.feed((i * piece) as u64, p);
    }
    s.finish().ok_or("no estimate")
}

#[test]
fn sampled_estimate_is_close_to_compressing_everything() -> TestResult {
    let data = mixed(24 << 20);
    let estimate = sampled(&data, 256 * 1024)? as f64;
    let mut enc = zstd::stream::Encoder::new(Counter(0), 1)?;
    enc.write_all(&data)?;
    let whole = enc.finish()?.0 as f64;
    assert!(
        (estimate - whole).abs() / whole < 0.05,
        "sampled {estimate} whole {whole}"
    );
    assert!(whole < data.len() as f64 * 0.9, "the test data compresses");
    Ok(())
}

#[test]
fn samples_do_not_depend_on_how_the_stream_is_cut() -> TestResult {
    // Just above the sampling threshold the samples overlap.
    for len in [3 << 20, SAMPLE_BYTES as usize + 4096, 9 << 20] {
        let data = mixed(len);
        let one = sampled(&data, len)?;
        assert_eq!(sampled(&data, 4093)?, one, "{len}");
        assert_eq!(sampled(&data, 300_000)?, one, "{len}");
    }
    Ok(())
}

/// This test program is a real ELF file laid out by a real linker, symbols and all.
fn this_program() -> std::io::Result<Vec<u8>> {
    std::fs::read(std::env::current_exe()?)
}

fn inspect_in_pieces(data: &[u8], piece: usize) -> Option<ElfInfo> {
    let mut c = Collector::new(data.len() as u64, true);
    for p in data.chunks(piece) {
        c.push(p);
    }
    inspect_collected(c.finish())
}

#[test]
fn a_file_streamed_in_pieces_gives_the_facts_of_the_whole() -> TestResult {
    let data = this_program()?;
    let whole = inspect(&data, true).ok_or("missing")?;
    assert!(whole.rust, "found by the /rustc/ search in .rodata");
    assert!(whole.has_symtab && whole.strip_bytes > 0);
    assert!(!whole.needed.is_empty(), "{whole:?}");
    assert!(whole.zstd1_bytes.is_some());
    for piece in [3, 511, 4096, 65_537, 1 << 20] {
        assert_eq!(
            inspect_in_pieces(&data, piece).as_ref(),
            Some(&whole),
            "{piece}"
        );
    }
    Ok(())
}

#[test]
fn keeps_a_small_part_of_a_big_file() -> TestResult {
    let data = this_program()?;
    let mut c = Collector::new(data.len() as u64, false);
    for p in data.chunks(256 * 1024) {
        c.push(p);
    }
    let kept = c.finish().data.kept_bytes();
    assert!(
        kept * 4 < data.len() as u64,
        "kept {kept} of {} bytes",
        data.len()
    );
    Ok(())
}

#[test]
fn go_build_info_found_before_the_section_headers_say_where_it_is() -> TestResult {
    for debug in [false, true] {
        // The demo's Go server: section headers at the end, after the build info.
        let data = crate::demo::server(debug);
        let info = inspect(&data, true).ok_or("missing")?;
        let go = info.go.as_ref().ok_or("missing")?;
        assert_eq!(go.version.as_deref(), Some("go1.22.5"), "{info:?}");
        assert!(go.needs.ca_bundle);
        assert_eq!(go.needs.cgo, debug);
        assert_eq!(inspect_in_pieces(&data, 4096).as_ref(), Some(&info));
    }
    Ok(())
}

#[test]
fn a_short_head_learns_the_layout_as_it_goes() -> TestResult {
    let data = this_program()?;
    let whole = inspect(&data, true);
    for piece in [4096, 65_537] {
        let mut c = Collector::with_head(data.len() as u64, true, 4096);
        for p in data.chunks(piece) {
            c.push(p);
        }
        assert_eq!(inspect_collected(c.finish()), whole, "{piece}");
    }
    Ok(())
}

/// An ELF64 header and `n` section headers right after it, each a `.dynstr` of one byte at
/// its own offset far into the file.
fn many_dynstr_sections(n: usize) -> Vec<u8> {
    let shoff = 64usize;
    let names_at = shoff + 64 * (n + 2);
    let data_at = names_at + 64;
    let mut f = vec![0u8; data_at + n * 97 + 1];
    f[..4].copy_from_slice(b"\x7fELF");
    f[4] = 2; // 64-bit
    f[5] = 1; // little endian
    f[6] = 1;
    f[16..18].copy_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    f[18..20].copy_from_slice(&62u16.to_le_bytes());
    f[40..48].copy_from_slice(&(shoff as u64).to_le_bytes());
    f[52..54].copy_from_slice(&64u16.to_le_bytes());
    f[58..60].copy_from_slice(&64u16.to_le_bytes());
    f[60..62].copy_from_slice(&((n + 2) as u16).to_le_bytes());
    f[62..64].copy_from_slice(&((n + 1) as u16).to_le_bytes()); // .shstrtab is last
    f[names_at..names_at + 19].copy_from_slice(b"\0.dynstr\0.shstrtab\0");
    let mut section = |i: usize, name: u32, kind: u32, off: usize, size: usize| {
        let h = shoff + 64 * i;
        f[h..h + 4].copy_from_slice(&name.to_le_bytes());
        f[h + 4..h + 8].copy_from_slice(&kind.to_le_bytes());
        f[h + 24..h + 32].copy_from_slice(&(off as u64).to_le_bytes());
        f[h + 32..h + 40].copy_from_slice(&(size as u64).to_le_bytes());
    };
    for i in 0..n {
        section(i + 1, 1, 3, data_at + i * 97, 1);
    }
    section(n + 1, 9, 3, names_at, 19);
    f
}

#[test]
fn a_file_of_ten_thousand_named_sections_keeps_a_bounded_number_of_ranges() {
    let data = many_dynstr_sections(10_000);
    let mut c = Collector::new(data.len() as u64, false);
    for p in data.chunks(4096) {
        c.push(p);
    }
    let kept = c.finish();
    assert!(kept.data.pieces.len() <= 64, "{}", kept.data.pieces.len());
    assert!(inspect(&data, false).is_some());
}
