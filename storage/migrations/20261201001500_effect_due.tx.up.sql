-- Effects their own request delivers (outbox.Effect.Delay; the portal's
-- transfers): such an effect travels as a River job only when the dispatcher
-- must take over, so it is recorded with job_id 0 and due_at, the time from
-- which the dispatcher's sweep gives it a job. The request that delivers it
-- marks it delivered before then; one that cannot hands it over at once.
ALTER TABLE clientele_effects ADD COLUMN due_at {{.Timestamp}} NULL;
--bun:split
CREATE INDEX clientele_effects_due ON clientele_effects (due_at) WHERE job_id = 0 AND status = 'pending';
