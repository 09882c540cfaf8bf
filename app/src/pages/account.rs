//! `/account`: a person's own account — their password, "sign out everywhere", and the
//! API tokens their scripts use (made, listed and revoked here; a secret shown once).

use bosun_model::{DEFAULT_TOKEN_DAYS, IssuedToken, MAX_TOKEN_DAYS, Me, NewToken, TokenScope};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::account::{
    change_my_password, create_my_token, list_my_tokens, sign_out_everywhere,
};
use crate::components::{ErrorBox, TokenTable, use_toasts};

#[component]
pub fn AccountPage() -> impl IntoView {
    let me = use_context::<Me>();
    if me.as_ref().is_some_and(|me| me.must_change_password) {
        return view! { <FirstPasswordPage /> }.into_any();
    }
    let refresh = RwSignal::new(0u32);
    let tokens = Resource::new(move || refresh.get(), |_| list_my_tokens());
    view! {
        <Title text="Your account" />
        <h1>"Your account"</h1>
        {me.map(|me| view! {
            <p class="summary" data-testid="account-who">{format!("Signed in as {} ({})", me.username, me.role)}</p>
        })}
        <h2>"API tokens"</h2>
        <p class="muted">"For scripts and CI: send one as "<code>"Authorization: Bearer …"</code>". A read token can never change anything; a full one acts with your role. Each expires."</p>
        <NewTokenForm refresh />
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty-state">"No tokens yet."</p> }.into_any(),
                    Ok(rows) => view! { <TokenTable rows refresh everyone=false /> }.into_any(),
                }
            })}
        </Transition>
        <h2>"Password"</h2>
        <PasswordForm />
        <h2>"Sessions"</h2>
        <SignOutEverywhere />
    }
    .into_any()
}

/// All a first admin with a generated password sees: the console opens once they have
/// chosen their own (the server refuses everything else until then).
#[component]
fn FirstPasswordPage() -> impl IntoView {
    view! {
        <Title text="Choose your password" />
        <h1>"Choose your password"</h1>
        <p class="warning" data-testid="first-password-notice">
            "This account's password was generated when Bosun first started and is stored in a file on the server. "
            "Choose your own before doing anything else; the file is removed at the next start."
        </p>
        // A whole new page: the shell was built for someone who could do nothing else.
        <PasswordForm on_changed=Callback::new(|()| crate::browser::load_page("/")) />
    }
}

#[component]
fn NewTokenForm(refresh: RwSignal<u32>) -> impl IntoView {
    let label = RwSignal::new(String::new());
    let scope = RwSignal::new("read".to_string());
    let days = RwSignal::new(DEFAULT_TOKEN_DAYS.to_string());
    let issued = RwSignal::new(None::<IssuedToken>);
    let busy = RwSignal::new(false);
    let toasts = use_toasts();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(expires_days) = days.get_untracked().trim().parse::<u32>() else {
            toasts.error(&crate::AppError::new(
                bosun_model::ErrorCode::BadRequest,
                format!("Expires in: a whole number of days, 1 to {MAX_TOKEN_DAYS}"),
            ));
            return;
        };
        let wanted = NewToken {
            label: label.get_untracked(),
            scope: scope.get_untracked().parse::<TokenScope>().ok(),
            expires_days: Some(expires_days),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match create_my_token(wanted).await {
                Ok(token) => {
                    issued.set(Some(token));
                    label.set(String::new());
                    refresh.update(|n| *n += 1);
                }
                Err(error) => toasts.error(&error),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="stacked narrow" data-testid="new-token" on:submit=submit>
            <label for="token-label">"Label"</label>
            <input id="token-label" required maxlength="128" placeholder="grafana dashboards" prop:value=label on:input=move |ev| label.set(event_target_value(&ev)) />
            <label for="token-scope">"Scope"</label>
            <select id="token-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                <option value="read" selected=true>"read: can never change anything"</option>
                <option value="role">"full: acts with your role"</option>
            </select>
            <label for="token-days">"Expires in (days)"</label>
            <input id="token-days" type="number" min="1" max=MAX_TOKEN_DAYS.to_string() prop:value=days on:input=move |ev| days.set(event_target_value(&ev)) />
            <button type="submit" class="primary" disabled=move || busy.get()>"Create token"</button>
        </form>
        {move || issued.get().map(|token| view! {
            <div class="issued-token" data-testid="issued-token" role="status">
                <p>{format!("Token {} ({} scope, expires {}). Copy it now: it is not shown again.", token.id, token.scope, token.expires_at)}</p>
                <p><code class="secret-value">{token.token.clone()}</code></p>
                <button type="button" on:click=move |_| issued.set(None)>"I have copied it"</button>
            </div>
        })}
    }
}

/// `on_changed` runs after a successful change (the fields are cleared either way).
#[component]
fn PasswordForm(#[prop(optional)] on_changed: Option<Callback<()>>) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let toasts = use_toasts();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if new.get_untracked() != again.get_untracked() {
            toasts.error(&crate::AppError::new(
                bosun_model::ErrorCode::BadRequest,
                "The new password and its repetition differ".to_string(),
            ));
            return;
        }
        let (c, n) = (current.get_untracked(), new.get_untracked());
        leptos::task::spawn_local(async move {
            match change_my_password(c, n).await {
                Ok(()) => {
                    toasts.ok(
                        "Password changed; your other sessions and tokens have ended".to_string(),
                    );
                    for field in [current, new, again] {
                        field.set(String::new());
                    }
                    if let Some(on_changed) = on_changed {
                        on_changed.run(());
                    }
                }
                Err(error) => toasts.error(&error),
            }
        });
    };
    view! {
        <form class="stacked narrow" data-testid="password-form" on:submit=submit>
            <label for="current-password">"Current password"</label>
            <input id="current-password" type="password" required autocomplete="current-password" prop:value=current on:input=move |ev| current.set(event_target_value(&ev)) />
            <label for="new-password">"New password (12 characters or more)"</label>
            <input id="new-password" type="password" required minlength="12" autocomplete="new-password" prop:value=new on:input=move |ev| new.set(event_target_value(&ev)) />
            <label for="again-password">"New password again"</label>
            <input id="again-password" type="password" required minlength="12" autocomplete="new-password" prop:value=again on:input=move |ev| again.set(event_target_value(&ev)) />
            <button type="submit" class="primary">"Change password"</button>
        </form>
    }
}

#[component]
fn SignOutEverywhere() -> impl IntoView {
    let toasts = use_toasts();
    let click = move |_| {
        leptos::task::spawn_local(async move {
            if let Err(error) = sign_out_everywhere().await {
                toasts.error(&error);
            }
        });
    };
    view! {
        <p class="muted">"Ends every session of yours (other browsers and phones too) and every API token, this session included."</p>
        <button type="button" data-testid="sign-out-everywhere" on:click=click>"Sign out everywhere"</button>
    }
}
