-- Look-ups by input id: the feed fetcher asks whether a URL is stored before fetching it.
CREATE INDEX IF NOT EXISTS articles_doc_id ON articles(doc_id);
