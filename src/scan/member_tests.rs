use super::*;
use crate::scan::limits::{Fence, Fenced};

type TestResult = Result<(), Box<dyn std::error::Error>>;

/// What a reader reports of each member: the fields the walk reads.
#[derive(Debug, PartialEq)]
struct Seen {
    path: Vec<u8>,
    link: Option<Vec<u8>>,
    kind: u8,
    size: u64,
    mode: Option<u32>,
    uid: Option<u64>,
    data: Vec<u8>,
}

fn seen(te: &mut dyn Member) -> io::Result<Seen> {
    let mut data = Vec::new();
    te.read_to_end(&mut data)?;
    Ok(Seen {
        path: te.path_bytes().into_owned(),
        link: te.link_name_bytes().map(Cow::into_owned),
        kind: te.header().entry_type().as_byte(),
        size: te.size(),
        mode: te.header().mode().ok(),
        uid: te.header().uid().ok(),
        data,
    })
}

fn by_hand(tar: &[u8]) -> Result<Vec<Seen>, ScanError> {
    let mut out = Vec::new();
    for_each(tar, None, &mut |te, _| {
        out.push(seen(te)?);
        Ok(())
    })?;
    Ok(out)
}

fn by_the_crate(tar: &[u8]) -> io::Result<Vec<Seen>> {
    let mut archive = tar::Archive::new(tar);
    let mut out = Vec::new();
    for te in archive.entries()? {
        out.push(seen(&mut te?)?);
    }
    Ok(out)
}

fn header(kind: tar::EntryType, size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(0o640);
    h.set_uid(1000);
    h
}

/// Plain members, long names and links (GNU `L`/`K`), PAX records, ustar prefixes, an old
/// GNU sparse file and odd padding: every member as the tar crate reports it.
fn varied() -> io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    b.append_data(
        &mut header(tar::EntryType::Directory, 0),
        "etc/",
        io::empty(),
    )?;
    b.append_data(
        &mut header(tar::EntryType::Regular, 5),
        "etc/a",
        &b"hello"[..],
    )?;
    let long = format!("usr/{}/file", "d".repeat(150));
    b.append_data(&mut header(tar::EntryType::Regular, 3), &long, &b"abc"[..])?;
    let mut link = header(tar::EntryType::Symlink, 0);
    b.append_link(&mut link, "etc/l", "x".repeat(120))?;
    let mut hard = header(tar::EntryType::Link, 0);
    b.append_link(&mut hard, "etc/h", "etc/a")?;
    b.append_pax_extensions([("path", &b"pax/named"[..]), ("uid", b"77")])?;
    b.append_data(&mut header(tar::EntryType::Regular, 2), "decoy", &b"hi"[..])?;
    let mut ustar = tar::Header::new_ustar();
    ustar.set_entry_type(tar::EntryType::Regular);
    ustar.set_size(1000);
    ustar.set_mode(0o755);
    ustar.set_path(format!("{}/bin", "p".repeat(120)))?;
    ustar.set_cksum();
    b.append(&ustar, &vec![9u8; 1000][..])?;
    b.append_data(
        &mut header(tar::EntryType::Regular, 0),
        "empty",
        io::empty(),
    )?;
    let mut out = b.into_inner()?;
    // An old GNU sparse file before the end: 512 bytes stored at offset 1024 of 2048.
    let mut s = tar::Header::new_gnu();
    s.set_path("sparse")?;
    s.set_entry_type(tar::EntryType::GNUSparse);
    s.set_size(512);
    if let Some(g) = s.as_gnu_mut() {
        g.sparse[0].offset = *b"00000002000\0";
        g.sparse[0].numbytes = *b"00000001000\0";
        g.sparse[1].offset = *b"00000004000\0";
        g.sparse[1].numbytes = *b"00000000000\0";
        g.realsize = *b"00000004000\0";
    }
    s.set_cksum();
    let end = out.len() - 1024;
    out.truncate(end);
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(&[7u8; 512]);
    out.extend_from_slice(&[0u8; 1024]);
    Ok(out)
}

#[test]
fn every_member_reads_as_the_tar_crate_reads_it() -> TestResult {
    let tar = varied()?;
    let hand = by_hand(&tar)?;
    assert_eq!(hand, by_the_crate(&tar)?);
    let paths: Vec<_> = hand
        .iter()
        .map(|s| String::from_utf8_lossy(&s.path))
        .collect();
    assert_eq!(paths.len(), 9, "{paths:?}");
    assert_eq!(paths[5], "pax/named");
    assert_eq!(hand[5].uid, Some(77));
    assert_eq!(hand[8].size, 2048);
    Ok(())
}

#[test]
fn the_walk_stops_at_a_zero_block_and_at_the_end() -> TestResult {
    let tar = varied()?;
    let first = 512 + 512 + 512; // the directory, then etc/a with its one data block
    let mut cut = tar[..first].to_vec();
    assert_eq!(by_hand(&cut)?.len(), 2);
    cut.extend_from_slice(&[0u8; 512]);
    cut.extend_from_slice(&tar[first..]);
    assert_eq!(by_hand(&cut)?.len(), 2, "nothing after a zero block");
    assert!(by_hand(&[])?.is_empty());
    Ok(())
}

#[test]
fn broken_headers_fail_as_the_tar_crate_fails() -> TestResult {
    let tar = varied()?;
    let crate_error = |t: &[u8]| match by_the_crate(t) {
        Err(e) => e.to_string(),
        Ok(_) => "no error".into(),
    };
    let hand_error = |t: &[u8]| match by_hand(t) {
        Err(ScanError::Io(e)) => e.to_string(),
        Err(e) => format!("not an I/O error: {e}"),
        Ok(_) => "no error".into(),
    };
    let mut bad_sum = tar.clone();
    bad_sum[512] ^= 1;
    // etc/a's size field, its checksum made right again.
    let with_size = |field: &[u8]| {
        let mut t = tar.clone();
        t[512 + 124..512 + 136].copy_from_slice(field);
        let mut h = tar::Header::from_byte_slice(&t[512..1024]).clone();
        h.set_cksum();
        t[512..1024].copy_from_slice(h.as_bytes());
        t
    };
    let bad_size = with_size(b"0000000x000\0");
    let huge = with_size(&[
        0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
    for (what, t) in [
        ("checksum", &bad_sum[..]),
        ("size", &bad_size[..]),
        ("overflow", &huge[..]),
        ("short header", &tar[..700]),
    ] {
        let e = hand_error(t);
        let expected = match what {
            "checksum" => "checksum mismatch",
            "size" => "not a number",
            "overflow" => "size overflow",
            _ => "entire block",
        };
        assert!(e.contains(expected), "{what}: {e}");
        assert_eq!(e, crate_error(t), "{what}");
    }
    Ok(())
}

#[test]
fn numeric_fields_read_in_place_only_when_plain() {
    assert_eq!(number(b"0000644\0"), Some(0o644));
    assert_eq!(number(b"   644 \0"), Some(0o644));
    assert_eq!(number(b"00000001750\0"), Some(1000));
    for odd in [
        &b"\0\0\0\0"[..],
        b"    ",
        b"+644",
        b"0009",
        b"\x80\0\0\0\0\0\0\x01",
    ] {
        assert_eq!(number(odd), None, "{odd:?}");
    }
}

/// The one-pass reading is the earlier one (the field to its first NUL, trimmed of ASCII
/// whitespace, 1 to 21 octal digits), on every field of up to four bytes from an alphabet
/// of the interesting ones, and on long ones.
#[test]
fn numeric_fields_read_as_the_trimmed_digits_rule_says() {
    fn by_the_rule(field: &[u8]) -> Option<u64> {
        let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
        let digits = field[..end].trim_ascii();
        if digits.is_empty() || digits.len() > 21 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        if digits.iter().any(|&b| b > b'7') {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0, |n, &b| (n << 3) | u64::from(b - b'0')),
        )
    }
    let alphabet = [b'0', b'7', b'8', b' ', b'\t', b'\n', 0, b'x', 0x80];
    let mut field = Vec::new();
    for len in 0..=4u32 {
        for mut i in 0..alphabet.len().pow(len) {
            field.clear();
            for _ in 0..len {
                field.push(alphabet[i % alphabet.len()]);
                i /= alphabet.len();
            }
            assert_eq!(number(&field), by_the_rule(&field), "{field:?}");
        }
    }
    for long in [
        &b"777777777777777777777"[..],
        b"7777777777777777777777",
        b" 12345670123456701234 \0x",
    ] {
        assert_eq!(number(long), by_the_rule(long), "{long:?}");
    }
}

/// Both readers up to their first error: the members read, then the error, if any. The
/// crate reads as the walk read it before: seeking over a fenced stream.
fn both(tar: &[u8]) -> [(Vec<Seen>, Option<String>); 2] {
    let mut hand = Vec::new();
    let err = for_each(tar, None, &mut |te, _| {
        hand.push(seen(te)?);
        Ok(())
    })
    .err()
    .map(|e| match e {
        ScanError::Io(e) => e.to_string(),
        e => format!("not an I/O error: {e}"),
    });
    let fence = Fence::default();
    let mut archive = tar::Archive::new(Fenced::new(tar, &fence));
    let mut by_crate = Vec::new();
    let crate_err = (|| -> io::Result<()> {
        for te in archive.entries_with_seek()? {
            let mut te = te?;
            let stored = stored_size(&mut te);
            fence.allow_until(te.raw_file_position().saturating_add(stored));
            by_crate.push(seen(&mut te)?);
        }
        Ok(())
    })()
    .err()
    .map(|e| e.to_string());
    [(hand, err), (by_crate, crate_err)]
}

/// Bytes flipped at random in the headers and records of the varied archive: both readers
/// read the same members and stop with the same error.
#[test]
fn damaged_archives_read_as_the_tar_crate_reads_them() -> TestResult {
    let tar = varied()?;
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..3000 {
        let mut t = tar.clone();
        for _ in 0..1 + next() % 3 {
            let at = (next() % t.len() as u64) as usize;
            t[at] = match next() % 4 {
                0 => 0,
                1 => b'0' + (next() % 10) as u8,
                2 => b' ',
                _ => next() as u8,
            };
        }
        // Checksums made right again on a third of the rounds, so the fields are read.
        if round % 3 == 0 {
            for block in t.chunks_exact_mut(512) {
                let h = tar::Header::from_byte_slice(block);
                if h.cksum().is_ok() && block.iter().any(|&b| b != 0) {
                    let mut h = h.clone();
                    h.set_cksum();
                    block.copy_from_slice(h.as_bytes());
                }
            }
        }
        let [hand, by_crate] = both(&t);
        assert_eq!(hand, by_crate, "round {round}");
    }
    Ok(())
}
