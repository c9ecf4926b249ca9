//! Kiosk mode (`/k/{counter}`): a tablet at the counter, full screen, three huge smiley buttons.
//! Without scripts it is a plain form (a low rating leads to a "why?" page); with them the
//! island takes over: instant thanks, a "why?" after a low rating, reset after 30 seconds,
//! repeated presses ignored, and ratings queued on the tablet while the network is down.

use crate::{
    context::{t, use_lang},
    data::load_kiosk_view,
    i18n::Msg,
    islands::{KioskIsland, KioskTexts},
    pages::{not_found::ErrorView, survey::IslandScripts},
};
use domain::forms::KioskState;
use domain::{
    dto::KioskView,
    kiosk::{LOW_RATING, REASONS},
};
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

/// The text of a reason offered after a low rating.
fn reason_text(code: &str) -> &'static str {
    t(match code {
        "wait" => Msg::ReasonWait,
        "attitude" => Msg::ReasonAttitude,
        "guidance" => Msg::ReasonGuidance,
        "procedure" => Msg::ReasonProcedure,
        _ => Msg::ReasonOther,
    })
}

/// A face for each answer: 3 very satisfied, 2 satisfied, 1 not satisfied.
pub fn face(value: u8) -> impl IntoView {
    let (mouth, colour) = match value {
        3 => ("M30 58 Q50 80 70 58", "#1b6e3a"),
        2 => ("M33 62 Q50 72 67 62", "#5a8f29"),
        _ => ("M32 72 Q50 54 68 72", "#b00020"),
    };
    view! {
        <svg class="face" viewBox="0 0 100 100" aria-hidden="true">
            <circle cx="50" cy="50" r="46" fill=colour/>
            <circle cx="35" cy="40" r="6" fill="#fff"/>
            <circle cx="65" cy="40" r="6" fill="#fff"/>
            <path d=mouth stroke="#fff" stroke-width="7" fill="none" stroke-linecap="round"/>
        </svg>
    }
}

#[component]
pub fn KioskPage() -> impl IntoView {
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    let data = Resource::new(move || code.clone(), load_kiosk_view);
    let state = use_context::<KioskState>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let state = state.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(v) => view! { <KioskBody view=v state/> }.into_any(),
                        Err(error) => view! { <ErrorView error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn KioskBody(view: KioskView, state: Option<KioskState>) -> impl IntoView {
    let lang = use_lang();
    let action = format!("/k/{}", view.counter_code);
    let home = action.clone();
    let header = view! {
        <header class="kiosk-head">
            <p class="kiosk-unit">{view.agency_name.get(lang).to_owned()}</p>
            <p class="kiosk-counter">{view.counter_name.clone()}</p>
        </header>
    };
    let body = match state {
        // Presses count only from a tablet enrolled for this counter: until then, the page asks
        // for the one-time code an administrator made at /quan-tri/may-tinh-bang.
        None if !view.enrolled => view! {
            <h1 class="kiosk-question">{t(Msg::TabletNotEnrolled)}</h1>
            <p>{t(Msg::TabletEnrolHint)}</p>
            <form method="post" action=format!("/k/{}/ghi-danh", view.counter_code) class="narrow">
                <div class="field">
                    <label for="enrol-code">{t(Msg::TabletEnrolCode)}</label>
                    <input id="enrol-code" name="code" type="text" required autocomplete="off"
                        autocapitalize="characters" spellcheck="false" placeholder="ABCDE-FGH23"/>
                </div>
                <button type="submit" class="primary">{t(Msg::TabletEnrol)}</button>
            </form>
        }
        .into_any(),
        Some(KioskState::Thanks) => view! {
            // Back to the question after a few seconds, without scripts.
            <Meta http_equiv="refresh" content=format!("4;url={home}")/>
            <p class="kiosk-thanks" role="status">{t(Msg::KioskThanks)}</p>
        }
        .into_any(),
        Some(KioskState::Why { response_id, token }) => {
            let reasons = REASONS
                .iter()
                .map(|code| view! { <button type="submit" name="reason" value=*code class="kiosk-reason">{reason_text(code)}</button> })
                .collect_view();
            view! {
                <Meta http_equiv="refresh" content=format!("30;url={home}")/>
                <h1 class="kiosk-question">{t(Msg::KioskWhy)}</h1>
                <form method="post" action=action class="kiosk-reasons">
                    <input type="hidden" name="response_id" value=response_id.to_string()/>
                    <input type="hidden" name="token" value=token/>
                    {reasons}
                </form>
                <p><a class="button" href=home>{t(Msg::KioskSkip)}</a></p>
            }
            .into_any()
        }
        None => {
            let texts = KioskTexts {
                thanks: t(Msg::KioskThanks).to_owned(),
                why: t(Msg::KioskWhy).to_owned(),
                skip: t(Msg::KioskSkip).to_owned(),
                offline: t(Msg::KioskOffline).to_owned(),
                reasons: REASONS.iter().map(|code| ((*code).to_owned(), reason_text(code).to_owned())).collect(),
            };
            let buttons = view
                .options
                .iter()
                .map(|o| {
                    view! {
                        <button type="submit" name="rating" value=o.value.to_string() class=format!("kiosk-option v{}", o.value)>
                            {face(o.value)}
                            <span>{o.label.get(lang).to_owned()}</span>
                        </button>
                    }
                })
                .collect_view();
            view! {
                <KioskIsland code=view.counter_code.clone() interval_seconds=view.interval_seconds low_rating=LOW_RATING texts>
                    // Inside the island, so that the question steps aside for "why?" and thanks.
                    <h1 class="kiosk-question">{view.question.get(lang).to_owned()}</h1>
                    <form method="post" action=action class="kiosk-options">{buttons}</form>
                </KioskIsland>
                <IslandScripts/>
            }
            .into_any()
        }
    };
    view! {
        <Title text=t(Msg::KioskTitle)/>
        <div class="kiosk">{header} {body}</div>
    }
}
