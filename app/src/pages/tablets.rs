//! `/quan-tri/may-tinh-bang`: the kiosk tablets of the administrator's counters. A tablet's
//! presses count only once it is enrolled with a one-time code made here; revoking it refuses
//! its presses at once (handled in `server/src/admin.rs`, stored by `services::tablets`).

use crate::{
    context::{t, use_lang},
    i18n::Msg,
    pages::admin::{Csrf, with_admin_data},
};
use domain::forms::NewTabletCode;
use leptos::prelude::*;

#[component]
pub fn TabletsAdmin() -> impl IntoView {
    with_admin_data(Msg::AdminTablets, |user, data| {
        let lang = use_lang();
        let fresh = use_context::<NewTabletCode>().map(|n| {
            let text = Msg::TabletNewCode.fill(
                lang,
                &[("counter", n.counter_code.as_str()), ("code", n.code.as_str()), ("link", n.link.as_str())],
            );
            view! {
                <div class="ok" role="status">
                    <p>{text}</p>
                    <p><code class="secret">{n.code.clone()}</code></p>
                </div>
            }
        });
        let rows = data
            .tablets
            .iter()
            .map(|d| {
                let status = match (&d.enrolled_at, d.revoked) {
                    (_, true) => t(Msg::TabletRevoked).to_owned(),
                    (Some(at), false) => Msg::TabletEnrolled.fill(lang, &[("at", at.as_str())]),
                    (None, false) => t(Msg::TabletWaiting).to_owned(),
                };
                let revoke = (!d.revoked).then(|| {
                    view! {
                        <form method="post" action="/quan-tri/may-tinh-bang" class="inline">
                            <Csrf user=user.clone()/>
                            <input type="hidden" name="action" value="revoke"/>
                            <input type="hidden" name="id" value=d.id.to_string()/>
                            <button type="submit" class="link">{t(Msg::TabletRevoke)}</button>
                        </form>
                    }
                });
                view! {
                    <tr>
                        <th scope="row">{d.name.clone()}</th>
                        <td>{d.counter_name.clone()} " " <span class="qcode">{d.counter_code.clone()}</span></td>
                        <td>{status}</td>
                        <td>{revoke}</td>
                    </tr>
                }
            })
            .collect_view();
        let counters = data
            .counters
            .iter()
            .filter(|c| c.open)
            .map(|c| {
                let label = format!("{} – {} ({})", c.unit.name.get(lang), c.name, c.code);
                view! { <option value=c.code.clone()>{label}</option> }
            })
            .collect_view();
        view! {
            {fresh}
            <p>{t(Msg::TabletsIntro)}</p>
            <div class="table-wrap" tabindex="0">
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{t(Msg::FieldName)}</th>
                            <th scope="col">{t(Msg::ColCounter)}</th>
                            <th scope="col">{t(Msg::ColStatus)}</th>
                            <th scope="col">{t(Msg::ColActions)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h2 id="them-may">{t(Msg::TabletAdd)}</h2>
            <form method="post" action="/quan-tri/may-tinh-bang" class="narrow" aria-labelledby="them-may">
                <Csrf user=user.clone()/>
                <input type="hidden" name="action" value="create"/>
                <div class="field"><label for="tb-counter">{t(Msg::ColCounter)}</label>
                    <select id="tb-counter" name="counter">{counters}</select></div>
                <div class="field"><label for="tb-name">{t(Msg::TabletName)}</label>
                    <input id="tb-name" name="name" type="text" required maxlength="120"/></div>
                <button type="submit" class="primary">{t(Msg::TabletAdd)}</button>
            </form>
        }
    })
}
