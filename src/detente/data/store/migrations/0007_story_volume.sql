-- detente store, schema version 7: the corpus's stories a day, an ISO week and a month
-- (detente.analysis, issue 15). The escalation index divides a dyad's stories by all the
-- corpus's stories that period (volume correction); counting distinct clusters over every
-- article on each call took seconds on a million-event store. This table keeps the count,
-- exact: a story (cluster) counts once in each period in which one of its articles was
-- published. Triggers add an article when it gets its cluster (the writer inserts the
-- article, then sets cluster_id; direct inserts may give it at once). Clusters are
-- assigned once and articles never deleted, so counts only grow.
-- The week and month expressions are analysis.series's period_start, per dialect.

CREATE TABLE story_volume (
    period      TEXT NOT NULL,            -- day, week or month
    start       TEXT NOT NULL,            -- the period's first day, YYYY-MM-DD
    stories     INTEGER NOT NULL,
    PRIMARY KEY (period, start)
);

-- dialect: sqlite
INSERT INTO story_volume(period, start, stories)
    SELECT 'day', published, count(DISTINCT cluster_id) FROM articles
        WHERE published IS NOT NULL AND cluster_id IS NOT NULL GROUP BY published;
INSERT INTO story_volume(period, start, stories)
    SELECT 'week', date(published, 'weekday 0', '-6 days'), count(DISTINCT cluster_id) FROM articles
        WHERE published IS NOT NULL AND cluster_id IS NOT NULL GROUP BY date(published, 'weekday 0', '-6 days');
INSERT INTO story_volume(period, start, stories)
    SELECT 'month', substr(published, 1, 7) || '-01', count(DISTINCT cluster_id) FROM articles
        WHERE published IS NOT NULL AND cluster_id IS NOT NULL GROUP BY substr(published, 1, 7) || '-01';

CREATE TRIGGER story_volume_insert AFTER INSERT ON articles
WHEN NEW.cluster_id IS NOT NULL AND NEW.published IS NOT NULL BEGIN
    INSERT OR IGNORE INTO story_volume(period, start, stories) VALUES ('day', NEW.published, 0);
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'day' AND start = NEW.published
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published IS NOT NULL
                        AND x.published = NEW.published);
    INSERT OR IGNORE INTO story_volume(period, start, stories) VALUES ('week', date(NEW.published, 'weekday 0', '-6 days'), 0);
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'week' AND start = date(NEW.published, 'weekday 0', '-6 days')
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published IS NOT NULL
                        AND x.published BETWEEN date(NEW.published, 'weekday 0', '-6 days') AND date(date(NEW.published, 'weekday 0', '-6 days'), '+6 days'));
    INSERT OR IGNORE INTO story_volume(period, start, stories) VALUES ('month', substr(NEW.published, 1, 7) || '-01', 0);
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'month' AND start = substr(NEW.published, 1, 7) || '-01'
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published IS NOT NULL
                        AND substr(x.published, 1, 7) = substr(NEW.published, 1, 7));
END;

CREATE TRIGGER story_volume_cluster AFTER UPDATE OF cluster_id ON articles
WHEN NEW.cluster_id IS NOT NULL AND NEW.published IS NOT NULL AND OLD.cluster_id IS NULL BEGIN
    INSERT OR IGNORE INTO story_volume(period, start, stories) VALUES ('day', NEW.published, 0);
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'day' AND start = NEW.published
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published IS NOT NULL
                        AND x.published = NEW.published);
    INSERT OR IGNORE INTO story_volume(period, start, stories) VALUES ('week', date(NEW.published, 'weekday 0', '-6 days'), 0);
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'week' AND start = date(NEW.published, 'weekday 0', '-6 days')
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published IS NOT NULL
                        AND x.published BETWEEN date(NEW.published, 'weekday 0', '-6 days') AND date(date(NEW.published, 'weekday 0', '-6 days'), '+6 days'));
    INSERT OR IGNORE INTO story_volume(period, start, stories) VALUES ('month', substr(NEW.published, 1, 7) || '-01', 0);
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'month' AND start = substr(NEW.published, 1, 7) || '-01'
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published IS NOT NULL
                        AND substr(x.published, 1, 7) = substr(NEW.published, 1, 7));
END;
-- dialect: postgresql
INSERT INTO story_volume(period, start, stories)
    SELECT 'day', published, count(DISTINCT cluster_id) FROM articles
        WHERE published IS NOT NULL AND cluster_id IS NOT NULL GROUP BY published;
INSERT INTO story_volume(period, start, stories)
    SELECT 'week', to_char(date_trunc('week', CAST(published AS date)), 'YYYY-MM-DD'),
        count(DISTINCT cluster_id) FROM articles
        WHERE published IS NOT NULL AND cluster_id IS NOT NULL
        GROUP BY to_char(date_trunc('week', CAST(published AS date)), 'YYYY-MM-DD');
INSERT INTO story_volume(period, start, stories)
    SELECT 'month', substr(published, 1, 7) || '-01', count(DISTINCT cluster_id) FROM articles
        WHERE published IS NOT NULL AND cluster_id IS NOT NULL GROUP BY substr(published, 1, 7) || '-01';

-- One function for both triggers: the same three counts as SQLite's triggers above.
CREATE FUNCTION detente_story_volume() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    week_start TEXT;
    month_start TEXT;
BEGIN
    IF NEW.cluster_id IS NULL OR NEW.published IS NULL
       OR (TG_OP = 'UPDATE' AND OLD.cluster_id IS NOT NULL) THEN
        RETURN NULL;
    END IF;
    week_start := to_char(date_trunc('week', CAST(NEW.published AS date)), 'YYYY-MM-DD');
    month_start := substr(NEW.published, 1, 7) || '-01';
    INSERT INTO story_volume(period, start, stories) VALUES ('day', NEW.published, 0)
        ON CONFLICT DO NOTHING;
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'day' AND start = NEW.published
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published = NEW.published);
    INSERT INTO story_volume(period, start, stories) VALUES ('week', week_start, 0)
        ON CONFLICT DO NOTHING;
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'week' AND start = week_start
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND x.published BETWEEN week_start
                        AND to_char(CAST(week_start AS date) + 6, 'YYYY-MM-DD'));
    INSERT INTO story_volume(period, start, stories) VALUES ('month', month_start, 0)
        ON CONFLICT DO NOTHING;
    UPDATE story_volume SET stories = stories + 1
        WHERE period = 'month' AND start = month_start
        AND NOT EXISTS (SELECT 1 FROM articles x WHERE x.cluster_id = NEW.cluster_id
                        AND x.id <> NEW.id AND substr(x.published, 1, 7) = substr(NEW.published, 1, 7));
    RETURN NULL;
END
$$;
CREATE TRIGGER story_volume_insert AFTER INSERT ON articles
    FOR EACH ROW EXECUTE FUNCTION detente_story_volume();
CREATE TRIGGER story_volume_cluster AFTER UPDATE OF cluster_id ON articles
    FOR EACH ROW EXECUTE FUNCTION detente_story_volume();
-- dialect: end
