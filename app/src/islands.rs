//! The only parts of the site that run in the browser. Everything works without them: on the
//! survey they add a live count of answered questions, an early warning when nothing is
//! answered, and a guard against sending the same form twice on a slow network; on a kiosk
//! tablet they answer presses instantly and keep ratings on the tablet while the network is down.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Texts the island shows, already in the citizen's language (so the browser bundle carries no
/// translation table).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyTexts {
    /// With `{answered}` and `{total}` placeholders.
    pub progress: String,
    pub submit: String,
    pub submitting: String,
    pub need_answer: String,
}

fn fill_progress(template: &str, answered: usize, total: usize) -> String {
    template.replace("{answered}", &answered.to_string()).replace("{total}", &total.to_string())
}

/// Tells browser tests (and nothing else) that an island is live.
fn mark_hydrated() {
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}

/// Counts questions with a real answer (the "no opinion" choice has an empty value), short
/// texts included.
#[cfg(feature = "hydrate")]
fn count_answered(form: &web_sys::HtmlFormElement) -> usize {
    use leptos::wasm_bindgen::JsCast;
    let Ok(given) = form.query_selector_all("input[type=radio]:checked, input.q-text") else {
        return 0;
    };
    (0..given.length())
        .filter_map(|i| given.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok())
        .filter(|input| !input.value().trim().is_empty())
        .count()
}

/// The survey form. Its questions arrive as server-rendered `children`; the island adds the
/// progress line and submit behaviour around them.
#[island]
pub fn SurveyFormIsland(
    action: String,
    total: usize,
    min_answers: usize,
    answered: usize,
    texts: SurveyTexts,
    children: Children,
) -> impl IntoView {
    let answered = RwSignal::new(answered);
    let submitting = RwSignal::new(false);
    let blocked = RwSignal::new(false);
    let form_ref = NodeRef::<leptos::html::Form>::new();

    mark_hydrated();

    let on_change = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(form) = form_ref.get_untracked() {
            answered.set(count_answered(&form));
            if answered.get_untracked() >= min_answers {
                blocked.set(false);
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if submitting.get_untracked() {
            // Already on its way: a second tap must not send it again.
            ev.prevent_default();
        } else if answered.get_untracked() < min_answers {
            ev.prevent_default();
            blocked.set(true);
        } else {
            submitting.set(true);
        }
    };
    let progress = {
        let template = texts.progress.clone();
        move || fill_progress(&template, answered.get(), total)
    };
    let SurveyTexts { submit, submitting: sending, need_answer, .. } = texts;
    view! {
        <form method="post" action=action node_ref=form_ref on:change=on_change on:input=on_change on:submit=on_submit>
            {children()}
            <div class="submit-bar">
                <p class="progress" aria-live="polite">{progress}</p>
                <p class="form-error" role="alert" hidden=move || !blocked.get()>{need_answer}</p>
                <button type="submit" class="primary" aria-disabled=move || submitting.get().then_some("true")>
                    {move || if submitting.get() { sending.clone() } else { submit.clone() }}
                </button>
            </div>
        </form>
    }
}

/// Texts of the kiosk island, already in the tablet's language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KioskTexts {
    pub thanks: String,
    pub why: String,
    pub skip: String,
    /// With an `{n}` placeholder: ratings still waiting on the tablet.
    pub offline: String,
    /// (code, text) of the reasons offered after a low rating.
    pub reasons: Vec<(String, String)>,
}

/// What the kiosk shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Screen {
    Ask,
    Why,
    Thanks,
}

/// A rating from a low press up to the end of its "why?".
#[derive(Clone, Copy, Debug, PartialEq)]
struct Held {
    rating: u8,
    at_ms: f64,
}

/// How long the thanks stays before the question returns (at least the minimum interval).
const THANKS_MS: u64 = 5_000;
/// An unanswered "why?" is sent without a reason and the question returns after this long.
const WHY_TIMEOUT_MS: u64 = 30_000;
/// How often the tablet retries sending what it holds.
#[cfg(feature = "hydrate")]
const RETRY_MS: u64 = 15_000;

/// The kiosk's three faces. Without scripts they are a plain form; here a press is answered at
/// once, a low one asks "why?", presses closer than the minimum interval are ignored, and
/// every rating is first written to the tablet's storage, then sent; what cannot be sent yet
/// is retried when the network returns, with the time it was given.
#[island]
pub fn KioskIsland(
    code: String,
    interval_seconds: i64,
    low_rating: u8,
    texts: KioskTexts,
    children: Children,
) -> impl IntoView {
    let screen = RwSignal::new(Screen::Ask);
    let waiting = RwSignal::new(0usize);
    let held = StoredValue::new(None::<Held>);
    let last_press = StoredValue::new(f64::NEG_INFINITY);
    // Each change of screen bumps this, so an old timer cannot reset a newer screen.
    let generation = StoredValue::new(0u64);
    let code = StoredValue::new(code);
    mark_hydrated();

    let show = move |next: Screen, after_ms: u64| {
        generation.update_value(|g| *g += 1);
        screen.set(next);
        let mine = generation.get_value();
        client::after(after_ms, move || {
            if generation.get_value() == mine {
                if let Some(h) = held.get_value() {
                    // Nobody answered "why?": the rating counts without a reason.
                    held.set_value(None);
                    client::record(&code.get_value(), h.rating, h.at_ms, "", waiting);
                }
                screen.set(Screen::Ask);
            }
        });
    };
    let thanks_ms = THANKS_MS.max(interval_seconds.max(0) as u64 * 1000);
    client::start(code.get_value(), waiting);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(rating) = client::pressed(&ev) else { return };
        let now = client::now_ms();
        if now - last_press.get_value() < interval_seconds as f64 * 1000.0 {
            return;
        }
        last_press.set_value(now);
        if rating <= low_rating {
            held.set_value(Some(Held { rating, at_ms: now }));
            show(Screen::Why, WHY_TIMEOUT_MS);
        } else {
            client::record(&code.get_value(), rating, now, "", waiting);
            show(Screen::Thanks, thanks_ms);
        }
    };
    let answer_why = move |reason: String| {
        if let Some(h) = held.get_value() {
            held.set_value(None);
            client::record(&code.get_value(), h.rating, h.at_ms, &reason, waiting);
        }
        show(Screen::Thanks, thanks_ms);
    };
    let KioskTexts { thanks, why, skip, offline, reasons } = texts;
    let reason_buttons = reasons
        .into_iter()
        .map(|(code, text)| {
            let answer = answer_why;
            view! {
                <button type="button" class="kiosk-reason" on:click=move |_| answer(code.clone())>{text}</button>
            }
        })
        .collect_view();
    view! {
        <div class="kiosk-ask" hidden=move || screen.get() != Screen::Ask on:submit=on_submit>
            {children()}
        </div>
        <div class="kiosk-why" hidden=move || screen.get() != Screen::Why>
            <h2 class="kiosk-question">{why}</h2>
            <div class="kiosk-reasons">{reason_buttons}</div>
            <p><button type="button" class="button" on:click=move |_| answer_why(String::new())>{skip}</button></p>
        </div>
        <p class="kiosk-thanks" role="status" hidden=move || screen.get() != Screen::Thanks>{thanks}</p>
        <p class="kiosk-waiting" aria-live="polite" hidden=move || waiting.get() == 0>
            {move || offline.replace("{n}", &waiting.get().to_string())}
        </p>
    }
}

/// A rating kept on the tablet until the server has it: one line per rating in local storage.
#[derive(Clone, Debug, PartialEq)]
pub struct QueuedRating {
    /// Chosen on the tablet, sent as `Idempotency-Key`: a rating resent after a lost answer is
    /// stored once.
    pub key: String,
    pub rating: u8,
    /// When it was pressed, in milliseconds since 1970.
    pub at_ms: f64,
    /// The "why?" code, or empty.
    pub reason: String,
}

impl QueuedRating {
    pub fn encode(queue: &[QueuedRating]) -> String {
        queue
            .iter()
            .map(|q| format!("{}\t{}\t{}\t{}", q.key, q.rating, q.at_ms, q.reason))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Reads what [`encode`](Self::encode) wrote; damaged lines are skipped, not fatal.
    pub fn decode(text: &str) -> Vec<QueuedRating> {
        text.lines()
            .filter_map(|line| {
                let mut parts = line.split('\t');
                let key = parts.next().filter(|k| !k.is_empty())?.to_owned();
                let rating = parts.next()?.parse().ok()?;
                let at_ms = parts.next()?.parse().ok()?;
                let reason = parts.next().unwrap_or("").to_owned();
                Some(QueuedRating { key, rating, at_ms, reason })
            })
            .collect()
    }
}

/// On the server the island only renders; presses, timers and the network exist in the browser.
#[cfg(not(feature = "hydrate"))]
mod client {
    use leptos::prelude::RwSignal;

    pub fn now_ms() -> f64 {
        0.0
    }
    pub fn pressed(_: &leptos::ev::SubmitEvent) -> Option<u8> {
        None
    }
    pub fn after(_: u64, _: impl FnOnce() + 'static) {}
    pub fn record(_: &str, _: u8, _: f64, _: &str, _: RwSignal<usize>) {}
    pub fn start(_: String, _: RwSignal<usize>) {}
}

/// The kiosk's browser side: the tablet's clock, its storage and the network.
#[cfg(feature = "hydrate")]
mod client {
    use super::{QueuedRating, RETRY_MS};
    use leptos::{prelude::*, task::spawn_local, wasm_bindgen::JsCast};
    use std::cell::Cell;
    use wasm_bindgen_futures::JsFuture;

    thread_local! {
        static SENDING: Cell<bool> = const { Cell::new(false) };
    }

    pub fn now_ms() -> f64 {
        js_sys::Date::now()
    }

    pub fn after(ms: u64, f: impl FnOnce() + 'static) {
        set_timeout(f, std::time::Duration::from_millis(ms));
    }

    /// The value of the face that was pressed.
    pub fn pressed(ev: &leptos::ev::SubmitEvent) -> Option<u8> {
        ev.submitter()?.get_attribute("value")?.parse().ok()
    }

    fn storage_key(code: &str) -> String {
        format!("ydan-kiosk-queue-{code}")
    }

    fn load(code: &str) -> Vec<QueuedRating> {
        let storage = window().local_storage().ok().flatten();
        let text = storage.and_then(|s| s.get_item(&storage_key(code)).ok().flatten()).unwrap_or_default();
        QueuedRating::decode(&text)
    }

    fn save(code: &str, queue: &[QueuedRating]) {
        if let Ok(Some(s)) = window().local_storage() {
            let _ = if queue.is_empty() {
                s.remove_item(&storage_key(code))
            } else {
                s.set_item(&storage_key(code), &QueuedRating::encode(queue))
            };
        }
    }

    /// Keeps a rating on the tablet, then tries to send everything held.
    pub fn record(code: &str, rating: u8, at_ms: f64, reason: &str, waiting: RwSignal<usize>) {
        let key = format!("{:x}-{:x}", at_ms as u64, (js_sys::Math::random() * 1e15) as u64);
        let mut queue = load(code);
        queue.push(QueuedRating { key, rating, at_ms, reason: reason.to_owned() });
        save(code, &queue);
        waiting.set(queue.len());
        send_all(code.to_owned(), waiting);
    }

    /// Sends what the tablet holds now, when the network returns, and every few seconds.
    pub fn start(code: String, waiting: RwSignal<usize>) {
        waiting.set(load(&code).len());
        send_all(code.clone(), waiting);
        let again = code.clone();
        window_event_listener(leptos::ev::online, move |_| send_all(again.clone(), waiting));
        set_interval(move || send_all(code.clone(), waiting), std::time::Duration::from_millis(RETRY_MS));
    }

    fn send_all(code: String, waiting: RwSignal<usize>) {
        if SENDING.with(|s| s.replace(true)) {
            return;
        }
        spawn_local(async move {
            // Oldest first; stop at the first failure and keep the rest for the next try.
            while let Some(first) = load(&code).into_iter().next() {
                match send(&code, &first).await {
                    Sent::Done => {
                        let rest: Vec<_> = load(&code).into_iter().filter(|q| q.key != first.key).collect();
                        save(&code, &rest);
                        waiting.set(rest.len());
                    }
                    Sent::Later => break,
                }
            }
            SENDING.with(|s| s.set(false));
        });
    }

    enum Sent {
        /// Stored, a repeat of a stored rating, discarded as a repeated press, or refused for
        /// good (the counter was closed): nothing more to do with it.
        Done,
        /// No network, or the server is busy: try again later.
        Later,
    }

    async fn send(code: &str, q: &QueuedRating) -> Sent {
        let at = js_sys::Date::new(&q.at_ms.into()).to_iso_string();
        let mut body = format!(r#"{{"rating":{},"rated_at":"{}""#, q.rating, String::from(at));
        if !q.reason.is_empty() {
            body.push_str(&format!(r#","reason":"{}""#, q.reason));
        }
        body.push('}');
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&body.into());
        let Ok(headers) = web_sys::Headers::new() else { return Sent::Later };
        let _ = headers.set("content-type", "application/json");
        let _ = headers.set("idempotency-key", &q.key);
        init.set_headers(&headers);
        let promise = window().fetch_with_str_and_init(&format!("/api/v1/kiosk/{code}"), &init);
        match JsFuture::from(promise).await.ok().and_then(|r| r.dyn_into::<web_sys::Response>().ok()) {
            Some(res) if res.ok() => Sent::Done,
            Some(res) if (400..500).contains(&res.status()) && res.status() != 408 && res.status() != 429 => Sent::Done,
            _ => Sent::Later,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{QueuedRating, fill_progress};

    #[test]
    fn progress_line_is_filled() {
        assert_eq!(fill_progress("{answered}/{total}", 3, 16), "3/16");
    }

    #[test]
    fn the_tablet_queue_survives_a_round_trip_and_skips_damaged_lines() {
        let queue = vec![
            QueuedRating { key: "a1".into(), rating: 3, at_ms: 1_795_000_000_000.0, reason: String::new() },
            QueuedRating { key: "b2".into(), rating: 1, at_ms: 1_795_000_005_123.0, reason: "wait".into() },
        ];
        let text = QueuedRating::encode(&queue);
        assert_eq!(QueuedRating::decode(&text), queue);
        let damaged = format!("{text}\n\tx\nzz\tnot-a-number\t1\n");
        assert_eq!(QueuedRating::decode(&damaged), queue);
        assert!(QueuedRating::decode("").is_empty());
    }
}
