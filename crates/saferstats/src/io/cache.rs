//! The read cache: each street-level file parsed once, kept as an Arrow IPC file.
//!
//! With `ReadOptions { cache_dir: Some(dir), .. }` every source file (a loose file or an archive
//! entry) is looked up in `dir` before it is parsed. An entry holds what parsing the file gave
//! (every row, typed, with the flags that need no other file, and the file's months, forces and
//! unknown crime types) and does not depend on the read options, so one cache serves every
//! option set; the duplicate-Crime-ID check and the keep-or-set-aside decisions are made on
//! every read. Reading the same months again, or one new month beside a cached set, parses only
//! the files not in the cache.
//!
//! **When an entry is used.** Only when all of these equal what the entry recorded:
//! - the source's identity: the canonical path of the file (for an archive entry, of the archive,
//!   plus the entry name);
//! - the source's content: its size and a 128-bit xxh3 hash of all of its stored bytes (a loose
//!   file as it is on disk, gzipped or not; an archive entry's compressed bytes, with the CRC-32
//!   and sizes of the archive's directory);
//! - the cache format and the saferstats version that wrote it (a new release re-parses).
//!
//! Anything else (no entry, a different hash, an unreadable or truncated entry, a failed
//! integrity hash of the entry's own bytes) is a miss: the file is parsed and the entry
//! replaced. The modification time is not used: a full hash catches every change, including a
//! same-size edit with the time preserved (`cp -p`, `rsync -t`, `touch -r`, an extracted
//! archive's stored times), which size + mtime + a hash of the first and last 64 KiB would
//! miss; and it costs little, as the stored bytes are compressed (a gzip or zip entry is about a
//! sixth of the CSV) and xxh3 runs at memory speed. The chance that a changed file has the same
//! 128-bit hash is about 2^-128 per change.
//!
//! Entries are written to a temporary file and renamed into place, so a reader never sees half
//! an entry and concurrent reads of one folder are safe. Entries are never deleted: remove the
//! folder to clear the cache. A failure to write an entry does not fail the read; it is listed
//! in the report.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use polars_arrow::io::ipc::read::{FileReader, read_file_metadata};
use polars_arrow::io::ipc::write::{FileWriter, WriteOptions};
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};

use crate::error::{Error, Result};
use crate::io::street::{FileMeta, ParsedFile, RAW_COLUMNS, raw_dtype};

/// Bump when the parsed frame or the entry layout changes.
const FORMAT: u32 = 1;
const MAGIC: &[u8; 8] = b"SSCACHE\x01";

/// What identifies a source and its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Fingerprint {
    /// Canonical path (archive path `!` entry name for an archive entry).
    pub identity: String,
    /// Size of the stored bytes.
    pub len: u64,
    /// xxh3-128 of the stored bytes, as hex.
    pub hash: String,
    /// For an archive entry: CRC-32, compressed and uncompressed size from its directory.
    pub entry: Option<(u32, u64, u64)>,
}

impl Fingerprint {
    /// The fingerprint of a loose file from its bytes.
    pub fn of_file(path: &Path, bytes: &[u8]) -> Self {
        Fingerprint {
            identity: canonical(path),
            len: bytes.len() as u64,
            hash: format!("{:032x}", xxh3_128(bytes)),
            entry: None,
        }
    }

    /// The fingerprint of an archive entry from its stored (compressed) bytes.
    pub fn of_entry(archive: &Path, name: &str, raw: &[u8], directory: (u32, u64, u64)) -> Self {
        Fingerprint {
            identity: format!("{}!{name}", canonical(archive)),
            len: raw.len() as u64,
            hash: format!("{:032x}", xxh3_128(raw)),
            entry: Some(directory),
        }
    }
}

fn canonical(path: &Path) -> String {
    std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// The header of a cache entry (JSON, before the IPC bytes).
#[derive(Serialize, Deserialize)]
struct Header {
    format: u32,
    version: String,
    source: Fingerprint,
    meta: FileMeta,
    /// Lengths of the two Arrow IPC files that follow (the rows, then the dictionary), and the
    /// xxh3-64 of their bytes.
    rows_len: u64,
    dictionary_len: u64,
    payload_hash: u64,
}

/// What looking a source up found.
pub(crate) enum Lookup {
    Hit(ParsedFile),
    /// No entry for this source.
    Miss,
    /// An entry for this source whose fingerprint (or integrity) no longer matches.
    Stale,
}

/// A cache folder.
pub(crate) struct Cache {
    dir: PathBuf,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cache {
    /// Use (and create if needed) a cache folder.
    pub fn open(dir: &Path) -> Result<Cache> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Cache {
            dir: dir.to_path_buf(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entry_path(&self, identity: &str) -> PathBuf {
        self.dir.join(format!(
            "street-{:032x}.arrow",
            xxh3_128(identity.as_bytes())
        ))
    }

    /// Look a source up.
    pub fn lookup(&self, source: &Fingerprint) -> Lookup {
        let Ok(bytes) = std::fs::read(self.entry_path(&source.identity)) else {
            return Lookup::Miss;
        };
        match decode(&bytes, source) {
            Some(parsed) => Lookup::Hit(parsed),
            None => Lookup::Stale,
        }
    }

    /// Store a parsed source; the error is a message for the read report.
    pub fn store(
        &self,
        source: &Fingerprint,
        parsed: &ParsedFile,
    ) -> std::result::Result<(), String> {
        let target = self.entry_path(&source.identity);
        let bytes = encode(source, parsed).map_err(|e| format!("{}: {e}", target.display()))?;
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}-{}",
            std::process::id(),
            TMP_COUNTER.fetch_add(1, Ordering::Relaxed),
            target
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("entry")
        ));
        let written = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, &target));
        written.map_err(|e| {
            std::fs::remove_file(&tmp).ok();
            format!("{}: {e}", target.display())
        })
    }
}

/// One frame as an Arrow IPC file. Strings are written as Arrow `LargeUtf8` (offsets and one
/// buffer, [`CompatLevel::oldest`]), which a reader validates as UTF-8 in one pass rather
/// than string by string.
fn ipc_bytes(frame: &DataFrame) -> Result<Vec<u8>> {
    let mut frame = frame.clone();
    frame.rechunk_mut();
    let compat = CompatLevel::oldest();
    let schema = Arc::new(frame.schema().to_arrow(compat));
    let mut out = Vec::new();
    let mut writer =
        FileWriter::try_new(&mut out, schema, None, WriteOptions { compression: None })?;
    for batch in frame.iter_chunks(compat, false) {
        writer.write(&batch, None)?;
    }
    writer.finish()?;
    Ok(out)
}

fn frame_of(ipc: &[u8]) -> Option<DataFrame> {
    let mut cursor = Cursor::new(ipc);
    let metadata = read_file_metadata(&mut cursor).ok()?;
    let mut frame: Option<DataFrame> = None;
    for batch in FileReader::new(cursor, metadata, None, None) {
        let part = DataFrame::from(batch.ok()?);
        match &mut frame {
            Some(f) => {
                f.vstack_mut_owned(part).ok()?;
            }
            None => frame = Some(part),
        }
    }
    let mut frame = frame?;
    frame.rechunk_mut();
    Some(frame)
}

fn encode(source: &Fingerprint, parsed: &ParsedFile) -> Result<Vec<u8>> {
    let rows = ipc_bytes(&parsed.frame)?;
    let dictionary = ipc_bytes(&DataFrame::new(
        parsed.dictionary.len(),
        vec![parsed.dictionary.clone().into_column()],
    )?)?;
    let header = Header {
        format: FORMAT,
        version: env!("CARGO_PKG_VERSION").to_string(),
        source: source.clone(),
        meta: parsed.meta.clone(),
        rows_len: rows.len() as u64,
        dictionary_len: dictionary.len() as u64,
        payload_hash: xxh3_64(&[rows.as_slice(), dictionary.as_slice()].concat()),
    };
    let header = serde_json::to_vec(&header).map_err(|e| Error::param("cache", e.to_string()))?;
    let mut out =
        Vec::with_capacity(MAGIC.len() + 8 + header.len() + rows.len() + dictionary.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u64).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&rows);
    out.extend_from_slice(&dictionary);
    Ok(out)
}

/// The parsed file of an entry, if it is intact and for this exact source.
fn decode(bytes: &[u8], source: &Fingerprint) -> Option<ParsedFile> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let header_len = u64::from_le_bytes(rest.get(..8)?.try_into().ok()?) as usize;
    let header: Header = serde_json::from_slice(rest.get(8..8 + header_len)?).ok()?;
    let payload = rest.get(8 + header_len..)?;
    if header.format != FORMAT
        || header.version != env!("CARGO_PKG_VERSION")
        || header.source != *source
        || header.rows_len.checked_add(header.dictionary_len)? != payload.len() as u64
        || header.payload_hash != xxh3_64(payload)
    {
        return None;
    }
    let (rows, dictionary) = payload.split_at(header.rows_len as usize);
    let frame = frame_of(rows)?;
    let dictionary = frame_of(dictionary)?;
    let schema_ok = frame.width() == RAW_COLUMNS.len()
        && frame
            .columns()
            .iter()
            .zip(RAW_COLUMNS)
            .all(|(c, name)| c.name().as_str() == name && *c.dtype() == raw_dtype(name));
    if !schema_ok || frame.height() as u64 != header.meta.rows_read || dictionary.width() != 1 {
        return None;
    }
    let dictionary = dictionary.columns()[0].str().ok()?.clone();
    // Every position must point into the dictionary (a reader relies on it).
    let positions_ok = frame.columns().iter().all(|c| {
        c.dtype() != &DataType::UInt32
            || c.u32()
                .ok()
                .and_then(|p| p.max())
                .is_none_or(|max| (max as usize) < dictionary.len())
    });
    positions_ok.then_some(ParsedFile {
        frame,
        dictionary,
        meta: header.meta,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::street::parse_street;

    fn parsed() -> ParsedFile {
        let text = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,\
                    LSOA name,Crime type,Last outcome category,Context\n\
                    a1,2014-01,Kent Police,Kent Police,0.5,51.3,On or near Some Street,E01016120,\
                    Medway 026B,Burglary,Under investigation,\n\
                    ,2014-01,Kent Police,Kent Police,,,No Location,,,Anti-social behaviour,,\n";
        parse_street("t.csv", text.as_bytes()).unwrap()
    }

    #[test]
    fn entries_round_trip_and_refuse_other_sources_and_damage() {
        let p = parsed();
        let fp = Fingerprint::of_file(Path::new("t.csv"), b"bytes");
        let bytes = encode(&fp, &p).unwrap();
        let back = decode(&bytes, &fp).unwrap();
        assert!(back.frame.equals_missing(&p.frame));
        assert!(
            back.dictionary
                .into_series()
                .equals_missing(&p.dictionary.clone().into_series())
        );
        assert_eq!(back.meta, p.meta);
        let other = Fingerprint::of_file(Path::new("t.csv"), b"bytez");
        assert!(decode(&bytes, &other).is_none());
        assert!(decode(&bytes[..bytes.len() - 1], &fp).is_none());
        let mut flipped = bytes.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert!(decode(&flipped, &fp).is_none());
    }
}
