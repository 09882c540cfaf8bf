//! Live views: following a REST stream of newline-delimited JSON (`{"data": ...}` per
//! change, `{"code", "message"}` on failure) for as long as the component that asked
//! lives. The server pushes each change from its watch caches; nothing here polls.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use serde::de::DeserializeOwned;

use crate::browser::{StreamHandle, stream_text};

/// How long to wait before reopening a stream that ended or failed.
const REOPEN_AFTER: Duration = Duration::from_secs(2);

type Slot = StoredValue<Option<StreamHandle>, LocalStorage>;

/// Splits complete lines off `buffer`, leaving a partial last line in it.
fn take_lines(buffer: &mut String) -> Vec<String> {
    let mut lines = Vec::new();
    while let Some(end) = buffer.find('\n') {
        let line: String = buffer.drain(..=end).collect();
        let line = line.trim();
        if !line.is_empty() {
            lines.push(line.to_string());
        }
    }
    lines
}

/// One line's meaning: an item, or the server's error message.
fn decode<T: DeserializeOwned>(line: &str) -> Result<T, String> {
    let value: leptos::serde_json::Value =
        leptos::serde_json::from_str(line).map_err(|e| format!("unreadable update: {e}"))?;
    if let Some(data) = value.get("data") {
        return leptos::serde_json::from_value(data.clone())
            .map_err(|e| format!("unreadable update: {e}"));
    }
    Err(value["message"]
        .as_str()
        .unwrap_or("the server ended the stream")
        .to_string())
}

fn open<T: DeserializeOwned + 'static>(
    slot: Slot,
    url: String,
    reopen: bool,
    on_item: Rc<dyn Fn(T)>,
    on_problem: Rc<dyn Fn(String)>,
) {
    let buffer = Rc::new(RefCell::new(String::new()));
    let (item, problem) = (on_item.clone(), on_problem.clone());
    let again = url.clone();
    let handle = stream_text(
        url,
        move |chunk| {
            let lines = {
                let mut b = buffer.borrow_mut();
                b.push_str(&chunk);
                take_lines(&mut b)
            };
            for line in lines {
                match decode::<T>(&line) {
                    Ok(value) => item(value),
                    Err(message) => problem(message),
                }
            }
        },
        move |end| {
            if let Some(reason) = &end
                && !reason.contains("abort")
                && !reason.contains("Abort")
            {
                on_problem(reason.clone());
            }
            // Reopen only while the component is alive (its slot still exists).
            let alive = slot.try_with_value(|_| ()).is_some();
            if reopen && alive {
                let (url, item, problem) = (again.clone(), on_item.clone(), on_problem.clone());
                set_timeout(
                    move || {
                        if slot.try_with_value(|_| ()).is_some() {
                            open(slot, url, true, item, problem);
                        }
                    },
                    REOPEN_AFTER,
                );
            }
        },
    );
    let _ = slot.try_set_value(Some(handle));
}

/// Follows `url` until the calling component is disposed: `on_item` gets every update,
/// `on_problem` every failure. With `reopen`, a stream that ends (the server caps how
/// long one request follows) or fails is opened again after a moment.
pub fn follow<T: DeserializeOwned + 'static>(
    url: String,
    reopen: bool,
    on_item: impl Fn(T) + 'static,
    on_problem: impl Fn(String) + 'static,
) {
    // Streams are the browser's: a server render holds nothing for them (a thread-local
    // slot made there would be dropped on another thread).
    if cfg!(not(feature = "hydrate")) {
        return;
    }
    let slot: Slot = StoredValue::new_local(None);
    on_cleanup(move || {
        slot.try_update_value(|s| {
            if let Some(mut h) = s.take() {
                h.abort();
            }
        });
    });
    open(slot, url, reopen, Rc::new(on_item), Rc::new(on_problem));
}

/// Follows a live list stream (`...?watch=true`) and bumps `refresh` each time the
/// server pushes a page, for pages whose data is a resource keyed on `refresh`. The first
/// push refreshes too: the page on screen was read before the stream opened, and what
/// changed in between would otherwise wait for the next change (as after a reopen).
#[component]
pub fn LiveRefresh(url: String, refresh: RwSignal<u32>) -> impl IntoView {
    follow(
        url,
        true,
        move |_: leptos::serde_json::Value| refresh.update(|n| *n += 1),
        |_| {},
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_split_across_chunks_are_joined() {
        let mut buffer = String::from("{\"data\":1}\n{\"da");
        assert_eq!(take_lines(&mut buffer), vec!["{\"data\":1}".to_string()]);
        buffer.push_str("ta\":2}\n");
        let lines = take_lines(&mut buffer);
        assert_eq!(decode::<i64>(&lines[0]), Ok(2));
        assert_eq!(
            decode::<i64>("{\"code\":\"NOT_FOUND\",\"message\":\"gone\"}"),
            Err("gone".to_string())
        );
    }
}
