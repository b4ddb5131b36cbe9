#!/bin/bash
# Eight writers at once: voids, adds, and a month close racing adds.
HERE=$(cd "$(dirname "$0")" && pwd)
A=${APPRAISE:-target/release/appraise}; A=$(realpath $A); cd /tmp/rel/w; export APPRAISE_TODAY=2026-01-15 APPRAISE_USER=hr
rm -f /tmp/rel/fail.*
for w in $(seq 1 8); do
  ( for i in $(seq 1 20); do id=$(( w * 1000 + i )); $A log void $id --reason "test $w" >/dev/null 2>>/tmp/rel/fail.void || echo x >> /tmp/rel/fail.voidn; done ) &
done; wait
echo "voids: 160 tries, $(cat /tmp/rel/fail.voidn 2>/dev/null | wc -l) failures"
for w in $(seq 1 8); do
  ( for i in $(seq 1 20); do $A log add W0000$w uniform --date 2025-07-$(printf %02d $i) --note "w$w-$i" >/dev/null 2>>/tmp/rel/fail.add || echo x >> /tmp/rel/fail.addn; done ) &
done; wait
echo "adds: 160 tries, $(cat /tmp/rel/fail.addn 2>/dev/null | wc -l) failures"
# A close racing four add loops, five times on five months.
closes=0
for m in 08 09 10 11 12; do
  for w in 1 2 3 4; do
    ( for i in $(seq 1 10); do $A log add W0000$w grooming --date 2025-$m-$(printf %02d $i) --note "r$w-$i" >/dev/null 2>&1; done ) &
  done
  sleep 0.5
  $A month close 2025-$m >/dev/null 2>>/tmp/rel/fail.close && closes=$((closes+1))
  wait
done
echo "month close racing adds: 5 months, $closes closes succeeded"
python3 "$HERE/race-check.py"
cat /tmp/rel/fail.close 2>/dev/null | head -3
