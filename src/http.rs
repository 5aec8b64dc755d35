//! The HTTP listener (`http.listen`): `/livez`, `/readyz` and `/metrics`.
//!
//! - `/livez` answers 200 while the process's main loop runs: no
//!   dependency checks, so a broker outage never gets pods restarted.
//! - `/readyz` answers 200 once the consumer has joined its group (which
//!   comes after the start-up checks of the brokers and topics, with the
//!   models loaded), and 503 before that and from the moment shutdown
//!   begins (SIGTERM): the pod leaves the endpoints while it drains.
//! - `/metrics` renders the Prometheus text format ([`crate::metrics`]).
//!
//! Started by [`crate::service::run`] beside the pipeline, so `run`, `demo`
//! and the tests serve the same endpoints; it stops with the process.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use crate::offsets::Tracker;
use crate::shutdown::Shutdown;

/// What the endpoints read.
#[derive(Clone)]
struct Health {
    tracker: Arc<Tracker>,
    shutdown: Shutdown,
}

async fn livez() -> (StatusCode, &'static str) {
    (StatusCode::OK, "alive\n")
}

async fn readyz(State(h): State<Health>) -> (StatusCode, &'static str) {
    if h.shutdown.is_triggered() {
        (StatusCode::SERVICE_UNAVAILABLE, "draining\n")
    } else if !h.tracker.joined() {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "starting: not yet in the consumer group\n",
        )
    } else {
        (StatusCode::OK, "ready\n")
    }
}

async fn metrics(State(h): State<Health>) -> String {
    ::metrics::gauge!(crate::metrics::IN_FLIGHT).set(h.tracker.in_flight() as f64);
    ::metrics::gauge!(crate::metrics::IN_FLIGHT_BYTES)
        .set(crate::metrics::in_flight_bytes_now() as f64);
    ::metrics::gauge!(crate::metrics::OLDEST_IN_FLIGHT).set(
        h.tracker
            .oldest_in_flight()
            .map_or(0.0, |age| age.as_secs_f64()),
    );
    crate::metrics::handle().render()
}

/// Binds `listen` (an error names the key) and serves until the process ends.
pub async fn spawn(
    listen: SocketAddr,
    tracker: Arc<Tracker>,
    shutdown: Shutdown,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    crate::metrics::handle();
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| anyhow::anyhow!("key `http.listen`: cannot listen on {listen}: {e}"))?;
    tracing::info!(listen = %listener.local_addr()?, "http listening: /livez /readyz /metrics");
    let app = Router::new()
        .route("/livez", get(livez))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(Health { tracker, shutdown });
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "http listener failed");
        }
    }))
}
