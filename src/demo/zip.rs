//! A small zip writer for test and demo archives (jars): stored or deflated entries, local
//! headers (deflated ones with a data descriptor, as `jar` writes them), and the central
//! directory other readers (syft, `unzip`) go by.

use std::io::Write;

/// One entry: name, content, stored (else deflated).
pub type ZipEntry<'a> = (&'a str, &'a [u8], bool);

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// The archive's bytes. Panics only on entries over 4 GiB (not zip64).
pub fn zip(entries: &[ZipEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, content, stored) in entries {
        let mut crc = flate2::Crc::new();
        crc.update(content);
        let crc = crc.sum();
        let data = if *stored {
            content.to_vec()
        } else {
            let mut z = flate2::write::DeflateEncoder::new(Vec::new(), Default::default());
            let _ = z.write_all(content);
            z.finish().unwrap_or_default()
        };
        let offset = out.len() as u32;
        let (flags, method): (u16, u16) = if *stored { (0, 0) } else { (8, 8) };
        let local_size = |v: u32| if *stored { v } else { 0 };
        out.extend_from_slice(b"PK\x03\x04");
        u16le(&mut out, 20);
        u16le(&mut out, flags);
        u16le(&mut out, method);
        u32le(&mut out, 0x5821_0000); // 1:00 on 1 Jan 2024, DOS format
        u32le(&mut out, local_size(crc));
        u32le(&mut out, local_size(data.len() as u32));
        u32le(&mut out, local_size(content.len() as u32));
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&data);
        if !*stored {
            out.extend_from_slice(b"PK\x07\x08");
            u32le(&mut out, crc);
            u32le(&mut out, data.len() as u32);
            u32le(&mut out, content.len() as u32);
        }
        central.extend_from_slice(b"PK\x01\x02");
        u16le(&mut central, 20);
        u16le(&mut central, 20);
        u16le(&mut central, flags);
        u16le(&mut central, method);
        u32le(&mut central, 0x5821_0000);
        u32le(&mut central, crc);
        u32le(&mut central, data.len() as u32);
        u32le(&mut central, content.len() as u32);
        u16le(&mut central, name.len() as u16);
        central.extend_from_slice(&[0; 12]); // extra, comment, disk, attributes
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    u32le(&mut out, 0);
    u16le(&mut out, entries.len() as u16);
    u16le(&mut out, entries.len() as u16);
    u32le(&mut out, central.len() as u32);
    u32le(&mut out, at);
    u16le(&mut out, 0);
    out
}
