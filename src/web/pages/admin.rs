//! HR's running of the company from the browser (人事管理): the files the command line
//! imports (staff, roster, clock, handovers, leave, holidays), uploaded and checked the same
//! way; logins made one at a time or for every employee of a department, each with a first
//! password shown once; passwords reset; departments; a consistent backup to download. Every
//! action is the same `app` operation as the command line's, audited the same way.

use askama::Template;
use std::collections::BTreeSet;

use axum::extract::{Multipart, Path, Query, State as Shared};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Form, Router};
use serde::Deserialize;

use super::{
    Done, FindQuery, Listing, Nav, Page, Upload, Words, call, done, failed, message, render, see,
};
use crate::app::{AttendanceImported, Error, FileInput, IssuedLogin};
use crate::domain::staff::Department;
use crate::domain::user::{Role, User};
use crate::web::State;
use crate::web::auth::Caller;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/admin", get(admin))
        .route("/admin/import", post(import))
        .route("/admin/logins", post(add_login))
        .route("/admin/logins/issue", post(issue))
        .route("/admin/logins/{login}/reset", post(reset))
        .route("/admin/logins/{login}/disable", post(disable))
        .route("/admin/departments", post(save_department))
        .route("/admin/backup", get(backup))
        .route("/password", get(password_form).post(change_password))
}

#[derive(Template)]
#[template(path = "web/admin.html")]
struct AdminPage {
    nav: Option<Nav>,
    /// The page of logins found.
    users: Vec<User>,
    /// Where the page is in its list, the text found, and what its pager keeps.
    list: Listing,
    /// The logins that can log in (the others are disabled).
    enabled: BTreeSet<String>,
    /// The caller's login, which they cannot disable.
    me: String,
    departments: Vec<Department>,
    words: Words,
}

/// `/admin?q=&page=`: the uploads, the logins (a page at a time, found by login or name),
/// the departments and the backup.
async fn admin(state: Shared<State>, caller: Caller, Query(q): Query<FindQuery>) -> Page {
    let nav = Some(Nav::of(&caller));
    let page = call(&state, &caller, move |app, by| {
        let find = q.find();
        let found = app
            .users(by)?
            .into_iter()
            .filter(|u| find.matches(&u.login, &u.name))
            .collect();
        let (users, pages) = find.page(found);
        Ok(AdminPage {
            nav,
            users,
            list: Listing::new(find, pages, &[]),
            enabled: app.enabled_logins(by)?,
            me: by.name().to_string(),
            departments: app.departments()?,
            words: app.labels()?,
        })
    })
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// The files HR uploads, as the command line's imports take them.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Staff,
    Roster,
    Clock,
    Handover,
    Leave,
    Holidays,
}

impl Kind {
    fn of(id: &str) -> Option<Kind> {
        Some(match id {
            "staff" => Kind::Staff,
            "roster" => Kind::Roster,
            "clock" => Kind::Clock,
            "handover" => Kind::Handover,
            "leave" => Kind::Leave,
            "holidays" => Kind::Holidays,
            _ => return None,
        })
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Staff => "员工名册",
            Kind::Roster => "排班表",
            Kind::Clock => "打卡记录",
            Kind::Handover => "交接班记录",
            Kind::Leave => "请假记录",
            Kind::Holidays => "节假日安排",
        }
    }
}

/// What an attendance import did, in lines people read.
fn attendance_lines(r: &AttendanceImported) -> Vec<String> {
    let mut lines = vec![format!(
        "{}（按 {} 读取）：{} 行，重新核算 {} 人日。",
        r.file,
        r.encoding.name(),
        r.rows,
        r.days
    )];
    lines.push(format!(
        "新增记录 {} 条（其中旷工 {}、缺卡 {}），撤回 {} 条，释放 {} 人日。",
        r.added, r.absences, r.missing_punches, r.withdrawn, r.released
    ));
    if !r.stored {
        lines.push("只做了检查，尚未保存；确认无误后请选择“导入”。".into());
    }
    lines
}

/// `POST /admin/import?csrf=`: one of HR's files, checked and stored whole or not at all;
/// a bad row anywhere is named and nothing is stored.
async fn import(state: Shared<State>, caller: Caller, form: Multipart) -> Page {
    let refused = |e| failed(&caller, e);
    let mut upload = Upload::read(form).await.map_err(refused)?;
    let kind = Kind::of(upload.field("kind"))
        .ok_or_else(|| refused(Error::refused("请选择文件的类别")))?;
    let (name, bytes) = upload.file(kind.label()).map_err(refused)?;
    let check_only = upload.field("action") == "check";
    let effective = match upload.field("effective") {
        "" => None,
        m => Some(crate::web::parse_month(m).map_err(refused)?),
    };
    let accept = match upload.field("accept") {
        "" => None,
        n => Some(n.parse::<usize>().map_err(|_| {
            refused(Error::refused(format!(
                "“{}”不是人数；请填写整数",
                crate::domain::text::clip(n)
            )))
        })?),
    };
    let lines = call(&state, &caller, move |app, by| {
        let file = FileInput::Sent {
            name: &name,
            bytes: &bytes,
        };
        Ok(match kind {
            Kind::Staff => {
                let r = app.import_staff(by, file, effective)?;
                vec![format!(
                    "{}（按 {} 读取）：新增 {} 人，变更 {} 人{}。",
                    r.file,
                    r.encoding.name(),
                    r.added,
                    r.updated,
                    effective.map_or(String::new(), |m| format!("，自 {m} 起生效"))
                )]
            }
            Kind::Roster => attendance_lines(&app.import_roster(by, file)?),
            Kind::Clock => attendance_lines(&app.import_clock(by, file, check_only, accept)?),
            Kind::Handover => attendance_lines(&app.import_handovers(by, file)?),
            Kind::Leave => {
                let r = app.import_leave(by, file)?;
                let mut lines = attendance_lines(&r.done);
                for (why, n) in &r.left_out {
                    lines.push(format!("未计入 {n} 天：{why}"));
                }
                lines
            }
            Kind::Holidays => attendance_lines(&app.import_holidays(by, file)?),
        })
    })
    .await?;
    Ok(message(
        &caller,
        StatusCode::OK,
        &format!("{}已导入", kind.label()),
        lines,
    ))
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    name: String,
    role: String,
    #[serde(default)]
    employee: String,
    #[serde(default)]
    department: String,
}

/// The logins just made and their first passwords, shown this once.
#[derive(Template)]
#[template(path = "web/issued.html")]
struct IssuedPage {
    nav: Option<Nav>,
    issued: Vec<IssuedLogin>,
}

fn issued_page(caller: &Caller, issued: Vec<IssuedLogin>) -> axum::response::Response {
    let mut res = render(
        StatusCode::OK,
        &IssuedPage {
            nav: Some(Nav::of(caller)),
            issued,
        },
    );
    // Passwords shown once: no cache keeps the page.
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    res
}

/// `POST /admin/logins`: one login, with a first password shown once.
async fn add_login(state: Shared<State>, caller: Caller, Form(f): Form<LoginForm>) -> Page {
    let refused = |e| failed(&caller, e);
    let role: Role = f
        .role
        .parse()
        .map_err(|_| refused(Error::refused("请选择角色")))?;
    let optional = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let user = User {
        login: f.login.trim().to_string(),
        name: f.name.trim().to_string(),
        role,
        employee: optional(&f.employee),
        department: optional(&f.department),
    };
    let issued = call(&state, &caller, move |app, by| {
        let user = app.add_user(by, user)?;
        Ok(vec![app.reset_password(by, &user.login)?])
    })
    .await?;
    Ok(issued_page(&caller, issued))
}

#[derive(Deserialize)]
struct IssueForm {
    /// A department id, or empty for every department.
    #[serde(default)]
    department: String,
}

/// `POST /admin/logins/issue`: a login for every employee (of a department) without one.
async fn issue(state: Shared<State>, caller: Caller, Form(f): Form<IssueForm>) -> Page {
    let issued = call(&state, &caller, move |app, by| {
        let department = Some(f.department.trim()).filter(|d| !d.is_empty());
        app.issue_logins(by, department)
    })
    .await?;
    Ok(issued_page(&caller, issued))
}

/// `POST /admin/logins/LOGIN/disable`: nothing opens the login until its password is
/// reset.
async fn disable(state: Shared<State>, caller: Caller, Path(login): Path<String>) -> Page {
    // Back to the login, found, to see it disabled.
    let back = format!(
        "/admin?{}#logins",
        serde_urlencoded::to_string([("q", &login)]).expect("text pairs always encode")
    );
    call(&state, &caller, move |app, by| {
        app.disable_login(by, &login)
    })
    .await?;
    Ok(see(done(&back, Done::LoginDisabled)))
}

/// `POST /admin/logins/LOGIN/reset`: a new first password, shown once.
async fn reset(state: Shared<State>, caller: Caller, Path(login): Path<String>) -> Page {
    let issued = call(&state, &caller, move |app, by| {
        Ok(vec![app.reset_password(by, &login)?])
    })
    .await?;
    Ok(issued_page(&caller, issued))
}

#[derive(Deserialize)]
struct DepartmentForm {
    id: String,
    name: String,
    #[serde(default)]
    head: String,
}

/// `POST /admin/departments`: a department set up or renamed, with its head.
async fn save_department(
    state: Shared<State>,
    caller: Caller,
    Form(f): Form<DepartmentForm>,
) -> Page {
    call(&state, &caller, move |app, by| {
        let head = Some(f.head.trim()).filter(|h| !h.is_empty());
        let name = Some(f.name.trim()).filter(|n| !n.is_empty());
        app.save_department(by, f.id.trim(), name, head)
    })
    .await?;
    Ok(see("/admin#departments"))
}

/// `GET /admin/backup`: a consistent copy of the database, made while others go on
/// writing, to download. The copy is sent as it is read from disk, never held whole in
/// memory (a company's year is gigabytes), and deleted once sent.
async fn backup(state: Shared<State>, caller: Caller) -> Page {
    let (head, dir, copy) = call(&state, &caller, move |app, by| {
        let dir = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let copy = dir.path().join("appraise.db");
        let head = app.backup(by, &copy)?;
        Ok((head, dir, copy))
    })
    .await?;
    let io = |source| {
        super::failed(
            &caller,
            Error::Io {
                path: copy.clone(),
                source,
            },
        )
    };
    let file = tokio::fs::File::open(&copy).await.map_err(io)?;
    let size = file.metadata().await.map_err(io)?.len();
    let name = format!(
        "appraise-{}-{}.db",
        chrono::Local::now().format("%Y%m%d-%H%M"),
        &head[..12.min(head.len())]
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.sqlite3".to_string()),
            (header::CONTENT_LENGTH, size.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        axum::body::Body::new(FileBody {
            file,
            buffer: vec![0; 256 << 10],
            _dir: dir,
        }),
    )
        .into_response())
}

/// A file sent in chunks as it is read; its folder is deleted when the answer is done
/// with (sent, or the client gone).
struct FileBody {
    file: tokio::fs::File,
    buffer: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl axum::body::HttpBody for FileBody {
    type Data = axum::body::Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        use std::task::Poll;
        use tokio::io::AsyncRead;
        let this = self.get_mut();
        let mut read = tokio::io::ReadBuf::new(&mut this.buffer);
        match std::pin::Pin::new(&mut this.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if read.filled().is_empty() => Poll::Ready(None),
            Poll::Ready(Ok(())) => Poll::Ready(Some(Ok(http_body::Frame::data(
                axum::body::Bytes::copy_from_slice(read.filled()),
            )))),
        }
    }
}

#[derive(Template)]
#[template(path = "web/password.html")]
struct PasswordPage {
    nav: Option<Nav>,
    error: Option<String>,
    min: usize,
}

/// `/password`: anyone changes their own password.
async fn password_form(caller: Caller) -> Page {
    Ok(render(
        StatusCode::OK,
        &PasswordPage {
            nav: Some(Nav::of(&caller)),
            error: None,
            min: crate::app::MIN_PASSWORD,
        },
    ))
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
    again: String,
}

/// `POST /password`: the new password, typed twice.
async fn change_password(
    state: Shared<State>,
    caller: Caller,
    Form(f): Form<PasswordForm>,
) -> Page {
    let again = |error: String| {
        render(
            StatusCode::UNPROCESSABLE_ENTITY,
            &PasswordPage {
                nav: Some(Nav::of(&caller)),
                error: Some(error),
                min: crate::app::MIN_PASSWORD,
            },
        )
    };
    if f.password != f.again {
        return Err(again("两次输入的密码不一致。".into()));
    }
    let login = caller.actor.name().to_string();
    let by = caller.actor.clone();
    state
        .call(move |app| app.set_password(&by, &login, &f.password))
        .await
        .map_err(|e| again(crate::app::zh::error(&e)))?;
    Ok(see(super::done("/", super::Done::PasswordChanged)))
}
