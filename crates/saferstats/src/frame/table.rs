//! Shared helpers of the frame layer: typed column access with errors that name the column
//! and row, row groups by key values, and text formatting.

use polars::prelude::*;

use crate::error::{Error, Result};
use crate::schema::{AREA_CODE, Keys, MONTH, PERIOD, PERIOD_START};

/// Check that the key columns of `df` identify its rows: `area_code` present, no key is null,
/// and no two rows share all key values (a duplicated row would be counted twice, or "last one
/// wins"). The keys are the area, the time (the first of `period`, `period_start`, `month`
/// that the table has) and the grouping columns.
///
/// # Errors
/// [`Error::MissingColumn`] without `area_code`; [`Error::BadValue`] naming the column and row
/// of a null key; [`Error::Duplicate`] naming the first duplicated key, with a hint when the
/// table has columns that may be undeclared grouping columns.
pub(crate) fn check_rows_unique(df: &DataFrame, keys: &Keys, what: &str) -> Result<()> {
    if df.column(AREA_CODE).is_err() {
        return Err(Error::missing_column(what, AREA_CODE, df));
    }
    keys.check(df, what)?;
    let mut cols: Vec<String> = vec![AREA_CODE.to_string()];
    if let Some(time) = [PERIOD, PERIOD_START, MONTH]
        .into_iter()
        .find(|c| df.column(c).is_ok())
    {
        cols.push(time.to_string());
    }
    cols.extend(keys.by.iter().cloned());
    for c in &cols {
        let column = df.column(c)?;
        if column.null_count() > 0 {
            let row = column
                .is_null()
                .iter()
                .position(|v| v == Some(true))
                .unwrap_or(0);
            return Err(Error::BadValue {
                source_name: what.to_string(),
                line: row as u64 + 1,
                column: c.clone(),
                value: "null".into(),
                reason: "a key column has no value; every row needs its area, period and group"
                    .into(),
            });
        }
    }
    let key_frame = df.select(cols.iter().map(String::as_str))?;
    let duplicated = key_frame.is_duplicated()?;
    if let Some(row) = duplicated.iter().position(|v| v == Some(true)) {
        let key = cols
            .iter()
            .map(|c| Ok(format!("{c}={}", df.column(c)?.get(row)?.str_value())))
            .collect::<Result<Vec<_>>>()?
            .join(", ");
        let undeclared: Vec<&str> = df
            .get_column_names()
            .iter()
            .map(|c| c.as_str())
            .filter(|c| {
                !crate::schema::RESERVED.contains(c)
                    && !cols.iter().any(|k| k == c)
                    && df.column(c).is_ok_and(|s| s.dtype() == &DataType::String)
            })
            .collect();
        let hint = if undeclared.is_empty() {
            String::new()
        } else {
            format!(
                " (if {} is a grouping column, declare it in keys)",
                undeclared.join(", ")
            )
        };
        return Err(Error::Duplicate {
            source_name: what.to_string(),
            what: "row for the key",
            key: format!("{key}, first repeated at row {}{hint}", row + 1),
        });
    }
    Ok(())
}

pub(crate) fn column_f64(df: &DataFrame, name: &str, what: &str) -> Result<Float64Chunked> {
    let col = df
        .column(name)
        .map_err(|_| Error::missing_column(what, name, df))?;
    if !col.dtype().is_primitive_numeric() {
        return Err(Error::param(
            "counts",
            format!(
                "column '{name}' of {what} must be numeric, found {}",
                col.dtype()
            ),
        ));
    }
    Ok(col.cast(&DataType::Float64)?.f64()?.clone())
}

/// Validate counts: present, finite, non-negative whole numbers. Names the first bad row.
pub(crate) fn check_counts(df: &DataFrame, column: &str) -> Result<Float64Chunked> {
    let counts = column_f64(df, column, "counts")?;
    let areas = df
        .column(AREA_CODE)
        .ok()
        .and_then(|c| c.str().ok().cloned());
    for (i, v) in counts.iter().enumerate() {
        let bad = match v {
            None => Some("missing count"),
            Some(x) if !x.is_finite() => Some("count is not finite"),
            Some(x) if x < 0.0 => Some("negative count"),
            Some(x) if x.fract() != 0.0 => Some("count is not a whole number"),
            _ => None,
        };
        if let Some(reason) = bad {
            let area = areas
                .as_ref()
                .and_then(|a| a.get(i))
                .unwrap_or("?")
                .to_string();
            return Err(Error::BadValue {
                source_name: "counts".into(),
                line: i as u64 + 1,
                column: format!("{column} (area {area})"),
                value: format!("{v:?}"),
                reason: reason.into(),
            });
        }
    }
    Ok(counts)
}

/// A column repeating one text value (stored once, not per row).
pub(crate) fn text_constant(name: &str, value: &str, height: usize) -> Column {
    Column::new_scalar(
        name.into(),
        Scalar::new(DataType::String, AnyValue::StringOwned(value.into())),
        height,
    )
}

/// Whole numbers with thousands separators: "1,000", "100,000".
pub(crate) fn thousands(x: f64) -> String {
    if x.fract() != 0.0 {
        return x.to_string();
    }
    let digits = format!("{}", x as i64);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A whole-number column read as `u32`: nulls become `default` (as does an absent column);
/// a negative value or one above `u32::MAX` is a [`Error::BadValue`] naming the row, never
/// wrapped or saturated. `what` names the table in the message.
pub(crate) fn u32_column(df: &DataFrame, name: &str, default: u32, what: &str) -> Result<Vec<u32>> {
    let Ok(col) = df.column(name) else {
        return Ok(vec![default; df.height()]);
    };
    if !col.dtype().is_integer() {
        return Err(Error::param(
            "counts",
            format!(
                "column '{name}' of {what} must hold whole numbers, found {}",
                col.dtype()
            ),
        ));
    }
    // Every integer type fits a f64 closely enough to test the range exactly.
    let wide = col.cast(&DataType::Float64)?;
    wide.f64()?
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            None => Ok(default),
            Some(v) if (0.0..=f64::from(u32::MAX)).contains(&v) => Ok(v as u32),
            Some(v) => Err(Error::BadValue {
                source_name: what.into(),
                line: i as u64 + 1,
                column: name.into(),
                value: format!("{v}"),
                reason: "must be a whole number from 0 to 4294967295".into(),
            }),
        })
        .collect()
}

/// Months covered and expected per row (`months_covered`, `months_expected`, each defaulting
/// to `default` when absent or null), checked: a period expects at least one month and covers
/// no more months than it expects. The first bad row is a [`Error::BadValue`].
pub(crate) fn checked_coverage(
    df: &DataFrame,
    default: u32,
    what: &str,
) -> Result<Vec<(u32, u32)>> {
    let covered = u32_column(df, "months_covered", default, what)?;
    let expected = u32_column(df, "months_expected", default, what)?;
    for (i, (&c, &e)) in covered.iter().zip(&expected).enumerate() {
        let (column, value, reason) = if e == 0 {
            (
                "months_expected",
                e,
                "a period expects at least one month".to_string(),
            )
        } else if c > e {
            (
                "months_covered",
                c,
                format!("more months covered than the {e} expected"),
            )
        } else {
            continue;
        };
        return Err(Error::BadValue {
            source_name: what.into(),
            line: i as u64 + 1,
            column: column.into(),
            value: value.to_string(),
            reason,
        });
    }
    Ok(covered.into_iter().zip(expected).collect())
}

/// Months covered and expected per row, when the table has both columns (a counts table),
/// checked as [`checked_coverage`] does.
pub(crate) fn coverage(df: &DataFrame) -> Result<Option<Vec<(u32, u32)>>> {
    if !(df.schema().contains("months_covered") && df.schema().contains("months_expected")) {
        return Ok(None);
    }
    checked_coverage(df, 0, "counts").map(Some)
}

/// Months under-published per row (`months_under_published`, see
/// [`crate::counts::CountSpec::under_published`]), when the table has the column; nulls and
/// negatives read as 0.
pub(crate) fn under_published(df: &DataFrame) -> Result<Option<Vec<u32>>> {
    let Ok(c) = df.column(crate::schema::MONTHS_UNDER_PUBLISHED) else {
        return Ok(None);
    };
    Ok(Some(
        c.cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.map_or(0, |v| v.clamp(0, i64::from(u32::MAX)) as u32))
            .collect(),
    ))
}

/// The flag of a row whose period holds `n` under-published months.
pub(crate) fn under_published_flag(n: u32) -> String {
    let months = if n == 1 { "month" } else { "months" };
    format!(
        "under-published: {n} {months} with far fewer rows than the force's neighbouring months \
         (count incomplete)"
    )
}

/// For a table of monthly counts: refuse periods longer than a month (`months_expected` other
/// than 1; `purpose` says what needs months) and mark the rows whose month the data do not
/// cover (`months_covered` 0, or negative, or null), which are missing, never zeros.
pub(crate) fn monthly_rows_uncovered(monthly: &DataFrame, purpose: &str) -> Result<Vec<bool>> {
    if let Ok(exp) = monthly.column("months_expected")
        && exp
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .any(|v| v != Some(1))
    {
        return Err(Error::param(
            "monthly",
            format!(
                "{purpose} needs monthly periods (months_expected = 1); count with period=month"
            ),
        ));
    }
    Ok(match monthly.column("months_covered") {
        Ok(c) => c
            .cast(&DataType::Int64)?
            .i64()?
            .iter()
            .map(|v| v.is_none_or(|v| v <= 0))
            .collect(),
        Err(_) => vec![false; monthly.height()],
    })
}

/// Group rows by the values of `keys` (rendered as text), in order of first appearance.
pub(crate) fn row_groups(df: &DataFrame, keys: &[String]) -> Result<Vec<Vec<usize>>> {
    for k in keys {
        if !df.schema().contains(k) {
            return Err(Error::missing_column("table", k, df));
        }
    }
    if keys.is_empty() {
        return Ok(if df.height() == 0 {
            Vec::new()
        } else {
            vec![(0..df.height()).collect()]
        });
    }
    // polars' hash group-by (nulls form their own group), in order of first appearance.
    let grouped = df
        .select(keys.iter().map(String::as_str))?
        .lazy()
        .with_row_index("__row", None)
        .group_by_stable(keys.iter().map(|k| col(k.as_str())).collect::<Vec<_>>())
        .agg([col("__row")])
        .select([col("__row")])
        .collect()?;
    let lists = grouped.column("__row")?.list()?.clone();
    let mut groups = Vec::with_capacity(lists.len());
    for rows in lists.amortized_iter().flatten() {
        let rows = rows.as_ref();
        let rows = rows.cast(&IDX_DTYPE)?;
        groups.push(
            rows.idx()?
                .into_no_null_iter()
                .map(|i| i as usize)
                .collect(),
        );
    }
    Ok(groups)
}
