//! Watch caches: a kube-runtime reflector per resource kind and cluster, so pages read
//! from memory and the cluster is watched once instead of re-listed on every view.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Resource};

use tokio::task::JoinHandle;

/// An always-up-to-date copy of every object of one kind in one cluster.
pub struct WatchCache<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + Hash + Clone,
{
    store: Store<K>,
    ready: Arc<AtomicBool>,
    task: JoinHandle<()>,
}

impl<K> WatchCache<K>
where
    K: Resource + Clone + Debug + Send + Sync + serde::de::DeserializeOwned + 'static,
    K::DynamicType: Eq + Hash + Clone + Default + Send + Sync,
{
    /// Starts watching. The first list fills the cache; watch events keep it current and
    /// the watcher re-lists by itself (with backoff) after errors or expired versions.
    #[must_use]
    pub fn start(cluster: &str, api: Api<K>) -> Self {
        let (store, writer) = reflector::store();
        let ready = Arc::new(AtomicBool::new(false));
        let flag = ready.clone();
        let cluster = cluster.to_string();
        let task = tokio::spawn(async move {
            let events = watcher(api, watcher::Config::default())
                .default_backoff()
                .reflect(writer);
            futures::pin_mut!(events);
            while let Some(event) = events.next().await {
                match event {
                    Ok(watcher::Event::InitDone) => flag.store(true, Ordering::Release),
                    Ok(_) => {}
                    Err(e) => tracing::debug!(cluster, "watch error (will retry): {e}"),
                }
            }
        });
        Self { store, ready, task }
    }

    /// Whether the first complete list has arrived.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Every cached object; `None` until the first list completed.
    #[must_use]
    pub fn snapshot(&self) -> Option<Vec<Arc<K>>> {
        self.is_ready().then(|| self.store.state())
    }
}

impl<K> Drop for WatchCache<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + Hash + Clone,
{
    fn drop(&mut self) {
        self.task.abort();
    }
}
