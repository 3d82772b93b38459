"""Seeded synthetic data.police.uk street-level files for the forces of England and Wales.

The files have exactly the published layout (header, column order, CRLF line endings, six
decimal coordinates, empty Crime ID on anti-social behaviour rows, "No Location" rows last in
each file with empty coordinates and LSOA) and live at
``<out>/YYYY-MM/YYYY-MM-<force-slug>-street.csv``, as in the police.uk archive. Areas are the
real 2011 LSOAs of the ONS lookups in ``shared/data/lookups``; a force's LSOAs are those of its
local authorities (LAD19 -> PFA19).

Statistical shape (chosen to look like the Kent 2014 files, see ``BENCHMARKS.md``):

- LSOA intensity: gamma (shape 0.8, mean 1) times 14.4 crimes a month (about 6 million rows a
  year nationally), so counts are over-dispersed gamma-Poisson;
- crime-type mix: Kent's shares of the 14 published categories (31% anti-social behaviour),
  with a gamma (shape 3) LSOA x type multiplier;
- monthly seasonality (summer peak, stronger for ASB), a random-walk annual trend per local
  authority, and an April-May 2020 lockdown dip (ASB up) when those months are generated;
- about 3% of rows without a location (crimes only, as in the real files);
- outcome categories drawn from Kent's mix; ASB rows have no outcome;
- Crime IDs: 64 lower-case hex digits, unique by construction (the first 16 are a bijective
  mix of force, month and row number, the rest random).

Every force-month is drawn from its own generator seeded by ``(seed, force, month)``, so the
output is deterministic given ``--seed`` and a force's files do not depend on which other forces
are generated. Generation is vectorised (numpy draws, polars CSV writer): Kent x 24 months
(350k rows) takes about a second.

Examples
--------
``python benchmarks/generate.py --preset county --seed 2015``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
DEFAULT_SHARED = Path(os.environ.get("SAFERSTATS_SHARED_DATA", HERE.parents[1] / "shared" / "data"))
DATA_DIR = HERE / "data"
FORMAT_VERSION = 1

LSOA_LOOKUP = "lookups/ons_LSOA11_to_WD19_LAD19_bestfit_EW.csv.gz"
LAD_LOOKUP = "lookups/ons_LAD19_CSP19_PFA19_EW.csv"

HEADER = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)

#: PFA19 code -> (police.uk slug, "Falls within" name, centre latitude, centre longitude,
#: spread in degrees of latitude). Centres are approximate and only place points inside England
#: and Wales near the right area.
FORCES: dict[str, tuple[str, str, float, float, float]] = {
    "E23000001": ("metropolitan", "Metropolitan Police Service", 51.507, -0.128, 0.13),
    "E23000002": ("cumbria", "Cumbria Constabulary", 54.58, -2.95, 0.25),
    "E23000003": ("lancashire", "Lancashire Constabulary", 53.85, -2.60, 0.18),
    "E23000004": ("merseyside", "Merseyside Police", 53.42, -2.90, 0.08),
    "E23000005": ("greater-manchester", "Greater Manchester Police", 53.48, -2.25, 0.12),
    "E23000006": ("cheshire", "Cheshire Constabulary", 53.18, -2.55, 0.15),
    "E23000007": ("northumbria", "Northumbria Police", 55.05, -1.80, 0.20),
    "E23000008": ("durham", "Durham Constabulary", 54.70, -1.70, 0.15),
    "E23000009": ("north-yorkshire", "North Yorkshire Police", 54.10, -1.40, 0.28),
    "E23000010": ("west-yorkshire", "West Yorkshire Police", 53.77, -1.65, 0.14),
    "E23000011": ("south-yorkshire", "South Yorkshire Police", 53.48, -1.30, 0.12),
    "E23000012": ("humberside", "Humberside Police", 53.70, -0.50, 0.18),
    "E23000013": ("cleveland", "Cleveland Police", 54.57, -1.20, 0.07),
    "E23000014": ("west-midlands", "West Midlands Police", 52.48, -1.90, 0.11),
    "E23000015": ("staffordshire", "Staffordshire Police", 52.80, -2.05, 0.18),
    "E23000016": ("west-mercia", "West Mercia Police", 52.40, -2.60, 0.28),
    "E23000017": ("warwickshire", "Warwickshire Police", 52.30, -1.55, 0.12),
    "E23000018": ("derbyshire", "Derbyshire Constabulary", 53.05, -1.55, 0.15),
    "E23000019": ("nottinghamshire", "Nottinghamshire Police", 53.10, -1.05, 0.15),
    "E23000020": ("lincolnshire", "Lincolnshire Police", 53.10, -0.30, 0.22),
    "E23000021": ("leicestershire", "Leicestershire Police", 52.65, -1.10, 0.15),
    "E23000022": ("northamptonshire", "Northamptonshire Police", 52.28, -0.90, 0.14),
    "E23000023": ("cambridgeshire", "Cambridgeshire Constabulary", 52.40, -0.10, 0.18),
    "E23000024": ("norfolk", "Norfolk Constabulary", 52.65, 1.00, 0.18),
    "E23000025": ("suffolk", "Suffolk Constabulary", 52.20, 1.00, 0.14),
    "E23000026": ("bedfordshire", "Bedfordshire Police", 52.05, -0.45, 0.10),
    "E23000027": ("hertfordshire", "Hertfordshire Constabulary", 51.80, -0.25, 0.11),
    "E23000028": ("essex", "Essex Police", 51.80, 0.55, 0.17),
    "E23000029": ("thames-valley", "Thames Valley Police", 51.70, -1.00, 0.28),
    "E23000030": ("hampshire", "Hampshire Constabulary", 51.05, -1.25, 0.18),
    "E23000031": ("surrey", "Surrey Police", 51.25, -0.40, 0.11),
    "E23000032": ("kent", "Kent Police", 51.25, 0.75, 0.18),
    "E23000033": ("sussex", "Sussex Police", 50.95, -0.30, 0.16),
    "E23000034": ("city-of-london", "City of London Police", 51.515, -0.092, 0.008),
    "E23000035": ("devon-and-cornwall", "Devon & Cornwall Police", 50.60, -3.90, 0.30),
    "E23000036": ("avon-and-somerset", "Avon and Somerset Constabulary", 51.25, -2.75, 0.18),
    "E23000037": ("gloucestershire", "Gloucestershire Constabulary", 51.85, -2.25, 0.14),
    "E23000038": ("wiltshire", "Wiltshire Police", 51.35, -1.90, 0.14),
    "E23000039": ("dorset", "Dorset Police", 50.78, -2.25, 0.12),
    "W15000001": ("north-wales", "North Wales Police", 53.05, -3.60, 0.22),
    "W15000002": ("gwent", "Gwent Police", 51.70, -3.05, 0.10),
    "W15000003": ("south-wales", "South Wales Police", 51.60, -3.50, 0.13),
    "W15000004": ("dyfed-powys", "Dyfed-Powys Police", 52.10, -3.90, 0.28),
}

#: The 14 published categories and their shares of all rows in Kent 2014.
CRIME_TYPES: tuple[tuple[str, float], ...] = (
    ("Anti-social behaviour", 0.3129),
    ("Violence and sexual offences", 0.1888),
    ("Criminal damage and arson", 0.1128),
    ("Other theft", 0.0966),
    ("Burglary", 0.0796),
    ("Shoplifting", 0.0700),
    ("Vehicle crime", 0.0641),
    ("Drugs", 0.0205),
    ("Public order", 0.0175),
    ("Bicycle theft", 0.0124),
    ("Other crime", 0.0091),
    ("Theft from the person", 0.0065),
    ("Robbery", 0.0063),
    ("Possession of weapons", 0.0029),
)
ASB = 0

#: Outcome categories of crimes (not ASB) and their shares (Kent 2014, plus two later labels).
OUTCOMES: tuple[tuple[str, float], ...] = (
    ("Investigation complete; no suspect identified", 0.470),
    ("Unable to prosecute suspect", 0.195),
    ("Under investigation", 0.100),
    ("Awaiting court outcome", 0.041),
    ("Offender given a caution", 0.037),
    ("Status update unavailable", 0.020),
    ("Offender given community sentence", 0.020),
    ("Offender sent to prison", 0.019),
    ("Local resolution", 0.017),
    ("Offender given conditional discharge", 0.011),
    ("Offender given penalty notice", 0.010),
    ("Offender fined", 0.0085),
    ("Court case unable to proceed", 0.008),
    ("Court result unavailable", 0.0073),
    ("Offender given a drugs possession warning", 0.0071),
    ("Defendant found not guilty", 0.0069),
    ("Offender given suspended prison sentence", 0.0062),
    ("Action to be taken by another organisation", 0.005),
    ("Suspect charged as part of another case", 0.0035),
    ("Offender otherwise dealt with", 0.0015),
    ("Defendant sent to Crown Court", 0.0008),
    ("Offender ordered to pay compensation", 0.0006),
    ("Formal action is not in the public interest", 0.0004),
    ("Offender given absolute discharge", 0.0002),
    ("Offender deprived of property", 0.0002),
)

#: Calendar-month factors (January first): a summer peak, as in the Kent 2014 monthly totals.
SEASON = np.array([0.93, 0.90, 0.98, 1.00, 1.04, 1.04, 1.10, 1.07, 1.02, 1.01, 0.97, 0.94])
#: ASB's seasonal swing is this many times larger.
ASB_SEASON_AMPLITUDE = 1.8
#: Lockdown factors (crimes, ASB) for 2020-04 and 2020-05.
LOCKDOWN = {(2020, 4): (0.75, 1.60), (2020, 5): (0.85, 1.40)}

MEAN_PER_LSOA_MONTH = 14.4
GAMMA_SHAPE_LSOA = 0.8
GAMMA_SHAPE_TYPE = 3.0
NO_LOCATION_SHARE = 0.03
TREND_SD = 0.05
SNAP_POINTS = 16

PLACES = (
    "Supermarket",
    "Parking Area",
    "Shopping Area",
    "Petrol Station",
    "Sports/Recreation Area",
    "Nightclub",
    "Further/Higher Educational Building",
    "Hospital",
    "Police Station",
    "Park/Open Space",
    "Pedestrian Subway",
    "Bus/Coach Station",
    "Theatre/Concert Hall",
)
STREET_STEMS = (
    "High",
    "Station",
    "Church",
    "Mill",
    "Park",
    "London",
    "Victoria",
    "Green",
    "Manor",
    "Queens",
    "Kings",
    "Grange",
    "Springfield",
    "Windsor",
    "Highfield",
    "Alexandra",
    "Albert",
    "York",
    "North",
    "South",
    "West",
    "Chapel",
    "School",
    "Orchard",
    "Meadow",
    "Bridge",
    "New",
    "Castle",
    "Elm",
    "Oak",
    "Ash",
    "Beech",
)
STREET_KINDS = ("Street", "Road", "Lane", "Close", "Avenue", "Way", "Drive", "Gardens")


@dataclass(frozen=True)
class Preset:
    """What to generate: forces (PFA19 codes; ``None`` for all 43), months, volume scale."""

    forces: Optional[tuple[str, ...]]
    months: int
    start: str = "2019-01"
    scale: float = 1.0
    description: str = ""


PRESETS: dict[str, Preset] = {
    "small": Preset(
        ("E23000034", "E23000002", "W15000004"),
        24,
        scale=0.22,
        description="City of London, Cumbria, Dyfed-Powys x 24 months at 0.22 volume "
        "(~50k rows; 24 months so that year-on-year change and seasonality run)",
    ),
    "county": Preset(("E23000032",), 24, description="Kent x 24 months (~350k rows)"),
    "national-1y": Preset(None, 12, description="43 forces x 12 months (~6M rows)"),
    "national-2y": Preset(None, 24, description="43 forces x 24 months (~12M rows)"),
    "national-5y": Preset(None, 60, description="43 forces x 60 months (~30M rows)"),
}


def location_vocabulary() -> list[str]:
    """Return the ``Location`` values snap points are named from ("On or near ...").

    Returns
    -------
    list of str
        Street names and place types, each prefixed "On or near ".
    """
    streets = [f"{s} {k}" for s in STREET_STEMS for k in STREET_KINDS]
    return [f"On or near {p}" for p in (*PLACES, *streets)]


def month_list(start: str, n: int) -> list[tuple[int, int]]:
    """Return ``n`` consecutive ``(year, month)`` pairs from ``start`` (``YYYY-MM``).

    Parameters
    ----------
    start
        First month as ``YYYY-MM``.
    n
        Number of months.

    Returns
    -------
    list of tuple of int
        ``(year, month)`` pairs in order.
    """
    y, m = (int(p) for p in start.split("-"))
    first = y * 12 + m - 1
    return [((first + i) // 12, (first + i) % 12 + 1) for i in range(n)]


def load_lsoas(shared: Path, forces: Optional[Sequence[str]]) -> pl.DataFrame:
    """Return the LSOAs of the chosen forces with their local authority and force.

    Parameters
    ----------
    shared
        The shared data folder (with ``lookups/``).
    forces
        PFA19 codes, or ``None`` for all 43 forces.

    Returns
    -------
    polars.DataFrame
        ``lsoa_code, lsoa_name, lad_code, force_code``, sorted by force then LSOA name.
    """
    lsoa = pl.read_csv(
        shared / LSOA_LOOKUP,
        columns=["LSOA11CD", "LSOA11NM", "LAD19CD"],
        schema_overrides={"LSOA11CD": pl.String, "LSOA11NM": pl.String, "LAD19CD": pl.String},
    )
    lad = pl.read_csv(
        shared / LAD_LOOKUP, columns=["LAD19CD", "PFA19CD"], infer_schema_length=0
    ).unique("LAD19CD", keep="first", maintain_order=True)
    table = lsoa.join(lad, on="LAD19CD", how="inner").rename(
        {
            "LSOA11CD": "lsoa_code",
            "LSOA11NM": "lsoa_name",
            "LAD19CD": "lad_code",
            "PFA19CD": "force_code",
        }
    )
    if forces is not None:
        unknown = sorted(set(forces) - set(FORCES))
        if unknown:
            raise SystemExit(f"unknown force codes: {', '.join(unknown)}")
        table = table.filter(pl.col("force_code").is_in(list(forces)))
    return table.sort("force_code", "lsoa_name", "lsoa_code")


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """Apply the splitmix64 finaliser, a bijection on 64-bit integers."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def crime_ids(rng: np.random.Generator, force_ix: int, month_ix: int, n: int) -> pl.Series:
    """Return ``n`` unique 64-hex-digit Crime IDs for one force-month.

    Parameters
    ----------
    rng
        The force-month's generator (for the 48 random digits).
    force_ix, month_ix
        Position of the force and of the month; with the row number they make the first 16
        digits unique across the whole data set.
    n
        Number of IDs.

    Returns
    -------
    polars.Series
        String series of IDs.
    """
    key = (
        (np.uint64(force_ix) << np.uint64(48))
        | (np.uint64(month_ix) << np.uint64(32))
        | np.arange(n, dtype=np.uint64)
    )
    raw = np.empty((n, 32), dtype=np.uint8)
    raw[:, :8] = _splitmix64(key).astype(">u8").view(np.uint8).reshape(n, 8)
    raw[:, 8:] = rng.integers(0, 256, size=(n, 24), dtype=np.uint8)
    text = np.empty((n, 64), dtype=np.uint8)
    text[:, 0::2] = _HEX[raw >> 4]
    text[:, 1::2] = _HEX[raw & 15]
    return pl.Series("Crime ID", text.view("S64").ravel()).cast(pl.String)


@dataclass
class ForceModel:
    """Fixed per-force draws: LSOA positions, snap points, intensities and trends."""

    code: str
    index: int
    lsoa_code: pl.Series
    lsoa_name: pl.Series
    snap_lon: np.ndarray
    snap_lat: np.ndarray
    snap_name: np.ndarray
    intensity: np.ndarray
    lad_index: np.ndarray
    trend: np.ndarray


def force_model(
    lsoas: pl.DataFrame, code: str, index: int, seed: int, years: int, scale: float
) -> ForceModel:
    """Draw the fixed features of one force (seeded by ``(seed, force index)``).

    Parameters
    ----------
    lsoas
        Output of :func:`load_lsoas`.
    code
        PFA19 code.
    index
        The force's position in :data:`FORCES` (part of its seed).
    seed
        Global seed.
    years
        Calendar years spanned (for the trend random walk).
    scale
        Volume multiplier.

    Returns
    -------
    ForceModel
        Per-LSOA arrays.
    """
    rng = np.random.default_rng([seed, index, 0])
    part = lsoas.filter(pl.col("force_code") == code)
    n = part.height
    _, _, lat0, lon0, spread = FORCES[code]
    lads, lad_index = np.unique(part["lad_code"].to_numpy(), return_inverse=True)
    # Local authorities within the force's spread, LSOAs clustered around their authority.
    radius = spread * np.sqrt(rng.random(len(lads)))
    angle = rng.random(len(lads)) * 2 * np.pi
    lad_lat = lat0 + radius * np.sin(angle)
    lad_lon = lon0 + radius * np.cos(angle) / np.cos(np.radians(lat0))
    local = min(spread * 0.25, 0.03)
    lsoa_lat = lad_lat[lad_index] + rng.normal(0, local, n)
    lsoa_lon = lad_lon[lad_index] + rng.normal(0, local, n) / np.cos(np.radians(lat0))
    snap_lat = np.round(lsoa_lat[:, None] + rng.normal(0, 0.002, (n, SNAP_POINTS)), 6)
    snap_lon = np.round(lsoa_lon[:, None] + rng.normal(0, 0.003, (n, SNAP_POINTS)), 6)
    snap_lat = np.clip(snap_lat, 50.0, 55.8)
    snap_lon = np.clip(snap_lon, -5.6, 1.7)
    snap_name = rng.integers(0, len(location_vocabulary()), size=(n, SNAP_POINTS))
    shares = np.array([s for _, s in CRIME_TYPES])
    shares = shares / shares.sum()
    lsoa_level = rng.gamma(GAMMA_SHAPE_LSOA, 1 / GAMMA_SHAPE_LSOA, n)
    type_mix = rng.gamma(GAMMA_SHAPE_TYPE, 1 / GAMMA_SHAPE_TYPE, (n, len(shares)))
    intensity = MEAN_PER_LSOA_MONTH * scale * lsoa_level[:, None] * shares[None, :] * type_mix
    steps = rng.normal(0, TREND_SD, (len(lads), years))
    steps[:, 0] = 0.0
    trend = np.exp(np.cumsum(steps, axis=1))
    return ForceModel(
        code=code,
        index=index,
        lsoa_code=part["lsoa_code"],
        lsoa_name=part["lsoa_name"],
        snap_lon=snap_lon,
        snap_lat=snap_lat,
        snap_name=snap_name,
        intensity=intensity,
        lad_index=lad_index,
        trend=trend,
    )


def month_frame(
    model: ForceModel, seed: int, month_ix: int, year_ix: int, year: int, month: int
) -> pl.DataFrame:
    """Draw one force-month of street-level rows in the published column layout.

    Parameters
    ----------
    model
        The force's fixed draws.
    seed
        Global seed.
    month_ix
        Position of the month in the run (part of the seed and of the Crime IDs).
    year_ix
        Position of the month's calendar year in the run (for the trend).
    year, month
        The calendar month.

    Returns
    -------
    polars.DataFrame
        The rows, located rows first (by LSOA name), "No Location" rows last.
    """
    rng = np.random.default_rng([seed, model.index, 1 + month_ix])
    season = SEASON[month - 1]
    factors = np.full(len(CRIME_TYPES), season)
    factors[ASB] = 1 + ASB_SEASON_AMPLITUDE * (season - 1)
    crime_f, asb_f = LOCKDOWN.get((year, month), (1.0, 1.0))
    factors *= crime_f
    factors[ASB] *= asb_f / crime_f
    lam = model.intensity * factors[None, :] * model.trend[model.lad_index, year_ix][:, None]
    counts = rng.poisson(lam).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    n_types = len(CRIME_TYPES)
    lsoa_ix = cell // n_types
    type_ix = cell % n_types
    n = cell.size
    is_asb = type_ix == ASB
    no_location = ~is_asb & (rng.random(n) < NO_LOCATION_SHARE / (1 - CRIME_TYPES[ASB][1]))
    # Published files list located rows by LSOA (in no particular order within one) and the
    # "No Location" rows last.
    order = np.lexsort((rng.random(n), lsoa_ix, no_location))
    lsoa_ix, type_ix, is_asb, no_location = (
        lsoa_ix[order],
        type_ix[order],
        is_asb[order],
        no_location[order],
    )
    snap = rng.integers(0, SNAP_POINTS, n)
    outcome_p = np.array([p for _, p in OUTCOMES])
    outcome_ix = rng.choice(len(OUTCOMES), size=n, p=outcome_p / outcome_p.sum())
    ids = crime_ids(rng, model.index, month_ix, n)
    name = FORCES[model.code][1]
    vocab = pl.Series(location_vocabulary())
    idx = pl.Series(lsoa_ix)
    located = pl.Series(~no_location)
    lon = pl.Series(model.snap_lon[lsoa_ix, snap])
    lat = pl.Series(model.snap_lat[lsoa_ix, snap])
    frame = pl.DataFrame(
        {
            "Crime ID": ids,
            "Month": pl.Series([f"{year:04d}-{month:02d}"]).new_from_index(0, n),
            "Reported by": pl.Series([name]).new_from_index(0, n),
            "Falls within": pl.Series([name]).new_from_index(0, n),
            "Longitude": lon,
            "Latitude": lat,
            "Location": vocab.gather(model.snap_name[lsoa_ix, snap]),
            "LSOA code": model.lsoa_code.gather(idx),
            "LSOA name": model.lsoa_name.gather(idx),
            "Crime type": pl.Series([t for t, _ in CRIME_TYPES]).gather(type_ix),
            "Last outcome category": pl.Series([o for o, _ in OUTCOMES]).gather(outcome_ix),
            "Context": pl.Series([None], dtype=pl.String).new_from_index(0, n),
        }
    )
    asb = pl.Series(is_asb)
    return frame.with_columns(
        pl.when(asb).then(None).otherwise(pl.col("Crime ID")).alias("Crime ID"),
        pl.when(asb)
        .then(None)
        .otherwise(pl.col("Last outcome category"))
        .alias("Last outcome category"),
        *[
            pl.when(located).then(pl.col(c)).otherwise(None).alias(c)
            for c in ("Longitude", "Latitude", "LSOA code", "LSOA name")
        ],
        pl.when(located)
        .then(pl.col("Location"))
        .otherwise(pl.lit("No Location"))
        .alias("Location"),
    ).select(HEADER)


def generate(
    out: Path,
    preset: Preset,
    seed: int,
    shared: Path = DEFAULT_SHARED,
    *,
    name: str = "custom",
    verbose: bool = True,
) -> dict:
    """Write a synthetic data set and its ``manifest.json``; return the manifest.

    Parameters
    ----------
    out
        Output folder (created; existing month folders in it are replaced).
    preset
        Forces, months and volume.
    seed
        Global seed.
    shared
        The shared data folder.
    name
        Preset name recorded in the manifest.
    verbose
        Print progress.

    Returns
    -------
    dict
        The manifest: preset, seed, months, forces, files, rows, bytes, seconds.
    """
    t0 = time.perf_counter()
    lsoas = load_lsoas(shared, preset.forces)
    codes = [c for c in FORCES if c in set(lsoas["force_code"].to_list())]
    months = month_list(preset.start, preset.months)
    first_year = months[0][0]
    years = months[-1][0] - first_year + 1
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("[0-9][0-9][0-9][0-9]-[0-9][0-9]"):
        shutil.rmtree(old)
    force_index = {c: i for i, c in enumerate(FORCES)}
    models = [force_model(lsoas, c, force_index[c], seed, years, preset.scale) for c in codes]
    files, rows, size = [], 0, 0
    for month_ix, (year, month) in enumerate(months):
        folder = out / f"{year:04d}-{month:02d}"
        folder.mkdir(exist_ok=True)
        for model in models:
            frame = month_frame(model, seed, month_ix, year - first_year, year, month)
            path = folder / f"{year:04d}-{month:02d}-{FORCES[model.code][0]}-street.csv"
            frame.write_csv(path, line_terminator="\r\n", float_precision=6, null_value="")
            rows += frame.height
            size += path.stat().st_size
            files.append(str(path.relative_to(out)))
        if verbose:
            print(f"  {year:04d}-{month:02d}: {rows:,} rows so far", file=sys.stderr)
    manifest = {
        "format_version": FORMAT_VERSION,
        "preset": name,
        "description": preset.description,
        "seed": seed,
        "scale": preset.scale,
        "months": [f"{y:04d}-{m:02d}" for y, m in months],
        "forces": [{"code": c, "slug": FORCES[c][0], "name": FORCES[c][1]} for c in codes],
        "lsoas": lsoas.height,
        "files": len(files),
        "rows": rows,
        "bytes": size,
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def ensure(
    preset_name: str,
    seed: int = 2015,
    out: Optional[Path] = None,
    shared: Path = DEFAULT_SHARED,
    *,
    force: bool = False,
    verbose: bool = True,
) -> tuple[Path, dict]:
    """Return the folder and manifest of a preset, generating it unless already there.

    Parameters
    ----------
    preset_name
        A key of :data:`PRESETS`.
    seed
        Global seed.
    out
        Output folder; default ``benchmarks/data/<preset>-seed<seed>``.
    shared
        The shared data folder.
    force
        Regenerate even if a matching manifest exists.
    verbose
        Print progress.

    Returns
    -------
    tuple of (pathlib.Path, dict)
        The folder and its manifest.
    """
    preset = PRESETS[preset_name]
    out = out or DATA_DIR / f"{preset_name}-seed{seed}"
    path = out / "manifest.json"
    if path.exists() and not force:
        manifest = json.loads(path.read_text())
        if (
            manifest.get("format_version") == FORMAT_VERSION
            and manifest.get("preset") == preset_name
            and manifest.get("seed") == seed
        ):
            return out, manifest
    if verbose:
        print(f"generating {preset_name} (seed {seed}) into {out}", file=sys.stderr)
    return out, generate(out, preset, seed, shared, name=preset_name, verbose=verbose)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Command line: ``python benchmarks/generate.py --preset county [--seed N] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--seed", type=int, default=2015)
    parser.add_argument("--out", type=Path, help="default: benchmarks/data/<preset>-seed<seed>")
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--force", action="store_true", help="regenerate even if present")
    args = parser.parse_args(argv)
    out, manifest = ensure(args.preset, args.seed, args.out, args.shared, force=args.force)
    print(
        f"{out}: {manifest['rows']:,} rows in {manifest['files']} files "
        f"({manifest['bytes'] / 1e6:,.1f} MB), {len(manifest['forces'])} forces x "
        f"{len(manifest['months'])} months, {manifest['seconds']} s"
    )


if __name__ == "__main__":
    main()
