//! The assessment pipeline: tables for every area built once, each frame function called
//! once on all of them, and the results gathered into one record per area.

use std::collections::{BTreeSet, HashMap};

use polars::prelude::*;

use super::inputs::{
    ALL_CRIME_EXCLUDING_ASB, Cube, Inputs, Prepared, bools, floats, ints, months, prepare, strings,
};
use super::model::*;
use super::spec::{AssessmentSpec, Peers};
use crate::error::{Error, Result};
use crate::frame::change::{ChangeSpec, change_with_monthly};
use crate::frame::dispersion::DISPERSION_METHOD;
use crate::frame::hotspots::{HotspotSpec, hotspots};
use crate::frame::peers::{PeerSpec, compare_with_benchmark, rank_among_peers};
use crate::frame::rates::{Confidence, PopulationYear, RateSpec, rates};
use crate::frame::seasonality::{SeasonalitySpec, seasonality};
use crate::frame::shares::{ShareSpec, shares};
use crate::frame::trends::{TrendSpec, trends};
use crate::geo::geography::Level;
use crate::io::police_uk::ASB;
use crate::period::{Period, PeriodKind, YearMonth};
use crate::schema::Keys;
use crate::stats::intervals::poisson_count_limits;

/// The grouping column of every table of the assessment.
pub const CRIME_GROUP: &str = "crime_group";

/// A stage of the computation, reported to a progress callback.
pub const STAGES: [&str; 9] = [
    "placing the data in areas",
    "annual counts",
    "rates",
    "peers",
    "change",
    "trends",
    "seasonality",
    "breakdown and hotspots",
    "assembling",
];

/// Plural of a level's areas, for text.
pub(crate) fn level_plural(level: Level) -> &'static str {
    match level {
        Level::Csp => "CSPs",
        Level::Lad => "local authorities",
        Level::Force => "police force areas",
        Level::Ward => "wards",
        Level::Lsoa => "LSOAs",
    }
}

/// Singular of a level's areas, for text.
pub(crate) fn level_singular(level: Level) -> &'static str {
    match level {
        Level::Csp => "CSP",
        Level::Lad => "local authority",
        Level::Force => "police force area",
        Level::Ward => "ward",
        Level::Lsoa => "LSOA",
    }
}

fn date_column(name: &str, v: Vec<i32>) -> Result<Column> {
    Ok(Column::new(name.into(), v).cast(&DataType::Date)?)
}

/// One row per area x group x period (complete grid), the shape of a counts table.
fn annual_table(
    cube: &Cube,
    level: Level,
    areas: &[usize],
    groups: &[usize],
    periods: &[Period],
) -> Result<DataFrame> {
    let n = areas.len() * groups.len() * periods.len();
    let mut cols: (Vec<&str>, Vec<&str>, Vec<&str>) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let (mut period, mut start, mut end, mut expected, mut covered, mut complete, mut count) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let info: Vec<(String, u32, Vec<usize>)> = periods
        .iter()
        .map(|p| {
            let idx: Vec<usize> = p.month_list().filter_map(|m| cube.month_index(m)).collect();
            let cov = p.month_list().filter(|m| cube.covered.contains(m)).count() as u32;
            (p.label(), cov, idx)
        })
        .collect();
    for &a in areas {
        for &g in groups {
            for (p, (label, cov, idx)) in periods.iter().zip(&info) {
                cols.0.push(cube.areas[a].code.as_str());
                cols.1.push(cube.areas[a].name.as_str());
                cols.2.push(cube.groups[g].as_str());
                period.push(label.clone());
                start.push(p.start.to_epoch_days());
                end.push(p.end().to_epoch_days());
                expected.push(p.months);
                covered.push(*cov);
                complete.push(*cov == p.months);
                count.push(idx.iter().map(|&m| cube.at(a, g, m)).sum::<i64>());
            }
        }
    }
    Ok(DataFrame::new_infer_height(vec![
        Column::new("level".into(), vec![level.name(); n]),
        Column::new("area_code".into(), cols.0),
        Column::new("area_name".into(), cols.1),
        Column::new(CRIME_GROUP.into(), cols.2),
        Column::new("period".into(), period),
        date_column("period_start", start)?,
        date_column("period_end", end)?,
        Column::new("months_expected".into(), expected),
        Column::new("months_covered".into(), covered),
        Column::new("complete".into(), complete),
        Column::new("count".into(), count),
    ])?)
}

/// One row per area x group x month of `window` (monthly series).
fn monthly_table(
    cube: &Cube,
    areas: &[usize],
    groups: &[usize],
    window: (usize, usize),
) -> Result<DataFrame> {
    let (mut code, mut name, mut group, mut period, mut start, mut count) = (
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
        Vec::new(),
    );
    let mut covered: Vec<u32> = Vec::new();
    for &a in areas {
        for &g in groups {
            if (window.0..=window.1).all(|m| cube.at(a, g, m) == 0) {
                continue;
            }
            for m in window.0..=window.1 {
                code.push(cube.areas[a].code.as_str());
                name.push(cube.areas[a].name.as_str());
                group.push(cube.groups[g].as_str());
                period.push(cube.month(m).to_string());
                start.push(cube.month(m).to_epoch_days());
                count.push(cube.at(a, g, m));
                covered.push(u32::from(cube.covered.contains(&cube.month(m))));
            }
        }
    }
    let n = code.len();
    Ok(DataFrame::new_infer_height(vec![
        Column::new("area_code".into(), code),
        Column::new("area_name".into(), name),
        Column::new(CRIME_GROUP.into(), group),
        Column::new("period".into(), period),
        date_column("period_start", start)?,
        Column::new("months_expected".into(), vec![1u32; n]),
        Column::new("months_covered".into(), covered),
        Column::new("count".into(), count),
    ])?)
}

/// Ward counts of the headline groups in `period`, under their parent area (a grouping
/// column named after the level's code column, e.g. `csp_code`).
fn ward_table(
    prepared: &Prepared,
    parents: &BTreeSet<usize>,
    period: &Period,
) -> Result<Option<DataFrame>> {
    let Some(w) = &prepared.wards else {
        return Ok(None);
    };
    let cube = &prepared.cube;
    let idx: Vec<usize> = period
        .month_list()
        .filter_map(|m| w.month_index(m))
        .collect();
    let cov = period
        .month_list()
        .filter(|m| w.covered.contains(m))
        .count() as u32;
    let (mut code, mut name, mut parent, mut group, mut count) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let ng = w.groups.len();
    for (i, (c, n, p)) in w.wards.iter().enumerate() {
        if !parents.contains(p) {
            continue;
        }
        for (g, gname) in w.groups.iter().enumerate() {
            code.push(c.as_str());
            name.push(n.as_str());
            parent.push(cube.areas[*p].code.as_str());
            group.push(gname.as_str());
            count.push(
                idx.iter()
                    .map(|&m| w.counts[(i * ng + g) * w.n_months + m])
                    .sum::<i64>(),
            );
        }
    }
    if code.is_empty() {
        return Ok(None);
    }
    let n = code.len();
    Ok(Some(DataFrame::new_infer_height(vec![
        Column::new("level".into(), vec!["ward"; n]),
        Column::new("area_code".into(), code),
        Column::new("area_name".into(), name),
        Column::new(prepared.level.code_column().into(), parent),
        Column::new(CRIME_GROUP.into(), group),
        Column::new("period".into(), vec![period.label(); n]),
        date_column("period_start", vec![period.start.to_epoch_days(); n])?,
        Column::new("months_expected".into(), vec![period.months; n]),
        Column::new("months_covered".into(), vec![cov; n]),
        Column::new("count".into(), count),
    ])?))
}

fn filter_eq(df: &DataFrame, column: &str, value: &str) -> Result<DataFrame> {
    Ok(df
        .clone()
        .lazy()
        .filter(col(column).eq(lit(value.to_string())))
        .collect()?)
}

/// Row index of each `(area_code, crime_group)` of a frame.
fn index_by_area_group(df: &DataFrame, what: &str) -> Result<HashMap<(String, String), usize>> {
    let a = strings(df, "area_code", what)?;
    let g = strings(df, CRIME_GROUP, what)?;
    Ok(a.into_iter()
        .zip(g)
        .enumerate()
        .filter_map(|(i, (a, g))| Some(((a?, g?), i)))
        .collect())
}

fn u32_of(v: Option<i64>) -> u32 {
    v.unwrap_or(0).max(0) as u32
}

/// The periods of the hotspots: the reporting period and the year before it when the ward
/// data cover them; otherwise (a ward table with months of its own, e.g. the MPS ward file)
/// the latest twelve months the ward data cover and the twelve before them, with a note.
fn hotspot_periods(
    prepared: &Prepared,
    period: &Period,
    previous: &Period,
    notes: &mut Vec<String>,
) -> (Period, Option<Period>) {
    let Some(w) = &prepared.wards else {
        return (*period, None);
    };
    let covers = |p: &Period| p.month_list().all(|m| w.covered.contains(&m));
    if covers(period) || w.source.is_none() {
        return (*period, covers(previous).then_some(*previous));
    }
    let Some(&last) = w.covered.last() else {
        return (*period, None);
    };
    let own = Period {
        start: last.plus(-11),
        months: 12,
        kind: PeriodKind::Rolling12,
    };
    let before = years_earlier(&own, 1);
    notes.push(format!(
        "hotspots: the ward counts do not cover {}; the top wards are for their latest twelve \
         months, {}{}",
        period.label(),
        own.label(),
        if covers(&before) {
            format!(", compared with the {} before", before.label())
        } else {
            String::new()
        }
    ));
    (own, covers(&before).then_some(before))
}

/// The same period `k` years earlier.
fn years_earlier(p: &Period, k: i32) -> Period {
    Period {
        start: p.start.plus(-12 * k),
        months: p.months,
        kind: p.kind,
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

pub(crate) fn ordinal_text(n: u32) -> String {
    ordinal(n)
}

/// Compute the assessment of every area (see the [module docs](super)).
///
/// # Errors
///
/// - [`Error::InvalidParameter`] naming the option: `areas` for a code that is not an area
///   of the level (or one the data do not cover, with how much they cover), `peers` for an
///   unknown peer code or an area without a police force, `crime_types` for a type not in
///   the data, `population` for an area with no estimate for the reporting period, and the
///   spec's own checks ([`AssessmentSpec::check`]).
/// - [`Error::InsufficientPeriods`] when the data cover no month of the reporting period.
/// - The readers' and frame functions' errors.
pub fn assessment(inputs: &Inputs, spec: &AssessmentSpec) -> Result<Assessment> {
    assessment_with_progress(inputs, spec, &mut |_| {})
}

/// As [`assessment`], calling `progress` with each stage's name ([`STAGES`]) as it starts.
///
/// # Errors
/// As [`assessment`].
pub fn assessment_with_progress(
    inputs: &Inputs,
    spec: &AssessmentSpec,
    progress: &mut dyn FnMut(&str),
) -> Result<Assessment> {
    spec.check()?;
    let confidence = crate::stats::intervals::validate_confidence(spec.confidence)?;
    let level = spec.level;
    progress(STAGES[0]);
    let prepared = prepare(inputs, level)?;
    let cube = &prepared.cube;

    // Areas assessed.
    let by_code: HashMap<&str, usize> = cube
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.as_str(), i))
        .collect();
    let find_area = |code: &str, key: &'static str| -> Result<usize> {
        let code = code.trim();
        if let Some(&i) = by_code.get(code) {
            return Ok(i);
        }
        Err(Error::param(
            key,
            match prepared.known_elsewhere.get(code) {
                Some(why) => format!("{code} ({why}) is not covered by the data"),
                None => format!(
                    "'{code}' is not a {} code of the {}; areas in the data: {}",
                    level.name(),
                    if prepared.source.kind == "counts" {
                        "counts table"
                    } else {
                        "geography"
                    },
                    cube.areas
                        .iter()
                        .take(12)
                        .map(|a| format!("{} {}", a.code, a.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                        + if cube.areas.len() > 12 { ", ..." } else { "" }
                ),
            },
        ))
    };
    let assessed: Vec<usize> = if spec.areas.is_empty() {
        (0..cube.areas.len()).collect()
    } else {
        let mut v = spec
            .areas
            .iter()
            .map(|c| find_area(c, "areas"))
            .collect::<Result<Vec<_>>>()?;
        v.sort_unstable();
        v
    };

    // The reporting period.
    let period = spec.period.resolve(&cube.covered)?;
    let months_covered = period
        .month_list()
        .filter(|m| cube.covered.contains(m))
        .count() as u32;
    if months_covered == 0 {
        return Err(Error::InsufficientPeriods {
            what: format!("the reporting period {}", period.label()),
            reason: format!(
                "the data cover {} to {}",
                cube.first,
                cube.month(cube.n_months - 1)
            ),
        });
    }
    let complete = months_covered == period.months;

    // Crime groups.
    let total_g = 0usize;
    let asb_g = cube.group_index(ASB);
    let headline: Vec<usize> = std::iter::once(total_g).chain(asb_g).collect();
    let type_groups: Vec<usize> = (0..cube.groups.len())
        .filter(|g| !headline.contains(g))
        .collect();
    let reported_types: Vec<usize> = match &spec.crime_types {
        None => type_groups.clone(),
        Some(list) => list
            .iter()
            .map(|t| {
                cube.group_index(t.trim())
                    .filter(|g| type_groups.contains(g))
                    .ok_or_else(|| {
                        Error::param(
                            "crime_types",
                            format!(
                                "'{t}' is not a crime type of the data; they have: {}",
                                type_groups
                                    .iter()
                                    .map(|&g| cube.groups[g].as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })
            })
            .collect::<Result<_>>()?,
    };
    let mut groups: Vec<usize> = headline.clone();
    groups.extend(&reported_types);
    let keys = Keys::by([CRIME_GROUP]);

    // Peers.
    let peer_set: Vec<usize> = match &spec.peers {
        Peers::All => assessed.clone(),
        Peers::Force => {
            let mut forces = BTreeSet::new();
            for &a in &assessed {
                match &cube.areas[a].force {
                    Some(f) => {
                        forces.insert(f.clone());
                    }
                    None if level == Level::Force => {}
                    None => {
                        return Err(Error::param(
                            "peers",
                            format!(
                                "{} ({}) has no police force in the lookup; give a LAD lookup \
                                 or peers = \"all\"",
                                cube.areas[a].code, cube.areas[a].name
                            ),
                        ));
                    }
                }
            }
            if level == Level::Force {
                assessed.clone()
            } else {
                (0..cube.areas.len())
                    .filter(|&i| {
                        cube.areas[i]
                            .force
                            .as_ref()
                            .is_some_and(|f| forces.contains(f))
                    })
                    .collect()
            }
        }
        Peers::List(codes) => {
            let mut v = codes
                .iter()
                .map(|c| find_area(c, "peers"))
                .collect::<Result<Vec<_>>>()?;
            v.sort_unstable();
            v.dedup();
            v
        }
    };
    let universe: Vec<usize> = {
        let mut s: BTreeSet<usize> = assessed.iter().copied().collect();
        s.extend(&peer_set);
        s.into_iter().collect()
    };

    // Annual periods: the reporting period and the years before it that the data reach.
    progress(STAGES[1]);
    let years: Vec<Period> = (0..spec.trend_years as i32)
        .rev()
        .map(|k| years_earlier(&period, k))
        .filter(|p| p.month_list().any(|m| cube.covered.contains(&m)))
        .collect();
    let annual = annual_table(cube, level, &universe, &groups, &years)?;

    // Populations: the mid-year rule, and the years every area has an estimate for.
    let pop = &prepared.population;
    let pop_codes = strings(pop, "area_code", "population")?;
    let pop_years = ints(pop, "mid_year", "population")?;
    let mid_years: BTreeSet<i64> = pop_years.iter().flatten().copied().collect();
    let rule = if mid_years.len() == 1 {
        PopulationYear::Fixed(*mid_years.first().expect("one year") as i32)
    } else {
        PopulationYear::default()
    };
    let have: BTreeSet<(String, i64)> = pop_codes
        .into_iter()
        .zip(pop_years)
        .filter_map(|(c, y)| Some((c?, y?)))
        .collect();
    let mid_year_of = |p: &Period| -> i64 {
        match rule {
            PopulationYear::Fixed(y) => y as i64,
            PopulationYear::PeriodStart { offset } => (p.start.year + offset) as i64,
        }
    };
    let source_name = match inputs {
        Inputs::PoliceUk(p) => p.population.source.clone(),
        Inputs::Counts(c) => c.population.source.clone(),
    };
    let y0 = mid_year_of(&period);
    for &a in &universe {
        let area = &cube.areas[a];
        if !have.contains(&(area.code.clone(), y0)) {
            let lads = if area.lads.len() > 1 || area.lads.first().is_some_and(|l| l.0 != area.code)
            {
                format!(
                    " (its local authorities: {})",
                    area.lads
                        .iter()
                        .map(|(c, n)| format!("{c} {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            } else {
                String::new()
            };
            return Err(Error::param(
                "population",
                format!(
                    "no mid-{y0} estimate for {} ({}){lads} in {source_name}",
                    area.code, area.name
                ),
            ));
        }
    }
    let rated_years: Vec<Period> = years
        .iter()
        .filter(|p| {
            let y = mid_year_of(p);
            universe
                .iter()
                .all(|&a| have.contains(&(cube.areas[a].code.clone(), y)))
        })
        .copied()
        .collect();
    let mut notes = prepared.notes.clone();
    let dropped: Vec<String> = years
        .iter()
        .filter(|p| !rated_years.contains(p))
        .map(|p| format!("{} (mid-{})", p.label(), mid_year_of(p)))
        .collect();
    if !dropped.is_empty() {
        notes.push(format!(
            "no population estimate for every area in {}: those years have counts but no rates \
             and no PHE trend marker",
            dropped.join(", ")
        ));
    }
    let rated_labels: BTreeSet<String> = rated_years.iter().map(|p| p.label()).collect();

    // Rates for every area, group and rated year, in one call.
    progress(STAGES[2]);
    let annual_rated = annual
        .clone()
        .lazy()
        .filter(
            col("period").is_in(
                lit(Series::new(
                    "p".into(),
                    rated_labels.iter().cloned().collect::<Vec<_>>(),
                ))
                .implode(false),
                false,
            ),
        )
        .collect()?;
    let rate_spec = RateSpec {
        confidence: Confidence::PhePair,
        population_year: rule,
        annualise: spec.annualise,
        ..RateSpec::default().with_keys(keys.clone())
    };
    let rated = rates(&annual_rated, pop, &rate_spec)?.table;
    let current = filter_eq(&rated, "period", &period.label())?;

    // Peers: benchmark and ranks by rate and by count, one call each.
    progress(STAGES[3]);
    let peer_rows = peer_table(&current, cube, &assessed, &peer_set, &spec.peers)?;
    let (peer_keys, peer_group) = match &spec.peers {
        Peers::List(_) => (Keys::by([CRIME_GROUP, "peer_of"]), None),
        Peers::Force if level != Level::Force => (
            keys.clone(),
            Some(vec![
                "period".to_string(),
                CRIME_GROUP.to_string(),
                "force_code".to_string(),
            ]),
        ),
        _ => (keys.clone(), None),
    };
    let peer_spec = PeerSpec {
        keys: peer_keys,
        peer_group,
        simulations: spec.simulations,
        seed: spec.seed,
        ..PeerSpec::default()
    };
    let bench = compare_with_benchmark(&peer_rows, &peer_spec)?.table;
    let by_rate = rank_among_peers(&peer_rows, &peer_spec)?.table;
    let mut unit = peer_rows.clone();
    unit.with_column(Column::new(
        "population".into(),
        vec![1.0f64; unit.height()],
    ))?;
    let by_count = rank_among_peers(&unit, &peer_spec)?.table;

    // Change against the same period a year earlier, for every area and group.
    progress(STAGES[4]);
    let assessed_annual = if universe.len() == assessed.len() {
        annual.clone()
    } else {
        annual_table(cube, level, &assessed, &groups, &years)?
    };
    let change_spec = ChangeSpec {
        confidence,
        keys: keys.clone(),
        ..ChangeSpec::default()
    };
    // Each series' over-dispersion from its months: the 60 months (or fewer) ending with the
    // reporting period, so later data never move this period's verdict.
    let period_end = cube
        .month_index(period.end())
        .unwrap_or(cube.n_months - 1)
        .min(cube.n_months - 1);
    let months_for_dispersion = monthly_table(
        cube,
        &assessed,
        &groups,
        (period_end.saturating_sub(59), period_end),
    )?;
    let changed = change_with_monthly(&assessed_annual, &months_for_dispersion, &change_spec)?;
    let change_now = filter_eq(&changed.table, "period", &period.label())?;
    let previous = years_earlier(&period, 1);
    let previous_in_data = years.contains(&previous);
    let refused: Option<String> = changed
        .report
        .refused_partial
        .iter()
        .find(|r| r.starts_with(&format!("{} (", period.label())))
        .cloned();
    let change_note = if !previous_in_data {
        Some(format!(
            "no annual change: the data do not reach {} (they start in {})",
            previous.label(),
            cube.first
        ))
    } else {
        refused.map(|r| {
            format!("no annual change: a partial period is not compared with a full one ({r})")
        })
    };

    // The general trend (the rated years, when there are two or more).
    progress(STAGES[5]);
    let trend_table = if rated_years.len() >= 2 {
        let assessed_rated = if universe.len() == assessed.len() {
            rated.clone()
        } else {
            let codes: Vec<&str> = assessed
                .iter()
                .map(|&a| cube.areas[a].code.as_str())
                .collect();
            rated
                .clone()
                .lazy()
                .filter(
                    col("area_code")
                        .is_in(lit(Series::new("a".into(), codes)).implode(false), false),
                )
                .collect()?
        };
        Some((
            trends(
                &assessed_rated,
                &TrendSpec {
                    keys: keys.clone(),
                    confidence,
                    ..TrendSpec::default()
                },
            )?
            .table,
            assessed_rated,
        ))
    } else {
        notes.push(format!(
            "no general trend: the data have {} year{} ending {} {} (a trend needs two or more)",
            years.len(),
            if years.len() == 1 { "" } else { "s" },
            period.end().month_abbr(),
            period.end().year
        ));
        None
    };

    // Seasonality of the headline groups over the last 24 to 60 consecutive months covered.
    progress(STAGES[6]);
    let end = period_end;
    let mut start = end;
    while start > 0
        && end - start < 59
        && cube.covered.contains(&cube.month(start - 1))
        && cube.covered.contains(&cube.month(start))
    {
        start -= 1;
    }
    let window_ok = cube.covered.contains(&cube.month(end)) && end + 1 - start >= 24;
    let mut seasonality_months = None;
    let season = if window_ok {
        // A series with no crimes at all has no seasonality: left out of the table.
        let nonzero = monthly_table(cube, &assessed, &headline, (start, end))?;
        match seasonality(
            &nonzero,
            &SeasonalitySpec {
                keys: keys.clone(),
                ..SeasonalitySpec::default()
            },
        ) {
            Ok(s) => {
                seasonality_months = Some((cube.month(start), cube.month(end)));
                Some(s)
            }
            Err(e) => {
                notes.push(format!("seasonality not computed: {e}"));
                None
            }
        }
    } else {
        notes.push(format!(
            "no seasonality: it needs 24 consecutive months up to {}, the data have {}",
            period.end(),
            if cube.covered.contains(&cube.month(end)) {
                end + 1 - start
            } else {
                0
            }
        ));
        None
    };

    // Breakdown: each crime type's share of the area's crime excluding ASB.
    progress(STAGES[7]);
    let type_table = annual_table(cube, level, &assessed, &type_groups, &[period])?;
    let shared = if type_groups.is_empty() {
        None
    } else {
        Some(
            shares(
                &type_table,
                &ShareSpec {
                    confidence,
                    ..ShareSpec::new(CRIME_GROUP, keys.clone())
                },
            )?
            .table,
        )
    };

    // Hotspots: the top wards of each area, ranked within their parent area.
    let parents: BTreeSet<usize> = assessed.iter().copied().collect();
    let parent_col = level.code_column();
    let (hot_period, hot_previous) = hotspot_periods(&prepared, &period, &previous, &mut notes);
    let hot = match ward_table(&prepared, &parents, &hot_period)? {
        Some(wards) => {
            let prev = match &hot_previous {
                Some(p) => ward_table(&prepared, &parents, p)?,
                None => None,
            };
            Some(hotspots(
                &wards,
                prev.as_ref(),
                &HotspotSpec {
                    top: spec.top,
                    keys: Keys::by([parent_col, CRIME_GROUP]),
                    ..HotspotSpec::default()
                },
            )?)
        }
        None => {
            notes.push(match prepared.wards {
                None if prepared.source.kind == "counts" => {
                    "no hotspots: a counts table has no ward-level data".to_string()
                }
                _ => format!("no hotspots: no ward-level data at {} level", level.name()),
            });
            None
        }
    };

    // Assemble one record per area.
    progress(STAGES[8]);
    let rate_ix = index_by_area_group(&current, "rates")?;
    let r_count = ints(&current, "count", "rates")?;
    let r_cov = ints(&current, "months_covered", "rates")?;
    let r_exp = ints(&current, "months_expected", "rates")?;
    let r_val = floats(&current, "value", "rates")?;
    let r_l95 = floats(&current, "lower_95", "rates")?;
    let r_u95 = floats(&current, "upper_95", "rates")?;
    let r_l998 = floats(&current, "lower_99_8", "rates")?;
    let r_u998 = floats(&current, "upper_99_8", "rates")?;
    let r_method = strings(&current, "method", "rates")?;
    let r_flags = strings(&current, "flags", "rates")?;
    let r_pop = floats(&current, "population", "rates")?;
    let r_popy = ints(&current, "population_year", "rates")?;

    // Peer rows: the assessed area's own row of its peer group.
    let own = |df: &DataFrame| -> Result<HashMap<(String, String), usize>> {
        let mut ix = index_by_area_group(df, "peers")?;
        if let Ok(c) = df.column("peer_of") {
            let of = c.cast(&DataType::String)?;
            let of: Vec<Option<String>> = of.str()?.iter().map(|s| s.map(str::to_string)).collect();
            let a = strings(df, "area_code", "peers")?;
            let g = strings(df, CRIME_GROUP, "peers")?;
            ix = HashMap::new();
            for i in 0..df.height() {
                if let (Some(a), Some(g), Some(o)) = (&a[i], &g[i], &of[i])
                    && a == o
                {
                    ix.insert((a.clone(), g.clone()), i);
                }
            }
        }
        Ok(ix)
    };
    let b_ix = own(&bench)?;
    let b_bench = floats(&bench, "benchmark", "peers")?;
    let b_95 = strings(&bench, "vs_benchmark_95", "peers")?;
    let b_998 = strings(&bench, "vs_benchmark_99_8", "peers")?;
    let rr_ix = own(&by_rate)?;
    let rr = (
        ints(&by_rate, "rank", "peers")?,
        ints(&by_rate, "peers", "peers")?,
        ints(&by_rate, "rank_lower", "peers")?,
        ints(&by_rate, "rank_upper", "peers")?,
    );
    let rc_ix = own(&by_count)?;
    let rc = (
        ints(&by_count, "rank", "peers")?,
        ints(&by_count, "rank_lower", "peers")?,
        ints(&by_count, "rank_upper", "peers")?,
    );

    let c_ix = index_by_area_group(&change_now, "change")?;
    let c = ChangeColumns::of(&change_now)?;

    let trend_cols = match &trend_table {
        Some((t, series)) => Some((
            index_by_area_group(t, "trends")?,
            TrendColumns::of(t)?,
            series,
        )),
        None => None,
    };
    // Annual series of every area and group (counts of every year, rates where rated).
    let series_ix: HashMap<(String, String, String), usize> = {
        let a = strings(&rated, "area_code", "rates")?;
        let g = strings(&rated, CRIME_GROUP, "rates")?;
        let p = strings(&rated, "period", "rates")?;
        (0..rated.height())
            .filter_map(|i| Some(((a[i].clone()?, g[i].clone()?, p[i].clone()?), i)))
            .collect()
    };
    let rated_value = floats(&rated, "value", "rates")?;
    let rated_lower = floats(&rated, "lower_95", "rates")?;
    let rated_upper = floats(&rated, "upper_95", "rates")?;

    let peer_description = match &spec.peers {
        Peers::All if peer_set.len() == 1 => format!("1 {} assessed", level_singular(level)),
        Peers::All => format!("{} {} assessed", peer_set.len(), level_plural(level)),
        Peers::Force => String::new(),
        Peers::List(_) => "the areas listed".to_string(),
    };

    let mut records = Vec::with_capacity(assessed.len());
    for &a in &assessed {
        let area = &cube.areas[a];
        let mut rec_groups = Vec::with_capacity(groups.len());
        let mut population = f64::NAN;
        let mut population_year = 0;
        for &g in &groups {
            let gname = cube.groups[g].clone();
            let key = (area.code.clone(), gname.clone());
            let kind = if g == total_g {
                GroupKind::Total
            } else if Some(g) == asb_g {
                GroupKind::Asb
            } else {
                GroupKind::CrimeType
            };
            let i = *rate_ix.get(&key).ok_or_else(|| {
                Error::param("population", format!("no rate for {} {}", area.code, gname))
            })?;
            if g == total_g {
                population = r_pop[i].unwrap_or(f64::NAN);
                population_year = r_popy[i].unwrap_or(0) as i32;
            }
            let flags = r_flags[i].clone();
            let level_rec = CrimeLevel {
                count: r_count[i].unwrap_or(0),
                months_covered: u32_of(r_cov[i]),
                months_expected: u32_of(r_exp[i]),
                rate: r_val[i],
                lower_95: r_l95[i],
                upper_95: r_u95[i],
                lower_99_8: r_l998[i],
                upper_99_8: r_u998[i],
                method: r_method[i].clone(),
                annualised: flags.as_deref().is_some_and(|f| f.contains("annualised")),
                flags,
            };
            let peers = match (b_ix.get(&key), rr_ix.get(&key), rc_ix.get(&key)) {
                (Some(&bi), Some(&ri), Some(&ci)) => {
                    let n = u32_of(rr.1[ri]);
                    let description = match &spec.peers {
                        Peers::Force => format!(
                            "{n} {} of {}",
                            level_plural(level),
                            area.force_name
                                .clone()
                                .unwrap_or_else(|| "the force".into())
                        ),
                        Peers::List(_) => format!("{n} areas: the areas listed and this one"),
                        Peers::All => peer_description.clone(),
                    };
                    Some(PeerComparison {
                        peer_group: description,
                        peers: n,
                        rank_count: u32_of(rc.0[ci]),
                        rank_count_lower: u32_of(rc.1[ci]),
                        rank_count_upper: u32_of(rc.2[ci]),
                        rank_rate: u32_of(rr.0[ri]),
                        rank_rate_lower: u32_of(rr.2[ri]),
                        rank_rate_upper: u32_of(rr.3[ri]),
                        benchmark: b_bench[bi].unwrap_or(f64::NAN),
                        vs_benchmark_95: b_95[bi].clone().unwrap_or_default(),
                        vs_benchmark_99_8: b_998[bi].clone().unwrap_or_default(),
                    })
                }
                _ => None,
            };
            let change_rec = c_ix.get(&key).map(|&ci| c.record(ci));
            let trend = trend_cols.as_ref().and_then(|(ix, tc, _)| {
                let &ti = ix.get(&key)?;
                let points = years
                    .iter()
                    .map(|p| {
                        let label = p.label();
                        let ri = series_ix.get(&(area.code.clone(), gname.clone(), label.clone()));
                        let cov =
                            p.month_list().filter(|m| cube.covered.contains(m)).count() as u32;
                        let count: i64 = p
                            .month_list()
                            .filter_map(|m| cube.month_index(m))
                            .map(|m| cube.at(a, g, m))
                            .sum();
                        TrendPoint {
                            period: label,
                            months_covered: cov,
                            count,
                            rate: ri.and_then(|&ri| rated_value[ri]),
                            lower_95: ri.and_then(|&ri| rated_lower[ri]),
                            upper_95: ri.and_then(|&ri| rated_upper[ri]),
                        }
                    })
                    .collect();
                Some(tc.record(ti, points))
            });
            let monthly = if kind == GroupKind::CrimeType {
                Vec::new()
            } else {
                period
                    .month_list()
                    .filter(|m| cube.covered.contains(m))
                    .filter_map(|m| Some((m, cube.at(a, g, cube.month_index(m)?))))
                    .collect()
            };
            rec_groups.push(GroupAssessment {
                monthly,
                group: gname,
                kind,
                level: level_rec,
                peers,
                change_note: if change_rec.is_none() {
                    change_note.clone()
                } else {
                    None
                },
                change: change_rec,
                trend,
            });
        }
        records.push(AreaAssessment {
            area_code: area.code.clone(),
            area_name: area.name.clone(),
            force_code: area.force.clone(),
            force_name: area.force_name.clone(),
            local_authorities: area.lads.iter().map(|(c, n)| format!("{c} {n}")).collect(),
            population,
            population_year,
            groups: rec_groups,
            breakdown: Vec::new(),
            seasonality: Vec::new(),
            hotspots: Vec::new(),
            notes: area_notes(area, level, &prepared),
        });
    }
    let record_of: HashMap<String, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.area_code.clone(), i))
        .collect();

    // Breakdown rows.
    if let Some(s) = &shared {
        let a = strings(s, "area_code", "shares")?;
        let g = strings(s, CRIME_GROUP, "shares")?;
        let n = ints(s, "count", "shares")?;
        let v = floats(s, "value", "shares")?;
        let lo = floats(s, "lower", "shares")?;
        let hi = floats(s, "upper", "shares")?;
        let wanted: BTreeSet<&str> = reported_types
            .iter()
            .map(|&g| cube.groups[g].as_str())
            .collect();
        for i in 0..s.height() {
            let (Some(a), Some(g)) = (&a[i], &g[i]) else {
                continue;
            };
            if !wanted.contains(g.as_str()) {
                continue;
            }
            let Some(&r) = record_of.get(a) else { continue };
            let ch = records[r]
                .groups
                .iter()
                .find(|x| x.group == *g)
                .and_then(|x| x.change.clone());
            records[r].breakdown.push(TypeShare {
                crime_type: g.clone(),
                count: n[i].unwrap_or(0),
                share: v[i],
                lower: lo[i],
                upper: hi[i],
                change: ch.as_ref().map(|c| c.verdict.clone()),
                pct_change: ch.as_ref().and_then(|c| c.pct_change),
                significant: ch.as_ref().and_then(|c| c.significant),
            });
        }
        for r in &mut records {
            r.breakdown
                .sort_by(|x, y| y.count.cmp(&x.count).then(x.crime_type.cmp(&y.crime_type)));
        }
    }

    // Seasonality rows.
    if let Some(s) = &season {
        let sm = &s.summary;
        let a = strings(sm, "area_code", "seasonality")?;
        let g = strings(sm, CRIME_GROUP, "seasonality")?;
        let n = ints(sm, "months", "seasonality")?;
        let peak = strings(sm, "peak_month", "seasonality")?;
        let trough = strings(sm, "trough_month", "seasonality")?;
        let strength = floats(sm, "seasonal_strength", "seasonality")?;
        let kw = floats(sm, "kruskal_wallis_p", "seasonality")?;
        let qs = floats(sm, "qs_p", "seasonality")?;
        let fl = strings(sm, "flags", "seasonality")?;
        let an = &s.anomalies;
        let aa = strings(an, "area_code", "anomalies")?;
        let ag = strings(an, CRIME_GROUP, "anomalies")?;
        let am = months(an, "month", "anomalies")?;
        let ao = floats(an, "observed", "anomalies")?;
        let ae = floats(an, "expected", "anomalies")?;
        let ad = strings(an, "direction", "anomalies")?;
        let ap = floats(an, "p_value", "anomalies")?;
        let pr = &s.profile;
        let pa = strings(pr, "area_code", "seasonality profile")?;
        let pg = strings(pr, CRIME_GROUP, "seasonality profile")?;
        let pm = strings(pr, "calendar_month", "seasonality profile")?;
        let p_mean = floats(pr, "mean_count", "seasonality profile")?;
        let p_stl = floats(pr, "stl_seasonal", "seasonality profile")?;
        let mut profiles: HashMap<(&str, &str), Vec<CalendarMonth>> = HashMap::new();
        for j in 0..pr.height() {
            if let (Some(a), Some(g), Some(m)) = (&pa[j], &pg[j], &pm[j]) {
                profiles
                    .entry((a.as_str(), g.as_str()))
                    .or_default()
                    .push(CalendarMonth {
                        month: m.clone(),
                        mean_count: p_mean[j],
                        seasonal: p_stl[j],
                    });
            }
        }
        let (first, last) = seasonality_months.unwrap_or((cube.month(start), cube.month(end)));
        for i in 0..sm.height() {
            let (Some(code), Some(group)) = (&a[i], &g[i]) else {
                continue;
            };
            let Some(&r) = record_of.get(code) else {
                continue;
            };
            let anomalies = (0..an.height())
                .filter(|&j| aa[j].as_ref() == Some(code) && ag[j].as_ref() == Some(group))
                .filter_map(|j| {
                    Some(AnomalousMonth {
                        month: am[j]?,
                        observed: ao[j]? as i64,
                        expected: ae[j]?,
                        direction: ad[j].clone()?,
                        p_value: ap[j],
                    })
                })
                .collect();
            let gi = cube.groups.iter().position(|x| x == group);
            let ai = cube.areas.iter().position(|x| &x.code == code);
            let series = match (ai, gi) {
                (Some(ai), Some(gi)) => (first.index()..=last.index())
                    .filter_map(|k| {
                        let m = YearMonth::from_index(k);
                        Some((m, cube.at(ai, gi, cube.month_index(m)?)))
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let mut profile = profiles
                .remove(&(code.as_str(), group.as_str()))
                .unwrap_or_default();
            profile.sort_by_key(|p| calendar_month_number(&p.month));
            records[r].seasonality.push(SeasonalitySummary {
                series,
                profile,
                group: group.clone(),
                months: u32_of(n[i]),
                peak_month: peak[i].clone(),
                trough_month: trough[i].clone(),
                seasonal_strength: strength[i],
                kruskal_wallis_p: kw[i],
                qs_p: qs[i],
                anomalies,
                flags: fl[i].clone(),
            });
        }
    }

    // Hotspot rows.
    if let Some(h) = &hot {
        let rk = &h.ranking;
        let p = strings(rk, parent_col, "hotspots")?;
        let g = strings(rk, CRIME_GROUP, "hotspots")?;
        let w = strings(rk, "area_code", "hotspots")?;
        let wn = strings(rk, "area_name", "hotspots")?;
        let n = ints(rk, "count", "hotspots")?;
        let rank = ints(rk, "rank", "hotspots")?;
        let share = floats(rk, "share", "hotspots")?;
        let top = bools(rk, "in_top", "hotspots")?;
        let sm = &h.summary;
        let sp = strings(sm, parent_col, "hotspots")?;
        let sg = strings(sm, CRIME_GROUP, "hotspots")?;
        let areas_n = ints(sm, "areas", "hotspots")?;
        let total = floats(sm, "total", "hotspots")?;
        let ts = floats(sm, "top_share", "hotspots")?;
        let prev = floats(sm, "share_of_previous_top", "hotspots")?;
        let null = floats(sm, "poisson_null_share", "hotspots")?;
        let gini = floats(sm, "gini", "hotspots")?;
        let a50 = floats(sm, "areas_for_50", "hotspots")?;
        for i in 0..sm.height() {
            let (Some(code), Some(group)) = (&sp[i], &sg[i]) else {
                continue;
            };
            let Some(&r) = record_of.get(code) else {
                continue;
            };
            let mut tops: Vec<Hotspot> = (0..rk.height())
                .filter(|&j| {
                    top[j] == Some(true)
                        && p[j].as_ref() == Some(code)
                        && g[j].as_ref() == Some(group)
                })
                .map(|j| {
                    let count = n[j].unwrap_or(0);
                    let (lower, upper, _) = poisson_count_limits(count as f64, 0.95);
                    Hotspot {
                        rank: u32_of(rank[j]),
                        ward_code: w[j].clone().unwrap_or_default(),
                        ward_name: wn[j].clone().unwrap_or_default(),
                        count,
                        share: share[j].filter(|v| v.is_finite()),
                        lower_95: Some(lower).filter(|v| v.is_finite()),
                        upper_95: Some(upper).filter(|v| v.is_finite()),
                    }
                })
                .collect();
            tops.sort_by_key(|t| t.rank);
            let mut ward_counts: Vec<i64> = (0..rk.height())
                .filter(|&j| p[j].as_ref() == Some(code) && g[j].as_ref() == Some(group))
                .map(|j| n[j].unwrap_or(0))
                .collect();
            ward_counts.sort_unstable_by(|a, b| b.cmp(a));
            records[r].hotspots.push(HotspotSummary {
                period: hot_period.label(),
                group: group.clone(),
                wards: u32_of(areas_n[i]),
                total: total[i].unwrap_or(0.0) as i64,
                top: tops,
                top_share: ts[i],
                share_of_previous_top: prev[i],
                poisson_null_share: null[i],
                gini: gini[i],
                areas_for_50: a50[i].map(|v| v.ceil() as u32),
                ward_counts,
            });
        }
        for r in &mut records {
            r.hotspots
                .sort_by_key(|h| h.group != ALL_CRIME_EXCLUDING_ASB);
        }
    }

    // Notes on the period and the population.
    if !complete {
        let covered_months: Vec<YearMonth> = period
            .month_list()
            .filter(|m| cube.covered.contains(m))
            .collect();
        notes.insert(
            0,
            format!(
                "partial period: {} covers {} of 12 months ({} {} to {} {}); counts are for those \
                 months and rates are {}",
                period.label(),
                months_covered,
                covered_months[0].month_abbr(),
                covered_months[0].year,
                covered_months[covered_months.len() - 1].month_abbr(),
                covered_months[covered_months.len() - 1].year,
                if spec.annualise {
                    "annualised (scaled to 12 months)"
                } else {
                    "not annualised"
                }
            ),
        );
    }
    notes.push(format!(
        "population: {}; mid-year rule: {}",
        prepared.population_note,
        match rule {
            PopulationYear::Fixed(y) => format!("mid-{y} for every period (the only year given)"),
            PopulationYear::PeriodStart { .. } => format!(
                "the mid-year of the year each period starts in (mid-{y0} for {})",
                period.label()
            ),
        }
    ));
    notes.push(
        "domestic abuse is not identified in police.uk or published counts: it needs force \
         incident data"
            .to_string(),
    );
    notes.push(format!(
        "annual change: the two counts compared (exposure: months covered) at {}% confidence, \
         allowing for each series' month-to-month variation: its dispersion is estimated from \
         up to 60 months ending with the period ({DISPERSION_METHOD}) and floored at 1; above \
         1 the quasi-Poisson score test and its interval are used, at 1 the {} test; ranks: 95% \
         intervals from {} seeded Poisson simulations",
        trim(confidence * 100.0),
        change_spec.method.name(),
        spec.simulations
    ));

    Ok(Assessment {
        saferstats_version: env!("CARGO_PKG_VERSION").to_string(),
        spec: spec.clone(),
        level,
        period: PeriodSummary {
            label: period.label(),
            kind: period.kind,
            first_month: period.start,
            last_month: period.end(),
            months_expected: period.months,
            months_covered,
            complete,
            annualised: spec.annualise && !complete,
            previous: previous_in_data.then(|| previous.label()),
            trend_periods: years.iter().map(|p| p.label()).collect(),
            seasonality_months,
        },
        source: prepared.source.clone(),
        areas: records,
        notes,
        inputs: inputs.files().to_vec(),
    })
}

/// 1 for "January" to 12 for "December"; 13 for anything else (sorted last).
fn calendar_month_number(name: &str) -> u32 {
    (1..=12)
        .find(|&m| crate::stats::seasonal::month_name(m) == name)
        .unwrap_or(13)
}

fn trim(x: f64) -> String {
    let s = format!("{x:.1}");
    s.trim_end_matches(".0").to_string()
}

fn area_notes(area: &super::inputs::Area, level: Level, prepared: &Prepared) -> Vec<String> {
    let mut out = Vec::new();
    if level == Level::Csp && area.lads.len() > 1 {
        out.push(format!(
            "this CSP covers {} local authorities ({}): their populations are summed",
            area.lads.len(),
            area.lads
                .iter()
                .map(|(_, n)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if prepared.wards.is_some()
        && !prepared.wards.as_ref().is_some_and(|w| {
            w.wards
                .iter()
                .any(|x| prepared.cube.areas[x.2].code == area.code)
        })
    {
        out.push("no ward of this area is in the geography: no hotspots".into());
    }
    out
}

/// The peer comparison table: the reporting period's rates of the peer areas, with
/// `force_code` for force peers, or each assessed area's list of peers (`peer_of`).
fn peer_table(
    current: &DataFrame,
    cube: &Cube,
    assessed: &[usize],
    peer_set: &[usize],
    peers: &Peers,
) -> Result<DataFrame> {
    let codes =
        |ix: &[usize]| -> Vec<String> { ix.iter().map(|&i| cube.areas[i].code.clone()).collect() };
    let keep = |df: &DataFrame, wanted: Vec<String>| -> Result<DataFrame> {
        Ok(df
            .clone()
            .lazy()
            .filter(
                col("area_code").is_in(lit(Series::new("a".into(), wanted)).implode(false), false),
            )
            .collect()?)
    };
    match peers {
        Peers::All => keep(current, codes(assessed)),
        Peers::Force => {
            let mut t = keep(current, codes(peer_set))?;
            let force_of: HashMap<&str, &str> = cube
                .areas
                .iter()
                .map(|a| {
                    (
                        a.code.as_str(),
                        a.force.as_deref().unwrap_or(a.code.as_str()),
                    )
                })
                .collect();
            let f: Vec<String> = strings(&t, "area_code", "rates")?
                .into_iter()
                .map(|c| {
                    c.as_deref()
                        .and_then(|c| force_of.get(c))
                        .unwrap_or(&"")
                        .to_string()
                })
                .collect();
            t.with_column(Column::new("force_code".into(), f))?;
            Ok(t)
        }
        Peers::List(_) => {
            let mut parts = Vec::with_capacity(assessed.len());
            for &a in assessed {
                let mut set: BTreeSet<usize> = peer_set.iter().copied().collect();
                set.insert(a);
                let mut t = keep(current, codes(&set.into_iter().collect::<Vec<_>>()))?;
                let h = t.height();
                t.with_column(Column::new(
                    "peer_of".into(),
                    vec![cube.areas[a].code.clone(); h],
                ))?;
                parts.push(t.lazy());
            }
            Ok(concat(parts, UnionArgs::default())?.collect()?)
        }
    }
}

struct ChangeColumns {
    comparison: Vec<Option<String>>,
    previous: Vec<Option<i64>>,
    change: Vec<Option<i64>>,
    pct: Vec<Option<f64>>,
    ratio: Vec<Option<f64>>,
    lower: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    p: Vec<Option<f64>>,
    significant: Vec<Option<bool>>,
    verdict: Vec<Option<String>>,
    method: Vec<Option<String>>,
    confidence: Vec<Option<String>>,
    dispersion: Vec<Option<f64>>,
    flags: Vec<Option<String>>,
}

impl ChangeColumns {
    fn of(t: &DataFrame) -> Result<Self> {
        let w = "change";
        Ok(ChangeColumns {
            comparison: strings(t, "comparison_period", w)?,
            previous: ints(t, "count_previous", w)?,
            change: ints(t, "change", w)?,
            pct: floats(t, "pct_change", w)?,
            ratio: floats(t, "value", w)?,
            lower: floats(t, "lower", w)?,
            upper: floats(t, "upper", w)?,
            p: floats(t, "p_value", w)?,
            significant: bools(t, "significant", w)?,
            verdict: strings(t, "verdict", w)?,
            method: strings(t, "method", w)?,
            confidence: strings(t, "confidence", w)?,
            dispersion: floats(t, "dispersion", w)?,
            flags: strings(t, "flags", w)?,
        })
    }

    fn record(&self, i: usize) -> AnnualChange {
        AnnualChange {
            comparison_period: self.comparison[i].clone().unwrap_or_default(),
            count_previous: self.previous[i].unwrap_or(0),
            change: self.change[i].unwrap_or(0),
            pct_change: self.pct[i],
            rate_ratio: self.ratio[i],
            lower: self.lower[i],
            upper: self.upper[i],
            p_value: self.p[i].unwrap_or(f64::NAN),
            significant: self.significant[i],
            verdict: self.verdict[i]
                .clone()
                .unwrap_or_else(|| "no verdict".to_string()),
            method: self.method[i].clone().unwrap_or_default(),
            confidence: self.confidence[i].clone().unwrap_or_default(),
            dispersion: self.dispersion[i].unwrap_or(1.0),
            flags: self.flags[i].clone(),
        }
    }
}

struct TrendColumns {
    marker: Vec<Option<String>>,
    reason: Vec<Option<String>>,
    apc: Vec<Option<f64>>,
    lower: Vec<Option<f64>>,
    upper: Vec<Option<f64>>,
    p: Vec<Option<f64>>,
    flags: Vec<Option<String>>,
}

impl TrendColumns {
    fn of(t: &DataFrame) -> Result<Self> {
        let w = "trends";
        Ok(TrendColumns {
            marker: strings(t, "trend", w)?,
            reason: strings(t, "trend_reason", w)?,
            apc: floats(t, "annual_pct_change", w)?,
            lower: floats(t, "lower", w)?,
            upper: floats(t, "upper", w)?,
            p: floats(t, "p_value", w)?,
            flags: strings(t, "flags", w)?,
        })
    }

    fn record(&self, i: usize, points: Vec<TrendPoint>) -> GeneralTrend {
        GeneralTrend {
            points,
            marker: self.marker[i].clone().unwrap_or_default(),
            reason: self.reason[i].clone(),
            annual_pct_change: self.apc[i],
            lower: self.lower[i],
            upper: self.upper[i],
            p_value: self.p[i],
            flags: self.flags[i].clone(),
        }
    }
}
