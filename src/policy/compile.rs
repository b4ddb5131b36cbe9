//! From TOML text to a [`Policy`]: parse every file of the `extends` chain, merge parent
//! and child, validate, and compile scripts, collecting every problem on the way.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use toml::Spanned;

use super::problem::{Problem, Problems, SourceText};
use super::raw;
use super::script::{Origin, Script, Stage};
use super::{
    Action, Bundle, BundleFile, Case, CaseEvent, CasePeriod, EventRule, Expect, Grade, KindRules,
    Labels, Loc, MonthRule, Policy, PolicyRef, Scoring, YearRule,
};
use crate::event::{FieldType, FieldValue, Fields, is_identifier};
use crate::month::{Month, parse_date};
use crate::points::Points;

/// Review steps a chain may name.
pub const REVIEW_STEPS: [&str; 3] = ["manager", "department_head", "company"];

/// Keys of an event that are not fields (`by` is an option of `log add`).
const EVENT_KEYS: [&str; 8] = [
    "id",
    "kind",
    "date",
    "employee",
    "qty",
    "note",
    "recorded_by",
    "by",
];

type Reader<'a> = &'a dyn Fn(&str) -> Result<String, String>;

/// Loads the policy at `name` and its `extends` chain through `read`.
pub fn load(name: &str, read: Reader) -> Result<Policy, Problems> {
    let mut c = Compiler::default();
    let policy = c.load(name, read);
    match policy {
        Some(p) if c.problems.is_empty() => Ok(p),
        _ => {
            c.problems.sort();
            c.problems.dedup();
            Err(Problems(c.problems))
        }
    }
}

#[derive(Default)]
struct Compiler {
    problems: Vec<Problem>,
}

/// One parsed file of the chain.
struct Parsed {
    src: SourceText,
    file: raw::File,
    /// The name it is stored under when activated: relative to the root policy's folder, so
    /// a stored version does not depend on where the files were.
    stored_name: String,
}

/// A field a rule declares for one of its kinds.
struct FieldDecl {
    kind: String,
    name: String,
    rule: String,
    ty: FieldType,
    loc: Loc,
}

/// What the merge accumulates, parent first.
#[derive(Default)]
struct Merged {
    base: Option<f64>,
    pass_mark: Option<f64>,
    floor: Option<f64>,
    ceiling: Option<f64>,
    rules: Vec<EventRule>,
    fields: Vec<FieldDecl>,
    monthly: Vec<MonthRule>,
    annual: Vec<(YearRule, Option<Loc>)>,
    grades: Vec<Grade>,
    review: BTreeMap<String, Vec<String>>,
    department: Option<Script>,
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
        let scoring = self.scoring(&root.src, &m);
        self.check_grades(&root.src, &m);

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
            kinds,
            tests: Vec::new(),
            reference: Default::default(),
            by_kind: Default::default(),
            bundle: Bundle {
                files: chain
                    .iter()
                    .map(|p| BundleFile {
                        name: p.stored_name.clone(),
                        text: p.src.text.clone(),
                    })
                    .collect(),
            },
        };
        policy.reference = PolicyRef::new(&policy.id, &policy.version, &policy.bundle.hash());
        for (i, r) in policy.rules.iter().enumerate() {
            for k in &r.on {
                policy
                    .by_kind
                    .entry(k.clone())
                    .or_insert_with(|| KindRules {
                        name: crate::text::intern(k),
                        index: 0,
                        rules: Vec::new(),
                    })
                    .rules
                    .push(i);
            }
        }
        for (index, k) in policy.by_kind.values_mut().enumerate() {
            k.index = index;
        }
        policy.tests = root
            .file
            .test
            .iter()
            .filter_map(|c| self.case(&root.src, c, &policy))
            .collect();
        Some(policy)
    }

    /// Reads `name` and the files it extends, root first; stops at a cycle or missing file.
    fn read_chain(&mut self, name: &str, read: Reader) -> Option<Vec<Parsed>> {
        let mut chain: Vec<Parsed> = Vec::new();
        let mut next = Some((name.to_string(), None::<(usize, std::ops::Range<usize>)>));
        let root_name = Path::new(name)
            .file_name()
            .map_or_else(|| name.to_string(), |f| f.to_string_lossy().into_owned());
        while let Some((name, from)) = next.take() {
            let text = match read(&name) {
                Ok(t) => t,
                Err(e) => {
                    let problem = match &from {
                        Some((i, span)) => chain[*i].src.problem(
                            span.clone(),
                            format!("cannot read extended policy `{name}`: {e}"),
                        ),
                        None => Problem::at_start(name.clone(), format!("cannot read policy file: {e}")),
                    };
                    self.problems.push(problem);
                    return None;
                }
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
            let src = SourceText::new(name.clone(), text);
            let file = match toml::from_str::<raw::File>(&src.text) {
                Ok(f) => f,
                Err(e) => {
                    let span = e.span().unwrap_or(0..0);
                    self.problems.push(src.problem(span, toml_message(&e)));
                    return None;
                }
            };
            if let Some(ext) = &file.policy.extends {
                let parent = join(&name, ext.get_ref());
                if parent == name || chain.iter().any(|p| p.src.name == parent) {
                    self.problems.push(src.problem(
                        ext.span(),
                        format!("`extends` makes a cycle through `{parent}`"),
                    ));
                    return None;
                }
                next = Some((parent, Some((chain.len(), ext.span()))));
            }
            let stored_name = match &from {
                None => root_name.clone(),
                Some((i, _)) => join(
                    &chain[*i].stored_name,
                    chain[*i]
                        .file
                        .policy
                        .extends
                        .as_ref()
                        .map_or("", |e| e.get_ref()),
                ),
            };
            chain.push(Parsed {
                src,
                file,
                stored_name,
            });
        }
        Some(chain)
    }

    fn month(&mut self, src: &SourceText, s: &Spanned<String>) -> Option<Month> {
        match s.get_ref().parse() {
            Ok(m) => Some(m),
            Err(e) => {
                self.problems.push(src.problem(s.span(), e.to_string()));
                None
            }
        }
    }

    fn departments(&mut self, src: &SourceText, d: &Spanned<Vec<Spanned<String>>>) -> Vec<String> {
        if d.get_ref().is_empty() {
            self.problems.push(src.problem(
                d.span(),
                "`departments` is empty; name the departments this policy governs, or \"*\" for all",
            ));
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

    fn loc(src: &SourceText, span: std::ops::Range<usize>) -> Loc {
        let (line, column) = src.position(span.start);
        Loc {
            file: Arc::from(src.name.as_str()),
            line,
            column,
        }
    }

    /// Compiles a script or expression held in a TOML string.
    fn script(
        &mut self,
        src: &SourceText,
        s: &Spanned<String>,
        expression: bool,
        stage: Stage,
    ) -> Option<Script> {
        let (line, column) = src.string_content_start(s.span());
        let origin = Origin {
            file: Arc::from(src.name.as_str()),
            line,
            column,
        };
        match Script::compile(s.get_ref(), expression, stage, origin) {
            Ok(script) => Some(script),
            Err(f) => {
                self.problems.push(Problem {
                    file: src.name.clone(),
                    line: f.line,
                    column: f.column,
                    message: format!("rhai: {}", f.message),
                    help: f.help,
                });
                None
            }
        }
    }

    fn action(
        &mut self,
        src: &SourceText,
        what: &Spanned<String>,
        points: &Option<Spanned<f64>>,
        script: &Option<Spanned<String>>,
        stage: Stage,
    ) -> Option<Action> {
        match (points, script) {
            (Some(p), None) => match Points::from_f64(*p.get_ref()) {
                Some(pts) => Some(Action::Fixed(pts)),
                None => {
                    self.problems
                        .push(src.problem(p.span(), "`points` is not a usable number"));
                    None
                }
            },
            (None, Some(s)) => self.script(src, s, false, stage).map(Action::Script),
            (Some(p), Some(_)) => {
                self.problems.push(src.problem(
                    p.span(),
                    format!(
                        "rule `{}` has both `points` and `script`; keep one",
                        what.get_ref()
                    ),
                ));
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

    fn flags(&mut self, src: &SourceText, flags: &[Spanned<String>]) -> Vec<String> {
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

    fn id(&mut self, src: &SourceText, id: &Spanned<String>, what: &str) {
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

    /// Adds one file's items to the merge, checking ids and overrides.
    fn merge(&mut self, m: &mut Merged, p: &Parsed) {
        let src = &p.src;
        let f = &p.file;
        if let Some(s) = &f.scoring {
            m.base = s.base.or(m.base);
            m.pass_mark = s.pass_mark.or(m.pass_mark);
            m.floor = s.floor.or(m.floor);
            m.ceiling = s.ceiling.or(m.ceiling);
        }

        let mut seen = BTreeSet::new();
        for r in &f.rule {
            let r_ref = r.get_ref();
            self.id(src, &r_ref.id, "rule");
            self.unique(src, &mut seen, &r_ref.id, "rule");
            let Some(rule) = self.event_rule(src, r_ref, &mut m.fields) else {
                continue;
            };
            let at = m.rules.iter().position(|x| x.id == rule.id);
            if self.overrides(
                src,
                &r_ref.id,
                r_ref.overrides,
                at.map(|i| &m.rules[i].loc),
                "rule",
            ) {
                match at {
                    Some(i) => {
                        let old = m.rules[i].id.clone();
                        m.fields.retain(|d| d.rule != old);
                        m.rules[i] = rule;
                    }
                    None => m.rules.push(rule),
                }
            }
        }

        let mut seen = BTreeSet::new();
        for r in &f.monthly {
            let r = r.get_ref();
            self.id(src, &r.id, "month rule");
            self.unique(src, &mut seen, &r.id, "month rule");
            let when = r
                .when
                .as_ref()
                .map(|w| self.script(src, w, true, Stage::Month));
            let action = self.action(src, &r.id, &r.points, &r.script, Stage::Month);
            let flags = self.flags(src, &r.flags);
            let (Some(action), Some(when)) = (action, when.map_or(Some(None), |w| w.map(Some)))
            else {
                continue;
            };
            let category = r.category.clone().unwrap_or_default();
            let rule = MonthRule {
                labels: Labels::of(r.id.get_ref(), &r.name, &category, &action),
                id: r.id.get_ref().clone(),
                name: r.name.clone(),
                category,
                when,
                action,
                flags,
                loc: Self::loc(src, r.id.span()),
            };
            let at = m.monthly.iter().position(|x| x.id == rule.id);
            if self.overrides(
                src,
                &r.id,
                r.overrides,
                at.map(|i| &m.monthly[i].loc),
                "month rule",
            ) {
                match at {
                    Some(i) => m.monthly[i] = rule,
                    None => m.monthly.push(rule),
                }
            }
        }

        let mut seen = BTreeSet::new();
        for r in &f.annual {
            let r = r.get_ref();
            self.id(src, &r.id, "year rule");
            self.unique(src, &mut seen, &r.id, "year rule");
            let when = self.script(src, &r.when, true, Stage::Year);
            let flags = self.flags(src, &r.flags);
            let Some(when) = when else { continue };
            let rule = YearRule {
                id: r.id.get_ref().clone(),
                name: r.name.clone(),
                when,
                grade: r.grade.as_ref().map(|g| g.get_ref().clone()),
                flags,
                loc: Self::loc(src, r.id.span()),
            };
            let grade_loc = r.grade.as_ref().map(|g| Self::loc(src, g.span()));
            let at = m.annual.iter().position(|(x, _)| x.id == rule.id);
            if self.overrides(
                src,
                &r.id,
                r.overrides,
                at.map(|i| &m.annual[i].0.loc),
                "year rule",
            ) {
                match at {
                    Some(i) => m.annual[i] = (rule, grade_loc),
                    None => m.annual.push((rule, grade_loc)),
                }
            }
        }

        if !f.grade.is_empty() {
            // A file that lists grades defines the whole ladder: order matters, so a partial
            // merge with the parent's ladder would be ambiguous.
            m.grades.clear();
            let mut seen = BTreeSet::new();
            let last = f.grade.len() - 1;
            for (i, g) in f.grade.iter().enumerate() {
                let g = g.get_ref();
                self.id(src, &g.id, "grade");
                self.unique(src, &mut seen, &g.id, "grade");
                let when = match (&g.when, i == last) {
                    (Some(w), false) => self.script(src, w, true, Stage::Year),
                    (Some(w), true) => {
                        self.problems.push(src.problem(
                            w.span(),
                            format!("the last grade `{}` is the catch-all and takes no `when`; remove it or add a grade after it", g.id.get_ref()),
                        ));
                        None
                    }
                    (None, false) => {
                        self.problems.push(src.problem(
                            g.id.span(),
                            format!("grade `{}` has no `when` but is not last; only the last grade is the catch-all", g.id.get_ref()),
                        ));
                        None
                    }
                    (None, true) => None,
                };
                m.grades.push(Grade {
                    id: g.id.get_ref().clone(),
                    label: g.label.clone(),
                    when,
                    outcomes: g.outcomes.clone(),
                });
            }
        }

        if let Some(d) = &f.department {
            // A child's [department] replaces its parent's.
            m.department = self
                .script(src, &d.script, false, Stage::Department)
                .or(m.department.take());
        }

        if let Some(review) = &f.review {
            for (role, steps) in review {
                for s in steps.get_ref() {
                    if !REVIEW_STEPS.contains(&s.get_ref().as_str()) {
                        self.problems.push(
                            src.problem(s.span(), format!("unknown review step `{}`", s.get_ref()))
                                .with_help(format!("use {}", REVIEW_STEPS.join(", "))),
                        );
                    }
                }
                m.review.insert(
                    role.clone(),
                    steps
                        .get_ref()
                        .iter()
                        .map(|s| s.get_ref().clone())
                        .collect(),
                );
            }
        }
    }

    fn unique(
        &mut self,
        src: &SourceText,
        seen: &mut BTreeSet<String>,
        id: &Spanned<String>,
        what: &str,
    ) {
        if !seen.insert(id.get_ref().clone()) {
            self.problems.push(src.problem(
                id.span(),
                format!(
                    "duplicate {what} id `{}`; ids must be unique in a file",
                    id.get_ref()
                ),
            ));
        }
    }

    /// Whether an item may take its place: a redefinition of an inherited id needs
    /// `override = true`, and `override = true` needs something to override.
    fn overrides(
        &mut self,
        src: &SourceText,
        id: &Spanned<String>,
        flag: bool,
        inherited: Option<&Loc>,
        what: &str,
    ) -> bool {
        match (inherited, flag) {
            (Some(loc), false) if *loc.file != *src.name => {
                self.problems.push(
                    src.problem(
                        id.span(),
                        format!(
                            "{what} `{}` is already defined in {}:{}",
                            id.get_ref(),
                            loc.file,
                            loc.line
                        ),
                    )
                    .with_help("add `override = true` to redefine it"),
                );
                false
            }
            (None, true) => {
                self.problems.push(src.problem(
                    id.span(),
                    format!(
                        "{what} `{}` has `override = true` but no extended policy defines it",
                        id.get_ref()
                    ),
                ));
                false
            }
            // A duplicate within one file was reported already; keep the first.
            (Some(_), false) => false,
            _ => true,
        }
    }

    fn event_rule(
        &mut self,
        src: &SourceText,
        r: &raw::Rule,
        fields: &mut Vec<FieldDecl>,
    ) -> Option<EventRule> {
        // Kinds carry the span of the whole `on` value (or of the id it defaults to).
        let on: Vec<Spanned<String>> = match &r.on {
            None => vec![r.id.clone()],
            Some(s) => {
                let kinds = match s.get_ref() {
                    raw::OneOrMany::One(k) => vec![k.clone()],
                    raw::OneOrMany::Many(ks) => ks.clone(),
                };
                kinds
                    .into_iter()
                    .map(|k| Spanned::new(s.span(), k))
                    .collect()
            }
        };
        if on.is_empty() {
            self.problems.push(src.problem(
                r.id.span(),
                format!(
                    "rule `{}` has an empty `on`; name the event kinds it sees",
                    r.id.get_ref()
                ),
            ));
        }
        for k in &on {
            if !is_identifier(k.get_ref()) || k.get_ref().contains('-') {
                self.problems.push(src.problem(
                    k.span(),
                    format!("event kind `{}` may only use a-z, 0-9 and `_`", k.get_ref()),
                ));
            }
        }
        for (name, ty) in &r.fields {
            let parsed: Result<FieldType, String> = ty.get_ref().parse();
            match parsed {
                Err(e) => self.problems.push(src.problem(ty.span(), e)),
                Ok(_) if EVENT_KEYS.contains(&name.as_str()) => self.problems.push(src.problem(
                    ty.span(),
                    format!("`{name}` is a built-in part of every event and cannot be a field"),
                )),
                Ok(_) if !is_identifier(name) || name.contains('-') => {
                    self.problems.push(src.problem(
                        ty.span(),
                        format!("field name `{name}` may only use a-z, 0-9 and `_`"),
                    ))
                }
                Ok(t) => {
                    for k in &on {
                        fields.push(FieldDecl {
                            kind: k.get_ref().clone(),
                            name: name.clone(),
                            rule: r.id.get_ref().clone(),
                            ty: t,
                            loc: Self::loc(src, ty.span()),
                        });
                    }
                }
            }
        }
        let when = r
            .when
            .as_ref()
            .map(|w| self.script(src, w, true, Stage::Event));
        let action = self.action(src, &r.id, &r.points, &r.script, Stage::Event);
        let cap = r.cap.as_ref().and_then(|c| {
            let pts = Points::from_f64(*c.get_ref());
            let sign_ok = match (&action, pts) {
                (Some(Action::Fixed(p)), Some(cp)) => !p.is_zero() && p.is_negative() == cp.is_negative() && !cp.is_zero(),
                (_, Some(cp)) => !cp.is_zero(),
                _ => false,
            };
            if !sign_ok {
                self.problems.push(src.problem(c.span(), format!("`cap` of rule `{}` must be a non-zero number with the same sign as its points", r.id.get_ref())));
            }
            pts
        });
        let flags = self.flags(src, &r.flags);
        let when = match when {
            Some(None) => return None,
            Some(Some(w)) => Some(w),
            None => None,
        };
        let action = action?;
        let category = r.category.clone().unwrap_or_default();
        Some(EventRule {
            labels: Labels::of(r.id.get_ref(), &r.name, &category, &action),
            id: r.id.get_ref().clone(),
            name: r.name.clone(),
            category,
            on: on.iter().map(|k| k.get_ref().clone()).collect(),
            when,
            action,
            cap,
            flags,
            loc: Self::loc(src, r.id.span()),
        })
    }

    /// Every kind the rules see, with its fields; a field declared twice must agree.
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
                    file: d.loc.file.to_string(),
                    line: d.loc.line,
                    column: d.loc.column,
                    message: format!(
                        "field `{}` of kind `{}` is {} here but {} in rule `{}`",
                        d.name, d.kind, d.ty, other.ty, other.rule
                    ),
                    help: Some("one kind needs one type per field".into()),
                }),
                Some(_) => {}
                None => {
                    first.insert((&d.kind, &d.name), d);
                    kinds.entry(d.kind.clone()).or_default().insert(d.name.clone(), d.ty);
                }
            }
        }
        kinds
    }

    fn scoring(&mut self, root: &SourceText, m: &Merged) -> Option<Scoring> {
        let at = |c: &mut Compiler, msg: String| {
            c.problems.push(Problem::at_start(root.name.clone(), msg));
        };
        let pts = |x: Option<f64>| x.and_then(Points::from_f64);
        let (Some(base), Some(pass_mark)) = (pts(m.base), pts(m.pass_mark)) else {
            at(
                self,
                "`[scoring]` needs `base` and `pass_mark` (here or in an extended policy)".into(),
            );
            return None;
        };
        let floor = pts(m.floor);
        let ceiling = pts(m.ceiling);
        if let (Some(f), Some(c)) = (floor, ceiling)
            && f > c
        {
            at(self, format!("`[scoring]` floor {f} is above ceiling {c}"));
        }
        Some(Scoring {
            base,
            pass_mark,
            floor,
            ceiling,
        })
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
        for (rule, loc) in &m.annual {
            if let (Some(g), Some(loc)) = (&rule.grade, loc)
                && !m.grades.iter().any(|x| &x.id == g)
            {
                self.problems.push(Problem {
                        file: loc.file.to_string(),
                        line: loc.line,
                        column: loc.column,
                        message: format!(
                            "year rule `{}` forces grade `{g}`, which no `[[grade]]` defines",
                            rule.id,
                        ),
                        help: Some(format!(
                            "known grades: {}",
                            m.grades.iter().map(|x| x.id.as_str()).collect::<Vec<_>>().join(", ")
                        )),
                    });
            }
        }
    }

    fn case(&mut self, src: &SourceText, c: &Spanned<raw::Case>, policy: &Policy) -> Option<Case> {
        let span = c.span();
        let c = c.get_ref();
        let before = self.problems.len();
        let period = match (&c.month, &c.year) {
            (Some(m), None) => self.month(src, m).map(CasePeriod::Month),
            (None, Some(y)) if c.dept.is_some() => {
                Some(CasePeriod::Department(*y.get_ref() as i32))
            }
            (None, Some(y)) => Some(CasePeriod::Year(*y.get_ref() as i32)),
            _ => {
                self.problems.push(src.problem(
                    span.clone(),
                    format!("test `{}` needs exactly one of `month` or `year`", c.name),
                ));
                None
            }
        };
        let staff = c
            .staff
            .iter()
            .map(|(k, v)| (k.clone(), toml_text(v)))
            .collect();
        let mut events = Vec::new();
        for e in &c.events {
            match case_event(e.get_ref(), policy) {
                Ok(ev) => events.push(ev),
                Err(msgs) => {
                    for msg in msgs {
                        self.problems
                            .push(src.problem(e.span(), format!("test `{}`: {msg}", c.name)));
                    }
                }
            }
        }
        let expect = match expect(c.expect.get_ref(), policy) {
            Ok(x) => Some(x),
            Err(msgs) => {
                for msg in msgs {
                    self.problems
                        .push(src.problem(c.expect.span(), format!("test `{}`: {msg}", c.name)));
                }
                None
            }
        };
        let mut dept = BTreeMap::new();
        for (k, v) in c.dept.iter().flatten() {
            let known = ["targets_total", "targets_missed", "budget", "spent"];
            match (
                known.contains(&k.as_str()),
                v.as_float().or(v.as_integer().map(|i| i as f64)),
            ) {
                (true, Some(x)) => {
                    dept.insert(k.clone(), x);
                }
                _ => self.problems.push(src.problem(
                    span.clone(),
                    format!(
                        "test `{}`: `dept.{k}` must be a number among {}",
                        c.name,
                        known.join(", ")
                    ),
                )),
            }
        }
        if self.problems.len() > before {
            return None;
        }
        Some(Case {
            name: c.name.clone(),
            staff,
            dept,
            period: period?,
            events,
            expect: expect?,
            loc: Self::loc(src, span),
        })
    }
}

/// Resolves `extends` relative to the file that names it.
fn join(from: &str, rel: &str) -> String {
    match Path::new(from).parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(rel).to_string_lossy().into_owned(),
        _ => rel.to_string(),
    }
}

/// toml's message without its own rendering of the position (we print `file:line:col`).
fn toml_message(e: &toml::de::Error) -> String {
    e.message().trim().to_string()
}

fn toml_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn toml_field(v: &toml::Value) -> Option<FieldValue> {
    Some(match v {
        toml::Value::String(s) => FieldValue::Text(s.clone()),
        toml::Value::Integer(i) => FieldValue::Int(*i),
        toml::Value::Float(x) => FieldValue::Float(*x),
        toml::Value::Boolean(b) => FieldValue::Bool(*b),
        toml::Value::Datetime(d) => FieldValue::Text(d.to_string()),
        _ => return None,
    })
}

fn case_event(t: &toml::Table, policy: &Policy) -> Result<CaseEvent, Vec<String>> {
    let mut problems = Vec::new();
    let text = |k: &str| t.get(k).map(toml_text);
    let date = match text("date") {
        Some(d) => parse_date(&d).or_else(|| {
            problems.push(format!("`{d}` is not a date; write YYYY-MM-DD"));
            None
        }),
        None => {
            problems.push("an event needs a `date`".into());
            None
        }
    };
    let kind = text("kind").unwrap_or_default();
    let qty = match t.get("qty") {
        None => 1,
        Some(toml::Value::Integer(q)) if *q > 0 => *q,
        Some(other) => {
            problems.push(format!(
                "`qty` must be a positive whole number, not {other}"
            ));
            1
        }
    };
    let mut fields = Fields::new();
    for (k, v) in t.iter().filter(|(k, _)| !EVENT_KEYS.contains(&k.as_str())) {
        match toml_field(v) {
            Some(f) => {
                fields.insert(k.clone(), f);
            }
            None => problems.push(format!("field `{k}` must be a plain value")),
        }
    }
    if kind.is_empty() {
        problems.push("an event needs a `kind`".into());
    } else if let Err(p) = policy.check_fields(&kind, &fields) {
        problems.extend(p);
    }
    match date {
        Some(date) if problems.is_empty() => Ok(CaseEvent {
            date,
            kind,
            qty,
            note: text("note").unwrap_or_default(),
            fields,
        }),
        _ => Err(problems),
    }
}

fn expect(t: &toml::Table, policy: &Policy) -> Result<Expect, Vec<String>> {
    let mut x = Expect::default();
    let mut problems = Vec::new();
    let pts = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(Points::whole(*i)),
        toml::Value::Float(f) => Points::from_f64(*f),
        _ => None,
    };
    for (k, v) in t {
        let ok = match k.as_str() {
            "score" => pts(v).map(|p| x.score = Some(p)).is_some(),
            "deducted" => pts(v).map(|p| x.deducted = Some(p)).is_some(),
            "rewarded" => pts(v).map(|p| x.rewarded = Some(p)).is_some(),
            "average" => pts(v).map(|p| x.average = Some(p)).is_some(),
            "head_bonus_cut" => pts(v).map(|p| x.head_bonus_cut = Some(p)).is_some(),
            "department_bonus" => pts(v).map(|p| x.department_bonus = Some(p)).is_some(),
            "passed" => v.as_bool().map(|b| x.passed = Some(b)).is_some(),
            "items" => v
                .as_integer()
                .map(|n| x.items = Some(n.max(0) as usize))
                .is_some(),
            "failed_months" => v.as_integer().map(|n| x.failed_months = Some(n)).is_some(),
            "grade" => match v.as_str() {
                Some(g) if policy.grades.iter().any(|x| x.id == g) => {
                    x.grade = Some(g.to_string());
                    true
                }
                Some(g) => {
                    problems.push(format!("expects grade `{g}`, which no `[[grade]]` defines"));
                    true
                }
                None => false,
            },
            "error" => v.as_str().map(|s| x.error = Some(s.to_string())).is_some(),
            "flags" => v
                .as_array()
                .and_then(|a| {
                    a.iter()
                        .map(|f| f.as_str().map(String::from))
                        .collect::<Option<Vec<_>>>()
                })
                .map(|mut f| {
                    f.sort();
                    x.flags = Some(f)
                })
                .is_some(),
            "points" => match v.as_table() {
                Some(tbl) => {
                    for (rule, p) in tbl {
                        let known = policy.rules.iter().any(|r| &r.id == rule)
                            || policy.monthly.iter().any(|r| &r.id == rule);
                        match pts(p) {
                            Some(p) if known => {
                                x.points.insert(rule.clone(), p);
                            }
                            Some(_) => problems
                                .push(format!("`expect.points` names unknown rule `{rule}`")),
                            None => {
                                problems.push(format!("`expect.points.{rule}` must be a number"))
                            }
                        }
                    }
                    true
                }
                None => false,
            },
            other => {
                problems.push(format!(
                    "unknown expectation `{other}`; use score, passed, deducted, rewarded, points, flags, items, grade, average, failed_months, head_bonus_cut, department_bonus or error"
                ));
                true
            }
        };
        if !ok {
            problems.push(format!(
                "`expect.{k}` has the wrong type ({})",
                v.type_str()
            ));
        }
    }
    if problems.is_empty() {
        Ok(x)
    } else {
        Err(problems)
    }
}
