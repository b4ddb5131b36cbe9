//! The policy file as written: a serde model of the TOML with the spans of every value a
//! problem may point at. Nothing here is validated beyond TOML's own types.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub policy: Header,
    pub scoring: Option<Scoring>,
    #[serde(default)]
    pub rule: Vec<Spanned<Rule>>,
    #[serde(default)]
    pub monthly: Vec<Spanned<MonthRule>>,
    #[serde(default)]
    pub annual: Vec<Spanned<YearRule>>,
    #[serde(default)]
    pub grade: Vec<Spanned<Grade>>,
    pub review: Option<BTreeMap<String, Spanned<Vec<Spanned<String>>>>>,
    pub department: Option<DepartmentSection>,
    pub attendance: Option<Spanned<AttendanceSection>>,
    pub rating: Option<RatingSection>,
    /// Staff attribute → its type: the attributes the policy's scripts read
    /// (`shift_start = "time"`).
    #[serde(default)]
    pub staff_fields: BTreeMap<String, Spanned<String>>,
    /// Flag id → its label for people (`severe = "严重违纪"`).
    #[serde(default)]
    pub flags: BTreeMap<String, String>,
    /// Leave type id → what it is (`[leave.annual]` `label = "年假"`).
    #[serde(default)]
    pub leave: BTreeMap<String, Spanned<LeaveType>>,
    #[serde(default)]
    pub test: Vec<Spanned<Case>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    pub id: Spanned<String>,
    pub name: String,
    pub version: String,
    pub effective_from: Spanned<String>,
    pub departments: Spanned<Vec<Spanned<String>>>,
    pub extends: Option<Spanned<String>>,
}

/// A type of leave (`[leave.ID]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveType {
    /// What people call it (年假).
    pub label: String,
    /// Whether it is paid (default: yes).
    #[serde(default = "yes")]
    pub paid: bool,
}

fn yes() -> bool {
    true
}

/// `[rating]`: who is rated for the year.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingSection {
    /// The fewest months employed in the year for a grade.
    pub min_months: Option<Spanned<i64>>,
}

/// Every field is optional so that a policy may override only some of its parent's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    pub base: Option<f64>,
    pub pass_mark: Option<f64>,
    pub floor: Option<f64>,
    pub ceiling: Option<f64>,
    /// Days after an event's entry within which its employee may appeal it.
    pub appeal_days: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: Spanned<String>,
    pub name: String,
    /// The item of the manual the rule encodes (`ref = "A-11"`), shown beside it in
    /// documents.
    #[serde(rename = "ref")]
    pub reference: Option<Spanned<String>>,
    pub category: Option<String>,
    pub on: Option<Spanned<OneOrMany>>,
    #[serde(default)]
    pub fields: BTreeMap<String, Spanned<FieldSpec>>,
    pub when: Option<Spanned<String>>,
    pub points: Option<Spanned<f64>>,
    pub script: Option<Spanned<String>>,
    pub cap: Option<Spanned<f64>>,
    #[serde(default)]
    pub flags: Vec<Spanned<String>>,
    #[serde(rename = "override", default)]
    pub overrides: bool,
    /// Other names people write for the rule's kinds: `aliases = ["迟到"]` for a rule that
    /// sees one kind, or `aliases = { late = ["迟到"], early_leave = ["早退"] }` naming the
    /// kind of each (two shapes serde's untagged enums cannot keep spans through).
    pub aliases: Option<Spanned<toml::Value>>,
}

/// A field a rule declares: its type alone (`minutes = "int"`), or its type and the label
/// people read for it (`minutes = { type = "int", label = "迟到分钟" }`).
#[derive(Debug, Clone)]
pub enum FieldSpec {
    Type(String),
    Labelled(LabelledField),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabelledField {
    #[serde(rename = "type")]
    pub ty: String,
    pub label: Option<String>,
}

impl<'de> Deserialize<'de> for FieldSpec {
    /// Either shape, with an error that shows both (an untagged derive says only that no
    /// variant matched).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<FieldSpec, D::Error> {
        use serde::de::Error;
        match toml::Value::deserialize(d)? {
            toml::Value::String(t) => Ok(FieldSpec::Type(t)),
            toml::Value::Table(t) => LabelledField::deserialize(toml::Value::Table(t))
                .map(FieldSpec::Labelled)
                .map_err(|e| D::Error::custom(format!("{}; {FIELD_SHAPES}", e.message()))),
            other => Err(D::Error::custom(format!(
                "a field is declared by its type or a table, not a {}; {FIELD_SHAPES}",
                other.type_str()
            ))),
        }
    }
}

/// How a field is declared, for an error about one.
const FIELD_SHAPES: &str =
    r#"write `name = "int"` or `name = { type = "int", label = "what people read" }`"#;

impl FieldSpec {
    pub fn ty(&self) -> &str {
        match self {
            FieldSpec::Type(t) => t,
            FieldSpec::Labelled(f) => &f.ty,
        }
    }

    pub fn label(&self) -> Option<&str> {
        match self {
            FieldSpec::Type(_) => None,
            FieldSpec::Labelled(f) => f.label.as_deref(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthRule {
    pub id: Spanned<String>,
    pub name: String,
    /// The item of the manual the rule encodes, as for event rules.
    #[serde(rename = "ref")]
    pub reference: Option<Spanned<String>>,
    pub category: Option<String>,
    pub when: Option<Spanned<String>>,
    pub points: Option<Spanned<f64>>,
    pub script: Option<Spanned<String>>,
    #[serde(default)]
    pub flags: Vec<Spanned<String>>,
    #[serde(rename = "override", default)]
    pub overrides: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearRule {
    pub id: Spanned<String>,
    pub name: String,
    pub when: Spanned<String>,
    pub grade: Option<Spanned<String>>,
    pub grade_at_most: Option<Spanned<String>>,
    #[serde(default)]
    pub flags: Vec<Spanned<String>>,
    #[serde(rename = "override", default)]
    pub overrides: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grade {
    pub id: Spanned<String>,
    pub label: String,
    pub when: Option<Spanned<String>>,
    #[serde(default)]
    pub outcomes: Vec<String>,
}

/// `[attendance]`: how punches and the roster become events. Every field is optional so
/// that a policy may override only some of its parent's.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttendanceSection {
    pub grace_minutes: Option<i64>,
    pub window_before: Option<i64>,
    pub window_after: Option<i64>,
    pub handover_minutes: Option<i64>,
    pub corrections_per_month: Option<i64>,
    pub max_gap_days: Option<i64>,
    pub max_absent_percent: Option<i64>,
    pub late: Option<String>,
    pub early_leave: Option<String>,
    pub absence: Option<String>,
    pub missing_punch: Option<String>,
    pub missed_handover: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DepartmentSection {
    pub script: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub name: String,
    #[serde(default)]
    pub staff: toml::Table,
    pub month: Option<Spanned<String>>,
    pub year: Option<Spanned<i64>>,
    #[serde(default)]
    pub events: Vec<Spanned<toml::Table>>,
    /// A department's year, for testing the `[department]` script.
    pub dept: Option<toml::Table>,
    pub expect: Spanned<toml::Table>,
}
