//! data.police.uk bulk archives, read in place.
//!
//! The archive downloads (`YYYY-MM.zip`, from data.police.uk/data/archive) hold
//! `YYYY-MM/YYYY-MM-<force>-street.csv` for about three years of months, beside the
//! `-outcomes.csv` and `-stop-and-search.csv` files of the same months. Only the street files are
//! read, straight from the archive: nothing is extracted to disk. One archive is opened once (its
//! central directory read once) and its entries are then read in parallel, each worker with its
//! own cursor on the file.
//!
//! **Overlapping archives.** Consecutive archives overlap by some 35 months, and a month
//! republished in a later archive is the later snapshot (crimes re-geocoded, outcomes updated).
//! For every force-month (from the entry name `YYYY-MM-<force>-street.csv`) the entry of the
//! newest snapshot is read: the archive whose name is the latest `YYYY-MM`; archives whose name is
//! not a month (custom downloads) rank below dated ones, and ties go to the later path. A
//! force-month also given as a loose file (`*-street.csv` or `.csv.gz` outside any archive) is
//! read from that file. Every entry passed over is listed in the read report, with the source
//! read in its place.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zip::ZipArchive;

use crate::error::{Error, Result};
use crate::period::YearMonth;

/// A street-level file that was not read because a newer snapshot of its force-month was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Superseded {
    /// The entry passed over (`archive.zip!YYYY-MM/YYYY-MM-force-street.csv`).
    pub source: String,
    /// Its month.
    pub month: YearMonth,
    /// Its force, as in the file name (`kent`, `metropolitan`, ...).
    pub force: String,
    /// The source read for this force-month instead.
    pub read_from: String,
}

/// The month and force of a street file's name: `YYYY-MM-<force>-street.csv` (or `.csv.gz`),
/// with any folders before it.
pub(crate) fn force_month(name: &str) -> Option<(YearMonth, String)> {
    let base = name.rsplit(['/', '\\']).next()?;
    let stem = base
        .strip_suffix("-street.csv")
        .or_else(|| base.strip_suffix("-street.csv.gz"))?;
    let month = stem.get(..7)?.parse().ok()?;
    let force = stem.get(7..)?.strip_prefix('-')?;
    (!force.is_empty()).then(|| (month, force.to_string()))
}

/// The snapshot an archive's name gives (`2017-03.zip` is the March 2017 snapshot).
fn snapshot_of(path: &Path) -> Option<YearMonth> {
    let stem = path.file_stem()?.to_str()?;
    if stem.len() != 7 {
        return None;
    }
    stem.parse().ok()
}

/// Whether a path names a zip archive (by its extension).
pub(crate) fn is_zip(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

/// A file read through positioned reads, so that clones on several threads each keep their own
/// cursor on one open file.
#[derive(Clone)]
struct SharedFile {
    file: Arc<File>,
    pos: u64,
    len: u64,
}

impl SharedFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<usize> {
        #[cfg(unix)]
        {
            std::os::unix::fs::FileExt::read_at(&*self.file, buf, offset)
        }
        #[cfg(windows)]
        {
            std::os::windows::fs::FileExt::seek_read(&*self.file, buf, offset)
        }
        #[cfg(not(any(unix, windows)))]
        {
            let mut file = &*self.file;
            file.seek(SeekFrom::Start(offset))?;
            file.read(buf)
        }
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = target.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// An archive opened for reading.
pub(crate) struct Archive {
    pub path: PathBuf,
    snapshot: Option<YearMonth>,
    zip: ZipArchive<SharedFile>,
}

/// A street file inside an archive.
#[derive(Clone)]
pub(crate) struct Entry {
    pub archive: Arc<Archive>,
    index: usize,
    /// The entry's name inside the archive.
    pub name: String,
    /// CRC-32 and sizes from the central directory (part of the cache fingerprint).
    pub crc32: u32,
    pub compressed_size: u64,
    pub size: u64,
}

impl Entry {
    /// The name used in messages and reports: `archive.zip!folder/file.csv`.
    pub fn display_name(&self) -> String {
        format!("{}!{}", self.archive.path.display(), self.name)
    }

    fn zip_error(&self, e: zip::result::ZipError) -> Error {
        Error::Io {
            path: PathBuf::from(self.display_name()),
            source: match e {
                zip::result::ZipError::Io(io) => io,
                other => std::io::Error::new(std::io::ErrorKind::InvalidData, other.to_string()),
            },
        }
    }

    /// The entry's uncompressed bytes (its CRC-32 checked).
    pub fn read(&self) -> Result<Vec<u8>> {
        let mut zip = self.archive.zip.clone();
        let mut file = zip.by_index(self.index).map_err(|e| self.zip_error(e))?;
        // The declared size is only a hint (capped, in case it is corrupt).
        let mut bytes = Vec::with_capacity(self.size.min(1 << 30) as usize);
        file.read_to_end(&mut bytes).map_err(|source| Error::Io {
            path: PathBuf::from(self.display_name()),
            source,
        })?;
        Ok(bytes)
    }

    /// The entry's stored (compressed) bytes, for fingerprinting.
    pub fn read_raw(&self) -> Result<Vec<u8>> {
        let mut zip = self.archive.zip.clone();
        let mut file = zip
            .by_index_raw(self.index)
            .map_err(|e| self.zip_error(e))?;
        let mut bytes = Vec::with_capacity(self.compressed_size.min(1 << 30) as usize);
        file.read_to_end(&mut bytes).map_err(|source| Error::Io {
            path: PathBuf::from(self.display_name()),
            source,
        })?;
        Ok(bytes)
    }
}

/// Open an archive and list its street files.
pub(crate) fn open_archive(path: &Path) -> Result<Vec<Entry>> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    let reader = SharedFile {
        file: Arc::new(file),
        pos: 0,
        len,
    };
    let mut zip = ZipArchive::new(reader).map_err(|e| match e {
        zip::result::ZipError::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        other => Error::UnexpectedHeader {
            source_name: path.display().to_string(),
            reason: format!("not a readable zip archive: {other}"),
        },
    })?;
    let mut listed = Vec::new();
    for index in 0..zip.len() {
        let file = zip
            .by_index_raw(index)
            .map_err(|e| Error::UnexpectedHeader {
                source_name: path.display().to_string(),
                reason: format!("entry {index}: {e}"),
            })?;
        let name = file
            .name()
            .map_err(|e| Error::UnexpectedHeader {
                source_name: path.display().to_string(),
                reason: format!("entry {index}: {e}"),
            })?
            .to_string();
        if file.is_file() && (name.ends_with("-street.csv") || name.ends_with("-street.csv.gz")) {
            listed.push((
                index,
                name,
                file.crc32(),
                file.compressed_size(),
                file.size(),
            ));
        }
    }
    let archive = Arc::new(Archive {
        path: path.to_path_buf(),
        snapshot: snapshot_of(path),
        zip,
    });
    Ok(listed
        .into_iter()
        .map(|(index, name, crc32, compressed_size, size)| Entry {
            archive: Arc::clone(&archive),
            index,
            name,
            crc32,
            compressed_size,
            size,
        })
        .collect())
}

/// A street-level source to read: a loose file or an archive entry.
#[derive(Clone)]
pub(crate) enum Source {
    File(PathBuf),
    Entry(Entry),
}

impl Source {
    /// The name used in messages and reports.
    pub fn display_name(&self) -> String {
        match self {
            Source::File(p) => p.display().to_string(),
            Source::Entry(e) => e.display_name(),
        }
    }
}

/// The sources to read, in a fixed order, and the archive entries passed over.
pub(crate) struct Plan {
    pub sources: Vec<Source>,
    pub superseded: Vec<Superseded>,
}

/// Choose the sources among resolved files: every loose file, and for each force-month in the
/// archives the entry of the newest snapshot (see the module docs). `explicit` archives (named
/// by the caller rather than found in a folder) must hold street files.
pub(crate) fn plan(files: &[(PathBuf, bool)]) -> Result<Plan> {
    let mut sources = Vec::new();
    let mut loose_keys = std::collections::BTreeMap::new();
    let mut entries = Vec::new();
    for (path, explicit) in files {
        if is_zip(path) {
            let listed = open_archive(path)?;
            if listed.is_empty() && *explicit {
                return Err(Error::NoInputFiles(format!(
                    "{} (no *-street.csv entries in the archive)",
                    path.display()
                )));
            }
            entries.extend(listed);
        } else {
            if let Some(key) = force_month(&path.to_string_lossy()) {
                loose_keys
                    .entry(key)
                    .or_insert_with(|| path.display().to_string());
            }
            sources.push(Source::File(path.clone()));
        }
    }
    // Newest snapshot first, then the later path; the first entry of each force-month wins.
    entries.sort_by(|a, b| {
        (b.archive.snapshot, &b.archive.path, &b.name).cmp(&(
            a.archive.snapshot,
            &a.archive.path,
            &a.name,
        ))
    });
    let mut winners: std::collections::BTreeMap<(YearMonth, String), String> = loose_keys;
    let mut superseded = Vec::new();
    for entry in entries {
        match force_month(&entry.name) {
            Some(key) => match winners.get(&key) {
                Some(winner) => superseded.push(Superseded {
                    source: entry.display_name(),
                    month: key.0,
                    force: key.1,
                    read_from: winner.clone(),
                }),
                None => {
                    winners.insert(key, entry.display_name());
                    sources.push(Source::Entry(entry));
                }
            },
            None => sources.push(Source::Entry(entry)),
        }
    }
    sources.sort_by_key(Source::display_name);
    superseded.sort_by(|a, b| (a.month, &a.force, &a.source).cmp(&(b.month, &b.force, &b.source)));
    Ok(Plan {
        sources,
        superseded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_give_force_months_and_snapshots() {
        let jan = YearMonth::new(2014, 1).unwrap();
        assert_eq!(
            force_month("2014-01/2014-01-avon-and-somerset-street.csv"),
            Some((jan, "avon-and-somerset".to_string()))
        );
        assert_eq!(
            force_month("/x/2014-01-kent-street.csv.gz"),
            Some((jan, "kent".into()))
        );
        assert_eq!(force_month("2014-01/2014-01-kent-outcomes.csv"), None);
        assert_eq!(force_month("kent-street.csv"), None);
        assert_eq!(force_month("2014-13-kent-street.csv"), None);
        assert_eq!(
            snapshot_of(Path::new("/d/2017-03.zip")),
            YearMonth::new(2017, 3)
        );
        assert_eq!(snapshot_of(Path::new("/d/8f3a2b.zip")), None);
        assert!(is_zip(Path::new("a/2017-03.ZIP")));
    }
}
