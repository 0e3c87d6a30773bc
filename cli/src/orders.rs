//! Escrow orders from both sides: the buyer's `orders …` and the seller's `merchant …`.

use crate::words::word;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use danbao_client::api::{OrderAction, OrderStepCommand, RefundRequest, Ship};
use danbao_client::{OrderCreated, OrderSummary, Wallet};
use serde_json::{Value, json};

use crate::account::refresh;
use crate::report::{Failure, Report, code_json, order_json, when, write_svg, write_text};

/// Arguments of `danbao orders`.
#[derive(clap::Args)]
pub struct OrdersArgs {
    #[command(subcommand)]
    command: Option<OrdersCommand>,
}

#[derive(clap::Subcommand)]
enum OrdersCommand {
    /// My orders, as buyer and as seller (the default).
    List,
    /// One order, fresh from the server.
    Show {
        /// The order id (ord_…).
        id: String,
    },
    /// Buyer: the goods arrived — release the held money to the seller.
    Confirm {
        /// The order id.
        id: String,
    },
    /// Buyer: ask the seller for money back (all or part). If the seller rejects it, the order
    /// is disputed and the operator decides.
    Refund {
        /// The order id.
        id: String,
        /// How much to get back, at most what was paid, e.g. 20.00.
        #[arg(long)]
        amount: String,
    },
    /// Buyer or seller: cancel a paid order that has not shipped (the held money goes back).
    Cancel {
        /// The order id.
        id: String,
    },
}

/// `danbao merchant …`.
#[derive(clap::Subcommand)]
pub enum MerchantCommand {
    /// Create an escrow order and its QR code for the buyer to scan.
    Order {
        /// What is sold, e.g. "Blue teapot".
        #[arg(long)]
        title: String,
        /// The price, e.g. 88.00.
        #[arg(long)]
        amount: String,
        /// ISO 4217 code, e.g. CNY.
        #[arg(long)]
        currency: String,
        /// Also write the QR code as SVG to this file.
        #[arg(long)]
        svg: Option<PathBuf>,
        /// Also write the order code's text to this file (for `danbao pay - < FILE`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Mark a paid order shipped (starts the auto-confirm clock).
    Ship {
        /// The order id.
        id: String,
        /// The carrier, e.g. SF.
        #[arg(long)]
        carrier: String,
        /// The tracking number.
        #[arg(long)]
        tracking: String,
    },
    /// Charge a customer's 18-digit payment code (till mode).
    Charge {
        /// The 18 digits the customer shows.
        payment_code: String,
        /// The amount, e.g. 9.90.
        amount: String,
        /// ISO 4217 code, e.g. CNY.
        currency: String,
    },
    /// Accept the buyer's refund request (the money goes back).
    RefundAccept {
        /// The order id.
        id: String,
    },
    /// Reject the buyer's refund request (the order becomes disputed).
    RefundReject {
        /// The order id.
        id: String,
    },
}

fn order_line(order: &OrderSummary) -> String {
    let mut line = format!(
        "{}  {:<6} {:<16} {:>12}  {}",
        order.id,
        order.role.as_str(),
        order.state.as_str(),
        order.amount.display,
        order.title
    );
    if let Some(who) = &order.counterparty {
        let _ = write!(line, "  {}", word("order-with", &[("who", who)]));
    }
    if !order.actions.is_empty() {
        let actions: Vec<&str> = order.actions.iter().map(|a| a.slug()).collect();
        let actions = actions.join(", ");
        let _ = write!(
            line,
            "  {}",
            word("order-you-can", &[("actions", &actions)])
        );
    }
    match (&order.deadline_label, order.deadline) {
        (Some(label), Some(deadline)) => {
            let _ = write!(line, "  ({label}: {})", when(deadline));
        }
        (_, Some(deadline)) => {
            let _ = write!(
                line,
                "  {}",
                word("order-next-deadline", &[("when", &when(deadline))])
            );
        }
        _ => {}
    }
    let _ = write!(line, "  — {}", order.state_label);
    if let Some(shipment) = &order.shipment {
        let shipped = word(
            "order-shipped",
            &[
                ("carrier", &shipment.carrier),
                ("tracking", &shipment.tracking),
            ],
        );
        let _ = write!(line, "  {shipped}");
    }
    if let Some(asked) = &order.refund_asked {
        let _ = write!(
            line,
            "  {}",
            word("order-refund-asked", &[("amount", &asked.display)])
        );
    }
    if let Some(released) = &order.released {
        let _ = write!(
            line,
            "  {}",
            word("order-released", &[("amount", &released.display)])
        );
    }
    if let Some(refunded) = &order.refunded {
        let _ = write!(
            line,
            "  {}",
            word("order-refunded", &[("amount", &refunded.display)])
        );
    }
    line
}

/// `danbao orders …`.
pub async fn orders(wallet: &Wallet, args: OrdersArgs) -> Result<Report, Failure> {
    let (id, step) = match args.command.unwrap_or(OrdersCommand::List) {
        OrdersCommand::List => {
            refresh(wallet).await;
            let orders = wallet.orders()?;
            let mut text = String::new();
            if orders.is_empty() {
                text.push_str(&word("orders-none", &[]));
            }
            for order in &orders {
                let _ = writeln!(text, "{}", order_line(order));
            }
            let json = Value::Array(orders.iter().map(order_json).collect());
            return Ok(Report::done(text, json));
        }
        OrdersCommand::Show { id } => {
            let order = wallet.order(&id).await?;
            return Ok(Report::done(order_line(&order), order_json(&order)));
        }
        OrdersCommand::Confirm { id } => (id, OrderStepCommand::Plain(OrderAction::Confirm)),
        OrdersCommand::Refund { id, amount } => (
            id,
            OrderStepCommand::RequestRefund(RefundRequest { amount }),
        ),
        OrdersCommand::Cancel { id } => (id, OrderStepCommand::Plain(OrderAction::Cancel)),
    };
    let outcome = wallet.order_step(&id, step).await?;
    Ok(Report::outcome(&outcome))
}

/// `danbao merchant …`.
pub async fn merchant(wallet: &Wallet, command: MerchantCommand) -> Result<Report, Failure> {
    let (id, step) = match command {
        MerchantCommand::Order {
            title,
            amount,
            currency,
            svg,
            out,
        } => {
            let created = wallet.create_order(&title, &amount, &currency).await?;
            return order_created(&created, svg.as_deref(), out.as_deref());
        }
        MerchantCommand::Charge {
            payment_code,
            amount,
            currency,
        } => {
            let outcome = wallet
                .charge_payment_code(&payment_code, &amount, &currency)
                .await?;
            return Ok(Report::outcome(&outcome));
        }
        MerchantCommand::Ship {
            id,
            carrier,
            tracking,
        } => (id, OrderStepCommand::Ship(Ship { carrier, tracking })),
        MerchantCommand::RefundAccept { id } => {
            (id, OrderStepCommand::Plain(OrderAction::AcceptRefund))
        }
        MerchantCommand::RefundReject { id } => {
            (id, OrderStepCommand::Plain(OrderAction::RejectRefund))
        }
    };
    let outcome = wallet.order_step(&id, step).await?;
    Ok(Report::outcome(&outcome))
}

/// The report of an order just created: its code, and the files the code was written to.
fn order_created(
    created: &OrderCreated,
    svg: Option<&Path>,
    out: Option<&Path>,
) -> Result<Report, Failure> {
    let mut text = word(
        "order-created",
        &[
            ("id", &created.order.id),
            ("title", &created.order.title),
            ("amount", &created.order.amount.display),
            ("code", &created.code.text),
        ],
    );
    text.push('\n');
    if let Some(expires) = created.code.expires_at {
        let _ = writeln!(
            text,
            "{}",
            word("order-pay-before", &[("when", &when(expires))])
        );
    }
    let mut json = json!({
        "order": order_json(&created.order),
        "code": code_json(&created.code),
    });
    if let Some(path) = svg {
        write_svg(path, &created.code.svg)?;
        let _ = writeln!(
            text,
            "{}",
            word("file-svg", &[("path", &path.display().to_string())])
        );
        json["svg_file"] = json!(path.display().to_string());
    }
    if let Some(path) = out {
        write_text(path, &created.code.text)?;
        let _ = writeln!(
            text,
            "{}",
            word("file-text", &[("path", &path.display().to_string())])
        );
        json["text_file"] = json!(path.display().to_string());
    }
    Ok(Report::done(text, json))
}
