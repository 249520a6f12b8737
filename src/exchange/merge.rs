//! The merge decision for one finding: what the supervisor's laptop has (`here`), what the
//! work package carried (`base`) and what the result package brings (`incoming`) decide
//! whether the incoming finding is taken, ignored, or left for the supervisor as a conflict.
//! Pure: the store writes what this decides.

use crate::model::FindingVersion;

/// What merging one incoming finding does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Both sides say the same: nothing to do.
    Same,
    /// New here: taken.
    Add,
    /// Changed by the inspector, untouched here since the work package: taken.
    Update,
    /// Changed here, untouched by the inspector: the change made here stands.
    KeepLocal,
    /// Changed on both sides: kept as it is here, waiting for the supervisor's choice.
    Conflict,
}

fn same(a: Option<&FindingVersion>, b: Option<&FindingVersion>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.same_content(b),
        (None, None) => true,
        _ => false,
    }
}

/// Decides one finding (who saved a version and when do not count, only its content).
#[must_use]
pub fn decide(
    here: Option<&FindingVersion>,
    base: Option<&FindingVersion>,
    incoming: &FindingVersion,
) -> Outcome {
    if same(here, Some(incoming)) {
        Outcome::Same
    } else if same(here, base) {
        if here.is_none() {
            Outcome::Add
        } else {
            Outcome::Update
        }
    } else if base.is_some_and(|b| b.same_content(incoming)) {
        Outcome::KeepLocal
    } else {
        Outcome::Conflict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(answer: &str, note: &str) -> FindingVersion {
        FindingVersion {
            item: "V01".to_owned(),
            answer: Some(answer.to_owned()),
            note: note.to_owned(),
            last_update: None,
            checked_on: None,
            updated_by: "张三".to_owned(),
            updated_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn every_case() {
        let pass = v("pass", "");
        let fail = v("fail", "错字");
        let fail_other = v("fail", "另一处错字");
        let mut pass_later = pass.clone();
        pass_later.updated_by = "李四".to_owned();
        pass_later.updated_at = chrono::NaiveDateTime::MAX;
        use Outcome::*;
        #[rustfmt::skip]
        let table: &[(Option<&FindingVersion>, Option<&FindingVersion>, &FindingVersion, Outcome, &str)] = &[
            (None,        None,        &pass, Add,       "new on the laptop, nothing here"),
            (Some(&pass), None,        &pass, Same,      "both answered alike"),
            (Some(&pass), None,        &pass_later, Same, "who and when do not count"),
            (Some(&pass), Some(&pass), &pass, Same,      "nobody changed it"),
            (Some(&pass), Some(&pass), &fail, Update,    "the inspector changed it"),
            (Some(&fail), Some(&pass), &pass, KeepLocal, "the supervisor changed it"),
            (Some(&fail), Some(&pass), &fail_other, Conflict, "both changed it, differently"),
            (Some(&fail), Some(&pass), &fail, Same,      "both changed it to the same"),
            (Some(&pass), None,        &fail, Conflict,  "answered here and on the laptop, differently"),
            (None,        Some(&pass), &fail, Conflict,  "gone here, changed on the laptop"),
            (None,        Some(&pass), &pass, KeepLocal, "gone here, untouched on the laptop"),
        ];
        for (here, base, incoming, expected, why) in table {
            assert_eq!(decide(*here, *base, incoming), *expected, "{why}");
        }
    }
}
