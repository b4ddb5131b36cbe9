//! The annual review chain and the department appraisal, through the real binary.

use serde_json::json;

use crate::util::{Workspace, json, staffed};

/// Staff with a department head (E001) and a year of data, reviews started.
fn started() -> Workspace {
    let ws = staffed();
    ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    ws.cmd("log add E002 absence --date 2026-02-03 --qty 4 --by 张主管")
        .ok();
    let out = ws
        .cmd("review start --year 2026 --by HR --open-months-ok")
        .ok();
    assert!(
        out.contains("started 3 reviews for 2026 (0 already started)")
            && out.contains("not rated (employed too few months of 2026): E004"),
        "{out}"
    );
    ws
}

#[test]
fn steps_are_signed_in_order_by_the_right_people_with_reasons() {
    let ws = started();
    let again = ws
        .cmd("review start --year 2026 --by HR --open-months-ok")
        .ok();
    assert!(
        again.contains("started 0 reviews for 2026 (3 already started)"),
        "{again}"
    );
    let err = ws
        .cmd("review sign E002 --year 2026 --step company --grade good --by HR")
        .fails(1);
    assert!(
        err.contains("step `company` comes later; the next step to sign is `manager`"),
        "{err}"
    );
    let err = ws
        .cmd("review sign E002 --year 2026 --step manager --grade good --by E003")
        .fails(1);
    assert!(
        err.contains("signed by `E002`'s supervisor `E001`, not `E003`"),
        "{err}"
    );
    let err = ws
        .cmd("review sign E002 --year 2026 --step manager --grade average --by E001")
        .fails(1);
    assert!(
        err.contains("differs from the previous step's `good`; a comment saying why is required")
            && err.contains("`--comment …`"),
        "{err}"
    );
    let err = ws
        .cmd("review sign E002 --year 2026 --step manager --grade great --by E001")
        .fails(1);
    assert!(err.contains("unknown grade `great`"), "{err}");
    // A step and a grade may be named by their labels too.
    ws.cmd("review sign E002 --year 2026 --step 直属上级 --grade 良好 --by E001")
        .ok();
    let status = json(&ws.cmd("review status --year 2026 --format json").ok());
    let signed = &status["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["employee"] == "E002")
        .unwrap()["signatures"][0];
    assert_eq!(signed["grade"], "good", "{signed}");
    let err = ws
        .cmd("review sign E002 --year 2026 --step manager --grade good --by E001")
        .fails(1);
    assert!(err.contains("step `manager` is already signed"), "{err}");
    let err = ws
        .cmd("review sign E002 --year 2026 --step department_head --grade good --by E003")
        .fails(1);
    assert!(
        err.contains("the head of `customer-service`, `E001`"),
        "{err}"
    );
    ws.run(&[
        "review",
        "sign",
        "E002",
        "--year",
        "2026",
        "--step",
        "department_head",
        "--grade",
        "average",
        "--by",
        "E001",
        "--comment",
        "争吵影响恶劣",
    ])
    .ok();
    // The company's step is HR's: not the head who signed before, not a head's login.
    for by in ["E001", "部门负责人"] {
        let err = ws
            .cmd(&format!(
                "review sign E002 --year 2026 --step company --grade excellent --by {by}"
            ))
            .fails(1);
        assert!(
            err.contains("may not sign the company step; ask HR"),
            "{err}"
        );
    }
    let out = ws
        .cmd("review sign E002 --year 2026 --step company --grade average --by HR")
        .ok();
    assert!(
        out.contains("the review is complete, final grade `average`"),
        "{out}"
    );
    let err = ws
        .cmd("review sign E002 --year 2026 --step company --grade good --by HR")
        .fails(1);
    assert!(err.contains("is complete (final grade `average`)"), "{err}");

    let status = json(&ws.cmd("review status --year 2026 --format json").ok());
    let reviews = status["reviews"].as_array().unwrap();
    let e2 = reviews.iter().find(|r| r["employee"] == "E002").unwrap();
    assert_eq!(e2["proposal"]["grade"], "good");
    assert_eq!(
        e2["final"],
        json!({"grade": "average", "label": "一般", "outcomes": ["警告或降级", "扣发年度奖金"]})
    );
    assert_eq!(e2["signatures"][1]["comment"], "争吵影响恶劣");
    let e3 = reviews.iter().find(|r| r["employee"] == "E003").unwrap();
    assert_eq!(
        e3["waiting_on"],
        json!({"step": "manager", "signer": "E001"})
    );
    let e1 = reviews.iter().find(|r| r["employee"] == "E001").unwrap();
    assert_eq!(
        e1["steps"],
        json!(["department_head", "company"]),
        "a manager's chain"
    );

    let db = rusqlite::Connection::open(ws.path("appraise.db")).unwrap();
    assert!(
        db.execute("UPDATE review_signatures SET grade = 'excellent'", [])
            .is_err()
    );
    assert!(db.execute("DELETE FROM review_signatures", []).is_err());
}

#[test]
fn no_one_signs_their_own_review() {
    let ws = started();
    let err = ws
        .cmd("review sign E001 --year 2026 --step department_head --grade excellent --by E001")
        .fails(1);
    assert!(err.contains("no one signs their own review"), "{err}");
}

#[test]
fn a_role_without_a_chain_starts_no_review() {
    let ws = staffed();
    ws.cmd("staff add E009 --name 实习生 --department customer-service --role intern --joined 2026-01-05").ok();
    let err = ws
        .cmd("review start --year 2026 --by HR --open-months-ok")
        .fails(1);
    assert!(
        err.contains(
            "`E009` has role `intern`, for which policy `customer-service` has no review chain"
        ),
        "{err}"
    );
    assert!(err.contains("no review was started"), "{err}");
    let err = ws
        .run_env(
            &["review", "start", "--year", "2026", "--open-months-ok"],
            &[("APPRAISE_LANG", "zh")],
        )
        .fails(1);
    assert!(
        err.contains("“E009”的岗位是“intern”，考评细则“customer-service”没有为它设评审流程")
            && err.contains("未启动评审。"),
        "{err}"
    );
    assert_eq!(
        json(&ws.cmd("review status --year 2026 --format json").ok())["reviews"],
        json!([])
    );
}

#[test]
fn department_targets_and_budget_give_the_heads_cut_and_the_bonus() {
    let ws = staffed();
    for (name, flag) in [
        ("回访率", "--missed"),
        ("满意度", "--met"),
        ("及时率", "--missed"),
    ] {
        ws.run(&[
            "dept",
            "target",
            "customer-service",
            "--year",
            "2026",
            "--name",
            name,
            flag,
            "--by",
            "HR",
        ])
        .ok();
    }
    // Recording a target again replaces it.
    ws.run(&[
        "dept",
        "target",
        "customer-service",
        "--year",
        "2026",
        "--name",
        "及时率",
        "--met",
        "--by",
        "HR",
    ])
    .ok();
    ws.cmd("dept budget customer-service --year 2026 --budget 100000 --spent 90000.50 --by HR")
        .ok();
    for i in 0..12 {
        ws.run(&[
            "dept",
            "target",
            "security",
            "--year",
            "2026",
            "--name",
            &format!("t{i}"),
            "--missed",
            "--by",
            "HR",
        ])
        .ok();
    }
    ws.cmd("dept budget security --year 2026 --budget 100 --spent 150 --by HR")
        .ok();
    let v = json(&ws.cmd("dept rate --year 2026 --format json").ok());
    let d = &v["departments"];
    assert_eq!(d[0]["department"], "customer-service");
    assert_eq!(
        (
            d[0]["targets_total"].clone(),
            d[0]["targets_missed"].clone()
        ),
        (json!(3), json!(1))
    );
    assert_eq!(d[0]["missed"], json!(["回访率"]));
    assert_eq!(d[0]["head_bonus_cut"], 10);
    assert_eq!(d[0]["savings"], json!(9999.5));
    assert_eq!(d[0]["department_bonus"], json!(1999.9));
    assert_eq!(
        (
            d[1]["head_bonus_cut"].clone(),
            d[1]["department_bonus"].clone()
        ),
        (json!(100), json!(0))
    );
    let err = ws
        .cmd("dept target nowhere --year 2026 --name x --met")
        .fails(1);
    assert!(err.contains("no department `nowhere`"), "{err}");
    let err = ws
        .run(&[
            "dept",
            "budget",
            "security",
            "--year",
            "2026",
            "--budget=-5",
            "--spent",
            "1",
        ])
        .fails(1);
    assert!(
        err.contains("must be an amount of yuan, not negative"),
        "{err}"
    );
}

#[test]
fn the_signed_grade_is_the_grade_of_record_everywhere() {
    let ws = started();
    // E002 computes `good`; the chain ends with `average`.
    ws.cmd("review sign E002 --year 2026 --step manager --grade good --by E001")
        .ok();
    // A new head after the start does not take over: the chain keeps the head in force
    // when it started, E001.
    ws.cmd("dept add customer-service --head E003 --by HR").ok();
    let err = ws
        .run(&[
            "review",
            "sign",
            "E002",
            "--year",
            "2026",
            "--step",
            "department_head",
            "--grade",
            "average",
            "--by",
            "E003",
            "--comment",
            "态度问题",
        ])
        .fails(1);
    assert!(err.contains("`E001`, not `E003`"), "{err}");
    ws.run(&[
        "review",
        "sign",
        "E002",
        "--year",
        "2026",
        "--step",
        "department_head",
        "--grade",
        "average",
        "--by",
        "E001",
        "--comment",
        "态度问题",
    ])
    .ok();
    ws.cmd("review sign E002 --year 2026 --step company --grade average --by HR")
        .ok();

    let rate = json(&ws.cmd("rate --year 2026 --format json").ok());
    let e002 = rate["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["employee"] == "E002")
        .unwrap()
        .clone();
    assert_eq!(e002["grade"], "average");
    assert_eq!(e002["label"], "一般");
    assert_eq!(e002["computed_grade"], "good");
    assert_eq!(e002["review"], "final");
    assert!(
        !e002["outcomes"]
            .as_array()
            .unwrap()
            .contains(&json!("表扬")),
        "{e002}"
    );
    let e003 = rate["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["employee"] == "E003")
        .unwrap()
        .clone();
    assert_eq!(e003["review"], "waiting:manager");
    assert_eq!(e003["grade"], e003["computed_grade"]);

    let year = json(&ws.cmd("explain E002 --year 2026 --format json").ok());
    assert_eq!(year["rating"]["grade"], "average");
    assert!(
        year["because"]
            .as_str()
            .unwrap()
            .starts_with("已签署评审的最终等级；按规则计算为“良好”"),
        "{year}"
    );
    ws.cmd("report ratings --year 2026 --out r.csv").ok();
    let csv = std::fs::read_to_string(ws.path("r.csv")).unwrap();
    let line = csv.lines().find(|l| l.starts_with("E002")).unwrap();
    assert!(line.contains(",一般,average,"), "{line}");
    assert!(line.contains("已定稿（计算等级 良好）"), "{line}");
    ws.cmd("report recommendation E002 --year 2026 --out rec.md")
        .ok();
    let rec = std::fs::read_to_string(ws.path("rec.md")).unwrap();
    assert!(rec.contains("| 考评等级 | 一般 |"), "{rec}");
    assert!(!rec.contains("晋升加薪"), "{rec}");
}

#[test]
fn reviews_wait_for_the_months_to_be_closed() {
    let ws = staffed();
    let err = ws
        .cmd("review start --year 2026 --through 2026-03 --by HR")
        .fails(1);
    assert!(
        err.contains(
            "3 months of the year are still open: 2026-01, 2026-02, 2026-03; no review was started"
        ),
        "{err}"
    );
    assert!(err.contains("--open-months-ok"), "{err}");
    for m in ["2026-01", "2026-02", "2026-03"] {
        ws.cmd(&format!("month close {m} --by HR")).ok();
    }
    ws.cmd("review start --year 2026 --through 2026-03 --by HR")
        .ok();
    // Going on despite open months is possible, and on record.
    let ws = staffed();
    ws.cmd("review start --year 2026 --by HR --open-months-ok")
        .ok();
    let audit = ws.cmd("audit").ok();
    assert!(
        audit.contains("started with open months: 2026-01"),
        "{audit}"
    );
}

/// Four failed months of quarrels compute 差 with a dismissal recommendation; the review
/// makes it 一般. The recommendation then follows the grade of record: not headed 辞退 or
/// 重罚, no 建议辞退 among the year's flags, and it says what was computed and who changed it.
#[test]
fn a_recommendation_follows_the_grade_the_review_gave() {
    let ws = staffed();
    ws.cmd("dept add customer-service --name 客户服务部 --head E001 --by HR")
        .ok();
    for m in 1..=4 {
        ws.cmd(&format!(
            "log add E002 quarrel --date 2026-0{m}-03 --qty 4 --by 张主管"
        ))
        .ok();
    }
    ws.cmd("review start --year 2026 --by HR --open-months-ok")
        .ok();
    let before = {
        ws.cmd("report recommendation E002 --year 2026 --out before.md")
            .ok();
        std::fs::read_to_string(ws.path("before.md")).unwrap()
    };
    assert!(before.contains("建议：**辞退**"), "{before}");
    for (step, by) in [
        ("manager", "E001"),
        ("department_head", "E001"),
        ("company", "HR"),
    ] {
        ws.run(&[
            "review",
            "sign",
            "E002",
            "--year",
            "2026",
            "--step",
            step,
            "--grade",
            "average",
            "--by",
            by,
            "--comment",
            "已调岗，给予改正机会",
        ])
        .ok();
    }
    ws.cmd("report recommendation E002 --year 2026 --out rec.md")
        .ok();
    let rec = std::fs::read_to_string(ws.path("rec.md")).unwrap();
    assert!(rec.contains("建议：**奖惩**"), "{rec}");
    assert!(
        rec.contains("| 考评等级 | 一般 | 考评结果 | 警告或降级、扣发年度奖金 |"),
        "{rec}"
    );
    assert!(
        rec.contains("计算等级：差（建议辞退）；经审核于 ")
            && rec.contains(" 改为 一般，终审签署人：HR。"),
        "{rec}"
    );
    let flags = rec.lines().find(|l| l.starts_with("标记：")).unwrap();
    assert!(
        !flags.contains("建议辞退") && flags.contains("严重违纪×16"),
        "{flags}"
    );
    // The serious cases stay listed for the punishment beyond the points.
    assert!(rec.contains("与业主发生争吵（4次）"), "{rec}");
}
