//! The product's HTML forms as the page that renders them and the handler that reads them both
//! see them: each form's field names, and what a refused form carries back to its page (the
//! values typed, every problem) so the page can show it again. Handlers put these into the
//! page's context; pages read them from it. Nothing here knows HTML or HTTP.

use crate::error::{AppError, FieldError};
use std::collections::{BTreeMap, HashMap};

/// The survey form (`/s/{code}`, `/t/{token}`): the fields that are not answers. Answers are
/// named by their criterion's code.
pub mod survey {
    /// The random token that makes a resent form harmless.
    pub const FORM_TOKEN: &str = "form_token";
    pub const PROCEDURE: &str = "procedure";
    pub const COMMENT: &str = "comment";
    /// The honeypot: a field hidden from people; a form that fills it in is a robot's.
    pub const HONEYPOT: &str = "website";
    /// Contact details for a call back (closed loop).
    pub const CONTACT_NAME: &str = "contact_name";
    pub const CONTACT_PHONE: &str = "contact_phone";
    pub const CONTACT_EMAIL: &str = "contact_email";
    pub const CONTACT_CONSENT: &str = "contact_consent";
}

/// A survey that failed its checks, shown again with every answer kept and every problem
/// marked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SubmittedSurvey {
    /// Raw value per criterion code, as sent.
    pub values: BTreeMap<String, String>,
    pub procedure: String,
    pub comment: String,
    pub errors: Vec<FieldError>,
    pub form_token: String,
    /// Contact fields as sent, by name.
    pub contact: BTreeMap<String, String>,
    /// The answers were fine but could not be stored (e.g. the database was down).
    pub failure: Option<AppError>,
}

impl SubmittedSurvey {
    /// The problem with one field, if any.
    pub fn error_of(&self, field: &str) -> Option<&FieldError> {
        self.errors.iter().find(|e| e.field == field)
    }
}

/// A feedback form the server refused, shown again with what was typed and every problem.
/// (Files cannot be kept by a browser form: the page says so.)
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FeedbackAttempt {
    pub values: HashMap<String, String>,
    pub errors: Vec<FieldError>,
    pub failure: Option<AppError>,
    /// How many photos came with the refused form (the browser does not keep them).
    pub photos_sent: usize,
}

/// A resident's action on the tracking page that failed.
#[derive(Clone, Debug, PartialEq)]
pub struct TrackAttempt {
    pub error: AppError,
}

/// A sign-in that failed, shown again with the login name kept (never the password).
#[derive(Clone, Debug, PartialEq)]
pub struct LoginAttempt {
    pub login: String,
    pub error: AppError,
}

/// A password change that failed.
#[derive(Clone, Debug, PartialEq)]
pub struct PasswordAttempt {
    pub error: AppError,
}

/// An administration or case form that failed, shown again with its values and the problem.
#[derive(Clone, Debug, PartialEq)]
pub struct AdminAttempt {
    pub error: AppError,
    pub form: HashMap<String, String>,
}

/// An API key just created, shown once on the page that answers the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewApiKey(pub String);

/// A tablet's enrolment code just made, shown once on the page that answers the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTabletCode {
    pub counter_code: String,
    pub code: String,
    /// The kiosk page to open on the tablet.
    pub link: String,
}

/// What the server just did with a kiosk press, for the page that answers the form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KioskState {
    Thanks,
    /// A low rating was stored; the page may add its reason with this token.
    Why {
        response_id: i64,
        token: String,
    },
}
