//! Feedback and complaints (phản ánh, kiến nghị): kinds, the states a case moves through,
//! which officer action is allowed in which state, the working-day steps with their legal
//! defaults, and the `PAKN.YYYYMMDD.NNNN` tracking code. No I/O.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Longest description a resident may write (the Open311 limit too).
pub const MAX_DESCRIPTION: usize = 4_000;
/// Longest note, reason or answer an officer or citizen may write.
pub const MAX_NOTE: usize = 4_000;

/// What the feedback is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A problem on site (road, lighting, waste…): needs a photo.
    OnSite,
    /// About an administrative procedure.
    Procedure,
    /// About an official's conduct: handled by the parent of the official's unit.
    Conduct,
    /// A proposal or reform idea.
    Proposal,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::OnSite, Kind::Procedure, Kind::Conduct, Kind::Proposal];

    pub fn code(self) -> &'static str {
        match self {
            Kind::OnSite => "on_site",
            Kind::Procedure => "procedure",
            Kind::Conduct => "conduct",
            Kind::Proposal => "proposal",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// An on-site problem must be shown with at least one photo.
    pub fn needs_photo(self) -> bool {
        self == Kind::OnSite
    }
}

/// Where a case stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Status {
    Submitted,
    Received,
    Rejected,
    NeedsInfo,
    Classified,
    Assigned,
    Forwarded,
    Answered,
    Published,
    Rated,
    Closed,
    Reopened,
}

impl Status {
    pub const ALL: [Status; 12] = [
        Status::Submitted,
        Status::Received,
        Status::Rejected,
        Status::NeedsInfo,
        Status::Classified,
        Status::Assigned,
        Status::Forwarded,
        Status::Answered,
        Status::Published,
        Status::Rated,
        Status::Closed,
        Status::Reopened,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Status::Submitted => "submitted",
            Status::Received => "received",
            Status::Rejected => "rejected",
            Status::NeedsInfo => "needs_info",
            Status::Classified => "classified",
            Status::Assigned => "assigned",
            Status::Forwarded => "forwarded",
            Status::Answered => "answered",
            Status::Published => "published",
            Status::Rated => "rated",
            Status::Closed => "closed",
            Status::Reopened => "reopened",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// Finished from the agency's side: nothing more is due.
    pub fn is_final(self) -> bool {
        matches!(self, Status::Rejected | Status::Closed)
    }

    /// Open311's two statuses: `closed` once the answer is out (or the case was rejected).
    pub fn open311(self) -> &'static str {
        match self {
            Status::Rejected | Status::Published | Status::Rated | Status::Closed => "closed",
            _ => "open",
        }
    }

    /// The step whose deadline runs while the case is in this state.
    pub fn step(self) -> Option<Step> {
        match self {
            Status::Submitted | Status::Forwarded => Some(Step::Receive),
            Status::Received | Status::Classified | Status::Assigned | Status::Reopened => Some(Step::Answer),
            Status::Answered => Some(Step::Publish),
            Status::NeedsInfo | Status::Rejected | Status::Published | Status::Rated | Status::Closed => None,
        }
    }
}

/// What an officer does to a case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Action {
    Receive,
    Reject,
    RequestInfo,
    Classify,
    Assign,
    Forward,
    Answer,
    Publish,
    Close,
}

impl Action {
    pub const ALL: [Action; 9] = [
        Action::Receive,
        Action::Reject,
        Action::RequestInfo,
        Action::Classify,
        Action::Assign,
        Action::Forward,
        Action::Answer,
        Action::Publish,
        Action::Close,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Action::Receive => "receive",
            Action::Reject => "reject",
            Action::RequestInfo => "request_info",
            Action::Classify => "classify",
            Action::Assign => "assign",
            Action::Forward => "forward",
            Action::Answer => "answer",
            Action::Publish => "publish",
            Action::Close => "close",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.code() == s.trim())
    }

    /// The state this action leads to.
    pub fn target(self) -> Status {
        match self {
            Action::Receive => Status::Received,
            Action::Reject => Status::Rejected,
            Action::RequestInfo => Status::NeedsInfo,
            Action::Classify => Status::Classified,
            Action::Assign => Status::Assigned,
            Action::Forward => Status::Forwarded,
            Action::Answer => Status::Answered,
            Action::Publish => Status::Published,
            Action::Close => Status::Closed,
        }
    }

    /// Whether the action needs a note the citizen will read (a reason, a question, an answer).
    pub fn needs_public_note(self) -> bool {
        matches!(self, Action::Reject | Action::RequestInfo | Action::Forward | Action::Answer)
    }

    /// Whether the officer must confirm the action on purpose: the resident sees it at once and
    /// it cannot be undone (a rejected or closed case takes no further step).
    pub fn needs_confirmation(self) -> bool {
        matches!(self, Action::Reject | Action::Close)
    }

    /// The fields of the officer's form for this action, beyond the internal note every
    /// action has: the note the resident reads, the handler, the unit to forward to, the new
    /// category and kind, the confirmation.
    pub fn fields(self) -> ActionFields {
        ActionFields {
            public_note: !matches!(self, Action::Classify | Action::Assign),
            handler: self == Action::Assign,
            target: self == Action::Forward,
            classify: self == Action::Classify,
            confirm: self.needs_confirmation(),
        }
    }
}

/// Which fields the officer's form shows for one action (see [`Action::fields`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionFields {
    /// A note the resident reads (required when [`Action::needs_public_note`]); the steps that
    /// only sort the case inside the agency have none.
    pub public_note: bool,
    pub handler: bool,
    pub target: bool,
    pub classify: bool,
    pub confirm: bool,
}

/// Whether an officer may take `action` on a case in `status`.
pub fn allowed(status: Status, action: Action) -> bool {
    use Action as A;
    use Status as S;
    match status {
        S::Submitted | S::Forwarded => matches!(action, A::Receive | A::Reject | A::RequestInfo | A::Forward),
        S::Received => matches!(action, A::Classify | A::Assign | A::RequestInfo | A::Forward | A::Reject | A::Answer),
        S::Classified => matches!(action, A::Classify | A::Assign | A::RequestInfo | A::Forward | A::Answer),
        S::Assigned | S::Reopened => {
            matches!(action, A::Classify | A::Assign | A::RequestInfo | A::Forward | A::Answer)
        }
        S::Answered => matches!(action, A::Publish | A::Answer),
        S::Published | S::Rated => action == A::Close,
        S::NeedsInfo | S::Rejected | S::Closed => false,
    }
}

/// The step an officer most likely takes next on a case in `status`, offered as the default;
/// never one the citizen cannot undo (rejecting, closing), which must be chosen on purpose.
pub fn suggested_action(status: Status) -> Option<Action> {
    use Action as A;
    use Status as S;
    let next = match status {
        S::Submitted | S::Forwarded => A::Receive,
        // Whoever has the case open can answer it; assigning is one choice away.
        S::Received | S::Classified | S::Assigned | S::Reopened => A::Answer,
        S::Answered => A::Publish,
        _ => return None,
    };
    allowed(status, next).then_some(next)
}

/// Whether the citizen cannot undo the action's effect (the case ends for them).
pub fn is_final(action: Action) -> bool {
    matches!(action, Action::Reject | Action::Close)
}

/// The actions an officer may take now, in the order the page offers them: the suggested
/// step first, the final ones (reject, close) last.
pub fn allowed_actions(status: Status) -> Vec<Action> {
    let suggested = suggested_action(status);
    let mut actions: Vec<Action> = Action::ALL.into_iter().filter(|a| allowed(status, *a)).collect();
    actions.sort_by_key(|a| (Some(*a) != suggested, is_final(*a)));
    actions
}

/// A step with a deadline in working days.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    /// Receive or reject a new case.
    Receive,
    /// Ask the citizen for more information (first request).
    Info,
    /// Answer.
    Answer,
    /// Publish the answer.
    Publish,
    /// Forward a case that is not ours.
    Forward,
}

impl Step {
    pub const ALL: [Step; 5] = [Step::Receive, Step::Info, Step::Answer, Step::Publish, Step::Forward];

    pub fn code(self) -> &'static str {
        match self {
            Step::Receive => "receive",
            Step::Info => "info",
            Step::Answer => "answer",
            Step::Publish => "publish",
            Step::Forward => "forward",
        }
    }

    pub fn parse(s: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|k| k.code() == s.trim())
    }

    /// The national defaults (Cổng Dịch vụ công quốc gia / QĐ 766; forwarding: Decree 20/2008).
    pub fn default_days(self) -> u32 {
        match self {
            Step::Receive => 2,
            Step::Info => 5,
            Step::Answer => 15,
            Step::Publish => 2,
            Step::Forward => 5,
        }
    }
}

/// The citizen's verdict on the answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Rating {
    Satisfied,
    NotSatisfied,
}

impl Rating {
    pub fn code(self) -> &'static str {
        match self {
            Rating::Satisfied => "satisfied",
            Rating::NotSatisfied => "not_satisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Rating> {
        match s.trim() {
            "satisfied" => Some(Rating::Satisfied),
            "not_satisfied" => Some(Rating::NotSatisfied),
            _ => None,
        }
    }
}

/// `PAKN.YYYYMMDD.NNNN` for the `n`-th case of a day (Vietnam time). Numbers above 9,999 keep
/// all their digits.
pub fn tracking_code(day: NaiveDate, n: u32) -> String {
    format!("PAKN.{}.{n:04}", day.format("%Y%m%d"))
}

/// Whether `s` has the shape of a tracking code (the case may still not exist).
pub fn is_tracking_code(s: &str) -> bool {
    let mut parts = s.split('.');
    let (Some("PAKN"), Some(day), Some(n), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    day.len() == 8
        && NaiveDate::parse_from_str(day, "%Y%m%d").is_ok()
        && (4..=6).contains(&n.len())
        && n.bytes().all(|b| b.is_ascii_digit())
}

/// Text a resident or officer typed: trimmed, line breaks kept, control characters removed.
pub fn clean_text(s: &str) -> String {
    s.trim().chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().replace("\r", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_have_the_national_portal_format() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        assert_eq!(tracking_code(day, 12), "PAKN.20261122.0012");
        assert!(is_tracking_code("PAKN.20261122.0012"));
        assert!(is_tracking_code(&tracking_code(day, 12345)));
        for bad in [
            "PAKN.20261322.0012",
            "PAKN.2026112.0012",
            "pakn.20261122.0012",
            "PAKN.20261122.12",
            "PAKN.20261122.00a2",
            "PAKN.20261122.0012.1",
            "",
        ] {
            assert!(!is_tracking_code(bad), "{bad}");
        }
    }

    #[test]
    fn codes_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.code()), Some(k));
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.code()), Some(a));
        }
        for s in Step::ALL {
            assert_eq!(Step::parse(s.code()), Some(s));
        }
        assert_eq!(Kind::parse("complaint"), None);
    }

    #[test]
    fn the_workflow_follows_the_rules() {
        assert!(allowed(Status::Submitted, Action::Receive));
        assert!(allowed(Status::Submitted, Action::Reject));
        assert!(!allowed(Status::Submitted, Action::Publish));
        assert!(!allowed(Status::Submitted, Action::Answer));
        assert!(allowed(Status::Assigned, Action::Answer));
        assert!(allowed(Status::Answered, Action::Publish));
        assert!(!allowed(Status::Published, Action::Answer));
        assert!(allowed(Status::Rated, Action::Close));
        for a in Action::ALL {
            assert!(!allowed(Status::Closed, a));
            assert!(!allowed(Status::Rejected, a));
            // The citizen must answer first.
            assert!(!allowed(Status::NeedsInfo, a));
        }
        for s in Status::ALL {
            for a in allowed_actions(s) {
                assert!(allowed(s, a));
            }
        }
    }

    #[test]
    fn the_default_action_is_the_next_step_and_never_one_the_citizen_cannot_undo() {
        // A received case: rejecting is allowed, but offered last; answering comes first.
        assert_eq!(allowed_actions(Status::Received).first(), Some(&Action::Answer));
        assert_eq!(allowed_actions(Status::Received).last(), Some(&Action::Reject));
        assert_eq!(allowed_actions(Status::Submitted).first(), Some(&Action::Receive));
        assert_eq!(allowed_actions(Status::Assigned).first(), Some(&Action::Answer));
        assert_eq!(allowed_actions(Status::Answered).first(), Some(&Action::Publish));
        for s in Status::ALL {
            if let Some(a) = suggested_action(s) {
                assert!(allowed(s, a) && !is_final(a), "{s:?} suggests {a:?}");
            }
            let actions = allowed_actions(s);
            let first_final = actions.iter().position(|a| is_final(*a)).unwrap_or(actions.len());
            assert!(actions[first_final..].iter().all(|a| is_final(*a)), "{s:?}: {actions:?}");
        }
        // A published case can only be closed: nothing is chosen for the officer.
        assert_eq!(suggested_action(Status::Published), None);
    }

    #[test]
    fn open311_sees_open_or_closed() {
        assert_eq!(Status::Submitted.open311(), "open");
        assert_eq!(Status::Answered.open311(), "open");
        assert_eq!(Status::Published.open311(), "closed");
        assert_eq!(Status::Rejected.open311(), "closed");
    }

    #[test]
    fn typed_text_is_cleaned() {
        assert_eq!(clean_text("  a\r\nb\u{0}c  "), "a\nbc");
    }
}
