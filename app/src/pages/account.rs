//! Staff sign-in (`/dang-nhap`) and the account page (`/tai-khoan`) with the password change.
//! Both forms post to handlers in `server/src/staff.rs`, which re-render these pages with the
//! problem marked when something is wrong.

use crate::{
    context::{require_sign_in, t},
    i18n::{Msg, errors::Explain},
};
use domain::accounts::Role;
use domain::forms::{LoginAttempt, PasswordAttempt};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

pub fn role_text(role: Role) -> &'static str {
    t(match role {
        Role::Viewer => Msg::RoleViewer,
        Role::Officer => Msg::RoleOfficer,
        Role::AgencyAdmin => Msg::RoleAgencyAdmin,
        Role::SystemAdmin => Msg::RoleSystemAdmin,
    })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let attempt = use_context::<LoginAttempt>();
    let next = use_query_map().get_untracked().get("next").unwrap_or_default();
    let login = attempt.as_ref().map(|a| a.login.clone()).unwrap_or_default();
    let error = attempt.map(|a| a.error.message(crate::context::use_lang()));
    view! {
        <Title text=t(Msg::LoginTitle)/>
        <h1>{t(Msg::LoginTitle)}</h1>
        <p>{t(Msg::LoginIntro)}</p>
        {error.map(|m| view! { <div class="error-summary" role="alert"><p>{m}</p></div> })}
        <form method="post" action="/dang-nhap" class="narrow">
            <input type="hidden" name="next" value=next/>
            <div class="field">
                <label for="login">{t(Msg::LoginName)}</label>
                <input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value=login/>
            </div>
            <div class="field">
                <label for="password">{t(Msg::LoginPassword)}</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required/>
            </div>
            <button type="submit" class="primary">{t(Msg::LoginSubmit)}</button>
        </form>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let Some(user) = require_sign_in() else {
        return ().into_any();
    };
    let lang = crate::context::use_lang();
    let changed = use_query_map().get_untracked().get("doi").is_some();
    let error = use_context::<PasswordAttempt>().map(|a| a.error.message(lang));
    let unit = match &user.agency {
        Some((code, name)) => format!("{} ({code})", name.get(lang)),
        None => t(Msg::AccountAllUnits).to_owned(),
    };
    view! {
        <Title text=t(Msg::AccountTitle)/>
        <h1>{t(Msg::AccountTitle)}</h1>
        <dl class="facts">
            <dt>{t(Msg::LoginName)}</dt><dd>{user.login.clone()}</dd>
            <dt>{t(Msg::AccountRole)}</dt><dd>{role_text(user.role)}</dd>
            <dt>{t(Msg::AccountUnit)}</dt><dd>{unit}</dd>
        </dl>
        <h2 id="password-change">{t(Msg::PasswordChangeTitle)}</h2>
        {changed.then(|| view! { <p class="ok" role="status">{t(Msg::PasswordChanged)}</p> })}
        {error.map(|m| view! { <div class="error-summary" role="alert"><p>{m}</p></div> })}
        <form method="post" action="/tai-khoan" class="narrow">
            <input type="hidden" name="csrf" value=user.csrf_token.clone()/>
            <div class="field">
                <label for="current">{t(Msg::PasswordCurrent)}</label>
                <input id="current" name="current" type="password" autocomplete="current-password" required/>
            </div>
            <div class="field">
                <label for="new">{t(Msg::PasswordNew)}</label>
                <p class="hint" id="new-hint">{t(Msg::PasswordHint)}</p>
                <input id="new" name="new" type="password" autocomplete="new-password" minlength="10" required aria-describedby="new-hint"/>
            </div>
            <div class="field">
                <label for="confirm">{t(Msg::PasswordConfirm)}</label>
                <input id="confirm" name="confirm" type="password" autocomplete="new-password" required/>
            </div>
            <button type="submit" class="primary">{t(Msg::PasswordChangeSubmit)}</button>
        </form>
    }
    .into_any()
}
