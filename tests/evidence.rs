//! Evidence (证据): photos on entries and appeals — judged by their bytes, stripped of their
//! location, sealed in the chain, and shown only to those who may see the event.

use serde_json::json;

use crate::util::{json, staffed};
use crate::web::Served;

/// A minimal JPEG whose EXIF block carries a GPS position.
fn jpeg_with_gps() -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8];
    let exif = b"Exif\0\0MM\0*GPSLatitude=31.2304N;GPSLongitude=121.4737E";
    b.extend_from_slice(&[0xFF, 0xE1]);
    b.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
    b.extend_from_slice(exif);
    b.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02]);
    b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9]);
    b
}

fn has_gps(bytes: &[u8]) -> bool {
    bytes.windows(3).any(|w| w == b"GPS")
}

#[test]
fn a_photo_comes_back_without_its_location_and_anything_else_is_refused_whole() {
    let ws = staffed();
    std::fs::write(ws.path("uniform.jpg"), jpeg_with_gps()).unwrap();
    ws.write("notes.jpg", "这不是照片");
    std::fs::write(ws.path("huge.jpg"), vec![0xFF; 10 * 1024 * 1024 + 1]).unwrap();

    ws.cmd("log add E002 uniform --date 2026-06-25 --photo uniform.jpg --by 张主管")
        .ok();
    let listed = json(&ws.cmd("log evidence 1 --format json --by 张主管").ok());
    let sha = listed["photos"][0]["sha256"].as_str().unwrap().to_string();
    assert_eq!(listed["photos"][0]["type"], "image/jpeg");
    std::fs::create_dir(ws.path("out")).unwrap();
    ws.cmd("log evidence 1 --save out --by E002").ok();
    let kept = std::fs::read(ws.path(&format!("out/{sha}.jpg"))).unwrap();
    assert!(!has_gps(&kept), "the location is gone");
    assert!(kept.ends_with(&[0xFF, 0xD9]), "the image is whole");
    assert!(has_gps(&jpeg_with_gps()));

    // Not an image, or too large: refused, saying why, and the entry is not stored.
    let err = ws
        .cmd("log add E002 badge --date 2026-06-26 --photo notes.jpg --by 张主管")
        .fails(1);
    assert!(
        err.contains("is not a JPEG, PNG, WebP or HEIC photo"),
        "{err}"
    );
    let err = ws
        .cmd("log add E002 badge --date 2026-06-26 --photo huge.jpg --by 张主管")
        .fails(1);
    assert!(err.contains("larger than 10 MB"), "{err}");
    let events = json(&ws.cmd("log list --format json").ok());
    assert_eq!(events["events"].as_array().unwrap().len(), 1);

    // An employee's appeal carries its own photo; the event shows both.
    ws.cmd("appeal file 1 --reason 当天穿的是新制服 --photo uniform.jpg --by E002")
        .ok();
    let both = json(&ws.cmd("log evidence 1 --format json --by 部门负责人").ok());
    assert_eq!(both["photos"].as_array().unwrap().len(), 2);
    // Another employee may not look.
    let err = ws.cmd("log evidence 1 --by E003").fails(1);
    assert!(err.contains("may see only their own record"), "{err}");
    // The recommendation carries the photos with their hashes, small ones inside it.
    ws.cmd("report recommendation E002 --year 2026 --out rec.html")
        .ok();
    let rec = std::fs::read_to_string(ws.path("rec.html")).unwrap();
    assert!(rec.contains("证据照片") && rec.contains(&sha), "{rec}");
    assert!(rec.contains("data:image/jpeg;base64,"));
}

#[test]
fn a_swapped_photo_is_named_by_audit_verify() {
    let ws = staffed();
    std::fs::write(ws.path("a.jpg"), jpeg_with_gps()).unwrap();
    ws.cmd("log add E002 uniform --date 2026-06-25 --photo a.jpg --by 张主管")
        .ok();
    assert!(ws.cmd("audit verify").ok().contains("the record is whole"));
    let db = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    db.execute_batch(
        "DROP TRIGGER photos_append_only_u;
         UPDATE photos SET bytes = X'FFD8FFDB000401FFDA00021133FFD9';",
    )
    .unwrap();
    let out = ws.cmd("audit verify").run_output();
    assert!(out.contains("photos"), "{out}");
    assert!(!out.contains("the record is whole"), "{out}");
}

#[test]
fn a_photo_is_shown_to_who_may_see_its_event_and_403_to_anyone_else() {
    let s = Served::start();
    s.ws.add_login("E003", "employee", &["--employee", "E003"]);
    let app = s.ws.app();
    app.set_password(&app.actor("HR").unwrap(), "E003", crate::web::PASSWORD)
        .unwrap();
    let supervisor = s.token("张主管");
    let (status, body) = s.post_json(
        "/api/v1/events",
        Some(&supervisor),
        json!({"employee": "E002", "kind": "uniform", "date": "2026-06-25"}),
    );
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let photo = |token: &str, bytes: Vec<u8>| {
        let mut res = ureq::post(s.url(&format!("/api/v1/events/{id}/photos")))
            .config()
            .http_status_as_error(false)
            .build()
            .header("Authorization", format!("Bearer {token}"))
            .header("Content-Type", "image/jpeg")
            .send(&bytes[..])
            .unwrap();
        (
            res.status().as_u16(),
            res.body_mut().read_to_string().unwrap_or_default(),
        )
    };
    let (status, body) = photo(&supervisor, jpeg_with_gps());
    assert_eq!(status, 201, "{body}");
    // Not an image: 422 with the reason, in Chinese.
    let (status, body) = photo(&supervisor, b"<html>".to_vec());
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("不是 JPEG"), "{body}");
    // An employee may not attach to someone's event.
    let (status, _) = photo(&s.token("E003"), jpeg_with_gps());
    assert_eq!(status, 403);

    let (status, listed) = s.get(
        &format!("/api/v1/events/{id}/photos"),
        Some(&s.token("E002")),
    );
    assert_eq!(status, 200, "{listed}");
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    let sha = listed["photos"][0]["sha256"].as_str().unwrap().to_string();
    let fetch = |token: &str| {
        let mut res = ureq::get(s.url(&format!("/photos/{sha}")))
            .config()
            .http_status_as_error(false)
            .build()
            .header("Authorization", format!("Bearer {token}"))
            .call()
            .unwrap();
        let status = res.status().as_u16();
        let bytes = res.body_mut().read_to_vec().unwrap_or_default();
        (status, bytes)
    };
    let (status, bytes) = fetch(&s.token("E002"));
    assert_eq!(status, 200);
    assert!(!has_gps(&bytes) && bytes.starts_with(&[0xFF, 0xD8]));
    assert_eq!(fetch(&s.token("E003")).0, 403, "another employee");
    assert_eq!(fetch(&s.token("队长")).0, 403, "another department's head");
    assert_eq!(fetch(&s.token("部门负责人")).0, 200);
    // A hash nobody attached is not found, for everyone alike.
    let (status, _) = s.get(&format!("/photos/{}", "0".repeat(64)), Some(&s.token("HR")));
    assert_eq!(status, 404);
}
