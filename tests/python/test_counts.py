import polars as pl
import pytest
import saferstats as ss


@pytest.fixture(scope="module")
def medway():
    return ss.datasets.medway_2014()


def test_complete_grid_has_zeros(medway):
    res = ss.counts(
        medway.crimes, medway.geography, level="ward", by=["crime_type"], period="month"
    )
    t = res.table
    assert t.height == 22 * 14 * 11
    assert (t["count"] == 0).sum() > 0  # e.g. bicycle theft in a small ward in some month
    assert t["count"].sum() == medway.crimes.report.rows_kept
    assert t.columns == [
        "level",
        "area_code",
        "area_name",
        "crime_type",
        "period",
        "period_start",
        "period_end",
        "months_expected",
        "months_covered",
        "complete",
        "count",
    ]
    # row order does not change the result
    shuffled = medway.crimes.crimes.sample(fraction=1.0, shuffle=True, seed=7)
    again = ss.counts(shuffled, medway.geography, level="ward", by=["crime_type"], period="month")
    assert again.table.equals(t)


@pytest.mark.parametrize(
    ("period", "labels", "complete"),
    [
        ("quarter", ["2014 Q1", "2014 Q2", "2014 Q3", "2014 Q4"], [True, True, True, False]),
        ("financial_year", ["2013/14", "2014/15"], [False, False]),
        ("calendar_year", ["2014"], [False]),
    ],
)
def test_periods_flag_partial_coverage(medway, period, labels, complete):
    t = ss.counts(medway.crimes, medway.geography, level="csp", period=period).table
    assert t["period"].to_list() == labels
    assert t["complete"].to_list() == complete
    assert t["count"].sum() == medway.crimes.report.rows_kept


def test_rolling_year_labels(medway):
    t = ss.counts(medway.crimes, medway.geography, level="csp", period="rolling12").table
    assert t["period"][-1] == "year ending Nov 2014"
    assert t["months_covered"][-1] == 11


def test_rows_outside_geography_are_reported(medway):
    one_ward = medway.geography.filter("ward", [medway.geography.table["ward_code"][0]])
    res = ss.counts(medway.crimes, one_ward, level="ward")
    r = res.report
    assert r.rows_counted + r.rows_outside_geography + r.rows_without_lsoa == r.rows_in
    assert r.rows_outside_geography > 0
    assert sum(r.lsoas_outside_geography.values()) == r.rows_outside_geography


def test_pandas_and_string_months_in(medway):
    frame = medway.crimes.crimes.select("month", "lsoa_code", "crime_type")
    pdf = frame.to_pandas()
    res_pd = ss.counts(pdf, medway.geography, level="lad", by=["crime_type"], period="quarter")
    res_pl = ss.counts(frame, medway.geography, level="lad", by=["crime_type"], period="quarter")
    assert res_pd.table.equals(res_pl.table)
    text = frame.with_columns(
        pl.col("month").dt.strftime("%Y-%m"), pl.col("crime_type").cast(pl.Categorical)
    )
    assert ss.counts(
        text, medway.geography, level="lad", by=["crime_type"], period="quarter"
    ).table.equals(res_pl.table)


def test_all_crime_excluding_asb(medway):
    grouped = ss.map_categories(medway.crimes.crimes)
    t = ss.counts(
        grouped, medway.geography, level="csp", by=["crime_group"], period="calendar_year"
    ).table
    counts = dict(zip(t["crime_group"], t["count"]))
    asb = medway.crimes.crimes.filter(pl.col("crime_type") == "Anti-social behaviour").height
    assert counts["Anti-social behaviour"] == asb
    assert counts["All crime excluding ASB"] == medway.crimes.report.rows_kept - asb
    with pytest.raises(ss.ParameterError, match="Burglary"):
        ss.map_categories(medway.crimes.crimes, {"Anti-social behaviour": "ASB"})


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"level": "street"}, ss.ParameterError),
        ({"period": "fortnight"}, ss.ParameterError),
        ({"by": ["no_such_column"]}, ss.ColumnError),
        ({"coverage": ["2014-13"]}, ss.ParameterError),
    ],
)
def test_bad_count_arguments(medway, kwargs, error):
    with pytest.raises(error):
        ss.counts(medway.crimes, medway.geography, **kwargs)


def test_month_must_be_a_month(medway):
    bad = medway.crimes.crimes.with_columns(pl.lit("March").alias("month"))
    with pytest.raises(ss.ColumnError, match="not a YYYY-MM month"):
        ss.counts(bad, medway.geography)
    with pytest.raises(ss.ParameterError):
        ss.counts([1, 2, 3], medway.geography)


def test_counts_many_equals_counts_table_by_table(medway):
    tables = {
        "wards_quarter": {"level": "ward", "period": "quarter"},
        "lad_types_year": {"level": "lad", "by": ["crime_type"], "period": "calendar_year"},
        "csp_month": {"level": "csp", "period": "month"},
        "wards_types_fy": {"level": "ward", "by": ["crime_type"], "period": "financial_year"},
    }
    many = ss.counts_many(medway.crimes, medway.geography, tables)
    assert list(many) == list(tables)
    for name, options in tables.items():
        one = ss.counts(medway.crimes, medway.geography, **options)
        assert many[name].table.equals(one.table), name
        assert many[name].report == one.report, name
    # The under-published and coverage handling of a read is the same as counts'.
    assert many["csp_month"].table["months_covered"].sum() == 11


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ({}, "'tables'"),
        ({"a": {"level": "ward", "colour": "red"}}, "'tables'"),
        ({"a": {"level": "parish"}}, "'level'"),
        ({"a": {"by": ["no_such_column"]}}, "no_such_column"),
        ({"a": {"period": "fortnight"}}, "'period'"),
    ],
)
def test_counts_many_bad_arguments(medway, tables, message):
    with pytest.raises(ss.SaferstatsError, match=message):
        ss.counts_many(medway.crimes, medway.geography, tables)
