//! How an index is written for people: the value, its interval, its sample size, and a warning
//! when the sample is small. "No data" is written as such, never as 0%.

use crate::{
    context::use_lang,
    i18n::{Msg, count, percent},
};
use domain::dto::IndexFigure;
use leptos::prelude::*;

/// `84,5%`, or "No data yet".
pub fn index_text(f: &IndexFigure) -> String {
    let lang = use_lang();
    match f.index {
        Some(v) => percent(lang, v),
        None => Msg::NoData.text(lang).to_owned(),
    }
}

/// `80,1–88,2%`, or an empty string without data.
pub fn interval_text(f: &IndexFigure) -> String {
    let lang = use_lang();
    match f.ci95 {
        Some([lo, hi]) => {
            let lo = percent(lang, lo);
            format!("{}–{}", lo.trim_end_matches('%'), percent(lang, hi))
        }
        None => String::new(),
    }
}

/// Table cells for one figure: index, interval, n (with the small-sample badge).
#[component]
pub fn FigureCells(figure: IndexFigure) -> impl IntoView {
    let lang = use_lang();
    let small = figure.low_sample && figure.n > 0;
    view! {
        <td class="num">{index_text(&figure)}</td>
        <td class="num">{interval_text(&figure)}</td>
        <td class="num">
            {count(lang, figure.n)}
            {small.then(|| view! { " " <span class="badge">{Msg::LowSample.text(lang)}</span> })}
        </td>
    }
}

/// The column headers matching [`FigureCells`]: index, interval, n.
#[component]
pub fn FigureHeads() -> impl IntoView {
    let lang = use_lang();
    view! {
        <th scope="col" class="num">{Msg::ColIndex.text(lang)}</th>
        <th scope="col" class="num">{Msg::ColInterval.text(lang)}</th>
        <th scope="col" class="num">{Msg::ColN.text(lang)}</th>
    }
}
