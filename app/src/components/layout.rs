//! The frame around every page: header with the language switch, footer with the demo notice.

use crate::{
    context::{encode_component, signed_in, t, use_lang},
    data::load_installation,
    i18n::Msg,
};
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Header() -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let here = {
        let path = location.pathname.get_untracked();
        let query: Vec<String> = location
            .query
            .get_untracked()
            .into_iter()
            .filter(|(k, _)| k != "lang")
            .map(|(k, v)| format!("{}={}", encode_component(&k), encode_component(&v)))
            .collect();
        if query.is_empty() { path } else { format!("{path}?{}", query.join("&")) }
    };
    let switch = format!("/lang/{}?next={}", lang.other().tag(), encode_component(&here));
    let staff = match signed_in() {
        Some(user) => view! {
            {(user.role != domain::accounts::Role::Viewer).then(|| view! { <a href="/pakn">{t(Msg::NavInbox)}</a> })}
            <a href="/quan-tri">{t(Msg::NavAdmin)}</a>
            <a href="/tai-khoan">{user.display_name.clone()}</a>
            <form class="inline" method="post" action="/dang-xuat">
                <input type="hidden" name="csrf" value=user.csrf_token/>
                <button type="submit" class="link">{t(Msg::SignOut)}</button>
            </form>
        }
        .into_any(),
        None => {
            view! { <a href=format!("/dang-nhap?next={}", encode_component(&here))>{t(Msg::NavSignIn)}</a> }.into_any()
        }
    };
    view! {
        <header class="site no-print">
            <a class="brand" href="/">{t(Msg::AppName)}</a>
            <nav aria-label=t(Msg::NavHome)>
                <a href="/gop-y">{t(Msg::NavFeedback)}</a>
                <a href="/cong-khai">{t(Msg::NavPublic)}</a>
                <a href="/dashboard">{t(Msg::NavDashboard)}</a>
                <a href="/bang-xep-hang">{t(Msg::NavScoreboard)}</a>
                {staff}
                <a href=switch lang=lang.other().tag() hreflang=lang.other().tag() aria-label=t(Msg::SwitchLanguageLabel)>
                    {t(Msg::SwitchLanguage)}
                </a>
            </nav>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    let info = Resource::new(|| (), |_| load_installation());
    view! {
        <footer class="site no-print">
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let demo = info.await.map(|i| i.demo).unwrap_or(false);
                    demo.then(|| view! { <p class="demo" role="note">{t(Msg::DemoDataNotice)}</p> })
                })}
            </Suspense>
            <p>{t(Msg::FooterText)}</p>
        </footer>
    }
}
