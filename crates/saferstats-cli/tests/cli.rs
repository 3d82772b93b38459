//! `saferstats assess` as a user runs it: help, exit codes, a config file, the bundled example.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn saferstats(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_saferstats"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn shared() -> PathBuf {
    std::env::var_os("SAFERSTATS_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
}

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("saferstats-cli-{name}-{}", std::process::id()));
    std::fs::remove_dir_all(&d).ok();
    d
}

#[test]
fn help_documents_every_key() {
    let o = saferstats(&["assess", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let (out, _) = text(&o);
    for key in [
        "police_uk",
        "lookup",
        "lad_lookup",
        "counts",
        "counts_area_column",
        "counts_category_column",
        "population",
        "level",
        "areas",
        "period",
        "crime_types",
        "peers",
        "confidence",
        "annualise",
        "trend_years",
        "top",
        "simulations",
        "seed",
        "out",
        "format",
        "--config",
        "--example",
        "Exit codes",
    ] {
        assert!(out.contains(key), "--help does not mention {key}");
    }
}

#[test]
fn usage_errors_exit_2_and_bad_input_exits_1_naming_it() {
    assert_eq!(
        saferstats(&["assess", "--no-such-flag"]).status.code(),
        Some(2)
    );
    assert_eq!(
        saferstats(&["assess", "--example", "london"]).status.code(),
        Some(2)
    );
    assert_eq!(saferstats(&[]).status.code(), Some(2));
    let out = temp("bad");
    let o = saferstats(&[
        "assess",
        "--example",
        "medway-2014",
        "--areas",
        "E22999999",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let (_, err) = text(&o);
    assert!(
        err.contains("'areas'") && err.contains("E22999999"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    let o = saferstats(&[
        "assess",
        "--counts",
        "/nowhere/mps.csv",
        "--population",
        "/nowhere/pop.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("/nowhere/"), "{}", text(&o).1);
    let o = saferstats(&[
        "assess",
        "--counts",
        "x.csv",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("'population'"), "{}", text(&o).1);
    let o = saferstats(&[
        "assess",
        "--example",
        "medway-2014",
        "--period",
        "2030/31",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("2030/31"), "{}", text(&o).1);
}

#[test]
fn the_bundled_example_writes_every_format() {
    let out = temp("medway");
    let o = saferstats(&[
        "assess",
        "--example",
        "medway-2014",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("E22000143 Medway"), "{stdout}");
    assert!(stdout.contains("no annual change"), "{stdout}");
    for f in [
        "index.md",
        "E22000143-medway.md",
        "assessment.csv",
        "assessment.json",
        "index.html",
        "E22000143-medway.html",
        "assessment.xlsx",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} not written");
    }
    let page = std::fs::read_to_string(out.join("E22000143-medway.html")).unwrap();
    assert!(page.contains("id=\"all-recorded-crime\"") && page.contains("<svg"));
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("bundled:medway-2014/2014-01-kent-street.csv.gz"));
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn a_config_file_gives_the_same_keys_and_refuses_unknown_ones() {
    let dir = temp("config");
    std::fs::create_dir_all(&dir).unwrap();
    let s = shared();
    let config = dir.join("assessment.toml");
    std::fs::write(
        &config,
        format!(
            "[inputs]\ncounts = \"{}\"\nlad_lookup = \"{}\"\npopulation = \"{}\"\n\n\
             [assessment]\nperiod = \"2022/23\"\nareas = [\"E22000192\", \"E22000191\"]\n\n\
             [output]\nout = \"out\"\nformat = [\"md\", \"csv\"]\n",
            s.join("mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz")
                .display(),
            s.join("lookups/ons_LAD19_CSP19_PFA19_EW.csv").display(),
            s.join("population/ons_MYE4_LAD23_population_mid2011_to_mid2023.csv")
                .display(),
        ),
    )
    .unwrap();
    let o = saferstats(&["assess", "--config", config.to_str().unwrap()]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.starts_with("2 csp areas, 2022/23"), "{stdout}");
    assert!(dir.join("out/E22000192-westminster.md").is_file());
    assert!(dir.join("out/assessment.csv").is_file());
    assert!(!dir.join("out/assessment.json").exists());
    std::fs::write(&config, "[assessment]\nperod = \"2022/23\"\n").unwrap();
    let o = saferstats(&["assess", "--config", config.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).1.contains("perod"), "{}", text(&o).1);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_bundled_london_example_assesses_every_borough_csp() {
    let out = temp("london");
    let o = saferstats(&[
        "assess",
        "--example",
        "london-mps",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stdout.starts_with("london-mps: 32 csp areas, 2022/23 (12 of 12 months)"),
        "{stdout}"
    );
    assert!(stdout.contains("E22000192 Westminster"), "{stdout}");
    assert!(
        stdout.contains(&format!("to {}", out.display())),
        "{stdout}"
    );
    for f in [
        "index.md",
        "E22000192-westminster.md",
        "E22000217-wandsworth.md",
        "assessment.csv",
        "assessment.json",
        "index.html",
        "E22000192-westminster.html",
        "assessment.xlsx",
        "manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f} not written");
    }
    let page = std::fs::read_to_string(out.join("E22000192-westminster.html")).unwrap();
    for id in [
        "all-recorded-crime",
        "chart-trend-total",
        "chart-funnel-total",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    let borough_pages = std::fs::read_dir(&out)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with("E22") && name.ends_with(".md")
        })
        .count();
    assert_eq!(borough_pages, 32);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(
        manifest
            .contains("bundled:london-mps/MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz")
    );
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn example_all_writes_each_example_in_its_own_folder() {
    let out = temp("all");
    let o = saferstats(&[
        "assess",
        "--example",
        "all",
        "--format",
        "md",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(out.join("medway-2014/E22000143-medway.md").is_file());
    assert!(out.join("london-mps/E22000191-camden.md").is_file());
    assert!(!out.join("london-mps/assessment.csv").exists());
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn help_and_version_exit_0_on_stdout_and_usage_errors_go_to_stderr() {
    let o = saferstats(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.starts_with("saferstats "), "{}", text(&o).0);
    let o = saferstats(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(text(&o).0.contains("assess"));
    let o = saferstats(&["assess", "--example", "nowhere"]);
    assert_eq!(o.status.code(), Some(2));
    let (stdout, stderr) = text(&o);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("london-mps") && stderr.contains("medway-2014"),
        "{stderr}"
    );
}

#[test]
fn run_returns_the_exit_code_without_exiting() {
    assert_eq!(saferstats_cli::run(["saferstats", "--version"]), 0);
    assert_eq!(saferstats_cli::run(["saferstats"]), 2);
    assert_eq!(
        saferstats_cli::run(["saferstats", "assess", "--example", "london-mps"]),
        1
    );
}

/// `--reproduce manifest.json` re-runs a recorded assessment: identical outputs from unchanged
/// inputs exit 0; after one input file changes, the re-run names it and exits 1.
#[test]
fn reproduce_re_runs_a_manifest_and_names_a_changed_input() {
    let dir = temp("reproduce");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../saferstats/data/london-mps");
    std::fs::create_dir_all(dir.join("in")).unwrap();
    for f in [
        "MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz",
        "lookup_lad19_csp19_pfa19_london.csv",
        "population_lad_mid2011_to_mid2023_london.csv",
    ] {
        std::fs::copy(data.join(f), dir.join("in").join(f)).unwrap();
    }
    let input = |f: &str| dir.join("in").join(f).display().to_string();
    let (counts, lookup, pop) = (
        input("MPS_Borough_Level_Crime_Historical_201004-202309.csv.gz"),
        input("lookup_lad19_csp19_pfa19_london.csv"),
        input("population_lad_mid2011_to_mid2023_london.csv"),
    );
    let first = dir.join("first").display().to_string();
    let o = saferstats(&[
        "assess",
        "--counts",
        &counts,
        "--lad-lookup",
        &lookup,
        "--population",
        &pop,
        "--period",
        "2022/23",
        "--format",
        "csv,json",
        "--out",
        &first,
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{:?}", text(&o));
    let manifest = dir.join("first/manifest.json").display().to_string();
    let again = dir.join("again").display().to_string();
    let o = saferstats(&["assess", "--reproduce", &manifest, "--out", &again]);
    let (stdout, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.starts_with("reproduced: all "), "{stdout}");

    // One population changed by one resident: the input is named and the outputs differ.
    let text_pop = std::fs::read_to_string(&pop).unwrap();
    let mut lines: Vec<String> = text_pop.lines().map(str::to_string).collect();
    // Waltham Forest's mid-2022 estimate (the population of 2022/23's rate).
    let last = lines.last_mut().unwrap();
    let mut fields: Vec<String> = last.split(',').map(str::to_string).collect();
    fields[4] = (fields[4].parse::<u64>().unwrap() + 1).to_string();
    *last = fields.join(",");
    std::fs::write(&pop, lines.join("\n") + "\n").unwrap();
    let third = dir.join("third").display().to_string();
    let o = saferstats(&["assess", "--reproduce", &manifest, "--out", &third]);
    let (_, stderr) = text(&o);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("NOT reproduced"), "{stderr}");
    assert!(stderr.contains("output differs"), "{stderr}");
    assert!(
        stderr.contains("population_lad_mid2011_to_mid2023_london.csv (population): changed"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
