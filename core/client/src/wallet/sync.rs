//! Sync and the outbox's sending side: [`Wallet::sync`] (flush, then the event feed page by
//! page, applied idempotently with the balances), [`Wallet::flush_outbox`], the outbox list,
//! and how one command is queued, attempted and learned from.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::outbox;
use super::view::{self, CommandOutcome, OutboxItem};
use super::{Change, Wallet, WalletError};
use crate::api::{self, Command, DeviceApi, OrderAction, OrderStepCommand, new_idempotency_key};
use crate::store::{
    Balance, CachedOrder, CommandState, FeedEvent, NewCommand, OutboxEntry, SyncBatch, queued_body,
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
        // Payment codes stay usable offline for days: refresh their masks while online. The
        // sync itself succeeded, so a refusal here (the device's secret revoked) does not undo
        // it; the next sync tries again and `payment_code` says when codes ran out.
        match self.refresh_payment_codes(&api).await {
            Ok(true) => {
                changes.insert(Change::Profile);
            }
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "payment-code masks not refreshed"),
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
            self.refresh_balances(&api, None).await;
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
            move |key, command| transmit(sender, key, command),
        )
        .await?;
        if entry.state == CommandState::Done
            && let Some(answer) = &entry.answer
            && entry.command.known().is_some_and(answers_with_an_order)
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
        command: Command,
    ) -> Result<CommandOutcome, WalletError> {
        let api = self.api()?;
        let command = NewCommand {
            idempotency_key: new_idempotency_key()?,
            command,
        };
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
            self.refresh_balances(&api, answered_balance(&entry)).await;
        }
        Ok(view::command_outcome(&entry, &self.texts()))
    }

    /// Brings the cached balances up to date after a command moved money (best effort: a
    /// failure leaves the cache for the next sync). A payment's answer carries the payer's
    /// new balance (`answered`): it is cached as it is, with no further request. Without one
    /// (an answer that has none, or an older server), the balances are read again.
    async fn refresh_balances(&self, api: &DeviceApi, answered: Option<Balance>) {
        let now = self.now();
        let cached = match answered {
            Some(balance) => {
                outbox::on_store(&self.store, move |s| s.put_balance(&balance, now)).await
            }
            None => {
                let balances: Vec<Balance> = match api.balances().await {
                    Ok(views) => views.iter().map(balance_of).collect(),
                    Err(error) => {
                        tracing::info!(%error, "balances not refreshed after a command");
                        return;
                    }
                };
                outbox::on_store(&self.store, move |s| s.replace_balances(&balances, now)).await
            }
        };
        match cached {
            Ok(true) => self.notify(Change::Balances),
            Ok(false) => {}
            Err(error) => tracing::warn!(%error, "balances not cached"),
        }
    }
}

/// Whether the command's answer is the order it acted on (cached from the answer).
fn answers_with_an_order(command: &Command) -> bool {
    matches!(
        command,
        Command::PayOrderCode(_) | Command::OrderStep { .. }
    )
}

/// The caller's balance after a command, when its answer carries it: the payer's balance of
/// a payment (`CodePaid`, an order paid into escrow), the sender's of a transfer or withdrawal
/// (`Moved`), the merchant's of a charge (`Charged`). Only from an answer to the first
/// attempt: a later attempt may be answered with the server's stored first answer, whose
/// balance may be older than the cache.
pub(super) fn answered_balance(entry: &OutboxEntry) -> Option<Balance> {
    #[derive(serde::Deserialize)]
    struct WithBalance {
        #[serde(default)]
        balance: Option<api::BalanceView>,
    }
    let answer = entry.answer.as_ref()?;
    let command = entry.command.known()?;
    let payers_balance = matches!(
        command,
        Command::PayCode(_)
            | Command::PayOrderCode(_)
            | Command::Send(_)
            | Command::Withdraw(_)
            | Command::Charge(_)
            | Command::OrderStep {
                step: OrderStepCommand::Plain(OrderAction::Pay),
                ..
            }
    );
    if !payers_balance || entry.attempts != 1 {
        return None;
    }
    let read: WithBalance = serde_json::from_str(&answer.body).ok()?;
    read.balance.as_ref().map(balance_of)
}

/// Sends a stored command as the command says (its path and body; fresh signature, the
/// stored key).
async fn transmit(
    api: DeviceApi,
    idempotency_key: String,
    command: Command,
) -> Result<Answer, TransportError> {
    let body = queued_body(&command).map_err(|error| TransportError::InvalidRequest {
        detail: format!("the stored {} does not serialize: {error}", command.name()),
    })?;
    let call = Call::post(command.path(), body, Some(&idempotency_key));
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
        if item.kind != api::KIND_ORDER {
            continue;
        }
        match item
            .feed_event()
            .map_err(|e| e.to_string())
            .and_then(|event| match event {
                api::FeedEvent::Order(event) => {
                    view::cached_order(&event.order).map_err(|e| e.to_string())
                }
                other => Err(format!("an order entry holds a {} event", other.kind())),
            }) {
            Ok(row) => {
                // A later event of the same order in this page wins.
                orders.retain(|o| o.id != row.id);
                orders.push(row);
            }
            Err(error) => tracing::warn!(seq = item.seq, %error, "order event not readable"),
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
