//! An event about an object, as the Events tabs list it.

use bosun_model::EventRow;
use serde_json::Value;

use crate::json;

/// One event, its time the newest it reports.
pub fn event_row(e: &Value) -> EventRow {
    let last = [
        "/lastTimestamp",
        "/eventTime",
        "/firstTimestamp",
        "/metadata/creationTimestamp",
    ]
    .iter()
    .map(|p| json::str(e, p))
    .find(|s| !s.is_empty())
    .unwrap_or("");
    let component = json::str(e, "/source/component");
    EventRow {
        cluster: String::new(),
        namespace: json::str(e, "/metadata/namespace").to_string(),
        type_: json::str(e, "/type").to_string(),
        reason: json::str(e, "/reason").to_string(),
        message: json::str(e, "/message").to_string(),
        count: json::opt_int(e, "/count").unwrap_or(1),
        object: format!(
            "{}/{}",
            json::str(e, "/involvedObject/kind"),
            json::str(e, "/involvedObject/name")
        ),
        last_seen: last.to_string(),
        source: if component.is_empty() {
            json::str(e, "/reportingComponent").to_string()
        } else {
            component.to_string()
        },
    }
}
