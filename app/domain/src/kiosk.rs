//! Rules of kiosk tablets shared by the page, its island and the server.

/// Ratings at or below this value (on the three-face scale) ask "why?".
pub const LOW_RATING: u8 = 1;

/// Reasons a citizen can tap after a low rating; codes travel and are stored, texts are in
/// `locales/` (`reason_{code}`).
pub const REASONS: [&str; 5] = ["wait", "attitude", "guidance", "procedure", "other"];
