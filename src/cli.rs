//! Command line: `bosun [serve]`, user and token administration, the standalone demo cluster.

use std::io::BufRead;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use bosun_clusters::ClusterManager;
use bosun_core::secrets::SecretBox;
use bosun_core::tokens::TokenOptions;
use bosun_core::{Context, Invocation, Role, accounts, clusters, users};
use bosun_model::{ClusterInput, TokenScope};
use clap::{Args, Parser, Subcommand};

use crate::config::{self, ServerConfig};

#[derive(Debug, Parser)]
#[command(
    name = "bosun",
    version,
    about = "Bosun: a multi-cluster Kubernetes console"
)]
pub struct Cli {
    /// Where the database and generated files live.
    #[arg(long, env = "BOSUN_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the console (the default).
    Serve(ServeArgs),
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage clusters (for automation; the console's Clusters page does the same).
    #[command(subcommand)]
    Cluster(ClusterCommand),
    /// Run the built-in demo cluster on its own and write a kubeconfig for kubectl.
    DemoCluster(DemoClusterArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BOSUN_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: String,
    /// The URL browsers use to reach Bosun (scheme://host[:port]); sets the allowed Origin
    /// and makes cookies Secure when https.
    #[arg(long, env = "BOSUN_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Reverse proxies (CIDR blocks or addresses, comma-separated) whose X-Forwarded-For or
    /// Forwarded header names the client; other peers are the client themselves.
    #[arg(long, env = "BOSUN_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Sign out after this long without activity (s, m, h, d).
    #[arg(long, env = "BOSUN_SESSION_IDLE", default_value = "30m")]
    pub session_idle: String,
    /// Sign out this long after sign-in, however active (s, m, h, d).
    #[arg(long, env = "BOSUN_SESSION_MAX", default_value = "12h")]
    pub session_max: String,
    /// Where the built front end is served from.
    #[arg(long, env = "BOSUN_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
    /// Do not start the built-in demo cluster.
    #[arg(long, env = "BOSUN_NO_DEMO", action = clap::ArgAction::SetTrue, value_parser = clap::builder::BoolishValueParser::new())]
    pub no_demo: bool,
    /// Highest replica count a scale may ask for.
    #[arg(long, env = "BOSUN_MAX_REPLICAS", default_value = "1000")]
    pub max_replicas: String,
    /// Add N generated pods (over namespaces, nodes and workloads of every kind) to the
    /// built-in demo cluster's world, to try the console at scale.
    #[arg(long, env = "BOSUN_DEMO_PODS", default_value_t = 0)]
    pub demo_pods: usize,
    /// Seconds between two samples of every cluster's CPU and memory usage (the charts'
    /// points; the last 6 hours are kept).
    #[arg(long, env = "BOSUN_METRICS_EVERY", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub metrics_every: u64,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input.
    Add {
        name: String,
        #[arg(long, default_value = "viewer")]
        role: String,
    },
    /// Change an account's password, read from standard input.
    Passwd { name: String },
    /// List accounts.
    List,
    /// Disable an account (its sessions and tokens stop working).
    Disable { name: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long)]
        name: Option<String>,
        /// Days until it expires (default 90, at most 3650).
        #[arg(long, value_name = "DAYS")]
        expires: Option<u32>,
        /// `read` (can never change anything) or `role` (the user's full role, the default).
        #[arg(long, value_parser = parse_scope)]
        scope: Option<TokenScope>,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Add a cluster from a kubeconfig file (or the pod's service account, or the demo).
    Add {
        name: String,
        /// The kubeconfig file; `-` reads standard input.
        #[arg(long, required_unless_present = "source")]
        kubeconfig: Option<PathBuf>,
        /// The context to use (default: the kubeconfig's current context).
        #[arg(long)]
        context: Option<String>,
        /// `in-cluster` or `demo` instead of a kubeconfig.
        #[arg(long, conflicts_with = "kubeconfig")]
        source: Option<String>,
        /// prod, stage, dev or test.
        #[arg(long = "env", default_value = "dev")]
        environment: String,
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        default_namespace: Option<String>,
    },
    /// List the stored clusters.
    List,
    /// Remove a cluster and its stored credentials.
    Remove { name: String },
}

#[derive(Debug, Args)]
pub struct DemoClusterArgs {
    /// Where the demo cluster's API listens.
    #[arg(long, default_value = "127.0.0.1:6443")]
    pub listen: String,
    /// Write a kubeconfig for kubectl here.
    #[arg(long)]
    pub kubeconfig_out: Option<PathBuf>,
    /// Add N generated pods (over namespaces, nodes and workloads of every kind).
    #[arg(long, default_value_t = 0)]
    pub pods: usize,
}

/// Errors of the command line, each a single line for the terminal.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Domain(#[from] bosun_core::Error),
    #[error(transparent)]
    Server(#[from] crate::server::ServerError),
    #[error("{0}")]
    Other(String),
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        None => serve(&cli.serve, &cli.data_dir).await,
        Some(Command::Serve(args)) => serve(&args, &cli.data_dir).await,
        Some(Command::User(cmd)) => user_command(&cli.data_dir, cmd).await,
        Some(Command::Token(cmd)) => token_command(&cli.data_dir, cmd).await,
        Some(Command::Cluster(cmd)) => cluster_command(&cli.data_dir, cmd).await,
        Some(Command::DemoCluster(args)) => crate::server::run_demo_cluster(&args)
            .await
            .map_err(CliError::from),
    }
}

async fn serve(args: &ServeArgs, data_dir: &Path) -> Result<(), CliError> {
    let config = server_config(args, data_dir)?;
    crate::server::run(config).await?;
    Ok(())
}

/// Builds the validated server settings from flags and environment.
pub fn server_config(
    args: &ServeArgs,
    data_dir: &Path,
) -> Result<ServerConfig, config::ConfigError> {
    let admin_password = std::env::var("BOSUN_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    if let Some(password) = &admin_password {
        bosun_core::password::validate(password)
            .map_err(|e| config::ConfigError::new(config::ADMIN_PASSWORD, e.to_string()))?;
    }
    Ok(ServerConfig {
        listen: config::parse_listen(&args.listen)?,
        data_dir: data_dir.to_path_buf(),
        public_url: args
            .public_url
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(config::parse_public_url)
            .transpose()?,
        trusted_proxies: crate::http::client_addr::TrustedProxies::parse(
            args.trusted_proxies.as_deref().unwrap_or(""),
        )
        .map_err(|problem| config::ConfigError::new(config::TRUSTED_PROXIES, problem))?,
        session_idle: config::parse_duration(config::SESSION_IDLE, &args.session_idle)?,
        session_max: config::parse_duration(config::SESSION_MAX, &args.session_max)?,
        admin_password,
        site_root: args.site_root.clone(),
        demo_cluster: !args.no_demo,
        demo_time_scale: 1.0,
        demo_record_requests: false,
        demo_pods: args.demo_pods,
        metrics_every: std::time::Duration::from_secs(args.metrics_every),
        secret_key: secret_key_from_env(),
        max_replicas: args
            .max_replicas
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 1)
            .ok_or_else(|| {
                config::ConfigError::new(
                    config::MAX_REPLICAS,
                    format!(
                        "{:?} is not a whole number of at least 1",
                        args.max_replicas
                    ),
                )
            })?,
    })
}

fn secret_key_from_env() -> Option<String> {
    std::env::var(bosun_core::secrets::KEY_VARIABLE)
        .ok()
        .filter(|k| !k.trim().is_empty())
}

/// The domain's context for a command: the database, the credentials key (verified), and
/// a cluster manager that connects without watching.
async fn open_context(data_dir: &Path) -> Result<Context, CliError> {
    let db = bosun_core::db::open(data_dir)
        .await
        .map_err(|e| CliError::Other(format!("{}: {e}", config::DATA_DIR)))?;
    let secrets = SecretBox::load(data_dir, secret_key_from_env().as_deref())?;
    secrets.verify(&db).await?;
    Ok(Context::new(
        db,
        Arc::new(ClusterManager::without_watches()),
        Arc::new(secrets),
    ))
}

/// Reads one line (a password) from standard input, without the line ending.
fn read_password() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Other(format!("reading the password from standard input: {e}")))?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(CliError::Other("no password on standard input".into()));
    }
    Ok(password)
}

async fn user_command(data_dir: &Path, cmd: UserCommand) -> Result<(), CliError> {
    let ctx = open_context(data_dir).await?;
    let inv = Invocation::cli();
    let result = match cmd {
        UserCommand::Add { name, role } => {
            let role: Role = role
                .parse()
                .map_err(|e: bosun_model::ParseRoleError| CliError::Other(e.to_string()))?;
            let password = read_password()?;
            let user = accounts::create_user(&ctx, &inv, &name, &password, role).await?;
            println!("created user {} with role {}", user.username, user.role);
            Ok(())
        }
        UserCommand::Passwd { name } => {
            let password = read_password()?;
            let user = accounts::set_password(&ctx, &inv, &name, &password).await?;
            println!("changed the password of {}", user.username);
            Ok(())
        }
        UserCommand::List => {
            println!(
                "{:<6} {:<24} {:<9} {:<9} CREATED",
                "ID", "NAME", "ROLE", "STATUS"
            );
            for user in users::list(&ctx.db).await? {
                let status = if user.disabled { "disabled" } else { "active" };
                println!(
                    "{:<6} {:<24} {:<9} {:<9} {}",
                    user.id, user.username, user.role, status, user.created_at
                );
            }
            Ok(())
        }
        UserCommand::Disable { name } => {
            let user = accounts::set_disabled(&ctx, &inv, &name, true).await?;
            println!("disabled {}", user.username);
            Ok(())
        }
    };
    ctx.db.close().await;
    result
}

fn parse_scope(raw: &str) -> Result<TokenScope, String> {
    raw.parse()
}

async fn token_command(data_dir: &Path, cmd: TokenCommand) -> Result<(), CliError> {
    let ctx = open_context(data_dir).await?;
    let inv = Invocation::cli();
    let result = match cmd {
        TokenCommand::Create {
            user,
            name,
            expires,
            scope,
        } => {
            let options = TokenOptions {
                label: name,
                scope,
                expires_days: expires,
            };
            let token = accounts::create_token(&ctx, &inv, &user, &options).await?;
            eprintln!(
                "token id {} for {user} (scope {}, expires {}); it is shown only now, store it safely:",
                token.id, token.scope, token.expires_at
            );
            println!("{}", token.secret);
            Ok(())
        }
        TokenCommand::Revoke { id } => {
            accounts::revoke_token(&ctx, &inv, id).await?;
            println!("revoked token {id}");
            Ok(())
        }
    };
    ctx.db.close().await;
    result
}

fn read_kubeconfig(path: &Path) -> Result<String, CliError> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map_err(|e| {
            CliError::Other(format!("reading the kubeconfig from standard input: {e}"))
        })?;
        return Ok(text);
    }
    std::fs::read_to_string(path)
        .map_err(|e| CliError::Other(format!("kubeconfig {}: {e}", path.display())))
}

async fn cluster_command(data_dir: &Path, cmd: ClusterCommand) -> Result<(), CliError> {
    let ctx = open_context(data_dir).await?;
    let inv = Invocation::cli();
    let result = match cmd {
        ClusterCommand::Add {
            name,
            kubeconfig,
            context,
            source,
            environment,
            description,
            default_namespace,
        } => {
            let kubeconfig = kubeconfig.as_deref().map(read_kubeconfig).transpose()?;
            let input = ClusterInput {
                name,
                source,
                kubeconfig,
                context,
                environment: Some(environment),
                description,
                default_namespace,
            };
            let saved = clusters::add(&ctx, &inv, input).await?;
            let c = &saved.cluster;
            println!(
                "added cluster {} ({}, environment {}, default namespace {})",
                c.name,
                c.context.as_deref().map_or_else(
                    || c.source.as_str().to_string(),
                    |ctx| format!("context {ctx}")
                ),
                c.environment,
                c.default_namespace
            );
            match (&saved.connection.version, &saved.connection.error) {
                (Some(version), _) => println!(
                    "connection: reachable at {}, Kubernetes {version}",
                    saved.connection.server
                ),
                (None, Some(error)) => println!(
                    "connection: unreachable now ({error}); saved anyway, the console shows it healthy once it answers"
                ),
                (None, None) => println!("connection: not tested"),
            }
            Ok(())
        }
        ClusterCommand::List => {
            println!("{:<24} {:<12} ENV", "NAME", "SOURCE");
            for (name, source, env) in clusters::stored_names(&ctx, &inv).await? {
                println!("{name:<24} {source:<12} {env}");
            }
            Ok(())
        }
        ClusterCommand::Remove { name } => {
            clusters::remove(&ctx, &inv, &name).await?;
            println!("removed cluster {name}");
            Ok(())
        }
    };
    ctx.db.close().await;
    result
}
