//! The typed model of an EMV MPM payload.
//!
//! Every data object the decoder reads lands in a field, so [`encode`](super::encode) can write
//! the payload back: known ids in named fields, everything else in `other` lists. Values are kept
//! exactly as printed (an amount is the string `"23.72"`, not a number): conformance is checked
//! separately by [`check`](super::check), so a non-conformant code can still be shown and
//! re-encoded unchanged.

use crate::money::{Currency, Money};

/// Point of initiation method (id 01).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PointOfInitiation {
    /// `"11"`: the same code is shown for every payment (usually no amount).
    Static,
    /// `"12"`: the code was made for one payment (usually with an amount).
    Dynamic,
    /// Any other value, kept as printed (a conformance problem).
    Other(String),
}

impl PointOfInitiation {
    /// Reads the value of data object 01.
    pub fn from_value(value: &str) -> Self {
        match value {
            "11" => Self::Static,
            "12" => Self::Dynamic,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The value as written in data object 01.
    pub fn as_value(&self) -> &str {
        match self {
            Self::Static => "11",
            Self::Dynamic => "12",
            Self::Other(v) => v,
        }
    }
}

/// A primitive data object inside a template (or an unknown top-level object): id and value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DataObject {
    /// The 2-digit id as a number, 0-99.
    pub tag: u8,
    /// The value as printed.
    pub value: String,
}

impl DataObject {
    /// Makes a data object.
    pub fn new(tag: u8, value: impl Into<String>) -> Self {
        Self {
            tag,
            value: value.into(),
        }
    }
}

/// Merchant account information (ids 02-51): how a payment network identifies the payee.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MerchantAccount {
    /// Ids 02-25: a value reserved for one card network (e.g. 02-03 Visa, 04-05 Mastercard).
    Primitive {
        /// 2-25.
        tag: u8,
        /// The network's merchant identifier, as printed.
        value: String,
    },
    /// Ids 26-51: a template whose sub-tag 00 names the network (a GUID or AID).
    Template {
        /// 26-51.
        tag: u8,
        /// Sub-tag 00: the globally unique identifier (reverse domain name, UUID or AID).
        /// `None` when missing (a conformance problem).
        guid: Option<String>,
        /// Sub-tags 01-99 in payload order; their meaning belongs to the network.
        fields: Vec<DataObject>,
    },
}

impl MerchantAccount {
    /// The account's id (02-51).
    pub fn tag(&self) -> u8 {
        match self {
            Self::Primitive { tag, .. } | Self::Template { tag, .. } => *tag,
        }
    }

    /// The template's GUID, if this is a template that has one.
    pub fn guid(&self) -> Option<&str> {
        match self {
            Self::Primitive { .. } => None,
            Self::Template { guid, .. } => guid.as_deref(),
        }
    }

    /// The value of sub-tag `sub` of a template account.
    pub fn field(&self, sub: u8) -> Option<&str> {
        match self {
            Self::Primitive { .. } => None,
            Self::Template { fields, .. } => fields
                .iter()
                .find(|f| f.tag == sub)
                .map(|f| f.value.as_str()),
        }
    }
}

/// An unreserved template (ids 80-99), free for private use; sub-tag 00 is its GUID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnreservedTemplate {
    /// 80-99.
    pub tag: u8,
    /// Sub-tag 00, the globally unique identifier (`None` when missing: a conformance problem).
    pub guid: Option<String>,
    /// Sub-tags 01-99 in payload order.
    pub fields: Vec<DataObject>,
}

impl UnreservedTemplate {
    /// The value of sub-tag `sub`.
    pub fn field(&self, sub: u8) -> Option<&str> {
        self.fields
            .iter()
            .find(|f| f.tag == sub)
            .map(|f| f.value.as_str())
    }
}

/// Additional data field template (id 62).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AdditionalData {
    /// 01: bill or invoice number (`"***"` asks the app to prompt the payer).
    pub bill_number: Option<String>,
    /// 02: mobile number (e.g. for a top-up).
    pub mobile_number: Option<String>,
    /// 03: store label.
    pub store_label: Option<String>,
    /// 04: loyalty number.
    pub loyalty_number: Option<String>,
    /// 05: reference label (e.g. a transaction or order reference).
    pub reference_label: Option<String>,
    /// 06: customer label.
    pub customer_label: Option<String>,
    /// 07: terminal label.
    pub terminal_label: Option<String>,
    /// 08: purpose of transaction.
    pub purpose_of_transaction: Option<String>,
    /// 09: additional consumer data request: any of `A` (address), `M` (mobile), `E` (email).
    pub consumer_data_request: Option<String>,
    /// 10: merchant tax id.
    pub merchant_tax_id: Option<String>,
    /// 11: merchant channel (3 characters: media, location, presence).
    pub merchant_channel: Option<String>,
    /// Every other sub-tag (00, 12-49 reserved, 50-99 payment-system specific), in payload order.
    pub other: Vec<DataObject>,
}

impl AdditionalData {
    /// The named sub-tags in id order, as (id, field name, value).
    pub fn named(&self) -> [(u8, &'static str, Option<&str>); 11] {
        [
            (1, "bill_number", self.bill_number.as_deref()),
            (2, "mobile_number", self.mobile_number.as_deref()),
            (3, "store_label", self.store_label.as_deref()),
            (4, "loyalty_number", self.loyalty_number.as_deref()),
            (5, "reference_label", self.reference_label.as_deref()),
            (6, "customer_label", self.customer_label.as_deref()),
            (7, "terminal_label", self.terminal_label.as_deref()),
            (
                8,
                "purpose_of_transaction",
                self.purpose_of_transaction.as_deref(),
            ),
            (
                9,
                "consumer_data_request",
                self.consumer_data_request.as_deref(),
            ),
            (10, "merchant_tax_id", self.merchant_tax_id.as_deref()),
            (11, "merchant_channel", self.merchant_channel.as_deref()),
        ]
    }

    pub(crate) fn slot(&mut self, sub: u8) -> Option<&mut Option<String>> {
        Some(match sub {
            1 => &mut self.bill_number,
            2 => &mut self.mobile_number,
            3 => &mut self.store_label,
            4 => &mut self.loyalty_number,
            5 => &mut self.reference_label,
            6 => &mut self.customer_label,
            7 => &mut self.terminal_label,
            8 => &mut self.purpose_of_transaction,
            9 => &mut self.consumer_data_request,
            10 => &mut self.merchant_tax_id,
            11 => &mut self.merchant_channel,
            _ => return None,
        })
    }
}

/// Merchant information in an alternate language (id 64).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AlternateLanguage {
    /// 00: ISO 639-1 language code, e.g. `"zh"`.
    pub language_preference: Option<String>,
    /// 01: merchant name in that language (any Unicode).
    pub merchant_name: Option<String>,
    /// 02: merchant city in that language.
    pub merchant_city: Option<String>,
    /// Sub-tags 03-99 (reserved), in payload order.
    pub other: Vec<DataObject>,
}

/// A tip or convenience fee, read from ids 55-57 (see [`MerchantPayload::tip`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tip {
    /// 55 = `"01"`: the app asks the payer to enter a tip.
    Prompt,
    /// 55 = `"02"`: a fixed convenience fee, the value of 56 as printed.
    FixedFee(String),
    /// 55 = `"03"`: a percentage convenience fee, the value of 57 as printed (e.g. `"3.00"`).
    PercentageFee(String),
}

/// A decoded EMV Merchant-Presented Mode payload.
///
/// [`Default`] gives an empty payload with payload format indicator `"01"`, ready to fill in.
/// The CRC (id 63) is not stored: [`encode`](super::encode) computes it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MerchantPayload {
    /// 00: payload format indicator; `"01"` in every conformant code.
    pub payload_format_indicator: Option<String>,
    /// 01: static or dynamic.
    pub point_of_initiation: Option<PointOfInitiation>,
    /// 02-51: merchant accounts, in payload order.
    pub merchant_accounts: Vec<MerchantAccount>,
    /// 52: merchant category code (ISO 18245), 4 digits.
    pub merchant_category_code: Option<String>,
    /// 53: transaction currency, ISO 4217 numeric code as printed (e.g. `"986"` for BRL).
    pub currency: Option<String>,
    /// 54: transaction amount as printed (e.g. `"23.72"`).
    pub amount: Option<String>,
    /// 55: tip or convenience indicator (`"01"` prompt, `"02"` fixed fee, `"03"` percentage).
    pub tip_indicator: Option<String>,
    /// 56: value of the fixed convenience fee.
    pub convenience_fee_fixed: Option<String>,
    /// 57: value of the percentage convenience fee.
    pub convenience_fee_percentage: Option<String>,
    /// 58: ISO 3166-1 alpha-2 country code of the merchant.
    pub country_code: Option<String>,
    /// 59: merchant name as printed in the code (never proof of who gets paid).
    pub merchant_name: Option<String>,
    /// 60: merchant city.
    pub merchant_city: Option<String>,
    /// 61: postal code.
    pub postal_code: Option<String>,
    /// 62: additional data field template.
    pub additional_data: Option<AdditionalData>,
    /// 64: merchant information in an alternate language.
    pub alternate_language: Option<AlternateLanguage>,
    /// 80-99: unreserved templates, in payload order.
    pub unreserved_templates: Vec<UnreservedTemplate>,
    /// 65-79: data objects reserved for future use, kept so re-encoding round-trips.
    pub other: Vec<DataObject>,
}

impl Default for MerchantPayload {
    fn default() -> Self {
        Self {
            payload_format_indicator: Some("01".to_owned()),
            point_of_initiation: None,
            merchant_accounts: Vec::new(),
            merchant_category_code: None,
            currency: None,
            amount: None,
            tip_indicator: None,
            convenience_fee_fixed: None,
            convenience_fee_percentage: None,
            country_code: None,
            merchant_name: None,
            merchant_city: None,
            postal_code: None,
            additional_data: None,
            alternate_language: None,
            unreserved_templates: Vec::new(),
            other: Vec::new(),
        }
    }
}

impl MerchantPayload {
    /// The tip or convenience fee, when ids 55-57 are consistent; `None` when absent or
    /// inconsistent (see [`check`](super::check) for why).
    pub fn tip(&self) -> Option<Tip> {
        match self.tip_indicator.as_deref()? {
            "01" => Some(Tip::Prompt),
            "02" => self.convenience_fee_fixed.clone().map(Tip::FixedFee),
            "03" => self
                .convenience_fee_percentage
                .clone()
                .map(Tip::PercentageFee),
            _ => None,
        }
    }

    /// The currency named by id 53, if it is a known ISO 4217 numeric code of a currency that
    /// has a minor unit.
    pub fn transaction_currency(&self) -> Option<Currency> {
        let code = self.currency.as_deref()?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Currency::from_code(code).ok()
    }

    /// The amount (id 54) as [`Money`] in the currency of id 53, when both are present and
    /// the amount is exact for that currency.
    pub fn transaction_amount(&self) -> Option<Money> {
        Money::parse(self.amount.as_deref()?, self.transaction_currency()?).ok()
    }

    /// The unreserved template with tag `tag`, if present.
    pub fn unreserved(&self, tag: u8) -> Option<&UnreservedTemplate> {
        self.unreserved_templates.iter().find(|t| t.tag == tag)
    }

    /// The first merchant-account template whose GUID equals `guid` (ASCII case-insensitive).
    pub fn account_by_guid(&self, guid: &str) -> Option<&MerchantAccount> {
        self.merchant_accounts
            .iter()
            .find(|a| a.guid().is_some_and(|g| g.eq_ignore_ascii_case(guid)))
    }
}
