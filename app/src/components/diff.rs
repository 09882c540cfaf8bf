//! A unified-style diff of two pod templates.

use bosun_model::diff::DiffLine;
use leptos::prelude::*;

/// Lines kept, removed and added; unchanged runs longer than a few lines are folded.
#[component]
pub fn DiffView(lines: Vec<DiffLine>) -> impl IntoView {
    if !bosun_model::diff::has_changes(&lines) {
        return view! { <p class="muted" data-testid="diff">"No difference in the pod template."</p> }.into_any();
    }
    let shown: Vec<(&'static str, String)> = fold(&lines);
    view! {
        <pre class="diff" data-testid="diff">
            {shown.into_iter().map(|(class, text)| view! { <span class=class>{text}"\n"</span> }).collect_view()}
        </pre>
    }
    .into_any()
}

/// Keeps three lines of context around changes.
fn fold(lines: &[DiffLine]) -> Vec<(&'static str, String)> {
    const CONTEXT: usize = 3;
    let changed: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !matches!(l, DiffLine::Same(_)))
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| changed.iter().any(|c| c.abs_diff(i) <= CONTEXT);
    let mut out = Vec::new();
    let mut skipped = false;
    for (i, line) in lines.iter().enumerate() {
        if !near(i) {
            if !skipped {
                out.push(("fold", "  …".to_string()));
                skipped = true;
            }
            continue;
        }
        skipped = false;
        out.push(match line {
            DiffLine::Same(t) => ("same", format!("  {t}")),
            DiffLine::Removed(t) => ("removed", format!("- {t}")),
            DiffLine::Added(t) => ("added", format!("+ {t}")),
        });
    }
    out
}
