//! One connected cluster: its two clients (short-timeout actions, long-lived watches), a
//! watch cache per served kind, and its health, polled in the background and read from
//! memory so no page view makes a live call.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::Duration;

use bosun_core::{Connection, Error, Result};
use bosun_model::kinds::ApiFamily;
use bosun_model::{ClusterHealth, ClusterSummary, ConnectionCheck, KindId, WatchError};
use kube::Client;
use kube::api::ApiResource;
use tokio::task::JoinHandle;

use crate::cache::{Cache, CacheState, resource_name};
use crate::counts::{self, WorkloadTally};
use crate::{config, discovery, json};

/// How often health is polled.
const HEALTH_EVERY: Duration = Duration::from_secs(15);
/// How long a health probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The clients of a cluster.
pub struct Clients {
    /// Short timeouts, no automatic retries: actions and one-off reads.
    pub action: Client,
    /// Long reads, retried: watches.
    pub watch: Client,
    /// No read timeout: followed logs.
    pub stream: Client,
}

/// What the health poll last found.
#[derive(Debug, Clone)]
struct HealthState {
    health: ClusterHealth,
    version: Option<String>,
    last_error: Option<String>,
    last_error_at: Option<String>,
    last_reachable_at: Option<String>,
}

/// A cluster Bosun is connected to (or tried to connect to: a cluster whose settings
/// cannot make a client is kept, with the reason, so it shows where people look).
pub struct Cluster {
    pub connection: Connection,
    pub server: String,
    clients: std::result::Result<Clients, String>,
    caches: RwLock<BTreeMap<KindId, Arc<Cache>>>,
    /// Whether caches are kept at all (a manager made without watches keeps none).
    watching: bool,
    /// The optional kinds found by discovery; `None` until discovery succeeded.
    optional: RwLock<Option<Vec<KindId>>>,
    /// Kinds the table does not know, from the last discovery, and when it answered.
    discovered: Mutex<Option<(std::time::Instant, Vec<bosun_model::ApiKind>)>>,
    /// The OpenAPI schemas read so far, for checking YAML.
    schemas: crate::schema::SchemaMemo,
    health: Mutex<HealthState>,
    tally: WorkloadTally,
    background: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(task) = self
            .background
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            task.abort();
        }
    }
}

fn now() -> String {
    json::now_rfc3339()
}

impl Cluster {
    /// Connects: builds the clients and, when `watch`, starts the built-in kinds' caches
    /// and a background task that polls health and discovers optional kinds. Never fails:
    /// a cluster whose settings are unusable is returned in an error state.
    pub async fn connect(
        connection: &Connection,
        demo_kubeconfig: Option<&str>,
        watch: bool,
    ) -> Arc<Self> {
        let built = match config::base_config(connection, demo_kubeconfig).await {
            Ok(base) => {
                let server = base.cluster_url.to_string();
                let clients = (|| {
                    Ok::<_, Error>(Clients {
                        action: config::action_client(&base)?,
                        watch: config::watch_client(&base)?,
                        stream: config::stream_client(&base)?,
                    })
                })();
                (server, clients.map_err(|e| e.to_string()))
            }
            Err(e) => (String::new(), Err(e.to_string())),
        };
        let (server, clients) = built;
        let name = connection.name.clone();
        let caches = match &clients {
            Ok(c) if watch => discovery::builtin()
                .into_iter()
                .filter(|(kind, _)| !kind.watched_on_demand())
                .map(|(kind, ar)| (kind, Arc::new(Cache::start(&name, c.watch.clone(), ar))))
                .collect(),
            _ => BTreeMap::new(),
        };
        let health = match &clients {
            Ok(_) => ClusterHealth::Unknown,
            Err(reason) => ClusterHealth::Unreachable(reason.clone()),
        };
        let cluster = Arc::new(Self {
            connection: connection.clone(),
            server,
            health: Mutex::new(HealthState {
                last_error: clients.as_ref().err().cloned(),
                last_error_at: clients.as_ref().err().map(|_| now()),
                health,
                version: None,
                last_reachable_at: None,
            }),
            clients,
            caches: RwLock::new(caches),
            watching: watch,
            optional: RwLock::new(None),
            discovered: Mutex::new(None),
            schemas: crate::schema::SchemaMemo::default(),
            tally: WorkloadTally::default(),
            background: Mutex::new(None),
        });
        if watch && cluster.clients.is_ok() {
            let task = tokio::spawn(background(Arc::downgrade(&cluster)));
            *cluster.background.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
        }
        cluster
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.connection.name
    }

    /// The clients, or why there are none.
    pub fn clients(&self) -> Result<&Clients> {
        self.clients.as_ref().map_err(|reason| {
            Error::Unavailable(format!("cluster {} cannot be used: {reason}", self.name()))
        })
    }

    /// The watch cache of a kind; a 404 when the cluster does not serve it, a 503 while
    /// discovery has not said yet.
    pub fn cache(&self, kind: KindId) -> Result<Arc<Cache>> {
        let clients = self.clients()?;
        if kind.watched_on_demand() && self.watching {
            return Ok(self.on_demand(kind, clients));
        }
        let caches = self.caches.read().unwrap_or_else(|e| e.into_inner());
        caches.get(&kind).cloned().ok_or_else(|| {
            let info = kind.info();
            let what = format!("{}.{}", info.plural, info.group);
            match *self.optional.read().unwrap_or_else(|e| e.into_inner()) {
                // Not known yet is not "absent": ask again once the cluster answered.
                None => Error::Unavailable(format!(
                    "cluster {}: whether it serves {what} is not known yet (it has not answered discovery); try again in a moment",
                    self.name()
                )),
                Some(_) => Error::NotFound(format!(
                    "cluster {} does not serve {what}: its API is not installed",
                    self.name()
                )),
            }
        })
    }

    /// The cache of a kind watched on demand, started by the first one to ask.
    fn on_demand(&self, kind: KindId, clients: &Clients) -> Arc<Cache> {
        if let Some(cache) = self
            .caches
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&kind)
        {
            return cache.clone();
        }
        let mut caches = self.caches.write().unwrap_or_else(|e| e.into_inner());
        caches
            .entry(kind)
            .or_insert_with(|| {
                let info = kind.info();
                let resource = discovery::api_resource(info, info.versions[0]);
                tracing::info!(cluster = self.name(), kind = %kind, "watching on demand");
                Arc::new(Cache::start(self.name(), clients.watch.clone(), resource))
            })
            .clone()
    }

    /// A kind's cache once it holds a complete list: the first look at a kind watched on
    /// demand waits (up to `patience`) for its first list instead of answering "syncing".
    pub async fn ready_cache(&self, kind: KindId, patience: Duration) -> Result<Arc<Cache>> {
        let cache = self.cache(kind)?;
        let mut changes = cache.changes();
        let deadline = tokio::time::Instant::now() + patience;
        loop {
            match cache.complete() {
                Ok(()) => return Ok(cache),
                Err(CacheState::Failed { .. }) => {
                    return Err(self.not_ready(kind.route(), &cache.state()));
                }
                Err(state) => {
                    let wait = tokio::time::timeout_at(deadline, changes.changed()).await;
                    if !matches!(wait, Ok(Ok(()))) {
                        return Err(self.not_ready(kind.route(), &state));
                    }
                }
            }
        }
    }

    /// The kinds the table does not know, if discovered less than `ttl` ago.
    #[must_use]
    pub fn discovered(&self, ttl: Duration) -> Option<Vec<bosun_model::ApiKind>> {
        let memo = self.discovered.lock().unwrap_or_else(|e| e.into_inner());
        memo.as_ref()
            .filter(|(at, _)| at.elapsed() < ttl)
            .map(|(_, kinds)| kinds.clone())
    }

    /// The OpenAPI schemas read from this cluster so far.
    #[must_use]
    pub fn schemas(&self) -> &crate::schema::SchemaMemo {
        &self.schemas
    }

    /// Keeps a discovery answer for [`Cluster::discovered`].
    pub fn remember_discovered(&self, kinds: Vec<bosun_model::ApiKind>, at: std::time::Instant) {
        *self.discovered.lock().unwrap_or_else(|e| e.into_inner()) = Some((at, kinds));
    }

    /// The API resource of a kind in this cluster (at the version discovery chose).
    pub fn resource(&self, kind: KindId) -> Result<ApiResource> {
        Ok(self.cache(kind)?.resource.clone())
    }

    /// The kinds served, in table order.
    #[must_use]
    pub fn kinds(&self) -> Vec<KindId> {
        self.caches
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .copied()
            .collect()
    }

    /// Names of the namespaces, from the cache.
    pub fn namespace_names(&self) -> Result<Vec<String>> {
        let objects = self
            .cache(KindId::Namespace)?
            .objects()
            .map_err(|state| self.not_ready("namespaces", &state))?;
        let mut names: Vec<String> = objects
            .iter()
            .filter_map(|o| o.metadata.name.clone())
            .collect();
        names.sort();
        Ok(names)
    }

    /// The cached nodes, or why there are none yet.
    pub fn node_objects(&self) -> Result<Vec<Arc<kube::api::DynamicObject>>> {
        self.cache(KindId::Node)?
            .objects()
            .map_err(|state| self.not_ready("nodes", &state))
    }

    /// The error for a list whose cache holds nothing complete: still syncing, or failing.
    #[must_use]
    pub fn not_ready(&self, what: &str, state: &CacheState) -> Error {
        match state {
            CacheState::Syncing { seen } => Error::Unavailable(format!(
                "cluster {}: {what} are syncing ({seen} so far); try again in a moment",
                self.name()
            )),
            CacheState::Failed { reason, .. } => Error::Unavailable(format!(
                "cluster {}: cannot watch {what}: {reason}",
                self.name()
            )),
            CacheState::Ready => Error::Internal("cache ready but empty".into()),
        }
    }

    /// Records the outcome of a call that says something about reachability.
    fn record_health(&self, result: std::result::Result<String, String>) {
        let mut h = self.health.lock().unwrap_or_else(|e| e.into_inner());
        match result {
            Ok(version) => {
                h.health = ClusterHealth::Reachable;
                h.version = Some(version);
                h.last_reachable_at = Some(now());
            }
            Err(reason) => {
                h.health = ClusterHealth::Unreachable(reason.clone());
                h.last_error = Some(reason);
                h.last_error_at = Some(now());
            }
        }
    }

    /// Asks the API server for its version, once.
    pub async fn probe(&self) -> ConnectionCheck {
        let result = match self.clients() {
            Err(e) => Err(e.to_string()),
            Ok(c) => {
                match tokio::time::timeout(PROBE_TIMEOUT, c.action.apiserver_version()).await {
                    Ok(Ok(info)) => Ok(info.git_version),
                    Ok(Err(e)) => Err(crate::error::from_kube(self.name(), e).to_string()),
                    Err(_) => Err(format!("no answer within {} s", PROBE_TIMEOUT.as_secs())),
                }
            }
        };
        let check = ConnectionCheck {
            reachable: result.is_ok(),
            server: self.server.clone(),
            version: result.as_ref().ok().cloned(),
            error: result.as_ref().err().cloned(),
        };
        self.record_health(result);
        check
    }

    /// Starts caches for the optional kinds the cluster serves, once discovery answers.
    async fn discover(&self) {
        if self
            .optional
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
        {
            return;
        }
        let Ok(clients) = self.clients() else { return };
        match discovery::optional(&clients.action).await {
            Ok(found) => {
                let mut caches = self.caches.write().unwrap_or_else(|e| e.into_inner());
                for (kind, ar) in &found {
                    caches.entry(*kind).or_insert_with(|| {
                        Arc::new(Cache::start(self.name(), clients.watch.clone(), ar.clone()))
                    });
                }
                let kinds: Vec<KindId> = found.iter().map(|(k, _)| *k).collect();
                tracing::info!(cluster = self.name(), ?kinds, "optional kinds discovered");
                *self.optional.write().unwrap_or_else(|e| e.into_inner()) = Some(kinds);
            }
            Err(e) => tracing::warn!(
                cluster = self.name(),
                "discovery failed (will retry): {}",
                crate::error::causes(&e)
            ),
        }
    }

    /// The Clusters page's card, from memory.
    #[must_use]
    pub fn summary(&self) -> ClusterSummary {
        let h = self
            .health
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let nodes = self
            .cache(KindId::Node)
            .ok()
            .and_then(|c| counts::nodes(&c));
        let caches: Vec<(KindId, Arc<Cache>)> = self
            .caches
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(k, c)| (*k, c.clone()))
            .collect();
        let watch_errors = caches
            .iter()
            .filter_map(|(_, cache)| match cache.state() {
                CacheState::Failed { reason, .. } => Some(WatchError {
                    resource: resource_name(&cache.resource),
                    reason,
                }),
                _ => None,
            })
            .collect();
        let workloads = self.tally.counts(self.name(), &caches);
        let optional_kinds = caches
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| k.info().family != ApiFamily::Kubernetes)
            .collect();
        ClusterSummary {
            name: self.connection.name.clone(),
            description: self.connection.description.clone(),
            environment: self.connection.environment,
            default_namespace: self.connection.default_namespace.clone(),
            source: self.connection.source,
            context: self.connection.context.clone(),
            server: self.server.clone(),
            version: h.version,
            health: h.health,
            last_error: h.last_error,
            last_error_at: h.last_error_at,
            last_reachable_at: h.last_reachable_at,
            nodes,
            namespaces: self
                .cache(KindId::Namespace)
                .ok()
                .and_then(|c| c.objects().ok())
                .map(|n| n.len()),
            workloads,
            optional_kinds,
            watch_errors,
            // Which cluster is the default is the domain's record, not the connection's.
            default: false,
        }
    }
}

/// Polls health and, until it succeeds, discovery. Ends when the cluster is dropped.
async fn background(cluster: Weak<Cluster>) {
    loop {
        let Some(c) = cluster.upgrade() else { return };
        let check = c.probe().await;
        if check.reachable {
            c.discover().await;
        }
        drop(c);
        tokio::time::sleep(HEALTH_EVERY).await;
    }
}
