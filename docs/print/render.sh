#!/usr/bin/env bash
# Renders the three documents of the demo as an office prints them (Chromium's PDF), and
# each page as a PNG in this folder: the pictures docs/print/README.md shows.
# Needs Debian's chromium and poppler-utils. Run from the repository: docs/print/render.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# APPRAISE_BIN names a binary already built; else the release build is made.
if [ -z "${APPRAISE_BIN:-}" ]; then
    cargo build --release --quiet
fi
app="${APPRAISE_BIN:-$PWD/target/release/appraise}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$app" demo d > demo.txt
year="$(sed -n 's/^\([0-9]\{4\}\) 年度评级.*/\1/p' demo.txt)"
export APPRAISE_DB=d/appraise.db APPRAISE_USER=hr
"$app" review start --year "$year" --open-months-ok > /dev/null
"$app" review sign E004 --year "$year" --step manager --grade excellent --by E002 > /dev/null
"$app" review sign E008 --year "$year" --step manager --grade poor --by E002 > /dev/null
"$app" report statement --department customer-service --month "$year-03" --out statement.html
"$app" report ratings --year "$year" --out ratings.html
"$app" report recommendation E008 --year "$year" --out recommendation-dismissal.html
"$app" report recommendation E004 --year "$year" --out recommendation-promotion.html
rm -f "$here"/*.png
for doc in statement ratings recommendation-dismissal recommendation-promotion; do
    chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$work/profile" --no-pdf-header-footer \
        --print-to-pdf="$work/$doc.pdf" "file://$work/$doc.html" 2> /dev/null
    pdftoppm -png -r 60 "$work/$doc.pdf" "$here/$doc"
    echo "$doc: $(pdfinfo "$work/$doc.pdf" | sed -n 's/^Pages: *//p') pages"
done
