//! Server functions: the thin adapters through which pages load their data. Each one reads
//! the application state, calls a service and returns a wire type; rules live in the services.

use crate::{
    dto::{AgencyReport, CounterInfo, KioskView, Overview, PosterData, ReportParams, SurveyForm},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Facts every page may show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Installation {
    pub demo: bool,
}

#[cfg(feature = "ssr")]
mod ssr {
    use crate::{
        domain::{
            buckets::Step,
            integrity::Basis,
            period::{Period, vn_date},
            sipas::Rollup,
        },
        dto::{ReportParams, ReportQuery},
        error::{AppError, ErrorCode, FieldError},
        server::services,
    };

    pub fn today() -> chrono::NaiveDate {
        vn_date(services::now())
    }

    /// Reads the query of a report: period, roll-up mode, which ratings count, the
    /// questionnaire and how trends are cut.
    pub fn report_query(p: &ReportParams) -> Result<ReportQuery, AppError> {
        let set = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        let period = Period::parse(set(&p.from).as_deref(), set(&p.to).as_deref(), today())?;
        let invalid =
            |field: &str, code: ErrorCode| AppError { code, fields: vec![FieldError::new(field, code)], detail: None };
        let rollup = match set(&p.rollup) {
            None => Rollup::default(),
            Some(r) => Rollup::parse(&r).ok_or_else(|| invalid("rollup", ErrorCode::InvalidRollup))?,
        };
        let basis = match set(&p.basis) {
            None => Basis::default(),
            Some(b) => Basis::parse(&b).ok_or_else(|| invalid("basis", ErrorCode::InvalidRollup))?,
        };
        let step = match set(&p.step) {
            None => Step::default(),
            Some(s) => Step::parse(&s).ok_or_else(|| invalid("step", ErrorCode::InvalidStep))?,
        };
        Ok(ReportQuery { period, rollup, basis, questionnaire: set(&p.questionnaire), step })
    }
}
#[cfg(feature = "ssr")]
pub use ssr::{report_query, today};

#[server(prefix = "/fn", endpoint = "installation")]
pub async fn load_installation() -> Result<Installation, AppError> {
    let state = crate::server::state::app_state()?;
    Ok(Installation { demo: crate::server::services::meta::is_demo(&state.db).await? })
}

#[server(prefix = "/fn", endpoint = "survey_form")]
pub async fn load_survey_form(code: String) -> Result<SurveyForm, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::survey::survey_form(&state, &code).await
}

#[server(prefix = "/fn", endpoint = "ticket_form")]
pub async fn load_ticket_form(token: String) -> Result<SurveyForm, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::survey::ticket_form(&state, &token).await
}

#[server(prefix = "/fn", endpoint = "kiosk_view")]
pub async fn load_kiosk_view(code: String) -> Result<KioskView, AppError> {
    let state = crate::server::state::app_state()?;
    let mut view = crate::server::services::kiosk::view(&state, &code).await?;
    // Whether this tablet holds the counter's enrolment (its cookie): only then are presses counted.
    let secret = use_context::<axum::http::request::Parts>()
        .and_then(|parts| crate::server::services::tablets::secret_from_cookies(&parts.headers));
    view.enrolled = crate::server::services::tablets::authenticate(&state.db, secret.as_deref())
        .await
        .is_ok_and(|tablet| tablet.counter_id == view.counter_id);
    Ok(view)
}

#[server(prefix = "/fn", endpoint = "counter_info")]
pub async fn load_counter_info(code: String) -> Result<CounterInfo, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::survey::counter_info(&state, &code).await
}

#[server(prefix = "/fn", endpoint = "poster")]
pub async fn load_poster(code: String) -> Result<PosterData, AppError> {
    let state = crate::server::state::app_state()?;
    let info = crate::server::services::survey::counter_info(&state, &code).await?;
    Ok(PosterData { qr_svg: crate::server::qr::svg(&info.survey_url, 320)?, info })
}

#[server(prefix = "/fn", endpoint = "overview")]
pub async fn load_overview(params: ReportParams) -> Result<Overview, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::analytics::overview(&state, report_query(&params)?).await
}

#[server(prefix = "/fn", endpoint = "agency_report")]
pub async fn load_agency_report(code: String, params: ReportParams) -> Result<AgencyReport, AppError> {
    let state = crate::server::state::app_state()?;
    let viewer = use_context::<crate::server::services::auth::CurrentUser>();
    crate::server::services::analytics::agency_report(&state, viewer.as_ref(), &code, report_query(&params)?).await
}

#[server(prefix = "/fn", endpoint = "scoreboard")]
pub async fn load_scoreboard(code: Option<String>) -> Result<crate::analytics::Scoreboard, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::reports::scoreboard(&state, code.as_deref()).await
}

#[server(prefix = "/fn", endpoint = "quarter_report")]
pub async fn load_quarter_report(
    code: String,
    quarter: Option<String>,
) -> Result<crate::analytics::QuarterReport, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::reports::quarter_report(&state, &staff_user()?, &code, quarter.as_deref()).await
}

#[server(prefix = "/fn", endpoint = "export")]
pub async fn load_export(id: i64) -> Result<crate::analytics::ExportView, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::exports::view(&state.db, &staff_user()?, id).await
}

#[server(prefix = "/fn", endpoint = "exports")]
pub async fn load_exports() -> Result<Vec<crate::analytics::ExportView>, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::exports::latest(&state.db, &staff_user()?).await
}

// ---- Feedback and complaints -------------------------------------------------------------

#[server(prefix = "/fn", endpoint = "feedback_form")]
pub async fn load_feedback_form() -> Result<crate::feedback::FeedbackForm, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::cases::form(&state.db).await
}

#[server(prefix = "/fn", endpoint = "citizen_case")]
pub async fn load_citizen_case(code: String, key: String) -> Result<crate::feedback::CitizenCase, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::cases::for_citizen(&state.db, &state.contact_key, &code, &key).await
}

/// The signed-in user, for server functions only staff may call.
#[cfg(feature = "ssr")]
fn staff_user() -> Result<crate::server::services::auth::CurrentUser, AppError> {
    use_context::<crate::server::services::auth::CurrentUser>()
        .ok_or_else(|| crate::error::ErrorCode::NotSignedIn.into())
}

#[server(prefix = "/fn", endpoint = "inbox")]
pub async fn load_inbox(filter: crate::feedback::InboxFilter) -> Result<crate::feedback::Inbox, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::cases::inbox(&state.db, &staff_user()?, filter).await
}

#[server(prefix = "/fn", endpoint = "officer_case")]
pub async fn load_officer_case(code: String) -> Result<crate::feedback::OfficerCase, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::cases::for_officer(&state.db, &state.contact_key, &staff_user()?, &code).await
}

#[server(prefix = "/fn", endpoint = "disclosure")]
pub async fn load_disclosure(
    filter: crate::feedback::DisclosureFilter,
) -> Result<crate::feedback::Disclosure, AppError> {
    let state = crate::server::state::app_state()?;
    let period = crate::domain::period::Period::parse(Some(&filter.from), Some(&filter.to), today())?;
    crate::server::services::cases::disclosure(&state.db, filter, period).await
}

#[server(prefix = "/fn", endpoint = "feedback_settings")]
pub async fn load_feedback_settings() -> Result<crate::feedback::FeedbackSettings, AppError> {
    let state = crate::server::state::app_state()?;
    crate::server::services::cases::settings(&state.db, &staff_user()?).await
}

#[server(prefix = "/fn", endpoint = "outbox")]
pub async fn load_outbox() -> Result<Vec<crate::feedback::OutboxRow>, AppError> {
    let state = crate::server::state::app_state()?;
    let user = staff_user()?;
    let scope = crate::server::services::access::admin_scope(&state.db, &user).await?;
    crate::server::services::outbox::latest(&state.db, &scope, 200).await
}
