//! A counter's printable poster: the QR code, the unit and counter, and a one-line instruction
//! in Vietnamese. `?size=a5` sets the page to A5; the default is A4.

use crate::{app::t, data::load_poster, i18n::Msg, pages::not_found::ErrorView};
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
                            <article class=if a5 { "poster a5" } else { "poster a4" } lang="vi">
                                <p class="poster-agency">{info.agency_name.vi.clone()}</p>
                                <h1 class="poster-heading">{Msg::PosterHeading.text(crate::i18n::Lang::Vi)}</h1>
                                <div class="poster-qr" role="img" aria-label=info.survey_url.clone() inner_html=p.qr_svg></div>
                                <p class="poster-counter">{info.counter_name.clone()}</p>
                                <p class="poster-instruction">{Msg::PosterInstruction.text(crate::i18n::Lang::Vi)}</p>
                                <p class="poster-url">
                                    {Msg::PosterOrVisit.text(crate::i18n::Lang::Vi)} " " <strong>{info.survey_url.clone()}</strong>
                                </p>
                            </article>
                        }
                        .into_any()
                    }
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
