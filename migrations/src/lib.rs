//! The database schema of Ý Dân, as small dated migrations that run on SQLite and PostgreSQL.
//! This crate knows nothing of the application: tables are named here, and the application's
//! entities follow them. Reference data (the SIPAS questionnaire) is seeded by its own migration.

pub use sea_orm_migration::prelude::*;

mod m20261122_000001_create_instrument;
mod m20261122_000002_create_agency_tree;
mod m20261122_000003_create_response;
mod m20261122_000004_seed_sipas_2023_service;
mod m20261122_000005_create_app_meta;
mod m20261122_000006_create_accounts;
mod m20261123_000007_add_admin_columns;
mod m20261123_000008_create_tickets;
mod m20261123_000009_create_staff_networks;
mod m20261123_000010_seed_kiosk_quick;
mod m20261124_000011_sector_templates;
mod m20261124_000012_index_response_device;
mod m20261125_000013_feedback;
mod m20261126_000014_rollups;
mod m20261126_000015_tt01_template;
mod m20261126_000016_targets_alerts;
mod m20261203_000017_tree_rollup;
mod m20261203_000018_unit_tree_version;
mod m20261207_000019_database_identity;
mod m20261207_000020_integrity_gate;
mod m20261207_000021_contact_privacy;
mod m20261207_000022_outbox_claims;
mod m20261207_000023_holiday_notice;
mod triggers;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_instrument::Migration),
            Box::new(m20261122_000002_create_agency_tree::Migration),
            Box::new(m20261122_000003_create_response::Migration),
            Box::new(m20261122_000004_seed_sipas_2023_service::Migration),
            Box::new(m20261122_000005_create_app_meta::Migration),
            Box::new(m20261122_000006_create_accounts::Migration),
            Box::new(m20261123_000007_add_admin_columns::Migration),
            Box::new(m20261123_000008_create_tickets::Migration),
            Box::new(m20261123_000009_create_staff_networks::Migration),
            Box::new(m20261123_000010_seed_kiosk_quick::Migration),
            Box::new(m20261124_000011_sector_templates::Migration),
            Box::new(m20261124_000012_index_response_device::Migration),
            Box::new(m20261125_000013_feedback::Migration),
            Box::new(m20261126_000014_rollups::Migration),
            Box::new(m20261126_000015_tt01_template::Migration),
            Box::new(m20261126_000016_targets_alerts::Migration),
            Box::new(m20261203_000017_tree_rollup::Migration),
            Box::new(m20261203_000018_unit_tree_version::Migration),
            Box::new(m20261207_000019_database_identity::Migration),
            Box::new(m20261207_000020_integrity_gate::Migration),
            Box::new(m20261207_000021_contact_privacy::Migration),
            Box::new(m20261207_000022_outbox_claims::Migration),
            Box::new(m20261207_000023_holiday_notice::Migration),
        ]
    }
}
