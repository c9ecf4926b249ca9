use crate::{context::t, i18n::Msg};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text=format!("{} – {}", t(Msg::AppName), t(Msg::AppTagline))/>
        <h1>{t(Msg::HomeTitle)}</h1>
        <p class="lead">{t(Msg::AppTagline)}</p>
        <p>{t(Msg::HomeIntro)}</p>
        <ul class="links">
            <li><a href="/dashboard">{t(Msg::HomeDashboardLink)}</a></li>
            <li><a href="/api/v1/openapi.json">{t(Msg::HomeApiLink)}</a></li>
        </ul>
    }
}
