//! Questionnaires: the list (copy, publish, give to counters) and one questionnaire's questions.
use super::frame::*;

use crate::{
    context::{require_sign_in, t, use_lang},
    data::load_questionnaire,
    i18n::Msg,
    pages::not_found::ErrorView,
};

use domain::forms::AdminAttempt;

use domain::dto::{
    SignedIn,
    admin::{QuestionnaireDetail, QuestionnaireRow},
};

use leptos::prelude::*;

use leptos_meta::Title;

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
