-- The PostgreSQL baseline's schema (docs/benchmarks.md): the submissions
-- and the audit log that evald keeps, as two plain tables, seeded with one
-- submission and one audit row per evaluation of the benchmark's projects
-- (:projects projects x 5 years x 2 phases), named as bench/bench_scheme.h
-- names them.
DROP TABLE IF EXISTS submissions, audit_events;
CREATE TABLE submissions (
  id bigserial PRIMARY KEY,
  project_id text NOT NULL,
  year int NOT NULL,
  phase smallint NOT NULL,
  principal text NOT NULL,
  request_id text NOT NULL,
  score numeric(5, 2) NOT NULL,
  submitted_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (principal, request_id)
);
CREATE INDEX submissions_evaluation ON submissions (project_id, year, phase);
CREATE TABLE audit_events (
  id bigserial PRIMARY KEY,
  project_id text NOT NULL,
  time timestamptz NOT NULL DEFAULT now(),
  principal text NOT NULL,
  action text NOT NULL,
  target text NOT NULL,
  request_id text NOT NULL,
  detail text NOT NULL
);
CREATE INDEX audit_events_project ON audit_events (project_id, id);
INSERT INTO submissions (project_id, year, phase, principal, request_id, score)
  SELECT 'p' || lpad(p::text, 6, '0'), 2019 + p % 6 + y, ph, 'agency-ag1',
         'seed-' || p || '-' || y || '-' || ph, 75.50
  FROM generate_series(0, :projects - 1) p, generate_series(0, 4) y,
       generate_series(1, 2) ph;
INSERT INTO audit_events (project_id, principal, action, target, request_id,
                          detail)
  SELECT project_id, principal, 'professional.submitted',
         'projects/' || project_id || '/years/' || year || '/phases/' || phase,
         request_id, 'third_party score 75.50'
  FROM submissions;
VACUUM ANALYZE;
CHECKPOINT;
