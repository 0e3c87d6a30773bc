//! Screen reads from the cache (no network): the home screen and the activity pages.

use super::orders::summaries;
use super::outbox;
use super::view::{self, ActivityPage, BalanceLine, HomeSnapshot, Profile};
use super::{Wallet, WalletError};
use crate::i18n::{Texts, Words};
use crate::store::{self, FeedEvent, MAX_PAGE};

/// Recent activity rows on the home screen.
const HOME_RECENT: u32 = 20;
/// Open orders the home screen looks at (most recently changed first).
const HOME_OPEN_ORDERS: u32 = 100;

impl Wallet {
    /// What the home screen shows, from the cache only (no network): profile, balances, the
    /// 20 latest money movements, orders waiting for the user, unsent commands.
    pub fn home(&self) -> Result<HomeSnapshot, WalletError> {
        let balances = self.store.balances()?;
        let recent = self
            .store
            .activity_page_of_kind("transfer", None, HOME_RECENT)?;
        // Finished orders never wait for anyone; the store leaves them out, so only the
        // (few) open orders' views are parsed.
        let orders = self.store.open_orders(HOME_OPEN_ORDERS)?;
        let texts = self.texts();
        let orders = summaries(&orders, self.now(), &texts);
        let outbox = self.store.unfinished_commands(50)?;
        let currency = balances
            .first()
            .map(|balance| balance.currency.clone())
            .unwrap_or_else(|| view::DEFAULT_CURRENCY.to_owned());
        Ok(HomeSnapshot {
            currency,
            profile: self.cached_profile().map(Profile::from),
            balances: balances
                .iter()
                .map(|b| BalanceLine::new(b, &texts))
                .collect(),
            recent: recent
                .iter()
                .map(|e| view::activity_item(e, &texts))
                .collect(),
            orders_needing_action: orders.into_iter().filter(view::needs_action).collect(),
            outbox: outbox
                .iter()
                .map(|e| view::outbox_item(e, &texts))
                .collect(),
            payment_code_enabled: self
                .store
                .has_secret(store::SecretSlot::PaymentCodeSecret)?,
        })
    }

    /// A page of cached money movements, newest first: `cursor` is the previous page's
    /// `next_cursor` (`None` for the first page); `limit` 1–500.
    pub async fn activity(
        &self,
        cursor: Option<i64>,
        limit: u32,
    ) -> Result<ActivityPage, WalletError> {
        if limit == 0 {
            return Err(WalletError::invalid(
                "limit",
                Words::new("input-limit-zero").text("max", MAX_PAGE),
            ));
        }
        let limit = limit.min(MAX_PAGE);
        let rows = outbox::on_store(&self.store, move |s| {
            s.activity_page_of_kind("transfer", cursor, limit)
        })
        .await?;
        Ok(activity_page(&rows, limit, &self.texts()))
    }
}

/// A page of activity rows and the cursor of the next one.
pub(super) fn activity_page(rows: &[FeedEvent], limit: u32, texts: &Texts) -> ActivityPage {
    let next_cursor = if rows.len() == limit as usize {
        rows.last().map(|e| e.seq)
    } else {
        None
    };
    ActivityPage {
        items: rows.iter().map(|e| view::activity_item(e, texts)).collect(),
        next_cursor,
    }
}
