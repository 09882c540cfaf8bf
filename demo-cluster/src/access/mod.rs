//! The filters every request passes before a handler sees it, in the real API server's
//! order: authentication (static bearer tokens), API Priority and Fairness (a per-user
//! mutation quota), then authorization (`system:masters`, then RBAC over the stored roles
//! and bindings). One function runs all three, so no route can skip one.

mod attributes;
mod rbac;
mod throttle;
mod users;

use http::{HeaderMap, Method};

use crate::routes::Query;
use crate::status::{ApiError, ApiResult};
use crate::store::Store;

pub use attributes::Attributes;
pub use rbac::authorize;
pub use users::{ADMIN_TOKEN, DemoUser, THROTTLED_TOKEN, User, VIEWER_TOKEN};

/// Authentication, throttling and authorization state of one cluster.
pub struct Access {
    authenticator: users::Authenticator,
    throttle: throttle::Throttle,
}

impl Access {
    pub fn new(users: &[DemoUser], anonymous_admin: bool) -> Self {
        Self {
            authenticator: users::Authenticator::new(users, anonymous_admin),
            throttle: throttle::Throttle::default(),
        }
    }

    /// Admits a request and says who it acts as, or refuses it with 401, 429 or 403.
    ///
    /// As on the real server, throttling comes before authorization: a refused mutation
    /// that got past the quota still used it up.
    pub fn admit(
        &self,
        store: &Store,
        headers: &HeaderMap,
        method: &Method,
        path: &str,
        query: &Query,
    ) -> ApiResult<User> {
        let user = self.authenticator.authenticate(headers)?;
        let attrs = Attributes::from_request(method, path, query);
        if let Some(quota) = user.mutations_per_minute
            && attrs.is_mutating()
        {
            self.throttle
                .admit(&user.name, quota)
                .map_err(ApiError::throttled)?;
        }
        let decision = authorize(store, &user, &attrs);
        if !decision.allowed {
            let mut why = rbac::forbidden_message(&user, &attrs);
            if !decision.reason.is_empty() {
                why = format!("{why}: {}", decision.reason);
            }
            return Err(ApiError::forbidden(
                &attrs.group,
                &attrs.resource,
                &attrs.name,
                &why,
            ));
        }
        Ok(user)
    }
}
