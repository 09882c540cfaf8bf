//! Writes land on the latest object, as on the real API server: concurrent patches to
//! different fields all land, a resourceVersion inside a patch is a precondition, and
//! the controllers' status writes never undo a write made after their read.

mod common;

use common::{call, get, start, wait_get};
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_merge_patches_to_different_fields_all_land() {
    let h = start().await;
    let cm = "/api/v1/namespaces/default/configmaps/many-writers";
    let (code, body) = call(
        &h,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        Some(json!({ "metadata": { "name": "many-writers" }, "data": {} })),
    )
    .await;
    assert_eq!(code, 201, "{body}");
    // A ConfigMap only clients write, and a Deployment the controllers write too.
    let web = "/apis/apps/v1/namespaces/shop/deployments/web";
    let patches = (0..24).map(|i| {
        let h = &h;
        async move {
            let (a, body_a) = call(h, "PATCH", cm, Some(json!({ "data": { format!("k{i}"): "v" } }))).await;
            let (b, body_b) = call(
                h,
                "PATCH",
                web,
                Some(json!({ "metadata": { "annotations": { format!("demo.bosun.dev/writer-{i}"): "yes" } } })),
            )
            .await;
            assert_eq!((a, b), (200, 200), "{body_a} {body_b}");
        }
    });
    futures::future::join_all(patches).await;
    let data = get(&h, cm).await["data"].clone();
    assert_eq!(data.as_object().map(|m| m.len()), Some(24), "{data}");
    let annotations = get(&h, web).await["metadata"]["annotations"].clone();
    for i in 0..24 {
        assert_eq!(
            annotations[format!("demo.bosun.dev/writer-{i}")],
            "yes",
            "{annotations}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_version_in_a_patch_is_a_precondition() {
    let h = start().await;
    let cm = "/api/v1/namespaces/default/configmaps/guarded";
    let (code, created) = call(
        &h,
        "POST",
        "/api/v1/namespaces/default/configmaps",
        Some(json!({ "metadata": { "name": "guarded" }, "data": { "a": "1" } })),
    )
    .await;
    assert_eq!(code, 201);
    let rv = created["metadata"]["resourceVersion"].clone();
    let (code, body) = call(
        &h,
        "PATCH",
        cm,
        Some(json!({ "metadata": { "resourceVersion": rv }, "data": { "a": "2" } })),
    )
    .await;
    assert_eq!(code, 200, "the version read is current: {body}");
    let (code, body) = call(
        &h,
        "PATCH",
        cm,
        Some(json!({ "metadata": { "resourceVersion": rv }, "data": { "a": "3" } })),
    )
    .await;
    assert_eq!((code, &body["reason"]), (409, &json!("Conflict")), "{body}");
    assert_eq!(
        get(&h, cm).await["data"]["a"],
        "2",
        "the stale patch changed nothing"
    );
}

/// Approving over HTTP while the controllers are busy with the CloneSet: the approval
/// stays and the canary moves on (before status writes were conditional, a status
/// computed from a read older than the approval could put StepPaused back).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approval_is_never_undone_by_the_controller() {
    let h = start().await;
    let ro = "/apis/rollouts.kruise.io/v1beta1/namespaces/shop/rollouts/cart-rollout";
    let state = |v: &Value| {
        (
            v["status"]["canaryStatus"]["currentStepIndex"].as_i64(),
            v["status"]["canaryStatus"]["currentStepState"]
                .as_str()
                .map(str::to_string),
        )
    };
    // Approve at once, while the CloneSet's pods are still being created and the
    // controller rewrites the canary counts on every pass.
    let (code, body) = call(
        &h,
        "PATCH",
        &format!("{ro}/status"),
        Some(json!({ "status": { "canaryStatus": { "currentStepState": "StepReady" } } })),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    let moved = wait_get(&h, "step 2", ro, |v| state(v).0 == Some(2)).await;
    assert_eq!(moved["status"]["currentStepIndex"], 2);
}
