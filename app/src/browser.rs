//! The few things only a browser can do, behind functions that are inert on the server:
//! reading a streamed response chunk by chunk (followed logs) with an abort on cleanup,
//! and reading an uploaded file.

/// Stops a streaming read when dropped or when `abort` is called.
pub struct StreamHandle {
    #[cfg(feature = "hydrate")]
    controller: Option<web_sys::AbortController>,
}

impl StreamHandle {
    /// Aborts the request (the server sees the connection close and stops streaming).
    pub fn abort(&mut self) {
        #[cfg(feature = "hydrate")]
        if let Some(c) = self.controller.take() {
            c.abort();
        }
    }
}

impl Drop for StreamHandle {
    fn drop(&mut self) {
        self.abort();
    }
}

/// GETs `url` and calls `on_text` with each chunk of the body as it arrives, then
/// `on_end` with `None` at a normal end or `Some(reason)` when it failed. On the server
/// this does nothing.
#[allow(unused_variables)]
pub fn stream_text(
    url: String,
    on_text: impl Fn(String) + 'static,
    on_end: impl Fn(Option<String>) + 'static,
) -> StreamHandle {
    #[cfg(feature = "hydrate")]
    {
        let controller = web_sys::AbortController::new().ok();
        let signal = controller.as_ref().map(web_sys::AbortController::signal);
        leptos::task::spawn_local(async move {
            match read_stream(&url, signal.as_ref(), &on_text).await {
                Ok(()) => on_end(None),
                Err(reason) => on_end(Some(reason)),
            }
        });
        StreamHandle { controller }
    }
    #[cfg(not(feature = "hydrate"))]
    StreamHandle {}
}

#[cfg(feature = "hydrate")]
async fn read_stream(
    url: &str,
    signal: Option<&web_sys::AbortSignal>,
    on_text: &impl Fn(String),
) -> Result<(), String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

    let text_of = |e: wasm_bindgen::JsValue| e.as_string().unwrap_or_else(|| format!("{e:?}"));
    let init = web_sys::RequestInit::new();
    init.set_credentials(web_sys::RequestCredentials::SameOrigin);
    if let Some(signal) = signal {
        init.set_signal(Some(signal));
    }
    let window = web_sys::window().ok_or("no window")?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(text_of)?
        .dyn_into()
        .map_err(text_of)?;
    if !response.ok() {
        let body = JsFuture::from(response.text().map_err(text_of)?)
            .await
            .map_err(text_of)?
            .as_string()
            .unwrap_or_default();
        let message = leptos::serde_json::from_str::<leptos::serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["message"].as_str().map(str::to_string))
            .unwrap_or(body);
        return Err(message);
    }
    let body = response.body().ok_or("the response has no body")?;
    let reader: web_sys::ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| "the body cannot be read as a stream".to_string())?;
    let decoder = TextDecoder::default();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(text_of)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .map_err(text_of)?
            .as_bool()
            .unwrap_or(true);
        if done {
            return Ok(());
        }
        let value = js_sys::Reflect::get(&chunk, &"value".into()).map_err(text_of)?;
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        on_text(decoder.push(&bytes));
    }
}

/// UTF-8 decoding of a byte stream whose chunks may split a character.
#[cfg(feature = "hydrate")]
#[derive(Default)]
struct TextDecoder {
    pending: std::cell::RefCell<Vec<u8>>,
}

#[cfg(feature = "hydrate")]
impl TextDecoder {
    fn push(&self, bytes: &[u8]) -> String {
        let mut pending = self.pending.borrow_mut();
        pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&pending) {
            Ok(_) => pending.len(),
            Err(e) => e.valid_up_to(),
        };
        let rest = pending.split_off(valid);
        let text = String::from_utf8_lossy(&pending).into_owned();
        *pending = rest;
        text
    }
}

/// Reads the first file chosen in a file input, as text.
#[allow(unused_variables)]
pub async fn read_chosen_file(input_id: &str) -> Result<Option<String>, String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let input: web_sys::HtmlInputElement = leptos::prelude::document()
            .get_element_by_id(input_id)
            .ok_or("file input missing")?
            .dyn_into()
            .map_err(|_| "not a file input")?;
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return Ok(None);
        };
        if file.size() > 1024.0 * 1024.0 {
            return Err("the file is larger than 1 MiB; is it really a kubeconfig?".into());
        }
        let text = wasm_bindgen_futures::JsFuture::from(file.text())
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok(text.as_string())
    }
    #[cfg(not(feature = "hydrate"))]
    Ok(None)
}

/// Seconds since the Unix epoch, now, on either side.
#[must_use]
pub fn now_unix() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        (js_sys::Date::now() / 1000.0) as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    }
}

/// Loads `path` as a new page rather than a route change inside this one, so the server
/// builds the whole shell again: needed when what the caller may do has just changed.
pub fn load_page(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}
