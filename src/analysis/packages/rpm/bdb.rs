//! Berkeley DB hash database (`var/lib/rpm/Packages`, rpm < 4.16: RHEL/CentOS 7–8,
//! Amazon Linux 2). Page 0 is the metadata page (magic, page size, last page); every hash
//! page holds key/value item pairs, and each package's value is an off-page item: the header
//! blob lives in a chain of overflow pages.
//!
//! Layouts from Berkeley DB's `dbinc/db_page.h`. The file is untrusted: every page number is
//! checked against the file, a chain may visit a page once only, and a value stops at the
//! length its item declares.

const HASH_MAGIC: u32 = 0x0006_1561;
/// Page header: lsn (8), pgno, prev_pgno, next_pgno (4 each), entries, hf_offset (2 each),
/// level, type (1 each).
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
/// An item whose data is in overflow pages: type (1), unused (3), pgno (4), tlen (4).
const H_OFFPAGE: u8 = 3;

#[derive(Clone, Copy)]
struct Endian {
    little: bool,
}

impl Endian {
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let s = b.get(at..at.checked_add(2)?)?;
        let v = [s[0], s[1]];
        Some(if self.little {
            u16::from_le_bytes(v)
        } else {
            u16::from_be_bytes(v)
        })
    }

    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let s = b.get(at..at.checked_add(4)?)?;
        let v = [s[0], s[1], s[2], s[3]];
        Some(if self.little {
            u32::from_le_bytes(v)
        } else {
            u32::from_be_bytes(v)
        })
    }
}

/// True when the bytes start like a Berkeley DB hash database (either byte order).
pub fn is_bdb_hash(bytes: &[u8]) -> bool {
    bytes
        .get(12..16)
        .is_some_and(|m| m == HASH_MAGIC.to_le_bytes() || m == HASH_MAGIC.to_be_bytes())
}

struct Db<'a> {
    bytes: &'a [u8],
    page_size: usize,
    pages: u32,
    e: Endian,
}

impl<'a> Db<'a> {
    fn page(&self, no: u32) -> Option<&'a [u8]> {
        let start = (no as usize).checked_mul(self.page_size)?;
        self.bytes.get(start..start.checked_add(self.page_size)?)
    }

    /// Follows an overflow chain from `first`, up to `len` bytes.
    fn overflow(&self, first: u32, len: usize) -> Option<Vec<u8>> {
        // A value cannot be longer than the file holds.
        if len > self.bytes.len() {
            return None;
        }
        let mut out = Vec::with_capacity(len);
        let mut no = first;
        let mut steps = 0u32;
        while no != 0 && out.len() < len {
            steps += 1;
            if steps > self.pages {
                return None; // a cycle
            }
            let page = self.page(no)?;
            if page[25] != P_OVERFLOW {
                return None;
            }
            let next = self.e.u32(page, 16)?;
            // On an overflow page `hf_offset` is the number of data bytes it holds.
            let used = usize::from(self.e.u16(page, 22)?);
            let data = page.get(PAGE_HEADER..PAGE_HEADER.checked_add(used)?)?;
            let take = data.len().min(len - out.len());
            out.extend_from_slice(&data[..take]);
            no = next;
        }
        (out.len() == len).then_some(out)
    }

    /// The off-page values of one hash page.
    /// `budget` is what is left of the file's size: every overflow page belongs to one value,
    /// so the values of a sound file add up to less than the file, and a file whose items
    /// all point at one long chain cannot make this quadratic.
    fn values(&self, page: &[u8], out: &mut Vec<Vec<u8>>, bad: &mut usize, budget: &mut usize) {
        let entries = self.e.u16(page, 20).unwrap_or(0) as usize;
        // Items come as key, value pairs: every odd index is a value.
        for i in (1..entries).step_by(2) {
            let Some(at) = self.e.u16(page, PAGE_HEADER + 2 * i) else {
                *bad += 1;
                break;
            };
            let at = usize::from(at);
            if page.get(at) != Some(&H_OFFPAGE) {
                continue;
            }
            let value = self.e.u32(page, at + 4).zip(self.e.u32(page, at + 8));
            let value = value.filter(|&(_, len)| len as usize <= *budget);
            match value.and_then(|(no, len)| self.overflow(no, len as usize)) {
                Some(v) => {
                    *budget -= v.len();
                    out.push(v);
                }
                None => *bad += 1,
            }
        }
    }
}

/// Every package header blob of the database, and how many values could not be read.
pub fn blobs(bytes: &[u8]) -> Result<(Vec<Vec<u8>>, usize), String> {
    let little = bytes
        .get(12..16)
        .is_some_and(|m| m == HASH_MAGIC.to_le_bytes());
    if !is_bdb_hash(bytes) {
        return Err("not a Berkeley DB hash database".into());
    }
    let e = Endian { little };
    let page_size = e.u32(bytes, 20).unwrap_or(0) as usize;
    // Berkeley DB pages are 512 B to 64 KiB, a power of two.
    if !(512..=65_536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("Berkeley DB page size {page_size} is not valid"));
    }
    let last = e.u32(bytes, 32).unwrap_or(0);
    let in_file = (bytes.len() / page_size) as u32;
    let db = Db {
        bytes,
        page_size,
        pages: in_file,
        e,
    };
    let mut out = Vec::new();
    let mut bad = 0;
    let mut budget = bytes.len();
    for no in 1..=last.min(in_file.saturating_sub(1)) {
        let Some(page) = db.page(no) else { break };
        if matches!(page[25], P_HASH | P_HASH_UNSORTED) {
            db.values(page, &mut out, &mut bad, &mut budget);
        }
    }
    Ok((out, bad))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    const PS: usize = 512;

    fn page_header(page: &mut [u8], no: u32, next: u32, entries: u16, hf: u16, kind: u8) {
        page[8..12].copy_from_slice(&no.to_le_bytes());
        page[16..20].copy_from_slice(&next.to_le_bytes());
        page[20..22].copy_from_slice(&entries.to_le_bytes());
        page[22..24].copy_from_slice(&hf.to_le_bytes());
        page[25] = kind;
    }

    /// A database with one hash page holding one value spread over two overflow pages.
    pub(crate) fn database(value: &[u8]) -> Vec<u8> {
        assert!(value.len() <= 2 * (PS - PAGE_HEADER));
        let mut db = vec![0u8; 4 * PS];
        db[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
        db[20..24].copy_from_slice(&(PS as u32).to_le_bytes());
        db[32..36].copy_from_slice(&3u32.to_le_bytes());
        let hash = &mut db[PS..2 * PS];
        page_header(hash, 1, 0, 2, 0, P_HASH);
        let (key_at, val_at) = (400u16, 450u16);
        hash[26..28].copy_from_slice(&key_at.to_le_bytes());
        hash[28..30].copy_from_slice(&val_at.to_le_bytes());
        let v = val_at as usize;
        hash[v] = H_OFFPAGE;
        hash[v + 4..v + 8].copy_from_slice(&2u32.to_le_bytes());
        hash[v + 8..v + 12].copy_from_slice(&(value.len() as u32).to_le_bytes());
        let split = value.len().min(PS - PAGE_HEADER);
        let (a, b) = value.split_at(split);
        let next = if b.is_empty() { 0 } else { 3 };
        for (no, part, next) in [(2u32, a, next), (3, b, 0)] {
            let page = &mut db[no as usize * PS..(no as usize + 1) * PS];
            page_header(page, no, next, 0, part.len() as u16, P_OVERFLOW);
            page[PAGE_HEADER..PAGE_HEADER + part.len()].copy_from_slice(part);
        }
        db
    }

    #[test]
    fn follows_the_overflow_chain() {
        let value: Vec<u8> = (0..700u32).map(|i| i as u8).collect();
        let db = database(&value);
        assert!(is_bdb_hash(&db));
        assert_eq!(blobs(&db), Ok((vec![value], 0)));
    }

    #[test]
    fn a_cycle_or_a_lie_ends_the_value() {
        let value = vec![9u8; 700];
        let mut db = database(&value);
        // Page 3 points back at page 2.
        db[3 * PS + 16..3 * PS + 20].copy_from_slice(&2u32.to_le_bytes());
        // The item claims more bytes than the chain holds.
        let v = PS + 450;
        db[v + 8..v + 12].copy_from_slice(&100_000u32.to_le_bytes());
        assert_eq!(blobs(&db), Ok((vec![], 1)));
        for i in 0..db.len() {
            let mut c = db.clone();
            c[i] ^= 0xa5;
            let _ = blobs(&c);
        }
        for cut in (0..db.len()).step_by(7) {
            let _ = blobs(&db[..cut]);
        }
    }
}
