//! Pins: each person's objects on the Quick actions page, stored per account. Adding
//! and removing a pin are audited like any other change; the cards read the watch caches.

use bosun_model::{Action, Category, ObjectRef, Pin, PinCard, PinnedState, pinnable};
use serde_json::json;
use sqlx::Row;

use crate::actions::perform;
use crate::auth::{AuthMethod, Caller};
use crate::authz::Target;
use crate::request::Invocation;
use crate::workloads::validate_ref;
use crate::{Context, Error, Result};

/// Most pins one person keeps.
pub const MAX_PINS: i64 = 100;

/// The account whose pins these are: the command line has none.
fn owner(caller: Option<&Caller>) -> Result<i64> {
    match caller {
        Some(c) if c.via != AuthMethod::Local => Ok(c.user_id),
        Some(_) => Err(Error::BadRequest(
            "pins belong to accounts; the command line has none".into(),
        )),
        None => Err(Error::Unauthorized),
    }
}

fn pin_of(row: &sqlx::sqlite::SqliteRow) -> Result<Pin> {
    let kind: String = row.try_get("kind")?;
    Ok(Pin {
        id: row.try_get("id")?,
        target: ObjectRef::new(
            &row.try_get::<String, _>("cluster")?,
            &row.try_get::<String, _>("namespace")?,
            kind.parse()
                .map_err(|e: bosun_model::kinds::UnknownKind| Error::Internal(e.to_string()))?,
            &row.try_get::<String, _>("name")?,
        ),
        created: row.try_get("created_at")?,
    })
}

async fn stored(ctx: &Context, user_id: i64) -> Result<Vec<Pin>> {
    let rows = sqlx::query(
        "SELECT id, cluster, namespace, kind, name, created_at FROM pins WHERE user_id = ? ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&ctx.db)
    .await?;
    rows.iter().map(pin_of).collect()
}

/// The caller's pins, oldest first.
pub async fn list(ctx: &Context, inv: &Invocation) -> Result<Vec<Pin>> {
    perform(
        ctx,
        inv,
        Action::Read,
        &Target::default(),
        json!(null),
        |caller| async move { stored(ctx, owner(caller.as_ref())?).await },
    )
    .await
}

/// Pins an object (pinning it again answers the existing pin).
pub async fn add(ctx: &Context, inv: &Invocation, target: &ObjectRef) -> Result<Pin> {
    perform(ctx, inv, Action::PinAdd, &Target::object(target), json!(null), |caller| async move {
        let user_id = owner(caller.as_ref())?;
        validate_ref(target)?;
        if !pinnable(target.kind) {
            return Err(Error::BadRequest(format!(
                "{} cannot be pinned: pin workloads, rollouts and virtual machines",
                target.kind
            )));
        }
        // Refuse pins of what does not exist, so a typo is not kept forever.
        ctx.clusters.raw_object(target)?;
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pins WHERE user_id = ?")
            .bind(user_id)
            .fetch_one(&ctx.db)
            .await?;
        if count >= MAX_PINS {
            return Err(Error::BadRequest(format!(
                "at most {MAX_PINS} pins per person: unpin something first"
            )));
        }
        sqlx::query(
            "INSERT OR IGNORE INTO pins (user_id, cluster, namespace, kind, name, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(user_id)
        .bind(&target.cluster)
        .bind(&target.namespace)
        .bind(target.kind.route())
        .bind(&target.name)
        .bind(crate::db::now_rfc3339())
        .execute(&ctx.db)
        .await?;
        stored(ctx, user_id)
            .await?
            .into_iter()
            .find(|p| p.target == *target)
            .ok_or_else(|| Error::Internal("a pin vanished after insert".into()))
    })
    .await
}

/// Unpins an object.
pub async fn remove(ctx: &Context, inv: &Invocation, target: &ObjectRef) -> Result<()> {
    perform(ctx, inv, Action::PinRemove, &Target::object(target), json!(null), |caller| async move {
        let user_id = owner(caller.as_ref())?;
        let done = sqlx::query(
            "DELETE FROM pins WHERE user_id = ? AND cluster = ? AND namespace = ? AND kind = ? AND name = ?",
        )
        .bind(user_id)
        .bind(&target.cluster)
        .bind(&target.namespace)
        .bind(target.kind.route())
        .bind(&target.name)
        .execute(&ctx.db)
        .await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("{} is not pinned", target.describe())));
        }
        Ok(())
    })
    .await
}

/// What a pinned object looks like now, or why it cannot be shown.
async fn state_of(ctx: &Context, inv: &Invocation, target: &ObjectRef) -> PinnedState {
    if crate::authz::authorize(inv.caller.as_ref(), Action::Read, &Target::object(target)).is_err()
    {
        return PinnedState::Missing {
            reason: "you may no longer see it".into(),
        };
    }
    let found = match target.kind.info().category {
        Category::Rollout => ctx
            .clusters
            .rollout(target)
            .map(|d| PinnedState::Rollout(d.row)),
        Category::VirtualMachine => match ctx.clusters.vm(target) {
            Ok(vm) => {
                let operation = crate::operations::latest(ctx, target)
                    .await
                    .ok()
                    .flatten()
                    .map(Box::new);
                Ok(PinnedState::Vm {
                    row: vm.row,
                    operation,
                })
            }
            Err(e) => Err(e),
        },
        _ => ctx
            .clusters
            .workload(target)
            .await
            .map(|d| PinnedState::Workload(d.row)),
    };
    found.unwrap_or_else(|e| PinnedState::Missing {
        reason: e.public_message(),
    })
}

/// The Quick actions page: every pin with its object's state now.
pub async fn cards(ctx: &Context, inv: &Invocation) -> Result<Vec<PinCard>> {
    let pins = list(ctx, inv).await?;
    let mut cards = Vec::with_capacity(pins.len());
    for pin in pins {
        let state = state_of(ctx, inv, &pin.target).await;
        cards.push(PinCard { pin, state });
    }
    Ok(cards)
}
