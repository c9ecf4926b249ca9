//! Administration pages (`/quan-tri/…`) for agency and system administrators. Plain HTML forms
//! that post to the page's own address (handled in `server/src/admin.rs`); every form carries the
//! session's CSRF token. Per-unit actions sit in a `<details>` disclosure, which needs no script.

use crate::{
    context::{encode_component, require_sign_in, t, use_lang},
    data::{load_admin_data, load_questionnaire},
    i18n::{Lang, Msg, errors::Explain},
    pages::{account::role_text, not_found::ErrorView, poster::PosterSheet},
};
use domain::forms::{AdminAttempt, NewApiKey};
use domain::{
    accounts::Role,
    codes::AgencyKind,
    dto::{
        SignedIn,
        admin::{AdminData, AdminUnit, AdminUnits, QuestionnaireDetail, QuestionnaireRow},
    },
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

fn kind_text(kind: AgencyKind) -> &'static str {
    t(match kind {
        AgencyKind::Province => Msg::KindProvince,
        AgencyKind::Department => Msg::KindDepartment,
        AgencyKind::Commune => Msg::KindCommune,
        AgencyKind::ServiceCentre => Msg::KindServiceCentre,
        AgencyKind::Other => Msg::KindOther,
    })
}

/// The value a failed form sent for `field`, to show it again.
fn kept(field: &str) -> String {
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
fn AdminNav() -> impl IntoView {
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

fn unit_options(units: &AdminUnits, lang: Lang, selected: &str, with_none: Option<Msg>) -> impl IntoView + use<> {
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

#[component]
pub fn UnitsAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminUnits, |user, data| {
        let lang = use_lang();
        let units = data.units.clone();
        let rows = units.units.iter().map(|u| unit_row(&user, &units, u, lang)).collect_view();
        let kinds = AgencyKind::ALL
            .into_iter()
            .map(|k| view! { <option value=k.as_str() selected=kept("kind") == k.as_str()>{kind_text(k)}</option> })
            .collect_view();
        let merge_choices = units
            .open_units()
            .filter(|u| !u.is_scope_root)
            .map(|u| {
                let id = format!("merge-{}", u.code);
                let label_for = id.clone();
                view! {
                    <label class="check" for=label_for>
                        <input type="checkbox" id=id name="units" value=u.code.clone()/>
                        {format!("{} ({})", u.name.get(lang), u.code)}
                    </label>
                }
            })
            .collect_view();
        let none_root = units.may_add_roots.then_some(Msg::UnitNone);
        view! {
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::ColUnit)}</th>
                            <th scope="col">{t(Msg::ColStatus)}</th>
                            <th scope="col">{t(Msg::ColActions)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2 id="them">{t(Msg::UnitAdd)}</h2>
            <form method="post" action="/quan-tri/don-vi" class="narrow">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="create"/>
                <div class="field"><label for="u-code">{t(Msg::FieldCode)}</label>
                    <input id="u-code" name="code" type="text" required value=kept("code")/></div>
                <div class="field"><label for="u-kind">{t(Msg::FieldKind)}</label>
                    <select id="u-kind" name="kind">{kinds}</select></div>
                <div class="field"><label for="u-name-vi">{t(Msg::FieldNameVi)}</label>
                    <input id="u-name-vi" name="name_vi" type="text" required value=kept("name_vi")/></div>
                <div class="field"><label for="u-name-en">{t(Msg::FieldNameEn)}</label>
                    <input id="u-name-en" name="name_en" type="text" value=kept("name_en")/></div>
                <div class="field"><label for="u-parent">{t(Msg::FieldParent)}</label>
                    <select id="u-parent" name="parent">{unit_options(&units, lang, &kept("parent"), none_root)}</select></div>
                <div class="field"><label for="u-from">{t(Msg::FieldValidFrom)}</label>
                    <input id="u-from" name="valid_from" type="date" required value=kept("valid_from")/></div>
                <button type="submit" class="primary">{t(Msg::UnitAdd)}</button>
            </form>
            <h2 id="sap-nhap">{t(Msg::UnitMergeTitle)}</h2>
            <p>{t(Msg::UnitMergeIntro)}</p>
            <form method="post" action="/quan-tri/don-vi" class="narrow">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="merge"/>
                <fieldset class="field"><legend>{t(Msg::UnitMergeUnits)}</legend>{merge_choices}</fieldset>
                <div class="field"><label for="m-into">{t(Msg::UnitMergeInto)}</label>
                    <select id="m-into" name="into">{unit_options(&units, lang, "", None)}</select></div>
                <div class="field"><label for="m-on">{t(Msg::UnitMergeOn)}</label>
                    <input id="m-on" name="on" type="date" required/></div>
                <button type="submit">{t(Msg::UnitMergeSubmit)}</button>
            </form>
        }
    })
}

fn unit_row(user: &SignedIn, units: &AdminUnits, u: &AdminUnit, lang: Lang) -> impl IntoView + use<> {
    let status = match (&u.merged_into, u.valid_to) {
        (Some(m), Some(d)) => {
            Msg::UnitStatusMerged.fill(lang, &[("unit", m.name.get(lang)), ("date", &d.format("%d/%m/%Y").to_string())])
        }
        (_, Some(d)) => Msg::UnitStatusClosed.fill(lang, &[("date", &d.format("%d/%m/%Y").to_string())]),
        _ => t(Msg::UnitStatusOpen).to_owned(),
    };
    let indent = format!("padding-left:{}rem", 0.4 + u.depth as f64 * 1.1);
    let code = u.code.clone();
    let actions = (u.valid_to.is_none()).then(|| {
        let mover = (!u.is_scope_root).then(|| {
            view! {
                <form method="post" action="/quan-tri/don-vi">
                    <Csrf user=user.clone()/>
                    <input type="hidden" name="action" value="move"/>
                    <input type="hidden" name="code" value=code.clone()/>
                    <label>{t(Msg::UnitMove)}
                        <select name="parent">{unit_options(units, lang, u.parent.as_deref().unwrap_or(""), None)}</select></label>
                    <button type="submit">{t(Msg::Save)}</button>
                </form>
                <form method="post" action="/quan-tri/don-vi">
                    <Csrf user=user.clone()/>
                    <input type="hidden" name="action" value="close"/>
                    <input type="hidden" name="code" value=code.clone()/>
                    <label>{t(Msg::FieldValidTo)} <input type="date" name="valid_to" required/></label>
                    <button type="submit">{t(Msg::UnitClose)}</button>
                </form>
            }
        });
        view! {
            <details>
                <summary>{t(Msg::UnitManage)}</summary>
                <form method="post" action="/quan-tri/don-vi">
                    <Csrf user=user.clone()/>
                    <input type="hidden" name="action" value="rename"/>
                    <input type="hidden" name="code" value=code.clone()/>
                    <label>{t(Msg::FieldNameVi)} <input type="text" name="name_vi" required value=u.name.vi.clone()/></label>
                    <label>{t(Msg::FieldNameEn)} <input type="text" name="name_en" value=u.name.en.clone()/></label>
                    <button type="submit">{t(Msg::UnitRename)}</button>
                </form>
                {mover}
            </details>
        }
    });
    view! {
        <tr>
            <th scope="row" style=indent>
                {u.name.get(lang).to_owned()} " " <span class="qcode">{u.code.clone()}</span>
                <span class="kind">{kind_text(u.kind)}</span>
            </th>
            <td>{status}</td>
            <td>{actions}</td>
        </tr>
    }
}

#[component]
pub fn CountersAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminCounters, |user, data| {
        let lang = use_lang();
        let rows = data
            .counters
            .iter()
            .map(|c| {
                let (action, label) = if c.open { ("close", Msg::CounterClose) } else { ("reopen", Msg::CounterReopen) };
                let status = if c.open { Msg::CounterStatusOpen } else { Msg::CounterStatusClosed };
                view! {
                    <tr>
                        <th scope="row">{c.name.clone()} <span class="kind">{c.unit.name.get(lang).to_owned()}</span></th>
                        <td><span class="qcode">{c.code.clone()}</span></td>
                        <td>{t(status)}</td>
                        <td>
                            <a href=format!("/s/{}/poster", c.code)>{t(Msg::DashboardCounterPoster)}</a>
                            " · "
                            <a href=format!("/k/{}", c.code)>{t(Msg::DashboardCounterKiosk)}</a>
                            <form method="post" action="/quan-tri/quay" class="inline">
                                <Csrf user=user.clone()/>
                                <input type="hidden" name="action" value=action/>
                                <input type="hidden" name="code" value=c.code.clone()/>
                                " " <button type="submit" class="link">{t(label)}</button>
                            </form>
                            <details>
                                <summary>{t(Msg::CounterQuestionnaire)} ": " {questionnaire_label(&data.questionnaires, c.questionnaire, lang)}</summary>
                                <form method="post" action="/quan-tri/quay">
                                    <Csrf user=user.clone()/>
                                    <input type="hidden" name="action" value="questionnaire"/>
                                    <input type="hidden" name="code" value=c.code.clone()/>
                                    <label>{t(Msg::CounterQuestionnaire)}
                                        <select name="questionnaire">
                                            <option value="" selected=c.questionnaire.is_none()>{t(Msg::CounterQuestionnaireDefault)}</option>
                                            {data
                                                .questionnaires
                                                .iter()
                                                .filter(|q| c.usable.contains(&q.id))
                                                .map(|q| view! {
                                                    <option value=q.id.to_string() selected=c.questionnaire == Some(q.id)>{questionnaire_name(q, lang)}</option>
                                                })
                                                .collect_view()}
                                        </select>
                                    </label>
                                    <button type="submit">{t(Msg::Save)}</button>
                                </form>
                            </details>
                            <details>
                                <summary>{t(Msg::CounterHours)}</summary>
                                <form method="post" action="/quan-tri/quay">
                                    <Csrf user=user.clone()/>
                                    <input type="hidden" name="action" value="hours"/>
                                    <input type="hidden" name="code" value=c.code.clone()/>
                                    <label>{t(Msg::CounterHoursHint)}
                                        <input type="text" name="opening_hours" value=c.opening_hours.clone() placeholder=domain::integrity::DEFAULT_OPENING_HOURS/></label>
                                    <button type="submit">{t(Msg::Save)}</button>
                                </form>
                            </details>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        let networks = data
            .staff_networks
            .iter()
            .map(|n| {
                view! {
                    <li>
                        <span class="qcode">{n.cidr.clone()}</span> " – " {n.unit.name.get(lang).to_owned()} " " {n.note.clone()}
                        <form method="post" action="/quan-tri/quay" class="inline">
                            <Csrf user=user.clone()/>
                            <input type="hidden" name="action" value="network_remove"/>
                            <input type="hidden" name="id" value=n.id.to_string()/>
                            " " <button type="submit" class="link">{t(Msg::StaffNetworkRemove)}</button>
                        </form>
                    </li>
                }
            })
            .collect_view();
        let poster_links = data
            .units
            .open_units()
            .filter(|u| u.counters > 0 || u.depth == 0)
            .map(|u| {
                let href = format!("/quan-tri/quay/ap-phich?don-vi={}", encode_component(&u.code));
                view! { <li><a href=href>{u.name.get(lang).to_owned()}</a></li> }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::FieldName)}</th>
                            <th scope="col">{t(Msg::FieldCode)}</th>
                            <th scope="col">{t(Msg::ColStatus)}</th>
                            <th scope="col">{t(Msg::ColActions)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2 id="them-quay">{t(Msg::CounterAdd)}</h2>
            <form method="post" action="/quan-tri/quay" class="narrow" aria-labelledby="them-quay">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="create"/>
                <div class="field"><label for="c-unit">{t(Msg::FieldUnit)}</label>
                    <select id="c-unit" name="unit">{unit_options(&data.units, lang, &kept("unit"), None)}</select></div>
                <div class="field"><label for="c-name">{t(Msg::FieldName)}</label>
                    <input id="c-name" name="name" type="text" required value=kept("name")/></div>
                <button type="submit" class="primary">{t(Msg::CounterAdd)}</button>
            </form>
            <h2>{t(Msg::CounterPosters)}</h2>
            <ul class="links">{poster_links}</ul>
            <h2 id="mang-can-bo">{t(Msg::StaffNetworks)}</h2>
            <p>{t(Msg::StaffNetworksIntro)}</p>
            <ul class="links">{networks}</ul>
            <form method="post" action="/quan-tri/quay" class="narrow" aria-labelledby="mang-can-bo">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="network_add"/>
                <div class="field"><label for="sn-unit">{t(Msg::FieldUnit)}</label>
                    <select id="sn-unit" name="unit">{unit_options(&data.units, lang, &kept("unit"), None)}</select></div>
                <div class="field"><label for="sn-cidr">{t(Msg::StaffNetworkCidr)}</label>
                    <input id="sn-cidr" name="cidr" type="text" required value=kept("cidr") placeholder="203.113.10.0/24"/></div>
                <div class="field"><label for="sn-note">{t(Msg::StaffNetworkNote)}</label>
                    <input id="sn-note" name="note" type="text" value=kept("note")/></div>
                <button type="submit">{t(Msg::StaffNetworkAdd)}</button>
            </form>
        }
    })
}

#[component]
pub fn ProceduresAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminProcedures, |user, data| {
        let lang = use_lang();
        let rows = data
            .procedures
            .iter()
            .map(|p| {
                let unit = p
                    .unit
                    .as_ref()
                    .map(|u| u.name.get(lang).to_owned())
                    .unwrap_or_else(|| t(Msg::ProcedureNational).to_owned());
                view! {
                    <tr>
                        <th scope="row">{p.name.get(lang).to_owned()}</th>
                        <td><span class="qcode">{p.code.clone()}</span></td>
                        <td>{unit}</td>
                    </tr>
                }
            })
            .collect_view();
        let national = data.units.may_add_roots.then_some(Msg::ProcedureNational);
        view! {
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::FieldName)}</th>
                            <th scope="col">{t(Msg::FieldCode)}</th>
                            <th scope="col">{t(Msg::FieldUnit)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2>{t(Msg::ProcedureAdd)}</h2>
            <form method="post" action="/quan-tri/thu-tuc" class="narrow">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="create"/>
                <div class="field"><label for="p-code">{t(Msg::FieldCode)}</label>
                    <input id="p-code" name="code" type="text" required value=kept("code")/></div>
                <div class="field"><label for="p-vi">{t(Msg::FieldNameVi)}</label>
                    <input id="p-vi" name="name_vi" type="text" required value=kept("name_vi")/></div>
                <div class="field"><label for="p-en">{t(Msg::FieldNameEn)}</label>
                    <input id="p-en" name="name_en" type="text" value=kept("name_en")/></div>
                <div class="field"><label for="p-unit">{t(Msg::FieldUnit)}</label>
                    <select id="p-unit" name="unit">{unit_options(&data.units, lang, &kept("unit"), national)}</select></div>
                <button type="submit" class="primary">{t(Msg::ProcedureAdd)}</button>
            </form>
        }
    })
}

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

/// Every open counter of a unit's subtree, one poster per printed page.
#[component]
pub fn PostersAdmin() -> impl IntoView {
    let unit = use_query_map().get_untracked().get("don-vi").unwrap_or_default();
    with_admin_data(Msg::PostersTitle, move |_user, data| {
        // The chosen unit and everything listed below it (the list is depth-first).
        let mut inside = Vec::new();
        let mut depth = None;
        for u in &data.units.units {
            match depth {
                None if u.code == unit => {
                    depth = Some(u.depth);
                    inside.push(u.code.clone());
                }
                Some(d) if u.depth > d => inside.push(u.code.clone()),
                Some(_) => break,
                None => {}
            }
        }
        if inside.is_empty() {
            // A unit outside the administrator's scope (or no unit at all).
            return view! { <ErrorView error=AppError::new(domain::error::ErrorCode::Forbidden)/> }.into_any();
        }
        let sheets = data
            .counters
            .iter()
            .filter(|c| c.open && inside.contains(&c.unit.code))
            .map(|c| {
                let url = format!("{}/s/{}", data.public_url, c.code);
                view! { <PosterSheet code=c.code.clone() name=c.name.clone() unit=c.unit.name.vi.clone() url/> }
            })
            .collect_view();
        view! {
            <p class="no-print">{t(Msg::PostersHint)}</p>
            <div class="poster-stack">{sheets}</div>
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

/// A questionnaire's name with its version, e.g. "… (v2)".
fn questionnaire_name(q: &QuestionnaireRow, lang: Lang) -> String {
    format!("{} (v{})", q.name.get(lang), q.version)
}

/// What a counter's QR code opens, in words.
fn questionnaire_label(all: &[QuestionnaireRow], chosen: Option<i64>, lang: Lang) -> String {
    chosen
        .and_then(|id| all.iter().find(|q| q.id == id))
        .map(|q| questionnaire_name(q, lang))
        .unwrap_or_else(|| t(Msg::CounterQuestionnaireDefault).to_owned())
}

fn sector_text(sector: &str) -> &'static str {
    t(match sector {
        "health" => Msg::SectorHealth,
        "education" => Msg::SectorEducation,
        "utilities" => Msg::SectorUtilities,
        _ => Msg::SectorAdministrative,
    })
}

fn question_kind_text(kind: &str) -> &'static str {
    t(match kind {
        "smiley3" => Msg::KindSmiley3,
        "yes_no" => Msg::KindYesNo,
        "choice" => Msg::KindChoice,
        "text" => Msg::KindText,
        _ => Msg::KindLikert5,
    })
}

fn questionnaire_status(q: &QuestionnaireRow) -> String {
    let status = t(if q.published { Msg::QuestionnairePublished } else { Msg::QuestionnaireDraft });
    if q.is_default && q.owner.is_none() {
        format!("{status} ({})", t(Msg::QuestionnaireDefault))
    } else {
        status.to_owned()
    }
}

/// `/quan-tri/bang-hoi`: every questionnaire the administrator may use, and new versions.
#[component]
pub fn QuestionnairesAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminQuestionnaires, |user, data| {
        let lang = use_lang();
        let shared_allowed = data.units.may_add_roots;
        let rows = data
            .questionnaires
            .iter()
            .map(|q| {
                let owner = q.owner.as_ref().map_or_else(|| t(Msg::QuestionnaireShared).to_owned(), |u| u.name.get(lang).to_owned());
                view! {
                    <tr>
                        <th scope="row">{q.name.get(lang).to_owned()} " " <span class="qcode">{q.code.clone()}</span></th>
                        <td>{q.version}</td>
                        <td>{sector_text(&q.sector)}</td>
                        <td>{owner}</td>
                        <td>{questionnaire_status(q)}</td>
                        <td>{q.questions}</td>
                        <td>{q.counters}</td>
                        <td>
                            <a href=format!("/quan-tri/bang-hoi/{}", q.id)>{t(Msg::QuestionnaireOpen)}</a>
                            <details>
                                <summary>{t(Msg::QuestionnaireCopy)}</summary>
                                <form method="post" action="/quan-tri/bang-hoi">
                                    <Csrf user=user.clone()/>
                                    <input type="hidden" name="action" value="copy"/>
                                    <input type="hidden" name="id" value=q.id.to_string()/>
                                    <label>{t(Msg::QuestionnaireCopyFor)}
                                        <select name="unit">
                                            {unit_options(&data.units, lang, "", shared_allowed.then_some(Msg::QuestionnaireCopyShared))}
                                        </select>
                                    </label>
                                    <button type="submit">{t(Msg::QuestionnaireCopy)}</button>
                                </form>
                            </details>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <p>{t(Msg::QuestionnairesIntro)}</p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::FieldName)}</th>
                            <th scope="col">{t(Msg::ColVersion)}</th>
                            <th scope="col">{t(Msg::ColSector)}</th>
                            <th scope="col">{t(Msg::ColOwner)}</th>
                            <th scope="col">{t(Msg::ColStatus)}</th>
                            <th scope="col">{t(Msg::ColQuestions)}</th>
                            <th scope="col">{t(Msg::ColCountersUsing)}</th>
                            <th scope="col">{t(Msg::ColActions)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    })
}

/// `/quan-tri/bang-hoi/{id}`: a questionnaire's questions; a draft can be edited and published.
#[component]
pub fn QuestionnaireAdmin() -> impl IntoView {
    let Some(user) = require_sign_in() else {
        return ().into_any();
    };
    let id = leptos_router::hooks::use_params_map()
        .get_untracked()
        .get("id")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let data = Resource::new(move || id, load_questionnaire);
    view! {
        <Title text=format!("{} – {}", t(Msg::AdminQuestionnaires), t(Msg::AdminTitle))/>
        <AdminNav/>
        <Outcome/>
        <Suspense fallback=|| ()>
            {move || {
                let user = user.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <QuestionnaireBody user d/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

#[component]
fn QuestionnaireBody(user: SignedIn, d: QuestionnaireDetail) -> impl IntoView {
    let lang = use_lang();
    let q = d.row.clone();
    let action = format!("/quan-tri/bang-hoi/{}", q.id);
    let editable = q.editable;
    // After a failed save, the texts sent are shown again.
    let attempt = use_context::<AdminAttempt>();
    let value = move |field: String, stored: String| -> String {
        attempt.as_ref().and_then(|a| a.form.get(&field).cloned()).unwrap_or(stored)
    };
    let elements = d
        .elements
        .iter()
        .map(|e| {
            let rows = e
                .criteria
                .iter()
                .map(|c| {
                    let options = (c.kind == "choice").then(|| {
                        let list = d.scales.get(&c.scale).cloned().unwrap_or_default();
                        view! {
                            <ul class="links">
                                {list.into_iter().map(|p| view! { <li>{p.label.get(lang).to_owned()}</li> }).collect_view()}
                            </ul>
                        }
                    });
                    let kind = question_kind_text(&c.kind);
                    let not_index = (c.kind == "choice" || c.kind == "text").then(|| format!(" ({})", t(Msg::QuestionnaireNotIndex)));
                    let text = if editable {
                        let (vi_id, en_id) = (format!("vi-{}", c.code), format!("en-{}", c.code));
                        view! {
                            <input type="hidden" name="q" value=c.code.clone()/>
                            <div class="field"><label for=vi_id.clone()>{t(Msg::FieldQuestionVi)}</label>
                                <input id=vi_id type="text" name=format!("vi.{}", c.code) required maxlength="300"
                                    value=value(format!("vi.{}", c.code), c.text.vi.clone())/></div>
                            <div class="field"><label for=en_id.clone()>{t(Msg::FieldQuestionEn)}</label>
                                <input id=en_id type="text" name=format!("en.{}", c.code) required maxlength="300"
                                    value=value(format!("en.{}", c.code), c.text.en.clone())/></div>
                        }
                        .into_any()
                    } else {
                        view! { {c.text.get(lang).to_owned()} }.into_any()
                    };
                    view! {
                        <tr>
                            <th scope="row"><span class="qcode">{c.code.clone()}</span></th>
                            <td>{text} {options}</td>
                            <td>{kind} {not_index}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <h2>{e.name.get(lang).to_owned()}</h2>
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(Msg::FieldCode)}</th>
                                <th scope="col">{t(Msg::ColCriterion)}</th>
                                <th scope="col">{t(Msg::ColQuestionType)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
        })
        .collect_view();
    let heading = format!("{} (v{})", q.name.get(lang), q.version);
    let status = questionnaire_status(&q);
    if !editable {
        return view! {
            <h1>{heading}</h1>
            <p><span class="qcode">{q.code.clone()}</span> " · " {sector_text(&q.sector)} " · " {status}</p>
            {q.published.then(|| view! { <p class="muted">{t(Msg::QuestionnaireFrozenNote)}</p> })}
            {elements}
        }
        .into_any();
    }
    view! {
        <h1>{heading}</h1>
        <p><span class="qcode">{q.code.clone()}</span> " · " {sector_text(&q.sector)} " · " {status}</p>
        <form method="post" action=action.clone() aria-labelledby="sua-ban-nhap">
            <h2 id="sua-ban-nhap">{t(Msg::QuestionnaireEditTitle)}</h2>
            <Csrf user=user.clone()/>
            <input type="hidden" name="action" value="save"/>
            <div class="field"><label for="qn-vi">{t(Msg::FieldNameVi)}</label>
                <input id="qn-vi" type="text" name="name_vi" required value=value("name_vi".into(), q.name.vi.clone())/></div>
            <div class="field"><label for="qn-en">{t(Msg::FieldNameEn)}</label>
                <input id="qn-en" type="text" name="name_en" required value=value("name_en".into(), q.name.en.clone())/></div>
            <div class="field"><label for="qn-min">{t(Msg::FieldMinAnswers)}</label>
                <input id="qn-min" type="number" name="min_answers" min="0" required value=value("min_answers".into(), d.min_answers.to_string())/></div>
            {elements}
            <button type="submit" class="primary">{t(Msg::Save)}</button>
        </form>
        <form method="post" action=action class="narrow">
            <Csrf user=user/>
            <input type="hidden" name="action" value="publish"/>
            <p>{t(Msg::QuestionnairePublishNote)}</p>
            <button type="submit">{t(Msg::QuestionnairePublish)}</button>
        </form>
    }
    .into_any()
}
