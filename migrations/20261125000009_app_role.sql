-- The application's own database role. `qrfeedback serve` connects as
-- qrfeedback_app, which may read and write rows but owns nothing: it cannot
-- change the schema, disable a trigger or grant itself anything back. The role
-- that runs migrations (the owner of every table) keeps all of that.
--
-- Roles belong to the whole cluster while grants belong to one database, and
-- many databases of one cluster run this migration (every test makes its own),
-- so the role is created only where it is missing and everything below is
-- safe to repeat.

-- NOLOGIN here: whoever provisions the server gives it LOGIN and a password,
-- so no migration ever carries a credential.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'qrfeedback_app') THEN
        CREATE ROLE qrfeedback_app NOLOGIN;
    END IF;
EXCEPTION
    -- Another database's migration created it between the check and here:
    -- duplicate_object once that one committed, unique_violation while both
    -- were inserting.
    WHEN duplicate_object OR unique_violation THEN NULL;
    WHEN insufficient_privilege THEN
        RAISE EXCEPTION 'role qrfeedback_app does not exist and % may not create it', current_user
            USING HINT = 'have a superuser run CREATE ROLE qrfeedback_app LOGIN PASSWORD ''...'', then migrate again';
END $$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO qrfeedback_app', current_database());
END $$;

GRANT USAGE ON SCHEMA public TO qrfeedback_app;

-- Rows of every table; TRUNCATE, REFERENCES and TRIGGER are never granted.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO qrfeedback_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO qrfeedback_app;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO qrfeedback_app;

-- The same for what later migrations create. Default privileges apply to the
-- objects of the role that sets them, which is the role running migrations.
-- A later append-only table still needs its own REVOKE, as below.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO qrfeedback_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO qrfeedback_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO qrfeedback_app;

-- The migration history is the owner's: the application may read it (to tell
-- whether the schema is current) but never rewrite it.
DO $$
BEGIN
    IF to_regclass('public._sqlx_migrations') IS NOT NULL THEN
        REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON public._sqlx_migrations FROM qrfeedback_app;
    END IF;
END $$;

-- Append-only records: the application adds rows and reads them, nothing
-- more. Postgres checks these privileges before any trigger runs, so a change
-- is refused as "permission denied" even where a trigger would also refuse it.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, rating_moderation, tier_history FROM qrfeedback_app;

-- Ratings are never deleted (a suspicious one is quarantined, an UPDATE).
-- A statement on `ratings` is checked against `ratings` alone, but a partition
-- can also be named directly, so each existing one loses the same rights;
-- ensure_rating_partitions below does the same for the partitions it adds.
REVOKE DELETE, TRUNCATE ON ratings FROM qrfeedback_app;
DO $$
DECLARE
    child regclass;
BEGIN
    FOR child IN
        SELECT inhrelid::regclass FROM pg_catalog.pg_inherits WHERE inhparent = 'public.ratings'::regclass
    LOOP
        EXECUTE format('REVOKE DELETE, TRUNCATE ON %s FROM qrfeedback_app', child);
    END LOOP;
END $$;

-- The hourly housekeeping of `serve` creates next months' rating partitions,
-- which takes ownership of `ratings`. Rather than give the application that
-- (an owner may drop triggers and grant itself everything back) or CREATE on
-- the schema (not enough for a partition, and room to shadow any name), this
-- one function runs with its owner's rights: SECURITY DEFINER, a search_path
-- that no caller can put objects in front of, schema-qualified names, and
-- arguments bounded to a few years around today, so the most a caller can do
-- is create some empty monthly partitions.
CREATE OR REPLACE FUNCTION ensure_rating_partitions(from_month date, months integer)
RETURNS integer
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    created integer := 0;
    month_start date;
    part_name text;
BEGIN
    IF months IS NULL OR months < 0 OR months > 60 THEN
        RAISE EXCEPTION 'months must be between 0 and 60, not %', months
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF from_month IS NULL
        OR from_month < current_date - interval '5 years'
        OR from_month > current_date + interval '5 years' THEN
        RAISE EXCEPTION 'from_month % is more than five years from today', from_month
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    FOR i IN 0 .. months - 1 LOOP
        month_start := (date_trunc('month', from_month) + make_interval(months => i))::date;
        part_name := format('ratings_%s', to_char(month_start, 'YYYYMM'));
        IF to_regclass(format('public.%I', part_name)) IS NULL THEN
            EXECUTE format(
                'CREATE TABLE public.%I PARTITION OF public.ratings FOR VALUES FROM (%L) TO (%L)',
                part_name, month_start, (month_start + interval '1 month')::date);
            -- The default privileges just granted the application DELETE on
            -- the new partition; ratings are never deleted.
            EXECUTE format('REVOKE DELETE, TRUNCATE ON public.%I FROM qrfeedback_app', part_name);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

-- A SECURITY DEFINER function is for the callers it was written for only.
REVOKE EXECUTE ON FUNCTION ensure_rating_partitions(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_rating_partitions(date, integer) TO qrfeedback_app;
