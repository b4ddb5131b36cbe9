//! Errors as people read them on standard error.
//!
//! A policy problem is data (file, line, column, message, help). On a terminal it is drawn
//! with codespan-reporting: the source line, a caret under the spot, and the help below.
//! codespan-reporting was picked over miette and ariadne because it renders a plain
//! diagnostic value (no trait to derive on our error types, which stay front-end free), it
//! measures CJK text by display width, and it adds only `termcolor` to the tree. Piped or
//! in CI, every problem stays one line, `file:line:column: message; help`, so that logs and
//! editors can jump to it.

use std::io::{IsTerminal, Write};

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};

use super::{Error, english};
use appraise::app::{self, Invalid};
use appraise::domain::access::Why;
use appraise::domain::user::Role;
use appraise::engine::review::Misstep;
use appraise::policy::Problem;

/// Writes `e` to standard error: snippets on a terminal, one line per problem otherwise;
/// in Chinese unless `APPRAISE_LANG=en`.
pub fn report_error(e: &Error) {
    let terminal = std::io::stderr().is_terminal();
    let en = english();
    let said = |e: &app::Error| {
        if en { e.to_string() } else { app::zh::error(e) }
    };
    let mut err = std::io::stderr().lock();
    // Standard error going away leaves nobody to tell.
    let _ = match e {
        Error::Output(io) => writeln!(err, "error: cannot write the output: {io}"),
        Error::App(app::Error::Policy(problems)) => {
            drop(err);
            for p in &problems.0 {
                if !(terminal && draw_on_stderr(p)) {
                    eprintln!("{p}");
                }
            }
            Ok(())
        }
        // Refusals and bad rows are the user's to mend: the message is the whole story.
        Error::App(e) if e.is_refusal() => match help(e, en) {
            Some(h) if en => writeln!(err, "{}; {h}", said(e)),
            Some(h) => writeln!(err, "{}（{h}）", said(e)),
            None => writeln!(err, "{}", said(e)),
        },
        Error::App(e) if en => match (help(e, en), terminal) {
            (Some(h), true) => writeln!(err, "error: {}\n  help: {h}", said(e)),
            (Some(h), false) => writeln!(err, "error: {}; {h}", said(e)),
            (None, _) => writeln!(err, "error: {}", said(e)),
        },
        Error::App(e) => match (help(e, en), terminal) {
            (Some(h), true) => writeln!(err, "错误：{}\n  提示：{h}", said(e)),
            (Some(h), false) => writeln!(err, "错误：{}（提示：{h}）", said(e)),
            (None, _) => writeln!(err, "错误：{}", said(e)),
        },
    };
}

/// What to do next, in this front end's words (commands to run), for the failures that
/// have an obvious next step: in English with `en`, else in Chinese.
fn help(e: &app::Error, en: bool) -> Option<String> {
    use appraise::store;
    let say = |english: &str, chinese: &str| Some(if en { english } else { chinese }.to_string());
    match e {
        app::Error::NoActor => say(
            "pass `--by NAME` or set APPRAISE_USER",
            "请用 `--by 姓名` 或设置 APPRAISE_USER",
        ),
        app::Error::Invalid(Invalid::CorrectionEmpty) => say(
            "pass `--in HH:MM`, `--out HH:MM` or both",
            "请给出 `--in HH:MM`、`--out HH:MM` 或两者",
        ),
        app::Error::Invalid(Invalid::RestatementReason) => {
            say("give it with `--reason …`", "请用 `--reason …` 说明")
        }
        app::Error::Evaluate(appraise::evaluation::evaluate::Error::ThroughOutsideYear {
            ..
        }) => say(
            "`--through` takes a month of the year rated",
            "`--through` 须是所评年度内的月份",
        ),
        app::Error::Misstep(m) if matches!(**m, Misstep::CommentNeeded { .. }) => {
            say("give it with `--comment …`", "请用 `--comment …` 填写意见")
        }
        app::Error::NotAllowed(r) if r.why == Why::Unlinked => {
            let flags = match (r.role, en) {
                (Role::Head, _) => "--department ID",
                (_, true) => "--employee ID` or `--department ID",
                (_, false) => "--employee ID` 或 `--department ID",
            };
            let command = format!("`appraise user add {} … {flags}`", r.login);
            say(
                &format!("as HR: {command}"),
                &format!("由人事执行：{command}"),
            )
        }
        app::Error::OpenMonths(_) => say(
            "close them first (`appraise month close YYYY-MM`), or start anyway with `--open-months-ok` (recorded in the audit log)",
            "请先结账（`appraise month close YYYY-MM`），或用 `--open-months-ok` 照常启动（记入审计日志）",
        ),
        app::Error::SameEvent { .. } => say(
            "if it happened again, record the second one with `--again`",
            "若确实又发生了一次，请加 `--again` 记录",
        ),
        app::Error::NoDatabase(_) => say(
            "create one with `appraise init`, or point --db / APPRAISE_DB at yours",
            "用 `appraise init` 新建，或用 --db / APPRAISE_DB 指向已有的数据库",
        ),
        app::Error::NoPolicyActivated => say(
            "run `appraise rules activate rules/FILE.toml`",
            "请运行 `appraise rules activate rules/FILE.toml`",
        ),
        app::Error::Evaluate(appraise::evaluation::evaluate::Error::NoPolicy { .. }) => say(
            "`appraise rules activate FILE` activates one; `appraise rules list` shows what is active",
            "`appraise rules activate FILE` 启用考评细则；`appraise rules list` 列出已启用的",
        ),
        app::Error::Store(store::Error::NoEvent(_)) => say(
            "`appraise log list` shows the ids",
            "`appraise log list` 列出记录编号",
        ),
        app::Error::Store(store::Error::MonthClosed { .. }) => say(
            "`appraise month reopen YYYY-MM --reason …` reopens it",
            "`appraise month reopen YYYY-MM --reason …` 可重开该月",
        ),
        app::Error::Store(store::Error::RestatesClosed { .. }) => say(
            "pass `--restate --reason …` to do so on purpose",
            "确需如此，请加 `--restate --reason …`",
        ),
        _ => None,
    }
}

/// Draws a problem with its source line on standard error, in colour unless `NO_COLOR` is
/// set; false when the problem carries no source text (then the one-line form is printed).
fn draw_on_stderr(p: &Problem) -> bool {
    let choice = if std::env::var_os("NO_COLOR").is_some() {
        termcolor::ColorChoice::Never
    } else {
        termcolor::ColorChoice::Auto
    };
    let stream = termcolor::StandardStream::stderr(choice);
    draw(p, &mut stream.lock())
}

/// Draws `p` over the text it was found in: the message, the line with a caret under its
/// bytes, and the help.
fn draw(p: &Problem, out: &mut impl termcolor::WriteColor) -> bool {
    let (Some(text), Some((start, end))) = (&p.source, p.span) else {
        return false;
    };
    let file = SimpleFile::new(p.file.as_str(), &**text);
    let mut diagnostic = Diagnostic::error()
        .with_message(&p.message)
        .with_labels(vec![Label::primary((), start..end)]);
    if let Some(h) = &p.help {
        diagnostic = diagnostic.with_notes(vec![format!("help: {h}")]);
    }
    term::emit_to_write_style(out, &term::Config::default(), &file, &diagnostic).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_is_drawn_with_its_line_a_caret_and_the_help() {
        let text = "[[rule]]\nid = \"x\"\nwhen = \"evnt.minutes > 5\"\n";
        let src = appraise::policy::SourceText::new("rules/x.toml", text);
        let p = src.attach(
            Problem::at("rules/x.toml", 3, 9, "rhai: Undefined variable: evnt")
                .with_help("the variables here are event, staff, month, nth"),
        );
        let mut out = termcolor::NoColor::new(Vec::new());
        assert!(draw(&p, &mut out));
        let drawn = String::from_utf8(out.into_inner()).unwrap();
        assert!(
            drawn.contains("error: rhai: Undefined variable: evnt"),
            "{drawn}"
        );
        assert!(drawn.contains("rules/x.toml:3:9"), "{drawn}");
        assert!(drawn.contains("when = \"evnt.minutes > 5\""), "{drawn}");
        // The caret sits under `evnt` (column 9) and spans the word.
        let caret = drawn.lines().find(|l| l.contains('^')).unwrap();
        let source = drawn.lines().find(|l| l.contains("when =")).unwrap();
        assert_eq!(caret.find('^'), source.find("evnt"), "{drawn}");
        assert!(
            caret.contains("^^^^") && !caret.contains("^^^^^"),
            "{drawn}"
        );
        assert!(drawn.contains("= help: the variables here are"), "{drawn}");
        // Piped, the same problem is one line.
        assert_eq!(
            p.to_string(),
            "rules/x.toml:3:9: rhai: Undefined variable: evnt; the variables here are event, staff, month, nth"
        );
    }

    #[test]
    fn spans_cover_the_word_at_the_position() {
        let text = "a = 1\nwhen = \"evnt.minutes\"\n";
        let src = appraise::policy::SourceText::new("x.toml", text);
        let (start, end) = src.word_at(2, 9).unwrap();
        assert_eq!(&text[start..end], "evnt");
        // CJK columns count characters.
        let text = "名称 = x\n";
        let src = appraise::policy::SourceText::new("x.toml", text);
        let (start, end) = src.word_at(1, 6).unwrap();
        assert_eq!(&text[start..end], "x");
        assert_eq!(src.word_at(9, 1), None);
        let (start, end) = src.word_at(1, 1).unwrap();
        assert_eq!(&text[start..end], "名称");
    }
}
