//! Decompression beside the tar walk: one layer's work split over two threads.
//!
//! A big layer is the critical path of a cold load: reading, hashing the compressed bytes
//! and inflating take about as long as hashing the tar stream and walking it. On one
//! thread they add up; here the producer (read, blob digest, inflate) runs on its own
//! scoped thread and hands inflated bytes to the walker in chunks over a bounded channel,
//! so the two halves overlap and a layer costs the longer half, not the sum. Memory stays
//! bounded: at most [`DEPTH`] chunks of [`CHUNK`] bytes are in flight, and drained chunks
//! go back to the producer to be refilled rather than freed.

use super::decompress::Decoder;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Bytes per chunk: large enough that channel traffic is noise next to inflating it.
const CHUNK: usize = 256 * 1024;
/// Chunks queued between the threads.
const DEPTH: usize = 8;

/// Inflates `decoder` on a helper thread while `consume` reads the inflated stream on this
/// one. Returns what `consume` returned, and the decoder's source once the compressed
/// stream was read to its end (so its digest covers the whole blob).
pub fn inflate_beside<R, T>(
    decoder: Decoder<R>,
    consume: impl FnOnce(&mut dyn Read) -> T,
) -> (T, io::Result<R>)
where
    R: Read + Send,
{
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<io::Result<Vec<u8>>>(DEPTH);
        let (free_tx, free_rx) = channel::<Vec<u8>>();
        let producer = std::thread::Builder::new()
            .name("microscope-inflate".into())
            .spawn_scoped(s, move || produce(decoder, &tx, &free_rx));
        let producer = match producer {
            Ok(p) => p,
            Err(e) => {
                let mut nothing = io::empty();
                let out = consume(&mut nothing);
                return (
                    out,
                    Err(io::Error::other(format!(
                        "cannot start a decompression thread: {e}"
                    ))),
                );
            }
        };
        let mut reader = ChunkReader {
            rx,
            free: free_tx,
            chunk: Vec::new(),
            pos: 0,
        };
        let out = consume(&mut reader);
        // Hanging up tells a producer the walk stopped early (an error, a cancel).
        drop(reader);
        let raw = producer.join().unwrap_or_else(|_| {
            Err(io::Error::other(
                "the decompression thread stopped unexpectedly",
            ))
        });
        (out, raw)
    })
}

fn produce<R: Read>(
    mut decoder: Decoder<R>,
    tx: &SyncSender<io::Result<Vec<u8>>>,
    free: &Receiver<Vec<u8>>,
) -> io::Result<R> {
    let hung_up = || io::Error::other("the layer walk stopped before the end of the stream");
    loop {
        let mut buf = free.try_recv().unwrap_or_default();
        buf.resize(CHUNK, 0);
        let n = match fill(&mut decoder, &mut buf) {
            Ok(n) => n,
            Err(e) => {
                // The walker reports it (against the layer); this side keeps the original.
                let _ = tx.send(Err(io::Error::new(e.kind(), e.to_string())));
                return Err(e);
            }
        };
        if n == 0 {
            break;
        }
        buf.truncate(n);
        tx.send(Ok(buf)).map_err(|_| hung_up())?;
    }
    decoder.finish()
}

/// Reads until `buf` is full or the stream ends: decoders return short reads, and a few
/// large chunks cost less to pass than many small ones.
fn fill(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match r.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// The walker's end: a `Read` over the chunks, returning each drained chunk for reuse.
struct ChunkReader {
    rx: Receiver<io::Result<Vec<u8>>>,
    free: Sender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(next)) => {
                    let done = std::mem::replace(&mut self.chunk, next);
                    self.pos = 0;
                    if done.capacity() > 0 {
                        let _ = self.free.send(done);
                    }
                }
                Ok(Err(e)) => return Err(e),
                // The producer finished: end of the inflated stream.
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn passes_every_byte_and_gives_back_the_source() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let mut blob = gzip(&data);
        blob.extend_from_slice(b"trailing");
        let (dec, _) = Decoder::new(&blob[..]).unwrap();
        let (out, rest) = inflate_beside(dec, |r| {
            let mut v = Vec::new();
            r.read_to_end(&mut v).map(|_| v)
        });
        assert_eq!(out.unwrap(), data);
        assert!(rest.unwrap().is_empty(), "the source is read to its end");
    }

    #[test]
    fn a_corrupt_stream_is_an_error_on_both_sides() {
        let mut blob = gzip(&vec![b'x'; 4 * CHUNK]);
        let mid = blob.len() / 2;
        blob[mid] ^= 0xff;
        blob[mid + 1] ^= 0xff;
        let (dec, _) = Decoder::new(&blob[..]).unwrap();
        let (out, rest) = inflate_beside(dec, |r| io::copy(r, &mut io::sink()));
        assert!(out.is_err());
        assert!(rest.is_err());
    }

    #[test]
    fn a_walk_that_stops_early_stops_the_producer() {
        let blob = gzip(&vec![0u8; 64 * CHUNK]);
        let (dec, _) = Decoder::new(&blob[..]).unwrap();
        let (out, rest) = inflate_beside(dec, |r| {
            let mut first = [0u8; 10];
            r.read_exact(&mut first)
        });
        assert!(out.is_ok());
        assert!(rest.is_err(), "the producer hears the walker hang up");
    }
}
