//! The coloured word for a workload's health.

use bosun_model::Health;
use leptos::prelude::*;

#[component]
pub fn HealthBadge(
    health: Health,
    #[prop(default = None)] reason: Option<String>,
) -> impl IntoView {
    let title = reason.clone().unwrap_or_default();
    view! {
        <span class=format!("health health-{}", health.as_str()) title=title>
            {health.as_str()}
            {reason.filter(|_| health == Health::Failed).map(|r| view! { <span class="reason">{format!(": {r}")}</span> })}
        </span>
    }
}
