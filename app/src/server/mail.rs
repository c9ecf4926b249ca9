//! Outgoing e-mail over SMTP (placeholder, being written).
