//! Money between friends: [`Wallet::send`], money requests (made, listed, answered) and the
//! contacts list.

use super::args::{check_note, currency, handle_arg, positive_amount};
use super::view::{self, CommandOutcome, RequestView};
use super::{Change, Wallet, WalletError};
use crate::api::{self, Command, new_idempotency_key};
use crate::i18n::Words;
use crate::store::MAX_PAGE;

impl Wallet {
    /// Sends `amount` to a friend by handle, through the outbox.
    pub async fn send(
        &self,
        to_handle: &str,
        amount: &str,
        currency: &str,
        memo: &str,
    ) -> Result<CommandOutcome, WalletError> {
        let to = handle_arg("to_handle", to_handle)?;
        let money = positive_amount(amount, self::currency(currency)?)?;
        check_note("memo", memo)?;
        if self
            .cached_profile()
            .is_some_and(|profile| profile.handle == to)
        {
            return Err(WalletError::invalid(
                "to_handle",
                Words::new("input-send-to-self").text("to", to),
            ));
        }
        self.run_command(Command::Send(api::Send::new(to, money, memo)))
            .await
    }

    /// The confirm screen's payee part before [`Wallet::send`]: the server's name for
    /// `to_handle`, a verified badge, a warning when its name looks like a verified merchant's
    /// (or another account's), and a warning when this wallet never paid it before (from the
    /// wallet's own store: completed payments in the activity and the outbox).
    pub async fn check_payee(&self, to_handle: &str) -> Result<view::PayeeScreen, WalletError> {
        let to = handle_arg("to_handle", to_handle)?;
        let api = self.api()?;
        let profile = api.lookup(&to).await?;
        let paid_before = self.store.paid_before(&profile.handle)?;
        Ok(view::payee_screen(
            &profile.handle,
            &profile.display_name,
            &profile.standing,
            paid_before,
            &self.texts(),
        ))
    }

    /// Asks `from_handle` to pay this user (sent now, not queued: the answer is the request).
    pub async fn request_money(
        &self,
        from_handle: &str,
        amount: &str,
        currency: &str,
        note: &str,
    ) -> Result<RequestView, WalletError> {
        let from = handle_arg("from_handle", from_handle)?;
        let money = positive_amount(amount, self::currency(currency)?)?;
        check_note("note", note)?;
        let api = self.api()?;
        let key = new_idempotency_key()?;
        let request = api
            .create_request(&api::NewRequest::new(from, money, note), &key)
            .await?;
        // The new request reaches `requests()` through the feed: sync now so the list shows
        // it. The request exists either way; a failed sync only delays the list.
        if let Err(error) = self.sync().await {
            tracing::info!(%error, "sync after a money request failed; a later sync shows it");
            self.notify(Change::Activity);
        }
        RequestView::new(request, &self.texts())
    }

    /// Money requests this user made or received, newest first, each in its latest known
    /// state (from the cache: run [`Wallet::sync`] to see new ones). An `open` request whose
    /// `payer` is this user waits for [`Wallet::answer_request`].
    pub fn requests(&self) -> Result<Vec<RequestView>, WalletError> {
        let events = self
            .store
            .activity_page_of_kind("request", None, MAX_PAGE)?;
        let me = self.cached_profile().map(|profile| profile.handle);
        Ok(view::latest_requests(&events, me.as_deref(), &self.texts()))
    }

    /// Pays (`accept`) or declines a money request addressed to this user, through the
    /// outbox.
    pub async fn answer_request(
        &self,
        id: i64,
        accept: bool,
    ) -> Result<CommandOutcome, WalletError> {
        if id <= 0 {
            return Err(WalletError::invalid(
                "id",
                Words::new("input-request-id").text("id", id),
            ));
        }
        let command = if accept {
            Command::AcceptRequest { id }
        } else {
            Command::DeclineRequest { id }
        };
        self.run_command(command).await
    }

    /// The people this user paid or was paid by, most recent first (cache only), for the
    /// send-to-a-friend screen. Filled by [`Wallet::sync`] from transfer events.
    pub fn contacts(&self, limit: u32) -> Result<Vec<super::store::Contact>, WalletError> {
        Ok(self.store.contacts(limit)?)
    }
}
