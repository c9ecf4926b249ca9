//! Wire types of the feedback pages (phản ánh, kiến nghị): what the citizen's form, the
//! tracking page, the officers' inbox and case page, and the public disclosure page show.
//! Contact details appear only in [`OfficerCase`], which only officers of the case's unit get.

use crate::dto::Localized;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryOption {
    pub code: String,
    pub group: String,
    pub name: Localized,
}

/// A unit residents or officers can pick, indented by its depth in the tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnitOption {
    pub code: String,
    pub name: Localized,
    pub depth: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackForm {
    pub categories: Vec<CategoryOption>,
    pub units: Vec<UnitOption>,
}

/// One step of a case's history as the citizen and the public see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicEvent {
    pub at: DateTime<Utc>,
    pub action: String,
    pub status: String,
    pub note: Option<String>,
    /// For a forward: the unit it went to.
    pub agency: Option<Localized>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhotoRef {
    pub id: i64,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
}

/// A case as its citizen sees it through the private link.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CitizenCase {
    pub tracking_code: String,
    pub kind: String,
    pub category: Localized,
    pub agency: Localized,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    /// The deadline of the step the case waits for.
    pub due_at: Option<DateTime<Utc>>,
    /// Working days left (negative: overdue by that many).
    pub days_left: Option<i64>,
    pub description: String,
    pub address: Option<String>,
    pub answer: Option<String>,
    pub rating: Option<String>,
    pub question: Option<String>,
    pub can_reply: bool,
    pub can_rate: bool,
    pub can_reopen: bool,
    pub history: Vec<PublicEvent>,
    pub photos: Vec<PhotoRef>,
    pub hidden: bool,
    /// The contact details the resident left: filled only for the holder of the private link.
    pub contact: Option<Contact>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InboxRow {
    pub tracking_code: String,
    pub kind: String,
    pub category: Localized,
    pub agency: Localized,
    pub status: String,
    pub submitted_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub days_left: Option<i64>,
    pub handler: Option<String>,
    /// Escalated to this officer's unit because the responsible unit missed a deadline.
    pub escalated: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct InboxFilter {
    pub status: String,
    pub kind: String,
    pub category: String,
    pub overdue: bool,
    /// A handler's login, or `me`.
    pub assignee: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inbox {
    pub rows: Vec<InboxRow>,
    /// Cases matching the filter (the list shows the first 200).
    pub total: u64,
    pub filter: InboxFilter,
    pub categories: Vec<CategoryOption>,
    pub handlers: Vec<Person>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InternalEvent {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub from_status: Option<String>,
    pub status: String,
    pub public_note: Option<String>,
    pub internal_note: Option<String>,
    pub agency: Option<Localized>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CannedReplyView {
    pub id: i64,
    pub title: String,
    pub body: String,
}

/// A case as an officer of its unit handles it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfficerCase {
    pub case: CitizenCase,
    pub category_code: String,
    pub agency_code: String,
    pub triage: bool,
    pub escalated_to: Option<Localized>,
    pub answer_due_at: DateTime<Utc>,
    /// `None` when the resident chose to stay anonymous.
    pub contact: Option<Contact>,
    pub channel: String,
    pub location: Option<(f64, f64)>,
    pub handler: Option<String>,
    pub hidden_reason: Option<String>,
    pub events: Vec<InternalEvent>,
    /// The actions allowed now, the suggested one first and the final ones last.
    pub actions: Vec<String>,
    /// The next step, selected by default; `None` when the officer must choose (only final
    /// actions are left).
    pub suggested: Option<String>,
    pub handlers: Vec<Person>,
    pub units: Vec<UnitOption>,
    pub categories: Vec<CategoryOption>,
    pub canned: Vec<CannedReplyView>,
    /// Whether this officer may act (officers of an escalation target may only watch and note).
    pub may_act: bool,
}

/// A published answer on the public page: no name, phone or e-mail, ever.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PublicCase {
    pub tracking_code: String,
    pub kind: String,
    pub category: Localized,
    pub agency: Localized,
    pub submitted_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub description: String,
    pub answer: Option<String>,
    pub photos: Vec<i64>,
}

/// A unit's handling of feedback in a period.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgencyFigures {
    pub code: String,
    pub agency: Localized,
    pub received: u64,
    pub answered: u64,
    /// 766 measure 5.2: handled on time (answered within the deadline, or still within it).
    pub on_time_pct: Option<f64>,
    /// 766 measure 5.3: (received − rated not satisfied − reopened − overdue) ÷ received.
    pub satisfaction_pct: Option<f64>,
    pub avg_working_days: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DisclosureFilter {
    pub agency: String,
    pub kind: String,
    pub category: String,
    pub from: String,
    pub to: String,
    /// The page of published answers, from 1 (empty: the first).
    #[serde(default)]
    pub page: String,
}

/// Published answers shown per page of `/cong-khai`.
pub const DISCLOSURE_PAGE_SIZE: u64 = 20;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Disclosure {
    /// One page of the published answers, newest first.
    pub cases: Vec<PublicCase>,
    /// All published answers that match, counted by the database.
    pub total: u64,
    /// This page (from 1) and the number of pages.
    pub page: u64,
    pub pages: u64,
    /// The period asked for was longer than `domain::period::PUBLIC_MAX_DAYS` (or ran past
    /// today) and was shortened to `from`–`to`.
    pub period_capped: bool,
    pub figures: Vec<AgencyFigures>,
    pub filter: DisclosureFilter,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub categories: Vec<CategoryOption>,
    pub units: Vec<UnitOption>,
}

/// A message of the outbox, for administrators.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxRow {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// The staff address; `None` for a message to the resident of [`Self::case_code`], whose
    /// address is read on the case page.
    pub to: Option<String>,
    pub subject: String,
    pub body: String,
    pub purpose: String,
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub case_code: Option<String>,
}

/// A unit's own deadline rule, as the settings page lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleView {
    pub unit: String,
    pub unit_name: Localized,
    pub kind: Option<String>,
    pub step: String,
    pub days: i32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HolidayView {
    pub day: chrono::NaiveDate,
    pub off: bool,
    pub name: Localized,
    /// The official notice the day comes from; `None`: the Labour Code's rule, pending the
    /// year's notice.
    pub notice: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CannedAdminView {
    pub id: i64,
    pub unit: String,
    pub title: String,
    pub body: String,
}

/// What agency administrators set for feedback handling: deadlines, canned replies, and (for
/// system administrators) the holiday calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackSettings {
    pub units: Vec<UnitOption>,
    pub rules: Vec<RuleView>,
    pub canned: Vec<CannedAdminView>,
    pub holidays: Vec<HolidayView>,
    /// How each year of the calendar stands: how many of its days still follow the Labour
    /// Code's rule pending the year's notice.
    pub year_bases: Vec<crate::workdays::YearBasis>,
    pub may_edit_holidays: bool,
}
