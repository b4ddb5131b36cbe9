//! The Chinese wording of the problems the application reports: the one catalogue people
//! read on the web and the command line. Each typed problem ([`Error`], [`Invalid`], a
//! [`Refusal`], a review's [`Misstep`], the store's refusals, a file's rows and shape) is
//! worded here from its values, every variant by an exhaustive match; the English
//! `Display` stays the wording for developers and logs. A policy problem's own line and
//! what a script ran into keep their words (they quote the policy and rhai).

use super::{Conflict, Error, Invalid, Missing, Undone};
use crate::domain::access::{Action, Refusal, Why};
use crate::domain::event::{BadValue, FieldType, MAX_FLOAT, MAX_INT, MAX_LISTED};
use crate::domain::labels;
use crate::domain::staff::{BadPart, MAX_ROLE_CHARS};
use crate::domain::text::NotPlain;
use crate::domain::user::Role;
use crate::engine::review::Misstep;
use crate::intake::shape::{
    MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_PARTS, MAX_ROWS, MAX_SHEET_TEXT, MAX_UNPACKED_BYTES,
};
use crate::intake::{Expected, RowProblem, Shape, UnknownLeave, Wrong};
use crate::store;

/// What `e` says to a person, in Chinese.
pub fn error(e: &Error) -> String {
    match e {
        Error::NoActor => "请先说明是谁在操作：每项变更都要记下操作人。".into(),
        Error::UnknownActor(name) => format!("“{name}”既不是登录名，也不是员工工号。"),
        Error::NotAllowed(r) => refusal(r),
        Error::WrongLogin => "登录名或密码不对。".into(),
        Error::SessionEnded => "登录已过期，请重新登录。".into(),
        Error::OwnCorrection => "本人的补卡由他人审批。".into(),
        Error::NobodyToEnter { login, of } => match of {
            Some((d, m)) => format!("“{login}”在 {m} 没有可以为其录入的{d}部门员工。"),
            None => format!("“{login}”没有可以为其录入记录的员工。"),
        },
        Error::NotTheSigner(m) | Error::Misstep(m) => misstep(m),
        Error::Throttled { seconds } => {
            format!(
                "失败次数过多，请 {}后再试。",
                crate::domain::text::wait_zh(*seconds)
            )
        }
        Error::NotFound(m) => missing(m),
        Error::NotEmployed { employee, period } => {
            format!("“{employee}”在 {period} 不在职，没有得分。")
        }
        Error::NoDatabase(path) => format!("“{}”没有数据库。", path.display()),
        Error::NoPolicyActivated => "还没有启用任何考评细则。".into(),
        Error::Invalid(i) => invalid(i),
        Error::SameEvent { id, what } => {
            format!(
                "记录 #{id}（{what}）已在日志中，内容完全相同；未保存。若确实又发生了一次，请勾选“仍然记录”。"
            )
        }
        Error::OpenMonths(months) => format!(
            "本年度仍有 {} 个月未结账：{}；未启动评审。",
            months.len(),
            months.join("、")
        ),
        Error::Tampered(breach) => format!("记录已被篡改：{}", self::breach(breach)),
        Error::BackupUnverified { path, made, why } => {
            let path = path.display();
            let why = error(why);
            if *made {
                format!("新备份 {path} 未通过核验，已将其删除，较早的备份均保留：{why}")
            } else {
                format!("备份 {path} 未通过核验，没有替换任何内容：{why}")
            }
        }
        Error::Store(s) => stored(s),
        Error::Unreadable { file, shape: s } => format!("文件“{file}”：{}", shape(s)),
        Error::Io { path, source } => format!("文件“{}”无法读取：{source}", path.display()),
        Error::Rejected { rows, .. } => {
            let listed = rows.listed.iter().map(|p| (None, row_problem(p))).collect();
            let mut lines: Vec<String> = at_most_listed(listed, rows.more)
                .into_iter()
                .map(|(_, line)| line)
                .collect();
            lines.push("有错误，全部未保存。".into());
            lines.join("\n")
        }
        Error::Evaluate(e) => evaluated(e),
        Error::Rulebook(e) => rulebook(e),
        Error::Policy(problems) => format!(
            "考评细则有 {} 处问题，未能加载：\n{problems}",
            problems.0.len()
        ),
        // Already in the language the front end chose.
        Error::Refused(said) => said.clone(),
        Error::Internal(why) => format!("内部错误：{why}"),
        Error::Document(why) => format!("文件无法生成：{why}"),
    }
}

/// A failure of an evaluation, in Chinese.
fn evaluated(e: &crate::evaluation::evaluate::Error) -> String {
    use crate::evaluation::evaluate::Error as E;
    match e {
        E::Store(s) => stored(s),
        E::Rulebook(r) => rulebook(r),
        E::Eval(f) => eval_error(f),
        E::NoPolicy { department, month } => {
            format!(
                "{month} 没有适用于部门“{department}”的考评细则；请为其启用一个 effective_from 不晚于 {month} 的版本。"
            )
        }
        E::NoEmployee(id) => format!("没有工号为“{id}”的员工。"),
        E::ThroughOutsideYear { through, year } => format!("{through} 不是 {year} 年的月份。"),
        E::NothingToRate { year, today } => {
            format!("{year} 年到今天（{today}）还没有可以考评的月份。")
        }
    }
}

/// The rulebook failing to load, in Chinese.
fn rulebook(e: &crate::evaluation::rulebook::Error) -> String {
    use crate::evaluation::rulebook::Error as R;
    match e {
        R::Store(s) => stored(s),
        R::Stored {
            id,
            policy,
            problems,
        } => format!("已启用的考评细则“{policy}”（版本 #{id}）已无法加载：\n{problems}"),
    }
}

/// A rule's script failing at run time, in Chinese: where, for whom, on what; what the
/// script ran into is rhai's account, quoted.
fn eval_error(e: &crate::engine::EvalError) -> String {
    let on = match (e.event, e.month) {
        (Some(event), Some(m)) => format!("（{m}，记录 #{event}）"),
        (Some(event), None) => format!("（记录 #{event}）"),
        (None, Some(m)) => format!("（{m}）"),
        (None, None) => String::new(),
    };
    format!(
        "{}:{}:{}：规则“{}”为员工“{}”计分时出错{on}：{}",
        e.file, e.failure.line, e.failure.column, e.rule, e.employee, e.failure.message
    )
}

/// One of several problems with a staff change or a start of the reviews, in Chinese.
fn conflict(c: &Conflict) -> String {
    match c {
        Conflict::NoReviewChain {
            employee,
            role,
            policy,
        } => format!(
            "“{employee}”的岗位是“{role}”，考评细则“{policy}”没有为它设评审流程；请在其 [review] 中加上 {role} = [\"manager\", \"department_head\", \"company\"]（或所需的步骤）。"
        ),
        Conflict::MovesWithEvents {
            at,
            employee,
            moves,
        } => {
            let moves: Vec<String> = moves.iter().map(labels::staff_field).collect();
            format!(
                "{at}：“{employee}”变更了{}，但已有记录：请用生效月份（YYYY-MM）说明自哪个月起变更，以使此前各月保持原记录。",
                moves.join("、")
            )
        }
        Conflict::ReachesClosed {
            employee,
            from,
            closed,
        } => format!(
            "“{employee}”自 {from} 起的变更涉及已结账的 {}；请改为自更晚的月份生效，或先重新开账。",
            closed.join("、")
        ),
        Conflict::EmploymentInClosed {
            employee,
            joined,
            left,
            closed,
        } => format!(
            "“{employee}”的入职 {joined} / 离职 {} 会改变其在已结账的 {} 是否在职；已结账月份保持原记录：请先重新开账。",
            left.map_or_else(|| "—".to_string(), |l| l.to_string()),
            closed.join("、")
        ),
    }
}

/// `problems` (each with the form field it is about, if one) as many as the command line
/// lists, and a line saying how many more there were, counting `unheld` ones never listed.
pub fn at_most_listed(
    mut problems: Vec<(Option<String>, String)>,
    unheld: usize,
) -> Vec<(Option<String>, String)> {
    let more = problems.len().saturating_sub(MAX_LISTED) + unheld;
    if more > 0 {
        problems.truncate(MAX_LISTED);
        problems.push((None, format!("……另有 {more} 处问题；请先改正以上各处")));
    }
    problems
}

/// A bad row, in Chinese: where it is (a file's `name:line`; nothing for a single entry)
/// and what is wrong.
pub fn row_problem(p: &RowProblem) -> String {
    match p.at.as_str() {
        "entry" => wrong(&p.wrong),
        at => format!("{at}：{}", wrong(&p.wrong)),
    }
}

/// What is wrong with a row, in Chinese, with the policy's labels for kinds and fields.
pub fn wrong(w: &Wrong) -> String {
    match w {
        Wrong::UnknownEmployee(id) => format!("没有工号为“{id}”的员工；请先把其加入员工名册。"),
        Wrong::NotYours(r) => refusal(r),
        Wrong::FutureDate { date, today } => format!("{date} 还没到（今天是 {today}）。"),
        Wrong::MonthClosed { month, by, at } => format!(
            "{month} 已结账（{by}，{}）；须先重新开账才能补录。",
            labels::moment(at)
        ),
        Wrong::NotEmployed {
            employee,
            date,
            joined,
            left,
        } => format!(
            "{employee} 在 {date} 不在职（{joined} 入职{}）。",
            left.map_or(String::new(), |l| format!("，{l} 离职"))
        ),
        Wrong::BadQty(q) => format!(
            "数量“{q}”须是 1 到 {} 的整数（不填即为 1）。",
            crate::intake::MAX_QTY
        ),
        Wrong::NotPlain(p) => not_plain(p),
        Wrong::NotA {
            column,
            given,
            expected,
        } => format!(
            "{}“{given}”{}",
            crate::intake::column_label(column),
            match expected {
                Expected::Date => "不是日期；请写成 2026-03-04 的样子。",
                Expected::DateOrEmpty => "不是日期；请写成 2026-03-04 的样子，或空着。",
                Expected::Time => "不是时刻；请写成 08:30 的样子。",
                Expected::PunchTime => "不是打卡时间；请写成 2026-03-04 08:30 的样子。",
                Expected::YesOrNo => "须是“是”或“否”（或 1、0）。",
                Expected::DayOffOrWorkday => "须是“休”（放假）或“班”（调休上班）。",
            }
        ),
        Wrong::ShiftOfNoTime => "班次的上班和下班时间不能相同。".into(),
        Wrong::ShiftsOverlap {
            employee,
            date,
            start,
            end,
            other_at,
            other_start,
            other_end,
        } => format!(
            "{employee} 在 {date} 的班次 {}–{} 与 {other_at} 的班次（{}–{}）重叠；每个班次只列一次。",
            start.format("%H:%M"),
            end.format("%H:%M"),
            other_start.format("%H:%M"),
            other_end.format("%H:%M")
        ),
        Wrong::BothClockShapes { .. } => "表头同时有“打卡时间”（每次打卡一行）和“日期、上班打卡、下班打卡”（每天一行）两种格式的列；请只保留一种。".into(),
        Wrong::LeaveBackwards { start, end } => format!(
            "请假结束（{}）早于开始（{}）。",
            end.format("%Y-%m-%d %H:%M"),
            start.format("%Y-%m-%d %H:%M")
        ),
        Wrong::DateTwice(d) => format!("{d} 列了两次；每个日期只留一行。"),
        Wrong::BadStaffId(id) => format!("工号“{id}”须非空、不超过 40 个字符、不含空格。"),
        Wrong::IdTwice(id) => format!("工号“{id}”在文件里出现了两次。"),
        Wrong::BadDepartment(d) => format!(
            "部门代码“{d}”只能用小写字母、数字、“_”和“-”，如 customer-service。"
        ),
        Wrong::LeftBeforeJoined { left, joined } => {
            format!("离职日期 {left} 早于入职日期 {joined}。")
        }
        Wrong::OwnSupervisor => "员工不能做自己的主管。".into(),
        Wrong::UnknownLeaveType(u) => unknown_leave(u),
        Wrong::LeaveOverlap { employee, first } => {
            format!("“{employee}”的这次请假与 {first} 的请假重叠；每段请假只列一次。")
        }
        Wrong::DayClosed { day, by } => format!(
            "{day} 属于已结账的 {}（{by} 结账）；已结账月份的考勤保持原样：请先重新开账，或删去这一天。",
            crate::domain::month::Month::of(*day)
        ),
        Wrong::StrayPunch {
            employee,
            at,
            before,
            after,
        } => format!(
            "“{employee}”{} 的打卡不在任何排班之内（打卡须在班次开始前 {before} 分钟到结束后 {after} 分钟之间）；请先导入当天的排班。",
            at.format("%Y-%m-%d %H:%M")
        ),
        Wrong::FarDate {
            date,
            gap,
            from,
            to,
        } => format!(
            "打卡日期 {date} 与文件其余日期（{from} 至 {to}）相隔超过 {gap} 天，很可能写错了：请改正日期，或把这一天单独导入。"
        ),
        Wrong::Attribute {
            employee,
            name,
            ty,
            bad,
            by,
        } => {
            let read = by.as_deref().map_or_else(String::new, |(policy, department, month)| {
                format!("（考评细则“{policy}”自 {month} 起为部门“{department}”读取此项）")
            });
            // The attribute by its label where people have one (`上班时间`).
            let what = labels::staff_field(&crate::domain::staff::Field::Attr(name.clone()));
            match bad {
                Some(b) => format!("“{employee}”的{what}：{}{read}", bad_value(b)),
                None => format!("“{employee}”缺少{what}（{}）{read}。", type_hint(*ty)),
            }
        }
        Wrong::NoRowId => "row_id 为空；文件有 row_id 列时，每行都须填写。".into(),
        Wrong::RowIdTwice { id, first } => {
            format!("row_id“{id}”在文件里出现了两次（第一次在第 {first} 行）；每行须各不相同。")
        }
        Wrong::Shape(s) => shape(s),
        Wrong::Part(p) => match p {
            BadPart::NameEmpty => "姓名不能为空。".into(),
            BadPart::RoleEmpty => "岗位不能为空；如 staff（员工）、manager（主管）。".into(),
            BadPart::BadRole(r) => format!(
                "岗位“{r}”不是岗位：最多 {MAX_ROLE_CHARS} 个字母、数字、“_”、“-”或空格，如 staff 或 客服主管。"
            ),
            BadPart::NotPlain(p) => not_plain(p),
        },
        Wrong::NoSuchSupervisor(s) => format!("主管“{s}”既不在这份文件里，也不在员工名册上。"),
        Wrong::NoRecorder => "没有填录入人；请填写，或说明文件由谁录入。".into(),
        Wrong::NoKind => "没有填类型。".into(),
        Wrong::NoPolicy { department, month } => {
            format!("{month} 没有适用于部门“{department}”的考评细则。")
        }
        Wrong::UnknownKind { given, closest, .. } => match closest {
            Some(k) => format!("考评细则里没有“{given}”这一类；是要填“{k}”吗？"),
            None => format!("考评细则里没有“{given}”这一类。"),
        },
        Wrong::BadField { label, bad, .. } => format!("{label}：{}", bad_value(bad)),
        Wrong::NoSuchField {
            kind_label, field, ..
        } => format!("“{kind_label}”没有“{field}”这一项；请空着。"),
        Wrong::FieldMissing {
            kind_label,
            label,
            ty,
            ..
        } => format!("“{kind_label}”须填写{label}（{}）。", type_hint(*ty)),
    }
}

/// A leave type the policy does not declare, in Chinese.
fn unknown_leave(u: &UnknownLeave) -> String {
    if u.known.is_empty() {
        format!(
            "考评细则没有声明任何假别，“{}”无从识别；请在细则中声明假别（如 [leave.annual] label = \"年假\"）并启用。",
            u.given
        )
    } else {
        format!(
            "考评细则中没有假别“{}”；可选：{}。",
            u.given,
            u.known.join("、")
        )
    }
}

/// What is wrong with a file's shape, in Chinese.
fn shape(s: &Shape) -> String {
    use crate::intake::{Cell, CellValue};
    let cell = |c: &Cell| format!("第 {} 行 {} 列", c.row + 1, c.column_name());
    let again = "请在 Excel 中另存为 .xlsx 或 CSV 文件";
    match s {
        Shape::TooLarge { mb } => format!(
            "文件有 {mb} MB；排班、打卡导出或员工文件最多 {} MB：请按月拆分。",
            crate::intake::MAX_TABLE_BYTES >> 20
        ),
        Shape::NotText { line, tried } => format!(
            "第 {line} 行不是 {} 文字（按文件开头判断为 {}）；请将文件另存为 UTF-8 编码。",
            tried.name(),
            tried.name()
        ),
        Shape::NotAWorkbook(why) => format!("不是可以读取的 Excel 工作簿（{why}）；{again}。"),
        Shape::NoSheet => "工作簿里没有工作表。".into(),
        Shape::SheetUnreadable(why) => format!("第一个工作表无法读取（{why}）；{again}。"),
        Shape::CellBeyond(c) => format!(
            "第一个工作表在{}处有内容；导入的表最多 {MAX_ROWS} 行、{MAX_COLUMNS} 列：请删除表格以外的内容，或拆分文件。",
            cell(c)
        ),
        Shape::CellValue { cell: c, value } => match value {
            CellValue::Date(serial) => {
                format!(
                    "{}的日期（{serial}）Excel 自己也无法换算；请改正该单元格。",
                    cell(c)
                )
            }
            CellValue::Error(e) => format!("{}是 Excel 错误值 {e}；请改正该单元格。", cell(c)),
        },
        Shape::CellTooLong {
            cell: c,
            chars,
            shown,
        } => format!(
            "{}有 {chars} 个字，一个单元格最多 {MAX_CELL_CHARS} 个：{shown}",
            c.as_ref().map_or_else(|| "有一个单元格".to_string(), cell)
        ),
        Shape::TooMuch => format!(
            "第一个工作表有值的单元格超过 {MAX_CELLS} 个，或文字超过 {} MB：请拆分文件。",
            MAX_SHEET_TEXT >> 20
        ),
        Shape::TooManyParts(n) => format!(
            "工作簿由 {n} 个部件组成，导入的工作簿最多 {MAX_PARTS} 个：请只把表格另存为 .xlsx 或 CSV 文件。"
        ),
        Shape::PartTooLarge { part, mb, limit } => format!(
            "工作簿的部件 {part} 解压后超过 {mb} MB（每个部件最多 {} MB，合计最多 {} MB）：请只把表格另存为 .xlsx 或 CSV 文件。",
            limit >> 20,
            MAX_UNPACKED_BYTES >> 20
        ),
        Shape::BadReference { dimension, stated } => format!(
            "工作簿第一个工作表写有{} {stated}，这不是电子表格软件会写出的内容；{again}。",
            if *dimension {
                "区域"
            } else {
                "单元格引用"
            }
        ),
        Shape::HeaderUnreadable(why) => format!("表头行无法读取：{why}"),
        Shape::HeaderLacks {
            missing,
            required,
            chinese,
        } => format!(
            "表头缺少{}；文件须以“{}”开头{}。",
            missing
                .iter()
                .map(|m| format!("“{}”", crate::intake::column_label(m)))
                .collect::<Vec<_>>()
                .join("、"),
            required.join(","),
            chinese
                .as_ref()
                .map_or_else(String::new, |c| format!("（或“{}”）", c.join(",")))
        ),
        Shape::ColumnTwice(c) => {
            format!("表头里“{}”列出现了两次。", crate::intake::column_label(c))
        }
        Shape::CellCount { width, len } => format!(
            "这一行有 {len} 格，表头有 {width} 格；请检查是否多了或少了逗号{}。",
            if len < width {
                "，或有引号“\"”开了没有关（该格会一直延续到后面几行）"
            } else {
                ""
            }
        ),
        Shape::NotUtf8 => "不是有效的 UTF-8 文字；请将文件另存为 UTF-8 编码。".into(),
        Shape::Csv(why) => format!("无法按 CSV 读取：{why}"),
    }
}

/// A value not of its field's type, in Chinese.
fn bad_value(b: &BadValue) -> String {
    let shown = &b.shown;
    match b.ty {
        FieldType::Int => format!("“{shown}”须是 0 到 {MAX_INT} 的整数。"),
        FieldType::Float => format!("“{shown}”须是不超过 {MAX_FLOAT} 的数。"),
        FieldType::Date => format!("“{shown}”不是日期；请写成 2026-03-04 的样子。"),
        FieldType::Time => format!("“{shown}”不是时刻；请写成 08:30 的样子。"),
        FieldType::Bool => format!("“{shown}”须是“是”或“否”。"),
        FieldType::Text => format!("“{shown}”不是文字。"),
    }
}

/// What a value of type `ty` looks like, in Chinese.
fn type_hint(ty: FieldType) -> &'static str {
    match ty {
        FieldType::Int => "整数",
        FieldType::Float => "数字",
        FieldType::Text => "文字",
        FieldType::Date => "日期，如 2026-03-04",
        FieldType::Time => "时刻，如 08:30",
        FieldType::Bool => "是或否",
    }
}

/// Text that is not plain text of its length, in Chinese, named by its column.
fn not_plain(p: &NotPlain) -> String {
    let what = crate::intake::column_label(&p.what);
    match p.chars {
        Some(n) => format!("{what}有 {n} 个字，最多 {} 个：{}", p.max, p.shown),
        None => format!("{what}含有控制字符（显示为 �）：{}；请只写文字。", p.shown),
    }
}

/// An [`Invalid`] request, in Chinese.
pub fn invalid(i: &Invalid) -> String {
    match i {
        Invalid::NoEmployee(id) => format!("没有工号为“{id}”的员工。"),
        Invalid::NoDepartment(id) => format!("没有代码为“{id}”的部门。"),
        Invalid::NoticeRequired(kind) => format!(
            "“{}”通知不能关闭：它关系到申诉期限或待签署的考评。",
            kind.label()
        ),
        Invalid::UnknownChannel(name) => {
            format!(
                "没有名为“{}”的通知渠道；`appraise notify channel list` 列出全部渠道。",
                crate::domain::text::clip(name)
            )
        }
        Invalid::NoticeNotForRole { kind, role } => {
            format!("“{}”通知与{}无关。", kind.label(), role.label())
        }
        Invalid::UnknownChannelKind(k) => format!(
            "没有“{}”这种渠道类型；可用 email（电子邮件）、wecom（企业微信）、dingtalk（钉钉）、feishu（飞书）或 webhook。",
            crate::domain::text::clip(k)
        ),
        Invalid::UnknownNoticeKind(k) => {
            let kinds: Vec<String> = crate::domain::notice::NoticeKind::ALL
                .iter()
                .map(|k| format!("{}（{}）", k.id(), k.label()))
                .collect();
            format!(
                "没有“{}”这种通知；可用：{}。",
                crate::domain::text::clip(k),
                kinds.join("、")
            )
        }
        Invalid::Photo(p) => photo_problem(p),
        Invalid::NoPhoto(sha) => format!("没有照片“{sha}”。"),
        Invalid::BadChannel { name, why } => {
            format!("通知渠道“{}”：{why}", crate::domain::text::clip(name))
        }
        Invalid::BadId { given, .. } => {
            format!("代码“{given}”只能由小写字母、数字、“_”和“-”组成，例如 customer-service。")
        }
        Invalid::HeadNotOnFile { head, department } => {
            format!("没有工号为“{head}”的员工可任“{department}”的负责人；请先导入员工。")
        }
        Invalid::NameMissing(_) => "请填写名称。".into(),
        Invalid::LoginNotOneWord(login) => format!("登录名“{login}”不能含空格。"),
        Invalid::OwnLogin(login) => format!("不能停用自己的登录“{login}”。"),
        Invalid::BadAmount { given, .. } => format!("金额“{given}”须为不小于 0 的元数。"),
        Invalid::PasswordTooShort(n) => format!("密码至少 {n} 个字符。"),
        Invalid::ReasonRequired => "请填写原因。".into(),
        Invalid::RestatementReason => "重述已结账月份须说明原因。".into(),
        Invalid::BadDate(given) => format!("“{given}”不是日期；请按 2025-03-04 的格式填写。"),
        Invalid::BadTime { given, .. } => format!("“{given}”不是时刻；请按 08:30 的格式填写。"),
        Invalid::FutureDate { date, today } => {
            format!("{date} 还没到（今天是 {today}）。")
        }
        Invalid::MonthNotEnded { month, .. } => format!(
            "{month} 尚未结束，自 {} 起才能结账。",
            month.next().first_day()
        ),
        Invalid::NoPolicyGoverns { department, month } => {
            format!("{month} 没有适用于“{department}”的考评细则；请先启用。")
        }
        Invalid::VersionNotActivated(v) => format!("考评细则版本 {v} 未启用。"),
        Invalid::ScoredByInactive { month, .. } => {
            format!("为 {month} 计分的考评细则版本已不再启用。")
        }
        Invalid::NoAttendanceRules { employee, month } => format!(
            "{month} 适用于“{employee}”的考评细则没有考勤规则（[attendance]），打卡无法换算为记录。"
        ),
        Invalid::AbsenceFlood {
            file,
            absences,
            missing_punches,
            rostered,
            percent,
            ..
        } => format!(
            "“{file}”会在 {rostered} 个排班日记下 {absences} 次旷工和 {missing_punches} 次缺卡，超过考评细则允许的 {percent}%；未导入。请核对导出文件的日期和员工；若数字无误，请由人事确认后导入。"
        ),
        Invalid::UnknownLeaveType(u) => unknown_leave(u),
        Invalid::MissingAttributes {
            policy,
            version,
            month,
            missing,
        } => format!(
            "考评细则“{policy}”版本 {version} 读取的员工属性，自 {month} 起由其管辖的员工有缺：\n{}\n未启用；请先补齐这些属性。",
            missing.iter().map(wrong).collect::<Vec<_>>().join("\n")
        ),
        Invalid::LeaveOverlaps { new, id, old } => {
            format!("这次请假（{new}）与请假 #{id}（{old}）重叠；未保存。请取消其一或改正日期。")
        }
        Invalid::LeaveDecided { id, state } => format!("请假 #{id} 已{state}，未作改动。"),
        Invalid::OwnLeave => "员工不能审批自己的请假。".into(),
        Invalid::CorrectionEmpty => "补卡须写明应有的上班或下班时间（或两者）。".into(),
        Invalid::CorrectionCap {
            employee,
            cap,
            month,
        } => format!("“{employee}”{month} 已批准 {cap} 次补卡，达到考评细则的上限；未批准。"),
        Invalid::AppealWindowClosed {
            event, last_day, ..
        } => format!("记录 #{event} 的申诉期限已于 {last_day} 截止。"),
        Invalid::OwnSupervisor => "员工不能做自己的上级。".into(),
        Invalid::SupervisorNotOnFile(id) => format!("没有工号为“{id}”的上级。"),
        Invalid::SupervisorCycle(ids) => format!(
            "上级关系会绕成一圈：{}；未保存。请为其中一人指定圈外的上级，或不设上级。",
            ids.join(" → ")
        ),
        Invalid::SameRecord { employee, from } => {
            format!("“{employee}”自 {from} 起已是这条记录，未作改动。")
        }
        Invalid::BeforeJoining {
            employee,
            joined,
            earliest,
        } => format!("“{employee}”于 {joined} 入职，变更最早自 {earliest} 起生效。"),
        Invalid::PolicyTooLarge { name, kib } => {
            format!("“{name}”超过 {kib} KiB；考评细则文件应是规则文本。")
        }
        Invalid::NotAPolicyFile(name) => {
            format!("“{name}”不是考评细则文件；请上传 .toml 文件，例如 customer-service.toml。")
        }
        Invalid::FolderNotEmpty(path) => format!("“{}”不是空文件夹。", path.display()),
        Invalid::NoPolicyPath(path) => format!("没有考评细则文件或文件夹“{}”。", path.display()),
        Invalid::NameClash { policy, clashes } => {
            let lines: Vec<String> = (clashes.iter())
                .map(|c| {
                    format!(
                        "“{}”在这里指类型“{}”，在考评细则“{}”中却指类型“{}”",
                        c.name, c.kind, c.other_policy, c.other_kind
                    )
                })
                .collect();
            format!(
                "考评细则“{policy}”中有名称与已启用的细则所指的类型不同：\n{}\n未启用；请改掉这个别名（一个名称在各处只指一种类型）。",
                lines.join("\n")
            )
        }
        Invalid::TrialFailed {
            policy,
            version,
            failures,
        } => format!(
            "考评细则“{policy}”版本 {version} 在其将管辖的已有记录上出错：\n{}\n未启用；请修改规则（或其出错的记录）后再启用。",
            failures
                .iter()
                .map(eval_error)
                .collect::<Vec<_>>()
                .join("\n")
        ),
        Invalid::Several { problems, outcome } => {
            let mut lines: Vec<String> = problems.iter().map(conflict).collect();
            lines.push(
                match outcome {
                    Undone::Imported => "全部未导入。",
                    Undone::Stored => "全部未保存。",
                    Undone::Started => "未启动评审。",
                }
                .into(),
            );
            lines.join("\n")
        }
    }
}

fn missing(m: &Missing) -> String {
    match m {
        Missing::Employee(id) => format!("没有工号为“{id}”的员工。"),
        Missing::Department(id) => format!("没有代码为“{id}”的部门。"),
        Missing::Correction(id) => format!("没有编号为 {id} 的补卡。"),
        Missing::Leave(id) => format!("没有编号为 {id} 的请假。"),
        Missing::OwnRecord(login) => format!("登录名“{login}”未关联员工，没有自己的记录。"),
        Missing::Report(name) => format!("没有名为“{name}”的报表。"),
    }
}

/// What an action is, in a refusal.
fn action(a: Action) -> &'static str {
    match a {
        Action::RecordEvent => "录入记录",
        Action::VoidEvent => "作废记录",
        Action::ExcuseEvent => "免除记录",
        Action::Appeal => "申诉",
        Action::DecideAppeal => "处理申诉",
        Action::SetTargets => "登记部门目标和预算",
        Action::ChangeStaff => "变更员工、部门和登录",
        Action::ActivatePolicy => "启用考评细则",
        Action::CloseMonth => "结账或重开月份",
        Action::StartReviews => "启动评审",
        Action::SignCompanyStep => "签署公司一级",
        Action::SetPassword => "设置他人的密码",
        Action::View => "查看记录",
        Action::Report => "查看报表",
        Action::RepairRecord => "重建评分数据",
        Action::ManageNotices => "设置通知渠道、查看发件箱",
        Action::KeepBackups => "备份数据库或以备份恢复",
    }
}

/// Why someone may not do something, in Chinese.
pub fn refusal(r: &Refusal) -> String {
    let who = format!("“{}”（{}）", r.login, r.role.label());
    let what = action(r.action);
    match &r.why {
        Why::NotOwnEvent { owner } => format!("{who}只能申诉自己的记录；这条是“{owner}”的。"),
        Why::NotOwnRecord { employee } => {
            format!("{who}只能查看自己的记录，不能查看“{employee}”的。")
        }
        Why::Unlinked => {
            let lacks = match r.role {
                Role::Head => "部门",
                _ => "班组",
            };
            format!("{who}无权{what}：该登录未关联{lacks}，请人事关联。")
        }
        Why::NotOwnEntry { recorded_by } => {
            format!("{who}只能作废自己录入的记录；这条由“{recorded_by}”录入。")
        }
        Why::OutOfScope { employee } => {
            let scope = match r.role {
                Role::Supervisor => "班组",
                _ => "部门",
            };
            format!("{who}无权为“{employee}”{what}：不在其{scope}内。")
        }
        Why::OtherDepartment { department } => {
            format!("{who}无权为“{department}”{what}：不是其部门。")
        }
        Why::HeadOrHr => format!("{who}无权{what}；请找部门负责人或人事。"),
        Why::HrOnly => format!("{who}无权{what}；请找人事。"),
    }
}

/// A signature that does not fit the review, in Chinese.
pub fn misstep(m: &Misstep) -> String {
    match m {
        Misstep::Complete { employee, year, .. } => {
            format!("“{employee}”{year} 年度的评审已定稿，已签各级不能更改。")
        }
        Misstep::AlreadySigned { step } => {
            format!("“{}”一级已签署，不能更改。", labels::step(step))
        }
        Misstep::ComesLater { step, next } => format!(
            "“{}”一级还没轮到；下一步由“{}”签署。",
            labels::step(step),
            labels::step(next)
        ),
        Misstep::NoSuchStep { step, steps } => format!(
            "“{}”不是这次评审的一级；各级依次为 {}。",
            labels::step(step),
            steps
                .iter()
                .map(|s| labels::step(s))
                .collect::<Vec<_>>()
                .join(" → ")
        ),
        Misstep::OwnReview => "任何人都不签署自己的评审。".into(),
        Misstep::WrongSigner {
            step,
            employee,
            department,
            named,
            signer,
        } => match step.as_str() {
            "manager" => format!("直属上级一级由“{employee}”的上级“{named}”签署，不是“{signer}”。"),
            _ => format!("部门负责人一级由“{department}”的负责人“{named}”签署，不是“{signer}”。"),
        },
        Misstep::NoSigner {
            step,
            employee,
            department,
        } => match step.as_str() {
            "manager" => {
                format!("“{employee}”没有登记上级来签署直属上级一级；请先在员工记录中设上级。")
            }
            _ => format!("部门“{department}”没有登记负责人；请先设负责人。"),
        },
        Misstep::UnknownGrade { grade, grades } => {
            format!("没有等级“{grade}”；可选：{}。", grades.join("、"))
        }
        Misstep::CommentNeeded { grade, previous } => {
            format!("等级“{grade}”与上一级的“{previous}”不同，须填写意见说明原因。")
        }
    }
}

/// What the store refused or failed at, in Chinese; SQLite's own words and a malformed
/// value are quoted as they are, for whoever investigates.
fn stored(e: &store::Error) -> String {
    match e {
        store::Error::Open { path, source } => {
            format!("无法打开数据库“{path}”（{source}）：请检查文件、所在文件夹及其权限。")
        }
        store::Error::Sqlite(source) => {
            use rusqlite::ErrorCode::*;
            let mend = match source.sqlite_error_code() {
                Some(DiskFull | SystemIoFailure) => {
                    "存放数据库的磁盘已满或出现故障，没有保存任何内容：请腾出空间（或迁移数据库）后重试。"
                }
                Some(ReadOnly) => "数据库文件无法写入，没有保存任何内容：请检查文件权限和磁盘。",
                Some(CannotOpen) => "无法打开数据库文件：请检查所在文件夹及其权限。",
                Some(NotADatabase | DatabaseCorrupt) => {
                    "该文件不是数据库，或已损坏：请检查 --db 所指的文件，或从备份恢复。"
                }
                Some(DatabaseBusy | DatabaseLocked) => {
                    "数据库正被其他操作长时间占用，没有保存任何内容：请稍后重试。"
                }
                _ => "数据库操作失败。",
            };
            format!("{mend}（技术细节：{source}）")
        }
        store::Error::Corrupt(what) => format!(
            "数据库中有无法读取的值：它可能在 appraise 之外被改动过。请运行 appraise audit verify 查明，或从备份恢复。（技术细节：{what}）"
        ),
        store::Error::TooNew { path, found, known } => format!(
            "数据库“{path}”的结构版本为 {found}，比本程序所支持的 {known} 更新：请升级 appraise。"
        ),
        store::Error::SourceChanged { row_id, event } => format!(
            "row_id“{row_id}”此前已作为事件 {event} 导入，但内容不同；本次没有导入任何内容。要更正该行，请先作废事件 {event}，再给更正后的行一个新的 row_id。"
        ),
        store::Error::BackupExists(path) => {
            format!("“{}”已存在；请备份到一个新文件。", path.display())
        }
        store::Error::BackupWrite { path, source } => {
            format!("备份“{}”无法写入：{source}", path.display())
        }
        store::Error::Decided(d) => format!(
            "{} {} 已经{}（{}，{}，{}）；每项只处理一次。",
            match d.what {
                "appeal" => "申诉",
                "correction" => "考勤更正",
                other => other,
            },
            d.id,
            match d.outcome.as_str() {
                "upheld" => "受理",
                "rejected" => "驳回",
                "approved" => "批准",
                other => other,
            },
            d.reason,
            d.by,
            labels::moment(&d.at)
        ),
        store::Error::Changing(tries) => {
            format!("读取期间日志连续 {tries} 次发生变化；请等正在进行的导入或录入完成后再试。")
        }
        store::Error::Spill(source) => format!("导入所用的临时文件出错：{source}"),
        store::Error::NoEvent(id) => format!("没有编号为 {id} 的记录。"),
        store::Error::NoAppeal(id) => format!("没有编号为 {id} 的申诉。"),
        store::Error::Same(id) => format!("记录 #{id} 已在日志中，内容完全相同。"),
        store::Error::Already {
            id,
            what,
            reason,
            by,
            at,
        } => format!(
            "记录 #{id} 已经{}（{reason}，{by}，{}）。",
            match *what {
                "voided" => "作废",
                "excused" => "免除",
                other => other,
            },
            labels::moment(at)
        ),
        store::Error::MonthClosed { month, by, at, .. } => format!(
            "{month} 已由 {by} 于 {} 结账；须先重开该月。",
            labels::moment(at)
        ),
        store::Error::AlreadyClosed { month, by, at } => {
            format!("{month} 已由 {by} 于 {} 结账。", labels::moment(at))
        }
        store::Error::NotClosed(month) => format!("{month} 尚未结账。"),
        store::Error::NoReview { employee, year } => {
            format!("“{employee}”{year} 年度的评审尚未启动。")
        }
        store::Error::NotCounting { event, .. } => {
            format!("记录 #{event} 已不计分，无需申诉。")
        }
        store::Error::AlreadyAppealed { event, appeal, .. } => {
            format!("记录 #{event} 已申诉过（申诉 #{appeal}）；每条记录只能申诉一次。")
        }
        store::Error::RestatesClosed {
            policy,
            version,
            from,
            closed,
        } => format!(
            "“{policy}”版本 {version} 自 {from} 起生效，但 {closed} 已结账；启用它将重述已结账月份，须说明原因。"
        ),
        store::Error::AlteredLog(breach) => format!(
            "记录已被篡改：{}。评分数据只会依据完整的日志重建：请从备份恢复数据库。",
            self::breach(breach)
        ),
        // `why` is what was found wrong, for whoever investigates.
        store::Error::Snapshot { month, why } => format!(
            "{month} 的结账快照已损坏，无法读取：它在 appraise 之外被改动过。请运行 appraise audit verify 查明改动之处，或从备份恢复。（技术细节：{why}）"
        ),
    }
}

/// Where the record no longer matches, in Chinese: the tables by what people call them.
pub fn breach(b: &store::Breach) -> String {
    use store::{Breach, Change};
    const REPACK: &str =
        "日志本身完整，人力资源部可运行 `appraise audit repack` 依据日志重建评分数据";
    match b {
        Breach::ChainEdited { block, verified_at } => {
            format!("区块 {block} 的哈希已不是 {verified_at} 核验时的哈希：哈希链本身被改动过")
        }
        Breach::UnknownTable { block, table } => {
            format!("区块 {block} 指向“{table}”，它不是记录中的表")
        }
        Breach::Block {
            block,
            table,
            first,
            last,
        } => {
            let rows = if first == last {
                format!("第 {first} 行")
            } else {
                format!("第 {first}–{last} 行")
            };
            format!(
                "区块 {block}（{}{rows}）对不上：其中封存的某行被修改、删除或插入，或哈希链本身被改动过",
                table_zh(table)
            )
        }
        Breach::Unsealed { table, key } => format!(
            "{}第 {key} 行不在任何区块中：它是绕过 appraise 写入的",
            table_zh(table)
        ),
        Breach::Seal { table, key, change } => format!(
            "{}“{key}”被绕过 appraise {}",
            table_zh(table),
            match change {
                Change::Changed => "修改",
                Change::Written => "写入",
                Change::Removed => "删除",
            }
        ),
        Breach::Pack { employee, month } => format!(
            "{employee} {month} 的评分数据（评级所读）与日志不符：它是绕过 appraise 写入的；{REPACK}"
        ),
        Breach::OrphanPacks { count } => format!(
            "有 {count} 份评分数据（评级所读）所属月份在日志中没有事件：它们是绕过 appraise 写入的；{REPACK}"
        ),
    }
}

/// A table of the record by what people call it (its id when it has no such name).
fn table_zh(table: &str) -> &str {
    match table {
        "events" => "事件日志",
        "event_sources" => "事件来源",
        "voids" => "作废记录",
        "excuses" => "免除记录",
        "policy_versions" => "制度版本",
        "month_closes" => "结账记录",
        "snapshots" => "结账快照",
        "reviews" => "年度考评",
        "review_signatures" => "考评签字",
        "staff_changes" => "人事变动",
        "appeals" => "申诉",
        "appeal_decisions" => "申诉处理",
        "attendance_imports" => "考勤导入",
        "roster" => "排班",
        "punches" => "打卡记录",
        "handovers" => "交接班记录",
        "covered" => "已推算的人日",
        "released" => "已解除的人日",
        "leaves" => "请假",
        "leave_decisions" => "请假审批",
        "holidays" => "节假日",
        "derived" => "考勤推算事件",
        "corrections" => "考勤更正",
        "correction_decisions" => "考勤更正审批",
        "photos" => "照片",
        "evidence" => "证据",
        "audit" => "审计日志",
        "row_seals" => "行封存",
        "staff" => "员工档案",
        "departments" => "部门",
        "users" => "登录账号",
        "imports" => "导入记录",
        "dept_targets" => "部门目标",
        "dept_budgets" => "部门预算",
        other => other,
    }
}

/// Why a photo was not taken, in Chinese.
fn photo_problem(p: &crate::intake::photo::PhotoProblem) -> String {
    use crate::intake::photo::{MAX_BYTES, MAX_PER_RECORD, PhotoProblem};
    match p {
        PhotoProblem::TooLarge { name } => format!(
            "“{name}”超过 {} MB；请降低分辨率重新拍摄。",
            MAX_BYTES / (1024 * 1024)
        ),
        PhotoProblem::NotAnImage { name } => {
            format!("“{name}”不是 JPEG、PNG、WebP 或 HEIC 照片（按文件内容判断）。")
        }
        PhotoProblem::Empty { name } => format!("“{name}”是空文件。"),
        PhotoProblem::Damaged { name, what } => format!("“{name}”是损坏的 {what} 文件。"),
        PhotoProblem::HeicWithExif { name } => format!(
            "“{name}”是带位置信息的 HEIC 照片，无法去除位置；请以 JPEG 上传（手机相机设置“兼容性最佳”）。"
        ),
        PhotoProblem::TooMany { would_have } => {
            format!("每条记录最多 {MAX_PER_RECORD} 张照片；加上这些将有 {would_have} 张。")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_and_missteps_read_in_chinese_with_their_values() {
        let r = Refusal {
            login: "张主管".into(),
            role: Role::Supervisor,
            action: Action::RecordEvent,
            why: Why::OutOfScope {
                employee: "E009".into(),
            },
        };
        assert_eq!(
            refusal(&r),
            "“张主管”（主管）无权为“E009”录入记录：不在其班组内。"
        );
        let m = Misstep::ComesLater {
            step: "company".into(),
            next: "manager".into(),
        };
        assert_eq!(misstep(&m), "“公司”一级还没轮到；下一步由“直属上级”签署。");
        assert_eq!(
            error(&Error::Invalid(Invalid::ReasonRequired)),
            "请填写原因。"
        );
    }
}
