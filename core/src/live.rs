//! Following an object live: its view now, then again each time one of the watch caches
//! it is made of changes. Pages get pushed updates; nothing polls the cluster.

use std::time::Duration;

use futures::Stream;
use tokio::sync::watch::Receiver;

use crate::{Error, Result};

/// How long one request follows an object at most; the page asks again after.
pub const FOLLOW_AT_MOST: Duration = Duration::from_secs(30 * 60);

/// How long changes are gathered before the view is computed again: a busy cluster
/// changes many times a second, and one page per burst is what a person can read.
const GATHER: Duration = Duration::from_millis(100);

/// Waits until any of `receivers` changes; `Err` when every sender is gone.
async fn any_changed(receivers: &mut [Receiver<u64>]) -> std::result::Result<(), ()> {
    if receivers.is_empty() {
        return Err(());
    }
    let waits = receivers.iter_mut().map(|r| Box::pin(r.changed()));
    match futures::future::select_all(waits).await {
        (Ok(()), _, _) => Ok(()),
        (Err(_), _, _) => Err(()),
    }
}

/// `first`, then `fetch()` after each change that made it differ, until `fetch` fails
/// (the object was deleted: that error ends the stream), the cluster is disconnected, or
/// [`FOLLOW_AT_MOST`] passed.
pub fn follow<T, F>(
    cluster: String,
    receivers: Vec<Receiver<u64>>,
    first: T,
    fetch: F,
) -> impl Stream<Item = Result<T>> + Send + 'static
where
    T: Clone + PartialEq + Send + 'static,
    F: Fn() -> Result<T> + Send + Sync + 'static,
{
    let give_up = tokio::time::Instant::now() + FOLLOW_AT_MOST;
    let fetch = std::sync::Arc::new(fetch);
    futures::stream::unfold(
        (receivers, Some(first), None::<T>, false),
        move |(mut receivers, pending, last, done)| {
            let fetch = fetch.clone();
            let cluster = cluster.clone();
            async move {
                if done {
                    return None;
                }
                if let Some(first) = pending {
                    return Some((Ok(first.clone()), (receivers, None, Some(first), false)));
                }
                loop {
                    match tokio::time::timeout_at(give_up, any_changed(&mut receivers)).await {
                        Err(_) => return None,
                        Ok(Err(())) => {
                            let gone =
                                Error::Unavailable(format!("cluster {cluster} was disconnected"));
                            return Some((Err(gone), (receivers, None, last, true)));
                        }
                        Ok(Ok(())) => {}
                    }
                    tokio::time::sleep(GATHER).await;
                    for r in &mut receivers {
                        r.borrow_and_update();
                    }
                    match fetch() {
                        Ok(now) if last.as_ref() == Some(&now) => {}
                        Ok(now) => {
                            return Some((Ok(now.clone()), (receivers, None, Some(now), false)));
                        }
                        Err(e) => return Some((Err(e), (receivers, None, last, true))),
                    }
                }
            }
        },
    )
}
