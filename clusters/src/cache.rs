//! Watch caches: one kube-runtime reflector per kind and cluster, of dynamic objects, so
//! every kind of the table is cached by the same code. Lists are served from memory; the
//! cluster is watched once instead of re-listed on every page view.

use std::sync::{Arc, Mutex};

use futures::StreamExt;
use kube::api::{ApiResource, DynamicObject};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use tokio::task::JoinHandle;

/// Where a cache stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheState {
    /// The first list is arriving; `seen` objects so far.
    Syncing {
        seen: usize,
    },
    Ready,
    /// The watch fails (forbidden, not served, unreachable). `had_data` tells whether the
    /// cache holds an older, complete list meanwhile.
    Failed {
        reason: String,
        had_data: bool,
    },
}

/// An always-up-to-date copy of every object of one kind in one cluster.
pub struct Cache {
    pub resource: ApiResource,
    store: Store<DynamicObject>,
    state: Arc<Mutex<CacheState>>,
    changes: tokio::sync::watch::Receiver<u64>,
    task: JoinHandle<()>,
}

/// A watch failure in words a person can act on.
fn describe(err: &watcher::Error) -> String {
    let kube_err = match err {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => Some(e),
        watcher::Error::WatchError(status) => {
            return format!("{} ({})", status.message, status.reason);
        }
        watcher::Error::NoResourceVersion => None,
    };
    match kube_err {
        Some(kube::Error::Api(status)) => match status.code {
            401 => format!(
                "the cluster rejected Bosun's credentials: {}",
                status.message
            ),
            403 => format!("forbidden: {}", status.message),
            404 => "not found: the cluster does not serve this resource".to_string(),
            _ => format!("{} ({} {})", status.message, status.code, status.reason),
        },
        Some(other) => format!("unreachable: {}", crate::error::causes(other)),
        None => err.to_string(),
    }
}

/// Drops what the console never reads and that is often half an object's size:
/// `managedFields` and kubectl's last-applied copy of the object.
fn trim(obj: &mut DynamicObject) {
    obj.metadata.managed_fields = None;
    if let Some(annotations) = obj.metadata.annotations.as_mut() {
        annotations.remove(LAST_APPLIED);
        if annotations.is_empty() {
            obj.metadata.annotations = None;
        }
    }
}

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// What a Secret's value reads as in the cache: its size, never its content. Values are
/// fetched from the cluster only when someone with the right asks to see one, so no list,
/// page or copy of the console's memory carries them.
#[must_use]
pub fn hidden_value(stored: &str) -> String {
    format!("<hidden: {} bytes>", decoded_len(stored))
}

/// The size of base64 text once decoded.
fn decoded_len(encoded: &str) -> usize {
    let text = encoded.trim();
    let padding = text.bytes().rev().take_while(|b| *b == b'=').count();
    (text.len() / 4 * 3).saturating_sub(padding)
}

/// Replaces every value of a Secret's `data` (and `stringData`) by [`hidden_value`].
fn hide_secret_values(obj: &mut DynamicObject) {
    hide_values(&mut obj.data);
}

/// [`hide_secret_values`] of a Secret held as JSON (a diff before an apply).
pub fn hide_values(secret: &mut serde_json::Value) {
    for field in ["data", "stringData"] {
        if let Some(map) = secret.get_mut(field).and_then(|v| v.as_object_mut()) {
            for value in map.values_mut() {
                let stored = value.as_str().unwrap_or("");
                let shown = if field == "data" {
                    hidden_value(stored)
                } else {
                    format!("<hidden: {} bytes>", stored.len())
                };
                *value = serde_json::Value::String(shown);
            }
        }
    }
}

/// Whether objects of `resource` are core Secrets.
fn is_secret(resource: &ApiResource) -> bool {
    resource.group.is_empty() && resource.kind == "Secret"
}

impl Cache {
    /// Starts watching `resource` across all namespaces. The first list fills the cache;
    /// watch events keep it current; the watcher re-lists by itself (with backoff) after
    /// errors or expired versions. Objects are [`trim`]med on arrival.
    #[must_use]
    pub fn start(cluster: &str, client: Client, resource: ApiResource) -> Self {
        let writer = reflector::store::Writer::new(resource.clone());
        let store = writer.as_reader();
        let state = Arc::new(Mutex::new(CacheState::Syncing { seen: 0 }));
        let (tx, changes) = tokio::sync::watch::channel(0u64);
        let api: Api<DynamicObject> = Api::all_with(client, &resource);
        let task_state = state.clone();
        let cluster = cluster.to_string();
        let what = resource_name(&resource);
        let secrets = is_secret(&resource);
        let task = tokio::spawn(async move {
            let events = watcher(api, watcher::Config::default())
                .default_backoff()
                .modify(move |obj| {
                    trim(obj);
                    if secrets {
                        hide_secret_values(obj);
                    }
                })
                .reflect(writer);
            futures::pin_mut!(events);
            let mut last_error = String::new();
            while let Some(event) = events.next().await {
                let mut state = task_state.lock().unwrap_or_else(|e| e.into_inner());
                match event {
                    Ok(watcher::Event::Init) => {
                        // A re-list (after an expired watch) keeps serving the complete
                        // list the reflector holds until the new one is in.
                        let had_data = matches!(
                            *state,
                            CacheState::Ready | CacheState::Failed { had_data: true, .. }
                        );
                        if !had_data {
                            *state = CacheState::Syncing { seen: 0 };
                        }
                    }
                    Ok(watcher::Event::InitApply(_)) => {
                        if let CacheState::Syncing { seen } = &mut *state {
                            *seen += 1;
                        }
                    }
                    Ok(watcher::Event::InitDone) => {
                        if !last_error.is_empty() {
                            tracing::info!(cluster, resource = %what, "watch recovered");
                            last_error.clear();
                        }
                        *state = CacheState::Ready;
                        tx.send_modify(|n| *n += 1);
                    }
                    Ok(_) => tx.send_modify(|n| *n += 1),
                    Err(e) => {
                        let reason = describe(&e);
                        if reason != last_error {
                            tracing::warn!(cluster, resource = %what, "watch failed (retrying with backoff): {reason}");
                            last_error.clone_from(&reason);
                        }
                        let had_data = matches!(
                            *state,
                            CacheState::Ready | CacheState::Failed { had_data: true, .. }
                        );
                        *state = CacheState::Failed { reason, had_data };
                        tx.send_modify(|n| *n += 1);
                    }
                }
            }
        });
        Self {
            resource,
            store,
            state,
            changes,
            task,
        }
    }

    #[must_use]
    pub fn state(&self) -> CacheState {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Every cached object, when the cache holds a complete list (possibly an older one
    /// while the watch is failing); otherwise why not.
    pub fn objects(&self) -> Result<Vec<Arc<DynamicObject>>, CacheState> {
        match self.state() {
            CacheState::Ready | CacheState::Failed { had_data: true, .. } => Ok(self.store.state()),
            other => Err(other),
        }
    }

    /// Whether the cache holds a complete list (possibly an older one while the watch is
    /// failing), so an absent object is known to be absent; otherwise why not.
    pub fn complete(&self) -> Result<(), CacheState> {
        match self.state() {
            CacheState::Ready | CacheState::Failed { had_data: true, .. } => Ok(()),
            other => Err(other),
        }
    }

    /// One object by namespace and name, from memory.
    #[must_use]
    pub fn get(&self, namespace: &str, name: &str) -> Option<Arc<DynamicObject>> {
        let key = reflector::ObjectRef::new_with(name, self.resource.clone());
        let key = if namespace.is_empty() {
            key
        } else {
            key.within(namespace)
        };
        self.store.get(&key)
    }

    /// A number that grows with every change of the cache.
    #[must_use]
    pub fn version(&self) -> u64 {
        *self.changes.borrow()
    }

    /// A receiver that changes whenever the cache does (for following a rollout).
    #[must_use]
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.clone()
    }
}

impl Drop for Cache {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `deployments.apps`, `pods`: how messages name a resource.
#[must_use]
pub fn resource_name(resource: &ApiResource) -> String {
    if resource.group.is_empty() {
        resource.plural.clone()
    } else {
        format!("{}.{}", resource.plural, resource.group)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_values_are_replaced_by_their_size() {
        let mut obj: DynamicObject = serde_json::from_value(serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "db", "namespace": "shop"},
            "type": "Opaque",
            "data": {"password": "aHVudGVyMg==", "user": "YWRtaW4="},
        }))
        .unwrap();
        hide_secret_values(&mut obj);
        assert_eq!(obj.data["data"]["password"], "<hidden: 7 bytes>");
        assert_eq!(obj.data["data"]["user"], "<hidden: 5 bytes>");
        assert_eq!(obj.data["type"], "Opaque");
    }
}
