//! API tokens as a table: a person's own on their account page, everyone's (with the
//! owner) on the admin page, each active one with a Revoke button.

use bosun_model::TokenInfo;
use leptos::prelude::*;

use crate::api::account::revoke_my_token;
use crate::api::users::revoke_any_token;
use crate::components::use_toasts;
use crate::format::age;

/// What a token's row says of it.
fn state_of(token: &TokenInfo) -> &'static str {
    if token.revoked_at.is_some() {
        "revoked"
    } else if token.active {
        "active"
    } else {
        "expired or ended"
    }
}

/// `everyone`: the admin's view, with an owner column, revoking through the admin's
/// right to revoke anyone's token; otherwise the caller's own tokens.
#[component]
pub fn TokenTable(rows: Vec<TokenInfo>, refresh: RwSignal<u32>, everyone: bool) -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid=if everyone { "all-tokens-table" } else { "tokens-table" }>
                <thead><tr>
                    {everyone.then(|| view! { <th>"Owner"</th> })}
                    <th>"Label"</th><th>"Scope"</th><th>"Created"</th><th>"Expires"</th><th>"Last used"</th><th>"State"</th><th></th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|t| {
                        let id = t.id;
                        let revoke = move |_| {
                            leptos::task::spawn_local(async move {
                                let revoked = if everyone {
                                    revoke_any_token(id).await
                                } else {
                                    revoke_my_token(id).await
                                };
                                match revoked {
                                    Ok(()) => {
                                        toasts.ok(format!("Token {id} revoked"));
                                        refresh.update(|n| *n += 1);
                                    }
                                    Err(error) => toasts.error(&error),
                                }
                            });
                        };
                        view! {
                            <tr data-token=t.id.to_string()>
                                {everyone.then(|| view! { <td>{t.username.clone()}</td> })}
                                <td>{t.label.clone()}</td>
                                <td>{t.scope.to_string()}</td>
                                <td>{age(&t.created_at)}</td>
                                <td>{t.expires_at.clone().unwrap_or_else(|| "never".into())}</td>
                                <td>{t.last_used_at.as_deref().map_or_else(|| "never".to_string(), age)}</td>
                                <td>{state_of(&t)}</td>
                                <td>{t.active.then(|| view! { <button type="button" on:click=revoke>"Revoke"</button> })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
