//! Custom resources (and every kind without a page of its own) over the API: what a
//! cluster serves, a page of one kind, one object.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use bosun_core::custom as domain;
use bosun_model::{ApiKind, ApiKindRef, CustomList, CustomObject, CustomQuery};
use serde::Deserialize;

use super::{Api, ApiError, ApiPath, ApiQuery, Data, data};
use crate::server::AppState;

/// `/clusters/{cluster}/api-kinds`
#[derive(Debug, Deserialize)]
pub struct ClusterPath {
    cluster: String,
}

/// `.../{plural}/{ns}/{name}`; `_` is no namespace (a cluster-scoped kind). The kind's
/// part is the model's [`ApiKindRef`], whose fields are the path's own names.
#[derive(Debug, Deserialize)]
pub struct ObjectPath {
    #[serde(flatten)]
    kind: ApiKindRef,
    ns: String,
    name: String,
}

/// `?namespace=&labelSelector=&limit=&continue=`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ListParams {
    namespace: Option<String>,
    label_selector: Option<String>,
    limit: Option<usize>,
    #[serde(rename = "continue")]
    continue_token: Option<String>,
}

/// `GET /clusters/{c}/api-kinds`: the kinds the cluster serves that have no page of
/// their own (custom resources of every CRD among them), from discovery.
pub async fn kinds(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ClusterPath>,
) -> Result<Data<Vec<ApiKind>>, ApiError> {
    Ok(data(domain::kinds(&state.ctx, &inv, &path.cluster).await?))
}

/// `GET /clusters/{c}/custom/{group}/{version}/{plural}`: a page, with the columns the
/// API server prints for the kind; `continue` of the answer asks for the next.
pub async fn list(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(kind): ApiPath<ApiKindRef>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Data<CustomList>, ApiError> {
    let query = CustomQuery {
        namespace: params.namespace,
        label_selector: params.label_selector,
        limit: params.limit,
        continue_token: params.continue_token,
    };
    Ok(data(domain::list(&state.ctx, &inv, &kind, &query).await?))
}

/// `GET /clusters/{c}/custom/{group}/{version}/{plural}/{ns}/{name}`: one object, its
/// conditions and YAML.
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
) -> Result<Data<CustomObject>, ApiError> {
    Ok(data(
        domain::object(&state.ctx, &inv, &path.kind, &path.ns, &path.name).await?,
    ))
}

/// What a list at one of Bosun's kind paths asked, for a kind found by its name instead.
pub(super) struct ByName<'a> {
    pub cluster: &'a str,
    /// `None` (or `_all`): every namespace; a cluster-scoped kind ignores it.
    pub namespace: Option<&'a str>,
    /// The path's kind segment: a plural, or plural and group (`certificates.cert-manager.io`).
    pub resource: &'a str,
}

impl ByName<'_> {
    /// The kind, and whether it is namespaced.
    async fn kind(
        &self,
        state: &AppState,
        inv: &bosun_core::Invocation,
    ) -> Result<(ApiKindRef, bool), ApiError> {
        if self.cluster == "_all" {
            return Err(bosun_core::Error::BadRequest(format!(
                "{:?} is not one of Bosun's kinds: a custom resource is listed one cluster at a time",
                self.resource
            ))
            .into());
        }
        Ok(domain::by_resource_name(&state.ctx, inv, self.cluster, self.resource).await?)
    }

    /// Refuses a path of the wrong shape for the kind's scope, as Bosun's own kinds do.
    fn check_scope(&self, namespaced: bool, object: bool) -> Result<(), ApiError> {
        let (cluster, resource) = (self.cluster, self.resource);
        let refused = match (namespaced, self.namespace) {
            (false, Some(_)) => Some(format!(
                "{resource} are cluster-scoped: they are at /clusters/{cluster}/{resource}"
            )),
            (true, None) if object => Some(format!(
                "{resource} are namespaced: one is at /clusters/{cluster}/namespaces/{{ns}}/{resource}/{{name}}"
            )),
            (true, Some("_all")) if object => Some(format!(
                "an object of {resource} is in one namespace: name it instead of _all"
            )),
            _ => None,
        };
        match refused {
            Some(message) => Err(bosun_core::Error::NotFound(message).into()),
            None => Ok(()),
        }
    }

    /// A page of the custom resource at a list path (`/clusters/{c}/{plural}`,
    /// `/clusters/{c}/namespaces/{ns}/{plural}`), answered as `/custom/...` answers.
    /// These kinds are not watched, sorted or searched by name (the API server pages
    /// them): a list asking for that is refused, naming what it asked.
    pub(super) async fn list(
        &self,
        state: &AppState,
        inv: &bosun_core::Invocation,
        params: super::nodes::ListParams,
    ) -> Result<Response, ApiError> {
        let (kind, namespaced) = self.kind(state, inv).await?;
        self.check_scope(namespaced, false)?;
        let given: Vec<&str> = [
            ("watch", params.watch),
            ("q", params.q.is_some()),
            ("sort", params.sort.is_some()),
        ]
        .into_iter()
        .filter(|(_, given)| *given)
        .map(|(name, _)| name)
        .collect();
        if !given.is_empty() {
            return Err(bosun_core::Error::BadRequest(format!(
                "{} of cluster {} is a custom resource: its list takes labelSelector, limit and continue, not {}",
                self.resource,
                self.cluster,
                given.join(", ")
            ))
            .into());
        }
        let query = CustomQuery {
            namespace: self
                .namespace
                .filter(|ns| *ns != "_all")
                .map(str::to_string),
            label_selector: params.label_selector,
            limit: params.limit,
            continue_token: params.continue_token,
        };
        let page: CustomList = domain::list(&state.ctx, inv, &kind, &query).await?;
        Ok(data(page).into_response())
    }

    /// One object of the custom resource at an object path (`namespace` `None` or `_`: a
    /// cluster-scoped one).
    pub(super) async fn get(
        &self,
        state: &AppState,
        inv: &bosun_core::Invocation,
        name: &str,
    ) -> Result<Response, ApiError> {
        let (kind, namespaced) = self.kind(state, inv).await?;
        self.check_scope(namespaced, true)?;
        let object: CustomObject =
            domain::object(&state.ctx, inv, &kind, self.namespace.unwrap_or("_"), name).await?;
        Ok(data(object).into_response())
    }
}
