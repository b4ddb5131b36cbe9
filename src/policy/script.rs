//! The rhai sandbox: one engine for the whole process, scripts compiled once with their
//! position in the policy file, so that every runtime error points back into the TOML.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use chrono::Datelike;
use rhai::{AST, Dynamic, Engine, EvalAltResult, OptimizationLevel, Position, Scope};

use super::native::Condition;
use super::reads::Reads;
use crate::domain::event::parse_time;
use crate::domain::month::parse_date;

/// Where a script's text starts inside its policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
}

impl Origin {
    /// Maps a rhai position (relative to the script text) to `(line, column)` in the file.
    pub fn locate(&self, pos: Position) -> (usize, usize) {
        match (pos.line(), pos.position()) {
            (Some(1), Some(col)) => (self.line, self.column + col - 1),
            (Some(1), None) => (self.line, self.column),
            (Some(line), col) => (self.line + line - 1, col.unwrap_or(1)),
            (None, _) => (self.line, self.column),
        }
    }
}

/// The stage a script runs in decides which variables it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Event,
    Month,
    Year,
    /// The `[department]` script of a department's year.
    Department,
}

impl Stage {
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Stage::Event => &["event", "staff", "month", "nth"],
            Stage::Month => &[
                "staff", "month", "counts", "by_rule", "deducted", "rewarded", "score",
            ],
            Stage::Year => &["staff", "year"],
            Stage::Department => &["dept"],
        }
    }
}

impl Stage {
    /// A scope with the stage's variables, in `variables` order.
    pub fn scope(values: Vec<(&'static str, Dynamic)>) -> Scope<'static> {
        let mut scope = Scope::with_capacity(values.len());
        for (name, value) in values {
            scope.push_dynamic(name, value);
        }
        scope
    }
}

/// A compiled rhai script or expression.
#[derive(Debug, Clone)]
pub struct Script {
    ast: AST,
    /// The script as written, before the optimizer folded constants: what the checker reads.
    written: Arc<AST>,
    pub origin: Origin,
    pub source: String,
    /// Whether running it may change a variable it was given (an assignment, or a method
    /// that changes a map or array in place): then the next rule must see the values
    /// restored. Decided from the text, erring towards `true`.
    pub may_change: bool,
    /// For an event rule's script: the values its result depends on, when they are named
    /// values only (then a result may be reused for equal values). What it changes does
    /// not matter: the engine restores the values after a script that may change them.
    reads: Option<Reads>,
    /// For an event rule's `when` of a common shape: its native check (see [`native`](super::native)).
    native: Option<Arc<Condition>>,
    /// Tells this script from every other compiled in the process (its copies share it):
    /// a result kept for reuse is kept under it.
    id: u64,
    /// Whether the script reads an event's `qty` (then it counts the quantity itself) and
    /// whether it reads `nth` (then each unit of a quantity is its own occurrence).
    pub reads_qty: bool,
    pub reads_nth: bool,
}

/// A script that failed to compile or to run: message, a hint when there is one, and the
/// position in the policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub message: String,
    pub help: Option<String>,
    pub line: usize,
    pub column: usize,
}

impl Script {
    /// Compiles `source` for `stage`; the error carries the file position.
    pub fn compile(
        source: &str,
        expression: bool,
        stage: Stage,
        origin: Origin,
    ) -> Result<Script, Failure> {
        let mut scope = Scope::new();
        for name in stage.variables() {
            // Pushed as variables, not constants: constants would be folded into the AST.
            scope.push_dynamic(*name, Dynamic::UNIT);
        }
        let e = engine();
        let compiled = if expression {
            e.compile_expression_with_scope(&scope, source)
        } else {
            e.compile_with_scope(&scope, source)
        };
        match compiled {
            Ok(written) => {
                // Checked as written, run optimized: folding `4 > "3"` to `false` would hide
                // from the checker what the author wrote.
                let ast = e.optimize_ast(&scope, written.clone(), OptimizationLevel::Simple);
                let may_change = may_change(source);
                let (reads_qty, reads_nth) = mentions(&ast);
                static COMPILED: AtomicU64 = AtomicU64::new(0);
                Ok(Script {
                    reads_qty,
                    reads_nth,
                    reads: (stage == Stage::Event).then(|| Reads::of(&ast)).flatten(),
                    native: (stage == Stage::Event && expression)
                        .then(|| Condition::of(&ast).map(Arc::new))
                        .flatten(),
                    ast,
                    written: Arc::new(written),
                    origin,
                    may_change,
                    source: source.to_string(),
                    id: COMPILED.fetch_add(1, Ordering::Relaxed),
                })
            }
            Err(err) => {
                let (line, column) = origin.locate(err.1);
                let help = matches!(*err.0, rhai::ParseErrorType::VariableUndefined(_))
                    .then(|| format!("the variables here are {}", stage.variables().join(", ")));
                Err(Failure {
                    message: err.0.to_string(),
                    help,
                    line,
                    column,
                })
            }
        }
    }

    /// The values the script's result depends on, when it may be reused for equal values.
    pub fn reads(&self) -> Option<&Reads> {
        self.reads.as_ref()
    }

    /// The native check of an event `when` of a common shape.
    pub fn native(&self) -> Option<&Condition> {
        self.native.as_deref()
    }

    /// This script's identity in the process.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The script as written (see [`typing`](super::typing)).
    pub(crate) fn written(&self) -> &AST {
        &self.written
    }

    #[cfg(test)]
    pub(crate) fn ast(&self) -> &AST {
        &self.ast
    }

    /// Runs the script in `scope`, which holds the stage's variables (see [`Stage::scope`]).
    ///
    /// The scope is the caller's, reused from call to call so that the stage's values are
    /// built once, not per call; whatever the script declares is dropped afterwards.
    pub fn run(&self, scope: &mut Scope<'static>) -> Result<Dynamic, Failure> {
        let len = scope.len();
        let result = engine()
            .eval_ast_with_scope::<Dynamic>(scope, &self.ast)
            .map_err(|err| self.failure(*err));
        scope.rewind(len);
        BUDGET.with(|b| {
            let mut x = b.get();
            x.spent += x.this_run;
            x.this_run = 0;
            b.set(x);
        });
        result
    }

    /// Runs a `when` expression, which must give a bool.
    pub fn holds(&self, scope: &mut Scope<'static>) -> Result<bool, Failure> {
        self.truth(self.run(scope)?)
    }

    /// Reads a `when` expression's value, which must be a bool.
    pub fn truth(&self, value: Dynamic) -> Result<bool, Failure> {
        value.as_bool().map_err(|found| {
            self.failure_at_start(format!(
                "a `when` condition must be true or false, not {found}"
            ))
        })
    }

    /// A failure about the script's result as a whole, placed at the script's start.
    pub fn failure_at_start(&self, message: String) -> Failure {
        Failure {
            message,
            help: None,
            line: self.origin.line,
            column: self.origin.column,
        }
    }

    fn failure(&self, mut err: EvalAltResult) -> Failure {
        let pos = err.take_position();
        let (line, column) = self.origin.locate(pos);
        let message = match err {
            EvalAltResult::ErrorTooManyOperations(_) => {
                "the script ran too long (operation limit reached); does it loop forever?".into()
            }
            EvalAltResult::ErrorTerminated(..) => format!(
                "the rules of one evaluation ran more than {} operations in all; a script loops too long for the number of events",
                BUDGET.with(|b| b.get().limit)
            ),
            EvalAltResult::ErrorRuntime(value, _) => format!("the script threw: {value}"),
            // What the checker could not know, said in the policy's terms rather than
            // rhai's signatures (`Function not found: * ((), i64)`).
            EvalAltResult::ErrorFunctionNotFound(signature, _) => not_found(&signature),
            EvalAltResult::ErrorArithmetic(what, _) => format!("arithmetic: {what}"),
            EvalAltResult::ErrorArrayBounds(len, at, _) => {
                format!("index {at} is beyond the list of {len} items")
            }
            EvalAltResult::ErrorStringBounds(len, at, _) => {
                format!("position {at} is beyond the text of {len} characters")
            }
            EvalAltResult::ErrorPropertyNotFound(name, _) => {
                format!("the value has no `{name}`")
            }
            EvalAltResult::ErrorMismatchDataType(wanted, found, _) => {
                format!(
                    "{} is needed here, not {}",
                    type_word(&wanted),
                    type_word(&found)
                )
            }
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                format!("{what} grew beyond what a rule may build")
            }
            EvalAltResult::ErrorInFunctionCall(name, _, inner, _) => {
                format!("in function `{name}`: {}", self.failure(*inner).message)
            }
            other => other.to_string(),
        };
        Failure {
            message,
            help: None,
            line,
            column,
        }
    }
}

/// Whether `ast` reads a `qty` (as a property or a key written out) and whether it reads
/// the variable `nth`, anywhere, its functions included.
fn mentions(ast: &AST) -> (bool, bool) {
    let (mut qty, mut nth) = (false, false);
    ast.walk(&mut |path: &[rhai::ASTNode]| {
        match path.last() {
            Some(rhai::ASTNode::Expr(rhai::Expr::Property(p, _))) => qty |= p.2 == "qty",
            Some(rhai::ASTNode::Expr(rhai::Expr::StringConstant(s, _))) => qty |= s == "qty",
            Some(rhai::ASTNode::Expr(rhai::Expr::Variable(v, ..))) => nth |= v.1 == "nth",
            _ => {}
        }
        true
    });
    (qty, nth)
}

/// rhai's signature of a call it found no function for (`* ((), i64)`, `foo ()`) in the
/// policy's words.
fn not_found(signature: &str) -> String {
    let (name, args) = signature
        .split_once(" (")
        .map_or((signature, ""), |(n, a)| (n, a.trim_end_matches(')')));
    let args: Vec<&str> = args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(type_word)
        .collect();
    if args.contains(&"()") {
        format!(
            "`{name}` was given ({}): a value is missing (a field left empty, or a key the map does not have)",
            args.join(", ")
        )
    } else {
        format!("no `{name}` takes ({})", args.join(", "))
    }
}

/// A rhai type name as the checker says it.
fn type_word(rhai: &str) -> &str {
    match rhai.trim_start_matches('&').trim_start_matches("mut ") {
        "i64" | "int" => "int",
        "f64" | "float" => "float",
        "ImmutableString" | "String" | "string" | "&str" | "str" => "string",
        "bool" => "bool",
        "char" => "char",
        "Array" | "array" => "array",
        "Map" | "map" => "map",
        "()" | "unit" => "()",
        other => other,
    }
}

/// The methods that change a map, an array or a string in place.
const CHANGING_METHODS: [&str; 18] = [
    "remove",
    "clear",
    "mixin",
    "fill_with",
    "retain",
    "drain",
    "push",
    "insert",
    "append",
    "splice",
    "truncate",
    "chop",
    "extract",
    "sort",
    "reverse",
    "dedup",
    "pop",
    "shift",
];

/// Whether `source` may change a value it is given: it assigns (`=`, `+=` …, but not `==`,
/// `!=`, `<=`, `>=`, `=>`) or calls a method that changes its receiver. Strings and
/// comments are skipped.
fn may_change(source: &str) -> bool {
    let code = code_only(source);
    let b = code.as_bytes();
    let assigns = b.iter().enumerate().any(|(i, c)| {
        *c == b'='
            && !matches!(b.get(i + 1), Some(b'=' | b'>'))
            && !matches!(
                i.checked_sub(1).map(|j| b[j]),
                Some(b'=' | b'!' | b'<' | b'>')
            )
    });
    assigns
        || CHANGING_METHODS.iter().any(|m| {
            code.match_indices(&format!(".{m}"))
                .any(|(i, _)| code[i + 1 + m.len()..].trim_start().starts_with('('))
        })
}

/// `source` with strings and comments blanked out.
fn code_only(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
                out.push(' ');
            }
            '/' if chars.peek() == Some(&'/') => {
                for d in chars.by_ref() {
                    if d == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for d in chars.by_ref() {
                    if prev == '*' && d == '/' {
                        break;
                    }
                    prev = d;
                }
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    out
}

/// The operations one evaluation (an employee's month, or their year) may spend in all its
/// scripts: a script just under the per-run limit on every event would otherwise cost hours
/// over a company's year.
pub const EVALUATION_BUDGET: u64 = 20_000_000;

/// What this thread's current evaluation has spent.
#[derive(Clone, Copy)]
struct Budget {
    limit: u64,
    spent: u64,
    this_run: u64,
}

thread_local! {
    static BUDGET: std::cell::Cell<Budget> = const {
        std::cell::Cell::new(Budget {
            limit: EVALUATION_BUDGET,
            spent: 0,
            this_run: 0,
        })
    };
}

/// The operations this thread's current evaluation has spent so far.
pub fn spent() -> u64 {
    BUDGET.with(|b| b.get().spent)
}

/// Charges `ops` operations to this thread's evaluation, as a run of that many would, when
/// they fit its budget; false (nothing charged) when such a run would be stopped.
pub fn charge(ops: u64) -> bool {
    BUDGET.with(|b| {
        let mut x = b.get();
        let fits = x.spent + ops <= x.limit;
        if fits {
            x.spent += ops;
            b.set(x);
        }
        fits
    })
}

/// Starts an evaluation on this thread: its scripts share one operation budget.
pub fn start_evaluation() {
    BUDGET.with(|b| {
        b.set(Budget {
            limit: EVALUATION_BUDGET,
            spent: 0,
            this_run: 0,
        })
    });
}

/// Limits of the sandbox. Generous for rules, fatal for runaway loops.
const MAX_OPERATIONS: u64 = 200_000;
const MAX_CALL_LEVELS: usize = 32;
const MAX_STRING: usize = 4_096;
const MAX_COLLECTION: usize = 4_096;

/// The process-wide sandboxed engine (rhai's `sync` feature makes it shareable).
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut e = Engine::new();
        e.set_max_operations(MAX_OPERATIONS)
            .set_max_call_levels(MAX_CALL_LEVELS)
            .set_max_expr_depths(64, 32)
            .set_max_string_size(MAX_STRING)
            .set_max_array_size(MAX_COLLECTION)
            .set_max_map_size(MAX_COLLECTION)
            .set_strict_variables(true)
            // Scripts are compiled as written and optimized after (see `Script::compile`).
            .set_optimization_level(OptimizationLevel::None);
        // `eval` would compile text at run time, outside strict checking.
        e.disable_symbol("eval");
        // The evaluation's budget, across runs: rhai counts each run's operations.
        e.on_progress(|ops| {
            BUDGET.with(|b| {
                let mut x = b.get();
                x.this_run = ops;
                b.set(x);
                (x.spent + ops > x.limit).then(|| Dynamic::from("budget"))
            })
        });
        e.on_print(|_| {});
        e.on_debug(|_, _, _| {});
        e.register_fn("minutes_between", minutes_between);
        e.register_fn("weekday", weekday);
        e.register_fn("days_between", days_between);
        e
    })
}

type Native<T> = Result<T, Box<EvalAltResult>>;

fn bad_arg(what: &str, value: &str, layout: &str) -> Box<EvalAltResult> {
    format!("{what}: `{value}` is not {layout}").into()
}

/// `minutes_between("08:30", "08:47")` → 17 (negative when the second is earlier).
fn minutes_between(from: &str, to: &str) -> Native<i64> {
    let a = parse_time(from).ok_or_else(|| bad_arg("minutes_between", from, "a time HH:MM"))?;
    let b = parse_time(to).ok_or_else(|| bad_arg("minutes_between", to, "a time HH:MM"))?;
    Ok((b - a).num_minutes())
}

/// `weekday("2026-03-02")` → 1 (Monday) … 7 (Sunday).
fn weekday(date: &str) -> Native<i64> {
    let d = parse_date(date).ok_or_else(|| bad_arg("weekday", date, "a date YYYY-MM-DD"))?;
    Ok(i64::from(d.weekday().number_from_monday()))
}

/// `days_between("2026-03-02", "2026-03-05")` → 3.
fn days_between(from: &str, to: &str) -> Native<i64> {
    let a = parse_date(from).ok_or_else(|| bad_arg("days_between", from, "a date YYYY-MM-DD"))?;
    let b = parse_date(to).ok_or_else(|| bad_arg("days_between", to, "a date YYYY-MM-DD"))?;
    Ok((b - a).num_days())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin() -> Origin {
        Origin {
            file: "p.toml".into(),
            line: 10,
            column: 5,
        }
    }

    #[test]
    fn scripts_that_may_change_their_variables_are_known() {
        for (src, changes) in [
            ("event.minutes > 30", false),
            ("if nth >= 3 { -2 } else { -1 }", false),
            ("event.minutes <= 5 && staff.role != \"x\"", false),
            ("#{ points: -1, note: \"a = b\" }", false),
            ("// x = 1\n-1", false),
            ("event.minutes = 999; -1", true),
            ("let t = -1; t", true),
            ("nth += 1; -1", true),
            ("staff.remove(\"role\"); -1", true),
            ("event.fields.clear(); ()", true),
        ] {
            assert_eq!(may_change(src), changes, "{src}");
        }
    }

    #[test]
    fn helpers_work() {
        let s = Script::compile(
            "minutes_between(\"08:30\", \"08:47\") + weekday(\"2026-03-02\") * 100 + days_between(\"2026-03-02\", \"2026-03-05\") * 1000",
            true,
            Stage::Year,
            origin(),
        )
        .unwrap();
        assert_eq!(s.run(&mut Scope::new()).unwrap().as_int().unwrap(), 3117);
    }

    #[test]
    fn unknown_variable_is_a_compile_error_at_its_position() {
        let err =
            Script::compile("let x = 1;\nevnt.minutes", false, Stage::Event, origin()).unwrap_err();
        assert_eq!((err.line, err.column), (11, 1));
        assert!(err.message.contains("evnt"), "{}", err.message);
    }

    #[test]
    fn endless_loop_is_stopped() {
        let s = Script::compile("loop { }", false, Stage::Event, origin()).unwrap();
        let err = s.run(&mut Scope::new()).unwrap_err();
        assert!(err.message.contains("too long"), "{}", err.message);
    }

    #[test]
    fn eval_is_disabled() {
        // The same script compiles once `eval` is taken out: the refusal is about `eval`
        // itself, not some other mistake in the text.
        assert!(Script::compile("let x = \"1\"; x", false, Stage::Event, origin()).is_ok());
        let err = Script::compile("eval(\"1\")", false, Stage::Event, origin()).unwrap_err();
        assert!(err.message.contains("eval"), "{}", err.message);
        assert_eq!(
            (err.line, err.column),
            (10, 5),
            "at the start of the script"
        );
    }

    #[test]
    fn what_the_checker_cannot_know_fails_in_the_policys_words() {
        let run = |src: &str| {
            let s = Script::compile(src, false, Stage::Event, origin()).unwrap();
            s.run(&mut Scope::new()).unwrap_err().message
        };
        assert_eq!(
            run("let m = #{}; m.minutes * 2"),
            "`*` was given ((), int): a value is missing (a field left empty, or a key the map does not have)"
        );
        assert_eq!(
            run("let d = 0; 10 / d"),
            "arithmetic: Division by zero: 10 / 0"
        );
        assert_eq!(run("[1, 2][5]"), "index 5 is beyond the list of 2 items");
    }

    #[test]
    fn throw_reports_line_in_file() {
        let s = Script::compile("1;\nthrow \"no\";", false, Stage::Event, origin()).unwrap();
        let err = s.run(&mut Scope::new()).unwrap_err();
        assert_eq!(err.line, 11);
        assert!(err.message.contains("no"));
    }
}
