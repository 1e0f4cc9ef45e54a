//! ELF facts gathered during the layer scan, for findings and the rewrite advisor.
//!
//! [`inspect`] runs on every ELF file of every layer, so it reads only headers, the dynamic
//! table and a handful of named sections through `object`'s lazy low-level API (no symbol
//! tables are built), and it treats every offset and length in the file as a lie until
//! checked: a hostile file yields partial facts or `None`, never a panic or a huge allocation.

pub mod auditable;
mod collect;
pub mod gobuild;
mod marks;
mod probes;
mod sample;
mod sections;
mod sparse;
mod wants;

use object::Endianness;
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader};
use probes::Probes;
use sections::Sections;
use sparse::Sparse;

pub use collect::{Collected, Collector};

use crate::image::facts::{ElfInfo, ElfType, Linkage, UpxInfo};

/// Smallest executable whose compressed size is estimated: below this UPX is not worth it
/// and the compression would only slow the scan down.
pub const ZSTD_MIN_BYTES: u64 = 1 << 20;
/// Longest string read from the file (paths, sonames); longer ones are ignored.
const MAX_STR: usize = 4096;
/// Most DT_NEEDED entries kept; a real program has a few dozen.
const MAX_NEEDED: usize = 512;
/// UPX puts its `l_info` right after the program headers.
const UPX_WINDOW: usize = 1024;

/// Inspects a whole ELF file in memory (tests, fuzzing): the same path as a file seen in a
/// layer, fed in one piece. `None` when it is not a readable ELF file.
/// `executable`: the file has an execute bit (only then is the compressed size estimated).
pub fn inspect(data: &[u8], executable: bool) -> Option<ElfInfo> {
    if !data.starts_with(b"\x7fELF") {
        return None;
    }
    let mut c = Collector::new(data.len() as u64, executable);
    c.push(data);
    inspect_collected(c.finish())
}

/// Inspects what a [`Collector`] kept of a file. `None` when it is not a readable ELF file.
pub fn inspect_collected(c: Collected) -> Option<ElfInfo> {
    let data = &c.data;
    let mut info = match data.get(4, 1)? {
        [1] => read::<elf::FileHeader32<Endianness>>(data, &c.probes)?,
        [2] => read::<elf::FileHeader64<Endianness>>(data, &c.probes)?,
        _ => return None,
    };
    // Libraries (even glibc's runnable libc.so.6) name themselves; programs do not.
    let program =
        info.e_type == ElfType::Exec || (info.e_type == ElfType::Dyn && info.soname.is_none());
    if c.executable && program && info.upx.is_none() && data.len() >= ZSTD_MIN_BYTES {
        info.zstd1_bytes = c.zstd1;
    }
    Some(info)
}

fn read<H: FileHeader<Endian = Endianness>>(data: &Sparse, probes: &Probes) -> Option<ElfInfo> {
    let header = H::parse(data).ok()?;
    let endian = header.endian().ok()?;
    let mut info = ElfInfo {
        class: if header.is_class_64() { 64 } else { 32 },
        big_endian: header.is_big_endian(),
        machine: header.e_machine(endian).0,
        e_type: match header.e_type(endian) {
            elf::ET_REL => ElfType::Rel,
            elf::ET_EXEC => ElfType::Exec,
            elf::ET_DYN => ElfType::Dyn,
            elf::ET_CORE => ElfType::Core,
            _ => ElfType::Other,
        },
        ..Default::default()
    };
    let phdrs = header.program_headers(endian, data).unwrap_or_else(|_| {
        info.notes.push("program headers out of bounds".into());
        &[]
    });
    let sections = Sections::read(header, endian, data, &mut info);
    for ph in phdrs {
        if let Ok(Some(path)) = ph.interpreter(endian, data) {
            info.interp = text(path);
        }
    }
    let dynamic = read_dynamic(&sections, phdrs, endian, data, &mut info);
    info.linkage = linkage(&info, dynamic);
    sections.strip_estimate(&mut info);
    // UPX drops the section headers; a "UPX!" early in an ordinary binary is a coincidence.
    if sections.headers.is_empty() {
        info.upx = upx(data, info.big_endian);
    }
    let rodata = sections.range(".rodata").unwrap_or_default();
    // Without section headers Go itself looks in the first writable segment.
    let writable = phdrs
        .iter()
        .filter(|_| sections.headers.is_empty())
        .find(|p| p.p_type(endian) == elf::PT_LOAD && p.p_flags(endian).0 & elf::PF_W.0 != 0)
        .and_then(|p| data.get_prefix(p.p_offset(endian).into(), p.p_filesz(endian).into()));
    let pclntab = sections.range(".gopclntab");
    let has_buildid = sections.has(".note.go.buildid");
    info.go = gobuild::inspect_with(
        sections.data(".go.buildinfo"),
        writable,
        pclntab.is_some() || has_buildid,
        || {
            let pclntab = pclntab.unwrap_or_default();
            // The function-name table when the header says where, else the whole table.
            let header = data.get_prefix(pclntab.start, gobuild::PCLNTAB_HEADER as u64);
            let names = header
                .and_then(gobuild::funcnames)
                .and_then(|r| {
                    let start = pclntab.start.checked_add(r.start as u64)?;
                    let end = pclntab.start.checked_add(r.end as u64)?;
                    (end <= pclntab.end).then_some(start..end)
                })
                .unwrap_or(pclntab);
            gobuild::needs_from(|name| {
                gobuild::NEED_NAMES
                    .iter()
                    .position(|n| *n == name)
                    .is_some_and(|i| probes.found_in(i, &names))
            })
        },
    );
    if info.go.is_none() {
        info.crates = auditable::parse(sections.data(".dep-v0"));
        info.rust = sections.has(".rustc")
            || sections.has(".dep-v0")
            || probes.found_in(probes::RUSTC, &rodata);
        if matches!(info.linkage, Linkage::Static | Linkage::StaticPie) {
            info.nss = probes.found_in(probes::LIBNSS, &rodata);
        }
    }
    Some(info)
}

fn linkage(info: &ElfInfo, dynamic: bool) -> Linkage {
    let program = matches!(info.e_type, ElfType::Exec | ElfType::Dyn);
    if info.interp.is_some() || !info.needed.is_empty() {
        Linkage::Dynamic
    } else if !program {
        Linkage::None
    } else if dynamic && info.e_type == ElfType::Dyn {
        // A library without dependencies (ld.so itself) names itself; a static-pie does not.
        if info.soname.is_some() && !info.pie {
            Linkage::Dynamic
        } else {
            Linkage::StaticPie
        }
    } else {
        Linkage::Static
    }
}

/// Reads DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME and DT_FLAGS_1, and scans the dynamic
/// strings for dlopen and NSS. Returns whether there is a dynamic table at all.
fn read_dynamic<H: FileHeader<Endian = Endianness>>(
    sections: &Sections<'_, H>,
    phdrs: &[H::ProgramHeader],
    endian: Endianness,
    data: &Sparse,
    info: &mut ElfInfo,
) -> bool {
    let Some(dyns) = phdrs
        .iter()
        .find_map(|p| p.dynamic(endian, data).ok().flatten())
    else {
        return false;
    };
    let mut strtab_addr = None;
    let mut strsz = None;
    for d in dyns.iter().take_while(|d| d.d_tag(endian) != elf::DT_NULL) {
        match d.d_tag(endian) {
            elf::DT_STRTAB => strtab_addr = Some(d.d_val(endian).into()),
            elf::DT_STRSZ => strsz = Some(d.d_val(endian).into()),
            _ => {}
        }
    }
    // The section is exact; the loader's view through PT_LOAD serves sstripped files.
    let mut strtab = sections.data(".dynstr");
    if strtab.is_empty() {
        strtab = strtab_addr
            .and_then(|a| file_bytes_at(phdrs, endian, data, a, strsz.unwrap_or(0)))
            .unwrap_or_default();
    }
    let string = |v: u64| -> Option<String> {
        let tail = strtab.get(usize::try_from(v).ok()?..)?;
        let len = memchr::memchr(0, &tail[..tail.len().min(MAX_STR)])?;
        text(&tail[..len])
    };
    for d in dyns.iter().take_while(|d| d.d_tag(endian) != elf::DT_NULL) {
        let v: u64 = d.d_val(endian).into();
        match d.d_tag(endian) {
            elf::DT_NEEDED if info.needed.len() < MAX_NEEDED => info.needed.extend(string(v)),
            elf::DT_RPATH => info.rpath = string(v),
            elf::DT_RUNPATH => info.runpath = string(v),
            elf::DT_SONAME => info.soname = string(v),
            elf::DT_FLAGS_1 => info.pie = v & elf::DF_1_PIE.0 != 0,
            _ => {}
        }
    }
    let has = |name: &[u8]| memchr::memmem::find(strtab, name).is_some();
    info.dlopen = has(b"\0dlopen\0");
    info.nss = [
        &b"\0getaddrinfo\0"[..],
        b"\0gethostbyname\0",
        b"\0getpwnam\0",
        b"\0getpwuid\0",
        b"\0getpwnam_r\0",
        b"\0getpwuid_r\0",
        b"\0getgrnam\0",
        b"\0getgrgid\0",
    ]
    .iter()
    .any(|n| has(n));
    true
}

/// The file bytes backing `size` bytes at virtual address `addr`, through the PT_LOADs.
fn file_bytes_at<'a, P: ProgramHeader<Endian = Endianness>>(
    phdrs: &[P],
    endian: Endianness,
    data: &'a Sparse,
    addr: u64,
    size: u64,
) -> Option<&'a [u8]> {
    let loads: Vec<&P> = phdrs.iter().collect();
    let r = wants::file_offset(&loads, endian, addr, size)?;
    data.get(r.start, r.end - r.start)
}

/// UPX writes `l_info` (checksum, "UPX!", ...) and then `p_info` (progid, filesize,
/// blocksize) near the start; `p_filesize` is the unpacked size.
fn upx(data: &Sparse, big_endian: bool) -> Option<UpxInfo> {
    let window = data.get_prefix(0, UPX_WINDOW as u64)?;
    let at = memchr::memmem::find(window, b"UPX!")?;
    let raw: [u8; 4] = data.get(at as u64 + 12, 4)?.try_into().ok()?;
    let size = u64::from(if big_endian {
        u32::from_be_bytes(raw)
    } else {
        u32::from_le_bytes(raw)
    });
    // A packed file is smaller than the original, and UPX does not reach 20:1 on code.
    let plausible = size > data.len() && size < data.len().saturating_mul(20);
    Some(UpxInfo {
        original_size: plausible.then_some(size),
    })
}

fn text(bytes: &[u8]) -> Option<String> {
    (!bytes.is_empty() && bytes.len() <= MAX_STR)
        .then(|| String::from_utf8_lossy(bytes).into_owned())
}

#[cfg(test)]
#[path = "elf/tests.rs"]
mod tests;
