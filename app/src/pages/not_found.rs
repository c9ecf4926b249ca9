use crate::{
    context::{set_status, t},
    i18n::{Msg, errors::Explain},
};
use domain::error::{AppError, ErrorCode};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <ErrorView error=AppError::new(ErrorCode::NotFound)/> }
}

/// A friendly page for an error, with the right HTTP status.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_status(error.status());
    let (title, body) = match error.code {
        ErrorCode::CounterNotFound => (Msg::CounterNotFoundTitle, Msg::CounterNotFoundBody),
        ErrorCode::CounterClosed => (Msg::CounterNotFoundTitle, Msg::ErrCounterClosed),
        ErrorCode::NotSignedIn | ErrorCode::Forbidden => (Msg::ErrorTitle, error.code.msg()),
        ErrorCode::NotFound | ErrorCode::AgencyNotFound => (Msg::NotFoundTitle, Msg::NotFoundBody),
        other => (Msg::ErrorTitle, other.msg()),
    };
    view! {
        <Title text=t(title)/>
        <section class="notice">
            <h1>{t(title)}</h1>
            <p>{t(body)}</p>
            <p><a class="button" href="/">{t(Msg::GoHome)}</a></p>
        </section>
    }
}
