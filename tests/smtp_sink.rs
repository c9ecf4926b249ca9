//! A loopback SMTP server for the tests (placeholder, being written).
