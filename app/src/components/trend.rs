//! Server-drawn SVG charts of the analytics pages: a trend line with its 95% band and the
//! target lines, and a weekday × hour heatmap. Both carry native `<title>` tooltips (which
//! need no JavaScript) and are always accompanied by a table with the same figures.

use crate::i18n::{Lang, Msg, count, percent};
use domain::dto::analytics::{Heatmap, Targets, TrendPoint};
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 34.0;

/// The lowest value the y axis starts at: ten below the lowest interval or target, rounded
/// down to a multiple of ten, so that differences stay visible without exaggerating them.
fn y_floor(points: &[TrendPoint], targets: &Targets) -> f64 {
    let lows = points
        .iter()
        .filter_map(|p| p.figure.ci95.map(|[lo, _]| lo).or(p.figure.index))
        .chain(targets.goal)
        .chain(targets.floor);
    let min = lows.fold(100.0_f64, f64::min);
    ((min - 10.0) / 10.0).floor().clamp(0.0, 9.0) * 10.0
}

/// A trend of the index with its 95% band, a dot per point with data (gaps where there is
/// none), and the goal and alert floor as dashed lines.
#[component]
pub fn TrendChart(points: Vec<TrendPoint>, targets: Targets, title: String, desc: String, lang: Lang) -> impl IntoView {
    let base = y_floor(&points, &targets);
    let y_of = move |v: f64| TOP + (HEIGHT - TOP - BOTTOM) * (100.0 - v.clamp(base, 100.0)) / (100.0 - base);
    let n = points.len().max(1);
    let step = (WIDTH - LEFT - RIGHT) / n as f64;
    let x_of = move |i: usize| LEFT + step * (i as f64 + 0.5);
    let grid = (0..=4)
        .map(|k| {
            let v = base + (100.0 - base) * f64::from(k) / 4.0;
            let y = y_of(v);
            view! {
                <line x1=LEFT y1=y x2=WIDTH - RIGHT y2=y class="grid"/>
                <text x=LEFT - 4.0 y=y + 4.0 text-anchor="end" class="tick">{format!("{v:.0}")}</text>
            }
        })
        .collect_view();
    // Label every point when they fit, else every k-th.
    let every = n.div_ceil(12).max(1);
    let labels = points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, p)| {
            view! { <text x=x_of(i) y=HEIGHT - BOTTOM + 16.0 text-anchor="middle" class="tick">{p.label.clone()}</text> }
        })
        .collect_view();
    let bands = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let [lo, hi] = p.figure.ci95?;
            let w = (step * 0.5).min(24.0);
            Some(view! { <rect x=x_of(i) - w / 2.0 y=y_of(hi) width=w height=(y_of(lo) - y_of(hi)).max(1.0) class="band"/> })
        })
        .collect_view();
    // The line joins consecutive points with data only.
    let mut segments = Vec::new();
    let mut current = String::new();
    for (i, p) in points.iter().enumerate() {
        match p.figure.index {
            Some(v) => {
                current.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if current.is_empty() { "M" } else { "L" },
                    x_of(i),
                    y_of(v)
                ));
            }
            None if !current.is_empty() => segments.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        segments.push(current);
    }
    let lines = segments.into_iter().map(|d| view! { <path d=d class="trend"/> }).collect_view();
    let dots = points
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let v = p.figure.index?;
            let tip = format!("{}: {} (n = {})", p.label, percent(lang, v), count(lang, p.figure.n));
            let class = if p.figure.low_sample { "dot low" } else { "dot" };
            Some(view! {
                <circle cx=x_of(i) cy=y_of(v) r=4 class=class>
                    <title>{tip}</title>
                </circle>
            })
        })
        .collect_view();
    let target_line = |value: Option<f64>, class: &'static str, label: Msg| {
        value.map(|v| {
            let y = y_of(v);
            view! {
                <line x1=LEFT y1=y x2=WIDTH - RIGHT y2=y class=class/>
                <text x=WIDTH - RIGHT - 2.0 y=y - 4.0 text-anchor="end" class=format!("{class}-label")>
                    {format!("{} {}", label.text(lang), percent(lang, v))}
                </text>
            }
        })
    };
    view! {
        <svg
            class="chart trend-chart"
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-labelledby="trend-title trend-desc"
            preserveAspectRatio="xMinYMin meet"
        >
            <title id="trend-title">{title}</title>
            <desc id="trend-desc">{desc}</desc>
            {grid}
            {labels}
            {bands}
            {target_line(targets.goal, "goal", Msg::TargetGoal)}
            {target_line(targets.floor, "floor", Msg::TargetFloor)}
            {lines}
            {dots}
        </svg>
    }
}

const WEEKDAYS: [Msg; 7] = [Msg::DayMon, Msg::DayTue, Msg::DayWed, Msg::DayThu, Msg::DayFri, Msg::DaySat, Msg::DaySun];

/// The short name of a weekday, Monday = 0.
pub fn weekday_text(lang: Lang, day: usize) -> &'static str {
    WEEKDAYS.get(day).map_or("", |m| m.text(lang))
}

/// Responses per weekday (rows) and hour (columns); darker is more. Each cell's tooltip gives
/// the count and how many were flagged.
#[component]
pub fn HeatmapChart(heatmap: Heatmap, title: String, lang: Lang) -> impl IntoView {
    const CELL: f64 = 24.0;
    const LABEL: f64 = 40.0;
    let width = LABEL + CELL * 24.0 + 4.0;
    let height = 18.0 + CELL * 7.0 + 4.0;
    let max = heatmap.max.max(1) as f64;
    let hours = (0..24)
        .filter(|h| h % 3 == 0)
        .map(|h| {
            view! { <text x=LABEL + CELL * (f64::from(h) + 0.5) y=12 text-anchor="middle" class="tick">{format!("{h}h")}</text> }
        })
        .collect_view();
    let rows = heatmap
        .cells
        .iter()
        .enumerate()
        .map(|(d, row)| {
            let y = 18.0 + CELL * d as f64;
            let cells = row
                .iter()
                .enumerate()
                .map(|(h, n)| {
                    let flagged = heatmap.flagged.get(d).and_then(|r| r.get(h)).copied().unwrap_or(0);
                    let tip = Msg::HeatmapCell.fill(
                        lang,
                        &[
                            ("day", weekday_text(lang, d)),
                            ("hour", &h.to_string()),
                            ("n", &count(lang, *n)),
                            ("flagged", &count(lang, flagged)),
                        ],
                    );
                    // Square root keeps quiet hours visible next to the rush.
                    let shade = if *n == 0 { 0.0 } else { 0.12 + 0.88 * (*n as f64 / max).sqrt() };
                    view! {
                        <rect
                            x=LABEL + CELL * h as f64 + 1.0
                            y=y + 1.0
                            width=CELL - 2.0
                            height=CELL - 2.0
                            class="cell"
                            fill-opacity=format!("{shade:.2}")
                        >
                            <title>{tip}</title>
                        </rect>
                    }
                })
                .collect_view();
            view! {
                <g>
                    <text x=LABEL - 6.0 y=y + CELL * 0.65 text-anchor="end" class="label">{weekday_text(lang, d)}</text>
                    <rect x=LABEL y=y width=CELL * 24.0 height=CELL class="row-bg"/>
                    {cells}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart heatmap"
            viewBox=format!("0 0 {width} {height}")
            role="img"
            aria-labelledby="heatmap-title"
            preserveAspectRatio="xMinYMin meet"
        >
            <title id="heatmap-title">{title}</title>
            {hours}
            {rows}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::{dto::IndexFigure, period::Period};

    fn point(index: Option<f64>, ci: Option<[f64; 2]>) -> TrendPoint {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        TrendPoint {
            label: "2026-01".into(),
            period: Period { from: day, to: day },
            figure: IndexFigure { index, ci95: ci, n: 10, low_sample: false },
        }
    }

    #[test]
    fn the_axis_starts_below_the_lowest_interval_and_target() {
        let none = Targets::default();
        assert_eq!(y_floor(&[point(Some(90.0), Some([85.0, 94.0]))], &none), 70.0);
        assert_eq!(y_floor(&[point(Some(40.0), Some([3.0, 60.0]))], &none), 0.0);
        assert_eq!(y_floor(&[], &none), 90.0);
        let targets = Targets { goal: Some(95.0), floor: Some(60.0), from: None };
        assert_eq!(y_floor(&[point(Some(90.0), Some([85.0, 94.0]))], &targets), 50.0);
    }
}
