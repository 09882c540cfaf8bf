//! Who may call the API: static bearer tokens mapped to users and groups, as the real API
//! server's `--token-auth-file` does, plus the user a request acts as once authenticated.

use std::collections::HashMap;
use std::fmt;

use http::{HeaderMap, header};

use crate::status::{ApiError, ApiResult};

/// Token of the seeded administrator (`system:masters`); `DemoCluster::kubeconfig_yaml` uses it.
pub const ADMIN_TOKEN: &str = "demo-token";
/// Token of the seeded read-only user (group `viewers`, bound to ClusterRole `bosun-viewer`).
pub const VIEWER_TOKEN: &str = "demo-viewer-token";
/// Token of the seeded administrator whose every mutation is throttled (quota 0 a minute).
pub const THROTTLED_TOKEN: &str = "demo-throttled-token";

/// Group whose members every authorizer allows everything, as on a real cluster.
pub const MASTERS_GROUP: &str = "system:masters";
/// Group the real authenticators add to every authenticated user.
const AUTHENTICATED_GROUP: &str = "system:authenticated";

/// A user of the demo cluster, identified by a static bearer token.
#[derive(Clone, PartialEq, Eq)]
pub struct DemoUser {
    /// The bearer token (`Authorization: Bearer <token>`).
    pub token: String,
    /// User name, as RBAC subjects (`kind: User`) and error messages name it.
    pub name: String,
    /// Groups, as RBAC subjects (`kind: Group`) name them.
    pub groups: Vec<String>,
    /// Mutating requests (create, update, patch, delete, deletecollection) allowed per
    /// minute before API Priority and Fairness answers 429; `None` is unlimited.
    pub mutations_per_minute: Option<u32>,
}

impl DemoUser {
    /// A user with no throttling.
    pub fn new(token: &str, name: &str, groups: &[&str]) -> Self {
        Self {
            token: token.to_string(),
            name: name.to_string(),
            groups: groups.iter().map(|g| (*g).to_string()).collect(),
            mutations_per_minute: None,
        }
    }

    /// The seeded users: `demo-admin`, `demo-viewer` and `demo-throttled`.
    pub fn defaults() -> Vec<DemoUser> {
        vec![
            DemoUser::new(ADMIN_TOKEN, "demo-admin", &[MASTERS_GROUP]),
            DemoUser::new(VIEWER_TOKEN, "demo-viewer", &["viewers"]),
            DemoUser {
                mutations_per_minute: Some(0),
                ..DemoUser::new(THROTTLED_TOKEN, "demo-throttled", &[MASTERS_GROUP])
            },
        ]
    }
}

// The token is a credential: keep it out of logs and assertion messages.
impl fmt::Debug for DemoUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DemoUser")
            .field("token", &"<redacted>")
            .field("name", &self.name)
            .field("groups", &self.groups)
            .field("mutations_per_minute", &self.mutations_per_minute)
            .finish()
    }
}

/// The identity a request acts as, once authenticated.
#[derive(Debug, Clone)]
pub struct User {
    pub name: String,
    pub groups: Vec<String>,
    pub mutations_per_minute: Option<u32>,
}

impl User {
    /// What a request without credentials acts as while `anonymous_admin` is on: the real
    /// anonymous identity, made an administrator.
    fn anonymous_admin() -> Self {
        Self {
            name: "system:anonymous".into(),
            groups: vec![MASTERS_GROUP.into(), "system:unauthenticated".into()],
            mutations_per_minute: None,
        }
    }

    pub fn in_group(&self, group: &str) -> bool {
        self.groups.iter().any(|g| g == group)
    }
}

/// Static token authentication.
pub struct Authenticator {
    by_token: HashMap<String, User>,
    anonymous_admin: bool,
}

impl Authenticator {
    /// The first user listed with a token wins, as in a token file.
    pub fn new(users: &[DemoUser], anonymous_admin: bool) -> Self {
        let mut by_token = HashMap::new();
        for u in users {
            let mut groups = u.groups.clone();
            if !groups.iter().any(|g| g == AUTHENTICATED_GROUP) {
                groups.push(AUTHENTICATED_GROUP.into());
            }
            by_token.entry(u.token.clone()).or_insert(User {
                name: u.name.clone(),
                groups,
                mutations_per_minute: u.mutations_per_minute,
            });
        }
        Self {
            by_token,
            anonymous_admin,
        }
    }

    /// An unknown bearer token is a 401 even when anonymous requests are allowed (the
    /// real union authenticator fails the request rather than falling back).
    pub fn authenticate(&self, headers: &HeaderMap) -> ApiResult<User> {
        match bearer_token(headers) {
            Some(token) => self
                .by_token
                .get(token)
                .cloned()
                .ok_or_else(ApiError::unauthorized),
            None if self.anonymous_admin => Ok(User::anonymous_admin()),
            None => Err(ApiError::unauthorized()),
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header. Other schemes and empty tokens
/// count as no credentials, as for the real bearer-token authenticator.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let mut parts = value.split(' ');
    let scheme = parts.next()?;
    let token = parts.next()?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn with_auth(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(v).expect("header"),
        );
        h
    }

    #[test]
    fn tokens_map_to_users_with_the_authenticated_group() {
        let a = Authenticator::new(&DemoUser::defaults(), false);
        let viewer = a
            .authenticate(&with_auth("Bearer demo-viewer-token"))
            .expect("viewer");
        assert_eq!(viewer.name, "demo-viewer");
        assert_eq!(viewer.groups, ["viewers", "system:authenticated"]);
        let throttled = a
            .authenticate(&with_auth("bearer demo-throttled-token"))
            .expect("throttled");
        assert_eq!(throttled.mutations_per_minute, Some(0));
    }

    #[test]
    fn unknown_tokens_are_refused_even_when_anonymous_is_admin() {
        let a = Authenticator::new(&DemoUser::defaults(), true);
        let err = a
            .authenticate(&with_auth("Bearer nope"))
            .expect_err("refused");
        assert_eq!((err.code, err.reason), (401, "Unauthorized"));
        let anon = a.authenticate(&HeaderMap::new()).expect("anonymous");
        assert!(anon.in_group(MASTERS_GROUP));
        let basic = a
            .authenticate(&with_auth("Basic dXNlcjpwdw=="))
            .expect("other schemes are no credentials");
        assert_eq!(basic.name, "system:anonymous");
        let closed = Authenticator::new(&DemoUser::defaults(), false);
        assert_eq!(
            closed
                .authenticate(&HeaderMap::new())
                .map(|u| u.name)
                .err()
                .map(|e| e.code),
            Some(401)
        );
    }

    #[test]
    fn debug_output_hides_tokens() {
        let text = format!("{:?}", DemoUser::defaults());
        assert!(!text.contains("demo-token"), "{text}");
    }
}
