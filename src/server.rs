//! Start-up, the router and shutdown of `bosun serve`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{FromRef, State};
use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use bosun_app::{App, shell};
use bosun_clusters::ClusterManager;
use bosun_core::Context;
use bosun_core::bootstrap::{self, FirstAdmin};
use bosun_core::secrets::SecretBox;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tower_http::services::ServeDir;
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};
use tower_sessions_sqlx_store::SqliteStore;

use crate::config::{self, ServerConfig};
use crate::http::{
    authenticate, client_addr, headers, limits, origin, page_guard, rpc_status, trace,
};

/// How often stored clusters are compared with the connections in use, so clusters added
/// or changed by the CLI (or another server on the database) are picked up.
const CLUSTER_SYNC_EVERY: Duration = Duration::from_secs(10);
/// How long a stopping server waits for in-flight requests before closing them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why the server could not start, naming the setting at fault where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{setting}: {0}", setting = config::DATA_DIR)]
    DataDir(bosun_core::Error),
    #[error("{setting}: {addr} is already in use", setting = config::LISTEN)]
    PortInUse { addr: SocketAddr },
    #[error("{setting}: cannot listen on {addr}: {source}", setting = config::LISTEN)]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("{setting}: {0}", setting = config::ADMIN_PASSWORD)]
    FirstAdmin(bosun_core::Error),
    #[error("session store: {0}")]
    Sessions(String),
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
    #[error("demo cluster: {0}")]
    Demo(String),
    #[error("{0}")]
    SecretKey(bosun_core::Error),
    #[error("clusters: {0}")]
    Clusters(bosun_core::Error),
}

/// State shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub ctx: Context,
    /// Sessions older than this since sign-in are ended, however active.
    pub session_max: Duration,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// A started server: its address, and the handle to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub ctx: Context,
    pub clusters: Arc<ClusterManager>,
    /// The embedded demo cluster, when this server runs one.
    #[cfg(feature = "demo-cluster")]
    pub demo: Option<bosun_demo_cluster::DemoCluster>,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    background: Vec<JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting connections, lets in-flight requests finish, closes the database.
    pub async fn stop(mut self) {
        let _ = self.shutdown.send(());
        // In-flight requests get a moment to finish; streams that follow a rollout, an
        // operation or a log would otherwise hold the shutdown for as long as they run.
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut self.task)
            .await
            .is_err()
        {
            tracing::info!(
                "closing streams still open after {} s",
                SHUTDOWN_GRACE.as_secs()
            );
            self.task.abort();
        }
        for task in self.background {
            task.abort();
        }
        // Unfinished operations stay in the database; the next start resumes them.
        self.ctx.operations.shutdown();
        self.ctx.db.close().await;
        #[cfg(feature = "demo-cluster")]
        if let Some(demo) = self.demo {
            demo.shutdown().await;
        }
    }
}

fn leptos_options(config: &ServerConfig, bundle: &crate::bundle::Bundle) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("bosun")
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir(bundle.site_pkg_dir())
        .site_addr(config.listen)
        .build()
}

/// Compresses pages and JSON answers (brotli or gzip, as the browser accepts). Streams
/// that must arrive as written (live lists, followed logs) are left alone: a compressor
/// would hold their lines back until its buffer fills.
fn compression()
-> tower_http::compression::CompressionLayer<impl tower_http::compression::Predicate> {
    use tower_http::compression::Predicate;
    use tower_http::compression::predicate::{DefaultPredicate, NotForContentType};
    tower_http::compression::CompressionLayer::new().compress_when(
        DefaultPredicate::new()
            .and(NotForContentType::const_new("application/x-ndjson"))
            .and(NotForContentType::const_new("text/plain")),
    )
}

/// Builds the whole HTTP application around an opened database.
pub async fn router(
    config: &ServerConfig,
    ctx: Context,
) -> Result<(Router, JoinHandle<()>), ServerError> {
    let store = SqliteStore::new(ctx.db.clone());
    store
        .migrate()
        .await
        .map_err(|e| ServerError::Sessions(e.to_string()))?;
    let cleanup = tokio::spawn(async move {
        if let Err(e) = store
            .clone()
            .continuously_delete_expired(Duration::from_secs(600))
            .await
        {
            tracing::warn!("expired-session cleanup stopped: {e}");
        }
    });
    let session_store = crate::session_store::FinalSessionStore::new(ctx.db.clone());
    let secure = config.public_url.as_ref().is_some_and(|u| u.https);
    let sessions = SessionManagerLayer::new(session_store)
        .with_name(session_cookie_name(secure))
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(secure)
        // Saved when changed: at sign-in and once a minute of activity (see
        // `bosun_core::session::signed_in`), not on every read.
        .with_always_save(false)
        .with_expiry(Expiry::OnInactivity(
            time::Duration::try_from(config.session_idle)
                .map_err(|e| ServerError::Sessions(format!("{}: {e}", config::SESSION_IDLE)))?,
        ));

    let bundle = crate::bundle::Bundle::of(&config.site_root.join("pkg"));
    let leptos_options = leptos_options(config, &bundle);
    let state = AppState {
        leptos_options: leptos_options.clone(),
        ctx: ctx.clone(),
        session_max: config.session_max,
    };
    let routes = generate_route_list(App);
    let allowed = origin::AllowedOrigin(config.public_url.as_ref().map(|u| u.origin.clone()));

    // Probes and the wasm/JS/CSS bundle need no session: kept outside the session and
    // authentication layers so they cost no session load and save per request.
    let unauthenticated = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .nest_service(&bundle.url_prefix(), bundle.service())
        .nest_service("/pkg", ServeDir::new(config.site_root.join("pkg")));

    let app = Router::new()
        .nest("/api/v1", crate::api::router())
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let ctx = ctx.clone();
                move || provide_context(ctx.clone())
            },
            {
                let options = leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(middleware::from_fn(rpc_status::rpc_status))
        .layer(middleware::from_fn(page_guard::page_guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            authenticate::authenticate,
        ))
        .layer(sessions)
        .merge(unauthenticated)
        .layer(middleware::from_fn_with_state(
            allowed,
            origin::check_origin,
        ))
        .layer(middleware::from_fn_with_state(
            config.trusted_proxies.clone(),
            client_addr::client_addr,
        ))
        .layer(middleware::from_fn(limits::limit_bodies))
        // `limit_bodies` sets the limit per route; axum's own 2 MB default would cut
        // kubeconfig uploads below theirs.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(middleware::from_fn(limits::catch_panics))
        .layer(middleware::from_fn_with_state(
            headers::HeaderPolicy { hsts: secure },
            headers::security_headers,
        ))
        .layer(compression())
        .layer(middleware::from_fn(trace::trace_requests))
        .with_state(state);
    Ok((app, cleanup))
}

async fn healthz() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> (http::StatusCode, Json<serde_json::Value>) {
    match sqlx::query("SELECT 1").execute(&state.ctx.db).await {
        Ok(_) => (
            http::StatusCode::OK,
            Json(serde_json::json!({"status": "ready"})),
        ),
        Err(e) => {
            tracing::error!("readiness: database unreachable: {e}");
            (
                http::StatusCode::SERVICE_UNAVAILABLE,
                Json(
                    serde_json::json!({"status": "unavailable", "reason": "database unreachable"}),
                ),
            )
        }
    }
}

/// Opens the database, binds, creates the first admin if needed and starts serving in
/// the background. Used by `bosun serve` and by the integration tests.
pub async fn start(config: ServerConfig) -> Result<RunningServer, ServerError> {
    let db = bosun_core::db::open(&config.data_dir)
        .await
        .map_err(ServerError::DataDir)?;
    // Bind before creating the first admin: a start that fails on a busy port must not
    // leave an account and a password file behind.
    let listener = bind(config.listen).await?;
    let addr = listener.local_addr()?;
    announce_first_admin(&db, config.admin_password.as_deref(), &config.data_dir).await?;
    let _ = bosun_core::password::decoy_hash();
    let secrets = SecretBox::load(&config.data_dir, config.secret_key.as_deref())
        .map_err(ServerError::SecretKey)?;
    secrets.verify(&db).await.map_err(ServerError::SecretKey)?;
    let clusters = Arc::new(ClusterManager::new());
    let mut ctx = Context::new(db, clusters.clone(), Arc::new(secrets));
    ctx.limits.max_replicas = config.max_replicas;
    ctx.sampling.every = config.metrics_every;
    #[cfg(feature = "demo-cluster")]
    let demo = if config.demo_cluster {
        let (demo, kubeconfig) = crate::demo::start_embedded(
            &config.data_dir,
            config.demo_time_scale,
            config.demo_record_requests,
            config.demo_pods,
        )
        .await?;
        clusters.set_demo_kubeconfig(Some(kubeconfig));
        bosun_core::clusters::add_demo_once(&ctx)
            .await
            .map_err(ServerError::Clusters)?;
        Some(demo)
    } else {
        None
    };
    bosun_core::db::restrict_data_dir(&config.data_dir);
    bosun_core::clusters::sync(&ctx)
        .await
        .map_err(ServerError::Clusters)?;
    let resumed = bosun_core::operations::resume_unfinished(&ctx)
        .await
        .map_err(ServerError::Clusters)?;
    if resumed > 0 {
        tracing::info!("{resumed} unfinished operation(s) of the previous run resumed");
    }
    let closed = bosun_core::tasks::close_unfinished(&ctx)
        .await
        .map_err(ServerError::Clusters)?;
    if closed > 0 {
        tracing::warn!("{closed} apply task(s) the previous run left unfinished closed as failed");
    }
    let sync_task = {
        let ctx = ctx.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(CLUSTER_SYNC_EVERY).await;
                if let Err(e) = bosun_core::clusters::sync(&ctx).await {
                    tracing::warn!("cluster sync failed: {e}");
                }
            }
        })
    };
    let sampler = bosun_core::metrics::spawn_sampler(ctx.clone());
    let (app, cleanup) = router(&config, ctx.clone()).await?;
    let (shutdown, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = shutdown_rx.await;
        })
        .await
    });
    Ok(RunningServer {
        addr,
        ctx,
        clusters,
        #[cfg(feature = "demo-cluster")]
        demo,
        shutdown,
        task,
        background: vec![cleanup, sync_task, sampler],
    })
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, ServerError> {
    TcpListener::bind(addr).await.map_err(|source| {
        if source.kind() == std::io::ErrorKind::AddrInUse {
            ServerError::PortInUse { addr }
        } else {
            ServerError::Bind { addr, source }
        }
    })
}

async fn announce_first_admin(
    db: &sqlx::SqlitePool,
    given: Option<&str>,
    data_dir: &std::path::Path,
) -> Result<(), ServerError> {
    match bootstrap::ensure_first_admin(db, given, data_dir)
        .await
        .map_err(ServerError::FirstAdmin)?
    {
        FirstAdmin::AlreadySetUp => {}
        FirstAdmin::CreatedWithGivenPassword => {
            tracing::info!(
                "created the first user \"admin\" with the password from BOSUN_ADMIN_PASSWORD"
            );
        }
        FirstAdmin::CreatedWithGeneratedPassword(file) => {
            tracing::warn!(
                "created the first user \"admin\"; its password is in {} (readable by this user only)",
                file.display()
            );
            tracing::warn!(
                "sign in as admin with it and choose a new password: nothing else is allowed until then"
            );
        }
    }
    Ok(())
}

/// The session cookie's name. Over https it carries the `__Host-` prefix, so browsers
/// accept it only as `Secure`, for this exact host, on path `/`: a sibling subdomain
/// cannot plant or overwrite it.
#[must_use]
pub fn session_cookie_name(https: bool) -> &'static str {
    if https {
        "__Host-bosun_session"
    } else {
        "bosun_session"
    }
}

/// Whether browsers on other machines will use this console over plain http: listening
/// beyond loopback without an https public URL sends passwords and session cookies in
/// the clear.
#[must_use]
pub fn exposed_without_https(config: &ServerConfig) -> bool {
    !config.listen.ip().is_loopback() && !config.public_url.as_ref().is_some_and(|u| u.https)
}

/// `bosun serve`: runs until SIGINT or SIGTERM, then shuts down gracefully.
pub async fn run(config: ServerConfig) -> Result<(), ServerError> {
    let stop_requested = shutdown_signal()?;
    let server = start(config.clone()).await?;
    if exposed_without_https(&config) {
        tracing::warn!(
            "listening on {} beyond this machine without an https public URL: passwords and session cookies would cross the network in the clear; serve it behind TLS and set {}",
            server.addr,
            config::PUBLIC_URL
        );
    }
    tracing::info!(
        "Bosun {} listening on http://{} (data in {})",
        env!("CARGO_PKG_VERSION"),
        server.addr,
        config.data_dir.display()
    );
    stop_requested.await;
    tracing::info!("shutting down: finishing in-flight requests");
    server.stop().await;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// Registers the SIGINT/SIGTERM handlers now and returns the wait for either. Registering
/// before anything binds matters: a signal that arrives while the server starts must shut
/// it down gracefully, not kill it with the default action.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, ServerError> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// `bosun demo-cluster`: the demo cluster alone, until SIGINT or SIGTERM.
#[cfg(feature = "demo-cluster")]
pub async fn run_demo_cluster(args: &crate::cli::DemoClusterArgs) -> Result<(), ServerError> {
    let stop_requested = shutdown_signal()?;
    let cluster = crate::demo::start_standalone(args).await?;
    stop_requested.await;
    cluster.shutdown().await;
    Ok(())
}

/// `bosun demo-cluster` in a build without the emulator.
#[cfg(not(feature = "demo-cluster"))]
pub async fn run_demo_cluster(_args: &crate::cli::DemoClusterArgs) -> Result<(), ServerError> {
    Err(ServerError::Demo(
        "this build of bosun has no demo cluster (feature demo-cluster is off)".into(),
    ))
}
