//! Test fixtures: small ELF64 little-endian files written byte by byte, so expected sizes
//! are exact, plus helpers to build real binaries with gcc when it is installed.

pub mod corpus;

/// The Go build-info writer is the demo's (one writer for the demo images and the tests).
pub use microscope::demo::elf::buildinfo;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const SHT_PROGBITS: u32 = 1;
pub const SHT_SYMTAB: u32 = 2;
pub const SHT_STRTAB: u32 = 3;
pub const SHT_DYNAMIC: u32 = 6;
pub const SHT_NOBITS: u32 = 8;
pub const SHF_ALLOC: u64 = 2;
pub const ET_EXEC: u16 = 2;
pub const ET_DYN: u16 = 3;
pub const ET_REL: u16 = 1;

/// A section to write: name, sh_type, sh_flags, content.
pub struct Sec {
    pub name: String,
    pub kind: u32,
    pub flags: u64,
    pub data: Vec<u8>,
}

pub fn sec(name: &str, kind: u32, flags: u64, len: usize) -> Sec {
    Sec {
        name: name.into(),
        kind,
        flags,
        data: vec![0xab; len],
    }
}

#[derive(Default)]
pub struct ElfBuilder {
    pub e_type: u16,
    pub interp: Option<String>,
    pub needed: Vec<String>,
    pub soname: Option<String>,
    pub runpath: Option<String>,
    pub pie: bool,
    /// Extra names in the dynamic string table (imported symbols: "dlopen"...).
    pub symbols: Vec<String>,
    /// Forces a dynamic table even with nothing in it.
    pub dynamic: bool,
    pub sections: Vec<Sec>,
    /// Bytes placed right after the program headers (UPX's l_info/p_info...).
    pub after_phdrs: Vec<u8>,
    pub no_section_headers: bool,
}

impl ElfBuilder {
    pub fn new(e_type: u16) -> Self {
        ElfBuilder {
            e_type,
            ..Default::default()
        }
    }

    fn has_dynamic(&self) -> bool {
        self.dynamic || !self.needed.is_empty() || self.soname.is_some() || self.runpath.is_some()
    }

    pub fn build(&self) -> Vec<u8> {
        let dynamic = self.has_dynamic();
        let phnum = 1 + usize::from(self.interp.is_some()) + usize::from(dynamic);
        let mut out = vec![0u8; 64 + 56 * phnum];
        out.extend_from_slice(&self.after_phdrs);
        // (name, type, flags, offset, size, link)
        let mut sections: Vec<(String, u32, u64, u64, u64, u32)> = Vec::new();
        let push = |out: &mut Vec<u8>, sections: &mut Vec<_>, s: &Sec, link: u32| {
            while !out.len().is_multiple_of(8) {
                out.push(0);
            }
            let off = out.len() as u64;
            if s.kind != SHT_NOBITS {
                out.extend_from_slice(&s.data);
            }
            sections.push((
                s.name.clone(),
                s.kind,
                s.flags,
                off,
                s.data.len() as u64,
                link,
            ));
            off
        };
        let interp_off = self.interp.as_ref().map(|i| {
            let mut bytes = i.as_bytes().to_vec();
            bytes.push(0);
            let s = Sec {
                name: ".interp".into(),
                kind: SHT_PROGBITS,
                flags: SHF_ALLOC,
                data: bytes,
            };
            (push(&mut out, &mut sections, &s, 0), s.data.len() as u64)
        });
        let mut dyn_range = None;
        if dynamic {
            let mut strtab = vec![0u8];
            let mut add = |s: &str| {
                let at = strtab.len() as u64;
                strtab.extend_from_slice(s.as_bytes());
                strtab.push(0);
                at
            };
            let mut entries: Vec<(i64, u64)> = Vec::new();
            for n in &self.needed {
                entries.push((1, add(n)));
            }
            if let Some(s) = &self.soname {
                entries.push((14, add(s)));
            }
            if let Some(r) = &self.runpath {
                entries.push((29, add(r)));
            }
            for s in &self.symbols {
                add(s);
            }
            if self.pie {
                entries.push((0x6fff_fffb, 0x0800_0000));
            }
            let strsz = strtab.len() as u64;
            let dynstr_index = sections.len() as u32 + 1;
            let dynstr = Sec {
                name: ".dynstr".into(),
                kind: SHT_STRTAB,
                flags: SHF_ALLOC,
                data: strtab,
            };
            let str_off = push(&mut out, &mut sections, &dynstr, 0);
            entries.push((5, str_off)); // DT_STRTAB: vaddr == offset, see PT_LOAD below
            entries.push((10, strsz));
            entries.push((0, 0));
            let mut data = Vec::new();
            for (t, v) in entries {
                data.extend_from_slice(&t.to_le_bytes());
                data.extend_from_slice(&v.to_le_bytes());
            }
            let len = data.len() as u64;
            let s = Sec {
                name: ".dynamic".into(),
                kind: SHT_DYNAMIC,
                flags: SHF_ALLOC | 1,
                data,
            };
            dyn_range = Some((push(&mut out, &mut sections, &s, dynstr_index), len));
        }
        for s in &self.sections {
            push(&mut out, &mut sections, s, 0);
        }
        // .shstrtab last among sections.
        let mut shstr = vec![0u8];
        let mut name_off = Vec::new();
        for (name, ..) in &sections {
            name_off.push(shstr.len() as u32);
            shstr.extend_from_slice(name.as_bytes());
            shstr.push(0);
        }
        let shstr_name = shstr.len() as u32;
        shstr.extend_from_slice(b".shstrtab\0");
        let shstr_off = out.len() as u64;
        out.extend_from_slice(&shstr);
        while !out.len().is_multiple_of(8) {
            out.push(0);
        }
        let shoff = out.len() as u64;
        let shnum = sections.len() as u16 + 2;
        if !self.no_section_headers {
            out.extend_from_slice(&[0u8; 64]);
            for (i, (_, kind, flags, off, size, link)) in sections.iter().enumerate() {
                out.extend_from_slice(&shdr(name_off[i], *kind, *flags, *off, *size, *link));
            }
            out.extend_from_slice(&shdr(
                shstr_name,
                SHT_STRTAB,
                0,
                shstr_off,
                shstr.len() as u64,
                0,
            ));
        }
        let total = out.len() as u64;
        // ELF header.
        out[..4].copy_from_slice(b"\x7fELF");
        out[4] = 2;
        out[5] = 1;
        out[6] = 1;
        out[16..18].copy_from_slice(&self.e_type.to_le_bytes());
        out[18..20].copy_from_slice(&62u16.to_le_bytes());
        out[20..24].copy_from_slice(&1u32.to_le_bytes());
        out[32..40].copy_from_slice(&64u64.to_le_bytes());
        if !self.no_section_headers {
            out[40..48].copy_from_slice(&shoff.to_le_bytes());
        }
        out[52..54].copy_from_slice(&64u16.to_le_bytes());
        out[54..56].copy_from_slice(&56u16.to_le_bytes());
        out[56..58].copy_from_slice(&(phnum as u16).to_le_bytes());
        out[58..60].copy_from_slice(&64u16.to_le_bytes());
        if !self.no_section_headers {
            out[60..62].copy_from_slice(&shnum.to_le_bytes());
            out[62..64].copy_from_slice(&(shnum - 1).to_le_bytes());
        }
        let mut ph = Vec::new();
        ph.push(phdr(1, 5 | 2, 0, total)); // PT_LOAD of the whole file at vaddr 0, RW
        if let Some((off, len)) = interp_off {
            ph.push(phdr(3, 4, off, len));
        }
        if let Some((off, len)) = dyn_range {
            ph.push(phdr(2, 6, off, len));
        }
        for (i, p) in ph.iter().enumerate() {
            out[64 + 56 * i..64 + 56 * (i + 1)].copy_from_slice(p);
        }
        out
    }
}

fn shdr(name: u32, kind: u32, flags: u64, off: u64, size: u64, link: u32) -> [u8; 64] {
    let mut h = [0u8; 64];
    h[0..4].copy_from_slice(&name.to_le_bytes());
    h[4..8].copy_from_slice(&kind.to_le_bytes());
    h[8..16].copy_from_slice(&flags.to_le_bytes());
    h[24..32].copy_from_slice(&off.to_le_bytes());
    h[32..40].copy_from_slice(&size.to_le_bytes());
    h[40..44].copy_from_slice(&link.to_le_bytes());
    h[48..56].copy_from_slice(&1u64.to_le_bytes());
    h
}

fn phdr(kind: u32, flags: u32, off: u64, size: u64) -> [u8; 56] {
    let mut h = [0u8; 56];
    h[0..4].copy_from_slice(&kind.to_le_bytes());
    h[4..8].copy_from_slice(&flags.to_le_bytes());
    h[8..16].copy_from_slice(&off.to_le_bytes());
    h[16..24].copy_from_slice(&off.to_le_bytes());
    h[24..32].copy_from_slice(&off.to_le_bytes());
    h[32..40].copy_from_slice(&size.to_le_bytes());
    h[40..48].copy_from_slice(&size.to_le_bytes());
    h[48..56].copy_from_slice(&8u64.to_le_bytes());
    h
}

/// An executable with `.symtab`, `.strtab` and one `.debug_info` of the given sizes; what
/// `strip` removes is exactly `symtab + strtab + debug + 3 * 64 + 28` (three section
/// headers, and the names ".symtab", ".strtab", ".debug_info" with their NULs).
pub fn unstripped(text: usize, symtab: usize, strtab: usize, debug: usize) -> Vec<u8> {
    let mut b = ElfBuilder::new(ET_EXEC);
    b.sections = vec![
        sec(".text", SHT_PROGBITS, SHF_ALLOC | 4, text),
        sec(".symtab", SHT_SYMTAB, 0, symtab),
        sec(".strtab", SHT_STRTAB, 0, strtab),
        sec(".debug_info", SHT_PROGBITS, 0, debug),
    ];
    b.build()
}

pub fn strip_cost(symtab: usize, strtab: usize, debug: usize) -> u64 {
    (symtab + strtab + debug + 3 * 64 + 8 + 8 + 12) as u64
}

/// An unstripped Go-like executable: build info, a pclntab naming `crypto/x509`, symbols
/// and DWARF; `strip` would remove `strip_cost(symtab, strtab, debug)` bytes.
pub fn go_binary(symtab: usize, strtab: usize, debug: usize, ldflags: &str) -> Vec<u8> {
    let modinfo =
        format!("path\texample.com/app\nbuild\t-ldflags=\"{ldflags}\"\nbuild\tCGO_ENABLED=0\n");
    let mut b = ElfBuilder::new(ET_EXEC);
    b.sections = vec![
        sec(".text", SHT_PROGBITS, SHF_ALLOC | 4, 2000),
        Sec {
            name: ".gopclntab".into(),
            kind: SHT_PROGBITS,
            flags: SHF_ALLOC,
            data: b"\0crypto/x509.loadSystemRoots\0".to_vec(),
        },
        Sec {
            name: ".go.buildinfo".into(),
            kind: SHT_PROGBITS,
            flags: SHF_ALLOC | 1,
            data: buildinfo("go1.22.3", &modinfo),
        },
        sec(".symtab", SHT_SYMTAB, 0, symtab),
        sec(".strtab", SHT_STRTAB, 0, strtab),
        sec(".debug_info", SHT_PROGBITS, 0, debug),
    ];
    b.build()
}

/// Compiles C source with gcc into `dir`; None (with a message) when gcc is missing.
pub fn gcc(dir: &Path, name: &str, source: &str, flags: &[&str]) -> Option<PathBuf> {
    let src = dir.join(format!("{name}.c"));
    std::fs::write(&src, source).ok()?;
    let out = dir.join(name);
    let status = Command::new("gcc")
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status();
    match status {
        Ok(s) if s.success() => Some(out),
        Ok(s) => panic!("gcc {flags:?} failed: {s}"),
        Err(_) => {
            crate::support::skip("gcc is not installed");
            None
        }
    }
}

/// Runs `strip` on a copy of `path`; the stripped size, or None when strip is missing.
pub fn stripped_size(path: &Path) -> Option<u64> {
    let copy = path.with_extension("stripped");
    std::fs::copy(path, &copy).ok()?;
    match Command::new("strip").arg(&copy).status() {
        Ok(s) if s.success() => Some(std::fs::metadata(&copy).ok()?.len()),
        _ => {
            crate::support::skip("strip is not installed");
            None
        }
    }
}
