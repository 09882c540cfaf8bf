//! Reading YAML for an apply: one or more documents, each with the line it starts on, so
//! every error can name the document and the line, and each object's identity (kind,
//! namespace, name) checked against the kind table before anything is sent.

use bosun_model::{KINDS, KindId};
use serde_json::Value;

/// One document of the YAML, parsed or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 1-based position among the non-empty documents.
    pub index: usize,
    /// 1-based line of the YAML where the document starts.
    pub line: usize,
    /// The document's own text (for finding a field's line).
    pub text: String,
    pub parsed: Result<Value, String>,
}

/// Splits YAML at `---` lines and parses each non-empty document.
#[must_use]
pub fn split(yaml: &str) -> Vec<Document> {
    let mut chunks: Vec<(usize, Vec<&str>)> = vec![(1, Vec::new())];
    for (i, line) in yaml.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed.starts_with("--- ") || trimmed.starts_with("---#") {
            chunks.push((i + 2, Vec::new()));
        } else if let Some((_, lines)) = chunks.last_mut() {
            lines.push(line);
        }
    }
    chunks
        .into_iter()
        .filter(|(_, lines)| {
            lines.iter().any(|l| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            })
        })
        .enumerate()
        .map(|(n, (start, lines))| {
            let text = lines.join("\n");
            let parsed = parse(&text, start);
            Document {
                index: n + 1,
                line: start,
                text,
                parsed,
            }
        })
        .collect()
}

fn parse(text: &str, start: usize) -> Result<Value, String> {
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_string();
        // The parser places an error at the end of the text one line past the last.
        let last = start + text.lines().count().max(1) - 1;
        match e.location() {
            Some(at) => format!(
                "line {}, column {}: {message}",
                (start + at.line() - 1).min(last),
                at.column()
            ),
            None => message,
        }
    })?;
    if !value.is_object() {
        return Err(format!(
            "line {start}: a document must be a Kubernetes object (a mapping with apiVersion, kind and metadata)"
        ));
    }
    Ok(value)
}

/// Who a document is: its kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: DocKind,
    pub namespace: String,
    pub name: String,
}

impl Identity {
    /// Whether the document is a Secret (whose values need care).
    #[must_use]
    pub fn is_secret(&self) -> bool {
        self.kind == DocKind::Known(KindId::Secret)
    }

    /// The kind as a document names it (`Deployment`, `Certificate`).
    #[must_use]
    pub fn kind_name(&self) -> &str {
        match &self.kind {
            DocKind::Known(kind) => kind.info().kind,
            DocKind::Other { kind, .. } => kind,
            DocKind::Discovered { name, .. } => name,
        }
    }
}

/// A document's kind: one of Bosun's kind table, or one only the cluster can say it
/// serves (every CRD's), looked up in its discovery before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocKind {
    Known(KindId),
    /// Not in the table, not yet looked up.
    Other {
        group: String,
        version: String,
        kind: String,
    },
    /// Found in the cluster's discovery: `name` is the kind (`Certificate`).
    Discovered {
        kind: bosun_model::ApiKindRef,
        name: String,
    },
}

/// Reads a document's identity, filling in `default_namespace` for namespaced kinds that
/// name none. `explicit` says the namespace was chosen by the caller, in which case a
/// document naming another one is refused (as `kubectl apply -n` does).
///
/// # Errors
/// The problem in words, naming the field.
pub fn identity(doc: &Value, default_namespace: &str, explicit: bool) -> Result<Identity, String> {
    let api_version = doc.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let kind = doc.get("kind").and_then(Value::as_str).unwrap_or("");
    if api_version.is_empty() || kind.is_empty() {
        return Err("apiVersion and kind are required".to_string());
    }
    let (group, version) = match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    };
    let rows: Vec<_> = KINDS
        .iter()
        .filter(|k| k.group == group && k.kind == kind)
        .collect();
    let Some(first) = rows.first() else {
        // Perhaps a custom resource: only the cluster can say (see `apply::discover`).
        let namespace = doc_namespace(doc, default_namespace, explicit)?;
        return Ok(Identity {
            kind: DocKind::Other {
                group: group.to_string(),
                version: version.to_string(),
                kind: kind.to_string(),
            },
            namespace,
            name: checked_name(doc)?.to_string(),
        });
    };
    let Some(info) = rows.iter().find(|k| k.versions.contains(&version)) else {
        return Err(format!(
            "{kind} is not served at apiVersion {api_version}: use {}",
            first
                .versions
                .iter()
                .map(|v| if group.is_empty() {
                    (*v).to_string()
                } else {
                    format!("{group}/{v}")
                })
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    };
    let name = checked_name(doc)?;
    let namespace = if info.namespaced {
        doc_namespace(doc, default_namespace, explicit)?
    } else {
        String::new()
    };
    Ok(Identity {
        kind: DocKind::Known(info.id),
        namespace,
        name: name.to_string(),
    })
}

fn checked_name(doc: &Value) -> Result<&str, String> {
    let name = doc
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        return Err("metadata.name is required (generateName cannot be applied)".to_string());
    }
    crate::workloads::validate_object_name(name).map_err(|e| format!("metadata.name: {e}"))?;
    Ok(name)
}

/// The namespace of a namespaced kind's document: its own, or `default_namespace`.
fn doc_namespace(doc: &Value, default_namespace: &str, explicit: bool) -> Result<String, String> {
    let written = doc
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    let namespace = if written.is_empty() {
        default_namespace.to_string()
    } else if explicit && written != default_namespace {
        return Err(format!(
            "the namespace from the document ({written:?}) does not match the namespace chosen for the apply ({default_namespace:?})"
        ));
    } else {
        written.to_string()
    };
    crate::clusters::validate_namespace(&namespace)
        .map_err(|e| format!("metadata.namespace: {e}"))?;
    Ok(namespace)
}

/// The line (1-based, in the whole YAML) of a field path (`spec.replicas`,
/// `spec.template.spec.containers[1].image`, `metadata.labels[app.kubernetes.io/name]`) in
/// a document, found by following the keys' indentation and the list items' dashes; the
/// line of the deepest part that was found (the document's first line when none was).
#[must_use]
pub fn line_of_field(doc: &Document, path: &str) -> usize {
    let lines: Vec<Line<'_>> = doc.text.lines().map(Line::read).collect();
    let (mut from, mut to) = (0, lines.len());
    let mut found = None;
    for step in steps(path) {
        let hit = match step {
            Step::Key(key) => find_key(&lines, from, to, key),
            Step::Index(n) => find_item(&lines, from, to, n),
        };
        let Some((at, end)) = hit else { break };
        found = Some(at);
        (from, to) = (at, end);
        if matches!(step, Step::Key(_)) {
            // The key's value starts on the next line.
            from = at + 1;
        }
    }
    doc.line + found.unwrap_or(0)
}

/// A line of YAML as far as finding keys needs: where its content starts once list dashes
/// are stepped over, and the key it holds.
struct Line<'a> {
    indent: usize,
    /// The column of the key after any `- `.
    column: usize,
    dash: bool,
    key: Option<&'a str>,
    /// Blank or a comment: part of no block.
    blank: bool,
}

impl<'a> Line<'a> {
    fn read(text: &'a str) -> Self {
        let indent = text.len() - text.trim_start().len();
        let mut body = text.trim_start();
        let dash = body == "-" || body.starts_with("- ");
        while let Some(rest) = body.strip_prefix("- ") {
            body = rest.trim_start();
        }
        let column = text.len() - body.len();
        let key = body.split_once(':').and_then(|(k, rest)| {
            (rest.is_empty() || rest.starts_with(' ')).then(|| k.trim().trim_matches(['"', '\'']))
        });
        let blank = body.is_empty() || body.starts_with('#');
        Line {
            indent,
            column,
            dash,
            key: key.filter(|_| !blank && !body.starts_with(['{', '['])),
            blank: blank && !dash,
        }
    }
}

enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// Splits a path into keys and list positions; a bracket holding anything but digits is
/// a key (one with dots or slashes in it).
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    let mut rest = path;
    while !rest.is_empty() {
        if let Some(inner) = rest.strip_prefix('[') {
            let Some(close) = inner.find(']') else { break };
            let token = &inner[..close];
            out.push(token.parse().map_or(Step::Key(token), Step::Index));
            rest = &inner[close + 1..];
        } else if let Some(after) = rest.strip_prefix('.') {
            rest = after;
        } else {
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            out.push(Step::Key(&rest[..end]));
            rest = &rest[end..];
        }
    }
    out
}

/// The line of `key` among the keys of the block `from..to` (those at the block's first
/// column) and where its value's block ends.
fn find_key(lines: &[Line<'_>], from: usize, to: usize, key: &str) -> Option<(usize, usize)> {
    let column = lines[from..to].iter().find(|l| !l.blank)?.column;
    let at = (from..to).find(|&i| lines[i].column == column && lines[i].key == Some(key))?;
    // The value runs while lines are deeper than the key (its column, past any `- `), or
    // are a list's dashes at the key's column (YAML allows `containers:` then `- name:`).
    let key_column = lines[at].column;
    let end = (at + 1..to)
        .find(|&i| {
            let l = &lines[i];
            let inside = l.indent > key_column || (l.dash && l.indent == key_column);
            !l.blank && !inside
        })
        .unwrap_or(to);
    Some((at, end))
}

/// The line of the `n`th item of the list in `from..to`, and where the item ends.
fn find_item(lines: &[Line<'_>], from: usize, to: usize, n: usize) -> Option<(usize, usize)> {
    let dash_indent = lines[from..to].iter().find(|l| !l.blank && l.dash)?.indent;
    let items: Vec<usize> = (from..to)
        .filter(|&i| lines[i].dash && lines[i].indent == dash_indent)
        .collect();
    let at = *items.get(n)?;
    let end = items.get(n + 1).copied().unwrap_or(to);
    Some((at, end))
}

/// The field an API server's "is invalid" message names: `Deployment.apps "web" is
/// invalid: spec.replicas: Invalid value…` → `spec.replicas`.
#[must_use]
pub fn invalid_field(message: &str) -> Option<&str> {
    let rest = message.split_once(" is invalid: ")?.1;
    let field = rest.split_once(": ")?.0;
    (!field.contains(' ')).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    const YAML: &str = "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\ndata:\n  key: [unclosed\n";

    #[test]
    fn documents_know_their_lines_and_errors_name_them() {
        let docs = split(YAML);
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].index, docs[0].line), (1, 1));
        assert!(docs[0].parsed.is_ok());
        assert_eq!((docs[1].index, docs[1].line), (2, 8));
        let err = docs[1].parsed.clone().unwrap_err();
        // The parser stops at the end of the text; the last line is named.
        assert!(err.starts_with("line 13,"), "{err}");
    }

    #[test]
    fn identity_comes_from_the_kind_table() {
        let doc: Value =
            serde_yaml::from_str("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n")
                .unwrap();
        let id = identity(&doc, "shop", false).unwrap();
        assert_eq!(id.kind, DocKind::Known(KindId::Deployment));
        assert_eq!(id.namespace, "shop");
        let other: Value = serde_yaml::from_str(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: dev\n",
        )
        .unwrap();
        assert!(
            identity(&other, "shop", true)
                .unwrap_err()
                .contains("does not match")
        );
        let unknown: Value = serde_yaml::from_str(
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n",
        )
        .unwrap();
        // Perhaps a custom resource: the cluster's discovery decides later.
        assert_eq!(
            identity(&unknown, "shop", false).unwrap().kind,
            DocKind::Other {
                group: "example.com".into(),
                version: "v1".into(),
                kind: "Widget".into()
            }
        );
        let version: Value =
            serde_yaml::from_str("apiVersion: apps/v2\nkind: Deployment\nmetadata:\n  name: w\n")
                .unwrap();
        assert_eq!(
            identity(&version, "shop", false).unwrap_err(),
            "Deployment is not served at apiVersion apps/v2: use apps/v1"
        );
        let ns: Value =
            serde_yaml::from_str("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n")
                .unwrap();
        assert_eq!(identity(&ns, "shop", false).unwrap().namespace, "");
    }

    #[test]
    fn list_items_and_bracketed_keys_lead_to_their_lines() {
        let docs = split(concat!(
            "apiVersion: apps/v1\n",
            "kind: Deployment\n",
            "metadata:\n",
            "  name: web\n",
            "  labels:\n",
            "    app.kubernetes.io/name: web\n",
            "spec:\n",
            "  template:\n",
            "    spec:\n",
            "      containers:\n",
            "      - name: app\n",
            "        image: a\n",
            "      # a comment\n",
            "      - name: sidecar\n",
            "        imagePullPolicy: Sometimes\n",
            "        image: b\n",
            "        ports:\n",
            "          - containerPort: 80\n",
            "          - containerPort: \"x\"\n",
            "  replicas: 2\n",
        ));
        let doc = &docs[0];
        assert_eq!(
            line_of_field(doc, "metadata.labels[app.kubernetes.io/name]"),
            6
        );
        assert_eq!(
            line_of_field(doc, "spec.template.spec.containers[0].name"),
            11
        );
        assert_eq!(
            line_of_field(doc, "spec.template.spec.containers[1].name"),
            14
        );
        assert_eq!(
            line_of_field(doc, "spec.template.spec.containers[1].image"),
            16
        );
        assert_eq!(
            line_of_field(
                doc,
                "spec.template.spec.containers[1].ports[1].containerPort"
            ),
            19
        );
        assert_eq!(line_of_field(doc, "spec.replicas"), 20);
        // A key the item does not hold is not looked for in the next item.
        assert_eq!(
            line_of_field(doc, "spec.template.spec.containers[0].imagePullPolicy"),
            11
        );
        // A missing part leaves the deepest part found.
        assert_eq!(line_of_field(doc, "spec.template.spec.volumes"), 9);
        assert_eq!(line_of_field(doc, "nothing"), 1);
    }

    #[test]
    fn a_field_path_leads_to_its_line() {
        let docs = split(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: -1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: \"\"\n",
        );
        assert_eq!(line_of_field(&docs[0], "spec.replicas"), 7);
        assert_eq!(
            line_of_field(&docs[0], "spec.template.spec.containers[0].image"),
            12
        );
        assert_eq!(
            invalid_field("Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1"),
            Some("spec.replicas")
        );
    }
}
