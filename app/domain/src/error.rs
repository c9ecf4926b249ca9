//! One error type for the whole product. Clients see a stable snake_case `code` (which the UI
//! translates), a message in their language and, for invalid input, one entry per field.
//! Internal causes are logged on the server and never sent.

use serde::{Deserialize, Serialize};

/// Stable, machine-readable error codes. Adding one needs a message in `app/locales/*.txt`
/// (see `app::i18n::errors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // Request shape
    InvalidJson,
    UnsupportedMediaType,
    /// An HTML form's body that is not a form (another content type, or unreadable).
    NotAForm,
    PayloadTooLarge,
    InvalidQuery,
    InvalidIdempotencyKey,
    InvalidAddress,
    InvalidCharacters,
    InvalidDate,
    InvalidPeriod,
    InvalidRollup,
    NotFound,
    MethodNotAllowed,
    // Lookups
    CounterNotFound,
    CounterClosed,
    AgencyNotFound,
    TicketNotFound,
    QuestionnaireNotFound,
    QuestionnairePublished,
    QuestionnaireNotUsable,
    TicketUsed,
    TicketExpired,
    InvalidDossierCode,
    TooManySubmissions,
    CounterBusy,
    CredentialRequired,
    KioskNotEnrolled,
    ChannelNotAllowed,
    InvalidEnrolCode,
    // Survey answers (422, per field)
    ValidationFailed,
    UnknownCriterion,
    NotARating,
    RatingOutOfRange,
    TooFewAnswers,
    CommentTooLong,
    AnswerTooLong,
    UnknownChannel,
    UnknownProcedure,
    UnknownField,
    UnknownReason,
    Required,
    WrongType,
    // Accounts and access
    NotSignedIn,
    InvalidCredentials,
    TooManyAttempts,
    Forbidden,
    CsrfRejected,
    InvalidLoginName,
    WeakPassword,
    PasswordMismatch,
    InvalidCode,
    InvalidOpeningHours,
    InvalidNetwork,
    AlreadyExists,
    // Feedback and complaints
    CaseNotFound,
    UnknownCategory,
    UnknownKind,
    TextTooLong,
    TooManyPhotos,
    PhotoTooLarge,
    NotAnImage,
    ImageTooManyPixels,
    PhotoRequired,
    LocationRequired,
    ConsentRequired,
    InvalidEmail,
    InvalidPhone,
    InvalidCoordinates,
    TransitionNotAllowed,
    ConfirmationRequired,
    ReopenUsed,
    // Analytics
    InvalidStep,
    InvalidTarget,
    ReasonRequired,
    ExportTooLarge,
    ExportNotFound,
    // Server side
    Internal,
    DatabaseUnavailable,
    /// Too many photos are being received at once: the form is to be sent again shortly.
    UploadsBusy,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidJson => "invalid_json",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::NotAForm => "not_a_form",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::InvalidIdempotencyKey => "invalid_idempotency_key",
            ErrorCode::InvalidAddress => "invalid_address",
            ErrorCode::InvalidCharacters => "invalid_characters",
            ErrorCode::InvalidDate => "invalid_date",
            ErrorCode::InvalidPeriod => "invalid_period",
            ErrorCode::InvalidRollup => "invalid_rollup",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::CounterNotFound => "counter_not_found",
            ErrorCode::QuestionnaireNotFound => "questionnaire_not_found",
            ErrorCode::QuestionnairePublished => "questionnaire_published",
            ErrorCode::QuestionnaireNotUsable => "questionnaire_not_usable",
            ErrorCode::CounterClosed => "counter_closed",
            ErrorCode::TicketNotFound => "ticket_not_found",
            ErrorCode::TicketUsed => "ticket_used",
            ErrorCode::TicketExpired => "ticket_expired",
            ErrorCode::InvalidDossierCode => "invalid_dossier_code",
            ErrorCode::TooManySubmissions => "too_many_submissions",
            ErrorCode::CounterBusy => "counter_busy",
            ErrorCode::CredentialRequired => "credential_required",
            ErrorCode::KioskNotEnrolled => "kiosk_not_enrolled",
            ErrorCode::ChannelNotAllowed => "channel_not_allowed",
            ErrorCode::InvalidEnrolCode => "invalid_enrol_code",
            ErrorCode::AgencyNotFound => "agency_not_found",
            ErrorCode::ValidationFailed => "validation_failed",
            ErrorCode::UnknownCriterion => "unknown_criterion",
            ErrorCode::NotARating => "not_a_rating",
            ErrorCode::RatingOutOfRange => "rating_out_of_range",
            ErrorCode::TooFewAnswers => "too_few_answers",
            ErrorCode::CommentTooLong => "comment_too_long",
            ErrorCode::AnswerTooLong => "answer_too_long",
            ErrorCode::UnknownChannel => "unknown_channel",
            ErrorCode::UnknownProcedure => "unknown_procedure",
            ErrorCode::UnknownField => "unknown_field",
            ErrorCode::UnknownReason => "unknown_reason",
            ErrorCode::Required => "required",
            ErrorCode::WrongType => "wrong_type",
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::TooManyAttempts => "too_many_attempts",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CsrfRejected => "csrf_rejected",
            ErrorCode::InvalidLoginName => "invalid_login_name",
            ErrorCode::WeakPassword => "weak_password",
            ErrorCode::PasswordMismatch => "password_mismatch",
            ErrorCode::InvalidCode => "invalid_code",
            ErrorCode::InvalidOpeningHours => "invalid_opening_hours",
            ErrorCode::InvalidNetwork => "invalid_network",
            ErrorCode::AlreadyExists => "already_exists",
            ErrorCode::CaseNotFound => "case_not_found",
            ErrorCode::UnknownCategory => "unknown_category",
            ErrorCode::UnknownKind => "unknown_kind",
            ErrorCode::TextTooLong => "text_too_long",
            ErrorCode::TooManyPhotos => "too_many_photos",
            ErrorCode::PhotoTooLarge => "photo_too_large",
            ErrorCode::NotAnImage => "not_an_image",
            ErrorCode::ImageTooManyPixels => "image_too_many_pixels",
            ErrorCode::PhotoRequired => "photo_required",
            ErrorCode::LocationRequired => "location_required",
            ErrorCode::ConsentRequired => "consent_required",
            ErrorCode::InvalidEmail => "invalid_email",
            ErrorCode::InvalidPhone => "invalid_phone",
            ErrorCode::InvalidCoordinates => "invalid_coordinates",
            ErrorCode::TransitionNotAllowed => "transition_not_allowed",
            ErrorCode::ConfirmationRequired => "confirmation_required",
            ErrorCode::ReopenUsed => "reopen_used",
            ErrorCode::InvalidStep => "invalid_step",
            ErrorCode::InvalidTarget => "invalid_target",
            ErrorCode::ReasonRequired => "reason_required",
            ErrorCode::ExportTooLarge => "export_too_large",
            ErrorCode::ExportNotFound => "export_not_found",
            ErrorCode::Internal => "internal",
            ErrorCode::DatabaseUnavailable => "database_unavailable",
            ErrorCode::UploadsBusy => "uploads_busy",
        }
    }

    /// The HTTP status this error is answered with. The only place statuses are chosen.
    pub const fn status(self) -> u16 {
        match self {
            ErrorCode::InvalidJson
            | ErrorCode::InvalidQuery
            | ErrorCode::InvalidIdempotencyKey
            | ErrorCode::InvalidAddress
            | ErrorCode::InvalidDate
            | ErrorCode::InvalidPeriod
            | ErrorCode::InvalidRollup
            | ErrorCode::InvalidStep => 400,
            ErrorCode::NotSignedIn
            | ErrorCode::InvalidCredentials
            | ErrorCode::CredentialRequired
            | ErrorCode::KioskNotEnrolled => 401,
            ErrorCode::Forbidden | ErrorCode::CsrfRejected => 403,
            ErrorCode::NotFound
            | ErrorCode::CounterNotFound
            | ErrorCode::AgencyNotFound
            | ErrorCode::TicketNotFound
            | ErrorCode::QuestionnaireNotFound => 404,
            ErrorCode::AlreadyExists | ErrorCode::TicketUsed | ErrorCode::QuestionnairePublished => 409,
            ErrorCode::CounterClosed | ErrorCode::TicketExpired => 410,
            ErrorCode::TooManyAttempts | ErrorCode::TooManySubmissions | ErrorCode::CounterBusy => 429,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::UnsupportedMediaType | ErrorCode::NotAForm => 415,
            ErrorCode::ValidationFailed
            | ErrorCode::UnknownCriterion
            | ErrorCode::NotARating
            | ErrorCode::RatingOutOfRange
            | ErrorCode::TooFewAnswers
            | ErrorCode::CommentTooLong
            | ErrorCode::AnswerTooLong
            | ErrorCode::UnknownChannel
            | ErrorCode::ChannelNotAllowed
            | ErrorCode::InvalidEnrolCode
            | ErrorCode::UnknownProcedure
            | ErrorCode::UnknownField
            | ErrorCode::UnknownReason
            | ErrorCode::Required
            | ErrorCode::WrongType
            | ErrorCode::InvalidCharacters
            | ErrorCode::InvalidLoginName
            | ErrorCode::WeakPassword
            | ErrorCode::PasswordMismatch
            | ErrorCode::InvalidCode
            | ErrorCode::InvalidOpeningHours
            | ErrorCode::InvalidNetwork
            | ErrorCode::QuestionnaireNotUsable
            | ErrorCode::InvalidDossierCode => 422,
            ErrorCode::CaseNotFound => 404,
            ErrorCode::UnknownCategory
            | ErrorCode::UnknownKind
            | ErrorCode::TextTooLong
            | ErrorCode::TooManyPhotos
            | ErrorCode::PhotoTooLarge
            | ErrorCode::NotAnImage
            | ErrorCode::ImageTooManyPixels
            | ErrorCode::PhotoRequired
            | ErrorCode::LocationRequired
            | ErrorCode::ConsentRequired
            | ErrorCode::InvalidEmail
            | ErrorCode::InvalidPhone
            | ErrorCode::InvalidCoordinates => 422,
            ErrorCode::TransitionNotAllowed | ErrorCode::ReopenUsed => 409,
            ErrorCode::InvalidTarget
            | ErrorCode::ReasonRequired
            | ErrorCode::ExportTooLarge
            | ErrorCode::ConfirmationRequired => 422,
            ErrorCode::ExportNotFound => 404,
            ErrorCode::Internal => 500,
            ErrorCode::DatabaseUnavailable | ErrorCode::UploadsBusy => 503,
        }
    }

    /// For a refusal that passes with time (429): how many seconds to wait, for `Retry-After`.
    pub const fn retry_after(self) -> Option<u32> {
        match self {
            ErrorCode::TooManySubmissions | ErrorCode::CounterBusy => {
                Some(crate::integrity::RATE_LIMIT_MINUTES as u32 * 60)
            }
            ErrorCode::TooManyAttempts => Some(15 * 60),
            ErrorCode::UploadsBusy => Some(60),
            _ => None,
        }
    }
}

/// A problem with one field of a submitted form or JSON body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// `answers.II.A1`, `comment`, `channel`, …
    pub field: String,
    pub code: ErrorCode,
    /// Values to put into the message, such as the minimum number of answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, String)>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode) -> Self {
        FieldError { field: field.into(), code, args: Vec::new() }
    }

    pub fn with_arg(mut self, name: &str, value: impl ToString) -> Self {
        self.args.push((name.to_owned(), value.to_string()));
        self
    }
}

/// The error every service, server function and handler returns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, thiserror::Error)]
#[error("{}", code.as_str())]
pub struct AppError {
    pub code: ErrorCode,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// Internal cause, for the server log only.
    #[serde(skip)]
    pub detail: Option<String>,
}

impl AppError {
    pub fn new(code: ErrorCode) -> Self {
        AppError { code, fields: Vec::new(), detail: None }
    }

    pub fn invalid(fields: Vec<FieldError>) -> Self {
        AppError { code: ErrorCode::ValidationFailed, fields, detail: None }
    }

    /// An unexpected failure: the cause is kept for the log, the client sees a generic text.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        AppError { code: ErrorCode::Internal, fields: Vec::new(), detail: Some(detail.to_string()) }
    }

    pub fn status(&self) -> u16 {
        self.code.status()
    }
}

impl From<ErrorCode> for AppError {
    fn from(code: ErrorCode) -> Self {
        AppError::new(code)
    }
}

impl server_fn::error::FromServerFnError for AppError {
    type Encoder = server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: server_fn::error::ServerFnErrorErr) -> Self {
        AppError::internal(value)
    }
}

#[cfg(feature = "db")]
impl From<sea_orm::DbErr> for AppError {
    #[track_caller]
    fn from(err: sea_orm::DbErr) -> Self {
        let location = std::panic::Location::caller();
        let code = match err {
            sea_orm::DbErr::Conn(_) | sea_orm::DbErr::ConnectionAcquire(_) => ErrorCode::DatabaseUnavailable,
            _ => ErrorCode::Internal,
        };
        AppError { code, fields: Vec::new(), detail: Some(format!("{err} (at {location})")) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialize_as_their_snake_case_names() {
        for code in [ErrorCode::CounterNotFound, ErrorCode::TooFewAnswers, ErrorCode::Internal] {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn internal_details_are_never_serialized() {
        let err = AppError::internal("password=hunter2 at db.rs:10");
        let json = serde_json::to_string(&err).unwrap();
        assert_eq!(json, r#"{"code":"internal"}"#);
        assert_eq!(err.to_string(), "internal");
    }
}
