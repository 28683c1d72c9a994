-- detente store, schema version 5: indexes for the web app's pages (detente.web).
-- A dyad's series and evidence (/dyad/A/B) select on the first actor and recipient codes
-- and a date range; this index serves them without visiting other dyads' events.

CREATE INDEX IF NOT EXISTS events_dyad ON events(actor_code, recipient_code, date);
