-- detente store, schema version 2: an article's notes in a column of their own.
-- A result's notes (a stage skipped or failed, e.g. "stage detente_quotes failed: ...")
-- were stored only inside result_json; a column lets one select the articles that have
-- them. Existing articles take theirs from result_json.

ALTER TABLE articles ADD COLUMN notes TEXT NOT NULL DEFAULT '[]';   -- JSON list of strings

-- dialect: sqlite
UPDATE articles SET notes = coalesce(json_extract(result_json, '$.notes'), '[]')
    WHERE json_type(result_json, '$.notes') = 'array';
-- dialect: postgresql
UPDATE articles SET notes = CAST(CAST(result_json AS json)->'notes' AS TEXT)
    WHERE json_typeof(CAST(result_json AS json)->'notes') = 'array';
-- dialect: end
