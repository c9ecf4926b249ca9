//! Export pages: `/xuat` lists the signed-in user's exports, `/xuat/{id}` shows one with its
//! progress (the page reloads itself every two seconds while the file is being written, with no
//! JavaScript) and the download link once it is ready.

use crate::{
    context::{require_sign_in, t, use_lang},
    data::{load_export, load_exports},
    i18n::{Lang, Msg, count},
    pages::not_found::ErrorView,
};
use domain::dto::analytics::ExportView;
use leptos::prelude::*;
use leptos_meta::{Meta, Title};
use leptos_router::hooks::use_params_map;

fn kind_text(kind: &str) -> &'static str {
    t(if kind == "responses" { Msg::ExportResponses } else { Msg::ExportIndices })
}

fn status_text(status: &str) -> &'static str {
    t(match status {
        "queued" => Msg::ExportQueued,
        "running" => Msg::ExportRunning,
        "done" => Msg::ExportDone,
        "expired" => Msg::ExportExpired,
        _ => Msg::ExportFailed,
    })
}

fn size_text(lang: Lang, bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", crate::i18n::decimal(lang, bytes as f64 / f64::from(1u32 << 20)))
    } else {
        format!("{} kB", count(lang, bytes.div_ceil(1024)))
    }
}

fn describe(lang: Lang, e: &ExportView) -> String {
    format!(
        "{} · {} · {} · {}–{}",
        kind_text(&e.kind),
        e.format.to_uppercase(),
        e.unit.get(lang),
        e.period.from.format("%d/%m/%Y"),
        e.period.to.format("%d/%m/%Y")
    )
}

#[component]
pub fn ExportPage() -> impl IntoView {
    let Some(_user) = require_sign_in() else { return ().into_any() };
    let id = use_params_map().get_untracked().get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
    let data = Resource::new(move || id, load_export);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(export) => view! { <ExportBody export/> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}

#[component]
fn ExportBody(export: ExportView) -> impl IntoView {
    let lang = use_lang();
    let e = export;
    let waiting = e.status == "queued" || e.status == "running";
    let progress = (e.rows_total > 0).then(|| {
        let pct = (e.rows_done.min(e.rows_total) * 100) / e.rows_total.max(1);
        view! {
            <p>
                <progress max=e.rows_total.to_string() value=e.rows_done.to_string()>{format!("{pct}%")}</progress>
                " " {Msg::ExportProgress.fill(lang, &[("done", &count(lang, e.rows_done)), ("total", &count(lang, e.rows_total))])}
            </p>
        }
    });
    let outcome = match e.status.as_str() {
        "done" => view! {
            <p>
                <a class="button" href=format!("/xuat/{}/tai-ve", e.id) download="">
                    {t(Msg::ExportDownload)} " (" {size_text(lang, e.bytes)} ")"
                </a>
            </p>
            <p class="note">{t(Msg::ExportKept)}</p>
        }
        .into_any(),
        "failed" => view! { <p class="error-summary" role="alert">{t(Msg::ExportFailed)}</p> }.into_any(),
        "expired" => view! { <p class="note">{t(Msg::ExportExpired)}</p> }.into_any(),
        _ => view! { <p class="note">{t(Msg::ExportWait)}</p> }.into_any(),
    };
    view! {
        <Title text=t(Msg::ExportTitle)/>
        {waiting.then(|| view! { <Meta http_equiv="refresh" content="2"/> })}
        <h1>{t(Msg::ExportTitle)}</h1>
        <p>{describe(lang, &e)}</p>
        <p role="status" aria-live="polite"><strong>{status_text(&e.status)}</strong></p>
        {progress}
        {outcome}
        <p><a href="/xuat">{t(Msg::ExportAll)}</a></p>
    }
}

#[component]
pub fn ExportsPage() -> impl IntoView {
    let Some(_user) = require_sign_in() else { return ().into_any() };
    let data = Resource::new(|| (), |()| load_exports());
    let lang = use_lang();
    view! {
        <Title text=t(Msg::ExportAll)/>
        <h1>{t(Msg::ExportAll)}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) if list.is_empty() => view! { <p class="note">{t(Msg::ExportNone)}</p> }.into_any(),
                    Ok(list) => {
                        let items = list
                            .iter()
                            .map(|e| {
                                view! {
                                    <li>
                                        <a href=format!("/xuat/{}", e.id)>{describe(lang, e)}</a>
                                        " – " {status_text(&e.status)}
                                    </li>
                                }
                            })
                            .collect_view();
                        view! { <ul class="exports">{items}</ul> }.into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
    .into_any()
}
