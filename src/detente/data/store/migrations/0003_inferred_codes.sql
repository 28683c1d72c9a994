-- detente store, schema version 3: whether an event's first actor and recipient codes were
-- read from the mention or inferred from context (issue 13: "inferred": true, e.g. the
-- country of the place where it happened). Series and queries can then keep to codes the
-- text states. Existing events take the flag from the event JSON of their first source.

ALTER TABLE events ADD COLUMN actor_inferred INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN recipient_inferred INTEGER NOT NULL DEFAULT 0;

-- dialect: sqlite
UPDATE events SET
    actor_inferred = coalesce((
        SELECT max(CASE WHEN json_extract(a.value, '$.inferred') THEN 1 ELSE 0 END)
        FROM event_sources s, json_each(s.event_json, '$.actor') a
        WHERE s.event_id = events.id AND json_extract(a.value, '$.code') = events.actor_code), 0),
    recipient_inferred = coalesce((
        SELECT max(CASE WHEN json_extract(r.value, '$.inferred') THEN 1 ELSE 0 END)
        FROM event_sources s, json_each(s.event_json, '$.recipient') r
        WHERE s.event_id = events.id AND json_extract(r.value, '$.code') = events.recipient_code), 0);
-- dialect: postgresql
UPDATE events SET
    actor_inferred = coalesce((
        SELECT max(CASE WHEN a.value->>'inferred' = 'true' THEN 1 ELSE 0 END)
        FROM event_sources s, json_array_elements(CAST(s.event_json AS json)->'actor') a
        WHERE s.event_id = events.id AND a.value->>'code' = events.actor_code), 0),
    recipient_inferred = coalesce((
        SELECT max(CASE WHEN r.value->>'inferred' = 'true' THEN 1 ELSE 0 END)
        FROM event_sources s, json_array_elements(CAST(s.event_json AS json)->'recipient') r
        WHERE s.event_id = events.id AND r.value->>'code' = events.recipient_code), 0);
-- dialect: end
