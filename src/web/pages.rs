//! The pages people use, server-rendered from `templates/web/` and working without
//! JavaScript: each form posts, and the answer is a redirect to the page that shows the
//! result (so a reload never enters anything twice) or the form again with the error next
//! to the field. Grouped by whose work they are:
//! - `day`: the supervisor's day page and entry forms;
//! - `record`: an employee's months, every point explained, and appeals;
//! - `office`: the head's inbox, HR's month board, reports and the audit log.

mod admin;
mod day;
mod department;
mod leave;
mod notices;
mod office;
mod record;
mod rules;
mod staff;

use askama::Template;
use axum::extract::State as Shared;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;

use super::State;
use super::auth::{self, Caller};
use super::reply::{messages, status_of};
use crate::app::{Actor, Error};
use crate::domain::user::Role;

/// A page's answer: the page, or an error page (or redirect) in its place.
type Page = Result<Response, Response>;

pub fn routes() -> Router<State> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .merge(admin::routes())
        .merge(day::routes())
        .merge(record::routes())
        .merge(leave::routes())
        .merge(notices::routes())
        .merge(office::routes())
        .merge(rules::routes())
        .merge(staff::routes())
        .merge(department::routes())
}

/// The bar at the top of every page of a logged-in person.
pub struct Nav {
    pub name: String,
    pub role: &'static str,
    pub csrf: String,
    pub links: Vec<(&'static str, &'static str)>,
    /// How much work waits on them, shown beside 待办.
    pub waiting: usize,
    /// What the write that led here did, confirmed at the top of the page.
    pub notice: Option<&'static str>,
}

impl Nav {
    /// The links of the caller's work, their own record first when they are an employee.
    pub fn of(caller: &Caller) -> Nav {
        let a = &caller.actor;
        let mut links = vec![("/", "首页")];
        let role = a.role();
        if matches!(role, Some(Role::Hr)) {
            links.extend([("/months", "月度看板"), ("/ratings", "年度评定")]);
        }
        if matches!(role, Some(Role::Hr | Role::Head | Role::Supervisor)) {
            links.push(("/day", "今日录入"));
        }
        if matches!(role, Some(Role::Hr | Role::Head | Role::Supervisor)) {
            links.push(("/inbox", "待办"));
        }
        if matches!(role, Some(Role::Head)) {
            links.extend([("/statement", "月度说明书"), ("/department", "部门考核")]);
        }
        if matches!(role, Some(Role::Hr | Role::Head)) {
            links.push(("/rules", "规则"));
        }
        if matches!(role, Some(Role::Hr)) {
            links.extend([
                ("/staff", "员工档案"),
                ("/admin", "人事管理"),
                ("/notices", "通知"),
                ("/audit", "审计"),
            ]);
        }
        if a.employee().is_some() {
            links.extend([("/me", "我的记录"), ("/leave", "请假补卡")]);
        }
        Nav {
            name: a.name().to_string(),
            role: role.unwrap_or(Role::Employee).label(),
            csrf: caller.csrf(),
            links,
            waiting: caller
                .waiting
                .as_ref()
                .map_or(0, crate::app::Waiting::total),
            notice: caller
                .done
                .as_deref()
                .and_then(Done::from_id)
                .map(Done::said),
        }
    }
}

/// What a write did, confirmed on the page it leads to (`?done=ID`): a form's answer is a
/// redirect, so the page shown next says that the write was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Appealed,
    Voided,
    AppealDecided,
    CorrectionDecided,
    LeaveDecided,
    Signed,
    PasswordChanged,
    LoginDisabled,
    StaffChanged,
    Excused,
    CorrectionRequested,
    ChannelSaved,
    NoticeTested,
    SettingsSaved,
}

impl Done {
    const ALL: [Done; 14] = [
        Done::ChannelSaved,
        Done::NoticeTested,
        Done::SettingsSaved,
        Done::Appealed,
        Done::Voided,
        Done::AppealDecided,
        Done::CorrectionDecided,
        Done::LeaveDecided,
        Done::Signed,
        Done::PasswordChanged,
        Done::LoginDisabled,
        Done::StaffChanged,
        Done::Excused,
        Done::CorrectionRequested,
    ];

    fn id(self) -> &'static str {
        match self {
            Done::Appealed => "appealed",
            Done::Voided => "voided",
            Done::AppealDecided => "appeal-decided",
            Done::CorrectionDecided => "correction-decided",
            Done::LeaveDecided => "leave-decided",
            Done::Signed => "signed",
            Done::PasswordChanged => "password-changed",
            Done::LoginDisabled => "login-disabled",
            Done::StaffChanged => "staff-changed",
            Done::Excused => "excused",
            Done::CorrectionRequested => "correction-requested",
            Done::ChannelSaved => "channel-saved",
            Done::NoticeTested => "notice-tested",
            Done::SettingsSaved => "settings-saved",
        }
    }

    fn from_id(id: &str) -> Option<Done> {
        Done::ALL.into_iter().find(|d| d.id() == id)
    }

    /// What the page says.
    fn said(self) -> &'static str {
        match self {
            Done::Appealed => "申诉已提交，等待部门负责人处理。",
            Done::Voided => "记录已作废，作废原因已存档。",
            Done::AppealDecided => "申诉已处理，员工可在自己的记录中看到结果。",
            Done::CorrectionDecided => "补卡已处理。",
            Done::LeaveDecided => "请假已处理。",
            Done::Signed => "评审已签署。",
            Done::PasswordChanged => "密码已修改，下次登录请使用新密码。",
            Done::LoginDisabled => "登录已停用：其会话已全部结束；重置密码即可重新启用。",
            Done::StaffChanged => "员工档案已更新，变更与生效月份已记入历史。",
            Done::Excused => "记录已免除：保留在记录中，不再扣分，免除原因已存档。",
            Done::CorrectionRequested => {
                "补卡申请已提交，等待审批；批准后按补的打卡重新核算当天考勤。"
            }
            Done::ChannelSaved => "通知渠道已保存；可发一条测试通知确认。",
            Done::NoticeTested => "测试通知已发出，请到接收方确认。",
            Done::SettingsSaved => "设置已保存。",
        }
    }
}

/// `text` as one segment of a path (an employee id may hold `/`, `?` or spaces).
pub fn segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// What a long list is narrowed to, as its page's query gives it: `q` (text in a name or
/// id) and `page`.
#[derive(Debug, Default, serde::Deserialize)]
pub struct FindQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub page: usize,
}

impl FindQuery {
    pub fn find(&self) -> crate::app::Find {
        crate::app::Find::new(&self.q, self.page)
    }
}

/// A page of a long list as its page shows it: where it is, the text found, and the
/// query its pager keeps from page to page.
pub struct Listing {
    pub pages: crate::app::Pages,
    pub find: String,
    /// The pairs of the page's query that are not empty, the text found among them,
    /// encoded and each followed by `&`, for the page number to end.
    pub keep: String,
}

impl Listing {
    /// `find`'s page at `pages`; the pager keeps `also` (the page's other query pairs)
    /// beside the text found.
    pub fn new(find: crate::app::Find, pages: crate::app::Pages, also: &[(&str, &str)]) -> Listing {
        let kept: Vec<(&str, &str)> = also
            .iter()
            .copied()
            .chain([("q", find.text.as_str())])
            .filter(|(_, v)| !v.is_empty())
            .collect();
        let mut keep = serde_urlencoded::to_string(kept).expect("text pairs always encode");
        if !keep.is_empty() {
            keep.push('&');
        }
        Listing {
            pages,
            find: find.text,
            keep,
        }
    }
}

/// `path` with `?done=ID` (before any `#fragment`), for the page to confirm `what`.
pub fn done(path: &str, what: Done) -> String {
    let (path, fragment) = path.split_once('#').map_or((path, ""), |(p, f)| (p, f));
    let join = if path.contains('?') { '&' } else { '?' };
    let fragment = if fragment.is_empty() {
        String::new()
    } else {
        format!("#{fragment}")
    };
    format!("{path}{join}done={}{fragment}", what.id())
}

/// The words a page shows for the ids it holds: departments' names, event kinds' labels,
/// policies' names (the one catalogue the command line's tables use too).
pub type Words = crate::domain::labels::Glossary;

/// A page rendered with its status.
pub fn render(status: StatusCode, t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page could not be rendered: {e}"),
        )
            .into_response(),
    }
}

#[derive(Template)]
#[template(path = "web/message.html")]
struct MessagePage {
    nav: Option<Nav>,
    title: String,
    lines: Vec<String>,
    /// The page of this site the person came from, to go back and mend what was refused.
    back: Option<String>,
}

/// A page of a few lines: an outcome to confirm, or why something was not done.
pub fn message(caller: &Caller, status: StatusCode, title: &str, lines: Vec<String>) -> Response {
    render(
        status,
        &MessagePage {
            nav: Some(Nav::of(caller)),
            title: title.into(),
            lines,
            back: caller.came_from.clone(),
        },
    )
}

/// The page shown for a refused or failed request, with the status of its kind.
pub fn failed(caller: &Caller, e: Error) -> Response {
    let status = status_of(&e);
    let title = match status {
        StatusCode::FORBIDDEN => "无权操作",
        StatusCode::NOT_FOUND => "未找到",
        s if s.is_client_error() => "无法办理",
        _ => "出错了",
    };
    message(caller, status, title, messages(&e))
}

/// A form sent as `multipart/form-data`: the files it carries and its other fields. (Its
/// CSRF token comes in the query: see `auth`.)
#[derive(Debug, Default)]
pub struct Upload {
    /// Each file's name as the browser gave it, and its bytes, in the order sent; a file
    /// input left empty sends a part without a name, which is not kept.
    pub files: Vec<(String, Vec<u8>)>,
    pub fields: std::collections::BTreeMap<String, String>,
}

impl Upload {
    /// Reads the form; a part that cannot be read refuses the request, saying so.
    pub async fn read(mut form: axum::extract::Multipart) -> crate::app::Result<Upload> {
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            Error::refused(format!("表单无法读取：{}", e.body_text()))
        };
        let mut upload = Upload::default();
        while let Some(part) = form.next_field().await.map_err(unreadable)? {
            let name = part.name().unwrap_or_default().to_string();
            match part.file_name().map(str::to_string) {
                Some(file) => {
                    let bytes = part.bytes().await.map_err(unreadable)?;
                    if !file.is_empty() || !bytes.is_empty() {
                        upload.files.push((file, bytes.to_vec()));
                    }
                }
                None => {
                    let text = part.text().await.map_err(unreadable)?;
                    upload.fields.insert(name, text);
                }
            }
        }
        Ok(upload)
    }

    /// The file sent; refused (naming `what`) when the form came without one.
    pub fn file(&mut self, what: &str) -> crate::app::Result<(String, Vec<u8>)> {
        Some(std::mem::take(&mut self.files))
            .and_then(|f| f.into_iter().next())
            .filter(|(name, _)| !name.is_empty())
            .ok_or_else(|| Error::refused(format!("请选择要上传的{what}")))
    }

    /// The photos sent (every file), as the application takes them.
    pub fn photos(&mut self) -> Vec<crate::app::Upload> {
        std::mem::take(&mut self.files)
            .into_iter()
            .map(|(name, bytes)| crate::app::Upload { name, bytes })
            .collect()
    }

    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map_or("", |v| v.trim())
    }
}

/// The largest form with photos taken: its photos at their largest, and room for the
/// fields.
pub const PHOTOS_BODY: usize =
    crate::intake::photo::MAX_PER_RECORD * crate::intake::photo::MAX_BYTES + 64 * 1024;

/// A form that may carry photos (an entry, an appeal), as it is sent: its fields in
/// order (a checkbox's `true` follows its hidden `false`) and the photos attached, from a
/// multipart form (one with a photo input) or a plain one.
pub struct FormPost {
    pairs: Vec<(String, String)>,
    photos: Vec<crate::app::Upload>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for FormPost {
    type Rejection = axum::response::Response;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use axum::response::IntoResponse;
        let multipart = req
            .headers()
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        if multipart {
            let form = axum::extract::Multipart::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            let mut upload = Upload::read(form).await.map_err(|e| {
                (StatusCode::UNPROCESSABLE_ENTITY, crate::app::zh::error(&e)).into_response()
            })?;
            let photos = upload.photos();
            Ok(FormPost {
                pairs: upload.fields.into_iter().collect(),
                photos,
            })
        } else {
            let Form(pairs) = Form::<Vec<(String, String)>>::from_request(req, state)
                .await
                .map_err(IntoResponse::into_response)?;
            Ok(FormPost {
                pairs,
                photos: Vec::new(),
            })
        }
    }
}

/// Runs an application call for a page, turning its error into the error page.
pub async fn call<T: Send + 'static>(
    state: &State,
    caller: &Caller,
    f: impl FnOnce(&crate::app::App, &Actor) -> crate::app::Result<T> + Send + 'static,
) -> Result<T, Response> {
    let actor = caller.actor.clone();
    state
        .call(move |app| f(app, &actor))
        .await
        .map_err(|e| failed(caller, e))
}

/// See-other: where a form's answer goes, so that reloading it posts nothing again.
pub fn see(to: impl AsRef<str>) -> Response {
    Redirect::to(to.as_ref()).into_response()
}

/// A path on this site to return to, never another site's address.
pub fn back_to<'a>(back: &'a str, otherwise: &'a str) -> &'a str {
    if back.starts_with('/') && !back.starts_with("//") {
        back
    } else {
        otherwise
    }
}

/// `/`: each role's first page.
#[derive(Template)]
#[template(path = "web/home.html")]
struct HomePage {
    nav: Option<Nav>,
    waiting: crate::app::Waiting,
    /// Where their daily work is.
    work: Vec<(&'static str, &'static str)>,
}

/// `/`: what waits on the caller, each with the page where it is done, then their pages.
async fn home(state: Shared<State>, caller: Caller) -> Page {
    let nav = Nav::of(&caller);
    let work = nav.links.iter().skip(1).copied().collect();
    let waiting = waiting_on(&state, &caller).await?;
    Ok(render(
        StatusCode::OK,
        &HomePage {
            nav: Some(nav),
            waiting,
            work,
        },
    ))
}

/// What waits on the caller: as the request's session found it (a page read), else
/// worked out now.
pub async fn waiting_on(state: &State, caller: &Caller) -> Result<crate::app::Waiting, Response> {
    match &caller.waiting {
        Some(w) => Ok(w.clone()),
        None => call(state, caller, |app, by| app.waiting(by)).await,
    }
}

#[derive(Template)]
#[template(path = "web/login.html")]
struct LoginPage {
    nav: Option<Nav>,
    csrf: String,
    login: String,
    error: Option<String>,
}

async fn login_form(client: auth::Client, jar: CookieJar) -> Response {
    let (secret, jar) = auth::pre_login(&client, jar);
    let page = LoginPage {
        nav: None,
        csrf: auth::csrf_for(&secret),
        login: String::new(),
        error: None,
    };
    (jar, render(StatusCode::OK, &page)).into_response()
}

#[derive(Deserialize)]
struct Credentials {
    login: String,
    password: String,
}

async fn login(
    state: Shared<State>,
    client: auth::Client,
    jar: CookieJar,
    Form(c): Form<Credentials>,
) -> Response {
    let login = c.login.clone();
    match auth::log_in(&state, &client, c.login, c.password).await {
        Ok(session) => {
            let jar = jar.add(auth::session_cookie(&client, &session));
            (jar, see("/")).into_response()
        }
        Err(e) => {
            let (status, error) = (status_of(&e), crate::app::zh::error(&e));
            let (secret, jar) = auth::pre_login(&client, jar);
            let page = LoginPage {
                nav: None,
                csrf: auth::csrf_for(&secret),
                login,
                error: Some(error),
            };
            (jar, render(status, &page)).into_response()
        }
    }
}

async fn logout(state: Shared<State>, caller: Caller, jar: CookieJar) -> Page {
    let token = caller.token.clone();
    call(&state, &caller, move |app, _| app.logout(&token)).await?;
    Ok((auth::logged_out(jar), see("/login")).into_response())
}
