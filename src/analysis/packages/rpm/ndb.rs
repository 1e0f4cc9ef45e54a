//! rpm's own "ndb" package database (`usr/lib/sysimage/rpm/Packages.db`, SUSE). Layout from
//! rpm's `lib/backend/ndb/rpmpkg.c`, all little-endian: a 32-byte header (`RpmP` magic,
//! version 0, generation, number of slot pages), then slot pages of 16-byte slots (`Slot`
//! magic, package index, block offset, block count), and each package a blob at
//! `block offset × 16`: a 16-byte head (`BlbS` magic, package index, timestamp, length)
//! followed by the header blob.
//!
//! The file is untrusted: every slot and blob is checked to lie within it, and a slot that
//! does not lead to a blob of its own package is counted, not followed.

const MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const PAGE: usize = 4096;
const SLOT: usize = 16;
const BLOCK: usize = 16;
const HEADER: usize = 32;
/// rpm refuses more slot pages than this (`rpmpkgReadSlots`).
const MAX_SLOT_PAGES: usize = 2048;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// True when the bytes start like an ndb package database.
pub fn is_ndb(bytes: &[u8]) -> bool {
    le32(bytes, 0) == Some(MAGIC)
}

/// Every package header blob, and how many slots led nowhere.
pub fn blobs(bytes: &[u8]) -> Result<(Vec<Vec<u8>>, usize), String> {
    if !is_ndb(bytes) {
        return Err("not an rpm ndb database".into());
    }
    if le32(bytes, 4) != Some(0) {
        return Err("rpm ndb database of an unknown version".into());
    }
    let pages = le32(bytes, 12).unwrap_or(0) as usize;
    if pages == 0 || pages > MAX_SLOT_PAGES {
        return Err(format!("rpm ndb database with {pages} slot pages"));
    }
    let end = (pages * PAGE).min(bytes.len());
    let mut out = Vec::new();
    let mut bad = 0;
    for at in (HEADER..end).step_by(SLOT) {
        let (Some(magic), Some(idx), Some(off)) =
            (le32(bytes, at), le32(bytes, at + 4), le32(bytes, at + 8))
        else {
            break;
        };
        if magic != SLOT_MAGIC {
            bad += 1;
            continue;
        }
        if idx == 0 {
            continue; // a free slot
        }
        match blob(bytes, idx, off) {
            Some(b) => out.push(b.to_vec()),
            None => bad += 1,
        }
    }
    Ok((out, bad))
}

/// The header blob a slot points at, when its head names the same package.
fn blob(bytes: &[u8], idx: u32, block: u32) -> Option<&[u8]> {
    let at = (block as usize).checked_mul(BLOCK)?;
    if le32(bytes, at)? != BLOB_MAGIC || le32(bytes, at + 4)? != idx {
        return None;
    }
    let len = le32(bytes, at + 12)? as usize;
    let start = at.checked_add(16)?;
    bytes.get(start..start.checked_add(len)?)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn database(values: &[&[u8]]) -> Vec<u8> {
        let mut db = vec![0u8; PAGE];
        db[0..4].copy_from_slice(b"RpmP");
        db[12..16].copy_from_slice(&1u32.to_le_bytes());
        for (i, v) in values.iter().enumerate() {
            let block = db.len() / BLOCK;
            let idx = i as u32 + 1;
            let slot = HEADER + i * SLOT;
            db[slot..slot + 4].copy_from_slice(b"Slot");
            db[slot + 4..slot + 8].copy_from_slice(&idx.to_le_bytes());
            db[slot + 8..slot + 12].copy_from_slice(&(block as u32).to_le_bytes());
            db.extend_from_slice(b"BlbS");
            db.extend_from_slice(&idx.to_le_bytes());
            db.extend_from_slice(&0u32.to_le_bytes());
            db.extend_from_slice(&(v.len() as u32).to_le_bytes());
            db.extend_from_slice(v);
            db.resize((db.len() + 12).div_ceil(BLOCK) * BLOCK, 0); // the tail, padded
        }
        // Free slots keep their magic.
        for slot in (HEADER + values.len() * SLOT..PAGE).step_by(SLOT) {
            db[slot..slot + 4].copy_from_slice(b"Slot");
        }
        db
    }

    #[test]
    fn reads_each_slots_blob() {
        let db = database(&[b"first", b"second blob"]);
        assert!(is_ndb(&db));
        assert_eq!(
            blobs(&db),
            Ok((vec![b"first".to_vec(), b"second blob".to_vec()], 0))
        );
    }

    #[test]
    fn a_slot_pointing_elsewhere_is_counted() {
        let mut db = database(&[b"first", b"second"]);
        // The second slot points at the first blob (whose head names package 1).
        let Some(first_block) = le32(&db, HEADER + 8) else {
            panic!("the fixture's first slot has no block");
        };
        db[HEADER + SLOT + 8..HEADER + SLOT + 12].copy_from_slice(&first_block.to_le_bytes());
        assert_eq!(blobs(&db), Ok((vec![b"first".to_vec()], 1)));
        for i in 0..db.len().min(PAGE + 200) {
            let mut c = db.clone();
            c[i] ^= 0x77;
            let _ = blobs(&c);
        }
        for cut in (0..db.len()).step_by(5) {
            let _ = blobs(&db[..cut]);
        }
    }
}
