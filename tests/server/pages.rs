//! Server-rendered pages: readable without JavaScript, guarded, with real statuses.

use crate::common::*;

#[tokio::test]
async fn anonymous_page_visit_redirects_to_login_which_renders_a_form() {
    let srv = TestServer::start().await;
    let res = client().get(srv.url("/workloads")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/login");
    let res = client().get(srv.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains(r#"<label for="username">"#), "{html}");
    assert!(
        html.contains(r#"action="/rpc/login""#),
        "the form must work without JavaScript: {html}"
    );
    srv.stop().await;
}

#[tokio::test]
async fn signed_in_shell_shows_user_role_and_every_section() {
    let srv = TestServer::start().await;
    let admin = srv.signed_in("admin", ADMIN_PASSWORD).await;
    let res = admin.get(srv.url("/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = without_hydration_markers(res.text().await.unwrap());
    for section in [
        "Clusters",
        "Workloads",
        "Pods",
        "Rollouts",
        "Virtual machines",
        "Nodes",
        "Audit",
        "Admin",
    ] {
        assert!(
            html.contains(&format!(">{section}</a>")),
            "missing {section}"
        );
    }
    assert!(html.contains(r#"<span class="username">admin</span>"#));
    // A signed-in visit to /login goes to the console.
    let res = admin.get(srv.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    srv.stop().await;
}

#[tokio::test]
async fn viewers_do_not_see_the_admin_section() {
    let srv = TestServer::start().await;
    srv.add_user("vic", bosun_core::Role::Viewer).await;
    let vic = srv.signed_in("vic", PASSWORD).await;
    let html = vic
        .get(srv.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let html = without_hydration_markers(html);
    assert!(html.contains(">Audit</a>"));
    assert!(!html.contains(">Admin</a>"));
    srv.stop().await;
}

#[tokio::test]
async fn unknown_page_is_a_404_page() {
    let srv = TestServer::start().await;
    let admin = srv.signed_in("admin", ADMIN_PASSWORD).await;
    let res = admin.get(srv.url("/no/such/page")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("404: nothing here"));
    srv.stop().await;
}

#[tokio::test]
async fn probes_answer_without_auth() {
    let srv = TestServer::start().await;
    let (status, body) = json_of(client().get(srv.url("/healthz")).send().await.unwrap()).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ok")));
    let (status, body) = json_of(client().get(srv.url("/readyz")).send().await.unwrap()).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    srv.stop().await;
}

#[tokio::test]
async fn assets_and_probes_skip_the_session_store() {
    let srv = TestServer::start().await;
    let admin = srv.signed_in("admin", ADMIN_PASSWORD).await;
    // Reading a page is not a session write: the session is renewed (idle expiry, with
    // the cookie sent again) at most once a minute, and sign-in just happened.
    let page = admin.get(srv.url("/")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(!page.headers().contains_key("set-cookie"));
    // The bundle and the probes never load or save the session.
    for path in ["/pkg/bosun.css", "/healthz", "/readyz"] {
        let res = admin.get(srv.url(path)).send().await.unwrap();
        assert!(
            !res.headers().contains_key("set-cookie"),
            "{path} touched the session"
        );
    }
    srv.stop().await;
}

#[tokio::test]
async fn cluster_pages_render_on_the_server_before_any_script_runs() {
    let srv = TestServer::with_demo().await;
    let viewer = srv.as_role(bosun_core::Role::Viewer).await;
    let page = |path: &'static str| {
        let viewer = viewer.clone();
        let url = srv.url(path);
        async move {
            let res = viewer.get(url).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.text().await.unwrap()
        }
    };
    let html = page("/workloads?cluster=demo&ns=shop&sort=-name").await;
    assert!(
        html.contains(r#"data-workload="demo/shop/deployments/web""#),
        "the rows are in the HTML"
    );
    assert!(
        !html.contains(r#"data-workload="demo/data/statefulsets/postgres""#),
        "filtered by namespace"
    );
    assert!(
        html.find(r#"data-name="worker""#) < html.find(r#"data-name="api""#),
        "sorted by name, descending"
    );
    let web_row = row_html(&html, r#"data-workload="demo/shop/deployments/web""#);
    assert!(
        web_row.contains("Pin") && !web_row.contains("Restart") && !web_row.contains("Scale"),
        "a viewer's row menu offers pinning only: {web_row}"
    );
    let html = page("/workloads/demo/shop/deployments/web?tab=revisions").await;
    assert!(
        html.contains("upgrade nginx to 1.27") && html.contains("initial release"),
        "revisions render"
    );
    let html = page("/pods/demo/data/postgres-0").await;
    assert!(html.contains("postgres:16.4"));
    let html = page("/pods?cluster=demo&labels=app%3Dweb").await;
    assert_eq!(html.matches("data-pod=").count(), 3, "three web pods");
    let html = page("/clusters").await;
    assert!(html.contains(r#"data-cluster="demo""#));
    let html = page("/audit?action=session.login").await;
    assert!(html.contains(r#"data-action="session.login""#));
    srv.stop().await;
}

/// The HTML of the table row that carries `marker`, so an assertion reads one row only.
fn row_html<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html
        .find(marker)
        .unwrap_or_else(|| panic!("no row with {marker}"));
    let start = html[..at].rfind("<tr").expect("row start");
    let end = at + html[at..].find("</tr>").expect("row end");
    &html[start..end]
}

/// The page's HTML without the empty comments (`<!>`) Leptos leaves after each
/// type-erased component for hydration to find its place by.
fn without_hydration_markers(html: String) -> String {
    html.replace("<!>", "")
}
