//! Working days in Vietnam (placeholder, being written).
