//! A horizontal bar chart of indices with their 95% intervals, drawn as SVG on the server: it
//! needs no JavaScript, prints well, and scales on any screen. The same figures are always also
//! given as a table next to it, for screen readers and for copying.

use crate::i18n::{Lang, percent};
use domain::dto::CodedFigure;
use leptos::prelude::*;

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 70.0;
const RIGHT_PAD: f64 = 56.0;
const ROW_H: f64 = 26.0;
const TOP: f64 = 22.0;

fn x_of(value: f64) -> f64 {
    LABEL_W + (WIDTH - LABEL_W - RIGHT_PAD) * value.clamp(0.0, 100.0) / 100.0
}

/// One row per figure: `(label, figure, is_heading)`; heading rows (elements) are drawn bold.
#[component]
pub fn IndexChart(
    rows: Vec<(CodedFigure, bool)>,
    /// Accessible name of the chart.
    title: String,
    /// Longer description, e.g. the period.
    desc: String,
    /// Language for the value labels.
    lang: Lang,
) -> impl IntoView {
    let height = TOP + ROW_H * rows.len() as f64 + 8.0;
    let grid = [0.0, 25.0, 50.0, 75.0, 100.0]
        .into_iter()
        .map(|g| {
            let x = x_of(g);
            view! {
                <line x1=x y1=TOP - 4.0 x2=x y2=height - 6.0 class="grid"/>
                <text x=x y=TOP - 8.0 text-anchor="middle" class="tick">{format!("{g:.0}")}</text>
            }
        })
        .collect_view();
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (row, heading))| {
            let y = TOP + ROW_H * i as f64;
            let mid = y + ROW_H / 2.0;
            let label_class = if heading { "label heading" } else { "label" };
            let bar = row.figure.index.map(|v| {
                let class = if heading { "bar heading" } else { "bar" };
                view! {
                    <rect x=LABEL_W y=y + 5.0 width=(x_of(v) - LABEL_W).max(0.5) height=ROW_H - 10.0 class=class/>
                    <text x=x_of(100.0) + 6.0 y=mid + 4.0 class="value">{percent(lang, v)}</text>
                }
            });
            let whisker = row.figure.ci95.map(|[lo, hi]| {
                let (x1, x2) = (x_of(lo), x_of(hi));
                view! {
                    <line x1=x1 y1=mid x2=x2 y2=mid class="ci"/>
                    <line x1=x1 y1=mid - 5.0 x2=x1 y2=mid + 5.0 class="ci"/>
                    <line x1=x2 y1=mid - 5.0 x2=x2 y2=mid + 5.0 class="ci"/>
                }
            });
            view! {
                <g>
                    <text x=4 y=mid + 4.0 class=label_class>{row.code.clone()}</text>
                    {bar}
                    {whisker}
                </g>
            }
        })
        .collect_view();
    view! {
        <svg
            class="chart"
            viewBox=format!("0 0 {WIDTH} {height}")
            role="img"
            aria-labelledby="chart-title chart-desc"
            preserveAspectRatio="xMinYMin meet"
        >
            <title id="chart-title">{title}</title>
            <desc id="chart-desc">{desc}</desc>
            {grid}
            {bars}
        </svg>
    }
}
