//! Sync and the outbox's sending side: [`Wallet::sync`] (flush, then the event feed page by
//! page, applied idempotently with the balances), [`Wallet::flush_outbox`], the outbox list,
//! and how one command is queued, attempted and learned from.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::Value;

use super::outbox;
use super::view::{self, CommandOutcome, OutboxItem};
use super::{Change, Wallet, WalletError};
use crate::api::{self, DeviceApi, new_idempotency_key};
use crate::store::{
    Balance, CachedOrder, CommandState, FeedEvent, NewCommand, OutboxEntry, SyncBatch,
};
use crate::transport::{Answer, Call, TransportError};
use danbao_domain::protocol::limits::MAX_PAGE_LIMIT;

/// Largest feed page sync asks for: the most the server gives.
const SYNC_PAGE: u32 = MAX_PAGE_LIMIT;
/// The most commands one flush sends.
const FLUSH_LIMIT: u32 = 200;

impl Wallet {
    /// Brings the cache up to date: sends queued commands, reads the event feed from the
    /// stored cursor (page by page, each page applied in one transaction, idempotently),
    /// refreshes the balances and order views, and tells the listener what changed. Returns
    /// the changes (empty when nothing changed).
    pub async fn sync(&self) -> Result<Vec<Change>, WalletError> {
        let api = self.api()?;
        let _one_sync = self.sync_lock.lock().await;
        let mut changes = BTreeSet::new();
        // Commands first, so their effects arrive with this sync's events and balances.
        let (flushed, _) = self.flush_with(&api).await?;
        if !flushed.is_empty() {
            changes.insert(Change::Outbox);
        }
        loop {
            let cursor = outbox::on_store(&self.store, |s| s.cursor()).await?;
            let page = api.events(cursor, Some(SYNC_PAGE)).await?;
            let batch = sync_batch(&page, cursor);
            // A full page means more may follow, unless the cursor did not move (which
            // would otherwise loop forever on a misbehaving server).
            let last_page = page.items.len() < SYNC_PAGE as usize
                || cursor.is_some_and(|before| batch.cursor <= before);
            let balances = if last_page {
                Some(api.balances().await?.iter().map(balance_of).collect())
            } else {
                None
            };
            let batch = SyncBatch { balances, ..batch };
            let now = self.now();
            let applied = outbox::on_store(&self.store, move |s| s.apply_sync(&batch, now)).await?;
            if !applied.new_events.is_empty() {
                changes.insert(Change::Activity);
            }
            if !applied.orders_changed.is_empty() {
                changes.insert(Change::Orders);
            }
            if applied.balances_changed {
                changes.insert(Change::Balances);
            }
            if last_page {
                break;
            }
        }
        self.notify_all(&changes);
        Ok(changes.into_iter().collect())
    }

    /// Sends every queued command now (ignoring backoff times), oldest first, each with its
    /// stored key; stops at the first that cannot reach the server (the rest stay queued).
    /// Returns the outcome of each command it looked at.
    pub async fn flush_outbox(&self) -> Result<Vec<CommandOutcome>, WalletError> {
        let api = self.api()?;
        let (outcomes, any_done) = self.flush_with(&api).await?;
        if !outcomes.is_empty() {
            self.notify(Change::Outbox);
        }
        if any_done {
            self.refresh_balances(&api).await;
        }
        Ok(outcomes)
    }

    /// The flush itself: the outcomes, and whether any command completed.
    async fn flush_with(
        &self,
        api: &DeviceApi,
    ) -> Result<(Vec<CommandOutcome>, bool), WalletError> {
        let _one_flush = self.flush_lock.lock().await;
        let waiting = outbox::on_store(&self.store, |s| s.unfinished_commands(FLUSH_LIMIT)).await?;
        let mut outcomes = Vec::with_capacity(waiting.len());
        let mut reachable = !self.sending_paused();
        let mut any_done = false;
        for entry in waiting {
            if !reachable || entry.state != CommandState::Pending {
                outcomes.push(view::command_outcome(&entry, &self.texts()));
                continue;
            }
            let entry = self.attempt(api, entry.id).await?;
            if entry.state == CommandState::Pending {
                reachable = false;
            }
            any_done |= entry.state == CommandState::Done;
            outcomes.push(view::command_outcome(&entry, &self.texts()));
        }
        Ok((outcomes, any_done))
    }

    /// The outbox, newest first (the last 100 commands, answered ones included).
    pub fn outbox(&self) -> Result<Vec<OutboxItem>, WalletError> {
        Ok(self
            .store
            .outbox(100)?
            .iter()
            .map(|e| view::outbox_item(e, &self.texts()))
            .collect())
    }

    /// One attempt of command `id`, then what its answer teaches the cache.
    async fn attempt(&self, api: &DeviceApi, id: i64) -> Result<OutboxEntry, WalletError> {
        let clock = Arc::clone(&self.clock);
        let sender = api.clone();
        let entry = outbox::attempt(
            &self.store,
            id,
            move || clock.now_unix_secs(),
            move |command| transmit(sender, command),
        )
        .await?;
        if entry.state == CommandState::Done
            && let Some(answer) = &entry.answer
            && (entry.command.kind == "pay_order" || entry.command.kind.starts_with("order_"))
        {
            match serde_json::from_str::<api::OrderView>(&answer.body) {
                Ok(order) => self.cache_order(&order).await?,
                Err(error) => tracing::warn!(%error, "order answer not cached"),
            }
        }
        Ok(entry)
    }

    /// Queues a command, then sends it once now (unless sending is paused).
    pub(super) async fn run_command(
        &self,
        kind: &str,
        path: String,
        body: Option<Value>,
    ) -> Result<CommandOutcome, WalletError> {
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let command = outbox::command(kind, path, body.as_ref(), key);
        let entry = outbox::enqueue(&self.store, command, self.now()).await?;
        self.notify(Change::Outbox);
        if self.sending_paused() {
            let mut outcome = view::command_outcome(&entry, &self.texts());
            outcome.message = "queued: sending is paused".to_owned();
            return Ok(outcome);
        }
        let entry = self.attempt(&api, entry.id).await?;
        self.notify(Change::Outbox);
        if entry.state == CommandState::Done {
            self.refresh_balances(&api).await;
        }
        Ok(view::command_outcome(&entry, &self.texts()))
    }

    /// Re-reads the balances after a command moved money (best effort: a failure leaves
    /// the cache for the next sync).
    async fn refresh_balances(&self, api: &DeviceApi) {
        let balances: Vec<Balance> = match api.balances().await {
            Ok(views) => views.iter().map(balance_of).collect(),
            Err(error) => {
                tracing::info!(%error, "balances not refreshed after a command");
                return;
            }
        };
        let now = self.now();
        match outbox::on_store(&self.store, move |s| s.replace_balances(&balances, now)).await {
            Ok(true) => self.notify(Change::Balances),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "balances not cached"),
        }
    }
}

/// Sends a stored command exactly as stored (fresh signature, same key).
async fn transmit(api: DeviceApi, command: NewCommand) -> Result<Answer, TransportError> {
    let call = Call::post(
        command.path,
        command.body_json.into_bytes(),
        Some(&command.idempotency_key),
    );
    api.raw(&call).await
}

/// The feed page as a store batch: events, the order views carried by `order` events, and
/// the cursor after them.
pub(super) fn sync_batch(page: &api::FeedPage, cursor: Option<i64>) -> SyncBatch {
    let mut events = Vec::with_capacity(page.items.len());
    let mut orders: Vec<CachedOrder> = Vec::new();
    for item in &page.items {
        events.push(FeedEvent {
            seq: item.seq,
            kind: item.kind.clone(),
            data_json: item.data.to_string(),
            created_at: item.created_at,
        });
        if item.kind == "order"
            && let Some(order) = item.data.get("order")
        {
            match serde_json::from_value::<api::OrderView>(order.clone())
                .map_err(|e| e.to_string())
                .and_then(|view| view::cached_order(&view).map_err(|e| e.to_string()))
            {
                Ok(row) => {
                    // A later event of the same order in this page wins.
                    orders.retain(|o| o.id != row.id);
                    orders.push(row);
                }
                Err(error) => tracing::warn!(seq = item.seq, %error, "order event not readable"),
            }
        }
    }
    let last_seq = page.items.last().map(|e| e.seq);
    let cursor = [page.next_cursor, last_seq, cursor]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(0);
    SyncBatch {
        events,
        orders,
        balances: None,
        cursor,
    }
}

pub(super) fn balance_of(view: &api::BalanceView) -> Balance {
    Balance {
        currency: view.currency.clone(),
        available: view.available.minor,
        held_out: view.held_out.minor,
        incoming: view.incoming.minor,
    }
}
