//! The Resources kinds over the API (network, storage, config, access control,
//! namespaces): pages from the caches, details, a Secret's value on request, namespaces
//! created, and YAML applied. Namespaced kinds share the workloads' paths
//! (`.../namespaces/{ns}/{plural}`), which hand them here; cluster-scoped kinds live at
//! `/clusters/{cluster}/{plural}`.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::{apply, resources as domain, workloads};
use bosun_model::{
    ActionReply, ApplyOptions, ApplyReport, KindId, ObjectRef, Page, ResourceDetail, ResourceQuery,
    ResourceRow, SecretValue, YamlCheck,
};
use http::StatusCode;
use serde::Deserialize;

use super::nodes::ListParams;
use super::workloads::all_or;
use super::{Api, ApiError, ApiJson, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// The query of a Resources list from its path and parameters.
pub(super) fn resource_query(
    params: ListParams,
    cluster: &str,
    ns: Option<&str>,
    kind: KindId,
) -> ResourceQuery {
    ResourceQuery {
        cluster: all_or(cluster),
        namespace: ns.and_then(all_or),
        kind,
        q: params.q,
        label_selector: params.label_selector,
        sort: params.sort,
        limit: params.limit,
        continue_token: params.continue_token,
    }
}

/// A page of a Resources kind, or with `watch` the page again each time it changes.
pub(super) async fn answer_list(
    state: &AppState,
    inv: &bosun_core::Invocation,
    query: ResourceQuery,
    watch: bool,
) -> Result<Response, ApiError> {
    if watch {
        return Ok(super::ndjson(
            domain::follow(&state.ctx, inv, &query).await?,
        ));
    }
    let page: Page<ResourceRow> = domain::list(&state.ctx, inv, &query).await?;
    Ok(data(page).into_response())
}

/// One object of a Resources kind.
pub(super) async fn answer_detail(
    state: &AppState,
    inv: &bosun_core::Invocation,
    object: &ObjectRef,
) -> Result<Data<ResourceDetail>, ApiError> {
    Ok(data(domain::detail(&state.ctx, inv, object).await?))
}

/// `/clusters/{cluster}/{kind}`
#[derive(Debug, Deserialize)]
pub struct ClusterKindPath {
    cluster: String,
    kind: String,
}

/// `/clusters/{cluster}/{kind}/{name}`
#[derive(Debug, Deserialize)]
pub struct ClusterObjectPath {
    cluster: String,
    kind: String,
    name: String,
}

/// A cluster-scoped kind from its path segment; a namespaced one is pointed to its path.
fn cluster_scoped(raw: &str) -> Result<KindId, ApiError> {
    let kind = workloads::parse_kind(raw)?;
    if kind.info().namespaced {
        return Err(bosun_core::Error::NotFound(format!(
            "{kind} are namespaced: they are at /clusters/{{cluster}}/namespaces/{{namespace or _all}}/{kind}"
        ))
        .into());
    }
    Ok(kind)
}

/// `GET /clusters/{cluster}/{kind}`: persistentvolumes, storageclasses, clusterroles,
/// clusterrolebindings (`_all` for every cluster).
pub async fn list_cluster_scoped(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterKindPath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    if workloads::parse_kind(&path.kind).is_err() {
        let by_name = super::custom::ByName {
            cluster: &path.cluster,
            namespace: None,
            resource: &path.kind,
        };
        return by_name.list(&state, &inv, params).await;
    }
    let kind = cluster_scoped(&path.kind)?;
    let watch = params.watch;
    answer_list(
        &state,
        &inv,
        resource_query(params, &path.cluster, None, kind),
        watch,
    )
    .await
}

/// `GET /clusters/{cluster}/{kind}/{name}`
pub async fn get_cluster_scoped(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterObjectPath>,
) -> Result<Response, ApiError> {
    if workloads::parse_kind(&path.kind).is_err() {
        let by_name = super::custom::ByName {
            cluster: &path.cluster,
            namespace: None,
            resource: &path.kind,
        };
        return by_name.get(&state, &inv, &path.name).await;
    }
    let kind = cluster_scoped(&path.kind)?;
    Ok(answer_detail(
        &state,
        &inv,
        &ObjectRef::new(&path.cluster, "", kind, &path.name),
    )
    .await?
    .into_response())
}

/// `DELETE /clusters/{cluster}/{kind}/{name}`
pub async fn delete_cluster_scoped(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterObjectPath>,
) -> Result<Data<ActionReply>, ApiError> {
    let kind = cluster_scoped(&path.kind)?;
    let target = ObjectRef::new(&path.cluster, "", kind, &path.name);
    super::workloads::delete_object(&state, &inv, target).await
}

/// `/clusters/{cluster}/namespaces`
#[derive(Debug, Deserialize)]
pub struct ClusterPath {
    cluster: String,
}

/// `GET /clusters/{cluster}/namespaces`: namespaces with what they hold.
pub async fn list_namespaces(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Response, ApiError> {
    let watch = params.watch;
    let query = resource_query(params, &path.cluster, None, KindId::Namespace);
    answer_list(&state, &inv, query, watch).await
}

/// `/clusters/{cluster}/namespaces/{ns}`
#[derive(Debug, Deserialize)]
pub struct NamespacePath {
    cluster: String,
    ns: String,
}

/// `GET /clusters/{cluster}/namespaces/{ns}`: a namespace, its contents and quotas.
pub async fn get_namespace(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamespacePath>,
) -> Result<Data<ResourceDetail>, ApiError> {
    let object = ObjectRef::new(&path.cluster, "", KindId::Namespace, &path.ns);
    answer_detail(&state, &inv, &object).await
}

/// `DELETE /clusters/{cluster}/namespaces/{ns}`: the namespace and all it holds.
pub async fn delete_namespace(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<NamespacePath>,
) -> Result<Data<ActionReply>, ApiError> {
    let target = ObjectRef::new(&path.cluster, "", KindId::Namespace, &path.ns);
    super::workloads::delete_object(&state, &inv, target).await
}

/// `{"name": "team-a", "labels": {"team": "a"}}`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNamespace {
    name: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

/// `POST /clusters/{cluster}/namespaces` → 201.
pub async fn create_namespace(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiJson(body): ApiJson<NewNamespace>,
) -> Result<Response, ApiError> {
    let reply =
        domain::create_namespace(&state.ctx, &inv, &path.cluster, &body.name, body.labels).await?;
    Ok((StatusCode::CREATED, data(reply)).into_response())
}

/// `?key=K`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RevealParams {
    key: String,
}

/// `GET /clusters/{cluster}/namespaces/{ns}/secrets/{name}/reveal?key=K`: one value,
/// audited. Like every API answer it carries `Cache-Control: no-store`.
pub async fn reveal(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<super::workloads::ObjectPath>,
    ApiQuery(params): ApiQuery<RevealParams>,
) -> Result<Data<SecretValue>, ApiError> {
    let object = path.object_of_any_kind()?;
    Ok(data(
        domain::reveal(&state.ctx, &inv, &object, &params.key).await?,
    ))
}

/// A YAML request body as text.
fn yaml_body(body: &Bytes) -> Result<&str, bosun_core::Error> {
    std::str::from_utf8(body)
        .map_err(|e| bosun_core::Error::BadRequest(format!("the body is not UTF-8 text: {e}")))
}

/// `?dryRun=&force=&namespace=&validate=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ApplyParams {
    #[serde(default)]
    dry_run: bool,
    #[serde(default)]
    force: bool,
    namespace: Option<String>,
    /// `false`: skip the schema check, as `kubectl apply --validate=false`.
    validate: Option<bool>,
}

/// `POST /clusters/{cluster}/apply` with YAML (one or more documents) as the body: a
/// result per document. 200 when every document succeeded, 207 when some did not.
pub async fn apply_yaml(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(params): ApiQuery<ApplyParams>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let yaml = yaml_body(&body)?;
    let options = ApplyOptions {
        dry_run: params.dry_run,
        force: params.force,
        namespace: params.namespace,
        skip_schema_check: params.validate == Some(false),
    };
    let report: ApplyReport =
        apply::apply(&state.ctx, &inv, &path.cluster, yaml, &options, None).await?;
    Ok(super::per_part(report.succeeded(), report))
}

/// `?namespace=`: the namespace documents that name none would go to.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateParams {
    namespace: Option<String>,
}

/// `POST /clusters/{cluster}/validate` with YAML as the body: what an apply would refuse
/// before sending anything (unreadable documents, fields the cluster's OpenAPI schema
/// does not allow), each at its line; nothing is sent to the cluster but schema reads.
pub async fn validate_yaml(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(params): ApiQuery<ValidateParams>,
    body: Bytes,
) -> Result<Data<YamlCheck>, ApiError> {
    let yaml = yaml_body(&body)?;
    let options = ApplyOptions {
        namespace: params.namespace,
        ..ApplyOptions::default()
    };
    Ok(data(
        apply::validate(&state.ctx, &inv, &path.cluster, yaml, &options).await?,
    ))
}

/// `/clusters/{cluster}/namespaces/{ns}/registry-secrets`
#[derive(Debug, Deserialize)]
pub struct RegistryPath {
    cluster: String,
    ns: String,
}

/// `POST /clusters/{c}/namespaces/{ns}/registry-secrets`
/// `{"name","server","username","password","email"?,"dry_run"?}`: `kubectl create secret
/// docker-registry`, through the apply path: 200 with its report, 207 when refused.
pub async fn create_registry_secret(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<RegistryPath>,
    ApiJson(input): ApiJson<bosun_model::RegistrySecret>,
) -> Result<Response, ApiError> {
    let report =
        bosun_core::registry_secret::create(&state.ctx, &inv, &path.cluster, &path.ns, &input)
            .await?;
    Ok(super::per_part(report.succeeded(), report))
}

/// `?kind=User|Group|ServiceAccount&name=&namespace=&subjectNamespace=`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AccessParams {
    kind: String,
    name: String,
    #[serde(default)]
    namespace: String,
    #[serde(default)]
    subject_namespace: String,
}

/// `GET /clusters/{c}/access?kind=&name=&namespace=`: what the subject may do there, one
/// section per binding that grants it something.
pub async fn access(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
    ApiQuery(p): ApiQuery<AccessParams>,
) -> Result<Data<bosun_model::AccessReport>, ApiError> {
    let query = bosun_model::AccessQuery {
        cluster: path.cluster,
        kind: p.kind,
        name: p.name,
        namespace: p.namespace,
        subject_namespace: p.subject_namespace,
    };
    Ok(data(domain::access(&state.ctx, &inv, &query).await?))
}
