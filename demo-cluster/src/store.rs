//! The object store: `serde_json::Value` objects keyed by (group, plural) then
//! (namespace, name), one global resourceVersion counter, and a bounded event history so
//! watches can resume from a resourceVersion (older ones get 410 Gone) and paged lists
//! can be served from the snapshot their first page was taken at. Events are broadcast
//! per kind, so a pod change wakes only the watchers of pods.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde_json::{Value, json};
use tokio::sync::{Notify, broadcast};

use crate::clock::now_rfc3339;
use crate::kinds::Res;
use crate::status::{ApiError, ApiResult};

/// Watch event type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Added => "ADDED",
            Self::Modified => "MODIFIED",
            Self::Deleted => "DELETED",
        }
    }
}

/// One change, as kept in history and broadcast to watchers.
#[derive(Debug)]
pub struct Event {
    pub kind: EventType,
    pub res: Res,
    pub rv: u64,
    pub obj: Arc<Value>,
    /// The object before a MODIFIED or DELETED change: selector watches turn a change
    /// into ADDED/DELETED when the object enters or leaves the selection, and a paged
    /// list rolls changes back to its snapshot.
    pub prev: Option<Arc<Value>>,
    /// `obj` serialised, once for every watcher that sends it as stored.
    json: OnceLock<bytes::Bytes>,
}

impl Event {
    /// The object as JSON bytes, serialised by the first watcher that asks.
    pub fn object_json(&self) -> bytes::Bytes {
        self.json
            .get_or_init(|| {
                bytes::Bytes::from(serde_json::to_vec(self.obj.as_ref()).unwrap_or_default())
            })
            .clone()
    }
}

type Key = (String, String);

/// Attempts of a read-modify-write that keeps losing races before it gives up with 409.
pub const UPDATE_ATTEMPTS: usize = 16;

/// Past events of one kind to replay plus the live receiver of that kind's events.
pub type Subscription = (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>);

/// Events one kind's watchers may fall behind by before they get 410 (a burst of 10,000
/// changes must not expire a healthy watcher).
const CHANNEL_CAPACITY: usize = 32_768;

#[derive(Default)]
struct Inner {
    rv: u64,
    objects: HashMap<Res, BTreeMap<Key, Arc<Value>>>,
    history: VecDeque<Arc<Event>>,
    /// Smallest resourceVersion a watch may resume from.
    oldest_rv: u64,
    /// One broadcast channel per kind that has (or had) a watcher.
    channels: HashMap<Res, broadcast::Sender<Arc<Event>>>,
}

/// Shared object store. All mutations go through here so every change gets a
/// resourceVersion and an event.
pub struct Store {
    inner: Mutex<Inner>,
    changed: Notify,
    history_cap: usize,
}

/// Why a list cannot be served from its snapshot any more.
#[derive(Debug, PartialEq, Eq)]
pub struct SnapshotExpired {
    pub oldest: u64,
}

fn key(ns: &str, name: &str) -> Key {
    (ns.to_string(), name.to_string())
}

fn spec_part(v: &Value) -> Value {
    let mut c = v.clone();
    if let Some(m) = c.as_object_mut() {
        m.remove("metadata");
        m.remove("status");
        m.remove("apiVersion");
        m.remove("kind");
    }
    c
}

/// Equality ignoring resourceVersion and managedFields timestamps, to skip no-op writes.
fn same_content(a: &Value, b: &Value) -> bool {
    let strip = |v: &Value| {
        let mut c = v.clone();
        if let Some(m) = c.get_mut("metadata").and_then(Value::as_object_mut) {
            m.remove("resourceVersion");
            m.remove("managedFields");
        }
        c
    };
    strip(a) == strip(b)
}

impl Store {
    pub fn new(history_cap: usize) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            changed: Notify::new(),
            history_cap,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Wakes when anything changed since the last wake.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    pub fn current_rv(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, res: Res, ns: &str, name: &str) -> Option<Arc<Value>> {
        self.lock().objects.get(&res)?.get(&key(ns, name)).cloned()
    }

    /// All objects of a resource (optionally one namespace), sorted by namespace/name.
    pub fn list(&self, res: Res, ns: Option<&str>) -> (Vec<Arc<Value>>, u64) {
        let inner = self.lock();
        let items = match inner.objects.get(&res) {
            None => Vec::new(),
            Some(m) => match ns {
                None => m.values().cloned().collect(),
                Some(ns) => m
                    .range(key(ns, "")..)
                    .take_while(|((n, _), _)| n == ns)
                    .map(|(_, v)| v.clone())
                    .collect(),
            },
        };
        (items, inner.rv)
    }

    /// The objects of `res` (optionally one namespace) after the key `after`, as they were
    /// at resourceVersion `rv`, sorted by namespace/name: a continued list page. Changes
    /// made since are rolled back from history; a snapshot older than history is expired.
    pub fn list_at(
        &self,
        res: Res,
        ns: Option<&str>,
        rv: u64,
        after: (&str, &str),
    ) -> Result<Vec<Arc<Value>>, SnapshotExpired> {
        let inner = self.lock();
        if rv < inner.oldest_rv || rv > inner.rv {
            return Err(SnapshotExpired {
                oldest: inner.oldest_rv,
            });
        }
        let in_range = |n: &str, name: &str| ns.is_none_or(|ns| n == ns) && (n, name) > after;
        // The value each changed key had at the snapshot: the earliest later event's
        // `prev` (None: it did not exist yet).
        let mut then: HashMap<(&str, &str), Option<&Arc<Value>>> = HashMap::new();
        for ev in inner.history.iter().rev().take_while(|e| e.rv > rv) {
            if ev.res != res {
                continue;
            }
            let (n, name) = (crate::meta::namespace(&ev.obj), crate::meta::name(&ev.obj));
            if in_range(n, name) {
                then.insert((n, name), ev.prev.as_ref());
            }
        }
        let start = (after.0.to_string(), after.1.to_string());
        let mut items: Vec<Arc<Value>> = inner
            .objects
            .get(&res)
            .into_iter()
            .flat_map(|m| {
                m.range((
                    std::ops::Bound::Excluded(start.clone()),
                    std::ops::Bound::Unbounded,
                ))
            })
            .filter(|((n, name), _)| {
                in_range(n, name) && !then.contains_key(&(n.as_str(), name.as_str()))
            })
            .map(|(_, v)| v.clone())
            .collect();
        let restored: Vec<Arc<Value>> = then.into_values().flatten().cloned().collect();
        if !restored.is_empty() {
            items.extend(restored);
            items.sort_by(|a, b| {
                (crate::meta::namespace(a), crate::meta::name(a))
                    .cmp(&(crate::meta::namespace(b), crate::meta::name(b)))
            });
        }
        Ok(items)
    }

    /// Convenience for controllers: the objects only.
    pub fn all(&self, res: Res) -> Vec<Arc<Value>> {
        self.list(res, None).0
    }

    fn emit(
        &self,
        inner: &mut Inner,
        kind: EventType,
        res: Res,
        obj: Arc<Value>,
        prev: Option<Arc<Value>>,
    ) {
        let ev = Arc::new(Event {
            kind,
            prev,
            res,
            rv: inner.rv,
            obj,
            json: OnceLock::new(),
        });
        inner.history.push_back(ev.clone());
        while inner.history.len() > self.history_cap {
            if let Some(old) = inner.history.pop_front() {
                inner.oldest_rv = old.rv;
            }
        }
        // Sent under the lock: a watcher that read the resourceVersion and then drained
        // its channel has seen every event up to that version.
        if let Some(tx) = inner.channels.get(&res) {
            let _ = tx.send(ev);
        }
        self.changed.notify_one();
    }

    /// Stores a new object, assigning uid, resourceVersion, creationTimestamp and generation.
    pub fn create(&self, res: Res, mut obj: Value) -> ApiResult<Arc<Value>> {
        let ns = crate::meta::namespace(&obj).to_string();
        let name = crate::meta::name(&obj).to_string();
        let mut inner = self.lock();
        if inner
            .objects
            .get(&res)
            .is_some_and(|m| m.contains_key(&key(&ns, &name)))
        {
            return Err(ApiError::already_exists(res.0, res.1, &name));
        }
        inner.rv += 1;
        let rv = inner.rv;
        let md = &mut obj["metadata"];
        md["uid"] = json!(uuid::Uuid::new_v4().to_string());
        md["resourceVersion"] = json!(rv.to_string());
        if md.get("creationTimestamp").is_none_or(Value::is_null) {
            md["creationTimestamp"] = json!(now_rfc3339());
        }
        if obj.get("spec").is_some() {
            obj["metadata"]["generation"] = json!(1);
        }
        let obj = Arc::new(obj);
        inner
            .objects
            .entry(res)
            .or_default()
            .insert(key(&ns, &name), obj.clone());
        self.emit(&mut inner, EventType::Added, res, obj.clone(), None);
        Ok(obj)
    }

    /// Replaces an object. `expected_rv` (when non-empty) must match the stored one.
    /// Identity fields are kept; generation is bumped when anything outside metadata and
    /// status changed; writes that change nothing keep the old resourceVersion.
    pub fn replace(
        &self,
        res: Res,
        mut obj: Value,
        expected_rv: Option<&str>,
    ) -> ApiResult<Arc<Value>> {
        let ns = crate::meta::namespace(&obj).to_string();
        let name = crate::meta::name(&obj).to_string();
        let mut inner = self.lock();
        let old = inner
            .objects
            .get(&res)
            .and_then(|m| m.get(&key(&ns, &name)))
            .cloned()
            .ok_or_else(|| ApiError::not_found(res.0, res.1, &name))?;
        if let Some(rv) = expected_rv.filter(|r| !r.is_empty())
            && rv != crate::meta::s(&old, &["metadata", "resourceVersion"])
        {
            return Err(ApiError::conflict(res.0, res.1, &name));
        }
        for f in ["uid", "creationTimestamp", "generation", "resourceVersion"] {
            match old["metadata"].get(f) {
                Some(v) => obj["metadata"][f] = v.clone(),
                None => {
                    if let Some(m) = obj["metadata"].as_object_mut() {
                        m.remove(f);
                    }
                }
            }
        }
        if old
            .get("metadata")
            .and_then(|m| m.get("deletionTimestamp"))
            .is_some()
        {
            obj["metadata"]["deletionTimestamp"] = old["metadata"]["deletionTimestamp"].clone();
        }
        if spec_part(&old) != spec_part(&obj) && obj.get("spec").is_some() {
            let g = crate::meta::i(&old, &["metadata", "generation"]) + 1;
            obj["metadata"]["generation"] = json!(g);
        }
        if same_content(&old, &obj) {
            return Ok(old);
        }
        inner.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
        let obj = Arc::new(obj);
        inner
            .objects
            .entry(res)
            .or_default()
            .insert(key(&ns, &name), obj.clone());
        self.emit(&mut inner, EventType::Modified, res, obj.clone(), Some(old));
        Ok(obj)
    }

    /// Read-modify-write of the latest object, as the API server's `GuaranteedUpdate`: `f`
    /// runs on the object as stored now and the result is written only if nothing else
    /// was written meanwhile; a lost race runs `f` again on the newer object. So `f` must
    /// compute from the object it is given (set a field, count a repeat), never from an
    /// older read: that is `update`'s job.
    pub fn modify(
        &self,
        res: Res,
        ns: &str,
        name: &str,
        mut f: impl FnMut(&mut Value) -> ApiResult<()>,
    ) -> ApiResult<Arc<Value>> {
        for _ in 0..UPDATE_ATTEMPTS {
            let old = self
                .get(res, ns, name)
                .ok_or_else(|| ApiError::not_found(res.0, res.1, name))?;
            let mut new = (*old).clone();
            f(&mut new)?;
            let rv = crate::meta::s(&old, &["metadata", "resourceVersion"]).to_string();
            match self.replace(res, new, Some(&rv)) {
                Err(e) if e.reason == "Conflict" => {}
                other => return other,
            }
        }
        Err(ApiError::conflict(res.0, res.1, name))
    }

    /// A controller's `Update`/`UpdateStatus`: `f` applied to the object as the caller
    /// `read` it, stored only if that is still the stored version; otherwise 409 Conflict
    /// and nothing is written. A value computed from an older read (a whole status, a
    /// replica count) must never overwrite a write that landed after the read (an
    /// approval, a user's scale); the write that caused the conflict also wakes the
    /// controllers, whose next pass recomputes from the fresh object.
    pub fn update(
        &self,
        res: Res,
        read: &Value,
        f: impl FnOnce(&mut Value),
    ) -> ApiResult<Arc<Value>> {
        let mut new = read.clone();
        f(&mut new);
        let rv = crate::meta::s(read, &["metadata", "resourceVersion"]);
        if rv.is_empty() {
            // Never stored (or malformed): no version to hold the write to.
            return Err(ApiError::conflict(res.0, res.1, crate::meta::name(read)));
        }
        self.replace(res, new, Some(rv))
    }

    /// Removes an object, emitting DELETED.
    pub fn remove(&self, res: Res, ns: &str, name: &str) -> Option<Arc<Value>> {
        let mut inner = self.lock();
        let old = inner.objects.get_mut(&res)?.remove(&key(ns, name))?;
        inner.rv += 1;
        let mut last = (*old).clone();
        last["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
        let last = Arc::new(last);
        self.emit(&mut inner, EventType::Deleted, res, last.clone(), Some(old));
        Some(last)
    }

    /// Events of `res` after `rv` still in history plus a receiver for its later ones,
    /// taken under one lock so nothing is missed or duplicated. `Err` when `rv` is older
    /// than history.
    pub fn watch_from(&self, res: Res, rv: u64) -> Result<Subscription, u64> {
        let mut inner = self.lock();
        if rv < inner.oldest_rv {
            return Err(inner.oldest_rv);
        }
        let first_newer = inner.history.partition_point(|e| e.rv <= rv);
        let past = inner
            .history
            .range(first_newer..)
            .filter(|e| e.res == res)
            .cloned()
            .collect();
        let rx = inner
            .channels
            .entry(res)
            .or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0)
            .subscribe();
        Ok((past, rx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(name: &str) -> Value {
        json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": { "name": name, "namespace": "default" } })
    }

    #[test]
    fn resource_versions_and_no_op_updates() {
        let store = Store::new(100);
        let a = store.create(("", "configmaps"), cm("a")).unwrap();
        assert_eq!(a["metadata"]["resourceVersion"], "1");
        let same = store
            .replace(("", "configmaps"), (*a).clone(), Some("1"))
            .unwrap();
        assert_eq!(
            same["metadata"]["resourceVersion"], "1",
            "a no-op write keeps the version"
        );
        let mut changed = (*a).clone();
        changed["data"] = json!({ "k": "v" });
        assert_eq!(
            store
                .replace(("", "configmaps"), changed.clone(), Some("1"))
                .unwrap()["metadata"]["resourceVersion"],
            "2"
        );
        assert_eq!(
            store
                .replace(("", "configmaps"), changed, Some("1"))
                .unwrap_err()
                .reason,
            "Conflict"
        );
        assert_eq!(
            store
                .create(("", "configmaps"), cm("a"))
                .unwrap_err()
                .reason,
            "AlreadyExists"
        );
    }

    #[test]
    fn a_continued_list_shows_its_snapshot_whatever_changed_since() {
        let cms = ("", "configmaps");
        let store = Store::new(100);
        for name in ["a", "b", "c", "d"] {
            store.create(cms, cm(name)).unwrap();
        }
        let snapshot = store.current_rv();
        // After the first page ("a"): one created, one deleted, one changed, and one
        // created then deleted, all after the snapshot.
        store.create(cms, cm("bb")).unwrap();
        store.remove(cms, "default", "c");
        let mut changed = (*store.get(cms, "default", "d").unwrap()).clone();
        changed["data"] = json!({ "k": "new" });
        store.replace(cms, changed, None).unwrap();
        store.create(cms, cm("e")).unwrap();
        store.remove(cms, "default", "e");
        let page = store
            .list_at(cms, None, snapshot, ("default", "a"))
            .unwrap();
        let names: Vec<&str> = page.iter().map(|o| crate::meta::name(o)).collect();
        assert_eq!(names, ["b", "c", "d"]);
        assert!(page[2].get("data").is_none(), "d as it was: {}", page[2]);
        assert_eq!(page[1]["metadata"]["resourceVersion"], "3");
        let now: Vec<String> = store
            .list(cms, None)
            .0
            .iter()
            .map(|o| crate::meta::name(o).to_string())
            .collect();
        assert_eq!(now, ["a", "b", "bb", "d"]);

        let small = Store::new(2);
        for name in ["a", "b", "c", "d"] {
            small.create(cms, cm(name)).unwrap();
        }
        assert_eq!(
            small.list_at(cms, None, 1, ("default", "a")),
            Err(SnapshotExpired { oldest: 2 })
        );
    }

    #[test]
    fn watch_history_is_bounded() {
        let store = Store::new(3);
        for i in 0..10 {
            store
                .create(("", "configmaps"), cm(&format!("c{i}")))
                .unwrap();
        }
        let cms = ("", "configmaps");
        assert!(
            store.watch_from(cms, 2).is_err(),
            "version 2 fell out of history"
        );
        let (past, _) = store.watch_from(cms, 8).unwrap();
        assert_eq!(past.iter().map(|e| e.rv).collect::<Vec<_>>(), [9, 10]);
    }
}
