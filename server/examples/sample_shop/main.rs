//! The sample shop against a running Danbao server:
//!
//! ```text
//! DANBAO_URL=http://127.0.0.1:8080 DANBAO_API_KEY=mk_….… \
//!     cargo run -p danbao-server --example sample_shop
//! ```
//!
//! It registers its webhook endpoint (on 127.0.0.1, so the server must run in sandbox mode),
//! creates one order and prints its code, ships it when the paid webhook arrives, and prints the
//! settlement report of the last day every minute.

mod shop;

use std::sync::{Arc, Mutex};

#[tokio::main]
async fn main() -> Result<(), String> {
    let danbao = std::env::var("DANBAO_URL").map_err(|_| "set DANBAO_URL".to_owned())?;
    let key = std::env::var("DANBAO_API_KEY").map_err(|_| "set DANBAO_API_KEY".to_owned())?;
    let log = Arc::new(Mutex::new(Vec::new()));
    let (shop, paid) = shop::Shop::start(&danbao, &key, "127.0.0.1:0", log).await?;
    let reference = format!(
        "web-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    shop.checkout(&reference, "88.00").await?;
    tokio::spawn(shop::ship_paid_orders(shop.clone(), paid));
    loop {
        tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        shop.report(now - 86_400, now + 1).await?;
    }
}
