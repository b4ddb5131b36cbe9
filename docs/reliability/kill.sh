#!/bin/bash
# kill -9 during a 1M-row import, N times; count partial imports and broken databases.
A=${APPRAISE:-target/release/appraise}; A=$(realpath $A); cd /tmp/rel/w; export APPRAISE_TODAY=2026-01-15 APPRAISE_USER=hr
N=${1:-10}; partial=0; broken=0; complete=0
for i in $(seq 1 $N); do
  $A log import data/events.csv >/dev/null 2>&1 & pid=$!
  sleep $(python3 -c "import random; print(round(random.uniform(0.3, 4.5), 2))")
  kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
  n=$(sqlite3 appraise.db "select count(*) from events" 2>/dev/null || python3 -c "import sqlite3; print(sqlite3.connect('appraise.db').execute('select count(*) from events').fetchone()[0])")
  ok=$(python3 -c "import sqlite3; print(sqlite3.connect('appraise.db').execute('pragma integrity_check').fetchone()[0])")
  if [ "$ok" != "ok" ]; then broken=$((broken+1)); fi
  if [ "$n" != "0" ] && [ "$n" != "984374" ]; then partial=$((partial+1)); fi
  if [ "$n" = "984374" ]; then complete=$((complete+1)); break; fi
done
echo "kill -9 tries: $i, partial imports: $partial, integrity failures: $broken, completed before the kill: $complete"
$A audit verify | head -1
