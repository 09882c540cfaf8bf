//! Path and query shapes several REST handlers share.

use bosun_model::{KindId, ObjectRef};
use serde::Deserialize;

/// `/clusters/{cluster}/namespaces/{ns}`: `_all` stands for every one.
#[derive(Debug, Deserialize)]
pub struct ScopePath {
    pub cluster: String,
    pub ns: String,
}

/// `/clusters/{cluster}/namespaces/{ns}/<plural>/{name}` of a route that serves one kind.
#[derive(Debug, Deserialize)]
pub struct NamedPath {
    pub cluster: String,
    pub ns: String,
    pub name: String,
}

impl NamedPath {
    /// The object the path names, of the route's kind.
    #[must_use]
    pub fn object(&self, kind: KindId) -> ObjectRef {
        ObjectRef::new(&self.cluster, &self.ns, kind, &self.name)
    }
}

/// `?watch=true`: stream a JSON line per change instead of answering once.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchParams {
    #[serde(default)]
    pub watch: bool,
}
