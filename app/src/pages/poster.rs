//! A counter's printable poster: the QR code, the unit and counter, and a one-line instruction
//! in Vietnamese. `?size=a5` sets the page to A5; the default is A4.

use crate::{context::t, data::load_poster, i18n::Msg, pages::not_found::ErrorView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn PosterPage() -> impl IntoView {
    let code = use_params_map().get_untracked().get("code").unwrap_or_default();
    let a5 = use_query_map().get_untracked().get("size").as_deref() == Some("a5");
    let data = Resource::new(move || code.clone(), load_poster);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(p) => {
                        let info = p.info;
                        let page_css = format!(
                            "@page{{size:{} portrait;margin:10mm}}",
                            if a5 { "A5" } else { "A4" },
                        );
                        let base = format!("/s/{}/poster", info.counter_code);
                        view! {
                            <Title text=format!("{} – {}", t(Msg::PosterPrint), info.counter_name)/>
                            <style inner_html=page_css></style>
                            <p class="no-print poster-tools">
                                <a href=base.clone()>{t(Msg::PosterSizeA4)}</a>
                                " · "
                                <a href=format!("{base}?size=a5")>{t(Msg::PosterSizeA5)}</a>
                            </p>
                            <PosterSheet
                                code=info.counter_code.clone()
                                name=info.counter_name.clone()
                                unit=info.agency_name.vi.clone()
                                url=info.survey_url.clone()
                                qr_svg=p.qr_svg
                                a5
                            />
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// One printed poster. The QR code is inlined when given, else loaded as an image (bulk
/// printing of many posters).
#[component]
pub fn PosterSheet(
    code: String,
    name: String,
    unit: String,
    url: String,
    #[prop(optional)] qr_svg: Option<String>,
    #[prop(optional)] a5: bool,
) -> impl IntoView {
    let vi = crate::i18n::Lang::Vi;
    let qr = match qr_svg {
        Some(svg) => {
            view! { <div class="poster-qr" role="img" aria-label=url.clone() inner_html=svg></div> }.into_any()
        }
        None => view! {
            <div class="poster-qr"><img src=format!("/s/{code}/qr.svg") alt=url.clone() width="320" height="320"/></div>
        }
        .into_any(),
    };
    view! {
        <article class=if a5 { "poster a5" } else { "poster a4" } lang="vi">
            <p class="poster-agency">{unit}</p>
            <h1 class="poster-heading">{Msg::PosterHeading.text(vi)}</h1>
            {qr}
            <p class="poster-counter">{name}</p>
            <p class="poster-instruction">{Msg::PosterInstruction.text(vi)}</p>
            <p class="poster-url">{Msg::PosterOrVisit.text(vi)} " " <strong>{url}</strong></p>
        </article>
    }
}
