//! Data sent from the server to pages and API clients. These are wire types: they carry what a
//! reader may see and nothing else (no database ids beyond what links need, no secrets).

use crate::{codes::AgencyKind, integrity::Basis, lang::Lang, period::Period, sipas::Rollup};
use serde::{Deserialize, Serialize};

pub mod admin;
pub mod analytics;
pub mod feedback;

/// The signed-in staff member, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedIn {
    pub login: String,
    pub display_name: String,
    pub role: crate::accounts::Role,
    /// The unit whose subtree they work in (none for system administrators).
    pub agency: Option<(String, Localized)>,
    /// To put in every form that changes something.
    pub csrf_token: String,
}

/// A text held in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Localized {
    pub vi: String,
    pub en: String,
}

impl Localized {
    pub fn new(vi: impl Into<String>, en: impl Into<String>) -> Self {
        Localized { vi: vi.into(), en: en.into() }
    }

    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.vi, &self.en)
    }
}

/// One point of an answer scale, e.g. 5 = "Rất hài lòng".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScalePointView {
    pub value: u8,
    pub label: Localized,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CriterionView {
    pub code: String,
    pub text: Localized,
    /// Where its answers' labels are (see `SurveyForm::scales`): a scale code, or
    /// `choice:{code}` for a single choice's own options.
    pub scale: String,
    /// Its question type: `likert5`, `smiley3`, `yes_no`, `choice` or `text`.
    pub kind: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementView {
    pub code: String,
    pub name: Localized,
    pub criteria: Vec<CriterionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProcedureView {
    pub code: String,
    pub name: Localized,
}

/// Everything the survey page of one counter shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyForm {
    pub counter_code: String,
    pub counter_name: String,
    pub agency_code: String,
    pub agency_name: Localized,
    pub instrument_name: Localized,
    pub min_answers: u32,
    /// Answer labels per scale code, lowest first.
    pub scales: std::collections::BTreeMap<String, Vec<ScalePointView>>,
    pub elements: Vec<ElementView>,
    pub procedures: Vec<ProcedureView>,
    /// The absolute survey URL, as printed in the QR code.
    pub public_url: String,
    /// A fresh random token for this form: sending the same form twice stores it once.
    pub form_token: String,
    /// Where the form posts: `/s/{counter}`, or `/t/{ticket}` for a receipt's link.
    pub action: String,
    /// The dossier a receipt's link rates.
    pub dossier_code: Option<String>,
}

impl SurveyForm {
    pub fn criteria_count(&self) -> usize {
        self.elements.iter().map(|e| e.criteria.len()).sum()
    }
}

/// What a counter's kiosk tablet shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskView {
    pub counter_code: String,
    /// The counter's public name; never a staff member's.
    pub counter_name: String,
    pub agency_name: Localized,
    pub question: Localized,
    /// Best first.
    pub options: Vec<ScalePointView>,
    pub interval_seconds: i64,
    /// Whether the tablet showing the page is enrolled for this counter (its presses count).
    pub enrolled: bool,
    #[serde(skip)]
    pub counter_id: i64,
}

/// A counter, as listed publicly (its code is printed on its poster anyway).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterView {
    pub code: String,
    pub name: String,
}

/// One unit of the agency tree, with its children, for `GET /api/v1/agencies`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgencyNode {
    pub code: String,
    pub kind: AgencyKind,
    pub name_vi: String,
    pub name_en: String,
    pub valid_from: chrono::NaiveDate,
    pub valid_to: Option<chrono::NaiveDate>,
    pub counters: Vec<CounterView>,
    pub children: Vec<AgencyNode>,
}

/// An index as shown to people: percentages, rounded for display only by the pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IndexFigure {
    pub index: Option<f64>,
    pub n: u64,
    pub ci95: Option<[f64; 2]>,
    pub low_sample: bool,
}

/// An index for one element or criterion.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CodedFigure {
    pub code: String,
    pub name: Localized,
    #[serde(flatten)]
    pub figure: IndexFigure,
}

/// One row of the dashboard tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TreeRow {
    pub code: String,
    pub name: Localized,
    pub kind: AgencyKind,
    pub depth: usize,
    pub figure: IndexFigure,
}

/// A report's query as a request gives it (URL query or form), before checking: every field
/// optional, empty meaning the default.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportParams {
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub rollup: Option<String>,
    #[serde(default)]
    pub basis: Option<String>,
    #[serde(default)]
    pub questionnaire: Option<String>,
    #[serde(default)]
    pub step: Option<String>,
}

impl ReportParams {
    /// The same query as a URL query string (`?from=…&to=…`), empty when nothing is set.
    pub fn query_string(&self) -> String {
        let parts: Vec<String> = [
            ("from", &self.from),
            ("to", &self.to),
            ("rollup", &self.rollup),
            ("basis", &self.basis),
            ("questionnaire", &self.questionnaire),
            ("step", &self.step),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.as_ref().filter(|v| !v.is_empty()).map(|v| format!("{k}={}", url_part(v))))
        .collect();
        if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
    }

    /// The filters from named values (a URL query or a posted form); blank ones are unset.
    pub fn from_fields(get: impl Fn(&str) -> Option<String>) -> ReportParams {
        let set = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        ReportParams {
            from: set("from"),
            to: set("to"),
            rollup: set("rollup"),
            basis: set("basis"),
            questionnaire: set("questionnaire"),
            step: set("step"),
        }
    }

    /// The checked query written back, so that links keep every filter as it was applied.
    pub fn of(q: &ReportQuery, questionnaire: &str) -> ReportParams {
        ReportParams {
            from: Some(q.period.from.to_string()),
            to: Some(q.period.to.to_string()),
            rollup: Some(q.rollup.as_str().to_owned()),
            basis: Some(q.basis.as_str().to_owned()),
            questionnaire: Some(questionnaire.to_owned()),
            step: Some(q.step.as_str().to_owned()),
        }
    }
}

/// Percent-encodes what is not safe in a query value.
pub fn url_part(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for b in v.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// What a report counts: the period, how units roll up, and which ratings count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportQuery {
    pub period: Period,
    pub rollup: Rollup,
    pub basis: Basis,
    /// The questionnaire whose index is shown, by code; `None` for the default (SIPAS) one.
    pub questionnaire: Option<String>,
    /// How a trend is cut.
    #[serde(default)]
    pub step: crate::buckets::Step,
}

/// A questionnaire an index can be shown for: its code and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuestionnaireChoice {
    pub code: String,
    pub name: Localized,
}

/// The dashboard overview: every current unit with its index.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    pub period: Period,
    pub rollup: Rollup,
    pub basis: Basis,
    /// The questionnaire shown (its code) and the others that can be chosen, default first.
    pub questionnaire: String,
    pub questionnaires: Vec<QuestionnaireChoice>,
    pub low_sample_below: u64,
    pub rows: Vec<TreeRow>,
}

/// How many ratings of a unit's subtree carry each integrity flag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagCount {
    pub flag: crate::integrity::Flag,
    pub count: u64,
}

/// One counter's activity in a period: ratings, of which verified, and receipts' tickets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CounterActivity {
    pub code: String,
    pub name: String,
    pub responses: u64,
    pub verified: u64,
    /// Survey ratings and kiosk presses that carry a flag.
    pub flagged: u64,
    pub tickets: u64,
    /// Survey ratings ÷ tickets issued, when tickets were issued.
    pub response_rate: Option<f64>,
    /// Presses on the counter's kiosk tablet (not counted in `responses`).
    pub kiosk_presses: u64,
    /// Share of unflagged kiosk presses that were satisfied (either happy face).
    pub kiosk_satisfied: Option<f64>,
}

/// A counter and the unit it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterInfo {
    pub counter_code: String,
    pub counter_name: String,
    pub agency_code: String,
    pub agency_name: Localized,
    /// The absolute survey URL, as printed in the QR code.
    pub survey_url: String,
}

/// What a counter's printable poster shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosterData {
    pub info: CounterInfo,
    pub qr_svg: String,
}
