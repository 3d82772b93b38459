//! The assessment as one Excel workbook (rust_xlsxwriter): an index sheet (one row per area
//! with the headline figures and a link to each table's sheet), one sheet per table of
//! [`Assessment::tables`] with every area in it, and the data-quality notes on their own
//! sheet. Headers are bold on a tint and frozen; counts have thousands separators, rates one
//! decimal, percentages are stored as fractions and shown as percentages, p-values four
//! decimals; columns are sized to their contents.

use polars::prelude::*;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatBorder, Workbook, Worksheet, XlsxError,
};

use crate::assessment::model::{Assessment, GroupKind};
use crate::error::{Error, Result};

/// How a column is written: the factor its values are multiplied by and the number format.
///
/// Percent-scale columns (0 to 100) are divided by 100 so Excel holds the fraction and shows
/// a percentage; fraction-scale shares (0 to 1) keep their values.
fn number_format(table: &str, column: &str) -> (f64, &'static str) {
    let percent_scale = matches!(
        column,
        "pct_change" | "trend_annual_pct_change" | "trend_lower" | "trend_upper"
    ) || (matches!(table, "summary" | "breakdown")
        && matches!(
            column,
            "share" | "share_lower" | "share_upper" | "lower" | "upper"
        ));
    if percent_scale {
        return (0.01, "0.0%");
    }
    match column {
        "share" | "top_share" | "share_of_previous_top" | "poisson_null_share" => (1.0, "0.0%"),
        "p_value" | "kruskal_wallis_p" | "qs_p" => (1.0, "0.0000"),
        "rate_ratio" | "rate_ratio_lower" | "rate_ratio_upper" | "dispersion"
        | "seasonal_strength" | "gini" => (1.0, "0.000"),
        "population" | "total" => (1.0, "#,##0"),
        "expected" => (1.0, "#,##0.0"),
        c if c.contains("year") || c.starts_with("month") || c.starts_with("rank") => (1.0, "0"),
        "peers" | "wards" | "top" | "anomalous_months" => (1.0, "0"),
        _ => (1.0, "#,##0.0"),
    }
}

/// Integer columns: counts with thousands separators; years, months and ranks without.
fn integer_format(column: &str) -> &'static str {
    if column.contains("year")
        || column.starts_with("month")
        || column.starts_with("rank")
        || matches!(column, "peers" | "wards" | "top" | "anomalous_months")
    {
        "0"
    } else {
        "#,##0"
    }
}

fn xlsx(e: XlsxError) -> Error {
    Error::param("xlsx", e.to_string())
}

fn header_format() -> Format {
    Format::new()
        .set_bold()
        .set_background_color(Color::RGB(0xE9EEF5))
        .set_border_bottom(FormatBorder::Thin)
        .set_text_wrap()
}

/// Writes a frame to a sheet: a bold frozen header, typed cells, formats by column.
fn write_frame(sheet: &mut Worksheet, table: &str, df: &DataFrame) -> Result<()> {
    let header = header_format();
    for (j, name) in df.get_column_names().iter().enumerate() {
        sheet
            .write_string_with_format(0, j as u16, name.as_str(), &header)
            .map_err(xlsx)?;
    }
    for (j, column) in df.columns().iter().enumerate() {
        let j = j as u16;
        let name = column.name().as_str();
        match column.dtype() {
            DataType::Boolean => {
                for (i, v) in column.bool()?.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_boolean(i as u32 + 1, j, v).map_err(xlsx)?;
                    }
                }
            }
            dt if dt.is_integer() => {
                let fmt = Format::new().set_num_format(integer_format(name));
                let values = column.cast(&DataType::Float64)?;
                for (i, v) in values.f64()?.iter().enumerate() {
                    if let Some(v) = v {
                        sheet
                            .write_number_with_format(i as u32 + 1, j, v, &fmt)
                            .map_err(xlsx)?;
                    }
                }
            }
            dt if dt.is_float() => {
                let (scale, num) = number_format(table, name);
                let fmt = Format::new().set_num_format(num);
                let values = column.cast(&DataType::Float64)?;
                for (i, v) in values.f64()?.iter().enumerate() {
                    if let Some(v) = v.filter(|v| v.is_finite()) {
                        sheet
                            .write_number_with_format(i as u32 + 1, j, v * scale, &fmt)
                            .map_err(xlsx)?;
                    }
                }
            }
            _ => {
                let values = column.cast(&DataType::String)?;
                for (i, v) in values.str()?.iter().enumerate() {
                    if let Some(v) = v {
                        sheet.write_string(i as u32 + 1, j, v).map_err(xlsx)?;
                    }
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet.set_autofit_max_width(420).autofit();
    Ok(())
}

/// Sheet names: Excel allows 31 characters.
fn sheet_name(table: &str) -> String {
    match table {
        "hotspot_summary" => "hotspot summary".into(),
        "notes" => "data quality".into(),
        t => t.replace('_', " "),
    }
}

impl Assessment {
    /// The workbook as bytes: `index` (one row per area: headline count, rate with its 95%
    /// limits, rank, comparison with the peers, annual change and trend; then the reporting
    /// period, source, population and the sheets), one sheet per table of
    /// [`Assessment::tables`], and `data quality` with every note.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] (`xlsx`) if the workbook cannot be assembled (not
    /// expected).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::assessment::{assessment, AssessmentSpec, Inputs, ReportingPeriod};
    /// let inputs = Inputs::medway_2014()?;
    /// let spec = AssessmentSpec { period: ReportingPeriod::CalendarYear(2014), ..AssessmentSpec::default() };
    /// let a = assessment(&inputs, &spec)?;
    /// let bytes = a.to_xlsx()?;
    /// assert_eq!(&bytes[..2], b"PK"); // a zip container
    /// assert_eq!(a.to_xlsx()?, bytes); // the same bytes every time: reproducible
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    pub fn to_xlsx(&self) -> Result<Vec<u8>> {
        let mut book = Workbook::new();
        // A fixed creation date (the first day of the reporting period's last month), so the
        // same assessment gives the same bytes and a manifest can be reproduced exactly.
        let last = self.period.last_month;
        let created = ExcelDateTime::from_ymd(
            u16::try_from(last.year).unwrap_or(1900),
            u8::try_from(last.month).unwrap_or(1),
            1,
        )
        .map_err(xlsx)?;
        book.set_properties(
            &DocProperties::new()
                .set_title(format!(
                    "Strategic assessment tables, {}",
                    self.period.label
                ))
                .set_comment(format!(
                    "saferstats {}; contains public sector information licensed under the Open \
                     Government Licence v3.0",
                    self.saferstats_version
                ))
                .set_creation_datetime(&created),
        );
        let tables = self.tables()?;
        {
            let sheet = book.add_worksheet();
            sheet.set_name("index").map_err(xlsx)?;
            self.index_sheet(sheet, &tables)?;
        }
        for (name, df) in &tables {
            let sheet = book.add_worksheet();
            sheet.set_name(sheet_name(name)).map_err(xlsx)?;
            write_frame(sheet, name, df)?;
        }
        book.save_to_buffer().map_err(xlsx)
    }

    fn index_sheet(&self, sheet: &mut Worksheet, tables: &[(&str, DataFrame)]) -> Result<()> {
        let title = Format::new().set_bold().set_font_size(14);
        let header = header_format();
        let count = Format::new().set_num_format("#,##0");
        let one_dp = Format::new().set_num_format("0.0");
        let percent = Format::new().set_num_format("0.0%");
        sheet
            .write_string_with_format(
                0,
                0,
                format!("Strategic assessment tables, {}", self.period.label),
                &title,
            )
            .map_err(xlsx)?;
        let about = [
            ("Reporting period", self.period_line().replace("**", "")),
            ("Source", self.source.description.clone()),
            ("Population", self.source.population.clone()),
            (
                "Licence",
                "Contains public sector information licensed under the Open Government Licence \
                 v3.0"
                    .into(),
            ),
            (
                "Computed by",
                format!("saferstats {}", self.saferstats_version),
            ),
        ];
        for (i, (k, v)) in about.iter().enumerate() {
            sheet.write_string(1 + i as u32, 0, *k).map_err(xlsx)?;
            sheet.write_string(1 + i as u32, 1, v).map_err(xlsx)?;
        }
        let top = 2 + about.len() as u32;
        let heads = [
            "area_code",
            "area_name",
            "crimes_excl_asb",
            "rate_per_1000",
            "lower_95",
            "upper_95",
            "rank_by_rate",
            "peers",
            "vs_peer_average_95",
            "pct_change",
            "verdict",
            "trend",
            "asb_incidents",
        ];
        for (j, h) in heads.iter().enumerate() {
            sheet
                .write_string_with_format(top, j as u16, *h, &header)
                .map_err(xlsx)?;
        }
        for (i, a) in self.areas.iter().enumerate() {
            let r = top + 1 + i as u32;
            sheet.write_string(r, 0, &a.area_code).map_err(xlsx)?;
            sheet.write_string(r, 1, &a.area_name).map_err(xlsx)?;
            let Some(t) = a.groups.iter().find(|g| g.kind == GroupKind::Total) else {
                continue;
            };
            let num = |sheet: &mut Worksheet, c: u16, v: Option<f64>, f: &Format| match v
                .filter(|v| v.is_finite())
            {
                Some(v) => sheet.write_number_with_format(r, c, v, f).map(|_| ()),
                None => Ok(()),
            };
            num(sheet, 2, Some(t.level.count as f64), &count).map_err(xlsx)?;
            num(sheet, 3, t.level.rate, &one_dp).map_err(xlsx)?;
            num(sheet, 4, t.level.lower_95, &one_dp).map_err(xlsx)?;
            num(sheet, 5, t.level.upper_95, &one_dp).map_err(xlsx)?;
            if let Some(p) = &t.peers {
                sheet.write_number(r, 6, p.rank_rate).map_err(xlsx)?;
                sheet.write_number(r, 7, p.peers).map_err(xlsx)?;
                sheet.write_string(r, 8, &p.vs_benchmark_95).map_err(xlsx)?;
            }
            if let Some(c) = &t.change {
                num(sheet, 9, c.pct_change.map(|v| v / 100.0), &percent).map_err(xlsx)?;
                sheet.write_string(r, 10, &c.verdict).map_err(xlsx)?;
            }
            if let Some(tr) = &t.trend {
                sheet.write_string(r, 11, &tr.marker).map_err(xlsx)?;
            }
            if let Some(asb) = a.groups.iter().find(|g| g.kind == GroupKind::Asb) {
                num(sheet, 12, Some(asb.level.count as f64), &count).map_err(xlsx)?;
            }
        }
        let below = top + 2 + self.areas.len() as u32;
        sheet
            .write_string_with_format(below, 0, "Sheets", &header)
            .map_err(xlsx)?;
        for (i, (name, df)) in tables.iter().enumerate() {
            let sheet_title = sheet_name(name);
            sheet
                .write_url_with_text(
                    below + 1 + i as u32,
                    0,
                    format!("internal:'{sheet_title}'!A1").as_str(),
                    sheet_title.as_str(),
                )
                .map_err(xlsx)?;
            sheet
                .write_string(below + 1 + i as u32, 1, format!("{} rows", df.height()))
                .map_err(xlsx)?;
        }
        sheet.set_freeze_panes(top + 1, 2).map_err(xlsx)?;
        sheet.set_autofit_max_width(360).autofit();
        sheet.set_column_width(1, 28).map_err(xlsx)?;
        Ok(())
    }
}
