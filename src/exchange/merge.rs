//! The merge decision for one finding, by lineage. Every version of a finding names the
//! versions it was edited from ([`FindingVersion::lineage`]); a result package's finding is
//! taken only when it was edited from the version the supervisor has now. Anything else is
//! either older than what is here (ignored) or a second line of work (a conflict, shown side
//! by side until the supervisor chooses). Pure: the store writes what this decides.
//!
//! The state of one finding here is its current version and the versions waiting in conflict
//! with it. Merging any set of packages in any order leaves the same set of *heads* (the
//! current version and those waiting): nothing is ever overwritten silently, and nothing
//! depends on which USB stick arrived first.

use crate::model::FindingVersion;

/// What merging one incoming finding does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The same content is here already: nothing to do.
    Same,
    /// Older than what is here (or than a version waiting in conflict): ignored.
    Older,
    /// New here: taken.
    Add,
    /// Edited from the version here: taken.
    Update,
    /// A second line of work: kept waiting beside the version here.
    Conflict,
}

/// One finding here: its current version and the versions waiting in conflict with it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingState {
    pub current: Option<FindingVersion>,
    pub waiting: Vec<FindingVersion>,
}

/// What merging one incoming finding into `state` does, and the state after it. A waiting
/// version the incoming one descends from is replaced by it (the laptop moved on).
#[must_use]
pub fn merge(state: &FindingState, incoming: &FindingVersion) -> (Outcome, FindingState) {
    let mut next = state.clone();
    let Some(here) = &state.current else {
        next.current = Some(incoming.clone());
        return (Outcome::Add, next);
    };
    if here.same_content(incoming) && !state.waiting.iter().any(|w| w.descends_from(incoming)) {
        return (Outcome::Same, next);
    }
    if here.descends_from(incoming) || state.waiting.iter().any(|w| w.descends_from(incoming)) {
        return (Outcome::Older, next);
    }
    next.waiting.retain(|w| !incoming.descends_from(w));
    if incoming.descends_from(here) {
        next.current = Some(incoming.clone());
        return (Outcome::Update, next);
    }
    next.waiting.push(incoming.clone());
    (Outcome::Conflict, next)
}

/// `lineage` with `more` added, each id once, in order.
#[must_use]
pub fn joined(lineage: &[String], more: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out = lineage.to_vec();
    for id in more {
        if !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// The version that settles a conflict: `chosen` (the one kept or taken), descending from
/// every version it was chosen over, so that none of them comes back in a later package.
#[must_use]
pub fn settled(chosen: &FindingVersion, over: &[&FindingVersion]) -> FindingVersion {
    let mut v = chosen.clone();
    for other in over {
        v.lineage = joined(
            &v.lineage,
            other.lineage.iter().cloned().chain([other.id()]),
        );
    }
    let own = v.id();
    v.lineage.retain(|id| *id != own);
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Answer;
    use crate::model::Answer::{Fail, NotApplicable, Pass};

    /// A version of V01 by `who` at minute `m`, edited from `parents` (oldest first).
    fn v(who: &str, m: u32, answer: Answer, parents: &[&FindingVersion]) -> FindingVersion {
        let mut lineage = Vec::new();
        for p in parents {
            lineage = joined(&lineage, p.lineage.iter().cloned().chain([p.id()]));
        }
        FindingVersion {
            item: "V01".to_owned(),
            answer: Some(answer),
            note: format!("{who}{m}"),
            last_update: None,
            checked_on: None,
            longest_gap: None,
            updated_by: who.to_owned(),
            updated_at: chrono::NaiveDate::from_ymd_opt(2026, 11, 20)
                .and_then(|d| d.and_hms_opt(10, m, 0))
                .expect("time"),
            lineage,
        }
    }

    fn state(current: Option<&FindingVersion>, waiting: &[&FindingVersion]) -> FindingState {
        FindingState {
            current: current.cloned(),
            waiting: waiting.iter().map(|w| (*w).clone()).collect(),
        }
    }

    #[test]
    fn every_case() {
        use Outcome::*;
        let c = v("组长", 0, Pass, &[]); // what the work package carried
        let a1 = v("张三", 1, Fail, &[&c]); // laptop A, first result package
        let a2 = v("张三", 2, NotApplicable, &[&c, &a1]); // laptop A, second result package
        let b1 = v("李四", 3, Fail, &[&c]); // laptop B, same work package
        let s1 = v("组长", 4, NotApplicable, &[&c]); // the supervisor's own edit
        let mut same_as_c = c.clone();
        same_as_c.updated_by = "王五".to_owned();
        same_as_c.lineage = vec![c.id()];
        #[rustfmt::skip]
        let table: Vec<(FindingState, &FindingVersion, Outcome, FindingState, &str)> = vec![
            (state(None, &[]), &c, Add, state(Some(&c), &[]), "new here"),
            (state(Some(&c), &[]), &c, Same, state(Some(&c), &[]), "the version here"),
            (state(Some(&c), &[]), &same_as_c, Same, state(Some(&c), &[]), "the same content by someone else"),
            (state(Some(&c), &[]), &a1, Update, state(Some(&a1), &[]), "edited from the version here"),
            (state(Some(&a1), &[]), &a2, Update, state(Some(&a2), &[]), "the same laptop's next package"),
            (state(Some(&a2), &[]), &a1, Older, state(Some(&a2), &[]), "an older package merged after a later one"),
            (state(Some(&a1), &[]), &b1, Conflict, state(Some(&a1), &[&b1]), "two laptops on one work package"),
            (state(Some(&s1), &[]), &a1, Conflict, state(Some(&s1), &[&a1]), "the supervisor changed it since"),
            (state(Some(&a1), &[]), &c, Older, state(Some(&a1), &[]), "the work package's own version again"),
            (state(Some(&b1), &[&a1]), &a2, Conflict, state(Some(&b1), &[&a2]), "a waiting line moved on"),
            (state(Some(&b1), &[&a2]), &a1, Older, state(Some(&b1), &[&a2]), "older than a waiting version"),
            (state(Some(&a1), &[&b1]), &a2, Update, state(Some(&a2), &[&b1]), "the current line moved on; the conflict stays"),
        ];
        for (before, incoming, outcome, after, why) in table {
            assert_eq!(merge(&before, incoming), (outcome, after), "{why}");
        }
    }

    #[test]
    fn a_settled_conflict_does_not_come_back() {
        let c = v("组长", 0, Pass, &[]);
        let a1 = v("张三", 1, Fail, &[&c]);
        let b1 = v("李四", 3, Fail, &[&c]);
        // Kept B1 over A1: A1 arriving again is older.
        let kept = settled(&b1, &[&a1]);
        assert_eq!(kept.id(), b1.id(), "settling keeps the version itself");
        let here = state(Some(&kept), &[]);
        assert_eq!(merge(&here, &a1).0, Outcome::Older);
        // Took A1 over B1: B1 arriving again is older, and A1's next version fast-forwards.
        let taken = settled(&a1, &[&b1]);
        let here = state(Some(&taken), &[]);
        assert_eq!(merge(&here, &b1).0, Outcome::Older);
        let a2 = v("张三", 2, NotApplicable, &[&a1]);
        assert_eq!(merge(&here, &a2).0, Outcome::Update);
    }

    /// Heads: the current version and those waiting, as a set of ids.
    fn heads(s: &FindingState) -> std::collections::BTreeSet<String> {
        s.current
            .iter()
            .chain(&s.waiting)
            .map(FindingVersion::id)
            .collect()
    }

    fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
        if items.len() <= 1 {
            return vec![items.to_vec()];
        }
        let mut out = Vec::new();
        for i in 0..items.len() {
            let mut rest = items.to_vec();
            let first = rest.remove(i);
            for mut p in permutations(&rest) {
                p.insert(0, first.clone());
                out.push(p);
            }
        }
        out
    }

    proptest::proptest! {
        /// Any set of packages merged in any order leaves the same heads, and a finding
        /// without conflict has the same version whatever the order.
        #[test]
        fn merging_in_any_order_gives_the_same_heads(
            plan in proptest::collection::vec((0usize..3, 0usize..3), 1..6)
        ) {
            // Three laptops edit V01 from the work package's version C; each step is (laptop,
            // answer) and exports a package holding that laptop's latest version.
            let c = v("组长", 0, Pass, &[]);
            let answers = [Pass, Fail, NotApplicable];
            let mut latest: Vec<FindingVersion> = vec![c.clone(); 3];
            let mut packages = Vec::new();
            for (n, &(laptop, answer)) in plan.iter().enumerate() {
                let who = ["张三", "李四", "王五"][laptop];
                let parent = latest[laptop].clone();
                let next = v(who, u32::try_from(n + 1).expect("small"), answers[answer], &[&parent]);
                latest[laptop] = next.clone();
                packages.push(next);
            }
            let start = state(Some(&c), &[]);
            let mut seen: Option<FindingState> = None;
            for order in permutations(&packages) {
                let mut s = start.clone();
                for p in &order {
                    s = merge(&s, p).1;
                }
                if let Some(first) = &seen {
                    proptest::prop_assert_eq!(heads(first), heads(&s));
                    if first.waiting.is_empty() {
                        proptest::prop_assert_eq!(&first.current, &s.current);
                    }
                } else {
                    seen = Some(s);
                }
            }
        }
    }
}
