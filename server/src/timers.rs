//! The order timer loop: delivers due escrow deadlines (pay window, auto-confirm, refund
//! answer) as [`danbao_domain::escrow::Party::Timer`].
//!
//! Deadlines live in the database (`orders.next_deadline`, written with every order change),
//! so they survive restarts: a server that was down simply finds them due when it starts.
//! Each pass is one write job: the deadline's effects and the order's new state commit
//! together, so a fired deadline is no longer due and can never fire twice — even if two
//! servers ran the loop on the same database.

use std::time::Duration;

use crate::app::App;
use crate::service::ServiceResult;
use crate::service::orders::{self, Fired};
use crate::store::Store;

/// Runs forever: every `config.timer_interval_ms`, delivers what is due.
pub async fn run<S: Store>(app: App<S>) {
    let period = Duration::from_millis(app.config.timer_interval_ms.max(1));
    let mut tick = tokio::time::interval(period);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(error) = crate::service::admin::refresh_clock(&app).await {
            tracing::warn!(%error, "could not read the shared sandbox clock");
        }
        if let Err(error) = fire(&app).await {
            tracing::warn!(%error, "timer pass failed; retrying on the next tick");
        }
    }
}

/// Delivers every deadline due now, `config.timer_batch` orders per write job, until a job
/// finds fewer than a full batch due. Returns the total.
///
/// Each job changes or reschedules every order it looked at (see [`orders::fire_due`]), so
/// the next job sees new orders: a full batch of failing orders delays the rest by one job,
/// never by a tick.
pub async fn fire<S: Store>(app: &App<S>) -> ServiceResult<Fired> {
    let batch = app.config.timer_batch.max(1);
    let mut total = Fired::default();
    loop {
        let now = app.now();
        let pass = app
            .store
            .write(move |tx| orders::fire_due(tx, now, batch))
            .await?;
        total.due += pass.due;
        total.fired += pass.fired;
        total.deferred += pass.deferred;
        if pass.fired > 0 {
            tracing::info!(fired = pass.fired, "order deadlines delivered");
        }
        // A short batch means nothing else is due. A full batch where no order changed or
        // was rescheduled would come back the same: stop and let the next tick retry it.
        if pass.due < batch as usize || pass.fired + pass.deferred == 0 {
            return Ok(total);
        }
    }
}
