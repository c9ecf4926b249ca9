//! The officers' side of feedback: the inbox (`/pakn`) with filters and working-day
//! countdowns, a case (`/pakn/{code}`) with its history and every action the workflow allows
//! now, the feedback settings of administrators (`/quan-tri/pakn`: deadlines, canned replies,
//! holidays) and the outbox (`/quan-tri/thu-di`). Forms post to `server/src/feedback.rs`.

use crate::{
    context::{require_sign_in, t, use_lang},
    data::{load_feedback_settings, load_inbox, load_officer_case, load_outbox},
    i18n::{Lang, Msg, errors::Explain},
    pages::{
        feedback::{
            category_select, countdown_text, day, event_text, kind_select, kind_text, status_text, unit_select, when,
        },
        not_found::ErrorView,
    },
};
use domain::{
    cases::{Action, MAX_NOTE, Status, Step},
    dto::{
        SignedIn,
        feedback::{Inbox, InboxFilter, OfficerCase},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn outcome(lang: Lang) -> AnyView {
    let saved = use_query_map().get_untracked().get("ok").is_some();
    let failure = use_context::<domain::forms::AdminAttempt>().map(|a| {
        let mut lines = vec![a.error.message(lang)];
        lines.extend(a.error.fields.iter().map(|f| f.message(lang)));
        view! { <div class="error-summary" role="alert">{lines.into_iter().map(|l| view! { <p>{l}</p> }).collect_view()}</div> }
    });
    view! {
        {saved.then(|| view! { <p class="ok" role="status">{t(Msg::AdminSaved)}</p> })}
        {failure}
    }
    .into_any()
}

fn action_text(action: &str) -> &'static str {
    t(match action {
        "receive" => Msg::ActReceive,
        "reject" => Msg::ActReject,
        "request_info" => Msg::ActRequestInfo,
        "classify" => Msg::ActClassify,
        "assign" => Msg::ActAssign,
        "forward" => Msg::ActForward,
        "answer" => Msg::ActAnswer,
        "publish" => Msg::ActPublish,
        _ => Msg::ActClose,
    })
}

fn step_text(step: &str) -> &'static str {
    t(match Step::parse(step) {
        Some(Step::Receive) => Msg::StepReceive,
        Some(Step::Info) => Msg::StepInfo,
        Some(Step::Answer) | None => Msg::StepAnswer,
        Some(Step::Publish) => Msg::StepPublish,
        Some(Step::Forward) => Msg::StepForward,
    })
}

#[component]
pub fn InboxPage() -> impl IntoView {
    let Some(_user) = require_sign_in() else {
        return ().into_any();
    };
    let q = use_query_map().get_untracked();
    let get = |k: &str| q.get(k).unwrap_or_default();
    let filter = InboxFilter {
        status: get("status"),
        kind: get("kind"),
        category: get("category"),
        overdue: get("overdue") == "1",
        assignee: get("assignee"),
    };
    let data = Resource::new(move || filter.clone(), load_inbox);
    view! {
        <Title text=t(Msg::InboxTitle)/>
        <h1>{t(Msg::InboxTitle)}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(inbox) => inbox_view(inbox),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

fn inbox_view(inbox: Inbox) -> AnyView {
    let lang = use_lang();
    let f = inbox.filter.clone();
    let statuses = Status::ALL
        .into_iter()
        .map(|s| view! { <option value=s.code() selected=f.status == s.code()>{status_text(s.code())}</option> })
        .collect_view();
    let handlers = inbox
        .handlers
        .iter()
        .map(|p| {
            let login = p.name.rsplit_once('(').map(|(_, l)| l.trim_end_matches(')').to_owned()).unwrap_or_default();
            view! { <option value=login.clone() selected=f.assignee == login>{p.name.clone()}</option> }
        })
        .collect_view();
    let rows = inbox
        .rows
        .iter()
        .map(|r| {
            let due = match (r.due_at, r.days_left) {
                (Some(d), Some(n)) => {
                    let class = if n < 0 {
                        "overdue"
                    } else if n <= 1 {
                        "due-soon"
                    } else {
                        ""
                    };
                    view! { <span class=class>{day(d)}" · "{countdown_text(lang, n)}</span> }.into_any()
                }
                _ => view! { <span>"—"</span> }.into_any(),
            };
            view! {
                <tr>
                    <th scope="row"><a href=format!("/pakn/{}", r.tracking_code)>{r.tracking_code.clone()}</a>
                        {r.escalated.then(|| view! { " " <span class="badge">{t(Msg::InboxEscalated)}</span> })}</th>
                    <td>{kind_text(&r.kind)}</td>
                    <td>{r.category.get(lang).to_owned()}</td>
                    <td>{r.agency.get(lang).to_owned()}</td>
                    <td>{status_text(&r.status)}</td>
                    <td>{when(r.submitted_at)}</td>
                    <td>{due}</td>
                    <td>{r.handler.clone().unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <form method="get" action="/pakn" class="filters">
            <div class="field"><label for="status">{t(Msg::TrackStatus)}</label>
                <select id="status" name="status"><option value="">{t(Msg::InboxOpenOnes)}</option><option value="all" selected=f.status == "all">{t(Msg::PublicAll)}</option>{statuses}</select></div>
            <div class="field"><label for="kind">{t(Msg::FbKind)}</label>
                <select id="kind" name="kind">{kind_select(lang, &f.kind, Msg::PublicAll)}</select></div>
            <div class="field"><label for="category">{t(Msg::FbCategory)}</label>
                <select id="category" name="category">{category_select(&inbox.categories, lang, &f.category, Some(Msg::PublicAll))}</select></div>
            <div class="field"><label for="assignee">{t(Msg::InboxAssignee)}</label>
                <select id="assignee" name="assignee">
                    <option value="">{t(Msg::PublicAll)}</option>
                    <option value="me" selected=f.assignee == "me">{t(Msg::InboxMine)}</option>
                    <option value="none" selected=f.assignee == "none">{t(Msg::InboxUnassigned)}</option>
                    {handlers}
                </select></div>
            <div class="choice"><input type="checkbox" id="overdue" name="overdue" value="1" checked=f.overdue/>
                <label for="overdue">{t(Msg::InboxOverdueOnly)}</label></div>
            <button type="submit" class="primary">{t(Msg::PublicFilter)}</button>
        </form>
        <p>{Msg::InboxCount.fill(lang, &[("n", &inbox.total.to_string())])}</p>
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">{t(Msg::TrackCode)}</th>
                    <th scope="col">{t(Msg::FbKind)}</th>
                    <th scope="col">{t(Msg::FbCategory)}</th>
                    <th scope="col">{t(Msg::TrackAgency)}</th>
                    <th scope="col">{t(Msg::TrackStatus)}</th>
                    <th scope="col">{t(Msg::TrackSubmitted)}</th>
                    <th scope="col">{t(Msg::TrackDue)}</th>
                    <th scope="col">{t(Msg::InboxAssignee)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
pub fn CasePage() -> impl IntoView {
    let Some(user) = require_sign_in() else {
        return ().into_any();
    };
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    let data = Resource::new(move || code.clone(), load_officer_case);
    view! {
        <p><a href="/pakn">{t(Msg::InboxBack)}</a></p>
        <Suspense fallback=|| ()>
            {move || {
                let user = user.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(c) => case_view(c, user),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

fn case_view(c: OfficerCase, user: SignedIn) -> AnyView {
    let lang = use_lang();
    let code = c.case.tracking_code.clone();
    let action_url = format!("/pakn/{code}");
    let csrf = user.csrf_token.clone();
    let contact = match &c.contact {
        Some(ct) => view! {
            <dt>{t(Msg::FbName)}</dt><dd>{ct.name.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>{t(Msg::FbPhone)}</dt><dd>{ct.phone.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>{t(Msg::FbEmail)}</dt><dd>{ct.email.clone().unwrap_or_else(|| "—".into())}</dd>
        }
        .into_any(),
        // Watching a case escalated to them, officers do not read the contact details.
        None if !c.may_act => view! { <dt>{t(Msg::FbContact)}</dt><dd>"—"</dd> }.into_any(),
        None => view! { <dt>{t(Msg::FbContact)}</dt><dd>{t(Msg::FbAnonymous)}</dd> }.into_any(),
    };
    let due = c.case.due_at.map(|d| {
        let left = c.case.days_left.map(|n| countdown_text(lang, n)).unwrap_or_default();
        view! { <dt>{t(Msg::TrackDue)}</dt><dd>{day(d)}" – "{left}</dd> }
    });
    let events = c
        .events
        .iter()
        .map(|e| {
            let agency = e.agency.as_ref().map(|a| format!(" → {}", a.get(lang)));
            view! {
                <li>
                    <time>{when(e.at)}</time>" · "<strong>{event_text(&e.action)}</strong>" · "{actor_text(&e.actor)}{agency}
                    {e.public_note.clone().map(|n| view! { <p class="note"><span class="label">{t(Msg::CasePublicNote)}": "</span>{n}</p> })}
                    {e.internal_note.clone().map(|n| view! { <p class="note internal"><span class="label">{t(Msg::CaseInternalNote)}": "</span>{n}</p> })}
                </li>
            }
        })
        .collect_view();
    let photos = c
        .case
        .photos
        .iter()
        .map(|p| {
            let (csrf, url) = (csrf.clone(), action_url.clone());
            let hide = !p.hidden;
            view! {
                <li>
                    <a href=format!("/gop-y/anh/{}", p.id)><img src=format!("/gop-y/anh/{}/nho", p.id) alt=t(Msg::FbPhotoAlt) width="160"/></a>
                    {p.hidden.then(|| view! { <p class="badge">{t(Msg::CaseHidden)}": "{p.hidden_reason.clone().unwrap_or_default()}</p> })}
                    <form method="post" action=url class="inline-form">
                        <input type="hidden" name="csrf" value=csrf/>
                        <input type="hidden" name="action" value=if hide { "hide_photo" } else { "show_photo" }/>
                        <input type="hidden" name="photo" value=p.id.to_string()/>
                        {hide.then(|| view! { <label for=format!("ph-{}", p.id)>{t(Msg::CaseHideReason)}</label><input id=format!("ph-{}", p.id) name="reason" type="text" required/> })}
                        <button type="submit" class="secondary">{t(if hide { Msg::CaseHidePhoto } else { Msg::CaseShow })}</button>
                    </form>
                </li>
            }
        })
        .collect_view();
    // One form per action, each with its own button and only the fields it needs. The
    // suggested next step is open; rejecting and closing come last, are never open by
    // themselves, and need a ticked confirmation (checked again by the server).
    let canned = c
        .canned
        .iter()
        .map(|r| view! { <details><summary>{r.title.clone()}</summary><p class="pre">{r.body.clone()}</p></details> })
        .collect_view();
    let canned =
        (!c.canned.is_empty()).then(|| view! { <div class="canned"><p>{t(Msg::CaseCanned)}</p>{canned}</div> });
    let mut canned = Some(canned);
    let action_forms = c
        .actions
        .iter()
        .filter_map(|code| Action::parse(code))
        .map(|action| {
            let a = action.code();
            let fields = action.fields();
            let id = move |field: &str| format!("{a}-{field}");
            let open = c.suggested.as_deref() == Some(a);
            let public_note = fields.public_note.then(|| {
                let required = action.needs_public_note();
                let rows = if action == Action::Answer { "6" } else { "3" };
                let hint = if required { Msg::CasePublicNoteRequired } else { Msg::CasePublicNoteOptional };
                view! {
                    <div class="field"><label for=id("public_note")>{t(Msg::CasePublicNote)}</label>
                        <p class="hint" id=id("pn-hint")>{t(hint)}</p>
                        <textarea id=id("public_note") name="public_note" rows=rows
                            maxlength=MAX_NOTE.to_string() required=required aria-describedby=id("pn-hint")></textarea></div>
                }
            });
            let canned = if action == Action::Answer { canned.take().flatten() } else { None };
            let handler = fields.handler.then(|| {
                let handlers = c
                    .handlers
                    .iter()
                    .map(|p| view! { <option value=p.id.to_string()>{p.name.clone()}</option> })
                    .collect_view();
                view! {
                    <div class="field"><label for=id("handler")>{t(Msg::CaseHandlerField)}</label>
                        <select id=id("handler") name="handler" required><option value="">"—"</option>{handlers}</select></div>
                }
            });
            let target = fields.target.then(|| view! {
                <div class="field"><label for=id("target")>{t(Msg::CaseTargetField)}</label>
                    <select id=id("target") name="target" required><option value="">"—"</option>{unit_select(&c.units, lang, "")}</select></div>
            });
            let classify = fields.classify.then(|| view! {
                <div class="field"><label for=id("category")>{t(Msg::CaseNewCategory)}</label>
                    <select id=id("category") name="category">{category_select(&c.categories, lang, "", Some(Msg::CaseUnchanged))}</select></div>
                <div class="field"><label for=id("kind")>{t(Msg::CaseNewKind)}</label>
                    <select id=id("kind") name="kind">{kind_select(lang, "", Msg::CaseUnchanged)}</select></div>
            });
            let confirm_text = if action == Action::Reject { Msg::CaseConfirmReject } else { Msg::CaseConfirmClose };
            let confirm = fields.confirm.then(|| view! {
                <label class="check confirm"><input id=id("confirm") type="checkbox" name="confirm" value="1" required/>
                    {t(confirm_text)}</label>
            });
            let button = if fields.confirm { "danger" } else { "primary" };
            view! {
                <details class="action-form" open=open>
                    <summary>{action_text(a)}</summary>
                    <form method="post" action=action_url.clone() class="case-form">
                        <input type="hidden" name="csrf" value=csrf.clone()/>
                        <input type="hidden" name="action" value=a/>
                        {public_note}
                        {canned}
                        {handler}
                        {target}
                        {classify}
                        <div class="field"><label for=id("internal_note")>{t(Msg::CaseInternalNote)}</label>
                            <textarea id=id("internal_note") name="internal_note" rows="2" maxlength=MAX_NOTE.to_string()></textarea></div>
                        {confirm}
                        <button type="submit" class=button>{action_text(a)}</button>
                    </form>
                </details>
            }
        })
        .collect_view();
    let act_form = (c.may_act && !c.actions.is_empty()).then(|| {
        view! {
            <section class="case-actions">
                <h2>{t(Msg::CaseActTitle)}</h2>
                <p class="hint">{t(Msg::CaseActHint)}</p>
                {action_forms}
            </section>
        }
    });
    let hide_case = c.may_act.then(|| {
        let hidden = c.case.hidden;
        view! {
            <section>
                <h2>{t(Msg::CaseModeration)}</h2>
                {hidden.then(|| view! { <p class="badge">{t(Msg::CaseHidden)}": "{c.hidden_reason.clone().unwrap_or_default()}</p> })}
                <form method="post" action=action_url.clone() class="narrow">
                    <input type="hidden" name="csrf" value=csrf.clone()/>
                    <input type="hidden" name="action" value=if hidden { "show" } else { "hide" }/>
                    {(!hidden).then(|| view! { <div class="field"><label for="hide-reason">{t(Msg::CaseHideReason)}</label>
                        <input id="hide-reason" name="reason" type="text" required/></div> })}
                    <button type="submit" class="secondary">{t(if hidden { Msg::CaseShow } else { Msg::CaseHide })}</button>
                </form>
            </section>
        }
    });
    view! {
        <Title text=format!("{code} – {}", t(Msg::InboxTitle))/>
        <h1><span class="tracking-code">{code.clone()}</span></h1>
        {outcome(lang)}
        {c.escalated_to.as_ref().map(|a| view! { <p class="badge overdue">{t(Msg::CaseEscalatedTo)}" "{a.get(lang).to_owned()}</p> })}
        {c.triage.then(|| view! { <p class="badge">{t(Msg::CaseTriage)}</p> })}
        <dl class="facts">
            <dt>{t(Msg::TrackStatus)}</dt><dd><strong>{status_text(&c.case.status)}</strong></dd>
            {due}
            <dt>{t(Msg::CaseAnswerDue)}</dt><dd>{day(c.answer_due_at)}</dd>
            <dt>{t(Msg::FbKind)}</dt><dd>{kind_text(&c.case.kind)}</dd>
            <dt>{t(Msg::FbCategory)}</dt><dd>{c.case.category.get(lang).to_owned()}</dd>
            <dt>{t(Msg::TrackAgency)}</dt><dd>{c.case.agency.get(lang).to_owned()}</dd>
            <dt>{t(Msg::InboxAssignee)}</dt><dd>{c.handler.clone().unwrap_or_else(|| "—".into())}</dd>
            <dt>{t(Msg::TrackSubmitted)}</dt><dd>{when(c.case.submitted_at)}" ("{c.channel.clone()}")"</dd>
            {contact}
            {c.location.map(|(lat, lon)| view! { <dt>{t(Msg::FbLocation)}</dt><dd>{format!("{lat:.6}, {lon:.6}")}</dd> })}
        </dl>
        <h2>{t(Msg::FbDescription)}</h2>
        <p class="pre">{c.case.description.clone()}</p>
        {c.case.address.clone().map(|a| view! { <p>{t(Msg::FbAddress)}": "{a}</p> })}
        <ul class="photos">{photos}</ul>
        {c.case.answer.clone().map(|a| view! { <h2>{t(Msg::TrackAnswer)}</h2><p class="pre">{a}</p> })}
        {act_form}
        <section>
            <h2>{t(Msg::CaseNoteTitle)}</h2>
            <form method="post" action=action_url.clone() class="narrow">
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <input type="hidden" name="action" value="note"/>
                <div class="field"><label for="note-only">{t(Msg::CaseInternalNote)}</label>
                    <textarea id="note-only" name="internal_note" rows="2" required maxlength=MAX_NOTE.to_string()></textarea></div>
                <button type="submit" class="secondary">{t(Msg::CaseAddNote)}</button>
            </form>
        </section>
        {hide_case}
        <h2>{t(Msg::TrackHistory)}</h2>
        <ol class="history">{events}</ol>
    }
    .into_any()
}

#[component]
pub fn FeedbackSettingsPage() -> impl IntoView {
    let Some(user) = require_sign_in() else {
        return ().into_any();
    };
    let data = Resource::new(|| (), |_| load_feedback_settings());
    view! {
        <Title text=t(Msg::SettingsTitle)/>
        <h1>{t(Msg::SettingsTitle)}</h1>
        {outcome(use_lang())}
        <Suspense fallback=|| ()>
            {move || {
                let user = user.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(s) => settings_view(s, user),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
    .into_any()
}

fn settings_view(s: domain::dto::feedback::FeedbackSettings, user: SignedIn) -> AnyView {
    let lang = use_lang();
    let csrf = user.csrf_token.clone();
    let rules = s
        .rules
        .iter()
        .map(|r| {
            view! {
                <tr>
                    <th scope="row">{r.unit_name.get(lang).to_owned()}</th>
                    <td>{r.kind.as_deref().map(kind_text).unwrap_or_else(|| t(Msg::PublicAll))}</td>
                    <td>{step_text(&r.step)}</td>
                    <td class="num">{r.days}</td>
                </tr>
            }
        })
        .collect_view();
    let steps = Step::ALL
        .into_iter()
        .map(|st| view! { <option value=st.code()>{format!("{} ({})", step_text(st.code()), st.default_days())}</option> })
        .collect_view();
    let canned = s
        .canned
        .iter()
        .map(|c| {
            let csrf = csrf.clone();
            view! {
                <li><strong>{c.title.clone()}</strong>" ("{c.unit.clone()}")"<p class="pre">{c.body.clone()}</p>
                    <form method="post" action="/quan-tri/pakn" class="inline-form">
                        <input type="hidden" name="csrf" value=csrf/>
                        <input type="hidden" name="action" value="remove_canned"/>
                        <input type="hidden" name="id" value=c.id.to_string()/>
                        <button type="submit" class="link">{t(Msg::SettingsRemove)}</button>
                    </form></li>
            }
        })
        .collect_view();
    let holidays = s
        .holidays
        .iter()
        .map(|h| {
            view! {
                <tr>
                    <th scope="row">{h.day.format("%d/%m/%Y").to_string()}</th>
                    <td>{h.name.get(lang).to_owned()}</td>
                    <td>{t(if h.off { Msg::SettingsDayOff } else { Msg::SettingsWorkday })}</td>
                    <td>{h.notice.clone().unwrap_or_else(|| t(Msg::SettingsNoticeDefault).to_owned())}</td>
                </tr>
            }
        })
        .collect_view();
    // Which years still follow the Labour Code's rule, and from which year nothing is entered.
    let mut years: Vec<String> = s
        .year_bases
        .iter()
        .map(|y| {
            let (year, days) = (y.year.to_string(), y.days.to_string());
            if y.by_default == 0 {
                Msg::SettingsYearByNotice.fill(lang, &[("year", &year), ("days", &days)])
            } else {
                let pending = y.by_default.to_string();
                Msg::SettingsYearPending.fill(lang, &[("year", &year), ("days", &days), ("pending", &pending)])
            }
        })
        .collect();
    if let Some(last) = s.year_bases.last() {
        years.push(Msg::SettingsYearMissing.fill(lang, &[("year", &(last.year + 1).to_string())]));
    }
    let years = years.into_iter().map(|line| view! { <li>{line}</li> }).collect_view();
    let holiday_form = s.may_edit_holidays.then(|| {
        view! {
            <form method="post" action="/quan-tri/pakn" class="narrow">
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <div class="field"><label for="h-day">{t(Msg::SettingsDate)}</label><input id="h-day" name="day" type="date" required/></div>
                <div class="field"><label for="h-vi">{t(Msg::FieldNameVi)}</label><input id="h-vi" name="name_vi" type="text"/></div>
                <div class="field"><label for="h-en">{t(Msg::FieldNameEn)}</label><input id="h-en" name="name_en" type="text"/></div>
                <div class="field"><label for="h-notice">{t(Msg::SettingsNotice)}</label>
                    <p class="hint" id="h-notice-hint">{t(Msg::SettingsNoticeHint)}</p>
                    <input id="h-notice" name="notice" type="text" maxlength="300" aria-describedby="h-notice-hint"/></div>
                <div class="field"><label for="h-off">{t(Msg::SettingsDayType)}</label>
                    <select id="h-off" name="off"><option value="1">{t(Msg::SettingsDayOff)}</option><option value="0">{t(Msg::SettingsWorkday)}</option></select></div>
                <button type="submit" name="action" value="put_holiday" class="primary">{t(Msg::SettingsSave)}</button>
                " "<button type="submit" name="action" value="remove_holiday" class="secondary" formnovalidate>{t(Msg::SettingsRemove)}</button>
            </form>
        }
    });
    view! {
        <h2>{t(Msg::SettingsDeadlines)}</h2>
        <p class="hint">{t(Msg::SettingsDeadlinesHint)}</p>
        <div class="table-wrap"><table>
            <thead><tr><th scope="col">{t(Msg::TrackAgency)}</th><th scope="col">{t(Msg::FbKind)}</th><th scope="col">{t(Msg::SettingsStep)}</th><th scope="col">{t(Msg::SettingsDays)}</th></tr></thead>
            <tbody>{rules}</tbody>
        </table></div>
        <form method="post" action="/quan-tri/pakn" class="narrow">
            <input type="hidden" name="csrf" value=csrf.clone()/>
            <input type="hidden" name="action" value="set_deadline"/>
            <div class="field"><label for="d-unit">{t(Msg::TrackAgency)}</label><select id="d-unit" name="unit">{unit_select(&s.units, lang, "")}</select></div>
            <div class="field"><label for="d-kind">{t(Msg::FbKind)}</label><select id="d-kind" name="kind">{kind_select(lang, "", Msg::PublicAll)}</select></div>
            <div class="field"><label for="d-step">{t(Msg::SettingsStep)}</label><select id="d-step" name="step">{steps}</select></div>
            <div class="field"><label for="d-days">{t(Msg::SettingsDays)}</label>
                <p class="hint" id="d-days-hint">{t(Msg::SettingsDaysHint)}</p>
                <input id="d-days" name="days" type="number" min="1" max="90" aria-describedby="d-days-hint"/></div>
            <button type="submit" class="primary">{t(Msg::SettingsSave)}</button>
        </form>
        <h2>{t(Msg::SettingsCanned)}</h2>
        <ul class="canned-list">{canned}</ul>
        <form method="post" action="/quan-tri/pakn" class="narrow">
            <input type="hidden" name="csrf" value=csrf.clone()/>
            <input type="hidden" name="action" value="add_canned"/>
            <div class="field"><label for="c-unit">{t(Msg::TrackAgency)}</label><select id="c-unit" name="unit">{unit_select(&s.units, lang, "")}</select></div>
            <div class="field"><label for="c-title">{t(Msg::SettingsCannedTitle)}</label><input id="c-title" name="title" type="text" required maxlength="200"/></div>
            <div class="field"><label for="c-body">{t(Msg::SettingsCannedBody)}</label><textarea id="c-body" name="body" rows="4" required></textarea></div>
            <button type="submit" class="primary">{t(Msg::SettingsAdd)}</button>
        </form>
        <h2>{t(Msg::SettingsHolidays)}</h2>
        <p class="hint">{t(Msg::SettingsHolidaysHint)}</p>
        <ul class="year-bases">{years}</ul>
        {holiday_form}
        <div class="table-wrap"><table>
            <thead><tr><th scope="col">{t(Msg::SettingsDate)}</th><th scope="col">{t(Msg::FieldName)}</th><th scope="col">{t(Msg::SettingsDayType)}</th><th scope="col">{t(Msg::SettingsNotice)}</th></tr></thead>
            <tbody>{holidays}</tbody>
        </table></div>
    }
    .into_any()
}

#[component]
pub fn OutboxPage() -> impl IntoView {
    let Some(_user) = require_sign_in() else {
        return ().into_any();
    };
    let data = Resource::new(|| (), |_| load_outbox());
    view! {
        <Title text=t(Msg::OutboxTitle)/>
        <h1>{t(Msg::OutboxTitle)}</h1>
        <p>{t(Msg::OutboxIntro)}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(rows) => {
                        let items = rows
                            .into_iter()
                            .map(|m| view! {
                                <tr>
                                    <td>{when(m.created_at)}</td>
                                    <td>{m.to.clone().unwrap_or_else(|| t(Msg::OutboxToResident).to_owned())}</td>
                                    <td><details><summary>{m.subject.clone()}</summary><p class="pre">{m.body.clone()}</p></details></td>
                                    <td>{m.case_code.clone().map(|c| view! { <a href=format!("/pakn/{c}")>{c.clone()}</a> })}</td>
                                    <td>{m.purpose.clone()}</td>
                                    <td>{m.status.clone()}{m.last_error.clone().map(|e| format!(" ({e})"))}</td>
                                </tr>
                            })
                            .collect_view();
                        view! {
                            <div class="table-wrap"><table>
                                <thead><tr><th scope="col">{t(Msg::OutboxWhen)}</th><th scope="col">{t(Msg::OutboxTo)}</th><th scope="col">{t(Msg::OutboxSubject)}</th>
                                    <th scope="col">{t(Msg::TrackCode)}</th><th scope="col">{t(Msg::OutboxPurpose)}</th><th scope="col">{t(Msg::TrackStatus)}</th></tr></thead>
                                <tbody>{items}</tbody>
                            </table></div>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

/// Who made a history entry: an officer's login as it is; the resident and the server's own
/// checks by name, in the reader's language.
fn actor_text(actor: &str) -> String {
    match actor {
        "citizen" => t(Msg::CaseActorCitizen).to_owned(),
        "system" => t(Msg::CaseActorSystem).to_owned(),
        login => login.to_owned(),
    }
}
