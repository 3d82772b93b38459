//! Times `read_police_uk` on the paths given (files, folders, `YYYY-MM.zip` archives) and
//! prints rows per second, and the cache's hits and misses with `--cache`.
//!
//! ```text
//! cargo run --example read_speed -p saferstats -- ../shared/data/police-uk/kent-2014 \
//!     [--repeat 5] [--threads 2] [--cache /tmp/saferstats-cache]
//! ```
//!
//! With `--cache`, the first run fills the cache (if empty) and the later runs read from it.
//! Timings depend on the profile: say which one (`dev`, or `--release`) when quoting them.
use std::path::PathBuf;
use std::time::Instant;

use saferstats::io::police_uk::{ReadOptions, read_police_uk};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut paths = Vec::new();
    let mut repeat = 3;
    let mut threads = None;
    let mut options = ReadOptions::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--repeat" => repeat = args.next().ok_or("--repeat needs a number")?.parse()?,
            "--threads" => threads = Some(args.next().ok_or("--threads needs a number")?.parse()?),
            "--cache" => {
                options.cache_dir =
                    Some(PathBuf::from(args.next().ok_or("--cache needs a folder")?))
            }
            _ => paths.push(arg),
        }
    }
    if paths.is_empty() {
        return Err("usage: read_speed PATH... [--repeat N] [--threads N] [--cache DIR]".into());
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()?;
    println!("{} threads", pool.current_num_threads());
    for run in 1..=repeat {
        let start = Instant::now();
        let data = pool.install(|| read_police_uk(&paths, &options))?;
        let secs = start.elapsed().as_secs_f64();
        let rows = data.report.rows_read;
        let cache = data
            .report
            .cache
            .map(|c| format!(", cache: {} hits, {} misses", c.hits, c.misses))
            .unwrap_or_default();
        println!(
            "run {run}: {rows} rows from {} files in {secs:.3} s = {:.0} rows/s{cache}",
            data.report.files.len(),
            rows as f64 / secs
        );
    }
    Ok(())
}
