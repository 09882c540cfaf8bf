//! What Bosun keeps in a browser session, and the rules for starting and ending one.
//! The cookie and store are set up by the server binary; this module owns the contents.

use std::time::Duration;

use tower_sessions::Session;

use crate::Result;
use crate::users::User;

const USER_ID: &str = "bosun.user_id";
const SIGNED_IN_AT: &str = "bosun.signed_in_at";
const EPOCH: &str = "bosun.epoch";
const SEEN_AT: &str = "bosun.seen_at";

/// How stale the session's last-seen time may get before a request renews it. The
/// session is saved (and its idle expiry pushed back) only then, so reading a page is
/// not a database write; idle expiry is exact to within this.
const RENEW_AFTER_SECS: i64 = 60;

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Binds the session to `user`. The id is cycled first, so an id planted before sign-in
/// (session fixation) is worthless after it.
pub async fn establish(session: &Session, user: &User) -> Result<()> {
    session.cycle_id().await?;
    session.insert(USER_ID, user.id).await?;
    session.insert(SIGNED_IN_AT, unix_now()).await?;
    session.insert(EPOCH, user.session_epoch).await?;
    session.insert(SEEN_AT, unix_now()).await?;
    Ok(())
}

/// The signed-in user of a session: who, and at which of their session epochs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedIn {
    pub user_id: i64,
    pub epoch: i64,
}

/// The signed-in user id, if any. A session older than `absolute` since sign-in is ended
/// here, however active it has been: idle expiry alone would let a busy session live forever.
pub async fn signed_in(session: &Session, absolute: Duration) -> Result<Option<SignedIn>> {
    let Some(user_id) = session.get::<i64>(USER_ID).await? else {
        return Ok(None);
    };
    let signed_in_at = session.get::<i64>(SIGNED_IN_AT).await?.unwrap_or(0);
    let age = unix_now().saturating_sub(signed_in_at);
    if age < 0 || age as u64 > absolute.as_secs() {
        session.flush().await?;
        return Ok(None);
    }
    let epoch = session.get::<i64>(EPOCH).await?.unwrap_or(0);
    let seen_at = session.get::<i64>(SEEN_AT).await?.unwrap_or(0);
    let now = unix_now();
    if now.saturating_sub(seen_at) >= RENEW_AFTER_SECS || seen_at > now {
        // A change marks the session for saving, which moves its idle expiry.
        session.insert(SEEN_AT, now).await?;
    }
    Ok(Some(SignedIn { user_id, epoch }))
}

/// Ends the session: the record is deleted from the store and the cookie is cleared.
pub async fn end(session: &Session) -> Result<()> {
    session.flush().await?;
    Ok(())
}
