//! Policies: the rule books department heads write as TOML files with rhai scripts.
//!
//! Loading reads a file and every file it `extends`, validates all of it, and compiles every
//! script once; the result is a [`Policy`] ready for the engine, or every [`Problem`] found.

mod cases;
mod chain;
mod compile;
pub mod menu;
mod merge;
pub mod native;
mod problem;
mod raw;
pub mod reads;
pub mod script;
mod typing;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use problem::{Problem, Problems, SourceText};
pub use script::{Failure, Origin, Script, Stage};

use crate::domain::event::{FieldType, Fields};
use crate::domain::month::Month;
use crate::domain::points::Points;
use crate::domain::text::{Text, intern};

/// A loaded, validated and compiled policy version.
#[derive(Debug, Clone)]
pub struct Policy {
    pub id: String,
    pub name: String,
    pub version: String,
    pub effective_from: Month,
    /// Department ids it governs; `*` stands for every department no other policy names.
    pub departments: Vec<String>,
    pub scoring: Scoring,
    pub rules: Vec<EventRule>,
    pub monthly: Vec<MonthRule>,
    pub annual: Vec<YearRule>,
    /// Best first; the last one has no `when`.
    pub grades: Vec<Grade>,
    /// Staff role → the review steps that sign its annual rating, in order.
    pub review: BTreeMap<String, Vec<String>>,
    /// The `[department]` script: a department's year → the head's bonus cut and the
    /// department's bonus.
    pub department: Option<Script>,
    /// The staff attributes the policy's scripts read, with their types (`[staff_fields]`):
    /// every employee it governs must have them, checked at staff intake and activation.
    pub staff_fields: BTreeMap<String, FieldType>,
    /// `[rating]` `min_months`: the fewest months employed in a year for a grade; anyone
    /// employed fewer is not rated (未参评). 0: everyone is rated.
    pub min_months: u32,
    /// The policy id each file of the chain declares (file name → id): where an inherited
    /// rule comes from.
    pub file_policies: BTreeMap<String, String>,
    /// Flag id → its label for people (`[flags]`, inherited and overridable per flag):
    /// what documents show instead of the id.
    pub flag_labels: BTreeMap<String, String>,
    /// Event kind → its declared fields.
    pub kinds: BTreeMap<String, BTreeMap<String, FieldType>>,
    /// Event kind → field → the label people read for it, where a rule gives one
    /// (`minutes = { type = "int", label = "迟到分钟" }`).
    pub field_labels: BTreeMap<String, BTreeMap<String, String>>,
    /// How punches and the roster become events (`[attendance]`), if the policy says.
    pub attendance: Option<Attendance>,
    /// Leave type id → its label and whether it is paid (`[leave.ID]`, inherited and
    /// overridable per id).
    pub leave: BTreeMap<String, LeaveType>,
    /// What people may write instead of a kind's id → the kind: the declared `aliases`,
    /// and the name of each rule that sees one kind only (unless two kinds share it).
    pub kind_names: BTreeMap<String, String>,
    /// The `[[test]]` cases of the policy's own file (not of the files it extends).
    pub tests: Vec<Case>,
    /// The policy file and every file it extends, as read: what activation stores.
    pub bundle: Bundle,
    /// The version's identity (id, version, the bundle's hash) as every result names it,
    /// made once when the policy is compiled.
    pub reference: PolicyRef,
    /// The kinds some event rule sees, in the order of their names, each with the indexes
    /// into `rules` of the rules that see it: counts are built from it already sorted.
    pub scored_kinds: Vec<KindRules>,
    /// Event kind → its place in `scored_kinds`. Hashed with foldhash (already in the tree
    /// through serde_json): it is looked up once per event scored, where SipHash showed as
    /// a third of a fixed-points month.
    pub by_kind: foldhash::HashMap<String, usize>,
    /// The address of a kind's interned name → its place in `scored_kinds`: events read
    /// from the log carry interned kinds, found by their address without hashing or
    /// comparing their text.
    by_address: foldhash::HashMap<usize, usize>,
}

/// Which policy version produced a result: its id, version and the hash of its text. Its
/// texts are interned, since every month score carries one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyRef {
    pub id: Text,
    pub version: Text,
    /// The version's hash: which exact text produced the result.
    pub hash: Text,
}

impl PolicyRef {
    /// The reference of a policy being compiled (interned there, once).
    pub fn new(id: &str, version: &str, hash: &str) -> PolicyRef {
        PolicyRef {
            id: Text::Borrowed(intern(id)),
            version: Text::Borrowed(intern(version)),
            hash: Text::Borrowed(intern(hash)),
        }
    }

    pub fn of(p: &Policy) -> PolicyRef {
        p.reference.clone()
    }
}

/// Base, pass mark and bounds of a monthly score.
#[derive(Debug, Clone, PartialEq)]
pub struct Scoring {
    pub base: Points,
    pub pass_mark: Points,
    pub floor: Option<Points>,
    pub ceiling: Option<Points>,
    /// Days after an event's entry within which its employee may appeal it (`[scoring]`
    /// `appeal_days`, 7 unless the policy says otherwise; 0: no appeals).
    pub appeal_days: u32,
}

/// `[attendance]`: how the time clock's punches and the roster become events. Minutes are
/// whole minutes; a kind left out is not derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendance {
    /// Lateness or an early leave up to this many minutes is not counted.
    pub grace_minutes: i64,
    /// A punch belongs to a shift from this many minutes before its start …
    pub window_before: i64,
    /// … to this many minutes after its end.
    pub window_after: i64,
    /// A handover shift needs a handover record within this many minutes after its end.
    pub handover_minutes: i64,
    /// The punch corrections (补卡) an employee may have approved in a month.
    pub corrections_per_month: Option<u32>,
    /// The longest gap, in days, between the dates of one clock export: a date beyond it
    /// from the rest is refused as a likely typo (it would stretch the export's span over
    /// months and derive an absence for every rostered day between).
    pub max_gap_days: i64,
    /// The share of rostered days, in percent, that one clock export may turn into
    /// absences and missing punches before it is refused as a likely wrong file (unless
    /// the importer accepts the number it states); at least [`ABSENCE_FLOOR`] are always
    /// allowed, so that a small file is not refused for one absence.
    pub max_absent_percent: i64,
    /// The kinds derived: a late arrival and an early leave (with `minutes`), an absence
    /// (a rostered shift with no punch), a missing punch (an in without an out, or the
    /// reverse), a missed handover.
    pub late: Option<String>,
    pub early_leave: Option<String>,
    pub absence: Option<String>,
    pub missing_punch: Option<String>,
    pub missed_handover: Option<String>,
}

/// A type of leave the policy knows.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeaveType {
    pub label: String,
    pub paid: bool,
}

impl Policy {
    /// Rule id → its manual item number, over the event and month rules that give one.
    pub fn references(&self) -> impl Iterator<Item = (&str, &str)> {
        let event = self
            .rules
            .iter()
            .filter_map(|r| Some((r.id.as_str(), r.reference.as_deref()?)));
        let month = self
            .monthly
            .iter()
            .filter_map(|r| Some((r.id.as_str(), r.reference.as_deref()?)));
        event.chain(month)
    }

    /// The grades as (id, label), best first: what signers choose from and what a page shows
    /// for a grade id.
    pub fn grade_choices(&self) -> Vec<(String, String)> {
        self.grades
            .iter()
            .map(|g| (g.id.clone(), g.label.clone()))
            .collect()
    }

    /// The label people read for `kind`: the name of the first rule on it when that rule
    /// is on it alone, else the kind's first alias (`迟到` and `早退` of the rule 早退或迟到),
    /// else that rule's name; its id when no rule scores it.
    pub fn kind_label<'a>(&'a self, kind: &'a str) -> &'a str {
        let Some(rule) = self.rules.iter().find(|r| r.on.iter().any(|k| k == kind)) else {
            return kind;
        };
        if rule.on.len() == 1 {
            return &rule.name;
        }
        self.rules
            .iter()
            .flat_map(|r| &r.aliases)
            .find(|a| a.kind == kind)
            .map_or(rule.name.as_str(), |a| a.name.as_str())
    }

    /// The label people read for `field` of `kind`: the policy's, else the field's name.
    pub fn field_label<'a>(&'a self, kind: &str, field: &'a str) -> &'a str {
        self.field_labels
            .get(kind)
            .and_then(|f| f.get(field))
            .map_or(field, String::as_str)
    }

    /// The leave type written as `text`: its id or its label.
    pub fn leave_type(&self, text: &str) -> Option<(&str, &LeaveType)> {
        let text = text.trim();
        self.leave
            .iter()
            .find(|(id, t)| id.as_str() == text || t.label == text)
            .map(|(id, t)| (id.as_str(), t))
    }
}

/// The longest gap between a clock export's dates when a policy does not state one: a
/// month's export has none longer than a holiday.
pub const DEFAULT_MAX_GAP_DAYS: i64 = 14;

/// The share of rostered days a clock export may turn into absences when a policy does
/// not state one: a working month has a few in a hundred.
pub const DEFAULT_MAX_ABSENT_PERCENT: i64 = 20;

/// The absences and missing punches one export may always derive, whatever the share.
pub const ABSENCE_FLOOR: usize = 10;

/// The appeal window when a policy does not state one.
pub const DEFAULT_APPEAL_DAYS: u32 = 7;

/// Where an item of a policy was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

/// How a rule computes its points.
#[derive(Debug, Clone)]
pub enum Action {
    /// The same points every time; never enters rhai.
    Fixed(Points),
    /// A rhai script whose value is the points.
    Script(Script),
}

/// A rule evaluated once per matching event.
#[derive(Debug, Clone)]
pub struct EventRule {
    pub id: String,
    pub name: String,
    /// The manual's item number (`A-11`), if the policy gives one.
    pub reference: Option<String>,
    pub category: String,
    pub on: Vec<String>,
    pub when: Option<Script>,
    pub action: Action,
    pub cap: Option<Points>,
    pub loc: Loc,
    /// Its texts and flags, as its ledger items carry them.
    pub labels: &'static Labels,
    /// Other names people may write for the rule's kinds.
    pub aliases: Vec<Alias>,
    /// How it counts an event's quantity.
    pub counting: Counting,
}

/// How an event rule counts an event's quantity: an event of qty n scores what n events of
/// qty 1 would, unless the rule reads `event.qty` and so counts it itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counting {
    /// A `when` or script reads `event.qty`: the rule runs once and its points stand.
    Itself,
    /// Every unit scores the same (nothing reads `nth`): the rule runs once and its points
    /// are multiplied by the quantity.
    Times,
    /// A `when` or script reads `nth`: each unit is its own occurrence, with its own `nth`.
    EachUnit,
}

impl Policy {
    /// The id of the policy whose file defines a rule at `loc` (an inherited rule's parent,
    /// this policy's own id otherwise).
    pub fn defined_by(&self, loc: &Loc) -> &str {
        self.file_policies
            .get(&*loc.file)
            .map_or(self.id.as_str(), String::as_str)
    }
}

impl Action {
    /// The script, for an action that has one.
    pub fn script(&self) -> Option<&Script> {
        match self {
            Action::Script(s) => Some(s),
            Action::Fixed(_) => None,
        }
    }
}

impl Counting {
    /// How a rule with this `when` and `action` counts a quantity: decided once, when the
    /// policy is compiled, not per event.
    pub fn of(when: Option<&Script>, action: &Action) -> Counting {
        let scripts = || when.into_iter().chain(action.script());
        if scripts().any(|s| s.reads_qty) {
            Counting::Itself
        } else if scripts().any(|s| s.reads_nth) {
            Counting::EachUnit
        } else {
            Counting::Times
        }
    }
}

/// A name people may write for a kind instead of its id, and where it is declared.
#[derive(Debug, Clone)]
pub struct Alias {
    pub kind: String,
    pub name: String,
    pub loc: Loc,
}

/// An event kind's name (shared by every ledger item of that kind) and its rules.
#[derive(Debug, Clone)]
pub struct KindRules {
    /// Interned: one text per kind, whose address also identifies the kind.
    pub name: &'static str,
    /// Its position in `Policy::scored_kinds`: per-kind tallies index a vector by it.
    pub index: usize,
    /// Indexes into `Policy::rules`, in file order.
    pub rules: Vec<usize>,
}

/// A rule's texts as they go into every ledger item: interned once per process, each item
/// holding one reference to them.
#[derive(Debug, PartialEq, Eq)]
pub struct Labels {
    pub id: &'static str,
    pub name: &'static str,
    pub category: &'static str,
    /// How the points come about for one event of qty 1, for people: `每次 −1 分` or
    /// `按规则脚本计算（FILE 第 LINE 行）`.
    pub reason: &'static str,
    /// The rule's flags: what an item raises when the rule scores points.
    pub flags: &'static [&'static str],
}

impl Labels {
    pub(crate) fn of(
        id: &str,
        name: &str,
        category: &str,
        action: &Action,
        flags: &[String],
    ) -> &'static Labels {
        let reason = match action {
            Action::Fixed(p) => format!("每次 {}", crate::domain::labels::points(*p)),
            Action::Script(s) => format!(
                "按规则脚本计算（{} 第 {} 行）",
                s.origin.file, s.origin.line
            ),
        };
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        Labels::interned(id, name, category, &reason, &flags)
    }

    /// These texts as one process-wide value: each distinct set is stored once and kept
    /// for the life of the process, as [`intern`] keeps texts (a policy loaded again stores
    /// nothing new). Looked up first among the calling thread's own, by rule id: a closed
    /// month's snapshot asks for the labels of every item it reads back.
    pub fn interned(
        id: &str,
        name: &str,
        category: &str,
        reason: &str,
        flags: &[&str],
    ) -> &'static Labels {
        type Key = ([&'static str; 4], Vec<&'static str>);
        thread_local! {
            static NEAR: RefCell<foldhash::HashMap<&'static str, Vec<&'static Labels>>> =
                RefCell::default();
        }
        static ALL: OnceLock<Mutex<HashMap<Key, &'static Labels>>> = OnceLock::new();
        let same = |l: &&'static Labels| {
            (l.name, l.category, l.reason) == (name, category, reason) && l.flags == flags
        };
        if let Some(l) = NEAR.with_borrow(|near| near.get(id)?.iter().find(|l| same(l)).copied()) {
            return l;
        }
        let key: Key = (
            [id, name, category, reason].map(intern),
            flags.iter().map(|f| intern(f)).collect(),
        );
        let labels = {
            let mut all = ALL
                .get_or_init(Default::default)
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            match all.get(&key) {
                Some(l) => *l,
                None => {
                    let [id, name, category, reason] = key.0;
                    let labels: &'static Labels = Box::leak(Box::new(Labels {
                        id,
                        name,
                        category,
                        reason,
                        flags: Box::leak(key.1.clone().into_boxed_slice()),
                    }));
                    all.insert(key, labels);
                    labels
                }
            }
        };
        NEAR.with_borrow_mut(|near| near.entry(labels.id).or_default().push(labels));
        labels
    }
}

/// A rule evaluated once per employee-month, after the event rules.
#[derive(Debug, Clone)]
pub struct MonthRule {
    pub id: String,
    pub name: String,
    /// The manual's item number, if the policy gives one.
    pub reference: Option<String>,
    pub category: String,
    pub when: Option<Script>,
    pub action: Action,
    pub loc: Loc,
    /// Its texts and flags, as its ledger items carry them.
    pub labels: &'static Labels,
}

/// A rule evaluated once per employee-year: may force a grade and raise flags.
#[derive(Debug, Clone)]
pub struct YearRule {
    pub id: String,
    pub name: String,
    pub when: Script,
    /// Forces this grade when the rule holds (the worst forced grade wins).
    pub grade: Option<String>,
    /// Caps the grade when the rule holds: the year gets this grade or a worse one. A
    /// forced grade wins over every cap.
    pub grade_at_most: Option<String>,
    pub flags: Vec<String>,
    pub loc: Loc,
}

/// An annual grade with its consequences.
#[derive(Debug, Clone)]
pub struct Grade {
    pub id: String,
    pub label: String,
    pub when: Option<Script>,
    pub outcomes: Vec<String>,
}

/// A `[[test]]` case: a made-up employee, some events, and what the policy must make of them.
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub staff: BTreeMap<String, String>,
    /// For department cases: `targets_total`, `targets_missed`, `budget`, `spent`.
    pub dept: BTreeMap<String, f64>,
    pub period: CasePeriod,
    pub events: Vec<CaseEvent>,
    pub expect: Expect,
    pub loc: Loc,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CasePeriod {
    Month(Month),
    Year(i32),
    /// A department's year, with its targets and budget.
    Department(i32),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseEvent {
    pub date: NaiveDate,
    pub kind: String,
    pub qty: i64,
    pub note: String,
    pub fields: Fields,
}

/// What a case expects; only the given parts are compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expect {
    pub score: Option<Points>,
    pub passed: Option<bool>,
    pub deducted: Option<Points>,
    pub rewarded: Option<Points>,
    /// Rule id → its total points.
    pub points: BTreeMap<String, Points>,
    pub flags: Option<Vec<String>>,
    pub items: Option<usize>,
    pub grade: Option<String>,
    pub average: Option<Points>,
    pub failed_months: Option<i64>,
    /// The evaluation must fail with a message containing this text.
    pub error: Option<String>,
    /// Department cases: the head's bonus cut (percent) and the department bonus.
    pub head_bonus_cut: Option<Points>,
    pub department_bonus: Option<Points>,
}

/// The texts of a policy file and of every file it extends, named as they were read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bundle {
    /// The policy's own file first, then its parent, grandparent …
    pub files: Vec<BundleFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    pub name: String,
    pub text: String,
}

impl Bundle {
    /// SHA-256 of every file's text in chain order, hex: the identity of a policy version.
    /// Paths are left out, so the same rules activated from another folder are the same version.
    pub fn hash(&self) -> String {
        let mut h = Sha256::new();
        for f in &self.files {
            h.update((f.text.len() as u64).to_le_bytes());
            h.update(f.text.as_bytes());
        }
        crate::domain::text::hex(&h.finalize())
    }

    pub fn root(&self) -> &str {
        &self.files[0].name
    }
}

impl Policy {
    /// The largest policy file read: a real policy is a few dozen kilobytes.
    pub const MAX_FILE_BYTES: u64 = 1 << 20;

    /// Loads a policy file from disk, with the files it extends: regular files of at most
    /// [`Policy::MAX_FILE_BYTES`] each.
    pub fn load(path: &Path) -> Result<Policy, Problems> {
        compile::load(&path.to_string_lossy(), &|name: &str| {
            use std::io::Read;
            let meta = std::fs::metadata(name).map_err(|e| e.to_string())?;
            if !meta.is_file() {
                return Err("it is not a regular file".into());
            }
            let mut text = String::new();
            std::fs::File::open(name)
                .and_then(|f| f.take(Policy::MAX_FILE_BYTES + 1).read_to_string(&mut text))
                .map_err(|e| e.to_string())?;
            if text.len() as u64 > Policy::MAX_FILE_BYTES {
                return Err(format!(
                    "it is larger than {} KiB; a policy file is text of rules",
                    Policy::MAX_FILE_BYTES / 1024
                ));
            }
            Ok(text)
        })
    }

    /// Loads a policy from stored texts (an activated version), never touching the disk.
    pub fn from_bundle(bundle: &Bundle) -> Result<Policy, Problems> {
        compile::load(bundle.root(), &|name: &str| {
            bundle
                .files
                .iter()
                .find(|f| f.name == name)
                .map(|f| f.text.clone())
                .ok_or_else(|| format!("`{name}` is not in the stored version"))
        })
    }

    /// Loads a policy from its text alone (a file uploaded to a server, named `name`): the
    /// files it extends are read from `stored` (the activated versions, newest first), as
    /// they were activated, never from the disk.
    pub fn from_upload(name: &str, text: &str, stored: &[&Bundle]) -> Result<Policy, Problems> {
        compile::load(name, &|wanted: &str| {
            if wanted == name {
                return Ok(text.to_string());
            }
            stored
                .iter()
                .flat_map(|b| &b.files)
                .find(|f| f.name == wanted)
                .map(|f| f.text.clone())
                .ok_or_else(|| format!("no activated version holds `{wanted}`; activate it first"))
        })
    }

    /// The hash of the version's text: what activation stores and results name.
    pub fn hash(&self) -> &str {
        &self.reference.hash
    }

    /// The kind (its shared name, one per kind, and its index) and the event rules that
    /// see it, in file order; `None` when no rule sees the kind.
    pub fn rules_for<'a>(
        &'a self,
        kind: &str,
    ) -> Option<(&'a KindRules, impl Iterator<Item = &'a EventRule> + 'a)> {
        let found = |i: &usize| &self.scored_kinds[*i];
        let entry = match self.by_address.get(&(kind.as_ptr() as usize)).map(found) {
            // The same address and length: the same interned text.
            Some(k) if k.name.len() == kind.len() => k,
            _ => self.by_kind.get(kind).map(found)?,
        };
        Some((entry, entry.rules.iter().map(|i| &self.rules[*i])))
    }

    /// Indexes the kinds that `rules` see, in the order of their names (see
    /// [`Policy::scored_kinds`]).
    fn index_kinds(&mut self) {
        let mut kinds: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, r) in self.rules.iter().enumerate() {
            for k in &r.on {
                kinds.entry(k).or_default().push(i);
            }
        }
        self.scored_kinds = kinds
            .into_iter()
            .enumerate()
            .map(|(index, (k, rules))| KindRules {
                name: intern(k),
                index,
                rules,
            })
            .collect();
        self.by_kind = (self.scored_kinds.iter())
            .map(|k| (k.name.to_string(), k.index))
            .collect();
        self.by_address = (self.scored_kinds.iter())
            .map(|k| (k.name.as_ptr() as usize, k.index))
            .collect();
    }

    pub fn governs_all(&self) -> bool {
        self.departments.iter().any(|d| d == "*")
    }

    /// The known kind closest to a misspelt one, for "did you mean"; never the word given.
    pub fn closest_kind(&self, kind: &str) -> Option<&str> {
        crate::domain::text::closest(
            kind,
            self.kinds
                .keys()
                .chain(self.kind_names.keys())
                .map(String::as_str),
        )
    }

    /// The kind `written` names: its id, one of its aliases, or the name of its rule.
    pub fn kind_named<'a>(&'a self, written: &'a str) -> Option<&'a str> {
        if self.kinds.contains_key(written) {
            return Some(written);
        }
        self.kind_names.get(written).map(String::as_str)
    }

    /// Why `kind` is not one this policy knows, with the closest known kind.
    pub fn unknown_kind(&self, given: &str) -> String {
        // Quoted short: a 10 MB cell is not echoed whole.
        let kind = crate::domain::text::clip(given);
        match self.closest_kind(given) {
            Some(k) => format!(
                "unknown kind `{kind}` for policy `{}`; did you mean `{k}`?",
                self.id
            ),
            None => format!(
                "unknown kind `{kind}` for policy `{}`; known kinds: {}",
                self.id,
                self.kinds
                    .keys()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// Checks typed fields against the kind's declaration: every declared field present and
    /// of its type, no undeclared ones. Every problem is listed.
    pub fn check_fields(&self, kind: &str, fields: &Fields) -> Result<(), Vec<String>> {
        let Some(declared) = self.kinds.get(kind) else {
            return Err(vec![self.unknown_kind(kind)]);
        };
        let mut problems = Vec::new();
        for (name, ty) in declared {
            match fields.get(name) {
                None => problems.push(format!("kind `{kind}` needs field `{name}` ({ty})")),
                Some(v) if !ty.accepts(v) => problems.push(format!(
                    "field `{name}` of kind `{kind}` must be {ty}, not `{v}`"
                )),
                Some(_) => {}
            }
        }
        for name in fields.keys().filter(|n| !declared.contains_key(*n)) {
            problems.push(format!("kind `{kind}` has no field `{name}`"));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}
