"""After writers.sh: every race event stored in a closed month must be in its snapshot."""
import json
import sqlite3

c = sqlite3.connect("appraise.db")
stored = missing = 0
for m in ["08", "09", "10", "11", "12"]:
    ids = {r[0] for r in c.execute(
        f"select id from events where date like '2025-{m}-%' and note like 'r%' and kind = 'grooming'")}
    snap = c.execute(
        f"select scores from snapshots where month = '2025-{m}' order by close_id desc limit 1").fetchone()
    scored = {it["event"] for s in json.loads(snap[0]) for it in s["items"] if it.get("event") is not None}
    stored += len(ids)
    missing += len(ids - scored)
print(f"race events stored: {stored}, refused after the close: {200 - stored}, missing from the snapshots: {missing}")
