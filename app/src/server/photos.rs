//! Citizens' photos (placeholder, being written).
