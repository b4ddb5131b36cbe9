//! Fixed-point points: whole hundredths, so that sums never drift the way `f64` does.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul, Neg, Sub};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An amount of points, kept in hundredths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(i64);

impl Points {
    pub const ZERO: Points = Points(0);

    /// Whole points.
    pub const fn whole(n: i64) -> Points {
        Points(n * 100)
    }

    /// Points from hundredths.
    pub const fn from_hundredths(h: i64) -> Points {
        Points(h)
    }

    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// Rounds a float to two decimals, half away from zero; `None` for NaN, infinities and
    /// values too large to be points.
    /// The largest number of points a policy or a script may give at once (and the bound of
    /// a base, pass mark, floor, ceiling or cap): far beyond any appraisal, and small enough
    /// that no month's sum can overflow.
    pub const LIMIT: f64 = 1_000_000.0;

    /// Points of a policy or a script: a finite number within ±[`Points::LIMIT`].
    pub fn bounded(x: f64) -> Option<Points> {
        (x.abs() <= Points::LIMIT)
            .then(|| Points::from_f64(x))
            .flatten()
    }

    pub fn from_f64(x: f64) -> Option<Points> {
        let h = (x * 100.0).round();
        (x.is_finite() && h.abs() < 1e15).then_some(Points(h as i64))
    }

    pub fn to_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The mean of `n` amounts whose sum is `self`, rounded half away from zero.
    pub fn mean(self, n: usize) -> Points {
        if n == 0 {
            return Points::ZERO;
        }
        let n = n as i64;
        let q = self.0 / n;
        let r = self.0 % n;
        if 2 * r.abs() >= n {
            Points(q + self.0.signum())
        } else {
            Points(q)
        }
    }

    pub fn clamp_opt(self, floor: Option<Points>, ceiling: Option<Points>) -> Points {
        let mut p = self;
        if let Some(f) = floor {
            p = p.max(f);
        }
        if let Some(c) = ceiling {
            p = p.min(c);
        }
        p
    }
}

impl fmt::Display for Points {
    /// At most two decimals: `97`, `97.5`, `-0.25`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let (int, frac) = (a / 100, a % 100);
        let s = match frac {
            0 => format!("{sign}{int}"),
            f if f % 10 == 0 => format!("{sign}{int}.{}", f / 10),
            f => format!("{sign}{int}.{f:02}"),
        };
        f.pad(&s)
    }
}

impl Serialize for Points {
    /// A JSON integer when whole, otherwise a number with at most two decimals.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 % 100 == 0 {
            s.serialize_i64(self.0 / 100)
        } else {
            s.serialize_f64(self.to_f64())
        }
    }
}

impl<'de> Deserialize<'de> for Points {
    /// Reads what `serialize` wrote: a number with at most two decimals.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Points, D::Error> {
        let x = f64::deserialize(d)?;
        Points::from_f64(x).ok_or_else(|| serde::de::Error::custom(format!("bad points {x}")))
    }
}

impl Add for Points {
    type Output = Points;
    fn add(self, o: Points) -> Points {
        Points(self.0 + o.0)
    }
}

impl Sub for Points {
    type Output = Points;
    fn sub(self, o: Points) -> Points {
        Points(self.0 - o.0)
    }
}

impl AddAssign for Points {
    fn add_assign(&mut self, o: Points) {
        self.0 += o.0;
    }
}

impl Neg for Points {
    type Output = Points;
    fn neg(self) -> Points {
        Points(-self.0)
    }
}

impl Mul<i64> for Points {
    type Output = Points;
    fn mul(self, k: i64) -> Points {
        Points(self.0 * k)
    }
}

impl Sum for Points {
    fn sum<I: Iterator<Item = Points>>(iter: I) -> Points {
        iter.fold(Points::ZERO, Add::add)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(Points::from_f64(1.005).unwrap().to_string(), "1"); // 1.005 is 1.00499… in binary
        assert_eq!(Points::from_f64(0.125).unwrap().hundredths(), 13);
        assert_eq!(Points::from_f64(-0.125).unwrap().hundredths(), -13);
        assert!(Points::from_f64(f64::NAN).is_none());
    }

    #[test]
    fn prints_at_most_two_decimals() {
        assert_eq!(Points::from_hundredths(9750).to_string(), "97.5");
        assert_eq!(Points::from_hundredths(-25).to_string(), "-0.25");
        assert_eq!(Points::whole(-3).to_string(), "-3");
        assert_eq!(serde_json::to_string(&Points::whole(98)).unwrap(), "98");
        assert_eq!(
            serde_json::to_string(&Points::from_hundredths(9750)).unwrap(),
            "97.5"
        );
        assert_eq!(
            serde_json::to_string(&Points::from_hundredths(1234)).unwrap(),
            "12.34"
        );
    }

    #[test]
    fn mean_rounds_half_away_from_zero() {
        assert_eq!(
            Points::from_hundredths(5).mean(2),
            Points::from_hundredths(3)
        );
        assert_eq!(
            Points::from_hundredths(-5).mean(2),
            Points::from_hundredths(-3)
        );
        assert_eq!(Points::whole(290).mean(3).to_string(), "96.67");
        assert_eq!(Points::ZERO.mean(0), Points::ZERO);
    }
}
