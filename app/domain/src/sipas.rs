//! The SIPAS-style satisfaction index (domain notes §1.5, "working definitions").
//!
//! - Criterion index (tiêu chí) = answers 4–5 ÷ valid answers 1–5 × 100.
//! - Element index (yếu tố) = weighted mean of its criterion indices.
//! - Group index = weighted mean of its element indices; overall = weighted mean of groups
//!   (with the one service group of the counter survey, the overall index is the weighted mean
//!   of the element indices).
//! - Roll-up over the agency tree in two named modes: pooled responses of the subtree, or the
//!   unweighted mean of the child units' indices.
//!
//! Every index carries `n`, a 95% interval and a low-sample flag. MoHA's exact formulas are not
//! public, so results are labelled "SIPAS-style", weights are data, and both roll-ups are offered.
//!
//! Intervals. A criterion index is a share, so it gets the Wilson interval on its valid answers.
//! A composite index (element, group, overall) is a weighted mean of shares; it gets a Wilson
//! interval at its value with an *effective* sample size:
//! - pooled: the number of respondents who answered at least one of its criteria. One person's
//!   answers within an element are strongly correlated, so counting each person once is the
//!   cautious choice (it never claims more precision than the people asked can give);
//! - mean of child units: the children are independent samples, so the variance of the mean is
//!   the sum of their variances ÷ k² (each from an Agresti–Coull-adjusted share, which stays
//!   positive at 0% and 100%), turned back into a sample size.

use super::{
    scale::Scale,
    stats::{Z95, wilson},
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

/// Default number of respondents below which an index is flagged as a low sample.
pub const DEFAULT_LOW_SAMPLE: u64 = 30;

/// The shape of an instrument as the index needs it: groups → elements → criteria, with weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Structure {
    pub groups: Vec<GroupDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupDef {
    pub code: String,
    pub weight: f64,
    pub elements: Vec<ElementDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ElementDef {
    pub code: String,
    pub weight: f64,
    pub criteria: Vec<CriterionDef>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriterionDef {
    pub code: String,
    pub weight: f64,
    /// Which answers are valid and which count as satisfied.
    #[serde(default)]
    pub scale: Scale,
}

impl Structure {
    pub fn elements(&self) -> impl Iterator<Item = &ElementDef> {
        self.groups.iter().flat_map(|g| g.elements.iter())
    }

    pub fn criteria(&self) -> impl Iterator<Item = &CriterionDef> {
        self.elements().flat_map(|e| e.criteria.iter())
    }
}

/// Satisfied and valid answers to one criterion.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub satisfied: u64,
    pub valid: u64,
}

/// Everything the index needs to know about a set of responses. Tallies add up: the tally of
/// a union of responses is the sum of the tallies of its parts, which is what lets the product
/// keep running totals instead of rescanning responses.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Per criterion code.
    pub criteria: BTreeMap<String, Share>,
    /// Respondents with at least one valid answer in the element, per element code.
    pub element_respondents: BTreeMap<String, u64>,
    /// Respondents with at least one valid answer in the group, per group code.
    pub group_respondents: BTreeMap<String, u64>,
    /// Respondents with at least one valid answer.
    pub respondents: u64,
}

impl Tally {
    /// Counts one response. `answer(code)` gives the rating the respondent chose for a
    /// criterion, or `None` for no answer; values outside the criterion's scale are not valid.
    pub fn add_response(&mut self, structure: &Structure, answer: impl Fn(&str) -> Option<u8>) {
        let mut any = false;
        for group in &structure.groups {
            let mut in_group = false;
            for element in &group.elements {
                let mut in_element = false;
                for criterion in &element.criteria {
                    let scale = criterion.scale;
                    let Some(v) = answer(&criterion.code).filter(|v| scale.is_valid(i64::from(*v), scale.max())) else {
                        continue;
                    };
                    let share = self.criteria.entry(criterion.code.clone()).or_default();
                    share.valid += 1;
                    share.satisfied += u64::from(v >= scale.satisfied_from());
                    in_element = true;
                }
                if in_element {
                    *self.element_respondents.entry(element.code.clone()).or_default() += 1;
                    in_group = true;
                }
            }
            if in_group {
                *self.group_respondents.entry(group.code.clone()).or_default() += 1;
                any = true;
            }
        }
        self.respondents += u64::from(any);
    }

    /// Adds another tally into this one.
    pub fn merge(&mut self, other: &Tally) {
        for (code, s) in &other.criteria {
            let mine = self.criteria.entry(code.clone()).or_default();
            mine.satisfied += s.satisfied;
            mine.valid += s.valid;
        }
        for (code, n) in &other.element_respondents {
            *self.element_respondents.entry(code.clone()).or_default() += n;
        }
        for (code, n) in &other.group_respondents {
            *self.group_respondents.entry(code.clone()).or_default() += n;
        }
        self.respondents += other.respondents;
    }
}

/// One index with its sample size and uncertainty. Indices are percentages (0–100).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// `None` when nobody answered: "no data" is not 0%.
    pub index: Option<f64>,
    /// Respondents (composites) or valid answers (criteria) behind the index.
    pub n: u64,
    /// 95% interval, in percent.
    pub ci95: Option<(f64, f64)>,
    pub low_sample: bool,
    /// Effective sample size used for the interval.
    pub n_eff: f64,
}

impl Estimate {
    fn empty(n: u64, low_sample_below: u64) -> Estimate {
        Estimate { index: None, n, ci95: None, low_sample: n < low_sample_below, n_eff: 0.0 }
    }

    /// From a share (0–1) and an effective sample size.
    fn from_share(p: f64, n: u64, n_eff: f64, low_sample_below: u64) -> Estimate {
        let ci = wilson(p, n_eff).map(|(lo, hi)| (lo * 100.0, hi * 100.0));
        Estimate { index: Some(p * 100.0), n, ci95: ci, low_sample: n < low_sample_below, n_eff }
    }

    /// Agresti–Coull-adjusted share and its variance; never zero, even at 0% or 100%.
    fn adjusted(&self) -> Option<(f64, f64)> {
        let p = self.index? / 100.0;
        let z2 = Z95 * Z95;
        let n = self.n_eff.max(0.0);
        let p_adj = (p * n + z2 / 2.0) / (n + z2);
        Some((p_adj, p_adj * (1.0 - p_adj) / (n + z2)))
    }
}

/// An index for one code (element, group or criterion).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    pub code: String,
    pub estimate: Estimate,
}

/// The full result for one unit and period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub overall: Estimate,
    pub groups: Vec<Scored>,
    pub elements: Vec<Scored>,
    pub criteria: Vec<Scored>,
}

impl Report {
    pub fn element(&self, code: &str) -> Option<&Estimate> {
        self.elements.iter().find(|s| s.code == code).map(|s| &s.estimate)
    }

    pub fn criterion(&self, code: &str) -> Option<&Estimate> {
        self.criteria.iter().find(|s| s.code == code).map(|s| &s.estimate)
    }

    fn group(&self, code: &str) -> Option<&Estimate> {
        self.groups.iter().find(|s| s.code == code).map(|s| &s.estimate)
    }
}

/// Weighted mean of the components that have data, with weights renormalised over them.
fn weighted_mean(parts: impl Iterator<Item = (f64, Option<f64>)>) -> Option<f64> {
    let (sum, weights) = parts
        .filter_map(|(w, v)| v.map(|v| (w, v)))
        .filter(|(w, _)| *w > 0.0)
        .fold((0.0, 0.0), |(s, ws), (w, v)| (s + w * v, ws + w));
    (weights > 0.0).then(|| sum / weights)
}

/// The index of a set of responses pooled together.
pub fn pooled(structure: &Structure, tally: &Tally, low_sample_below: u64) -> Report {
    let mut criteria = Vec::new();
    let mut elements = Vec::new();
    let mut groups = Vec::new();
    let mut group_values = Vec::new();
    for group in &structure.groups {
        let mut element_values = Vec::new();
        for element in &group.elements {
            let mut criterion_values = Vec::new();
            for c in &element.criteria {
                let share = tally.criteria.get(&c.code).copied().unwrap_or_default();
                let est = if share.valid == 0 {
                    Estimate::empty(0, low_sample_below)
                } else {
                    let p = share.satisfied as f64 / share.valid as f64;
                    Estimate::from_share(p, share.valid, share.valid as f64, low_sample_below)
                };
                criterion_values.push((c.weight, est.index.map(|v| v / 100.0)));
                criteria.push(Scored { code: c.code.clone(), estimate: est });
            }
            let n = tally.element_respondents.get(&element.code).copied().unwrap_or(0);
            let est = composite(weighted_mean(criterion_values.into_iter()), n, low_sample_below);
            element_values.push((element.weight, est.index.map(|v| v / 100.0)));
            elements.push(Scored { code: element.code.clone(), estimate: est });
        }
        let n = tally.group_respondents.get(&group.code).copied().unwrap_or(0);
        let est = composite(weighted_mean(element_values.into_iter()), n, low_sample_below);
        group_values.push((group.weight, est.index.map(|v| v / 100.0)));
        groups.push(Scored { code: group.code.clone(), estimate: est });
    }
    let overall = composite(weighted_mean(group_values.into_iter()), tally.respondents, low_sample_below);
    Report { overall, groups, elements, criteria }
}

/// A pooled composite: effective sample size = respondents (see the module notes).
fn composite(p: Option<f64>, respondents: u64, low_sample_below: u64) -> Estimate {
    match p {
        Some(p) if respondents > 0 => Estimate::from_share(p, respondents, respondents as f64, low_sample_below),
        _ => Estimate::empty(respondents, low_sample_below),
    }
}

/// Unweighted mean of several independent estimates of the same index.
fn mean_of(parts: &[&Estimate], low_sample_below: u64) -> Estimate {
    let n: u64 = parts.iter().map(|e| e.n).sum();
    let with_data: Vec<&&Estimate> = parts.iter().filter(|e| e.index.is_some()).collect();
    match with_data.as_slice() {
        [] => Estimate::empty(n, low_sample_below),
        // One unit with data: its own estimate, unchanged (only n may include empty siblings).
        [only] => Estimate { n, low_sample: n < low_sample_below, ..(**only).clone() },
        many => {
            let k = many.len() as f64;
            let p = many.iter().filter_map(|e| e.index).sum::<f64>() / k / 100.0;
            let adjusted: Vec<(f64, f64)> = many.iter().filter_map(|e| e.adjusted()).collect();
            let p_adj = adjusted.iter().map(|(pa, _)| pa).sum::<f64>() / k;
            let var = adjusted.iter().map(|(_, v)| v).sum::<f64>() / (k * k);
            // Back from a variance to a sample size, undoing the +z² of the adjustment.
            let n_eff = (p_adj * (1.0 - p_adj) / var - Z95 * Z95).max(1.0);
            Estimate::from_share(p, n, n_eff, low_sample_below)
        }
    }
}

/// The unweighted mean of several units' reports, code by code (MoHA's "trung bình" style).
/// Units without data for a code are left out of that code's mean.
pub fn mean_of_reports(structure: &Structure, reports: &[Report], low_sample_below: u64) -> Report {
    let pick = |get: &dyn Fn(&Report) -> Option<&Estimate>| -> Estimate {
        let parts: Vec<&Estimate> = reports.iter().filter_map(get).collect();
        mean_of(&parts, low_sample_below)
    };
    let criteria = structure
        .criteria()
        .map(|c| Scored { code: c.code.clone(), estimate: pick(&|r| r.criterion(&c.code)) })
        .collect();
    let elements = structure
        .elements()
        .map(|e| Scored { code: e.code.clone(), estimate: pick(&|r| r.element(&e.code)) })
        .collect();
    let groups = structure
        .groups
        .iter()
        .map(|g| Scored { code: g.code.clone(), estimate: pick(&|r| r.group(&g.code)) })
        .collect();
    let overall = pick(&|r| Some(&r.overall));
    Report { overall, groups, elements, criteria }
}

/// How a unit's index is built from its subtree.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rollup {
    /// All responses of the unit and its descendants, pooled.
    #[default]
    Pooled,
    /// The unweighted mean of the child units' indices (each built the same way). Responses
    /// taken directly at a unit that also has children count as one more child.
    MeanOfChildren,
}

impl Rollup {
    pub const fn as_str(self) -> &'static str {
        match self {
            Rollup::Pooled => "pooled",
            Rollup::MeanOfChildren => "mean_of_children",
        }
    }

    pub fn parse(raw: &str) -> Option<Rollup> {
        [Rollup::Pooled, Rollup::MeanOfChildren].into_iter().find(|r| r.as_str() == raw)
    }
}

/// Reports for every unit of a forest of units, each built from its subtree.
///
/// `units` lists each unit with its parent (a parent missing from the list makes the unit a
/// root); `own` holds the tallies of responses taken directly at each unit.
pub fn rollup_all<K: Copy + Eq + Hash>(
    structure: &Structure,
    units: &[(K, Option<K>)],
    own: &HashMap<K, Tally>,
    mode: Rollup,
    low_sample_below: u64,
) -> HashMap<K, Report> {
    let known: std::collections::HashSet<K> = units.iter().map(|(k, _)| *k).collect();
    let mut children: HashMap<K, Vec<K>> = HashMap::new();
    let mut roots = Vec::new();
    for (k, parent) in units {
        match parent.filter(|p| known.contains(p) && p != k) {
            Some(p) => children.entry(p).or_default().push(*k),
            None => roots.push(*k),
        }
    }
    let empty = Tally::default();
    let mut reports = HashMap::new();
    let mut subtree_tallies: HashMap<K, Tally> = HashMap::new();
    // Iterative post-order walk: a tree of thousands of units must not overflow the stack.
    let mut stack: Vec<(K, bool)> = roots.into_iter().rev().map(|k| (k, false)).collect();
    let mut visited = std::collections::HashSet::new();
    while let Some((unit, expanded)) = stack.pop() {
        let kids = children.get(&unit).map(Vec::as_slice).unwrap_or(&[]);
        if !expanded {
            if !visited.insert(unit) {
                continue; // a cycle in bad data: count each unit once
            }
            stack.push((unit, true));
            stack.extend(kids.iter().rev().map(|k| (*k, false)));
            continue;
        }
        let kids: Vec<K> = kids.iter().copied().filter(|k| subtree_tallies.contains_key(k)).collect();
        let own_tally = own.get(&unit).unwrap_or(&empty);
        let mut subtree = own_tally.clone();
        for kid in &kids {
            if let Some(t) = subtree_tallies.get(kid) {
                subtree.merge(t);
            }
        }
        let report = match mode {
            Rollup::Pooled => pooled(structure, &subtree, low_sample_below),
            Rollup::MeanOfChildren if kids.is_empty() => pooled(structure, own_tally, low_sample_below),
            Rollup::MeanOfChildren => {
                let mut parts: Vec<Report> = kids.iter().filter_map(|k| reports.get(k).cloned()).collect();
                if own_tally.respondents > 0 {
                    parts.push(pooled(structure, own_tally, low_sample_below));
                }
                let mut report = mean_of_reports(structure, &parts, low_sample_below);
                // n always counts the people behind the figure, whichever way it was averaged.
                fix_counts(&mut report, &subtree, low_sample_below);
                report
            }
        };
        subtree_tallies.insert(unit, subtree);
        reports.insert(unit, report);
    }
    reports
}

/// Sets each `n` of a report to the subtree's counts of respondents and valid answers.
fn fix_counts(report: &mut Report, subtree: &Tally, low_sample_below: u64) {
    let set = |e: &mut Estimate, n: u64| {
        e.n = n;
        e.low_sample = n < low_sample_below;
    };
    set(&mut report.overall, subtree.respondents);
    for s in &mut report.groups {
        set(&mut s.estimate, subtree.group_respondents.get(&s.code).copied().unwrap_or(0));
    }
    for s in &mut report.elements {
        set(&mut s.estimate, subtree.element_respondents.get(&s.code).copied().unwrap_or(0));
    }
    for s in &mut report.criteria {
        set(&mut s.estimate, subtree.criteria.get(&s.code).map(|c| c.valid).unwrap_or(0));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Two elements: A with criteria A1, A2 (weights 1, 1) and B with B1 (weight 1).
    fn structure() -> Structure {
        let c = |code: &str| CriterionDef { code: code.into(), weight: 1.0, scale: Scale::Likert5 };
        Structure {
            groups: vec![GroupDef {
                code: "II".into(),
                weight: 1.0,
                elements: vec![
                    ElementDef { code: "A".into(), weight: 1.0, criteria: vec![c("A1"), c("A2")] },
                    ElementDef { code: "B".into(), weight: 1.0, criteria: vec![c("B1")] },
                ],
            }],
        }
    }

    type Resp = [Option<u8>; 3];

    fn tally(responses: &[Resp]) -> Tally {
        let s = structure();
        let mut t = Tally::default();
        for r in responses {
            t.add_response(&s, |code| match code {
                "A1" => r[0],
                "A2" => r[1],
                "B1" => r[2],
                _ => None,
            });
        }
        t
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn hand_worked_example() {
        // A1: 5, 4, 2, 3 → 2 of 4 satisfied = 50%.   A2: 5, –, 5, 1 → 2 of 3 = 66.67%.
        // B1: 4, 4, 4, – → 3 of 3 = 100%.
        // Element A = (50 + 66.67) / 2 = 58.33%; element B = 100%; overall = 79.17%.
        let t = tally(&[
            [Some(5), Some(5), Some(4)],
            [Some(4), None, Some(4)],
            [Some(2), Some(5), Some(4)],
            [Some(3), Some(1), None],
        ]);
        let r = pooled(&structure(), &t, 30);
        assert!(close(r.criterion("A1").unwrap().index.unwrap(), 50.0));
        assert!(close(r.criterion("A2").unwrap().index.unwrap(), 200.0 / 3.0));
        assert_eq!(r.criterion("A2").unwrap().n, 3);
        assert!(close(r.element("A").unwrap().index.unwrap(), 175.0 / 3.0));
        assert!(close(r.element("B").unwrap().index.unwrap(), 100.0));
        assert!(close(r.overall.index.unwrap(), (175.0 / 3.0 + 100.0) / 2.0));
        assert_eq!(r.overall.n, 4);
        assert_eq!(r.element("B").unwrap().n, 3);
        assert!(r.overall.low_sample);
        let (lo, hi) = r.overall.ci95.unwrap();
        assert!(lo < r.overall.index.unwrap() && r.overall.index.unwrap() < hi);
    }

    #[test]
    fn weights_shift_the_element_index() {
        let mut s = structure();
        s.groups[0].elements[0].criteria[0].weight = 3.0; // A1 counts three times A2
        let t = tally(&[[Some(5), Some(1), None]]);
        let r = pooled(&s, &t, 30);
        assert!(close(r.element("A").unwrap().index.unwrap(), 75.0));
    }

    #[test]
    fn no_answers_means_no_data_not_zero() {
        let r = pooled(&structure(), &tally(&[[None, None, None]]), 30);
        assert_eq!(r.overall.index, None);
        assert_eq!(r.overall.ci95, None);
        assert_eq!(r.overall.n, 0);
        // Criteria without answers drop out of their element's mean instead of counting as 0.
        let r = pooled(&structure(), &tally(&[[Some(5), None, None]]), 30);
        assert!(close(r.element("A").unwrap().index.unwrap(), 100.0));
        assert_eq!(r.element("B").unwrap().index, None);
        assert!(close(r.overall.index.unwrap(), 100.0));
    }

    #[test]
    fn low_sample_flag_follows_the_threshold() {
        let many: Vec<Resp> = vec![[Some(5), Some(5), Some(5)]; 30];
        assert!(!pooled(&structure(), &tally(&many), 30).overall.low_sample);
        assert!(pooled(&structure(), &tally(&many[..29]), 30).overall.low_sample);
    }

    #[test]
    fn mean_of_children_averages_units_while_pooling_weighs_people() {
        // Unit 1: 1 respondent, satisfied. Unit 2: 3 respondents, none satisfied.
        let units = [(0, None), (1, Some(0)), (2, Some(0))];
        let own: HashMap<i32, Tally> =
            [(1, tally(&[[Some(5), Some(5), Some(5)]])), (2, tally(&[[Some(1), Some(1), Some(1)]; 3]))]
                .into_iter()
                .collect();
        let pooled_r = rollup_all(&structure(), &units, &own, Rollup::Pooled, 30);
        let mean_r = rollup_all(&structure(), &units, &own, Rollup::MeanOfChildren, 30);
        assert!(close(pooled_r[&0].overall.index.unwrap(), 25.0));
        assert!(close(mean_r[&0].overall.index.unwrap(), 50.0));
        assert_eq!(mean_r[&0].overall.n, 4);
        assert_eq!(pooled_r[&0].overall.n, 4);
        // Leaves are the same in both modes.
        assert_eq!(pooled_r[&2], mean_r[&2]);
    }

    #[test]
    fn mean_of_children_counts_direct_responses_as_one_more_child() {
        let units = [(0, None), (1, Some(0))];
        let own: HashMap<i32, Tally> =
            [(0, tally(&[[Some(1), Some(1), Some(1)]])), (1, tally(&[[Some(5), Some(5), Some(5)]; 5]))]
                .into_iter()
                .collect();
        let r = rollup_all(&structure(), &units, &own, Rollup::MeanOfChildren, 30);
        assert!(close(r[&0].overall.index.unwrap(), 50.0));
        assert_eq!(r[&0].overall.n, 6);
    }

    #[test]
    fn a_single_child_passes_its_index_through_unchanged() {
        let units = [(0, None), (1, Some(0))];
        let own: HashMap<i32, Tally> =
            [(1, tally(&[[Some(5), Some(2), Some(4)], [Some(4), None, Some(1)]]))].into_iter().collect();
        let r = rollup_all(&structure(), &units, &own, Rollup::MeanOfChildren, 30);
        assert_eq!(r[&0].overall, r[&1].overall);
    }

    #[test]
    fn the_mean_interval_narrows_with_more_independent_children() {
        let two = [(0, None), (1, Some(0)), (2, Some(0))];
        let four = [(0, None), (1, Some(0)), (2, Some(0)), (3, Some(0)), (4, Some(0))];
        let t = tally(&[[Some(5), Some(4), Some(2)], [Some(1), Some(5), Some(4)]]);
        let own: HashMap<i32, Tally> = (1..=4).map(|k| (k, t.clone())).collect();
        let width = |units: &[(i32, Option<i32>)]| {
            let r = rollup_all(&structure(), units, &own, Rollup::MeanOfChildren, 30);
            let (lo, hi) = r[&0].overall.ci95.unwrap();
            hi - lo
        };
        assert!(width(&four) < width(&two));
    }

    #[test]
    fn rollup_survives_unknown_parents_and_cycles() {
        let units = [(1, Some(2)), (2, Some(1)), (3, Some(99))];
        let own: HashMap<i32, Tally> = [(3, tally(&[[Some(5), None, None]]))].into_iter().collect();
        let r = rollup_all(&structure(), &units, &own, Rollup::Pooled, 30);
        assert_eq!(r[&3].overall.n, 1); // unknown parent: a root of its own
        assert!(!r.contains_key(&1) || r[&1].overall.n == 0);
    }

    #[test]
    fn each_criterion_counts_satisfied_answers_on_its_own_scale() {
        let mut s = structure();
        s.groups[0].elements[1].criteria[0].scale = Scale::Smiley3; // B1 on three smileys
        let mut t = Tally::default();
        // A1 = 3 (neutral on five points), B1 = 2 ("Hài lòng" on three), then B1 = 4 (invalid).
        t.add_response(&s, |c| match c {
            "A1" => Some(3),
            "B1" => Some(2),
            _ => None,
        });
        t.add_response(&s, |c| (c == "B1").then_some(4));
        let r = pooled(&s, &t, 30);
        assert!(close(r.criterion("A1").unwrap().index.unwrap(), 0.0));
        assert!(close(r.criterion("B1").unwrap().index.unwrap(), 100.0));
        assert_eq!(r.criterion("B1").unwrap().n, 1, "4 is not on a three-point scale");
    }

    #[test]
    fn rollup_names_round_trip() {
        for m in [Rollup::Pooled, Rollup::MeanOfChildren] {
            assert_eq!(Rollup::parse(m.as_str()), Some(m));
        }
        assert_eq!(Rollup::parse("median"), None);
    }

    fn arb_response() -> impl Strategy<Value = Resp> {
        let answer = prop_oneof![Just(None), (1u8..=5).prop_map(Some), (0u8..=9).prop_map(Some)];
        [answer.clone(), answer.clone(), answer]
    }

    fn all_estimates(r: &Report) -> Vec<&Estimate> {
        std::iter::once(&r.overall)
            .chain(r.groups.iter().map(|s| &s.estimate))
            .chain(r.elements.iter().map(|s| &s.estimate))
            .chain(r.criteria.iter().map(|s| &s.estimate))
            .collect()
    }

    proptest! {
        #[test]
        fn indices_and_intervals_stay_within_0_and_100(responses in prop::collection::vec(arb_response(), 0..60)) {
            let r = pooled(&structure(), &tally(&responses), 30);
            for e in all_estimates(&r) {
                if let Some(v) = e.index {
                    prop_assert!((0.0..=100.0).contains(&v));
                    let (lo, hi) = e.ci95.unwrap();
                    prop_assert!(0.0 <= lo && lo <= v + 1e-9 && v <= hi + 1e-9 && hi <= 100.0);
                } else {
                    prop_assert!(e.ci95.is_none());
                }
            }
        }

        #[test]
        fn order_of_responses_does_not_matter(mut responses in prop::collection::vec(arb_response(), 0..40), seed in any::<u64>()) {
            let before = pooled(&structure(), &tally(&responses), 30);
            // A deterministic shuffle driven by the seed.
            let len = responses.len();
            let mut s = seed;
            for i in (1..len).rev() {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                responses.swap(i, (s >> 33) as usize % (i + 1));
            }
            prop_assert_eq!(before, pooled(&structure(), &tally(&responses), 30));
        }

        #[test]
        fn pooling_two_sets_equals_computing_over_their_union(
            a in prop::collection::vec(arb_response(), 0..30),
            b in prop::collection::vec(arb_response(), 0..30),
        ) {
            let mut merged = tally(&a);
            merged.merge(&tally(&b));
            let union: Vec<Resp> = a.iter().chain(b.iter()).copied().collect();
            prop_assert_eq!(&merged, &tally(&union));
            prop_assert_eq!(pooled(&structure(), &merged, 30), pooled(&structure(), &tally(&union), 30));
        }

        #[test]
        fn mean_of_children_stays_between_the_children(
            a in prop::collection::vec(arb_response(), 1..20),
            b in prop::collection::vec(arb_response(), 1..20),
        ) {
            let units = [(0, None), (1, Some(0)), (2, Some(0))];
            let own: HashMap<i32, Tally> = [(1, tally(&a)), (2, tally(&b))].into_iter().collect();
            let r = rollup_all(&structure(), &units, &own, Rollup::MeanOfChildren, 30);
            if let (Some(x), Some(y), Some(m)) = (r[&1].overall.index, r[&2].overall.index, r[&0].overall.index) {
                prop_assert!(x.min(y) - 1e-9 <= m && m <= x.max(y) + 1e-9);
                let (lo, hi) = r[&0].overall.ci95.unwrap();
                prop_assert!(0.0 <= lo && lo <= m + 1e-9 && m <= hi + 1e-9 && hi <= 100.0);
            }
        }
    }
}
