//! The clusters Bosun knows, each with its client and watch caches.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, RwLock};

use k8s_openapi::api::core::v1::{Namespace, Node};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Api, Client, Config};

use crate::cache::WatchCache;
use crate::{Error, Result};

/// A connected cluster.
pub struct Cluster {
    pub name: String,
    /// The API server URL, shown to people; credentials stay in the client.
    pub server: String,
    pub client: Client,
    pub nodes: WatchCache<Node>,
    pub namespaces: WatchCache<Namespace>,
}

/// Every cluster, by name. Shared by the server functions and the REST API.
#[derive(Default)]
pub struct ClusterRegistry {
    clusters: RwLock<BTreeMap<String, Arc<Cluster>>>,
}

impl ClusterRegistry {
    /// Connects to the current (or given) context of a kubeconfig file and registers it
    /// under `name`. Must run inside a tokio runtime (the watch caches start here).
    pub async fn connect_kubeconfig(
        &self,
        name: &str,
        path: &Path,
        context: Option<&str>,
    ) -> Result<Arc<Cluster>> {
        let bad = |reason: String| Error::Kubeconfig {
            path: path.display().to_string(),
            reason,
        };
        let kubeconfig = Kubeconfig::read_from(path).map_err(|e| bad(e.to_string()))?;
        let options = KubeConfigOptions {
            context: context.map(str::to_string),
            ..KubeConfigOptions::default()
        };
        let config = Config::from_custom_kubeconfig(kubeconfig, &options)
            .await
            .map_err(|e| bad(e.to_string()))?;
        self.register(name, config)
    }

    /// Registers a cluster from a ready client configuration.
    pub fn register(&self, name: &str, config: Config) -> Result<Arc<Cluster>> {
        let server = config.cluster_url.to_string();
        let client = Client::try_from(config).map_err(|e| Error::from_kube(name, e))?;
        let cluster = Arc::new(Cluster {
            name: name.to_string(),
            server,
            nodes: WatchCache::start(name, Api::all(client.clone())),
            namespaces: WatchCache::start(name, Api::all(client.clone())),
            client,
        });
        let mut clusters = self.clusters.write().unwrap_or_else(|e| e.into_inner());
        if clusters.contains_key(name) {
            return Err(Error::DuplicateCluster(name.to_string()));
        }
        clusters.insert(name.to_string(), cluster.clone());
        Ok(cluster)
    }

    /// The cluster called `name`.
    pub fn get(&self, name: &str) -> Result<Arc<Cluster>> {
        let clusters = self.clusters.read().unwrap_or_else(|e| e.into_inner());
        clusters
            .get(name)
            .cloned()
            .ok_or_else(|| Error::UnknownCluster(name.to_string()))
    }

    /// Every cluster, by name.
    #[must_use]
    pub fn all(&self) -> Vec<Arc<Cluster>> {
        let clusters = self.clusters.read().unwrap_or_else(|e| e.into_inner());
        clusters.values().cloned().collect()
    }
}
