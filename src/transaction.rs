//! Exactly-once delivery (`delivery.mode = "exactly-once"`): the open Kafka
//! transaction and what it holds.
//!
//! Every record a message causes (outputs or dead letter) is produced inside
//! the open transaction; the consumed positions go into the same transaction
//! with the consumer's group metadata (`send_offsets_to_transaction`, KIP-447,
//! so a zombie of an older group generation is refused), and the transaction
//! commits every `pipeline.commit_interval_ms`, when half the in-flight
//! permits are held by it, on revocation and at shutdown. Only then are the
//! messages complete: the offset tracker and the in-flight permits are
//! released after the commit, not after each acknowledgement.
//!
//! Errors, as librdkafka classifies them:
//! - retriable: the commit is tried again;
//! - abortable (`txn_requires_abort`): the transaction is aborted, its
//!   records are never visible to `read_committed` readers, and the pipeline
//!   restarts from the committed offsets ([`TxnError::Aborted`]);
//! - fatal, including being fenced by a newer instance with the same
//!   `transactional.id`: the process ends ([`TxnError::Fatal`]).
//!
//! Compared with at-least-once, a message's permit is held until its
//! transaction commits, so latency grows by up to one commit interval;
//! throughput is measured side by side in `scripts/bench-delivery.sh`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::source::InFlight;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{FutureProducer, Producer};
use rdkafka::{Offset, TopicPartitionList};

use crate::cluster::SinkContext;
use crate::offsets::{TopicPartition, Tracker};
use crate::source::SourceContext;

/// How often a retriable commit error is retried before it counts as fatal.
const COMMIT_RETRIES: usize = 5;

/// Why a transaction could not be committed.
#[derive(Debug, thiserror::Error)]
pub enum TxnError {
    /// Aborted: nothing of it is visible; redo from the committed offsets.
    #[error("transaction aborted, redoing from the committed offsets: {0}")]
    Aborted(KafkaError),
    /// Aborted before commit because it holds messages of a partition that
    /// was revoked while it was open (the revocation could not wait for it):
    /// committing it would make those messages visible while the partition's
    /// new owner redoes them from the committed offset.
    #[error("transaction aborted, redoing from the committed offsets: it holds messages of {0}, revoked while it was open")]
    Revoked(String),
    /// The producer can no longer be used (fenced by a newer instance with the
    /// same transactional.id, or another fatal error): the process must end.
    #[error("fatal transaction error: {0}")]
    Fatal(KafkaError),
}

impl TxnError {
    /// Whether the transaction was aborted (nothing of it visible; its
    /// messages are redone from the committed offsets), rather than the
    /// producer being unusable.
    pub fn is_aborted(&self) -> bool {
        matches!(self, TxnError::Aborted(_) | TxnError::Revoked(_))
    }

    fn classify(e: KafkaError) -> TxnError {
        match &e {
            KafkaError::Transaction(r) if r.txn_requires_abort() && !r.is_fatal() => {
                TxnError::Aborted(e)
            }
            _ => TxnError::Fatal(e),
        }
    }
}

/// A message whose records are in the open transaction.
struct Pending {
    tp: TopicPartition,
    epoch: u64,
    offset: i64,
    /// The input record's timestamp, for the end-to-end histogram.
    timestamp_ms: Option<i64>,
    _permit: Option<InFlight>,
}

/// The open transaction of this instance.
pub struct Transactions {
    producer: FutureProducer<SinkContext>,
    consumer: Arc<BaseConsumer<SourceContext>>,
    tracker: Arc<Tracker>,
    timeout: Duration,
    open: Option<Instant>,
    pending: Vec<Pending>,
    next: BTreeMap<TopicPartition, i64>,
}

impl Transactions {
    /// Registers the transactional id with the broker, which fences any
    /// previous incarnation using it (its open transaction is aborted).
    pub fn init(
        producer: FutureProducer<SinkContext>,
        consumer: Arc<BaseConsumer<SourceContext>>,
        tracker: Arc<Tracker>,
        timeout: Duration,
    ) -> Result<Transactions, KafkaError> {
        producer.init_transactions(timeout)?;
        Ok(Transactions {
            producer,
            consumer,
            tracker,
            timeout,
            open: None,
            pending: Vec::new(),
            next: BTreeMap::new(),
        })
    }

    /// Opens a transaction unless one is open.
    pub fn ensure_open(&mut self) -> Result<(), TxnError> {
        if self.open.is_none() {
            self.producer
                .begin_transaction()
                .map_err(TxnError::classify)?;
            self.open = Some(Instant::now());
        }
        Ok(())
    }

    /// Records that every record of `offset` is in the open transaction.
    pub fn add(
        &mut self,
        tp: TopicPartition,
        epoch: u64,
        offset: i64,
        timestamp_ms: Option<i64>,
        permit: Option<InFlight>,
    ) {
        let next = self.next.entry(tp.clone()).or_insert(offset + 1);
        *next = (*next).max(offset + 1);
        self.pending.push(Pending {
            tp,
            epoch,
            offset,
            timestamp_ms,
            _permit: permit,
        });
    }

    /// Messages in the open transaction.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// How long the open transaction has been open.
    pub fn age(&self) -> Option<Duration> {
        self.open.map(|t| t.elapsed())
    }

    /// Commits the open transaction with the consumed positions; then the
    /// messages in it are complete. Blocks (call it off the async reactor).
    /// Returns the number of messages committed.
    pub fn commit(&mut self) -> Result<usize, TxnError> {
        if self.open.is_none() {
            return Ok(0);
        }
        if let Some(p) = self
            .pending
            .iter()
            .find(|p| self.tracker.epoch(&p.tp) != Some(p.epoch))
        {
            let what = format!("{}[{}]", p.tp.topic, p.tp.partition);
            self.abort();
            return Err(TxnError::Revoked(what));
        }
        let mut attempt = 0;
        loop {
            let result = self.send_offsets().and_then(|()| {
                self.producer
                    .commit_transaction(self.timeout)
                    .map_err(TxnError::classify)
            });
            match result {
                Ok(()) => break,
                Err(TxnError::Fatal(KafkaError::Transaction(r)))
                    if r.is_retriable() && attempt < COMMIT_RETRIES =>
                {
                    attempt += 1;
                    tracing::warn!(error = %r, attempt, "transaction commit failed; retrying");
                }
                Err(TxnError::Aborted(e)) => {
                    self.abort();
                    return Err(TxnError::Aborted(e));
                }
                Err(e) => return Err(e),
            }
        }
        let n = self.pending.len();
        for p in self.pending.drain(..) {
            self.tracker.complete(&p.tp, p.epoch, p.offset);
            crate::metrics::end_to_end(p.timestamp_ms);
        }
        self.next.clear();
        self.open = None;
        Ok(n)
    }

    fn send_offsets(&self) -> Result<(), TxnError> {
        if self.next.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for (tp, next) in &self.next {
            tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(*next))
                .map_err(TxnError::Fatal)?;
        }
        let cgm = self
            .consumer
            .group_metadata()
            .ok_or(TxnError::Fatal(KafkaError::Global(RDKafkaErrorCode::State)))?;
        self.producer
            .send_offsets_to_transaction(&tpl, &cgm, self.timeout)
            .map_err(TxnError::classify)
    }

    /// Aborts the open transaction (its records are never visible) and
    /// forgets its messages, which stay in flight for the rewind.
    pub fn abort(&mut self) {
        if self.open.take().is_some() {
            if let Err(e) = self.producer.abort_transaction(self.timeout) {
                tracing::error!(error = %e, "transaction abort failed");
            }
        }
        self.pending.clear();
        self.next.clear();
    }
}
