-- detente store, schema version 2: an article's notes in a column of their own.
-- A result's notes (a stage skipped or failed, e.g. "stage detente_quotes failed: ...")
-- were stored only inside result_json; a column lets one select the articles that have
-- them. Existing articles take theirs from result_json.

ALTER TABLE articles ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';   -- JSON list of strings

UPDATE articles SET notes = coalesce(json_extract(result_json, '$.notes'), '[]')
    WHERE json_type(result_json, '$.notes') = 'array';
