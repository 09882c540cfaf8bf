//! The counts on a cluster's card: nodes ready, workloads healthy. Counting health reads
//! every cached workload, so the workload counts are kept until a workload cache changes,
//! and recomputed at most every few seconds however busy the cluster is.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bosun_model::{Category, Health, KindId, NodeCounts, WorkloadCounts};

use crate::cache::Cache;
use crate::rows;

/// Longest a card's workload counts lag behind the caches.
const RECOUNT_EVERY: Duration = Duration::from_secs(2);

/// Nodes total, ready and cordoned.
#[must_use]
pub fn nodes(cache: &Cache) -> Option<NodeCounts> {
    let nodes = cache.objects().ok()?;
    Some(NodeCounts {
        total: nodes.len(),
        ready: nodes.iter().filter(|n| rows::node_ready(n)).count(),
        unschedulable: nodes.iter().filter(|n| rows::node_cordoned(n)).count(),
    })
}

struct Counted {
    at: Instant,
    versions: u64,
    counts: Option<WorkloadCounts>,
}

/// Workload counts of one cluster, remembered between cards.
#[derive(Default)]
pub struct WorkloadTally {
    last: Mutex<Option<Counted>>,
}

impl WorkloadTally {
    /// Healthy and total workloads; `None` while a workload cache has no complete list.
    pub fn counts(&self, cluster: &str, caches: &[(KindId, Arc<Cache>)]) -> Option<WorkloadCounts> {
        let workloads: Vec<&(KindId, Arc<Cache>)> = caches
            .iter()
            .filter(|(k, _)| k.info().category == Category::Workload)
            .collect();
        let versions = workloads
            .iter()
            .map(|(_, c)| c.version())
            .fold(0u64, u64::wrapping_add);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(l) = last.as_ref()
            && (l.versions == versions || l.at.elapsed() < RECOUNT_EVERY)
        {
            return l.counts;
        }
        let mut counts = Some(WorkloadCounts {
            healthy: 0,
            total: 0,
        });
        for (kind, cache) in workloads {
            match (cache.objects(), counts.as_mut()) {
                (Ok(objects), Some(c)) => {
                    c.total += objects.len();
                    c.healthy += objects
                        .iter()
                        .filter(|o| rows::workload_row(cluster, *kind, o).health == Health::Healthy)
                        .count();
                }
                _ => counts = None,
            }
        }
        *last = Some(Counted {
            at: Instant::now(),
            versions,
            counts,
        });
        counts
    }
}
