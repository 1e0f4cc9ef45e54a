//! Decompression beside the tar walk: one layer's work split over two or three threads.
//!
//! A big layer is the critical path of a cold load: reading, hashing the compressed bytes
//! and inflating take about as long as hashing the tar stream and walking it. On one
//! thread they add up; here the producer (read, blob digest, inflate) runs on its own
//! scoped thread and hands inflated bytes to the walker in chunks over a bounded channel,
//! so the two halves overlap and a layer costs the longer half, not the sum. Memory stays
//! bounded: at most `DEPTH` chunks of `CHUNK` bytes are in flight, and drained chunks
//! go back to the producer to be refilled rather than freed.

use super::decompress::Decoder;
use super::hasher::digest_name;
use sha2::{Digest, Sha256};
use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};

/// Bytes per chunk: large enough that waking the other threads is noise next to inflating
/// it (128 KiB chunks cost fat:latest 3 % more CPU, most of it in futex wake-ups).
const CHUNK: usize = 512 * 1024;
/// The first chunks of a stream: a layer of a few files holds kilobytes in flight, not
/// megabytes (alpine's one 8 MB layer: 0.7 MiB less peak RSS than 64 KiB chunks growing by
/// 1/32 of the bytes produced, 2.5 MiB less than 512 KiB chunks throughout).
const FIRST_CHUNK: usize = 32 * 1024;
/// A chunk is 1/GROWTH of the bytes produced before it (between the two sizes above):
/// full size past 64 MiB. The few hundred more hand-overs this costs a big layer are
/// lost in the noise of its CPU time (python-app, large-latest).
const GROWTH: u64 = 128;
/// Chunks queued between the threads.
const DEPTH: usize = 2;
/// Chunk lengths are whole tar blocks (see `chunk_len`).
const TAR_BLOCK: usize = 512;

/// How long the next chunk is, after `produced` bytes: a whole number of tar blocks, so a
/// file's first read holds its first 512 bytes (or all of it), which is what the walk looks
/// at to tell an ELF, a Java archive or a `#!` script (`scan::file`).
fn chunk_len(produced: u64) -> usize {
    let n = (produced / GROWTH).clamp(FIRST_CHUNK as u64, CHUNK as u64) as usize;
    n - n % TAR_BLOCK
}

type Chunk = Arc<Vec<u8>>;

/// What the producer side leaves when the walk is over.
pub struct Inflated<R> {
    /// The decoder's source, read to its end (so its digest covers the whole blob).
    pub source: io::Result<R>,
    /// `sha256:<hex>` of the inflated stream, when asked for and the stream was read whole.
    pub hash: Option<String>,
}

/// Where the inflated stream is hashed for the diff_id, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hashing {
    Off,
    /// On the walking thread, each chunk as it arrives (while it is in that core's cache):
    /// for a compressed layer, whose inflating thread is the critical path and whose walk
    /// has time to spare. 3-4 % less CPU and time than a thread of its own on
    /// debian:bookworm, fat:latest, python-app and large-latest.
    Walker,
    /// On a thread of its own, sharing the chunks (no copy): for a plain tar, where reading
    /// is cheap and the walk is the critical path.
    Thread,
}

/// Inflates `decoder` on a helper thread while `consume` reads the inflated stream on this
/// one, hashing that stream as `hashing` says. The stream is a `BufRead` over the chunks
/// themselves: the walk reads a small file's bytes where they arrived, not from a copy.
pub fn inflate_beside<R, T>(
    decoder: Decoder<R>,
    hashing: Hashing,
    consume: impl FnOnce(&mut dyn BufRead) -> T,
) -> (T, Inflated<R>)
where
    R: BufRead + Send,
{
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<io::Result<Chunk>>(DEPTH);
        let (free_tx, free_rx) = channel::<Vec<u8>>();
        let mut hasher = None;
        let mut hash_tx = None;
        if hashing == Hashing::Thread {
            let (htx, hrx) = sync_channel::<Chunk>(DEPTH);
            let free = free_tx.clone();
            let spawned = std::thread::Builder::new()
                .name("microscope-diffid".into())
                .spawn_scoped(s, move || hash_chunks(&hrx, &free));
            match spawned {
                Ok(h) => {
                    hasher = Some(h);
                    hash_tx = Some(htx);
                }
                Err(e) => return not_started(consume, e),
            }
        }
        let recycle = free_tx.clone();
        let producer = std::thread::Builder::new()
            .name("microscope-inflate".into())
            .spawn_scoped(s, move || produce(decoder, &tx, hash_tx.as_ref(), &free_rx));
        let producer = match producer {
            Ok(p) => p,
            Err(e) => return not_started(consume, e),
        };
        let mut reader = ChunkReader {
            rx,
            free: recycle,
            chunk: Arc::default(),
            pos: 0,
            hasher: (hashing == Hashing::Walker).then(Sha256::new),
        };
        let out = consume(&mut reader);
        let inline_hash = reader.hasher.take().map(digest_name);
        // Hanging up tells a producer the walk stopped early (an error, a cancel).
        drop(reader);
        let source = producer.join().unwrap_or_else(|_| {
            Err(io::Error::other(
                "the decompression thread stopped unexpectedly",
            ))
        });
        // A thread that hashes a byte slice does not panic; if it vanished anyway, no
        // hash is an error for the caller (a diff_id that matches nothing).
        let hash = hasher.and_then(|h| h.join().ok()).or(inline_hash);
        (out, Inflated { source, hash })
    })
}

fn not_started<R, T>(
    consume: impl FnOnce(&mut dyn BufRead) -> T,
    e: io::Error,
) -> (T, Inflated<R>) {
    let out = consume(&mut io::empty());
    let source = Err(io::Error::other(format!(
        "cannot start a decompression thread: {e}"
    )));
    (out, Inflated { source, hash: None })
}

fn hash_chunks(rx: &Receiver<Chunk>, free: &Sender<Vec<u8>>) -> String {
    let mut h = Sha256::new();
    for chunk in rx {
        h.update(&chunk[..]);
        give_back(chunk, free);
    }
    digest_name(h)
}

/// The last of the two readers of a chunk returns it to the producer's pool.
fn give_back(chunk: Chunk, free: &Sender<Vec<u8>>) {
    if let Ok(v) = Arc::try_unwrap(chunk) {
        let _ = free.send(v);
    }
}

fn produce<R: BufRead>(
    mut decoder: Decoder<R>,
    tx: &SyncSender<io::Result<Chunk>>,
    hash_tx: Option<&SyncSender<Chunk>>,
    free: &Receiver<Vec<u8>>,
) -> io::Result<R> {
    let hung_up = || io::Error::other("the layer walk stopped before the end of the stream");
    let mut produced = 0u64;
    loop {
        let mut buf = free.try_recv().unwrap_or_default();
        buf.resize(chunk_len(produced), 0);
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
        produced += n as u64;
        buf.truncate(n);
        let chunk = Arc::new(buf);
        if let Some(h) = hash_tx {
            h.send(chunk.clone()).map_err(|_| hung_up())?;
        }
        tx.send(Ok(chunk)).map_err(|_| hung_up())?;
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

/// The walker's end: a `BufRead` over the chunks, returning each drained chunk for reuse.
struct ChunkReader {
    rx: Receiver<io::Result<Chunk>>,
    free: Sender<Vec<u8>>,
    chunk: Chunk,
    pos: usize,
    hasher: Option<Sha256>,
}

impl BufRead for ChunkReader {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        while self.pos == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(next)) => {
                    if let Some(h) = &mut self.hasher {
                        h.update(&next[..]);
                    }
                    let done = std::mem::replace(&mut self.chunk, next);
                    self.pos = 0;
                    give_back(done, &self.free);
                }
                Ok(Err(e)) => return Err(e),
                // The producer finished: end of the inflated stream.
                Err(_) => return Ok(&[]),
            }
        }
        Ok(&self.chunk[self.pos..])
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.chunk.len());
    }
}

impl Read for ChunkReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        read_buffered(self, out)
    }
}

/// `Read::read` for a reader whose bytes are in its own buffer: copied out of it.
#[inline]
pub(super) fn read_buffered(r: &mut impl BufRead, out: &mut [u8]) -> io::Result<usize> {
    let available = r.fill_buf()?;
    let n = out.len().min(available.len());
    out[..n].copy_from_slice(&available[..n]);
    r.consume(n);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(data)?;
        gz.finish()
    }

    #[test]
    fn passes_every_byte_hashes_them_and_gives_back_the_source() -> TestResult {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let blob = gzip(&data)?;
        for hashing in [Hashing::Thread, Hashing::Walker] {
            let (dec, _) = Decoder::new(&blob[..])?;
            let (out, rest) = inflate_beside(dec, hashing, |r| {
                let mut v = Vec::new();
                r.read_to_end(&mut v).map(|_| v)
            });
            assert_eq!(out?, data, "{hashing:?}");
            assert!(rest.source?.is_empty(), "the source is read to its end");
            let expected = format!("sha256:{}", hex::encode(Sha256::digest(&data)));
            assert_eq!(rest.hash, Some(expected), "{hashing:?}");
        }
        Ok(())
    }

    /// The walker's end hands out each chunk whole and in place, and a partial consume
    /// leaves the rest of it for the next look.
    #[test]
    fn the_stream_hands_out_whole_chunks_in_place() -> TestResult {
        let data: Vec<u8> = (0..2 * CHUNK).map(|i| (i % 251) as u8).collect();
        let blob = gzip(&data)?;
        let (dec, _) = Decoder::new(&blob[..])?;
        let (out, _) = inflate_beside(dec, Hashing::Off, |r| {
            let (mut sizes, mut all) = (Vec::new(), Vec::new());
            let first = r.fill_buf()?.len();
            r.consume(10);
            assert_eq!(r.fill_buf()?.len(), first - 10);
            all.extend_from_slice(&data[..10]);
            loop {
                let b = r.fill_buf()?;
                if b.is_empty() {
                    break;
                }
                sizes.push(b.len());
                all.extend_from_slice(b);
                let n = b.len();
                r.consume(n);
            }
            Ok::<_, io::Error>((first, sizes, all))
        });
        let (first, sizes, all) = out?;
        assert_eq!(all, data);
        assert_eq!(first, FIRST_CHUNK, "the first chunk whole");
        assert_eq!(sizes[0], FIRST_CHUNK - 10);
        assert!(sizes[1..].iter().all(|&n| n % TAR_BLOCK == 0), "{sizes:?}");
        Ok(())
    }

    #[test]
    fn chunks_start_small_and_grow_to_full_size() {
        assert_eq!(chunk_len(0), FIRST_CHUNK);
        assert_eq!(chunk_len(4 << 20), FIRST_CHUNK);
        assert_eq!(chunk_len(8 << 20), 64 * 1024);
        assert_eq!(chunk_len(64 << 20), CHUNK);
        assert_eq!(chunk_len(u64::MAX), CHUNK);
        let mut produced = 0u64;
        let mut last = 0;
        while produced < 128 << 20 {
            let n = chunk_len(produced);
            assert!(n >= last && n <= CHUNK, "{n} after {produced}");
            assert_eq!(n % TAR_BLOCK, 0, "{n} after {produced}");
            last = n;
            produced += n as u64;
        }
    }

    #[test]
    fn a_small_stream_never_fills_a_full_chunk() -> TestResult {
        // A layer of a few files: what the walker receives comes in first-size pieces.
        let data = vec![7u8; 3 * FIRST_CHUNK + 5];
        let blob = gzip(&data)?;
        let (dec, _) = Decoder::new(&blob[..])?;
        let (sizes, _) = inflate_beside(dec, Hashing::Off, |r| {
            let mut sizes = Vec::new();
            let mut buf = vec![0u8; CHUNK];
            loop {
                match r.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => sizes.push(n),
                }
            }
            sizes
        });
        assert_eq!(sizes.iter().sum::<usize>(), data.len());
        assert!(sizes.iter().all(|&n| n <= FIRST_CHUNK), "{sizes:?}");
        Ok(())
    }

    #[test]
    fn a_corrupt_stream_is_an_error_on_both_sides() -> TestResult {
        let mut blob = gzip(&vec![b'x'; 4 * CHUNK])?;
        let mid = blob.len() / 2;
        blob[mid] ^= 0xff;
        blob[mid + 1] ^= 0xff;
        let (dec, _) = Decoder::new(&blob[..])?;
        let (out, rest) = inflate_beside(dec, Hashing::Thread, |r| io::copy(r, &mut io::sink()));
        let e = out.unwrap_err().to_string();
        assert!(e.contains("corrupt deflate stream"), "{e}");
        let e = rest.source.unwrap_err().to_string();
        assert!(e.contains("corrupt deflate stream"), "{e}");
        Ok(())
    }

    #[test]
    fn a_walk_that_stops_early_stops_the_producer() -> TestResult {
        let blob = gzip(&vec![0u8; 64 * CHUNK])?;
        let (dec, _) = Decoder::new(&blob[..])?;
        let (out, rest) = inflate_beside(dec, Hashing::Off, |r| {
            let mut first = [0u8; 10];
            r.read_exact(&mut first)
        });
        assert!(out.is_ok());
        assert!(
            rest.source.is_err(),
            "the producer hears the walker hang up"
        );
        assert!(rest.hash.is_none());
        Ok(())
    }
}
