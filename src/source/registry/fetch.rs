//! A layer blob, streamed: the download runs on the source's runtime and hands chunks to
//! the scanning thread over a bounded channel.

use super::super::{LayerReader, SourceError};
use super::errors::{Ctx, map_error};
use crate::image::LayerDesc;
use futures_util::StreamExt;
use oci_client::client::BlobResponse;
use oci_client::manifest::OciDescriptor;
use oci_client::{Client, Reference};

/// Starts downloading `desc`'s blob and returns the reading end.
pub(super) fn open_blob(
    rt: &tokio::runtime::Runtime,
    client: &Client,
    reference: &Reference,
    desc: &LayerDesc,
    ctx: &Ctx<'_>,
) -> Result<LayerReader<'static>, SourceError> {
    let layer = OciDescriptor {
        media_type: desc.media_type.clone(),
        digest: desc.locator.clone(),
        size: desc.size.unwrap_or(0) as i64,
        ..Default::default()
    };
    // Asked as a range from 0 so that oci-client does not hash the blob: the scan
    // hashes it anyway and the loader checks that digest against the manifest's, and
    // hashing it twice was a sixth of a cold load's CPU. A registry that ignores the
    // range answers in full, and oci-client then checks the digest too; no harm.
    let stream = match rt
        .block_on(client.pull_blob_stream_partial(reference, &layer, 0, None))
        .map_err(|e| map_error(e, ctx))?
    {
        BlobResponse::Full(s) | BlobResponse::Partial(s) => s,
    };
    let digest = desc.locator.clone();
    // The download runs on the runtime's threads and hands chunks over a bounded
    // channel: the scanning threads only hash, inflate and walk, and the two overlap. Dropping the reader drops the receiver, which ends the
    // task and the request.
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<bytes::Bytes>>(64);
    let mut body = stream.stream;
    rt.spawn(async move {
            while let Some(item) = body.next().await {
                let item = item.map_err(|e| {
                    // oci-client ends the stream with an error when the bytes do not hash
                    // to the digest: say so in words (the loader reports it against the layer).
                    let msg = e.to_string();
                    if msg.contains("igest") {
                        std::io::Error::new(
                            std::io::ErrorKind::InvalidData,
                            format!("blob digest mismatch: the registry's bytes for {digest} do not hash to it ({msg})"),
                        )
                    } else {
                        e
                    }
                });
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
    Ok(Box::new(ChannelReader {
        rx,
        chunk: bytes::Bytes::new(),
    }))
}

/// The reading end of a layer download.
struct ChannelReader {
    rx: tokio::sync::mpsc::Receiver<std::io::Result<bytes::Bytes>>,
    chunk: bytes::Bytes,
}

impl std::io::Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(c)) => self.chunk = c,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.chunk.len());
        out[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}
