//! A layer blob, streamed: the download runs on the source's runtime and hands chunks to
//! the scanning thread over a bounded channel.

use super::super::digest::Hasher;
use super::super::{LayerReader, SourceError};
use super::bounded::{Http, blob_response};
use super::errors::Ctx;
use crate::image::LayerDesc;
use futures_util::StreamExt;
use oci_client::Reference;
use std::time::Duration;

/// Starts downloading `desc`'s blob and returns the reading end.
pub(super) fn open_blob(
    rt: &tokio::runtime::Runtime,
    http: &Http,
    reference: &Reference,
    desc: &LayerDesc,
    ctx: &Ctx<'_>,
    stall: Duration,
) -> Result<LayerReader<'static>, SourceError> {
    // sha256 or sha512, whole-blob, whatever the transfer (a 206 is not checked by
    // oci-client); another algorithm is refused before any byte is asked for.
    let hasher = Hasher::for_digest(&desc.locator)?;
    // Our own request, so that an error answer is read to its bound only; the bytes are
    // hashed below, once, whatever the transfer.
    let resp = rt.block_on(blob_response(http, reference, &desc.locator, ctx))?;
    let digest = desc.locator.clone();
    // The bytes are hashed here, as they arrive, and the stream fails at its end if they do
    // not match: the scan is told so (`verifies_blob_digests`) and does not hash them again
    // on its inflating thread, the critical path of a cold load.
    let mut hasher = Some(hasher);
    let size = desc.size;
    // The download runs on the runtime's threads and hands chunks over a bounded channel:
    // the scanning threads only inflate and walk, and the two overlap. Dropping the reader
    // drops the receiver, which ends the task and the request. A few chunks in flight are
    // enough (the socket buffers more): with 64, a download ran 20 MB ahead of the scan in
    // fresh memory, and faulting its pages in cost a cold debian:bookworm 5 % of its CPU.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(8);
    let mut body = resp.bytes_stream();
    rt.spawn(async move {
        let mut got = 0u64;
        loop {
            let item = match tokio::time::timeout(stall, body.next()).await {
                Ok(Some(item)) => item,
                Ok(None) => break,
                Err(_) => {
                    let _ = tx.send(Err(stalled(&digest, stall, got, size))).await;
                    return;
                }
            };
            let item = item.map_err(|source| {
                std::io::Error::other(BlobBroke {
                    digest: digest.clone(),
                    source,
                })
            });
            if let Ok(chunk) = &item {
                got = got.saturating_add(chunk.len() as u64);
                if size.is_some_and(|s| got > s) {
                    let _ = tx.send(Err(too_long(&digest, size))).await;
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
                    .send(Err(mismatch(&digest, &format!("they hash to {got}"))))
                    .await;
            }
        }
    });
    Ok(Box::new(ChannelReader {
        rx,
        chunk: bytes::Bytes::new(),
    }))
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
