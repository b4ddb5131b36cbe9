//! What an event rule's script reads of the values it is given.
//!
//! A script here has no inputs but its variables: the engine has no clock (`no_time`), no
//! `eval`, no modules, and `print` and `debug` go nowhere. So when a script reads nothing
//! of `event` and `staff` but named properties, and `nth` and `month` whole, its result is
//! a function of those values alone, and the engine may reuse the result of an earlier run
//! with equal values instead of running it again (see `engine::memo`). A script may change
//! what it was given (`event.minutes += 1` reads `minutes` first): the engine restores the
//! values after such a script, so nothing it does outlives its own run. Decided from the
//! compiled AST (every use of a variable, in assignments, interpolations and function
//! bodies too), erring towards "not reusable": any other use of `event` or `staff` (passed
//! whole, assigned whole, indexed, iterated, a method called on it, caught by a closure)
//! gives `None`.

use rhai::{AST, ASTNode, Expr};

/// The values an event-stage script reads, each list sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reads {
    /// Properties of `event`: a field or one of `date`, `employee`, `kind`, `note`, `qty`.
    pub event: Vec<String>,
    /// Properties of `staff`.
    pub staff: Vec<String>,
    pub nth: bool,
    pub month: bool,
}

impl Reads {
    /// What `ast` reads, or `None` when its result may depend on more than named values.
    pub fn of(ast: &AST) -> Option<Reads> {
        let mut reads = Reads::default();
        let complete = ast.walk(&mut |path: &[ASTNode]| {
            let [.., ASTNode::Expr(var @ Expr::Variable(v, ..))] = path else {
                return true;
            };
            let name = v.1.as_str();
            let property = match path.len().checked_sub(2).map(|i| &path[i]) {
                Some(ASTNode::Expr(Expr::Dot(chain, ..))) if std::ptr::eq(&chain.lhs, *var) => {
                    property_of(&chain.rhs)
                }
                _ => None,
            };
            match (name, property) {
                // Every event has its own id: a result read from it is never reused.
                ("event", Some("id")) => false,
                ("event", Some(p)) => {
                    reads.event.push(p.to_string());
                    true
                }
                ("staff", Some(p)) => {
                    reads.staff.push(p.to_string());
                    true
                }
                ("event" | "staff", None) => false,
                ("nth", _) => {
                    reads.nth = true;
                    true
                }
                ("month", _) => {
                    reads.month = true;
                    true
                }
                // The script's own variables, and a function's parameters.
                _ => true,
            }
        });
        complete.then(|| {
            for list in [&mut reads.event, &mut reads.staff] {
                list.sort();
                list.dedup();
            }
            reads
        })
    }
}

/// The property a chain's right side starts with: `minutes` in `event.minutes` and in
/// `event.note.len()`; none for a method called on the variable itself.
fn property_of(rhs: &Expr) -> Option<&str> {
    match rhs {
        Expr::Property(p, _) => Some(p.2.as_str()),
        Expr::Dot(chain, ..) | Expr::Index(chain, ..) => match &chain.lhs {
            Expr::Property(p, _) => Some(p.2.as_str()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::script::{Origin, Script, Stage};

    fn reads(src: &str) -> Option<Reads> {
        let origin = Origin {
            file: "p.toml".into(),
            line: 1,
            column: 1,
        };
        let script = Script::compile(src, false, Stage::Event, origin).expect("compiles");
        Reads::of(script.ast())
    }

    fn of(event: &[&str], staff: &[&str], nth: bool, month: bool) -> Option<Reads> {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Some(Reads {
            event: list(event),
            staff: list(staff),
            nth,
            month,
        })
    }

    #[test]
    fn named_properties_and_whole_scalars_are_read() {
        assert_eq!(
            reads("event.minutes > 0"),
            of(&["minutes"], &[], false, false)
        );
        assert_eq!(
            reads("event.days > 2 && !event.approved && event.days < 9"),
            of(&["approved", "days"], &[], false, false)
        );
        assert_eq!(
            reads("if nth >= 2 { -5 } else { -3 }"),
            of(&[], &[], true, false)
        );
        assert_eq!(
            reads("if event.note.len() > 3 && staff.role == \"x\" { month } else { () }"),
            of(&["note"], &["role"], false, true)
        );
        assert_eq!(reads("event?.qty ?? 1"), of(&["qty"], &[], false, false));
    }

    #[test]
    fn what_a_script_changes_it_reads() {
        assert_eq!(
            reads("event.minutes += 1; let t = nth; t = t * 2; event.minutes * t"),
            of(&["minutes"], &[], true, false)
        );
    }

    #[test]
    fn reads_inside_interpolations_and_maps_count() {
        assert_eq!(
            reads("#{ points: -4, note: `本月第${nth}次, ${event.amount} 元` }"),
            of(&["amount"], &[], true, false)
        );
    }

    #[test]
    fn anything_but_a_named_property_is_not_reusable() {
        for src in [
            "event.id > 3",
            "event[\"minutes\"] > 0",
            "event.len()",
            "event.keys().len()",
            "let n = 0; for k in event.values() { n += 1 } n",
            "[1, 2].map(|x| x + event.minutes).len()",
            "fn f(e) { e.minutes } f(event)",
            "event = #{ minutes: 1 }; event.minutes",
            "staff.keys().len()",
            "type_of(staff)",
        ] {
            assert_eq!(reads(src), None, "{src}");
        }
    }

    #[test]
    fn a_functions_own_parameters_are_not_the_events() {
        assert_eq!(
            reads("fn tier(m) { if m > 30 { -3 } else { -1 } } tier(event.minutes)"),
            of(&["minutes"], &[], false, false)
        );
    }
}
