//! The built-in demo cluster: started in-process by `bosun serve` (unless `--no-demo`),
//! or alone by `bosun demo-cluster`.

use std::path::Path;

use bosun_demo_cluster::{DemoCluster, DemoConfig, ScaleSpec};

use crate::cli::DemoClusterArgs;
use crate::server::ServerError;

/// The context name the demo cluster has in Bosun and in its kubeconfig.
pub const DEMO_CLUSTER_NAME: &str = "demo";

/// Starts the demo cluster on a free loopback port and writes `<data dir>/demo.kubeconfig`
/// so `kubectl` can look at the same world the console shows. Returns the cluster and
/// its kubeconfig, which Bosun connects to like any other.
pub async fn start_embedded(
    data_dir: &Path,
    time_scale: f64,
    record_requests: bool,
    pods: usize,
) -> Result<(DemoCluster, String), ServerError> {
    let config = DemoConfig {
        time_scale,
        record_requests,
        scale: (pods > 0).then_some(ScaleSpec { pods }),
        ..DemoConfig::default()
    };
    let cluster = DemoCluster::start(config)
        .await
        .map_err(|e| ServerError::Demo(e.to_string()))?;
    std::fs::create_dir_all(data_dir).map_err(|e| {
        ServerError::DataDir(bosun_core::Error::BadRequest(format!(
            "{}: {e}",
            data_dir.display()
        )))
    })?;
    let kubeconfig = data_dir.join("demo.kubeconfig");
    // It carries the demo cluster's admin token: owner-only before anything is written.
    let _ = std::fs::remove_file(&kubeconfig);
    bosun_core::db::create_private_file(&kubeconfig)
        .map_err(|e| ServerError::Demo(format!("{}: {e}", kubeconfig.display())))?;
    cluster
        .write_kubeconfig(&kubeconfig, DEMO_CLUSTER_NAME)
        .map_err(|e| ServerError::Demo(e.to_string()))?;
    tracing::info!(
        "demo cluster running at {}; try: kubectl --kubeconfig {} get pods -A",
        cluster.url(),
        kubeconfig.display()
    );
    let yaml = cluster.kubeconfig_yaml(DEMO_CLUSTER_NAME);
    Ok((cluster, yaml))
}

/// Starts the demo cluster alone, as `bosun demo-cluster` does.
pub async fn start_standalone(args: &DemoClusterArgs) -> Result<DemoCluster, ServerError> {
    let listen =
        crate::config::parse_listen(&args.listen).map_err(|e| ServerError::Demo(e.problem))?;
    let config = DemoConfig {
        listen,
        scale: (args.pods > 0).then_some(ScaleSpec { pods: args.pods }),
        ..DemoConfig::default()
    };
    let cluster = DemoCluster::start(config)
        .await
        .map_err(|e| ServerError::Demo(e.to_string()))?;
    if let Some(path) = &args.kubeconfig_out {
        cluster
            .write_kubeconfig(path, DEMO_CLUSTER_NAME)
            .map_err(|e| ServerError::Demo(e.to_string()))?;
        tracing::info!("wrote kubeconfig to {}", path.display());
    }
    tracing::info!("demo cluster running at {}", cluster.url());
    Ok(cluster)
}
