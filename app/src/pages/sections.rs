//! Section pages whose content arrives with later cluster features. Each says plainly what
//! it will show, so the navigation is honest about what exists today.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
fn Section(title: &'static str, what: &'static str) -> impl IntoView {
    view! {
        <Title text=title />
        <h1>{title}</h1>
        <p class="empty-state">{what}</p>
    }
}

#[component]
pub fn RolloutsPage() -> impl IntoView {
    view! { <Section title="Rollouts" what="OpenKruise canary rollouts, their steps and approvals." /> }
}

#[component]
pub fn VirtualMachinesPage() -> impl IntoView {
    view! { <Section title="Virtual machines" what="KubeVirt virtual machines: start, stop and restart." /> }
}
