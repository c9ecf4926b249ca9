//! The HTML shell and the routes of every page.

use crate::{
    components::layout::{Footer, Header},
    context::{PageError, request_lang, t},
    i18n::Msg,
    pages::{
        account::{AccountPage, LoginPage},
        admin::{
            AdminHome, ApiKeysAdmin, AuditAdmin, CountersAdmin, PostersAdmin, ProceduresAdmin, QuestionnaireAdmin,
            QuestionnairesAdmin, UnitsAdmin, UsersAdmin,
        },
        cases::{CasePage, FeedbackSettingsPage, InboxPage, OutboxPage},
        dashboard::{AgencyPage, DashboardPage},
        exports::{ExportPage, ExportsPage},
        feedback::{DisclosurePage, FeedbackFormPage, FeedbackSentPage, TrackLookupPage, TrackPage},
        home::HomePage,
        kiosk::KioskPage,
        not_found::{ErrorView, NotFoundPage},
        poster::PosterPage,
        report::QuarterReportPage,
        scoreboard::ScoreboardPage,
        survey::{SurveyPage, ThanksPage, TicketSurveyPage},
    },
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

/// The whole stylesheet, inlined into every page: one round trip shows a styled page, which
/// matters on a slow mobile network. `build.rs` strips its comments.
pub const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/main.min.css"));

/// A Content-Security-Policy for this response: scripts only from this site and only the inline
/// ones carrying this response's nonce (the island loader), so injected markup cannot run code.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    use axum::http::{HeaderValue, header};
    let (Some(opts), Some(nonce)) = (use_context::<leptos_axum::ResponseOptions>(), leptos::nonce::use_nonce()) else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        opts.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    provide_context(lang);
    provide_context(options);
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    // Islands mode: page data is rendered into HTML and never serialized for the browser.
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#0b4f8a"/>
                // No icon file: saves phones a request that would only fail.
                <link rel="icon" href="data:,"/>
                <MetaTags/>
                <style inner_html=CSS></style>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Site/>
        </Router>
    }
}

/// Every page inside the site's header and footer, except kiosk tablets, which show nothing
/// but their question.
#[component]
fn Site() -> impl IntoView {
    let kiosk = leptos_router::hooks::use_location().pathname.get_untracked().starts_with("/k/");
    view! {
            {(!kiosk).then(|| view! {
                <a class="skip-link" href="#main">{t(Msg::SkipToContent)}</a>
                <Header/>
            }.into_any())}
            <main id="main" tabindex="-1">
                {match use_context::<PageError>() {
                    Some(PageError(error)) => view! { <ErrorView error/> }.into_any(),
                    None => view! {
                        <Routes fallback=NotFoundPage>
                            <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                            <Route path=path!("/s/:code") view=SurveyPage ssr=SsrMode::Async/>
                            <Route path=path!("/s/:code/cam-on") view=ThanksPage ssr=SsrMode::Async/>
                            <Route path=path!("/s/:code/poster") view=PosterPage ssr=SsrMode::Async/>
                            <Route path=path!("/t/:token") view=TicketSurveyPage ssr=SsrMode::Async/>
                            <Route path=path!("/k/:code") view=KioskPage ssr=SsrMode::Async/>
                            <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async/>
                            <Route path=path!("/dashboard/:code") view=AgencyPage ssr=SsrMode::Async/>
                            <Route path=path!("/bang-xep-hang") view=ScoreboardPage ssr=SsrMode::Async/>
                            <Route path=path!("/bang-xep-hang/:code") view=ScoreboardPage ssr=SsrMode::Async/>
                            <Route path=path!("/bao-cao/:code") view=QuarterReportPage ssr=SsrMode::Async/>
                            <Route path=path!("/xuat") view=ExportsPage ssr=SsrMode::Async/>
                            <Route path=path!("/xuat/:id") view=ExportPage ssr=SsrMode::Async/>
                            <Route path=path!("/dang-nhap") view=LoginPage ssr=SsrMode::Async/>
                            <Route path=path!("/tai-khoan") view=AccountPage ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri") view=AdminHome ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/don-vi") view=UnitsAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/quay") view=CountersAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/quay/ap-phich") view=PostersAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/bang-hoi") view=QuestionnairesAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/bang-hoi/:id") view=QuestionnaireAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/thu-tuc") view=ProceduresAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/nguoi-dung") view=UsersAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/nhat-ky") view=AuditAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/khoa-api") view=ApiKeysAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/may-tinh-bang") view=crate::pages::tablets::TabletsAdmin ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/pakn") view=FeedbackSettingsPage ssr=SsrMode::Async/>
                            <Route path=path!("/quan-tri/thu-di") view=OutboxPage ssr=SsrMode::Async/>
                            <Route path=path!("/gop-y") view=FeedbackFormPage ssr=SsrMode::Async/>
                            <Route path=path!("/gop-y/da-gui/:code") view=FeedbackSentPage ssr=SsrMode::Async/>
                            <Route path=path!("/gop-y/theo-doi") view=TrackLookupPage ssr=SsrMode::Async/>
                            <Route path=path!("/gop-y/theo-doi/:code") view=TrackPage ssr=SsrMode::Async/>
                            <Route path=path!("/cong-khai") view=DisclosurePage ssr=SsrMode::Async/>
                            <Route path=path!("/pakn") view=InboxPage ssr=SsrMode::Async/>
                            <Route path=path!("/pakn/:code") view=CasePage ssr=SsrMode::Async/>
                        </Routes>
                    }
                    .into_any(),
                }}
            </main>
            {(!kiosk).then(|| view! { <Footer/> }.into_any())}
    }
    .into_any()
}
