-- detente store, schema version 4: indexes for the analysis (detente.analysis, issue 15).
-- A dyad's series selects on its first actor and recipient codes and a date range
-- (events_dyad; the web app's migration asks for the same index, hence IF NOT EXISTS);
-- the corpus's stories a period count distinct clusters by publication day
-- (articles_published_cluster, covering); the story and outlet counts join each event to
-- its reporting articles (event_sources_event_article, covering).

CREATE INDEX IF NOT EXISTS events_dyad ON events(actor_code, recipient_code, date);
CREATE INDEX IF NOT EXISTS articles_published_cluster ON articles(published, cluster_id);
CREATE INDEX IF NOT EXISTS event_sources_event_article ON event_sources(event_id, article_id);
