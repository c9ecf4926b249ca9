//! The printable quarterly report of a unit (`/bao-cao/{unit}?quy=2026-Q3`) for the provincial
//! Department of Home Affairs: the index and its breakdown, the months of the quarter, the
//! change against the quarter before, the units below, activity, feedback figures and the
//! scorecards. Print CSS lays it out on A4; the browser's print dialog makes the PDF.

use crate::{
    components::figures::{FigureCells, FigureHeads, index_text},
    context::{require_sign_in, t, use_lang},
    data::load_quarter_report,
    i18n::{Msg, count, decimal, percent},
    pages::{
        analytics::{ActivitySection, ChangeLine, ScorecardSection, TargetsLine, TrendSection, figure_line},
        not_found::ErrorView,
    },
};
use domain::dto::analytics::QuarterReport;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn QuarterReportPage() -> impl IntoView {
    let Some(_user) = require_sign_in() else { return ().into_any() };
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    let quarter = use_query_map().get_untracked().get("quy").filter(|q| !q.is_empty());
    let data = Resource::new(move || (code.clone(), quarter.clone()), |(c, q)| load_quarter_report(c, q));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(report) => view! { <ReportBody report/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ReportBody(report: QuarterReport) -> impl IntoView {
    let lang = use_lang();
    let r = report;
    let name = r.name.get(lang).to_owned();
    let (from, to) = (r.period.from.format("%d/%m/%Y").to_string(), r.period.to.format("%d/%m/%Y").to_string());
    let quarter_options = r
        .quarters
        .iter()
        .map(|q| view! { <option value=q.clone() selected=*q == r.quarter>{q.clone()}</option> })
        .collect_view();
    let breakdown = r
        .elements
        .iter()
        .map(|e| {
            let criteria = r
                .criteria
                .iter()
                .filter(|c| {
                    c.code.strip_prefix(e.code.as_str()).is_some_and(|rest| rest.starts_with(|ch: char| ch.is_ascii_digit()))
                })
                .map(|c| {
                    view! {
                        <tr>
                            <th scope="row"><span class="qcode">{c.code.clone()}</span> " " {c.name.get(lang).to_owned()}</th>
                            <FigureCells figure=c.figure.clone()/>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <tr class="element-row">
                    <th scope="row"><span class="qcode">{e.code.clone()}</span> " " {e.name.get(lang).to_owned()}</th>
                    <FigureCells figure=e.figure.clone()/>
                </tr>
                {criteria}
            }
        })
        .collect_view();
    let children = (!r.children.is_empty()).then(|| {
        let rows = r
            .children
            .iter()
            .map(|c| {
                view! {
                    <tr>
                        <th scope="row">{c.name.get(lang).to_owned()}</th>
                        <FigureCells figure=c.figure.clone()/>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="page-block">
                <h2>{t(Msg::DashboardChildren)}</h2>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::ColUnit)}</th>
                            <FigureHeads/>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
    });
    let f = r.feedback.clone();
    let pct = move |v: Option<f64>| v.map(|v| percent(lang, v)).unwrap_or_else(|| t(Msg::NoData).to_owned());
    let made = r.made_at.with_timezone(&domain::period::vn_offset()).format("%d/%m/%Y %H:%M").to_string();
    view! {
        <Title text=format!("{} {} – {name}", t(Msg::ReportTitle), r.quarter)/>
        <div class="report">
            <form class="no-print filters" method="get" action=format!("/bao-cao/{}", r.code)>
                <label>
                    {t(Msg::ReportQuarter)}
                    <select name="quy">{quarter_options}</select>
                </label>
                <button type="submit">{t(Msg::DashboardApply)}</button>
                " "
                <a href=format!("/dashboard/{}", r.code)>{t(Msg::ReportBack)}</a>
            </form>
            <p class="no-print note">{t(Msg::ReportPrintHint)}</p>
            <header class="report-head">
                <p class="kicker">{t(Msg::ReportKicker)}</p>
                <h1>{t(Msg::ReportTitle)} " " {r.quarter.clone()}</h1>
                <p class="unit">{name.clone()}</p>
                <p>{Msg::DashboardPeriodText.fill(lang, &[("from", &from), ("to", &to)])} " · " {r.questionnaire.get(lang).to_owned()}</p>
            </header>
            <section class="headline page-block">
                <p class="big">{index_text(&r.overall)}</p>
                <p>{figure_line(lang, &r.overall)}</p>
                {r.change.clone().map(|change| view! { <ChangeLine change/> })}
                <TargetsLine targets=r.targets.clone()/>
            </section>
            <TrendSection trend=r.months.clone() targets=r.targets.clone() name=name.clone() open=true/>
            <section class="page-block">
                <h2>{t(Msg::DashboardCriteria)}</h2>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::ColCriterion)}</th>
                            <FigureHeads/>
                        </tr>
                    </thead>
                    <tbody>{breakdown}</tbody>
                </table>
            </section>
            {children}
            <ActivitySection activity=r.activity.clone()/>
            <section class="page-block">
                <h2>{t(Msg::ReportFeedback)}</h2>
                <dl class="stats">
                    <div><dt>{t(Msg::ColCasesReceived)}</dt><dd>{count(lang, f.received)}</dd></div>
                    <div><dt>{t(Msg::ColCasesAnswered)}</dt><dd>{count(lang, f.answered)}</dd></div>
                    <div><dt>{t(Msg::ColOnTime)}</dt><dd>{pct(f.on_time_pct)}</dd></div>
                    <div><dt>{t(Msg::ColAnswerSatisfaction)}</dt><dd>{pct(f.satisfaction_pct)}</dd></div>
                    <div>
                        <dt>{t(Msg::ColAvgDays)}</dt>
                        <dd>{f.avg_working_days.map(|d| decimal(lang, d)).unwrap_or_else(|| "–".into())}</dd>
                    </div>
                </dl>
            </section>
            <ScorecardSection scorecards=r.scorecards.clone()/>
            <p class="note">{Msg::LowSampleNote.fill(lang, &[("min", &r.low_sample_below.to_string())])}</p>
            <p class="note">{t(Msg::IntervalNote)}</p>
            <footer class="report-foot">{Msg::ReportMadeAt.fill(lang, &[("at", &made)])}</footer>
        </div>
    }
}
