//! From TOML text to a [`Policy`]: read the `extends` chain (`chain`), merge parent and
//! child (`merge`), validate what only the whole shows (kinds, scoring, the grade ladder),
//! compile scripts, and read the test cases (`cases`), collecting every problem on the way.

use std::collections::BTreeMap;
use std::sync::Arc;

use toml::Spanned;

use super::problem::{Problem, Problems, SourceText};
use super::raw;
use super::script::{Origin, Script, Stage};
use super::{
    Action, Alias, Attendance, Bundle, BundleFile, DEFAULT_APPEAL_DAYS, DEFAULT_MAX_ABSENT_PERCENT,
    DEFAULT_MAX_GAP_DAYS, EventRule, Grade, Loc, MonthRule, Policy, PolicyRef, Scoring, YearRule,
};
use crate::domain::event::{FieldType, is_identifier};
use crate::domain::month::Month;
use crate::domain::points::Points;

/// Review steps a chain may name.
pub const REVIEW_STEPS: [&str; 3] = ["manager", "department_head", "company"];

pub(super) type Reader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// Loads the policy at `name` and its `extends` chain through `read`.
pub fn load(name: &str, read: Reader) -> Result<Policy, Problems> {
    let mut c = Compiler::default();
    let policy = c.load(name, read);
    match policy {
        Some(p) if c.problems.is_empty() => Ok(p),
        _ => {
            let sources = std::mem::take(&mut c.sources);
            let mut problems: Vec<Problem> = c
                .problems
                .into_iter()
                .map(|p| match sources.iter().find(|s| s.name == p.file) {
                    Some(src) => src.attach(p),
                    None => p,
                })
                .collect();
            problems.sort();
            problems.dedup();
            Err(Problems(problems))
        }
    }
}

/// Compiles a policy, collecting every problem rather than stopping at the first.
#[derive(Default)]
pub(super) struct Compiler {
    pub(super) problems: Vec<Problem>,
    /// Every file read, so that each problem carries the text it was found in.
    pub(super) sources: Vec<SourceText>,
}

/// One parsed file of the chain.
pub(super) struct Parsed {
    pub(super) src: SourceText,
    pub(super) file: raw::File,
    /// The name it is stored under when activated: relative to the root policy's folder, so
    /// a stored version does not depend on where the files were.
    pub(super) stored_name: String,
}

/// A field a rule declares for one of its kinds.
pub(super) struct FieldDecl {
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) rule: String,
    pub(super) ty: FieldType,
    /// What people read for it, if the rule says.
    pub(super) label: Option<String>,
    pub(super) loc: Loc,
}

/// What the merge accumulates, parent first.
#[derive(Default)]
pub(super) struct Merged {
    pub(super) base: Option<f64>,
    pub(super) pass_mark: Option<f64>,
    pub(super) floor: Option<f64>,
    pub(super) ceiling: Option<f64>,
    pub(super) appeal_days: Option<i64>,
    pub(super) rules: Vec<EventRule>,
    /// Where each rule id is in `rules` (and below, in `monthly` and `annual`).
    pub(super) rule_at: std::collections::HashMap<String, usize>,
    pub(super) monthly_at: std::collections::HashMap<String, usize>,
    pub(super) annual_at: std::collections::HashMap<String, usize>,
    pub(super) fields: Vec<FieldDecl>,
    pub(super) monthly: Vec<MonthRule>,
    /// Year rules, each with the grades it names (forced or capped) and where.
    pub(super) annual: Vec<(YearRule, Vec<(String, Loc)>)>,
    pub(super) grades: Vec<Grade>,
    pub(super) review: BTreeMap<String, Vec<String>>,
    pub(super) department: Option<Script>,
    pub(super) flag_labels: BTreeMap<String, String>,
    pub(super) leave: BTreeMap<String, crate::policy::LeaveType>,
    pub(super) staff_fields: BTreeMap<String, FieldType>,
    /// `[rating]` `min_months`.
    pub(super) min_months: Option<u32>,
    /// `[attendance]` merged field by field, with where it was last written.
    pub(super) attendance: Option<(raw::AttendanceSection, Loc)>,
}

impl Compiler {
    fn load(&mut self, name: &str, read: Reader) -> Option<Policy> {
        let chain = self.read_chain(name, read)?;
        let root = chain.first()?;
        let header = &root.file.policy;

        let effective_from = self.month(&root.src, &header.effective_from);
        let departments = self.departments(&root.src, &header.departments);
        if !is_identifier(header.id.get_ref()) {
            self.problems.push(root.src.problem(
                header.id.span(),
                format!(
                    "policy id `{}` may only use a-z, 0-9, `_` and `-`",
                    header.id.get_ref()
                ),
            ));
        }

        let mut m = Merged::default();
        for parsed in chain.iter().rev() {
            self.merge(&mut m, parsed);
        }
        let kinds = self.kinds(&m);
        let kind_names = self.kind_names(&m, &kinds);
        let field_labels = field_labels(&m);
        let attendance = self.attendance(&m, &kinds);
        let scoring = self.scoring(&root.src, &m);
        self.check_grades(&root.src, &m);
        self.check_scripts(&m, &kinds);

        let mut policy = Policy {
            id: header.id.get_ref().clone(),
            name: header.name.clone(),
            version: header.version.clone(),
            effective_from: effective_from?,
            departments,
            scoring: scoring?,
            rules: m.rules,
            monthly: m.monthly,
            annual: m.annual.into_iter().map(|(r, _)| r).collect(),
            grades: m.grades,
            review: m.review,
            department: m.department,
            flag_labels: m.flag_labels,
            leave: m.leave,
            staff_fields: m.staff_fields,
            min_months: m.min_months.unwrap_or(0),
            file_policies: chain
                .iter()
                .map(|p| (p.src.name.clone(), p.file.policy.id.get_ref().clone()))
                .collect(),
            kinds,
            field_labels,
            kind_names,
            attendance,
            tests: Vec::new(),
            reference: Default::default(),
            scored_kinds: Default::default(),
            by_kind: Default::default(),
            by_address: Default::default(),
            bundle: Bundle {
                files: chain
                    .iter()
                    .map(|p| BundleFile {
                        name: p.stored_name.clone(),
                        text: p.src.text.to_string(),
                    })
                    .collect(),
            },
        };
        policy.reference = PolicyRef::new(&policy.id, &policy.version, &policy.bundle.hash());
        policy.index_kinds();
        policy.tests = root
            .file
            .test
            .iter()
            .filter_map(|c| self.case(&root.src, c, &policy))
            .collect();
        Some(policy)
    }

    pub(super) fn month(&mut self, src: &SourceText, s: &Spanned<String>) -> Option<Month> {
        match s.get_ref().parse() {
            Ok(m) => Some(m),
            Err(e) => {
                self.problems.push(src.problem(s.span(), e.to_string()));
                None
            }
        }
    }

    pub(super) fn departments(
        &mut self,
        src: &SourceText,
        d: &Spanned<Vec<Spanned<String>>>,
    ) -> Vec<String> {
        if d.get_ref().is_empty() {
            self.problems.push(
                src.problem(d.span(), "`departments` is empty")
                    .with_help("name the departments this policy governs, or \"*\" for all"),
            );
        }
        for dept in d.get_ref() {
            if dept.get_ref() != "*" && !is_identifier(dept.get_ref()) {
                self.problems.push(src.problem(
                    dept.span(),
                    format!(
                        "department id `{}` may only use a-z, 0-9, `_` and `-`",
                        dept.get_ref()
                    ),
                ));
            }
        }
        d.get_ref().iter().map(|s| s.get_ref().clone()).collect()
    }

    pub(super) fn loc(src: &SourceText, span: std::ops::Range<usize>) -> Loc {
        let (line, column) = src.position(span.start);
        Loc {
            file: Arc::from(src.name.as_str()),
            line,
            column,
        }
    }

    /// Compiles a script or expression held in a TOML string.
    pub(super) fn script(
        &mut self,
        src: &SourceText,
        s: &Spanned<String>,
        expression: bool,
        stage: Stage,
    ) -> Option<Script> {
        let (line, column) = src.string_content_start(s.span());
        if s.get_ref().trim().is_empty() {
            self.problems.push(
                src.problem(s.span(), "the script is empty").with_help(
                    "write the expression or script, or use `points = N` for fixed points",
                ),
            );
            return None;
        }
        let origin = Origin {
            file: Arc::from(src.name.as_str()),
            line,
            column,
        };
        match Script::compile(s.get_ref(), expression, stage, origin) {
            Ok(script) => Some(script),
            Err(f) => {
                self.problems.push(Problem {
                    help: f.help,
                    ..Problem::at(
                        src.name.clone(),
                        f.line,
                        f.column,
                        format!("rhai: {}", f.message),
                    )
                });
                None
            }
        }
    }

    pub(super) fn action(
        &mut self,
        src: &SourceText,
        what: &Spanned<String>,
        points: &Option<Spanned<f64>>,
        script: &Option<Spanned<String>>,
        stage: Stage,
    ) -> Option<Action> {
        match (points, script) {
            (Some(p), None) => match Points::bounded(*p.get_ref()) {
                Some(pts) => Some(Action::Fixed(pts)),
                None => {
                    self.problems.push(src.problem(
                        p.span(),
                        format!(
                            "`points` is `{:?}`; it must be a number from -{1} to {1}",
                            p.get_ref(),
                            Points::LIMIT
                        ),
                    ));
                    None
                }
            },
            (None, Some(s)) => self.script(src, s, false, stage).map(Action::Script),
            (Some(p), Some(_)) => {
                self.problems.push(
                    src.problem(
                        p.span(),
                        format!("rule `{}` has both `points` and `script`", what.get_ref()),
                    )
                    .with_help("keep one"),
                );
                None
            }
            (None, None) => {
                self.problems.push(src.problem(
                    what.span(),
                    format!("rule `{}` needs `points` or a `script`", what.get_ref()),
                ));
                None
            }
        }
    }

    pub(super) fn flags(&mut self, src: &SourceText, flags: &[Spanned<String>]) -> Vec<String> {
        for f in flags {
            if !is_identifier(f.get_ref()) {
                self.problems.push(src.problem(
                    f.span(),
                    format!("flag `{}` may only use a-z, 0-9, `_` and `-`", f.get_ref()),
                ));
            }
        }
        flags.iter().map(|f| f.get_ref().clone()).collect()
    }

    pub(super) fn id(&mut self, src: &SourceText, id: &Spanned<String>, what: &str) {
        if !is_identifier(id.get_ref()) {
            self.problems.push(src.problem(
                id.span(),
                format!(
                    "{what} id `{}` may only use a-z, 0-9, `_` and `-`",
                    id.get_ref()
                ),
            ));
        }
    }

    /// Every kind the rules see, with its fields; a field declared twice must agree.
    /// (Their labels: [`field_labels`].)
    fn kinds(&mut self, m: &Merged) -> BTreeMap<String, BTreeMap<String, FieldType>> {
        let mut kinds: BTreeMap<String, BTreeMap<String, FieldType>> = m
            .rules
            .iter()
            .flat_map(|r| r.on.iter().map(|k| (k.clone(), BTreeMap::new())))
            .collect();
        let mut first: BTreeMap<(&str, &str), &FieldDecl> = BTreeMap::new();
        for d in &m.fields {
            match first.get(&(d.kind.as_str(), d.name.as_str())) {
                Some(other) if other.ty != d.ty => self.problems.push(Problem {
                    help: Some("one kind needs one type per field".into()),
                    ..Problem::at(
                        d.loc.file.to_string(),
                        d.loc.line,
                        d.loc.column,
                        format!(
                            "field `{}` of kind `{}` is {} here but {} in rule `{}`",
                            d.name, d.kind, d.ty, other.ty, other.rule
                        ),
                    )
                }),
                Some(_) => {}
                None => {
                    first.insert((&d.kind, &d.name), d);
                    kinds
                        .entry(d.kind.clone())
                        .or_default()
                        .insert(d.name.clone(), d.ty);
                }
            }
        }
        kinds
    }

    /// The names people may write for kinds: every declared alias (each names one kind, and
    /// no kind's id), and each one-kind rule's name where no other kind's rule has it.
    fn kind_names(
        &mut self,
        m: &Merged,
        kinds: &BTreeMap<String, BTreeMap<String, FieldType>>,
    ) -> BTreeMap<String, String> {
        let mut named: BTreeMap<String, Option<String>> = BTreeMap::new();
        for r in m.rules.iter().filter(|r| r.on.len() == 1) {
            let kind = &r.on[0];
            let name = r.name.trim();
            if name.is_empty() || kinds.contains_key(name) {
                continue;
            }
            named
                .entry(name.to_string())
                .and_modify(|k| {
                    if k.as_ref() != Some(kind) {
                        // Two kinds' rules share the name: it names neither.
                        *k = None;
                    }
                })
                .or_insert_with(|| Some(kind.clone()));
        }
        let mut names: BTreeMap<String, String> = named
            .into_iter()
            .filter_map(|(n, k)| Some((n, k?)))
            .collect();
        let mut declared: BTreeMap<&str, (&str, &Loc)> = BTreeMap::new();
        for r in &m.rules {
            for Alias {
                kind,
                name: alias,
                loc,
            } in &r.aliases
            {
                let kind = kind.as_str();
                // The name of another kind's rule already names that kind: an alias may not
                // take it over (漏打卡 would record a new kind instead of `missing_punch`).
                let rule_named = m
                    .rules
                    .iter()
                    .find(|o| o.name.trim() == alias && o.on.len() == 1 && o.on[0] != kind);
                let clash = if alias.is_empty() {
                    Some("an alias cannot be empty".to_string())
                } else if kinds.contains_key(alias) && alias != kind {
                    Some(format!("alias `{alias}` is the id of kind `{alias}`"))
                } else if let Some(o) = rule_named {
                    Some(format!(
                        "alias `{alias}` is the name of rule `{}` (kind `{}`, line {} of {}), which people already write for that kind",
                        o.id,
                        o.on[0],
                        o.loc.line,
                        std::path::Path::new(&*o.loc.file).file_name().map_or_else(
                            || o.loc.file.to_string(),
                            |n| n.to_string_lossy().into_owned()
                        )
                    ))
                } else {
                    match declared.get(alias.as_str()) {
                        Some((other, at)) if *other != kind => Some(format!(
                            "alias `{alias}` names kind `{kind}` here and kind `{other}` at {}:{}",
                            at.file, at.line
                        )),
                        _ => None,
                    }
                };
                match clash {
                    Some(message) => self.problems.push(Problem {
                        help: Some("an alias names one kind only".into()),
                        ..Problem::at(loc.file.to_string(), loc.line, loc.column, message)
                    }),
                    None => {
                        declared.insert(alias, (kind, loc));
                        names.insert(alias.clone(), kind.to_string());
                    }
                }
            }
        }
        names
    }

    /// `[attendance]`, checked: sensible minutes, and kinds the policy scores, a late
    /// arrival and an early leave with a `minutes` field, the others with no field (a
    /// derived event carries none).
    fn attendance(
        &mut self,
        m: &Merged,
        kinds: &BTreeMap<String, BTreeMap<String, FieldType>>,
    ) -> Option<Attendance> {
        let (a, loc) = m.attendance.as_ref()?;
        let problem = |c: &mut Compiler, message: String| {
            c.problems.push(Problem::at(
                loc.file.to_string(),
                loc.line,
                loc.column,
                message,
            ))
        };
        let minutes = |c: &mut Compiler, what: &str, x: Option<i64>, default: i64, most: i64| {
            let x = x.unwrap_or(default);
            if !(0..=most).contains(&x) {
                problem(
                    c,
                    format!("`[attendance]` `{what}` is {x}; it must be from 0 to {most} minutes"),
                );
            }
            x.clamp(0, most)
        };
        let grace_minutes = minutes(self, "grace_minutes", a.grace_minutes, 0, 120);
        let window_before = minutes(self, "window_before", a.window_before, 240, 720);
        let window_after = minutes(self, "window_after", a.window_after, 360, 720);
        let handover_minutes = minutes(self, "handover_minutes", a.handover_minutes, 30, 720);
        let corrections_per_month = a
            .corrections_per_month
            .map(|n| minutes(self, "corrections_per_month", Some(n), 0, 31) as u32);
        let max_gap_days = a.max_gap_days.unwrap_or(DEFAULT_MAX_GAP_DAYS);
        if !(1..=366).contains(&max_gap_days) {
            problem(
                self,
                format!(
                    "`[attendance]` `max_gap_days` is {max_gap_days}; it must be from 1 to 366 days"
                ),
            );
        }
        let max_absent_percent = a.max_absent_percent.unwrap_or(DEFAULT_MAX_ABSENT_PERCENT);
        if !(0..=100).contains(&max_absent_percent) {
            problem(
                self,
                format!(
                    "`[attendance]` `max_absent_percent` is {max_absent_percent}; it must be from 0 to 100"
                ),
            );
        }
        let kind = |c: &mut Compiler, what: &str, k: &Option<String>, with_minutes: bool| {
            let k = k.as_ref()?;
            let Some(fields) = kinds.get(k) else {
                problem(
                    c,
                    format!("`[attendance]` `{what} = \"{k}\"`: no rule sees kind `{k}`"),
                );
                return None;
            };
            let wanted: &[&str] = if with_minutes { &["minutes"] } else { &[] };
            let has: Vec<&str> = fields.keys().map(String::as_str).collect();
            if has != wanted || (with_minutes && fields["minutes"] != FieldType::Int) {
                problem(
                    c,
                    format!(
                        "`[attendance]` `{what} = \"{k}\"`: a derived {what} carries {}; kind `{k}` declares {}",
                        if with_minutes {
                            "the field `minutes` (int)"
                        } else {
                            "no field"
                        },
                        if has.is_empty() {
                            "none".to_string()
                        } else {
                            has.join(", ")
                        }
                    ),
                );
                return None;
            }
            Some(k.clone())
        };
        Some(Attendance {
            grace_minutes,
            window_before,
            window_after,
            handover_minutes,
            corrections_per_month,
            max_gap_days: max_gap_days.clamp(1, 366),
            max_absent_percent: max_absent_percent.clamp(0, 100),
            late: kind(self, "late", &a.late, true),
            early_leave: kind(self, "early_leave", &a.early_leave, true),
            absence: kind(self, "absence", &a.absence, false),
            missing_punch: kind(self, "missing_punch", &a.missing_punch, false),
            missed_handover: kind(self, "missed_handover", &a.missed_handover, false),
        })
    }

    fn scoring(&mut self, root: &SourceText, m: &Merged) -> Option<Scoring> {
        let at = |c: &mut Compiler, msg: String| {
            c.problems.push(Problem::at_start(root.name.clone(), msg));
        };
        // Each bound, if given, must be a usable number of points.
        let bounded = |c: &mut Compiler, what: &str, x: Option<f64>| match x {
            None => None,
            Some(x) => Points::bounded(x).or_else(|| {
                at(
                    c,
                    format!(
                        "`[scoring]` `{what}` is `{x:?}`; it must be a number from -{0} to {0}",
                        Points::LIMIT
                    ),
                );
                None
            }),
        };
        let base = bounded(self, "base", m.base);
        let pass_mark = bounded(self, "pass_mark", m.pass_mark);
        let floor = bounded(self, "floor", m.floor);
        let ceiling = bounded(self, "ceiling", m.ceiling);
        let (Some(base), Some(pass_mark)) = (base, pass_mark) else {
            if m.base.is_none() || m.pass_mark.is_none() {
                at(
                    self,
                    "`[scoring]` needs `base` and `pass_mark` (here or in an extended policy)"
                        .into(),
                );
            }
            return None;
        };
        if let (Some(f), Some(c)) = (floor, ceiling)
            && f > c
        {
            at(self, format!("`[scoring]` floor {f} is above ceiling {c}"));
        }
        let appeal_days = match m.appeal_days {
            None => DEFAULT_APPEAL_DAYS,
            Some(d @ 0..=366) => d as u32,
            Some(d) => {
                at(
                    self,
                    format!(
                        "`[scoring]` `appeal_days` is {d}; it must be a number of days from 0 to 366"
                    ),
                );
                DEFAULT_APPEAL_DAYS
            }
        };
        Some(Scoring {
            base,
            pass_mark,
            floor,
            ceiling,
            appeal_days,
        })
    }

    /// Every `staff.NAME` a script reads must be a part of every record or an attribute the
    /// policy declares in `[staff_fields]`: an undeclared one would reach the scores only as
    /// an error at month close, for the first employee who lacks it.
    /// Checks every script against the schema the policy states (see `typing`).
    fn check_scripts(&mut self, m: &Merged, kinds: &BTreeMap<String, BTreeMap<String, FieldType>>) {
        use super::typing::{Schema, Want, check};
        let mut checks: Vec<(&Script, Stage, Want, Schema)> = Vec::new();
        for r in &m.rules {
            let schema = || Schema {
                kinds: r
                    .on
                    .iter()
                    .filter_map(|k| kinds.get_key_value(k))
                    .map(|(k, f)| (k.as_str(), f))
                    .collect(),
                staff_fields: &m.staff_fields,
            };
            if let Some(w) = &r.when {
                checks.push((w, Stage::Event, Want::Condition, schema()));
            }
            if let Some(s) = r.action.script() {
                checks.push((s, Stage::Event, Want::Points, schema()));
            }
        }
        fn with(s: &Script, stage: Stage, want: Want) -> (&Script, Stage, Want) {
            (s, stage, want)
        }
        let others = m
            .monthly
            .iter()
            .flat_map(|r| {
                [
                    r.when
                        .as_ref()
                        .map(|w| with(w, Stage::Month, Want::Condition)),
                    r.action
                        .script()
                        .map(|s| with(s, Stage::Month, Want::Points)),
                ]
            })
            .chain(
                m.annual
                    .iter()
                    .map(|(r, _)| Some(with(&r.when, Stage::Year, Want::Condition))),
            )
            .chain(m.grades.iter().map(|g| {
                g.when
                    .as_ref()
                    .map(|w| with(w, Stage::Year, Want::Condition))
            }))
            .chain([m
                .department
                .as_ref()
                .map(|d| with(d, Stage::Department, Want::Department))])
            .flatten();
        for (script, stage, want) in others {
            checks.push((
                script,
                stage,
                want,
                Schema {
                    kinds: Vec::new(),
                    staff_fields: &m.staff_fields,
                },
            ));
        }
        for (script, stage, want, schema) in checks {
            for f in check(script, stage, want, &schema) {
                let (line, column) = script.origin.locate(f.position);
                self.problems.push(Problem {
                    help: f.help,
                    ..Problem::at(script.origin.file.to_string(), line, column, f.message)
                });
            }
        }
    }

    fn check_grades(&mut self, root: &SourceText, m: &Merged) {
        if m.grades.is_empty() {
            self.problems.push(
                Problem::at_start(
                    root.name.clone(),
                    "no `[[grade]]` defined (here or in an extended policy)",
                )
                .with_help("annual ratings need at least a catch-all grade"),
            );
        }
        for (rule, named) in &m.annual {
            for (g, loc) in named
                .iter()
                .filter(|(g, _)| !m.grades.iter().any(|x| &x.id == g))
            {
                let how = if rule.grade.as_ref() == Some(g) {
                    "forces"
                } else {
                    "caps the year at"
                };
                self.problems.push(Problem {
                    help: Some(format!(
                        "known grades: {}",
                        m.grades
                            .iter()
                            .map(|x| x.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )),
                    ..Problem::at(
                        loc.file.to_string(),
                        loc.line,
                        loc.column,
                        format!(
                            "year rule `{}` {how} grade `{g}`, which no `[[grade]]` defines",
                            rule.id,
                        ),
                    )
                });
            }
        }
    }
}

/// Kind → field → the label people read for it: the first a rule on the kind declares (a
/// child's rules come after its parent's, so a parent's label holds unless it gave none).
fn field_labels(m: &Merged) -> BTreeMap<String, BTreeMap<String, String>> {
    let mut labels: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for d in &m.fields {
        if let Some(label) = &d.label {
            labels
                .entry(d.kind.clone())
                .or_default()
                .entry(d.name.clone())
                .or_insert_with(|| label.clone());
        }
    }
    labels
}
