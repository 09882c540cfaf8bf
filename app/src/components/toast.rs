//! Toasts: every action is answered by one, saying what happened (or what the cluster or
//! Bosun said when it did not).

use std::time::Duration;

use leptos::prelude::*;

use crate::AppError;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Toast {
    id: u64,
    ok: bool,
    text: String,
}

/// The toast stack, provided once by the shell and used by every page.
#[derive(Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: RwSignal<u64>,
}

/// How long a toast stays.
const SHOWN_FOR: Duration = Duration::from_secs(8);

impl Toasts {
    fn push(self, ok: bool, text: String) {
        let id = self.next.get_untracked();
        self.next.set(id + 1);
        self.items.update(|items| {
            items.push(Toast { id, ok, text });
            // A burst of results (a batch) keeps only the newest few on screen.
            if items.len() > 5 {
                items.remove(0);
            }
        });
        set_timeout(
            move || self.items.update(|items| items.retain(|t| t.id != id)),
            SHOWN_FOR,
        );
    }

    pub fn ok(self, text: impl Into<String>) {
        self.push(true, text.into());
    }

    /// A failure, with the cluster's reason when it gave one.
    pub fn error(self, error: &AppError) {
        let text = match &error.reason {
            Some(reason) => format!("{} ({reason})", error.message),
            None => error.message.clone(),
        };
        self.push(false, text);
    }
}

/// The toasts of the page; call [`provide_toasts`] first.
#[must_use]
pub fn use_toasts() -> Toasts {
    use_context::<Toasts>().unwrap_or_else(provide_toasts)
}

/// Creates the stack and provides it to everything below.
pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        items: RwSignal::new(Vec::new()),
        next: RwSignal::new(0),
    };
    provide_context(toasts);
    toasts
}

/// Where toasts appear (bottom of the screen, above everything).
#[component]
pub fn ToastStack() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            <For each=move || toasts.items.get() key=|t| t.id let:toast>
                <div class=if toast.ok { "toast ok" } else { "toast bad" } data-testid="toast">
                    <span>{toast.text.clone()}</span>
                    <button
                        class="toast-close"
                        aria-label="Dismiss"
                        on:click=move |_| toasts.items.update(|items| items.retain(|t| t.id != toast.id))
                    >
                        "×"
                    </button>
                </div>
            </For>
        </div>
    }
}
