-- Personal data is kept only as long as restaurant.toml's [retention] says; then the purge
-- (sql/queries/retention.sql) anonymises the row instead of deleting it, so counts, covers and
-- analytics stay as they were. An anonymised row has no name or phone number: legal only once
-- anonymised, and only for a visit already past (a confirmed future booking stays complete)
-- or a callback already resolved.

alter table reservations
    add column anonymised_at timestamptz,
    alter column name drop not null,
    alter column phone_number drop not null,
    add constraint reservations_personal_data_until_anonymised
        check (anonymised_at is not null or (name is not null and phone_number is not null)),
    add constraint reservations_anonymised_only_after_the_visit
        check (anonymised_at is null or reservation_date < (anonymised_at at time zone 'UTC')::date);

alter table escalations
    add column anonymised_at timestamptz,
    alter column name drop not null,
    alter column phone_number drop not null,
    add constraint escalations_personal_data_until_anonymised
        check (anonymised_at is not null or (name is not null and phone_number is not null)),
    add constraint escalations_anonymised_only_once_resolved
        check (anonymised_at is null or status = 'resolved');

-- The purge looks for rows not anonymised yet, oldest first.
create index reservations_to_anonymise on reservations (reservation_date) where anonymised_at is null;
create index escalations_to_anonymise on escalations (updated_at)
    where anonymised_at is null and status = 'resolved';
create index handoffs_by_age on handoffs (created_at);
