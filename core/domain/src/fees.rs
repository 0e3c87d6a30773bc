//! Platform fees: what the platform takes from a seller when escrow is released or a merchant
//! payment settles.
//!
//! A [`FeeSchedule`] is a percentage in basis points plus a fixed part, bounded below and
//! above, in one currency. The rule, exact in minor units:
//!
//! 1. `percent = gross × basis_points / 10 000`, rounded half up to a whole minor unit
//!    (computed in 128-bit integers: no float, no overflow);
//! 2. `fee = percent + fixed`, then raised to `min` and lowered to `max` where those are set;
//! 3. the fee never exceeds `gross` (a seller is never charged more than they receive) and is
//!    never negative.
//!
//! The fee is computed on what the *seller receives*: the whole amount when escrow is released,
//! the seller's share of a split or of a partially refunded order, nothing when everything goes
//! back to the buyer (no fee on a full refund). Refunds to the buyer never carry a fee.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};

/// Basis points in one whole (100 %).
pub const BASIS_POINTS_PER_WHOLE: u32 = 10_000;

/// What the platform takes, in one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSchedule {
    /// The currency of `fixed`, `min` and `max` (and of the amounts it applies to).
    pub currency: Currency,
    /// The percentage part in basis points: 60 is 0.60 %.
    pub basis_points: u32,
    /// Added to the percentage part, in minor units.
    pub fixed_minor: i64,
    /// The smallest fee, in minor units.
    pub min_minor: Option<i64>,
    /// The largest fee, in minor units.
    pub max_minor: Option<i64>,
}

/// Why a fee could not be computed or a schedule is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    /// The schedule itself is not usable.
    #[error("fee schedule refused: {reason}")]
    InvalidSchedule {
        /// What is wrong and what would be right.
        reason: String,
    },
    /// The amount is in another currency than the schedule.
    #[error("the fee schedule is in {schedule}, the amount in {amount}")]
    CurrencyMismatch {
        /// The schedule's currency.
        schedule: &'static str,
        /// The amount's currency.
        amount: &'static str,
    },
    /// A fee is taken from a positive amount only.
    #[error("a fee is computed on a positive amount; got {amount}")]
    NotPositive {
        /// The amount, formatted with its code.
        amount: String,
    },
}

/// What a seller is paid once the fee is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeeSplit {
    /// What the buyer paid towards the seller.
    pub gross: Money,
    /// The platform's fee.
    pub fee: Money,
    /// What the seller receives: `gross − fee`.
    pub net: Money,
}

impl FeeSchedule {
    /// No fee, in `currency`.
    pub fn free(currency: Currency) -> Self {
        Self {
            currency,
            basis_points: 0,
            fixed_minor: 0,
            min_minor: None,
            max_minor: None,
        }
    }

    /// Checks the schedule: at most 100 %, no negative part, `min ≤ max`.
    pub fn validate(&self) -> Result<(), FeeError> {
        let refuse = |reason: String| Err(FeeError::InvalidSchedule { reason });
        if self.basis_points > BASIS_POINTS_PER_WHOLE {
            return refuse(format!(
                "basis_points is {}; at most {BASIS_POINTS_PER_WHOLE} (100 %) is allowed",
                self.basis_points
            ));
        }
        for (name, value) in [
            ("fixed_minor", Some(self.fixed_minor)),
            ("min_minor", self.min_minor),
            ("max_minor", self.max_minor),
        ] {
            if let Some(value) = value
                && value < 0
            {
                return refuse(format!("{name} is {value}; it may not be negative"));
            }
        }
        if let (Some(min), Some(max)) = (self.min_minor, self.max_minor)
            && min > max
        {
            return refuse(format!("min_minor {min} is above max_minor {max}"));
        }
        Ok(())
    }

    /// The fee on `gross` and what remains for the seller (see the module's rule).
    pub fn apply(&self, gross: Money) -> Result<FeeSplit, FeeError> {
        self.validate()?;
        if gross.currency() != self.currency {
            return Err(FeeError::CurrencyMismatch {
                schedule: self.currency.code(),
                amount: gross.currency().code(),
            });
        }
        if gross.minor() <= 0 {
            return Err(FeeError::NotPositive {
                amount: gross.format_with_code(),
            });
        }
        let whole = i128::from(BASIS_POINTS_PER_WHOLE);
        let percent =
            (i128::from(gross.minor()) * i128::from(self.basis_points) + whole / 2) / whole;
        let mut fee = percent + i128::from(self.fixed_minor);
        if let Some(min) = self.min_minor {
            fee = fee.max(i128::from(min));
        }
        if let Some(max) = self.max_minor {
            fee = fee.min(i128::from(max));
        }
        // 0 ≤ fee ≤ gross, so it fits i64.
        let fee = fee.clamp(0, i128::from(gross.minor())) as i64;
        let fee = Money::from_minor(fee, self.currency);
        Ok(FeeSplit {
            gross,
            fee,
            net: Money::from_minor(gross.minor() - fee.minor(), self.currency),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny() -> Currency {
        Currency::from_code("CNY").unwrap()
    }

    fn schedule(basis_points: u32, fixed: i64, min: Option<i64>, max: Option<i64>) -> FeeSchedule {
        FeeSchedule {
            currency: cny(),
            basis_points,
            fixed_minor: fixed,
            min_minor: min,
            max_minor: max,
        }
    }

    fn fee(schedule: &FeeSchedule, gross: i64) -> i64 {
        schedule
            .apply(Money::from_minor(gross, schedule.currency))
            .unwrap()
            .fee
            .minor()
    }

    #[test]
    fn percentage_rounds_half_up_to_the_minor_unit() {
        let card = schedule(60, 0, None, None); // 0.60 %
        assert_eq!(fee(&card, 10_000), 60); // 100.00 → 0.60
        assert_eq!(fee(&card, 8_800), 53); // 88.00 → 0.528 → 0.53
        assert_eq!(fee(&card, 8_750), 53); // 87.50 → 0.525 → 0.53 (half up)
        assert_eq!(fee(&card, 8_749), 52); // 87.49 → 0.52494 → 0.52
        assert_eq!(fee(&card, 83), 0); // 0.83 → 0.00498 → 0.00
        assert_eq!(fee(&card, 84), 1); // 0.84 → 0.00504 → 0.01
        let split = card.apply(Money::from_minor(8_800, cny())).unwrap();
        assert_eq!((split.fee.minor(), split.net.minor()), (53, 8_747));
    }

    #[test]
    fn fixed_part_and_bounds() {
        let schedule = schedule(100, 30, Some(50), Some(2_000)); // 1 % + 0.30, 0.50..20.00
        assert_eq!(fee(&schedule, 1_000), 50); // 0.10 + 0.30 = 0.40 → min 0.50
        assert_eq!(fee(&schedule, 10_000), 130); // 1.00 + 0.30
        assert_eq!(fee(&schedule, 1_000_000), 2_000); // 100.30 → max 20.00
        // Never more than the seller receives.
        assert_eq!(fee(&schedule, 20), 20);
        let split = schedule.apply(Money::from_minor(20, cny())).unwrap();
        assert_eq!(split.net.minor(), 0);
    }

    #[test]
    fn the_currency_exponent_does_not_matter_to_the_rule() {
        let jpy = Currency::from_code("JPY").unwrap();
        let kwd = Currency::from_code("KWD").unwrap();
        let yen = FeeSchedule {
            basis_points: 325,
            ..FeeSchedule::free(jpy)
        };
        assert_eq!(
            yen.apply(Money::from_minor(1_000, jpy))
                .unwrap()
                .fee
                .minor(),
            33
        ); // ¥32.5 → ¥33
        let dinar = FeeSchedule {
            basis_points: 325,
            ..FeeSchedule::free(kwd)
        };
        assert_eq!(
            dinar
                .apply(Money::from_minor(1_000, kwd))
                .unwrap()
                .fee
                .minor(),
            33
        );
    }

    #[test]
    fn bad_schedules_and_amounts_are_refused() {
        assert!(matches!(
            schedule(10_001, 0, None, None).validate(),
            Err(FeeError::InvalidSchedule { .. })
        ));
        assert!(matches!(
            schedule(0, -1, None, None).validate(),
            Err(FeeError::InvalidSchedule { .. })
        ));
        assert_eq!(
            schedule(0, 0, Some(10), Some(5))
                .validate()
                .unwrap_err()
                .to_string(),
            "fee schedule refused: min_minor 10 is above max_minor 5"
        );
        let usd = Currency::from_code("USD").unwrap();
        assert_eq!(
            schedule(60, 0, None, None).apply(Money::from_minor(100, usd)),
            Err(FeeError::CurrencyMismatch {
                schedule: "CNY",
                amount: "USD"
            })
        );
        assert!(matches!(
            schedule(60, 0, None, None).apply(Money::from_minor(0, cny())),
            Err(FeeError::NotPositive { .. })
        ));
    }

    proptest! {
        #[test]
        fn fee_plus_net_is_gross_and_fee_is_bounded(
            gross in 1i64..=i64::MAX,
            basis_points in 0u32..=10_000,
            fixed in 0i64..=1_000_000,
            min in proptest::option::of(0i64..=1_000_000),
            extra in proptest::option::of(0i64..=1_000_000),
        ) {
            let max = match (min, extra) {
                (Some(min), Some(extra)) => Some(min + extra),
                (None, extra) => extra,
                (Some(_), None) => None,
            };
            let schedule = schedule(basis_points, fixed, min, max);
            let split = schedule.apply(Money::from_minor(gross, cny())).unwrap();
            prop_assert_eq!(split.fee.minor() + split.net.minor(), gross);
            prop_assert!(split.fee.minor() >= 0 && split.fee.minor() <= gross);
            if let Some(max) = max {
                prop_assert!(split.fee.minor() <= max);
            }
            if let Some(min) = min {
                prop_assert!(split.fee.minor() >= min.min(gross));
            }
        }
    }
}
