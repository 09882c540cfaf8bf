//! Workloads over the API: lists from the watch caches, details, and the actions, each a
//! thin adapter over `bosun_core::workloads`.

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::Operation;
use bosun_core::workloads as domain;
use bosun_model::{
    ActionReply, AuditEntry, EventRow, KindId, ObjectRef, Page, PodRow, RevisionRow, RolloutStatus,
    WorkloadDetail, WorkloadQuery, WorkloadRow,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::paths::ScopePath;
use super::{Api, ApiError, ApiJson, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// `_all` in a path means every namespace (or every cluster).
pub(super) fn all_or(value: &str) -> Option<String> {
    (value != "_all").then(|| value.to_string())
}

#[derive(Debug, Deserialize)]
pub struct KindPath {
    cluster: String,
    ns: String,
    kind: String,
}

#[derive(Debug, Deserialize)]
pub struct ObjectPath {
    cluster: String,
    ns: String,
    kind: String,
    name: String,
}

/// The seed's path: `/apps/{appId}/_proxy/clusters/{cluster}/namespaces/{ns}/{kind}/{name}/restart`.
#[derive(Debug, Deserialize)]
pub struct ProxyPath {
    #[serde(rename = "appId")]
    _app_id: String,
    cluster: String,
    ns: String,
    kind: String,
    name: String,
}

impl ObjectPath {
    fn object(&self) -> Result<ObjectRef, ApiError> {
        let object = self.object_of_any_kind()?;
        if object.kind == KindId::Pod {
            return Err(
                bosun_core::Error::BadRequest("pods are served at .../pods/{name}".into()).into(),
            );
        }
        Ok(object)
    }

    /// The object, pods included (labels apply to every kind).
    pub(super) fn object_of_any_kind(&self) -> Result<ObjectRef, ApiError> {
        let kind = domain::parse_kind(&self.kind)?;
        Ok(ObjectRef::new(&self.cluster, &self.ns, kind, &self.name))
    }
}

/// `?labelSelector=&q=&limit=&continue=&sort=&watch=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    /// Stream the page again (a JSON line) each time it changes.
    #[serde(default)]
    watch: bool,
    #[serde(rename = "labelSelector")]
    label_selector: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
    sort: Option<String>,
}

fn workload_query(cluster: &str, ns: &str, kind: Option<KindId>, p: ListParams) -> WorkloadQuery {
    WorkloadQuery {
        cluster: all_or(cluster),
        namespace: all_or(ns),
        kind,
        q: p.q,
        label_selector: p.label_selector,
        sort: p.sort,
        limit: p.limit,
        continue_token: p.continue_token,
    }
}

/// A page of workloads, or with `watch` the page again each time it changes.
async fn answer_list(
    state: &AppState,
    inv: &bosun_core::Invocation,
    query: WorkloadQuery,
    watch: bool,
) -> Result<Response, ApiError> {
    if watch {
        return Ok(super::ndjson(
            domain::follow_list(&state.ctx, inv, &query).await?,
        ));
    }
    let page: Page<WorkloadRow> = domain::list(&state.ctx, inv, &query).await?;
    Ok(data(page).into_response())
}

/// `GET /clusters/{cluster}/namespaces/{ns}/workloads`: every workload kind at once.
pub async fn list_all(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ScopePath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let watch = params.watch;
    let query = workload_query(&path.cluster, &path.ns, None, params);
    answer_list(&state, &inv, query, watch).await
}

/// `GET /clusters/{cluster}/namespaces/{ns}/{kind}`
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<KindPath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let Ok(kind) = domain::parse_kind(&path.kind) else {
        let by_name = super::custom::ByName {
            cluster: &path.cluster,
            namespace: Some(path.ns.as_str()).filter(|ns| *ns != "_all"),
            resource: &path.kind,
        };
        return by_name.list(&state, &inv, params.into()).await;
    };
    if kind.info().category.is_resource() {
        return resource_list(&state, &inv, &path, kind, params).await;
    }
    let watch = params.watch;
    let query = workload_query(&path.cluster, &path.ns, Some(kind), params);
    answer_list(&state, &inv, query, watch).await
}

/// The parameters the Resources and custom-resource lists take, from the workloads' own.
impl From<ListParams> for super::nodes::ListParams {
    fn from(p: ListParams) -> Self {
        Self {
            q: p.q,
            label_selector: p.label_selector,
            sort: p.sort,
            limit: p.limit,
            continue_token: p.continue_token,
            watch: p.watch,
        }
    }
}

/// The list of a Resources kind at the workloads' path (`.../namespaces/{ns}/services`).
async fn resource_list(
    state: &AppState,
    inv: &bosun_core::Invocation,
    path: &KindPath,
    kind: KindId,
    params: ListParams,
) -> Result<Response, ApiError> {
    if !kind.info().namespaced {
        return Err(bosun_core::Error::NotFound(format!(
            "{kind} are cluster-scoped: they are at /clusters/{{cluster}}/{kind}"
        ))
        .into());
    }
    let watch = params.watch;
    let params = super::nodes::ListParams::from(params);
    let query = super::resources::resource_query(params, &path.cluster, Some(&path.ns), kind);
    super::resources::answer_list(state, inv, query, watch).await
}

/// `GET .../{kind}/{name}`
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
) -> Result<Response, ApiError> {
    if domain::parse_kind(&path.kind).is_err() {
        let by_name = super::custom::ByName {
            cluster: &path.cluster,
            namespace: Some(path.ns.as_str()),
            resource: &path.kind,
        };
        return by_name.get(&state, &inv, &path.name).await;
    }
    let object = path.object()?;
    if object.kind.info().category.is_resource() {
        return Ok(super::resources::answer_detail(&state, &inv, &object)
            .await?
            .into_response());
    }
    let detail: WorkloadDetail = domain::detail(&state.ctx, &inv, &object).await?;
    Ok(data(detail).into_response())
}

/// `?limit=&continue=` of the lists about one object.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
}

impl PageParams {
    /// The requested page of a list already in memory.
    pub fn page<T>(&self, all: Vec<T>) -> Result<Page<T>, ApiError> {
        let offset = Page::<T>::offset_of(self.continue_token.as_deref())
            .map_err(bosun_core::Error::BadRequest)?;
        Ok(Page::slice(
            all,
            offset,
            self.limit.unwrap_or(bosun_model::DEFAULT_PAGE),
        ))
    }
}

/// `GET .../{kind}/{name}/pods?limit=&continue=`
pub async fn pods(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Data<Page<PodRow>>, ApiError> {
    let pods = domain::pods_of(&state.ctx, &inv, &path.object()?).await?;
    Ok(data(params.page(pods)?))
}

/// `GET .../{kind}/{name}/revisions?limit=&continue=`, newest first.
pub async fn revisions(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Data<Page<RevisionRow>>, ApiError> {
    let revisions = domain::revisions(&state.ctx, &inv, &path.object()?).await?;
    Ok(data(params.page(revisions)?))
}

/// `GET .../{kind}/{name}/events?limit=&continue=`, warnings first.
pub async fn events(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Data<Page<EventRow>>, ApiError> {
    let events = domain::events(&state.ctx, &inv, &path.object()?).await?;
    Ok(data(params.page(events)?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    before: Option<i64>,
}

/// `GET .../{kind}/{name}/history`: every Bosun action on the object, newest first.
pub async fn history(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Data<Page<AuditEntry>>, ApiError> {
    Ok(data(
        domain::history(&state.ctx, &inv, &path.object()?, params.before).await?,
    ))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusParams {
    #[serde(default)]
    watch: bool,
    /// RFC 3339: following since then (the console's deadline applies).
    since: Option<String>,
}

/// `GET .../{kind}/{name}/status` in `kubectl rollout status` terms; with `?watch=true`
/// one JSON line per change until the rollout is done or failed (like
/// `kubectl rollout status -w`). Kinds without a progress deadline fail after the
/// console's deadline, counted from `since` (or the start of the watch) when following.
pub async fn status(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiQuery(params): ApiQuery<StatusParams>,
) -> Result<Response, ApiError> {
    let object = path.object()?;
    if !params.watch {
        let status: RolloutStatus =
            domain::status(&state.ctx, &inv, &object, params.since.as_deref()).await?;
        return Ok(data(status).into_response());
    }
    let updates = domain::follow_status(&state.ctx, &inv, &object, params.since).await?;
    Ok(super::ndjson(updates))
}

/// Parses an optional JSON body: empty means the defaults.
pub(super) fn optional_body<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(bytes)
        .map_err(|e| bosun_core::Error::BadRequest(format!("invalid JSON body: {e}")).into())
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RestartBody {
    #[serde(default)]
    force: bool,
}

async fn restart_object(
    state: &AppState,
    inv: &bosun_core::Invocation,
    object: ObjectRef,
    body: &Bytes,
) -> Result<Data<ActionReply>, ApiError> {
    let RestartBody { force } = optional_body(body)?;
    let op = Operation::Restart {
        target: object,
        force,
    };
    Ok(data(domain::act(&state.ctx, inv, op).await?))
}

/// `PUT .../{kind}/{name}/restart` `{"force": bool}` (optional)
pub async fn restart(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    body: Bytes,
) -> Result<Data<ActionReply>, ApiError> {
    restart_object(&state, &inv, path.object()?, &body).await
}

/// The seed's restart path, answered by the same call.
pub async fn restart_via_proxy(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ProxyPath>,
    body: Bytes,
) -> Result<Data<ActionReply>, ApiError> {
    let object = ObjectPath {
        cluster: path.cluster,
        ns: path.ns,
        kind: path.kind,
        name: path.name,
    }
    .object()?;
    restart_object(&state, &inv, object, &body).await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScaleBody {
    replicas: i64,
}

/// `PUT .../{kind}/{name}/scale` `{"replicas": N}`
pub async fn scale(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiJson(body): ApiJson<ScaleBody>,
) -> Result<Data<ActionReply>, ApiError> {
    let op = Operation::Scale {
        target: path.object()?,
        replicas: body.replicas,
    };
    Ok(data(domain::act(&state.ctx, &inv, op).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollbackBody {
    #[serde(default)]
    revision: i64,
}

/// `PUT .../{kind}/{name}/rollback` `{"revision": N}` (0 or absent: the previous one)
pub async fn rollback(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    body: Bytes,
) -> Result<Data<ActionReply>, ApiError> {
    let RollbackBody { revision } = optional_body(&body)?;
    let op = Operation::Rollback {
        target: path.object()?,
        revision,
    };
    Ok(data(domain::act(&state.ctx, &inv, op).await?))
}

/// `DELETE .../{kind}/{name}`
pub async fn delete(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
) -> Result<Data<ActionReply>, ApiError> {
    delete_object(&state, &inv, path.object()?).await
}

/// Deletes any object through the one action call (every kind's `DELETE` route).
pub(super) async fn delete_object(
    state: &AppState,
    inv: &bosun_core::Invocation,
    target: ObjectRef,
) -> Result<Data<ActionReply>, ApiError> {
    Ok(data(
        domain::act(&state.ctx, inv, Operation::Delete { target }).await?,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    suspend: bool,
}

/// `PUT .../cronjobs/{name}/suspend` `{"suspend": bool}` (also AdvancedCronJobs)
pub async fn suspend(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    ApiJson(body): ApiJson<SuspendBody>,
) -> Result<Data<ActionReply>, ApiError> {
    let op = Operation::SetSuspended {
        target: path.object()?,
        suspend: body.suspend,
    };
    Ok(data(domain::act(&state.ctx, &inv, op).await?))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunBody {
    name: Option<String>,
}

/// `POST .../cronjobs/{name}/run` `{"name"?}`: a Job from the CronJob's template.
pub async fn run(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
    body: Bytes,
) -> Result<Data<ActionReply>, ApiError> {
    let RunBody { name } = optional_body(&body)?;
    let op = Operation::RunNow {
        target: path.object()?,
        job_name: name,
    };
    Ok(data(domain::act(&state.ctx, &inv, op).await?))
}
