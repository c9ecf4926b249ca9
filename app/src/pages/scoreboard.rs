//! The public scoreboard (`/bang-xep-hang`, `/bang-xep-hang/{unit}`): one level of the tree at a
//! time, each unit with its index over the last twelve months, its interval and sample size, the
//! ranks its interval allows, its last four quarters and its feedback figures. Each unit's row
//! links to the level below it, so every unit has an address to share.

use crate::{
    components::figures::{FigureCells, FigureHeads, index_text},
    context::{t, use_lang},
    data::load_scoreboard,
    i18n::{Lang, Msg, count, decimal, percent},
    pages::{
        analytics::{TargetsLine, figure_line, rank_text},
        not_found::ErrorView,
    },
};
use domain::dto::analytics::{FeedbackFigures, ScoreRow, Scoreboard};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn pct(lang: Lang, v: Option<f64>) -> String {
    v.map(|v| percent(lang, v)).unwrap_or_else(|| "–".into())
}

/// The last quarters as text (the sparkline beside it is decoration).
fn trend_text(lang: Lang, row: &ScoreRow) -> String {
    row.trend
        .iter()
        .map(|p| format!("{}: {}", p.label, index_text(&p.figure)))
        .collect::<Vec<_>>()
        .join(" · ")
        .replace(Msg::NoData.text(lang), "–")
}

/// A small line of the last quarters, hidden from screen readers (the text says the same).
fn sparkline(row: &ScoreRow) -> impl IntoView + use<> {
    let (w, h) = (80.0, 22.0);
    let n = row.trend.len().max(1);
    let x = move |i: usize| 4.0 + (w - 8.0) * i as f64 / (n.saturating_sub(1)).max(1) as f64;
    let y = move |v: f64| h - 3.0 - (h - 6.0) * (v.clamp(50.0, 100.0) - 50.0) / 50.0;
    let mut d = String::new();
    for (i, p) in row.trend.iter().enumerate() {
        match p.figure.index {
            Some(v) => d.push_str(&format!(
                "{}{:.1},{:.1} ",
                if d.is_empty() || d.ends_with('|') { "M" } else { "L" },
                x(i),
                y(v)
            )),
            None if !d.is_empty() => d.push('|'),
            None => {}
        }
    }
    let d = d.replace('|', "");
    view! {
        <svg class="spark" viewBox=format!("0 0 {w} {h}") width=w height=h aria-hidden="true" focusable="false">
            <path d=d/>
        </svg>
    }
}

fn feedback_cells(lang: Lang, f: &FeedbackFigures) -> impl IntoView + use<> {
    view! {
        <td class="num">{count(lang, f.received)}</td>
        <td class="num">{pct(lang, f.on_time_pct)}</td>
        <td class="num">{pct(lang, f.satisfaction_pct)}</td>
        <td class="num">{f.avg_working_days.map(|d| decimal(lang, d)).unwrap_or_else(|| "–".into())}</td>
    }
}

#[component]
pub fn ScoreboardPage() -> impl IntoView {
    let code = use_params_map().get_untracked().get("code");
    let data = Resource::new(move || code.clone(), load_scoreboard);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(board) => view! { <ScoreboardBody board/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ScoreboardBody(board: Scoreboard) -> impl IntoView {
    let lang = use_lang();
    let (from, to) = (board.period.from.format("%d/%m/%Y").to_string(), board.period.to.format("%d/%m/%Y").to_string());
    let title = match &board.unit {
        Some(u) => format!("{} – {}", t(Msg::ScoreboardTitle), u.name.get(lang)),
        None => t(Msg::ScoreboardTitle).to_owned(),
    };
    let crumbs = view! {
        <nav class="crumbs" aria-label=t(Msg::ScoreboardTitle)>
            <a href="/bang-xep-hang">{t(Msg::ScoreboardTop)}</a>
            {board.parent.clone().map(|(code, name)| {
                view! { " · " <a href=format!("/bang-xep-hang/{code}")>{name.get(lang).to_owned()}</a> }
            })}
        </nav>
    };
    let own = board.unit.clone().map(|u| {
        view! {
            <section class="headline">
                <p class="big">{index_text(&u.figure)}</p>
                <p>{figure_line(lang, &u.figure)}</p>
                <p>{t(Msg::ScoreboardTrend)} ": " {trend_text(lang, &u)}</p>
                <p>
                    {t(Msg::ColCasesReceived)} ": " {count(lang, u.feedback.received)} " · "
                    {t(Msg::ColOnTime)} ": " {pct(lang, u.feedback.on_time_pct)} " · "
                    {t(Msg::ColAnswerSatisfaction)} ": " {pct(lang, u.feedback.satisfaction_pct)}
                </p>
                <p><a href=format!("/dashboard/{}", u.code)>{t(Msg::ScoreboardDetails)}</a></p>
            </section>
        }
    });
    let rows = board
        .rows
        .iter()
        .map(|r| {
            let text = trend_text(lang, r);
            view! {
                <tr id=r.code.clone()>
                    <td class="num">{rank_text(r.rank)}</td>
                    <th scope="row">
                        <a href=format!("/bang-xep-hang/{}", r.code)>{r.name.get(lang).to_owned()}</a>
                    </th>
                    <FigureCells figure=r.figure.clone()/>
                    <td class="trend-cell">{sparkline(r)} <span class="trend-text">{text}</span></td>
                    {feedback_cells(lang, &r.feedback)}
                </tr>
            }
        })
        .collect_view();
    let empty = board.rows.is_empty();
    view! {
        <Title text=title.clone()/>
        {crumbs}
        <h1>{title}</h1>
        <p class="lead">{Msg::ScoreboardIntro.fill(lang, &[("from", &from), ("to", &to)])}</p>
        {board.unit.is_some().then(|| view! { <TargetsLine targets=board.targets.clone()/> })}
        {own}
        {if empty {
            view! { <p class="note">{t(Msg::ScoreboardNoChildren)}</p> }.into_any()
        } else {
            view! {
                <div class="table-wrap">
                    <table class="scoreboard">
                        <thead>
                            <tr>
                                <th scope="col" class="num">{t(Msg::ColRank)}</th>
                                <th scope="col">{t(Msg::ColUnit)}</th>
                                <FigureHeads/>
                                <th scope="col">{t(Msg::ScoreboardTrend)}</th>
                                <th scope="col" class="num">{t(Msg::ColCasesReceived)}</th>
                                <th scope="col" class="num">{t(Msg::ColOnTime)}</th>
                                <th scope="col" class="num">{t(Msg::ColAnswerSatisfaction)}</th>
                                <th scope="col" class="num">{t(Msg::ColAvgDays)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
        <p class="note">{Msg::LowSampleNote.fill(lang, &[("min", &board.low_sample_below.to_string())])}</p>
        <p class="note">{t(Msg::RankingNote)}</p>
        <p class="note">{t(Msg::ScoreboardFeedbackNote)}</p>
    }
}
