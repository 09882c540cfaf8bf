//! YAML templates: named, described YAML with `{{ variables }}` that a team keeps in
//! Bosun. Anyone who reads clusters reads templates; operators write them. A template is
//! checked when saved (variables, YAML, kinds Bosun can apply) so a broken one is refused
//! at the keyboard rather than at the next task, and "check" dry-runs it on a cluster.

use std::collections::BTreeMap;

use bosun_model::{
    Action, ApplyOptions, CheckReport, CheckRequest, KindId, Template, TemplateInput, template,
};
use serde_json::json;
use sqlx::Row;

use crate::actions::{perform, read};
use crate::apply::documents;
use crate::authz::Target;
use crate::db::now_rfc3339;
use crate::request::Invocation;
use crate::{Context, Error, Result};

/// Longest template name and description.
const MAX_NAME: usize = 100;
const MAX_DESCRIPTION: usize = 2_000;

/// The value used for variables without a default when a template is checked on save.
const SAMPLE_VALUE: &str = "sample";

fn target(name: &str) -> Target {
    Target::stored("template", name)
}

pub(crate) fn not_found(id: i64) -> Error {
    Error::NotFound(format!("no template with id {id}"))
}

fn template_of(row: &sqlx::sqlite::SqliteRow) -> Result<Template> {
    let yaml: String = row.try_get("yaml")?;
    Ok(Template {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        // Stored templates were checked on save; a later syntax change must not hide them.
        variables: template::variables(&yaml).unwrap_or_default(),
        yaml,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        updated_by: row.try_get("updated_by")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) async fn load(ctx: &Context, id: i64) -> Result<Template> {
    let row = sqlx::query("SELECT * FROM templates WHERE id = ?")
        .bind(id)
        .fetch_optional(&ctx.db)
        .await?
        .ok_or_else(|| not_found(id))?;
    template_of(&row)
}

/// Every template, by name.
pub async fn list(ctx: &Context, inv: &Invocation) -> Result<Vec<Template>> {
    read(ctx, inv, Target::stored("template", ""), async {
        let rows = sqlx::query("SELECT * FROM templates ORDER BY name COLLATE NOCASE")
            .fetch_all(&ctx.db)
            .await?;
        rows.iter().map(template_of).collect()
    })
    .await
}

/// One template.
pub async fn get(ctx: &Context, inv: &Invocation, id: i64) -> Result<Template> {
    read(
        ctx,
        inv,
        Target::stored("template", &id.to_string()),
        async { load(ctx, id).await },
    )
    .await
}

/// Refuses what would make a template that cannot be applied, naming the line.
fn validate(input: &TemplateInput) -> Result<()> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(Error::BadRequest(format!(
            "a template needs a name of 1 to {MAX_NAME} characters"
        )));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::BadRequest(
            "a template's name cannot hold control characters".into(),
        ));
    }
    if input.description.chars().count() > MAX_DESCRIPTION {
        return Err(Error::BadRequest(format!(
            "the description is longer than {MAX_DESCRIPTION} characters"
        )));
    }
    let variables =
        template::variables(&input.yaml).map_err(|e| Error::BadRequest(e.to_string()))?;
    let samples: BTreeMap<String, String> = variables
        .iter()
        .filter(|v| v.default.is_none())
        .map(|v| (v.name.clone(), SAMPLE_VALUE.to_string()))
        .collect();
    let sample =
        template::render(&input.yaml, &samples).map_err(|e| Error::BadRequest(e.to_string()))?;
    let docs = documents::split(&sample);
    if docs.is_empty() {
        return Err(Error::BadRequest(
            "the template holds no YAML document: write one or more Kubernetes objects".into(),
        ));
    }
    if docs.len() > crate::apply::MAX_DOCUMENTS {
        return Err(Error::BadRequest(format!(
            "too many documents: at most {} per template",
            crate::apply::MAX_DOCUMENTS
        )));
    }
    for doc in &docs {
        let value = doc
            .parsed
            .as_ref()
            .map_err(|e| Error::BadRequest(format!("document {}: {e}", doc.index)))?;
        let id = documents::identity(value, "default", false).map_err(|e| {
            Error::BadRequest(format!("document {} (line {}): {e}", doc.index, doc.line))
        })?;
        if id.kind == KindId::Secret {
            return Err(Error::BadRequest(format!(
                "document {} (line {}): templates cannot hold Secrets, because every reader of templates would read their values; create Secrets on the Secrets page or with Create from YAML",
                doc.index, doc.line
            )));
        }
    }
    Ok(())
}

fn unique_name(e: sqlx::Error, name: &str) -> Error {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            Error::Conflict(format!("a template named {name:?} exists already"))
        }
        _ => Error::Database(e),
    }
}

/// Stores a new template (operators and up; audited).
pub async fn create(ctx: &Context, inv: &Invocation, input: &TemplateInput) -> Result<Template> {
    let name = input.name.trim().to_string();
    let params = json!({ "name": name });
    perform(ctx, inv, Action::TemplateCreate, &target(&name), params, |_| async {
        validate(input)?;
        let now = now_rfc3339();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO templates (name, description, yaml, created_by, created_at, updated_by, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&name)
        .bind(input.description.trim())
        .bind(&input.yaml)
        .bind(inv.actor())
        .bind(&now)
        .bind(inv.actor())
        .bind(&now)
        .fetch_one(&ctx.db)
        .await
        .map_err(|e| unique_name(e, &name))?;
        load(ctx, id).await
    })
    .await
}

/// Replaces a template's name, description and YAML (operators and up; audited).
pub async fn update(
    ctx: &Context,
    inv: &Invocation,
    id: i64,
    input: &TemplateInput,
) -> Result<Template> {
    let name = input.name.trim().to_string();
    let params = json!({ "id": id, "name": name });
    perform(ctx, inv, Action::TemplateUpdate, &target(&name), params, |_| async {
        validate(input)?;
        let changed = sqlx::query(
            "UPDATE templates SET name = ?, description = ?, yaml = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        )
        .bind(&name)
        .bind(input.description.trim())
        .bind(&input.yaml)
        .bind(inv.actor())
        .bind(now_rfc3339())
        .bind(id)
        .execute(&ctx.db)
        .await
        .map_err(|e| unique_name(e, &name))?;
        if changed.rows_affected() == 0 {
            return Err(not_found(id));
        }
        load(ctx, id).await
    })
    .await
}

/// Deletes a template; the tasks that used it keep their rendered YAML.
pub async fn delete(ctx: &Context, inv: &Invocation, id: i64) -> Result<()> {
    let name = sqlx::query_scalar::<_, String>("SELECT name FROM templates WHERE id = ?")
        .bind(id)
        .fetch_optional(&ctx.db)
        .await?
        .unwrap_or_else(|| id.to_string());
    perform(
        ctx,
        inv,
        Action::TemplateDelete,
        &target(&name),
        json!({ "id": id }),
        |_| async {
            let gone = sqlx::query("DELETE FROM templates WHERE id = ?")
                .bind(id)
                .execute(&ctx.db)
                .await?;
            if gone.rows_affected() == 0 {
                return Err(not_found(id));
            }
            Ok(())
        },
    )
    .await
}

/// Renders a template with values, turning a render error into the 400 it is.
pub(crate) fn render(template: &Template, values: &BTreeMap<String, String>) -> Result<String> {
    template::render(&template.yaml, values)
        .map_err(|e| Error::BadRequest(format!("template {:?}: {e}", template.name)))
}

/// Renders the template and dry-runs it on one cluster and namespace: every check the
/// cluster makes (schema, quotas, admission), nothing stored. Each document's dry run is
/// an audited `object.apply`, so it needs what applying needs.
pub async fn check(
    ctx: &Context,
    inv: &Invocation,
    id: i64,
    request: &CheckRequest,
) -> Result<CheckReport> {
    let template = get(ctx, inv, id).await?;
    crate::clusters::validate_cluster_name(&request.cluster)?;
    if !request.namespace.is_empty() {
        crate::clusters::validate_namespace(&request.namespace)?;
    }
    let rendered = render(&template, &request.values)?;
    let options = ApplyOptions {
        dry_run: true,
        force: false,
        namespace: Some(request.namespace.clone()).filter(|n| !n.is_empty()),
    };
    let report = crate::apply::apply(ctx, inv, &request.cluster, &rendered, &options, None).await?;
    Ok(CheckReport { rendered, report })
}
