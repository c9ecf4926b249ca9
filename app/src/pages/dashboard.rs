//! Public dashboards: every unit's SIPAS-style index (`/dashboard`) and one unit's breakdown by
//! element and criterion (`/dashboard/{code}`). Each figure shows its sample size and interval.
//! Filters are a plain GET form, so everything works without JavaScript.

use crate::{
    components::{
        chart::IndexChart,
        figures::{FigureCells, FigureHeads, index_text, interval_text},
    },
    context::{t, use_lang},
    data::{load_agency_report, load_overview},
    i18n::{Msg, count, percent},
    pages::{
        admin::Outcome,
        analytics::{ChangeLine, RankingSection, StaffSection, StepSelect, TrendSection},
        not_found::ErrorView,
    },
};
use domain::{
    buckets::Step,
    codes::AgencyKind,
    dto::{CodedFigure, QuestionnaireChoice, ReportParams, TreeRow, analytics::AgencyReport},
    integrity::{Basis, Flag},
    period::Period,
    sipas::Rollup,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The report filters as given in the URL.
fn params_from_query() -> ReportParams {
    let q = use_query_map().get_untracked();
    ReportParams::from_fields(|k| q.get(k))
}

/// The filters a page was computed with, to keep them in its links.
fn applied(period: &Period, rollup: Rollup, basis: Basis, questionnaire: &str, step: Option<Step>) -> ReportParams {
    ReportParams {
        from: Some(period.from.to_string()),
        to: Some(period.to.to_string()),
        rollup: Some(rollup.as_str().to_owned()),
        basis: Some(basis.as_str().to_owned()),
        questionnaire: Some(questionnaire.to_owned()),
        step: step.map(|s| s.as_str().to_owned()),
    }
}

fn kind_text(kind: AgencyKind) -> &'static str {
    t(match kind {
        AgencyKind::Province => Msg::KindProvince,
        AgencyKind::Department => Msg::KindDepartment,
        AgencyKind::Commune => Msg::KindCommune,
        AgencyKind::ServiceCentre => Msg::KindServiceCentre,
        AgencyKind::Other => Msg::KindOther,
    })
}

fn period_text(p: &Period) -> String {
    let (from, to) = (p.from.format("%d/%m/%Y").to_string(), p.to.format("%d/%m/%Y").to_string());
    Msg::DashboardPeriodText.fill(use_lang(), &[("from", &from), ("to", &to)])
}

/// The period and roll-up form; submitting reloads the page with the new query.
#[component]
fn FilterForm(
    action: String,
    period: Period,
    rollup: Rollup,
    basis: Basis,
    questionnaire: String,
    questionnaires: Vec<QuestionnaireChoice>,
    /// The trend step, on pages with a trend.
    #[prop(optional)]
    step: Option<Step>,
) -> impl IntoView {
    let lang = use_lang();
    // Only worth a choice when there is one to make.
    let questionnaire_select = (questionnaires.len() > 1).then(|| {
        let options = questionnaires
            .into_iter()
            .map(|q| {
                let selected = q.code == questionnaire;
                view! { <option value=q.code.clone() selected=selected>{q.name.get(lang).to_owned()}</option> }
            })
            .collect_view();
        view! {
            <label>
                {t(Msg::CounterQuestionnaire)}
                <select name="questionnaire">{options}</select>
            </label>
        }
    });
    let option = |value: Rollup, label: Msg| {
        view! { <option value=value.as_str() selected=rollup == value>{t(label)}</option> }
    };
    let basis_option = |value: Basis, label: Msg| {
        view! { <option value=value.as_str() selected=basis == value>{t(label)}</option> }
    };
    view! {
        <form class="filters no-print" method="get" action=action>
            <fieldset>
                <legend>{t(Msg::DashboardPeriod)}</legend>
                <div class="row">
                    <label>
                        {t(Msg::DashboardFrom)}
                        <input type="date" name="from" value=period.from.to_string() required/>
                    </label>
                    <label>
                        {t(Msg::DashboardTo)}
                        <input type="date" name="to" value=period.to.to_string() required/>
                    </label>
                </div>
                <label>
                    {t(Msg::DashboardRollup)}
                    <select name="rollup">
                        {option(Rollup::Pooled, Msg::RollupPooled)}
                        {option(Rollup::MeanOfChildren, Msg::RollupMeanOfChildren)}
                    </select>
                </label>
                <label>
                    {t(Msg::DashboardBasis)}
                    <select name="basis">
                        {basis_option(Basis::Unflagged, Msg::BasisUnflagged)}
                        {basis_option(Basis::All, Msg::BasisAll)}
                        {basis_option(Basis::Verified, Msg::BasisVerified)}
                    </select>
                </label>
                {questionnaire_select}
                {step.map(|step| view! { <StepSelect step/> })}
                <button type="submit">{t(Msg::DashboardApply)}</button>
            </fieldset>
        </form>
    }
}

/// What the numbers mean, under every table.
#[component]
fn Notes(low_sample_below: u64) -> impl IntoView {
    let lang = use_lang();
    view! {
        <p class="note">{Msg::LowSampleNote.fill(lang, &[("min", &low_sample_below.to_string())])}</p>
        <p class="note">{t(Msg::IntervalNote)}</p>
    }
}

/// A table of units with their indices, indented by depth.
#[component]
fn UnitTable(rows: Vec<TreeRow>, query: String) -> impl IntoView {
    let lang = use_lang();
    let body = rows
        .into_iter()
        .map(|row| {
            let indent = format!("padding-left:{}rem", 0.4 + row.depth as f64 * 1.1);
            view! {
                <tr>
                    <th scope="row" style=indent>
                        <a href=format!("/dashboard/{}{}", row.code, query)>{row.name.get(lang).to_owned()}</a>
                        <span class="kind">{kind_text(row.kind)}</span>
                    </th>
                    <FigureCells figure=row.figure/>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t(Msg::ColUnit)}</th>
                        <FigureHeads/>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let params = params_from_query();
    let data = Resource::new(move || params.clone(), load_overview);
    view! {
        <Title text=t(Msg::DashboardTitle)/>
        <h1>{t(Msg::DashboardTitle)}</h1>
        <p class="lead">{t(Msg::DashboardIntro)}</p>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(o) => {
                        let query = applied(&o.period, o.rollup, o.basis, &o.questionnaire, None).query_string();
                        view! {
                            <FilterForm
                                action="/dashboard".into()
                                period=o.period
                                rollup=o.rollup
                                basis=o.basis
                                questionnaire=o.questionnaire.clone()
                                questionnaires=o.questionnaires.clone()
                            />
                            <p class="period">{period_text(&o.period)}</p>
                            <UnitTable rows=o.rows query/>
                            <Notes low_sample_below=o.low_sample_below/>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AgencyPage() -> impl IntoView {
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    let params = params_from_query();
    let data = Resource::new(move || (code.clone(), params.clone()), |(code, p)| load_agency_report(code, p));
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(report) => view! { <AgencyBody report/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Rows of a breakdown table: elements in bold, each followed by its criteria.
fn breakdown(report: &AgencyReport) -> Vec<(CodedFigure, bool)> {
    let mut rows = Vec::new();
    for element in &report.elements {
        rows.push((element.clone(), true));
        // Criterion codes extend their element's code with a number: II.A → II.A1, II.A2…
        let belongs = |c: &&CodedFigure| {
            c.code
                .strip_prefix(element.code.as_str())
                .is_some_and(|rest| rest.starts_with(|ch: char| ch.is_ascii_digit()))
        };
        for c in report.criteria.iter().filter(belongs) {
            rows.push((c.clone(), false));
        }
    }
    rows
}

#[component]
fn AgencyBody(report: AgencyReport) -> impl IntoView {
    let lang = use_lang();
    let step = report.trend.asked.unwrap_or(report.trend.step);
    let params = applied(&report.period, report.rollup, report.basis, &report.questionnaire, Some(step));
    let query = params.query_string();
    let name = report.name.get(lang).to_owned();
    let rows = breakdown(&report);
    let table_rows = rows
        .iter()
        .map(|(row, heading)| {
            let class = if *heading { "element-row" } else { "" };
            view! {
                <tr class=class>
                    <th scope="row">
                        <span class="qcode">{row.code.clone()}</span>
                        " "
                        {row.name.get(lang).to_owned()}
                    </th>
                    <FigureCells figure=row.figure.clone()/>
                </tr>
            }
        })
        .collect_view();
    let overall = report.overall.clone();
    let up = report.parent.clone().map(|(code, pname)| {
        view! { <a href=format!("/dashboard/{code}{query}")>{t(Msg::DashboardUp)} ": " {pname.get(lang).to_owned()}</a> }
    });
    let children = (!report.children.is_empty()).then(|| {
        view! {
            <h2>{t(Msg::DashboardChildren)}</h2>
            <UnitTable rows=report.children.clone() query=query.clone()/>
        }
    });
    let counters = (!report.counters.is_empty()).then(|| {
        let items = report
            .counters
            .iter()
            .map(|c| {
                view! {
                    <li>
                        {c.name.clone()} " – "
                        <a href=format!("/s/{}", c.code)>{t(Msg::DashboardCounterSurvey)}</a>
                        " · "
                        <a href=format!("/s/{}/poster", c.code)>{t(Msg::DashboardCounterPoster)}</a>
                        " · "
                        <a href=format!("/k/{}", c.code)>{t(Msg::DashboardCounterKiosk)}</a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <h2>{t(Msg::DashboardCounters)}</h2>
            <ul class="counters">{items}</ul>
        }
    });
    let small = overall.low_sample && overall.n > 0;
    view! {
        <Title text=format!("{name} – {}", t(Msg::DashboardTitle))/>
        <nav class="crumbs no-print" aria-label=t(Msg::DashboardAllUnits)>
            <a href=format!("/dashboard{query}")>{t(Msg::DashboardAllUnits)}</a>
            {up.map(|u| view! { " · " {u} })}
        </nav>
        <h1>{name.clone()}</h1>
        <p class="kind">{kind_text(report.kind)}</p>
        <FilterForm
            action=format!("/dashboard/{}", report.code)
            period=report.period
            rollup=report.rollup
            basis=report.basis
            questionnaire=report.questionnaire.clone()
            questionnaires=report.questionnaires.clone()
            step=step
        />
        <Outcome/>
        <p class="period">{period_text(&report.period)}</p>
        <section class="headline" aria-label=t(Msg::DashboardOverall)>
            <p class="big">{index_text(&overall)}</p>
            <p>
                {t(Msg::DashboardOverall)} " · " {t(Msg::ColInterval)} ": " {interval_text(&overall)} " · "
                {t(Msg::ColN)} ": " {count(lang, overall.n)}
                {small.then(|| view! { " " <span class="badge">{t(Msg::LowSample)}</span> })}
            </p>
            {report.change.clone().map(|change| view! { <ChangeLine change/> })}
        </section>
        <TrendSection trend=report.trend.clone() targets=report.targets.clone() name=name.clone()/>
        {if report.detailed {
            view! {
                <IndexChart
                    rows=rows.clone()
                    title=format!("{} – {name}", t(Msg::DashboardChartTitle))
                    desc=period_text(&report.period)
                    lang=lang
                />
                <h2>{t(Msg::DashboardCriteria)}</h2>
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(Msg::ColCriterion)}</th>
                                <FigureHeads/>
                            </tr>
                        </thead>
                        <tbody>{table_rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        } else {
            view! {
                <p class="note">
                    {t(Msg::DashboardDetailForStaff)} " "
                    <a href=format!("/dang-nhap?next=/dashboard/{}", report.code)>{t(Msg::NavSignIn)}</a>
                </p>
            }
            .into_any()
        }}
        <Notes low_sample_below=report.low_sample_below/>
        {children}
        <RankingSection ranking=report.ranking.clone() query=query.clone()/>
        {report.staff.clone().map(|staff| view! { <StaffSection staff code=report.code.clone() params=params.clone()/> })}
        {report.detailed.then(|| view! { <IntegritySection report=report.clone()/> })}
        {counters}
    }
}

fn flag_text(flag: Flag) -> &'static str {
    t(match flag {
        Flag::Burst => Msg::FlagBurst,
        Flag::OutsideHours => Msg::FlagOutsideHours,
        Flag::StaffNetwork => Msg::FlagStaffNetwork,
        Flag::IdenticalStreak => Msg::FlagIdenticalStreak,
        Flag::RepeatedDossier => Msg::FlagRepeatedDossier,
        Flag::SourceCap => Msg::FlagSourceCap,
    })
}

/// For staff: the flags raised and each counter's ratings, verified share and response rate.
#[component]
fn IntegritySection(report: AgencyReport) -> impl IntoView {
    let lang = use_lang();
    let flags = report
        .flags
        .iter()
        .map(|f| {
            view! {
                <tr>
                    <th scope="row">{flag_text(f.flag)} " " <span class="qcode">{f.flag.as_str()}</span></th>
                    <td class="num">{count(lang, f.count)}</td>
                </tr>
            }
        })
        .collect_view();
    let activity = report
        .activity
        .iter()
        .map(|a| {
            let rate = a.response_rate.map(|r| percent(lang, r * 100.0)).unwrap_or_else(|| "–".into());
            let kiosk = a.kiosk_satisfied.map(|r| percent(lang, r * 100.0)).unwrap_or_else(|| "–".into());
            view! {
                <tr>
                    <th scope="row">{a.name.clone()}</th>
                    <td class="num">{count(lang, a.responses)}</td>
                    <td class="num">{count(lang, a.verified)}</td>
                    <td class="num">{count(lang, a.flagged)}</td>
                    <td class="num">{count(lang, a.tickets)}</td>
                    <td class="num">{rate}</td>
                    <td class="num">{count(lang, a.kiosk_presses)}</td>
                    <td class="num">{kiosk}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <h2>{t(Msg::DashboardIntegrity)}</h2>
        <p class="note">{t(Msg::IntegrityIntro)}</p>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t(Msg::DashboardIntegrity)}</th>
                        <th scope="col" class="num">{t(Msg::ColResponses)}</th>
                    </tr>
                </thead>
                <tbody>{flags}</tbody>
            </table>
        </div>
        <h2>{t(Msg::DashboardActivity)}</h2>
        <div class="table-wrap">
            <table>
                <thead>
                    <tr>
                        <th scope="col">{t(Msg::DashboardCounters)}</th>
                        <th scope="col" class="num">{t(Msg::ColResponses)}</th>
                        <th scope="col" class="num">{t(Msg::ColVerified)}</th>
                        <th scope="col" class="num">{t(Msg::ColFlagged)}</th>
                        <th scope="col" class="num">{t(Msg::ColTickets)}</th>
                        <th scope="col" class="num">{t(Msg::ColRate)}</th>
                        <th scope="col" class="num">{t(Msg::ColKioskPresses)}</th>
                        <th scope="col" class="num">{t(Msg::ColKioskSatisfied)}</th>
                    </tr>
                </thead>
                <tbody>{activity}</tbody>
            </table>
        </div>
        <p class="note">{t(Msg::RateNote)}</p>
    }
}
