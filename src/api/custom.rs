//! Custom resources (and every kind without a page of its own) over the API: what a
//! cluster serves, a page of one kind, one object.

use axum::extract::State;
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

/// `/clusters/{cluster}/custom/{group}/{version}/{plural}`; `core` is the core group.
#[derive(Debug, Deserialize)]
pub struct KindPath {
    cluster: String,
    group: String,
    version: String,
    plural: String,
}

impl KindPath {
    fn kind(&self) -> ApiKindRef {
        ApiKindRef {
            cluster: self.cluster.clone(),
            group: self.group.clone(),
            version: self.version.clone(),
            plural: self.plural.clone(),
        }
    }
}

/// `.../{plural}/{ns}/{name}`; `_` is no namespace (a cluster-scoped kind).
#[derive(Debug, Deserialize)]
pub struct ObjectPath {
    cluster: String,
    group: String,
    version: String,
    plural: String,
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
    ApiPath(path): ApiPath<KindPath>,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Data<CustomList>, ApiError> {
    let query = CustomQuery {
        namespace: params.namespace,
        label_selector: params.label_selector,
        limit: params.limit,
        continue_token: params.continue_token,
    };
    Ok(data(
        domain::list(&state.ctx, &inv, &path.kind(), &query).await?,
    ))
}

/// `GET /clusters/{c}/custom/{group}/{version}/{plural}/{ns}/{name}`: one object, its
/// conditions and YAML.
pub async fn get(
    State(state): State<AppState>,
    Api(inv): Api,
    ApiPath(path): ApiPath<ObjectPath>,
) -> Result<Data<CustomObject>, ApiError> {
    let kind = ApiKindRef {
        cluster: path.cluster,
        group: path.group,
        version: path.version,
        plural: path.plural,
    };
    Ok(data(
        domain::object(&state.ctx, &inv, &kind, &path.ns, &path.name).await?,
    ))
}
