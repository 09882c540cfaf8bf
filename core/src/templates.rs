//! YAML templates: named, described YAML with `{{ variables }}` that a team keeps in
//! Bosun. Anyone who reads clusters reads templates; operators write them. A template is
//! checked when saved (variables, YAML, kinds Bosun can apply) so a broken one is refused
//! at the keyboard rather than at the next task, and "check" dry-runs it on a cluster.

use std::collections::BTreeMap;

use bosun_model::{
    Action, ApplyOptions, CheckReport, CheckRequest, Template, TemplateInput, template,
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
    let sample = sample_render(&input.yaml).map_err(|e| Error::BadRequest(e.to_string()))?;
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
        if id.is_secret() {
            return Err(Error::BadRequest(format!(
                "document {} (line {}): templates cannot hold Secrets, because every reader of templates would read their values; create Secrets on the Secrets page or with Create from YAML",
                doc.index, doc.line
            )));
        }
    }
    Ok(())
}

/// The template with its defaults, and [`SAMPLE_VALUE`] for variables without one: what
/// a save checks, and the structure every run must keep.
fn sample_render(yaml: &str) -> std::result::Result<String, template::RenderError> {
    let samples: BTreeMap<String, String> = template::variables(yaml)?
        .into_iter()
        .filter(|v| v.default.is_none())
        .map(|v| (v.name, SAMPLE_VALUE.to_string()))
        .collect();
    template::render(yaml, &samples)
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

/// A document's structure: its mappings (by number of keys) and sequences, with every
/// scalar alike. Values may change scalars, never this.
fn shape(value: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            let mut children: Vec<Value> = map.values().map(shape).collect();
            children.sort_by_key(ToString::to_string);
            Value::Array(vec![Value::from("map"), Value::Array(children)])
        }
        Value::Array(items) => Value::Array(vec![
            Value::from("seq"),
            Value::Array(items.iter().map(shape).collect()),
        ]),
        _ => Value::Null,
    }
}

fn shapes(yaml: &str) -> Vec<Option<serde_json::Value>> {
    documents::split(yaml)
        .iter()
        .map(|d| d.parsed.as_ref().ok().map(shape))
        .collect()
}

/// Renders a template with values, turning a render error into the 400 it is. The result
/// must have the structure the template has with plain sample values (a value that adds
/// a key, an item or a document through YAML syntax is refused), and may hold no Secret:
/// the check on save cannot see what variables make of `kind`.
pub(crate) fn render(template: &Template, values: &BTreeMap<String, String>) -> Result<String> {
    let bad = |e: String| Error::BadRequest(format!("template {:?}: {e}", template.name));
    let rendered = template::render(&template.yaml, values).map_err(|e| bad(e.to_string()))?;
    let expected = sample_render(&template.yaml).map_err(|e| bad(e.to_string()))?;
    let (got, want) = (shapes(&rendered), shapes(&expected));
    if let Some(document) = (0..got.len().max(want.len())).find(|i| got.get(*i) != want.get(*i)) {
        return Err(bad(format!(
            "the values change the YAML's structure in document {}: a value must stay one scalar (quote the placeholder, \"{{{{ name }}}}\", where a value may hold ':', ',', '#', '[' or '{{')",
            document + 1
        )));
    }
    for doc in documents::split(&rendered) {
        let is_secret = doc
            .parsed
            .as_ref()
            .ok()
            .and_then(|v| v.get("kind"))
            .and_then(serde_json::Value::as_str)
            == Some("Secret");
        if is_secret {
            return Err(bad(format!(
                "document {} (line {}) renders to a Secret: templates cannot hold Secrets",
                doc.index, doc.line
            )));
        }
    }
    Ok(rendered)
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
        ..ApplyOptions::default()
    };
    let report = crate::apply::apply(ctx, inv, &request.cluster, &rendered, &options, None).await?;
    Ok(CheckReport { rendered, report })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(yaml: &str) -> Template {
        Template {
            id: 1,
            name: "t".into(),
            description: String::new(),
            yaml: yaml.into(),
            variables: Vec::new(),
            created_by: String::new(),
            created_at: String::new(),
            updated_by: String::new(),
            updated_at: String::new(),
        }
    }

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn a_value_stays_one_scalar() {
        let t = template(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ name }}\ndata: {a: {{ v }}}\n",
        );
        assert!(render(&t, &values(&[("name", "web"), ("v", "1")])).is_ok());
        let err = render(&t, &values(&[("name", "web"), ("v", "1, b: 2")])).unwrap_err();
        assert!(err.to_string().contains("structure in document 1"), "{err}");
        let err = render(&t, &values(&[("name", "[a, b]"), ("v", "1")])).unwrap_err();
        assert!(err.to_string().contains("structure"), "{err}");
    }

    #[test]
    fn a_variable_cannot_make_a_secret() {
        let t = template(
            "apiVersion: v1\nkind: {{ kind | default: ConfigMap }}\nmetadata:\n  name: x\n",
        );
        assert!(render(&t, &BTreeMap::new()).is_ok());
        let err = render(&t, &values(&[("kind", "Secret")])).unwrap_err();
        assert!(err.to_string().contains("renders to a Secret"), "{err}");
    }
}
