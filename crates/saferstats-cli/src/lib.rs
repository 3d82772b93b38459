//! `saferstats assess`: the strategic-assessment tables of every area, from a config file or
//! flags, written as Markdown, CSV and JSON with a manifest.
//!
//! The one command-line parser of the project: the `saferstats` binary of this crate and the
//! Python package's `saferstats` console script (through `saferstats._saferstats._cli_main`)
//! both call [`run`].
//!
//! Exit codes: 0 done (and `--help`, `--version`); 1 bad input (one message naming the key,
//! file or area); 2 usage. Errors go to stderr, the summary of what was written to stdout.

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Deserialize;

use saferstats::assessment::{
    AssessmentSpec, Format, GroupKind, InputPaths, InputSource, Inputs, Peers, ReportingPeriod,
    STAGES, assessment_with_progress,
};
use saferstats::geo::geography::Level;

const CONFIG_HELP: &str = "\
CONFIGURATION (--config FILE, TOML; every key optional, flags override it, unknown keys are
errors; relative paths are relative to the config file):

  [inputs]                   either police_uk + lookup (+ lad_lookup), or counts
  police_uk = [\"DIR\", ...]   data.police.uk street-level files, folders or globs   (--police-uk)
  lookup = \"FILE\"            ONS LSOA -> ward -> local authority lookup             (--lookup)
  lad_lookup = \"FILE\"        ONS local authority -> CSP -> police force lookup      (--lad-lookup)
  counts = \"FILE\"            wide monthly counts table, e.g. the MPS borough file  (--counts)
  counts_area_column = \"C\"   its area column (default boroughname or area_code)
  counts_category_column = \"C\" its category column (default majortext or crime_type)
  ward_counts = \"FILE\"       wide monthly counts by ward for the hotspots, e.g. the MPS
                             ward file (its own latest 12 months when it does not cover the
                             reporting period)                                   (--ward-counts)
  population = \"FILE\"        ONS mid-year estimates by local authority (MYE4)      (--population)

  [assessment]
  level = \"csp\"              csp (default), lad, force or ward                      (--level)
  areas = [\"E22000143\"]      area codes; default every area the data cover        (--areas)
  period = \"latest\"          latest | \"2022/23\" | \"2014\" | \"year ending Mar 2023\"  (--period)
  crime_types = [\"...\"]      crime types reported; default all in the data        (--crime-types)
  peers = \"all\"              all (areas assessed) | force | [\"code\", ...]         (--peers)
  confidence = 0.95          change, trend and share intervals (rates: 95% and 99.8%)
  annualise = false          scale a partial period's rates to a year             (--annualise)
  trend_years = 5            years of the general trend (3 to 10)
  top = 5                    wards listed as hotspots                             (--top)
  simulations = 1000         simulations of the rank intervals
  seed = 2015                seed of the rank simulation

  [output]
  out = \"DIR\"                output folder                                        (--out)
  format = [\"md\", \"csv\", \"json\", \"html\", \"xlsx\"]  formats written (all five by default;
                             html: a self-contained page per area with its charts, and an
                             index; xlsx: one workbook, a sheet per table)       (--format)

An area is 'in the data' when at least half its LSOAs have rows (police.uk), or when it is
named in the counts table. Exit codes: 0 done, 1 bad input (the message names the key, file
or area), 2 usage.

EXAMPLE
  saferstats assess --example medway-2014 --out medway
  saferstats assess --example all --out saferstats-output    (medway-2014/ and london-mps/)
  saferstats assess --police-uk kent-2014/ --lookup LSOA11_WD19_LAD19.csv.gz \\
      --lad-lookup LAD19_CSP19_PFA19.csv --population MYE4.csv --period 2014 --out kent
  saferstats assess --counts MPS_Borough_Level_Crime_Historical.csv.gz \\
      --lad-lookup LAD19_CSP19_PFA19.csv --population MYE4.csv --period 2022/23 --out london
  saferstats assess --reproduce london/manifest.json     (re-run it: does every number match?)";

#[derive(Parser)]
#[command(
    name = "saferstats",
    version,
    about = "Crime statistics for CSP strategic assessments"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the strategic-assessment tables of every area: level of crime with rates and
    /// limits, peer comparison, annual change with its test, general trend, seasonality,
    /// crime-type breakdown, hotspots and data-quality notes.
    #[command(after_help = CONFIG_HELP)]
    Assess(AssessArgs),
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Example {
    /// The bundled Medway data, January to November 2014 (11 months: no annual change).
    #[value(name = "medway-2014")]
    Medway2014,
    /// The bundled MPS borough counts (April 2010 to September 2023): the 32 London borough
    /// CSPs, by default in the latest complete financial year (2022/23).
    #[value(name = "london-mps")]
    LondonMps,
    /// Both bundled examples, each in a folder of its own under --out (medway-2014/,
    /// london-mps/).
    #[value(name = "all")]
    All,
}

impl Example {
    fn name(self) -> &'static str {
        match self {
            Example::Medway2014 => "medway-2014",
            Example::LondonMps => "london-mps",
            Example::All => "all",
        }
    }

    fn inputs(self) -> saferstats::Result<Inputs> {
        match self {
            Example::Medway2014 => Inputs::medway_2014(),
            Example::LondonMps => Inputs::london_mps(),
            Example::All => unreachable!("`all` runs each example in turn"),
        }
    }
}

#[derive(clap::Args)]
struct AssessArgs {
    /// TOML configuration file (keys below).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Use a bundled example instead of input files.
    #[arg(long, value_enum)]
    example: Option<Example>,
    /// data.police.uk street-level files, folders or globs.
    #[arg(long = "police-uk", value_name = "PATH", num_args = 1..)]
    police_uk: Vec<PathBuf>,
    /// Wide monthly counts table (area x category x month), e.g. the MPS borough file.
    #[arg(long, value_name = "FILE")]
    counts: Option<PathBuf>,
    /// Area column of the counts table.
    #[arg(long, value_name = "COLUMN")]
    counts_area_column: Option<String>,
    /// Category column of the counts table.
    #[arg(long, value_name = "COLUMN")]
    counts_category_column: Option<String>,
    /// Wide monthly counts by ward for the hotspots of a counts table (e.g. the MPS ward file).
    #[arg(long, value_name = "FILE")]
    ward_counts: Option<PathBuf>,
    /// ONS LSOA to ward to local authority lookup.
    #[arg(long, value_name = "FILE")]
    lookup: Option<PathBuf>,
    /// ONS local authority to CSP to police force lookup.
    #[arg(long, value_name = "FILE")]
    lad_lookup: Option<PathBuf>,
    /// ONS mid-year population estimates by local authority (e.g. MYE4).
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    /// Level of the areas: csp, lad, force or ward.
    #[arg(long)]
    level: Option<String>,
    /// Area codes, comma-separated (default: every area the data cover).
    #[arg(long, value_delimiter = ',')]
    areas: Vec<String>,
    /// Reporting period: latest, 2022/23, 2014 or "year ending Mar 2023".
    #[arg(long)]
    period: Option<String>,
    /// Peers: all, force, or comma-separated area codes.
    #[arg(long)]
    peers: Option<String>,
    /// Crime types to report, comma-separated (default: all in the data).
    #[arg(long, value_delimiter = ',')]
    crime_types: Vec<String>,
    /// Confidence level of the change, trend and share intervals.
    #[arg(long)]
    confidence: Option<f64>,
    /// Scale a partial period's rates to a full year.
    #[arg(long)]
    annualise: bool,
    /// Wards listed as hotspots.
    #[arg(long)]
    top: Option<usize>,
    /// Output folder.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Formats, comma-separated: md, csv, json, html, xlsx (default: all five).
    #[arg(long, value_name = "LIST")]
    format: Option<String>,
    /// Print nothing but errors.
    #[arg(long, short)]
    quiet: bool,
    /// Re-run the assessment recorded in this manifest.json (into --out, or a temporary
    /// folder) and report whether every output file matches; names any input that changed.
    /// Exit code 0 when everything matches, 1 when not.
    #[arg(long, value_name = "MANIFEST", conflicts_with_all = ["config", "example", "police_uk", "counts"])]
    reproduce: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    inputs: InputPaths,
    assessment: AssessmentSpec,
    output: OutputConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct OutputConfig {
    out: Option<PathBuf>,
    format: Option<FormatList>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FormatList {
    One(String),
    Many(Vec<String>),
}

/// A bad input: exit code 1 with one message.
struct Bad(String);

impl From<saferstats::Error> for Bad {
    fn from(e: saferstats::Error) -> Self {
        Bad(e.to_string())
    }
}

fn relative_to(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

fn load_config(path: &Path) -> Result<Config, Bad> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Bad(format!("cannot read config {}: {e}", path.display())))?;
    let mut c: Config = toml::from_str(&text).map_err(|e| {
        Bad(format!(
            "config {}: {}",
            path.display(),
            e.to_string().trim()
        ))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    let i = &mut c.inputs;
    i.police_uk = i.police_uk.iter().map(|p| relative_to(base, p)).collect();
    for p in [
        &mut i.counts,
        &mut i.lookup,
        &mut i.lad_lookup,
        &mut i.population,
        &mut i.ward_counts,
    ] {
        if let Some(x) = p.as_mut() {
            *x = relative_to(base, x);
        }
    }
    if let Some(o) = c.output.out.as_mut() {
        *o = relative_to(base, o);
    }
    Ok(c)
}

fn apply_flags(c: &mut Config, a: &AssessArgs) -> Result<(), Bad> {
    let i = &mut c.inputs;
    if !a.police_uk.is_empty() {
        i.police_uk = a.police_uk.clone();
        i.counts = None;
    }
    if a.counts.is_some() {
        i.counts = a.counts.clone();
        i.police_uk.clear();
    }
    macro_rules! set {
        ($field:ident) => {
            if a.$field.is_some() {
                i.$field = a.$field.clone();
            }
        };
    }
    set!(counts_area_column);
    set!(counts_category_column);
    set!(ward_counts);
    set!(lookup);
    set!(lad_lookup);
    set!(population);
    let s = &mut c.assessment;
    if let Some(l) = &a.level {
        s.level = l.parse::<Level>()?;
    }
    if !a.areas.is_empty() {
        s.areas = a.areas.iter().map(|x| x.trim().to_string()).collect();
    }
    if let Some(p) = &a.period {
        s.period = p.parse::<ReportingPeriod>()?;
    }
    if let Some(p) = &a.peers {
        let words = ["all", "force", "pfa", "police_force", "same_force"];
        s.peers = if words.contains(&p.trim().to_ascii_lowercase().as_str()) {
            serde_json::from_value(serde_json::Value::String(p.clone()))
                .map_err(|e| Bad(e.to_string()))?
        } else {
            Peers::List(p.split(',').map(|x| x.trim().to_string()).collect())
        };
    }
    if !a.crime_types.is_empty() {
        s.crime_types = Some(a.crime_types.clone());
    }
    if let Some(v) = a.confidence {
        s.confidence = v;
    }
    if a.annualise {
        s.annualise = true;
    }
    if let Some(t) = a.top {
        s.top = t;
    }
    if a.out.is_some() {
        c.output.out = a.out.clone();
    }
    if let Some(f) = &a.format {
        c.output.format = Some(FormatList::One(f.clone()));
    }
    Ok(())
}

/// `--reproduce`: re-run a manifest and report; a mismatch is exit code 1.
fn reproduce(a: &AssessArgs, manifest: &Path) -> Result<(), Bad> {
    let out = match &a.out {
        Some(o) => o.clone(),
        None => std::env::temp_dir().join(format!("saferstats-reproduce-{}", std::process::id())),
    };
    let r = saferstats::assessment::reproduce(manifest, &out)?;
    if r.matches() {
        if !a.quiet {
            println!("{r}");
        }
        Ok(())
    } else {
        Err(Bad(r.to_string()))
    }
}

fn assess(a: &AssessArgs) -> Result<(), Bad> {
    if let Some(m) = &a.reproduce {
        return reproduce(a, m);
    }
    let mut config = match &a.config {
        Some(p) => load_config(p)?,
        None => Config::default(),
    };
    apply_flags(&mut config, a)?;
    let formats = match &config.output.format {
        None => vec![
            Format::Markdown,
            Format::Csv,
            Format::Json,
            Format::Html,
            Format::Xlsx,
        ],
        Some(FormatList::One(s)) => Format::parse_list(s)?,
        Some(FormatList::Many(v)) => Format::parse_list(&v.join(","))?,
    };
    let out = config.output.out.clone().ok_or_else(|| {
        Bad("invalid parameter 'out': missing: give --out DIR (or [output] out)".into())
    })?;
    config.assessment.check()?;
    match a.example {
        Some(Example::All) => {
            for example in [Example::Medway2014, Example::LondonMps] {
                assess_one(
                    a,
                    &config,
                    &formats,
                    Some(example),
                    &out.join(example.name()),
                )?;
            }
            Ok(())
        }
        example => assess_one(a, &config, &formats, example, &out),
    }
}

/// One assessment: read the inputs (or a bundled example), compute, write and summarise.
fn assess_one(
    a: &AssessArgs,
    config: &Config,
    formats: &[Format],
    example: Option<Example>,
    out: &Path,
) -> Result<(), Bad> {
    let started = Instant::now();
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(STAGES.len() as u64 + 2);
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}")
                .expect("a valid template"),
        );
        Some(b)
    } else {
        None
    };
    let step = |msg: &str| {
        if let Some(b) = &bar {
            b.set_message(msg.to_string());
            b.inc(1);
        }
    };
    step("reading inputs");
    let inputs = match example {
        Some(e) => e.inputs()?,
        None => config.inputs.load()?,
    };
    let read = started.elapsed();
    let mut progress = |s: &str| step(s);
    let result = assessment_with_progress(&inputs, &config.assessment, &mut progress)?;
    step("writing");
    let source = match example {
        Some(e) => InputSource::Example(e.name().to_string()),
        None => InputSource::Paths(config.inputs.clone()),
    };
    let written = result.write_reproducible(out, formats, &source)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if a.quiet {
        return Ok(());
    }
    // A closed pipe (`| head`) ends the listing quietly: the files are already written.
    let mut stdout = std::io::stdout().lock();
    if let Some(e) = example {
        let _ = write!(stdout, "{}: ", e.name());
    }
    let _ = writeln!(
        stdout,
        "{} {} areas, {} ({} of {} months{})",
        result.areas.len(),
        result.level,
        result.period.label,
        result.period.months_covered,
        result.period.months_expected,
        if result.period.complete {
            ""
        } else {
            ", partial"
        }
    );
    for area in &result.areas {
        let Some(t) = area.groups.iter().find(|g| g.kind == GroupKind::Total) else {
            continue;
        };
        let rank = t
            .peers
            .as_ref()
            .map(|p| {
                let side = match p.vs_benchmark_95.as_str() {
                    "Higher" => "higher than",
                    "Lower" => "lower than",
                    _ => "similar to",
                };
                format!(
                    "rate {} of {}, {side} the peer average",
                    p.rank_rate, p.peers
                )
            })
            .unwrap_or_default();
        let change = t
            .change
            .as_ref()
            .map(|c| c.verdict.clone())
            .unwrap_or_else(|| "no annual change".into());
        let _ = writeln!(
            stdout,
            "  {} {}: {} crimes excl. ASB, {:.1} per 1,000; {rank}; {change}",
            area.area_code,
            area.area_name,
            t.level.count,
            t.level.rate.unwrap_or(f64::NAN),
        );
    }
    for n in &result.notes {
        let _ = writeln!(stdout, "  note: {n}");
    }
    let _ = writeln!(
        stdout,
        "wrote {} files to {} in {:.2} s (reading {:.2} s); start with {}",
        written.len(),
        out.display(),
        started.elapsed().as_secs_f64(),
        read.as_secs_f64(),
        written
            .iter()
            .find(|p| p.file_name().is_some_and(|n| n == "index.html"))
            .or_else(|| written
                .iter()
                .find(|p| p.file_name().is_some_and(|n| n == "index.md")))
            .unwrap_or(&out.join("manifest.json"))
            .display()
    );
    let _ = stdout.flush();
    Ok(())
}

/// Run the command line on `args` (the program name first, as [`std::env::args_os`] gives
/// them) and return the exit code: 0 done (also `--help` and `--version`), 1 bad input, 2
/// usage. Never exits the process: clap's errors are printed (usage errors to stderr, help
/// and version to stdout) and turned into their exit code, so a host such as the Python
/// interpreter keeps running and flushes its own streams.
///
/// # Examples
///
/// ```
/// assert_eq!(saferstats_cli::run(["saferstats", "--version"]), 0);
/// assert_eq!(saferstats_cli::run(["saferstats", "assess", "--no-such-flag"]), 2);
/// assert_eq!(saferstats_cli::run(["saferstats", "assess", "--example", "medway-2014"]), 1); // no --out
/// ```
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let code = match Cli::try_parse_from(args) {
        Ok(cli) => match cli.command {
            Command::Assess(a) => match assess(&a) {
                Ok(()) => 0,
                Err(Bad(msg)) => {
                    eprintln!("error: {msg}");
                    1
                }
            },
        },
        Err(e) => {
            let _ = e.print();
            e.exit_code()
        }
    };
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    code
}
