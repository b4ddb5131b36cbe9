//! The outbox under load (docs/performance.md): 10,000 notices to a webhook receiver on
//! loopback that answers every third request 503. Delivery runs round after round, each
//! round's clock moved on an hour so that every retry is due (the delays themselves are
//! waiting, not work); the figures are what arrived, how many twice, how many attempts, and
//! the wall time to drain. The baseline is the same 10,000 bodies POSTed straight to a
//! receiver that never fails, by the same client: `ratio drain/direct` is what the outbox
//! (its reads, signing, bookkeeping and the retries of a third of them) costs beside.
//! `cargo bench --bench outbox`; `APPRAISE_NOTICES` changes the count.

#[path = "../tests/receivers.rs"]
#[allow(dead_code)]
mod receivers;

use std::collections::BTreeSet;
use std::time::Instant;

use appraise::domain::notice::{ChannelKind, NoticeKind};
use appraise::store::{Channel, Notice, Stamp, Store};

fn main() {
    let n: usize = std::env::var("APPRAISE_NOTICES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("appraise.db")).unwrap();
    let flaky = receivers::Http::answering(|i| {
        if i % 3 == 2 {
            (503, "busy".into())
        } else {
            (200, "{}".into())
        }
    });
    let stamp = Stamp {
        by: "bench".into(),
        at: "2026-01-15T09:00:00+08:00".into(),
    };
    store
        .put_channel(
            &Channel {
                name: "hook".into(),
                kind: ChannelKind::Webhook,
                target: flaky.url("/hook"),
                secret: Some("bench-secret".into()),
                department: None,
                added_by: "bench".into(),
                added_at: String::new(),
            },
            &stamp,
        )
        .unwrap();
    let start = chrono::Utc::now().timestamp();
    let notices: Vec<Notice> = (0..n)
        .map(|i| Notice {
            key: format!("bench:{i}"),
            kind: NoticeKind::EventRecorded,
            employee: format!("E{i:05}"),
            recipient: format!("E{i:05}"),
            department: String::new(),
            text: format!(
                "【考评记录】员工{i}：2026-01-15 记录了“工装穿戴不整齐”。计分：每次 −1 分。"
            ),
            url: format!("/people/E{i:05}/2026-01"),
            at: start,
        })
        .collect();
    store.queue_notices(&notices).unwrap();

    let began = Instant::now();
    let (mut rounds, mut t) = (0, start);
    let mut sent = 0;
    loop {
        let r = appraise::notify::deliver(&mut store, &|| t).unwrap();
        rounds += 1;
        sent += r.sent;
        assert_eq!(
            r.failed, 0,
            "nothing is given up on within the hours simulated"
        );
        if r.sent + r.retried == 0 {
            break;
        }
        t += 3600;
    }
    let drain = began.elapsed().as_secs_f64();
    let delivered = flaky.delivered();
    let ids: BTreeSet<String> = delivered
        .iter()
        .map(|p| p.json()["id"].as_str().unwrap_or_default().to_string())
        .collect();
    let attempts = flaky.requests();
    assert_eq!(sent, n);
    assert_eq!(ids.len(), n, "every notice arrived");
    let duplicates = delivered.len() - ids.len();

    // The baseline: the same bodies, straight to a receiver that never fails.
    let steady = receivers::Http::start();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let began = Instant::now();
    for notice in &notices {
        let body = serde_json::json!({
            "id": notice.key, "kind": "event.recorded", "employee": notice.employee,
            "recipient": notice.recipient, "text": notice.text, "url": notice.url,
        })
        .to_string();
        agent
            .post(steady.url("/hook"))
            .header("Content-Type", "application/json")
            .send(&body)
            .unwrap();
    }
    let direct = began.elapsed().as_secs_f64();
    assert_eq!(steady.delivered().len(), n);

    println!("notices {n}; receiver answering every third request 503");
    println!(
        "delivered {} of {n}, duplicates {duplicates}, attempts {attempts} ({:.2} per notice), rounds {rounds}",
        ids.len(),
        attempts as f64 / n as f64
    );
    println!(
        "drain {drain:.2} s ({:.0} notices/s); direct posts {direct:.2} s ({:.0}/s)",
        n as f64 / drain,
        n as f64 / direct
    );
    println!("ratio drain/direct = {:.2} (target <= 3.0)", drain / direct);
}
