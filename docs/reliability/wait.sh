#!/bin/bash
# A 1M-row import while a supervisor keeps entering events: does anyone fail, how long do they wait?
A=${APPRAISE:-target/release/appraise}; A=$(realpath $A); cd /tmp/rel/w; export APPRAISE_TODAY=2026-01-15 APPRAISE_USER=hr
start=$(date +%s.%N)
$A log import data/events.csv > /tmp/rel/import.out 2>&1 & pid=$!
fails=0; max=0; n=0
for i in $(seq 1 25); do
  t0=$(date +%s.%N)
  if ! $A log add W00003 uniform --date 2025-06-$(printf %02d $(( (i % 28) + 1 ))) --note "wait-$i" >/dev/null 2>/tmp/rel/err; then fails=$((fails+1)); cat /tmp/rel/err; fi
  t1=$(date +%s.%N); d=$(python3 -c "print(round($t1-$t0,2))"); n=$((n+1))
  max=$(python3 -c "print(max($max,$d))")
  sleep 0.2
done
wait $pid; end=$(date +%s.%N)
echo "import: $(cat /tmp/rel/import.out) in $(python3 -c "print(round($end-$start,1))") s"
echo "concurrent log add: $n tries, $fails failures, longest wait ${max} s"
