//! Followed logs as text, in bounded chunks.

use bosun_core::{Error, Result};
use futures::AsyncReadExt;

/// Most bytes read from a followed log at once.
const LOG_CHUNK: usize = 16 * 1024;

/// A followed log as text, in chunks as they arrive: whole characters only (a character
/// split between two reads waits for its end), and never a line buffered whole, so a
/// container that writes no newline cannot grow the server's memory.
pub fn text_chunks(
    reader: std::pin::Pin<Box<dyn futures::AsyncRead + Send>>,
    cluster: String,
) -> impl futures::Stream<Item = Result<String>> + Send {
    futures::stream::unfold(Some((reader, Vec::new())), move |state| {
        let cluster = cluster.clone();
        async move {
            let (mut reader, mut pending) = state?;
            let mut buf = vec![0u8; LOG_CHUNK];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) if pending.is_empty() => return None,
                    Ok(0) => {
                        return Some((Ok(String::from_utf8_lossy(&pending).into_owned()), None));
                    }
                    Ok(n) => {
                        pending.extend_from_slice(&buf[..n]);
                        let valid = match std::str::from_utf8(&pending) {
                            Ok(_) => pending.len(),
                            // An invalid byte is not waiting for more: pass it on as such.
                            Err(e) if e.error_len().is_some() => pending.len(),
                            Err(e) => e.valid_up_to(),
                        };
                        if valid == 0 {
                            continue;
                        }
                        let rest = pending.split_off(valid);
                        let text = String::from_utf8_lossy(&pending).into_owned();
                        return Some((Ok(text), Some((reader, rest))));
                    }
                    Err(e) => {
                        let ended = Error::Unavailable(format!(
                            "log stream from cluster {cluster} ended: {e}"
                        ));
                        return Some((Err(ended), None));
                    }
                }
            }
        }
    })
}
