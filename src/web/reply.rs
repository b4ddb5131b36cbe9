//! How an application error becomes an HTTP answer: the status comes from the error's kind
//! alone (the same kinds the command line turns into exit codes), the words from the
//! error's Chinese wording ([`zh`](crate::app::zh)).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::app::Error;
use crate::store;

/// The status an error answers with: refused as out of scope 403, not on file 404, a
/// request at fault otherwise 422 (an unreadable upload too), anything broken 500.
pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::NotAllowed(_)
        | Error::OwnCorrection
        | Error::NobodyToEnter { .. }
        | Error::NotTheSigner(_) => StatusCode::FORBIDDEN,
        Error::WrongLogin | Error::SessionEnded => StatusCode::UNAUTHORIZED,
        Error::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::NotFound(_)
        | Error::Invalid(crate::app::Invalid::NoPhoto(_))
        | Error::Store(store::Error::NoEvent(_))
        | Error::Store(store::Error::NoAppeal(_)) => StatusCode::NOT_FOUND,
        e if e.is_refusal() => StatusCode::UNPROCESSABLE_ENTITY,
        // An upload that is not a readable file of its kind (a broken or oversized
        // workbook, bytes that are not text) is the request's fault, not the server's.
        Error::Unreadable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The error's messages, one per problem: a rejected entry's are the command line's.
pub fn messages(e: &Error) -> Vec<String> {
    problems(e).into_iter().map(|(_, m)| m).collect()
}

/// The error's problems, each with the form field it is about, if one (a form shows it
/// beside that field).
pub fn problems(e: &Error) -> Vec<(Option<String>, String)> {
    // A page or a response lists at most as many as the command line does.
    let unheld = match e {
        Error::Rejected { rows, .. } => rows.more,
        _ => 0,
    };
    crate::app::zh::at_most_listed(all_problems(e), unheld)
}

fn all_problems(e: &Error) -> Vec<(Option<String>, String)> {
    match e {
        Error::Rejected { rows, .. } => rows
            .listed
            .iter()
            .map(|p| (p.field.clone(), crate::app::zh::row_problem(p)))
            .collect(),
        Error::Policy(problems) => problems.0.iter().map(|p| (None, p.to_string())).collect(),
        e => vec![(None, crate::app::zh::error(e))],
    }
}

/// A failed API call: its status and `{"errors": […]}`.
#[derive(Debug)]
pub struct Failure {
    pub status: StatusCode,
    pub errors: Vec<String>,
}

impl Failure {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Failure {
        Failure {
            status,
            errors: vec![message.into()],
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure {
            status: status_of(&e),
            errors: messages(&e),
        }
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "errors": self.errors }))).into_response()
    }
}
