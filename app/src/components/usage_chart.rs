//! Usage charts: CPU and memory over the hours the console keeps, as SVG lines against
//! what bounds them (a node's allocatable capacity, a pod's requests and limits). Drawn
//! from the console's samples; they look again each sampling period.

use bosun_model::{NodeUsage, PodUsage, PodUsageQuery, UsagePoint, UsageReport};
use leptos::prelude::*;

use crate::api::metrics::{fetch_node_usage, fetch_pod_usage};

const WIDTH: f64 = 300.0;
const HEIGHT: f64 = 90.0;

/// `0.25` cores → `250m`, `2.5` → `2.5`.
#[must_use]
pub fn cores(value: f64) -> String {
    if value < 1.0 {
        format!("{}m", (value * 1000.0).round())
    } else {
        format!("{:.2}", value)
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// Bytes in the largest binary unit that keeps a number ≥ 1.
#[must_use]
pub fn bytes(value: f64) -> String {
    const UNITS: [(&str, f64); 3] = [("Gi", 1_073_741_824.0), ("Mi", 1_048_576.0), ("Ki", 1024.0)];
    UNITS.iter().find(|(_, size)| value >= *size).map_or_else(
        || format!("{value:.0}"),
        |(unit, size)| format!("{:.1}{unit}", value / size),
    )
}

/// The polyline of `points` in a `WIDTH` × `HEIGHT` box whose top is `top`.
#[must_use]
pub fn polyline(points: &[(i64, f64)], top: f64) -> String {
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        return String::new();
    };
    let span = (last.0 - first.0).max(1) as f64;
    points
        .iter()
        .map(|(at, v)| {
            let x = (*at - first.0) as f64 / span * WIDTH;
            let y = HEIGHT - (v / top).clamp(0.0, 1.0) * HEIGHT;
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// One resource over time with its bounds (`(label, value)`, 0 = unset, not drawn).
#[component]
pub fn UsageChart(
    title: &'static str,
    points: Vec<(i64, f64)>,
    bounds: Vec<(&'static str, f64)>,
    show: fn(f64) -> String,
    testid: &'static str,
) -> impl IntoView {
    let bounds: Vec<(&'static str, f64)> = bounds.into_iter().filter(|(_, v)| *v > 0.0).collect();
    let peak = points.iter().map(|(_, v)| *v).fold(0.0_f64, f64::max);
    // A bound far above the line would flatten it against the floor: such a bound is
    // named in the caption, not drawn.
    let drawn: Vec<(&'static str, f64)> = bounds
        .iter()
        .copied()
        .filter(|(_, v)| peak <= 0.0 || *v <= peak * 3.0)
        .collect();
    let highest = drawn.iter().map(|(_, v)| *v).fold(peak, f64::max);
    let top = if highest > 0.0 { highest * 1.15 } else { 1.0 };
    let now = points.last().map(|(_, v)| *v);
    let summary = match (now, bounds.first()) {
        (Some(v), Some((label, b))) => {
            format!(
                "{} of {} {label} ({:.0}%)",
                show(v),
                show(*b),
                v / b * 100.0
            )
        }
        (Some(v), None) => show(v),
        (None, _) => "no sample yet".to_string(),
    };
    let line = polyline(&points, top);
    let count = points.len();
    view! {
        <figure class="usage-chart" data-testid=testid>
            <figcaption><strong>{title}</strong>" "<span class="muted">{summary}</span></figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=format!("{title} over time")>
                {drawn.iter().enumerate().map(|(i, (label, v))| {
                    let y = HEIGHT - (v / top).clamp(0.0, 1.0) * HEIGHT;
                    view! {
                        <line class=format!("bound bound-{i}") x1="0" x2=WIDTH.to_string() y1=format!("{y:.1}") y2=format!("{y:.1}") />
                        <text class="bound-label" x="2" y=format!("{:.1}", (y - 2.0).max(8.0))>{format!("{label} {}", show(*v))}</text>
                    }
                }).collect_view()}
                {(count > 1).then(|| view! { <polyline class="usage-line" data-testid="usage-line" data-points=count.to_string() points=line.clone() /> })}
                {(count == 1).then(|| view! { <circle class="usage-dot" cx=WIDTH.to_string() cy=format!("{:.1}", HEIGHT - (now.unwrap_or(0.0) / top) * HEIGHT) r="2" /> })}
            </svg>
        </figure>
    }
}

fn series(history: &[UsagePoint], pick: fn(&UsagePoint) -> f64) -> Vec<(i64, f64)> {
    history.iter().map(|p| (p.at, pick(p))).collect()
}

/// Looks again one sampling period after each answer (in the browser only).
fn poll<T: Clone + Send + Sync + 'static>(
    report: Resource<Result<UsageReport<T>, crate::AppError>>,
    refresh: RwSignal<u32>,
) {
    Effect::new(move |_| {
        if let Some(Ok(r)) = report.get() {
            let wait = std::time::Duration::from_secs(r.every_seconds.clamp(1, 300));
            set_timeout(move || refresh.update(|n| *n += 1), wait);
        }
    });
}

fn unavailable<T>(report: &UsageReport<T>) -> Option<AnyView> {
    (!report.available).then(|| {
        view! { <p class="muted" data-testid="usage-unavailable">{report.message.clone()}</p> }
            .into_any()
    })
}

/// Renders `inner` only in the browser, after hydration: the charts follow the sampler
/// on their own, and a server-rendered copy of a resource nested in the page's own
/// would have to hydrate identically for nothing.
fn in_browser(inner: impl Fn() -> AnyView + Send + Sync + 'static) -> impl IntoView {
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    move || mounted.get().then(&inner)
}

/// A node's CPU and memory against its allocatable capacity.
#[component]
pub fn NodeUsageCharts(cluster: String, name: String) -> impl IntoView {
    in_browser(move || {
        let (cluster, name) = (cluster.clone(), name.clone());
        followed(
            move || fetch_node_usage(cluster.clone(), Some(name.clone())),
            |node| node_charts(node).into_any(),
        )
        .into_any()
    })
}

/// A pod's CPU and memory against its requests and limits.
#[component]
pub fn PodUsageCharts(cluster: String, namespace: String, name: String) -> impl IntoView {
    in_browser(move || {
        let (cluster, namespace, name) = (cluster.clone(), namespace.clone(), name.clone());
        followed(
            move || {
                let query = PodUsageQuery {
                    namespace: Some(namespace.clone()),
                    name: Some(name.clone()),
                    limit: Some(1),
                };
                fetch_pod_usage(cluster.clone(), query)
            },
            |pod| pod_charts(pod).into_any(),
        )
        .into_any()
    })
}

/// The first item of a usage report, drawn by `draw`, fetched again each sampling period;
/// the report's reason when the cluster has no usage to show.
fn followed<T, Fut>(
    fetch: impl Fn() -> Fut + Send + Sync + 'static,
    draw: fn(T) -> AnyView,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<UsageReport<T>, crate::AppError>> + Send + 'static,
{
    let refresh = RwSignal::new(0u32);
    let report = Resource::new(move || refresh.get(), move |_| fetch());
    poll(report, refresh);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match report.await {
                    Err(e) => view! { <p class="muted">{e.message}</p> }.into_any(),
                    Ok(r) => match unavailable(&r) {
                        Some(why) => why,
                        None => r.items.first().cloned().map_or_else(|| ().into_any(), draw),
                    },
                }
            })}
        </Transition>
    }
}

fn node_charts(node: NodeUsage) -> impl IntoView {
    view! {
        <div class="usage-charts">
            <UsageChart title="CPU" points=series(&node.history, |p| p.cpu) bounds=vec![("allocatable", node.cpu_allocatable)] show=cores testid="chart-cpu" />
            <UsageChart title="Memory" points=series(&node.history, |p| p.memory) bounds=vec![("allocatable", node.memory_allocatable)] show=bytes testid="chart-memory" />
        </div>
    }
}

fn pod_charts(pod: PodUsage) -> impl IntoView {
    view! {
        <div class="usage-charts">
            <UsageChart title="CPU" points=series(&pod.history, |p| p.cpu) bounds=vec![("request", pod.cpu_requests), ("limit", pod.cpu_limits)] show=cores testid="chart-cpu" />
            <UsageChart title="Memory" points=series(&pod.history, |p| p.memory) bounds=vec![("request", pod.memory_requests), ("limit", pod.memory_limits)] show=bytes testid="chart-memory" />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_read_like_kubectl_top() {
        assert_eq!(cores(0.25), "250m");
        assert_eq!(cores(2.5), "2.5");
        assert_eq!(cores(4.0), "4");
        assert_eq!(bytes(268_435_456.0), "256.0Mi");
        assert_eq!(bytes(512.0), "512");
    }

    #[test]
    fn a_line_spans_the_box_from_first_to_last_sample() {
        let line = polyline(&[(100, 0.0), (110, 1.0), (120, 2.0)], 2.0);
        assert_eq!(line, "0.0,90.0 150.0,45.0 300.0,0.0");
        assert_eq!(polyline(&[], 1.0), "");
    }
}
