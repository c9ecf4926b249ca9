//! The unit tree's pages: units (create, rename, move, close, merge), counters, procedures and
//! the bulk posters.

use super::frame::*;
use crate::{
    context::{encode_component, t, use_lang},
    i18n::{Lang, Msg},
    pages::{not_found::ErrorView, poster::PosterSheet},
};
use domain::{
    codes::AgencyKind,
    dto::{
        SignedIn,
        admin::{AdminUnit, AdminUnits},
    },
    error::AppError,
};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
