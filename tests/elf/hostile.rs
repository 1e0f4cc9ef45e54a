//! Hostile input: the inspector runs on every ELF file of untrusted images, so lying offsets,
//! counts and lengths must give partial facts or None, never a panic or a huge allocation.

use crate::support::elf;

use elf::*;
use microscope::scan::elf::inspect;

fn fixture() -> Vec<u8> {
    let mut b = ElfBuilder::new(ET_DYN);
    b.interp = Some("/lib64/ld-linux-x86-64.so.2".into());
    b.needed = vec!["libc.so.6".into(), "libm.so.6".into()];
    b.runpath = Some("/opt/lib".into());
    b.symbols = vec!["dlopen".into()];
    b.sections = vec![
        sec(".text", SHT_PROGBITS, SHF_ALLOC | 4, 300),
        sec(".rodata", SHT_PROGBITS, SHF_ALLOC, 200),
        sec(".gopclntab", SHT_PROGBITS, SHF_ALLOC, 64),
        sec(".symtab", SHT_SYMTAB, 0, 240),
        sec(".strtab", SHT_STRTAB, 0, 90),
        sec(".debug_info", SHT_PROGBITS, 0, 500),
    ];
    b.build()
}

fn put(data: &mut [u8], at: usize, bytes: &[u8]) {
    data[at..at + bytes.len()].copy_from_slice(bytes);
}

/// Where section header `i` starts in a fixture.
fn shdr_at(data: &[u8], i: usize) -> usize {
    let shoff = u64::from_le_bytes(data[40..48].try_into().unwrap()) as usize;
    shoff + 64 * i
}

#[test]
fn every_truncation_is_survived() {
    let data = fixture();
    for len in 0..data.len() {
        let _ = inspect(&data[..len], true);
    }
}

#[test]
fn random_mutations_are_survived() {
    let base = fixture();
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for _ in 0..20_000 {
        let mut data = base.clone();
        for _ in 0..1 + next() % 8 {
            let r = next();
            // Mostly headers and tables, where the offsets and counts live.
            let at = if r % 3 == 0 {
                (r >> 8) as usize % 300
            } else {
                (r >> 8) as usize % data.len()
            };
            data[at] = match (r >> 40) % 4 {
                0 => 0xff,
                1 => 0,
                _ => (r >> 48) as u8,
            };
        }
        if let Some(info) = inspect(&data, true) {
            assert!(info.strip_bytes <= data.len() as u64);
            assert!(info.needed.len() <= 512);
        }
    }
}

#[test]
fn lying_tables_are_bounded() {
    let base = fixture();
    // Section headers past the end, and a huge section count.
    let mut d = base.clone();
    put(&mut d, 40, &u64::MAX.to_le_bytes());
    let info = inspect(&d, true).expect("still an ELF file");
    assert_eq!(info.strip_bytes, 0);
    assert_eq!(
        info.needed,
        ["libc.so.6", "libm.so.6"],
        "program headers still read"
    );
    let mut d = base.clone();
    put(&mut d, 60, &0xffffu16.to_le_bytes());
    assert!(inspect(&d, true).is_some());
    // Extended section count in section 0's sh_size.
    let mut d = base.clone();
    put(&mut d, 60, &0u16.to_le_bytes());
    let s0 = shdr_at(&d, 0);
    put(&mut d, s0 + 32, &u64::MAX.to_le_bytes());
    assert!(inspect(&d, true).is_some());
    // Program headers past the end.
    let mut d = base.clone();
    put(&mut d, 32, &(u64::MAX - 8).to_le_bytes());
    assert!(inspect(&d, true).unwrap().interp.is_none());
}

#[test]
fn overlapping_and_oversized_sections_count_once() {
    let base = fixture();
    // Sections: null, .interp, .dynstr, .dynamic, .text, .rodata, .gopclntab, .symtab (7),
    // .strtab, .debug_info (9), .shstrtab.
    let idx_debug = 9;
    let info = inspect(&base, true).unwrap();
    assert_eq!(info.strip_bytes, 240 + 90 + 500 + 3 * 64 + 8 + 8 + 12);
    // .debug_info claims the file range of .symtab and beyond: the union counts once.
    let mut d = base.clone();
    let sym_off = u64::from_le_bytes(
        d[shdr_at(&d, 7) + 24..shdr_at(&d, 7) + 32]
            .try_into()
            .unwrap(),
    );
    let at = shdr_at(&d, idx_debug);
    put(&mut d, at + 24, &sym_off.to_le_bytes());
    put(&mut d, at + 32, &100u64.to_le_bytes());
    let overlapped = inspect(&d, true).unwrap();
    assert_eq!(overlapped.strip_bytes, 240 + 90 + 3 * 64 + 8 + 8 + 12);
    // A section larger than the file is ignored, offset overflow too.
    put(&mut d, at + 32, &u64::MAX.to_le_bytes());
    assert!(inspect(&d, true).unwrap().strip_bytes <= d.len() as u64);
    put(&mut d, at + 24, &u64::MAX.to_le_bytes());
    put(&mut d, at + 32, &16u64.to_le_bytes());
    assert!(inspect(&d, true).unwrap().strip_bytes <= d.len() as u64);
}

#[test]
fn thousands_of_needed_entries_are_capped() {
    let mut b = ElfBuilder::new(ET_DYN);
    b.interp = Some("/lib/ld.so".into());
    b.needed = (0..3000).map(|i| format!("lib{i}.so")).collect();
    let info = inspect(&b.build(), true).unwrap();
    assert_eq!(info.needed.len(), 512);
}

#[test]
fn not_elf_or_unknown_class_is_none() {
    assert!(inspect(b"", true).is_none());
    assert!(inspect(b"\x7fELF", true).is_none());
    assert!(inspect(b"#!/bin/sh\n", true).is_none());
    let mut d = fixture();
    d[4] = 3;
    assert!(inspect(&d, true).is_none());
    let mut d = fixture();
    d[5] = 9;
    assert!(inspect(&d, true).is_none());
}
