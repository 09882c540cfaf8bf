//! ResourceQuota status: `hard` as asked and `used` as the namespace holds it now, read
//! the same way admission reads it when it refuses a create.

use serde_json::{Map, Value, json};

use super::{Ctx, write_status};
use crate::admission::{format_quantity, usage};
use crate::meta;

const RESOURCE_QUOTAS: crate::kinds::Res = ("", "resourcequotas");

pub fn reconcile(ctx: &mut Ctx) {
    for quota in ctx.store.all(RESOURCE_QUOTAS) {
        let Some(hard) = quota.pointer("/spec/hard").and_then(Value::as_object) else {
            continue;
        };
        let ns = meta::namespace(&quota);
        let used: Map<String, Value> = hard
            .keys()
            .map(|key| {
                (
                    key.clone(),
                    json!(format_quantity(key, usage(ctx.store, ns, key))),
                )
            })
            .collect();
        let status = json!({ "hard": hard, "used": used });
        write_status(ctx.store, RESOURCE_QUOTAS, &quota, status);
    }
}
