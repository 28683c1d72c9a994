-- detente store, schema version 1.
-- Offsets are character offsets into articles.body (end exclusive), as in the contract.

CREATE TABLE clusters (
    id          INTEGER PRIMARY KEY,      -- one story: an article and its near-duplicates
    first_article_id INTEGER              -- the first article stored in the cluster
);

CREATE TABLE articles (
    id          INTEGER PRIMARY KEY,
    hash        TEXT NOT NULL UNIQUE,     -- sha256 of the raw input: idempotent ingest
    doc_id      TEXT NOT NULL,            -- the input's id (file name, JSONL id, WARC URI)
    source      TEXT,                     -- where it came from (path, path:line)
    url         TEXT,
    title       TEXT,
    dek         TEXT,
    authors     TEXT NOT NULL DEFAULT '[]',   -- JSON list
    publisher   TEXT,
    published   TEXT,                     -- YYYY-MM-DD
    page_date   TEXT,
    language    TEXT,
    body        TEXT NOT NULL,
    cluster_id  INTEGER REFERENCES clusters(id),
    signature   BLOB,                     -- MinHash signature (uint32 x N)
    result_json TEXT NOT NULL,            -- the full contract result, for lossless export
    added_at    TEXT NOT NULL
);
CREATE INDEX articles_cluster ON articles(cluster_id);
CREATE INDEX articles_published ON articles(published);

-- LSH bands of each article's MinHash signature: candidates for near-duplicates.
CREATE TABLE minhash_bands (
    key         INTEGER NOT NULL,         -- hash of (band number, band values)
    article_id  INTEGER NOT NULL REFERENCES articles(id)
);
CREATE INDEX minhash_bands_key ON minhash_bands(key);

CREATE TABLE entities (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    text        TEXT NOT NULL,
    label       TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    actor_name  TEXT,
    actor_code  TEXT,
    actor_sector TEXT
);
CREATE INDEX entities_article ON entities(article_id);
CREATE INDEX entities_code ON entities(actor_code);

CREATE TABLE timexes (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    text        TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    type        TEXT NOT NULL,
    value       TEXT
);
CREATE INDEX timexes_article ON timexes(article_id);

CREATE TABLE quotes (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    text        TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    cue         TEXT,
    speaker_text TEXT,
    speaker_start INTEGER,
    speaker_end INTEGER,
    speaker_name TEXT,
    speaker_code TEXT,
    speaker_sector TEXT,
    via         TEXT
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker_code ON quotes(speaker_code);

-- One row per real-world event, however many articles report it.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    merge_key   TEXT NOT NULL,            -- type | actor codes | recipient codes | negated [| cluster]
    type        TEXT NOT NULL,
    quad        INTEGER NOT NULL,
    cameo       TEXT,
    mode        TEXT,
    context     TEXT NOT NULL DEFAULT '[]',  -- JSON list
    actor_code  TEXT,                     -- the first actor's code (all codes in actor_codes)
    actor_name  TEXT,
    actor_sector TEXT,
    actor_codes TEXT NOT NULL DEFAULT '[]',
    recipient_code TEXT,
    recipient_name TEXT,
    recipient_sector TEXT,
    recipient_codes TEXT NOT NULL DEFAULT '[]',
    date        TEXT,                     -- YYYY-MM-DD (or YYYY-MM / YYYY at lower precision)
    date_precision TEXT,
    negated     INTEGER NOT NULL DEFAULT 0,
    modality    TEXT NOT NULL,
    location_name TEXT,
    location_country TEXT,
    lat         REAL,
    lon         REAL,
    intensity   REAL,
    confidence  REAL,
    cluster_id  INTEGER REFERENCES clusters(id),
    first_article_id INTEGER NOT NULL REFERENCES articles(id),
    added_at    TEXT NOT NULL
);
CREATE INDEX events_merge ON events(merge_key, date);
CREATE INDEX events_actor ON events(actor_code);
CREATE INDEX events_recipient ON events(recipient_code);
CREATE INDEX events_date ON events(date);

-- Which articles report an event, with the evidence (GDELT's mentions, without double counting).
CREATE TABLE event_sources (
    id          INTEGER PRIMARY KEY,
    event_id    INTEGER NOT NULL REFERENCES events(id),
    article_id  INTEGER NOT NULL REFERENCES articles(id),
    sentence    TEXT NOT NULL,
    start       INTEGER NOT NULL,
    "end"       INTEGER NOT NULL,
    actor_text  TEXT,
    recipient_text TEXT,
    modality    TEXT,
    confidence  REAL,
    is_root     INTEGER NOT NULL DEFAULT 0,   -- reported in the article's first paragraph
    event_json  TEXT NOT NULL             -- the event as the article's result gave it
);
CREATE INDEX event_sources_event ON event_sources(event_id);
CREATE INDEX event_sources_article ON event_sources(article_id);

-- Full-text search over titles, deks and bodies, and over quotes.
-- dialect: sqlite
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, dek, body, content='articles', content_rowid='id'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, dek, body) VALUES (new.id, new.title, new.dek, new.body);
END;

CREATE VIRTUAL TABLE quotes_fts USING fts5(text, content='quotes', content_rowid='id');
CREATE TRIGGER quotes_fts_insert AFTER INSERT ON quotes BEGIN
    INSERT INTO quotes_fts(rowid, text) VALUES (new.id, new.text);
END;
-- dialect: postgresql
-- PostgreSQL: a tsvector column kept by the server, with a GIN index ('simple': no stemming, as FTS5).
-- A tsvector holds at most 1 MB: a text of that many distinct tokens (no news article;
-- a dump of identifiers) is indexed on its longest beginning that fits, not refused.
CREATE FUNCTION detente_tsvector(doc TEXT) RETURNS tsvector LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    size INTEGER := length(doc);
BEGIN
    LOOP
        BEGIN
            RETURN to_tsvector('simple', left(doc, size));
        EXCEPTION WHEN program_limit_exceeded THEN
            size := size / 2;
        END;
    END LOOP;
END
$$;
ALTER TABLE articles ADD COLUMN fts tsvector GENERATED ALWAYS AS (
    detente_tsvector(coalesce(title, '') || ' ' || coalesce(dek, '') || ' ' || body)) STORED;
CREATE INDEX articles_fts ON articles USING gin(fts);
ALTER TABLE quotes ADD COLUMN fts tsvector GENERATED ALWAYS AS (detente_tsvector(text)) STORED;
CREATE INDEX quotes_fts ON quotes USING gin(fts);
-- dialect: end
