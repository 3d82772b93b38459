//! Re-running an assessment from its manifest, and saying whether every number matches.
//!
//! Analysts rarely reproduce last year's numbers. Every run written with
//! [`Assessment::write_reproducible`] records in `manifest.json` where its inputs came from
//! ([`InputSource`]), each input file's size and SHA-256, the full spec and the SHA-256 of every
//! file written. [`reproduce`] reads the inputs again, names every input whose bytes changed (or
//! that is gone, or new), re-runs the assessment with the recorded spec, writes it to a fresh
//! folder and compares every output file with the recorded one. Output files hold every number
//! of the assessment (the CSV and JSON tables in full), so identical files mean identical
//! numbers.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::inputs::{InputFile, InputPaths, Inputs};
use super::model::Assessment;
use super::render::{Format, Manifest};
use crate::error::{Error, Result};

/// Where an assessment's inputs came from, as recorded in its manifest.
///
/// Serialised as `{"paths": {...}}` (the [`InputPaths`], made absolute) or
/// `{"example": "medway-2014"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InputSource {
    /// Files on disk.
    Paths(InputPaths),
    /// A bundled example: `medway-2014` or `london-mps`.
    Example(String),
}

impl InputSource {
    /// Load the inputs again.
    ///
    /// # Errors
    /// As [`InputPaths::load`]; [`Error::InvalidParameter`] (`example`) for an unknown example
    /// (or one left out of a build without the `datasets` feature).
    pub fn load(&self) -> Result<Inputs> {
        match self {
            InputSource::Paths(p) => p.load(),
            #[cfg(feature = "datasets")]
            InputSource::Example(name) if name == "medway-2014" => Inputs::medway_2014(),
            #[cfg(feature = "datasets")]
            InputSource::Example(name) if name == "london-mps" => Inputs::london_mps(),
            InputSource::Example(name) => Err(Error::param(
                "example",
                format!("unknown bundled example '{name}' (medway-2014 or london-mps)"),
            )),
        }
    }
}

/// One input whose bytes differ between the manifest and now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputChange {
    /// The input's role (`police_uk`, `counts`, `lookup`, `lad_lookup`, `population`).
    pub role: String,
    /// The path as recorded.
    pub path: String,
    /// `changed` (different bytes), `gone` (recorded, not read now) or `new` (read now, not
    /// recorded).
    pub status: String,
    /// SHA-256 recorded, when recorded.
    pub recorded_sha256: Option<String>,
    /// SHA-256 now, when read now.
    pub sha256: Option<String>,
}

/// What [`reproduce`] found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reproduction {
    /// The folder the re-run was written to.
    pub out: String,
    /// The saferstats version that wrote the manifest.
    pub recorded_version: String,
    /// This saferstats version.
    pub version: String,
    /// Inputs whose bytes changed, that are gone or that are new.
    pub inputs_changed: Vec<InputChange>,
    /// Output files compared.
    pub outputs_compared: usize,
    /// Output files with the same bytes.
    pub outputs_identical: usize,
    /// Output files recorded whose bytes differ now.
    pub outputs_differing: Vec<String>,
    /// Output files recorded and not written now, or written now and not recorded.
    pub outputs_unmatched: Vec<String>,
}

impl Reproduction {
    /// Whether every recorded output was reproduced byte for byte from unchanged inputs.
    pub fn matches(&self) -> bool {
        self.inputs_changed.is_empty()
            && self.outputs_differing.is_empty()
            && self.outputs_unmatched.is_empty()
            && self.outputs_identical == self.outputs_compared
    }
}

impl fmt::Display for Reproduction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.matches() {
            write!(
                f,
                "reproduced: all {} output files identical, from unchanged inputs (re-run in {})",
                self.outputs_compared, self.out
            )?;
        } else {
            write!(
                f,
                "NOT reproduced: {} of {} output files identical (re-run in {})",
                self.outputs_identical, self.outputs_compared, self.out
            )?;
            for c in &self.inputs_changed {
                write!(f, "\n  input {} ({}): {}", c.path, c.role, c.status)?;
            }
            for p in &self.outputs_differing {
                write!(f, "\n  output differs: {p}")?;
            }
            for p in &self.outputs_unmatched {
                write!(f, "\n  output not in both runs: {p}")?;
            }
        }
        if self.recorded_version != self.version {
            write!(
                f,
                "\n  note: recorded with saferstats {}, re-run with {}",
                self.recorded_version, self.version
            )?;
        }
        Ok(())
    }
}

/// Compare the input files recorded in a manifest with those read now, by role and path.
fn input_changes(recorded: &[InputFile], now: &[InputFile]) -> Vec<InputChange> {
    let key = |f: &InputFile| (f.role.clone(), f.path.clone());
    let then: BTreeMap<_, _> = recorded.iter().map(|f| (key(f), f)).collect();
    let current: BTreeMap<_, _> = now.iter().map(|f| (key(f), f)).collect();
    let mut out = Vec::new();
    for (k, f) in &then {
        match current.get(k) {
            Some(g) if g.sha256 == f.sha256 => {}
            Some(g) => out.push(InputChange {
                role: f.role.clone(),
                path: f.path.clone(),
                status: "changed".into(),
                recorded_sha256: Some(f.sha256.clone()),
                sha256: Some(g.sha256.clone()),
            }),
            None => out.push(InputChange {
                role: f.role.clone(),
                path: f.path.clone(),
                status: "gone".into(),
                recorded_sha256: Some(f.sha256.clone()),
                sha256: None,
            }),
        }
    }
    for (k, g) in &current {
        if !then.contains_key(k) {
            out.push(InputChange {
                role: g.role.clone(),
                path: g.path.clone(),
                status: "new".into(),
                recorded_sha256: None,
                sha256: Some(g.sha256.clone()),
            });
        }
    }
    out
}

/// Re-run the assessment recorded in `manifest` into `out` and compare (see the module docs).
///
/// # Errors
///
/// [`Error::Io`] when the manifest cannot be read or an input file is missing (naming it);
/// [`Error::InvalidParameter`] (`manifest`) when it is not a manifest or records no input
/// source; any error of the assessment itself.
///
/// # Examples
///
/// ```
/// use saferstats::assessment::{assessment, reproduce, AssessmentSpec, Format, InputSource};
/// let dir = std::env::temp_dir().join(format!("saferstats-doc-reproduce-{}", std::process::id()));
/// let source = InputSource::Example("medway-2014".into());
/// let a = assessment(&source.load()?, &AssessmentSpec::default())?;
/// a.write_reproducible(&dir.join("first"), &[Format::Csv, Format::Json], &source)?;
/// let r = reproduce(&dir.join("first/manifest.json"), &dir.join("again"))?;
/// assert!(r.matches(), "{r}");
/// assert!(r.outputs_compared > 5);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), saferstats::Error>(())
/// ```
pub fn reproduce(manifest: &Path, out: &Path) -> Result<Reproduction> {
    let text = std::fs::read_to_string(manifest).map_err(|source| Error::Io {
        path: manifest.to_path_buf(),
        source,
    })?;
    let recorded: Manifest = serde_json::from_str(&text).map_err(|e| {
        Error::param(
            "manifest",
            format!("{} is not a saferstats manifest: {e}", manifest.display()),
        )
    })?;
    let source = recorded.source.as_ref().ok_or_else(|| {
        Error::param(
            "manifest",
            format!(
                "{} does not record where its inputs came from (write it with \
                 `saferstats assess` or Assessment::write_reproducible)",
                manifest.display()
            ),
        )
    })?;
    let inputs = source.load()?;
    let inputs_changed = input_changes(&recorded.inputs, inputs.files());
    let formats = formats_of(&recorded);
    let again = super::compute::assessment(&inputs, &recorded.spec)?;
    again.write_reproducible(out, &formats, source)?;
    let now_text =
        std::fs::read_to_string(out.join("manifest.json")).map_err(|source| Error::Io {
            path: out.join("manifest.json"),
            source,
        })?;
    let now: Manifest = serde_json::from_str(&now_text)
        .map_err(|e| Error::param("manifest", format!("re-run manifest unreadable: {e}")))?;
    let then_out: BTreeMap<&str, &str> = recorded
        .outputs
        .iter()
        .map(|o| (o.path.as_str(), o.sha256.as_str()))
        .collect();
    let now_out: BTreeMap<&str, &str> = now
        .outputs
        .iter()
        .map(|o| (o.path.as_str(), o.sha256.as_str()))
        .collect();
    let mut identical = 0;
    let mut differing = Vec::new();
    let mut unmatched = Vec::new();
    for (path, sha) in &then_out {
        match now_out.get(path) {
            Some(s) if s == sha => identical += 1,
            Some(_) => differing.push(path.to_string()),
            None => unmatched.push(path.to_string()),
        }
    }
    unmatched.extend(
        now_out
            .keys()
            .filter(|p| !then_out.contains_key(*p))
            .map(|p| p.to_string()),
    );
    Ok(Reproduction {
        out: out.display().to_string(),
        recorded_version: recorded.saferstats_version.clone(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        inputs_changed,
        outputs_compared: then_out.len(),
        outputs_identical: identical,
        outputs_differing: differing,
        outputs_unmatched: unmatched,
    })
}

/// The formats a manifest's outputs were written in.
fn formats_of(m: &Manifest) -> Vec<Format> {
    let has = |ext: &str| m.outputs.iter().any(|o| o.path.ends_with(ext));
    let mut f = Vec::new();
    if has(".md") {
        f.push(Format::Markdown);
    }
    if has(".csv") {
        f.push(Format::Csv);
    }
    if has(".json") {
        f.push(Format::Json);
    }
    f
}

/// An absolute path, for a manifest that must be re-run from anywhere.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

impl InputPaths {
    /// The same paths made absolute (relative to the current folder), as a manifest records
    /// them.
    pub fn absolute(&self) -> InputPaths {
        InputPaths {
            police_uk: self.police_uk.iter().map(|p| absolute(p)).collect(),
            counts: self.counts.as_deref().map(absolute),
            lookup: self.lookup.as_deref().map(absolute),
            lad_lookup: self.lad_lookup.as_deref().map(absolute),
            population: self.population.as_deref().map(absolute),
            ..self.clone()
        }
    }
}

impl Assessment {
    /// [`Assessment::write`], recording in the manifest where the inputs came from, so that
    /// [`reproduce`] can re-run it.
    ///
    /// # Errors
    /// As [`Assessment::write`].
    pub fn write_reproducible(
        &self,
        folder: &Path,
        formats: &[Format],
        source: &InputSource,
    ) -> Result<Vec<PathBuf>> {
        let source = match source {
            InputSource::Paths(p) => InputSource::Paths(p.absolute()),
            other => other.clone(),
        };
        self.write_with_source(folder, formats, Some(source))
    }
}
