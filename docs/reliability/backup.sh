#!/bin/bash
# A backup of the full workspace (a year of 2,000 staff) while four writers add events back
# to back: how long it takes, and whether the copy is whole. Run after setup.sh.
A=${APPRAISE:-target/release/appraise}; A=$(realpath $A); cd /tmp/rel/w
export APPRAISE_TODAY=2026-01-15 APPRAISE_USER=hr
[ -s .imported ] || { $A log import data/events.csv >/dev/null && echo yes > .imported; }
echo "database: $(du -m appraise.db | cut -f1) MB"
rm -f /tmp/rel/stop /tmp/rel/added.* copy.db
for w in 1 2 3 4; do
  ( n=0; while [ ! -e /tmp/rel/stop ]; do
      $A log add W0000$w uniform --date 2025-06-$(printf %02d $(( n % 28 + 1 ))) --note "b$w-$n" >/dev/null 2>&1 && n=$((n+1))
    done; echo $n > /tmp/rel/added.$w ) &
done
sleep 1
start=$(date +%s.%N)
$A backup copy.db
end=$(date +%s.%N)
touch /tmp/rel/stop; wait
echo "backup: $(echo "$end - $start" | bc) s; writers added $(cat /tmp/rel/added.* | paste -sd+ | bc) events meanwhile"
cp copy.db /tmp/rel/restored.db
cd /tmp/rel && rm -rf r && mkdir r && mv restored.db r/appraise.db && cd r
$A audit verify | head -1
python3 -c "import sqlite3; print('events in the copy:', sqlite3.connect('appraise.db').execute('SELECT count(*) FROM events').fetchone()[0])"
