//! The section header table: names, named sections' bytes, and what `strip` would remove.

use super::sparse::Sparse;
use super::{ElfInfo, ElfType};
use object::Endianness;
use object::elf;
use object::read::elf::{FileHeader, SectionHeader};

/// The section headers with their names, when the file has readable ones.
pub(super) struct Sections<'a, H: FileHeader> {
    pub headers: &'a [H::SectionHeader],
    names: Vec<&'a [u8]>,
    endian: Endianness,
    data: &'a Sparse,
    entsize: u64,
}

impl<'a, H: FileHeader<Endian = Endianness>> Sections<'a, H> {
    pub fn read(header: &'a H, endian: Endianness, data: &'a Sparse, info: &mut ElfInfo) -> Self {
        let headers = header.section_headers(endian, data).unwrap_or_else(|_| {
            info.notes.push("section headers out of bounds".into());
            &[]
        });
        let strings = header
            .section_strings(endian, data, headers)
            .unwrap_or_default();
        let names = headers
            .iter()
            .map(|s| s.name(endian, strings).unwrap_or_default())
            .collect();
        Sections {
            headers,
            names,
            endian,
            data,
            entsize: u64::from(header.e_shentsize(endian)),
        }
    }

    fn find(&self, name: &str) -> Option<&'a H::SectionHeader> {
        let i = self.names.iter().position(|n| *n == name.as_bytes())?;
        self.headers.get(i)
    }

    pub fn has(&self, name: &str) -> bool {
        self.find(name).is_some()
    }

    /// A section's bytes; empty when missing, NOBITS or out of bounds.
    pub fn data(&self, name: &str) -> &'a [u8] {
        self.find(name)
            .and_then(|s| s.data(self.endian, self.data).ok())
            .unwrap_or_default()
    }

    /// A section's file range; None when missing, NOBITS, empty or past the end of the file.
    pub fn range(&self, name: &str) -> Option<std::ops::Range<u64>> {
        let s = self.find(name)?;
        let (off, size) = s.file_range(self.endian)?;
        let end = off.checked_add(size)?;
        (size > 0 && end <= self.data.len()).then_some(off..end)
    }

    /// Sets `has_symtab`, `has_debug` and `strip_bytes`.
    pub fn strip_estimate(&self, info: &mut ElfInfo) {
        let e = self.endian;
        let symbols_too = info.e_type != ElfType::Rel;
        let mut ranges: Vec<(u64, u64)> = Vec::new();
        let mut removed_names: Vec<(u32, usize)> = Vec::new();
        let mut kept_name_ends: Vec<u64> = Vec::new();
        for (s, name) in self.headers.iter().zip(&self.names) {
            let kind = s.sh_type(e);
            let alloc = s.sh_flags(e).0 & elf::SHF_ALLOC.0 != 0;
            let debug = name.starts_with(b".debug_") || name.starts_with(b".zdebug_");
            let symtab = kind == elf::SHT_SYMTAB;
            info.has_symtab |= symtab;
            let removable = !alloc
                && kind != elf::SHT_NOBITS
                && (debug || (symbols_too && (symtab || *name == b".strtab")));
            let end = u64::from(s.sh_name(e)) + name.len() as u64;
            if !removable {
                kept_name_ends.push(end);
                continue;
            }
            let (off, size) = s.file_range(e).unwrap_or_default();
            let Some(stop) = off.checked_add(size).filter(|&x| x <= self.data.len()) else {
                continue;
            };
            info.has_debug |= debug && size > 0;
            ranges.push((off, stop));
            removed_names.push((s.sh_name(e), name.len()));
        }
        // A removed name shares its bytes when it is the tail of a kept one (".strtab" in
        // ".shstrtab"): both then end at the same offset.
        kept_name_ends.sort_unstable();
        let name_bytes: u64 = removed_names
            .iter()
            .filter(|(at, len)| {
                kept_name_ends
                    .binary_search(&(u64::from(*at) + *len as u64))
                    .is_err()
            })
            .map(|(_, len)| *len as u64 + 1)
            .fold(0, u64::saturating_add);
        let headers = removed_names.len() as u64 * self.entsize;
        let total = union_len(&mut ranges) + headers + name_bytes;
        info.strip_bytes = total.min(self.data.len());
    }
}

/// Total length covered by half-open ranges, each byte once.
fn union_len(ranges: &mut [(u64, u64)]) -> u64 {
    ranges.sort_unstable();
    let mut total = 0;
    let mut covered_to = 0;
    for &(start, end) in ranges.iter() {
        let start = start.max(covered_to);
        if end > start {
            total += end - start;
            covered_to = end;
        }
    }
    total
}
