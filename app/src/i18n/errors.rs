//! The human text of each error, in the reader's language. The codes themselves are part of the
//! domain (`domain::error`); their wording belongs with the product's other texts.

use super::{Lang, Msg};
use domain::error::{AppError, ErrorCode, FieldError};

/// What an error says to the person who caused it.
pub trait Explain {
    /// The message this error is told with.
    fn msg(&self) -> Msg;
    /// The message, filled with its values, in `lang`.
    fn message(&self, lang: Lang) -> String;
}

impl Explain for ErrorCode {
    fn msg(&self) -> Msg {
        match *self {
            ErrorCode::InvalidJson => Msg::ErrInvalidJson,
            ErrorCode::UnsupportedMediaType => Msg::ErrUnsupportedMediaType,
            ErrorCode::NotAForm => Msg::ErrNotAForm,
            ErrorCode::PayloadTooLarge => Msg::ErrPayloadTooLarge,
            ErrorCode::InvalidQuery => Msg::ErrInvalidQuery,
            ErrorCode::InvalidIdempotencyKey => Msg::ErrInvalidIdempotencyKey,
            ErrorCode::InvalidAddress => Msg::ErrInvalidAddress,
            ErrorCode::InvalidCharacters => Msg::ErrInvalidCharacters,
            ErrorCode::InvalidDate => Msg::ErrInvalidDate,
            ErrorCode::InvalidPeriod => Msg::ErrInvalidPeriod,
            ErrorCode::InvalidRollup => Msg::ErrInvalidRollup,
            ErrorCode::NotFound => Msg::ErrNotFound,
            ErrorCode::MethodNotAllowed => Msg::ErrMethodNotAllowed,
            ErrorCode::CounterNotFound => Msg::ErrCounterNotFound,
            ErrorCode::QuestionnaireNotFound => Msg::ErrQuestionnaireNotFound,
            ErrorCode::QuestionnairePublished => Msg::ErrQuestionnairePublished,
            ErrorCode::QuestionnaireNotUsable => Msg::ErrQuestionnaireNotUsable,
            ErrorCode::CounterClosed => Msg::ErrCounterClosed,
            ErrorCode::TicketNotFound => Msg::ErrTicketNotFound,
            ErrorCode::TicketUsed => Msg::ErrTicketUsed,
            ErrorCode::TicketExpired => Msg::ErrTicketExpired,
            ErrorCode::InvalidDossierCode => Msg::ErrInvalidDossierCode,
            ErrorCode::TooManySubmissions => Msg::ErrTooManySubmissions,
            ErrorCode::CounterBusy => Msg::ErrCounterBusy,
            ErrorCode::CredentialRequired => Msg::ErrCredentialRequired,
            ErrorCode::KioskNotEnrolled => Msg::ErrKioskNotEnrolled,
            ErrorCode::ChannelNotAllowed => Msg::ErrChannelNotAllowed,
            ErrorCode::InvalidEnrolCode => Msg::ErrInvalidEnrolCode,
            ErrorCode::AgencyNotFound => Msg::ErrAgencyNotFound,
            ErrorCode::ValidationFailed => Msg::ErrValidationFailed,
            ErrorCode::UnknownCriterion => Msg::ErrUnknownCriterion,
            ErrorCode::NotARating => Msg::ErrNotARating,
            ErrorCode::RatingOutOfRange => Msg::ErrRatingOutOfRange,
            ErrorCode::TooFewAnswers => Msg::ErrTooFewAnswers,
            ErrorCode::CommentTooLong => Msg::ErrCommentTooLong,
            ErrorCode::AnswerTooLong => Msg::ErrAnswerTooLong,
            ErrorCode::UnknownChannel => Msg::ErrUnknownChannel,
            ErrorCode::UnknownProcedure => Msg::ErrUnknownProcedure,
            ErrorCode::UnknownField => Msg::ErrUnknownField,
            ErrorCode::UnknownReason => Msg::ErrUnknownReason,
            ErrorCode::Required => Msg::ErrRequired,
            ErrorCode::WrongType => Msg::ErrWrongType,
            ErrorCode::NotSignedIn => Msg::ErrNotSignedIn,
            ErrorCode::InvalidCredentials => Msg::ErrInvalidCredentials,
            ErrorCode::TooManyAttempts => Msg::ErrTooManyAttempts,
            ErrorCode::Forbidden => Msg::ErrForbidden,
            ErrorCode::CsrfRejected => Msg::ErrCsrfRejected,
            ErrorCode::InvalidLoginName => Msg::ErrInvalidLoginName,
            ErrorCode::WeakPassword => Msg::ErrWeakPassword,
            ErrorCode::PasswordMismatch => Msg::ErrPasswordMismatch,
            ErrorCode::InvalidCode => Msg::ErrInvalidCode,
            ErrorCode::InvalidOpeningHours => Msg::ErrInvalidOpeningHours,
            ErrorCode::InvalidNetwork => Msg::ErrInvalidNetwork,
            ErrorCode::AlreadyExists => Msg::ErrAlreadyExists,
            ErrorCode::CaseNotFound => Msg::ErrCaseNotFound,
            ErrorCode::UnknownCategory => Msg::ErrUnknownCategory,
            ErrorCode::UnknownKind => Msg::ErrUnknownKind,
            ErrorCode::TextTooLong => Msg::ErrTextTooLong,
            ErrorCode::TooManyPhotos => Msg::ErrTooManyPhotos,
            ErrorCode::PhotoTooLarge => Msg::ErrPhotoTooLarge,
            ErrorCode::NotAnImage => Msg::ErrNotAnImage,
            ErrorCode::ImageTooManyPixels => Msg::ErrImageTooManyPixels,
            ErrorCode::PhotoRequired => Msg::ErrPhotoRequired,
            ErrorCode::LocationRequired => Msg::ErrLocationRequired,
            ErrorCode::ConsentRequired => Msg::ErrConsentRequired,
            ErrorCode::InvalidEmail => Msg::ErrInvalidEmail,
            ErrorCode::InvalidPhone => Msg::ErrInvalidPhone,
            ErrorCode::InvalidCoordinates => Msg::ErrInvalidCoordinates,
            ErrorCode::TransitionNotAllowed => Msg::ErrTransitionNotAllowed,
            ErrorCode::ConfirmationRequired => Msg::ErrConfirmationRequired,
            ErrorCode::ReopenUsed => Msg::ErrReopenUsed,
            ErrorCode::InvalidStep => Msg::ErrInvalidStep,
            ErrorCode::InvalidTarget => Msg::ErrInvalidTarget,
            ErrorCode::ReasonRequired => Msg::ErrReasonRequired,
            ErrorCode::ExportTooLarge => Msg::ErrExportTooLarge,
            ErrorCode::ExportNotFound => Msg::ErrExportNotFound,
            ErrorCode::Internal => Msg::ErrInternal,
            ErrorCode::DatabaseUnavailable => Msg::ErrDatabaseUnavailable,
            ErrorCode::UploadsBusy => Msg::ErrUploadsBusy,
        }
    }

    fn message(&self, lang: Lang) -> String {
        self.msg().text(lang).to_owned()
    }
}

impl Explain for FieldError {
    fn msg(&self) -> Msg {
        self.code.msg()
    }

    fn message(&self, lang: Lang) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.code.msg().fill(lang, &args)
    }
}

impl Explain for AppError {
    fn msg(&self) -> Msg {
        self.code.msg()
    }

    fn message(&self, lang: Lang) -> String {
        self.code.msg().text(lang).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_messages_fill_their_arguments() {
        let e = FieldError::new("answers", ErrorCode::TooFewAnswers).with_arg("min", 2);
        assert!(e.message(Lang::En).contains('2'));
        assert!(e.message(Lang::Vi).contains('2'));
    }
}
