//! Reporting periods built from months: month, quarter, calendar year, financial year and
//! rolling 12 months ("year ending March 2015").
//!
//! Police open data is monthly, so every period is a run of whole months. Each period knows
//! which months it should contain and how many of them the data covers; a period that is not
//! fully covered is flagged `complete = false` so it is never silently compared with full ones.
//!
//! ```
//! use saferstats::period::{PeriodKind, YearMonth};
//! let m = YearMonth::new(2015, 3).unwrap();
//! let fy = PeriodKind::FinancialYear.period_of(m);
//! assert_eq!(fy.label(), "2014/15");
//! assert_eq!(fy.start, YearMonth::new(2014, 4).unwrap());
//! assert_eq!(PeriodKind::Rolling12.period_of(m).label(), "year ending Mar 2015");
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::Result;

const MONTH_ABBR: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A calendar month.
///
/// Ordered chronologically; displayed, parsed and serialised as `YYYY-MM`, as police.uk
/// writes months.
///
/// # Examples
///
/// ```
/// use saferstats::period::YearMonth;
/// let m: YearMonth = "2014-03".parse().unwrap();
/// assert_eq!(m, YearMonth::new(2014, 3).unwrap());
/// assert_eq!(m.to_string(), "2014-03");
/// assert!(m < YearMonth::new(2014, 4).unwrap());
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#""2014-03""#);
/// assert!("2014-3".parse::<YearMonth>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    /// Calendar year.
    pub year: i32,
    /// Month of the year, 1 to 12.
    pub month: u32,
}

impl YearMonth {
    /// A month, or `None` when `month` is not 1 to 12.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// let m = YearMonth::new(2014, 12).unwrap();
    /// assert_eq!((m.year, m.month), (2014, 12));
    /// assert_eq!(YearMonth::new(2014, 13), None);
    /// assert_eq!(YearMonth::new(2014, 0), None);
    /// ```
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12)
            .contains(&month)
            .then_some(YearMonth { year, month })
    }

    /// Months since year 0, so that consecutive months differ by one.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// let dec = YearMonth::new(2014, 12).unwrap();
    /// let jan = YearMonth::new(2015, 1).unwrap();
    /// assert_eq!(jan.index() - dec.index(), 1);
    /// assert_eq!(YearMonth::new(0, 1).unwrap().index(), 0);
    /// ```
    pub fn index(self) -> i32 {
        self.year * 12 + self.month as i32 - 1
    }

    /// Inverse of [`YearMonth::index`].
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// let m = YearMonth::new(2014, 4).unwrap();
    /// assert_eq!(YearMonth::from_index(m.index()), m);
    /// assert_eq!(YearMonth::from_index(-1), YearMonth::new(-1, 12).unwrap());
    /// ```
    pub fn from_index(index: i32) -> Self {
        YearMonth {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The month `n` months later (earlier when negative).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// let m = YearMonth::new(2014, 11).unwrap();
    /// assert_eq!(m.plus(3), YearMonth::new(2015, 2).unwrap());
    /// assert_eq!(m.plus(-11), YearMonth::new(2013, 12).unwrap());
    /// ```
    pub fn plus(self, n: i32) -> Self {
        Self::from_index(self.index() + n)
    }

    /// Days from 1970-01-01 to the first of the month (polars `Date` representation).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// assert_eq!(YearMonth::new(1970, 1).unwrap().to_epoch_days(), 0);
    /// assert_eq!(YearMonth::new(2014, 1).unwrap().to_epoch_days(), 16_071);
    /// assert_eq!(YearMonth::new(1969, 12).unwrap().to_epoch_days(), -31);
    /// ```
    pub fn to_epoch_days(self) -> i32 {
        days_from_civil(self.year, self.month, 1)
    }

    /// The month containing a polars `Date` (days since 1970-01-01).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// let m = YearMonth::new(2014, 1).unwrap();
    /// assert_eq!(YearMonth::from_epoch_days(16_071), m); // 2014-01-01
    /// assert_eq!(YearMonth::from_epoch_days(16_071 + 30), m); // 2014-01-31
    /// assert_eq!(YearMonth::from_epoch_days(16_071 + 31), m.plus(1)); // 2014-02-01
    /// ```
    pub fn from_epoch_days(days: i32) -> Self {
        let (y, m, _) = civil_from_days(days);
        YearMonth { year: y, month: m }
    }

    /// Number of days in the month (Gregorian calendar).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// assert_eq!(YearMonth::new(2014, 2).unwrap().days(), 28);
    /// assert_eq!(YearMonth::new(2016, 2).unwrap().days(), 29);
    /// assert_eq!(YearMonth::new(1900, 2).unwrap().days(), 28);
    /// assert_eq!(YearMonth::new(2014, 4).unwrap().days(), 30);
    /// ```
    pub fn days(self) -> u32 {
        (self.plus(1).to_epoch_days() - self.to_epoch_days()) as u32
    }

    /// Three-letter English month name, e.g. "Apr".
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::YearMonth;
    /// assert_eq!(YearMonth::new(2014, 4).unwrap().month_abbr(), "Apr");
    /// assert_eq!(YearMonth::new(2014, 12).unwrap().month_abbr(), "Dec");
    /// ```
    pub fn month_abbr(self) -> &'static str {
        MONTH_ABBR[self.month as usize - 1]
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = crate::Error;

    /// Parses `YYYY-MM` as police.uk writes it.
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] (`month`) naming the text and what was expected.
    fn from_str(s: &str) -> std::result::Result<Self, crate::Error> {
        let text = s.trim();
        let bad = |why: &str| crate::Error::InvalidParameter {
            name: "month",
            reason: format!("{text:?} is not a month: {why}"),
        };
        let (y, m) = text
            .split_once('-')
            .ok_or_else(|| bad("expected YYYY-MM"))?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad("expected YYYY-MM"));
        }
        let year: i32 = y.parse().map_err(|_| bad("the year is not a number"))?;
        let month: u32 = m.parse().map_err(|_| bad("the month is not a number"))?;
        YearMonth::new(year, month).ok_or_else(|| bad("the month is not between 01 and 12"))
    }
}

impl Serialize for YearMonth {
    /// Serialised as `"YYYY-MM"`, as police.uk writes months.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

// Howard Hinnant's civil-calendar algorithms (public domain); small enough that pulling in a
// date crate for them is not worth it.
fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i32 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i32::from(m <= 2);
    (y, m, d)
}

/// The kind of reporting period.
///
/// A word-valued option ([`crate::choice::Choice`], parameter `period`): `month`
/// (`monthly`), `quarter` (`quarterly`), `calendar_year` (`year`, `annual`), `financial_year`
/// (`fy`), `rolling12` (`rolling_12`, `rolling_12_months`, `year_ending`).
///
/// # Examples
///
/// ```
/// use saferstats::period::PeriodKind;
/// assert_eq!("fy".parse::<PeriodKind>()?, PeriodKind::FinancialYear);
/// assert_eq!("Year ending".parse::<PeriodKind>()?, PeriodKind::Rolling12);
/// assert_eq!(PeriodKind::CalendarYear.to_string(), "calendar_year");
/// let kind: PeriodKind = serde_json::from_str(r#""quarterly""#).unwrap();
/// assert_eq!(kind, PeriodKind::Quarter);
/// # Ok::<(), saferstats::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PeriodKind {
    /// One calendar month, labelled "2014-04".
    Month,
    /// Calendar quarter (Jan-Mar is Q1), labelled "2014 Q2".
    Quarter,
    /// Calendar year, labelled "2014".
    CalendarYear,
    /// Financial year April to March, labelled "2014/15".
    FinancialYear,
    /// Twelve months ending with each month, labelled "year ending Mar 2015". A month belongs to
    /// twelve such periods; use them for display, not for significance tests.
    Rolling12,
}

crate::choice::choice!(PeriodKind, "period", {
    Month => "month" | "monthly",
    Quarter => "quarter" | "quarterly",
    CalendarYear => "calendar_year" | "year" | "annual",
    FinancialYear => "financial_year" | "fy",
    Rolling12 => "rolling12" | "rolling_12" | "rolling_12_months" | "year_ending",
});

/// One reporting period: a run of whole months.
///
/// Usually made by [`PeriodKind::period_of`] or [`PeriodKind::periods_spanning`].
///
/// # Examples
///
/// ```
/// use saferstats::period::{Period, PeriodKind, YearMonth};
/// let q = Period { start: YearMonth::new(2014, 4).unwrap(), months: 3, kind: PeriodKind::Quarter };
/// assert_eq!(q, PeriodKind::Quarter.period_of(YearMonth::new(2014, 6).unwrap()));
/// assert_eq!(q.label(), "2014 Q2");
/// assert_eq!(q.end(), YearMonth::new(2014, 6).unwrap());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    /// First month.
    pub start: YearMonth,
    /// Number of months it should contain.
    pub months: u32,
    /// Which kind of period it is.
    pub kind: PeriodKind,
}

impl Period {
    /// Last month of the period.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// let fy = PeriodKind::FinancialYear.period_of(YearMonth::new(2014, 6).unwrap());
    /// assert_eq!(fy.end(), YearMonth::new(2015, 3).unwrap());
    /// ```
    pub fn end(&self) -> YearMonth {
        self.start.plus(self.months as i32 - 1)
    }

    /// Every month the period should contain, in order.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// let q = PeriodKind::Quarter.period_of(YearMonth::new(2014, 11).unwrap());
    /// let months: Vec<String> = q.month_list().map(|m| m.to_string()).collect();
    /// assert_eq!(months, ["2014-10", "2014-11", "2014-12"]);
    /// ```
    pub fn month_list(&self) -> impl Iterator<Item = YearMonth> + '_ {
        (0..self.months as i32).map(|i| self.start.plus(i))
    }

    /// Human-readable label: `2014-04` (month), `2014 Q2` (quarter), `2014` (calendar year),
    /// `2014/15` (financial year), `year ending Mar 2015` (rolling 12 months).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// let m = YearMonth::new(2015, 3).unwrap();
    /// let labels: Vec<String> = [
    ///     PeriodKind::Month, PeriodKind::Quarter, PeriodKind::CalendarYear,
    ///     PeriodKind::FinancialYear, PeriodKind::Rolling12,
    /// ]
    /// .iter()
    /// .map(|k| k.period_of(m).label())
    /// .collect();
    /// assert_eq!(labels, ["2015-03", "2015 Q1", "2015", "2014/15", "year ending Mar 2015"]);
    /// ```
    pub fn label(&self) -> String {
        let s = self.start;
        match self.kind {
            PeriodKind::Month => s.to_string(),
            PeriodKind::Quarter => format!("{} Q{}", s.year, (s.month - 1) / 3 + 1),
            PeriodKind::CalendarYear => s.year.to_string(),
            PeriodKind::FinancialYear => {
                format!("{}/{:02}", s.year, (s.year + 1).rem_euclid(100))
            }
            PeriodKind::Rolling12 => {
                let e = self.end();
                format!("year ending {} {}", e.month_abbr(), e.year)
            }
        }
    }
}

impl PeriodKind {
    /// Months in one period of this kind.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::PeriodKind;
    /// assert_eq!(PeriodKind::Month.months(), 1);
    /// assert_eq!(PeriodKind::Quarter.months(), 3);
    /// assert_eq!(PeriodKind::Rolling12.months(), 12);
    /// ```
    pub fn months(self) -> u32 {
        match self {
            PeriodKind::Month => 1,
            PeriodKind::Quarter => 3,
            _ => 12,
        }
    }

    /// The (for rolling periods: the latest-ending) period that contains `m`.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// let m = YearMonth::new(2015, 2).unwrap();
    /// let fy = PeriodKind::FinancialYear.period_of(m);
    /// assert_eq!((fy.start, fy.months), (YearMonth::new(2014, 4).unwrap(), 12));
    /// // The rolling year containing `m` that ends latest is the one ending with `m`.
    /// let r = PeriodKind::Rolling12.period_of(m);
    /// assert_eq!((r.start, r.end()), (YearMonth::new(2014, 3).unwrap(), m));
    /// ```
    pub fn period_of(self, m: YearMonth) -> Period {
        let start = match self {
            PeriodKind::Month => m,
            PeriodKind::Quarter => YearMonth::new(m.year, (m.month - 1) / 3 * 3 + 1).unwrap_or(m),
            PeriodKind::CalendarYear => YearMonth {
                year: m.year,
                month: 1,
            },
            PeriodKind::FinancialYear => YearMonth {
                year: if m.month >= 4 { m.year } else { m.year - 1 },
                month: 4,
            },
            PeriodKind::Rolling12 => m.plus(-11),
        };
        Period {
            start,
            months: self.months(),
            kind: self,
        }
    }

    /// Every period of this kind that overlaps the span of `covered` months, in order. Rolling
    /// periods end at each month from the first to the last covered month. An empty set gives
    /// no periods.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use saferstats::period::{PeriodKind, YearMonth};
    /// // January to November 2014, as in the bundled Medway data.
    /// let covered: BTreeSet<_> = (1..=11).map(|m| YearMonth::new(2014, m).unwrap()).collect();
    /// let fy: Vec<String> = PeriodKind::FinancialYear
    ///     .periods_spanning(&covered)
    ///     .iter()
    ///     .map(|p| p.label())
    ///     .collect();
    /// assert_eq!(fy, ["2013/14", "2014/15"]);
    /// assert_eq!(PeriodKind::Quarter.periods_spanning(&covered).len(), 4);
    /// assert_eq!(PeriodKind::Rolling12.periods_spanning(&covered).len(), 11);
    /// assert!(PeriodKind::Month.periods_spanning(&BTreeSet::new()).is_empty());
    /// ```
    pub fn periods_spanning(self, covered: &BTreeSet<YearMonth>) -> Vec<Period> {
        let (Some(&first), Some(&last)) = (covered.first(), covered.last()) else {
            return Vec::new();
        };
        let mut out: Vec<Period> = Vec::new();
        for idx in first.index()..=last.index() {
            let m = YearMonth::from_index(idx);
            let p = if self == PeriodKind::Rolling12 {
                Period {
                    start: m.plus(-11),
                    months: 12,
                    kind: self,
                }
            } else {
                self.period_of(m)
            };
            if out.last() != Some(&p) {
                out.push(p);
            }
        }
        out
    }
}

/// Column names of the period table returned by [`period_table`] (defined in [`crate::schema`]).
pub mod columns {
    pub use crate::schema::{
        COMPLETE, MONTH, MONTHS_COVERED, MONTHS_EXPECTED, PERIOD, PERIOD_END, PERIOD_START,
    };
}

/// A table mapping each month to the periods that contain it, with coverage: columns
/// `month, period, period_start, period_end, months_expected, months_covered, complete`.
///
/// Only periods overlapping the covered span are listed. Joining a monthly frame to this table
/// on `month` and grouping by `period` aggregates months into periods in one pass; rolling
/// periods give twelve rows per month. `month`, `period_start` and `period_end` are `Date`s
/// (first of the month), `months_expected` and `months_covered` are `UInt32`, `complete` is
/// `Boolean`; there is one row per member month of each period, in period order.
///
/// # Errors
///
/// [`crate::Error::Polars`] only if polars fails to build the frame (not expected for any
/// input); an empty `covered` gives an empty table.
///
/// # Examples
///
/// ```
/// use std::collections::BTreeSet;
/// use saferstats::period::{period_table, PeriodKind, YearMonth};
/// let covered: BTreeSet<_> = (1..=11).map(|m| YearMonth::new(2014, m).unwrap()).collect();
/// let t = period_table(PeriodKind::Quarter, &covered)?;
/// assert_eq!(t.height(), 12); // four quarters of three months
/// let q4 = t.column("months_covered")?.u32()?.get(11);
/// assert_eq!(q4, Some(2)); // October and November only
/// assert_eq!(t.column("complete")?.bool()?.get(11), Some(false));
/// // Rolling years list each member month: 11 periods x 12 months.
/// assert_eq!(period_table(PeriodKind::Rolling12, &covered)?.height(), 11 * 12);
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn period_table(kind: PeriodKind, covered: &BTreeSet<YearMonth>) -> Result<DataFrame> {
    use columns::*;
    let periods = kind.periods_spanning(covered);
    let mut month = Vec::new();
    let mut label = Vec::new();
    let mut start = Vec::new();
    let mut end = Vec::new();
    let mut expected = Vec::new();
    let mut have = Vec::new();
    let mut complete = Vec::new();
    for p in &periods {
        let n_covered = p.month_list().filter(|m| covered.contains(m)).count() as u32;
        let l = p.label();
        for m in p.month_list() {
            month.push(m.to_epoch_days());
            label.push(l.clone());
            start.push(p.start.to_epoch_days());
            end.push(p.end().to_epoch_days());
            expected.push(p.months);
            have.push(n_covered);
            complete.push(n_covered == p.months);
        }
    }
    let date = |name: &str, v: Vec<i32>| -> Result<Column> {
        Ok(Column::new(name.into(), v).cast(&DataType::Date)?)
    };
    Ok(DataFrame::new_infer_height(vec![
        date(MONTH, month)?,
        Column::new(PERIOD.into(), label),
        date(PERIOD_START, start)?,
        date(PERIOD_END, end)?,
        Column::new(MONTHS_EXPECTED.into(), expected),
        Column::new(MONTHS_COVERED.into(), have),
        Column::new(COMPLETE.into(), complete),
    ])?)
}

/// A known change in recording practice (e.g. "NCRS audit, Kent Police, Nov 2014").
///
/// Given to [`crate::frame::change::ChangeSpec::breaks`] and
/// [`crate::frame::trends::TrendSpec::breaks`]: a comparison or trend spanning the break gets a
/// caveat in its `flags` (see [`caveats_for`]). Deserialises from
/// `{"month": "YYYY-MM", "description": "..."}`.
///
/// # Examples
///
/// ```
/// use saferstats::period::{RecordingBreak, YearMonth};
/// let b: RecordingBreak =
///     serde_json::from_str(r#"{"month": "2014-11", "description": "NCRS audit"}"#).unwrap();
/// assert_eq!(b, RecordingBreak { month: YearMonth::new(2014, 11).unwrap(), description: "NCRS audit".into() });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordingBreak {
    /// First month recorded under the new practice.
    pub month: YearMonth,
    /// What changed.
    pub description: String,
}

/// The caveat text for a span of months that contains one or more breaks, if any.
///
/// A break counts when its first month under the new practice lies after `first` and no later
/// than `last` (a span that starts in the break month is recorded entirely under the new
/// practice); several breaks are joined with `"; "`.
///
/// # Examples
///
/// ```
/// use saferstats::period::{caveats_for, RecordingBreak, YearMonth};
/// let ym = |y, m| YearMonth::new(y, m).unwrap();
/// let breaks = [RecordingBreak { month: ym(2014, 11), description: "NCRS audit".into() }];
/// assert_eq!(
///     caveats_for(ym(2014, 1), ym(2015, 12), &breaks).as_deref(),
///     Some("spans a recording change (2014-11: NCRS audit)")
/// );
/// assert_eq!(caveats_for(ym(2014, 11), ym(2015, 10), &breaks), None);
/// assert_eq!(caveats_for(ym(2013, 1), ym(2014, 10), &breaks), None);
/// ```
pub fn caveats_for(first: YearMonth, last: YearMonth, breaks: &[RecordingBreak]) -> Option<String> {
    let hits: Vec<String> = breaks
        .iter()
        .filter(|b| b.month > first && b.month <= last)
        .map(|b| format!("spans a recording change ({}: {})", b.month, b.description))
        .collect();
    (!hits.is_empty()).then(|| hits.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ym(y: i32, m: u32) -> YearMonth {
        YearMonth::new(y, m).unwrap()
    }

    #[test]
    fn epoch_days_round_trip() {
        assert_eq!(ym(1970, 1).to_epoch_days(), 0);
        assert_eq!(ym(2014, 1).to_epoch_days(), 16071);
        for idx in (1900 * 12)..(2100 * 12) {
            let m = YearMonth::from_index(idx);
            assert_eq!(YearMonth::from_epoch_days(m.to_epoch_days()), m);
        }
        assert_eq!(ym(2016, 2).days(), 29);
        assert_eq!(ym(2014, 2).days(), 28);
        assert_eq!(ym(2014, 12).days(), 31);
    }

    #[test]
    fn parses_police_months() {
        assert_eq!("2014-03".parse::<YearMonth>().unwrap(), ym(2014, 3));
        assert!("2014-13".parse::<YearMonth>().is_err());
        assert!("2014-3".parse::<YearMonth>().is_err());
        assert!("March".parse::<YearMonth>().is_err());
    }

    #[test]
    fn labels() {
        assert_eq!(
            PeriodKind::Quarter.period_of(ym(2014, 8)).label(),
            "2014 Q3"
        );
        assert_eq!(
            PeriodKind::FinancialYear.period_of(ym(2014, 3)).label(),
            "2013/14"
        );
        assert_eq!(
            PeriodKind::FinancialYear.period_of(ym(1999, 4)).label(),
            "1999/00"
        );
        assert_eq!(
            PeriodKind::CalendarYear.period_of(ym(2014, 8)).label(),
            "2014"
        );
        assert_eq!(PeriodKind::Month.period_of(ym(2014, 8)).label(), "2014-08");
    }

    #[test]
    fn coverage_flags_partial_periods() {
        let covered: BTreeSet<_> = (1..=11).map(|m| ym(2014, m)).collect();
        let t = period_table(PeriodKind::CalendarYear, &covered).unwrap();
        assert_eq!(t.height(), 12);
        let c = t.column("months_covered").unwrap().u32().unwrap().get(0);
        assert_eq!(c, Some(11));
        let q = period_table(PeriodKind::Quarter, &covered).unwrap();
        let complete = q.column("complete").unwrap().bool().unwrap();
        // Q1..Q3 complete (9 rows), Q4 has Oct and Nov only.
        assert_eq!(complete.sum(), Some(9));
        let r = period_table(PeriodKind::Rolling12, &covered).unwrap();
        assert_eq!(r.height(), 11 * 12);
        let fy = PeriodKind::FinancialYear.periods_spanning(&covered);
        assert_eq!(fy.len(), 2);
    }
}
