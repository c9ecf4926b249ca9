//! Open311 GeoReport v2 (placeholder, being written).
