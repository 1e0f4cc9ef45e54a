//! A tiny ELF64 writer for the demo images: real headers, sections and (optionally) a
//! dynamic section and Go build info, so every ELF analysis runs on the demo as on a real
//! binary. Section contents are filler of a chosen size.

/// What to put in a synthetic x86-64 executable.
#[derive(Debug, Clone, Default)]
pub struct ElfSpec {
    pub text: usize,
    pub gopclntab_names: Vec<&'static str>,
    pub gopclntab: usize,
    /// Go build info: (go version, modinfo lines without sentinels).
    pub go: Option<(String, String)>,
    pub interp: Option<String>,
    pub needed: Vec<String>,
    pub debug_info: usize,
    pub symtab_entries: usize,
    pub strtab: usize,
    pub seed: u64,
    /// cargo-auditable's `.dep-v0` section, already compressed.
    pub dep_v0: Option<Vec<u8>>,
}

const SHT_PROGBITS: u32 = 1;
const SHT_SYMTAB: u32 = 2;
const SHT_STRTAB: u32 = 3;
const SHT_DYNAMIC: u32 = 6;
const SHF_ALLOC: u64 = 2;
const SHF_EXEC: u64 = 4;

struct Section {
    name: &'static str,
    kind: u32,
    flags: u64,
    data: Vec<u8>,
    link: u32,
    entsize: u64,
}

/// Bytes that compress about as well as machine code (roughly 2:1).
pub fn filler(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x & 0x1f) as u8 + b'@'
        })
        .collect()
}

/// Go's build-info sentinels (debug/buildinfo).
const INFO_START: [u8; 16] = [
    0x30, 0x77, 0xaf, 0x0c, 0x92, 0x74, 0x08, 0x02, 0x41, 0xe1, 0xc1, 0x07, 0xe6, 0xd6, 0x18, 0xe6,
];
const INFO_END: [u8; 16] = [
    0xf9, 0x32, 0x43, 0x31, 0x86, 0x18, 0x20, 0x72, 0x00, 0x82, 0x42, 0x10, 0x41, 0x16, 0xd8, 0xf2,
];

/// Go's unsigned varint (encoding/binary.PutUvarint), as build info prefixes its strings.
pub fn varint(mut v: usize, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A `.go.buildinfo` section as Go 1.18+ writes it: the 32-byte header (magic, pointer
/// size 8, flags = inline strings, little endian), then the version and the module text
/// between its sentinels, each prefixed with its varint length. The tests write theirs
/// with this one too.
pub fn buildinfo(version: &str, modinfo: &str) -> Vec<u8> {
    let mut b = crate::scan::elf::gobuild::MAGIC.to_vec();
    b.push(8); // pointer size
    b.push(2); // flags: inline strings, little endian
    b.resize(32, 0);
    varint(version.len(), &mut b);
    b.extend_from_slice(version.as_bytes());
    let mut m = INFO_START.to_vec();
    m.extend_from_slice(modinfo.as_bytes());
    m.extend_from_slice(&INFO_END);
    varint(m.len(), &mut b);
    b.extend(m);
    b
}

/// The file: sections as the spec asks, laid out after the ELF and program headers, then
/// the section header table.
pub fn build(spec: &ElfSpec) -> Vec<u8> {
    let mut sections = sections(spec);
    let names = push_shstrtab(&mut sections);
    let phnum: u16 = 1 + u16::from(spec.interp.is_some());
    let mut out = vec![0u8; 64 + 56 * phnum as usize];
    let offsets = lay_out(&sections, &mut out);
    let shoff = out.len() as u64;
    out.extend(section_headers(&sections, &names, &offsets));
    let shnum = sections.len() as u16 + 1;
    let entry = 0x400000u64 + offsets.first().copied().unwrap_or(0);
    out[..64].copy_from_slice(&elf_header(entry, shoff, phnum, shnum));
    // PT_INTERP (when dynamic; .interp is the first section), then one PT_LOAD over the file.
    let interp = spec
        .interp
        .as_ref()
        .map(|_| (offsets[0], sections[0].data.len() as u64));
    let ph = program_headers(interp, out.len() as u64);
    out[64..64 + ph.len()].copy_from_slice(&ph);
    out
}

/// The spec's sections, in file order (the null section at index 0 is implied).
fn sections(spec: &ElfSpec) -> Vec<Section> {
    let mut s = Sections(Vec::new());
    if let Some(interp) = &spec.interp {
        let mut d = interp.as_bytes().to_vec();
        d.push(0);
        s.alloc(".interp", d);
    }
    s.push(
        ".text",
        SHT_PROGBITS,
        SHF_ALLOC | SHF_EXEC,
        filler(spec.seed, spec.text),
        (0, 0),
    );
    if !spec.needed.is_empty() {
        let (dynstr, dynamic) = dynamic_section(&spec.needed);
        let strndx = s.push(".dynstr", SHT_STRTAB, SHF_ALLOC, dynstr, (0, 0));
        s.push(
            ".dynamic",
            SHT_DYNAMIC,
            SHF_ALLOC,
            dynamic,
            (strndx as u32, 16),
        );
    }
    if let Some(deps) = &spec.dep_v0 {
        s.alloc(".dep-v0", deps.clone());
    }
    go_sections(&mut s, spec);
    debug_sections(&mut s, spec);
    s.0
}

/// Sections in file order, numbered from 1 (the null section is 0).
struct Sections(Vec<Section>);

impl Sections {
    /// Adds a section (`link` and `entsize` as the section header has them); returns its
    /// index.
    fn push(
        &mut self,
        name: &'static str,
        kind: u32,
        flags: u64,
        data: Vec<u8>,
        (link, entsize): (u32, u64),
    ) -> usize {
        self.0.push(Section {
            name,
            kind,
            flags,
            data,
            link,
            entsize,
        });
        self.0.len()
    }

    /// A section loaded with the program.
    fn alloc(&mut self, name: &'static str, data: Vec<u8>) -> usize {
        self.push(name, SHT_PROGBITS, SHF_ALLOC, data, (0, 0))
    }
}

/// Go's build info and function table (its names first, as the linker writes them).
fn go_sections(s: &mut Sections, spec: &ElfSpec) {
    if let Some((version, modinfo)) = &spec.go {
        s.alloc(".go.buildinfo", buildinfo(version, modinfo));
    }
    if spec.gopclntab > 0 {
        let mut d = Vec::new();
        for n in &spec.gopclntab_names {
            d.extend_from_slice(n.as_bytes());
            d.push(0);
        }
        d.extend(filler(
            spec.seed ^ 7,
            spec.gopclntab.saturating_sub(d.len()),
        ));
        s.alloc(".gopclntab", d);
    }
}

/// What `strip` removes: DWARF, the symbol table and its strings.
fn debug_sections(s: &mut Sections, spec: &ElfSpec) {
    if spec.debug_info > 0 {
        let data = filler(spec.seed ^ 11, spec.debug_info);
        s.push(".debug_info", SHT_PROGBITS, 0, data, (0, 0));
    }
    if spec.symtab_entries > 0 {
        let strtab = filler(spec.seed ^ 13, spec.strtab.max(1));
        let strndx = s.push(".strtab", SHT_STRTAB, 0, strtab, (0, 0));
        let symtab = vec![0u8; 24 * spec.symtab_entries];
        s.push(".symtab", SHT_SYMTAB, 0, symtab, (strndx as u32, 24));
    }
}

/// `.dynstr` and `.dynamic` for the DT_NEEDED entries.
fn dynamic_section(needed: &[String]) -> (Vec<u8>, Vec<u8>) {
    let mut dynstr = vec![0u8];
    let mut dynamic = Vec::new();
    for n in needed {
        dynamic.extend_from_slice(&1u64.to_le_bytes()); // DT_NEEDED
        dynamic.extend_from_slice(&(dynstr.len() as u64).to_le_bytes());
        dynstr.extend_from_slice(n.as_bytes());
        dynstr.push(0);
    }
    dynamic.extend_from_slice(&[0u8; 16]); // DT_NULL
    (dynstr, dynamic)
}

/// Appends `.shstrtab` (last); returns each section's name offset in it.
fn push_shstrtab(sections: &mut Vec<Section>) -> Vec<u32> {
    let mut shstrtab = vec![0u8];
    let mut names = Vec::new();
    for s in sections.iter() {
        names.push(shstrtab.len() as u32);
        shstrtab.extend_from_slice(s.name.as_bytes());
        shstrtab.push(0);
    }
    names.push(shstrtab.len() as u32);
    shstrtab.extend_from_slice(b".shstrtab\0");
    sections.push(Section {
        name: ".shstrtab",
        kind: SHT_STRTAB,
        flags: 0,
        data: shstrtab,
        link: 0,
        entsize: 0,
    });
    names
}

/// Appends the sections' data, each at a 16-byte boundary, then pads to 8 for the header
/// table; returns each section's offset.
fn lay_out(sections: &[Section], out: &mut Vec<u8>) -> Vec<u64> {
    let mut offsets = Vec::new();
    for s in sections {
        while !out.len().is_multiple_of(16) {
            out.push(0);
        }
        offsets.push(out.len() as u64);
        out.extend_from_slice(&s.data);
    }
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
    offsets
}

/// The section header table, the null section first.
fn section_headers(sections: &[Section], names: &[u32], offsets: &[u64]) -> Vec<u8> {
    let mut out = vec![0u8; 64]; // null section
    for (i, s) in sections.iter().enumerate() {
        out.extend_from_slice(&names[i].to_le_bytes());
        out.extend_from_slice(&s.kind.to_le_bytes());
        out.extend_from_slice(&s.flags.to_le_bytes());
        let addr = if s.flags & SHF_ALLOC != 0 {
            0x400000 + offsets[i]
        } else {
            0
        };
        out.extend_from_slice(&addr.to_le_bytes());
        out.extend_from_slice(&offsets[i].to_le_bytes());
        out.extend_from_slice(&(s.data.len() as u64).to_le_bytes());
        out.extend_from_slice(&s.link.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&1u64.to_le_bytes());
        out.extend_from_slice(&s.entsize.to_le_bytes());
    }
    out
}

/// The 64-byte ELF header of an x86-64 executable; `.shstrtab` is the last section.
fn elf_header(entry: u64, shoff: u64, phnum: u16, shnum: u16) -> Vec<u8> {
    let mut e = Vec::with_capacity(64);
    e.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    e.extend_from_slice(&[0u8; 8]);
    e.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    e.extend_from_slice(&62u16.to_le_bytes()); // EM_X86_64
    e.extend_from_slice(&1u32.to_le_bytes());
    e.extend_from_slice(&entry.to_le_bytes());
    e.extend_from_slice(&64u64.to_le_bytes()); // phoff
    e.extend_from_slice(&shoff.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    e.extend_from_slice(&64u16.to_le_bytes());
    e.extend_from_slice(&56u16.to_le_bytes());
    e.extend_from_slice(&phnum.to_le_bytes());
    e.extend_from_slice(&64u16.to_le_bytes());
    e.extend_from_slice(&shnum.to_le_bytes());
    e.extend_from_slice(&(shnum - 1).to_le_bytes());
    e
}

/// PT_INTERP over `interp` (offset, length) when there is one, then a PT_LOAD of the
/// whole file.
fn program_headers(interp: Option<(u64, u64)>, file_len: u64) -> Vec<u8> {
    let mut ph = Vec::new();
    if let Some((offset, len)) = interp {
        ph.extend_from_slice(&3u32.to_le_bytes());
        ph.extend_from_slice(&4u32.to_le_bytes());
        ph.extend_from_slice(&offset.to_le_bytes());
        ph.extend_from_slice(&(0x400000 + offset).to_le_bytes());
        ph.extend_from_slice(&(0x400000 + offset).to_le_bytes());
        ph.extend_from_slice(&len.to_le_bytes());
        ph.extend_from_slice(&len.to_le_bytes());
        ph.extend_from_slice(&1u64.to_le_bytes());
    }
    ph.extend_from_slice(&1u32.to_le_bytes());
    ph.extend_from_slice(&5u32.to_le_bytes());
    ph.extend_from_slice(&0u64.to_le_bytes());
    ph.extend_from_slice(&0x400000u64.to_le_bytes());
    ph.extend_from_slice(&0x400000u64.to_le_bytes());
    ph.extend_from_slice(&file_len.to_le_bytes());
    ph.extend_from_slice(&file_len.to_le_bytes());
    ph.extend_from_slice(&0x1000u64.to_le_bytes());
    ph
}
