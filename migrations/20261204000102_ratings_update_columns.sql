-- The application changes a stored rating in exactly one way: quarantine and
-- release set quarantined_at and quarantine_reason (a reply lives in
-- rating_replies and only locks the rating). Everything else a visitor sent
-- is fixed once written, so the application role may update these two
-- columns and no other. Revoking the table's UPDATE also drops any column
-- grants of it; the column grant follows.
REVOKE UPDATE ON ratings FROM qrfeedback_app;
GRANT UPDATE (quarantined_at, quarantine_reason) ON ratings TO qrfeedback_app;

-- A partition can be named directly, so each one gets the same rights.
DO $$
DECLARE
    child regclass;
BEGIN
    FOR child IN
        SELECT inhrelid::regclass FROM pg_catalog.pg_inherits WHERE inhparent = 'public.ratings'::regclass
    LOOP
        EXECUTE format('REVOKE UPDATE ON %s FROM qrfeedback_app', child);
        EXECUTE format('GRANT UPDATE (quarantined_at, quarantine_reason) ON %s TO qrfeedback_app', child);
    END LOOP;
END $$;

-- The partitions housekeeping adds later get the same rights as well: the
-- function of 20261125000009, with the UPDATE narrowed like the DELETE.
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
            -- The default privileges just granted the application DELETE and
            -- UPDATE of every column on the new partition; ratings are never
            -- deleted and only their quarantine changes.
            EXECUTE format('REVOKE DELETE, TRUNCATE, UPDATE ON public.%I FROM qrfeedback_app', part_name);
            EXECUTE format(
                'GRANT UPDATE (quarantined_at, quarantine_reason) ON public.%I TO qrfeedback_app', part_name);
            created := created + 1;
        END IF;
    END LOOP;
    RETURN created;
END $$;

REVOKE EXECUTE ON FUNCTION ensure_rating_partitions(date, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ensure_rating_partitions(date, integer) TO qrfeedback_app;
