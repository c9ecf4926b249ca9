//! The browser entry point. Pages are rendered on the server; only the components marked as
//! islands are hydrated here, so citizens download just the interactivity a page uses.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::hydrate();
}
