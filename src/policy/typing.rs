//! The validator: every script of a policy is checked against the schema the policy itself
//! states, before the policy can be used, as Cedar checks its policies against a schema.
//!
//! The schema is what the engine hands each stage: an event of the rule's kinds (their
//! typed `fields` plus `id`, `kind`, `date`, `employee`, `qty`, `note`), `staff` (the
//! record's parts and `[staff_fields]`), `month`, `nth`, `counts`, `by_rule`, `year`,
//! `dept`; the helper functions and the rhai built-ins the sandbox keeps. The walk over a
//! script's AST types each expression and reports, at its position in the TOML file, what
//! cannot work at run time: an unknown property or function, operands that cannot meet, a
//! result the engine would refuse. Where a type cannot be known (a value read from a map of
//! unknown shape, a variable assigned more than once), it says nothing rather than guess:
//! a false alarm on a correct policy would teach people to ignore the checker.

mod builtins;
mod schema;
mod types;

use std::collections::{BTreeMap, HashMap, HashSet};

use rhai::{ASTNode, Dynamic, Expr, Map, Position, Stmt};

use self::builtins::{Param, functions, keyword, returns};
use self::types::{Of, Shape, Ty};
use super::script::{Script, Stage};
use crate::domain::event::FieldType;
use crate::domain::text::{closest, count};

/// A problem found in a script: where (a position inside the script), what, and a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub position: Position,
    pub message: String,
    pub help: Option<String>,
}

/// What the values a script is given look like.
pub struct Schema<'a> {
    /// The kinds an event rule is on, with their fields (empty at other stages).
    pub kinds: Vec<(&'a str, &'a BTreeMap<String, FieldType>)>,
    /// `[staff_fields]`.
    pub staff_fields: &'a BTreeMap<String, FieldType>,
}

/// What a script must give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A `when`: true or false.
    Condition,
    /// A rule's script: points, `()` or `#{ points, note, flags }`.
    Points,
    /// The `[department]` script: `#{ head_bonus_cut, department_bonus, note }`.
    Department,
}

impl Want {
    fn keys(self) -> &'static [&'static str] {
        match self {
            Want::Condition => &[],
            Want::Points => &["points", "note", "flags"],
            Want::Department => &["head_bonus_cut", "department_bonus", "note"],
        }
    }
}

/// Checks `script`, run at `stage`, against `schema`; every problem found.
pub fn check(script: &Script, stage: Stage, want: Want, schema: &Schema) -> Vec<Finding> {
    let ast = script.written();
    let mut walk = Walk {
        findings: Vec::new(),
        scope: Vec::new(),
        reassigned: HashSet::new(),
        extended: HashSet::new(),
        functions: HashMap::new(),
        returns: Vec::new(),
    };
    walk.survey(ast);
    for (name, ty) in schema::stage_values(stage, schema) {
        walk.declare(name, ty);
    }
    for f in ast.iter_functions() {
        walk.functions
            .entry(f.name.to_string())
            .or_default()
            .push(f.params.len());
    }
    // The functions' bodies: a function sees no variable but its own (its parameters, of
    // any type), so each of its statements is checked in an empty scope, for what holds
    // whatever the parameters are (unknown functions, operands that cannot meet).
    let main = ast.statements().len();
    let mut top = 0;
    ast.walk(&mut |path: &[ASTNode]| {
        if let [ASTNode::Stmt(s)] = path {
            top += 1;
            if top > main {
                let stage = std::mem::take(&mut walk.scope);
                let returns = std::mem::take(&mut walk.returns);
                walk.stmt(s);
                (walk.scope, walk.returns) = (stage, returns);
            }
        }
        true
    });
    let statements = ast.statements();
    let result = walk.block(statements);
    let at = match statements.last() {
        Some(Stmt::Expr(e)) => start(e),
        Some(Stmt::FnCall(f, pos)) => match f.args.first() {
            Some(first) if f.op_token.is_some() => start(first),
            _ => *pos,
        },
        Some(s) => s.position(),
        None => Position::NONE,
    };
    walk.result(&result, want, at);
    for (r, at) in std::mem::take(&mut walk.returns) {
        walk.result(&r, want, at);
    }
    walk.findings
        .sort_by_key(|f| (f.position.line(), f.position.position()));
    walk.findings.dedup();
    walk.findings
}

/// The name closest to a misspelt `word` among `names`, when it is close enough to be what
/// was meant: script names are short, and "did you mean `cos`?" for `foo` helps no one.
fn near<'a>(word: &str, names: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest(word, names)
        .filter(|n| strsim::damerau_levenshtein(n, word) <= 1.max(word.chars().count() / 3))
}

/// The walk over one script.
struct Walk {
    findings: Vec<Finding>,
    /// The variables in scope, innermost last.
    scope: Vec<(String, Ty)>,
    /// Variables assigned after their declaration: their type is not tracked.
    reassigned: HashSet<String>,
    /// Variables the script adds properties to: a property missing from their shape may
    /// be one it added.
    extended: HashSet<String>,
    /// The script's own functions, with their arities.
    functions: HashMap<String, Vec<usize>>,
    /// What `return` statements give, and where.
    returns: Vec<(Ty, Position)>,
}

impl Walk {
    fn report(&mut self, position: Position, message: String, help: Option<String>) {
        self.findings.push(Finding {
            position,
            message,
            help,
        });
    }

    /// Finds the variables the script assigns to, or adds properties to.
    fn survey(&mut self, ast: &rhai::AST) {
        ast.walk(&mut |path: &[ASTNode]| {
            if let Some(ASTNode::Stmt(Stmt::Assignment(a))) = path.last() {
                match &a.1.lhs {
                    Expr::Variable(v, ..) => {
                        self.reassigned.insert(v.1.to_string());
                    }
                    Expr::Dot(chain, ..) | Expr::Index(chain, ..) => {
                        if let Expr::Variable(v, ..) = &chain.lhs {
                            self.extended.insert(v.1.to_string());
                        }
                    }
                    _ => {}
                }
            }
            true
        });
    }

    fn declare(&mut self, name: &str, ty: Ty) {
        let ty = if self.reassigned.contains(name) {
            Ty::Any
        } else {
            ty
        };
        self.scope.push((name.to_string(), ty));
    }

    fn variable(&self, name: &str) -> Ty {
        self.scope
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map_or(Ty::Any, |(_, t)| t.clone())
    }

    /// Checks a block in a scope of its own; the block's value.
    fn block(&mut self, statements: &[Stmt]) -> Ty {
        let outer = self.scope.len();
        let mut value = Ty::Unit;
        for s in statements {
            value = self.stmt(s);
        }
        self.scope.truncate(outer);
        value
    }

    fn stmt(&mut self, s: &Stmt) -> Ty {
        match s {
            Stmt::Noop(_) => Ty::Unit,
            Stmt::Expr(e) => self.expr(e),
            Stmt::FnCall(f, pos) => self.call(f, None, *pos),
            Stmt::Block(b) => self.block(b.statements()),
            Stmt::Var(v, ..) => {
                let ty = self.expr(&v.1);
                self.declare(&v.0.name, ty);
                Ty::Unit
            }
            Stmt::Assignment(a) => {
                let (op, chain) = &**a;
                let value = self.expr(&chain.rhs);
                let target = self.target(&chain.lhs, op.is_op_assignment());
                if let Some((.., syntax)) = op.get_op_assignment_info() {
                    self.binary(syntax, &target, &value, op.position());
                }
                Ty::Unit
            }
            Stmt::If(flow, _) => {
                self.condition(&flow.expr, "an `if` condition");
                let body = self.block(flow.body.statements());
                let branch = self.block(flow.branch.statements());
                body.join(branch)
            }
            Stmt::While(flow, _) | Stmt::Do(flow, ..) => {
                if !matches!(flow.expr, Expr::Unit(_) | Expr::BoolConstant(true, _)) {
                    self.condition(&flow.expr, "a loop condition");
                }
                self.block(flow.body.statements());
                Ty::Unit
            }
            Stmt::For(f, _) => {
                let (var, counter, flow) = &**f;
                self.expr(&flow.expr);
                let outer = self.scope.len();
                self.declare(&var.name, Ty::Any);
                if let Some(c) = counter {
                    self.declare(&c.name, Ty::Int);
                }
                self.block(flow.body.statements());
                self.scope.truncate(outer);
                Ty::Unit
            }
            Stmt::TryCatch(flow, _) => {
                let body = self.block(flow.body.statements());
                let outer = self.scope.len();
                if let Expr::Variable(v, ..) = &flow.expr {
                    self.declare(&v.1, Ty::Any);
                }
                let caught = self.block(flow.branch.statements());
                self.scope.truncate(outer);
                body.join(caught)
            }
            Stmt::Switch(sw, _) => {
                let (on, cases) = &**sw;
                self.expr(on);
                for case in &cases.expressions {
                    self.expr(&case.lhs);
                    self.expr(&case.rhs);
                }
                Ty::Any
            }
            Stmt::Return(value, flags, pos) => {
                let ty = value.as_ref().map_or(Ty::Unit, |e| self.expr(e));
                // `throw` (flagged BREAK) gives nothing: it fails the run on purpose.
                if !flags.intersects(rhai::ASTFlags::BREAK) {
                    self.returns.push((ty, *pos));
                }
                Ty::Any
            }
            Stmt::BreakLoop(value, ..) => {
                if let Some(e) = value {
                    self.expr(e);
                }
                Ty::Unit
            }
            _ => Ty::Any,
        }
    }

    /// An assignment's target: a plain assignment may write a new property, so only the
    /// object is read; an update (`+=` …) reads the target first.
    fn target(&mut self, lhs: &Expr, update: bool) -> Ty {
        match lhs {
            Expr::Dot(chain, ..) if !update => {
                self.expr(&chain.lhs);
                Ty::Any
            }
            e => self.expr(e),
        }
    }

    fn condition(&mut self, e: &Expr, what: &str) {
        let ty = self.expr(e);
        if ty.known() && ty != Ty::Bool {
            self.report(
                e.start_position(),
                format!("{what} must be true or false; this gives {}", ty.a()),
                Some("compare it, e.g. `event.minutes > 30`".into()),
            );
        }
    }

    fn expr(&mut self, e: &Expr) -> Ty {
        match e {
            Expr::BoolConstant(..) => Ty::Bool,
            Expr::IntegerConstant(..) => Ty::Int,
            Expr::FloatConstant(..) => Ty::Float,
            Expr::CharConstant(..) => Ty::Char,
            Expr::StringConstant(..) => Ty::Str,
            Expr::Unit(_) => Ty::Unit,
            Expr::DynamicConstant(d, pos) => constant(d, *pos),
            Expr::InterpolatedString(parts, _) => {
                for p in parts.iter() {
                    self.expr(p);
                }
                Ty::Str
            }
            Expr::Array(items, _) => {
                for i in items.iter() {
                    self.expr(i);
                }
                Ty::Array
            }
            Expr::Map(m, _) => {
                let mut keys = Vec::new();
                let mut positions = Vec::new();
                for (k, v) in &m.0 {
                    let ty = self.expr(v);
                    keys.push((k.name.to_string(), ty));
                    positions.push(k.pos);
                }
                Ty::Map(Shape::closed(Of::Literal(positions), keys))
            }
            Expr::Variable(v, ..) => self.variable(&v.1),
            Expr::ThisPtr(_) => Ty::Any,
            Expr::Property(..) => Ty::Any,
            Expr::Stmt(b) => self.block(b.statements()),
            Expr::FnCall(f, pos) => self.call(f, None, *pos),
            Expr::MethodCall(f, pos) => self.call(f, Some(Ty::Any), *pos),
            Expr::Dot(chain, ..) => {
                let root = match &chain.lhs {
                    Expr::Variable(v, _, pos) => Some((v.1.to_string(), *pos)),
                    _ => None,
                };
                let base = self.expr(&chain.lhs);
                self.chain(
                    base,
                    &chain.rhs,
                    root.as_ref().map(|(n, p)| (n.as_str(), *p)),
                )
            }
            Expr::Index(chain, ..) => {
                self.expr(&chain.lhs);
                self.chain(Ty::Any, &chain.rhs, None);
                Ty::Any
            }
            Expr::And(parts, _) | Expr::Or(parts, _) => {
                for p in parts.iter() {
                    self.condition(p, "each side of `&&` and `||`");
                }
                Ty::Bool
            }
            Expr::Coalesce(parts, _) => parts
                .iter()
                .map(|p| self.expr(p))
                .reduce(|a, b| match a {
                    Ty::Unit => b,
                    a => a.join(b),
                })
                .map_or(Ty::Any, |t| if t == Ty::Unit { Ty::Any } else { t }),
            _ => Ty::Any,
        }
    }

    /// The rest of a chain (`.name`, `.method(…)`, `[i]`) read from a value of type `base`;
    /// `root`: the variable the chain starts from, when it is one, and where it is (a
    /// problem with `event.minute` is shown at `event`).
    fn chain(&mut self, base: Ty, rhs: &Expr, root: Option<(&str, Position)>) -> Ty {
        match rhs {
            Expr::Property(p, pos) => {
                let at = root.map_or(*pos, |(_, at)| at);
                self.property(&base, &p.2, at, root.map(|(name, _)| name))
            }
            Expr::MethodCall(f, pos) => self.call(f, Some(base), *pos),
            Expr::Dot(next, ..) => {
                let first = self.chain(base, &next.lhs, root);
                self.chain(first, &next.rhs, None)
            }
            Expr::Index(next, ..) => {
                self.chain(base, &next.lhs, root);
                self.chain(Ty::Any, &next.rhs, None);
                Ty::Any
            }
            // An index value.
            other => {
                self.expr(other);
                Ty::Any
            }
        }
    }

    fn property(&mut self, base: &Ty, key: &str, pos: Position, root: Option<&str>) -> Ty {
        let Ty::Map(shape) = base else {
            return Ty::Any;
        };
        if let Some(ty) = shape.get(key) {
            return ty.clone();
        }
        let variable = root.unwrap_or("the map");
        if root.is_some_and(|r| self.extended.contains(r)) {
            return Ty::Any;
        }
        // A map written in the script, or of unknown keys, may lack the key: that reads ().
        if let Some((message, help)) = shape.lacks(variable, key) {
            self.report(pos, message, help);
        }
        Ty::Any
    }

    /// A call: a function (`receiver` none) or a method (`receiver` the value it is called
    /// on); an operator when the parser made it one.
    fn call(&mut self, f: &rhai::FnCallExpr, receiver: Option<Ty>, pos: Position) -> Ty {
        let mut args: Vec<Ty> = receiver.into_iter().collect();
        let method = !args.is_empty();
        args.extend(f.args.iter().map(|a| self.expr(a)));
        let name = f.name.as_str();
        if f.op_token.is_some() || (!method && is_operator(name)) {
            return match args.as_slice() {
                [one] => self.unary(name, one, pos),
                [a, b] => self.binary(name, a, b, pos),
                _ => Ty::Any,
            };
        }
        if let Some(arities) = self.functions.get(name) {
            if !arities.contains(&args.len()) {
                self.report(
                    pos,
                    format!("`{name}` takes {}, not {}", arguments(arities), args.len()),
                    None,
                );
            }
            return Ty::Any;
        }
        self.builtin(name, &args, method, pos)
    }

    fn builtin(&mut self, name: &str, args: &[Ty], method: bool, pos: Position) -> Ty {
        if let Some(ty) = keyword(name) {
            return ty;
        }
        let table = functions();
        let shown = |n: usize| if method { n - 1 } else { n };
        let Some(overloads) = table.get(name) else {
            let own = self.functions.keys().map(String::as_str);
            let nearest = near(name, table.keys().map(String::as_str).chain(own));
            let what = if method { "method" } else { "function" };
            self.report(
                pos,
                format!("unknown {what} `{name}`"),
                Some(match nearest {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "the functions here are rhai's built-ins and minutes_between, weekday, days_between".into(),
                }),
            );
            return Ty::Any;
        };
        let fitting: Vec<&Vec<Param>> =
            overloads.iter().filter(|p| p.len() == args.len()).collect();
        if fitting.is_empty() {
            let mut arities: Vec<usize> = overloads.iter().map(|p| shown(p.len())).collect();
            arities.sort();
            arities.dedup();
            self.report(
                pos,
                format!(
                    "`{name}` takes {}, not {}",
                    arguments(&arities),
                    shown(args.len())
                ),
                None,
            );
            return Ty::Any;
        }
        if args.iter().all(Ty::known)
            && !fitting
                .iter()
                .any(|ps| ps.iter().zip(args).all(|(p, a)| p.accepts(a)))
        {
            let given: Vec<&str> = args.iter().map(Ty::name).collect();
            let (what, given) = if method {
                (
                    format!("`{name}` cannot be called on {}", given[0]),
                    &given[1..],
                )
            } else {
                (format!("`{name}` cannot take"), &given[..])
            };
            let given = given.join(", ");
            self.report(
                pos,
                if method {
                    format!("{what} with ({given})")
                } else {
                    format!("{what} ({given})")
                },
                Some(format!(
                    "it takes {}",
                    fitting
                        .iter()
                        .map(|ps| format!(
                            "({})",
                            ps.iter()
                                .skip(usize::from(method))
                                .map(Param::name)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                        .collect::<Vec<_>>()
                        .join(" or ")
                )),
            );
            return Ty::Any;
        }
        returns(name, args)
    }

    fn unary(&mut self, op: &str, a: &Ty, pos: Position) -> Ty {
        match op {
            "!" if a.known() && *a != Ty::Bool => {
                self.report(
                    pos,
                    format!("`!` needs true or false, not {}", a.name()),
                    None,
                );
                Ty::Bool
            }
            "!" => Ty::Bool,
            "-" | "+" if a.known() && !a.numeric() => {
                self.report(
                    pos,
                    format!("`{op}` needs a number, not {}", a.name()),
                    None,
                );
                Ty::Any
            }
            _ => a.clone(),
        }
    }

    fn binary(&mut self, op: &str, a: &Ty, b: &Ty, pos: Position) -> Ty {
        let both = a.known() && b.known();
        let text = |t: &Ty| matches!(t, Ty::Str | Ty::Char);
        let number = |x: &Ty, y: &Ty| match (x, y) {
            (Ty::Int, Ty::Int) => Ty::Int,
            (Ty::Float, Ty::Float) | (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int) => Ty::Float,
            _ => Ty::Num,
        };
        match op {
            "<" | ">" | "<=" | ">=" => {
                let meet = (a.numeric() && b.numeric())
                    || (text(a) && text(b))
                    || (*a == Ty::Bool && *b == Ty::Bool);
                if both && !meet {
                    self.mismatch(op, a, b, pos, "the comparison would always be false");
                }
                Ty::Bool
            }
            "==" | "!=" => {
                let meet = (a.numeric() && b.numeric())
                    || (text(a) && text(b))
                    || std::mem::discriminant(a) == std::mem::discriminant(b)
                    || matches!(a, Ty::Unit)
                    || matches!(b, Ty::Unit);
                if both && !meet {
                    let always = if op == "==" { "false" } else { "true" };
                    self.mismatch(op, a, b, pos, &format!("`{op}` would always be {always}"));
                }
                Ty::Bool
            }
            "+" => {
                if text(a) || text(b) {
                    Ty::Str
                } else if a.numeric() && b.numeric() {
                    number(a, b)
                } else if *a == Ty::Array && *b == Ty::Array {
                    Ty::Array
                } else {
                    if both && !matches!((a, b), (Ty::Map(_), Ty::Map(_))) {
                        self.mismatch(op, a, b, pos, "they cannot be added");
                    }
                    Ty::Any
                }
            }
            "-" | "*" | "/" | "%" | "**" => {
                if a.numeric() && b.numeric() {
                    if op == "/" && *a == Ty::Int && *b == Ty::Int {
                        Ty::Int
                    } else {
                        number(a, b)
                    }
                } else {
                    let string_repeat = op == "*" && text(a) && *b == Ty::Int;
                    if both && !string_repeat {
                        self.mismatch(op, a, b, pos, "this needs two numbers");
                    }
                    Ty::Any
                }
            }
            "&" | "|" | "^" => {
                if both && !((*a == Ty::Bool && *b == Ty::Bool) || (*a == Ty::Int && *b == Ty::Int))
                {
                    self.mismatch(op, a, b, pos, "this needs two ints or two bools");
                }
                if *a == Ty::Bool { Ty::Bool } else { Ty::Any }
            }
            _ => Ty::Any,
        }
    }

    fn mismatch(&mut self, op: &str, a: &Ty, b: &Ty, pos: Position, why: &str) {
        self.report(
            pos,
            format!("`{op}` between {} and {}: {why}", a.name(), b.name()),
            Some(
                if (a.numeric() && *b == Ty::Str) || (a == &Ty::Str && b.numeric()) {
                    "write the number without quotes, or convert with parse_int / to_string".into()
                } else {
                    "compare values of one type".into()
                },
            ),
        );
    }

    /// Checks what the script gives against what its stage wants.
    fn result(&mut self, ty: &Ty, want: Want, at: Position) {
        for t in ty.members() {
            match (want, t) {
                (_, Ty::Any) => {}
                (Want::Condition, Ty::Bool) => {}
                (Want::Condition, t) => self.report(
                    at,
                    format!("a `when` condition must be true or false; this gives {}", t.a()),
                    Some("compare it, e.g. `event.minutes > 30`".into()),
                ),
                (Want::Points, t) if t.numeric() || *t == Ty::Unit => {}
                (_, Ty::Map(shape)) => self.result_map(shape, want, at),
                (Want::Points, t) => self.report(
                    at,
                    format!("the script gives {}; a rule's script must give points", t.a()),
                    Some("give a number of points, () for none, or #{ points: -2, note: \"…\", flags: [\"…\"] }".into()),
                ),
                (Want::Department, Ty::Unit) => {}
                (Want::Department, t) => self.report(
                    at,
                    format!("the [department] script gives {}", t.a()),
                    Some("give #{ head_bonus_cut, department_bonus, note }".into()),
                ),
            }
        }
    }

    fn result_map(&mut self, shape: &Shape, want: Want, at: Position) {
        let allowed = want.keys();
        let Of::Literal(positions) = &shape.of else {
            if !matches!(shape.of, Of::Open) {
                self.report(
                    at,
                    "the script gives a map that is not its result".into(),
                    Some(format!("give #{{ {} }}", allowed.join(", "))),
                );
            }
            return;
        };
        for ((key, ty), pos) in shape.keys.iter().zip(positions) {
            if !allowed.contains(&key.as_str()) {
                // A key cut short (`pts`, `head_bonus`) is one whose letters it keeps in order.
                let nearest = allowed
                    .iter()
                    .copied()
                    .find(|a| kept_in_order(key, a))
                    .or_else(|| closest(key, allowed.iter().copied()));
                self.report(
                    *pos,
                    format!(
                        "the result has no key `{key}`; its keys are {}",
                        allowed.join(", ")
                    ),
                    nearest.map(|n| format!("did you mean `{n}`?")),
                );
                continue;
            }
            let fits = match key.as_str() {
                "note" => matches!(ty, Ty::Str | Ty::Char) || !ty.known(),
                "flags" => *ty == Ty::Array || !ty.known(),
                _ => ty.numeric() || *ty == Ty::Unit || !ty.known(),
            };
            if !fits {
                let needs = match key.as_str() {
                    "note" => "a string",
                    "flags" => "an array of flag ids",
                    _ => "a number",
                };
                self.report(
                    *pos,
                    format!("`{key}` must be {needs}, not {}", ty.name()),
                    None,
                );
            }
        }
    }
}

/// Where an expression starts as written: an operator's left operand, not the operator.
fn start(e: &Expr) -> Position {
    match e {
        Expr::FnCall(f, _) if f.op_token.is_some() && f.args.len() == 2 => start(&f.args[0]),
        e => e.start_position(),
    }
}

/// Whether `short`'s characters appear in `long` in the same order.
fn kept_in_order(short: &str, long: &str) -> bool {
    let mut rest = long.chars();
    short.chars().all(|c| rest.any(|l| l == c))
}

/// `1 argument`, `2 or 3 arguments`.
fn arguments(ns: &[usize]) -> String {
    match ns {
        [one] => count(*one, "argument", "arguments"),
        _ => {
            let listed: Vec<String> = ns.iter().map(usize::to_string).collect();
            format!("{} arguments", listed.join(" or "))
        }
    }
}

fn is_operator(name: &str) -> bool {
    !name.is_empty() && !name.starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

/// A constant's type; a map written with constant values only is kept whole by the
/// optimizer, its keys all at `pos`.
fn constant(d: &Dynamic, pos: Position) -> Ty {
    if let Some(map) = d.read_lock::<Map>() {
        let keys = map
            .iter()
            .map(|(k, v)| (k.to_string(), constant(v, pos)))
            .collect::<Vec<_>>();
        let positions = vec![pos; keys.len()];
        return Ty::Map(Shape::closed(Of::Literal(positions), keys));
    }
    if d.is_int() {
        Ty::Int
    } else if d.is_float() {
        Ty::Float
    } else if d.is_string() {
        Ty::Str
    } else if d.is_bool() {
        Ty::Bool
    } else if d.is_array() {
        Ty::Array
    } else if d.is_unit() {
        Ty::Unit
    } else {
        Ty::Any
    }
}
