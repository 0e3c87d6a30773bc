//! Payment codes through the `Wallet` facade against an in-process server whose clock the
//! test moves: the window of index masks a device holds (issue 12 point 1) is refreshed when
//! the wallet syncs, a wallet whose window ran out says so precisely instead of showing a code
//! the till would refuse, and a wallet provisioned under the first layout (a deployment-wide
//! mask key) is provisioned again on its next sync.

mod wallet_common;

use std::sync::Arc;

use danbao_client::i18n::Texts;
use danbao_client::secrets::{KeyStore, SoftwareKeyStore};
use danbao_client::store::{LocalStore, SecretSlot};
use danbao_client::transport::Clock;
use danbao_client::{Wallet, WalletConfig, WalletError, WalletOptions};
use danbao_server::{App, Backend};
use wallet_common::*;

const DAY: i64 = 86_400;

/// The server's clock (which the test moves), so the wallet's signatures stay fresh.
struct ServerClock(App<Backend>);
impl Clock for ServerClock {
    fn now_unix_secs(&self) -> i64 {
        self.0.now()
    }
}

struct Device {
    wallet: Option<Wallet>,
    db: std::path::PathBuf,
    key_store: Arc<dyn KeyStore>,
    _dir: tempfile::TempDir,
}

impl Device {
    async fn signed_up(server: &Server, handle: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut device = Self {
            wallet: None,
            db: dir.path().join("wallet.db"),
            key_store: Arc::new(SoftwareKeyStore::generate().unwrap()),
            _dir: dir,
        };
        device.open(server).await;
        device
            .w()
            .sign_up(handle, handle, "test phone")
            .await
            .unwrap();
        device
    }

    async fn open(&mut self, server: &Server) {
        let config = WalletConfig {
            db_path: self.db.clone(),
            server_url: server.url.clone(),
            spki_pins: Vec::new(),
            locale: "en".into(),
            utc_offset_minutes: 0,
            time_zone: String::new(),
        };
        let options = WalletOptions {
            clock: Arc::new(ServerClock(server.app.clone())),
            ..test_options()
        };
        self.wallet = Some(
            Wallet::open_with(config, self.key_store.clone(), None, options)
                .await
                .unwrap(),
        );
    }

    fn w(&self) -> &Wallet {
        self.wallet.as_ref().unwrap()
    }

    fn code(&self, server: &Server) -> Result<String, WalletError> {
        let now = u64::try_from(server.app.now()).unwrap();
        self.w().payment_code(now).map(|view| view.digits)
    }
}

#[tokio::test]
async fn the_window_of_masks_is_refreshed_on_sync_and_its_end_is_a_precise_error() {
    let server = Server::start().await;
    let buyer = Device::signed_up(&server, "buyer").await;
    let shop = Device::signed_up(&server, "shop").await;
    server.enrol_merchant("shop").await;
    server.top_up("buyer", "100.00").await;
    buyer.w().enable_payment_code().await.unwrap();
    let first = buyer.code(&server).unwrap();
    assert!(first.starts_with("29"), "{first}");
    done(
        shop.w().charge_payment_code(&first, "1.00", "CNY").await,
        "charge 1.00",
    );

    // A day later the window has two days left: a sync leaves it as it is.
    server.app.clock.advance(DAY);
    buyer.w().sync().await.unwrap();
    // Another day and a bit: under two days left, the sync refreshes it.
    server.app.clock.advance(DAY + 3_600);
    buyer.w().sync().await.unwrap();
    // Two more days offline: past the first window's end (3 days after provisioning), the
    // refreshed window still makes codes the till accepts.
    server.app.clock.advance(2 * DAY);
    let later = buyer.code(&server).unwrap();
    done(
        shop.w().charge_payment_code(&later, "2.00", "CNY").await,
        "charge 2.00",
    );
    shop.w().sync().await.unwrap();
    assert_eq!(shop.w().home().unwrap().balances[0].available.minor, 300);

    // Without a sync for more than three days the phone makes no code, and says why.
    server.app.clock.advance(3 * DAY + 60);
    let ran_out = buyer.code(&server).unwrap_err();
    assert_eq!(
        ran_out,
        WalletError::PaymentCodeRefreshNeeded {
            outdated_layout: false
        }
    );
    assert!(ran_out.to_string().contains("Go online once"), "{ran_out}");
    let zh = Texts::new("zh-Hans").unwrap();
    assert!(
        ran_out.message(&zh).contains("请联网一次"),
        "{}",
        ran_out.message(&zh)
    );
    // Online again, the next sync brings codes back.
    buyer.w().sync().await.unwrap();
    let again = buyer.code(&server).unwrap();
    done(
        shop.w().charge_payment_code(&again, "3.00", "CNY").await,
        "charge 3.00",
    );
    server.assert_invariants().await;
}

#[tokio::test]
async fn a_wallet_provisioned_under_the_first_layout_is_provisioned_again_on_sync() {
    let server = Server::start().await;
    let mut buyer = Device::signed_up(&server, "buyer").await;
    let shop = Device::signed_up(&server, "shop").await;
    server.enrol_merchant("shop").await;
    server.top_up("buyer", "100.00").await;
    buyer.w().enable_payment_code().await.unwrap();
    // What an earlier version kept in the masks' slot: the deployment's 32-byte mask key.
    buyer.wallet = None;
    {
        let store = LocalStore::open(&buyer.db, &*buyer.key_store).unwrap();
        store
            .put_secret(SecretSlot::PaymentCodeMasks, &[0xa5; 32], server.app.now())
            .unwrap();
    }
    buyer.open(&server).await;
    assert_eq!(
        buyer.code(&server).unwrap_err(),
        WalletError::PaymentCodeRefreshNeeded {
            outdated_layout: true
        }
    );
    buyer.w().sync().await.unwrap();
    let code = buyer.code(&server).unwrap();
    done(
        shop.w().charge_payment_code(&code, "1.00", "CNY").await,
        "charge 1.00",
    );
    // A code of the first layout, as an old app would still show, is refused precisely.
    let refused = shop
        .w()
        .charge_payment_code("282869134728532396", "1.00", "CNY")
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("older layout"), "{refused}");
}
