//! Runs a demo cluster until Ctrl-C: `cargo run -p bosun-demo-cluster --example serve -- /tmp/demo.kubeconfig [time_scale]`.

use bosun_demo_cluster::{DemoCluster, DemoConfig};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_else(|| "demo.kubeconfig".into());
    let time_scale = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0);
    let cluster = DemoCluster::start(DemoConfig {
        time_scale,
        record_requests: true,
        ..DemoConfig::default()
    })
    .await?;
    cluster.write_kubeconfig(std::path::Path::new(&path), "bosun-demo")?;
    println!("demo cluster at {} (kubeconfig {path})", cluster.url());
    tokio::signal::ctrl_c().await?;
    for r in cluster.recorded_requests() {
        eprintln!(
            "{} {}?{} [{}] {}",
            r.method,
            r.path,
            r.query,
            r.content_type,
            r.body.chars().take(300).collect::<String>()
        );
    }
    cluster.shutdown().await;
    Ok(())
}
