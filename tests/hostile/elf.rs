//! Hostile ELF files and Go build info: the inspector must give what it can, with notes,
//! and never panic or read past the file; the report's figures stay within the file.

use crate::util::*;
use microscope::demo::elf::{ElfSpec, build};
use microscope::scan::elf::{self, gobuild};

fn base() -> Vec<u8> {
    build(&ElfSpec {
        text: 4096,
        gopclntab: 2048,
        gopclntab_names: vec!["crypto/x509.loadSystemRoots"],
        go: Some(("go1.22.5".into(), "path\texample.com/x\n".into())),
        interp: Some("/lib64/ld-linux-x86-64.so.2".into()),
        needed: vec!["libc.so.6".into()],
        debug_info: 2048,
        symtab_entries: 50,
        strtab: 1024,
        seed: 7,
        dep_v0: None,
    })
}

fn put(data: &mut [u8], at: usize, bytes: &[u8]) {
    data[at..at + bytes.len()].copy_from_slice(bytes);
}

fn shoff(data: &[u8]) -> usize {
    u64::from_le_bytes(data[0x28..0x30].try_into().unwrap()) as usize
}

fn shnum(data: &[u8]) -> usize {
    u16::from_le_bytes([data[0x3c], data[0x3d]]) as usize
}

/// Inspects `data` (as an executable and not) and checks the figures stay in the file.
#[track_caller]
fn inspect(data: &[u8]) -> Option<microscope::image::facts::ElfInfo> {
    let info = elf::inspect(data, true);
    let _ = elf::inspect(data, false);
    if let Some(i) = &info {
        assert!(i.strip_bytes <= data.len() as u64, "{i:?}");
    }
    info
}

#[test]
fn the_untouched_file_reads_fully() {
    let info = inspect(&base()).unwrap();
    assert!(info.has_symtab && info.go.is_some(), "{info:?}");
}

#[test]
fn section_headers_past_the_end() {
    let mut data = base();
    let len = data.len() as u64;
    put(&mut data, 0x28, &(len + 4096).to_le_bytes());
    let info = inspect(&data).unwrap();
    assert!(!info.notes.is_empty(), "{info:?}");
    // Offset so large that offset + size overflows.
    put(&mut data, 0x28, &(u64::MAX - 8).to_le_bytes());
    inspect(&data).unwrap();
}

#[test]
fn huge_section_count() {
    let mut data = base();
    put(&mut data, 0x3c, &u16::MAX.to_le_bytes());
    let info = inspect(&data).unwrap();
    assert!(!info.notes.is_empty(), "{info:?}");
    // Extended numbering: e_shnum 0 and the count in section 0's sh_size.
    let mut data = base();
    let at = shoff(&data);
    put(&mut data, 0x3c, &0u16.to_le_bytes());
    put(&mut data, at + 32, &(u64::MAX / 64).to_le_bytes());
    inspect(&data);
    // A string-table index past the table.
    let mut data = base();
    put(&mut data, 0x3e, &0xfffeu16.to_le_bytes());
    inspect(&data);
}

#[test]
fn overlapping_and_oversized_sections() {
    let mut data = base();
    let (at, n, len) = (shoff(&data), shnum(&data), data.len() as u64);
    for i in 1..n {
        let sh = at + i * 64;
        put(&mut data, sh + 24, &64u64.to_le_bytes()); // all start at 64
        put(&mut data, sh + 32, &(len - 64).to_le_bytes()); // and run to the end
    }
    let info = inspect(&data).unwrap();
    // Overlapping ranges count once: never more than the file.
    assert!(info.strip_bytes <= len);
    for i in 1..n {
        let sh = at + i * 64;
        put(&mut data, sh + 32, &u64::MAX.to_le_bytes());
    }
    inspect(&data);
}

#[test]
fn every_truncation_of_the_headers() {
    let data = base();
    for cut in (0..256).chain([data.len() / 2, data.len() - 1]) {
        inspect(&data[..cut]);
    }
}

/// Offset of the build info magic.
fn buildinfo_at(data: &[u8]) -> usize {
    data.windows(14)
        .position(|w| w == b"\xff Go buildinf:")
        .unwrap()
}

#[test]
fn go_build_info_with_lying_lengths() {
    for varint in [
        &[0xff, 0xff, 0xff, 0xff, 0x0f][..], // 4 GiB
        &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // 2^64 - 1
        &[0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80], // never ends
    ] {
        let mut data = base();
        let at = buildinfo_at(&data) + 32;
        put(&mut data, at, varint);
        let info = inspect(&data).unwrap();
        let go = info.go.expect("still a Go binary");
        assert!(go.note.is_some(), "{go:?}");
        // The reader alone, on the blob and on every prefix of it.
        let blob = &data[at - 32..];
        assert!(gobuild::parse_buildinfo(blob).unwrap().note.is_some());
        for cut in 0..64 {
            let _ = gobuild::parse_buildinfo(&blob[..cut]);
        }
    }
}

#[test]
fn hostile_elf_files_in_an_image() {
    let mut t = RawTar::new();
    let mut shoff_past = base();
    let len = shoff_past.len() as u64;
    put(&mut shoff_past, 0x28, &(len + 4096).to_le_bytes());
    let mut shnum_huge = base();
    put(&mut shnum_huge, 0x3c, &u16::MAX.to_le_bytes());
    for (name, data) in [
        ("bin/shoff", shoff_past),
        ("bin/shnum", shnum_huge),
        ("bin/cut", base()[..100].to_vec()),
        ("bin/magic-only", b"\x7fELF".to_vec()),
    ] {
        let mut h = header(name.as_bytes(), tar::EntryType::Regular, data.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        t.raw(&h, &data);
    }
    let (lib, bin) = check_layer(t.finish());
    assert_eq!(lib.unwrap().entries.len(), 4);
    bin.report();
}
