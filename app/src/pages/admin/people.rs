//! Who may act: staff accounts, the audit log of what they changed, and other systems' API keys.

use super::frame::*;
use crate::{
    context::{t, use_lang},
    i18n::Msg,
    pages::account::role_text,
};
use domain::accounts::Role;
use domain::forms::NewApiKey;
use leptos::prelude::*;

#[component]
pub fn UsersAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminUsers, |user, data| {
        let lang = use_lang();
        let rows = data
            .users
            .iter()
            .map(|u| {
                let unit = u.unit.as_ref().map(|x| x.name.get(lang).to_owned()).unwrap_or_else(|| t(Msg::AccountAllUnits).to_owned());
                let status = if u.active { Msg::UserStatusActive } else { Msg::UserStatusInactive };
                let actions = (!u.is_self && user.role.may_grant(u.role)).then(|| {
                    let (action, label) = if u.active { ("deactivate", Msg::UserDeactivate) } else { ("activate", Msg::UserActivate) };
                    view! {
                        <form method="post" action="/quan-tri/nguoi-dung" class="inline">
                            <Csrf user=user.clone()/>
                            <input type="hidden" name="action" value=action/>
                            <input type="hidden" name="login" value=u.login.clone()/>
                            <button type="submit" class="link">{t(label)}</button>
                        </form>
                        <details>
                            <summary>{t(Msg::UserReset)}</summary>
                            <form method="post" action="/quan-tri/nguoi-dung">
                                <Csrf user=user.clone()/>
                                <input type="hidden" name="action" value="reset"/>
                                <input type="hidden" name="login" value=u.login.clone()/>
                                <label>{t(Msg::FieldNewPassword)} <input type="password" name="password" autocomplete="new-password" minlength="10" required/></label>
                                <button type="submit">{t(Msg::UserReset)}</button>
                            </form>
                        </details>
                    }
                });
                view! {
                    <tr>
                        <th scope="row">{u.display_name.clone()} " " <span class="qcode">{u.login.clone()}</span>
                            {u.is_self.then(|| view! { " " {t(Msg::UserYou)} })}</th>
                        <td>{role_text(u.role)}</td>
                        <td>{unit}</td>
                        <td>{t(status)}</td>
                        <td>{actions}</td>
                    </tr>
                }
            })
            .collect_view();
        let roles = data
            .grantable_roles
            .iter()
            .map(|r| view! { <option value=r.as_str() selected=kept("role") == r.as_str()>{role_text(*r)}</option> })
            .collect_view();
        let everywhere = (user.role == Role::SystemAdmin).then_some(Msg::AccountAllUnits);
        view! {
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::FieldDisplayName)}</th>
                            <th scope="col">{t(Msg::FieldRole)}</th>
                            <th scope="col">{t(Msg::FieldUnit)}</th>
                            <th scope="col">{t(Msg::ColStatus)}</th>
                            <th scope="col">{t(Msg::ColActions)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2>{t(Msg::UserAdd)}</h2>
            <form method="post" action="/quan-tri/nguoi-dung" class="narrow">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="create"/>
                <div class="field"><label for="n-login">{t(Msg::LoginName)}</label>
                    <input id="n-login" name="login" type="text" autocapitalize="none" required value=kept("login")/></div>
                <div class="field"><label for="n-name">{t(Msg::FieldDisplayName)}</label>
                    <input id="n-name" name="display_name" type="text" required value=kept("display_name")/></div>
                <div class="field"><label for="n-role">{t(Msg::FieldRole)}</label>
                    <select id="n-role" name="role">{roles}</select></div>
                <div class="field"><label for="n-unit">{t(Msg::FieldUnit)}</label>
                    <select id="n-unit" name="unit">{unit_options(&data.units, lang, &kept("unit"), everywhere)}</select></div>
                <div class="field"><label for="n-pw">{t(Msg::FieldInitialPassword)}</label>
                    <input id="n-pw" name="password" type="password" autocomplete="new-password" minlength="10" required/></div>
                <button type="submit" class="primary">{t(Msg::UserAdd)}</button>
            </form>
        }
    })
}

#[component]
pub fn AuditAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminAudit, |_user, data| {
        if data.audit.is_empty() {
            return view! { <p>{t(Msg::AuditEmpty)}</p> }.into_any();
        }
        let rows = data
            .audit
            .iter()
            .map(|e| {
                let detail = format!("{} → {}", e.before.as_deref().unwrap_or("–"), e.after.as_deref().unwrap_or("–"));
                view! {
                    <tr>
                        <td>{e.at.clone()}</td>
                        <td>{e.actor.clone()}</td>
                        <td>{e.action.clone()} " " <span class="qcode">{e.entity_id.clone()}</span></td>
                        <td><code class="diff">{detail}</code></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::AuditWhen)}</th>
                            <th scope="col">{t(Msg::AuditWho)}</th>
                            <th scope="col">{t(Msg::AuditWhat)}</th>
                            <th scope="col">{t(Msg::AuditDetail)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    })
}

/// API keys of the one-stop systems that print survey links on receipts.
#[component]
pub fn ApiKeysAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminApiKeys, |user, data| {
        let lang = use_lang();
        let fresh = use_context::<NewApiKey>().map(|NewApiKey(key)| {
            view! {
                <div class="ok" role="status">
                    <p>{t(Msg::ApiKeyNew)}</p>
                    <p><code class="secret">{key}</code></p>
                </div>
            }
        });
        let rows = data
            .api_keys
            .iter()
            .map(|k| {
                let revoke = (!k.revoked).then(|| {
                    view! {
                        <form method="post" action="/quan-tri/khoa-api" class="inline">
                            <Csrf user=user.clone()/>
                            <input type="hidden" name="action" value="revoke"/>
                            <input type="hidden" name="id" value=k.id.to_string()/>
                            <button type="submit" class="link">{t(Msg::ApiKeyRevoke)}</button>
                        </form>
                    }
                });
                let status = if k.revoked { Msg::ApiKeyRevoked } else { Msg::UserStatusActive };
                view! {
                    <tr>
                        <th scope="row">{k.name.clone()} " " <span class="qcode">{format!("{}…", k.prefix)}</span></th>
                        <td>{k.unit.name.get(lang).to_owned()}</td>
                        <td>{k.created_at.clone()}</td>
                        <td>{t(status)}</td>
                        <td>{revoke}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            {fresh}
            <p>{t(Msg::ApiKeysIntro)}</p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::ApiKeyName)}</th>
                            <th scope="col">{t(Msg::FieldUnit)}</th>
                            <th scope="col">{t(Msg::ColCreated)}</th>
                            <th scope="col">{t(Msg::ColStatus)}</th>
                            <th scope="col">{t(Msg::ColActions)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2>{t(Msg::ApiKeyAdd)}</h2>
            <form method="post" action="/quan-tri/khoa-api" class="narrow">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="create"/>
                <div class="field"><label for="k-unit">{t(Msg::FieldUnit)}</label>
                    <select id="k-unit" name="unit">{unit_options(&data.units, lang, &kept("unit"), None)}</select></div>
                <div class="field"><label for="k-name">{t(Msg::ApiKeyName)}</label>
                    <input id="k-name" name="name" type="text" required value=kept("name")/></div>
                <button type="submit" class="primary">{t(Msg::ApiKeyAdd)}</button>
            </form>
        }
    })
}
