-- One durable score submission, the logical equivalent of evald's
-- SubmitProfessionalScore: in one transaction (synchronous_commit = on),
-- one INSERT statement writes the submission row and its audit row, and an
-- aggregate SELECT reads the evaluation's submissions back (evald returns
-- the evaluation recomputed from them). pgbench runs it with -M prepared.
\set p random(0, :projects - 1)
\set y random(0, 4)
\set ph random(1, 2)
\set s random(6000, 9999)
BEGIN;
WITH s AS (
  INSERT INTO submissions (project_id, year, phase, principal, request_id,
                           score)
  VALUES ('p' || lpad(:p::text, 6, '0'), 2019 + :p % 6 + :y, :ph,
          'agency-ag1', gen_random_uuid()::text, :s / 100.0)
  RETURNING project_id, year, phase, request_id, score)
INSERT INTO audit_events (project_id, principal, action, target, request_id,
                          detail)
  SELECT project_id, 'agency-ag1', 'professional.submitted',
         'projects/' || project_id || '/years/' || year || '/phases/' || phase,
         request_id, 'third_party score ' || score
  FROM s;
SELECT count(*), max(score), avg(score) FROM submissions
  WHERE project_id = 'p' || lpad(:p::text, 6, '0')
    AND year = 2019 + :p % 6 + :y AND phase = :ph;
END;
