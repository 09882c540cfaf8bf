use leptos::prelude::*;

use crate::AppError;

/// Shows a failed call's message where the user looks for the result.
#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    view! {
        <p class="error" role="alert">
            {error.message}
        </p>
    }
}
