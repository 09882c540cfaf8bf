//! Applying YAML to a cluster: "Create from YAML", the YAML editor of every object and
//! `POST /api/v1/clusters/{c}/apply`. Every document is read and checked first; if one
//! cannot be read, none is sent. Each document that is sent is one audited `object.apply`
//! through the one action call, so the log says which landed.

pub mod documents;

use bosun_model::{
    Action, ApplyOptions, ApplyOutcome, ApplyReport, ApplyResult, FieldConflict, ObjectRef,
    SchemaVerdict, YamlCheck, YamlIssue,
};
use serde_json::{Value, json};

use crate::actions::{detached, perform, permit, read};
use crate::authz::Target;
use crate::request::Invocation;
use crate::{Context, Error, Result};

use documents::{DocKind, Document, Identity};

/// Most documents one apply takes.
pub const MAX_DOCUMENTS: usize = 100;

/// Applies every document of `yaml` to `cluster`. With `editing`, the YAML must be that
/// one object (the YAML editor cannot rename or move what it edits).
///
/// # Errors
/// `BadRequest` for YAML with no document or too many, `Forbidden` when the caller may
/// apply none of them; per-document failures are in the report.
pub async fn apply(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    yaml: &str,
    options: &ApplyOptions,
    editing: Option<&ObjectRef>,
) -> Result<ApplyReport> {
    crate::clusters::validate_cluster_name(cluster)?;
    let (default_ns, explicit) = default_namespace(options);
    let docs = split(yaml)?;
    let mut checked: Vec<Result<(Identity, Value), String>> = docs
        .iter()
        .map(|doc| check(doc, &default_ns, explicit, editing))
        .collect();
    discover(ctx, inv, cluster, &docs, &mut checked).await?;
    let targets: Vec<Target> = checked
        .iter()
        .filter_map(|c| c.as_ref().ok())
        .map(|(id, _)| target_of(cluster, id))
        .collect();
    refuse_if_allowed_nowhere(ctx, inv, cluster, &targets).await?;
    let mut results = Vec::new();
    if checked.iter().any(Result::is_err) {
        for (doc, check) in docs.iter().zip(&checked) {
            results.push(match check {
                Err(why) => failed(doc, None, format!("document {}: {why}", doc.index)),
                Ok((id, _)) => ApplyResult {
                    outcome: ApplyOutcome::Skipped,
                    message: "not sent: the YAML has documents that cannot be applied".into(),
                    ..failed(doc, Some(id), String::new())
                },
            });
        }
        return Ok(ApplyReport {
            dry_run: options.dry_run,
            results,
        });
    }
    let refused = if options.skip_schema_check {
        Vec::new()
    } else {
        schema_issues(ctx, cluster, &docs, &checked).await.0
    };
    if !refused.is_empty() {
        return Ok(ApplyReport {
            dry_run: options.dry_run,
            results: refused_by_schema(&docs, &checked, &refused),
        });
    }
    for (doc, check) in docs.iter().zip(checked) {
        let Ok((id, manifest)) = check else { continue };
        results.push(apply_one(ctx, inv, cluster, doc, &id, manifest, options).await);
    }
    Ok(ApplyReport {
        dry_run: options.dry_run,
        results,
    })
}

/// Checks YAML as an apply would before sending anything (each document read, its kind
/// known, its fields against the cluster's OpenAPI schema), sending nothing: the editor
/// asks as the text changes, so every problem is marked at its line.
///
/// # Errors
/// `BadRequest` for YAML with no document or too many; `Forbidden` for a caller who may
/// not read the cluster.
pub async fn validate(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    yaml: &str,
    options: &ApplyOptions,
) -> Result<YamlCheck> {
    crate::clusters::validate_cluster_name(cluster)?;
    read(ctx, inv, Target::scope(cluster, ""), async {
        crate::clusters::ensure_connected(ctx, cluster)?;
        let (default_ns, explicit) = default_namespace(options);
        let docs = split(yaml)?;
        let mut checked: Vec<_> = docs
            .iter()
            .map(|doc| check(doc, &default_ns, explicit, None))
            .collect();
        discover(ctx, inv, cluster, &docs, &mut checked).await?;
        let mut issues: Vec<YamlIssue> = docs
            .iter()
            .zip(&checked)
            .filter_map(|(doc, c)| {
                let why = c.as_ref().err()?;
                Some(YamlIssue {
                    document: doc.index,
                    line: line_named(why).unwrap_or(doc.line),
                    field: String::new(),
                    message: why.clone(),
                })
            })
            .collect();
        let (schema, unchecked) = schema_issues(ctx, cluster, &docs, &checked).await;
        issues.extend(schema);
        issues.sort_by_key(|i| (i.document, i.line));
        Ok(YamlCheck { issues, unchecked })
    })
    .await
}

/// Looks the documents of kinds Bosun's table does not know up in the cluster's
/// discovery: each becomes the custom resource the cluster serves (its namespace dropped
/// when the kind is cluster-scoped), or a document that cannot be applied, saying so.
/// Discovery is asked only when such a document is there.
async fn discover(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    docs: &[Document],
    checked: &mut [std::result::Result<(Identity, Value), String>],
) -> Result<()> {
    let wanted = |c: &std::result::Result<(Identity, Value), String>| {
        matches!(
            c,
            Ok((
                Identity {
                    kind: DocKind::Other { .. },
                    ..
                },
                _
            ))
        )
    };
    if !checked.iter().any(wanted) {
        return Ok(());
    }
    // Asking the cluster is a read: someone who may not read it learns nothing from it.
    crate::authz::authorize(
        inv.caller.as_ref(),
        Action::Read,
        &Target::scope(cluster, ""),
    )?;
    crate::clusters::ensure_connected(ctx, cluster)?;
    let served = ctx.clusters.api_kinds(cluster).await?;
    for (doc, check) in docs.iter().zip(checked.iter_mut()) {
        let Ok((id, manifest)) = check else { continue };
        let DocKind::Other {
            group,
            version,
            kind,
        } = &id.kind
        else {
            continue;
        };
        let api_version = if group.is_empty() {
            version.clone()
        } else {
            format!("{group}/{version}")
        };
        let Some(found) = served.iter().find(|k| k.group == *group && k.kind == *kind) else {
            *check = Err(format!(
                "line {}: kind {kind} (apiVersion {api_version}) is not served by cluster {cluster}: \
                 neither one of Bosun's kinds nor a resource its discovery lists (is the CRD installed?)",
                doc.line
            ));
            continue;
        };
        if found.version != *version {
            *check = Err(format!(
                "line {}: {kind} is served at apiVersion {} on cluster {cluster}: use that version",
                doc.line,
                found.api_version()
            ));
            continue;
        }
        if !found.namespaced {
            id.namespace.clear();
            if let Some(meta) = manifest.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("namespace");
            }
        }
        id.kind = DocKind::Discovered {
            kind: bosun_model::ApiKindRef {
                cluster: cluster.to_string(),
                group: found.group_segment().to_string(),
                version: found.version.clone(),
                plural: found.plural.clone(),
            },
            name: found.kind.clone(),
        };
    }
    Ok(())
}

/// What authorization and the audit log see a document as.
fn target_of(cluster: &str, id: &Identity) -> Target {
    match &id.kind {
        DocKind::Known(kind) => {
            Target::object(&ObjectRef::new(cluster, &id.namespace, *kind, &id.name))
        }
        DocKind::Discovered { kind, .. } => Target {
            cluster: cluster.to_string(),
            namespace: id.namespace.clone(),
            kind: kind.plural.clone(),
            name: id.name.clone(),
        },
        DocKind::Other { kind, .. } => Target {
            cluster: cluster.to_string(),
            namespace: id.namespace.clone(),
            kind: kind.to_ascii_lowercase(),
            name: id.name.clone(),
        },
    }
}

/// The namespace for documents that name none (`default` unless one was given), and
/// whether it was given (then a document naming another one is refused).
fn default_namespace(options: &ApplyOptions) -> (String, bool) {
    match options.namespace.as_deref().filter(|n| !n.is_empty()) {
        Some(ns) => (ns.to_string(), true),
        None => ("default".to_string(), false),
    }
}

/// The documents of `yaml`, refused when there are none or too many.
fn split(yaml: &str) -> Result<Vec<Document>> {
    let docs = documents::split(yaml);
    if docs.is_empty() {
        return Err(Error::BadRequest(
            "the YAML holds no document: paste one or more Kubernetes objects".into(),
        ));
    }
    if docs.len() > MAX_DOCUMENTS {
        return Err(Error::BadRequest(format!(
            "too many documents: at most {MAX_DOCUMENTS} per apply (got {})",
            docs.len()
        )));
    }
    Ok(docs)
}

/// The line a parser's or reader's message starts with (`line 13, column 4: …`).
fn line_named(message: &str) -> Option<usize> {
    let digits: String = message
        .strip_prefix("line ")?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// What the cluster's schema refuses in the documents that could be read, each at its
/// line, and the documents no schema checked (with why).
async fn schema_issues(
    ctx: &Context,
    cluster: &str,
    docs: &[Document],
    checked: &[std::result::Result<(Identity, Value), String>],
) -> (Vec<YamlIssue>, Vec<String>) {
    let mut issues = Vec::new();
    let mut unchecked = Vec::new();
    for (doc, check) in docs.iter().zip(checked) {
        let Ok((_, manifest)) = check else { continue };
        match ctx.clusters.schema_check(cluster, manifest).await {
            Ok(SchemaVerdict::Checked(found)) => {
                issues.extend(found.into_iter().map(|issue| YamlIssue {
                    document: doc.index,
                    line: documents::line_of_field(doc, &issue.field),
                    field: issue.field,
                    message: issue.message,
                }));
            }
            Ok(SchemaVerdict::Unchecked(why)) => {
                unchecked.push(format!("document {}: {why}", doc.index));
            }
            Err(e) => unchecked.push(format!("document {}: {}", doc.index, e.public_message())),
        }
    }
    (issues, unchecked)
}

/// The results of an apply the schema refused: the documents at fault say which fields
/// (the first at its line, as every failure is), the others that nothing was sent.
fn refused_by_schema(
    docs: &[Document],
    checked: &[std::result::Result<(Identity, Value), String>],
    issues: &[YamlIssue],
) -> Vec<ApplyResult> {
    docs.iter()
        .zip(checked)
        .map(|(doc, check)| {
            let id = check.as_ref().ok().map(|(id, _)| id);
            let mine: Vec<&YamlIssue> = issues.iter().filter(|i| i.document == doc.index).collect();
            let Some(first) = mine.first() else {
                return ApplyResult {
                    outcome: ApplyOutcome::Skipped,
                    message: "not sent: the YAML has documents that cannot be applied".into(),
                    ..failed(doc, id, String::new())
                };
            };
            let kind = id.map_or("object", Identity::kind_name);
            let mut message = format!(
                "document {} (line {}): {}: {} (the {kind} schema of the cluster)",
                doc.index, first.line, first.field, first.message
            );
            for more in &mine[1..] {
                message.push_str(&format!(
                    "; line {}: {}: {}",
                    more.line, more.field, more.message
                ));
            }
            failed(doc, id, message)
        })
        .collect()
}

/// Reads a document into its identity and the manifest to send (namespace filled in).
fn check(
    doc: &Document,
    default_ns: &str,
    explicit: bool,
    editing: Option<&ObjectRef>,
) -> std::result::Result<(Identity, Value), String> {
    let value = doc.parsed.clone()?;
    let id = documents::identity(&value, default_ns, explicit)
        .map_err(|e| format!("line {}: {e}", doc.line))?;
    if let Some(edited) = editing.filter(|e| {
        id.kind != DocKind::Known(e.kind) || e.namespace != id.namespace || e.name != id.name
    }) {
        let place = if id.namespace.is_empty() {
            id.name.clone()
        } else {
            format!("{}/{}", id.namespace, id.name)
        };
        return Err(format!(
            "the YAML names {} {place} but the editor is editing {}: kind, namespace and name cannot change here (use Create from YAML for a new object)",
            id.kind_name(),
            edited.describe()
        ));
    }
    if id.is_secret() {
        refuse_hidden_placeholders(&value)?;
    }
    let mut manifest = value;
    if let Some(meta) = manifest.get_mut("metadata").and_then(Value::as_object_mut) {
        if id.namespace.is_empty() {
            meta.remove("namespace");
        } else {
            meta.insert("namespace".into(), json!(id.namespace));
        }
        // The server fills these; sent back they would be refused or ignored.
        for field in ["uid", "creationTimestamp", "managedFields", "generation"] {
            meta.remove(field);
        }
    }
    if let Some(map) = manifest.as_object_mut() {
        map.remove("status");
    }
    Ok((id, manifest))
}

/// A Secret's YAML as Bosun shows it has `<hidden: N bytes>` for values; applying that
/// back would overwrite the real values with the placeholder.
fn refuse_hidden_placeholders(secret: &Value) -> std::result::Result<(), String> {
    let hidden: Vec<&String> = ["data", "stringData"]
        .iter()
        .filter_map(|f| secret.get(*f).and_then(Value::as_object))
        .flat_map(|m| m.iter())
        .filter(|(_, v)| {
            v.as_str()
                .is_some_and(|s| s.starts_with("<hidden: ") && s.ends_with(" bytes>"))
        })
        .map(|(k, _)| k)
        .collect();
    if hidden.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the Secret's data holds the placeholders Bosun shows instead of values ({}): put the real values (base64 under data, or text under stringData) or remove those keys, which server-side apply then leaves as they are",
        hidden
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// A caller who may apply none of the documents is refused once, as a whole (and the
/// refusal audited); otherwise each document is authorized on its own.
async fn refuse_if_allowed_nowhere(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    targets: &[Target],
) -> Result<()> {
    let allowed = targets
        .iter()
        .any(|t| crate::authz::authorize(inv.caller.as_ref(), Action::Apply, t).is_ok());
    match targets.first() {
        Some(first) if !allowed => {
            let params = json!({ "documents": targets.len() });
            permit(ctx, inv, Action::Apply, first, &params).await?;
            Ok(())
        }
        None => {
            let params = json!({ "documents": 0 });
            permit(ctx, inv, Action::Apply, &Target::cluster(cluster), &params).await?;
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn apply_one(
    ctx: &Context,
    inv: &Invocation,
    cluster: &str,
    doc: &Document,
    id: &Identity,
    manifest: Value,
    options: &ApplyOptions,
) -> ApplyResult {
    let target = target_of(cluster, id);
    let params = json!({
        "dry_run": options.dry_run,
        "force": options.force,
        "document": doc.index,
    });
    let (ctx2, inv2, id2) = (ctx.clone(), inv.clone(), id.clone());
    let cluster2 = cluster.to_string();
    let (dry_run, force) = (options.dry_run, options.force);
    let outcome = detached(async move {
        perform(&ctx2, &inv2, Action::Apply, &target, params, |_| async {
            match &id2.kind {
                DocKind::Known(kind) => {
                    let object = ObjectRef::new(&cluster2, &id2.namespace, *kind, &id2.name);
                    ctx2.clusters
                        .apply(&object, &manifest, dry_run, force)
                        .await
                }
                DocKind::Discovered { kind, .. } => {
                    ctx2.clusters
                        .apply_discovered(
                            kind,
                            &id2.namespace,
                            &id2.name,
                            &manifest,
                            dry_run,
                            force,
                        )
                        .await
                }
                DocKind::Other { kind, .. } => Err(Error::Internal(format!(
                    "{kind} was not looked up in the cluster's discovery before the apply"
                ))),
            }
        })
        .await
    })
    .await;
    match outcome {
        Ok(mut result) => {
            result.document = doc.index;
            result.line = doc.line;
            result
        }
        Err(e) => {
            let message = e.public_message();
            let conflict = FieldConflict::parse_all(&message).into_iter().next();
            let field = documents::invalid_field(&message)
                .or_else(|| conflict.as_ref().map(|c| c.field.as_str()));
            let line = field.map_or(doc.line, |field| documents::line_of_field(doc, field));
            failed(
                doc,
                Some(id),
                format!("document {} (line {line}): {message}", doc.index),
            )
        }
    }
}

fn failed(doc: &Document, id: Option<&Identity>, message: String) -> ApplyResult {
    let kind = doc
        .parsed
        .as_ref()
        .ok()
        .and_then(|v| v.get("kind"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    ApplyResult {
        document: doc.index,
        line: doc.line,
        kind,
        namespace: id.map(|i| i.namespace.clone()).unwrap_or_default(),
        name: id.map(|i| i.name.clone()).unwrap_or_default(),
        conflicts: FieldConflict::parse_all(&message),
        outcome: ApplyOutcome::Failed,
        message,
        diff: Vec::new(),
    }
}
