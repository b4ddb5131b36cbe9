//! `appraise leave …` and `appraise holiday …`: leave asked for, decided or imported, and
//! the holiday calendar; attendance is derived against both.

use std::path::PathBuf;

use clap::Subcommand;

use super::{Ctx, Result};
use appraise::app::{Actor, LeaveRequest};
use appraise::domain::month::Month;
use appraise::report::{HolidaysView, LeavesView};
use appraise::store::LeaveState;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import approved leave exported from DingTalk, Feishu, WeCom or a spreadsheet
    /// (工号,请假类型,开始时间,结束时间[,审批状态][,事由]); rows not approved are left out
    /// and counted.
    Import {
        file: PathBuf,
        /// Who imports [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Ask for leave: a type (年假, 病假, … or its id), from and to as dates (whole days),
    /// dates with a time, or with 上午/下午.
    Request {
        employee: String,
        #[arg(long = "type")]
        kind: String,
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
        #[arg(long)]
        reason: String,
        /// The employee, or whoever enters their events [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Approve leave: its days are derived again at once.
    Approve {
        id: i64,
        #[arg(long, default_value = "")]
        reason: String,
        /// A supervisor, head or HR [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Reject leave, saying why.
    Reject {
        id: i64,
        #[arg(long)]
        reason: String,
        /// A supervisor, head or HR [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Cancel leave (the employee, or an approver): approved leave's days are derived again.
    Cancel {
        id: i64,
        #[arg(long)]
        reason: String,
        /// [env: APPRAISE_USER]
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// Leave of one employee or everyone, of a month (default: a year either side of
    /// today), of one state.
    List {
        #[arg(long)]
        employee: Option<String>,
        #[arg(long)]
        month: Option<Month>,
        /// requested, approved, rejected or cancelled (or 待审批, 已批准, 已驳回, 已撤销).
        #[arg(long, value_parser = state)]
        state: Option<LeaveState>,
    },
}

fn state(text: &str) -> std::result::Result<LeaveState, String> {
    LeaveState::parse(text).ok_or_else(|| {
        "a state is requested, approved, rejected or cancelled (待审批, 已批准, 已驳回, 已撤销)"
            .to_string()
    })
}

#[derive(Debug, Subcommand)]
pub enum HolidayCommand {
    /// Import the year's calendar (日期,类型[,名称]; 类型 休 for a holiday, 班 for a make-up
    /// workday). HR only.
    Import {
        file: PathBuf,
        /// Who imports [env: APPRAISE_USER].
        #[arg(long, env = "APPRAISE_USER")]
        by: Option<String>,
    },
    /// The calendar of a year.
    List {
        #[arg(long)]
        year: i32,
    },
}

pub fn leave(ctx: &Ctx, cmd: Command) -> Result {
    let decide = |id, state, reason: &str, by| -> Result {
        let done = ctx.app.decide_leave(&ctx.actor(by)?, id, state, reason)?;
        ctx.report_attendance(&done)
    };
    match cmd {
        Command::Import { file, by } => {
            let imported = ctx.app.import_leave(&ctx.actor(by)?, &file)?;
            ctx.report_attendance(&imported.done)?;
            for (state, n) in &imported.left_out {
                ctx.tell(
                    format_args!("未获批准而略过：{n} 行 {state}"),
                    format_args!(
                        "left out, not approved: {} {state}",
                        appraise::domain::text::count(*n, "row", "rows")
                    ),
                )?;
            }
            Ok(())
        }
        Command::Request {
            employee,
            kind,
            from,
            to,
            reason,
            by,
        } => {
            let id = ctx.app.request_leave(
                &ctx.actor(by)?,
                LeaveRequest {
                    employee: employee.clone(),
                    kind,
                    from,
                    to,
                    reason,
                },
            )?;
            ctx.tell(
                format_args!("已为 {employee} 提交请假 {id}，等待审批"),
                format_args!("leave {id} of {employee} asked for; waiting for approval"),
            )
        }
        Command::Approve { id, reason, by } => decide(id, LeaveState::Approved, &reason, by),
        Command::Reject { id, reason, by } => decide(id, LeaveState::Rejected, &reason, by),
        Command::Cancel { id, reason, by } => decide(id, LeaveState::Cancelled, &reason, by),
        Command::List {
            employee,
            month,
            state,
        } => ctx.print(&LeavesView {
            leaves: ctx
                .app
                .leaves(&Actor::owner(), employee.as_deref(), month, state)?,
            labels: ctx.app.leave_labels()?,
        }),
    }
}

pub fn holiday(ctx: &Ctx, cmd: HolidayCommand) -> Result {
    match cmd {
        HolidayCommand::Import { file, by } => {
            ctx.report_attendance(&ctx.app.import_holidays(&ctx.actor(by)?, &file)?)
        }
        HolidayCommand::List { year } => ctx.print(&HolidaysView {
            holidays: ctx.app.holidays(year)?,
        }),
    }
}
