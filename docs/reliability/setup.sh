#!/bin/bash
# A 2,000-staff workspace with a year of events, for the reliability runs.
set -e
A=${APPRAISE:-target/release/appraise}; A=$(realpath $A)
export APPRAISE_TODAY=2026-01-15 APPRAISE_USER=hr
rm -rf /tmp/rel/w && mkdir -p /tmp/rel/w && cd /tmp/rel/w
$A init --admin hr >/dev/null
$A gen --staff 2000 --year 2025 --seed 1 data >/dev/null
$A staff import data/staff.csv >/dev/null
head -1000001 data/events.csv > million.csv
echo "events: $(wc -l < data/events.csv)"
