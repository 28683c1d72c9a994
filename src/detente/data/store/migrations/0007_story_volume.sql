-- detente store, schema version 7: the corpus's stories a day, an ISO week and a month
-- (detente.analysis, issue 15). The escalation index divides a dyad's stories by all the
-- corpus's stories that period (volume correction); counting distinct clusters over every
-- article on each call took seconds on a million-event store. This table keeps the count,
-- exact: a story (cluster) counts once in each period in which one of its articles was
-- published. Triggers add an article when it gets its cluster (the writer inserts the
-- article, then sets cluster_id; direct inserts may give it at once). Clusters are
-- assigned once and articles never deleted, so counts only grow.
-- The week and month expressions are analysis.series's period_start for SQLite.

CREATE TABLE story_volume (
    period      TEXT NOT NULL,            -- day, week or month
    start       TEXT NOT NULL,            -- the period's first day, YYYY-MM-DD
    stories     INTEGER NOT NULL,
    PRIMARY KEY (period, start)
);

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
