//! Fixtures for the rewrite tests: a small x86-64 ELF writer with the dynamic section the
//! loader reads (PT_INTERP, PT_DYNAMIC with NEEDED, RPATH, RUNPATH, SONAME), extra dynamic
//! strings (dlopen, getaddrinfo), Go build info and `.gopclntab` names, and strippable
//! sections; and loading of a built image through a real docker-archive.

use microscope::analysis::rewrite::Rewrite;
use microscope::analysis::{Analysis, analyze};
use microscope::demo::builder::ImageBuilder;
use microscope::demo::elf::buildinfo;
use microscope::image::Image;
use microscope::jobs::{LoadOptions, load_image};
use microscope::reference::ImageRef;
use microscope::source::{SourceOptions, open};

/// One ELF file to write.
#[derive(Debug, Clone, Default)]
pub struct Elf {
    pub interp: Option<String>,
    pub needed: Vec<String>,
    pub rpath: Option<String>,
    pub runpath: Option<String>,
    pub soname: Option<String>,
    /// Names put in .dynstr besides the above (dlopen, getaddrinfo...).
    pub symbols: Vec<String>,
    /// A library (ET_DYN) rather than a program (ET_EXEC).
    pub library: bool,
    pub text: usize,
    pub debug: usize,
    /// Go build info text (modinfo lines) and version.
    pub go: Option<(String, String)>,
    pub gopclntab: Vec<String>,
}

impl Elf {
    pub fn program() -> Elf {
        Elf {
            text: 4000,
            ..Default::default()
        }
    }

    pub fn glibc() -> Elf {
        Elf {
            interp: Some("/lib64/ld-linux-x86-64.so.2".into()),
            needed: vec!["libc.so.6".into()],
            text: 4000,
            ..Default::default()
        }
    }

    pub fn musl() -> Elf {
        Elf {
            interp: Some("/lib/ld-musl-x86_64.so.1".into()),
            needed: vec!["libc.musl-x86_64.so.1".into()],
            text: 4000,
            ..Default::default()
        }
    }

    pub fn lib(soname: &str, needed: &[&str]) -> Elf {
        Elf {
            soname: Some(soname.into()),
            needed: needed.iter().map(|s| s.to_string()).collect(),
            library: true,
            text: 2000,
            ..Default::default()
        }
    }

    pub fn needs(mut self, names: &[&str]) -> Elf {
        self.needed.extend(names.iter().map(|s| s.to_string()));
        self
    }

    pub fn build(&self) -> Vec<u8> {
        write(self)
    }
}

const BASE: u64 = 0x400000;

struct Section {
    name: &'static str,
    kind: u32,
    flags: u64,
    data: Vec<u8>,
    link: u32,
    entsize: u64,
}

fn filler(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

fn write(spec: &Elf) -> Vec<u8> {
    let mut sections: Vec<Section> = Vec::new();
    let mut push = |name, kind, flags, data, link, entsize| {
        sections.push(Section {
            name,
            kind,
            flags,
            data,
            link,
            entsize,
        });
        sections.len() // index counting the null section
    };
    if let Some(i) = &spec.interp {
        let mut d = i.as_bytes().to_vec();
        d.push(0);
        push(".interp", 1, 2, d, 0, 0);
    }
    push(".text", 1, 6, filler(spec.text, 7), 0, 0);
    let dynamic =
        spec.interp.is_some() || !spec.needed.is_empty() || spec.soname.is_some() || spec.library;
    let mut dyn_at = None;
    if dynamic {
        let mut dynstr = vec![0u8];
        let mut add = |s: &str| {
            let at = dynstr.len() as u64;
            dynstr.extend_from_slice(s.as_bytes());
            dynstr.push(0);
            at
        };
        let mut entries: Vec<(u64, u64)> = Vec::new();
        for n in &spec.needed {
            entries.push((1, add(n))); // DT_NEEDED
        }
        if let Some(s) = &spec.soname {
            entries.push((14, add(s)));
        }
        if let Some(s) = &spec.rpath {
            entries.push((15, add(s)));
        }
        if let Some(s) = &spec.runpath {
            entries.push((29, add(s)));
        }
        for s in &spec.symbols {
            add(s);
        }
        let strsz = dynstr.len() as u64;
        let strndx = push(".dynstr", 3, 2, dynstr, 0, 0);
        // DT_STRTAB's address is patched once offsets are known.
        entries.push((5, 0));
        entries.push((10, strsz));
        entries.push((0, 0));
        let mut d = Vec::new();
        for (t, v) in &entries {
            d.extend_from_slice(&t.to_le_bytes());
            d.extend_from_slice(&v.to_le_bytes());
        }
        dyn_at = Some((
            push(".dynamic", 6, 3, d, strndx as u32, 16),
            strndx,
            entries.len(),
        ));
    }
    if let Some((version, modinfo)) = &spec.go {
        push(".go.buildinfo", 1, 3, buildinfo(version, modinfo), 0, 0);
    }
    if !spec.gopclntab.is_empty() {
        let mut d = Vec::new();
        for n in &spec.gopclntab {
            d.extend_from_slice(n.as_bytes());
            d.push(0);
        }
        d.extend(filler(2000, 3));
        push(".gopclntab", 1, 2, d, 0, 0);
    }
    if spec.debug > 0 {
        push(".debug_info", 1, 0, filler(spec.debug, 11), 0, 0);
        let strndx = push(".strtab", 3, 0, filler(64, 13), 0, 0);
        push(".symtab", 2, 0, vec![0u8; 24 * 8], strndx as u32, 24);
    }
    let mut shstrtab = vec![0u8];
    let mut names = Vec::new();
    for s in &sections {
        names.push(shstrtab.len() as u32);
        shstrtab.extend_from_slice(s.name.as_bytes());
        shstrtab.push(0);
    }
    names.push(shstrtab.len() as u32);
    shstrtab.extend_from_slice(b".shstrtab\0");
    sections.push(Section {
        name: ".shstrtab",
        kind: 3,
        flags: 0,
        data: shstrtab,
        link: 0,
        entsize: 0,
    });

    let phnum = 1 + u16::from(spec.interp.is_some()) + u16::from(dyn_at.is_some());
    let mut out = vec![0u8; 64 + 56 * phnum as usize];
    let mut offsets = Vec::new();
    for s in &sections {
        while !out.len().is_multiple_of(16) {
            out.push(0);
        }
        offsets.push(out.len() as u64);
        out.extend_from_slice(&s.data);
    }
    // Patch DT_STRTAB with the .dynstr address (vaddr = BASE + offset).
    if let Some((dyn_idx, str_idx, n)) = dyn_at {
        let dyn_off = offsets[dyn_idx - 1] as usize;
        let strtab_addr = BASE + offsets[str_idx - 1];
        let slot = dyn_off + (n - 3) * 16 + 8;
        out[slot..slot + 8].copy_from_slice(&strtab_addr.to_le_bytes());
    }
    while !out.len().is_multiple_of(8) {
        out.push(0);
    }
    let shoff = out.len() as u64;
    out.extend_from_slice(&[0u8; 64]);
    for (i, s) in sections.iter().enumerate() {
        out.extend_from_slice(&names[i].to_le_bytes());
        out.extend_from_slice(&s.kind.to_le_bytes());
        out.extend_from_slice(&s.flags.to_le_bytes());
        let addr = if s.flags & 2 != 0 {
            BASE + offsets[i]
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
    let shnum = sections.len() as u16 + 1;
    let file_len = out.len() as u64;
    let mut e = Vec::new();
    e.extend_from_slice(b"\x7fELF\x02\x01\x01\x00");
    e.extend_from_slice(&[0u8; 8]);
    e.extend_from_slice(&(if spec.library { 3u16 } else { 2u16 }).to_le_bytes());
    e.extend_from_slice(&62u16.to_le_bytes());
    e.extend_from_slice(&1u32.to_le_bytes());
    e.extend_from_slice(&BASE.to_le_bytes());
    e.extend_from_slice(&64u64.to_le_bytes());
    e.extend_from_slice(&shoff.to_le_bytes());
    e.extend_from_slice(&0u32.to_le_bytes());
    e.extend_from_slice(&64u16.to_le_bytes());
    e.extend_from_slice(&56u16.to_le_bytes());
    e.extend_from_slice(&phnum.to_le_bytes());
    e.extend_from_slice(&64u16.to_le_bytes());
    e.extend_from_slice(&shnum.to_le_bytes());
    e.extend_from_slice(&(shnum - 1).to_le_bytes());
    out[..64].copy_from_slice(&e);
    let mut ph = Vec::new();
    let mut phdr = |kind: u32, flags: u32, off: u64, len: u64, align: u64| {
        ph.extend_from_slice(&kind.to_le_bytes());
        ph.extend_from_slice(&flags.to_le_bytes());
        ph.extend_from_slice(&off.to_le_bytes());
        ph.extend_from_slice(&(BASE + off).to_le_bytes());
        ph.extend_from_slice(&(BASE + off).to_le_bytes());
        ph.extend_from_slice(&len.to_le_bytes());
        ph.extend_from_slice(&len.to_le_bytes());
        ph.extend_from_slice(&align.to_le_bytes());
    };
    if spec.interp.is_some() {
        phdr(3, 4, offsets[0], sections[0].data.len() as u64, 1);
    }
    phdr(1, 7, 0, file_len, 0x1000);
    if let Some((dyn_idx, _, _)) = dyn_at {
        let i = dyn_idx - 1;
        phdr(2, 6, offsets[i], sections[i].data.len() as u64, 8);
    }
    out[64..64 + ph.len()].copy_from_slice(&ph);
    out
}

/// Loads a built image the way the CLI does: through a docker-archive on disk.
pub fn load(img: &ImageBuilder) -> Image {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("image.tar");
    std::fs::write(&path, img.docker_archive()).unwrap();
    let r = ImageRef::parse(&path.to_string_lossy()).unwrap();
    let src = open(&r, &SourceOptions::default()).unwrap();
    load_image(&*src, &LoadOptions::default()).unwrap()
}

/// The image's analysis and its rewrite (panics with the reason when there is none).
pub fn rewrite(img: &ImageBuilder) -> (Analysis, Rewrite) {
    let image = load(img);
    let a = analyze(&image);
    let r = a
        .rewrite
        .clone()
        .unwrap_or_else(|e| panic!("no rewrite: {e}"));
    (a, r)
}

/// The copied paths, in Dockerfile order.
pub fn paths(r: &Rewrite) -> Vec<&str> {
    r.files.iter().map(|f| f.path.as_str()).collect()
}

pub fn file<'a>(r: &'a Rewrite, path: &str) -> &'a microscope::analysis::rewrite::CopiedPath {
    r.files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is not copied: {:?}", paths(r)))
}
