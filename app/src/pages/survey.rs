//! The citizen's survey at a counter (`/s/{code}`) and the thank-you page after it. The form
//! is plain HTML that posts to its own address, so it works on any phone with JavaScript off;
//! the island only adds a progress line and a double-send guard.

use crate::{
    context::{t, use_lang},
    data::{load_counter_info, load_survey_form, load_ticket_form},
    i18n::{Lang, Msg, errors::Explain},
    islands::{SurveyFormIsland, SurveyTexts},
    pages::not_found::ErrorView,
};
use domain::{
    dto::{CriterionView, ScalePointView, SurveyForm},
    error::AppError,
    forms::{SubmittedSurvey, survey as fields},
    scale::TEXT_MAX_CHARS,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The message of one field's problem, in the page's language.
fn error_text(sub: &SubmittedSurvey, field: &str, lang: Lang) -> Option<String> {
    sub.error_of(field).map(|e| e.message(lang))
}

/// The `id` of a question's fieldset; the error summary links to it.
fn question_id(code: &str) -> String {
    format!("q-{code}")
}

fn code_param() -> String {
    use_params_map().get_untracked().get("code").unwrap_or_default()
}

/// Includes the browser bundle, on the pages that have islands.
#[component]
pub fn IslandScripts() -> impl IntoView {
    use_context::<LeptosOptions>().map(|options| view! { <HydrationScripts options islands=true/> })
}

#[component]
pub fn SurveyPage() -> impl IntoView {
    let form = Resource::new(code_param, load_survey_form);
    survey_view(form)
}

/// The survey of a receipt's one-time link (`/t/{token}`): its answers are stored as verified.
#[component]
pub fn TicketSurveyPage() -> impl IntoView {
    let token = use_params_map().get_untracked().get("token").unwrap_or_default();
    let form = Resource::new(move || token.clone(), load_ticket_form);
    survey_view(form)
}

fn survey_view(form: Resource<Result<SurveyForm, AppError>>) -> impl IntoView {
    let submitted = use_context::<SubmittedSurvey>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let submitted = submitted.clone();
                Suspend::new(async move {
                    match form.await {
                        Ok(form) => view! { <SurveyBody form submitted/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn SurveyBody(form: SurveyForm, submitted: Option<SubmittedSurvey>) -> impl IntoView {
    let lang = use_lang();
    let sub = submitted.unwrap_or_default();
    let token = if sub.form_token.is_empty() { form.form_token.clone() } else { sub.form_token.clone() };
    let known: Vec<&str> = form.elements.iter().flat_map(|e| e.criteria.iter().map(|c| c.code.as_str())).collect();
    let answered = sub.values.iter().filter(|(code, v)| known.contains(&code.as_str()) && !v.trim().is_empty()).count();
    let total = form.criteria_count();
    let texts = SurveyTexts {
        progress: t(Msg::SurveyProgress).to_owned(),
        submit: t(Msg::SurveySubmit).to_owned(),
        submitting: t(Msg::SurveySubmitting).to_owned(),
        need_answer: Msg::SurveyNeedAnswerNow.fill(lang, &[("min", &form.min_answers.to_string())]),
    };
    let first_question =
        form.elements.first().and_then(|e| e.criteria.first()).map(|c| question_id(&c.code)).unwrap_or_default();
    let summary = (!sub.errors.is_empty()).then(|| {
        let items = sub
            .errors
            .iter()
            .map(|e| {
                // Each message links to the question it is about, when that question is on the page.
                let target = match e.field.strip_prefix("answers.") {
                    Some(code) => known.contains(&code).then(|| question_id(code)),
                    None if e.field == "answers" => Some(first_question.clone()),
                    None => Some(e.field.clone()),
                };
                match target {
                    Some(t) => view! { <li><a href=format!("#{t}")>{e.message(lang)}</a></li> }.into_any(),
                    None => view! { <li>{e.message(lang)}</li> }.into_any(),
                }
            })
            .collect_view();
        view! {
            <div class="error-summary" role="alert" id="errors">
                <h2>{t(Msg::SurveyErrorsTitle)}</h2>
                <ul>{items}</ul>
            </div>
        }
    });
    let failure = sub.failure.as_ref().map(|e| {
        view! { <div class="error-summary" role="alert"><p>{e.message(lang)}</p></div> }
    });
    let answers_error = error_text(&sub, "answers", lang);
    let procedure_error = error_text(&sub, fields::PROCEDURE, lang);
    let comment_error = error_text(&sub, fields::COMMENT, lang);
    let scales = form.scales.clone();
    let elements = form.elements.clone();
    let procedures = form.procedures.clone();
    let values = sub.values.clone();
    let errors = sub.clone();
    let chosen_procedure = sub.procedure.clone();
    let comment = sub.comment.clone();

    let questions = move || {
        elements
            .into_iter()
            .map(|element| {
                let heading_id = format!("el-{}", element.code);
                let criteria = element
                    .criteria
                    .into_iter()
                    .map(|c| {
                        let value = values.get(&c.code).cloned();
                        let error = error_text(&errors, &format!("answers.{}", c.code), lang);
                        let scale = scales.get(&c.scale).cloned().unwrap_or_default();
                        view! { <Question criterion=c scale value error/> }
                    })
                    .collect_view();
                let labelled_by = heading_id.clone();
                view! {
                    <section class="element" aria-labelledby=labelled_by>
                        <h2 id=heading_id>{element.name.get(lang).to_owned()}</h2>
                        {criteria}
                    </section>
                }
            })
            .collect_view()
    };

    view! {
        <Title text=format!("{} – {}", t(Msg::SurveyTitle), form.agency_name.get(lang))/>
        <div class="survey">
            <p class="agency">{form.agency_name.get(lang).to_owned()}</p>
            <p class="counter">{t(Msg::SurveyCounterLabel)} ": " {form.counter_name.clone()}</p>
            {form.dossier_code.clone().map(|d| view! { <p class="counter">{t(Msg::SurveyDossierLabel)} ": " <strong>{d}</strong></p> })}
            <h1>{t(Msg::SurveyTitle)}</h1>
            <p>{t(Msg::SurveyIntro)}</p>
            <p class="muted">{t(Msg::SurveyAnonymousNote)}</p>
            {failure}
            {summary}
            {answers_error.map(|m| view! { <p class="field-error">{m}</p> })}
            <SurveyFormIsland
                action=form.action.clone()
                total
                min_answers=form.min_answers as usize
                answered
                texts
            >
                <input type="hidden" name=fields::FORM_TOKEN value=token/>
                // A field people never see or reach: only robots fill it in.
                <div class="hp" aria-hidden="true">
                    <label for=fields::HONEYPOT>"Website"</label>
                    <input type="text" id=fields::HONEYPOT name=fields::HONEYPOT tabindex="-1" autocomplete="off"/>
                </div>
                {questions()}
                <div class="field">
                    <label for=fields::PROCEDURE>{t(Msg::SurveyProcedureLabel)}</label>
                    {procedure_error.clone().map(|m| view! { <p class="field-error" id="procedure-error">{m}</p> })}
                    <select
                        id=fields::PROCEDURE
                        name=fields::PROCEDURE
                        aria-invalid=procedure_error.is_some().then_some("true")
                        aria-describedby=procedure_error.is_some().then_some("procedure-error")
                    >
                        <option value="">{t(Msg::SurveyProcedureNone)}</option>
                        {procedures
                            .into_iter()
                            .map(|p| {
                                let selected = p.code == chosen_procedure;
                                view! { <option value=p.code.clone() selected=selected>{p.name.get(lang).to_owned()}</option> }
                            })
                            .collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for=fields::COMMENT>{t(Msg::SurveyCommentLabel)}</label>
                    <p class="hint" id="comment-hint">{t(Msg::SurveyCommentHint)}</p>
                    {comment_error.clone().map(|m| view! { <p class="field-error" id="comment-error">{m}</p> })}
                    <textarea
                        id=fields::COMMENT
                        name=fields::COMMENT
                        rows="4"
                        maxlength="2000"
                        aria-invalid=comment_error.is_some().then_some("true")
                        aria-describedby=if comment_error.is_some() { "comment-hint comment-error" } else { "comment-hint" }
                    >
                        {comment}
                    </textarea>
                </div>
                {contact_fields(&sub, lang)}
            </SurveyFormIsland>
        </div>
        <IslandScripts/>
    }
}

/// Optional contact details to be called back about a low rating (the closed loop): they
/// open a feedback case for the counter's unit, never stored with the answers.
fn contact_fields(sub: &SubmittedSurvey, lang: Lang) -> AnyView {
    let value = |k: &str| sub.contact.get(k).cloned().unwrap_or_default();
    let field = |name: &'static str, label: Msg, kind: &'static str, auto: &'static str| {
        let error = error_text(sub, name, lang);
        view! {
            <div class="field">
                <label for=name>{t(label)}</label>
                {error.clone().map(|m| view! { <p class="field-error">{m}</p> })}
                <input id=name name=name type=kind autocomplete=auto value=value(name) aria-invalid=error.is_some().then_some("true")/>
            </div>
        }
    };
    let consent_error = error_text(sub, fields::CONTACT_CONSENT, lang);
    view! {
        <details class="callback" open=!sub.contact.is_empty()>
            <summary>{t(Msg::SurveyCallbackTitle)}</summary>
            <p class="hint">{t(Msg::SurveyCallbackHint)}</p>
            {field(fields::CONTACT_NAME, Msg::FbName, "text", "name")}
            {field(fields::CONTACT_PHONE, Msg::FbPhone, "tel", "tel")}
            {field(fields::CONTACT_EMAIL, Msg::FbEmail, "email", "email")}
            <div class="choice">
                {consent_error.map(|m| view! { <p class="field-error">{m}</p> })}
                <input type="checkbox" id=fields::CONTACT_CONSENT name=fields::CONTACT_CONSENT value="1" checked=value(fields::CONTACT_CONSENT) == "1"/>
                <label for=fields::CONTACT_CONSENT>{t(Msg::FbConsent)}</label>
            </div>
        </details>
    }
    .into_any()
}

/// One criterion: its text and its answers as large radio buttons with "no opinion" (ratings
/// and single choices), or a one-line text field (short texts).
#[component]
fn Question(
    criterion: CriterionView,
    scale: Vec<ScalePointView>,
    /// What the citizen sent: `None` if nothing, `Some("")` for "no opinion".
    value: Option<String>,
    error: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let code = criterion.code.clone();
    let error_id = format!("err-{code}");
    let short = code.split('.').next_back().unwrap_or(&code).to_owned();
    let invalid = error.is_some();
    if criterion.kind == "text" {
        let input_id = format!("{code}-text");
        let label_for = input_id.clone();
        return view! {
            <div class=if invalid { "field q invalid" } else { "field q" } id=question_id(&code)>
                <label for=label_for><span class="qcode">{short}</span> " " {criterion.text.get(lang).to_owned()}</label>
                {error.map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
                <input
                    type="text"
                    class="q-text"
                    id=input_id
                    name=code.clone()
                    maxlength=TEXT_MAX_CHARS.to_string()
                    value=value.unwrap_or_default()
                    aria-invalid=invalid.then_some("true")
                    aria-describedby=invalid.then(|| format!("err-{code}"))
                />
            </div>
        }
        .into_any();
    }
    let numbered = criterion.kind != "choice";
    let options = scale
        .into_iter()
        .map(|point| {
            let v = point.value.to_string();
            let checked = value.as_deref() == Some(v.as_str());
            let id = format!("{code}-{v}");
            let label_for = id.clone();
            view! {
                <label class="opt" for=label_for>
                    <input type="radio" id=id name=code.clone() value=v.clone() checked=checked/>
                    {numbered.then(|| view! { <span class="n" aria-hidden="true">{v.clone()}</span> })}
                    <span class="l">{point.label.get(lang).to_owned()}</span>
                </label>
            }
        })
        .collect_view();
    let skip_id = format!("{code}-skip");
    let skipped = value.as_deref() == Some("");
    let skip_for = skip_id.clone();
    view! {
        <fieldset
            class=if invalid { "q invalid" } else { "q" }
            id=question_id(&code)
            aria-describedby=invalid.then(|| error_id.clone())
        >
            <legend><span class="qcode">{short}</span> " " {criterion.text.get(lang).to_owned()}</legend>
            {error.map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
            <div class=if numbered { "scale" } else { "scale choices" }>{options}</div>
            <label class="opt no-opinion" for=skip_for>
                <input type="radio" id=skip_id name=code.clone() value="" checked=skipped/>
                <span class="l">{Msg::SurveyNoOpinion.text(lang)}</span>
            </label>
        </fieldset>
    }
    .into_any()
}

#[component]
pub fn ThanksPage() -> impl IntoView {
    let info = Resource::new(code_param, load_counter_info);
    view! {
        <Title text=t(Msg::ThanksTitle)/>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(info) => view! {
                        <section class="notice thanks">
                            <h1>{t(Msg::ThanksTitle)}</h1>
                            <p>{t(Msg::ThanksBody)}</p>
                            <p class="muted">{info.agency_name.get(use_lang()).to_owned()} " – " {info.counter_name.clone()}</p>
                            <p><a class="button" href=format!("/s/{}", info.counter_code)>{t(Msg::ThanksAgain)}</a></p>
                            <p><a href=format!("/dashboard/{}", info.agency_code)>{t(Msg::ThanksDashboard)}</a></p>
                        </section>
                    }
                    .into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
