//! Open311 GeoReport v2 (placeholder, being written).

use app::server::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}
