//! What every administration page shares: the navigation, the CSRF field, the outcome of the
//! last form, the data they load, and the administration home page.

use crate::{
    context::{require_sign_in, t, use_lang},
    data::load_admin_data,
    i18n::{Lang, Msg, errors::Explain},
    pages::{account::role_text, not_found::ErrorView},
};
use domain::forms::AdminAttempt;
use domain::{
    codes::AgencyKind,
    dto::{
        SignedIn,
        admin::{AdminData, AdminUnits, QuestionnaireRow},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub(super) fn kind_text(kind: AgencyKind) -> &'static str {
    t(match kind {
        AgencyKind::Province => Msg::KindProvince,
        AgencyKind::Department => Msg::KindDepartment,
        AgencyKind::Commune => Msg::KindCommune,
        AgencyKind::ServiceCentre => Msg::KindServiceCentre,
        AgencyKind::Other => Msg::KindOther,
    })
}

/// The value a failed form sent for `field`, to show it again.
pub(super) fn kept(field: &str) -> String {
    use_context::<AdminAttempt>().and_then(|a| a.form.get(field).cloned()).unwrap_or_default()
}

/// The CSRF field every form carries.
#[component]
pub(crate) fn Csrf(user: SignedIn) -> impl IntoView {
    view! { <input type="hidden" name="csrf" value=user.csrf_token/> }
}

/// The success note (after a redirect with `?ok=1`) or the error of a failed form.
#[component]
pub fn Outcome() -> impl IntoView {
    let lang = use_lang();
    let saved = use_query_map().get_untracked().get("ok").is_some();
    let failure = use_context::<AdminAttempt>().map(|a| {
        let mut lines = vec![a.error.message(lang)];
        lines.extend(a.error.fields.iter().map(|f| f.message(lang)));
        view! {
            <div class="error-summary" role="alert">
                {lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}
            </div>
        }
    });
    view! {
        {saved.then(|| view! { <p class="ok" role="status">{t(Msg::AdminSaved)}</p> })}
        {failure}
    }
}

/// Navigation between the administration pages.
#[component]
pub(super) fn AdminNav() -> impl IntoView {
    let links = [
        ("/quan-tri/don-vi", Msg::AdminUnits),
        ("/quan-tri/quay", Msg::AdminCounters),
        ("/quan-tri/bang-hoi", Msg::AdminQuestionnaires),
        ("/quan-tri/thu-tuc", Msg::AdminProcedures),
        ("/quan-tri/nguoi-dung", Msg::AdminUsers),
        ("/quan-tri/khoa-api", Msg::AdminApiKeys),
        ("/quan-tri/may-tinh-bang", Msg::AdminTablets),
        ("/quan-tri/pakn", Msg::SettingsTitle),
        ("/quan-tri/thu-di", Msg::OutboxTitle),
        ("/quan-tri/nhat-ky", Msg::AdminAudit),
    ];
    view! {
        <nav class="subnav" aria-label=t(Msg::AdminTitle)>
            {links.into_iter().map(|(href, m)| view! { <a href=href>{t(m)}</a> }).collect_view()}
        </nav>
    }
}

/// Loads the administration data and renders `body` with it, or the right error page.
pub(crate) fn with_admin_data<V: IntoView + 'static>(
    title: Msg,
    body: impl Fn(SignedIn, AdminData) -> V + Send + Sync + Clone + 'static,
) -> AnyView {
    let Some(user) = require_sign_in() else {
        return ().into_any();
    };
    let data = Resource::new(|| (), |_| load_admin_data());
    view! {
        <Title text=format!("{} – {}", t(title), t(Msg::AdminTitle))/>
        <AdminNav/>
        <h1>{t(title)}</h1>
        <Outcome/>
        <Suspense fallback=|| ()>
            {move || {
                let (user, body) = (user.clone(), body.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => body(user, d).into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

pub(super) fn unit_options(
    units: &AdminUnits,
    lang: Lang,
    selected: &str,
    with_none: Option<Msg>,
) -> impl IntoView + use<> {
    let none = with_none.map(|m| view! { <option value="">{t(m)}</option> });
    let options = units
        .open_units()
        .map(|u| {
            let label = format!("{}{} ({})", "· ".repeat(u.depth), u.name.get(lang), u.code);
            view! { <option value=u.code.clone() selected=u.code == selected>{label}</option> }
        })
        .collect_view();
    view! { {none} {options} }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    let Some(user) = require_sign_in() else {
        return ().into_any();
    };
    let lang = use_lang();
    let scope = match &user.agency {
        Some((code, name)) => format!("{} ({code})", name.get(lang)),
        None => t(Msg::AccountAllUnits).to_owned(),
    };
    let dashboard = match &user.agency {
        Some((code, _)) => format!("/dashboard/{code}"),
        None => "/dashboard".to_owned(),
    };
    view! {
        <Title text=t(Msg::AdminTitle)/>
        <h1>{t(Msg::AdminTitle)}</h1>
        <dl class="facts">
            <dt>{t(Msg::AccountRole)}</dt><dd>{role_text(user.role)}</dd>
            <dt>{t(Msg::AdminScope)}</dt><dd>{scope}</dd>
        </dl>
        <p><a href=dashboard>{t(Msg::AdminDashboards)}</a></p>
        {if user.role.administers() {
            view! { <p>{t(Msg::AdminIntro)}</p> <AdminNav/> }.into_any()
        } else {
            view! { <p class="note">{t(Msg::AdminNotAdmin)}</p> }.into_any()
        }}
    }
    .into_any()
}

/// A questionnaire's name with its version, e.g. "… (v2)".
pub(super) fn questionnaire_name(q: &QuestionnaireRow, lang: Lang) -> String {
    format!("{} (v{})", q.name.get(lang), q.version)
}

/// What a counter's QR code opens, in words.
pub(super) fn questionnaire_label(all: &[QuestionnaireRow], chosen: Option<i64>, lang: Lang) -> String {
    chosen
        .and_then(|id| all.iter().find(|q| q.id == id))
        .map(|q| questionnaire_name(q, lang))
        .unwrap_or_else(|| t(Msg::CounterQuestionnaireDefault).to_owned())
}
