//! Database rows, one module per table of the `migrations` crate. Server-side only: pages and
//! the API send their own wire types, never these.

pub mod agency;
pub mod api_key;
pub mod app_meta;
pub mod app_user;
pub mod audit_log;
pub mod canned_reply;
pub mod case_event;
pub mod case_photo;
pub mod case_sequence;
pub mod comment_moderation;
pub mod counter;
pub mod deadline_rule;
pub mod export_job;
pub mod feedback_case;
pub mod feedback_category;
pub mod holiday;
pub mod index_alert;
pub mod index_target;
pub mod instrument;
pub mod instrument_criterion;
pub mod instrument_element;
pub mod instrument_group;
pub mod instrument_scale_point;
pub mod kiosk_device;
pub mod login_failure;
pub mod outbox;
pub mod procedure;
pub mod response;
pub mod response_answer;
pub mod response_note;
pub mod response_text;
pub mod staff_network;
pub mod ticket;
pub mod user_session;
