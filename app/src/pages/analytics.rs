//! The analytics sections of a unit's dashboard and of its quarterly report: trend with target
//! lines, change against the period before, ranking among siblings, and for the unit's staff
//! the activity, heatmap, alerts, comments, targets, exports and scorecards. Every chart has a
//! table with the same figures; every form is a plain HTML form.

use crate::{
    components::{
        figures::{FigureCells, FigureHeads, index_text, interval_text},
        trend::{HeatmapChart, TrendChart, weekday_text},
    },
    context::{signed_in, t, use_lang},
    i18n::{Lang, Msg, count, decimal, percent},
};
use domain::{
    buckets::Step,
    dto::{
        ReportParams,
        analytics::{
            ActivitySummary, AlertView, Change, CommentView, Heatmap, Ranking, SampleTarget, Scorecards,
            StaffAnalytics, Targets, Trend,
        },
    },
    scorecard::{self, Band, Indicator, Measure766, Source},
};
use leptos::prelude::*;

/// `3`, or `2–5` when the intervals allow several ranks; `–` without data.
pub fn rank_text(rank: Option<(usize, usize)>) -> String {
    match rank {
        Some((a, b)) if a == b => a.to_string(),
        Some((a, b)) => format!("{a}–{b}"),
        None => "–".into(),
    }
}

/// `+2,3` / `−1,0` percentage points.
fn points_text(lang: Lang, delta: f64) -> String {
    let sign = if delta > 0.0 {
        "+"
    } else if delta < 0.0 {
        "−"
    } else {
        "±"
    };
    format!("{sign}{}", decimal(lang, delta.abs()))
}

fn step_text(step: Step) -> &'static str {
    t(match step {
        Step::Month => Msg::StepMonth,
        Step::Quarter => Msg::StepQuarter,
        Step::Year => Msg::StepYear,
    })
}

/// The unit's targets, and whose they are when inherited.
#[component]
pub fn TargetsLine(targets: Targets) -> impl IntoView {
    let lang = use_lang();
    if targets.goal.is_none() && targets.floor.is_none() {
        return view! { <p class="note">{t(Msg::TargetsNone)}</p> }.into_any();
    }
    let goal =
        targets.goal.map(|g| view! { <span>{t(Msg::TargetGoal)} " " <strong>{percent(lang, g)}</strong></span> });
    let floor = targets
        .floor
        .map(|f| view! { <span>" · " {t(Msg::TargetFloor)} " " <strong>{percent(lang, f)}</strong></span> });
    let from =
        targets.from.map(|(_, name)| format!(" ({})", Msg::TargetsInherited.fill(lang, &[("unit", name.get(lang))])));
    view! { <p class="targets">{goal} {floor} {from}</p> }.into_any()
}

/// The index over the period by month, quarter or year: chart and table.
#[component]
pub fn TrendSection(
    trend: Trend,
    targets: Targets,
    name: String,
    /// Show the table unfolded (printed reports).
    #[prop(optional)]
    open: bool,
) -> impl IntoView {
    let lang = use_lang();
    let coarser = trend.asked.map(|asked| {
        view! {
            <p class="note">
                {Msg::TrendCoarser.fill(lang, &[("asked", step_text(asked)), ("shown", step_text(trend.step))])}
            </p>
        }
    });
    let rows = trend
        .points
        .iter()
        .map(|p| {
            view! {
                <tr>
                    <th scope="row">{p.label.clone()}</th>
                    <FigureCells figure=p.figure.clone()/>
                </tr>
            }
        })
        .collect_view();
    let has_data = trend.points.iter().any(|p| p.figure.index.is_some());
    view! {
        <section class="trend" aria-labelledby="trend-h">
            <h2 id="trend-h">{format!("{} ({})", t(Msg::TrendTitle), step_text(trend.step))}</h2>
            {coarser}
            <TargetsLine targets=targets.clone()/>
            {if has_data {
                view! {
                    <TrendChart
                        points=trend.points.clone()
                        targets=targets
                        title=format!("{} – {name}", t(Msg::TrendTitle))
                        desc=t(Msg::TrendDesc).to_owned()
                        lang=lang
                    />
                }
                .into_any()
            } else {
                view! { <p class="no-data">{t(Msg::NoData)}</p> }.into_any()
            }}
            <details class="table-details" open=open>
                <summary>{t(Msg::TrendTable)}</summary>
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">{t(Msg::ColPeriod)}</th>
                                <FigureHeads/>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

/// The change against the period of the same length before, and whether it is beyond chance.
#[component]
pub fn ChangeLine(change: Change) -> impl IntoView {
    let lang = use_lang();
    let (from, to) =
        (change.previous.from.format("%d/%m/%Y").to_string(), change.previous.to.format("%d/%m/%Y").to_string());
    let before = Msg::ChangeBefore.fill(
        lang,
        &[
            ("from", &from),
            ("to", &to),
            ("index", &index_text(&change.previous_figure)),
            ("n", &count(lang, change.previous_figure.n)),
        ],
    );
    let verdict = match change.delta {
        None => view! { <span class="change none">{t(Msg::ChangeNone)}</span> }.into_any(),
        Some(d) => {
            let (class, marker, note) = if change.significant {
                (
                    if d > 0.0 { "change up" } else { "change down" },
                    if d > 0.0 { "▲ " } else { "▼ " },
                    Msg::ChangeSignificant,
                )
            } else {
                ("change flat", "", Msg::ChangeNotSignificant)
            };
            view! {
                <span class=class>
                    <strong>{marker} {Msg::ChangePoints.fill(lang, &[("delta", &points_text(lang, d))])}</strong>
                    " (" {t(note)} ")"
                </span>
            }
            .into_any()
        }
    };
    view! {
        <p class="change-line">
            {before} " → " {verdict}
        </p>
    }
}

/// The unit among its siblings: honest ranks (a range when intervals overlap).
#[component]
pub fn RankingSection(ranking: Ranking, query: String) -> impl IntoView {
    let lang = use_lang();
    if ranking.rows.len() < 2 {
        return ().into_any();
    }
    let title = match &ranking.parent {
        Some((_, name)) => Msg::RankingTitle.fill(lang, &[("unit", name.get(lang))]),
        None => t(Msg::RankingTop).to_owned(),
    };
    let rows = ranking
        .rows
        .iter()
        .map(|r| {
            let class = if r.me { "me" } else { "" };
            let current = r.me.then_some("true");
            view! {
                <tr class=class aria-current=current>
                    <td class="num">{rank_text(r.rank)}</td>
                    <th scope="row">
                        <a href=format!("/dashboard/{}{query}", r.code)>{r.name.get(lang).to_owned()}</a>
                    </th>
                    <FigureCells figure=r.figure.clone()/>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="ranking-h">
            <h2 id="ranking-h">{title}</h2>
            <p class="note">{t(Msg::RankingNote)}</p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col" class="num">{t(Msg::ColRank)}</th>
                            <th scope="col">{t(Msg::ColUnit)}</th>
                            <FigureHeads/>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

fn share(lang: Lang, part: u64, whole: u64) -> String {
    if whole == 0 { "–".into() } else { percent(lang, part as f64 * 100.0 / whole as f64) }
}

fn channel_text(channel: &str) -> &'static str {
    t(match channel {
        "qr" => Msg::ChannelQr,
        "kiosk" => Msg::ChannelKiosk,
        "api" => Msg::ChannelApi,
        "paper" => Msg::ChannelPaper,
        _ => Msg::KindOther,
    })
}

/// The MoHA sample-size target and whether it was reached.
#[component]
pub fn SampleLine(sample: SampleTarget) -> impl IntoView {
    let lang = use_lang();
    match (sample.target, sample.reached) {
        (Some(target), Some(reached)) => {
            let text = Msg::SampleTarget.fill(
                lang,
                &[
                    ("tickets", &count(lang, sample.tickets)),
                    ("target", &count(lang, target)),
                    ("n", &count(lang, sample.respondents)),
                ],
            );
            let (class, verdict) =
                if reached { ("ok-badge", Msg::SampleReached) } else { ("badge", Msg::SampleNotReached) };
            view! { <p>{text} " " <span class=class>{t(verdict)}</span></p> }.into_any()
        }
        _ => view! { <p class="note">{t(Msg::SampleUnknown)}</p> }.into_any(),
    }
}

/// Volume, response rate, channel mix, verified and flagged shares.
#[component]
pub fn ActivitySection(activity: ActivitySummary) -> impl IntoView {
    let lang = use_lang();
    let all = activity.responses + activity.kiosk_presses;
    let rate = activity.response_rate.map(|r| percent(lang, r * 100.0)).unwrap_or_else(|| "–".into());
    let channels = activity
        .channels
        .iter()
        .map(|c| {
            view! {
                <tr>
                    <th scope="row">{channel_text(&c.channel)}</th>
                    <td class="num">{count(lang, c.n)}</td>
                    <td class="num">{share(lang, c.n, all)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="activity-h">
            <h2 id="activity-h">{t(Msg::ActivityTitle)}</h2>
            <dl class="stats">
                <div><dt>{t(Msg::ColResponses)}</dt><dd>{count(lang, activity.responses)}</dd></div>
                <div><dt>{t(Msg::ColKioskPresses)}</dt><dd>{count(lang, activity.kiosk_presses)}</dd></div>
                <div><dt>{t(Msg::ColTickets)}</dt><dd>{count(lang, activity.tickets)}</dd></div>
                <div><dt>{t(Msg::ColRate)}</dt><dd>{rate}</dd></div>
                <div><dt>{t(Msg::ShareVerified)}</dt><dd>{share(lang, activity.verified, all)}</dd></div>
                <div><dt>{t(Msg::ShareFlagged)}</dt><dd>{share(lang, activity.flagged, all)}</dd></div>
            </dl>
            <SampleLine sample=activity.sample.clone()/>
            <div class="table-wrap">
                <table>
                    <caption>{t(Msg::ChannelMix)}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::ColChannel)}</th>
                            <th scope="col" class="num">{t(Msg::ColResponses)}</th>
                            <th scope="col" class="num">{t(Msg::ColShare)}</th>
                        </tr>
                    </thead>
                    <tbody>{channels}</tbody>
                </table>
            </div>
            <p class="note">{t(Msg::RateNote)}</p>
        </section>
    }
}

/// Responses per weekday and hour: chart and, folded, the table.
#[component]
fn HeatmapSection(heatmap: Heatmap) -> impl IntoView {
    let lang = use_lang();
    let head = (0..24).map(|h| view! { <th scope="col" class="num">{h}</th> }).collect_view();
    let rows = heatmap
        .cells
        .iter()
        .enumerate()
        .map(|(d, row)| {
            let cells = row.iter().map(|n| view! { <td class="num">{count(lang, *n)}</td> }).collect_view();
            view! { <tr><th scope="row">{weekday_text(lang, d)}</th>{cells}</tr> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="heatmap-h">
            <h2 id="heatmap-h">{t(Msg::HeatmapTitle)}</h2>
            {if heatmap.max == 0 {
                view! { <p class="no-data">{t(Msg::NoData)}</p> }.into_any()
            } else {
                view! { <HeatmapChart heatmap=heatmap.clone() title=t(Msg::HeatmapTitle).to_owned() lang=lang/> }.into_any()
            }}
            <details class="table-details">
                <summary>{t(Msg::HeatmapTable)}</summary>
                <div class="table-wrap">
                    <table class="compact">
                        <thead><tr><th scope="col">{t(Msg::ColDay)}</th>{head}</tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </section>
    }
}

fn alert_text(lang: Lang, a: &AlertView) -> String {
    let msg = match a.kind.as_str() {
        "below_floor" => Msg::AlertBelowFloor,
        "significant_drop" => Msg::AlertDrop,
        _ => Msg::AlertCounterAnomaly,
    };
    msg.fill(
        lang,
        &[
            ("unit", a.unit.get(lang)),
            ("counter", a.counter.as_deref().unwrap_or("")),
            ("value", &percent(lang, a.value)),
            ("reference", &percent(lang, a.reference)),
            ("n", &count(lang, a.n)),
        ],
    )
}

#[component]
fn AlertsSection(alerts: Vec<AlertView>) -> impl IntoView {
    let lang = use_lang();
    if alerts.is_empty() {
        return view! { <p class="note">{t(Msg::AlertsNone)}</p> }.into_any();
    }
    let items = alerts
        .iter()
        .map(|a| {
            view! {
                <li>
                    <a href=format!("/dashboard/{}", a.code)>{alert_text(lang, a)}</a>
                    " · " {a.opened_at.with_timezone(&domain::period::vn_offset()).format("%d/%m/%Y %H:%M").to_string()}
                </li>
            }
        })
        .collect_view();
    view! {
        <div class="alerts" role="alert">
            <h2>{t(Msg::AlertsTitle)}</h2>
            <ul>{items}</ul>
        </div>
    }
    .into_any()
}

#[component]
fn CommentsSection(comments: Vec<CommentView>, may_moderate: bool, action: String, csrf: String) -> impl IntoView {
    let lang = use_lang();
    let items = comments
        .into_iter()
        .map(|c| {
            let when = c.at.with_timezone(&domain::period::vn_offset()).format("%d/%m/%Y %H:%M").to_string();
            let form = may_moderate.then(|| {
                let id = c.response_id.to_string();
                view! {
                    <details class="hide-comment">
                        <summary>{t(Msg::CommentHide)}</summary>
                        <form method="post" action=action.clone()>
                            <input type="hidden" name="csrf" value=csrf.clone()/>
                            <input type="hidden" name="action" value="hide_comment"/>
                            <input type="hidden" name="response_id" value=id.clone()/>
                            <label>
                                {t(Msg::CommentHideReason)}
                                <input type="text" name="reason" maxlength="300" required/>
                            </label>
                            <button type="submit">{t(Msg::CommentHide)}</button>
                        </form>
                    </details>
                }
            });
            view! {
                <li>
                    <blockquote>{c.text}</blockquote>
                    <p class="meta">{c.unit.get(lang).to_owned()} " · " {c.counter} " · " {when}</p>
                    {form}
                </li>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="comments-h">
            <h2 id="comments-h">{t(Msg::CommentsTitle)}</h2>
            <p class="note">{t(Msg::CommentsNote)}</p>
            <ul class="comments">{items}</ul>
        </section>
    }
}

fn indicator_text(i: Indicator) -> &'static str {
    t(match i {
        Indicator::TotalTime => Msg::Tt01TotalTime,
        Indicator::AgencyTime => Msg::Tt01AgencyTime,
        Indicator::Contacts => Msg::Tt01Contacts,
        Indicator::Agencies => Msg::Tt01Agencies,
        Indicator::OneStop => Msg::Tt01OneStop,
        Indicator::Publicity => Msg::Tt01Publicity,
        Indicator::Attitude => Msg::Tt01Attitude,
        Indicator::Feedback => Msg::Tt01Feedback,
        Indicator::Online => Msg::Tt01Online,
    })
}

fn band_text(b: Band) -> &'static str {
    t(match b {
        Band::Excellent => Msg::BandExcellent,
        Band::Good => Msg::BandGood,
        Band::Fair => Msg::BandFair,
        Band::Average => Msg::BandAverage,
        Band::Weak => Msg::BandWeak,
    })
}

fn measure_text(m: Measure766) -> &'static str {
    t(match m {
        Measure766::FeedbackOnTime => Msg::M766OnTime,
        Measure766::FeedbackSatisfaction => Msg::M766Answers,
        Measure766::DossierSatisfaction => Msg::M766Dossiers,
    })
}

/// The TT 01/2018 scorecard, the 766 satisfaction group and the sample target.
#[component]
pub fn ScorecardSection(scorecards: Scorecards) -> impl IntoView {
    let lang = use_lang();
    let s = scorecards;
    let indicators = s
        .indicators
        .iter()
        .map(|i| {
            let (score, note) = match (i.score, i.source) {
                (Some(v), _) => (decimal(lang, v), String::new()),
                (None, Source::NotAvailable) => ("–".into(), t(Msg::ScoreNotAvailable).to_owned()),
                (None, _) => ("–".into(), t(Msg::ScoreNoData).to_owned()),
            };
            let source = match i.source {
                Source::Citizens => t(Msg::ScoreFromCitizens),
                Source::Feedback => t(Msg::ScoreFromFeedback),
                Source::NotAvailable => "",
            };
            view! {
                <tr>
                    <td class="num">{i.indicator.number()}</td>
                    <th scope="row">{indicator_text(i.indicator)}</th>
                    <td class="num">{score}</td>
                    <td class="num">{count(lang, i.n)}</td>
                    <td>{source} {note}</td>
                </tr>
            }
        })
        .collect_view();
    // The official total only with all nine indicators; a total rescaled from fewer is said not
    // to be it; below five indicators, no band at all.
    let with_data = s.indicators.iter().filter(|i| i.score.is_some()).count();
    let total = match (s.total, s.total18, s.band) {
        (Some(total), _, Some(band)) if s.official => {
            Msg::ScoreTotalOfficial.fill(lang, &[("total", &decimal(lang, total)), ("band", band_text(band))])
        }
        (Some(total), Some(t18), Some(band)) => Msg::ScoreTotal.fill(
            lang,
            &[
                ("total", &decimal(lang, total)),
                ("max", &decimal(lang, s.max)),
                ("k", &with_data.to_string()),
                ("missing", &(9 - with_data.min(9)).to_string()),
                ("total18", &decimal(lang, t18)),
                ("band", band_text(band)),
            ],
        ),
        (Some(total), _, _) => Msg::ScoreTotalNoBand.fill(
            lang,
            &[
                ("total", &decimal(lang, total)),
                ("max", &decimal(lang, s.max)),
                ("k", &with_data.to_string()),
                ("min", &scorecard::MIN_INDICATORS_FOR_BAND.to_string()),
            ],
        ),
        _ => t(Msg::ScoreNoTotal).to_owned(),
    };
    let measures = s
        .measures_766
        .iter()
        .map(|m| {
            view! {
                <tr>
                    <th scope="row">{measure_text(m.measure)}</th>
                    <td class="num">{m.rate.map(|r| percent(lang, r)).unwrap_or_else(|| t(Msg::NoData).to_owned())}</td>
                    <td class="num">{count(lang, m.n)}</td>
                    <td class="num">
                        {m.points.map(|p| decimal(lang, p)).unwrap_or_else(|| "–".into())} " / " {decimal(lang, m.max_points)}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let total_766 = s
        .points_766
        .map(|p| Msg::Score766Total.fill(lang, &[("points", &decimal(lang, p)), ("max", &decimal(lang, s.max_766))]));
    view! {
        <section aria-labelledby="tt01-h" class="scorecard">
            <h2 id="tt01-h">{t(Msg::Tt01Title)}</h2>
            <p class="note">{t(Msg::Tt01Note)}</p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col" class="num">"#"</th>
                            <th scope="col">{t(Msg::ColIndicator)}</th>
                            <th scope="col" class="num">{t(Msg::ColPoints)}</th>
                            <th scope="col" class="num">{t(Msg::ColN)}</th>
                            <th scope="col">{t(Msg::ColSource)}</th>
                        </tr>
                    </thead>
                    <tbody>{indicators}</tbody>
                </table>
            </div>
            <p class="total"><strong>{total}</strong></p>
        </section>
        <section aria-labelledby="m766-h" class="scorecard">
            <h2 id="m766-h">{t(Msg::M766Title)}</h2>
            <p class="note">
                {Msg::M766Note.fill(lang, &[("target", &percent(lang, s.target_766))])}
            </p>
            <div class="table-wrap">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::ColMeasure)}</th>
                            <th scope="col" class="num">{t(Msg::ColRateValue)}</th>
                            <th scope="col" class="num">{t(Msg::ColN)}</th>
                            <th scope="col" class="num">{t(Msg::ColPoints)}</th>
                        </tr>
                    </thead>
                    <tbody>{measures}</tbody>
                </table>
            </div>
            {total_766.map(|text| view! { <p class="total"><strong>{text}</strong></p> })}
            <h3>{t(Msg::SampleTitle)}</h3>
            <SampleLine sample=s.sample.clone()/>
        </section>
    }
}

/// The hidden fields that carry a report's filters into a form.
fn filter_fields(params: &ReportParams) -> impl IntoView + use<> {
    let pairs = [
        ("from", params.from.clone()),
        ("to", params.to.clone()),
        ("rollup", params.rollup.clone()),
        ("basis", params.basis.clone()),
        ("questionnaire", params.questionnaire.clone()),
        ("step", params.step.clone()),
    ];
    pairs.into_iter().filter_map(|(k, v)| v.map(|v| view! { <input type="hidden" name=k value=v/> })).collect_view()
}

/// What the unit's staff see below the public figures.
#[component]
pub fn StaffSection(staff: StaffAnalytics, code: String, params: ReportParams) -> impl IntoView {
    let lang = use_lang();
    let csrf = signed_in().map(|u| u.csrf_token).unwrap_or_default();
    let action = format!("/dashboard/{code}");
    let targets_form = staff.own_targets.clone().filter(|_| staff.may_set_targets).map(|own| {
        let value = |v: Option<f64>| v.map(|v| decimal(lang, v)).unwrap_or_default();
        view! {
            <section aria-labelledby="targets-h">
                <h2 id="targets-h">{t(Msg::TargetsTitle)}</h2>
                <form method="post" action=action.clone() class="targets-form">
                    <input type="hidden" name="csrf" value=csrf.clone()/>
                    <input type="hidden" name="action" value="targets"/>
                    <div class="row">
                        <label>
                            {t(Msg::TargetGoal)} " (%)"
                            <input type="text" inputmode="decimal" name="goal" value=value(own.goal) size="6"/>
                        </label>
                        <label>
                            {t(Msg::TargetFloor)} " (%)"
                            <input type="text" inputmode="decimal" name="floor" value=value(own.floor) size="6"/>
                        </label>
                    </div>
                    <label>
                        {t(Msg::TargetAlertTo)}
                        <input type="text" name="alert_to" value=own.alert_to.clone() autocomplete="email"/>
                    </label>
                    <p class="hint">{t(Msg::TargetsHint)}</p>
                    <button type="submit">{t(Msg::Save)}</button>
                </form>
            </section>
        }
    });
    let report_link = format!("/bao-cao/{code}");
    view! {
        <AlertsSection alerts=staff.alerts.clone()/>
        <ActivitySection activity=staff.activity.clone()/>
        <HeatmapSection heatmap=staff.heatmap.clone()/>
        <CommentsSection comments=staff.comments.clone() may_moderate=staff.may_moderate action=action.clone() csrf=csrf.clone()/>
        <ScorecardSection scorecards=staff.scorecards.clone()/>
        {targets_form}
        <section aria-labelledby="export-h" class="no-print">
            <h2 id="export-h">{t(Msg::ExportTitle)}</h2>
            <p><a href=report_link>{t(Msg::ReportLink)}</a></p>
            <form method="post" action=action.clone() class="export-form">
                <input type="hidden" name="csrf" value=csrf.clone()/>
                <input type="hidden" name="action" value="export"/>
                {filter_fields(&params)}
                <fieldset>
                    <legend>{t(Msg::ExportWhat)}</legend>
                    <label><input type="radio" name="kind" value="indices" checked/> {t(Msg::ExportIndices)}</label>
                    <label><input type="radio" name="kind" value="responses"/> {t(Msg::ExportResponses)}</label>
                </fieldset>
                <fieldset>
                    <legend>{t(Msg::ExportFormat)}</legend>
                    <label><input type="radio" name="format" value="xlsx" checked/> "Excel (XLSX)"</label>
                    <label><input type="radio" name="format" value="csv"/> "CSV"</label>
                </fieldset>
                <p class="hint">{t(Msg::ExportHint)}</p>
                <button type="submit">{t(Msg::ExportStart)}</button>
            </form>
        </section>
    }
}

/// The trend-step choice of the filter form.
#[component]
pub fn StepSelect(step: Step) -> impl IntoView {
    let option =
        |value: Step| view! { <option value=value.as_str() selected=step == value>{step_text(value)}</option> };
    view! {
        <label>
            {t(Msg::TrendStep)}
            <select name="step">{option(Step::Month)} {option(Step::Quarter)} {option(Step::Year)}</select>
        </label>
    }
}

/// The figure of a unit in one line, for headings of printed pages.
pub fn figure_line(lang: Lang, f: &domain::dto::IndexFigure) -> String {
    let ci = interval_text(f);
    if f.index.is_none() {
        return index_text(f);
    }
    format!("{} ({} {ci}; n = {})", index_text(f), t(Msg::ColInterval), count(lang, f.n))
}
