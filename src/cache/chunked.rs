//! A postcard flavor that gathers the encoding in a 64 KiB buffer and hands it to a writer
//! a chunk at a time.
//!
//! `postcard::to_io` makes one `write_all` per field (every varint, every string), each
//! through a `BufWriter`'s bounds check and copy: on the 90k-file chmod copy that was 95 M
//! instructions of the scan cache writes' 430 M. Here a field is a push onto a `Vec` whose
//! capacity is reserved up front, and the writer sees 64 KiB at a time.

use std::io::Write;

const CHUNK: usize = 1 << 16;

/// The flavor: `buf` holds what the writer has not seen yet; `written` counts every byte.
pub(super) struct Chunked<W: Write> {
    buf: Vec<u8>,
    out: W,
    written: u64,
}

impl<W: Write> Chunked<W> {
    pub(super) fn new(out: W) -> Self {
        Chunked {
            buf: Vec::with_capacity(CHUNK),
            out,
            written: 0,
        }
    }

    fn spill(&mut self) -> postcard::Result<()> {
        self.written += self.buf.len() as u64;
        let sent = self.out.write_all(&self.buf);
        self.buf.clear();
        // postcard's errors carry no cause; the caller only needs to know it failed.
        sent.map_err(|_| postcard::Error::SerializeBufferFull)
    }
}

impl<W: Write> postcard::ser_flavors::Flavor for Chunked<W> {
    /// The writer and the number of bytes the value took.
    type Output = (W, u64);

    #[inline]
    fn try_push(&mut self, data: u8) -> postcard::Result<()> {
        self.buf.push(data);
        if self.buf.len() >= CHUNK {
            self.spill()?;
        }
        Ok(())
    }

    #[inline]
    fn try_extend(&mut self, data: &[u8]) -> postcard::Result<()> {
        if data.len() >= CHUNK {
            // A captured file of its own size goes to the writer as it is, not through
            // a buffer grown to hold it.
            self.spill()?;
            self.written += data.len() as u64;
            return self
                .out
                .write_all(data)
                .map_err(|_| postcard::Error::SerializeBufferFull);
        }
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.spill()?;
        }
        Ok(())
    }

    fn finalize(mut self) -> postcard::Result<Self::Output> {
        self.spill()?;
        self.out
            .flush()
            .map_err(|_| postcard::Error::SerializeBufferFull)?;
        Ok((self.out, self.written))
    }
}

/// `value` in postcard written to `out`; the writer back and the number of bytes.
pub(super) fn to_writer<T: serde::Serialize + ?Sized, W: Write>(
    value: &T,
    out: W,
) -> Option<(W, u64)> {
    postcard::serialize_with_flavor(value, Chunked::new(out)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io;

    #[test]
    fn writes_what_to_io_writes_across_chunks() -> Result<(), Box<dyn std::error::Error>> {
        // Long enough that the value spans several chunks and a string straddles a border.
        let mut value: Vec<(u64, String, Vec<u8>)> = (0..20_000u64)
            .map(|i| {
                (
                    i * 7919,
                    format!("path/{i}"),
                    vec![i as u8; (i % 9) as usize],
                )
            })
            .collect();
        // A file bigger than a chunk, written past the buffer.
        value.insert(7, (1, "big".into(), vec![3; 3 * CHUNK]));
        let (out, n) = to_writer(&value, Vec::new()).ok_or("encodes")?;
        let want = postcard::to_stdvec(&value)?;
        assert!(want.len() > 3 * CHUNK);
        assert_eq!(n, want.len() as u64);
        assert_eq!(out, want);
        Ok(())
    }

    #[test]
    fn a_failing_writer_fails_the_encoding() {
        struct Full;
        impl Write for Full {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        assert!(to_writer(&vec![0u8; 10], Full).is_none());
        assert!(to_writer(&vec![7u64; 3 * CHUNK], Full).is_none());
    }
}
