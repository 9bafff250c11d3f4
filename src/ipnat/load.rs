//! Loading rules into the NAT table (`ipnat -f`, `ipnat -r -f`, and the
//! NAT steps of `xbow net`), in one of two modes:
//!
//! - [`Mode::PerRule`], illumos's: each rule goes to the kernel on its own
//!   (`ipnat_addrule()` in `ipnat_y.y`); a rule the kernel refuses is
//!   reported with its errno and the load goes on. (Where the backend keeps
//!   the table in one state, the sim's and Linux's, the rules are taken in
//!   turn with those outcomes, as one change.)
//! - [`Mode::Atomic`], xbow's extension (`ipnat --atomic`): the first
//!   refusal ends the load and takes back what it had done, leaving the
//!   table as it was, rules in their order.
//!
//! In both modes a failure that is not the kernel's answer (the backend
//! cannot work: its state file, a rule the Linux kernel cannot express) is
//! handled as in atomic mode: illumos has no such failure to imitate, and
//! a half-done load would be xbow's fault.

use super::rule::NatRule;
use crate::backend::nat::{Errno, Nat, NatError};

/// What a load does with a rule the kernel refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Report it and go on (illumos `ipnat -f`).
    PerRule,
    /// Stop and undo the load (`ipnat --atomic -f`).
    Atomic,
}

/// Add the rules, or with `remove` take them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Add,
    Remove,
}

/// A load that stopped: rule `index` failed with `error`, and the table
/// was put back as it was, except for what `undo_failures` names (a rule
/// and why it could not be taken out or put back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub index: usize,
    pub error: NatError,
    /// How many of the rules before `index` had been done (and undone).
    pub done: usize,
    pub undo_failures: Vec<(NatRule, NatError)>,
}

/// Load `rules` into `b`. `refused(i, errno)` is called for each rule the
/// kernel refuses in [`Mode::PerRule`], in order, as illumos reports it.
pub fn load(
    b: &mut dyn Nat,
    rules: &[&NatRule],
    op: Op,
    mode: Mode,
    refused: &mut dyn FnMut(usize, Errno),
) -> Result<(), Failure> {
    // Taking rules out and putting them back would append them: keep the
    // table as it was to restore its order.
    let before = match op {
        Op::Remove => match b.rules() {
            Ok(r) => r.into_iter().map(|(r, _)| r).collect(),
            Err(error) => {
                return Err(Failure {
                    index: 0,
                    error,
                    done: 0,
                    undo_failures: Vec::new(),
                });
            }
        },
        Op::Add => Vec::new(),
    };
    if mode == Mode::Atomic && op == Op::Remove {
        // Refuse before touching anything when a rule is not there.
        let mut left = before.clone();
        for (i, r) in rules.iter().enumerate() {
            match left.iter().position(|x| x.same_as(r)) {
                Some(p) => {
                    left.remove(p);
                }
                None => {
                    return Err(Failure {
                        index: i,
                        error: NatError::Errno(Errno::ESRCH),
                        done: 0,
                        undo_failures: Vec::new(),
                    });
                }
            }
        }
    }
    if mode == Mode::Atomic {
        // One call: a backend that keeps its table in one state makes it
        // one change, which a killed run leaves whole or undone.
        let r = match op {
            Op::Add => b.add_rules(rules),
            Op::Remove => b.remove_rules(rules),
        };
        return r.map_err(|f| Failure {
            index: f.index,
            error: f.error,
            done: f.index,
            undo_failures: match op {
                Op::Add => f.undo_failures,
                // Rules taken out and put back went to the end of the
                // table: put it back in its order.
                Op::Remove => [f.undo_failures, restore(b, &before)].concat(),
            },
        });
    }
    // A table kept in one state takes the whole load as one change (a
    // killed run leaves all of it or none); when that fails it has changed
    // nothing, and the rules go one by one to find the one that fails.
    if let Some(Ok(errnos)) = b.each_at_once(rules, op == Op::Remove) {
        for (i, e) in errnos.into_iter().enumerate() {
            if let Some(e) = e {
                refused(i, e);
            }
        }
        return Ok(());
    }
    let mut done: Vec<usize> = Vec::new();
    for (i, r) in rules.iter().enumerate() {
        let res = match op {
            Op::Add => b.add_rule(r),
            Op::Remove => b.remove_rule(r),
        };
        match res {
            Ok(()) => done.push(i),
            Err(NatError::Errno(e)) => refused(i, e),
            Err(error) => {
                let undo_failures = match op {
                    Op::Add => remove_added(b, rules, &done),
                    Op::Remove => restore(b, &before),
                };
                return Err(Failure {
                    index: i,
                    error,
                    done: done.len(),
                    undo_failures,
                });
            }
        }
    }
    Ok(())
}

/// Take out the rules this load added (they are at the end of the table).
fn remove_added(b: &mut dyn Nat, rules: &[&NatRule], done: &[usize]) -> Vec<(NatRule, NatError)> {
    done.iter()
        .rev()
        .filter_map(|&i| b.remove_rule(rules[i]).err().map(|e| (rules[i].clone(), e)))
        .collect()
}

/// Put the table back to `before`, in its order: keep the longest prefix
/// the table still has, then take out what follows and add `before`'s
/// tail again.
fn restore(b: &mut dyn Nat, before: &[NatRule]) -> Vec<(NatRule, NatError)> {
    let now: Vec<NatRule> = match b.rules() {
        Ok(r) => r.into_iter().map(|(r, _)| r).collect(),
        Err(e) => return before.iter().map(|r| (r.clone(), e.clone())).collect(),
    };
    let keep = now
        .iter()
        .zip(before)
        .take_while(|(a, b)| a.same_as(b))
        .count();
    let mut failures = Vec::new();
    for r in now[keep..].iter().rev() {
        if let Err(e) = b.remove_rule(r) {
            failures.push((r.clone(), e));
        }
    }
    for r in &before[keep..] {
        if let Err(e) = b.add_rule(r) {
            failures.push((r.clone(), e));
        }
    }
    failures
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::sim::{SimNat, StateFile};

    fn rule(s: &str) -> NatRule {
        s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn sim() -> (tempfile::TempDir, SimNat) {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let mut nat = SimNat::open(file);
        nat.open(true).unwrap();
        (dir, nat)
    }

    fn table(b: &mut dyn Nat) -> Vec<String> {
        b.rules()
            .unwrap()
            .into_iter()
            .map(|(r, _)| r.to_string())
            .collect()
    }

    /// The rules as `ipnat -l` prints them.
    fn shown(rules: &[&str]) -> Vec<String> {
        rules.iter().map(|r| rule(r).to_string()).collect()
    }

    /// A load that must succeed without a refusal.
    fn loads(b: &mut dyn Nat, rules: &[&NatRule], op: Op, mode: Mode) {
        load(b, rules, op, mode, &mut |i, e| {
            panic!("rule {i} refused: {e}")
        })
        .unwrap();
    }

    /// A load that must fail without a refusal reported on the way.
    fn fails(b: &mut dyn Nat, rules: &[&NatRule], op: Op, mode: Mode) -> Failure {
        load(b, rules, op, mode, &mut |i, e| {
            panic!("rule {i} refused: {e}")
        })
        .unwrap_err()
    }

    /// A per-rule load that must succeed: the refusals it reported.
    fn refusals(b: &mut dyn Nat, rules: &[&NatRule], op: Op) -> Vec<(usize, Errno)> {
        let mut seen = Vec::new();
        load(b, rules, op, Mode::PerRule, &mut |i, e| seen.push((i, e))).unwrap();
        seen
    }

    const PORTMAP: &str = "map net0 192.168.128.0/22 -> 0/32 portmap tcp/udp 1025:65535";
    const PLAIN: &str = "map net0 192.168.128.0/22 -> 0/32";
    const OTHER: &str = "map net0 10.0.0.0/8 -> 0/32";

    #[test]
    fn per_rule_reports_refusals_and_goes_on() {
        let (_d, mut b) = sim();
        let (p, q) = (rule(PORTMAP), rule(PLAIN));
        loads(&mut b, &[&p], Op::Add, Mode::PerRule);
        let seen = refusals(&mut b, &[&p, &q], Op::Add);
        assert_eq!(seen, vec![(0, Errno::EEXIST)]);
        assert_eq!(table(&mut b), shown(&[PORTMAP, PLAIN]));
    }

    #[test]
    fn per_rule_remove_keeps_the_order() {
        // Issue 10, item 6: the portmap rule goes, the missing one is
        // reported, the plain map stays where it was.
        let (_d, mut b) = sim();
        let (p, q, o) = (rule(PORTMAP), rule(PLAIN), rule(OTHER));
        loads(&mut b, &[&p, &q], Op::Add, Mode::PerRule);
        let seen = refusals(&mut b, &[&p, &o], Op::Remove);
        assert_eq!(seen, vec![(1, Errno::ESRCH)]);
        assert_eq!(table(&mut b), shown(&[PLAIN]));
    }

    #[test]
    fn atomic_remove_of_a_missing_rule_touches_nothing() {
        let (_d, mut b) = sim();
        let (p, q, o) = (rule(PORTMAP), rule(PLAIN), rule(OTHER));
        loads(&mut b, &[&p, &q], Op::Add, Mode::Atomic);
        let f = fails(&mut b, &[&p, &o], Op::Remove, Mode::Atomic);
        assert_eq!((f.index, f.done), (1, 0));
        assert_eq!(f.error, NatError::Errno(Errno::ESRCH));
        assert_eq!(table(&mut b), shown(&[PORTMAP, PLAIN]));
        // The same rule twice: the second is not there once the first went.
        let f = fails(&mut b, &[&p, &p], Op::Remove, Mode::Atomic);
        assert_eq!(f.index, 1);
        assert_eq!(table(&mut b), shown(&[PORTMAP, PLAIN]));
    }

    #[test]
    fn atomic_add_undoes_in_order() {
        let (_d, mut b) = sim();
        let (p, q, o) = (rule(PORTMAP), rule(PLAIN), rule(OTHER));
        loads(&mut b, &[&q], Op::Add, Mode::Atomic);
        let f = fails(&mut b, &[&p, &o, &q], Op::Add, Mode::Atomic);
        assert_eq!((f.index, f.done), (2, 2));
        assert_eq!(f.error, NatError::Errno(Errno::EEXIST));
        assert!(f.undo_failures.is_empty());
        assert_eq!(table(&mut b), shown(&[PLAIN]));
    }

    #[test]
    fn restore_puts_removed_rules_back_in_their_place() {
        let (_d, mut b) = sim();
        let (p, q, o) = (rule(PORTMAP), rule(PLAIN), rule(OTHER));
        loads(&mut b, &[&p, &q, &o], Op::Add, Mode::Atomic);
        let before: Vec<NatRule> = vec![p.clone(), q.clone(), o.clone()];
        b.remove_rule(&q).unwrap();
        assert_eq!(table(&mut b), shown(&[PORTMAP, OTHER]));
        assert!(restore(&mut b, &before).is_empty());
        assert_eq!(table(&mut b), shown(&[PORTMAP, PLAIN, OTHER]));
    }
}
