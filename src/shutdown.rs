//! Shutdown: one flag, set by SIGTERM/SIGINT (or by a caller such as `demo`),
//! that every loop checks.
//!
//! The Kafka poll loop runs on its own OS thread and checks the flag between
//! polls; async tasks await [`Shutdown::wait`]. Setting it twice is harmless.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::sync::Notify;

/// A cloneable shutdown signal.
#[derive(Debug, Clone, Default)]
pub struct Shutdown {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    flag: AtomicBool,
    notify: Notify,
}

impl Shutdown {
    pub fn new() -> Shutdown {
        Shutdown::default()
    }

    /// Asks everything to stop.
    pub fn trigger(&self) {
        self.inner.flag.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// A shutdown of its own that is also triggered when this one is: lets a
    /// part stop itself (the pipeline after an aborted transaction) without
    /// stopping its caller.
    pub fn child(&self) -> Shutdown {
        let child = Shutdown::new();
        let (parent, c) = (self.clone(), child.clone());
        tokio::spawn(async move {
            tokio::select! {
                _ = parent.wait() => c.trigger(),
                _ = c.wait() => {}
            }
        });
        child
    }

    pub fn is_triggered(&self) -> bool {
        self.inner.flag.load(Ordering::SeqCst)
    }

    /// Resolves once shutdown is triggered.
    pub async fn wait(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_triggered() {
                return;
            }
            notified.await;
        }
    }

    /// Triggers shutdown on the first SIGTERM or SIGINT. Must be called inside
    /// a tokio runtime.
    pub fn listen_for_signals(&self) -> std::io::Result<()> {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        let me = self.clone();
        tokio::spawn(async move {
            let name = tokio::select! {
                _ = term.recv() => "SIGTERM",
                _ = int.recv() => "SIGINT",
            };
            tracing::info!(
                signal = name,
                "shutdown requested: stop fetching, drain, commit"
            );
            me.trigger();
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn wait_returns_after_trigger() {
        let s = Shutdown::new();
        let s2 = s.clone();
        let h = tokio::spawn(async move { s2.wait().await });
        tokio::task::yield_now().await;
        assert!(!s.is_triggered());
        s.trigger();
        h.await.unwrap();
        s.wait().await; // already triggered: returns at once
    }
}
