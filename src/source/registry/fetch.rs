//! A layer blob, streamed: the download runs on the source's runtime and hands chunks to
//! the scanning thread over a bounded channel.

use super::super::digest::Hasher;
use super::super::{LayerReader, SourceError};
use super::bounded::{Http, blob_response};
use super::errors::Ctx;
use futures_util::StreamExt;
use oci_client::Reference;
use std::time::Duration;

/// A layer's download, started: the answer to its request (an error answer in the user's
/// words) and the reading end of its bytes. Started when the loader opens the layer, or
/// earlier, beside the config's request ([`super::prefetch`]).
pub(super) struct Download {
    answer: tokio::sync::oneshot::Receiver<Result<(), SourceError>>,
    reader: ChannelReader,
}

/// What a download needs to word its errors, owned by its task.
#[derive(Clone)]
pub(super) struct Owned {
    pub registry: String,
    pub had_credentials: bool,
    pub plain_http: bool,
}

impl Owned {
    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            registry: &self.registry,
            had_credentials: self.had_credentials,
            plain_http: self.plain_http,
        }
    }
}

/// Asks for blob `digest` (`size` bytes, when known) and streams its bytes on `rt`'s
/// threads, hashing them as they arrive. An algorithm the hasher does not know is refused
/// before any byte is asked for.
pub(super) fn start(
    rt: &tokio::runtime::Handle,
    http: Http,
    reference: Reference,
    (digest, size): (String, Option<u64>),
    ctx: Owned,
    stall: Duration,
) -> Result<Download, SourceError> {
    // sha256 or sha512, whole-blob, whatever the transfer (a 206 is not checked by
    // oci-client); another algorithm is refused before any byte is asked for.
    let hasher = Hasher::for_digest(&digest)?;
    // The download runs on the runtime's threads and hands chunks over a bounded channel:
    // the scanning threads only inflate and walk, and the two overlap. Dropping the reader
    // drops the receiver, which ends the task and the request. A few chunks in flight are
    // enough (the socket buffers more): with 64, a download ran 20 MB ahead of the scan in
    // fresh memory, and faulting its pages in cost a cold debian:bookworm 5 % of its CPU.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(8);
    let (answer_tx, answer) = tokio::sync::oneshot::channel();
    rt.spawn(async move {
        // Our own request, so that an error answer is read to its bound only.
        match blob_response(&http, &reference, &digest, &ctx.ctx()).await {
            Ok(resp) => {
                if answer_tx.send(Ok(())).is_ok() {
                    stream(resp, &tx, hasher, (&digest, size), stall).await;
                }
            }
            Err(e) => {
                let _ = answer_tx.send(Err(e));
            }
        }
    });
    Ok(Download {
        answer,
        reader: ChannelReader {
            rx,
            chunk: bytes::Bytes::new(),
        },
    })
}

impl Download {
    /// The reading end, once the registry has answered the request with the blob; its
    /// error answer otherwise.
    pub(super) fn reader(
        self,
        rt: &tokio::runtime::Runtime,
    ) -> Result<LayerReader<'static>, SourceError> {
        match rt.block_on(self.answer) {
            Ok(Ok(())) => Ok(Box::new(self.reader)),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(SourceError::Io(std::io::Error::other(
                "the layer's download stopped before the registry answered",
            ))),
        }
    }
}

/// The body of a blob's answer into `tx`, hashed as it arrives: the stream fails at its end
/// if the bytes do not match `digest` (the scan is told so, `verifies_blob_digests`, and
/// does not hash them again on its inflating thread, the critical path of a cold load).
async fn stream(
    resp: reqwest::Response,
    tx: &tokio::sync::mpsc::Sender<std::io::Result<bytes::Bytes>>,
    hasher: Hasher,
    (digest, size): (&str, Option<u64>),
    stall: Duration,
) {
    let mut hasher = Some(hasher);
    let mut body = resp.bytes_stream();
    let mut got = 0u64;
    loop {
        let item = match tokio::time::timeout(stall, body.next()).await {
            Ok(Some(item)) => item,
            Ok(None) => break,
            Err(_) => {
                let _ = tx.send(Err(stalled(digest, stall, got, size))).await;
                return;
            }
        };
        let item = item.map_err(|source| {
            std::io::Error::other(BlobBroke {
                digest: digest.to_string(),
                source,
            })
        });
        if let Ok(chunk) = &item {
            got = got.saturating_add(chunk.len() as u64);
            if size.is_some_and(|s| got > s) {
                let _ = tx.send(Err(too_long(digest, size))).await;
                return;
            }
        }
        if let (Ok(chunk), Some(h)) = (&item, hasher.as_mut()) {
            h.update(chunk);
        }
        let failed = item.is_err();
        if tx.send(item).await.is_err() || failed {
            return;
        }
    }
    if let Some(h) = hasher {
        let got = h.finish();
        if got != digest {
            let _ = tx
                .send(Err(mismatch(digest, &format!("they hash to {got}"))))
                .await;
        }
    }
}

/// No byte for `stall`: which blob, and how far it got.
fn stalled(digest: &str, stall: Duration, got: u64, size: Option<u64>) -> std::io::Error {
    let of = size.map(|s| format!(" of {s}")).unwrap_or_default();
    std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        format!(
            "the registry sent nothing for {} s while downloading {digest} ({got}{of} bytes \
             received; --stall-timeout)",
            stall.as_secs()
        ),
    )
}

fn too_long(digest: &str, size: Option<u64>) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "the registry sends more than the {} bytes its descriptor gives for {digest}",
            size.unwrap_or(0)
        ),
    )
}

fn mismatch(digest: &str, why: &str) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!(
            "blob digest mismatch: the registry's bytes for {digest} do not hash to it ({why})"
        ),
    )
}

/// The reading end of a layer download: a buffered reader over the downloaded chunks
/// themselves, so the decoder reads them where they are.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>,
    chunk: bytes::Bytes,
}

impl std::io::BufRead for ChannelReader {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(c)) => self.chunk = c,
                Some(Err(e)) => return Err(e),
                None => break,
            }
        }
        Ok(&self.chunk)
    }

    fn consume(&mut self, n: usize) {
        let _ = self.chunk.split_to(n.min(self.chunk.len()));
    }
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let chunk = std::io::BufRead::fill_buf(self)?;
            let n = out.len().min(chunk.len());
            out[..n].copy_from_slice(&chunk[..n]);
            n
        };
        std::io::BufRead::consume(self, n);
        Ok(n)
    }
}

/// A blob's download that broke off, the client's error kept as the cause.
#[derive(Debug, thiserror::Error)]
#[error("blob {digest}")]
struct BlobBroke {
    digest: String,
    #[source]
    source: reqwest::Error,
}
