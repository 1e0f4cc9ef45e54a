//! rpm ≥ 4.16's SQLite database (`rpmdb.sqlite`): table `Packages(hnum, blob)`, one header
//! blob per row. Read through SQLite itself (rusqlite's bundled build), from a copy of the
//! captured bytes deserialized into an in-memory database: no temporary file.

use rusqlite::{Connection, MAIN_DB, OpenFlags};

/// SQLite's file header (the first 16 bytes of every database).
pub const MAGIC: &[u8] = b"SQLite format 3\0";

/// The header blobs of every row of `Packages`, in `hnum` order.
pub fn blobs(bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    if !bytes.starts_with(MAGIC) {
        return Err("not an SQLite database".into());
    }
    let mut copy = bytes.to_vec();
    // A database in WAL mode (bytes 18-19 = 2) cannot be opened in memory; rollback
    // journal mode (1) reads the same pages. rpm checkpoints its WAL on close.
    if let Some(v) = copy.get_mut(18..20) {
        v.copy_from_slice(&[1, 1]);
    }
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let len = copy.len();
    conn.deserialize_read_exact(MAIN_DB, &copy[..], len, true)
        .map_err(|e| e.to_string())?;
    drop(copy);
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(|e| e.to_string())?;
    let rows = stmt
        .query_map([], |row| row.get::<_, Vec<u8>>(0))
        .map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for row in rows {
        // A row SQLite cannot read (a corrupt page) ends the read; what came before stands.
        match row {
            Ok(b) => out.push(b),
            Err(e) if out.is_empty() => return Err(e.to_string()),
            Err(_) => break,
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An in-memory database cannot fail to be written; were it to, the empty bytes fail
    /// the test that reads them.
    pub(crate) fn database(rows: &[Vec<u8>]) -> Vec<u8> {
        let build = || -> rusqlite::Result<Vec<u8>> {
            let mut conn = Connection::open_in_memory()?;
            conn.execute_batch(
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
            )?;
            for r in rows {
                conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [r])?;
            }
            Ok(conn.serialize(MAIN_DB)?.to_vec())
        };
        build().unwrap_or_default()
    }

    #[test]
    fn reads_rows_from_bytes() {
        let db = database(&[b"one".to_vec(), b"two".to_vec()]);
        assert_eq!(blobs(&db), Ok(vec![b"one".to_vec(), b"two".to_vec()]));
    }

    #[test]
    fn refuses_what_is_not_a_database() {
        let e = blobs(b"").unwrap_err().to_string();
        assert!(e.contains("not an SQLite database"), "{e}");
        let e = blobs(b"SQLite format 3\0garbage").unwrap_err().to_string();
        assert!(e.contains("not a database"), "{e}");
        let db = database(&[vec![7; 5000], vec![8; 5000]]);
        for cut in [100, 1024, 4096, db.len() - 1] {
            let _ = blobs(&db[..cut]);
        }
        let mut flipped = db.clone();
        for i in (100..flipped.len()).step_by(97) {
            flipped[i] ^= 0x5a;
        }
        let _ = blobs(&flipped);
    }
}
