//! Usage history: a background sampler reads each cluster's `metrics.k8s.io` every
//! `every` seconds, keeps the latest reading in memory for the pages and appends it to
//! the database, where the last `keep` of it stays so a chart has a line, not a dot.
//! Pages read what the sampler keeps: no page view sends a request to a cluster.
//!
//! Caveat: on a large cluster only the `pods_kept` busiest pods of each sample are
//! stored, so a quiet pod's chart may be empty; its usage now is always shown.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::Duration;

use bosun_model::{NodeUsage, PodUsage, PodUsageQuery, UsagePoint, UsageReport};
use sqlx::Row;

use crate::actions::read;
use crate::authz::Target;
use crate::request::Invocation;
use crate::workloads::visibility;
use crate::{Context, Error, Result};

/// How the sampler works.
#[derive(Debug, Clone, Copy)]
pub struct Sampling {
    pub every: Duration,
    pub keep: Duration,
    /// Pods stored per cluster and sample (the busiest by CPU).
    pub pods_kept: usize,
}

impl Default for Sampling {
    fn default() -> Self {
        Self {
            every: Duration::from_secs(30),
            keep: Duration::from_secs(6 * 3600),
            pods_kept: 500,
        }
    }
}

/// Most pods one answer lists.
pub const MAX_PODS: usize = 500;

type Reading = std::result::Result<(Vec<NodeUsage>, Vec<PodUsage>), String>;

/// The latest reading of each cluster.
#[derive(Default)]
pub struct MetricsHub {
    latest: RwLock<HashMap<String, (i64, Reading)>>,
}

impl MetricsHub {
    fn set(&self, cluster: &str, at: i64, reading: Reading) {
        self.latest
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(cluster.to_string(), (at, reading));
    }

    fn get(&self, cluster: &str) -> Option<(i64, Reading)> {
        self.latest
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(cluster)
            .cloned()
    }
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Samples every connected cluster once; answers how many answered.
pub async fn sample(ctx: &Context) -> usize {
    let now = unix_now();
    let mut answered = 0;
    for (cluster, _) in ctx.clusters.connected() {
        match ctx.clusters.usage(&cluster).await {
            Ok((nodes, pods)) => {
                if let Err(e) = store(ctx, &cluster, now, &nodes, &pods).await {
                    tracing::warn!("cannot store the usage of cluster {cluster}: {e}");
                }
                ctx.metrics.set(&cluster, now, Ok((nodes, pods)));
                answered += 1;
            }
            Err(e) => ctx.metrics.set(&cluster, now, Err(e.public_message())),
        }
    }
    let oldest = now - i64::try_from(ctx.sampling.keep.as_secs()).unwrap_or(i64::MAX);
    if let Err(e) = sqlx::query("DELETE FROM metric_samples WHERE at < ?")
        .bind(oldest)
        .execute(&ctx.db)
        .await
    {
        tracing::warn!("cannot prune old usage samples: {e}");
    }
    answered
}

async fn store(
    ctx: &Context,
    cluster: &str,
    at: i64,
    nodes: &[NodeUsage],
    pods: &[PodUsage],
) -> Result<()> {
    let mut busiest: Vec<&PodUsage> = pods.iter().collect();
    busiest.sort_by(|a, b| b.cpu.total_cmp(&a.cpu));
    busiest.truncate(ctx.sampling.pods_kept);
    let mut tx = ctx.db.begin().await?;
    let rows = nodes
        .iter()
        .map(|n| ("node", "", n.name.as_str(), n.cpu, n.memory))
        .chain(busiest.iter().map(|p| {
            (
                "pod",
                p.namespace.as_str(),
                p.name.as_str(),
                p.cpu,
                p.memory,
            )
        }));
    for (kind, namespace, name, cpu, memory) in rows {
        sqlx::query(
            "INSERT INTO metric_samples (cluster, kind, namespace, name, at, cpu, memory) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(cluster)
        .bind(kind)
        .bind(namespace)
        .bind(name)
        .bind(at)
        .bind(cpu)
        .bind(memory)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Runs [`sample`] every `ctx.sampling.every` until aborted.
#[must_use]
pub fn spawn_sampler(ctx: Context) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            sample(&ctx).await;
            tokio::time::sleep(ctx.sampling.every).await;
        }
    })
}

async fn history(
    ctx: &Context,
    cluster: &str,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<Vec<UsagePoint>> {
    let since = unix_now() - i64::try_from(ctx.sampling.keep.as_secs()).unwrap_or(i64::MAX);
    let rows = sqlx::query(
        "SELECT at, cpu, memory FROM metric_samples
         WHERE cluster = ? AND kind = ? AND namespace = ? AND name = ? AND at >= ? ORDER BY at",
    )
    .bind(cluster)
    .bind(kind)
    .bind(namespace)
    .bind(name)
    .bind(since)
    .fetch_all(&ctx.db)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(UsagePoint {
                at: r.try_get("at")?,
                cpu: r.try_get("cpu")?,
                memory: r.try_get("memory")?,
            })
        })
        .collect()
}

/// The report's frame from the latest reading, or why there is none.
fn frame<T>(ctx: &Context, at: i64, message: String) -> UsageReport<T> {
    UsageReport {
        available: message.is_empty(),
        message,
        sampled_at: at,
        every_seconds: ctx.sampling.every.as_secs(),
        items: Vec::new(),
    }
}

fn latest(ctx: &Context, cluster: &str) -> (i64, Reading) {
    ctx.metrics.get(cluster).unwrap_or_else(|| {
        (
            0,
            Err(format!(
                "no usage sample of cluster {cluster} yet: the console samples every {} s",
                ctx.sampling.every.as_secs()
            )),
        )
    })
}

/// The nodes' usage now and over the kept hours (one node with `name`).
pub async fn nodes(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    name: Option<&str>,
) -> Result<UsageReport<NodeUsage>> {
    read(ctx, inv, Target::scope(cluster, ""), async {
        crate::clusters::ensure_connected(ctx, cluster)?;
        let (at, reading) = latest(ctx, cluster);
        let nodes = match reading {
            Ok((nodes, _)) => nodes,
            Err(message) => return Ok(frame(ctx, at, message)),
        };
        let mut report = frame(ctx, at, String::new());
        for mut node in nodes
            .into_iter()
            .filter(|n| name.is_none_or(|x| n.name == x))
        {
            node.history = history(ctx, cluster, "node", "", &node.name).await?;
            report.items.push(node);
        }
        if let Some(name) = name.filter(|_| report.items.is_empty()) {
            return Err(Error::NotFound(format!(
                "no usage of node {name} in cluster {cluster}: no such node, or it sends no metrics"
            )));
        }
        Ok(report)
    })
    .await
}

/// Pods' usage now, busiest first; with `name`, one pod with its history.
pub async fn pods(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    query: &PodUsageQuery,
) -> Result<UsageReport<PodUsage>> {
    let namespace = query.namespace.as_deref().filter(|n| *n != "_all");
    read(ctx, inv, Target::scope(cluster, namespace.unwrap_or("")), async {
        crate::clusters::ensure_connected(ctx, cluster)?;
        if let Some(ns) = namespace {
            crate::clusters::validate_namespace(ns)?;
        }
        let (at, reading) = latest(ctx, cluster);
        let pods = match reading {
            Ok((_, pods)) => pods,
            Err(message) => return Ok(frame(ctx, at, message)),
        };
        let visible = visibility(inv);
        let mut chosen: Vec<PodUsage> = pods
            .into_iter()
            .filter(|p| namespace.is_none_or(|ns| p.namespace == ns))
            .filter(|p| query.name.as_deref().is_none_or(|n| p.name == n))
            .filter(|p| visible(cluster, &p.namespace))
            .collect();
        chosen.sort_by(|a, b| b.cpu.total_cmp(&a.cpu));
        chosen.truncate(query.limit.unwrap_or(50).clamp(1, MAX_PODS));
        if let Some(name) = query.name.as_deref() {
            let Some(pod) = chosen.first_mut() else {
                return Err(Error::NotFound(format!(
                    "no usage of pod {name} in cluster {cluster}: no such pod, or it is not running"
                )));
            };
            pod.history = history(ctx, cluster, "pod", &pod.namespace, &pod.name).await?;
        }
        let mut report = frame(ctx, at, String::new());
        report.items = chosen;
        Ok(report)
    })
    .await
}
