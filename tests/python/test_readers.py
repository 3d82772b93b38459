import gzip
from pathlib import Path

import polars as pl
import pytest
import saferstats as ss

MEDWAY = "E06000035"


def raw_rows(path: Path) -> list[str]:
    text = gzip.decompress(path.read_bytes()).decode("utf-8")
    return [line for line in text.splitlines()[1:] if line.strip()]


def test_kent_every_row_accounted_for(kent: Path):
    files = sorted(kent.glob("*-street.csv.gz"))
    assert len(files) == 11
    raw = sum(len(raw_rows(f)) for f in files)
    data = ss.read_police_uk(kent)
    r = data.report
    assert r.rows_read == raw
    assert r.rows_read == r.rows_kept + r.rows_set_aside
    assert data.crimes.height == r.rows_kept
    assert data.set_aside.height == r.rows_set_aside
    assert r.set_aside_by_reason == {"duplicate_crime_id": 3}
    assert set(data.set_aside["reason"]) == {"duplicate_crime_id"}
    assert len(r.months_covered) == 11
    assert r.months_missing == []
    assert r.forces == ["Kent Police"]
    assert data.crimes.schema["month"] == pl.Date
    assert data.crimes.schema["longitude"] == pl.Float64
    # glob and explicit list give the same read
    again = ss.read_police_uk(
        [
            str(kent / "2014-0*-street.csv.gz"),
            kent / "2014-10-kent-street.csv.gz",
            kent / "2014-11-kent-street.csv.gz",
        ]
    )
    assert again.report.rows_read == raw


def test_set_aside_choice_is_the_callers(kent: Path):
    keep = ss.read_police_uk(kent / "2014-03-kent-street.csv.gz")
    aside = ss.read_police_uk(kent / "2014-03-kent-street.csv.gz", no_location="set_aside")
    flagged = keep.crimes["no_location"].sum()
    assert flagged > 0
    assert aside.report.set_aside_by_reason["no_location"] == flagged
    assert aside.report.rows_kept == keep.report.rows_kept - flagged
    with pytest.raises(ss.ParameterError):
        ss.read_police_uk(kent, no_location="drop")


def test_every_located_row_joins_the_ward_lookup(shared: Path, kent: Path):
    data = ss.read_police_uk(kent)
    geo = ss.build_geography(
        ss.read_lookup(shared / "lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz"),
        ss.read_lookup(shared / "lookups/ons_LAD19_CSP19_PFA19_EW.csv"),
    )
    located = data.crimes.filter(~pl.col("no_location"))
    unmatched = located.join(geo.table, on="lsoa_code", how="anti")
    assert unmatched.height == 0
    medway = geo.filter("lad", [MEDWAY])
    assert medway.table.height == 163
    assert medway.table["ward_code"].n_unique() == 22


def test_medway_counts_sum_to_medway_rows(shared: Path, kent: Path):
    geo = ss.build_geography(
        ss.read_lookup(shared / "lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz")
    ).filter("lad", [MEDWAY])
    lsoas = set(geo.table["lsoa_code"])
    raw_medway = sum(
        1
        for f in sorted(kent.glob("*.csv.gz"))
        for line in raw_rows(f)
        if line.split(",")[7] in lsoas
    )
    data = ss.read_police_uk(kent, duplicate_crime_id="keep")
    result = ss.counts(data, geo, level="ward", by=["crime_type"], period="month")
    assert result.table.height == 22 * 14 * 11
    assert result.table["count"].sum() == raw_medway == 25118
    rep = result.report
    assert (
        rep.rows_counted + rep.rows_outside_geography + rep.rows_without_lsoa
        == data.report.rows_read
    )


def test_lookup_vintages(shared: Path):
    lk = ss.read_lookup(shared / "lookups/ons_LAD23_CSP23_PFA23_EW.csv")
    assert (lk.kind, lk.vintage) == ("lad_csp_force", "LAD23/CSP23/PFA23")
    lk = ss.read_lookup(shared / "lookups/geographr_lookup_lsoa11_lsoa21_ltla22.csv.gz")
    assert (lk.kind, lk.vintage) == ("lsoa_to_lsoa", "LSOA11->LSOA21")
    assert lk.table.columns == ["lsoa_from_code", "lsoa_to_code", "change_code"]


def test_population_shapes(shared: Path):
    sape = ss.read_population(
        shared / "population/demographr_population17_lsoa11.csv.gz", mid_year=2017
    )
    assert sape.shape == "ages_wide"
    assert sape.table.columns == ["area_code", "area_name", "mid_year", "population", "source"]
    lad = ss.read_population(shared / "population/ons_MYE4_LAD23_population_mid2011_to_mid2023.csv")
    medway = lad.table.filter(pl.col("area_code") == MEDWAY).sort("mid_year")
    assert medway["mid_year"].to_list() == list(range(2011, 2024))
    assert medway.filter(mid_year=2014)["population"].item() == 273977
    with pytest.raises(ss.ParameterError, match="mid_year"):
        ss.read_population(shared / "population/demographr_population17_lsoa11.csv.gz")


HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
ROW = "a1,2014-01,Kent Police,Kent Police,0.5,51.3,On or near X,E01016120,Medway 026B,Burglary,,"


@pytest.mark.parametrize(
    ("body", "error", "fragment"),
    [
        (
            HEADER + "\n" + ROW.replace("2014-01", "2014-13") + "\n",
            ss.DataError,
            "line 2, column 'Month'",
        ),
        (HEADER + "\n" + ROW.replace("0.5", "east") + "\n", ss.DataError, "column 'Longitude'"),
        ("Reference,Date\n1,2\n", ss.ColumnError, "not a data.police.uk street-level file"),
        (HEADER.replace(",Latitude", "") + "\n", ss.ColumnError, "missing column 'Latitude'"),
        ("", ss.DataError, "empty"),
    ],
)
def test_bad_street_files(tmp_path: Path, body: str, error: type, fragment: str):
    path = tmp_path / "bad-street.csv"
    path.write_text(body)
    with pytest.raises(error, match=fragment) as info:
        ss.read_police_uk(path)
    assert str(path) in str(info.value) or "empty" in fragment
    assert isinstance(info.value, ss.SaferstatsError)
    assert isinstance(info.value, ValueError)


def test_truncated_gzip_and_non_utf8(tmp_path: Path, kent: Path):
    data = (kent / "2014-05-kent-street.csv.gz").read_bytes()
    cut = tmp_path / "cut-street.csv.gz"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(ss.DataError, match="truncated gzip"):
        ss.read_police_uk(cut)
    latin = tmp_path / "latin-street.csv"
    latin.write_bytes(
        (HEADER + "\r\n" + ROW + "\r\n").encode()
        + ROW.replace("X", "Caf\xe9").encode("latin-1")
        + b"\r\n"
    )
    with pytest.raises(ss.DataError, match=r"line 3.*UTF-8"):
        ss.read_police_uk(latin)
    with pytest.raises(ss.InputFileError):
        ss.read_police_uk(tmp_path / "nope")
    with pytest.raises(ss.InputFileError):
        ss.read_police_uk(str(tmp_path / "*.nothing"))


def test_bad_lookup_and_population(tmp_path: Path):
    lk = tmp_path / "lk.csv"
    lk.write_text("code,name\nE1,x\n")
    with pytest.raises(ss.ColumnError, match="unknown lookup shape"):
        ss.read_lookup(lk)
    pop = tmp_path / "pop.csv"
    pop.write_text("area_code,mid_year,population\nE1,2014,10\nE1,2014,12\n")
    with pytest.raises(ss.DataError, match="duplicated area and mid-year E1 2014"):
        ss.read_population(pop)
    pop.write_text("area_code,mid_year,population\nE1,2014,-3\n")
    with pytest.raises(ss.DataError, match=r"line 2.*negative population"):
        ss.read_population(pop)


def test_panic_becomes_an_exception_not_a_crash():
    from saferstats import _saferstats

    with pytest.raises(ss.InternalError, match="deliberate panic"):
        _saferstats._panic_for_tests()
    # the interpreter is still alive and the library still works
    assert ss.datasets.medway_2014().crimes.report.rows_read == 25118


def test_read_cache_is_used_and_never_stale(tmp_path: Path):
    from saferstats.datasets import medway_2014_folder

    folder = tmp_path / "police"
    folder.mkdir()
    files = sorted(Path(medway_2014_folder()).rglob("*-street.csv.gz"))
    names = [f.name.removesuffix(".gz") for f in files]
    for f, name in zip(files, names):
        (folder / name).write_bytes(gzip.decompress(f.read_bytes()))
    cache = tmp_path / "cache"
    first = ss.read_police_uk(folder, cache_dir=cache)
    second = ss.read_police_uk(folder, cache_dir=cache)
    n = len(files)
    assert (first.report.cache["misses"], first.report.cache["hits"]) == (n, 0)
    assert (second.report.cache["misses"], second.report.cache["hits"]) == (0, n)
    assert second.crimes.equals(first.crimes)
    # A changed file (same size) is parsed again: never served from its stale entry.
    target = folder / names[0]
    raw = bytearray(target.read_bytes())
    at = raw.index(b"Burglary")
    raw[at : at + 8] = b"Burglarx"
    target.write_bytes(bytes(raw))
    third = ss.read_police_uk(folder, cache_dir=cache)
    assert (third.report.cache["hits"], third.report.cache["stale"]) == (n - 1, 1)
    assert third.report.unknown_crime_types == {"Burglarx": 1}
    with pytest.raises(ss.ParameterError):
        ss.read_police_uk(folder, cache_dir=3)


def test_bulk_archive_files_name_their_archive(tmp_path: Path):
    import zipfile

    from saferstats.datasets import medway_2014_folder

    files = sorted(Path(medway_2014_folder()).rglob("*-street.csv.gz"))[:2]
    archive = tmp_path / "2014-02.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in files:
            month = f.name[:7]
            z.writestr(f"{month}/{f.name.removesuffix('.gz')}", gzip.decompress(f.read_bytes()))
    data = ss.read_police_uk(archive)
    assert [r.archive for r in data.report.files] == [str(archive)] * 2
    assert data.report.rows_read == sum(r.rows_read for r in data.report.files)
