#!/usr/bin/env bash
# Seeds the fuzz corpora (fuzz/corpus/<target>/, not in git) from the repository's own data:
# the first lines of the bundled police.uk, lookup and population files and of the shared MPS
# wide table, plain and gzipped. Usage: bash fuzz/seed.sh
set -eu  # no pipefail: `zcat | head` ends zcat with SIGPIPE
cd "$(dirname "$0")"
data=../crates/saferstats/data/medway-2014
shared=${SAFERSTATS_SHARED_DATA:-../../shared/data}
c=corpus
mkdir -p $c/police_uk $c/ons_lookup $c/ons_population $c/wide_monthly \
    $c/intervals $c/rate_ratio $c/funnel $c/seasonal

# police_uk: a flags byte, then sources separated by \0\0.
street() { zcat "$data/2014-0$1-kent-street.csv.gz" | head -n "$2"; }
{ printf '\x00'; street 1 12; } > $c/police_uk/one-file
{ printf '\x07'; street 1 8; printf '\0\0'; street 2 8; } > $c/police_uk/two-files-set-aside
{ printf '\x02'; street 3 6 | tr -d '\r'; printf '\0\0'; street 3 6; } > $c/police_uk/lf-repeat
{ printf '\x00'; street 4 10 | gzip -c; } > $c/police_uk/gzip
{ printf '\x01'; street 5 1; } > $c/police_uk/header-only

# ons_lookup
for f in "$data"/lookup_*.csv; do head -n 6 "$f" > "$c/ons_lookup/$(basename "$f")"; done
head -n 6 "$data/lookup_lsoa11_wd19_lad19_medway.csv" | gzip -c > $c/ons_lookup/gzip
if [ -d "$shared/lookups" ]; then
    for f in "$shared"/lookups/*.csv.gz; do zcat "$f" | head -n 5 > "$c/ons_lookup/$(basename "$f" .gz)"; done
    for f in "$shared"/lookups/*.csv; do head -n 5 "$f" > "$c/ons_lookup/$(basename "$f")"; done
fi

# ons_population: a mid-year byte (0: none, 1: 2017, 2: two more bytes), then the file.
for f in "$data"/population_*.csv; do { printf '\x00'; head -n 5 "$f"; } > "$c/ons_population/$(basename "$f")"; done
{ printf '\x01'; head -n 5 "$data/population_ward_mid2017_medway.csv"; } > $c/ons_population/ward-2017
if [ -d "$shared/population" ]; then
    { printf '\x01'; zcat "$shared/population/demographr_population17_lsoa11.csv.gz" | head -n 4; } > $c/ons_population/lsoa-age
    { printf '\x00'; head -n 5 "$shared/population/ons_MYE4_LAD23_population_mid2011_to_mid2023.csv"; } > $c/ons_population/mye4
    { printf '\x01'; head -n 5 "$shared/population/trafford_crime_scanner_population_mid2017_flat.csv"; } > $c/ons_population/flat
fi

# wide_monthly
printf 'MajorText,BoroughName,201004,201005\nBURGLARY,Camden,10,12\n' > $c/wide_monthly/doc-example
printf 'Crime,Ward,2023-07,2023-08\nDrugs,A,1,\nDrugs,B,,3\n' > $c/wide_monthly/dashed
if [ -d "$shared/mps" ]; then
    for f in "$shared"/mps/*.csv.gz; do zcat "$f" | head -n 4 | cut -d, -f1-20 > "$c/wide_monthly/$(basename "$f" .gz)"; done
fi

# Kernels take any bytes: a few random seeds.
for t in intervals rate_ratio funnel seasonal; do
    for i in 1 2 3 4; do head -c 256 /dev/urandom > "$c/$t/random-$i"; done
done
echo "seeded: $(find $c -type f | wc -l) files"
