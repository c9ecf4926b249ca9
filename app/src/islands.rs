//! The only parts of the site that run in the browser. Everything works without them: they
//! add a live count of answered questions, an early warning when nothing is answered, and a
//! guard against sending the same form twice on a slow network.

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

/// Counts questions with a real answer (the "no opinion" choice has an empty value).
#[cfg(feature = "hydrate")]
fn count_answered(form: &web_sys::HtmlFormElement) -> usize {
    use leptos::wasm_bindgen::JsCast;
    let Ok(checked) = form.query_selector_all("input[type=radio]:checked") else {
        return 0;
    };
    (0..checked.length())
        .filter_map(|i| checked.item(i))
        .filter_map(|node| node.dyn_into::<web_sys::HtmlInputElement>().ok())
        .filter(|input| !input.value().is_empty())
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

    // Tells browser tests (and nothing else) that the island is live.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

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
        <form method="post" action=action node_ref=form_ref on:change=on_change on:submit=on_submit>
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

#[cfg(test)]
mod tests {
    use super::fill_progress;

    #[test]
    fn progress_line_is_filled() {
        assert_eq!(fill_progress("{answered}/{total}", 3, 16), "3/16");
    }
}
