//! Fixtures for rpm tests: header blobs laid out as rpm writes them, and an SQLite
//! database (rpm >= 4.16's format) holding them.

use rusqlite::Connection;

/// An rpm header blob: name, version, release, arch, size and files (dir, base, mode).
pub fn header(name: &str, version: &str, size: u32, files: &[(&str, &str, u16)]) -> Vec<u8> {
    let mut entries: Vec<(u32, u32, u32, Vec<u8>)> = Vec::new();
    let s = |v: &str| [v.as_bytes(), b"\0"].concat();
    for (tag, v) in [
        (1000, name),
        (1001, version),
        (1002, "1.el9"),
        (1022, "x86_64"),
    ] {
        entries.push((tag, 6, 1, s(v)));
    }
    entries.push((1009, 4, 1, size.to_be_bytes().to_vec()));
    let mut dirs: Vec<&str> = Vec::new();
    let mut idx = Vec::new();
    for f in files {
        if !dirs.contains(&f.0) {
            dirs.push(f.0);
        }
        idx.extend((dirs.iter().position(|d| *d == f.0).unwrap() as u32).to_be_bytes());
    }
    let n = files.len() as u32;
    entries.push((
        1030,
        3,
        n,
        files.iter().flat_map(|f| f.2.to_be_bytes()).collect(),
    ));
    entries.push((1116, 4, n, idx));
    entries.push((1117, 8, n, files.iter().flat_map(|f| s(f.1)).collect()));
    entries.push((
        1118,
        8,
        dirs.len() as u32,
        dirs.iter().flat_map(|d| s(d)).collect(),
    ));
    let (mut index, mut data) = (Vec::new(), Vec::new());
    for (tag, kind, count, bytes) in entries {
        let align = match kind {
            3 => 2,
            4 => 4,
            _ => 1,
        };
        while data.len() % align != 0 {
            data.push(0);
        }
        for v in [tag, kind, data.len() as u32, count] {
            index.extend(v.to_be_bytes());
        }
        data.extend(bytes);
    }
    let mut out = ((index.len() / 16) as u32).to_be_bytes().to_vec();
    out.extend((data.len() as u32).to_be_bytes());
    out.extend(index);
    out.extend(data);
    out
}

pub fn rpmdb(headers: &[Vec<u8>]) -> Vec<u8> {
    let mut conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob BLOB NOT NULL)")
        .unwrap();
    for h in headers {
        conn.execute("INSERT INTO Packages (blob) VALUES (?1)", [h])
            .unwrap();
    }
    conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec()
}
