//! Server functions: the thin adapters through which pages load their data. Each one reads
//! the application state, calls a service and returns a wire type; rules live in the services.

use domain::{
    dto::{CounterInfo, KioskView, Overview, PosterData, ReportParams, SurveyForm, analytics::AgencyReport},
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
    use domain::{
        buckets::Step,
        dto::{ReportParams, ReportQuery},
        error::{AppError, ErrorCode, FieldError},
        integrity::Basis,
        period::{Period, vn_date},
        sipas::Rollup,
    };

    /// The application state, from inside a server function or a page rendered on the server.
    pub fn app_state() -> Result<services::AppState, AppError> {
        leptos::prelude::use_context::<services::AppState>()
            .ok_or_else(|| AppError::internal("AppState missing from the request context"))
    }

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
pub use ssr::{app_state, report_query, today};

#[server(prefix = "/fn", endpoint = "installation")]
pub async fn load_installation() -> Result<Installation, AppError> {
    let state = app_state()?;
    Ok(Installation { demo: services::meta::is_demo(&state.db).await? })
}

#[server(prefix = "/fn", endpoint = "survey_form")]
pub async fn load_survey_form(code: String) -> Result<SurveyForm, AppError> {
    let state = app_state()?;
    services::survey::survey_form(&state, &code).await
}

#[server(prefix = "/fn", endpoint = "ticket_form")]
pub async fn load_ticket_form(token: String) -> Result<SurveyForm, AppError> {
    let state = app_state()?;
    services::survey::ticket_form(&state, &token).await
}

#[server(prefix = "/fn", endpoint = "kiosk_view")]
pub async fn load_kiosk_view(code: String) -> Result<KioskView, AppError> {
    let state = app_state()?;
    let mut view = services::kiosk::view(&state, &code).await?;
    // Whether this tablet holds the counter's enrolment (its cookie): only then are presses counted.
    let secret = use_context::<axum::http::request::Parts>()
        .and_then(|parts| services::tablets::secret_from_cookies(&parts.headers));
    view.enrolled = services::tablets::authenticate(&state.db, secret.as_deref())
        .await
        .is_ok_and(|tablet| tablet.counter_id == view.counter_id);
    Ok(view)
}

#[server(prefix = "/fn", endpoint = "counter_info")]
pub async fn load_counter_info(code: String) -> Result<CounterInfo, AppError> {
    let state = app_state()?;
    services::survey::counter_info(&state, &code).await
}

#[server(prefix = "/fn", endpoint = "poster")]
pub async fn load_poster(code: String) -> Result<PosterData, AppError> {
    let state = app_state()?;
    let info = services::survey::counter_info(&state, &code).await?;
    Ok(PosterData { qr_svg: services::qr::svg(&info.survey_url, 320)?, info })
}

#[server(prefix = "/fn", endpoint = "overview")]
pub async fn load_overview(params: ReportParams) -> Result<Overview, AppError> {
    let state = app_state()?;
    services::analytics::overview(&state, report_query(&params)?).await
}

#[server(prefix = "/fn", endpoint = "agency_report")]
pub async fn load_agency_report(code: String, params: ReportParams) -> Result<AgencyReport, AppError> {
    let state = app_state()?;
    let viewer = use_context::<services::current_user::CurrentUser>();
    services::analytics::agency_report(&state, viewer.as_ref(), &code, report_query(&params)?).await
}

#[server(prefix = "/fn", endpoint = "scoreboard")]
pub async fn load_scoreboard(code: Option<String>) -> Result<domain::dto::analytics::Scoreboard, AppError> {
    let state = app_state()?;
    services::reports::scoreboard(&state, code.as_deref()).await
}

#[server(prefix = "/fn", endpoint = "quarter_report")]
pub async fn load_quarter_report(
    code: String,
    quarter: Option<String>,
) -> Result<domain::dto::analytics::QuarterReport, AppError> {
    let state = app_state()?;
    services::reports::quarter_report(&state, &staff_user()?, &code, quarter.as_deref()).await
}

#[server(prefix = "/fn", endpoint = "export")]
pub async fn load_export(id: i64) -> Result<domain::dto::analytics::ExportView, AppError> {
    let state = app_state()?;
    services::exports::view(&state.db, &staff_user()?, id).await
}

#[server(prefix = "/fn", endpoint = "exports")]
pub async fn load_exports() -> Result<Vec<domain::dto::analytics::ExportView>, AppError> {
    let state = app_state()?;
    services::exports::latest(&state.db, &staff_user()?).await
}

// ---- Feedback and complaints -------------------------------------------------------------

#[server(prefix = "/fn", endpoint = "feedback_form")]
pub async fn load_feedback_form() -> Result<domain::dto::feedback::FeedbackForm, AppError> {
    let state = app_state()?;
    services::cases::form(&state.db).await
}

#[server(prefix = "/fn", endpoint = "citizen_case")]
pub async fn load_citizen_case(code: String, key: String) -> Result<domain::dto::feedback::CitizenCase, AppError> {
    let state = app_state()?;
    services::cases::for_citizen(&state.db, &state.contact_key, &code, &key).await
}

/// The signed-in user, for server functions only staff may call.
#[cfg(feature = "ssr")]
fn staff_user() -> Result<services::current_user::CurrentUser, AppError> {
    use_context::<services::current_user::CurrentUser>().ok_or_else(|| domain::error::ErrorCode::NotSignedIn.into())
}

#[server(prefix = "/fn", endpoint = "inbox")]
pub async fn load_inbox(filter: domain::dto::feedback::InboxFilter) -> Result<domain::dto::feedback::Inbox, AppError> {
    let state = app_state()?;
    services::cases::inbox(&state.db, &staff_user()?, filter).await
}

#[server(prefix = "/fn", endpoint = "officer_case")]
pub async fn load_officer_case(code: String) -> Result<domain::dto::feedback::OfficerCase, AppError> {
    let state = app_state()?;
    services::cases::for_officer(&state.db, &state.contact_key, &staff_user()?, &code).await
}

#[server(prefix = "/fn", endpoint = "disclosure")]
pub async fn load_disclosure(
    filter: domain::dto::feedback::DisclosureFilter,
) -> Result<domain::dto::feedback::Disclosure, AppError> {
    let state = app_state()?;
    let period = domain::period::Period::parse(Some(&filter.from), Some(&filter.to), today())?;
    services::cases::disclosure(&state.db, filter, period).await
}

#[server(prefix = "/fn", endpoint = "feedback_settings")]
pub async fn load_feedback_settings() -> Result<domain::dto::feedback::FeedbackSettings, AppError> {
    let state = app_state()?;
    services::cases::settings(&state.db, &staff_user()?).await
}

#[server(prefix = "/fn", endpoint = "outbox")]
pub async fn load_outbox() -> Result<Vec<domain::dto::feedback::OutboxRow>, AppError> {
    let state = app_state()?;
    let user = staff_user()?;
    let scope = services::access::admin_scope(&state.db, &user).await?;
    services::outbox::latest(&state.db, &scope, 200).await
}

#[server(prefix = "/fn", endpoint = "admin_data")]
pub async fn load_admin_data() -> Result<domain::dto::admin::AdminData, AppError> {
    let state = app_state()?;
    services::admin_view::overview(&state, &staff_user()?).await
}

#[server(prefix = "/fn", endpoint = "admin_questionnaire")]
pub async fn load_questionnaire(id: i64) -> Result<domain::dto::admin::QuestionnaireDetail, AppError> {
    let state = app_state()?;
    services::admin_view::questionnaire(&state, &staff_user()?, id).await
}
