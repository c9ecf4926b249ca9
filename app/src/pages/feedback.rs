//! The residents' side of feedback and complaints: the form (`/gop-y`), the page after sending
//! (`/gop-y/da-gui/{code}`), the private tracking page (`/gop-y/theo-doi/{code}?k=…`) and the
//! public disclosure of answers (`/cong-khai`). Every form is plain HTML posting to the server,
//! so all of it works with JavaScript off; a small script only offers the phone's location.

use crate::{
    context::{t, use_lang},
    data::{load_citizen_case, load_disclosure, load_feedback_form},
    i18n::{Lang, Msg, errors::Explain, percent},
    pages::not_found::ErrorView,
};
use chrono::{DateTime, Utc};
use domain::forms::{FeedbackAttempt, TrackAttempt};
use domain::{
    cases::{Kind, MAX_DESCRIPTION, MAX_NOTE, Status},
    dto::feedback::{CategoryOption, CitizenCase, Disclosure, DisclosureFilter, FeedbackForm, UnitOption},
    period::vn_offset,
    workdays::vn_date,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The label of a form field, for the list of problems above the form.
fn field_label(field: &str) -> Option<Msg> {
    Some(match field {
        "kind" => Msg::FbKind,
        "category" => Msg::FbCategory,
        "agency" => Msg::FbAgency,
        "description" => Msg::FbDescription,
        "address" | "lat" | "lon" => Msg::FbLocation,
        "photos" => Msg::FbPhotos,
        "name" => Msg::FbName,
        "phone" => Msg::FbPhone,
        "email" => Msg::FbEmail,
        _ => return None,
    })
}

pub fn kind_text(kind: &str) -> &'static str {
    t(match Kind::parse(kind) {
        Some(Kind::OnSite) => Msg::KindOnSite,
        Some(Kind::Procedure) => Msg::KindProcedure,
        Some(Kind::Conduct) => Msg::KindConduct,
        Some(Kind::Proposal) | None => Msg::KindProposal,
    })
}

pub fn status_text(status: &str) -> &'static str {
    t(match Status::parse(status) {
        Some(Status::Submitted) | None => Msg::StatusSubmitted,
        Some(Status::Received) => Msg::StatusReceived,
        Some(Status::Rejected) => Msg::StatusRejected,
        Some(Status::NeedsInfo) => Msg::StatusNeedsInfo,
        Some(Status::Classified) => Msg::StatusClassified,
        Some(Status::Assigned) => Msg::StatusAssigned,
        Some(Status::Forwarded) => Msg::StatusForwarded,
        Some(Status::Answered) => Msg::StatusAnswered,
        Some(Status::Published) => Msg::StatusPublished,
        Some(Status::Rated) => Msg::StatusRated,
        Some(Status::Closed) => Msg::StatusClosed,
        Some(Status::Reopened) => Msg::StatusReopened,
    })
}

/// What a history entry says happened.
pub fn event_text(action: &str) -> String {
    let msg = match action {
        "submit" => Msg::EventSubmit,
        "receive" => Msg::EventReceive,
        "reject" => Msg::EventReject,
        "request_info" => Msg::EventRequestInfo,
        "citizen_reply" => Msg::EventCitizenReply,
        "classify" => Msg::EventClassify,
        "assign" => Msg::EventAssign,
        "forward" => Msg::EventForward,
        "answer" => Msg::EventAnswer,
        "publish" => Msg::EventPublish,
        "rate" => Msg::EventRate,
        "reopen" => Msg::EventReopen,
        "close" => Msg::EventClose,
        "overdue" => Msg::EventOverdue,
        "note" => Msg::EventNote,
        "hide" | "hide_photo" => Msg::EventHide,
        "show" | "show_photo" => Msg::EventShow,
        _ => return action.to_owned(),
    };
    t(msg).to_owned()
}

/// Date and time in Vietnam, as people there write it.
pub fn when(at: DateTime<Utc>) -> String {
    at.with_timezone(&vn_offset()).format("%d/%m/%Y %H:%M").to_string()
}

pub fn day(at: DateTime<Utc>) -> String {
    vn_date(at).format("%d/%m/%Y").to_string()
}

/// "3 working days left", "due today", "2 working days overdue".
pub fn countdown_text(lang: Lang, days_left: i64) -> String {
    match days_left {
        0 => t(Msg::DueToday).to_owned(),
        d if d > 0 => Msg::DaysLeft.fill(lang, &[("n", &d.to_string())]),
        d => Msg::DaysOverdue.fill(lang, &[("n", &(-d).to_string())]),
    }
}

pub fn category_select(categories: &[CategoryOption], lang: Lang, selected: &str, any: Option<Msg>) -> AnyView {
    let any = any.map(|m| view! { <option value="">{t(m)}</option> });
    let options = categories
        .iter()
        .map(|c| view! { <option value=c.code.clone() selected=c.code == selected>{c.name.get(lang).to_owned()}</option> })
        .collect_view();
    view! { {any} {options} }.into_any()
}

pub fn unit_select(units: &[UnitOption], lang: Lang, selected: &str) -> AnyView {
    units
        .iter()
        .map(|u| {
            let label = format!("{}{}", "· ".repeat(u.depth), u.name.get(lang));
            view! { <option value=u.code.clone() selected=u.code == selected>{label}</option> }
        })
        .collect_view()
        .into_any()
}

pub fn kind_select(lang: Lang, selected: &str, any: Msg) -> AnyView {
    let _ = lang;
    let options = Kind::ALL
        .into_iter()
        .map(|k| view! { <option value=k.code() selected=k.code() == selected>{kind_text(k.code())}</option> })
        .collect_view();
    view! { <option value="">{t(any)}</option> {options} }.into_any()
}

#[component]
pub fn FeedbackFormPage() -> impl IntoView {
    let form = Resource::new(|| (), |_| load_feedback_form());
    let attempt = use_context::<FeedbackAttempt>();
    view! {
        <Title text=t(Msg::FbTitle)/>
        <h1>{t(Msg::FbTitle)}</h1>
        <p>{t(Msg::FbIntro)}</p>
        <Suspense fallback=|| ()>
            {move || {
                let attempt = attempt.clone();
                Suspend::new(async move {
                    match form.await {
                        Ok(form) => feedback_form(form, attempt.unwrap_or_default()),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn field_error(attempt: &FeedbackAttempt, field: &str, lang: Lang) -> Option<AnyView> {
    attempt
        .errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| view! { <p class="field-error" id=format!("{field}-error")>{e.message(lang)}</p> }.into_any())
}

fn feedback_form(form: FeedbackForm, attempt: FeedbackAttempt) -> AnyView {
    let lang = use_lang();
    let v = |k: &str| attempt.values.get(k).cloned().unwrap_or_default();
    let kind = v("kind");
    let summary = (!attempt.errors.is_empty() || attempt.failure.is_some()).then(|| {
        let items = attempt
            .errors
            .iter()
            .map(|e| {
                // "Nội dung phản ánh: Trường này là bắt buộc." rather than a bare "required".
                let text = match field_label(&e.field) {
                    Some(label) => format!("{}: {}", t(label), e.message(lang)),
                    None => e.message(lang),
                };
                view! { <li><a href=format!("#f-{}", e.field)>{text}</a></li> }
            })
            .collect_view();
        let failure = attempt.failure.as_ref().map(|f| view! { <p>{f.message(lang)}</p> });
        let photos_again = (attempt.photos_sent > 0).then(|| view! { <p>{t(Msg::FbPhotosAgain)}</p> });
        view! {
            <div class="error-summary" role="alert" id="errors">
                <h2>{t(Msg::SurveyErrorsTitle)}</h2>
                {failure}
                <ul>{items}</ul>
                {photos_again}
            </div>
        }
    });
    let kinds = Kind::ALL
        .into_iter()
        .map(|k| {
            let id = format!("kind-{}", k.code());
            let hint = t(match k {
                Kind::OnSite => Msg::KindOnSiteHint,
                Kind::Procedure => Msg::KindProcedureHint,
                Kind::Conduct => Msg::KindConductHint,
                Kind::Proposal => Msg::KindProposalHint,
            });
            view! {
                <div class="choice">
                    <input type="radio" name="kind" id=id.clone() value=k.code() required checked=kind == k.code()/>
                    <label for=id>{kind_text(k.code())}<span class="hint">{hint}</span></label>
                </div>
            }
        })
        .collect_view();
    let anonymous = v("anonymous") == "1";
    let consent = v("consent") == "1";
    view! {
        {summary}
        <form method="post" action="/gop-y" enctype="multipart/form-data" class="feedback-form" novalidate>
            <fieldset id="f-kind">
                <legend>{t(Msg::FbKind)}</legend>
                {field_error(&attempt, "kind", lang)}
                {kinds}
            </fieldset>
            <div class="field" id="f-category">
                <label for="category">{t(Msg::FbCategory)}</label>
                {field_error(&attempt, "category", lang)}
                <select id="category" name="category" required>
                    {category_select(&form.categories, lang, &v("category"), Some(Msg::FbChoose))}
                </select>
            </div>
            <div class="field" id="f-agency">
                <label for="agency">{t(Msg::FbAgency)}</label>
                <p class="hint" id="agency-hint">{t(Msg::FbAgencyHint)}</p>
                {field_error(&attempt, "agency", lang)}
                <select id="agency" name="agency" aria-describedby="agency-hint">
                    <option value="">{t(Msg::FbAgencyUnknown)}</option>
                    {unit_select(&form.units, lang, &v("agency"))}
                </select>
            </div>
            <div class="field" id="f-description">
                <label for="description">{t(Msg::FbDescription)}</label>
                <p class="hint" id="description-hint">{Msg::FbDescriptionHint.fill(lang, &[("max", &crate::i18n::count(lang, MAX_DESCRIPTION as u64))])}</p>
                {field_error(&attempt, "description", lang)}
                <textarea id="description" name="description" rows="6" maxlength=MAX_DESCRIPTION.to_string() required aria-describedby="description-hint">{v("description")}</textarea>
            </div>
            <fieldset id="f-location">
                <legend>{t(Msg::FbLocation)}</legend>
                <p class="hint">{t(Msg::FbLocationHint)}</p>
                {field_error(&attempt, "location", lang)}
                <div class="field">
                    <label for="address">{t(Msg::FbAddress)}</label>
                    <input id="address" name="address" type="text" maxlength="300" autocomplete="street-address" value=v("address")/>
                </div>
                <input type="hidden" id="lat" name="lat" value=v("lat")/>
                <input type="hidden" id="lon" name="lon" value=v("lon")/>
                <p><button type="button" id="use-location" class="secondary" hidden>{t(Msg::FbUseLocation)}</button>
                   <span id="location-status" role="status"></span></p>
            </fieldset>
            <div class="field" id="f-photos">
                <label for="photos">{t(Msg::FbPhotos)}</label>
                <p class="hint" id="photos-hint">{t(Msg::FbPhotosHint)}</p>
                {field_error(&attempt, "photos", lang)}
                <input id="photos" name="photos" type="file" accept="image/jpeg,image/png,image/webp" multiple aria-describedby="photos-hint"/>
            </div>
            <fieldset id="f-contact">
                <legend>{t(Msg::FbContact)}</legend>
                <p class="hint">{t(Msg::FbContactHint)}</p>
                <div class="choice">
                    <input type="checkbox" id="anonymous" name="anonymous" value="1" checked=anonymous/>
                    <label for="anonymous">{t(Msg::FbAnonymous)}</label>
                </div>
                <div class="field" id="f-name">
                    <label for="name">{t(Msg::FbName)}</label>
                    {field_error(&attempt, "name", lang)}
                    <input id="name" name="name" type="text" maxlength="100" autocomplete="name" value=v("name")/>
                </div>
                <div class="field" id="f-phone">
                    <label for="phone">{t(Msg::FbPhone)}</label>
                    {field_error(&attempt, "phone", lang)}
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" value=v("phone")/>
                </div>
                <div class="field" id="f-email">
                    <label for="email">{t(Msg::FbEmail)}</label>
                    {field_error(&attempt, "email", lang)}
                    <input id="email" name="email" type="email" autocomplete="email" value=v("email")/>
                </div>
                <div class="choice" id="f-consent">
                    {field_error(&attempt, "consent", lang)}
                    <input type="checkbox" id="consent" name="consent" value="1" checked=consent/>
                    <label for="consent">{t(Msg::FbConsent)}</label>
                </div>
            </fieldset>
            <div class="hp" aria-hidden="true">
                <label for="website">Website</label>
                <input id="website" name="website" type="text" tabindex="-1" autocomplete="off"/>
            </div>
            <button type="submit" class="primary big">{t(Msg::FbSubmit)}</button>
        </form>
        <LocationScript/>
    }
    .into_any()
}

/// Offers the phone's location when the browser can give it (a progressive enhancement: the
/// button stays hidden without JavaScript). Inline, with this response's nonce.
#[component]
fn LocationScript() -> impl IntoView {
    let asking = t(Msg::FbLocating);
    let done = t(Msg::FbLocated);
    let failed = t(Msg::FbLocationFailed);
    let script = format!(
        "(function(){{var b=document.getElementById('use-location');if(!b||!navigator.geolocation)return;b.hidden=false;\
var s=document.getElementById('location-status');b.addEventListener('click',function(){{s.textContent={asking:?};\
navigator.geolocation.getCurrentPosition(function(p){{document.getElementById('lat').value=p.coords.latitude.toFixed(6);\
document.getElementById('lon').value=p.coords.longitude.toFixed(6);s.textContent={done:?};}},function(){{s.textContent={failed:?};}},\
{{enableHighAccuracy:true,timeout:15000}});}});}})();"
    );
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
    view! { <script nonce=nonce inner_html=script></script> }
}

fn code_param() -> String {
    use_params_map().get_untracked().get("code").unwrap_or_default()
}

fn key_param() -> String {
    use_query_map().get_untracked().get("k").unwrap_or_default()
}

/// After sending: the tracking code and the private link, to keep.
#[component]
pub fn FeedbackSentPage() -> impl IntoView {
    let (code, key) = (code_param(), key_param());
    let link = format!("/gop-y/theo-doi/{code}?k={key}");
    view! {
        <Title text=t(Msg::FbSentTitle)/>
        <section class="notice ok-notice">
            <h1>{t(Msg::FbSentTitle)}</h1>
            <p>{t(Msg::FbSentCode)}</p>
            <p class="tracking-code">{code.clone()}</p>
            <p>{t(Msg::FbSentKeep)}</p>
            <p><a class="button primary" href=link.clone()>{t(Msg::FbSentFollow)}</a></p>
            <p class="hint">{t(Msg::FbSentLinkLabel)}" "<code class="private-link">{link}</code></p>
        </section>
    }
}

/// The lookup form (`/gop-y/theo-doi`): a tracking code and the secret of the private link.
#[component]
pub fn TrackLookupPage() -> impl IntoView {
    view! {
        <Title text=t(Msg::TrackTitle)/>
        <h1>{t(Msg::TrackTitle)}</h1>
        <p>{t(Msg::TrackLookupIntro)}</p>
        <form method="get" action="/gop-y/tra-cuu" class="narrow">
            <div class="field">
                <label for="code">{t(Msg::TrackCode)}</label>
                <input id="code" name="code" type="text" required placeholder="PAKN.20261122.0001" autocapitalize="characters"/>
            </div>
            <div class="field">
                <label for="k">{t(Msg::TrackKey)}</label>
                <input id="k" name="k" type="text" required autocomplete="off"/>
            </div>
            <button type="submit" class="primary">{t(Msg::TrackOpen)}</button>
        </form>
    }
}

#[component]
pub fn TrackPage() -> impl IntoView {
    let (code, key) = (code_param(), key_param());
    let data = Resource::new(move || (code.clone(), key.clone()), |(c, k)| load_citizen_case(c, k));
    let attempt = use_context::<TrackAttempt>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let attempt = attempt.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(case) => track_view(case, key_param(), attempt),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn photo_strip(ids: Vec<(i64, bool)>, key: &str) -> AnyView {
    let key = key.to_owned();
    view! {
        <ul class="photos">
            {ids
                .into_iter()
                .filter(|(_, hidden)| !hidden)
                .map(|(id, _)| {
                    let q = if key.is_empty() { String::new() } else { format!("?k={key}") };
                    view! {
                        <li><a href=format!("/gop-y/anh/{id}{q}")>
                            <img src=format!("/gop-y/anh/{id}/nho{q}") alt=t(Msg::FbPhotoAlt) loading="lazy" width="160"/>
                        </a></li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}

fn track_view(case: CitizenCase, key: String, attempt: Option<TrackAttempt>) -> AnyView {
    let lang = use_lang();
    let saved = use_query_map().get_untracked().get("ok").is_some();
    let action = format!("/gop-y/theo-doi/{}", case.tracking_code);
    let due = case.due_at.map(|d| {
        let left = case.days_left.map(|n| countdown_text(lang, n)).unwrap_or_default();
        view! { <dt>{t(Msg::TrackDue)}</dt><dd>{day(d)}" – "{left}</dd> }
    });
    let history = case
        .history
        .iter()
        .map(|e| {
            let agency = e.agency.as_ref().map(|a| format!(" → {}", a.get(lang)));
            view! {
                <li>
                    <time>{when(e.at)}</time>" · "<strong>{event_text(&e.action)}</strong>{agency}
                    {e.note.clone().map(|n| view! { <p class="note">{n}</p> })}
                </li>
            }
        })
        .collect_view();
    let answer = case.answer.clone().map(|a| {
        view! { <section class="answer"><h2>{t(Msg::TrackAnswer)}</h2><p class="pre">{a}</p></section> }
    });
    let hidden_key = key.clone();
    let reply = case.can_reply.then(|| {
        let question = case.question.clone().unwrap_or_default();
        view! {
            <section>
                <h2>{t(Msg::TrackReplyTitle)}</h2>
                <p class="pre">{question}</p>
                <form method="post" action=action.clone() class="narrow">
                    <input type="hidden" name="k" value=hidden_key.clone()/>
                    <input type="hidden" name="action" value="reply"/>
                    <div class="field"><label for="reply">{t(Msg::TrackReply)}</label>
                        <textarea id="reply" name="text" rows="4" maxlength=MAX_NOTE.to_string() required></textarea></div>
                    <button type="submit" class="primary">{t(Msg::TrackReplySend)}</button>
                </form>
            </section>
        }
    });
    let rate = case.can_rate.then(|| {
        view! {
            <section>
                <h2>{t(Msg::TrackRateTitle)}</h2>
                <form method="post" action=action.clone() class="rate-buttons">
                    <input type="hidden" name="k" value=hidden_key.clone()/>
                    <input type="hidden" name="action" value="rate"/>
                    <button type="submit" name="rating" value="satisfied" class="primary big">{t(Msg::TrackSatisfied)}</button>
                    <button type="submit" name="rating" value="not_satisfied" class="secondary big">{t(Msg::TrackNotSatisfied)}</button>
                </form>
            </section>
        }
    });
    let reopen = case.can_reopen.then(|| {
        view! {
            <section>
                <h2>{t(Msg::TrackReopenTitle)}</h2>
                <p class="hint">{t(Msg::TrackReopenHint)}</p>
                <form method="post" action=action.clone() class="narrow">
                    <input type="hidden" name="k" value=hidden_key.clone()/>
                    <input type="hidden" name="action" value="reopen"/>
                    <div class="field"><label for="reason">{t(Msg::TrackReopenReason)}</label>
                        <textarea id="reason" name="text" rows="3" maxlength=MAX_NOTE.to_string() required></textarea></div>
                    <button type="submit" class="secondary">{t(Msg::TrackReopen)}</button>
                </form>
            </section>
        }
    });
    let erased = use_query_map().get_untracked().get("erased").is_some();
    // What the resident left, shown only to the holder of the link, with the way to erase it.
    let contact = match case.contact.clone() {
        Some(c) => {
            let row = |label: Msg, v: Option<String>| v.map(|v| view! { <dt>{t(label)}</dt><dd>{v}</dd> });
            view! {
                <section class="contact" aria-labelledby="contact-h">
                    <h2 id="contact-h">{t(Msg::TrackContactTitle)}</h2>
                    <dl class="facts">
                        {row(Msg::FbName, c.name)}
                        {row(Msg::FbPhone, c.phone)}
                        {row(Msg::FbEmail, c.email)}
                    </dl>
                    <p class="hint">{t(Msg::TrackContactHint)}</p>
                    <form method="post" action=action.clone() class="narrow">
                        <input type="hidden" name="k" value=hidden_key.clone()/>
                        <input type="hidden" name="action" value="erase_contact"/>
                        <div class="field check">
                            <input type="checkbox" id="confirm-erase" name="confirm" value="1" required/>
                            <label for="confirm-erase">{t(Msg::TrackContactEraseConfirm)}</label>
                        </div>
                        <button type="submit" class="secondary">{t(Msg::TrackContactErase)}</button>
                    </form>
                </section>
            }
            .into_any()
        }
        None => view! {
            <section class="contact" aria-labelledby="contact-h">
                <h2 id="contact-h">{t(Msg::TrackContactTitle)}</h2>
                <p>{t(Msg::TrackContactNone)}</p>
            </section>
        }
        .into_any(),
    };
    let rating =
        case.rating.as_deref().map(|r| t(if r == "satisfied" { Msg::TrackSatisfied } else { Msg::TrackNotSatisfied }));
    let photos = photo_strip(case.photos.iter().map(|p| (p.id, p.hidden)).collect(), &key);
    view! {
        <Title text=format!("{} – {}", case.tracking_code, t(Msg::TrackTitle))/>
        <h1>{t(Msg::TrackTitle)}" "<span class="tracking-code">{case.tracking_code.clone()}</span></h1>
        {saved.then(|| view! { <p class="ok" role="status">{t(Msg::TrackSaved)}</p> })}
        {erased.then(|| view! { <p class="ok" role="status">{t(Msg::TrackContactErased)}</p> })}
        {attempt.map(|a| view! { <div class="error-summary" role="alert"><p>{a.error.message(lang)}</p></div> })}
        <dl class="facts">
            <dt>{t(Msg::TrackStatus)}</dt><dd><strong class=format!("status status-{}", case.status)>{status_text(&case.status)}</strong></dd>
            {due}
            <dt>{t(Msg::FbKind)}</dt><dd>{kind_text(&case.kind)}</dd>
            <dt>{t(Msg::FbCategory)}</dt><dd>{case.category.get(lang).to_owned()}</dd>
            <dt>{t(Msg::TrackAgency)}</dt><dd>{case.agency.get(lang).to_owned()}</dd>
            <dt>{t(Msg::TrackSubmitted)}</dt><dd>{when(case.submitted_at)}</dd>
            {rating.map(|r| view! { <dt>{t(Msg::TrackYourRating)}</dt><dd>{r}</dd> })}
        </dl>
        <h2>{t(Msg::FbDescription)}</h2>
        <p class="pre">{case.description.clone()}</p>
        {case.address.clone().map(|a| view! { <p>{t(Msg::FbAddress)}": "{a}</p> })}
        {photos}
        {answer}
        {reply}
        {rate}
        {reopen}
        <h2>{t(Msg::TrackHistory)}</h2>
        <ol class="history">{history}</ol>
        {contact}
    }
    .into_any()
}

#[component]
pub fn DisclosurePage() -> impl IntoView {
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let filter = DisclosureFilter {
        agency: get("agency"),
        kind: get("kind"),
        category: get("category"),
        from: get("from"),
        to: get("to"),
        page: get("page"),
    };
    let data = Resource::new(move || filter.clone(), load_disclosure);
    view! {
        <Title text=t(Msg::PublicTitle)/>
        <h1>{t(Msg::PublicTitle)}</h1>
        <p>{t(Msg::PublicIntro)}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => disclosure_view(d),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn disclosure_view(d: Disclosure) -> AnyView {
    let lang = use_lang();
    let opt_pct = |v: Option<f64>| v.map(|v| percent(lang, v)).unwrap_or_else(|| t(Msg::NoData).to_owned());
    let figures = d
        .figures
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <th scope="row">{f.agency.get(lang).to_owned()}</th>
                    <td class="num">{f.received}</td>
                    <td class="num">{f.answered}</td>
                    <td class="num">{opt_pct(f.on_time_pct)}</td>
                    <td class="num">{opt_pct(f.satisfaction_pct)}</td>
                    <td class="num">{f.avg_working_days.map(|v| crate::i18n::decimal(lang, v)).unwrap_or_else(|| t(Msg::NoData).to_owned())}</td>
                </tr>
            }
        })
        .collect_view();
    let cases = d
        .cases
        .iter()
        .map(|c| {
            view! {
                <article class="public-case" id=c.tracking_code.clone()>
                    <h3>{c.category.get(lang).to_owned()}" · "{c.agency.get(lang).to_owned()}</h3>
                    <p class="meta">{c.tracking_code.clone()}" · "{kind_text(&c.kind)}" · "{t(Msg::TrackSubmitted)}" "{day(c.submitted_at)}
                        {c.published_at.map(|p| format!(" · {} {}", t(Msg::PublicPublishedOn), day(p)))}</p>
                    <p class="pre">{c.description.clone()}</p>
                    {photo_strip(c.photos.iter().map(|id| (*id, false)).collect(), "")}
                    {c.answer.clone().map(|a| view! { <div class="answer"><h4>{t(Msg::TrackAnswer)}</h4><p class="pre">{a}</p></div> })}
                </article>
            }
        })
        .collect_view();
    let f = d.filter.clone();
    let capped = d.period_capped.then(|| {
        let (from, to) = (d.from.format("%d/%m/%Y").to_string(), d.to.format("%d/%m/%Y").to_string());
        let days = domain::period::PUBLIC_MAX_DAYS.to_string();
        view! {
            <p class="note" role="status">
                {Msg::PublicPeriodCapped.fill(lang, &[("from", &from), ("to", &to), ("days", &days)])}
            </p>
        }
    });
    // The other pages of the same list: the filter as shown (the shortened period included).
    let link = {
        let query: String = [
            ("agency", f.agency.clone()),
            ("kind", f.kind.clone()),
            ("category", f.category.clone()),
            ("from", d.from.to_string()),
            ("to", d.to.to_string()),
        ]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}&", crate::context::encode_component(v)))
        .collect();
        move |page: u64| format!("/cong-khai?{query}page={page}")
    };
    let pager = (d.pages > 1).then(|| {
        let (page, pages) = (d.page, d.pages);
        view! {
            <nav class="pager" aria-label=Msg::PublicPage.fill(lang, &[("page", &page.to_string()), ("pages", &pages.to_string())])>
                {(page > 1).then(|| view! { <a rel="prev" href=link(page - 1)>{t(Msg::PublicPrev)}</a> " " })}
                <span>{Msg::PublicPage.fill(lang, &[("page", &page.to_string()), ("pages", &pages.to_string())])}</span>
                {(page < pages).then(|| view! { " " <a rel="next" href=link(page + 1)>{t(Msg::PublicNext)}</a> })}
            </nav>
        }
    });
    view! {
        {capped}
        <form method="get" action="/cong-khai" class="filters">
            <div class="field"><label for="agency">{t(Msg::TrackAgency)}</label>
                <select id="agency" name="agency"><option value="">{t(Msg::PublicAll)}</option>{unit_select(&d.units, lang, &f.agency)}</select></div>
            <div class="field"><label for="kind">{t(Msg::FbKind)}</label>
                <select id="kind" name="kind">{kind_select(lang, &f.kind, Msg::PublicAll)}</select></div>
            <div class="field"><label for="category">{t(Msg::FbCategory)}</label>
                <select id="category" name="category">{category_select(&d.categories, lang, &f.category, Some(Msg::PublicAll))}</select></div>
            <div class="field"><label for="from">{t(Msg::DashboardFrom)}</label>
                <input id="from" name="from" type="date" value=d.from.to_string()/></div>
            <div class="field"><label for="to">{t(Msg::DashboardTo)}</label>
                <input id="to" name="to" type="date" value=d.to.to_string()/></div>
            <button type="submit" class="primary">{t(Msg::PublicFilter)}</button>
        </form>
        <h2>{t(Msg::PublicFigures)}</h2>
        <p class="hint">{t(Msg::PublicFiguresHint)}</p>
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{t(Msg::TrackAgency)}</th>
                    <th scope="col">{t(Msg::PublicReceived)}</th>
                    <th scope="col">{t(Msg::PublicAnswered)}</th>
                    <th scope="col">{t(Msg::PublicOnTime)}</th>
                    <th scope="col">{t(Msg::PublicSatisfaction)}</th>
                    <th scope="col">{t(Msg::PublicAvgDays)}</th>
                </tr></thead>
                <tbody>{figures}</tbody>
            </table>
        </div>
        {d.figures.is_empty().then(|| view! { <p>{t(Msg::NoData)}</p> })}
        <h2>{Msg::PublicAnswers.fill(lang, &[("n", &d.total.to_string())])}</h2>
        {cases}
        {pager}
    }
    .into_any()
}
