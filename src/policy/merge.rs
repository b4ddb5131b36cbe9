//! Merging the files of a chain, parents first, into one rule book. Rules of every stage
//! go through one placement: a new id is added, an inherited one is replaced only by a rule
//! that says `override = true`.

use std::collections::{BTreeSet, HashMap};

use toml::Spanned;

use super::compile::{Compiler, FieldDecl, Merged, Parsed, REVIEW_STEPS};
use super::problem::SourceText;
use super::raw;
use super::script::Stage;
use super::{Action, Alias, Counting, EventRule, Grade, Labels, Loc, MonthRule, YearRule};
use crate::domain::event::EVENT_KEYS;
use crate::domain::event::{FieldType, is_identifier};
use crate::domain::points::Points;

impl Compiler {
    /// Merges one file of the chain (parents first) into `m`: scoring values fill in,
    /// rules of every stage are added or, with `override = true`, replace the inherited
    /// rule of the same id; a file's grades replace the ladder; `[department]` and
    /// `[review]` entries replace the parent's.
    pub(super) fn merge(&mut self, m: &mut Merged, p: &Parsed) {
        let src = &p.src;
        let f = &p.file;
        if let Some(s) = &f.scoring {
            m.base = s.base.or(m.base);
            m.pass_mark = s.pass_mark.or(m.pass_mark);
            m.floor = s.floor.or(m.floor);
            m.ceiling = s.ceiling.or(m.ceiling);
            m.appeal_days = s.appeal_days.or(m.appeal_days);
        }
        if let Some(min) = f.rating.as_ref().and_then(|r| r.min_months.as_ref()) {
            match u32::try_from(*min.get_ref()) {
                Ok(n @ 0..=12) => m.min_months = Some(n),
                _ => self.problems.push(
                    src.problem(
                        min.span(),
                        format!(
                            "`[rating]` `min_months` is {}; it must be a number of months from 0 to 12",
                            min.get_ref()
                        ),
                    )
                    .with_help("employees employed fewer months in the year are not rated (未参评)"),
                ),
            }
        }

        let mut seen = BTreeSet::new();
        for r in &f.rule {
            let r = r.get_ref();
            self.check_id(src, &mut seen, &r.id, "rule");
            let Some((rule, fields)) = self.event_rule(src, r) else {
                continue;
            };
            match self.place(
                src,
                &mut m.rules,
                &mut m.rule_at,
                rule,
                &r.id,
                r.overrides,
                "rule",
            ) {
                Placed::Refused => {}
                Placed::Added => m.fields.extend(fields),
                Placed::Replaced(old) => {
                    // The overriding rule's fields stand in for the inherited rule's.
                    m.fields.retain(|d| d.rule != old.id);
                    m.fields.extend(fields);
                }
            }
        }

        let mut seen = BTreeSet::new();
        for r in &f.monthly {
            let r = r.get_ref();
            self.check_id(src, &mut seen, &r.id, "month rule");
            if let Some(rule) = self.month_rule(src, r) {
                self.place(
                    src,
                    &mut m.monthly,
                    &mut m.monthly_at,
                    rule,
                    &r.id,
                    r.overrides,
                    "month rule",
                );
            }
        }

        let mut seen = BTreeSet::new();
        for r in &f.annual {
            let r = r.get_ref();
            self.check_id(src, &mut seen, &r.id, "year rule");
            if let Some(rule) = self.year_rule(src, r) {
                self.place(
                    src,
                    &mut m.annual,
                    &mut m.annual_at,
                    rule,
                    &r.id,
                    r.overrides,
                    "year rule",
                );
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
                self.check_id(src, &mut seen, &g.id, "grade");
                let when = match (&g.when, i == last) {
                    (Some(w), false) => self.script(src, w, true, Stage::Year),
                    (Some(w), true) => {
                        self.problems.push(
                            src.problem(
                                w.span(),
                                format!(
                                    "the last grade `{}` is the catch-all and takes no `when`",
                                    g.id.get_ref()
                                ),
                            )
                            .with_help("remove it or add a grade after it"),
                        );
                        None
                    }
                    (None, false) => {
                        self.problems.push(
                            src.problem(
                                g.id.span(),
                                format!("grade `{}` has no `when` but is not last", g.id.get_ref()),
                            )
                            .with_help("only the last grade is the catch-all"),
                        );
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

        // A child's declaration of a staff attribute replaces its parent's.
        for (name, ty) in &f.staff_fields {
            if !is_identifier(name) || name.contains('-') {
                self.problems.push(src.problem(
                    ty.span(),
                    format!("staff attribute `{name}` may only use a-z, 0-9 and `_`"),
                ));
                continue;
            }
            if crate::domain::staff::RECORD_PARTS.contains(&name.as_str()) {
                // Declared, it would be looked for among the attributes and reported
                // missing on every employee.
                self.problems.push(src.problem(
                    ty.span(),
                    format!(
                        "`{name}` is part of every staff record (as are {}); scripts read `staff.{name}` without a declaration: remove it from `[staff_fields]`",
                        crate::domain::staff::RECORD_PARTS.join(", ")
                    ),
                ));
                continue;
            }
            match ty.get_ref().parse::<FieldType>() {
                Ok(t) => {
                    m.staff_fields.insert(name.clone(), t);
                }
                Err(e) => self.problems.push(src.problem(ty.span(), e)),
            }
        }

        // A child's `[attendance]` settings replace its parent's, field by field.
        if let Some(a) = &f.attendance {
            let loc = Self::loc(src, a.span());
            let (merged, at) = m
                .attendance
                .get_or_insert_with(|| (Default::default(), loc.clone()));
            let a = a.get_ref();
            macro_rules! over {
                ($($field:ident),*) => {$(
                    if a.$field.is_some() {
                        merged.$field = a.$field.clone();
                    }
                )*};
            }
            over!(
                grace_minutes,
                window_before,
                window_after,
                handover_minutes,
                corrections_per_month,
                max_gap_days,
                max_absent_percent,
                late,
                early_leave,
                absence,
                missing_punch,
                missed_handover
            );
            *at = loc;
        }

        // A child's leave type replaces its parent's of the same id; others are inherited.
        for (id, t) in &f.leave {
            let label = t.get_ref().label.trim();
            if !is_identifier(id) || label.is_empty() || label.chars().count() > 20 {
                self.problems.push(src.problem(
                    t.span(),
                    format!(
                        "leave type `{}` needs an id of a-z, 0-9, `_` and `-` and a label of 1 to 20 characters, e.g. `[leave.annual]` `label = \"年假\"`",
                        crate::domain::text::clip(id)
                    ),
                ));
                continue;
            }
            m.leave.insert(
                id.clone(),
                crate::policy::LeaveType {
                    label: label.to_string(),
                    paid: t.get_ref().paid,
                },
            );
        }

        // A child's label for a flag replaces its parent's; other labels are inherited.
        m.flag_labels
            .extend(f.flags.iter().map(|(k, v)| (k.clone(), v.clone())));

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

    /// Checks a rule's id: its characters, and that the file defines it once.
    fn check_id(
        &mut self,
        src: &SourceText,
        seen: &mut BTreeSet<String>,
        id: &Spanned<String>,
        what: &str,
    ) {
        self.id(src, id, what);
        if !seen.insert(id.get_ref().clone()) {
            self.problems.push(
                src.problem(id.span(), format!("duplicate {what} id `{}`", id.get_ref()))
                    .with_help("ids must be unique in a file"),
            );
        }
    }

    /// Puts a rule of any stage into its merged list: a new id is added; an inherited one
    /// is replaced only when the rule says `override = true`.
    /// `index` finds a rule's place in `into` by id, so that merging stays linear however
    /// many rules a chain has.
    #[allow(clippy::too_many_arguments)]
    fn place<R: Inherited>(
        &mut self,
        src: &SourceText,
        into: &mut Vec<R>,
        index: &mut HashMap<String, usize>,
        rule: R,
        id: &Spanned<String>,
        overrides: bool,
        what: &str,
    ) -> Placed<R> {
        let at = index.get(rule.id()).copied();
        if !self.overrides(src, id, overrides, at.map(|i| into[i].loc()), what) {
            return Placed::Refused;
        }
        match at {
            Some(i) => Placed::Replaced(std::mem::replace(&mut into[i], rule)),
            None => {
                index.insert(rule.id().to_string(), into.len());
                into.push(rule);
                Placed::Added
            }
        }
    }

    /// Whether a rule may take its place: an inherited id needs `override = true`, and
    /// `override = true` needs an inherited id.
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

    /// An event rule and the fields it declares for its kinds.
    fn event_rule(
        &mut self,
        src: &SourceText,
        r: &raw::Rule,
    ) -> Option<(EventRule, Vec<FieldDecl>)> {
        let mut fields = Vec::new();
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
            self.problems.push(
                src.problem(
                    r.id.span(),
                    format!("rule `{}` has an empty `on`", r.id.get_ref()),
                )
                .with_help("name the event kinds it sees"),
            );
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
            let label = ty.get_ref().label().map(str::to_string);
            let parsed: Result<FieldType, String> = ty.get_ref().ty().parse();
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
                            label: label.clone(),
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
            let pts = Points::bounded(*c.get_ref());
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
        let aliases = self.aliases(src, r, &on);
        let action = action?;
        let category = r.category.clone().unwrap_or_default();
        let rule = EventRule {
            reference: self.reference(src, &r.reference),
            aliases,
            counting: Counting::of(when.as_ref(), &action),
            labels: Labels::of(r.id.get_ref(), &r.name, &category, &action, &flags),
            id: r.id.get_ref().clone(),
            name: r.name.clone(),
            category,
            on: on.iter().map(|k| k.get_ref().clone()).collect(),
            when,
            action,
            cap,
            loc: Self::loc(src, r.id.span()),
        };
        Some((rule, fields))
    }

    /// The aliases of a rule's kinds: a list of names for a rule that sees one kind, else a
    /// table naming the kind of each.
    fn aliases(&mut self, src: &SourceText, r: &raw::Rule, on: &[Spanned<String>]) -> Vec<Alias> {
        let Some(value) = &r.aliases else {
            return Vec::new();
        };
        let loc = Self::loc(src, value.span());
        let names = |v: &toml::Value| -> Option<Vec<String>> {
            v.as_array()?
                .iter()
                .map(|n| n.as_str().map(|s| s.trim().to_string()))
                .collect()
        };
        let by_kind: Option<Vec<(String, Vec<String>)>> = match (value.get_ref(), on) {
            (toml::Value::Array(_), [only]) => {
                names(value.get_ref()).map(|n| vec![(only.get_ref().clone(), n)])
            }
            (toml::Value::Table(t), _) => t
                .iter()
                .map(|(k, v)| Some((k.clone(), names(v)?)))
                .collect(),
            _ => None,
        };
        let Some(by_kind) = by_kind else {
            let help = match on {
                [only] => format!("aliases = [\"…\"] names kind `{}`", only.get_ref()),
                _ => "aliases = { late = [\"迟到\"], early_leave = [\"早退\"] }: a list of names per kind".into(),
            };
            self.problems.push(
                src.problem(
                    value.span(),
                    format!(
                        "`aliases` of rule `{}` must be a list of names{}",
                        r.id.get_ref(),
                        if on.len() == 1 {
                            ""
                        } else {
                            " per kind it sees"
                        }
                    ),
                )
                .with_help(help),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (kind, names) in by_kind {
            if !on.iter().any(|k| *k.get_ref() == kind) {
                self.problems.push(src.problem(
                    value.span(),
                    format!(
                        "rule `{}` does not see kind `{kind}`; its aliases name only the kinds in its `on`",
                        r.id.get_ref()
                    ),
                ));
                continue;
            }
            out.extend(names.into_iter().map(|name| Alias {
                kind: kind.clone(),
                name,
                loc: loc.clone(),
            }));
        }
        out
    }

    /// A rule's manual item number: short, one line, no spaces (`A-11`, `服务-3`).
    fn reference(&mut self, src: &SourceText, r: &Option<Spanned<String>>) -> Option<String> {
        let r = r.as_ref()?;
        let text = r.get_ref();
        if text.is_empty()
            || text.chars().count() > MAX_REFERENCE
            || text.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            self.problems.push(src.problem(
                r.span(),
                format!("`ref` must be a manual item number of 1 to {MAX_REFERENCE} characters without spaces, such as \"A-11\""),
            ));
            return None;
        }
        Some(text.clone())
    }

    /// A month rule, compiled.
    fn month_rule(&mut self, src: &SourceText, r: &raw::MonthRule) -> Option<MonthRule> {
        let when = r
            .when
            .as_ref()
            .map(|w| self.script(src, w, true, Stage::Month));
        let action = self.action(src, &r.id, &r.points, &r.script, Stage::Month);
        let flags = self.flags(src, &r.flags);
        let (Some(action), Some(when)) = (action, when.map_or(Some(None), |w| w.map(Some))) else {
            return None;
        };
        let category = r.category.clone().unwrap_or_default();
        Some(MonthRule {
            reference: self.reference(src, &r.reference),
            labels: Labels::of(r.id.get_ref(), &r.name, &category, &action, &flags),
            id: r.id.get_ref().clone(),
            name: r.name.clone(),
            category,
            when,
            action,
            loc: Self::loc(src, r.id.span()),
        })
    }

    /// A year rule, compiled, with the grades it forces or caps at and where they are
    /// written (checked against the ladder once the whole chain is merged).
    fn year_rule(
        &mut self,
        src: &SourceText,
        r: &raw::YearRule,
    ) -> Option<(YearRule, Vec<(String, Loc)>)> {
        let when = self.script(src, &r.when, true, Stage::Year);
        let flags = self.flags(src, &r.flags);
        let rule = YearRule {
            id: r.id.get_ref().clone(),
            name: r.name.clone(),
            when: when?,
            grade: r.grade.as_ref().map(|g| g.get_ref().clone()),
            grade_at_most: r.grade_at_most.as_ref().map(|g| g.get_ref().clone()),
            flags,
            loc: Self::loc(src, r.id.span()),
        };
        let named = [&r.grade, &r.grade_at_most]
            .into_iter()
            .flatten()
            .map(|g| (g.get_ref().clone(), Self::loc(src, g.span())))
            .collect();
        Some((rule, named))
    }
}

/// The longest manual item number a rule may give (`ref`).
const MAX_REFERENCE: usize = 16;

/// A rule of any stage as the merge sees it: its id and where it was written.
trait Inherited {
    fn id(&self) -> &str;
    fn loc(&self) -> &Loc;
}

impl Inherited for EventRule {
    fn id(&self) -> &str {
        &self.id
    }
    fn loc(&self) -> &Loc {
        &self.loc
    }
}

impl Inherited for MonthRule {
    fn id(&self) -> &str {
        &self.id
    }
    fn loc(&self) -> &Loc {
        &self.loc
    }
}

/// A year rule travels with where its forced grade is written.
impl Inherited for (YearRule, Vec<(String, Loc)>) {
    fn id(&self) -> &str {
        &self.0.id
    }
    fn loc(&self) -> &Loc {
        &self.0.loc
    }
}

/// What putting a rule into its merged list did.
enum Placed<R> {
    Added,
    /// It replaced this inherited rule.
    Replaced(R),
    /// It was refused (the problem is recorded).
    Refused,
}

#[cfg(test)]
mod tests {
    use crate::domain::event::FieldType;
    use crate::policy::compile::load;

    const PARENT: &str = r#"
[policy]
id = "base"
name = "base"
version = "1"
effective_from = "2026-01"
departments = ["*"]
[scoring]
base = 100
pass_mark = 85
[[rule]]
id = "late"
name = "迟到"
fields = { minutes = "int" }
points = -1
[[grade]]
id = "all"
label = "全部"
"#;

    const CHILD: &str = r#"
[policy]
id = "child"
name = "child"
version = "1"
effective_from = "2026-01"
departments = ["a"]
extends = "base.toml"
[[rule]]
id = "late"
name = "迟到（加重）"
fields = { minutes = "int", reason = "text" }
script = "if event.minutes > 30 { -3 } else { -1 }"
override = true
"#;

    /// The bug this pins: replacing an inherited rule dropped the overriding rule's own
    /// field declarations along with the inherited rule's, so its kind lost its fields.
    #[test]
    fn an_overriding_rule_keeps_the_fields_it_declares() {
        let read = |name: &str| match name {
            "child.toml" => Ok(CHILD.to_string()),
            "base.toml" => Ok(PARENT.to_string()),
            other => Err(format!("no file {other}")),
        };
        let policy = load("child.toml", &read).expect("the chain loads");
        let late = &policy.kinds["late"];
        assert_eq!(late.get("minutes"), Some(&FieldType::Int));
        assert_eq!(late.get("reason"), Some(&FieldType::Text));
        assert_eq!(policy.rules.len(), 1);
        assert_eq!(policy.rules[0].name, "迟到（加重）");
    }
}
