use bosun_model::{Role, UserSummary};
use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::users::{list_all_tokens, list_users};
use crate::api::{CreateUser, EndUserSessions, SetUserDisabled, SetUserRole};
use crate::components::{ErrorBox, TokenTable};

/// Account administration: list, create, change role, disable or enable.
#[component]
pub fn AdminPage() -> impl IntoView {
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let end_sessions = ServerAction::<EndUserSessions>::new();
    let tokens_changed = RwSignal::new(0u32);
    // Disabling a user or ending their sessions ends their tokens too.
    let tokens = Resource::new(
        move || {
            (
                tokens_changed.get(),
                set_disabled.version().get(),
                end_sessions.version().get(),
            )
        },
        |_| list_all_tokens(),
    );
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                set_role.version().get(),
                set_disabled.version().get(),
            )
        },
        |_| list_users(),
    );
    let last_error = move || {
        [
            create.value().get().and_then(|r| r.err()),
            set_role.value().get().and_then(|r| r.err()),
            set_disabled.value().get().and_then(|r| r.err()),
            end_sessions.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
    };
    view! {
        <Title text="Admin" />
        <h1>"Users"</h1>
        {move || last_error().map(|error| view! { <ErrorBox error /> })}
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) => view! { <UserTable rows set_role set_disabled end_sessions /> }.into_any(),
                }
            })}
        </Suspense>
        <h2>"Add a user"</h2>
        <ActionForm action=create attr:class="stacked narrow" attr:data-testid="create-user">
            <label for="new-username">"User name"</label>
            <input id="new-username" name="username" required maxlength="64" autocomplete="off" />
            <label for="new-password">"Password (12 characters or more)"</label>
            <input id="new-password" name="password" type="password" required minlength="12" autocomplete="new-password" />
            <label for="new-role">"Role"</label>
            <RoleSelect id="new-role" selected=Role::Viewer />
            <button type="submit" class="primary">"Create user"</button>
        </ActionForm>
        <h2>"API tokens"</h2>
        <p class="muted">"Every account's tokens. Revoke one that leaked or whose owner left; their secrets are never shown."</p>
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match tokens.await {
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                    Ok(rows) if rows.is_empty() => view! { <p class="empty-state">"No API tokens."</p> }.into_any(),
                    Ok(rows) => view! { <TokenTable rows refresh=tokens_changed everyone=true /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn RoleSelect(id: &'static str, selected: Role) -> impl IntoView {
    view! {
        <select id=id name="role">
            {Role::ALL.into_iter().map(|role| view! {
                <option value=role.as_str() selected=role == selected>{role.as_str()}</option>
            }).collect_view()}
        </select>
    }
}

#[component]
fn UserTable(
    rows: Vec<UserSummary>,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
    end_sessions: ServerAction<EndUserSessions>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="grid" data-testid="users-table">
                <thead><tr><th>"User"</th><th>"Role"</th><th>"Status"</th><th>"Created"</th><th></th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|user| {
                        let row_id = format!("role-{}", user.username);
                        let role_label = format!("Role of {}", user.username);
                        let name = user.username.clone();
                        let (name_for_role, name_for_toggle, name_attr) = (name.clone(), name.clone(), name.clone());
                        let name_for_sessions = name.clone();
                        let toggle_to = !user.disabled;
                        let current_role = user.role;
                        view! {
                            <tr data-user=name_attr>
                                <td>{name}</td>
                                <td>
                                    <ActionForm action=set_role attr:class="inline">
                                        <input type="hidden" name="username" value=name_for_role />
                                        <label class="sr-only" for=row_id.clone()>{role_label}</label>
                                        <select id=row_id name="role">
                                            {Role::ALL.into_iter().map(|role| view! {
                                                <option value=role.as_str() selected=role == current_role>{role.as_str()}</option>
                                            }).collect_view()}
                                        </select>
                                        <button type="submit">"Save"</button>
                                    </ActionForm>
                                </td>
                                <td>{if user.disabled { "disabled" } else { "active" }}</td>
                                <td>{user.created_at}</td>
                                <td>
                                    <ActionForm action=set_disabled attr:class="inline">
                                        <input type="hidden" name="username" value=name_for_toggle />
                                        <input type="hidden" name="disabled" value=toggle_to.to_string() />
                                        <button type="submit">{if toggle_to { "Disable" } else { "Enable" }}</button>
                                    </ActionForm>
                                    <ActionForm action=end_sessions attr:class="inline">
                                        <input type="hidden" name="username" value=name_for_sessions />
                                        <button type="submit" title="Ends every session and API token of this account">"End sessions"</button>
                                    </ActionForm>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
