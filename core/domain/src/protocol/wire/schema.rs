//! OpenAPI schemas the derives cannot say (with the `openapi` feature): the viewer's role in
//! an order is an [`escrow::Party`](crate::escrow::Party) without the timer.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::escrow::Party;

/// Schema of an order viewer's part (`escrow::Party` without the timer), named `OrderRole`.
pub struct OrderRole;

/// Exhaustive on purpose: the roles a viewer can have, and why the timer is not one.
const fn shown_as_role(party: Party) -> bool {
    match party {
        Party::Buyer | Party::Seller | Party::Operator => true,
        Party::Timer => false,
    }
}

impl PartialSchema for OrderRole {
    fn schema() -> RefOr<Schema> {
        let roles = [Party::Buyer, Party::Seller, Party::Operator, Party::Timer]
            .into_iter()
            .filter(|party| shown_as_role(*party))
            .filter_map(|party| serde_json::to_value(party).ok());
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The viewer's part in the order."))
            .enum_values(Some(roles))
            .into()
    }
}

impl ToSchema for OrderRole {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("OrderRole")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_the_viewers_serde_names() {
        let roles = serde_json::to_value(OrderRole::schema()).unwrap_or_default();
        assert_eq!(
            roles["enum"],
            serde_json::json!(["buyer", "seller", "operator"])
        );
    }
}
