//! The PersistentVolume controller and a provisioner: a claim is bound to a volume
//! pre-bound to it, else the smallest Available volume that fits it (class, access modes,
//! volume mode, size, selector), else, when its class has a provisioner, to a volume made
//! for it; a `WaitForFirstConsumer` class waits for a pod that uses the claim first. A
//! volume whose claim is gone is deleted (`Delete`), kept `Released` (`Retain`, the default
//! for a volume made by hand) or made Available again (`Recycle`).

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use super::{Ctx, events, update, write_status};
use crate::admission::parse_quantity;
use crate::meta;

const PVS: crate::kinds::Res = ("", "persistentvolumes");
const PVCS: crate::kinds::Res = ("", "persistentvolumeclaims");
const CLASSES: crate::kinds::Res = ("storage.k8s.io", "storageclasses");
const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
const COMPONENT: &str = "persistentvolume-controller";

pub fn reconcile(ctx: &mut Ctx) {
    let claims = ctx.store.all(PVCS);
    let volumes = ctx.store.all(PVS);
    if claims.is_empty() && volumes.is_empty() {
        return;
    }
    let classes = ctx.store.all(CLASSES);
    let pods = ctx.store.all(crate::kinds::res::PODS);
    // Volumes bound this pass: the snapshot above does not show them taken yet.
    let mut taken: HashSet<String> = HashSet::new();
    for claim in claims.iter().filter(|c| !meta::is_terminating(c)) {
        match s(claim, "/spec/volumeName") {
            "" => bind_or_provision(ctx, claim, &volumes, &classes, &pods, &mut taken),
            volume => follow_volume(ctx, claim, volumes.iter().find(|v| meta::name(v) == volume)),
        }
    }
    for volume in &volumes {
        release(ctx, volume, &claims);
    }
}

fn s<'a>(v: &'a Value, pointer: &str) -> &'a str {
    v.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn storage(v: &Value, pointer: &str) -> f64 {
    parse_quantity(s(v, pointer)).unwrap_or(0.0)
}

fn strings(v: &Value, pointer: &str) -> Vec<String> {
    v.pointer(pointer)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The class a claim asks for: its own, else the default class ("" asks for none).
fn class_of<'a>(claim: &'a Value, classes: &'a [Arc<Value>]) -> Option<&'a str> {
    match claim
        .pointer("/spec/storageClassName")
        .and_then(Value::as_str)
    {
        Some(name) => Some(name),
        None => classes
            .iter()
            .find(|c| meta::annotation(c, DEFAULT_CLASS) == Some("true"))
            .map(|c| meta::name(c)),
    }
}

/// Whether an unclaimed `volume` can hold `claim`.
fn fits(volume: &Value, claim: &Value, class: &str) -> bool {
    let modes = strings(volume, "/spec/accessModes");
    let mode = |v: &Value| match s(v, "/spec/volumeMode") {
        "" => "Filesystem".to_string(),
        m => m.to_string(),
    };
    let selected = claim.pointer("/spec/selector").is_none_or(|selector| {
        crate::selectors::label_selector_object_matches(selector, meta::labels(volume))
    });
    s(volume, "/spec/storageClassName") == class
        && strings(claim, "/spec/accessModes")
            .iter()
            .all(|m| modes.contains(m))
        && mode(volume) == mode(claim)
        && storage(volume, "/spec/capacity/storage")
            >= storage(claim, "/spec/resources/requests/storage")
        && selected
}

fn claim_ref(claim: &Value) -> Value {
    json!({
        "kind": "PersistentVolumeClaim",
        "apiVersion": "v1",
        "namespace": meta::namespace(claim),
        "name": meta::name(claim),
        "uid": meta::uid(claim),
    })
}

/// Whether `claim_ref` names this claim (by namespace and name, and uid when it has one).
fn refers_to(claim_ref: &Value, claim: &Value) -> bool {
    claim_ref["namespace"] == meta::namespace(claim)
        && claim_ref["name"] == meta::name(claim)
        && claim_ref.get("uid").is_none_or(|u| u == meta::uid(claim))
}

/// Records an event about a claim once, not on every pass.
fn tell(ctx: &mut Ctx, claim: &Value, kind: &str, reason: &str, message: &str) {
    let key = format!("pvc/{}/{reason}", meta::uid(claim));
    if !ctx.state.has(&key) {
        ctx.state.since(&key);
        events::record(ctx.store, claim, kind, reason, message, COMPONENT);
    }
}

fn bind_or_provision(
    ctx: &mut Ctx,
    claim: &Arc<Value>,
    volumes: &[Arc<Value>],
    classes: &[Arc<Value>],
    pods: &[Arc<Value>],
    taken: &mut HashSet<String>,
) {
    let class = class_of(claim, classes).unwrap_or("");
    let storage_class = classes
        .iter()
        .find(|c| meta::name(c) == class && !class.is_empty());
    let pending = json!({ "phase": "Pending" });
    let used = pods.iter().any(|p| {
        meta::namespace(p) == meta::namespace(claim)
            && !meta::is_terminating(p)
            && p.pointer("/spec/volumes")
                .and_then(Value::as_array)
                .is_some_and(|vols| {
                    vols.iter()
                        .any(|v| s(v, "/persistentVolumeClaim/claimName") == meta::name(claim))
                })
    });
    // A class that waits for a consumer waits with static volumes too: the pod's node
    // decides which volume fits.
    let waits = storage_class.is_some_and(|c| s(c, "/volumeBindingMode") == "WaitForFirstConsumer");
    if waits && !used {
        let why = "waiting for first consumer to be created before binding";
        tell(ctx, claim, "Normal", "WaitForFirstConsumer", why);
        write_status(ctx.store, PVCS, claim, pending);
        return;
    }
    let available = |v: &&Arc<Value>| {
        !meta::is_terminating(v)
            && !taken.contains(meta::name(v))
            && match v.pointer("/spec/claimRef") {
                None | Some(Value::Null) => true,
                Some(r) => refers_to(r, claim),
            }
    };
    // A volume pre-bound to this claim first, then the smallest that fits.
    let pre_bound = |v: &Arc<Value>| v.pointer("/spec/claimRef").is_some_and(|r| !r.is_null());
    let chosen = volumes
        .iter()
        .filter(available)
        .filter(|v| fits(v, claim, class))
        .min_by(|a, b| {
            pre_bound(b).cmp(&pre_bound(a)).then(
                storage(a, "/spec/capacity/storage")
                    .total_cmp(&storage(b, "/spec/capacity/storage")),
            )
        });
    if let Some(volume) = chosen {
        if bind(ctx, claim, volume) {
            taken.insert(meta::name(volume).to_string());
        }
        return;
    }
    let Some(storage_class) = storage_class else {
        if class.is_empty() {
            let why = "no persistent volumes available for this claim and no storage class is set";
            tell(ctx, claim, "Normal", "FailedBinding", why);
        } else {
            let why = format!("storageclass.storage.k8s.io \"{class}\" not found");
            tell(ctx, claim, "Warning", "ProvisioningFailed", &why);
        }
        write_status(ctx.store, PVCS, claim, pending);
        return;
    };
    if claim
        .pointer("/spec/selector")
        .is_some_and(|s| !s.is_null())
    {
        let why = format!(
            "failed to provision volume with StorageClass \"{}\": claim Selector is not supported",
            meta::name(storage_class)
        );
        tell(ctx, claim, "Warning", "ProvisioningFailed", &why);
        write_status(ctx.store, PVCS, claim, pending);
        return;
    }
    provision(ctx, claim, storage_class);
}

/// A volume made for the claim, as its class's provisioner would; bound on the next pass.
fn provision(ctx: &mut Ctx, claim: &Value, class: &Value) {
    let provisioner = s(class, "/provisioner");
    let name = format!("pvc-{}", meta::uid(claim));
    let reclaim = match s(class, "/reclaimPolicy") {
        "" => "Delete",
        policy => policy,
    };
    let request = match s(claim, "/spec/resources/requests/storage") {
        "" => "1Gi",
        size => size,
    };
    let volume = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": name,
            "annotations": { "pv.kubernetes.io/provisioned-by": provisioner },
        },
        "spec": {
            "capacity": { "storage": request },
            "accessModes": claim.pointer("/spec/accessModes").cloned().unwrap_or(json!(["ReadWriteOnce"])),
            "volumeMode": match s(claim, "/spec/volumeMode") { "" => "Filesystem", m => m },
            "storageClassName": meta::name(class),
            "persistentVolumeReclaimPolicy": reclaim,
            "claimRef": claim_ref(claim),
            "hostPath": { "path": format!("/var/lib/demo-provisioner/{name}") },
        },
        "status": { "phase": "Pending" },
    });
    if ctx.store.create(PVS, volume).is_ok() {
        let message = format!(
            "External provisioner is provisioning volume for claim \"{}/{}\"",
            meta::namespace(claim),
            meta::name(claim)
        );
        events::record(
            ctx.store,
            claim,
            "Normal",
            "Provisioning",
            &message,
            provisioner,
        );
        let done = format!("Successfully provisioned volume {name}");
        events::record(
            ctx.store,
            claim,
            "Normal",
            "ProvisioningSucceeded",
            &done,
            provisioner,
        );
    }
}

/// Binds both sides, the volume first: a claim only names a volume it got (another
/// claim may have taken it meanwhile; then the next pass looks again). Whether it did.
fn bind(ctx: &mut Ctx, claim: &Value, volume: &Value) -> bool {
    let got = ctx.store.update(PVS, volume, |v| {
        v["spec"]["claimRef"] = claim_ref(claim);
        v["status"] = json!({ "phase": "Bound" });
    });
    if got.is_err() {
        return false;
    }
    let volume_name = meta::name(volume).to_string();
    let status = bound_status(volume);
    update(ctx.store, PVCS, claim, |c| {
        c["spec"]["volumeName"] = json!(volume_name);
        let annotations = &mut c["metadata"]["annotations"];
        if !annotations.is_object() {
            *annotations = json!({});
        }
        annotations["pv.kubernetes.io/bind-completed"] = json!("yes");
        annotations["pv.kubernetes.io/bound-by-controller"] = json!("yes");
        c["status"] = status;
    });
    true
}

fn bound_status(volume: &Value) -> Value {
    json!({
        "phase": "Bound",
        "accessModes": volume.pointer("/spec/accessModes").cloned().unwrap_or(json!([])),
        "capacity": volume.pointer("/spec/capacity").cloned().unwrap_or(json!({})),
    })
}

/// A claim that names its volume: Bound while the volume exists and is its; Lost once a
/// bound claim's volume is gone; Pending while a named volume is yet to come.
fn follow_volume(ctx: &mut Ctx, claim: &Value, volume: Option<&Arc<Value>>) {
    match volume {
        Some(volume)
            if volume
                .pointer("/spec/claimRef")
                .is_some_and(|r| refers_to(r, claim)) =>
        {
            if s(volume, "/status/phase") != "Bound"
                || volume.pointer("/spec/claimRef/uid").is_none()
            {
                // A volume pre-bound by name learns its claim's uid, so it is released
                // when that claim (not a later one of the same name) goes.
                let reference = claim_ref(claim);
                update(ctx.store, PVS, volume, |v| {
                    v["spec"]["claimRef"] = reference;
                    v["status"] = json!({ "phase": "Bound" });
                });
            }
            write_status(ctx.store, PVCS, claim, bound_status(volume));
        }
        Some(volume) if volume.pointer("/spec/claimRef").is_none_or(Value::is_null) => {
            bind(ctx, claim, volume);
        }
        _ if meta::annotation(claim, "pv.kubernetes.io/bind-completed").is_some() => {
            let lost = "Bound claim has lost its PersistentVolume. Data on the volume is lost!";
            tell(ctx, claim, "Warning", "ClaimLost", lost);
            write_status(ctx.store, PVCS, claim, json!({ "phase": "Lost" }));
        }
        _ => write_status(ctx.store, PVCS, claim, json!({ "phase": "Pending" })),
    }
}

/// A volume whose claim is gone: deleted or kept as `Released`, by its reclaim policy;
/// an unclaimed volume is `Available`.
fn release(ctx: &mut Ctx, volume: &Arc<Value>, claims: &[Arc<Value>]) {
    let Some(claimed) = volume.pointer("/spec/claimRef").filter(|r| !r.is_null()) else {
        if s(volume, "/status/phase") != "Available" {
            write_status(ctx.store, PVS, volume, json!({ "phase": "Available" }));
        }
        return;
    };
    let holder = claims.iter().find(|c| refers_to(claimed, c));
    if holder.is_some() || claimed.get("uid").is_none() {
        // Bound, or pre-bound by name to a claim that may come.
        return;
    }
    // A volume made by hand defaults to Retain; a provisioned one carries its class's.
    match s(volume, "/spec/persistentVolumeReclaimPolicy") {
        "Delete" => {
            ctx.store.remove(PVS, "", meta::name(volume));
        }
        "Recycle" => update(ctx.store, PVS, volume, |v| {
            v["spec"]["claimRef"] = Value::Null;
            v["status"] = json!({ "phase": "Available" });
        }),
        _ => {
            if s(volume, "/status/phase") != "Released" {
                write_status(ctx.store, PVS, volume, json!({ "phase": "Released" }));
            }
        }
    }
}
