//! What of an ELF file to keep, learnt from its headers: the program headers, section
//! headers and names, the dynamic table and strings, the few named sections the inspection
//! reads, and the read-only data to search.

use super::sparse::Sparse;
use object::Endianness;
use object::elf;
use object::read::elf::{Dyn, FileHeader, ProgramHeader, SectionHeader};
use std::ops::Range;

/// Kept in front of the section headers, where linkers put the section names.
const NAMES_WINDOW: u64 = 64 << 10;
/// Kept from the start of the first writable segment, where Go puts its build info.
const WRITABLE_WINDOW: u64 = 64 << 10;

#[derive(Default)]
pub(super) struct Wants {
    pub ranges: Vec<Range<u64>>,
    /// Where the code starts: the head is kept up to here.
    pub prefix_end: Option<u64>,
    /// The read-only data, searched for the patterns of [`Probes`].
    pub search: Vec<Range<u64>>,
    /// An executable or a position-independent one: its compressed size may be asked for.
    pub program: bool,
    /// Where the sections that are not loaded start (the end of the last segment).
    pub unloaded_from: u64,
    /// Writable segments (all of the file when there are none), for Go's build info.
    pub writable: Vec<Range<u64>>,
}

fn range(offset: u64, size: u64) -> Range<u64> {
    offset..offset.saturating_add(size)
}

pub(super) fn wants<H: FileHeader<Endian = Endianness>>(data: &Sparse) -> Wants {
    let mut w = Wants::default();
    let Ok(header) = H::parse(data) else {
        return w;
    };
    let Ok(endian) = header.endian() else {
        return w;
    };
    w.program = matches!(header.e_type(endian), elf::ET_EXEC | elf::ET_DYN);
    let phoff: u64 = header.e_phoff(endian).into();
    let phsize = u64::from(header.e_phnum(endian)) * u64::from(header.e_phentsize(endian));
    w.ranges.push(range(phoff, phsize));
    let phdrs = header.program_headers(endian, data).unwrap_or_default();
    program_wants(phdrs, endian, data, &mut w);

    let shoff: u64 = header.e_shoff(endian).into();
    if shoff == 0 {
        return w;
    }
    let entsize = u64::from(header.e_shentsize(endian));
    let count = match header.e_shnum(endian) {
        // Extended numbering: the count is in section 0, asked for first.
        0 => header.shnum(endian, data).map_or(1, u64::from),
        n => u64::from(n),
    };
    w.ranges.push(range(shoff, count.saturating_mul(entsize)));
    w.ranges.push(shoff.saturating_sub(NAMES_WINDOW)..shoff);
    let Ok(headers) = header.section_headers(endian, data) else {
        return w;
    };
    if let Ok(i) = header.shstrndx(endian, data)
        && let Some(s) = headers.get(i as usize)
        && let Some((off, size)) = s.file_range(endian)
    {
        w.ranges.push(range(off, size));
    }
    let Ok(names) = header.section_strings(endian, data, headers) else {
        return w;
    };
    for s in headers {
        let Some((off, size)) = s.file_range(endian) else {
            continue;
        };
        match s.name(endian, names).unwrap_or_default() {
            b".dynstr" | b".go.buildinfo" | b".dep-v0" => w.ranges.push(range(off, size)),
            b".gopclntab" => w
                .ranges
                .push(range(off, size.min(super::gobuild::PCLNTAB_HEADER as u64))),
            _ => {}
        }
    }
    w
}

fn program_wants<P: ProgramHeader<Endian = Endianness>>(
    phdrs: &[P],
    endian: Endianness,
    data: &Sparse,
    w: &mut Wants,
) {
    let loads: Vec<&P> = phdrs
        .iter()
        .filter(|p| p.p_type(endian) == elf::PT_LOAD)
        .collect();
    let flags = |p: &P| p.p_flags(endian).0;
    let file_range = |p: &P| range(p.p_offset(endian).into(), p.p_filesz(endian).into());
    w.unloaded_from = loads.iter().map(|p| file_range(p).end).max().unwrap_or(0);
    w.prefix_end = loads
        .iter()
        .find(|p| flags(p) & elf::PF_X.0 != 0)
        .map(|p| p.p_offset(endian).into());
    if let Some(p) = loads.iter().find(|p| flags(p) & elf::PF_W.0 != 0) {
        let r = file_range(p);
        w.ranges
            .push(r.start..r.end.min(r.start.saturating_add(WRITABLE_WINDOW)));
    }
    w.writable = loads
        .iter()
        .filter(|p| flags(p) & elf::PF_W.0 != 0)
        .map(|p| file_range(p))
        .collect();
    if w.writable.is_empty() {
        w.writable.push(0..u64::MAX);
    }
    // Read-only data; an old layout without a separate code segment keeps it with the code.
    let read_only = |p: &&&P| flags(p) & (elf::PF_W.0 | elf::PF_X.0) == 0;
    let not_writable = |p: &&&P| flags(p) & elf::PF_W.0 == 0;
    w.search = if loads.iter().any(|p| read_only(&p)) {
        loads
            .iter()
            .filter(read_only)
            .map(|p| file_range(p))
            .collect()
    } else if loads.iter().any(|p| not_writable(&p)) {
        loads
            .iter()
            .filter(not_writable)
            .map(|p| file_range(p))
            .collect()
    } else {
        // No segments (object files), or one for everything: all of the file.
        std::iter::once(0..u64::MAX).collect()
    };
    for p in phdrs {
        match p.p_type(endian) {
            elf::PT_DYNAMIC | elf::PT_INTERP => w.ranges.push(file_range(p)),
            _ => {}
        }
        if let Ok(Some(dyns)) = p.dynamic(endian, data) {
            // Files without section headers: the strings the loader uses, by address.
            let mut addr = None;
            let mut size = 0;
            for d in dyns.iter().take_while(|d| d.d_tag(endian) != elf::DT_NULL) {
                match d.d_tag(endian) {
                    elf::DT_STRTAB => addr = Some(d.d_val(endian).into()),
                    elf::DT_STRSZ => size = d.d_val(endian).into(),
                    _ => {}
                }
            }
            if let Some(r) = addr.and_then(|a| file_offset(&loads, endian, a, size)) {
                w.ranges.push(r);
            }
        }
    }
}

/// The file range backing `size` bytes at virtual address `addr`, through the PT_LOADs.
pub(super) fn file_offset<P: ProgramHeader<Endian = Endianness>>(
    loads: &[&P],
    endian: Endianness,
    addr: u64,
    size: u64,
) -> Option<Range<u64>> {
    let ph = loads.iter().find(|p| {
        let start: u64 = p.p_vaddr(endian).into();
        let filesz: u64 = p.p_filesz(endian).into();
        p.p_type(endian) == elf::PT_LOAD
            && addr >= start
            && addr
                .checked_add(size)
                .is_some_and(|end| end <= start.saturating_add(filesz))
    })?;
    let delta = addr - ph.p_vaddr(endian).into();
    let off = ph.p_offset(endian).into().checked_add(delta)?;
    Some(off..off.checked_add(size)?)
}
